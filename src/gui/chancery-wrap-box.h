/* chancery-wrap-box.h: children in lines, each at its natural width
 *
 * Copyright 2026 The Chancery developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

/* Lays its children out like words in a paragraph: in order, each at its
 * natural width (narrower only when alone on a line that is narrower),
 * on as many lines as the width needs, from the start side (right to left
 * in Persian). GtkFlowBox lines its children up in columns, so one long
 * child set the width of all and four chips took four lines where two
 * would do; libadwaita's AdwWrapBox is 1.7, and this is 1.2. Its children
 * are its own: no cells between them and a screen reader. */
#define CHANCERY_TYPE_WRAP_BOX (chancery_wrap_box_get_type ())
G_DECLARE_FINAL_TYPE (ChanceryWrapBox, chancery_wrap_box, CHANCERY, WRAP_BOX, GtkWidget)

GtkWidget *chancery_wrap_box_new        (void);
void       chancery_wrap_box_append     (ChanceryWrapBox *self,
                                         GtkWidget       *child);
void       chancery_wrap_box_remove_all (ChanceryWrapBox *self);

G_END_DECLS
