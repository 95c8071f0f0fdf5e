/* chancery-cli.c: chancery import | list | export
 *
 * Copyright 2026 The Chancery developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n.h>
#include <fcntl.h>
#include <errno.h>
#include <glib/gstdio.h>
#include <glib-unix.h>
#include <gio/gunixoutputstream.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "chancery-cli.h"
#include "chancery-error.h"
#include "chancery-export.h"
#include "chancery-import.h"
#include "chancery-locale.h"
#include "chancery-output-file.h"
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
  guint   given;   /* bit i: single_values[i] was given */
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

/* Text from a file or an argument, made safe to print on a terminal: a
 * control character (an escape sequence could retitle the terminal or
 * clear it; a line break would split a line of "list") becomes a space
 * where it separates words (tab, line breaks) and U+FFFD otherwise. */
static char *
printable (const char *raw)
{
  /* Arguments and file names are bytes: U+FFFD for what is not UTF-8. */
  g_autofree char *text = g_utf8_make_valid (raw, -1);
  GString *out = g_string_sized_new (strlen (text));

  for (const char *p = text; *p != '\0'; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      if (c == '\t' || c == '\n' || c == '\r')
        g_string_append_c (out, ' ');
      else if (g_unichar_iscntrl (c))
        g_string_append (out, "\357\277\275");
      else
        g_string_append_len (out, p, g_utf8_next_char (p) - p);
    }

  return g_string_free (out, FALSE);
}

static int
fail_message (const char *message)
{
  g_autofree char *safe = printable (message);

  g_printerr ("chancery: %s\n", safe);
  return EXIT_BAD_INPUT;
}

/* One line per problem (an import can list several), each marked as ours. */
static int
fail (const GError *error)
{
  g_auto(GStrv) lines = g_strsplit (error->message, "\n", -1);

  for (guint i = 0; lines[i] != NULL; i++)
    fail_message (lines[i]);
  return EXIT_BAD_INPUT;
}

/* Options that take one value. Given twice, the second would silently
 * replace the first, so set_once() refuses that. */
static const struct
{
  const char *long_name;
  char        short_name;
  gsize       offset;      /* of the char * (or int, when is_number) in Options */
  gboolean    is_number;
} single_values[] = {
  { "database", 'd', G_STRUCT_OFFSET (Options, database), FALSE },
  { "format", 'f', G_STRUCT_OFFSET (Options, format), FALSE },
  { "output", 'o', G_STRUCT_OFFSET (Options, output), FALSE },
  { "from", 0, G_STRUCT_OFFSET (Options, from), FALSE },
  { "to", 0, G_STRUCT_OFFSET (Options, to), FALSE },
  { "search", 0, G_STRUCT_OFFSET (Options, search), FALSE },
  { "width", 0, G_STRUCT_OFFSET (Options, width), TRUE },
  { "height", 0, G_STRUCT_OFFSET (Options, height), TRUE },
};

G_STATIC_ASSERT (G_N_ELEMENTS (single_values) <= 32);

static gboolean
option_given (const Options *o,
              const char    *long_name)
{
  for (guint i = 0; i < G_N_ELEMENTS (single_values); i++)
    if (g_str_equal (single_values[i].long_name, long_name))
      return (o->given & (1u << i)) != 0;
  g_assert_not_reached ();
}

static gboolean
set_value (Options     *o,
           guint        i,
           const char  *value,
           GError     **error)
{
  gpointer field = G_STRUCT_MEMBER_P (o, single_values[i].offset);
  g_autoptr(GError) parse_error = NULL;
  gint64 number;

  if (!single_values[i].is_number)
    {
      g_free (*(char **) field);
      /* A database is a file: SQLite would read ":memory:" as a database
       * kept in memory, and an import into it would be lost. */
      if (single_values[i].offset == G_STRUCT_OFFSET (Options, database) &&
          g_str_equal (value, ":memory:"))
        *(char **) field = g_strconcat ("./", value, NULL);
      else
        *(char **) field = g_strdup (value);
      return TRUE;
    }

  if (!g_ascii_string_to_signed (value, 10, G_MININT, G_MAXINT, &number, &parse_error))
    {
      if (g_error_matches (parse_error, G_NUMBER_PARSER_ERROR, G_NUMBER_PARSER_ERROR_OUT_OF_BOUNDS))
        g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                     _("--%s: “%s” is out of range"), single_values[i].long_name, value);
      else
        g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                     _("--%s: “%s” is not a whole number"), single_values[i].long_name, value);
      return FALSE;
    }
  *(int *) field = (int) number;
  return TRUE;
}

/* A GOptionArgFunc for the options in single_values; the group's data is
 * the Options. */
static gboolean
set_once (const char  *option_name,
          const char  *value,
          gpointer     data,
          GError     **error)
{
  Options *o = data;
  const char *name = option_name + strspn (option_name, "-");
  gboolean is_short = name[0] != '\0' && name[1] == '\0';

  for (guint i = 0; i < G_N_ELEMENTS (single_values); i++)
    {
      if (is_short ? name[0] != single_values[i].short_name
                   : strcmp (name, single_values[i].long_name) != 0)
        continue;

      if (o->given & (1u << i))
        {
          g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                       _("--%s is given more than once; give it once"),
                       single_values[i].long_name);
          return FALSE;
        }
      o->given |= 1u << i;
      return set_value (o, i, value, error);
    }

  g_assert_not_reached ();
}

/* "IRN,AZE" holds two values, as "--country IRN --country AZE" does. White
 * space around a value is dropped, and an empty value ("", or the end of
 * "ARM,") is ignored, as an empty --from or --search is. NULL when no
 * value is left. */
static char **
split_values (char **values)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_auto(GStrv) split = NULL;

  for (guint i = 0; values != NULL && values[i] != NULL; i++)
    {
      g_auto(GStrv) parts = g_strsplit (values[i], ",", -1);

      for (guint p = 0; parts[p] != NULL; p++)
        {
          g_strstrip (parts[p]);
          if (parts[p][0] != '\0')
            g_strv_builder_add (builder, parts[p]);
        }
    }

  split = g_strv_builder_end (builder);
  return split[0] != NULL ? g_steal_pointer (&split) : NULL;
}

static void
split_option_values (char ***values)
{
  char **split = split_values (*values);

  g_strfreev (*values);
  *values = split;
}

/* After parsing, the list options hold one value per element. */
static gboolean
on_filter_parsed_cb (GOptionContext  *context,
                     GOptionGroup    *group,
                     gpointer         data,
                     GError         **error)
{
  Options *o = data;

  split_option_values (&o->actors);
  split_option_values (&o->countries);
  split_option_values (&o->kinds);
  split_option_values (&o->statuses);
  return TRUE;
}

static void
add_filter_entries (GOptionContext *context,
                    Options        *o)
{
  const GOptionEntry entries[] = {
    { "actor", 0, 0, G_OPTION_ARG_STRING_ARRAY, &o->actors,
      N_("Only events with this actor (name or id; repeatable or comma-separated)"), N_("ACTOR") },
    { "country", 0, 0, G_OPTION_ARG_STRING_ARRAY, &o->countries,
      N_("Only events involving this country (ISO code such as IRN; repeatable or comma-separated)"), N_("CODE") },
    { "kind", 0, 0, G_OPTION_ARG_STRING_ARRAY, &o->kinds,
      N_("Only events of this kind (visit, meeting, talks, …; repeatable or comma-separated)"), N_("KIND") },
    { "status", 0, 0, G_OPTION_ARG_STRING_ARRAY, &o->statuses,
      N_("Only events with this status (occurred, planned, …; repeatable or comma-separated)"), N_("STATUS") },
    { "from", 0, 0, G_OPTION_ARG_CALLBACK, set_once,
      N_("Only events on or after this date (2025, 2025-06, 2025-12-08)"), N_("DATE") },
    { "to", 0, 0, G_OPTION_ARG_CALLBACK, set_once,
      N_("Only events on or before this date"), N_("DATE") },
    { "search", 0, 0, G_OPTION_ARG_CALLBACK, set_once,
      N_("Only events whose text matches these words (punctuation alone matches all)"), N_("TEXT") },
    { NULL }
  };
  GOptionGroup *group = g_option_group_new ("filter", _("Filters:"), _("Show filter options"), o, NULL);

  g_option_group_add_entries (group, entries);
  g_option_group_set_parse_hooks (group, NULL, on_filter_parsed_cb);
  g_option_group_set_translation_domain (group, GETTEXT_PACKAGE);
  g_option_context_add_group (context, group);
  g_option_context_set_description (context,
                                    _("Filters (see --help-filter): the values of one option are OR-ed,\n"
                                      "different options AND-ed; an empty value is ignored. An actor or a\n"
                                      "country that no event in the database has is an error, as a bad date is."));
}

/* The subcommand's own options; set_once() finds the Options as the
 * group's data. */
static void
add_main_entries (GOptionContext     *context,
                  const GOptionEntry *entries,
                  Options            *o)
{
  GOptionGroup *group = g_option_group_new (NULL, NULL, NULL, o, NULL);

  g_option_group_add_entries (group, entries);
  g_option_group_set_translation_domain (group, GETTEXT_PACKAGE);
  g_option_context_set_main_group (context, group);
}

/* on_filter_parsed_cb() has split the values already. */
static gboolean
add_values (char       **values,
            gboolean   (*add) (ChanceryFilter *, const char *, GError **),
            const char  *option,
            ChanceryFilter *filter,
            GError     **error)
{
  for (guint i = 0; values != NULL && values[i] != NULL; i++)
    {
      if (!add (filter, values[i], error))
        {
          g_prefix_error (error, "%s: ", option);
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

  if (!add_values (o->countries, chancery_filter_add_country, "--country", filter, error) ||
      !add_values (o->kinds, chancery_filter_add_kind, "--kind", filter, error) ||
      !add_values (o->statuses, chancery_filter_add_status, "--status", filter, error))
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

static void
print_version (void)
{
  g_print ("chancery %s\n", PACKAGE_VERSION);
}

/* Like GOption's own --help, --version ends the command where it stands. */
static gboolean
on_version_cb (const char  *option_name,
               const char  *value,
               gpointer     data,
               GError     **error)
{
  print_version ();
  exit (EXIT_SUCCESS);
}

static gboolean
parse_options (GOptionContext  *context,
               int             *argc,
               char          ***argv,
               GError         **error)
{
  const GOptionEntry version_entries[] = {
    { "version", 0, G_OPTION_FLAG_NO_ARG, G_OPTION_ARG_CALLBACK, on_version_cb,
      N_("Show the version"), NULL },
    { NULL }
  };

  g_option_context_add_main_entries (context, version_entries, GETTEXT_PACKAGE);
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

/* How many events match filter, in *n. */
static gboolean
count_events (ChanceryStore         *store,
              const ChanceryFilter  *filter,
              guint                 *n,
              GError               **error)
{
  g_autoptr(GError) local_error = NULL;

  *n = chancery_store_count_events (store, filter, &local_error);
  if (local_error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }

  return TRUE;
}

/* An actor or a country that no event has is far more likely a typo than
 * a question whose answer is "nothing", so it is refused, as a bad date
 * is. Each value is counted alone: together with the other filters, an
 * empty answer is a real answer. */
static gboolean
check_known_values (ChanceryStore  *store,
                    Options        *o,
                    GError        **error)
{
  const char *path = chancery_store_get_path (store);
  guint n;

  for (guint i = 0; o->actors != NULL && o->actors[i] != NULL; i++)
    {
      g_autoptr(ChanceryFilter) alone = chancery_filter_new ();

      chancery_filter_add_actor (alone, o->actors[i]);
      if (!count_events (store, alone, &n, error))
        return FALSE;
      if (n == 0)
        {
          g_set_error (error, CHANCERY_ERROR, CHANCERY_ERROR_INVALID_INPUT,
                       _("--actor: no event in %s has the actor “%s” (as an id or a name)"),
                       path, o->actors[i]);
          return FALSE;
        }
    }

  for (guint i = 0; o->countries != NULL && o->countries[i] != NULL; i++)
    {
      g_autoptr(ChanceryFilter) alone = chancery_filter_new ();

      if (!chancery_filter_add_country (alone, o->countries[i], error) ||
          !count_events (store, alone, &n, error))
        return FALSE;
      if (n == 0)
        {
          g_set_error (error, CHANCERY_ERROR, CHANCERY_ERROR_INVALID_INPUT,
                       _("--country: no event in %s involves the country “%s”"),
                       path, o->countries[i]);
          return FALSE;
        }
    }

  return TRUE;
}

/* The database the filters apply to, the actors and countries they name
 * checked against it. */
static ChanceryStore *
open_for_reading (Options  *o,
                  GError  **error)
{
  const char *path = o->database != NULL ? o->database : chancery_paths_get_default_database ();
  g_autoptr(ChanceryStore) store = chancery_store_open (path, CHANCERY_STORE_READ_ONLY, NULL, error);

  if (store == NULL || !check_known_values (store, o, error))
    return NULL;

  return g_steal_pointer (&store);
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
            GCancellable          *cancellable,
            GError               **error)
{
  if (g_strcmp0 (format, "gdelt") == 0)
    {
      ChanceryGdeltOptions gdelt = { o->countries, o->cameo_roots };
      gboolean ok;

      ok = chancery_import_gdelt_file (store, path, &gdelt, report, NULL, NULL, cancellable, error);
      name_file_in_messages (report, path);
      return ok;
    }

  /* The JSON importer names the file in its messages already. */
  return chancery_import_json_file (store, path, report, NULL, NULL, cancellable, error);
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
              GCancellable          *cancellable,
              GError               **error)
{
  for (*n_done = 0; o->files[*n_done] != NULL; (*n_done)++)
    {
      const char *path = o->files[*n_done];
      const char *format = o->format != NULL ? o->format : guess_format (path);
      ChanceryImportReport one;
      gboolean ok;

      chancery_import_report_init (&one);
      ok = import_one (store, path, format, o, &one, cancellable, error);
      if (ok)
        report_add (report, &one);
      chancery_import_report_clear (&one);
      if (!ok)
        return FALSE;
    }

  return TRUE;
}

/* The importer's rule, checked here before the database is opened (and,
 * without --replace, created). */
static gboolean
is_cameo_root (const char *text)
{
  gsize length = strlen (text);

  return length >= 1 && length <= 2 && strspn (text, "0123456789") == length &&
         atoi (text) >= 1 && atoi (text) <= 20;
}

/* --country and --cameo-root: split at commas like the filters, the codes
 * checked, and given only where they apply. */
static gboolean
check_gdelt_options (Options  *o,
                     GError  **error)
{
  const char *option;

  split_option_values (&o->countries);
  split_option_values (&o->cameo_roots);
  if (o->countries == NULL && o->cameo_roots == NULL)
    return TRUE;

  for (guint i = 0; o->countries != NULL && o->countries[i] != NULL; i++)
    {
      if (!chancery_filter_check_country (o->countries[i], error))
        {
          g_prefix_error (error, "--country: ");
          return FALSE;
        }
    }

  for (guint i = 0; o->cameo_roots != NULL && o->cameo_roots[i] != NULL; i++)
    {
      if (!is_cameo_root (o->cameo_roots[i]))
        {
          g_set_error (error, CHANCERY_ERROR, CHANCERY_ERROR_INVALID_INPUT,
                       _("“%s” is not a CAMEO root code (01 to 20)"), o->cameo_roots[i]);
          g_prefix_error (error, "--cameo-root: ");
          return FALSE;
        }
    }

  /* A JSON import has nothing to restrict: ignoring them would be a
   * silent surprise. */
  option = o->countries != NULL ? "--country" : "--cameo-root";
  for (guint i = 0; o->files != NULL && o->files[i] != NULL; i++)
    {
      const char *format = o->format != NULL ? o->format : guess_format (o->files[i]);

      if (g_str_equal (format, "json"))
        {
          g_set_error (error, CHANCERY_ERROR, CHANCERY_ERROR_INVALID_INPUT,
                       _("%s applies only to GDELT files; %s is read as JSON"),
                       option, o->files[i]);
          return FALSE;
        }
    }

  return TRUE;
}

static void
print_summary (const char                 *target,
               const ChanceryImportReport *report)
{
  g_autofree char *inserted = chancery_format_count (report->inserted);
  g_autofree char *updated = chancery_format_count (report->updated);
  g_autofree char *unchanged = chancery_format_count (report->unchanged);
  g_autoptr(GString) line = g_string_new (NULL);

  /* Translators: the parts of the command line's import summary, "FILE:
   * 12 new, 0 updated, 3 unchanged, 2 malformed rows skipped"; each %s is
   * a number of events (of rows, for the last) */
  g_string_append_printf (line, g_dngettext (GETTEXT_PACKAGE, "%s new", "%s new", report->inserted), inserted);
  g_string_append (line, _(", "));
  g_string_append_printf (line, g_dngettext (GETTEXT_PACKAGE, "%s updated", "%s updated", report->updated),
                          updated);
  g_string_append (line, _(", "));
  g_string_append_printf (line, g_dngettext (GETTEXT_PACKAGE, "%s unchanged", "%s unchanged", report->unchanged),
                          unchanged);
  if (report->filtered > 0)
    {
      g_autofree char *filtered = chancery_format_count (report->filtered);

      g_string_append (line, _(", "));
      g_string_append_printf (line, g_dngettext (GETTEXT_PACKAGE, "%s left out by the options",
                                                 "%s left out by the options", report->filtered),
                              filtered);
    }
  if (report->skipped > 0)
    {
      g_autofree char *skipped = chancery_format_count (report->skipped);

      g_string_append (line, _(", "));
      g_string_append_printf (line, g_dngettext (GETTEXT_PACKAGE, "%s malformed row skipped",
                                                 "%s malformed rows skipped", report->skipped),
                              skipped);
    }
  /* Translators: the database, then what an import did to it */
  g_print (_("%s: %s"), target, line->str);
  g_print ("\n");
  for (guint i = 0; i < report->messages->len; i++)
    fail_message ((char *) g_ptr_array_index (report->messages, i));
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
 * would write into: a Chancery database this version can write (or an
 * empty file), never another program's file or a newer Chancery's
 * database. Checked without changing it: a failed import leaves it as it
 * was. */
static gboolean
check_target (const char  *target,
              char       **files,
              gboolean     replace,
              GError     **error)
{
  GStatBuf st;

  if (g_stat (target, &st) == 0 && is_one_of (&st, files))
    {
      g_set_error (error, CHANCERY_ERROR, CHANCERY_ERROR_INVALID_INPUT,
                   _("%s: the database cannot be one of the files to import"), target);
      return FALSE;
    }

  if (!replace || (g_lstat (target, &st) != 0 && errno == ENOENT))
    return TRUE;

  return chancery_store_check_replaceable (target, error);
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

/* An import runs in a thread while the main thread waits for it and for
 * SIGINT, SIGTERM and SIGHUP: a signal cancels the import, which rolls
 * back (its commit too can be stopped), and run_import then removes what
 * it created, as for any failure (killed outright, the import would leave
 * a new database, its journal or the --replace file behind). The signals
 * stay caught until run_import has renamed or cleaned up; a second one
 * kills at once, for someone who will not wait for a rollback. */
typedef struct
{
  Options              *o;
  const char           *work_path;
  ChanceryImportReport *report;
  guint                 n_done;
  GError               *error;
  gboolean              ok;
  GCancellable         *cancellable;
  int                   signal;    /* the first signal received, or 0 */
  gint                  done;      /* atomic */
  guint                 sources[3];
} ImportJob;

static gpointer
import_thread (gpointer data)
{
  ImportJob *job = data;
  g_autoptr(ChanceryStore) store = NULL;

  store = chancery_store_open (job->work_path, CHANCERY_STORE_READ_WRITE | CHANCERY_STORE_CREATE,
                               job->cancellable, &job->error);
  job->ok = store != NULL &&
            import_files (store, job->o, job->report, &job->n_done, job->cancellable, &job->error);
  g_clear_object (&store);

  g_atomic_int_set (&job->done, TRUE);
  g_main_context_wakeup (NULL);
  return NULL;
}

static gboolean
on_import_signal (gpointer data,
                  int      signum)
{
  ImportJob *job = data;

  if (job->signal != 0)
    {
      signal (signum, SIG_DFL);
      raise (signum);
    }
  job->signal = signum;
  g_cancellable_cancel (job->cancellable);
  return G_SOURCE_CONTINUE;
}

static gboolean
on_sigint (gpointer data)
{
  return on_import_signal (data, SIGINT);
}

static gboolean
on_sigterm (gpointer data)
{
  return on_import_signal (data, SIGTERM);
}

static gboolean
on_sighup (gpointer data)
{
  return on_import_signal (data, SIGHUP);
}

/* Runs the import; the signals stay caught until import_job_finish(). */
static void
run_import_job (ImportJob *job)
{
  GThread *thread;

  job->sources[0] = g_unix_signal_add (SIGINT, on_sigint, job);
  job->sources[1] = g_unix_signal_add (SIGTERM, on_sigterm, job);
  job->sources[2] = g_unix_signal_add (SIGHUP, on_sighup, job);
  thread = g_thread_new ("chancery-import", import_thread, job);
  while (!g_atomic_int_get (&job->done))
    g_main_context_iteration (NULL, TRUE);
  g_thread_join (thread);
}

/* Signals pending are dispatched (into job->signal), then no longer
 * caught. */
static void
import_job_finish (ImportJob *job)
{
  while (g_main_context_iteration (NULL, FALSE))
    ;
  for (guint i = 0; i < G_N_ELEMENTS (job->sources); i++)
    g_source_remove (job->sources[i]);
  g_clear_object (&job->cancellable);
}

static int
run_import (int argc, char **argv)
{
  g_auto(Options) o = { 0 };
  const GOptionEntry entries[] = {
    { "database", 'd', G_OPTION_FLAG_FILENAME, G_OPTION_ARG_CALLBACK, set_once,
      N_("The database to import into (created if missing)"), N_("FILE") },
    { "format", 'f', 0, G_OPTION_ARG_CALLBACK, set_once,
      N_("json (Chancery’s format) or gdelt (GDELT 1.0/2.0 event files, plain or zipped)"), N_("FORMAT") },
    { "country", 0, 0, G_OPTION_ARG_STRING_ARRAY, &o.countries,
      N_("GDELT: keep events where an actor is from this country (repeatable or comma-separated)"), N_("CODE") },
    { "cameo-root", 0, 0, G_OPTION_ARG_STRING_ARRAY, &o.cameo_roots,
      N_("GDELT: keep these CAMEO root codes (repeatable or comma-separated; default 01 to 06)"), N_("CODE") },
    { "replace", 0, 0, G_OPTION_ARG_NONE, &o.replace,
      N_("Build a new database, replacing the file only when the import succeeds"), NULL },
    /* The usage line names the files: the context's parameter string. */
    { G_OPTION_REMAINING, 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &o.files, NULL, NULL },
    { NULL }
  };
  g_autoptr(GOptionContext) context = g_option_context_new (_("FILE… — import events into a database"));
  g_autoptr(GError) error = NULL;
  g_autofree char *user_database = chancery_paths_dup_user_database ();
  g_autofree char *description = NULL;
  g_autofree char *target = NULL;
  g_autofree char *work_path = NULL;
  ChanceryImportReport report;
  ImportJob job;
  GStatBuf st;
  gboolean created, was_empty;
  guint n_done = 0;
  gboolean ok;

  add_main_entries (context, entries, &o);
  /* Translators: %s is a file name; "list" and "export" are commands */
  description = g_strdup_printf (_("Without --database, events go into your own database, %s.\n"
                                   "list and export read the bundled dataset unless --database names another."),
                                 user_database);
  g_option_context_set_description (context, description);
  if (!parse_options (context, &argc, &argv, &error))
    return fail (error);

  if (o.files == NULL || o.files[0] == NULL)
    return fail_message (_("import: name at least one file to import"));
  if (o.format != NULL && !g_str_equal (o.format, "json") && !g_str_equal (o.format, "gdelt"))
    return fail_message (_("import: --format must be json or gdelt"));
  if (!check_gdelt_options (&o, &error))
    return fail (error);

  if (o.database != NULL && o.database[0] == '\0')
    return fail_message (_("The database’s file name is empty"));
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
  /* An empty file is a place to create the database in: a failure leaves
   * it empty again. */
  was_empty = !created && S_ISREG (st.st_mode) && st.st_size == 0;

  chancery_import_report_init (&report);
  job = (ImportJob) { &o, work_path, &report, 0, NULL, FALSE, g_cancellable_new (), 0, 0, { 0 } };
  run_import_job (&job);
  ok = job.ok;
  n_done = job.n_done;
  error = g_steal_pointer (&job.error);

  /* A signal after the import but before the rename still stops it. */
  while (g_main_context_iteration (NULL, FALSE))
    ;
  if (ok && job.signal != 0 && (created || o.replace))
    ok = FALSE;

  /* The new file takes the place of the old one with its owner and
   * permissions (a private database stays private), not the umask's. */
  if (ok && o.replace && g_stat (target, &st) == 0)
    {
      int fd = g_open (work_path, O_RDONLY | O_CLOEXEC, 0);
      int saved = fd < 0 ? errno : chancery_output_file_copy_permissions (fd, &st);

      if (fd >= 0)
        close (fd);
      if (saved != 0)
        {
          g_set_error (&error, CHANCERY_ERROR, CHANCERY_ERROR_IO,
                       _("%s: cannot give it the permissions of %s: %s"),
                       work_path, target, g_strerror (saved));
          ok = FALSE;
        }
    }
  if (ok && o.replace && g_rename (work_path, target) != 0)
    {
      g_set_error (&error, CHANCERY_ERROR, CHANCERY_ERROR_IO, _("%s: cannot replace: %s"),
                   target, g_strerror (errno));
      ok = FALSE;
    }

  if (!ok)
    {
      int status;

      if (job.signal != 0)
        {
          g_clear_error (&error);
          g_set_error (&error, CHANCERY_ERROR, CHANCERY_ERROR_IO, _("%s: import interrupted (%s)"),
                       target, g_strsignal (job.signal));
        }
      if (created)
        g_unlink (work_path);
      else if (was_empty && n_done == 0 && truncate (work_path, 0) != 0)
        g_printerr ("chancery: %s: %s\n", work_path, g_strerror (errno));
      if (o.replace)
        name_target_in_error (error, work_path, target);
      import_job_finish (&job);
      if (!created && n_done > 0)
        status = fail_partly_imported (target, &report, o.files[n_done], error);
      else
        status = fail (error);
      chancery_import_report_clear (&report);
      /* Interrupted: the shell's status for the signal, as if it had
       * killed us, once nothing is left half-written. */
      return job.signal != 0 ? 128 + job.signal : status;
    }

  /* Done: a signal now comes too late to undo anything. */
  import_job_finish (&job);
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
  g_autofree char *title = printable (event->title);

  g_string_printf (line, "%s\t%s\t%s\t", date, chancery_kind_to_string (event->kind), title);
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
    { "database", 'd', G_OPTION_FLAG_FILENAME, G_OPTION_ARG_CALLBACK, set_once,
      N_("The database to read (default: the bundled dataset)"), N_("FILE") },
    { NULL }
  };
  g_autoptr(GOptionContext) context = g_option_context_new (_("— list events, one a line"));
  g_autoptr(GError) error = NULL;
  g_autoptr(ChanceryStore) store = NULL;
  g_autoptr(ChanceryFilter) filter = NULL;

  add_main_entries (context, entries, &o);
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

  /* Without --height, every lane in full, as the window's pictures: at
   * least 900 pixels, taller when the lanes need it. */
  if (option_given (o, "height") ?
      !chancery_timeline_render_to_file (index, start, end, o->width, o->height, o->dark,
                                         o->format, o->output, &error) :
      !chancery_timeline_render_lanes_to_file (index, start, end, o->width, o->height, o->dark,
                                               o->format, o->output, &error))
    return fail (error);

  return 0;
}

static int
run_export (int argc, char **argv)
{
  g_auto(Options) o = { .width = 1600, .height = 900 };
  const GOptionEntry entries[] = {
    { "database", 'd', G_OPTION_FLAG_FILENAME, G_OPTION_ARG_CALLBACK, set_once,
      N_("The database to read (default: the bundled dataset)"), N_("FILE") },
    { "format", 'f', 0, G_OPTION_ARG_CALLBACK, set_once,
      N_("json, csv, ics, png, svg or pdf"), N_("FORMAT") },
    { "output", 'o', G_OPTION_FLAG_FILENAME, G_OPTION_ARG_CALLBACK, set_once,
      N_("Write to this file (default, or -: standard output)"), N_("FILE") },
    { "width", 0, 0, G_OPTION_ARG_CALLBACK, set_once, N_("Picture width in pixels (default 1600)"), N_("PIXELS") },
    { "height", 0, 0, G_OPTION_ARG_CALLBACK, set_once, N_("Picture height in pixels (default: every lane in full, at least 900)"), N_("PIXELS") },
    { "dark", 0, 0, G_OPTION_ARG_NONE, &o.dark, N_("Pictures in the dark style"), NULL },
    { NULL }
  };
  g_autoptr(GOptionContext) context = g_option_context_new (_("— export the filtered events"));
  g_autoptr(GError) error = NULL;
  g_autoptr(ChanceryStore) store = NULL;
  g_autoptr(ChanceryFilter) filter = NULL;
  ChanceryExportFormat format;

  add_main_entries (context, entries, &o);
  add_filter_entries (context, &o);
  if (!parse_options (context, &argc, &argv, &error))
    return fail (error);
  if (argc > 1)
    return fail_message (_("export: unexpected argument; use --output FILE to name the file"));
  if (o.output != NULL && *o.output == '\0')
    return fail_message (_("export: --output names no file; give a file name, or - for standard output"));
  /* "-o -" is standard output, as for most tools, not a file named "-". */
  if (g_strcmp0 (o.output, "-") == 0)
    g_clear_pointer (&o.output, g_free);

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

/* Levenshtein distance, for "did you mean". Both are short words. */
static guint
edit_distance (const char *a,
               const char *b)
{
  gsize len_b = strlen (b);
  g_autofree guint *row = g_new (guint, len_b + 1);

  for (gsize j = 0; j <= len_b; j++)
    row[j] = j;

  for (gsize i = 1; a[i - 1] != '\0'; i++)
    {
      guint diagonal = row[0];

      row[0] = i;
      for (gsize j = 1; j <= len_b; j++)
        {
          guint above = row[j];
          guint cost = g_ascii_tolower (a[i - 1]) == b[j - 1] ? 0 : 1;

          row[j] = MIN (MIN (above + 1, row[j - 1] + 1), diagonal + cost);
          diagonal = above;
        }
    }

  return row[len_b];
}

/* The window opens files: "events.json", "~/db/kayhan.chancery". A first
 * argument with neither a dot nor a slash, and no file of that name, was
 * meant as a command (a mistyped one), not as a file. */
static gboolean
is_mistyped_command (const char *arg)
{
  return arg[0] != '\0' && arg[0] != '-' && strpbrk (arg, "./") == NULL &&
         !g_file_test (arg, G_FILE_TEST_EXISTS);
}

static int
fail_unknown_command (const char *name)
{
  g_autofree char *message = NULL;
  const char *closest = NULL;
  guint best = 3;   /* further than two edits is no longer a typo */

  for (guint i = 0; i < G_N_ELEMENTS (commands); i++)
    {
      guint distance = edit_distance (name, commands[i].name);

      if (distance < best)
        {
          best = distance;
          closest = commands[i].name;
        }
    }

  if (closest != NULL)
    message = g_strdup_printf (_("unknown command “%s”; did you mean “%s”?"), name, closest);
  else
    message = g_strdup_printf (_("unknown command “%s”; the commands are import, list and export"),
                               name);
  return fail_message (message);
}

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

  return g_str_equal (argv[1], "--version") || is_mistyped_command (argv[1]);
}

int
chancery_cli_run (int    argc,
                  char **argv)
{
  if (g_str_equal (argv[1], "--version"))
    {
      print_version ();
      return 0;
    }

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

  return fail_unknown_command (argv[1]);
}
