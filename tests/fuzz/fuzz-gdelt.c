/* fuzz-gdelt.c: importing GDELT event files (plain or zipped)
 *
 * Copyright 2026 The Chancery developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The input is written to a temporary file (the importer reads files);
 * one in-memory store per process.
 */
#include "config.h"

#include <glib/gstdio.h>
#include <unistd.h>

#include "chancery-error.h"
#include "fuzz-store.h"

static ChanceryStore *store;
static char *input_path;

static void
remove_input (void)
{
  g_remove (input_path);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autoptr(GError) error = NULL;
  ChanceryImportReport report;
  guint before, after;
  gboolean ok;

  fuzz_init_logging ();
  if (size > 1024 * 1024)
    return -1;

  if (store == NULL)
    {
      int fd = g_file_open_tmp ("chancery-fuzz-gdelt-XXXXXX.tsv", &input_path, &error);

      FUZZ_CHECK (fd >= 0);
      close (fd);
      atexit (remove_input);
      store = fuzz_memory_store ();
    }

  FUZZ_CHECK (g_file_set_contents (input_path, (const char *) data, size, NULL));
  before = chancery_store_count_events (store, NULL, NULL);
  chancery_import_report_init (&report);
  ok = chancery_import_gdelt_file (store, input_path, NULL, &report, NULL, NULL, NULL, &error);
  after = chancery_store_count_events (store, NULL, NULL);

  fuzz_check_import_outcome (ok, error, before, after, &report);
  for (guint i = 0; i < report.messages->len; i++)
    FUZZ_CHECK (g_utf8_validate (g_ptr_array_index (report.messages, i), -1, NULL));
  chancery_import_report_clear (&report);

  return 0;
}
