/* chancery-import-task.c: importing event files into a writable dataset
 *
 * Copyright 2026 The Chancery developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The import runs in a thread with a read-write connection of its own.
 * The importers report progress from that thread; they store it in the
 * job atomically and the main thread shows it ten times a second, which
 * costs the import nothing however often it reports. Each file is one
 * transaction, so Cancel leaves nothing of that file written; a new
 * database is built under a temporary name and only renamed into place
 * when every file is in.
 */
#include "config.h"

#include <errno.h>
#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <string.h>
#include <unistd.h>

#include "chancery-locale.h"
#include "chancery-application.h"
#include "chancery-error.h"
#include "chancery-import-task.h"
#include "chancery-paths.h"
#include "chancery-transfer.h"

#define PROGRESS_INTERVAL_MS 100
#define MAX_DETAIL_LINES     20

typedef struct
{
  GStrv                  paths;
  GStrv                  countries;
  GStrv                  cameo_roots;
  char                  *target;         /* the database written into */
  char                  *name;           /* a new database's name */
  gboolean               new_database;
  int                    progress;       /* permille of all files, atomic */
  int                    n_done;         /* files committed, atomic */
  ChanceryImportReport   report;
  ChanceryProgressToast *progress_toast;
  guint                  progress_id;
} ImportJob;

static void
import_job_free (ImportJob *job)
{
  g_strfreev (job->paths);
  g_strfreev (job->countries);
  g_strfreev (job->cameo_roots);
  g_free (job->target);
  g_free (job->name);
  chancery_import_report_clear (&job->report);
  g_assert (job->progress_toast == NULL);
  g_assert (job->progress_id == 0);
  g_free (job);
}

/* Helpers */

static gboolean
has_suffix (const char *path,
            const char *suffix)
{
  gsize n = strlen (path), m = strlen (suffix);

  return n >= m && g_ascii_strcasecmp (path + n - m, suffix) == 0;
}

typedef enum
{
  IMPORT_JSON,
  IMPORT_GDELT,
  IMPORT_NEITHER,   /* binary, or a database: nothing to ask GDELT options for */
} ImportKind;

/* By extension; else JSON when it starts with a brace; else GDELT when it
 * is a zip or text (whose importer says clearly when it is not GDELT
 * either); else neither. */
static ImportKind
import_kind (const char *path)
{
  static const char *gdelt_suffixes[] = { ".csv", ".tsv", ".zip", ".txt" };
  char head[256];
  gsize n = 0;
  FILE *fp;

  if (has_suffix (path, ".json"))
    return IMPORT_JSON;
  for (guint i = 0; i < G_N_ELEMENTS (gdelt_suffixes); i++)
    {
      if (has_suffix (path, gdelt_suffixes[i]))
        return IMPORT_GDELT;
    }

  fp = g_fopen (path, "rb");
  if (fp == NULL)
    return IMPORT_GDELT;   /* the import says why it cannot be read */
  n = fread (head, 1, sizeof head, fp);
  fclose (fp);
  for (gsize i = 0; i < n; i++)
    {
      if (head[i] == '{')
        return IMPORT_JSON;
      if (!g_ascii_isspace (head[i]))
        break;
    }
  /* A zip, whatever its name ("….CSV.zip.download"): the importer looks
   * inside. Otherwise a NUL byte means no text (a database, a picture);
   * text that is not UTF-8 is left to the importer, which skips its bad
   * lines and says so. */
  if (n >= 4 && (memcmp (head, "PK\x03\x04", 4) == 0 || memcmp (head, "PK\x05\x06", 4) == 0))
    return IMPORT_GDELT;
  if (memchr (head, '\0', n) != NULL)
    return IMPORT_NEITHER;
  return IMPORT_GDELT;
}

static gboolean
is_json_file (const char *path)
{
  return import_kind (path) == IMPORT_JSON;
}

/* "20170701234500.export.CSV.zip" -> "20170701234500.export" */
static char *
file_stem (const char *path)
{
  static const char *suffixes[] = { ".zip", ".csv", ".tsv", ".txt", ".json" };
  char *stem = g_path_get_basename (path);
  gboolean again = TRUE;

  while (again)
    {
      again = FALSE;
      for (guint i = 0; i < G_N_ELEMENTS (suffixes); i++)
        {
          gsize n = strlen (stem), m = strlen (suffixes[i]);

          if (n > m && has_suffix (stem, suffixes[i]))
            {
              stem[n - m] = '\0';
              again = TRUE;
            }
        }
    }
  return stem;
}

static GStrv
split_words (const char *text,
             gboolean    upper)
{
  g_auto(GStrv) words = g_regex_split_simple ("[\\s,;]+", text != NULL ? text : "", 0, 0);
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  guint n = 0;

  for (guint i = 0; words[i] != NULL; i++)
    {
      if (*words[i] == '\0')
        continue;
      if (upper)
        {
          g_autofree char *up = g_ascii_strup (words[i], -1);
          g_strv_builder_add (builder, up);
        }
      else
        g_strv_builder_add (builder, words[i]);
      n++;
    }

  return n > 0 ? g_strv_builder_end (builder) : NULL;
}

static char *
join_details (GPtrArray *messages,
              guint      max_lines)
{
  GString *text = g_string_new (NULL);

  for (guint i = 0; messages != NULL && i < messages->len && i < max_lines; i++)
    {
      if (i > 0)
        g_string_append_c (text, '\n');
      g_string_append (text, g_ptr_array_index (messages, i));
    }
  if (messages != NULL && messages->len > max_lines)
    {
      g_autofree char *count = chancery_format_count (messages->len - max_lines);

      g_string_append_c (text, '\n');
      /* Translators: %s is a number */
      g_string_append_printf (text, g_dngettext (GETTEXT_PACKAGE, "… and %s more line",
                                                 "… and %s more lines", messages->len - max_lines),
                              count);
    }

  return g_string_free (text, FALSE);
}

/* "Imported 1,796 events (1,204 left out by the options, 3 malformed rows skipped)" */
static char *
summarize (const ChanceryImportReport *report)
{
  g_autoptr(GPtrArray) parts = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *head = NULL;
  g_autofree char *inserted = chancery_format_count (report->inserted);
  g_autofree char *updated = chancery_format_count (report->updated);
  g_autofree char *unchanged = chancery_format_count (report->unchanged);
  g_autofree char *filtered = chancery_format_count (report->filtered);
  g_autofree char *skipped = chancery_format_count (report->skipped);

  /* What changed leads, as the command line's "N new, N updated, N
   * unchanged": events already there are not said to be imported. */
  if (report->inserted > 0)
    /* Translators: the start of an import summary; each %s here is a number */
    head = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "Imported %s event", "Imported %s events",
                                         report->inserted), inserted);
  else if (report->updated > 0)
    /* Translators: the start of an import summary that added no event */
    head = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "Updated %s event", "Updated %s events",
                                         report->updated), updated);
  else
    /* Translators: the start of an import summary that added or changed
     * nothing, e.g. "Nothing new imported (15 already there)" */
    head = g_strdup (_("Nothing new imported"));

  if (report->inserted > 0 && report->updated > 0)
    g_ptr_array_add (parts, g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%s updated", "%s updated",
                                                          report->updated), updated));
  if (report->unchanged > 0)
    g_ptr_array_add (parts, g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%s already there",
                                                          "%s already there", report->unchanged),
                                             unchanged));
  if (report->filtered > 0)
    g_ptr_array_add (parts, g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%s left out by the options",
                                                          "%s left out by the options", report->filtered),
                                             filtered));
  if (report->skipped > 0)
    g_ptr_array_add (parts, g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%s malformed row skipped",
                                                          "%s malformed rows skipped", report->skipped),
                                             skipped));
  if (parts->len == 0)
    return g_steal_pointer (&head);

  g_ptr_array_add (parts, NULL);
  {
    g_autofree char *joined = g_strjoinv (_(", "), (char **) parts->pdata);
    /* Translators: "Imported 12 events" and what else happened, e.g. "(3 malformed rows skipped)" */
    return g_strdup_printf (_("%s (%s)"), head, joined);
  }
}

/* The thread */

typedef struct
{
  ImportJob *job;
  guint      index;
} ProgressData;

static void
on_progress_cb (double   fraction,
                gpointer user_data)
{
  ProgressData *data = user_data;
  guint n = g_strv_length (data->job->paths);
  double overall = (data->index + CLAMP (fraction, 0.0, 1.0)) / MAX (n, 1);

  g_atomic_int_set (&data->job->progress, (int) (overall * 1000.0));
}

static gboolean
import_one (ChanceryStore  *store,
            ImportJob      *job,
            guint           index,
            GCancellable   *cancellable,
            GError        **error)
{
  const char *path = job->paths[index];
  ChanceryGdeltOptions options = { job->countries, job->cameo_roots };
  ProgressData data = { job, index };
  guint first_message = job->report.messages->len;
  g_autofree char *name = g_filename_display_basename (path);
  gboolean ok;

  if (is_json_file (path))
    ok = chancery_import_json_file (store, path, &job->report, on_progress_cb, &data,
                                    cancellable, error);
  else
    ok = chancery_import_gdelt_file (store, path, &options, &job->report, on_progress_cb, &data,
                                     cancellable, error);

  /* With several files, each problem says which file it is in. */
  if (g_strv_length (job->paths) > 1)
    {
      for (guint i = first_message; i < job->report.messages->len; i++)
        {
          char *message = job->report.messages->pdata[i];

          job->report.messages->pdata[i] = g_strdup_printf ("%s: %s", name, message);
          g_free (message);
        }
    }

  return ok;
}

static void
import_thread (GTask        *task,
               gpointer      source_object,
               gpointer      task_data,
               GCancellable *cancellable)
{
  ImportJob *job = task_data;
  g_autoptr(ChanceryStore) store = NULL;
  g_autofree char *tmp_path = NULL;
  g_autofree char *dir = NULL;
  GError *error = NULL;
  gboolean ok = TRUE;

  if (job->new_database)
    {
      dir = g_path_get_dirname (job->target);
      if (g_mkdir_with_parents (dir, 0700) != 0)
        {
          int saved_errno = errno;
          g_task_return_new_error (task, CHANCERY_ERROR, CHANCERY_ERROR_IO,
                                   _("Could not create the folder “%s”: %s"), dir, g_strerror (saved_errno));
          return;
        }
      tmp_path = g_strconcat (job->target, ".part", NULL);
      g_unlink (tmp_path);
      store = chancery_store_open (tmp_path, CHANCERY_STORE_READ_WRITE | CHANCERY_STORE_CREATE,
                                   cancellable, &error);
      ok = store != NULL && chancery_store_set_name (store, job->name, &error);
    }
  else
    {
      store = chancery_store_open (job->target, CHANCERY_STORE_READ_WRITE, cancellable, &error);
      ok = store != NULL;
    }

  for (guint i = 0; ok && job->paths[i] != NULL; i++)
    {
      ok = import_one (store, job, i, cancellable, &error);
      if (ok)
        g_atomic_int_inc (&job->n_done);
    }
  g_clear_object (&store);

  if (job->new_database)
    {
      if (ok && g_rename (tmp_path, job->target) != 0)
        {
          int saved_errno = errno;
          g_set_error (&error, CHANCERY_ERROR, CHANCERY_ERROR_IO,
                       _("Could not save the imported database as “%s”: %s"),
                       job->target, g_strerror (saved_errno));
          ok = FALSE;
        }
      if (!ok)
        {
          g_unlink (tmp_path);
          g_atomic_int_set (&job->n_done, 0);
        }
    }

  if (ok)
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

/* Results */

static void
on_details_clicked_cb (AdwToast   *toast,
                       const char *details)
{
  GtkApplication *app = GTK_APPLICATION (g_application_get_default ());
  GtkWindow *parent = app != NULL ? gtk_application_get_active_window (app) : NULL;

  chancery_error_dialog_present (parent, _("Rows Left Out"), details);
}

static void
reopen (ChanceryWindow *self,
        ImportJob      *job)
{
  g_autoptr(GFile) file = g_file_new_for_path (job->target);

  chancery_window_open_file (self, file);
}

static void
on_import_ready_cb (GObject      *source,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  ChanceryWindow *self = CHANCERY_WINDOW (source);
  ImportJob *job = g_task_get_task_data (G_TASK (result));
  g_autoptr(GError) error = NULL;
  g_autofree char *summary = NULL;
  g_autofree char *details = NULL;

  g_clear_handle_id (&job->progress_id, g_source_remove);
  g_clear_pointer (&job->progress_toast, chancery_progress_toast_finish);

  if (!g_task_propagate_boolean (G_TASK (result), &error))
    {
      /* Files before the one that failed are in (only into an open dataset). */
      if (g_atomic_int_get (&job->n_done) > 0)
        reopen (self, job);

      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        chancery_transfer_show_result (self, g_atomic_int_get (&job->n_done) > 0
                                             ? _("Import cancelled; the files before were imported")
                                             : _("Import cancelled; nothing was written"),
                                       NULL, NULL, NULL, NULL, NULL);
      else
        chancery_transfer_show_error (self, _("Could Not Import"), error);
      return;
    }

  reopen (self, job);

  summary = summarize (&job->report);
  if (job->report.messages->len > 0)
    {
      g_autofree char *all = join_details (job->report.messages, G_MAXUINT);

      details = join_details (job->report.messages, MAX_DETAIL_LINES);
      chancery_transfer_show_result (self, summary, all, _("Details"),
                                     G_CALLBACK (on_details_clicked_cb),
                                     g_steal_pointer (&details), g_free);
    }
  else
    chancery_transfer_show_result (self, summary, NULL, NULL, NULL, NULL, NULL);
}

static gboolean
on_progress_timeout_cb (gpointer user_data)
{
  ImportJob *job = user_data;

  chancery_progress_toast_set_fraction (job->progress_toast,
                                        g_atomic_int_get (&job->progress) / 1000.0);
  return G_SOURCE_CONTINUE;
}

/* The dialogs */

typedef struct
{
  ChanceryWindow *window;
  GStrv           paths;
  AdwEntryRow    *countries_row;
  AdwEntryRow    *roots_row;
} OptionsDialog;

static void
options_dialog_free (OptionsDialog *data)
{
  g_clear_object (&data->window);
  g_strfreev (data->paths);
  g_free (data);
}

static void
on_options_response_cb (AdwMessageDialog *dialog,
                        const char       *response,
                        OptionsDialog    *data)
{
  g_auto(GStrv) countries = NULL;
  g_auto(GStrv) roots = NULL;
  ChanceryGdeltOptions options;

  if (g_strcmp0 (response, "import") != 0)
    return;

  countries = split_words (gtk_editable_get_text (GTK_EDITABLE (data->countries_row)), TRUE);
  roots = split_words (gtk_editable_get_text (GTK_EDITABLE (data->roots_row)), FALSE);
  options.countries = countries;
  options.cameo_roots = roots;
  chancery_window_import_paths (data->window, (const char * const *) data->paths, &options);
}

/* The first descendant of widget of the given type, or NULL. */
static GtkWidget *
find_descendant (GtkWidget *widget,
                 GType      type)
{
  for (GtkWidget *c = gtk_widget_get_first_child (widget); c != NULL; c = gtk_widget_get_next_sibling (c))
    {
      GtkWidget *found = G_TYPE_CHECK_INSTANCE_TYPE (c, type) ? c : find_descendant (c, type);

      if (found != NULL)
        return found;
    }
  return NULL;
}

/* Hides from screen readers what an entry row shows around its text: the
 * pencil that says it can be typed in (its role says that), and the
 * labels of its title (the title names the row already). Unnamed, the
 * pencil read as "GtkImage". Only leaves are hidden, never a box: the
 * text field sits in the same box as the title's labels. */
static void
hide_entry_row_decoration (GtkWidget *widget)
{
  for (GtkWidget *c = gtk_widget_get_first_child (widget); c != NULL; c = gtk_widget_get_next_sibling (c))
    {
      if (GTK_IS_TEXT (c))
        continue;
      if (GTK_IS_IMAGE (c) || GTK_IS_LABEL (c))
        gtk_accessible_update_state (GTK_ACCESSIBLE (c), GTK_ACCESSIBLE_STATE_HIDDEN, TRUE, -1);
      else
        hide_entry_row_decoration (c);
    }
}

static AdwEntryRow *
add_entry_row (AdwPreferencesGroup *group,
               const char          *title,
               const char          *text)
{
  AdwEntryRow *row = ADW_ENTRY_ROW (adw_entry_row_new ());

  /* The row is named by its title already: no label of its own, or
   * screen readers say "Countries Countries". */
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  gtk_editable_set_text (GTK_EDITABLE (row), text);
  /* Enter imports, as the suggested button does. */
  adw_entry_row_set_activates_default (row, TRUE);
  hide_entry_row_decoration (GTK_WIDGET (row));
  adw_preferences_group_add (group, GTK_WIDGET (row));
  return row;
}

static void
show_options_dialog (ChanceryWindow *self,
                     GStrv           paths)
{
  OptionsDialog *data = g_new0 (OptionsDialog, 1);
  AdwPreferencesGroup *group = ADW_PREFERENCES_GROUP (adw_preferences_group_new ());
  GtkWidget *dialog;

  data->window = g_object_ref (self);
  data->paths = paths;

  dialog = adw_message_dialog_new (GTK_WINDOW (self), _("Import GDELT Events"),
                                   _("GDELT files hold events from all over the world. "
                                     "Keep the events of some countries only (codes such as IRN AZE ARM; "
                                     "empty keeps all) and the kinds of event given by CAMEO root codes "
                                     "(01 statements to 06 cooperation, up to 20)."));
  data->countries_row = add_entry_row (group, _("Countries"), "");
  data->roots_row = add_entry_row (group, _("CAMEO Root Codes"), "01 02 03 04 05 06");
  adw_message_dialog_set_extra_child (ADW_MESSAGE_DIALOG (dialog), GTK_WIDGET (group));
  /* The group's list is announced on the way in; by its class name
   * ("GtkListBox") unless named. */
  gtk_accessible_update_property (GTK_ACCESSIBLE (find_descendant (GTK_WIDGET (group), GTK_TYPE_LIST_BOX)),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _("Events to Keep"),
                                  -1);

  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog),
                                    "cancel", _("_Cancel"),
                                    "import", _("_Import"),
                                    NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "import",
                                              ADW_RESPONSE_SUGGESTED);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "import");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  g_signal_connect_data (dialog, "response", G_CALLBACK (on_options_response_cb), data,
                         (GClosureNotify) (void (*) (void)) options_dialog_free, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

void
chancery_window_import_chosen (ChanceryWindow  *self,
                               char           **paths)
{
  gboolean any_gdelt = FALSE;

  g_return_if_fail (CHANCERY_IS_WINDOW (self));
  g_return_if_fail (paths != NULL && paths[0] != NULL);

  for (guint i = 0; paths[i] != NULL; i++)
    {
      ImportKind kind = import_kind (paths[i]);

      if (kind == IMPORT_NEITHER)
        {
          g_autofree char *name = g_filename_display_basename (paths[i]);
          g_autofree char *message = NULL;

          /* Translators: %s is a file name; "Open" is the button that opens a database */
          message = g_strdup_printf (_("“%s” is neither a Chancery JSON file nor a GDELT event file. "
                                       "To see a Chancery database, open it with Open."), name);
          chancery_error_dialog_present (GTK_WINDOW (self), _("Could Not Import"), message);
          g_strfreev (paths);
          return;
        }
      any_gdelt |= kind == IMPORT_GDELT;
    }

  if (any_gdelt)
    show_options_dialog (self, paths);
  else
    {
      chancery_window_import_paths (self, (const char * const *) paths, NULL);
      g_strfreev (paths);
    }
}

static void
on_chooser_response_cb (GtkNativeDialog *dialog,
                        int              response,
                        ChanceryWindow  *self)
{
  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GListModel) files = gtk_file_chooser_get_files (GTK_FILE_CHOOSER (dialog));
      g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
      g_auto(GStrv) paths = NULL;

      for (guint i = 0; i < g_list_model_get_n_items (files); i++)
        {
          g_autoptr(GFile) file = g_list_model_get_item (files, i);
          g_autofree char *path = g_file_get_path (file);

          if (path != NULL)
            g_strv_builder_add (builder, path);
        }
      paths = g_strv_builder_end (builder);
      if (paths[0] != NULL)
        chancery_window_import_chosen (self, g_steal_pointer (&paths));
    }

  g_object_set_data (G_OBJECT (self), "chancery-import-chooser", NULL);
}

static void
add_filter (GtkFileChooser *chooser,
            const char     *name,
            const char    **suffixes)
{
  g_autoptr(GtkFileFilter) filter = gtk_file_filter_new ();

  gtk_file_filter_set_name (filter, name);
  for (guint i = 0; suffixes[i] != NULL; i++)
    {
      if (g_str_equal (suffixes[i], "*"))
        gtk_file_filter_add_pattern (filter, "*");
      else
        gtk_file_filter_add_suffix (filter, suffixes[i]);
    }
  gtk_file_chooser_add_filter (chooser, filter);
}

void
chancery_import_action_activate (GtkWidget  *widget,
                                 const char *action_name,
                                 GVariant   *parameter)
{
  ChanceryWindow *self = CHANCERY_WINDOW (widget);
  static const char *all[] = { "csv", "tsv", "zip", "txt", "json", NULL };
  static const char *gdelt[] = { "csv", "tsv", "zip", "txt", NULL };
  static const char *json[] = { "json", NULL };
  static const char *any[] = { "*", NULL };
  GtkFileChooserNative *native;
  GtkFileChooser *chooser;

  native = gtk_file_chooser_native_new (_("Import Events"), GTK_WINDOW (self),
                                        GTK_FILE_CHOOSER_ACTION_OPEN,
                                        _("_Import"), _("_Cancel"));
  chooser = GTK_FILE_CHOOSER (native);
  gtk_file_chooser_set_select_multiple (chooser, TRUE);
  add_filter (chooser, _("Event Files"), all);
  add_filter (chooser, _("GDELT Event Files"), gdelt);
  add_filter (chooser, _("Chancery JSON Files"), json);
  add_filter (chooser, _("All Files"), any);
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (native), TRUE);

  g_object_set_data_full (G_OBJECT (self), "chancery-import-chooser", native, g_object_unref);
  g_signal_connect (native, "response", G_CALLBACK (on_chooser_response_cb), self);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (native));
}

/* Public API */

char *
chancery_window_dup_import_target (ChanceryWindow *self,
                                   const char     *first_path,
                                   gboolean       *new_database)
{
  ChanceryStore *store = chancery_window_get_store (self);
  const char *path = store != NULL ? chancery_store_get_path (store) : NULL;
  g_autofree char *dir = NULL;
  g_autofree char *stem = NULL;

  g_return_val_if_fail (CHANCERY_IS_WINDOW (self), NULL);
  g_return_val_if_fail (first_path != NULL, NULL);

  if (path != NULL
      && g_strcmp0 (path, chancery_default_database_path ()) != 0
      && g_access (path, W_OK) == 0)
    {
      *new_database = FALSE;
      return g_strdup (path);
    }

  /* A name of its own: never mix into a database made before. */
  *new_database = TRUE;
  dir = chancery_paths_dup_user_data_dir ();
  stem = file_stem (first_path);
  for (guint i = 1; ; i++)
    {
      g_autofree char *base = i == 1 ? g_strdup_printf ("%s.db", stem)
                                     : g_strdup_printf ("%s-%u.db", stem, i);
      char *candidate = g_build_filename (dir, base, NULL);

      if (!g_file_test (candidate, G_FILE_TEST_EXISTS))
        return candidate;
      g_free (candidate);
    }
}

void
chancery_window_import_paths (ChanceryWindow             *self,
                              const char * const         *paths,
                              const ChanceryGdeltOptions *options)
{
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GTask) task = NULL;
  g_autofree char *title = NULL;
  g_autofree char *first = NULL;
  g_autofree char *n_text = NULL;
  ImportJob *job;
  guint n;

  g_return_if_fail (CHANCERY_IS_WINDOW (self));
  g_return_if_fail (paths != NULL && paths[0] != NULL);

  job = g_new0 (ImportJob, 1);
  job->paths = g_strdupv ((char **) paths);
  if (options != NULL)
    {
      job->countries = g_strdupv (options->countries);
      job->cameo_roots = g_strdupv (options->cameo_roots);
    }
  job->target = chancery_window_dup_import_target (self, paths[0], &job->new_database);
  job->name = file_stem (paths[0]);
  chancery_import_report_init (&job->report);
  if (job->report.messages == NULL)
    job->report.messages = g_ptr_array_new_with_free_func (g_free);

  n = g_strv_length (job->paths);
  n_text = chancery_format_count (n);
  first = g_filename_display_basename (paths[0]);
  /* Translators: shown while importing, "Importing 20170701.export.CSV.zip…" or "Importing 3 files…" */
  title = n == 1 ? g_strdup_printf (_("Importing %s…"), first)
                 : g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "Importing %s file…",
                                                 "Importing %s files…", n), n_text);
  job->progress_toast = chancery_progress_toast_show (self, title, cancellable);
  job->progress_id = g_timeout_add (PROGRESS_INTERVAL_MS, on_progress_timeout_cb, job);

  task = g_task_new (self, cancellable, on_import_ready_cb, NULL);
  g_task_set_source_tag (task, chancery_window_import_paths);
  /* Say what happened: work that finished before Cancel is done. */
  g_task_set_check_cancellable (task, FALSE);
  g_task_set_task_data (task, job, (GDestroyNotify) import_job_free);
  g_task_run_in_thread (task, import_thread);
}
