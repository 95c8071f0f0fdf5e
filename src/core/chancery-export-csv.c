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
#include "chancery-memory.h"
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

static void
free_string (gpointer data)
{
  g_string_free (data, TRUE);
}

/* The store hands events over in the order that reads its file fastest,
 * each with its place in time order (chancery_store_foreach_event_ranked).
 * Rows that come in time order go straight out. The others are formatted
 * into a spool split by rank into SPOOL_BUCKETS buckets (bucket b holds
 * the b-th slice of time order), and written out bucket by bucket at the
 * end, each bucket's rows in time order from where each row was put.
 *
 * A bucket is a list of pieces of about SPOOL_PIECE bytes (a row never
 * spans two). Pieces stay in memory up to a budget (SPOOL_MEMORY in all);
 * past it, the buckets written last (the latest in time) move their
 * pieces to an unlinked temporary file, and so do their later pieces. At
 * the end each bucket on file is read back in one go (about
 * 1/SPOOL_BUCKETS of the export), so the first part of the export never
 * touches the disk, and reading back is sequential. Pieces are all the
 * same size and recycled: growing buffers by doubling left freed holes
 * in the heap that doubled the memory used. */
#define SPOOL_MEMORY  (256 * 1024 * 1024)
#define SPOOL_BUCKETS 64
#define SPOOL_PIECE   (1024 * 1024)

typedef struct
{
  guint32 piece;    /* in its bucket */
  guint32 offset;   /* in the piece */
  guint32 len;
} SpooledRow;

/* A piece in memory (data), or on file at offset. */
typedef struct
{
  GString *data;
  guint64  offset;
  gsize    len;
} SpoolPiece;

typedef struct
{
  GArray   *pieces;    /* SpoolPiece; the last one is in memory and takes rows */
  gboolean  to_file;   /* moved out of memory: later pieces go to file too */
} SpoolBucket;

typedef struct
{
  GOutputStream *out;
  GCancellable  *cancellable;
  GString       *buf;
  GString       *scratch;
  guint          next_rank;    /* rows before it are written */
  gboolean       spooling;
  const guint   *n_events;     /* set by the store before the first row */
  SpooledRow    *rows;         /* by rank; allocated when the first row is spooled */
  guint          n_rows;
  SpoolBucket    buckets[SPOOL_BUCKETS];
  GPtrArray     *free_pieces;  /* GString, for reuse */
  gsize          in_memory;    /* bytes in pieces in memory */
  gsize          spool_memory; /* the most in memory before buckets go to file */
  int            fd;           /* the temporary file, or -1 */
  guint64        file_len;
} CsvWriter;

static GString *
take_piece (CsvWriter *writer)
{
  if (writer->free_pieces->len > 0)
    return g_ptr_array_steal_index_fast (writer->free_pieces, writer->free_pieces->len - 1);
  /* Prefaulted once, when new: recycled pieces are present already. */
  return chancery_string_new_prefaulted (SPOOL_PIECE + 64 * 1024);
}

static void
give_piece (CsvWriter *writer,
            GString   *data)
{
  /* A piece that grew for a huge row is not kept. */
  if (data->allocated_len > 2 * SPOOL_PIECE)
    {
      g_string_free (data, TRUE);
      return;
    }
  g_string_truncate (data, 0);
  g_ptr_array_add (writer->free_pieces, data);
}

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

/* Moves a piece in memory to the end of the temporary file. */
static gboolean
spool_piece_to_file (CsvWriter   *writer,
                     SpoolPiece  *piece,
                     GError     **error)
{
  if (writer->fd < 0)
    {
      g_autofree char *path = NULL;

      writer->fd = g_file_open_tmp ("chancery-export-XXXXXX.csv", &path, error);
      if (writer->fd < 0)
        return FALSE;
      g_unlink (path);
    }

  if (!write_fd_all (writer->fd, piece->data->str, piece->data->len, error))
    return FALSE;

  piece->offset = writer->file_len;
  piece->len = piece->data->len;
  writer->file_len += piece->len;
  writer->in_memory -= piece->len;
  give_piece (writer, g_steal_pointer (&piece->data));
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

      if (bucket->to_file)
        continue;
      bucket->to_file = TRUE;
      for (guint i = 0; i < bucket->pieces->len; i++)
        {
          SpoolPiece *piece = &g_array_index (bucket->pieces, SpoolPiece, i);

          if (piece->data->len > 0 && !spool_piece_to_file (writer, piece, error))
            return FALSE;
        }
      /* The last piece was emptied: rows go on into a new one. */
      if (bucket->pieces->len > 0 &&
          g_array_index (bucket->pieces, SpoolPiece, bucket->pieces->len - 1).data == NULL)
        {
          SpoolPiece piece = { take_piece (writer), 0, 0 };

          g_array_append_val (bucket->pieces, piece);
        }
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
  SpoolPiece *piece;
  gsize before;

  if (bucket->pieces->len == 0 ||
      g_array_index (bucket->pieces, SpoolPiece, bucket->pieces->len - 1).data->len >= SPOOL_PIECE)
    {
      SpoolPiece fresh = { take_piece (writer), 0, 0 };

      /* The full piece of a bucket on file goes there now. */
      if (bucket->to_file && bucket->pieces->len > 0 &&
          !spool_piece_to_file (writer, &g_array_index (bucket->pieces, SpoolPiece, bucket->pieces->len - 1), error))
        {
          give_piece (writer, fresh.data);
          return FALSE;
        }
      g_array_append_val (bucket->pieces, fresh);
    }
  piece = &g_array_index (bucket->pieces, SpoolPiece, bucket->pieces->len - 1);

  before = piece->data->len;
  append_row (piece->data, writer->scratch, event);
  row->piece = bucket->pieces->len - 1;
  row->offset = before;
  row->len = piece->data->len - before;
  writer->in_memory += row->len;

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
      writer->rows = chancery_new_large (SpooledRow, writer->n_rows);
      if (writer->rows != NULL)
        memset (writer->rows, 0, writer->n_rows * sizeof (SpooledRow));
    }
  if (rank >= writer->n_rows || rank < writer->next_rank)
    return TRUE;   /* not one of the events announced: cannot happen */

  writer->spooling = TRUE;
  return spool_row (writer, event, rank, error);
}

/* Where each piece of the bucket is: in memory, or read back from the
 * file into storage (all of the bucket's pieces on file, in one buffer). */
static gboolean
read_bucket (CsvWriter    *writer,
             SpoolBucket  *bucket,
             GString      *storage,
             GPtrArray    *starts,
             GError      **error)
{
  gsize on_file = 0, at = 0;

  g_ptr_array_set_size (starts, 0);
  for (guint i = 0; i < bucket->pieces->len; i++)
    {
      const SpoolPiece *piece = &g_array_index (bucket->pieces, SpoolPiece, i);

      if (piece->data == NULL)
        on_file += piece->len;
    }

  /* One buffer for every bucket: fresh memory would be faulted in and
   * cleared by the kernel, bucket after bucket. */
  g_string_set_size (storage, on_file);
  for (guint i = 0; i < bucket->pieces->len; i++)
    {
      const SpoolPiece *piece = &g_array_index (bucket->pieces, SpoolPiece, i);
      gsize done = 0;

      if (piece->data != NULL)
        {
          g_ptr_array_add (starts, piece->data->str);
          continue;
        }
      while (done < piece->len)
        {
          gssize n = pread (writer->fd, storage->str + at + done, piece->len - done, piece->offset + done);

          if (n < 0 && errno == EINTR)
            continue;
          if (n <= 0)
            {
              int saved = n < 0 ? errno : EIO;

              g_set_error (error, CHANCERY_ERROR, CHANCERY_ERROR_IO,
                           _("Could not write the export: %s"), g_strerror (saved));
              return FALSE;
            }
          done += n;
        }
      g_ptr_array_add (starts, storage->str + at);
      at += piece->len;
    }
  return TRUE;
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

static void
free_bucket_pieces (CsvWriter   *writer,
                    SpoolBucket *bucket)
{
  if (bucket->pieces == NULL)
    return;
  for (guint i = 0; i < bucket->pieces->len; i++)
    {
      SpoolPiece *piece = &g_array_index (bucket->pieces, SpoolPiece, i);

      if (piece->data != NULL)
        g_string_free (piece->data, TRUE);
    }
  g_clear_pointer (&bucket->pieces, g_array_unref);
}

/* The spooled rows, in time order, after what is buffered. */
static gboolean
write_spooled (CsvWriter  *writer,
               GError    **error)
{
  g_autoptr(GString) storage = NULL;
  g_autoptr(GPtrArray) starts = NULL;

  if (writer->rows == NULL)
    return TRUE;
  if (!chancery_export_flush (writer->out, writer->buf, 0, writer->cancellable, error))
    return FALSE;

  storage = g_string_new (NULL);
  starts = g_ptr_array_new ();
  for (guint b = 0; b < SPOOL_BUCKETS; b++)
    {
      SpoolBucket *bucket = &writer->buckets[b];
      guint first = (guint) (((guint64) b * writer->n_rows + SPOOL_BUCKETS - 1) / SPOOL_BUCKETS);
      guint end = (guint) (((guint64) (b + 1) * writer->n_rows + SPOOL_BUCKETS - 1) / SPOOL_BUCKETS);

      if (!read_bucket (writer, bucket, storage, starts, error))
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
              vectors[n].buffer = (const char *) g_ptr_array_index (starts, row->piece) + row->offset;
              vectors[n].size = row->len;
              n++;
            }
          if (!write_vectors (writer, vectors, n, error))
            return FALSE;
        }
      free_bucket_pieces (writer, bucket);
    }

  return TRUE;
}

static void
csv_writer_init (CsvWriter *writer)
{
  writer->fd = -1;
  writer->free_pieces = g_ptr_array_new_with_free_func (free_string);
  for (guint b = 0; b < SPOOL_BUCKETS; b++)
    writer->buckets[b].pieces = g_array_new (FALSE, FALSE, sizeof (SpoolPiece));
}

static void
csv_writer_clear (CsvWriter *writer)
{
  if (writer->fd >= 0)
    close (writer->fd);
  for (guint b = 0; b < SPOOL_BUCKETS; b++)
    free_bucket_pieces (writer, &writer->buckets[b]);
  g_ptr_array_unref (writer->free_pieces);
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
  csv_writer_init (&writer);
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
