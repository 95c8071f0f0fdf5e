/* chancery-facet-list.c: pick several values of one facet, with counts
 *
 * Copyright 2026 The Chancery developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A dataset can have thousands of actors; the list shows the most frequent
 * ones (and every selected one) and a search field narrows it further.
 *
 * The list is one Tab stop, as GNOME lists are: Tab and Shift+Tab leave it,
 * the arrows move between facets, Space or Enter ticks one. Each row is
 * what takes focus and what a screen reader reads as the check box; the
 * check button inside only shows the state and takes clicks.
 */
#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "chancery-locale.h"
#include "chancery-facet-list.h"

/* Rows built at most; the rest are reached by searching. */
#define MAX_ROWS 40
/* Show the search field from this many values on. */
#define SEARCH_THRESHOLD 12

typedef struct
{
  char  *key;
  char  *label;
  guint  count;
} Facet;

struct _ChanceryFacetList
{
  GtkWidget       parent_instance;

  GtkLabel       *title_label;
  GtkSearchEntry *search_entry;
  GtkListBox     *list_box;
  GtkLabel       *more_label;

  GPtrArray      *facets;        /* Facet*, as given */
  GPtrArray      *selected;      /* char* keys, in picking order */
  GHashTable     *labels;        /* key -> label, of everything seen */
  GPtrArray      *row_keys;      /* char* keys of the rows, in order */
  GPtrArray      *rows;          /* GtkListBoxRow*, parallel to row_keys */
  char           *title;
  char           *focus_key;     /* the row Tab left, to come back to */
  gboolean        counting;      /* set_facets (NULL): counts not known yet */
  gboolean        filtered;      /* the counts are of filtered events */
};

G_DEFINE_FINAL_TYPE (ChanceryFacetList, chancery_facet_list, GTK_TYPE_WIDGET)

enum {
  PROP_0,
  PROP_TITLE,
  N_PROPS
};

enum {
  CHANGED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

static void on_check_toggled_cb (GtkCheckButton    *check,
                                 ChanceryFacetList *self);

static void
facet_free (Facet *facet)
{
  g_free (facet->key);
  g_free (facet->label);
  g_free (facet);
}

static gboolean
key_is_selected (ChanceryFacetList *self,
                 const char        *key,
                 guint             *index)
{
  return g_ptr_array_find_with_equal_func (self->selected, key, g_str_equal, index);
}

static gboolean
facet_matches (const Facet *facet,
               const char  *needle)
{
  g_autofree char *folded = NULL;

  if (needle == NULL || *needle == '\0')
    return TRUE;

  folded = g_utf8_casefold (facet->label, -1);
  return strstr (folded, needle) != NULL || g_ascii_strcasecmp (facet->key, needle) == 0;
}

static void
set_row_checked (GtkWidget *row,
                 gboolean   checked)
{
  gtk_accessible_update_state (GTK_ACCESSIBLE (row),
                               GTK_ACCESSIBLE_STATE_CHECKED,
                               checked ? GTK_ACCESSIBLE_TRISTATE_TRUE : GTK_ACCESSIBLE_TRISTATE_FALSE,
                               -1);
}

static void
set_row_count (GtkWidget  *row,
               const char *count_text,
               guint       count)
{
  g_autofree char *description = NULL;

  /* Translators: a facet's count for screen readers; %s is the number, formatted for the language */
  description = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%s event", "%s events", count),
                                 count_text);
  gtk_accessible_update_property (GTK_ACCESSIBLE (row),
                                  GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, description,
                                  -1);
}

/* Long actor names are cut short; the tooltip has them whole. */
static gboolean
on_check_query_tooltip_cb (GtkWidget  *check,
                           int         x,
                           int         y,
                           gboolean    keyboard_mode,
                           GtkTooltip *tooltip,
                           gpointer    user_data)
{
  const char *label = gtk_check_button_get_label (GTK_CHECK_BUTTON (check));

  if (label == NULL || *label == '\0')
    return FALSE;

  gtk_tooltip_set_text (tooltip, label);
  return TRUE;
}

static GtkWidget *
make_row (ChanceryFacetList *self,
          const Facet       *facet)
{
  /* The row is the check box people reach with the keyboard and screen
   * readers announce: "Iran, check box, not checked, 21 events". */
  GtkWidget *row = g_object_new (GTK_TYPE_LIST_BOX_ROW,
                                 "accessible-role", GTK_ACCESSIBLE_ROLE_CHECKBOX,
                                 NULL);
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
  GtkWidget *check = gtk_check_button_new_with_label (facet->label);
  GtkWidget *count = gtk_label_new (NULL);
  g_autofree char *count_text = chancery_format_count (facet->count);
  gboolean selected = key_is_selected (self, facet->key, NULL);

  gtk_widget_set_hexpand (check, TRUE);
  gtk_check_button_set_active (GTK_CHECK_BUTTON (check), selected);
  /* A second Tab stop, and a second check box to screen readers, in every
   * row: the row stands for it (see the top of this file). Not merely
   * unfocusable: GTK 4.8's check button claims to have taken the focus
   * it could not take, which would keep Shift+Tab from reaching the row. */
  gtk_widget_set_can_focus (check, FALSE);
  gtk_accessible_update_state (GTK_ACCESSIBLE (check), GTK_ACCESSIBLE_STATE_HIDDEN, TRUE, -1);
  /* Long actor names should not widen the sidebar. */
  if (GTK_IS_LABEL (gtk_widget_get_last_child (check)))
    gtk_label_set_ellipsize (GTK_LABEL (gtk_widget_get_last_child (check)), PANGO_ELLIPSIZE_END);
  /* Asked for when shown: setting a tooltip text on a visible widget costs
   * GTK 4.8 a round trip to the X server, and a filter change builds up
   * to a couple of hundred rows. */
  gtk_widget_set_has_tooltip (check, TRUE);
  g_signal_connect (check, "query-tooltip", G_CALLBACK (on_check_query_tooltip_cb), NULL);
  g_signal_connect (check, "toggled", G_CALLBACK (on_check_toggled_cb), self);

  gtk_label_set_text (GTK_LABEL (count), count_text);
  gtk_widget_add_css_class (count, "dim-label");
  gtk_widget_add_css_class (count, "numeric");
  gtk_widget_add_css_class (count, "facet-count");
  /* Said once, in the row's description. */
  gtk_accessible_update_state (GTK_ACCESSIBLE (count), GTK_ACCESSIBLE_STATE_HIDDEN, TRUE, -1);

  gtk_box_append (GTK_BOX (box), check);
  gtk_box_append (GTK_BOX (box), count);
  gtk_list_box_row_set_child (GTK_LIST_BOX_ROW (row), box);

  gtk_accessible_update_property (GTK_ACCESSIBLE (row),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, facet->label,
                                  -1);
  set_row_count (row, count_text, facet->count);
  set_row_checked (row, selected);

  g_object_set_data_full (G_OBJECT (check), "facet-key", g_strdup (facet->key), g_free);
  g_object_set_data (G_OBJECT (check), "row", row);
  g_object_set_data (G_OBJECT (row), "check", check);
  g_object_set_data (G_OBJECT (row), "count", count);

  return row;
}

static void
update_row (ChanceryFacetList *self,
            GtkWidget         *row,
            const Facet       *facet)
{
  GtkCheckButton *check = g_object_get_data (G_OBJECT (row), "check");
  GtkLabel *count = g_object_get_data (G_OBJECT (row), "count");
  g_autofree char *count_text = chancery_format_count (facet->count);
  gboolean selected = key_is_selected (self, facet->key, NULL);

  g_signal_handlers_block_by_func (check, on_check_toggled_cb, self);
  gtk_check_button_set_active (check, selected);
  g_signal_handlers_unblock_by_func (check, on_check_toggled_cb, self);
  set_row_checked (row, selected);
  gtk_label_set_text (count, count_text);
  set_row_count (row, count_text, facet->count);
}

/* The facets to show: matching ones up to MAX_ROWS, then any selected ones
 * that did not make it (they must stay visible to be unticked). */
static GPtrArray *
collect_visible (ChanceryFacetList *self,
                 guint             *n_matching)
{
  g_autoptr(GPtrArray) shown = g_ptr_array_new_with_free_func ((GDestroyNotify) facet_free);
  g_autofree char *needle = NULL;
  const char *text = gtk_editable_get_text (GTK_EDITABLE (self->search_entry));
  g_autoptr(GHashTable) listed = g_hash_table_new (g_str_hash, g_str_equal);

  if (text != NULL && *text != '\0')
    needle = g_utf8_casefold (text, -1);

  *n_matching = 0;
  for (guint i = 0; i < self->facets->len; i++)
    {
      const Facet *facet = g_ptr_array_index (self->facets, i);
      Facet *copy;

      if (!facet_matches (facet, needle))
        continue;
      (*n_matching)++;
      if (shown->len >= MAX_ROWS)
        continue;

      copy = g_new0 (Facet, 1);
      copy->key = g_strdup (facet->key);
      copy->label = g_strdup (facet->label);
      copy->count = facet->count;
      g_hash_table_add (listed, copy->key);
      g_ptr_array_add (shown, copy);
    }

  for (guint i = 0; i < self->selected->len; i++)
    {
      const char *key = g_ptr_array_index (self->selected, i);
      Facet *copy;

      if (g_hash_table_contains (listed, key))
        continue;

      copy = g_new0 (Facet, 1);
      copy->key = g_strdup (key);
      copy->label = g_strdup (chancery_facet_list_get_label (self, key));
      copy->count = 0;
      for (guint j = 0; j < self->facets->len; j++)
        {
          const Facet *facet = g_ptr_array_index (self->facets, j);
          if (g_str_equal (facet->key, key))
            copy->count = facet->count;
        }
      g_ptr_array_add (shown, copy);
    }

  return g_steal_pointer (&shown);
}

static void
rebuild (ChanceryFacetList *self)
{
  g_autoptr(GPtrArray) shown = NULL;
  gboolean same_rows;
  guint n_matching;

  shown = collect_visible (self, &n_matching);

  same_rows = shown->len == self->row_keys->len;
  for (guint i = 0; same_rows && i < shown->len; i++)
    {
      const Facet *facet = g_ptr_array_index (shown, i);
      same_rows = g_str_equal (facet->key, g_ptr_array_index (self->row_keys, i));
    }

  if (same_rows)
    {
      /* Only counts moved: update in place so focus stays where it was. */
      for (guint i = 0; i < shown->len; i++)
        update_row (self, g_ptr_array_index (self->rows, i), g_ptr_array_index (shown, i));
    }
  else
    {
      GtkWidget *child;

      while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->list_box))) != NULL)
        gtk_list_box_remove (self->list_box, child);
      g_ptr_array_set_size (self->row_keys, 0);
      g_ptr_array_set_size (self->rows, 0);

      for (guint i = 0; i < shown->len; i++)
        {
          const Facet *facet = g_ptr_array_index (shown, i);
          GtkWidget *row = make_row (self, facet);

          gtk_list_box_append (self->list_box, row);
          g_ptr_array_add (self->row_keys, g_strdup (facet->key));
          g_ptr_array_add (self->rows, row);
        }
    }

  gtk_widget_set_visible (GTK_WIDGET (self->list_box), shown->len > 0);
  gtk_widget_set_visible (GTK_WIDGET (self->search_entry),
                          self->facets->len >= SEARCH_THRESHOLD);

  if (n_matching > MAX_ROWS)
    {
      g_autofree char *more = NULL;
      g_autofree char *count = chancery_format_count (n_matching - MAX_ROWS);

      /* Translators: below a list of actors or countries that was cut short; %s is a number */
      more = g_strdup_printf (_("%s more — type to narrow the list"), count);
      gtk_label_set_text (self->more_label, more);
      gtk_widget_set_visible (GTK_WIDGET (self->more_label), TRUE);
    }
  else if (self->counting)
    {
      gtk_label_set_text (self->more_label, _("Counting…"));
      gtk_widget_set_visible (GTK_WIDGET (self->more_label), TRUE);
    }
  else if (self->facets->len == 0 && self->selected->len == 0)
    {
      /* With filters on, an empty list says nothing about the dataset. */
      gtk_label_set_text (self->more_label, self->filtered ? _("None in the filtered events")
                                                           : _("None in this dataset"));
      gtk_widget_set_visible (GTK_WIDGET (self->more_label), TRUE);
    }
  else if (n_matching == 0)
    {
      gtk_label_set_text (self->more_label, _("No matches"));
      gtk_widget_set_visible (GTK_WIDGET (self->more_label), TRUE);
    }
  else
    gtk_widget_set_visible (GTK_WIDGET (self->more_label), FALSE);
}

static void
on_check_toggled_cb (GtkCheckButton    *check,
                     ChanceryFacetList *self)
{
  const char *key = g_object_get_data (G_OBJECT (check), "facet-key");

  set_row_checked (g_object_get_data (G_OBJECT (check), "row"), gtk_check_button_get_active (check));
  chancery_facet_list_set_selected (self, key, NULL, gtk_check_button_get_active (check));
  g_signal_emit (self, signals[CHANGED], 0);
}

static void
on_list_box_row_activated_cb (GtkListBox        *list_box,
                              GtkListBoxRow     *row,
                              ChanceryFacetList *self)
{
  GtkCheckButton *check = g_object_get_data (G_OBJECT (row), "check");

  gtk_check_button_set_active (check, !gtk_check_button_get_active (check));
}

static void
on_search_entry_search_changed_cb (GtkSearchEntry    *entry,
                                   ChanceryFacetList *self)
{
  rebuild (self);
}

static GtkWidget *
find_row (ChanceryFacetList *self,
          const char        *key)
{
  guint i;

  if (key == NULL || !g_ptr_array_find_with_equal_func (self->row_keys, key, g_str_equal, &i))
    return NULL;
  return g_ptr_array_index (self->rows, i);
}

/* GtkListBox moves Tab from row to row, like the arrows; here Tab leaves
 * the list and comes back to the row it left. */
static gboolean
chancery_facet_list_focus (GtkWidget        *widget,
                           GtkDirectionType  direction)
{
  ChanceryFacetList *self = CHANCERY_FACET_LIST (widget);
  GtkRoot *root = gtk_widget_get_root (widget);
  GtkWidget *focus = root != NULL ? gtk_root_get_focus (root) : NULL;
  GtkWidget *focus_row = gtk_widget_get_focus_child (GTK_WIDGET (self->list_box));
  GtkWidget *row;
  guint i;

  if (direction != GTK_DIR_TAB_FORWARD && direction != GTK_DIR_TAB_BACKWARD)
    return GTK_WIDGET_CLASS (chancery_facet_list_parent_class)->focus (widget, direction);

  if (focus != NULL && focus_row != NULL && gtk_widget_is_ancestor (focus, GTK_WIDGET (self->list_box)))
    {
      g_clear_pointer (&self->focus_key, g_free);
      if (g_ptr_array_find (self->rows, focus_row, &i))
        self->focus_key = g_strdup (g_ptr_array_index (self->row_keys, i));

      /* The search field is the only stop before the rows. */
      if (direction == GTK_DIR_TAB_BACKWARD && gtk_widget_get_visible (GTK_WIDGET (self->search_entry)))
        return gtk_widget_child_focus (GTK_WIDGET (self->search_entry), direction);
      return FALSE;
    }

  if (!GTK_WIDGET_CLASS (chancery_facet_list_parent_class)->focus (widget, direction))
    return FALSE;

  /* Tab came into the rows: at the first or last one; go where it left. */
  focus_row = gtk_widget_get_focus_child (GTK_WIDGET (self->list_box));
  row = find_row (self, self->focus_key);
  if (focus_row != NULL && row != NULL && row != focus_row
      && gtk_widget_get_child_visible (row) && gtk_widget_is_sensitive (row))
    gtk_widget_grab_focus (row);

  return TRUE;
}

static void
chancery_facet_list_dispose (GObject *object)
{
  ChanceryFacetList *self = CHANCERY_FACET_LIST (object);
  GtkWidget *child;

  gtk_widget_dispose_template (GTK_WIDGET (self), CHANCERY_TYPE_FACET_LIST);
  /* The template's root has no id, so nothing above unparents it. */
  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self))) != NULL)
    gtk_widget_unparent (child);
  g_clear_pointer (&self->facets, g_ptr_array_unref);
  g_clear_pointer (&self->selected, g_ptr_array_unref);
  g_clear_pointer (&self->labels, g_hash_table_unref);
  g_clear_pointer (&self->row_keys, g_ptr_array_unref);
  g_clear_pointer (&self->rows, g_ptr_array_unref);
  g_clear_pointer (&self->title, g_free);
  g_clear_pointer (&self->focus_key, g_free);

  G_OBJECT_CLASS (chancery_facet_list_parent_class)->dispose (object);
}

static void
chancery_facet_list_get_property (GObject    *object,
                                  guint       prop_id,
                                  GValue     *value,
                                  GParamSpec *pspec)
{
  ChanceryFacetList *self = CHANCERY_FACET_LIST (object);

  switch (prop_id)
    {
    case PROP_TITLE:
      g_value_set_string (value, self->title);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
chancery_facet_list_set_property (GObject      *object,
                                  guint         prop_id,
                                  const GValue *value,
                                  GParamSpec   *pspec)
{
  ChanceryFacetList *self = CHANCERY_FACET_LIST (object);

  switch (prop_id)
    {
    case PROP_TITLE:
      if (g_strcmp0 (self->title, g_value_get_string (value)) != 0)
        {
          g_autofree char *placeholder = NULL;

          g_free (self->title);
          self->title = g_value_dup_string (value);
          gtk_label_set_text (self->title_label, self->title);
          gtk_accessible_update_property (GTK_ACCESSIBLE (self->list_box),
                                          GTK_ACCESSIBLE_PROPERTY_LABEL, self->title,
                                          -1);
          /* Translators: placeholder of the search field above a facet list, e.g. "Search Actors" */
          placeholder = g_strdup_printf (_("Search %s"), self->title);
          g_object_set (self->search_entry, "placeholder-text", placeholder, NULL);
          gtk_accessible_update_property (GTK_ACCESSIBLE (self->search_entry),
                                          GTK_ACCESSIBLE_PROPERTY_LABEL, placeholder,
                                          -1);
          g_object_notify_by_pspec (object, pspec);
        }
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
chancery_facet_list_class_init (ChanceryFacetListClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = chancery_facet_list_dispose;
  object_class->get_property = chancery_facet_list_get_property;
  object_class->set_property = chancery_facet_list_set_property;

  widget_class->focus = chancery_facet_list_focus;

  properties[PROP_TITLE] =
    g_param_spec_string ("title", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  signals[CHANGED] =
    g_signal_new ("changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 0);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/chancery/Chancery/chancery-facet-list.ui");
  gtk_widget_class_bind_template_child (widget_class, ChanceryFacetList, title_label);
  gtk_widget_class_bind_template_child (widget_class, ChanceryFacetList, search_entry);
  gtk_widget_class_bind_template_child (widget_class, ChanceryFacetList, list_box);
  gtk_widget_class_bind_template_child (widget_class, ChanceryFacetList, more_label);
  gtk_widget_class_bind_template_callback (widget_class, on_list_box_row_activated_cb);
  gtk_widget_class_bind_template_callback (widget_class, on_search_entry_search_changed_cb);

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "chancery-facet-list");
}

static void
chancery_facet_list_init (ChanceryFacetList *self)
{
  self->facets = g_ptr_array_new_with_free_func ((GDestroyNotify) facet_free);
  self->selected = g_ptr_array_new_with_free_func (g_free);
  self->labels = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  self->row_keys = g_ptr_array_new_with_free_func (g_free);
  self->rows = g_ptr_array_new ();

  gtk_widget_init_template (GTK_WIDGET (self));
  rebuild (self);
}

GtkWidget *
chancery_facet_list_new (void)
{
  return g_object_new (CHANCERY_TYPE_FACET_LIST, NULL);
}

void
chancery_facet_list_set_facets (ChanceryFacetList *self,
                                GPtrArray         *facets,
                                gboolean           filtered)
{
  g_return_if_fail (CHANCERY_IS_FACET_LIST (self));

  self->counting = facets == NULL;
  self->filtered = filtered;
  g_ptr_array_set_size (self->facets, 0);
  for (guint i = 0; facets != NULL && i < facets->len; i++)
    {
      const ChanceryFacet *facet = g_ptr_array_index (facets, i);
      Facet *copy = g_new0 (Facet, 1);

      copy->key = g_strdup (facet->key);
      copy->label = g_strdup (facet->label != NULL ? facet->label : facet->key);
      copy->count = facet->count;
      g_ptr_array_add (self->facets, copy);
      g_hash_table_replace (self->labels, g_strdup (copy->key), g_strdup (copy->label));
    }

  rebuild (self);
}

void
chancery_facet_list_set_selected (ChanceryFacetList *self,
                                  const char        *key,
                                  const char        *label,
                                  gboolean           selected)
{
  guint index;
  gboolean was_selected;

  g_return_if_fail (CHANCERY_IS_FACET_LIST (self));
  g_return_if_fail (key != NULL);

  if (label != NULL)
    g_hash_table_replace (self->labels, g_strdup (key), g_strdup (label));

  was_selected = key_is_selected (self, key, &index);
  if (was_selected == selected)
    return;

  if (selected)
    g_ptr_array_add (self->selected, g_strdup (key));
  else
    g_ptr_array_remove_index (self->selected, index);

  rebuild (self);
}

gboolean
chancery_facet_list_is_selected (ChanceryFacetList *self,
                                 const char        *key)
{
  g_return_val_if_fail (CHANCERY_IS_FACET_LIST (self), FALSE);
  return key_is_selected (self, key, NULL);
}

GPtrArray *
chancery_facet_list_get_selected (ChanceryFacetList *self)
{
  g_return_val_if_fail (CHANCERY_IS_FACET_LIST (self), NULL);
  return self->selected;
}

const char *
chancery_facet_list_get_label (ChanceryFacetList *self,
                               const char        *key)
{
  const char *label;

  g_return_val_if_fail (CHANCERY_IS_FACET_LIST (self), NULL);

  label = g_hash_table_lookup (self->labels, key);
  return label != NULL ? label : key;
}

gboolean
chancery_facet_list_clear (ChanceryFacetList *self)
{
  g_return_val_if_fail (CHANCERY_IS_FACET_LIST (self), FALSE);

  if (self->selected->len == 0)
    return FALSE;

  g_ptr_array_set_size (self->selected, 0);
  rebuild (self);
  return TRUE;
}
