/* chancery-detail-pane.h: everything known about the selected event
 *
 * Copyright 2026 The Chancery developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

#include "chancery-event.h"
#include "chancery-store.h"

G_BEGIN_DECLS

#define CHANCERY_TYPE_DETAIL_PANE (chancery_detail_pane_get_type ())
G_DECLARE_FINAL_TYPE (ChanceryDetailPane, chancery_detail_pane, CHANCERY, DETAIL_PANE, GtkWidget)

GtkWidget           *chancery_detail_pane_new       (void);
/* Takes ownership of event; NULL shows "No event selected". */
void                 chancery_detail_pane_set_event (ChanceryDetailPane *self,
                                                     ChanceryEvent      *event);
const ChanceryEvent *chancery_detail_pane_get_event (ChanceryDetailPane *self);
/* The title as shown, or NULL when no event is shown (for tests). */
const char          *chancery_detail_pane_get_title (ChanceryDetailPane *self);

/* Signals:
 *   "filter-requested" (ChanceryFacetKind kind, const char *key, const char *label):
 *      an actor, country or project button was clicked.
 *   "event-requested" (gint64 id): a related event was clicked. */

G_END_DECLS
