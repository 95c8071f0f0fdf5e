/* chancery-event-row.h: one row of the event list, made on demand
 *
 * A row is the item at one position of a ChanceryEventModel (its slot).
 * When the model's events change (a filter, a sort), a row that is still
 * alive keeps its slot and takes the event now there, and notifies "id":
 * the list's cells listen for that and show the new event, so GTK keeps
 * their widgets instead of building them again.
 *
 * Copyright 2026 The Chancery developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib-object.h>

#include "chancery-index.h"

G_BEGIN_DECLS

#define CHANCERY_TYPE_EVENT_ROW (chancery_event_row_get_type ())
G_DECLARE_FINAL_TYPE (ChanceryEventRow, chancery_event_row, CHANCERY, EVENT_ROW, GObject)

/* A small snapshot of index->events[position]; keeps no reference to the index. */
ChanceryEventRow *chancery_event_row_new          (const ChanceryIndex *index,
                                                   guint                position,
                                                   guint                slot);
/* Takes the event index->events[position] and notifies "id". */
void              chancery_event_row_set_event    (ChanceryEventRow    *self,
                                                   const ChanceryIndex *index,
                                                   guint                position);
/* The model position this row stands for. */
guint             chancery_event_row_get_slot     (ChanceryEventRow *self);
gint64            chancery_event_row_get_id       (ChanceryEventRow *self);
guint             chancery_event_row_get_position (ChanceryEventRow *self);
const char       *chancery_event_row_get_title    (ChanceryEventRow *self);
/* The date as people say it ("June 2025"), never more precise than known. */
const char       *chancery_event_row_get_date     (ChanceryEventRow *self);
ChanceryKind      chancery_event_row_get_kind     (ChanceryEventRow *self);
ChanceryStatus    chancery_event_row_get_status   (ChanceryEventRow *self);

G_END_DECLS
