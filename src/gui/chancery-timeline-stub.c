/* chancery-timeline-stub.c: placeholder until the timeline branch lands
 * (delete this file then). Just enough of ChanceryTimeline and
 * ChanceryOverview for the window to build and run: no drawing.
 *
 * Copyright 2026 The Chancery developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "chancery-error.h"
#include "chancery-overview.h"
#include "chancery-timeline.h"

struct _ChanceryTimeline
{
  GtkWidget      parent_instance;
  ChanceryIndex *index;
  gint64         selected_id;
  double         start;
  double         end;
};

G_DEFINE_FINAL_TYPE (ChanceryTimeline, chancery_timeline, GTK_TYPE_WIDGET)

enum { PROP_0, PROP_SELECTED_ID, PROP_VIEW_START, PROP_VIEW_END, N_PROPS };
static GParamSpec *properties[N_PROPS];

static void
chancery_timeline_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  ChanceryTimeline *self = CHANCERY_TIMELINE (object);

  switch (prop_id)
    {
    case PROP_SELECTED_ID: g_value_set_int64 (value, self->selected_id); break;
    case PROP_VIEW_START: g_value_set_double (value, self->start); break;
    case PROP_VIEW_END: g_value_set_double (value, self->end); break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
zoom_action_cb (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  ChanceryTimeline *self = CHANCERY_TIMELINE (widget);
  double mid = (self->start + self->end) / 2, half = (self->end - self->start) / 2;

  half = g_str_has_suffix (action_name, "in") ? half / 2 : half * 2;
  chancery_timeline_set_view (self, mid - half, mid + half);
}

static void
select_action_cb (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  ChanceryTimeline *self = CHANCERY_TIMELINE (widget);
  gboolean next = g_str_has_suffix (action_name, "next");
  guint pos;

  if (self->index == NULL || self->index->n_events == 0)
    return;
  pos = chancery_index_find_id (self->index, self->selected_id);
  if (pos == G_MAXUINT)
    pos = next ? 0 : self->index->n_events - 1;
  else if (next)
    pos = MIN (pos + 1, self->index->n_events - 1);
  else if (pos > 0)
    pos--;
  chancery_timeline_set_selected_id (self, self->index->events[pos].id);
}

static void
fit_action_cb (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  chancery_timeline_zoom_fit (CHANCERY_TIMELINE (widget));
}

static void
noop_action_cb (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
}

static void
chancery_timeline_dispose (GObject *object)
{
  ChanceryTimeline *self = CHANCERY_TIMELINE (object);

  g_clear_pointer (&self->index, chancery_index_unref);
  G_OBJECT_CLASS (chancery_timeline_parent_class)->dispose (object);
}

static void
chancery_timeline_class_init (ChanceryTimelineClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = chancery_timeline_dispose;
  object_class->get_property = chancery_timeline_get_property;
  properties[PROP_SELECTED_ID] = g_param_spec_int64 ("selected-id", NULL, NULL, -1, G_MAXINT64, -1,
                                                     G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_VIEW_START] = g_param_spec_double ("view-start", NULL, NULL, -G_MAXDOUBLE, G_MAXDOUBLE, 0,
                                                     G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_VIEW_END] = g_param_spec_double ("view-end", NULL, NULL, -G_MAXDOUBLE, G_MAXDOUBLE, 0,
                                                   G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  g_signal_new ("event-activated", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_INT64);

  gtk_widget_class_install_action (widget_class, "timeline.zoom-in", NULL, zoom_action_cb);
  gtk_widget_class_install_action (widget_class, "timeline.zoom-out", NULL, zoom_action_cb);
  gtk_widget_class_install_action (widget_class, "timeline.zoom-fit", NULL, fit_action_cb);
  gtk_widget_class_install_action (widget_class, "timeline.go-today", NULL, noop_action_cb);
  gtk_widget_class_install_action (widget_class, "timeline.go-selection", NULL, noop_action_cb);
  gtk_widget_class_install_action (widget_class, "timeline.select-next", NULL, select_action_cb);
  gtk_widget_class_install_action (widget_class, "timeline.select-previous", NULL, select_action_cb);
}

static void
chancery_timeline_init (ChanceryTimeline *self)
{
  self->selected_id = -1;
  self->end = 1;
}

GtkWidget *
chancery_timeline_new (void)
{
  return g_object_new (CHANCERY_TYPE_TIMELINE, NULL);
}

void
chancery_timeline_set_index (ChanceryTimeline *self, ChanceryIndex *index)
{
  if (index != NULL)
    chancery_index_ref (index);
  g_clear_pointer (&self->index, chancery_index_unref);
  self->index = index;
  if (self->selected_id >= 0 && (index == NULL || chancery_index_find_id (index, self->selected_id) == G_MAXUINT))
    chancery_timeline_set_selected_id (self, -1);
}

ChanceryIndex *
chancery_timeline_get_index (ChanceryTimeline *self)
{
  return self->index;
}

gint64
chancery_timeline_get_selected_id (ChanceryTimeline *self)
{
  return self->selected_id;
}

void
chancery_timeline_set_selected_id (ChanceryTimeline *self, gint64 id)
{
  if (self->selected_id == id)
    return;
  self->selected_id = id;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SELECTED_ID]);
}

void
chancery_timeline_get_view (ChanceryTimeline *self, double *start, double *end)
{
  *start = self->start;
  *end = self->end;
}

void
chancery_timeline_set_view (ChanceryTimeline *self, double start, double end)
{
  self->start = start;
  self->end = end;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_VIEW_START]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_VIEW_END]);
}

void
chancery_timeline_zoom_fit (ChanceryTimeline *self)
{
  if (self->index != NULL)
    chancery_timeline_set_view (self, self->index->min_day - 1, self->index->max_day + 2);
}

void
chancery_timeline_zoom_at (ChanceryTimeline *self, double factor, double x)
{
}

gboolean
chancery_timeline_get_event_area (ChanceryTimeline *self, gint64 id, graphene_rect_t *area)
{
  return FALSE;
}

gint64
chancery_timeline_get_event_at (ChanceryTimeline *self, double x, double y)
{
  return -1;
}

gboolean
chancery_timeline_render_to_file (ChanceryIndex *index, double start, double end, int width, int height,
                                  gboolean dark, const char *format, const char *path, GError **error)
{
  g_set_error (error, CHANCERY_ERROR, CHANCERY_ERROR_FAILED, "not yet");
  return FALSE;
}

struct _ChanceryOverview
{
  GtkWidget         parent_instance;
  ChanceryTimeline *timeline;
};

G_DEFINE_FINAL_TYPE (ChanceryOverview, chancery_overview, GTK_TYPE_WIDGET)

static void
chancery_overview_set_property (GObject *object, guint prop_id, const GValue *value, GParamSpec *pspec)
{
  if (prop_id == 1)
    chancery_overview_set_timeline (CHANCERY_OVERVIEW (object), g_value_get_object (value));
  else
    G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
}

static void
chancery_overview_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  if (prop_id == 1)
    g_value_set_object (value, CHANCERY_OVERVIEW (object)->timeline);
  else
    G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
}

static void
chancery_overview_class_init (ChanceryOverviewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->set_property = chancery_overview_set_property;
  object_class->get_property = chancery_overview_get_property;
  g_object_class_install_property (object_class, 1,
                                   g_param_spec_object ("timeline", NULL, NULL, CHANCERY_TYPE_TIMELINE,
                                                        G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS));
}

static void
chancery_overview_init (ChanceryOverview *self)
{
}

GtkWidget *
chancery_overview_new (void)
{
  return g_object_new (CHANCERY_TYPE_OVERVIEW, NULL);
}

void
chancery_overview_set_timeline (ChanceryOverview *self, ChanceryTimeline *timeline)
{
  self->timeline = timeline;
}

ChanceryTimeline *
chancery_overview_get_timeline (ChanceryOverview *self)
{
  return self->timeline;
}
