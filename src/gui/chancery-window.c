/* chancery-window.c: the main window
 *
 * Copyright 2026 The Chancery developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The window owns one ChanceryStore for the main thread (the detail pane
 * and the list's cells) and a worker with its own connection for building
 * indexes and counts in threads, one at a time under a mutex. A filter
 * change cancels the query before it; only the newest result is shown.
 */
#include "config.h"

#include <glib/gi18n.h>
#include <math.h>
#include <string.h>

#include "chancery-accessible.h"
#include "chancery-error.h"
#include "chancery-locale.h"
#include "chancery-detail-pane.h"
#include "chancery-event-list.h"
#include "chancery-export-dialog.h"
#include "chancery-filter-pane.h"
#include "chancery-import-task.h"
#include "chancery-overview.h"
#include "chancery-resources.h"
#include "chancery-timeline.h"
#include "chancery-transfer.h"
#include "chancery-window.h"
#include "chancery-window-private.h"
#include "chancery-wrap-box.h"

/* A slow filter shows the loading card only after this long, so a quick
 * one does not flicker. */
#define LOADING_DELAY_MS 300
/* The card's spinner turns once it has been up this long. Until then the
 * card (what is opening, and Cancel) is still: each turn of the spinner is
 * a frame, ~80 ms of CPU a second with GTK's Cairo renderer, taken from
 * the two threads that read the file (docs/performance.md). */
#define SPINNER_DELAY_MS 1000
/* The background check of a file never checked starts once the window
 * has painted its events, or after this long if it does not paint. */
#define CHECK_DELAY_MS 500
#define N_RECENT 8
#define RECENT_APP_NAME "chancery"
/* Longer than libadwaita 1.2's longest toast entrance (0.5 s). */
#define TOAST_MIN_SHOWN_MS 600

/* A toast the window added that was not dismissed yet. */
typedef struct
{
  AdwToast *toast;
  gint64    shown_at;    /* monotonic µs it came to the front; 0 while waiting */
  guint     dismiss_id;  /* a dismissal put off until it is fully in */
} WindowToast;

struct _ChanceryWindow
{
  AdwApplicationWindow  parent_instance;

  AdwToastOverlay      *toast_overlay;
  GPtrArray            *toasts;    /* WindowToast*, in the order they show */
  AdwWindowTitle       *window_title;
  AdwSplitButton       *open_button;
  GtkStack             *main_stack;
  AdwFlap              *flap;
  AdwFlap              *detail_flap;
  gboolean              details_from_list;   /* see show_details () */
  gboolean              focus_details;       /* once the details show */
  ChanceryFilterPane   *filter_pane;
  GtkRevealer          *chips_revealer;
  ChanceryWrapBox      *chips_box;
  GtkLabel             *range_label;
  GtkMenuButton        *lanes_button;
  ChanceryTimeline     *timeline;
  ChanceryEventList    *event_list;
  ChanceryDetailPane   *detail_pane;
  GtkWidget            *loading_box;
  GtkSpinner           *loading_spinner;
  GtkLabel             *loading_label;
  GtkProgressBar       *progress_bar;
  GMenu                *recent_menu;
  GMenuModel           *primary_menu;

  ChanceryStore        *store;
  ChanceryWorker       *worker;
  guint                 n_total;

  ChanceryFilter       *requested_filter;   /* of the newest query */
  ChanceryGrouping      requested_grouping;
  ChanceryFilter       *facets_filter;      /* the counts shown are for this */
  ChanceryGrouping      grouping;
  /* The unfiltered dataset, kept so that clearing the filters is instant:
   * its counts (which do not depend on grouping) and its index for
   * base_grouping. */
  ChanceryQueryResult   base;
  ChanceryGrouping      base_grouping;

  GTask                *open_task;
  GCancellable         *open_cancellable;
  GTask                *query_task;
  GCancellable         *query_cancellable;
  /* The dataset shown was opened without the whole-file check (never
   * checked before): it runs in the background, and the dataset is
   * dropped if it fails. Until it passes, the file is not added to the
   * recent files nor remembered as the last one. */
  GTask                *check_task;
  GCancellable         *check_cancellable;
  GdkFrameClock        *check_clock;         /* the check starts after its next paint */
  gulong                check_paint_id;
  guint                 check_timeout_id;    /* ...or after CHECK_DELAY_MS */
  GFile                *unchecked_file;      /* what the user opened (JSON or database) */
  gboolean              unchecked_imported;
  guint                 loading_timeout_id;
  guint                 spinner_timeout_id;
  guint                 progress_timeout_id;

  gint64                selected_id;
  GSettings            *settings;
  GtkRecentManager     *recent_manager;
  GtkFileChooserNative *file_chooser;

  guint                 sidebar_visible : 1;
  guint                 detail_visible : 1;
  guint                 syncing_selection : 1;
};

G_DEFINE_FINAL_TYPE (ChanceryWindow, chancery_window, ADW_TYPE_APPLICATION_WINDOW)

enum {
  PROP_0,
  PROP_STORE,
  PROP_BUSY,
  PROP_LANE_GROUPING,
  PROP_SIDEBAR_VISIBLE,
  PROP_DETAIL_VISIBLE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static const struct {
  const char       *name;
  ChanceryGrouping  grouping;
  const char       *label;
} groupings[] = {
  { "none", CHANCERY_GROUP_NONE, N_("No Lanes") },
  { "country", CHANCERY_GROUP_COUNTRY, N_("Lanes by Country") },
  { "actor", CHANCERY_GROUP_ACTOR, N_("Lanes by Actor") },
  { "kind", CHANCERY_GROUP_KIND, N_("Lanes by Kind") },
  { "project", CHANCERY_GROUP_PROJECT, N_("Lanes by Project") },
};

static void schedule_query (ChanceryWindow *self);
static void cancel_query   (ChanceryWindow *self);
static void start_query    (ChanceryWindow *self,
                            ChanceryFilter *filter,
                            gboolean        want_index,
                            gboolean        want_facets);
static void set_detail_visible (ChanceryWindow *self,
                                gboolean        visible);

/* Helpers */

static gboolean
get_busy (ChanceryWindow *self)
{
  return self->open_task != NULL || self->query_task != NULL;
}

static void
window_toast_free (WindowToast *wt)
{
  g_clear_handle_id (&wt->dismiss_id, g_source_remove);
  g_object_unref (wt->toast);
  g_free (wt);
}

static gboolean
find_toast (ChanceryWindow *self,
            AdwToast       *toast,
            guint          *index)
{
  for (guint i = 0; self->toasts != NULL && i < self->toasts->len; i++)
    {
      if (((WindowToast *) g_ptr_array_index (self->toasts, i))->toast == toast)
        {
          *index = i;
          return TRUE;
        }
    }
  return FALSE;
}

static void
on_toast_dismissed_cb (AdwToast       *toast,
                       ChanceryWindow *self)
{
  guint index;

  g_signal_handlers_disconnect_by_func (toast, on_toast_dismissed_cb, self);
  if (!find_toast (self, toast, &index))
    return;
  g_ptr_array_remove_index (self->toasts, index);
  /* Toasts show one at a time, in order: the next comes to the front. */
  if (index == 0 && self->toasts->len > 0)
    ((WindowToast *) g_ptr_array_index (self->toasts, 0))->shown_at = g_get_monotonic_time ();
}

static gboolean
on_toast_dismiss_timeout_cb (gpointer user_data)
{
  WindowToast *wt = user_data;

  wt->dismiss_id = 0;
  adw_toast_dismiss (wt->toast);
  return G_SOURCE_REMOVE;
}

/* message is text, not markup: a toast's title is always markup in
 * libadwaita 1.2, and names (of files, of datasets) may hold & or <. */
static void
toast (ChanceryWindow *self,
       const char     *message)
{
  g_autofree char *markup = g_markup_escape_text (message, -1);

  chancery_window_add_toast (self, adw_toast_new (markup));
}

static gboolean
on_spinner_timeout_cb (gpointer user_data)
{
  ChanceryWindow *self = user_data;

  self->spinner_timeout_id = 0;
  gtk_spinner_start (self->loading_spinner);
  return G_SOURCE_REMOVE;
}

static gboolean
on_loading_timeout_cb (gpointer user_data)
{
  ChanceryWindow *self = user_data;

  self->loading_timeout_id = 0;
  /* The card would sit on top of the empty page's text and its live
   * Open button: it takes that page's place instead. */
  if (g_strcmp0 (gtk_stack_get_visible_child_name (self->main_stack), "empty") == 0)
    gtk_stack_set_visible_child_name (self->main_stack, "opening");
  if (!gtk_widget_get_visible (self->loading_box))
    {
      gtk_widget_set_visible (self->loading_box, TRUE);
      /* Busy for screen readers from the start, spinning or not. */
      gtk_accessible_update_state (GTK_ACCESSIBLE (self->loading_box),
                                   GTK_ACCESSIBLE_STATE_BUSY, TRUE, -1);
      self->spinner_timeout_id = g_timeout_add (SPINNER_DELAY_MS, on_spinner_timeout_cb, self);
    }
  return G_SOURCE_REMOVE;
}

static void
show_loading (ChanceryWindow *self,
              const char     *message,
              gboolean        immediately)
{
  gtk_label_set_text (self->loading_label, message);
  gtk_widget_set_visible (GTK_WIDGET (self->progress_bar), FALSE);

  g_clear_handle_id (&self->loading_timeout_id, g_source_remove);
  if (immediately || gtk_widget_get_visible (self->loading_box))
    on_loading_timeout_cb (self);
  else
    self->loading_timeout_id = g_timeout_add (LOADING_DELAY_MS, on_loading_timeout_cb, self);
}

static void
hide_loading (ChanceryWindow *self)
{
  if (get_busy (self))
    return;

  g_clear_handle_id (&self->loading_timeout_id, g_source_remove);
  g_clear_handle_id (&self->progress_timeout_id, g_source_remove);
  g_clear_handle_id (&self->spinner_timeout_id, g_source_remove);
  gtk_spinner_stop (self->loading_spinner);
  gtk_accessible_update_state (GTK_ACCESSIBLE (self->loading_box),
                               GTK_ACCESSIBLE_STATE_BUSY, FALSE, -1);
  gtk_widget_set_visible (self->loading_box, FALSE);
  /* Nothing opened after all (cancelled, or refused). */
  if (g_strcmp0 (gtk_stack_get_visible_child_name (self->main_stack), "opening") == 0)
    gtk_stack_set_visible_child_name (self->main_stack, "empty");
}

static void
update_actions (ChanceryWindow *self)
{
  gboolean have_data = self->store != NULL;

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.cancel", get_busy (self));
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.clear-filters", have_data);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.export", have_data);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.focus-search", have_data);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.zoom-in", have_data);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.zoom-out", have_data);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.zoom-fit", have_data);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.go-today", have_data);
}

static void
busy_changed (ChanceryWindow *self)
{
  update_actions (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_BUSY]);
}

static void
update_summary (ChanceryWindow *self)
{
  ChanceryIndex *index = chancery_timeline_get_index (self->timeline);
  guint n_matching = index != NULL ? index->n_events : 0;
  g_autofree char *text = NULL;
  g_autofree char *matching = chancery_format_count (n_matching);
  g_autofree char *total = chancery_format_count (self->n_total);

  chancery_filter_pane_set_summary (self->filter_pane, n_matching, self->n_total);
  /* Translators: window subtitle, "7 of 21 events"; the numbers come formatted
   * for the language (%s), the plural follows the total */
  text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%s of %s event", "%s of %s events",
                                       self->n_total),
                          matching, total);
  adw_window_title_set_subtitle (self->window_title, text);
}

static void
show_facets (ChanceryWindow      *self,
             ChanceryQueryResult *result)
{
  for (guint k = 0; k < CHANCERY_N_FACETS; k++)
    {
      if (result->facets[k] != NULL)
        chancery_filter_pane_set_facets (self->filter_pane, k, result->facets[k]);
    }
}

static void
show_index (ChanceryWindow *self,
            ChanceryIndex  *index)
{
  chancery_timeline_set_index (self->timeline, index);
  chancery_event_list_set_index (self->event_list, index);
  update_summary (self);
}

static void
show_error_dialog (ChanceryWindow *self,
                   GFile          *file,
                   const GError   *error)
{
  g_autofree char *name = g_file_get_basename (file);
  g_autofree char *heading = NULL;

  heading = g_strdup_printf (_("Could Not Open “%s”"), name);
  chancery_error_dialog_present (GTK_WINDOW (self), heading, error->message);
}

static void
add_to_recent (ChanceryWindow *self,
               GFile          *file,
               gboolean        is_json)
{
  g_autofree char *uri = g_file_get_uri (file);
  g_autofree char *path = g_file_get_path (file);
  GtkRecentData data = { 0 };

  /* The bundled dataset is always one click away; keep it out of the list. */
  if (path != NULL && g_strcmp0 (path, chancery_default_database_path ()) == 0)
    return;

  data.display_name = NULL;
  data.mime_type = (char *) (is_json ? "application/json" : "application/vnd.sqlite3");
  data.app_name = (char *) RECENT_APP_NAME;
  data.app_exec = (char *) "chancery %u";
  gtk_recent_manager_add_full (self->recent_manager, uri, &data);
}

static void
save_last_database (ChanceryWindow *self,
                    const char     *path)
{
  g_autoptr(GSettingsSchema) schema = NULL;

  if (self->settings == NULL)
    return;

  g_object_get (self->settings, "settings-schema", &schema, NULL);
  /* The schema says: an empty string for the bundled dataset. */
  if (g_strcmp0 (path, chancery_default_database_path ()) == 0)
    path = "";
  if (g_settings_schema_has_key (schema, "last-database"))
    g_settings_set_string (self->settings, "last-database", path);
}

/* The background check */

static void
cancel_check (ChanceryWindow *self)
{
  /* A window being destroyed may have had its frame clock disposed, and
   * with it every handler: disconnect only one still there. */
  if (self->check_clock != NULL && self->check_paint_id != 0 &&
      g_signal_handler_is_connected (self->check_clock, self->check_paint_id))
    g_signal_handler_disconnect (self->check_clock, self->check_paint_id);
  self->check_paint_id = 0;
  g_clear_object (&self->check_clock);
  g_clear_handle_id (&self->check_timeout_id, g_source_remove);
  if (self->check_cancellable != NULL)
    g_cancellable_cancel (self->check_cancellable);
  g_clear_object (&self->check_cancellable);
  g_clear_object (&self->check_task);
}

/* Back to the empty window, as when no dataset was ever open. */
static void
close_dataset (ChanceryWindow *self)
{
  cancel_query (self);
  cancel_check (self);
  chancery_window_select_event (self, -1);

  show_index (self, NULL);
  chancery_event_list_set_store (self->event_list, NULL);
  g_clear_object (&self->store);
  g_clear_pointer (&self->worker, chancery_worker_unref);
  g_clear_object (&self->unchecked_file);
  chancery_query_result_clear (&self->base);
  self->n_total = 0;
  g_clear_pointer (&self->requested_filter, chancery_filter_free);
  g_clear_pointer (&self->facets_filter, chancery_filter_free);

  chancery_filter_pane_reset (self->filter_pane);
  for (guint k = 0; k < CHANCERY_N_FACETS; k++)
    chancery_filter_pane_set_facets (self->filter_pane, k, NULL);
  update_summary (self);

  gtk_window_set_title (GTK_WINDOW (self), _("Chancery"));
  adw_window_title_set_title (self->window_title, _("Chancery"));
  adw_window_title_set_subtitle (self->window_title, NULL);
  gtk_stack_set_visible_child_name (self->main_stack, "empty");

  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STORE]);
  update_actions (self);
}

static void
show_damaged_dialog (ChanceryWindow *self,
                     const char     *path,
                     const GError   *error)
{
  g_autofree char *name = g_path_get_basename (path);
  g_autofree char *heading = NULL;

  /* Translators: a dialog heading; %s is a file name. Its events were
   * shown, then the check of the whole file found damage. */
  heading = g_strdup_printf (_("“%s” Is Damaged"), name);
  chancery_error_dialog_present (GTK_WINDOW (self), heading, error->message);
}

/* Whether a failed check says the file cannot be trusted (damaged, or
 * since replaced by something Chancery refuses), rather than that it could
 * not be read to its end. */
static gboolean
check_found_damage (const GError *error)
{
  return g_error_matches (error, CHANCERY_ERROR, CHANCERY_ERROR_CORRUPT) ||
         g_error_matches (error, CHANCERY_ERROR, CHANCERY_ERROR_NOT_A_DATABASE) ||
         g_error_matches (error, CHANCERY_ERROR, CHANCERY_ERROR_UNSAFE) ||
         g_error_matches (error, CHANCERY_ERROR, CHANCERY_ERROR_NEWER_SCHEMA);
}

static void
on_check_ready_cb (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  ChanceryWindow *self = CHANCERY_WINDOW (source);
  const char *path = chancery_store_get_path (g_task_get_task_data (G_TASK (result)));
  g_autoptr(GError) error = NULL;

  /* Cancelled by another open or by closing: its owner has moved on. */
  if (G_TASK (result) != self->check_task)
    return;

  g_clear_object (&self->check_task);
  g_clear_object (&self->check_cancellable);

  if (g_task_propagate_boolean (G_TASK (result), &error))
    {
      add_to_recent (self, self->unchecked_file, self->unchecked_imported);
      save_last_database (self, path);
      g_clear_object (&self->unchecked_file);
      return;
    }

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  if (!check_found_damage (error))
    {
      g_autofree char *name = g_path_get_basename (path);
      g_autofree char *message = NULL;

      /* The file could not be read to its end (moved away, locked, an I/O
       * error): nothing says that what is shown is wrong, so it stays, but
       * the file is not remembered as checked and the next open checks it
       * again. */
      g_clear_object (&self->unchecked_file);
      /* Translators: a notification; the first %s is a file name, the
       * second what went wrong. */
      message = g_strdup_printf (_("Could not check “%s” for damage: %s"), name, error->message);
      toast (self, message);
      return;
    }

  /* The events shown came from a damaged file: they go. */
  close_dataset (self);
  show_damaged_dialog (self, path, error);
}

/* Checks the dataset shown (opened unchecked) in a thread. */
static void
start_check (ChanceryWindow *self)
{
  g_autoptr(GTask) task = NULL;

  cancel_check (self);
  if (self->store == NULL)
    return;
  self->check_cancellable = g_cancellable_new ();
  task = g_task_new (self, self->check_cancellable, on_check_ready_cb, NULL);
  g_task_set_source_tag (task, start_check);
  g_task_set_task_data (task, g_object_ref (self->store), g_object_unref);
  /* Its verdict waits behind drawing and input. */
  g_task_set_priority (task, G_PRIORITY_LOW);
  self->check_task = g_object_ref (task);
  g_task_run_in_thread (task, chancery_check_job_thread);
}

static void
on_check_after_paint_cb (GdkFrameClock *clock,
                         gpointer       user_data)
{
  start_check (CHANCERY_WINDOW (user_data));
}

static gboolean
on_check_timeout_cb (gpointer user_data)
{
  ChanceryWindow *self = user_data;

  self->check_timeout_id = 0;
  start_check (self);
  return G_SOURCE_REMOVE;
}

/* Starts the check once the events are on screen: it would slow down the
 * first frame, on two cores shared with the counts being computed. */
static void
schedule_check (ChanceryWindow *self)
{
  GdkFrameClock *clock = gtk_widget_get_frame_clock (GTK_WIDGET (self));

  cancel_check (self);
  self->check_timeout_id = g_timeout_add (CHECK_DELAY_MS, on_check_timeout_cb, self);
  if (clock != NULL)
    {
      self->check_clock = g_object_ref (clock);
      self->check_paint_id = g_signal_connect (clock, "after-paint",
                                               G_CALLBACK (on_check_after_paint_cb), self);
    }
}

static void
apply_open (ChanceryWindow  *self,
            ChanceryOpenJob *job)
{
  g_autofree char *name = chancery_store_dup_name (job->store);

  chancery_window_select_event (self, -1);
  cancel_check (self);
  g_clear_object (&self->unchecked_file);

  g_set_object (&self->store, job->store);
  g_clear_pointer (&self->worker, chancery_worker_unref);
  self->worker = chancery_worker_new (job->store);
  chancery_query_result_clear (&self->base);
  chancery_query_result_keep (&self->base, &job->result);
  self->base_grouping = job->grouping;
  self->n_total = job->result.index->n_events;

  g_clear_pointer (&self->requested_filter, chancery_filter_free);
  g_clear_pointer (&self->facets_filter, chancery_filter_free);
  self->requested_filter = chancery_filter_new ();
  self->requested_grouping = job->grouping;

  chancery_filter_pane_reset (self->filter_pane);
  /* The counts come next, from the worker: the events show first. */
  for (guint k = 0; k < CHANCERY_N_FACETS; k++)
    chancery_filter_pane_set_facets (self->filter_pane, k, NULL);
  chancery_event_list_set_store (self->event_list, self->store);
  show_index (self, job->result.index);
  chancery_timeline_zoom_fit (self->timeline);

  gtk_window_set_title (GTK_WINDOW (self), name);
  adw_window_title_set_title (self->window_title, name);
  gtk_stack_set_visible_child_name (self->main_stack, "main");

  if (job->checked)
    {
      add_to_recent (self, job->file, job->imported);
      save_last_database (self, chancery_store_get_path (self->store));
    }
  else
    {
      self->unchecked_file = g_object_ref (job->file);
      self->unchecked_imported = job->imported;
      schedule_check (self);
    }

  if (job->imported)
    {
      g_autofree char *message = NULL;
      g_autofree char *count = chancery_format_count (job->n_imported);

      /* Translators: a toast; the first %s is the number of events, the second the dataset */
      message = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "Imported %s event into “%s”",
                                              "Imported %s events into “%s”", job->n_imported),
                                 count, name);
      toast (self, message);
    }

  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STORE]);
  update_actions (self);

  /* The grouping may have changed while the file was opening. */
  if (job->grouping != self->grouping)
    schedule_query (self);
  else
    start_query (self, chancery_filter_new (), FALSE, TRUE);
}

static void
on_open_ready_cb (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  ChanceryWindow *self = CHANCERY_WINDOW (source);
  ChanceryOpenJob *job = g_task_get_task_data (G_TASK (result));
  g_autoptr(GError) error = NULL;

  /* Superseded by a newer open: its owner has moved on. */
  if (G_TASK (result) != self->open_task)
    return;

  g_clear_object (&self->open_task);
  g_clear_object (&self->open_cancellable);
  hide_loading (self);

  if (!g_task_propagate_boolean (G_TASK (result), &error))
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        toast (self, _("Opening cancelled"));
      else
        show_error_dialog (self, job->file, error);
      /* The dataset shown stays; its check, paused for the open, resumes. */
      if (self->unchecked_file != NULL && self->check_task == NULL && self->store != NULL)
        start_check (self);
    }
  else
    apply_open (self, job);

  busy_changed (self);
}

static void
on_query_ready_cb (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  ChanceryWindow *self = CHANCERY_WINDOW (source);
  ChanceryQueryJob *job = g_task_get_task_data (G_TASK (result));
  g_autoptr(GError) error = NULL;

  if (G_TASK (result) != self->query_task)
    return;

  g_clear_object (&self->query_task);
  g_clear_object (&self->query_cancellable);
  hide_loading (self);

  if (!g_task_propagate_boolean (G_TASK (result), &error))
    {
      /* What is shown is what was asked before; asking again must work. */
      g_clear_pointer (&self->requested_filter, chancery_filter_free);

      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        toast (self, _("Filtering cancelled; the previous results are shown"));
      else
        {
          g_autofree char *message = g_strdup_printf (_("Could not filter: %s"), error->message);
          toast (self, message);
        }
    }
  else
    {
      if (chancery_filter_is_empty (job->filter))
        {
          if (job->want_index)
            {
              if (job->grouping != self->base_grouping)
                g_clear_pointer (&self->base.index, chancery_index_unref);
              self->base_grouping = job->grouping;
            }
          chancery_query_result_keep (&self->base, &job->result);
        }
      if (job->want_facets)
        {
          show_facets (self, &job->result);
          g_clear_pointer (&self->facets_filter, chancery_filter_free);
          self->facets_filter = chancery_filter_copy (job->filter);
        }
      if (job->want_index)
        show_index (self, job->result.index);
    }

  busy_changed (self);
}

static void
cancel_query (ChanceryWindow *self)
{
  if (self->query_cancellable != NULL)
    g_cancellable_cancel (self->query_cancellable);
  g_clear_object (&self->query_cancellable);
  g_clear_object (&self->query_task);
}

/* Builds what filter asks for in the worker (takes filter). Only the
 * index is waited for with the loading card; counts alone come quietly. */
static void
start_query (ChanceryWindow  *self,
             ChanceryFilter  *filter,
             gboolean         want_index,
             gboolean         want_facets)
{
  g_autoptr(GTask) task = NULL;
  ChanceryQueryJob *job;

  cancel_query (self);

  job = g_new0 (ChanceryQueryJob, 1);
  job->worker = chancery_worker_ref (self->worker);
  job->filter = chancery_filter_copy (filter);
  job->grouping = self->grouping;
  job->want_index = want_index;
  job->want_facets = want_facets;

  g_clear_pointer (&self->requested_filter, chancery_filter_free);
  self->requested_filter = filter;
  self->requested_grouping = self->grouping;

  self->query_cancellable = g_cancellable_new ();
  task = g_task_new (self, self->query_cancellable, on_query_ready_cb, NULL);
  g_task_set_source_tag (task, start_query);
  g_task_set_task_data (task, job, (GDestroyNotify) chancery_query_job_free);
  self->query_task = g_object_ref (task);
  g_task_run_in_thread (task, chancery_query_job_thread);

  if (want_index)
    show_loading (self, _("Filtering…"), FALSE);
  busy_changed (self);
}

static void
schedule_query (ChanceryWindow *self)
{
  g_autoptr(ChanceryFilter) filter = NULL;
  gboolean want_facets;

  if (self->store == NULL || self->open_task != NULL)
    return;

  filter = chancery_filter_pane_dup_filter (self->filter_pane);
  if (self->requested_filter != NULL
      && self->requested_grouping == self->grouping
      && chancery_filter_equal (filter, self->requested_filter))
    return;

  cancel_query (self);

  /* Back to everything: what was computed on opening still holds. */
  if (chancery_filter_is_empty (filter)
      && self->base.index != NULL && self->base_grouping == self->grouping
      && self->base.facets[0] != NULL)
    {
      show_facets (self, &self->base);
      show_index (self, self->base.index);
      g_clear_pointer (&self->facets_filter, chancery_filter_free);
      self->facets_filter = chancery_filter_copy (filter);
      g_clear_pointer (&self->requested_filter, chancery_filter_free);
      self->requested_filter = g_steal_pointer (&filter);
      self->requested_grouping = self->grouping;
      hide_loading (self);
      busy_changed (self);
      return;
    }

  want_facets = self->facets_filter == NULL || !chancery_filter_equal (filter, self->facets_filter);
  start_query (self, g_steal_pointer (&filter), TRUE, want_facets);
}

static gboolean
on_progress_timeout_cb (gpointer user_data)
{
  ChanceryWindow *self = user_data;
  ChanceryOpenJob *job;
  int permille;

  if (self->open_task == NULL)
    {
      self->progress_timeout_id = 0;
      return G_SOURCE_REMOVE;
    }

  job = g_task_get_task_data (self->open_task);
  permille = g_atomic_int_get (&job->progress);
  gtk_widget_set_visible (GTK_WIDGET (self->progress_bar), permille >= 0);
  if (permille >= 0)
    gtk_progress_bar_set_fraction (self->progress_bar, permille / 1000.0);

  return G_SOURCE_CONTINUE;
}

static void
update_chips (ChanceryWindow *self);

static void
on_chip_clicked_cb (GtkButton      *button,
                    ChanceryWindow *self)
{
  ChanceryFilterField field = GPOINTER_TO_UINT (g_object_get_data (G_OBJECT (button), "field"));
  const char *key = g_object_get_data (G_OBJECT (button), "key");

  chancery_filter_pane_remove (self->filter_pane, field, key);
}

static const char *
field_label (ChanceryFilterField field)
{
  switch (field)
    {
    case CHANCERY_FILTER_FIELD_ACTOR:   return C_("filter chip", "Actor");
    case CHANCERY_FILTER_FIELD_COUNTRY: return C_("filter chip", "Country");
    case CHANCERY_FILTER_FIELD_KIND:    return C_("filter chip", "Kind");
    case CHANCERY_FILTER_FIELD_STATUS:  return C_("filter chip", "Status");
    case CHANCERY_FILTER_FIELD_PROJECT: return C_("filter chip", "Project");
    case CHANCERY_FILTER_FIELD_FROM:
    case CHANCERY_FILTER_FIELD_TO:      return C_("filter chip", "Date");
    case CHANCERY_FILTER_FIELD_TEXT:    return C_("filter chip", "Text");
    default:
      g_return_val_if_reached ("");
    }
}

static GtkWidget *
make_filter_chip (ChanceryWindow           *self,
                  const ChanceryFilterChip *chip)
{
  GtkWidget *button = gtk_button_new ();
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 4);
  GtkWidget *field = gtk_label_new (field_label (chip->field));
  GtkWidget *value = gtk_label_new (chip->label);
  GtkWidget *icon = chancery_decorative_icon_new ("window-close-symbolic");
  g_autofree char *description = NULL;

  gtk_widget_add_css_class (field, "dim-label");
  gtk_label_set_ellipsize (GTK_LABEL (value), PANGO_ELLIPSIZE_END);
  gtk_label_set_max_width_chars (GTK_LABEL (value), 28);
  gtk_box_append (GTK_BOX (box), field);
  gtk_box_append (GTK_BOX (box), value);
  gtk_box_append (GTK_BOX (box), icon);
  gtk_button_set_child (GTK_BUTTON (button), box);
  gtk_widget_add_css_class (button, "filter-chip");

  /* Translators: tooltip of a filter chip, e.g. "Remove filter Country: Armenia" */
  description = g_strdup_printf (_("Remove filter %s: %s"), field_label (chip->field), chip->label);
  gtk_widget_set_tooltip_text (button, description);
  gtk_accessible_update_property (GTK_ACCESSIBLE (button),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, description,
                                  -1);

  g_object_set_data (G_OBJECT (button), "field", GUINT_TO_POINTER (chip->field));
  g_object_set_data_full (G_OBJECT (button), "key", g_strdup (chip->key), g_free);
  g_signal_connect (button, "clicked", G_CALLBACK (on_chip_clicked_cb), self);

  return button;
}

static void
update_chips (ChanceryWindow *self)
{
  g_autoptr(GPtrArray) chips = chancery_filter_pane_list_chips (self->filter_pane);

  chancery_wrap_box_remove_all (self->chips_box);
  for (guint i = 0; i < chips->len; i++)
    chancery_wrap_box_append (self->chips_box, make_filter_chip (self, g_ptr_array_index (chips, i)));

  gtk_revealer_set_reveal_child (self->chips_revealer, chips->len > 0);
}

/* A day of the range label, in format (a g_date_time_format() format). */
static char *
format_day (double      day,
            const char *format)
{
  g_autoptr(GDateTime) dt = NULL;
  int y, m, d;

  chancery_day_to_ymd ((gint32) floor (day), &y, &m, &d);
  dt = g_date_time_new_utc (y, m, d, 0, 0, 0);
  if (dt == NULL)
    return g_strdup ("");
  return chancery_format_date_time (dt, format);
}

/* The range label's text for the view [start, end): its first and last
 * day in format. */
static char *
format_range (double      start,
              double      end,
              const char *format)
{
  g_autofree char *first = format_day (start, format);
  g_autofree char *last = format_day (end - 1e-6, format);

  return g_strdup_printf ("%s – %s", first, last);
}

static void
update_lanes_label (ChanceryWindow *self)
{
  for (guint i = 0; i < G_N_ELEMENTS (groupings); i++)
    {
      if (groupings[i].grouping == self->grouping)
        gtk_menu_button_set_label (self->lanes_button, _(groupings[i].label));
    }
}

/* Signal callbacks */

static void
on_filter_pane_changed_cb (ChanceryFilterPane *pane,
                           ChanceryWindow     *self)
{
  update_chips (self);
  schedule_query (self);
}

static void
load_detail (ChanceryWindow *self,
             gint64          id)
{
  g_autoptr(GError) error = NULL;
  ChanceryEvent *event = NULL;

  if (id >= 0 && self->store != NULL)
    {
      event = chancery_store_get_event (self->store, id, &error);
      if (event == NULL)
        {
          g_autofree char *message = g_strdup_printf (_("Could not read the event: %s"), error->message);
          toast (self, message);
        }
    }

  chancery_detail_pane_set_event (self->detail_pane, event);
}

static void
on_timeline_selected_id_changed_cb (ChanceryTimeline *timeline,
                                    GParamSpec       *pspec,
                                    ChanceryWindow   *self)
{
  chancery_window_select_event (self, chancery_timeline_get_selected_id (timeline));
}

static void
on_event_list_selected_id_changed_cb (ChanceryEventList *list,
                                      GParamSpec        *pspec,
                                      ChanceryWindow    *self)
{
  chancery_window_select_event (self, chancery_event_list_get_selected_id (list));
}

static gboolean focus_details    (ChanceryWindow *self);
static gboolean settings_has_key (GSettings      *settings,
                                  const char     *key);

/* Shows the details asked for from a view. In a narrow window they open
 * over the content and take the focus, so that Escape (which the views
 * use to drop the selection) closes them, and the focus then goes back
 * to the view (on_detail_flap_reveal_changed_cb). */
static void
show_details (ChanceryWindow *self,
              gboolean        from_list)
{
  set_detail_visible (self, TRUE);
  if (!adw_flap_get_folded (self->detail_flap))
    return;
  self->details_from_list = from_list;
  /* The flap's child takes the focus once it is shown, at the first
   * step of the reveal (at once when animations are off). */
  self->focus_details = !focus_details (self);
}

/* Moves the focus into the details; FALSE while they cannot take it. */
static gboolean
focus_details (ChanceryWindow *self)
{
  GtkWidget *focus;

  if (!gtk_widget_child_focus (GTK_WIDGET (self->detail_pane), GTK_DIR_TAB_FORWARD))
    return FALSE;
  /* A selectable label selects all its text when focused; the title is
   * there to be read, the selection would only hide it. */
  focus = gtk_root_get_focus (GTK_ROOT (self));
  if (GTK_IS_LABEL (focus))
    gtk_label_select_region (GTK_LABEL (focus), 0, 0);
  return TRUE;
}

static void
on_detail_flap_reveal_progress_cb (AdwFlap        *flap,
                                   GParamSpec     *pspec,
                                   ChanceryWindow *self)
{
  if (self->focus_details && adw_flap_get_reveal_progress (flap) > 0)
    self->focus_details = !focus_details (self) && adw_flap_get_reveal_flap (flap);
}

static void
on_detail_flap_reveal_changed_cb (AdwFlap        *flap,
                                  GParamSpec     *pspec,
                                  ChanceryWindow *self)
{
  GtkWidget *focus = gtk_root_get_focus (GTK_ROOT (self));

  if (adw_flap_get_reveal_flap (flap))
    return;
  self->focus_details = FALSE;
  if (!adw_flap_get_folded (flap))
    return;
  if (focus != NULL && !gtk_widget_is_ancestor (focus, GTK_WIDGET (self->detail_pane)))
    return;
  /* The list's focus is on a row, which the list keeps no widget for. */
  if (self->details_from_list && chancery_event_list_focus_selected (self->event_list))
    return;
  gtk_widget_grab_focus (GTK_WIDGET (self->timeline));
}

/* The flaps are locked (in the .ui: they never show or hide on their
 * own): folded, a pane hides; unfolded, it is shown as the user last
 * left it beside the content (the setting), not always, as an unlocked
 * flap would. */
static void
on_flap_folded_cb (AdwFlap        *flap,
                   GParamSpec     *pspec,
                   ChanceryWindow *self)
{
  const char *key = flap == self->flap ? "sidebar-visible" : "detail-visible";
  gboolean visible = TRUE;

  if (adw_flap_get_folded (flap))
    {
      adw_flap_set_reveal_flap (flap, FALSE);
      return;
    }
  if (self->settings != NULL && settings_has_key (self->settings, key))
    visible = g_settings_get_boolean (self->settings, key);
  adw_flap_set_reveal_flap (flap, visible);
}

static void
on_timeline_event_activated_cb (ChanceryTimeline *timeline,
                                gint64            id,
                                ChanceryWindow   *self)
{
  /* Enter or a double click asks for the details. */
  chancery_window_select_event (self, id);
  show_details (self, FALSE);
}

static void
on_event_list_event_activated_cb (ChanceryEventList *list,
                                  gint64             id,
                                  ChanceryWindow    *self)
{
  chancery_window_select_event (self, id);
  gtk_widget_activate_action (GTK_WIDGET (self->timeline), "timeline.go-selection", NULL);
  show_details (self, TRUE);
}

static void
on_detail_pane_filter_requested_cb (ChanceryDetailPane *pane,
                                    guint               kind,
                                    const char         *key,
                                    const char         *label,
                                    ChanceryWindow     *self)
{
  chancery_filter_pane_add (self->filter_pane, kind, key, label);
}

static void
on_detail_pane_event_requested_cb (ChanceryDetailPane *pane,
                                   gint64              id,
                                   ChanceryWindow     *self)
{
  ChanceryIndex *index = chancery_timeline_get_index (self->timeline);

  chancery_window_select_event (self, id);
  if (index != NULL && chancery_index_find_id (index, id) != G_MAXUINT)
    gtk_widget_activate_action (GTK_WIDGET (self->timeline), "timeline.go-selection", NULL);
  else
    toast (self, _("This event is hidden by the filters"));
}

static void
on_timeline_view_changed_cb (ChanceryTimeline *timeline,
                             GParamSpec       *pspec,
                             ChanceryWindow   *self)
{
  g_autofree char *text = NULL;
  g_autofree char *full = NULL;
  g_autofree char *spoken = NULL;
  const char *day_format, *format;
  double start, end;

  chancery_timeline_get_view (timeline, &start, &end);
  if (!(end > start))
    {
      gtk_label_set_text (self->range_label, "");
      gtk_accessible_reset_property (GTK_ACCESSIBLE (self->range_label), GTK_ACCESSIBLE_PROPERTY_LABEL);
      return;
    }

  /* The label says the span at the grain that matters at this zoom: days
   * within about three months, months within about ten years, years
   * beyond. Days over years were long enough to lose the end year in
   * Russian at the default size ("14 ноя 2024 – 1 апр 20…"). Screen
   * readers get the days always. */
  /* Translators: a day in the timeline's range label; see g_date_time_format() */
  day_format = C_("range label", "%-d %b %Y");
  if (end - start <= 92)
    format = day_format;
  else if (end - start <= 3653)
    /* Translators: a month in the timeline's range label, for views of
     * months to years; see g_date_time_format() */
    format = C_("range label", "%b %Y");
  else
    /* Translators: a year in the timeline's range label, for views of
     * decades; see g_date_time_format() */
    format = C_("range label", "%Y");

  text = format_range (start, end, format);
  gtk_label_set_text (self->range_label, text);

  full = format == day_format ? g_strdup (text) : format_range (start, end, day_format);
  /* Translators: what a screen reader says for the timeline's range label;
   * %s is the first and last day in view, e.g. "14 Nov 2024 – 1 Apr 2027" */
  spoken = g_strdup_printf (_("Visible range: %s"), full);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->range_label),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, spoken,
                                  -1);
}

static void
on_recent_manager_changed_cb (GtkRecentManager *manager,
                              ChanceryWindow   *self);

static int
compare_recent_infos (gconstpointer a,
                      gconstpointer b)
{
  GtkRecentInfo *ia = *(GtkRecentInfo **) a;
  GtkRecentInfo *ib = *(GtkRecentInfo **) b;
  GDateTime *ma = gtk_recent_info_get_modified (ia);
  GDateTime *mb = gtk_recent_info_get_modified (ib);

  return -g_date_time_compare (ma, mb);
}

static void
on_recent_manager_changed_cb (GtkRecentManager *manager,
                              ChanceryWindow   *self)
{
  g_autoptr(GPtrArray) infos = g_ptr_array_new_with_free_func ((GDestroyNotify) gtk_recent_info_unref);
  GList *items = gtk_recent_manager_get_items (manager);

  for (GList *l = items; l != NULL; l = l->next)
    {
      GtkRecentInfo *info = l->data;

      if (gtk_recent_info_has_application (info, RECENT_APP_NAME) && gtk_recent_info_exists (info))
        g_ptr_array_add (infos, gtk_recent_info_ref (info));
    }
  g_list_free_full (items, (GDestroyNotify) gtk_recent_info_unref);
  g_ptr_array_sort (infos, compare_recent_infos);

  g_menu_remove_all (self->recent_menu);
  for (guint i = 0; i < infos->len && i < N_RECENT; i++)
    {
      GtkRecentInfo *info = g_ptr_array_index (infos, i);
      g_autoptr(GMenuItem) item = NULL;

      item = g_menu_item_new (gtk_recent_info_get_display_name (info), NULL);
      g_menu_item_set_action_and_target (item, "win.open-recent", "s", gtk_recent_info_get_uri (info));
      g_menu_append_item (self->recent_menu, item);
    }

  if (infos->len == 0)
    g_menu_append (self->recent_menu, _("No Recent Files"), "win.no-recent");
}

static void
on_file_chooser_response_cb (GtkNativeDialog *dialog,
                             int              response,
                             ChanceryWindow  *self)
{
  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (dialog));

      if (file != NULL)
        chancery_window_open_file (self, file);
    }

  gtk_native_dialog_destroy (dialog);
  g_clear_object (&self->file_chooser);
}

static gboolean
on_drop_target_drop_cb (GtkDropTarget  *target,
                        const GValue   *value,
                        double          x,
                        double          y,
                        ChanceryWindow *self)
{
  GSList *files;

  if (!G_VALUE_HOLDS (value, GDK_TYPE_FILE_LIST))
    return FALSE;

  files = gdk_file_list_get_files (g_value_get_boxed (value));
  if (files == NULL)
    return FALSE;

  chancery_window_open_file (self, files->data);
  g_slist_free (files);
  return TRUE;
}

/* Actions */

static void
add_file_filter (GtkFileChooser *chooser,
                 const char     *name,
                 const char     *mime_type,
                 const char    **patterns)
{
  g_autoptr(GtkFileFilter) filter = gtk_file_filter_new ();

  gtk_file_filter_set_name (filter, name);
  if (mime_type != NULL)
    gtk_file_filter_add_mime_type (filter, mime_type);
  for (guint i = 0; patterns != NULL && patterns[i] != NULL; i++)
    gtk_file_filter_add_pattern (filter, patterns[i]);
  gtk_file_chooser_add_filter (chooser, filter);
}

static void
open_action_cb (GtkWidget  *widget,
                const char *action_name,
                GVariant   *parameter)
{
  ChanceryWindow *self = CHANCERY_WINDOW (widget);
  static const char *all_patterns[] = { "*.db", "*.sqlite", "*.sqlite3", "*.chancery", "*.json", NULL };
  static const char *db_patterns[] = { "*.db", "*.sqlite", "*.sqlite3", "*.chancery", NULL };
  static const char *json_patterns[] = { "*.json", NULL };
  static const char *any_patterns[] = { "*", NULL };
  GtkFileChooser *chooser;

  if (self->file_chooser != NULL)
    {
      gtk_native_dialog_show (GTK_NATIVE_DIALOG (self->file_chooser));
      return;
    }

  self->file_chooser = gtk_file_chooser_native_new (_("Open Dataset"), GTK_WINDOW (self),
                                                    GTK_FILE_CHOOSER_ACTION_OPEN,
                                                    _("_Open"), _("_Cancel"));
  chooser = GTK_FILE_CHOOSER (self->file_chooser);
  add_file_filter (chooser, _("Chancery Datasets"), NULL, all_patterns);
  add_file_filter (chooser, _("Chancery Databases"), "application/vnd.sqlite3", db_patterns);
  add_file_filter (chooser, _("Chancery JSON Files"), "application/json", json_patterns);
  add_file_filter (chooser, _("All Files"), NULL, any_patterns);
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (self->file_chooser), TRUE);

  g_signal_connect (self->file_chooser, "response",
                    G_CALLBACK (on_file_chooser_response_cb), self);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (self->file_chooser));
}

static void
open_recent_action_cb (GtkWidget  *widget,
                       const char *action_name,
                       GVariant   *parameter)
{
  g_autoptr(GFile) file = g_file_new_for_uri (g_variant_get_string (parameter, NULL));

  chancery_window_open_file (CHANCERY_WINDOW (widget), file);
}

static void
clear_filters_action_cb (GtkWidget  *widget,
                         const char *action_name,
                         GVariant   *parameter)
{
  chancery_filter_pane_clear (CHANCERY_WINDOW (widget)->filter_pane);
}

static void
focus_search_action_cb (GtkWidget  *widget,
                        const char *action_name,
                        GVariant   *parameter)
{
  ChanceryWindow *self = CHANCERY_WINDOW (widget);

  adw_flap_set_reveal_flap (self->flap, TRUE);
  chancery_filter_pane_focus_search (self->filter_pane);
}

static void
cancel_action_cb (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *parameter)
{
  ChanceryWindow *self = CHANCERY_WINDOW (widget);

  if (self->open_cancellable != NULL)
    g_cancellable_cancel (self->open_cancellable);
  if (self->query_cancellable != NULL)
    g_cancellable_cancel (self->query_cancellable);
}

static void
timeline_action_cb (GtkWidget  *widget,
                    const char *action_name,
                    GVariant   *parameter)
{
  ChanceryWindow *self = CHANCERY_WINDOW (widget);
  g_autofree char *name = NULL;

  /* "win.zoom-in" -> "timeline.zoom-in" */
  name = g_strconcat ("timeline.", strchr (action_name, '.') + 1, NULL);
  gtk_widget_activate_action (GTK_WIDGET (self->timeline), name, NULL);
}

/* Settings */

static GSettings *
create_settings (void)
{
  GSettingsSchemaSource *source = g_settings_schema_source_get_default ();
  g_autoptr(GSettingsSchema) schema = NULL;

  if (source == NULL)
    return NULL;
  schema = g_settings_schema_source_lookup (source, APP_ID, TRUE);
  if (schema == NULL)
    return NULL;

  return g_settings_new_full (schema, NULL, NULL);
}

static gboolean
settings_has_key (GSettings  *settings,
                  const char *key)
{
  g_autoptr(GSettingsSchema) schema = NULL;

  g_object_get (settings, "settings-schema", &schema, NULL);
  return g_settings_schema_has_key (schema, key);
}

static void
load_settings (ChanceryWindow *self)
{
  self->settings = create_settings ();
  if (self->settings == NULL)
    return;

  if (settings_has_key (self->settings, "window-width")
      && settings_has_key (self->settings, "window-height"))
    {
      int width = g_settings_get_int (self->settings, "window-width");
      int height = g_settings_get_int (self->settings, "window-height");

      if (width > 0 && height > 0)
        gtk_window_set_default_size (GTK_WINDOW (self), width, height);
    }
  if (settings_has_key (self->settings, "window-maximized")
      && g_settings_get_boolean (self->settings, "window-maximized"))
    gtk_window_maximize (GTK_WINDOW (self));

  if (settings_has_key (self->settings, "lane-grouping"))
    g_settings_bind (self->settings, "lane-grouping", self, "lane-grouping", G_SETTINGS_BIND_DEFAULT);
  /* Read here; written by set_*_visible () only while the pane's flap
   * lies beside the content (save_pane_visible). */
  if (settings_has_key (self->settings, "sidebar-visible"))
    g_settings_bind (self->settings, "sidebar-visible", self, "sidebar-visible", G_SETTINGS_BIND_GET);
  if (settings_has_key (self->settings, "detail-visible"))
    g_settings_bind (self->settings, "detail-visible", self, "detail-visible", G_SETTINGS_BIND_GET);
}

/* A pane the window folded away for want of room, or opened over the
 * content while folded, is not the user's choice for the next start:
 * only what is set while its flap lies beside the content is kept. */
static void
save_pane_visible (ChanceryWindow *self,
                   AdwFlap        *flap,
                   const char     *key,
                   gboolean        visible)
{
  if (self->settings == NULL || flap == NULL || adw_flap_get_folded (flap)
      || !settings_has_key (self->settings, key))
    return;
  if (g_settings_get_boolean (self->settings, key) != visible)
    g_settings_set_boolean (self->settings, key, visible);
}

static void
save_window_state (ChanceryWindow *self)
{
  int width, height;

  if (self->settings == NULL)
    return;

  gtk_window_get_default_size (GTK_WINDOW (self), &width, &height);
  if (settings_has_key (self->settings, "window-width"))
    g_settings_set_int (self->settings, "window-width", width);
  if (settings_has_key (self->settings, "window-height"))
    g_settings_set_int (self->settings, "window-height", height);
  if (settings_has_key (self->settings, "window-maximized"))
    g_settings_set_boolean (self->settings, "window-maximized",
                            gtk_window_is_maximized (GTK_WINDOW (self)));
}

/* Properties */

/* The entry of groupings[] named name, or -1. */
static int
find_grouping (const char *name)
{
  for (guint i = 0; name != NULL && i < G_N_ELEMENTS (groupings); i++)
    if (g_str_equal (groupings[i].name, name))
      return (int) i;
  return -1;
}

static const char *
get_lane_grouping (ChanceryWindow *self)
{
  for (guint i = 0; i < G_N_ELEMENTS (groupings); i++)
    {
      if (groupings[i].grouping == self->grouping)
        return groupings[i].name;
    }
  return "none";
}

static void
set_lane_grouping (ChanceryWindow *self,
                   const char     *name)
{
  int i = find_grouping (name);

  if (i < 0)
    {
      g_warning ("Unknown lane grouping “%s”", name);
      return;
    }
  if (groupings[i].grouping == self->grouping)
    return;

  self->grouping = groupings[i].grouping;
  update_lanes_label (self);
  schedule_query (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LANE_GROUPING]);
}

static void
set_sidebar_visible (ChanceryWindow *self,
                     gboolean        visible)
{
  visible = !!visible;
  if (self->sidebar_visible == visible)
    return;

  self->sidebar_visible = visible;
  save_pane_visible (self, self->flap, "sidebar-visible", visible);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SIDEBAR_VISIBLE]);
}

static void
set_detail_visible (ChanceryWindow *self,
                    gboolean        visible)
{
  visible = !!visible;
  if (self->detail_visible == visible)
    return;

  self->detail_visible = visible;
  save_pane_visible (self, self->detail_flap, "detail-visible", visible);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_DETAIL_VISIBLE]);
}

/* Vfuncs */

static gboolean
chancery_window_close_request (GtkWindow *window)
{
  ChanceryWindow *self = CHANCERY_WINDOW (window);

  save_window_state (self);
  cancel_action_cb (GTK_WIDGET (self), "win.cancel", NULL);

  return GTK_WINDOW_CLASS (chancery_window_parent_class)->close_request (window);
}

static void
chancery_window_dispose (GObject *object)
{
  ChanceryWindow *self = CHANCERY_WINDOW (object);

  if (self->open_cancellable != NULL)
    g_cancellable_cancel (self->open_cancellable);
  if (self->query_cancellable != NULL)
    g_cancellable_cancel (self->query_cancellable);
  g_clear_object (&self->open_task);
  g_clear_object (&self->open_cancellable);
  g_clear_object (&self->query_task);
  g_clear_object (&self->query_cancellable);
  cancel_check (self);
  g_clear_object (&self->unchecked_file);
  g_clear_handle_id (&self->loading_timeout_id, g_source_remove);
  g_clear_handle_id (&self->spinner_timeout_id, g_source_remove);
  g_clear_handle_id (&self->progress_timeout_id, g_source_remove);

  if (self->recent_manager != NULL)
    g_signal_handlers_disconnect_by_func (self->recent_manager, on_recent_manager_changed_cb, self);
  self->recent_manager = NULL;

  if (self->file_chooser != NULL)
    gtk_native_dialog_destroy (GTK_NATIVE_DIALOG (self->file_chooser));
  g_clear_object (&self->file_chooser);

  gtk_widget_dispose_template (GTK_WIDGET (self), CHANCERY_TYPE_WINDOW);

  /* The overlay dismissed its toasts as it went; this is for the others. */
  while (self->toasts != NULL && self->toasts->len > 0)
    on_toast_dismissed_cb (((WindowToast *) g_ptr_array_index (self->toasts, 0))->toast, self);
  g_clear_pointer (&self->toasts, g_ptr_array_unref);
  g_clear_object (&self->settings);
  g_clear_object (&self->store);
  g_clear_pointer (&self->worker, chancery_worker_unref);
  g_clear_pointer (&self->requested_filter, chancery_filter_free);
  g_clear_pointer (&self->facets_filter, chancery_filter_free);
  chancery_query_result_clear (&self->base);

  G_OBJECT_CLASS (chancery_window_parent_class)->dispose (object);
}

static void
chancery_window_get_property (GObject    *object,
                              guint       prop_id,
                              GValue     *value,
                              GParamSpec *pspec)
{
  ChanceryWindow *self = CHANCERY_WINDOW (object);

  switch (prop_id)
    {
    case PROP_STORE:
      g_value_set_object (value, self->store);
      break;
    case PROP_BUSY:
      g_value_set_boolean (value, get_busy (self));
      break;
    case PROP_LANE_GROUPING:
      g_value_set_string (value, get_lane_grouping (self));
      break;
    case PROP_SIDEBAR_VISIBLE:
      g_value_set_boolean (value, self->sidebar_visible);
      break;
    case PROP_DETAIL_VISIBLE:
      g_value_set_boolean (value, self->detail_visible);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
chancery_window_set_property (GObject      *object,
                              guint         prop_id,
                              const GValue *value,
                              GParamSpec   *pspec)
{
  ChanceryWindow *self = CHANCERY_WINDOW (object);

  switch (prop_id)
    {
    case PROP_LANE_GROUPING:
      set_lane_grouping (self, g_value_get_string (value));
      break;
    case PROP_SIDEBAR_VISIBLE:
      set_sidebar_visible (self, g_value_get_boolean (value));
      break;
    case PROP_DETAIL_VISIBLE:
      set_detail_visible (self, g_value_get_boolean (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

/* AdwSplitButton's arrow is a GtkMenuButton inside it whose only name,
 * in GTK 4.8, would be its class name; give it the dropdown's tooltip as
 * name. Not to the toggle button it wraps too: that one is labelled by the
 * menu button, and would read the name twice. */
static void
name_split_button_arrow (GtkWidget  *widget,
                         const char *name)
{
  for (GtkWidget *c = gtk_widget_get_first_child (widget); c != NULL; c = gtk_widget_get_next_sibling (c))
    {
      if (GTK_IS_MENU_BUTTON (c))
        gtk_accessible_update_property (GTK_ACCESSIBLE (c), GTK_ACCESSIBLE_PROPERTY_LABEL, name, -1);
      name_split_button_arrow (c, name);
    }
}

static void
chancery_window_class_init (ChanceryWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  GtkWindowClass *window_class = GTK_WINDOW_CLASS (klass);

  object_class->dispose = chancery_window_dispose;
  object_class->get_property = chancery_window_get_property;
  object_class->set_property = chancery_window_set_property;
  window_class->close_request = chancery_window_close_request;

  properties[PROP_STORE] =
    g_param_spec_object ("store", NULL, NULL, CHANCERY_TYPE_STORE,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_BUSY] =
    g_param_spec_boolean ("busy", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_LANE_GROUPING] =
    g_param_spec_string ("lane-grouping", NULL, NULL, "country",
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_SIDEBAR_VISIBLE] =
    g_param_spec_boolean ("sidebar-visible", NULL, NULL, TRUE,
                          G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_DETAIL_VISIBLE] =
    g_param_spec_boolean ("detail-visible", NULL, NULL, TRUE,
                          G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /* Links the resources (and their constructor) into any program using the window. */
  (void) chancery_get_resource ();

  g_type_ensure (CHANCERY_TYPE_TIMELINE);
  g_type_ensure (CHANCERY_TYPE_WRAP_BOX);
  g_type_ensure (CHANCERY_TYPE_OVERVIEW);
  g_type_ensure (CHANCERY_TYPE_EVENT_LIST);
  g_type_ensure (CHANCERY_TYPE_DETAIL_PANE);
  g_type_ensure (CHANCERY_TYPE_FILTER_PANE);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/chancery/Chancery/chancery-window.ui");
  gtk_widget_class_bind_template_child (widget_class, ChanceryWindow, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, ChanceryWindow, window_title);
  gtk_widget_class_bind_template_child (widget_class, ChanceryWindow, open_button);
  gtk_widget_class_bind_template_child (widget_class, ChanceryWindow, main_stack);
  gtk_widget_class_bind_template_child (widget_class, ChanceryWindow, flap);
  gtk_widget_class_bind_template_child (widget_class, ChanceryWindow, detail_flap);
  gtk_widget_class_bind_template_child (widget_class, ChanceryWindow, filter_pane);
  gtk_widget_class_bind_template_child (widget_class, ChanceryWindow, chips_revealer);
  gtk_widget_class_bind_template_child (widget_class, ChanceryWindow, chips_box);
  gtk_widget_class_bind_template_child (widget_class, ChanceryWindow, range_label);
  gtk_widget_class_bind_template_child (widget_class, ChanceryWindow, lanes_button);
  gtk_widget_class_bind_template_child (widget_class, ChanceryWindow, timeline);
  gtk_widget_class_bind_template_child (widget_class, ChanceryWindow, event_list);
  gtk_widget_class_bind_template_child (widget_class, ChanceryWindow, detail_pane);
  gtk_widget_class_bind_template_child (widget_class, ChanceryWindow, loading_box);
  gtk_widget_class_bind_template_child (widget_class, ChanceryWindow, loading_spinner);
  gtk_widget_class_bind_template_child (widget_class, ChanceryWindow, loading_label);
  gtk_widget_class_bind_template_child (widget_class, ChanceryWindow, progress_bar);
  gtk_widget_class_bind_template_child (widget_class, ChanceryWindow, recent_menu);
  gtk_widget_class_bind_template_child (widget_class, ChanceryWindow, primary_menu);
  gtk_widget_class_bind_template_callback (widget_class, on_filter_pane_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, on_timeline_selected_id_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, on_timeline_view_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, on_timeline_event_activated_cb);
  gtk_widget_class_bind_template_callback (widget_class, on_event_list_selected_id_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, on_event_list_event_activated_cb);
  gtk_widget_class_bind_template_callback (widget_class, on_detail_pane_filter_requested_cb);
  gtk_widget_class_bind_template_callback (widget_class, on_detail_pane_event_requested_cb);

  gtk_widget_class_install_action (widget_class, "win.open", NULL, open_action_cb);
  gtk_widget_class_install_action (widget_class, "win.open-recent", "s", open_recent_action_cb);
  gtk_widget_class_install_action (widget_class, "win.clear-filters", NULL, clear_filters_action_cb);
  gtk_widget_class_install_action (widget_class, "win.focus-search", NULL, focus_search_action_cb);
  gtk_widget_class_install_action (widget_class, "win.cancel", NULL, cancel_action_cb);
  gtk_widget_class_install_action (widget_class, "win.zoom-in", NULL, timeline_action_cb);
  gtk_widget_class_install_action (widget_class, "win.zoom-out", NULL, timeline_action_cb);
  gtk_widget_class_install_action (widget_class, "win.zoom-fit", NULL, timeline_action_cb);
  gtk_widget_class_install_action (widget_class, "win.go-today", NULL, timeline_action_cb);
  gtk_widget_class_install_action (widget_class, "win.export", NULL, chancery_export_action_activate);
  gtk_widget_class_install_action (widget_class, "win.import", NULL, chancery_import_action_activate);
  gtk_widget_class_install_property_action (widget_class, "win.show-sidebar", "sidebar-visible");
  gtk_widget_class_install_property_action (widget_class, "win.show-detail", "detail-visible");
  gtk_widget_class_install_property_action (widget_class, "win.lane-grouping", "lane-grouping");

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_o, GDK_CONTROL_MASK, "win.open", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_f, GDK_CONTROL_MASK, "win.focus-search", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_e, GDK_CONTROL_MASK, "win.export", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_i, GDK_CONTROL_MASK, "win.import", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_l, GDK_CONTROL_MASK | GDK_SHIFT_MASK,
                                       "win.clear-filters", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_F9, 0, "win.show-sidebar", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_F9, GDK_SHIFT_MASK, "win.show-detail", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_plus, GDK_CONTROL_MASK, "win.zoom-in", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_equal, GDK_CONTROL_MASK, "win.zoom-in", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_KP_Add, GDK_CONTROL_MASK, "win.zoom-in", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_minus, GDK_CONTROL_MASK, "win.zoom-out", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_KP_Subtract, GDK_CONTROL_MASK, "win.zoom-out", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_0, GDK_CONTROL_MASK, "win.zoom-fit", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_t, GDK_CONTROL_MASK, "win.go-today", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_w, GDK_CONTROL_MASK, "window.close", NULL);
  /* Only while opening or filtering: the action is disabled otherwise. */
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "win.cancel", NULL);
}

static void
chancery_window_init (ChanceryWindow *self)
{
  GtkDropTarget *drop_target;
  GMenuModel *section;

  self->selected_id = -1;
  self->grouping = CHANCERY_GROUP_COUNTRY;
  self->sidebar_visible = TRUE;
  self->detail_visible = TRUE;
  self->toasts = g_ptr_array_new_with_free_func ((GDestroyNotify) window_toast_free);

  gtk_widget_init_template (GTK_WIDGET (self));

  g_object_bind_property (self, "sidebar-visible", self->flap, "reveal-flap",
                          G_BINDING_BIDIRECTIONAL | G_BINDING_SYNC_CREATE);
  g_object_bind_property (self, "detail-visible", self->detail_flap, "reveal-flap",
                          G_BINDING_BIDIRECTIONAL | G_BINDING_SYNC_CREATE);
  g_signal_connect_object (self->detail_flap, "notify::reveal-flap",
                           G_CALLBACK (on_detail_flap_reveal_changed_cb), self, G_CONNECT_DEFAULT);
  g_signal_connect_object (self->detail_flap, "notify::reveal-progress",
                           G_CALLBACK (on_detail_flap_reveal_progress_cb), self, G_CONNECT_DEFAULT);
  g_signal_connect_object (self->flap, "notify::folded",
                           G_CALLBACK (on_flap_folded_cb), self, G_CONNECT_DEFAULT);
  g_signal_connect_object (self->detail_flap, "notify::folded",
                           G_CALLBACK (on_flap_folded_cb), self, G_CONNECT_DEFAULT);
  update_lanes_label (self);

  /* "Open Recent" in the primary menu shares the split button's menu. */
  section = g_menu_model_get_item_link (self->primary_menu, 0, G_MENU_LINK_SECTION);
  if (G_IS_MENU (section))
    g_menu_append_submenu (G_MENU (section), _("Open _Recent"), G_MENU_MODEL (self->recent_menu));
  g_clear_object (&section);

  name_split_button_arrow (GTK_WIDGET (self->open_button), _("Recent Files"));

  self->recent_manager = gtk_recent_manager_get_default ();
  g_signal_connect (self->recent_manager, "changed",
                    G_CALLBACK (on_recent_manager_changed_cb), self);
  on_recent_manager_changed_cb (self->recent_manager, self);

  drop_target = gtk_drop_target_new (GDK_TYPE_FILE_LIST, GDK_ACTION_COPY);
  g_signal_connect (drop_target, "drop", G_CALLBACK (on_drop_target_drop_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (drop_target));

  load_settings (self);
  update_actions (self);
}

static ChanceryOpenJob *
open_job_new (GFile            *file,
              ChanceryGrouping  grouping)
{
  ChanceryOpenJob *job = g_new0 (ChanceryOpenJob, 1);

  job->file = g_object_ref (file);
  job->grouping = grouping;
  job->progress = -1;
  return job;
}

/* Runs job (started already or not) in a task; takes it. */
static void
open_with_job (ChanceryWindow  *self,
               ChanceryOpenJob *job)
{
  g_autoptr(GTask) task = NULL;
  g_autofree char *name = NULL;
  g_autofree char *message = NULL;

  if (self->open_cancellable != NULL)
    g_cancellable_cancel (self->open_cancellable);
  g_clear_object (&self->open_cancellable);
  g_clear_object (&self->open_task);
  cancel_query (self);
  /* The check of the dataset shown would slow the open down; it starts
   * again if the open fails and that dataset stays. */
  cancel_check (self);

  self->open_cancellable = g_cancellable_new ();
  task = g_task_new (self, self->open_cancellable, on_open_ready_cb, NULL);
  g_task_set_source_tag (task, chancery_window_open_file);
  name = g_file_get_basename (job->file);
  g_task_set_task_data (task, job, (GDestroyNotify) chancery_open_job_free);
  self->open_task = g_object_ref (task);
  g_task_run_in_thread (task, chancery_open_job_thread);

  message = g_strdup_printf (_("Opening “%s”…"), name);
  show_loading (self, message, TRUE);
  if (self->progress_timeout_id == 0)
    self->progress_timeout_id = g_timeout_add (100, on_progress_timeout_cb, self);

  busy_changed (self);
}

/* The lane grouping saved in the settings (as the window will have it),
 * or by country when there are none. */
static ChanceryGrouping
saved_grouping (void)
{
  g_autoptr(GSettings) settings = create_settings ();
  g_autofree char *name = NULL;
  int i;

  if (settings != NULL && settings_has_key (settings, "lane-grouping"))
    name = g_settings_get_string (settings, "lane-grouping");
  i = find_grouping (name);
  return i >= 0 ? groupings[i].grouping : CHANCERY_GROUP_COUNTRY;
}

/* Public API */

ChanceryWindow *
chancery_window_new (ChanceryApplication *application)
{
  return g_object_new (CHANCERY_TYPE_WINDOW, "application", application, NULL);
}

ChanceryWindow *
chancery_window_new_for_file (ChanceryApplication *application,
                              GFile               *file)
{
  ChanceryOpenJob *job;
  ChanceryWindow *self;

  g_return_val_if_fail (G_IS_FILE (file), NULL);

  /* The file is read while the window is built: at a million events
   * that takes about a second on two cores, building the window a fifth
   * of that on the first run. */
  job = open_job_new (file, saved_grouping ());
  chancery_open_job_start (job);
  self = chancery_window_new (application);
  open_with_job (self, job);
  return self;
}

void
chancery_window_open_file (ChanceryWindow *self,
                           GFile          *file)
{
  g_return_if_fail (CHANCERY_IS_WINDOW (self));
  g_return_if_fail (G_IS_FILE (file));

  open_with_job (self, open_job_new (file, self->grouping));
}

ChanceryStore *
chancery_window_get_store (ChanceryWindow *self)
{
  g_return_val_if_fail (CHANCERY_IS_WINDOW (self), NULL);
  return self->store;
}

gboolean
chancery_window_get_checking (ChanceryWindow *self)
{
  g_return_val_if_fail (CHANCERY_IS_WINDOW (self), FALSE);
  return self->check_task != NULL || self->check_timeout_id != 0;
}

gboolean
chancery_window_get_busy (ChanceryWindow *self)
{
  g_return_val_if_fail (CHANCERY_IS_WINDOW (self), FALSE);
  return get_busy (self);
}

void
chancery_window_select_event (ChanceryWindow *self,
                              gint64          id)
{
  g_return_if_fail (CHANCERY_IS_WINDOW (self));

  if (self->syncing_selection || id == self->selected_id)
    return;

  self->selected_id = id;

  self->syncing_selection = TRUE;
  chancery_timeline_set_selected_id (self->timeline, id);
  chancery_event_list_set_selected_id (self->event_list, id);
  self->syncing_selection = FALSE;

  load_detail (self, id);
}

ChanceryFilter *
chancery_window_dup_filter (ChanceryWindow *self)
{
  g_return_val_if_fail (CHANCERY_IS_WINDOW (self), NULL);

  if (self->requested_filter != NULL)
    return chancery_filter_copy (self->requested_filter);
  return chancery_filter_pane_dup_filter (self->filter_pane);
}

ChanceryTimeline *
chancery_window_get_timeline (ChanceryWindow *self)
{
  g_return_val_if_fail (CHANCERY_IS_WINDOW (self), NULL);
  return self->timeline;
}

void
chancery_window_add_toast (ChanceryWindow *self,
                           AdwToast       *toast)
{
  g_autoptr(GPtrArray) stale = NULL;
  WindowToast *wt;

  g_return_if_fail (CHANCERY_IS_WINDOW (self));
  g_return_if_fail (ADW_IS_TOAST (toast));

  /* A thread may finish after the window was closed. */
  if (self->toast_overlay == NULL || self->toasts == NULL)
    {
      g_object_unref (toast);
      return;
    }

  /* libadwaita 1.2 brings a toast pushed aside by a high-priority one back
   * when that one goes, and aborts if it goes while the first still fades
   * out (a quick export). So every toast has the normal priority and waits
   * its turn, and a new one replaces those it makes stale: all but the
   * toasts that stay until their work is over (no timeout). */
  stale = g_ptr_array_new_with_free_func (g_object_unref);
  for (guint i = 0; i < self->toasts->len; i++)
    {
      WindowToast *shown = g_ptr_array_index (self->toasts, i);

      if (adw_toast_get_timeout (shown->toast) != 0)
        g_ptr_array_add (stale, g_object_ref (shown->toast));
    }
  for (guint i = 0; i < stale->len; i++)
    chancery_window_dismiss_toast (self, g_ptr_array_index (stale, i));

  wt = g_new0 (WindowToast, 1);
  wt->toast = g_object_ref (toast);
  if (self->toasts->len == 0)
    wt->shown_at = g_get_monotonic_time ();
  g_ptr_array_add (self->toasts, wt);
  adw_toast_set_priority (toast, ADW_TOAST_PRIORITY_NORMAL);
  g_signal_connect (toast, "dismissed", G_CALLBACK (on_toast_dismissed_cb), self);
  adw_toast_overlay_add_toast (self->toast_overlay, toast);
}

void
chancery_window_dismiss_toast (ChanceryWindow *self,
                               AdwToast       *toast)
{
  WindowToast *wt;
  gint64 shown_for;
  guint index;

  g_return_if_fail (CHANCERY_IS_WINDOW (self));
  g_return_if_fail (ADW_IS_TOAST (toast));

  if (!find_toast (self, toast, &index))
    return;

  /* libadwaita 1.2 frees a toast when it has faded out, even if it has not
   * finished coming in (0.5 s when it replaces another): its entrance then
   * ends on freed memory. A toast in front leaves once it is fully in. */
  wt = g_ptr_array_index (self->toasts, index);
  shown_for = (g_get_monotonic_time () - wt->shown_at) / 1000;
  if (index > 0 || shown_for >= TOAST_MIN_SHOWN_MS)
    adw_toast_dismiss (toast);
  else if (wt->dismiss_id == 0)
    wt->dismiss_id = g_timeout_add (TOAST_MIN_SHOWN_MS - shown_for, on_toast_dismiss_timeout_cb, wt);
}
