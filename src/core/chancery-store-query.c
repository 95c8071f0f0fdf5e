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


static gboolean
step_failed (ChanceryStore  *self,
             int             rc,
             GError        **error)
{
  if (rc == SQLITE_DONE || rc == SQLITE_ROW)
    return FALSE;
  set_sqlite_error (error, self->db, rc, self->path);
  return TRUE;
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
    {
      ChanceryEventActor *actor = g_new0 (ChanceryEventActor, 1);

      actor->uid = dup_column_text (stmt, 0);
      actor->name = dup_column_text (stmt, 1);
      actor->title = dup_column_text (stmt, 2);
      actor->country = dup_column_text (stmt, 3);
      actor->role = CLAMP (sqlite3_column_int (stmt, 4), 0, CHANCERY_N_ROLES - 1);
      g_ptr_array_add (event->actors, actor);
    }
  if (step_failed (self, rc, error))
    return FALSE;

  if (!(stmt = get_statement (self,
        "SELECT ec.country, ifnull(c.name, ec.country) FROM event_country ec"
        " LEFT JOIN country c ON c.code = ec.country WHERE ec.event_id = ? ORDER BY 2", error)))
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, event->id);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      ChanceryEventCountry *country = g_new0 (ChanceryEventCountry, 1);

      country->code = dup_column_text (stmt, 0);
      country->name = dup_column_text (stmt, 1);
      g_ptr_array_add (event->countries, country);
    }
  if (step_failed (self, rc, error))
    return FALSE;

  if (!(stmt = get_statement (self,
        "SELECT p.uid, p.name FROM event_project ep JOIN project p ON p.id = ep.project_id"
        " WHERE ep.event_id = ? ORDER BY p.name", error)))
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, event->id);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      ChanceryEventProject *project = g_new0 (ChanceryEventProject, 1);

      project->uid = dup_column_text (stmt, 0);
      project->name = dup_column_text (stmt, 1);
      g_ptr_array_add (event->projects, project);
    }
  if (step_failed (self, rc, error))
    return FALSE;

  if (!(stmt = get_statement (self,
        "SELECT s.uid, s.publisher, s.title, s.reference, s.url, s.published, es.quote"
        " FROM event_source es JOIN source s ON s.id = es.source_id"
        " WHERE es.event_id = ? ORDER BY es.position", error)))
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, event->id);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      ChanceryEventSource *source = g_new0 (ChanceryEventSource, 1);

      source->uid = dup_column_text (stmt, 0);
      source->publisher = dup_column_text (stmt, 1);
      source->title = dup_column_text (stmt, 2);
      source->reference = dup_column_text (stmt, 3);
      source->url = dup_column_text (stmt, 4);
      source->published = dup_column_text (stmt, 5);
      source->quote = dup_column_text (stmt, 6);
      g_ptr_array_add (event->sources, source);
    }
  if (step_failed (self, rc, error))
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
    {
      ChanceryEventLink *link = g_new0 (ChanceryEventLink, 1);

      link->id = sqlite3_column_int64 (stmt, 0);
      link->uid = dup_column_text (stmt, 1);
      link->title = dup_column_text (stmt, 2);
      link->relation = dup_column_text (stmt, 3);
      link->outgoing = sqlite3_column_int (stmt, 4);
      g_ptr_array_add (event->links, link);
    }
  if (step_failed (self, rc, error))
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
  event->has_coordinates = sqlite3_column_type (stmt, 9) != SQLITE_NULL &&
                           sqlite3_column_type (stmt, 10) != SQLITE_NULL;
  event->latitude = sqlite3_column_double (stmt, 9);
  event->longitude = sqlite3_column_double (stmt, 10);
  event->cameo = dup_column_text (stmt, 11);
  event->importance = sqlite3_column_double (stmt, 12);

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
  if (event == NULL || !load_event_relations (self, event, error))
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

static GArray *
query_ids_locked (ChanceryStore         *self,
                  const ChanceryFilter  *filter,
                  GError               **error)
{
  g_autoptr(GString) sql = g_string_new ("SELECT e.id FROM event e WHERE 1");
  g_autoptr(GArray) binds = new_binds ();
  g_autoptr(GArray) ids = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autoptr(sqlite3_stmt) stmt = NULL;
  int rc;

  append_conditions (sql, binds, filter, -1);
  g_string_append (sql, " ORDER BY e.lo_day, e.hi_day, e.id");
  if (!(stmt = prepare_with_binds (self, sql->str, binds, error)))
    return NULL;

  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      gint64 id = sqlite3_column_int64 (stmt, 0);
      g_array_append_val (ids, id);
    }
  if (step_failed (self, rc, error))
    return NULL;

  return g_steal_pointer (&ids);
}

GArray *
chancery_store_query_ids (ChanceryStore         *self,
                          const ChanceryFilter  *filter,
                          GCancellable          *cancellable,
                          GError               **error)
{
  GArray *ids;

  g_return_val_if_fail (CHANCERY_IS_STORE (self), NULL);

  begin_call (self, cancellable);
  ids = query_ids_locked (self, filter, error);
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
    {
      ChanceryEventActor *actor;

      if (!(event = chunk_lookup (by_id, stmt)))
        continue;
      actor = g_new0 (ChanceryEventActor, 1);
      actor->uid = dup_column_text (stmt, 1);
      actor->name = dup_column_text (stmt, 2);
      actor->title = dup_column_text (stmt, 3);
      actor->country = dup_column_text (stmt, 4);
      actor->role = CLAMP (sqlite3_column_int (stmt, 5), 0, CHANCERY_N_ROLES - 1);
      g_ptr_array_add (event->actors, actor);
    }
  sqlite3_reset (stmt);
  if (step_failed (self, rc, error))
    return FALSE;

  if (!(stmt = get_chunk_statement (self,
        "SELECT ec.event_id, ec.country, ifnull(c.name, ec.country) FROM event_country ec"
        " LEFT JOIN country c ON c.code = ec.country WHERE ec.event_id",
        " ORDER BY ec.event_id, 3", events, error)))
    return FALSE;
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      ChanceryEventCountry *country;

      if (!(event = chunk_lookup (by_id, stmt)))
        continue;
      country = g_new0 (ChanceryEventCountry, 1);
      country->code = dup_column_text (stmt, 1);
      country->name = dup_column_text (stmt, 2);
      g_ptr_array_add (event->countries, country);
    }
  sqlite3_reset (stmt);
  if (step_failed (self, rc, error))
    return FALSE;

  if (!(stmt = get_chunk_statement (self,
        "SELECT ep.event_id, p.uid, p.name FROM event_project ep"
        " JOIN project p ON p.id = ep.project_id WHERE ep.event_id",
        " ORDER BY ep.event_id, p.name", events, error)))
    return FALSE;
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      ChanceryEventProject *project;

      if (!(event = chunk_lookup (by_id, stmt)))
        continue;
      project = g_new0 (ChanceryEventProject, 1);
      project->uid = dup_column_text (stmt, 1);
      project->name = dup_column_text (stmt, 2);
      g_ptr_array_add (event->projects, project);
    }
  sqlite3_reset (stmt);
  if (step_failed (self, rc, error))
    return FALSE;

  if (!(stmt = get_chunk_statement (self,
        "SELECT es.event_id, s.uid, s.publisher, s.title, s.reference, s.url, s.published, es.quote"
        " FROM event_source es JOIN source s ON s.id = es.source_id WHERE es.event_id",
        " ORDER BY es.event_id, es.position", events, error)))
    return FALSE;
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      ChanceryEventSource *source;

      if (!(event = chunk_lookup (by_id, stmt)))
        continue;
      source = g_new0 (ChanceryEventSource, 1);
      source->uid = dup_column_text (stmt, 1);
      source->publisher = dup_column_text (stmt, 2);
      source->title = dup_column_text (stmt, 3);
      source->reference = dup_column_text (stmt, 4);
      source->url = dup_column_text (stmt, 5);
      source->published = dup_column_text (stmt, 6);
      source->quote = dup_column_text (stmt, 7);
      g_ptr_array_add (event->sources, source);
    }
  sqlite3_reset (stmt);
  if (step_failed (self, rc, error))
    return FALSE;

  /* Outgoing links (this event -> o), then incoming (o -> this event x). */
  if (!(stmt = get_chunk_statement (self,
        "SELECT l.event_id, o.id, l.target_uid, o.title, l.relation, 1 FROM event_link l"
        " JOIN event o ON o.uid = l.target_uid WHERE l.event_id",
        chunk_tail_incoming_links, events, error)))
    return FALSE;
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      ChanceryEventLink *link;

      if (!(event = chunk_lookup (by_id, stmt)))
        continue;
      link = g_new0 (ChanceryEventLink, 1);
      link->id = sqlite3_column_int64 (stmt, 1);
      link->uid = dup_column_text (stmt, 2);
      link->title = dup_column_text (stmt, 3);
      link->relation = dup_column_text (stmt, 4);
      link->outgoing = sqlite3_column_int (stmt, 5);
      g_ptr_array_add (event->links, link);
    }
  sqlite3_reset (stmt);
  if (step_failed (self, rc, error))
    return FALSE;

  return TRUE;
}

static gboolean
foreach_event_locked (ChanceryStore         *self,
                      const ChanceryFilter  *filter,
                      ChanceryEventFunc      func,
                      gpointer               user_data,
                      GCancellable          *cancellable,
                      GError               **error)
{
  g_autoptr(GString) sql = g_string_new (EVENT_COLUMNS " WHERE 1");
  g_autoptr(GArray) binds = new_binds ();
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autoptr(GPtrArray) chunk = g_ptr_array_new_with_free_func ((GDestroyNotify) chancery_event_free);
  gboolean done = FALSE;

  append_conditions (sql, binds, filter, -1);
  g_string_append (sql, " ORDER BY e.lo_day, e.hi_day, e.id");
  if (!(stmt = prepare_with_binds (self, sql->str, binds, error)))
    return FALSE;

  while (!done)
    {
      int rc = SQLITE_ROW;

      g_ptr_array_set_size (chunk, 0);
      while (chunk->len < CHUNK_SIZE && (rc = sqlite3_step (stmt)) == SQLITE_ROW)
        {
          ChanceryEvent *event = read_event (self, stmt, error);

          if (event == NULL)
            return FALSE;
          g_ptr_array_add (chunk, event);
        }
      if (step_failed (self, rc, error))
        return FALSE;
      done = rc == SQLITE_DONE;

      if (chunk->len > 0 && !load_chunk_relations (self, chunk, error))
        return FALSE;

      for (guint i = 0; i < chunk->len; i++)
        {
          if (g_cancellable_set_error_if_cancelled (cancellable, error) ||
              !func (g_ptr_array_index (chunk, i), user_data, error))
            return FALSE;
        }
    }

  return TRUE;
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

static const char *
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
  end_call (self);

  if (rc != SQLITE_DONE)
    {
      set_sqlite_error (error, self->db, rc, self->path);
      return NULL;
    }

  /* Kinds and statuses get their labels only here, so SQL could not
   * order equal counts by label. */
  if (kind == CHANCERY_FACET_KIND || kind == CHANCERY_FACET_STATUS)
    g_ptr_array_sort (facets, compare_facets);

  return g_steal_pointer (&facets);
}

static char *
dup_joined (ChanceryStore *self,
            const char    *sql,
            gint64         id)
{
  sqlite3_stmt *stmt;
  char *result = NULL;

  begin_call (self, NULL);
  stmt = get_statement (self, sql, NULL);
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

  return dup_joined (self,
                     "SELECT group_concat(n, ', ') FROM (SELECT ifnull(c.name, x.country) AS n"
                     " FROM event_country x LEFT JOIN country c ON c.code = x.country"
                     " WHERE x.event_id = ? ORDER BY n)", id);
}

char *
chancery_store_dup_event_actors (ChanceryStore *self,
                                 gint64         id)
{
  g_return_val_if_fail (CHANCERY_IS_STORE (self), NULL);

  return dup_joined (self,
                     "SELECT group_concat(n, ', ') FROM (SELECT a.name AS n FROM event_actor x"
                     " JOIN actor a ON a.id = x.actor_id WHERE x.event_id = ? ORDER BY x.role, n)", id);
}

