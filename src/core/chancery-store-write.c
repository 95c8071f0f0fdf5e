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

struct _ChanceryImporter
{
  ChanceryStore *store;
  gboolean       open;
};

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

ChanceryImporter *
chancery_importer_begin (ChanceryStore  *store,
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

  g_rec_mutex_lock (&store->mutex);
  if (!exec_sql (store, "BEGIN IMMEDIATE", error))
    {
      g_rec_mutex_unlock (&store->mutex);
      return NULL;
    }

  self = g_new0 (ChanceryImporter, 1);
  self->store = g_object_ref (store);
  self->open = TRUE;

  return self;
}

static void
importer_free (ChanceryImporter *self)
{
  g_rec_mutex_unlock (&self->store->mutex);
  g_object_unref (self->store);
  g_free (self);
}

gboolean
chancery_importer_commit (ChanceryImporter  *self,
                          GError           **error)
{
  gboolean ok;

  g_return_val_if_fail (self != NULL, FALSE);

  ok = exec_sql (self->store, "COMMIT", error);
  if (!ok)
    exec_sql (self->store, "ROLLBACK", NULL);
  importer_free (self);

  return ok;
}

void
chancery_importer_abort (ChanceryImporter *self)
{
  if (self == NULL)
    return;

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
exists_with_text (ChanceryStore *store,
                  const char    *sql,
                  const char    *value)
{
  sqlite3_stmt *stmt;
  gboolean found;

  if (value == NULL || !(stmt = get_statement (store, sql, NULL)))
    return FALSE;

  sqlite3_bind_text (stmt, 1, value, -1, SQLITE_TRANSIENT);
  found = sqlite3_step (stmt) == SQLITE_ROW;
  sqlite3_reset (stmt);

  return found;
}

gboolean
chancery_importer_put_country (ChanceryImporter  *self,
                               const char        *code,
                               const char        *name,
                               GError           **error)
{
  g_return_val_if_fail (self != NULL && code != NULL && name != NULL, FALSE);

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
  g_return_val_if_fail (self != NULL && uid != NULL && name != NULL, FALSE);

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
  g_return_val_if_fail (self != NULL && uid != NULL && name != NULL, FALSE);

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

  return run_with_texts (self->store,
                         "INSERT INTO source (uid, publisher, title, reference, url, published)"
                         " VALUES (?, ?, ?, ?, ?, ?)"
                         " ON CONFLICT (uid) DO UPDATE SET publisher = excluded.publisher,"
                         " title = excluded.title, reference = excluded.reference,"
                         " url = excluded.url, published = excluded.published"
                         " WHERE (publisher, title, reference, url, published) IS NOT"
                         " (excluded.publisher, excluded.title, excluded.reference,"
                         " excluded.url, excluded.published)",
                         error, 6, uid, publisher, title, reference, url, published);
}

gboolean
chancery_importer_has_country (ChanceryImporter *self, const char *code)
{
  return exists_with_text (self->store, "SELECT 1 FROM country WHERE code = ?", code);
}

gboolean
chancery_importer_has_actor (ChanceryImporter *self, const char *uid)
{
  return exists_with_text (self->store, "SELECT 1 FROM actor WHERE uid = ?", uid);
}

gboolean
chancery_importer_has_project (ChanceryImporter *self, const char *uid)
{
  return exists_with_text (self->store, "SELECT 1 FROM project WHERE uid = ?", uid);
}

gboolean
chancery_importer_has_source (ChanceryImporter *self, const char *uid)
{
  return exists_with_text (self->store, "SELECT 1 FROM source WHERE uid = ?", uid);
}

gboolean
chancery_importer_has_event (ChanceryImporter *self, const char *uid)
{
  return exists_with_text (self->store, "SELECT 1 FROM event WHERE uid = ?", uid);
}

/* A digest of everything put_event stores, to tell an unchanged event
 * from an updated one. Fields are separated by bytes that cannot occur in
 * valid UTF-8 text. */
static char *
event_fingerprint (const ChanceryEvent *event)
{
  g_autoptr(GChecksum) sum = g_checksum_new (G_CHECKSUM_SHA256);
  char numbers[128];

#define FIELD(s) G_STMT_START { \
    const char *field_ = (s); \
    if (field_ != NULL) g_checksum_update (sum, (const guchar *) field_, -1); \
    g_checksum_update (sum, (const guchar *) "\xff", 1); \
  } G_STMT_END

  g_snprintf (numbers, sizeof numbers, "%d %d %d %.9g %.9g %.9g", event->kind, event->status,
              event->has_coordinates, event->latitude, event->longitude, event->importance);
  FIELD (numbers);
  FIELD (event->title);
  FIELD (event->summary);
  FIELD (event->date_text);
  FIELD (event->place_name);
  FIELD (event->place_country);
  FIELD (event->cameo);
  for (guint i = 0; i < event->actors->len; i++)
    {
      const ChanceryEventActor *a = g_ptr_array_index (event->actors, i);
      FIELD (a->uid);
      FIELD (chancery_role_to_string (a->role));
    }
  g_checksum_update (sum, (const guchar *) "\xfe", 1);
  for (guint i = 0; i < event->countries->len; i++)
    FIELD (((ChanceryEventCountry *) g_ptr_array_index (event->countries, i))->code);
  g_checksum_update (sum, (const guchar *) "\xfe", 1);
  for (guint i = 0; i < event->projects->len; i++)
    FIELD (((ChanceryEventProject *) g_ptr_array_index (event->projects, i))->uid);
  g_checksum_update (sum, (const guchar *) "\xfe", 1);
  for (guint i = 0; i < event->sources->len; i++)
    {
      const ChanceryEventSource *s = g_ptr_array_index (event->sources, i);
      FIELD (s->uid);
      FIELD (s->quote);
    }
  g_checksum_update (sum, (const guchar *) "\xfe", 1);
  for (guint i = 0; i < event->links->len; i++)
    {
      const ChanceryEventLink *l = g_ptr_array_index (event->links, i);
      FIELD (l->uid);
      FIELD (l->relation);
    }

#undef FIELD

  return g_strdup (g_checksum_get_string (sum));
}

static gboolean
lookup_event (ChanceryStore  *store,
              const char     *uid,
              gint64         *id,
              char          **fingerprint,
              GError        **error)
{
  sqlite3_stmt *stmt;
  int rc;

  if (!(stmt = get_statement (store, "SELECT id, fingerprint FROM event WHERE uid = ?", error)))
    return FALSE;

  sqlite3_bind_text (stmt, 1, uid, -1, SQLITE_TRANSIENT);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    {
      *id = sqlite3_column_int64 (stmt, 0);
      *fingerprint = dup_column_text (stmt, 1);
    }
  else
    {
      *id = -1;
      *fingerprint = NULL;
    }
  sqlite3_reset (stmt);

  if (rc != SQLITE_ROW && rc != SQLITE_DONE)
    return set_sqlite_error (error, store->db, rc, store->path);

  return TRUE;
}

static gboolean
put_place (ChanceryStore        *store,
           const ChanceryEvent  *event,
           gint64               *place_id,
           GError              **error)
{
  sqlite3_stmt *stmt;
  int rc;

  *place_id = -1;
  if (event->place_name == NULL)
    return TRUE;

  if (!(stmt = get_statement (store,
        "INSERT INTO place (name, country, lat, lon) VALUES (?, ?, ?, ?)"
        " ON CONFLICT (name, country) DO UPDATE SET"
        " lat = ifnull(excluded.lat, lat), lon = ifnull(excluded.lon, lon)"
        " RETURNING id", error)))
    return FALSE;

  sqlite3_bind_text (stmt, 1, event->place_name, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 2, event->place_country != NULL ? event->place_country : "", -1, SQLITE_TRANSIENT);
  if (event->has_coordinates)
    {
      sqlite3_bind_double (stmt, 3, event->latitude);
      sqlite3_bind_double (stmt, 4, event->longitude);
    }

  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    *place_id = sqlite3_column_int64 (stmt, 0);
  /* RETURNING statements finish their work on the next step. */
  while (rc == SQLITE_ROW)
    rc = sqlite3_step (stmt);
  sqlite3_reset (stmt);

  if (rc != SQLITE_DONE)
    return set_sqlite_error (error, store->db, rc, store->path);

  return TRUE;
}

static gboolean
write_event_row (ChanceryStore        *store,
                 const ChanceryEvent  *event,
                 gint64                place_id,
                 const char           *fingerprint,
                 gint64               *id,
                 GError              **error)
{
  sqlite3_stmt *stmt;
  gint32 lo, hi;
  int rc;

  if (*id >= 0)
    stmt = get_statement (store,
                          "UPDATE event SET kind = ?1, status = ?2, title = ?3, summary = ?4,"
                          " date = ?5, lo_day = ?6, hi_day = ?7, precision = ?8, flags = ?9,"
                          " place_id = ?10, cameo = ?11, importance = ?12, fingerprint = ?13"
                          " WHERE id = ?14", error);
  else
    stmt = get_statement (store,
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
clear_event_relations (ChanceryStore  *store,
                       gint64          id,
                       GError        **error)
{
  return run_with_id (store, "DELETE FROM event_actor WHERE event_id = ?", id, error) &&
         run_with_id (store, "DELETE FROM event_country WHERE event_id = ?", id, error) &&
         run_with_id (store, "DELETE FROM event_project WHERE event_id = ?", id, error) &&
         run_with_id (store, "DELETE FROM event_source WHERE event_id = ?", id, error) &&
         run_with_id (store, "DELETE FROM event_link WHERE event_id = ?", id, error) &&
         run_with_id (store, "DELETE FROM event_fts WHERE rowid = ?", id, error);
}

/* Binds (event id, text, extra text, number) and runs sql once. */
static gboolean
insert_relation (ChanceryStore  *store,
                 const char     *sql,
                 gint64          id,
                 const char     *text,
                 const char     *extra,
                 gint64          number,
                 GError        **error)
{
  sqlite3_stmt *stmt;
  int rc;

  if (!(stmt = get_statement (store, sql, error)))
    return FALSE;

  sqlite3_bind_int64 (stmt, 1, id);
  bind_text_or_null (stmt, 2, text);
  if (sqlite3_bind_parameter_count (stmt) >= 3)
    bind_text_or_null (stmt, 3, extra);
  if (sqlite3_bind_parameter_count (stmt) >= 4)
    sqlite3_bind_int64 (stmt, 4, number);
  rc = sqlite3_step (stmt);
  sqlite3_reset (stmt);
  if (rc != SQLITE_DONE)
    return set_sqlite_error (error, store->db, rc, store->path);

  return TRUE;
}

static gboolean
write_event_relations (ChanceryStore        *store,
                       const ChanceryEvent  *event,
                       gint64                id,
                       GError              **error)
{
  for (guint i = 0; i < event->actors->len; i++)
    {
      const ChanceryEventActor *a = g_ptr_array_index (event->actors, i);

      if (!exists_with_text (store, "SELECT 1 FROM actor WHERE uid = ?", a->uid))
        {
          g_set_error (error, CHANCERY_ERROR, CHANCERY_ERROR_NOT_FOUND,
                       _("Actor “%s” does not exist"), a->uid);
          return FALSE;
        }
      if (!insert_relation (store,
                            "INSERT OR IGNORE INTO event_actor (event_id, actor_id, role)"
                            " SELECT ?1, id, ?4 FROM actor WHERE uid = ?2",
                            id, a->uid, NULL, a->role, error))
        return FALSE;
    }

  for (guint i = 0; i < event->countries->len; i++)
    {
      const ChanceryEventCountry *c = g_ptr_array_index (event->countries, i);

      if (!insert_relation (store,
                            "INSERT OR IGNORE INTO event_country (event_id, country)"
                            " VALUES (?1, ?2)",
                            id, c->code, NULL, 0, error))
        return FALSE;
    }

  for (guint i = 0; i < event->projects->len; i++)
    {
      const ChanceryEventProject *p = g_ptr_array_index (event->projects, i);

      if (!exists_with_text (store, "SELECT 1 FROM project WHERE uid = ?", p->uid))
        {
          g_set_error (error, CHANCERY_ERROR, CHANCERY_ERROR_NOT_FOUND,
                       _("Project “%s” does not exist"), p->uid);
          return FALSE;
        }
      if (!insert_relation (store,
                            "INSERT OR IGNORE INTO event_project (event_id, project_id)"
                            " SELECT ?1, id FROM project WHERE uid = ?2",
                            id, p->uid, NULL, 0, error))
        return FALSE;
    }

  for (guint i = 0; i < event->sources->len; i++)
    {
      const ChanceryEventSource *s = g_ptr_array_index (event->sources, i);

      if (!exists_with_text (store, "SELECT 1 FROM source WHERE uid = ?", s->uid))
        {
          g_set_error (error, CHANCERY_ERROR, CHANCERY_ERROR_NOT_FOUND,
                       _("Source “%s” does not exist"), s->uid);
          return FALSE;
        }
      if (!insert_relation (store,
                            "INSERT OR REPLACE INTO event_source (event_id, source_id, quote, position)"
                            " SELECT ?1, id, ?3, ?4 FROM source WHERE uid = ?2",
                            id, s->uid, s->quote, i, error))
        return FALSE;
    }

  for (guint i = 0; i < event->links->len; i++)
    {
      const ChanceryEventLink *l = g_ptr_array_index (event->links, i);

      if (!insert_relation (store,
                            "INSERT OR IGNORE INTO event_link (event_id, target_uid, relation)"
                            " VALUES (?1, ?2, ?3)",
                            id, l->uid, l->relation, 0, error))
        return FALSE;
    }

  return TRUE;
}

static gboolean
write_event_fts (ChanceryStore        *store,
                 const ChanceryEvent  *event,
                 gint64                id,
                 GError              **error)
{
  g_autoptr(GString) quotes = g_string_new (NULL);
  sqlite3_stmt *stmt;
  int rc;

  for (guint i = 0; i < event->sources->len; i++)
    {
      const ChanceryEventSource *s = g_ptr_array_index (event->sources, i);

      if (s->quote != NULL)
        g_string_append_printf (quotes, "%s\n", s->quote);
    }

  if (!(stmt = get_statement (store,
        "INSERT INTO event_fts (rowid, title, summary, quotes, names) VALUES (?1, ?2, ?3, ?4,"
        " (SELECT group_concat(n, ' ') FROM ("
        "   SELECT a.name AS n FROM event_actor x JOIN actor a ON a.id = x.actor_id WHERE x.event_id = ?1"
        "   UNION ALL SELECT ifnull(c.name, '') || ' ' || x.country FROM event_country x"
        "     LEFT JOIN country c ON c.code = x.country WHERE x.event_id = ?1"
        "   UNION ALL SELECT p.name FROM event_project x JOIN project p ON p.id = x.project_id"
        "     WHERE x.event_id = ?1"
        "   UNION ALL SELECT ?5)))", error)))
    return FALSE;

  sqlite3_bind_int64 (stmt, 1, id);
  sqlite3_bind_text (stmt, 2, event->title, -1, SQLITE_TRANSIENT);
  bind_text_or_null (stmt, 3, event->summary);
  sqlite3_bind_text (stmt, 4, quotes->str, -1, SQLITE_TRANSIENT);
  bind_text_or_null (stmt, 5, event->place_name);
  rc = sqlite3_step (stmt);
  sqlite3_reset (stmt);
  if (rc != SQLITE_DONE)
    return set_sqlite_error (error, store->db, rc, store->path);

  return TRUE;
}

gboolean
chancery_importer_put_event (ChanceryImporter     *self,
                             const ChanceryEvent  *event,
                             ChanceryPutResult    *result,
                             GError              **error)
{
  g_autofree char *fingerprint = NULL;
  g_autofree char *old_fingerprint = NULL;
  gint64 id, place_id;
  gboolean existed;

  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (event != NULL && event->uid != NULL && event->title != NULL, FALSE);
  g_return_val_if_fail (event->date_text != NULL, FALSE);

  /* A value over SQLite's length limit fails to bind and would be stored
   * as NULL (a misleading "NOT NULL constraint failed"); say what it is. */
  if (!check_event_size (self->store, event, error))
    return FALSE;

  fingerprint = event_fingerprint (event);
  if (!lookup_event (self->store, event->uid, &id, &old_fingerprint, error))
    return FALSE;

  existed = id >= 0;
  if (existed && g_strcmp0 (fingerprint, old_fingerprint) == 0)
    {
      if (result != NULL)
        *result = CHANCERY_PUT_UNCHANGED;
      return TRUE;
    }

  if (!put_place (self->store, event, &place_id, error) ||
      (existed && !clear_event_relations (self->store, id, error)) ||
      !write_event_row (self->store, event, place_id, fingerprint, &id, error) ||
      !write_event_relations (self->store, event, id, error) ||
      !write_event_fts (self->store, event, id, error))
    return FALSE;

  if (result != NULL)
    *result = existed ? CHANCERY_PUT_UPDATED : CHANCERY_PUT_INSERTED;

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

static gboolean
build_record_array (ChanceryStore        *self,
                    const ChanceryFilter *filter,
                    JsonBuilder          *builder,
                    const char           *member,
                    const char           *sql_template,
                    const char * const   *names,
                    guint                 n_uses,
                    GError              **error)
{
  g_autoptr(GString) where = g_string_new (NULL);
  g_autoptr(GArray) binds = new_binds ();
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autoptr(GString) sql = g_string_new (sql_template);
  int rc;

  /* The filter appears n_uses times in the query, each with its own values. */
  for (guint i = 0; i < n_uses; i++)
    {
      g_string_truncate (where, 0);
      append_conditions (where, binds, filter, -1);
    }
  g_string_replace (sql, "@FILTER@", where->str, 0);
  if (!(stmt = prepare_with_binds (self, sql->str, binds, error)))
    return FALSE;

  json_builder_set_member_name (builder, member);
  json_builder_begin_array (builder);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      json_builder_begin_object (builder);
      for (int i = 0; names[i] != NULL; i++)
        {
          const char *text = (const char *) sqlite3_column_text (stmt, i);

          if (text == NULL)
            continue;
          json_builder_set_member_name (builder, names[i]);
          if (g_str_equal (names[i], "countries"))
            {
              g_auto(GStrv) codes = g_strsplit (text, ",", -1);

              json_builder_begin_array (builder);
              for (guint c = 0; codes[c] != NULL; c++)
                json_builder_add_string_value (builder, codes[c]);
              json_builder_end_array (builder);
            }
          else
            json_builder_add_string_value (builder, text);
        }
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);

  if (rc != SQLITE_DONE)
    return set_sqlite_error (error, self->db, rc, self->path);

  return TRUE;
}

#define FILTERED_EVENTS "(SELECT e.id FROM event e WHERE 1@FILTER@)"

gboolean
chancery_store_build_json_records (ChanceryStore         *self,
                                   const ChanceryFilter  *filter,
                                   JsonBuilder           *builder,
                                   GError               **error)
{
  static const char * const country_names[] = { "code", "name", NULL };
  static const char * const source_names[] = {
    "id", "publisher", "title", "reference", "url", "published", NULL
  };
  static const char * const actor_names[] = { "id", "name", "title", "country", NULL };
  static const char * const project_names[] = { "id", "name", "description", "countries", NULL };
  gboolean ok;

  g_return_val_if_fail (CHANCERY_IS_STORE (self), FALSE);

  begin_call (self, NULL);
  ok = build_record_array (self, filter, builder, "countries",
         "SELECT code, name FROM country WHERE code IN ("
         " SELECT country FROM event_country WHERE event_id IN " FILTERED_EVENTS
         " UNION SELECT a.country FROM actor a JOIN event_actor x ON x.actor_id = a.id"
         "   WHERE x.event_id IN " FILTERED_EVENTS
         " UNION SELECT pc.country FROM project_country pc JOIN event_project x"
         "   ON x.project_id = pc.project_id WHERE x.event_id IN " FILTERED_EVENTS
         " UNION SELECT p.country FROM place p JOIN event e2 ON e2.place_id = p.id"
         "   WHERE e2.id IN " FILTERED_EVENTS ") ORDER BY code",
         country_names, 4, error) &&
       build_record_array (self, filter, builder, "sources",
         "SELECT uid, publisher, title, reference, url, published FROM source WHERE id IN ("
         " SELECT source_id FROM event_source WHERE event_id IN " FILTERED_EVENTS ") ORDER BY uid",
         source_names, 1, error) &&
       build_record_array (self, filter, builder, "actors",
         "SELECT uid, name, title, country FROM actor WHERE id IN ("
         " SELECT actor_id FROM event_actor WHERE event_id IN " FILTERED_EVENTS ") ORDER BY uid",
         actor_names, 1, error) &&
       build_record_array (self, filter, builder, "projects",
         "SELECT p.uid, p.name, p.description,"
         " (SELECT group_concat(country) FROM project_country pc WHERE pc.project_id = p.id)"
         " FROM project p WHERE p.id IN ("
         " SELECT project_id FROM event_project WHERE event_id IN " FILTERED_EVENTS ") ORDER BY p.uid",
         project_names, 1, error);
  end_call (self);

  return ok;
}
