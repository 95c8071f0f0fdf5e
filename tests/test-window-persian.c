/* test-window-persian.c: the window in Persian, right to left
 *
 * Copyright 2026 The Chancery developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Runs the window with LANGUAGE=fa and the fa_IR.UTF-8 locale, set before
 * GTK starts, as a Persian desktop would: GTK takes the text direction from
 * its own Persian translation, so the whole window mirrors. Checks that it
 * does, that counts use Persian digits and that the detail pane shows the
 * Solar Hijri date under the Gregorian one, then renders screenshot-rtl.png
 * into CHANCERY_SCREENSHOT_DIR.
 *
 * Skips (and says why) only when the fa_IR.UTF-8 locale is not installed;
 * build-aux/chancery-setup test generates it.
 */
#include "config.h"

#include <adwaita.h>
#include <glib/gi18n.h>
#include <locale.h>
#include <string.h>

#include "chancery-application.h"
#include "chancery-date.h"
#include "chancery-detail-pane.h"
#include "chancery-event-list.h"
#include "chancery-timeline.h"
#include "chancery-window.h"
#include "test-gui-common.h"

static ChanceryApplication *app;
static ChanceryWindow *window;

static gboolean
window_ready (gpointer data)
{
  return gtk_widget_get_mapped (GTK_WIDGET (window))
         && !chancery_window_get_busy (window)
         && chancery_window_get_store (window) != NULL
         && chancery_timeline_get_index (chancery_window_get_timeline (window)) != NULL;
}

static gpointer
child (GtkWidget  *widget,
       GType       type,
       const char *name)
{
  GObject *object = gtk_widget_get_template_child (widget, type, name);

  g_assert_nonnull (object);
  return object;
}

static gboolean
has_persian_digit (const char *text)
{
  for (const char *p = text; p != NULL && *p != '\0'; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      if (c >= 0x06F0 && c <= 0x06F9)
        return TRUE;
    }
  return FALSE;
}

static gboolean
has_ascii_digit (const char *text)
{
  return text != NULL && strpbrk (text, "0123456789") != NULL;
}

/* Tests */

static void
test_mirrored (void)
{
  ChanceryTimeline *timeline = chancery_window_get_timeline (window);

  g_assert_cmpint (gtk_get_locale_direction (), ==, GTK_TEXT_DIR_RTL);
  g_assert_cmpint (gtk_widget_get_direction (GTK_WIDGET (window)), ==, GTK_TEXT_DIR_RTL);
  g_assert_cmpint (gtk_widget_get_direction (GTK_WIDGET (timeline)), ==, GTK_TEXT_DIR_RTL);
}

static void
test_persian_digits (void)
{
  AdwWindowTitle *title = child (GTK_WIDGET (window), CHANCERY_TYPE_WINDOW, "window_title");
  const char *subtitle = adw_window_title_get_subtitle (title);

  GtkLabel *range = child (GTK_WIDGET (window), CHANCERY_TYPE_WINDOW, "range_label");

  g_test_message ("subtitle: %s; range: %s", subtitle, gtk_label_get_text (range));
  g_assert_true (has_persian_digit (subtitle));
  g_assert_false (has_ascii_digit (subtitle));
  /* The visible range uses g_date_time_format() with a translated format. */
  g_assert_true (has_persian_digit (gtk_label_get_text (range)));
  g_assert_false (has_ascii_digit (gtk_label_get_text (range)));
}

/* Numbers in messages are written in Persian digits too (the catalogue's
 * %Id): the month of "2025-13" as ۱۳, not 13. The text the person typed
 * is quoted as it was. */
static void
test_message_digits (void)
{
  g_autoptr(GError) error = NULL;
  ChanceryDate date;
  const char *after_quote;

  g_assert_false (chancery_date_parse ("2025-13", &date, &error));
  g_assert_nonnull (error);
  g_test_message ("%s", error->message);
  after_quote = strstr (error->message, "»");
  g_assert_nonnull (after_quote);
  g_assert_nonnull (strstr (after_quote, "۱۳"));
  g_assert_false (has_ascii_digit (after_quote));
}

static void
test_solar_hijri_date (void)
{
  ChanceryDetailPane *pane = child (GTK_WIDGET (window), CHANCERY_TYPE_WINDOW, "detail_pane");
  GtkLabel *date_label = child (GTK_WIDGET (pane), CHANCERY_TYPE_DETAIL_PANE, "date_label");
  GtkLabel *persian = child (GTK_WIDGET (pane), CHANCERY_TYPE_DETAIL_PANE, "persian_date_label");
  gint64 id = test_richest_event (window);
  g_autoptr(ChanceryEvent) event = chancery_store_get_event (chancery_window_get_store (window), id, NULL);
  g_autofree char *expected = chancery_date_format_persian (&event->date);

  chancery_window_select_event (window, id);
  run_for (200);
  g_test_message ("date: %s / %s", gtk_label_get_text (date_label), gtk_label_get_text (persian));
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (persian)));
  g_assert_cmpstr (gtk_label_get_text (persian), ==, expected);
  g_assert_true (has_persian_digit (gtk_label_get_text (date_label)));
}

static void
test_screenshot (void)
{
  gtk_widget_activate_action (GTK_WIDGET (window), "win.zoom-fit", NULL);
  run_for (500);
  g_object_unref (test_save_screenshot (window, "screenshot-rtl.png"));
}

/* The column headers of the event list, in column order. */
static GtkWidget *
event_list_header (void)
{
  GtkWidget *list = child (GTK_WIDGET (window), CHANCERY_TYPE_WINDOW, "event_list");
  GtkWidget *column_view = child (list, CHANCERY_TYPE_EVENT_LIST, "column_view");

  for (GtkWidget *c = gtk_widget_get_first_child (column_view); c != NULL; c = gtk_widget_get_next_sibling (c))
    if (g_strcmp0 (gtk_widget_get_css_name (c), "header") == 0)
      return c;
  g_assert_not_reached ();
}

/* How much of the Date column's header the list's scrolled window shows,
 * in pixels. */
static double
date_header_shown (void)
{
  GtkWidget *list = child (GTK_WIDGET (window), CHANCERY_TYPE_WINDOW, "event_list");
  GtkWidget *scroller = child (list, CHANCERY_TYPE_EVENT_LIST, "scroller");
  GtkWidget *date_title = gtk_widget_get_first_child (event_list_header ());
  graphene_rect_t bounds;
  double start, end;

  g_assert_true (gtk_widget_compute_bounds (date_title, scroller, &bounds));
  start = MAX (bounds.origin.x, 0);
  end = MIN (bounds.origin.x + bounds.size.width, gtk_widget_get_width (scroller));
  g_test_message ("date header at %.0f..%.0f of %d", bounds.origin.x,
                  bounds.origin.x + bounds.size.width, gtk_widget_get_width (scroller));
  return end - start;
}

static void
set_window_width (int width)
{
  gtk_window_set_default_size (GTK_WINDOW (window), width, 800);
  run_for (500);
}

/* The event list opens on its first columns, the date and the title: at
 * the default size every column fits, and when the pane is too narrow for
 * them the list still starts at its right, which is its start. */
static void
test_event_list_start (void)
{
  GtkWidget *list = child (GTK_WIDGET (window), CHANCERY_TYPE_WINDOW, "event_list");
  GtkWidget *scroller = child (list, CHANCERY_TYPE_EVENT_LIST, "scroller");
  GtkWidget *date_title = gtk_widget_get_first_child (event_list_header ());
  GtkAdjustment *hadjustment = gtk_scrolled_window_get_hadjustment (GTK_SCROLLED_WINDOW (scroller));

  set_window_width (1200);
  g_assert_cmpfloat (date_header_shown (), >=, gtk_widget_get_width (date_title));
  /* Nothing to scroll sideways. */
  g_assert_cmpfloat (gtk_adjustment_get_upper (hadjustment), <=,
                     gtk_adjustment_get_page_size (hadjustment) + 0.5);

  /* As narrow as the window goes: now the list scrolls, from its start. */
  set_window_width (300);
  g_assert_cmpfloat (gtk_adjustment_get_upper (hadjustment), >,
                     gtk_adjustment_get_page_size (hadjustment));
  g_assert_cmpfloat (date_header_shown (), >=, gtk_widget_get_width (date_title));

  /* Scrolled away from the start, then wide enough for every column (so
   * back at the start), then narrow again: at the start, as it is now. */
  gtk_adjustment_set_value (hadjustment, gtk_adjustment_get_value (hadjustment) - 60);
  run_for (200);
  g_assert_cmpfloat (date_header_shown (), <, gtk_widget_get_width (date_title));
  set_window_width (1400);
  set_window_width (300);
  g_assert_cmpfloat (date_header_shown (), >=, gtk_widget_get_width (date_title));

  set_window_width (1400);
}

/* After the list was narrow (event-list-start), and at sizes where every
 * column fits or not, the list starts at its start edge: no blank band
 * right of the Date column (GTK 4.8 kept the shift of the old scroll
 * position; the screenshot showed ~110 px). */
static void
test_event_list_flush_right (void)
{
  GtkWidget *list = child (GTK_WIDGET (window), CHANCERY_TYPE_WINDOW, "event_list");
  GtkWidget *scroller = child (list, CHANCERY_TYPE_EVENT_LIST, "scroller");
  GtkWidget *date_title = gtk_widget_get_first_child (event_list_header ());
  GtkAdjustment *hadjustment = gtk_scrolled_window_get_hadjustment (GTK_SCROLLED_WINDOW (scroller));
  graphene_rect_t bounds;

  for (int width = 1400; width >= 900; width -= 250)
    {
      set_window_width (width);
      g_assert_true (gtk_widget_compute_bounds (date_title, scroller, &bounds));
      g_test_message ("window %d: date header ends at %.0f of %d; scroll %.0f of %.0f, page %.0f",
                      width, bounds.origin.x + bounds.size.width, gtk_widget_get_width (scroller),
                      gtk_adjustment_get_value (hadjustment), gtk_adjustment_get_upper (hadjustment),
                      gtk_adjustment_get_page_size (hadjustment));
      g_assert_cmpfloat (bounds.origin.x + bounds.size.width, >=, gtk_widget_get_width (scroller) - 2);
    }
  set_window_width (1400);
}

/* The inscriptions (long texts) of the event list's cells in rows on
 * screen. */
static void
collect_inscriptions (GtkWidget *widget,
                      GtkWidget *viewport,
                      GPtrArray *found)
{
  graphene_rect_t bounds;

  if (GTK_IS_INSCRIPTION (widget))
    {
      const char *text = gtk_inscription_get_text (GTK_INSCRIPTION (widget));

      if (text != NULL && *text != '\0' && gtk_widget_get_mapped (widget)
          && gtk_widget_compute_bounds (widget, viewport, &bounds)
          && bounds.origin.y >= 0
          && bounds.origin.y + bounds.size.height <= gtk_widget_get_height (viewport))
        g_ptr_array_add (found, widget);
      return;
    }
  for (GtkWidget *c = gtk_widget_get_first_child (widget); c != NULL; c = gtk_widget_get_next_sibling (c))
    collect_inscriptions (c, viewport, found);
}

/* Every cell's text starts at the right, the start edge, whatever its own
 * direction: the bundled titles and names are English, and Pango would
 * put a left-to-right text at the left of a right-to-left layout. */
static void
test_cells_at_start_edge (void)
{
  GtkWidget *list = child (GTK_WIDGET (window), CHANCERY_TYPE_WINDOW, "event_list");
  GtkWidget *scroller = child (list, CHANCERY_TYPE_EVENT_LIST, "scroller");
  g_autoptr(GPtrArray) cells = g_ptr_array_new ();
  guint short_texts = 0;

  set_window_width (1400);
  collect_inscriptions (scroller, scroller, cells);
  g_assert_cmpuint (cells->len, >=, 3 * 4);
  for (guint i = 0; i < cells->len; i++)
    {
      GtkWidget *cell = g_ptr_array_index (cells, i);
      int left, right;

      test_ink_margins (cell, &left, &right);
      g_test_message ("“%s”: %d px free on the left, %d on the right",
                      gtk_inscription_get_text (GTK_INSCRIPTION (cell)), left, right);
      /* A few pixels: glyphs' side bearings, and an ellipsis. */
      g_assert_cmpint (right, <=, 12);
      if (left > 20)
        short_texts++;
    }
  /* Some texts are shorter than their cells, or this proves nothing. */
  g_assert_cmpuint (short_texts, >, 0);
}

static void
test_no_locale (void)
{
  g_test_skip ("the fa_IR.UTF-8 locale is not installed "
               "(build-aux/chancery-setup test generates it; or: localedef -i fa_IR -f UTF-8 fa_IR.UTF-8)");
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;
  g_autofree char *data_home = NULL;
  g_autofree char *podir = NULL;
  const char *builddir = g_getenv ("G_TEST_BUILDDIR");
  gboolean have_locale;
  int ret;

  data_home = g_dir_make_tmp ("chancery-test-XXXXXX", &error);
  g_assert_no_error (error);
  g_setenv ("XDG_DATA_HOME", data_home, TRUE);
  g_setenv ("GTK_A11Y", "none", TRUE);
  g_setenv ("LANGUAGE", "fa", TRUE);
  g_setenv ("LANG", "fa_IR.UTF-8", TRUE);
  g_setenv ("LC_ALL", "fa_IR.UTF-8", TRUE);

  /* gtk_test_init() leaves the locale alone: set it as an application would. */
  have_locale = setlocale (LC_ALL, "") != NULL;
  podir = g_build_filename (builddir != NULL ? builddir : ".", "..", "po", NULL);
  bindtextdomain (GETTEXT_PACKAGE, podir);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  gtk_test_init (&argc, &argv, NULL);
  if (!have_locale)
    {
      /* The locale decides GTK's direction: without it there is nothing to test. */
      g_test_add_func ("/window-persian/locale", test_no_locale);
      return g_test_run ();
    }

  adw_init ();
  g_object_set (gtk_settings_get_default (), "gtk-enable-animations", FALSE, NULL);

  window = test_start_window (&app, 1400, 900);
  g_assert_true (wait_until (window_ready, NULL, 60000));
  run_for (300);

  g_test_add_func ("/window-persian/mirrored", test_mirrored);
  g_test_add_func ("/window-persian/persian-digits", test_persian_digits);
  g_test_add_func ("/window-persian/message-digits", test_message_digits);
  g_test_add_func ("/window-persian/solar-hijri-date", test_solar_hijri_date);
  g_test_add_func ("/window-persian/event-list-start", test_event_list_start);
  g_test_add_func ("/window-persian/cells-at-start-edge", test_cells_at_start_edge);
  g_test_add_func ("/window-persian/event-list-flush-right", test_event_list_flush_right);
  g_test_add_func ("/window-persian/screenshot", test_screenshot);

  ret = g_test_run ();

  gtk_window_destroy (GTK_WINDOW (window));
  g_clear_object (&app);
  return ret;
}
