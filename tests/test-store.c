/* test-store.c: creating, opening, migrating and refusing databases; reading events
 *
 * Copyright 2026 The Chancery developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <glib.h>
#include <glib/gstdio.h>
#include <sqlite3.h>

#include "chancery-error.h"
#include "chancery-export.h"
#include "chancery-import.h"
#include "chancery-store.h"
#include "chancery-store-private.h"
#include "test-common.h"

typedef struct
{
  char *dir;
} Fixture;

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  fixture->dir = test_make_tmp_dir ();
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  test_remove_tree (fixture->dir);
  g_free (fixture->dir);
}

static char *
fixture_path (Fixture    *fixture,
              const char *name)
{
  return g_build_filename (fixture->dir, name, NULL);
}

/* One value of sql, as text (or NULL), read with plain SQLite, not
 * through the store; freed by the caller. */
static char *
raw_text (const char *path,
          const char *sql)
{
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;
  char *value;

  g_assert_cmpint (sqlite3_open_v2 (path, &db, SQLITE_OPEN_READONLY, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  value = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
  sqlite3_finalize (stmt);
  sqlite3_close (db);

  return value;
}

/* A pragma's number. */
static int
raw_pragma (const char *path,
            const char *pragma)
{
  g_autofree char *sql = g_strdup_printf ("PRAGMA %s", pragma);
  g_autofree char *value = raw_text (path, sql);

  g_assert_nonnull (value);
  return atoi (value);
}

static int
raw_user_version (const char *path)
{
  return raw_pragma (path, "user_version");
}

static gboolean
raw_has_table (const char *path,
               const char *table)
{
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;
  gboolean found;

  g_assert_cmpint (sqlite3_open_v2 (path, &db, SQLITE_OPEN_READONLY, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_prepare_v2 (db, "SELECT 1 FROM sqlite_schema WHERE name = ?",
                                       -1, &stmt, NULL), ==, SQLITE_OK);
  sqlite3_bind_text (stmt, 1, table, -1, SQLITE_STATIC);
  found = sqlite3_step (stmt) == SQLITE_ROW;
  sqlite3_finalize (stmt);
  sqlite3_close (db);

  return found;
}

/* Opening path with flags fails with code; the file is byte for byte as it was. */
static void
assert_open_refused (const char         *path,
                     ChanceryStoreFlags  flags,
                     int                 code,
                     const char         *in_message)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) before = test_read_file (path);
  g_autoptr(GBytes) after = NULL;
  g_autoptr(ChanceryStore) store = NULL;
  g_autofree char *journal = g_strconcat (path, "-journal", NULL);

  store = chancery_store_open (path, flags, NULL, &error);
  g_assert_error (error, CHANCERY_ERROR, code);
  g_assert_null (store);
  test_assert_contains (error->message, path);
  if (in_message != NULL)
    test_assert_contains (error->message, in_message);

  after = test_read_file (path);
  g_assert_true (g_bytes_equal (before, after));
  g_assert_false (g_file_test (journal, G_FILE_TEST_EXISTS));
}

static void
test_create_and_reopen (Fixture       *fixture,
                        gconstpointer  data)
{
  g_autofree char *path = fixture_path (fixture, "new.chancery");
  g_autofree char *json = test_bundled_json ();
  g_autoptr(ChanceryStore) store = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) before = NULL;
  g_autoptr(GBytes) after = NULL;
  g_autofree char *name = NULL;
  ChanceryImportReport report;

  /* Without CREATE, a missing file is an error, and nothing is created. */
  store = chancery_store_open (path, CHANCERY_STORE_READ_WRITE, NULL, &error);
  g_assert_error (error, CHANCERY_ERROR, CHANCERY_ERROR_NOT_FOUND);
  g_assert_null (store);
  g_assert_false (g_file_test (path, G_FILE_TEST_EXISTS));
  g_clear_error (&error);

  store = chancery_store_open (path, CHANCERY_STORE_READ_ONLY, NULL, &error);
  g_assert_error (error, CHANCERY_ERROR, CHANCERY_ERROR_NOT_FOUND);
  g_assert_false (g_file_test (path, G_FILE_TEST_EXISTS));
  g_clear_error (&error);

  store = test_create_store (path);
  g_assert_true (chancery_store_is_writable (store));
  g_assert_cmpstr (chancery_store_get_path (store), ==, path);
  g_assert_cmpuint (chancery_store_count_events (store, NULL, &error), ==, 0);
  g_assert_no_error (error);
  /* No name yet: the file's basename */
  name = chancery_store_dup_name (store);
  g_assert_cmpstr (name, ==, "new.chancery");
  g_clear_pointer (&name, g_free);
  g_clear_object (&store);

  g_assert_cmpint (raw_user_version (path), ==, CHANCERY_SCHEMA_VERSION);
  /* New files get 16 KiB pages (docs/performance.md, "Page size"). */
  g_assert_cmpint (raw_pragma (path, "page_size"), ==, 16384);
  g_assert_true (raw_has_table (path, "event"));
  g_assert_true (raw_has_table (path, "event_link"));
  g_assert_true (raw_has_table (path, "event_fts"));

  /* Read-only: opens, but an import is refused with a clear error and
   * changes nothing. */
  before = test_read_file (path);
  store = chancery_store_open (path, CHANCERY_STORE_READ_ONLY, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (store);
  g_assert_false (chancery_store_is_writable (store));

  chancery_import_report_init (&report);
  g_assert_false (chancery_import_json_file (store, json, &report, NULL, NULL, NULL, &error));
  g_assert_error (error, CHANCERY_ERROR, CHANCERY_ERROR_IO);
  test_assert_contains (error->message, path);
  test_assert_contains (error->message, "read-only");
  g_assert_cmpuint (report.inserted, ==, 0);
  chancery_import_report_clear (&report);
  g_clear_error (&error);

  g_assert_null (chancery_importer_begin (store, NULL, &error));
  g_assert_error (error, CHANCERY_ERROR, CHANCERY_ERROR_IO);
  test_assert_contains (error->message, "read-only");
  g_clear_error (&error);

  g_assert_false (chancery_store_set_name (store, "Renamed", &error));
  g_assert_error (error, CHANCERY_ERROR, CHANCERY_ERROR_IO);
  g_clear_error (&error);

  g_assert_cmpuint (chancery_store_count_events (store, NULL, &error), ==, 0);
  g_assert_no_error (error);
  g_clear_object (&store);

  after = test_read_file (path);
  g_assert_true (g_bytes_equal (before, after));
  g_assert_cmpint (raw_user_version (path), ==, CHANCERY_SCHEMA_VERSION);
}

static void
test_migrate_read_write (Fixture       *fixture,
                         gconstpointer  data)
{
  g_autofree char *path = fixture_path (fixture, "old.chancery");
  g_autofree char *backup = g_strconcat (path, ".schema-v1.backup", NULL);
  g_autoptr(ChanceryStore) store = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) original = NULL;
  g_autoptr(GBytes) saved = NULL;

  g_assert_true (chancery_store_create_at_version (path, 1, &error));
  g_assert_no_error (error);
  g_assert_cmpint (raw_user_version (path), ==, 1);
  g_assert_false (raw_has_table (path, "event_link"));
  original = test_read_file (path);

  /* It refuses to overwrite. */
  g_assert_false (chancery_store_create_at_version (path, 1, &error));
  g_assert_error (error, CHANCERY_ERROR, CHANCERY_ERROR_IO);
  g_clear_error (&error);

  store = chancery_store_open (path, CHANCERY_STORE_READ_WRITE, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (store);
  g_assert_cmpuint (test_import_bundled (store), ==, 22);
  g_clear_object (&store);

  g_assert_cmpint (raw_user_version (path), ==, CHANCERY_SCHEMA_VERSION);
  g_assert_true (raw_has_table (path, "event_link"));

  /* The backup is the old file as it was. */
  g_assert_true (g_file_test (backup, G_FILE_TEST_IS_REGULAR));
  g_assert_cmpint (raw_user_version (backup), ==, 1);
  saved = test_read_file (backup);
  g_assert_true (g_bytes_equal (original, saved));
}

/* Files made before 16 KiB pages have SQLite's 4 KiB ones (every test
 * file from chancery_store_create_at_version() now has 16 KiB): such a
 * file is upgraded and read as it is, its pages left at 4 KiB. */
static void
test_migrate_small_pages (Fixture       *fixture,
                          gconstpointer  data)
{
  g_autofree char *path = fixture_path (fixture, "old-4k.chancery");
  g_autofree char *backup = g_strconcat (path, ".schema-v1.backup", NULL);
  g_autoptr(ChanceryStore) store = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_true (chancery_store_create_at_version (path, 1, &error));
  g_assert_no_error (error);
  test_sqlite_exec (path, "PRAGMA page_size = 4096; VACUUM");
  g_assert_cmpint (raw_pragma (path, "page_size"), ==, 4096);
  g_assert_cmpint (raw_user_version (path), ==, 1);

  store = chancery_store_open (path, CHANCERY_STORE_READ_WRITE, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (store);
  g_assert_cmpuint (test_import_bundled (store), ==, 22);
  g_clear_object (&store);

  g_assert_cmpint (raw_user_version (path), ==, CHANCERY_SCHEMA_VERSION);
  g_assert_cmpint (raw_pragma (path, "page_size"), ==, 4096);
  g_assert_cmpint (raw_pragma (backup, "page_size"), ==, 4096);

  store = chancery_store_open (path, CHANCERY_STORE_READ_ONLY, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (chancery_store_count_events (store, NULL, &error), ==, 22);
  g_assert_no_error (error);
}

static void
test_migrate_read_only (Fixture       *fixture,
                        gconstpointer  data)
{
  g_autofree char *path = fixture_path (fixture, "old.chancery");
  g_autofree char *backup = g_strconcat (path, ".schema-v1.backup", NULL);
  g_autoptr(ChanceryStore) store = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_true (chancery_store_create_at_version (path, 1, &error));
  g_assert_no_error (error);

  store = chancery_store_open (path, CHANCERY_STORE_READ_ONLY, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (store);
  g_assert_false (chancery_store_is_writable (store));
  g_assert_cmpuint (chancery_store_count_events (store, NULL, &error), ==, 0);
  g_assert_no_error (error);
  g_clear_object (&store);

  g_assert_cmpint (raw_user_version (path), ==, CHANCERY_SCHEMA_VERSION);
  g_assert_true (g_file_test (backup, G_FILE_TEST_IS_REGULAR));
  g_assert_cmpint (raw_user_version (backup), ==, 1);
}

/* Every event's flags are what its date text gives. */
static void
assert_flags_from_dates (const char *path)
{
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;

  g_assert_cmpint (sqlite3_open_v2 (path, &db, SQLITE_OPEN_READONLY, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_prepare_v2 (db, "SELECT date, flags FROM event", -1, &stmt, NULL), ==, SQLITE_OK);
  while (sqlite3_step (stmt) == SQLITE_ROW)
    {
      g_autoptr(GError) error = NULL;
      ChanceryDate date;

      g_assert_true (chancery_date_parse ((const char *) sqlite3_column_text (stmt, 0), &date, &error));
      g_assert_no_error (error);
      g_assert_cmpuint (sqlite3_column_int (stmt, 1), ==, chancery_index_flags_for_date (&date));
    }
  sqlite3_finalize (stmt);
  sqlite3_close (db);
}

/* Version 2 kept one position per place name and country; version 3
 * keys places by their position too. The upgrade keeps every place and
 * its row id, and takes the fingerprint of the events at a place with
 * coordinates, so that re-importing their file gives each its own. */
static void
test_migrate_places (Fixture       *fixture,
                     gconstpointer  data)
{
  g_autofree char *path = fixture_path (fixture, "v2.chancery");
  g_autofree char *backup = g_strconcat (path, ".schema-v2.backup", NULL);
  g_autofree char *places_before = NULL;
  g_autofree char *places_after = NULL;
  g_autofree char *fingerprints = NULL;
  g_autofree char *flags = NULL;
  g_autofree char *schema = NULL;
  g_autofree char *check = NULL;
  g_autoptr(ChanceryStore) store = NULL;
  g_autoptr(ChanceryEvent) event = NULL;
  g_autoptr(GError) error = NULL;
  const char *places_sql = "SELECT group_concat(id || ':' || name || ':' || country || ':' ||"
                           " ifnull(lat, '-') || ':' || ifnull(lon, '-'), ' ') FROM place";

  g_assert_true (chancery_store_create_at_version (path, 2, &error));
  g_assert_no_error (error);
  test_sqlite_exec (path,
                    "INSERT INTO country VALUES ('AZE', 'Azerbaijan'), ('IRN', 'Iran');"
                    "INSERT INTO place VALUES (4, 'Baku', 'AZE', 40.375, 49.875),"
                    "  (9, 'Tehran', 'IRN', NULL, NULL);"
                    "INSERT INTO event (id, uid, kind, status, title, date, lo_day, hi_day,"
                    "  precision, flags, place_id, fingerprint) VALUES"
                    "  (1, 'at-baku', 0, 0, 'A', '2025-12-01', 739586, 739586, 0, 0, 4, 'nA'),"
                    "  (2, 'at-tehran', 0, 0, 'B', '2025-12-02', 739587, 739587, 0, 0, 9, 'nB'),"
                    "  (3, 'nowhere', 0, 0, 'C', '2025-12-03', 739588, 739588, 0, 0, NULL, 'nC'),"
                    /* Ranges, precision and flags as version 2 stored them */
                    "  (4, 'month-day', 0, 0, 'D', '2025-06/2025-12-08', 739403, 739593, 1, 16, NULL, 'nD'),"
                    "  (5, 'year-day', 0, 0, 'E', '2024~/2025-03-02', 738886, 739312, 2, 20, NULL, 'nE'),"
                    "  (6, 'day-year', 0, 0, 'F', '2025-03-02/2026', 739312, 740341, 2, 16, NULL, 'nF'),"
                    "  (7, 'month-month', 0, 0, 'G', '2025-06/2025-08', 739403, 739494, 1, 16, NULL, 'nG'),"
                    "  (8, 'before', 0, 0, 'H', '../2025-06', 739037, 739432, 1, 1, NULL, 'nH');");
  places_before = raw_text (path, places_sql);

  store = chancery_store_open (path, CHANCERY_STORE_READ_WRITE, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (store);
  g_assert_cmpint (raw_user_version (path), ==, 3);
  g_assert_cmpint (raw_user_version (backup), ==, 2);

  places_after = raw_text (path, places_sql);
  g_assert_cmpstr (places_after, ==, places_before);
  g_assert_cmpstr (places_after, ==, "4:Baku:AZE:40.375:49.875 9:Tehran:IRN:-:-");
  schema = raw_text (path, "SELECT group_concat(sql, ';') FROM sqlite_schema WHERE tbl_name LIKE 'place%'");
  test_assert_contains (schema, "UNIQUE (name, country, lat, lon)");
  g_assert_null (strstr (schema, "place_v2"));
  fingerprints = raw_text (path, "SELECT group_concat(uid || '=' || ifnull(fingerprint, '-'), ' ')"
                                 " FROM event ORDER BY id");
  g_assert_cmpstr (fingerprints, ==, "at-baku=- at-tehran=nB nowhere=nC month-day=nD year-day=nE"
                                     " day-year=nF month-month=nG before=nH");
  /* 64: the end is finer; 32: the start; 128: by two steps. */
  flags = raw_text (path, "SELECT group_concat(uid || '=' || flags, ' ') FROM event WHERE id > 3 ORDER BY id");
  g_assert_cmpstr (flags, ==, "month-day=80 year-day=212 day-year=176 month-month=16 before=1");
  assert_flags_from_dates (path);
  check = raw_text (path, "PRAGMA integrity_check");
  g_assert_cmpstr (check, ==, "ok");

  event = chancery_store_get_event_by_uid (store, "at-baku", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (event->place_name, ==, "Baku");
  g_assert_true (event->has_coordinates);
  g_assert_cmpfloat (event->latitude, ==, 40.375);
  g_assert_cmpfloat (event->longitude, ==, 49.875);
}

static void
test_refuse_newer (Fixture       *fixture,
                   gconstpointer  data)
{
  g_autofree char *path = fixture_path (fixture, "current.chancery");
  g_autofree char *newer = fixture_path (fixture, "newer.chancery");
  g_autoptr(ChanceryStore) store = NULL;

  store = test_create_store (path);
  g_assert_cmpuint (test_import_bundled (store), ==, 22);
  g_clear_object (&store);

  test_copy_file (path, newer);
  test_sqlite_exec (newer, "PRAGMA user_version = 99");
  g_assert_cmpint (raw_user_version (newer), ==, 99);

  assert_open_refused (newer, CHANCERY_STORE_READ_ONLY, CHANCERY_ERROR_NEWER_SCHEMA, "99");
  assert_open_refused (newer, CHANCERY_STORE_READ_WRITE, CHANCERY_ERROR_NEWER_SCHEMA, "99");
  assert_open_refused (newer, CHANCERY_STORE_READ_WRITE | CHANCERY_STORE_CREATE,
                       CHANCERY_ERROR_NEWER_SCHEMA, "99");
  g_assert_cmpint (raw_user_version (newer), ==, 99);
}

static void
test_refuse_not_chancery (Fixture       *fixture,
                          gconstpointer  data)
{
  g_autofree char *text = fixture_path (fixture, "notes.txt");
  g_autofree char *empty = fixture_path (fixture, "empty.chancery");
  g_autofree char *short_file = fixture_path (fixture, "short.chancery");
  g_autofree char *other = fixture_path (fixture, "other.sqlite");
  g_autoptr(GError) error = NULL;
  static const ChanceryStoreFlags all_flags[] = {
    CHANCERY_STORE_READ_ONLY,
    CHANCERY_STORE_READ_WRITE,
    CHANCERY_STORE_READ_WRITE | CHANCERY_STORE_CREATE,
  };

  g_file_set_contents (text, "These are my notes about Baku, not a database.\n", -1, &error);
  g_assert_no_error (error);
  g_file_set_contents (empty, "", 0, &error);
  g_assert_no_error (error);
  g_file_set_contents (short_file, "SQLite", -1, &error);
  g_assert_no_error (error);
  test_sqlite_exec (other, "CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT);"
                   "INSERT INTO notes (body) VALUES ('hello');");

  for (guint i = 0; i < G_N_ELEMENTS (all_flags); i++)
    {
      assert_open_refused (text, all_flags[i], CHANCERY_ERROR_NOT_A_DATABASE, "not an SQLite file");
      assert_open_refused (short_file, all_flags[i], CHANCERY_ERROR_NOT_A_DATABASE, NULL);
      assert_open_refused (other, all_flags[i], CHANCERY_ERROR_NOT_A_DATABASE, "not a Chancery one");
    }

  /* An empty file is no database for viewing or importing into, only a
   * place to create one. */
  assert_open_refused (empty, CHANCERY_STORE_READ_ONLY, CHANCERY_ERROR_NOT_A_DATABASE, "empty");
  assert_open_refused (empty, CHANCERY_STORE_READ_WRITE, CHANCERY_ERROR_NOT_A_DATABASE, "empty");

  /* A folder */
  {
    g_autoptr(ChanceryStore) store = chancery_store_open (fixture->dir, CHANCERY_STORE_READ_ONLY,
                                                          NULL, &error);
    g_assert_null (store);
    g_assert_error (error, CHANCERY_ERROR, CHANCERY_ERROR_IO);
    g_clear_error (&error);
  }
}

static void
test_refuse_unsafe (Fixture       *fixture,
                    gconstpointer  data)
{
  g_autofree char *path = fixture_path (fixture, "base.chancery");
  g_autofree char *with_trigger = fixture_path (fixture, "trigger.chancery");
  g_autofree char *with_view = fixture_path (fixture, "view.chancery");
  g_autofree char *old_trigger = fixture_path (fixture, "old-trigger.chancery");
  g_autofree char *old_backup = g_strconcat (old_trigger, ".schema-v1.backup", NULL);
  g_autoptr(ChanceryStore) store = NULL;
  g_autoptr(GError) error = NULL;

  store = test_create_store (path);
  g_assert_cmpuint (test_import_bundled (store), ==, 22);
  g_clear_object (&store);

  test_copy_file (path, with_trigger);
  test_sqlite_exec (with_trigger, "CREATE TRIGGER t AFTER INSERT ON event BEGIN"
                          " DELETE FROM event; END;");
  test_copy_file (path, with_view);
  test_sqlite_exec (with_view, "CREATE VIEW v AS SELECT title FROM event;");

  g_assert_true (chancery_store_create_at_version (old_trigger, 1, &error));
  g_assert_no_error (error);
  test_sqlite_exec (old_trigger, "CREATE TRIGGER t AFTER INSERT ON event BEGIN"
                         " DELETE FROM event; END;");

  assert_open_refused (with_trigger, CHANCERY_STORE_READ_ONLY, CHANCERY_ERROR_UNSAFE, "trigger");
  assert_open_refused (with_trigger, CHANCERY_STORE_READ_WRITE, CHANCERY_ERROR_UNSAFE, "trigger");
  assert_open_refused (with_view, CHANCERY_STORE_READ_ONLY, CHANCERY_ERROR_UNSAFE, "view");
  assert_open_refused (with_view, CHANCERY_STORE_READ_WRITE, CHANCERY_ERROR_UNSAFE, "view");

  /* An old file with a trigger is refused before any upgrade or backup. */
  assert_open_refused (old_trigger, CHANCERY_STORE_READ_ONLY, CHANCERY_ERROR_UNSAFE, NULL);
  assert_open_refused (old_trigger, CHANCERY_STORE_READ_WRITE, CHANCERY_ERROR_UNSAFE, NULL);
  g_assert_false (g_file_test (old_backup, G_FILE_TEST_EXISTS));
  g_assert_cmpint (raw_user_version (old_trigger), ==, 1);
}

typedef struct
{
  const char *uid;
  const char *relation;
  gboolean    outgoing;
} ExpectedLink;

static void
assert_links (const ChanceryEvent *event,
              const ExpectedLink  *expected,
              guint                n_expected)
{
  g_assert_cmpuint (event->links->len, ==, n_expected);
  for (guint i = 0; i < n_expected; i++)
    {
      gboolean found = FALSE;

      for (guint j = 0; j < event->links->len && !found; j++)
        {
          const ChanceryEventLink *link = g_ptr_array_index (event->links, j);

          if (g_strcmp0 (link->uid, expected[i].uid) == 0 &&
              g_strcmp0 (link->relation, expected[i].relation) == 0 &&
              link->outgoing == expected[i].outgoing)
            found = TRUE;
        }
      if (!found)
        g_error ("%s: no %s link “%s” %s", event->uid,
                 expected[i].outgoing ? "outgoing" : "incoming",
                 expected[i].relation, expected[i].uid);
    }
}

static void
test_get_event (Fixture       *fixture,
                gconstpointer  data)
{
  g_autofree char *path = fixture_path (fixture, "kayhan.chancery");
  g_autoptr(ChanceryStore) store = NULL;
  g_autoptr(ChanceryEvent) yerevan = NULL;
  g_autoptr(ChanceryEvent) by_id = NULL;
  g_autoptr(ChanceryEvent) baku = NULL;
  g_autoptr(ChanceryEvent) visit = NULL;
  g_autoptr(ChanceryEvent) missing = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *name = NULL;
  const ChanceryEventActor *actor;
  const ChanceryEventCountry *country;
  const ChanceryEventSource *source;
  const ChanceryEventProject *project;
  static const ExpectedLink yerevan_links[] = {
    { "3plus3-meeting-baku", "follows", TRUE },
    { "azerbaijan-proposal-3plus3-meetings", "outcome-of", TRUE },
  };
  static const ExpectedLink baku_links[] = {
    { "azerbaijan-proposal-3plus3-meetings", "outcome-of", TRUE },
    { "3plus3-meeting-yerevan", "follows", FALSE },
  };

  store = test_create_store (path);
  g_assert_cmpuint (test_import_bundled (store), ==, 22);
  g_clear_object (&store);

  store = chancery_store_open (path, CHANCERY_STORE_READ_ONLY, NULL, &error);
  g_assert_no_error (error);

  name = chancery_store_dup_name (store);
  g_assert_cmpstr (name, ==, "South Caucasus diplomacy — Kayhan, 8 December 2025");

  yerevan = chancery_store_get_event_by_uid (store, "3plus3-meeting-yerevan", &error);
  g_assert_no_error (error);
  g_assert_nonnull (yerevan);
  g_assert_cmpstr (yerevan->uid, ==, "3plus3-meeting-yerevan");
  g_assert_cmpint (yerevan->kind, ==, CHANCERY_KIND_MEETING);
  g_assert_cmpint (yerevan->status, ==, CHANCERY_STATUS_PLANNED);
  g_assert_cmpstr (yerevan->title, ==, "Upcoming 3+3 meeting in Yerevan");
  g_assert_true (g_str_has_prefix (yerevan->summary, "A 3+3 meeting planned in Yerevan"));
  g_assert_cmpstr (yerevan->date_text, ==, "2025-12-09/..");
  g_assert_cmpint (yerevan->date.form, ==, CHANCERY_DATE_AFTER);
  g_assert_cmpint (yerevan->date.lo, ==, chancery_day_from_ymd (2025, 12, 9));
  g_assert_cmpstr (yerevan->place_name, ==, "Yerevan");
  g_assert_cmpstr (yerevan->place_country, ==, "ARM");
  /* Names from the country table, whether or not the event lists the
   * country (the detail pane shows them, not codes) */
  g_assert_cmpstr (yerevan->place_country_name, ==, "Armenia");
  g_assert_false (yerevan->has_coordinates);

  g_assert_cmpuint (yerevan->actors->len, ==, 1);
  actor = g_ptr_array_index (yerevan->actors, 0);
  g_assert_cmpstr (actor->uid, ==, "abbas-araghchi");
  g_assert_cmpstr (actor->name, ==, "Abbas Araghchi");
  g_assert_cmpstr (actor->title, ==, "Foreign Minister");
  g_assert_cmpstr (actor->country, ==, "IRN");
  g_assert_cmpstr (actor->country_name, ==, "Iran");
  g_assert_cmpint (actor->role, ==, CHANCERY_ROLE_MENTIONED);

  /* Countries with their names, sorted by name */
  g_assert_cmpuint (yerevan->countries->len, ==, 3);
  country = g_ptr_array_index (yerevan->countries, 0);
  g_assert_cmpstr (country->code, ==, "ARM");
  g_assert_cmpstr (country->name, ==, "Armenia");
  country = g_ptr_array_index (yerevan->countries, 1);
  g_assert_cmpstr (country->code, ==, "AZE");
  g_assert_cmpstr (country->name, ==, "Azerbaijan");
  country = g_ptr_array_index (yerevan->countries, 2);
  g_assert_cmpstr (country->code, ==, "IRN");
  g_assert_cmpstr (country->name, ==, "Iran");

  g_assert_cmpuint (yerevan->projects->len, ==, 1);
  project = g_ptr_array_index (yerevan->projects, 0);
  g_assert_cmpstr (project->uid, ==, "3plus3-mechanism");
  g_assert_cmpstr (project->name, ==, "3+3 regional consultation mechanism");

  g_assert_cmpuint (yerevan->sources->len, ==, 1);
  source = g_ptr_array_index (yerevan->sources, 0);
  g_assert_cmpstr (source->uid, ==, "kayhan-146663");
  g_assert_cmpstr (source->publisher, ==, "Kayhan");
  g_assert_cmpstr (source->title, ==, "FM Araghchi Holds Key Talks With Azerbaijani Leaders in Baku");
  g_assert_cmpstr (source->reference, ==, "News ID 146663");
  g_assert_null (source->url);
  g_assert_cmpstr (source->published, ==, "2025-12-08");
  g_assert_cmpstr (source->quote, ==,
                   "He welcomed recent progress in Azerbaijan-Armenia relations and noted that, "
                   "following a proposal by Baku, upcoming 3+3 meetings are planned in Baku and "
                   "subsequently in Yerevan.");

  assert_links (yerevan, yerevan_links, G_N_ELEMENTS (yerevan_links));

  /* The same event by row id */
  by_id = chancery_store_get_event (store, yerevan->id, &error);
  g_assert_no_error (error);
  g_assert_cmpint (by_id->id, ==, yerevan->id);
  g_assert_cmpstr (by_id->uid, ==, yerevan->uid);
  g_assert_cmpstr (by_id->title, ==, yerevan->title);
  g_assert_cmpuint (by_id->links->len, ==, yerevan->links->len);

  /* The Baku meeting sees the Yerevan one following it. */
  baku = chancery_store_get_event_by_uid (store, "3plus3-meeting-baku", &error);
  g_assert_no_error (error);
  assert_links (baku, baku_links, G_N_ELEMENTS (baku_links));
  for (guint i = 0; i < baku->links->len; i++)
    {
      const ChanceryEventLink *link = g_ptr_array_index (baku->links, i);

      if (!link->outgoing)
        {
          g_assert_cmpint (link->id, ==, yerevan->id);
          g_assert_cmpstr (link->title, ==, yerevan->title);
        }
    }

  /* Roles: three hosts and a guest */
  visit = chancery_store_get_event_by_uid (store, "araghchi-visit-baku-2025-12-08", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (visit->actors->len, ==, 4);
  for (guint i = 0; i < visit->actors->len; i++)
    {
      actor = g_ptr_array_index (visit->actors, i);
      if (g_str_equal (actor->uid, "abbas-araghchi"))
        g_assert_cmpint (actor->role, ==, CHANCERY_ROLE_GUEST);
      else
        g_assert_cmpint (actor->role, ==, CHANCERY_ROLE_HOST);
    }
  actor = g_ptr_array_index (visit->actors, 2);
  g_assert_cmpstr (actor->name, ==, "Sahiba Gafarova");
  g_assert_cmpstr (actor->title, ==, "Speaker of parliament");
  g_assert_cmpuint (visit->projects->len, ==, 4);
  /* Eight events are part of the visit and one is its outcome. */
  g_assert_cmpuint (visit->links->len, ==, 9);
  for (guint i = 0; i < visit->links->len; i++)
    g_assert_false (((ChanceryEventLink *) g_ptr_array_index (visit->links, i))->outgoing);

  missing = chancery_store_get_event_by_uid (store, "no-such-event", &error);
  g_assert_null (missing);
  g_assert_error (error, CHANCERY_ERROR, CHANCERY_ERROR_NOT_FOUND);
  test_assert_contains (error->message, "no-such-event");
  g_clear_error (&error);

  missing = chancery_store_get_event (store, 999999, &error);
  g_assert_null (missing);
  g_assert_error (error, CHANCERY_ERROR, CHANCERY_ERROR_NOT_FOUND);
  g_clear_error (&error);
}

static char *
file_sha256 (const char *path)
{
  g_autoptr(GBytes) bytes = test_read_file (path);

  return g_compute_checksum_for_bytes (G_CHECKSUM_SHA256, bytes);
}

/* Viewing a file never checked: it opens without the whole-file check,
 * which the caller runs (chancery_store_check_file); a file that passed
 * is remembered, once it is old enough for its times to mean something. */
static void
test_open_for_viewing (Fixture       *fixture,
                       gconstpointer  data)
{
  g_autofree char *path = fixture_path (fixture, "view.chancery");
  g_autoptr(ChanceryStore) store = NULL;
  g_autoptr(ChanceryIndex) index = NULL;
  g_autoptr(GError) error = NULL;
  gboolean checked = TRUE;

  store = test_create_store (path);
  g_assert_cmpuint (test_import_bundled (store), ==, 22);
  g_clear_object (&store);

  store = chancery_store_open_for_viewing (path, &checked, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (store);
  g_assert_false (checked);
  g_assert_false (chancery_store_is_writable (store));
  index = chancery_store_load_index (store, NULL, CHANCERY_GROUP_COUNTRY, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (index->n_events, ==, 22);
  g_clear_object (&store);

  /* Just written: it passes, but its times are too fresh to remember. */
  g_assert_true (chancery_store_check_file (path, NULL, &error));
  g_assert_no_error (error);
  store = chancery_store_open_for_viewing (path, &checked, NULL, &error);
  g_assert_no_error (error);
  g_assert_false (checked);
  g_clear_object (&store);

  g_usleep (2100 * 1000);
  g_assert_true (chancery_store_check_file (path, NULL, &error));
  g_assert_no_error (error);
  store = chancery_store_open_for_viewing (path, &checked, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (checked);
  g_clear_object (&store);

  /* Changed since: checked again. */
  test_sqlite_exec (path, "INSERT INTO meta (key, value) VALUES ('note', 'changed')");
  store = chancery_store_open_for_viewing (path, &checked, NULL, &error);
  g_assert_no_error (error);
  g_assert_false (checked);
}

/* A damaged page that the fast path does not read: the file opens for
 * viewing, its events can be read, and the check says what is wrong,
 * naming the file. Nothing is written to it. */
static void
test_open_for_viewing_damaged (Fixture       *fixture,
                               gconstpointer  data)
{
  g_autofree char *path = fixture_path (fixture, "damaged.chancery");
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;
  g_autoptr(ChanceryStore) store = NULL;
  g_autoptr(ChanceryIndex) index = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  gboolean checked = TRUE;

  store = test_create_store (path);
  g_assert_cmpuint (test_import_bundled (store), ==, 22);
  g_clear_object (&store);
  test_damage_root_page (path, "event_link_by_target");
  before = file_sha256 (path);

  store = chancery_store_open_for_viewing (path, &checked, NULL, &error);
  g_assert_no_error (error);
  g_assert_false (checked);
  index = chancery_store_load_index (store, NULL, CHANCERY_GROUP_ACTOR, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (index->n_events, ==, 22);

  g_assert_false (chancery_store_check_file (path, NULL, &error));
  g_assert_error (error, CHANCERY_ERROR, CHANCERY_ERROR_CORRUPT);
  test_assert_contains (error->message, path);
  test_assert_contains (error->message, "damaged");
  g_clear_error (&error);

  /* Not remembered: the next open does not pass for checked. */
  g_clear_object (&store);
  store = chancery_store_open_for_viewing (path, &checked, NULL, &error);
  g_assert_no_error (error);
  g_assert_false (checked);
  g_clear_object (&store);

  /* The synchronous open checks, and refuses. */
  store = chancery_store_open (path, CHANCERY_STORE_READ_ONLY, NULL, &error);
  g_assert_null (store);
  g_assert_error (error, CHANCERY_ERROR, CHANCERY_ERROR_CORRUPT);
  g_clear_error (&error);

  /* Cancelled before it starts: a cancellation, not a verdict. */
  g_cancellable_cancel (cancellable);
  g_assert_false (chancery_store_check_file (path, cancellable, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_clear_error (&error);

  after = file_sha256 (path);
  g_assert_cmpstr (before, ==, after);
}

/* An older file is upgraded before it is viewed: writing needs the check
 * first, so a damaged one is refused at once and left as it was. */
static void
test_open_for_viewing_older (Fixture       *fixture,
                             gconstpointer  data)
{
  g_autofree char *path = fixture_path (fixture, "old.chancery");
  g_autofree char *backup = g_strconcat (path, ".schema-v1.backup", NULL);
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;
  g_autoptr(ChanceryStore) store = NULL;
  g_autoptr(GError) error = NULL;
  gboolean checked = FALSE;

  g_assert_true (chancery_store_create_at_version (path, 1, &error));
  g_assert_no_error (error);
  test_damage_root_page (path, "event_by_time");
  before = file_sha256 (path);

  store = chancery_store_open_for_viewing (path, &checked, NULL, &error);
  g_assert_null (store);
  g_assert_error (error, CHANCERY_ERROR, CHANCERY_ERROR_CORRUPT);
  test_assert_contains (error->message, path);
  g_clear_error (&error);
  after = file_sha256 (path);
  g_assert_cmpstr (before, ==, after);
  g_assert_cmpint (raw_user_version (path), ==, 1);
  g_assert_false (g_file_test (backup, G_FILE_TEST_EXISTS));

  /* Undamaged, it is checked, upgraded and viewed: checked is TRUE. */
  g_remove (path);
  g_assert_true (chancery_store_create_at_version (path, 1, &error));
  g_assert_no_error (error);
  store = chancery_store_open_for_viewing (path, &checked, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (store);
  g_assert_true (checked);
  g_assert_cmpint (raw_user_version (path), ==, CHANCERY_SCHEMA_VERSION);
}

/* The cache of what a read-only store read (its "base") is finished in a
 * thread for big files; a store opened meanwhile waits for it and reads
 * the same from it. Here the thresholds are lowered to the bundled file. */
/* Creates path with the bundled data and waits until it is old enough for
 * its base to be cached (files changed in the last 2 s never are). */
static void
create_settled_store (const char *path)
{
  g_autoptr(ChanceryStore) store = test_create_store (path);
  GStatBuf st;

  g_assert_cmpuint (test_import_bundled (store), ==, 22);
  g_clear_object (&store);
  g_assert_cmpint (g_stat (path, &st), ==, 0);
  while (MAX (st.st_mtime, st.st_ctime) > g_get_real_time () / G_USEC_PER_SEC - 3)
    g_usleep (G_USEC_PER_SEC / 4);
}

/* The complete base cache files in dir; fails on a temporary one. */
static guint
count_cache_files (const char *dir_path)
{
  g_autoptr(GDir) dir = NULL;
  const char *name;
  guint n = 0;

  if (!(dir = g_dir_open (dir_path, 0, NULL)))
    return 0;
  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_assert_false (g_str_has_suffix (name, ".tmp"));
      if (g_str_has_suffix (name, ".base"))
        n++;
    }
  return n;
}

/* What the application does when it quits: wait for the cache files that
 * are being written in threads, so that none is left half-written. */
static void
test_base_cache_wait (Fixture       *fixture,
                      gconstpointer  data)
{
  g_autofree char *path = fixture_path (fixture, "waited.chancery");
  g_autofree char *cache_dir = g_build_filename (g_get_user_cache_dir (), "chancery", NULL);
  g_autoptr(ChanceryStore) store = NULL;
  g_autoptr(ChanceryIndex) index = NULL;
  g_autoptr(GError) error = NULL;
  guint n_before;

  create_settled_store (path);

  n_before = count_cache_files (cache_dir);
  g_setenv ("CHANCERY_BASE_CACHE_MIN_EVENTS", "0", TRUE);
  g_setenv ("CHANCERY_BASE_CACHE_ASYNC_MIN_EVENTS", "0", TRUE);
  store = chancery_store_open (path, CHANCERY_STORE_READ_ONLY, NULL, &error);
  g_assert_no_error (error);
  index = chancery_store_load_index (store, NULL, CHANCERY_GROUP_COUNTRY, NULL, &error);
  g_assert_no_error (error);
  g_unsetenv ("CHANCERY_BASE_CACHE_MIN_EVENTS");
  g_unsetenv ("CHANCERY_BASE_CACHE_ASYNC_MIN_EVENTS");
  g_assert_cmpuint (index->n_events, ==, 22);

  /* The store is still open: only the wait can make the file complete. */
  chancery_store_wait_for_caches ();
  g_assert_cmpuint (count_cache_files (cache_dir), ==, n_before + 1);
}

/* A check cancelled (another file opened, the window closed) is no
 * verdict: the base cache read from the file stays for the next open.
 * The cancellation comes as the whole-file check starts. */
static GCancellable *check_cancellable;

static int
on_check_statement_cb (unsigned  type,
                       void     *context,
                       void     *p,
                       void     *x)
{
  const char *sql = sqlite3_sql (p);

  if (check_cancellable != NULL && sql != NULL && g_str_has_prefix (sql, "PRAGMA quick_check"))
    g_cancellable_cancel (check_cancellable);
  return 0;
}

static int
trace_check_connection (sqlite3                           *db,
                        char                             **message,
                        const struct sqlite3_api_routines *api)
{
  sqlite3_trace_v2 (db, SQLITE_TRACE_STMT, on_check_statement_cb, NULL);
  return SQLITE_OK;
}

static void
test_check_cancelled_keeps_cache (Fixture       *fixture,
                                  gconstpointer  data)
{
  g_autofree char *path = fixture_path (fixture, "cancelled-check.chancery");
  g_autofree char *cache_dir = g_build_filename (g_get_user_cache_dir (), "chancery", NULL);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(ChanceryStore) store = NULL;
  g_autoptr(ChanceryIndex) index = NULL;
  g_autoptr(GError) error = NULL;
  gboolean checked = TRUE;
  guint n_before;

  create_settled_store (path);

  n_before = count_cache_files (cache_dir);
  g_setenv ("CHANCERY_BASE_CACHE_MIN_EVENTS", "0", TRUE);
  store = chancery_store_open_for_viewing (path, &checked, NULL, &error);
  g_assert_no_error (error);
  g_assert_false (checked);
  index = chancery_store_load_index (store, NULL, CHANCERY_GROUP_COUNTRY, NULL, &error);
  g_assert_no_error (error);
  g_unsetenv ("CHANCERY_BASE_CACHE_MIN_EVENTS");
  g_assert_cmpuint (index->n_events, ==, 22);
  chancery_store_wait_for_caches ();
  g_assert_cmpuint (count_cache_files (cache_dir), ==, n_before + 1);

  check_cancellable = cancellable;
  sqlite3_auto_extension ((void (*) (void)) trace_check_connection);
  g_assert_false (chancery_store_check_file (path, cancellable, &error));
  sqlite3_cancel_auto_extension ((void (*) (void)) trace_check_connection);
  check_cancellable = NULL;
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);

  g_assert_cmpuint (count_cache_files (cache_dir), ==, n_before + 1);
}

static void
test_base_cache_in_thread (Fixture       *fixture,
                           gconstpointer  data)
{
  g_autofree char *path = fixture_path (fixture, "cached.chancery");
  g_autofree char *cache_dir = g_build_filename (g_get_user_cache_dir (), "chancery", NULL);
  g_autoptr(ChanceryStore) store = NULL;
  g_autoptr(ChanceryStore) again = NULL;
  g_autoptr(ChanceryIndex) first = NULL;
  g_autoptr(ChanceryIndex) second = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GDir) dir = NULL;
  const char *name;
  guint n_cache_files = 0;

  create_settled_store (path);

  g_setenv ("CHANCERY_BASE_CACHE_MIN_EVENTS", "0", TRUE);
  g_setenv ("CHANCERY_BASE_CACHE_ASYNC_MIN_EVENTS", "0", TRUE);
  store = chancery_store_open (path, CHANCERY_STORE_READ_ONLY, NULL, &error);
  g_assert_no_error (error);
  first = chancery_store_load_index (store, NULL, CHANCERY_GROUP_ACTOR, NULL, &error);
  g_assert_no_error (error);
  again = chancery_store_open (path, CHANCERY_STORE_READ_ONLY, NULL, &error);
  g_assert_no_error (error);
  second = chancery_store_load_index (again, NULL, CHANCERY_GROUP_ACTOR, NULL, &error);
  g_assert_no_error (error);
  g_unsetenv ("CHANCERY_BASE_CACHE_MIN_EVENTS");
  g_unsetenv ("CHANCERY_BASE_CACHE_ASYNC_MIN_EVENTS");

  g_assert_cmpuint (first->n_events, ==, 22);
  g_assert_cmpuint (second->n_events, ==, 22);
  g_assert_cmpmem (first->events, 22 * sizeof (ChanceryIndexEvent),
                   second->events, 22 * sizeof (ChanceryIndexEvent));
  g_assert_cmpuint (first->lanes->len, ==, second->lanes->len);
  for (guint i = 0; i < first->n_events; i++)
    g_assert_cmpstr (chancery_index_get_title (first, i), ==, chancery_index_get_title (second, i));
  for (guint l = 0; l < first->lanes->len; l++)
    {
      ChanceryLane *a = g_ptr_array_index (first->lanes, l);
      ChanceryLane *b = g_ptr_array_index (second->lanes, l);

      g_assert_cmpstr (a->key, ==, b->key);
      g_assert_cmpstr (a->label, ==, b->label);
      g_assert_cmpmem (a->items, a->n_items * sizeof (guint32), b->items, b->n_items * sizeof (guint32));
    }

  /* The cache file is complete (no temporary file left over). */
  dir = g_dir_open (cache_dir, 0, &error);
  g_assert_no_error (error);
  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_assert_false (g_str_has_suffix (name, ".tmp"));
      if (g_str_has_suffix (name, ".base"))
        n_cache_files++;
    }
  g_assert_cmpuint (n_cache_files, ==, 1);
}

/* Another program renames a new database over the one a store has open
 * (chancery import --replace does that): the store goes on reading the
 * file it opened. Its extra connections, opened by name for an export,
 * must not read the new file and mix the two. */
static void
test_file_replaced_while_open (Fixture       *fixture,
                               gconstpointer  data)
{
  g_autofree char *path = fixture_path (fixture, "a.chancery");
  g_autofree char *other = fixture_path (fixture, "b.chancery");
  g_autofree char *bundled = test_bundled_json ();
  g_autofree char *json = NULL;
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(ChanceryStore) store = NULL;
  g_auto(GStrv) parts = NULL;
  g_autofree char *renamed = NULL;

  {
    g_autoptr(ChanceryStore) a = test_create_store (path);
    g_autoptr(ChanceryStore) b = test_create_store (other);

    test_import_bundled (a);
    g_assert_true (g_file_get_contents (bundled, &json, NULL, &error));
    g_assert_no_error (error);
    parts = g_strsplit (json, "\"title\": \"", -1);
    renamed = g_strjoinv ("\"title\": \"Replaced: ", parts);
    g_assert_true (chancery_import_json_data (b, renamed, -1, "b.json", NULL, NULL, &error));
    g_assert_no_error (error);
  }

  store = chancery_store_open (path, CHANCERY_STORE_READ_ONLY, NULL, &error);
  g_assert_no_error (error);
  before = test_export_json (store, NULL);
  g_assert_null (strstr (before, "Replaced: "));
  g_assert_true (chancery_store_check_shown_file (store, NULL, &error));
  g_assert_no_error (error);

  g_assert_cmpint (g_rename (other, path), ==, 0);
  after = test_export_json (store, NULL);
  g_assert_null (strstr (after, "Replaced: "));
  g_assert_cmpstr (after, ==, before);

  /* The window's worker and its whole-file check open the name again:
   * they see that it is another file now, and say so. */
  {
    g_autoptr(ChanceryStore) again = chancery_store_open (path, CHANCERY_STORE_READ_ONLY, NULL, &error);

    g_assert_no_error (error);
    g_assert_false (chancery_store_reads_same_file (again, store, &error));
    g_assert_error (error, CHANCERY_ERROR, CHANCERY_ERROR_IO);
    test_assert_contains (error->message, "another file has taken its name");
    g_clear_error (&error);
    g_assert_true (chancery_store_reads_same_file (again, again, &error));
    g_assert_no_error (error);
  }
  g_assert_false (chancery_store_check_shown_file (store, NULL, &error));
  g_assert_error (error, CHANCERY_ERROR, CHANCERY_ERROR_IO);
  test_assert_contains (error->message, path);
}

int
main (int   argc,
      char *argv[])
{
  g_autofree char *cache_home = NULL;

  /* What passed the check is remembered in the cache folder: a scratch
   * one (GLib reads XDG_CACHE_HOME once, before any test). */
  cache_home = test_make_tmp_dir ();
  g_setenv ("XDG_CACHE_HOME", cache_home, TRUE);
  g_test_init (&argc, &argv, NULL);

#define ADD(name, func) \
  g_test_add ("/store/" name, Fixture, NULL, fixture_set_up, func, fixture_tear_down)

  ADD ("create-and-reopen", test_create_and_reopen);
  ADD ("migrate/read-write", test_migrate_read_write);
  ADD ("migrate/read-only", test_migrate_read_only);
  ADD ("migrate/small-pages", test_migrate_small_pages);
  ADD ("migrate/places", test_migrate_places);
  ADD ("refuse/newer-schema", test_refuse_newer);
  ADD ("refuse/not-chancery", test_refuse_not_chancery);
  ADD ("refuse/unsafe", test_refuse_unsafe);
  ADD ("get-event", test_get_event);
  ADD ("open-for-viewing", test_open_for_viewing);
  ADD ("open-for-viewing/damaged", test_open_for_viewing_damaged);
  ADD ("open-for-viewing/older", test_open_for_viewing_older);
  ADD ("base-cache-in-thread", test_base_cache_in_thread);
  ADD ("base-cache-wait", test_base_cache_wait);
  ADD ("check-cancelled-keeps-cache", test_check_cancelled_keeps_cache);
  ADD ("file-replaced-while-open", test_file_replaced_while_open);

#undef ADD

  {
    int ret = g_test_run ();
    g_autofree char *cache_dir = g_build_filename (cache_home, "chancery", NULL);

    test_remove_tree (cache_dir);
    test_remove_tree (cache_home);
    return ret;
  }
}
