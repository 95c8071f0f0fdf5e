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
#include "chancery-store-internal.h"

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

  /* 2 -> 3: a place is a name, a country and a position. Version 2 kept
   * one position per name and country: every event there showed the last
   * coordinates imported for it. Events at a place with coordinates lose
   * their fingerprint, so that the next import of their file writes them
   * again, each with its own. Row ids are kept. */
  "ALTER TABLE place RENAME TO place_v2;"
  "CREATE TABLE place (id INTEGER PRIMARY KEY, name TEXT NOT NULL,"
  "  country TEXT NOT NULL DEFAULT '', lat REAL, lon REAL, UNIQUE (name, country, lat, lon));"
  "INSERT INTO place (id, name, country, lat, lon) SELECT id, name, country, lat, lon FROM place_v2;"
  "DROP TABLE place_v2;"
  "UPDATE event SET fingerprint = NULL WHERE fingerprint IS NOT NULL"
  "  AND place_id IN (SELECT id FROM place WHERE lat IS NOT NULL OR lon IS NOT NULL);"
  /* Also: a range whose ends differ in precision ("2025-06/2025-12-08")
   * says which end is finer, and by how many steps, in flags (32 the
   * start, 64 the end, 128 two steps; chancery_index_flags_for_date).
   * Without them the list read it at the coarsest, "June – December
   * 2025". An end's precision is its length without qualifiers: YYYY,
   * YYYY-MM or YYYY-MM-DD (2, 1 and 0, as ChanceryPrecision). */
  "UPDATE event SET flags = flags | CASE WHEN sp < ep THEN 32 ELSE 64 END"
  "  | CASE WHEN abs(sp - ep) = 2 THEN 128 ELSE 0 END"
  "  FROM (SELECT id AS range_id,"
  "    CASE length(replace(replace(replace(substr(date, 1, instr(date, '/') - 1),"
  "      '~', ''), '?', ''), '%', '')) WHEN 4 THEN 2 WHEN 7 THEN 1 ELSE 0 END AS sp,"
  "    CASE length(replace(replace(replace(substr(date, instr(date, '/') + 1),"
  "      '~', ''), '?', ''), '%', '')) WHEN 4 THEN 2 WHEN 7 THEN 1 ELSE 0 END AS ep"
  "    FROM event WHERE flags & 16 AND instr(date, '/') > 0)"
  "  WHERE id = range_id AND sp <> ep;",
};

G_STATIC_ASSERT (G_N_ELEMENTS (migrations) == CHANCERY_SCHEMA_VERSION);

static const char * const required_tables[] = {
  "meta", "country", "actor", "place", "project", "source", "event",
  "event_actor", "event_country", "event_project", "event_source", "event_fts",
};

#define MAX_SQL_LENGTH    (1024 * 1024)
#define NEW_PAGE_SIZE     16384

/* In KiB (negative): an upper bound, filled only as pages are read. */
#define CACHE_SIZE_PRAGMA "PRAGMA cache_size = -32768"

static const char sqlite_magic[16] = "SQLite format 3";

/* Helpers */

gboolean
sqlite_step_failed (GError     **error,
                    sqlite3     *db,
                    int          rc,
                    const char  *path)
{
  if (rc == SQLITE_DONE || rc == SQLITE_ROW)
    return FALSE;
  set_sqlite_error (error, db, rc, path);
  return TRUE;
}

/* The system's reason for an I/O error of db, or 0. SQLite says "disk
 * I/O error"; the system says why ("File too large", "Permission
 * denied"). SQLite keeps the connection's system errno for some of its
 * I/O errors only, and 3.40 none for a failed write: for those the
 * database file's own last errno is asked. Either may be left from an
 * earlier failure (neither is ever reset), and a failed write to the
 * journal or the WAL leaves none: so this is only a detail added in
 * brackets, and only for the errors that SQLite records it for. A full
 * disk is SQLITE_FULL, whose "database or disk is full" says it all. */
static int
io_error_errno (sqlite3 *db,
                int      rc)
{
  int system_errno = 0;

  if (db == NULL)
    return 0;
  switch (rc)
    {
    case SQLITE_IOERR_WRITE:
    case SQLITE_IOERR_FSYNC:
    case SQLITE_IOERR_TRUNCATE:
      if (sqlite3_file_control (db, "main", SQLITE_FCNTL_LAST_ERRNO, &system_errno) != SQLITE_OK)
        system_errno = 0;
      return system_errno;
    default:
      break;
    }
  if ((rc & 0xff) == SQLITE_IOERR || (rc & 0xff) == SQLITE_CANTOPEN)
    return sqlite3_system_errno (db);
  return 0;
}

gboolean
set_sqlite_error (GError     **error,
                  sqlite3     *db,
                  int          rc,
                  const char  *path)
{
  int code = CHANCERY_ERROR_FAILED;
  const char *detail = db != NULL ? sqlite3_errmsg (db) : sqlite3_errstr (rc);
  int system_errno;

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
      if ((system_errno = io_error_errno (db, rc)) != 0)
        {
          g_set_error (error, CHANCERY_ERROR, code, "%s: %s (%s)", path, detail,
                       g_strerror (system_errno));
          return FALSE;
        }
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
sqlite3_stmt *
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

gboolean
exec_sql (ChanceryStore  *self,
          const char     *sql,
          GError        **error)
{
  int rc = sqlite3_exec (self->db, sql, NULL, NULL, NULL);

  if (rc != SQLITE_OK)
    return set_sqlite_error (error, self->db, rc, self->path);
  return TRUE;
}

char *
dup_column_text (sqlite3_stmt *stmt,
                 int           column)
{
  const char *text = (const char *) sqlite3_column_text (stmt, column);

  return text != NULL ? chancery_utf8_dup (text, sqlite3_column_bytes (stmt, column)) : NULL;
}

static gboolean
has_sqlite_header (const char  *path,
                   GError     **error)
{
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

int
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

/* quick_check's first problem, on one line: without the "*** in database
 * main ***" heading SQLite puts before it (e.g. "Page 8: btreeInitPage()
 * returns error code 11"). */
static char *
describe_check_problem (const char *text)
{
  const char *newline;

  if (text == NULL)
    return g_strdup ("?");
  if (g_str_has_prefix (text, "*** ") && (newline = strchr (text, '\n')) != NULL)
    text = newline + 1;
  return g_strdelimit (g_strstrip (g_strdup (text)), "\r\n", ' ');
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
      g_autofree char *problem = describe_check_problem ((const char *) sqlite3_column_text (stmt, 0));

      g_set_error (error, CHANCERY_ERROR, CHANCERY_ERROR_CORRUPT,
                   _("%s: the database is damaged (%s)"), self->path, problem);
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

char *
store_path_key (const char *path)
{
  g_autofree char *canonical = g_canonicalize_filename (path, NULL);

  return g_compute_checksum_for_string (G_CHECKSUM_SHA256, canonical, -1);
}

/* NULL when the file cannot be remembered (unreadable, or too fresh). */
char *
store_file_stamp (const char *path,
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
  g_autofree char *key = store_path_key (path);
  g_autofree char *stamp = store_file_stamp (path, FALSE);
  g_autofree char *known = NULL;

  if (stamp == NULL || !g_key_file_load_from_file (list, list_path, G_KEY_FILE_NONE, NULL))
    return FALSE;
  known = g_key_file_get_string (list, "verified", key, NULL);

  return g_strcmp0 (known, stamp) == 0;
}

/* stamp_before: the file's stamp taken before the check (NULL: take it
 * now); nothing is remembered when the file changed since. */
static void
remember_verified (const char *path,
                   const char *stamp_before)
{
  g_autoptr(GKeyFile) list = g_key_file_new ();
  g_autofree char *list_path = verified_list_path ();
  g_autofree char *dir = g_path_get_dirname (list_path);
  g_autofree char *key = store_path_key (path);
  g_autofree char *stamp = store_file_stamp (path, TRUE);
  g_auto(GStrv) keys = NULL;
  gsize n_keys = 0;

  if (stamp == NULL || (stamp_before != NULL && strcmp (stamp, stamp_before) != 0))
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

gboolean
run_migrations (ChanceryStore  *self,
                int             from,
                int             to,
                GError        **error)
{
  g_autofree char *set_version = NULL;

  /* A new database gets 16 KiB pages (SQLite's default is 4 KiB): a
   * quarter of the reads for the whole-file check and the scans of a
   * large file, and shallower trees (docs/performance.md, "2026-12-06:
   * this machine, page size and huge pages"). */
  if (from == 0 && !exec_sql (self, "PRAGMA page_size = " G_STRINGIFY (NEW_PAGE_SIZE), error))
    return FALSE;

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

  /* Later steps that rebuild a table leave its old pages free; a new
   * database starts without them. */
  if (from == 0 && query_int (self, "PRAGMA freelist_count", NULL) > 0)
    {
      g_autoptr(GError) vacuum_error = NULL;

      /* VACUUM copies through a database it attaches itself; nothing
       * else runs on the connection meanwhile. Only tidying: the database
       * is complete without it, and an import reuses free pages. */
      sqlite3_limit (self->db, SQLITE_LIMIT_ATTACHED, 1);
      if (!exec_sql (self, "VACUUM", &vacuum_error))
        g_debug ("%s: not vacuumed: %s", self->path, vacuum_error->message);
      sqlite3_limit (self->db, SQLITE_LIMIT_ATTACHED, 0);
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

gboolean
open_connection (ChanceryStore       *self,
                 ChanceryStoreFlags   flags,
                 GError             **error)
{
  int open_flags = SQLITE_OPEN_FULLMUTEX | SQLITE_OPEN_NOFOLLOW;
  struct stat before, after;
  gboolean had_file;
  int rc;

  if (flags & CHANCERY_STORE_READ_WRITE)
    open_flags |= SQLITE_OPEN_READWRITE | ((flags & CHANCERY_STORE_CREATE) ? SQLITE_OPEN_CREATE : 0);
  else
    open_flags |= SQLITE_OPEN_READONLY;

  /* The file's identity, before and after the open (see below) */
  had_file = stat (self->path, &before) == 0 && S_ISREG (before.st_mode);
  rc = chancery_sqlite_open (self->path, &self->db, open_flags);
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
  /* What the name named before and after the open is the file opened,
   * unless a rename over the name (import --replace) came in between:
   * then it is not known, and no extra connection is opened by that name
   * (same_file_as_store). A file the open created was not there before. */
  self->file_known = stat (self->path, &after) == 0 && S_ISREG (after.st_mode)
                     && (had_file ? before.st_dev == after.st_dev && before.st_ino == after.st_ino
                                  : (flags & CHANCERY_STORE_CREATE) != 0);
  self->file_dev = self->file_known ? (guint64) after.st_dev : 0;
  self->file_ino = self->file_known ? (guint64) after.st_ino : 0;

  /* The default page cache (2 MB) makes every query over a big file read
   * its pages again through pread: see docs/performance.md. */
  sqlite3_exec (self->db, CACHE_SIZE_PRAGMA, NULL, NULL, NULL);

  return TRUE;
}

int
chancery_sqlite_open (const char *path,
                      sqlite3   **db,
                      int         flags)
{
  g_autofree char *dir = NULL;
  g_autofree char *base = NULL;
  g_autofree char *real_dir = NULL;
  g_autofree char *resolved = NULL;

  /* ":memory:" itself stays a database in memory (the fuzzers' store);
   * people's file names come through the CLI, which makes that one
   * "./:memory:". */
  if (g_str_equal (path, ":memory:"))
    return sqlite3_open_v2 (path, db, flags, NULL);

  /* SQLITE_OPEN_NOFOLLOW refuses a link anywhere in the name, not only
   * the file itself: a database in a folder reached through a link
   * (~/Documents on another disk) could not be opened. The folder is
   * resolved here and the file's own name kept, so the file itself is
   * still never a link. An absolute name also keeps Debian's SQLite
   * (built to accept URI file names) from reading "file:x" as a URI. */
  dir = g_path_get_dirname (path);
  base = g_path_get_basename (path);
  real_dir = realpath (dir, NULL);
  if (real_dir != NULL && !g_str_has_suffix (path, G_DIR_SEPARATOR_S))
    path = resolved = g_build_filename (real_dir, base, NULL);
  else if (!g_path_is_absolute (path))
    path = resolved = g_strconcat ("./", path, NULL);

  return sqlite3_open_v2 (path, db, flags, NULL);
}

gboolean
same_file_as_store (ChanceryStore *self)
{
  struct stat st;

  return self->file_known && stat (self->path, &st) == 0
         && (guint64) st.st_dev == self->file_dev && (guint64) st.st_ino == self->file_ino;
}

sqlite3 *
open_reader_connection (ChanceryStore *self)
{
  sqlite3 *db = NULL;

  if (chancery_sqlite_open (self->path, &db, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_NOFOLLOW) != SQLITE_OK)
    {
      sqlite3_close (db);
      return NULL;
    }
  sqlite3_extended_result_codes (db, 1);
  harden_connection (db);
  /* Never wait: a writer waiting for the store's own read to end would
   * wait for this one too. The caller reads on its own connection then. */
  sqlite3_busy_timeout (db, 0);
  /* No memory map (mmap_size): it would save a copy per page, but the
   * kernel maps the pages around each one read as well, and a scan of
   * the event table ended up with most of the file resident in this
   * process (2.4 GB of RSS at a million events). */
  if (sqlite3_exec (db, "BEGIN; SELECT count(*) FROM sqlite_schema", NULL, NULL, NULL) != SQLITE_OK
      || !same_file_as_store (self))
    {
      sqlite3_close (db);
      return NULL;
    }
  return db;
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

/* *defer_check: on entry, whether the whole-file check may be left to
 * the caller (read-only viewing); on return, whether it was. */
static gboolean
open_checked (ChanceryStore       *self,
              ChanceryStoreFlags   flags,
              gboolean            *defer_check,
              GError             **error)
{
  g_autoptr(GError) local_error = NULL;
  gboolean recovered = FALSE;
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
      recovered = TRUE;
      /* The version as it is after the rollback, to upgrade below. A
       * caller may pass no error, so failure is seen in local_error. */
      version = query_int (self, "PRAGMA user_version", &local_error);
    }

  if (local_error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }

  /* A big file takes seconds to check; one checked before and unchanged
   * since is not checked again when only viewed. The window views a file
   * never checked at once and checks it in the background
   * (chancery_store_check_file); anything that writes (an upgrade of an
   * older schema, the rollback of a hot journal just done) checks first. */
  if (self->writable || !verified_before (self->path))
    {
      if (*defer_check && !self->writable && !recovered &&
          !(version > 0 && version < CHANCERY_SCHEMA_VERSION))
        return prepare_schema (self, flags, error);

      *defer_check = FALSE;
      if (!check_integrity (self, error))
        return FALSE;
      if (!self->writable)
        remember_verified (self->path, NULL);
    }
  *defer_check = FALSE;

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

/* SQLite opens a file it may not write read-only without a word, and
 * then fails the first write ("attempt to write a readonly database");
 * a folder it may not write in fails the journal it creates beside the
 * file, or a new file, as "unable to open database file". Say which,
 * and why, before anything is written. */
static gboolean
check_writable (const char  *path,
                gboolean     exists,
                GError     **error)
{
  g_autofree char *dir = g_path_get_dirname (path);

  if (exists && g_access (path, W_OK) != 0)
    {
      int saved_errno = errno;

      g_set_error (error, CHANCERY_ERROR, CHANCERY_ERROR_IO,
                   _("%s: cannot be written: %s"), path, g_strerror (saved_errno));
      return FALSE;
    }

  if (g_access (dir, W_OK | X_OK) != 0)
    {
      int saved_errno = errno;

      g_set_error (error, CHANCERY_ERROR, CHANCERY_ERROR_IO,
                   _("%s: cannot be written in the folder “%s”: %s"),
                   path, dir, g_strerror (saved_errno));
      return FALSE;
    }

  return TRUE;
}

/* Public API */

static ChanceryStore *
store_open (const char          *path,
            ChanceryStoreFlags   flags,
            gboolean            *defer_check,
            GCancellable        *cancellable,
            GError             **error)
{
  g_autoptr(ChanceryStore) self = NULL;
  gboolean exists;

  g_return_val_if_fail (path != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (path[0] == '\0')
    {
      g_set_error (error, CHANCERY_ERROR, CHANCERY_ERROR_INVALID_INPUT,
                   _("The database’s file name is empty"));
      return NULL;
    }
  /* Opened without following links (docs/security.md): say so, rather
   * than SQLite's "unable to open database file". */
  if (g_file_test (path, G_FILE_TEST_IS_SYMLINK))
    {
      g_set_error (error, CHANCERY_ERROR, CHANCERY_ERROR_IO,
                   _("%s: a symbolic link; give the database file it points to"), path);
      return NULL;
    }

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

  if ((flags & CHANCERY_STORE_READ_WRITE) && !check_writable (path, exists, error))
    return NULL;

  self = g_object_new (CHANCERY_TYPE_STORE, NULL);
  self->path = g_strdup (path);
  self->cancellable = cancellable;

  if (!open_checked (self, flags, defer_check, error))
    return NULL;

  self->cancellable = NULL;
  return g_steal_pointer (&self);
}

ChanceryStore *
chancery_store_open (const char          *path,
                     ChanceryStoreFlags   flags,
                     GCancellable        *cancellable,
                     GError             **error)
{
  gboolean defer_check = FALSE;

  return store_open (path, flags, &defer_check, cancellable, error);
}

ChanceryStore *
chancery_store_open_for_viewing (const char    *path,
                                 gboolean      *checked,
                                 GCancellable  *cancellable,
                                 GError       **error)
{
  gboolean deferred = TRUE;
  ChanceryStore *store;

  g_return_val_if_fail (checked != NULL, NULL);

  store = store_open (path, CHANCERY_STORE_READ_ONLY, &deferred, cancellable, error);
  *checked = store != NULL && !deferred;
  return store;
}

gboolean
chancery_store_check_replaceable (const char  *path,
                                  GError     **error)
{
  g_autoptr(ChanceryStore) self = NULL;
  g_autoptr(GError) local_error = NULL;
  GStatBuf st;
  int version, n_tables;

  g_return_val_if_fail (path != NULL, FALSE);

  if (g_stat (path, &st) == 0 && S_ISREG (st.st_mode) && st.st_size == 0)
    return check_writable (path, TRUE, error);
  if (!has_sqlite_header (path, error) || !check_writable (path, TRUE, error))
    return FALSE;

  /* Read only: the file is not upgraded or changed, except that a hot
   * journal (a writer killed mid-transaction) is rolled back first. Left
   * beside the file renamed over this one, the next open would play the
   * old file's pages into the new one. */
  self = g_object_new (CHANCERY_TYPE_STORE, NULL);
  self->path = g_strdup (path);
  if (!open_connection (self, CHANCERY_STORE_READ_ONLY, error))
    return FALSE;
  version = query_int (self, "PRAGMA user_version", &local_error);
  if (local_error != NULL &&
      (sqlite3_extended_errcode (self->db) == SQLITE_READONLY_ROLLBACK ||
       sqlite3_extended_errcode (self->db) == SQLITE_READONLY_RECOVERY))
    {
      g_clear_error (&local_error);
      if (!recover_hot_journal (self, error))
        return FALSE;
      version = query_int (self, "PRAGMA user_version", &local_error);
    }
  n_tables = local_error == NULL ? query_int (self, "SELECT count(*) FROM sqlite_schema", &local_error) : 0;
  close_connection (self);
  if (local_error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }

  if (version > CHANCERY_SCHEMA_VERSION)
    {
      g_set_error (error, CHANCERY_ERROR, CHANCERY_ERROR_NEWER_SCHEMA,
                   _("%s: made by a newer version of Chancery (schema version %d; "
                     "this version reads up to %d). Update Chancery to open it."),
                   path, version, CHANCERY_SCHEMA_VERSION);
      return FALSE;
    }
  if (version < 0 || (version == 0 && n_tables > 0))
    {
      g_set_error (error, CHANCERY_ERROR, CHANCERY_ERROR_NOT_A_DATABASE,
                   _("%s: an SQLite database, but not a Chancery one"), path);
      return FALSE;
    }
  return TRUE;
}

gboolean
chancery_store_reads_same_file (ChanceryStore  *self,
                                ChanceryStore  *other,
                                GError        **error)
{
  g_return_val_if_fail (CHANCERY_IS_STORE (self) && CHANCERY_IS_STORE (other), FALSE);

  if (!self->file_known || !other->file_known ||
      (self->file_dev == other->file_dev && self->file_ino == other->file_ino))
    return TRUE;
  g_set_error (error, CHANCERY_ERROR, CHANCERY_ERROR_IO,
               _("%s: another file has taken its name since it was opened; open it again to see that one"),
               other->path);
  return FALSE;
}

static gboolean
check_file (const char     *path,
            ChanceryStore  *shown,
            GCancellable   *cancellable,
            GError        **error)
{
  g_autoptr(ChanceryStore) self = NULL;
  g_autoptr(GError) local_error = NULL;
  g_autofree char *stamp = NULL;
  gboolean ok;

  if (g_cancellable_set_error_if_cancelled (cancellable, error) ||
      !has_sqlite_header (path, error))
    return FALSE;

  self = g_object_new (CHANCERY_TYPE_STORE, NULL);
  self->path = g_strdup (path);
  /* What is remembered is what was checked: the stamp from before. */
  stamp = store_file_stamp (path, TRUE);
  if (!open_connection (self, CHANCERY_STORE_READ_ONLY, error))
    return FALSE;
  /* Checking another file would say nothing of the one shown. */
  if (shown != NULL && !chancery_store_reads_same_file (self, shown, error))
    {
      close_connection (self);
      return FALSE;
    }

  self->cancellable = cancellable;
  ok = check_integrity (self, &local_error);
  self->cancellable = NULL;
  close_connection (self);

  if (!ok)
    {
      /* What was read from a damaged file is not kept for next time; a
       * check cancelled (another file opened, the window closed) found
       * nothing, and the next open would read the whole file again. */
      if (!g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        base_cache_discard (path);
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }
  if (stamp != NULL)
    remember_verified (path, stamp);
  return TRUE;
}

gboolean
chancery_store_check_file (const char    *path,
                           GCancellable  *cancellable,
                           GError       **error)
{
  g_return_val_if_fail (path != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  return check_file (path, NULL, cancellable, error);
}

gboolean
chancery_store_check_shown_file (ChanceryStore  *shown,
                                 GCancellable   *cancellable,
                                 GError        **error)
{
  g_return_val_if_fail (CHANCERY_IS_STORE (shown), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  return check_file (shown->path, shown, cancellable, error);
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
void
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
sqlite3_stmt *
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

GArray *
new_binds (void)
{
  GArray *binds = g_array_new (FALSE, FALSE, sizeof (Bind));

  g_array_set_clear_func (binds, bind_clear);
  return binds;
}


/* Locks the store for one public call and arms cancellation. */
void
begin_call (ChanceryStore *self,
            GCancellable  *cancellable)
{
  g_rec_mutex_lock (&self->mutex);
  self->cancellable = cancellable;
}

void
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
