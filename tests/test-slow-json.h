/* test-slow-json.h: a JSON file whose import takes seconds
 *
 * Copyright 2026 The Chancery developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

/* A Chancery JSON file of 60,000 events with summaries, which takes
 * several seconds to import (the full-text index is most of it). */
G_GNUC_UNUSED static void
test_write_slow_json (const char *path)
{
  g_autoptr(GString) json = g_string_new ("{ \"format\": \"chancery\", \"version\": 1, \"events\": [\n");
  g_autoptr(GString) words = g_string_new (NULL);
  g_autoptr(GError) error = NULL;

  for (guint w = 0; w < 60; w++)
    g_string_append_printf (words, "%sword%u", w == 0 ? "" : " ", w * 7919 % 1000);
  for (guint i = 0; i < 60000; i++)
    g_string_append_printf (json, "%s{ \"id\": \"slow-%u\", \"kind\": \"meeting\", "
                            "\"status\": \"occurred\", \"title\": \"Meeting %u\", "
                            "\"summary\": \"%s\", \"date\": \"2025-12-%02u\" }\n",
                            i == 0 ? "" : ", ", i, i, words->str, 1 + i % 28);
  g_string_append (json, "] }\n");
  g_assert_true (g_file_set_contents (path, json->str, json->len, &error));
  g_assert_no_error (error);
}

