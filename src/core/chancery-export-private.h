/* chancery-export-private.h: the exporters behind chancery_export_to_stream()
 *
 * Copyright 2026 The Chancery developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "chancery-export.h"

G_BEGIN_DECLS

/* RFC 4180 CSV, UTF-8 with a byte order mark, one row per event in time
 * order after a header row. See docs/export-formats.md. */
gboolean chancery_export_csv (ChanceryStore        *store,
                              const ChanceryFilter *filter,
                              GOutputStream        *out,
                              GCancellable         *cancellable,
                              GError              **error);

/* For tests: chancery_export_csv with a spool of at most spool_memory
 * bytes in memory (chancery_export_csv allows 256 MB; past that, rows go
 * to a temporary file), and the same rows written as
 * chancery_store_foreach_event gives them, in time order (no spool). Both
 * must give the same bytes. */
gboolean chancery_export_csv_with_budget   (ChanceryStore        *store,
                                            const ChanceryFilter *filter,
                                            gsize                 spool_memory,
                                            GOutputStream        *out,
                                            GCancellable         *cancellable,
                                            GError              **error);
gboolean chancery_export_csv_in_time_order (ChanceryStore        *store,
                                            const ChanceryFilter *filter,
                                            GOutputStream        *out,
                                            GCancellable         *cancellable,
                                            GError              **error);

/* iCalendar (RFC 5545) via libical: one all-day VEVENT per event. */
gboolean chancery_export_ics (ChanceryStore        *store,
                              const ChanceryFilter *filter,
                              GOutputStream        *out,
                              GCancellable         *cancellable,
                              GError              **error);

/* Writes buf to out and empties it once it holds at least threshold bytes
 * (0: whatever it holds). Shared by the exporters so that each writes in
 * big chunks. */
gboolean chancery_export_flush (GOutputStream  *out,
                                GString        *buf,
                                gsize           threshold,
                                GCancellable   *cancellable,
                                GError        **error);

G_END_DECLS
