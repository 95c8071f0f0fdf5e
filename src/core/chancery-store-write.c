/* chancery-store-write.c: the importer API (chancery-store-private.h)
 *
 * Copyright 2026 The Chancery developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "chancery-error.h"
#include "chancery-store-internal.h"

/* Writing */

/* An importer caches what it looks up (uid -> row id and name of actors,
 * projects and sources, country names), so that a record used by many
 * events costs one query, not one per event. put_* forgets the entry it
 * changes. The full-text rows are kept in memory and written in bursts
 * (see flush_fts). */
typedef struct
{
  gint64    id;
  char     *name;      /* for the full-text "names" column */
} CachedRecord;

typedef struct
{
  gint64  id;
  char   *title;
  char   *summary;
  char   *quotes;
  char   *names;
} PendingFts;

/* A link in the store that the event's new version does not list: kept,
 * unless chancery_importer_settle_links says the file holds its target. */
typedef struct
{
  gint64    event_id;
  char     *target;
  char     *relation;
  gboolean  counted_unchanged;   /* put_event said CHANCERY_PUT_UNCHANGED */
} KeptLink;

enum { CACHE_COUNTRY, CACHE_ACTOR, CACHE_PROJECT, CACHE_SOURCE, CACHE_PLACE, N_CACHES };

struct _ChanceryImporter
{
  ChanceryStore *store;
  gboolean       open;
  GHashTable    *cache[N_CACHES];   /* uid (code; place_key for places) -> CachedRecord */
  GArray        *pending_fts;       /* PendingFts */
  GHashTable    *pending_ids;       /* row ids in pending_fts */
  gsize          pending_bytes;
  GHashTable    *statements;        /* address of the SQL text -> sqlite3_stmt* */
  gboolean       fts_hash_raised;   /* FTS5_HASH_SIZE set for this import */
  GString       *scratch;           /* fingerprint serialization */
  GString       *link_scratch;      /* the same for the links */
  GArray        *kept_links;        /* KeptLink */
  GString       *names;
  GString       *quotes;
  GPtrArray     *deferred_indexes;  /* CREATE INDEX texts to run before COMMIT */
  GArray        *renamed_actors;    /* row ids (gint64) of actors whose name changed */
  GArray        *renamed_projects;  /* the same for projects */
  GPtrArray     *renamed_countries; /* codes of countries whose name changed */
  gboolean       places_left;       /* an updated event left its place, which may be unused now */
};

/* Full-text rows held before they are written: FTS5 turns the terms it
 * has gathered into a segment on disk whenever another statement of the
 * transaction opens a savepoint (every upsert does), so writing them
 * between the other statements made one tiny segment per event, merged
 * again and again. Written together, they make a few big segments. */
#define PENDING_FTS_BYTES (32 * 1024 * 1024)

/* FTS5 also gathers terms in memory, and writes them out as a new segment
 * of its index every 1 MB (its "hashsize"); segments are then merged
 * again and again. With 16 MB, inserting the full-text rows of 120,000
 * events took 15-20 % less CPU (1.7-1.8 s -> 1.3-1.5 s) for 10 MB more
 * memory. Set for the import's transaction only, and set back before the
 * commit (a value in event_fts_config, not a schema change). */
#define FTS5_HASH_SIZE         "16777216"
#define FTS5_DEFAULT_HASH_SIZE "1048576"

/* During an import (KiB, negative): the uid and time indexes of a big
 * event table are written in random order. */
#define IMPORT_CACHE_SIZE_PRAGMA "PRAGMA cache_size = -262144"
#define NORMAL_CACHE_SIZE_PRAGMA "PRAGMA cache_size = -32768"

/* The secondary indexes that no statement of an import reads (none of
 * them is UNIQUE). In a database with no events yet they are dropped
 * when the import begins and created again, from their own text in
 * sqlite_schema, just before the COMMIT: one sort of each instead of one
 * B-tree insert per row in random order. Same transaction, so a failure
 * or a cancellation rolls the drop back with everything else, and the
 * schema text comes out identical (tests/test-import.c). */
static const char * const deferrable_indexes[] = {
  "actor_by_name", "event_by_time", "event_actor_by_actor",
  "event_country_by_country", "event_project_by_project", "event_link_by_target",
};

static void
cached_record_free (gpointer data)
{
  CachedRecord *record = data;

  g_free (record->name);
  g_free (record);
}

static void
kept_link_clear (gpointer data)
{
  KeptLink *link = data;

  g_free (link->target);
  g_free (link->relation);
}

static void
pending_fts_clear (gpointer data)
{
  PendingFts *row = data;

  g_free (row->title);
  g_free (row->summary);
  g_free (row->quotes);
  g_free (row->names);
}

static gboolean
check_event_size (ChanceryStore        *store,
                  const ChanceryEvent  *event,
                  GError              **error)
{
  /* The full-text row holds the title, the summary and all quotes. */
  gsize total = strlen (event->title) + (event->summary != NULL ? strlen (event->summary) : 0);

  for (guint i = 0; event->sources != NULL && i < event->sources->len; i++)
    {
      const ChanceryEventSource *source = g_ptr_array_index (event->sources, i);

      if (source->quote != NULL)
        total += strlen (source->quote) + 1;
    }

  if (total > MAX_VALUE_LENGTH / 2)
    {
      g_set_error (error, CHANCERY_ERROR, CHANCERY_ERROR_INVALID_INPUT,
                   _("%s: event “%.40s”: its title, summary and quotes together are "
                     "larger than Chancery accepts (5 MB)"), store->path, event->uid);
      return FALSE;
    }

  return TRUE;
}

static gboolean defer_indexes (ChanceryImporter *self, GError **error);

ChanceryImporter *
chancery_importer_begin (ChanceryStore  *store,
                         GCancellable   *cancellable,
                         GError        **error)
{
  ChanceryImporter *self;

  g_return_val_if_fail (CHANCERY_IS_STORE (store), NULL);

  if (!store->writable)
    {
      g_set_error (error, CHANCERY_ERROR, CHANCERY_ERROR_IO,
                   _("%s: opened read-only; cannot import into it"), store->path);
      return NULL;
    }

  begin_call (store, cancellable);
  if (!exec_sql (store, "BEGIN IMMEDIATE", error))
    {
      end_call (store);
      return NULL;
    }
  sqlite3_exec (store->db, IMPORT_CACHE_SIZE_PRAGMA, NULL, NULL, NULL);

  self = g_new0 (ChanceryImporter, 1);
  self->store = g_object_ref (store);
  self->open = TRUE;
  for (guint i = 0; i < N_CACHES; i++)
    self->cache[i] = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, cached_record_free);
  self->pending_fts = g_array_new (FALSE, FALSE, sizeof (PendingFts));
  g_array_set_clear_func (self->pending_fts, pending_fts_clear);
  self->pending_ids = g_hash_table_new (NULL, NULL);  /* row ids; a clash on 32 bits only flushes early */
  self->statements = g_hash_table_new (NULL, NULL);
  self->scratch = g_string_sized_new (4096);
  self->link_scratch = g_string_sized_new (256);
  self->kept_links = g_array_new (FALSE, FALSE, sizeof (KeptLink));
  g_array_set_clear_func (self->kept_links, kept_link_clear);
  self->names = g_string_sized_new (256);
  self->quotes = g_string_sized_new (1024);
  self->renamed_actors = g_array_new (FALSE, FALSE, sizeof (gint64));
  self->renamed_projects = g_array_new (FALSE, FALSE, sizeof (gint64));
  self->renamed_countries = g_ptr_array_new_with_free_func (g_free);

  if (!defer_indexes (self, error))
    {
      chancery_importer_abort (self);
      return NULL;
    }

  return self;
}

static void
importer_free (ChanceryImporter *self)
{
  sqlite3_exec (self->store->db, NORMAL_CACHE_SIZE_PRAGMA, NULL, NULL, NULL);
  end_call (self->store);
  g_object_unref (self->store);
  for (guint i = 0; i < N_CACHES; i++)
    g_hash_table_unref (self->cache[i]);
  g_hash_table_unref (self->pending_ids);
  g_hash_table_unref (self->statements);
  g_array_unref (self->pending_fts);
  g_string_free (self->scratch, TRUE);
  g_string_free (self->link_scratch, TRUE);
  g_array_unref (self->kept_links);
  g_string_free (self->names, TRUE);
  g_string_free (self->quotes, TRUE);
  g_clear_pointer (&self->deferred_indexes, g_ptr_array_unref);
  g_array_unref (self->renamed_actors);
  g_array_unref (self->renamed_projects);
  g_ptr_array_unref (self->renamed_countries);
  g_free (self);
}

/* In a database with no events, drops the indexes of deferrable_indexes
 * and keeps their text for create_deferred_indexes. Called inside the
 * import's transaction. */
static gboolean
defer_indexes (ChanceryImporter  *self,
               GError           **error)
{
  ChanceryStore *store = self->store;
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  sqlite3_stmt *stmt;
  gboolean empty = FALSE;
  int rc;

  if (sqlite3_prepare_v2 (store->db, "SELECT NOT EXISTS (SELECT 1 FROM event)", -1, &stmt, NULL) != SQLITE_OK)
    return set_sqlite_error (error, store->db, sqlite3_errcode (store->db), store->path);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    empty = sqlite3_column_int (stmt, 0) != 0;
  sqlite3_finalize (stmt);
  if (rc != SQLITE_ROW)
    return set_sqlite_error (error, store->db, rc, store->path);
  if (!empty)
    return TRUE;

  if (sqlite3_prepare_v2 (store->db,
                          "SELECT name, sql FROM sqlite_schema WHERE type = 'index' AND name = ?1"
                          " AND sql IS NOT NULL", -1, &stmt, NULL) != SQLITE_OK)
    return set_sqlite_error (error, store->db, sqlite3_errcode (store->db), store->path);
  self->deferred_indexes = g_ptr_array_new_with_free_func (g_free);
  for (guint i = 0; i < G_N_ELEMENTS (deferrable_indexes); i++)
    {
      sqlite3_bind_text (stmt, 1, deferrable_indexes[i], -1, SQLITE_STATIC);
      rc = sqlite3_step (stmt);
      if (rc == SQLITE_ROW)
        {
          g_ptr_array_add (names, g_strdup (deferrable_indexes[i]));
          g_ptr_array_add (self->deferred_indexes, dup_column_text (stmt, 1));
          rc = sqlite3_step (stmt);
        }
      sqlite3_reset (stmt);
      if (rc != SQLITE_DONE)
        {
          sqlite3_finalize (stmt);
          g_ptr_array_set_size (self->deferred_indexes, 0);
          return set_sqlite_error (error, store->db, rc, store->path);
        }
    }
  sqlite3_finalize (stmt);

  for (guint i = 0; i < names->len; i++)
    {
      g_autofree char *drop = g_strdup_printf ("DROP INDEX \"%s\"", (const char *) names->pdata[i]);

      if (!exec_sql (store, drop, error))
        {
          /* The caller rolls back: nothing is left to create. */
          g_ptr_array_set_size (self->deferred_indexes, 0);
          return FALSE;
        }
    }

  return TRUE;
}

/* Creates again the indexes defer_indexes dropped, from their own text. */
static gboolean
create_deferred_indexes (ChanceryImporter  *self,
                         GError           **error)
{
  for (guint i = 0; self->deferred_indexes != NULL && i < self->deferred_indexes->len; i++)
    if (!exec_sql (self->store, self->deferred_indexes->pdata[i], error))
      return FALSE;

  return TRUE;
}

/* The store's get_statement hashes and compares the whole SQL text; an
 * event takes about ten statements, so the import keeps its own by the
 * address of their (literal) text. Same statements, prepared once. */
static sqlite3_stmt *
import_statement (ChanceryImporter  *self,
                  const char        *sql,
                  GError           **error)
{
  sqlite3_stmt *stmt = g_hash_table_lookup (self->statements, sql);

  if (stmt != NULL)
    {
      sqlite3_reset (stmt);
      sqlite3_clear_bindings (stmt);
      return stmt;
    }

  stmt = get_statement (self->store, sql, error);
  if (stmt != NULL)
    g_hash_table_insert (self->statements, (gpointer) sql, stmt);

  return stmt;
}

/* Writes the full-text rows held so far, one after the other. */
static gboolean
flush_fts (ChanceryImporter  *self,
           GError           **error)
{
  ChanceryStore *store = self->store;
  sqlite3_stmt *stmt;

  if (self->pending_fts->len == 0)
    return TRUE;

  if (!self->fts_hash_raised)
    {
      if (!exec_sql (store, "INSERT INTO event_fts (event_fts, rank) VALUES ('hashsize', "
                     FTS5_HASH_SIZE ")", error))
        return FALSE;
      self->fts_hash_raised = TRUE;
    }

  if (!(stmt = import_statement (self,
        "INSERT INTO event_fts (rowid, title, summary, quotes, names) VALUES (?1, ?2, ?3, ?4, ?5)",
        error)))
    return FALSE;

  for (guint i = 0; i < self->pending_fts->len; i++)
    {
      const PendingFts *row = &g_array_index (self->pending_fts, PendingFts, i);
      int rc;

      sqlite3_bind_int64 (stmt, 1, row->id);
      sqlite3_bind_text (stmt, 2, row->title, -1, SQLITE_STATIC);
      bind_text_or_null (stmt, 3, row->summary);
      sqlite3_bind_text (stmt, 4, row->quotes, -1, SQLITE_STATIC);
      bind_text_or_null (stmt, 5, row->names);
      rc = sqlite3_step (stmt);
      sqlite3_reset (stmt);
      if (rc != SQLITE_DONE)
        {
          sqlite3_clear_bindings (stmt);
          return set_sqlite_error (error, store->db, rc, store->path);
        }
    }
  sqlite3_clear_bindings (stmt);

  g_array_set_size (self->pending_fts, 0);
  g_hash_table_remove_all (self->pending_ids);
  self->pending_bytes = 0;

  return TRUE;
}

static gboolean refresh_renamed_names (ChanceryImporter *self, GError **error);

/* Places are shared by value (name, country, position): when an updated
 * event moved, or lost its place, the old one may have no event left.
 * One pass over the event table (about 0.7 s at a million events), only
 * after an import that moved an event. */
static gboolean
drop_unused_places (ChanceryImporter  *self,
                    GError           **error)
{
  if (!self->places_left)
    return TRUE;
  return exec_sql (self->store,
                   "DELETE FROM place WHERE id NOT IN"
                   " (SELECT place_id FROM event WHERE place_id IS NOT NULL)", error);
}

gboolean
chancery_importer_commit (ChanceryImporter  *self,
                          GError           **error)
{
  gboolean ok;

  g_return_val_if_fail (self != NULL, FALSE);

  ok = flush_fts (self, error) &&
       create_deferred_indexes (self, error) &&
       drop_unused_places (self, error) &&
       refresh_renamed_names (self, error) &&
       (!self->fts_hash_raised ||
        exec_sql (self->store, "INSERT INTO event_fts (event_fts, rank) VALUES ('hashsize', "
                  FTS5_DEFAULT_HASH_SIZE ")", error)) &&
       !g_cancellable_set_error_if_cancelled (self->store->cancellable, error) &&
       exec_sql (self->store, "COMMIT", error);
  if (!ok)
    {
      /* Not stopped by the progress handler: the rollback must run. */
      self->store->cancellable = NULL;
      exec_sql (self->store, "ROLLBACK", NULL);
    }
  importer_free (self);

  return ok;
}

void
chancery_importer_abort (ChanceryImporter *self)
{
  if (self == NULL)
    return;

  self->store->cancellable = NULL;   /* the rollback must run */
  exec_sql (self->store, "ROLLBACK", NULL);
  importer_free (self);
}

void
bind_text_or_null (sqlite3_stmt *stmt,
                   int           column,
                   const char   *text)
{
  if (text != NULL)
    sqlite3_bind_text (stmt, column, text, -1, SQLITE_TRANSIENT);
  else
    sqlite3_bind_null (stmt, column);
}

/* Runs a cached statement with text values bound in order (NULLs allowed). */
static gboolean
run_with_texts (ChanceryStore  *store,
                const char     *sql,
                GError        **error,
                guint           n,
                ...)
{
  sqlite3_stmt *stmt;
  va_list args;
  int rc;

  if (!(stmt = get_statement (store, sql, error)))
    return FALSE;

  va_start (args, n);
  for (guint i = 0; i < n; i++)
    bind_text_or_null (stmt, i + 1, va_arg (args, const char *));
  va_end (args);

  rc = sqlite3_step (stmt);
  sqlite3_reset (stmt);
  if (rc != SQLITE_DONE && rc != SQLITE_ROW)
    return set_sqlite_error (error, store->db, rc, store->path);

  return TRUE;
}

static gboolean
step_done (ChanceryStore  *store,
           sqlite3_stmt   *stmt,
           GError        **error)
{
  int rc = sqlite3_step (stmt);

  sqlite3_reset (stmt);
  if (rc != SQLITE_DONE)
    return set_sqlite_error (error, store->db, rc, store->path);
  return TRUE;
}

/* The cached record for key, looked up with sql (one text parameter;
 * columns: id, name) the first time; NULL when there is none. */
static const CachedRecord *
lookup_record (ChanceryImporter *self,
               guint             which,
               const char       *sql,
               const char       *key)
{
  CachedRecord *record;
  sqlite3_stmt *stmt;

  if (key == NULL)
    return NULL;
  if ((record = g_hash_table_lookup (self->cache[which], key)) != NULL)
    return record->id >= 0 ? record : NULL;
  if (!(stmt = import_statement (self, sql, NULL)))
    return NULL;

  sqlite3_bind_text (stmt, 1, key, -1, SQLITE_TRANSIENT);
  record = g_new0 (CachedRecord, 1);
  record->id = -1;   /* known to be absent */
  if (sqlite3_step (stmt) == SQLITE_ROW)
    {
      record->id = sqlite3_column_int64 (stmt, 0);
      record->name = dup_column_text (stmt, 1);
    }
  sqlite3_reset (stmt);
  g_hash_table_insert (self->cache[which], g_strdup (key), record);

  return record->id >= 0 ? record : NULL;
}

#define LOOKUP_COUNTRY(self, code) \
  lookup_record ((self), CACHE_COUNTRY, "SELECT 0, name FROM country WHERE code = ?", (code))
#define LOOKUP_ACTOR(self, uid) \
  lookup_record ((self), CACHE_ACTOR, "SELECT id, name FROM actor WHERE uid = ?", (uid))
#define LOOKUP_PROJECT(self, uid) \
  lookup_record ((self), CACHE_PROJECT, "SELECT id, name FROM project WHERE uid = ?", (uid))
#define LOOKUP_SOURCE(self, uid) \
  lookup_record ((self), CACHE_SOURCE, "SELECT id, NULL FROM source WHERE uid = ?", (uid))

/* Whether putting a record that exists as old (NULL: it does not) under
 * name renames it: the full-text rows of its events must follow. */
static gboolean
is_renamed (const CachedRecord *old,
            const char         *name)
{
  return old != NULL && g_strcmp0 (old->name, name) != 0;
}

gboolean
chancery_importer_put_country (ChanceryImporter  *self,
                               const char        *code,
                               const char        *name,
                               GError           **error)
{
  g_return_val_if_fail (self != NULL && code != NULL && name != NULL, FALSE);

  if (is_renamed (LOOKUP_COUNTRY (self, code), name))
    g_ptr_array_add (self->renamed_countries, g_strdup (code));
  g_hash_table_remove (self->cache[CACHE_COUNTRY], code);
  return run_with_texts (self->store,
                         "INSERT INTO country (code, name) VALUES (?, ?)"
                         " ON CONFLICT (code) DO UPDATE SET name = excluded.name"
                         " WHERE name IS NOT excluded.name",
                         error, 2, code, name);
}

gboolean
chancery_importer_put_actor (ChanceryImporter  *self,
                             const char        *uid,
                             const char        *name,
                             const char        *title,
                             const char        *country,
                             GError           **error)
{
  const CachedRecord *old;

  g_return_val_if_fail (self != NULL && uid != NULL && name != NULL, FALSE);

  old = LOOKUP_ACTOR (self, uid);
  if (is_renamed (old, name))
    g_array_append_val (self->renamed_actors, old->id);
  g_hash_table_remove (self->cache[CACHE_ACTOR], uid);
  return run_with_texts (self->store,
                         "INSERT INTO actor (uid, name, title, country) VALUES (?, ?, ?, ?)"
                         " ON CONFLICT (uid) DO UPDATE SET name = excluded.name,"
                         " title = excluded.title, country = excluded.country"
                         " WHERE (name, title, country) IS NOT"
                         " (excluded.name, excluded.title, excluded.country)",
                         error, 4, uid, name, title, country);
}

gboolean
chancery_importer_put_project (ChanceryImporter    *self,
                               const char          *uid,
                               const char          *name,
                               const char          *description,
                               const char * const  *countries,
                               GError             **error)
{
  const CachedRecord *old;

  g_return_val_if_fail (self != NULL && uid != NULL && name != NULL, FALSE);

  old = LOOKUP_PROJECT (self, uid);
  if (is_renamed (old, name))
    g_array_append_val (self->renamed_projects, old->id);
  g_hash_table_remove (self->cache[CACHE_PROJECT], uid);
  if (!run_with_texts (self->store,
                       "INSERT INTO project (uid, name, description) VALUES (?, ?, ?)"
                       " ON CONFLICT (uid) DO UPDATE SET name = excluded.name,"
                       " description = excluded.description"
                       " WHERE (name, description) IS NOT (excluded.name, excluded.description)",
                       error, 3, uid, name, description))
    return FALSE;

  if (!run_with_texts (self->store,
                       "DELETE FROM project_country WHERE project_id ="
                       " (SELECT id FROM project WHERE uid = ?)", error, 1, uid))
    return FALSE;

  for (guint i = 0; countries != NULL && countries[i] != NULL; i++)
    {
      if (!run_with_texts (self->store,
                           "INSERT OR IGNORE INTO project_country (project_id, country)"
                           " SELECT id, ? FROM project WHERE uid = ?",
                           error, 2, countries[i], uid))
        return FALSE;
    }

  return TRUE;
}

/* Adds the row ids of the events that sql (one parameter, bound by bind)
 * selects to ids. */
static gboolean
collect_event_ids (ChanceryImporter  *self,
                   const char        *sql,
                   gint64             id,
                   const char        *code,
                   GArray            *ids,
                   GError           **error)
{
  sqlite3_stmt *stmt = import_statement (self, sql, error);
  int rc;

  if (stmt == NULL)
    return FALSE;
  if (code != NULL)
    sqlite3_bind_text (stmt, 1, code, -1, SQLITE_STATIC);
  else
    sqlite3_bind_int64 (stmt, 1, id);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      gint64 event_id = sqlite3_column_int64 (stmt, 0);

      g_array_append_val (ids, event_id);
    }
  sqlite3_reset (stmt);
  sqlite3_clear_bindings (stmt);
  if (rc != SQLITE_DONE)
    return set_sqlite_error (error, self->store->db, rc, self->store->path);

  return TRUE;
}

static int
compare_row_ids (gconstpointer a,
                 gconstpointer b)
{
  gint64 x = *(const gint64 *) a, y = *(const gint64 *) b;

  return (x > y) - (x < y);
}

/* The full-text "names" column of an event holds the names of its actors,
 * countries and projects (write_event_relations). When one of those was
 * renamed, the rows of the events that refer to it (and only those) are
 * built again from the store, as write_event_relations builds them, so
 * that a search finds the new name and no longer the old one. Called at
 * the commit, once every full-text row of the import is written. event_fts
 * keeps its own copy of the text, so FTS5 finds the old terms to take out
 * by itself. */
static gboolean
refresh_renamed_names (ChanceryImporter  *self,
                       GError           **error)
{
  g_autoptr(GArray) ids = NULL;
  sqlite3_stmt *stmt;

  if (self->renamed_actors->len == 0 && self->renamed_projects->len == 0 &&
      self->renamed_countries->len == 0)
    return TRUE;

  ids = g_array_new (FALSE, FALSE, sizeof (gint64));
  for (guint i = 0; i < self->renamed_actors->len; i++)
    if (!collect_event_ids (self, "SELECT event_id FROM event_actor WHERE actor_id = ?",
                            g_array_index (self->renamed_actors, gint64, i), NULL, ids, error))
      return FALSE;
  for (guint i = 0; i < self->renamed_projects->len; i++)
    if (!collect_event_ids (self, "SELECT event_id FROM event_project WHERE project_id = ?",
                            g_array_index (self->renamed_projects, gint64, i), NULL, ids, error))
      return FALSE;
  for (guint i = 0; i < self->renamed_countries->len; i++)
    if (!collect_event_ids (self, "SELECT event_id FROM event_country WHERE country = ?",
                            0, self->renamed_countries->pdata[i], ids, error))
      return FALSE;
  g_array_sort (ids, compare_row_ids);

  if (!(stmt = import_statement (self,
        "UPDATE event_fts SET names = nullif(trim("
        " ifnull((SELECT group_concat(a.name, ' ') FROM event_actor ea"
        "   JOIN actor a ON a.id = ea.actor_id WHERE ea.event_id = ?1), '') || ' ' ||"
        " ifnull((SELECT group_concat(ifnull(c.name || ' ', '') || ec.country, ' ')"
        "   FROM event_country ec LEFT JOIN country c ON c.code = ec.country"
        "   WHERE ec.event_id = ?1), '') || ' ' ||"
        " ifnull((SELECT group_concat(p.name, ' ') FROM event_project ep"
        "   JOIN project p ON p.id = ep.project_id WHERE ep.event_id = ?1), '') || ' ' ||"
        " ifnull((SELECT pl.name FROM event e JOIN place pl ON pl.id = e.place_id"
        "   WHERE e.id = ?1), '')), '')"
        " WHERE rowid = ?1", error)))
    return FALSE;

  for (guint i = 0; i < ids->len; i++)
    {
      gint64 id = g_array_index (ids, gint64, i);

      /* An event that refers to two renamed records: once is enough. */
      if (i > 0 && id == g_array_index (ids, gint64, i - 1))
        continue;
      sqlite3_bind_int64 (stmt, 1, id);
      if (!step_done (self->store, stmt, error))
        return FALSE;
    }

  return TRUE;
}

gboolean
chancery_importer_put_source (ChanceryImporter  *self,
                              const char        *uid,
                              const char        *publisher,
                              const char        *title,
                              const char        *reference,
                              const char        *url,
                              const char        *published,
                              GError           **error)
{
  g_return_val_if_fail (self != NULL && uid != NULL, FALSE);

  const CachedRecord *known;
  CachedRecord *record;
  sqlite3_stmt *stmt;

  /* The upsert, in two cheaper statements: GDELT brings a new source with
   * almost every event. */
  known = LOOKUP_SOURCE (self, uid);
  if (known != NULL)
    {
      if (!(stmt = get_statement (self->store,
            "UPDATE source SET publisher = ?1, title = ?2, reference = ?3, url = ?4,"
            " published = ?5 WHERE id = ?6 AND (publisher, title, reference, url, published)"
            " IS NOT (?1, ?2, ?3, ?4, ?5)", error)))
        return FALSE;
    }
  else if (!(stmt = get_statement (self->store,
             "INSERT INTO source (publisher, title, reference, url, published, uid)"
             " VALUES (?1, ?2, ?3, ?4, ?5, ?7)", error)))
    return FALSE;

  bind_text_or_null (stmt, 1, publisher);
  bind_text_or_null (stmt, 2, title);
  bind_text_or_null (stmt, 3, reference);
  bind_text_or_null (stmt, 4, url);
  bind_text_or_null (stmt, 5, published);
  if (known != NULL)
    sqlite3_bind_int64 (stmt, 6, known->id);
  else
    sqlite3_bind_text (stmt, 7, uid, -1, SQLITE_TRANSIENT);
  if (!step_done (self->store, stmt, error))
    return FALSE;

  if (known == NULL)
    {
      record = g_hash_table_lookup (self->cache[CACHE_SOURCE], uid);
      if (record == NULL)
        {
          record = g_new0 (CachedRecord, 1);
          g_hash_table_insert (self->cache[CACHE_SOURCE], g_strdup (uid), record);
        }
      record->id = sqlite3_last_insert_rowid (self->store->db);
    }

  return TRUE;
}

gboolean
chancery_importer_has_country (ChanceryImporter *self, const char *code)
{
  return LOOKUP_COUNTRY (self, code) != NULL;
}

gboolean
chancery_importer_has_actor (ChanceryImporter *self, const char *uid)
{
  return LOOKUP_ACTOR (self, uid) != NULL;
}

gboolean
chancery_importer_has_project (ChanceryImporter *self, const char *uid)
{
  return LOOKUP_PROJECT (self, uid) != NULL;
}

gboolean
chancery_importer_has_source (ChanceryImporter *self, const char *uid)
{
  return LOOKUP_SOURCE (self, uid) != NULL;
}

gboolean
chancery_importer_has_event (ChanceryImporter *self, const char *uid)
{
  sqlite3_stmt *stmt;
  gboolean found;

  if (uid == NULL || !(stmt = get_statement (self->store, "SELECT 1 FROM event WHERE uid = ?", NULL)))
    return FALSE;

  sqlite3_bind_text (stmt, 1, uid, -1, SQLITE_TRANSIENT);
  found = sqlite3_step (stmt) == SQLITE_ROW;
  sqlite3_reset (stmt);

  return found;
}

#define FIELD(out, s) G_STMT_START { \
    const char *field_ = (s); \
    if (field_ != NULL) g_string_append ((out), field_); \
    g_string_append_c ((out), '\xff'); \
  } G_STMT_END

/* One of an event's actors, countries or projects, for serialize_list. */
typedef struct
{
  const char *key;     /* uid or code */
  const char *extra;   /* an actor's role */
  guint       index;   /* in the event */
} SetItem;

static int
compare_set_items (gconstpointer a,
                   gconstpointer b)
{
  const SetItem *x = a, *y = b;
  int by_key = strcmp (x->key, y->key);

  return by_key != 0 ? by_key : (x->index > y->index) - (x->index < y->index);
}

/* A list of actors, countries or projects. The store keeps them as sets
 * (the first of an actor named twice counts) and gives them back in an
 * order of its own: as_sets serializes them in key order, each once, so
 * that the same set in another order (an export) is no change. */
static void
serialize_list (GString  *out,
                GArray   *items,
                gboolean  as_sets)
{
  if (as_sets)
    g_array_sort (items, compare_set_items);
  for (guint i = 0; i < items->len; i++)
    {
      const SetItem *item = &g_array_index (items, SetItem, i);

      if (as_sets && i > 0 && strcmp (item->key, g_array_index (items, SetItem, i - 1).key) == 0)
        continue;
      FIELD (out, item->key);
      if (item->extra != NULL)
        FIELD (out, item->extra);
    }
  g_string_append_c (out, '\xfe');
  g_array_set_size (items, 0);
}

/* Everything put_event stores but the links, serialized into out, to tell
 * an unchanged event from an updated one. Fields are separated by bytes
 * that cannot occur in valid UTF-8 text. as_sets: see serialize_list;
 * fingerprints before "n" covered the lists in the event's order. */
static void
serialize_fields (GString             *out,
                  const ChanceryEvent *event,
                  gboolean             as_sets)
{
  g_autoptr(GArray) items = g_array_new (FALSE, FALSE, sizeof (SetItem));
  char numbers[128];

  g_string_truncate (out, 0);

  g_snprintf (numbers, sizeof numbers, "%d %d %d %.9g %.9g %.9g", event->kind, event->status,
              event->has_coordinates, event->latitude, event->longitude, event->importance);
  FIELD (out, numbers);
  FIELD (out, event->title);
  FIELD (out, event->summary);
  FIELD (out, event->date_text);
  FIELD (out, event->place_name);
  FIELD (out, event->place_country);
  FIELD (out, event->cameo);

  for (guint i = 0; i < event->actors->len; i++)
    {
      const ChanceryEventActor *a = g_ptr_array_index (event->actors, i);
      SetItem item = { a->uid, chancery_role_to_string (a->role), i };

      g_array_append_val (items, item);
    }
  serialize_list (out, items, as_sets);
  for (guint i = 0; i < event->countries->len; i++)
    {
      SetItem item = { ((ChanceryEventCountry *) g_ptr_array_index (event->countries, i))->code, NULL, i };

      g_array_append_val (items, item);
    }
  serialize_list (out, items, as_sets);
  for (guint i = 0; i < event->projects->len; i++)
    {
      SetItem item = { ((ChanceryEventProject *) g_ptr_array_index (event->projects, i))->uid, NULL, i };

      g_array_append_val (items, item);
    }
  serialize_list (out, items, as_sets);

  /* Sources keep their order (event_source.position). */
  for (guint i = 0; i < event->sources->len; i++)
    {
      const ChanceryEventSource *s = g_ptr_array_index (event->sources, i);
      FIELD (out, s->uid);
      FIELD (out, s->quote);
    }
}

/* Links as the store holds them: a set, in (target, relation) order. */
typedef struct
{
  const char *target;
  const char *relation;
} LinkKey;

static int
compare_link_keys (gconstpointer a,
                   gconstpointer b)
{
  const LinkKey *x = a, *y = b;
  int by_target = strcmp (x->target, y->target);

  return by_target != 0 ? by_target : strcmp (x->relation, y->relation);
}

/* The event's links, sorted, each once. */
static GArray *
sorted_links (const ChanceryEvent *event)
{
  GArray *keys = g_array_sized_new (FALSE, FALSE, sizeof (LinkKey), event->links->len);
  guint n = 0;

  for (guint i = 0; i < event->links->len; i++)
    {
      const ChanceryEventLink *l = g_ptr_array_index (event->links, i);
      LinkKey key = { l->uid, l->relation };

      g_array_append_val (keys, key);
    }
  g_array_sort (keys, compare_link_keys);
  for (guint i = 0; i < keys->len; i++)
    if (n == 0 || compare_link_keys (&g_array_index (keys, LinkKey, i),
                                     &g_array_index (keys, LinkKey, n - 1)) != 0)
      g_array_index (keys, LinkKey, n++) = g_array_index (keys, LinkKey, i);
  g_array_set_size (keys, n);

  return keys;
}

static void
serialize_links (GString      *out,
                 const GArray *keys)
{
  g_string_truncate (out, 0);
  for (guint i = 0; i < keys->len; i++)
    {
      FIELD (out, g_array_index (keys, LinkKey, i).target);
      FIELD (out, g_array_index (keys, LinkKey, i).relation);
    }
}

/* What fingerprints before "n" covered: the fields, then the links in the
 * order of the file. */
static void
serialize_legacy (GString             *out,
                  const ChanceryEvent *event)
{
  serialize_fields (out, event, FALSE);
  g_string_append_c (out, '\xfe');
  for (guint i = 0; i < event->links->len; i++)
    {
      const ChanceryEventLink *l = g_ptr_array_index (event->links, i);
      FIELD (out, l->uid);
      FIELD (out, l->relation);
    }
}

#undef FIELD

/* MurmurHash64A (Austin Appleby, public domain). */
static guint64
murmur64 (const guchar *data,
          gsize         len,
          guint64       seed)
{
  const guint64 m = G_GUINT64_CONSTANT (0xc6a4a7935bd1e995);
  const int r = 47;
  guint64 h = seed ^ (len * m);
  const guchar *end = data + (len & ~(gsize) 7);
  const guchar *p;

  for (p = data; p < end; p += 8)
    {
      guint64 k;

      memcpy (&k, p, 8);
      k = GUINT64_FROM_LE (k);
      k *= m;
      k ^= k >> r;
      k *= m;
      h ^= k;
      h *= m;
    }

  switch (len & 7)
    {
    case 7: h ^= (guint64) p[6] << 48; G_GNUC_FALLTHROUGH;
    case 6: h ^= (guint64) p[5] << 40; G_GNUC_FALLTHROUGH;
    case 5: h ^= (guint64) p[4] << 32; G_GNUC_FALLTHROUGH;
    case 4: h ^= (guint64) p[3] << 24; G_GNUC_FALLTHROUGH;
    case 3: h ^= (guint64) p[2] << 16; G_GNUC_FALLTHROUGH;
    case 2: h ^= (guint64) p[1] << 8; G_GNUC_FALLTHROUGH;
    case 1: h ^= (guint64) p[0];
            h *= m;
            break;
    default:
      break;
    }

  h ^= h >> r;
  h *= m;
  h ^= h >> r;
  return h;
}

/* FNV-1a, 64 bits. */
static guint64
fnv1a64 (const guchar *data,
         gsize         len)
{
  guint64 h = G_GUINT64_CONSTANT (0xcbf29ce484222325);

  for (gsize i = 0; i < len; i++)
    {
      h ^= data[i];
      h *= G_GUINT64_CONSTANT (0x100000001b3);
    }
  return h;
}

/* 128 bits of a serialization, as 32 hex digits, from two unrelated
 * hashes (accidental collisions are out of reach; this detects changes,
 * it is no defence against a forger, who could only make an import skip
 * their own update). */
#define PRINT_LENGTH 32

static void
print_of (const GString *serialized,
          char           out[PRINT_LENGTH + 1])
{
  guint64 a = murmur64 ((const guchar *) serialized->str, serialized->len,
                        G_GUINT64_CONSTANT (0x9e3779b97f4a7c15));
  guint64 b = fnv1a64 ((const guchar *) serialized->str, serialized->len);

  g_snprintf (out, PRINT_LENGTH + 1, "%016" G_GINT64_MODIFIER "x%016" G_GINT64_MODIFIER "x", a, b);
}

/* An event's fingerprint: "n", the print of its fields (serialize_fields),
 * then the print of its links as the store holds them (serialize_links),
 * which may be more than the file listed (chancery_importer_settle_links).
 * Apart, so that links the file cannot speak about do not make an event
 * look changed. */
#define FINGERPRINT_LENGTH (1 + 2 * PRINT_LENGTH)

/* Compares a fingerprint stored before with the event's prints. Before
 * "n", fingerprints covered fields and links together in the order of the
 * file: "m" and 32 hex digits (murmur64 and FNV-1a, as print_of), and
 * before that SHA-256. Those tell "all the same" or "something changed",
 * and the event is then written again, once, with an "n" fingerprint. */
static void
compare_fingerprint (ChanceryImporter    *self,
                     const ChanceryEvent *event,
                     const char          *old,
                     const char          *fields_print,
                     const char          *links_print,
                     gboolean            *fields_same,
                     gboolean            *links_same)
{
  g_autofree char *sha = NULL;
  char print[PRINT_LENGTH + 1];

  *fields_same = *links_same = FALSE;
  if (old == NULL)
    return;

  if (old[0] == 'n')
    {
      if (strlen (old) == FINGERPRINT_LENGTH)
        {
          *fields_same = memcmp (old + 1, fields_print, PRINT_LENGTH) == 0;
          *links_same = memcmp (old + 1 + PRINT_LENGTH, links_print, PRINT_LENGTH) == 0;
        }
      return;
    }

  serialize_legacy (self->scratch, event);
  if (old[0] == 'm')
    {
      print_of (self->scratch, print);
      *fields_same = *links_same = strcmp (old + 1, print) == 0;
    }
  else
    {
      sha = g_compute_checksum_for_data (G_CHECKSUM_SHA256, (const guchar *) self->scratch->str,
                                         self->scratch->len);
      *fields_same = *links_same = strcmp (sha, old) == 0;
    }
}

static gboolean
lookup_event (ChanceryImporter *self,
              const char     *uid,
              gint64         *id,
              char          **fingerprint,
              gint64         *place_id,
              GError        **error)
{
  sqlite3_stmt *stmt;
  int rc;

  if (!(stmt = import_statement (self, "SELECT id, fingerprint, ifnull(place_id, -1) FROM event WHERE uid = ?", error)))
    return FALSE;

  sqlite3_bind_text (stmt, 1, uid, -1, SQLITE_STATIC);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    {
      *id = sqlite3_column_int64 (stmt, 0);
      *fingerprint = dup_column_text (stmt, 1);
      *place_id = sqlite3_column_int64 (stmt, 2);
    }
  else
    {
      *id = -1;
      *fingerprint = NULL;
      *place_id = -1;
    }
  sqlite3_reset (stmt);
  sqlite3_clear_bindings (stmt);

  if (rc != SQLITE_ROW && rc != SQLITE_DONE)
    return set_sqlite_error (error, self->store->db, rc, self->store->path);

  return TRUE;
}

/* A place is a name, a country and a position (schema version 3): two
 * events at "Baku" with different coordinates, or one with none, each
 * keep their own. The key spells the coordinates exactly ("%a"). */
static char *
place_key (const ChanceryEvent *event)
{
  const char *country = event->place_country != NULL ? event->place_country : "";

  if (!event->has_coordinates)
    return g_strconcat (event->place_name, "\x1f", country, NULL);

  return g_strdup_printf ("%s\x1f%s\x1f%a\x1f%a", event->place_name, country,
                          event->latitude, event->longitude);
}

/* ?1 to ?4 of the place statements: name, country, lat, lon. */
static void
bind_place (sqlite3_stmt        *stmt,
            const ChanceryEvent *event)
{
  sqlite3_bind_text (stmt, 1, event->place_name, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 2, event->place_country != NULL ? event->place_country : "", -1, SQLITE_TRANSIENT);
  if (event->has_coordinates)
    {
      sqlite3_bind_double (stmt, 3, event->latitude);
      sqlite3_bind_double (stmt, 4, event->longitude);
    }
  else
    {
      sqlite3_bind_null (stmt, 3);
      sqlite3_bind_null (stmt, 4);
    }
}

static gboolean
put_place (ChanceryImporter     *self,
           const ChanceryEvent  *event,
           gint64               *place_id,
           GError              **error)
{
  ChanceryStore *store = self->store;
  g_autofree char *key = NULL;
  CachedRecord *record;
  sqlite3_stmt *stmt;
  int rc;

  *place_id = -1;
  if (event->place_name == NULL)
    return TRUE;

  key = place_key (event);
  record = g_hash_table_lookup (self->cache[CACHE_PLACE], key);
  if (record != NULL)
    {
      *place_id = record->id;
      return TRUE;
    }

  /* UNIQUE (name, country, lat, lon) holds NULLs apart, so the lookup
   * compares with IS and only inserts what it did not find. */
  if (!(stmt = import_statement (self,
        "SELECT id FROM place WHERE name = ?1 AND country = ?2 AND lat IS ?3 AND lon IS ?4",
        error)))
    return FALSE;
  bind_place (stmt, event);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    *place_id = sqlite3_column_int64 (stmt, 0);
  sqlite3_reset (stmt);
  if (rc != SQLITE_ROW && rc != SQLITE_DONE)
    return set_sqlite_error (error, store->db, rc, store->path);

  if (*place_id < 0)
    {
      if (!(stmt = import_statement (self, "INSERT INTO place (name, country, lat, lon)"
                                           " VALUES (?1, ?2, ?3, ?4) RETURNING id", error)))
        return FALSE;
      bind_place (stmt, event);
      rc = sqlite3_step (stmt);
      if (rc == SQLITE_ROW)
        *place_id = sqlite3_column_int64 (stmt, 0);
      /* RETURNING statements finish their work on the next step. */
      while (rc == SQLITE_ROW)
        rc = sqlite3_step (stmt);
      sqlite3_reset (stmt);
      if (rc != SQLITE_DONE)
        return set_sqlite_error (error, store->db, rc, store->path);
    }

  record = g_new0 (CachedRecord, 1);
  record->id = *place_id;
  g_hash_table_insert (self->cache[CACHE_PLACE], g_steal_pointer (&key), record);

  return TRUE;
}

static gboolean
write_event_row (ChanceryImporter     *self,
                 const ChanceryEvent  *event,
                 gint64                place_id,
                 const char           *fingerprint,
                 gint64               *id,
                 GError              **error)
{
  ChanceryStore *store = self->store;
  sqlite3_stmt *stmt;
  gint32 lo, hi;
  int rc;

  if (*id >= 0)
    stmt = import_statement (self,
                          "UPDATE event SET kind = ?1, status = ?2, title = ?3, summary = ?4,"
                          " date = ?5, lo_day = ?6, hi_day = ?7, precision = ?8, flags = ?9,"
                          " place_id = ?10, cameo = ?11, importance = ?12, fingerprint = ?13"
                          " WHERE id = ?14", error);
  else
    stmt = import_statement (self,
                          "INSERT INTO event (kind, status, title, summary, date, lo_day, hi_day,"
                          " precision, flags, place_id, cameo, importance, fingerprint, uid)"
                          " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?15)", error);
  if (stmt == NULL)
    return FALSE;

  chancery_date_get_extent (&event->date, &lo, &hi);
  sqlite3_bind_int (stmt, 1, event->kind);
  sqlite3_bind_int (stmt, 2, event->status);
  sqlite3_bind_text (stmt, 3, event->title, -1, SQLITE_TRANSIENT);
  bind_text_or_null (stmt, 4, event->summary);
  sqlite3_bind_text (stmt, 5, event->date_text, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int (stmt, 6, lo);
  sqlite3_bind_int (stmt, 7, hi);
  sqlite3_bind_int (stmt, 8, chancery_date_get_precision (&event->date));
  sqlite3_bind_int (stmt, 9, chancery_index_flags_for_date (&event->date));
  if (place_id >= 0)
    sqlite3_bind_int64 (stmt, 10, place_id);
  bind_text_or_null (stmt, 11, event->cameo);
  sqlite3_bind_double (stmt, 12, event->importance);
  sqlite3_bind_text (stmt, 13, fingerprint, -1, SQLITE_TRANSIENT);
  if (*id >= 0)
    sqlite3_bind_int64 (stmt, 14, *id);
  else
    sqlite3_bind_text (stmt, 15, event->uid, -1, SQLITE_TRANSIENT);

  rc = sqlite3_step (stmt);
  sqlite3_reset (stmt);
  if (rc != SQLITE_DONE)
    return set_sqlite_error (error, store->db, rc, store->path);

  if (*id < 0)
    *id = sqlite3_last_insert_rowid (store->db);

  return TRUE;
}

static gboolean
run_with_id (ChanceryStore  *store,
             const char     *sql,
             gint64          id,
             GError        **error)
{
  sqlite3_stmt *stmt;
  int rc;

  if (!(stmt = get_statement (store, sql, error)))
    return FALSE;

  sqlite3_bind_int64 (stmt, 1, id);
  rc = sqlite3_step (stmt);
  sqlite3_reset (stmt);
  if (rc != SQLITE_DONE)
    return set_sqlite_error (error, store->db, rc, store->path);

  return TRUE;
}

static gboolean
clear_event_relations (ChanceryImporter  *self,
                       gint64             id,
                       GError           **error)
{
  ChanceryStore *store = self->store;

  /* A full-text row of this import still in memory goes first. */
  if (g_hash_table_contains (self->pending_ids, GSIZE_TO_POINTER ((gsize) id)) && !flush_fts (self, error))
    return FALSE;

  return run_with_id (store, "DELETE FROM event_actor WHERE event_id = ?", id, error) &&
         run_with_id (store, "DELETE FROM event_country WHERE event_id = ?", id, error) &&
         run_with_id (store, "DELETE FROM event_project WHERE event_id = ?", id, error) &&
         run_with_id (store, "DELETE FROM event_source WHERE event_id = ?", id, error) &&
         run_with_id (store, "DELETE FROM event_fts WHERE rowid = ?", id, error);
}

static void
append_name (GString    *names,
             const char *name)
{
  if (name == NULL)
    return;
  if (names->len > 0)
    g_string_append_c (names, ' ');
  g_string_append (names, name);
}

/* Writes the relation rows but links and builds the full-text "names" column in
 * self->names: actor names, "country-name CODE" for each country, project
 * names, the place name. */
static gboolean
write_event_relations (ChanceryImporter     *self,
                       const ChanceryEvent  *event,
                       gint64                id,
                       GError              **error)
{
  ChanceryStore *store = self->store;
  GString *names = self->names;
  sqlite3_stmt *stmt;

  g_string_truncate (names, 0);

  if (event->actors->len > 0)
    {
      if (!(stmt = import_statement (self,
            "INSERT OR IGNORE INTO event_actor (event_id, actor_id, role) VALUES (?1, ?2, ?3)", error)))
        return FALSE;
      for (guint i = 0; i < event->actors->len; i++)
        {
          const ChanceryEventActor *a = g_ptr_array_index (event->actors, i);
          const CachedRecord *actor = LOOKUP_ACTOR (self, a->uid);

          if (actor == NULL)
            {
              g_set_error (error, CHANCERY_ERROR, CHANCERY_ERROR_NOT_FOUND,
                           _("Actor “%s” does not exist"), a->uid);
              return FALSE;
            }
          sqlite3_bind_int64 (stmt, 1, id);
          sqlite3_bind_int64 (stmt, 2, actor->id);
          sqlite3_bind_int64 (stmt, 3, a->role);
          if (!step_done (store, stmt, error))
            return FALSE;
          if (sqlite3_changes (store->db) > 0)
            append_name (names, actor->name);
        }
    }

  if (event->countries->len > 0)
    {
      if (!(stmt = import_statement (self,
            "INSERT OR IGNORE INTO event_country (event_id, country) VALUES (?1, ?2)", error)))
        return FALSE;
      for (guint i = 0; i < event->countries->len; i++)
        {
          const ChanceryEventCountry *c = g_ptr_array_index (event->countries, i);
          const CachedRecord *country = LOOKUP_COUNTRY (self, c->code);

          sqlite3_bind_int64 (stmt, 1, id);
          sqlite3_bind_text (stmt, 2, c->code, -1, SQLITE_STATIC);
          if (!step_done (store, stmt, error))
            return FALSE;
          if (sqlite3_changes (store->db) > 0)
            {
              if (names->len > 0)
                g_string_append_c (names, ' ');
              if (country != NULL && country->name != NULL)
                g_string_append (names, country->name);
              g_string_append_c (names, ' ');
              g_string_append (names, c->code);
            }
        }
      sqlite3_clear_bindings (stmt);
    }

  if (event->projects->len > 0)
    {
      if (!(stmt = import_statement (self,
            "INSERT OR IGNORE INTO event_project (event_id, project_id) VALUES (?1, ?2)", error)))
        return FALSE;
      for (guint i = 0; i < event->projects->len; i++)
        {
          const ChanceryEventProject *p = g_ptr_array_index (event->projects, i);
          const CachedRecord *project = LOOKUP_PROJECT (self, p->uid);

          if (project == NULL)
            {
              g_set_error (error, CHANCERY_ERROR, CHANCERY_ERROR_NOT_FOUND,
                           _("Project “%s” does not exist"), p->uid);
              return FALSE;
            }
          sqlite3_bind_int64 (stmt, 1, id);
          sqlite3_bind_int64 (stmt, 2, project->id);
          if (!step_done (store, stmt, error))
            return FALSE;
          if (sqlite3_changes (store->db) > 0)
            append_name (names, project->name);
        }
    }

  if (event->sources->len > 0)
    {
      if (!(stmt = import_statement (self,
            "INSERT OR REPLACE INTO event_source (event_id, source_id, quote, position)"
            " VALUES (?1, ?2, ?3, ?4)", error)))
        return FALSE;
      for (guint i = 0; i < event->sources->len; i++)
        {
          const ChanceryEventSource *s = g_ptr_array_index (event->sources, i);
          const CachedRecord *source = LOOKUP_SOURCE (self, s->uid);

          if (source == NULL)
            {
              g_set_error (error, CHANCERY_ERROR, CHANCERY_ERROR_NOT_FOUND,
                           _("Source “%s” does not exist"), s->uid);
              return FALSE;
            }
          sqlite3_bind_int64 (stmt, 1, id);
          sqlite3_bind_int64 (stmt, 2, source->id);
          if (s->quote != NULL)
            sqlite3_bind_text (stmt, 3, s->quote, -1, SQLITE_STATIC);
          else
            sqlite3_bind_null (stmt, 3);
          sqlite3_bind_int64 (stmt, 4, i);
          if (!step_done (store, stmt, error))
            return FALSE;
        }
      sqlite3_clear_bindings (stmt);
    }

  append_name (names, event->place_name);

  return TRUE;
}

/* The links the store holds for the event, in (target, relation) order;
 * their text in texts. */
static gboolean
read_stored_links (ChanceryImporter  *self,
                   gint64             id,
                   GArray            *stored,
                   GStringChunk      *texts,
                   GError           **error)
{
  sqlite3_stmt *stmt;
  int rc;

  if (!(stmt = import_statement (self, "SELECT target_uid, relation FROM event_link"
                                       " WHERE event_id = ?1 ORDER BY target_uid, relation", error)))
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, id);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      LinkKey key;

      key.target = g_string_chunk_insert (texts, (const char *) sqlite3_column_text (stmt, 0));
      key.relation = g_string_chunk_insert (texts, (const char *) sqlite3_column_text (stmt, 1));
      g_array_append_val (stored, key);
    }
  sqlite3_reset (stmt);
  if (rc != SQLITE_DONE)
    return set_sqlite_error (error, self->store->db, rc, self->store->path);

  return TRUE;
}

static gboolean
insert_link (ChanceryImporter  *self,
             gint64             id,
             const LinkKey     *key,
             GError           **error)
{
  sqlite3_stmt *stmt = import_statement (self,
    "INSERT OR IGNORE INTO event_link (event_id, target_uid, relation) VALUES (?1, ?2, ?3)", error);

  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, id);
  sqlite3_bind_text (stmt, 2, key->target, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 3, key->relation, -1, SQLITE_STATIC);

  return step_done (self->store, stmt, error);
}

/* The links of an event that was in the store already, whose links
 * changed. A file speaks only about links among the events it holds (a
 * filtered export leaves out the others, so that it imports on its own),
 * and the importer does not know yet which those are: links the file adds
 * are written, links it leaves out are kept for now (self->kept_links;
 * chancery_importer_settle_links drops those to events the file holds).
 * links: the file's, from sorted_links. Sets links_print to the print of
 * the links the store holds then, and *added. */
static gboolean
merge_links (ChanceryImporter  *self,
             gint64             id,
             const GArray      *links,
             char               links_print[PRINT_LENGTH + 1],
             gboolean          *added,
             GError           **error)
{
  g_autoptr(GArray) stored = g_array_new (FALSE, FALSE, sizeof (LinkKey));
  g_autoptr(GArray) merged = g_array_new (FALSE, FALSE, sizeof (LinkKey));
  g_autoptr(GStringChunk) texts = g_string_chunk_new (256);
  guint i = 0, k = 0;

  *added = FALSE;
  if (!read_stored_links (self, id, stored, texts, error))
    return FALSE;

  /* Both in (target, relation) order: one pass. */
  while (i < links->len || k < stored->len)
    {
      int order;

      if (i == links->len)
        order = 1;
      else if (k == stored->len)
        order = -1;
      else
        order = compare_link_keys (&g_array_index (links, LinkKey, i), &g_array_index (stored, LinkKey, k));

      if (order < 0)
        {
          /* Only in the file: written */
          const LinkKey *mine = &g_array_index (links, LinkKey, i++);

          if (!insert_link (self, id, mine, error))
            return FALSE;
          *added = TRUE;
          g_array_append_val (merged, *mine);
        }
      else if (order > 0)
        {
          /* Only in the store: kept for now */
          const LinkKey *theirs = &g_array_index (stored, LinkKey, k++);
          KeptLink kept = { id, g_strdup (theirs->target), g_strdup (theirs->relation), FALSE };

          g_array_append_val (self->kept_links, kept);
          g_array_append_val (merged, *theirs);
        }
      else
        {
          g_array_append_val (merged, g_array_index (links, LinkKey, i));
          i++, k++;
        }
    }

  serialize_links (self->link_scratch, merged);
  print_of (self->link_scratch, links_print);

  return TRUE;
}

/* Holds the full-text row of the event (names from write_event_relations)
 * for flush_fts. */
static gboolean
queue_event_fts (ChanceryImporter     *self,
                 const ChanceryEvent  *event,
                 gint64                id,
                 GError              **error)
{
  GString *quotes = self->quotes;
  PendingFts row;

  g_string_truncate (quotes, 0);
  for (guint i = 0; i < event->sources->len; i++)
    {
      const ChanceryEventSource *s = g_ptr_array_index (event->sources, i);

      if (s->quote != NULL)
        {
          g_string_append (quotes, s->quote);
          g_string_append_c (quotes, '\n');
        }
    }

  row.id = id;
  row.title = g_strdup (event->title);
  row.summary = g_strdup (event->summary);
  row.quotes = g_strndup (quotes->str, quotes->len);
  row.names = self->names->len > 0 ? g_strndup (self->names->str, self->names->len) : NULL;
  g_array_append_val (self->pending_fts, row);
  g_hash_table_add (self->pending_ids, GSIZE_TO_POINTER ((gsize) id));
  self->pending_bytes += sizeof row + strlen (event->title) + quotes->len + self->names->len +
                         (event->summary != NULL ? strlen (event->summary) : 0);

  if (self->pending_bytes >= PENDING_FTS_BYTES)
    return flush_fts (self, error);

  return TRUE;
}

static gboolean
write_fingerprint (ChanceryImporter  *self,
                   gint64             id,
                   const char        *fingerprint,
                   GError           **error)
{
  sqlite3_stmt *stmt = import_statement (self, "UPDATE event SET fingerprint = ?2 WHERE id = ?1", error);

  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, id);
  sqlite3_bind_text (stmt, 2, fingerprint, -1, SQLITE_STATIC);

  return step_done (self->store, stmt, error);
}

gboolean
chancery_importer_put_event (ChanceryImporter     *self,
                             const ChanceryEvent  *event,
                             ChanceryPutResult    *result,
                             GError              **error)
{
  g_autofree char *old_fingerprint = NULL;
  g_autoptr(GArray) links = NULL;
  char fields_print[PRINT_LENGTH + 1], links_print[PRINT_LENGTH + 1];
  char fingerprint[FINGERPRINT_LENGTH + 1];
  gboolean fields_same = FALSE, links_same = FALSE, links_added = FALSE;
  guint first_kept = self->kept_links->len;
  gint64 id, place_id, old_place_id;
  gboolean existed;

  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (event != NULL && event->uid != NULL && event->title != NULL, FALSE);
  g_return_val_if_fail (event->date_text != NULL, FALSE);

  /* A value over SQLite's length limit fails to bind and would be stored
   * as NULL (a misleading "NOT NULL constraint failed"); say what it is. */
  if (!check_event_size (self->store, event, error))
    return FALSE;

  serialize_fields (self->scratch, event, TRUE);
  print_of (self->scratch, fields_print);
  links = sorted_links (event);
  serialize_links (self->link_scratch, links);
  print_of (self->link_scratch, links_print);
  if (!lookup_event (self, event->uid, &id, &old_fingerprint, &old_place_id, error))
    return FALSE;

  existed = id >= 0;
  if (existed)
    compare_fingerprint (self, event, old_fingerprint, fields_print, links_print,
                         &fields_same, &links_same);
  if (fields_same && links_same)
    {
      if (result != NULL)
        *result = CHANCERY_PUT_UNCHANGED;
      return TRUE;
    }

  /* links_print becomes the print of the links the store holds. */
  if (existed && !links_same && !merge_links (self, id, links, links_print, &links_added, error))
    return FALSE;
  g_snprintf (fingerprint, sizeof fingerprint, "n%s%s", fields_print, links_print);

  if (fields_same)
    {
      if (!write_fingerprint (self, id, fingerprint, error))
        return FALSE;
    }
  else if (!put_place (self, event, &place_id, error) ||
           (existed && !clear_event_relations (self, id, error)) ||
           !write_event_row (self, event, place_id, fingerprint, &id, error) ||
           !write_event_relations (self, event, id, error) ||
           !queue_event_fts (self, event, id, error))
    return FALSE;
  else if (existed && old_place_id >= 0 && old_place_id != place_id)
    self->places_left = TRUE;

  for (guint i = 0; !existed && i < links->len; i++)
    if (!insert_link (self, id, &g_array_index (links, LinkKey, i), error))
      return FALSE;

  if (existed && fields_same && !links_added)
    {
      /* Unless settle_links drops one of its kept links */
      for (guint i = first_kept; i < self->kept_links->len; i++)
        g_array_index (self->kept_links, KeptLink, i).counted_unchanged = TRUE;
      if (result != NULL)
        *result = CHANCERY_PUT_UNCHANGED;
    }
  else if (result != NULL)
    *result = existed ? CHANCERY_PUT_UPDATED : CHANCERY_PUT_INSERTED;

  return TRUE;
}

gboolean
chancery_importer_settle_links (ChanceryImporter  *self,
                                GHashTable        *event_uids,
                                guint             *n_updated,
                                GError           **error)
{
  g_autoptr(GArray) changed = g_array_new (FALSE, FALSE, sizeof (gint64));
  sqlite3_stmt *stmt;

  g_return_val_if_fail (self != NULL && event_uids != NULL, FALSE);

  if (n_updated != NULL)
    *n_updated = 0;

  for (guint i = 0; i < self->kept_links->len; i++)
    {
      const KeptLink *kept = &g_array_index (self->kept_links, KeptLink, i);

      if (!g_hash_table_contains (event_uids, kept->target))
        continue;
      if (!(stmt = import_statement (self, "DELETE FROM event_link"
                                           " WHERE event_id = ?1 AND target_uid = ?2 AND relation = ?3",
                                     error)))
        return FALSE;
      sqlite3_bind_int64 (stmt, 1, kept->event_id);
      sqlite3_bind_text (stmt, 2, kept->target, -1, SQLITE_STATIC);
      sqlite3_bind_text (stmt, 3, kept->relation, -1, SQLITE_STATIC);
      if (!step_done (self->store, stmt, error))
        return FALSE;

      /* The links of one event were kept one after the other. */
      if (changed->len == 0 || g_array_index (changed, gint64, changed->len - 1) != kept->event_id)
        {
          g_array_append_val (changed, kept->event_id);
          if (kept->counted_unchanged && n_updated != NULL)
            (*n_updated)++;
        }
    }
  g_array_set_size (self->kept_links, 0);

  /* The links print of their fingerprints follows what the store holds. */
  for (guint i = 0; i < changed->len; i++)
    {
      gint64 id = g_array_index (changed, gint64, i);
      g_autoptr(GArray) stored = g_array_new (FALSE, FALSE, sizeof (LinkKey));
      g_autoptr(GStringChunk) texts = g_string_chunk_new (256);
      char links_print[PRINT_LENGTH + 1];

      if (!read_stored_links (self, id, stored, texts, error))
        return FALSE;
      serialize_links (self->link_scratch, stored);
      print_of (self->link_scratch, links_print);
      /* 33: "n" and the print of the fields */
      if (!(stmt = import_statement (self, "UPDATE event SET fingerprint ="
                                           " substr(fingerprint, 1, 33) || ?2 WHERE id = ?1", error)))
        return FALSE;
      sqlite3_bind_int64 (stmt, 1, id);
      sqlite3_bind_text (stmt, 2, links_print, -1, SQLITE_STATIC);
      if (!step_done (self->store, stmt, error))
        return FALSE;
    }

  return TRUE;
}

gboolean
chancery_store_create_at_version (const char  *path,
                                  int          version,
                                  GError     **error)
{
  g_autoptr(ChanceryStore) self = NULL;

  g_return_val_if_fail (path != NULL, FALSE);
  g_return_val_if_fail (version >= 1 && version <= CHANCERY_SCHEMA_VERSION, FALSE);

  if (g_file_test (path, G_FILE_TEST_EXISTS))
    {
      g_set_error (error, CHANCERY_ERROR, CHANCERY_ERROR_IO, _("%s: already exists"), path);
      return FALSE;
    }

  self = g_object_new (CHANCERY_TYPE_STORE, NULL);
  self->path = g_strdup (path);
  if (!open_connection (self, CHANCERY_STORE_READ_WRITE | CHANCERY_STORE_CREATE, error))
    return FALSE;

  return run_migrations (self, 0, version, error);
}

/* JSON export support */

static const char * const record_sql[CHANCERY_N_RECORD_KINDS] = {
  [CHANCERY_RECORD_COUNTRY] = "SELECT code, name FROM country WHERE code = ?1",
  [CHANCERY_RECORD_ACTOR] = "SELECT uid, name, title, country FROM actor WHERE uid = ?1",
  [CHANCERY_RECORD_SOURCE] = "SELECT uid, publisher, title, reference, url, published"
                             " FROM source WHERE uid = ?1",
  [CHANCERY_RECORD_PROJECT] = "SELECT p.uid, p.name, p.description,"
                              " (SELECT group_concat(country) FROM project_country pc"
                              "  WHERE pc.project_id = p.id)"
                              " FROM project p WHERE p.uid = ?1",
};

static const char * const all_keys_sql[CHANCERY_N_RECORD_KINDS] = {
  [CHANCERY_RECORD_COUNTRY] = "SELECT code FROM country",
  [CHANCERY_RECORD_ACTOR] = "SELECT uid FROM actor",
  [CHANCERY_RECORD_SOURCE] = "SELECT uid FROM source",
  [CHANCERY_RECORD_PROJECT] = "SELECT uid FROM project",
};

GPtrArray *
chancery_store_dup_record_keys (ChanceryStore       *self,
                                ChanceryRecordKind   kind,
                                GError             **error)
{
  g_autoptr(GPtrArray) keys = g_ptr_array_new_with_free_func (g_free);
  sqlite3_stmt *stmt;
  int rc = SQLITE_ERROR;

  g_return_val_if_fail (CHANCERY_IS_STORE (self), NULL);
  g_return_val_if_fail (kind < CHANCERY_N_RECORD_KINDS, NULL);

  begin_call (self, NULL);
  stmt = get_statement (self, all_keys_sql[kind], error);
  if (stmt != NULL)
    {
      while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
        g_ptr_array_add (keys, dup_column_text (stmt, 0));
      sqlite3_reset (stmt);
      if (rc != SQLITE_DONE)
        set_sqlite_error (error, self->db, rc, self->path);
    }
  end_call (self);

  if (rc != SQLITE_DONE)
    return NULL;

  return g_steal_pointer (&keys);
}

gboolean
chancery_store_foreach_record (ChanceryStore        *self,
                               ChanceryRecordKind    kind,
                               const char * const   *keys,
                               guint                 n_keys,
                               ChanceryRecordFunc    func,
                               gpointer              user_data,
                               GError              **error)
{
  const char *values[8];
  gboolean began = FALSE;
  gboolean ok = TRUE;

  g_return_val_if_fail (CHANCERY_IS_STORE (self), FALSE);
  g_return_val_if_fail (kind < CHANCERY_N_RECORD_KINDS, FALSE);
  g_return_val_if_fail (keys != NULL || n_keys == 0, FALSE);

  begin_call (self, NULL);
  /* One read transaction: one lock and one snapshot for all the lookups. */
  if (sqlite3_get_autocommit (self->db) && n_keys > 0)
    ok = began = exec_sql (self, "BEGIN", error);
  for (guint k = 0; ok && k < n_keys; k++)
    {
      sqlite3_stmt *stmt = get_statement (self, record_sql[kind], error);
      int rc;

      if (stmt == NULL)
        {
          ok = FALSE;
          break;
        }
      sqlite3_bind_text (stmt, 1, keys[k], -1, SQLITE_STATIC);
      rc = sqlite3_step (stmt);
      if (rc == SQLITE_ROW)
        {
          int n = MIN (sqlite3_column_count (stmt), (int) G_N_ELEMENTS (values));

          char *repaired[G_N_ELEMENTS (values)] = { NULL };

          for (int i = 0; i < n; i++)
            {
              values[i] = (const char *) sqlite3_column_text (stmt, i);
              if (values[i] != NULL && !chancery_utf8_is_valid (values[i], sqlite3_column_bytes (stmt, i)))
                values[i] = repaired[i] = chancery_utf8_dup (values[i], sqlite3_column_bytes (stmt, i));
            }
          ok = func (values, n, user_data, error);
          for (int i = 0; i < n; i++)
            g_free (repaired[i]);
        }
      else if (rc != SQLITE_DONE)
        ok = set_sqlite_error (error, self->db, rc, self->path);
      sqlite3_reset (stmt);
    }
  if (began)
    exec_sql (self, "COMMIT", NULL);
  end_call (self);

  return ok;
}
