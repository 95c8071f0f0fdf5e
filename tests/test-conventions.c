/* test-conventions.c: the window keeps GNOME's conventions
 *
 * Copyright 2026 The Chancery developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Runs under Xvfb with a D-Bus session, with GTK's test accessibility
 * backend (GTK_A11Y=test) so that accessible properties can be read back:
 *
 *  - the About window says who, what version, which licence, where to report
 *    issues and where the bundled dataset comes from;
 *  - the primary menu offers Keyboard Shortcuts and About, Ctrl+Q quits,
 *    Ctrl+? shows the shortcuts;
 *  - the shortcuts window lists every key the window and its widgets bind;
 *  - nothing forces a light or dark style: the system decides;
 *  - every button, toggle, menu button, entry, check button and drop-down
 *    without a visible label has an accessible label or a tooltip;
 *  - the timeline describes the selected event to screen readers;
 *  - the loading card is busy for screen readers from the moment it shows,
 *    though its spinner turns only after a second.
 */
#include "config.h"

#include <adwaita.h>
#include <glib/gstdio.h>
#include <string.h>

#include "chancery-application.h"
#include "chancery-timeline.h"
#include "chancery-timeline-private.h"
#include "chancery-window.h"
#include "test-gui-common.h"

static ChanceryApplication *app;
static ChanceryWindow *window;

static gboolean
window_ready (gpointer data)
{
  ChanceryTimeline *timeline = chancery_window_get_timeline (window);

  return gtk_widget_get_mapped (GTK_WIDGET (window))
         && !chancery_window_get_busy (window)
         && chancery_window_get_store (window) != NULL
         && chancery_timeline_get_index (timeline) != NULL;
}

static gboolean
about_shown (gpointer data)
{
  return find_toplevel (ADW_TYPE_ABOUT_WINDOW) != NULL;
}

/* Widget tree walks */

typedef gboolean (*WidgetFunc) (GtkWidget *widget,
                                gpointer   data);

/* Calls func on widget and its descendants, in order; func returns FALSE to
 * skip a widget's children. */
static void
walk_widgets (GtkWidget  *widget,
              WidgetFunc  func,
              gpointer    data)
{
  if (!func (widget, data))
    return;
  for (GtkWidget *child = gtk_widget_get_first_child (widget);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    walk_widgets (child, func, data);
}

static gboolean
find_primary_menu_button (GtkWidget *widget,
                          gpointer   data)
{
  GtkWidget **found = data;

  if (GTK_IS_MENU_BUTTON (widget) && gtk_menu_button_get_primary (GTK_MENU_BUTTON (widget)))
    *found = widget;
  return *found == NULL;
}

/* Tests */

static void
test_about (void)
{
  AdwAboutWindow *about;

  g_action_group_activate_action (G_ACTION_GROUP (app), "about", NULL);
  g_assert_true (wait_until (about_shown, NULL, 5000));
  about = ADW_ABOUT_WINDOW (find_toplevel (ADW_TYPE_ABOUT_WINDOW));

  g_assert_cmpstr (adw_about_window_get_application_name (about), ==, "Chancery");
  g_assert_cmpstr (adw_about_window_get_application_icon (about), ==, APP_ID);
  g_assert_cmpstr (adw_about_window_get_version (about), ==, PACKAGE_VERSION);
  g_assert_cmpstr (adw_about_window_get_developer_name (about), ==, "The Chancery developers");
  g_assert_cmpint (adw_about_window_get_license_type (about), ==, GTK_LICENSE_GPL_3_0);
  g_assert_true (g_str_has_prefix (adw_about_window_get_website (about), "https://"));
  g_assert_true (g_str_has_prefix (adw_about_window_get_issue_url (about), "https://"));
  g_assert_nonnull (adw_about_window_get_translator_credits (about));
  g_assert_true (gtk_window_get_transient_for (GTK_WINDOW (about)) == GTK_WINDOW (window));

  gtk_window_destroy (GTK_WINDOW (about));
  run_for (100);
}

static gboolean
menu_has_action (GMenuModel *menu,
                 const char *action)
{
  for (int i = 0; i < g_menu_model_get_n_items (menu); i++)
    {
      g_autofree char *name = NULL;
      g_autoptr(GMenuLinkIter) links = NULL;

      if (g_menu_model_get_item_attribute (menu, i, G_MENU_ATTRIBUTE_ACTION, "s", &name)
          && g_strcmp0 (name, action) == 0)
        return TRUE;

      links = g_menu_model_iterate_item_links (menu, i);
      while (g_menu_link_iter_next (links))
        {
          g_autoptr(GMenuModel) sub = g_menu_link_iter_get_value (links);

          if (menu_has_action (sub, action))
            return TRUE;
        }
    }
  return FALSE;
}

static void
assert_accel (const char *action,
              const char *accel)
{
  g_auto(GStrv) accels = gtk_application_get_accels_for_action (GTK_APPLICATION (app), action);

  g_test_message ("%s: %s", action, accels[0] != NULL ? accels[0] : "(none)");
  g_assert_true (g_strv_contains ((const char * const *) accels, accel));
}

static void
test_primary_menu (void)
{
  GtkWidget *button = NULL;
  GMenuModel *menu;

  walk_widgets (GTK_WIDGET (window), find_primary_menu_button, &button);
  g_assert_nonnull (button);
  menu = gtk_menu_button_get_menu_model (GTK_MENU_BUTTON (button));
  g_assert_nonnull (menu);
  g_assert_true (menu_has_action (menu, "win.show-help-overlay"));
  g_assert_true (menu_has_action (menu, "app.about"));

  g_assert_true (g_action_group_has_action (G_ACTION_GROUP (app), "quit"));
  assert_accel ("app.quit", "<Control>q");
  assert_accel ("win.show-help-overlay", "<Control>question");
  g_assert_nonnull (gtk_application_window_get_help_overlay (GTK_APPLICATION_WINDOW (window)));
}

/* Keys */

typedef struct
{
  guint           keyval;
  GdkModifierType mods;
} Key;

/* One name for keys that do the same thing, as the shortcuts window shows
 * them: keypad keys as the main ones, Ctrl+= as Ctrl++ (the same key). */
static Key
normalize_key (guint           keyval,
               GdkModifierType mods)
{
  static const struct { guint from, to; } same[] = {
    { GDK_KEY_KP_Add, GDK_KEY_plus },
    { GDK_KEY_equal, GDK_KEY_plus },
    { GDK_KEY_KP_Subtract, GDK_KEY_minus },
    { GDK_KEY_KP_0, GDK_KEY_0 },
    { GDK_KEY_KP_Left, GDK_KEY_Left },
    { GDK_KEY_KP_Right, GDK_KEY_Right },
    { GDK_KEY_KP_Up, GDK_KEY_Up },
    { GDK_KEY_KP_Down, GDK_KEY_Down },
    { GDK_KEY_KP_Enter, GDK_KEY_Return },
    { GDK_KEY_ISO_Enter, GDK_KEY_Return },
    { GDK_KEY_KP_Home, GDK_KEY_Home },
    { GDK_KEY_KP_End, GDK_KEY_End },
  };
  Key key = { gdk_keyval_to_lower (keyval), mods & gtk_accelerator_get_default_mod_mask () };

  for (guint i = 0; i < G_N_ELEMENTS (same); i++)
    if (key.keyval == same[i].from)
      key.keyval = same[i].to;
  return key;
}

static char *
key_name (Key key)
{
  return gtk_accelerator_name (key.keyval, key.mods);
}

static void
add_trigger (GHashTable    *keys,
             GtkShortcutTrigger *trigger,
             const char    *owner)
{
  if (GTK_IS_KEYVAL_TRIGGER (trigger))
    {
      GtkKeyvalTrigger *t = GTK_KEYVAL_TRIGGER (trigger);
      Key key = normalize_key (gtk_keyval_trigger_get_keyval (t), gtk_keyval_trigger_get_modifiers (t));

      g_hash_table_insert (keys, key_name (key), g_strdup (owner));
    }
  else if (GTK_IS_ALTERNATIVE_TRIGGER (trigger))
    {
      GtkAlternativeTrigger *t = GTK_ALTERNATIVE_TRIGGER (trigger);

      add_trigger (keys, gtk_alternative_trigger_get_first (t), owner);
      add_trigger (keys, gtk_alternative_trigger_get_second (t), owner);
    }
}

static void
add_widget_keys (GHashTable *keys,
                 GtkWidget  *widget,
                 const char *owner)
{
  g_autoptr(GListModel) controllers = gtk_widget_observe_controllers (widget);

  for (guint i = 0; i < g_list_model_get_n_items (controllers); i++)
    {
      g_autoptr(GObject) controller = g_list_model_get_item (controllers, i);

      if (!GTK_IS_SHORTCUT_CONTROLLER (controller))
        continue;
      for (guint j = 0; j < g_list_model_get_n_items (G_LIST_MODEL (controller)); j++)
        {
          g_autoptr(GtkShortcut) shortcut = g_list_model_get_item (G_LIST_MODEL (controller), j);

          add_trigger (keys, gtk_shortcut_get_trigger (shortcut), owner);
        }
    }
}

/* What GTK or libadwaita bind in the class a Chancery widget derives from
 * (focus moves and the inspector in every window): not ours to list. */
static GHashTable *
inherited_keys (GType type)
{
  GHashTable *keys = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  GtkWidget *widget;

  while (g_str_has_prefix (g_type_name (type), "Chancery"))
    type = g_type_parent (type);
  if (G_TYPE_IS_ABSTRACT (type))
    return keys;

  widget = g_object_ref_sink (g_object_new (type, NULL));
  add_widget_keys (keys, widget, g_type_name (type));
  if (GTK_IS_WINDOW (widget))
    gtk_window_destroy (GTK_WINDOW (widget));
  g_object_unref (widget);
  return keys;
}

/* The class shortcuts (gtk_widget_class_add_binding*) of the window and of
 * every Chancery widget in it. */
static gboolean
collect_widget_keys (GtkWidget *widget,
                     gpointer   data)
{
  GHashTable *keys = data;
  const char *type_name = G_OBJECT_TYPE_NAME (widget);
  g_autoptr(GHashTable) own = NULL;
  g_autoptr(GHashTable) inherited = NULL;
  GHashTableIter iter;
  gpointer key, owner;

  if (!g_str_has_prefix (type_name, "Chancery"))
    return TRUE;

  own = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  inherited = inherited_keys (G_OBJECT_TYPE (widget));
  add_widget_keys (own, widget, type_name);
  g_hash_table_iter_init (&iter, own);
  while (g_hash_table_iter_next (&iter, &key, &owner))
    if (!g_hash_table_contains (inherited, key))
      g_hash_table_insert (keys, g_strdup (key), g_strdup (owner));
  return TRUE;
}

static void
collect_app_keys (GHashTable *keys)
{
  g_auto(GStrv) actions = gtk_application_list_action_descriptions (GTK_APPLICATION (app));

  for (guint i = 0; actions[i] != NULL; i++)
    {
      g_auto(GStrv) accels = gtk_application_get_accels_for_action (GTK_APPLICATION (app), actions[i]);

      for (guint j = 0; accels[j] != NULL; j++)
        {
          guint keyval;
          GdkModifierType mods;

          g_assert_true (gtk_accelerator_parse (accels[j], &keyval, &mods));
          g_hash_table_insert (keys, key_name (normalize_key (keyval, mods)), g_strdup (actions[i]));
        }
    }
}

static GHashTable *
shortcuts_window_keys (void)
{
  g_autoptr(GtkBuilder) builder = gtk_builder_new_from_resource ("/io/github/chancery/Chancery/gtk/help-overlay.ui");
  GHashTable *keys = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  GSList *objects = gtk_builder_get_objects (builder);
  GtkWindow *overlay = GTK_WINDOW (gtk_builder_get_object (builder, "help_overlay"));

  for (GSList *l = objects; l != NULL; l = l->next)
    {
      g_autofree char *accelerator = NULL;
      g_auto(GStrv) accels = NULL;

      if (!GTK_IS_SHORTCUTS_SHORTCUT (l->data))
        continue;
      g_object_get (l->data, "accelerator", &accelerator, NULL);
      if (accelerator == NULL)
        continue;
      accels = g_strsplit (accelerator, " ", -1);
      for (guint i = 0; accels[i] != NULL; i++)
        {
          guint keyval;
          GdkModifierType mods;

          if (*accels[i] == '\0')
            continue;
          g_assert_true (gtk_accelerator_parse (accels[i], &keyval, &mods));
          g_hash_table_add (keys, key_name (normalize_key (keyval, mods)));
        }
    }
  g_slist_free (objects);
  gtk_window_destroy (overlay);
  return keys;
}

static void
test_shortcuts_listed (void)
{
  g_autoptr(GHashTable) bound = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  g_autoptr(GHashTable) listed = shortcuts_window_keys ();
  g_autoptr(GString) missing = g_string_new (NULL);
  GHashTableIter iter;
  gpointer key, owner;

  walk_widgets (GTK_WIDGET (window), collect_widget_keys, bound);
  collect_app_keys (bound);
  /* Shown by GTK itself in every application window. */
  g_hash_table_remove (bound, "<Control>slash");

  g_assert_true (g_hash_table_contains (bound, "<Control>o"));
  g_assert_true (g_hash_table_contains (bound, "Right"));

  g_hash_table_iter_init (&iter, bound);
  while (g_hash_table_iter_next (&iter, &key, &owner))
    if (!g_hash_table_contains (listed, key))
      g_string_append_printf (missing, " %s (%s)", (char *) key, (char *) owner);

  if (missing->len > 0)
    g_test_message ("bound but not in gtk/help-overlay.ui:%s", missing->str);
  g_assert_cmpstr (missing->str, ==, "");
}

static void
test_follows_system_style (void)
{
  AdwStyleManager *manager = adw_style_manager_get_default ();
  gboolean prefer_dark = TRUE;

  g_assert_cmpint (adw_style_manager_get_color_scheme (manager), ==, ADW_COLOR_SCHEME_DEFAULT);
  g_object_get (gtk_settings_get_default (), "gtk-application-prefer-dark-theme", &prefer_dark, NULL);
  g_assert_false (prefer_dark);
}

/* Accessible names */

static gboolean
has_visible_label (GtkWidget *widget)
{
  if (!gtk_widget_get_visible (widget) || GTK_IS_POPOVER (widget))
    return FALSE;
  if (GTK_IS_LABEL (widget))
    {
      const char *text = gtk_label_get_text (GTK_LABEL (widget));
      return text != NULL && *text != '\0';
    }
  for (GtkWidget *child = gtk_widget_get_first_child (widget);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    if (has_visible_label (child))
      return TRUE;
  return FALSE;
}

static gboolean
is_control (GtkWidget *widget)
{
  return GTK_IS_BUTTON (widget) || GTK_IS_MENU_BUTTON (widget) || GTK_IS_ENTRY (widget)
         || GTK_IS_SEARCH_ENTRY (widget) || GTK_IS_CHECK_BUTTON (widget)
         || GTK_IS_DROP_DOWN (widget) || GTK_IS_SPIN_BUTTON (widget)
         || GTK_IS_SWITCH (widget) || GTK_IS_SCALE (widget) || GTK_IS_TEXT (widget);
}

static char *
describe (GtkWidget *widget)
{
  GString *path = g_string_new (G_OBJECT_TYPE_NAME (widget));

  for (GtkWidget *w = gtk_widget_get_parent (widget); w != NULL; w = gtk_widget_get_parent (w))
    {
      const char *name = gtk_widget_get_name (w);

      if (g_str_has_prefix (G_OBJECT_TYPE_NAME (w), "Chancery") || strcmp (name, G_OBJECT_TYPE_NAME (w)) != 0)
        {
          g_string_append_printf (path, " in %s", strcmp (name, G_OBJECT_TYPE_NAME (w)) != 0 ? name : G_OBJECT_TYPE_NAME (w));
          break;
        }
    }
  return g_string_free (path, FALSE);
}

typedef struct
{
  GString *unnamed;
  guint    n_checked;
} NameCheck;

static gboolean
check_name (GtkWidget *widget,
            gpointer   data)
{
  NameCheck *check = data;
  GtkAccessible *accessible = GTK_ACCESSIBLE (widget);
  const char *tooltip;

  if (!is_control (widget))
    return TRUE;

  /* GtkText inside an entry is named through the entry. */
  if (GTK_IS_TEXT (widget))
    return FALSE;

  check->n_checked++;
  tooltip = gtk_widget_get_tooltip_text (widget);
  if (!(GTK_IS_ENTRY (widget) || GTK_IS_SEARCH_ENTRY (widget) || GTK_IS_DROP_DOWN (widget)
        || GTK_IS_SPIN_BUTTON (widget))
      && has_visible_label (widget))
    ;
  else if (gtk_test_accessible_has_property (accessible, GTK_ACCESSIBLE_PROPERTY_LABEL)
           || gtk_test_accessible_has_relation (accessible, GTK_ACCESSIBLE_RELATION_LABELLED_BY)
           || (tooltip != NULL && *tooltip != '\0'))
    ;
  else
    {
      g_autofree char *what = describe (widget);
      g_string_append_printf (check->unnamed, "\n  %s", what);
    }

  /* The parts of a control are named through it; its popover is not. */
  for (GtkWidget *child = gtk_widget_get_first_child (widget);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    if (GTK_IS_POPOVER (child))
      walk_widgets (child, check_name, data);
  return FALSE;
}

static void
test_accessible_names (void)
{
  NameCheck check = { g_string_new (NULL), 0 };
  g_autofree char *unnamed = NULL;

  walk_widgets (GTK_WIDGET (window), check_name, &check);
  unnamed = g_string_free (check.unnamed, FALSE);
  g_test_message ("checked %u controls", check.n_checked);
  if (*unnamed != '\0')
    g_test_message ("controls without a visible label, accessible label or tooltip:%s", unnamed);
  g_assert_cmpuint (check.n_checked, >, 20);
  g_assert_cmpstr (unnamed, ==, "");
}

static void
test_timeline_description (void)
{
  ChanceryTimeline *timeline = chancery_window_get_timeline (window);
  ChanceryIndex *index = chancery_timeline_get_index (timeline);
  guint position = index->n_events / 2;
  g_autofree char *expected = chancery_format_event_description (index, position);
  g_autofree char *mismatch = NULL;

  g_assert_cmpuint (index->n_events, >, 0);
  gtk_test_accessible_assert_role (timeline, GTK_ACCESSIBLE_ROLE_GROUP);
  gtk_test_accessible_assert_property (timeline, GTK_ACCESSIBLE_PROPERTY_LABEL, "Timeline");

  chancery_window_select_event (window, index->events[position].id);
  run_for (50);
  g_test_message ("description: %s", expected);
  mismatch = gtk_test_accessible_check_property (GTK_ACCESSIBLE (timeline),
                                                 GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, expected);
  g_assert_null (mismatch);

  gtk_widget_activate_action (GTK_WIDGET (timeline), "timeline.unselect", NULL);
  run_for (50);
  g_assert_false (gtk_test_accessible_has_property (GTK_ACCESSIBLE (timeline),
                                                    GTK_ACCESSIBLE_PROPERTY_DESCRIPTION));
}

static gboolean
window_not_busy (gpointer data)
{
  return !chancery_window_get_busy (window);
}

static void
test_loading_card_busy (void)
{
  g_autofree char *path = g_build_filename (g_get_user_data_dir (), "slow.json", NULL);
  g_autoptr(GFile) file = g_file_new_for_path (path);
  GtkWidget *card = GTK_WIDGET (gtk_widget_get_template_child (GTK_WIDGET (window), CHANCERY_TYPE_WINDOW,
                                                                "loading_box"));
  GtkWidget *spinner = GTK_WIDGET (gtk_widget_get_template_child (GTK_WIDGET (window), CHANCERY_TYPE_WINDOW,
                                                                   "loading_spinner"));

  g_assert_nonnull (card);
  g_assert_nonnull (spinner);
  gtk_test_accessible_assert_state (card, GTK_ACCESSIBLE_STATE_BUSY, FALSE);

  test_write_slow_json (path);
  chancery_window_open_file (window, file);
  g_assert_true (gtk_widget_get_visible (card));
  g_assert_false (gtk_spinner_get_spinning (GTK_SPINNER (spinner)));
  gtk_test_accessible_assert_state (card, GTK_ACCESSIBLE_STATE_BUSY, TRUE);

  gtk_widget_activate_action (GTK_WIDGET (window), "win.cancel", NULL);
  g_assert_true (wait_until (window_not_busy, NULL, 30000));
  g_assert_false (gtk_widget_get_visible (card));
  gtk_test_accessible_assert_state (card, GTK_ACCESSIBLE_STATE_BUSY, FALSE);
  g_unlink (path);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;
  g_autofree char *data_home = NULL;
  int ret;

  data_home = g_dir_make_tmp ("chancery-test-XXXXXX", &error);
  g_assert_no_error (error);
  g_setenv ("XDG_DATA_HOME", data_home, TRUE);
  g_setenv ("LC_ALL", "C.UTF-8", TRUE);
  g_setenv ("GTK_A11Y", "test", TRUE);

  gtk_test_init (&argc, &argv, NULL);
  adw_init ();
  g_object_set (gtk_settings_get_default (), "gtk-enable-animations", FALSE, NULL);

  window = test_start_window (&app, 1280, 800);
  g_assert_true (wait_until (window_ready, NULL, 60000));
  run_for (200);

  g_test_add_func ("/conventions/about", test_about);
  g_test_add_func ("/conventions/primary-menu", test_primary_menu);
  g_test_add_func ("/conventions/shortcuts-listed", test_shortcuts_listed);
  g_test_add_func ("/conventions/follows-system-style", test_follows_system_style);
  g_test_add_func ("/conventions/accessible-names", test_accessible_names);
  g_test_add_func ("/conventions/timeline-description", test_timeline_description);
  g_test_add_func ("/conventions/loading-card-busy", test_loading_card_busy);

  ret = g_test_run ();

  gtk_window_destroy (GTK_WINDOW (window));
  g_clear_object (&app);
  return ret;
}
