/* chancery-event-list.h: the filtered events as a sortable table
 *
 * Copyright 2026 The Chancery developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

#include "chancery-event-model.h"
#include "chancery-store.h"

G_BEGIN_DECLS

#define CHANCERY_TYPE_EVENT_LIST (chancery_event_list_get_type ())
G_DECLARE_FINAL_TYPE (ChanceryEventList, chancery_event_list, CHANCERY, EVENT_LIST, GtkWidget)

GtkWidget          *chancery_event_list_new             (void);
/* The store fills the countries and actors cells (main thread only). */
void                chancery_event_list_set_store       (ChanceryEventList *self,
                                                         ChanceryStore     *store);
void                chancery_event_list_set_index       (ChanceryEventList *self,
                                                         ChanceryIndex     *index);
ChanceryEventModel *chancery_event_list_get_model       (ChanceryEventList *self);
/* Property "selected-id" (gint64, -1 = none). Setting it selects the row and
 * scrolls it into view. */
gint64              chancery_event_list_get_selected_id (ChanceryEventList *self);
void                chancery_event_list_set_selected_id (ChanceryEventList *self,
                                                         gint64             id);

/* Moves the keyboard focus to the selected event's row (scrolled into
 * view), or into the list when none is selected; FALSE if it cannot. */
gboolean            chancery_event_list_focus_selected  (ChanceryEventList *self);

/* Signal "event-activated" (gint64 id): Enter or double click on a row. */

G_END_DECLS
