/* test-gui-common.h: the application window and waiting on the main loop,
 * shared by the GUI tests
 *
 * Copyright 2026 The Chancery developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>
#include <adwaita.h>
#include <gtk/gtk.h>

#include "chancery-application.h"
#include "chancery-store.h"
#include "chancery-timeline.h"
#include "chancery-window.h"
#include "test-slow-json.h"

typedef gboolean (*Condition) (gpointer data);

static gboolean
on_wait_timeout_cb (gpointer data)
{
  *(gboolean *) data = TRUE;
  return G_SOURCE_REMOVE;
}

/* Iterates the main loop until cond holds or timeout_ms pass; returns cond. */
G_GNUC_UNUSED static gboolean
wait_until (Condition cond,
            gpointer  data,
            guint     timeout_ms)
{
  gboolean timed_out = FALSE;
  guint id = g_timeout_add (timeout_ms, on_wait_timeout_cb, &timed_out);

  while (!cond (data) && !timed_out)
    g_main_context_iteration (NULL, TRUE);
  if (!timed_out)
    g_source_remove (id);
  return cond (data);
}

static gboolean
always_false (gpointer data)
{
  return FALSE;
}

/* Lets the main loop run for ms milliseconds. */
G_GNUC_UNUSED static void
run_for (guint ms)
{
  wait_until (always_false, NULL, ms);
}

/* Starts the application as `chancery` does (not unique, so tests can run
 * side by side) and returns its window, given its default size; the
 * caller waits until it is shown. */
G_GNUC_UNUSED static ChanceryWindow *
test_start_window (ChanceryApplication **app,
                   int                   width,
                   int                   height)
{
  g_autoptr(GError) error = NULL;
  ChanceryWindow *window;

  *app = chancery_application_new ();
  g_application_set_flags (G_APPLICATION (*app), G_APPLICATION_HANDLES_OPEN | G_APPLICATION_NON_UNIQUE);
  g_application_register (G_APPLICATION (*app), NULL, &error);
  g_assert_no_error (error);
  g_application_activate (G_APPLICATION (*app));
  window = CHANCERY_WINDOW (gtk_application_get_active_window (GTK_APPLICATION (*app)));
  g_assert_nonnull (window);
  gtk_window_set_default_size (GTK_WINDOW (window), width, height);
  return window;
}

/* The event with the most to show in the detail pane (actors, countries,
 * sources, projects) among those on window's timeline; -1 if none. */
G_GNUC_UNUSED static gint64
test_richest_event (ChanceryWindow *window)
{
  ChanceryIndex *index = chancery_timeline_get_index (chancery_window_get_timeline (window));
  gint64 best = -1;
  guint best_score = 0;

  for (guint i = 0; i < index->n_events; i++)
    {
      g_autoptr(ChanceryEvent) e = chancery_store_get_event (chancery_window_get_store (window),
                                                             index->events[i].id, NULL);
      guint score = e->actors->len + e->countries->len + e->sources->len + e->projects->len;

      if (score > best_score)
        {
          best_score = score;
          best = e->id;
        }
    }
  return best;
}

/* The first visible toplevel window of type, or NULL. */
G_GNUC_UNUSED static GtkWindow *
find_toplevel (GType type)
{
  GListModel *toplevels = gtk_window_get_toplevels ();

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GObject) w = g_list_model_get_item (toplevels, i);

      if (G_TYPE_CHECK_INSTANCE_TYPE (w, type) && gtk_widget_get_visible (GTK_WIDGET (w)))
        return GTK_WINDOW (w);
    }
  return NULL;
}

G_GNUC_UNUSED static GtkWindow *
find_message_dialog (void)
{
  return find_toplevel (ADW_TYPE_MESSAGE_DIALOG);
}

G_GNUC_UNUSED static gboolean
dialog_shown (gpointer data)
{
  return find_message_dialog () != NULL;
}

G_GNUC_UNUSED static gboolean
dialog_gone (gpointer data)
{
  return find_message_dialog () == NULL;
}

static void
on_paintable_invalidate_contents_cb (GdkPaintable *paintable,
                                     gboolean     *invalidated)
{
  *invalidated = TRUE;
}

static gboolean
flag_set (gpointer data)
{
  return *(gboolean *) data;
}

/* Renders widget as it is now (after one more draw: the paintable shows the
 * widget as last drawn) with its window's renderer. */
G_GNUC_UNUSED static GdkTexture *
test_render_widget (GtkWidget *widget)
{
  g_autoptr(GdkPaintable) paintable = gtk_widget_paintable_new (widget);
  g_autoptr(GtkSnapshot) snapshot = gtk_snapshot_new ();
  g_autoptr(GskRenderNode) node = NULL;
  int width = gtk_widget_get_width (widget);
  int height = gtk_widget_get_height (widget);
  gboolean invalidated = FALSE;

  g_assert_cmpint (width, >, 0);
  g_assert_cmpint (height, >, 0);

  g_signal_connect (paintable, "invalidate-contents",
                    G_CALLBACK (on_paintable_invalidate_contents_cb), &invalidated);
  gtk_widget_queue_draw (widget);
  g_assert_true (wait_until (flag_set, &invalidated, 5000));
  g_signal_handlers_disconnect_by_func (paintable, on_paintable_invalidate_contents_cb, &invalidated);

  gdk_paintable_snapshot (paintable, GDK_SNAPSHOT (snapshot), width, height);
  node = gtk_snapshot_free_to_node (g_steal_pointer (&snapshot));
  g_assert_nonnull (node);
  return gsk_renderer_render_texture (gtk_native_get_renderer (gtk_widget_get_native (widget)), node,
                                      &GRAPHENE_RECT_INIT (0, 0, width, height));
}

/* The columns of pixels on either side of what widget draws. */
G_GNUC_UNUSED static void
test_ink_margins (GtkWidget *widget,
             int       *left,
             int       *right)
{
  g_autoptr(GdkTexture) texture = test_render_widget (widget);
  int width = gdk_texture_get_width (texture), height = gdk_texture_get_height (texture);
  g_autofree guchar *data = g_malloc ((gsize) width * height * 4);
  int first = width, last = -1;

  gdk_texture_download (texture, data, width * 4);
  for (int y = 0; y < height; y++)
    for (int x = 0; x < width; x++)
      if (data[((gsize) y * width + x) * 4 + 3] > 64)
        {
          first = MIN (first, x);
          last = MAX (last, x);
        }
  g_assert_cmpint (last, >=, 0);
  *left = first;
  *right = width - 1 - last;
}

/* Renders window as it is now, saves it as name in $CHANCERY_SCREENSHOT_DIR
 * (or .) and returns the picture. */
G_GNUC_UNUSED static GdkTexture *
test_save_screenshot (ChanceryWindow *window,
                      const char     *name)
{
  g_autoptr(GdkTexture) texture = test_render_widget (GTK_WIDGET (window));
  const char *dir = g_getenv ("CHANCERY_SCREENSHOT_DIR");
  g_autofree char *path = g_build_filename (dir != NULL ? dir : ".", name, NULL);

  g_assert_true (gdk_texture_save_to_png (texture, path));
  g_test_message ("wrote %s", path);
  return g_steal_pointer (&texture);
}
