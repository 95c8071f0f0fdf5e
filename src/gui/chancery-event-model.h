/* chancery-event-model.h: a lazy GListModel over a ChanceryIndex
 *
 * Copyright 2026 The Chancery developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Items are ChanceryEventRow objects, created only when asked for (that is,
 * for the rows on screen) and kept only while someone holds them, so a
 * million events cost a permutation array, not a million objects.
 *
 * A new index or order does not replace the items: each row alive takes
 * the event now at its position (see chancery-event-row.h), "items-changed"
 * tells only of items added or removed at the end, and "contents-changed"
 * follows every such change. (When rows are alive past a new, smaller
 * end, the views hear that everything changed instead: see
 * must_replace_all () in the .c file.)
 */
#pragma once

#include <gio/gio.h>

#include "chancery-event-row.h"
#include "chancery-index.h"

G_BEGIN_DECLS

typedef enum
{
  CHANCERY_EVENT_SORT_DATE,     /* index order */
  CHANCERY_EVENT_SORT_TITLE,
  CHANCERY_EVENT_SORT_KIND,
  CHANCERY_EVENT_SORT_STATUS,
} ChanceryEventSort;

#define CHANCERY_TYPE_EVENT_MODEL (chancery_event_model_get_type ())
G_DECLARE_FINAL_TYPE (ChanceryEventModel, chancery_event_model, CHANCERY, EVENT_MODEL, GObject)

ChanceryEventModel *chancery_event_model_new        (void);
void                chancery_event_model_set_index  (ChanceryEventModel *self,
                                                     ChanceryIndex      *index);
ChanceryIndex      *chancery_event_model_get_index  (ChanceryEventModel *self);
/* Sorting by title runs in a thread for big indexes; property "sorting" is
 * TRUE meanwhile and the old order stays until the new one is ready. */
void                chancery_event_model_set_sort   (ChanceryEventModel *self,
                                                     ChanceryEventSort   sort,
                                                     gboolean            descending);
gboolean            chancery_event_model_get_sorting (ChanceryEventModel *self);
/* Row id at a model position without creating a row; -1 when out of range. */
gint64              chancery_event_model_get_id     (ChanceryEventModel *self,
                                                     guint               position);
/* Model position of the event with this row id, or GTK_INVALID_LIST_POSITION
 * (G_MAXUINT). */
guint               chancery_event_model_find_id    (ChanceryEventModel *self,
                                                     gint64              id);

G_END_DECLS
