/* test-event-model.c: the event list's model stays lazy at a million events
 *
 * Copyright 2026 The Chancery developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "chancery-event-model.h"

#define N_BIG 1000000

static ChanceryIndex *
make_index (guint n)
{
  ChanceryIndexBuilder *builder = chancery_index_builder_new (CHANCERY_GROUP_NONE);

  for (guint i = 0; i < n; i++)
    {
      char title[64];

      /* Titles in an order unrelated to dates. */
      g_snprintf (title, sizeof title, "Event %07u", (guint) (((guint64) i * 7919u) % n));
      chancery_index_builder_add_raw (builder, i + 1, 20000 + i / 10, 20000 + i / 10,
                                      i % CHANCERY_N_KINDS, i % CHANCERY_N_STATUSES,
                                      CHANCERY_PRECISION_DAY, 0, title);
    }

  return chancery_index_builder_finish (builder);
}

static gboolean
sorting_done (ChanceryEventModel *model)
{
  return !chancery_event_model_get_sorting (model);
}

static void
wait_sorted (ChanceryEventModel *model)
{
  gint64 deadline = g_get_monotonic_time () + 60 * G_USEC_PER_SEC;

  while (!sorting_done (model) && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, TRUE);
  g_assert_true (sorting_done (model));
}

static void
test_date_order (void)
{
  g_autoptr(ChanceryIndex) index = make_index (1000);
  g_autoptr(ChanceryEventModel) model = chancery_event_model_new ();
  g_autoptr(ChanceryEventRow) first = NULL;
  g_autoptr(ChanceryEventRow) last = NULL;

  chancery_event_model_set_index (model, index);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (model)), ==, 1000);
  g_assert_true (g_list_model_get_item_type (G_LIST_MODEL (model)) == CHANCERY_TYPE_EVENT_ROW);

  first = g_list_model_get_item (G_LIST_MODEL (model), 0);
  last = g_list_model_get_item (G_LIST_MODEL (model), 999);
  g_assert_cmpint (chancery_event_row_get_id (first), ==, index->events[0].id);
  g_assert_cmpint (chancery_event_row_get_id (last), ==, index->events[999].id);
  g_assert_null (g_list_model_get_item (G_LIST_MODEL (model), 1000));

  /* Descending date is the index backwards. */
  chancery_event_model_set_sort (model, CHANCERY_EVENT_SORT_DATE, TRUE);
  g_assert_cmpint (chancery_event_model_get_id (model, 0), ==, index->events[999].id);
  g_assert_cmpuint (chancery_event_model_find_id (model, index->events[999].id), ==, 0);
}

static void
test_kind_order (void)
{
  g_autoptr(ChanceryIndex) index = make_index (5000);
  g_autoptr(ChanceryEventModel) model = chancery_event_model_new ();
  const char *previous = NULL;

  chancery_event_model_set_index (model, index);
  chancery_event_model_set_sort (model, CHANCERY_EVENT_SORT_KIND, FALSE);

  for (guint i = 0; i < 5000; i++)
    {
      g_autoptr(ChanceryEventRow) row = g_list_model_get_item (G_LIST_MODEL (model), i);
      const char *label = chancery_kind_get_label (chancery_event_row_get_kind (row));

      if (previous != NULL)
        g_assert_cmpint (g_utf8_collate (previous, label), <=, 0);
      previous = label;
      /* find_id is the inverse of the permutation. */
      g_assert_cmpuint (chancery_event_model_find_id (model, chancery_event_row_get_id (row)), ==, i);
    }
}

static void
on_items_changed_cb (GListModel *model,
                     guint       position,
                     guint       removed,
                     guint       added,
                     guint      *n_signals)
{
  (*n_signals)++;
}

static void
on_contents_changed_cb (ChanceryEventModel *model,
                        guint              *n_signals)
{
  (*n_signals)++;
}

static void
test_million_by_title (void)
{
  g_autoptr(ChanceryIndex) index = make_index (N_BIG);
  g_autoptr(ChanceryEventModel) model = chancery_event_model_new ();
  guint n_signals = 0;
  guint n_items_changed = 0;
  gint64 start;

  g_signal_connect (model, "contents-changed", G_CALLBACK (on_contents_changed_cb), &n_signals);
  g_signal_connect (model, "items-changed", G_CALLBACK (on_items_changed_cb), &n_items_changed);

  start = g_get_monotonic_time ();
  chancery_event_model_set_index (model, index);
  /* Nothing is made per event: setting a million-event index is instant. */
  g_assert_cmpint (g_get_monotonic_time () - start, <, G_USEC_PER_SEC / 2);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (model)), ==, N_BIG);
  g_assert_cmpuint (n_signals, ==, 1);
  g_assert_cmpuint (n_items_changed, ==, 1);
  n_signals = 0;
  n_items_changed = 0;

  /* Title order is computed in a thread; the model answers meanwhile. */
  chancery_event_model_set_sort (model, CHANCERY_EVENT_SORT_TITLE, FALSE);
  g_assert_true (chancery_event_model_get_sorting (model));
  g_assert_cmpint (chancery_event_model_get_id (model, 0), ==, index->events[0].id);
  g_assert_cmpuint (n_signals, ==, 0);
  wait_sorted (model);
  /* A new order is new contents, with as many items as before. */
  g_assert_cmpuint (n_signals, ==, 1);
  g_assert_cmpuint (n_items_changed, ==, 0);

  for (guint i = 0; i < N_BIG; i += N_BIG / 1000)
    {
      g_autoptr(ChanceryEventRow) a = g_list_model_get_item (G_LIST_MODEL (model), i);
      g_autoptr(ChanceryEventRow) b = g_list_model_get_item (G_LIST_MODEL (model), i + 1);

      g_assert_cmpint (strcmp (chancery_event_row_get_title (a), chancery_event_row_get_title (b)), <, 0);
    }

  /* A new index while sorting: the old sort is dropped, the new one wins. */
  chancery_event_model_set_sort (model, CHANCERY_EVENT_SORT_TITLE, TRUE);
  g_assert_true (chancery_event_model_get_sorting (model));
  chancery_event_model_set_index (model, index);
  wait_sorted (model);
  {
    g_autoptr(ChanceryEventRow) top = g_list_model_get_item (G_LIST_MODEL (model), 0);
    g_assert_cmpstr (chancery_event_row_get_title (top), ==, "Event 0999999");
  }
}

typedef struct
{
  guint n_items_changed;
  guint position, removed, added;
  guint n_contents_changed;
  guint n_notified;
  guint n_items_when_told;   /* what the model said its size was, when told */
} Changes;

static void
record_items_changed_cb (GListModel *model,
                         guint       position,
                         guint       removed,
                         guint       added,
                         Changes    *changes)
{
  changes->n_items_changed++;
  changes->position = position;
  changes->removed = removed;
  changes->added = added;
}

static void
record_contents_changed_cb (ChanceryEventModel *model,
                            Changes            *changes)
{
  changes->n_contents_changed++;
}

static void
record_notify_cb (ChanceryEventRow *row,
                  GParamSpec       *pspec,
                  Changes          *changes)
{
  changes->n_notified++;
}

/* Every n-th event of index, as a filter would leave them. */
static ChanceryIndex *
make_subset (ChanceryIndex *index,
             guint          step)
{
  ChanceryIndexBuilder *builder = chancery_index_builder_new (CHANCERY_GROUP_NONE);

  for (guint i = 0; i < index->n_events; i += step)
    {
      const ChanceryIndexEvent *ev = &index->events[i];

      chancery_index_builder_add_raw (builder, ev->id, ev->lo, ev->hi, ev->kind, ev->status,
                                      ev->precision, ev->flags, chancery_index_get_title (index, i));
    }
  return chancery_index_builder_finish (builder);
}

static gint64
row_id (ChanceryEventModel *model,
        guint               position)
{
  g_autoptr(ChanceryEventRow) row = g_list_model_get_item (G_LIST_MODEL (model), position);

  g_assert_nonnull (row);
  return chancery_event_row_get_id (row);
}

/* A new index keeps the rows alive at their positions, with the new
 * events in them; views hear only of the items gone or added at the end. */
static void
test_rows_stay (void)
{
  g_autoptr(ChanceryIndex) all = make_index (1000);
  g_autoptr(ChanceryIndex) some = make_subset (all, 10);
  g_autoptr(ChanceryEventModel) model = chancery_event_model_new ();
  g_autoptr(ChanceryEventRow) first = NULL;
  g_autoptr(ChanceryEventRow) tenth = NULL;
  g_autoptr(ChanceryEventRow) past_end = NULL;
  g_autoptr(ChanceryEventRow) before_end = NULL;
  g_autoptr(ChanceryEventRow) at_end = NULL;
  Changes changes = { 0 };

  chancery_event_model_set_index (model, all);
  first = g_list_model_get_item (G_LIST_MODEL (model), 0);
  tenth = g_list_model_get_item (G_LIST_MODEL (model), 10);
  past_end = g_list_model_get_item (G_LIST_MODEL (model), 500);
  /* As a view's rows would be, across where the end will be. */
  before_end = g_list_model_get_item (G_LIST_MODEL (model), 99);
  at_end = g_list_model_get_item (G_LIST_MODEL (model), 100);
  g_assert_cmpint (chancery_event_row_get_id (tenth), ==, all->events[10].id);
  /* The same object while it is held. */
  {
    g_autoptr(ChanceryEventRow) again = g_list_model_get_item (G_LIST_MODEL (model), 10);
    g_assert_true (again == tenth);
  }

  g_signal_connect (model, "items-changed", G_CALLBACK (record_items_changed_cb), &changes);
  g_signal_connect (model, "contents-changed", G_CALLBACK (record_contents_changed_cb), &changes);
  g_signal_connect (tenth, "notify::id", G_CALLBACK (record_notify_cb), &changes);
  g_signal_connect (past_end, "notify::id", G_CALLBACK (record_notify_cb), &changes);

  /* Narrowed to 100 events: the last 900 items go. */
  chancery_event_model_set_index (model, some);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (model)), ==, 100);
  g_assert_cmpuint (changes.n_items_changed, ==, 1);
  g_assert_cmpuint (changes.position, ==, 100);
  g_assert_cmpuint (changes.removed, ==, 900);
  g_assert_cmpuint (changes.added, ==, 0);
  g_assert_cmpuint (changes.n_contents_changed, ==, 1);

  /* Row 10 is the same object, now with the 10th event left, and said so;
   * the row past the new end was not told anything. */
  g_assert_cmpuint (changes.n_notified, ==, 1);
  g_assert_cmpint (chancery_event_row_get_id (tenth), ==, some->events[10].id);
  g_assert_cmpstr (chancery_event_row_get_title (tenth), ==, chancery_index_get_title (some, 10));
  g_assert_cmpint (chancery_event_row_get_id (first), ==, some->events[0].id);
  g_assert_cmpint (chancery_event_row_get_id (past_end), ==, all->events[500].id);
  {
    g_autoptr(ChanceryEventRow) again = g_list_model_get_item (G_LIST_MODEL (model), 10);
    g_assert_true (again == tenth);
  }

  /* Widened again: 900 items added at the end; row 10 has its old event. */
  memset (&changes, 0, sizeof changes);
  chancery_event_model_set_index (model, all);
  g_assert_cmpuint (changes.n_items_changed, ==, 1);
  g_assert_cmpuint (changes.position, ==, 100);
  g_assert_cmpuint (changes.removed, ==, 0);
  g_assert_cmpuint (changes.added, ==, 900);
  g_assert_cmpuint (changes.n_contents_changed, ==, 1);
  g_assert_cmpuint (changes.n_notified, ==, 1);
  g_assert_cmpint (chancery_event_row_get_id (tenth), ==, all->events[10].id);
  /* The row that fell past the end is not the model's any more. */
  {
    g_autoptr(ChanceryEventRow) again = g_list_model_get_item (G_LIST_MODEL (model), 500);
    g_assert_true (again != past_end);
    g_assert_cmpint (chancery_event_row_get_id (again), ==, all->events[500].id);
  }

  /* A new order: no item added or removed, rows take the events now at
   * their positions. */
  memset (&changes, 0, sizeof changes);
  chancery_event_model_set_sort (model, CHANCERY_EVENT_SORT_DATE, TRUE);
  g_assert_cmpuint (changes.n_items_changed, ==, 0);
  g_assert_cmpuint (changes.n_contents_changed, ==, 1);
  g_assert_cmpuint (changes.n_notified, ==, 1);
  g_assert_cmpint (chancery_event_row_get_id (tenth), ==, all->events[989].id);
  g_assert_cmpint (chancery_event_row_get_id (first), ==, all->events[999].id);
  g_assert_cmpint (row_id (model, 10), ==, all->events[989].id);

  /* No index: everything goes, and a row let go is forgotten. */
  memset (&changes, 0, sizeof changes);
  g_clear_object (&first);
  chancery_event_model_set_index (model, NULL);
  g_assert_cmpuint (changes.n_items_changed, ==, 1);
  g_assert_cmpuint (changes.removed, ==, 1000);
  g_assert_cmpuint (changes.n_contents_changed, ==, 1);
  g_assert_cmpuint (changes.n_notified, ==, 0);
  g_assert_null (g_list_model_get_item (G_LIST_MODEL (model), 0));

  chancery_event_model_set_index (model, some);
  g_assert_cmpint (row_id (model, 0), ==, some->events[99].id);
  g_signal_handlers_disconnect_by_data (tenth, &changes);
  g_signal_handlers_disconnect_by_data (past_end, &changes);
}

/* A view scrolled past the new end, with no row just before it: GTK 4.8
 * would keep some of its rows at wrong positions if told only that the
 * end went, so the views hear that everything changed. */
static void
test_scrolled_past_new_end (void)
{
  g_autoptr(ChanceryIndex) all = make_index (1000);
  g_autoptr(ChanceryIndex) some = make_subset (all, 10);
  g_autoptr(ChanceryEventModel) model = chancery_event_model_new ();
  g_autoptr(GPtrArray) held = g_ptr_array_new_with_free_func (g_object_unref);
  Changes changes = { 0 };

  chancery_event_model_set_index (model, all);
  for (guint i = 500; i < 520; i++)
    g_ptr_array_add (held, g_list_model_get_item (G_LIST_MODEL (model), i));
  g_signal_connect (model, "items-changed", G_CALLBACK (record_items_changed_cb), &changes);
  g_signal_connect (model, "contents-changed", G_CALLBACK (record_contents_changed_cb), &changes);
  for (guint i = 0; i < held->len; i++)
    g_signal_connect (g_ptr_array_index (held, i), "notify::id", G_CALLBACK (record_notify_cb), &changes);

  chancery_event_model_set_index (model, some);
  /* All removed, then all added (the last signal recorded). */
  g_assert_cmpuint (changes.n_items_changed, ==, 2);
  g_assert_cmpuint (changes.position, ==, 0);
  g_assert_cmpuint (changes.removed, ==, 0);
  g_assert_cmpuint (changes.added, ==, 100);
  g_assert_cmpuint (changes.n_contents_changed, ==, 1);
  g_assert_cmpuint (changes.n_notified, ==, 0);
  g_assert_cmpint (row_id (model, 50), ==, some->events[50].id);

  for (guint i = 0; i < held->len; i++)
    g_signal_handlers_disconnect_by_data (g_ptr_array_index (held, i), &changes);
}

/* Rows outlive the model, and the model outlives its rows. */
static void
test_rows_outlive_model (void)
{
  g_autoptr(ChanceryIndex) index = make_index (100);
  ChanceryEventModel *model = chancery_event_model_new ();
  g_autoptr(ChanceryEventRow) kept = NULL;

  chancery_event_model_set_index (model, index);
  kept = g_list_model_get_item (G_LIST_MODEL (model), 3);
  for (guint i = 0; i < 100; i++)
    g_object_unref (g_list_model_get_item (G_LIST_MODEL (model), i));
  g_object_unref (model);
  g_assert_cmpint (chancery_event_row_get_id (kept), ==, index->events[3].id);
}

static void
test_row_dates (void)
{
  ChanceryIndexBuilder *builder = chancery_index_builder_new (CHANCERY_GROUP_NONE);
  g_autoptr(ChanceryIndex) index = NULL;
  g_autoptr(ChanceryEventModel) model = chancery_event_model_new ();
  g_autoptr(ChanceryEventRow) month = NULL;
  ChanceryDate date;
  g_autofree char *expected = NULL;

  /* A month-precision date is never said as a day. */
  g_assert_true (chancery_date_parse ("2025-06", &date, NULL));
  chancery_index_builder_add (builder, 1, &date, CHANCERY_KIND_MEETING, CHANCERY_STATUS_REPORTED, "June");
  index = chancery_index_builder_finish (builder);
  chancery_event_model_set_index (model, index);

  month = g_list_model_get_item (G_LIST_MODEL (model), 0);
  expected = chancery_date_format (&date);
  g_assert_cmpstr (chancery_event_row_get_date (month), ==, expected);
}

static ChanceryIndex *
index_of_dates (const char *const *dates,
                guint               n)
{
  ChanceryIndexBuilder *builder = chancery_index_builder_new (CHANCERY_GROUP_NONE);

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(GError) error = NULL;
      ChanceryDate date;

      g_assert_true (chancery_date_parse (dates[i], &date, &error));
      g_assert_no_error (error);
      chancery_index_builder_add (builder, i + 1, &date, i % 3, CHANCERY_STATUS_OCCURRED, dates[i]);
    }
  return chancery_index_builder_finish (builder);
}

/* An event with an open start is listed by its known end, not by the
 * soft start (a year or so earlier) that places it on the timeline:
 * "before 8 December 2025" comes after June 2025, just before the events
 * of 8 December. Both ways round; positions found by id. */
static void
test_open_start_order (void)
{
  static const char *const dates[] = {
    "2024-12-20", "../2025-12-08", "2025-06", "2025-12-08", "2026",
    "../2025-12", "2025-12-01", "../2026", "2025-12/..",
  };
  /* ids (1 + place in dates[]) in date order */
  static const gint64 expected[] = { 1, 3, 6, 7, 9, 2, 4, 8, 5 };
  g_autoptr(ChanceryIndex) index = index_of_dates (dates, G_N_ELEMENTS (dates));
  g_autoptr(ChanceryEventModel) model = chancery_event_model_new ();
  guint n = G_N_ELEMENTS (expected);

  /* The timeline's order is the soft start's: an open start is first. */
  g_assert_true (index->events[0].flags & CHANCERY_INDEX_OPEN_START);

  chancery_event_model_set_index (model, index);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (model)), ==, n);
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(ChanceryEventRow) row = g_list_model_get_item (G_LIST_MODEL (model), i);

      g_assert_cmpint (chancery_event_model_get_id (model, i), ==, expected[i]);
      g_assert_cmpint (chancery_event_row_get_id (row), ==, expected[i]);
      g_assert_cmpuint (chancery_event_model_find_id (model, expected[i]), ==, i);
    }

  chancery_event_model_set_sort (model, CHANCERY_EVENT_SORT_DATE, TRUE);
  for (guint i = 0; i < n; i++)
    {
      g_assert_cmpint (chancery_event_model_get_id (model, i), ==, expected[n - 1 - i]);
      g_assert_cmpuint (chancery_event_model_find_id (model, expected[n - 1 - i]), ==, i);
    }
}

typedef struct
{
  gint32  key;
  gboolean moved;
  guint   position;
} OrderKey;

static int
compare_order_keys (gconstpointer a,
                    gconstpointer b)
{
  const OrderKey *x = a, *y = b;

  if (x->key != y->key)
    return x->key < y->key ? -1 : 1;
  if (x->moved != y->moved)
    return x->moved ? -1 : 1;
  return x->position < y->position ? -1 : x->position > y->position;
}

/* The date order against a plain sort of every event by its key, for
 * random dates of every shape (a seventh with open starts). */
static void
test_open_start_order_random (void)
{
  const guint n = 20000;
  g_autoptr(GPtrArray) texts = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GHashTable) key_of_id = g_hash_table_new (g_int64_hash, g_int64_equal);
  g_autofree gint64 *ids = g_new (gint64, n);
  g_autofree OrderKey *keys = g_new (OrderKey, n);
  g_autoptr(ChanceryIndex) index = NULL;
  g_autoptr(ChanceryEventModel) model = chancery_event_model_new ();
  g_autofree guint32 *filled = g_new (guint32, n);
  GRand *rand = g_rand_new_with_seed (20261208);
  guint n_moved = 0;

  for (guint i = 0; i < n; i++)
    {
      int year = g_rand_int_range (rand, 1990, 2030);
      int month = g_rand_int_range (rand, 1, 13);
      int day = g_rand_int_range (rand, 1, 29);
      char point[16];

      switch (g_rand_int_range (rand, 0, 3))
        {
        case 0: g_snprintf (point, sizeof point, "%04d-%02d-%02d", year, month, day); break;
        case 1: g_snprintf (point, sizeof point, "%04d-%02d", year, month); break;
        default: g_snprintf (point, sizeof point, "%04d", year); break;
        }
      switch (g_rand_int_range (rand, 0, 7))
        {
        case 0: g_ptr_array_add (texts, g_strconcat ("../", point, NULL)); break;
        case 1: g_ptr_array_add (texts, g_strconcat (point, "/..", NULL)); break;
        case 2: g_ptr_array_add (texts, g_strdup_printf ("%s/%04d", point, year + 1)); break;
        default: g_ptr_array_add (texts, g_strdup (point)); break;
        }
    }
  index = index_of_dates ((const char *const *) texts->pdata, n);

  for (guint p = 0; p < n; p++)
    {
      const char *text = g_ptr_array_index (texts, index->events[p].id - 1);
      ChanceryDate date;
      gint32 lo, hi;

      keys[p].moved = g_str_has_prefix (text, "../");
      g_assert_true (chancery_date_parse (keys[p].moved ? text + 3 : text, &date, NULL));
      chancery_date_get_extent (&date, &lo, &hi);
      keys[p].key = lo;
      keys[p].position = p;
      n_moved += keys[p].moved;
    }
  g_assert_cmpuint (n_moved, >, n / 10);
  qsort (keys, n, sizeof (OrderKey), compare_order_keys);

  chancery_index_date_order_fill (index, filled);
  for (guint rank = 0; rank < n; rank++)
    {
      g_assert_cmpuint (chancery_index_date_order_get_position (index, rank), ==, keys[rank].position);
      g_assert_cmpuint (chancery_index_date_order_get_rank (index, keys[rank].position), ==, rank);
      g_assert_cmpuint (filled[rank], ==, keys[rank].position);
    }

  /* The first rank at a day or later (the timeline's next event from the
   * view's start), against a walk through the sorted keys. */
  for (guint t = 0; t < 500; t++)
    {
      gint32 day = g_rand_int_range (rand, keys[0].key - 30, keys[n - 1].key + 30);
      guint first = 0;

      while (first < n && keys[first].key < day)
        first++;
      g_assert_cmpuint (chancery_index_date_order_lower_bound (index, day), ==, first);
    }

  /* Sorted by kind, the events of one kind are in date order too. */
  chancery_event_model_set_index (model, index);
  chancery_event_model_set_sort (model, CHANCERY_EVENT_SORT_KIND, FALSE);
  for (guint i = 1; i < n; i++)
    {
      guint a = chancery_index_find_id (index, chancery_event_model_get_id (model, i - 1));
      guint b = chancery_index_find_id (index, chancery_event_model_get_id (model, i));

      if (index->events[a].kind == index->events[b].kind)
        g_assert_cmpuint (chancery_index_date_order_get_rank (index, a), <,
                          chancery_index_date_order_get_rank (index, b));
    }
  g_rand_free (rand);
}

int
main (int   argc,
      char *argv[])
{
  g_setenv ("LC_ALL", "C.UTF-8", TRUE);
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/event-model/date-order", test_date_order);
  g_test_add_func ("/event-model/open-start-order", test_open_start_order);
  g_test_add_func ("/event-model/open-start-order/random", test_open_start_order_random);
  g_test_add_func ("/event-model/kind-order", test_kind_order);
  g_test_add_func ("/event-model/row-dates", test_row_dates);
  g_test_add_func ("/event-model/rows-stay", test_rows_stay);
  g_test_add_func ("/event-model/scrolled-past-new-end", test_scrolled_past_new_end);
  g_test_add_func ("/event-model/rows-outlive-model", test_rows_outlive_model);
  g_test_add_func ("/event-model/million-by-title", test_million_by_title);

  return g_test_run ();
}
