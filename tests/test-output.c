/* test-output.c: where exports are written (links, pipes, devices,
 * permissions) and that an export never replaces its own database
 *
 * Copyright 2026 The Chancery developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sys/stat.h>
#include <unistd.h>

#include "chancery-error.h"
#include "chancery-output-file.h"
#include "test-common.h"

static char *tmp_dir;
static char *db_path;
static ChanceryStore *store;
static GBytes *csv;   /* the CSV export of everything, for comparison */

static char *
in_tmp (const char *name)
{
  return g_build_filename (tmp_dir, name, NULL);
}

static gboolean
export_csv (const char  *path,
            GError     **error)
{
  return chancery_export_to_file (store, NULL, CHANCERY_EXPORT_CSV, path, NULL, error);
}

static void
assert_csv_at (const char *path)
{
  g_autoptr(GBytes) bytes = test_read_file (path);

  g_assert_true (g_bytes_equal (bytes, csv));
}

static mode_t
mode_of (const char *path)
{
  struct stat st;

  g_assert_cmpint (lstat (path, &st), ==, 0);
  return st.st_mode;
}

/* Nothing but the names given (and the database's) is left in the
 * folder: no temporary file of a failed export. */
static void
assert_no_leftovers (void)
{
  g_autoptr(GDir) dir = g_dir_open (tmp_dir, 0, NULL);
  const char *name;

  g_assert_nonnull (dir);
  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_test_message ("in the folder: %s", name);
      /* Temporary files are "NAME.XXXXXX". */
      g_assert_false (g_regex_match_simple ("\\.[A-Za-z0-9]{6}$", name, 0, 0));
    }
}

static void
test_not_the_database (void)
{
  g_autofree char *sum_before = NULL, *sum_after = NULL;
  g_autofree char *link = in_tmp ("link-to-db");
  g_autofree char *journal = g_strconcat (db_path, "-journal", NULL);
  g_autofree char *wal = g_strconcat (db_path, "-wal", NULL);
  g_autofree char *other = in_tmp ("other.csv");
  g_autofree char *folder_link = in_tmp ("link-to-folder");
  /* The journal's name through a link to the database's folder. */
  g_autofree char *linked_journal = g_build_filename (folder_link, "store.db-journal", NULL);
  g_autoptr(GBytes) before = test_read_file (db_path);
  const char *targets[] = { db_path, link, journal, wal, linked_journal };

  g_assert_cmpint (symlink (db_path, link), ==, 0);
  g_assert_cmpint (symlink (tmp_dir, folder_link), ==, 0);
  for (guint i = 0; i < G_N_ELEMENTS (targets); i++)
    for (ChanceryExportFormat f = CHANCERY_EXPORT_JSON; f <= CHANCERY_EXPORT_ICS; f++)
      {
        g_autoptr(GError) error = NULL;
        g_autoptr(GBytes) after = NULL;

        g_test_message ("%s, format %d", targets[i], f);
        g_assert_false (chancery_export_to_file (store, NULL, f, targets[i], NULL, &error));
        g_assert_error (error, CHANCERY_ERROR, CHANCERY_ERROR_INVALID_INPUT);
        g_assert_true (g_str_has_prefix (error->message, targets[i]));
        g_assert_nonnull (strstr (error->message, "is the database being exported"));
        after = test_read_file (db_path);
        g_assert_true (g_bytes_equal (before, after));
        g_assert_false (g_file_test (journal, G_FILE_TEST_EXISTS));
        g_assert_false (g_file_test (wal, G_FILE_TEST_EXISTS));
      }
  g_assert_true (S_ISLNK (mode_of (link)));

  /* The check the picture exports make, and any other file passes. */
  g_assert_false (chancery_export_check_target (store, link, NULL));
  g_assert_true (chancery_export_check_target (store, other, NULL));
  g_assert_true (chancery_output_file_is_database (db_path, db_path));
  g_assert_false (chancery_output_file_is_database (other, db_path));
  assert_no_leftovers ();
  g_remove (link);
  g_remove (folder_link);
}

static void
test_symbolic_link (void)
{
  g_autofree char *target = in_tmp ("private.csv");
  g_autofree char *link = in_tmp ("link.csv");
  g_autofree char *dangling = in_tmp ("dangling.csv");
  g_autofree char *made = in_tmp ("made-by-link.csv");
  g_autoptr(GError) error = NULL;

  /* A link to a private file: the file is replaced, stays private, and
   * the link stays a link. */
  g_assert_true (g_file_set_contents (target, "old", -1, NULL));
  g_assert_cmpint (chmod (target, 0600), ==, 0);
  g_assert_cmpint (symlink ("private.csv", link), ==, 0);
  g_assert_true (export_csv (link, &error));
  g_assert_no_error (error);
  g_assert_true (S_ISLNK (mode_of (link)));
  g_assert_cmpint (mode_of (target) & 07777, ==, 0600);
  assert_csv_at (target);

  /* A link to a file still to be made makes it. */
  g_assert_cmpint (symlink ("made-by-link.csv", dangling), ==, 0);
  g_assert_true (export_csv (dangling, &error));
  g_assert_no_error (error);
  g_assert_true (S_ISLNK (mode_of (dangling)));
  assert_csv_at (made);

  assert_no_leftovers ();
  g_remove (link);
  g_remove (target);
  g_remove (dangling);
  g_remove (made);
}

static void
test_link_loop (void)
{
  g_autofree char *a = in_tmp ("loop-a");
  g_autofree char *b = in_tmp ("loop-b");
  g_autoptr(GError) error = NULL;

  g_assert_cmpint (symlink ("loop-b", a), ==, 0);
  g_assert_cmpint (symlink ("loop-a", b), ==, 0);
  g_assert_false (export_csv (a, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_TOO_MANY_LINKS);
  g_assert_true (g_str_has_prefix (error->message, a));
  g_assert_nonnull (strstr (error->message, g_strerror (ELOOP)));
  g_assert_true (S_ISLNK (mode_of (a)));
  g_assert_true (S_ISLNK (mode_of (b)));
  assert_no_leftovers ();
  g_remove (a);
  g_remove (b);
}

static void
test_permissions (void)
{
  g_autofree char *fresh = in_tmp ("fresh.csv");
  g_autofree char *shared = in_tmp ("shared.csv");
  g_autofree char *read_only = in_tmp ("read-only.csv");
  g_autoptr(GError) error = NULL;
  mode_t mask;

  /* A new file: 0666 less the umask, as open() makes one. */
  mask = umask (027);
  g_assert_true (export_csv (fresh, &error));
  umask (mask);
  g_assert_no_error (error);
  g_assert_cmpint (mode_of (fresh) & 07777, ==, 0640);

  /* An existing file keeps its permissions, but never set-id bits. */
  g_assert_true (g_file_set_contents (shared, "old", -1, NULL));
  g_assert_cmpint (chmod (shared, 0664), ==, 0);
  g_assert_true (export_csv (shared, &error));
  g_assert_no_error (error);
  g_assert_cmpint (mode_of (shared) & 07777, ==, 0664);
  assert_csv_at (shared);
  g_assert_cmpint (chmod (shared, 06755), ==, 0);
  g_assert_true (export_csv (shared, &error));
  g_assert_no_error (error);
  g_assert_cmpint (mode_of (shared) & 07777, ==, 0755);

  /* A file we may not write is not replaced behind its back (root may
   * write anything, as with a shell's redirection). */
  g_assert_true (g_file_set_contents (read_only, "old", -1, NULL));
  g_assert_cmpint (chmod (read_only, 0444), ==, 0);
  if (access (read_only, W_OK) == 0)
    {
      g_assert_true (export_csv (read_only, &error));
      g_assert_no_error (error);
      assert_csv_at (read_only);
    }
  else
    {
      g_autoptr(GBytes) bytes = NULL;

      g_assert_false (export_csv (read_only, &error));
      g_assert_error (error, G_IO_ERROR, G_IO_ERROR_PERMISSION_DENIED);
      g_assert_nonnull (strstr (error->message, g_strerror (EACCES)));
      bytes = test_read_file (read_only);
      g_assert_cmpmem (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes), "old", 3);
    }
  g_assert_cmpint (mode_of (read_only) & 07777, ==, 0444);

  assert_no_leftovers ();
  g_remove (fresh);
  g_remove (shared);
  g_remove (read_only);
}

typedef struct
{
  int     fd;
  GBytes *bytes;
} Reader;

static gpointer
read_all (gpointer data)
{
  Reader *reader = data;
  g_autoptr(GByteArray) all = g_byte_array_new ();
  struct pollfd ready = { reader->fd, POLLIN, 0 };
  guint8 buf[65536];
  gssize n;

  /* A FIFO without a writer reads as empty: wait for the export to open
   * it (20 s, so that a broken export fails the test instead of hanging). */
  g_assert_cmpint (poll (&ready, 1, 20000), ==, 1);
  while ((n = read (reader->fd, buf, sizeof buf)) > 0)
    g_byte_array_append (all, buf, n);
  g_assert_cmpint (n, ==, 0);
  close (reader->fd);
  reader->bytes = g_byte_array_free_to_bytes (g_steal_pointer (&all));
  return NULL;
}

/* A pipe and a descriptor's name are written in place: renaming a file
 * over them would replace a FIFO or a device (as root, /dev/null) with a
 * regular file. */
static void
test_pipes (void)
{
  g_autofree char *fifo = in_tmp ("fifo");
  g_autofree char *fd_name = NULL;
  g_autoptr(GError) error = NULL;
  Reader reader = { -1, NULL };
  GThread *thread;
  int fds[2];

  /* Opened for reading before the export, without waiting for a writer
   * (an export that replaced the FIFO would never open it). */
  g_assert_cmpint (mkfifo (fifo, 0600), ==, 0);
  reader.fd = g_open (fifo, O_RDONLY | O_NONBLOCK | O_CLOEXEC, 0);
  g_assert_cmpint (reader.fd, >=, 0);
  g_assert_cmpint (fcntl (reader.fd, F_SETFL, 0), ==, 0);
  thread = g_thread_new ("reader", read_all, &reader);
  g_assert_true (export_csv (fifo, &error));
  g_assert_no_error (error);
  g_thread_join (thread);
  g_assert_true (S_ISFIFO (mode_of (fifo)));
  g_assert_true (g_bytes_equal (reader.bytes, csv));
  g_clear_pointer (&reader.bytes, g_bytes_unref);

  /* /dev/fd/N, as /dev/stdout is /dev/fd/1. */
  g_assert_cmpint (pipe (fds), ==, 0);
  reader = (Reader) { fds[0], NULL };
  fd_name = g_strdup_printf ("/dev/fd/%d", fds[1]);
  thread = g_thread_new ("reader", read_all, &reader);
  g_assert_true (export_csv (fd_name, &error));
  g_assert_no_error (error);
  close (fds[1]);
  g_thread_join (thread);
  g_assert_true (g_bytes_equal (reader.bytes, csv));
  g_clear_pointer (&reader.bytes, g_bytes_unref);

  /* /dev/fd/N on a file opened to append (">> log.csv"): the export goes
   * after what is there, through the descriptor, not over the file. */
  {
    g_autofree char *log = in_tmp ("log.csv");
    g_autofree char *append_name = NULL;
    g_autoptr(GBytes) bytes = NULL;
    int fd;

    g_assert_true (g_file_set_contents (log, "PREVIOUS\n", -1, NULL));
    fd = g_open (log, O_WRONLY | O_APPEND | O_CLOEXEC, 0);
    g_assert_cmpint (fd, >=, 0);
    append_name = g_strdup_printf ("/dev/fd/%d", fd);
    g_assert_true (export_csv (append_name, &error));
    g_assert_no_error (error);
    close (fd);
    bytes = test_read_file (log);
    g_assert_cmpuint (g_bytes_get_size (bytes), ==, 9 + g_bytes_get_size (csv));
    g_assert_cmpmem (g_bytes_get_data (bytes, NULL), 9, "PREVIOUS\n", 9);
    g_assert_cmpmem ((const char *) g_bytes_get_data (bytes, NULL) + 9, g_bytes_get_size (csv),
                     g_bytes_get_data (csv, NULL), g_bytes_get_size (csv));
    g_remove (log);
  }

  /* /dev/full is a device too: its error, not a replaced device. */
  if (g_file_test ("/dev/full", G_FILE_TEST_EXISTS))
    {
      g_assert_false (export_csv ("/dev/full", &error));
      g_assert_nonnull (strstr (error->message, g_strerror (ENOSPC)));
      g_assert_true (S_ISCHR (mode_of ("/dev/full")));
    }

  assert_no_leftovers ();
  g_remove (fifo);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;
  g_autofree char *csv_path = NULL;
  int status;

  g_test_init (&argc, &argv, NULL);

  tmp_dir = test_make_tmp_dir ();
  db_path = g_build_filename (tmp_dir, "store.db", NULL);
  store = test_create_store (db_path);
  test_import_bundled (store);
  g_clear_object (&store);
  store = chancery_store_open (db_path, CHANCERY_STORE_READ_ONLY, NULL, &error);
  g_assert_no_error (error);

  csv_path = g_build_filename (tmp_dir, "all.csv", NULL);
  g_assert_true (export_csv (csv_path, &error));
  g_assert_no_error (error);
  csv = test_read_file (csv_path);
  g_remove (csv_path);

  g_test_add_func ("/output/not-the-database", test_not_the_database);
  g_test_add_func ("/output/symbolic-link", test_symbolic_link);
  g_test_add_func ("/output/link-loop", test_link_loop);
  g_test_add_func ("/output/permissions", test_permissions);
  g_test_add_func ("/output/pipes", test_pipes);

  status = g_test_run ();

  g_clear_object (&store);
  g_bytes_unref (csv);
  test_remove_tree (tmp_dir);
  g_free (db_path);
  g_free (tmp_dir);
  return status;
}
