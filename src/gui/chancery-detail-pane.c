/* chancery-detail-pane.c: everything known about the selected event
 *
 * Copyright 2026 The Chancery developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <adwaita.h>
#include <glib/gi18n.h>

#include "chancery-accessible.h"
#include "chancery-locale.h"
#include "chancery-detail-pane.h"
#include "chancery-wrap-box.h"

struct _ChanceryDetailPane
{
  GtkWidget      parent_instance;

  GtkStack      *stack;
  GtkScrolledWindow *scroller;
  GtkLabel      *kind_label;
  GtkLabel      *status_label;
  GtkLabel      *title_label;
  GtkLabel      *date_label;
  GtkLabel      *persian_date_label;
  GtkLabel      *precision_label;
  GtkWidget     *place_icon;
  GtkLabel      *place_label;
  GtkLabel      *summary_label;
  GtkWidget     *actors_group;
  GtkListBox    *actors_list;
  GtkWidget     *countries_group;
  ChanceryWrapBox *countries_box;
  GtkWidget     *projects_group;
  ChanceryWrapBox *projects_box;
  GtkWidget     *sources_group;
  GtkBox        *sources_box;
  GtkWidget     *related_group;
  GtkListBox    *related_list;

  ChanceryEvent *event;
};

G_DEFINE_FINAL_TYPE (ChanceryDetailPane, chancery_detail_pane, GTK_TYPE_WIDGET)

enum {
  FILTER_REQUESTED,
  EVENT_REQUESTED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static const char *
status_css_class (ChanceryStatus status)
{
  switch (status)
    {
    case CHANCERY_STATUS_OCCURRED:  return "status-occurred";
    case CHANCERY_STATUS_REPORTED:  return "status-reported";
    case CHANCERY_STATUS_ANNOUNCED: return "status-announced";
    case CHANCERY_STATUS_PLANNED:   return "status-planned";
    case CHANCERY_STATUS_CANCELLED: return "status-cancelled";
    case CHANCERY_STATUS_DISPUTED:  return "status-disputed";
    case CHANCERY_N_STATUSES:
    default:
      return "status-other";
    }
}

/* "Month precision · approximate": how certain the source made the date. */
static char *
describe_precision (const ChanceryDate *date)
{
  g_autoptr(GPtrArray) parts = g_ptr_array_new ();
  ChanceryQualifier q = date->start.qualifiers | date->end.qualifiers;

  switch (chancery_date_get_precision (date))
    {
    case CHANCERY_PRECISION_DAY:
      g_ptr_array_add (parts, (char *) _("Day precision"));
      break;
    case CHANCERY_PRECISION_MONTH:
      g_ptr_array_add (parts, (char *) _("Month precision"));
      break;
    case CHANCERY_PRECISION_YEAR:
      g_ptr_array_add (parts, (char *) _("Year precision"));
      break;
    default:
      break;
    }

  if (date->form == CHANCERY_DATE_BEFORE)
    g_ptr_array_add (parts, (char *) _("start unknown"));
  else if (date->form == CHANCERY_DATE_AFTER)
    g_ptr_array_add (parts, (char *) _("end unknown"));
  if (q & CHANCERY_QUALIFIER_APPROXIMATE)
    g_ptr_array_add (parts, (char *) _("approximate"));
  if (q & CHANCERY_QUALIFIER_UNCERTAIN)
    g_ptr_array_add (parts, (char *) _("uncertain"));

  g_ptr_array_add (parts, NULL);
  /* Translators: separates facts about a date, e.g. "Month precision · approximate" */
  return g_strjoinv (_(" · "), (char **) parts->pdata);
}

static const char *
describe_relation (const ChanceryEventLink *link)
{
  /* Every relation the JSON importer accepts (docs/json-format.md), read
   * from this event's side: outgoing "A outcome-of B" shows on A as
   * "Outcome of" and on B as "Led to". */
  static const struct {
    const char *relation;
    const char *outgoing;
    const char *incoming;
  } relations[] = {
    /* Translators: how a related event stands to the one shown */
    { "part-of", N_("Part of"), N_("Includes") },
    { "follows", N_("Follows"), N_("Followed by") },
    { "precedes", N_("Precedes"), N_("Preceded by") },
    { "outcome-of", N_("Outcome of"), N_("Led to") },
    { "related", N_("Related"), N_("Related") },
  };

  for (guint i = 0; i < G_N_ELEMENTS (relations); i++)
    {
      if (g_strcmp0 (link->relation, relations[i].relation) == 0)
        return _(link->outgoing ? relations[i].outgoing : relations[i].incoming);
    }

  /* A database written by something else may know more; never show an id. */
  return _("Related");
}

/* The name the store gave with the event (name, when not NULL), else the
 * one in the event's own list of countries; a code without a name is
 * shown as it is. */
static const char *
country_name (const ChanceryEvent *event,
              const char          *code,
              const char          *name)
{
  if (name != NULL)
    return name;
  for (guint i = 0; code != NULL && event->countries != NULL && i < event->countries->len; i++)
    {
      const ChanceryEventCountry *c = g_ptr_array_index (event->countries, i);

      if (g_strcmp0 (c->code, code) == 0 && c->name != NULL)
        return c->name;
    }
  return code;
}

static void
remove_all_children (GtkWidget *container)
{
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (container)) != NULL)
    {
      if (GTK_IS_LIST_BOX (container))
        gtk_list_box_remove (GTK_LIST_BOX (container), child);
      else if (CHANCERY_IS_WRAP_BOX (container))
        gtk_widget_unparent (child);
      else
        gtk_box_remove (GTK_BOX (container), child);
    }
}

static void
set_label_or_hide (GtkLabel   *label,
                   const char *text)
{
  gtk_label_set_text (label, text != NULL ? text : "");
  gtk_widget_set_visible (GTK_WIDGET (label), text != NULL && *text != '\0');
}

static void
request_filter (ChanceryDetailPane *self,
                GObject            *from)
{
  ChanceryFacetKind kind = GPOINTER_TO_UINT (g_object_get_data (from, "facet-kind"));
  const char *key = g_object_get_data (from, "facet-key");
  const char *label = g_object_get_data (from, "facet-label");

  g_signal_emit (self, signals[FILTER_REQUESTED], 0, kind, key, label);
}

static void
attach_facet (GObject           *object,
              ChanceryFacetKind  kind,
              const char        *key,
              const char        *label)
{
  g_object_set_data (object, "facet-kind", GUINT_TO_POINTER (kind));
  g_object_set_data_full (object, "facet-key", g_strdup (key), g_free);
  g_object_set_data_full (object, "facet-label", g_strdup (label), g_free);
}

static void
on_chip_clicked_cb (GtkButton          *button,
                    ChanceryDetailPane *self)
{
  request_filter (self, G_OBJECT (button));
}

static void
on_actors_list_row_activated_cb (GtkListBox         *list,
                                 GtkListBoxRow      *row,
                                 ChanceryDetailPane *self)
{
  request_filter (self, G_OBJECT (row));
}

static void
on_related_list_row_activated_cb (GtkListBox         *list,
                                  GtkListBoxRow      *row,
                                  ChanceryDetailPane *self)
{
  gint64 *id = g_object_get_data (G_OBJECT (row), "event-id");

  if (id != NULL)
    g_signal_emit (self, signals[EVENT_REQUESTED], 0, *id);
}

static GtkWidget *
make_chip (ChanceryDetailPane *self,
           ChanceryFacetKind   kind,
           const char         *key,
           const char         *label)
{
  GtkWidget *button = gtk_button_new_with_label (label);
  GtkLabel *text = GTK_LABEL (gtk_button_get_child (GTK_BUTTON (button)));
  g_autofree char *tooltip = NULL;

  /* A long name ("North–South International Transport Corridor") is cut
   * where the pane ends, not allowed to widen the pane and with it narrow
   * the timeline; the tooltip and the accessible name keep all of it. */
  gtk_label_set_ellipsize (text, PANGO_ELLIPSIZE_END);

  /* Translators: tooltip of a country or project button in the detail pane */
  tooltip = g_strdup_printf (_("Show only events with %s"), label);
  gtk_widget_set_tooltip_text (button, tooltip);
  gtk_widget_add_css_class (button, "chip");
  /* Chips keep their own width instead of filling the flow box's cell. */
  gtk_widget_set_halign (button, GTK_ALIGN_START);
  attach_facet (G_OBJECT (button), kind, key, label);
  g_signal_connect (button, "clicked", G_CALLBACK (on_chip_clicked_cb), self);

  return button;
}

static void
fill_actors (ChanceryDetailPane *self)
{
  GPtrArray *actors = self->event->actors;

  remove_all_children (GTK_WIDGET (self->actors_list));
  gtk_widget_set_visible (self->actors_group, actors != NULL && actors->len > 0);
  if (actors == NULL)
    return;

  for (guint i = 0; i < actors->len; i++)
    {
      ChanceryEventActor *actor = g_ptr_array_index (actors, i);
      const char *country = country_name (self->event, actor->country, actor->country_name);
      GtkWidget *row = adw_action_row_new ();
      GtkWidget *role = gtk_label_new (chancery_role_get_label (actor->role));
      GtkWidget *icon = chancery_decorative_icon_new ("system-search-symbolic");
      g_autofree char *subtitle = NULL;
      g_autofree char *tooltip = NULL;

      if (actor->title != NULL && country != NULL)
        subtitle = g_strdup_printf ("%s · %s", actor->title, country);
      else
        subtitle = g_strdup (actor->title != NULL ? actor->title : country);

      adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), actor->name);
      if (subtitle != NULL)
        adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);

      gtk_widget_add_css_class (role, "tag");
      gtk_widget_set_valign (role, GTK_ALIGN_CENTER);
      adw_action_row_add_suffix (ADW_ACTION_ROW (row), role);
      gtk_widget_add_css_class (icon, "dim-label");
      adw_action_row_add_suffix (ADW_ACTION_ROW (row), icon);

      gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (row), TRUE);
      tooltip = g_strdup_printf (_("Show only events with %s"), actor->name);
      gtk_widget_set_tooltip_text (row, tooltip);
      attach_facet (G_OBJECT (row), CHANCERY_FACET_ACTOR, actor->uid, actor->name);
      gtk_list_box_append (self->actors_list, row);
    }
}

static void
fill_countries_and_projects (ChanceryDetailPane *self)
{
  GPtrArray *countries = self->event->countries;
  GPtrArray *projects = self->event->projects;

  remove_all_children (GTK_WIDGET (self->countries_box));
  remove_all_children (GTK_WIDGET (self->projects_box));

  for (guint i = 0; countries != NULL && i < countries->len; i++)
    {
      ChanceryEventCountry *c = g_ptr_array_index (countries, i);
      const char *label = c->name != NULL ? c->name : c->code;

      chancery_wrap_box_append (self->countries_box, make_chip (self, CHANCERY_FACET_COUNTRY, c->code, label));
    }
  gtk_widget_set_visible (self->countries_group, countries != NULL && countries->len > 0);

  for (guint i = 0; projects != NULL && i < projects->len; i++)
    {
      ChanceryEventProject *p = g_ptr_array_index (projects, i);

      chancery_wrap_box_append (self->projects_box, make_chip (self, CHANCERY_FACET_PROJECT, p->uid, p->name));
    }
  gtk_widget_set_visible (self->projects_group, projects != NULL && projects->len > 0);
}

static char *
describe_source (const ChanceryEventSource *source)
{
  g_autoptr(GPtrArray) parts = g_ptr_array_new_with_free_func (g_free);

  if (source->publisher != NULL)
    g_ptr_array_add (parts, g_strdup (source->publisher));
  if (source->title != NULL)
    g_ptr_array_add (parts, g_strdup (source->title));
  if (source->reference != NULL)
    g_ptr_array_add (parts, g_strdup (source->reference));
  if (source->published != NULL)
    {
      ChanceryDate date;

      if (chancery_date_parse (source->published, &date, NULL))
        g_ptr_array_add (parts, chancery_date_format (&date));
      else
        g_ptr_array_add (parts, g_strdup (source->published));
    }
  if (parts->len == 0)
    g_ptr_array_add (parts, g_strdup (source->uid));

  g_ptr_array_add (parts, NULL);
  return g_strjoinv (" · ", (char **) parts->pdata);
}

static GtkWidget *
make_source (const ChanceryEventSource *source)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 6);
  GtkWidget *meta;
  g_autofree char *description = describe_source (source);

  gtk_widget_add_css_class (box, "source");

  if (source->quote != NULL && *source->quote != '\0')
    {
      GtkWidget *quote = gtk_label_new (source->quote);

      gtk_label_set_wrap (GTK_LABEL (quote), TRUE);
      gtk_label_set_wrap_mode (GTK_LABEL (quote), PANGO_WRAP_WORD_CHAR);
      gtk_label_set_xalign (GTK_LABEL (quote), 0.0);
      gtk_label_set_selectable (GTK_LABEL (quote), TRUE);
      gtk_widget_add_css_class (quote, "quote");
      gtk_accessible_update_property (GTK_ACCESSIBLE (quote),
                                      GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, _("Quotation from the source"),
                                      -1);
      gtk_box_append (GTK_BOX (box), quote);
    }

  meta = gtk_label_new (description);
  gtk_label_set_wrap (GTK_LABEL (meta), TRUE);
  gtk_label_set_xalign (GTK_LABEL (meta), 0.0);
  gtk_label_set_selectable (GTK_LABEL (meta), TRUE);
  gtk_widget_add_css_class (meta, "caption");
  gtk_widget_add_css_class (meta, "dim-label");
  gtk_box_append (GTK_BOX (box), meta);

  if (source->url != NULL && *source->url != '\0')
    {
      GtkWidget *link = gtk_link_button_new_with_label (source->url, _("Open Source"));

      gtk_widget_set_halign (link, GTK_ALIGN_START);
      gtk_widget_set_tooltip_text (link, source->url);
      gtk_box_append (GTK_BOX (box), link);
    }

  return box;
}

static void
fill_sources (ChanceryDetailPane *self)
{
  GPtrArray *sources = self->event->sources;

  remove_all_children (GTK_WIDGET (self->sources_box));
  for (guint i = 0; sources != NULL && i < sources->len; i++)
    gtk_box_append (self->sources_box, make_source (g_ptr_array_index (sources, i)));
  gtk_widget_set_visible (self->sources_group, sources != NULL && sources->len > 0);
}

static void
fill_related (ChanceryDetailPane *self)
{
  GPtrArray *links = self->event->links;

  remove_all_children (GTK_WIDGET (self->related_list));
  for (guint i = 0; links != NULL && i < links->len; i++)
    {
      ChanceryEventLink *link = g_ptr_array_index (links, i);
      GtkWidget *row = adw_action_row_new ();
      GtkWidget *icon = chancery_decorative_icon_new ("go-next-symbolic");
      g_autofree char *tooltip = NULL;

      adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row),
                                     link->title != NULL ? link->title : link->uid);
      adw_action_row_set_subtitle (ADW_ACTION_ROW (row), describe_relation (link));
      adw_action_row_add_suffix (ADW_ACTION_ROW (row), icon);
      gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (row), TRUE);
      tooltip = g_strdup_printf (_("Show “%s”"), link->title != NULL ? link->title : link->uid);
      gtk_widget_set_tooltip_text (row, tooltip);
      g_object_set_data_full (G_OBJECT (row), "event-id",
                              g_memdup2 (&link->id, sizeof link->id), g_free);
      gtk_list_box_append (self->related_list, row);
    }
  gtk_widget_set_visible (self->related_group, links != NULL && links->len > 0);
}

static void
fill (ChanceryDetailPane *self)
{
  ChanceryEvent *event = self->event;
  g_autofree char *date = NULL;
  g_autofree char *precision = NULL;
  g_autofree char *place = NULL;
  GtkAdjustment *vadj;

  gtk_label_set_text (self->kind_label, chancery_kind_get_label (event->kind));
  gtk_label_set_text (self->status_label, chancery_status_get_label (event->status));
  for (guint s = 0; s < CHANCERY_N_STATUSES; s++)
    gtk_widget_remove_css_class (GTK_WIDGET (self->status_label), status_css_class (s));
  gtk_widget_add_css_class (GTK_WIDGET (self->status_label), status_css_class (event->status));

  gtk_label_set_text (self->title_label, event->title);

  date = chancery_date_format (&event->date);
  precision = describe_precision (&event->date);
  gtk_label_set_text (self->date_label, date);
  /* Persian readers date events in the Solar Hijri calendar; the Gregorian
   * date stays first, as the sources give it. */
  if (chancery_locale_is_persian ())
    {
      g_autofree char *persian = chancery_date_format_persian (&event->date);
      set_label_or_hide (self->persian_date_label, persian);
    }
  gtk_label_set_text (self->precision_label, precision);

  if (event->place_name != NULL && event->place_country != NULL)
    place = g_strdup_printf ("%s, %s", event->place_name,
                             country_name (event, event->place_country, event->place_country_name));
  else if (event->place_name != NULL)
    place = g_strdup (event->place_name);
  else
    place = g_strdup (country_name (event, event->place_country, event->place_country_name));
  set_label_or_hide (self->place_label, place);
  gtk_widget_set_visible (self->place_icon, place != NULL);

  set_label_or_hide (self->summary_label, event->summary);

  fill_actors (self);
  fill_countries_and_projects (self);
  fill_sources (self);
  fill_related (self);

  vadj = gtk_scrolled_window_get_vadjustment (self->scroller);
  gtk_adjustment_set_value (vadj, gtk_adjustment_get_lower (vadj));
}

/* The date as the data wrote it ("../2025-12-07"), for the eye only: a
 * tooltip text would also become the label's accessible description
 * (GTK 4.8), which screen readers read aloud as punctuation. */
static gboolean
on_date_query_tooltip_cb (GtkWidget          *label,
                          int                 x,
                          int                 y,
                          gboolean            keyboard_mode,
                          GtkTooltip         *tooltip,
                          ChanceryDetailPane *self)
{
  if (self->event == NULL || self->event->date_text == NULL)
    return FALSE;

  gtk_tooltip_set_text (tooltip, self->event->date_text);
  return TRUE;
}

static void
chancery_detail_pane_dispose (GObject *object)
{
  ChanceryDetailPane *self = CHANCERY_DETAIL_PANE (object);
  GtkWidget *child;

  gtk_widget_dispose_template (GTK_WIDGET (self), CHANCERY_TYPE_DETAIL_PANE);
  /* The template's root has no id, so nothing above unparents it. */
  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self))) != NULL)
    gtk_widget_unparent (child);
  g_clear_pointer (&self->event, chancery_event_free);

  G_OBJECT_CLASS (chancery_detail_pane_parent_class)->dispose (object);
}

static void
chancery_detail_pane_class_init (ChanceryDetailPaneClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = chancery_detail_pane_dispose;
  g_type_ensure (CHANCERY_TYPE_WRAP_BOX);

  signals[FILTER_REQUESTED] =
    g_signal_new ("filter-requested", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 3,
                  G_TYPE_UINT, G_TYPE_STRING, G_TYPE_STRING);
  signals[EVENT_REQUESTED] =
    g_signal_new ("event-requested", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_INT64);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/chancery/Chancery/chancery-detail-pane.ui");
  gtk_widget_class_bind_template_child (widget_class, ChanceryDetailPane, stack);
  gtk_widget_class_bind_template_child (widget_class, ChanceryDetailPane, scroller);
  gtk_widget_class_bind_template_child (widget_class, ChanceryDetailPane, kind_label);
  gtk_widget_class_bind_template_child (widget_class, ChanceryDetailPane, status_label);
  gtk_widget_class_bind_template_child (widget_class, ChanceryDetailPane, title_label);
  gtk_widget_class_bind_template_child (widget_class, ChanceryDetailPane, date_label);
  gtk_widget_class_bind_template_child (widget_class, ChanceryDetailPane, persian_date_label);
  gtk_widget_class_bind_template_child (widget_class, ChanceryDetailPane, precision_label);
  gtk_widget_class_bind_template_child (widget_class, ChanceryDetailPane, place_icon);
  gtk_widget_class_bind_template_child (widget_class, ChanceryDetailPane, place_label);
  gtk_widget_class_bind_template_child (widget_class, ChanceryDetailPane, summary_label);
  gtk_widget_class_bind_template_child (widget_class, ChanceryDetailPane, actors_group);
  gtk_widget_class_bind_template_child (widget_class, ChanceryDetailPane, actors_list);
  gtk_widget_class_bind_template_child (widget_class, ChanceryDetailPane, countries_group);
  gtk_widget_class_bind_template_child (widget_class, ChanceryDetailPane, countries_box);
  gtk_widget_class_bind_template_child (widget_class, ChanceryDetailPane, projects_group);
  gtk_widget_class_bind_template_child (widget_class, ChanceryDetailPane, projects_box);
  gtk_widget_class_bind_template_child (widget_class, ChanceryDetailPane, sources_group);
  gtk_widget_class_bind_template_child (widget_class, ChanceryDetailPane, sources_box);
  gtk_widget_class_bind_template_child (widget_class, ChanceryDetailPane, related_group);
  gtk_widget_class_bind_template_child (widget_class, ChanceryDetailPane, related_list);
  gtk_widget_class_bind_template_callback (widget_class, on_actors_list_row_activated_cb);
  gtk_widget_class_bind_template_callback (widget_class, on_related_list_row_activated_cb);

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "chancery-detail-pane");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_GROUP);
}

/* A stack's page out of sight is still on the accessibility tree: with no
 * event, its empty labels were read as "GtkLabel". */
static void
hide_event_page (ChanceryDetailPane *self,
                 gboolean            hidden)
{
  gtk_accessible_update_state (GTK_ACCESSIBLE (gtk_stack_get_child_by_name (self->stack, "event")),
                               GTK_ACCESSIBLE_STATE_HIDDEN, hidden, -1);
}

static void
chancery_detail_pane_init (ChanceryDetailPane *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  gtk_accessible_update_property (GTK_ACCESSIBLE (self),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _("Event details"),
                                  -1);
  gtk_widget_set_has_tooltip (GTK_WIDGET (self->date_label), TRUE);
  g_signal_connect (self->date_label, "query-tooltip", G_CALLBACK (on_date_query_tooltip_cb), self);
  hide_event_page (self, TRUE);
}

GtkWidget *
chancery_detail_pane_new (void)
{
  return g_object_new (CHANCERY_TYPE_DETAIL_PANE, NULL);
}

void
chancery_detail_pane_set_event (ChanceryDetailPane *self,
                                ChanceryEvent      *event)
{
  g_return_if_fail (CHANCERY_IS_DETAIL_PANE (self));

  if (event == self->event)
    return;

  g_clear_pointer (&self->event, chancery_event_free);
  self->event = event;

  hide_event_page (self, event == NULL);
  if (event == NULL)
    {
      gtk_stack_set_visible_child_name (self->stack, "empty");
      return;
    }

  fill (self);
  gtk_stack_set_visible_child_name (self->stack, "event");
}

const ChanceryEvent *
chancery_detail_pane_get_event (ChanceryDetailPane *self)
{
  g_return_val_if_fail (CHANCERY_IS_DETAIL_PANE (self), NULL);
  return self->event;
}

const char *
chancery_detail_pane_get_title (ChanceryDetailPane *self)
{
  g_return_val_if_fail (CHANCERY_IS_DETAIL_PANE (self), NULL);

  if (self->event == NULL)
    return NULL;
  return gtk_label_get_text (self->title_label);
}
