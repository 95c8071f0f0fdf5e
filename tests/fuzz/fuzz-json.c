/* fuzz-json.c: importing Chancery JSON
 *
 * Copyright 2026 The Chancery developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * One in-memory store per process. An import either succeeds or fails
 * with an error and leaves the event count as it was.
 */
#include "config.h"

#include "chancery-error.h"
#include "chancery-import.h"
#include "chancery-store.h"
#include "fuzz.h"

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
    {
      store = chancery_store_open (":memory:", CHANCERY_STORE_READ_WRITE | CHANCERY_STORE_CREATE,
                                   NULL, &error);
      FUZZ_CHECK (store != NULL);
    }

  before = chancery_store_count_events (store, NULL, NULL);
  chancery_import_report_init (&report);
  ok = chancery_import_json_data (store, (const char *) data, size, "fuzz.json",
                                  &report, NULL, &error);
  after = chancery_store_count_events (store, NULL, NULL);

  if (ok)
    {
      FUZZ_CHECK (error == NULL);
      FUZZ_CHECK (after == before + report.inserted);
    }
  else
    {
      FUZZ_CHECK (error != NULL);
      FUZZ_CHECK (g_utf8_validate (error->message, -1, NULL));
      FUZZ_CHECK (after == before);
    }
  chancery_import_report_clear (&report);

  return 0;
}
