/* test-common.h: helpers shared by the core tests
 *
 * Copyright 2026 The Chancery developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Header-only so that each test stays one executable built from one file.
 */
#pragma once

#include <string.h>
#include <glib.h>
#include <glib/gstdio.h>
#include <gio/gio.h>
#include <sqlite3.h>

#include "chancery-export.h"
#include "chancery-import.h"
#include "chancery-store.h"

static G_GNUC_UNUSED const char *
test_source_root (void)
{
  const char *root_dir = g_getenv ("CHANCERY_SOURCE_ROOT");

  if (root_dir != NULL && *root_dir != '\0')
    return root_dir;
  return TEST_SRCDIR "/..";
}

static G_GNUC_UNUSED char *
test_bundled_json (void)
{
  return g_build_filename (test_source_root (), "data", "kayhan-146663.json", NULL);
}

static G_GNUC_UNUSED char *
test_make_tmp_dir (void)
{
  g_autoptr(GError) error = NULL;
  char *dir = g_dir_make_tmp ("chancery-test-XXXXXX", &error);

  g_assert_no_error (error);
  g_assert_nonnull (dir);
  return dir;
}

/* Removes a flat directory and the files in it. */
static G_GNUC_UNUSED void
test_remove_tree (const char *dir)
{
  g_autoptr(GDir) handle = NULL;
  const char *name;

  if (dir == NULL)
    return;
  handle = g_dir_open (dir, 0, NULL);
  while (handle != NULL && (name = g_dir_read_name (handle)) != NULL)
    {
      g_autofree char *path = g_build_filename (dir, name, NULL);

      g_remove (path);
    }
  g_rmdir (dir);
}

static G_GNUC_UNUSED ChanceryStore *
test_create_store (const char *path)
{
  g_autoptr(GError) error = NULL;
  ChanceryStore *store;

  store = chancery_store_open (path, CHANCERY_STORE_READ_WRITE | CHANCERY_STORE_CREATE,
                               NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (store);
  return store;
}

/* A new database at path holding the bundled dataset; returns the number
 * of events imported. */
static G_GNUC_UNUSED guint
test_import_bundled (ChanceryStore *store)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *json = test_bundled_json ();
  ChanceryImportReport report;
  guint n;
  gboolean ok;

  chancery_import_report_init (&report);
  ok = chancery_import_json_file (store, json, &report, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (ok);
  g_assert_cmpuint (report.updated, ==, 0);
  g_assert_cmpuint (report.skipped, ==, 0);
  n = report.inserted + report.unchanged;
  chancery_import_report_clear (&report);

  return n;
}

/* The JSON export of everything (or of filter) as a string. */
static G_GNUC_UNUSED char *
test_export_json (ChanceryStore        *store,
                  const ChanceryFilter *filter)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GOutputStream) out = g_memory_output_stream_new_resizable ();
  gboolean ok;

  ok = chancery_export_to_stream (store, filter, CHANCERY_EXPORT_JSON, out, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (ok);
  /* NUL-terminate */
  g_output_stream_write_all (out, "", 1, NULL, NULL, &error);
  g_assert_no_error (error);
  g_output_stream_close (out, NULL, &error);
  g_assert_no_error (error);

  return g_memory_output_stream_steal_data (G_MEMORY_OUTPUT_STREAM (out));
}

/* The whole file, asserted readable. */
static G_GNUC_UNUSED GBytes *
test_read_file (const char *path)
{
  g_autoptr(GError) error = NULL;
  char *contents = NULL;
  gsize length = 0;

  g_file_get_contents (path, &contents, &length, &error);
  g_assert_no_error (error);
  return g_bytes_new_take (contents, length);
}

static G_GNUC_UNUSED void
test_copy_file (const char *from,
                const char *to)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) bytes = test_read_file (from);
  gsize length;
  const char *data = g_bytes_get_data (bytes, &length);

  g_file_set_contents (to, data, length, &error);
  g_assert_no_error (error);
}

/* Runs sql on the database at path with plain SQLite, not through the
 * store (creating the file if needed), to build files the store must cope with. */
static G_GNUC_UNUSED void
test_sqlite_exec (const char *path,
                  const char *sql)
{
  sqlite3 *db = NULL;
  char *message = NULL;

  g_assert_cmpint (sqlite3_open_v2 (path, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL),
                   ==, SQLITE_OK);
  if (sqlite3_exec (db, sql, NULL, NULL, &message) != SQLITE_OK)
    g_error ("%s: %s", sql, message);
  sqlite3_close (db);
}

/* Message contains needle, with the whole message shown when it does not. */
#define test_assert_contains(haystack, needle) G_STMT_START { \
    const char *h_ = (haystack), *n_ = (needle); \
    if (h_ == NULL || strstr (h_, n_) == NULL) \
      { \
        char *m_ = g_strdup_printf ("“%s” does not contain “%s”", \
                                    h_ != NULL ? h_ : "(null)", n_); \
        g_assertion_message (G_LOG_DOMAIN, __FILE__, __LINE__, G_STRFUNC, m_); \
        g_free (m_); \
      } \
  } G_STMT_END

/* Overwrites the page-type byte of the root page of the table or index
 * name in the SQLite file at path: damage that only what reads that
 * b-tree (or the whole-file check) meets. */
static G_GNUC_UNUSED void
test_damage_root_page (const char *path,
                       const char *name)
{
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;
  gint64 page_size, root;
  const char bad = (char) 0xff;
  FILE *fp;

  g_assert_cmpint (sqlite3_open_v2 (path, &db, SQLITE_OPEN_READONLY, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_prepare_v2 (db, "SELECT rootpage, (SELECT page_size FROM pragma_page_size)"
                                       " FROM sqlite_schema WHERE name = ?", -1, &stmt, NULL), ==, SQLITE_OK);
  sqlite3_bind_text (stmt, 1, name, -1, SQLITE_STATIC);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  root = sqlite3_column_int64 (stmt, 0);
  page_size = sqlite3_column_int64 (stmt, 1);
  sqlite3_finalize (stmt);
  sqlite3_close (db);
  g_assert_cmpint (root, >, 1);

  fp = g_fopen (path, "r+b");
  g_assert_nonnull (fp);
  g_assert_cmpint (fseek (fp, (root - 1) * page_size, SEEK_SET), ==, 0);
  g_assert_cmpuint (fwrite (&bad, 1, 1, fp), ==, 1);
  fclose (fp);
}
