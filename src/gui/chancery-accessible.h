/* chancery-accessible.h: names that read well to screen readers
 *
 * Copyright 2026 The Chancery developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

/* Names each button with a mnemonic under widget once: "Open", not
 * "_Open Open" (see chancery-accessible.c). */
void chancery_accessible_fix_mnemonic_names (GtkWidget *widget);

/* Does that for every window of the process when it is shown: dialogs,
 * whether libadwaita's, GTK's file choosers or the shortcuts window. */
void chancery_accessible_watch_windows      (void);

/* An icon that only decorates what its row or button says already (a
 * chevron, a close cross): hidden from screen readers, which would
 * otherwise read it by its class name, "GtkImage". */
GtkWidget *chancery_decorative_icon_new     (const char *icon_name);

G_END_DECLS
