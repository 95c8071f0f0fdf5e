/* chancery-export.h: writing filtered events out
 *
 * Copyright 2026 The Chancery developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "chancery-store.h"

G_BEGIN_DECLS

typedef enum
{
  CHANCERY_EXPORT_JSON,
  CHANCERY_EXPORT_CSV,
  CHANCERY_EXPORT_ICS,
} ChanceryExportFormat;

gboolean chancery_export_format_from_string (const char *str, ChanceryExportFormat *format);

gboolean chancery_export_to_stream (ChanceryStore        *store,
                                    const ChanceryFilter *filter,
                                    ChanceryExportFormat  format,
                                    GOutputStream        *stream,
                                    GCancellable         *cancellable,
                                    GError              **error);
/* Written to a temporary file beside path and renamed into place: on
 * failure or cancellation the previous file, if any, is untouched. */
gboolean chancery_export_to_file   (ChanceryStore        *store,
                                    const ChanceryFilter *filter,
                                    ChanceryExportFormat  format,
                                    const char           *path,
                                    GCancellable         *cancellable,
                                    GError              **error);

/* Refuses path when it is the store's own database file (or SQLite's
 * files beside it): an export must never replace what it reads. */
gboolean chancery_export_check_target (ChanceryStore  *store,
                                       const char     *path,
                                       GError        **error);

/* Written as chancery-output-file.h describes: on failure or cancellation
 * the previous file, if any, is untouched. */
typedef gboolean (*ChanceryWriteFunc) (GOutputStream *stream, gpointer user_data,
                                       GCancellable *cancellable, GError **error);
gboolean chancery_write_file_atomically (const char        *path,
                                         ChanceryWriteFunc  func,
                                         gpointer           user_data,
                                         GCancellable      *cancellable,
                                         GError           **error);

G_END_DECLS
