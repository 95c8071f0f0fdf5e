/* test-export.c: CSV and iCalendar exports, read back by other parsers
 *
 * Copyright 2026 The Chancery developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The files are read with Python's csv module and python3-icalendar (see
 * parse-export.py), not with code of ours.
 */
#include "config.h"

#include <string.h>
#include <glib.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>

#include "chancery-export.h"
#include "chancery-export-private.h"
#include "chancery-import.h"
#include "chancery-store.h"
#include "test-common.h"

/* Cells a spreadsheet or a CSV writer could get wrong: commas, quotes,
 * newlines, formula starters, tabs, CR, Cyrillic and Persian. */
static const char tricky_json[] =
  "{ \"format\": \"chancery\", \"version\": 1,\n"
  "  \"sources\": [ { \"id\": \"kayhan-146663\", \"publisher\": \"Kayhan\",\n"
  "                 \"reference\": \"News ID 146663\", \"published\": \"2025-12-08\" } ],\n"
  "  \"countries\": [ { \"code\": \"IRN\", \"name\": \"Iran\" },\n"
  "                   { \"code\": \"AZE\", \"name\": \"Azerbaijan\" },\n"
  "                   { \"code\": \"RUS\", \"name\": \"Russia\" } ],\n"
  "  \"actors\": [ { \"id\": \"abbas-araghchi\", \"name\": \"Abbas Araghchi\",\n"
  "                \"title\": \"Foreign Minister\", \"country\": \"IRN\" },\n"
  "              { \"id\": \"jeyhun-bayramov\", \"name\": \"Джейхун Байрамов\", \"country\": \"AZE\" },\n"
  "              { \"id\": \"araghchi-fa\", \"name\": \"عباس عراقچی\", \"country\": \"IRN\" } ],\n"
  "  \"events\": [\n"
  "    { \"id\": \"e-comma\", \"kind\": \"meeting\", \"status\": \"occurred\",\n"
  "      \"title\": \"Araghchi, Bayramov meet\", \"summary\": \"He said \\\"yes\\\"\\nand left.\",\n"
  "      \"date\": \"2025-12-08\", \"place\": { \"name\": \"Baku\", \"country\": \"AZE\" },\n"
  "      \"actors\": [ { \"actor\": \"abbas-araghchi\", \"role\": \"guest\" },\n"
  "                  { \"actor\": \"jeyhun-bayramov\", \"role\": \"host\" } ],\n"
  "      \"countries\": [\"IRN\", \"AZE\"],\n"
  "      \"sources\": [ { \"source\": \"kayhan-146663\", \"quote\": \"We agreed, \\\"fully\\\"\" } ] },\n"
  "    { \"id\": \"e-formula\", \"kind\": \"statement\", \"status\": \"planned\",\n"
  "      \"title\": \"=HYPERLINK(\\\"http://example.com\\\")\", \"summary\": \"+1 call\",\n"
  "      \"date\": \"2025-06\", \"place\": { \"name\": \"-Baku\" }, \"countries\": [\"RUS\"] },\n"
  "    { \"id\": \"e-before\", \"kind\": \"talks\", \"status\": \"cancelled\",\n"
  "      \"title\": \"@SUM(A1)\", \"summary\": \"\\tindented\", \"date\": \"../2025-12-07\" },\n"
  "    { \"id\": \"e-year\", \"kind\": \"summit\", \"status\": \"announced\",\n"
  "      \"title\": \"Тегеран и Баку — تهران و باکو\", \"summary\": \"\\rcarriage\", \"date\": \"2026\",\n"
  "      \"actors\": [ { \"actor\": \"araghchi-fa\", \"role\": \"participant\" } ] },\n"
  "    { \"id\": \"e-after\", \"kind\": \"other\", \"status\": \"reported\",\n"
  "      \"title\": \"-2+3\", \"date\": \"2025-12-09/..\" }\n"
  "  ] }\n";

typedef struct
{
  char          *dir;
  ChanceryStore *store;
} Fixture;

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;
  ChanceryImportReport report;

  fixture->dir = test_make_tmp_dir ();
  path = g_build_filename (fixture->dir, "events.chancery", NULL);
  fixture->store = test_create_store (path);

  chancery_import_report_init (&report);
  chancery_import_json_data (fixture->store, tricky_json, -1, "tricky.json", &report, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (report.inserted, ==, 5);
  chancery_import_report_clear (&report);
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  g_clear_object (&fixture->store);
  test_remove_tree (fixture->dir);
  g_free (fixture->dir);
}

static char *
export_to_file (Fixture              *fixture,
                ChanceryExportFormat  format,
                const char           *name,
                gsize                *length)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GOutputStream) out = g_memory_output_stream_new_resizable ();
  g_autofree char *path = g_build_filename (fixture->dir, name, NULL);
  gboolean ok;

  ok = chancery_export_to_stream (fixture->store, NULL, format, out, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (ok);
  g_output_stream_close (out, NULL, &error);
  g_assert_no_error (error);

  *length = g_memory_output_stream_get_data_size (G_MEMORY_OUTPUT_STREAM (out));
  g_file_set_contents (path, g_memory_output_stream_get_data (G_MEMORY_OUTPUT_STREAM (out)),
                       *length, &error);
  g_assert_no_error (error);

  return g_steal_pointer (&path);
}

/* Runs parse-export.py and returns its JSON output. */
static JsonNode *
parse_with_python (const char *kind,
                   const char *path)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  int status = 0;
  const char *argv[] = { "/usr/bin/python3", TEST_SRCDIR "/parse-export.py", kind, path, NULL };

  g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_DEFAULT, NULL, NULL,
                &out, &err, &status, &error);
  g_assert_no_error (error);
  if (!g_spawn_check_wait_status (status, NULL))
    g_error ("parse-export.py %s failed: %s", kind, err);

  return json_from_string (out, &error);
}

static JsonArray *
find_row (JsonArray  *rows,
          const char *id,
          guint      *position)
{
  for (guint i = 1; i < json_array_get_length (rows); i++)
    {
      JsonArray *row = json_array_get_array_element (rows, i);

      if (g_strcmp0 (json_array_get_string_element (row, 0), id) == 0)
        {
          if (position != NULL)
            *position = i;
          return row;
        }
    }

  g_error ("no row for %s", id);
  return NULL;
}

enum { C_ID, C_DATE, C_START, C_END, C_KIND, C_STATUS, C_TITLE, C_SUMMARY,
       C_PLACE, C_COUNTRIES, C_ACTORS, C_PROJECTS, C_SOURCES, N_COLUMNS };

#define cell(row, c) json_array_get_string_element ((row), (c))

static void
test_csv_round_trip (Fixture       *fixture,
                     gconstpointer  data)
{
  static const char *header[] = { "id", "date", "start", "end", "kind", "status", "title",
                                  "summary", "place", "countries", "actors", "projects",
                                  "sources" };
  g_autofree char *path = NULL;
  g_autofree char *raw = NULL;
  g_autoptr(JsonNode) root = NULL;
  JsonArray *rows, *row;
  guint pos_month = 0, pos_day = 0, pos_year = 0;
  gsize length;

  path = export_to_file (fixture, CHANCERY_EXPORT_CSV, "events.csv", &length);
  g_file_get_contents (path, &raw, &length, NULL);

  /* A UTF-8 byte order mark, CRLF line ends */
  g_assert_cmpmem (raw, 3, "\xEF\xBB\xBF", 3);
  g_assert_true (g_str_has_prefix (raw + 3, "id,date,start,end,kind,status,title,summary,"
                                   "place,countries,actors,projects,sources\r\n"));
  g_assert_true (g_str_has_suffix (raw, "\r\n"));

  root = parse_with_python ("csv", path);
  rows = json_node_get_array (root);
  g_assert_cmpuint (json_array_get_length (rows), ==, 6);

  row = json_array_get_array_element (rows, 0);
  g_assert_cmpuint (json_array_get_length (row), ==, N_COLUMNS);
  for (guint i = 0; i < N_COLUMNS; i++)
    g_assert_cmpstr (cell (row, i), ==, header[i]);

  row = find_row (rows, "e-comma", &pos_day);
  g_assert_cmpuint (json_array_get_length (row), ==, N_COLUMNS);
  g_assert_cmpstr (cell (row, C_DATE), ==, "2025-12-08");
  g_assert_cmpstr (cell (row, C_START), ==, "2025-12-08");
  g_assert_cmpstr (cell (row, C_END), ==, "2025-12-08");
  g_assert_cmpstr (cell (row, C_KIND), ==, "meeting");
  g_assert_cmpstr (cell (row, C_STATUS), ==, "occurred");
  g_assert_cmpstr (cell (row, C_TITLE), ==, "Araghchi, Bayramov meet");
  g_assert_cmpstr (cell (row, C_SUMMARY), ==, "He said \"yes\"\nand left.");
  g_assert_cmpstr (cell (row, C_PLACE), ==, "Baku");
  g_assert_nonnull (strstr (cell (row, C_COUNTRIES), "IRN"));
  g_assert_nonnull (strstr (cell (row, C_COUNTRIES), "; "));
  g_assert_nonnull (strstr (cell (row, C_ACTORS), "Abbas Araghchi (guest)"));
  g_assert_nonnull (strstr (cell (row, C_ACTORS), "Джейхун Байрамов (host)"));
  g_assert_cmpstr (cell (row, C_PROJECTS), ==, "");
  g_assert_cmpstr (cell (row, C_SOURCES), ==, "Kayhan, News ID 146663: “We agreed, \"fully\"”");

  /* Formula starters are neutralised with an apostrophe */
  row = find_row (rows, "e-formula", &pos_month);
  g_assert_cmpstr (cell (row, C_TITLE), ==, "'=HYPERLINK(\"http://example.com\")");
  g_assert_cmpstr (cell (row, C_SUMMARY), ==, "'+1 call");
  g_assert_cmpstr (cell (row, C_PLACE), ==, "'-Baku");
  g_assert_cmpstr (cell (row, C_DATE), ==, "2025-06");
  g_assert_cmpstr (cell (row, C_START), ==, "2025-06-01");
  g_assert_cmpstr (cell (row, C_END), ==, "2025-06-30");
  g_assert_cmpstr (cell (row, C_STATUS), ==, "planned");

  row = find_row (rows, "e-before", NULL);
  g_assert_cmpstr (cell (row, C_TITLE), ==, "'@SUM(A1)");
  g_assert_cmpstr (cell (row, C_SUMMARY), ==, "'\tindented");
  g_assert_cmpstr (cell (row, C_START), ==, "");
  g_assert_cmpstr (cell (row, C_END), ==, "2025-12-07");

  row = find_row (rows, "e-year", &pos_year);
  g_assert_cmpstr (cell (row, C_TITLE), ==, "Тегеран и Баку — تهران و باکو");
  g_assert_cmpstr (cell (row, C_SUMMARY), ==, "'\rcarriage");
  g_assert_cmpstr (cell (row, C_ACTORS), ==, "عباس عراقچی (participant)");
  g_assert_cmpstr (cell (row, C_START), ==, "2026-01-01");
  g_assert_cmpstr (cell (row, C_END), ==, "2026-12-31");

  row = find_row (rows, "e-after", NULL);
  g_assert_cmpstr (cell (row, C_TITLE), ==, "'-2+3");
  g_assert_cmpstr (cell (row, C_START), ==, "2025-12-09");
  g_assert_cmpstr (cell (row, C_END), ==, "");

  /* Time order */
  g_assert_cmpuint (pos_month, <, pos_day);
  g_assert_cmpuint (pos_day, <, pos_year);
}

static JsonObject *
find_vevent (JsonArray  *events,
             const char *uid)
{
  for (guint i = 0; i < json_array_get_length (events); i++)
    {
      JsonObject *event = json_array_get_object_element (events, i);

      if (g_strcmp0 (json_object_get_string_member (event, "uid"), uid) == 0)
        return event;
    }

  g_error ("no VEVENT with UID %s", uid);
  return NULL;
}

static gboolean
has_category (JsonObject *event,
              const char *category)
{
  JsonArray *categories = json_object_get_array_member (event, "categories");

  for (guint i = 0; i < json_array_get_length (categories); i++)
    if (g_strcmp0 (json_array_get_string_element (categories, i), category) == 0)
      return TRUE;

  return FALSE;
}

#define member(obj, name) json_object_get_string_member ((obj), (name))

static void
test_ics (Fixture       *fixture,
          gconstpointer  data)
{
  g_autofree char *path = NULL;
  g_autofree char *path2 = NULL;
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(JsonNode) root2 = NULL;
  JsonObject *calendar;
  JsonArray *events, *events2;
  JsonObject *event;
  gsize length;

  path = export_to_file (fixture, CHANCERY_EXPORT_ICS, "events.ics", &length);
  root = parse_with_python ("ics", path);
  calendar = json_node_get_object (root);
  g_assert_cmpstr (member (calendar, "version"), ==, "2.0");
  g_assert_cmpstr (member (calendar, "prodid"), ==, "-//Chancery//Chancery 0.1//EN");
  events = json_object_get_array_member (calendar, "events");
  g_assert_cmpuint (json_array_get_length (events), ==, 5);

  /* A day: all-day, DTEND exclusive */
  event = find_vevent (events, "e-comma@chancery");
  g_assert_cmpstr (member (event, "dtstart"), ==, "2025-12-08");
  g_assert_cmpstr (member (event, "dtend"), ==, "2025-12-09");
  g_assert_true (json_object_get_boolean_member (event, "has_dtstamp"));
  g_assert_cmpstr (member (event, "summary"), ==, "Araghchi, Bayramov meet");
  g_assert_cmpstr (member (event, "location"), ==, "Baku, Azerbaijan");
  g_assert_cmpstr (member (event, "status"), ==, "CONFIRMED");
  g_assert_true (has_category (event, "meeting"));
  g_assert_true (has_category (event, "IRN"));
  g_assert_true (has_category (event, "AZE"));
  g_assert_nonnull (strstr (member (event, "description"), "He said \"yes\"\nand left."));
  g_assert_nonnull (strstr (member (event, "description"), "Kayhan, News ID 146663: “We agreed, \"fully\"”"));
  g_assert_nonnull (strstr (member (event, "description"), "Date as written: 2025-12-08"));

  /* A month spans its month and says it is not a day */
  event = find_vevent (events, "e-formula@chancery");
  g_assert_cmpstr (member (event, "dtstart"), ==, "2025-06-01");
  g_assert_cmpstr (member (event, "dtend"), ==, "2025-07-01");
  g_assert_nonnull (strstr (member (event, "description"), "Date precision: month"));
  g_assert_nonnull (strstr (member (event, "description"), "not an exact day"));
  g_assert_cmpstr (member (event, "status"), ==, "TENTATIVE");
  g_assert_cmpstr (member (event, "summary"), ==, "=HYPERLINK(\"http://example.com\")");

  event = find_vevent (events, "e-year@chancery");
  g_assert_cmpstr (member (event, "dtstart"), ==, "2026-01-01");
  g_assert_cmpstr (member (event, "dtend"), ==, "2027-01-01");
  g_assert_nonnull (strstr (member (event, "description"), "Date precision: year"));
  g_assert_cmpstr (member (event, "status"), ==, "TENTATIVE");
  g_assert_cmpstr (member (event, "summary"), ==, "Тегеран и Баку — تهران و باکو");

  /* Open bounds: the known day, and words for the rest */
  event = find_vevent (events, "e-before@chancery");
  g_assert_cmpstr (member (event, "dtstart"), ==, "2025-12-07");
  g_assert_cmpstr (member (event, "dtend"), ==, "2025-12-08");
  g_assert_nonnull (strstr (member (event, "description"), "on or before"));
  g_assert_cmpstr (member (event, "status"), ==, "CANCELLED");

  event = find_vevent (events, "e-after@chancery");
  g_assert_cmpstr (member (event, "dtstart"), ==, "2025-12-09");
  g_assert_cmpstr (member (event, "dtend"), ==, "2025-12-10");
  g_assert_nonnull (strstr (member (event, "description"), "on or after"));
  g_assert_cmpstr (member (event, "status"), ==, "CONFIRMED");

  /* The same UIDs on re-export */
  path2 = export_to_file (fixture, CHANCERY_EXPORT_ICS, "again.ics", &length);
  root2 = parse_with_python ("ics", path2);
  events2 = json_object_get_array_member (json_node_get_object (root2), "events");
  g_assert_cmpuint (json_array_get_length (events2), ==, json_array_get_length (events));
  for (guint i = 0; i < json_array_get_length (events); i++)
    {
      JsonObject *a = json_array_get_object_element (events, i);

      find_vevent (events2, member (a, "uid"));
    }
}

static void
test_csv_filtered (Fixture       *fixture,
                   gconstpointer  data)
{
  g_autoptr(ChanceryFilter) filter = chancery_filter_new ();
  g_autoptr(GOutputStream) out = g_memory_output_stream_new_resizable ();
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;

  chancery_filter_add_country (filter, "RUS", &error);
  g_assert_no_error (error);
  g_assert_true (chancery_export_csv (fixture->store, filter, out, NULL, &error));
  g_assert_no_error (error);
  g_output_stream_write_all (out, "", 1, NULL, NULL, &error);
  g_output_stream_close (out, NULL, &error);
  text = g_memory_output_stream_steal_data (G_MEMORY_OUTPUT_STREAM (out));

  g_assert_nonnull (strstr (text, "\r\ne-formula,"));
  g_assert_null (strstr (text, "e-comma"));
}

static void
test_cancelled (Fixture       *fixture,
                gconstpointer  data)
{
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GOutputStream) out = g_memory_output_stream_new_resizable ();
  g_autoptr(GError) error = NULL;

  g_cancellable_cancel (cancellable);
  g_assert_false (chancery_export_ics (fixture->store, NULL, out, cancellable, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add ("/export/csv/round-trip", Fixture, NULL, fixture_set_up, test_csv_round_trip, fixture_tear_down);
  g_test_add ("/export/csv/filtered", Fixture, NULL, fixture_set_up, test_csv_filtered, fixture_tear_down);
  g_test_add ("/export/ics/python-icalendar", Fixture, NULL, fixture_set_up, test_ics, fixture_tear_down);
  g_test_add ("/export/ics/cancelled", Fixture, NULL, fixture_set_up, test_cancelled, fixture_tear_down);

  return g_test_run ();
}
