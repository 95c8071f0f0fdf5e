/* chancery-transfer.h: progress and results of exports and imports
 *
 * Copyright 2026 The Chancery developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Exports and imports run in threads while the window stays usable. Each
 * shows a toast that stays while it runs (a spinner or a progress bar and
 * a Cancel button), then a toast with the result or a dialog with the
 * error. The window keeps the last result for tests.
 */
#pragma once

#include "chancery-window.h"

G_BEGIN_DECLS

typedef struct _ChanceryProgressToast ChanceryProgressToast;

/* Shows a toast "title" with Cancel, which cancels cancellable. Call
 * chancery_progress_toast_finish() when the work is over. */
ChanceryProgressToast *chancery_progress_toast_show     (ChanceryWindow        *window,
                                                         const char            *title,
                                                         GCancellable          *cancellable);
/* fraction < 0: unknown (a spinner); 0..1: a progress bar. */
void                   chancery_progress_toast_set_fraction (ChanceryProgressToast *self,
                                                             double                 fraction);
/* Dismisses the toast and frees self. */
void                   chancery_progress_toast_finish   (ChanceryProgressToast *self);

/* A toast with the outcome; button_label/on_button may be NULL. details:
 * more to read, kept with the message for tests. */
void chancery_transfer_show_result (ChanceryWindow *window,
                                    const char     *message,
                                    const char     *details,
                                    const char     *button_label,
                                    GCallback       on_button,
                                    gpointer        user_data,
                                    GDestroyNotify  destroy);
void chancery_transfer_show_error  (ChanceryWindow *window,
                                    const char     *heading,
                                    const GError   *error);
/* A message dialog with a Close button, over parent (or none); a long
 * message (many problems) scrolls under its first line. */
void chancery_error_dialog_present (GtkWindow  *parent,
                                    const char *heading,
                                    const char *message);

/* Cancels every export and import of the window. */
void        chancery_window_cancel_transfers       (ChanceryWindow *window);

/* For tests: whether an export or import runs, and the last outcome
 * (a result toast's message, or an error dialog's body). */
gboolean    chancery_window_get_transferring       (ChanceryWindow *window);
const char *chancery_window_get_transfer_message   (ChanceryWindow *window);
const char *chancery_window_get_transfer_details   (ChanceryWindow *window);

G_END_DECLS
