/* chancery-store-query.c: reading events, indexes and facet counts
 *
 * Copyright 2026 The Chancery developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <inttypes.h>
#include <glib/gstdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "chancery-error.h"
#include "chancery-store-internal.h"


/* Row readers shared by load_event_relations and load_chunk_relations:
 * the record's columns start at first (the chunked queries put the event
 * id before them). */


/* Numbers as Chancery writes them (the ranges its importers accept), so
 * that what a database written by another program holds shows and exports
 * as something Chancery can read back: coordinates out of range or not
 * finite count as none, and such an importance as 0. */
static gboolean
column_coordinates (sqlite3_stmt *stmt,
                    int           column,
                    double       *latitude,
                    double       *longitude)
{
  double lat = sqlite3_column_double (stmt, column);
  double lon = sqlite3_column_double (stmt, column + 1);

  *latitude = *longitude = 0;
  if (sqlite3_column_type (stmt, column) == SQLITE_NULL ||
      sqlite3_column_type (stmt, column + 1) == SQLITE_NULL ||
      !(lat >= -90 && lat <= 90) || !(lon >= -180 && lon <= 180))
    return FALSE;
  *latitude = lat;
  *longitude = lon;
  return TRUE;
}

static double
column_importance (sqlite3_stmt *stmt,
                   int           column)
{
  double value = sqlite3_column_double (stmt, column);

  return value >= 0 && value <= CHANCERY_MAX_IMPORTANCE ? value : 0;
}
static ChanceryEventActor *
actor_from_row (sqlite3_stmt *stmt,
                int           first)
{
  ChanceryEventActor *actor = g_new0 (ChanceryEventActor, 1);

  actor->uid = dup_column_text (stmt, first);
  actor->name = dup_column_text (stmt, first + 1);
  actor->title = dup_column_text (stmt, first + 2);
  actor->country = dup_column_text (stmt, first + 3);
  actor->role = CLAMP (sqlite3_column_int (stmt, first + 4), 0, CHANCERY_N_ROLES - 1);
  return actor;
}

static ChanceryEventCountry *
country_from_row (sqlite3_stmt *stmt,
                  int           first)
{
  ChanceryEventCountry *country = g_new0 (ChanceryEventCountry, 1);

  country->code = dup_column_text (stmt, first);
  country->name = dup_column_text (stmt, first + 1);
  return country;
}

static ChanceryEventProject *
project_from_row (sqlite3_stmt *stmt,
                  int           first)
{
  ChanceryEventProject *project = g_new0 (ChanceryEventProject, 1);

  project->uid = dup_column_text (stmt, first);
  project->name = dup_column_text (stmt, first + 1);
  return project;
}

static ChanceryEventSource *
source_from_row (sqlite3_stmt *stmt,
                 int           first)
{
  ChanceryEventSource *source = g_new0 (ChanceryEventSource, 1);

  source->uid = dup_column_text (stmt, first);
  source->publisher = dup_column_text (stmt, first + 1);
  source->title = dup_column_text (stmt, first + 2);
  source->reference = dup_column_text (stmt, first + 3);
  source->url = dup_column_text (stmt, first + 4);
  source->published = dup_column_text (stmt, first + 5);
  source->quote = dup_column_text (stmt, first + 6);
  return source;
}

static ChanceryEventLink *
link_from_row (sqlite3_stmt *stmt,
               int           first)
{
  ChanceryEventLink *link = g_new0 (ChanceryEventLink, 1);

  link->id = sqlite3_column_int64 (stmt, first);
  link->uid = dup_column_text (stmt, first + 1);
  link->title = dup_column_text (stmt, first + 2);
  link->relation = dup_column_text (stmt, first + 3);
  link->outgoing = sqlite3_column_int (stmt, first + 4);
  return link;
}

static gboolean
load_event_relations (ChanceryStore  *self,
                      ChanceryEvent  *event,
                      GError        **error)
{
  sqlite3_stmt *stmt;
  int rc;

  if (!(stmt = get_statement (self,
        "SELECT a.uid, a.name, a.title, a.country, ea.role FROM event_actor ea"
        " JOIN actor a ON a.id = ea.actor_id WHERE ea.event_id = ? ORDER BY ea.role, a.name", error)))
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, event->id);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    g_ptr_array_add (event->actors, actor_from_row (stmt, 0));
  if (sqlite_step_failed (error, self->db, rc, self->path))
    return FALSE;

  if (!(stmt = get_statement (self,
        "SELECT ec.country, ifnull(c.name, ec.country) FROM event_country ec"
        " LEFT JOIN country c ON c.code = ec.country WHERE ec.event_id = ? ORDER BY 2", error)))
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, event->id);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    g_ptr_array_add (event->countries, country_from_row (stmt, 0));
  if (sqlite_step_failed (error, self->db, rc, self->path))
    return FALSE;

  if (!(stmt = get_statement (self,
        "SELECT p.uid, p.name FROM event_project ep JOIN project p ON p.id = ep.project_id"
        " WHERE ep.event_id = ? ORDER BY p.name", error)))
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, event->id);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    g_ptr_array_add (event->projects, project_from_row (stmt, 0));
  if (sqlite_step_failed (error, self->db, rc, self->path))
    return FALSE;

  if (!(stmt = get_statement (self,
        "SELECT s.uid, s.publisher, s.title, s.reference, s.url, s.published, es.quote"
        " FROM event_source es JOIN source s ON s.id = es.source_id"
        " WHERE es.event_id = ? ORDER BY es.position", error)))
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, event->id);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    g_ptr_array_add (event->sources, source_from_row (stmt, 0));
  if (sqlite_step_failed (error, self->db, rc, self->path))
    return FALSE;

  if (!(stmt = get_statement (self,
        "SELECT o.id, l.target_uid, o.title, l.relation, 1 FROM event_link l"
        " JOIN event o ON o.uid = l.target_uid WHERE l.event_id = ?1"
        " UNION ALL"
        " SELECT o.id, o.uid, o.title, l.relation, 0 FROM event_link l"
        " JOIN event o ON o.id = l.event_id WHERE l.target_uid = ?2"
        " ORDER BY 5 DESC, 3", error)))
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, event->id);
  sqlite3_bind_text (stmt, 2, event->uid, -1, SQLITE_TRANSIENT);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    g_ptr_array_add (event->links, link_from_row (stmt, 0));
  if (sqlite_step_failed (error, self->db, rc, self->path))
    return FALSE;

  return TRUE;
}

#define EVENT_COLUMNS \
  "SELECT e.id, e.uid, e.kind, e.status, e.title, e.summary, e.date, p.name, p.country," \
  " p.lat, p.lon, e.cameo, e.importance FROM event e LEFT JOIN place p ON p.id = e.place_id"

static ChanceryEvent *
read_event (ChanceryStore  *self,
            sqlite3_stmt   *stmt,
            GError        **error)
{
  g_autoptr(ChanceryEvent) event = chancery_event_new ();

  event->id = sqlite3_column_int64 (stmt, 0);
  event->uid = dup_column_text (stmt, 1);
  event->kind = CLAMP (sqlite3_column_int (stmt, 2), 0, CHANCERY_KIND_OTHER);
  event->status = CLAMP (sqlite3_column_int (stmt, 3), 0, CHANCERY_N_STATUSES - 1);
  event->title = dup_column_text (stmt, 4);
  event->summary = dup_column_text (stmt, 5);
  event->date_text = dup_column_text (stmt, 6);
  event->place_name = dup_column_text (stmt, 7);
  event->place_country = dup_column_text (stmt, 8);
  if (event->place_country != NULL && event->place_country[0] == '\0')
    g_clear_pointer (&event->place_country, g_free);
  event->has_coordinates = column_coordinates (stmt, 9, &event->latitude, &event->longitude);
  event->cameo = dup_column_text (stmt, 11);
  event->importance = column_importance (stmt, 12);

  if (event->uid == NULL || event->title == NULL || event->date_text == NULL)
    {
      g_set_error (error, CHANCERY_ERROR, CHANCERY_ERROR_CORRUPT,
                   _("%s: event %" PRId64 " is missing its id, title or date"),
                   self->path, event->id);
      return NULL;
    }

  if (!chancery_date_parse (event->date_text, &event->date, error))
    {
      g_prefix_error (error, _("%s: event “%s”: "), self->path, event->uid);
      return NULL;
    }

  return g_steal_pointer (&event);
}

/* The name of the country with code, or NULL if the store has none. */
static gboolean
country_name (ChanceryStore  *self,
              const char     *code,
              char          **name,
              GError        **error)
{
  sqlite3_stmt *stmt;
  gboolean failed;
  int rc;

  *name = NULL;
  if (code == NULL)
    return TRUE;
  if (!(stmt = get_statement (self, "SELECT name FROM country WHERE code = ?", error)))
    return FALSE;
  sqlite3_bind_text (stmt, 1, code, -1, SQLITE_TRANSIENT);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    *name = dup_column_text (stmt, 0);
  failed = sqlite_step_failed (error, self->db, rc, self->path);
  sqlite3_reset (stmt);

  return !failed;
}

/* The names of the place's country and of the actors' countries, which
 * need not be among the event's own countries (GDELT's often are not). */
static gboolean
load_country_names (ChanceryStore  *self,
                    ChanceryEvent  *event,
                    GError        **error)
{
  if (!country_name (self, event->place_country, &event->place_country_name, error))
    return FALSE;
  for (guint i = 0; i < event->actors->len; i++)
    {
      ChanceryEventActor *actor = g_ptr_array_index (event->actors, i);

      if (!country_name (self, actor->country, &actor->country_name, error))
        return FALSE;
    }

  return TRUE;
}

static ChanceryEvent *
get_event_where (ChanceryStore  *self,
                 const char     *sql,
                 gint64          id,
                 const char     *uid,
                 GError        **error)
{
  g_autoptr(ChanceryEvent) event = NULL;
  sqlite3_stmt *stmt;
  int rc;

  if (!(stmt = get_statement (self, sql, error)))
    return NULL;

  if (uid != NULL)
    sqlite3_bind_text (stmt, 1, uid, -1, SQLITE_TRANSIENT);
  else
    sqlite3_bind_int64 (stmt, 1, id);

  rc = sqlite3_step (stmt);
  if (rc == SQLITE_DONE)
    {
      sqlite3_reset (stmt);
      if (uid != NULL)
        g_set_error (error, CHANCERY_ERROR, CHANCERY_ERROR_NOT_FOUND,
                     _("No event with id “%s”"), uid);
      else
        g_set_error (error, CHANCERY_ERROR, CHANCERY_ERROR_NOT_FOUND,
                     _("No event number %" PRId64), id);
      return NULL;
    }
  if (rc != SQLITE_ROW)
    {
      sqlite3_reset (stmt);
      set_sqlite_error (error, self->db, rc, self->path);
      return NULL;
    }

  event = read_event (self, stmt, error);
  sqlite3_reset (stmt);
  if (event == NULL || !load_event_relations (self, event, error) ||
      !load_country_names (self, event, error))
    return NULL;

  return g_steal_pointer (&event);
}

ChanceryEvent *
chancery_store_get_event (ChanceryStore  *self,
                          gint64          id,
                          GError        **error)
{
  ChanceryEvent *event;

  g_return_val_if_fail (CHANCERY_IS_STORE (self), NULL);

  begin_call (self, NULL);
  event = get_event_where (self, EVENT_COLUMNS " WHERE e.id = ?", id, NULL, error);
  end_call (self);

  return event;
}

ChanceryEvent *
chancery_store_get_event_by_uid (ChanceryStore  *self,
                                 const char     *uid,
                                 GError        **error)
{
  ChanceryEvent *event;

  g_return_val_if_fail (CHANCERY_IS_STORE (self), NULL);
  g_return_val_if_fail (uid != NULL, NULL);

  begin_call (self, NULL);
  event = get_event_where (self, EVENT_COLUMNS " WHERE e.uid = ?", 0, uid, error);
  end_call (self);

  return event;
}

/* Exports and the command line's list give events in the event list's
 * date order (chancery_index_date_order_get_position), not in SQL's time
 * order (lo_day, hi_day, id): an event with an open start whose end is
 * known ("before 8 December 2025") comes where its end point begins, not
 * at its soft start a year before. Such events are few. They are read
 * first, in one pass over the table in row id order (~0.2 s at a million
 * events), and merged into the time order. */

typedef struct
{
  ChanceryIndexEvent event;
  gint32             key;
} Moved;

static int
compare_moved (gconstpointer a,
               gconstpointer b)
{
  const Moved *x = a, *y = b;

  /* Then as the index orders them, as chancery-index.c sorts its own. */
  if (x->key != y->key)
    return x->key < y->key ? -1 : 1;
  if (x->event.lo != y->event.lo)
    return x->event.lo < y->event.lo ? -1 : 1;
  if (x->event.hi != y->event.hi)
    return x->event.hi < y->event.hi ? -1 : 1;
  return x->event.id < y->event.id ? -1 : x->event.id > y->event.id;
}

G_STATIC_ASSERT (CHANCERY_INDEX_OPEN_START == 1 && CHANCERY_INDEX_OPEN_END == 2);

/* The events of filter that move in date order, sorted by where they go. */
static GArray *
query_moved_locked (ChanceryStore         *self,
                    const ChanceryFilter  *filter,
                    GError               **error)
{
  /* 1 and 3: CHANCERY_INDEX_OPEN_START, and it with CHANCERY_INDEX_OPEN_END.
   * NOT INDEXED: with a date in the filter, SQLite would otherwise walk
   * event_by_time and read each row it names at random for its flags
   * (2.8 s against 0.05 s at 400k events); row ids (the filter's
   * "e.id IN (...)") are still looked up directly. */
  g_autoptr(GString) sql = g_string_new ("SELECT e.id, e.lo_day, e.hi_day, e.precision, e.flags"
                                         " FROM event e NOT INDEXED WHERE (e.flags & 3) = 1");
  g_autoptr(GArray) binds = new_binds ();
  g_autoptr(GArray) moved = g_array_new (FALSE, FALSE, sizeof (Moved));
  g_autoptr(sqlite3_stmt) stmt = NULL;
  int rc;

  append_conditions (sql, binds, filter, -1);
  if (!(stmt = prepare_with_binds (self, sql->str, binds, error)))
    return NULL;

  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      Moved m;

      /* As the index reads the row, clamped, so that both agree. */
      chancery_index_event_init_raw (&m.event, sqlite3_column_int64 (stmt, 0),
                                     sqlite3_column_int (stmt, 1), sqlite3_column_int (stmt, 2),
                                     0, 0, sqlite3_column_int (stmt, 3), sqlite3_column_int (stmt, 4));
      if (!chancery_index_event_moves_in_date_order (&m.event))
        continue;
      m.key = chancery_index_event_get_date_order_key (&m.event);
      g_array_append_val (moved, m);
    }
  if (sqlite_step_failed (error, self->db, rc, self->path))
    return NULL;

  g_array_sort (moved, compare_moved);
  return g_steal_pointer (&moved);
}

/* The ids of filter's events in date order. */
static GArray *
query_ids_locked (ChanceryStore         *self,
                  const ChanceryFilter  *filter,
                  GError               **error)
{
  g_autoptr(GString) sql = g_string_new ("SELECT e.id, e.lo_day FROM event e WHERE 1");
  g_autoptr(GArray) binds = new_binds ();
  g_autoptr(GArray) ids = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autoptr(GArray) moved = NULL;
  g_autoptr(GHashTable) moved_ids = g_hash_table_new (g_int64_hash, g_int64_equal);
  g_autoptr(sqlite3_stmt) stmt = NULL;
  guint next = 0;
  int rc;

  if (!(moved = query_moved_locked (self, filter, error)))
    return NULL;
  for (guint i = 0; i < moved->len; i++)
    g_hash_table_add (moved_ids, &g_array_index (moved, Moved, i).event.id);

  append_conditions (sql, binds, filter, -1);
  g_string_append (sql, " ORDER BY e.lo_day, e.hi_day, e.id");
  if (!(stmt = prepare_with_binds (self, sql->str, binds, error)))
    return NULL;

  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      gint64 id = sqlite3_column_int64 (stmt, 0);
      gint32 lo = sqlite3_column_int (stmt, 1);

      if (moved->len > 0 && g_hash_table_contains (moved_ids, &id))
        continue;
      /* The events that move to lo or before come before this one. */
      for (; next < moved->len && g_array_index (moved, Moved, next).key <= lo; next++)
        g_array_append_val (ids, g_array_index (moved, Moved, next).event.id);
      g_array_append_val (ids, id);
    }
  if (sqlite_step_failed (error, self->db, rc, self->path))
    return NULL;
  for (; next < moved->len; next++)
    g_array_append_val (ids, g_array_index (moved, Moved, next).event.id);

  return g_steal_pointer (&ids);
}

GArray *
chancery_store_query_ids (ChanceryStore         *self,
                          const ChanceryFilter  *filter,
                          GCancellable          *cancellable,
                          GError               **error)
{
  GArray *ids = NULL;
  gboolean in_transaction;

  g_return_val_if_fail (CHANCERY_IS_STORE (self), NULL);

  begin_call (self, cancellable);
  /* Both of its statements read the same snapshot. */
  in_transaction = !sqlite3_get_autocommit (self->db);
  if (in_transaction || exec_sql (self, "BEGIN", error))
    ids = query_ids_locked (self, filter, error);
  if (!in_transaction)
    exec_sql (self, ids != NULL ? "COMMIT" : "ROLLBACK", NULL);
  end_call (self);

  return ids;
}

/* The second half of the chunk link query: incoming links, whose target
 * is in the chunk (parameters CHUNK_SIZE + 1 ...). */
#define chunk_tail_incoming_links \
  " UNION ALL SELECT x.id, o.id, o.uid, o.title, l.relation, 0 FROM event_link l" \
  " JOIN event x ON x.uid = l.target_uid JOIN event o ON o.id = l.event_id" \
  " WHERE x.id IN (@IDS@) ORDER BY 1, 6 DESC, 4"

/* SQLite caps it at its compile-time limit (2 GB on Debian). */
#define EXPORT_MMAP_SIZE 8589934592

/* Events for export come in chunks: one statement per relation per chunk
 * instead of six statements per event. */
#define CHUNK_SIZE 256

/* before IN (?1, ..., ?CHUNK_SIZE) after, where after may say @IDS@ for
 * the same list again. */
static char *
chunk_sql (const char *before,
           const char *after)
{
  g_autoptr(GString) ids = g_string_new (NULL);
  GString *sql = g_string_new (before);

  for (guint i = 1; i <= CHUNK_SIZE; i++)
    g_string_append_printf (ids, i == 1 ? "?%u" : ", ?%u", i);
  g_string_append_printf (sql, " IN (%s)", ids->str);
  g_string_append (sql, after);
  g_string_replace (sql, "@IDS@", ids->str, 0);
  return g_string_free (sql, FALSE);
}

/* A cached statement whose first CHUNK_SIZE parameters are the ids of
 * events (unused ones NULL, which match nothing). */
static sqlite3_stmt *
get_chunk_statement (ChanceryStore  *self,
                     const char     *before,
                     const char     *after,
                     GPtrArray      *events,
                     GError        **error)
{
  g_autofree char *sql = chunk_sql (before, after);
  sqlite3_stmt *stmt = get_statement (self, sql, error);

  if (stmt == NULL)
    return NULL;
  for (guint i = 0; i < events->len; i++)
    sqlite3_bind_int64 (stmt, i + 1, ((ChanceryEvent *) g_ptr_array_index (events, i))->id);
  return stmt;
}

static ChanceryEvent *
chunk_lookup (GHashTable   *by_id,
              sqlite3_stmt *stmt)
{
  gint64 id = sqlite3_column_int64 (stmt, 0);

  return g_hash_table_lookup (by_id, &id);
}

/* The same relations as load_event_relations, in the same order, for
 * every event of a chunk. */
static gboolean
load_chunk_relations (ChanceryStore  *self,
                      GPtrArray      *events,
                      GError        **error)
{
  g_autoptr(GHashTable) by_id = g_hash_table_new (g_int64_hash, g_int64_equal);
  sqlite3_stmt *stmt;
  ChanceryEvent *event;
  int rc;

  for (guint i = 0; i < events->len; i++)
    {
      event = g_ptr_array_index (events, i);
      g_hash_table_insert (by_id, &event->id, event);
    }

  if (!(stmt = get_chunk_statement (self,
        "SELECT ea.event_id, a.uid, a.name, a.title, a.country, ea.role FROM event_actor ea"
        " JOIN actor a ON a.id = ea.actor_id WHERE ea.event_id",
        " ORDER BY ea.event_id, ea.role, a.name", events, error)))
    return FALSE;
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    if ((event = chunk_lookup (by_id, stmt)))
      g_ptr_array_add (event->actors, actor_from_row (stmt, 1));
  sqlite3_reset (stmt);
  if (sqlite_step_failed (error, self->db, rc, self->path))
    return FALSE;

  if (!(stmt = get_chunk_statement (self,
        "SELECT ec.event_id, ec.country, ifnull(c.name, ec.country) FROM event_country ec"
        " LEFT JOIN country c ON c.code = ec.country WHERE ec.event_id",
        " ORDER BY ec.event_id, 3", events, error)))
    return FALSE;
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    if ((event = chunk_lookup (by_id, stmt)))
      g_ptr_array_add (event->countries, country_from_row (stmt, 1));
  sqlite3_reset (stmt);
  if (sqlite_step_failed (error, self->db, rc, self->path))
    return FALSE;

  if (!(stmt = get_chunk_statement (self,
        "SELECT ep.event_id, p.uid, p.name FROM event_project ep"
        " JOIN project p ON p.id = ep.project_id WHERE ep.event_id",
        " ORDER BY ep.event_id, p.name", events, error)))
    return FALSE;
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    if ((event = chunk_lookup (by_id, stmt)))
      g_ptr_array_add (event->projects, project_from_row (stmt, 1));
  sqlite3_reset (stmt);
  if (sqlite_step_failed (error, self->db, rc, self->path))
    return FALSE;

  if (!(stmt = get_chunk_statement (self,
        "SELECT es.event_id, s.uid, s.publisher, s.title, s.reference, s.url, s.published, es.quote"
        " FROM event_source es JOIN source s ON s.id = es.source_id WHERE es.event_id",
        " ORDER BY es.event_id, es.position", events, error)))
    return FALSE;
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    if ((event = chunk_lookup (by_id, stmt)))
      g_ptr_array_add (event->sources, source_from_row (stmt, 1));
  sqlite3_reset (stmt);
  if (sqlite_step_failed (error, self->db, rc, self->path))
    return FALSE;

  /* Outgoing links (this event -> o), then incoming (o -> this event x). */
  if (!(stmt = get_chunk_statement (self,
        "SELECT l.event_id, o.id, l.target_uid, o.title, l.relation, 1 FROM event_link l"
        " JOIN event o ON o.uid = l.target_uid WHERE l.event_id",
        chunk_tail_incoming_links, events, error)))
    return FALSE;
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    if ((event = chunk_lookup (by_id, stmt)))
      g_ptr_array_add (event->links, link_from_row (stmt, 1));
  sqlite3_reset (stmt);
  if (sqlite_step_failed (error, self->db, rc, self->path))
    return FALSE;

  return TRUE;
}

/* The events of ids, in that order, with their relations, in chunks: for
 * the ranked export of a few events, which has them in time order already
 * and so need not run the filter and its sort again. func gets each
 * event's index in ids as its rank. */
static gboolean
foreach_event_by_ids_locked (ChanceryStore            *self,
                             GArray                   *ids,
                             ChanceryRankedEventFunc   func,
                             gpointer                  user_data,
                             GCancellable             *cancellable,
                             GError                  **error)
{
  g_autoptr(GPtrArray) chunk = g_ptr_array_new_with_free_func ((GDestroyNotify) chancery_event_free);
  g_autoptr(GHashTable) slots = g_hash_table_new (g_int64_hash, g_int64_equal);
  g_autofree char *sql = chunk_sql (EVENT_COLUMNS " WHERE e.id", "");

  for (guint start = 0; start < ids->len; start += CHUNK_SIZE)
    {
      guint n = MIN (CHUNK_SIZE, ids->len - start);
      sqlite3_stmt *stmt = get_statement (self, sql, error);
      int rc;

      if (stmt == NULL)
        return FALSE;
      g_ptr_array_set_size (chunk, 0);
      g_ptr_array_set_size (chunk, n);
      g_hash_table_remove_all (slots);
      for (guint i = 0; i < n; i++)
        {
          gint64 *id = &g_array_index (ids, gint64, start + i);

          sqlite3_bind_int64 (stmt, i + 1, *id);
          g_hash_table_insert (slots, id, GUINT_TO_POINTER (i + 1));
        }

      /* Rows come in row id order: each goes to its place in time order. */
      while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
        {
          gint64 id = sqlite3_column_int64 (stmt, 0);
          guint slot = GPOINTER_TO_UINT (g_hash_table_lookup (slots, &id));
          ChanceryEvent *event;

          if (slot == 0 || chunk->pdata[slot - 1] != NULL)
            continue;
          if (!(event = read_event (self, stmt, error)))
            {
              sqlite3_reset (stmt);
              return FALSE;
            }
          chunk->pdata[slot - 1] = event;
        }
      sqlite3_reset (stmt);
      if (sqlite_step_failed (error, self->db, rc, self->path))
        return FALSE;

      /* The ids were read in the same transaction: every row is there. */
      for (guint i = 0; i < n; i++)
        if (chunk->pdata[i] == NULL)
          {
            g_set_error (error, CHANCERY_ERROR, CHANCERY_ERROR_CORRUPT,
                         _("%s: event %" PRId64 " is missing"), self->path,
                         g_array_index (ids, gint64, start + i));
            return FALSE;
          }

      if (!load_chunk_relations (self, chunk, error))
        return FALSE;

      for (guint i = 0; i < n; i++)
        {
          if (g_cancellable_set_error_if_cancelled (cancellable, error) ||
              !func (g_ptr_array_index (chunk, i), start + i, user_data, error))
            return FALSE;
        }
    }

  return TRUE;
}

typedef struct
{
  ChanceryEventFunc func;
  gpointer          user_data;
} Unranked;

static gboolean
unranked_cb (ChanceryEvent  *event,
             guint           rank,
             gpointer        user_data,
             GError        **error)
{
  Unranked *data = user_data;

  return data->func (event, data->user_data, error);
}

/* filter's events in date order (query_ids_locked), in chunks. */
static gboolean
foreach_event_locked (ChanceryStore         *self,
                      const ChanceryFilter  *filter,
                      ChanceryEventFunc      func,
                      gpointer               user_data,
                      GCancellable          *cancellable,
                      GError               **error)
{
  g_autoptr(GArray) ids = NULL;
  Unranked unranked = { func, user_data };

  if (!(ids = query_ids_locked (self, filter, error)))
    return FALSE;
  return foreach_event_by_ids_locked (self, ids, unranked_cb, &unranked, cancellable, error);
}

gboolean
chancery_store_foreach_event (ChanceryStore         *self,
                              const ChanceryFilter  *filter,
                              ChanceryEventFunc      func,
                              gpointer               user_data,
                              GCancellable          *cancellable,
                              GError               **error)
{
  gboolean in_transaction;
  gboolean ok;

  g_return_val_if_fail (CHANCERY_IS_STORE (self), FALSE);
  g_return_val_if_fail (func != NULL, FALSE);

  begin_call (self, cancellable);
  /* Events in time order are scattered over the file: five or six random
   * page reads each. Through a memory map they cost no system call and no
   * copy (an export runs three to ten times faster at a million events).
   * Only for this bulk read: mapped pages count in the resident size. */
  sqlite3_exec (self->db, "PRAGMA mmap_size = " G_STRINGIFY (EXPORT_MMAP_SIZE), NULL, NULL, NULL);
  /* One read transaction for all the statements: one lock, one snapshot. */
  in_transaction = !sqlite3_get_autocommit (self->db);
  ok = (in_transaction || exec_sql (self, "BEGIN", error)) &&
       foreach_event_locked (self, filter, func, user_data, cancellable, error);
  if (!in_transaction)
    exec_sql (self, ok ? "COMMIT" : "ROLLBACK", NULL);
  sqlite3_exec (self->db, "PRAGMA mmap_size = 0", NULL, NULL, NULL);
  end_call (self);

  return ok;
}

/* Events in file order, for exports of many events (see
 * chancery_store_foreach_event_ranked in chancery-store-private.h).
 *
 * In time order every event is a seek somewhere else in the file, and so
 * is each of its relation lists: at a million events that is millions of
 * B-tree descents. In row id order the event table and the relation
 * tables (keyed by event id) are each read front to back, side by side
 * (a merge join), and the records they point to (actors, projects,
 * sources, places, country names) are read once into memory. */

typedef struct
{
  const char *uid, *name, *title, *country;
} ScanActor;

typedef struct
{
  const char *uid, *name;
} ScanProject;

typedef struct
{
  const char *uid, *publisher, *title, *reference, *url, *published;
} ScanSource;

typedef struct
{
  const char *name, *country;
  gboolean    has_coordinates;
  double      latitude, longitude;
} ScanPlace;

typedef struct
{
  gint64    event_id;   /* the event the link belongs to */
  gint64    other_id;
  char     *uid, *title, *relation;
  gboolean  outgoing;
} ScanLink;

/* When the next selected event is more than this many ids ahead, a
 * reader searches for it (a B-tree descent, ~1-2 µs) instead of stepping
 * over the rows in between (~0.1 µs each, several per event in the
 * relation tables). An export of a part of the events then reads the
 * rows of the events selected and few others; an export of everything
 * searches only past runs of deleted events. */
#define SCAN_SEEK_GAP 4

/* A statement over a relation table in event id order, from the event id
 * bound to ?1; column 0 is the event id. */
typedef struct
{
  sqlite3_stmt *stmt;
  gboolean      valid;
  gint64        event_id;
} ScanCursor;

typedef struct
{
  sqlite3      *db;         /* the store's connection, or one of the scan's own */
  sqlite3      *rel_db;     /* for the relation cursors: the same, or another of its own */
  const char   *path;
  GStringChunk *strings;
  GArray       *actors;     /* ScanActor, by row id */
  GArray       *projects;   /* ScanProject, by row id */
  GArray       *sources;    /* ScanSource, by row id */
  GArray       *places;     /* ScanPlace, by row id */
  GHashTable   *countries;  /* code -> name */
  GArray       *links;      /* ScanLink, by event id, then as load_chunk_relations orders them */
  ScanCursor    cursors[4]; /* actor, country, project, source */
  gboolean      sparse;     /* row ids too sparse for arrays, or not UTF-8: scan_open failed, error unset */
  const gint   *stop;       /* atomic, or NULL: the scan will not be used, scan_open stops */
} Scan;

static void
scan_clear (Scan *scan)
{
  for (guint i = 0; i < G_N_ELEMENTS (scan->cursors); i++)
    g_clear_pointer (&scan->cursors[i].stmt, sqlite3_finalize);
  if (scan->links != NULL)
    {
      for (guint i = 0; i < scan->links->len; i++)
        {
          ScanLink *link = &g_array_index (scan->links, ScanLink, i);

          g_free (link->uid);
          g_free (link->title);
          g_free (link->relation);
        }
      g_array_unref (scan->links);
    }
  g_clear_pointer (&scan->actors, g_array_unref);
  g_clear_pointer (&scan->projects, g_array_unref);
  g_clear_pointer (&scan->sources, g_array_unref);
  g_clear_pointer (&scan->places, g_array_unref);
  g_clear_pointer (&scan->countries, g_hash_table_unref);
  g_clear_pointer (&scan->strings, g_string_chunk_free);
}

static const char *
scan_text (Scan         *scan,
           sqlite3_stmt *stmt,
           int           column)
{
  const char *text = (const char *) sqlite3_column_text (stmt, column);
  gsize len = sqlite3_column_bytes (stmt, column);
  g_autofree char *repaired = NULL;

  if (text == NULL)
    return NULL;
  if (!chancery_utf8_is_valid (text, len))
    text = repaired = chancery_utf8_dup (text, len);

  return g_string_chunk_insert (scan->strings, text);
}

/* Reads "SELECT id, ..." into records (element_size each) indexed by id;
 * fill() copies one row. FALSE with error unset when the ids are too
 * sparse for an array. */
/* Whether scan_open should stop (between its statements; within one, the
 * progress handler of scan_open_stoppable () interrupts it). */
static gboolean
scan_stopped (Scan    *scan,
              GError **error)
{
  if (scan->stop == NULL || !g_atomic_int_get (scan->stop))
    return FALSE;
  g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_CANCELLED, "not scanning after all");
  return TRUE;
}

static gboolean
scan_load_table (Scan           *scan,
                 const char     *sql,
                 GArray        **records,
                 gsize           element_size,
                 void          (*fill) (Scan *, sqlite3_stmt *, gpointer),
                 GError        **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  guint n = 0;
  int rc;

  if (scan_stopped (scan, error))
    return FALSE;
  if ((rc = sqlite3_prepare_v2 (scan->db, sql, -1, &stmt, NULL)) != SQLITE_OK)
    return set_sqlite_error (error, scan->db, rc, scan->path);

  *records = g_array_sized_new (FALSE, TRUE, element_size, 1024);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      gint64 id = sqlite3_column_int64 (stmt, 0);

      n++;
      if (id < 0 || (guint64) id > 4 * (guint64) n + 65536)
        {
          scan->sparse = TRUE;
          return FALSE;
        }
      if ((guint) id >= (*records)->len)
        g_array_set_size (*records, id + 1);
      fill (scan, stmt, (*records)->data + id * element_size);
    }
  if (sqlite_step_failed (error, scan->db, rc, scan->path))
    return FALSE;

  return TRUE;
}

static void
fill_actor (Scan *scan, sqlite3_stmt *stmt, gpointer data)
{
  ScanActor *actor = data;

  actor->uid = scan_text (scan, stmt, 1);
  actor->name = scan_text (scan, stmt, 2);
  actor->title = scan_text (scan, stmt, 3);
  actor->country = scan_text (scan, stmt, 4);
}

static void
fill_project (Scan *scan, sqlite3_stmt *stmt, gpointer data)
{
  ScanProject *project = data;

  project->uid = scan_text (scan, stmt, 1);
  project->name = scan_text (scan, stmt, 2);
}

static void
fill_source (Scan *scan, sqlite3_stmt *stmt, gpointer data)
{
  ScanSource *source = data;

  source->uid = scan_text (scan, stmt, 1);
  source->publisher = scan_text (scan, stmt, 2);
  source->title = scan_text (scan, stmt, 3);
  source->reference = scan_text (scan, stmt, 4);
  source->url = scan_text (scan, stmt, 5);
  source->published = scan_text (scan, stmt, 6);
}

static void
fill_place (Scan *scan, sqlite3_stmt *stmt, gpointer data)
{
  ScanPlace *place = data;

  place->name = scan_text (scan, stmt, 1);
  place->country = scan_text (scan, stmt, 2);
  if (place->country != NULL && place->country[0] == '\0')
    place->country = NULL;
  place->has_coordinates = column_coordinates (stmt, 3, &place->latitude, &place->longitude);
}

static int
compare_scan_links (gconstpointer a,
                    gconstpointer b)
{
  const ScanLink *x = a, *y = b;

  if (x->event_id != y->event_id)
    return x->event_id < y->event_id ? -1 : 1;
  if (x->outgoing != y->outgoing)
    return x->outgoing ? -1 : 1;
  return g_strcmp0 (x->title, y->title);
}

/* Links are few: all of them, both ways, in memory. */
static gboolean
scan_load_links (Scan           *scan,
                 GError        **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  int rc;

  if ((rc = sqlite3_prepare_v2 (scan->db,
        "SELECT l.event_id, o.id, l.target_uid, o.title, l.relation, 1 FROM event_link l"
        " JOIN event o ON o.uid = l.target_uid"
        " UNION ALL SELECT x.id, o.id, o.uid, o.title, l.relation, 0 FROM event_link l"
        " JOIN event x ON x.uid = l.target_uid JOIN event o ON o.id = l.event_id",
        -1, &stmt, NULL)) != SQLITE_OK)
    return set_sqlite_error (error, scan->db, rc, scan->path);

  scan->links = g_array_new (FALSE, TRUE, sizeof (ScanLink));
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      ScanLink link;

      link.event_id = sqlite3_column_int64 (stmt, 0);
      link.other_id = sqlite3_column_int64 (stmt, 1);
      link.uid = dup_column_text (stmt, 2);
      link.title = dup_column_text (stmt, 3);
      link.relation = dup_column_text (stmt, 4);
      link.outgoing = sqlite3_column_int (stmt, 5);
      g_array_append_val (scan->links, link);
    }
  if (sqlite_step_failed (error, scan->db, rc, scan->path))
    return FALSE;

  g_array_sort (scan->links, compare_scan_links);
  return TRUE;
}

static gboolean
cursor_next (Scan           *scan,
             ScanCursor     *cursor,
             GError        **error)
{
  int rc = sqlite3_step (cursor->stmt);

  /* An event id that is text or a blob (a file edited by hand: the tables
   * are not STRICT) sorts after every number, so it ends the cursor; read
   * as a number it would send the cursor back to its start. */
  cursor->valid = rc == SQLITE_ROW &&
                  (sqlite3_column_type (cursor->stmt, 0) == SQLITE_INTEGER ||
                   sqlite3_column_type (cursor->stmt, 0) == SQLITE_FLOAT);
  if (cursor->valid)
    cursor->event_id = sqlite3_column_int64 (cursor->stmt, 0);
  else if (rc != SQLITE_DONE && rc != SQLITE_ROW)
    return set_sqlite_error (error, scan->rel_db, rc, scan->path);
  return TRUE;
}

static gboolean
cursor_open (Scan           *scan,
             ScanCursor     *cursor,
             const char     *sql,
             GError        **error)
{
  int rc = sqlite3_prepare_v2 (scan->rel_db, sql, -1, &cursor->stmt, NULL);

  if (rc != SQLITE_OK)
    return set_sqlite_error (error, scan->rel_db, rc, scan->path);
  sqlite3_bind_int64 (cursor->stmt, 1, G_MININT64);
  return cursor_next (scan, cursor, error);
}

/* Moves the cursor to the first row of event id (or past it); TRUE in
 * *here when that row is the event's. */
static gboolean
cursor_seek (Scan           *scan,
             ScanCursor     *cursor,
             gint64          id,
             gboolean       *here,
             GError        **error)
{
  while (cursor->valid && cursor->event_id < id)
    if (!cursor_next (scan, cursor, error))
      return FALSE;
  *here = cursor->valid && cursor->event_id == id;
  return TRUE;
}

/* Moves the cursor to the first row of event id (>= 0) or after, by a new
 * search when id is far ahead (see SCAN_SEEK_GAP). */
static gboolean
cursor_skip_to (Scan           *scan,
                ScanCursor     *cursor,
                gint64          id,
                GError        **error)
{
  gboolean here;

  if (!cursor->valid || cursor->event_id >= id)
    return TRUE;
  if (cursor->event_id >= id - SCAN_SEEK_GAP)
    return cursor_seek (scan, cursor, id, &here, error);

  sqlite3_reset (cursor->stmt);
  sqlite3_bind_int64 (cursor->stmt, 1, id);
  return cursor_next (scan, cursor, error);
}

static int
compare_actors (gconstpointer a,
                gconstpointer b)
{
  const ChanceryEventActor *x = *(ChanceryEventActor * const *) a;
  const ChanceryEventActor *y = *(ChanceryEventActor * const *) b;

  if (x->role != y->role)
    return x->role < y->role ? -1 : 1;
  return g_strcmp0 (x->name, y->name);
}

static int
compare_countries (gconstpointer a,
                   gconstpointer b)
{
  const ChanceryEventCountry *x = *(ChanceryEventCountry * const *) a;
  const ChanceryEventCountry *y = *(ChanceryEventCountry * const *) b;

  return g_strcmp0 (x->name, y->name);
}

static int
compare_projects (gconstpointer a,
                  gconstpointer b)
{
  const ChanceryEventProject *x = *(ChanceryEventProject * const *) a;
  const ChanceryEventProject *y = *(ChanceryEventProject * const *) b;

  return g_strcmp0 (x->name, y->name);
}

/* A slot of a reusable array of structures of type T. */
#define SLOT(array, T, i) \
  ((array)->len <= (i) ? g_array_set_size ((array), (i) + 1) : (array), \
   &g_array_index ((array), T, (i)))

/* The scan runs on three threads: one reader steps through the event
 * table, another through the four relation tables side by side, and each
 * copies what the selected events need into blocks (texts, and pointers to
 * the records they refer to); the calling thread merges the two streams by
 * event id, turns them into events and calls the export's function.
 * Reading SQLite and formatting take about the same time, so on two cores
 * they overlap. A few blocks circulate between each reader and the calling
 * thread, so memory stays bounded whatever the size of the store. */

#define BLOCK_EVENTS 1024
#define BLOCK_TEXT   (64 * 1024 * 1024)   /* a block is passed on past this, whatever its count */
#define N_BLOCKS     4
#define NO_TEXT      G_MAXUINT32

typedef struct
{
  const char *code, *name;
} ScanCountry;

typedef struct
{
  gint64  id;
  gint64  place_id;     /* -1 when none */
  double  importance;
  guint32 rank;
  gint32  kind, status;
  guint32 uid, title, summary, date, cameo;   /* offsets into the block's text */
  guint32 first_relation;   /* in a block of relations: the event's */
  guint32 n_actors, n_countries, n_projects, n_sources;
} PackedEvent;

/* An actor (value: role), country, project or source (value: position,
 * quote: offset into the block's text) of a packed event. */
typedef struct
{
  gconstpointer record;
  gint64        value;
  guint32       quote;
} PackedRelation;

typedef struct
{
  GArray   *events;      /* PackedEvent */
  GArray   *relations;   /* PackedRelation */
  GString  *text;
  gboolean  last;        /* the reader is done (error set when it failed) */
  GError   *error;
} ScanBlock;

typedef struct
{
  Scan           *scan;
  const guint32  *ranks;
  gint64          max_id;
  GAsyncQueue    *full;
  GAsyncQueue    *empty;
  gint            stop;       /* atomic: the consumer gave up */
  GPtrArray      *countries;  /* ScanCountry, owned */
  GHashTable     *by_code;    /* code -> ScanCountry, for codes not of 3 capitals */
  ScanCountry   **by_alpha3;  /* 26^3 */
} ScanReader;

/* The first selected event id from id on, or max_id + 1 when there is
 * none. A reader asks in increasing order, so all its questions together
 * look at each rank once. */
static gint64
reader_next_selected (const ScanReader *reader,
                      gint64            id)
{
  for (id = MAX (id, 0); id <= reader->max_id; id++)
    if (reader->ranks[id] != 0)
      return id;
  return reader->max_id + 1;
}

static ScanBlock *
scan_block_new (void)
{
  ScanBlock *block = g_new0 (ScanBlock, 1);

  block->events = g_array_sized_new (FALSE, FALSE, sizeof (PackedEvent), BLOCK_EVENTS);
  block->relations = g_array_sized_new (FALSE, FALSE, sizeof (PackedRelation), 8 * BLOCK_EVENTS);
  block->text = g_string_sized_new (1024 * BLOCK_EVENTS);
  return block;
}

static void
scan_block_free (ScanBlock *block)
{
  g_array_unref (block->events);
  g_array_unref (block->relations);
  g_string_free (block->text, TRUE);
  g_clear_error (&block->error);
  g_free (block);
}

static void
scan_block_reset (ScanBlock *block)
{
  g_array_set_size (block->events, 0);
  g_array_set_size (block->relations, 0);
  g_string_truncate (block->text, 0);
}

/* Copies a text column into the block, NUL included, repaired if it is
 * not UTF-8 (chancery-utf8.c). The bytes are read
 * as a blob: for text, sqlite3_column_text() would first copy the value to
 * end it with NUL (text in a UTF-8 database is stored as UTF-8). */
static guint32
pack_text (ScanBlock    *block,
           sqlite3_stmt *stmt,
           int           column)
{
  gsize offset = block->text->len;
  const void *bytes;
  int len;

  if (sqlite3_column_type (stmt, column) == SQLITE_NULL)
    return NO_TEXT;
  bytes = sqlite3_column_blob (stmt, column);
  len = sqlite3_column_bytes (stmt, column);
  if (len > 0 && !chancery_utf8_is_valid (bytes, len))
    {
      chancery_utf8_append (block->text, bytes, len);
      g_string_append_c (block->text, '\0');
      return offset;
    }
  if (block->text->len + len + 1 >= block->text->allocated_len)
    g_string_set_size (block->text, block->text->len + len + 1);
  else
    block->text->len += len + 1;
  if (len > 0)
    memcpy (block->text->str + offset, bytes, len);
  block->text->str[offset + len] = '\0';
  return offset;
}

static gboolean
is_alpha3 (const char *code,
           int         len)
{
  return len == 3 &&
         code[0] >= 'A' && code[0] <= 'Z' &&
         code[1] >= 'A' && code[1] <= 'Z' &&
         code[2] >= 'A' && code[2] <= 'Z';
}

/* The country of a code, made when the code is not in the country table
 * (then its name is the code, as "ifnull(c.name, ec.country)" gives). */
static const ScanCountry *
reader_country (ScanReader *reader,
                const char *code,
                int         len)
{
  ScanCountry **slot = NULL;
  ScanCountry *country;
  const char *stored;

  if (is_alpha3 (code, len))
    {
      slot = &reader->by_alpha3[((code[0] - 'A') * 26 + code[1] - 'A') * 26 + code[2] - 'A'];
      if (*slot != NULL)
        return *slot;
    }
  else if ((country = g_hash_table_lookup (reader->by_code, code)) != NULL)
    return country;

  country = g_new (ScanCountry, 1);
  stored = g_string_chunk_insert_const (reader->scan->strings, code);
  if (chancery_utf8_is_valid (code, len))
    country->code = stored;
  else
    {
      g_autofree char *repaired = chancery_utf8_dup (code, len);

      country->code = g_string_chunk_insert_const (reader->scan->strings, repaired);
    }
  country->name = g_hash_table_lookup (reader->scan->countries, code);
  if (country->name == NULL)
    country->name = country->code;
  g_ptr_array_add (reader->countries, country);
  if (slot != NULL)
    *slot = country;
  else
    g_hash_table_insert (reader->by_code, (gpointer) stored, country);
  return country;
}

static void
pack_relation (ScanBlock     *block,
               gconstpointer  record,
               gint64         value,
               guint32        quote)
{
  PackedRelation relation = { record, value, quote };

  g_array_append_val (block->relations, relation);
}

/* Packs the rows of relation cursor k for event id; returns how many. */
static guint
pack_relations (ScanReader  *reader,
                ScanBlock   *block,
                guint        k,
                gint64       id,
                GError     **error)
{
  ScanCursor *cursor = &reader->scan->cursors[k];
  Scan *scan = reader->scan;
  gboolean here;
  guint n = 0;

  if (!cursor_seek (scan, cursor, id, &here, error))
    return G_MAXUINT;
  while (here)
    {
      sqlite3_stmt *c = cursor->stmt;

      if (k == 1)
        {
          const char *code = (const char *) sqlite3_column_text (c, 1);

          if (code != NULL)
            {
              pack_relation (block, reader_country (reader, code, sqlite3_column_bytes (c, 1)), 0, NO_TEXT);
              n++;
            }
        }
      else
        {
          gint64 ref = sqlite3_column_int64 (c, 1);
          GArray *records = k == 0 ? scan->actors : k == 2 ? scan->projects : scan->sources;
          gconstpointer record = NULL;

          /* A row id that is not in the table: left out, as the join did. */
          if (ref >= 0 && (guint64) ref < records->len)
            {
              record = records->data + ref * g_array_get_element_size (records);
              if (*(const char * const *) record == NULL)   /* uid: no such row */
                record = NULL;
            }
          if (record != NULL)
            {
              if (k == 0)
                pack_relation (block, record, sqlite3_column_int (c, 2), NO_TEXT);
              else if (k == 2)
                pack_relation (block, record, 0, NO_TEXT);
              else
                pack_relation (block, record, sqlite3_column_int64 (c, 3), pack_text (block, c, 2));
              n++;
            }
        }
      if (!cursor_next (scan, cursor, error))
        return G_MAXUINT;
      here = cursor->valid && cursor->event_id == id;
    }

  return n;
}

/* Hands the block over and takes an empty one; NULL when the consumer
 * gave up. */
static ScanBlock *
reader_pass_block (ScanReader *reader,
                   ScanBlock  *block)
{
  g_async_queue_push (reader->full, block);
  if (g_atomic_int_get (&reader->stop))
    return NULL;
  return g_async_queue_pop (reader->empty);
}

static void
reader_finish (ScanReader *reader,
               ScanBlock  *block,
               GError     *error)
{
  if (block == NULL)
    block = g_async_queue_pop (reader->empty);
  block->error = error;
  block->last = TRUE;
  g_async_queue_push (reader->full, block);
}

/* The reader thread of the event table: texts and numbers of each
 * selected event. */
static gpointer
scan_read_events (gpointer data)
{
  ScanReader *reader = data;
  Scan *scan = reader->scan;
  g_autoptr(sqlite3_stmt) stmt = NULL;
  ScanBlock *block = g_async_queue_pop (reader->empty);
  GError *error = NULL;
  gint64 next = reader_next_selected (reader, 0);
  int rc;

  rc = sqlite3_prepare_v2 (scan->db,
         "SELECT e.id, e.uid, e.kind, e.status, e.title, e.summary, e.date, e.place_id,"
         " e.cameo, e.importance FROM event e WHERE e.id >= ?1 ORDER BY e.id", -1, &stmt, NULL);
  if (rc != SQLITE_OK)
    {
      set_sqlite_error (&error, scan->db, rc, scan->path);
      reader_finish (reader, block, error);
      return NULL;
    }
  sqlite3_bind_int64 (stmt, 1, next);

  while (next <= reader->max_id && (rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      gint64 id = sqlite3_column_int64 (stmt, 0);

      if (id >= 0 && id <= reader->max_id && reader->ranks[id] != 0)
        {
          PackedEvent packed = { 0, };

          packed.id = id;
          packed.rank = reader->ranks[id] - 1;
          packed.kind = sqlite3_column_int (stmt, 2);
          packed.status = sqlite3_column_int (stmt, 3);
          packed.place_id = sqlite3_column_type (stmt, 7) != SQLITE_NULL ? sqlite3_column_int64 (stmt, 7) : -1;
          packed.importance = column_importance (stmt, 9);
          packed.uid = pack_text (block, stmt, 1);
          packed.title = pack_text (block, stmt, 4);
          packed.summary = pack_text (block, stmt, 5);
          packed.date = pack_text (block, stmt, 6);
          packed.cameo = pack_text (block, stmt, 8);
          g_array_append_val (block->events, packed);

          if ((block->events->len >= BLOCK_EVENTS || block->text->len >= BLOCK_TEXT) &&
              (block = reader_pass_block (reader, block)) == NULL)
            break;
        }

      /* On to the next selected event: past the last one, done (the loop's
       * test); far ahead, by a search. */
      if (id >= next)
        {
          next = reader_next_selected (reader, id + 1);
          if (next <= reader->max_id && next - id > SCAN_SEEK_GAP)
            {
              sqlite3_reset (stmt);
              sqlite3_bind_int64 (stmt, 1, next);
            }
        }
    }
  if (block != NULL && next <= reader->max_id && rc != SQLITE_DONE && rc != SQLITE_ROW)
    set_sqlite_error (&error, scan->db, rc, scan->path);

  reader_finish (reader, block, error);
  return NULL;
}

/* The reader thread of the relation tables, side by side: for each
 * selected event that has relations, a group (a PackedEvent with only id,
 * first_relation and the counts) and its relations. */
static gpointer
scan_read_relations (gpointer data)
{
  ScanReader *reader = data;
  Scan *scan = reader->scan;
  ScanBlock *block = g_async_queue_pop (reader->empty);
  GError *error = NULL;

  for (;;)
    {
      gint64 id = G_MAXINT64;
      PackedEvent group = { 0, };
      guint n[4];

      for (guint k = 0; k < G_N_ELEMENTS (scan->cursors); k++)
        if (scan->cursors[k].valid)
          id = MIN (id, scan->cursors[k].event_id);
      if (id == G_MAXINT64)
        break;

      if (id < 0 || id > reader->max_id || reader->ranks[id] == 0)
        {
          gint64 next = reader_next_selected (reader, id + 1);

          if (next > reader->max_id)
            break;
          for (guint k = 0; k < G_N_ELEMENTS (scan->cursors); k++)
            if (!cursor_skip_to (scan, &scan->cursors[k], next, &error))
              goto done;
          continue;
        }

      group.id = id;
      group.first_relation = block->relations->len;
      for (guint k = 0; k < 4; k++)
        if ((n[k] = pack_relations (reader, block, k, id, &error)) == G_MAXUINT)
          goto done;
      group.n_actors = n[0];
      group.n_countries = n[1];
      group.n_projects = n[2];
      group.n_sources = n[3];
      g_array_append_val (block->events, group);

      if ((block->events->len >= BLOCK_EVENTS || block->text->len >= BLOCK_TEXT) &&
          (block = reader_pass_block (reader, block)) == NULL)
        break;
    }

done:
  reader_finish (reader, block, error);
  return NULL;
}

static const char *
block_text (const ScanBlock *block,
            guint32          offset)
{
  return offset != NO_TEXT ? block->text->str + offset : NULL;
}

/* The calling thread's part: one packed event into event (whose arrays
 * of pointers and of structures are reused from event to event). */
typedef struct
{
  GArray *actors, *countries, *projects, *sources, *links;
  guint   next_link;
} ScanUnpack;

static gboolean
unpack_event (Scan              *scan,
              const ScanBlock   *block,
              const PackedEvent *packed,
              const ScanBlock   *rel_block,
              const PackedEvent *group,
              ScanUnpack        *unpack,
              ChanceryEvent     *event,
              GError           **error)
{
  static const PackedEvent no_relations = { 0, };
  const PackedRelation *relation = NULL;
  guint n;

  if (group != NULL)
    relation = &g_array_index (rel_block->relations, PackedRelation, group->first_relation);
  else
    group = &no_relations;

  event->id = packed->id;
  event->uid = (char *) block_text (block, packed->uid);
  event->kind = CLAMP (packed->kind, 0, CHANCERY_KIND_OTHER);
  event->status = CLAMP (packed->status, 0, CHANCERY_N_STATUSES - 1);
  event->title = (char *) block_text (block, packed->title);
  event->summary = (char *) block_text (block, packed->summary);
  event->date_text = (char *) block_text (block, packed->date);
  event->cameo = (char *) block_text (block, packed->cameo);
  event->importance = packed->importance;
  event->place_name = event->place_country = NULL;
  event->has_coordinates = FALSE;
  event->latitude = event->longitude = 0;
  if (packed->place_id >= 0 && (guint64) packed->place_id < scan->places->len)
    {
      const ScanPlace *place = &g_array_index (scan->places, ScanPlace, packed->place_id);

      event->place_name = (char *) place->name;
      event->place_country = (char *) place->country;
      event->has_coordinates = place->has_coordinates;
      event->latitude = place->has_coordinates ? place->latitude : 0;
      event->longitude = place->has_coordinates ? place->longitude : 0;
    }

  if (event->uid == NULL || event->title == NULL || event->date_text == NULL)
    {
      g_set_error (error, CHANCERY_ERROR, CHANCERY_ERROR_CORRUPT,
                   _("%s: event %" PRId64 " is missing its id, title or date"),
                   scan->path, event->id);
      return FALSE;
    }
  if (!chancery_date_parse (event->date_text, &event->date, error))
    {
      g_prefix_error (error, _("%s: event “%s”: "), scan->path, event->uid);
      return FALSE;
    }

  g_ptr_array_set_size (event->actors, 0);
  for (guint i = 0; i < group->n_actors; i++, relation++)
    {
      const ScanActor *record = relation->record;
      ChanceryEventActor *actor = SLOT (unpack->actors, ChanceryEventActor, i);

      actor->uid = (char *) record->uid;
      actor->name = (char *) record->name;
      actor->title = (char *) record->title;
      actor->country = (char *) record->country;
      actor->role = CLAMP (relation->value, 0, CHANCERY_N_ROLES - 1);
    }
  for (guint i = 0; i < group->n_actors; i++)
    g_ptr_array_add (event->actors, &g_array_index (unpack->actors, ChanceryEventActor, i));
  if (group->n_actors > 1)
    g_ptr_array_sort (event->actors, compare_actors);

  g_ptr_array_set_size (event->countries, 0);
  for (guint i = 0; i < group->n_countries; i++, relation++)
    {
      const ScanCountry *record = relation->record;
      ChanceryEventCountry *country = SLOT (unpack->countries, ChanceryEventCountry, i);

      country->code = (char *) record->code;
      country->name = (char *) record->name;
    }
  for (guint i = 0; i < group->n_countries; i++)
    g_ptr_array_add (event->countries, &g_array_index (unpack->countries, ChanceryEventCountry, i));
  if (group->n_countries > 1)
    g_ptr_array_sort (event->countries, compare_countries);

  g_ptr_array_set_size (event->projects, 0);
  for (guint i = 0; i < group->n_projects; i++, relation++)
    {
      const ScanProject *record = relation->record;
      ChanceryEventProject *project = SLOT (unpack->projects, ChanceryEventProject, i);

      project->uid = (char *) record->uid;
      project->name = (char *) record->name;
    }
  for (guint i = 0; i < group->n_projects; i++)
    g_ptr_array_add (event->projects, &g_array_index (unpack->projects, ChanceryEventProject, i));
  if (group->n_projects > 1)
    g_ptr_array_sort (event->projects, compare_projects);

  /* Sources by position (insertion sort: a few at most) */
  g_ptr_array_set_size (event->sources, 0);
  for (guint i = 0; i < group->n_sources; i++)
    {
      const PackedRelation *r = relation + i;
      const ScanSource *record = r->record;
      ChanceryEventSource *source = SLOT (unpack->sources, ChanceryEventSource, i);

      source->uid = (char *) record->uid;
      source->publisher = (char *) record->publisher;
      source->title = (char *) record->title;
      source->reference = (char *) record->reference;
      source->url = (char *) record->url;
      source->published = (char *) record->published;
      source->quote = (char *) block_text (rel_block, r->quote);
    }
  for (guint i = 0; i < group->n_sources; i++)
    {
      gint64 position = relation[i].value;
      guint j = event->sources->len;

      g_ptr_array_add (event->sources, NULL);
      for (; j > 0 && relation[(ChanceryEventSource *) g_ptr_array_index (event->sources, j - 1) -
                               (ChanceryEventSource *) (gpointer) unpack->sources->data].value > position; j--)
        event->sources->pdata[j] = event->sources->pdata[j - 1];
      event->sources->pdata[j] = &g_array_index (unpack->sources, ChanceryEventSource, i);
    }

  /* Links */
  g_ptr_array_set_size (event->links, 0);
  while (unpack->next_link < scan->links->len &&
         g_array_index (scan->links, ScanLink, unpack->next_link).event_id < event->id)
    unpack->next_link++;
  for (n = 0; unpack->next_link + n < scan->links->len &&
              g_array_index (scan->links, ScanLink, unpack->next_link + n).event_id == event->id; n++)
    {
      const ScanLink *record = &g_array_index (scan->links, ScanLink, unpack->next_link + n);
      ChanceryEventLink *link = SLOT (unpack->links, ChanceryEventLink, n);

      link->id = record->other_id;
      link->uid = record->uid;
      link->title = record->title;
      link->relation = record->relation;
      link->outgoing = record->outgoing;
    }
  for (guint i = 0; i < n; i++)
    g_ptr_array_add (event->links, &g_array_index (unpack->links, ChanceryEventLink, i));

  return TRUE;
}

static void
reader_init (ScanReader    *reader,
             Scan          *scan,
             const guint32 *ranks,
             gint64         max_id)
{
  reader->scan = scan;
  reader->ranks = ranks;
  reader->max_id = max_id;
  reader->full = g_async_queue_new ();
  reader->empty = g_async_queue_new_full ((GDestroyNotify) scan_block_free);
  reader->countries = g_ptr_array_new_with_free_func (g_free);
  reader->by_code = g_hash_table_new (g_str_hash, g_str_equal);
  reader->by_alpha3 = g_new0 (ScanCountry *, 26 * 26 * 26);
  for (guint i = 0; i < N_BLOCKS; i++)
    g_async_queue_push (reader->empty, scan_block_new ());
}

static void
reader_clear (ScanReader *reader)
{
  g_async_queue_unref (reader->full);
  g_async_queue_unref (reader->empty);
  g_ptr_array_unref (reader->countries);
  g_hash_table_unref (reader->by_code);
  g_free (reader->by_alpha3);
}

static void
reader_give_back (ScanReader *reader,
                  ScanBlock  *block)
{
  g_clear_error (&block->error);
  block->last = FALSE;
  scan_block_reset (block);
  g_async_queue_push (reader->empty, block);
}

/* The calling thread's view of the relations reader's blocks. */
typedef struct
{
  ScanReader *reader;
  ScanBlock  *block;   /* the current one, or NULL */
  guint       next;    /* its next group */
  gboolean    done;    /* its last block is used up */
} RelationStream;

/* The group of relations of event id, NULL when it has none. Groups come
 * in event id order, as the events do. */
static gboolean
relation_stream_find (RelationStream     *stream,
                      gint64              id,
                      const PackedEvent **group,
                      GError            **error)
{
  *group = NULL;
  while (!stream->done)
    {
      if (stream->block == NULL)
        {
          stream->block = g_async_queue_pop (stream->reader->full);
          stream->next = 0;
          if (stream->block->error != NULL)
            {
              g_propagate_error (error, g_steal_pointer (&stream->block->error));
              return FALSE;
            }
        }
      if (stream->next < stream->block->events->len)
        {
          const PackedEvent *next = &g_array_index (stream->block->events, PackedEvent, stream->next);

          if (next->id < id)
            {
              stream->next++;   /* relations of an event not in the table */
              continue;
            }
          if (next->id == id)
            {
              *group = next;
              stream->next++;
            }
          return TRUE;
        }
      stream->done = stream->block->last;
      reader_give_back (stream->reader, g_steal_pointer (&stream->block));
    }
  return TRUE;
}

/* Stops the relations reader and takes its blocks until the last. */
static void
relation_stream_drain (RelationStream *stream)
{
  g_atomic_int_set (&stream->reader->stop, TRUE);
  while (!stream->done)
    {
      if (stream->block == NULL)
        stream->block = g_async_queue_pop (stream->reader->full);
      stream->done = stream->block->last;
      reader_give_back (stream->reader, g_steal_pointer (&stream->block));
    }
}

static gboolean
scan_events (Scan                     *scan,
             const guint32            *ranks,
             gint64                    max_id,
             ChanceryRankedEventFunc   func,
             gpointer                  user_data,
             GCancellable             *cancellable,
             GError                  **error)
{
  ScanReader reader = { 0, }, rel_reader = { 0, };
  RelationStream relations = { &rel_reader, NULL, 0, FALSE };
  ScanUnpack unpack = { 0, };
  ChanceryEvent event = { 0, };
  GThread *thread, *rel_thread;
  GError *local_error = NULL;
  guint since_check = 0;
  gboolean last = FALSE;

  reader_init (&reader, scan, ranks, max_id);
  reader_init (&rel_reader, scan, ranks, max_id);
  unpack.actors = g_array_new (FALSE, TRUE, sizeof (ChanceryEventActor));
  unpack.countries = g_array_new (FALSE, TRUE, sizeof (ChanceryEventCountry));
  unpack.projects = g_array_new (FALSE, TRUE, sizeof (ChanceryEventProject));
  unpack.sources = g_array_new (FALSE, TRUE, sizeof (ChanceryEventSource));
  unpack.links = g_array_new (FALSE, TRUE, sizeof (ChanceryEventLink));
  event.actors = g_ptr_array_new ();
  event.countries = g_ptr_array_new ();
  event.projects = g_ptr_array_new ();
  event.sources = g_ptr_array_new ();
  event.links = g_ptr_array_new ();

  thread = g_thread_new ("chancery-export-read", scan_read_events, &reader);
  rel_thread = g_thread_new ("chancery-export-relations", scan_read_relations, &rel_reader);

  /* Until the reader's last block, even after a failure here: the reader
   * stops at its next block and must not wait for an empty one forever. */
  while (!last)
    {
      ScanBlock *block = g_async_queue_pop (reader.full);

      last = block->last;
      if (block->error != NULL && local_error == NULL)
        local_error = g_steal_pointer (&block->error);
      if (local_error == NULL)
        g_cancellable_set_error_if_cancelled (cancellable, &local_error);
      for (guint i = 0; local_error == NULL && i < block->events->len; i++)
        {
          const PackedEvent *packed = &g_array_index (block->events, PackedEvent, i);
          const PackedEvent *group;

          if (++since_check >= 4096)
            {
              since_check = 0;
              if (g_cancellable_set_error_if_cancelled (cancellable, &local_error))
                break;
            }
          if (!relation_stream_find (&relations, packed->id, &group, &local_error) ||
              !unpack_event (scan, block, packed, relations.block, group, &unpack, &event, &local_error) ||
              !func (&event, packed->rank, user_data, &local_error))
            break;
        }
      if (local_error != NULL)
        g_atomic_int_set (&reader.stop, TRUE);
      reader_give_back (&reader, block);
    }
  relation_stream_drain (&relations);
  g_thread_join (thread);
  g_thread_join (rel_thread);

  reader_clear (&reader);
  reader_clear (&rel_reader);
  g_array_unref (unpack.actors);
  g_array_unref (unpack.countries);
  g_array_unref (unpack.projects);
  g_array_unref (unpack.sources);
  g_array_unref (unpack.links);
  g_ptr_array_unref (event.actors);
  g_ptr_array_unref (event.countries);
  g_ptr_array_unref (event.projects);
  g_ptr_array_unref (event.sources);
  g_ptr_array_unref (event.links);

  if (local_error != NULL)
    {
      g_propagate_error (error, local_error);
      return FALSE;
    }
  return TRUE;
}

/* Scan setup; FALSE with error unset when the file's row ids are too
 * sparse for arrays (then the caller goes the chunked way). */
static gboolean
scan_open (Scan           *scan,
           GError        **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  int rc;

  scan->strings = g_string_chunk_new (64 * 1024);
  scan->countries = g_hash_table_new (g_str_hash, g_str_equal);

  /* The reader takes text as bytes (pack_text): UTF-8 files only. */
  if ((rc = sqlite3_prepare_v2 (scan->db, "PRAGMA encoding", -1, &stmt, NULL)) != SQLITE_OK)
    return set_sqlite_error (error, scan->db, rc, scan->path);
  if (sqlite3_step (stmt) != SQLITE_ROW ||
      g_strcmp0 ((const char *) sqlite3_column_text (stmt, 0), "UTF-8") != 0)
    {
      scan->sparse = TRUE;
      return FALSE;
    }
  g_clear_pointer (&stmt, sqlite3_finalize);

  if (!scan_load_table (scan, "SELECT id, uid, name, title, country FROM actor",
                        &scan->actors, sizeof (ScanActor), fill_actor, error) ||
      !scan_load_table (scan, "SELECT id, uid, name FROM project",
                        &scan->projects, sizeof (ScanProject), fill_project, error) ||
      !scan_load_table (scan,
                        "SELECT id, uid, publisher, title, reference, url, published FROM source",
                        &scan->sources, sizeof (ScanSource), fill_source, error) ||
      !scan_load_table (scan, "SELECT id, name, country, lat, lon FROM place",
                        &scan->places, sizeof (ScanPlace), fill_place, error))
    return FALSE;

  if (scan_stopped (scan, error))
    return FALSE;
  if ((rc = sqlite3_prepare_v2 (scan->db, "SELECT code, name FROM country", -1, &stmt, NULL)) != SQLITE_OK)
    return set_sqlite_error (error, scan->db, rc, scan->path);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      const char *code = scan_text (scan, stmt, 0), *name = scan_text (scan, stmt, 1);

      if (code != NULL && name != NULL)
        g_hash_table_insert (scan->countries, (gpointer) code, (gpointer) name);
    }
  if (sqlite_step_failed (error, scan->db, rc, scan->path))
    return FALSE;

  return !scan_stopped (scan, error) &&
         scan_load_links (scan, error) &&
         !scan_stopped (scan, error) &&
         cursor_open (scan, &scan->cursors[0],
                      "SELECT event_id, actor_id, role FROM event_actor WHERE event_id >= ?1 ORDER BY event_id", error) &&
         cursor_open (scan, &scan->cursors[1],
                      "SELECT event_id, country FROM event_country WHERE event_id >= ?1 ORDER BY event_id", error) &&
         cursor_open (scan, &scan->cursors[2],
                      "SELECT event_id, project_id FROM event_project WHERE event_id >= ?1 ORDER BY event_id", error) &&
         cursor_open (scan, &scan->cursors[3],
                      "SELECT event_id, source_id, quote, position FROM event_source"
                      " WHERE event_id >= ?1 ORDER BY event_id", error);
}

/* A connection of the scan's own, without SQLite's mutex: the store's
 * connection is shared between threads, so SQLite locks it twice for
 * every column read, a sixth of the reader's time. Only where it sees
 * what the store's connection sees: not inside a transaction of the
 * caller's (which may hold writes not committed yet), and not in WAL
 * mode (another process could commit between the two). In rollback
 * journal mode the store's read transaction, open since the query of
 * ids, holds a shared lock that keeps writers out. NULL: use the
 * store's. */
static sqlite3 *
open_scan_connection (ChanceryStore *self,
                      gboolean       in_transaction)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  gboolean rollback_journal;
  sqlite3 *db = NULL;

  if (in_transaction || !g_file_test (self->path, G_FILE_TEST_IS_REGULAR))
    return NULL;
  if (sqlite3_prepare_v2 (self->db, "PRAGMA journal_mode", -1, &stmt, NULL) != SQLITE_OK ||
      sqlite3_step (stmt) != SQLITE_ROW)
    return NULL;
  rollback_journal = g_ascii_strcasecmp ((const char *) sqlite3_column_text (stmt, 0), "wal") != 0;
  if (!rollback_journal)
    return NULL;

  /* The read lock is taken here, not at the first read in a thread: a
   * writer that starts to commit in between holds a pending lock that lets
   * no new reader in, and the export would fail ("database is locked").
   * No busy handler: the writer waits for the store's read to end, so
   * waiting here would not help; the store's connection is used instead. */
  if (chancery_sqlite_open (self->path, &db,
                            SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_NOFOLLOW) != SQLITE_OK ||
      sqlite3_exec (db, "PRAGMA mmap_size = " G_STRINGIFY (EXPORT_MMAP_SIZE) ";"
                        "PRAGMA cache_size = -32768; BEGIN; SELECT count(*) FROM sqlite_schema",
                       NULL, NULL, NULL) != SQLITE_OK
      || !same_file_as_store (self))
    {
      sqlite3_close (db);
      return NULL;
    }

  return db;
}

/* A scan first reads every actor, project, source, place and link into
 * memory, then the event and relation tables in row id order, searching
 * past long gaps (SCAN_SEEK_GAP). For fewer than one event in this many,
 * reading the events by id in chunks costs less (an export of 0.5 % of a
 * million events: 0.6-0.8 s against 1.0-1.2 s scanning). */
#define SCAN_MIN_FRACTION 16

typedef struct
{
  Scan         *scan;
  gboolean      ok;
  GError       *error;
  gint          stop;   /* atomic: not scanning after all */
  GCancellable *cancellable;
} ScanOpenJob;

static gpointer
scan_open_thread (gpointer data)
{
  ScanOpenJob *job = data;

  job->ok = scan_open (job->scan, &job->error);
  return NULL;
}

/* SQLite's progress handler on the scan's own connections while they
 * open: non-zero interrupts the statement running, when the scan is not
 * wanted after all or the export is cancelled. */
static int
scan_open_stop_cb (void *data)
{
  ScanOpenJob *job = data;

  return g_atomic_int_get (&job->stop) || g_cancellable_is_cancelled (job->cancellable);
}

static void
scan_open_stoppable (sqlite3     *db,
                     ScanOpenJob *job)
{
  if (db != NULL)
    sqlite3_progress_handler (db, job != NULL ? 1000 : 0, job != NULL ? scan_open_stop_cb : NULL, job);
}

static gboolean
foreach_event_ranked_locked (ChanceryStore            *self,
                             gboolean                  in_transaction,
                             const ChanceryFilter     *filter,
                             guint                    *n_events,
                             GArray                  **selected,
                             ChanceryRankedEventFunc   func,
                             gpointer                  user_data,
                             GCancellable             *cancellable,
                             GError                  **error)
{
  g_autoptr(GArray) ids = NULL;
  g_autofree guint32 *ranks = NULL;
  Scan scan = { 0, };
  ScanOpenJob job = { &scan, FALSE, NULL, 0, cancellable };
  GThread *opener = NULL;
  sqlite3 *own_db = NULL, *rel_db = NULL;
  gint64 max_id = 0, min_id = 0;
  gint64 n_stored;
  gboolean everything;
  gboolean have_ids;
  gboolean ok = FALSE;

  scan.path = self->path;

  /* The scan's own connections read the records it keeps in memory
   * (scan_open) on another thread while this one queries the selection in
   * time order, in case the selection is big enough for the scan; if not,
   * they are stopped. This connection reads first, so that its read lock
   * keeps writers out from the start (see open_scan_connection). Without
   * connections of its own, the scan opens on the store's connection,
   * where it could not be stopped: only when everything is selected (the
   * scan is then the way, unless row ids are sparse). */
  everything = filter == NULL || chancery_filter_is_empty (filter);
  if (exec_sql (self, "SELECT 1 FROM sqlite_schema LIMIT 1", NULL) &&
      (own_db = open_scan_connection (self, in_transaction)) != NULL)
    {
      scan.db = own_db;
      scan.rel_db = rel_db = open_scan_connection (self, in_transaction);
      if (rel_db == NULL)
        {
          /* Two threads cannot share a connection without its mutex. */
          g_clear_pointer (&own_db, sqlite3_close);
          scan.db = scan.rel_db = self->db;
        }
      scan.stop = &job.stop;
      scan_open_stoppable (own_db, &job);
      scan_open_stoppable (rel_db, &job);
      if (own_db != NULL || everything)
        opener = g_thread_new ("chancery-export-open", scan_open_thread, &job);
    }

  ids = query_ids_locked (self, filter, error);
  have_ids = ids != NULL;
  sqlite3_exec (self->db, "PRAGMA mmap_size = " G_STRINGIFY (EXPORT_MMAP_SIZE), NULL, NULL, NULL);
  if (ids != NULL)
    {
      *n_events = ids->len;
      if (selected != NULL)
        *selected = g_array_ref (ids);
      for (guint i = 0; i < ids->len; i++)
        {
          max_id = MAX (max_id, g_array_index (ids, gint64, i));
          min_id = MIN (min_id, g_array_index (ids, gint64, i));
        }
    }

  /* The ranks are an array by row id: not for negative ids (a file made
   * by hand), nor for ids far beyond the number of rows. */
  if (ids != NULL && ids->len > 0 && min_id >= 0 &&
      (n_stored = query_int (self, "SELECT count(*) FROM event", NULL)) > 0 &&
      (guint64) max_id <= 4 * (guint64) n_stored + 65536 &&
      (guint64) ids->len * SCAN_MIN_FRACTION >= (guint64) n_stored)
    {
      ranks = g_new0 (guint32, max_id + 1);
      for (guint i = 0; i < ids->len; i++)
        ranks[g_array_index (ids, gint64, i)] = i + 1;
      g_clear_pointer (&ids, g_array_unref);

      if (opener != NULL)
        {
          g_thread_join (g_steal_pointer (&opener));
          scan_open_stoppable (own_db, NULL);
          scan_open_stoppable (rel_db, NULL);
          ok = job.ok;
          /* Stopped by a cancel: say so, not "interrupted". */
          if (!ok && g_cancellable_set_error_if_cancelled (cancellable, error))
            g_clear_error (&job.error);
          else if (job.error != NULL)
            g_propagate_error (error, g_steal_pointer (&job.error));
        }
      else
        {
          own_db = open_scan_connection (self, in_transaction);
          rel_db = own_db != NULL ? open_scan_connection (self, in_transaction) : NULL;
          if (rel_db == NULL)
            g_clear_pointer (&own_db, sqlite3_close);
          scan.db = own_db != NULL ? own_db : self->db;
          scan.rel_db = rel_db != NULL ? rel_db : self->db;
          ok = scan_open (&scan, error);
        }
      if (ok)
        ok = scan_events (&scan, ranks, max_id, func, user_data, cancellable, error);
      scan_clear (&scan);
      if (own_db != NULL)
        sqlite3_close (own_db);
      if (rel_db != NULL)
        sqlite3_close (rel_db);
      if (ok || !scan.sparse)
        return ok;
      /* Sparse row ids (before any event was given): the chunked way below. */
    }
  else if (opener != NULL)
    {
      /* Not scanning after all (or the query failed). */
      g_atomic_int_set (&job.stop, 1);
      g_thread_join (opener);
      g_clear_error (&job.error);
      scan_clear (&scan);
      if (own_db != NULL)
        sqlite3_close (own_db);
      if (rel_db != NULL)
        sqlite3_close (rel_db);
    }

  if (!have_ids)
    return FALSE;
  /* After a scan refused sparse row ids, the ids again: they made the ranks. */
  if (ids == NULL && !(ids = query_ids_locked (self, filter, error)))
    return FALSE;
  return foreach_event_by_ids_locked (self, ids, func, user_data, cancellable, error);
}

/* func runs on the calling thread while the store reads ahead on threads
 * of its own (see scan_events), with the store's lock held: it should not
 * call the store. */
gboolean
chancery_store_foreach_event_ranked (ChanceryStore            *self,
                                     const ChanceryFilter     *filter,
                                     guint                    *n_events,
                                     GArray                  **selected,
                                     ChanceryRankedEventFunc   func,
                                     gpointer                  user_data,
                                     GCancellable             *cancellable,
                                     GError                  **error)
{
  gboolean in_transaction;
  gboolean ok;

  g_return_val_if_fail (CHANCERY_IS_STORE (self), FALSE);
  g_return_val_if_fail (n_events != NULL && func != NULL, FALSE);

  *n_events = 0;
  if (selected != NULL)
    *selected = NULL;
  begin_call (self, cancellable);
  in_transaction = !sqlite3_get_autocommit (self->db);
  ok = (in_transaction || exec_sql (self, "BEGIN", error)) &&
       foreach_event_ranked_locked (self, in_transaction, filter, n_events, selected, func, user_data, cancellable, error);
  if (!in_transaction)
    exec_sql (self, ok ? "COMMIT" : "ROLLBACK", NULL);
  sqlite3_exec (self->db, "PRAGMA mmap_size = 0", NULL, NULL, NULL);
  end_call (self);

  return ok;
}

static const char *
grouping_join (ChanceryGrouping grouping)
{
  switch (grouping)
    {
    case CHANCERY_GROUP_COUNTRY:
      return ", g.country, ifnull(gc.name, g.country) FROM event e"
             " LEFT JOIN event_country g ON g.event_id = e.id"
             " LEFT JOIN country gc ON gc.code = g.country";
    case CHANCERY_GROUP_ACTOR:
      return ", ga.uid, ga.name FROM event e"
             " LEFT JOIN event_actor g ON g.event_id = e.id"
             " LEFT JOIN actor ga ON ga.id = g.actor_id";
    case CHANCERY_GROUP_PROJECT:
      return ", gp.uid, gp.name FROM event e"
             " LEFT JOIN event_project g ON g.event_id = e.id"
             " LEFT JOIN project gp ON gp.id = g.project_id";
    case CHANCERY_GROUP_KIND:
    case CHANCERY_GROUP_NONE:
    default:
      return ", NULL, NULL FROM event e";
    }
}

/* The label of the lane for events without a key of the grouping. */
const char *
none_lane_label (ChanceryGrouping grouping)
{
  switch (grouping)
    {
    case CHANCERY_GROUP_COUNTRY:
      return _("No country");
    case CHANCERY_GROUP_ACTOR:
      return _("No actor");
    case CHANCERY_GROUP_PROJECT:
      return _("No project");
    case CHANCERY_GROUP_KIND:
    case CHANCERY_GROUP_NONE:
    default:
      return _("All events");
    }
}

ChanceryIndex *
chancery_store_load_index (ChanceryStore         *self,
                           const ChanceryFilter  *filter,
                           ChanceryGrouping       grouping,
                           GCancellable          *cancellable,
                           GError               **error)
{
  g_autoptr(GString) sql = NULL;
  g_autoptr(GArray) binds = new_binds ();
  g_autoptr(sqlite3_stmt) stmt = NULL;
  ChanceryIndexBuilder *builder;
  ChanceryIndex *index;
  gint64 last_id = G_MININT64;
  int rc;

  g_return_val_if_fail (CHANCERY_IS_STORE (self), NULL);

  sql = g_string_new ("SELECT e.id, e.lo_day, e.hi_day, e.kind, e.status, e.precision,"
                      " e.flags, e.title");
  g_string_append (sql, grouping_join (grouping));
  g_string_append (sql, " WHERE 1");
  append_conditions (sql, binds, filter, -1);
  /* Row id order reads the table front to back; in time order every row
   * is a random page read, seconds on a big file. The builder sorts. */
  g_string_append (sql, " ORDER BY e.id");

  begin_call (self, cancellable);
  {
    g_autoptr(GError) local_error = NULL;

    /* Read-only stores answer from memory (chancery-store-base.c). */
    index = base_load_index (self, filter, grouping, &local_error);
    if (index != NULL || local_error != NULL)
      {
        end_call (self);
        if (local_error != NULL)
          g_propagate_error (error, g_steal_pointer (&local_error));
        return index;
      }
  }

  stmt = prepare_with_binds (self, sql->str, binds, error);
  if (stmt == NULL)
    {
      end_call (self);
      return NULL;
    }

  builder = chancery_index_builder_new (grouping);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      gint64 id = sqlite3_column_int64 (stmt, 0);
      guint kind = sqlite3_column_int (stmt, 3);
      const char *key;
      const char *label;
      g_autofree char *repaired_label = NULL;

      if (id != last_id)
        chancery_index_builder_add_raw (builder, id,
                                        sqlite3_column_int (stmt, 1),
                                        sqlite3_column_int (stmt, 2),
                                        kind,
                                        sqlite3_column_int (stmt, 4),
                                        sqlite3_column_int (stmt, 5),
                                        sqlite3_column_int (stmt, 6),
                                        (const char *) sqlite3_column_text (stmt, 7));
      last_id = id;

      if (grouping == CHANCERY_GROUP_KIND)
        {
          kind = MIN (kind, CHANCERY_KIND_OTHER);
          key = chancery_kind_to_string (kind);
          label = chancery_kind_get_label (kind);
        }
      else if (grouping == CHANCERY_GROUP_NONE)
        {
          key = "all";
          label = none_lane_label (grouping);
        }
      else
        {
          key = (const char *) sqlite3_column_text (stmt, 8);
          label = (const char *) sqlite3_column_text (stmt, 9);
          if (label != NULL && !chancery_utf8_is_valid (label, sqlite3_column_bytes (stmt, 9)))
            label = repaired_label = chancery_utf8_dup (label, sqlite3_column_bytes (stmt, 9));
          if (key == NULL)
            {
              key = "";
              label = none_lane_label (grouping);
            }
        }
      chancery_index_builder_add_to_lane (builder, key, label);
    }
  if (rc != SQLITE_DONE)
    {
      set_sqlite_error (error, self->db, rc, self->path);
      end_call (self);
      chancery_index_unref (chancery_index_builder_finish (builder));
      return NULL;
    }

  index = chancery_index_builder_finish (builder);
  end_call (self);

  return index;
}

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

void
chancery_facet_free (ChanceryFacet *facet)
{
  if (facet == NULL)
    return;

  g_free (facet->key);
  g_free (facet->label);
  g_free (facet);
}

GPtrArray *
chancery_store_list_facets (ChanceryStore         *self,
                            const ChanceryFilter  *filter,
                            ChanceryFacetKind      kind,
                            GCancellable          *cancellable,
                            GError               **error)
{
  g_autoptr(GString) sql = g_string_new (NULL);
  g_autoptr(GString) where = g_string_new (NULL);
  g_autoptr(GArray) binds = new_binds ();
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autoptr(GPtrArray) facets = NULL;
  int rc;

  g_return_val_if_fail (CHANCERY_IS_STORE (self), NULL);

  append_conditions (where, binds, filter, kind);

  switch (kind)
    {
    case CHANCERY_FACET_ACTOR:
      g_string_append (sql, "SELECT a.uid, a.name, count(*) AS n FROM event_actor x"
                            " JOIN actor a ON a.id = x.actor_id");
      break;
    case CHANCERY_FACET_COUNTRY:
      g_string_append (sql, "SELECT x.country, ifnull(c.name, x.country), count(*) AS n"
                            " FROM event_country x LEFT JOIN country c ON c.code = x.country");
      break;
    case CHANCERY_FACET_PROJECT:
      g_string_append (sql, "SELECT p.uid, p.name, count(*) AS n FROM event_project x"
                            " JOIN project p ON p.id = x.project_id");
      break;
    case CHANCERY_FACET_KIND:
      g_string_append (sql, "SELECT e.kind, NULL, count(*) AS n FROM event e WHERE 1");
      g_string_append (sql, where->str);
      g_string_append (sql, " GROUP BY e.kind");
      break;
    case CHANCERY_FACET_STATUS:
      g_string_append (sql, "SELECT e.status, NULL, count(*) AS n FROM event e WHERE 1");
      g_string_append (sql, where->str);
      g_string_append (sql, " GROUP BY e.status");
      break;
    default:
      g_return_val_if_reached (NULL);
    }

  if (kind != CHANCERY_FACET_KIND && kind != CHANCERY_FACET_STATUS)
    {
      if (where->len > 0)
        g_string_append_printf (sql, " WHERE x.event_id IN (SELECT e.id FROM event e WHERE 1%s)",
                                where->str);
      g_string_append (sql, " GROUP BY 1");
    }
  g_string_append (sql, " ORDER BY n DESC, 2");

  begin_call (self, cancellable);
  {
    g_autoptr(GError) local_error = NULL;

    /* Read-only stores count in memory. */
    facets = base_list_facets (self, filter, kind, &local_error);
    if (facets != NULL || local_error != NULL)
      {
        end_call (self);
        if (local_error != NULL)
          g_propagate_error (error, g_steal_pointer (&local_error));
        return g_steal_pointer (&facets);
      }
  }

  stmt = prepare_with_binds (self, sql->str, binds, error);
  if (stmt == NULL)
    {
      end_call (self);
      return NULL;
    }

  facets = g_ptr_array_new_with_free_func ((GDestroyNotify) chancery_facet_free);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      ChanceryFacet *facet = g_new0 (ChanceryFacet, 1);

      if (kind == CHANCERY_FACET_KIND)
        {
          guint value = MIN ((guint) sqlite3_column_int (stmt, 0), CHANCERY_KIND_OTHER);
          facet->key = g_strdup (chancery_kind_to_string (value));
          facet->label = g_strdup (chancery_kind_get_label (value));
        }
      else if (kind == CHANCERY_FACET_STATUS)
        {
          guint value = MIN ((guint) sqlite3_column_int (stmt, 0), CHANCERY_N_STATUSES - 1);
          facet->key = g_strdup (chancery_status_to_string (value));
          facet->label = g_strdup (chancery_status_get_label (value));
        }
      else
        {
          facet->key = dup_column_text (stmt, 0);
          facet->label = dup_column_text (stmt, 1);
        }
      facet->count = sqlite3_column_int (stmt, 2);
      g_ptr_array_add (facets, facet);
    }
  /* sqlite3_errmsg() belongs to the connection: read it before another
   * thread may use the store. */
  if (rc != SQLITE_DONE)
    set_sqlite_error (error, self->db, rc, self->path);
  g_clear_pointer (&stmt, sqlite3_finalize);
  end_call (self);

  if (rc != SQLITE_DONE)
    return NULL;

  /* Kinds and statuses get their labels only here, so SQL could not
   * order equal counts by label. */
  if (kind == CHANCERY_FACET_KIND || kind == CHANCERY_FACET_STATUS)
    g_ptr_array_sort (facets, compare_facets);

  return g_steal_pointer (&facets);
}

/* From the base when a read-only store has one (the window's), else from
 * SQL. The event list asks twice for each of the ~200 rows GTK keeps on
 * every filter change: at a million events the two joins a row took
 * 9-53 ms of the main thread a change, the base 0.1-0.4 ms. */
static char *
dup_joined (ChanceryStore     *self,
            ChanceryFacetKind  kind,
            const char        *sql,
            gint64             id)
{
  sqlite3_stmt *stmt;
  char *result = NULL;

  begin_call (self, NULL);
  result = base_dup_event_names (self, kind, id);
  stmt = result == NULL ? get_statement (self, sql, NULL) : NULL;
  if (stmt != NULL)
    {
      sqlite3_bind_int64 (stmt, 1, id);
      if (sqlite3_step (stmt) == SQLITE_ROW)
        result = dup_column_text (stmt, 0);
      sqlite3_reset (stmt);
    }
  end_call (self);

  return result != NULL ? result : g_strdup ("");
}

char *
chancery_store_dup_event_countries (ChanceryStore *self,
                                    gint64         id)
{
  g_return_val_if_fail (CHANCERY_IS_STORE (self), NULL);

  return dup_joined (self, CHANCERY_FACET_COUNTRY,
                     "SELECT group_concat(n, ', ') FROM (SELECT ifnull(c.name, x.country) AS n"
                     " FROM event_country x LEFT JOIN country c ON c.code = x.country"
                     " WHERE x.event_id = ? ORDER BY n)", id);
}

char *
chancery_store_dup_event_actors (ChanceryStore *self,
                                 gint64         id)
{
  g_return_val_if_fail (CHANCERY_IS_STORE (self), NULL);

  return dup_joined (self, CHANCERY_FACET_ACTOR,
                     "SELECT group_concat(n, ', ') FROM (SELECT a.name AS n FROM event_actor x"
                     " JOIN actor a ON a.id = x.actor_id WHERE x.event_id = ? ORDER BY x.role, n)", id);
}

