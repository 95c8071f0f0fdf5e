/* test-import.c: JSON import: validation errors, atomicity, idempotence, updates, round trip
 *
 * Copyright 2026 The Chancery developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include <glib.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <sqlite3.h>

#include "chancery-error.h"
#include "chancery-export.h"
#include "chancery-import.h"
#include "chancery-store.h"
#include "test-common.h"

#define N_BUNDLED 22

/* What the import reports for test_bad_text_mid_events (the same from
 * the build before the index change, and from a two-thread reader that
 * was tried and reverted) */
#define BAD_TEXT_MESSAGE "bad.json:2007:24: unexpected “\"”; expected “,” or “}”"

/* Valid on its own and on top of the bundled dataset. Line numbers matter:
 * the cases below expect problems on them. */
static const char base_json[] =
  "{ \"format\": \"chancery\", \"version\": 1,\n"                                         /* 1 */
  "  \"name\": \"Test\",\n"                                                               /* 2 */
  "  \"countries\": [ { \"code\": \"IRN\", \"name\": \"Iran\" },\n"                       /* 3 */
  "                 { \"code\": \"AZE\", \"name\": \"Azerbaijan\" } ],\n"                 /* 4 */
  "  \"sources\": [ { \"id\": \"src-test\", \"publisher\": \"Kayhan\" } ],\n"             /* 5 */
  "  \"actors\": [ { \"id\": \"actor-test\", \"name\": \"A. Test\", \"country\": \"IRN\" } ],\n" /* 6 */
  "  \"projects\": [ { \"id\": \"rail-test\", \"name\": \"Railway\", \"countries\": [\"IRN\"] } ],\n" /* 7 */
  "  \"events\": [\n"                                                                     /* 8 */
  "    { \"id\": \"new-visit\", \"kind\": \"visit\", \"status\": \"occurred\",\n"          /* 9 */
  "      \"title\": \"A visit\", \"date\": \"2025-12-10\",\n"                              /* 10 */
  "      \"actors\": [ { \"actor\": \"actor-test\", \"role\": \"guest\" } ],\n"            /* 11 */
  "      \"countries\": [\"IRN\", \"AZE\"], \"projects\": [\"rail-test\"],\n"              /* 12 */
  "      \"sources\": [ { \"source\": \"src-test\", \"quote\": \"verbatim\" } ],\n"        /* 13 */
  "      \"related\": [ { \"event\": \"second\", \"relation\": \"follows\" } ] },\n"       /* 14 */
  "    { \"id\": \"second\", \"kind\": \"talks\", \"status\": \"planned\",\n"             /* 15 */
  "      \"title\": \"Talks\", \"date\": \"2026\" } ] }\n";                               /* 16 */

typedef struct
{
  const char *name;
  const char *from;       /* replaced once in base_json */
  const char *to;
  guint       line;
  const char *path;
  const char *message;
  guint       n_more;     /* problems that follow from this one */
} ValidationCase;

static const ValidationCase validation_cases[] = {
  { "unknown-kind", "\"kind\": \"visit\"", "\"kind\": \"party\"",
    9, "events[0].kind", "unknown kind “party”" },
  { "unknown-status", "\"status\": \"planned\"", "\"status\": \"rumoured\"",
    15, "events[1].status", "unknown status “rumoured”" },
  { "bad-date", "\"date\": \"2026\"", "\"date\": \"2026-13\"",
    16, "events[1].date", "month 13" },
  { "bad-date-range", "\"date\": \"2025-12-10\"", "\"date\": \"2025-12-10/2025-12-01\"",
    10, "events[0].date", "2025-12-10/2025-12-01" },
  { "missing-title", "\"title\": \"Talks\", ", "",
    16, "events[1]", "“title” is missing" },
  { "empty-title", "\"title\": \"Talks\"", "\"title\": \"\"",
    16, "events[1].title", "must not be empty" },
  { "blank-title", "\"title\": \"Talks\"", "\"title\": \" \\t\\u00a0 \"",
    16, "events[1].title", "must not be empty" },
  { "unknown-actor", "\"actor\": \"actor-test\"", "\"actor\": \"nobody\"",
    11, "events[0].actors[0].actor", "actor “nobody” is not defined" },
  { "actor-twice", "{ \"actor\": \"actor-test\", \"role\": \"guest\" }",
    "{ \"actor\": \"actor-test\", \"role\": \"guest\" }, { \"actor\": \"actor-test\", \"role\": \"host\" }",
    11, "events[0].actors[1].actor", "actor “actor-test” is listed twice in this event" },
  { "source-twice", "{ \"source\": \"src-test\", \"quote\": \"verbatim\" }",
    "{ \"source\": \"src-test\", \"quote\": \"verbatim\" }, { \"source\": \"src-test\", \"quote\": \"other\" }",
    13, "events[0].sources[1].source", "source “src-test” is cited twice in this event" },
  { "unknown-role", "\"role\": \"guest\"", "\"role\": \"chef\"",
    11, "events[0].actors[0].role", "unknown role “chef”" },
  { "unknown-country", "[\"IRN\", \"AZE\"]", "[\"IRN\", \"XYZ\"]",
    12, "events[0].countries[1]", "country “XYZ” is not defined" },
  { "not-a-country-code", "[\"IRN\", \"AZE\"]", "[\"IRN\", \"Azerbaijan\"]",
    12, "events[0].countries[1]", "“Azerbaijan” is not a country code" },
  { "actor-unknown-country", "\"country\": \"IRN\" } ],\n  \"projects\"",
    "\"country\": \"XYZ\" } ],\n  \"projects\"",
    6, "actors[0].country", "country “XYZ” is not defined", 1 },
  { "unknown-project", "[\"rail-test\"]", "[\"no-such-project\"]",
    12, "events[0].projects[0]", "project “no-such-project” is not defined" },
  { "unknown-source", "\"source\": \"src-test\"", "\"source\": \"no-such-source\"",
    13, "events[0].sources[0].source", "source “no-such-source” is not defined" },
  { "unknown-related-event", "\"event\": \"second\"", "\"event\": \"no-such-event\"",
    14, "events[0].related[0].event", "event “no-such-event” does not exist" },
  { "unknown-relation", "\"relation\": \"follows\"", "\"relation\": \"inspired\"",
    14, "events[0].related[0].relation", "unknown relation “inspired”" },
  { "duplicate-id", "\"id\": \"second\"", "\"id\": \"new-visit\"",
    15, "events[1].id", "duplicate id “new-visit”", 1 },
  { "bad-id", "\"id\": \"second\"", "\"id\": \"second event\"",
    15, "events[1].id", "“second event” is not a valid id", 1 },
  { "wrong-type-title", "\"title\": \"Talks\"", "\"title\": 5",
    16, "events[1].title", "expected a string, found a number" },
  { "wrong-type-countries", "\"countries\": [\"IRN\", \"AZE\"]", "\"countries\": \"IRN\"",
    12, "events[0].countries", "expected an array, found a string" },
  { "wrong-type-event", "{ \"id\": \"second\", \"kind\": \"talks\", \"status\": \"planned\",\n"
                        "      \"title\": \"Talks\", \"date\": \"2026\" }", "[ 1, 2 ]",
    15, "events[1]", "expected an object, found an array", 1 },
  { "unknown-member", "\"date\": \"2026\" }", "\"date\": \"2026\", \"dat\": \"2027\" }",
    16, "events[1].dat", "unknown member “dat”" },
  { "unknown-top-member", "\"name\": \"Test\",", "\"name\": \"Test\", \"evnets\": [],",
    2, "$.evnets", "unknown member “evnets”" },
  { "newer-version", "\"version\": 1", "\"version\": 2",
    1, "$.version", "version 2 was written by a newer Chancery" },
  { "wrong-format", "\"format\": \"chancery\"", "\"format\": \"gdelt\"",
    1, "$.format", "“gdelt” is not the Chancery format" },
};

typedef struct
{
  char          *dir;
  char          *path;
  ChanceryStore *store;
  char          *before;     /* the JSON export before the attempt */
} Fixture;

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  fixture->dir = test_make_tmp_dir ();
  fixture->path = g_build_filename (fixture->dir, "events.chancery", NULL);
  fixture->store = test_create_store (fixture->path);
  g_assert_cmpuint (test_import_bundled (fixture->store), ==, N_BUNDLED);
  fixture->before = test_export_json (fixture->store, NULL);
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  g_clear_object (&fixture->store);
  test_remove_tree (fixture->dir);
  g_free (fixture->dir);
  g_free (fixture->path);
  g_free (fixture->before);
}

static char *
replace_once (const char *text,
              const char *from,
              const char *to)
{
  const char *at = strstr (text, from);

  g_assert_nonnull (at);
  g_assert_null (strstr (at + 1, from));
  return g_strdup_printf ("%.*s%s%s", (int) (at - text), text, to, at + strlen (from));
}

/* Importing data (length bytes) fails with INVALID_INPUT; nothing in the
 * store changed. Returns the error message. */
static char *
assert_import_fails (Fixture    *fixture,
                     const char *data,
                     gssize      length)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *after = NULL;
  g_autofree char *name = NULL;
  ChanceryImportReport report;
  gboolean ok;

  chancery_import_report_init (&report);
  ok = chancery_import_json_data (fixture->store, data, length, "bad.json", &report, NULL, &error);
  g_assert_false (ok);
  g_assert_error (error, CHANCERY_ERROR, CHANCERY_ERROR_INVALID_INPUT);
  g_assert_cmpuint (report.inserted, ==, 0);
  g_assert_cmpuint (report.updated, ==, 0);
  g_assert_cmpuint (report.unchanged, ==, 0);
  chancery_import_report_clear (&report);

  g_assert_cmpuint (chancery_store_count_events (fixture->store, NULL, NULL), ==, N_BUNDLED);
  after = test_export_json (fixture->store, NULL);
  g_assert_cmpstr (after, ==, fixture->before);
  name = chancery_store_dup_name (fixture->store);
  g_assert_cmpstr (name, ==, "South Caucasus diplomacy — Kayhan, 8 December 2025");

  return g_strdup (error->message);
}

/* An actor or source given twice is found in a long list too (where a
 * set of the event's ids replaces the search), at the second entry; a
 * long list without repeats imports. */
static void
test_twice_in_long_lists (Fixture       *fixture,
                          gconstpointer  data)
{
  for (int repeat = 1; repeat >= 0; repeat--)
    {
      g_autoptr(GString) json = g_string_new ("{ \"format\": \"chancery\", \"version\": 1,\n"
                                              "  \"sources\": [ { \"id\": \"s\", \"publisher\": \"P\" } ],\n"
                                              "  \"actors\": [ ");
      const guint n = 40;

      for (guint i = 0; i < n; i++)
        g_string_append_printf (json, "%s{ \"id\": \"a%u\", \"name\": \"Actor %u\" }", i ? ", " : "", i, i);
      g_string_append (json, " ],\n  \"events\": [ { \"id\": \"e\", \"kind\": \"meeting\", "
                             "\"status\": \"occurred\", \"title\": \"Meeting\", \"date\": \"2025\",\n"
                             "    \"actors\": [ ");
      for (guint i = 0; i < n; i++)
        g_string_append_printf (json, "%s{ \"actor\": \"a%u\" }", i ? ", " : "", repeat && i == 34 ? 3 : i);
      g_string_append (json, " ] } ] }\n");

      if (repeat)
        {
          g_autofree char *message = assert_import_fails (fixture, json->str, json->len);

          g_test_message ("%s", message);
          test_assert_contains (message, "events[0].actors[34].actor: actor “a3” is listed twice");
        }
      else
        {
          g_autoptr(GError) error = NULL;
          ChanceryImportReport report;

          chancery_import_report_init (&report);
          g_assert_true (chancery_import_json_data (fixture->store, json->str, json->len, "long.json",
                                                    &report, NULL, &error));
          g_assert_no_error (error);
          g_assert_cmpuint (report.inserted, ==, 1);
          chancery_import_report_clear (&report);
        }
    }
}

/* "bad.json:LINE:COLUMN: " at the start of message; returns the rest. */
static const char *
assert_position (const char *message,
                 guint       line)
{
  g_autoptr(GRegex) regex = g_regex_new ("^bad\\.json:([0-9]+):([0-9]+): ", 0, 0, NULL);
  g_autoptr(GMatchInfo) match = NULL;
  g_autofree char *line_text = NULL;
  g_autofree char *column_text = NULL;
  int end = 0;

  if (!g_regex_match (regex, message, 0, &match))
    g_error ("no file:line:column at the start of “%s”", message);
  line_text = g_match_info_fetch (match, 1);
  column_text = g_match_info_fetch (match, 2);
  g_assert_cmpuint (g_ascii_strtoull (line_text, NULL, 10), ==, line);
  g_assert_cmpuint (g_ascii_strtoull (column_text, NULL, 10), >, 0);
  g_match_info_fetch_pos (match, 0, NULL, &end);

  return message + end;
}

static void
test_base_is_valid (Fixture       *fixture,
                    gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ChanceryEvent) visit = NULL;
  ChanceryImportReport report;
  const ChanceryEventLink *link;

  chancery_import_report_init (&report);
  g_assert_true (chancery_import_json_data (fixture->store, base_json, -1, "base.json",
                                            &report, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (report.inserted, ==, 2);
  g_assert_cmpuint (report.updated, ==, 0);
  chancery_import_report_clear (&report);
  g_assert_cmpuint (chancery_store_count_events (fixture->store, NULL, NULL), ==, N_BUNDLED + 2);

  /* A link to an event later in the same file */
  visit = chancery_store_get_event_by_uid (fixture->store, "new-visit", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (visit->links->len, ==, 1);
  link = g_ptr_array_index (visit->links, 0);
  g_assert_cmpstr (link->uid, ==, "second");
  g_assert_cmpstr (link->title, ==, "Talks");
  g_assert_true (link->outgoing);

  /* Found by text; the import's larger FTS5 term buffer was set back */
  {
    g_autoptr(ChanceryFilter) filter = chancery_filter_new ();
    sqlite3 *db = NULL;
    sqlite3_stmt *stmt = NULL;

    chancery_filter_set_text (filter, "visit verbatim");
    g_assert_cmpuint (chancery_store_count_events (fixture->store, filter, &error), ==, 1);
    g_assert_no_error (error);

    g_assert_cmpint (sqlite3_open_v2 (fixture->path, &db, SQLITE_OPEN_READONLY, NULL), ==, SQLITE_OK);
    g_assert_cmpint (sqlite3_prepare_v2 (db, "SELECT v FROM event_fts_config WHERE k = 'hashsize'",
                                         -1, &stmt, NULL), ==, SQLITE_OK);
    if (sqlite3_step (stmt) == SQLITE_ROW)
      g_assert_cmpint (sqlite3_column_int (stmt, 0), ==, 1024 * 1024);
    sqlite3_finalize (stmt);
    sqlite3_close (db);
  }
}

static void
test_validation_error (Fixture       *fixture,
                       gconstpointer  data)
{
  const ValidationCase *c = data;
  g_autofree char *json = replace_once (base_json, c->from, c->to);
  g_autofree char *message = assert_import_fails (fixture, json, -1);
  g_autofree char *expected_path = g_strconcat (c->path, ": ", NULL);
  g_auto(GStrv) lines = g_strsplit (message, "\n", -1);
  gboolean found = FALSE;

  g_test_message ("%s", message);
  /* One problem, one line, except where another follows from it (an
   * undefined actor or event is then missing where it is referred to) */
  g_assert_cmpuint (g_strv_length (lines), ==, 1 + c->n_more);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      const char *rest;

      g_assert_true (g_regex_match_simple ("^bad\\.json:[0-9]+:[0-9]+: ", lines[i], 0, 0));
      if (!g_str_has_prefix (strchr (strchr (strchr (lines[i], ':') + 1, ':') + 1, ':') + 2,
                             expected_path))
        continue;
      rest = assert_position (lines[i], c->line);
      g_assert_true (g_str_has_prefix (rest, expected_path));
      test_assert_contains (rest, c->message);
      found = TRUE;
    }
  g_assert_true (found);
}

static void
test_several_problems (Fixture       *fixture,
                       gconstpointer  data)
{
  g_autofree char *one = replace_once (base_json, "\"kind\": \"visit\"", "\"kind\": \"party\"");
  g_autofree char *two = replace_once (one, "\"date\": \"2026\"", "\"date\": \"someday\"");
  g_autofree char *message = assert_import_fails (fixture, two, -1);
  g_auto(GStrv) lines = g_strsplit (message, "\n", -1);

  /* Every problem, one a line, each with its place */
  g_assert_cmpuint (g_strv_length (lines), ==, 2);
  test_assert_contains (assert_position (lines[0], 9), "events[0].kind: ");
  test_assert_contains (assert_position (lines[1], 16), "events[1].date: ");
  test_assert_contains (lines[1], "someday");
}

static void
test_not_json (Fixture       *fixture,
               gconstpointer  data)
{
  g_autofree char *truncated = g_strndup (base_json, strstr (base_json, "\"related\"") - base_json);
  g_autofree char *message = NULL;
  g_autofree char *message2 = NULL;
  g_autofree char *message3 = NULL;
  g_autofree char *message4 = NULL;

  /* json-glib's own line:column */
  message = assert_import_fails (fixture, "hello", -1);
  test_assert_contains (assert_position (message, 1), "hello");

  /* Cut off: json-glib places the error at the end of the last token */
  message2 = assert_import_fails (fixture, truncated, -1);
  g_assert_true (g_regex_match_simple ("^bad\\.json:1[34]:[0-9]+: ", message2, 0, 0));

  /* A trailing comma on line 3 */
  message3 = assert_import_fails (fixture, "{ \"format\": \"chancery\",\n  \"version\": 1,\n"
                                           "  \"events\": [ { \"id\": \"x\" }, ] }\n", -1);
  assert_position (message3, 3);

  /* Not an object */
  message4 = assert_import_fails (fixture, "[ 1, 2, 3 ]", -1);
  test_assert_contains (message4, "$");
  test_assert_contains (message4, "expected an object, found an array");

  g_free (assert_import_fails (fixture, "", 0));
}

static void
test_bad_bytes (Fixture       *fixture,
                gconstpointer  data)
{
  g_autofree char *invalid = replace_once (base_json, "\"A visit\"", "\"A vis\xff\xfeit\"");
  g_autofree char *with_nul = g_strdup (base_json);
  g_autofree char *message = NULL;
  g_autofree char *message2 = NULL;
  g_autofree char *message3 = NULL;
  g_autoptr(GString) deep = g_string_new ("{ \"format\": \"chancery\", \"version\": 1,\n  \"name\": ");
  char *at;

  message = assert_import_fails (fixture, invalid, -1);
  test_assert_contains (assert_position (message, 10), "not valid UTF-8");

  at = strstr (with_nul, "A visit");
  at[1] = '\0';
  message2 = assert_import_fails (fixture, with_nul, sizeof base_json - 1);
  test_assert_contains (assert_position (message2, 10), "NUL");

  for (guint i = 0; i < 10000; i++)
    g_string_append_c (deep, '[');
  for (guint i = 0; i < 10000; i++)
    g_string_append_c (deep, ']');
  g_string_append (deep, " }\n");
  message3 = assert_import_fails (fixture, deep->str, deep->len);
  test_assert_contains (assert_position (message3, 2), "nested more than");
}

/* "\u0000" is valid JSON, but json-glib's strings (and C's) end there:
 * "x\u0000y" was stored as "x". Refused as a raw NUL byte is, where the
 * escape is, naming the member. */
static void
test_nul_escape (Fixture       *fixture,
                 gconstpointer  data)
{
  static const struct { const char *from, *to; const char *member; } cases[] = {
    { "\"A visit\"", "\"A vi\\u0000sit\"", "“title”" },
    { "\"title\": \"Talks\"", "\"title\": \"Talks\", \"summary\": \"x\\u0000y\"", "“summary”" },
    { "\"quote\": \"verbatim\"", "\"quote\": \"\\u0000\"", "“quote”" },
    { "[\"IRN\", \"AZE\"]", "[\"IRN\", \"AZE\\u0000\"]", "“countries”" },
    /* A name would be cut short to a known member ("title") */
    { "\"title\": \"Talks\"", "\"title\\u0000x\": \"Talks\"", NULL },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *json = replace_once (base_json, cases[i].from, cases[i].to);
      g_autofree char *message = assert_import_fails (fixture, json, -1);
      const char *escape = strstr (json, "\\u0000");
      const char *line_start = escape;
      g_autofree char *where = NULL;
      guint line = 1;

      while (line_start > json && line_start[-1] != '\n')
        line_start--;
      for (const char *p = json; p < line_start; p++)
        line += *p == '\n';
      /* The lines of base_json are ASCII: bytes are characters. */
      where = g_strdup_printf ("bad.json:%u:%u: ", line, (guint) (escape - line_start) + 1);

      g_test_message ("%s", message);
      g_assert_true (g_str_has_prefix (message, where));
      test_assert_contains (message, "“\\u0000” stands for the NUL character");
      if (cases[i].member != NULL)
        test_assert_contains (message, cases[i].member);
    }
}

static void
test_same_file_twice (Fixture       *fixture,
                      gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *json = test_bundled_json ();
  g_autofree char *after = NULL;
  g_autoptr(GArray) ids_before = NULL;
  g_autoptr(GArray) ids_after = NULL;
  ChanceryImportReport report;

  ids_before = chancery_store_query_ids (fixture->store, NULL, NULL, &error);
  g_assert_no_error (error);

  chancery_import_report_init (&report);
  g_assert_true (chancery_import_json_file (fixture->store, json, &report, NULL, NULL, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (report.inserted, ==, 0);
  g_assert_cmpuint (report.updated, ==, 0);
  g_assert_cmpuint (report.unchanged, ==, N_BUNDLED);
  g_assert_cmpuint (report.messages->len, ==, 0);
  chancery_import_report_clear (&report);

  after = test_export_json (fixture->store, NULL);
  g_assert_cmpstr (after, ==, fixture->before);

  /* Same row ids, so a selection survives a re-import */
  ids_after = chancery_store_query_ids (fixture->store, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (ids_after->len, ==, ids_before->len);
  g_assert_cmpmem (ids_after->data, ids_after->len * sizeof (gint64),
                   ids_before->data, ids_before->len * sizeof (gint64));
}

static void
test_corrected_file (Fixture       *fixture,
                     gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *json_path = test_bundled_json ();
  g_autofree char *original = NULL;
  g_autofree char *corrected = NULL;
  g_autofree char *twice = NULL;
  g_autoptr(ChanceryEvent) old_event = NULL;
  g_autoptr(ChanceryEvent) event = NULL;
  g_autoptr(ChanceryEvent) talks = NULL;
  g_autoptr(ChanceryFilter) filter = chancery_filter_new ();
  ChanceryImportReport report;

  g_file_get_contents (json_path, &original, NULL, &error);
  g_assert_no_error (error);
  old_event = chancery_store_get_event_by_uid (fixture->store, "araghchi-visit-baku-2025-12-08", &error);
  g_assert_no_error (error);

  /* A new title for one event, a new status for another */
  twice = replace_once (original, "\"title\": \"Araghchi visits Baku\"",
                        "\"title\": \"Araghchi visits Baku (corrected)\"");
  corrected = replace_once (twice,
                            "\"id\": \"araghchi-aliyev-bayramov-talks-2025-12-08\",\n"
                            "      \"kind\": \"talks\",\n      \"status\": \"occurred\"",
                            "\"id\": \"araghchi-aliyev-bayramov-talks-2025-12-08\",\n"
                            "      \"kind\": \"talks\",\n      \"status\": \"reported\"");

  chancery_import_report_init (&report);
  g_assert_true (chancery_import_json_data (fixture->store, corrected, -1, "corrected.json",
                                            &report, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (report.inserted, ==, 0);
  g_assert_cmpuint (report.updated, ==, 2);
  g_assert_cmpuint (report.unchanged, ==, N_BUNDLED - 2);
  chancery_import_report_clear (&report);
  g_assert_cmpuint (chancery_store_count_events (fixture->store, NULL, NULL), ==, N_BUNDLED);

  event = chancery_store_get_event_by_uid (fixture->store, "araghchi-visit-baku-2025-12-08", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (event->title, ==, "Araghchi visits Baku (corrected)");
  g_assert_cmpint (event->id, ==, old_event->id);
  /* Its relations are intact */
  g_assert_cmpuint (event->actors->len, ==, old_event->actors->len);
  g_assert_cmpuint (event->links->len, ==, old_event->links->len);
  g_assert_cmpuint (event->sources->len, ==, 1);

  talks = chancery_store_get_event_by_uid (fixture->store, "araghchi-aliyev-bayramov-talks-2025-12-08", &error);
  g_assert_no_error (error);
  g_assert_cmpint (talks->status, ==, CHANCERY_STATUS_REPORTED);

  /* The search index follows the new title */
  chancery_filter_set_text (filter, "corrected");
  g_assert_cmpuint (chancery_store_count_events (fixture->store, filter, &error), ==, 1);
  g_assert_no_error (error);

  /* And importing the corrected file again changes nothing */
  chancery_import_report_init (&report);
  g_assert_true (chancery_import_json_data (fixture->store, corrected, -1, "corrected.json",
                                            &report, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (report.updated, ==, 0);
  g_assert_cmpuint (report.unchanged, ==, N_BUNDLED);
  chancery_import_report_clear (&report);
}

static void
assert_same_event (const ChanceryEvent *a,
                   const ChanceryEvent *b)
{
  g_assert_cmpstr (a->uid, ==, b->uid);
  g_assert_cmpint (a->kind, ==, b->kind);
  g_assert_cmpint (a->status, ==, b->status);
  g_assert_cmpstr (a->title, ==, b->title);
  g_assert_cmpstr (a->summary, ==, b->summary);
  g_assert_cmpstr (a->date_text, ==, b->date_text);
  g_assert_cmpint (a->date.lo, ==, b->date.lo);
  g_assert_cmpint (a->date.hi, ==, b->date.hi);
  g_assert_cmpstr (a->place_name, ==, b->place_name);
  g_assert_cmpstr (a->place_country, ==, b->place_country);
  g_assert_cmpint (a->has_coordinates, ==, b->has_coordinates);
  g_assert_cmpstr (a->cameo, ==, b->cameo);
  g_assert_cmpfloat (a->importance, ==, b->importance);

  g_assert_cmpuint (a->actors->len, ==, b->actors->len);
  for (guint i = 0; i < a->actors->len; i++)
    {
      const ChanceryEventActor *x = g_ptr_array_index (a->actors, i);
      const ChanceryEventActor *y = g_ptr_array_index (b->actors, i);

      g_assert_cmpstr (x->uid, ==, y->uid);
      g_assert_cmpstr (x->name, ==, y->name);
      g_assert_cmpstr (x->title, ==, y->title);
      g_assert_cmpstr (x->country, ==, y->country);
      g_assert_cmpint (x->role, ==, y->role);
    }
  g_assert_cmpuint (a->countries->len, ==, b->countries->len);
  for (guint i = 0; i < a->countries->len; i++)
    {
      const ChanceryEventCountry *x = g_ptr_array_index (a->countries, i);
      const ChanceryEventCountry *y = g_ptr_array_index (b->countries, i);

      g_assert_cmpstr (x->code, ==, y->code);
      g_assert_cmpstr (x->name, ==, y->name);
    }
  g_assert_cmpuint (a->projects->len, ==, b->projects->len);
  for (guint i = 0; i < a->projects->len; i++)
    {
      const ChanceryEventProject *x = g_ptr_array_index (a->projects, i);
      const ChanceryEventProject *y = g_ptr_array_index (b->projects, i);

      g_assert_cmpstr (x->uid, ==, y->uid);
      g_assert_cmpstr (x->name, ==, y->name);
    }
  g_assert_cmpuint (a->sources->len, ==, b->sources->len);
  for (guint i = 0; i < a->sources->len; i++)
    {
      const ChanceryEventSource *x = g_ptr_array_index (a->sources, i);
      const ChanceryEventSource *y = g_ptr_array_index (b->sources, i);

      g_assert_cmpstr (x->uid, ==, y->uid);
      g_assert_cmpstr (x->publisher, ==, y->publisher);
      g_assert_cmpstr (x->title, ==, y->title);
      g_assert_cmpstr (x->reference, ==, y->reference);
      g_assert_cmpstr (x->url, ==, y->url);
      g_assert_cmpstr (x->published, ==, y->published);
      g_assert_cmpstr (x->quote, ==, y->quote);
    }
  g_assert_cmpuint (a->links->len, ==, b->links->len);
  for (guint i = 0; i < a->links->len; i++)
    {
      const ChanceryEventLink *x = g_ptr_array_index (a->links, i);
      const ChanceryEventLink *y = g_ptr_array_index (b->links, i);

      g_assert_cmpstr (x->uid, ==, y->uid);
      g_assert_cmpstr (x->title, ==, y->title);
      g_assert_cmpstr (x->relation, ==, y->relation);
      g_assert_cmpint (x->outgoing, ==, y->outgoing);
    }
}

static void
test_round_trip (Fixture       *fixture,
                 gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *copy_path = g_build_filename (fixture->dir, "copy.chancery", NULL);
  g_autofree char *export_path = g_build_filename (fixture->dir, "export.json", NULL);
  g_autoptr(ChanceryStore) copy = NULL;
  g_autofree char *exported = NULL;
  g_autoptr(GArray) ids = NULL;
  ChanceryImportReport report;

  g_assert_true (chancery_export_to_file (fixture->store, NULL, CHANCERY_EXPORT_JSON, export_path,
                                          NULL, &error));
  g_assert_no_error (error);

  copy = test_create_store (copy_path);
  chancery_import_report_init (&report);
  g_assert_true (chancery_import_json_file (copy, export_path, &report, NULL, NULL, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (report.inserted, ==, N_BUNDLED);
  chancery_import_report_clear (&report);

  /* Byte for byte the same export */
  exported = test_export_json (copy, NULL);
  g_assert_cmpstr (exported, ==, fixture->before);

  /* And field by field the same events */
  ids = chancery_store_query_ids (fixture->store, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (ids->len, ==, N_BUNDLED);
  for (guint i = 0; i < ids->len; i++)
    {
      g_autoptr(ChanceryEvent) a = chancery_store_get_event (fixture->store,
                                                             g_array_index (ids, gint64, i), &error);
      g_autoptr(ChanceryEvent) b = NULL;

      g_assert_no_error (error);
      b = chancery_store_get_event_by_uid (copy, a->uid, &error);
      g_assert_no_error (error);
      assert_same_event (a, b);
    }
}

/* The records of section in the JSON text, by key: key -> the record. */
static GHashTable *
records_of (JsonParser *parser,
            const char *section,
            const char *key)
{
  JsonArray *array = json_object_get_array_member (json_node_get_object (json_parser_get_root (parser)),
                                                   section);
  GHashTable *records = g_hash_table_new (g_str_hash, g_str_equal);

  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonObject *record = json_array_get_object_element (array, i);

      g_hash_table_insert (records, (gpointer) json_object_get_string_member (record, key),
                           json_array_get_element (array, i));
    }

  return records;
}

/* The same members with the same values; a project's countries in any
 * order (the store keeps them as a set). */
static void
assert_same_record (JsonObject *a,
                    JsonObject *b)
{
  JsonObjectIter iter;
  const char *name;
  JsonNode *value;

  g_assert_cmpuint (json_object_get_size (a), ==, json_object_get_size (b));
  json_object_iter_init (&iter, a);
  while (json_object_iter_next (&iter, &name, &value))
    {
      JsonNode *other = json_object_get_member (b, name);

      g_assert_nonnull (other);
      if (g_str_equal (name, "countries"))
        {
          JsonArray *x = json_node_get_array (value), *y = json_node_get_array (other);

          g_assert_cmpuint (json_array_get_length (x), ==, json_array_get_length (y));
          for (guint i = 0; i < json_array_get_length (x); i++)
            {
              gboolean found = FALSE;

              for (guint k = 0; k < json_array_get_length (y) && !found; k++)
                found = g_str_equal (json_array_get_string_element (x, i),
                                     json_array_get_string_element (y, k));
              g_assert_true (found);
            }
        }
      else
        g_assert_true (json_node_equal (value, other));
    }
}

/* Bundled JSON -> database -> JSON gives every record back, also those no
 * event refers to (the United States): an export with no filter is the
 * whole store. */
static void
test_round_trip_every_record (Fixture       *fixture,
                              gconstpointer  data)
{
  static const char * const sections[][2] = {
    { "countries", "code" }, { "actors", "id" }, { "sources", "id" }, { "projects", "id" },
  };
  g_autofree char *bundled_path = test_bundled_json ();
  g_autoptr(ChanceryFilter) empty = chancery_filter_new ();
  g_autofree char *with_empty_filter = test_export_json (fixture->store, empty);
  g_autoptr(JsonParser) bundled = json_parser_new ();
  g_autoptr(JsonParser) exported = json_parser_new ();
  g_autoptr(GError) error = NULL;

  g_assert_cmpstr (with_empty_filter, ==, fixture->before);
  json_parser_load_from_file (bundled, bundled_path, &error);
  g_assert_no_error (error);
  json_parser_load_from_data (exported, fixture->before, -1, &error);
  g_assert_no_error (error);

  for (guint s = 0; s < G_N_ELEMENTS (sections); s++)
    {
      g_autoptr(GHashTable) before = records_of (bundled, sections[s][0], sections[s][1]);
      g_autoptr(GHashTable) after = records_of (exported, sections[s][0], sections[s][1]);
      GHashTableIter iter;
      gpointer key, record;

      g_test_message ("%s: %u in the file, %u exported", sections[s][0],
                      g_hash_table_size (before), g_hash_table_size (after));
      g_assert_cmpuint (g_hash_table_size (after), ==, g_hash_table_size (before));
      g_hash_table_iter_init (&iter, before);
      while (g_hash_table_iter_next (&iter, &key, &record))
        {
          JsonNode *again = g_hash_table_lookup (after, key);

          g_assert_nonnull (again);
          assert_same_record (json_node_get_object (record), json_node_get_object (again));
        }
    }
  g_assert_nonnull (strstr (fixture->before, "{\"code\":\"USA\",\"name\":\"United States\"}"));

  /* A filtered export keeps only the records its events refer to. */
  {
    g_autoptr(ChanceryFilter) filter = chancery_filter_new ();
    g_autofree char *filtered = NULL;

    chancery_filter_add_country (filter, "AZE", &error);
    g_assert_no_error (error);
    filtered = test_export_json (fixture->store, filter);
    g_assert_null (strstr (filtered, "\"USA\""));
  }
}

/* The same records as base_json, sections in reverse order, "format" and
 * "version" last: read by sections (the reader notes where each starts). */
static const char reordered_json[] =
  "{ \"events\": [\n"                                                                     /* 1 */
  "    { \"id\": \"new-visit\", \"kind\": \"visit\", \"status\": \"occurred\",\n"          /* 2 */
  "      \"title\": \"A visit\", \"date\": \"2025-12-10\",\n"                              /* 3 */
  "      \"actors\": [ { \"actor\": \"actor-test\", \"role\": \"guest\" } ],\n"            /* 4 */
  "      \"countries\": [\"IRN\", \"AZE\"], \"projects\": [\"rail-test\"],\n"              /* 5 */
  "      \"sources\": [ { \"source\": \"src-test\", \"quote\": \"verbatim\" } ],\n"        /* 6 */
  "      \"related\": [ { \"event\": \"second\", \"relation\": \"follows\" } ] },\n"       /* 7 */
  "    { \"id\": \"second\", \"kind\": \"talks\", \"status\": \"planned\",\n"             /* 8 */
  "      \"title\": \"Talks\", \"date\": \"2026\" } ],\n"                                  /* 9 */
  "  \"projects\": [ { \"id\": \"rail-test\", \"name\": \"Railway\", \"countries\": [\"IRN\"] } ],\n" /* 10 */
  "  \"name\": \"Test\",\n"                                                               /* 11 */
  "  \"actors\": [ { \"id\": \"actor-test\", \"name\": \"A. Test\", \"country\": \"IRN\" } ],\n" /* 12 */
  "  \"sources\": [ { \"id\": \"src-test\", \"publisher\": \"Kayhan\" } ],\n"             /* 13 */
  "  \"countries\": [ { \"code\": \"IRN\", \"name\": \"Iran\" },\n"                       /* 14 */
  "                 { \"code\": \"AZE\", \"name\": \"Azerbaijan\" } ],\n"                 /* 15 */
  "  \"format\": \"chancery\", \"version\": 1 }\n";                                       /* 16 */

static void
test_any_order (Fixture       *fixture,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ChanceryEvent) visit = NULL;
  g_autofree char *name = NULL;
  g_autofree char *bad = replace_once (reordered_json, "\"kind\": \"talks\"", "\"kind\": \"party\"");
  g_autofree char *bad_version = replace_once (reordered_json, "\"version\": 1", "\"version\": 2");
  g_autofree char *message = NULL;
  g_autofree char *message2 = NULL;
  ChanceryImportReport report;

  /* A problem in it is found where it is */
  message = assert_import_fails (fixture, bad, -1);
  g_assert_null (strchr (message, '\n'));
  test_assert_contains (assert_position (message, 8), "events[1].kind: unknown kind “party”");
  /* "version" is checked first, wherever it is, and alone */
  message2 = assert_import_fails (fixture, bad_version, -1);
  g_assert_null (strchr (message2, '\n'));
  test_assert_contains (assert_position (message2, 16), "$.version: version 2 was written by a newer");

  chancery_import_report_init (&report);
  g_assert_true (chancery_import_json_data (fixture->store, reordered_json, -1, "reordered.json",
                                            &report, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (report.inserted, ==, 2);
  chancery_import_report_clear (&report);

  visit = chancery_store_get_event_by_uid (fixture->store, "new-visit", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (visit->actors->len, ==, 1);
  g_assert_cmpuint (visit->countries->len, ==, 2);
  g_assert_cmpuint (visit->projects->len, ==, 1);
  g_assert_cmpuint (visit->sources->len, ==, 1);
  g_assert_cmpuint (visit->links->len, ==, 1);
  name = chancery_store_dup_name (fixture->store);
  g_assert_cmpstr (name, ==, "Test");
}

/* A top-level member given twice: the last one counts (as json-glib did). */
static void
test_repeated_member (Fixture       *fixture,
                      gconstpointer  data)
{
  static const char json[] =
    "{ \"format\": \"chancery\", \"version\": 1,\n"
    "  \"events\": [ { \"id\": \"first-copy\", \"kind\": \"talks\", \"status\": \"planned\",\n"
    "                \"title\": \"Talks\", \"date\": \"2026\" } ],\n"
    "  \"events\": [ { \"id\": \"second-copy\", \"kind\": \"talks\", \"status\": \"planned\",\n"
    "                \"title\": \"Talks\", \"date\": \"2026\" } ] }\n";
  g_autoptr(GError) error = NULL;
  g_autoptr(ChanceryEvent) first = NULL;
  g_autoptr(ChanceryEvent) second = NULL;

  g_assert_true (chancery_import_json_data (fixture->store, json, -1, "twice.json", NULL, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (chancery_store_count_events (fixture->store, NULL, NULL), ==, N_BUNDLED + 1);
  second = chancery_store_get_event_by_uid (fixture->store, "second-copy", &error);
  g_assert_no_error (error);
  first = chancery_store_get_event_by_uid (fixture->store, "first-copy", &error);
  g_assert_null (first);
  g_assert_nonnull (error);
}

/* What json-glib let through and strict JSON does not: refused, with the
 * place. */
static void
test_strict_json (Fixture       *fixture,
                  gconstpointer  data)
{
  static const struct { const char *from; const char *to; guint line; const char *message; } cases[] = {
    { "{ \"format\"", "/* a comment */ { \"format\"", 1, "unexpected “/”" },
    { "\"name\": \"Test\"", "'name': \"Test\"", 2, "expected a member name in double quotes" },
    { "\"date\": \"2026\" } ] }\n", "\"date\": \"2026\" } ] }\n{}\n", 17, "after the end of the JSON value" },
    { "\"A visit\"", "\"A\tvisit\"", 10, "a control character" },
    { "\"id\": \"second\"", "\"id\": \"sec\\ond\"", 15, "is not an escape" },
    { "\"date\": \"2026\" }", "\"date\": \"2026\", \"importance\": 01 }", 16, "“01” is not a number" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *json = replace_once (base_json, cases[i].from, cases[i].to);
      g_autofree char *message = assert_import_fails (fixture, json, -1);

      g_test_message ("%s", message);
      test_assert_contains (assert_position (message, cases[i].line), cases[i].message);
    }
}

static void
on_progress (double   fraction,
             gpointer user_data)
{
  GArray *fractions = user_data;

  g_array_append_val (fractions, fraction);
}

/* Progress goes from 0 to 1, never back, while a file is read. */
static void
test_progress (Fixture       *fixture,
               gconstpointer  data)
{
  g_autoptr(GString) json = g_string_new ("{ \"format\": \"chancery\", \"version\": 1, \"events\": [\n");
  g_autoptr(GArray) fractions = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GError) error = NULL;
  g_autofree char *path = g_build_filename (fixture->dir, "progress.json", NULL);

  for (guint i = 0; i < 5000; i++)
    g_string_append_printf (json, "%s{ \"id\": \"progress-%u\", \"kind\": \"talks\", \"status\": "
                            "\"planned\", \"title\": \"Talks %u\", \"date\": \"2026\" }\n",
                            i > 0 ? "," : "", i, i);
  g_string_append (json, "] }\n");
  g_assert_true (g_file_set_contents (path, json->str, json->len, NULL));

  g_assert_true (chancery_import_json_file (fixture->store, path, NULL, on_progress, fractions,
                                            NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (chancery_store_count_events (fixture->store, NULL, NULL), ==, N_BUNDLED + 5000);

  /* 0, one for every 1024 events, 1 */
  g_assert_cmpuint (fractions->len, >=, 6);
  g_assert_cmpfloat (g_array_index (fractions, double, 0), ==, 0.0);
  g_assert_cmpfloat (g_array_index (fractions, double, fractions->len - 1), ==, 1.0);
  for (guint i = 1; i < fractions->len; i++)
    g_assert_cmpfloat (g_array_index (fractions, double, i), >=, g_array_index (fractions, double, i - 1));
  g_assert_cmpfloat (g_array_index (fractions, double, 3), >, 0.0);
  g_assert_cmpfloat (g_array_index (fractions, double, 3), <, 1.0);
}

/* Resident kilobytes of the map of path in this process (0: none). */
static guint64
mapped_rss_kb (const char *path)
{
  g_autofree char *smaps = NULL;
  g_auto(GStrv) lines = NULL;
  gboolean in_map = FALSE;

  if (!g_file_get_contents ("/proc/self/smaps", &smaps, NULL, NULL))
    return 0;
  lines = g_strsplit (smaps, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      if (g_str_has_suffix (lines[i], path))
        in_map = TRUE;
      else if (in_map && g_str_has_prefix (lines[i], "Rss:"))
        return g_ascii_strtoull (lines[i] + strlen ("Rss:"), NULL, 10);
    }
  return 0;
}

typedef struct
{
  const char *path;
  guint64     max_kb;
} RssWatch;

static void
on_progress_rss (double   fraction,
                 gpointer user_data)
{
  RssWatch *watch = user_data;

  watch->max_kb = MAX (watch->max_kb, mapped_rss_kb (watch->path));
}

/* A file of 8192 events with 8 KB of spaces after each (66 MB): the
 * format and version first or last, the last event's kind bad or not. */
static GString *
padded_json (gboolean meta_last,
             gboolean bad_last)
{
  GString *json = g_string_new ("{ ");
  g_autofree char *padding = g_strnfill (8 * 1024, ' ');
  const guint n = 8192;

  if (!meta_last)
    g_string_append (json, "\"format\": \"chancery\", \"version\": 1, ");
  g_string_append (json, "\"events\": [\n");
  for (guint i = 0; i < n; i++)
    g_string_append_printf (json, "%s{ \"id\": \"padded-%u\", \"kind\": \"%s\", \"status\": "
                            "\"planned\", \"title\": \"Talks %u\", \"date\": \"2026\" }%s\n",
                            i > 0 ? "," : "", i, bad_last && i == n - 1 ? "party" : "talks", i, padding);
  g_string_append (json, "]");
  if (meta_last)
    g_string_append (json, ", \"format\": \"chancery\", \"version\": 1");
  g_string_append (json, " }\n");
  g_assert_cmpuint (json->len, >, 64 * 1024 * 1024);
  return json;
}

/* The pages of the file read are given back as the reader goes, on every
 * pass: a problem in the last event makes the importer read the file
 * again (to say where), and that pass gives pages back as well; a file in
 * another order is first skimmed through, and so is that. 16 MB are held
 * back at most, plus the 8 MB read between two looks. */
static void
test_pages_given_back (Fixture       *fixture,
                       gconstpointer  data)
{
  g_autofree char *path = g_build_filename (fixture->dir, "padded.json", NULL);

  for (guint meta_last = 0; meta_last < 2; meta_last++)
    {
      g_autoptr(GString) json = padded_json (meta_last, !meta_last);
      g_autoptr(GError) error = NULL;
      RssWatch watch = { path, 0 };
      gboolean ok;

      g_assert_true (g_file_set_contents (path, json->str, json->len, NULL));
      ok = chancery_import_json_file (fixture->store, path, NULL, on_progress_rss, &watch, NULL, &error);
      if (meta_last)
        {
          g_assert_no_error (error);
          g_assert_true (ok);
          g_assert_cmpuint (chancery_store_count_events (fixture->store, NULL, NULL), ==, N_BUNDLED + 8192);
        }
      else
        {
          g_assert_false (ok);
          g_assert_error (error, CHANCERY_ERROR, CHANCERY_ERROR_INVALID_INPUT);
          test_assert_contains (error->message, "party");
        }

      g_test_message ("most resident: %" G_GUINT64_FORMAT " kB", watch.max_kb);
      g_assert_cmpuint (watch.max_kb, >, 0);
      g_assert_cmpuint (watch.max_kb, <, 32 * 1024);
    }
}

/* The schema as text (type, name, table, SQL; the pages may move), read
 * with a connection of its own. */
static char *
schema_of (const char *path)
{
  GString *schema = g_string_new (NULL);
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;

  g_assert_cmpint (sqlite3_open_v2 (path, &db, SQLITE_OPEN_READONLY, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_prepare_v2 (db, "SELECT type, name, tbl_name, sql FROM sqlite_schema"
                                       " ORDER BY name", -1, &stmt, NULL), ==, SQLITE_OK);
  while (sqlite3_step (stmt) == SQLITE_ROW)
    for (int i = 0; i < 4; i++)
      g_string_append_printf (schema, "%s%c", (const char *) sqlite3_column_text (stmt, i) ?: "NULL",
                              i == 3 ? '\n' : '|');
  sqlite3_finalize (stmt);
  sqlite3_close (db);

  return g_string_free (schema, FALSE);
}

/* One integer from sql, with a connection of its own. */
static gint64
query_int (const char *path,
           const char *sql)
{
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;
  gint64 value;

  g_assert_cmpint (sqlite3_open_v2 (path, &db, SQLITE_OPEN_READONLY, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  value = sqlite3_column_int64 (stmt, 0);
  sqlite3_finalize (stmt);
  sqlite3_close (db);

  return value;
}

static void
assert_integrity (const char *path)
{
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;

  g_assert_cmpint (sqlite3_open_v2 (path, &db, SQLITE_OPEN_READONLY, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_prepare_v2 (db, "PRAGMA integrity_check", -1, &stmt, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  g_assert_cmpstr ((const char *) sqlite3_column_text (stmt, 0), ==, "ok");
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_DONE);
  sqlite3_finalize (stmt);
  sqlite3_close (db);
}

/* n events, each with an actor, two countries, a project and a link to
 * the one before; the kind of the one numbered bad is unknown. */
static GString *
linked_json (guint n,
             guint bad)
{
  GString *json = g_string_new ("{ \"format\": \"chancery\", \"version\": 1,\n"
                                "  \"countries\": [ { \"code\": \"IRN\", \"name\": \"Iran\" },\n"
                                "                 { \"code\": \"AZE\", \"name\": \"Azerbaijan\" } ],\n"
                                "  \"actors\": [ { \"id\": \"actor-test\", \"name\": \"A. Test\" } ],\n"
                                "  \"projects\": [ { \"id\": \"rail-test\", \"name\": \"Railway\" } ],\n"
                                "  \"events\": [\n");

  for (guint i = 0; i < n; i++)
    {
      g_string_append_printf (json, "%s{ \"id\": \"linked-%u\", \"kind\": \"%s\", \"status\": \"planned\", "
                              "\"title\": \"Talks %u\", \"date\": \"2026-01-%02u\", "
                              "\"actors\": [ { \"actor\": \"actor-test\", \"role\": \"host\" } ], "
                              "\"countries\": [\"IRN\", \"AZE\"], \"projects\": [\"rail-test\"]",
                              i > 0 ? "," : "", i, i == bad ? "party" : "talks", i, 1 + i % 28);
      if (i > 0)
        g_string_append_printf (json, ", \"related\": [ { \"event\": \"linked-%u\", "
                                "\"relation\": \"follows\" } ]", i - 1);
      g_string_append (json, " }\n");
    }
  g_string_append (json, "] }\n");

  return json;
}

/* Into a database with no events, the secondary indexes are dropped and
 * made again before the commit: the schema comes out identical, every
 * index holds every row, the file is sound and queries find the events. */
static void
test_empty_database (Fixture       *fixture,
                     gconstpointer  data)
{
  g_autofree char *path = g_build_filename (fixture->dir, "empty.chancery", NULL);
  g_autoptr(ChanceryStore) store = test_create_store (path);
  g_autoptr(GString) json = linked_json (3000, G_MAXUINT);
  g_autoptr(ChanceryFilter) filter = chancery_filter_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *before = schema_of (path);
  g_autofree char *after = NULL;
  ChanceryImportReport report;

  chancery_import_report_init (&report);
  g_assert_true (chancery_import_json_data (store, json->str, json->len, "linked.json", &report,
                                            NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (report.inserted, ==, 3000);
  chancery_import_report_clear (&report);

  after = schema_of (path);
  g_assert_cmpstr (after, ==, before);
  test_assert_contains (after, "index|event_by_time|event|CREATE INDEX event_by_time ON event (lo_day, hi_day, id)");
  test_assert_contains (after, "index|event_link_by_target|event_link|");
  test_assert_contains (after, "index|actor_by_name|actor|");
  assert_integrity (path);

  g_assert_cmpint (query_int (path, "SELECT count(*) FROM event INDEXED BY event_by_time"
                              " WHERE lo_day > 0"), ==, 3000);
  g_assert_cmpint (query_int (path, "SELECT count(*) FROM event_actor INDEXED BY event_actor_by_actor"
                              " WHERE actor_id > 0"), ==, 3000);
  g_assert_cmpint (query_int (path, "SELECT count(*) FROM event_country INDEXED BY event_country_by_country"
                              " WHERE country > ''"), ==, 6000);
  g_assert_cmpint (query_int (path, "SELECT count(*) FROM event_project INDEXED BY event_project_by_project"
                              " WHERE project_id > 0"), ==, 3000);
  g_assert_cmpint (query_int (path, "SELECT count(*) FROM event_link INDEXED BY event_link_by_target"
                              " WHERE target_uid > ''"), ==, 2999);
  g_assert_cmpint (query_int (path, "SELECT count(*) FROM actor INDEXED BY actor_by_name"
                              " WHERE name > ''"), ==, 1);

  /* The store's own statements, prepared before, still work */
  chancery_filter_set_text (filter, "talks");
  g_assert_cmpuint (chancery_store_count_events (store, filter, &error), ==, 3000);
  g_assert_no_error (error);

  /* A second import into the now full database keeps the indexes */
  chancery_import_report_init (&report);
  g_assert_true (chancery_import_json_data (store, json->str, json->len, "linked.json", &report,
                                            NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (report.unchanged, ==, 3000);
  chancery_import_report_clear (&report);
  g_free (after);
  after = schema_of (path);
  g_assert_cmpstr (after, ==, before);
  assert_integrity (path);
}

/* A problem in the last event of a file imported into a database with no
 * events: nothing is written, the dropped indexes are back as they were,
 * and the message says what and where, as into a full database. */
static void
test_empty_database_problem (Fixture       *fixture,
                             gconstpointer  data)
{
  g_autofree char *path = g_build_filename (fixture->dir, "empty.chancery", NULL);
  g_autoptr(ChanceryStore) store = test_create_store (path);
  g_autoptr(GString) json = linked_json (3000, 2999);
  g_autoptr(GError) error = NULL;
  g_autoptr(GError) full_error = NULL;
  g_autofree char *before = schema_of (path);
  g_autofree char *after = NULL;
  ChanceryImportReport report;

  chancery_import_report_init (&report);
  g_assert_false (chancery_import_json_data (store, json->str, json->len, "bad.json", &report,
                                             NULL, &error));
  g_assert_error (error, CHANCERY_ERROR, CHANCERY_ERROR_INVALID_INPUT);
  g_assert_cmpuint (report.inserted, ==, 0);
  chancery_import_report_clear (&report);
  test_assert_contains (assert_position (error->message, 3 + 3 + 3000), "events[2999].kind: ");
  test_assert_contains (error->message, "unknown kind “party”");

  after = schema_of (path);
  g_assert_cmpstr (after, ==, before);
  assert_integrity (path);
  g_assert_cmpint (query_int (path, "SELECT count(*) FROM event"), ==, 0);
  g_assert_cmpint (query_int (path, "SELECT count(*) FROM event_actor"), ==, 0);
  g_assert_cmpint (query_int (path, "SELECT count(*) FROM actor"), ==, 0);

  /* The same message from a database that has events */
  chancery_import_report_init (&report);
  g_assert_false (chancery_import_json_data (fixture->store, json->str, json->len, "bad.json", &report,
                                             NULL, &full_error));
  chancery_import_report_clear (&report);
  g_assert_nonnull (full_error);
  g_assert_cmpstr (full_error->message, ==, error->message);
}

static void
on_progress_cancel (double   fraction,
                    gpointer user_data)
{
  if (fraction > 0.3)
    g_cancellable_cancel (user_data);
}

/* Cancelled half-way into a database with no events: nothing written,
 * the schema as it was. */
static void
test_empty_database_cancel (Fixture       *fixture,
                            gconstpointer  data)
{
  g_autofree char *path = g_build_filename (fixture->dir, "empty.chancery", NULL);
  g_autofree char *json_path = g_build_filename (fixture->dir, "linked.json", NULL);
  g_autoptr(ChanceryStore) store = test_create_store (path);
  g_autoptr(GString) json = linked_json (5000, G_MAXUINT);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *before = schema_of (path);
  g_autofree char *after = NULL;

  g_assert_true (g_file_set_contents (json_path, json->str, json->len, NULL));
  g_assert_false (chancery_import_json_file (store, json_path, NULL, on_progress_cancel, cancellable,
                                             cancellable, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);

  after = schema_of (path);
  g_assert_cmpstr (after, ==, before);
  assert_integrity (path);
  g_assert_cmpint (query_int (path, "SELECT count(*) FROM event"), ==, 0);
  g_assert_cmpint (query_int (path, "SELECT count(*) FROM event_fts"), ==, 0);

  /* And it imports whole afterwards */
  g_clear_error (&error);
  g_assert_true (chancery_import_json_file (store, json_path, NULL, NULL, NULL, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpint (query_int (path, "SELECT count(*) FROM event_link INDEXED BY event_link_by_target"
                              " WHERE target_uid > ''"), ==, 4999);
  g_free (after);
  after = schema_of (path);
  g_assert_cmpstr (after, ==, before);
}

/* Into a database that has events, the indexes are left where they are
 * (their pages do not move). */
static void
test_full_database_keeps_indexes (Fixture       *fixture,
                                  gconstpointer  data)
{
  const char *sql = "SELECT group_concat(name || ':' || rootpage, ',') FROM"
                    " (SELECT name, rootpage FROM sqlite_schema WHERE type = 'index' ORDER BY name)";
  g_autoptr(GString) json = linked_json (500, G_MAXUINT);
  g_autoptr(GError) error = NULL;
  g_autofree char *pages_before = NULL;
  g_autofree char *pages_after = NULL;
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;

  for (int pass = 0; pass < 2; pass++)
    {
      g_assert_cmpint (sqlite3_open_v2 (fixture->path, &db, SQLITE_OPEN_READONLY, NULL), ==, SQLITE_OK);
      g_assert_cmpint (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL), ==, SQLITE_OK);
      g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
      if (pass == 0)
        pages_before = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
      else
        pages_after = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
      sqlite3_finalize (stmt);
      sqlite3_close (db);

      if (pass == 0)
        {
          g_assert_true (chancery_import_json_data (fixture->store, json->str, json->len, "linked.json",
                                                    NULL, NULL, &error));
          g_assert_no_error (error);
        }
    }
  test_assert_contains (pages_before, "event_by_time:");
  g_assert_cmpstr (pages_after, ==, pages_before);
  assert_integrity (fixture->path);
}

/* Bad text in the middle of the events, after 2000 were written: nothing
 * is written, in a full database or one with no events (whose indexes
 * were dropped), and the message says what and where. */
static void
test_bad_text_mid_events (Fixture       *fixture,
                          gconstpointer  data)
{
  g_autoptr(GString) json = linked_json (3000, G_MAXUINT);
  g_autofree char *bad = replace_once (json->str, "\"id\": \"linked-2000\",", "\"id\": \"linked-2000\" \"x\",");
  g_autofree char *message = assert_import_fails (fixture, bad, -1);
  g_autofree char *path = g_build_filename (fixture->dir, "empty.chancery", NULL);
  g_autoptr(ChanceryStore) store = test_create_store (path);
  g_autofree char *before = schema_of (path);
  g_autofree char *after = NULL;
  g_autoptr(GError) error = NULL;

  g_test_message ("%s", message);
  g_assert_cmpstr (message, ==, BAD_TEXT_MESSAGE);

  /* The same into a database with no events */
  g_assert_false (chancery_import_json_data (store, bad, -1, "bad.json", NULL, NULL, &error));
  g_assert_cmpstr (error->message, ==, BAD_TEXT_MESSAGE);
  after = schema_of (path);
  g_assert_cmpstr (after, ==, before);
  g_assert_cmpint (query_int (path, "SELECT count(*) FROM event"), ==, 0);
  assert_integrity (path);
}

static void
import_expecting (ChanceryStore *store,
                  const char    *json,
                  guint          updated,
                  guint          unchanged)
{
  g_autoptr(GError) error = NULL;
  ChanceryImportReport report;

  chancery_import_report_init (&report);
  g_assert_true (chancery_import_json_data (store, json, -1, "links.json", &report, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (report.inserted, ==, 0);
  g_assert_cmpuint (report.updated, ==, updated);
  g_assert_cmpuint (report.unchanged, ==, unchanged);
  chancery_import_report_clear (&report);
}

/* A filtered export leaves out the links to events it does not hold (so
 * that it imports on its own). Imported into its own database, it must
 * change nothing, and say so. */
static void
test_filtered_export_keeps_links (Fixture       *fixture,
                                  gconstpointer  data)
{
  g_autoptr(ChanceryFilter) statements = chancery_filter_new ();
  g_autofree char *statement_links = g_strdup_printf ("SELECT count(*) FROM event_link l JOIN event e"
                                                      " ON e.id = l.event_id WHERE e.kind = %d",
                                                      CHANCERY_KIND_STATEMENT);
  g_autofree char *exported = NULL;
  g_autofree char *after = NULL;
  gint64 n_links = query_int (fixture->path, "SELECT count(*) FROM event_link");
  g_autoptr(GError) error = NULL;
  guint n_statements;

  chancery_filter_add_kind (statements, "statement", &error);
  g_assert_no_error (error);
  n_statements = chancery_store_count_events (fixture->store, statements, &error);
  g_assert_no_error (error);
  exported = test_export_json (fixture->store, statements);
  /* The case: statements link to events that are no statements */
  g_assert_nonnull (strstr (exported, "\"related\":[]"));
  g_assert_cmpint (query_int (fixture->path, statement_links), >, 0);

  import_expecting (fixture->store, exported, 0, n_statements);
  g_assert_cmpint (query_int (fixture->path, "SELECT count(*) FROM event_link"), ==, n_links);
  after = test_export_json (fixture->store, NULL);
  g_assert_cmpstr (after, ==, fixture->before);

  /* And again: still nothing */
  import_expecting (fixture->store, exported, 0, n_statements);
}

/* Links between events of the file follow the file; links to events it
 * does not hold stay. */
static void
test_links_follow_the_file (Fixture       *fixture,
                            gconstpointer  data)
{
  g_autofree char *unlinked = replace_once (base_json, "\"related\": [ { \"event\": \"second\", \"relation\": \"follows\" } ]",
                                            "\"related\": []");
  g_autofree char *alone = replace_once (unlinked, ",\n    { \"id\": \"second\", \"kind\": \"talks\", \"status\": \"planned\",\n"
                                                   "      \"title\": \"Talks\", \"date\": \"2026\" }", "");
  g_autoptr(GError) error = NULL;
  const char *links_of_visit = "SELECT count(*) FROM event_link l JOIN event e ON e.id = l.event_id"
                               " WHERE e.uid = 'new-visit' AND l.target_uid = 'second'";

  g_assert_true (chancery_import_json_data (fixture->store, base_json, -1, "base.json", NULL, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpint (query_int (fixture->path, links_of_visit), ==, 1);

  /* "second" is not in the file: its link stays, nothing changed */
  import_expecting (fixture->store, alone, 0, 1);
  g_assert_cmpint (query_int (fixture->path, links_of_visit), ==, 1);

  /* It is, and new-visit no longer links to it: the link goes */
  import_expecting (fixture->store, unlinked, 1, 1);
  g_assert_cmpint (query_int (fixture->path, links_of_visit), ==, 0);
  import_expecting (fixture->store, unlinked, 0, 2);

  /* And comes back */
  import_expecting (fixture->store, base_json, 1, 1);
  g_assert_cmpint (query_int (fixture->path, links_of_visit), ==, 1);
  import_expecting (fixture->store, base_json, 0, 2);
}

static guint
count_text (ChanceryStore *store,
            const char    *text)
{
  g_autoptr(ChanceryFilter) filter = chancery_filter_new ();
  g_autoptr(GError) error = NULL;
  guint n;

  chancery_filter_set_text (filter, text);
  n = chancery_store_count_events (store, filter, &error);
  g_assert_no_error (error);

  return n;
}

/* FTS5's own check that its index matches the text it keeps. */
static void
assert_fts_integrity (const char *path)
{
  sqlite3 *db = NULL;

  g_assert_cmpint (sqlite3_open_v2 (path, &db, SQLITE_OPEN_READWRITE, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (db, "INSERT INTO event_fts (event_fts) VALUES ('integrity-check')",
                                 NULL, NULL, NULL), ==, SQLITE_OK);
  sqlite3_close (db);
}

/* The full-text row of an event holds the names of its actors, countries
 * and projects: a re-import that renames one of them (and no event) must
 * take the search along, for every event that refers to it. */
static void
test_rename_follows_search (Fixture       *fixture,
                            gconstpointer  data)
{
  static const char renames[] =
    "{ \"format\": \"chancery\", \"version\": 1,\n"
    "  \"countries\": [ { \"code\": \"IRN\", \"name\": \"Persia\" } ],\n"
    "  \"actors\": [ { \"id\": \"actor-test\", \"name\": \"Zoltan Renamed\", \"country\": \"IRN\" } ],\n"
    "  \"projects\": [ { \"id\": \"rail-test\", \"name\": \"Tramway\", \"countries\": [\"IRN\"] } ] }\n";
  g_autoptr(ChanceryFilter) in_iran = chancery_filter_new ();
  g_autoptr(GError) error = NULL;
  guint n_iran, n_araghchi;

  g_assert_true (chancery_import_json_data (fixture->store, base_json, -1, "base.json", NULL, NULL, &error));
  g_assert_no_error (error);
  chancery_filter_add_country (in_iran, "IRN", &error);
  g_assert_no_error (error);
  n_iran = chancery_store_count_events (fixture->store, in_iran, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (n_iran, >, 5);
  n_araghchi = count_text (fixture->store, "Araghchi");
  g_assert_cmpuint (n_araghchi, >, 0);
  g_assert_cmpuint (count_text (fixture->store, "Test"), ==, 1);
  g_assert_cmpuint (count_text (fixture->store, "Railway"), >, 1);
  g_assert_cmpuint (count_text (fixture->store, "Zoltan"), ==, 0);
  g_assert_cmpuint (count_text (fixture->store, "Persia"), ==, 0);
  g_assert_cmpuint (count_text (fixture->store, "Tramway"), ==, 0);

  g_assert_true (chancery_import_json_data (fixture->store, renames, -1, "renames.json", NULL, NULL, &error));
  g_assert_no_error (error);

  /* The new names find the events; the actor's old one no longer does */
  g_assert_cmpuint (count_text (fixture->store, "Zoltan Renamed"), ==, 1);
  g_assert_cmpuint (count_text (fixture->store, "Test"), ==, 0);
  g_assert_cmpuint (count_text (fixture->store, "Tramway"), ==, 1);
  g_assert_cmpuint (count_text (fixture->store, "Persia"), ==, n_iran);
  /* The rest of the rows are as they were */
  g_assert_cmpuint (count_text (fixture->store, "Araghchi"), ==, n_araghchi);
  g_assert_cmpuint (count_text (fixture->store, "verbatim"), ==, 1);
  assert_fts_integrity (fixture->path);
}

/* Events at one place name with different coordinates, or none, each
 * keep their own (schema version 3); version 2 gave every event at "Baku"
 * the last coordinates imported, including the bundled ones given none. */
static const char places_json[] =
  "{ \"format\": \"chancery\", \"version\": 1, \"events\": [\n"
  "  { \"id\": \"p-1\", \"kind\": \"visit\", \"status\": \"occurred\", \"title\": \"One\",\n"
  "    \"date\": \"2025-12-01\", \"place\": { \"name\": \"Baku\", \"country\": \"AZE\",\n"
  "    \"lat\": 40.4093, \"lon\": 49.8671 } },\n"
  "  { \"id\": \"p-2\", \"kind\": \"visit\", \"status\": \"occurred\", \"title\": \"Two\",\n"
  "    \"date\": \"2025-12-02\", \"place\": { \"name\": \"Baku\", \"country\": \"AZE\",\n"
  "    \"lat\": 40.3777, \"lon\": 49.892 } },\n"
  "  { \"id\": \"p-3\", \"kind\": \"visit\", \"status\": \"occurred\", \"title\": \"Three\",\n"
  "    \"date\": \"2025-12-03\", \"place\": { \"name\": \"Baku\", \"country\": \"AZE\" } },\n"
  "  { \"id\": \"p-4\", \"kind\": \"visit\", \"status\": \"occurred\", \"title\": \"Four\",\n"
  "    \"date\": \"2025-12-04\", \"place\": { \"name\": \"Baku\", \"country\": \"AZE\",\n"
  "    \"lat\": 40.4093, \"lon\": 49.8671 } } ] }\n";

static void
assert_place (ChanceryStore *store,
              const char    *uid,
              gboolean       has_coordinates,
              double         latitude,
              double         longitude)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ChanceryEvent) event = chancery_store_get_event_by_uid (store, uid, &error);

  g_assert_no_error (error);
  g_assert_cmpstr (event->place_name, ==, "Baku");
  g_assert_cmpstr (event->place_country, ==, "AZE");
  g_assert_cmpint (event->has_coordinates, ==, has_coordinates);
  if (has_coordinates)
    {
      g_assert_cmpfloat (event->latitude, ==, latitude);
      g_assert_cmpfloat (event->longitude, ==, longitude);
    }
}

static void
import_places (Fixture    *fixture,
               const char *json,
               guint       inserted,
               guint       updated,
               guint       unchanged)
{
  g_autoptr(GError) error = NULL;
  ChanceryImportReport report;

  chancery_import_report_init (&report);
  g_assert_true (chancery_import_json_data (fixture->store, json, -1, "places.json", &report, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (report.inserted, ==, inserted);
  g_assert_cmpuint (report.updated, ==, updated);
  g_assert_cmpuint (report.unchanged, ==, unchanged);
  chancery_import_report_clear (&report);
}

static void
test_places_keep_coordinates (Fixture       *fixture,
                              gconstpointer  data)
{
  const char *bundled_baku = "araghchi-visit-baku-2025-12-08";
  g_autofree char *moved = replace_once (places_json, "\"lat\": 40.3777, \"lon\": 49.892",
                                         "\"lat\": 40.5, \"lon\": 49.9");
  g_autofree char *exported = NULL;

  assert_place (fixture->store, bundled_baku, FALSE, 0, 0);
  import_places (fixture, places_json, 4, 0, 0);

  assert_place (fixture->store, "p-1", TRUE, 40.4093, 49.8671);
  assert_place (fixture->store, "p-2", TRUE, 40.3777, 49.892);
  assert_place (fixture->store, "p-3", FALSE, 0, 0);
  assert_place (fixture->store, "p-4", TRUE, 40.4093, 49.8671);
  assert_place (fixture->store, bundled_baku, FALSE, 0, 0);
  /* Baku without coordinates (the bundled events' and p-3's), and two
   * positions: p-1 and p-4 share one. */
  g_assert_cmpint (query_int (fixture->path, "SELECT count(*) FROM place WHERE name = 'Baku'"), ==, 3);

  /* The export writes each event's own; the same file again changes nothing. */
  exported = test_export_json (fixture->store, NULL);
  test_assert_contains (exported, "\"lat\":40.3776");
  test_assert_contains (exported, "\"lat\":40.4093");
  import_places (fixture, places_json, 0, 0, 4);
  g_assert_cmpint (query_int (fixture->path, "SELECT count(*) FROM place WHERE name = 'Baku'"), ==, 3);

  /* One event moved: only it changes, and the place it left, which no
   * other event had, goes. */
  import_places (fixture, moved, 0, 1, 3);
  assert_place (fixture->store, "p-1", TRUE, 40.4093, 49.8671);
  assert_place (fixture->store, "p-2", TRUE, 40.5, 49.9);
  assert_place (fixture->store, "p-4", TRUE, 40.4093, 49.8671);
  assert_place (fixture->store, bundled_baku, FALSE, 0, 0);
  g_assert_cmpint (query_int (fixture->path, "SELECT count(*) FROM place WHERE name = 'Baku'"), ==, 3);
  g_assert_cmpint (query_int (fixture->path, "SELECT count(*) FROM place WHERE lat = 40.3777"), ==, 0);

  /* p-4 leaves the position it shares with p-1 (kept), then p-1 loses
   * its place altogether (the position goes). */
  {
    g_autofree char *p4_moved = replace_once (moved, "\"date\": \"2025-12-04\", \"place\": { \"name\": \"Baku\", \"country\": \"AZE\",\n"
                                              "    \"lat\": 40.4093, \"lon\": 49.8671 }",
                                              "\"date\": \"2025-12-04\", \"place\": { \"name\": \"Baku\", \"country\": \"AZE\" }");
    g_autofree char *p1_nowhere = replace_once (p4_moved, ", \"place\": { \"name\": \"Baku\", \"country\": \"AZE\",\n"
                                                "    \"lat\": 40.4093, \"lon\": 49.8671 }", "");

    import_places (fixture, p4_moved, 0, 1, 3);
    assert_place (fixture->store, "p-1", TRUE, 40.4093, 49.8671);
    assert_place (fixture->store, "p-4", FALSE, 0, 0);
    import_places (fixture, p1_nowhere, 0, 1, 3);
    g_assert_cmpint (query_int (fixture->path, "SELECT count(*) FROM place WHERE lat = 40.4093"), ==, 0);
    g_assert_cmpint (query_int (fixture->path, "SELECT count(*) FROM place WHERE name = 'Baku'"), ==, 2);
  }
  /* No place without an event. */
  g_assert_cmpint (query_int (fixture->path, "SELECT count(*) FROM place WHERE id NOT IN"
                                             " (SELECT place_id FROM event WHERE place_id IS NOT NULL)"), ==, 0);
  assert_integrity (fixture->path);
}

typedef struct
{
  const char *path;
  goffset     cut_to;
  gboolean    cut;
} CutWatch;

static void
on_progress_cut (double   fraction,
                 gpointer user_data)
{
  CutWatch *watch = user_data;

  if (watch->cut || fraction < 0.3)
    return;
  g_assert_cmpint (truncate (watch->path, watch->cut_to), ==, 0);
  watch->cut = TRUE;
}

/* Another program cuts the file short while it is read: the pages it lost
 * would kill the process with SIGBUS. The import fails instead, says so,
 * and keeps nothing; the same map guards every pass over the file. */
static void
test_file_cut_while_read (Fixture       *fixture,
                          gconstpointer  data)
{
  g_autofree char *path = g_build_filename (fixture->dir, "cut.json", NULL);

  /* Cut to one page, in either order of the file; and by a few bytes, in
   * its last page, which loses no page and raises no SIGBUS. */
  for (guint variant = 0; variant < 3; variant++)
    {
      gboolean meta_last = variant == 1;
      g_autoptr(GString) json = padded_json (meta_last, FALSE);
      g_autoptr(GError) error = NULL;
      CutWatch watch = { path, variant < 2 ? 4096 : (goffset) json->len - 8, FALSE };

      g_assert_true (g_file_set_contents (path, json->str, json->len, NULL));
      g_assert_false (chancery_import_json_file (fixture->store, path, NULL, on_progress_cut, &watch,
                                                 NULL, &error));
      g_assert_true (watch.cut);
      g_assert_error (error, CHANCERY_ERROR, CHANCERY_ERROR_IO);
      test_assert_contains (error->message, "cut.json: the file was cut short");
      test_assert_contains (error->message, "nothing was imported");
      g_assert_cmpuint (chancery_store_count_events (fixture->store, NULL, NULL), ==, N_BUNDLED);
      assert_integrity (fixture->path);
    }

  /* What is left of the file is read as it is now: not JSON any more. */
  {
    g_autoptr(GError) error = NULL;

    g_assert_false (chancery_import_json_file (fixture->store, path, NULL, NULL, NULL, NULL, &error));
    g_assert_error (error, CHANCERY_ERROR, CHANCERY_ERROR_INVALID_INPUT);
  }
}

/* A SIGBUS that is not an import's (here, a map of our own whose file is
 * cut) still ends the process, as it did before the importer's handler. */
static void
test_foreign_sigbus_still_kills (void)
{
  if (g_test_subprocess ())
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *dir = g_dir_make_tmp ("chancery-sigbus-XXXXXX", &error);
      g_autofree char *json_path = g_build_filename (dir, "small.json", NULL);
      g_autofree char *other_path = g_build_filename (dir, "other", NULL);
      g_autofree char *page = g_strnfill (8192, 'x');
      g_autoptr(ChanceryStore) store = NULL;
      g_autofree char *db_path = g_build_filename (dir, "db.chancery", NULL);
      volatile const char *bytes;
      int fd;

      g_assert_no_error (error);
      /* An import installs the handler */
      store = test_create_store (db_path);
      g_assert_true (g_file_set_contents (json_path, base_json, -1, NULL));
      g_assert_true (chancery_import_json_file (store, json_path, NULL, NULL, NULL, NULL, &error));
      g_assert_no_error (error);

      g_assert_true (g_file_set_contents (other_path, page, 8192, NULL));
      fd = open (other_path, O_RDONLY);
      g_assert_cmpint (fd, >=, 0);
      bytes = mmap (NULL, 8192, PROT_READ, MAP_PRIVATE, fd, 0);
      g_assert_true (bytes != MAP_FAILED);
      g_assert_cmpint (truncate (other_path, 0), ==, 0);
      g_remove (other_path);
      g_remove (json_path);
      g_remove (db_path);
      g_rmdir (dir);
      if (g_str_equal (g_getenv ("CHANCERY_TEST_SIGBUS") ?: "", "kill"))
        {
          /* Sent, not a fault: as deadly as without the handler. */
          g_printerr ("sending SIGBUS\n");
          kill (getpid (), SIGBUS);
          g_printerr ("survived the signal\n");
        }
      g_printerr ("reading a lost page\n");
      g_printerr ("survived: %c\n", bytes[4096]);
      return;
    }

  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_failed ();
  g_test_trap_assert_stderr ("*reading a lost page*");
  g_test_trap_assert_stderr_unmatched ("*survived*");

  g_setenv ("CHANCERY_TEST_SIGBUS", "kill", TRUE);
  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_INHERIT_STDIN);
  g_unsetenv ("CHANCERY_TEST_SIGBUS");
  g_test_trap_assert_failed ();
  g_test_trap_assert_stderr ("*sending SIGBUS*");
  g_test_trap_assert_stderr_unmatched ("*survived*");
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

#define ADD(name, func, data) \
  g_test_add ("/import/" name, Fixture, data, fixture_set_up, func, fixture_tear_down)

  ADD ("base-is-valid", test_base_is_valid, NULL);
  for (guint i = 0; i < G_N_ELEMENTS (validation_cases); i++)
    {
      g_autofree char *name = g_strconcat ("/import/invalid/", validation_cases[i].name, NULL);

      g_test_add (name, Fixture, &validation_cases[i], fixture_set_up, test_validation_error,
                  fixture_tear_down);
    }
  ADD ("invalid/several-problems", test_several_problems, NULL);
  ADD ("invalid/not-json", test_not_json, NULL);
  ADD ("invalid/bad-bytes", test_bad_bytes, NULL);
  ADD ("invalid/nul-escape", test_nul_escape, NULL);
  ADD ("invalid/twice-in-long-lists", test_twice_in_long_lists, NULL);
  ADD ("same-file-twice", test_same_file_twice, NULL);
  ADD ("corrected-file", test_corrected_file, NULL);
  ADD ("rename-follows-search", test_rename_follows_search, NULL);
  ADD ("links/filtered-export", test_filtered_export_keeps_links, NULL);
  ADD ("links/follow-the-file", test_links_follow_the_file, NULL);
  ADD ("round-trip", test_round_trip, NULL);
  ADD ("round-trip/every-record", test_round_trip_every_record, NULL);
  ADD ("any-order", test_any_order, NULL);
  ADD ("repeated-member", test_repeated_member, NULL);
  ADD ("invalid/strict-json", test_strict_json, NULL);
  ADD ("progress", test_progress, NULL);
  ADD ("pages-given-back", test_pages_given_back, NULL);
  ADD ("empty-database", test_empty_database, NULL);
  ADD ("empty-database/problem", test_empty_database_problem, NULL);
  ADD ("empty-database/cancel", test_empty_database_cancel, NULL);
  ADD ("full-database-keeps-indexes", test_full_database_keeps_indexes, NULL);
  ADD ("invalid/bad-text-mid-events", test_bad_text_mid_events, NULL);
  ADD ("places-keep-coordinates", test_places_keep_coordinates, NULL);
  ADD ("file-cut-while-read", test_file_cut_while_read, NULL);
  g_test_add_func ("/import/foreign-sigbus-still-kills", test_foreign_sigbus_still_kills);

#undef ADD

  return g_test_run ();
}
