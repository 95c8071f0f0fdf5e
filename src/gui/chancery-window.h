/* chancery-window.h: the main window
 *
 * Copyright 2026 The Chancery developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "chancery-application.h"
#include "chancery-store.h"
#include "chancery-timeline.h"

G_BEGIN_DECLS

#define CHANCERY_TYPE_WINDOW (chancery_window_get_type ())
G_DECLARE_FINAL_TYPE (ChanceryWindow, chancery_window, CHANCERY, WINDOW, AdwApplicationWindow)

ChanceryWindow *chancery_window_new        (ChanceryApplication *application);
/* A new window opening file, as chancery_window_open_file() does; the
 * file starts being read before the window is built. */
ChanceryWindow *chancery_window_new_for_file (ChanceryApplication *application,
                                              GFile               *file);
/* Opens a Chancery database, or imports a Chancery JSON file into a new
 * database in the user data directory and opens that. Runs in a thread;
 * on failure a dialog says why and the open dataset stays. */
void            chancery_window_open_file  (ChanceryWindow      *self,
                                            GFile               *file);
/* Property "store": the open dataset, or NULL. */
ChanceryStore  *chancery_window_get_store  (ChanceryWindow      *self);
/* Property "busy": opening a file or applying a filter. */
gboolean        chancery_window_get_busy   (ChanceryWindow      *self);
/* Selects an event everywhere (timeline, list, detail pane); -1 = none. */
void            chancery_window_select_event (ChanceryWindow    *self,
                                              gint64             id);

/* For exports and imports (chancery-export-dialog.c, chancery-import-task.c). */
/* The filter of the events shown (or being loaded); free it. */
ChanceryFilter   *chancery_window_dup_filter    (ChanceryWindow    *self);
ChanceryTimeline *chancery_window_get_timeline  (ChanceryWindow    *self);
/* Takes toast (its title is markup: escape text). It replaces the toasts
 * shown or waiting, but for those without a timeout, and waits for them. */
void              chancery_window_add_toast     (ChanceryWindow    *self,
                                                 AdwToast          *toast);
/* Dismisses a toast of add_toast (use this, not adw_toast_dismiss): one
 * that just came in stays until it is fully in. */
void              chancery_window_dismiss_toast (ChanceryWindow    *self,
                                                 AdwToast          *toast);

G_END_DECLS
