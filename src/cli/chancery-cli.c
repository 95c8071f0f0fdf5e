/* chancery-cli.c: chancery import | list | export
 *
 * Copyright 2026 The Chancery developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n.h>
#include <errno.h>
#include <glib/gstdio.h>
#include <gio/gunixoutputstream.h>
#include <string.h>
#include <unistd.h>

#include "chancery-cli.h"
#include "chancery-error.h"
#include "chancery-export.h"
#include "chancery-import.h"
#include "chancery-paths.h"
#include "chancery-store.h"
#include "chancery-timeline.h"

#define EXIT_BAD_INPUT 2

typedef struct
{
  char   *database;
  char  **actors;
  char  **countries;
  char  **kinds;
  char  **statuses;
  char   *from;
  char   *to;
  char   *search;
  char   *format;
  char   *output;
  int     width;
  int     height;
  gboolean dark;
  gboolean replace;
  char  **cameo_roots;
  char  **files;
} Options;

static void
options_clear (Options *o)
{
  g_free (o->database);
  g_strfreev (o->actors);
  g_strfreev (o->countries);
  g_strfreev (o->kinds);
  g_strfreev (o->statuses);
  g_free (o->from);
  g_free (o->to);
  g_free (o->search);
  g_free (o->format);
  g_free (o->output);
  g_strfreev (o->cameo_roots);
  g_strfreev (o->files);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Options, options_clear)

/* One line per problem (an import can list several), each marked as ours. */
static int
fail (const GError *error)
{
  g_auto(GStrv) lines = g_strsplit (error->message, "\n", -1);

  for (guint i = 0; lines[i] != NULL; i++)
    g_printerr ("chancery: %s\n", lines[i]);
  return EXIT_BAD_INPUT;
}

static int
fail_message (const char *message)
{
  g_printerr ("chancery: %s\n", message);
  return EXIT_BAD_INPUT;
}

static void
add_filter_entries (GOptionContext *context,
                    Options        *o)
{
  const GOptionEntry entries[] = {
    { "actor", 0, 0, G_OPTION_ARG_STRING_ARRAY, &o->actors,
      N_("Only events with this actor (name or id; repeatable)"), N_("ACTOR") },
    { "country", 0, 0, G_OPTION_ARG_STRING_ARRAY, &o->countries,
      N_("Only events involving this country (ISO code such as IRN; repeatable)"), N_("CODE") },
    { "kind", 0, 0, G_OPTION_ARG_STRING_ARRAY, &o->kinds,
      N_("Only events of this kind (visit, meeting, talks, …; repeatable)"), N_("KIND") },
    { "status", 0, 0, G_OPTION_ARG_STRING_ARRAY, &o->statuses,
      N_("Only events with this status (occurred, planned, …; repeatable)"), N_("STATUS") },
    { "from", 0, 0, G_OPTION_ARG_STRING, &o->from,
      N_("Only events on or after this date (2025, 2025-06, 2025-12-08)"), N_("DATE") },
    { "to", 0, 0, G_OPTION_ARG_STRING, &o->to,
      N_("Only events on or before this date"), N_("DATE") },
    { "search", 0, 0, G_OPTION_ARG_STRING, &o->search,
      N_("Only events whose text matches these words"), N_("TEXT") },
    { NULL }
  };
  GOptionGroup *group = g_option_group_new ("filter", _("Filters:"), _("Show filter options"), NULL, NULL);

  g_option_group_add_entries (group, entries);
  g_option_group_set_translation_domain (group, GETTEXT_PACKAGE);
  g_option_context_add_group (context, group);
}

/* Each value may also hold several, separated by commas. */
static gboolean
add_values (char       **values,
            gboolean   (*add) (ChanceryFilter *, const char *, GError **),
            ChanceryFilter *filter,
            GError     **error)
{
  for (guint i = 0; values != NULL && values[i] != NULL; i++)
    {
      g_auto(GStrv) parts = g_strsplit (values[i], ",", -1);

      for (guint p = 0; parts[p] != NULL; p++)
        {
          g_strstrip (parts[p]);
          if (!add (filter, parts[p], error))
            return FALSE;
        }
    }

  return TRUE;
}

static ChanceryFilter *
build_filter (Options  *o,
              GError  **error)
{
  g_autoptr(ChanceryFilter) filter = chancery_filter_new ();

  for (guint i = 0; o->actors != NULL && o->actors[i] != NULL; i++)
    chancery_filter_add_actor (filter, o->actors[i]);

  if (!add_values (o->countries, chancery_filter_add_country, filter, error) ||
      !add_values (o->kinds, chancery_filter_add_kind, filter, error) ||
      !add_values (o->statuses, chancery_filter_add_status, filter, error))
    return NULL;

  if (!chancery_filter_set_from (filter, o->from, error))
    {
      g_prefix_error (error, "--from: ");
      return NULL;
    }
  if (!chancery_filter_set_to (filter, o->to, error))
    {
      g_prefix_error (error, "--to: ");
      return NULL;
    }
  if (filter->has_from && filter->has_to && filter->from_day > filter->to_day)
    {
      g_set_error (error, CHANCERY_ERROR, CHANCERY_ERROR_INVALID_INPUT,
                   _("--from %s is after --to %s"), o->from, o->to);
      return NULL;
    }

  chancery_filter_set_text (filter, o->search);
  return g_steal_pointer (&filter);
}

static gboolean
parse_options (GOptionContext  *context,
               int             *argc,
               char          ***argv,
               GError         **error)
{
  if (!g_option_context_parse (context, argc, argv, error))
    {
      const char *command = (*argv)[0];

      /* fail() already says "chancery: "; name only the subcommand. */
      if (g_str_has_prefix (command, "chancery "))
        command += strlen ("chancery ");
      g_prefix_error (error, "%s: ", command);
      return FALSE;
    }

  return TRUE;
}

static ChanceryStore *
open_for_reading (Options  *o,
                  GError  **error)
{
  const char *path = o->database != NULL ? o->database : chancery_paths_get_default_database ();

  return chancery_store_open (path, CHANCERY_STORE_READ_ONLY, NULL, error);
}

/* import */

/* The importers' messages say "line 17: …"; with several files each
 * must say which file it is about. */
static void
name_file_in_messages (ChanceryImportReport *report,
                       const char           *path)
{
  for (guint i = 0; i < report->messages->len; i++)
    {
      char *message = report->messages->pdata[i];

      report->messages->pdata[i] = g_strdup_printf ("%s: %s", path, message);
      g_free (message);
    }
}

static gboolean
import_one (ChanceryStore         *store,
            const char            *path,
            const char            *format,
            Options               *o,
            ChanceryImportReport  *report,
            GError               **error)
{
  if (g_strcmp0 (format, "gdelt") == 0)
    {
      ChanceryGdeltOptions gdelt = { o->countries, o->cameo_roots };
      gboolean ok;

      ok = chancery_import_gdelt_file (store, path, &gdelt, report, NULL, NULL, NULL, error);
      name_file_in_messages (report, path);
      return ok;
    }

  /* The JSON importer names the file in its messages already. */
  return chancery_import_json_file (store, path, report, NULL, NULL, NULL, error);
}

static const char *
guess_format (const char *path)
{
  g_autofree char *lower = g_ascii_strdown (path, -1);

  if (g_str_has_suffix (lower, ".json"))
    return "json";
  if (g_str_has_suffix (lower, ".csv") || g_str_has_suffix (lower, ".tsv") ||
      g_str_has_suffix (lower, ".zip") || g_str_has_suffix (lower, ".txt"))
    return "gdelt";
  return "json";
}

static void
report_add (ChanceryImportReport *total,
            ChanceryImportReport *one)
{
  total->inserted += one->inserted;
  total->updated += one->updated;
  total->unchanged += one->unchanged;
  total->skipped += one->skipped;
  total->filtered += one->filtered;
  for (guint i = 0; i < one->messages->len; i++)
    g_ptr_array_add (total->messages, g_strdup (g_ptr_array_index (one->messages, i)));
}

/* Each file is one transaction (the importers' own): a file that fails
 * writes nothing, but the files before it are committed. *n_done is set
 * to their number, and report to what they brought. */
static gboolean
import_files (ChanceryStore         *store,
              Options               *o,
              ChanceryImportReport  *report,
              guint                 *n_done,
              GError               **error)
{
  for (*n_done = 0; o->files[*n_done] != NULL; (*n_done)++)
    {
      const char *path = o->files[*n_done];
      const char *format = o->format != NULL ? o->format : guess_format (path);
      ChanceryImportReport one;
      gboolean ok;

      chancery_import_report_init (&one);
      ok = import_one (store, path, format, o, &one, error);
      if (ok)
        report_add (report, &one);
      chancery_import_report_clear (&one);
      if (!ok)
        return FALSE;
    }

  return TRUE;
}

static void
print_summary (const char                 *target,
               const ChanceryImportReport *report)
{
  g_print (_("%s: %u new, %u updated, %u unchanged"),
           target, report->inserted, report->updated, report->unchanged);
  if (report->filtered > 0)
    g_print (_(", %u left out by the options"), report->filtered);
  if (report->skipped > 0)
    g_print (_(", %u malformed rows skipped"), report->skipped);
  g_print ("\n");
  for (guint i = 0; i < report->messages->len; i++)
    g_printerr ("chancery: %s\n", (char *) g_ptr_array_index (report->messages, i));
}

static gboolean
is_one_of (const GStatBuf  *st,
           char           **files)
{
  for (guint i = 0; files[i] != NULL; i++)
    {
      GStatBuf other;

      if (g_stat (files[i], &other) == 0 && other.st_dev == st->st_dev && other.st_ino == st->st_ino)
        return TRUE;
    }

  return FALSE;
}

/* The database must not be one of the files to import (--replace would
 * rename over it), and --replace renames only over what a plain import
 * would write into: a Chancery database this version opens for writing,
 * never another program's file or a newer Chancery's database. Opening
 * it as an import does runs those checks. */
static gboolean
check_target (const char  *target,
              char       **files,
              gboolean     replace,
              GError     **error)
{
  g_autoptr(ChanceryStore) store = NULL;
  GStatBuf st;

  if (g_stat (target, &st) == 0 && is_one_of (&st, files))
    {
      g_set_error (error, CHANCERY_ERROR, CHANCERY_ERROR_INVALID_INPUT,
                   _("%s: the database cannot be one of the files to import"), target);
      return FALSE;
    }

  if (!replace || (g_lstat (target, &st) != 0 && errno == ENOENT))
    return TRUE;

  store = chancery_store_open (target, CHANCERY_STORE_READ_WRITE | CHANCERY_STORE_CREATE, NULL, error);
  return store != NULL;
}

/* Errors from the store name the file it opened: with --replace, the
 * temporary one, which the user never named. */
static void
name_target_in_error (GError     *error,
                      const char *work_path,
                      const char *target)
{
  GString *message = g_string_new (error->message);

  g_string_replace (message, work_path, target, 0);
  g_free (error->message);
  error->message = g_string_free (message, FALSE);
}

/* Into a database that was there before, the files before the one that
 * failed are committed: say what they brought, what failed, and that
 * the rest is not in. */
static int
fail_partly_imported (const char                 *target,
                      const ChanceryImportReport *report,
                      const char                 *failed_file,
                      const GError               *error)
{
  g_autofree char *rest = g_strdup_printf (_("%s: only the files before %s were imported"),
                                           target, failed_file);

  print_summary (target, report);
  fail (error);
  return fail_message (rest);
}

static int
run_import (int argc, char **argv)
{
  g_auto(Options) o = { 0 };
  const GOptionEntry entries[] = {
    { "database", 'd', 0, G_OPTION_ARG_FILENAME, &o.database,
      N_("The database to import into (created if missing)"), N_("FILE") },
    { "format", 'f', 0, G_OPTION_ARG_STRING, &o.format,
      N_("json (Chancery’s format) or gdelt (GDELT 1.0/2.0 event files, plain or zipped)"), N_("FORMAT") },
    { "country", 0, 0, G_OPTION_ARG_STRING_ARRAY, &o.countries,
      N_("GDELT: keep events where an actor is from this country (repeatable)"), N_("CODE") },
    { "cameo-root", 0, 0, G_OPTION_ARG_STRING_ARRAY, &o.cameo_roots,
      N_("GDELT: keep these CAMEO root codes (repeatable; default 01 to 06)"), N_("CODE") },
    { "replace", 0, 0, G_OPTION_ARG_NONE, &o.replace,
      N_("Build a new database, replacing the file only when the import succeeds"), NULL },
    { G_OPTION_REMAINING, 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &o.files, NULL, N_("FILE…") },
    { NULL }
  };
  g_autoptr(GOptionContext) context = g_option_context_new (_("FILE… — import events into a database"));
  g_autoptr(GError) error = NULL;
  g_autoptr(ChanceryStore) store = NULL;
  g_autofree char *target = NULL;
  g_autofree char *work_path = NULL;
  ChanceryImportReport report;
  GStatBuf st;
  gboolean created;
  guint n_done = 0;
  gboolean ok;

  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  if (!parse_options (context, &argc, &argv, &error))
    return fail (error);

  if (o.files == NULL || o.files[0] == NULL)
    return fail_message (_("import: name at least one file to import"));
  if (o.format != NULL && !g_str_equal (o.format, "json") && !g_str_equal (o.format, "gdelt"))
    return fail_message (_("import: --format must be json or gdelt"));

  target = o.database != NULL ? g_strdup (o.database) : chancery_paths_dup_user_database ();
  if (o.database == NULL)
    {
      g_autofree char *dir = g_path_get_dirname (target);
      g_mkdir_with_parents (dir, 0700);
    }

  if (!check_target (target, o.files, o.replace, &error))
    return fail (error);

  /* --replace builds beside the target and renames only on success. */
  work_path = o.replace ? g_strdup_printf ("%s.import-%d", target, getpid ()) : g_strdup (target);
  if (o.replace)
    g_unlink (work_path);
  /* A database this import creates is removed if it fails: a failed
   * import leaves no empty database behind, and writes nothing at all. */
  created = g_lstat (work_path, &st) != 0 && errno == ENOENT;

  chancery_import_report_init (&report);
  store = chancery_store_open (work_path, CHANCERY_STORE_READ_WRITE | CHANCERY_STORE_CREATE, NULL, &error);
  ok = store != NULL && import_files (store, &o, &report, &n_done, &error);
  g_clear_object (&store);

  if (ok && o.replace && g_rename (work_path, target) != 0)
    {
      g_set_error (&error, CHANCERY_ERROR, CHANCERY_ERROR_IO, _("%s: cannot replace: %s"),
                   target, g_strerror (errno));
      ok = FALSE;
    }

  if (!ok)
    {
      int status;

      if (created)
        g_unlink (work_path);
      if (o.replace)
        name_target_in_error (error, work_path, target);
      if (!created && n_done > 0)
        status = fail_partly_imported (target, &report, o.files[n_done], error);
      else
        status = fail (error);
      chancery_import_report_clear (&report);
      return status;
    }

  print_summary (target, &report);
  chancery_import_report_clear (&report);

  return 0;
}

/* list */

static gboolean
set_output_error (GError **error,
                  int      saved_errno)
{
  g_set_error (error, CHANCERY_ERROR, CHANCERY_ERROR_IO,
               _("standard output: %s"), g_strerror (saved_errno));
  return FALSE;
}

/* As g_print() writes, in the console's character set, but buffered (no
 * flush a line) and with its errors seen: a full disk, a closed output. */
static gboolean
print_text (const char  *text,
            GError     **error)
{
  g_autofree char *converted = NULL;
  const char *charset;

  if (!g_get_console_charset (&charset))
    converted = g_convert_with_fallback (text, -1, charset, "UTF-8", "?", NULL, NULL, NULL);
  if (fputs (converted != NULL ? converted : text, stdout) == EOF)
    return set_output_error (error, errno);

  return TRUE;
}

static gboolean
print_event (ChanceryEvent  *event,
             gpointer        user_data,
             GError        **error)
{
  g_autoptr(GString) line = g_string_new (NULL);
  g_autofree char *date = chancery_date_format (&event->date);

  g_string_printf (line, "%s\t%s\t%s\t", date, chancery_kind_to_string (event->kind), event->title);
  for (guint i = 0; i < event->countries->len; i++)
    {
      const ChanceryEventCountry *c = g_ptr_array_index (event->countries, i);

      if (i > 0)
        g_string_append (line, ", ");
      g_string_append (line, c->code);
    }
  g_string_append_c (line, '\n');

  return print_text (line->str, error);
}

static int
run_list (int argc, char **argv)
{
  g_auto(Options) o = { 0 };
  const GOptionEntry entries[] = {
    { "database", 'd', 0, G_OPTION_ARG_FILENAME, &o.database,
      N_("The database to read (default: the bundled dataset)"), N_("FILE") },
    { NULL }
  };
  g_autoptr(GOptionContext) context = g_option_context_new (_("— list events, one a line"));
  g_autoptr(GError) error = NULL;
  g_autoptr(ChanceryStore) store = NULL;
  g_autoptr(ChanceryFilter) filter = NULL;

  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  add_filter_entries (context, &o);
  if (!parse_options (context, &argc, &argv, &error))
    return fail (error);
  if (argc > 1)
    return fail_message (_("list: unexpected argument; filters are given as options such as --country IRN"));

  if (!(filter = build_filter (&o, &error)) || !(store = open_for_reading (&o, &error)))
    return fail (error);

  if (!chancery_store_foreach_event (store, filter, print_event, NULL, NULL, &error))
    return fail (error);
  if (fflush (stdout) != 0)
    {
      set_output_error (&error, errno);
      return fail (error);
    }

  return 0;
}

/* export */

static gboolean
is_picture_format (const char *format)
{
  return g_strcmp0 (format, "png") == 0 || g_strcmp0 (format, "svg") == 0 ||
         g_strcmp0 (format, "pdf") == 0;
}

static int
export_picture (ChanceryStore  *store,
                ChanceryFilter *filter,
                Options        *o)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ChanceryIndex) index = NULL;
  double start, end;

  if (o->output == NULL)
    return fail_message (_("export: pictures need --output FILE"));
  if (!chancery_export_check_target (store, o->output, &error))
    return fail (error);

  index = chancery_store_load_index (store, filter, CHANCERY_GROUP_COUNTRY, NULL, &error);
  if (index == NULL)
    return fail (error);

  start = filter->has_from ? filter->from_day : index->min_day;
  end = (filter->has_to ? filter->to_day : index->max_day) + 1;
  if (index->n_events == 0 && !filter->has_from && !filter->has_to)
    {
      start = chancery_day_today () - 365;
      end = chancery_day_today () + 1;
    }
  else
    {
      double margin = MAX (1.0, (end - start) * 0.03);
      if (!filter->has_from)
        start -= margin;
      if (!filter->has_to)
        end += margin;
    }

  if (!chancery_timeline_render_to_file (index, start, end, o->width, o->height, o->dark,
                                         o->format, o->output, &error))
    return fail (error);

  return 0;
}

static int
run_export (int argc, char **argv)
{
  g_auto(Options) o = { .width = 1600, .height = 900 };
  const GOptionEntry entries[] = {
    { "database", 'd', 0, G_OPTION_ARG_FILENAME, &o.database,
      N_("The database to read (default: the bundled dataset)"), N_("FILE") },
    { "format", 'f', 0, G_OPTION_ARG_STRING, &o.format,
      N_("json, csv, ics, png, svg or pdf"), N_("FORMAT") },
    { "output", 'o', 0, G_OPTION_ARG_FILENAME, &o.output,
      N_("Write to this file (default: standard output)"), N_("FILE") },
    { "width", 0, 0, G_OPTION_ARG_INT, &o.width, N_("Picture width in pixels (default 1600)"), N_("PIXELS") },
    { "height", 0, 0, G_OPTION_ARG_INT, &o.height, N_("Picture height in pixels (default 900)"), N_("PIXELS") },
    { "dark", 0, 0, G_OPTION_ARG_NONE, &o.dark, N_("Pictures in the dark style"), NULL },
    { NULL }
  };
  g_autoptr(GOptionContext) context = g_option_context_new (_("— export the filtered events"));
  g_autoptr(GError) error = NULL;
  g_autoptr(ChanceryStore) store = NULL;
  g_autoptr(ChanceryFilter) filter = NULL;
  ChanceryExportFormat format;

  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  add_filter_entries (context, &o);
  if (!parse_options (context, &argc, &argv, &error))
    return fail (error);
  if (argc > 1)
    return fail_message (_("export: unexpected argument; use --output FILE to name the file"));

  if (o.format == NULL)
    return fail_message (_("export: --format is required (json, csv, ics, png, svg or pdf)"));
  if (!is_picture_format (o.format) && !chancery_export_format_from_string (o.format, &format))
    {
      g_autofree char *message = g_strdup_printf (_("export: unknown format “%s”; expected json, csv, ics, png, svg or pdf"), o.format);
      return fail_message (message);
    }

  if (!(filter = build_filter (&o, &error)) || !(store = open_for_reading (&o, &error)))
    return fail (error);

  if (is_picture_format (o.format))
    return export_picture (store, filter, &o);

  if (o.output != NULL)
    {
      if (!chancery_export_to_file (store, filter, format, o.output, NULL, &error))
        return fail (error);
    }
  else
    {
      g_autoptr(GOutputStream) out = g_unix_output_stream_new (STDOUT_FILENO, FALSE);

      if (!chancery_export_to_stream (store, filter, format, out, NULL, &error))
        return fail (error);
    }

  return 0;
}

static const struct
{
  const char *name;
  int (*run) (int argc, char **argv);
} commands[] = {
  { "import", run_import },
  { "list", run_list },
  { "export", run_export },
};

gboolean
chancery_cli_is_subcommand (int    argc,
                            char **argv)
{
  if (argc < 2)
    return FALSE;

  for (guint i = 0; i < G_N_ELEMENTS (commands); i++)
    {
      if (g_str_equal (argv[1], commands[i].name))
        return TRUE;
    }

  return FALSE;
}

int
chancery_cli_run (int    argc,
                  char **argv)
{
  for (guint i = 0; i < G_N_ELEMENTS (commands); i++)
    {
      if (g_str_equal (argv[1], commands[i].name))
        {
          g_autofree char *prgname = g_strdup_printf ("chancery %s", commands[i].name);

          g_set_prgname (prgname);
          argv[1] = prgname;
          return commands[i].run (argc - 1, argv + 1);
        }
    }

  return EXIT_BAD_INPUT;
}
