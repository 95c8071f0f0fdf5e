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
 * needed. text ends with NUL (len, when not -1, is its length). */
static void
append_cell (GString    *buf,
             const char *text,
             gssize      len)
{
  gsize plain;
  const char *end;

  if (text == NULL || text[0] == '\0')
    return;

  /* One pass finds both the first character that needs quotes and, when
   * there is none, the length. */
  plain = strcspn (text, ",\"\r\n");
  if (len < 0)
    len = text[plain] == '\0' ? (gssize) plain : (gssize) (plain + strlen (text + plain));
  if ((gssize) plain >= len)
    {
      if (is_formula_start (text[0]))
        g_string_append_c (buf, '\'');
      append_bytes (buf, text, len);
      return;
    }

  end = text + len;
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
 * Rows that come in time order go straight out. The others are formatted
 * into a spool split by rank into SPOOL_BUCKETS buckets (bucket b holds
 * the b-th slice of time order), and written out bucket by bucket at the
 * end, each bucket's rows put in time order from where each row was put.
 *
 * Buckets are kept in memory up to SPOOL_MEMORY in all; past that, the
 * buckets written last (the latest in time) go to an unlinked temporary
 * file, in pieces of at least SPOOL_PIECE, and are read back one at a time
 * (each about 1/SPOOL_BUCKETS of the export). So the first part of the
 * export never touches the disk, and reading back is sequential. */
#define SPOOL_MEMORY  (256 * 1024 * 1024)
#define SPOOL_BUCKETS 64
#define SPOOL_PIECE   (1024 * 1024)

typedef struct
{
  guint64 offset;   /* in its bucket's data */
  gsize   len;
} SpooledRow;

typedef struct
{
  guint64  offset;  /* in the file */
  gsize    len;
} SpoolPiece;

typedef struct
{
  GString *tail;       /* the bucket's data after its pieces on file */
  GArray  *pieces;     /* SpoolPiece, in order; NULL when none */
  guint64  on_file;    /* bytes in pieces */
  gboolean to_file;    /* moved out of memory: later rows go to file too */
} SpoolBucket;

typedef struct
{
  GOutputStream *out;
  GCancellable  *cancellable;
  GString       *buf;
  GString       *scratch;
  guint          next_rank;   /* rows before it are written */
  gboolean       spooling;
  const guint   *n_events;    /* set by the store before the first row */
  SpooledRow    *rows;        /* by rank; allocated when the first row is spooled */
  guint          n_rows;
  SpoolBucket    buckets[SPOOL_BUCKETS];
  gsize          in_memory;   /* bytes in tails */
  gsize          spool_memory; /* the most in tails before buckets go to file */
  int            fd;          /* the temporary file, or -1 */
  guint64        file_len;
} CsvWriter;

static gboolean
write_fd_all (int          fd,
              const char  *p,
              gsize        left,
              GError     **error)
{
  while (left > 0)
    {
      gssize n = write (fd, p, left);

      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        {
          int saved = n < 0 ? errno : ENOSPC;

          g_set_error (error, CHANCERY_ERROR, CHANCERY_ERROR_IO,
                       _("Could not write the export: %s"), g_strerror (saved));
          return FALSE;
        }
      p += n;
      left -= n;
    }
  return TRUE;
}

/* Moves the bucket's tail to the end of the temporary file. */
static gboolean
spool_bucket_to_file (CsvWriter    *writer,
                      SpoolBucket  *bucket,
                      GError      **error)
{
  SpoolPiece piece;

  if (bucket->tail->len == 0)
    return TRUE;

  if (writer->fd < 0)
    {
      g_autofree char *path = NULL;

      writer->fd = g_file_open_tmp ("chancery-export-XXXXXX.csv", &path, error);
      if (writer->fd < 0)
        return FALSE;
      g_unlink (path);
    }

  if (!write_fd_all (writer->fd, bucket->tail->str, bucket->tail->len, error))
    return FALSE;

  piece.offset = writer->file_len;
  piece.len = bucket->tail->len;
  if (bucket->pieces == NULL)
    bucket->pieces = g_array_new (FALSE, FALSE, sizeof (SpoolPiece));
  g_array_append_val (bucket->pieces, piece);
  bucket->on_file += piece.len;
  writer->file_len += piece.len;
  writer->in_memory -= bucket->tail->len;

  /* This bucket now only passes through: keep a piece's worth of memory
   * (allocated once, so its pages are not faulted in again). */
  if (bucket->tail->allocated_len > 2 * SPOOL_PIECE)
    {
      g_string_free (bucket->tail, TRUE);
      bucket->tail = g_string_sized_new (SPOOL_PIECE + 64 * 1024);
    }
  else
    g_string_truncate (bucket->tail, 0);
  return TRUE;
}

/* Over the memory budget: the latest buckets still in memory go to the
 * file, one at a time. */
static gboolean
spool_make_room (CsvWriter  *writer,
                 GError    **error)
{
  for (guint b = SPOOL_BUCKETS; b-- > 0 && writer->in_memory > writer->spool_memory;)
    {
      SpoolBucket *bucket = &writer->buckets[b];

      if (bucket->to_file || bucket->tail->len == 0)
        continue;
      bucket->to_file = TRUE;
      if (!spool_bucket_to_file (writer, bucket, error))
        return FALSE;
    }
  return TRUE;
}

static gboolean
spool_row (CsvWriter            *writer,
           const ChanceryEvent  *event,
           guint                 rank,
           GError              **error)
{
  guint b = (guint) ((guint64) rank * SPOOL_BUCKETS / writer->n_rows);
  SpoolBucket *bucket = &writer->buckets[b];
  SpooledRow *row = &writer->rows[rank];
  gsize before = bucket->tail->len;

  row->offset = bucket->on_file + before;
  append_row (bucket->tail, writer->scratch, event);
  row->len = bucket->tail->len - before;
  writer->in_memory += row->len;

  if (bucket->to_file && bucket->tail->len >= SPOOL_PIECE)
    return spool_bucket_to_file (writer, bucket, error);
  if (writer->in_memory > writer->spool_memory)
    return spool_make_room (writer, error);
  return TRUE;
}

static gboolean
write_ranked_cb (ChanceryEvent  *event,
                 guint           rank,
                 gpointer        user_data,
                 GError        **error)
{
  CsvWriter *writer = user_data;

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
      for (guint b = 0; b < SPOOL_BUCKETS; b++)
        writer->buckets[b].tail = g_string_new (NULL);
    }
  if (rank >= writer->n_rows || rank < writer->next_rank)
    return TRUE;   /* not one of the events announced: cannot happen */

  writer->spooling = TRUE;
  return spool_row (writer, event, rank, error);
}

/* The bucket's data: its tail, or its pieces read back from the file
 * followed by its tail (into *storage). */
static const char *
read_bucket (CsvWriter    *writer,
             SpoolBucket  *bucket,
             GString      *storage,
             GError      **error)
{
  char *data;
  gsize at = 0;

  if (bucket->pieces == NULL)
    return bucket->tail->str;

  /* One buffer for every bucket: fresh memory would be faulted in and
   * cleared by the kernel, bucket after bucket. */
  g_string_set_size (storage, bucket->on_file + bucket->tail->len);
  data = storage->str;
  for (guint i = 0; i < bucket->pieces->len; i++)
    {
      const SpoolPiece *piece = &g_array_index (bucket->pieces, SpoolPiece, i);
      gsize done = 0;

      while (done < piece->len)
        {
          gssize n = pread (writer->fd, data + at + done, piece->len - done, piece->offset + done);

          if (n < 0 && errno == EINTR)
            continue;
          if (n <= 0)
            {
              int saved = n < 0 ? errno : EIO;

              g_set_error (error, CHANCERY_ERROR, CHANCERY_ERROR_IO,
                           _("Could not write the export: %s"), g_strerror (saved));
              return NULL;
            }
          done += n;
        }
      at += piece->len;
    }
  memcpy (data + at, bucket->tail->str, bucket->tail->len);
  return data;
}

/* Rows go out from where they were spooled, without another copy. */
#define SPOOL_VECTORS 1024

static gboolean
write_vectors (CsvWriter       *writer,
               GOutputVector   *vectors,
               guint            n,
               GError         **error)
{
  g_autoptr(GError) local_error = NULL;

  if (n == 0)
    return TRUE;
  if (!g_output_stream_writev_all (writer->out, vectors, n, NULL,
                                   writer->cancellable, &local_error))
    {
      if (g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_propagate_error (error, g_steal_pointer (&local_error));
      else
        g_set_error (error, CHANCERY_ERROR, CHANCERY_ERROR_IO,
                     _("Could not write the export: %s"), local_error->message);
      return FALSE;
    }
  return TRUE;
}

/* The spooled rows, in time order, after what is buffered. */
static gboolean
write_spooled (CsvWriter  *writer,
               GError    **error)
{
  g_autoptr(GString) storage = g_string_new (NULL);

  if (writer->rows == NULL)
    return TRUE;
  if (!chancery_export_flush (writer->out, writer->buf, 0, writer->cancellable, error))
    return FALSE;

  for (guint b = 0; b < SPOOL_BUCKETS; b++)
    {
      SpoolBucket *bucket = &writer->buckets[b];
      guint first = (guint) (((guint64) b * writer->n_rows + SPOOL_BUCKETS - 1) / SPOOL_BUCKETS);
      guint end = (guint) (((guint64) (b + 1) * writer->n_rows + SPOOL_BUCKETS - 1) / SPOOL_BUCKETS);
      const char *data = read_bucket (writer, bucket, storage, error);

      if (data == NULL)
        return FALSE;
      for (guint rank = MAX (first, writer->next_rank); rank < end;)
        {
          GOutputVector vectors[SPOOL_VECTORS];
          guint n = 0;

          for (; rank < end && n < SPOOL_VECTORS; rank++)
            {
              const SpooledRow *row = &writer->rows[rank];

              if (row->len == 0)
                continue;
              vectors[n].buffer = data + row->offset;
              vectors[n].size = row->len;
              n++;
            }
          if (!write_vectors (writer, vectors, n, error))
            return FALSE;
        }
      g_string_free (bucket->tail, TRUE);
      bucket->tail = g_string_new (NULL);
    }

  return TRUE;
}

static void
csv_writer_clear (CsvWriter *writer)
{
  if (writer->fd >= 0)
    close (writer->fd);
  for (guint b = 0; b < SPOOL_BUCKETS; b++)
    {
      if (writer->buckets[b].tail != NULL)
        g_string_free (writer->buckets[b].tail, TRUE);
      g_clear_pointer (&writer->buckets[b].pieces, g_array_unref);
    }
  g_free (writer->rows);
}

static void
append_header (GString *buf)
{
  append_text (buf, UTF8_BOM);
  for (guint i = 0; i < G_N_ELEMENTS (csv_columns); i++)
    {
      if (i > 0)
        g_string_append_c (buf, ',');
      append_text (buf, csv_columns[i]);
    }
  append_bytes (buf, "\r\n", sizeof "\r\n" - 1);
}

gboolean
chancery_export_csv_with_budget (ChanceryStore        *store,
                                 const ChanceryFilter *filter,
                                 gsize                 spool_memory,
                                 GOutputStream        *out,
                                 GCancellable         *cancellable,
                                 GError              **error)
{
  g_autoptr(GString) buf = NULL;
  g_autoptr(GString) scratch = NULL;
  CsvWriter writer = { 0, };
  guint n_events = 0;
  gboolean ok;

  g_return_val_if_fail (CHANCERY_IS_STORE (store), FALSE);
  g_return_val_if_fail (G_IS_OUTPUT_STREAM (out), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  buf = g_string_sized_new (CSV_CHUNK_SIZE + 64 * 1024);
  scratch = g_string_sized_new (1024);
  append_header (buf);

  writer.out = out;
  writer.cancellable = cancellable;
  writer.buf = buf;
  writer.scratch = scratch;
  writer.fd = -1;
  writer.n_events = &n_events;
  writer.spool_memory = spool_memory;

  ok = chancery_store_foreach_event_ranked (store, filter, &n_events, write_ranked_cb,
                                            &writer, cancellable, error) &&
       write_spooled (&writer, error) &&
       chancery_export_flush (out, buf, 0, cancellable, error);

  csv_writer_clear (&writer);

  return ok;
}

gboolean
chancery_export_csv (ChanceryStore        *store,
                     const ChanceryFilter *filter,
                     GOutputStream        *out,
                     GCancellable         *cancellable,
                     GError              **error)
{
  return chancery_export_csv_with_budget (store, filter, SPOOL_MEMORY, out, cancellable, error);
}

typedef struct
{
  GOutputStream *out;
  GCancellable  *cancellable;
  GString       *buf;
  GString       *scratch;
} TimeOrderWriter;

static gboolean
write_in_time_order_cb (ChanceryEvent  *event,
                        gpointer        user_data,
                        GError        **error)
{
  TimeOrderWriter *writer = user_data;

  append_row (writer->buf, writer->scratch, event);
  return chancery_export_flush (writer->out, writer->buf, CSV_CHUNK_SIZE,
                                writer->cancellable, error);
}

gboolean
chancery_export_csv_in_time_order (ChanceryStore        *store,
                                   const ChanceryFilter *filter,
                                   GOutputStream        *out,
                                   GCancellable         *cancellable,
                                   GError              **error)
{
  g_autoptr(GString) buf = g_string_sized_new (CSV_CHUNK_SIZE + 64 * 1024);
  g_autoptr(GString) scratch = g_string_sized_new (1024);
  TimeOrderWriter writer = { out, cancellable, buf, scratch };

  g_return_val_if_fail (CHANCERY_IS_STORE (store), FALSE);
  g_return_val_if_fail (G_IS_OUTPUT_STREAM (out), FALSE);

  append_header (buf);
  return chancery_store_foreach_event (store, filter, write_in_time_order_cb, &writer,
                                       cancellable, error) &&
         chancery_export_flush (out, buf, 0, cancellable, error);
}
