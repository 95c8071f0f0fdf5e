/* test-gui-common.h: waiting on the main loop, shared by the GUI tests
 *
 * Copyright 2026 The Chancery developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

typedef gboolean (*Condition) (gpointer data);

static gboolean
on_wait_timeout_cb (gpointer data)
{
  *(gboolean *) data = TRUE;
  return G_SOURCE_REMOVE;
}

/* Iterates the main loop until cond holds or timeout_ms pass; returns cond. */
G_GNUC_UNUSED static gboolean
wait_until (Condition cond,
            gpointer  data,
            guint     timeout_ms)
{
  gboolean timed_out = FALSE;
  guint id = g_timeout_add (timeout_ms, on_wait_timeout_cb, &timed_out);

  while (!cond (data) && !timed_out)
    g_main_context_iteration (NULL, TRUE);
  if (!timed_out)
    g_source_remove (id);
  return cond (data);
}

static gboolean
always_false (gpointer data)
{
  return FALSE;
}

/* Lets the main loop run for ms milliseconds. */
G_GNUC_UNUSED static void
run_for (guint ms)
{
  wait_until (always_false, NULL, ms);
}
