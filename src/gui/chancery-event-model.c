/* chancery-event-model.c: a lazy GListModel over a ChanceryIndex
 *
 * Copyright 2026 The Chancery developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include "chancery-event-model.h"

/* Below this many events a title sort is quick enough for the main thread. */
#define SYNC_SORT_LIMIT 20000

struct _ChanceryEventModel
{
  GObject            parent_instance;

  ChanceryIndex     *index;
  ChanceryEventSort  sort;
  gboolean           descending;

  /* model position -> index position (NULL: the index's date order,
   * maybe reversed) */
  guint32           *perm;
  /* index position -> model position, built with perm */
  guint32           *inverse;

  /* model position -> the ChanceryEventRow alive for it, if any (not
   * owned: each row takes itself out when it goes) */
  GHashTable        *rows;
  gboolean           emptied;     /* between the two halves of replace_all () */
  GCancellable      *sort_cancellable;
};

static void chancery_event_model_list_model_init (GListModelInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (ChanceryEventModel, chancery_event_model, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_LIST_MODEL,
                                                      chancery_event_model_list_model_init))

enum {
  PROP_0,
  PROP_SORTING,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

enum {
  CONTENTS_CHANGED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

typedef struct
{
  ChanceryIndex     *index;
  ChanceryEventSort  sort;
  gboolean           descending;
} SortJob;

static void
sort_job_free (SortJob *job)
{
  g_clear_pointer (&job->index, chancery_index_unref);
  g_free (job);
}

typedef struct
{
  char    *key;
  guint32  position;
} TitleKey;

static int
compare_title_keys (gconstpointer a,
                    gconstpointer b)
{
  const TitleKey *ka = a;
  const TitleKey *kb = b;
  int res = strcmp (ka->key, kb->key);

  if (res != 0)
    return res;
  /* Ties keep index (date) order so the sort is stable. */
  return ka->position < kb->position ? -1 : ka->position > kb->position;
}

static guint32 *
sort_by_title (ChanceryIndex *index,
               GCancellable  *cancellable)
{
  TitleKey *keys = g_new (TitleKey, MAX (index->n_events, 1));
  guint32 *perm = NULL;

  for (guint i = 0; i < index->n_events; i++)
    {
      keys[i].key = g_utf8_collate_key (chancery_index_get_title (index, i), -1);
      keys[i].position = i;

      if ((i & 0xfff) == 0 && g_cancellable_is_cancelled (cancellable))
        {
          for (guint j = 0; j <= i; j++)
            g_free (keys[j].key);
          g_free (keys);
          return NULL;
        }
    }

  qsort (keys, index->n_events, sizeof (TitleKey), compare_title_keys);

  perm = g_new (guint32, MAX (index->n_events, 1));
  for (guint i = 0; i < index->n_events; i++)
    {
      perm[i] = keys[i].position;
      g_free (keys[i].key);
    }
  g_free (keys);

  return perm;
}

/* A stable counting sort by the rank of each value's label. */
G_STATIC_ASSERT ((int) CHANCERY_N_KINDS <= 32 && (int) CHANCERY_N_STATUSES <= 32);

static guint32 *
sort_by_label_rank (ChanceryIndex *index,
                    gboolean       by_kind)
{
  enum { MAX_VALUES = 32 };
  guint n_values = by_kind ? (guint) CHANCERY_N_KINDS : (guint) CHANCERY_N_STATUSES;
  guint rank[MAX_VALUES];
  guint start[MAX_VALUES + 1] = { 0 };
  guint32 *perm = g_new (guint32, MAX (index->n_events, 1));

  for (guint v = 0; v < n_values; v++)
    {
      const char *label_v = by_kind ? chancery_kind_get_label (v) : chancery_status_get_label (v);

      rank[v] = 0;
      for (guint w = 0; w < n_values; w++)
        {
          const char *label_w = by_kind ? chancery_kind_get_label (w) : chancery_status_get_label (w);
          int cmp = g_utf8_collate (label_w, label_v);

          if (cmp < 0 || (cmp == 0 && w < v))
            rank[v]++;
        }
    }

  for (guint i = 0; i < index->n_events; i++)
    {
      guint v = by_kind ? index->events[i].kind : index->events[i].status;
      start[rank[MIN (v, n_values - 1)] + 1]++;
    }
  for (guint r = 1; r <= n_values; r++)
    start[r] += start[r - 1];

  /* Events of one value in date order */
  if (index->n_moved > 0)
    {
      g_autofree guint32 *by_date = g_new (guint32, index->n_events);

      chancery_index_date_order_fill (index, by_date);
      for (guint d = 0; d < index->n_events; d++)
        {
          guint i = by_date[d];
          guint v = by_kind ? index->events[i].kind : index->events[i].status;
          perm[start[rank[MIN (v, n_values - 1)]]++] = i;
        }
      return perm;
    }
  for (guint i = 0; i < index->n_events; i++)
    {
      guint v = by_kind ? index->events[i].kind : index->events[i].status;
      perm[start[rank[MIN (v, n_values - 1)]]++] = i;
    }

  return perm;
}

static guint32 *
compute_permutation (ChanceryIndex     *index,
                     ChanceryEventSort  sort,
                     gboolean           descending,
                     GCancellable      *cancellable)
{
  guint32 *perm = NULL;

  switch (sort)
    {
    case CHANCERY_EVENT_SORT_DATE:
      /* The index's date order, either way round (to_index_position) */
      return NULL;

    case CHANCERY_EVENT_SORT_TITLE:
      perm = sort_by_title (index, cancellable);
      break;

    case CHANCERY_EVENT_SORT_KIND:
    case CHANCERY_EVENT_SORT_STATUS:
      perm = sort_by_label_rank (index, sort == CHANCERY_EVENT_SORT_KIND);
      break;

    default:
      g_assert_not_reached ();
    }

  if (perm != NULL && descending)
    {
      for (guint i = 0, j = index->n_events; i + 1 < j; i++, j--)
        {
          guint32 tmp = perm[i];
          perm[i] = perm[j - 1];
          perm[j - 1] = tmp;
        }
    }

  return perm;
}

static void
sort_thread (GTask        *task,
             gpointer      source_object,
             gpointer      task_data,
             GCancellable *cancellable)
{
  SortJob *job = task_data;
  guint32 *perm = compute_permutation (job->index, job->sort, job->descending, cancellable);

  if (g_task_return_error_if_cancelled (task))
    g_free (perm);
  else
    g_task_return_pointer (task, perm, g_free);
}

static guint
get_n_items (ChanceryEventModel *self)
{
  if (self->emptied || self->index == NULL)
    return 0;
  return self->index->n_events;
}

static guint
to_index_position (ChanceryEventModel *self,
                   guint               position)
{
  if (self->perm != NULL)
    return self->perm[position];
  if (self->descending)
    position = self->index->n_events - 1 - position;
  return chancery_index_date_order_get_position (self->index, position);
}

static guint
to_model_position (ChanceryEventModel *self,
                   guint               index_position)
{
  guint rank;

  if (self->inverse != NULL)
    return self->inverse[index_position];
  rank = chancery_index_date_order_get_rank (self->index, index_position);
  return self->descending ? self->index->n_events - 1 - rank : rank;
}

static void
on_row_disposed_cb (gpointer  user_data,
                    GObject  *where_the_object_was)
{
  ChanceryEventModel *self = user_data;
  ChanceryEventRow *row = (ChanceryEventRow *) where_the_object_was;
  gpointer slot = GUINT_TO_POINTER (chancery_event_row_get_slot (row));

  if (g_hash_table_lookup (self->rows, slot) == row)
    g_hash_table_remove (self->rows, slot);
}

static void
forget_row (ChanceryEventModel *self,
            ChanceryEventRow   *row)
{
  g_object_weak_unref (G_OBJECT (row), on_row_disposed_cb, self);
}

/* Whether the views must hear "everything changed" rather than "the end
 * went": GTK 4.8's list view takes removed items from the start of the
 * stretch of rows it has no widgets for that holds the first removed
 * position, not from that position. When it has widgets past the new end
 * and none just before it (the list scrolled beyond the new end), it would
 * keep the last of them, at wrong positions. A row alive is one a view (or
 * someone) holds; widgets hold theirs. */
static gboolean
must_replace_all (ChanceryEventModel *self,
                  guint               n)
{
  GHashTableIter iter;
  gpointer key;
  gboolean past_end = FALSE;

  g_hash_table_iter_init (&iter, self->rows);
  while (!past_end && g_hash_table_iter_next (&iter, &key, NULL))
    past_end = GPOINTER_TO_UINT (key) >= n;
  if (!past_end)
    return FALSE;

  /* Rows alive on both sides of the new end: GTK's widgets run across it,
   * so the removal starts at one of them. */
  return n == 0
         || !g_hash_table_contains (self->rows, GUINT_TO_POINTER (n - 1))
         || !g_hash_table_contains (self->rows, GUINT_TO_POINTER (n));
}

/* Tells the views that every item changed, as "all removed" and then "all
 * added" rather than one replacement: on a replacement the list view
 * looks for its focused row among the added items, asking for each of
 * them (GTK 4.8), which at a million events means a million rows. The
 * rows alive are forgotten: the views drop them. */
static void
replace_all (ChanceryEventModel *self,
             guint               n_before)
{
  GHashTableIter iter;
  gpointer row;

  g_hash_table_iter_init (&iter, self->rows);
  while (g_hash_table_iter_next (&iter, NULL, &row))
    forget_row (self, row);
  g_hash_table_remove_all (self->rows);

  self->emptied = TRUE;
  if (n_before > 0)
    g_list_model_items_changed (G_LIST_MODEL (self), 0, n_before, 0);
  self->emptied = FALSE;
  if (get_n_items (self) > 0)
    g_list_model_items_changed (G_LIST_MODEL (self), 0, 0, get_n_items (self));
}

/* The events changed (a new index or a new order), n_before items before.
 *
 * Rows stay per position: every row still alive takes the event now at
 * its position and tells its cells, and the views hear only of the items
 * added or removed at the end. GTK 4.8's list view keeps the widgets of an
 * item only while it is the same object, and on "everything changed"
 * would build its ~200 rows again. It hears that only when rows are alive
 * past a new, smaller end: the list scrolled past it, or the chosen event
 * (its row held by the selection) beyond it (must_replace_all ()). */
static void
refill (ChanceryEventModel *self,
        guint               n_before)
{
  guint n = get_n_items (self);
  g_autoptr(GPtrArray) kept = NULL;
  GHashTableIter iter;
  gpointer key, value;

  if (n < n_before && must_replace_all (self, n))
    {
      replace_all (self, n_before);
      g_signal_emit (self, signals[CONTENTS_CHANGED], 0);
      return;
    }

  kept = g_ptr_array_new_with_free_func (g_object_unref);
  g_hash_table_iter_init (&iter, self->rows);
  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      if (GPOINTER_TO_UINT (key) < n)
        {
          g_ptr_array_add (kept, g_object_ref (value));
          continue;
        }
      /* Past the new end: the views drop it below. */
      forget_row (self, value);
      g_hash_table_iter_remove (&iter);
    }

  /* Cells may run any code when told; the rows are held meanwhile. */
  for (guint i = 0; i < kept->len; i++)
    {
      ChanceryEventRow *row = g_ptr_array_index (kept, i);

      chancery_event_row_set_event (row, self->index,
                                    to_index_position (self, chancery_event_row_get_slot (row)));
    }

  if (n < n_before)
    g_list_model_items_changed (G_LIST_MODEL (self), n, n_before - n, 0);
  else if (n > n_before)
    g_list_model_items_changed (G_LIST_MODEL (self), n_before, 0, n - n_before);

  g_signal_emit (self, signals[CONTENTS_CHANGED], 0);
}

/* Swaps in a new permutation and moves every row to its new event. */
static void
apply_permutation (ChanceryEventModel *self,
                   guint32            *perm)
{
  guint n = get_n_items (self);

  g_clear_pointer (&self->perm, g_free);
  g_clear_pointer (&self->inverse, g_free);
  self->perm = perm;

  if (perm != NULL)
    {
      self->inverse = g_new (guint32, MAX (n, 1));
      for (guint i = 0; i < n; i++)
        self->inverse[perm[i]] = i;
    }

  refill (self, n);
}

static void
set_sorting (ChanceryEventModel *self,
             gboolean            sorting)
{
  gboolean was_sorting = self->sort_cancellable != NULL;

  if (!sorting)
    g_clear_object (&self->sort_cancellable);
  if (was_sorting != sorting)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SORTING]);
}

static void
on_sort_ready_cb (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(ChanceryEventModel) self = user_data;
  g_autoptr(GError) error = NULL;
  SortJob *job = g_task_get_task_data (G_TASK (result));
  guint32 *perm;

  perm = g_task_propagate_pointer (G_TASK (result), &error);
  if (error != NULL)
    return;   /* cancelled: a newer sort or index took over */

  g_assert (job->index == self->index);
  apply_permutation (self, perm);
  set_sorting (self, FALSE);
}

static void
resort (ChanceryEventModel *self)
{
  g_autoptr(GTask) task = NULL;
  SortJob *job;

  if (self->sort_cancellable != NULL)
    g_cancellable_cancel (self->sort_cancellable);
  g_clear_object (&self->sort_cancellable);

  if (self->index == NULL
      || self->sort != CHANCERY_EVENT_SORT_TITLE
      || self->index->n_events < SYNC_SORT_LIMIT)
    {
      guint32 *perm = NULL;

      if (self->index != NULL)
        perm = compute_permutation (self->index, self->sort, self->descending, NULL);
      apply_permutation (self, perm);
      set_sorting (self, FALSE);
      return;
    }

  job = g_new0 (SortJob, 1);
  job->index = chancery_index_ref (self->index);
  job->sort = self->sort;
  job->descending = self->descending;

  self->sort_cancellable = g_cancellable_new ();
  task = g_task_new (NULL, self->sort_cancellable, on_sort_ready_cb, g_object_ref (self));
  g_task_set_source_tag (task, resort);
  g_task_set_task_data (task, job, (GDestroyNotify) sort_job_free);
  g_task_run_in_thread (task, sort_thread);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SORTING]);
}

static GType
chancery_event_model_get_item_type (GListModel *model)
{
  return CHANCERY_TYPE_EVENT_ROW;
}

static guint
chancery_event_model_get_n_items (GListModel *model)
{
  return get_n_items (CHANCERY_EVENT_MODEL (model));
}

static gpointer
chancery_event_model_get_item (GListModel *model,
                               guint       position)
{
  ChanceryEventModel *self = CHANCERY_EVENT_MODEL (model);
  ChanceryEventRow *row;

  if (position >= get_n_items (self))
    return NULL;

  row = g_hash_table_lookup (self->rows, GUINT_TO_POINTER (position));
  if (row != NULL)
    return g_object_ref (row);

  row = chancery_event_row_new (self->index, to_index_position (self, position), position);
  g_object_weak_ref (G_OBJECT (row), on_row_disposed_cb, self);
  g_hash_table_insert (self->rows, GUINT_TO_POINTER (position), row);
  return row;
}

static void
chancery_event_model_list_model_init (GListModelInterface *iface)
{
  iface->get_item_type = chancery_event_model_get_item_type;
  iface->get_n_items = chancery_event_model_get_n_items;
  iface->get_item = chancery_event_model_get_item;
}

static void
chancery_event_model_dispose (GObject *object)
{
  ChanceryEventModel *self = CHANCERY_EVENT_MODEL (object);

  if (self->sort_cancellable != NULL)
    g_cancellable_cancel (self->sort_cancellable);
  g_clear_object (&self->sort_cancellable);
  if (self->rows != NULL)
    {
      GHashTableIter iter;
      gpointer row;

      g_hash_table_iter_init (&iter, self->rows);
      while (g_hash_table_iter_next (&iter, NULL, &row))
        forget_row (self, row);
    }
  g_clear_pointer (&self->rows, g_hash_table_unref);
  g_clear_pointer (&self->perm, g_free);
  g_clear_pointer (&self->inverse, g_free);
  g_clear_pointer (&self->index, chancery_index_unref);

  G_OBJECT_CLASS (chancery_event_model_parent_class)->dispose (object);
}

static void
chancery_event_model_get_property (GObject    *object,
                                   guint       prop_id,
                                   GValue     *value,
                                   GParamSpec *pspec)
{
  ChanceryEventModel *self = CHANCERY_EVENT_MODEL (object);

  switch (prop_id)
    {
    case PROP_SORTING:
      g_value_set_boolean (value, chancery_event_model_get_sorting (self));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
chancery_event_model_class_init (ChanceryEventModelClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = chancery_event_model_dispose;
  object_class->get_property = chancery_event_model_get_property;

  properties[PROP_SORTING] =
    g_param_spec_boolean ("sorting", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);

  /* After the rows alive took their new events and the views heard of the
   * items added or removed: every change of events or of their order ends
   * with this, whether or not the number of items changed. */
  signals[CONTENTS_CHANGED] =
    g_signal_new ("contents-changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 0);
}

static void
chancery_event_model_init (ChanceryEventModel *self)
{
  self->rows = g_hash_table_new (NULL, NULL);
}

ChanceryEventModel *
chancery_event_model_new (void)
{
  return g_object_new (CHANCERY_TYPE_EVENT_MODEL, NULL);
}

void
chancery_event_model_set_index (ChanceryEventModel *self,
                                ChanceryIndex      *index)
{
  guint old_n;

  g_return_if_fail (CHANCERY_IS_EVENT_MODEL (self));

  if (index == self->index)
    return;

  old_n = get_n_items (self);
  if (self->sort_cancellable != NULL)
    g_cancellable_cancel (self->sort_cancellable);
  set_sorting (self, FALSE);

  g_clear_pointer (&self->index, chancery_index_unref);
  g_clear_pointer (&self->perm, g_free);
  g_clear_pointer (&self->inverse, g_free);
  if (index != NULL)
    self->index = chancery_index_ref (index);

  /* A quick sort goes in before the view sees the new items. */
  if (self->index != NULL
      && (self->sort != CHANCERY_EVENT_SORT_TITLE || self->index->n_events < SYNC_SORT_LIMIT))
    {
      self->perm = compute_permutation (self->index, self->sort, self->descending, NULL);
      if (self->perm != NULL)
        {
          self->inverse = g_new (guint32, MAX (self->index->n_events, 1));
          for (guint i = 0; i < self->index->n_events; i++)
            self->inverse[self->perm[i]] = i;
        }
    }

  refill (self, old_n);

  if (self->index != NULL && self->perm == NULL
      && self->sort == CHANCERY_EVENT_SORT_TITLE)
    resort (self);
}

ChanceryIndex *
chancery_event_model_get_index (ChanceryEventModel *self)
{
  g_return_val_if_fail (CHANCERY_IS_EVENT_MODEL (self), NULL);
  return self->index;
}

void
chancery_event_model_set_sort (ChanceryEventModel *self,
                               ChanceryEventSort   sort,
                               gboolean            descending)
{
  g_return_if_fail (CHANCERY_IS_EVENT_MODEL (self));

  if (self->sort == sort && self->descending == descending)
    return;

  self->sort = sort;
  self->descending = descending;
  resort (self);
}

gboolean
chancery_event_model_get_sorting (ChanceryEventModel *self)
{
  g_return_val_if_fail (CHANCERY_IS_EVENT_MODEL (self), FALSE);
  return self->sort_cancellable != NULL;
}

gint64
chancery_event_model_get_id (ChanceryEventModel *self,
                             guint               position)
{
  g_return_val_if_fail (CHANCERY_IS_EVENT_MODEL (self), -1);

  if (position >= get_n_items (self))
    return -1;
  return self->index->events[to_index_position (self, position)].id;
}

guint
chancery_event_model_find_id (ChanceryEventModel *self,
                              gint64              id)
{
  guint index_position;

  g_return_val_if_fail (CHANCERY_IS_EVENT_MODEL (self), G_MAXUINT);

  if (self->index == NULL || id < 0)
    return G_MAXUINT;

  index_position = chancery_index_find_id (self->index, id);
  if (index_position == G_MAXUINT)
    return G_MAXUINT;
  return to_model_position (self, index_position);
}
