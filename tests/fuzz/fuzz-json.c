/* fuzz-json.c: importing Chancery JSON
 *
 * Copyright 2026 The Chancery developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * One in-memory store per process. An import either succeeds or fails
 * with an error and leaves the event count as it was. The same text is
 * also read by the JSON reader alone and by json-glib: whatever the
 * reader accepts, json-glib accepts with the same values, and whatever
 * json-glib refuses, the reader refuses (json-differential.h).
 */
#include "config.h"

#include "chancery-error.h"
#include "fuzz-store.h"
#include "json-differential.h"

static ChanceryStore *store;

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autoptr(GError) error = NULL;
  ChanceryImportReport report;
  guint before, after;
  gboolean ok;

  fuzz_init_logging ();
  if (size > 256 * 1024)
    return -1;

  if (store == NULL)
    store = fuzz_memory_store ();

  before = chancery_store_count_events (store, NULL, NULL);
  chancery_import_report_init (&report);
  ok = chancery_import_json_data (store, (const char *) data, size, "fuzz.json",
                                  &report, NULL, &error);
  after = chancery_store_count_events (store, NULL, NULL);

  fuzz_check_import_outcome (ok, error, before, after, &report);
  if (!ok)
    FUZZ_CHECK (g_utf8_validate (error->message, -1, NULL));
  chancery_import_report_clear (&report);

  {
    g_autoptr(GString) why = g_string_new (NULL);

    if (json_diff ((const char *) data, size, why) == JSON_DIFF_MISMATCH)
      {
        g_printerr ("reader and json-glib differ: %s\n", why->str);
        FUZZ_CHECK (FALSE);
      }
  }

  return 0;
}
