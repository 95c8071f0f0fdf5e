/* chancery-event-row.h: one row of the event list, made on demand
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
                                                   guint                position);
gint64            chancery_event_row_get_id       (ChanceryEventRow *self);
guint             chancery_event_row_get_position (ChanceryEventRow *self);
const char       *chancery_event_row_get_title    (ChanceryEventRow *self);
/* The date as people say it ("June 2025"), never more precise than known. */
const char       *chancery_event_row_get_date     (ChanceryEventRow *self);
ChanceryKind      chancery_event_row_get_kind     (ChanceryEventRow *self);
ChanceryStatus    chancery_event_row_get_status   (ChanceryEventRow *self);

G_END_DECLS
