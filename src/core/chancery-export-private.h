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
