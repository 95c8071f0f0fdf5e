/* chancery-filter-pane.c: the sidebar where people say what they want to see
 *
 * Copyright 2026 The Chancery developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n.h>

#include "chancery-date.h"
#include "chancery-locale.h"
#include "chancery-facet-list.h"
#include "chancery-filter-pane.h"

/* Typing in the date fields settles for this long before it filters. */
#define DEBOUNCE_MS 150

struct _ChanceryFilterPane
{
  GtkWidget          parent_instance;

  GtkSearchEntry    *search_entry;
  GtkLabel          *summary_label;
  GtkEntry          *from_entry;
  GtkEntry          *to_entry;
  GtkLabel          *date_hint_label;
  char              *date_hint;        /* the hint as the template says it */
  ChanceryFacetList *kinds_list;
  ChanceryFacetList *statuses_list;
  ChanceryFacetList *countries_list;
  ChanceryFacetList *actors_list;
  ChanceryFacetList *projects_list;

  guint              debounce_id;
  guint              resetting : 1;
};

G_DEFINE_FINAL_TYPE (ChanceryFilterPane, chancery_filter_pane, GTK_TYPE_WIDGET)

enum {
  CHANGED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

void
chancery_filter_chip_free (ChanceryFilterChip *chip)
{
  if (chip == NULL)
    return;
  g_free (chip->key);
  g_free (chip->label);
  g_free (chip);
}

static ChanceryFacetList *
get_list (ChanceryFilterPane *self,
          ChanceryFacetKind   kind)
{
  switch (kind)
    {
    case CHANCERY_FACET_ACTOR:   return self->actors_list;
    case CHANCERY_FACET_COUNTRY: return self->countries_list;
    case CHANCERY_FACET_KIND:    return self->kinds_list;
    case CHANCERY_FACET_STATUS:  return self->statuses_list;
    case CHANCERY_FACET_PROJECT: return self->projects_list;
    default:
      g_return_val_if_reached (NULL);
    }
}

static const char *
get_entry_text (GtkEntry *entry)
{
  return gtk_editable_get_text (GTK_EDITABLE (entry));
}

static gboolean
has_text (const char *text)
{
  return text != NULL && *text != '\0';
}

/* The search text, if it has a word to look for. Only spaces or
 * punctuation match every event: that is no filter, and no chip. */
static const char *
get_search_text (ChanceryFilterPane *self)
{
  const char *text = gtk_editable_get_text (GTK_EDITABLE (self->search_entry));
  g_autofree char *fts = chancery_filter_text_to_fts (text);

  return fts != NULL ? text : NULL;
}

static void
show_entry_error (GtkEntry   *entry,
                  const char *message)
{
  if (message != NULL)
    {
      gtk_widget_add_css_class (GTK_WIDGET (entry), "error");
      gtk_widget_set_tooltip_text (GTK_WIDGET (entry), message);
      gtk_accessible_update_property (GTK_ACCESSIBLE (entry),
                                      GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, message,
                                      -1);
      gtk_accessible_update_state (GTK_ACCESSIBLE (entry),
                                   GTK_ACCESSIBLE_STATE_INVALID, GTK_ACCESSIBLE_INVALID_TRUE,
                                   -1);
    }
  else
    {
      gtk_widget_remove_css_class (GTK_WIDGET (entry), "error");
      gtk_widget_set_tooltip_text (GTK_WIDGET (entry), NULL);
      gtk_accessible_reset_property (GTK_ACCESSIBLE (entry), GTK_ACCESSIBLE_PROPERTY_DESCRIPTION);
      gtk_accessible_reset_state (GTK_ACCESSIBLE (entry), GTK_ACCESSIBLE_STATE_INVALID);
    }
}

/* Under the date fields: the example, or what is wrong and that the
 * field is left out of the filter (the other one still applies). The
 * red field alone said nothing to someone who cannot hover it. */
static void
show_date_problems (ChanceryFilterPane *self,
                    const char         *from_message,
                    const char         *to_message)
{
  g_autoptr(GString) text = g_string_new (NULL);
  GtkWidget *hint = GTK_WIDGET (self->date_hint_label);

  if (from_message != NULL)
    /* Translators: under the date filter; %s says what is wrong with the
     * date typed in the "From" field, e.g. "month 13 is out of range" */
    g_string_append_printf (text, _("“From” is not used: %s"), from_message);
  if (to_message != NULL)
    {
      if (text->len > 0)
        g_string_append_c (text, '\n');
      /* Translators: as "“From” is not used: %s", for the "To" field */
      g_string_append_printf (text, _("“To” is not used: %s"), to_message);
    }

  if (text->len > 0)
    {
      gtk_label_set_text (self->date_hint_label, text->str);
      gtk_widget_remove_css_class (hint, "dim-label");
      gtk_widget_add_css_class (hint, "error");
    }
  else
    {
      gtk_label_set_text (self->date_hint_label, self->date_hint);
      gtk_widget_remove_css_class (hint, "error");
      gtk_widget_add_css_class (hint, "dim-label");
    }
}

/* Parses both date fields into filter (when given), marking the ones that
 * are wrong. Returns FALSE if any was wrong. */
static gboolean
apply_dates (ChanceryFilterPane *self,
             ChanceryFilter     *filter,
             gboolean            show_errors)
{
  const char *from = get_entry_text (self->from_entry);
  const char *to = get_entry_text (self->to_entry);
  g_autoptr(GError) from_error = NULL;
  g_autoptr(GError) to_error = NULL;
  g_autofree char *order_error = NULL;

  if (has_text (from) && !chancery_filter_set_from (filter, from, &from_error))
    filter->has_from = FALSE;
  if (has_text (to) && !chancery_filter_set_to (filter, to, &to_error))
    filter->has_to = FALSE;

  if (filter->has_from && filter->has_to && filter->from_day > filter->to_day)
    {
      order_error = g_strdup (_("This date is before the “From” date"));
      filter->has_to = FALSE;
    }

  if (show_errors)
    {
      const char *to_message = to_error != NULL ? to_error->message : order_error;

      show_entry_error (self->from_entry, from_error != NULL ? from_error->message : NULL);
      show_entry_error (self->to_entry, to_message);
      show_date_problems (self, from_error != NULL ? from_error->message : NULL, to_message);
    }

  return from_error == NULL && to_error == NULL && order_error == NULL;
}

static void
update_clear_action (ChanceryFilterPane *self)
{
  g_autoptr(ChanceryFilter) filter = chancery_filter_pane_dup_filter (self);
  gboolean anything = !chancery_filter_is_empty (filter)
                      || has_text (get_entry_text (self->from_entry))
                      || has_text (get_entry_text (self->to_entry));

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "filters.clear", anything);
}

static void
emit_changed (ChanceryFilterPane *self)
{
  g_clear_handle_id (&self->debounce_id, g_source_remove);
  if (self->resetting)
    return;

  update_clear_action (self);
  g_signal_emit (self, signals[CHANGED], 0);
}

static gboolean
on_debounce_timeout_cb (gpointer user_data)
{
  ChanceryFilterPane *self = user_data;
  g_autoptr(ChanceryFilter) scratch = chancery_filter_new ();

  self->debounce_id = 0;
  /* Typing has settled: now say what is wrong, if anything. */
  apply_dates (self, scratch, TRUE);
  emit_changed (self);
  return G_SOURCE_REMOVE;
}

static void
on_search_entry_search_changed_cb (GtkSearchEntry     *entry,
                                   ChanceryFilterPane *self)
{
  /* GtkSearchEntry already waits for typing to settle. */
  emit_changed (self);
}

/* Escape in the search field empties it, as in other GNOME
 * applications; in an empty one it does nothing. */
static void
on_search_entry_stop_search_cb (GtkSearchEntry     *entry,
                                ChanceryFilterPane *self)
{
  if (has_text (gtk_editable_get_text (GTK_EDITABLE (entry))))
    gtk_editable_set_text (GTK_EDITABLE (entry), "");
}

static void
on_date_entry_changed_cb (GtkEditable        *editable,
                          ChanceryFilterPane *self)
{
  g_autoptr(ChanceryFilter) scratch = chancery_filter_new ();

  /* A fixed date stops being marked at once; a wrong one is marked only
   * when typing settles, not at every half-typed "2025-". */
  if (apply_dates (self, scratch, FALSE))
    apply_dates (self, scratch, TRUE);

  g_clear_handle_id (&self->debounce_id, g_source_remove);
  if (!self->resetting)
    self->debounce_id = g_timeout_add (DEBOUNCE_MS, on_debounce_timeout_cb, self);
}

static void
on_facet_list_changed_cb (ChanceryFacetList  *list,
                          ChanceryFilterPane *self)
{
  emit_changed (self);
}

static void
clear_action_cb (GtkWidget  *widget,
                 const char *action_name,
                 GVariant   *parameter)
{
  chancery_filter_pane_clear (CHANCERY_FILTER_PANE (widget));
}

static gboolean
clear_all (ChanceryFilterPane *self)
{
  gboolean changed = FALSE;

  self->resetting = TRUE;

  if (has_text (gtk_editable_get_text (GTK_EDITABLE (self->search_entry))))
    {
      gtk_editable_set_text (GTK_EDITABLE (self->search_entry), "");
      changed = TRUE;
    }
  if (has_text (get_entry_text (self->from_entry)))
    {
      gtk_editable_set_text (GTK_EDITABLE (self->from_entry), "");
      changed = TRUE;
    }
  if (has_text (get_entry_text (self->to_entry)))
    {
      gtk_editable_set_text (GTK_EDITABLE (self->to_entry), "");
      changed = TRUE;
    }
  for (ChanceryFacetKind k = CHANCERY_FACET_ACTOR; k <= CHANCERY_FACET_PROJECT; k++)
    changed |= chancery_facet_list_clear (get_list (self, k));

  show_entry_error (self->from_entry, NULL);
  show_entry_error (self->to_entry, NULL);
  g_clear_handle_id (&self->debounce_id, g_source_remove);
  self->resetting = FALSE;

  return changed;
}

static void
chancery_filter_pane_dispose (GObject *object)
{
  ChanceryFilterPane *self = CHANCERY_FILTER_PANE (object);
  GtkWidget *child;

  g_clear_handle_id (&self->debounce_id, g_source_remove);
  gtk_widget_dispose_template (GTK_WIDGET (self), CHANCERY_TYPE_FILTER_PANE);
  /* The template's root has no id, so nothing above unparents it. */
  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self))) != NULL)
    gtk_widget_unparent (child);

  G_OBJECT_CLASS (chancery_filter_pane_parent_class)->dispose (object);
}

static void
chancery_filter_pane_finalize (GObject *object)
{
  ChanceryFilterPane *self = CHANCERY_FILTER_PANE (object);

  g_free (self->date_hint);

  G_OBJECT_CLASS (chancery_filter_pane_parent_class)->finalize (object);
}

static void
chancery_filter_pane_class_init (ChanceryFilterPaneClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = chancery_filter_pane_dispose;
  object_class->finalize = chancery_filter_pane_finalize;

  signals[CHANGED] =
    g_signal_new ("changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 0);

  g_type_ensure (CHANCERY_TYPE_FACET_LIST);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/chancery/Chancery/chancery-filter-pane.ui");
  gtk_widget_class_bind_template_child (widget_class, ChanceryFilterPane, search_entry);
  gtk_widget_class_bind_template_child (widget_class, ChanceryFilterPane, summary_label);
  gtk_widget_class_bind_template_child (widget_class, ChanceryFilterPane, from_entry);
  gtk_widget_class_bind_template_child (widget_class, ChanceryFilterPane, to_entry);
  gtk_widget_class_bind_template_child (widget_class, ChanceryFilterPane, date_hint_label);
  gtk_widget_class_bind_template_child (widget_class, ChanceryFilterPane, kinds_list);
  gtk_widget_class_bind_template_child (widget_class, ChanceryFilterPane, statuses_list);
  gtk_widget_class_bind_template_child (widget_class, ChanceryFilterPane, countries_list);
  gtk_widget_class_bind_template_child (widget_class, ChanceryFilterPane, actors_list);
  gtk_widget_class_bind_template_child (widget_class, ChanceryFilterPane, projects_list);
  gtk_widget_class_bind_template_callback (widget_class, on_search_entry_search_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, on_search_entry_stop_search_cb);
  gtk_widget_class_bind_template_callback (widget_class, on_date_entry_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, on_facet_list_changed_cb);

  gtk_widget_class_install_action (widget_class, "filters.clear", NULL, clear_action_cb);

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "chancery-filter-pane");
}

static void
chancery_filter_pane_init (ChanceryFilterPane *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  self->date_hint = g_strdup (gtk_label_get_text (self->date_hint_label));
  gtk_accessible_update_property (GTK_ACCESSIBLE (self),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _("Filters"),
                                  -1);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "filters.clear", FALSE);
}

GtkWidget *
chancery_filter_pane_new (void)
{
  return g_object_new (CHANCERY_TYPE_FILTER_PANE, NULL);
}

ChanceryFilter *
chancery_filter_pane_dup_filter (ChanceryFilterPane *self)
{
  ChanceryFilter *filter;
  GPtrArray *keys;

  g_return_val_if_fail (CHANCERY_IS_FILTER_PANE (self), NULL);

  filter = chancery_filter_new ();
  chancery_filter_set_text (filter, get_search_text (self));

  keys = chancery_facet_list_get_selected (self->actors_list);
  for (guint i = 0; i < keys->len; i++)
    chancery_filter_add_actor (filter, g_ptr_array_index (keys, i));
  keys = chancery_facet_list_get_selected (self->countries_list);
  for (guint i = 0; i < keys->len; i++)
    chancery_filter_add_country (filter, g_ptr_array_index (keys, i), NULL);
  keys = chancery_facet_list_get_selected (self->projects_list);
  for (guint i = 0; i < keys->len; i++)
    chancery_filter_add_project (filter, g_ptr_array_index (keys, i));
  keys = chancery_facet_list_get_selected (self->kinds_list);
  for (guint i = 0; i < keys->len; i++)
    chancery_filter_add_kind (filter, g_ptr_array_index (keys, i), NULL);
  keys = chancery_facet_list_get_selected (self->statuses_list);
  for (guint i = 0; i < keys->len; i++)
    chancery_filter_add_status (filter, g_ptr_array_index (keys, i), NULL);

  apply_dates (self, filter, FALSE);

  return filter;
}

void
chancery_filter_pane_set_facets (ChanceryFilterPane *self,
                                 ChanceryFacetKind   kind,
                                 GPtrArray          *facets)
{
  g_autoptr(ChanceryFilter) filter = NULL;

  g_return_if_fail (CHANCERY_IS_FILTER_PANE (self));

  filter = chancery_filter_pane_dup_filter (self);
  chancery_facet_list_set_facets (get_list (self, kind), facets, !chancery_filter_is_empty (filter));
}

void
chancery_filter_pane_set_summary (ChanceryFilterPane *self,
                                  guint               n_matching,
                                  guint               n_total)
{
  g_autofree char *text = NULL;
  g_autofree char *matching = NULL;
  g_autofree char *total = NULL;

  g_return_if_fail (CHANCERY_IS_FILTER_PANE (self));

  matching = chancery_format_count (n_matching);
  total = chancery_format_count (n_total);
  /* Translators: "7 of 21 events"; the numbers come formatted for the
   * language (%s), the plural follows the total */
  text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%s of %s event", "%s of %s events", n_total),
                          matching, total);
  gtk_label_set_text (self->summary_label, text);
}

void
chancery_filter_pane_add (ChanceryFilterPane *self,
                          ChanceryFacetKind   kind,
                          const char         *key,
                          const char         *label)
{
  ChanceryFacetList *list;

  g_return_if_fail (CHANCERY_IS_FILTER_PANE (self));
  g_return_if_fail (key != NULL);

  list = get_list (self, kind);
  if (chancery_facet_list_is_selected (list, key))
    return;

  chancery_facet_list_set_selected (list, key, label, TRUE);
  emit_changed (self);
}

void
chancery_filter_pane_remove (ChanceryFilterPane  *self,
                             ChanceryFilterField  field,
                             const char          *key)
{
  g_return_if_fail (CHANCERY_IS_FILTER_PANE (self));

  self->resetting = TRUE;
  switch (field)
    {
    case CHANCERY_FILTER_FIELD_FROM:
      gtk_editable_set_text (GTK_EDITABLE (self->from_entry), "");
      break;
    case CHANCERY_FILTER_FIELD_TO:
      gtk_editable_set_text (GTK_EDITABLE (self->to_entry), "");
      break;
    case CHANCERY_FILTER_FIELD_TEXT:
      gtk_editable_set_text (GTK_EDITABLE (self->search_entry), "");
      break;
    case CHANCERY_FILTER_FIELD_ACTOR:
    case CHANCERY_FILTER_FIELD_COUNTRY:
    case CHANCERY_FILTER_FIELD_KIND:
    case CHANCERY_FILTER_FIELD_STATUS:
    case CHANCERY_FILTER_FIELD_PROJECT:
      g_return_if_fail (key != NULL);
      chancery_facet_list_set_selected (get_list (self, (ChanceryFacetKind) field), key, NULL, FALSE);
      break;
    default:
      g_assert_not_reached ();
    }
  self->resetting = FALSE;

  emit_changed (self);
}

void
chancery_filter_pane_clear (ChanceryFilterPane *self)
{
  g_return_if_fail (CHANCERY_IS_FILTER_PANE (self));

  if (clear_all (self))
    emit_changed (self);
  update_clear_action (self);
}

void
chancery_filter_pane_reset (ChanceryFilterPane *self)
{
  g_return_if_fail (CHANCERY_IS_FILTER_PANE (self));

  clear_all (self);
  update_clear_action (self);
}

static void
add_chip (GPtrArray           *chips,
          ChanceryFilterField  field,
          const char          *key,
          char                *label)
{
  ChanceryFilterChip *chip = g_new0 (ChanceryFilterChip, 1);

  chip->field = field;
  chip->key = g_strdup (key);
  chip->label = label;
  g_ptr_array_add (chips, chip);
}

/* A date as typed, as people read it ("2025-12" → "December 2025"), or as
 * typed when it does not parse as it is (digits of another script). */
static char *
display_date (const char *text)
{
  ChanceryDate date;

  if (chancery_filter_parse_date (text, &date, NULL))
    return chancery_date_format (&date);
  return g_strdup (text);
}

GPtrArray *
chancery_filter_pane_list_chips (ChanceryFilterPane *self)
{
  static const ChanceryFacetKind order[] = {
    CHANCERY_FACET_COUNTRY, CHANCERY_FACET_ACTOR, CHANCERY_FACET_PROJECT,
    CHANCERY_FACET_KIND, CHANCERY_FACET_STATUS,
  };
  g_autoptr(ChanceryFilter) scratch = chancery_filter_new ();
  GPtrArray *chips;
  const char *text;

  g_return_val_if_fail (CHANCERY_IS_FILTER_PANE (self), NULL);

  chips = g_ptr_array_new_with_free_func ((GDestroyNotify) chancery_filter_chip_free);

  text = get_search_text (self);
  if (text != NULL)
    add_chip (chips, CHANCERY_FILTER_FIELD_TEXT, NULL, g_strdup_printf ("“%s”", text));

  apply_dates (self, scratch, FALSE);
  if (scratch->has_from)
    {
      g_autofree char *from = display_date (get_entry_text (self->from_entry));

      /* Translators: a filter chip, e.g. "From June 2025" */
      add_chip (chips, CHANCERY_FILTER_FIELD_FROM, NULL, g_strdup_printf (_("From %s"), from));
    }
  if (scratch->has_to)
    {
      g_autofree char *to = display_date (get_entry_text (self->to_entry));

      /* Translators: a filter chip, e.g. "To December 2025" */
      add_chip (chips, CHANCERY_FILTER_FIELD_TO, NULL, g_strdup_printf (_("To %s"), to));
    }

  for (guint i = 0; i < G_N_ELEMENTS (order); i++)
    {
      ChanceryFacetList *list = get_list (self, order[i]);
      GPtrArray *keys = chancery_facet_list_get_selected (list);

      for (guint j = 0; j < keys->len; j++)
        {
          const char *key = g_ptr_array_index (keys, j);
          add_chip (chips, (ChanceryFilterField) order[i], key,
                    g_strdup (chancery_facet_list_get_label (list, key)));
        }
    }

  return chips;
}

void
chancery_filter_pane_focus_search (ChanceryFilterPane *self)
{
  g_return_if_fail (CHANCERY_IS_FILTER_PANE (self));

  gtk_widget_grab_focus (GTK_WIDGET (self->search_entry));
}
