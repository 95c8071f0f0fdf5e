/* test-hostile.c: hostile and broken input never crashes, hangs, runs code
 * from the file, or changes the user's data
 *
 * Copyright 2026 The Chancery developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Databases are checked byte for byte (SHA-256 before and after) after a
 * refused open; imports are checked by counting events before and after.
 * Tests that measure memory run in a fresh subprocess, so that the peak RSS
 * (getrusage) belongs to that test alone.
 */
#include "config.h"

#include <archive.h>
#include <archive_entry.h>
#include <sqlite3.h>
#include <string.h>
#include <sys/resource.h>
#include <glib.h>
#include <glib/gstdio.h>

#include "chancery-error.h"
#include "chancery-export.h"
#include "chancery-import.h"
#include "chancery-store-private.h"
#include "chancery-store.h"
#include "test-common.h"

#define BUNDLED_JSON TEST_SRCDIR "/../data/kayhan-146663.json"
#define GDELT_SAMPLE TEST_SRCDIR "/fixtures/gdelt/20170701234500.export.sample.tsv"
#define MiB (1024 * 1024)

static char *tmp_dir;

/* Helpers */

static char *
tmp_path (const char *name)
{
  return g_build_filename (tmp_dir, name, NULL);
}

static char *
write_file (const char *name,
            const char *contents,
            gssize      length)
{
  g_autoptr(GError) error = NULL;
  char *path = tmp_path (name);

  g_file_set_contents (path, contents, length, &error);
  g_assert_no_error (error);
  return path;
}

static char *
file_checksum (const char *path)
{
  g_autoptr(GMappedFile) mapped = NULL;
  g_autoptr(GError) error = NULL;

  mapped = g_mapped_file_new (path, FALSE, &error);
  g_assert_no_error (error);
  return g_compute_checksum_for_data (G_CHECKSUM_SHA256,
                                      (const guchar *) g_mapped_file_get_contents (mapped),
                                      g_mapped_file_get_length (mapped));
}

/* Peak resident set size of this process, in bytes. */
static gsize
peak_rss (void)
{
  struct rusage usage;

  g_assert_cmpint (getrusage (RUSAGE_SELF, &usage), ==, 0);
  return (gsize) usage.ru_maxrss * 1024;
}

/* The bundled dataset, built here with the importer users run. */
static char *
make_bundled_db (const char *name)
{
  g_autoptr(ChanceryStore) store = NULL;
  g_autoptr(GError) error = NULL;
  char *path = tmp_path (name);

  g_remove (path);
  store = chancery_store_open (path, CHANCERY_STORE_READ_WRITE | CHANCERY_STORE_CREATE,
                               NULL, &error);
  g_assert_no_error (error);
  g_assert_true (chancery_import_json_file (store, BUNDLED_JSON, NULL, NULL, NULL, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (chancery_store_count_events (store, NULL, &error), ==, 22);
  g_assert_no_error (error);
  return path;
}

/* Opening path with flags fails with CHANCERY_ERROR code, a message that
 * names the file, and leaves the file exactly as it was. */
static void
assert_open_refused (const char         *path,
                     ChanceryStoreFlags  flags,
                     ChanceryError       code)
{
  g_autoptr(ChanceryStore) store = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *before = file_checksum (path);
  g_autofree char *after = NULL;
  g_autofree char *journal = g_strconcat (path, "-journal", NULL);

  store = chancery_store_open (path, flags, NULL, &error);
  g_assert_null (store);
  g_assert_error (error, CHANCERY_ERROR, (int) code);
  g_test_message ("%s", error->message);
  g_assert_nonnull (strstr (error->message, path));
  g_assert_cmpuint (strlen (error->message), <, 1000);

  after = file_checksum (path);
  g_assert_cmpstr (before, ==, after);
  g_assert_false (g_file_test (journal, G_FILE_TEST_EXISTS));
}

/* Databases */

static void
test_db_not_sqlite (void)
{
  g_autofree char *path = write_file ("not-sqlite.chancery",
                                      "This is a letter, not a database.\n", -1);
  g_autofree char *binary = write_file ("binary.chancery", "\x7f" "ELF\x02\x01\x01\0\0\0\0\0\0\0\0\0junk", 20);
  g_autofree char *short_file = write_file ("short.chancery", "SQLite f", -1);

  assert_open_refused (path, CHANCERY_STORE_READ_ONLY, CHANCERY_ERROR_NOT_A_DATABASE);
  assert_open_refused (path, CHANCERY_STORE_READ_WRITE, CHANCERY_ERROR_NOT_A_DATABASE);
  assert_open_refused (path, CHANCERY_STORE_READ_WRITE | CHANCERY_STORE_CREATE,
                       CHANCERY_ERROR_NOT_A_DATABASE);
  assert_open_refused (binary, CHANCERY_STORE_READ_ONLY, CHANCERY_ERROR_NOT_A_DATABASE);
  assert_open_refused (short_file, CHANCERY_STORE_READ_ONLY, CHANCERY_ERROR_NOT_A_DATABASE);
}

/* The SQLite magic followed by garbage: SQLite itself must refuse it. */
static void
test_db_bad_header (void)
{
  g_autofree char *garbage = g_strnfill (8192, '\xa5');
  g_autofree char *path = NULL;

  memcpy (garbage, "SQLite format 3", 16);
  path = write_file ("bad-header.chancery", garbage, 8192);
  assert_open_refused (path, CHANCERY_STORE_READ_ONLY, CHANCERY_ERROR_NOT_A_DATABASE);
  assert_open_refused (path, CHANCERY_STORE_READ_WRITE, CHANCERY_ERROR_NOT_A_DATABASE);
}

static void
test_db_empty (void)
{
  g_autofree char *path = write_file ("empty.chancery", "", 0);

  assert_open_refused (path, CHANCERY_STORE_READ_ONLY, CHANCERY_ERROR_NOT_A_DATABASE);
  assert_open_refused (path, CHANCERY_STORE_READ_WRITE, CHANCERY_ERROR_NOT_A_DATABASE);
}

static void
test_db_truncated (void)
{
  g_autofree char *path = make_bundled_db ("truncated.chancery");
  GStatBuf st;

  g_assert_cmpint (g_stat (path, &st), ==, 0);
  g_assert_cmpint (truncate (path, st.st_size / 2), ==, 0);

  assert_open_refused (path, CHANCERY_STORE_READ_ONLY, CHANCERY_ERROR_CORRUPT);
  assert_open_refused (path, CHANCERY_STORE_READ_WRITE, CHANCERY_ERROR_CORRUPT);
}

/* Page 3 of a database file, all but its first bytes overwritten with
 * garbage. In the bundled one it is the index of the meta table, with
 * 4 KiB pages as with 16 KiB (the schema makes one page per table and
 * index, in order). The page size is read from the file's header (a
 * big-endian 16-bit number at offset 16, where 1 means 65536). */
static void
damage_third_page (char  *contents,
                   gsize  length)
{
  gsize page_size;

  g_assert_cmpuint (length, >, 100);
  page_size = ((guchar) contents[16] << 8) | (guchar) contents[17];
  if (page_size == 1)
    page_size = 65536;
  g_assert_cmpuint (page_size, >=, 512);
  g_assert_cmpuint (length, >=, 3 * page_size);
  for (gsize i = 2 * page_size + 8; i < 3 * page_size; i += 7)
    contents[i] = (char) (i * 31);
}

/* Damage inside the file (not at its end): a page (page 3) overwritten
 * with garbage. */
static void
test_db_damaged_page (void)
{
  g_autofree char *path = make_bundled_db ("damaged.chancery");
  g_autofree char *contents = NULL;
  gsize length;

  g_assert_true (g_file_get_contents (path, &contents, &length, NULL));
  damage_third_page (contents, length);
  g_assert_true (g_file_set_contents (path, contents, length, NULL));

  assert_open_refused (path, CHANCERY_STORE_READ_ONLY, CHANCERY_ERROR_CORRUPT);

  /* The message is one line that names the damaged page, without the
   * "*** in database main ***" heading of SQLite's report. */
  {
    g_autoptr(GError) error = NULL;
    g_autoptr(ChanceryStore) store = chancery_store_open (path, CHANCERY_STORE_READ_ONLY, NULL, &error);

    g_assert_null (store);
    g_assert_error (error, CHANCERY_ERROR, CHANCERY_ERROR_CORRUPT);
    g_assert_null (strchr (error->message, '\n'));
    g_assert_null (strstr (error->message, "***"));
    g_assert_nonnull (strstr (error->message, "page 3"));
  }
}

/* The same damage seen by the window's way of opening: without the
 * whole-file check first. Whatever reads the damaged page gets a clear
 * error (never a crash), the background check reports the damage, and
 * the file stays exactly as it was. */
static void
test_db_damaged_page_viewing (void)
{
  g_autofree char *path = make_bundled_db ("damaged-viewing.chancery");
  g_autofree char *contents = NULL;
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;
  g_autoptr(ChanceryStore) store = NULL;
  g_autoptr(GError) error = NULL;
  gboolean checked = TRUE;
  gsize length;

  g_assert_true (g_file_get_contents (path, &contents, &length, NULL));
  damage_third_page (contents, length);
  g_assert_true (g_file_set_contents (path, contents, length, NULL));
  before = file_checksum (path);

  store = chancery_store_open_for_viewing (path, &checked, NULL, &error);
  if (store == NULL)
    {
      g_assert_error (error, CHANCERY_ERROR, CHANCERY_ERROR_CORRUPT);
      g_assert_nonnull (strstr (error->message, path));
      g_clear_error (&error);
    }
  else
    {
      g_autoptr(ChanceryIndex) index = NULL;
      g_autoptr(GPtrArray) facets = NULL;

      g_assert_false (checked);
      index = chancery_store_load_index (store, NULL, CHANCERY_GROUP_COUNTRY, NULL, &error);
      if (index == NULL)
        {
          g_assert_error (error, CHANCERY_ERROR, CHANCERY_ERROR_CORRUPT);
          g_test_message ("%s", error->message);
          g_assert_nonnull (strstr (error->message, path));
          g_clear_error (&error);
        }
      facets = chancery_store_list_facets (store, NULL, CHANCERY_FACET_ACTOR, NULL, &error);
      g_assert_true ((facets != NULL) == (error == NULL));
      g_clear_error (&error);
      for (gint64 id = 1; id <= 22; id++)
        {
          g_autoptr(ChanceryEvent) event = chancery_store_get_event (store, id, &error);

          g_assert_true ((event != NULL) == (error == NULL));
          g_clear_error (&error);
        }
    }

  g_assert_false (chancery_store_check_file (path, NULL, &error));
  g_assert_error (error, CHANCERY_ERROR, CHANCERY_ERROR_CORRUPT);
  g_assert_nonnull (strstr (error->message, path));

  g_clear_object (&store);
  after = file_checksum (path);
  g_assert_cmpstr (before, ==, after);
}

/* Damage in each table that building the index reads (the event table on
 * one connection, the relations on another in a thread): opening for
 * viewing succeeds (the check is not run first), building the index fails
 * with a clear error naming the file, the check reports the damage, and
 * the file is unchanged. */
static void
test_db_damaged_tables_viewing (void)
{
  /* A relation table and its index hold the same columns: SQLite may
   * read either, so both are damaged. */
  static const char * const tables[][2] = {
    { "event", NULL },
    { "event_actor", "event_actor_by_actor" },
    { "event_country", "event_country_by_country" },
    { "event_project", "event_project_by_project" },
    { "actor", NULL },
    { "country", NULL },
    { "project", NULL },
  };

  for (guint i = 0; i < G_N_ELEMENTS (tables); i++)
    {
      g_autofree char *name = g_strdup_printf ("damaged-%s.chancery", tables[i][0]);
      g_autofree char *path = make_bundled_db (name);
      g_autofree char *before = NULL;
      g_autofree char *after = NULL;
      g_autoptr(ChanceryStore) store = NULL;
      g_autoptr(ChanceryIndex) index = NULL;
      g_autoptr(GError) error = NULL;
      gboolean checked = TRUE;

      test_damage_root_page (path, tables[i][0]);
      if (tables[i][1] != NULL)
        test_damage_root_page (path, tables[i][1]);
      before = file_checksum (path);

      store = chancery_store_open_for_viewing (path, &checked, NULL, &error);
      g_assert_no_error (error);
      g_assert_false (checked);
      index = chancery_store_load_index (store, NULL, CHANCERY_GROUP_COUNTRY, NULL, &error);
      g_assert_null (index);
      g_assert_error (error, CHANCERY_ERROR, CHANCERY_ERROR_CORRUPT);
      g_test_message ("%s: %s", tables[i][0], error->message);
      g_assert_nonnull (strstr (error->message, path));
      g_clear_error (&error);

      g_assert_false (chancery_store_check_file (path, NULL, &error));
      g_assert_error (error, CHANCERY_ERROR, CHANCERY_ERROR_CORRUPT);
      g_clear_error (&error);

      g_clear_object (&store);
      after = file_checksum (path);
      g_assert_cmpstr (before, ==, after);
    }
}

/* A row id below zero (Chancery never writes one; another program can):
 * the timeline's base keeps events by row id, so such a file is read
 * through SQL instead. Every event is on the timeline, the exports work
 * (their scan, also by row id, is not used), and the file is left as it
 * was. */
static void
test_db_negative_row_id (void)
{
  g_autofree char *path = make_bundled_db ("negative-id.chancery");
  g_autofree char *before = NULL, *after = NULL;
  g_autoptr(ChanceryStore) store = NULL;
  g_autoptr(ChanceryIndex) index = NULL;
  g_autoptr(GOutputStream) out = g_memory_output_stream_new_resizable ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) csv = NULL;
  g_autofree char *uid = NULL;
  gboolean checked = TRUE, found;
  guint n_events;
  sqlite3_stmt *stmt = NULL;
  sqlite3 *db = NULL;

  g_assert_cmpint (sqlite3_open (path, &db), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_prepare_v2 (db, "SELECT (SELECT count(*) FROM event), uid FROM event WHERE id = 3",
                                       -1, &stmt, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  n_events = sqlite3_column_int (stmt, 0);
  uid = g_strdup ((const char *) sqlite3_column_text (stmt, 1));
  sqlite3_finalize (stmt);
  g_assert_cmpint (sqlite3_exec (db,
    "UPDATE event SET id = -1000000 WHERE id = 3;"
    " UPDATE event_actor SET event_id = -1000000 WHERE event_id = 3;"
    " UPDATE event_country SET event_id = -1000000 WHERE event_id = 3;"
    " UPDATE event_project SET event_id = -1000000 WHERE event_id = 3;"
    " UPDATE event_source SET event_id = -1000000 WHERE event_id = 3",
    NULL, NULL, NULL), ==, SQLITE_OK);
  sqlite3_close (db);
  before = file_checksum (path);

  store = chancery_store_open_for_viewing (path, &checked, NULL, &error);
  g_assert_no_error (error);
  index = chancery_store_load_index (store, NULL, CHANCERY_GROUP_COUNTRY, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (index);
  g_assert_cmpuint (index->n_events, ==, n_events);
  found = FALSE;
  for (guint i = 0; i < index->n_events; i++)
    found |= index->events[i].id == -1000000;
  g_assert_true (found);

  g_assert_true (chancery_export_to_stream (store, NULL, CHANCERY_EXPORT_CSV, out, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (g_output_stream_close (out, NULL, &error));
  csv = g_memory_output_stream_steal_as_bytes (G_MEMORY_OUTPUT_STREAM (out));
  g_assert_nonnull (g_strstr_len (g_bytes_get_data (csv, NULL), g_bytes_get_size (csv), uid));

  g_clear_object (&store);
  after = file_checksum (path);
  g_assert_cmpstr (before, ==, after);
}

static void
test_db_not_chancery (void)
{
  g_autofree char *path = tmp_path ("other-app.sqlite");
  g_autofree char *versioned = tmp_path ("other-app-versioned.sqlite");

  test_sqlite_exec (path, "CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT);"
                    "INSERT INTO notes (body) VALUES ('hello');");
  assert_open_refused (path, CHANCERY_STORE_READ_ONLY, CHANCERY_ERROR_NOT_A_DATABASE);
  assert_open_refused (path, CHANCERY_STORE_READ_WRITE, CHANCERY_ERROR_NOT_A_DATABASE);
  assert_open_refused (path, CHANCERY_STORE_READ_WRITE | CHANCERY_STORE_CREATE,
                       CHANCERY_ERROR_NOT_A_DATABASE);

  /* Another application's database with a user_version of its own. */
  test_sqlite_exec (versioned, "CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT);"
                         "PRAGMA user_version = 2;");
  assert_open_refused (versioned, CHANCERY_STORE_READ_ONLY, CHANCERY_ERROR_NOT_A_DATABASE);
  assert_open_refused (versioned, CHANCERY_STORE_READ_WRITE, CHANCERY_ERROR_NOT_A_DATABASE);
}

static void
test_db_newer_schema (void)
{
  g_autofree char *path = make_bundled_db ("newer.chancery");
  g_autofree char *next = g_strdup_printf ("PRAGMA user_version = %d", CHANCERY_SCHEMA_VERSION + 1);

  test_sqlite_exec (path, next);
  assert_open_refused (path, CHANCERY_STORE_READ_ONLY, CHANCERY_ERROR_NEWER_SCHEMA);
  assert_open_refused (path, CHANCERY_STORE_READ_WRITE, CHANCERY_ERROR_NEWER_SCHEMA);

  test_sqlite_exec (path, "PRAGMA user_version = 2147483647");
  assert_open_refused (path, CHANCERY_STORE_READ_ONLY, CHANCERY_ERROR_NEWER_SCHEMA);

  /* A negative version is not older than ours, it is nonsense (it used
   * to pass for a failed query, and to index the migrations). */
  test_sqlite_exec (path, "PRAGMA user_version = -5");
  assert_open_refused (path, CHANCERY_STORE_READ_ONLY, CHANCERY_ERROR_NOT_A_DATABASE);
  assert_open_refused (path, CHANCERY_STORE_READ_WRITE, CHANCERY_ERROR_NOT_A_DATABASE);
  test_sqlite_exec (path, "PRAGMA user_version = -2147483648");
  assert_open_refused (path, CHANCERY_STORE_READ_WRITE, CHANCERY_ERROR_NOT_A_DATABASE);
}

/* Each of these would run SQL functions (here load_extension, which could
 * run code from a shared library) when the schema is used. */
static const char * const unsafe_schema[] = {
  "CREATE VIEW innocent AS SELECT load_extension('/tmp/chancery-evil.so') AS x;",
  "CREATE VIEW event_view AS SELECT * FROM event WHERE load_extension('evil') IS NULL;",
  "CREATE TRIGGER on_insert AFTER INSERT ON event BEGIN SELECT load_extension('evil'); END;",
  "CREATE TRIGGER on_update BEFORE UPDATE ON meta BEGIN SELECT writefile('/tmp/pwned', 'x'); END;",
  "CREATE TRIGGER on_delete AFTER DELETE ON event BEGIN DELETE FROM actor; END;",
};

static void
test_db_unsafe_schema (void)
{
  for (guint i = 0; i < G_N_ELEMENTS (unsafe_schema); i++)
    {
      g_autofree char *name = g_strdup_printf ("unsafe-%u.chancery", i);
      g_autofree char *path = make_bundled_db (name);

      g_test_message ("schema: %s", unsafe_schema[i]);
      {
        sqlite3 *db = NULL;

        /* sqlite3_exec with the C API: the functions need not exist for
         * the schema to be stored. */
        g_assert_cmpint (sqlite3_open (path, &db), ==, SQLITE_OK);
        g_assert_cmpint (sqlite3_exec (db, unsafe_schema[i], NULL, NULL, NULL), ==, SQLITE_OK);
        sqlite3_close (db);
      }

      assert_open_refused (path, CHANCERY_STORE_READ_ONLY, CHANCERY_ERROR_UNSAFE);
      assert_open_refused (path, CHANCERY_STORE_READ_WRITE, CHANCERY_ERROR_UNSAFE);
    }
}

/* Functions in other parts of a schema (a generated column, an index on
 * an expression, a CHECK constraint) are not run with trusted_schema off. */
static void
test_db_functions_in_schema (void)
{
  static const char * const schema[] = {
    "ALTER TABLE meta ADD COLUMN evil TEXT AS (load_extension('evil'));",
    "CREATE INDEX evil_index ON actor (load_extension(name));",
    "CREATE TABLE evil_check (x TEXT CHECK (load_extension(x) IS NULL));",
  };

  for (guint i = 0; i < G_N_ELEMENTS (schema); i++)
    {
      g_autofree char *name = g_strdup_printf ("functions-%u.chancery", i);
      g_autofree char *path = make_bundled_db (name);
      g_autofree char *before = NULL;
      g_autofree char *after = NULL;
      g_autoptr(ChanceryStore) store = NULL;
      g_autoptr(GError) error = NULL;
      sqlite3 *db = NULL;
      guint count;

      g_test_message ("schema: %s", schema[i]);
      g_assert_cmpint (sqlite3_open (path, &db), ==, SQLITE_OK);
      sqlite3_db_config (db, SQLITE_DBCONFIG_TRUSTED_SCHEMA, 1, NULL);
      /* load_extension is not registered for SQL by default: make the
       * statements valid with writable_schema-free plain DDL where
       * SQLite allows it, and skip the case where it refuses. */
      if (sqlite3_exec (db, schema[i], NULL, NULL, NULL) != SQLITE_OK)
        {
          g_test_message ("SQLite refuses to store it: %s", sqlite3_errmsg (db));
          sqlite3_close (db);
          continue;
        }
      sqlite3_close (db);

      before = file_checksum (path);
      store = chancery_store_open (path, CHANCERY_STORE_READ_ONLY, NULL, &error);
      if (store != NULL)
        {
          /* Opened: reading must not call the function. */
          count = chancery_store_count_events (store, NULL, &error);
          if (error == NULL)
            g_assert_cmpuint (count, ==, 22);
        }
      if (error != NULL)
        {
          g_test_message ("%s", error->message);
          g_assert_nonnull (strstr (error->message, path));
        }
      g_clear_object (&store);
      after = file_checksum (path);
      g_assert_cmpstr (before, ==, after);
    }
}

/* 50 MB in one event title, over SQLite's 10 MB length limit in the store:
 * opening and reading fail cleanly or work without loading the value. */
static void
test_db_huge_cell (void)
{
  g_autofree char *path = tmp_path ("huge-cell.chancery");
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;

  if (!g_test_subprocess ())
    {
      g_autofree char *built = make_bundled_db ("huge-cell.chancery");

      /* printf() builds the 50 MB value inside this process only. */
      test_sqlite_exec (built, "UPDATE event SET title = printf('%.*c', 50 * 1024 * 1024, 'x') "
                         "WHERE id = (SELECT min(id) FROM event);");
      g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_INHERIT_STDOUT | G_TEST_SUBPROCESS_INHERIT_STDERR);
      g_test_trap_assert_passed ();
      return;
    }

  before = file_checksum (path);
  {
    g_autoptr(ChanceryStore) store = NULL;
    g_autoptr(GError) error = NULL;
    g_autoptr(GArray) ids = NULL;
    gsize rss_before = peak_rss ();
    gsize rss_after;
    guint n_failed = 0;

    store = chancery_store_open (path, CHANCERY_STORE_READ_ONLY, NULL, &error);
    if (store == NULL)
      {
        g_assert_nonnull (error);
        g_assert_nonnull (strstr (error->message, path));
        g_test_message ("refused: %s", error->message);
      }
    else
      {
        ids = chancery_store_query_ids (store, NULL, NULL, &error);
        g_assert_no_error (error);
        g_assert_cmpuint (ids->len, ==, 22);
        for (guint i = 0; i < ids->len; i++)
          {
            g_autoptr(ChanceryEvent) event = NULL;
            g_autoptr(GError) local_error = NULL;

            event = chancery_store_get_event (store, g_array_index (ids, gint64, i), &local_error);
            if (event == NULL)
              {
                g_assert_error (local_error, CHANCERY_ERROR, CHANCERY_ERROR_UNSAFE);
                g_assert_nonnull (strstr (local_error->message, path));
                g_test_message ("event %u: %s", i, local_error->message);
                n_failed++;
              }
            else
              g_assert_cmpuint (strlen (event->title), <, 10 * MiB);
          }
        /* The event itself, and those that link to it (their detail
         * shows its title); the others read as before. */
        g_assert_cmpuint (n_failed, >=, 1);
        g_assert_cmpuint (n_failed, <, ids->len);
      }

    rss_after = peak_rss ();
    g_test_message ("peak RSS %zu MiB before, %zu MiB after", rss_before / MiB, rss_after / MiB);
    g_assert_cmpuint (rss_after, <, rss_before + 30 * MiB);
  }
  after = file_checksum (path);
  g_assert_cmpstr (before, ==, after);
}

/* Migration */

/* Text that is not UTF-8 and numbers out of range, as another program
 * could write them (SQLite stores any bytes as TEXT): everything Chancery
 * shows or exports from them is UTF-8, with each bad byte as U+FFFD (as
 * g_utf8_make_valid() has it), the JSON export imports again, and the file
 * is not changed. Read-only stores read through the base (and its cache),
 * writable ones through SQL: both are checked. */
#define BAD_TITLE "bad \377A\300\257 t\342\202"

static void
assert_export_is_utf8 (ChanceryStore        *store,
                       const ChanceryFilter *filter,
                       ChanceryExportFormat  format,
                       char                **text)
{
  g_autoptr(GOutputStream) out = g_memory_output_stream_new_resizable ();
  g_autoptr(GError) error = NULL;
  gsize size;
  const char *data;

  g_assert_true (chancery_export_to_stream (store, filter, format, out, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (g_output_stream_close (out, NULL, &error));
  size = g_memory_output_stream_get_data_size (G_MEMORY_OUTPUT_STREAM (out));
  data = g_memory_output_stream_get_data (G_MEMORY_OUTPUT_STREAM (out));
  g_assert_cmpuint (size, >, 0);
  g_assert_true (g_utf8_validate_len (data, size, NULL));
  if (text != NULL)
    *text = g_strndup (data, size);
}

static void
test_db_not_utf8 (void)
{
  g_autofree char *path = make_bundled_db ("not-utf8.chancery");
  g_autofree char *expected = g_utf8_make_valid (BAD_TITLE, -1);
  g_autofree char *bad_code = tmp_path ("not-utf8-code.chancery");

  test_sqlite_exec (path,
                    "UPDATE event SET title = CAST(X'62616420ff41c0af2074e282' AS TEXT),"
                    "  summary = CAST(X'ff' AS TEXT), importance = 9e999"
                    "  WHERE id = (SELECT min(id) FROM event);"
                    "UPDATE event SET importance = -1 WHERE id = (SELECT min(id) + 1 FROM event);"
                    "UPDATE actor SET name = CAST(name || X'c3' AS TEXT);"
                    "UPDATE project SET name = CAST(name || X'fe' AS TEXT);"
                    "UPDATE event_source SET quote = CAST(X'22e2809c71ff' AS TEXT);"
                    "UPDATE source SET publisher = CAST(X'c0' AS TEXT);"
                    "UPDATE place SET lat = 200, lon = 10;"
                    "UPDATE meta SET value = CAST(X'c0af78' AS TEXT) WHERE key = 'name';"
                    "UPDATE country SET name = CAST(X'417aff' AS TEXT) WHERE code = 'AZE';");
  test_copy_file (path, bad_code);
  /* Not a country code either, so its export is not read back. */
  test_sqlite_exec (bad_code, "INSERT INTO event_country SELECT min(id), CAST(X'41ff' AS TEXT) FROM event;");

  for (int variant = 0; variant < 2 * 2 * 2; variant++)
      {
        gboolean writable = variant & 1;
        int pass = (variant >> 1) & 1;
        const char *file = variant < 4 ? path : bad_code;
        g_autofree char *before = file_checksum (file);
        g_autoptr(ChanceryStore) store = NULL;
        g_autoptr(GError) error = NULL;
        g_autofree char *name = NULL;
        g_autofree char *json = NULL;
        g_autofree char *reimported = NULL;
        g_autofree char *after = NULL;
        g_autoptr(ChanceryFilter) filter = chancery_filter_new ();
        gboolean seen = FALSE;

        g_test_message ("%s, %s, pass %d", file, writable ? "writable" : "read-only", pass);
        store = chancery_store_open (file, writable ? CHANCERY_STORE_READ_WRITE : CHANCERY_STORE_READ_ONLY,
                                     NULL, &error);
        g_assert_no_error (error);
        name = chancery_store_dup_name (store);
        g_assert_cmpstr (name, ==, "\357\277\275\357\277\275x");

        for (ChanceryGrouping grouping = CHANCERY_GROUP_NONE; grouping <= CHANCERY_GROUP_PROJECT; grouping++)
          {
            g_autoptr(ChanceryIndex) index = chancery_store_load_index (store, NULL, grouping, NULL, &error);

            g_assert_no_error (error);
            g_assert_cmpuint (index->n_events, ==, 22);
            for (guint i = 0; i < index->n_events; i++)
              {
                const char *title = chancery_index_get_title (index, i);

                g_assert_true (g_utf8_validate (title, -1, NULL));
                seen |= strcmp (title, expected) == 0;
              }
            for (guint l = 0; l < index->lanes->len; l++)
              g_assert_true (g_utf8_validate (((ChanceryLane *) g_ptr_array_index (index->lanes, l))->label,
                                              -1, NULL));
          }
        g_assert_true (seen);

        for (ChanceryFacetKind kind = CHANCERY_FACET_ACTOR; kind <= CHANCERY_FACET_PROJECT; kind++)
          {
            g_autoptr(GPtrArray) facets = chancery_store_list_facets (store, NULL, kind, NULL, &error);

            g_assert_no_error (error);
            for (guint f = 0; f < facets->len; f++)
              g_assert_true (g_utf8_validate (((ChanceryFacet *) g_ptr_array_index (facets, f))->label,
                                              -1, NULL));
          }

        for (gint64 id = 1; id <= 22; id++)
          {
            g_autoptr(ChanceryEvent) event = chancery_store_get_event (store, id, &error);

            g_assert_no_error (error);
            g_assert_true (g_utf8_validate (event->title, -1, NULL));
            g_assert_true (event->summary == NULL || g_utf8_validate (event->summary, -1, NULL));
            g_assert_false (event->has_coordinates);
            g_assert_cmpfloat (event->importance, >=, 0);
            g_assert_cmpfloat (event->importance, <=, CHANCERY_MAX_IMPORTANCE);
            for (guint a = 0; a < event->actors->len; a++)
              g_assert_true (g_utf8_validate (((ChanceryEventActor *) g_ptr_array_index (event->actors, a))->name,
                                              -1, NULL));
            for (guint q = 0; q < event->sources->len; q++)
              {
                ChanceryEventSource *source = g_ptr_array_index (event->sources, q);

                g_assert_true (source->quote == NULL || g_utf8_validate (source->quote, -1, NULL));
                g_assert_true (source->publisher == NULL || g_utf8_validate (source->publisher, -1, NULL));
              }
            if (id == 1)
              {
                g_assert_cmpstr (event->title, ==, expected);
                g_assert_cmpfloat (event->importance, ==, 0);
              }
          }

        /* Everything (the scan), and a few events (read by id). */
        g_assert_true (chancery_filter_add_country (filter, "AZE", NULL));
        for (int f = 0; f < 2; f++)
          {
            const ChanceryFilter *which = f == 0 ? NULL : filter;

            assert_export_is_utf8 (store, which, CHANCERY_EXPORT_CSV, NULL);
            assert_export_is_utf8 (store, which, CHANCERY_EXPORT_ICS, NULL);
            assert_export_is_utf8 (store, which, CHANCERY_EXPORT_JSON, f == 0 ? &json : NULL);
          }
        g_assert_null (strstr (json, "\"importance\":inf"));
        g_assert_null (strstr (json, "\"importance\":-"));
        g_assert_null (strstr (json, "\"lat\""));
        g_assert_nonnull (strstr (json, expected));

        /* The export is a file Chancery reads back, and says the same. */
        if (file == path)
        {
          g_autofree char *copy = tmp_path ("not-utf8-export.json");
          g_autofree char *db = tmp_path ("not-utf8-reimport.chancery");
          g_autoptr(ChanceryStore) again = NULL;

          g_assert_true (g_file_set_contents (copy, json, -1, NULL));
          g_remove (db);
          again = test_create_store (db);
          g_assert_true (chancery_import_json_file (again, copy, NULL, NULL, NULL, NULL, &error));
          g_assert_no_error (error);
          reimported = test_export_json (again, NULL);
          g_assert_cmpstr (reimported, ==, json);
        }

        g_clear_object (&store);
        after = file_checksum (file);
        g_assert_cmpstr (after, ==, before);
      }
}

static void
test_migration_backup (void)
{
  g_autofree char *path = tmp_path ("v1.chancery");
  g_autofree char *backup = g_strconcat (path, ".schema-v1.backup", NULL);
  g_autofree char *original = NULL;
  g_autofree char *saved = NULL;
  g_autoptr(ChanceryStore) store = NULL;
  g_autoptr(GError) error = NULL;
  sqlite3_stmt *stmt = NULL;

  g_assert_true (chancery_store_create_at_version (path, 1, &error));
  g_assert_no_error (error);
  original = file_checksum (path);

  store = chancery_store_open (path, CHANCERY_STORE_READ_WRITE, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (g_file_test (backup, G_FILE_TEST_IS_REGULAR));
  saved = file_checksum (backup);
  g_assert_cmpstr (original, ==, saved);

  g_assert_cmpint (sqlite3_prepare_v2 (chancery_store_get_db (store), "PRAGMA user_version",
                                       -1, &stmt, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  g_assert_cmpint (sqlite3_column_int (stmt, 0), ==, CHANCERY_SCHEMA_VERSION);
  sqlite3_finalize (stmt);
  g_assert_true (chancery_import_json_file (store, BUNDLED_JSON, NULL, NULL, NULL, NULL, &error));
  g_assert_no_error (error);
}

static void
abort_migration_child (const char *path)
{
  struct rlimit no_core = { 0, 0 };
  g_autoptr(GError) error = NULL;

  setrlimit (RLIMIT_CORE, &no_core);
  g_setenv ("CHANCERY_TEST_ABORT_MIGRATION", "1", TRUE);
  /* Does not return: the hook aborts before COMMIT. */
  chancery_store_open (path, CHANCERY_STORE_READ_WRITE, NULL, &error);
  g_print ("migration finished without the test hook\n");
  exit (0);
}

static char *
integrity_check (const char *path)
{
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;
  char *result;

  g_assert_cmpint (sqlite3_open_v2 (path, &db, SQLITE_OPEN_READONLY, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_prepare_v2 (db, "PRAGMA integrity_check", -1, &stmt, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  result = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
  sqlite3_finalize (stmt);
  sqlite3_close (db);
  return result;
}

/* A process killed in the middle of a migration leaves a database that
 * opens as before (the hot journal rolls it back), then migrates. */
static void
test_migration_killed (gconstpointer data)
{
  gboolean read_only = GPOINTER_TO_INT (data);
  g_autofree char *name = g_strdup_printf ("killed-%s.chancery", read_only ? "ro" : "rw");
  g_autofree char *path = tmp_path (name);
  g_autofree char *journal = g_strconcat (path, "-journal", NULL);
  g_autofree char *original = NULL;
  g_autofree char *integrity = NULL;
  g_autoptr(ChanceryStore) store = NULL;
  g_autoptr(GError) error = NULL;

  if (g_test_subprocess ())
    {
      abort_migration_child (path);
      return;
    }

  g_remove (path);
  g_assert_true (chancery_store_create_at_version (path, 1, &error));
  g_assert_no_error (error);
  original = file_checksum (path);

  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_failed ();
  g_test_trap_assert_stdout_unmatched ("*without the test hook*");

  /* The child died holding a transaction: its journal is hot. */
  g_assert_true (g_file_test (journal, G_FILE_TEST_IS_REGULAR));

  store = chancery_store_open (path, read_only ? CHANCERY_STORE_READ_ONLY : CHANCERY_STORE_READ_WRITE,
                               NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (store);
  g_assert_cmpuint (chancery_store_count_events (store, NULL, &error), ==, 0);
  g_assert_no_error (error);
  g_clear_object (&store);

  g_assert_false (g_file_test (journal, G_FILE_TEST_EXISTS));
  integrity = integrity_check (path);
  g_assert_cmpstr (integrity, ==, "ok");

  /* And the backup is the database as it was before the migration. */
  {
    g_autofree char *backup = g_strconcat (path, ".schema-v1.backup", NULL);
    g_autofree char *saved = file_checksum (backup);

    g_assert_cmpstr (saved, ==, original);
  }
}

/* JSON import: each refused with a clear message, nothing imported */

typedef struct
{
  char          *path;
  ChanceryStore *store;
} Db;

static void
db_set_up (Db            *db,
           gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *name = g_strdup_printf ("json-%p.chancery", (void *) db);

  db->path = make_bundled_db (name);
  db->store = chancery_store_open (db->path, CHANCERY_STORE_READ_WRITE, NULL, &error);
  g_assert_no_error (error);
}

static void
db_tear_down (Db            *db,
              gconstpointer  data)
{
  g_clear_object (&db->store);
  g_remove (db->path);
  g_free (db->path);
}

static guint
count_events (ChanceryStore *store)
{
  g_autoptr(GError) error = NULL;
  guint n = chancery_store_count_events (store, NULL, &error);

  g_assert_no_error (error);
  return n;
}

static void
assert_json_refused (Db         *db,
                     const char *data,
                     gssize      length,
                     const char *expect_in_message)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;
  g_autofree char *shown = NULL;
  ChanceryImportReport report;
  guint n_events = count_events (db->store);

  before = file_checksum (db->path);
  chancery_import_report_init (&report);
  g_assert_false (chancery_import_json_data (db->store, data, length, "hostile.json",
                                             &report, NULL, &error));
  g_assert_error (error, CHANCERY_ERROR, CHANCERY_ERROR_INVALID_INPUT);
  g_assert_true (g_utf8_validate (error->message, -1, NULL));
  shown = g_strndup (error->message, 300);
  g_test_message ("%s", shown);
  g_assert_true (g_str_has_prefix (error->message, "hostile.json"));
  if (expect_in_message != NULL)
    g_assert_nonnull (strstr (error->message, expect_in_message));
  g_assert_cmpuint (report.inserted, ==, 0);
  g_assert_cmpuint (report.updated, ==, 0);
  chancery_import_report_clear (&report);

  g_assert_cmpuint (count_events (db->store), ==, n_events);
  after = file_checksum (db->path);
  g_assert_cmpstr (before, ==, after);
}

/* A document with one event whose title is title (a JSON string body). */
static char *
one_event_document (const char *title,
                    const char *extra_member)
{
  return g_strdup_printf ("{\"format\": \"chancery\", \"version\": 1, \"events\": [{"
                          "\"id\": \"hostile-event\", \"kind\": \"statement\", "
                          "\"status\": \"occurred\", \"title\": \"%s\", "
                          "\"date\": \"2025-12-08\"%s%s, "
                          "\"sources\": [{\"source\": \"kayhan-146663\", \"quote\": \"q\"}]}]}",
                          title, extra_member != NULL ? ", " : "",
                          extra_member != NULL ? extra_member : "");
}

/* The documents below differ from this one only in what makes them bad. */
static void
test_json_control (Db            *db,
                   gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *doc = one_event_document ("A statement", "\"importance\": 0.5");

  g_assert_true (chancery_import_json_data (db->store, doc, -1, "control.json", NULL, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (count_events (db->store), ==, 23);
}

static void
test_json_deep (Db            *db,
                gconstpointer  data)
{
  const gsize levels = 100000;
  g_autoptr(GString) doc = g_string_sized_new (2 * levels + 2);
  g_autoptr(GString) objects = g_string_new (NULL);

  for (gsize i = 0; i < levels; i++)
    g_string_append_c (doc, '[');
  for (gsize i = 0; i < levels; i++)
    g_string_append_c (doc, ']');
  assert_json_refused (db, doc->str, doc->len, "nested");

  for (gsize i = 0; i < levels; i++)
    g_string_append (objects, "{\"a\":");
  g_string_append (objects, "1");
  for (gsize i = 0; i < levels; i++)
    g_string_append_c (objects, '}');
  assert_json_refused (db, objects->str, objects->len, "nested");

  /* Unbalanced: opened and never closed. */
  g_string_truncate (doc, levels);
  assert_json_refused (db, doc->str, doc->len, "nested");
}

/* Heavy tests run in a subprocess: it starts with a small peak RSS to
 * measure against, and it is not slowed down by valgrind. */
static gboolean
run_in_subprocess (void)
{
  if (g_test_subprocess ())
    return TRUE;
  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_INHERIT_STDOUT | G_TEST_SUBPROCESS_INHERIT_STDERR);
  g_test_trap_assert_passed ();
  return FALSE;
}

static void
test_json_huge_string (void)
{
  /* Over SQLite's limit in the store (10 MB: the event is refused), and
   * over the reader's limit for one string (16 MB: refused as it is
   * read, before it is all in memory). */
  static const gsize sizes[] = { 12 * MiB, 50 * MiB };
  gsize rss_before, rss_after;
  Db db;

  if (!run_in_subprocess ())
    return;

  db_set_up (&db, NULL);
  rss_before = peak_rss ();
  for (guint i = 0; i < G_N_ELEMENTS (sizes); i++)
    {
      g_autofree char *title = g_strnfill (sizes[i], 'x');
      g_autofree char *doc = one_event_document (title, NULL);
      g_autoptr(GError) error = NULL;
      g_autofree char *before = file_checksum (db.path);
      g_autofree char *after = NULL;

      g_clear_pointer (&title, g_free);
      g_assert_false (chancery_import_json_data (db.store, doc, -1, "hostile.json",
                                                 NULL, NULL, &error));
      g_assert_nonnull (error);
      g_printerr ("%zu MB string: %s\n", sizes[i] / MiB, error->message);
      g_assert_true (g_str_has_prefix (error->message, "hostile.json"));
      g_assert_nonnull (strstr (error->message, sizes[i] > 16 * MiB ? "16 MB" : "5 MB"));
      g_assert_cmpuint (count_events (db.store), ==, 22);
      after = file_checksum (db.path);
      g_assert_cmpstr (before, ==, after);
    }
  rss_after = peak_rss ();
  g_printerr ("huge strings: peak RSS %zu MiB before, %zu MiB after\n",
              rss_before / MiB, rss_after / MiB);
  /* The documents themselves take 62 MB. */
#ifdef __SANITIZE_ADDRESS__
  /* AddressSanitizer keeps what is freed in quarantine (256 MB): without
   * this the bound failed whenever the process started small. */
  rss_after -= MIN (rss_after, 256 * MiB);
#endif
  g_assert_cmpuint (rss_after, <, rss_before + 300 * MiB);
  db_tear_down (&db, NULL);
}

static void
test_json_bad_encoding (Db            *db,
                        gconstpointer  data)
{
  g_autofree char *latin1 = one_event_document ("Caf\xe9 talks", NULL);
  g_autofree char *overlong = one_event_document ("\xc0\xaf", NULL);
  g_autofree char *surrogate = one_event_document ("\xed\xa0\x80", NULL);
  g_autofree char *escaped_nul = one_event_document ("a\\u0000b", NULL);
  g_autofree char *lone_surrogate = one_event_document ("\\ud800", NULL);
  g_autofree char *with_nul = one_event_document ("a#b", NULL);
  static const char bom16[] = "\xff\xfe{\0\"\0f\0";

  assert_json_refused (db, latin1, -1, "UTF-8");
  assert_json_refused (db, overlong, -1, "UTF-8");
  assert_json_refused (db, surrogate, -1, "UTF-8");
  assert_json_refused (db, bom16, sizeof bom16 - 1, NULL);

  {
    gsize length = strlen (with_nul);

    *strchr (with_nul, '#') = '\0';
    assert_json_refused (db, with_nul, length, "NUL");
  }

  /* Escapes that decode to a NUL or a lone surrogate: refused or
   * imported as harmless text, never a crash; the store stays usable. */
  assert_json_refused (db, lone_surrogate, -1, NULL);
  /* Found by fuzz-json: json-glib let this one through as invalid UTF-8. */
  assert_json_refused (db, "{\"format\": \"\\ud800\"\\u0000\"}", -1, "not valid text");
  for (guint i = 0; i < 1; i++)
    {
      const char *doc = escaped_nul;
      g_autoptr(GError) error = NULL;
      guint before = count_events (db->store);

      if (chancery_import_json_data (db->store, doc, -1, "hostile.json", NULL, NULL, &error))
        g_assert_cmpuint (count_events (db->store), ==, before + 1);
      else
        {
          /* Once json-glib's message quoted the bad string as it is. */
          g_assert_true (g_utf8_validate (error->message, -1, NULL));
          g_test_message ("%s", error->message);
          g_assert_cmpuint (count_events (db->store), ==, before);
        }
    }
}

static void
test_json_numbers (Db            *db,
                   gconstpointer  data)
{
  static const char * const members[] = {
    "\"importance\": 1e400",
    "\"importance\": -1e400",
    "\"importance\": 123456789012345678901234567890",
    "\"importance\": -9223372036854775809",
    "\"importance\": 1e-400",
  };
  static const char * const versions[] = {
    "1e400", "-1e400", "99999999999999999999999", "9223372036854775807",
    "-9223372036854775808", "1.0", "1e0", "0",
  };

  for (guint i = 0; i < G_N_ELEMENTS (members); i++)
    {
      g_autofree char *doc = one_event_document ("Numbers", members[i]);
      g_autoptr(GError) error = NULL;

      g_test_message ("%s", members[i]);
      if (i == G_N_ELEMENTS (members) - 1)
        {
          /* 1e-400 is 0 (underflow), which is in range. */
          if (!chancery_import_json_data (db->store, doc, -1, "hostile.json", NULL, NULL, &error))
            g_test_message ("%s", error->message);
          continue;
        }
      assert_json_refused (db, doc, -1, "importance");
    }

  for (guint i = 0; i < G_N_ELEMENTS (versions); i++)
    {
      g_autofree char *doc = g_strdup_printf ("{\"format\": \"chancery\", \"version\": %s, "
                                              "\"events\": []}", versions[i]);

      g_test_message ("version %s", versions[i]);
      assert_json_refused (db, doc, -1, "version");
    }
}

static void
test_json_truncated (Db            *db,
                     gconstpointer  data)
{
  g_autofree char *contents = NULL;
  gsize length;

  g_assert_true (g_file_get_contents (BUNDLED_JSON, &contents, &length, NULL));
  /* Cut in the middle of a UTF-8 character and between them. */
  for (gsize cut = length / 2; cut < length / 2 + 4; cut++)
    {
      g_autofree char *half = g_strndup (contents, cut);

      if (g_utf8_validate (half, -1, NULL))
        assert_json_refused (db, half, -1, NULL);
      else
        assert_json_refused (db, half, -1, "UTF-8");
    }
  assert_json_refused (db, contents, 1, NULL);
  assert_json_refused (db, contents, 0, "empty");
}

/* Wrong types and shapes everywhere; refused as a whole. */
static void
test_json_wrong_shapes (Db            *db,
                        gconstpointer  data)
{
  static const char * const docs[] = {
    "null", "[]", "\"chancery\"", "42", "{}",
    "{\"format\": \"chancery\", \"version\": 1, \"events\": {}}",
    "{\"format\": \"chancery\", \"version\": 1, \"events\": [null, 1, \"x\", []]}",
    "{\"format\": \"chancery\", \"version\": 1, \"events\": [{\"id\": {}}]}",
    "{\"format\": \"chancery\", \"version\": 1, \"countries\": [{\"code\": \"ZZZZ\"}]}",
    "{\"format\": \"chancery\", \"version\": 1, \"format\": \"other\"}",
    "{\"format\": \"chancery\", \"version\": 1} trailing",
  };

  for (guint i = 0; i < G_N_ELEMENTS (docs); i++)
    {
      g_test_message ("%s", docs[i]);
      assert_json_refused (db, docs[i], -1, NULL);
    }
}

/* Writes a JSON file of about size bytes of small events; their number. */
static guint
write_big_json (const char *path,
                gsize       size)
{
  FILE *f = fopen (path, "w");
  gsize written = 0;
  guint n = 0;

  g_assert_nonnull (f);
  written += fprintf (f, "{\"format\": \"chancery\", \"version\": 1, \"events\": [\n");
  for (; written < size; n++)
    written += fprintf (f, "%s{\"id\": \"big-%u\", \"kind\": \"statement\", \"status\": \"occurred\", "
                           "\"title\": \"Statement number %u\", \"summary\": \"A statement made in a "
                           "file bigger than the old 32 MB limit.\", \"date\": \"2025-12-08\", "
                           "\"sources\": [{\"source\": \"kayhan-146663\", \"quote\": \"q\"}]}\n",
                        n == 0 ? "" : ",", n, n);
  fprintf (f, "]}\n");
  g_assert_cmpint (fclose (f), ==, 0);

  return n;
}

/* A file over the old 32 MB limit (json-glib's tree took 11 times the
 * file): imported as a stream, in bounded memory. The same file cut off
 * in its last event fails at the end, naming the place, with nothing
 * written. */
static void
test_json_big_file (void)
{
  g_autofree char *path = tmp_path ("big.json");
  g_autofree char *cut_path = tmp_path ("big-cut.json");
  g_autofree char *db_path = tmp_path ("big-json.chancery");
  guint n;

  if (!run_in_subprocess ())
    return;

  {
    g_autofree char *db_built = make_bundled_db ("big-json.chancery");
    g_autofree char *contents = NULL;
    gsize length;

    n = write_big_json (path, 40 * MiB);
    g_assert_true (g_file_get_contents (path, &contents, &length, NULL));
    /* Cut inside the last event's title */
    g_assert_true (g_file_set_contents (cut_path, contents, length - 200, NULL));
  }

  {
    g_autoptr(ChanceryStore) store = NULL;
    g_autoptr(GError) error = NULL;
    g_autofree char *before = NULL;
    g_autofree char *after = NULL;
    g_autofree char *where = NULL;
    gsize rss_before, rss_after;
    ChanceryImportReport report;
    gboolean ok;

    store = chancery_store_open (db_path, CHANCERY_STORE_READ_WRITE, NULL, &error);
    g_assert_no_error (error);
    g_clear_object (&store);
    before = file_checksum (db_path);
    store = chancery_store_open (db_path, CHANCERY_STORE_READ_WRITE, NULL, &error);
    g_assert_no_error (error);

    rss_before = peak_rss ();
    ok = chancery_import_json_file (store, cut_path, NULL, NULL, NULL, NULL, &error);
    rss_after = peak_rss ();
    g_printerr ("40 MB JSON file cut off: peak RSS %zu MiB before, %zu MiB after; %s\n",
                rss_before / MiB, rss_after / MiB, ok ? "imported" : error->message);
    g_assert_false (ok);
    g_assert_error (error, CHANCERY_ERROR, CHANCERY_ERROR_INVALID_INPUT);
    /* "FILE:LINE:COLUMN: ...": the last event is on line n + 1 */
    where = g_strdup_printf ("%s:%u:", cut_path, n + 1);
    g_assert_true (g_str_has_prefix (error->message, where));
    g_assert_cmpuint (count_events (store), ==, 22);
    g_clear_error (&error);
    g_clear_object (&store);
    after = file_checksum (db_path);
    g_assert_cmpstr (before, ==, after);

    store = chancery_store_open (db_path, CHANCERY_STORE_READ_WRITE, NULL, &error);
    g_assert_no_error (error);
    chancery_import_report_init (&report);
    ok = chancery_import_json_file (store, path, &report, NULL, NULL, NULL, &error);
    rss_after = peak_rss ();
    g_printerr ("40 MB JSON file, %u events: peak RSS %zu MiB before, %zu MiB after\n",
                n, rss_before / MiB, rss_after / MiB);
    g_assert_no_error (error);
    g_assert_true (ok);
    g_assert_cmpuint (report.inserted, ==, n);
    chancery_import_report_clear (&report);
    g_assert_cmpuint (count_events (store), ==, 22 + n);
    /* The bound does not depend on the file: SQLite's page cache during an
     * import (256 MB), the full-text rows held back (32 MB), the part of
     * the map not yet given back (16 MB) and the ids of the file. The
     * json-glib tree of this file alone took over 500 MB. */
#ifdef __SANITIZE_ADDRESS__
    /* AddressSanitizer keeps what is freed in quarantine (256 MB) */
    rss_after -= MIN (rss_after, 256 * MiB);
#endif
    g_assert_cmpuint (rss_after, <, rss_before + 400 * MiB);
  }
  g_remove (path);
  g_remove (cut_path);
}

static void
test_json_not_a_file (Db            *db,
                      gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *missing = tmp_path ("no-such.json");
  g_autofree char *empty = write_file ("empty.json", "", 0);

  g_assert_false (chancery_import_json_file (db->store, tmp_dir, NULL, NULL, NULL, NULL, &error));
  g_assert_nonnull (error);
  g_assert_nonnull (strstr (error->message, tmp_dir));
  g_clear_error (&error);

  g_assert_false (chancery_import_json_file (db->store, missing, NULL, NULL, NULL, NULL, &error));
  g_assert_nonnull (error);
  g_assert_nonnull (strstr (error->message, missing));
  g_clear_error (&error);

  g_assert_false (chancery_import_json_file (db->store, empty, NULL, NULL, NULL, NULL, &error));
  g_assert_error (error, CHANCERY_ERROR, CHANCERY_ERROR_INVALID_INPUT);
  g_assert_nonnull (strstr (error->message, empty));
  g_assert_cmpuint (count_events (db->store), ==, 22);
}

/* GDELT */

static char *
good_gdelt_row (void)
{
  g_autofree char *contents = NULL;

  g_assert_true (g_file_get_contents (GDELT_SAMPLE, &contents, NULL, NULL));
  *strchr (contents, '\n') = '\0';
  return g_steal_pointer (&contents);
}

static gboolean
import_gdelt (Db                    *db,
              const char            *path,
              ChanceryImportReport  *report,
              GCancellable          *cancellable,
              GError               **error)
{
  chancery_import_report_init (report);
  return chancery_import_gdelt_file (db->store, path, NULL, report, NULL, NULL, cancellable, error);
}

static void
assert_gdelt_refused (Db         *db,
                      const char *path)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *before = file_checksum (db->path);
  g_autofree char *after = NULL;
  ChanceryImportReport report;

  g_assert_false (import_gdelt (db, path, &report, NULL, &error));
  g_assert_nonnull (error);
  g_assert_true (error->domain == CHANCERY_ERROR);
  g_test_message ("%s", error->message);
  g_assert_nonnull (strstr (error->message, path));
  g_assert_cmpuint (report.inserted, ==, 0);
  chancery_import_report_clear (&report);
  g_assert_cmpuint (count_events (db->store), ==, 22);
  after = file_checksum (db->path);
  g_assert_cmpstr (before, ==, after);
}

static void
test_gdelt_wrong_columns (Db            *db,
                          gconstpointer  data)
{
  g_autoptr(GString) contents = g_string_new (NULL);
  g_autofree char *path = NULL;
  g_autofree char *csv = NULL;

  for (guint i = 0; i < 50; i++)
    g_string_append_printf (contents, "%u\t20251208\tIRN\tAZE\tvisit\n", i);
  path = write_file ("columns.tsv", contents->str, contents->len);
  assert_gdelt_refused (db, path);

  csv = write_file ("comma.csv", "GLOBALEVENTID,SQLDATE,Actor1Code\n1,20251208,IRN\n", -1);
  assert_gdelt_refused (db, csv);
}

static void
test_gdelt_binary (Db            *db,
                   gconstpointer  data)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (146663);
  g_autofree guint8 *junk = g_malloc (1 * MiB);
  g_autofree char *path = NULL;

  for (gsize i = 0; i < 1 * MiB; i++)
    junk[i] = (guint8) g_rand_int (rand);
  path = write_file ("junk.export.CSV", (const char *) junk, 1 * MiB);
  assert_gdelt_refused (db, path);
}

static void
test_gdelt_fake_zip (Db            *db,
                     gconstpointer  data)
{
  g_autofree char *plain = write_file ("not-a.zip", "this is not a zip\n", -1);
  g_autofree char *magic = write_file ("magic.zip", "PK\x03\x04\x14\0\0\0\x08\0garbage garbage garbage", 33);
  g_autofree char *zip_header_only = write_file ("header.zip", "PK\x03\x04", 4);

  assert_gdelt_refused (db, plain);
  assert_gdelt_refused (db, magic);
  assert_gdelt_refused (db, zip_header_only);
}

/* A zip whose one entry inflates to entry_size bytes of 'A' and no newline. */
static void
write_bomb_zip (const char *path,
                gsize       entry_size,
                const char *prefix)
{
  struct archive *a = archive_write_new ();
  struct archive_entry *entry = archive_entry_new ();
  g_autofree char *chunk = g_strnfill (MiB, 'A');
  gsize prefix_len = prefix != NULL ? strlen (prefix) : 0;

  g_assert_cmpint (archive_write_set_format_zip (a), ==, ARCHIVE_OK);
  g_assert_cmpint (archive_write_open_filename (a, path), ==, ARCHIVE_OK);
  archive_entry_set_pathname (entry, "20251208000000.export.CSV");
  archive_entry_set_filetype (entry, AE_IFREG);
  archive_entry_set_perm (entry, 0644);
  archive_entry_set_size (entry, entry_size + prefix_len);
  g_assert_cmpint (archive_write_header (a, entry), ==, ARCHIVE_OK);
  if (prefix_len > 0)
    g_assert_cmpint (archive_write_data (a, prefix, prefix_len), ==, (la_ssize_t) prefix_len);
  for (gsize done = 0; done < entry_size; done += MiB)
    g_assert_cmpint (archive_write_data (a, chunk, MiB), ==, MiB);
  archive_entry_free (entry);
  g_assert_cmpint (archive_write_close (a), ==, ARCHIVE_OK);
  archive_write_free (a);
}

static void
test_gdelt_zip_bomb (void)
{
  g_autofree char *path = tmp_path ("bomb.zip");
  g_autofree char *db_path = tmp_path ("bomb.chancery");

  if (!run_in_subprocess ())
    return;

  {
    g_autofree char *db_built = make_bundled_db ("bomb.chancery");
    g_autofree char *row = good_gdelt_row ();
    g_autofree char *prefix = g_strconcat (row, "\n", NULL);
    GStatBuf st;

    write_bomb_zip (path, 200 * MiB, prefix);
    g_assert_cmpint (g_stat (path, &st), ==, 0);
    g_test_message ("zip of %" G_GINT64_FORMAT " bytes inflating to 200 MB", (gint64) st.st_size);
    g_assert_cmpint (st.st_size, <, 2 * MiB);
  }

  {
    g_autoptr(ChanceryStore) store = NULL;
    g_autoptr(GError) error = NULL;
    ChanceryImportReport report;
    gsize rss_before, rss_after;
    gboolean ok;

    store = chancery_store_open (db_path, CHANCERY_STORE_READ_WRITE, NULL, &error);
    g_assert_no_error (error);
    rss_before = peak_rss ();
    chancery_import_report_init (&report);
    ok = chancery_import_gdelt_file (store, path, NULL, &report, NULL, NULL, NULL, &error);
    rss_after = peak_rss ();
    g_printerr ("zip bomb: peak RSS %zu MiB before, %zu MiB after; %s", rss_before / MiB,
                    rss_after / MiB, ok ? "imported the good row" : error->message);
    /* One good row, then one line of 200 MB, skipped as too long. */
    g_assert_no_error (error);
    g_assert_true (ok);
    g_assert_cmpuint (report.inserted + report.filtered, ==, 1);
    g_assert_cmpuint (report.skipped, ==, 1);
    g_assert_cmpuint (report.messages->len, ==, 1);
    g_assert_nonnull (strstr (g_ptr_array_index (report.messages, 0), "longer than"));
    chancery_import_report_clear (&report);
    g_assert_cmpuint (rss_after, <, rss_before + 32 * MiB);
  }
  g_remove (path);
}

static void
test_gdelt_mostly_bad (Db            *db,
                       gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GString) contents = g_string_new (NULL);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autofree char *row = good_gdelt_row ();
  g_autofree char *path = NULL;
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;
  ChanceryImportReport report;
  const guint n_bad = 5000;

  g_string_append_printf (contents, "%s\n", row);
  for (guint i = 0; i < n_bad; i++)
    {
      switch (i % 4)
        {
        case 0:
          g_string_append (contents, "1\t2\t3\n");
          break;
        case 1:
          g_string_append_len (contents, "\xff\xfe\0\x01\t\t\t\n", 8);
          break;
        case 2:
          g_string_append_printf (contents, "x%s\n", row);
          break;
        default:
          g_string_append (contents, "\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t"
                                     "\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\n");
          break;
        }
    }
  path = write_file ("mostly-bad.tsv", contents->str, contents->len);

  /* Cancelled: an error, and nothing written. */
  before = file_checksum (db->path);
  g_cancellable_cancel (cancellable);
  g_assert_false (import_gdelt (db, path, &report, cancellable, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  chancery_import_report_clear (&report);
  g_clear_error (&error);
  g_assert_cmpuint (count_events (db->store), ==, 22);
  after = file_checksum (db->path);
  g_assert_cmpstr (before, ==, after);

  /* Imported: the good row, each bad one reported (up to a limit). */
  g_assert_true (import_gdelt (db, path, &report, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (report.inserted + report.filtered, ==, 1);
  g_assert_cmpuint (report.skipped, ==, n_bad);
  g_assert_cmpuint (report.messages->len, <=, 101);
  g_assert_cmpuint (report.messages->len, >, 1);
  g_test_message ("%s", (const char *) g_ptr_array_index (report.messages, report.messages->len - 1));
  g_assert_cmpuint (count_events (db->store), ==, 22 + report.inserted);
  chancery_import_report_clear (&report);
}

/* Teardown of the temporary directory */

static void
remove_tree (const char *path)
{
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *child = g_build_filename (path, name, NULL);

      if (g_file_test (child, G_FILE_TEST_IS_DIR))
        remove_tree (child);
      else
        g_remove (child);
    }
  g_rmdir (path);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;
  int status;

  g_test_init (&argc, &argv, NULL);

  /* Subprocesses (g_test_trap_subprocess) share their parent's directory. */
  if (g_getenv ("CHANCERY_TEST_HOSTILE_DIR") != NULL)
    tmp_dir = g_strdup (g_getenv ("CHANCERY_TEST_HOSTILE_DIR"));
  else
    {
      tmp_dir = g_dir_make_tmp ("chancery-test-hostile-XXXXXX", &error);
      g_assert_no_error (error);
      g_setenv ("CHANCERY_TEST_HOSTILE_DIR", tmp_dir, TRUE);
    }

  g_test_add_func ("/hostile/db/not-sqlite", test_db_not_sqlite);
  g_test_add_func ("/hostile/db/bad-header", test_db_bad_header);
  g_test_add_func ("/hostile/db/empty", test_db_empty);
  g_test_add_func ("/hostile/db/truncated", test_db_truncated);
  g_test_add_func ("/hostile/db/damaged-page", test_db_damaged_page);
  g_test_add_func ("/hostile/db/damaged-page-viewing", test_db_damaged_page_viewing);
  g_test_add_func ("/hostile/db/damaged-tables-viewing", test_db_damaged_tables_viewing);
  g_test_add_func ("/hostile/db/negative-row-id", test_db_negative_row_id);
  g_test_add_func ("/hostile/db/not-chancery", test_db_not_chancery);
  g_test_add_func ("/hostile/db/newer-schema", test_db_newer_schema);
  g_test_add_func ("/hostile/db/unsafe-schema", test_db_unsafe_schema);
  g_test_add_func ("/hostile/db/functions-in-schema", test_db_functions_in_schema);
  g_test_add_func ("/hostile/db/huge-cell", test_db_huge_cell);
  g_test_add_func ("/hostile/db/not-utf8", test_db_not_utf8);
  g_test_add_func ("/hostile/migration/backup", test_migration_backup);
  g_test_add_data_func ("/hostile/migration/killed-read-write", GINT_TO_POINTER (FALSE),
                        test_migration_killed);
  g_test_add_data_func ("/hostile/migration/killed-read-only", GINT_TO_POINTER (TRUE),
                        test_migration_killed);

#define ADD_DB(path, func) g_test_add (path, Db, NULL, db_set_up, func, db_tear_down)
  ADD_DB ("/hostile/json/control", test_json_control);
  ADD_DB ("/hostile/json/deep", test_json_deep);
  g_test_add_func ("/hostile/json/huge-string", test_json_huge_string);
  ADD_DB ("/hostile/json/bad-encoding", test_json_bad_encoding);
  ADD_DB ("/hostile/json/numbers", test_json_numbers);
  ADD_DB ("/hostile/json/truncated", test_json_truncated);
  ADD_DB ("/hostile/json/wrong-shapes", test_json_wrong_shapes);
  ADD_DB ("/hostile/json/not-a-file", test_json_not_a_file);
  g_test_add_func ("/hostile/json/big-file", test_json_big_file);
  ADD_DB ("/hostile/gdelt/wrong-columns", test_gdelt_wrong_columns);
  ADD_DB ("/hostile/gdelt/binary", test_gdelt_binary);
  ADD_DB ("/hostile/gdelt/fake-zip", test_gdelt_fake_zip);
  ADD_DB ("/hostile/gdelt/mostly-bad", test_gdelt_mostly_bad);
  g_test_add_func ("/hostile/gdelt/zip-bomb", test_gdelt_zip_bomb);

  status = g_test_run ();

  if (!g_test_subprocess ())
    remove_tree (tmp_dir);
  g_free (tmp_dir);
  return status;
}
