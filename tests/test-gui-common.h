/* test-gui-common.h: the application window and waiting on the main loop,
 * shared by the GUI tests
 *
 * Copyright 2026 The Chancery developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>
#include <gtk/gtk.h>

#include "chancery-application.h"
#include "chancery-store.h"
#include "chancery-timeline.h"
#include "chancery-window.h"

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
