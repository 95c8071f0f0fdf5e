/* test-dataset.c: the bundled dataset against the article it comes from
 *
 * Copyright 2026 The Chancery developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * data/kayhan-146663.json must say nothing the article does not: every
 * event quotes the article verbatim, every reference resolves, and the
 * dates are exactly as certain as the article makes them.
 */
#include "config.h"

#include <string.h>
#include <glib.h>
#include <json-glib/json-glib.h>

#include "chancery-types.h"

static JsonParser *parser;
static JsonObject *root;
static char *article;

static const char *
source_root (void)
{
  const char *root_dir = g_getenv ("CHANCERY_SOURCE_ROOT");

  if (root_dir != NULL && *root_dir != '\0')
    return root_dir;
  return TEST_SRCDIR "/..";
}

static JsonArray *
member_array (JsonObject *obj,
              const char *name)
{
  JsonNode *node = json_object_get_member (obj, name);

  if (node == NULL)
    return NULL;
  g_assert_true (JSON_NODE_HOLDS_ARRAY (node));
  return json_node_get_array (node);
}

static const char *
member_string (JsonObject *obj,
               const char *name)
{
  JsonNode *node = json_object_get_member (obj, name);

  if (node == NULL)
    return NULL;
  g_assert_true (JSON_NODE_HOLDS_VALUE (node));
  g_assert_true (json_node_get_value_type (node) == G_TYPE_STRING);
  return json_node_get_string (node);
}

static JsonObject *
element_object (JsonArray *array,
                guint      i)
{
  JsonNode *node = json_array_get_element (array, i);

  g_assert_true (JSON_NODE_HOLDS_OBJECT (node));
  return json_node_get_object (node);
}

static JsonObject *
find_by_id (const char *list,
            const char *key,
            const char *id)
{
  JsonArray *array = member_array (root, list);

  for (guint i = 0; array != NULL && i < json_array_get_length (array); i++)
    {
      JsonObject *obj = element_object (array, i);

      if (g_strcmp0 (member_string (obj, key), id) == 0)
        return obj;
    }
  return NULL;
}

static JsonObject *
event (const char *id)
{
  JsonObject *ev = find_by_id ("events", "id", id);

  if (ev == NULL)
    g_error ("no event with id %s", id);
  return ev;
}

static gboolean
string_array_contains (JsonArray  *array,
                       const char *value)
{
  for (guint i = 0; array != NULL && i < json_array_get_length (array); i++)
    if (g_strcmp0 (json_array_get_string_element (array, i), value) == 0)
      return TRUE;
  return FALSE;
}

static gboolean
has_actor (JsonObject *ev,
           const char *actor)
{
  JsonArray *actors = member_array (ev, "actors");

  for (guint i = 0; actors != NULL && i < json_array_get_length (actors); i++)
    if (g_strcmp0 (member_string (element_object (actors, i), "actor"), actor) == 0)
      return TRUE;
  return FALSE;
}

static gboolean
has_relation (JsonObject *ev,
              const char *target,
              const char *relation)
{
  JsonArray *related = member_array (ev, "related");

  for (guint i = 0; related != NULL && i < json_array_get_length (related); i++)
    {
      JsonObject *link = element_object (related, i);

      if (g_strcmp0 (member_string (link, "event"), target) == 0 &&
          (relation == NULL || g_strcmp0 (member_string (link, "relation"), relation) == 0))
        return TRUE;
    }
  return FALSE;
}

static void
assert_members (JsonObject        *obj,
                const char        *what,
                const char *const *allowed)
{
  g_autoptr(GList) members = json_object_get_members (obj);

  for (GList *l = members; l != NULL; l = l->next)
    if (!g_strv_contains (allowed, l->data))
      g_test_fail_printf ("%s: unknown member \"%s\"", what, (const char *) l->data);
}

static void
assert_string_set (JsonArray   *array,
                   const char **expected,
                   guint        n_expected)
{
  g_assert_nonnull (array);
  g_assert_cmpuint (json_array_get_length (array), ==, n_expected);
  for (guint i = 0; i < n_expected; i++)
    g_assert_true (string_array_contains (array, expected[i]));
}

/* The EDTF subset of docs/json-format.md (no qualifiers are used here). */
static gboolean
date_is_valid (const char *date)
{
  static const char *point = "[0-9]{4}(-(0[1-9]|1[0-2])(-(0[1-9]|[12][0-9]|3[01]))?)?[~?%]?";
  g_autofree char *pattern =
    g_strdup_printf ("^(%1$s|%1$s/%1$s|\\.\\./%1$s|%1$s/\\.\\.)$", point);

  return g_regex_match_simple (pattern, date, 0, 0);
}

static void
test_format (void)
{
  static const char *const top[] = { "format", "version", "name", "sources", "countries",
                                     "actors", "projects", "events", NULL };

  assert_members (root, "top level", top);
  g_assert_cmpstr (member_string (root, "format"), ==, "chancery");
  g_assert_cmpint (json_object_get_int_member (root, "version"), ==, 1);
  g_assert_nonnull (member_string (root, "name"));
  g_assert_cmpuint (json_array_get_length (member_array (root, "events")), >, 0);
}

static void
test_members (void)
{
  static const char *const source_keys[] = { "id", "publisher", "title", "reference", "url",
                                             "published", NULL };
  static const char *const country_keys[] = { "code", "name", NULL };
  static const char *const actor_keys[] = { "id", "name", "title", "country", NULL };
  static const char *const project_keys[] = { "id", "name", "description", "countries", NULL };
  static const char *const event_keys[] = { "id", "kind", "status", "title", "summary", "date",
                                            "place", "actors", "countries", "projects",
                                            "sources", "related", "cameo", "importance", NULL };
  static const char *const place_keys[] = { "name", "country", "lat", "lon", NULL };
  static const char *const actor_ref_keys[] = { "actor", "role", NULL };
  static const char *const source_ref_keys[] = { "source", "quote", NULL };
  static const char *const related_keys[] = { "event", "relation", NULL };
  struct { const char *list; const char *const *keys; const char *required; } lists[] = {
    { "sources", source_keys, "id" },
    { "countries", country_keys, "code" },
    { "actors", actor_keys, "id" },
    { "projects", project_keys, "id" },
    { "events", event_keys, "id" },
  };

  for (guint l = 0; l < G_N_ELEMENTS (lists); l++)
    {
      JsonArray *array = member_array (root, lists[l].list);

      g_assert_nonnull (array);
      for (guint i = 0; i < json_array_get_length (array); i++)
        {
          JsonObject *obj = element_object (array, i);

          assert_members (obj, lists[l].list, lists[l].keys);
          g_assert_nonnull (member_string (obj, lists[l].required));
          if (g_str_equal (lists[l].list, "events"))
            {
              JsonArray *sub;

              g_assert_nonnull (member_string (obj, "title"));
              g_assert_nonnull (member_string (obj, "summary"));
              if (json_object_has_member (obj, "place"))
                {
                  JsonObject *place = json_object_get_object_member (obj, "place");

                  assert_members (place, "place", place_keys);
                  /* The article gives no coordinates. */
                  g_assert_false (json_object_has_member (place, "lat"));
                  g_assert_false (json_object_has_member (place, "lon"));
                }
              sub = member_array (obj, "actors");
              for (guint j = 0; sub != NULL && j < json_array_get_length (sub); j++)
                assert_members (element_object (sub, j), "actors[]", actor_ref_keys);
              sub = member_array (obj, "sources");
              for (guint j = 0; sub != NULL && j < json_array_get_length (sub); j++)
                assert_members (element_object (sub, j), "sources[]", source_ref_keys);
              sub = member_array (obj, "related");
              for (guint j = 0; sub != NULL && j < json_array_get_length (sub); j++)
                assert_members (element_object (sub, j), "related[]", related_keys);
            }
          else if (!g_str_equal (lists[l].list, "sources"))
            g_assert_nonnull (member_string (obj, "name"));
        }
    }
}

static void
test_ids_unique (void)
{
  const char *lists[][2] = { { "sources", "id" }, { "countries", "code" }, { "actors", "id" },
                             { "projects", "id" }, { "events", "id" } };
  g_autoptr(GRegex) id_re = g_regex_new ("^[A-Za-z0-9_.:-]{1,200}$", 0, 0, NULL);
  g_autoptr(GRegex) stable_re = g_regex_new ("^[a-z0-9]+(-[a-z0-9]+)*$", 0, 0, NULL);

  for (guint l = 0; l < G_N_ELEMENTS (lists); l++)
    {
      g_autoptr(GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);
      JsonArray *array = member_array (root, lists[l][0]);

      for (guint i = 0; i < json_array_get_length (array); i++)
        {
          const char *id = member_string (element_object (array, i), lists[l][1]);

          g_assert_true (g_regex_match (id_re, id, 0, NULL));
          if (g_str_equal (lists[l][1], "code"))
            g_assert_true (g_regex_match_simple ("^[A-Z]{3}$", id, 0, 0));
          else
            g_assert_true (g_regex_match (stable_re, id, 0, NULL));
          if (!g_hash_table_add (seen, (gpointer) id))
            g_test_fail_printf ("%s: duplicate id %s", lists[l][0], id);
        }
    }
}

static void
test_vocabulary (void)
{
  static const char *const relations[] = { "part-of", "follows", "precedes", "related",
                                            "outcome-of", NULL };
  JsonArray *events = member_array (root, "events");

  for (guint i = 0; i < json_array_get_length (events); i++)
    {
      JsonObject *ev = element_object (events, i);
      JsonArray *actors = member_array (ev, "actors");
      JsonArray *related = member_array (ev, "related");
      ChanceryKind kind;
      ChanceryStatus status;
      ChanceryRole role;

      if (!chancery_kind_from_string (member_string (ev, "kind"), &kind))
        g_test_fail_printf ("%s: bad kind %s", member_string (ev, "id"), member_string (ev, "kind"));
      if (!chancery_status_from_string (member_string (ev, "status"), &status))
        g_test_fail_printf ("%s: bad status %s", member_string (ev, "id"), member_string (ev, "status"));
      if (!date_is_valid (member_string (ev, "date")))
        g_test_fail_printf ("%s: bad date %s", member_string (ev, "id"), member_string (ev, "date"));
      for (guint j = 0; actors != NULL && j < json_array_get_length (actors); j++)
        g_assert_true (chancery_role_from_string (member_string (element_object (actors, j), "role"),
                                                  &role));
      for (guint j = 0; related != NULL && j < json_array_get_length (related); j++)
        g_assert_true (g_strv_contains (relations,
                                        member_string (element_object (related, j), "relation")));
    }
}

static void
test_quotes (void)
{
  JsonArray *events = member_array (root, "events");

  for (guint i = 0; i < json_array_get_length (events); i++)
    {
      JsonObject *ev = element_object (events, i);
      JsonArray *sources = member_array (ev, "sources");

      if (sources == NULL || json_array_get_length (sources) == 0)
        {
          g_test_fail_printf ("%s: no source", member_string (ev, "id"));
          continue;
        }
      for (guint j = 0; j < json_array_get_length (sources); j++)
        {
          const char *quote = member_string (element_object (sources, j), "quote");

          g_assert_nonnull (quote);
          g_assert_cmpuint (strlen (quote), >, 0);
          if (strstr (article, quote) == NULL)
            g_test_fail_printf ("%s: quote not in the article: %s", member_string (ev, "id"), quote);
        }
    }
}

static void
assert_country (const char *code)
{
  if (find_by_id ("countries", "code", code) == NULL)
    g_test_fail_printf ("country %s is not listed", code);
}

static void
test_references (void)
{
  JsonArray *events = member_array (root, "events");
  JsonArray *actors = member_array (root, "actors");
  JsonArray *projects = member_array (root, "projects");

  for (guint i = 0; i < json_array_get_length (actors); i++)
    assert_country (member_string (element_object (actors, i), "country"));
  for (guint i = 0; i < json_array_get_length (projects); i++)
    {
      JsonArray *codes = member_array (element_object (projects, i), "countries");

      for (guint j = 0; codes != NULL && j < json_array_get_length (codes); j++)
        assert_country (json_array_get_string_element (codes, j));
    }

  for (guint i = 0; i < json_array_get_length (events); i++)
    {
      JsonObject *ev = element_object (events, i);
      const char *id = member_string (ev, "id");
      JsonArray *sub;

      if (json_object_has_member (ev, "place"))
        {
          JsonObject *place = json_object_get_object_member (ev, "place");

          g_assert_nonnull (member_string (place, "name"));
          if (json_object_has_member (place, "country"))
            assert_country (member_string (place, "country"));
        }
      sub = member_array (ev, "countries");
      for (guint j = 0; sub != NULL && j < json_array_get_length (sub); j++)
        assert_country (json_array_get_string_element (sub, j));
      sub = member_array (ev, "projects");
      for (guint j = 0; sub != NULL && j < json_array_get_length (sub); j++)
        if (find_by_id ("projects", "id", json_array_get_string_element (sub, j)) == NULL)
          g_test_fail_printf ("%s: unknown project %s", id, json_array_get_string_element (sub, j));
      sub = member_array (ev, "actors");
      for (guint j = 0; sub != NULL && j < json_array_get_length (sub); j++)
        {
          const char *actor = member_string (element_object (sub, j), "actor");

          if (find_by_id ("actors", "id", actor) == NULL)
            g_test_fail_printf ("%s: unknown actor %s", id, actor);
        }
      sub = member_array (ev, "sources");
      for (guint j = 0; sub != NULL && j < json_array_get_length (sub); j++)
        {
          const char *source = member_string (element_object (sub, j), "source");

          if (find_by_id ("sources", "id", source) == NULL)
            g_test_fail_printf ("%s: unknown source %s", id, source);
        }
      sub = member_array (ev, "related");
      for (guint j = 0; sub != NULL && j < json_array_get_length (sub); j++)
        {
          const char *target = member_string (element_object (sub, j), "event");

          g_assert_cmpstr (target, !=, id);
          if (find_by_id ("events", "id", target) == NULL)
            g_test_fail_printf ("%s: unknown related event %s", id, target);
        }
    }
}

static void
assert_event (const char *id,
              const char *kind,
              const char *status,
              const char *date)
{
  JsonObject *ev = event (id);

  g_assert_cmpstr (member_string (ev, "kind"), ==, kind);
  g_assert_cmpstr (member_string (ev, "status"), ==, status);
  g_assert_cmpstr (member_string (ev, "date"), ==, date);
}

static void
test_facts (void)
{
  static const char *all_countries[] = { "IRN", "AZE", "ARM", "RUS", "ISR", "PSE", "USA" };
  static const char *rail_countries[] = { "IRN", "AZE", "RUS" };
  static const char *platform_countries[] = { "IRN", "AZE", "ARM" };
  const char *visit = "araghchi-visit-baku-2025-12-08";
  JsonArray *events = member_array (root, "events");
  JsonObject *source, *ev;
  gboolean gafarova_on_the_day = FALSE;

  /* The source, and nothing the article does not give (no url). */
  g_assert_cmpuint (json_array_get_length (member_array (root, "sources")), ==, 1);
  source = find_by_id ("sources", "id", "kayhan-146663");
  g_assert_nonnull (source);
  g_assert_cmpstr (member_string (source, "publisher"), ==, "Kayhan");
  g_assert_cmpstr (member_string (source, "title"), ==,
                   "FM Araghchi Holds Key Talks With Azerbaijani Leaders in Baku");
  g_assert_cmpstr (member_string (source, "reference"), ==, "News ID 146663");
  g_assert_cmpstr (member_string (source, "published"), ==, "2025-12-08");
  g_assert_false (json_object_has_member (source, "url"));

  /* Exactly the countries the article names. */
  g_assert_cmpuint (json_array_get_length (member_array (root, "countries")), ==,
                    G_N_ELEMENTS (all_countries));
  for (guint i = 0; i < G_N_ELEMENTS (all_countries); i++)
    assert_country (all_countries[i]);

  /* Actors and their titles. */
  g_assert_cmpstr (member_string (find_by_id ("actors", "id", "abbas-araghchi"), "country"), ==, "IRN");
  g_assert_cmpstr (member_string (find_by_id ("actors", "id", "ilham-aliyev"), "title"), ==, "President");
  g_assert_cmpstr (member_string (find_by_id ("actors", "id", "jeyhun-bayramov"), "title"), ==,
                   "Foreign Minister");
  g_assert_nonnull (find_by_id ("actors", "id", "sahiba-gafarova"));
  g_assert_cmpstr (member_string (find_by_id ("actors", "id", "masoud-pezeshkian"), "country"), ==,
                   "IRN");

  /* Projects: only the countries the article names for them. */
  assert_string_set (member_array (find_by_id ("projects", "id", "rasht-astara-railway"), "countries"),
                     rail_countries, G_N_ELEMENTS (rail_countries));
  assert_string_set (member_array (find_by_id ("projects", "id", "3plus3-mechanism"), "countries"),
                     platform_countries, G_N_ELEMENTS (platform_countries));
  g_assert_nonnull (find_by_id ("projects", "id", "north-south-transport-corridor"));
  g_assert_nonnull (find_by_id ("projects", "id", "aras-corridor"));

  /* Monday 8 December 2025 in Baku. */
  assert_event (visit, "visit", "occurred", "2025-12-08");
  assert_event ("araghchi-aliyev-bayramov-talks-2025-12-08", "talks", "occurred", "2025-12-08");
  ev = event ("araghchi-aliyev-bayramov-talks-2025-12-08");
  g_assert_true (has_actor (ev, "ilham-aliyev"));
  g_assert_true (has_actor (ev, "jeyhun-bayramov"));
  g_assert_cmpstr (member_string (json_object_get_object_member (ev, "place"), "name"), ==, "Baku");
  assert_event ("araghchi-gafarova-meeting-2025-12-08", "meeting", "occurred", "2025-12-08");
  assert_event ("araghchi-bayramov-press-conference-2025-12-08", "press-conference", "occurred",
                "2025-12-08");
  assert_event ("iran-azerbaijan-agreement-diplomatic-exchanges", "agreement", "occurred",
                "2025-12-08");

  /* Every other event of that day hangs off the visit. */
  for (guint i = 0; i < json_array_get_length (events); i++)
    {
      JsonObject *e = element_object (events, i);

      if (g_strcmp0 (member_string (e, "date"), "2025-12-08") != 0)
        continue;
      if (has_actor (e, "sahiba-gafarova"))
        gafarova_on_the_day = TRUE;
      if (g_strcmp0 (member_string (e, "id"), visit) != 0 && !has_relation (e, visit, NULL))
        g_test_fail_printf ("%s is not linked to the visit", member_string (e, "id"));
    }
  g_assert_true (gafarova_on_the_day);

  /* "recent Israeli attacks on Iran in June": month precision. */
  assert_event ("israeli-attacks-on-iran-2025-06", "incident", "occurred", "2025-06");

  /* The railway: preparatory work as known on the day, construction next year. */
  assert_event ("rasht-astara-preparatory-work-over-50-percent", "milestone", "reported",
                "../2025-12-08");
  g_assert_nonnull (strstr (member_string (event ("rasht-astara-preparatory-work-over-50-percent"),
                                           "summary"), "reported on 8 December 2025"));
  assert_event ("rasht-astara-construction-start-2026", "milestone", "planned", "2026");
  g_assert_true (string_array_contains (member_array (event ("rasht-astara-construction-start-2026"),
                                                      "projects"), "rasht-astara-railway"));

  /* The 3+3 meetings: Baku, then Yerevan, after the article. */
  assert_event ("3plus3-meeting-baku", "meeting", "planned", "2025-12-09/..");
  assert_event ("3plus3-meeting-yerevan", "meeting", "planned", "2025-12-09/..");
  g_assert_cmpstr (member_string (json_object_get_object_member (event ("3plus3-meeting-yerevan"),
                                                                 "place"), "name"), ==, "Yerevan");
  g_assert_true (has_relation (event ("3plus3-meeting-yerevan"), "3plus3-meeting-baku", "follows"));

  /* Pezeshkian: elected, then twice in Baku, both undated before the trip. */
  assert_event ("pezeshkian-visit-baku-1", "visit", "occurred", "../2025-12-07");
  assert_event ("pezeshkian-visit-baku-2", "visit", "occurred", "../2025-12-07");
  g_assert_true (has_actor (event ("pezeshkian-visit-baku-1"), "masoud-pezeshkian"));
  g_assert_true (has_actor (event ("pezeshkian-visit-baku-2"), "masoud-pezeshkian"));
  g_assert_true (has_relation (event ("pezeshkian-visit-baku-2"), "pezeshkian-visit-baku-1", "follows"));
  assert_event ("pezeshkian-election", "election", "occurred", "../2025-12-07");
}

int
main (int   argc,
      char *argv[])
{
  g_autofree char *json_path = NULL;
  g_autofree char *article_path = NULL;
  g_autoptr(GError) error = NULL;
  int ret;

  g_test_init (&argc, &argv, NULL);

  json_path = g_build_filename (source_root (), "data", "kayhan-146663.json", NULL);
  article_path = g_build_filename (source_root (), "tests", "fixtures", "kayhan-146663.txt", NULL);

  parser = json_parser_new ();
  if (!json_parser_load_from_file (parser, json_path, &error))
    g_error ("%s: %s", json_path, error->message);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)));
  root = json_node_get_object (json_parser_get_root (parser));
  if (!g_file_get_contents (article_path, &article, NULL, &error))
    g_error ("%s: %s", article_path, error->message);
  g_assert_true (g_utf8_validate (article, -1, NULL));

  g_test_add_func ("/dataset/format", test_format);
  g_test_add_func ("/dataset/members", test_members);
  g_test_add_func ("/dataset/ids-unique", test_ids_unique);
  g_test_add_func ("/dataset/vocabulary", test_vocabulary);
  g_test_add_func ("/dataset/quotes", test_quotes);
  g_test_add_func ("/dataset/references", test_references);
  g_test_add_func ("/dataset/facts", test_facts);

  ret = g_test_run ();

  g_free (article);
  g_object_unref (parser);
  return ret;
}
