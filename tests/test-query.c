/* test-query.c: filters, facets and the index on the bundled dataset
 *
 * Copyright 2026 The Chancery developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The expected events were read off data/kayhan-146663.json by hand.
 */
#include "config.h"

#include <fcntl.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>
#include <glib.h>
#include <sqlite3.h>

#include "chancery-error.h"
#include "chancery-filter.h"
#include "chancery-index.h"
#include "chancery-store.h"
#include "chancery-store-internal.h"
#include "test-common.h"

static char *tmp_dir;
static char *db_path;
static ChanceryStore *store;

#define N_EVENTS 22

/* The uids of the events matching filter, in the order the store gives them,
 * checked against count_events, foreach_event and the index. */
static GPtrArray *
query_uids (const ChanceryFilter *filter)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GArray) ids = NULL;
  g_autoptr(ChanceryIndex) index = NULL;
  GPtrArray *uids = g_ptr_array_new_with_free_func (g_free);
  gint64 last[4] = { G_MININT64, 0, 0, 0 };
  guint count;

  ids = chancery_store_query_ids (store, filter, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (ids);

  count = chancery_store_count_events (store, filter, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (count, ==, ids->len);

  for (guint i = 0; i < ids->len; i++)
    {
      g_autoptr(ChanceryEvent) event = NULL;
      const ChanceryDatePoint *end;
      gint32 lo, hi;
      gint64 key[4];
      guint k;

      event = chancery_store_get_event (store, g_array_index (ids, gint64, i), &error);
      g_assert_no_error (error);

      /* Date order: by extent start, then end; an open start ("before
       * B") by the first day of B, ahead of the events that start then. */
      chancery_date_get_extent (&event->date, &lo, &hi);
      end = &event->date.end;
      if (event->date.form == CHANCERY_DATE_BEFORE)
        key[0] = chancery_day_from_ymd (end->year, MAX (end->month, 1), MAX (end->day, 1));
      else
        key[0] = lo;
      key[1] = event->date.form != CHANCERY_DATE_BEFORE;
      key[2] = lo;
      key[3] = hi;
      for (k = 0; k < 3 && key[k] == last[k]; k++)
        ;
      g_assert_cmpint (key[k], >=, last[k]);
      memcpy (last, key, sizeof key);

      g_ptr_array_add (uids, g_strdup (event->uid));
    }

  /* The index holds the same events, in the same date order. */
  index = chancery_store_load_index (store, filter, CHANCERY_GROUP_NONE, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (index->n_events, ==, ids->len);
  for (guint i = 0; i < index->n_events; i++)
    g_assert_cmpint (index->events[chancery_index_date_order_get_position (index, i)].id, ==,
                     g_array_index (ids, gint64, i));

  return uids;
}

static gboolean
on_event_collect (ChanceryEvent  *event,
                  gpointer        user_data,
                  GError        **error)
{
  g_ptr_array_add (user_data, g_strdup (event->uid));
  return TRUE;
}

/* Exactly these events, in this order (NULL-terminated). */
static void
assert_events_ordered (const ChanceryFilter *filter,
                       const char * const   *expected)
{
  g_autoptr(GPtrArray) uids = query_uids (filter);
  g_autoptr(GPtrArray) visited = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GError) error = NULL;
  guint n = g_strv_length ((char **) expected);

  for (guint i = 0; i < MIN (n, uids->len); i++)
    g_assert_cmpstr (g_ptr_array_index (uids, i), ==, expected[i]);
  g_assert_cmpuint (uids->len, ==, n);

  g_assert_true (chancery_store_foreach_event (store, filter, on_event_collect, visited,
                                               NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (visited->len, ==, n);
  for (guint i = 0; i < n; i++)
    g_assert_cmpstr (g_ptr_array_index (visited, i), ==, expected[i]);
}

/* Exactly these events, in any order (NULL-terminated). */
static void
assert_events (const ChanceryFilter *filter,
               const char * const   *expected)
{
  g_autoptr(GPtrArray) uids = query_uids (filter);
  guint n = g_strv_length ((char **) expected);

  for (guint i = 0; i < n; i++)
    {
      gboolean found = FALSE;

      for (guint j = 0; j < uids->len && !found; j++)
        found = g_str_equal (g_ptr_array_index (uids, j), expected[i]);
      if (!found)
        g_error ("expected event %s is not in the result", expected[i]);
    }
  g_assert_cmpuint (uids->len, ==, n);
}

static ChanceryFilter *
filter_with_countries (const char *first, ...)
{
  ChanceryFilter *filter = chancery_filter_new ();
  g_autoptr(GError) error = NULL;
  va_list args;

  va_start (args, first);
  for (const char *code = first; code != NULL; code = va_arg (args, const char *))
    {
      g_assert_true (chancery_filter_add_country (filter, code, &error));
      g_assert_no_error (error);
    }
  va_end (args);

  return filter;
}

static void
set_dates (ChanceryFilter *filter,
           const char     *from,
           const char     *to)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (chancery_filter_set_from (filter, from, &error));
  g_assert_no_error (error);
  g_assert_true (chancery_filter_set_to (filter, to, &error));
  g_assert_no_error (error);
}

static void
test_no_filter (void)
{
  g_autoptr(ChanceryFilter) filter = chancery_filter_new ();
  g_autoptr(GPtrArray) all = query_uids (NULL);
  g_autoptr(GPtrArray) empty = query_uids (filter);

  g_assert_true (chancery_filter_is_empty (filter));
  g_assert_cmpuint (all->len, ==, N_EVENTS);
  g_assert_cmpuint (empty->len, ==, N_EVENTS);
  for (guint i = 0; i < N_EVENTS; i++)
    g_assert_cmpstr (g_ptr_array_index (all, i), ==, g_ptr_array_index (empty, i));

  /* June 2025 first, then the "before 8 December 2025" events (not at
   * their soft start a year before), the 2026 plan last. */
  g_assert_cmpstr (g_ptr_array_index (all, 0), ==, "israeli-attacks-on-iran-2025-06");
  g_assert_cmpstr (g_ptr_array_index (all, 2), ==, "pezeshkian-election");
  g_assert_cmpstr (g_ptr_array_index (all, N_EVENTS - 1), ==, "rasht-astara-construction-start-2026");
}

static void
test_country (void)
{
  static const char * const arm[] = {
    "araghchi-statement-3plus3", "3plus3-meeting-baku", "3plus3-meeting-yerevan", NULL
  };
  static const char * const arm_or_rus[] = {
    "rasht-astara-preparatory-work-over-50-percent", "araghchi-statement-3plus3",
    "3plus3-meeting-baku", "3plus3-meeting-yerevan", "rasht-astara-construction-start-2026", NULL
  };
  g_autoptr(ChanceryFilter) filter = filter_with_countries ("ARM", NULL);
  g_autoptr(ChanceryFilter) lower = filter_with_countries ("arm", NULL);
  g_autoptr(ChanceryFilter) two = filter_with_countries ("ARM", "RUS", NULL);
  g_autoptr(ChanceryFilter) unknown = filter_with_countries ("XYZ", NULL);
  static const char * const none[] = { NULL };

  assert_events_ordered (filter, arm);
  /* Codes are upper-cased */
  g_assert_cmpstr (g_ptr_array_index (lower->countries, 0), ==, "ARM");
  assert_events_ordered (lower, arm);
  /* Values of one field are OR-ed */
  assert_events_ordered (two, arm_or_rus);
  assert_events (unknown, none);
}

static void
test_actor (void)
{
  static const char * const gafarova[] = {
    "araghchi-visit-baku-2025-12-08", "araghchi-gafarova-meeting-2025-12-08", NULL
  };
  static const char * const gafarova_or_aliyev[] = {
    "araghchi-visit-baku-2025-12-08", "araghchi-aliyev-bayramov-talks-2025-12-08",
    "araghchi-gafarova-meeting-2025-12-08", NULL
  };
  static const char * const none[] = { NULL };
  const char *ways[] = { "Sahiba Gafarova", "sahiba-gafarova", "sahiba gafarova" };

  for (guint i = 0; i < G_N_ELEMENTS (ways); i++)
    {
      g_autoptr(ChanceryFilter) filter = chancery_filter_new ();

      chancery_filter_add_actor (filter, ways[i]);
      assert_events_ordered (filter, gafarova);
    }

  {
    g_autoptr(ChanceryFilter) filter = chancery_filter_new ();

    chancery_filter_add_actor (filter, "Sahiba Gafarova");
    chancery_filter_add_actor (filter, "ilham-aliyev");
    assert_events_ordered (filter, gafarova_or_aliyev);
  }

  {
    g_autoptr(ChanceryFilter) filter = chancery_filter_new ();

    /* Not a substring search */
    chancery_filter_add_actor (filter, "Gafarova");
    assert_events (filter, none);
  }
}

static void
test_kind_and_status (void)
{
  static const char * const statements[] = {
    "araghchi-statement-3plus3", "araghchi-statement-regional-security",
    "araghchi-statement-gaza-palestine", "bayramov-statement-araghchi-visit",
    "araghchi-dismisses-drone-claims", NULL
  };
  static const char * const planned[] = {
    "3plus3-meeting-baku", "3plus3-meeting-yerevan", "rasht-astara-construction-start-2026", NULL
  };
  static const char * const planned_or_disputed[] = {
    "tehran-drone-speculation", "3plus3-meeting-baku", "3plus3-meeting-yerevan",
    "rasht-astara-construction-start-2026", NULL
  };
  static const char * const incident_or_election[] = {
    /* "before 8 December 2025" where 8 December begins, after June */
    "israeli-attacks-on-iran-2025-06", "pezeshkian-election", NULL
  };
  g_autoptr(GError) error = NULL;
  g_autoptr(ChanceryFilter) kind = chancery_filter_new ();
  g_autoptr(ChanceryFilter) kinds = chancery_filter_new ();
  g_autoptr(ChanceryFilter) status = chancery_filter_new ();
  g_autoptr(ChanceryFilter) statuses = chancery_filter_new ();

  g_assert_true (chancery_filter_add_kind (kind, "statement", &error));
  assert_events (kind, statements);

  g_assert_true (chancery_filter_add_kind (kinds, "incident", &error));
  g_assert_true (chancery_filter_add_kind (kinds, "election", &error));
  assert_events_ordered (kinds, incident_or_election);

  g_assert_true (chancery_filter_add_status (status, "planned", &error));
  assert_events_ordered (status, planned);

  g_assert_true (chancery_filter_add_status (statuses, "planned", &error));
  g_assert_true (chancery_filter_add_status (statuses, "disputed", &error));
  assert_events_ordered (statuses, planned_or_disputed);
  g_assert_no_error (error);
}

static void
test_dates (void)
{
  static const char * const from_2026[] = {
    "3plus3-meeting-baku", "3plus3-meeting-yerevan", "rasht-astara-construction-start-2026", NULL
  };
  static const char * const after_8_dec[] = {
    "3plus3-meeting-baku", "3plus3-meeting-yerevan", NULL
  };
  /* "On or before" events reach a year back from their known end. */
  static const char * const before_june[] = {
    "pezeshkian-election", "pezeshkian-visit-baku-1", "pezeshkian-visit-baku-2",
    "pezeshkian-visits-agreements", "foreign-ministers-prior-meetings",
    "rasht-astara-preparatory-work-over-50-percent", "azerbaijan-proposal-3plus3-meetings", NULL
  };
  static const char * const june[] = {
    "pezeshkian-election", "pezeshkian-visit-baku-1", "pezeshkian-visit-baku-2",
    "pezeshkian-visits-agreements", "foreign-ministers-prior-meetings",
    "rasht-astara-preparatory-work-over-50-percent", "azerbaijan-proposal-3plus3-meetings",
    "israeli-attacks-on-iran-2025-06", "tehran-drone-speculation", NULL
  };
  static const char * const none[] = { NULL };
  g_autoptr(ChanceryFilter) filter = chancery_filter_new ();

  set_dates (filter, "2026", NULL);
  g_assert_true (filter->has_from);
  g_assert_false (filter->has_to);
  g_assert_cmpint (filter->from_day, ==, chancery_day_from_ymd (2026, 1, 1));
  assert_events (filter, from_2026);

  set_dates (filter, "2025-12-09", "2025-12-31");
  g_assert_cmpint (filter->to_day, ==, chancery_day_from_ymd (2025, 12, 31));
  assert_events_ordered (filter, after_8_dec);

  /* --to takes the end of a month: the June events are in, July's not. */
  set_dates (filter, NULL, "2025-05");
  g_assert_cmpint (filter->to_day, ==, chancery_day_from_ymd (2025, 5, 31));
  assert_events (filter, before_june);

  set_dates (filter, "2025-06", "2025-06");
  assert_events (filter, june);

  set_dates (filter, "2027", NULL);
  assert_events (filter, none);

  /* An empty value clears the bound */
  set_dates (filter, "", "");
  g_assert_false (filter->has_from);
  g_assert_false (filter->has_to);
  g_assert_true (chancery_filter_is_empty (filter));
}

static void
test_text (void)
{
  static const char * const drones[] = {
    "tehran-drone-speculation", "araghchi-dismisses-drone-claims", NULL
  };
  static const char * const gafarova[] = {
    "araghchi-visit-baku-2025-12-08", "araghchi-gafarova-meeting-2025-12-08", NULL
  };
  static const char * const yerevan[] = {
    "azerbaijan-proposal-3plus3-meetings", "araghchi-statement-3plus3",
    "3plus3-meeting-baku", "3plus3-meeting-yerevan", NULL
  };
  static const char * const none[] = { NULL };
  g_autoptr(ChanceryFilter) filter = chancery_filter_new ();

  chancery_filter_set_text (filter, "drones");
  assert_events_ordered (filter, drones);
  /* Case, prefixes */
  chancery_filter_set_text (filter, "DRONE");
  assert_events_ordered (filter, drones);
  /* Words are AND-ed */
  chancery_filter_set_text (filter, "drones Tehran speculated");
  assert_events_ordered (filter, drones);
  chancery_filter_set_text (filter, "drones Yerevan");
  assert_events (filter, none);
  /* Names of actors are searched, and so are quotes */
  chancery_filter_set_text (filter, "Gafarova");
  assert_events (filter, gafarova);
  chancery_filter_set_text (filter, "yerevan");
  assert_events (filter, yerevan);
  chancery_filter_set_text (filter, "zeppelin");
  assert_events (filter, none);
}

static void
test_combined (void)
{
  static const char * const arm_planned[] = {
    "3plus3-meeting-baku", "3plus3-meeting-yerevan", NULL
  };
  static const char * const bayramov_statement[] = { "bayramov-statement-araghchi-visit", NULL };
  static const char * const drones_other[] = { "tehran-drone-speculation", NULL };
  static const char * const rus_from_2026[] = { "rasht-astara-construction-start-2026", NULL };
  static const char * const none[] = { NULL };
  g_autoptr(GError) error = NULL;

  {
    g_autoptr(ChanceryFilter) filter = filter_with_countries ("ARM", NULL);

    g_assert_true (chancery_filter_add_status (filter, "planned", &error));
    assert_events_ordered (filter, arm_planned);
    /* A third field narrows further */
    g_assert_true (chancery_filter_add_kind (filter, "statement", &error));
    assert_events (filter, none);
  }

  {
    g_autoptr(ChanceryFilter) filter = chancery_filter_new ();

    chancery_filter_add_actor (filter, "jeyhun-bayramov");
    g_assert_true (chancery_filter_add_kind (filter, "statement", &error));
    assert_events (filter, bayramov_statement);
  }

  {
    g_autoptr(ChanceryFilter) filter = chancery_filter_new ();

    chancery_filter_set_text (filter, "drones");
    g_assert_true (chancery_filter_add_kind (filter, "other", &error));
    assert_events (filter, drones_other);
  }

  {
    g_autoptr(ChanceryFilter) filter = filter_with_countries ("RUS", "PSE", NULL);

    set_dates (filter, "2026", "2026");
    assert_events (filter, rus_from_2026);
  }

  {
    g_autoptr(ChanceryFilter) filter = chancery_filter_new ();

    chancery_filter_add_project (filter, "3plus3-mechanism");
    chancery_filter_add_actor (filter, "Abbas Araghchi");
    g_assert_true (chancery_filter_add_status (filter, "planned", &error));
    assert_events (filter, arm_planned);
  }
  g_assert_no_error (error);
}

/* The count of key among facets, 0 if absent; and facets are sorted. */
static guint
facet_count (GPtrArray  *facets,
             const char *key)
{
  guint count = 0;

  for (guint i = 0; i < facets->len; i++)
    {
      const ChanceryFacet *facet = g_ptr_array_index (facets, i);

      g_assert_nonnull (facet->key);
      g_assert_nonnull (facet->label);
      g_assert_cmpuint (facet->count, >, 0);
      if (i > 0)
        {
          const ChanceryFacet *prev = g_ptr_array_index (facets, i - 1);

          /* Most frequent first, then by label */
          g_assert_cmpuint (prev->count, >=, facet->count);
          if (prev->count == facet->count && g_strcmp0 (prev->label, facet->label) > 0)
            g_error ("facets “%s” and “%s” (both %u) are not sorted by label",
                     prev->label, facet->label, facet->count);
        }
      if (g_strcmp0 (facet->key, key) == 0)
        count = facet->count;
    }

  return count;
}

static GPtrArray *
facets (const ChanceryFilter *filter,
        ChanceryFacetKind     kind)
{
  g_autoptr(GError) error = NULL;
  GPtrArray *list = chancery_store_list_facets (store, filter, kind, NULL, &error);

  g_assert_no_error (error);
  g_assert_nonnull (list);
  facet_count (list, NULL);
  return list;
}

static void
test_facets_unfiltered (void)
{
  g_autoptr(GPtrArray) country = facets (NULL, CHANCERY_FACET_COUNTRY);
  g_autoptr(GPtrArray) kind = facets (NULL, CHANCERY_FACET_KIND);
  g_autoptr(GPtrArray) status = facets (NULL, CHANCERY_FACET_STATUS);
  g_autoptr(GPtrArray) actor = facets (NULL, CHANCERY_FACET_ACTOR);
  g_autoptr(GPtrArray) project = facets (NULL, CHANCERY_FACET_PROJECT);
  const ChanceryFacet *first;

  g_assert_cmpuint (country->len, ==, 6);
  g_assert_cmpuint (facet_count (country, "IRN"), ==, 21);
  g_assert_cmpuint (facet_count (country, "AZE"), ==, 19);
  g_assert_cmpuint (facet_count (country, "ARM"), ==, 3);
  g_assert_cmpuint (facet_count (country, "RUS"), ==, 2);
  g_assert_cmpuint (facet_count (country, "PSE"), ==, 1);
  g_assert_cmpuint (facet_count (country, "ISR"), ==, 1);
  g_assert_cmpuint (facet_count (country, "USA"), ==, 0);
  first = g_ptr_array_index (country, 0);
  g_assert_cmpstr (first->key, ==, "IRN");
  g_assert_cmpstr (first->label, ==, "Iran");

  g_assert_cmpuint (kind->len, ==, 10);
  g_assert_cmpuint (facet_count (kind, "statement"), ==, 5);
  g_assert_cmpuint (facet_count (kind, "meeting"), ==, 4);
  g_assert_cmpuint (facet_count (kind, "visit"), ==, 3);
  g_assert_cmpuint (facet_count (kind, "press-conference"), ==, 1);
  g_assert_cmpuint (facet_count (kind, "summit"), ==, 0);

  g_assert_cmpuint (status->len, ==, 4);
  g_assert_cmpuint (facet_count (status, "occurred"), ==, 17);
  g_assert_cmpuint (facet_count (status, "planned"), ==, 3);
  g_assert_cmpuint (facet_count (status, "disputed"), ==, 1);
  g_assert_cmpuint (facet_count (status, "reported"), ==, 1);

  g_assert_cmpuint (actor->len, ==, 5);
  g_assert_cmpuint (facet_count (actor, "abbas-araghchi"), ==, 15);
  g_assert_cmpuint (facet_count (actor, "jeyhun-bayramov"), ==, 4);
  g_assert_cmpuint (facet_count (actor, "masoud-pezeshkian"), ==, 4);
  g_assert_cmpuint (facet_count (actor, "sahiba-gafarova"), ==, 2);
  first = g_ptr_array_index (actor, 0);
  g_assert_cmpstr (first->label, ==, "Abbas Araghchi");

  g_assert_cmpuint (project->len, ==, 4);
  g_assert_cmpuint (facet_count (project, "3plus3-mechanism"), ==, 5);
  g_assert_cmpuint (facet_count (project, "rasht-astara-railway"), ==, 4);
  g_assert_cmpuint (facet_count (project, "aras-corridor"), ==, 1);
}

static void
test_facets_filtered (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ChanceryFilter) filter = filter_with_countries ("ARM", NULL);
  g_autoptr(GPtrArray) country = NULL;
  g_autoptr(GPtrArray) kind = NULL;
  g_autoptr(GPtrArray) status = NULL;
  g_autoptr(GPtrArray) actor = NULL;
  g_autoptr(GPtrArray) project = NULL;

  g_assert_true (chancery_filter_add_status (filter, "planned", &error));
  g_assert_true (chancery_filter_add_kind (filter, "meeting", &error));
  g_assert_no_error (error);

  /* Country counts ignore the country filter but honour status and kind:
   * planned meetings are the 3+3 ones in Baku and Yerevan. */
  country = facets (filter, CHANCERY_FACET_COUNTRY);
  g_assert_cmpuint (country->len, ==, 3);
  g_assert_cmpuint (facet_count (country, "ARM"), ==, 2);
  g_assert_cmpuint (facet_count (country, "IRN"), ==, 2);
  g_assert_cmpuint (facet_count (country, "RUS"), ==, 0);

  /* Status counts ignore status: ARM meetings are the two planned ones. */
  status = facets (filter, CHANCERY_FACET_STATUS);
  g_assert_cmpuint (status->len, ==, 1);
  g_assert_cmpuint (facet_count (status, "planned"), ==, 2);

  /* Kind counts ignore kind: ARM and planned */
  kind = facets (filter, CHANCERY_FACET_KIND);
  g_assert_cmpuint (kind->len, ==, 1);
  g_assert_cmpuint (facet_count (kind, "meeting"), ==, 2);

  actor = facets (filter, CHANCERY_FACET_ACTOR);
  g_assert_cmpuint (actor->len, ==, 1);
  g_assert_cmpuint (facet_count (actor, "abbas-araghchi"), ==, 2);

  project = facets (filter, CHANCERY_FACET_PROJECT);
  g_assert_cmpuint (project->len, ==, 1);
  g_assert_cmpuint (facet_count (project, "3plus3-mechanism"), ==, 2);

  /* Dropping the status: kind now counts ARM's statement too */
  {
    g_autoptr(ChanceryFilter) arm = filter_with_countries ("ARM", NULL);
    g_autoptr(GPtrArray) arm_kind = NULL;
    g_autoptr(GPtrArray) arm_status = NULL;
    g_autoptr(GPtrArray) arm_country = NULL;

    g_assert_true (chancery_filter_add_kind (arm, "statement", &error));
    arm_kind = facets (arm, CHANCERY_FACET_KIND);
    g_assert_cmpuint (facet_count (arm_kind, "meeting"), ==, 2);
    g_assert_cmpuint (facet_count (arm_kind, "statement"), ==, 1);
    g_assert_cmpuint (arm_kind->len, ==, 2);

    arm_status = facets (arm, CHANCERY_FACET_STATUS);
    g_assert_cmpuint (arm_status->len, ==, 1);
    g_assert_cmpuint (facet_count (arm_status, "occurred"), ==, 1);

    /* Statements by country, whatever the country filter says */
    arm_country = facets (arm, CHANCERY_FACET_COUNTRY);
    g_assert_cmpuint (facet_count (arm_country, "IRN"), ==, 5);
    g_assert_cmpuint (facet_count (arm_country, "AZE"), ==, 4);
    g_assert_cmpuint (facet_count (arm_country, "ARM"), ==, 1);
    g_assert_cmpuint (facet_count (arm_country, "PSE"), ==, 1);
  }

  /* Actor facet ignores the actor filter, honours the text */
  {
    g_autoptr(ChanceryFilter) text = chancery_filter_new ();
    g_autoptr(GPtrArray) text_actor = NULL;

    chancery_filter_add_actor (text, "sahiba-gafarova");
    chancery_filter_set_text (text, "drones");
    text_actor = facets (text, CHANCERY_FACET_ACTOR);
    g_assert_cmpuint (text_actor->len, ==, 1);
    g_assert_cmpuint (facet_count (text_actor, "abbas-araghchi"), ==, 1);
  }
}

static void
check_index (ChanceryGrouping grouping)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ChanceryIndex) index = NULL;
  g_autoptr(GHashTable) lane_keys = g_hash_table_new (g_str_hash, g_str_equal);
  guint in_lanes = 0;

  index = chancery_store_load_index (store, NULL, grouping, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (index);
  g_assert_cmpint (index->grouping, ==, grouping);
  g_assert_cmpuint (index->n_events, ==, N_EVENTS);

  /* "../2025-12-07" reaches a year back; "2026" ends on 31 December 2026. */
  g_assert_cmpint (index->min_day, ==, chancery_day_from_ymd (2025, 12, 7) - CHANCERY_OPEN_EXTENT_DAYS);
  g_assert_cmpint (index->max_day, ==, chancery_day_from_ymd (2026, 12, 31));

  for (guint i = 0; i < index->n_events; i++)
    {
      const ChanceryIndexEvent *e = &index->events[i];
      g_autoptr(ChanceryEvent) event = chancery_store_get_event (store, e->id, &error);
      gint32 lo, hi;

      g_assert_no_error (error);
      g_assert_cmpstr (chancery_index_get_title (index, i), ==, event->title);
      chancery_date_get_extent (&event->date, &lo, &hi);
      g_assert_cmpint (e->lo, ==, lo);
      g_assert_cmpint (e->hi, ==, hi);
      g_assert_cmpint (e->kind, ==, event->kind);
      g_assert_cmpint (e->status, ==, event->status);
      g_assert_cmpint (e->lo, >=, index->min_day);
      g_assert_cmpint (e->hi, <=, index->max_day);
      g_assert_cmpint (e->hi - e->lo, <=, index->max_span);
      if (i > 0)
        {
          const ChanceryIndexEvent *p = &index->events[i - 1];
          g_assert_true (p->lo < e->lo || (p->lo == e->lo && (p->hi < e->hi ||
                                           (p->hi == e->hi && p->id < e->id))));
        }
      g_assert_cmpuint (chancery_index_find_id (index, e->id), ==, i);
    }

  g_assert_cmpuint (index->lanes->len, >, 0);
  for (guint l = 0; l < index->lanes->len; l++)
    {
      const ChanceryLane *lane = g_ptr_array_index (index->lanes, l);

      g_assert_nonnull (lane->key);
      g_assert_nonnull (lane->label);
      g_assert_cmpuint (lane->n_items, >, 0);
      g_assert_false (g_hash_table_contains (lane_keys, lane->key));
      g_hash_table_add (lane_keys, lane->key);
      in_lanes += lane->n_items;

      /* Display order: the fuller lanes first, then by label; "none" last */
      if (l > 0)
        {
          const ChanceryLane *prev = g_ptr_array_index (index->lanes, l - 1);

          g_assert_false (prev->key[0] == '\0');
          if (lane->key[0] != '\0')
            {
              g_assert_cmpuint (prev->n_items, >=, lane->n_items);
              if (prev->n_items == lane->n_items)
                g_assert_cmpint (g_utf8_collate (prev->label, lane->label), <=, 0);
            }
        }

      for (guint i = 0; i < lane->n_items; i++)
        {
          g_assert_cmpuint (lane->items[i], <, index->n_events);
          if (i > 0)
            {
              g_assert_cmpuint (lane->items[i - 1], <, lane->items[i]);
              g_assert_cmpint (index->events[lane->items[i - 1]].lo, <=,
                               index->events[lane->items[i]].lo);
            }
          g_assert_cmpint (index->events[lane->items[i]].hi - index->events[lane->items[i]].lo,
                           <=, lane->max_span);
        }
    }

  /* Every event is in at least one lane */
  if (grouping == CHANCERY_GROUP_NONE || grouping == CHANCERY_GROUP_KIND)
    g_assert_cmpuint (in_lanes, ==, N_EVENTS);
  else
    g_assert_cmpuint (in_lanes, >, N_EVENTS);
}

static const ChanceryLane *
find_lane (const ChanceryIndex *index,
           const char          *key)
{
  for (guint l = 0; l < index->lanes->len; l++)
    {
      const ChanceryLane *lane = g_ptr_array_index (index->lanes, l);

      if (g_str_equal (lane->key, key))
        return lane;
    }

  g_error ("no lane “%s”", key);
}

static gboolean
lane_has (const ChanceryIndex *index,
          const ChanceryLane  *lane,
          gint64               id)
{
  for (guint i = 0; i < lane->n_items; i++)
    {
      if (index->events[lane->items[i]].id == id)
        return TRUE;
    }

  return FALSE;
}

static void
test_index (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ChanceryIndex) countries = NULL;
  g_autoptr(ChanceryIndex) actors = NULL;
  g_autoptr(ChanceryIndex) kinds = NULL;
  g_autoptr(ChanceryIndex) all = NULL;
  g_autoptr(ChanceryEvent) talks = NULL;
  g_autoptr(ChanceryEvent) attacks = NULL;
  const ChanceryLane *lane;

  check_index (CHANCERY_GROUP_NONE);
  check_index (CHANCERY_GROUP_COUNTRY);
  check_index (CHANCERY_GROUP_ACTOR);
  check_index (CHANCERY_GROUP_KIND);
  check_index (CHANCERY_GROUP_PROJECT);

  talks = chancery_store_get_event_by_uid (store, "araghchi-aliyev-bayramov-talks-2025-12-08", &error);
  g_assert_no_error (error);
  attacks = chancery_store_get_event_by_uid (store, "israeli-attacks-on-iran-2025-06", &error);
  g_assert_no_error (error);

  all = chancery_store_load_index (store, NULL, CHANCERY_GROUP_NONE, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (all->lanes->len, ==, 1);

  /* An event of two countries is in both lanes; the lanes in order of size */
  countries = chancery_store_load_index (store, NULL, CHANCERY_GROUP_COUNTRY, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (countries->lanes->len, ==, 6);
  lane = g_ptr_array_index (countries->lanes, 0);
  g_assert_cmpstr (lane->key, ==, "IRN");
  g_assert_cmpstr (lane->label, ==, "Iran");
  g_assert_cmpuint (lane->n_items, ==, 21);
  g_assert_true (lane_has (countries, lane, talks->id));
  lane = g_ptr_array_index (countries->lanes, 1);
  g_assert_cmpstr (lane->key, ==, "AZE");
  g_assert_cmpuint (lane->n_items, ==, 19);
  g_assert_true (lane_has (countries, lane, talks->id));
  lane = find_lane (countries, "ISR");
  g_assert_nonnull (lane);
  g_assert_cmpuint (lane->n_items, ==, 1);
  g_assert_true (lane_has (countries, lane, attacks->id));
  g_assert_false (lane_has (countries, lane, talks->id));
  /* Equal sizes by label: Israel before Palestine */
  g_assert_cmpstr (((ChanceryLane *) g_ptr_array_index (countries->lanes, 4))->label, ==, "Israel");
  g_assert_cmpstr (((ChanceryLane *) g_ptr_array_index (countries->lanes, 5))->label, ==, "Palestine");

  /* Events without actors are in the "no actor" lane, last */
  actors = chancery_store_load_index (store, NULL, CHANCERY_GROUP_ACTOR, NULL, &error);
  g_assert_no_error (error);
  lane = g_ptr_array_index (actors->lanes, actors->lanes->len - 1);
  g_assert_cmpstr (lane->key, ==, "");
  g_assert_cmpuint (lane->n_items, ==, 3);
  g_assert_true (lane_has (actors, lane, attacks->id));
  lane = find_lane (actors, "ilham-aliyev");
  g_assert_cmpstr (lane->label, ==, "Ilham Aliyev");
  g_assert_cmpuint (lane->n_items, ==, 2);
  g_assert_true (lane_has (actors, lane, talks->id));

  kinds = chancery_store_load_index (store, NULL, CHANCERY_GROUP_KIND, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (kinds->lanes->len, ==, 10);
  lane = g_ptr_array_index (kinds->lanes, 0);
  g_assert_cmpstr (lane->key, ==, "statement");
  g_assert_cmpuint (lane->n_items, ==, 5);

  /* A filtered index: only ARM's events, still in all their lanes */
  {
    g_autoptr(ChanceryFilter) filter = filter_with_countries ("ARM", NULL);
    g_autoptr(ChanceryIndex) arm = chancery_store_load_index (store, filter, CHANCERY_GROUP_COUNTRY,
                                                              NULL, &error);

    g_assert_no_error (error);
    g_assert_cmpuint (arm->n_events, ==, 3);
    g_assert_cmpuint (arm->lanes->len, ==, 3);
    g_assert_cmpint (arm->min_day, ==, chancery_day_from_ymd (2025, 12, 8));
    g_assert_cmpint (arm->max_day, ==, chancery_day_from_ymd (2025, 12, 9) + CHANCERY_OPEN_EXTENT_DAYS);
    g_assert_cmpuint (chancery_index_lower_bound (arm, chancery_day_from_ymd (2025, 12, 9)), ==, 1);
  }

  /* Nothing matches: an empty index */
  {
    g_autoptr(ChanceryFilter) filter = filter_with_countries ("USA", NULL);
    g_autoptr(ChanceryIndex) empty = chancery_store_load_index (store, filter, CHANCERY_GROUP_COUNTRY,
                                                                NULL, &error);

    g_assert_no_error (error);
    g_assert_cmpuint (empty->n_events, ==, 0);
    g_assert_cmpuint (empty->lanes->len, ==, 0);
    g_assert_cmpint (empty->min_day, ==, 0);
    g_assert_cmpint (empty->max_day, ==, 0);
  }
}

static void
test_fts_syntax (void)
{
  g_autofree char *very_long = NULL;
  g_autofree char *long_word = NULL;
  g_autoptr(GString) many = g_string_new (NULL);
  const char *inputs[] = {
    "\"", "\"\"", "\"drones", "drones\"", "\"drones\"", "'drones'",
    "AND", "OR", "NOT", "drones AND", "AND drones", "drones OR", "NOT drones", "drones NOT",
    "NEAR(", "NEAR(drones", "NEAR(drones Tehran, 2)", "NEAR", "near/2",
    "*", "drones*", "*drones", "^", "^drones", "dro^nes",
    "-", "-drones", "drones -Tehran", "drones-Tehran", "+drones",
    "(", ")", "(drones", "drones)", "((drones)", "drones))(",
    "", " ", "\t\n", "...", "!@#$%^&*()_+{}|:<>?~`", "«»—–“”", ":", "title:drones",
    "{title summary}: drones", "drones:", "\\", "\\\"", "%", "_", "'", ";",
    "drones; DROP TABLE event; --", "ا", "Ереван", "دراون", "e\xcc\x81", "\xcc\x81",
    "\xff\xfe", "drones \xc3\x28", NULL, NULL, NULL,
  };
  guint n = G_N_ELEMENTS (inputs) - 3;

  for (guint i = 0; i < 5000; i++)
    g_string_append (many, i % 2 ? "drones " : "AND ( \" * ");
  very_long = g_strnfill (100000, '(');
  long_word = g_strnfill (100000, 'a');
  inputs[n++] = many->str;
  inputs[n++] = very_long;
  inputs[n++] = long_word;

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(ChanceryFilter) filter = chancery_filter_new ();
      g_autofree char *fts = chancery_filter_text_to_fts (inputs[i]);
      g_autoptr(GArray) ids = NULL;
      g_autoptr(GPtrArray) kinds = NULL;
      g_autoptr(ChanceryIndex) index = NULL;
      guint count;

      if (fts != NULL)
        {
          /* Only quoted prefix phrases: each starts with '"' and ends with '"*' */
          g_auto(GStrv) parts = g_strsplit (fts, " ", -1);

          for (guint p = 0; parts[p] != NULL; p++)
            {
              g_assert_true (g_str_has_prefix (parts[p], "\""));
              g_assert_true (g_str_has_suffix (parts[p], "\"*"));
              g_assert_cmpuint (strlen (parts[p]), >, 3);
              /* the only other quote is the closing one */
              g_assert_true (strchr (parts[p] + 1, '"') == parts[p] + strlen (parts[p]) - 2);
            }
        }

      chancery_filter_set_text (filter, inputs[i]);
      ids = chancery_store_query_ids (store, filter, NULL, &error);
      g_assert_no_error (error);
      g_assert_nonnull (ids);
      count = chancery_store_count_events (store, filter, &error);
      g_assert_no_error (error);
      g_assert_cmpuint (count, ==, ids->len);
      kinds = chancery_store_list_facets (store, filter, CHANCERY_FACET_KIND, NULL, &error);
      g_assert_no_error (error);
      g_assert_nonnull (kinds);
      index = chancery_store_load_index (store, filter, CHANCERY_GROUP_COUNTRY, NULL, &error);
      g_assert_no_error (error);
      g_assert_nonnull (index);
      g_assert_cmpuint (index->n_events, ==, ids->len);

      /* Text without words does not constrain */
      if (fts == NULL)
        g_assert_cmpuint (ids->len, ==, N_EVENTS);
    }

  /* Punctuation is never syntax, and operators are words: these find
   * exactly the drone events. */
  {
    const char *drones[] = { "\"drones", "drones\"", "'drones'", "drones*", "^drones", "-drones",
                             "(drones", "drones))(", "{drones}:", "drones; --" };

    for (guint i = 0; i < G_N_ELEMENTS (drones); i++)
      {
        g_autoptr(ChanceryFilter) filter = chancery_filter_new ();
        g_autoptr(GError) error = NULL;

        chancery_filter_set_text (filter, drones[i]);
        g_test_message ("searching for “%s”", drones[i]);
        g_assert_cmpuint (chancery_store_count_events (store, filter, &error), ==, 2);
        g_assert_no_error (error);
      }
  }

  /* "NEAR" and "AND" are searched for as words, so nothing has them both
   * with "drones" */
  {
    const char *nothing[] = { "NEAR(drones", "drones AND", "NOT drones" };

    for (guint i = 0; i < G_N_ELEMENTS (nothing); i++)
      {
        g_autoptr(ChanceryFilter) filter = chancery_filter_new ();
        g_autoptr(GError) error = NULL;

        chancery_filter_set_text (filter, nothing[i]);
        g_test_message ("searching for “%s”", nothing[i]);
        g_assert_cmpuint (chancery_store_count_events (store, filter, &error), ==, 0);
        g_assert_no_error (error);
      }
  }

  g_assert_null (chancery_filter_text_to_fts (NULL));
  g_assert_null (chancery_filter_text_to_fts (""));
  g_assert_null (chancery_filter_text_to_fts ("(*)^-\"\""));
  {
    g_autofree char *fts = chancery_filter_text_to_fts ("NEAR(drones, 2) AND \"x");

    g_assert_cmpstr (fts, ==, "\"NEAR\"* \"drones\"* \"2\"* \"AND\"* \"x\"*");
  }
}

/* A macro, so that the call runs before error is looked at. */
#define assert_parse_error(call, error, code, value) G_STMT_START { \
    gboolean ok_ = (call); \
    g_assert_false (ok_); \
    g_assert_error ((error), CHANCERY_ERROR, (code)); \
    test_assert_contains ((error)->message, (value)); \
  } G_STMT_END

static void
test_parse_errors (void)
{
  g_autoptr(ChanceryFilter) filter = chancery_filter_new ();
  const char *bad_countries[] = { "XX", "IRAN", "IR1", "", "I R", "ÄRM" };
  const char *bad_dates[] = { "2025-13", "2025-02-30", "tomorrow", "2025-12-08/2025-12-01", "25",
                              "۲۰۲۵-۱۳" };
  GError *error = NULL;

  assert_parse_error (chancery_filter_add_kind (filter, "bogus", &error), error,
                      CHANCERY_ERROR_INVALID_INPUT, "“bogus”");
  g_clear_error (&error);
  assert_parse_error (chancery_filter_add_kind (filter, "Meeting", &error), error,
                      CHANCERY_ERROR_INVALID_INPUT, "“Meeting”");
  g_clear_error (&error);
  assert_parse_error (chancery_filter_add_status (filter, "maybe", &error), error,
                      CHANCERY_ERROR_INVALID_INPUT, "“maybe”");
  g_clear_error (&error);

  for (guint i = 0; i < G_N_ELEMENTS (bad_countries); i++)
    {
      assert_parse_error (chancery_filter_add_country (filter, bad_countries[i], &error), error,
                          CHANCERY_ERROR_INVALID_INPUT, bad_countries[i]);
      g_clear_error (&error);
    }

  for (guint i = 0; i < G_N_ELEMENTS (bad_dates); i++)
    {
      assert_parse_error (chancery_filter_set_from (filter, bad_dates[i], &error), error,
                          CHANCERY_ERROR_INVALID_DATE, bad_dates[i]);
      g_clear_error (&error);
      assert_parse_error (chancery_filter_set_to (filter, bad_dates[i], &error), error,
                          CHANCERY_ERROR_INVALID_DATE, bad_dates[i]);
      g_clear_error (&error);
    }

  /* An open end cannot bound a range */
  assert_parse_error (chancery_filter_set_from (filter, "../2025", &error), error,
                      CHANCERY_ERROR_INVALID_DATE, "../2025");
  g_clear_error (&error);
  assert_parse_error (chancery_filter_set_to (filter, "2025/..", &error), error,
                      CHANCERY_ERROR_INVALID_DATE, "2025/..");
  g_clear_error (&error);

  /* Failures leave the filter as it was */
  g_assert_true (chancery_filter_is_empty (filter));

  /* Dates in the digits a window shows them in: Persian, Arabic-Indic */
  {
    g_autoptr(ChanceryFilter) ascii = chancery_filter_new ();
    g_autoptr(ChanceryFilter) persian = chancery_filter_new ();

    g_assert_true (chancery_filter_set_from (ascii, "2025-12", NULL));
    g_assert_true (chancery_filter_set_to (ascii, "2026-01-15", NULL));
    g_assert_true (chancery_filter_set_from (persian, "۲۰۲۵-۱۲", &error));
    g_assert_no_error (error);
    g_assert_true (chancery_filter_set_to (persian, "٢٠٢٦-٠١-١٥", &error));
    g_assert_no_error (error);
    g_assert_true (persian->has_from && persian->has_to);
    g_assert_cmpint (persian->from_day, ==, ascii->from_day);
    g_assert_cmpint (persian->to_day, ==, ascii->to_day);

    /* Pasted with spaces (and a tab) around: the same dates; only spaces
     * clear a bound. A space inside is still wrong. */
    g_assert_true (chancery_filter_set_from (persian, " 2025-12 ", &error));
    g_assert_no_error (error);
    g_assert_true (chancery_filter_set_to (persian, "\t2026-01-15  ", &error));
    g_assert_no_error (error);
    g_assert_cmpint (persian->from_day, ==, ascii->from_day);
    g_assert_cmpint (persian->to_day, ==, ascii->to_day);
    g_assert_true (chancery_filter_set_from (persian, "   ", &error));
    g_assert_false (persian->has_from);
    assert_parse_error (chancery_filter_set_to (persian, "2026 -01", &error), error,
                        CHANCERY_ERROR_INVALID_DATE, "2026 -01");
    g_clear_error (&error);
  }
}


/* A read-only store answers indexes and facets from memory (and from its
 * cache file when it has one); a writable one from SQL. Both must agree on
 * everything, for every grouping. */
static void
assert_same_index (const ChanceryIndex *a,
                   const ChanceryIndex *b)
{
  g_assert_cmpuint (a->n_events, ==, b->n_events);
  g_assert_cmpint (a->grouping, ==, b->grouping);
  g_assert_cmpint (a->min_day, ==, b->min_day);
  g_assert_cmpint (a->max_day, ==, b->max_day);
  g_assert_cmpint (a->max_span, ==, b->max_span);
  for (guint i = 0; i < a->n_events; i++)
    {
      const ChanceryIndexEvent *x = &a->events[i], *y = &b->events[i];

      g_assert_cmpint (x->id, ==, y->id);
      g_assert_cmpint (x->lo, ==, y->lo);
      g_assert_cmpint (x->hi, ==, y->hi);
      g_assert_cmpint (x->kind, ==, y->kind);
      g_assert_cmpint (x->status, ==, y->status);
      g_assert_cmpint (x->precision, ==, y->precision);
      g_assert_cmpint (x->flags, ==, y->flags);
      g_assert_cmpstr (chancery_index_get_title (a, i), ==, chancery_index_get_title (b, i));
    }
  g_assert_cmpuint (a->lanes->len, ==, b->lanes->len);
  for (guint l = 0; l < a->lanes->len; l++)
    {
      const ChanceryLane *x = g_ptr_array_index (a->lanes, l), *y = g_ptr_array_index (b->lanes, l);

      g_assert_cmpstr (x->key, ==, y->key);
      g_assert_cmpstr (x->label, ==, y->label);
      g_assert_cmpuint (x->n_items, ==, y->n_items);
      g_assert_cmpint (x->max_span, ==, y->max_span);
      for (guint i = 0; i < x->n_items; i++)
        g_assert_cmpuint (x->items[i], ==, y->items[i]);
    }
}

static void
assert_same_facets (GPtrArray *a,
                    GPtrArray *b)
{
  g_assert_cmpuint (a->len, ==, b->len);
  for (guint i = 0; i < a->len; i++)
    {
      const ChanceryFacet *x = g_ptr_array_index (a, i), *y = g_ptr_array_index (b, i);

      g_assert_cmpstr (x->key, ==, y->key);
      g_assert_cmpstr (x->label, ==, y->label);
      g_assert_cmpuint (x->count, ==, y->count);
    }
}

static void
compare_stores (ChanceryStore *memory,
                ChanceryStore *sql,
                GPtrArray     *filters)
{
  for (guint f = 0; f < filters->len; f++)
    {
      const ChanceryFilter *filter = g_ptr_array_index (filters, f);

      for (ChanceryGrouping g = CHANCERY_GROUP_NONE; g <= CHANCERY_GROUP_PROJECT; g++)
        {
          g_autoptr(GError) error = NULL;
          g_autoptr(ChanceryIndex) a = chancery_store_load_index (memory, filter, g, NULL, &error);
          g_autoptr(ChanceryIndex) b = NULL;

          g_assert_no_error (error);
          b = chancery_store_load_index (sql, filter, g, NULL, &error);
          g_assert_no_error (error);
          assert_same_index (a, b);
        }
      for (ChanceryFacetKind k = CHANCERY_FACET_ACTOR; k <= CHANCERY_FACET_PROJECT; k++)
        {
          g_autoptr(GError) error = NULL;
          g_autoptr(GPtrArray) a = chancery_store_list_facets (memory, filter, k, NULL, &error);
          g_autoptr(GPtrArray) b = NULL;

          g_assert_no_error (error);
          b = chancery_store_list_facets (sql, filter, k, NULL, &error);
          g_assert_no_error (error);
          assert_same_facets (a, b);
        }
    }
}

static char *
first_facet_key (ChanceryStore     *from,
                 ChanceryFacetKind  kind,
                 guint              nth)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) facets = chancery_store_list_facets (from, NULL, kind, NULL, &error);

  g_assert_no_error (error);
  g_assert_cmpuint (facets->len, >, nth);
  return g_strdup (((ChanceryFacet *) g_ptr_array_index (facets, nth))->key);
}

static char *
find_base_file (const char *dir)
{
  g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
  const char *name;

  while (d != NULL && (name = g_dir_read_name (d)) != NULL)
    if (g_str_has_suffix (name, ".base"))
      return g_build_filename (dir, name, NULL);
  return NULL;
}

static void
test_memory_matches_sql (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ChanceryStore) sql = NULL;
  g_autoptr(GPtrArray) filters = g_ptr_array_new_with_free_func ((GDestroyNotify) chancery_filter_free);
  g_autofree char *cache_home = g_build_filename (tmp_dir, "cache", NULL);
  g_autofree char *cache_dir = g_build_filename (cache_home, "chancery", NULL);
  g_autofree char *actor = NULL;
  g_autofree char *actor2 = NULL;
  g_autofree char *country = NULL;
  g_autofree char *project = NULL;
  ChanceryFilter *f;
  GStatBuf st;

  /* The cache is written for files not changed in the last 2 s only. */
  g_assert_cmpint (g_stat (db_path, &st), ==, 0);
  while (MAX (st.st_mtime, st.st_ctime) > g_get_real_time () / G_USEC_PER_SEC - 3)
    g_usleep (G_USEC_PER_SEC / 4);
  /* main() pointed XDG_CACHE_HOME there (GLib reads it once). */
  g_assert_cmpstr (g_get_user_cache_dir (), ==, cache_home);
  g_setenv ("CHANCERY_BASE_CACHE_MIN_EVENTS", "0", TRUE);

  sql = chancery_store_open (db_path, CHANCERY_STORE_READ_WRITE, NULL, &error);
  g_assert_no_error (error);

  actor = first_facet_key (sql, CHANCERY_FACET_ACTOR, 0);
  actor2 = first_facet_key (sql, CHANCERY_FACET_ACTOR, 1);
  country = first_facet_key (sql, CHANCERY_FACET_COUNTRY, 0);
  project = first_facet_key (sql, CHANCERY_FACET_PROJECT, 0);

  g_ptr_array_add (filters, chancery_filter_new ());
  f = chancery_filter_new ();
  chancery_filter_add_actor (f, actor);
  g_ptr_array_add (filters, f);
  f = chancery_filter_new ();
  chancery_filter_add_actor (f, actor2);
  chancery_filter_add_country (f, country, NULL);
  g_ptr_array_add (filters, f);
  f = chancery_filter_new ();
  chancery_filter_add_country (f, country, NULL);
  chancery_filter_add_kind (f, "meeting", NULL);
  chancery_filter_add_kind (f, "talks", NULL);
  g_ptr_array_add (filters, f);
  f = chancery_filter_new ();
  chancery_filter_add_project (f, project);
  g_ptr_array_add (filters, f);
  f = chancery_filter_new ();
  chancery_filter_add_status (f, "planned", NULL);
  g_ptr_array_add (filters, f);
  f = chancery_filter_new ();
  chancery_filter_set_text (f, "Iran");
  g_ptr_array_add (filters, f);
  f = chancery_filter_new ();
  chancery_filter_set_text (f, "no-such-word-anywhere");
  g_ptr_array_add (filters, f);
  f = chancery_filter_new ();
  g_assert_true (chancery_filter_set_from (f, "2025-12", NULL));
  g_assert_true (chancery_filter_set_to (f, "2026-01", NULL));
  g_ptr_array_add (filters, f);

  /* 0: built from SQL and cached; 1: from the cache; 2: a damaged cache
   * is not used. */
  for (guint pass = 0; pass < 3; pass++)
    {
      g_autoptr(ChanceryStore) memory = NULL;
      g_autofree char *base_file = NULL;

      memory = chancery_store_open (db_path, CHANCERY_STORE_READ_ONLY, NULL, &error);
      g_assert_no_error (error);
      compare_stores (memory, sql, filters);

      base_file = find_base_file (cache_dir);
      g_assert_nonnull (base_file);
      if (pass == 1)
        {
          g_autofree char *contents = NULL;
          gsize len;

          /* Break the end (names of projects). */
          g_assert_true (g_file_get_contents (base_file, &contents, &len, &error));
          g_assert_cmpuint (len, >, 4096);
          memset (contents + len - 8, 0xff, 8);
          g_assert_true (g_file_set_contents (base_file, contents, len, &error));
        }
    }

  g_unsetenv ("CHANCERY_BASE_CACHE_MIN_EVENTS");
  g_clear_object (&sql);
  test_remove_tree (cache_dir);
  g_rmdir (cache_home);
}

/* A new read-only store of the test file, and its unfiltered index, read
 * through the base. */
static ChanceryIndex *
load_from_base (ChanceryStore    **out,
                ChanceryGrouping   grouping)
{
  g_autoptr(GError) error = NULL;
  ChanceryIndex *index;

  *out = chancery_store_open (db_path, CHANCERY_STORE_READ_ONLY, NULL, &error);
  g_assert_no_error (error);
  index = chancery_store_load_index (*out, NULL, grouping, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull ((*out)->base);
  g_assert_false ((*out)->base_failed);
  return index;
}

/* The lowest file descriptor number free now: the next one open() gives. */
static int
next_free_fd (void)
{
  int fd = open ("/dev/null", O_RDONLY | O_CLOEXEC);

  g_assert_cmpint (fd, >=, 0);
  close (fd);
  return fd;
}

/* With no file descriptor to spare, the base cannot have connections of
 * its own (to count, and to read the relations beside the events): it is
 * built on the store's connection alone, and is the same as the base
 * built with them. */
static void
test_base_on_store_connection (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ChanceryStore) parallel = NULL;
  g_autoptr(ChanceryStore) alone = NULL;
  g_autoptr(ChanceryIndex) a = NULL;
  g_autoptr(ChanceryIndex) b = NULL;
  struct rlimit saved, limited;
  sqlite3 *probe = NULL;

  a = load_from_base (&parallel, CHANCERY_GROUP_COUNTRY);
  /* Opened now: the store keeps its file open. */
  alone = chancery_store_open (db_path, CHANCERY_STORE_READ_ONLY, NULL, &error);
  g_assert_no_error (error);

  /* No thread of the store's may open or close files meanwhile. */
  chancery_store_wait_for_caches ();
  g_assert_cmpint (getrlimit (RLIMIT_NOFILE, &saved), ==, 0);
  limited = saved;
  limited.rlim_cur = next_free_fd ();
  g_assert_cmpint (setrlimit (RLIMIT_NOFILE, &limited), ==, 0);
  /* No connection can open the file now... */
  g_assert_cmpint (sqlite3_open_v2 (db_path, &probe, SQLITE_OPEN_READONLY, NULL), !=, SQLITE_OK);
  sqlite3_close (probe);
  /* ...but the store's own still reads it. */
  b = chancery_store_load_index (alone, NULL, CHANCERY_GROUP_COUNTRY, NULL, &error);
  g_assert_cmpint (setrlimit (RLIMIT_NOFILE, &saved), ==, 0);

  g_assert_no_error (error);
  g_assert_nonnull (alone->base);
  g_assert_false (alone->base_failed);
  assert_same_index (a, b);
}

/* The event table is read from both ends. With the hook that makes the
 * relations' thread read all of it, from the last id down in many
 * claims, the base is the same as the one read the usual way. */
static void
test_base_events_from_top (void)
{
  g_autoptr(ChanceryStore) usual = NULL;
  g_autoptr(ChanceryStore) from_top = NULL;
  g_autoptr(ChanceryIndex) a = NULL;
  g_autoptr(ChanceryIndex) b = NULL;

  a = load_from_base (&usual, CHANCERY_GROUP_ACTOR);
  /* Several claims: fewer than 64 events make one id a claim. */
  g_assert_cmpuint (a->n_events, >, 2);

  g_setenv ("CHANCERY_BASE_EVENTS_FROM_TOP", "1", TRUE);
  b = load_from_base (&from_top, CHANCERY_GROUP_ACTOR);
  g_unsetenv ("CHANCERY_BASE_EVENTS_FROM_TOP");
  assert_same_index (a, b);
}

static void
exec_or_fail (sqlite3    *db,
              const char *sql)
{
  char *message = NULL;

  if (sqlite3_exec (db, sql, NULL, NULL, &message) != SQLITE_OK)
    g_error ("%s: %s", sql, message);
}

/* The event list's actors and countries, from a read-only store's base
 * (once built) as from SQL: by role then name, by name; actor rows
 * without their actor dropped, countries without their record named by
 * code. The copy is made to hold each case. */
static void
test_names_from_memory (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = g_build_filename (tmp_dir, "names.chancery", NULL);
  g_autofree char *contents = NULL;
  g_autoptr(ChanceryStore) sql = NULL;
  g_autoptr(ChanceryStore) memory = NULL;
  g_autoptr(ChanceryIndex) index = NULL;
  gsize length;
  sqlite3 *db;
  guint reordered = 0, several = 0;

  g_assert_true (g_file_get_contents (db_path, &contents, &length, &error));
  g_assert_true (g_file_set_contents (path, contents, length, &error));
  g_assert_cmpint (sqlite3_open (path, &db), ==, SQLITE_OK);
  /* Roles against name order: the later name of each event with two or
   * more actors gets the first role, so role and name orders disagree. */
  exec_or_fail (db, "UPDATE event_actor SET role = 0 WHERE (event_id, actor_id) IN"
                    " (SELECT x.event_id, max(x.actor_id) FROM event_actor x"
                    "  GROUP BY x.event_id HAVING count(*) > 1);"
                    "UPDATE event_actor SET role = 3 WHERE role <> 0;"
                    "INSERT INTO event_actor VALUES ((SELECT min(id) FROM event), 999999, 1);"
                    "INSERT INTO event_country VALUES ((SELECT min(id) FROM event), 'QQQ');"
                    "INSERT INTO country VALUES ('AAB', 'Zeta Land');"
                    "INSERT INTO event_country VALUES ((SELECT max(id) FROM event), 'AAB');");
  g_assert_cmpint (sqlite3_close (db), ==, SQLITE_OK);

  sql = chancery_store_open (path, CHANCERY_STORE_READ_WRITE, NULL, &error);
  g_assert_no_error (error);
  memory = chancery_store_open (path, CHANCERY_STORE_READ_ONLY, NULL, &error);
  g_assert_no_error (error);
  index = chancery_store_load_index (sql, NULL, CHANCERY_GROUP_NONE, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (index->n_events, ==, N_EVENTS);

  /* No base yet: nothing from memory (SQL answers), none for a writable store. */
  g_assert_null (base_dup_event_names (memory, CHANCERY_FACET_ACTOR, index->events[0].id));
  g_assert_null (base_dup_event_names (sql, CHANCERY_FACET_ACTOR, index->events[0].id));
  g_clear_pointer (&index, chancery_index_unref);
  index = chancery_store_load_index (memory, NULL, CHANCERY_GROUP_NONE, NULL, &error);
  g_assert_no_error (error);

  for (guint i = 0; i < index->n_events; i++)
    {
      gint64 id = index->events[i].id;
      g_autofree char *actors = base_dup_event_names (memory, CHANCERY_FACET_ACTOR, id);
      g_autofree char *countries = base_dup_event_names (memory, CHANCERY_FACET_COUNTRY, id);
      g_autofree char *sql_actors = chancery_store_dup_event_actors (sql, id);
      g_autofree char *sql_countries = chancery_store_dup_event_countries (sql, id);
      g_autofree char *public_actors = chancery_store_dup_event_actors (memory, id);
      g_autofree char *public_countries = chancery_store_dup_event_countries (memory, id);
      g_auto(GStrv) names = g_strsplit (sql_actors, ", ", -1);

      g_assert_nonnull (actors);
      g_assert_nonnull (countries);
      g_assert_cmpstr (actors, ==, sql_actors);
      g_assert_cmpstr (countries, ==, sql_countries);
      g_assert_cmpstr (public_actors, ==, sql_actors);
      g_assert_cmpstr (public_countries, ==, sql_countries);
      if (g_strv_length (names) > 1)
        several++;
      if (g_strv_length (names) > 1 && strcmp (names[0], names[1]) > 0)
        reordered++;
    }
  /* The cases were there to compare. */
  g_assert_cmpuint (several, >, 3);
  g_assert_cmpuint (reordered, >, 0);
  {
    gint64 first = G_MAXINT64, last = 0;
    g_autofree char *countries = NULL;
    g_autofree char *last_countries = NULL;

    for (guint i = 0; i < index->n_events; i++)
      {
        first = MIN (first, index->events[i].id);
        last = MAX (last, index->events[i].id);
      }
    countries = base_dup_event_names (memory, CHANCERY_FACET_COUNTRY, first);
    last_countries = base_dup_event_names (memory, CHANCERY_FACET_COUNTRY, last);
    test_assert_contains (countries, "QQQ");
    /* First by code, last by name. */
    g_assert_true (g_str_has_suffix (last_countries, ", Zeta Land"));
  }
  /* An id that the base does not hold is asked of SQL: nothing for no
   * event, and at once the names of an event another connection added. */
  {
    g_autofree char *none = chancery_store_dup_event_actors (memory, 424242);
    g_autofree char *added = NULL;

    g_assert_null (base_dup_event_names (memory, CHANCERY_FACET_ACTOR, 424242));
    g_assert_cmpstr (none, ==, "");
    g_assert_cmpint (sqlite3_open (path, &db), ==, SQLITE_OK);
    exec_or_fail (db, "INSERT INTO event (id, uid, kind, status, title, date, lo_day, hi_day,"
                      " precision, flags) SELECT 424242, 'added-event', kind, status, 'Added',"
                      " date, lo_day, hi_day, precision, flags FROM event WHERE id = (SELECT min(id) FROM event);"
                      "INSERT INTO event_actor SELECT 424242, actor_id, role FROM event_actor"
                      " WHERE event_id = (SELECT min(id) FROM event);");
    g_assert_cmpint (sqlite3_close (db), ==, SQLITE_OK);
    g_assert_null (base_dup_event_names (memory, CHANCERY_FACET_ACTOR, 424242));
    added = chancery_store_dup_event_actors (memory, 424242);
    g_assert_cmpstr (added, !=, "");
  }

  /* Another connection renames an actor: once the store sees the change
   * (it asks at most every 100 ms), the names come from SQL again, new. */
  {
    gint64 id = index->events[0].id;
    g_autofree char *renamed = NULL;
    g_autofree char *stale = NULL;

    g_assert_cmpint (sqlite3_open (path, &db), ==, SQLITE_OK);
    exec_or_fail (db, "UPDATE actor SET name = 'Renamed Actor' WHERE id IN"
                      " (SELECT actor_id FROM event_actor WHERE event_id = (SELECT min(id) FROM event))");
    g_assert_cmpint (sqlite3_close (db), ==, SQLITE_OK);
    g_usleep (150 * 1000);
    stale = base_dup_event_names (memory, CHANCERY_FACET_ACTOR, index->events[0].id);
    g_assert_null (stale);
    /* And stays so. */
    g_assert_null (base_dup_event_names (memory, CHANCERY_FACET_ACTOR, index->events[0].id));
    for (guint i = 0; i < index->n_events; i++)
      id = MIN (id, index->events[i].id);
    renamed = chancery_store_dup_event_actors (memory, id);
    test_assert_contains (renamed, "Renamed Actor");
  }
}

int
main (int   argc,
      char *argv[])
{
  char *path;
  int status;

  g_test_init (&argc, &argv, NULL);

  tmp_dir = test_make_tmp_dir ();
  {
    g_autofree char *cache_home = g_build_filename (tmp_dir, "cache", NULL);

    g_setenv ("XDG_CACHE_HOME", cache_home, TRUE);
  }
  path = db_path = g_build_filename (tmp_dir, "kayhan.chancery", NULL);
  store = test_create_store (path);
  g_assert_cmpuint (test_import_bundled (store), ==, N_EVENTS);
  g_clear_object (&store);
  store = chancery_store_open (path, CHANCERY_STORE_READ_ONLY, NULL, NULL);
  g_assert_nonnull (store);

  g_test_add_func ("/query/none", test_no_filter);
  g_test_add_func ("/query/country", test_country);
  g_test_add_func ("/query/actor", test_actor);
  g_test_add_func ("/query/kind-status", test_kind_and_status);
  g_test_add_func ("/query/dates", test_dates);
  g_test_add_func ("/query/text", test_text);
  g_test_add_func ("/query/combined", test_combined);
  g_test_add_func ("/query/facets/unfiltered", test_facets_unfiltered);
  g_test_add_func ("/query/facets/filtered", test_facets_filtered);
  g_test_add_func ("/query/index", test_index);
  g_test_add_func ("/query/fts-syntax", test_fts_syntax);
  g_test_add_func ("/query/parse-errors", test_parse_errors);
  g_test_add_func ("/query/memory-matches-sql", test_memory_matches_sql);
  g_test_add_func ("/query/base-on-store-connection", test_base_on_store_connection);
  g_test_add_func ("/query/base-events-from-top", test_base_events_from_top);
  g_test_add_func ("/query/names-from-memory", test_names_from_memory);

  status = g_test_run ();

  g_clear_object (&store);
  test_remove_tree (tmp_dir);
  g_free (tmp_dir);
  g_free (db_path);

  return status;
}
