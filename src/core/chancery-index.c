/* chancery-index.c
 *
 * Copyright 2026 The Chancery developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "chancery-index.h"

#include <stdlib.h>
#include <string.h>

#include "chancery-utf8.h"

typedef struct
{
  char   *key;
  char   *label;
  GArray *items;   /* guint32 insertion positions */
} LaneBuilder;

struct _ChanceryIndexBuilder
{
  ChanceryGrouping grouping;
  GArray          *events;       /* ChanceryIndexEvent */
  GString         *titles;
  GHashTable      *lanes;        /* key -> LaneBuilder* */
  GPtrArray       *lane_order;   /* LaneBuilder*, owning */
};

static void
lane_builder_free (gpointer data)
{
  LaneBuilder *lane = data;

  g_free (lane->key);
  g_free (lane->label);
  if (lane->items != NULL)
    g_array_unref (lane->items);
  g_free (lane);
}

static void
lane_free (gpointer data)
{
  ChanceryLane *lane = data;

  g_free (lane->key);
  g_free (lane->label);
  g_free (lane->items);
  g_free (lane);
}

G_DEFINE_BOXED_TYPE (ChanceryIndex, chancery_index, chancery_index_ref, chancery_index_unref)

ChanceryIndex *
chancery_index_ref (ChanceryIndex *index)
{
  g_return_val_if_fail (index != NULL, NULL);

  g_atomic_ref_count_inc (&index->ref_count);
  return index;
}

void
chancery_index_unref (ChanceryIndex *index)
{
  g_return_if_fail (index != NULL);

  if (!g_atomic_ref_count_dec (&index->ref_count))
    return;

  g_ptr_array_unref (index->lanes);
  g_free (index->moved);
  if (index->owner != NULL)
    {
      /* The title pool is borrowed: free the GString shell only. */
      if (index->owns_events)
        g_free (index->events);
      g_free (index->titles);
      if (index->owner_release != NULL)
        index->owner_release (index->owner);
    }
  else
    {
      g_free (index->events);
      g_string_free (index->titles, TRUE);
    }
  g_free (index);
}

const char *
chancery_index_get_title (const ChanceryIndex *index,
                          guint                position)
{
  g_return_val_if_fail (index != NULL, NULL);
  g_return_val_if_fail (position < index->n_events, NULL);

  return index->titles->str + index->events[position].title;
}

guint
chancery_index_lower_bound (const ChanceryIndex *index,
                            gint32               day)
{
  guint lo = 0, hi;

  g_return_val_if_fail (index != NULL, 0);

  hi = index->n_events;
  while (lo < hi)
    {
      guint mid = lo + (hi - lo) / 2;

      if (index->events[mid].lo < day)
        lo = mid + 1;
      else
        hi = mid;
    }

  return lo;
}

guint
chancery_lane_lower_bound (const ChanceryIndex *index,
                           const ChanceryLane  *lane,
                           gint32               day)
{
  guint lo = 0, hi;

  g_return_val_if_fail (index != NULL, 0);
  g_return_val_if_fail (lane != NULL, 0);

  hi = lane->n_items;
  while (lo < hi)
    {
      guint mid = lo + (hi - lo) / 2;

      if (index->events[lane->items[mid]].lo < day)
        lo = mid + 1;
      else
        hi = mid;
    }

  return lo;
}

guint
chancery_index_find_id (const ChanceryIndex *index,
                        gint64               id)
{
  g_return_val_if_fail (index != NULL, G_MAXUINT);

  for (guint i = 0; i < index->n_events; i++)
    {
      if (index->events[i].id == id)
        return i;
    }

  return G_MAXUINT;
}

guint
chancery_index_flags_for_date (const ChanceryDate *date)
{
  ChanceryQualifier qualifiers;
  guint flags = 0;

  g_return_val_if_fail (date != NULL, 0);

  qualifiers = date->start.qualifiers | date->end.qualifiers;
  if (date->form == CHANCERY_DATE_BEFORE)
    flags |= CHANCERY_INDEX_OPEN_START;
  if (date->form == CHANCERY_DATE_AFTER)
    flags |= CHANCERY_INDEX_OPEN_END;
  if (date->form == CHANCERY_DATE_RANGE)
    flags |= CHANCERY_INDEX_RANGE;
  if (qualifiers & CHANCERY_QUALIFIER_APPROXIMATE)
    flags |= CHANCERY_INDEX_APPROXIMATE;
  if (qualifiers & CHANCERY_QUALIFIER_UNCERTAIN)
    flags |= CHANCERY_INDEX_UNCERTAIN;
  /* ChanceryPrecision grows coarser: DAY < MONTH < YEAR. */
  if (date->form == CHANCERY_DATE_RANGE && date->start.precision != date->end.precision)
    {
      flags |= date->start.precision < date->end.precision ? CHANCERY_INDEX_FINER_START
                                                           : CHANCERY_INDEX_FINER_END;
      if (ABS ((int) date->start.precision - (int) date->end.precision) == 2)
        flags |= CHANCERY_INDEX_FINER_TWO;
    }

  return flags;
}

ChanceryPrecision
chancery_index_event_get_precision (const ChanceryIndexEvent *event,
                                    gboolean                  end)
{
  ChanceryPrecision precision;
  guint steps;

  g_return_val_if_fail (event != NULL, CHANCERY_PRECISION_DAY);

  precision = MIN (event->precision, CHANCERY_PRECISION_YEAR);
  steps = (event->flags & CHANCERY_INDEX_FINER_TWO) ? 2 : 1;
  if (event->flags & (end ? CHANCERY_INDEX_FINER_END : CHANCERY_INDEX_FINER_START))
    return precision >= steps ? precision - steps : CHANCERY_PRECISION_DAY;
  return precision;
}

static void
point_from_day (ChanceryDatePoint *point,
                gint32             day,
                ChanceryPrecision  precision,
                ChanceryQualifier  qualifiers)
{
  int year, month, mday;

  /* Soft extents of open dates may reach past the calendar's ends. */
  day = CLAMP (day, chancery_day_from_ymd (1, 1, 1), chancery_day_from_ymd (9999, 12, 31));
  chancery_day_to_ymd (day, &year, &month, &mday);
  point->year = year;
  point->month = precision == CHANCERY_PRECISION_YEAR ? 0 : month;
  point->day = precision == CHANCERY_PRECISION_DAY ? mday : 0;
  point->precision = precision;
  point->qualifiers = qualifiers;
}

char *
chancery_index_event_format_date (const ChanceryIndexEvent *event)
{
  ChanceryDate date = { 0 };
  ChanceryQualifier qualifiers = CHANCERY_QUALIFIER_NONE;
  ChanceryPrecision start, end;

  g_return_val_if_fail (event != NULL, NULL);

  start = chancery_index_event_get_precision (event, FALSE);
  end = chancery_index_event_get_precision (event, TRUE);

  if (event->flags & CHANCERY_INDEX_APPROXIMATE)
    qualifiers |= CHANCERY_QUALIFIER_APPROXIMATE;
  if (event->flags & CHANCERY_INDEX_UNCERTAIN)
    qualifiers |= CHANCERY_QUALIFIER_UNCERTAIN;

  date.lo = event->lo;
  date.hi = event->hi;
  if (event->flags & CHANCERY_INDEX_OPEN_START)
    {
      date.form = CHANCERY_DATE_BEFORE;
      date.lo = CHANCERY_DAY_OPEN_LO;
      point_from_day (&date.end, event->hi, end, qualifiers);
    }
  else if (event->flags & CHANCERY_INDEX_OPEN_END)
    {
      date.form = CHANCERY_DATE_AFTER;
      date.hi = CHANCERY_DAY_OPEN_HI;
      point_from_day (&date.start, event->lo, start, qualifiers);
    }
  else
    {
      point_from_day (&date.start, event->lo, start, qualifiers);
      point_from_day (&date.end, event->hi, end, qualifiers);
      /* A range of one point at its precision ("2025-06/2025-06") reads
       * as that point, "June 2025". */
      date.form = (event->flags & CHANCERY_INDEX_RANGE) &&
                  (date.start.year != date.end.year || date.start.month != date.end.month ||
                   date.start.day != date.end.day || start != end)
                  ? CHANCERY_DATE_RANGE : CHANCERY_DATE_SINGLE;
    }

  return chancery_date_format (&date);
}

/* Titles end with NUL in one pool; text that is not UTF-8 is repaired
 * (the pool is drawn and read aloud as it is). */
static void
append_title (ChanceryIndexBuilder *builder,
              const char           *title)
{
  if (title != NULL)
    chancery_utf8_append (builder->titles, title, strlen (title));
  g_string_append_c (builder->titles, '\0');
}

ChanceryIndexBuilder *
chancery_index_builder_new (ChanceryGrouping grouping)
{
  ChanceryIndexBuilder *builder = g_new0 (ChanceryIndexBuilder, 1);

  builder->grouping = grouping;
  builder->events = g_array_new (FALSE, FALSE, sizeof (ChanceryIndexEvent));
  builder->titles = g_string_new (NULL);
  builder->lanes = g_hash_table_new (g_str_hash, g_str_equal);
  builder->lane_order = g_ptr_array_new_with_free_func (lane_builder_free);

  return builder;
}

void
chancery_index_builder_add (ChanceryIndexBuilder *builder,
                            gint64                id,
                            const ChanceryDate   *date,
                            ChanceryKind          kind,
                            ChanceryStatus        status,
                            const char           *title)
{
  ChanceryIndexEvent event = { 0 };

  g_return_if_fail (builder != NULL);
  g_return_if_fail (date != NULL);

  event.id = id;
  chancery_date_get_extent (date, &event.lo, &event.hi);
  event.kind = kind;
  event.status = status;
  event.precision = chancery_date_get_precision (date);
  event.title = builder->titles->len;
  event.flags = chancery_index_flags_for_date (date);

  append_title (builder, title);
  g_array_append_val (builder->events, event);
}

void
chancery_index_event_init_raw (ChanceryIndexEvent *event,
                               gint64              id,
                               gint32              lo,
                               gint32              hi,
                               guint               kind,
                               guint               status,
                               guint               precision,
                               guint               flags)
{
  g_return_if_fail (event != NULL);

  *event = (ChanceryIndexEvent) { 0 };
  event->id = id;
  event->lo = lo;
  event->hi = MAX (lo, hi);
  event->kind = MIN (kind, CHANCERY_KIND_OTHER);
  event->status = MIN (status, CHANCERY_N_STATUSES - 1);
  event->precision = MIN (precision, CHANCERY_PRECISION_YEAR);
  event->flags = flags;
}

void
chancery_index_builder_add_raw (ChanceryIndexBuilder *builder,
                                gint64                id,
                                gint32                lo,
                                gint32                hi,
                                guint                 kind,
                                guint                 status,
                                guint                 precision,
                                guint                 flags,
                                const char           *title)
{
  ChanceryIndexEvent event;

  g_return_if_fail (builder != NULL);

  chancery_index_event_init_raw (&event, id, lo, hi, kind, status, precision, flags);
  event.title = builder->titles->len;

  append_title (builder, title);
  g_array_append_val (builder->events, event);
}

void
chancery_index_builder_add_to_lane (ChanceryIndexBuilder *builder,
                                    const char           *key,
                                    const char           *label)
{
  LaneBuilder *lane;
  guint32 position;

  g_return_if_fail (builder != NULL);
  g_return_if_fail (builder->events->len > 0);

  if (key == NULL)
    key = "";

  lane = g_hash_table_lookup (builder->lanes, key);
  if (lane == NULL)
    {
      lane = g_new0 (LaneBuilder, 1);
      lane->key = g_strdup (key);
      if (label == NULL)
        label = key;
      lane->label = chancery_utf8_dup (label, strlen (label));
      lane->items = g_array_new (FALSE, FALSE, sizeof (guint32));
      g_hash_table_insert (builder->lanes, lane->key, lane);
      g_ptr_array_add (builder->lane_order, lane);
    }

  position = builder->events->len - 1;
  /* The same event can come twice from a join; keep it once per lane. */
  if (lane->items->len > 0 &&
      g_array_index (lane->items, guint32, lane->items->len - 1) == position)
    return;

  g_array_append_val (lane->items, position);
}

static int
compare_events (const ChanceryIndexEvent *a,
                const ChanceryIndexEvent *b)
{
  if (a->lo != b->lo)
    return a->lo < b->lo ? -1 : 1;
  if (a->hi != b->hi)
    return a->hi < b->hi ? -1 : 1;
  if (a->id != b->id)
    return a->id < b->id ? -1 : 1;
  return 0;
}

/* Sorting by (lo, hi, id) with the keys beside the position: no
 * indirection in the comparison, which matters with a million events. */
typedef struct
{
  gint32  lo;
  gint32  hi;
  gint64  id;
  guint32 position;
} SortKey;

static int
compare_keys (const void *a,
              const void *b)
{
  const SortKey *x = a, *y = b;

  if (x->lo != y->lo)
    return x->lo < y->lo ? -1 : 1;
  if (x->hi != y->hi)
    return x->hi < y->hi ? -1 : 1;
  if (x->id != y->id)
    return x->id < y->id ? -1 : 1;
  return 0;
}

static int
compare_guint32 (gconstpointer a,
                 gconstpointer b)
{
  guint32 x = *(const guint32 *) a, y = *(const guint32 *) b;

  return x < y ? -1 : x > y;
}

/* Lanes with more events come first; the "none" lane always last. */
static int
compare_lanes (gconstpointer a,
               gconstpointer b)
{
  const ChanceryLane *x = *(ChanceryLane * const *) a;
  const ChanceryLane *y = *(ChanceryLane * const *) b;

  if ((x->key[0] == '\0') != (y->key[0] == '\0'))
    return x->key[0] == '\0' ? 1 : -1;
  if (x->n_items != y->n_items)
    return x->n_items > y->n_items ? -1 : 1;
  return g_utf8_collate (x->label, y->label);
}

static gboolean
is_sorted (const GArray *events)
{
  const ChanceryIndexEvent *e = (const ChanceryIndexEvent *) events->data;

  for (guint i = 1; i < events->len; i++)
    {
      if (compare_events (&e[i - 1], &e[i]) > 0)
        return FALSE;
    }

  return TRUE;
}

gboolean
chancery_index_event_moves_in_date_order (const ChanceryIndexEvent *event)
{
  g_return_val_if_fail (event != NULL, FALSE);

  return (event->flags & (CHANCERY_INDEX_OPEN_START | CHANCERY_INDEX_OPEN_END)) == CHANCERY_INDEX_OPEN_START;
}

gint32
chancery_index_event_get_date_order_key (const ChanceryIndexEvent *event)
{
  int year, month, mday;

  g_return_val_if_fail (event != NULL, 0);

  switch (chancery_index_event_get_precision (event, TRUE))
    {
    case CHANCERY_PRECISION_DAY:
      return event->hi;
    case CHANCERY_PRECISION_MONTH:
      chancery_day_to_ymd (event->hi, &year, &month, &mday);
      return chancery_day_from_ymd (year, month, 1);
    default:
      chancery_day_to_ymd (event->hi, &year, &month, &mday);
      return chancery_day_from_ymd (year, 1, 1);
    }
}

typedef struct
{
  gint32  key;
  guint32 position;
  guint32 slot;      /* in moved[] */
} MovedKey;

static int
compare_moved_keys (const void *a,
                    const void *b)
{
  const MovedKey *x = a, *y = b;

  if (x->key != y->key)
    return x->key < y->key ? -1 : 1;
  return x->position < y->position ? -1 : x->position > y->position;
}

/* The four arrays of the date order, k = n_moved each:
 *   moved[t]      positions of the events that move, ascending;
 *   moved_rank[t] the date rank of moved[t];
 *   by_rank[j]    the position of the j-th of them in date order;
 *   before[j]     how many events that stay come before it (j-th + before[j]
 *                 is its rank; non-decreasing).
 * The events that stay keep their order, so the i-th of them is at
 * position i + #{t : moved[t] - t <= i}. */
#define MOVED(index)      ((index)->moved)
#define MOVED_RANK(index) ((index)->moved + (index)->n_moved)
#define BY_RANK(index)    ((index)->moved + 2 * (index)->n_moved)
#define BEFORE(index)     ((index)->moved + 3 * (index)->n_moved)

/* Number of j < n with values[j] + step * j < bound, where that is
 * non-decreasing in j (step is -1, 0 or 1). */
static guint
count_below (const guint32 *values,
             guint          n,
             int            step,
             gint64         bound)
{
  guint lo = 0, hi = n;

  while (lo < hi)
    {
      guint mid = lo + (hi - lo) / 2;

      if ((gint64) values[mid] + (gint64) step * mid < bound)
        lo = mid + 1;
      else
        hi = mid;
    }
  return lo;
}

static void
build_date_order (ChanceryIndex *index,
                  GArray        *moved)
{
  g_autofree MovedKey *keys = NULL;
  guint k = moved->len;
  guint32 *positions = (guint32 *) moved->data;

  index->n_moved = k;
  if (k == 0)
    return;

  index->moved = g_new (guint32, 4 * (gsize) k);
  memcpy (MOVED (index), positions, k * sizeof (guint32));

  keys = g_new (MovedKey, k);
  for (guint j = 0; j < k; j++)
    {
      keys[j].key = chancery_index_event_get_date_order_key (&index->events[positions[j]]);
      keys[j].position = positions[j];
      keys[j].slot = j;
    }
  qsort (keys, k, sizeof (MovedKey), compare_moved_keys);

  for (guint j = 0; j < k; j++)
    {
      /* The events that stay and start before the key come first: all
       * events before the first whose lo >= key, less the moved ones. */
      guint bound = chancery_index_lower_bound (index, keys[j].key);

      BY_RANK (index)[j] = keys[j].position;
      BEFORE (index)[j] = bound - count_below (MOVED (index), k, 0, bound);
      MOVED_RANK (index)[keys[j].slot] = BEFORE (index)[j] + j;
    }
}

guint
chancery_index_date_order_lower_bound (const ChanceryIndex *index,
                                       gint32               day)
{
  guint lo = 0, hi;

  g_return_val_if_fail (index != NULL, 0);

  /* Where each rank sorts never goes down from one rank to the next. */
  hi = index->n_events;
  while (lo < hi)
    {
      guint mid = lo + (hi - lo) / 2;
      const ChanceryIndexEvent *e = &index->events[chancery_index_date_order_get_position (index, mid)];
      gint32 key = chancery_index_event_moves_in_date_order (e) ? chancery_index_event_get_date_order_key (e)
                                                                : e->lo;

      if (key < day)
        lo = mid + 1;
      else
        hi = mid;
    }
  return lo;
}

guint
chancery_index_date_order_get_position (const ChanceryIndex *index,
                                        guint                rank)
{
  guint c, i;

  g_return_val_if_fail (index != NULL, G_MAXUINT);
  g_return_val_if_fail (rank < index->n_events, G_MAXUINT);

  if (index->n_moved == 0)
    return rank;

  /* Moved events ranked before this one; is it one of them? */
  c = count_below (BEFORE (index), index->n_moved, 1, rank);
  if (c < index->n_moved && BEFORE (index)[c] + c == rank)
    return BY_RANK (index)[c];

  /* The i-th event that stays: after the moved ones with moved[t] - t <= i. */
  i = rank - c;
  return i + count_below (MOVED (index), index->n_moved, -1, (gint64) i + 1);
}

guint
chancery_index_date_order_get_rank (const ChanceryIndex *index,
                                    guint                position)
{
  guint t, i;

  g_return_val_if_fail (index != NULL, G_MAXUINT);
  g_return_val_if_fail (position < index->n_events, G_MAXUINT);

  if (index->n_moved == 0)
    return position;

  t = count_below (MOVED (index), index->n_moved, 0, position);
  if (t < index->n_moved && MOVED (index)[t] == position)
    return MOVED_RANK (index)[t];

  /* The i-th event that stays, after the moved ones placed before it. */
  i = position - t;
  return i + count_below (BEFORE (index), index->n_moved, 0, (gint64) i + 1);
}

void
chancery_index_date_order_fill (const ChanceryIndex *index,
                                guint32             *positions)
{
  guint j = 0, t = 0, rank = 0;

  g_return_if_fail (index != NULL);

  for (guint x = 0; x < index->n_events; x++)
    {
      if (t < index->n_moved && MOVED (index)[t] == x)
        {
          t++;
          continue;
        }
      /* x is the (x - t)-th event that stays: the moved ones before it first */
      while (j < index->n_moved && BEFORE (index)[j] <= x - t)
        positions[rank++] = BY_RANK (index)[j++];
      positions[rank++] = x;
    }
  while (j < index->n_moved)
    positions[rank++] = BY_RANK (index)[j++];
  g_assert (rank == index->n_events);
}

/* Bounds and spans of all events, and the date order. */
static void
scan_events (ChanceryIndex *index)
{
  g_autoptr(GArray) moved = g_array_new (FALSE, FALSE, sizeof (guint32));

  for (guint i = 0; i < index->n_events; i++)
    {
      const ChanceryIndexEvent *e = &index->events[i];

      if (i == 0 || e->lo < index->min_day)
        index->min_day = e->lo;
      if (i == 0 || e->hi > index->max_day)
        index->max_day = e->hi;
      index->max_span = MAX (index->max_span, e->hi - e->lo);
      if (chancery_index_event_moves_in_date_order (e))
        g_array_append_val (moved, i);
    }

  build_date_order (index, moved);
}

ChanceryIndex *
chancery_index_builder_finish (ChanceryIndexBuilder *builder)
{
  ChanceryIndex *index;
  guint32 *new_position = NULL;
  guint n;

  g_return_val_if_fail (builder != NULL, NULL);

  n = builder->events->len;
  index = g_new0 (ChanceryIndex, 1);
  g_atomic_ref_count_init (&index->ref_count);
  index->grouping = builder->grouping;
  index->n_events = n;
  index->lanes = g_ptr_array_new_with_free_func (lane_free);

  if (!is_sorted (builder->events))
    {
      g_autofree SortKey *keys = g_new (SortKey, n);
      ChanceryIndexEvent *sorted = g_new (ChanceryIndexEvent, n);
      ChanceryIndexEvent *old = (ChanceryIndexEvent *) builder->events->data;

      for (guint i = 0; i < n; i++)
        {
          keys[i].lo = old[i].lo;
          keys[i].hi = old[i].hi;
          keys[i].id = old[i].id;
          keys[i].position = i;
        }
      qsort (keys, n, sizeof (SortKey), compare_keys);

      new_position = g_new (guint32, n);
      for (guint i = 0; i < n; i++)
        {
          sorted[i] = old[keys[i].position];
          new_position[keys[i].position] = i;
        }
      index->events = sorted;
      g_array_unref (builder->events);
    }
  else
    {
      index->events = (ChanceryIndexEvent *) g_array_free (builder->events, FALSE);
    }

  scan_events (index);

  for (guint l = 0; l < builder->lane_order->len; l++)
    {
      LaneBuilder *lb = g_ptr_array_index (builder->lane_order, l);
      ChanceryLane *lane = g_new0 (ChanceryLane, 1);
      guint32 *items = (guint32 *) lb->items->data;

      if (new_position != NULL)
        {
          for (guint i = 0; i < lb->items->len; i++)
            items[i] = new_position[items[i]];
        }
      /* Positions are in time order, so sorting them sorts the lane by lo. */
      qsort (items, lb->items->len, sizeof (guint32), compare_guint32);

      lane->key = g_steal_pointer (&lb->key);
      lane->label = g_steal_pointer (&lb->label);
      lane->n_items = lb->items->len;
      lane->items = (guint32 *) g_array_free (g_steal_pointer (&lb->items), FALSE);
      for (guint i = 0; i < lane->n_items; i++)
        {
          const ChanceryIndexEvent *e = &index->events[lane->items[i]];
          lane->max_span = MAX (lane->max_span, e->hi - e->lo);
        }
      g_ptr_array_add (index->lanes, lane);
    }
  g_ptr_array_sort (index->lanes, compare_lanes);

  index->titles = builder->titles;
  g_hash_table_unref (builder->lanes);
  g_ptr_array_unref (builder->lane_order);
  g_free (new_position);
  g_free (builder);

  return index;
}

ChanceryIndex *
chancery_index_new_shared (ChanceryGrouping    grouping,
                           ChanceryIndexEvent *events,
                           guint               n_events,
                           gboolean            owns_events,
                           const char         *titles,
                           gsize               titles_len,
                           GPtrArray          *lanes,
                           gpointer            owner,
                           GDestroyNotify      owner_release)
{
  ChanceryIndex *index;

  g_return_val_if_fail (events != NULL || n_events == 0, NULL);
  g_return_val_if_fail (titles != NULL && titles_len > 0, NULL);
  g_return_val_if_fail (lanes != NULL, NULL);
  g_return_val_if_fail (owner != NULL, NULL);

  index = g_new0 (ChanceryIndex, 1);
  g_atomic_ref_count_init (&index->ref_count);
  index->grouping = grouping;
  index->n_events = n_events;
  index->events = events;
  index->owns_events = owns_events;
  index->owner = owner;
  index->owner_release = owner_release;
  /* A shell over the borrowed pool, for chancery_index_get_title(). */
  index->titles = g_new0 (GString, 1);
  index->titles->str = (char *) titles;
  index->titles->len = titles_len - 1;
  index->titles->allocated_len = titles_len;
  index->lanes = lanes;
  g_ptr_array_set_free_func (lanes, lane_free);

  scan_events (index);

  for (guint l = 0; l < lanes->len; l++)
    {
      ChanceryLane *lane = g_ptr_array_index (lanes, l);

      lane->max_span = 0;
      for (guint i = 0; i < lane->n_items; i++)
        {
          const ChanceryIndexEvent *e = &events[lane->items[i]];
          lane->max_span = MAX (lane->max_span, e->hi - e->lo);
        }
    }

  return index;
}
