/* chancery-store.c
 *
 * Copyright 2026 The Chancery developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <unistd.h>
#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "chancery-error.h"
#include "chancery-store-private.h"

struct _ChanceryStore
{
  GObject       parent_instance;

  sqlite3      *db;
  char         *path;
  gboolean      writable;
  GHashTable   *statements;   /* SQL text -> sqlite3_stmt* */
  GRecMutex     mutex;        /* one call at a time: statements are shared */
  GCancellable *cancellable;  /* of the running call, for the progress handler */

  /* Facet counts in memory (read-only stores): see facets_in_memory(). */
  gint64          facts_version;   /* PRAGMA data_version they belong to */
  ChanceryIndex  *last_index;      /* the last index built, and its filter */
  ChanceryFilter *last_filter;
  gboolean        have_all_counts; /* kinds and statuses of all events */
  guint           all_kinds[CHANCERY_N_KINDS];
  guint           all_statuses[CHANCERY_N_STATUSES];
  struct _Relation *relations[3];  /* actor, country, project; NULL until needed */
};

G_DEFINE_FINAL_TYPE (ChanceryStore, chancery_store, G_TYPE_OBJECT)

/* Schema history. Index i migrates from version i to version i + 1; a new
 * database runs them all. Never edit a step that has shipped: add one. */
static const char * const migrations[] = {
  /* 0 -> 1 */
  "CREATE TABLE meta (key TEXT PRIMARY KEY NOT NULL, value TEXT NOT NULL);"
  "CREATE TABLE country (code TEXT PRIMARY KEY NOT NULL, name TEXT NOT NULL);"
  "CREATE TABLE actor (id INTEGER PRIMARY KEY, uid TEXT NOT NULL UNIQUE,"
  "  name TEXT NOT NULL, title TEXT, country TEXT);"
  "CREATE INDEX actor_by_name ON actor (name COLLATE NOCASE);"
  "CREATE TABLE place (id INTEGER PRIMARY KEY, name TEXT NOT NULL,"
  "  country TEXT NOT NULL DEFAULT '', lat REAL, lon REAL, UNIQUE (name, country));"
  "CREATE TABLE project (id INTEGER PRIMARY KEY, uid TEXT NOT NULL UNIQUE,"
  "  name TEXT NOT NULL, description TEXT);"
  "CREATE TABLE project_country (project_id INTEGER NOT NULL, country TEXT NOT NULL,"
  "  PRIMARY KEY (project_id, country)) WITHOUT ROWID;"
  "CREATE TABLE source (id INTEGER PRIMARY KEY, uid TEXT NOT NULL UNIQUE,"
  "  publisher TEXT, title TEXT, reference TEXT, url TEXT, published TEXT);"
  "CREATE TABLE event (id INTEGER PRIMARY KEY, uid TEXT NOT NULL UNIQUE,"
  "  kind INTEGER NOT NULL, status INTEGER NOT NULL, title TEXT NOT NULL,"
  "  summary TEXT, date TEXT NOT NULL, lo_day INTEGER NOT NULL,"
  "  hi_day INTEGER NOT NULL, precision INTEGER NOT NULL, flags INTEGER NOT NULL,"
  "  place_id INTEGER, cameo TEXT);"
  "CREATE INDEX event_by_time ON event (lo_day, hi_day, id);"
  "CREATE TABLE event_actor (event_id INTEGER NOT NULL, actor_id INTEGER NOT NULL,"
  "  role INTEGER NOT NULL, PRIMARY KEY (event_id, actor_id)) WITHOUT ROWID;"
  "CREATE INDEX event_actor_by_actor ON event_actor (actor_id, event_id);"
  "CREATE TABLE event_country (event_id INTEGER NOT NULL, country TEXT NOT NULL,"
  "  PRIMARY KEY (event_id, country)) WITHOUT ROWID;"
  "CREATE INDEX event_country_by_country ON event_country (country, event_id);"
  "CREATE TABLE event_project (event_id INTEGER NOT NULL, project_id INTEGER NOT NULL,"
  "  PRIMARY KEY (event_id, project_id)) WITHOUT ROWID;"
  "CREATE INDEX event_project_by_project ON event_project (project_id, event_id);"
  "CREATE TABLE event_source (event_id INTEGER NOT NULL, source_id INTEGER NOT NULL,"
  "  position INTEGER NOT NULL, quote TEXT, PRIMARY KEY (event_id, source_id)) WITHOUT ROWID;"
  "CREATE VIRTUAL TABLE event_fts USING fts5 (title, summary, quotes, names,"
  "  tokenize = 'unicode61 remove_diacritics 2');",

  /* 1 -> 2: importance, change detection for idempotent imports, links */
  "ALTER TABLE event ADD COLUMN importance REAL NOT NULL DEFAULT 0;"
  "ALTER TABLE event ADD COLUMN fingerprint TEXT;"
  "CREATE TABLE event_link (event_id INTEGER NOT NULL, target_uid TEXT NOT NULL,"
  "  relation TEXT NOT NULL, PRIMARY KEY (event_id, target_uid, relation)) WITHOUT ROWID;"
  "CREATE INDEX event_link_by_target ON event_link (target_uid);",
};

G_STATIC_ASSERT (G_N_ELEMENTS (migrations) == CHANCERY_SCHEMA_VERSION);

static const char * const required_tables[] = {
  "meta", "country", "actor", "place", "project", "source", "event",
  "event_actor", "event_country", "event_project", "event_source", "event_fts",
};

/* Limits for files from elsewhere: generous for real data, small enough
 * that a hostile file cannot make us allocate gigabytes. */
#define MAX_VALUE_LENGTH  (10 * 1024 * 1024)
#define MAX_SQL_LENGTH    (1024 * 1024)

/* In KiB (negative): an upper bound, filled only as pages are read. */
#define CACHE_SIZE_PRAGMA "PRAGMA cache_size = -32768"

static const char sqlite_magic[16] = "SQLite format 3";

/* Helpers */

static gboolean
set_sqlite_error (GError     **error,
                  sqlite3     *db,
                  int          rc,
                  const char  *path)
{
  int code = CHANCERY_ERROR_FAILED;
  const char *detail = db != NULL ? sqlite3_errmsg (db) : sqlite3_errstr (rc);

  switch (rc & 0xff)
    {
    case SQLITE_NOTADB:
      code = CHANCERY_ERROR_NOT_A_DATABASE;
      break;
    case SQLITE_CORRUPT:
      code = CHANCERY_ERROR_CORRUPT;
      break;
    case SQLITE_INTERRUPT:
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED, _("Cancelled"));
      return FALSE;
    case SQLITE_TOOBIG:
      code = CHANCERY_ERROR_UNSAFE;
      detail = _("a value is larger than Chancery accepts (10 MB)");
      break;
    case SQLITE_CANTOPEN:
    case SQLITE_IOERR:
    case SQLITE_READONLY:
    case SQLITE_FULL:
    case SQLITE_PERM:
      code = CHANCERY_ERROR_IO;
      break;
    default:
      break;
    }

  g_set_error (error, CHANCERY_ERROR, code, "%s: %s", path, detail);
  return FALSE;
}

static int
on_progress (void *user_data)
{
  ChanceryStore *self = user_data;

  return self->cancellable != NULL && g_cancellable_is_cancelled (self->cancellable);
}

static void
finalize_statement (gpointer data)
{
  sqlite3_finalize (data);
}

/* A cached, reset statement for sql; owned by the store. */
static sqlite3_stmt *
get_statement (ChanceryStore  *self,
               const char     *sql,
               GError        **error)
{
  sqlite3_stmt *stmt = g_hash_table_lookup (self->statements, sql);
  int rc;

  if (stmt != NULL)
    {
      sqlite3_reset (stmt);
      sqlite3_clear_bindings (stmt);
      return stmt;
    }

  rc = sqlite3_prepare_v3 (self->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &stmt, NULL);
  if (rc != SQLITE_OK)
    {
      set_sqlite_error (error, self->db, rc, self->path);
      return NULL;
    }

  g_hash_table_insert (self->statements, g_strdup (sql), stmt);
  return stmt;
}

static gboolean
exec_sql (ChanceryStore  *self,
          const char     *sql,
          GError        **error)
{
  int rc = sqlite3_exec (self->db, sql, NULL, NULL, NULL);

  if (rc != SQLITE_OK)
    return set_sqlite_error (error, self->db, rc, self->path);
  return TRUE;
}

static char *
dup_column_text (sqlite3_stmt *stmt,
                 int           column)
{
  const unsigned char *text = sqlite3_column_text (stmt, column);

  return text != NULL ? g_strdup ((const char *) text) : NULL;
}

static gboolean
has_sqlite_header (const char  *path,
                   GError     **error)
{
  g_autoptr(GError) local_error = NULL;
  char header[16];
  gssize n;
  int fd;

  fd = g_open (path, O_RDONLY | O_CLOEXEC, 0);
  if (fd < 0)
    {
      int saved = errno;

      g_set_error (error, CHANCERY_ERROR,
                   saved == ENOENT ? CHANCERY_ERROR_NOT_FOUND : CHANCERY_ERROR_IO,
                   _("%s: cannot open: %s"), path, g_strerror (saved));
      return FALSE;
    }

  n = read (fd, header, sizeof header);
  close (fd);

  if (n == 0)
    {
      g_set_error (error, CHANCERY_ERROR, CHANCERY_ERROR_NOT_A_DATABASE,
                   _("%s: the file is empty"), path);
      return FALSE;
    }

  if (n != sizeof header || memcmp (header, sqlite_magic, sizeof header) != 0)
    {
      g_set_error (error, CHANCERY_ERROR, CHANCERY_ERROR_NOT_A_DATABASE,
                   _("%s: not a Chancery database (not an SQLite file)"), path);
      return FALSE;
    }

  return TRUE;
}

static void
harden_connection (sqlite3 *db)
{
  sqlite3_db_config (db, SQLITE_DBCONFIG_DEFENSIVE, 1, NULL);
  sqlite3_db_config (db, SQLITE_DBCONFIG_TRUSTED_SCHEMA, 0, NULL);
  sqlite3_db_config (db, SQLITE_DBCONFIG_ENABLE_TRIGGER, 0, NULL);
  sqlite3_db_config (db, SQLITE_DBCONFIG_ENABLE_VIEW, 0, NULL);
  sqlite3_db_config (db, SQLITE_DBCONFIG_ENABLE_LOAD_EXTENSION, 0, NULL);
  sqlite3_limit (db, SQLITE_LIMIT_LENGTH, MAX_VALUE_LENGTH);
  sqlite3_limit (db, SQLITE_LIMIT_SQL_LENGTH, MAX_SQL_LENGTH);
  sqlite3_limit (db, SQLITE_LIMIT_COLUMN, 100);
  sqlite3_limit (db, SQLITE_LIMIT_ATTACHED, 0);
  sqlite3_limit (db, SQLITE_LIMIT_EXPR_DEPTH, 200);
  sqlite3_limit (db, SQLITE_LIMIT_TRIGGER_DEPTH, 0);
  sqlite3_limit (db, SQLITE_LIMIT_VARIABLE_NUMBER, 10000);
  sqlite3_busy_timeout (db, 5000);
}

static int
query_int (ChanceryStore  *self,
           const char     *sql,
           GError        **error)
{
  sqlite3_stmt *stmt;
  int rc, value = -1;

  if (!(stmt = get_statement (self, sql, error)))
    return -1;

  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    value = sqlite3_column_int (stmt, 0);
  else if (rc != SQLITE_DONE)
    set_sqlite_error (error, self->db, rc, self->path);
  sqlite3_reset (stmt);

  return value;
}

static gboolean
check_integrity (ChanceryStore  *self,
                 GError        **error)
{
  sqlite3_stmt *stmt;
  int rc;

  if (!(stmt = get_statement (self, "PRAGMA quick_check(1)", error)))
    return FALSE;

  rc = sqlite3_step (stmt);
  if (rc != SQLITE_ROW)
    {
      sqlite3_reset (stmt);
      return set_sqlite_error (error, self->db, rc, self->path);
    }

  if (g_strcmp0 ((const char *) sqlite3_column_text (stmt, 0), "ok") != 0)
    {
      g_set_error (error, CHANCERY_ERROR, CHANCERY_ERROR_CORRUPT,
                   _("%s: the database is damaged (%s)"), self->path,
                   (const char *) sqlite3_column_text (stmt, 0));
      sqlite3_reset (stmt);
      return FALSE;
    }

  sqlite3_reset (stmt);
  return TRUE;
}

/* Files that passed quick_check, so that opening a big file again does not
 * read all of it again (seconds at a million events). A file counts as the
 * same when its size, modification and change times, inode, device and
 * SQLite's own change counter (header bytes 24-27 and 92-95) are all
 * unchanged. A file changed less than STAMP_MIN_AGE seconds before the
 * check is not remembered: timestamps are coarse, and a change made just
 * after the check could otherwise keep the same times. */
#define STAMP_MIN_AGE 2

static char *
verified_list_path (void)
{
  return g_build_filename (g_get_user_cache_dir (), "chancery", "verified-databases", NULL);
}

static char *
verified_key (const char *path)
{
  g_autofree char *canonical = g_canonicalize_filename (path, NULL);

  return g_compute_checksum_for_string (G_CHECKSUM_SHA256, canonical, -1);
}

/* NULL when the file cannot be remembered (unreadable, or too fresh). */
static char *
file_stamp (const char *path,
            gboolean    for_recording)
{
  struct stat st;
  guchar header[100];
  gssize n;
  int fd;

  fd = g_open (path, O_RDONLY | O_CLOEXEC, 0);
  if (fd < 0)
    return NULL;
  n = fstat (fd, &st) == 0 ? pread (fd, header, sizeof header, 0) : -1;
  close (fd);
  if (n != sizeof header)
    return NULL;

  if (for_recording)
    {
      gint64 now = g_get_real_time () / G_USEC_PER_SEC;

      if (st.st_mtime > now - STAMP_MIN_AGE || st.st_ctime > now - STAMP_MIN_AGE)
        return NULL;
    }

  return g_strdup_printf ("%" G_GINT64_FORMAT " %" G_GINT64_FORMAT ".%09ld %" G_GINT64_FORMAT ".%09ld"
                          " %" G_GUINT64_FORMAT " %" G_GUINT64_FORMAT " %02x%02x%02x%02x %02x%02x%02x%02x",
                          (gint64) st.st_size,
                          (gint64) st.st_mtim.tv_sec, (long) st.st_mtim.tv_nsec,
                          (gint64) st.st_ctim.tv_sec, (long) st.st_ctim.tv_nsec,
                          (guint64) st.st_ino, (guint64) st.st_dev,
                          header[24], header[25], header[26], header[27],
                          header[92], header[93], header[94], header[95]);
}

static gboolean
verified_before (const char *path)
{
  g_autoptr(GKeyFile) list = g_key_file_new ();
  g_autofree char *list_path = verified_list_path ();
  g_autofree char *key = verified_key (path);
  g_autofree char *stamp = file_stamp (path, FALSE);
  g_autofree char *known = NULL;

  if (stamp == NULL || !g_key_file_load_from_file (list, list_path, G_KEY_FILE_NONE, NULL))
    return FALSE;
  known = g_key_file_get_string (list, "verified", key, NULL);

  return g_strcmp0 (known, stamp) == 0;
}

static void
remember_verified (const char *path)
{
  g_autoptr(GKeyFile) list = g_key_file_new ();
  g_autofree char *list_path = verified_list_path ();
  g_autofree char *dir = g_path_get_dirname (list_path);
  g_autofree char *key = verified_key (path);
  g_autofree char *stamp = file_stamp (path, TRUE);
  g_auto(GStrv) keys = NULL;
  gsize n_keys = 0;

  if (stamp == NULL)
    return;
  g_key_file_load_from_file (list, list_path, G_KEY_FILE_NONE, NULL);

  /* Keep the list short: forget the others when it grows. */
  keys = g_key_file_get_keys (list, "verified", &n_keys, NULL);
  if (n_keys >= 64)
    g_key_file_remove_group (list, "verified", NULL);

  g_key_file_set_string (list, "verified", key, stamp);
  if (g_mkdir_with_parents (dir, 0700) == 0)
    g_key_file_save_to_file (list, list_path, NULL);
}

static gboolean
check_schema_objects (ChanceryStore  *self,
                      GError        **error)
{
  sqlite3_stmt *stmt;
  int n_unsafe;

  n_unsafe = query_int (self, "SELECT count(*) FROM sqlite_schema WHERE type IN ('trigger', 'view')", error);
  if (n_unsafe < 0)
    return FALSE;
  if (n_unsafe > 0)
    {
      g_set_error (error, CHANCERY_ERROR, CHANCERY_ERROR_UNSAFE,
                   _("%s: the database contains triggers or views, which Chancery "
                     "databases never have; it was not made by Chancery and is not opened"),
                   self->path);
      return FALSE;
    }

  if (!(stmt = get_statement (self, "SELECT 1 FROM sqlite_schema WHERE type = 'table' AND name = ?", error)))
    return FALSE;

  for (guint i = 0; i < G_N_ELEMENTS (required_tables); i++)
    {
      int rc;

      sqlite3_reset (stmt);
      sqlite3_bind_text (stmt, 1, required_tables[i], -1, SQLITE_STATIC);
      rc = sqlite3_step (stmt);
      sqlite3_reset (stmt);
      if (rc == SQLITE_DONE)
        {
          g_set_error (error, CHANCERY_ERROR, CHANCERY_ERROR_NOT_A_DATABASE,
                       _("%s: an SQLite database, but not a Chancery one (no table “%s”)"),
                       self->path, required_tables[i]);
          return FALSE;
        }
      if (rc != SQLITE_ROW)
        return set_sqlite_error (error, self->db, rc, self->path);
    }

  return TRUE;
}

static gboolean
run_migrations (ChanceryStore  *self,
                int             from,
                int             to,
                GError        **error)
{
  g_autofree char *set_version = NULL;

  if (!exec_sql (self, "BEGIN IMMEDIATE", error))
    return FALSE;

  for (int v = from; v < to; v++)
    {
      if (!exec_sql (self, migrations[v], error))
        {
          exec_sql (self, "ROLLBACK", NULL);
          return FALSE;
        }
    }

  set_version = g_strdup_printf ("PRAGMA user_version = %d", to);
  if (!exec_sql (self, set_version, error))
    {
      exec_sql (self, "ROLLBACK", NULL);
      return FALSE;
    }

  /* Test hook (tests/test-hostile.c): die in the middle of a migration,
   * with the changed pages written to the file, to prove that the hot
   * journal puts the database back as it was. */
  if (from > 0 && g_getenv ("CHANCERY_TEST_ABORT_MIGRATION") != NULL)
    {
      sqlite3_db_cacheflush (self->db);
      abort ();
    }

  if (!exec_sql (self, "COMMIT", error))
    {
      exec_sql (self, "ROLLBACK", NULL);
      return FALSE;
    }

  return TRUE;
}

/* Before changing an older database, keep a copy of it as it was. */
static gboolean
write_backup (ChanceryStore  *self,
              int             version,
              GError        **error)
{
  g_autofree char *backup_path = NULL;
  g_autoptr(GFile) source = NULL;
  g_autoptr(GFile) backup = NULL;

  backup_path = g_strdup_printf ("%s.schema-v%d.backup", self->path, version);
  if (g_file_test (backup_path, G_FILE_TEST_EXISTS))
    return TRUE;

  source = g_file_new_for_path (self->path);
  backup = g_file_new_for_path (backup_path);
  return g_file_copy (source, backup, G_FILE_COPY_NONE, NULL, NULL, NULL, error);
}

static gboolean
prepare_schema (ChanceryStore       *self,
                ChanceryStoreFlags   flags,
                GError             **error)
{
  g_autoptr(GError) local_error = NULL;
  int version = query_int (self, "PRAGMA user_version", &local_error);
  int n_tables;

  /* user_version is any 32-bit number in a hostile file; a negative one
   * must neither pass for an error nor index the migrations. */
  if (local_error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }

  if (version < 0)
    {
      g_set_error (error, CHANCERY_ERROR, CHANCERY_ERROR_NOT_A_DATABASE,
                   _("%s: not a Chancery database (schema version %d)"), self->path, version);
      return FALSE;
    }

  if (version > CHANCERY_SCHEMA_VERSION)
    {
      g_set_error (error, CHANCERY_ERROR, CHANCERY_ERROR_NEWER_SCHEMA,
                   _("%s: made by a newer version of Chancery (schema version %d; "
                     "this version reads up to %d). Update Chancery to open it."),
                   self->path, version, CHANCERY_SCHEMA_VERSION);
      return FALSE;
    }

  n_tables = query_int (self, "SELECT count(*) FROM sqlite_schema", error);
  if (n_tables < 0)
    return FALSE;

  if (version == 0 && n_tables == 0 && (flags & CHANCERY_STORE_CREATE))
    return run_migrations (self, 0, CHANCERY_SCHEMA_VERSION, error);

  if (version == 0)
    {
      g_set_error (error, CHANCERY_ERROR, CHANCERY_ERROR_NOT_A_DATABASE,
                   _("%s: an SQLite database, but not a Chancery one"), self->path);
      return FALSE;
    }

  if (!check_schema_objects (self, error))
    return FALSE;

  if (version < CHANCERY_SCHEMA_VERSION)
    {
      if (!self->writable)
        {
          g_set_error (error, CHANCERY_ERROR, CHANCERY_ERROR_FAILED,
                       _("%s: made by an older version of Chancery and must be upgraded"),
                       self->path);
          return FALSE;
        }
      if (!write_backup (self, version, error))
        return FALSE;
      return run_migrations (self, version, CHANCERY_SCHEMA_VERSION, error);
    }

  return TRUE;
}

static gboolean
open_connection (ChanceryStore       *self,
                 ChanceryStoreFlags   flags,
                 GError             **error)
{
  int open_flags = SQLITE_OPEN_FULLMUTEX | SQLITE_OPEN_NOFOLLOW;
  int rc;

  if (flags & CHANCERY_STORE_READ_WRITE)
    open_flags |= SQLITE_OPEN_READWRITE | ((flags & CHANCERY_STORE_CREATE) ? SQLITE_OPEN_CREATE : 0);
  else
    open_flags |= SQLITE_OPEN_READONLY;

  rc = sqlite3_open_v2 (self->path, &self->db, open_flags, NULL);
  if (rc != SQLITE_OK)
    {
      set_sqlite_error (error, self->db, rc, self->path);
      sqlite3_close (self->db);
      self->db = NULL;
      return FALSE;
    }

  sqlite3_extended_result_codes (self->db, 1);
  harden_connection (self->db);
  sqlite3_progress_handler (self->db, 1000, on_progress, self);
  self->writable = (flags & CHANCERY_STORE_READ_WRITE) != 0;

  /* The default page cache (2 MB) makes every query over a big file read
   * its pages again through pread: see docs/performance.md. */
  sqlite3_exec (self->db, CACHE_SIZE_PRAGMA, NULL, NULL, NULL);

  return TRUE;
}

static void
close_connection (ChanceryStore *self)
{
  g_hash_table_remove_all (self->statements);
  g_clear_pointer (&self->db, sqlite3_close);
}

/* A process killed mid-transaction leaves a hot journal, which only a
 * writer can roll back. Do that (it restores the file as it was before
 * the transaction) and go on read-only. */
static gboolean
recover_hot_journal (ChanceryStore  *self,
                     GError        **error)
{
  close_connection (self);
  if (!open_connection (self, CHANCERY_STORE_READ_WRITE, error))
    return FALSE;
  if (query_int (self, "SELECT count(*) FROM sqlite_schema", error) < 0)
    return FALSE;
  close_connection (self);
  return open_connection (self, CHANCERY_STORE_READ_ONLY, error);
}

static gboolean
open_checked (ChanceryStore       *self,
              ChanceryStoreFlags   flags,
              GError             **error)
{
  g_autoptr(GError) local_error = NULL;
  int version;

  if (!open_connection (self, flags, error))
    return FALSE;

  version = query_int (self, "PRAGMA user_version", &local_error);
  if (local_error != NULL && !self->writable &&
      (sqlite3_extended_errcode (self->db) == SQLITE_READONLY_ROLLBACK ||
       sqlite3_extended_errcode (self->db) == SQLITE_READONLY_RECOVERY))
    {
      g_clear_error (&local_error);
      if (!recover_hot_journal (self, error))
        return FALSE;
      /* The version as it is after the rollback, to upgrade below. */
      version = query_int (self, "PRAGMA user_version", error);
      if (error != NULL && *error != NULL)
        return FALSE;
    }
  else if (local_error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }

  /* A big file takes seconds to check; one checked before and unchanged
   * since is not checked again when only viewed. */
  if (self->writable || !verified_before (self->path))
    {
      if (!check_integrity (self, error))
        return FALSE;
      if (!self->writable)
        remember_verified (self->path);
    }

  if (!self->writable && version > 0 && version < CHANCERY_SCHEMA_VERSION)
    {
      /* Upgrade in place (after a backup), then view read-only. */
      close_connection (self);
      if (!open_connection (self, CHANCERY_STORE_READ_WRITE, error) ||
          !prepare_schema (self, CHANCERY_STORE_READ_WRITE, error))
        return FALSE;
      close_connection (self);
      if (!open_connection (self, CHANCERY_STORE_READ_ONLY, error))
        return FALSE;
    }

  return prepare_schema (self, flags, error);
}

static void forget_facts   (ChanceryStore *self);
static void remember_index (ChanceryStore        *self,
                            const ChanceryFilter *filter,
                            ChanceryIndex        *index);

/* GObject */

static void
chancery_store_finalize (GObject *object)
{
  ChanceryStore *self = CHANCERY_STORE (object);

  forget_facts (self);
  close_connection (self);
  g_hash_table_unref (self->statements);
  g_free (self->path);
  g_rec_mutex_clear (&self->mutex);

  G_OBJECT_CLASS (chancery_store_parent_class)->finalize (object);
}

static void
chancery_store_class_init (ChanceryStoreClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = chancery_store_finalize;
}

static void
chancery_store_init (ChanceryStore *self)
{
  self->statements = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, finalize_statement);
  g_rec_mutex_init (&self->mutex);
}

/* Public API */

ChanceryStore *
chancery_store_open (const char          *path,
                     ChanceryStoreFlags   flags,
                     GCancellable        *cancellable,
                     GError             **error)
{
  g_autoptr(ChanceryStore) self = NULL;
  gboolean exists;

  g_return_val_if_fail (path != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  exists = g_file_test (path, G_FILE_TEST_EXISTS);
  if (exists && !g_file_test (path, G_FILE_TEST_IS_REGULAR))
    {
      g_set_error (error, CHANCERY_ERROR, CHANCERY_ERROR_IO,
                   _("%s: not a regular file"), path);
      return NULL;
    }

  if (!exists && !(flags & CHANCERY_STORE_CREATE))
    {
      g_set_error (error, CHANCERY_ERROR, CHANCERY_ERROR_NOT_FOUND,
                   _("%s: no such file"), path);
      return NULL;
    }

  /* An existing file must look like SQLite before SQLite sees it; an
   * empty file is only acceptable as a place to create a database. */
  if (exists)
    {
      GStatBuf st;
      gboolean empty = g_stat (path, &st) == 0 && st.st_size == 0;

      if (!(empty && (flags & CHANCERY_STORE_CREATE)) && !has_sqlite_header (path, error))
        return NULL;
    }

  self = g_object_new (CHANCERY_TYPE_STORE, NULL);
  self->path = g_strdup (path);
  self->cancellable = cancellable;

  if (!open_checked (self, flags, error))
    return NULL;

  self->cancellable = NULL;
  return g_steal_pointer (&self);
}

const char *
chancery_store_get_path (ChanceryStore *self)
{
  g_return_val_if_fail (CHANCERY_IS_STORE (self), NULL);

  return self->path;
}

gboolean
chancery_store_is_writable (ChanceryStore *self)
{
  g_return_val_if_fail (CHANCERY_IS_STORE (self), FALSE);

  return self->writable;
}

struct sqlite3 *
chancery_store_get_db (ChanceryStore *self)
{
  g_return_val_if_fail (CHANCERY_IS_STORE (self), NULL);

  return self->db;
}

/* Filters as SQL: conditions on "event e", values always bound. */

typedef struct
{
  gboolean  is_text;
  char     *text;
  gint64    number;
} Bind;

static void
bind_clear (gpointer data)
{
  g_free (((Bind *) data)->text);
}

static void
add_text_bind (GArray     *binds,
               const char *text)
{
  Bind b = { TRUE, g_strdup (text), 0 };

  g_array_append_val (binds, b);
}

static void
add_int_bind (GArray *binds,
              gint64  number)
{
  Bind b = { FALSE, NULL, number };

  g_array_append_val (binds, b);
}

static void
append_placeholders (GString *sql,
                     guint    n)
{
  for (guint i = 0; i < n; i++)
    g_string_append (sql, i == 0 ? "?" : ", ?");
}

static void
append_bits (GString *sql,
             GArray  *binds,
             guint32  bits,
             guint    n_bits)
{
  gboolean first = TRUE;

  for (guint i = 0; i < n_bits; i++)
    {
      if (!(bits & (1u << i)))
        continue;
      g_string_append (sql, first ? "?" : ", ?");
      add_int_bind (binds, i);
      first = FALSE;
    }
}

/* Appends " AND ..." for every field of filter except the one of skip
 * (-1 for none). */
static void
append_conditions (GString              *sql,
                   GArray               *binds,
                   const ChanceryFilter *filter,
                   int                   skip)
{
  g_autofree char *fts = NULL;

  if (filter == NULL)
    return;

  if (filter->actors->len > 0 && skip != CHANCERY_FACET_ACTOR)
    {
      g_string_append (sql, " AND e.id IN (SELECT ea.event_id FROM event_actor ea"
                            " JOIN actor a ON a.id = ea.actor_id WHERE a.uid IN (");
      append_placeholders (sql, filter->actors->len);
      g_string_append (sql, ") OR a.name COLLATE NOCASE IN (");
      append_placeholders (sql, filter->actors->len);
      g_string_append (sql, "))");
      for (guint pass = 0; pass < 2; pass++)
        for (guint i = 0; i < filter->actors->len; i++)
          add_text_bind (binds, g_ptr_array_index (filter->actors, i));
    }

  if (filter->countries->len > 0 && skip != CHANCERY_FACET_COUNTRY)
    {
      g_string_append (sql, " AND e.id IN (SELECT event_id FROM event_country WHERE country IN (");
      append_placeholders (sql, filter->countries->len);
      g_string_append (sql, "))");
      for (guint i = 0; i < filter->countries->len; i++)
        add_text_bind (binds, g_ptr_array_index (filter->countries, i));
    }

  if (filter->projects->len > 0 && skip != CHANCERY_FACET_PROJECT)
    {
      g_string_append (sql, " AND e.id IN (SELECT ep.event_id FROM event_project ep"
                            " JOIN project p ON p.id = ep.project_id WHERE p.uid IN (");
      append_placeholders (sql, filter->projects->len);
      g_string_append (sql, "))");
      for (guint i = 0; i < filter->projects->len; i++)
        add_text_bind (binds, g_ptr_array_index (filter->projects, i));
    }

  if (filter->kinds != 0 && skip != CHANCERY_FACET_KIND)
    {
      g_string_append (sql, " AND e.kind IN (");
      append_bits (sql, binds, filter->kinds, CHANCERY_N_KINDS);
      g_string_append (sql, ")");
    }

  if (filter->statuses != 0 && skip != CHANCERY_FACET_STATUS)
    {
      g_string_append (sql, " AND e.status IN (");
      append_bits (sql, binds, filter->statuses, CHANCERY_N_STATUSES);
      g_string_append (sql, ")");
    }

  if (filter->has_from)
    {
      g_string_append (sql, " AND e.hi_day >= ?");
      add_int_bind (binds, filter->from_day);
    }

  if (filter->has_to)
    {
      g_string_append (sql, " AND e.lo_day <= ?");
      add_int_bind (binds, filter->to_day);
    }

  fts = chancery_filter_text_to_fts (filter->text);
  if (fts != NULL)
    {
      g_string_append (sql, " AND e.id IN (SELECT rowid FROM event_fts WHERE event_fts MATCH ?)");
      add_text_bind (binds, fts);
    }
}

/* Prepares a one-off statement (filters make too many shapes to cache). */
static sqlite3_stmt *
prepare_with_binds (ChanceryStore  *self,
                    const char     *sql,
                    GArray         *binds,
                    GError        **error)
{
  sqlite3_stmt *stmt = NULL;
  int rc;

  rc = sqlite3_prepare_v2 (self->db, sql, -1, &stmt, NULL);
  if (rc != SQLITE_OK)
    {
      set_sqlite_error (error, self->db, rc, self->path);
      return NULL;
    }

  for (guint i = 0; i < binds->len; i++)
    {
      const Bind *b = &g_array_index (binds, Bind, i);

      if (b->is_text)
        sqlite3_bind_text (stmt, i + 1, b->text, -1, SQLITE_TRANSIENT);
      else
        sqlite3_bind_int64 (stmt, i + 1, b->number);
    }

  return stmt;
}

static GArray *
new_binds (void)
{
  GArray *binds = g_array_new (FALSE, FALSE, sizeof (Bind));

  g_array_set_clear_func (binds, bind_clear);
  return binds;
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (sqlite3_stmt, sqlite3_finalize)

/* Locks the store for one public call and arms cancellation. */
static void
begin_call (ChanceryStore *self,
            GCancellable  *cancellable)
{
  g_rec_mutex_lock (&self->mutex);
  self->cancellable = cancellable;
}

static void
end_call (ChanceryStore *self)
{
  self->cancellable = NULL;
  g_rec_mutex_unlock (&self->mutex);
}

char *
chancery_store_dup_name (ChanceryStore *self)
{
  sqlite3_stmt *stmt;
  char *name = NULL;

  g_return_val_if_fail (CHANCERY_IS_STORE (self), NULL);

  begin_call (self, NULL);
  stmt = get_statement (self, "SELECT value FROM meta WHERE key = 'name'", NULL);
  if (stmt != NULL && sqlite3_step (stmt) == SQLITE_ROW)
    name = dup_column_text (stmt, 0);
  if (stmt != NULL)
    sqlite3_reset (stmt);
  end_call (self);

  if (name == NULL || name[0] == '\0')
    {
      g_free (name);
      name = g_path_get_basename (self->path);
    }

  return name;
}

gboolean
chancery_store_set_name (ChanceryStore  *self,
                         const char     *name,
                         GError        **error)
{
  sqlite3_stmt *stmt;
  gboolean ok = FALSE;
  int rc;

  g_return_val_if_fail (CHANCERY_IS_STORE (self), FALSE);
  g_return_val_if_fail (name != NULL, FALSE);

  begin_call (self, NULL);
  stmt = get_statement (self, "INSERT INTO meta (key, value) VALUES ('name', ?)"
                              " ON CONFLICT (key) DO UPDATE SET value = excluded.value", error);
  if (stmt != NULL)
    {
      sqlite3_bind_text (stmt, 1, name, -1, SQLITE_TRANSIENT);
      rc = sqlite3_step (stmt);
      ok = rc == SQLITE_DONE || set_sqlite_error (error, self->db, rc, self->path);
      sqlite3_reset (stmt);
    }
  end_call (self);

  return ok;
}

guint
chancery_store_count_events (ChanceryStore         *self,
                             const ChanceryFilter  *filter,
                             GError               **error)
{
  g_autoptr(GString) sql = g_string_new ("SELECT count(*) FROM event e WHERE 1");
  g_autoptr(GArray) binds = new_binds ();
  g_autoptr(sqlite3_stmt) stmt = NULL;
  guint count = 0;
  int rc;

  g_return_val_if_fail (CHANCERY_IS_STORE (self), 0);

  begin_call (self, NULL);
  append_conditions (sql, binds, filter, -1);
  stmt = prepare_with_binds (self, sql->str, binds, error);
  if (stmt != NULL)
    {
      rc = sqlite3_step (stmt);
      if (rc == SQLITE_ROW)
        count = sqlite3_column_int (stmt, 0);
      else
        set_sqlite_error (error, self->db, rc, self->path);
    }
  end_call (self);

  return count;
}

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

static void
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
static void
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

static void
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
