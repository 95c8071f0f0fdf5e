/* chancery-export-dialog.h: exporting what the window shows
 *
 * Copyright 2026 The Chancery developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "chancery-window.h"

G_BEGIN_DECLS

/* "win.export": a save dialog whose file types choose the format; the
 * name's extension follows the type picked. It opens in the folder of
 * the window's last export. While open, it is the window's data
 * "chancery-export-chooser" (a GtkFileChooserDialog), for tests. */
void     chancery_export_action_activate (GtkWidget      *widget,
                                          const char     *action_name,
                                          GVariant       *parameter);

/* What the dialog does with its answer. format_name: "csv", "json", "ics"
 * (the filtered events, written in a thread with its own read-only
 * connection) or "png", "svg", "pdf" (the timeline's current view); NULL
 * takes it from the path's extension. The outcome is a toast, or a dialog
 * with the error; FALSE when the format is unknown (the dialog is shown). */
gboolean chancery_window_export_to_path  (ChanceryWindow *self,
                                          const char     *path,
                                          const char     *format_name);

/* "csv" for "Events.CSV"; NULL when the extension names no format. */
const char *chancery_export_format_for_path (const char *path);

G_END_DECLS
