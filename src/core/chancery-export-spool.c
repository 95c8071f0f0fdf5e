/* chancery-export-spool.c: rows of an export put back in time order
 *
 * Copyright 2026 The Chancery developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The store hands events over in the order that reads its file fastest,
 * each with its place in time order (chancery_store_foreach_event_ranked).
 * Rows that come in time order go straight out (unless the exporter holds
 * them all, to write something before them that depends on every row).
 * The others are formatted into a spool split by rank into SPOOL_BUCKETS
 * buckets (bucket b holds the b-th slice of time order), and written out
 * bucket by bucket at the end, each bucket's rows in time order from where
 * each row was put.
 *
 * A bucket is a list of pieces of about SPOOL_PIECE bytes (a row never
 * spans two). Pieces stay in memory up to a budget (SPOOL_MEMORY in all);
 * past it, the buckets written last (the latest in time) move their
 * pieces to an unlinked temporary file, and so do their later pieces. At
 * the end each bucket on file is read back in one go (about
 * 1/SPOOL_BUCKETS of the export), so the first part of the export never
 * touches the disk, and reading back is sequential. Pieces are all the
 * same size and recycled: growing buffers by doubling left freed holes
 * in the heap that doubled the memory used.
 */
#include "config.h"

#include <errno.h>
#include <gio/gfiledescriptorbased.h>
#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <poll.h>
#include <string.h>
#include <sys/uio.h>
#include <unistd.h>

#include "chancery-error.h"
#include "chancery-export-private.h"
#include "chancery-memory.h"
#include "chancery-store-private.h"

/* Write when this much is buffered: few, big writes. */
#define SPOOL_CHUNK_SIZE (256 * 1024)

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

struct _ChanceryExportSpool
{
  GOutputStream  *out;
  GCancellable   *cancellable;
  GString        *buf;
  ChanceryRowFunc format_row;
  gpointer        row_data;
  gboolean        hold;         /* every row goes to the spool */
  guint           next_rank;    /* rows before it are written */
  gboolean        spooling;
  guint           n_events;     /* set by the store before the first row */
  SpooledRow     *rows;         /* by rank; allocated when the first row is spooled */
  guint           n_rows;
  SpoolBucket     buckets[SPOOL_BUCKETS];
  GPtrArray      *free_pieces;  /* GString, for reuse */
  gsize           in_memory;    /* bytes in pieces in memory */
  gsize           spool_memory; /* the most in memory before buckets go to file */
  int             fd;           /* the temporary file, or -1 */
  guint64         file_len;
};

/* The error of a failed write(2) or writev(2), saved_errno its errno. */
static void
set_write_error (GError **error,
                 int      saved_errno)
{
  g_set_error (error, CHANCERY_ERROR, CHANCERY_ERROR_IO,
               _("Could not write the export: %s"), g_strerror (saved_errno));
}

/* After EINTR, or EAGAIN on a non-blocking pipe (standard output may
 * be one): TRUE when the write is to be tried again. Otherwise FALSE,
 * with the write's error, or G_IO_ERROR_CANCELLED when cancellable was
 * cancelled while waiting for the reader. */
static gboolean
write_again (int            fd,
             int            saved_errno,
             GCancellable  *cancellable,
             GError       **error)
{
  struct pollfd poll_fds[2] = { { .fd = fd, .events = POLLOUT } };
  GPollFD cancel_fd;
  nfds_t n_fds = 1;
  gboolean again = FALSE;

  if (saved_errno == EINTR)
    return TRUE;
  if (saved_errno != EAGAIN && saved_errno != EWOULDBLOCK)
    {
      set_write_error (error, saved_errno);
      return FALSE;
    }

  if (g_cancellable_make_pollfd (cancellable, &cancel_fd))
    {
      poll_fds[1].fd = cancel_fd.fd;
      poll_fds[1].events = POLLIN;
      n_fds = 2;
    }
  for (;;)
    {
      int rc = poll (poll_fds, n_fds, -1);

      if (rc < 0 && errno == EINTR)
        continue;
      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        break;
      if (rc < 0)
        set_write_error (error, saved_errno);   /* the write's own error */
      else
        again = TRUE;
      break;
    }
  if (n_fds == 2)
    g_cancellable_release_fd (cancellable);

  return again;
}

static gboolean
write_fd_all (int            fd,
              const char    *p,
              gsize          left,
              GCancellable  *cancellable,
              GError       **error)
{
  while (left > 0)
    {
      gssize n = write (fd, p, left);

      if (n < 0)
        {
          if (write_again (fd, errno, cancellable, error))
            continue;
          return FALSE;
        }
      if (n == 0)
        {
          /* Nothing written of something to write: a full disk. */
          set_write_error (error, ENOSPC);
          return FALSE;
        }
      p += n;
      left -= n;
    }
  return TRUE;
}

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

  /* To a file or standard output, straight to its descriptor: the same
   * message as the spool's writes ("File too large", without GLib's
   * "Error writing to file descriptor"). A closed stream goes to GLib,
   * which refuses it. */
  if (G_IS_FILE_DESCRIPTOR_BASED (out) && !g_output_stream_is_closed (out))
    {
      if (g_cancellable_set_error_if_cancelled (cancellable, error) ||
          !write_fd_all (g_file_descriptor_based_get_fd (G_FILE_DESCRIPTOR_BASED (out)),
                         buf->str, buf->len, cancellable, error))
        return FALSE;
    }
  else if (!g_output_stream_write_all (out, buf->str, buf->len, NULL,
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

static void
free_string (gpointer data)
{
  g_string_free (data, TRUE);
}

static GString *
take_piece (ChanceryExportSpool *spool)
{
  if (spool->free_pieces->len > 0)
    return g_ptr_array_steal_index_fast (spool->free_pieces, spool->free_pieces->len - 1);
  /* Prefaulted once, when new: recycled pieces are present already. */
  return chancery_string_new_prefaulted (SPOOL_PIECE + 64 * 1024);
}

static void
give_piece (ChanceryExportSpool *spool,
            GString             *data)
{
  /* A piece that grew for a huge row is not kept. */
  if (data->allocated_len > 2 * SPOOL_PIECE)
    {
      g_string_free (data, TRUE);
      return;
    }
  g_string_truncate (data, 0);
  g_ptr_array_add (spool->free_pieces, data);
}

/* Moves a piece in memory to the end of the temporary file. */
static gboolean
spool_piece_to_file (ChanceryExportSpool  *spool,
                     SpoolPiece           *piece,
                     GError              **error)
{
  if (spool->fd < 0)
    {
      g_autofree char *path = NULL;

      spool->fd = g_file_open_tmp ("chancery-export-XXXXXX", &path, error);
      if (spool->fd < 0)
        return FALSE;
      g_unlink (path);
    }

  if (!write_fd_all (spool->fd, piece->data->str, piece->data->len, spool->cancellable, error))
    return FALSE;

  piece->offset = spool->file_len;
  piece->len = piece->data->len;
  spool->file_len += piece->len;
  spool->in_memory -= piece->len;
  give_piece (spool, g_steal_pointer (&piece->data));
  return TRUE;
}

/* Over the memory budget: the latest buckets still in memory go to the
 * file, one at a time. */
static gboolean
spool_make_room (ChanceryExportSpool  *spool,
                 GError              **error)
{
  for (guint b = SPOOL_BUCKETS; b-- > 0 && spool->in_memory > spool->spool_memory;)
    {
      SpoolBucket *bucket = &spool->buckets[b];

      if (bucket->to_file)
        continue;
      bucket->to_file = TRUE;
      for (guint i = 0; i < bucket->pieces->len; i++)
        {
          SpoolPiece *piece = &g_array_index (bucket->pieces, SpoolPiece, i);

          if (piece->data->len > 0 && !spool_piece_to_file (spool, piece, error))
            return FALSE;
        }
      /* The last piece was emptied: rows go on into a new one. */
      if (bucket->pieces->len > 0 &&
          g_array_index (bucket->pieces, SpoolPiece, bucket->pieces->len - 1).data == NULL)
        {
          SpoolPiece piece = { take_piece (spool), 0, 0 };

          g_array_append_val (bucket->pieces, piece);
        }
    }
  return TRUE;
}

static gboolean
spool_row (ChanceryExportSpool  *spool,
           const ChanceryEvent  *event,
           guint                 rank,
           GError              **error)
{
  guint b = (guint) ((guint64) rank * SPOOL_BUCKETS / spool->n_rows);
  SpoolBucket *bucket = &spool->buckets[b];
  SpooledRow *row = &spool->rows[rank];
  SpoolPiece *piece;
  gsize before;

  if (bucket->pieces->len == 0 ||
      g_array_index (bucket->pieces, SpoolPiece, bucket->pieces->len - 1).data->len >= SPOOL_PIECE)
    {
      SpoolPiece fresh = { take_piece (spool), 0, 0 };

      /* The full piece of a bucket on file goes there now. */
      if (bucket->to_file && bucket->pieces->len > 0 &&
          !spool_piece_to_file (spool, &g_array_index (bucket->pieces, SpoolPiece, bucket->pieces->len - 1), error))
        {
          give_piece (spool, fresh.data);
          return FALSE;
        }
      g_array_append_val (bucket->pieces, fresh);
    }
  piece = &g_array_index (bucket->pieces, SpoolPiece, bucket->pieces->len - 1);

  before = piece->data->len;
  if (!spool->format_row (piece->data, event, spool->row_data, error))
    {
      g_string_truncate (piece->data, before);
      return FALSE;
    }
  row->piece = bucket->pieces->len - 1;
  row->offset = before;
  row->len = piece->data->len - before;
  spool->in_memory += row->len;

  if (spool->in_memory > spool->spool_memory)
    return spool_make_room (spool, error);
  return TRUE;
}

static gboolean
spool_ranked_cb (ChanceryEvent  *event,
                 guint           rank,
                 gpointer        user_data,
                 GError        **error)
{
  ChanceryExportSpool *spool = user_data;

  if (!spool->spooling && !spool->hold && rank == spool->next_rank)
    {
      gsize before = spool->buf->len;

      spool->next_rank++;
      if (!spool->format_row (spool->buf, event, spool->row_data, error))
        {
          g_string_truncate (spool->buf, before);
          return FALSE;
        }
      return chancery_export_flush (spool->out, spool->buf, SPOOL_CHUNK_SIZE,
                                    spool->cancellable, error);
    }

  if (spool->rows == NULL)
    {
      spool->n_rows = spool->n_events;
      spool->rows = chancery_new_large (SpooledRow, spool->n_rows);
      if (spool->rows != NULL)
        memset (spool->rows, 0, spool->n_rows * sizeof (SpooledRow));
    }
  if (rank >= spool->n_rows || rank < spool->next_rank)
    return TRUE;   /* not one of the events announced: cannot happen */

  spool->spooling = TRUE;
  return spool_row (spool, event, rank, error);
}

/* Where each piece of the bucket is: in memory, or read back from the
 * file into storage (all of the bucket's pieces on file, in one buffer). */
static gboolean
read_bucket (ChanceryExportSpool  *spool,
             SpoolBucket          *bucket,
             GString              *storage,
             GPtrArray            *starts,
             GError              **error)
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
          gssize n = pread (spool->fd, storage->str + at + done, piece->len - done, piece->offset + done);

          if (n < 0 && errno == EINTR)
            continue;
          if (n <= 0)
            {
              set_write_error (error, n < 0 ? errno : EIO);
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

/* All of the vectors to the file descriptor fd, with writev(2). */
static gboolean
writev_fd_all (int             fd,
               GOutputVector  *vectors,
               guint           n,
               GCancellable   *cancellable,
               GError        **error)
{
  struct iovec iov[SPOOL_VECTORS];
  guint first = 0;

  g_assert (n <= SPOOL_VECTORS);
  for (guint i = 0; i < n; i++)
    {
      iov[i].iov_base = (void *) vectors[i].buffer;
      iov[i].iov_len = vectors[i].size;
    }

  for (;;)
    {
      gssize written;

      while (first < n && iov[first].iov_len == 0)
        first++;
      if (first == n)
        return TRUE;
      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        return FALSE;
      written = writev (fd, iov + first, (int) (n - first));
      if (written < 0)
        {
          if (write_again (fd, errno, cancellable, error))
            continue;
          return FALSE;
        }
      if (written == 0)
        {
          /* Nothing written of something to write: a full disk. */
          set_write_error (error, ENOSPC);
          return FALSE;
        }
      /* Past what was written: whole vectors, then part of one. */
      while (first < n && (gsize) written >= iov[first].iov_len)
        written -= iov[first++].iov_len;
      if (first < n)
        {
          iov[first].iov_base = (char *) iov[first].iov_base + written;
          iov[first].iov_len -= written;
        }
    }
}

static gboolean
write_vectors (ChanceryExportSpool  *spool,
               GOutputVector        *vectors,
               guint                 n,
               GError              **error)
{
  g_autoptr(GError) local_error = NULL;

  if (n == 0)
    return TRUE;
  /* GLib 2.74's GUnixOutputStream reports (gsize) -1 bytes written when
   * writev fails (a full disk, a file size limit), which makes
   * g_output_stream_writev() warn (fatal under G_DEBUG=fatal-warnings): an
   * export to a file descriptor (a file, standard output) calls writev(2)
   * itself. A closed stream goes to GLib, which refuses it. */
  if (G_IS_FILE_DESCRIPTOR_BASED (spool->out) && !g_output_stream_is_closed (spool->out))
    return writev_fd_all (g_file_descriptor_based_get_fd (G_FILE_DESCRIPTOR_BASED (spool->out)),
                          vectors, n, spool->cancellable, error);
  if (!g_output_stream_writev_all (spool->out, vectors, n, NULL,
                                   spool->cancellable, &local_error))
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
free_bucket_pieces (SpoolBucket *bucket)
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

ChanceryExportSpool *
chancery_export_spool_new (GOutputStream   *out,
                           GString         *buf,
                           gsize            spool_memory,
                           gboolean         hold,
                           ChanceryRowFunc  format_row,
                           gpointer         row_data,
                           GCancellable    *cancellable)
{
  ChanceryExportSpool *spool = g_new0 (ChanceryExportSpool, 1);

  spool->out = out;
  spool->buf = buf;
  spool->spool_memory = spool_memory;
  spool->hold = hold;
  spool->format_row = format_row;
  spool->row_data = row_data;
  spool->cancellable = cancellable;
  spool->fd = -1;
  spool->free_pieces = g_ptr_array_new_with_free_func (free_string);
  for (guint b = 0; b < SPOOL_BUCKETS; b++)
    spool->buckets[b].pieces = g_array_new (FALSE, FALSE, sizeof (SpoolPiece));

  return spool;
}

void
chancery_export_spool_free (ChanceryExportSpool *spool)
{
  if (spool == NULL)
    return;
  if (spool->fd >= 0)
    close (spool->fd);
  for (guint b = 0; b < SPOOL_BUCKETS; b++)
    free_bucket_pieces (&spool->buckets[b]);
  g_ptr_array_unref (spool->free_pieces);
  g_free (spool->rows);
  g_free (spool);
}

gboolean
chancery_export_spool_read (ChanceryExportSpool   *spool,
                            ChanceryStore         *store,
                            const ChanceryFilter  *filter,
                            GArray               **selected,
                            GError               **error)
{
  return chancery_store_foreach_event_ranked (store, filter, &spool->n_events, selected, spool_ranked_cb,
                                              spool, spool->cancellable, error);
}

guint
chancery_export_spool_get_n_events (ChanceryExportSpool *spool)
{
  return spool->n_events;
}

gboolean
chancery_export_spool_write (ChanceryExportSpool  *spool,
                             gsize                 skip,
                             GError              **error)
{
  g_autoptr(GString) storage = NULL;
  g_autoptr(GPtrArray) starts = NULL;

  /* Without hold, rows already written cannot be skipped into. */
  g_return_val_if_fail (skip == 0 || spool->hold, FALSE);

  if (!chancery_export_flush (spool->out, spool->buf, 0, spool->cancellable, error))
    return FALSE;
  if (spool->rows == NULL)
    return TRUE;

  storage = g_string_new (NULL);
  starts = g_ptr_array_new ();
  for (guint b = 0; b < SPOOL_BUCKETS; b++)
    {
      SpoolBucket *bucket = &spool->buckets[b];
      guint first = (guint) (((guint64) b * spool->n_rows + SPOOL_BUCKETS - 1) / SPOOL_BUCKETS);
      guint end = (guint) (((guint64) (b + 1) * spool->n_rows + SPOOL_BUCKETS - 1) / SPOOL_BUCKETS);

      if (!read_bucket (spool, bucket, storage, starts, error))
        return FALSE;
      for (guint rank = MAX (first, spool->next_rank); rank < end;)
        {
          GOutputVector vectors[SPOOL_VECTORS];
          guint n = 0;

          for (; rank < end && n < SPOOL_VECTORS; rank++)
            {
              const SpooledRow *row = &spool->rows[rank];
              gsize cut = MIN (skip, row->len);

              if (row->len == 0)
                continue;
              vectors[n].buffer = (const char *) g_ptr_array_index (starts, row->piece) + row->offset + cut;
              vectors[n].size = row->len - cut;
              skip = 0;
              n++;
            }
          if (!write_vectors (spool, vectors, n, error))
            return FALSE;
        }
      free_bucket_pieces (bucket);
    }

  return TRUE;
}
