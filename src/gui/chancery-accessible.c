/* chancery-accessible.c: names that read well to screen readers
 *
 * Copyright 2026 The Chancery developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "chancery-accessible.h"

/* GTK 4.8 names a button with a mnemonic twice: its label as written
 * ("_Open") and again through the label the mnemonic points at ("Open"),
 * so screen readers said "_Open Open". The label alone names it well. */
void
chancery_accessible_fix_mnemonic_names (GtkWidget *widget)
{
  g_return_if_fail (GTK_IS_WIDGET (widget));

  for (GtkWidget *c = gtk_widget_get_first_child (widget); c != NULL; c = gtk_widget_get_next_sibling (c))
    {
      if (GTK_IS_BUTTON (c) && gtk_button_get_use_underline (GTK_BUTTON (c)))
        gtk_accessible_reset_property (GTK_ACCESSIBLE (c), GTK_ACCESSIBLE_PROPERTY_LABEL);
      chancery_accessible_fix_mnemonic_names (c);
    }
}

/* On map, not when the window is added: a message dialog makes its
 * buttons as responses are added, after it exists. */
static void
on_window_map_cb (GtkWidget *window)
{
  chancery_accessible_fix_mnemonic_names (window);
}

static void
on_toplevels_changed_cb (GListModel *toplevels,
                         guint       position,
                         guint       removed,
                         guint       added)
{
  for (guint i = position; i < position + added; i++)
    {
      g_autoptr(GObject) window = g_list_model_get_item (toplevels, i);

      if (GTK_IS_WINDOW (window)
          && g_object_get_data (window, "chancery-accessible-watched") == NULL)
        {
          g_object_set_data (window, "chancery-accessible-watched", GINT_TO_POINTER (TRUE));
          g_signal_connect (window, "map", G_CALLBACK (on_window_map_cb), NULL);
        }
    }
}

void
chancery_accessible_watch_windows (void)
{
  GListModel *toplevels = gtk_window_get_toplevels ();

  g_signal_connect (toplevels, "items-changed", G_CALLBACK (on_toplevels_changed_cb), NULL);
  on_toplevels_changed_cb (toplevels, 0, 0, g_list_model_get_n_items (toplevels));
}

GtkWidget *
chancery_decorative_icon_new (const char *icon_name)
{
  GtkWidget *icon = gtk_image_new_from_icon_name (icon_name);

  gtk_accessible_update_state (GTK_ACCESSIBLE (icon), GTK_ACCESSIBLE_STATE_HIDDEN, TRUE, -1);
  return icon;
}
