/* chancery-export-csv.c: events as RFC 4180 CSV
 *
 * Copyright 2026 The Chancery developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The file starts with a UTF-8 byte order mark: spreadsheets (Excel,
 * LibreOffice on some set-ups) otherwise guess a legacy code page and garble
 * Cyrillic or Persian text, while CSV readers that know UTF-8 skip it
 * (Python: encoding="utf-8-sig"). Lines end in CRLF; a field is quoted when
 * it holds a comma, a quote, CR or LF, and quotes inside are doubled.
 *
 * A cell that starts with =, +, -, @, tab or CR would run as a formula in a
 * spreadsheet ("CSV injection"), so it gets a leading apostrophe, which
 * spreadsheets show as text. Reading the file back with a CSV parser gives
 * the apostrophe too: that is the price of safety.
 */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <errno.h>
#include <glib/gstdio.h>
#include <string.h>
#include <unistd.h>

#include "chancery-error.h"
#include "chancery-export-private.h"
#include "chancery-store-private.h"

/* Write when this much is buffered: few, big writes. */
#define CSV_CHUNK_SIZE (256 * 1024)

#define UTF8_BOM "\xEF\xBB\xBF"

static const char *csv_columns[] = {
  "id", "date", "start", "end", "kind", "status", "title", "summary",
  "place", "countries", "actors", "projects", "sources",
};

gboolean
chancery_export_flush (GOutputStream  *out,
                       GString        *buf,
                       gsize           threshold,
                       GCancellable   *cancellable,
                       GError        **error)
{
  g_autoptr(GError) local_error = NULL;

  if (buf->len < threshold || buf->len == 0)
    return TRUE;

  if (!g_output_stream_write_all (out, buf->str, buf->len, NULL,
                                  cancellable, &local_error))
    {
      if (g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_propagate_error (error, g_steal_pointer (&local_error));
      else
        g_set_error (error, CHANCERY_ERROR, CHANCERY_ERROR_IO,
                     _("Could not write the export: %s"), local_error->message);
      return FALSE;
    }

  g_string_truncate (buf, 0);
  return TRUE;
}

/* g_string_append_len without the call: rows are built from dozens of
 * small pieces (GLib 2.74 does not inline it). */
static inline void
append_bytes (GString    *buf,
              const char *text,
              gsize       len)
{
  if (G_UNLIKELY (buf->len + len + 1 > buf->allocated_len))
    {
      gsize old_len = buf->len;

      g_string_set_size (buf, old_len + len);
      buf->len = old_len;
    }
  memcpy (buf->str + buf->len, text, len);
  buf->len += len;
  buf->str[buf->len] = '\0';
}

static inline void
append_text (GString    *buf,
             const char *text)
{
  append_bytes (buf, text, strlen (text));
}

static inline gboolean
is_formula_start (char c)
{
  return c == '=' || c == '+' || c == '-' || c == '@' || c == '\t' || c == '\r';
}

/* Appends one cell (without separator) to buf, quoted and neutralised as
 * needed. */
static void
append_cell (GString    *buf,
             const char *text,
             gssize      len)
{
  gboolean needs_quotes = FALSE;
  const char *end;

  if (text == NULL)
    return;
  if (len < 0)
    len = strlen (text);
  if (len == 0)
    return;

  end = text + len;
  for (const char *p = text; p < end; p++)
    {
      if (*p == ',' || *p == '"' || *p == '\r' || *p == '\n')
        {
          needs_quotes = TRUE;
          break;
        }
    }

  if (!needs_quotes)
    {
      if (is_formula_start (text[0]))
        g_string_append_c (buf, '\'');
      append_bytes (buf, text, len);
      return;
    }

  g_string_append_c (buf, '"');
  if (is_formula_start (text[0]))
    g_string_append_c (buf, '\'');
  for (const char *p = text; p < end;)
    {
      const char *quote = memchr (p, '"', end - p);

      if (quote == NULL)
        {
          append_bytes (buf, p, end - p);
          break;
        }
      append_bytes (buf, p, quote - p + 1);
      g_string_append_c (buf, '"');
      p = quote + 1;
    }
  g_string_append_c (buf, '"');
}

/* "2025-12-08", or nothing for an open bound. */
static void
append_day (GString *buf,
            gint32   day)
{
  char iso[11];
  int y, m, d;

  if (day == CHANCERY_DAY_OPEN_LO || day == CHANCERY_DAY_OPEN_HI)
    return;

  chancery_day_to_ymd (day, &y, &m, &d);
  if (y < 1 || y > 9999)
    return;

  iso[0] = '0' + y / 1000;
  iso[1] = '0' + y / 100 % 10;
  iso[2] = '0' + y / 10 % 10;
  iso[3] = '0' + y % 10;
  iso[4] = '-';
  iso[5] = '0' + m / 10;
  iso[6] = '0' + m % 10;
  iso[7] = '-';
  iso[8] = '0' + d / 10;
  iso[9] = '0' + d % 10;
  iso[10] = '\0';
  append_bytes (buf, iso, 10);
}

static void
append_separator_if_needed (GString    *scratch,
                            const char *separator)
{
  if (scratch->len > 0)
    append_text (scratch, separator);
}

static void
build_countries (GString             *scratch,
                 const ChanceryEvent *event)
{
  g_string_truncate (scratch, 0);
  for (guint i = 0; i < event->countries->len; i++)
    {
      const ChanceryEventCountry *country = g_ptr_array_index (event->countries, i);

      append_separator_if_needed (scratch, "; ");
      append_text (scratch, country->code);
    }
}

static void
build_actors (GString             *scratch,
              const ChanceryEvent *event)
{
  g_string_truncate (scratch, 0);
  for (guint i = 0; i < event->actors->len; i++)
    {
      const ChanceryEventActor *actor = g_ptr_array_index (event->actors, i);

      append_separator_if_needed (scratch, "; ");
      append_text (scratch, actor->name != NULL ? actor->name : actor->uid);
      append_bytes (scratch, " (", sizeof " (" - 1);
      append_text (scratch, chancery_role_to_string (actor->role));
      g_string_append_c (scratch, ')');
    }
}

static void
build_projects (GString             *scratch,
                const ChanceryEvent *event)
{
  g_string_truncate (scratch, 0);
  for (guint i = 0; i < event->projects->len; i++)
    {
      const ChanceryEventProject *project = g_ptr_array_index (event->projects, i);

      append_separator_if_needed (scratch, "; ");
      append_text (scratch, project->name != NULL ? project->name : project->uid);
    }
}

/* "Publisher, reference: “quote”", separated by " | ". Without a reference
 * the title, then the URL, says which document it is. */
static void
build_sources (GString             *scratch,
               const ChanceryEvent *event)
{
  g_string_truncate (scratch, 0);
  for (guint i = 0; i < event->sources->len; i++)
    {
      const ChanceryEventSource *source = g_ptr_array_index (event->sources, i);
      const char *which = source->reference;
      gsize start;

      if (which == NULL || *which == '\0')
        which = source->title;
      if (which == NULL || *which == '\0')
        which = source->url;

      append_separator_if_needed (scratch, " | ");
      start = scratch->len;
      if (source->publisher != NULL && *source->publisher != '\0')
        append_text (scratch, source->publisher);
      if (which != NULL && *which != '\0')
        {
          if (scratch->len > start)
            append_bytes (scratch, ", ", sizeof ", " - 1);
          append_text (scratch, which);
        }
      if (scratch->len == start)
        append_text (scratch, source->uid);
      if (source->quote != NULL && *source->quote != '\0')
        {
          append_bytes (scratch, ": \xE2\x80\x9C", sizeof ": \xE2\x80\x9C" - 1);   /* “ */
          append_text (scratch, source->quote);
          append_bytes (scratch, "\xE2\x80\x9D", sizeof "\xE2\x80\x9D" - 1);     /* ” */
        }
    }
}

/* One row, CRLF included. */
static void
append_row (GString             *buf,
            GString             *scratch,
            const ChanceryEvent *event)
{
  append_cell (buf, event->uid, -1);
  g_string_append_c (buf, ',');
  append_cell (buf, event->date_text, -1);
  g_string_append_c (buf, ',');
  append_day (buf, event->date.lo);
  g_string_append_c (buf, ',');
  append_day (buf, event->date.hi);
  g_string_append_c (buf, ',');
  append_cell (buf, chancery_kind_to_string (event->kind), -1);
  g_string_append_c (buf, ',');
  append_cell (buf, chancery_status_to_string (event->status), -1);
  g_string_append_c (buf, ',');
  append_cell (buf, event->title, -1);
  g_string_append_c (buf, ',');
  append_cell (buf, event->summary, -1);
  g_string_append_c (buf, ',');
  append_cell (buf, event->place_name, -1);
  g_string_append_c (buf, ',');
  build_countries (scratch, event);
  append_cell (buf, scratch->str, scratch->len);
  g_string_append_c (buf, ',');
  build_actors (scratch, event);
  append_cell (buf, scratch->str, scratch->len);
  g_string_append_c (buf, ',');
  build_projects (scratch, event);
  append_cell (buf, scratch->str, scratch->len);
  g_string_append_c (buf, ',');
  build_sources (scratch, event);
  append_cell (buf, scratch->str, scratch->len);
  append_bytes (buf, "\r\n", sizeof "\r\n" - 1);
}

/* The store hands events over in the order that reads its file fastest,
 * each with its place in time order (chancery_store_foreach_event_ranked).
 * Rows that come in time order go straight out; the others are formatted
 * into a spool (memory, then an unlinked temporary file past
 * SPOOL_MEMORY) and written out in time order at the end, from where each
 * row was put. */
#define SPOOL_MEMORY (256 * 1024 * 1024)

typedef struct
{
  guint64 offset;
  gsize   len;
} SpooledRow;

typedef struct
{
  GOutputStream *out;
  GCancellable  *cancellable;
  GString       *buf;
  GString       *scratch;
  guint          next_rank;   /* rows before it are written */
  gboolean       spooling;
  GString       *spool;       /* the part in memory, from offset in_file */
  int            fd;          /* the temporary file, or -1 */
  guint64        in_file;
  const guint   *n_events;    /* set by the store before the first row */
  SpooledRow    *rows;        /* by rank; allocated when the first row is spooled */
  guint          n_rows;
} CsvWriter;

static gboolean
spool_to_file (CsvWriter  *writer,
               GError    **error)
{
  const char *p = writer->spool->str;
  gsize left = writer->spool->len;

  if (writer->fd < 0)
    {
      g_autofree char *path = NULL;

      writer->fd = g_file_open_tmp ("chancery-export-XXXXXX.csv", &path, error);
      if (writer->fd < 0)
        return FALSE;
      g_unlink (path);
    }

  while (left > 0)
    {
      gssize n = write (writer->fd, p, left);

      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        {
          int saved = errno;

          g_set_error (error, CHANCERY_ERROR, CHANCERY_ERROR_IO,
                       _("Could not write the export: %s"), g_strerror (saved));
          return FALSE;
        }
      p += n;
      left -= n;
    }

  writer->in_file += writer->spool->len;
  g_string_truncate (writer->spool, 0);
  return TRUE;
}

static gboolean
write_ranked_cb (ChanceryEvent  *event,
                 guint           rank,
                 gpointer        user_data,
                 GError        **error)
{
  CsvWriter *writer = user_data;
  SpooledRow *row;

  if (!writer->spooling && rank == writer->next_rank)
    {
      writer->next_rank++;
      append_row (writer->buf, writer->scratch, event);
      return chancery_export_flush (writer->out, writer->buf, CSV_CHUNK_SIZE,
                                    writer->cancellable, error);
    }

  if (writer->rows == NULL)
    {
      writer->n_rows = *writer->n_events;
      writer->rows = g_new0 (SpooledRow, writer->n_rows);
    }
  if (rank >= writer->n_rows || rank < writer->next_rank)
    return TRUE;   /* not one of the events announced: cannot happen */

  writer->spooling = TRUE;
  row = &writer->rows[rank];
  row->offset = writer->in_file + writer->spool->len;
  append_row (writer->spool, writer->scratch, event);
  row->len = writer->in_file + writer->spool->len - row->offset;

  if (writer->spool->len >= SPOOL_MEMORY)
    return spool_to_file (writer, error);

  return TRUE;
}

/* The spooled rows, in time order. */
static gboolean
write_spooled (CsvWriter  *writer,
               GError    **error)
{
  const char *data;
  g_autoptr(GMappedFile) mapped = NULL;

  if (writer->fd >= 0)
    {
      if (!spool_to_file (writer, error))
        return FALSE;
      if (writer->in_file == 0)
        return TRUE;
      mapped = g_mapped_file_new_from_fd (writer->fd, FALSE, error);
      if (mapped == NULL)
        return FALSE;
      data = g_mapped_file_get_contents (mapped);
    }
  else
    data = writer->spool->str;

  for (guint rank = writer->next_rank; rank < writer->n_rows; rank++)
    {
      const SpooledRow *row = &writer->rows[rank];

      append_bytes (writer->buf, data + row->offset, row->len);
      if (!chancery_export_flush (writer->out, writer->buf, CSV_CHUNK_SIZE,
                                  writer->cancellable, error))
        return FALSE;
    }

  return TRUE;
}

gboolean
chancery_export_csv (ChanceryStore        *store,
                     const ChanceryFilter *filter,
                     GOutputStream        *out,
                     GCancellable         *cancellable,
                     GError              **error)
{
  g_autoptr(GString) buf = NULL;
  g_autoptr(GString) scratch = NULL;
  g_autoptr(GString) spool = NULL;
  CsvWriter writer = { 0, };
  guint n_events = 0;
  gboolean ok;

  g_return_val_if_fail (CHANCERY_IS_STORE (store), FALSE);
  g_return_val_if_fail (G_IS_OUTPUT_STREAM (out), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  buf = g_string_sized_new (CSV_CHUNK_SIZE + 64 * 1024);
  scratch = g_string_sized_new (1024);
  spool = g_string_new (NULL);

  append_text (buf, UTF8_BOM);
  for (guint i = 0; i < G_N_ELEMENTS (csv_columns); i++)
    {
      if (i > 0)
        g_string_append_c (buf, ',');
      append_text (buf, csv_columns[i]);
    }
  append_bytes (buf, "\r\n", sizeof "\r\n" - 1);

  writer.out = out;
  writer.cancellable = cancellable;
  writer.buf = buf;
  writer.scratch = scratch;
  writer.spool = spool;
  writer.fd = -1;
  writer.n_events = &n_events;

  ok = chancery_store_foreach_event_ranked (store, filter, &n_events, write_ranked_cb,
                                            &writer, cancellable, error) &&
       write_spooled (&writer, error) &&
       chancery_export_flush (out, buf, 0, cancellable, error);

  if (writer.fd >= 0)
    close (writer.fd);
  g_free (writer.rows);

  return ok;
}
