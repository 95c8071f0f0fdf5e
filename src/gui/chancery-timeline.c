/* chancery-timeline.c: the interactive timeline widget
 *
 * Copyright 2026 The Chancery developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The static picture (axis, lanes, events) is laid out and recorded into a
 * render node once per view, size and index; hover, selection and focus are
 * drawn on top of it every frame, so moving the pointer costs almost nothing.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <math.h>
#include <string.h>
#include <unistd.h>

#include <cairo-pdf.h>
#include <cairo-svg.h>
#include <pango/pangocairo.h>

#include "chancery-locale.h"
#include "chancery-error.h"
#include "chancery-output-file.h"
#include "chancery-timeline.h"
#include "chancery-timeline-private.h"

struct _ChanceryTimeline
{
  GtkWidget      parent_instance;

  ChanceryScene  scene;
  GskRenderNode *static_node;
  gboolean       layout_valid;
  gboolean       have_view;

  double         start;
  double         end;
  double         scroll_y;

  gint64         selected_id;
  guint          selected_position;     /* G_MAXUINT: none */
  guint          hover_position;        /* G_MAXUINT: none */
  int            hover_bin_lane;
  gint32         hover_bin_lo;
  int            hover_badge;           /* into scene.badges; -1: none */
  gboolean       badge_cursor;
  GtkWidget     *badge_popover;         /* lists a badge's events */

  double         pointer_x;
  double         pointer_y;
  gboolean       pointer_inside;

  /* gestures */
  double         drag_start;
  double         drag_end;
  double         drag_scroll_y;
  gboolean       dragging;
  gboolean       dragged;        /* this press has panned: its release is no click */
  double         pinch_start;
  double         pinch_end;
  double         pinch_day;
  double         pinch_u;
};

G_DEFINE_FINAL_TYPE (ChanceryTimeline, chancery_timeline, GTK_TYPE_WIDGET)

enum {
  PROP_0,
  PROP_INDEX,
  PROP_SELECTED_ID,
  PROP_VIEW_START,
  PROP_VIEW_END,
  N_PROPS
};

enum {
  EVENT_ACTIVATED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

#define ZOOM_STEP      1.5
/* Zooming out stops at this many times the span that shows all events
 * (and at two years for events that all fall close together): beyond
 * that the events are a sliver and every lane a line. */
#define ZOOM_OUT_LIMIT 4.0
#define ZOOM_OUT_MIN_LIMIT (2 * 365.25)
#define PAN_FRACTION   0.2
#define MAX_RENDER_SIZE 20000
/* Rows a badge's list builds: at 1M events one badge can stand for
 * a thousand, and rows cost far more than the one line that says so. */
#define BADGE_LIST_MAX 100

/* Helpers */

static void
invalidate (ChanceryTimeline *self)
{
  self->layout_valid = FALSE;
  self->hover_badge = -1;       /* the badges are laid out anew */
  g_clear_pointer (&self->static_node, gsk_render_node_unref);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

static void
ensure_layout (ChanceryTimeline *self)
{
  GtkWidget *widget = GTK_WIDGET (self);
  ChanceryScene *scene = &self->scene;
  PangoContext *pango = gtk_widget_get_pango_context (widget);
  float width = gtk_widget_get_width (widget);
  float height = gtk_widget_get_height (widget);
  gboolean rtl = gtk_widget_get_direction (widget) == GTK_TEXT_DIR_RTL;

  if (scene->pango != pango)
    {
      chancery_scene_set_pango (scene, pango);
      self->layout_valid = FALSE;
    }

  if (self->layout_valid && scene->width == width && scene->height == height && scene->rtl == rtl)
    return;

  scene->start = self->start;
  scene->end = self->end;
  scene->width = width;
  scene->height = height;
  scene->rtl = rtl;
  scene->scroll_y = self->scroll_y;
  chancery_scene_layout (scene);
  self->scroll_y = scene->scroll_y;
  self->layout_valid = TRUE;
  g_clear_pointer (&self->static_node, gsk_render_node_unref);
}

static double
view_width (ChanceryTimeline *self)
{
  return MAX (gtk_widget_get_width (GTK_WIDGET (self)), 1);
}

static gboolean
is_rtl (ChanceryTimeline *self)
{
  return gtk_widget_get_direction (GTK_WIDGET (self)) == GTK_TEXT_DIR_RTL;
}

static double
day_at (ChanceryTimeline *self,
        double            x)
{
  double u = is_rtl (self) ? view_width (self) - x : x;

  return self->start + u / view_width (self) * (self->end - self->start);
}

static double
x_at (ChanceryTimeline *self,
      double            day)
{
  double u = (day - self->start) / (self->end - self->start) * view_width (self);

  return is_rtl (self) ? view_width (self) - u : u;
}

static void
set_scroll_y (ChanceryTimeline *self,
              double            scroll_y)
{
  scroll_y = MAX (scroll_y, 0);
  if (scroll_y == self->scroll_y)
    return;
  self->scroll_y = scroll_y;
  invalidate (self);
}

static void
pan_by (ChanceryTimeline *self,
        double            fraction)
{
  double shift = (self->end - self->start) * fraction;

  chancery_timeline_set_view (self, self->start + shift, self->end + shift);
}

static gboolean
has_selection (ChanceryTimeline *self)
{
  return self->selected_position != G_MAXUINT && self->scene.index != NULL;
}

static void
update_accessible (ChanceryTimeline *self)
{
  if (has_selection (self))
    {
      g_autofree char *text = chancery_format_event_description (self->scene.index,
                                                                 self->selected_position);

      gtk_accessible_update_property (GTK_ACCESSIBLE (self),
                                      GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, text,
                                      -1);
    }
  else
    gtk_accessible_reset_property (GTK_ACCESSIBLE (self), GTK_ACCESSIBLE_PROPERTY_DESCRIPTION);
}

static void
select_position (ChanceryTimeline *self,
                 guint             position)
{
  ChanceryIndex *index = self->scene.index;
  gint64 id = -1;

  if (index == NULL || position >= index->n_events)
    position = G_MAXUINT;
  else
    id = index->events[position].id;

  if (position == self->selected_position && id == self->selected_id)
    return;

  self->selected_position = position;
  self->selected_id = id;
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "timeline.go-selection", id >= 0);
  update_accessible (self);
  gtk_widget_queue_draw (GTK_WIDGET (self));
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SELECTED_ID]);
}

static gboolean
lane_contains (const ChanceryIndex *index,
               const ChanceryLane  *lane,
               guint                position)
{
  gint32 lo = index->events[position].lo;

  for (guint i = chancery_lane_lower_bound (index, lane, lo);
       i < lane->n_items && index->events[lane->items[i]].lo == lo; i++)
    {
      if (lane->items[i] == position)
        return TRUE;
    }
  return FALSE;
}

/* Moves the view (and the lanes) so that the event at position is seen. */
static void
reveal_position (ChanceryTimeline *self,
                 guint             position)
{
  const ChanceryIndexEvent *e = &self->scene.index->events[position];
  double span = self->end - self->start;
  double margin = span * 0.05;
  const ChanceryItem *item;
  float viewport_top = CHANCERY_SCENE_AXIS_HEIGHT;
  float viewport_bottom = gtk_widget_get_height (GTK_WIDGET (self));

  if (e->hi + 1 < self->start + margin || e->lo > self->end - margin)
    {
      double middle = (e->lo + e->hi + 1) / 2.0;

      chancery_timeline_set_view (self, middle - span / 2, middle + span / 2);
    }

  ensure_layout (self);
  item = chancery_scene_find_item (&self->scene, position, FALSE);
  if (item == NULL)
    {
      /* Its lane is off screen (not laid out) or drawn as density: bring
       * the first lane that holds it into view. */
      for (guint l = 0; l < self->scene.lanes->len; l++)
        {
          const ChanceryLaneBox *box = &g_array_index (self->scene.lanes, ChanceryLaneBox, l);

          if (!lane_contains (self->scene.index, g_ptr_array_index (self->scene.index->lanes, l),
                              position))
            continue;
          if (box->y < viewport_top || box->y + box->height > viewport_bottom)
            {
              set_scroll_y (self, self->scroll_y + box->y - viewport_top);
              ensure_layout (self);
              item = chancery_scene_find_item (&self->scene, position, FALSE);
            }
          break;
        }
      if (item == NULL)
        return;
    }

  /* Below its lane's name, which stays in sight under the axis and would
   * cover a row that scrolled up behind it. */
  if (item->rect.origin.y < viewport_top + CHANCERY_SCENE_HEADER_HEIGHT)
    set_scroll_y (self, self->scroll_y - (viewport_top + CHANCERY_SCENE_HEADER_HEIGHT - item->rect.origin.y) - 8);
  else if (item->rect.origin.y + item->rect.size.height > viewport_bottom)
    set_scroll_y (self, self->scroll_y + item->rect.origin.y + item->rect.size.height
                        - viewport_bottom + 8);
}

static void
select_and_reveal (ChanceryTimeline *self,
                   guint             position)
{
  select_position (self, position);
  if (has_selection (self))
    reveal_position (self, position);
}

static double
keyboard_zoom_x (ChanceryTimeline *self)
{
  if (has_selection (self))
    {
      const ChanceryIndexEvent *e = &self->scene.index->events[self->selected_position];
      double middle = (e->lo + e->hi + 1) / 2.0;

      if (middle >= self->start && middle < self->end)
        return x_at (self, middle);
    }
  return view_width (self) / 2;
}

/* Actions */

static void
zoom_in_cb (GtkWidget  *widget,
            const char *action_name,
            GVariant   *parameter)
{
  ChanceryTimeline *self = CHANCERY_TIMELINE (widget);

  chancery_timeline_zoom_at (self, ZOOM_STEP, keyboard_zoom_x (self));
}

static void
zoom_out_cb (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  ChanceryTimeline *self = CHANCERY_TIMELINE (widget);

  chancery_timeline_zoom_at (self, 1 / ZOOM_STEP, keyboard_zoom_x (self));
}

static void
zoom_fit_cb (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  chancery_timeline_zoom_fit (CHANCERY_TIMELINE (widget));
}

static void
go_today_cb (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  ChanceryTimeline *self = CHANCERY_TIMELINE (widget);
  double now = chancery_scene_now ();
  double span = self->end - self->start;

  chancery_timeline_set_view (self, now - span / 2, now + span / 2);
}

static void
go_selection_cb (GtkWidget  *widget,
                 const char *action_name,
                 GVariant   *parameter)
{
  ChanceryTimeline *self = CHANCERY_TIMELINE (widget);
  const ChanceryIndexEvent *e;
  const ChanceryItem *item;
  double span = self->end - self->start;
  double extent, middle;

  if (!has_selection (self))
    return;

  e = &self->scene.index->events[self->selected_position];
  extent = (double) e->hi + 1 - e->lo;
  middle = e->lo + extent / 2;
  if (extent > span * 0.8)
    span = extent * 1.25;
  chancery_timeline_set_view (self, middle - span / 2, middle + span / 2);
  reveal_position (self, self->selected_position);

  /* Drawn as density or on a lane's rug: zoom in until it has a place, or
   * until a day is as wide as a bar (beyond that, events of the same day
   * overlap however far one zooms). */
  for (guint i = 0; i < 24; i++)
    {
      ensure_layout (self);
      item = chancery_scene_find_item (&self->scene, self->selected_position, TRUE);
      if ((item != NULL && item->shape != CHANCERY_SHAPE_HIDDEN) ||
          view_width (self) / (self->end - self->start) >= 24)
        break;
      chancery_timeline_zoom_at (self, 2, x_at (self, middle));
      reveal_position (self, self->selected_position);
    }

  /* More events of its day than its lane has rows: no zoom gives it a
   * place, so its badge lists it (as Menu does) rather than nothing
   * showing where it went. */
  ensure_layout (self);
  item = chancery_scene_find_item (&self->scene, self->selected_position, TRUE);
  if (item != NULL && item->shape == CHANCERY_SHAPE_HIDDEN)
    gtk_widget_activate_action (widget, "timeline.open-badge", NULL);
}

static void
select_next_cb (GtkWidget  *widget,
                const char *action_name,
                GVariant   *parameter)
{
  ChanceryTimeline *self = CHANCERY_TIMELINE (widget);
  ChanceryIndex *index = self->scene.index;
  guint rank;

  if (index == NULL || index->n_events == 0)
    return;

  /* In date order, as the list and the exports go: "before 8 December"
   * where 8 December begins, not at the soft start its fade begins at. */
  if (!has_selection (self))
    select_and_reveal (self, chancery_index_date_order_get_position (
                               index, MIN (chancery_index_date_order_lower_bound (index, (gint32) floor (self->start)),
                                           index->n_events - 1)));
  else if ((rank = chancery_index_date_order_get_rank (index, self->selected_position)) + 1 < index->n_events)
    select_and_reveal (self, chancery_index_date_order_get_position (index, rank + 1));
  else
    gtk_widget_error_bell (widget);
}

static void
select_previous_cb (GtkWidget  *widget,
                    const char *action_name,
                    GVariant   *parameter)
{
  ChanceryTimeline *self = CHANCERY_TIMELINE (widget);
  ChanceryIndex *index = self->scene.index;
  guint rank;

  if (index == NULL || index->n_events == 0)
    return;

  if (!has_selection (self))
    {
      guint last = chancery_index_date_order_lower_bound (index, (gint32) ceil (self->end));

      select_and_reveal (self, chancery_index_date_order_get_position (index, last > 0 ? last - 1 : 0));
    }
  else if ((rank = chancery_index_date_order_get_rank (index, self->selected_position)) > 0)
    select_and_reveal (self, chancery_index_date_order_get_position (index, rank - 1));
  else
    gtk_widget_error_bell (widget);
}

static void
select_first_cb (GtkWidget  *widget,
                 const char *action_name,
                 GVariant   *parameter)
{
  ChanceryTimeline *self = CHANCERY_TIMELINE (widget);

  if (self->scene.index != NULL && self->scene.index->n_events > 0)
    select_and_reveal (self, chancery_index_date_order_get_position (self->scene.index, 0));
}

static void
select_last_cb (GtkWidget  *widget,
                const char *action_name,
                GVariant   *parameter)
{
  ChanceryTimeline *self = CHANCERY_TIMELINE (widget);

  if (self->scene.index != NULL && self->scene.index->n_events > 0)
    select_and_reveal (self, chancery_index_date_order_get_position (self->scene.index,
                                                                     self->scene.index->n_events - 1));
}

static void
unselect_cb (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  select_position (CHANCERY_TIMELINE (widget), G_MAXUINT);
}

static void
activate_cb (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  ChanceryTimeline *self = CHANCERY_TIMELINE (widget);

  if (has_selection (self))
    g_signal_emit (self, signals[EVENT_ACTIVATED], 0, self->selected_id);
}

static void
pan_earlier_cb (GtkWidget  *widget,
                const char *action_name,
                GVariant   *parameter)
{
  pan_by (CHANCERY_TIMELINE (widget), -PAN_FRACTION);
}

static void
pan_later_cb (GtkWidget  *widget,
              const char *action_name,
              GVariant   *parameter)
{
  pan_by (CHANCERY_TIMELINE (widget), PAN_FRACTION);
}

static void
scroll_up_cb (GtkWidget  *widget,
              const char *action_name,
              GVariant   *parameter)
{
  ChanceryTimeline *self = CHANCERY_TIMELINE (widget);

  set_scroll_y (self, self->scroll_y - 52);
}

static void
scroll_down_cb (GtkWidget  *widget,
                const char *action_name,
                GVariant   *parameter)
{
  ChanceryTimeline *self = CHANCERY_TIMELINE (widget);

  set_scroll_y (self, self->scroll_y + 52);
}

/* Arrow keys follow the drawing: in right-to-left, Left is later. */
static gboolean
arrow_cb (GtkWidget *widget,
          GVariant  *args,
          gpointer   user_data)
{
  ChanceryTimeline *self = CHANCERY_TIMELINE (widget);
  gboolean later;
  gboolean pan;

  g_variant_get (args, "(bb)", &later, &pan);
  if (is_rtl (self))
    later = !later;

  if (pan)
    gtk_widget_activate_action (widget, later ? "timeline.pan-later" : "timeline.pan-earlier", NULL);
  else
    gtk_widget_activate_action (widget, later ? "timeline.select-next" : "timeline.select-previous",
                                NULL);
  return TRUE;
}

/* Event controllers */

static void
update_hover (ChanceryTimeline *self)
{
  guint position = G_MAXUINT;
  int bin_lane = -1;
  gint32 bin_lo = 0;
  int badge_index = -1;

  if (self->pointer_inside && !self->dragging)
    {
      const ChanceryItem *item;

      ensure_layout (self);
      item = chancery_scene_item_at (&self->scene, self->pointer_x, self->pointer_y);
      if (item != NULL)
        position = item->position;
      else
        {
          const ChanceryBin *bin = chancery_scene_bin_at (&self->scene, self->pointer_x,
                                                          self->pointer_y);

          if (bin != NULL)
            {
              bin_lane = bin->lane;
              bin_lo = bin->lo;
            }
          else
            {
              const ChanceryBadge *badge = chancery_scene_badge_at (&self->scene, self->pointer_x,
                                                                    self->pointer_y);

              if (badge != NULL)
                badge_index = (int) (badge - &g_array_index (self->scene.badges, ChanceryBadge, 0));
            }
        }
    }

  if ((badge_index >= 0) != self->badge_cursor && !self->dragging)
    {
      /* A badge is a button: clicking it lists its events. */
      self->badge_cursor = badge_index >= 0;
      gtk_widget_set_cursor_from_name (GTK_WIDGET (self), self->badge_cursor ? "pointer" : NULL);
    }

  if (position != self->hover_position || bin_lane != self->hover_bin_lane ||
      bin_lo != self->hover_bin_lo || badge_index != self->hover_badge)
    {
      self->hover_position = position;
      self->hover_bin_lane = bin_lane;
      self->hover_bin_lo = bin_lo;
      self->hover_badge = badge_index;
      gtk_widget_queue_draw (GTK_WIDGET (self));
    }
}

static void
on_motion_cb (GtkEventControllerMotion *controller,
              double                    x,
              double                    y,
              ChanceryTimeline         *self)
{
  self->pointer_x = x;
  self->pointer_y = y;
  self->pointer_inside = TRUE;
  update_hover (self);
}

static void
on_leave_cb (GtkEventControllerMotion *controller,
             ChanceryTimeline         *self)
{
  self->pointer_inside = FALSE;
  update_hover (self);
}

static void
on_click_pressed_cb (GtkGestureClick  *gesture,
                     int               n_press,
                     double            x,
                     double            y,
                     ChanceryTimeline *self)
{
  const ChanceryItem *item;

  if (gtk_widget_get_focusable (GTK_WIDGET (self)))
    gtk_widget_grab_focus (GTK_WIDGET (self));

  if (n_press != 2)
    return;

  ensure_layout (self);
  item = chancery_scene_item_at (&self->scene, x, y);
  if (item != NULL)
    {
      select_position (self, item->position);
      g_signal_emit (self, signals[EVENT_ACTIVATED], 0, self->selected_id);
    }
}

/* Zooms in around a badge's ticks (from x_lo to x_hi) so that they
 * spread over about a quarter of the width (at least twice, at most 32
 * times): ticks on distinct spots get room of their own, and a second
 * time splits what still shares one. */
static void
zoom_to_ticks (ChanceryTimeline *self,
               double            x_lo,
               double            x_hi)
{
  double width = view_width (self);
  double extent = MAX (x_hi - x_lo, 12);
  double factor = CLAMP (width / 4 / extent, 2, 32);
  double x = (x_lo + x_hi) / 2;
  double middle = day_at (self, x);
  double u = (is_rtl (self) ? width - x : x) / width;
  double span = (self->end - self->start) / factor;

  /* Around the badge, but not so close to an edge that its events leave. */
  u = CLAMP (u, 0.2, 0.8);
  span = MAX (span, CHANCERY_SCENE_MIN_SPAN);
  chancery_timeline_set_view (self, middle - u * span, middle - u * span + span);
}

/* The one date an event surely has: where its tick sits at any zoom. */
static gint32
known_day (const ChanceryIndexEvent *e)
{
  return (e->flags & CHANCERY_INDEX_OPEN_START) ? e->hi : e->lo;
}

/* Whether zooming in would move the events apart: not when they all fall
 * on one day, which no zoom splits. */
static gboolean
events_spread (ChanceryTimeline *self,
               GArray           *positions)
{
  const ChanceryIndex *index = self->scene.index;

  if (self->end - self->start <= CHANCERY_SCENE_MIN_SPAN * 1.01)
    return FALSE;
  for (guint i = 1; i < positions->len; i++)
    {
      if (known_day (&index->events[g_array_index (positions, guint, i)]) !=
          known_day (&index->events[g_array_index (positions, guint, 0)]))
        return TRUE;
    }
  return FALSE;
}

static void
on_badge_row_activated_cb (GtkListBox       *list,
                           GtkListBoxRow    *row,
                           ChanceryTimeline *self)
{
  gint64 id = *(gint64 *) g_object_get_data (G_OBJECT (row), "event-id");

  gtk_popover_popdown (GTK_POPOVER (self->badge_popover));
  /* As a click on the event's bar would. */
  chancery_timeline_set_selected_id (self, id);
  gtk_widget_grab_focus (GTK_WIDGET (self));
}

static void
on_badge_zoom_clicked_cb (GtkButton        *button,
                          ChanceryTimeline *self)
{
  const double *extent = g_object_get_data (G_OBJECT (button), "ticks");

  gtk_popover_popdown (GTK_POPOVER (self->badge_popover));
  zoom_to_ticks (self, extent[0], extent[1]);
  gtk_widget_grab_focus (GTK_WIDGET (self));
}

static GtkWidget *
badge_row_new (ChanceryIndex *index,
               guint          position)
{
  const ChanceryIndexEvent *e = &index->events[position];
  g_autofree char *date = chancery_index_event_format_date (e);
  g_autofree char *details = g_strdup_printf ("%s · %s · %s", date,
                                              e->kind < CHANCERY_N_KINDS
                                              ? chancery_kind_get_label (e->kind) : "",
                                              e->status < CHANCERY_N_STATUSES
                                              ? chancery_status_get_label (e->status) : "");
  GtkWidget *row = gtk_list_box_row_new ();
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 2);
  GtkWidget *title = gtk_label_new (chancery_index_get_title (index, position));
  GtkWidget *caption = gtk_label_new (details);
  g_autofree char *description = chancery_format_event_description (index, position);

  gtk_label_set_xalign (GTK_LABEL (title), 0);
  gtk_label_set_ellipsize (GTK_LABEL (title), PANGO_ELLIPSIZE_END);
  gtk_label_set_max_width_chars (GTK_LABEL (title), 48);
  gtk_label_set_xalign (GTK_LABEL (caption), 0);
  gtk_label_set_ellipsize (GTK_LABEL (caption), PANGO_ELLIPSIZE_END);
  gtk_widget_add_css_class (caption, "caption");
  gtk_widget_add_css_class (caption, "dim-label");
  gtk_widget_set_margin_top (box, 6);
  gtk_widget_set_margin_bottom (box, 6);
  gtk_widget_set_margin_start (box, 6);
  gtk_widget_set_margin_end (box, 6);
  gtk_box_append (GTK_BOX (box), title);
  gtk_box_append (GTK_BOX (box), caption);
  gtk_list_box_row_set_child (GTK_LIST_BOX_ROW (row), box);
  gtk_accessible_update_property (GTK_ACCESSIBLE (row),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, description,
                                  -1);
  g_object_set_data_full (G_OBJECT (row), "event-id", g_memdup2 (&e->id, sizeof e->id), g_free);
  return row;
}

/* The list's last line when it is capped: a note, not a choice. */
static GtkWidget *
badge_more_row_new (guint    n_more,
                    gboolean spread)
{
  g_autofree char *count = chancery_format_count (n_more);
  g_autofree char *text = NULL;
  GtkWidget *row = gtk_list_box_row_new ();
  GtkWidget *label;

  if (spread)
    /* Translators: the last line of the list a "+9" badge opens, when it
     * shows only its first events; %s is the number of the others */
    text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                         "%s more event is not listed; zoom in or filter the events to see it",
                                         "%s more events are not listed; zoom in or filter the events to see them",
                                         n_more), count);
  else
    /* Translators: as above, for events of one day, which no zoom
     * separates; %s is the number of the others */
    text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                         "%s more event is not listed; filter the events to see it",
                                         "%s more events are not listed; filter the events to see them",
                                         n_more), count);

  label = gtk_label_new (text);
  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_label_set_wrap (GTK_LABEL (label), TRUE);
  gtk_label_set_max_width_chars (GTK_LABEL (label), 48);
  gtk_widget_add_css_class (label, "caption");
  gtk_widget_add_css_class (label, "dim-label");
  gtk_widget_set_margin_top (label, 6);
  gtk_widget_set_margin_bottom (label, 6);
  gtk_widget_set_margin_start (label, 6);
  gtk_widget_set_margin_end (label, 6);
  gtk_list_box_row_set_child (GTK_LIST_BOX_ROW (row), label);
  /* Still focusable: the arrows reach it, and a screen reader reads it. */
  gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (row), FALSE);
  gtk_list_box_row_set_selectable (GTK_LIST_BOX_ROW (row), FALSE);
  return row;
}

/* "9 events on 8 December 2025", or over their days. */
static char *
badge_heading (ChanceryIndex *index,
               GArray        *positions)
{
  g_autofree char *count = chancery_format_count (positions->len);
  gint32 lo = G_MAXINT32, hi = G_MININT32;
  g_autofree char *from = NULL;
  g_autofree char *to = NULL;

  for (guint i = 0; i < positions->len; i++)
    {
      const ChanceryIndexEvent *e = &index->events[g_array_index (positions, guint, i)];

      lo = MIN (lo, known_day (e));
      hi = MAX (hi, known_day (e));
    }
  from = chancery_day_format (lo, CHANCERY_PRECISION_DAY);
  to = chancery_day_format (hi, CHANCERY_PRECISION_DAY);
  if (lo == hi)
    return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%s event on %s", "%s events on %s",
                                         positions->len),
                            count, from);
  return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%s event, %s – %s",
                                       "%s events, %s – %s", positions->len),
                          count, from, to);
}

/* A badge on a lane's rug lists the events it counts, each selectable
 * as a click on its bar would select it: every event can be reached,
 * also those of one day that no zoom would separate. When their days
 * differ, the list also offers to zoom in around them. */
static void
activate_badge (ChanceryTimeline    *self,
                const ChanceryBadge *badge)
{
  ChanceryIndex *index = self->scene.index;
  g_autoptr(GArray) positions = chancery_scene_badge_positions (&self->scene, badge);
  g_autofree char *heading = NULL;
  GtkWidget *box, *label, *scrolled, *list;
  gboolean spread;

  if (positions->len == 0)
    return;

  if (self->badge_popover == NULL)
    {
      self->badge_popover = gtk_popover_new ();
      gtk_widget_set_parent (self->badge_popover, GTK_WIDGET (self));
    }

  box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 6);
  heading = badge_heading (index, positions);
  label = gtk_label_new (heading);
  gtk_widget_add_css_class (label, "heading");
  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_widget_set_margin_start (label, 6);
  gtk_widget_set_margin_top (label, 3);
  gtk_box_append (GTK_BOX (box), label);

  list = gtk_list_box_new ();
  gtk_list_box_set_selection_mode (GTK_LIST_BOX (list), GTK_SELECTION_NONE);
  gtk_list_box_set_activate_on_single_click (GTK_LIST_BOX (list), TRUE);
  gtk_accessible_update_property (GTK_ACCESSIBLE (list),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, heading,
                                  -1);
  spread = events_spread (self, positions);
  /* The first ones in time; the others are a zoom or a filter away, and
   * Left/Right from any of these go through them all. */
  for (guint i = 0; i < MIN (positions->len, BADGE_LIST_MAX); i++)
    gtk_list_box_append (GTK_LIST_BOX (list), badge_row_new (index, g_array_index (positions, guint, i)));
  if (positions->len > BADGE_LIST_MAX)
    gtk_list_box_append (GTK_LIST_BOX (list), badge_more_row_new (positions->len - BADGE_LIST_MAX, spread));
  g_signal_connect (list, "row-activated", G_CALLBACK (on_badge_row_activated_cb), self);

  scrolled = gtk_scrolled_window_new ();
  gtk_scrolled_window_set_policy (GTK_SCROLLED_WINDOW (scrolled), GTK_POLICY_NEVER, GTK_POLICY_AUTOMATIC);
  /* Wide enough to tell events of one day apart by their titles. */
  gtk_widget_set_size_request (scrolled, 340, -1);
  gtk_scrolled_window_set_propagate_natural_height (GTK_SCROLLED_WINDOW (scrolled), TRUE);
  gtk_scrolled_window_set_max_content_height (GTK_SCROLLED_WINDOW (scrolled), 360);
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scrolled), list);
  gtk_box_append (GTK_BOX (box), scrolled);

  if (spread)
    {
      GtkWidget *zoom = gtk_button_new_with_label (_("Zoom In"));
      double *ticks = g_new (double, 2);

      ticks[0] = badge->x_lo;
      ticks[1] = badge->x_hi;
      g_object_set_data_full (G_OBJECT (zoom), "ticks", ticks, g_free);
      g_signal_connect (zoom, "clicked", G_CALLBACK (on_badge_zoom_clicked_cb), self);
      gtk_box_append (GTK_BOX (box), zoom);
    }

  gtk_popover_set_child (GTK_POPOVER (self->badge_popover), box);
  gtk_popover_set_pointing_to (GTK_POPOVER (self->badge_popover),
                               &(GdkRectangle) {
                                 (int) badge->rect.origin.x, (int) badge->rect.origin.y,
                                 (int) ceilf (badge->rect.size.width),
                                 (int) ceilf (badge->rect.size.height) });
  /* The popover focuses the first event: the arrows go through the list
   * at once, and Escape gives the focus back to the timeline. */
  gtk_popover_popup (GTK_POPOVER (self->badge_popover));
  /* Asked again, the tooltip shown on the badge goes. */
  gtk_widget_trigger_tooltip_query (GTK_WIDGET (self));
}

/* The keyboard's way to a badge's list (Menu or Shift+F10, as for a
 * context menu; Enter keeps showing the details): Left/Right reach every
 * event, and when the selected one has no row, this lists the events its
 * badge stands for. */
static void
open_badge_cb (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  ChanceryTimeline *self = CHANCERY_TIMELINE (widget);
  const ChanceryItem *item;
  const ChanceryBadge *badge = NULL;

  if (has_selection (self))
    {
      reveal_position (self, self->selected_position);
      ensure_layout (self);
      item = chancery_scene_find_item (&self->scene, self->selected_position, TRUE);
      if (item != NULL && item->shape == CHANCERY_SHAPE_HIDDEN)
        badge = chancery_scene_find_badge (&self->scene, self->selected_position);
    }
  if (badge == NULL)
    {
      gtk_widget_error_bell (widget);
      return;
    }
  activate_badge (self, badge);
}

/* What a badge does, said truthfully: zooming in is offered only when
 * it would move its events apart. */
static char *
badge_tooltip (ChanceryTimeline    *self,
               const ChanceryBadge *badge)
{
  g_autoptr(GArray) positions = chancery_scene_badge_positions (&self->scene, badge);
  g_autofree char *count = chancery_format_count (badge->count);

  if (events_spread (self, positions))
    /* Translators: a tooltip on a "+9" badge under a lane; %s is the
     * number of events, formatted for the language */
    return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                         "%s more event here; click to list it or zoom in to spread it out",
                                         "%s more events here; click to list them or zoom in to spread them out",
                                         badge->count), count);
  /* Translators: a tooltip on a "+9" badge under a lane; %s is the
   * number of events, formatted for the language */
  return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                       "%s more event here; click to list it",
                                       "%s more events here; click to list them",
                                       badge->count), count);
}

/* Selecting on release: a press that turns into a drag pans the view and
 * keeps the selection (the click gesture gives up past the drag threshold). */
static void
click_at (ChanceryTimeline *self,
          double            x,
          double            y)
{
  const ChanceryItem *item;
  const ChanceryBadge *badge;

  ensure_layout (self);
  item = chancery_scene_item_at (&self->scene, x, y);
  if (item == NULL && (badge = chancery_scene_badge_at (&self->scene, x, y)) != NULL)
    {
      activate_badge (self, badge);
      update_hover (self);
      return;
    }
  select_position (self, item != NULL ? item->position : G_MAXUINT);
}

static void
on_click_released_cb (GtkGestureClick  *gesture,
                      int               n_press,
                      double            x,
                      double            y,
                      ChanceryTimeline *self)
{
  /* The drag gesture may see the release first and end the drag, so ask
   * whether this press panned at all, not whether it still does. */
  if (n_press != 1 || self->dragged)
    return;

  click_at (self, x, y);
}

static void
on_drag_begin_cb (GtkGestureDrag   *gesture,
                  double            x,
                  double            y,
                  ChanceryTimeline *self)
{
  self->drag_start = self->start;
  self->drag_end = self->end;
  self->drag_scroll_y = self->scroll_y;
  self->dragging = FALSE;
  self->dragged = FALSE;
}

static void
on_drag_update_cb (GtkGestureDrag   *gesture,
                   double            offset_x,
                   double            offset_y,
                   ChanceryTimeline *self)
{
  double shift;

  if (!self->dragging)
    {
      /* A click that wobbles is still a click. */
      if (fabs (offset_x) < 4 && fabs (offset_y) < 4)
        return;
      self->dragging = TRUE;
      self->dragged = TRUE;
      gtk_widget_set_cursor_from_name (GTK_WIDGET (self), "grabbing");
      update_hover (self);
    }

  shift = (is_rtl (self) ? offset_x : -offset_x) * (self->drag_end - self->drag_start)
          / view_width (self);
  chancery_timeline_set_view (self, self->drag_start + shift, self->drag_end + shift);
  set_scroll_y (self, self->drag_scroll_y - offset_y);
}

static void
on_drag_end_cb (GtkGestureDrag   *gesture,
                double            offset_x,
                double            offset_y,
                ChanceryTimeline *self)
{
  if (self->dragging)
    gtk_widget_set_cursor (GTK_WIDGET (self), NULL);
  self->dragging = FALSE;
  self->badge_cursor = FALSE;
  update_hover (self);
}

static gboolean
on_scroll_cb (GtkEventControllerScroll *controller,
              double                    dx,
              double                    dy,
              ChanceryTimeline         *self)
{
  GdkModifierType state = gtk_event_controller_get_current_event_state (GTK_EVENT_CONTROLLER (controller));
  gboolean wheel = gtk_event_controller_scroll_get_unit (controller) == GDK_SCROLL_UNIT_WHEEL;
  double pixels = wheel ? 64 : 1;
  float viewport = gtk_widget_get_height (GTK_WIDGET (self)) - CHANCERY_SCENE_AXIS_HEIGHT;

  if (state & GDK_CONTROL_MASK)
    {
      double factor = wheel ? pow (1.25, -dy) : exp (-dy / 200.0);

      chancery_timeline_zoom_at (self, factor, self->pointer_x);
      return TRUE;
    }

  if (state & GDK_SHIFT_MASK)
    {
      dx += dy;
      dy = 0;
    }

  ensure_layout (self);
  /* Vertical scrolling moves the lanes when they overflow, time otherwise. */
  if (dy != 0 && self->scene.content_height <= viewport)
    {
      dx += dy;
      dy = 0;
    }

  if (dx != 0)
    {
      double sign = is_rtl (self) ? -1 : 1;

      pan_by (self, sign * dx * pixels / view_width (self));
    }
  if (dy != 0)
    set_scroll_y (self, self->scroll_y + dy * pixels);

  return TRUE;
}

static void
on_zoom_begin_cb (GtkGesture       *gesture,
                  GdkEventSequence *sequence,
                  ChanceryTimeline *self)
{
  double x, y;

  if (!gtk_gesture_get_bounding_box_center (gesture, &x, &y))
    x = view_width (self) / 2;

  self->pinch_start = self->start;
  self->pinch_end = self->end;
  self->pinch_day = day_at (self, x);
  self->pinch_u = (is_rtl (self) ? view_width (self) - x : x) / view_width (self);
}

/* The widest span zooming may reach: a few times what fits the events
 * shown (those the filters leave), never narrower than the span shown now
 * (zooming out never zooms in). */
static double
zoom_max_span (ChanceryTimeline *self)
{
  ChanceryIndex *index = self->scene.index;
  double limit = CHANCERY_SCENE_LAST_DAY - CHANCERY_SCENE_FIRST_DAY;

  if (index != NULL && index->n_events > 0)
    {
      double extent = MAX ((double) index->max_day + 1 - index->min_day, 1);

      limit = MAX (ZOOM_OUT_LIMIT * extent, ZOOM_OUT_MIN_LIMIT);
    }
  return MAX (limit, self->end - self->start);
}

static void
on_zoom_scale_changed_cb (GtkGestureZoom   *gesture,
                          double            scale,
                          ChanceryTimeline *self)
{
  double span;

  if (scale <= 0)
    return;
  span = (self->pinch_end - self->pinch_start) / scale;
  span = CLAMP (span, CHANCERY_SCENE_MIN_SPAN,
                MAX (zoom_max_span (self), self->pinch_end - self->pinch_start));
  chancery_timeline_set_view (self, self->pinch_day - self->pinch_u * span,
                              self->pinch_day - self->pinch_u * span + span);
}

/* Overlay: hover, selection, focus */

static void
append_ring (GtkSnapshot           *snapshot,
             const graphene_rect_t *rect,
             float                  radius,
             const GdkRGBA         *color,
             float                  width)
{
  GskRoundedRect rr;
  const float widths[4] = { width, width, width, width };
  const GdkRGBA colors[4] = { *color, *color, *color, *color };

  gsk_rounded_rect_init_from_rect (&rr, rect, radius);
  gtk_snapshot_append_border (snapshot, &rr, widths, colors);
}

static void
append_fill (GtkSnapshot           *snapshot,
             const graphene_rect_t *rect,
             float                  radius,
             const GdkRGBA         *color)
{
  GskRoundedRect rr;

  gsk_rounded_rect_init_from_rect (&rr, rect, radius);
  gtk_snapshot_push_rounded_clip (snapshot, &rr);
  gtk_snapshot_append_color (snapshot, color, rect);
  gtk_snapshot_pop (snapshot);
}

static void
draw_hover (ChanceryTimeline *self,
            GtkSnapshot      *snapshot)
{
  const ChanceryScene *scene = &self->scene;
  GdkRGBA tint = scene->palette.foreground;

  tint.alpha = 0.08f;
  if (self->hover_position != G_MAXUINT)
    {
      for (guint i = 0; i < scene->items->len; i++)
        {
          const ChanceryItem *item = &g_array_index (scene->items, ChanceryItem, i);
          graphene_rect_t r;

          if (item->position != self->hover_position || item->shape == CHANCERY_SHAPE_HIDDEN)
            continue;
          graphene_rect_inset_r (&item->area, -4, -3, &r);
          append_fill (snapshot, &r, 6, &tint);
        }
    }
  else if (self->hover_bin_lane >= 0)
    {
      const ChanceryBin *bin = chancery_scene_bin_at (scene, self->pointer_x, self->pointer_y);

      if (bin != NULL)
        append_fill (snapshot, &bin->rect, 1, &tint);
    }
  else if (self->hover_badge >= 0 && (guint) self->hover_badge < scene->badges->len)
    {
      const ChanceryBadge *badge = &g_array_index (scene->badges, ChanceryBadge, self->hover_badge);

      tint.alpha = 0.12f;
      append_fill (snapshot, &badge->rect, badge->rect.size.height / 2, &tint);
    }
}

static void
draw_selection (ChanceryTimeline *self,
                GtkSnapshot      *snapshot)
{
  const ChanceryScene *scene = &self->scene;
  gboolean focused = gtk_widget_has_focus (GTK_WIDGET (self));
  GdkRGBA ring = scene->palette.accent;
  GdkRGBA fill = scene->palette.accent;
  const ChanceryIndexEvent *e;
  float x;

  if (!has_selection (self))
    return;

  if (!focused)
    ring.alpha *= 0.6f;
  fill.alpha = 0.12f;

  for (guint i = 0; i < scene->items->len; i++)
    {
      const ChanceryItem *item = &g_array_index (scene->items, ChanceryItem, i);
      graphene_rect_t r;

      if (item->position != self->selected_position)
        continue;
      if (item->shape == CHANCERY_SHAPE_HIDDEN)
        {
          graphene_rect_inset_r (&item->rect, -1, -1, &r);
          append_fill (snapshot, &r, 1, &ring);
          continue;
        }
      graphene_rect_inset_r (&item->area, -4, -3, &r);
      append_fill (snapshot, &r, 6, &fill);
      graphene_rect_inset_r (&item->rect, -3, -3, &r);
      append_ring (snapshot, &r, item->shape == CHANCERY_SHAPE_POINT ? r.size.width / 2 : 6,
                   &ring, 2);
    }

  /* In a lane drawn as density, a line where the event is. */
  e = &scene->index->events[self->selected_position];
  x = chancery_scene_x_at (scene, (e->lo + e->hi + 1) / 2.0);
  for (guint l = 0; l < scene->lanes->len; l++)
    {
      const ChanceryLaneBox *box = &g_array_index (scene->lanes, ChanceryLaneBox, l);

      if (!box->dense || box->y >= scene->height || box->y + box->height <= CHANCERY_SCENE_AXIS_HEIGHT)
        continue;
      if (!lane_contains (scene->index, g_ptr_array_index (scene->index->lanes, l),
                          self->selected_position))
        continue;
      append_fill (snapshot, &GRAPHENE_RECT_INIT (x - 1.5f, box->y + 4, 3, box->height - 8),
                   1.5f, &ring);
    }
}

static void
draw_focus (ChanceryTimeline *self,
            GtkSnapshot      *snapshot)
{
  GtkWidget *widget = GTK_WIDGET (self);
  GdkRGBA ring = self->scene.palette.accent;
  graphene_rect_t r;

  if (!gtk_widget_has_visible_focus (widget))
    return;
  /* The selected event shows where focus is; without one, the widget does. */
  if (has_selection (self) && chancery_scene_find_item (&self->scene, self->selected_position, TRUE))
    return;

  ring.alpha *= 0.5f;
  graphene_rect_init (&r, 1, 1, gtk_widget_get_width (widget) - 2, gtk_widget_get_height (widget) - 2);
  append_ring (snapshot, &r, 6, &ring, 2);
}

/* GtkWidget */

static void
chancery_timeline_snapshot (GtkWidget   *widget,
                            GtkSnapshot *snapshot)
{
  ChanceryTimeline *self = CHANCERY_TIMELINE (widget);

  ensure_layout (self);

  if (self->static_node == NULL)
    {
      GtkSnapshot *inner = gtk_snapshot_new ();

      chancery_scene_draw (&self->scene, inner);
      self->static_node = gtk_snapshot_free_to_node (inner);
    }

  if (self->static_node != NULL)
    gtk_snapshot_append_node (snapshot, self->static_node);

  if (self->scene.index != NULL)
    {
      gtk_snapshot_push_clip (snapshot,
                              &GRAPHENE_RECT_INIT (0, CHANCERY_SCENE_AXIS_HEIGHT,
                                                   self->scene.width,
                                                   MAX (self->scene.height - CHANCERY_SCENE_AXIS_HEIGHT, 0)));
      draw_hover (self, snapshot);
      draw_selection (self, snapshot);
      gtk_snapshot_pop (snapshot);
    }
  draw_focus (self, snapshot);
}

static void
chancery_timeline_measure (GtkWidget      *widget,
                           GtkOrientation  orientation,
                           int             for_size,
                           int            *minimum,
                           int            *natural,
                           int            *minimum_baseline,
                           int            *natural_baseline)
{
  if (orientation == GTK_ORIENTATION_HORIZONTAL)
    {
      *minimum = 160;
      *natural = 640;
    }
  else
    {
      *minimum = (int) CHANCERY_SCENE_AXIS_HEIGHT + 64;
      *natural = 360;
    }
}

static void
chancery_timeline_size_allocate (GtkWidget *widget,
                                 int        width,
                                 int        height,
                                 int        baseline)
{
  ChanceryTimeline *self = CHANCERY_TIMELINE (widget);

  if (!self->have_view)
    chancery_timeline_zoom_fit (self);
  invalidate (self);
  if (self->badge_popover != NULL)
    gtk_popover_present (GTK_POPOVER (self->badge_popover));
}

static void
chancery_timeline_css_changed (GtkWidget         *widget,
                               GtkCssStyleChange *change)
{
  ChanceryTimeline *self = CHANCERY_TIMELINE (widget);

  GTK_WIDGET_CLASS (chancery_timeline_parent_class)->css_changed (widget, change);

  chancery_palette_init_for_widget (&self->scene.palette, widget);
  /* Fonts may have changed with the style: forget the laid-out text. */
  if (self->scene.pango != NULL)
    chancery_scene_set_pango (&self->scene, gtk_widget_get_pango_context (widget));
  invalidate (self);
}

static void
chancery_timeline_direction_changed (GtkWidget        *widget,
                                     GtkTextDirection  previous)
{
  invalidate (CHANCERY_TIMELINE (widget));
}

static void
chancery_timeline_state_flags_changed (GtkWidget     *widget,
                                       GtkStateFlags  previous)
{
  GTK_WIDGET_CLASS (chancery_timeline_parent_class)->state_flags_changed (widget, previous);
  /* Focus rings live in the overlay. */
  gtk_widget_queue_draw (widget);
}

static gboolean
chancery_timeline_query_tooltip (GtkWidget  *widget,
                                 int         x,
                                 int         y,
                                 gboolean    keyboard,
                                 GtkTooltip *tooltip)
{
  ChanceryTimeline *self = CHANCERY_TIMELINE (widget);
  ChanceryIndex *index = self->scene.index;
  const ChanceryItem *item = NULL;
  const ChanceryBin *bin;
  const ChanceryBadge *badge;

  /* The badge's list is open: its tooltip would cover the list's heading. */
  if (index == NULL || (self->badge_popover != NULL && gtk_widget_get_visible (self->badge_popover)))
    return FALSE;

  ensure_layout (self);
  if (keyboard && has_selection (self))
    item = chancery_scene_find_item (&self->scene, self->selected_position, TRUE);
  else if (!keyboard)
    item = chancery_scene_item_at (&self->scene, x, y);

  if (item != NULL)
    {
      const ChanceryIndexEvent *e = &index->events[item->position];
      g_autofree char *date = chancery_index_event_format_date (e);
      g_autofree char *markup = NULL;
      graphene_rect_t *area = (graphene_rect_t *) &item->area;

      markup = g_markup_printf_escaped ("<b>%s</b>\n%s · %s · %s",
                                        chancery_index_get_title (index, item->position),
                                        date,
                                        e->kind < CHANCERY_N_KINDS ? chancery_kind_get_label (e->kind) : "",
                                        e->status < CHANCERY_N_STATUSES
                                        ? chancery_status_get_label (e->status) : "");
      gtk_tooltip_set_markup (tooltip, markup);
      gtk_tooltip_set_tip_area (tooltip, &(GdkRectangle) {
                                  (int) area->origin.x, (int) area->origin.y,
                                  (int) ceilf (area->size.width), (int) ceilf (area->size.height) });
      return TRUE;
    }

  if (keyboard)
    return FALSE;

  bin = chancery_scene_bin_at (&self->scene, x, y);
  if (bin != NULL)
    {
      g_autofree char *from = chancery_day_format (bin->lo, CHANCERY_PRECISION_DAY);
      g_autofree char *to = chancery_day_format (bin->hi - 1, CHANCERY_PRECISION_DAY);
      g_autofree char *text = NULL;
      g_autofree char *count = chancery_format_count (bin->count);

      /* Translators: a cluster's tooltip; the first %s is the number of events */
      if (bin->hi - bin->lo <= 1)
        text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%s event on %s", "%s events on %s",
                                             bin->count),
                                count, from);
      else
        text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%s event, %s – %s",
                                             "%s events, %s – %s", bin->count),
                                count, from, to);
      gtk_tooltip_set_text (tooltip, text);
      return TRUE;
    }

  badge = chancery_scene_badge_at (&self->scene, x, y);
  if (badge != NULL)
    {
      g_autofree char *text = badge_tooltip (self, badge);

      gtk_tooltip_set_text (tooltip, text);
      return TRUE;
    }

  return FALSE;
}

/* GObject */

static void
chancery_timeline_dispose (GObject *object)
{
  ChanceryTimeline *self = CHANCERY_TIMELINE (object);

  g_clear_pointer (&self->static_node, gsk_render_node_unref);
  g_clear_pointer (&self->badge_popover, gtk_widget_unparent);

  G_OBJECT_CLASS (chancery_timeline_parent_class)->dispose (object);
}

static void
chancery_timeline_finalize (GObject *object)
{
  ChanceryTimeline *self = CHANCERY_TIMELINE (object);

  chancery_scene_clear (&self->scene);

  G_OBJECT_CLASS (chancery_timeline_parent_class)->finalize (object);
}

static void
chancery_timeline_get_property (GObject    *object,
                                guint       prop_id,
                                GValue     *value,
                                GParamSpec *pspec)
{
  ChanceryTimeline *self = CHANCERY_TIMELINE (object);

  switch (prop_id)
    {
    case PROP_INDEX:
      g_value_set_boxed (value, self->scene.index);
      break;
    case PROP_SELECTED_ID:
      g_value_set_int64 (value, self->selected_id);
      break;
    case PROP_VIEW_START:
      g_value_set_double (value, self->start);
      break;
    case PROP_VIEW_END:
      g_value_set_double (value, self->end);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
chancery_timeline_set_property (GObject      *object,
                                guint         prop_id,
                                const GValue *value,
                                GParamSpec   *pspec)
{
  ChanceryTimeline *self = CHANCERY_TIMELINE (object);

  switch (prop_id)
    {
    case PROP_INDEX:
      chancery_timeline_set_index (self, g_value_get_boxed (value));
      break;
    case PROP_SELECTED_ID:
      chancery_timeline_set_selected_id (self, g_value_get_int64 (value));
      break;
    case PROP_VIEW_START:
      chancery_timeline_set_view (self, g_value_get_double (value),
                                  MAX (self->end, g_value_get_double (value) + CHANCERY_SCENE_MIN_SPAN));
      break;
    case PROP_VIEW_END:
      chancery_timeline_set_view (self,
                                  MIN (self->start, g_value_get_double (value) - CHANCERY_SCENE_MIN_SPAN),
                                  g_value_get_double (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
add_key (GtkWidgetClass  *widget_class,
         guint            keyval,
         GdkModifierType  mods,
         const char      *action)
{
  gtk_widget_class_add_binding_action (widget_class, keyval, mods, action, NULL);
}

static void
chancery_timeline_class_init (ChanceryTimelineClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = chancery_timeline_dispose;
  object_class->finalize = chancery_timeline_finalize;
  object_class->get_property = chancery_timeline_get_property;
  object_class->set_property = chancery_timeline_set_property;

  widget_class->snapshot = chancery_timeline_snapshot;
  widget_class->measure = chancery_timeline_measure;
  widget_class->size_allocate = chancery_timeline_size_allocate;
  widget_class->css_changed = chancery_timeline_css_changed;
  widget_class->direction_changed = chancery_timeline_direction_changed;
  widget_class->state_flags_changed = chancery_timeline_state_flags_changed;
  widget_class->query_tooltip = chancery_timeline_query_tooltip;

  properties[PROP_INDEX] =
    g_param_spec_boxed ("index", NULL, NULL,
                        CHANCERY_TYPE_INDEX,
                        G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_SELECTED_ID] =
    g_param_spec_int64 ("selected-id", NULL, NULL,
                        -1, G_MAXINT64, -1,
                        G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_VIEW_START] =
    g_param_spec_double ("view-start", NULL, NULL,
                         CHANCERY_SCENE_FIRST_DAY, CHANCERY_SCENE_LAST_DAY, 0,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_VIEW_END] =
    g_param_spec_double ("view-end", NULL, NULL,
                         CHANCERY_SCENE_FIRST_DAY, CHANCERY_SCENE_LAST_DAY, 1,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  signals[EVENT_ACTIVATED] =
    g_signal_new ("event-activated",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, G_TYPE_INT64);

  gtk_widget_class_install_action (widget_class, "timeline.zoom-in", NULL, zoom_in_cb);
  gtk_widget_class_install_action (widget_class, "timeline.zoom-out", NULL, zoom_out_cb);
  gtk_widget_class_install_action (widget_class, "timeline.zoom-fit", NULL, zoom_fit_cb);
  gtk_widget_class_install_action (widget_class, "timeline.go-today", NULL, go_today_cb);
  gtk_widget_class_install_action (widget_class, "timeline.go-selection", NULL, go_selection_cb);
  gtk_widget_class_install_action (widget_class, "timeline.select-next", NULL, select_next_cb);
  gtk_widget_class_install_action (widget_class, "timeline.select-previous", NULL, select_previous_cb);
  gtk_widget_class_install_action (widget_class, "timeline.select-first", NULL, select_first_cb);
  gtk_widget_class_install_action (widget_class, "timeline.select-last", NULL, select_last_cb);
  gtk_widget_class_install_action (widget_class, "timeline.unselect", NULL, unselect_cb);
  gtk_widget_class_install_action (widget_class, "timeline.activate", NULL, activate_cb);
  gtk_widget_class_install_action (widget_class, "timeline.open-badge", NULL, open_badge_cb);
  gtk_widget_class_install_action (widget_class, "timeline.pan-earlier", NULL, pan_earlier_cb);
  gtk_widget_class_install_action (widget_class, "timeline.pan-later", NULL, pan_later_cb);
  gtk_widget_class_install_action (widget_class, "timeline.scroll-up", NULL, scroll_up_cb);
  gtk_widget_class_install_action (widget_class, "timeline.scroll-down", NULL, scroll_down_cb);

  add_key (widget_class, GDK_KEY_plus, 0, "timeline.zoom-in");
  add_key (widget_class, GDK_KEY_equal, 0, "timeline.zoom-in");
  add_key (widget_class, GDK_KEY_KP_Add, 0, "timeline.zoom-in");
  add_key (widget_class, GDK_KEY_plus, GDK_CONTROL_MASK, "timeline.zoom-in");
  add_key (widget_class, GDK_KEY_equal, GDK_CONTROL_MASK, "timeline.zoom-in");
  add_key (widget_class, GDK_KEY_KP_Add, GDK_CONTROL_MASK, "timeline.zoom-in");
  add_key (widget_class, GDK_KEY_minus, 0, "timeline.zoom-out");
  add_key (widget_class, GDK_KEY_KP_Subtract, 0, "timeline.zoom-out");
  add_key (widget_class, GDK_KEY_minus, GDK_CONTROL_MASK, "timeline.zoom-out");
  add_key (widget_class, GDK_KEY_KP_Subtract, GDK_CONTROL_MASK, "timeline.zoom-out");
  add_key (widget_class, GDK_KEY_0, 0, "timeline.zoom-fit");
  add_key (widget_class, GDK_KEY_KP_0, 0, "timeline.zoom-fit");
  add_key (widget_class, GDK_KEY_0, GDK_CONTROL_MASK, "timeline.zoom-fit");
  add_key (widget_class, GDK_KEY_t, 0, "timeline.go-today");
  add_key (widget_class, GDK_KEY_period, 0, "timeline.go-selection");
  add_key (widget_class, GDK_KEY_Home, 0, "timeline.select-first");
  add_key (widget_class, GDK_KEY_End, 0, "timeline.select-last");
  add_key (widget_class, GDK_KEY_Escape, 0, "timeline.unselect");
  add_key (widget_class, GDK_KEY_Return, 0, "timeline.activate");
  add_key (widget_class, GDK_KEY_KP_Enter, 0, "timeline.activate");
  add_key (widget_class, GDK_KEY_ISO_Enter, 0, "timeline.activate");
  add_key (widget_class, GDK_KEY_space, 0, "timeline.activate");
  add_key (widget_class, GDK_KEY_Menu, 0, "timeline.open-badge");
  add_key (widget_class, GDK_KEY_F10, GDK_SHIFT_MASK, "timeline.open-badge");
  add_key (widget_class, GDK_KEY_h, 0, "timeline.pan-earlier");
  add_key (widget_class, GDK_KEY_l, 0, "timeline.pan-later");
  add_key (widget_class, GDK_KEY_Page_Up, 0, "timeline.pan-earlier");
  add_key (widget_class, GDK_KEY_Page_Down, 0, "timeline.pan-later");
  add_key (widget_class, GDK_KEY_Up, 0, "timeline.scroll-up");
  add_key (widget_class, GDK_KEY_Down, 0, "timeline.scroll-down");

  gtk_widget_class_add_binding (widget_class, GDK_KEY_Left, 0, arrow_cb, "(bb)", FALSE, FALSE);
  gtk_widget_class_add_binding (widget_class, GDK_KEY_Right, 0, arrow_cb, "(bb)", TRUE, FALSE);
  gtk_widget_class_add_binding (widget_class, GDK_KEY_KP_Left, 0, arrow_cb, "(bb)", FALSE, FALSE);
  gtk_widget_class_add_binding (widget_class, GDK_KEY_KP_Right, 0, arrow_cb, "(bb)", TRUE, FALSE);
  gtk_widget_class_add_binding (widget_class, GDK_KEY_Left, GDK_SHIFT_MASK, arrow_cb, "(bb)", FALSE, TRUE);
  gtk_widget_class_add_binding (widget_class, GDK_KEY_Right, GDK_SHIFT_MASK, arrow_cb, "(bb)", TRUE, TRUE);

  gtk_widget_class_set_css_name (widget_class, "timeline");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_GROUP);
}

static void
chancery_timeline_init (ChanceryTimeline *self)
{
  GtkWidget *widget = GTK_WIDGET (self);
  GtkEventController *controller;
  GtkGesture *gesture;
  double now = chancery_scene_now ();

  chancery_scene_init (&self->scene);
  self->selected_id = -1;
  self->selected_position = G_MAXUINT;
  self->hover_position = G_MAXUINT;
  self->hover_bin_lane = -1;
  self->hover_badge = -1;
  self->start = floor (now) - 180;
  self->end = floor (now) + 30;

  gtk_widget_set_focusable (widget, TRUE);
  gtk_widget_set_focus_on_click (widget, TRUE);
  gtk_widget_set_has_tooltip (widget, TRUE);
  gtk_widget_set_overflow (widget, GTK_OVERFLOW_HIDDEN);
  gtk_widget_action_set_enabled (widget, "timeline.go-selection", FALSE);

  controller = gtk_event_controller_motion_new ();
  g_signal_connect (controller, "motion", G_CALLBACK (on_motion_cb), self);
  g_signal_connect (controller, "enter", G_CALLBACK (on_motion_cb), self);
  g_signal_connect (controller, "leave", G_CALLBACK (on_leave_cb), self);
  gtk_widget_add_controller (widget, controller);

  gesture = gtk_gesture_click_new ();
  gtk_gesture_single_set_button (GTK_GESTURE_SINGLE (gesture), GDK_BUTTON_PRIMARY);
  g_signal_connect (gesture, "pressed", G_CALLBACK (on_click_pressed_cb), self);
  g_signal_connect (gesture, "released", G_CALLBACK (on_click_released_cb), self);
  gtk_widget_add_controller (widget, GTK_EVENT_CONTROLLER (gesture));

  gesture = gtk_gesture_drag_new ();
  gtk_gesture_single_set_button (GTK_GESTURE_SINGLE (gesture), GDK_BUTTON_PRIMARY);
  g_signal_connect (gesture, "drag-begin", G_CALLBACK (on_drag_begin_cb), self);
  g_signal_connect (gesture, "drag-update", G_CALLBACK (on_drag_update_cb), self);
  g_signal_connect (gesture, "drag-end", G_CALLBACK (on_drag_end_cb), self);
  gtk_widget_add_controller (widget, GTK_EVENT_CONTROLLER (gesture));

  gesture = gtk_gesture_zoom_new ();
  g_signal_connect (gesture, "begin", G_CALLBACK (on_zoom_begin_cb), self);
  g_signal_connect (gesture, "scale-changed", G_CALLBACK (on_zoom_scale_changed_cb), self);
  gtk_widget_add_controller (widget, GTK_EVENT_CONTROLLER (gesture));

  controller = gtk_event_controller_scroll_new (GTK_EVENT_CONTROLLER_SCROLL_BOTH_AXES);
  g_signal_connect (controller, "scroll", G_CALLBACK (on_scroll_cb), self);
  gtk_widget_add_controller (widget, controller);

  gtk_accessible_update_property (GTK_ACCESSIBLE (self),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _("Timeline"),
                                  -1);
}

/* Public API */

GtkWidget *
chancery_timeline_new (void)
{
  return g_object_new (CHANCERY_TYPE_TIMELINE, NULL);
}

void
chancery_timeline_set_index (ChanceryTimeline *self,
                             ChanceryIndex    *index)
{
  g_return_if_fail (CHANCERY_IS_TIMELINE (self));

  if (self->scene.index == index)
    return;

  chancery_scene_set_index (&self->scene, index);
  self->hover_position = G_MAXUINT;
  self->hover_bin_lane = -1;

  if (!self->have_view)
    chancery_timeline_zoom_fit (self);

  if (self->selected_id >= 0)
    {
      guint position = index != NULL ? chancery_index_find_id (index, self->selected_id) : G_MAXUINT;

      if (position == G_MAXUINT)
        select_position (self, G_MAXUINT);
      else
        {
          self->selected_position = position;
          update_accessible (self);
        }
    }

  invalidate (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_INDEX]);
}

ChanceryIndex *
chancery_timeline_get_index (ChanceryTimeline *self)
{
  g_return_val_if_fail (CHANCERY_IS_TIMELINE (self), NULL);

  return self->scene.index;
}

ChanceryDensity *
chancery_timeline_get_density (ChanceryTimeline *self)
{
  g_return_val_if_fail (CHANCERY_IS_TIMELINE (self), NULL);

  return self->scene.density;
}

gint64
chancery_timeline_get_selected_id (ChanceryTimeline *self)
{
  g_return_val_if_fail (CHANCERY_IS_TIMELINE (self), -1);

  return self->selected_id;
}

void
chancery_timeline_set_selected_id (ChanceryTimeline *self,
                                   gint64            id)
{
  guint position = G_MAXUINT;

  g_return_if_fail (CHANCERY_IS_TIMELINE (self));

  if (id == self->selected_id)
    return;
  if (id >= 0 && self->scene.index != NULL)
    position = chancery_index_find_id (self->scene.index, id);
  select_position (self, position);
}

void
chancery_timeline_get_view (ChanceryTimeline *self,
                            double           *start,
                            double           *end)
{
  g_return_if_fail (CHANCERY_IS_TIMELINE (self));

  if (start != NULL)
    *start = self->start;
  if (end != NULL)
    *end = self->end;
}

void
chancery_timeline_set_view (ChanceryTimeline *self,
                            double            start,
                            double            end)
{
  const double first = CHANCERY_SCENE_FIRST_DAY, last = CHANCERY_SCENE_LAST_DAY;
  gboolean start_changed, end_changed;
  double span;

  g_return_if_fail (CHANCERY_IS_TIMELINE (self));
  g_return_if_fail (isfinite (start) && isfinite (end));

  self->have_view = TRUE;

  span = CLAMP (end - start, CHANCERY_SCENE_MIN_SPAN, last - first);
  if (end - start < CHANCERY_SCENE_MIN_SPAN)
    start = (start + end) / 2 - span / 2;
  start = CLAMP (start, first, last - span);
  end = start + span;

  start_changed = start != self->start;
  end_changed = end != self->end;
  if (!start_changed && !end_changed)
    return;

  self->start = start;
  self->end = end;
  invalidate (self);

  g_object_freeze_notify (G_OBJECT (self));
  if (start_changed)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_VIEW_START]);
  if (end_changed)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_VIEW_END]);
  g_object_thaw_notify (G_OBJECT (self));
}

void
chancery_timeline_zoom_fit (ChanceryTimeline *self)
{
  ChanceryIndex *index;
  double lo, hi, span;

  g_return_if_fail (CHANCERY_IS_TIMELINE (self));

  index = self->scene.index;
  if (index == NULL || index->n_events == 0)
    {
      if (!self->have_view)
        return;
      lo = floor (chancery_scene_now ()) - 180;
      hi = lo + 210;
    }
  else
    {
      lo = index->min_day;
      hi = (double) index->max_day + 1;
    }

  /* Room before the first event, and after the last for its label. */
  span = MAX (hi - lo, 1);
  chancery_timeline_set_view (self, lo - span * 0.03, hi + span * 0.12);
}

void
chancery_timeline_zoom_at (ChanceryTimeline *self,
                           double            factor,
                           double            x)
{
  double day, u, span;

  g_return_if_fail (CHANCERY_IS_TIMELINE (self));
  g_return_if_fail (factor > 0);

  day = day_at (self, x);
  u = (is_rtl (self) ? view_width (self) - x : x) / view_width (self);
  span = (self->end - self->start) / factor;
  span = CLAMP (span, CHANCERY_SCENE_MIN_SPAN, zoom_max_span (self));
  chancery_timeline_set_view (self, day - u * span, day - u * span + span);
}

gboolean
chancery_timeline_get_event_area (ChanceryTimeline *self,
                                  gint64            id,
                                  graphene_rect_t  *area)
{
  const ChanceryItem *item = NULL;

  g_return_val_if_fail (CHANCERY_IS_TIMELINE (self), FALSE);

  if (self->scene.index == NULL || id < 0)
    return FALSE;

  ensure_layout (self);
  for (guint i = 0; i < self->scene.items->len; i++)
    {
      const ChanceryItem *candidate = &g_array_index (self->scene.items, ChanceryItem, i);

      if (self->scene.index->events[candidate->position].id != id)
        continue;
      item = chancery_scene_find_item (&self->scene, candidate->position, TRUE);
      break;
    }

  if (item == NULL || item->shape == CHANCERY_SHAPE_HIDDEN)
    return FALSE;
  if (area != NULL)
    *area = item->rect;
  return TRUE;
}

gint64
chancery_timeline_get_event_at (ChanceryTimeline *self,
                                double            x,
                                double            y)
{
  const ChanceryItem *item;

  g_return_val_if_fail (CHANCERY_IS_TIMELINE (self), -1);

  if (self->scene.index == NULL)
    return -1;

  ensure_layout (self);
  item = chancery_scene_item_at (&self->scene, x, y);
  return item != NULL ? self->scene.index->events[item->position].id : -1;
}

guint
chancery_timeline_get_hidden_count_at (ChanceryTimeline *self,
                                       double            x,
                                       double            y)
{
  const ChanceryBadge *badge;

  g_return_val_if_fail (CHANCERY_IS_TIMELINE (self), 0);

  if (self->scene.index == NULL)
    return 0;
  ensure_layout (self);
  badge = chancery_scene_badge_at (&self->scene, x, y);
  return badge != NULL ? badge->count : 0;
}

char *
chancery_timeline_get_badge_tooltip_at (ChanceryTimeline *self,
                                        double            x,
                                        double            y)
{
  const ChanceryBadge *badge;

  g_return_val_if_fail (CHANCERY_IS_TIMELINE (self), NULL);

  if (self->scene.index == NULL)
    return NULL;
  ensure_layout (self);
  badge = chancery_scene_badge_at (&self->scene, x, y);
  return badge != NULL ? badge_tooltip (self, badge) : NULL;
}

GtkPopover *
chancery_timeline_get_badge_popover (ChanceryTimeline *self)
{
  g_return_val_if_fail (CHANCERY_IS_TIMELINE (self), NULL);

  return self->badge_popover != NULL ? GTK_POPOVER (self->badge_popover) : NULL;
}

void
chancery_timeline_click_at (ChanceryTimeline *self,
                            double            x,
                            double            y)
{
  g_return_if_fail (CHANCERY_IS_TIMELINE (self));

  if (self->scene.index != NULL)
    click_at (self, x, y);
}

/* Picture export */

typedef struct
{
  int fd;
  int saved_errno;
} WriteTarget;

static cairo_status_t
write_cb (void                *closure,
          const unsigned char *data,
          unsigned int         length)
{
  WriteTarget *target = closure;

  while (length > 0)
    {
      ssize_t n = write (target->fd, data, length);

      if (n < 0)
        {
          if (errno == EINTR)
            continue;
          target->saved_errno = errno;
          return CAIRO_STATUS_WRITE_ERROR;
        }
      data += n;
      length -= (unsigned int) n;
    }

  return CAIRO_STATUS_SUCCESS;
}

static gboolean
draw_to_target (GskRenderNode *node,
                const char    *format,
                int            width,
                int            height,
                WriteTarget   *target)
{
  cairo_surface_t *surface;
  cairo_status_t status;
  cairo_t *cr;

  if (g_str_equal (format, "png"))
    surface = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, width, height);
  else if (g_str_equal (format, "svg"))
    {
      surface = cairo_svg_surface_create_for_stream (write_cb, target, width, height);
      /* Pixels, not points: --width 1600 is 1600 px wide in a browser too. */
      cairo_svg_surface_set_document_unit (surface, CAIRO_SVG_UNIT_PX);
    }
  else
    surface = cairo_pdf_surface_create_for_stream (write_cb, target, width, height);

  cr = cairo_create (surface);
  if (node != NULL)
    gsk_render_node_draw (node, cr);
  status = cairo_status (cr);
  cairo_destroy (cr);

  if (status == CAIRO_STATUS_SUCCESS && g_str_equal (format, "png"))
    status = cairo_surface_write_to_png_stream (surface, write_cb, target);
  cairo_surface_finish (surface);
  if (status == CAIRO_STATUS_SUCCESS)
    status = cairo_surface_status (surface);
  cairo_surface_destroy (surface);

  if (status != CAIRO_STATUS_SUCCESS && target->saved_errno == 0)
    target->saved_errno = status == CAIRO_STATUS_NO_MEMORY ? ENOMEM : EIO;

  return status == CAIRO_STATUS_SUCCESS;
}

/* With fit_lanes, every lane in full, as if the view were as tall as need
 * be: height is the least, and grows to what the lanes take (so no scroll
 * hint either); FALSE when that is more than MAX_RENDER_SIZE. */
static gboolean
render_offscreen (ChanceryIndex   *index,
                  double           start,
                  double           end,
                  int              width,
                  int             *height,
                  gboolean         fit_lanes,
                  gboolean         dark,
                  const char      *display_name,
                  GskRenderNode  **node,
                  GError         **error)
{
  ChanceryScene scene;
  double needed;
  PangoContext *pango;
  PangoFontDescription *font;
  cairo_font_options_t *options;
  GtkSnapshot *snapshot;

  /* Without gtk_init() (the CLI has no display), GSK registers its node
   * types when one of them is first asked for. */
  g_type_ensure (GSK_TYPE_COLOR_NODE);

  /* No widget and maybe no display: fonts straight from fontconfig. */
  pango = pango_font_map_create_context (pango_cairo_font_map_get_default ());
  pango_cairo_context_set_resolution (pango, 96);
  options = cairo_font_options_create ();
  cairo_font_options_set_hint_metrics (options, CAIRO_HINT_METRICS_OFF);
  cairo_font_options_set_antialias (options, CAIRO_ANTIALIAS_GRAY);
  pango_cairo_context_set_font_options (pango, options);
  cairo_font_options_destroy (options);
  font = pango_font_description_from_string ("Cantarell, Noto Sans, DejaVu Sans 11");
  pango_context_set_font_description (pango, font);
  pango_font_description_free (font);

  chancery_scene_init (&scene);
  chancery_palette_init (&scene.palette, dark);
  chancery_scene_set_pango (&scene, pango);
  chancery_scene_set_index (&scene, index);
  scene.start = start;
  scene.end = end;
  scene.width = width;
  scene.height = fit_lanes ? MAX_RENDER_SIZE : *height;
  scene.rtl = gtk_widget_get_default_direction () == GTK_TEXT_DIR_RTL;
  scene.show_today = FALSE;
  chancery_scene_layout (&scene);

  needed = !fit_lanes ? *height : ceil (CHANCERY_SCENE_AXIS_HEIGHT + scene.content_height);
  if (needed > MAX_RENDER_SIZE)
    {
      /* The window's export shows this: its numbers in the locale's
       * digits, as every count beside translated text. */
      g_autofree char *need = chancery_format_count ((guint) needed);
      g_autofree char *most = chancery_format_count (MAX_RENDER_SIZE);

      g_set_error (error, CHANCERY_ERROR, CHANCERY_ERROR_INVALID_INPUT,
                   /* Translators: the first and last %s are numbers of
                    * pixels, formatted for the language; the second is a
                    * file name */
                   _("The lanes of the timeline need %s pixels of height for “%s”, more than %s: filter the events or group them in fewer lanes"),
                   need, display_name, most);
      chancery_scene_clear (&scene);
      g_object_unref (pango);
      return FALSE;
    }
  *height = MAX (*height, (int) needed);
  scene.height = *height;
  chancery_scene_layout (&scene);

  snapshot = gtk_snapshot_new ();
  chancery_scene_draw (&scene, snapshot);
  *node = gtk_snapshot_free_to_node (snapshot);
  chancery_scene_clear (&scene);
  g_object_unref (pango);

  return TRUE;
}

static gboolean
render_to_file (ChanceryIndex  *index,
                double          start,
                double          end,
                int             width,
                int             height,
                gboolean        fit_lanes,
                gboolean        dark,
                const char     *format,
                const char     *path,
                GError        **error)
{
  g_autoptr(GskRenderNode) node = NULL;
  g_autofree char *display_name = NULL;
  ChanceryOutputFile file;
  WriteTarget target = { -1, 0 };
  gboolean ok;

  g_return_val_if_fail (path != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  display_name = g_filename_display_name (path);

  if (format == NULL ||
      (!g_str_equal (format, "png") && !g_str_equal (format, "svg") && !g_str_equal (format, "pdf")))
    {
      g_set_error (error, CHANCERY_ERROR, CHANCERY_ERROR_INVALID_INPUT,
                   _("Unknown picture format “%s” for “%s”: use png, svg or pdf"),
                   format != NULL ? format : "", display_name);
      return FALSE;
    }
  if (width <= 0 || height <= 0 || width > MAX_RENDER_SIZE || height > MAX_RENDER_SIZE)
    {
      g_set_error (error, CHANCERY_ERROR, CHANCERY_ERROR_INVALID_INPUT,
                   _("Picture size %d × %d for “%s” is out of range: each side must be 1 to %d pixels"),
                   width, height, display_name, MAX_RENDER_SIZE);
      return FALSE;
    }
  if (!isfinite (start) || !isfinite (end) || end <= start)
    {
      g_set_error (error, CHANCERY_ERROR, CHANCERY_ERROR_INVALID_INPUT,
                   _("The time range for “%s” is empty"), display_name);
      return FALSE;
    }

  if (!render_offscreen (index, start, end, width, &height, fit_lanes, dark, display_name, &node, error))
    return FALSE;

  if (!chancery_output_file_open (&file, path, error))
    return FALSE;
  target.fd = file.fd;

  ok = draw_to_target (node, format, width, height, &target) &&
       chancery_output_file_commit (&file, &target.saved_errno);
  chancery_output_file_abort (&file);
  g_free (file.path);

  if (!ok)
    {
      int saved = target.saved_errno != 0 ? target.saved_errno : EIO;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved),
                   _("Could not write “%s”: %s"), display_name, g_strerror (saved));
      return FALSE;
    }

  return TRUE;
}

gboolean
chancery_timeline_render_to_file (ChanceryIndex  *index,
                                  double          start,
                                  double          end,
                                  int             width,
                                  int             height,
                                  gboolean        dark,
                                  const char     *format,
                                  const char     *path,
                                  GError        **error)
{
  return render_to_file (index, start, end, width, height, FALSE, dark, format, path, error);
}

gboolean
chancery_timeline_render_lanes_to_file (ChanceryIndex  *index,
                                        double          start,
                                        double          end,
                                        int             width,
                                        int             min_height,
                                        gboolean        dark,
                                        const char     *format,
                                        const char     *path,
                                        GError        **error)
{
  return render_to_file (index, start, end, width, min_height, TRUE, dark, format, path, error);
}
