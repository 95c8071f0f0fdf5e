/* chancery-store-base.c: indexes and facet counts from memory
 *
 * Copyright 2026 The Chancery developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A read-only store keeps, once, the "base": every event as a
 * ChanceryIndexEvent sorted by (lo, hi, id), their titles in one pool, and
 * per relation (actor, country, project) the dense key numbers of each
 * event by position. Every load_index (filter, grouping) and list_facets is
 * then answered in memory: kinds, statuses and dates from the events,
 * actors, countries and projects from the keys, free text with one FTS5
 * query for row ids; lanes from the keys; the five facet counts in the same
 * pass. A filter change costs a pass over arrays instead of SQL joins.
 *
 * Building the base reads the event and relation tables front to back
 * (seconds at a million events). So that a file seen before opens fast,
 * the base is written to a cache file in the user cache folder, keyed by
 * the file's stamp (size, times, inode, SQLite change counter: the same as
 * the quick_check memory); the next time it is mapped with one mmap().
 * Titles are read through that map, so only the pages of titles that are
 * drawn are resident. The cache is untrusted input: every offset, key and
 * position in it is checked before use.
 *
 * Writable stores, and files whose row ids are very sparse, use SQL.
 * PRAGMA data_version tells when another connection changed the file; then
 * everything is dropped and built again.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>

#include "chancery-error.h"
#include "chancery-memory.h"
#include "chancery-store-internal.h"

#define N_RELATIONS 3          /* actor, country, project */
#define NO_POSITION G_MAXUINT32

/* Bases of smaller files are not cached: they build in milliseconds. */
#define CACHE_MIN_EVENTS 50000
/* Cache files kept at most (each about 250 bytes per event). */
#define CACHE_MAX_FILES 3

typedef struct
{
  guint     n_keys;
  guint32  *offsets;    /* n_events + 1: keys of position p are keys[offsets[p] .. offsets[p + 1]) */
  guint32  *keys;       /* dense key numbers */
  char    **uids;       /* n_keys: facet key; NULL for rows without their record */
  char    **labels;     /* n_keys */
} Relation;

typedef struct _ChanceryBase
{
  gatomicrefcount     ref_count;
  guint               n_events;
  ChanceryIndexEvent *events;     /* sorted by (lo, hi, id) */
  const char         *titles;
  gsize               titles_len;
  gint64              max_id;
  guint32            *position;   /* max_id + 1: row id -> position, NO_POSITION */
  Relation            relations[N_RELATIONS];
  /* Storage: either heap arrays (owned) or one map of a cache file. */
  gboolean            owned;
  GString            *title_pool; /* when titles are on the heap */
  gpointer            map;
  gsize               map_len;
} ChanceryBase;

static ChanceryBase *
base_ref (ChanceryBase *base)
{
  g_atomic_ref_count_inc (&base->ref_count);
  return base;
}

static void
base_unref (gpointer data)
{
  ChanceryBase *base = data;

  if (base == NULL || !g_atomic_ref_count_dec (&base->ref_count))
    return;

  for (guint r = 0; r < N_RELATIONS; r++)
    {
      Relation *rel = &base->relations[r];

      if (base->owned)
        {
          g_free (rel->offsets);
          g_free (rel->keys);
        }
      if (rel->uids != NULL)
        for (guint k = 0; k < rel->n_keys; k++)
          g_free (rel->uids[k]);
      if (rel->labels != NULL)
        for (guint k = 0; k < rel->n_keys; k++)
          g_free (rel->labels[k]);
      g_free (rel->uids);
      g_free (rel->labels);
    }
  if (base->owned)
    g_free (base->events);
  if (base->title_pool != NULL)
    g_string_free (base->title_pool, TRUE);
  if (base->map != NULL)
    munmap (base->map, base->map_len);
  g_free (base->position);
  g_free (base);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ChanceryBase, base_unref)

static void
forget_facet_counts (ChanceryStore *self)
{
  g_clear_pointer (&self->facet_filter, chancery_filter_free);
  for (guint k = 0; k < G_N_ELEMENTS (self->facet_counts); k++)
    {
      g_clear_pointer (&self->facet_counts[k], g_free);
      self->facet_n[k] = 0;
    }
}

void
forget_facts (ChanceryStore *self)
{
  g_clear_pointer (&self->base, base_unref);
  self->base_failed = FALSE;
  forget_facet_counts (self);
  g_clear_pointer (&self->text_query, g_free);
  g_clear_pointer (&self->text_match, g_free);
}

static gint64
query_int64 (ChanceryStore  *self,
             const char     *sql,
             GError        **error)
{
  sqlite3_stmt *stmt;
  gint64 value = -1;
  int rc;

  if (!(stmt = get_statement (self, sql, error)))
    return -1;
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    value = sqlite3_column_int64 (stmt, 0);
  else
    set_sqlite_error (error, self->db, rc, self->path);
  sqlite3_reset (stmt);

  return value;
}

/* Building the base from SQL */

static int
compare_events (const void *a,
                const void *b)
{
  const ChanceryIndexEvent *x = a, *y = b;

  if (x->lo != y->lo)
    return x->lo < y->lo ? -1 : 1;
  if (x->hi != y->hi)
    return x->hi < y->hi ? -1 : 1;
  if (x->id != y->id)
    return x->id < y->id ? -1 : 1;
  return 0;
}

/* Sorts events (read in row id order) by (lo, hi, id): a stable radix
 * sort on (lo, hi - lo), packed into as few bits as the events need, 11
 * bits a pass, keeps equal (lo, hi) in row id order. A fraction of what
 * qsort() takes. */
typedef struct
{
  guint64 key;
  guint32 index;
} SortKey;

#define RADIX_BITS 11

/* Room reserved for titles (bytes per event) and relation rows (per event)
 * before reading them: generous, since the pages of a large allocation
 * that are never touched cost no memory, while growing it copies what was
 * read (the synthetic titles average ~190 bytes, ~3 actors an event). */
#define TITLE_BYTES_GUESS 256
#define PAIRS_GUESS       4
/* Bounds of those reservations: beyond them the buffers grow as needed.
 * (On 32-bit systems n * 256 bytes would not fit in a gsize, nor in the
 * address space.) */
#define PAIRS_RESERVE_MAX ((guint64) MIN (G_MAXUINT, G_MAXSIZE / 4) / sizeof (RawPair))
#define TITLES_RESERVE(n_events) \
  ((gsize) MIN ((guint64) MAX ((n_events), 1) * TITLE_BYTES_GUESS, (guint64) (G_MAXSIZE / 16)))

static void
sort_events (ChanceryIndexEvent *events,
             guint               n)
{
  g_autofree SortKey *a = NULL;
  g_autofree SortKey *b = NULL;
  g_autofree ChanceryIndexEvent *sorted = NULL;
  gint64 min_lo = G_MAXINT64;
  guint32 max_span = 0;
  guint64 all_bits = 0;
  guint n_bits, span_bits;

  if (n < 2)
    return;
  for (guint i = 0; i < n; i++)
    {
      min_lo = MIN (min_lo, events[i].lo);
      max_span = MAX (max_span, (guint32) ((gint64) events[i].hi - events[i].lo));
    }
  /* hi - lo in the low span_bits, lo - min_lo above: both are below 2^32,
   * so the key fits in 64 bits and orders as (lo, hi) does. A million
   * events over 30 years with ranges of up to a few years need ~25 bits:
   * 3 passes, where lo at bit 32 took 5. */
  span_bits = max_span == 0 ? 0 : 32 - __builtin_clz (max_span);

  a = chancery_new_large (SortKey, n);
  b = chancery_new_large (SortKey, n);
  for (guint i = 0; i < n; i++)
    {
      a[i].key = ((guint64) (events[i].lo - min_lo) << span_bits) | (guint32) ((gint64) events[i].hi - events[i].lo);
      a[i].index = i;
      all_bits |= a[i].key;
    }
  n_bits = all_bits == 0 ? 0 : 64 - __builtin_clzll (all_bits);

  for (guint shift = 0; shift < n_bits; shift += RADIX_BITS)
    {
      guint count[1 << RADIX_BITS] = { 0 };
      guint sum = 0;
      SortKey *tmp;

      for (guint i = 0; i < n; i++)
        count[(a[i].key >> shift) & ((1 << RADIX_BITS) - 1)]++;
      /* All alike in these bits: the pass would move nothing. */
      if (count[(a[0].key >> shift) & ((1 << RADIX_BITS) - 1)] == n)
        continue;
      for (guint d = 0; d < (1 << RADIX_BITS); d++)
        {
          guint c = count[d];

          count[d] = sum;
          sum += c;
        }
      for (guint i = 0; i < n; i++)
        b[count[(a[i].key >> shift) & ((1 << RADIX_BITS) - 1)]++] = a[i];
      tmp = a;
      a = b;
      b = tmp;
    }

  sorted = chancery_new_large (ChanceryIndexEvent, n);
  for (guint i = 0; i < n; i++)
    sorted[i] = events[a[i].index];
  memcpy (events, sorted, n * sizeof (ChanceryIndexEvent));
}

/* Titles go to the cache file as they are read (so that a million of them
 * are never all on the heap), or to a pool when there is no cache file. */
typedef struct
{
  FILE    *file;
  GString *pool;
  guint64  len;
} TitleSink;

/* Titles already NUL-terminated, one after the other. */
static gboolean
sink_block (TitleSink  *sink,
            const char *block,
            gsize       len)
{
  if (sink->file != NULL)
    {
      if (len > 0 && fwrite (block, 1, len, sink->file) != len)
        return FALSE;
    }
  else
    g_string_append_len (sink->pool, block, len);
  sink->len += len;
  return TRUE;
}

static gboolean
sink_title (TitleSink  *sink,
            const char *title,
            gsize       len)
{
  if (sink->file != NULL)
    {
      if (fwrite (title, 1, len, sink->file) != len || fputc ('\0', sink->file) == EOF)
        return FALSE;
    }
  else
    {
      g_string_append_len (sink->pool, title, len);
      g_string_append_c (sink->pool, '\0');
    }
  sink->len += len + 1;
  return TRUE;
}

/* Connections for reading the base: besides the store's own one (which
 * holds the read transaction), up to two of their own without SQLite's
 * per-call mutex, one for the event table and one, in a thread, for the
 * relation tables (and then the event table from the top). In rollback-journal
 * mode the store's read transaction keeps every writer from committing,
 * so they read the same data as it does. */
typedef struct
{
  sqlite3      *db;
  const char   *path;
  GCancellable *cancellable;
  gboolean      own;         /* db is the reader's own connection */
  gint          stop;        /* atomic: the other reader failed */
} Reader;

static int
on_reader_progress (void *user_data)
{
  Reader *reader = user_data;

  return g_atomic_int_get (&reader->stop) ||
         (reader->cancellable != NULL && g_cancellable_is_cancelled (reader->cancellable));
}

/* A reader on the store's connection, or with parallel on one of its own
 * when that can be had. */
static void
reader_init (Reader        *reader,
             ChanceryStore *self,
             gboolean       parallel)
{
  reader->db = parallel ? open_reader_connection (self) : NULL;
  reader->own = reader->db != NULL;
  if (!reader->own)
    reader->db = self->db;
  else
    sqlite3_progress_handler (reader->db, 1000, on_reader_progress, reader);
  reader->path = self->path;
  reader->cancellable = self->cancellable;
  reader->stop = 0;
}

static void
reader_clear (Reader *reader)
{
  if (reader->own)
    {
      sqlite3_exec (reader->db, "COMMIT", NULL, NULL, NULL);
      sqlite3_close (reader->db);
    }
  reader->db = NULL;
  reader->own = FALSE;
}

static gboolean
reader_failed (Reader  *reader,
               int      rc,
               GError **error)
{
  if (rc == SQLITE_DONE || rc == SQLITE_ROW)
    return FALSE;
  set_sqlite_error (error, reader->db, rc, reader->path);
  return TRUE;
}

static gboolean
reader_prepare (Reader        *reader,
                const char    *sql,
                sqlite3_stmt **stmt,
                GError       **error)
{
  int rc = sqlite3_prepare_v2 (reader->db, sql, -1, stmt, NULL);

  if (rc != SQLITE_OK)
    return set_sqlite_error (error, reader->db, rc, reader->path);
  return TRUE;
}

/* Events with from_id <= id <= to_id, in row id order, into events
 * (room for max_rows), their titles into sink. */
static gboolean
read_event_rows (Reader              *reader,
                 gint64               from_id,
                 gint64               to_id,
                 gint64               max_id,
                 ChanceryIndexEvent  *events,
                 gint64               max_rows,
                 guint               *n_read,
                 TitleSink           *sink,
                 GError             **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  guint n = 0;
  int rc;

  *n_read = 0;
  if (!reader_prepare (reader, "SELECT id, lo_day, hi_day, kind, status, precision, flags, title"
                       " FROM event WHERE id BETWEEN ? AND ? ORDER BY id", &stmt, error))
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, from_id);
  sqlite3_bind_int64 (stmt, 2, to_id);

  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      ChanceryIndexEvent *e;
      const char *title = (const char *) sqlite3_column_text (stmt, 7);
      gsize len = title != NULL ? (gsize) sqlite3_column_bytes (stmt, 7) : 0;
      g_autofree char *repaired = NULL;
      gint64 id = sqlite3_column_int64 (stmt, 0);

      /* The count was taken in the same transaction; be safe anyway. A
       * title with a NUL inside ends there, as strlen() would have it. */
      if (title != NULL && memchr (title, '\0', len) != NULL)
        len = strlen (title);
      if (title != NULL && !chancery_utf8_is_valid (title, len))
        {
          title = repaired = chancery_utf8_dup (title, len);
          len = strlen (title);
        }
      /* Negative ids never come: build_base () reads such files by SQL. */
      if (n >= max_rows || id < 0 || id > max_id || sink->len + len + 1 > G_MAXUINT32)
        {
          g_set_error (error, CHANCERY_ERROR, CHANCERY_ERROR_FAILED, "%s: too many events", reader->path);
          return FALSE;
        }
      e = &events[n++];
      chancery_index_event_init_raw (e, id, sqlite3_column_int (stmt, 1), sqlite3_column_int (stmt, 2),
                                     sqlite3_column_int (stmt, 3), sqlite3_column_int (stmt, 4),
                                     sqlite3_column_int (stmt, 5), sqlite3_column_int (stmt, 6));
      e->title = sink->len;
      if (!sink_title (sink, title != NULL ? title : "", len))
        {
          g_set_error (error, CHANCERY_ERROR, CHANCERY_ERROR_IO, "%s: %s", reader->path, g_strerror (errno));
          return FALSE;
        }
    }
  if (reader_failed (reader, rc, error))
    return FALSE;

  *n_read = n;
  return TRUE;
}

/* A relation table as read, before the events are known: its rows by
 * event id with raw key numbers (in order of first use), and each raw
 * key's facet key and label. */
typedef struct
{
  guint32 event_id;
  guint32 key;
  guint8  role;        /* actors: ChanceryRole; else 0 */
} RawPair;

typedef struct
{
  GPtrArray *uids;     /* by raw key: char*, NULL for rows without their record */
  GPtrArray *labels;   /* by raw key */
  GArray    *pairs;    /* RawPair, in table order */
  guint32   *counts;   /* rows by event id (max_id + 1) */
} RawRelation;

static void
raw_relation_clear (RawRelation *raw)
{
  if (raw->uids != NULL)
    g_ptr_array_free (raw->uids, TRUE);
  if (raw->labels != NULL)
    g_ptr_array_free (raw->labels, TRUE);
  if (raw->pairs != NULL)
    g_array_free (raw->pairs, TRUE);
  g_free (raw->counts);
  memset (raw, 0, sizeof *raw);
}

/* Row ids of actors and projects through a table when they are compact
 * (they are, unless the file is odd), else a hash table. */
#define DIRECT_MAX_SPAN (1 << 24)
#define NO_KEY G_MAXUINT32

typedef struct
{
  gint64      lo, hi;       /* direct range: [lo, hi] */
  guint32    *direct;       /* hi - lo + 1 */
  GHashTable *others;       /* gint64* -> key + 1 */
} IdMap;

static void
id_map_init (IdMap  *map,
             gint64  lo,
             gint64  hi)
{
  map->lo = lo;
  map->hi = hi;
  map->direct = NULL;
  if (hi >= lo && hi - lo < DIRECT_MAX_SPAN)
    {
      map->direct = g_new (guint32, hi - lo + 1);
      memset (map->direct, 0xff, (hi - lo + 1) * sizeof (guint32));
    }
  else
    map->hi = map->lo - 1;
  map->others = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);
}

static void
id_map_clear (IdMap *map)
{
  g_clear_pointer (&map->direct, g_free);
  g_clear_pointer (&map->others, g_hash_table_unref);
}

static guint32
id_map_lookup (const IdMap *map,
               gint64       id)
{
  if (id >= map->lo && id <= map->hi)
    return map->direct[id - map->lo];
  return GPOINTER_TO_UINT (g_hash_table_lookup (map->others, &id)) - 1;
}

static void
id_map_insert (IdMap   *map,
               gint64   id,
               guint32  value)
{
  if (id >= map->lo && id <= map->hi)
    map->direct[id - map->lo] = value;
  else
    g_hash_table_insert (map->others, g_memdup2 (&id, sizeof id), GUINT_TO_POINTER (value + 1));
}

/* A key's value as an integer row id, as its text would match one: an
 * integer, or text that is exactly an integer's decimal form. */
static gboolean
key_as_id (sqlite3_stmt *stmt,
           int           column,
           gint64       *id)
{
  const char *text;
  char buf[32];

  if (sqlite3_column_type (stmt, column) == SQLITE_INTEGER)
    {
      *id = sqlite3_column_int64 (stmt, column);
      return TRUE;
    }
  text = (const char *) sqlite3_column_text (stmt, column);
  if (text == NULL || !g_ascii_string_to_signed (text, 10, G_MININT64, G_MAXINT64, id, NULL))
    return FALSE;
  g_snprintf (buf, sizeof buf, "%" G_GINT64_FORMAT, *id);
  return strcmp (buf, text) == 0;
}

static gboolean
read_raw_relation (Reader       *reader,
                   guint         r,
                   gint64        max_id,
                   RawRelation  *raw,
                   GError      **error)
{
  static const char * const names_sql[] = {
    "SELECT id, uid, name, (SELECT min(id) FROM actor), (SELECT max(id) FROM actor) FROM actor",
    "SELECT code, code, name, 0, 0 FROM country",
    "SELECT id, uid, name, (SELECT min(id) FROM project), (SELECT max(id) FROM project) FROM project",
  };
  static const char * const rows_sql[] = {
    "SELECT event_id, actor_id, role FROM event_actor",
    "SELECT event_id, country, 0 FROM event_country",
    "SELECT event_id, project_id, 0 FROM event_project",
  };
  /* Records: "uid\0label" by id (actors, projects) or code (countries). */
  g_autoptr(GPtrArray) records = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GHashTable) record_by_code = g_hash_table_new (g_str_hash, g_str_equal);
  /* Raw key of a value seen in the rows: by id, or by text. */
  g_autoptr(GHashTable) key_by_text = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr(sqlite3_stmt) stmt = NULL;
  IdMap record_by_id = { 0 }, key_by_id = { 0 };
  gboolean by_id = r != 1, ok = FALSE;
  guint reserve;
  int rc;

  raw->uids = g_ptr_array_new_with_free_func (g_free);
  raw->labels = g_ptr_array_new_with_free_func (g_free);
  /* g_array_sized_new() takes a guint: the guess is bounded so that it
   * is not cut to its low bits, and the advice covers only what was
   * reserved (not the unbounded guess, past the end of the array). */
  reserve = (guint) MIN ((guint64) (max_id + 1) * PAIRS_GUESS, PAIRS_RESERVE_MAX);
  raw->pairs = g_array_sized_new (FALSE, FALSE, sizeof (RawPair), reserve);
  chancery_advise_large (raw->pairs->data, (gsize) reserve * sizeof (RawPair));
  raw->counts = chancery_new_large (guint32, max_id + 1);
  memset (raw->counts, 0, (max_id + 1) * sizeof (guint32));

  if (!reader_prepare (reader, names_sql[r], &stmt, error))
    return FALSE;
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      const char *uid = (const char *) sqlite3_column_text (stmt, 1);
      const char *name = (const char *) sqlite3_column_text (stmt, 2);
      guint32 index = records->len;

      if (by_id && record_by_id.others == NULL)
        {
          id_map_init (&record_by_id, sqlite3_column_int64 (stmt, 3), sqlite3_column_int64 (stmt, 4));
          id_map_init (&key_by_id, record_by_id.lo, record_by_id.hi);
        }
      if (uid == NULL)
        continue;
      if (name != NULL && !chancery_utf8_is_valid (name, sqlite3_column_bytes (stmt, 2)))
        {
          g_autofree char *repaired = chancery_utf8_dup (name, sqlite3_column_bytes (stmt, 2));

          g_ptr_array_add (records, g_strdup_printf ("%s%c%s", uid, 0, repaired));
        }
      else
        g_ptr_array_add (records, g_strdup_printf ("%s%c%s", uid, 0, name != NULL ? name : uid));
      if (by_id)
        id_map_insert (&record_by_id, sqlite3_column_int64 (stmt, 0), index);
      else if (sqlite3_column_text (stmt, 0) != NULL)
        g_hash_table_insert (record_by_code, (char *) g_ptr_array_index (records, index) ,
                             GUINT_TO_POINTER (index + 1));
    }
  if (reader_failed (reader, rc, error))
    goto out;
  g_clear_pointer (&stmt, sqlite3_finalize);
  if (by_id && record_by_id.others == NULL)
    {
      id_map_init (&record_by_id, 0, -1);
      id_map_init (&key_by_id, 0, -1);
    }

  if (!reader_prepare (reader, rows_sql[r], &stmt, error))
    goto out;
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      gint64 event_id = sqlite3_column_int64 (stmt, 0);
      const char *record = NULL;
      guint32 key = NO_KEY;
      gboolean have_record = FALSE;
      gint64 id = 0;
      RawPair pair;

      if (event_id < 0 || event_id > max_id || sqlite3_column_type (stmt, 1) == SQLITE_NULL)
        continue;

      if (by_id && key_as_id (stmt, 1, &id))
        {
          key = id_map_lookup (&key_by_id, id);
          if (key == NO_KEY)
            {
              guint32 index = id_map_lookup (&record_by_id, id);

              key = raw->uids->len;
              id_map_insert (&key_by_id, id, key);
              have_record = index != NO_KEY;
              record = have_record ? g_ptr_array_index (records, index) : NULL;
              goto new_key;
            }
        }
      else
        {
          const char *text = (const char *) sqlite3_column_text (stmt, 1);
          gpointer value;

          if (text == NULL)
            continue;
          if (g_hash_table_lookup_extended (key_by_text, text, NULL, &value))
            key = GPOINTER_TO_UINT (value);
          else
            {
              guint32 index = by_id ? 0 : GPOINTER_TO_UINT (g_hash_table_lookup (record_by_code, text));

              key = raw->uids->len;
              g_hash_table_insert (key_by_text, g_strdup (text), GUINT_TO_POINTER (key));
              have_record = !by_id && index != 0;
              record = have_record ? g_ptr_array_index (records, index - 1) : NULL;
              if (!have_record && !by_id)
                {
                  /* A country without its record: SQL's LEFT JOIN names it by its code. */
                  g_ptr_array_add (raw->uids, g_strdup (text));
                  g_ptr_array_add (raw->labels, chancery_utf8_dup (text, strlen (text)));
                  goto add_pair;
                }
              goto new_key;
            }
        }
      goto add_pair;

    new_key:
      if (record != NULL)
        {
          g_ptr_array_add (raw->uids, g_strdup (record));
          g_ptr_array_add (raw->labels, g_strdup (record + strlen (record) + 1));
        }
      else
        {
          /* An actor or project row without its record: SQL's inner
           * join drops it from facets and filters; lanes show the
           * event under "none". */
          g_ptr_array_add (raw->uids, NULL);
          g_ptr_array_add (raw->labels, g_strdup (""));
        }

    add_pair:
      pair.event_id = event_id;
      pair.key = key;
      pair.role = (guint8) CLAMP (sqlite3_column_int64 (stmt, 2), 0, G_MAXUINT8);
      g_array_append_val (raw->pairs, pair);
      raw->counts[event_id]++;
    }
  if (reader_failed (reader, rc, error))
    goto out;
  ok = TRUE;

out:
  id_map_clear (&record_by_id);
  id_map_clear (&key_by_id);
  return ok;
}

/* An event's actors in the order people read them (and SQL gave them):
 * by role, then by name. ranks orders the keys by label; roles are
 * aligned with rel->keys. Most events have a handful: insertion sort. */
static void
sort_actor_keys (Relation      *rel,
                 guint          n_events,
                 guint8        *roles,
                 const guint32 *ranks)
{
  for (guint p = 0; p < n_events; p++)
    {
      guint32 lo = rel->offsets[p], hi = rel->offsets[p + 1];

      for (guint32 i = lo + 1; i < hi; i++)
        {
          guint32 key = rel->keys[i];
          guint8 role = roles[i];
          guint32 j = i;

          while (j > lo && (roles[j - 1] > role ||
                            (roles[j - 1] == role && ranks[rel->keys[j - 1]] > ranks[key])))
            {
              rel->keys[j] = rel->keys[j - 1];
              roles[j] = roles[j - 1];
              j--;
            }
          rel->keys[j] = key;
          roles[j] = role;
        }
    }
}

static int
compare_label_keys (gconstpointer a,
                    gconstpointer b,
                    gpointer      labels)
{
  return strcmp (((char **) labels)[*(const guint32 *) a], ((char **) labels)[*(const guint32 *) b]);
}

/* ranks[k]: where label k comes in byte order (SQL's BINARY collation). */
static guint32 *
rank_labels (const Relation *rel)
{
  g_autofree guint32 *order = g_new (guint32, MAX (rel->n_keys, 1));
  guint32 *ranks = g_new (guint32, MAX (rel->n_keys, 1));

  for (guint32 k = 0; k < rel->n_keys; k++)
    order[k] = k;
  g_qsort_with_data (order, rel->n_keys, sizeof (guint32), compare_label_keys, rel->labels);
  for (guint32 i = 0; i < rel->n_keys; i++)
    ranks[order[i]] = i;

  return ranks;
}

/* The rows of a relation by position (events read): raw keys are
 * renumbered in order of first use by an event that exists, as reading
 * the rows with the positions known would number them. Each event's
 * actors are then put in reading order (sort_actor_keys). */
static void
finish_relation (ChanceryBase *base,
                 guint         r,
                 RawRelation  *raw)
{
  Relation *rel = &base->relations[r];
  guint n = base->n_events;
  g_autofree guint32 *renumber = g_new (guint32, MAX (raw->uids->len, 1));
  g_autofree guint32 *fill = NULL;
  g_autofree guint8 *roles = NULL;
  g_autofree guint32 *ranks = NULL;
  const RawPair *pairs = (const RawPair *) raw->pairs->data;
  guint n_pairs = raw->pairs->len;
  guint32 n_keys = 0;

  /* Offsets from the counts by event id; keys filled in table order. */
  rel->offsets = chancery_new_large (guint32, n + 1);
  rel->offsets[0] = 0;
  for (guint p = 0; p < n; p++)
    rel->offsets[p + 1] = rel->offsets[p] + raw->counts[base->events[p].id];

  memset (renumber, 0xff, MAX (raw->uids->len, 1) * sizeof (guint32));
  rel->keys = chancery_new_large (guint32, MAX (rel->offsets[n], 1));
  fill = chancery_new_large (guint32, n + 1);
  memcpy (fill, rel->offsets, (n + 1) * sizeof (guint32));
  if (r == 0)
    roles = chancery_new_large (guint8, MAX (rel->offsets[n], 1));
  for (guint i = 0; i < n_pairs; i++)
    {
      guint32 p = base->position[pairs[i].event_id];

      if (p == NO_POSITION)
        continue;
      if (renumber[pairs[i].key] == NO_KEY)
        renumber[pairs[i].key] = n_keys++;
      if (roles != NULL)
        roles[fill[p]] = pairs[i].role;
      rel->keys[fill[p]++] = renumber[pairs[i].key];
    }

  rel->n_keys = n_keys;
  rel->uids = g_new0 (char *, MAX (n_keys, 1));
  rel->labels = g_new0 (char *, MAX (n_keys, 1));
  for (guint k = 0; k < raw->uids->len; k++)
    {
      if (renumber[k] == NO_KEY)
        continue;
      rel->uids[renumber[k]] = g_steal_pointer (&raw->uids->pdata[k]);
      rel->labels[renumber[k]] = g_steal_pointer (&raw->labels->pdata[k]);
    }

  if (roles != NULL)
    {
      ranks = rank_labels (rel);
      sort_actor_keys (rel, n, roles, ranks);
    }
}

typedef struct
{
  ChanceryBase *base;
  RawRelation  *raw;
} FinishJob;

static gpointer
finish_actors_thread (gpointer data)
{
  FinishJob *job = data;

  finish_relation (job->base, 0, &job->raw[0]);
  return NULL;
}

/* All relations: the actors (the most rows, and sorted by role and name)
 * in a thread while the others are finished here. At 1M events that is
 * ~85 ms beside ~55 ms, where one after the other took ~140 ms; for a
 * small file the thread costs a fraction of a millisecond. */
static void
finish_relations (ChanceryBase *base,
                  RawRelation  *raw)
{
  FinishJob job = { base, raw };
  GThread *thread = NULL;

  thread = g_thread_try_new ("chancery-base-actors", finish_actors_thread, &job, NULL);
  if (thread == NULL)
    finish_relation (base, 0, &raw[0]);
  for (guint r = 1; r < N_RELATIONS; r++)
    finish_relation (base, r, &raw[r]);
  if (thread != NULL)
    g_thread_join (thread);
}

/* The event table is read in chunks of row ids claimed from both ends:
 * the store's reader from the first id up, the relations' thread, once
 * its tables are read, from the last id down, until they meet. A fixed
 * split (7/8 and 1/8 at 1M events) left one thread waiting 0-550 ms for
 * the other, depending on what else ran on the machine. */
#define EVENT_CHUNKS 64

typedef struct
{
  GMutex mutex;
  gint64 next_lo;      /* the lowest id not claimed */
  gint64 next_hi;      /* the highest id not claimed */
  gint64 chunk;        /* ids a claim */
  /* Test hook: the store's reader claims only once the relations' thread
   * has read everything (CHANCERY_BASE_EVENTS_FROM_TOP). */
  gboolean  top_first;
  GCond     top_done_cond;
  gboolean  top_done;
  /* Which reader failed first (FAILED_*): the other stops claiming, and
   * its error ("interrupted") is not the one reported. */
  int       failed;
} EventClaims;

enum { FAILED_NONE, FAILED_EVENTS, FAILED_RELATIONS };

/* Records that a reader failed, unless the other did first; no claim
 * succeeds after. */
static void
claims_fail (EventClaims *claims,
             int          who)
{
  g_mutex_lock (&claims->mutex);
  if (claims->failed == FAILED_NONE)
    claims->failed = who;
  g_mutex_unlock (&claims->mutex);
}

/* The next chunk of ids, from the bottom or the top; FALSE when all are
 * claimed. */
static gboolean
claim_events (EventClaims *claims,
              gboolean     from_top,
              gint64      *from,
              gint64      *to)
{
  gboolean claimed = FALSE;

  g_mutex_lock (&claims->mutex);
  while (!from_top && claims->top_first && !claims->top_done)
    g_cond_wait (&claims->top_done_cond, &claims->mutex);
  if (claims->failed == FAILED_NONE && claims->next_lo <= claims->next_hi)
    {
      if (from_top)
        {
          *to = claims->next_hi;
          *from = MAX (claims->next_lo, claims->next_hi - claims->chunk + 1);
          claims->next_hi = *from - 1;
        }
      else
        {
          *from = claims->next_lo;
          *to = MIN (claims->next_hi, claims->next_lo + claims->chunk - 1);
          claims->next_lo = *to + 1;
        }
      claimed = TRUE;
    }
  g_mutex_unlock (&claims->mutex);

  return claimed;
}

static void
top_done (EventClaims *claims)
{
  g_mutex_lock (&claims->mutex);
  claims->top_done = TRUE;
  g_cond_broadcast (&claims->top_done_cond);
  g_mutex_unlock (&claims->mutex);
}

/* Events read by the relations' thread: one run per claim, highest ids
 * first. */
typedef struct
{
  guint start;
  guint count;
} EventRun;

/* The relation tables, in a thread of their own. */
typedef struct
{
  Reader              reader;
  gint64              max_id;
  RawRelation         raw[N_RELATIONS];
  /* Then events, claimed from the top. */
  EventClaims        *claims;
  gint64              max_rows;
  ChanceryIndexEvent *events;
  guint               n_events;
  GArray             *runs;       /* EventRun */
  GString            *titles;
  GError             *error;
  gint               *events_stop;  /* the events reader's stop, to set on failure */
} RelationsJob;

static void
read_top_events (RelationsJob *job)
{
  TitleSink sink = { NULL, NULL, 0 };
  gint64 from, to;

  while (claim_events (job->claims, TRUE, &from, &to))
    {
      EventRun run;

      if (job->events == NULL)
        {
          sink.pool = job->titles = g_string_sized_new (TITLES_RESERVE (job->max_rows));
          chancery_advise_large (job->titles->str, job->titles->allocated_len);
          job->events = chancery_new_large (ChanceryIndexEvent, MAX (job->max_rows, 1));
          job->runs = g_array_new (FALSE, FALSE, sizeof (EventRun));
        }
      run.start = job->n_events;
      if (!read_event_rows (&job->reader, from, to, job->max_id, job->events + job->n_events,
                            job->max_rows - job->n_events, &run.count, &sink, &job->error))
        return;
      g_array_append_val (job->runs, run);
      job->n_events += run.count;
    }
}

static gpointer
read_relations_thread (gpointer data)
{
  RelationsJob *job = data;
  gboolean ok = TRUE;

  for (guint r = 0; ok && r < N_RELATIONS; r++)
    ok = read_raw_relation (&job->reader, r, job->max_id, &job->raw[r], &job->error);
  if (ok)
    read_top_events (job);
  if (job->error != NULL)
    {
      /* Stop the events reader too, in the middle of its chunk: the open
       * fails anyway. */
      claims_fail (job->claims, FAILED_RELATIONS);
      if (job->events_stop != NULL)
        g_atomic_int_set (job->events_stop, 1);
    }
  top_done (job->claims);
  return NULL;
}

/* The event and relation tables: with parallel (rollback-journal mode),
 * the relations in a thread on a connection of their own while the events
 * are read on another, both reading events once the relations are in;
 * else one after the other on the store's. */
static gboolean
read_tables (ChanceryStore  *self,
             ChanceryBase   *base,
             TitleSink      *sink,
             gint64          n_rows,
             gboolean        parallel,
             GError        **error)
{
  RelationsJob job = { { 0 } };
  EventClaims claims = { { 0 } };
  Reader events_reader;
  GThread *thread = NULL;
  ChanceryIndexEvent *events = chancery_new_large (ChanceryIndexEvent, MAX (n_rows, 1));
  guint n = 0;
  gint64 from, to;
  gboolean ok = TRUE;

  base->events = events;
  g_mutex_init (&claims.mutex);
  g_cond_init (&claims.top_done_cond);
  claims.next_lo = 0;
  claims.next_hi = base->max_id;
  claims.chunk = MAX ((base->max_id + 1) / EVENT_CHUNKS, 1);
  job.max_id = base->max_id;
  job.max_rows = n_rows;
  job.claims = &claims;
  reader_init (&job.reader, self, parallel);
  reader_init (&events_reader, self, parallel && job.reader.own);
  if (job.reader.own && events_reader.own)
    {
      job.events_stop = &events_reader.stop;
      thread = g_thread_try_new ("chancery-base", read_relations_thread, &job, NULL);
      /* Only this thread reads it, in claim_events (). */
      claims.top_first = thread != NULL && g_getenv ("CHANCERY_BASE_EVENTS_FROM_TOP") != NULL;
    }

  while (ok && claim_events (&claims, FALSE, &from, &to))
    {
      guint got;

      ok = read_event_rows (&events_reader, from, to, base->max_id, events + n, n_rows - n,
                            &got, sink, error);
      n += got;
    }
  if (!ok)
    claims_fail (&claims, FAILED_EVENTS);
  if (thread != NULL)
    {
      if (!ok)
        g_atomic_int_set (&job.reader.stop, 1);
      g_thread_join (thread);
    }
  else if (ok)
    read_relations_thread (&job);
  reader_clear (&events_reader);
  reader_clear (&job.reader);
  g_cond_clear (&claims.top_done_cond);
  g_mutex_clear (&claims.mutex);

  /* The first failure is the one to report: the other reader's error, if
   * any, only says that it was stopped. */
  if (claims.failed == FAILED_RELATIONS && job.error != NULL)
    {
      g_clear_error (error);
      g_propagate_error (error, g_steal_pointer (&job.error));
      ok = FALSE;
    }
  g_clear_error (&job.error);

  /* The thread's events after the others, their titles after theirs. */
  if (ok && job.n_events > 0)
    {
      guint64 at = sink->len;

      if (n + (gint64) job.n_events > n_rows || at + job.titles->len > G_MAXUINT32)
        {
          g_set_error (error, CHANCERY_ERROR, CHANCERY_ERROR_FAILED, "%s: too many events", self->path);
          ok = FALSE;
        }
      else if (!sink_block (sink, job.titles->str, job.titles->len))
        {
          g_set_error (error, CHANCERY_ERROR, CHANCERY_ERROR_IO, "%s: %s", self->path, g_strerror (errno));
          ok = FALSE;
        }
      else
        {
          /* The runs were claimed from the top down: the last is first. */
          for (guint r = job.runs->len; r-- > 0;)
            {
              const EventRun *run = &g_array_index (job.runs, EventRun, r);

              for (guint i = 0; i < run->count; i++)
                {
                  events[n] = job.events[run->start + i];
                  events[n++].title += at;
                }
            }
        }
    }
  g_free (job.events);
  if (job.runs != NULL)
    g_array_unref (job.runs);
  if (job.titles != NULL)
    g_string_free (job.titles, TRUE);

  if (ok)
    {
      base->n_events = n;
      sort_events (events, n);
      base->position = chancery_new_large (guint32, base->max_id + 1);
      memset (base->position, 0xff, (base->max_id + 1) * sizeof (guint32));
      for (guint p = 0; p < n; p++)
        base->position[events[p].id] = p;
    }

  if (ok)
    finish_relations (base, job.raw);
  for (guint r = 0; r < N_RELATIONS; r++)
    raw_relation_clear (&job.raw[r]);
  g_clear_error (&job.error);

  return ok;
}

/* The cache file
 *
 * header (CACHE_HEADER_SIZE bytes) | titles | events | per relation:
 * offsets, keys, names ("\1uid\0label\0" or "\0\0label\0" for rows without
 * their record). Sections start at multiples of 8. Native byte order; the
 * header says which. */

#define CACHE_MAGIC       "Chancery base\n\032"
#define CACHE_VERSION     2   /* 2: each event's actors by role, then name */
#define CACHE_HEADER_SIZE 4096
#define CACHE_STAMP_SIZE  256

typedef struct
{
  guint64 keys_count;
  guint64 n_keys;
  guint64 offsets_at;
  guint64 keys_at;
  guint64 names_at;
  guint64 names_len;
} CacheRelation;

typedef struct
{
  char          magic[16];
  guint32       version;
  guint32       byte_order;     /* G_BYTE_ORDER */
  guint32       event_size;     /* sizeof (ChanceryIndexEvent) */
  guint32       reserved;
  guint64       checksum;       /* of the file from events_at to its end */
  char          stamp[CACHE_STAMP_SIZE];
  guint64       n_events;
  gint64        max_id;
  guint64       titles_at;
  guint64       titles_len;
  guint64       events_at;
  CacheRelation relations[N_RELATIONS];
} CacheHeader;

G_STATIC_ASSERT (sizeof (CacheHeader) <= CACHE_HEADER_SIZE);

/* A fast checksum (not cryptographic: the cache is ours, this catches
 * damage) of len bytes, len a multiple of 8. */
static guint64
checksum (const guint64 *words,
          gsize          len)
{
  guint64 h = 0x9e3779b97f4a7c15u;

  for (gsize i = 0; i < len / 8; i++)
    h = (h ^ words[i]) * 0x100000001b3u + (h >> 29);
  return h;
}

static char *
cache_dir (void)
{
  return g_build_filename (g_get_user_cache_dir (), "chancery", NULL);
}

static char *
cache_path (const char *path)
{
  g_autofree char *dir = cache_dir ();
  g_autofree char *key = store_path_key (path);
  g_autofree char *name = g_strconcat (key, ".base", NULL);

  return g_build_filename (dir, name, NULL);
}

/* Cache files of bases at least this big are finished in a thread (one of
 * a million events takes a tenth of a second to write); smaller ones at
 * once, so that a store opened next finds them without waiting. */
#define CACHE_ASYNC_MIN_EVENTS 50000

static guint
cache_async_min_events (void)
{
  /* Test hook: tests/test-store.c writes its small file's cache in a thread. */
  const char *value = g_getenv ("CHANCERY_BASE_CACHE_ASYNC_MIN_EVENTS");

  return value != NULL ? (guint) g_ascii_strtoull (value, NULL, 10) : CACHE_ASYNC_MIN_EVENTS;
}

static guint
cache_min_events (void)
{
  /* Test hook: tests/test-query.c caches its small file. */
  const char *value = g_getenv ("CHANCERY_BASE_CACHE_MIN_EVENTS");

  return value != NULL ? (guint) g_ascii_strtoull (value, NULL, 10) : CACHE_MIN_EVENTS;
}

static gboolean
write_all (FILE          *file,
           gconstpointer  data,
           gsize          len)
{
  static const char zeros[8] = { 0 };
  long at;

  if (len > 0 && fwrite (data, 1, len, file) != len)
    return FALSE;
  at = ftell (file);
  if (at < 0)
    return FALSE;
  return (at % 8) == 0 || fwrite (zeros, 1, 8 - (at % 8), file) == (gsize) (8 - (at % 8));
}

static gboolean
finish_cache_file (ChanceryBase *base,
                   FILE         *file,
                   const char   *stamp)
{
  CacheHeader header = { { 0 } };
  g_autofree char *block = g_malloc0 (CACHE_HEADER_SIZE);
  long at;

  memcpy (header.magic, CACHE_MAGIC, sizeof header.magic);
  header.version = CACHE_VERSION;
  header.byte_order = G_BYTE_ORDER;
  header.event_size = sizeof (ChanceryIndexEvent);
  g_strlcpy (header.stamp, stamp, sizeof header.stamp);
  header.n_events = base->n_events;
  header.max_id = base->max_id;
  header.titles_at = CACHE_HEADER_SIZE;
  header.titles_len = base->titles_len;

  /* Titles are written already: pad, then the rest. */
  if (!write_all (file, NULL, 0) || (at = ftell (file)) < 0)
    return FALSE;
  header.events_at = at;
  if (!write_all (file, base->events, base->n_events * sizeof (ChanceryIndexEvent)))
    return FALSE;

  for (guint r = 0; r < N_RELATIONS; r++)
    {
      Relation *rel = &base->relations[r];
      CacheRelation *cr = &header.relations[r];
      g_autoptr(GString) names = g_string_new (NULL);

      cr->n_keys = rel->n_keys;
      cr->keys_count = rel->offsets[base->n_events];
      if ((at = ftell (file)) < 0)
        return FALSE;
      cr->offsets_at = at;
      if (!write_all (file, rel->offsets, (base->n_events + 1) * sizeof (guint32)) ||
          (at = ftell (file)) < 0)
        return FALSE;
      cr->keys_at = at;
      if (!write_all (file, rel->keys, cr->keys_count * sizeof (guint32)) ||
          (at = ftell (file)) < 0)
        return FALSE;
      for (guint k = 0; k < rel->n_keys; k++)
        {
          g_string_append_c (names, rel->uids[k] != NULL ? '\1' : '\0');
          g_string_append (names, rel->uids[k] != NULL ? rel->uids[k] : "");
          g_string_append_c (names, '\0');
          g_string_append (names, rel->labels[k]);
          g_string_append_c (names, '\0');
        }
      cr->names_at = at;
      cr->names_len = names->len;
      if (!write_all (file, names->str, names->len))
        return FALSE;
    }

  if (fflush (file) != 0 || (at = ftell (file)) < 0 || at % 8 != 0)
    return FALSE;
  {
    gpointer map = mmap (NULL, at, PROT_READ, MAP_SHARED, fileno (file), 0);

    if (map == MAP_FAILED)
      return FALSE;
    header.checksum = checksum ((const guint64 *) ((char *) map + header.events_at), at - header.events_at);
    munmap (map, at);
  }

  memcpy (block, &header, sizeof header);
  return fseek (file, 0, SEEK_SET) == 0 &&
         fwrite (block, 1, CACHE_HEADER_SIZE, file) == CACHE_HEADER_SIZE &&
         fflush (file) == 0;
}

/* Keeps the newest cache files only: each is hundreds of MB at a million events. */
static void
prune_cache_dir (const char *dir,
                 const char *keep)
{
  g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
  g_autoptr(GPtrArray) paths = g_ptr_array_new_with_free_func (g_free);
  const char *name;

  if (d == NULL)
    return;
  while ((name = g_dir_read_name (d)) != NULL)
    {
      g_autofree char *path = g_build_filename (dir, name, NULL);

      if (g_str_has_suffix (name, ".base") && g_strcmp0 (path, keep) != 0)
        g_ptr_array_add (paths, g_steal_pointer (&path));
      /* Temporary files of builds that died */
      else if (g_str_has_prefix (name, "base-") && g_str_has_suffix (name, ".tmp"))
        {
          GStatBuf st;

          if (g_stat (path, &st) == 0 && st.st_mtime < time (NULL) - 3600)
            g_unlink (path);
        }
    }
  while (paths->len >= CACHE_MAX_FILES)
    {
      guint oldest = 0;
      gint64 oldest_time = G_MAXINT64;

      for (guint i = 0; i < paths->len; i++)
        {
          GStatBuf st;

          if (g_stat (g_ptr_array_index (paths, i), &st) == 0 && st.st_mtime < oldest_time)
            {
              oldest_time = st.st_mtime;
              oldest = i;
            }
        }
      g_unlink (g_ptr_array_index (paths, oldest));
      g_ptr_array_remove_index (paths, oldest);
    }
}

static gboolean
in_file (guint64 at,
         guint64 len,
         gsize   size)
{
  return at <= size && len <= size - at && (at % 8) == 0;
}

/* Names of a relation from the cache, checked. */
static gboolean
parse_names (Relation   *rel,
             const char *names,
             gsize       len)
{
  const char *p = names, *end = names + len;

  rel->uids = g_new0 (char *, MAX (rel->n_keys, 1));
  rel->labels = g_new0 (char *, MAX (rel->n_keys, 1));
  for (guint k = 0; k < rel->n_keys; k++)
    {
      const char *uid, *label, *nul;
      gboolean has_uid;

      if (p >= end)
        return FALSE;
      has_uid = *p++ == '\1';
      uid = p;
      if ((nul = memchr (p, '\0', end - p)) == NULL)
        return FALSE;
      label = nul + 1;
      if (label >= end || (nul = memchr (label, '\0', end - label)) == NULL)
        return FALSE;
      p = nul + 1;
      rel->uids[k] = has_uid ? g_strdup (uid) : NULL;
      rel->labels[k] = g_strdup (label);
    }
  return p == end;
}

/* Cache files being written, in threads (path -> number of writers), so
 * that reading one waits for it to be complete. */
static GMutex cache_write_lock;
static GCond cache_write_cond;
static GHashTable *cache_writes;

static void
cache_write_begin (const char *cache)
{
  g_mutex_lock (&cache_write_lock);
  if (cache_writes == NULL)
    cache_writes = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_hash_table_insert (cache_writes, g_strdup (cache),
                       GUINT_TO_POINTER (GPOINTER_TO_UINT (g_hash_table_lookup (cache_writes, cache)) + 1));
  g_mutex_unlock (&cache_write_lock);
}

static void
cache_write_end (const char *cache)
{
  guint n;

  g_mutex_lock (&cache_write_lock);
  n = GPOINTER_TO_UINT (g_hash_table_lookup (cache_writes, cache));
  if (n <= 1)
    g_hash_table_remove (cache_writes, cache);
  else
    g_hash_table_insert (cache_writes, g_strdup (cache), GUINT_TO_POINTER (n - 1));
  g_cond_broadcast (&cache_write_cond);
  g_mutex_unlock (&cache_write_lock);
}

static void
cache_write_wait (const char *cache)
{
  g_mutex_lock (&cache_write_lock);
  while (cache_writes != NULL && g_hash_table_contains (cache_writes, cache))
    g_cond_wait (&cache_write_cond, &cache_write_lock);
  g_mutex_unlock (&cache_write_lock);
}

void
chancery_store_wait_for_caches (void)
{
  g_mutex_lock (&cache_write_lock);
  while (cache_writes != NULL && g_hash_table_size (cache_writes) > 0)
    g_cond_wait (&cache_write_cond, &cache_write_lock);
  g_mutex_unlock (&cache_write_lock);
}

typedef struct
{
  ChanceryBase *base;      /* a reference: its arrays do not change */
  FILE         *file;      /* the temporary file, titles written */
  char         *tmp_path;
  char         *cache;
  char         *dir;
  char         *stamp;
} CacheWrite;

static gpointer
cache_write_thread (gpointer data)
{
  CacheWrite *write = data;

  if (finish_cache_file (write->base, write->file, write->stamp) &&
      fchmod (fileno (write->file), 0600) == 0 &&
      g_rename (write->tmp_path, write->cache) == 0)
    prune_cache_dir (write->dir, write->cache);
  else
    g_unlink (write->tmp_path);
  fclose (write->file);
  base_unref (write->base);
  /* Last: who waits for the cache finds everything done. */
  cache_write_end (write->cache);

  g_free (write->tmp_path);
  g_free (write->cache);
  g_free (write->dir);
  g_free (write->stamp);
  g_free (write);
  return NULL;
}

void
base_cache_discard (const char *path)
{
  g_autofree char *cache = cache_path (path);

  cache_write_wait (cache);
  g_unlink (cache);
}

/* The base from its cache file, or NULL when there is none that fits stamp. */
static ChanceryBase *
load_cache (const char *path,
            const char *stamp)
{
  g_autoptr(ChanceryBase) base = NULL;
  const CacheHeader *header;
  struct stat st;
  gpointer map;
  int fd;

  fd = g_open (path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW, 0);
  if (fd < 0)
    return NULL;
  if (fstat (fd, &st) != 0 || !S_ISREG (st.st_mode) || st.st_size < CACHE_HEADER_SIZE)
    {
      close (fd);
      return NULL;
    }
  map = mmap (NULL, st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
  close (fd);
  if (map == MAP_FAILED)
    return NULL;

  base = g_new0 (ChanceryBase, 1);
  g_atomic_ref_count_init (&base->ref_count);
  base->map = map;
  base->map_len = st.st_size;

  header = map;
  if (memcmp (header->magic, CACHE_MAGIC, sizeof header->magic) != 0 ||
      header->version != CACHE_VERSION || header->byte_order != G_BYTE_ORDER ||
      header->event_size != sizeof (ChanceryIndexEvent) ||
      strncmp (header->stamp, stamp, sizeof header->stamp) != 0 ||
      header->n_events >= G_MAXUINT32 || header->max_id < 0 ||
      header->max_id > (gint64) (4 * header->n_events + 65536) ||
      header->titles_len == 0 || header->titles_len > G_MAXUINT32 ||
      !in_file (header->titles_at, header->titles_len, st.st_size) ||
      header->n_events > st.st_size / sizeof (ChanceryIndexEvent) ||
      !in_file (header->events_at, header->n_events * sizeof (ChanceryIndexEvent), st.st_size) ||
      (st.st_size - header->events_at) % 8 != 0 ||
      checksum ((const guint64 *) ((char *) map + header->events_at),
                st.st_size - header->events_at) != header->checksum)
    return NULL;

  /* Sequential reads of the arrays below; titles as they are drawn. */
  madvise ((char *) map + header->events_at, st.st_size - header->events_at, MADV_WILLNEED);

  base->n_events = header->n_events;
  base->max_id = header->max_id;
  base->titles = (const char *) map + header->titles_at;
  base->titles_len = header->titles_len;
  base->events = (ChanceryIndexEvent *) ((char *) map + header->events_at);
  if (base->titles[base->titles_len - 1] != '\0')
    return NULL;

  base->position = chancery_new_large (guint32, base->max_id + 1);
  memset (base->position, 0xff, (base->max_id + 1) * sizeof (guint32));
  for (guint p = 0; p < base->n_events; p++)
    {
      const ChanceryIndexEvent *e = &base->events[p];

      if (e->id < 0 || e->id > base->max_id || base->position[e->id] != NO_POSITION ||
          e->title >= base->titles_len || e->hi < e->lo || e->kind > CHANCERY_KIND_OTHER ||
          e->status >= CHANCERY_N_STATUSES || e->precision > CHANCERY_PRECISION_YEAR ||
          (p > 0 && compare_events (&base->events[p - 1], e) >= 0))
        return NULL;
      base->position[e->id] = p;
    }

  for (guint r = 0; r < N_RELATIONS; r++)
    {
      const CacheRelation *cr = &header->relations[r];
      Relation *rel = &base->relations[r];

      if (cr->n_keys >= G_MAXUINT32 || cr->keys_count > G_MAXUINT32 ||
          !in_file (cr->offsets_at, (header->n_events + 1) * sizeof (guint32), st.st_size) ||
          cr->keys_count > st.st_size / sizeof (guint32) ||
          !in_file (cr->keys_at, cr->keys_count * sizeof (guint32), st.st_size) ||
          !in_file (cr->names_at, cr->names_len, st.st_size))
        return NULL;
      rel->n_keys = cr->n_keys;
      rel->offsets = (guint32 *) ((char *) map + cr->offsets_at);
      rel->keys = (guint32 *) ((char *) map + cr->keys_at);
      if (!parse_names (rel, (const char *) map + cr->names_at, cr->names_len))
        return NULL;
      if (rel->offsets[0] != 0 || rel->offsets[base->n_events] != cr->keys_count)
        return NULL;
      for (guint p = 0; p < base->n_events; p++)
        if (rel->offsets[p + 1] < rel->offsets[p])
          return NULL;
      for (guint64 i = 0; i < cr->keys_count; i++)
        if (rel->keys[i] >= rel->n_keys)
          return NULL;
    }

  return g_steal_pointer (&base);
}

/* The number of events. On a connection of its own when the store is
 * not in WAL mode (its read transaction has begun: no writer can commit
 * meanwhile): that connection's page cache is SQLite's default 2 MB,
 * reused as the count walks the time index, where the store's 32 MB (for
 * its queries) takes fresh memory for each page read, 60 ms against
 * 5-13 ms at a million events. */
static gint64
count_events (ChanceryStore  *self,
              gboolean        own_connection,
              GError        **error)
{
  sqlite3 *db = own_connection ? open_reader_connection (self) : NULL;
  sqlite3_stmt *stmt = NULL;
  gint64 n = -1;

  if (db != NULL)
    {
      if (sqlite3_prepare_v2 (db, "SELECT count(*) FROM event", -1, &stmt, NULL) == SQLITE_OK &&
          sqlite3_step (stmt) == SQLITE_ROW)
        n = sqlite3_column_int64 (stmt, 0);
      sqlite3_finalize (stmt);
      sqlite3_exec (db, "COMMIT", NULL, NULL, NULL);
      sqlite3_close (db);
    }
  /* Else, or if that failed, on the store's, which says what is wrong. */
  if (n < 0)
    n = query_int64 (self, "SELECT count(*) FROM event", error);
  return n;
}

/* Builds the base (or loads it from the cache). NULL without error when
 * the store cannot use one. Locked, in a read transaction. */
static ChanceryBase *
build_base (ChanceryStore  *self,
            GError        **error)
{
  g_autoptr(ChanceryBase) base = NULL;
  g_autofree char *stamp = NULL;
  g_autofree char *stamp_after = NULL;
  g_autofree char *cache = NULL;
  g_autofree char *tmp_path = NULL;
  g_autofree char *dir = NULL;
  TitleSink sink = { NULL, NULL, 0 };
  gint64 n_rows, max_id;
  gboolean ok = FALSE, wal;
  char *journal_mode;
  int fd = -1;

  /* The shared lock of the read transaction is taken by the first read;
   * from then on no writer can commit, so the stamp fits what is read. */
  max_id = query_int64 (self, "SELECT ifnull(max(id), 0) FROM event", error);
  if (max_id < 0)
    return NULL;
  /* The base keeps events by row id: a file with ids below zero (which
   * Chancery never writes, but another program can) is read through SQL. */
  if (query_int64 (self, "SELECT ifnull(min(id), 0) < 0 FROM event", error) != 0)
    return NULL;

  /* In WAL mode a commit does not change the main file's stamp. */
  journal_mode = NULL;
  {
    sqlite3_stmt *stmt = get_statement (self, "PRAGMA journal_mode", NULL);

    if (stmt != NULL && sqlite3_step (stmt) == SQLITE_ROW)
      journal_mode = dup_column_text (stmt, 0);
    if (stmt != NULL)
      sqlite3_reset (stmt);
  }
  wal = g_strcmp0 (journal_mode, "wal") == 0;

  n_rows = count_events (self, !wal, error);
  if (n_rows < 0)
    {
      g_free (journal_mode);
      return NULL;
    }
  /* Row ids are dense unless many events were replaced; if not, SQL. */
  if (max_id > 4 * n_rows + 65536 || n_rows >= G_MAXUINT32)
    {
      g_free (journal_mode);
      return NULL;
    }
  if (n_rows >= cache_min_events () && !wal)
    stamp = store_file_stamp (self->path, TRUE);
  g_free (journal_mode);
  if (stamp != NULL && strlen (stamp) >= CACHE_STAMP_SIZE)
    g_clear_pointer (&stamp, g_free);

  if (stamp != NULL)
    {
      cache = cache_path (self->path);
      cache_write_wait (cache);
      base = load_cache (cache, stamp);
      if (base != NULL && base->max_id == max_id && base->n_events == n_rows)
        return g_steal_pointer (&base);
      g_clear_pointer (&base, base_unref);
    }

  base = g_new0 (ChanceryBase, 1);
  g_atomic_ref_count_init (&base->ref_count);
  base->owned = TRUE;
  base->max_id = max_id;

  if (stamp != NULL)
    {
      dir = cache_dir ();
      tmp_path = g_build_filename (dir, "base-XXXXXX.tmp", NULL);
      if (g_mkdir_with_parents (dir, 0700) == 0 &&
          (fd = g_mkstemp_full (tmp_path, O_RDWR | O_CLOEXEC, 0600)) >= 0)
        {
          sink.file = fdopen (fd, "w+");
          if (sink.file == NULL)
            {
              close (fd);
              g_unlink (tmp_path);
            }
          else
            {
              static const char zeros[CACHE_HEADER_SIZE];

              setvbuf (sink.file, NULL, _IOFBF, 1 << 20);
              if (fwrite (zeros, 1, sizeof zeros, sink.file) != sizeof zeros)
                g_clear_pointer (&sink.file, fclose);
            }
        }
    }
  if (sink.file == NULL)
    {
      sink.pool = base->title_pool = g_string_sized_new (TITLES_RESERVE (n_rows));
      chancery_advise_large (sink.pool->str, sink.pool->allocated_len);
    }

  if (!read_tables (self, base, &sink, n_rows, !wal, error))
    goto out;
  base->titles_len = MAX (sink.len, 1);
  if (sink.pool != NULL)
    {
      if (sink.pool->len == 0)
        g_string_append_c (sink.pool, '\0');
      base->titles = sink.pool->str;
      ok = TRUE;
      goto out;
    }
  if (sink.len == 0)
    sink_title (&sink, "", 0);

  /* The file must still be the one that was read. */
  stamp_after = store_file_stamp (self->path, TRUE);
  if (g_strcmp0 (stamp, stamp_after) == 0 && fflush (sink.file) == 0 &&
      base->n_events >= cache_async_min_events ())
    {
      /* Titles through a map of the file: resident as they are drawn.
       * The rest of the cache file is written in a thread: the events
       * can be shown meanwhile. */
      gsize map_len = CACHE_HEADER_SIZE + sink.len;

      base->map = mmap (NULL, map_len, PROT_READ, MAP_PRIVATE, fileno (sink.file), 0);
      if (base->map != MAP_FAILED)
        {
          CacheWrite *write = g_new0 (CacheWrite, 1);
          GThread *thread;

          base->map_len = map_len;
          base->titles = (const char *) base->map + CACHE_HEADER_SIZE;
          write->base = base_ref (base);
          write->file = g_steal_pointer (&sink.file);
          write->tmp_path = g_steal_pointer (&tmp_path);
          write->cache = g_strdup (cache);
          write->dir = g_strdup (dir);
          write->stamp = g_strdup (stamp);
          cache_write_begin (write->cache);
          thread = g_thread_try_new ("chancery-base-cache", cache_write_thread, write, NULL);
          if (thread != NULL)
            g_thread_unref (thread);
          else
            cache_write_thread (write);
          ok = TRUE;
        }
      else
        base->map = NULL;
    }
  else if (g_strcmp0 (stamp, stamp_after) == 0 && finish_cache_file (base, sink.file, stamp))
    {
      /* A small file: the cache is finished here. */
      struct stat st;

      if (fstat (fileno (sink.file), &st) == 0 &&
          (base->map = mmap (NULL, st.st_size, PROT_READ, MAP_PRIVATE, fileno (sink.file), 0)) != MAP_FAILED)
        {
          base->map_len = st.st_size;
          base->titles = (const char *) base->map + CACHE_HEADER_SIZE;
          fchmod (fileno (sink.file), 0600);
          if (g_rename (tmp_path, cache) == 0)
            g_clear_pointer (&tmp_path, g_free);
          prune_cache_dir (dir, cache);
          ok = TRUE;
        }
      else
        base->map = NULL;
    }
  if (!ok)
    {
      /* No cache after all: read the titles back into a pool. */
      base->title_pool = g_string_sized_new (sink.len);
      chancery_advise_large (base->title_pool->str, base->title_pool->allocated_len);
      g_string_set_size (base->title_pool, sink.len);
      if (fflush (sink.file) == 0 &&
          pread (fileno (sink.file), base->title_pool->str, sink.len, CACHE_HEADER_SIZE) == (gssize) sink.len)
        {
          base->titles = base->title_pool->str;
          ok = TRUE;
        }
      else
        g_set_error (error, CHANCERY_ERROR, CHANCERY_ERROR_IO, "%s: %s", self->path, g_strerror (errno));
    }

out:
  if (sink.file != NULL)
    fclose (sink.file);
  if (tmp_path != NULL && fd >= 0)
    g_unlink (tmp_path);
  if (!ok)
    {
      if (error != NULL && *error == NULL)
        g_set_error (error, CHANCERY_ERROR, CHANCERY_ERROR_FAILED, "%s: %s", self->path, _("cannot read the events"));
      return NULL;
    }
  return g_steal_pointer (&base);
}

/* Asks SQLite whether another connection changed the file since the
 * facts below were gathered; if so, forgets them. FALSE when it cannot
 * tell. */
static gboolean
check_data_version (ChanceryStore *self)
{
  gint64 version = query_int64 (self, "PRAGMA data_version", NULL);

  if (version < 0)
    return FALSE;
  if (version != self->base_version)
    {
      forget_facts (self);
      self->base_version = version;
    }
  self->base_checked_at = g_get_monotonic_time ();
  return TRUE;
}

/* The base for the current data version: NULL without error means "use
 * SQL". Locked. */
static ChanceryBase *
get_base (ChanceryStore  *self,
          GError        **error)
{
  g_autoptr(GError) local_error = NULL;
  gboolean in_transaction;

  if (self->writable)
    return NULL;

  if (!check_data_version (self))
    return NULL;
  if (self->base != NULL)
    return self->base;
  if (self->base_failed)
    return NULL;

  in_transaction = !sqlite3_get_autocommit (self->db);
  if (!in_transaction && !exec_sql (self, "BEGIN", error))
    return NULL;
  self->base = build_base (self, &local_error);
  if (!in_transaction)
    exec_sql (self, "COMMIT", NULL);

  if (local_error != NULL)
    {
      /* Cancelled or failed: try again next time. */
      g_propagate_error (error, g_steal_pointer (&local_error));
      return NULL;
    }
  if (self->base == NULL)
    self->base_failed = TRUE;

  return self->base;
}

/* Filtering */

typedef enum
{
  FAIL_ACTOR   = 1 << CHANCERY_FACET_ACTOR,
  FAIL_COUNTRY = 1 << CHANCERY_FACET_COUNTRY,
  FAIL_KIND    = 1 << CHANCERY_FACET_KIND,
  FAIL_STATUS  = 1 << CHANCERY_FACET_STATUS,
  FAIL_PROJECT = 1 << CHANCERY_FACET_PROJECT,
} FailBits;

static const guint relation_of_facet[] = {
  [CHANCERY_FACET_ACTOR] = 0,
  [CHANCERY_FACET_COUNTRY] = 1,
  [CHANCERY_FACET_PROJECT] = 2,
};
static const ChanceryFacetKind facet_of_relation[] = {
  CHANCERY_FACET_ACTOR, CHANCERY_FACET_COUNTRY, CHANCERY_FACET_PROJECT,
};

/* Dense keys (of relation r) that the values of one filter field select:
 * actors by uid or by name (ASCII case-insensitive, as SQL's NOCASE),
 * countries by code, projects by uid. NULL when the field is empty. */
static guint8 *
select_keys (const Relation *rel,
             guint           r,
             GPtrArray      *values)
{
  guint8 *selected;

  if (values == NULL || values->len == 0)
    return NULL;

  selected = g_new0 (guint8, MAX (rel->n_keys, 1));
  for (guint k = 0; k < rel->n_keys; k++)
    {
      if (rel->uids[k] == NULL)
        continue;
      for (guint v = 0; v < values->len && !selected[k]; v++)
        {
          const char *value = g_ptr_array_index (values, v);

          if (g_strcmp0 (rel->uids[k], value) == 0 ||
              (r == 0 && value != NULL && sqlite3_stricmp (rel->labels[k], value) == 0))
            selected[k] = 1;
        }
    }
  return selected;
}

static gboolean
has_selected_key (const Relation *rel,
                  const guint8   *selected,
                  guint           position)
{
  for (guint32 i = rel->offsets[position]; i < rel->offsets[position + 1]; i++)
    if (selected[rel->keys[i]])
      return TRUE;
  return FALSE;
}

/* Positions whose events match the free text (one FTS5 query), kept for
 * the next call with the same text. NULL when there is no text. */
static gboolean
match_text (ChanceryStore         *self,
            ChanceryBase          *base,
            const ChanceryFilter  *filter,
            const guint8         **match,
            GError               **error)
{
  g_autofree char *fts = chancery_filter_text_to_fts (filter != NULL ? filter->text : NULL);
  g_autoptr(sqlite3_stmt) stmt = NULL;
  guint8 *result;
  int rc;

  *match = NULL;
  if (fts == NULL)
    return TRUE;
  if (self->text_match != NULL && g_strcmp0 (self->text_query, fts) == 0)
    {
      *match = self->text_match;
      return TRUE;
    }

  if (sqlite3_prepare_v2 (self->db, "SELECT rowid FROM event_fts WHERE event_fts MATCH ?",
                          -1, &stmt, NULL) != SQLITE_OK)
    return set_sqlite_error (error, self->db, sqlite3_errcode (self->db), self->path);
  sqlite3_bind_text (stmt, 1, fts, -1, SQLITE_TRANSIENT);
  result = g_new0 (guint8, MAX (base->n_events, 1));
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      gint64 id = sqlite3_column_int64 (stmt, 0);

      if (id >= 0 && id <= base->max_id && base->position[id] != NO_POSITION)
        result[base->position[id]] = 1;
    }
  if (sqlite_step_failed (error, self->db, rc, self->path))
    {
      g_free (result);
      return FALSE;
    }

  g_free (self->text_query);
  g_free (self->text_match);
  self->text_query = g_steal_pointer (&fts);
  self->text_match = result;
  *match = result;
  return TRUE;
}

/* One pass over the base: the positions that match filter (when
 * selected is not NULL) and the five facet counts under it (each facet
 * without its own field), stored in the store. */
static gboolean
filter_pass (ChanceryStore         *self,
             ChanceryBase          *base,
             const ChanceryFilter  *filter,
             GArray                *selected,
             GError               **error)
{
  /* Not g_autofree: on an array it would free the first element only. */
  guint8 *keys[N_RELATIONS] = { NULL };
  guint *counts[5];
  const guint8 *text = NULL;
  guint32 kinds = 0, statuses = 0;
  gboolean has_from = FALSE, has_to = FALSE;
  gint32 from = 0, to = 0;

  if (!match_text (self, base, filter, &text, error))
    return FALSE;

  if (filter != NULL)
    {
      keys[0] = select_keys (&base->relations[0], 0, filter->actors);
      keys[1] = select_keys (&base->relations[1], 1, filter->countries);
      keys[2] = select_keys (&base->relations[2], 2, filter->projects);
      kinds = filter->kinds;
      statuses = filter->statuses;
      has_from = filter->has_from;
      from = filter->from_day;
      has_to = filter->has_to;
      to = filter->to_day;
    }

  forget_facet_counts (self);
  self->facet_n[CHANCERY_FACET_KIND] = CHANCERY_N_KINDS;
  self->facet_n[CHANCERY_FACET_STATUS] = CHANCERY_N_STATUSES;
  for (guint r = 0; r < N_RELATIONS; r++)
    self->facet_n[facet_of_relation[r]] = base->relations[r].n_keys;
  for (guint k = 0; k < 5; k++)
    counts[k] = self->facet_counts[k] = g_new0 (guint, MAX (self->facet_n[k], 1));

  for (guint p = 0; p < base->n_events; p++)
    {
      const ChanceryIndexEvent *e = &base->events[p];
      guint fail = 0;

      if ((has_from && e->hi < from) || (has_to && e->lo > to) || (text != NULL && !text[p]))
        continue;
      if (kinds != 0 && !(kinds & (1u << e->kind)))
        fail |= FAIL_KIND;
      if (statuses != 0 && !(statuses & (1u << e->status)))
        fail |= FAIL_STATUS;
      for (guint r = 0; r < N_RELATIONS; r++)
        if (keys[r] != NULL && !has_selected_key (&base->relations[r], keys[r], p))
          fail |= 1u << facet_of_relation[r];

      /* Counted in a facet when every other field matches. */
      if (fail & (fail - 1))
        continue;
      if (fail == 0 || fail == FAIL_KIND)
        counts[CHANCERY_FACET_KIND][e->kind]++;
      if (fail == 0 || fail == FAIL_STATUS)
        counts[CHANCERY_FACET_STATUS][e->status]++;
      for (guint r = 0; r < N_RELATIONS; r++)
        {
          const Relation *rel = &base->relations[r];

          if (fail == 0 || fail == (1u << facet_of_relation[r]))
            for (guint32 i = rel->offsets[p]; i < rel->offsets[p + 1]; i++)
              counts[facet_of_relation[r]][rel->keys[i]]++;
        }
      if (fail == 0 && selected != NULL)
        {
          guint32 position = p;
          g_array_append_val (selected, position);
        }
    }

  for (guint r = 0; r < N_RELATIONS; r++)
    g_free (keys[r]);

  self->facet_filter = filter != NULL ? chancery_filter_copy (filter) : chancery_filter_new ();
  return TRUE;
}

/* Lanes */

typedef struct
{
  ChanceryLane *lane;
  char         *collate_key;
  gint64        first_id;    /* ties keep SQL's order: first seen by row id */
} LaneSort;

/* Fuller lanes first, then by label; the "none" lane last. */
static int
compare_lane_sort (const void *a,
                   const void *b)
{
  const LaneSort *x = a, *y = b;
  int c;

  if ((x->lane->key[0] == '\0') != (y->lane->key[0] == '\0'))
    return x->lane->key[0] == '\0' ? 1 : -1;
  if (x->lane->n_items != y->lane->n_items)
    return x->lane->n_items > y->lane->n_items ? -1 : 1;
  c = strcmp (x->collate_key, y->collate_key);
  if (c != 0)
    return c;
  return x->first_id < y->first_id ? -1 : x->first_id > y->first_id;
}

/* Lanes over the n events at base positions (ascending), with index
 * positions 0 .. n - 1. */
static GPtrArray *
build_lanes (ChanceryBase     *base,
             ChanceryGrouping  grouping,
             const guint32    *positions,
             guint             n)
{
  GPtrArray *lanes = g_ptr_array_new ();
  g_autofree guint *sizes = NULL;
  g_autofree guint *fill = NULL;
  g_autofree gint64 *first_id = NULL;
  g_autofree ChanceryLane **by_key = NULL;
  g_autofree LaneSort *sort = NULL;
  const Relation *rel = NULL;
  guint n_keys, none;

  if (n == 0)
    return lanes;

  /* Lane numbers: a relation's dense keys, kinds, or one; "none" after. */
  switch (grouping)
    {
    case CHANCERY_GROUP_COUNTRY:
      rel = &base->relations[1];
      break;
    case CHANCERY_GROUP_ACTOR:
      rel = &base->relations[0];
      break;
    case CHANCERY_GROUP_PROJECT:
      rel = &base->relations[2];
      break;
    default:
      break;
    }
  /* Without a relation: kinds, or only the "all" lane (as "none"). */
  n_keys = rel != NULL ? rel->n_keys : grouping == CHANCERY_GROUP_KIND ? CHANCERY_N_KINDS : 0;
  none = n_keys;
  sizes = g_new0 (guint, n_keys + 1);
  fill = g_new0 (guint, n_keys + 1);
  first_id = g_new (gint64, n_keys + 1);
  for (guint k = 0; k <= n_keys; k++)
    first_id[k] = G_MAXINT64;
  by_key = g_new0 (ChanceryLane *, n_keys + 1);

#define FOR_EACH_LANE(body) \
  for (guint i = 0; i < n; i++) \
    { \
      guint32 p = positions != NULL ? positions[i] : i; \
      const ChanceryIndexEvent *e = &base->events[p]; \
      if (rel == NULL) \
        { \
          guint k = grouping == CHANCERY_GROUP_KIND ? e->kind : none; \
          body \
        } \
      else \
        { \
          gboolean in_none = FALSE; \
          for (guint32 j = rel->offsets[p]; j < rel->offsets[p + 1]; j++) \
            { \
              guint k = rel->keys[j]; \
              if (rel->uids[k] == NULL) \
                { \
                  if (in_none) \
                    continue; \
                  in_none = TRUE; \
                  k = none; \
                } \
              body \
            } \
          if (rel->offsets[p] == rel->offsets[p + 1]) \
            { \
              guint k = none; \
              body \
            } \
        } \
    }

  FOR_EACH_LANE ({ sizes[k]++; first_id[k] = MIN (first_id[k], e->id); })

  for (guint k = 0; k <= n_keys; k++)
    {
      ChanceryLane *lane;

      if (sizes[k] == 0)
        continue;
      lane = g_new0 (ChanceryLane, 1);
      if (k == none)
        {
          lane->key = g_strdup (rel != NULL ? "" : "all");
          lane->label = g_strdup (none_lane_label (grouping));
        }
      else if (rel != NULL)
        {
          lane->key = g_strdup (rel->uids[k]);
          lane->label = g_strdup (rel->labels[k]);
        }
      else
        {
          lane->key = g_strdup (chancery_kind_to_string (k));
          lane->label = g_strdup (chancery_kind_get_label (k));
        }
      lane->n_items = sizes[k];
      lane->items = g_new (guint32, sizes[k]);
      by_key[k] = lane;
      g_ptr_array_add (lanes, lane);
    }

  FOR_EACH_LANE ({ by_key[k]->items[fill[k]++] = i; })
#undef FOR_EACH_LANE

  sort = g_new (LaneSort, lanes->len);
  for (guint l = 0, k = 0; k <= n_keys; k++)
    {
      if (by_key[k] == NULL)
        continue;
      sort[l].lane = by_key[k];
      sort[l].collate_key = g_utf8_collate_key (by_key[k]->label, -1);
      sort[l].first_id = first_id[k];
      l++;
    }
  qsort (sort, lanes->len, sizeof (LaneSort), compare_lane_sort);
  for (guint l = 0; l < lanes->len; l++)
    {
      lanes->pdata[l] = sort[l].lane;
      g_free (sort[l].collate_key);
    }

  return lanes;
}

ChanceryIndex *
base_load_index (ChanceryStore         *self,
                 const ChanceryFilter  *filter,
                 ChanceryGrouping       grouping,
                 GError               **error)
{
  g_autoptr(GArray) selected = NULL;
  ChanceryBase *base;
  ChanceryIndexEvent *events;
  GPtrArray *lanes;
  guint n;

  if (!(base = get_base (self, error)))
    return NULL;

  if (filter == NULL || chancery_filter_is_empty (filter))
    {
      /* All events: the base's own array, borrowed. Their facet counts
       * are counted when asked for (list_facets): the window asks another
       * store, after the first frame. */
      lanes = build_lanes (base, grouping, NULL, base->n_events);
      return chancery_index_new_shared (grouping, base->events, base->n_events, FALSE,
                                        base->titles, base->titles_len, lanes,
                                        base_ref (base), base_unref);
    }

  selected = g_array_new (FALSE, FALSE, sizeof (guint32));
  if (!filter_pass (self, base, filter, selected, error))
    return NULL;

  n = selected->len;
  events = chancery_new_large (ChanceryIndexEvent, MAX (n, 1));
  for (guint i = 0; i < n; i++)
    events[i] = base->events[g_array_index (selected, guint32, i)];
  lanes = build_lanes (base, grouping, (const guint32 *) selected->data, n);

  return chancery_index_new_shared (grouping, events, n, TRUE, base->titles, base->titles_len,
                                    lanes, base_ref (base), base_unref);
}

/* An event's names */

#define BASE_RECHECK_USEC (100 * 1000)

static int
compare_label_pointers (const void *a,
                        const void *b)
{
  return strcmp (*(const char * const *) a, *(const char * const *) b);
}

char *
base_dup_event_names (ChanceryStore     *self,
                      ChanceryFacetKind  kind,
                      gint64             id)
{
  g_autofree const char **labels = NULL;
  ChanceryBase *base = self->base;
  const Relation *rel;
  GString *names;
  guint32 p, n = 0;

  g_return_val_if_fail (kind == CHANCERY_FACET_ACTOR || kind == CHANCERY_FACET_COUNTRY, NULL);

  /* Only a base already built, and still current: building one for a
   * row of the list would cost seconds at a million events. Whether it is
   * current is asked at most every BASE_RECHECK_USEC: PRAGMA data_version
   * takes and drops SQLite's file lock (fcntl, fstat, a read of the header:
   * ~10 us, most of a lookup), and the list asks for two names for each of
   * ~200 rows at once. So names asked for within 100 ms of another
   * connection's change can be the old ones (a renamed actor); an event
   * the base does not hold (a new one) is always asked of SQL. Once the
   * change is seen, the base is dropped, and SQL answers until the next
   * index is loaded from this store. */
  if (base == NULL || self->writable)
    return NULL;
  if (g_get_monotonic_time () - self->base_checked_at >= BASE_RECHECK_USEC &&
      (!check_data_version (self) || self->base == NULL))
    return NULL;

  if (id < 0 || id > base->max_id || (p = base->position[id]) == NO_POSITION)
    return NULL;
  names = g_string_new (NULL);

  rel = &base->relations[relation_of_facet[kind]];
  labels = g_new (const char *, MAX (rel->offsets[p + 1] - rel->offsets[p], 1));
  for (guint32 i = rel->offsets[p]; i < rel->offsets[p + 1]; i++)
    {
      /* Actor rows without their actor: SQL's inner join drops them.
       * (A country without its record is named by its code.) */
      if (rel->uids[rel->keys[i]] != NULL)
        labels[n++] = rel->labels[rel->keys[i]];
    }
  /* Actors are in reading order already (sort_actor_keys); countries by
   * name in byte order, as SQL's BINARY collation sorts them. */
  if (kind == CHANCERY_FACET_COUNTRY)
    qsort (labels, n, sizeof (char *), compare_label_pointers);
  for (guint32 i = 0; i < n; i++)
    {
      if (i > 0)
        g_string_append (names, ", ");
      g_string_append (names, labels[i]);
    }

  return g_string_free (names, FALSE);
}

/* Facets */

/* Most frequent first, then by label, as "ORDER BY n DESC, 2" does in SQL. */
static int
compare_facets (gconstpointer a,
                gconstpointer b)
{
  const ChanceryFacet *x = *(ChanceryFacet * const *) a;
  const ChanceryFacet *y = *(ChanceryFacet * const *) b;

  if (x->count != y->count)
    return x->count > y->count ? -1 : 1;
  return g_strcmp0 (x->label, y->label);
}

/* As SQL's ORDER BY n DESC, label (binary collation) after GROUP BY key. */
static int
compare_relation_facets (gconstpointer a,
                         gconstpointer b)
{
  const ChanceryFacet *x = *(ChanceryFacet * const *) a;
  const ChanceryFacet *y = *(ChanceryFacet * const *) b;
  int c;

  if (x->count != y->count)
    return x->count > y->count ? -1 : 1;
  c = strcmp (x->label, y->label);
  return c != 0 ? c : strcmp (x->key, y->key);
}

GPtrArray *
base_list_facets (ChanceryStore         *self,
                  const ChanceryFilter  *filter,
                  ChanceryFacetKind      kind,
                  GError               **error)
{
  g_autoptr(ChanceryFilter) empty = NULL;
  GPtrArray *facets;
  const Relation *rel = NULL;
  ChanceryBase *base;
  const guint *counts;

  if (kind > CHANCERY_FACET_PROJECT || !(base = get_base (self, error)))
    return NULL;

  if (filter == NULL)
    filter = empty = chancery_filter_new ();
  if (self->facet_filter == NULL || !chancery_filter_equal (self->facet_filter, filter))
    {
      if (!filter_pass (self, base, filter, NULL, error))
        return NULL;
    }

  if (kind == CHANCERY_FACET_ACTOR || kind == CHANCERY_FACET_COUNTRY || kind == CHANCERY_FACET_PROJECT)
    rel = &base->relations[relation_of_facet[kind]];
  counts = self->facet_counts[kind];

  facets = g_ptr_array_new_with_free_func ((GDestroyNotify) chancery_facet_free);
  for (guint i = 0; i < self->facet_n[kind]; i++)
    {
      ChanceryFacet *facet;

      if (counts[i] == 0 || (rel != NULL && rel->uids[i] == NULL))
        continue;
      facet = g_new0 (ChanceryFacet, 1);
      if (kind == CHANCERY_FACET_KIND)
        {
          facet->key = g_strdup (chancery_kind_to_string (i));
          facet->label = g_strdup (chancery_kind_get_label (i));
        }
      else if (kind == CHANCERY_FACET_STATUS)
        {
          facet->key = g_strdup (chancery_status_to_string (i));
          facet->label = g_strdup (chancery_status_get_label (i));
        }
      else
        {
          facet->key = g_strdup (rel->uids[i]);
          facet->label = g_strdup (rel->labels[i]);
        }
      facet->count = counts[i];
      g_ptr_array_add (facets, facet);
    }
  /* The same order as list_facets gives from SQL. */
  g_ptr_array_sort (facets, rel != NULL ? compare_relation_facets : compare_facets);

  return facets;
}
