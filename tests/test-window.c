/* test-window.c: drive the real window as a person would
 *
 * Copyright 2026 The Chancery developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Runs under Xvfb with a D-Bus session. Opens the bundled dataset
 * (CHANCERY_DATABASE), selects by keyboard and by clicking (real X events
 * through xdotool when it is installed), filters, zooms and pans, opens
 * files that cannot be used (one whose damage only the background check
 * finds), and renders the window to PNG files in the
 * build directory (screenshot.png, screenshot-dark.png; test-window-persian
 * renders screenshot-rtl.png in Persian).
 */
#include "config.h"

#include <adwaita.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <sqlite3.h>
#include <string.h>
#include <unistd.h>

#ifdef GDK_WINDOWING_X11
#include <gdk/x11/gdkx.h>
#endif

#include "chancery-application.h"
#include "chancery-detail-pane.h"
#include "chancery-wrap-box.h"
#include "chancery-event-list.h"
#include "chancery-facet-list.h"
#include "chancery-filter-pane.h"
#include "chancery-locale.h"
#include "chancery-timeline.h"
#include "chancery-timeline-private.h"
#include "chancery-window.h"
#include "chancery-window-private.h"
#include "test-common.h"
#include "test-gui-common.h"

static ChanceryApplication *app;
static ChanceryWindow *window;
static char *data_home;
static gint64 start_time;

static gboolean
window_idle (gpointer data)
{
  return !chancery_window_get_busy (window) && chancery_window_get_store (window) != NULL;
}

static gboolean
window_not_busy (gpointer data)
{
  return !chancery_window_get_busy (window);
}

typedef struct
{
  gint64 last;
  gint64 longest;
} Stall;

static gboolean
on_stall_tick_cb (gpointer data)
{
  Stall *stall = data;
  gint64 now = g_get_monotonic_time ();

  stall->longest = MAX (stall->longest, now - stall->last);
  stall->last = now;
  return G_SOURCE_CONTINUE;
}

static void
wait_idle (void)
{
  gint64 start = g_get_monotonic_time ();
  Stall stall = { start, 0 };
  guint tick = g_timeout_add (5, on_stall_tick_cb, &stall);

  g_assert_true (wait_until (window_idle, NULL, 60000));
  g_source_remove (tick);
  /* For people reading the log; the benchmarks hold the numbers. */
  g_test_message ("idle after %.0f ms; the main loop stalled at most %.0f ms",
                  (g_get_monotonic_time () - start) / 1000.0, stall.longest / 1000.0);
  /* Let the views lay out and draw what changed. */
  run_for (100);
}

static gpointer
child (const char *name)
{
  GObject *object = gtk_widget_get_template_child (GTK_WIDGET (window), CHANCERY_TYPE_WINDOW, name);

  g_assert_nonnull (object);
  return object;
}

static ChanceryTimeline *
timeline (void)
{
  return child ("timeline");
}

static guint
list_n_items (void)
{
  ChanceryEventList *list = child ("event_list");

  return g_list_model_get_n_items (G_LIST_MODEL (chancery_event_list_get_model (list)));
}

static guint
timeline_n_events (void)
{
  ChanceryIndex *index = chancery_timeline_get_index (timeline ());

  g_assert_nonnull (index);
  return index->n_events;
}

static const char *
detail_title (void)
{
  return chancery_detail_pane_get_title (child ("detail_pane"));
}

static char *
expected_title (gint64 id)
{
  g_autoptr(ChanceryEvent) event = NULL;
  g_autoptr(GError) error = NULL;

  event = chancery_store_get_event (chancery_window_get_store (window), id, &error);
  g_assert_no_error (error);
  return g_strdup (event->title);
}

/* xdotool */

static gboolean
have_xdotool (void)
{
  g_autofree char *path = g_find_program_in_path ("xdotool");

#ifdef GDK_WINDOWING_X11
  if (path != NULL && GDK_IS_X11_DISPLAY (gdk_display_get_default ()))
    return TRUE;
#endif
  return FALSE;
}

static gulong
window_xid (void)
{
#ifdef GDK_WINDOWING_X11
  return gdk_x11_surface_get_xid (gtk_native_get_surface (GTK_NATIVE (window)));
#else
  return 0;
#endif
}

static void
xdotool (const char *first,
         ...)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GError) error = NULL;
  g_autofree char *err = NULL;
  int status = 0;
  va_list args;

  g_ptr_array_add (argv, g_strdup ("xdotool"));
  va_start (args, first);
  for (const char *arg = first; arg != NULL; arg = va_arg (args, const char *))
    g_ptr_array_add (argv, g_strdup (arg));
  va_end (args);
  g_ptr_array_add (argv, NULL);

  g_spawn_sync (NULL, (char **) argv->pdata, NULL, G_SPAWN_SEARCH_PATH | G_SPAWN_STDOUT_TO_DEV_NULL,
                NULL, NULL, NULL, &err, &status, &error);
  g_assert_no_error (error);
  if (!g_spawn_check_wait_status (status, NULL))
    g_error ("xdotool failed: %s", err);
}

static void
xdotool_focus_window (void)
{
  g_autofree char *wid = g_strdup_printf ("%lu", window_xid ());

  xdotool ("windowfocus", "--sync", wid, NULL);
  run_for (100);
}

/* Clicks at (x, y) in widget coordinates with a real pointer. */
static void
xdotool_click (GtkWidget *widget,
               double     x,
               double     y)
{
  g_autofree char *wid = g_strdup_printf ("%lu", window_xid ());
  g_autofree char *sx = NULL;
  g_autofree char *sy = NULL;
  graphene_point_t p;
  double tx, ty;

  g_assert_true (gtk_widget_compute_point (widget, GTK_WIDGET (window),
                                           &GRAPHENE_POINT_INIT (x, y), &p));
  gtk_native_get_surface_transform (GTK_NATIVE (window), &tx, &ty);
  sx = g_strdup_printf ("%d", (int) (p.x + tx));
  sy = g_strdup_printf ("%d", (int) (p.y + ty));

  xdotool ("mousemove", "--window", wid, "--sync", sx, sy, NULL);
  run_for (50);
  xdotool ("click", "1", NULL);
}

/* Screenshots */

static void
save_screenshot (const char *name)
{
  g_autoptr(GdkTexture) texture = test_save_screenshot (window, name);
  g_autoptr(GHashTable) colors = g_hash_table_new (NULL, NULL);
  int width = gdk_texture_get_width (texture);
  int height = gdk_texture_get_height (texture);
  g_autofree guchar *pixels = g_malloc ((gsize) width * height * 4);

  /* Not blank: a real window has many colours (text, icons, lanes). */
  gdk_texture_download (texture, pixels, (gsize) width * 4);
  for (int i = 0; i < width * height; i += 7)
    {
      guint32 pixel;

      memcpy (&pixel, pixels + (gsize) i * 4, 4);
      g_hash_table_add (colors, GUINT_TO_POINTER (pixel));
    }
  g_assert_cmpuint (g_hash_table_size (colors), >, 64);
}

/* Tests */

static void prepare_for_screenshot (void);

static gboolean
store_open (gpointer data)
{
  return chancery_window_get_store (window) != NULL;
}

static void
test_opens_bundled_dataset (void)
{
  ChanceryStore *store;
  g_autofree char *name = NULL;
  g_autofree char *summary = NULL;
  AdwWindowTitle *title = child ("window_title");
  guint n_total;

  /* The events show first; the counts in the sidebar follow. */
  g_assert_true (wait_until (store_open, NULL, 60000));
  g_test_message ("events shown %.0f ms after start",
                  (g_get_monotonic_time () - start_time) / 1000.0);
  wait_idle ();
  store = chancery_window_get_store (window);
  g_assert_nonnull (store);
  g_assert_cmpstr (chancery_store_get_path (store), ==, chancery_default_database_path ());

  name = chancery_store_dup_name (store);
  g_assert_cmpstr (gtk_window_get_title (GTK_WINDOW (window)), ==, name);
  g_assert_cmpstr (adw_window_title_get_title (title), ==, name);

  n_total = chancery_store_count_events (store, NULL, NULL);
  g_assert_cmpuint (n_total, >, 0);
  summary = g_strdup_printf ("%u of %u events", n_total, n_total);
  g_assert_cmpstr (adw_window_title_get_subtitle (title), ==, summary);

  g_assert_cmpuint (list_n_items (), ==, n_total);
  g_assert_cmpuint (timeline_n_events (), ==, n_total);
  g_assert_null (detail_title ());
}

static void
test_select_by_keyboard (void)
{
  ChanceryTimeline *tl = timeline ();
  g_autofree char *first = NULL;
  g_autofree char *second = NULL;
  gint64 id;

  chancery_window_select_event (window, -1);
  g_assert_null (detail_title ());

  /* The action the Right key is bound to. */
  gtk_widget_grab_focus (GTK_WIDGET (tl));
  gtk_widget_activate_action (GTK_WIDGET (tl), "timeline.select-next", NULL);
  run_for (50);
  id = chancery_timeline_get_selected_id (tl);
  g_assert_cmpint (id, >=, 0);
  first = expected_title (id);
  g_assert_cmpstr (detail_title (), ==, first);
  /* One selection: the list follows. */
  g_assert_cmpint (chancery_event_list_get_selected_id (child ("event_list")), ==, id);

  if (!have_xdotool ())
    {
      g_test_message ("xdotool not available: real key events not tested");
      return;
    }

  /* A real key press, through the X server. */
  xdotool_focus_window ();
  gtk_widget_grab_focus (GTK_WIDGET (tl));
  run_for (50);
  xdotool ("key", "Right", NULL);
  run_for (300);
  g_assert_cmpint (chancery_timeline_get_selected_id (tl), !=, id);
  id = chancery_timeline_get_selected_id (tl);
  g_assert_cmpint (id, >=, 0);
  second = expected_title (id);
  g_assert_cmpstr (detail_title (), ==, second);
}

static void
test_select_by_click (void)
{
  ChanceryTimeline *tl = timeline ();
  ChanceryIndex *index = chancery_timeline_get_index (tl);
  g_autofree char *expected = NULL;
  graphene_rect_t area;
  gint64 target = -1;
  double x, y;

  chancery_window_select_event (window, -1);
  gtk_widget_activate_action (GTK_WIDGET (window), "win.zoom-fit", NULL);
  run_for (200);

  /* The last event that is drawn, so the click is not just "the first". */
  for (guint i = index->n_events; i > 0 && target < 0; i--)
    {
      if (chancery_timeline_get_event_area (tl, index->events[i - 1].id, &area))
        target = index->events[i - 1].id;
    }
  g_assert_cmpint (target, >=, 0);

  x = area.origin.x + area.size.width / 2;
  y = area.origin.y + area.size.height / 2;
  g_assert_cmpint (chancery_timeline_get_event_at (tl, x, y), ==, target);

  if (!have_xdotool ())
    {
      g_test_skip ("xdotool is not installed; cannot click");
      return;
    }

  xdotool_focus_window ();
  xdotool_click (GTK_WIDGET (tl), x, y);
  run_for (300);

  g_assert_cmpint (chancery_timeline_get_selected_id (tl), ==, target);
  expected = expected_title (target);
  g_assert_cmpstr (detail_title (), ==, expected);
  g_assert_cmpint (chancery_event_list_get_selected_id (child ("event_list")), ==, target);
}

static GtkSingleSelection *
list_selection (void)
{
  GtkColumnView *view = GTK_COLUMN_VIEW (gtk_widget_get_template_child (child ("event_list"),
                                                                        CHANCERY_TYPE_EVENT_LIST,
                                                                        "column_view"));

  return GTK_SINGLE_SELECTION (gtk_column_view_get_model (view));
}

/* The one selection, as the timeline, the list (its highlighted row too)
 * and the detail pane show it. */
static void
assert_selection (gint64 id)
{
  ChanceryEventModel *model = chancery_event_list_get_model (child ("event_list"));
  guint row = gtk_single_selection_get_selected (list_selection ());
  g_autofree char *title = id >= 0 ? expected_title (id) : NULL;

  g_assert_cmpint (chancery_timeline_get_selected_id (timeline ()), ==, id);
  g_assert_cmpint (chancery_event_list_get_selected_id (child ("event_list")), ==, id);
  if (id < 0)
    g_assert_cmpuint (row, ==, GTK_INVALID_LIST_POSITION);
  else
    g_assert_cmpint (chancery_event_model_get_id (model, row), ==, id);
  g_assert_cmpstr (detail_title (), ==, title);
}

/* Picks row like a click on it in the list: the row it had highlighted
 * must select again once the selection was cleared elsewhere. */
static gint64
select_list_row (guint row)
{
  ChanceryEventModel *model = chancery_event_list_get_model (child ("event_list"));
  gint64 id = chancery_event_model_get_id (model, row);

  gtk_selection_model_select_item (GTK_SELECTION_MODEL (list_selection ()), row, TRUE);
  run_for (50);
  assert_selection (id);
  return id;
}

static void
xdotool_drag (GtkWidget *widget,
              double     x0,
              double     x1,
              double     y)
{
  g_autofree char *wid = g_strdup_printf ("%lu", window_xid ());
  g_autofree char *sx0 = NULL, *sx1 = NULL, *sy = NULL;
  graphene_point_t p;
  double tx, ty;

  g_assert_true (gtk_widget_compute_point (widget, GTK_WIDGET (window),
                                           &GRAPHENE_POINT_INIT (x0, y), &p));
  gtk_native_get_surface_transform (GTK_NATIVE (window), &tx, &ty);
  sx0 = g_strdup_printf ("%d", (int) (p.x + tx));
  sx1 = g_strdup_printf ("%d", (int) (p.x + tx + x1 - x0));
  sy = g_strdup_printf ("%d", (int) (p.y + ty));
  xdotool ("mousemove", "--window", wid, "--sync", sx0, sy, NULL);
  xdotool ("mousedown", "1", NULL);
  run_for (50);
  xdotool ("mousemove", "--window", wid, "--sync", sx1, sy, NULL);
  run_for (50);
  xdotool ("mouseup", "1", NULL);
  run_for (300);
}

static GtkEventController *
find_controller (GtkWidget *widget,
                 GType      type)
{
  g_autoptr(GListModel) controllers = gtk_widget_observe_controllers (widget);

  for (guint i = 0; i < g_list_model_get_n_items (controllers); i++)
    {
      g_autoptr(GtkEventController) controller = g_list_model_get_item (controllers, i);

      if (G_TYPE_CHECK_INSTANCE_TYPE (controller, type))
        return controller;
    }
  g_assert_not_reached ();
}

/* A drag on the empty background whose release reaches the drag gesture
 * before the click gesture (GTK gives no order between the two). */
static void
drag_then_release (ChanceryTimeline *tl,
                   double            x,
                   double            y)
{
  GtkEventController *click = find_controller (GTK_WIDGET (tl), GTK_TYPE_GESTURE_CLICK);
  GtkEventController *drag = find_controller (GTK_WIDGET (tl), GTK_TYPE_GESTURE_DRAG);

  g_signal_emit_by_name (click, "pressed", 1, x, y);
  g_signal_emit_by_name (drag, "drag-begin", x, y);
  g_signal_emit_by_name (drag, "drag-update", -120.0, 0.0);
  g_signal_emit_by_name (drag, "drag-end", -120.0, 0.0);
  g_signal_emit_by_name (click, "released", 1, x - 120, y);
  run_for (50);
}

/* Clearing the selection in the timeline clears it in the list too, and
 * the row the list had highlighted can be picked again; a drag pans and
 * keeps the selection (docs/timeline.md). */
static void
test_one_selection (void)
{
  ChanceryTimeline *tl = timeline ();
  int w = gtk_widget_get_width (GTK_WIDGET (tl));
  int h = gtk_widget_get_height (GTK_WIDGET (tl));
  gint64 id;

  gtk_widget_activate_action (GTK_WIDGET (window), "win.zoom-fit", NULL);
  chancery_window_select_event (window, -1);
  run_for (100);

  /* Escape in the timeline. */
  select_list_row (3);
  gtk_widget_grab_focus (GTK_WIDGET (tl));
  gtk_widget_activate_action (GTK_WIDGET (tl), "timeline.unselect", NULL);
  run_for (50);
  assert_selection (-1);
  id = select_list_row (3);

  drag_then_release (tl, w * 0.7, h - 8);
  assert_selection (id);

  if (!have_xdotool ())
    {
      g_test_message ("xdotool not available: clicks and drags not tested");
      return;
    }
  xdotool_focus_window ();

  /* A click on the empty background: the first spot, from the bottom
   * right, with no event under it. */
  {
    double x = -1, y = -1;

    for (double ty = h - 8; ty > 40 && x < 0; ty -= 10)
      for (double tx = w * 0.9; tx > w * 0.1; tx -= w * 0.05)
        if (chancery_timeline_get_event_at (tl, tx, ty) < 0)
          {
            x = tx;
            y = ty;
            break;
          }
    g_assert_cmpfloat (x, >=, 0);
    xdotool_click (GTK_WIDGET (tl), x, y);
    run_for (300);
    assert_selection (-1);
    id = select_list_row (3);

    /* A drag pans and keeps it, wherever it ends. */
    xdotool_drag (GTK_WIDGET (tl), x, x - w * 0.3, y);
  }
  assert_selection (id);
  gtk_widget_activate_action (GTK_WIDGET (window), "win.zoom-fit", NULL);
  run_for (200);
}

/* Every relation the JSON format allows reads as words in the detail pane,
 * from each side of the link; never as its id. */
static void
test_related_relations (void)
{
  static const struct {
    const char *relation;
    const char *outgoing;
    const char *incoming;
  } expected[] = {
    { "part-of", "Part of", "Includes" },
    { "follows", "Follows", "Followed by" },
    { "precedes", "Precedes", "Preceded by" },
    { "outcome-of", "Outcome of", "Led to" },
    { "related", "Related", "Related" },
  };
  GtkListBox *related = GTK_LIST_BOX (gtk_widget_get_template_child (child ("detail_pane"),
                                                                     CHANCERY_TYPE_DETAIL_PANE,
                                                                     "related_list"));
  g_autoptr(GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);
  ChanceryIndex *index;

  wait_idle ();
  index = chancery_timeline_get_index (timeline ());
  for (guint i = 0; i < index->n_events; i++)
    {
      g_autoptr(ChanceryEvent) event = chancery_store_get_event (chancery_window_get_store (window),
                                                                 index->events[i].id, NULL);

      chancery_window_select_event (window, event->id);
      for (guint j = 0; j < event->links->len; j++)
        {
          const ChanceryEventLink *link = g_ptr_array_index (event->links, j);
          GtkListBoxRow *row = gtk_list_box_get_row_at_index (related, j);
          const char *label = NULL;

          for (guint k = 0; k < G_N_ELEMENTS (expected); k++)
            {
              if (g_str_equal (link->relation, expected[k].relation))
                label = link->outgoing ? expected[k].outgoing : expected[k].incoming;
            }
          g_assert_nonnull (row);
          g_assert_cmpstr (adw_action_row_get_subtitle (ADW_ACTION_ROW (row)), ==, label);
          g_hash_table_add (seen, (gpointer) g_intern_string (link->relation));
        }
    }

  /* The bundled dataset has these; the test would prove little without. */
  g_assert_true (g_hash_table_contains (seen, "outcome-of"));
  g_assert_true (g_hash_table_contains (seen, "related"));
  chancery_window_select_event (window, -1);
}

static void
check_facet_filter (ChanceryFacetKind kind)
{
  ChanceryFilterPane *pane = child ("filter_pane");
  ChanceryStore *store = chancery_window_get_store (window);
  g_autoptr(GPtrArray) facets = NULL;
  g_autoptr(ChanceryFilter) filter = chancery_filter_new ();
  g_autoptr(GError) error = NULL;
  ChanceryFacet *pick = NULL;
  guint n_total = chancery_store_count_events (store, NULL, NULL);

  facets = chancery_store_list_facets (store, filter, kind, NULL, &error);
  g_assert_no_error (error);
  /* A value that some, but not all, events have. */
  for (guint i = 0; i < facets->len && pick == NULL; i++)
    {
      ChanceryFacet *facet = g_ptr_array_index (facets, i);
      if (facet->count > 0 && facet->count < n_total)
        pick = facet;
    }
  g_assert (pick != NULL);

  chancery_filter_pane_add (pane, kind, pick->key, pick->label);
  wait_idle ();
  g_assert_cmpuint (list_n_items (), ==, pick->count);
  g_assert_cmpuint (timeline_n_events (), ==, pick->count);
  g_assert_true (gtk_revealer_get_reveal_child (child ("chips_revealer")));

  gtk_widget_activate_action (GTK_WIDGET (window), "win.clear-filters", NULL);
  wait_idle ();
  g_assert_cmpuint (list_n_items (), ==, n_total);
  g_assert_cmpuint (timeline_n_events (), ==, n_total);
}

static void
test_filter_by_actor (void)
{
  check_facet_filter (CHANCERY_FACET_ACTOR);
}

static void
test_filter_by_country (void)
{
  check_facet_filter (CHANCERY_FACET_COUNTRY);
}

static void
test_filter_from_detail_pane (void)
{
  ChanceryTimeline *tl = timeline ();
  ChanceryIndex *index = chancery_timeline_get_index (tl);
  g_autoptr(ChanceryEvent) event = NULL;
  GtkWidget *countries;
  GtkWidget *chip;
  guint n_total = index->n_events;

  /* An event with countries; its first country chip adds that filter. */
  for (guint i = 0; i < index->n_events && event == NULL; i++)
    {
      g_autoptr(ChanceryEvent) e = chancery_store_get_event (chancery_window_get_store (window),
                                                             index->events[i].id, NULL);
      if (e != NULL && e->countries->len > 0)
        event = g_steal_pointer (&e);
    }
  g_assert (event != NULL);

  chancery_window_select_event (window, event->id);
  countries = GTK_WIDGET (gtk_widget_get_template_child (child ("detail_pane"), CHANCERY_TYPE_DETAIL_PANE,
                                                         "countries_box"));
  chip = gtk_widget_get_first_child (countries);
  g_assert_true (GTK_IS_BUTTON (chip));
  g_signal_emit_by_name (chip, "clicked");
  wait_idle ();

  g_assert_cmpuint (list_n_items (), <=, n_total);
  g_assert_cmpuint (list_n_items (), ==, timeline_n_events ());
  /* The selected event has that country, so it stays selected. */
  g_assert_cmpint (chancery_timeline_get_selected_id (tl), ==, event->id);

  gtk_widget_activate_action (GTK_WIDGET (window), "win.clear-filters", NULL);
  wait_idle ();
  g_assert_cmpuint (list_n_items (), ==, n_total);
}

/* Pressing key hides what property shows; with again, shows it again. */
static void
assert_key_toggles (const char *key,
                    const char *property,
                    gboolean    again)
{
  for (guint i = 0; i < (again ? 2 : 1); i++)
    {
      gboolean visible;

      g_object_get (window, property, &visible, NULL);
      g_assert_true (visible == (i == 0));
      xdotool ("key", key, NULL);
      run_for (200);
      g_object_get (window, property, &visible, NULL);
      g_assert_true (visible == (i != 0));
    }
}

static void
test_search_text (void)
{
  GtkWidget *entry = GTK_WIDGET (gtk_widget_get_template_child (child ("filter_pane"),
                                                                CHANCERY_TYPE_FILTER_PANE,
                                                                "search_entry"));
  guint n_total = list_n_items ();

  if (have_xdotool ())
    {
      /* F9 hides the filters, Shift+F9 hides the details and shows them
       * again; then Ctrl+F focuses the search (showing the filters). */
      xdotool_focus_window ();
      gtk_widget_grab_focus (GTK_WIDGET (timeline ()));
      assert_key_toggles ("F9", "sidebar-visible", FALSE);
      assert_key_toggles ("shift+F9", "detail-visible", TRUE);
      xdotool ("key", "ctrl+f", NULL);
      run_for (200);
    }
  else
    gtk_widget_activate_action (GTK_WIDGET (window), "win.focus-search", NULL);
  run_for (50);
  g_assert_true (gtk_widget_has_focus (entry) || gtk_widget_is_ancestor (gtk_root_get_focus (GTK_ROOT (window)), entry));

  gtk_editable_set_text (GTK_EDITABLE (entry), "railway");
  run_for (400);
  wait_idle ();
  g_assert_cmpuint (list_n_items (), >, 0);
  g_assert_cmpuint (list_n_items (), <, n_total);

  gtk_editable_set_text (GTK_EDITABLE (entry), "zzzznotaword");
  run_for (400);
  wait_idle ();
  g_assert_cmpuint (list_n_items (), ==, 0);

  gtk_widget_activate_action (GTK_WIDGET (window), "win.clear-filters", NULL);
  run_for (400);
  wait_idle ();
  g_assert_cmpuint (list_n_items (), ==, n_total);
}

static const char *
facet_note (const char *list_name)
{
  GtkWidget *list = GTK_WIDGET (gtk_widget_get_template_child (child ("filter_pane"),
                                                               CHANCERY_TYPE_FILTER_PANE,
                                                               list_name));
  GtkLabel *note = GTK_LABEL (gtk_widget_get_template_child (list, CHANCERY_TYPE_FACET_LIST,
                                                             "more_label"));

  return gtk_widget_get_visible (GTK_WIDGET (note)) ? gtk_label_get_text (note) : NULL;
}

/* Filters that leave nothing do not make the dataset empty. */
static void
test_facets_none_filtered (void)
{
  GtkEditable *entry = GTK_EDITABLE (gtk_widget_get_template_child (child ("filter_pane"),
                                                                    CHANCERY_TYPE_FILTER_PANE,
                                                                    "search_entry"));
  const char *lists[] = { "kinds_list", "statuses_list", "countries_list", "actors_list" };

  gtk_editable_set_text (entry, "zzzznotaword");
  run_for (400);
  wait_idle ();
  g_assert_cmpuint (list_n_items (), ==, 0);
  for (guint i = 0; i < G_N_ELEMENTS (lists); i++)
    g_assert_cmpstr (facet_note (lists[i]), ==, "None in the filtered events");

  gtk_widget_activate_action (GTK_WIDGET (window), "win.clear-filters", NULL);
  run_for (400);
  wait_idle ();
  for (guint i = 0; i < G_N_ELEMENTS (lists); i++)
    g_assert_null (facet_note (lists[i]));
}

/* A search with no word to look for (only spaces or punctuation) matches
 * every event, so it is no filter and shows no chip. */
static void
test_search_without_words (void)
{
  GtkEditable *entry = GTK_EDITABLE (gtk_widget_get_template_child (child ("filter_pane"),
                                                                    CHANCERY_TYPE_FILTER_PANE,
                                                                    "search_entry"));
  const char *texts[] = { "   ", "\"", "*", ")", "^", " - ( ) " };
  guint n_total = list_n_items ();

  for (guint i = 0; i < G_N_ELEMENTS (texts); i++)
    {
      g_autoptr(ChanceryFilter) filter = NULL;

      gtk_editable_set_text (entry, texts[i]);
      run_for (400);
      wait_idle ();
      filter = chancery_window_dup_filter (window);
      g_assert_true (chancery_filter_is_empty (filter));
      g_assert_cmpuint (list_n_items (), ==, n_total);
      g_assert_false (gtk_revealer_get_reveal_child (child ("chips_revealer")));
    }

  /* Words among the punctuation still count. */
  gtk_editable_set_text (entry, "\"railway\"");
  run_for (400);
  wait_idle ();
  g_assert_cmpuint (list_n_items (), <, n_total);
  g_assert_true (gtk_revealer_get_reveal_child (child ("chips_revealer")));

  /* Escape (GtkSearchEntry's stop-search) empties the field: no filter. */
  g_signal_emit_by_name (entry, "stop-search");
  run_for (400);
  wait_idle ();
  g_assert_cmpstr (gtk_editable_get_text (entry), ==, "");
  g_assert_cmpuint (list_n_items (), ==, n_total);
  g_assert_false (gtk_revealer_get_reveal_child (child ("chips_revealer")));

  gtk_widget_activate_action (GTK_WIDGET (window), "win.clear-filters", NULL);
  run_for (400);
  wait_idle ();
}

static void
test_date_range (void)
{
  ChanceryFilterPane *pane = child ("filter_pane");
  GtkWidget *from = GTK_WIDGET (gtk_widget_get_template_child (GTK_WIDGET (pane), CHANCERY_TYPE_FILTER_PANE,
                                                               "from_entry"));
  GtkWidget *to = GTK_WIDGET (gtk_widget_get_template_child (GTK_WIDGET (pane), CHANCERY_TYPE_FILTER_PANE,
                                                             "to_entry"));
  GtkLabel *hint = GTK_LABEL (gtk_widget_get_template_child (GTK_WIDGET (pane), CHANCERY_TYPE_FILTER_PANE,
                                                             "date_hint_label"));
  g_autofree char *hint_text = NULL;
  ChanceryIndex *index = chancery_timeline_get_index (timeline ());
  guint n_total = list_n_items ();
  guint n_expected = 0;
  gint32 from_day = chancery_day_from_ymd (2025, 12, 1);

  for (guint i = 0; i < index->n_events; i++)
    n_expected += index->events[i].hi >= from_day;

  /* Not a date: the field says so, and nothing is filtered. */
  gtk_editable_set_text (GTK_EDITABLE (from), "2025-13");
  run_for (400);
  wait_idle ();
  g_assert_true (gtk_widget_has_css_class (from, "error"));
  g_assert_nonnull (gtk_widget_get_tooltip_text (from));
  g_test_message ("“2025-13”: %s", gtk_widget_get_tooltip_text (from));
  g_assert_cmpuint (list_n_items (), ==, n_total);

  /* A month: events that reach into December 2025 or later; typed in
   * Persian digits, or pasted with spaces around, the same. */
  for (guint t = 0; t < 3; t++)
    {
      static const char * const texts[] = { "۲۰۲۵-۱۲", " 2025-12  ", "2025-12" };
      g_autoptr(GPtrArray) chips = NULL;
      gboolean found = FALSE;

      gtk_editable_set_text (GTK_EDITABLE (from), texts[t]);
      run_for (400);
      wait_idle ();
      g_assert_false (gtk_widget_has_css_class (from, "error"));
      g_assert_null (gtk_widget_get_tooltip_text (from));
      g_assert_cmpuint (list_n_items (), ==, n_expected);
      g_assert_cmpuint (timeline_n_events (), ==, n_expected);
      /* Its chip reads the date as people do, not as typed. */
      chips = chancery_filter_pane_list_chips (pane);
      for (guint i = 0; i < chips->len; i++)
        {
          const ChanceryFilterChip *chip = g_ptr_array_index (chips, i);

          g_test_message ("chip: %s", chip->label);
          found |= chip->field == CHANCERY_FILTER_FIELD_FROM && g_str_equal (chip->label, "From December 2025");
        }
      g_assert_true (found);
    }

  /* "To" before "From" is wrong too, and the line under the fields says
   * so where everyone sees it (not only in a tooltip): "From" still
   * applies, "To" does not. */
  hint_text = g_strdup (gtk_label_get_text (hint));
  g_assert_false (gtk_widget_has_css_class (GTK_WIDGET (hint), "error"));
  gtk_editable_set_text (GTK_EDITABLE (to), "2024");
  run_for (400);
  wait_idle ();
  g_assert_true (gtk_widget_has_css_class (to, "error"));
  g_assert_true (gtk_widget_has_css_class (GTK_WIDGET (hint), "error"));
  g_assert_cmpstr (gtk_label_get_text (hint), ==, "“To” is not used: This date is before the “From” date");
  g_assert_cmpuint (list_n_items (), ==, n_expected);

  /* Fixed: the example comes back. */
  gtk_editable_set_text (GTK_EDITABLE (to), "2026");
  run_for (400);
  wait_idle ();
  g_assert_false (gtk_widget_has_css_class (GTK_WIDGET (hint), "error"));
  g_assert_cmpstr (gtk_label_get_text (hint), ==, hint_text);
  gtk_editable_set_text (GTK_EDITABLE (to), "2025-02-30");
  run_for (400);
  wait_idle ();
  g_test_message ("hint: %s", gtk_label_get_text (hint));
  g_assert_true (g_str_has_prefix (gtk_label_get_text (hint), "“To” is not used: "));

  gtk_widget_activate_action (GTK_WIDGET (window), "win.clear-filters", NULL);
  run_for (400);
  wait_idle ();
  g_assert_false (gtk_widget_has_css_class (to, "error"));
  g_assert_cmpuint (list_n_items (), ==, n_total);
}

/* The range label says the span at the grain that matters: days for a
 * few weeks, months for a few years (days over years lost the end year
 * in Russian at the default size). */
static void
test_range_label (void)
{
  ChanceryTimeline *tl = timeline ();
  GtkLabel *label = child ("range_label");

  chancery_timeline_set_view (tl, chancery_day_from_ymd (2025, 12, 1), chancery_day_from_ymd (2025, 12, 15));
  run_for (100);
  g_assert_cmpstr (gtk_label_get_text (label), ==, "1 Dec 2025 – 14 Dec 2025");

  chancery_timeline_set_view (tl, chancery_day_from_ymd (2025, 1, 10), chancery_day_from_ymd (2026, 4, 2));
  run_for (100);
  g_assert_cmpstr (gtk_label_get_text (label), ==, "Jan 2025 – Apr 2026");

  gtk_widget_activate_action (GTK_WIDGET (window), "win.zoom-fit", NULL);
  run_for (100);
}

static void
test_zoom_and_pan (void)
{
  ChanceryTimeline *tl = timeline ();
  double s0, e0, s1, e1, s2, e2;

  gtk_widget_activate_action (GTK_WIDGET (window), "win.zoom-fit", NULL);
  run_for (100);
  chancery_timeline_get_view (tl, &s0, &e0);
  g_assert_cmpfloat (e0, >, s0);

  gtk_widget_activate_action (GTK_WIDGET (window), "win.zoom-in", NULL);
  run_for (400);
  chancery_timeline_get_view (tl, &s1, &e1);
  g_assert_cmpfloat (e1 - s1, <, e0 - s0);

  if (have_xdotool ())
    {
      int w = gtk_widget_get_width (GTK_WIDGET (tl));
      int h = gtk_widget_get_height (GTK_WIDGET (tl));
      graphene_point_t p;
      double tx, ty;
      g_autofree char *wid = g_strdup_printf ("%lu", window_xid ());
      g_autofree char *x0 = NULL, *x1 = NULL, *y = NULL;

      /* Drag the empty background of the timeline sideways to pan. */
      g_assert_true (gtk_widget_compute_point (GTK_WIDGET (tl), GTK_WIDGET (window),
                                               &GRAPHENE_POINT_INIT (w * 0.7, h - 8), &p));
      gtk_native_get_surface_transform (GTK_NATIVE (window), &tx, &ty);
      x0 = g_strdup_printf ("%d", (int) (p.x + tx));
      x1 = g_strdup_printf ("%d", (int) (p.x + tx - w * 0.3));
      y = g_strdup_printf ("%d", (int) (p.y + ty));
      xdotool_focus_window ();
      xdotool ("mousemove", "--window", wid, "--sync", x0, y, NULL);
      xdotool ("mousedown", "1", NULL);
      run_for (50);
      xdotool ("mousemove", "--window", wid, "--sync", x1, y, NULL);
      run_for (50);
      xdotool ("mouseup", "1", NULL);
      run_for (300);
    }
  else
    {
      /* What a drag does: move the view by the same length. */
      chancery_timeline_set_view (tl, s1 + (e1 - s1) * 0.3, e1 + (e1 - s1) * 0.3);
    }

  chancery_timeline_get_view (tl, &s2, &e2);
  g_assert_cmpfloat (s2, >, s1);
  g_assert_cmpfloat_with_epsilon (e2 - s2, e1 - s1, (e1 - s1) * 0.01);

  gtk_widget_activate_action (GTK_WIDGET (window), "win.zoom-fit", NULL);
  run_for (300);
}

static gboolean
model_sorted (gpointer data)
{
  return !chancery_event_model_get_sorting (data);
}

static void
test_sort_by_title (void)
{
  ChanceryEventList *list = child ("event_list");
  ChanceryEventModel *model = chancery_event_list_get_model (list);
  GtkColumnView *view = GTK_COLUMN_VIEW (gtk_widget_get_template_child (GTK_WIDGET (list),
                                                                        CHANCERY_TYPE_EVENT_LIST,
                                                                        "column_view"));
  GtkColumnViewColumn *title_column = GTK_COLUMN_VIEW_COLUMN (gtk_widget_get_template_child (GTK_WIDGET (list),
                                                                                             CHANCERY_TYPE_EVENT_LIST,
                                                                                             "title_column"));
  GtkColumnViewColumn *date_column = GTK_COLUMN_VIEW_COLUMN (gtk_widget_get_template_child (GTK_WIDGET (list),
                                                                                            CHANCERY_TYPE_EVENT_LIST,
                                                                                            "date_column"));
  guint n = list_n_items ();
  gint64 selected;

  prepare_for_screenshot ();
  selected = chancery_timeline_get_selected_id (timeline ());
  g_assert_cmpint (selected, >=, 0);

  /* What clicking the "Title" header does, then clicking it again. */
  for (int descending = 0; descending <= 1; descending++)
    {
      gtk_column_view_sort_by_column (view, title_column,
                                      descending ? GTK_SORT_DESCENDING : GTK_SORT_ASCENDING);
      /* Big lists sort in a thread. */
      g_assert_true (wait_until (model_sorted, model, 30000));
      for (guint i = 0; i + 1 < n; i++)
        {
          g_autoptr(ChanceryEventRow) a = g_list_model_get_item (G_LIST_MODEL (model), i);
          g_autoptr(ChanceryEventRow) b = g_list_model_get_item (G_LIST_MODEL (model), i + 1);
          int cmp = g_utf8_collate (chancery_event_row_get_title (a), chancery_event_row_get_title (b));

          if (descending)
            g_assert_cmpint (cmp, >=, 0);
          else
            g_assert_cmpint (cmp, <=, 0);
        }
      /* Reordering keeps the one selection. */
      g_assert_cmpint (chancery_event_list_get_selected_id (list), ==, selected);
      g_assert_cmpint (chancery_timeline_get_selected_id (timeline ()), ==, selected);
    }

  /* Back to date order: the index's, except that an event with an open
   * start ("before 8 December 2025") comes by its known end, not first. */
  gtk_column_view_sort_by_column (view, date_column, GTK_SORT_ASCENDING);
  run_for (100);
  {
    ChanceryIndex *index = chancery_timeline_get_index (timeline ());

    g_assert_true (index->events[0].flags & CHANCERY_INDEX_OPEN_START);
    g_assert_cmpint (chancery_event_model_get_id (model, 0), ==,
                     index->events[chancery_index_date_order_get_position (index, 0)].id);
    g_assert_cmpint (chancery_event_model_get_id (model, 0), !=, index->events[0].id);
  }
}

static gboolean
shortcuts_shown (gpointer data)
{
  return find_toplevel (GTK_TYPE_SHORTCUTS_WINDOW) != NULL;
}

static gboolean
about_shown (gpointer data)
{
  return find_toplevel (ADW_TYPE_ABOUT_WINDOW) != NULL;
}

static void
test_shortcuts_and_about (void)
{
  GtkWindow *w;

  /* Ctrl+? opens the shortcuts window from gtk/help-overlay.ui. */
  if (have_xdotool ())
    {
      xdotool_focus_window ();
      xdotool ("key", "ctrl+question", NULL);
    }
  else
    gtk_widget_activate_action (GTK_WIDGET (window), "win.show-help-overlay", NULL);
  g_assert_true (wait_until (shortcuts_shown, NULL, 5000));
  w = find_toplevel (GTK_TYPE_SHORTCUTS_WINDOW);
  gtk_window_close (w);
  run_for (100);

  g_action_group_activate_action (G_ACTION_GROUP (app), "about", NULL);
  g_assert_true (wait_until (about_shown, NULL, 5000));
  w = find_toplevel (ADW_TYPE_ABOUT_WINDOW);
  g_assert_cmpstr (adw_about_window_get_application_name (ADW_ABOUT_WINDOW (w)), ==, "Chancery");
  gtk_window_destroy (w);
  run_for (100);
}

static void
check_bad_file (const char *name,
                const char *contents)
{
  g_autofree char *path = g_build_filename (data_home, name, NULL);
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autofree char *title_before = g_strdup (gtk_window_get_title (GTK_WINDOW (window)));
  ChanceryStore *store_before = chancery_window_get_store (window);
  guint n_before = list_n_items ();
  GtkWindow *dialog;
  const char *body;

  g_assert_true (g_file_set_contents (path, contents, -1, NULL));
  chancery_window_open_file (window, file);
  g_assert_true (wait_until (dialog_shown, NULL, 20000));
  wait_idle ();

  dialog = find_message_dialog ();
  body = adw_message_dialog_get_body (ADW_MESSAGE_DIALOG (dialog));
  g_test_message ("%s: %s — %s", name, adw_message_dialog_get_heading (ADW_MESSAGE_DIALOG (dialog)), body);
  g_assert_nonnull (strstr (adw_message_dialog_get_heading (ADW_MESSAGE_DIALOG (dialog)), name));
  g_assert_true (body != NULL && *body != '\0');

  /* The dataset that was open stays open. */
  g_assert_true (chancery_window_get_store (window) == store_before);
  g_assert_cmpstr (gtk_window_get_title (GTK_WINDOW (window)), ==, title_before);
  g_assert_cmpuint (list_n_items (), ==, n_before);

  /* What Escape does: the close response, then the dialog goes. */
  gtk_window_close (dialog);
  g_assert_true (wait_until (dialog_gone, NULL, 5000));
}

static void
test_bad_database (void)
{
  check_bad_file ("notes.db", "These are my notes, not a database.\n");
}

static void
test_bad_json (void)
{
  check_bad_file ("broken.json", "{ \"format\": \"chancery\", \"version\": 1, \"events\": [ {\"id\": ");
}

/* A file with many problems: the dialog says the first, the others
 * scroll under it, and the dialog (its Close button) fits on the screen. */
static void
test_bad_json_many_problems (void)
{
  g_autofree char *path = g_build_filename (data_home, "many-problems.json", NULL);
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(GString) json = g_string_new ("{ \"format\": \"chancery\", \"version\": 1, \"events\": [\n");
  GtkWindow *dialog;
  GtkWidget *extra;
  GdkRectangle monitor;
  int height;

  for (guint i = 0; i < 300; i++)
    g_string_append_printf (json, "%s  { \"id\": \"e%u\", \"kind\": \"visit\", \"status\": \"occurred\","
                            " \"title\": \"T\", \"date\": \"2025-13-%02u\" }", i > 0 ? ",\n" : "", i, i % 28 + 1);
  g_string_append (json, "\n] }\n");
  g_assert_true (g_file_set_contents (path, json->str, -1, NULL));

  chancery_window_open_file (window, file);
  g_assert_true (wait_until (dialog_shown, NULL, 20000));
  wait_idle ();
  run_for (300);

  dialog = find_message_dialog ();
  g_assert_null (strchr (adw_message_dialog_get_body (ADW_MESSAGE_DIALOG (dialog)), '\n'));
  test_assert_contains (adw_message_dialog_get_body (ADW_MESSAGE_DIALOG (dialog)), "many-problems.json:");
  extra = adw_message_dialog_get_extra_child (ADW_MESSAGE_DIALOG (dialog));
  g_assert_true (GTK_IS_SCROLLED_WINDOW (extra));
  /* The label, in the viewport the scrolled window puts around it. */
  test_assert_contains (gtk_label_get_text (GTK_LABEL (gtk_viewport_get_child (
                          GTK_VIEWPORT (gtk_scrolled_window_get_child (GTK_SCROLLED_WINDOW (extra)))))),
                        "stopped after 50 problems");
  gdk_monitor_get_geometry (gdk_display_get_monitor_at_surface (gtk_widget_get_display (GTK_WIDGET (dialog)),
                                                                gtk_native_get_surface (GTK_NATIVE (dialog))),
                            &monitor);
  height = gtk_widget_get_height (GTK_WIDGET (dialog));
  g_test_message ("dialog %d px high on a %d px screen", height, monitor.height);
  g_assert_cmpint (height, >, 0);
  g_assert_cmpint (height, <, monitor.height * 3 / 4);

  gtk_window_close (dialog);
  g_assert_true (wait_until (dialog_gone, NULL, 5000));
}

static gboolean
recent_menu_has (gpointer data)
{
  GMenuModel *menu = child ("recent_menu");

  for (int i = 0; i < g_menu_model_get_n_items (menu); i++)
    {
      g_autoptr(GVariant) target = g_menu_model_get_item_attribute_value (menu, i, G_MENU_ATTRIBUTE_TARGET,
                                                                           G_VARIANT_TYPE_STRING);
      if (target != NULL && g_strcmp0 (g_variant_get_string (target, NULL), data) == 0)
        return TRUE;
    }
  return FALSE;
}

static void
test_import_json (void)
{
  const char *root = g_getenv ("CHANCERY_SOURCE_ROOT");
  g_autofree char *json = g_build_filename (root, "data", "kayhan-146663.json", NULL);
  g_autofree char *db = g_build_filename (data_home, "chancery", "kayhan-146663.db", NULL);
  g_autoptr(GFile) file = g_file_new_for_path (json);
  g_autoptr(GFile) bundled = g_file_new_for_path (chancery_default_database_path ());
  guint n_before = list_n_items ();
  g_autofree char *recent_uri = NULL;

  chancery_window_open_file (window, file);
  wait_idle ();
  g_assert_null (find_message_dialog ());
  g_assert_cmpstr (chancery_store_get_path (chancery_window_get_store (window)), ==, db);
  g_assert_true (g_file_test (db, G_FILE_TEST_IS_REGULAR));
  g_assert_cmpuint (list_n_items (), ==, n_before);

  /* The file is in the Recent menu, which opens it again. */
  recent_uri = g_file_get_uri (file);
  g_assert_true (wait_until (recent_menu_has, recent_uri, 5000));

  /* Back to the bundled dataset for what follows. */
  chancery_window_open_file (window, bundled);
  wait_idle ();
  g_assert_cmpstr (chancery_store_get_path (chancery_window_get_store (window)), ==,
                   chancery_default_database_path ());
}

static GtkDropTarget *
find_drop_target (void)
{
  g_autoptr(GListModel) controllers = gtk_widget_observe_controllers (GTK_WIDGET (window));

  for (guint i = 0; i < g_list_model_get_n_items (controllers); i++)
    {
      g_autoptr(GtkEventController) controller = g_list_model_get_item (controllers, i);

      if (GTK_IS_DROP_TARGET (controller))
        return GTK_DROP_TARGET (controller);
    }

  return NULL;
}

/* A file dropped onto the window opens like Open does. GTK 4.8 cannot fake a
 * drag under Xvfb, so the test hands the drop target the file list that a
 * drag from a file manager delivers. */
static void
test_drop_file (void)
{
  const char *root = g_getenv ("CHANCERY_SOURCE_ROOT");
  g_autofree char *json = g_build_filename (root, "data", "kayhan-146663.json", NULL);
  g_autofree char *db = g_build_filename (data_home, "chancery", "kayhan-146663.db", NULL);
  g_autoptr(GFile) file = g_file_new_for_path (json);
  g_autoptr(GFile) bundled = g_file_new_for_path (chancery_default_database_path ());
  g_autoptr(GSList) files = g_slist_prepend (NULL, file);
  g_auto(GValue) value = G_VALUE_INIT;
  GtkDropTarget *target = find_drop_target ();
  gboolean accepted = FALSE;

  g_assert_nonnull (target);
  g_assert_cmpuint (gtk_drop_target_get_actions (target) & GDK_ACTION_COPY, ==, GDK_ACTION_COPY);

  g_value_init (&value, GDK_TYPE_FILE_LIST);
  g_value_take_boxed (&value, gdk_file_list_new_from_list (files));
  g_signal_emit_by_name (target, "drop", &value, 10.0, 10.0, &accepted);
  g_assert_true (accepted);
  wait_idle ();

  g_assert_null (find_message_dialog ());
  g_assert_cmpstr (chancery_store_get_path (chancery_window_get_store (window)), ==, db);

  chancery_window_open_file (window, bundled);
  wait_idle ();
  g_assert_cmpstr (chancery_store_get_path (chancery_window_get_store (window)), ==,
                   chancery_default_database_path ());
}

static void
test_cancel_open (void)
{
  const char *root = g_getenv ("CHANCERY_SOURCE_ROOT");
  g_autofree char *json = g_build_filename (root, "data", "kayhan-146663.json", NULL);
  g_autoptr(GFile) file = g_file_new_for_path (json);
  ChanceryStore *before = chancery_window_get_store (window);

  /* Cancel at once, as Escape or the Cancel button would. */
  chancery_window_open_file (window, file);
  g_assert_true (chancery_window_get_busy (window));
  gtk_widget_activate_action (GTK_WIDGET (window), "win.cancel", NULL);
  wait_idle ();

  g_assert_null (find_message_dialog ());
  g_assert_true (chancery_window_get_store (window) == before);
  /* Cancelled before its spinner was due: it does not turn later. */
  run_for (1100);
  g_assert_false (gtk_spinner_get_spinning (GTK_SPINNER (child ("loading_spinner"))));
  g_assert_cmpstr (chancery_store_get_path (before), ==, chancery_default_database_path ());
}

static gboolean
spinner_turns_or_done (gpointer data)
{
  return gtk_spinner_get_spinning (GTK_SPINNER (child ("loading_spinner"))) ||
         !chancery_window_get_busy (window);
}

/* The loading card shows at once, with what is opening and Cancel; its
 * spinner turns only once the open has taken a second (each turn is a
 * frame, taken from the threads reading the file). The open is held for
 * as long as the test wants: another connection holds the file locked,
 * and the store waits for it (its busy timeout is 5 s). */
static void
test_spinner_after_a_second (void)
{
  g_autofree char *path = g_build_filename (data_home, "locked.db", NULL);
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(GFile) bundled = g_file_new_for_path (chancery_default_database_path ());
  ChanceryStore *before = chancery_window_get_store (window);
  GtkSpinner *spinner = GTK_SPINNER (child ("loading_spinner"));
  sqlite3 *lock = NULL;
  gint64 opened;

  g_assert_true (g_file_copy (bundled, file, G_FILE_COPY_OVERWRITE, NULL, NULL, NULL, NULL));
  g_assert_cmpint (sqlite3_open_v2 (path, &lock, SQLITE_OPEN_READWRITE, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (lock, "BEGIN EXCLUSIVE", NULL, NULL, NULL), ==, SQLITE_OK);

  chancery_window_open_file (window, file);
  opened = g_get_monotonic_time ();
  g_assert_true (chancery_window_get_busy (window));
  g_assert_true (gtk_widget_get_visible (child ("loading_box")));
  g_assert_false (gtk_spinner_get_spinning (spinner));

  run_for (300);
  g_assert_true (chancery_window_get_busy (window));
  g_assert_false (gtk_spinner_get_spinning (spinner));

  g_assert_true (wait_until (spinner_turns_or_done, NULL, 3000));
  g_test_message ("the spinner turned after %.0f ms",
                  (g_get_monotonic_time () - opened) / 1000.0);
  g_assert_true (chancery_window_get_busy (window));
  g_assert_true (gtk_spinner_get_spinning (spinner));
  g_assert_cmpint (g_get_monotonic_time () - opened, >=, 900 * 1000);

  /* Cancelled, then let go: the open ends without showing the file. */
  gtk_widget_activate_action (GTK_WIDGET (window), "win.cancel", NULL);
  sqlite3_exec (lock, "ROLLBACK", NULL, NULL, NULL);
  sqlite3_close (lock);
  g_assert_true (wait_until (window_not_busy, NULL, 30000));
  g_assert_false (gtk_widget_get_visible (child ("loading_box")));
  g_assert_false (gtk_spinner_get_spinning (spinner));
  g_assert_true (chancery_window_get_store (window) == before);
  g_unlink (path);
}

static gboolean
other_window_not_busy (gpointer data)
{
  return !chancery_window_get_busy (data);
}

static gboolean
other_window_has_store (gpointer data)
{
  return chancery_window_get_store (data) != NULL;
}

/* A window made for a file (as the application makes its first one)
 * starts reading the file before it is built. Cancelled at once, the
 * import started early stops: no dataset, no dialog, nothing written.
 * Another such window shows its file as the first window does. */
static void
test_new_for_file (void)
{
  g_autofree char *path = g_build_filename (data_home, "early.json", NULL);
  g_autofree char *db = g_build_filename (data_home, "chancery", "early.db", NULL);
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(GFile) bundled = g_file_new_for_path (chancery_default_database_path ());
  g_autofree char *copy = g_build_filename (data_home, "never-checked.db", NULL);
  g_autoptr(GFile) file_copy = g_file_new_for_path (copy);
  ChanceryStore *store = chancery_window_get_store (window);
  ChanceryWindow *other;
  ChanceryIndex *index;

  test_write_slow_json (path);
  other = chancery_window_new_for_file (app, file);
  g_assert_true (chancery_window_get_busy (other));
  gtk_window_present (GTK_WINDOW (other));
  gtk_widget_activate_action (GTK_WIDGET (other), "win.cancel", NULL);
  g_assert_true (wait_until (other_window_not_busy, other, 30000));
  g_assert_null (chancery_window_get_store (other));
  g_assert_null (chancery_timeline_get_index (chancery_window_get_timeline (other)));
  g_assert_false (g_file_test (db, G_FILE_TEST_EXISTS));
  g_assert_null (find_message_dialog ());
  gtk_window_destroy (GTK_WINDOW (other));
  g_unlink (path);

  other = chancery_window_new_for_file (app, bundled);
  gtk_window_present (GTK_WINDOW (other));
  g_assert_true (wait_until (other_window_not_busy, other, 60000));
  g_assert_nonnull (chancery_window_get_store (other));
  g_assert_cmpstr (chancery_store_get_path (chancery_window_get_store (other)), ==,
                   chancery_default_database_path ());
  index = chancery_timeline_get_index (chancery_window_get_timeline (other));
  g_assert_nonnull (index);
  g_assert_cmpuint (index->n_events, ==, chancery_store_count_events (store, NULL, NULL));
  gtk_window_destroy (GTK_WINDOW (other));

  /* Closed as soon as it shows a file never checked (its check waits for
   * the next paint): nothing is left waiting, and nothing warns. */
  g_assert_true (g_file_copy (bundled, file_copy, G_FILE_COPY_OVERWRITE, NULL, NULL, NULL, NULL));
  other = chancery_window_new_for_file (app, file_copy);
  gtk_window_present (GTK_WINDOW (other));
  g_assert_true (wait_until (other_window_has_store, other, 60000));
  g_assert_true (chancery_window_get_checking (other));
  gtk_window_destroy (GTK_WINDOW (other));
  run_for (200);
  g_unlink (copy);
}

static void
on_store_shown_cb (GObject    *object,
                   GParamSpec *pspec,
                   gpointer    user_data)
{
  GPtrArray *shown = user_data;
  ChanceryStore *store = chancery_window_get_store (window);

  if (store != NULL)
    g_ptr_array_add (shown, g_strdup (chancery_store_get_path (store)));
}

static char *
file_sha256 (const char *path)
{
  g_autofree char *contents = NULL;
  gsize length = 0;

  g_assert_true (g_file_get_contents (path, &contents, &length, NULL));
  return g_compute_checksum_for_data (G_CHECKSUM_SHA256, (const guchar *) contents, length);
}

/* A file never opened before is shown without waiting for the check of
 * the whole file, which runs in the background. This one has a damaged
 * page that showing it does not read: it opens, then the check finds the
 * damage, the dataset goes, and a dialog says which file and what is
 * wrong. The file is not changed. Then, from the empty window, another
 * open shows its loading card alone. */
static void
test_damaged_found_in_background (void)
{
  g_autofree char *path = g_build_filename (data_home, "damaged-index.db", NULL);
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(GFile) bundled = g_file_new_for_path (chancery_default_database_path ());
  g_autoptr(GPtrArray) shown = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;
  g_autofree char *uri = g_file_get_uri (file);
  g_autofree char *json = g_build_filename (g_getenv ("CHANCERY_SOURCE_ROOT"), "data",
                                            "kayhan-146663.json", NULL);
  g_autoptr(GFile) json_file = g_file_new_for_path (json);
  GtkWidget *empty_page;
  GtkWindow *dialog;
  const char *heading, *body;
  gulong handler;

  g_assert_true (g_file_copy (bundled, file, G_FILE_COPY_OVERWRITE, NULL, NULL, NULL, NULL));
  test_damage_root_page (path, "event_link_by_target");
  before = file_sha256 (path);

  handler = g_signal_connect (window, "notify::store", G_CALLBACK (on_store_shown_cb), shown);
  chancery_window_open_file (window, file);
  g_assert_true (wait_until (dialog_shown, NULL, 30000));
  g_signal_handler_disconnect (window, handler);
  wait_until (always_false, NULL, 100);

  /* It was opened and shown (the fast path read it)... */
  g_assert_cmpuint (shown->len, >=, 1);
  g_assert_cmpstr (g_ptr_array_index (shown, 0), ==, path);
  /* ...then the check found the damage, and said so. */
  dialog = find_message_dialog ();
  heading = adw_message_dialog_get_heading (ADW_MESSAGE_DIALOG (dialog));
  body = adw_message_dialog_get_body (ADW_MESSAGE_DIALOG (dialog));
  g_test_message ("%s — %s", heading, body);
  g_assert_nonnull (strstr (heading, "damaged-index.db"));
  g_assert_nonnull (strstr (heading, "Damaged"));
  g_assert_nonnull (strstr (body, path));
  g_assert_nonnull (strstr (body, "damaged"));

  /* The dataset is gone: nothing of it on screen. */
  g_assert_false (chancery_window_get_checking (window));
  g_assert_null (chancery_window_get_store (window));
  g_assert_null (chancery_timeline_get_index (timeline ()));
  g_assert_cmpuint (list_n_items (), ==, 0);
  g_assert_cmpstr (gtk_stack_get_visible_child_name (GTK_STACK (child ("main_stack"))), ==, "empty");
  g_assert_cmpstr (gtk_window_get_title (GTK_WINDOW (window)), ==, "Chancery");
  /* Not offered again as a recent file. */
  g_assert_false (recent_menu_has (uri));

  after = file_sha256 (path);
  g_assert_cmpstr (before, ==, after);

  gtk_window_close (dialog);
  g_assert_true (wait_until (dialog_gone, NULL, 5000));

  /* While a file opens into the empty window, the loading card takes the
   * empty page's place: not drawn under the card, its Open button not
   * live; when the open is cancelled the page comes back. */
  empty_page = gtk_stack_get_child_by_name (GTK_STACK (child ("main_stack")), "empty");
  chancery_window_open_file (window, json_file);
  g_assert_true (chancery_window_get_busy (window));
  g_assert_true (gtk_widget_get_visible (child ("loading_box")));
  g_assert_false (gtk_widget_get_mapped (empty_page));
  gtk_widget_activate_action (GTK_WIDGET (window), "win.cancel", NULL);
  g_assert_true (wait_until (window_not_busy, NULL, 10000));
  g_assert_null (chancery_window_get_store (window));
  g_assert_false (gtk_widget_get_visible (child ("loading_box")));
  g_assert_true (gtk_widget_get_mapped (empty_page));

  /* Back to the bundled dataset for what follows. */
  chancery_window_open_file (window, bundled);
  wait_idle ();
  g_assert_cmpstr (chancery_store_get_path (chancery_window_get_store (window)), ==,
                   chancery_default_database_path ());
}

/* Whether a label under widget shows a text containing needle. */
static gboolean
shows_text (GtkWidget  *widget,
            const char *needle)
{
  if (GTK_IS_LABEL (widget) && gtk_widget_get_mapped (widget) &&
      strstr (gtk_label_get_text (GTK_LABEL (widget)), needle) != NULL)
    return TRUE;
  for (GtkWidget *c = gtk_widget_get_first_child (widget); c != NULL; c = gtk_widget_get_next_sibling (c))
    if (shows_text (c, needle))
      return TRUE;
  return FALSE;
}

static gboolean
check_toast_shown (gpointer data)
{
  return shows_text (GTK_WIDGET (window), "Could not check");
}

static void
on_store_shown_move_away_cb (GObject    *object,
                             GParamSpec *pspec,
                             gpointer    user_data)
{
  const char *const *paths = user_data;
  ChanceryStore *store = chancery_window_get_store (window);

  /* The dataset is shown; its background check has not started yet. */
  if (store != NULL && g_strcmp0 (chancery_store_get_path (store), paths[0]) == 0)
    g_assert_cmpint (g_rename (paths[0], paths[1]), ==, 0);
}

/* A check that cannot read the file (here: moved away once shown) is not
 * damage: what is shown stays, a notification says the check failed, and
 * the file is not remembered (not in recent files). */
static void
test_check_fails_without_damage (void)
{
  g_autofree char *path = g_build_filename (data_home, "moved-away.db", NULL);
  g_autofree char *moved = g_build_filename (data_home, "moved-away-elsewhere.db", NULL);
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(GFile) bundled = g_file_new_for_path (chancery_default_database_path ());
  g_autofree char *uri = g_file_get_uri (file);
  const char *paths[] = { path, moved };
  gulong handler;

  g_assert_true (g_file_copy (bundled, file, G_FILE_COPY_OVERWRITE, NULL, NULL, NULL, NULL));

  handler = g_signal_connect (window, "notify::store", G_CALLBACK (on_store_shown_move_away_cb), paths);
  chancery_window_open_file (window, file);
  g_assert_true (wait_until (check_toast_shown, NULL, 30000));
  g_signal_handler_disconnect (window, handler);

  g_assert_false (g_file_test (path, G_FILE_TEST_EXISTS));
  g_assert_false (chancery_window_get_checking (window));
  /* Still shown, no dialog. */
  g_assert_nonnull (chancery_window_get_store (window));
  g_assert_cmpstr (chancery_store_get_path (chancery_window_get_store (window)), ==, path);
  g_assert_cmpuint (list_n_items (), ==, 22);
  g_assert_null (find_message_dialog ());
  g_assert_false (recent_menu_has (uri));

  chancery_window_open_file (window, bundled);
  wait_idle ();
  g_assert_cmpstr (chancery_store_get_path (chancery_window_get_store (window)), ==,
                   chancery_default_database_path ());
  g_unlink (moved);
}

static void
prepare_for_screenshot (void)
{
  chancery_window_select_event (window, test_richest_event (window));
  gtk_widget_activate_action (GTK_WIDGET (window), "win.zoom-fit", NULL);
  run_for (500);
}

static void
test_screenshot (void)
{
  prepare_for_screenshot ();
  save_screenshot ("screenshot.png");
}

static void
test_screenshot_dark (void)
{
  AdwStyleManager *manager = adw_style_manager_get_default ();

  adw_style_manager_set_color_scheme (manager, ADW_COLOR_SCHEME_FORCE_DARK);
  run_for (500);
  save_screenshot ("screenshot-dark.png");
  adw_style_manager_set_color_scheme (manager, ADW_COLOR_SCHEME_DEFAULT);
  run_for (200);
}

static gboolean
window_narrow (gpointer data)
{
  return gtk_widget_get_width (GTK_WIDGET (window)) <= GPOINTER_TO_INT (data);
}

static gboolean
window_wide (gpointer data)
{
  return gtk_widget_get_width (GTK_WIDGET (window)) >= GPOINTER_TO_INT (data);
}

static gboolean
flap_revealed (AdwFlap *flap)
{
  return adw_flap_get_reveal_flap (flap) && adw_flap_get_reveal_progress (flap) > 0.99;
}

/* Enter where the focus is opens the folded details over the content
 * with the focus in them; Escape closes them and the focus goes back
 * into back. */
static void
open_and_close_details_by_keys (AdwFlap   *detail_flap,
                                GtkWidget *back)
{
  GtkWidget *focus;

  xdotool ("key", "Return", NULL);
  g_assert_true (wait_until ((GSourceFunc) flap_revealed, detail_flap, 5000));
  g_assert_true (gtk_widget_is_ancestor (gtk_root_get_focus (GTK_ROOT (window)), child ("detail_pane")));
  xdotool ("key", "Escape", NULL);
  run_for (500);
  g_assert_false (adw_flap_get_reveal_flap (detail_flap));
  focus = gtk_root_get_focus (GTK_ROOT (window));
  g_assert_true (focus == back || gtk_widget_is_ancestor (focus, back));
}

/* The panes fold as the window narrows: the filters first (over the
 * content), then the details, which open over the content when an event
 * is asked for and close with Escape. Folding is the window's doing, not
 * the user's: the saved choices stay, and a wide window shows both again. */
static void
test_screenshot_narrow (void)
{
  g_autoptr(GSettings) settings = g_settings_new ("io.github.chancery.Chancery");
  AdwFlap *sidebar_flap = child ("flap");
  AdwFlap *detail_flap = child ("detail_flap");
  ChanceryIndex *index = chancery_timeline_get_index (timeline ());
  gboolean visible;

  g_assert_true (g_settings_get_boolean (settings, "detail-visible"));
  g_assert_true (g_settings_get_boolean (settings, "sidebar-visible"));

  /* A small window: the filters fold away over the content. */
  gtk_window_set_default_size (GTK_WINDOW (window), 760, 640);
  g_assert_true (wait_until (window_narrow, GINT_TO_POINTER (760), 5000));
  run_for (300);
  save_screenshot ("screenshot-narrow.png");
  g_assert_true (adw_flap_get_folded (sidebar_flap));
  g_assert_false (adw_flap_get_reveal_flap (sidebar_flap));
  g_assert_false (adw_flap_get_folded (detail_flap));
  g_assert_true (gtk_widget_get_mapped (child ("detail_pane")));

  /* Narrower: the details fold too, and the timeline keeps the width. */
  gtk_window_set_default_size (GTK_WINDOW (window), 560, 640);
  g_assert_true (wait_until (window_narrow, GINT_TO_POINTER (560), 5000));
  run_for (500);
  g_assert_true (adw_flap_get_folded (detail_flap));
  g_assert_false (adw_flap_get_reveal_flap (detail_flap));
  g_assert_cmpint (gtk_widget_get_width (GTK_WIDGET (timeline ())), >, 480);
  g_object_get (window, "detail-visible", &visible, NULL);
  g_assert_false (visible);
  g_assert_true (g_settings_get_boolean (settings, "detail-visible"));
  g_assert_true (g_settings_get_boolean (settings, "sidebar-visible"));

  /* Asking for an event's details opens them over the content. */
  g_assert_nonnull (index);
  g_signal_emit_by_name (timeline (), "event-activated", index->events[0].id);
  g_assert_true (wait_until ((GSourceFunc) flap_revealed, detail_flap, 5000));
  g_assert_cmpstr (detail_title (), ==, chancery_index_get_title (index, 0));
  g_assert_true (gtk_widget_is_ancestor (gtk_root_get_focus (GTK_ROOT (window)), child ("detail_pane")));
  save_screenshot ("screenshot-narrow-details.png");
  gtk_widget_activate_action (GTK_WIDGET (window), "win.show-detail", NULL);
  run_for (500);
  g_assert_false (adw_flap_get_reveal_flap (detail_flap));
  g_assert_true (g_settings_get_boolean (settings, "detail-visible"));

  /* By keyboard: Enter on the timeline opens the details with the focus
   * in them; Escape closes them, the focus goes back to the timeline and
   * the event stays chosen (a second Escape there would drop it). */
  if (have_xdotool ())
    {
      gint64 chosen;

      xdotool_focus_window ();
      gtk_widget_grab_focus (GTK_WIDGET (timeline ()));
      run_for (100);
      chosen = chancery_timeline_get_selected_id (timeline ());
      g_assert_cmpint (chosen, >=, 0);
      open_and_close_details_by_keys (detail_flap, GTK_WIDGET (timeline ()));
      g_assert_cmpint (chancery_timeline_get_selected_id (timeline ()), ==, chosen);
      g_assert_true (g_settings_get_boolean (settings, "detail-visible"));

      /* The same from the list: the focus goes back to the chosen row. */
      g_assert_true (chancery_event_list_focus_selected (child ("event_list")));
      run_for (100);
      open_and_close_details_by_keys (detail_flap, child ("event_list"));
      g_assert_cmpint (chancery_timeline_get_selected_id (timeline ()), ==, chosen);
    }

  gtk_window_set_default_size (GTK_WINDOW (window), 1400, 900);
  g_assert_true (wait_until (window_wide, GINT_TO_POINTER (1300), 5000));
  run_for (500);
  g_assert_false (adw_flap_get_folded (sidebar_flap));
  g_assert_false (adw_flap_get_folded (detail_flap));
  g_assert_true (adw_flap_get_reveal_flap (sidebar_flap));
  g_assert_true (adw_flap_get_reveal_flap (detail_flap));
  g_assert_true (gtk_widget_get_mapped (child ("detail_pane")));

  /* Panes the user hid while wide stay hidden through folding and
   * unfolding, and their settings say so throughout. */
  g_object_set (window, "sidebar-visible", FALSE, "detail-visible", FALSE, NULL);
  g_assert_false (g_settings_get_boolean (settings, "sidebar-visible"));
  g_assert_false (g_settings_get_boolean (settings, "detail-visible"));
  gtk_window_set_default_size (GTK_WINDOW (window), 560, 640);
  g_assert_true (wait_until (window_narrow, GINT_TO_POINTER (560), 5000));
  run_for (300);
  gtk_window_set_default_size (GTK_WINDOW (window), 1400, 900);
  g_assert_true (wait_until (window_wide, GINT_TO_POINTER (1300), 5000));
  run_for (300);
  g_assert_false (adw_flap_get_reveal_flap (sidebar_flap));
  g_assert_false (adw_flap_get_reveal_flap (detail_flap));
  g_assert_false (g_settings_get_boolean (settings, "sidebar-visible"));
  g_assert_false (g_settings_get_boolean (settings, "detail-visible"));

  /* Filters hidden while wide; at 900 px they fold, and the details
   * closed there give the content room to unfold them: still hidden. */
  g_object_set (window, "detail-visible", TRUE, NULL);
  gtk_window_set_default_size (GTK_WINDOW (window), 900, 640);
  g_assert_true (wait_until (window_narrow, GINT_TO_POINTER (900), 5000));
  run_for (300);
  g_object_set (window, "detail-visible", FALSE, NULL);
  run_for (300);
  g_assert_false (adw_flap_get_reveal_flap (sidebar_flap));
  g_assert_false (g_settings_get_boolean (settings, "sidebar-visible"));

  g_object_set (window, "sidebar-visible", TRUE, "detail-visible", TRUE, NULL);
  gtk_window_set_default_size (GTK_WINDOW (window), 1400, 900);
  g_assert_true (wait_until (window_wide, GINT_TO_POINTER (1300), 5000));
  run_for (300);
  g_assert_true (g_settings_get_boolean (settings, "sidebar-visible"));
  g_assert_true (g_settings_get_boolean (settings, "detail-visible"));
}

/* The filter chips' box: children in order at their natural widths, on
 * as many lines as the width needs, from the start side. */
static void
test_wrap_box (void)
{
  static const int widths[] = { 100, 150, 80, 200, 120 };
  /* at 300 px with 6 px between: [100 150] [80 200] [120] */
  static const int line_of[] = { 0, 0, 1, 1, 2 };
  static const int x_ltr[] = { 0, 106, 0, 86, 0 };
  GtkWidget *box = g_object_ref_sink (chancery_wrap_box_new ());
  GtkWidget *children[G_N_ELEMENTS (widths)];
  int minimum, natural;

  g_object_set (box, "column-spacing", 6, "row-spacing", 4, NULL);
  for (guint i = 0; i < G_N_ELEMENTS (widths); i++)
    {
      children[i] = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 0);
      gtk_widget_set_size_request (children[i], widths[i], 20);
      chancery_wrap_box_append (CHANCERY_WRAP_BOX (box), children[i]);
    }

  gtk_widget_measure (box, GTK_ORIENTATION_HORIZONTAL, -1, &minimum, &natural, NULL, NULL);
  g_assert_cmpint (minimum, ==, 200);
  g_assert_cmpint (natural, ==, 100 + 150 + 80 + 200 + 120 + 4 * 6);
  gtk_widget_measure (box, GTK_ORIENTATION_VERTICAL, 300, &minimum, &natural, NULL, NULL);
  g_assert_cmpint (minimum, ==, 3 * 20 + 2 * 4);
  gtk_widget_measure (box, GTK_ORIENTATION_VERTICAL, 1000, &minimum, &natural, NULL, NULL);
  g_assert_cmpint (minimum, ==, 20);

  for (int rtl = 0; rtl < 2; rtl++)
    {
      gtk_widget_set_direction (box, rtl ? GTK_TEXT_DIR_RTL : GTK_TEXT_DIR_LTR);
      gtk_widget_size_allocate (box, &(GtkAllocation) { 0, 0, 300, 68 }, -1);
      for (guint i = 0; i < G_N_ELEMENTS (widths); i++)
        {
          graphene_rect_t bounds;

          g_assert_true (gtk_widget_compute_bounds (children[i], box, &bounds));
          g_assert_cmpfloat (bounds.size.width, ==, widths[i]);
          g_assert_cmpfloat (bounds.origin.y, ==, line_of[i] * 24);
          g_assert_cmpfloat (bounds.origin.x, ==, rtl ? 300 - x_ltr[i] - widths[i] : x_ltr[i]);
        }
    }

  /* A child wider than the line gets the line, no more (down to its
   * minimum); the hidden ones take no room. */
  gtk_widget_set_visible (children[1], FALSE);
  gtk_widget_set_direction (box, GTK_TEXT_DIR_LTR);
  gtk_widget_size_allocate (box, &(GtkAllocation) { 0, 0, 190, 200 }, -1);
  {
    graphene_rect_t bounds;

    g_assert_true (gtk_widget_compute_bounds (children[2], box, &bounds));
    g_assert_cmpfloat (bounds.origin.x, ==, 106);
    g_assert_cmpfloat (bounds.origin.y, ==, 0);
    g_assert_true (gtk_widget_compute_bounds (children[3], box, &bounds));
    g_assert_cmpfloat (bounds.size.width, ==, 200);
    g_assert_cmpfloat (bounds.origin.y, ==, 24);
  }

  chancery_wrap_box_remove_all (CHANCERY_WRAP_BOX (box));
  g_assert_null (gtk_widget_get_first_child (box));
  g_object_unref (box);
}

static GtkWidget *
find_list_box (GtkWidget *root)
{
  if (GTK_IS_LIST_BOX (root))
    return root;
  for (GtkWidget *c = gtk_widget_get_first_child (root); c != NULL; c = gtk_widget_get_next_sibling (c))
    {
      GtkWidget *found = find_list_box (c);

      if (found != NULL)
        return found;
    }
  return NULL;
}

/* The first "+n" badge counting more than one event, scanning the
 * timeline from the top; asserts there is one. */
static void
find_badge (double *bx,
            double *by)
{
  ChanceryTimeline *tl = timeline ();
  double width = gtk_widget_get_width (GTK_WIDGET (tl));
  double height = gtk_widget_get_height (GTK_WIDGET (tl));

  for (double y = CHANCERY_SCENE_AXIS_HEIGHT; y < height; y += 2)
    for (double x = 0; x < width; x += 4)
      if (chancery_timeline_get_hidden_count_at (tl, x, y) > 1)
        {
          *bx = x;
          *by = y;
          return;
        }
  g_assert_not_reached ();
}

/* 8 December 2025, the bundled dataset's busiest day, over two days:
 * the tester's view, where the Iran lane has a badge. */
static gint32
show_busiest_day (void)
{
  GDate date;
  gint32 day;

  g_date_clear (&date, 1);
  g_date_set_dmy (&date, 8, 12, 2025);
  day = (gint32) g_date_get_julian (&date) - 719163;
  chancery_window_select_event (window, -1);
  chancery_timeline_set_view (timeline (), day - 0.5, day + 1.5);
  run_for (200);
  return day;
}

static gint64
row_event_id (GtkWidget *row)
{
  return *(const gint64 *) g_object_get_data (G_OBJECT (row), "event-id");
}

/* Row n of a list box, counting from 0; NULL past the end. */
static GtkWidget *
nth_row (GtkWidget *list,
         guint      n)
{
  GtkWidget *row = gtk_widget_get_first_child (list);

  for (; row != NULL && n > 0; n--)
    row = gtk_widget_get_next_sibling (row);
  return row;
}

/* Grouped by country, the Iran lane has more events on 8 December 2025
 * than rows, and no zoom separates one day: its "+n" badge lists them,
 * and choosing one selects it in the whole window (detail pane and list),
 * as a click on its bar does. */
/* Whether widget shows a tooltip at x, y, asked the way GTK asks. */
static gboolean
tooltip_shown_at (GtkWidget *widget,
                  double     x,
                  double     y)
{
  g_autoptr(GtkTooltip) tooltip = g_object_new (GTK_TYPE_TOOLTIP, NULL);
  gboolean shown = FALSE;

  if (!gtk_widget_get_has_tooltip (widget))
    return FALSE;
  g_signal_emit_by_name (widget, "query-tooltip", (int) x, (int) y, FALSE, tooltip, &shown);
  return shown;
}

static void
test_badge_lists_hidden_events (void)
{
  ChanceryTimeline *tl = timeline ();
  ChanceryIndex *index = chancery_timeline_get_index (tl);
  gint32 day;
  double bx = -1, by = -1;
  GtkPopover *popover;
  GtkWidget *list, *row;
  g_autofree char *expected = NULL;
  g_autofree char *tooltip = NULL;
  gint64 id;

  day = show_busiest_day ();
  find_badge (&bx, &by);
  tooltip = chancery_timeline_get_badge_tooltip_at (tl, bx, by);
  g_assert_nonnull (strstr (tooltip, "click to list them"));
  g_assert_null (strstr (tooltip, "zoom"));
  g_assert_true (tooltip_shown_at (GTK_WIDGET (tl), bx, by));

  chancery_timeline_click_at (tl, bx, by);
  run_for (200);
  popover = chancery_timeline_get_badge_popover (tl);
  g_assert_nonnull (popover);
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (popover)));
  /* The badge's tooltip does not cover the list's heading. */
  g_assert_false (tooltip_shown_at (GTK_WIDGET (tl), bx, by));
  list = find_list_box (GTK_WIDGET (popover));
  g_assert_nonnull (list);

  /* Every one of them is a day-8 event of the index, hidden on the timeline. */
  for (row = gtk_widget_get_first_child (list); row != NULL; row = gtk_widget_get_next_sibling (row))
    {
      gint64 row_id = row_event_id (row);
      guint position = chancery_index_find_id (index, row_id);

      g_assert_cmpuint (position, !=, G_MAXUINT);
      g_assert_cmpint (index->events[position].lo, ==, day);
      g_assert_false (chancery_timeline_get_event_area (tl, row_id, NULL));
    }

  row = gtk_widget_get_last_child (list);
  id = row_event_id (row);
  g_signal_emit_by_name (list, "row-activated", row);
  run_for (300);

  g_assert_false (gtk_widget_get_visible (GTK_WIDGET (popover)));
  g_assert_cmpint (chancery_timeline_get_selected_id (tl), ==, id);
  expected = expected_title (id);
  g_assert_cmpstr (detail_title (), ==, expected);
  g_assert_cmpint (chancery_event_list_get_selected_id (child ("event_list")), ==, id);
}

static gboolean
popover_hidden (gpointer data)
{
  return !gtk_widget_get_visible (data);
}

static gboolean
popover_shown (gpointer data)
{
  return gtk_widget_get_visible (data);
}

static gboolean
widget_focused (gpointer data)
{
  return gtk_widget_has_focus (data);
}

/* Presses key on the focused window, a real key through the X server. */
static void
press_key (const char *key)
{
  xdotool ("key", key, NULL);
  run_for (300);
}

/* Left/Right reach every event, even those a badge stands for; Menu or
 * Shift+F10 then lists that badge's events, as it would a context menu,
 * with the focus on the first of them (Enter keeps showing the
 * details). Escape gives the focus back to the timeline and keeps the
 * selection; Enter on a row selects its event. An event with a row of
 * its own has no list to open. */
static void
test_badge_by_keyboard (void)
{
  ChanceryTimeline *tl = timeline ();
  double bx = -1, by = -1;
  GtkPopover *popover;
  GtkWidget *list;
  gint64 ids[3];
  gint64 shown = -1;
  ChanceryIndex *index;

  if (!have_xdotool ())
    {
      g_test_skip ("xdotool is not installed; cannot press keys");
      return;
    }

  /* Three events one badge stands for, as a click lists them. */
  show_busiest_day ();
  find_badge (&bx, &by);
  chancery_timeline_click_at (tl, bx, by);
  run_for (200);
  popover = chancery_timeline_get_badge_popover (tl);
  list = find_list_box (GTK_WIDGET (popover));
  g_assert_nonnull (nth_row (list, 2));
  for (guint i = 0; i < 3; i++)
    ids[i] = row_event_id (nth_row (list, i));
  gtk_popover_popdown (popover);
  run_for (100);

  xdotool_focus_window ();
  chancery_window_select_event (window, ids[1]);
  gtk_widget_grab_focus (GTK_WIDGET (tl));
  run_for (100);
  g_assert_false (chancery_timeline_get_event_area (tl, ids[1], NULL));

  /* Keys go through the X server: on a busy machine they take a while. */
  press_key ("Menu");
  g_assert_true (wait_until (popover_shown, popover, 3000));
  list = find_list_box (GTK_WIDGET (popover));
  g_assert_true (wait_until (widget_focused, gtk_widget_get_first_child (list), 3000));
  g_assert_cmpint (row_event_id (gtk_widget_get_first_child (list)), ==, ids[0]);

  press_key ("Escape");
  g_assert_true (wait_until (popover_hidden, popover, 3000));
  g_assert_true (wait_until (widget_focused, tl, 3000));
  g_assert_cmpint (chancery_timeline_get_selected_id (tl), ==, ids[1]);

  press_key ("shift+F10");
  g_assert_true (wait_until (popover_shown, popover, 3000));
  press_key ("Down");
  press_key ("Down");
  press_key ("Return");
  g_assert_true (wait_until (popover_hidden, popover, 3000));
  g_assert_true (wait_until (widget_focused, tl, 3000));
  g_assert_cmpint (chancery_timeline_get_selected_id (tl), ==, ids[2]);
  g_assert_cmpint (chancery_event_list_get_selected_id (child ("event_list")), ==, ids[2]);

  /* An event drawn in a row: Menu opens nothing. */
  index = chancery_timeline_get_index (tl);
  for (guint i = 0; i < index->n_events && shown < 0; i++)
    if (chancery_timeline_get_event_area (tl, index->events[i].id, NULL))
      shown = index->events[i].id;
  g_assert_cmpint (shown, >=, 0);
  chancery_window_select_event (window, shown);
  gtk_widget_grab_focus (GTK_WIDGET (tl));
  run_for (100);
  press_key ("Menu");
  g_assert_false (gtk_widget_get_visible (GTK_WIDGET (popover)));
  g_assert_cmpint (chancery_timeline_get_selected_id (tl), ==, shown);
}

/* A badge that stands for more events than its list holds (at 1M events
 * one can stand for a thousand) lists the first 100 in time, then says,
 * without being a choice, how many more there are, in the digits and
 * grouping of every other count: rows for all of them would take seconds
 * to build. */
static void
test_badge_list_capped (void)
{
  ChanceryTimeline *tl = timeline ();
  g_autofree char *path = g_build_filename (data_home, "busy-day.json", NULL);
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(GFile) bundled = g_file_new_for_path (chancery_default_database_path ());
  g_autoptr(GString) json = g_string_new ("{ \"format\": \"chancery\", \"version\": 1, "
                                          "\"countries\": [ { \"code\": \"IRN\", \"name\": \"Iran\" } ], "
                                          "\"events\": [");
  const guint n_events = 1200;
  ChanceryIndex *index;
  GDate date;
  gint32 day;
  double bx = -1, by = -1;
  guint hidden;
  GtkWidget *list, *row, *label;
  g_autofree char *more = NULL;
  guint n_rows = 0;

  /* All over the view (begun before it, so that the lane is not drawn as
   * density), all from one day: no zoom spreads them, so only filtering
   * is offered. */
  for (guint i = 0; i < n_events; i++)
    g_string_append_printf (json, "%s{ \"id\": \"busy-%u\", \"kind\": \"meeting\", "
                            "\"status\": \"occurred\", \"title\": \"Meeting %u\", "
                            "\"date\": \"2024-03-01/2024-03-10\", \"countries\": [ \"IRN\" ] }",
                            i > 0 ? ", " : "", i, i);
  g_string_append (json, "] }");
  g_assert_true (g_file_set_contents (path, json->str, -1, NULL));
  chancery_window_open_file (window, file);
  wait_idle ();
  g_assert_null (find_message_dialog ());
  index = chancery_timeline_get_index (tl);
  g_assert_cmpuint (index->n_events, ==, n_events);

  g_date_clear (&date, 1);
  g_date_set_dmy (&date, 5, 3, 2024);
  day = (gint32) g_date_get_julian (&date) - 719163;
  chancery_window_select_event (window, -1);
  chancery_timeline_set_view (tl, day - 0.5, day + 1.5);
  run_for (200);
  find_badge (&bx, &by);
  hidden = chancery_timeline_get_hidden_count_at (tl, bx, by);
  g_test_message ("one badge stands for %u events", hidden);
  g_assert_cmpuint (hidden, >, 1000);

  chancery_timeline_click_at (tl, bx, by);
  run_for (200);
  list = find_list_box (GTK_WIDGET (chancery_timeline_get_badge_popover (tl)));
  g_assert_nonnull (list);
  for (row = gtk_widget_get_first_child (list); row != NULL; row = gtk_widget_get_next_sibling (row))
    n_rows++;
  g_assert_cmpuint (n_rows, ==, 101);

  /* The first in time (the index's order), each selectable. */
  for (guint i = 1; i < 100; i++)
    {
      g_assert_true (gtk_list_box_row_get_activatable (GTK_LIST_BOX_ROW (nth_row (list, i))));
      g_assert_cmpuint (chancery_index_find_id (index, row_event_id (nth_row (list, i - 1))), <,
                        chancery_index_find_id (index, row_event_id (nth_row (list, i))));
    }

  row = gtk_widget_get_last_child (list);
  g_assert_null (g_object_get_data (G_OBJECT (row), "event-id"));
  g_assert_false (gtk_list_box_row_get_activatable (GTK_LIST_BOX_ROW (row)));
  label = gtk_list_box_row_get_child (GTK_LIST_BOX_ROW (row));
  g_assert_true (GTK_IS_LABEL (label));
  g_test_message ("last row: %s", gtk_label_get_text (GTK_LABEL (label)));
  more = chancery_format_count (hidden - 100);
  g_assert_true (g_str_has_prefix (gtk_label_get_text (GTK_LABEL (label)), more));
  g_assert_nonnull (strstr (gtk_label_get_text (GTK_LABEL (label)), ","));
  g_assert_nonnull (strstr (gtk_label_get_text (GTK_LABEL (label)), "filter"));
  g_assert_null (strstr (gtk_label_get_text (GTK_LABEL (label)), "zoom"));

  gtk_popover_popdown (chancery_timeline_get_badge_popover (tl));
  chancery_window_open_file (window, bundled);
  wait_idle ();
  g_assert_cmpstr (chancery_store_get_path (chancery_window_get_store (window)), ==,
                   chancery_default_database_path ());
}

/* Keyboard focus */

static gboolean
focus_is_in (GtkWidget *widget)
{
  GtkWidget *focus = gtk_root_get_focus (GTK_ROOT (window));

  return focus != NULL && (focus == widget || gtk_widget_is_ancestor (focus, widget));
}

static gboolean
focus_moved (gpointer data)
{
  return gtk_root_get_focus (GTK_ROOT (window)) != data;
}

/* Presses Tab, Shift+Tab or an arrow key, with a real key press when
 * xdotool can make one; else asks the window to move the focus, as those
 * keys do (GtkWindow binds them to "move-focus"). */
static void
move_focus (GtkDirectionType direction)
{
  static const char *keys[] = {
    [GTK_DIR_TAB_FORWARD] = "Tab", [GTK_DIR_TAB_BACKWARD] = "shift+Tab",
    [GTK_DIR_UP] = "Up", [GTK_DIR_DOWN] = "Down",
    [GTK_DIR_LEFT] = "Left", [GTK_DIR_RIGHT] = "Right",
  };
  GtkWidget *before = gtk_root_get_focus (GTK_ROOT (window));

  if (have_xdotool ())
    {
      xdotool ("key", keys[direction], NULL);
      wait_until (focus_moved, before, 1000);
    }
  else
    {
      g_signal_emit_by_name (window, "move-focus", direction);
      run_for (20);
    }
}

/* Tabs from where the focus is until it is in target; G_MAXUINT if never. */
static guint
tabs_to (GtkWidget        *target,
         GtkDirectionType  direction)
{
  for (guint stops = 0; stops < 200; stops++)
    {
      if (focus_is_in (target))
        return stops;
      move_focus (direction);
    }
  return G_MAXUINT;
}

static GtkWidget *
filter_pane_child (const char *name)
{
  return GTK_WIDGET (gtk_widget_get_template_child (child ("filter_pane"),
                                                    CHANCERY_TYPE_FILTER_PANE, name));
}

static GtkListBox *
facet_list_box (const char *list_name)
{
  return GTK_LIST_BOX (gtk_widget_get_template_child (filter_pane_child (list_name),
                                                      CHANCERY_TYPE_FACET_LIST, "list_box"));
}

/* A list is one Tab stop and the arrows move inside it, as in GNOME's
 * apps: from the search field to the timeline is a handful of Tabs, not
 * one or two per facet (60 with the bundled data), and the event list is
 * one stop, not one per event. */
static void
test_tab_stops (void)
{
  GtkWidget *search = filter_pane_child ("search_entry");
  GtkWidget *kinds = GTK_WIDGET (facet_list_box ("kinds_list"));
  GtkWidget *list = child ("event_list");
  GtkWidget *row;
  guint stops;

  gtk_widget_activate_action (GTK_WIDGET (window), "win.clear-filters", NULL);
  wait_idle ();
  /* Focus in a window that is not the active one does not move. */
  if (have_xdotool ())
    xdotool_focus_window ();

  gtk_widget_grab_focus (search);
  stops = tabs_to (GTK_WIDGET (timeline ()), GTK_DIR_TAB_FORWARD);
  g_test_message ("%u Tab stops from the search field to the timeline", stops);
  g_assert_cmpuint (stops, <=, 20);
  stops = tabs_to (search, GTK_DIR_TAB_BACKWARD);
  g_test_message ("%u Shift+Tab stops back", stops);
  g_assert_cmpuint (stops, <=, 20);

  /* Into the facets: one stop, a row (not its check button); the arrows
   * move to the next facet, Tab leaves the list, Shift+Tab comes back to
   * the facet it left. */
  g_assert_cmpuint (tabs_to (kinds, GTK_DIR_TAB_FORWARD), <=, 5);
  row = gtk_root_get_focus (GTK_ROOT (window));
  g_assert_true (GTK_IS_LIST_BOX_ROW (row));
  g_assert_true (row == GTK_WIDGET (gtk_list_box_get_row_at_index (GTK_LIST_BOX (kinds), 0)));
  move_focus (GTK_DIR_DOWN);
  row = gtk_root_get_focus (GTK_ROOT (window));
  g_assert_true (row == GTK_WIDGET (gtk_list_box_get_row_at_index (GTK_LIST_BOX (kinds), 1)));
  move_focus (GTK_DIR_TAB_FORWARD);
  g_assert_false (focus_is_in (kinds));
  move_focus (GTK_DIR_TAB_BACKWARD);
  g_assert_true (gtk_root_get_focus (GTK_ROOT (window)) == row);

  /* The event list: one stop in, and the next Tab (either way) leaves. */
  gtk_widget_grab_focus (GTK_WIDGET (timeline ()));
  g_assert_cmpuint (tabs_to (list, GTK_DIR_TAB_FORWARD), <=, 3);
  move_focus (GTK_DIR_DOWN);
  g_assert_true (focus_is_in (list));
  move_focus (GTK_DIR_TAB_FORWARD);
  g_assert_false (focus_is_in (list));
  move_focus (GTK_DIR_TAB_BACKWARD);
  g_assert_true (focus_is_in (list));
  move_focus (GTK_DIR_TAB_BACKWARD);
  g_assert_false (focus_is_in (list));
}

static gboolean
row_checked (GtkListBoxRow *row)
{
  GtkCheckButton *check = g_object_get_data (G_OBJECT (row), "check");

  return gtk_check_button_get_active (check);
}

/* Space or Enter on a facet's row (the one Tab stop) ticks and unticks it,
 * filters, and focus stays on that facet. */
static void
test_facet_row_keys (void)
{
  GtkListBox *kinds = facet_list_box ("kinds_list");
  GtkListBoxRow *row = gtk_list_box_get_row_at_index (kinds, 0);
  guint n_total = list_n_items ();
  const char *keys[] = { "space", "Return" };

  if (!have_xdotool ())
    {
      g_test_skip ("xdotool not available: real key events not tested");
      return;
    }

  gtk_widget_activate_action (GTK_WIDGET (window), "win.clear-filters", NULL);
  wait_idle ();
  xdotool_focus_window ();

  for (guint i = 0; i < G_N_ELEMENTS (keys); i++)
    {
      gboolean ticked = i == 0;

      g_assert_true (gtk_widget_grab_focus (GTK_WIDGET (row)));
      run_for (50);
      xdotool ("key", keys[i], NULL);
      run_for (400);
      wait_idle ();

      row = gtk_list_box_get_row_at_index (kinds, 0);
      g_assert_cmpint (row_checked (row), ==, ticked);
      if (ticked)
        g_assert_cmpuint (list_n_items (), <, n_total);
      else
        g_assert_cmpuint (list_n_items (), ==, n_total);
      g_assert_true (focus_is_in (GTK_WIDGET (kinds)));
    }
}

/* The event list's row widgets (GTK's), in no particular order. */
static void
collect_rows (GtkWidget *widget,
              GPtrArray *rows)
{
  if (g_strcmp0 (gtk_widget_get_css_name (widget), "row") == 0)
    {
      GtkWidget *cell = gtk_widget_get_first_child (widget);

      if (cell != NULL && GTK_IS_LABEL (gtk_widget_get_first_child (cell)))
        g_ptr_array_add (rows, widget);
      return;
    }
  for (GtkWidget *c = gtk_widget_get_first_child (widget); c != NULL; c = gtk_widget_get_next_sibling (c))
    collect_rows (c, rows);
}

/* The date labels of the rows on screen. */
static void
collect_date_labels (GPtrArray *labels)
{
  g_autoptr(GPtrArray) rows = g_ptr_array_new ();

  collect_rows (child ("event_list"), rows);
  for (guint i = 0; i < rows->len; i++)
    {
      GtkWidget *label = gtk_widget_get_first_child (gtk_widget_get_first_child (g_ptr_array_index (rows, i)));

      if (gtk_widget_get_mapped (label))
        g_ptr_array_add (labels, label);
    }
}

/* Checks the dates on screen are not cut short; returns how many take
 * more than one line. */
static guint
check_dates_whole (void)
{
  g_autoptr(GPtrArray) labels = g_ptr_array_new ();
  guint wrapped = 0, open = 0;

  collect_date_labels (labels);
  g_assert_cmpuint (labels->len, >=, 4);
  for (guint i = 0; i < labels->len; i++)
    {
      GtkLabel *label = g_ptr_array_index (labels, i);
      PangoLayout *layout = gtk_label_get_layout (label);
      const char *text = gtk_label_get_text (label);
      int width;

      pango_layout_get_pixel_size (layout, &width, NULL);
      g_test_message ("date %s: %d px in %d, %d lines", text, width,
                      gtk_widget_get_width (GTK_WIDGET (label)),
                      pango_layout_get_line_count (layout));
      g_assert_false (pango_layout_is_ellipsized (layout));
      g_assert_cmpint (width, <=, gtk_widget_get_width (GTK_WIDGET (label)));
      if (g_str_has_prefix (text, "before "))
        open++;
      if (pango_layout_get_line_count (layout) > 1)
        wrapped++;
    }
  /* The bundled data has open dates ("../2025-12-07"), said "before …". */
  g_assert_cmpuint (open, >, 0);
  return wrapped;
}

/* "before 8 December 2025" must not read "before 8 December 2…", nor
 * "8 dekabr 2025 tarixindən əvvəl" lose its "əvvəl" (before): the
 * date column has room for the date forms shown, and a column made
 * narrower wraps its dates rather than cutting them. */
static void
test_dates_never_cut (void)
{
  ChanceryEventList *list = child ("event_list");
  GtkColumnViewColumn *date_column = (GtkColumnViewColumn *) gtk_widget_get_template_child (GTK_WIDGET (list),
                                                                    CHANCERY_TYPE_EVENT_LIST,
                                                                    "date_column");

  gtk_widget_activate_action (GTK_WIDGET (window), "win.clear-filters", NULL);
  wait_idle ();
  chancery_event_list_set_selected_id (list, -1);
  run_for (200);

  /* Room for every form on one line. */
  g_assert_cmpuint (check_dates_whole (), ==, 0);

  gtk_column_view_column_set_fixed_width (date_column, 90);
  run_for (300);
  g_assert_cmpuint (check_dates_whole (), >, 0);

  gtk_column_view_column_set_fixed_width (date_column, -1);
  run_for (300);
}

/* What a cell of the event list shows: a label's text, or an
 * inscription's (long texts). */
static const char *
cell_text (GtkWidget *widget)
{
  if (GTK_IS_INSCRIPTION (widget))
    return gtk_inscription_get_text (GTK_INSCRIPTION (widget));
  return gtk_label_get_text (GTK_LABEL (widget));
}

/* The text of a row's cell, counted from the first (the date). */
static const char *
row_cell_text (GtkWidget *row,
               guint      column)
{
  GtkWidget *cell = gtk_widget_get_first_child (row);

  for (guint i = 0; i < column && cell != NULL; i++)
    cell = gtk_widget_get_next_sibling (cell);
  g_assert_nonnull (cell);
  return cell_text (gtk_widget_get_first_child (cell));
}

static int
compare_strings (gconstpointer a,
                 gconstpointer b)
{
  return g_strcmp0 (*(const char **) a, *(const char **) b);
}

/* Whether the rows show exactly the events of the list's items, which the
 * bundled dataset is small enough for GTK to hold all of; kept: how many
 * rows were built before a test marked them. */
static gboolean
rows_show_model (guint *kept)
{
  ChanceryEventModel *model = chancery_event_list_get_model (child ("event_list"));
  g_autoptr(GPtrArray) rows = g_ptr_array_new ();
  g_autoptr(GPtrArray) shown = g_ptr_array_new ();
  g_autoptr(GPtrArray) expected = g_ptr_array_new_with_free_func (g_free);
  guint n = list_n_items ();

  collect_rows (child ("event_list"), rows);
  if (rows->len != n)
    return FALSE;
  if (kept != NULL)
    *kept = 0;
  for (guint i = 0; i < rows->len; i++)
    {
      GtkWidget *row = g_ptr_array_index (rows, i);
      g_autoptr(ChanceryEventRow) item = g_list_model_get_item (G_LIST_MODEL (model), i);

      g_ptr_array_add (shown, (gpointer) row_cell_text (row, 1));
      g_ptr_array_add (expected, g_strdup (chancery_event_row_get_title (item)));
      if (kept != NULL && g_object_get_data (G_OBJECT (row), "test-kept") != NULL)
        (*kept)++;
    }
  g_ptr_array_sort (shown, compare_strings);
  g_ptr_array_sort (expected, compare_strings);
  for (guint i = 0; i < n; i++)
    if (g_strcmp0 (g_ptr_array_index (shown, i), g_ptr_array_index (expected, i)) != 0)
      return FALSE;
  return TRUE;
}

/* The rows show the list's events; returns how many were kept. */
static guint
check_rows_show_model (void)
{
  guint kept = 0;

  g_assert_true (rows_show_model (&kept));
  return kept;
}

/* A filter change gives the rows GTK already built their new events
 * instead of making GTK build them all again (at a million events that
 * was most of a 0.3–0.6 s stall); what they show is still right. */
static void
test_filter_keeps_rows (void)
{
  GtkEditable *entry = GTK_EDITABLE (gtk_widget_get_template_child (child ("filter_pane"),
                                                                    CHANCERY_TYPE_FILTER_PANE,
                                                                    "search_entry"));
  g_autoptr(GPtrArray) rows = g_ptr_array_new ();
  guint n_total, n_narrowed;

  gtk_widget_activate_action (GTK_WIDGET (window), "win.clear-filters", NULL);
  wait_idle ();
  n_total = list_n_items ();
  g_assert_cmpuint (check_rows_show_model (), ==, 0);
  collect_rows (child ("event_list"), rows);
  for (guint i = 0; i < rows->len; i++)
    g_object_set_data (g_ptr_array_index (rows, i), "test-kept", GINT_TO_POINTER (1));

  gtk_editable_set_text (entry, "railway");
  run_for (400);
  wait_idle ();
  n_narrowed = list_n_items ();
  g_assert_cmpuint (n_narrowed, >, 0);
  g_assert_cmpuint (n_narrowed, <, n_total);
  /* Every row left is one of those built before. */
  g_assert_cmpuint (check_rows_show_model (), ==, n_narrowed);

  gtk_widget_activate_action (GTK_WIDGET (window), "win.clear-filters", NULL);
  run_for (400);
  wait_idle ();
  g_assert_cmpuint (list_n_items (), ==, n_total);
  /* The narrowed rows stay; the others are built again. */
  g_assert_cmpuint (check_rows_show_model (), ==, n_narrowed);
}

/* An index of n made-up events (ids from 1,000,001, in no table), every
 * step-th of them. */
static ChanceryIndex *
made_up_index (guint n,
               guint step)
{
  ChanceryIndexBuilder *builder = chancery_index_builder_new (CHANCERY_GROUP_NONE);

  for (guint i = 0; i < n; i += step)
    {
      char title[32];

      g_snprintf (title, sizeof title, "Made-up event %05u", i);
      chancery_index_builder_add_raw (builder, 1000001 + i, 20000 + i, 20000 + i,
                                      CHANCERY_KIND_MEETING, CHANCERY_STATUS_OCCURRED,
                                      CHANCERY_PRECISION_DAY, 0, title);
    }
  return chancery_index_builder_finish (builder);
}

static guint
row_slot (GtkWidget *row)
{
  GtkWidget *child = gtk_widget_get_first_child (gtk_widget_get_first_child (row));
  ChanceryEventRow *item = g_object_get_data (G_OBJECT (child), "chancery-event-row");

  g_assert_nonnull (item);
  return chancery_event_row_get_slot (item);
}

/* Every row GTK keeps stands for an item of the list, no two for the same
 * one, and shows it. (Rows GTK 4.8 wrongly kept from an old list stand
 * for positions past the new end.) */
static void
check_rows (void)
{
  ChanceryEventModel *model = chancery_event_list_get_model (child ("event_list"));
  g_autoptr(GPtrArray) rows = g_ptr_array_new ();
  g_autoptr(GHashTable) seen = g_hash_table_new (NULL, NULL);
  guint n = list_n_items ();

  collect_rows (child ("event_list"), rows);
  g_assert_cmpuint (rows->len, >=, MIN (n, 3));
  for (guint i = 0; i < rows->len; i++)
    {
      GtkWidget *row = g_ptr_array_index (rows, i);
      guint slot = row_slot (row);
      g_autoptr(ChanceryEventRow) item = NULL;

      g_assert_cmpuint (slot, <, n);
      g_assert_false (g_hash_table_contains (seen, GUINT_TO_POINTER (slot)));
      g_hash_table_add (seen, GUINT_TO_POINTER (slot));
      item = g_list_model_get_item (G_LIST_MODEL (model), slot);
      g_assert_cmpstr (row_cell_text (row, 1), ==, chancery_event_row_get_title (item));
    }
}

static gboolean
list_at_top (gpointer data)
{
  GtkAdjustment *vadjustment = data;

  return gtk_adjustment_get_value (vadjustment) <= gtk_adjustment_get_lower (vadjustment) + 0.5;
}

static gboolean
list_scrolled_down (gpointer data)
{
  GtkAdjustment *vadjustment = data;

  return gtk_adjustment_get_value (vadjustment) > gtk_adjustment_get_lower (vadjustment) + 1000;
}

/* The position of the row with the keyboard focus, or G_MAXUINT. */
static guint
focused_row_slot (void)
{
  GtkWidget *focus = gtk_root_get_focus (GTK_ROOT (window));

  GtkWidget *cell;

  while (focus != NULL && g_strcmp0 (gtk_widget_get_css_name (focus), "row") != 0)
    focus = gtk_widget_get_parent (focus);
  /* An event row: its first cell holds a label. */
  cell = focus != NULL ? gtk_widget_get_first_child (focus) : NULL;
  if (cell == NULL || gtk_widget_get_first_child (cell) == NULL)
    return G_MAXUINT;
  return row_slot (focus);
}

typedef struct
{
  guint (*get) (void);
  guint  at_least;
  guint  at_most;
} SlotWait;

static gboolean
slot_in_range (gpointer data)
{
  SlotWait *w = data;
  guint slot = w->get ();

  return slot != G_MAXUINT && slot >= w->at_least && slot <= w->at_most;
}

/* Waits for the focused row to be within [at_least, at_most]. */
static void
wait_for_slot (guint (*get) (void),
               guint at_least,
               guint at_most)
{
  SlotWait w = { get, at_least, at_most };

  if (!wait_until (slot_in_range, &w, 10000))
    g_error ("row at %u, not in %u..%u", get (), at_least, at_most);
}

/* Scrolls the event list to show position, as the list itself does. */
static void
scroll_list_to (guint position)
{
  GtkWidget *view = GTK_WIDGET (gtk_widget_get_template_child (child ("event_list"),
                                                               CHANCERY_TYPE_EVENT_LIST, "column_view"));

  for (GtkWidget *c = gtk_widget_get_first_child (view); c != NULL; c = gtk_widget_get_next_sibling (c))
    if (GTK_IS_LIST_VIEW (c))
      g_assert_true (gtk_widget_activate_action (c, "list.scroll-to-item", "u", position));
}

/* Long lists scrolled far, then narrowed below where they were: the rows
 * on screen are the list's first items (GTK 4.8 would keep some rows of
 * the old list, at wrong positions, if the model told it only that the
 * end went), and the keyboard focus follows the chosen event. */
static void
test_list_narrowed_while_scrolled (void)
{
  ChanceryEventList *list = child ("event_list");
  ChanceryEventModel *model = chancery_event_list_get_model (list);
  GtkWidget *scroller = GTK_WIDGET (gtk_widget_get_template_child (GTK_WIDGET (list),
                                                                   CHANCERY_TYPE_EVENT_LIST, "scroller"));
  GtkAdjustment *vadjustment = gtk_scrolled_window_get_vadjustment (GTK_SCROLLED_WINDOW (scroller));
  g_autoptr(ChanceryIndex) big = made_up_index (5000, 1);
  g_autoptr(ChanceryIndex) some = made_up_index (5000, 10);
  g_autoptr(ChanceryIndex) few = made_up_index (5000, 1000);
  ChanceryIndex *bundled = chancery_timeline_get_index (timeline ());
  gint64 chosen;

  gtk_widget_activate_action (GTK_WIDGET (window), "win.clear-filters", NULL);
  wait_idle ();
  chancery_event_list_set_selected_id (list, -1);

  chancery_event_list_set_index (list, big);
  run_for (100);
  scroll_list_to (3000);
  g_assert_true (wait_until (list_scrolled_down, vadjustment, 10000));
  run_for (100);
  check_rows ();

  /* 500 events, nothing chosen: the top of the list. */
  chancery_event_list_set_index (list, some);
  g_assert_true (wait_until (list_at_top, vadjustment, 10000));
  run_for (100);
  check_rows ();

  /* Scrolled to the end of 500, then 5. */
  scroll_list_to (499);
  g_assert_true (wait_until (list_scrolled_down, vadjustment, 10000));
  run_for (100);
  check_rows ();
  chancery_event_list_set_index (list, few);
  g_assert_cmpuint (list_n_items (), ==, 5);
  g_assert_true (wait_until (list_at_top, vadjustment, 10000));
  run_for (100);
  check_rows ();

  /* And back to all of them. */
  chancery_event_list_set_index (list, big);
  g_assert_true (wait_until (list_at_top, vadjustment, 10000));
  run_for (100);
  check_rows ();

  /* The focus on the chosen event's row follows it to its new place: near
   * the top (the rows stay), and deep in the list (everything changes, the
   * chosen row being past the new end). */
  for (guint pass = 0; pass < 2; pass++)
    {
      guint from = pass == 0 ? 10 : 4990, to = pass == 0 ? 1 : 499;
      g_autoptr(GPtrArray) rows = g_ptr_array_new ();

      chancery_event_list_set_index (list, big);
      chosen = chancery_event_model_get_id (model, from);
      chancery_event_list_set_selected_id (list, chosen);
      run_for (200);
      collect_rows (GTK_WIDGET (list), rows);
      for (guint i = 0; i < rows->len; i++)
        if (row_slot (g_ptr_array_index (rows, i)) == from)
          gtk_widget_grab_focus (g_ptr_array_index (rows, i));
      wait_for_slot (focused_row_slot, from, from);

      chancery_event_list_set_index (list, some);
      g_assert_cmpint (chancery_event_list_get_selected_id (list), ==, chosen);
      g_assert_cmpuint (chancery_event_model_find_id (model, chosen), ==, to);
      wait_for_slot (focused_row_slot, to, to);
      run_for (100);
      check_rows ();
    }

  chancery_event_list_set_selected_id (list, -1);
  chancery_event_list_set_index (list, bundled);
  gtk_widget_grab_focus (GTK_WIDGET (timeline ()));
  run_for (300);
  check_rows ();
}

/* The detail pane is as wide whatever event it shows: a long project
 * name is cut short in its chip, not allowed to widen the pane (which
 * narrowed the timeline and moved the event just clicked into a badge). */
static void
test_detail_pane_width_steady (void)
{
  GtkWidget *pane = GTK_WIDGET (child ("detail_pane"));
  ChanceryIndex *index = chancery_timeline_get_index (timeline ());
  int first = -1;

  g_assert_cmpuint (index->n_events, >, 10);
  for (guint i = 0; i < index->n_events; i++)
    {
      int minimum;

      chancery_window_select_event (window, index->events[i].id);
      run_for (30);
      gtk_widget_measure (pane, GTK_ORIENTATION_HORIZONTAL, -1, &minimum, NULL, NULL, NULL);
      if (first < 0)
        first = minimum;
      g_assert_cmpint (minimum, ==, first);
    }
  chancery_window_select_event (window, -1);
  run_for (100);
}

/* "." on an event of a day with more events than its lane has rows: no
 * zoom gives it a place, so its badge's list opens, with it there. */
static void
test_go_selection_opens_badge (void)
{
  ChanceryTimeline *tl = timeline ();
  ChanceryIndex *index = chancery_timeline_get_index (tl);
  gboolean found = FALSE;

  for (guint i = 0; i < index->n_events && !found; i++)
    {
      gint64 id = index->events[i].id;
      GtkPopover *popover;

      chancery_timeline_zoom_fit (tl);
      chancery_window_select_event (window, id);
      run_for (50);
      gtk_widget_activate_action (GTK_WIDGET (tl), "timeline.go-selection", NULL);
      run_for (200);
      if (chancery_timeline_get_event_area (tl, id, NULL))
        continue;

      popover = chancery_timeline_get_badge_popover (tl);
      g_assert_nonnull (popover);
      g_assert_true (gtk_widget_get_visible (GTK_WIDGET (popover)));
      for (GtkWidget *row = gtk_widget_get_first_child (find_list_box (GTK_WIDGET (popover)));
           row != NULL; row = gtk_widget_get_next_sibling (row))
        found |= row_event_id (row) == id;
      g_assert_true (found);
      gtk_popover_popdown (popover);
      run_for (200);
    }
  /* The bundled dataset has such a day (8 December 2025, in Iran's lane). */
  g_assert_true (found);
  chancery_window_select_event (window, -1);
  chancery_timeline_zoom_fit (tl);
  run_for (100);
}

/* Tab into the list comes to the chosen event's row, also when it was
 * chosen elsewhere (on the timeline, or as a related event in the
 * details) after another row had had the focus: GTK's list by itself
 * returns to the row focused last, where a screen reader would then read
 * an event that is not the one chosen. */
static void
test_list_focus_follows_selection (void)
{
  ChanceryEventList *list = child ("event_list");
  ChanceryEventModel *model = chancery_event_list_get_model (list);
  g_autoptr(GPtrArray) rows = g_ptr_array_new ();
  GtkWidget *list_view;
  gint64 first, other;

  gtk_widget_activate_action (GTK_WIDGET (window), "win.clear-filters", NULL);
  wait_idle ();
  g_assert_cmpuint (list_n_items (), >, 6);
  first = chancery_event_model_get_id (model, 1);
  other = chancery_event_model_get_id (model, 6);

  chancery_window_select_event (window, first);
  run_for (200);
  g_assert_true (chancery_event_list_focus_selected (list));
  wait_for_slot (focused_row_slot, 1, 1);

  /* Chosen elsewhere while the focus is elsewhere. */
  gtk_widget_grab_focus (GTK_WIDGET (timeline ()));
  run_for (100);
  g_assert_cmpuint (focused_row_slot (), ==, G_MAXUINT);
  chancery_window_select_event (window, other);
  run_for (200);
  g_assert_cmpint (chancery_event_list_get_selected_id (list), ==, other);

  /* Into the rows, as Tab from the widget before them goes. */
  collect_rows (GTK_WIDGET (list), rows);
  g_assert_cmpuint (rows->len, >, 0);
  list_view = gtk_widget_get_parent (g_ptr_array_index (rows, 0));
  g_assert_true (gtk_widget_child_focus (list_view, GTK_DIR_TAB_FORWARD));
  wait_for_slot (focused_row_slot, 6, 6);

  chancery_window_select_event (window, -1);
  gtk_widget_grab_focus (GTK_WIDGET (timeline ()));
  run_for (100);
}

/* In a left-to-right window, a title in Persian starts at the left like
 * the others (Pango alone would put it at the right). */
static void
test_cells_at_start_edge (void)
{
  ChanceryEventList *list = child ("event_list");
  ChanceryIndexBuilder *builder = chancery_index_builder_new (CHANCERY_GROUP_NONE);
  g_autoptr(ChanceryIndex) persian = NULL;
  g_autoptr(GPtrArray) rows = g_ptr_array_new ();
  const char *titles[] = { "دیدار عراقچی در باکو", "گفت‌وگوی وزیران", "Talks in Baku", "۳+۳" };
  guint short_texts = 0;

  for (guint i = 0; i < G_N_ELEMENTS (titles); i++)
    chancery_index_builder_add_raw (builder, 2000001 + i, 20000 + i, 20000 + i,
                                    CHANCERY_KIND_MEETING, CHANCERY_STATUS_OCCURRED,
                                    CHANCERY_PRECISION_DAY, 0, titles[i]);
  persian = chancery_index_builder_finish (builder);
  chancery_event_list_set_selected_id (list, -1);
  chancery_event_list_set_index (list, persian);
  run_for (300);

  collect_rows (GTK_WIDGET (list), rows);
  g_assert_cmpuint (rows->len, ==, G_N_ELEMENTS (titles));
  for (guint i = 0; i < rows->len; i++)
    {
      GtkWidget *title = gtk_widget_get_first_child (gtk_widget_get_next_sibling (
                           gtk_widget_get_first_child (g_ptr_array_index (rows, i))));
      int left, right;

      g_assert_true (GTK_IS_INSCRIPTION (title));
      test_ink_margins (title, &left, &right);
      g_test_message ("“%s”: %d px free on the left, %d on the right",
                      gtk_inscription_get_text (GTK_INSCRIPTION (title)), left, right);
      g_assert_cmpint (left, <=, 12);
      if (right > 20)
        short_texts++;
    }
  g_assert_cmpuint (short_texts, ==, G_N_ELEMENTS (titles));

  chancery_event_list_set_index (list, chancery_timeline_get_index (timeline ()));
  run_for (200);
}


/* Whether a widget shows a tooltip, asked the way GTK asks when the
 * pointer rests on it. */
static gboolean
tooltip_shown (GtkWidget *widget)
{
  return tooltip_shown_at (widget, 1, 1);
}

static void
collect_cell_labels (GtkWidget *widget,
                     GPtrArray *labels)
{
  if ((GTK_IS_LABEL (widget) || GTK_IS_INSCRIPTION (widget))
      && g_strcmp0 (gtk_widget_get_css_name (gtk_widget_get_parent (widget)), "cell") == 0)
    {
      if (gtk_widget_get_mapped (widget))
        g_ptr_array_add (labels, widget);
      return;
    }
  for (GtkWidget *c = gtk_widget_get_first_child (widget); c != NULL; c = gtk_widget_get_next_sibling (c))
    collect_cell_labels (c, labels);
}

/* A filter change binds a couple of hundred rows of the event list and
 * builds the facet rows anew. In GTK 4.8 setting a tooltip's text on a
 * visible widget asks the X server where the pointer is, a round trip
 * each: with a million events that made the window stop for half a
 * second and more. Cells and facets show their whole text as a tooltip,
 * asked for only when it is shown. */
static void
test_tooltips_asked_when_shown (void)
{
  GtkEditable *entry = GTK_EDITABLE (gtk_widget_get_template_child (child ("filter_pane"),
                                                                    CHANCERY_TYPE_FILTER_PANE,
                                                                    "search_entry"));
  GtkListBox *kinds = facet_list_box ("kinds_list");
  GObject *date_label;
  g_autoptr(GPtrArray) labels = g_ptr_array_new ();
  guint n_total = list_n_items ();
  guint n_with_text = 0;

  gtk_widget_activate_action (GTK_WIDGET (window), "win.clear-filters", NULL);
  wait_idle ();
  gtk_editable_set_text (entry, "railway");
  run_for (400);
  wait_idle ();
  g_assert_cmpuint (list_n_items (), <, n_total);
  gtk_widget_activate_action (GTK_WIDGET (window), "win.clear-filters", NULL);
  run_for (300);
  wait_idle ();

  collect_cell_labels (child ("event_list"), labels);
  g_assert_cmpuint (labels->len, >=, 4 * 5);
  for (guint i = 0; i < labels->len; i++)
    {
      GtkWidget *label = g_ptr_array_index (labels, i);
      const char *text = cell_text (label);

      g_assert_null (gtk_widget_get_tooltip_text (label));
      g_assert_cmpint (tooltip_shown (label), ==, *text != '\0');
      if (*text != '\0')
        n_with_text++;
    }
  g_assert_cmpuint (n_with_text, >, 0);

  for (GtkWidget *row = gtk_widget_get_first_child (GTK_WIDGET (kinds));
       row != NULL;
       row = gtk_widget_get_next_sibling (row))
    {
      GtkWidget *check = g_object_get_data (G_OBJECT (row), "check");

      if (check == NULL)
        continue;
      g_assert_null (gtk_widget_get_tooltip_text (check));
      g_assert_true (tooltip_shown (check));
    }

  /* The detail pane's date shows its EDTF text as a tooltip, which is not
   * its accessible description (read aloud as punctuation). */
  chancery_window_select_event (window, chancery_timeline_get_index (timeline ())->events[0].id);
  run_for (200);
  date_label = gtk_widget_get_template_child (child ("detail_pane"), CHANCERY_TYPE_DETAIL_PANE, "date_label");
  g_assert_nonnull (date_label);
  g_assert_null (gtk_widget_get_tooltip_text (GTK_WIDGET (date_label)));
  g_assert_true (tooltip_shown (GTK_WIDGET (date_label)));
}

static gboolean
window_mapped (gpointer data)
{
  return window != NULL && gtk_widget_get_mapped (GTK_WIDGET (window))
         && gtk_widget_get_width (GTK_WIDGET (window)) > 0;
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;
  int ret;

  /* Imports and recent files go to a scratch directory, not the user's. */
  data_home = g_dir_make_tmp ("chancery-test-XXXXXX", &error);
  g_assert_no_error (error);
  g_setenv ("XDG_DATA_HOME", data_home, TRUE);
  g_setenv ("LC_ALL", "C.UTF-8", TRUE);
  g_setenv ("GTK_A11Y", "none", TRUE);

  gtk_test_init (&argc, &argv, NULL);
  adw_init ();
  /* Transitions would be caught half-way in screenshots. */
  g_object_set (gtk_settings_get_default (), "gtk-enable-animations", FALSE, NULL);

  start_time = g_get_monotonic_time ();
  window = test_start_window (&app, 1400, 900);
  g_assert_true (wait_until (window_mapped, NULL, 10000));

  g_test_add_func ("/window/opens-bundled-dataset", test_opens_bundled_dataset);
  g_test_add_func ("/window/select-by-keyboard", test_select_by_keyboard);
  g_test_add_func ("/window/select-by-click", test_select_by_click);
  g_test_add_func ("/window/one-selection", test_one_selection);
  g_test_add_func ("/window/related-relations", test_related_relations);
  g_test_add_func ("/window/filter-by-actor", test_filter_by_actor);
  g_test_add_func ("/window/filter-by-country", test_filter_by_country);
  g_test_add_func ("/window/filter-from-detail-pane", test_filter_from_detail_pane);
  g_test_add_func ("/window/search-text", test_search_text);
  g_test_add_func ("/window/facets-none-filtered", test_facets_none_filtered);
  g_test_add_func ("/window/search-without-words", test_search_without_words);
  g_test_add_func ("/window/date-range", test_date_range);
  g_test_add_func ("/window/zoom-and-pan", test_zoom_and_pan);
  g_test_add_func ("/window/range-label", test_range_label);
  g_test_add_func ("/window/sort-by-title", test_sort_by_title);
  g_test_add_func ("/window/screenshot", test_screenshot);
  g_test_add_func ("/window/screenshot-dark", test_screenshot_dark);
  g_test_add_func ("/window/screenshot-narrow", test_screenshot_narrow);
  g_test_add_func ("/window/wrap-box", test_wrap_box);
  g_test_add_func ("/window/shortcuts-and-about", test_shortcuts_and_about);
  g_test_add_func ("/window/bad-database", test_bad_database);
  g_test_add_func ("/window/bad-json", test_bad_json);
  g_test_add_func ("/window/bad-json-many-problems", test_bad_json_many_problems);
  g_test_add_func ("/window/import-json", test_import_json);
  g_test_add_func ("/window/drop-file", test_drop_file);
  g_test_add_func ("/window/cancel-open", test_cancel_open);
  g_test_add_func ("/window/spinner-after-a-second", test_spinner_after_a_second);
  g_test_add_func ("/window/new-for-file", test_new_for_file);
  g_test_add_func ("/window/damaged-found-in-background", test_damaged_found_in_background);
  g_test_add_func ("/window/check-fails-without-damage", test_check_fails_without_damage);
  g_test_add_func ("/window/badge-lists-hidden-events", test_badge_lists_hidden_events);
  g_test_add_func ("/window/badge-by-keyboard", test_badge_by_keyboard);
  g_test_add_func ("/window/badge-list-capped", test_badge_list_capped);
  g_test_add_func ("/window/tab-stops", test_tab_stops);
  g_test_add_func ("/window/facet-row-keys", test_facet_row_keys);
  g_test_add_func ("/window/dates-never-cut", test_dates_never_cut);
  g_test_add_func ("/window/tooltips-asked-when-shown", test_tooltips_asked_when_shown);
  g_test_add_func ("/window/filter-keeps-rows", test_filter_keeps_rows);
  g_test_add_func ("/window/list-narrowed-while-scrolled", test_list_narrowed_while_scrolled);
  g_test_add_func ("/window/detail-pane-width-steady", test_detail_pane_width_steady);
  g_test_add_func ("/window/go-selection-opens-badge", test_go_selection_opens_badge);
  g_test_add_func ("/window/list-focus-follows-selection", test_list_focus_follows_selection);
  g_test_add_func ("/window/cells-at-start-edge", test_cells_at_start_edge);

  ret = g_test_run ();

  gtk_window_destroy (GTK_WINDOW (window));
  g_clear_object (&app);
  return ret;
}
