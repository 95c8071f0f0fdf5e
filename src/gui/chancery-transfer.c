/* chancery-transfer.c: progress and results of exports and imports
 *
 * Copyright 2026 The Chancery developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "chancery-transfer.h"

#define STATE_KEY "chancery-transfer-state"

typedef struct
{
  GList *running;     /* ChanceryProgressToast* */
  char  *message;
  char  *details;
} TransferState;

struct _ChanceryProgressToast
{
  ChanceryWindow *window;
  AdwToast       *toast;
  GtkWidget      *title;
  GtkSpinner     *spinner;
  GtkProgressBar *progress_bar;
  GCancellable   *cancellable;
  gulong          clicked_id;
};

static void
transfer_state_free (TransferState *state)
{
  g_assert (state->running == NULL);
  g_free (state->message);
  g_free (state->details);
  g_free (state);
}

static TransferState *
get_state (ChanceryWindow *window)
{
  TransferState *state = g_object_get_data (G_OBJECT (window), STATE_KEY);

  if (state == NULL)
    {
      state = g_new0 (TransferState, 1);
      g_object_set_data_full (G_OBJECT (window), STATE_KEY, state,
                              (GDestroyNotify) transfer_state_free);
    }
  return state;
}

static void
set_outcome (ChanceryWindow *window,
             const char     *message,
             const char     *details)
{
  TransferState *state = get_state (window);

  g_free (state->message);
  g_free (state->details);
  state->message = g_strdup (message);
  state->details = g_strdup (details);
}

static void
on_cancel_clicked_cb (AdwToast              *toast,
                      ChanceryProgressToast *self)
{
  g_cancellable_cancel (self->cancellable);
}

ChanceryProgressToast *
chancery_progress_toast_show (ChanceryWindow *window,
                              const char     *title,
                              GCancellable   *cancellable)
{
  ChanceryProgressToast *self = g_new0 (ChanceryProgressToast, 1);
  g_autofree char *markup = g_markup_escape_text (title, -1);
  GtkWidget *label;

  g_return_val_if_fail (CHANCERY_IS_WINDOW (window), NULL);
  g_return_val_if_fail (G_IS_CANCELLABLE (cancellable), NULL);

  self->window = g_object_ref (window);
  self->cancellable = g_object_ref (cancellable);

  /* A spinner, the title and (once the work says how far it is) a bar. */
  self->title = g_object_ref_sink (gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 12));
  self->spinner = GTK_SPINNER (gtk_spinner_new ());
  gtk_spinner_start (self->spinner);
  label = gtk_label_new (title);
  gtk_label_set_ellipsize (GTK_LABEL (label), PANGO_ELLIPSIZE_MIDDLE);
  gtk_label_set_max_width_chars (GTK_LABEL (label), 40);
  self->progress_bar = GTK_PROGRESS_BAR (gtk_progress_bar_new ());
  gtk_widget_set_valign (GTK_WIDGET (self->progress_bar), GTK_ALIGN_CENTER);
  gtk_widget_set_size_request (GTK_WIDGET (self->progress_bar), 120, -1);
  gtk_widget_set_visible (GTK_WIDGET (self->progress_bar), FALSE);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->progress_bar),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, title,
                                  -1);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->spinner),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, title,
                                  -1);
  gtk_box_append (GTK_BOX (self->title), GTK_WIDGET (self->spinner));
  gtk_box_append (GTK_BOX (self->title), label);
  gtk_box_append (GTK_BOX (self->title), GTK_WIDGET (self->progress_bar));

  /* Shown until finished: the window lets it stay when other toasts come. */
  self->toast = adw_toast_new (markup);
  adw_toast_set_custom_title (self->toast, self->title);
  adw_toast_set_timeout (self->toast, 0);
  adw_toast_set_button_label (self->toast, _("Cancel"));
  self->clicked_id = g_signal_connect (self->toast, "button-clicked",
                                       G_CALLBACK (on_cancel_clicked_cb), self);
  chancery_window_add_toast (window, g_object_ref (self->toast));

  get_state (window)->running = g_list_prepend (get_state (window)->running, self);

  return self;
}

void
chancery_progress_toast_set_fraction (ChanceryProgressToast *self,
                                      double                 fraction)
{
  g_return_if_fail (self != NULL);

  gtk_widget_set_visible (GTK_WIDGET (self->spinner), fraction < 0);
  gtk_widget_set_visible (GTK_WIDGET (self->progress_bar), fraction >= 0);
  if (fraction >= 0)
    gtk_progress_bar_set_fraction (self->progress_bar, CLAMP (fraction, 0.0, 1.0));
}

void
chancery_progress_toast_finish (ChanceryProgressToast *self)
{
  TransferState *state;

  g_return_if_fail (self != NULL);

  state = get_state (self->window);
  g_assert (g_list_find (state->running, self) != NULL);
  state->running = g_list_remove (state->running, self);

  g_clear_signal_handler (&self->clicked_id, self->toast);
  gtk_spinner_stop (self->spinner);
  chancery_window_dismiss_toast (self->window, self->toast);

  g_clear_object (&self->toast);
  g_clear_object (&self->title);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->window);
  g_free (self);
}

void
chancery_transfer_show_result (ChanceryWindow *window,
                               const char     *message,
                               const char     *details,
                               const char     *button_label,
                               GCallback       on_button,
                               gpointer        user_data,
                               GDestroyNotify  destroy)
{
  g_autofree char *markup = NULL;
  AdwToast *toast;

  g_return_if_fail (CHANCERY_IS_WINDOW (window));
  g_return_if_fail (message != NULL);

  set_outcome (window, message, details);

  /* Titles are markup; file names are not. */
  markup = g_markup_escape_text (message, -1);
  toast = adw_toast_new (markup);
  if (button_label != NULL && on_button != NULL)
    {
      adw_toast_set_button_label (toast, button_label);
      /* A result worth acting on stays a little longer. */
      adw_toast_set_timeout (toast, 10);
      g_signal_connect_data (toast, "button-clicked", on_button, user_data,
                             (GClosureNotify) (void (*) (void)) destroy, 0);
    }
  else if (destroy != NULL)
    destroy (user_data);

  chancery_window_add_toast (window, toast);
}

void
chancery_transfer_show_error (ChanceryWindow *window,
                              const char     *heading,
                              const GError   *error)
{
  g_return_if_fail (CHANCERY_IS_WINDOW (window));
  g_return_if_fail (error != NULL);

  set_outcome (window, error->message, NULL);
  chancery_error_dialog_present (GTK_WINDOW (window), heading, error->message);
}

/* More lines than this, and the rest of a message scrolls. */
#define ERROR_DIALOG_LINES 6

void
chancery_error_dialog_present (GtkWindow  *parent,
                               const char *heading,
                               const char *message)
{
  const char *newline;
  GtkWidget *dialog;
  guint n_lines = 1;

  g_return_if_fail (parent == NULL || GTK_IS_WINDOW (parent));
  g_return_if_fail (heading != NULL && message != NULL);

  for (const char *p = message; (p = strchr (p, '\n')) != NULL; p++)
    n_lines++;
  newline = strchr (message, '\n');

  if (n_lines <= ERROR_DIALOG_LINES)
    dialog = adw_message_dialog_new (parent, heading, message);
  else
    {
      /* An import's first 50 problems made a dialog taller than the
       * screen, its Close button out of reach: the first line is the
       * body, the others scroll below it, where they can be selected and
       * copied. */
      g_autofree char *first = g_strndup (message, newline - message);
      GtkWidget *scroller = gtk_scrolled_window_new ();
      GtkWidget *label = gtk_label_new (newline + 1);

      dialog = adw_message_dialog_new (parent, heading, first);
      gtk_label_set_selectable (GTK_LABEL (label), TRUE);
      gtk_label_set_wrap (GTK_LABEL (label), TRUE);
      gtk_label_set_wrap_mode (GTK_LABEL (label), PANGO_WRAP_WORD_CHAR);
      gtk_label_set_xalign (GTK_LABEL (label), 0);
      gtk_widget_set_valign (label, GTK_ALIGN_START);
      gtk_scrolled_window_set_policy (GTK_SCROLLED_WINDOW (scroller), GTK_POLICY_NEVER, GTK_POLICY_AUTOMATIC);
      gtk_scrolled_window_set_max_content_height (GTK_SCROLLED_WINDOW (scroller), 280);
      gtk_scrolled_window_set_propagate_natural_height (GTK_SCROLLED_WINDOW (scroller), TRUE);
      gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scroller), label);
      adw_message_dialog_set_extra_child (ADW_MESSAGE_DIALOG (dialog), scroller);
    }
  adw_message_dialog_add_response (ADW_MESSAGE_DIALOG (dialog), "close", _("_Close"));
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "close");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "close");
  gtk_window_present (GTK_WINDOW (dialog));
}

gboolean
chancery_window_get_transferring (ChanceryWindow *window)
{
  g_return_val_if_fail (CHANCERY_IS_WINDOW (window), FALSE);
  return get_state (window)->running != NULL;
}

void
chancery_window_cancel_transfers (ChanceryWindow *window)
{
  g_return_if_fail (CHANCERY_IS_WINDOW (window));

  for (GList *l = get_state (window)->running; l != NULL; l = l->next)
    {
      ChanceryProgressToast *toast = l->data;
      g_cancellable_cancel (toast->cancellable);
    }
}

const char *
chancery_window_get_transfer_message (ChanceryWindow *window)
{
  g_return_val_if_fail (CHANCERY_IS_WINDOW (window), NULL);
  return get_state (window)->message;
}

const char *
chancery_window_get_transfer_details (ChanceryWindow *window)
{
  g_return_val_if_fail (CHANCERY_IS_WINDOW (window), NULL);
  return get_state (window)->details;
}
