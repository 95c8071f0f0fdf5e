/* chancery-event-list.c: the filtered events as a sortable table
 *
 * Copyright 2026 The Chancery developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The column view shows a ChanceryEventModel directly; it is never wrapped
 * in a GtkSortListModel (that would ask for every row). Each sortable
 * column carries a marker GtkCustomSorter; when the column view's sorter
 * changes we ask it which column leads and in which direction, and let the
 * model reorder itself.
 *
 * A date's qualifiers ("before …", "… əvvəl", "(uncertain)") say how sure
 * it is, so the date column never ellipsizes: it is as wide as the date
 * forms of the index read at their widest in this locale, and a date wider
 * than that (or than the width someone dragged the column to) wraps.
 *
 * The other columns have no fixed width: each cell asks for a few
 * characters at least and a bounded width at most, so at the window's
 * default size the whole table fits its pane in every language and the
 * title, which expands, is cut short before anything scrolls sideways.
 * When the pane is narrower still, the table scrolls, and starts at its
 * start edge: the right one in right-to-left languages. Long texts are in
 * GtkInscriptions, which ask for those widths whatever their text (see
 * setup_inscription()).
 *
 * Rows stay per position (chancery-event-model.h): on a new filter or
 * order each cell hears that its row took another event, and shows it.
 */
#include "config.h"

#include <adwaita.h>
#include <glib/gi18n.h>

#include "chancery-event-list.h"
#include "chancery-locale.h"

/* The date column grows to fit the widest form up to this many pixels;
 * dates wider than that wrap onto a second line. */
#define MAX_DATE_WIDTH 260
/* A year of twelve months with two-digit days, for sample dates. */
#define SAMPLE_YEAR 2025
/* What a title cell asks for at least and at most, in characters; the
 * other columns' cells ask for less. The title's minimum is the larger so
 * that, when space is short, the title keeps a readable part and the
 * shorter columns give way first. */
#define TITLE_MIN_CHARS 15
#define TITLE_MAX_CHARS 60
#define CELL_MIN_CHARS 4
#define CELL_MAX_CHARS 18
/* On each cell's child: the ChanceryEventRow it shows (not a reference; the
 * cell's binding holds one). The tests read it too. */
#define ROW_DATA_KEY "chancery-event-row"

struct _ChanceryEventList
{
  GtkWidget            parent_instance;

  GtkStack            *stack;
  GtkScrolledWindow   *scroller;
  GtkColumnView       *column_view;
  GtkColumnViewColumn *date_column;
  GtkColumnViewColumn *title_column;
  GtkColumnViewColumn *kind_column;

  ChanceryStore       *store;
  ChanceryEventModel  *model;
  GtkSingleSelection  *selection;

  gint64               selected_id;
  int                  probed_sort;   /* set while probing the sorter */
  int                  date_width;    /* what the date cells ask for */
  GPtrArray           *date_labels;   /* GtkLabel*, every date cell's */
  int                  wide_months[CHANCERY_PRECISION_YEAR + 1][2];  /* 0: not found yet */
  guint                syncing : 1;
  guint                hadjusted_id;     /* see on_hadjustment_changed_cb() */
  guint                h_at_start : 1;   /* scrolled to the start edge */
  guint                focus_was_in_rows : 1;  /* see on_model_items_changing_cb() */
};

G_DEFINE_FINAL_TYPE (ChanceryEventList, chancery_event_list, GTK_TYPE_WIDGET)

enum {
  PROP_0,
  PROP_SELECTED_ID,
  N_PROPS
};

enum {
  EVENT_ACTIVATED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

static GtkOrdering
marker_sort_func (gconstpointer a,
                  gconstpointer b,
                  gpointer      user_data)
{
  /* Only ever called by probe_sort() below, with the list as first item. */
  if (CHANCERY_IS_EVENT_LIST ((gpointer) a))
    {
      ChanceryEventList *self = (ChanceryEventList *) a;
      self->probed_sort = GPOINTER_TO_INT (user_data);
      return GTK_ORDERING_SMALLER;
    }
  return GTK_ORDERING_EQUAL;
}

/* GTK 4.8 has no gtk_column_view_sorter_get_primary_sort_column(); the
 * column view's sorter asks the leading column's sorter first and flips
 * its answer when that column sorts descending, so one comparison tells
 * both. (Two different items: gtk_sorter_compare() says "equal" to an
 * item compared with itself without asking.) */
static ChanceryEventSort
probe_sort (ChanceryEventList *self,
            gboolean          *descending)
{
  GtkSorter *sorter = gtk_column_view_get_sorter (self->column_view);
  GtkOrdering order;

  self->probed_sort = -1;
  order = gtk_sorter_compare (sorter, self, self->model);

  if (self->probed_sort < 0 || order == GTK_ORDERING_EQUAL)
    {
      *descending = FALSE;
      return CHANCERY_EVENT_SORT_DATE;
    }

  *descending = order == GTK_ORDERING_LARGER;
  return self->probed_sort;
}

static void
set_column_marker (GtkColumnViewColumn *column,
                   ChanceryEventSort    sort)
{
  g_autoptr(GtkCustomSorter) sorter = NULL;

  sorter = gtk_custom_sorter_new (marker_sort_func, GINT_TO_POINTER (sort), NULL);
  gtk_column_view_column_set_sorter (column, GTK_SORTER (sorter));
}

static GtkWidget *
find_list_view (GtkWidget *widget)
{
  for (GtkWidget *child = gtk_widget_get_first_child (widget);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      if (GTK_IS_LIST_VIEW (child))
        return child;
    }
  return NULL;
}

/* The parts of the column view GTK 4.8 leaves unnamed for screen readers
 * ("GtkColumnListView", a header row "GtkListItemWidget"). */
static void
label_column_view_parts (ChanceryEventList *self)
{
  for (GtkWidget *child = gtk_widget_get_first_child (GTK_WIDGET (self->column_view));
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      const char *label = NULL;

      if (GTK_IS_LIST_VIEW (child))
        label = _("Events");
      else if (g_strcmp0 (gtk_widget_get_css_name (child), "header") == 0)
        label = _("Column headers");

      if (label != NULL)
        gtk_accessible_update_property (GTK_ACCESSIBLE (child),
                                        GTK_ACCESSIBLE_PROPERTY_LABEL, label,
                                        -1);
    }
}

static void
scroll_to_position (ChanceryEventList *self,
                    guint              position)
{
  GtkWidget *list_view = find_list_view (GTK_WIDGET (self->column_view));

  /* gtk_column_view_scroll_to() is GTK 4.12; the inner list view's action
   * has been there since 4.0. */
  if (list_view != NULL)
    gtk_widget_activate_action (list_view, "list.scroll-to-item", "u", position);
}

static int
measure_date (PangoLayout *layout,
              guint        precision,
              guint        flags,
              gint32       lo,
              gint32       hi)
{
  ChanceryIndexEvent ev = { .lo = lo, .hi = hi, .precision = precision, .flags = flags };
  g_autofree char *text = chancery_index_event_format_date (&ev);
  int width;

  pango_layout_set_text (layout, text, -1);
  pango_layout_get_pixel_size (layout, &width, NULL);
  return width;
}

/* The two months whose dates at precision read widest in this locale
 * ("September", "dekabr"), in calendar order. */
static const int *
get_wide_months (ChanceryEventList *self,
                 PangoLayout       *layout,
                 ChanceryPrecision  precision)
{
  int *months = self->wide_months[precision];
  int widths[2] = { -1, -1 };

  if (months[0] != 0)
    return months;

  for (int month = 1; month <= 12; month++)
    {
      gint32 day = chancery_day_from_ymd (SAMPLE_YEAR, month, 28);
      int width = measure_date (layout, precision, 0, day, day);

      if (width > widths[0])
        {
          months[1] = months[0];
          widths[1] = widths[0];
          months[0] = month;
          widths[0] = width;
        }
      else if (width > widths[1])
        {
          months[1] = month;
          widths[1] = width;
        }
    }
  if (months[0] > months[1])
    {
      int first = months[1];
      months[1] = months[0];
      months[0] = first;
    }
  return months;
}

/* How wide a date of this precision and these index flags reads at most:
 * the widest months, two-digit days, a range within one year. */
static int
measure_date_form (ChanceryEventList *self,
                   PangoLayout       *layout,
                   ChanceryPrecision  precision,
                   guint              flags)
{
  const int *months = get_wide_months (self, layout, precision);
  int width = 0;

  for (guint i = 0; i < 2; i++)
    {
      gint32 day = chancery_day_from_ymd (SAMPLE_YEAR, months[i], 28);
      gint32 lo = day, hi = day;

      /* An open start is said as the day after its extent ("before 28
       * September"), an open end as the day before. */
      if ((flags & CHANCERY_INDEX_OPEN_START) && precision == CHANCERY_PRECISION_DAY)
        lo = hi = day - 1;
      else if ((flags & CHANCERY_INDEX_OPEN_END) && precision == CHANCERY_PRECISION_DAY)
        lo = hi = day + 1;
      else if (flags & CHANCERY_INDEX_RANGE)
        {
          lo = chancery_day_from_ymd (SAMPLE_YEAR, months[0], 20);
          hi = chancery_day_from_ymd (precision == CHANCERY_PRECISION_YEAR ? SAMPLE_YEAR + 1
                                                                           : SAMPLE_YEAR,
                                      months[1], 28);
        }
      width = MAX (width, measure_date (layout, precision, flags, lo, hi));
    }
  return width;
}

/* The width the date cells ask for: room for every date form in index.
 * Forms are few (precision times flags); the scan only reads two bytes
 * per event, so this stays quick at a million events. */
static int
compute_date_width (ChanceryEventList *self,
                    ChanceryIndex     *index)
{
  gboolean seen[CHANCERY_PRECISION_YEAR + 1][G_MAXUINT8 + 1] = { { FALSE } };
  g_autoptr(PangoLayout) layout = NULL;
  int width = 0;

  for (guint i = 0; i < index->n_events; i++)
    {
      const ChanceryIndexEvent *ev = &index->events[i];

      if (ev->precision <= CHANCERY_PRECISION_YEAR)
        seen[ev->precision][ev->flags] = TRUE;
    }

  layout = gtk_widget_create_pango_layout (GTK_WIDGET (self->column_view), NULL);
  for (guint p = 0; p < G_N_ELEMENTS (seen); p++)
    for (guint flags = 0; flags < G_N_ELEMENTS (seen[p]); flags++)
      if (seen[p][flags])
        width = MAX (width, measure_date_form (self, layout, p, flags));

  return MIN (width, MAX_DATE_WIDTH);
}

/* The date cells ask for room for the widest form; once someone has given
 * the column a width of their own, they take that and wrap. */
static void
request_date_width (ChanceryEventList *self,
                    GtkWidget         *label)
{
  gboolean automatic = gtk_column_view_column_get_fixed_width (self->date_column) < 0;

  gtk_widget_set_size_request (label, automatic ? self->date_width : -1, -1);
}

static void
request_date_widths (ChanceryEventList *self)
{
  for (guint i = 0; self->date_labels != NULL && i < self->date_labels->len; i++)
    request_date_width (self, g_ptr_array_index (self->date_labels, i));
}

static gboolean
is_rtl (ChanceryEventList *self)
{
  return gtk_widget_get_direction (GTK_WIDGET (self)) == GTK_TEXT_DIR_RTL;
}

static gboolean
on_hadjusted_cb (gpointer user_data)
{
  ChanceryEventList *self = user_data;
  GtkAdjustment *adjustment = gtk_scrolled_window_get_hadjustment (self->scroller);
  double start;

  self->hadjusted_id = 0;
  if (self->h_at_start)
    {
      start = is_rtl (self) ? gtk_adjustment_get_upper (adjustment) - gtk_adjustment_get_page_size (adjustment)
                            : gtk_adjustment_get_lower (adjustment);
      gtk_adjustment_set_value (adjustment, start);
    }
  gtk_widget_queue_allocate (GTK_WIDGET (self->column_view));
  return G_SOURCE_REMOVE;
}

/* GTK lays a right-to-left table out from the right, but its horizontal
 * adjustment still starts at the left: without this the table would open
 * on its last columns. The list keeps to the start edge until someone
 * scrolls away from it. The move waits for an idle: the column view sets
 * the adjustment's value again after its bounds while it lays out.
 *
 * Then the column view is laid out again, moved or not: GTK 4.8's column
 * view shifts its header and rows by the value the adjustment had before
 * it took its new bounds, and does not come back when that value is cut
 * to the new ones. A Persian list that had been scrolled (or first laid out narrower)
 * stayed ~110 px in from its right edge, its last column cut, with nothing
 * left to scroll. */
static void
on_hadjustment_changed_cb (GtkAdjustment     *adjustment,
                           ChanceryEventList *self)
{
  if (self->hadjusted_id == 0)
    self->hadjusted_id = g_idle_add (on_hadjusted_cb, self);
}

static void
on_hadjustment_value_changed_cb (GtkAdjustment     *adjustment,
                                 ChanceryEventList *self)
{
  double value = gtk_adjustment_get_value (adjustment);

  /* While a move to the start is due, the values GTK sets as it lays out
   * must not undo it. Otherwise every value counts, also one GTK cut to
   * new bounds: a list scrolled away is at its start again once the pane
   * is wide enough to show everything. */
  if (self->hadjusted_id != 0 && self->h_at_start)
    return;

  if (is_rtl (self))
    self->h_at_start = value >= gtk_adjustment_get_upper (adjustment)
                                - gtk_adjustment_get_page_size (adjustment) - 0.5;
  else
    self->h_at_start = value <= gtk_adjustment_get_lower (adjustment) + 0.5;
}

static void
update_empty_state (ChanceryEventList *self)
{
  ChanceryIndex *index = chancery_event_model_get_index (self->model);
  gboolean empty = index != NULL && index->n_events == 0;

  gtk_stack_set_visible_child_name (self->stack, empty ? "empty" : "list");
}

static void move_return_place (ChanceryEventList *self,
                               guint              position);

static void
select_id (ChanceryEventList *self,
           gint64             id,
           gboolean           scroll)
{
  guint position = chancery_event_model_find_id (self->model, id);

  /* Not gtk_selection_model_unselect_all(): GTK 4.8's single selection
   * ignores it, leaving a row highlighted that clicking cannot select
   * again. G_MAXUINT is GTK_INVALID_LIST_POSITION, which unselects. */
  self->syncing = TRUE;
  gtk_single_selection_set_selected (self->selection, position);
  self->syncing = FALSE;

  if (scroll && position != G_MAXUINT)
    {
      scroll_to_position (self, position);
      move_return_place (self, position);
    }
}

static void
set_selected_id_internal (ChanceryEventList *self,
                          gint64             id)
{
  if (self->selected_id == id)
    return;

  self->selected_id = id;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SELECTED_ID]);
}

static void
on_selection_changed_cb (GtkSelectionModel *model,
                         guint              position,
                         guint              n_items,
                         gpointer           user_data)
{
  ChanceryEventList *self = user_data;
  guint selected;

  if (self->syncing)
    return;

  selected = gtk_single_selection_get_selected (self->selection);
  set_selected_id_internal (self, chancery_event_model_get_id (self->model, selected));
}

static gboolean
has_focus_in_rows (ChanceryEventList *self)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));
  GtkWidget *focus = root != NULL ? gtk_root_get_focus (root) : NULL;
  GtkWidget *list_view = find_list_view (GTK_WIDGET (self->column_view));

  return focus != NULL && list_view != NULL && gtk_widget_is_ancestor (focus, list_view);
}

static void
on_model_items_changing_cb (GListModel *model,
                            guint       position,
                            guint       removed,
                            guint       added,
                            gpointer    user_data)
{
  ChanceryEventList *self = user_data;

  /* The selection model is about to drop or move the selected row; that is
   * not the user choosing another event. */
  self->syncing = TRUE;
  /* Before GTK drops the rows, and the focus with them, when everything
   * changes (see on_model_contents_changed_cb()). */
  self->focus_was_in_rows |= has_focus_in_rows (self);
}

static void
on_model_items_changed_cb (GListModel *model,
                           guint       position,
                           guint       removed,
                           guint       added,
                           gpointer    user_data)
{
  ChanceryEventList *self = user_data;

  self->syncing = FALSE;
}

/* The row widget GTK shows position in, if it made one (each cell's
 * child carries the row it shows, see bind_cell()). */
static GtkWidget *
find_row_widget (ChanceryEventList *self,
                 guint              position)
{
  GtkWidget *list_view = find_list_view (GTK_WIDGET (self->column_view));

  for (GtkWidget *row = list_view != NULL ? gtk_widget_get_first_child (list_view) : NULL;
       row != NULL;
       row = gtk_widget_get_next_sibling (row))
    {
      GtkWidget *cell = gtk_widget_get_first_child (row);
      GtkWidget *child = cell != NULL ? gtk_widget_get_first_child (cell) : NULL;
      ChanceryEventRow *item = child != NULL ? g_object_get_data (G_OBJECT (child), ROW_DATA_KEY) : NULL;

      if (item != NULL && chancery_event_row_get_slot (item) == position)
        return row;
    }
  return NULL;
}

/* Moves the keyboard focus to the row at position, if GTK made it
 * (scrolling to a position makes its rows at once). */
static void
focus_row (ChanceryEventList *self,
           guint              position)
{
  GtkWidget *row = find_row_widget (self, position);

  if (row != NULL)
    gtk_widget_grab_focus (row);
}

/* Where the keyboard comes back into the rows: GTK's list view returns to
 * the row focused last (GtkListBase's focus tracker), not to the one
 * selected. When an event is chosen elsewhere (the timeline, a related
 * event in the details) while the focus is out of the rows, its row
 * becomes that place: the list view's set_focus_child moves the tracker.
 * The focus child is cleared at once, which leaves the tracker, as the
 * focus itself is elsewhere. */
static void
move_return_place (ChanceryEventList *self,
                   guint              position)
{
  GtkWidget *list_view = find_list_view (GTK_WIDGET (self->column_view));
  GtkWidget *row;

  if (list_view == NULL || has_focus_in_rows (self) ||
      gtk_widget_get_focus_child (list_view) != NULL ||
      (row = find_row_widget (self, position)) == NULL)
    return;
  gtk_widget_set_focus_child (list_view, row);
  gtk_widget_set_focus_child (list_view, NULL);
}

gboolean
chancery_event_list_focus_selected (ChanceryEventList *self)
{
  GtkRoot *root;
  guint position;

  g_return_val_if_fail (CHANCERY_IS_EVENT_LIST (self), FALSE);

  position = chancery_event_model_find_id (self->model, self->selected_id);
  if (position == G_MAXUINT)
    return gtk_widget_child_focus (GTK_WIDGET (self), GTK_DIR_TAB_FORWARD);
  scroll_to_position (self, position);
  focus_row (self, position);
  root = gtk_widget_get_root (GTK_WIDGET (self));
  return root != NULL && gtk_root_get_focus (root) != NULL
         && gtk_widget_is_ancestor (gtk_root_get_focus (root), GTK_WIDGET (self));
}

/* New events or a new order under the same rows: the selected position
 * now holds another event. Select the chosen event where it went and show
 * it, or, without one, show the top of the list, as a list built anew
 * would; the keyboard focus, if it was on a row, goes along. */
static void
on_model_contents_changed_cb (ChanceryEventModel *model,
                              ChanceryEventList  *self)
{
  gboolean focused = self->focus_was_in_rows || has_focus_in_rows (self);
  guint position;

  self->focus_was_in_rows = FALSE;
  self->syncing = FALSE;
  select_id (self, self->selected_id, TRUE);
  position = chancery_event_model_find_id (self->model, self->selected_id);
  if (position == G_MAXUINT && g_list_model_get_n_items (G_LIST_MODEL (self->model)) > 0)
    {
      /* Not by setting the adjustment: GTK 4.8 would put the view back
       * where its anchor row went. */
      position = 0;
      scroll_to_position (self, position);
    }
  if (focused && position != G_MAXUINT)
    focus_row (self, position);
  update_empty_state (self);
}

static void
on_sorter_changed_cb (GtkSorter       *sorter,
                      GtkSorterChange  change,
                      gpointer         user_data)
{
  ChanceryEventList *self = user_data;
  ChanceryEventSort sort;
  gboolean descending;

  sort = probe_sort (self, &descending);
  chancery_event_model_set_sort (self->model, sort, descending);
}

static void
on_column_view_activate_cb (GtkColumnView     *column_view,
                            guint              position,
                            ChanceryEventList *self)
{
  gint64 id = chancery_event_model_get_id (self->model, position);

  if (id >= 0)
    g_signal_emit (self, signals[EVENT_ACTIVATED], 0, id);
}

static const char *
get_cell_text (GtkWidget *child)
{
  if (GTK_IS_INSCRIPTION (child))
    return gtk_inscription_get_text (GTK_INSCRIPTION (child));
  return gtk_label_get_text (GTK_LABEL (child));
}

/* Long titles and actor lists are cut short; the tooltip has them whole.
 * Asked for when it is shown rather than set on every bind: in GTK 4.8,
 * gtk_widget_set_tooltip_text() on a visible widget asks the display
 * where the pointer is, a round trip to the X server for each cell, and a
 * filter change binds a couple of hundred rows of five cells. */
static gboolean
on_cell_query_tooltip_cb (GtkWidget  *child,
                          int         x,
                          int         y,
                          gboolean    keyboard_mode,
                          GtkTooltip *tooltip,
                          gpointer    user_data)
{
  const char *text = get_cell_text (child);

  if (text == NULL || *text == '\0')
    return FALSE;

  gtk_tooltip_set_text (tooltip, text);
  return TRUE;
}

static void
setup_cell_tooltip (GtkWidget *child)
{
  gtk_widget_set_has_tooltip (child, TRUE);
  g_signal_connect (child, "query-tooltip", G_CALLBACK (on_cell_query_tooltip_cb), NULL);
}

/* Long texts (titles, actors, countries) go in a GtkInscription: its size
 * comes from its character counts, not from its text, so a filter change
 * that gives every row new text costs GTK no measuring, which shaped each
 * whole title several times (most of what was left of the stall at a
 * million events). What does not fit is cut short with "…". */
static void
setup_inscription (GtkListItem *item,
                   guint        min_chars,
                   guint        nat_chars)
{
  GtkWidget *inscription = gtk_inscription_new (NULL);

  gtk_inscription_set_min_chars (GTK_INSCRIPTION (inscription), min_chars);
  gtk_inscription_set_nat_chars (GTK_INSCRIPTION (inscription), nat_chars);
  gtk_inscription_set_text_overflow (GTK_INSCRIPTION (inscription),
                                     GTK_INSCRIPTION_OVERFLOW_ELLIPSIZE_END);
  setup_cell_tooltip (inscription);
  gtk_list_item_set_child (item, inscription);
}

static void
setup_ellipsized_label (GtkListItem *item,
                        int          min_chars,
                        int          max_chars)
{
  GtkWidget *label = gtk_label_new (NULL);

  gtk_label_set_xalign (GTK_LABEL (label), 0.0);
  gtk_label_set_ellipsize (GTK_LABEL (label), PANGO_ELLIPSIZE_END);
  gtk_label_set_single_line_mode (GTK_LABEL (label), TRUE);
  /* The column's width comes from its cells (see the top of this file). */
  gtk_label_set_width_chars (GTK_LABEL (label), min_chars);
  gtk_label_set_max_width_chars (GTK_LABEL (label), max_chars);
  setup_cell_tooltip (label);
  gtk_list_item_set_child (item, label);
}

static void
on_title_setup_cb (GtkSignalListItemFactory *factory,
                   GtkListItem              *item,
                   gpointer                  user_data)
{
  setup_inscription (item, TITLE_MIN_CHARS, TITLE_MAX_CHARS);
}

static void
on_text_setup_cb (GtkSignalListItemFactory *factory,
                  GtkListItem              *item,
                  gpointer                  user_data)
{
  setup_inscription (item, CELL_MIN_CHARS, CELL_MAX_CHARS);
}

static void
on_label_setup_cb (GtkSignalListItemFactory *factory,
                   GtkListItem              *item,
                   gpointer                  user_data)
{
  setup_ellipsized_label (item, CELL_MIN_CHARS, CELL_MAX_CHARS);
}

/* Not on the factory's "teardown": GTK 4.8 does not always emit it for the
 * items it drops. */
static void
on_date_label_finalized_cb (gpointer  user_data,
                            GObject  *label)
{
  ChanceryEventList *self = user_data;

  g_ptr_array_remove_fast (self->date_labels, label);
}

static void
on_date_setup_cb (GtkSignalListItemFactory *factory,
                  GtkListItem              *item,
                  ChanceryEventList        *self)
{
  GtkWidget *label = gtk_label_new (NULL);

  gtk_label_set_xalign (GTK_LABEL (label), 0.0);
  /* Wrapped, never cut short (see the top of this file). The width comes
   * from request_date_width(); one character of natural width keeps a
   * long date from widening the column. */
  gtk_label_set_wrap (GTK_LABEL (label), TRUE);
  gtk_label_set_wrap_mode (GTK_LABEL (label), PANGO_WRAP_WORD_CHAR);
  gtk_label_set_max_width_chars (GTK_LABEL (label), 1);
  setup_cell_tooltip (label);
  gtk_list_item_set_child (item, label);
  g_ptr_array_add (self->date_labels, label);
  g_object_weak_ref (G_OBJECT (label), on_date_label_finalized_cb, self);
  request_date_width (self, label);
}

static void
on_date_column_fixed_width_changed_cb (GtkColumnViewColumn *column,
                                       GParamSpec          *pspec,
                                       ChanceryEventList   *self)
{
  request_date_widths (self);
}

/* An inscription aligns its text as Pango does, and Pango swaps left and
 * right for a paragraph whose direction is not the widget's: an English
 * title in a Persian window went to the left, a Persian one in an English
 * window to the right. Such texts ask for the other side, so that every
 * cell starts at the start edge, as labels do. */
static void
start_at_start_edge (GtkInscription *inscription,
                     const char     *text)
{
  int direction = chancery_text_direction (text);
  gboolean rtl = gtk_widget_get_direction (GTK_WIDGET (inscription)) == GTK_TEXT_DIR_RTL;
  gboolean other = (direction > 0 && rtl) || (direction < 0 && !rtl);

  gtk_inscription_set_xalign (inscription, other ? 1.0 : 0.0);
}

static void
set_cell_text (GtkListItem *item,
               const char  *text)
{
  GtkWidget *label = gtk_list_item_get_child (item);
  GtkWidget *cell = gtk_widget_get_parent (label);

  /* The same event again (a row whose position kept its event): nothing
   * to tell GTK or screen readers. A cell built with no text yet must still
   * be named. */
  if (text != NULL && *text != '\0' && g_strcmp0 (get_cell_text (label), text) == 0)
    return;

  if (GTK_IS_INSCRIPTION (label))
    {
      start_at_start_edge (GTK_INSCRIPTION (label), text);
      /* GTK 4.8's inscription does not give screen readers its text. */
      gtk_inscription_set_text (GTK_INSCRIPTION (label), text);
      gtk_accessible_update_property (GTK_ACCESSIBLE (label),
                                      GTK_ACCESSIBLE_PROPERTY_LABEL, text != NULL ? text : "",
                                      -1);
    }
  else
    gtk_label_set_text (GTK_LABEL (label), text != NULL ? text : "");
  /* Read as the text, not as "GtkColumnViewCell" (see label_row()). */
  if (cell != NULL)
    gtk_accessible_update_property (GTK_ACCESSIBLE (cell),
                                    GTK_ACCESSIBLE_PROPERTY_LABEL, text != NULL ? text : "",
                                    -1);
  /* The tooltip (on_cell_query_tooltip_cb()) reads the label; GTK 4.8
   * gave screen readers a tooltip text as the description, so the cell's
   * label still says it. */
  if (text != NULL && *text != '\0')
    gtk_accessible_update_property (GTK_ACCESSIBLE (label),
                                    GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, text,
                                    -1);
  else
    gtk_accessible_reset_property (GTK_ACCESSIBLE (label), GTK_ACCESSIBLE_PROPERTY_DESCRIPTION);
}

typedef void (*FillCellFunc) (ChanceryEventList *self,
                              GtkListItem       *item,
                              ChanceryEventRow  *row);

/* What a cell shows, and the row it listens to: rows stay per position
 * and notify "id" when they take another event (chancery-event-row.h). */
typedef struct
{
  ChanceryEventList *self;
  GtkListItem       *item;      /* owns this */
  FillCellFunc       fill;
  ChanceryEventRow  *row;
  gulong             handler;
} CellBinding;

#define CELL_BINDING_KEY "chancery-cell-binding"
static void
cell_binding_release (CellBinding *binding)
{
  GtkWidget *child = binding->item != NULL ? gtk_list_item_get_child (binding->item) : NULL;

  if (binding->row == NULL)
    return;
  if (child != NULL)
    g_object_set_data (G_OBJECT (child), ROW_DATA_KEY, NULL);
  g_clear_signal_handler (&binding->handler, binding->row);
  g_clear_object (&binding->row);
}

static void
cell_binding_free (CellBinding *binding)
{
  cell_binding_release (binding);
  g_free (binding);
}

static void
on_row_event_changed_cb (ChanceryEventRow *row,
                         GParamSpec       *pspec,
                         GtkListItem      *item)
{
  CellBinding *binding = g_object_get_data (G_OBJECT (item), CELL_BINDING_KEY);

  binding->fill (binding->self, item, row);
}

static void
bind_cell (ChanceryEventList *self,
           GtkListItem       *item,
           FillCellFunc       fill)
{
  ChanceryEventRow *row = gtk_list_item_get_item (item);
  CellBinding *binding = g_object_get_data (G_OBJECT (item), CELL_BINDING_KEY);

  if (binding == NULL)
    {
      binding = g_new0 (CellBinding, 1);
      /* Freed with the list item: GTK 4.8 does not always unbind first. */
      g_object_set_data_full (G_OBJECT (item), CELL_BINDING_KEY, binding,
                              (GDestroyNotify) cell_binding_free);
    }

  cell_binding_release (binding);
  binding->self = self;
  binding->item = item;
  binding->fill = fill;
  binding->row = g_object_ref (row);
  binding->handler = g_signal_connect (row, "notify::id",
                                       G_CALLBACK (on_row_event_changed_cb), item);
  g_object_set_data (G_OBJECT (gtk_list_item_get_child (item)), ROW_DATA_KEY, row);
  fill (self, item, row);
}

static void
on_cell_unbind_cb (GtkSignalListItemFactory *factory,
                   GtkListItem              *item,
                   ChanceryEventList        *self)
{
  CellBinding *binding = g_object_get_data (G_OBJECT (item), CELL_BINDING_KEY);

  if (binding != NULL)
    cell_binding_release (binding);
}

static void
fill_date (ChanceryEventList *self,
           GtkListItem       *item,
           ChanceryEventRow  *row)
{
  set_cell_text (item, chancery_event_row_get_date (row));
}

/* GTK 4.8 gives list items no accessible label (GtkListItem has one from
 * 4.12), so screen readers read rows by class name: "GtkListItemWidget".
 * The row and cell widgets are GTK's, but they are widgets, and so
 * GtkAccessibles: the cell holding the title labels its row. */
static void
label_row (GtkListItem      *item,
           ChanceryEventRow *row)
{
  GtkWidget *cell = gtk_widget_get_parent (gtk_list_item_get_child (item));
  GtkWidget *row_widget = cell != NULL ? gtk_widget_get_parent (cell) : NULL;
  g_autofree char *label = NULL;

  if (row_widget == NULL || g_strcmp0 (gtk_widget_get_css_name (row_widget), "row") != 0)
    return;

  /* Translators: an event in the list as a screen reader says it: its title, then its date */
  label = g_strdup_printf (C_("event row", "%s, %s"),
                           chancery_event_row_get_title (row),
                           chancery_event_row_get_date (row));
  gtk_accessible_update_property (GTK_ACCESSIBLE (row_widget),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, label,
                                  -1);
}

static void
fill_title (ChanceryEventList *self,
            GtkListItem       *item,
            ChanceryEventRow  *row)
{
  set_cell_text (item, chancery_event_row_get_title (row));
  label_row (item, row);
}

static void
fill_kind (ChanceryEventList *self,
           GtkListItem       *item,
           ChanceryEventRow  *row)
{
  set_cell_text (item, chancery_kind_get_label (chancery_event_row_get_kind (row)));
}

static void
fill_countries (ChanceryEventList *self,
                GtkListItem       *item,
                ChanceryEventRow  *row)
{
  g_autofree char *text = NULL;

  if (self->store != NULL)
    text = chancery_store_dup_event_countries (self->store, chancery_event_row_get_id (row));
  set_cell_text (item, text);
}

static void
fill_actors (ChanceryEventList *self,
             GtkListItem       *item,
             ChanceryEventRow  *row)
{
  g_autofree char *text = NULL;

  if (self->store != NULL)
    text = chancery_store_dup_event_actors (self->store, chancery_event_row_get_id (row));
  set_cell_text (item, text);
}

static void
on_date_bind_cb (GtkSignalListItemFactory *factory,
                 GtkListItem              *item,
                 ChanceryEventList        *self)
{
  bind_cell (self, item, fill_date);
}

static void
on_title_bind_cb (GtkSignalListItemFactory *factory,
                  GtkListItem              *item,
                  ChanceryEventList        *self)
{
  bind_cell (self, item, fill_title);
}

static void
on_kind_bind_cb (GtkSignalListItemFactory *factory,
                 GtkListItem              *item,
                 ChanceryEventList        *self)
{
  bind_cell (self, item, fill_kind);
}

static void
on_countries_bind_cb (GtkSignalListItemFactory *factory,
                      GtkListItem              *item,
                      ChanceryEventList        *self)
{
  bind_cell (self, item, fill_countries);
}

static void
on_actors_bind_cb (GtkSignalListItemFactory *factory,
                   GtkListItem              *item,
                   ChanceryEventList        *self)
{
  bind_cell (self, item, fill_actors);
}

/* GTK 4.8's list view moves Tab from row to row, like the arrows
 * (GtkListView:tab-behavior is 4.12); here Tab leaves the list, and comes
 * back to the row it left (the list view keeps that one). */
static gboolean
chancery_event_list_focus (GtkWidget        *widget,
                           GtkDirectionType  direction)
{
  ChanceryEventList *self = CHANCERY_EVENT_LIST (widget);
  GtkWidget *list_view = find_list_view (GTK_WIDGET (self->column_view));

  if ((direction == GTK_DIR_TAB_FORWARD || direction == GTK_DIR_TAB_BACKWARD)
      && list_view != NULL && gtk_widget_get_focus_child (list_view) != NULL)
    return FALSE;

  return GTK_WIDGET_CLASS (chancery_event_list_parent_class)->focus (widget, direction);
}

static void
chancery_event_list_dispose (GObject *object)
{
  ChanceryEventList *self = CHANCERY_EVENT_LIST (object);
  GtkWidget *child;

  if (self->model != NULL)
    g_signal_handlers_disconnect_by_data (self->model, self);
  if (self->selection != NULL)
    g_signal_handlers_disconnect_by_data (self->selection, self);
  if (self->column_view != NULL)
    g_signal_handlers_disconnect_by_data (gtk_column_view_get_sorter (self->column_view), self);
  /* Before the idle goes: tearing the template down may change the
   * adjustment, which would queue another. */
  if (self->scroller != NULL)
    g_signal_handlers_disconnect_by_data (gtk_scrolled_window_get_hadjustment (self->scroller), self);

  for (guint i = 0; self->date_labels != NULL && i < self->date_labels->len; i++)
    g_object_weak_unref (g_ptr_array_index (self->date_labels, i), on_date_label_finalized_cb, self);
  g_clear_pointer (&self->date_labels, g_ptr_array_unref);
  g_clear_handle_id (&self->hadjusted_id, g_source_remove);

  gtk_widget_dispose_template (GTK_WIDGET (self), CHANCERY_TYPE_EVENT_LIST);
  /* The template's root has no id, so nothing above unparents it. */
  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self))) != NULL)
    gtk_widget_unparent (child);

  g_clear_object (&self->selection);
  g_clear_object (&self->model);
  g_clear_object (&self->store);

  G_OBJECT_CLASS (chancery_event_list_parent_class)->dispose (object);
}

static void
chancery_event_list_get_property (GObject    *object,
                                  guint       prop_id,
                                  GValue     *value,
                                  GParamSpec *pspec)
{
  ChanceryEventList *self = CHANCERY_EVENT_LIST (object);

  switch (prop_id)
    {
    case PROP_SELECTED_ID:
      g_value_set_int64 (value, self->selected_id);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
chancery_event_list_set_property (GObject      *object,
                                  guint         prop_id,
                                  const GValue *value,
                                  GParamSpec   *pspec)
{
  ChanceryEventList *self = CHANCERY_EVENT_LIST (object);

  switch (prop_id)
    {
    case PROP_SELECTED_ID:
      chancery_event_list_set_selected_id (self, g_value_get_int64 (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
chancery_event_list_class_init (ChanceryEventListClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = chancery_event_list_dispose;
  object_class->get_property = chancery_event_list_get_property;
  object_class->set_property = chancery_event_list_set_property;

  widget_class->focus = chancery_event_list_focus;

  properties[PROP_SELECTED_ID] =
    g_param_spec_int64 ("selected-id", NULL, NULL, -1, G_MAXINT64, -1,
                        G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  signals[EVENT_ACTIVATED] =
    g_signal_new ("event-activated", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_INT64);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/chancery/Chancery/chancery-event-list.ui");
  gtk_widget_class_bind_template_child (widget_class, ChanceryEventList, stack);
  gtk_widget_class_bind_template_child (widget_class, ChanceryEventList, scroller);
  gtk_widget_class_bind_template_child (widget_class, ChanceryEventList, column_view);
  gtk_widget_class_bind_template_child (widget_class, ChanceryEventList, date_column);
  gtk_widget_class_bind_template_child (widget_class, ChanceryEventList, title_column);
  gtk_widget_class_bind_template_child (widget_class, ChanceryEventList, kind_column);
  gtk_widget_class_bind_template_callback (widget_class, on_column_view_activate_cb);
  gtk_widget_class_bind_template_callback (widget_class, on_title_setup_cb);
  gtk_widget_class_bind_template_callback (widget_class, on_label_setup_cb);
  gtk_widget_class_bind_template_callback (widget_class, on_text_setup_cb);
  gtk_widget_class_bind_template_callback (widget_class, on_date_setup_cb);
  gtk_widget_class_bind_template_callback (widget_class, on_date_column_fixed_width_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, on_date_bind_cb);
  gtk_widget_class_bind_template_callback (widget_class, on_title_bind_cb);
  gtk_widget_class_bind_template_callback (widget_class, on_kind_bind_cb);
  gtk_widget_class_bind_template_callback (widget_class, on_countries_bind_cb);
  gtk_widget_class_bind_template_callback (widget_class, on_actors_bind_cb);
  gtk_widget_class_bind_template_callback (widget_class, on_cell_unbind_cb);

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "chancery-event-list");
}

static void
chancery_event_list_init (ChanceryEventList *self)
{
  GtkAdjustment *hadjustment;

  self->selected_id = -1;
  self->date_labels = g_ptr_array_new ();
  self->h_at_start = TRUE;

  gtk_widget_init_template (GTK_WIDGET (self));
  label_column_view_parts (self);

  hadjustment = gtk_scrolled_window_get_hadjustment (self->scroller);
  g_signal_connect_object (hadjustment, "changed",
                           G_CALLBACK (on_hadjustment_changed_cb), self, G_CONNECT_DEFAULT);
  g_signal_connect_object (hadjustment, "value-changed",
                           G_CALLBACK (on_hadjustment_value_changed_cb), self, G_CONNECT_DEFAULT);

  self->model = chancery_event_model_new ();
  /* Before the selection model connects its own handler. */
  g_signal_connect (self->model, "items-changed",
                    G_CALLBACK (on_model_items_changing_cb), self);
  self->selection = gtk_single_selection_new (g_object_ref (G_LIST_MODEL (self->model)));
  gtk_single_selection_set_autoselect (self->selection, FALSE);
  gtk_single_selection_set_can_unselect (self->selection, TRUE);
  gtk_column_view_set_model (self->column_view, GTK_SELECTION_MODEL (self->selection));

  set_column_marker (self->date_column, CHANCERY_EVENT_SORT_DATE);
  set_column_marker (self->title_column, CHANCERY_EVENT_SORT_TITLE);
  set_column_marker (self->kind_column, CHANCERY_EVENT_SORT_KIND);

  g_signal_connect (self->selection, "selection-changed",
                    G_CALLBACK (on_selection_changed_cb), self);
  /* After the selection model has seen the change. */
  g_signal_connect_after (self->model, "items-changed",
                          G_CALLBACK (on_model_items_changed_cb), self);
  g_signal_connect (self->model, "contents-changed",
                    G_CALLBACK (on_model_contents_changed_cb), self);
  g_signal_connect (gtk_column_view_get_sorter (self->column_view), "changed",
                    G_CALLBACK (on_sorter_changed_cb), self);
}

GtkWidget *
chancery_event_list_new (void)
{
  return g_object_new (CHANCERY_TYPE_EVENT_LIST, NULL);
}

void
chancery_event_list_set_store (ChanceryEventList *self,
                               ChanceryStore     *store)
{
  g_return_if_fail (CHANCERY_IS_EVENT_LIST (self));
  g_return_if_fail (store == NULL || CHANCERY_IS_STORE (store));

  g_set_object (&self->store, store);
}

void
chancery_event_list_set_index (ChanceryEventList *self,
                               ChanceryIndex     *index)
{
  g_return_if_fail (CHANCERY_IS_EVENT_LIST (self));

  if (index != NULL && index->n_events > 0)
    {
      int width = compute_date_width (self, index);

      if (width != self->date_width)
        {
          self->date_width = width;
          request_date_widths (self);
        }
    }
  chancery_event_model_set_index (self->model, index);
  if (chancery_event_model_find_id (self->model, self->selected_id) == G_MAXUINT)
    set_selected_id_internal (self, -1);
  update_empty_state (self);
}

ChanceryEventModel *
chancery_event_list_get_model (ChanceryEventList *self)
{
  g_return_val_if_fail (CHANCERY_IS_EVENT_LIST (self), NULL);
  return self->model;
}

gint64
chancery_event_list_get_selected_id (ChanceryEventList *self)
{
  g_return_val_if_fail (CHANCERY_IS_EVENT_LIST (self), -1);
  return self->selected_id;
}

void
chancery_event_list_set_selected_id (ChanceryEventList *self,
                                     gint64             id)
{
  g_return_if_fail (CHANCERY_IS_EVENT_LIST (self));

  if (id == self->selected_id)
    return;

  select_id (self, id, TRUE);
  set_selected_id_internal (self, chancery_event_model_find_id (self->model, id) != G_MAXUINT ? id : -1);
}
