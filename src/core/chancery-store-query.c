/* chancery-store-query.c: reading events, indexes and facet counts
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
                   _("%s: event %" G_GINT64_FORMAT " is missing its id, title or date"),
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
                     _("No event number %" G_GINT64_FORMAT), id);
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
  remember_index (self, filter, index);
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

/* Facets in memory
 *
 * Counting facets in SQL joins a relation table with the filtered events:
 * seconds at a million events. A read-only store instead keeps, per
 * relation, the keys of each event (compressed rows indexed by event row
 * id, loaded once from the relation tables front to back), and counts the
 * keys of the events of the last index it built when that index's filter
 * is the facet's filter, or of all events. Other cases, writable stores
 * and very sparse row ids use SQL. PRAGMA data_version tells when another
 * connection changed the file; then everything is dropped. */

typedef struct _Relation
{
  gint64    max_id;
  guint32  *offsets;    /* max_id + 2: keys of event id are keys[offsets[id] .. offsets[id + 1]) */
  guint32  *keys;       /* dense key numbers */
  GPtrArray *uids;      /* char*: facet key of each dense key number */
  GPtrArray *labels;    /* char*: facet label */
} Relation;

static void
relation_free (Relation *relation)
{
  if (relation == NULL)
    return;
  g_free (relation->offsets);
  g_free (relation->keys);
  g_ptr_array_unref (relation->uids);
  g_ptr_array_unref (relation->labels);
  g_free (relation);
}

void
forget_facts (ChanceryStore *self)
{
  g_clear_pointer (&self->last_index, chancery_index_unref);
  g_clear_pointer (&self->last_filter, chancery_filter_free);
  self->have_all_counts = FALSE;
  for (guint i = 0; i < G_N_ELEMENTS (self->relations); i++)
    g_clear_pointer (&self->relations[i], relation_free);
}

/* FALSE when facts cannot be used (writable store); drops stale ones. */
static gboolean
check_facts (ChanceryStore *self)
{
  gint64 version;

  if (self->writable)
    return FALSE;

  version = query_int (self, "PRAGMA data_version", NULL);
  if (version != self->facts_version)
    {
      forget_facts (self);
      self->facts_version = version;
    }

  return version >= 0;
}

/* Called by load_index with what it built (locked). */
void
remember_index (ChanceryStore        *self,
                const ChanceryFilter *filter,
                ChanceryIndex        *index)
{
  if (!check_facts (self))
    return;

  g_clear_pointer (&self->last_index, chancery_index_unref);
  g_clear_pointer (&self->last_filter, chancery_filter_free);
  self->last_index = chancery_index_ref (index);
  self->last_filter = filter != NULL ? chancery_filter_copy (filter) : chancery_filter_new ();

  if (chancery_filter_is_empty (self->last_filter))
    {
      memset (self->all_kinds, 0, sizeof self->all_kinds);
      memset (self->all_statuses, 0, sizeof self->all_statuses);
      for (guint i = 0; i < index->n_events; i++)
        {
          self->all_kinds[MIN (index->events[i].kind, CHANCERY_KIND_OTHER)]++;
          self->all_statuses[MIN (index->events[i].status, CHANCERY_N_STATUSES - 1)]++;
        }
      self->have_all_counts = TRUE;
    }
}

static Relation *
load_relation (ChanceryStore      *self,
               ChanceryFacetKind   kind,
               GError            **error)
{
  static const char * const names_sql[] = {
    "SELECT id, uid, name FROM actor",
    "SELECT code, code, name FROM country",
    "SELECT id, uid, name FROM project",
  };
  static const char * const rows_sql[] = {
    "SELECT event_id, actor_id FROM event_actor ORDER BY event_id",
    "SELECT event_id, country FROM event_country ORDER BY event_id",
    "SELECT event_id, project_id FROM event_project ORDER BY event_id",
  };
  g_autoptr(GHashTable) dense = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr(GHashTable) labels = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  g_autoptr(GHashTable) uids = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  g_autoptr(GArray) keys = g_array_new (FALSE, FALSE, sizeof (guint32));
  g_autoptr(sqlite3_stmt) stmt = NULL;
  Relation *relation;
  gint64 max_id, n_events, next = 0;
  guint r = kind == CHANCERY_FACET_ACTOR ? 0 : kind == CHANCERY_FACET_COUNTRY ? 1 : 2;
  int rc;

  max_id = query_int (self, "SELECT ifnull(max(id), 0) FROM event", error);
  n_events = query_int (self, "SELECT count(*) FROM event", error);
  if (max_id < 0 || n_events < 0)
    return NULL;
  /* Row ids are dense unless many events were replaced; if not, SQL. */
  if (max_id > 4 * n_events + 65536)
    return NULL;

  /* Names first: row id (or code) -> uid and label. */
  if (sqlite3_prepare_v2 (self->db, names_sql[r], -1, &stmt, NULL) != SQLITE_OK)
    {
      set_sqlite_error (error, self->db, sqlite3_errcode (self->db), self->path);
      return NULL;
    }
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      const char *id = (const char *) sqlite3_column_text (stmt, 0);
      const char *uid = (const char *) sqlite3_column_text (stmt, 1);
      const char *name = (const char *) sqlite3_column_text (stmt, 2);

      if (id == NULL || uid == NULL)
        continue;
      g_hash_table_insert (uids, g_strdup (id), g_strdup (uid));
      g_hash_table_insert (labels, g_strdup (id), g_strdup (name != NULL ? name : uid));
    }
  if (step_failed (self, rc, error))
    return NULL;
  g_clear_pointer (&stmt, sqlite3_finalize);

  relation = g_new0 (Relation, 1);
  relation->max_id = max_id;
  relation->offsets = g_new0 (guint32, max_id + 2);
  relation->uids = g_ptr_array_new_with_free_func (g_free);
  relation->labels = g_ptr_array_new_with_free_func (g_free);

  if (sqlite3_prepare_v2 (self->db, rows_sql[r], -1, &stmt, NULL) != SQLITE_OK)
    {
      set_sqlite_error (error, self->db, sqlite3_errcode (self->db), self->path);
      relation_free (relation);
      return NULL;
    }
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      gint64 event_id = sqlite3_column_int64 (stmt, 0);
      const char *key = (const char *) sqlite3_column_text (stmt, 1);
      gpointer number;
      guint32 value;

      if (event_id < 0 || event_id > max_id || key == NULL)
        continue;
      /* Rows come by event id: close the rows of the events before. */
      for (; next <= event_id; next++)
        relation->offsets[next] = keys->len;

      if (!g_hash_table_lookup_extended (dense, key, NULL, &number))
        {
          const char *uid = g_hash_table_lookup (uids, key);
          const char *label = g_hash_table_lookup (labels, key);

          /* An actor or project row without its record: SQL's inner join drops it. */
          if (uid == NULL && kind != CHANCERY_FACET_COUNTRY)
            continue;
          number = GUINT_TO_POINTER (relation->uids->len);
          g_hash_table_insert (dense, g_strdup (key), number);
          g_ptr_array_add (relation->uids, g_strdup (uid != NULL ? uid : key));
          g_ptr_array_add (relation->labels, g_strdup (label != NULL ? label : key));
        }
      value = GPOINTER_TO_UINT (number);
      g_array_append_val (keys, value);
    }
  if (step_failed (self, rc, error))
    {
      relation_free (relation);
      return NULL;
    }
  for (; next <= max_id + 1; next++)
    relation->offsets[next] = keys->len;
  relation->keys = (guint32 *) g_array_free (g_steal_pointer (&keys), FALSE);

  return relation;
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

static void
counts_to_facets (GPtrArray       *facets,
                  const guint     *counts,
                  guint            n,
                  ChanceryFacetKind kind,
                  const Relation  *relation)
{
  for (guint i = 0; i < n; i++)
    {
      ChanceryFacet *facet;

      if (counts[i] == 0)
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
          facet->key = g_strdup (g_ptr_array_index (relation->uids, i));
          facet->label = g_strdup (g_ptr_array_index (relation->labels, i));
        }
      facet->count = counts[i];
      g_ptr_array_add (facets, facet);
    }
  /* The same order as list_facets gives from SQL. */
  g_ptr_array_sort (facets, relation != NULL ? compare_relation_facets : compare_facets);
}

/* The facets without SQL when the facts allow; NULL otherwise (and no
 * error: the caller uses SQL). Locked. */
static GPtrArray *
facets_in_memory (ChanceryStore         *self,
                  const ChanceryFilter  *filter,
                  ChanceryFacetKind      kind)
{
  g_autoptr(ChanceryFilter) others = filter != NULL ? chancery_filter_copy (filter) : chancery_filter_new ();
  g_autoptr(GPtrArray) facets = g_ptr_array_new_with_free_func ((GDestroyNotify) chancery_facet_free);
  g_autofree guint *counts = NULL;
  ChanceryIndex *index = NULL;
  gboolean all;
  guint n;

  if (!check_facts (self))
    return NULL;

  /* The events to count: the filter without this facet's own field. */
  switch (kind)
    {
    case CHANCERY_FACET_ACTOR:
      g_ptr_array_set_size (others->actors, 0);
      break;
    case CHANCERY_FACET_COUNTRY:
      g_ptr_array_set_size (others->countries, 0);
      break;
    case CHANCERY_FACET_PROJECT:
      g_ptr_array_set_size (others->projects, 0);
      break;
    case CHANCERY_FACET_KIND:
      others->kinds = 0;
      break;
    case CHANCERY_FACET_STATUS:
      others->statuses = 0;
      break;
    default:
      return NULL;
    }

  all = chancery_filter_is_empty (others);
  if (self->last_index != NULL && chancery_filter_equal (others, self->last_filter))
    index = self->last_index;
  else if (!all)
    return NULL;

  if (kind == CHANCERY_FACET_KIND || kind == CHANCERY_FACET_STATUS)
    {
      n = kind == CHANCERY_FACET_KIND ? CHANCERY_N_KINDS : CHANCERY_N_STATUSES;
      counts = g_new0 (guint, n);
      if (index != NULL)
        {
          for (guint i = 0; i < index->n_events; i++)
            counts[kind == CHANCERY_FACET_KIND ? index->events[i].kind : index->events[i].status]++;
        }
      else if (self->have_all_counts)
        memcpy (counts, kind == CHANCERY_FACET_KIND ? self->all_kinds : self->all_statuses,
                n * sizeof (guint));
      else
        return NULL;
      counts_to_facets (facets, counts, n, kind, NULL);
    }
  else
    {
      guint r = kind == CHANCERY_FACET_ACTOR ? 0 : kind == CHANCERY_FACET_COUNTRY ? 1 : 2;
      Relation *relation;

      if (self->relations[r] == NULL &&
          !(self->relations[r] = load_relation (self, kind, NULL)))
        return NULL;
      relation = self->relations[r];
      n = relation->uids->len;
      counts = g_new0 (guint, MAX (n, 1));

      if (index != NULL)
        {
          for (guint i = 0; i < index->n_events; i++)
            {
              gint64 id = index->events[i].id;

              if (id < 0 || id > relation->max_id)
                return NULL;   /* newer than the facts: let SQL answer */
              for (guint32 k = relation->offsets[id]; k < relation->offsets[id + 1]; k++)
                counts[relation->keys[k]]++;
            }
        }
      else
        {
          for (guint32 k = 0; k < relation->offsets[relation->max_id + 1]; k++)
            counts[relation->keys[k]]++;
        }
      counts_to_facets (facets, counts, n, kind, relation);
    }

  return g_steal_pointer (&facets);
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
  if ((facets = facets_in_memory (self, filter, kind)) != NULL)
    {
      end_call (self);
      return g_steal_pointer (&facets);
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

