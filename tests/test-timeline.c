/* test-timeline.c: the timeline widget, its overview strip and picture export
 *
 * Copyright 2026 The Chancery developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <gtk/gtk.h>
#include <glib/gstdio.h>
#include <math.h>
#include <pango/pangocairo.h>
#include <string.h>

#include "chancery-error.h"
#include "chancery-locale.h"
#include "chancery-overview.h"
#include "chancery-timeline.h"
#include "chancery-timeline-private.h"

#define WIDTH  1000
#define HEIGHT 640

typedef struct
{
  GtkWidget     *window;
  GtkWidget     *timeline;
  GtkWidget     *overview;
  ChanceryIndex *index;
} Fixture;

static gint32
ymd (int year,
     int month,
     int day)
{
  GDate date;

  g_date_clear (&date, 1);
  g_date_set_dmy (&date, day, month, year);
  return (gint32) g_date_get_julian (&date) - 719163;
}

static gint32
month_end (int year,
           int month)
{
  return ymd (year, month, g_date_get_days_in_month (month, year));
}

typedef struct
{
  const char *title;
  gint32      lo;
  gint32      hi;
  guint       kind;
  guint       status;
  guint       precision;
  guint       flags;
  const char *lanes;    /* space-separated country codes */
} Sample;

static ChanceryIndex *
build_sample_index (void)
{
  const Sample samples[] = {
    { "Araghchi meets Bayramov in Baku", ymd (2025, 12, 8), ymd (2025, 12, 8),
      CHANCERY_KIND_MEETING, CHANCERY_STATUS_OCCURRED, CHANCERY_PRECISION_DAY, 0, "IRN AZE" },
    { "3+3 platform ministerial", ymd (2025, 10, 20), ymd (2025, 10, 21),
      CHANCERY_KIND_SUMMIT, CHANCERY_STATUS_OCCURRED, CHANCERY_PRECISION_DAY,
      CHANCERY_INDEX_RANGE, "IRN AZE ARM RUS" },
    { "Rasht–Astara railway: construction starts", ymd (2026, 1, 1), month_end (2026, 12),
      CHANCERY_KIND_MILESTONE, CHANCERY_STATUS_PLANNED, CHANCERY_PRECISION_YEAR, 0, "IRN RUS AZE" },
    { "Border talks, second round", ymd (2025, 6, 1), month_end (2025, 6),
      CHANCERY_KIND_TALKS, CHANCERY_STATUS_OCCURRED, CHANCERY_PRECISION_MONTH, 0, "ARM AZE" },
    { "Peace agreement initialled", ymd (2025, 8, 8), ymd (2025, 8, 8),
      CHANCERY_KIND_AGREEMENT, CHANCERY_STATUS_OCCURRED, CHANCERY_PRECISION_DAY, 0, "ARM AZE" },
    { "Transit corridor study published", ymd (2025, 12, 7) - 365, ymd (2025, 12, 7),
      CHANCERY_KIND_STATEMENT, CHANCERY_STATUS_REPORTED, CHANCERY_PRECISION_DAY,
      CHANCERY_INDEX_OPEN_START, "RUS" },
    { "Joint commission to convene", ymd (2025, 12, 9), ymd (2025, 12, 9) + 365,
      CHANCERY_KIND_MEETING, CHANCERY_STATUS_ANNOUNCED, CHANCERY_PRECISION_DAY,
      CHANCERY_INDEX_OPEN_END, "IRN AZE" },
    { "Presidential election", ymd (2024, 2, 7), ymd (2024, 2, 7),
      CHANCERY_KIND_ELECTION, CHANCERY_STATUS_OCCURRED, CHANCERY_PRECISION_DAY, 0, "AZE" },
    { "Shelling near the border reported", ymd (2024, 5, 14), ymd (2024, 5, 14),
      CHANCERY_KIND_INCIDENT, CHANCERY_STATUS_DISPUTED, CHANCERY_PRECISION_DAY, 0, "ARM" },
    { "Foreign minister's visit to Yerevan", ymd (2024, 10, 3), ymd (2024, 10, 4),
      CHANCERY_KIND_VISIT, CHANCERY_STATUS_OCCURRED, CHANCERY_PRECISION_DAY,
      CHANCERY_INDEX_RANGE, "IRN ARM" },
    { "Press conference after talks", ymd (2024, 10, 4), ymd (2024, 10, 4),
      CHANCERY_KIND_PRESS_CONFERENCE, CHANCERY_STATUS_OCCURRED, CHANCERY_PRECISION_DAY, 0, "IRN ARM" },
    { "Summit postponed", ymd (2025, 3, 1), month_end (2025, 3),
      CHANCERY_KIND_SUMMIT, CHANCERY_STATUS_CANCELLED, CHANCERY_PRECISION_MONTH, 0, "RUS IRN" },
    { "Gas supply memorandum", ymd (2025, 1, 15), ymd (2025, 1, 15),
      CHANCERY_KIND_AGREEMENT, CHANCERY_STATUS_OCCURRED, CHANCERY_PRECISION_DAY, 0, "RUS AZE" },
    { "Customs working group", ymd (2025, 4, 2), ymd (2025, 4, 4),
      CHANCERY_KIND_MEETING, CHANCERY_STATUS_OCCURRED, CHANCERY_PRECISION_DAY,
      CHANCERY_INDEX_RANGE, "AZE RUS" },
    { "Statement on regional security", ymd (2025, 9, 30), ymd (2025, 9, 30),
      CHANCERY_KIND_STATEMENT, CHANCERY_STATUS_OCCURRED, CHANCERY_PRECISION_DAY, 0, "RUS" },
    { "Railway section opens (approx.)", ymd (2027, 1, 1), month_end (2027, 12),
      CHANCERY_KIND_MILESTONE, CHANCERY_STATUS_PLANNED, CHANCERY_PRECISION_YEAR,
      CHANCERY_INDEX_APPROXIMATE, "IRN AZE RUS" },
    { "Deputy ministers consult", ymd (2025, 12, 8), ymd (2025, 12, 8),
      CHANCERY_KIND_TALKS, CHANCERY_STATUS_OCCURRED, CHANCERY_PRECISION_DAY, 0, "IRN" },
    { "Energy forum", ymd (2025, 12, 8), ymd (2025, 12, 10),
      CHANCERY_KIND_MEETING, CHANCERY_STATUS_OCCURRED, CHANCERY_PRECISION_DAY,
      CHANCERY_INDEX_RANGE, "IRN" },
  };
  ChanceryIndexBuilder *builder = chancery_index_builder_new (CHANCERY_GROUP_COUNTRY);
  gint64 id = 100;

  /* The samples, then fillers so the lanes are busy: a few dozen in all. */
  for (guint round = 0; round < 2; round++)
    for (guint i = 0; i < G_N_ELEMENTS (samples); i++)
      {
        const Sample *s = &samples[i];
        g_auto(GStrv) lanes = g_strsplit (s->lanes, " ", -1);
        g_autofree char *title = round == 0 ? g_strdup (s->title)
                                            : g_strdup_printf ("%s (follow-up)", s->title);
        gint32 shift = round == 0 ? 0 : 45;

        chancery_index_builder_add_raw (builder, id++, s->lo + shift, s->hi + shift, s->kind,
                                        s->status, s->precision, s->flags, title);
        for (guint l = 0; lanes[l] != NULL; l++)
          chancery_index_builder_add_to_lane (builder, lanes[l], lanes[l]);
      }

  return chancery_index_builder_finish (builder);
}

static void
wait_until_drawn (GtkWidget *widget)
{
  gint64 deadline = g_get_monotonic_time () + 5 * G_USEC_PER_SEC;

  while ((!gtk_widget_get_mapped (widget) || gtk_widget_get_width (widget) <= 1) &&
         g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, TRUE);
  while (g_main_context_pending (NULL))
    g_main_context_iteration (NULL, FALSE);
  g_assert_true (gtk_widget_get_mapped (widget));
}

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 6);

  f->index = build_sample_index ();
  f->window = gtk_window_new ();
  gtk_window_set_default_size (GTK_WINDOW (f->window), WIDTH, HEIGHT);
  f->timeline = chancery_timeline_new ();
  gtk_widget_set_vexpand (f->timeline, TRUE);
  f->overview = chancery_overview_new ();
  chancery_overview_set_timeline (CHANCERY_OVERVIEW (f->overview), CHANCERY_TIMELINE (f->timeline));
  gtk_box_append (GTK_BOX (box), f->timeline);
  gtk_box_append (GTK_BOX (box), f->overview);
  gtk_window_set_child (GTK_WINDOW (f->window), box);
  chancery_timeline_set_index (CHANCERY_TIMELINE (f->timeline), f->index);
  gtk_window_present (GTK_WINDOW (f->window));
  wait_until_drawn (f->timeline);
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  gtk_window_destroy (GTK_WINDOW (f->window));
  chancery_index_unref (f->index);
}

static double
day_under (ChanceryTimeline *timeline,
           double            x)
{
  double start, end, u, width = gtk_widget_get_width (GTK_WIDGET (timeline));

  chancery_timeline_get_view (timeline, &start, &end);
  u = gtk_widget_get_direction (GTK_WIDGET (timeline)) == GTK_TEXT_DIR_RTL ? width - x : x;
  return start + u / width * (end - start);
}

static void
test_zoom (Fixture       *f,
           gconstpointer  data)
{
  ChanceryTimeline *timeline = CHANCERY_TIMELINE (f->timeline);
  double start, end, before, after, span;

  chancery_timeline_zoom_fit (timeline);
  chancery_timeline_get_view (timeline, &start, &end);
  g_assert_cmpfloat (start, <=, f->index->min_day);
  g_assert_cmpfloat (end, >=, f->index->max_day + 1);

  before = day_under (timeline, 300);
  chancery_timeline_zoom_at (timeline, 4, 300);
  after = day_under (timeline, 300);
  g_assert_cmpfloat_with_epsilon (before, after, 1e-6);
  chancery_timeline_get_view (timeline, &start, &end);
  span = end - start;

  before = day_under (timeline, 820);
  chancery_timeline_zoom_at (timeline, 0.5, 820);
  g_assert_cmpfloat_with_epsilon (before, day_under (timeline, 820), 1e-6);
  chancery_timeline_get_view (timeline, &start, &end);
  g_assert_cmpfloat_with_epsilon (end - start, span * 2, 1e-6);

  /* Down to hours, not below the minimum. */
  chancery_timeline_zoom_at (timeline, 1e9, 500);
  chancery_timeline_get_view (timeline, &start, &end);
  g_assert_cmpfloat (end - start, >=, 1.0 / 24);
  g_assert_cmpfloat (end - start, <=, 1.0);
}

/* Zooming out keeps the day under its anchor and stops at a few times
 * the span of the events, rather than going on to years 1 to 9999 where
 * the events are a sliver. */
static void
test_zoom_out_limit (Fixture       *f,
                     gconstpointer  data)
{
  ChanceryTimeline *timeline = CHANCERY_TIMELINE (f->timeline);
  double extent = (double) f->index->max_day + 1 - f->index->min_day;
  double width = gtk_widget_get_width (f->timeline);
  double start, end, middle;

  chancery_timeline_zoom_fit (timeline);
  middle = day_under (timeline, width / 2);
  for (int i = 0; i < 40; i++)
    g_assert_true (gtk_widget_activate_action (f->timeline, "timeline.zoom-out", NULL));

  chancery_timeline_get_view (timeline, &start, &end);
  g_test_message ("events over %.0f days; view %.0f..%.0f", extent, start, end);
  g_assert_cmpfloat (end - start, <=, MAX (4 * extent, 2 * 365.25) + 1e-6);
  g_assert_cmpfloat_with_epsilon (day_under (timeline, width / 2), middle, 1e-6);
  g_assert_cmpfloat (start, <=, f->index->min_day);
  g_assert_cmpfloat (end, >=, f->index->max_day + 1);

  /* The pointer's day stays under the pointer, here too. */
  middle = day_under (timeline, 100);
  chancery_timeline_zoom_at (timeline, 1 / 1.5, 100);
  g_assert_cmpfloat_with_epsilon (day_under (timeline, 100), middle, 1e-6);
  chancery_timeline_get_view (timeline, &start, &end);
  g_assert_cmpfloat (end - start, <=, MAX (4 * extent, 2 * 365.25) + 1e-6);

  /* Zooming in comes back from it. */
  chancery_timeline_zoom_at (timeline, 1.5, width / 2);
  chancery_timeline_get_view (timeline, &start, &end);
  g_assert_cmpfloat (end - start, <, MAX (4 * extent, 2 * 365.25));
}

static void
count_cb (GObject    *object,
          GParamSpec *pspec,
          guint      *count)
{
  (*count)++;
}

static void
test_actions (Fixture       *f,
              gconstpointer  data)
{
  ChanceryTimeline *timeline = CHANCERY_TIMELINE (f->timeline);
  double start, end, span, now;
  guint notified = 0;

  g_signal_connect (timeline, "notify::view-end", G_CALLBACK (count_cb), &notified);

  g_assert_true (gtk_widget_activate_action (f->timeline, "timeline.zoom-fit", NULL));
  chancery_timeline_get_view (timeline, &start, &end);
  span = end - start;

  g_assert_true (gtk_widget_activate_action (f->timeline, "timeline.zoom-in", NULL));
  chancery_timeline_get_view (timeline, &start, &end);
  g_assert_cmpfloat_with_epsilon (end - start, span / 1.5, 1e-6);

  g_assert_true (gtk_widget_activate_action (f->timeline, "timeline.zoom-out", NULL));
  chancery_timeline_get_view (timeline, &start, &end);
  g_assert_cmpfloat_with_epsilon (end - start, span, 1e-6);

  g_assert_true (gtk_widget_activate_action (f->timeline, "timeline.pan-later", NULL));
  {
    double s2, e2;

    chancery_timeline_get_view (timeline, &s2, &e2);
    g_assert_cmpfloat (s2, >, start);
    g_assert_true (gtk_widget_activate_action (f->timeline, "timeline.pan-earlier", NULL));
    chancery_timeline_get_view (timeline, &s2, &e2);
    g_assert_cmpfloat_with_epsilon (s2, start, 1e-6);
  }

  g_assert_true (gtk_widget_activate_action (f->timeline, "timeline.go-today", NULL));
  chancery_timeline_get_view (timeline, &start, &end);
  now = chancery_scene_now ();
  g_assert_cmpfloat (fabs ((start + end) / 2 - now), <, 1.0 / 24);
  g_assert_cmpfloat_with_epsilon (end - start, span, 1e-6);

  g_assert_cmpuint (notified, >=, 4);
}

static void
activated_cb (ChanceryTimeline *timeline,
              gint64            id,
              gint64           *out)
{
  *out = id;
}

static void
test_selection (Fixture       *f,
                gconstpointer  data)
{
  ChanceryTimeline *timeline = CHANCERY_TIMELINE (f->timeline);
  ChanceryIndex *index = f->index;
  guint notified = 0;
  gint64 activated = -1;
  graphene_rect_t area;

  chancery_timeline_zoom_fit (timeline);
  g_signal_connect (timeline, "notify::selected-id", G_CALLBACK (count_cb), &notified);
  g_signal_connect (timeline, "event-activated", G_CALLBACK (activated_cb), &activated);

  g_assert_cmpint (chancery_timeline_get_selected_id (timeline), ==, -1);

  /* Next and previous go in the list's date order ("before 8 December"
   * where 8 December begins), which moves some events of this index. */
  g_assert_cmpuint (index->n_moved, >, 0);
  for (guint i = 0; i < index->n_events; i++)
    {
      guint position = chancery_index_date_order_get_position (index, i);
      g_autofree char *description = chancery_format_event_description (index, position);

      g_assert_true (gtk_widget_activate_action (f->timeline, "timeline.select-next", NULL));
      g_assert_cmpint (chancery_timeline_get_selected_id (timeline), ==, index->events[position].id);
      /* Revealed below the axis and its lane's name, which stays there. */
      if (chancery_timeline_get_event_area (timeline, index->events[position].id, &area))
        g_assert_cmpfloat (area.origin.y, >=, CHANCERY_SCENE_AXIS_HEIGHT + CHANCERY_SCENE_HEADER_HEIGHT);
      gtk_test_accessible_assert_property (GTK_ACCESSIBLE (f->timeline),
                                           GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, description);
    }
  g_assert_cmpuint (notified, ==, index->n_events);

  /* At the end, next stays put. */
  gtk_widget_activate_action (f->timeline, "timeline.select-next", NULL);
  g_assert_cmpint (chancery_timeline_get_selected_id (timeline), ==,
                   index->events[chancery_index_date_order_get_position (index, index->n_events - 1)].id);

  for (guint i = index->n_events - 1; i-- > 0;)
    {
      gtk_widget_activate_action (f->timeline, "timeline.select-previous", NULL);
      g_assert_cmpint (chancery_timeline_get_selected_id (timeline), ==,
                       index->events[chancery_index_date_order_get_position (index, i)].id);
    }

  /* Zoomed far in elsewhere, the selection is brought into view. */
  chancery_timeline_zoom_at (timeline, 300, 10);
  gtk_widget_activate_action (f->timeline, "timeline.select-last", NULL);
  {
    gint64 last = index->events[chancery_index_date_order_get_position (index, index->n_events - 1)].id;

    g_assert_cmpint (chancery_timeline_get_selected_id (timeline), ==, last);
    g_assert_true (chancery_timeline_get_event_area (timeline, last, &area));
  }

  chancery_timeline_set_selected_id (timeline, index->events[3].id);
  g_assert_cmpint (chancery_timeline_get_selected_id (timeline), ==, index->events[3].id);
  g_assert_true (gtk_widget_activate_action (f->timeline, "timeline.go-selection", NULL));
  g_assert_true (chancery_timeline_get_event_area (timeline, index->events[3].id, &area));

  g_assert_true (gtk_widget_activate_action (f->timeline, "timeline.activate", NULL));
  g_assert_cmpint (activated, ==, index->events[3].id);

  chancery_timeline_set_selected_id (timeline, 987654321);
  g_assert_cmpint (chancery_timeline_get_selected_id (timeline), ==, -1);

  /* A new index without the selected event clears the selection. */
  chancery_timeline_set_selected_id (timeline, index->events[0].id);
  {
    ChanceryIndexBuilder *builder = chancery_index_builder_new (CHANCERY_GROUP_NONE);
    g_autoptr(ChanceryIndex) other = NULL;

    chancery_index_builder_add_raw (builder, 1, ymd (2025, 1, 1), ymd (2025, 1, 1), 0, 0, 0, 0, "x");
    chancery_index_builder_add_to_lane (builder, "", NULL);
    other = chancery_index_builder_finish (builder);
    chancery_timeline_set_index (timeline, other);
    g_assert_cmpint (chancery_timeline_get_selected_id (timeline), ==, -1);
    chancery_timeline_set_index (timeline, index);
  }
}

static void
test_hit (Fixture       *f,
          gconstpointer  data)
{
  ChanceryTimeline *timeline = CHANCERY_TIMELINE (f->timeline);
  ChanceryIndex *index = f->index;
  graphene_rect_t area;
  guint found = 0;

  /* A few months around December 2025: every event there is drawn. */
  chancery_timeline_set_view (timeline, ymd (2025, 11, 1), ymd (2026, 1, 1));
  for (guint i = 0; i < index->n_events; i++)
    {
      const ChanceryIndexEvent *e = &index->events[i];
      graphene_point_t centre;

      if (e->lo < ymd (2025, 11, 5) || e->hi > ymd (2025, 12, 25))
        continue;
      g_assert_true (chancery_timeline_get_event_area (timeline, e->id, &area));
      g_assert_cmpfloat (area.size.width, >, 0);
      graphene_rect_get_center (&area, &centre);
      g_assert_cmpint (chancery_timeline_get_event_at (timeline, centre.x, centre.y), ==, e->id);
      found++;
    }
  g_assert_cmpuint (found, >=, 4);

  g_assert_cmpint (chancery_timeline_get_event_at (timeline, 5, 5), ==, -1);

  /* Out of view: no area. */
  chancery_timeline_set_view (timeline, ymd (2010, 1, 1), ymd (2010, 2, 1));
  g_assert_false (chancery_timeline_get_event_area (timeline, index->events[0].id, &area));
}

static void
set_true (gboolean *flag)
{
  *flag = TRUE;
}

/* Renders the widget as the compositor would and saves it. */
static GdkTexture *
render_widget (GtkWidget  *widget,
               const char *name)
{
  g_autoptr(GdkPaintable) paintable = gtk_widget_paintable_new (widget);
  GtkSnapshot *snapshot = gtk_snapshot_new ();
  g_autoptr(GskRenderNode) node = NULL;
  GskRenderer *renderer = gtk_native_get_renderer (gtk_widget_get_native (widget));
  GdkTexture *texture;
  g_autofree char *path = g_build_filename (g_getenv ("G_TEST_BUILDDIR") ? g_getenv ("G_TEST_BUILDDIR") : ".",
                                            name, NULL);

  gboolean drawn = FALSE;
  gint64 deadline = g_get_monotonic_time () + 5 * G_USEC_PER_SEC;

  /* The paintable shows what the widget drew in its last frame: draw one. */
  g_signal_connect_swapped (paintable, "invalidate-contents", G_CALLBACK (set_true), &drawn);
  gtk_widget_queue_draw (widget);
  while (!drawn && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, TRUE);
  g_assert_true (drawn);

  gdk_paintable_snapshot (paintable, snapshot,
                          gtk_widget_get_width (widget), gtk_widget_get_height (widget));
  node = gtk_snapshot_free_to_node (snapshot);
  g_assert_nonnull (node);
  texture = gsk_renderer_render_texture (renderer, node,
                                         &GRAPHENE_RECT_INIT (0, 0, gtk_widget_get_width (widget),
                                                              gtk_widget_get_height (widget)));
  g_assert_true (gdk_texture_save_to_png (texture, path));
  g_test_message ("rendered %s", path);
  return texture;
}

static double
texture_variance (GdkTexture *texture)
{
  int width = gdk_texture_get_width (texture), height = gdk_texture_get_height (texture);
  g_autofree guchar *data = g_malloc ((gsize) width * height * 4);
  double sum = 0, sum2 = 0;
  gsize n = (gsize) width * height;

  gdk_texture_download (texture, data, width * 4);
  for (gsize i = 0; i < n; i++)
    {
      double v = (data[i * 4] + data[i * 4 + 1] + data[i * 4 + 2]) / 3.0;

      sum += v;
      sum2 += v * v;
    }
  return sum2 / n - (sum / n) * (sum / n);
}

static void
test_render (Fixture       *f,
             gconstpointer  data)
{
  ChanceryTimeline *timeline = CHANCERY_TIMELINE (f->timeline);
  g_autoptr(GdkTexture) fit = NULL;
  g_autoptr(GdkTexture) months = NULL;
  g_autoptr(GdkTexture) days = NULL;
  g_autoptr(GdkTexture) whole = NULL;

  chancery_timeline_zoom_fit (timeline);
  chancery_timeline_set_selected_id (timeline, f->index->events[10].id);
  gtk_widget_grab_focus (f->timeline);
  fit = render_widget (f->timeline, "timeline-fit.png");
  g_assert_cmpfloat (texture_variance (fit), >, 20);

  chancery_timeline_set_view (timeline, ymd (2025, 9, 15), ymd (2026, 2, 1));
  months = render_widget (f->timeline, "timeline-months.png");
  g_assert_cmpfloat (texture_variance (months), >, 20);

  chancery_timeline_set_view (timeline, ymd (2025, 12, 5), ymd (2025, 12, 13));
  days = render_widget (f->timeline, "timeline-days.png");
  g_assert_cmpfloat (texture_variance (days), >, 20);

  chancery_timeline_zoom_fit (timeline);
  whole = render_widget (f->window, "timeline-window.png");
  g_assert_cmpfloat (texture_variance (whole), >, 20);
}

static void
test_rtl (Fixture       *f,
          gconstpointer  data)
{
  ChanceryTimeline *timeline = CHANCERY_TIMELINE (f->timeline);
  g_autoptr(GdkTexture) texture = NULL;
  graphene_rect_t area;
  double before;

  gtk_widget_set_direction (f->timeline, GTK_TEXT_DIR_RTL);
  chancery_timeline_zoom_fit (timeline);
  g_assert_true (chancery_timeline_get_event_area (timeline, f->index->events[0].id, &area));
  g_assert_cmpfloat (area.origin.x, >, gtk_widget_get_width (f->timeline) / 2.0);
  g_assert_true (chancery_timeline_get_event_area (timeline,
                                                   f->index->events[f->index->n_events - 1].id,
                                                   &area));
  g_assert_cmpfloat (area.origin.x, <, gtk_widget_get_width (f->timeline) / 2.0);

  before = day_under (timeline, 200);
  chancery_timeline_zoom_at (timeline, 3, 200);
  g_assert_cmpfloat_with_epsilon (before, day_under (timeline, 200), 1e-6);

  chancery_timeline_zoom_fit (timeline);
  texture = render_widget (f->timeline, "timeline-rtl.png");
  g_assert_cmpfloat (texture_variance (texture), >, 20);
  gtk_widget_set_direction (f->timeline, GTK_TEXT_DIR_NONE);
}

static void
test_overview (Fixture       *f,
               gconstpointer  data)
{
  ChanceryTimeline *timeline = CHANCERY_TIMELINE (f->timeline);
  g_autoptr(GdkTexture) texture = NULL;

  g_assert_true (chancery_overview_get_timeline (CHANCERY_OVERVIEW (f->overview)) == timeline);
  chancery_timeline_set_view (timeline, ymd (2025, 1, 1), ymd (2025, 6, 1));
  texture = render_widget (f->overview, "overview.png");
  g_assert_cmpfloat (texture_variance (texture), >, 5);

  chancery_overview_set_timeline (CHANCERY_OVERVIEW (f->overview), NULL);
  g_assert_null (chancery_overview_get_timeline (CHANCERY_OVERVIEW (f->overview)));
  chancery_overview_set_timeline (CHANCERY_OVERVIEW (f->overview), timeline);
}

static gboolean
textures_equal (GdkTexture *a,
                GdkTexture *b)
{
  int width = gdk_texture_get_width (a), height = gdk_texture_get_height (a);
  gsize size = (gsize) width * height * 4;
  g_autofree guchar *da = g_malloc (size);
  g_autofree guchar *db = g_malloc (size);

  if (width != gdk_texture_get_width (b) || height != gdk_texture_get_height (b))
    return FALSE;
  gdk_texture_download (a, da, width * 4);
  gdk_texture_download (b, db, width * 4);
  return memcmp (da, db, size) == 0;
}

/* The overview counts with the timeline's density: when the timeline gets
 * another index, the strip shows that one, and coming back shows the first
 * again, pixel for pixel. */
static void
test_overview_follows_index (Fixture       *f,
                             gconstpointer  data)
{
  ChanceryTimeline *timeline = CHANCERY_TIMELINE (f->timeline);
  ChanceryIndexBuilder *builder = chancery_index_builder_new (CHANCERY_GROUP_COUNTRY);
  g_autoptr(ChanceryIndex) later = NULL;
  g_autoptr(GdkTexture) first = NULL;
  g_autoptr(GdkTexture) other = NULL;
  g_autoptr(GdkTexture) back = NULL;

  for (guint i = 0; i < 40; i++)
    {
      chancery_index_builder_add_raw (builder, 1000 + i, ymd (2040, 1, 1) + i * 40, ymd (2040, 1, 1) + i * 40,
                                      CHANCERY_KIND_VISIT, CHANCERY_STATUS_OCCURRED,
                                      CHANCERY_PRECISION_DAY, 0, "later");
      chancery_index_builder_add_to_lane (builder, "AZE", "AZE");
    }
  later = chancery_index_builder_finish (builder);

  chancery_timeline_set_view (timeline, ymd (2025, 1, 1), ymd (2025, 6, 1));
  first = render_widget (f->overview, "overview-first.png");

  chancery_timeline_set_index (timeline, later);
  chancery_timeline_set_view (timeline, ymd (2025, 1, 1), ymd (2025, 6, 1));
  other = render_widget (f->overview, "overview-other.png");
  g_assert_false (textures_equal (first, other));

  chancery_timeline_set_index (timeline, f->index);
  chancery_timeline_set_view (timeline, ymd (2025, 1, 1), ymd (2025, 6, 1));
  back = render_widget (f->overview, "overview-back.png");
  g_assert_true (textures_equal (first, back));

  /* Events of one day: the strip shows a month around them, in whole
   * days (it showed the hours of two days, the day's bar half a day off). */
  {
    ChanceryIndexBuilder *one_day = chancery_index_builder_new (CHANCERY_GROUP_COUNTRY);
    g_autoptr(ChanceryIndex) day = NULL;
    double start, end;

    for (guint i = 0; i < 2; i++)
      {
        chancery_index_builder_add_raw (one_day, 2000 + i, ymd (2025, 12, 8), ymd (2025, 12, 8),
                                        CHANCERY_KIND_VISIT, CHANCERY_STATUS_OCCURRED,
                                        CHANCERY_PRECISION_DAY, 0, "one day");
        chancery_index_builder_add_to_lane (one_day, "AZE", "AZE");
      }
    day = chancery_index_builder_finish (one_day);
    chancery_timeline_set_index (timeline, day);
    chancery_overview_get_range (CHANCERY_OVERVIEW (f->overview), &start, &end);
    g_assert_cmpfloat (end - start, >=, 30);
    g_assert_cmpfloat (start, ==, floor (start));
    g_assert_cmpfloat (end, ==, floor (end));
    g_assert_cmpfloat (start, <, ymd (2025, 12, 8));
    g_assert_cmpfloat (end, >, ymd (2025, 12, 9));
    g_clear_object (&other);
    other = render_widget (f->overview, "overview-one-day.png");
  }

  /* No index: the strip is drawn without one. */
  chancery_timeline_set_index (timeline, NULL);
  g_clear_object (&other);
  other = render_widget (f->overview, "overview-none.png");
  g_assert_false (textures_equal (first, other));
  chancery_timeline_set_index (timeline, f->index);
}

/* The first widget of type under root, depth first; NULL if none. */
static GtkWidget *
find_descendant (GtkWidget *root,
                 GType      type)
{
  if (G_TYPE_CHECK_INSTANCE_TYPE (root, type))
    return root;
  for (GtkWidget *c = gtk_widget_get_first_child (root); c != NULL; c = gtk_widget_get_next_sibling (c))
    {
      GtkWidget *found = find_descendant (c, type);

      if (found != NULL)
        return found;
    }
  return NULL;
}

/* The ids the open badge list offers, in its order. */
static GArray *
badge_list_ids (ChanceryTimeline *timeline)
{
  GtkPopover *popover = chancery_timeline_get_badge_popover (timeline);
  GArray *ids = g_array_new (FALSE, FALSE, sizeof (gint64));
  GtkWidget *list;

  g_assert_nonnull (popover);
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (popover)));
  list = find_descendant (GTK_WIDGET (popover), GTK_TYPE_LIST_BOX);
  g_assert_nonnull (list);
  for (GtkWidget *row = gtk_widget_get_first_child (list); row != NULL; row = gtk_widget_get_next_sibling (row))
    {
      const gint64 *id = g_object_get_data (G_OBJECT (row), "event-id");

      g_assert_nonnull (id);
      g_array_append_val (ids, *id);
    }
  return ids;
}

/* Activates the list's row for id, as a click on it would. */
static void
activate_badge_row (ChanceryTimeline *timeline,
                    gint64            id)
{
  GtkWidget *list = find_descendant (GTK_WIDGET (chancery_timeline_get_badge_popover (timeline)),
                                     GTK_TYPE_LIST_BOX);

  for (GtkWidget *row = gtk_widget_get_first_child (list); row != NULL; row = gtk_widget_get_next_sibling (row))
    {
      if (*(const gint64 *) g_object_get_data (G_OBJECT (row), "event-id") == id)
        {
          g_signal_emit_by_name (list, "row-activated", row);
          return;
        }
    }
  g_assert_not_reached ();
}

/* The y of the badge under a lane at x, or -1. */
static double
find_badge_y (ChanceryTimeline *timeline,
              double            x,
              guint            *count)
{
  for (double y = CHANCERY_SCENE_AXIS_HEIGHT; y < gtk_widget_get_height (GTK_WIDGET (timeline)); y++)
    {
      *count = chancery_timeline_get_hidden_count_at (timeline, x, y);
      if (*count > 0)
        return y;
    }
  return -1;
}

/* Ten events on one day in one lane, in a widget too low for all of them:
 * the ones without a row show as a "+n" badge on the lane's rug, where
 * they are. No zoom splits one day: a click on the badge lists them, the
 * tooltip says so and does not send the user zooming, and each of them
 * can be selected from the list, and by keyboard. */
static void
test_badge (void)
{
  ChanceryIndexBuilder *builder = chancery_index_builder_new (CHANCERY_GROUP_COUNTRY);
  g_autoptr(ChanceryIndex) index = NULL;
  GtkWidget *window = gtk_window_new ();
  GtkWidget *widget = chancery_timeline_new ();
  ChanceryTimeline *timeline = CHANCERY_TIMELINE (widget);
  gint32 day = ymd (2025, 12, 8);
  double start, end, x, badge_y = -1, width;
  guint count = 0, shown = 0;

  for (guint i = 0; i < 10; i++)
    {
      g_autofree char *title = g_strdup_printf ("Event %u of the day", i + 1);

      chancery_index_builder_add_raw (builder, 500 + i, day, day, CHANCERY_KIND_MEETING,
                                      CHANCERY_STATUS_OCCURRED, CHANCERY_PRECISION_DAY, 0, title);
      chancery_index_builder_add_to_lane (builder, "IRN", "Iran");
    }
  index = chancery_index_builder_finish (builder);

  gtk_window_set_default_size (GTK_WINDOW (window), 600, 320);
  gtk_window_set_child (GTK_WINDOW (window), widget);
  chancery_timeline_set_index (timeline, index);
  gtk_window_present (GTK_WINDOW (window));
  wait_until_drawn (widget);
  width = gtk_widget_get_width (widget);

  for (int dir = 0; dir < 2; dir++)
    {
      /* A four-month view, then one of two hours: the same badge. */
      for (int zoom = 0; zoom < 2; zoom++)
        {
          double half = zoom == 0 ? 60 : 1.0 / 24;
          g_autofree char *tooltip = NULL;
          g_autoptr(GArray) listed = NULL;
          g_autoptr(GHashTable) hidden = g_hash_table_new (g_int64_hash, g_int64_equal);
          gint64 pick;

          gtk_widget_set_direction (widget, dir == 0 ? GTK_TEXT_DIR_LTR : GTK_TEXT_DIR_RTL);
          chancery_timeline_set_selected_id (timeline, -1);
          chancery_timeline_set_view (timeline, day + 0.5 - half, day + 0.5 + half);
          x = dir == 0 ? width / 2 : width - width / 2;

          shown = 0;
          for (guint i = 0; i < index->n_events; i++)
            {
              if (chancery_timeline_get_event_area (timeline, index->events[i].id, NULL))
                shown++;
              else
                g_hash_table_add (hidden, (gpointer) &index->events[i].id);
            }

          /* The badge is under the rows, at the day. */
          badge_y = find_badge_y (timeline, x, &count);
          g_assert_cmpfloat (badge_y, >, 0);
          g_assert_cmpuint (shown, >=, 1);
          g_assert_cmpuint (count, ==, index->n_events - shown);
          g_assert_cmpint (chancery_timeline_get_event_at (timeline, x, badge_y + 4), ==, -1);
          g_assert_cmpuint (chancery_timeline_get_hidden_count_at (timeline, x - 60, badge_y + 4), ==, 0);
          g_assert_cmpuint (chancery_timeline_get_hidden_count_at (timeline, x + 60, badge_y + 4), ==, 0);
          if (dir == 0 && zoom == 0)
            {
              g_autoptr(GdkTexture) texture = render_widget (widget, "timeline-badge.png");

              g_assert_cmpfloat (texture_variance (texture), >, 5);
            }

          /* The tooltip tells what a click does, and no zooming. */
          tooltip = chancery_timeline_get_badge_tooltip_at (timeline, x, badge_y + 4);
          g_assert_nonnull (tooltip);
          g_assert_nonnull (strstr (tooltip, "click to list them"));
          g_assert_null (strstr (tooltip, "zoom"));

          /* A click lists exactly the hidden ones, and keeps the view. */
          chancery_timeline_click_at (timeline, x, badge_y + 4);
          chancery_timeline_get_view (timeline, &start, &end);
          g_assert_cmpfloat_with_epsilon (end - start, 2 * half, 1e-9);
          g_assert_cmpint (chancery_timeline_get_selected_id (timeline), ==, -1);
          listed = badge_list_ids (timeline);
          g_assert_cmpuint (listed->len, ==, count);
          for (guint i = 0; i < listed->len; i++)
            g_assert_true (g_hash_table_contains (hidden, &g_array_index (listed, gint64, i)));
          g_assert_null (find_descendant (GTK_WIDGET (chancery_timeline_get_badge_popover (timeline)),
                                          GTK_TYPE_BUTTON));

          /* Choosing one selects it, as a click on its marker would. */
          pick = g_array_index (listed, gint64, listed->len - 1);
          activate_badge_row (timeline, pick);
          g_assert_cmpint (chancery_timeline_get_selected_id (timeline), ==, pick);
          g_assert_false (gtk_widget_get_visible (GTK_WIDGET (chancery_timeline_get_badge_popover (timeline))));
        }
    }

  /* The keyboard goes through all of them, hidden or not. */
  chancery_timeline_set_selected_id (timeline, -1);
  gtk_widget_activate_action (widget, "timeline.select-first", NULL);
  for (guint i = 0; i < index->n_events; i++)
    {
      g_assert_cmpint (chancery_timeline_get_selected_id (timeline), ==, index->events[i].id);
      gtk_widget_activate_action (widget, "timeline.select-next", NULL);
    }

  gtk_window_destroy (GTK_WINDOW (window));
}

/* Hidden events on different days (and an open-ended one, whose tick is
 * at its known start) share a badge at a wide view: zooming in would
 * spread them out, so the tooltip says so and the list offers it. */
static void
test_badge_spread (void)
{
  ChanceryIndexBuilder *builder = chancery_index_builder_new (CHANCERY_GROUP_COUNTRY);
  g_autoptr(ChanceryIndex) index = NULL;
  GtkWidget *window = gtk_window_new ();
  GtkWidget *widget = chancery_timeline_new ();
  ChanceryTimeline *timeline = CHANCERY_TIMELINE (widget);
  gint32 day = ymd (2025, 12, 8);
  g_autofree char *tooltip = NULL;
  g_autoptr(GArray) listed = NULL;
  GtkWidget *zoom;
  double start, end, x, y, width;
  guint count = 0;
  gint64 open_id = 0;

  for (guint i = 0; i < 12; i++)
    {
      gboolean open = i == 11;
      g_autofree char *title = g_strdup_printf ("Event %u", i + 1);
      /* Eight fill the rows: four on the next two days are left. */
      gint32 lo = day + (i < 8 ? 0 : i < 10 ? 1 : 2);

      if (open)
        open_id = 700 + i;
      chancery_index_builder_add_raw (builder, 700 + i, lo, open ? lo + 365 : lo, CHANCERY_KIND_MEETING,
                                      open ? CHANCERY_STATUS_PLANNED : CHANCERY_STATUS_OCCURRED,
                                      CHANCERY_PRECISION_DAY, open ? CHANCERY_INDEX_OPEN_END : 0, title);
      chancery_index_builder_add_to_lane (builder, "IRN", "Iran");
    }
  index = chancery_index_builder_finish (builder);

  gtk_window_set_default_size (GTK_WINDOW (window), 600, 320);
  gtk_window_set_child (GTK_WINDOW (window), widget);
  chancery_timeline_set_index (timeline, index);
  gtk_window_present (GTK_WINDOW (window));
  wait_until_drawn (widget);
  width = gtk_widget_get_width (widget);

  /* A year: the two days are a pixel apart. */
  chancery_timeline_set_view (timeline, day - 200, day + 200);
  x = (day + 1.5 - (day - 200)) / 400.0 * width;
  y = find_badge_y (timeline, x, &count);
  g_assert_cmpfloat (y, >, 0);
  tooltip = chancery_timeline_get_badge_tooltip_at (timeline, x, y + 4);
  g_assert_nonnull (strstr (tooltip, "click to list them or zoom in"));

  chancery_timeline_click_at (timeline, x, y + 4);
  listed = badge_list_ids (timeline);
  g_assert_cmpuint (listed->len, ==, count);
  /* The open-ended one is among them: its tick is at its start, not half
   * a year later. */
  {
    gboolean found = FALSE;

    for (guint i = 0; i < listed->len; i++)
      found |= g_array_index (listed, gint64, i) == open_id;
    g_assert_true (found || chancery_timeline_get_event_area (timeline, open_id, NULL));
  }

  zoom = find_descendant (GTK_WIDGET (chancery_timeline_get_badge_popover (timeline)), GTK_TYPE_BUTTON);
  g_assert_nonnull (zoom);
  g_signal_emit_by_name (zoom, "clicked");
  chancery_timeline_get_view (timeline, &start, &end);
  g_assert_cmpfloat (end - start, <=, 400.0 / 2 + 1e-6);
  g_assert_cmpfloat (start, <, day);
  g_assert_cmpfloat (end, >, day + 3);

  gtk_window_destroy (GTK_WINDOW (window));
}

/* An open-ended event's tick sits at its known end, and it takes a row
 * that is free from where it starts, even right after an event that ends
 * the day before. */
static void
test_open_ended (void)
{
  ChanceryIndexBuilder *builder = chancery_index_builder_new (CHANCERY_GROUP_COUNTRY);
  g_autoptr(ChanceryIndex) index = NULL;
  g_autoptr(GObject) owner = G_OBJECT (pango_font_map_create_context (pango_cairo_font_map_get_default ()));
  gint32 day = ymd (2025, 12, 9);
  ChanceryScene scene;
  gint64 id = 1;

  /* A full lane of "before 9 December", then two "after 8 December". */
  for (guint i = 0; i < 24; i++)
    {
      chancery_index_builder_add_raw (builder, id++, day - 366, day - 1, CHANCERY_KIND_VISIT,
                                      CHANCERY_STATUS_OCCURRED, CHANCERY_PRECISION_DAY,
                                      CHANCERY_INDEX_OPEN_START, "Earlier visit");
      chancery_index_builder_add_to_lane (builder, "IRN", NULL);
    }
  for (guint i = 0; i < 2; i++)
    {
      chancery_index_builder_add_raw (builder, id++, day, day + 365, CHANCERY_KIND_MEETING,
                                      CHANCERY_STATUS_PLANNED, CHANCERY_PRECISION_DAY,
                                      CHANCERY_INDEX_OPEN_END, "Upcoming meeting");
      chancery_index_builder_add_to_lane (builder, "IRN", NULL);
    }
  /* In another lane, a day full of labelled markers leaves no row. */
  for (guint i = 0; i < 24; i++)
    {
      chancery_index_builder_add_raw (builder, id++, day, day, CHANCERY_KIND_TALKS,
                                      CHANCERY_STATUS_OCCURRED, CHANCERY_PRECISION_DAY, 0, "Talks");
      chancery_index_builder_add_to_lane (builder, "AZE", NULL);
    }
  chancery_index_builder_add_raw (builder, id++, day, day + 365, CHANCERY_KIND_MEETING,
                                  CHANCERY_STATUS_PLANNED, CHANCERY_PRECISION_DAY,
                                  CHANCERY_INDEX_OPEN_END, "Upcoming meeting");
  chancery_index_builder_add_to_lane (builder, "AZE", NULL);
  index = chancery_index_builder_finish (builder);

  for (int rtl = 0; rtl < 2; rtl++)
    {
      chancery_scene_init (&scene);
      chancery_scene_set_pango (&scene, PANGO_CONTEXT (owner));
      chancery_scene_set_index (&scene, index);
      scene.width = 1200;
      scene.height = 4000;
      scene.rtl = rtl;
      scene.start = day - 400;
      scene.end = day + 500;
      chancery_scene_layout (&scene);

      for (guint i = 0; i < index->n_events; i++)
        {
          const ChanceryIndexEvent *e = &index->events[i];
          const ChanceryItem *item = chancery_scene_find_item (&scene, i, FALSE);
          float known = chancery_scene_x_at (&scene, day);

          g_assert_nonnull (item);
          if (!(e->flags & CHANCERY_INDEX_OPEN_END))
            continue;
          if (e->id <= 26)
            /* The Iran lane: a row each. */
            g_assert_cmpint (item->shape, ==, CHANCERY_SHAPE_SOFT);
          else
            {
              /* On the rug, at 9 December, not at the middle of its year. */
              g_assert_cmpint (item->shape, ==, CHANCERY_SHAPE_HIDDEN);
              g_assert_cmpfloat (fabsf (item->rect.origin.x + item->rect.size.width / 2 - known), <=, 1.5);
            }
        }
      chancery_scene_clear (&scene);
    }
}

typedef struct
{
  GskRenderNodeType type;
  graphene_rect_t   bounds;
} FlatNode;

/* The nodes under node in drawing order: containers and clips opened, and
 * transforms (how a label is placed) kept whole, with their bounds. */
static void
flatten_nodes (GskRenderNode *node,
               GArray        *out)
{
  FlatNode flat;

  if (gsk_render_node_get_node_type (node) == GSK_CONTAINER_NODE)
    {
      for (guint i = 0; i < gsk_container_node_get_n_children (node); i++)
        flatten_nodes (gsk_container_node_get_child (node, i), out);
      return;
    }
  if (gsk_render_node_get_node_type (node) == GSK_CLIP_NODE)
    {
      flatten_nodes (gsk_clip_node_get_child (node), out);
      return;
    }
  flat.type = gsk_render_node_get_node_type (node);
  gsk_render_node_get_bounds (node, &flat.bounds);
  g_array_append_val (out, flat);
}

/* A lane scrolled up under the axis keeps its name in sight, over its
 * rows: the pill under the name covers its count too, so that neither is
 * drawn over an event's label (the count was drawn outside it). */
static void
test_stuck_lane_header (void)
{
  ChanceryIndexBuilder *builder = chancery_index_builder_new (CHANCERY_GROUP_COUNTRY);
  g_autoptr(ChanceryIndex) index = NULL;
  g_autoptr(GObject) owner = G_OBJECT (pango_font_map_create_context (pango_cairo_font_map_get_default ()));
  g_autoptr(GskRenderNode) node = NULL;
  g_autoptr(GArray) flat = g_array_new (FALSE, FALSE, sizeof (FlatNode));
  gint32 day = ymd (2025, 12, 1);
  GtkSnapshot *snapshot;
  ChanceryScene scene;
  guint checked = 0;

  for (gint64 id = 1; id <= 60; id++)
    {
      chancery_index_builder_add_raw (builder, id, day + (gint32) (id % 3), day + 20, CHANCERY_KIND_TALKS,
                                      CHANCERY_STATUS_OCCURRED, CHANCERY_PRECISION_DAY,
                                      CHANCERY_INDEX_RANGE, "Agreements reached during the visits to Baku");
      chancery_index_builder_add_to_lane (builder, "IRN", "Iran");
      chancery_index_builder_add_to_lane (builder, "AZE", "Azerbaijan");
    }
  index = chancery_index_builder_finish (builder);

  for (int rtl = 0; rtl < 2; rtl++)
    {
      chancery_scene_init (&scene);
      chancery_scene_set_pango (&scene, PANGO_CONTEXT (owner));
      chancery_scene_set_index (&scene, index);
      scene.width = 900;
      scene.height = 200;
      scene.rtl = rtl;
      scene.start = day - 5;
      scene.end = day + 30;
      scene.scroll_y = 60;
      chancery_scene_layout (&scene);
      g_assert_cmpfloat (g_array_index (scene.lanes, ChanceryLaneBox, 0).y, <, CHANCERY_SCENE_AXIS_HEIGHT);

      snapshot = gtk_snapshot_new ();
      chancery_scene_draw (&scene, snapshot);
      node = gtk_snapshot_free_to_node (snapshot);
      g_array_set_size (flat, 0);
      flatten_nodes (node, flat);

      /* The pill: a filled rounded shape in the band under the axis, at
       * the start edge; then the name and the count. */
      for (guint i = 0; i + 2 < flat->len; i++)
        {
          const FlatNode *pill = &g_array_index (flat, FlatNode, i);
          const FlatNode *name = pill + 1;
          const FlatNode *count = pill + 2;
          float pill_end = pill->bounds.origin.x + pill->bounds.size.width;

          if (pill->type != GSK_BORDER_NODE ||
              pill->bounds.origin.y < CHANCERY_SCENE_AXIS_HEIGHT ||
              pill->bounds.origin.y > CHANCERY_SCENE_AXIS_HEIGHT + 4 ||
              (rtl ? pill_end < scene.width - 8 : pill->bounds.origin.x > 8))
            continue;
          g_assert_cmpint (name->type, ==, GSK_TRANSFORM_NODE);
          g_assert_cmpint (count->type, ==, GSK_TRANSFORM_NODE);
          for (const FlatNode *text = name; text <= count; text++)
            {
              g_assert_cmpfloat (text->bounds.origin.x, >=, pill->bounds.origin.x);
              g_assert_cmpfloat (text->bounds.origin.x + text->bounds.size.width, <=, pill_end);
            }
          checked++;
        }
      g_clear_pointer (&node, gsk_render_node_unref);
      chancery_scene_clear (&scene);
    }
  g_assert_cmpuint (checked, ==, 2);
}

/* Planned bars with an uncertain end: open-ended (fading out) and of a
 * year (fading both ways); with_open_start adds one that happened, with
 * an open start (no dashes). Untitled, so no label covers them. */
static ChanceryIndex *
build_fading_index (gboolean with_open_start)
{
  ChanceryIndexBuilder *builder = chancery_index_builder_new (CHANCERY_GROUP_COUNTRY);
  gint32 day = ymd (2025, 12, 9);

  chancery_index_builder_add_raw (builder, 1, day, day + 365, CHANCERY_KIND_MEETING,
                                  CHANCERY_STATUS_PLANNED, CHANCERY_PRECISION_DAY,
                                  CHANCERY_INDEX_OPEN_END, "");
  chancery_index_builder_add_to_lane (builder, "IRN", NULL);
  chancery_index_builder_add_raw (builder, 2, ymd (2026, 1, 1), ymd (2026, 12, 31), CHANCERY_KIND_MILESTONE,
                                  CHANCERY_STATUS_PLANNED, CHANCERY_PRECISION_YEAR, 0, "");
  chancery_index_builder_add_to_lane (builder, "AZE", NULL);
  if (with_open_start)
    {
      chancery_index_builder_add_raw (builder, 3, day - 365, day + 200, CHANCERY_KIND_AGREEMENT,
                                      CHANCERY_STATUS_OCCURRED, CHANCERY_PRECISION_DAY,
                                      CHANCERY_INDEX_OPEN_START, "");
      chancery_index_builder_add_to_lane (builder, "RUS", NULL);
    }
  return chancery_index_builder_finish (builder);
}

/* The scene laid out, drawn and rendered with Cairo; its nodes, serialized,
 * in *serialized when not NULL. */
static cairo_surface_t *
render_scene (ChanceryScene *scene,
              GBytes       **serialized)
{
  GtkSnapshot *snapshot = gtk_snapshot_new ();
  g_autoptr(GskRenderNode) node = NULL;
  cairo_surface_t *surface = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, (int) scene->width,
                                                         (int) scene->height);
  cairo_t *cr = cairo_create (surface);

  chancery_scene_layout (scene);
  chancery_scene_draw (scene, snapshot);
  node = gtk_snapshot_free_to_node (snapshot);
  gsk_render_node_draw (node, cr);
  cairo_destroy (cr);
  cairo_surface_flush (surface);
  if (serialized != NULL)
    *serialized = gsk_render_node_serialize (node);
  return surface;
}

/* Planned bars with an uncertain end (open-ended, or of a year) fade
 * there, outline and all: the dashes grow as faint as the fill, in light
 * and dark, left to right and right to left. */
static void
test_fading_outline (void)
{
  g_autoptr(ChanceryIndex) index = build_fading_index (FALSE);
  g_autoptr(GObject) owner = G_OBJECT (pango_font_map_create_context (pango_cairo_font_map_get_default ()));
  gint32 day = ymd (2025, 12, 9);

  for (int variant = 0; variant < 4; variant++)
    {
      gboolean rtl = variant & 1, dark = variant & 2;
      ChanceryScene scene;
      cairo_surface_t *surface;

      chancery_scene_init (&scene);
      chancery_scene_set_pango (&scene, PANGO_CONTEXT (owner));
      chancery_scene_set_index (&scene, index);
      chancery_palette_init (&scene.palette, dark);
      scene.show_today = FALSE;
      scene.width = 1000;
      scene.height = 400;
      scene.rtl = rtl;
      scene.start = day - 60;
      scene.end = day + 440;
      surface = render_scene (&scene, NULL);

      for (guint i = 0; i < index->n_events; i++)
        {
          const ChanceryItem *item = chancery_scene_find_item (&scene, i, FALSE);
          const ChanceryIndexEvent *e = &index->events[i];
          const guint8 *data = cairo_image_surface_get_data (surface);
          int stride = cairo_image_surface_get_stride (surface);
          /* The top dashes, and a row of the fill just under them. */
          int y = (int) item->rect.origin.y, under = y + 4;
          float firm_x = chancery_scene_x_at (&scene, (e->flags & CHANCERY_INDEX_OPEN_END)
                                                      ? e->lo + 10 : (e->lo + e->hi + 1) / 2.0);
          float loose_x = chancery_scene_x_at (&scene, e->hi - 4);
          float contrast[2];

          g_assert_cmpint (item->shape, ==, CHANCERY_SHAPE_SOFT);
          /* Over one dash period: how far the dashes stand out from the fill. */
          for (int k = 0; k < 2; k++)
            {
              int x0 = (int) (k == 0 ? firm_x : loose_x) - 4;

              contrast[k] = 0;
              for (int x = x0; x < x0 + 8; x++)
                for (int c = 0; c < 3; c++)
                  contrast[k] = MAX (contrast[k], abs (data[y * stride + 4 * x + c] -
                                                       data[under * stride + 4 * x + c]));
            }
          g_assert_cmpfloat (contrast[0], >, 40);
          g_assert_cmpfloat (contrast[1], <, contrast[0] * 0.3f);
        }

      cairo_surface_destroy (surface);
      chancery_scene_clear (&scene);
    }
}

/* Picture export */

static char *
build_path (const char *name)
{
  return g_build_filename (g_getenv ("G_TEST_BUILDDIR") ? g_getenv ("G_TEST_BUILDDIR") : ".",
                           name, NULL);
}

static void
assert_magic (const char *path,
              const char *magic,
              gsize       length)
{
  g_autofree char *contents = NULL;
  gsize size;

  g_assert_true (g_file_get_contents (path, &contents, &size, NULL));
  g_assert_cmpuint (size, >, length);
  g_assert_cmpmem (contents, length, magic, length);
}

static void
render_files (ChanceryIndex *index)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *png = build_path ("export-light.png");
  g_autofree char *png_dark = build_path ("export-dark.png");
  g_autofree char *svg = build_path ("export.svg");
  g_autofree char *pdf = build_path ("export.pdf");
  double start = index->min_day - 20, end = index->max_day + 80;

  g_assert_true (chancery_timeline_render_to_file (index, start, end, 1200, 520, FALSE, "png", png, &error));
  g_assert_no_error (error);
  assert_magic (png, "\x89PNG\r\n\x1a\n", 8);
  g_assert_true (chancery_timeline_render_to_file (index, start, end, 1200, 520, TRUE, "png", png_dark, &error));
  assert_magic (png_dark, "\x89PNG", 4);
  g_assert_true (chancery_timeline_render_to_file (index, start, end, 1200, 520, FALSE, "svg", svg, &error));
  g_assert_no_error (error);
  assert_magic (svg, "<?xml", 5);
  g_assert_true (chancery_timeline_render_to_file (index, start, end, 1200, 520, FALSE, "pdf", pdf, &error));
  g_assert_no_error (error);
  assert_magic (pdf, "%PDF-", 5);
}

static void
test_export (void)
{
  g_autoptr(ChanceryIndex) index = build_sample_index ();
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("chancery-export-XXXXXX", NULL);
  g_autofree char *path = g_build_filename (dir, "picture.png", NULL);
  g_autofree char *missing = g_build_filename (dir, "no-such-dir", "picture.png", NULL);
  g_autofree char *contents = NULL;
  g_autoptr(GDir) listing = NULL;
  guint n_files = 0;

  render_files (index);

  g_assert_true (g_file_set_contents (path, "keep me", -1, NULL));

  g_assert_false (chancery_timeline_render_to_file (index, 0, 100, 800, 400, FALSE, "gif", path, &error));
  g_assert_error (error, CHANCERY_ERROR, CHANCERY_ERROR_INVALID_INPUT);
  g_clear_error (&error);
  g_assert_false (chancery_timeline_render_to_file (index, 0, 100, 0, 400, FALSE, "png", path, &error));
  g_assert_error (error, CHANCERY_ERROR, CHANCERY_ERROR_INVALID_INPUT);
  g_clear_error (&error);
  g_assert_false (chancery_timeline_render_to_file (index, 0, 100, 800, 20001, FALSE, "png", path, &error));
  g_assert_error (error, CHANCERY_ERROR, CHANCERY_ERROR_INVALID_INPUT);
  g_clear_error (&error);
  g_assert_false (chancery_timeline_render_to_file (index, 0, 100, -5, 400, FALSE, "svg", path, &error));
  g_assert_error (error, CHANCERY_ERROR, CHANCERY_ERROR_INVALID_INPUT);
  g_clear_error (&error);

  g_assert_false (chancery_timeline_render_to_file (index, 0, 100, 800, 400, FALSE, "png", missing, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
  g_assert_nonnull (strstr (error->message, "picture.png"));
  g_clear_error (&error);

  g_assert_true (g_file_get_contents (path, &contents, NULL, NULL));
  g_assert_cmpstr (contents, ==, "keep me");

  /* A good render replaces it, leaving no temporary file behind. */
  g_assert_true (chancery_timeline_render_to_file (index, 0, 100, 300, 200, FALSE, "png", path, &error));
  g_assert_no_error (error);
  assert_magic (path, "\x89PNG", 4);
  listing = g_dir_open (dir, 0, NULL);
  while (g_dir_read_name (listing) != NULL)
    n_files++;
  g_assert_cmpuint (n_files, ==, 1);

  g_unlink (path);
  g_rmdir (dir);
}

static gboolean
has_persian_digit (const char *text)
{
  for (const char *p = text; *p != '\0'; p = g_utf8_next_char (p))
    if (g_utf8_get_char (p) >= 0x06F0 && g_utf8_get_char (p) <= 0x06F9)
      return TRUE;
  return FALSE;
}

/* The window's export says when the lanes would make a picture too tall,
 * with its numbers in the digits of the rest of the window: Persian ones
 * in Persian, never "%.0f" and "%d" in Latin digits beside them. */
static void
test_export_too_tall (void)
{
  ChanceryIndexBuilder *builder = chancery_index_builder_new (CHANCERY_GROUP_COUNTRY);
  g_autoptr(ChanceryIndex) index = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("chancery-export-XXXXXX", NULL);
  g_autofree char *path = g_build_filename (dir, "tall.png", NULL);
  g_autofree char *limit = NULL;
  const char *need;
  gunichar first_digit;
  gint32 day = ymd (2025, 12, 8);

  /* A thousand lanes of one event each: far taller than 20,000 pixels. */
  for (guint i = 0; i < 1000; i++)
    {
      g_autofree char *code = g_strdup_printf ("L%04u", i);

      chancery_index_builder_add_raw (builder, i + 1, day, day, CHANCERY_KIND_MEETING,
                                      CHANCERY_STATUS_OCCURRED, CHANCERY_PRECISION_DAY, 0, "Meeting");
      chancery_index_builder_add_to_lane (builder, code, code);
    }
  index = chancery_index_builder_finish (builder);

  g_setenv ("LANGUAGE", "fa_IR", TRUE);
  limit = chancery_format_count (20000);
  g_assert_true (has_persian_digit (limit));
  g_assert_false (chancery_timeline_render_lanes_to_file (index, day - 10, day + 10, 800, 400, FALSE,
                                                          "png", path, &error));
  g_unsetenv ("LANGUAGE");

  g_assert_error (error, CHANCERY_ERROR, CHANCERY_ERROR_INVALID_INPUT);
  g_test_message ("%s", error->message);
  need = strstr (error->message, "need ");
  g_assert_nonnull (need);
  first_digit = g_utf8_get_char (need + strlen ("need "));
  g_assert_true (first_digit >= 0x06F0 && first_digit <= 0x06F9);
  g_assert_nonnull (strstr (error->message, limit));
  g_assert_false (g_file_test (path, G_FILE_TEST_EXISTS));
  g_rmdir (dir);
}

/* The CLI renders pictures without a display. */
static void
test_export_no_display (void)
{
  if (g_test_subprocess ())
    {
      g_autoptr(ChanceryIndex) index = build_sample_index ();
      g_autoptr(GError) error = NULL;
      g_autofree char *path = build_path ("export-no-display.png");

      g_assert_null (g_getenv ("DISPLAY"));
      g_assert_true (chancery_timeline_render_to_file (index, index->min_day, index->max_day + 30,
                                                       640, 360, FALSE, "png", path, &error));
      g_assert_no_error (error);
      assert_magic (path, "\x89PNG", 4);
      return;
    }

  {
    g_autofree char *display = g_strdup (g_getenv ("DISPLAY"));
    g_autofree char *wayland = g_strdup (g_getenv ("WAYLAND_DISPLAY"));

    g_unsetenv ("DISPLAY");
    g_unsetenv ("WAYLAND_DISPLAY");
    g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
    if (display != NULL)
      g_setenv ("DISPLAY", display, TRUE);
    if (wayland != NULL)
      g_setenv ("WAYLAND_DISPLAY", wayland, TRUE);
    g_test_trap_assert_passed ();
  }
}

/* Frame cost at 1,000,000 events: printed, never asserted. */
static int
compare_doubles (gconstpointer a,
                 gconstpointer b)
{
  double x = *(const double *) a, y = *(const double *) b;

  return x < y ? -1 : x > y;
}

/* Culling by span class: in a busy lane, events that started long before a
 * one-day view but run across it are still laid out; those that ended
 * before it are not, and neither are the short ones around it. */
static void
test_long_events (void)
{
  ChanceryIndexBuilder *builder = chancery_index_builder_new (CHANCERY_GROUP_COUNTRY);
  g_autoptr(ChanceryIndex) index = NULL;
  g_autoptr(GObject) pango = (GObject *) pango_font_map_create_context (pango_cairo_font_map_get_default ());
  gint32 day = ymd (2020, 6, 15);
  struct { gint32 lo, hi; guint precision, flags; gboolean shown; } longs[] = {
    { day - 300, day - 300 + 365, CHANCERY_PRECISION_DAY, CHANCERY_INDEX_OPEN_END, TRUE },
    { ymd (2020, 1, 1), ymd (2020, 12, 31), CHANCERY_PRECISION_YEAR, 0, TRUE },
    { ymd (2012, 3, 1), ymd (2024, 3, 1), CHANCERY_PRECISION_DAY, CHANCERY_INDEX_RANGE, TRUE },
    { day - 5, day, CHANCERY_PRECISION_DAY, CHANCERY_INDEX_RANGE, TRUE },
    { day - 110, day - 10, CHANCERY_PRECISION_DAY, CHANCERY_INDEX_RANGE, FALSE },
    { day + 3, day + 3 + 365, CHANCERY_PRECISION_DAY, CHANCERY_INDEX_OPEN_END, FALSE },
  };
  gint64 long_ids[G_N_ELEMENTS (longs)];
  ChanceryScene scene;
  guint n_short = 0;
  gint64 id = 1;

  /* 40 one-day events a day for a year before the view and after it: a
   * walk back by the longest span would cross ~15,000 of them. */
  for (gint32 d = day - 400; d <= day + 30; d++)
    {
      for (guint k = 0; k < 40; k++)
        {
          chancery_index_builder_add_raw (builder, id++, d, d, CHANCERY_KIND_MEETING,
                                          CHANCERY_STATUS_OCCURRED, CHANCERY_PRECISION_DAY, 0,
                                          "Short meeting");
          chancery_index_builder_add_to_lane (builder, "AZE", NULL);
        }
      if (d == day)
        n_short = 40;
    }
  for (guint i = 0; i < G_N_ELEMENTS (longs); i++)
    {
      long_ids[i] = id;
      chancery_index_builder_add_raw (builder, id++, longs[i].lo, longs[i].hi,
                                      CHANCERY_KIND_TALKS, CHANCERY_STATUS_OCCURRED,
                                      longs[i].precision, longs[i].flags, "Long talks");
      chancery_index_builder_add_to_lane (builder, "AZE", NULL);
    }
  index = chancery_index_builder_finish (builder);

  chancery_scene_init (&scene);
  chancery_scene_set_index (&scene, index);
  chancery_scene_set_pango (&scene, PANGO_CONTEXT (pango));
  scene.width = 1200;
  scene.height = 2000;
  scene.start = day;
  scene.end = day + 1;
  chancery_scene_layout (&scene);

  g_assert_cmpuint (scene.lanes->len, ==, 1);
  g_assert_false (g_array_index (scene.lanes, ChanceryLaneBox, 0).dense);
  for (guint i = 0; i < G_N_ELEMENTS (longs); i++)
    {
      guint position = chancery_index_find_id (index, long_ids[i]);
      const ChanceryItem *item = chancery_scene_find_item (&scene, position, FALSE);

      g_assert_cmpuint (position, !=, G_MAXUINT);
      if (longs[i].shown)
        {
          g_assert_nonnull (item);
          /* Across the view, or up to its end. */
          g_assert_cmpfloat (item->rect.origin.x, <=, 1);
        }
      else
        g_assert_null (item);
    }
  /* The four long ones and the short ones of the day and of the two days
   * that touch its edges (bars ending or starting there); nothing from the
   * year before. */
  g_assert_cmpuint (scene.items->len, ==, 3 * n_short + 4);

  chancery_scene_clear (&scene);
}

/* Label cache */

static GBytes *
draw_scene (ChanceryScene *scene)
{
  GtkSnapshot *snapshot = gtk_snapshot_new ();
  g_autoptr(GskRenderNode) node = NULL;

  chancery_scene_layout (scene);
  chancery_scene_draw (scene, snapshot);
  node = gtk_snapshot_free_to_node (snapshot);
  g_assert_nonnull (node);
  return gsk_render_node_serialize (node);
}

/* What a scene that never drew before draws for the same view. */
static GBytes *
draw_fresh (ChanceryIndex *index,
            PangoContext  *pango,
            const ChanceryScene *like)
{
  ChanceryScene scene;
  GBytes *bytes;

  chancery_scene_init (&scene);
  chancery_scene_set_pango (&scene, pango);
  chancery_scene_set_index (&scene, index);
  scene.palette = like->palette;
  scene.start = like->start;
  scene.end = like->end;
  scene.width = like->width;
  scene.height = like->height;
  scene.rtl = like->rtl;
  scene.show_today = FALSE;
  bytes = draw_scene (&scene);
  chancery_scene_clear (&scene);
  return bytes;
}

static void
assert_same_as_fresh (ChanceryScene *scene,
                      ChanceryIndex *index,
                      PangoContext  *pango)
{
  g_autoptr(GBytes) cached = draw_scene (scene);
  g_autoptr(GBytes) fresh = draw_fresh (index, pango, scene);

  g_assert_true (g_bytes_equal (cached, fresh));
}

static gboolean
bytes_contain (GBytes     *bytes,
               const char *needle)
{
  gsize len;
  const char *data = g_bytes_get_data (bytes, &len);

  return g_strstr_len (data, (gssize) len, needle) != NULL;
}

/* Labels keep their glyph nodes across frames: after each change a scene
 * that has drawn before draws exactly what a new one draws (no label in
 * the old colour, width, font or direction). */
static void
test_label_cache (void)
{
  g_autoptr(ChanceryIndex) index = build_sample_index ();
  g_autoptr(GObject) owner = G_OBJECT (pango_font_map_create_context (pango_cairo_font_map_get_default ()));
  PangoContext *pango = PANGO_CONTEXT (owner);
  g_autoptr(PangoFontDescription) font = pango_font_description_from_string ("Cantarell, Noto Sans, DejaVu Sans 11");
  g_autoptr(PangoFontDescription) big = pango_font_description_from_string ("Cantarell, Noto Sans, DejaVu Sans 15");
  g_autoptr(GBytes) light = NULL;
  g_autoptr(GBytes) dark = NULL;
  g_autofree char *dark_text = NULL;
  ChanceryScene scene;
  double start = ymd (2025, 9, 1), end = ymd (2026, 1, 31);

  pango_context_set_font_description (pango, font);
  chancery_scene_init (&scene);
  chancery_scene_set_pango (&scene, pango);
  chancery_scene_set_index (&scene, index);
  scene.show_today = FALSE;
  scene.start = start;
  scene.end = end;
  scene.width = 1000;
  scene.height = 600;

  /* Panning: labels move, some are cut at the edges. */
  for (int step = 0; step < 12; step++)
    {
      scene.start = start + step * 9.5;
      scene.end = end + step * 9.5;
      assert_same_as_fresh (&scene, index, pango);
    }

  /* Theme: every label changes colour. */
  light = draw_scene (&scene);
  chancery_palette_init (&scene.palette, TRUE);
  dark = draw_scene (&scene);
  assert_same_as_fresh (&scene, index, pango);
  g_assert_false (g_bytes_equal (light, dark));
  {
    ChanceryPalette light_palette;
    g_autofree char *light_rgb = NULL;
    g_autofree char *dark_rgb = NULL;

    chancery_palette_init (&light_palette, FALSE);
    /* Labels are in the foreground colour, as text nodes name it. */
    light_rgb = gdk_rgba_to_string (&light_palette.foreground);
    dark_rgb = gdk_rgba_to_string (&scene.palette.foreground);
    dark_text = g_strdup_printf ("color: %s;", dark_rgb);
    g_assert_true (bytes_contain (light, light_rgb));
    g_assert_false (bytes_contain (dark, light_rgb));
    g_assert_true (bytes_contain (dark, dark_text));
  }
  chancery_palette_init (&scene.palette, FALSE);
  assert_same_as_fresh (&scene, index, pango);

  /* Zoom in and out: labels get other widths, are cut or whole again. */
  scene.start = ymd (2025, 12, 1);
  scene.end = ymd (2025, 12, 20);
  assert_same_as_fresh (&scene, index, pango);
  scene.width = 420;
  assert_same_as_fresh (&scene, index, pango);
  scene.width = 1000;
  scene.start = ymd (2024, 1, 1);
  scene.end = ymd (2027, 12, 31);
  assert_same_as_fresh (&scene, index, pango);

  /* Direction: right to left, as the widget sets it on the context. */
  pango_context_set_base_dir (pango, PANGO_DIRECTION_RTL);
  scene.rtl = TRUE;
  assert_same_as_fresh (&scene, index, pango);
  pango_context_set_base_dir (pango, PANGO_DIRECTION_LTR);
  scene.rtl = FALSE;
  assert_same_as_fresh (&scene, index, pango);

  /* Font: a larger one (text scale), given as the widget gives it. */
  pango_context_set_font_description (pango, big);
  chancery_scene_set_pango (&scene, pango);
  assert_same_as_fresh (&scene, index, pango);

  chancery_scene_clear (&scene);
}

/* An ellipsized label shapes only a prefix of its title: drawn, it is
 * the whole title ellipsized, pixel for pixel, at every width, for Latin,
 * Cyrillic, mixed and right-to-left titles. */
static void
test_label_prefix (void)
{
  const char *titles[] = {
    "Talks between Bapazo Yanhuham and Shita Nyankaryan in Ashgabat 548 on the Astana–Meghri gas pipeline",
    "Встреча Lavabmam Niklipa и Geizo Ghsa в Ankara 355: стороны обсудили ход реализации проекта «Tabriz–Tehran transit corridor»",
    "Ilser Radachi meets وزیر امور خارجه in Ganja 493 to discuss the Astana–Gyumri gas pipeline and the 3+3 consultations",
    "دیدار Lavabmam Niklipa با Zonyan Lavgei در Ankara 484؛ گفتگو درباره Astana–Meghri gas pipeline و همکاری‌های منطقه‌ای",
    "Press conference of شکیان عریانمس in Ankara 484, 3+3 «talks» on the Astana–Meghri gas pipeline",
    "Встреча شکدالمس یفقا 1404 и Zonyan Lavgei в Baku: $5, (12) «Tabriz–Tehran» и همکاری‌ها и Ganja 493",
    "Talks (وزیر امور خارجه!) and Ilser Radachi – «دیدار» 12.5% then Ashgabat, Ganja, Baku and Tbilisi 2026",
    "شکیان عریانمس meets Ablihu Ramirshi in Yerevan 28 برای گفتگو درباره خط لوله گاز Tehran–Astara، کریدورهای ترانزیتی (3+3) و دور بعدی رایزنی‌ها",
    "نشست خبری پس از دیدار با вдова Ильина в Казани 330: پرسش‌ها درباره خط لوله Yerevan–Tbilisi و تحریم‌ها ۱۴۰۴ «مهم»",
    "Talks between شکیان عربانمس and ваБо ковр in 475 تبریز on the Istanbul–Gyumri gas pipeline end without a joint statement; both sides described",
    "Meeting of وزیر ۱۴۰۴ (12) and Ilser Radachi, «دیدار» 3+3, then talks in Baku on the Astana–Meghri gas pipeline and customs",
    "Short",
  };
  g_autoptr(GObject) owner = G_OBJECT (pango_font_map_create_context (pango_cairo_font_map_get_default ()));
  PangoContext *pango = PANGO_CONTEXT (owner);
  g_autoptr(PangoFontDescription) font = pango_font_description_from_string ("Cantarell, Noto Sans, DejaVu Sans 10");
  guint cut = 0, cut_after_rtl = 0;

  pango_context_set_font_description (pango, font);
  for (guint t = 0; t < G_N_ELEMENTS (titles); t++)
    {
      g_autoptr(GObject) natural_owner = G_OBJECT (pango_layout_new (pango));
      PangoLayout *natural = PANGO_LAYOUT (natural_owner);
      int natural_width;

      pango_layout_set_single_paragraph_mode (natural, TRUE);
      pango_layout_set_ellipsize (natural, PANGO_ELLIPSIZE_END);
      pango_layout_set_text (natural, titles[t], -1);
      pango_layout_get_pixel_size (natural, &natural_width, NULL);

      for (int w = 12; w < natural_width + 20; w += 1)
        {
          g_autoptr(GObject) whole_owner = G_OBJECT (pango_layout_copy (natural));
          g_autoptr(GObject) part_owner = G_OBJECT (pango_layout_copy (natural));
          PangoLayout *whole = PANGO_LAYOUT (whole_owner), *part = PANGO_LAYOUT (part_owner);
          gsize end = chancery_text_prefix_for_width (natural, w);
          cairo_surface_t *a = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, natural_width + 40, 40);
          cairo_surface_t *b = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, natural_width + 40, 40);
          cairo_t *cr;
          int wa, wb;

          g_assert_cmpuint (end, <=, strlen (titles[t]));
          g_assert_true (g_utf8_validate (titles[t], (gssize) end, NULL));
          if (end < strlen (titles[t]))
            {
              cut++;
              for (const char *c = titles[t]; c < titles[t] + end; c = g_utf8_next_char (c))
                if (g_unichar_get_script (g_utf8_get_char (c)) == G_UNICODE_SCRIPT_ARABIC)
                  {
                    cut_after_rtl++;
                    break;
                  }
            }
          pango_layout_set_width (whole, w * PANGO_SCALE);
          pango_layout_set_text (part, titles[t], (int) end);
          pango_layout_set_width (part, w * PANGO_SCALE);
          pango_layout_get_pixel_size (whole, &wa, NULL);
          pango_layout_get_pixel_size (part, &wb, NULL);
          g_assert_cmpint (wa, ==, wb);

          cr = cairo_create (a);
          pango_cairo_show_layout (cr, whole);
          cairo_destroy (cr);
          cr = cairo_create (b);
          pango_cairo_show_layout (cr, part);
          cairo_destroy (cr);
          cairo_surface_flush (a);
          cairo_surface_flush (b);
          g_assert_cmpint (memcmp (cairo_image_surface_get_data (a), cairo_image_surface_get_data (b),
                                   (size_t) cairo_image_surface_get_stride (a) * 40), ==, 0);
          cairo_surface_destroy (a);
          cairo_surface_destroy (b);
        }
    }
  /* The prefix is used (left-to-right titles cut short), not always the
   * whole; also when the cut follows right-to-left text in a left-to-right
   * title. */
  g_assert_cmpuint (cut, >, 20);
  g_assert_cmpuint (cut_after_rtl, >, 20);
}

/* Rug ticks on one spot are one rectangle, whose colour is all of them
 * composited in order: with n ticks of opacity a, 1 - (1 - a)^n. */
static void
test_stacked_ticks (void)
{
  ChanceryIndexBuilder *builder = chancery_index_builder_new (CHANCERY_GROUP_COUNTRY);
  g_autoptr(ChanceryIndex) index = NULL;
  g_autoptr(GObject) owner = G_OBJECT (pango_font_map_create_context (pango_cairo_font_map_get_default ()));
  PangoContext *pango = PANGO_CONTEXT (owner);
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GHashTable) spots = g_hash_table_new (NULL, NULL);
  g_auto(GStrv) lines = NULL;
  gint32 day = ymd (2020, 6, 15);
  ChanceryScene scene;
  guint n_ticks = 0, n_nodes = 0, max_stack = 0;
  gint64 id = 1;

  /* 300 events over a whole year: across a one-week view they all sit in
   * its middle, and only a few get rows. */
  for (guint k = 0; k < 300; k++)
    {
      chancery_index_builder_add_raw (builder, id++, day - 180 - (gint32) k % 7, day + 180 + (gint32) k % 5,
                                      CHANCERY_KIND_MEETING, CHANCERY_STATUS_OCCURRED,
                                      CHANCERY_PRECISION_DAY, CHANCERY_INDEX_RANGE, "Year-long talks");
      chancery_index_builder_add_to_lane (builder, "AZE", NULL);
    }
  index = chancery_index_builder_finish (builder);

  chancery_scene_init (&scene);
  chancery_scene_set_pango (&scene, pango);
  chancery_scene_set_index (&scene, index);
  scene.show_today = FALSE;
  scene.width = 800;
  scene.height = 2000;
  scene.start = day - 3;
  scene.end = day + 4;
  bytes = draw_scene (&scene);

  for (guint i = 0; i < scene.items->len; i++)
    {
      const ChanceryItem *item = &g_array_index (scene.items, ChanceryItem, i);
      gpointer key = GINT_TO_POINTER ((int) item->rect.origin.x + 1);
      guint n;

      if (item->shape != CHANCERY_SHAPE_HIDDEN)
        continue;
      n_ticks++;
      n = GPOINTER_TO_UINT (g_hash_table_lookup (spots, key)) + 1;
      g_hash_table_insert (spots, key, GUINT_TO_POINTER (n));
      max_stack = MAX (max_stack, n);
    }
  g_assert_cmpuint (n_ticks, >, 200);
  g_assert_cmpuint (max_stack, >, 100);

  /* Colour nodes the size of a tick: one per spot. */
  lines = g_strsplit (g_bytes_get_data (bytes, NULL), "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      if (strstr (lines[i], "color {") == NULL || lines[i + 1] == NULL || lines[i + 2] == NULL)
        continue;
      if (g_str_has_suffix (lines[i + 1], " 2 4;") || g_str_has_suffix (lines[i + 2], " 2 4;"))
        {
          const char *color = strstr (lines[i + 1], "color:") ? lines[i + 1] : lines[i + 2];

          n_nodes++;
          /* Over 100 ticks of alpha 0.7 make the kind's colour, opaque
           * ("rgb", not "rgba"). */
          if (strstr (color, "color:") != NULL)
            g_assert_nonnull (strstr (color, "color: rgb("));
        }
    }
  g_assert_cmpuint (n_nodes, ==, g_hash_table_size (spots));

  chancery_scene_clear (&scene);
}

static void
test_million (gconstpointer data)
{
  guint n_lanes = GPOINTER_TO_UINT (data);
  ChanceryIndexBuilder *builder = chancery_index_builder_new (CHANCERY_GROUP_COUNTRY);
  g_autoptr(ChanceryIndex) index = NULL;
  g_autoptr(GPtrArray) lanes = g_ptr_array_new_with_free_func (g_free);
  GtkWidget *window, *widget;
  ChanceryTimeline *timeline;
  gint64 t0 = g_get_monotonic_time ();
  guint32 seed = 12345;
  const double spans[] = { 0, 3650, 365, 30, 7, 1, 0.125 };
  const guint n_events = 1000000;

  for (guint l = 0; l < n_lanes; l++)
    g_ptr_array_add (lanes, g_strdup_printf ("Lane %u", l + 1));

  for (guint i = 0; i < n_events; i++)
    {
      gint32 lo, hi;
      guint precision = 0, flags = 0;

      seed = seed * 1664525 + 1013904223;
      lo = ymd (1995, 1, 1) + (gint32) (seed % 11000);
      hi = lo;
      if (seed % 97 == 0)
        hi = lo + (gint32) (seed % 13);
      if (seed % 211 == 0)
        {
          precision = CHANCERY_PRECISION_MONTH;
          hi = lo + 29;
        }
      chancery_index_builder_add_raw (builder, i + 1, lo, hi, seed % CHANCERY_N_KINDS,
                                      (seed >> 8) % CHANCERY_N_STATUSES, precision, flags,
                                      "Delegation visit and talks on trade");
      chancery_index_builder_add_to_lane (builder, lanes->pdata[(seed >> 4) % n_lanes], NULL);
      if (seed % 3 == 0)
        chancery_index_builder_add_to_lane (builder, lanes->pdata[(seed >> 12) % n_lanes], NULL);
    }
  index = chancery_index_builder_finish (builder);
  g_test_message ("1,000,000 events in %u lanes: index built in %.0f ms",
                  n_lanes, (g_get_monotonic_time () - t0) / 1000.0);

  window = gtk_window_new ();
  gtk_window_set_default_size (GTK_WINDOW (window), 1280, 800);
  widget = chancery_timeline_new ();
  timeline = CHANCERY_TIMELINE (widget);
  gtk_window_set_child (GTK_WINDOW (window), widget);
  t0 = g_get_monotonic_time ();
  chancery_timeline_set_index (timeline, index);
  gtk_window_present (GTK_WINDOW (window));
  wait_until_drawn (widget);
  g_test_message ("first frame after %.0f ms", (g_get_monotonic_time () - t0) / 1000.0);

  for (guint z = 0; z < G_N_ELEMENTS (spans); z++)
    {
      double frames[60];
      double start, end, span;

      chancery_timeline_zoom_fit (timeline);
      if (spans[z] > 0)
        {
          chancery_timeline_get_view (timeline, &start, &end);
          chancery_timeline_set_view (timeline, (start + end) / 2, (start + end) / 2 + spans[z]);
        }
      chancery_timeline_get_view (timeline, &start, &end);
      span = end - start;

      for (guint i = 0; i < G_N_ELEMENTS (frames); i++)
        {
          GtkSnapshot *snapshot;
          GskRenderNode *node;
          gint64 t = g_get_monotonic_time ();

          /* A pan each frame, so nothing is reused from the last one. */
          chancery_timeline_set_view (timeline, start + span * 0.01 * i, start + span * 0.01 * i + span);
          snapshot = gtk_snapshot_new ();
          GTK_WIDGET_GET_CLASS (widget)->snapshot (widget, snapshot);
          node = gtk_snapshot_free_to_node (snapshot);
          frames[i] = (g_get_monotonic_time () - t) / 1000.0;
          g_clear_pointer (&node, gsk_render_node_unref);
        }
      if (z == 0 || z == 2 || z == 4)
        {
          g_autofree char *name = g_strdup_printf ("timeline-million-%u-%u.png", n_lanes, z);
          g_autoptr(GdkTexture) texture = render_widget (widget, name);
        }
      qsort (frames, G_N_ELEMENTS (frames), sizeof (double), compare_doubles);
      g_test_message ("view of %.3f days: frame median %.2f ms, p99 %.2f ms, max %.2f ms",
                      span, frames[G_N_ELEMENTS (frames) / 2],
                      frames[(int) (G_N_ELEMENTS (frames) * 0.99)], frames[G_N_ELEMENTS (frames) - 1]);
    }

  /* From a zoomed-out histogram, "go to selection" zooms in on the event
   * (until it has a place, or a day is as wide as a bar: ~12 events a day
   * share each lane here). */
  chancery_timeline_zoom_fit (timeline);
  chancery_timeline_set_selected_id (timeline, index->events[n_events / 2].id);
  g_assert_false (chancery_timeline_get_event_area (timeline, index->events[n_events / 2].id, NULL));
  gtk_widget_activate_action (widget, "timeline.go-selection", NULL);
  {
    double start, end;

    chancery_timeline_get_view (timeline, &start, &end);
    g_assert_cmpfloat (start, <=, index->events[n_events / 2].lo);
    g_assert_cmpfloat (end, >=, index->events[n_events / 2].hi + 1);
    g_assert_true (chancery_timeline_get_event_area (timeline, index->events[n_events / 2].id, NULL) ||
                   gtk_widget_get_width (widget) / (end - start) >= 24);
    g_assert_cmpfloat (end - start, <, 1000);
  }

  gtk_window_destroy (GTK_WINDOW (window));
}

static guint
count_in_bytes (GBytes     *bytes,
                const char *needle)
{
  gsize size;
  const char *data = g_bytes_get_data (bytes, &size);
  g_autofree char *text = g_strndup (data, size);
  guint n = 0;

  for (const char *at = strstr (text, needle); at != NULL; at = strstr (at + 1, needle))
    n++;
  return n;
}

/* Slow fades (year-long, seen over a week) are drawn as plain colours and
 * fewer dash runs, within two alpha steps of the exact drawing at every
 * pixel; fast ones (the whole year in view) stay gradients. */
static void
test_slow_fades (void)
{
  g_autoptr(ChanceryIndex) index = build_fading_index (TRUE);
  g_autoptr(GObject) owner = G_OBJECT (pango_font_map_create_context (pango_cairo_font_map_get_default ()));
  gint32 day = ymd (2025, 12, 9);

  for (int variant = 0; variant < 4; variant++)
    {
      gboolean rtl = variant & 1, whole = variant & 2;
      cairo_surface_t *surface[2];
      GBytes *nodes[2] = { NULL, NULL };
      int worst = 0, stride;

      for (int exact = 0; exact < 2; exact++)
        {
          ChanceryScene scene;

          chancery_scene_init (&scene);
          chancery_scene_set_pango (&scene, PANGO_CONTEXT (owner));
          chancery_scene_set_index (&scene, index);
          scene.show_today = FALSE;
          scene.exact_fades = exact;
          scene.width = 1000;
          scene.height = 300;
          scene.rtl = rtl;
          scene.start = whole ? day - 400 : ymd (2026, 3, 2);
          scene.end = whole ? day + 400 : ymd (2026, 3, 9);
          surface[exact] = render_scene (&scene, &nodes[exact]);
          chancery_scene_clear (&scene);
        }

      stride = cairo_image_surface_get_stride (surface[0]);
      for (int y = 0; y < 300; y++)
        for (int x = 0; x < 4 * 1000; x++)
          {
            int a = cairo_image_surface_get_data (surface[0])[y * stride + x];
            int b = cairo_image_surface_get_data (surface[1])[y * stride + x];

            worst = MAX (worst, ABS (a - b));
          }
      g_assert_cmpint (worst, <=, 2);

      if (whole)
        {
          /* Fast fades: gradients still, over the middle of each bar
           * (its rounded ends, a few pixels wide, change too little). */
          g_assert_cmpuint (count_in_bytes (nodes[0], "linear-gradient"), >=, 3);
        }
      else
        {
          /* Slow ones: no gradient, fewer dash runs, as the exact drawing
           * has both. */
          g_assert_cmpuint (count_in_bytes (nodes[1], "linear-gradient"), >=, 3);
          g_assert_cmpuint (count_in_bytes (nodes[0], "linear-gradient"), ==, 0);
          g_assert_cmpuint (count_in_bytes (nodes[0], "repeat"), >=, 4);
          g_assert_cmpuint (count_in_bytes (nodes[0], "repeat"), <, count_in_bytes (nodes[1], "repeat"));
        }
      cairo_surface_destroy (surface[0]);
      cairo_surface_destroy (surface[1]);
      g_bytes_unref (nodes[0]);
      g_bytes_unref (nodes[1]);
    }
}

/* Whether a lane has more events in view than a limit, as the lanes'
 * layout asks it from bucket counts, agrees with counting them: for
 * windows of every size, ends on and off bucket edges, every limit near
 * the count, and the whole index (lane -1). */
static void
test_density_more_than (void)
{
  ChanceryIndexBuilder *builder = chancery_index_builder_new (CHANCERY_GROUP_COUNTRY);
  g_autoptr(ChanceryIndex) index = NULL;
  g_autoptr(ChanceryDensity) density = NULL;
  g_autoptr(GRand) rand = g_rand_new_with_seed (7);
  const char *lanes[] = { "IRN", "AZE", "RUS", "GEO" };
  gint32 first = ymd (1995, 1, 1), last = ymd (2025, 12, 31);
  guint checked = 0, above = 0;

  /* Bursty: most events in a few short stretches, as in real data. */
  for (gint64 id = 1; id <= 6000; id++)
    {
      gint32 day = g_rand_int_range (rand, 0, 4) == 0
                   ? g_rand_int_range (rand, first, last)
                   : ymd (2000 + (int) (id % 5) * 5, 3, 1) + g_rand_int_range (rand, 0, 40);
      guint n_lanes = (guint) g_rand_int_range (rand, 1, 3);

      chancery_index_builder_add_raw (builder, id, day, day, CHANCERY_KIND_MEETING,
                                      CHANCERY_STATUS_OCCURRED, CHANCERY_PRECISION_DAY, 0, "event");
      for (guint l = 0; l < n_lanes; l++)
        {
          const char *lane = lanes[(id * 7 + l * 3 + (id % 3 == 0 ? 0 : 1)) % G_N_ELEMENTS (lanes)];

          chancery_index_builder_add_to_lane (builder, lane, lane);
        }
    }
  index = chancery_index_builder_finish (builder);
  density = chancery_density_new (index);

  for (int lane = -1; lane < (int) index->lanes->len; lane++)
    for (guint trial = 0; trial < 3000; trial++)
      {
        gint32 span = 1 << g_rand_int_range (rand, 0, 14);
        gint32 a = g_rand_int_range (rand, first - 400, last + 400);
        gint32 b = a + g_rand_int_range (rand, 0, span + 1);
        guint count = chancery_density_count (density, lane, a, b);
        guint limit = trial % 2 == 0 ? count + (guint) g_rand_int_range (rand, -2, 3)
                                     : (guint) g_rand_int_range (rand, 0, 400);

        if ((int) limit < 0)
          limit = 0;
        g_assert_cmpint (chancery_density_more_than (density, lane, a, b, limit), ==, count > limit);
        checked++;
        above += count > limit;
      }
  /* Both answers came up often. */
  g_assert_cmpuint (above, >, checked / 10);
  g_assert_cmpuint (above, <, checked - checked / 10);
}

/* The today line's "now" is kept for a minute: it must still be local
 * time now, to the minute (or the next one, if a minute turned while the
 * test ran), call after call. */
static void
test_now (void)
{
  for (int call = 0; call < 3; call++)
    {
      g_autoptr(GDateTime) before = g_date_time_new_now_local ();
      double now = chancery_scene_now ();
      g_autoptr(GDateTime) after = g_date_time_new_now_local ();
      double expected[2];

      expected[0] = chancery_day_from_ymd (g_date_time_get_year (before), g_date_time_get_month (before),
                                           g_date_time_get_day_of_month (before))
                    + (g_date_time_get_hour (before) * 60 + g_date_time_get_minute (before)) / 1440.0;
      expected[1] = chancery_day_from_ymd (g_date_time_get_year (after), g_date_time_get_month (after),
                                           g_date_time_get_day_of_month (after))
                    + (g_date_time_get_hour (after) * 60 + g_date_time_get_minute (after)) / 1440.0;
      g_assert_true (fabs (now - expected[0]) < 1e-9 || fabs (now - expected[1]) < 1e-9);
      g_assert_cmpfloat (now, >=, chancery_day_today () - 1);
    }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  if (!g_test_subprocess ())
    gtk_init ();

  g_test_add ("/timeline/zoom", Fixture, NULL, fixture_setup, test_zoom, fixture_teardown);
  g_test_add ("/timeline/zoom-out-limit", Fixture, NULL, fixture_setup, test_zoom_out_limit, fixture_teardown);
  g_test_add ("/timeline/actions", Fixture, NULL, fixture_setup, test_actions, fixture_teardown);
  g_test_add ("/timeline/selection", Fixture, NULL, fixture_setup, test_selection, fixture_teardown);
  g_test_add ("/timeline/hit", Fixture, NULL, fixture_setup, test_hit, fixture_teardown);
  g_test_add ("/timeline/render", Fixture, NULL, fixture_setup, test_render, fixture_teardown);
  g_test_add ("/timeline/rtl", Fixture, NULL, fixture_setup, test_rtl, fixture_teardown);
  g_test_add ("/timeline/overview", Fixture, NULL, fixture_setup, test_overview, fixture_teardown);
  g_test_add_func ("/timeline/stuck-lane-header", test_stuck_lane_header);
  g_test_add ("/timeline/overview-follows-index", Fixture, NULL, fixture_setup,
              test_overview_follows_index, fixture_teardown);
  g_test_add_func ("/timeline/badge", test_badge);
  g_test_add_func ("/timeline/badge-spread", test_badge_spread);
  g_test_add_func ("/timeline/open-ended", test_open_ended);
  g_test_add_func ("/timeline/fading-outline", test_fading_outline);
  g_test_add_func ("/timeline/export", test_export);
  g_test_add_func ("/timeline/export-too-tall", test_export_too_tall);
  g_test_add_func ("/timeline/export-no-display", test_export_no_display);
  g_test_add_func ("/timeline/long-events", test_long_events);
  g_test_add_func ("/timeline/label-cache", test_label_cache);
  g_test_add_func ("/timeline/label-prefix", test_label_prefix);
  g_test_add_func ("/timeline/now", test_now);
  g_test_add_func ("/timeline/slow-fades", test_slow_fades);
  g_test_add_func ("/timeline/density-more-than", test_density_more_than);
  g_test_add_func ("/timeline/stacked-ticks", test_stacked_ticks);
  g_test_add_data_func ("/timeline/million/10-lanes", GUINT_TO_POINTER (10), test_million);
  g_test_add_data_func ("/timeline/million/300-lanes", GUINT_TO_POINTER (300), test_million);

  return g_test_run ();
}
