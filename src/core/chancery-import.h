/* chancery-import.h: bringing events into a store
 *
 * Copyright 2026 The Chancery developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Each import is one transaction: on error nothing is written.
 */
#pragma once

#include "chancery-store.h"

G_BEGIN_DECLS

typedef struct
{
  guint      inserted;
  guint      updated;
  guint      unchanged;
  guint      skipped;     /* rows skipped (GDELT: malformed; the reason is in messages) */
  guint      filtered;    /* GDELT: well-formed rows left out by the options */
  GPtrArray *messages;    /* char*: one line per problem ("line 12: ...") */
} ChanceryImportReport;

void chancery_import_report_init  (ChanceryImportReport *report);
void chancery_import_report_clear (ChanceryImportReport *report);

/* Whether path can be imported: a regular file (or one that does not
 * exist, which opening reports), not a folder, a pipe or a device. */
gboolean chancery_import_check_file (const char  *path,
                                     GError     **error);

/* Called now and then with fraction 0..1 (from the importing thread). */
typedef void (*ChanceryProgressFunc) (double fraction, gpointer user_data);

/* Chancery JSON format. Validation errors carry the JSON path and
 * line:column, e.g. "events[3].date (line 41, column 15): ...".
 * All problems found are listed in the error message, one per line. */
gboolean chancery_import_json_file (ChanceryStore         *store,
                                    const char            *path,
                                    ChanceryImportReport  *report,
                                    ChanceryProgressFunc   progress,
                                    gpointer               progress_data,
                                    GCancellable          *cancellable,
                                    GError               **error);
gboolean chancery_import_json_data (ChanceryStore         *store,
                                    const char            *data,
                                    gssize                 length,
                                    const char            *filename_for_messages,
                                    ChanceryImportReport  *report,
                                    GCancellable          *cancellable,
                                    GError               **error);

typedef struct
{
  GStrv countries;        /* keep events where any actor's country is one of these; NULL = all */
  GStrv cameo_roots;      /* two-digit root codes to keep; NULL = "01".."06" */
} ChanceryGdeltOptions;

gboolean chancery_import_gdelt_file (ChanceryStore              *store,
                                     const char                 *path,
                                     const ChanceryGdeltOptions *options,
                                     ChanceryImportReport       *report,
                                     ChanceryProgressFunc        progress,
                                     gpointer                    progress_data,
                                     GCancellable               *cancellable,
                                     GError                    **error);

G_END_DECLS
