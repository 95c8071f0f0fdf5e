/* chancery-event-row.c: one row of the event list, made on demand
 *
 * Copyright 2026 The Chancery developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "chancery-event-row.h"

struct _ChanceryEventRow
{
  GObject         parent_instance;

  gint64          id;
  guint           position;
  guint           slot;
  char           *title;
  char           *date;
  ChanceryKind    kind;
  ChanceryStatus  status;
};

G_DEFINE_FINAL_TYPE (ChanceryEventRow, chancery_event_row, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_ID,
  PROP_TITLE,
  PROP_DATE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
chancery_event_row_finalize (GObject *object)
{
  ChanceryEventRow *self = CHANCERY_EVENT_ROW (object);

  g_free (self->title);
  g_free (self->date);

  G_OBJECT_CLASS (chancery_event_row_parent_class)->finalize (object);
}

static void
chancery_event_row_get_property (GObject    *object,
                                 guint       prop_id,
                                 GValue     *value,
                                 GParamSpec *pspec)
{
  ChanceryEventRow *self = CHANCERY_EVENT_ROW (object);

  switch (prop_id)
    {
    case PROP_ID:
      g_value_set_int64 (value, self->id);
      break;
    case PROP_TITLE:
      g_value_set_string (value, self->title);
      break;
    case PROP_DATE:
      g_value_set_string (value, self->date);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
chancery_event_row_class_init (ChanceryEventRowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = chancery_event_row_finalize;
  object_class->get_property = chancery_event_row_get_property;

  properties[PROP_ID] =
    g_param_spec_int64 ("id", NULL, NULL, -1, G_MAXINT64, -1,
                        G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_TITLE] =
    g_param_spec_string ("title", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_DATE] =
    g_param_spec_string ("date", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
chancery_event_row_init (ChanceryEventRow *self)
{
  self->id = -1;
}

static void
take_event (ChanceryEventRow    *self,
            const ChanceryIndex *index,
            guint                position)
{
  const ChanceryIndexEvent *ev = &index->events[position];

  self->id = ev->id;
  self->position = position;
  g_free (self->title);
  self->title = g_strdup (chancery_index_get_title (index, position));
  g_free (self->date);
  self->date = chancery_index_event_format_date (ev);
  self->kind = ev->kind;
  self->status = ev->status;
}

ChanceryEventRow *
chancery_event_row_new (const ChanceryIndex *index,
                        guint                position,
                        guint                slot)
{
  ChanceryEventRow *self;

  g_return_val_if_fail (index != NULL, NULL);
  g_return_val_if_fail (position < index->n_events, NULL);

  self = g_object_new (CHANCERY_TYPE_EVENT_ROW, NULL);
  self->slot = slot;
  take_event (self, index, position);

  return self;
}

void
chancery_event_row_set_event (ChanceryEventRow    *self,
                              const ChanceryIndex *index,
                              guint                position)
{
  g_return_if_fail (CHANCERY_IS_EVENT_ROW (self));
  g_return_if_fail (index != NULL);
  g_return_if_fail (position < index->n_events);

  take_event (self, index, position);
  /* Always, even for the same id: its actors may have changed. */
  g_object_freeze_notify (G_OBJECT (self));
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TITLE]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_DATE]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ID]);
  g_object_thaw_notify (G_OBJECT (self));
}

guint
chancery_event_row_get_slot (ChanceryEventRow *self)
{
  g_return_val_if_fail (CHANCERY_IS_EVENT_ROW (self), 0);
  return self->slot;
}

gint64
chancery_event_row_get_id (ChanceryEventRow *self)
{
  g_return_val_if_fail (CHANCERY_IS_EVENT_ROW (self), -1);
  return self->id;
}

guint
chancery_event_row_get_position (ChanceryEventRow *self)
{
  g_return_val_if_fail (CHANCERY_IS_EVENT_ROW (self), 0);
  return self->position;
}

const char *
chancery_event_row_get_title (ChanceryEventRow *self)
{
  g_return_val_if_fail (CHANCERY_IS_EVENT_ROW (self), NULL);
  return self->title;
}

const char *
chancery_event_row_get_date (ChanceryEventRow *self)
{
  g_return_val_if_fail (CHANCERY_IS_EVENT_ROW (self), NULL);
  return self->date;
}

ChanceryKind
chancery_event_row_get_kind (ChanceryEventRow *self)
{
  g_return_val_if_fail (CHANCERY_IS_EVENT_ROW (self), CHANCERY_KIND_OTHER);
  return self->kind;
}

ChanceryStatus
chancery_event_row_get_status (ChanceryEventRow *self)
{
  g_return_val_if_fail (CHANCERY_IS_EVENT_ROW (self), CHANCERY_STATUS_OCCURRED);
  return self->status;
}
