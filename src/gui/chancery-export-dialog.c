/* chancery-export-dialog.c: exporting what the window shows
 *
 * Copyright 2026 The Chancery developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Events (CSV, JSON, iCalendar) are written in a thread from a read-only
 * connection of its own: a store is used by one thread at a time, and the
 * window's belongs to the main thread. Pictures (PNG, SVG, PDF) draw the
 * timeline's view with GTK's snapshot machinery, which belongs to the main
 * thread; the drawing culls to the time range, so it takes a moment at most.
 * Every file is written beside its place and renamed into it, so a failed
 * or cancelled export leaves what was there before.
 */
#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "chancery-locale.h"
#include "chancery-application.h"
#include "chancery-error.h"
#include "chancery-export.h"
#include "chancery-export-dialog.h"
#include "chancery-transfer.h"

#define DEFAULT_PICTURE_WIDTH  1600
#define DEFAULT_PICTURE_HEIGHT 900
#define MIN_PICTURE_WIDTH      400
#define MIN_PICTURE_HEIGHT     200

#define EXPORT_CHOOSER_KEY "chancery-export-chooser"
#define EXPORT_FOLDER_KEY  "chancery-export-folder"

typedef struct
{
  char                  *db_path;
  ChanceryFilter        *filter;
  ChanceryExportFormat   format;
  char                  *path;
  guint                  n_events;
  ChanceryProgressToast *progress;
} ExportJob;

static const struct {
  const char *format;
  const char *name;
  const char *mime_type;
} formats[] = {
  { "csv", N_("CSV (Events)"), "text/csv" },
  { "json", N_("Chancery JSON (Events)"), "application/json" },
  { "ics", N_("iCalendar (Events)"), "text/calendar" },
  { "png", N_("PNG Image (Timeline)"), "image/png" },
  { "svg", N_("SVG Image (Timeline)"), "image/svg+xml" },
  { "pdf", N_("PDF Document (Timeline)"), "application/pdf" },
};

static void
export_job_free (ExportJob *job)
{
  g_free (job->db_path);
  g_clear_pointer (&job->filter, chancery_filter_free);
  g_free (job->path);
  g_assert (job->progress == NULL);
  g_free (job);
}

static gboolean
is_picture_format (const char *format)
{
  return g_strcmp0 (format, "png") == 0 || g_strcmp0 (format, "svg") == 0
         || g_strcmp0 (format, "pdf") == 0;
}

static void
show_export_error (ChanceryWindow *self,
                   const char     *path,
                   const GError   *error)
{
  g_autofree char *name = g_filename_display_basename (path);
  g_autofree char *heading = g_strdup_printf (_("Could Not Export to “%s”"), name);

  chancery_transfer_show_error (self, heading, error);
}

static void
on_open_clicked_cb (AdwToast   *toast,
                    const char *uri)
{
  GtkApplication *app = GTK_APPLICATION (g_application_get_default ());
  GtkWindow *parent = app != NULL ? gtk_application_get_active_window (app) : NULL;

  gtk_show_uri (parent, uri, GDK_CURRENT_TIME);
}

static void
show_export_done (ChanceryWindow *self,
                  const char     *path,
                  const char     *message)
{
  g_autoptr(GFile) file = g_file_new_for_path (path);

  chancery_transfer_show_result (self, message, NULL, _("Open"),
                                 G_CALLBACK (on_open_clicked_cb), g_file_get_uri (file), g_free);
}

/* Events, in a thread */

static void
export_thread (GTask        *task,
               gpointer      source_object,
               gpointer      task_data,
               GCancellable *cancellable)
{
  ExportJob *job = task_data;
  g_autoptr(ChanceryStore) store = NULL;
  GError *error = NULL;

  store = chancery_store_open (job->db_path, CHANCERY_STORE_READ_ONLY, cancellable, &error);
  if (store == NULL)
    {
      g_task_return_error (task, error);
      return;
    }

  job->n_events = chancery_store_count_events (store, job->filter, &error);
  if (error != NULL
      || !chancery_export_to_file (store, job->filter, job->format, job->path, cancellable, &error))
    {
      g_task_return_error (task, error);
      return;
    }

  g_task_return_boolean (task, TRUE);
}

static void
on_export_ready_cb (GObject      *source,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  ChanceryWindow *self = CHANCERY_WINDOW (source);
  ExportJob *job = g_task_get_task_data (G_TASK (result));
  g_autoptr(GError) error = NULL;
  g_autofree char *name = g_filename_display_basename (job->path);

  g_clear_pointer (&job->progress, chancery_progress_toast_finish);

  if (!g_task_propagate_boolean (G_TASK (result), &error))
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          g_autofree char *message = g_strdup_printf (_("Export to “%s” cancelled"), name);
          chancery_transfer_show_result (self, message, NULL, NULL, NULL, NULL, NULL);
        }
      else
        show_export_error (self, job->path, error);
      return;
    }
  else
    {
      g_autofree char *message = NULL;
      g_autofree char *count = chancery_format_count (job->n_events);

      /* Translators: a toast, "Exported 22 events to events.csv"; the first %s is the number */
      message = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "Exported %s event to %s",
                                              "Exported %s events to %s", job->n_events),
                                 count, name);
      show_export_done (self, job->path, message);
    }
}

static void
export_events (ChanceryWindow       *self,
               ChanceryExportFormat  format,
               const char           *path)
{
  ChanceryStore *store = chancery_window_get_store (self);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GTask) task = NULL;
  g_autofree char *name = g_filename_display_basename (path);
  g_autofree char *title = NULL;
  ExportJob *job;

  job = g_new0 (ExportJob, 1);
  job->db_path = g_strdup (chancery_store_get_path (store));
  job->filter = chancery_window_dup_filter (self);
  job->format = format;
  job->path = g_strdup (path);

  /* Translators: shown while writing, "Exporting events.csv…" */
  title = g_strdup_printf (_("Exporting %s…"), name);
  job->progress = chancery_progress_toast_show (self, title, cancellable);

  task = g_task_new (self, cancellable, on_export_ready_cb, NULL);
  g_task_set_source_tag (task, export_events);
  /* Say what happened: work that finished before Cancel is done. */
  g_task_set_check_cancellable (task, FALSE);
  g_task_set_task_data (task, job, (GDestroyNotify) export_job_free);
  g_task_run_in_thread (task, export_thread);
}

/* Pictures, on the main thread */

static void
export_picture (ChanceryWindow *self,
                const char     *format,
                const char     *path)
{
  ChanceryTimeline *timeline = chancery_window_get_timeline (self);
  ChanceryIndex *index = chancery_timeline_get_index (timeline);
  int width = gtk_widget_get_width (GTK_WIDGET (timeline));
  int height = gtk_widget_get_height (GTK_WIDGET (timeline));
  gboolean dark = adw_style_manager_get_dark (adw_style_manager_get_default ());
  g_autoptr(GError) error = NULL;
  g_autofree char *name = g_filename_display_basename (path);
  g_autofree char *message = NULL;
  double start, end;

  if (index == NULL)
    {
      g_set_error (&error, CHANCERY_ERROR, CHANCERY_ERROR_INVALID_INPUT,
                   _("There is no timeline to export yet"));
      show_export_error (self, path, error);
      return;
    }
  if (!chancery_export_check_target (chancery_window_get_store (self), path, &error))
    {
      show_export_error (self, path, error);
      return;
    }

  /* What is on screen, at its size; a cramped window gets a roomier picture. */
  if (width < MIN_PICTURE_WIDTH || height < MIN_PICTURE_HEIGHT)
    {
      width = DEFAULT_PICTURE_WIDTH;
      height = DEFAULT_PICTURE_HEIGHT;
    }
  chancery_timeline_get_view (timeline, &start, &end);

  /* The time range on screen, with every lane in full however few fit. */
  if (!chancery_timeline_render_lanes_to_file (index, start, end, width, height, dark,
                                               format, path, &error))
    {
      show_export_error (self, path, error);
      return;
    }

  /* Translators: a toast, "Exported the timeline to timeline.svg" */
  message = g_strdup_printf (_("Exported the timeline to %s"), name);
  show_export_done (self, path, message);
}

/* The dialog */

static char *
suggest_name (ChanceryWindow *self,
              const char     *format)
{
  g_autofree char *name = chancery_store_dup_name (chancery_window_get_store (self));

  g_strdelimit (name, "/\\:*?\"<>|", '-');
  return g_strdup_printf ("%s.%s", name != NULL && *name != '\0' ? name : _("events"), format);
}

static void
name_drop_downs (GtkWidget  *widget,
                 const char *name)
{
  if (GTK_IS_DROP_DOWN (widget))
    gtk_accessible_update_property (GTK_ACCESSIBLE (widget), GTK_ACCESSIBLE_PROPERTY_LABEL, name, -1);
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    name_drop_downs (child, name);
}

static const char *
filter_format (GtkFileFilter *filter)
{
  return filter != NULL ? g_object_get_data (G_OBJECT (filter), "format") : NULL;
}

static void
on_chooser_filter_changed_cb (GtkFileChooser *chooser,
                              GParamSpec     *pspec,
                              gpointer        user_data)
{
  GtkFileFilter *filter = gtk_file_chooser_get_filter (chooser);
  const char *format = filter_format (filter);
  g_autofree char *name = gtk_file_chooser_get_current_name (chooser);
  g_autofree char *renamed = NULL;

  if (format == NULL || name == NULL || *name == '\0')
    return;

  /* The name follows the chosen type: events.csv -> events.ics; a name
   * without one of ours keeps what it has (a dataset "Talks v2.1"). */
  if (chancery_export_format_for_path (name) != NULL)
    *strrchr (name, '.') = '\0';
  renamed = g_strdup_printf ("%s.%s", name, format);
  gtk_file_chooser_set_current_name (chooser, renamed);
}

static void
on_chooser_response_cb (GtkDialog      *dialog,
                        int             response,
                        ChanceryWindow *self)
{
  if (response == GTK_RESPONSE_ACCEPT)
    {
      GtkFileChooser *chooser = GTK_FILE_CHOOSER (dialog);
      g_autoptr(GFile) file = gtk_file_chooser_get_file (chooser);
      GtkFileFilter *filter = gtk_file_chooser_get_filter (chooser);
      g_autofree char *path = file != NULL ? g_file_get_path (file) : NULL;
      const char *format;

      /* The name says what it is when it can; else the chosen type. */
      format = path != NULL ? chancery_export_format_for_path (path) : NULL;
      if (format == NULL)
        format = filter_format (filter);

      if (path == NULL)
        {
          g_autoptr(GError) error = NULL;
          g_autofree char *uri = file != NULL ? g_file_get_uri (file) : g_strdup ("");

          g_set_error (&error, CHANCERY_ERROR, CHANCERY_ERROR_IO,
                       _("“%s” is not a local file"), uri);
          chancery_transfer_show_error (self, _("Could Not Export"), error);
        }
      else
        {
          /* The next export starts where this one went, for the session. */
          g_object_set_data_full (G_OBJECT (self), EXPORT_FOLDER_KEY,
                                  g_file_get_parent (file), g_object_unref);
          chancery_window_export_to_path (self, path, format);
        }
    }

  g_object_set_data (G_OBJECT (self), EXPORT_CHOOSER_KEY, NULL);
  gtk_window_destroy (GTK_WINDOW (dialog));
}

void
chancery_export_action_activate (GtkWidget  *widget,
                                 const char *action_name,
                                 GVariant   *parameter)
{
  ChanceryWindow *self = CHANCERY_WINDOW (widget);
  GFile *folder = g_object_get_data (G_OBJECT (self), EXPORT_FOLDER_KEY);
  GtkWidget *dialog;
  GtkFileChooser *chooser;
  g_autofree char *name = NULL;

  if (chancery_window_get_store (self) == NULL)
    return;

  /* Not GtkFileChooserNative: it does not say when another type is picked
   * (neither the portal nor its fallback, this very dialog, does), and the
   * name must follow the type. Outside a sandbox GTK 4.8 shows this dialog
   * for the native one anyway. */
  dialog = gtk_file_chooser_dialog_new (_("Export"), GTK_WINDOW (self),
                                        GTK_FILE_CHOOSER_ACTION_SAVE,
                                        _("_Cancel"), GTK_RESPONSE_CANCEL,
                                        _("_Export"), GTK_RESPONSE_ACCEPT,
                                        NULL);
  gtk_dialog_set_default_response (GTK_DIALOG (dialog), GTK_RESPONSE_ACCEPT);
  gtk_window_set_modal (GTK_WINDOW (dialog), TRUE);
  gtk_window_set_destroy_with_parent (GTK_WINDOW (dialog), TRUE);
  chooser = GTK_FILE_CHOOSER (dialog);
  for (guint i = 0; i < G_N_ELEMENTS (formats); i++)
    {
      g_autoptr(GtkFileFilter) filter = gtk_file_filter_new ();

      gtk_file_filter_set_name (filter, _(formats[i].name));
      gtk_file_filter_add_mime_type (filter, formats[i].mime_type);
      gtk_file_filter_add_suffix (filter, formats[i].format);
      g_object_set_data (G_OBJECT (filter), "format", (gpointer) formats[i].format);
      gtk_file_chooser_add_filter (chooser, filter);
      if (i == 0)
        gtk_file_chooser_set_filter (chooser, filter);
    }

  /* The chooser's list of file types is the only drop-down in it, and GTK
   * leaves it unnamed: a screen reader said "GtkDropDown". */
  name_drop_downs (GTK_WIDGET (dialog), _("File Type"));

  if (folder != NULL)
    gtk_file_chooser_set_current_folder (chooser, folder, NULL);
  name = suggest_name (self, formats[0].format);
  gtk_file_chooser_set_current_name (chooser, name);

  /* The window names the dialog while it is open, for tests. */
  g_object_set_data (G_OBJECT (self), EXPORT_CHOOSER_KEY, dialog);
  g_signal_connect (dialog, "notify::filter", G_CALLBACK (on_chooser_filter_changed_cb), NULL);
  g_signal_connect (dialog, "response", G_CALLBACK (on_chooser_response_cb), self);
  gtk_window_present (GTK_WINDOW (dialog));
}

/* Public API */

const char *
chancery_export_format_for_path (const char *path)
{
  const char *dot;

  g_return_val_if_fail (path != NULL, NULL);

  dot = strrchr (path, '.');
  if (dot == NULL || strchr (dot, G_DIR_SEPARATOR) != NULL)
    return NULL;
  for (guint i = 0; i < G_N_ELEMENTS (formats); i++)
    {
      if (g_ascii_strcasecmp (dot + 1, formats[i].format) == 0)
        return formats[i].format;
    }
  return NULL;
}

gboolean
chancery_window_export_to_path (ChanceryWindow *self,
                                const char     *path,
                                const char     *format_name)
{
  ChanceryExportFormat format;

  g_return_val_if_fail (CHANCERY_IS_WINDOW (self), FALSE);
  g_return_val_if_fail (path != NULL, FALSE);
  g_return_val_if_fail (chancery_window_get_store (self) != NULL, FALSE);

  if (format_name == NULL)
    format_name = chancery_export_format_for_path (path);

  if (is_picture_format (format_name))
    export_picture (self, format_name, path);
  else if (format_name != NULL && chancery_export_format_from_string (format_name, &format))
    export_events (self, format, path);
  else
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *name = g_filename_display_basename (path);

      g_set_error (&error, CHANCERY_ERROR, CHANCERY_ERROR_INVALID_INPUT,
                   _("Cannot tell which format to write “%s” in: end its name in .csv, .json, .ics, .png, .svg or .pdf"),
                   name);
      show_export_error (self, path, error);
      return FALSE;
    }

  return TRUE;
}
