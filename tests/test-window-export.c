/* test-window-export.c: export and import from the real window
 *
 * Copyright 2026 The Chancery developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Runs under Xvfb with a D-Bus session, like test-window. Drives the code
 * the Export and Import dialogs call with their answers (the native file
 * chooser itself is the desktop's), checks the files with parsers nobody
 * here wrote (/usr/bin/python3's csv and json modules), and renders the
 * window with the progress and result toasts to PNG files in the build
 * directory (screenshot-export-progress.png, screenshot-export-done.png).
 */
#include "config.h"

#include <adwaita.h>
#include <errno.h>
#include <glib/gstdio.h>
#include <signal.h>
#include <string.h>
#include <sys/resource.h>

#include "chancery-application.h"
#include "chancery-export-dialog.h"
#include "chancery-filter-pane.h"
#include "chancery-import-task.h"
#include "chancery-timeline.h"
#include "chancery-transfer.h"
#include "chancery-window.h"
#include "test-gui-common.h"

#define SAMPLE TEST_SRCDIR "/fixtures/gdelt/20170701234500.export.sample.tsv"

static ChanceryApplication *app;
static ChanceryWindow *window;
static char *data_home;
static char *out_dir;

static gboolean
window_idle (gpointer data)
{
  return !chancery_window_get_busy (window) && !chancery_window_get_transferring (window)
         && chancery_window_get_store (window) != NULL;
}

static void
wait_idle (void)
{
  g_assert_true (wait_until (window_idle, NULL, 30000));
  run_for (100);
}

static gpointer
child (const char *name)
{
  GObject *object = gtk_widget_get_template_child (GTK_WIDGET (window), CHANCERY_TYPE_WINDOW, name);

  g_assert_nonnull (object);
  return object;
}

static guint
timeline_n_events (void)
{
  ChanceryIndex *index = chancery_timeline_get_index (chancery_window_get_timeline (window));

  g_assert_nonnull (index);
  return index->n_events;
}

static char *
out_path (const char *name)
{
  return g_build_filename (out_dir, name, NULL);
}

static char *
run_python (const char *script,
            const char *arg)
{
  const char *argv[] = { "/usr/bin/python3", "-c", script, arg, NULL };
  g_autoptr(GError) error = NULL;
  g_autofree char *err = NULL;
  char *out = NULL;
  int status = 0;

  g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_DEFAULT, NULL, NULL, &out, &err, &status, &error);
  g_assert_no_error (error);
  if (!g_spawn_check_wait_status (status, NULL))
    g_error ("python failed: %s", err);
  g_strstrip (out);
  return out;
}

static void
close_dialog (void)
{
  gtk_window_close (find_message_dialog ());
  g_assert_true (wait_until (dialog_gone, NULL, 5000));
}

static void
open_bundled (void)
{
  g_autoptr(GFile) bundled = g_file_new_for_path (chancery_default_database_path ());

  chancery_window_open_file (window, bundled);
  wait_idle ();
}

static void
filter_armenia (void)
{
  chancery_filter_pane_add (child ("filter_pane"), CHANCERY_FACET_COUNTRY, "ARM", "Armenia");
  wait_idle ();
}

static void
export_and_wait (const char *path,
                 const char *format)
{
  g_assert_true (chancery_window_export_to_path (window, path, format));
  wait_idle ();
}

static guint
count_files (const char *dir)
{
  g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
  guint n = 0;

  while (d != NULL && g_dir_read_name (d) != NULL)
    n++;
  return n;
}

/* The texts of the labels of the toasts the overlay shows or hides now,
 * joined by "|" (the toast widgets are libadwaita's own, found by type). */
static void
collect_labels (GtkWidget *widget,
                GString   *texts)
{
  for (GtkWidget *c = gtk_widget_get_first_child (widget); c != NULL; c = gtk_widget_get_next_sibling (c))
    {
      if (GTK_IS_LABEL (c) && gtk_widget_get_visible (c) && *gtk_label_get_text (GTK_LABEL (c)) != '\0')
        g_string_append_printf (texts, "%s|", gtk_label_get_text (GTK_LABEL (c)));
      collect_labels (c, texts);
    }
}

static char *
toast_texts (void)
{
  GtkWidget *overlay = child ("toast_overlay");
  GType toast_widget = g_type_from_name ("AdwToastWidget");
  GString *texts = g_string_new (NULL);

  g_assert_true (toast_widget != G_TYPE_INVALID);
  for (GtkWidget *c = gtk_widget_get_first_child (overlay); c != NULL; c = gtk_widget_get_next_sibling (c))
    {
      if (G_TYPE_CHECK_INSTANCE_TYPE (c, toast_widget))
        collect_labels (c, texts);
    }
  return g_string_free (texts, FALSE);
}

/* Toasts come and go with their animations, as on a desktop: libadwaita
 * 1.2 has races there the tests without animations never meet. */
static void
set_animations (gboolean enabled)
{
  g_object_set (gtk_settings_get_default (), "gtk-enable-animations", enabled, NULL);
}

/* Tests */

static void
test_export_events (void)
{
  g_autofree char *csv = out_path ("armenia.csv");
  g_autofree char *json = out_path ("armenia.json");
  g_autofree char *ics = out_path ("armenia.ics");
  g_autofree char *rows = NULL;
  g_autofree char *n_json = NULL;
  g_autofree char *n_ics = NULL;
  g_autofree char *expected = NULL;
  guint n;

  open_bundled ();
  filter_armenia ();
  n = timeline_n_events ();
  g_assert_cmpuint (n, ==, 3);

  export_and_wait (csv, "csv");
  expected = g_strdup_printf ("Exported %u events to armenia.csv", n);
  g_assert_cmpstr (chancery_window_get_transfer_message (window), ==, expected);
  rows = run_python ("import csv, sys; print(len(list(csv.DictReader(open(sys.argv[1], newline='', encoding='utf-8')))))",
                     csv);
  g_assert_cmpstr (rows, ==, "3");

  /* No format given: the extension says. */
  export_and_wait (json, NULL);
  n_json = run_python ("import json, sys; d = json.load(open(sys.argv[1])); print(d['format'], len(d['events']))", json);
  g_assert_cmpstr (n_json, ==, "chancery 3");

  export_and_wait (ics, "ics");
  n_ics = run_python ("import sys; print(open(sys.argv[1], encoding='utf-8').read().count('BEGIN:VEVENT'))", ics);
  g_assert_cmpstr (n_ics, ==, "3");
  g_assert_null (find_message_dialog ());

  g_object_unref (test_save_screenshot (window, "screenshot-export-done.png"));
}

static void
check_magic (const char *name,
             const char *magic,
             gsize       offset)
{
  g_autofree char *path = out_path (name);
  g_autofree char *contents = NULL;
  gsize length = 0;

  export_and_wait (path, NULL);
  g_assert_null (find_message_dialog ());
  g_assert_true (g_file_get_contents (path, &contents, &length, NULL));
  g_assert_cmpuint (length, >, offset + strlen (magic));
  g_assert_true (memcmp (contents + offset, magic, strlen (magic)) == 0);
}

static void
test_export_pictures (void)
{
  g_autofree char *svg = out_path ("timeline.svg");
  g_autofree char *contents = NULL;

  filter_armenia ();
  check_magic ("timeline.png", "\x89PNG\r\n\x1a\n", 0);
  check_magic ("timeline.pdf", "%PDF-", 0);
  check_magic ("timeline.svg", "<?xml", 0);
  g_assert_true (g_file_get_contents (svg, &contents, NULL, NULL));
  g_assert_nonnull (strstr (contents, "<svg"));
  g_assert_cmpstr (chancery_window_get_transfer_message (window), ==, "Exported the timeline to timeline.svg");
}

/* A picture shows the view's time range with every lane in full, however
 * few fit the window: taller than the timeline, as wide. */
static void
test_export_picture_all_lanes (void)
{
  g_autofree char *png = out_path ("all-lanes.png");
  g_autoptr(GError) error = NULL;
  g_autoptr(GdkTexture) texture = NULL;
  GtkWidget *timeline;
  int width, height;

  open_bundled ();
  timeline = GTK_WIDGET (chancery_window_get_timeline (window));
  width = gtk_widget_get_width (timeline);
  height = gtk_widget_get_height (timeline);
  g_test_message ("timeline %d × %d", width, height);

  export_and_wait (png, NULL);
  g_assert_null (find_message_dialog ());
  texture = gdk_texture_new_from_filename (png, &error);
  g_assert_no_error (error);
  g_test_message ("picture %d × %d", gdk_texture_get_width (texture), gdk_texture_get_height (texture));
  g_assert_cmpint (gdk_texture_get_width (texture), ==, width);
  g_assert_cmpint (gdk_texture_get_height (texture), >, height);
}

static void
test_export_missing_directory (void)
{
  const char *formats[] = { "csv", "png" };

  for (guint i = 0; i < G_N_ELEMENTS (formats); i++)
    {
      g_autofree char *name = g_strdup_printf ("no-such-dir/events.%s", formats[i]);
      g_autofree char *path = out_path (name);
      g_autofree char *dir = g_path_get_dirname (path);

      g_assert_true (chancery_window_export_to_path (window, path, NULL));
      g_assert_true (wait_until (dialog_shown, NULL, 20000));
      wait_idle ();
      g_test_message ("%s: %s", formats[i], chancery_window_get_transfer_message (window));
      g_assert_nonnull (strstr (adw_message_dialog_get_heading (ADW_MESSAGE_DIALOG (find_message_dialog ())),
                                "events."));
      g_assert_false (g_file_test (path, G_FILE_TEST_EXISTS));
      g_assert_false (g_file_test (dir, G_FILE_TEST_EXISTS));
      close_dialog ();
    }
}

static void
test_export_unknown_format (void)
{
  g_autofree char *path = out_path ("events.xlsx");

  g_assert_false (chancery_window_export_to_path (window, path, NULL));
  g_assert_true (wait_until (dialog_shown, NULL, 5000));
  g_assert_false (g_file_test (path, G_FILE_TEST_EXISTS));
  close_dialog ();
}

static void
test_export_cancelled_keeps_old_file (void)
{
  g_autofree char *dir = out_path ("cancel");
  g_autofree char *path = g_build_filename (dir, "events.csv", NULL);
  g_autofree char *contents = NULL;
  gboolean cancelled = FALSE;

  g_assert_cmpint (g_mkdir_with_parents (dir, 0700), ==, 0);
  /* The thread may, rarely, finish before Cancel: then try again. */
  for (guint attempt = 0; attempt < 10 && !cancelled; attempt++)
    {
      g_assert_true (g_file_set_contents (path, "the old file\n", -1, NULL));
      g_assert_true (chancery_window_export_to_path (window, path, "csv"));
      g_assert_true (chancery_window_get_transferring (window));
      chancery_window_cancel_transfers (window);
      wait_idle ();
      cancelled = strstr (chancery_window_get_transfer_message (window), "cancelled") != NULL;
    }
  g_assert_true (cancelled);
  g_assert_cmpstr (chancery_window_get_transfer_message (window), ==, "Export to “events.csv” cancelled");
  g_assert_true (g_file_get_contents (path, &contents, NULL, NULL));
  g_assert_cmpstr (contents, ==, "the old file\n");
  /* No temporary file left beside it. */
  g_assert_cmpuint (count_files (dir), ==, 1);
  g_assert_null (find_message_dialog ());
}

/* A file that may not grow past 1 KB (as on a full disk; the CSV of the
 * three events of Armenia is 2.3 KB): the export fails with a dialog that
 * names the file and the reason, the old file stays, and nothing is left
 * beside it. */
static void
test_export_file_too_large (void)
{
  const char *formats[] = { "csv", "png" };
  g_autofree char *dir = out_path ("too-large");
  struct rlimit limit, saved;

  g_assert_cmpint (g_mkdir_with_parents (dir, 0700), ==, 0);
  /* The window's main() ignores SIGXFSZ; this test is its own main(). */
  signal (SIGXFSZ, SIG_IGN);
  g_assert_cmpint (getrlimit (RLIMIT_FSIZE, &saved), ==, 0);

  for (guint i = 0; i < G_N_ELEMENTS (formats); i++)
    {
      g_autofree char *name = g_strdup_printf ("events.%s", formats[i]);
      g_autofree char *path = g_build_filename (dir, name, NULL);
      g_autofree char *contents = NULL;
      const char *body;

      g_assert_true (g_file_set_contents (path, "the old file\n", -1, NULL));
      limit = saved;
      limit.rlim_cur = 1024;
      g_assert_cmpint (setrlimit (RLIMIT_FSIZE, &limit), ==, 0);
      g_assert_true (chancery_window_export_to_path (window, path, formats[i]));
      g_assert_true (wait_until (dialog_shown, NULL, 20000));
      wait_idle ();
      g_assert_cmpint (setrlimit (RLIMIT_FSIZE, &saved), ==, 0);

      body = adw_message_dialog_get_body (ADW_MESSAGE_DIALOG (find_message_dialog ()));
      g_test_message ("%s: %s", formats[i], body);
      g_assert_nonnull (strstr (adw_message_dialog_get_heading (ADW_MESSAGE_DIALOG (find_message_dialog ())),
                                name));
      g_assert_nonnull (strstr (body, g_strerror (EFBIG)));
      g_assert_true (g_file_get_contents (path, &contents, NULL, NULL));
      g_assert_cmpstr (contents, ==, "the old file\n");
      g_assert_cmpuint (count_files (dir), ==, i + 1);
      close_dialog ();
    }
}

/* Exports close together, each toast with its animations: the result of
 * one ("Exported … / Open", shown 10 s) is replaced by the next export's
 * progress, never shown again later, and nothing is added twice or
 * released once too often (the suite makes criticals fatal). */
static void
test_export_back_to_back (void)
{
  g_autofree char *a = out_path ("a.csv");
  g_autofree char *b = out_path ("b.json");
  g_autofree char *c = out_path ("c.ics");
  g_autofree char *d = out_path ("d.csv");
  g_autofree char *e = out_path ("e.png");
  const char *import[] = { b, NULL };
  g_autofree char *texts = NULL;

  open_bundled ();
  set_animations (TRUE);
  run_for (600);

  /* The second while the first's result shows. */
  export_and_wait (a, NULL);
  g_assert_true (g_file_test (a, G_FILE_TEST_EXISTS));
  export_and_wait (b, NULL);
  g_assert_true (g_file_test (b, G_FILE_TEST_EXISTS));
  run_for (1500);
  texts = toast_texts ();
  g_test_message ("toasts: %s", texts);
  g_assert_null (strstr (texts, "a.csv"));
  g_assert_nonnull (strstr (texts, "Exported 22 events to b.json|Open|"));

  /* An import while that result shows: the same toasts. */
  chancery_window_import_paths (window, import, NULL);
  wait_idle ();
  run_for (1500);
  texts = (g_free (texts), toast_texts ());
  g_test_message ("toasts: %s", texts);
  g_assert_null (strstr (texts, "b.json"));
  g_assert_nonnull (strstr (texts, "Imported 22 events"));

  /* Two started at once, then a picture and a message of the window's own. */
  g_assert_true (chancery_window_export_to_path (window, c, NULL));
  g_assert_true (chancery_window_export_to_path (window, d, NULL));
  wait_idle ();
  export_and_wait (e, NULL);
  run_for (1500);
  g_assert_true (g_file_test (c, G_FILE_TEST_EXISTS));
  g_assert_true (g_file_test (d, G_FILE_TEST_EXISTS));
  texts = (g_free (texts), toast_texts ());
  g_test_message ("toasts: %s", texts);
  g_assert_cmpstr (texts, ==, "Exported the timeline to e.png|Open|");

  set_animations (FALSE);
  open_bundled ();
}

/* Toast titles are markup in libadwaita 1.2; names are text, shown as
 * they are (not empty, with a warning the suite makes fatal, nor bold). */
static void
test_toast_names_not_markup (void)
{
  g_autofree char *csv = out_path ("a&b <x>.csv");
  g_autofree char *json = out_path ("bold & <b>named.json");
  g_autofree char *contents = NULL;
  GString *renamed = NULL;
  g_autoptr(GFile) file = NULL;
  g_autofree char *texts = NULL;

  open_bundled ();
  export_and_wait (csv, NULL);
  g_assert_cmpstr (chancery_window_get_transfer_message (window), ==, "Exported 22 events to a&b <x>.csv");
  run_for (700);
  texts = toast_texts ();
  g_test_message ("toasts: %s", texts);
  g_assert_nonnull (strstr (texts, "Exported 22 events to a&b <x>.csv|Open|"));

  /* A dataset whose name says <b>, opened: the window's own toast. */
  g_assert_true (g_file_get_contents (TEST_SRCDIR "/../data/kayhan-146663.json", &contents, NULL, NULL));
  renamed = g_string_new (contents);
  g_assert_cmpuint (g_string_replace (renamed, "\"name\": \"South Caucasus diplomacy — Kayhan, 8 December 2025\"",
                                      "\"name\": \"Talks & <b>more</b>\"", 1), ==, 1);
  g_assert_true (g_file_set_contents (json, renamed->str, -1, NULL));
  g_string_free (renamed, TRUE);
  file = g_file_new_for_path (json);
  chancery_window_open_file (window, file);
  wait_idle ();
  run_for (700);
  texts = (g_free (texts), toast_texts ());
  g_test_message ("toasts: %s", texts);
  g_assert_nonnull (strstr (texts, "Imported 22 events into “Talks & <b>more</b>”|"));

  open_bundled ();
}

static GtkFileChooser *
open_export_dialog (void)
{
  GtkFileChooser *chooser;

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.export", NULL));
  chooser = g_object_get_data (G_OBJECT (window), "chancery-export-chooser");
  g_assert_nonnull (chooser);
  return chooser;
}

static void
pick_type (GtkFileChooser *chooser,
           guint           index)
{
  g_autoptr(GListModel) filters = gtk_file_chooser_get_filters (chooser);
  g_autoptr(GtkFileFilter) filter = g_list_model_get_item (filters, index);

  gtk_file_chooser_set_filter (chooser, filter);
}

static void
assert_current_name (GtkFileChooser *chooser,
                     const char     *expected)
{
  g_autofree char *name = gtk_file_chooser_get_current_name (chooser);

  g_assert_cmpstr (name, ==, expected);
}

static gboolean
current_folder_is (gpointer data)
{
  GtkFileChooser *chooser = g_object_get_data (G_OBJECT (window), "chancery-export-chooser");
  g_autoptr(GFile) folder = gtk_file_chooser_get_current_folder (chooser);

  return folder != NULL && g_file_equal (folder, data);
}

static gboolean
export_dialog_gone (gpointer data)
{
  return g_object_get_data (G_OBJECT (window), "chancery-export-chooser") == NULL;
}

/* The dialog's file type changes the name's extension, the base name the
 * user typed stays, and Export writes that type. The next dialog opens in
 * the folder of the last export. */
static void
test_export_dialog_type_and_folder (void)
{
  g_autofree char *dir = out_path ("dialog");
  g_autofree char *png = g_build_filename (dir, "my report.png", NULL);
  g_autoptr(GFile) folder = g_file_new_for_path (dir);
  GtkFileChooser *chooser;
  g_autofree char *contents = NULL;
  gsize length = 0;

  g_assert_cmpint (g_mkdir_with_parents (dir, 0700), ==, 0);
  open_bundled ();

  chooser = open_export_dialog ();
  assert_current_name (chooser, "South Caucasus diplomacy — Kayhan, 8 December 2025.csv");
  pick_type (chooser, 3);
  assert_current_name (chooser, "South Caucasus diplomacy — Kayhan, 8 December 2025.png");

  /* A name of the user's, without or with a dot of its own. */
  gtk_file_chooser_set_current_name (chooser, "Talks v2.1");
  pick_type (chooser, 2);
  assert_current_name (chooser, "Talks v2.1.ics");
  gtk_file_chooser_set_current_name (chooser, "my report.json");
  pick_type (chooser, 5);
  assert_current_name (chooser, "my report.pdf");
  pick_type (chooser, 3);
  assert_current_name (chooser, "my report.png");

  /* Where to: once the dialog has loaded the folder it opened in. */
  run_for (500);
  g_assert_true (gtk_file_chooser_set_current_folder (chooser, folder, NULL));
  g_assert_true (wait_until (current_folder_is, folder, 5000));
  gtk_dialog_response (GTK_DIALOG (chooser), GTK_RESPONSE_ACCEPT);
  g_assert_true (wait_until (export_dialog_gone, NULL, 10000));
  wait_idle ();
  g_assert_cmpstr (chancery_window_get_transfer_message (window), ==, "Exported the timeline to my report.png");
  g_assert_true (g_file_get_contents (png, &contents, &length, NULL));
  g_assert_cmpuint (length, >, 8);
  g_assert_true (memcmp (contents, "\x89PNG\r\n\x1a\n", 8) == 0);

  chooser = open_export_dialog ();
  g_assert_true (wait_until (current_folder_is, folder, 5000));
  gtk_dialog_response (GTK_DIALOG (chooser), GTK_RESPONSE_CANCEL);
  g_assert_true (wait_until (export_dialog_gone, NULL, 10000));
}

static void
test_progress_screenshot (void)
{
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  ChanceryProgressToast *toast;

  /* The toast an export or import shows while it runs. */
  toast = chancery_progress_toast_show (window, "Importing 20170701234500.export.CSV.zip…", cancellable);
  chancery_progress_toast_set_fraction (toast, 0.4);
  g_assert_true (chancery_window_get_transferring (window));
  run_for (600);
  g_object_unref (test_save_screenshot (window, "screenshot-export-progress.png"));
  chancery_window_cancel_transfers (window);
  g_assert_true (g_cancellable_is_cancelled (cancellable));
  chancery_progress_toast_finish (toast);
  g_assert_false (chancery_window_get_transferring (window));
  run_for (300);
}

static void
test_import_gdelt (void)
{
  const char *paths[] = { SAMPLE, NULL };
  g_autofree char *db = g_build_filename (data_home, "chancery", "20170701234500.export.sample.db", NULL);
  gboolean new_database = FALSE;
  g_autofree char *target = NULL;
  g_autofree char *part = NULL;

  open_bundled ();
  target = chancery_window_dup_import_target (window, SAMPLE, &new_database);
  g_assert_true (new_database);
  g_assert_cmpstr (target, ==, db);

  chancery_window_import_paths (window, paths, NULL);
  g_assert_true (chancery_window_get_transferring (window));
  wait_idle ();
  g_assert_null (find_message_dialog ());

  /* A new database with only what was imported, open in the window. */
  g_assert_cmpstr (chancery_store_get_path (chancery_window_get_store (window)), ==, db);
  g_assert_cmpuint (timeline_n_events (), ==, 1796);
  g_assert_cmpstr (chancery_window_get_transfer_message (window), ==,
                   "Imported 1,796 events (1,204 left out by the options)");
  part = g_strconcat (db, ".part", NULL);
  g_assert_false (g_file_test (part, G_FILE_TEST_EXISTS));

  /* The open database is writable now: a second import goes into it,
   * and says that it brought nothing new. */
  target = (g_free (target), chancery_window_dup_import_target (window, SAMPLE, &new_database));
  g_assert_false (new_database);
  g_assert_cmpstr (target, ==, db);
  chancery_window_import_paths (window, paths, NULL);
  wait_idle ();
  g_assert_cmpuint (timeline_n_events (), ==, 1796);
  g_assert_cmpstr (chancery_window_get_transfer_message (window), ==,
                   "Nothing new imported (1,796 already there, 1,204 left out by the options)");
}

static void
test_import_malformed (void)
{
  g_autofree char *sample = NULL;
  g_auto(GStrv) lines = NULL;
  g_autofree char *path = g_build_filename (out_dir, "broken.export.CSV", NULL);
  g_autofree char *db = g_build_filename (data_home, "chancery", "broken.export.db", NULL);
  GString *text = g_string_new (NULL);
  const char *paths[] = { path, NULL };
  const char *details;

  /* Three good rows of visits (CAMEO 04), then two bad ones, then a good one. */
  g_assert_true (g_file_get_contents (SAMPLE, &sample, NULL, NULL));
  lines = g_strsplit (sample, "\n", -1);
  for (guint i = 0; i < 3; i++)
    g_string_append_printf (text, "%s\n", lines[i]);
  g_string_append (text, "this\tis\tnot\ta\tGDELT\trow\n");
  g_string_append (text, "669666999\tnot-a-date\n");
  g_string_append_printf (text, "%s\n", lines[3]);
  g_assert_true (g_file_set_contents (path, text->str, -1, NULL));
  g_string_free (text, TRUE);

  open_bundled ();
  chancery_window_import_paths (window, paths, NULL);
  wait_idle ();
  g_test_message ("%s", chancery_window_get_transfer_message (window));
  g_test_message ("%s", chancery_window_get_transfer_details (window));
  g_assert_cmpstr (chancery_store_get_path (chancery_window_get_store (window)), ==, db);
  g_assert_true (g_str_has_prefix (chancery_window_get_transfer_message (window), "Imported "));
  g_assert_nonnull (strstr (chancery_window_get_transfer_message (window), "2 malformed rows skipped"));
  details = chancery_window_get_transfer_details (window);
  g_assert_nonnull (details);
  g_assert_nonnull (strstr (details, "line 4:"));
  g_assert_nonnull (strstr (details, "line 5:"));
}

static void
test_import_not_events (void)
{
  g_autofree char *path = g_build_filename (out_dir, "notes.dat", NULL);
  g_autofree char *db = g_build_filename (data_home, "chancery", "notes.dat.db", NULL);
  const char *paths[] = { path, NULL };
  ChanceryStore *before;

  g_assert_true (g_file_set_contents (path, "Dear diary,\nnothing happened today.\n", -1, NULL));
  open_bundled ();
  before = chancery_window_get_store (window);
  chancery_window_import_paths (window, paths, NULL);
  g_assert_true (wait_until (dialog_shown, NULL, 20000));
  wait_idle ();
  g_test_message ("%s", chancery_window_get_transfer_message (window));
  g_assert_nonnull (strstr (chancery_window_get_transfer_message (window), "not a GDELT event file"));
  g_assert_true (chancery_window_get_store (window) == before);
  g_assert_false (g_file_test (db, G_FILE_TEST_EXISTS));
  close_dialog ();
}

/* Chosen to import: a file of binary bytes (or a database) says at once
 * that it is neither kind, instead of asking which GDELT events to keep;
 * a text file without an extension still asks. */
static void
test_import_chosen_kinds (void)
{
  g_autofree char *binary = g_build_filename (out_dir, "bad.db", NULL);
  g_autofree char *text = g_build_filename (out_dir, "events-without-extension", NULL);
  g_autofree char *zipped = g_build_filename (out_dir, "20170701234500.export.CSV.zip.download", NULL);
  g_autofree char *latin1 = g_build_filename (out_dir, "latin1-events", NULL);
  guchar bytes[3000];
  GtkWindow *dialog;

  for (guint i = 0; i < sizeof bytes; i++)
    bytes[i] = (guchar) (i * 7919 % 251);
  g_assert_true (g_file_set_contents (binary, (const char *) bytes, sizeof bytes, NULL));
  g_assert_true (g_file_set_contents (text, "669666369\t20170701\t201707\n", -1, NULL));
  /* A zip, named as a browser leaves a download (its header has NULs),
   * and text with a Latin-1 byte: both still go to the GDELT options. */
  g_assert_true (g_file_set_contents (zipped, "PK\x03\x04\x14\x00\x00\x00", 8, NULL));
  g_assert_true (g_file_set_contents (latin1, "669666369\t20170701\tCaf\xe9\n", -1, NULL));
  open_bundled ();

  chancery_window_import_chosen (window, g_strdupv ((char *[]) { binary, NULL }));
  g_assert_true (wait_until (dialog_shown, NULL, 5000));
  dialog = find_message_dialog ();
  g_assert_cmpstr (adw_message_dialog_get_heading (ADW_MESSAGE_DIALOG (dialog)), ==, "Could Not Import");
  g_assert_nonnull (strstr (adw_message_dialog_get_body (ADW_MESSAGE_DIALOG (dialog)),
                            "“bad.db” is neither a Chancery JSON file nor a GDELT event file"));
  close_dialog ();

  for (guint i = 0; i < 3; i++)
    {
      const char *path = i == 0 ? text : i == 1 ? zipped : latin1;

      chancery_window_import_chosen (window, g_strdupv ((char *[]) { (char *) path, NULL }));
      g_assert_true (wait_until (dialog_shown, NULL, 5000));
      g_assert_cmpstr (adw_message_dialog_get_heading (ADW_MESSAGE_DIALOG (find_message_dialog ())), ==,
                       "Import GDELT Events");
      close_dialog ();
    }
}

static void
test_import_cancelled (void)
{
  const char *paths[] = { SAMPLE, NULL };
  g_autofree char *dir = g_build_filename (data_home, "chancery", NULL);
  guint n_before;
  gboolean cancelled = FALSE;

  open_bundled ();
  n_before = count_files (dir);
  for (guint attempt = 0; attempt < 10 && !cancelled; attempt++)
    {
      chancery_window_import_paths (window, paths, NULL);
      chancery_window_cancel_transfers (window);
      wait_idle ();
      cancelled = g_strcmp0 (chancery_window_get_transfer_message (window),
                             "Import cancelled; nothing was written") == 0;
      if (!cancelled)
        open_bundled ();
    }
  g_assert_true (cancelled);
  g_assert_cmpstr (chancery_store_get_path (chancery_window_get_store (window)), ==,
                   chancery_default_database_path ());
  g_assert_cmpuint (count_files (dir), ==, n_before);
}

static gboolean
window_mapped (gpointer data)
{
  return gtk_widget_get_mapped (GTK_WIDGET (window)) && gtk_widget_get_width (GTK_WIDGET (window)) > 0;
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;
  int ret;

  data_home = g_dir_make_tmp ("chancery-test-export-XXXXXX", &error);
  g_assert_no_error (error);
  out_dir = g_build_filename (data_home, "out", NULL);
  g_assert_cmpint (g_mkdir_with_parents (out_dir, 0700), ==, 0);
  g_setenv ("XDG_DATA_HOME", data_home, TRUE);
  g_setenv ("LC_ALL", "C.UTF-8", TRUE);
  g_setenv ("GTK_A11Y", "none", TRUE);

  gtk_test_init (&argc, &argv, NULL);
  adw_init ();
  g_object_set (gtk_settings_get_default (), "gtk-enable-animations", FALSE, NULL);

  window = test_start_window (&app, 1400, 900);
  g_assert_true (wait_until (window_mapped, NULL, 10000));

  g_test_add_func ("/window-export/events", test_export_events);
  g_test_add_func ("/window-export/pictures", test_export_pictures);
  g_test_add_func ("/window-export/picture-all-lanes", test_export_picture_all_lanes);
  g_test_add_func ("/window-export/missing-directory", test_export_missing_directory);
  g_test_add_func ("/window-export/unknown-format", test_export_unknown_format);
  g_test_add_func ("/window-export/cancelled-keeps-old-file", test_export_cancelled_keeps_old_file);
  g_test_add_func ("/window-export/file-too-large", test_export_file_too_large);
  g_test_add_func ("/window-export/progress-screenshot", test_progress_screenshot);
  g_test_add_func ("/window-export/back-to-back", test_export_back_to_back);
  g_test_add_func ("/window-export/toast-names-not-markup", test_toast_names_not_markup);
  g_test_add_func ("/window-export/dialog-type-and-folder", test_export_dialog_type_and_folder);
  g_test_add_func ("/window-import/gdelt", test_import_gdelt);
  g_test_add_func ("/window-import/malformed", test_import_malformed);
  g_test_add_func ("/window-import/not-events", test_import_not_events);
  g_test_add_func ("/window-import/chosen-kinds", test_import_chosen_kinds);
  g_test_add_func ("/window-import/cancelled", test_import_cancelled);

  ret = g_test_run ();

  gtk_window_destroy (GTK_WINDOW (window));
  g_clear_object (&app);
  return ret;
}
