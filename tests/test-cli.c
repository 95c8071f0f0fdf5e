/* test-cli.c: the chancery import | list | export subcommands, run as a person would
 *
 * Copyright 2026 The Chancery developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Runs the built binary (CHANCERY_BIN, set by tests/meson.build).
 */
#include "config.h"

#include <fcntl.h>
#include <signal.h>
#include <grp.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <glib.h>
#include <gio/gio.h>
#include <glib/gstdio.h>
#include <glib-unix.h>
#include <json-glib/json-glib.h>
#include <unistd.h>

#include "chancery-store-private.h"
#include "test-common.h"
#include "test-slow-json.h"

/* The user and group "nobody" (Debian's 65534). */
#define NOBODY 65534

static char *tmp_dir;
static char *db_path;

typedef struct
{
  int   status;
  char *out;
  char *err;
} Run;

static void
run_clear (Run *run)
{
  g_free (run->out);
  g_free (run->err);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Run, run_clear)

/* In the child, before exec: writes past limit bytes fail (EFBIG), as
 * on a full disk. Chancery ignores SIGXFSZ, which would kill it. */
static void
limit_file_size (gpointer data)
{
  struct rlimit limit;

  getrlimit (RLIMIT_FSIZE, &limit);
  limit.rlim_cur = GPOINTER_TO_SIZE (data);
  setrlimit (RLIMIT_FSIZE, &limit);
}

/* Runs chancery with the arguments in the C.UTF-8 locale; child_setup,
 * unless NULL, runs in the child before exec. */
static void
run_chancery_va (Run                  *run,
                 GSpawnChildSetupFunc  child_setup,
                 gpointer              child_data,
                 va_list               args)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_auto(GStrv) envp = g_get_environ ();
  const char *bin = g_getenv ("CHANCERY_BIN");
  const char *arg;

  g_assert_nonnull (bin);
  g_ptr_array_add (argv, (gpointer) bin);
  while ((arg = va_arg (args, const char *)) != NULL)
    g_ptr_array_add (argv, (gpointer) arg);
  g_ptr_array_add (argv, NULL);

  envp = g_environ_setenv (envp, "LC_ALL", "C.UTF-8", TRUE);
  envp = g_environ_unsetenv (envp, "LANGUAGE");

  memset (run, 0, sizeof *run);
  g_spawn_sync (tmp_dir, (char **) argv->pdata, envp, G_SPAWN_DEFAULT,
                child_setup, child_data,
                &run->out, &run->err, &run->status, &error);
  g_assert_no_error (error);
  g_test_message ("exit %d; stderr: %s", run->status, run->err);
}

/* Runs chancery with the arguments (NULL-terminated) in the C.UTF-8 locale. */
static void
run_chancery (Run *run,
              ...)
{
  va_list args;

  va_start (args, run);
  run_chancery_va (run, NULL, NULL, args);
  va_end (args);
}

/* The same, where no file can grow past limit bytes. */
static void
run_chancery_limited (Run   *run,
                      gsize  limit,
                      ...)
{
  va_list args;

  va_start (args, limit);
  run_chancery_va (run, limit_file_size, GSIZE_TO_POINTER (limit), args);
  va_end (args);
}

/* In the child, before exec: as root (as in CI), become nobody, so that
 * file modes count. */
static void
drop_root (gpointer data)
{
  if (geteuid () == 0 &&
      (setgroups (0, NULL) != 0 || setgid (NOBODY) != 0 || setuid (NOBODY) != 0))
    _exit (127);
}

/* The same, as nobody when run as root. */
static void
run_chancery_unprivileged (Run *run,
                           ...)
{
  va_list args;

  va_start (args, run);
  run_chancery_va (run, drop_root, NULL, args);
  va_end (args);
}

/* In the child, before exec: standard output is /dev/full, or closed
 * when data is NULL. */
static void
redirect_stdout (gpointer data)
{
  int fd = data != NULL ? open (data, O_WRONLY | O_CLOEXEC) : -1;

  if (fd >= 0)
    dup2 (fd, STDOUT_FILENO);
  else
    close (STDOUT_FILENO);
}

/* The same, with standard output at the path (NULL: closed). */
static void
run_chancery_with_stdout (Run        *run,
                          const char *path,
                          ...)
{
  va_list args;

  va_start (args, path);
  run_chancery_va (run, redirect_stdout, (gpointer) path, args);
  va_end (args);
}

static int
exit_code (const Run *run)
{
  g_assert_true (WIFEXITED (run->status));
  return WEXITSTATUS (run->status);
}

static void
assert_success (const Run *run)
{
  g_assert_cmpint (exit_code (run), ==, 0);
  g_assert_cmpstr (run->err, ==, "");
}

/* Exit 2 and exactly one line on stderr: "chancery: ..." naming the problem. */
static void
assert_bad_input (const Run  *run,
                  const char *names)
{
  const char *newline;

  g_assert_cmpint (exit_code (run), ==, 2);
  g_assert_true (g_str_has_prefix (run->err, "chancery: "));
  g_assert_false (g_str_has_prefix (run->err, "chancery: chancery"));
  newline = strchr (run->err, '\n');
  g_assert_nonnull (newline);
  g_assert_cmpstr (newline, ==, "\n");
  test_assert_contains (run->err, names);
  g_assert_cmpstr (run->out, ==, "");
}

static void
test_import (void)
{
  g_autofree char *json = test_bundled_json ();
  g_autofree char *expected = g_strdup_printf ("%s: 22 new, 0 updated, 0 unchanged\n",
                                               db_path);
  g_autofree char *again = g_strdup_printf ("%s: 0 new, 0 updated, 22 unchanged\n",
                                            db_path);
  g_auto(Run) run, run2;

  run_chancery (&run, "import", "--database", db_path, json, NULL);
  assert_success (&run);
  g_assert_cmpstr (run.out, ==, expected);
  g_assert_true (g_file_test (db_path, G_FILE_TEST_IS_REGULAR));

  run_chancery (&run2, "import", "--database", db_path, json, NULL);
  assert_success (&run2);
  g_assert_cmpstr (run2.out, ==, again);
}

static void
test_list (void)
{
  g_auto(Run) arm, gafarova, by_id, from, kind, combined, search, all;
  g_auto(GStrv) lines = NULL;

  run_chancery (&arm, "list", "--database", db_path, "--country", "ARM", NULL);
  assert_success (&arm);
  g_assert_cmpstr (arm.out, ==,
                   "8 December 2025\tstatement\tAraghchi reaffirms support for the 3+3 mechanism\tARM, AZE, IRN\n"
                   "after 8 December 2025\tmeeting\tUpcoming 3+3 meeting in Baku\tARM, AZE, IRN\n"
                   "after 8 December 2025\tmeeting\tUpcoming 3+3 meeting in Yerevan\tARM, AZE, IRN\n");

  run_chancery (&gafarova, "list", "--database", db_path, "--actor", "Sahiba Gafarova", NULL);
  assert_success (&gafarova);
  g_assert_cmpstr (gafarova.out, ==,
                   "8 December 2025\tvisit\tAraghchi visits Baku\tAZE, IRN\n"
                   "8 December 2025\tmeeting\tAraghchi meets parliament speaker Sahiba Gafarova\tAZE, IRN\n");

  run_chancery (&by_id, "list", "--database", db_path, "--actor", "sahiba-gafarova", NULL);
  assert_success (&by_id);
  g_assert_cmpstr (by_id.out, ==, gafarova.out);

  run_chancery (&from, "list", "--database", db_path, "--from", "2026", NULL);
  assert_success (&from);
  g_assert_cmpstr (from.out, ==,
                   "after 8 December 2025\tmeeting\tUpcoming 3+3 meeting in Baku\tARM, AZE, IRN\n"
                   "after 8 December 2025\tmeeting\tUpcoming 3+3 meeting in Yerevan\tARM, AZE, IRN\n"
                   "2026\tmilestone\tStart of construction of the Rassht–Astara railway\tAZE, IRN, RUS\n");

  /* Values of one option OR-ed, comma-separated or repeated */
  run_chancery (&kind, "list", "--database", db_path, "--kind", "incident,election", NULL);
  assert_success (&kind);
  lines = g_strsplit (kind.out, "\n", -1);
  g_assert_cmpuint (g_strv_length (lines), ==, 3);
  /* In date order: "before 8 December 2025" after June 2025. */
  test_assert_contains (lines[0], "June 2025\tincident\tIsraeli attacks on Iran\t");
  test_assert_contains (lines[1], "before 8 December 2025\telection\tMasoud Pezeshkian elected President of Iran\t");

  /* Different options AND-ed */
  run_chancery (&combined, "list", "--database", db_path, "--country", "ARM", "--country", "RUS",
                "--status", "planned", "--kind", "milestone", NULL);
  assert_success (&combined);
  g_assert_cmpstr (combined.out, ==,
                   "2026\tmilestone\tStart of construction of the Rassht–Astara railway\tAZE, IRN, RUS\n");

  run_chancery (&search, "list", "--database", db_path, "--search", "NEAR(\"drones*", NULL);
  assert_success (&search);
  g_assert_cmpstr (search.out, ==, "");
  g_clear_pointer (&search.out, g_free);
  g_clear_pointer (&search.err, g_free);
  run_chancery (&search, "list", "--database", db_path, "--search", "(\"drones*", NULL);
  assert_success (&search);
  g_clear_pointer (&lines, g_strfreev);
  lines = g_strsplit (search.out, "\n", -1);
  g_assert_cmpuint (g_strv_length (lines), ==, 3);

  run_chancery (&all, "list", "--database", db_path, NULL);
  assert_success (&all);
  g_clear_pointer (&lines, g_strfreev);
  lines = g_strsplit (all.out, "\n", -1);
  g_assert_cmpuint (g_strv_length (lines), ==, 22 + 1);
}

/* Runs a tool nobody here wrote; its output is returned. */
static char *
run_tool (const char *const *argv)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *err = NULL;
  char *out = NULL;
  int status = 0;

  g_spawn_sync (tmp_dir, (char **) argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL,
                &out, &err, &status, &error);
  g_assert_no_error (error);
  g_test_message ("%s: %s", argv[0], err);
  g_assert_true (g_spawn_check_wait_status (status, NULL));
  return out;
}

/* Width and height from a PNG's IHDR chunk. */
static void
png_size (const char *path,
          guint      *width,
          guint      *height)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *data = NULL;
  gsize length = 0;
  const guchar *p;

  g_file_get_contents (path, &data, &length, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (length, >, 24);
  p = (const guchar *) data;
  g_assert_true (memcmp (p, "\x89PNG\r\n\x1a\n", 8) == 0);
  g_assert_true (memcmp (p + 12, "IHDR", 4) == 0);
  *width = (guint) p[16] << 24 | p[17] << 16 | p[18] << 8 | p[19];
  *height = (guint) p[20] << 24 | p[21] << 16 | p[22] << 8 | p[23];
}

/* The timeline as a picture, without a display, checked by other people's
 * tools: the PNG's own header, rsvg-convert and pdfinfo/pdftoppm. */
static void
test_export_pictures (void)
{
  g_autofree char *png = g_build_filename (tmp_dir, "timeline.png", NULL);
  g_autofree char *svg = g_build_filename (tmp_dir, "timeline.svg", NULL);
  g_autofree char *pdf = g_build_filename (tmp_dir, "timeline.pdf", NULL);
  g_autofree char *svg_png = g_build_filename (tmp_dir, "from-svg.png", NULL);
  g_autofree char *pdf_prefix = g_build_filename (tmp_dir, "from-pdf", NULL);
  g_autofree char *pdf_png = g_build_filename (tmp_dir, "from-pdf-1.png", NULL);
  g_autofree char *info = NULL;
  g_autofree char *ignored = NULL;
  g_auto(Run) png_run, svg_run, pdf_run;
  guint width, height;

  run_chancery (&png_run, "export", "--database", db_path, "--format", "png",
                "--width", "1200", "--height", "700", "--output", png, NULL);
  assert_success (&png_run);
  png_size (png, &width, &height);
  g_assert_cmpuint (width, ==, 1200);
  g_assert_cmpuint (height, ==, 700);

  run_chancery (&svg_run, "export", "--database", db_path, "--format", "svg",
                "--from", "2025-06", "--to", "2026", "--output", svg, NULL);
  assert_success (&svg_run);
  ignored = run_tool ((const char *[]) { "rsvg-convert", "--output", svg_png, svg, NULL });
  png_size (svg_png, &width, &height);
  g_assert_cmpuint (width, ==, 1600);
  /* Without --height, every lane in full: the bundled events' lanes need
   * more than the least height, 900. */
  g_assert_cmpuint (height, >, 900);

  run_chancery (&pdf_run, "export", "--database", db_path, "--format", "pdf",
                "--country", "ARM", "--output", pdf, NULL);
  assert_success (&pdf_run);
  info = run_tool ((const char *[]) { "pdfinfo", pdf, NULL });
  g_assert_true (g_regex_match_simple ("^Pages: +1$", info, G_REGEX_MULTILINE, 0));
  g_assert_true (g_regex_match_simple ("^Page size: +1600 x (9[0-9][0-9]|[1-9][0-9]{3,}) pts", info,
                                       G_REGEX_MULTILINE, 0));
  g_clear_pointer (&ignored, g_free);
  ignored = run_tool ((const char *[]) { "pdftoppm", "-png", "-r", "36", "-f", "1", "-l", "1",
                                         "-singlefile", pdf, pdf_prefix, NULL });
  g_free (pdf_png);
  pdf_png = g_strconcat (pdf_prefix, ".png", NULL);
  png_size (pdf_png, &width, &height);
  g_assert_cmpuint (width, >, 0);
  g_assert_cmpuint (height, >, 0);
}

static void
test_export (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *out_path = g_build_filename (tmp_dir, "arm.json", NULL);
  g_autofree char *written = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_auto(Run) to_stdout, to_file, all;
  JsonObject *root;

  run_chancery (&to_stdout, "export", "--database", db_path, "--format", "json",
                "--country", "ARM", NULL);
  assert_success (&to_stdout);

  g_assert_true (json_parser_load_from_data (parser, to_stdout.out, -1, &error));
  g_assert_no_error (error);
  root = json_node_get_object (json_parser_get_root (parser));
  g_assert_cmpstr (json_object_get_string_member (root, "format"), ==, "chancery");
  g_assert_cmpint (json_object_get_int_member (root, "version"), ==, 1);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (root, "events")), ==, 3);

  run_chancery (&to_file, "export", "--database", db_path, "--format", "json",
                "--country", "ARM", "--output", out_path, NULL);
  assert_success (&to_file);
  g_assert_cmpstr (to_file.out, ==, "");
  g_file_get_contents (out_path, &written, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (written, ==, to_stdout.out);

  /* The whole export is the one the library writes */
  run_chancery (&all, "export", "--database", db_path, "--format", "json", NULL);
  assert_success (&all);
  {
    g_autoptr(ChanceryStore) store = chancery_store_open (db_path, CHANCERY_STORE_READ_ONLY,
                                                          NULL, &error);
    g_autofree char *expected = NULL;

    g_assert_no_error (error);
    expected = test_export_json (store, NULL);
    g_assert_cmpstr (all.out, ==, expected);
  }
}

static void
test_bad_input (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *notes = g_build_filename (tmp_dir, "notes.txt", NULL);
  g_autofree char *missing = g_build_filename (tmp_dir, "missing.chancery", NULL);
  g_autofree char *bad_json = g_build_filename (tmp_dir, "bad.json", NULL);
  g_autofree char *bad_kind = g_build_filename (tmp_dir, "bad-kind.json", NULL);
  g_autofree char *import_db = g_build_filename (tmp_dir, "import.chancery", NULL);
  g_autofree char *bundled = test_bundled_json ();
  g_autofree char *original = NULL;
  g_autofree char *with_bad_kind = NULL;
  g_auto(Run) r1, r2, r3, r4, r5, r6, r7, r8, r9, r10, r11, r12, r13, r14, r15, r16, r17;

  g_file_set_contents (notes, "Notes about Baku\n", -1, &error);
  g_assert_no_error (error);
  g_file_set_contents (bad_json, "{ \"format\": \"chancery\",\n  \"version\": 1,\n"
                                 "  \"events\": [ { \"id\": \"x\" }, ] }\n", -1, &error);
  g_assert_no_error (error);
  g_file_get_contents (bundled, &original, NULL, &error);
  g_assert_no_error (error);
  with_bad_kind = g_strdup (original);
  {
    char *at = strstr (with_bad_kind, "\"kind\": \"visit\"");

    g_assert_nonnull (at);
    memcpy (at, "\"kind\": \"vizit\"", strlen ("\"kind\": \"vizit\""));
  }
  g_file_set_contents (bad_kind, with_bad_kind, -1, &error);
  g_assert_no_error (error);

  run_chancery (&r1, "list", "--database", db_path, "--bogus", NULL);
  assert_bad_input (&r1, "--bogus");

  run_chancery (&r2, "list", "--database", db_path, "--country", "XX", NULL);
  assert_bad_input (&r2, "“XX” is not a country code");

  run_chancery (&r3, "list", "--database", db_path, "--kind", "bogus", NULL);
  assert_bad_input (&r3, "Unknown kind “bogus”");

  run_chancery (&r4, "list", "--database", db_path, "--from", "2025-13", NULL);
  assert_bad_input (&r4, "--from: “2025-13”: month 13");

  run_chancery (&r5, "list", "--database", db_path, "--from", "2026", "--to", "2025-12", NULL);
  assert_bad_input (&r5, "--from 2026 is after --to 2025-12");

  run_chancery (&r6, "list", "--database", missing, NULL);
  assert_bad_input (&r6, missing);
  test_assert_contains (r6.err, "no such file");
  g_assert_false (g_file_test (missing, G_FILE_TEST_EXISTS));

  run_chancery (&r7, "list", "--database", notes, NULL);
  assert_bad_input (&r7, "not a Chancery database");
  test_assert_contains (r7.err, notes);

  /* The import error names the file and json-glib's line:column */
  run_chancery (&r8, "import", "--database", import_db, bad_json, NULL);
  assert_bad_input (&r8, "bad.json:3:");
  g_assert_true (g_regex_match_simple ("^chancery: .*bad\\.json:3:[0-9]+: ", r8.err, 0, 0));

  /* A validation error: its path and line:column */
  run_chancery (&r9, "import", "--database", import_db, bad_kind, NULL);
  assert_bad_input (&r9, "events[0].kind: unknown kind “vizit”");
  g_assert_true (g_regex_match_simple ("bad-kind\\.json:[0-9]+:[0-9]+: events\\[0\\]\\.kind: ",
                                       r9.err, 0, 0));

  run_chancery (&r10, "export", "--database", db_path, NULL);
  assert_bad_input (&r10, "--format is required");

  run_chancery (&r11, "export", "--database", db_path, "--format", "xml", NULL);
  assert_bad_input (&r11, "unknown format “xml”");

  run_chancery (&r12, "list", "--database", db_path, "extra", NULL);
  assert_bad_input (&r12, "unexpected argument");

  run_chancery (&r13, "import", "--database", import_db, NULL);
  assert_bad_input (&r13, "name at least one file");

  run_chancery (&r14, "export", "--database", notes, "--format", "csv", NULL);
  assert_bad_input (&r14, "not a Chancery database");

  run_chancery (&r15, "import", "--database", import_db, "--format", "xml", bundled, NULL);
  assert_bad_input (&r15, "--format must be json or gdelt");

  /* An empty --output names no file, for events and for pictures. */
  run_chancery (&r16, "export", "--database", db_path, "--format", "csv", "--output", "", NULL);
  assert_bad_input (&r16, "export: --output names no file; give a file name, or - for standard output");
  run_chancery (&r17, "export", "--database", db_path, "--format", "png", "-o", "", NULL);
  assert_bad_input (&r17, "export: --output names no file");
}

static void
test_replace_keeps_old (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *bad_json = g_build_filename (tmp_dir, "bad.json", NULL);
  g_autofree char *bundled = test_bundled_json ();
  g_autofree char *target = g_build_filename (tmp_dir, "replace.chancery", NULL);
  g_autoptr(GBytes) before = NULL;
  g_autoptr(GBytes) after = NULL;
  g_autoptr(GDir) dir = NULL;
  g_auto(Run) build, failed, list, replaced;
  const char *name;

  g_file_set_contents (bad_json, "{ \"format\": \"chancery\",\n  \"version\": 1,\n"
                                 "  \"events\": [ { \"id\": \"x\" }, ] }\n", -1, &error);
  g_assert_no_error (error);

  run_chancery (&build, "import", "--replace", "--database", target, bundled, NULL);
  assert_success (&build);
  before = test_read_file (target);

  run_chancery (&failed, "import", "--replace", "--database", target, bad_json, NULL);
  assert_bad_input (&failed, "bad.json:3:");

  after = test_read_file (target);
  g_assert_true (g_bytes_equal (before, after));

  /* No half-built file left beside it */
  dir = g_dir_open (tmp_dir, 0, &error);
  g_assert_no_error (error);
  while ((name = g_dir_read_name (dir)) != NULL)
    g_assert_null (strstr (name, ".import-"));

  run_chancery (&list, "list", "--database", target, "--country", "ARM", NULL);
  assert_success (&list);
  test_assert_contains (list.out, "Upcoming 3+3 meeting in Yerevan");

  /* A successful --replace builds afresh (all new), with the permissions
   * of the file it replaces, not the umask's, and never its set-id bits. */
  g_assert_cmpint (g_chmod (target, 0600 | S_ISGID), ==, 0);
  run_chancery (&replaced, "import", "--replace", "--database", target, bundled, NULL);
  assert_success (&replaced);
  test_assert_contains (replaced.out, ": 22 new, 0 updated, 0 unchanged");
  {
    GStatBuf st;

    g_assert_cmpint (g_stat (target, &st), ==, 0);
    g_assert_cmpint (st.st_mode & 07777, ==, 0600);
  }
}

/* Nothing in the folder but the names given (NULL-terminated): no
 * temporary file left behind. */
static void
assert_folder_holds (const char *folder,
                     ...)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GDir) dir = g_dir_open (folder, 0, &error);
  g_autoptr(GHashTable) expected = g_hash_table_new (g_str_hash, g_str_equal);
  const char *name;
  va_list args;

  g_assert_no_error (error);
  va_start (args, folder);
  while ((name = va_arg (args, const char *)) != NULL)
    g_hash_table_add (expected, (gpointer) name);
  va_end (args);
  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_test_message ("in the folder: %s", name);
      g_assert_true (g_hash_table_contains (expected, name));
    }
}

/* 1,500 statements of 2 KB each (3 MB), citing the bundled dataset's
 * Kayhan article. */
static void
write_big_json (const char *path)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GString) json = g_string_new ("{ \"format\": \"chancery\", \"version\": 1, \"events\": [\n");
  g_autofree char *summary = g_strnfill (2000, 'w');

  for (guint i = 0; i < 1500; i++)
    g_string_append_printf (json, "%s{ \"id\": \"big-%u\", \"kind\": \"statement\", "
                            "\"status\": \"occurred\", \"title\": \"Statement %u\", "
                            "\"summary\": \"%s\", \"date\": \"2025-12-08\", "
                            "\"sources\": [{ \"source\": \"kayhan-146663\", \"quote\": \"q\" }] }\n",
                            i == 0 ? "" : ", ", i, i, summary);
  g_string_append (json, "] }\n");
  g_file_set_contents (path, json->str, json->len, &error);
  g_assert_no_error (error);
}

/* A file that cannot grow (a full disk; here a file size limit, which
 * fails writes the same way without filling the disk): each export and
 * an import fail with one line that names the file and the system's
 * reason, the file they would replace or change is as it was, and no
 * temporary file is left. */
static void
test_file_size_limit (void)
{
  static const char *const formats[] = { "csv", "json", "ics", "png", "svg", "pdf" };
  g_autoptr(GError) error = NULL;
  g_autofree char *folder = g_build_filename (tmp_dir, "limited", NULL);
  g_autofree char *db = g_build_filename (folder, "limited.chancery", NULL);
  g_autofree char *big_json = g_build_filename (tmp_dir, "big.json", NULL);
  g_autofree char *reason = g_strdup_printf (" (%s)\n", g_strerror (EFBIG));
  g_autoptr(GBytes) db_before = NULL;
  g_autoptr(GBytes) db_after = NULL;
  g_auto(Run) import, list;
  gsize db_size;

  g_assert_cmpint (g_mkdir (folder, 0755), ==, 0);
  test_copy_file (db_path, db);
  db_before = test_read_file (db);
  db_size = g_bytes_get_size (db_before);

  for (guint i = 0; i < G_N_ELEMENTS (formats); i++)
    {
      g_autofree char *name = g_strdup_printf ("out.%s", formats[i]);
      g_autofree char *out = g_build_filename (folder, name, NULL);
      g_autofree char *message = NULL;
      g_autofree char *old = NULL;
      g_auto(Run) run;

      g_file_set_contents (out, "the file as it was\n", -1, &error);
      g_assert_no_error (error);
      /* Every export of the bundled dataset is larger than 4 KB. */
      run_chancery_limited (&run, 4096, "export", "--database", db, "--format", formats[i],
                            "--output", out, NULL);
      /* One line, ours, naming the file and the reason: no warning. */
      assert_bad_input (&run, name);
      test_assert_contains (run.err, g_strerror (EFBIG));
      g_file_get_contents (out, &old, NULL, &error);
      g_assert_no_error (error);
      g_assert_cmpstr (old, ==, "the file as it was\n");
    }

  /* About 3 MB of new events, against 256 KB of room. */
  write_big_json (big_json);

  run_chancery_limited (&import, db_size + 256 * 1024, "import", "--database", db, big_json, NULL);
  assert_bad_input (&import, "limited.chancery: ");
  g_assert_true (g_str_has_suffix (import.err, reason));

  /* Rolled back: the database is the one before, byte for byte, and
   * still reads. */
  db_after = test_read_file (db);
  g_assert_true (g_bytes_equal (db_before, db_after));
  assert_folder_holds (folder, "limited.chancery", "out.csv", "out.json", "out.ics",
                       "out.png", "out.svg", "out.pdf", NULL);
  run_chancery (&list, "list", "--database", db, "--country", "ARM", NULL);
  assert_success (&list);
  test_assert_contains (list.out, "Upcoming 3+3 meeting in Yerevan");
}

/* Standard output may be a non-blocking pipe (a parent's choice): the
 * export waits when the pipe is full instead of failing with EAGAIN.
 * The reader here is slow on purpose, so that the pipe fills. */
static void
test_nonblocking_stdout (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *big_json = g_build_filename (tmp_dir, "big-stdout.json", NULL);
  g_autofree char *db = g_build_filename (tmp_dir, "big-stdout.chancery", NULL);
  g_autofree char *to_file = g_build_filename (tmp_dir, "big-stdout.csv", NULL);
  g_auto(Run) import;
  const char *formats[] = { "csv", "json" };

  write_big_json (big_json);
  test_copy_file (db_path, db);
  run_chancery (&import, "import", "--database", db, big_json, NULL);
  assert_success (&import);

  for (guint f = 0; f < G_N_ELEMENTS (formats); f++)
    {
      g_autoptr(GSubprocessLauncher) launcher = NULL;
      g_autoptr(GSubprocess) process = NULL;
      g_autoptr(GByteArray) received = g_byte_array_new ();
      g_autoptr(GBytes) expected = NULL;
      g_autofree char *err = NULL;
      g_auto(Run) export;
      guint8 chunk[16384];
      int fds[2];

      run_chancery (&export, "export", "--database", db, "--format", formats[f],
                    "--output", to_file, NULL);
      assert_success (&export);
      expected = test_read_file (to_file);
      g_assert_cmpuint (g_bytes_get_size (expected), >, 1024 * 1024);

      g_assert_true (g_unix_open_pipe (fds, FD_CLOEXEC, &error));
      g_assert_no_error (error);
      g_assert_true (g_unix_set_fd_nonblocking (fds[1], TRUE, &error));
      g_assert_no_error (error);
      launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDERR_PIPE);
      g_subprocess_launcher_take_stdout_fd (launcher, fds[1]);
      g_subprocess_launcher_setenv (launcher, "LC_ALL", "C.UTF-8", TRUE);
      process = g_subprocess_launcher_spawn (launcher, &error, g_getenv ("CHANCERY_BIN"), "export",
                                             "--database", db, "--format", formats[f], NULL);
      g_assert_no_error (error);
      g_clear_object (&launcher);   /* closes its copy of the write end */

      for (;;)
        {
          gssize n;

          g_usleep (2000);
          n = read (fds[0], chunk, sizeof chunk);
          if (n < 0 && errno == EINTR)
            continue;
          g_assert_cmpint (n, >=, 0);
          if (n == 0)
            break;
          g_byte_array_append (received, chunk, n);
        }
      close (fds[0]);
      g_subprocess_communicate_utf8 (process, NULL, NULL, NULL, &err, &error);
      g_assert_no_error (error);
      g_test_message ("%s: %u bytes through the pipe; stderr: %s", formats[f], received->len, err);
      g_assert_cmpstr (err, ==, "");
      g_assert_true (g_subprocess_get_if_exited (process));
      g_assert_cmpint (g_subprocess_get_exit_status (process), ==, 0);
      g_assert_cmpmem (received->data, received->len,
                       g_bytes_get_data (expected, NULL), g_bytes_get_size (expected));
    }
}

/* One event (e1, in Azerbaijan), and a file cut off in its middle. */
static const char ok_json[] =
  "{\"format\":\"chancery\",\"version\":1,\n"
  "\"countries\":[{\"code\":\"AZE\",\"name\":\"Azerbaijan\"}],\n"
  "\"sources\":[{\"id\":\"s1\",\"publisher\":\"P\"}],\n"
  "\"events\":[{\"id\":\"e1\",\"kind\":\"meeting\",\"status\":\"occurred\",\"title\":\"T1\","
  "\"date\":\"2025-12-08\",\"countries\":[\"AZE\"],\"sources\":[{\"source\":\"s1\",\"quote\":\"q\"}]}]}\n";
static const char truncated_json[] =
  "{\"format\":\"chancery\",\"version\":1,\n"
  "\"events\":[{\"id\":\"e2\",\"kind\":\"meeting\",";

static char *
write_tmp_file (const char *name,
                const char *contents)
{
  g_autoptr(GError) error = NULL;
  char *path = g_build_filename (tmp_dir, name, NULL);

  g_file_set_contents (path, contents, -1, &error);
  g_assert_no_error (error);
  return path;
}

/* The file is byte for byte as before. */
static void
assert_unchanged (const char *path,
                  GBytes     *before)
{
  g_autoptr(GBytes) after = test_read_file (path);

  g_assert_true (g_bytes_equal (before, after));
}

/* write_big_json() cites a source of the bundled dataset: define it, for
 * a new database. */
static void
give_big_json_its_source (const char *path)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *json = NULL;
  g_autoptr(GString) text = NULL;

  g_file_get_contents (path, &json, NULL, &error);
  g_assert_no_error (error);
  text = g_string_new (json);
  g_assert_cmpuint (g_string_replace (text, "\"events\": [",
                                      "\"sources\": [{ \"id\": \"kayhan-146663\", "
                                      "\"publisher\": \"Kayhan\" }], \"events\": [", 1), ==, 1);
  g_file_set_contents (path, text->str, text->len, &error);
  g_assert_no_error (error);
}

/* --replace renames over the target only where a plain import would
 * write: never over an input file, another program's file or database,
 * or a newer Chancery's database; and its errors name the target, not
 * the temporary file beside it. */
static void
test_replace_refuses (void)
{
  g_autofree char *input = write_tmp_file ("replace-in.json", ok_json);
  g_autofree char *notes = write_tmp_file ("replace-notes.txt", "Notes about Baku\n");
  g_autofree char *other = g_build_filename (tmp_dir, "replace-other.db", NULL);
  g_autofree char *newer = g_build_filename (tmp_dir, "replace-newer.chancery", NULL);
  g_autofree char *limited = g_build_filename (tmp_dir, "replace-limited.chancery", NULL);
  g_autofree char *big_json = g_build_filename (tmp_dir, "replace-big.json", NULL);
  g_autoptr(GBytes) input_before = test_read_file (input);
  g_autoptr(GBytes) notes_before = test_read_file (notes);
  g_autoptr(GBytes) other_before = NULL;
  g_autoptr(GBytes) newer_before = NULL;
  g_autoptr(GBytes) limited_before = NULL;
  g_auto(Run) self, on_notes, on_other, on_newer, too_big;

  test_sqlite_exec (other, "CREATE TABLE notes (text); INSERT INTO notes VALUES ('Baku');");
  other_before = test_read_file (other);
  test_copy_file (db_path, newer);
  test_sqlite_exec (newer, "PRAGMA user_version = 99");
  newer_before = test_read_file (newer);

  run_chancery (&self, "import", "--replace", "-d", input, input, NULL);
  assert_bad_input (&self, "replace-in.json: the database cannot be one of the files to import");
  assert_unchanged (input, input_before);

  run_chancery (&on_notes, "import", "--replace", "-d", notes, input, NULL);
  assert_bad_input (&on_notes, "replace-notes.txt: not a Chancery database");
  assert_unchanged (notes, notes_before);

  run_chancery (&on_other, "import", "--replace", "-d", other, input, NULL);
  assert_bad_input (&on_other, "replace-other.db: an SQLite database, but not a Chancery one");
  assert_unchanged (other, other_before);

  run_chancery (&on_newer, "import", "--replace", "-d", newer, input, NULL);
  assert_bad_input (&on_newer, "replace-newer.chancery: made by a newer version of Chancery");
  assert_unchanged (newer, newer_before);

  /* A failure in the new database names the file the user gave. */
  test_copy_file (db_path, limited);
  limited_before = test_read_file (limited);
  write_big_json (big_json);
  give_big_json_its_source (big_json);
  run_chancery_limited (&too_big, g_bytes_get_size (limited_before) + 256 * 1024,
                        "import", "--replace", "-d", limited, big_json, NULL);
  assert_bad_input (&too_big, limited);
  test_assert_contains (too_big.err, g_strerror (EFBIG));
  g_assert_null (strstr (too_big.err, ".import-"));
  assert_unchanged (limited, limited_before);

  /* A replace that fails leaves what it would have replaced as it was:
   * an empty file stays empty, and an older Chancery database is neither
   * upgraded nor backed up. */
  {
    g_autofree char *truncated = write_tmp_file ("replace-truncated.json", truncated_json);
    g_autofree char *empty = write_tmp_file ("replace-empty.chancery", "");
    g_autofree char *older = g_build_filename (tmp_dir, "replace-older.chancery", NULL);
    g_autofree char *backup = g_strconcat (older, ".schema-v1.backup", NULL);
    g_autoptr(GBytes) empty_before = test_read_file (empty);
    g_autoptr(GBytes) older_before = NULL;
    g_autoptr(GError) error = NULL;
    g_auto(Run) on_empty, on_older;

    g_assert_true (chancery_store_create_at_version (older, 1, &error));
    g_assert_no_error (error);
    older_before = test_read_file (older);

    run_chancery (&on_empty, "import", "--replace", "-d", empty, truncated, NULL);
    assert_bad_input (&on_empty, "replace-truncated.json");
    assert_unchanged (empty, empty_before);
    run_chancery (&on_older, "import", "--replace", "-d", older, truncated, NULL);
    assert_bad_input (&on_older, "replace-truncated.json");
    assert_unchanged (older, older_before);
    g_assert_false (g_file_test (backup, G_FILE_TEST_EXISTS));
  }
}

/* Several files: each is one transaction. Into a database that was there
 * before, the files before a failing one stay imported, and the command
 * says so and what they brought; a database the import was creating is
 * removed, as after any failed import, so that nothing is written. */
static void
test_several_files_one_fails (void)
{
  g_autofree char *ok = write_tmp_file ("several-ok.json", ok_json);
  g_autofree char *truncated = write_tmp_file ("several-truncated.json", truncated_json);
  g_autofree char *existing = g_build_filename (tmp_dir, "several.chancery", NULL);
  g_autofree char *created = g_build_filename (tmp_dir, "several-new.chancery", NULL);
  g_autofree char *summary = NULL;
  g_autofree char *rest = NULL;
  g_auto(Run) into_existing, into_new, list;

  test_copy_file (db_path, existing);
  run_chancery (&into_existing, "import", "-d", existing, ok, truncated, NULL);
  g_assert_cmpint (exit_code (&into_existing), ==, 2);
  summary = g_strdup_printf ("%s: 1 new, 0 updated, 0 unchanged\n", existing);
  g_assert_cmpstr (into_existing.out, ==, summary);
  rest = g_strdup_printf ("chancery: %s: only the files before %s were imported\n", existing, truncated);
  g_assert_true (g_str_has_prefix (into_existing.err, "chancery: "));
  test_assert_contains (into_existing.err, "several-truncated.json:2:39: ");
  g_assert_true (g_str_has_suffix (into_existing.err, rest));

  run_chancery (&list, "list", "-d", existing, "--search", "T1", NULL);
  assert_success (&list);
  g_assert_cmpstr (list.out, ==, "8 December 2025\tmeeting\tT1\tAZE\n");

  run_chancery (&into_new, "import", "-d", created, ok, truncated, NULL);
  assert_bad_input (&into_new, "several-truncated.json:2:39: ");
  g_assert_false (g_file_test (created, G_FILE_TEST_EXISTS));
}

/* A failed import leaves no database it created, and never removes or
 * changes one that was there. */
static void
test_failed_import_leaves_nothing (void)
{
  g_autofree char *missing = g_build_filename (tmp_dir, "no-such-file.json", NULL);
  g_autofree char *created = g_build_filename (tmp_dir, "failed-new.chancery", NULL);
  g_autofree char *existing = g_build_filename (tmp_dir, "failed-existing.chancery", NULL);
  g_autofree char *empty = g_build_filename (tmp_dir, "failed-empty.chancery", NULL);
  g_autoptr(GBytes) before = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(Run) into_new, into_existing, into_empty;

  run_chancery (&into_new, "import", "-d", created, missing, NULL);
  assert_bad_input (&into_new, "no-such-file.json");
  g_assert_false (g_file_test (created, G_FILE_TEST_EXISTS));

  test_copy_file (db_path, existing);
  before = test_read_file (existing);
  run_chancery (&into_existing, "import", "-d", existing, missing, NULL);
  assert_bad_input (&into_existing, "no-such-file.json");
  assert_unchanged (existing, before);

  /* An empty file is a place to create a database, but it was there: it
   * stays, empty, whether the file to import is missing or bad. */
  g_file_set_contents (empty, "", 0, &error);
  g_assert_no_error (error);
  run_chancery (&into_empty, "import", "-d", empty, missing, NULL);
  assert_bad_input (&into_empty, "no-such-file.json");
  g_assert_true (g_file_test (empty, G_FILE_TEST_IS_REGULAR));
  {
    g_autofree char *truncated = write_tmp_file ("failed-truncated.json", truncated_json);
    g_autofree char *journal = g_strconcat (empty, "-journal", NULL);
    g_autoptr(GBytes) after = NULL;
    g_auto(Run) bad_into_empty;

    run_chancery (&bad_into_empty, "import", "-d", empty, truncated, NULL);
    assert_bad_input (&bad_into_empty, "failed-truncated.json");
    after = test_read_file (empty);
    g_assert_cmpuint (g_bytes_get_size (after), ==, 0);
    g_assert_false (g_file_test (journal, G_FILE_TEST_EXISTS));
  }
}

/* A database that cannot be written, or in a folder that cannot be: one
 * line that says so, not a complaint about the JSON file. As root, the
 * command runs as nobody, for whom the modes count. */
static void
test_read_only_database (void)
{
  g_autofree char *ok = write_tmp_file ("read-only-ok.json", ok_json);
  g_autofree char *writable_dir = g_build_filename (tmp_dir, "writable", NULL);
  g_autofree char *locked_dir = g_build_filename (tmp_dir, "locked", NULL);
  g_autofree char *read_only = g_build_filename (writable_dir, "read-only.chancery", NULL);
  g_autofree char *in_locked = g_build_filename (locked_dir, "in-locked.chancery", NULL);
  g_autofree char *new_in_locked = g_build_filename (locked_dir, "new.chancery", NULL);
  g_autofree char *file_message = NULL;
  g_autofree char *folder_message = NULL;
  g_autoptr(GBytes) read_only_before = NULL;
  g_autoptr(GBytes) in_locked_before = NULL;
  g_auto(Run) file, folder, new_file;

  /* Nobody must reach the files. */
  g_assert_cmpint (g_chmod (tmp_dir, 0711), ==, 0);
  g_assert_cmpint (g_mkdir (writable_dir, 0777), ==, 0);
  g_assert_cmpint (g_chmod (writable_dir, 0777), ==, 0);
  g_assert_cmpint (g_mkdir (locked_dir, 0755), ==, 0);
  g_assert_cmpint (g_chmod (ok, 0644), ==, 0);

  test_copy_file (db_path, read_only);
  g_assert_cmpint (g_chmod (read_only, 0444), ==, 0);
  read_only_before = test_read_file (read_only);
  test_copy_file (db_path, in_locked);
  g_assert_cmpint (g_chmod (in_locked, 0666), ==, 0);
  in_locked_before = test_read_file (in_locked);
  g_assert_cmpint (g_chmod (locked_dir, 0555), ==, 0);

  run_chancery_unprivileged (&file, "import", "-d", read_only, ok, NULL);
  file_message = g_strdup_printf ("chancery: %s: cannot be written: %s\n", read_only,
                                  g_strerror (EACCES));
  assert_bad_input (&file, read_only);
  g_assert_cmpstr (file.err, ==, file_message);
  assert_unchanged (read_only, read_only_before);

  /* SQLite writes its journal beside the database. */
  run_chancery_unprivileged (&folder, "import", "-d", in_locked, ok, NULL);
  folder_message = g_strdup_printf ("chancery: %s: cannot be written in the folder “%s”: %s\n",
                                    in_locked, locked_dir, g_strerror (EACCES));
  assert_bad_input (&folder, in_locked);
  g_assert_cmpstr (folder.err, ==, folder_message);
  assert_unchanged (in_locked, in_locked_before);

  run_chancery_unprivileged (&new_file, "import", "-d", new_in_locked, ok, NULL);
  assert_bad_input (&new_file, "cannot be written in the folder");
  test_assert_contains (new_file.err, g_strerror (EACCES));
  g_assert_false (g_file_test (new_in_locked, G_FILE_TEST_EXISTS));

  g_assert_cmpint (g_chmod (locked_dir, 0755), ==, 0);
  g_assert_cmpint (g_chmod (tmp_dir, 0700), ==, 0);
  test_remove_tree (writable_dir);
  test_remove_tree (locked_dir);
}

/* list, as export, fails when what it writes is not written. */
static void
test_list_write_errors (void)
{
  g_autofree char *full = g_strdup_printf ("chancery: standard output: %s\n", g_strerror (ENOSPC));
  g_autofree char *closed = g_strdup_printf ("chancery: standard output: %s\n", g_strerror (EBADF));
  g_auto(Run) to_full, to_closed;

  run_chancery_with_stdout (&to_full, "/dev/full", "list", "-d", db_path, NULL);
  g_assert_cmpint (exit_code (&to_full), ==, 2);
  g_assert_cmpstr (to_full.err, ==, full);

  run_chancery_with_stdout (&to_closed, NULL, "list", "-d", db_path, NULL);
  g_assert_cmpint (exit_code (&to_closed), ==, 2);
  g_assert_cmpstr (to_closed.err, ==, closed);
}

/* GDELT rows skipped are reported with the file they are in. */
static void
test_gdelt_messages_name_the_file (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *sample = NULL;
  g_autofree char *first = g_build_filename (tmp_dir, "first.export.tsv", NULL);
  g_autofree char *second = g_build_filename (tmp_dir, "second.export.tsv", NULL);
  g_autofree char *db = g_build_filename (tmp_dir, "gdelt-names.chancery", NULL);
  g_autofree char *expected = NULL;
  g_autofree char *db_one = g_build_filename (tmp_dir, "gdelt-one-row.chancery", NULL);
  g_autofree char *expected_one = NULL;
  g_autoptr(GString) text = g_string_new (NULL);
  g_auto(GStrv) lines = NULL;
  g_auto(Run) run, one;

  g_file_get_contents (TEST_SRCDIR "/fixtures/gdelt/20170701234500.export.sample.tsv",
                       &sample, NULL, &error);
  g_assert_no_error (error);
  lines = g_strsplit (sample, "\n", 3);
  g_string_append_printf (text, "%s\n669666999\t20170701\t201707\n", lines[0]);
  g_file_set_contents (first, text->str, -1, &error);
  g_assert_no_error (error);
  g_string_printf (text, "%s\nnot\ta\tGDELT\trow\n", lines[1]);
  g_file_set_contents (second, text->str, -1, &error);
  g_assert_no_error (error);

  run_chancery (&run, "import", "-d", db, first, second, NULL);
  g_assert_cmpint (exit_code (&run), ==, 0);
  expected = g_strdup_printf ("chancery: %s: line 2: expected 61 columns, found 3\n"
                              "chancery: %s: line 2: expected 61 columns, found 4\n",
                              first, second);
  g_assert_cmpstr (run.err, ==, expected);
  g_assert_true (g_str_has_suffix (run.out, ", 2 malformed rows skipped\n"));

  /* One row, one "row". */
  run_chancery (&one, "import", "-d", db_one, first, NULL);
  g_assert_cmpint (exit_code (&one), ==, 0);
  expected_one = g_strdup_printf ("%s: 1 new, 0 updated, 0 unchanged, 1 malformed row skipped\n", db_one);
  g_assert_cmpstr (one.out, ==, expected_one);
}

/* No export, picture or events, replaces the database it reads, by its
 * name or through a link; and "-o /dev/stdout" writes to the descriptor
 * (here a pipe), not over what the name leads to. */
static void
test_export_not_over_database (void)
{
  static const char * const formats[] = { "png", "svg", "pdf", "csv", "json", "ics" };
  g_autofree char *link = g_build_filename (tmp_dir, "link-to-database", NULL);
  g_autofree char *csv = g_build_filename (tmp_dir, "all-to-compare.csv", NULL);
  g_autoptr(GBytes) before = test_read_file (db_path);
  g_autoptr(GBytes) expected = NULL;
  g_auto(Run) to_file, to_stdout;

  g_assert_cmpint (symlink (db_path, link), ==, 0);
  for (guint i = 0; i < G_N_ELEMENTS (formats); i++)
    {
      const char *targets[] = { db_path, link };

      for (guint t = 0; t < G_N_ELEMENTS (targets); t++)
        {
          g_auto(Run) run;
          g_autoptr(GBytes) after = NULL;

          run_chancery (&run, "export", "--database", db_path, "--format", formats[i],
                        "--output", targets[t], NULL);
          assert_bad_input (&run, "is the database being exported");
          test_assert_contains (run.err, targets[t]);
          after = test_read_file (db_path);
          g_assert_true (g_bytes_equal (before, after));
        }
    }
  g_assert_cmpint (g_unlink (link), ==, 0);

  run_chancery (&to_file, "export", "--database", db_path, "--format", "csv", "--output", csv, NULL);
  assert_success (&to_file);
  run_chancery (&to_stdout, "export", "--database", db_path, "--format", "csv",
                "--output", "/dev/stdout", NULL);
  g_assert_cmpint (exit_code (&to_stdout), ==, 0);
  expected = test_read_file (csv);
  g_assert_cmpmem (to_stdout.out, strlen (to_stdout.out),
                   g_bytes_get_data (expected, NULL), g_bytes_get_size (expected));

  /* Standard output on a file, as "chancery … -o /dev/stdout > out.csv":
   * written through the descriptor, so the file is the same one (a
   * rename would leave the shell's descriptor on a file no longer there). */
  {
    g_autofree char *out = g_build_filename (tmp_dir, "redirected.csv", NULL);
    g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_NONE);
    g_autoptr(GSubprocess) child = NULL;
    g_autoptr(GBytes) written = NULL;
    g_autoptr(GError) error = NULL;
    struct stat st_before, st_after;

    g_assert_true (g_file_set_contents (out, "", 0, NULL));
    g_assert_cmpint (stat (out, &st_before), ==, 0);
    g_subprocess_launcher_set_stdout_file_path (launcher, out);
    g_subprocess_launcher_setenv (launcher, "LC_ALL", "C.UTF-8", TRUE);
    child = g_subprocess_launcher_spawn (launcher, &error, g_getenv ("CHANCERY_BIN"), "export",
                                         "--database", db_path, "--format", "csv",
                                         "--output", "/dev/stdout", NULL);
    g_assert_no_error (error);
    g_assert_true (g_subprocess_wait_check (child, NULL, &error));
    g_assert_no_error (error);
    g_assert_cmpint (stat (out, &st_after), ==, 0);
    g_assert_cmpuint (st_after.st_ino, ==, st_before.st_ino);
    written = test_read_file (out);
    g_assert_true (g_bytes_equal (written, expected));
  }
}

/* Values of the list options, comma-separated or repeated, empty or
 * unknown. */
static void
test_filter_values (void)
{
  g_auto(Run) commas, repeated, arm_comma, arm, empty_country, empty_actor, all, kinds;
  g_auto(Run) nobody, zzz, export_nobody, bad_status;

  run_chancery (&commas, "list", "--database", db_path,
                "--actor", "abbas-araghchi,sahiba-gafarova", NULL);
  assert_success (&commas);
  run_chancery (&repeated, "list", "--database", db_path,
                "--actor", "abbas-araghchi", "--actor", "sahiba-gafarova", NULL);
  assert_success (&repeated);
  test_assert_contains (commas.out, "Araghchi meets parliament speaker Sahiba Gafarova");
  g_assert_cmpstr (commas.out, ==, repeated.out);

  /* Empty values are ignored, as an empty --from is */
  run_chancery (&arm_comma, "list", "--database", db_path, "--country", " ARM, ", NULL);
  run_chancery (&arm, "list", "--database", db_path, "--country", "ARM", NULL);
  assert_success (&arm_comma);
  g_assert_cmpstr (arm_comma.out, ==, arm.out);
  run_chancery (&all, "list", "--database", db_path, NULL);
  run_chancery (&empty_country, "list", "--database", db_path, "--country", "", NULL);
  run_chancery (&empty_actor, "list", "--database", db_path, "--actor", "", NULL);
  assert_success (&empty_country);
  assert_success (&empty_actor);
  g_assert_cmpstr (empty_country.out, ==, all.out);
  g_assert_cmpstr (empty_actor.out, ==, all.out);

  run_chancery (&kinds, "list", "--database", db_path, "--kind", "incident, election,", NULL);
  assert_success (&kinds);
  test_assert_contains (kinds.out, "\telection\tMasoud Pezeshkian elected President of Iran\t");

  /* Unknown to the database: an error naming the option and the value */
  run_chancery (&nobody, "list", "--database", db_path, "--actor", "abbas-araghchi,nobody", NULL);
  assert_bad_input (&nobody, "--actor: no event in ");
  test_assert_contains (nobody.err, "has the actor “nobody”");
  run_chancery (&zzz, "list", "--database", db_path, "--country", "ZZZ", NULL);
  assert_bad_input (&zzz, "--country: no event in ");
  test_assert_contains (zzz.err, "the country “ZZZ”");
  run_chancery (&export_nobody, "export", "--database", db_path, "--format", "csv",
                "--actor", "nobody", NULL);
  assert_bad_input (&export_nobody, "has the actor “nobody”");

  run_chancery (&bad_status, "list", "--database", db_path, "--status", "planned,bogus", NULL);
  assert_bad_input (&bad_status, "--status: Unknown status “bogus”");
}

/* import --country and --cameo-root: commas, checked codes, GDELT only */
static void
test_import_gdelt_options (void)
{
  g_autofree char *sample = g_build_filename (test_source_root (), "tests", "fixtures", "gdelt",
                                              "20170701234500.export.sample.tsv", NULL);
  g_autofree char *json = test_bundled_json ();
  g_autofree char *db1 = g_build_filename (tmp_dir, "gdelt-commas.chancery", NULL);
  g_autofree char *db2 = g_build_filename (tmp_dir, "gdelt-repeated.chancery", NULL);
  g_autofree char *db3 = g_build_filename (tmp_dir, "gdelt-refused.chancery", NULL);
  g_autofree char *db4 = g_build_filename (tmp_dir, "gdelt-roots.chancery", NULL);
  g_autofree char *db5 = g_build_filename (tmp_dir, "gdelt-typo.chancery", NULL);
  g_autofree char *db6 = g_build_filename (tmp_dir, "gdelt-other-root.chancery", NULL);
  g_auto(Run) commas, repeated, bad_code, on_json, bad_root, roots, typo, other_root;

  run_chancery (&commas, "import", "--database", db1, "--country", "usa,GBR", sample, NULL);
  assert_success (&commas);
  test_assert_contains (commas.out, ": 463 new, 0 updated, 0 unchanged, 2,537 left out by the options\n");
  g_assert_null (strstr (commas.err, "no row kept"));

  /* A code that no row has: imported, and said (a typo keeps nothing). */
  run_chancery (&typo, "import", "--database", db5, "--country", "GBR,zzz", sample, NULL);
  g_assert_cmpint (exit_code (&typo), ==, 0);
  test_assert_contains (typo.out, " left out by the options\n");
  test_assert_contains (typo.err, "20170701234500.export.sample.tsv: no row kept has an actor from the country “ZZZ”; "
                                  "GDELT writes CAMEO country codes");
  g_assert_null (strstr (typo.err, "“GBR”"));
  /* A code whose rows are all of other roots is no typo. */
  run_chancery (&other_root, "import", "--database", db6, "--country", "ZAF", sample, NULL);
  g_assert_cmpint (exit_code (&other_root), ==, 0);
  test_assert_contains (other_root.err, "20170701234500.export.sample.tsv: no row kept has an actor from the "
                                        "country “ZAF”: its 2 rows are of CAMEO root codes not chosen\n");
  g_assert_null (strstr (other_root.err, "GDELT writes"));
  run_chancery (&repeated, "import", "--database", db2, "--country", "USA", "--country", "GBR",
                sample, NULL);
  assert_success (&repeated);
  test_assert_contains (repeated.out, ": 463 new, 0 updated, 0 unchanged, 2,537 left out by the options\n");

  /* Refused before anything is created */
  run_chancery (&bad_code, "import", "--database", db3, "--country", "IRN,12", sample, NULL);
  assert_bad_input (&bad_code, "--country: “12” is not a country code");
  run_chancery (&on_json, "import", "--database", db3, "--country", "IRN", json, NULL);
  assert_bad_input (&on_json, "--country applies only to GDELT files; ");
  test_assert_contains (on_json.err, "kayhan-146663.json is read as JSON");
  run_chancery (&bad_root, "import", "--database", db3, "--cameo-root", "01,99", sample, NULL);
  assert_bad_input (&bad_root, "--cameo-root: “99” is not a CAMEO root code");
  g_assert_false (g_file_test (db3, G_FILE_TEST_EXISTS));

  run_chancery (&roots, "import", "--database", db4, "--cameo-root", "01,04", sample, NULL);
  assert_success (&roots);
  test_assert_contains (roots.out, " left out by the options\n");
  g_assert_false (g_str_has_prefix (strstr (roots.out, ": "), ": 0 new"));
}

/* An option that takes one value, given twice */
static void
test_repeated_options (void)
{
  g_autofree char *a = g_build_filename (tmp_dir, "a.json", NULL);
  g_autofree char *b = g_build_filename (tmp_dir, "b.json", NULL);
  g_autofree char *json = test_bundled_json ();
  g_auto(Run) format, output, from, database, list_database, width, not_number;

  run_chancery (&format, "export", "--database", db_path, "-f", "json", "-f", "csv", NULL);
  assert_bad_input (&format, "export: --format is given more than once");
  run_chancery (&output, "export", "--database", db_path, "--format", "json",
                "-o", a, "--output=", b, NULL);
  assert_bad_input (&output, "export: --output is given more than once");
  g_assert_false (g_file_test (a, G_FILE_TEST_EXISTS));
  g_assert_false (g_file_test (b, G_FILE_TEST_EXISTS));
  run_chancery (&from, "list", "--database", db_path, "--from", "2026", "--from", "2020", NULL);
  assert_bad_input (&from, "list: --from is given more than once");
  run_chancery (&database, "import", "-d", db_path, "--database", a, json, NULL);
  assert_bad_input (&database, "import: --database is given more than once");
  g_assert_false (g_file_test (a, G_FILE_TEST_EXISTS));
  run_chancery (&list_database, "list", "-d", db_path, "-d", a, NULL);
  assert_bad_input (&list_database, "list: --database is given more than once");
  run_chancery (&width, "export", "--database", db_path, "--format", "png", "--output", a,
                "--width", "800", "--width", "900", NULL);
  assert_bad_input (&width, "--width is given more than once");
  run_chancery (&not_number, "export", "--database", db_path, "--format", "png", "--output", a,
                "--width", "800px", NULL);
  assert_bad_input (&not_number, "--width: “800px” is not a whole number");
  {
    g_auto(Run) too_big;

    run_chancery (&too_big, "export", "--database", db_path, "--format", "png", "--output", a,
                  "--width", "99999999999", NULL);
    assert_bad_input (&too_big, "--width: “99999999999” is out of range");
  }
}

/* A mistyped subcommand, --version, the usage line */
static void
test_commands (void)
{
  g_auto(Run) typo, unknown, version, list_version, import_version, help;

  /* Were the word taken for a file, the window would try to open */
  g_unsetenv ("DISPLAY");
  g_unsetenv ("WAYLAND_DISPLAY");

  run_chancery (&typo, "imports", "x", NULL);
  assert_bad_input (&typo, "unknown command “imports”; did you mean “import”?");
  run_chancery (&unknown, "frobnicate", NULL);
  assert_bad_input (&unknown, "unknown command “frobnicate”; the commands are import, list and export");

  run_chancery (&version, "--version", NULL);
  assert_success (&version);
  g_assert_cmpstr (version.out, ==, "chancery " PACKAGE_VERSION "\n");
  run_chancery (&list_version, "list", "--version", NULL);
  assert_success (&list_version);
  g_assert_cmpstr (list_version.out, ==, version.out);
  run_chancery (&import_version, "import", "--version", NULL);
  assert_success (&import_version);
  g_assert_cmpstr (import_version.out, ==, version.out);

  /* The files named once in the usage line */
  run_chancery (&help, "import", "--help", NULL);
  assert_success (&help);
  test_assert_contains (help.out, " [OPTION…] FILE… — import events");
  /* ... and where events go without --database. */
  {
    g_autofree char *user_database = g_build_filename (g_get_user_data_dir (), "chancery", "chancery.db", NULL);

    test_assert_contains (help.out, "Without --database, events go into your own database, ");
    test_assert_contains (help.out, user_database);
  }
}

/* Starts "chancery import ARGS", waits until the import writes (its
 * database's journal appears: journal, or, with by_pid, journal followed by
 * the process id and "-journal", as for --replace's file), sends signum and
 * returns what the process said on standard error; *status is its exit
 * status. */
static char *
interrupt_import (const char  *journal,
                  gboolean     by_pid,
                  int          signum,
                  int         *status,
                  const char **args)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDERR_PIPE |
                                                                       G_SUBPROCESS_FLAGS_STDOUT_SILENCE);
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GSubprocess) process = NULL;
  g_autofree char *path = NULL;
  gint64 deadline = g_get_monotonic_time () + 60 * G_USEC_PER_SEC;
  char *err = NULL;

  g_ptr_array_add (argv, (gpointer) g_getenv ("CHANCERY_BIN"));
  g_ptr_array_add (argv, "import");
  for (guint i = 0; args[i] != NULL; i++)
    g_ptr_array_add (argv, (gpointer) args[i]);
  g_ptr_array_add (argv, NULL);
  g_subprocess_launcher_setenv (launcher, "LC_ALL", "C.UTF-8", TRUE);
  g_subprocess_launcher_unsetenv (launcher, "LANGUAGE");
  process = g_subprocess_launcher_spawnv (launcher, (const char * const *) argv->pdata, &error);
  g_assert_no_error (error);

  path = by_pid ? g_strdup_printf ("%s%s-journal", journal, g_subprocess_get_identifier (process))
                : g_strdup (journal);
  while (!g_file_test (path, G_FILE_TEST_EXISTS))
    {
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_usleep (2000);
    }
  g_usleep (100 * 1000);
  g_subprocess_send_signal (process, signum);
  g_subprocess_communicate_utf8 (process, NULL, NULL, NULL, &err, &error);
  g_assert_no_error (error);
  g_test_message ("signal %d: stderr: %s", signum, err);
  g_assert_true (g_subprocess_get_if_exited (process));
  *status = g_subprocess_get_exit_status (process);
  return err;
}

/* SIGINT, SIGTERM or SIGHUP during an import: the import rolls back, what
 * it created is removed (a new database, --replace's file beside the
 * target, their journals), a database that was there is as it was, and
 * the exit status is the shell's for the signal. */
static void
test_interrupted_import (void)
{
  g_autofree char *folder = g_build_filename (tmp_dir, "interrupted", NULL);
  g_autofree char *json = g_build_filename (tmp_dir, "interrupted.json", NULL);
  g_autofree char *created = g_build_filename (folder, "new.chancery", NULL);
  g_autofree char *created_journal = g_strconcat (created, "-journal", NULL);
  g_autofree char *existing = g_build_filename (folder, "existing.chancery", NULL);
  g_autofree char *existing_journal = g_strconcat (existing, "-journal", NULL);
  g_autofree char *replace_journal = g_strdup_printf ("%s.import-", existing);
  g_autoptr(GBytes) before = NULL;
  const int signals[] = { SIGINT, SIGTERM, SIGHUP };

  g_assert_cmpint (g_mkdir (folder, 0755), ==, 0);
  test_write_slow_json (json);
  test_copy_file (db_path, existing);
  before = test_read_file (existing);

  for (guint i = 0; i < G_N_ELEMENTS (signals); i++)
    {
      const char *into_new[] = { "-d", created, json, NULL };
      const char *into_existing[] = { "-d", existing, json, NULL };
      g_autofree char *err_new = NULL;
      g_autofree char *err_existing = NULL;
      int status;

      err_new = interrupt_import (created_journal, FALSE, signals[i], &status, into_new);
      g_assert_cmpint (status, ==, 128 + signals[i]);
      g_assert_true (g_str_has_prefix (err_new, "chancery: "));
      test_assert_contains (err_new, "new.chancery: import interrupted");
      assert_folder_holds (folder, "existing.chancery", NULL);

      err_existing = interrupt_import (existing_journal, FALSE, signals[i], &status, into_existing);
      g_assert_cmpint (status, ==, 128 + signals[i]);
      test_assert_contains (err_existing, "existing.chancery: import interrupted");
      assert_folder_holds (folder, "existing.chancery", NULL);
      assert_unchanged (existing, before);
    }

  /* --replace builds existing.chancery.import-PID beside the target. */
  {
    const char *replace[] = { "--replace", "-d", existing, json, NULL };
    g_autofree char *err = NULL;
    int status;

    err = interrupt_import (replace_journal, TRUE, SIGINT, &status, replace);
    g_assert_cmpint (status, ==, 128 + SIGINT);
    test_assert_contains (err, "existing.chancery: import interrupted");
    g_assert_null (strstr (err, ".import-"));
    assert_folder_holds (folder, "existing.chancery", NULL);
    assert_unchanged (existing, before);
  }
}

/* A database name is a file name, whatever it looks like to SQLite: an
 * empty one is refused; "file:…" and ":memory:" are files in the current
 * folder that later commands find again; a symbolic link is refused with
 * a message that says so. */
static void
test_database_names (void)
{
  g_autofree char *input = write_tmp_file ("names.json", ok_json);
  g_autofree char *uri_file = g_build_filename (tmp_dir, "file:names.chancery", NULL);
  g_autofree char *memory_file = g_build_filename (tmp_dir, ":memory:", NULL);
  g_autofree char *plain = g_build_filename (tmp_dir, "names.chancery", NULL);
  g_autofree char *link = g_build_filename (tmp_dir, "names-link.chancery", NULL);
  const char *names[] = { "file:names.chancery", ":memory:" };
  const char *files[] = { uri_file, memory_file };
  g_auto(Run) empty, through_link;

  run_chancery (&empty, "import", "-d", "", input, NULL);
  assert_bad_input (&empty, "file name is empty");

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      g_auto(Run) import, list;

      run_chancery (&import, "import", "-d", names[i], input, NULL);
      g_assert_cmpint (exit_code (&import), ==, 0);
      g_assert_true (g_file_test (files[i], G_FILE_TEST_IS_REGULAR));
      run_chancery (&list, "list", "-d", names[i], NULL);
      assert_success (&list);
      test_assert_contains (list.out, "T1");
      test_sqlite_exec (files[i], "SELECT 1");
    }

  test_copy_file (db_path, plain);
  g_assert_cmpint (symlink ("names.chancery", link), ==, 0);
  run_chancery (&through_link, "list", "-d", link, NULL);
  assert_bad_input (&through_link, "names-link.chancery: a symbolic link");

  /* A folder reached through a link is no link to a database: a new
   * database is made there and read back, relative and absolute, and
   * its journal goes beside it (SQLite's NOFOLLOW refused a link anywhere
   * in the name: "unable to open database file"). */
  {
    g_autofree char *real_dir = g_build_filename (tmp_dir, "real-folder", NULL);
    g_autofree char *dir_link = g_build_filename (tmp_dir, "folder-link", NULL);
    g_autofree char *made = g_build_filename (real_dir, "in-folder.chancery", NULL);
    g_autofree char *absolute = g_build_filename (dir_link, "in-folder.chancery", NULL);
    g_auto(Run) import, list_relative, list_absolute, replaced;

    g_assert_cmpint (g_mkdir (real_dir, 0700), ==, 0);
    g_assert_cmpint (symlink ("real-folder", dir_link), ==, 0);
    run_chancery (&import, "import", "-d", "folder-link/in-folder.chancery", input, NULL);
    assert_success (&import);
    g_assert_true (g_file_test (made, G_FILE_TEST_IS_REGULAR));
    run_chancery (&list_relative, "list", "-d", "folder-link/in-folder.chancery", NULL);
    assert_success (&list_relative);
    test_assert_contains (list_relative.out, "T1");
    run_chancery (&list_absolute, "list", "-d", absolute, NULL);
    assert_success (&list_absolute);
    test_assert_contains (list_absolute.out, "T1");
    run_chancery (&replaced, "import", "--replace", "-d", absolute, input, NULL);
    assert_success (&replaced);
    test_sqlite_exec (made, "SELECT 1");
  }
}

/* A title with control characters (an escape sequence that would retitle
 * or clear the terminal, a line break) is listed on one line without
 * them; an error quoting an argument with one does not pass it on. */
static void
test_list_control_characters (void)
{
  g_autofree char *input = write_tmp_file ("control.json",
    "{\"format\":\"chancery\",\"version\":1,\n"
    "\"countries\":[{\"code\":\"AZE\",\"name\":\"Azerbaijan\"}],\n"
    "\"events\":[{\"id\":\"e1\",\"kind\":\"meeting\",\"status\":\"occurred\","
    "\"title\":\"\\u001b]0;pwned\\u0007\\u001b[2JRed\\r\\nsecond line\","
    "\"date\":\"2025-12-08\",\"countries\":[\"AZE\"]}]}\n");
  g_autofree char *db = g_build_filename (tmp_dir, "control.chancery", NULL);
  g_auto(Run) import, list, bad_kind;

  run_chancery (&import, "import", "-d", db, input, NULL);
  g_assert_cmpint (exit_code (&import), ==, 0);
  run_chancery (&list, "list", "-d", db, NULL);
  assert_success (&list);
  g_assert_cmpstr (list.out, ==,
                   "8 December 2025\tmeeting\t\357\277\275]0;pwned\357\277\275\357\277\275[2JRed  second line\tAZE\n");

  run_chancery (&bad_kind, "list", "-d", db, "--kind", "\033[31mX", NULL);
  assert_bad_input (&bad_kind, "[31mX");
  g_assert_null (strchr (bad_kind.err, '\033'));

  /* An argument that is not UTF-8 (cut in the middle of a character) is
   * quoted with U+FFFD, not read past its end. */
  {
    g_auto(Run) bad_bytes;

    run_chancery (&bad_bytes, "list", "-d", db, "--\360", NULL);
    assert_bad_input (&bad_bytes, "--\357\277\275");
  }
}

/* A pipe or a device cannot be imported (the importers read a file twice):
 * one line that says so, for JSON and GDELT, and no database made. */
static void
test_import_not_a_file (void)
{
  g_autofree char *fifo = g_build_filename (tmp_dir, "import.fifo", NULL);
  g_autofree char *db = g_build_filename (tmp_dir, "not-a-file.chancery", NULL);
  const char *inputs[] = { "/dev/null", fifo };
  const char *formats[] = { "json", "gdelt" };

  g_assert_cmpint (mkfifo (fifo, 0600), ==, 0);
  for (guint i = 0; i < G_N_ELEMENTS (inputs); i++)
    for (guint f = 0; f < G_N_ELEMENTS (formats); f++)
      {
        g_autofree char *expected = g_strdup_printf ("%s: not a regular file", inputs[i]);
        g_auto(Run) run;

        run_chancery (&run, "import", "-d", db, "--format", formats[f], inputs[i], NULL);
        assert_bad_input (&run, expected);
        g_assert_false (g_file_test (db, G_FILE_TEST_EXISTS));
      }
}

/* "--output -" is standard output, as with most tools: the same bytes as
 * no --output, and no file named "-". */
static void
test_output_dash (void)
{
  g_autofree char *dash = g_build_filename (tmp_dir, "-", NULL);
  g_auto(Run) plain, with_dash;

  run_chancery (&plain, "export", "-d", db_path, "--format", "csv", NULL);
  assert_success (&plain);
  run_chancery (&with_dash, "export", "-d", db_path, "--format", "csv", "--output", "-", NULL);
  assert_success (&with_dash);
  g_assert_cmpstr (with_dash.out, ==, plain.out);
  g_assert_cmpuint (strlen (plain.out), >, 1000);
  g_assert_false (g_file_test (dash, G_FILE_TEST_EXISTS));
}

/* A writer killed mid-transaction, after its journal was synced and some
 * of its pages written into the file: a hot journal. Python's sqlite3,
 * so that the writer is not Chancery. */
static const char hot_journal_script[] =
  "import os, sqlite3, sys\n"
  "db = sqlite3.connect(sys.argv[1], isolation_level=None)\n"
  "db.execute('PRAGMA cache_size = 10')\n"
  "db.execute('BEGIN')\n"
  "db.execute(\"UPDATE event SET title = 'Killed half-way'\")\n"
  "db.execute('CREATE TABLE junk (x)')\n"
  "db.execute('WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 2000)'\n"
  "           ' INSERT INTO junk SELECT randomblob(1000) FROM n')\n"
  "os._exit(0)\n";

/* --replace over a database with a hot journal: the journal is rolled
 * back first, not left beside the new file (where the next open would
 * play the old file's pages into it), and not refused as "read-only". */
static void
test_replace_hot_journal (void)
{
  g_autofree char *bundled = test_bundled_json ();
  g_autofree char *target = g_build_filename (tmp_dir, "hot.chancery", NULL);
  g_autofree char *journal = g_strconcat (target, "-journal", NULL);
  g_autofree char *out = NULL;
  g_autofree char *check = NULL;
  const char *python[] = { "python3", "-c", hot_journal_script, target, NULL };
  const char *integrity[] = { "sqlite3", target, "PRAGMA integrity_check", NULL };
  g_auto(Run) build, replaced, list;

  run_chancery (&build, "import", "--database", target, bundled, NULL);
  assert_success (&build);
  out = run_tool (python);
  {
    g_autoptr(GBytes) bytes = test_read_file (journal);
    const guint8 magic[] = { 0xd9, 0xd5, 0x05, 0xf9 };

    g_assert_cmpuint (g_bytes_get_size (bytes), >, sizeof magic);
    g_assert_cmpmem (g_bytes_get_data (bytes, NULL), sizeof magic, magic, sizeof magic);
  }

  run_chancery (&replaced, "import", "--replace", "--database", target, bundled, NULL);
  assert_success (&replaced);
  test_assert_contains (replaced.out, ": 22 new, 0 updated, 0 unchanged");
  g_assert_false (g_file_test (journal, G_FILE_TEST_EXISTS));

  check = run_tool (integrity);
  g_assert_cmpstr (check, ==, "ok\n");
  run_chancery (&list, "list", "--database", target, NULL);
  assert_success (&list);
  test_assert_contains (list.out, "Upcoming 3+3 meeting in Yerevan");
  g_assert_null (strstr (list.out, "Killed half-way"));
}

int
main (int   argc,
      char *argv[])
{
  int status;

  g_test_init (&argc, &argv, NULL);

  tmp_dir = test_make_tmp_dir ();
  db_path = g_build_filename (tmp_dir, "kayhan.chancery", NULL);

  /* In order: import makes the database the others read. */
  g_test_add_func ("/cli/1-import", test_import);
  g_test_add_func ("/cli/2-list", test_list);
  g_test_add_func ("/cli/3-export", test_export);
  g_test_add_func ("/cli/3-export-pictures", test_export_pictures);
  g_test_add_func ("/cli/4-bad-input", test_bad_input);
  g_test_add_func ("/cli/5-replace-keeps-old", test_replace_keeps_old);
  g_test_add_func ("/cli/6-file-size-limit", test_file_size_limit);
  g_test_add_func ("/cli/7-nonblocking-stdout", test_nonblocking_stdout);
  g_test_add_func ("/cli/8-replace-refuses", test_replace_refuses);
  g_test_add_func ("/cli/8-several-files-one-fails", test_several_files_one_fails);
  g_test_add_func ("/cli/8-failed-import-leaves-nothing", test_failed_import_leaves_nothing);
  g_test_add_func ("/cli/8-read-only-database", test_read_only_database);
  g_test_add_func ("/cli/8-list-write-errors", test_list_write_errors);
  g_test_add_func ("/cli/8-gdelt-messages-name-the-file", test_gdelt_messages_name_the_file);
  g_test_add_func ("/cli/9-export-not-over-database", test_export_not_over_database);
  g_test_add_func ("/cli/10-filter-values", test_filter_values);
  g_test_add_func ("/cli/11-import-gdelt-options", test_import_gdelt_options);
  g_test_add_func ("/cli/12-repeated-options", test_repeated_options);
  g_test_add_func ("/cli/13-commands", test_commands);
  g_test_add_func ("/cli/14-interrupted-import", test_interrupted_import);
  g_test_add_func ("/cli/15-database-names", test_database_names);
  g_test_add_func ("/cli/16-list-control-characters", test_list_control_characters);
  g_test_add_func ("/cli/17-import-not-a-file", test_import_not_a_file);
  g_test_add_func ("/cli/18-output-dash", test_output_dash);
  g_test_add_func ("/cli/19-replace-hot-journal", test_replace_hot_journal);

  status = g_test_run ();

  test_remove_tree (tmp_dir);
  g_free (tmp_dir);
  g_free (db_path);

  return status;
}
