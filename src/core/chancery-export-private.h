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

/* Chancery's own JSON format (docs/export-formats.md): the records the
 * events refer to, then the events in time order. For tests, with a spool
 * of at most spool_memory bytes in memory (the rest on file). */
gboolean chancery_export_json_with_budget (ChanceryStore        *store,
                                           const ChanceryFilter *filter,
                                           gsize                 spool_memory,
                                           GOutputStream        *out,
                                           GCancellable         *cancellable,
                                           GError              **error);

/* JSON text as json-glib 1.6 writes it, where that is valid JSON (for
 * the exporter and its tests): a string with its quotes, and a number. */
void chancery_json_append_string (GString    *buf,
                                  const char *text);
void chancery_json_append_double (GString    *buf,
                                  double      value);

/* iCalendar (RFC 5545): one all-day VEVENT per event. For
 * tests, as for CSV: with a spool budget, and read in time order (no
 * spool); both give the same text but for DTSTAMP, the time of export. */
gboolean chancery_export_ics (ChanceryStore        *store,
                              const ChanceryFilter *filter,
                              GOutputStream        *out,
                              GCancellable         *cancellable,
                              GError              **error);
gboolean chancery_export_ics_with_budget   (ChanceryStore        *store,
                                            const ChanceryFilter *filter,
                                            gsize                 spool_memory,
                                            GOutputStream        *out,
                                            GCancellable         *cancellable,
                                            GError              **error);
gboolean chancery_export_ics_in_time_order (ChanceryStore        *store,
                                            const ChanceryFilter *filter,
                                            GOutputStream        *out,
                                            GCancellable         *cancellable,
                                            GError              **error);

/* iCalendar content lines, for the exporter and its tests: a TEXT value
 * escaped, a URI value (FALSE and nothing added when it has no scheme),
 * and a whole line folded with its CRLF. */
void     chancery_ics_append_text   (GString    *line,
                                     const char *text);
gboolean chancery_ics_append_uri    (GString    *line,
                                     const char *uri);
void     chancery_ics_append_folded (GString    *buf,
                                     const char *line,
                                     gsize       len);

/* The rows of an export in time order, from events read in whatever order
 * the store reads fastest (chancery_store_foreach_event_ranked): rows that
 * arrive in order go straight out after buf, the others wait in a spool
 * (in memory up to spool_memory bytes, then in an unlinked temporary
 * file). With hold, every row waits, so that the exporter can write
 * something that depends on all of them first (into buf, before
 * chancery_export_spool_write). format_row appends one event's row to the
 * string it is given, or fails and stops the export (what it appended
 * then is dropped). */
typedef struct _ChanceryExportSpool ChanceryExportSpool;

typedef gboolean (*ChanceryRowFunc) (GString             *buf,
                                     const ChanceryEvent *event,
                                     gpointer             user_data,
                                     GError             **error);

#define CHANCERY_EXPORT_SPOOL_MEMORY (256 * 1024 * 1024)

ChanceryExportSpool *chancery_export_spool_new   (GOutputStream         *out,
                                                  GString               *buf,
                                                  gsize                  spool_memory,
                                                  gboolean               hold,
                                                  ChanceryRowFunc        format_row,
                                                  gpointer               row_data,
                                                  GCancellable          *cancellable);
void                 chancery_export_spool_free  (ChanceryExportSpool   *spool);
/* Reads every event that filter selects, formatting each row; selected
 * as for chancery_store_foreach_event_ranked. */
gboolean             chancery_export_spool_read  (ChanceryExportSpool   *spool,
                                                  ChanceryStore         *store,
                                                  const ChanceryFilter  *filter,
                                                  GArray               **selected,
                                                  GError               **error);
guint                chancery_export_spool_get_n_events (ChanceryExportSpool *spool);
/* Writes what buf holds, then the rows still waiting, in time order,
 * leaving out the first skip bytes of the first of them (a separator
 * that only goes between rows). */
gboolean             chancery_export_spool_write (ChanceryExportSpool   *spool,
                                                  gsize                  skip,
                                                  GError               **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ChanceryExportSpool, chancery_export_spool_free)

/* Writes buf to out and empties it once it holds at least threshold bytes
 * (0: whatever it holds). Shared by the exporters so that each writes in
 * big chunks. */
gboolean chancery_export_flush (GOutputStream  *out,
                                GString        *buf,
                                gsize           threshold,
                                GCancellable   *cancellable,
                                GError        **error);

G_END_DECLS
