/* test-event-model.c: the event list's model stays lazy at a million events
 *
 * Copyright 2026 The Chancery developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

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
test_million_by_title (void)
{
  g_autoptr(ChanceryIndex) index = make_index (N_BIG);
  g_autoptr(ChanceryEventModel) model = chancery_event_model_new ();
  guint n_signals = 0;
  gint64 start;

  g_signal_connect (model, "items-changed", G_CALLBACK (on_items_changed_cb), &n_signals);

  start = g_get_monotonic_time ();
  chancery_event_model_set_index (model, index);
  /* Nothing is made per event: setting a million-event index is instant. */
  g_assert_cmpint (g_get_monotonic_time () - start, <, G_USEC_PER_SEC / 2);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (model)), ==, N_BIG);
  g_assert_cmpuint (n_signals, >, 0);
  n_signals = 0;

  /* Title order is computed in a thread; the model answers meanwhile. */
  chancery_event_model_set_sort (model, CHANCERY_EVENT_SORT_TITLE, FALSE);
  g_assert_true (chancery_event_model_get_sorting (model));
  g_assert_cmpint (chancery_event_model_get_id (model, 0), ==, index->events[0].id);
  g_assert_cmpuint (n_signals, ==, 0);
  wait_sorted (model);
  g_assert_cmpuint (n_signals, >, 0);

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

int
main (int   argc,
      char *argv[])
{
  g_setenv ("LC_ALL", "C.UTF-8", TRUE);
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/event-model/date-order", test_date_order);
  g_test_add_func ("/event-model/kind-order", test_kind_order);
  g_test_add_func ("/event-model/row-dates", test_row_dates);
  g_test_add_func ("/event-model/million-by-title", test_million_by_title);

  return g_test_run ();
}
