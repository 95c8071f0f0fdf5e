/* fuzz-store.h: set-up and checks shared by the targets that use a store
 *
 * Copyright 2026 The Chancery developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "chancery-import.h"
#include "chancery-store.h"
#include "fuzz.h"

/* One in-memory store per process, made on first use. */
static inline ChanceryStore *
fuzz_memory_store (void)
{
  g_autoptr(GError) error = NULL;
  ChanceryStore *store;

  store = chancery_store_open (":memory:", CHANCERY_STORE_READ_WRITE | CHANCERY_STORE_CREATE,
                               NULL, &error);
  FUZZ_CHECK (store != NULL);
  return store;
}

/* An import either succeeds, adding what it reports, or fails with an
 * error and leaves the event count as it was. */
static inline void
fuzz_check_import_outcome (gboolean                    ok,
                           const GError               *error,
                           guint                       before,
                           guint                       after,
                           const ChanceryImportReport *report)
{
  if (ok)
    {
      FUZZ_CHECK (error == NULL);
      FUZZ_CHECK (after == before + report->inserted);
    }
  else
    {
      FUZZ_CHECK (error != NULL);
      FUZZ_CHECK (after == before);
    }
}
