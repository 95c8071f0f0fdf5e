/* chancery-overview.c: a strip showing the whole dataset and the
 * timeline's visible window
 *
 * Copyright 2026 The Chancery developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The histogram is recorded once per index, size and style; the window
 * rectangle is drawn on top each frame, so following the timeline's view
 * costs a few nodes.
 */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <math.h>

#include "chancery-overview.h"
#include "chancery-timeline-private.h"

#define BIN_PIXELS   2.0
#define LABEL_SPACE 14.0f

struct _ChanceryOverview
{
  GtkWidget         parent_instance;

  ChanceryTimeline *timeline;
  ChanceryDensity  *density;
  ChanceryPalette   palette;
  GskRenderNode    *static_node;

  double            range_start;   /* days across the strip */
  double            range_end;

  double            grab_offset;   /* days from the view's start to the pointer */
  double            drag_x;
};

G_DEFINE_FINAL_TYPE (ChanceryOverview, chancery_overview, GTK_TYPE_WIDGET)

enum {
  PROP_0,
  PROP_TIMELINE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* Helpers */

static void
invalidate (ChanceryOverview *self)
{
  g_clear_pointer (&self->static_node, gsk_render_node_unref);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

static double
strip_width (ChanceryOverview *self)
{
  return MAX (gtk_widget_get_width (GTK_WIDGET (self)), 1);
}

static gboolean
is_rtl (ChanceryOverview *self)
{
  return gtk_widget_get_direction (GTK_WIDGET (self)) == GTK_TEXT_DIR_RTL;
}

static double
x_at (ChanceryOverview *self,
      double            day)
{
  double u = (day - self->range_start) / (self->range_end - self->range_start) * strip_width (self);

  return is_rtl (self) ? strip_width (self) - u : u;
}

static double
day_at (ChanceryOverview *self,
        double            x)
{
  double u = is_rtl (self) ? strip_width (self) - x : x;

  return self->range_start + u / strip_width (self) * (self->range_end - self->range_start);
}

static void
update_index (ChanceryOverview *self)
{
  ChanceryDensity *density = self->timeline != NULL ? chancery_timeline_get_density (self->timeline) : NULL;
  ChanceryIndex *index = density != NULL ? chancery_density_get_index (density) : NULL;
  double span;

  /* Without an index the range is set below all the same: the strip
   * shows the year around today. */
  if (density != NULL && density == self->density)
    return;

  g_clear_pointer (&self->density, chancery_density_unref);
  if (index != NULL && index->n_events > 0)
    {
      double lo = index->min_day, hi = index->max_day + 1.0;

      self->density = chancery_density_ref (density);
      /* At least a month, around the events: the events of one day showed
       * as a strip of hours. Whole days at both ends. */
      span = hi - lo;
      if (span < 30)
        {
          lo -= (30 - span) / 2;
          hi = lo + 30;
          span = 30;
        }
      self->range_start = floor (lo - span * 0.02);
      self->range_end = ceil (hi + span * 0.02);
    }
  else
    {
      self->range_start = floor (chancery_scene_now ()) - 365;
      self->range_end = self->range_start + 400;
    }
  invalidate (self);
}

static void
on_timeline_index_changed_cb (ChanceryTimeline *timeline,
                              GParamSpec       *pspec,
                              ChanceryOverview *self)
{
  update_index (self);
}

static void
on_timeline_view_changed_cb (ChanceryTimeline *timeline,
                             GParamSpec       *pspec,
                             ChanceryOverview *self)
{
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

/* Moves the timeline's view so that its start is at day (same span). */
static void
move_view (ChanceryOverview *self,
           double            start)
{
  double view_start, view_end;

  chancery_timeline_get_view (self->timeline, &view_start, &view_end);
  chancery_timeline_set_view (self->timeline, start, start + (view_end - view_start));
}

static void
on_drag_begin_cb (GtkGestureDrag   *gesture,
                  double            x,
                  double            y,
                  ChanceryOverview *self)
{
  double view_start, view_end, day;
  double x0, x1;

  if (self->timeline == NULL)
    {
      gtk_gesture_set_state (GTK_GESTURE (gesture), GTK_EVENT_SEQUENCE_DENIED);
      return;
    }

  chancery_timeline_get_view (self->timeline, &view_start, &view_end);
  day = day_at (self, x);
  x0 = MIN (x_at (self, view_start), x_at (self, view_end));
  x1 = MAX (x_at (self, view_start), x_at (self, view_end));

  self->drag_x = x;
  if (x >= x0 - 3 && x <= x1 + 3)
    self->grab_offset = day - view_start;
  else
    {
      /* A click outside the window centres the view there. */
      self->grab_offset = (view_end - view_start) / 2;
      move_view (self, day - self->grab_offset);
    }
  gtk_widget_set_cursor_from_name (GTK_WIDGET (self), "grabbing");
}

static void
on_drag_update_cb (GtkGestureDrag   *gesture,
                   double            offset_x,
                   double            offset_y,
                   ChanceryOverview *self)
{
  if (self->timeline == NULL)
    return;
  move_view (self, day_at (self, self->drag_x + offset_x) - self->grab_offset);
}

static void
on_drag_end_cb (GtkGestureDrag   *gesture,
                double            offset_x,
                double            offset_y,
                ChanceryOverview *self)
{
  gtk_widget_set_cursor (GTK_WIDGET (self), NULL);
}

/* Drawing */

typedef struct
{
  ChanceryOverview *self;
  GtkSnapshot      *snapshot;
  float             height;
} TickClosure;

static void
tick_cb (double      day,
         const char *label,
         gpointer    user_data)
{
  TickClosure *c = user_data;
  ChanceryOverview *self = c->self;
  g_autoptr(PangoLayout) layout = gtk_widget_create_pango_layout (GTK_WIDGET (self), label);
  PangoAttrList *attrs = pango_attr_list_new ();
  float x = roundf (x_at (self, day));
  int w, h;

  pango_attr_list_insert (attrs, pango_attr_scale_new (PANGO_SCALE_SMALL));
  pango_layout_set_attributes (layout, attrs);
  pango_attr_list_unref (attrs);
  pango_layout_get_pixel_size (layout, &w, &h);

  gtk_snapshot_append_color (c->snapshot, &self->palette.grid_major,
                             &GRAPHENE_RECT_INIT (x, 0, 1, c->height));
  gtk_snapshot_save (c->snapshot);
  gtk_snapshot_translate (c->snapshot,
                          &GRAPHENE_POINT_INIT (is_rtl (self) ? x - 4 - w : x + 4,
                                                c->height - h - 3));
  gtk_snapshot_append_layout (c->snapshot, layout, &self->palette.dim);
  gtk_snapshot_restore (c->snapshot);
}

static void
draw_histogram (ChanceryOverview *self,
                GtkSnapshot      *snapshot,
                float             width,
                float             height)
{
  double days_per_bin = (self->range_end - self->range_start) / width * BIN_PIXELS;
  float bars = height - LABEL_SPACE - 4;
  g_autofree guint *counts = NULL;
  guint n_bins, max_count = 1;
  double denominator;
  TickClosure closure = { self, snapshot, height };
  GdkRGBA bar_color = self->palette.foreground;

  bar_color.alpha *= 0.45f;

  gtk_snapshot_append_color (snapshot, &self->palette.axis_background,
                             &GRAPHENE_RECT_INIT (0, 0, width, height));
  chancery_axis_foreach_tick (self->range_start, self->range_end, width, 90, tick_cb, &closure);

  if (self->density == NULL)
    return;

  days_per_bin = MAX (days_per_bin, 1.0);
  n_bins = (guint) ceil ((self->range_end - self->range_start) / days_per_bin);
  counts = g_new0 (guint, n_bins);
  for (guint i = 0; i < n_bins; i++)
    {
      gint32 lo = (gint32) floor (self->range_start + i * days_per_bin);
      gint32 hi = (gint32) floor (self->range_start + (i + 1) * days_per_bin);

      counts[i] = chancery_density_count (self->density, -1, lo, MAX (hi, lo + 1));
      max_count = MAX (max_count, counts[i]);
    }

  denominator = log1p (max_count);
  for (guint i = 0; i < n_bins; i++)
    {
      /* Over the days it counts, not the fraction of a day the bin starts at. */
      gint32 lo = (gint32) floor (self->range_start + i * days_per_bin);
      gint32 hi = (gint32) floor (self->range_start + (i + 1) * days_per_bin);
      float x0, x1, h;

      if (counts[i] == 0)
        continue;
      x0 = x_at (self, lo);
      x1 = x_at (self, MAX (hi, lo + 1));
      h = 2 + (bars - 2) * log1p (counts[i]) / denominator;
      gtk_snapshot_append_color (snapshot, &bar_color,
                                 &GRAPHENE_RECT_INIT (MIN (x0, x1), 2 + bars - h,
                                                      MAX (fabsf (x1 - x0), 1), h));
    }
}

static void
draw_window (ChanceryOverview *self,
             GtkSnapshot      *snapshot,
             float             width,
             float             height)
{
  double view_start, view_end;
  float x0, x1;
  GdkRGBA shade = self->palette.background;
  GdkRGBA fill = self->palette.accent;
  GskRoundedRect rr;
  graphene_rect_t r;
  const float widths[4] = { 1.5f, 1.5f, 1.5f, 1.5f };
  GdkRGBA colors[4];

  if (self->timeline == NULL)
    return;

  chancery_timeline_get_view (self->timeline, &view_start, &view_end);
  x0 = CLAMP (MIN (x_at (self, view_start), x_at (self, view_end)), -2, width + 2);
  x1 = CLAMP (MAX (x_at (self, view_start), x_at (self, view_end)), -2, width + 2);
  /* Never thinner than something one can grab. */
  if (x1 - x0 < 6)
    {
      float c = CLAMP ((x0 + x1) / 2, 3, width - 3);

      x0 = c - 3;
      x1 = c + 3;
    }

  /* Dim what is outside the window. */
  shade.alpha = 0.45f;
  gtk_snapshot_append_color (snapshot, &shade, &GRAPHENE_RECT_INIT (0, 0, MAX (x0, 0), height));
  gtk_snapshot_append_color (snapshot, &shade, &GRAPHENE_RECT_INIT (x1, 0, MAX (width - x1, 0), height));

  graphene_rect_init (&r, x0, 1, x1 - x0, height - 2);
  gsk_rounded_rect_init_from_rect (&rr, &r, 4);
  fill.alpha = 0.12f;
  gtk_snapshot_push_rounded_clip (snapshot, &rr);
  gtk_snapshot_append_color (snapshot, &fill, &r);
  gtk_snapshot_pop (snapshot);
  for (guint i = 0; i < 4; i++)
    colors[i] = self->palette.accent;
  gtk_snapshot_append_border (snapshot, &rr, widths, colors);
}

/* GtkWidget */

static void
chancery_overview_snapshot (GtkWidget   *widget,
                            GtkSnapshot *snapshot)
{
  ChanceryOverview *self = CHANCERY_OVERVIEW (widget);
  float width = gtk_widget_get_width (widget);
  float height = gtk_widget_get_height (widget);

  if (width < 1 || height < 1)
    return;

  if (self->static_node == NULL)
    {
      GtkSnapshot *inner = gtk_snapshot_new ();

      draw_histogram (self, inner, width, height);
      self->static_node = gtk_snapshot_free_to_node (inner);
    }

  gtk_snapshot_push_clip (snapshot, &GRAPHENE_RECT_INIT (0, 0, width, height));
  if (self->static_node != NULL)
    gtk_snapshot_append_node (snapshot, self->static_node);
  draw_window (self, snapshot, width, height);
  gtk_snapshot_pop (snapshot);
}

static void
chancery_overview_measure (GtkWidget      *widget,
                           GtkOrientation  orientation,
                           int             for_size,
                           int            *minimum,
                           int            *natural,
                           int            *minimum_baseline,
                           int            *natural_baseline)
{
  if (orientation == GTK_ORIENTATION_HORIZONTAL)
    {
      *minimum = 120;
      *natural = 480;
    }
  else
    {
      *minimum = 40;
      *natural = 52;
    }
}

static void
chancery_overview_size_allocate (GtkWidget *widget,
                                 int        width,
                                 int        height,
                                 int        baseline)
{
  invalidate (CHANCERY_OVERVIEW (widget));
}

static void
chancery_overview_css_changed (GtkWidget         *widget,
                               GtkCssStyleChange *change)
{
  ChanceryOverview *self = CHANCERY_OVERVIEW (widget);

  GTK_WIDGET_CLASS (chancery_overview_parent_class)->css_changed (widget, change);
  chancery_palette_init_for_widget (&self->palette, widget);
  invalidate (self);
}

static void
chancery_overview_direction_changed (GtkWidget        *widget,
                                     GtkTextDirection  previous)
{
  invalidate (CHANCERY_OVERVIEW (widget));
}

/* GObject */

static void
chancery_overview_dispose (GObject *object)
{
  ChanceryOverview *self = CHANCERY_OVERVIEW (object);

  chancery_overview_set_timeline (self, NULL);
  g_clear_pointer (&self->static_node, gsk_render_node_unref);
  g_clear_pointer (&self->density, chancery_density_unref);

  G_OBJECT_CLASS (chancery_overview_parent_class)->dispose (object);
}

static void
chancery_overview_get_property (GObject    *object,
                                guint       prop_id,
                                GValue     *value,
                                GParamSpec *pspec)
{
  ChanceryOverview *self = CHANCERY_OVERVIEW (object);

  switch (prop_id)
    {
    case PROP_TIMELINE:
      g_value_set_object (value, self->timeline);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
chancery_overview_set_property (GObject      *object,
                                guint         prop_id,
                                const GValue *value,
                                GParamSpec   *pspec)
{
  ChanceryOverview *self = CHANCERY_OVERVIEW (object);

  switch (prop_id)
    {
    case PROP_TIMELINE:
      chancery_overview_set_timeline (self, g_value_get_object (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
chancery_overview_class_init (ChanceryOverviewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = chancery_overview_dispose;
  object_class->get_property = chancery_overview_get_property;
  object_class->set_property = chancery_overview_set_property;

  widget_class->snapshot = chancery_overview_snapshot;
  widget_class->measure = chancery_overview_measure;
  widget_class->size_allocate = chancery_overview_size_allocate;
  widget_class->css_changed = chancery_overview_css_changed;
  widget_class->direction_changed = chancery_overview_direction_changed;

  properties[PROP_TIMELINE] =
    g_param_spec_object ("timeline", NULL, NULL,
                         CHANCERY_TYPE_TIMELINE,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_css_name (widget_class, "overview");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_GROUP);
}

static void
chancery_overview_init (ChanceryOverview *self)
{
  GtkGesture *gesture;

  chancery_palette_init (&self->palette, FALSE);
  self->range_start = 0;
  self->range_end = 1;
  update_index (self);

  gesture = gtk_gesture_drag_new ();
  gtk_gesture_single_set_button (GTK_GESTURE_SINGLE (gesture), GDK_BUTTON_PRIMARY);
  g_signal_connect (gesture, "drag-begin", G_CALLBACK (on_drag_begin_cb), self);
  g_signal_connect (gesture, "drag-update", G_CALLBACK (on_drag_update_cb), self);
  g_signal_connect (gesture, "drag-end", G_CALLBACK (on_drag_end_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (gesture));

  gtk_widget_set_overflow (GTK_WIDGET (self), GTK_OVERFLOW_HIDDEN);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _("Timeline overview"),
                                  GTK_ACCESSIBLE_PROPERTY_DESCRIPTION,
                                  _("All events over time, with the visible part of the timeline"),
                                  -1);
}

/* Public API */

GtkWidget *
chancery_overview_new (void)
{
  return g_object_new (CHANCERY_TYPE_OVERVIEW, NULL);
}

void
chancery_overview_set_timeline (ChanceryOverview *self,
                                ChanceryTimeline *timeline)
{
  g_return_if_fail (CHANCERY_IS_OVERVIEW (self));
  g_return_if_fail (timeline == NULL || CHANCERY_IS_TIMELINE (timeline));

  if (self->timeline == timeline)
    return;

  if (self->timeline != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->timeline, self);
      g_clear_object (&self->timeline);
    }

  if (timeline != NULL)
    {
      self->timeline = g_object_ref (timeline);
      g_signal_connect_object (timeline, "notify::index",
                               G_CALLBACK (on_timeline_index_changed_cb), self, 0);
      g_signal_connect_object (timeline, "notify::view-start",
                               G_CALLBACK (on_timeline_view_changed_cb), self, 0);
      g_signal_connect_object (timeline, "notify::view-end",
                               G_CALLBACK (on_timeline_view_changed_cb), self, 0);
    }

  update_index (self);
  gtk_widget_queue_draw (GTK_WIDGET (self));
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TIMELINE]);
}

ChanceryTimeline *
chancery_overview_get_timeline (ChanceryOverview *self)
{
  g_return_val_if_fail (CHANCERY_IS_OVERVIEW (self), NULL);

  return self->timeline;
}

void
chancery_overview_get_range (ChanceryOverview *self,
                             double           *start,
                             double           *end)
{
  g_return_if_fail (CHANCERY_IS_OVERVIEW (self));

  update_index (self);
  if (start != NULL)
    *start = self->range_start;
  if (end != NULL)
    *end = self->range_end;
}
