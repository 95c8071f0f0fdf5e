/* test-export.c: CSV and iCalendar exports, read back by other parsers
 *
 * Copyright 2026 The Chancery developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The files are read with Python's csv module and python3-icalendar (see
 * parse-export.py), not with code of ours.
 */
#define _GNU_SOURCE   /* F_SETPIPE_SZ */
#include "config.h"

#include <fcntl.h>
#include <math.h>
#include <signal.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>
#include <glib.h>
#include <glib/gstdio.h>
#include <gio/gunixoutputstream.h>
#include <json-glib/json-glib.h>
#include <sqlite3.h>

#include "chancery-export.h"
#include "chancery-export-private.h"
#include "chancery-import.h"
#include "chancery-store.h"
#include "chancery-store-private.h"
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
  guint          n_events;   /* many_set_up: how many */
  gboolean       few_only;   /* the by-id chunk variants: only the few case */
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
  g_assert_nonnull (strstr (member (event, "description"), "Date as written: 2025-12-08\nStatus: Occurred"));

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
  /* Known from a report only: not definite, and the description says so. */
  g_assert_nonnull (strstr (member (event, "description"), "Status: Reported"));
  g_assert_cmpstr (member (event, "status"), ==, "TENTATIVE");

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

/* Spreadsheets trim leading spaces on import, so white space before a
 * formula starter does not make the cell safe. */
static void
test_csv_formula_after_space (void)
{
  static const char json[] =
    "{ \"format\": \"chancery\", \"version\": 1, \"events\": [\n"
    "  { \"id\": \"e-space\", \"kind\": \"other\", \"status\": \"occurred\",\n"
    "    \"title\": \" =cmd|' /C calc'!A0\", \"summary\": \"  =1+1\", \"date\": \"2025\",\n"
    "    \"place\": { \"name\": \" \\n-2\" } },\n"
    "  { \"id\": \"e-tab\", \"kind\": \"other\", \"status\": \"occurred\",\n"
    "    \"title\": \" \\t@SUM(A1)\", \"summary\": \"\\r\\n+1\", \"date\": \"2025\",\n"
    "    \"place\": { \"name\": \"  Baku = Bakı\" } }\n"
    "  ] }\n";
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = test_make_tmp_dir ();
  g_autofree char *db = g_build_filename (dir, "events.chancery", NULL);
  g_autofree char *path = g_build_filename (dir, "events.csv", NULL);
  g_autoptr(ChanceryStore) store = test_create_store (db);
  g_autoptr(GOutputStream) out = g_memory_output_stream_new_resizable ();
  g_autoptr(JsonNode) root = NULL;
  ChanceryImportReport report;
  JsonArray *rows, *row;

  chancery_import_report_init (&report);
  chancery_import_json_data (store, json, -1, "space.json", &report, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (report.inserted, ==, 2);
  chancery_import_report_clear (&report);

  g_assert_true (chancery_export_csv (store, NULL, out, NULL, &error));
  g_assert_no_error (error);
  g_output_stream_close (out, NULL, &error);
  g_file_set_contents (path, g_memory_output_stream_get_data (G_MEMORY_OUTPUT_STREAM (out)),
                       g_memory_output_stream_get_data_size (G_MEMORY_OUTPUT_STREAM (out)),
                       &error);
  g_assert_no_error (error);

  root = parse_with_python ("csv", path);
  rows = json_node_get_array (root);

  row = find_row (rows, "e-space", NULL);
  g_assert_cmpstr (cell (row, C_TITLE), ==, "' =cmd|' /C calc'!A0");
  g_assert_cmpstr (cell (row, C_SUMMARY), ==, "'  =1+1");
  g_assert_cmpstr (cell (row, C_PLACE), ==, "' \n-2");

  row = find_row (rows, "e-tab", NULL);
  g_assert_cmpstr (cell (row, C_TITLE), ==, "' \t@SUM(A1)");
  g_assert_cmpstr (cell (row, C_SUMMARY), ==, "'\r\n+1");
  /* Text after the spaces: nothing to neutralise */
  g_assert_cmpstr (cell (row, C_PLACE), ==, "  Baku = Bakı");

  g_clear_object (&store);
  test_remove_tree (dir);
}

/* Many events (more than the store's chunk of 256, the reader's block of
 * 1024 and the CSV spool's 64 buckets), in an order of row ids that is not
 * time order: random dates with many ties, ranges, open bounds, several
 * actors, countries, projects and sources (with quotes) each, and links. */
#define MANY_EVENTS 3000

static char *
many_events_json (guint n_events)
{
  static const char *countries[] = { "IRN", "AZE", "ARM", "RUS", "TUR", "GEO" };
  static const char *kinds[] = { "visit", "meeting", "talks", "statement", "agreement" };
  g_autoptr(GRand) rand = g_rand_new_with_seed (20261127);
  GString *json = g_string_new ("{ \"format\": \"chancery\", \"version\": 1,\n  \"countries\": [");

  for (guint i = 0; i < G_N_ELEMENTS (countries); i++)
    g_string_append_printf (json, "%s{ \"code\": \"%s\", \"name\": \"Country %c\" }",
                            i > 0 ? ", " : "", countries[i], 'Z' - i);
  g_string_append (json, "],\n  \"actors\": [");
  for (guint i = 0; i < 40; i++)
    g_string_append_printf (json, "%s{ \"id\": \"actor-%u\", \"name\": \"Actor %c%u, \\\"the\\\" %u\" }",
                            i > 0 ? ", " : "", i, 'A' + (i * 7) % 26, i % 5, i);
  g_string_append (json, "],\n  \"projects\": [");
  for (guint i = 0; i < 8; i++)
    g_string_append_printf (json, "%s{ \"id\": \"project-%u\", \"name\": \"Project %c\" }",
                            i > 0 ? ", " : "", i, 'H' - i);
  g_string_append (json, "],\n  \"sources\": [");
  for (guint i = 0; i < 50; i++)
    g_string_append_printf (json, "%s{ \"id\": \"source-%u\", \"publisher\": \"Publisher %u\"%s }",
                            i > 0 ? ", " : "", i, i % 7,
                            i % 3 == 0 ? ", \"reference\": \"News ID 1\"" : i % 3 == 1 ? ", \"title\": \"A title\"" : "");
  g_string_append (json, "],\n  \"events\": [\n");

  for (guint i = 0; i < n_events; i++)
    {
      int year = 2000 + g_rand_int_range (rand, 0, 8);
      int month = g_rand_int_range (rand, 1, 13);
      int day = g_rand_int_range (rand, 1, 29);
      int shape = g_rand_int_range (rand, 0, 10);
      g_autofree char *date = NULL;
      guint n;

      if (shape == 0)
        date = g_strdup_printf ("%d-%02d", year, month);
      else if (shape == 1)
        date = g_strdup_printf ("%d-%02d-%02d/%d-%02d-%02d", year, month, day, year, month, MIN (day + 3, 28));
      else if (shape == 2)
        date = g_strdup_printf ("../%d-%02d-%02d", year, month, day);
      else if (shape == 3)
        date = g_strdup_printf ("%d~", year);
      else
        date = g_strdup_printf ("%d-%02d-%02d", year, month, day);

      g_string_append_printf (json, "%s    { \"id\": \"ev-%04u\", \"kind\": \"%s\", \"status\": \"occurred\","
                              " \"title\": \"Event %u, %s\", \"summary\": \"%s\", \"date\": \"%s\"",
                              i > 0 ? ",\n" : "", i, kinds[i % G_N_ELEMENTS (kinds)], i,
                              i % 4 == 0 ? "with \\\"quotes\\\"" : "Тегеран — تهران",
                              i % 5 == 0 ? "=1+2" : "line\\nbreak", date);
      if (i % 3 != 0)
        g_string_append_printf (json, ", \"place\": { \"name\": \"Place %u\", \"country\": \"AZE\" }", i % 11);

      g_string_append (json, ", \"actors\": [");
      n = g_rand_int_range (rand, 0, 4);
      for (guint k = 0; k < n; k++)
        g_string_append_printf (json, "%s{ \"actor\": \"actor-%u\", \"role\": \"%s\" }", k > 0 ? ", " : "",
                                (i * 13 + k * 7) % 40, k == 0 ? "guest" : k == 1 ? "host" : "participant");
      g_string_append (json, "], \"countries\": [");
      n = g_rand_int_range (rand, 0, 4);
      for (guint k = 0; k < n; k++)
        g_string_append_printf (json, "%s\"%s\"", k > 0 ? ", " : "",
                                countries[(i + k * 2) % G_N_ELEMENTS (countries)]);
      g_string_append (json, "], \"projects\": [");
      n = g_rand_int_range (rand, 0, 3);
      for (guint k = 0; k < n; k++)
        g_string_append_printf (json, "%s\"project-%u\"", k > 0 ? ", " : "", (i + k * 3) % 8);
      g_string_append (json, "], \"sources\": [");
      n = g_rand_int_range (rand, 0, 4);
      for (guint k = 0; k < n; k++)
        g_string_append_printf (json, "%s{ \"source\": \"source-%u\"%s }", k > 0 ? ", " : "",
                                (i * 17 + k * 5) % 50,
                                k == 1 ? "" : ", \"quote\": \"we agreed, \\\"fully\\\", on «all»\"");
      g_string_append (json, "]");
      if (i > 0 && i % 50 == 0)
        g_string_append_printf (json, ", \"related\": [{ \"event\": \"ev-%04u\", \"relation\": \"follows\" }]",
                                i - 1 - g_rand_int_range (rand, 0, i));
      g_string_append (json, " }");
    }
  g_string_append (json, "\n  ] }\n");

  return g_string_free (json, FALSE);
}

static void
many_set_up (Fixture       *fixture,
             gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;
  g_autofree char *json = NULL;
  ChanceryImportReport report;

  /* data: the number of events, MANY_EVENTS unless given. A bigger store
   * is for the by-id chunk variants, which need only the case of a few
   * events (the other cases add nothing there but minutes under the
   * sanitizers and valgrind). */
  fixture->n_events = data != NULL ? GPOINTER_TO_UINT (data) : MANY_EVENTS;
  fixture->few_only = data != NULL;
  json = many_events_json (fixture->n_events);

  fixture->dir = test_make_tmp_dir ();
  path = g_build_filename (fixture->dir, "many.chancery", NULL);
  fixture->store = test_create_store (path);

  chancery_import_report_init (&report);
  chancery_import_json_data (fixture->store, json, -1, "many.json", &report, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (report.inserted, ==, fixture->n_events);
  chancery_import_report_clear (&report);
}

/* The first case a test runs: the chunk variants (few_only) run only the
 * last, which is always the few events of actor-3. */
static guint
first_case (Fixture *fixture,
            guint    n_cases)
{
  return fixture->few_only ? n_cases - 1 : 0;
}

typedef gboolean (*BudgetExport) (ChanceryStore *, const ChanceryFilter *, gsize,
                                  GOutputStream *, GCancellable *, GError **);
typedef gboolean (*TimeOrderExport) (ChanceryStore *, const ChanceryFilter *,
                                     GOutputStream *, GCancellable *, GError **);

/* An export through the spool with a budget, or (spool_memory -1) read in
 * time order without it. */
static GBytes *
export_bytes (ChanceryStore        *store,
              const ChanceryFilter *filter,
              gssize                spool_memory,
              BudgetExport          with_budget,
              TimeOrderExport       in_time_order)
{
  g_autoptr(GOutputStream) out = g_memory_output_stream_new_resizable ();
  g_autoptr(GError) error = NULL;
  gboolean ok;

  if (spool_memory < 0)
    ok = in_time_order (store, filter, out, NULL, &error);
  else
    ok = with_budget (store, filter, spool_memory, out, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (ok);
  g_output_stream_close (out, NULL, &error);
  g_assert_no_error (error);

  return g_memory_output_stream_steal_as_bytes (G_MEMORY_OUTPUT_STREAM (out));
}

static GBytes *
csv_bytes (ChanceryStore        *store,
           const ChanceryFilter *filter,
           gssize                spool_memory)   /* -1: in time order, no spool */
{
  return export_bytes (store, filter, spool_memory, chancery_export_csv_with_budget,
                       chancery_export_csv_in_time_order);
}

static guint
count_rows (GBytes *bytes)
{
  gsize len;
  const char *data = g_bytes_get_data (bytes, &len);
  guint rows = 0;
  gboolean quoted = FALSE;

  for (gsize i = 0; i < len; i++)
    {
      if (data[i] == '"')
        quoted = !quoted;
      else if (!quoted && data[i] == '\n')
        rows++;
    }
  return rows;
}

/* The export reads the store in row id order and puts rows back in time
 * order (in memory, or through a temporary file past its memory budget):
 * the bytes must be those of reading in time order, for every filter,
 * whether the filter selects most events, a part (still read in row id
 * order) or a few (read in time order). */
static void
test_csv_same_as_time_order (Fixture       *fixture,
                             gconstpointer  data)
{
  g_autoptr(ChanceryFilter) by_country = chancery_filter_new ();
  g_autoptr(ChanceryFilter) by_kind = chancery_filter_new ();
  g_autoptr(ChanceryFilter) by_text = chancery_filter_new ();
  g_autoptr(ChanceryFilter) few = chancery_filter_new ();
  g_autoptr(GError) error = NULL;
  struct { ChanceryFilter *filter; guint min_rows, max_rows; } cases[] = {
    { NULL, fixture->n_events, fixture->n_events },
    { by_country, fixture->n_events / 5, fixture->n_events / 2 },
    { by_kind, fixture->n_events / 5, fixture->n_events / 5 },
    { by_text, 1, fixture->n_events / 2 },
    /* Under a sixteenth: read by id, in more than one chunk of 256 when
     * the store is big enough (/export/csv/by-id-chunks). */
    { few, fixture->n_events > 16 * 256 ? 257 : 1, fixture->n_events / 16 },
  };

  chancery_filter_add_country (by_country, "AZE", &error);
  g_assert_no_error (error);
  chancery_filter_add_kind (by_kind, "talks", &error);
  g_assert_no_error (error);
  chancery_filter_set_text (by_text, "quotes");
  chancery_filter_add_actor (few, "actor-3");

  for (guint i = first_case (fixture, G_N_ELEMENTS (cases)); i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GBytes) expected = csv_bytes (fixture->store, cases[i].filter, -1);
      g_autoptr(GBytes) in_memory = csv_bytes (fixture->store, cases[i].filter, 256 * 1024 * 1024);
      g_autoptr(GBytes) through_file = csv_bytes (fixture->store, cases[i].filter, 16 * 1024);
      g_autoptr(GBytes) all_to_file = csv_bytes (fixture->store, cases[i].filter, 0);
      guint rows = count_rows (expected) - 1;

      g_test_message ("case %u: %u rows", i, rows);
      g_assert_cmpuint (rows, >=, cases[i].min_rows);
      g_assert_cmpuint (rows, <=, cases[i].max_rows);
      g_assert_true (g_bytes_equal (in_memory, expected));
      g_assert_true (g_bytes_equal (through_file, expected));
      g_assert_true (g_bytes_equal (all_to_file, expected));
    }
}

/* Rows come out in time order: by start, then end, then row id. */
static void
test_csv_many_in_time_order (Fixture       *fixture,
                             gconstpointer  data)
{
  g_autoptr(GBytes) bytes = csv_bytes (fixture->store, NULL, 16 * 1024);
  g_autofree char *text = g_strndup (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes));
  g_auto(GStrv) lines = g_strsplit (text, "\r\nev-", -1);
  g_autofree char *last_start = g_strdup ("");
  guint n = 0;

  for (guint i = 1; lines[i] != NULL; i++)
    {
      /* "NNNN,date,start,end,..."; the date has no comma. */
      g_auto(GStrv) cells = g_strsplit (lines[i], ",", 5);

      g_assert_cmpuint (g_strv_length (cells), ==, 5);
      if (cells[2][0] != '\0')
        {
          g_assert_cmpstr (last_start, <=, cells[2]);
          g_free (last_start);
          last_start = g_strdup (cells[2]);
        }
      n++;
    }
  g_assert_cmpuint (n, ==, MANY_EVENTS);
}

typedef struct
{
  guint calls;
  guint fail_at;
} FailingFunc;

static gboolean
fail_at_cb (ChanceryEvent  *event,
            guint           rank,
            gpointer        user_data,
            GError        **error)
{
  FailingFunc *data = user_data;

  g_assert_nonnull (event->uid);
  if (++data->calls < data->fail_at)
    return TRUE;
  g_set_error (error, G_IO_ERROR, G_IO_ERROR_NO_SPACE, "full at %u", data->calls);
  return FALSE;
}

/* A failure in the middle stops the reader thread too: the error comes
 * back, no further event is given, and the store works afterwards. So does
 * cancelling, whatever the size of the export. */
static void
test_csv_stops (Fixture       *fixture,
                gconstpointer  data)
{
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GOutputStream) out = g_memory_output_stream_new_resizable ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) expected = csv_bytes (fixture->store, NULL, -1);
  g_autoptr(GBytes) again = NULL;
  guint fail_at[] = { 1, 1500, MANY_EVENTS };

  for (guint i = 0; i < G_N_ELEMENTS (fail_at); i++)
    {
      FailingFunc func = { 0, fail_at[i] };
      guint n_events = 0;

      g_assert_false (chancery_store_foreach_event_ranked (fixture->store, NULL, &n_events, NULL,
                                                           fail_at_cb, &func, NULL, &error));
      g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NO_SPACE);
      g_clear_error (&error);
      g_assert_cmpuint (n_events, ==, MANY_EVENTS);
      g_assert_cmpuint (func.calls, ==, fail_at[i]);
    }

  g_cancellable_cancel (cancellable);
  g_assert_false (chancery_export_csv (fixture->store, NULL, out, cancellable, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);

  again = csv_bytes (fixture->store, NULL, 16 * 1024);
  g_assert_true (g_bytes_equal (again, expected));
}

/* The reader thread reads through a connection of its own in rollback
 * journal mode, and through the store's in WAL mode (where the two could
 * see different commits): both give the same bytes, writable or not. */
static void
test_csv_journal_modes (Fixture       *fixture,
                        gconstpointer  data)
{
  g_autofree char *path = g_strdup (chancery_store_get_path (fixture->store));
  g_autoptr(GBytes) expected = csv_bytes (fixture->store, NULL, -1);
  g_autoptr(GError) error = NULL;
  sqlite3 *db = NULL;

  for (guint mode = 0; mode < 2; mode++)
    {
      for (guint writable = 0; writable < 2; writable++)
        {
          g_autoptr(ChanceryStore) store = NULL;
          g_autoptr(GBytes) bytes = NULL;

          g_clear_object (&fixture->store);
          store = chancery_store_open (path, writable ? CHANCERY_STORE_READ_WRITE : CHANCERY_STORE_READ_ONLY,
                                       NULL, &error);
          g_assert_no_error (error);
          bytes = csv_bytes (store, NULL, 16 * 1024);
          g_assert_true (g_bytes_equal (bytes, expected));
        }

      g_assert_cmpint (sqlite3_open (path, &db), ==, SQLITE_OK);
      g_assert_cmpint (sqlite3_exec (db, "PRAGMA journal_mode = WAL", NULL, NULL, NULL), ==, SQLITE_OK);
      sqlite3_close (db);
    }
}

/* A writer of another connection starts to commit while the export runs:
 * it holds SQLite's pending lock, waiting for the export's read to end,
 * and no new read lock can be had meanwhile. The export's own connections
 * hold their read locks from the moment they are opened (or are not used),
 * so the export is not failed by "database is locked". The writer reaches
 * its pending lock just before the relations connection's first read. */
typedef struct
{
  sqlite3  *writer;
  GMutex    lock;
  GCond     cond;
  gboolean  pending;    /* the writer waits for its exclusive lock */
  gboolean  started;    /* the writer thread was started */
  GThread  *thread;
  int       commit_rc;
} PendingWriter;

static PendingWriter *pending_writer;

static int
on_writer_busy_cb (void *data,
                   int   count)
{
  PendingWriter *w = data;

  g_mutex_lock (&w->lock);
  w->pending = TRUE;
  g_cond_broadcast (&w->cond);
  g_mutex_unlock (&w->lock);
  g_usleep (1000);
  return count < 60000;   /* a minute at most */
}

static gpointer
writer_commit_thread (gpointer data)
{
  PendingWriter *w = data;

  w->commit_rc = sqlite3_exec (w->writer, "COMMIT", NULL, NULL, NULL);
  g_mutex_lock (&w->lock);
  w->pending = TRUE;   /* also when it did not have to wait */
  g_cond_broadcast (&w->cond);
  g_mutex_unlock (&w->lock);
  return NULL;
}

static int
on_scan_statement_cb (unsigned  type,
                      void     *context,
                      void     *p,
                      void     *x)
{
  PendingWriter *w = pending_writer;
  const char *sql = sqlite3_sql (p);

  if (w == NULL || sql == NULL || !g_str_has_prefix (sql, "SELECT event_id, actor_id, role FROM event_actor"))
    return 0;

  g_mutex_lock (&w->lock);
  if (!w->started)
    {
      w->started = TRUE;
      w->thread = g_thread_new ("test-writer", writer_commit_thread, w);
      while (!w->pending)
        g_cond_wait (&w->cond, &w->lock);
    }
  g_mutex_unlock (&w->lock);
  return 0;
}

static int
trace_new_connection (sqlite3                      *db,
                      char                        **message,
                      const struct sqlite3_api_routines *api)
{
  sqlite3_trace_v2 (db, SQLITE_TRACE_STMT, on_scan_statement_cb, NULL);
  return SQLITE_OK;
}

static void
test_csv_writer_pending (Fixture       *fixture,
                         gconstpointer  data)
{
  g_autofree char *path = g_strdup (chancery_store_get_path (fixture->store));
  g_autoptr(GBytes) expected = csv_bytes (fixture->store, NULL, -1);
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(ChanceryStore) store = NULL;
  g_autoptr(GError) error = NULL;
  PendingWriter w = { 0, };

  g_clear_object (&fixture->store);
  store = chancery_store_open (path, CHANCERY_STORE_READ_ONLY, NULL, &error);
  g_assert_no_error (error);

  g_mutex_init (&w.lock);
  g_cond_init (&w.cond);
  g_assert_cmpint (sqlite3_open (path, &w.writer), ==, SQLITE_OK);
  sqlite3_busy_handler (w.writer, on_writer_busy_cb, &w);
  g_assert_cmpint (sqlite3_exec (w.writer, "BEGIN IMMEDIATE; CREATE TABLE test_writer (x)",
                                 NULL, NULL, NULL), ==, SQLITE_OK);

  pending_writer = &w;
  sqlite3_auto_extension ((void (*) (void)) trace_new_connection);
  bytes = csv_bytes (store, NULL, 16 * 1024);
  sqlite3_cancel_auto_extension ((void (*) (void)) trace_new_connection);
  pending_writer = NULL;

  g_assert_true (w.started);
  g_assert_true (g_bytes_equal (bytes, expected));

  /* The export's read ended: the writer commits. */
  g_thread_join (w.thread);
  g_assert_cmpint (w.commit_rc, ==, SQLITE_OK);
  sqlite3_close (w.writer);
  g_mutex_clear (&w.lock);
  g_cond_clear (&w.cond);
}

/* The scan's records are read beside the query of the selection; when
 * the selection is too small for the scan, that reading is stopped. Here
 * it is held at its first statement until the query has long finished:
 * then it must stop there (the actors and sources are never read), and
 * the export, read by id, must be whole. */
static gint opener_first_statements, opener_actor_statements, opener_source_statements;

static int
on_opener_statement_cb (unsigned  type,
                        void     *context,
                        void     *p,
                        void     *x)
{
  const char *sql = sqlite3_sql (p);

  if (sql == NULL)
    return 0;
  if (g_str_has_prefix (sql, "PRAGMA encoding"))
    {
      g_atomic_int_inc (&opener_first_statements);
      g_usleep (300 * 1000);
    }
  else if (g_str_has_prefix (sql, "SELECT id, uid, name, title, country FROM actor"))
    g_atomic_int_inc (&opener_actor_statements);
  else if (g_str_has_prefix (sql, "SELECT id, uid, publisher"))
    g_atomic_int_inc (&opener_source_statements);
  return 0;
}

static int
trace_opener (sqlite3                            *db,
              char                              **message,
              const struct sqlite3_api_routines  *api)
{
  sqlite3_trace_v2 (db, SQLITE_TRACE_STMT, on_opener_statement_cb, NULL);
  return SQLITE_OK;
}

static void
test_csv_opener_stopped (Fixture       *fixture,
                         gconstpointer  data)
{
  g_autoptr(ChanceryFilter) few = chancery_filter_new ();
  g_autoptr(GBytes) expected = NULL, bytes = NULL;

  chancery_filter_add_actor (few, "actor-3");
  expected = csv_bytes (fixture->store, few, -1);
  g_assert_cmpuint (count_rows (expected) - 1, >, 0);
  g_assert_cmpuint (count_rows (expected) - 1, <, MANY_EVENTS / 16);

  opener_first_statements = opener_actor_statements = opener_source_statements = 0;
  sqlite3_auto_extension ((void (*) (void)) trace_opener);
  bytes = csv_bytes (fixture->store, few, 16 * 1024);
  sqlite3_cancel_auto_extension ((void (*) (void)) trace_opener);

  g_assert_cmpint (g_atomic_int_get (&opener_first_statements), ==, 1);
  g_assert_cmpint (g_atomic_int_get (&opener_actor_statements), ==, 0);
  g_assert_cmpint (g_atomic_int_get (&opener_source_statements), ==, 0);
  g_assert_true (g_bytes_equal (bytes, expected));
}

/* Row ids too sparse for the scan's arrays (actors here, then events):
 * the export falls back to reading in time order, with the same bytes. */
static void
test_csv_sparse_ids (Fixture       *fixture,
                     gconstpointer  data)
{
  g_autofree char *path = g_strdup (chancery_store_get_path (fixture->store));
  g_autoptr(GBytes) expected = csv_bytes (fixture->store, NULL, -1);
  g_autoptr(GError) error = NULL;
  const char *updates[] = {
    "UPDATE actor SET id = id * 100000; UPDATE event_actor SET actor_id = actor_id * 100000",
    "UPDATE event SET id = id * 100000; UPDATE event_actor SET event_id = event_id * 100000;"
    " UPDATE event_country SET event_id = event_id * 100000;"
    " UPDATE event_project SET event_id = event_id * 100000;"
    " UPDATE event_source SET event_id = event_id * 100000;"
    " UPDATE event_link SET event_id = event_id * 100000",
  };

  g_clear_object (&fixture->store);
  for (guint i = 0; i < G_N_ELEMENTS (updates); i++)
    {
      g_autoptr(ChanceryStore) store = NULL;
      g_autoptr(GBytes) bytes = NULL;
      sqlite3 *db = NULL;

      g_assert_cmpint (sqlite3_open (path, &db), ==, SQLITE_OK);
      g_assert_cmpint (sqlite3_exec (db, updates[i], NULL, NULL, NULL), ==, SQLITE_OK);
      sqlite3_close (db);

      store = chancery_store_open (path, CHANCERY_STORE_READ_WRITE, NULL, &error);
      g_assert_no_error (error);
      bytes = csv_bytes (store, NULL, 16 * 1024);
      g_assert_true (g_bytes_equal (bytes, expected));
    }
}

/* Runs sql on the fixture's file with a connection of its own, and opens
 * the store again. */
static ChanceryStore *
reopen_after (Fixture    *fixture,
              const char *sql)
{
  g_autofree char *path = g_strdup (chancery_store_get_path (fixture->store));
  g_autoptr(GError) error = NULL;
  ChanceryStore *store;
  sqlite3 *db = NULL;

  g_clear_object (&fixture->store);
  g_assert_cmpint (sqlite3_open (path, &db), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (db, sql, NULL, NULL, NULL), ==, SQLITE_OK);
  sqlite3_close (db);

  store = chancery_store_open (path, CHANCERY_STORE_READ_WRITE, NULL, &error);
  g_assert_no_error (error);
  return store;
}

/* The export of filter through the spool, in memory and through a file,
 * must be what reading in time order gives, n_rows rows; returns that. */
static GBytes *
assert_spooled_as_time_order (ChanceryStore        *store,
                              const ChanceryFilter *filter,
                              guint                 n_rows)
{
  GBytes *expected = csv_bytes (store, filter, -1);
  g_autoptr(GBytes) in_memory = csv_bytes (store, filter, 256 * 1024 * 1024);
  g_autoptr(GBytes) through_file = csv_bytes (store, filter, 16 * 1024);

  g_assert_cmpuint (count_rows (expected) - 1, ==, n_rows);
  g_assert_true (g_bytes_equal (in_memory, expected));
  g_assert_true (g_bytes_equal (through_file, expected));
  return expected;
}

/* A selection in clusters far apart in the file (more than a sixteenth
 * of the events, so the export scans): the readers search their way from
 * one cluster to the next, and must still hand over every selected event
 * with all its relations, the first and the last row of the file
 * included. */
static void
test_csv_far_apart (Fixture       *fixture,
                    gconstpointer  data)
{
  g_autoptr(ChanceryStore) store = reopen_after (fixture,
    "INSERT INTO event_country (event_id, country) SELECT id, 'XYZ' FROM event"
    " WHERE id BETWEEN 1 AND 96 OR (id BETWEEN 1001 AND 1300 AND id % 3 = 0)"
    " OR id = 2000 OR id >= 2991");
  g_autoptr(ChanceryFilter) filter = chancery_filter_new ();
  g_autoptr(GError) error = NULL;

  g_assert_cmpuint (MANY_EVENTS, ==, 3000);
  chancery_filter_add_country (filter, "XYZ", &error);
  g_assert_no_error (error);

  /* 96 + 100 + 1 + 10 events: more than 3000 / 16. */
  g_bytes_unref (assert_spooled_as_time_order (store, filter, 207));
}

/* Relation rows whose event id is text (a file edited by hand: the
 * tables are not STRICT) sort after every number. A selection whose first
 * event is far into the file makes the relations' reader search its way
 * there, and here the project table's numbered rows end before it; the
 * text row must end that table, not send the search back to the first
 * selected event (which never ended), and is left out as reading in time
 * order leaves it out. */
static void
test_csv_text_event_id (Fixture       *fixture,
                        gconstpointer  data)
{
  g_autoptr(ChanceryStore) store = reopen_after (fixture,
    "INSERT INTO event_country (event_id, country) SELECT id, 'XYW' FROM event"
    " WHERE id BETWEEN 500 AND 707;"
    " DELETE FROM event_project WHERE event_id > 100;"
    " INSERT INTO event_project (event_id, project_id) VALUES ('x', 1), (X'01', 2);"
    " INSERT INTO event_actor (event_id, actor_id, role) VALUES ('12abc', 1, 0)");
  g_autoptr(ChanceryFilter) filter = chancery_filter_new ();
  g_autoptr(GError) error = NULL;

  chancery_filter_add_country (filter, "XYW", &error);
  g_assert_no_error (error);

  g_bytes_unref (assert_spooled_as_time_order (store, filter, 208));
  g_bytes_unref (assert_spooled_as_time_order (store, NULL, MANY_EVENTS));
}

/* An event whose row id is negative (a file edited by hand): the export
 * did not scan such a file safely (the ranks are an array by row id); it
 * must give what reading in time order gives. */
static void
test_csv_negative_id (Fixture       *fixture,
                      gconstpointer  data)
{
  g_autoptr(ChanceryStore) store = reopen_after (fixture,
    "UPDATE event SET id = -1000000 WHERE id = 7;"
    " UPDATE event_actor SET event_id = -1000000 WHERE event_id = 7;"
    " UPDATE event_country SET event_id = -1000000 WHERE event_id = 7;"
    " UPDATE event_project SET event_id = -1000000 WHERE event_id = 7;"
    " UPDATE event_source SET event_id = -1000000 WHERE event_id = 7;"
    " UPDATE event_link SET event_id = -1000000 WHERE event_id = 7");
  g_autoptr(GBytes) expected = assert_spooled_as_time_order (store, NULL, MANY_EVENTS);

  g_assert_nonnull (g_strstr_len (g_bytes_get_data (expected, NULL), g_bytes_get_size (expected),
                                  "\r\nev-0006,"));
}

/* JSON */

static char *
json_glib_text (JsonNode *node)
{
  g_autoptr(JsonGenerator) generator = json_generator_new ();

  json_generator_set_root (generator, node);
  return json_generator_to_data (generator, NULL);
}

/* The exporter writes JSON text itself: strings and numbers come out as
 * json-glib writes them, except where json-glib's text is not JSON. */
static void
test_json_text (void)
{
  static const char *texts[] = {
    "", "plain", "Тегеран — تهران", "«all» “quoted” 😀", "back\\slash \"quote\"",
    "line\nbreak\ttab\rcr\bbs\ffeed", "=1+2",
  };
  static const double numbers[] = {
    0, -0.0, 1, -3.5, 0.1, 40.4093, 49.8671, -122.41941550000001, 0.30000000000000004,
    123456789, 1e16, 5e-324, 1.7976931348623157e308, 2.5e-7, 0.75, 100,
  };
  g_autoptr(GRand) rand = g_rand_new_with_seed (1206);

  for (guint c = 1; c < 128; c++)
    {
      g_autofree char *text = g_strdup_printf ("a%cb", c);
      g_autoptr(JsonNode) node = json_node_init_string (json_node_alloc (), text);
      g_autofree char *expected = json_glib_text (node);
      g_autoptr(GString) ours = g_string_new (NULL);
      g_autoptr(JsonNode) back = NULL;
      g_autoptr(GError) error = NULL;

      chancery_json_append_string (ours, text);
      /* json-glib 1.6 leaves U+001F raw, which JSON forbids. */
      if (c == 0x1f)
        g_assert_cmpstr (ours->str, ==, "\"a\\u001fb\"");
      else
        g_assert_cmpstr (ours->str, ==, expected);
      back = json_from_string (ours->str, &error);
      g_assert_no_error (error);
      g_assert_cmpstr (json_node_get_string (back), ==, text);
    }
  for (guint i = 0; i < G_N_ELEMENTS (texts); i++)
    {
      g_autoptr(JsonNode) node = json_node_init_string (json_node_alloc (), texts[i]);
      g_autofree char *expected = json_glib_text (node);
      g_autoptr(GString) ours = g_string_new (NULL);

      chancery_json_append_string (ours, texts[i]);
      g_assert_cmpstr (ours->str, ==, expected);
    }

  for (guint i = 0; i < G_N_ELEMENTS (numbers) + 200; i++)
    {
      double value = i < G_N_ELEMENTS (numbers) ? numbers[i]
                   : g_rand_double_range (rand, -1, 1) * pow (10, g_rand_int_range (rand, -30, 30));
      g_autoptr(JsonNode) node = json_node_init_double (json_node_alloc (), value);
      g_autofree char *expected = json_glib_text (node);
      g_autoptr(GString) ours = g_string_new (NULL);
      g_autoptr(JsonNode) back = NULL;
      g_autoptr(GError) error = NULL;

      chancery_json_append_double (ours, value);
      /* json-glib 1.6 writes "1e+22.0" for 1e22. */
      if (strchr (ours->str, 'e') != NULL && strchr (ours->str, '.') == NULL)
        {
          g_autofree char *with_dot = g_strconcat (ours->str, ".0", NULL);

          g_assert_cmpstr (with_dot, ==, expected);
        }
      else
        g_assert_cmpstr (ours->str, ==, expected);
      back = json_from_string (ours->str, &error);
      g_assert_no_error (error);
      g_assert_true (json_node_get_double (back) == value);
    }
  {
    g_autoptr(GString) ours = g_string_new (NULL);

    chancery_json_append_double (ours, 1e22);
    g_assert_cmpstr (ours->str, ==, "1e+22");
  }
}

static GBytes *
json_bytes (ChanceryStore        *store,
            const ChanceryFilter *filter,
            gsize                 spool_memory)
{
  g_autoptr(GOutputStream) out = g_memory_output_stream_new_resizable ();
  g_autoptr(GError) error = NULL;

  g_assert_true (chancery_export_json_with_budget (store, filter, spool_memory, out, NULL, &error));
  g_assert_no_error (error);
  g_output_stream_close (out, NULL, &error);
  g_assert_no_error (error);

  return g_memory_output_stream_steal_as_bytes (G_MEMORY_OUTPUT_STREAM (out));
}

static gboolean
collect_uid_cb (ChanceryEvent  *event,
                gpointer        user_data,
                GError        **error)
{
  g_ptr_array_add (user_data, g_strdup (event->uid));
  return TRUE;
}

/* The store gives filter's events in the event list's date order, the
 * index's (an open start "../B" where B begins, not at its soft start a
 * year before); returns how many of them that moved from the time order. */
static guint
assert_date_order (ChanceryStore        *store,
                   const ChanceryFilter *filter)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GArray) ids = chancery_store_query_ids (store, filter, NULL, &error);
  g_autoptr(ChanceryIndex) index = NULL;
  guint moved = 0;

  g_assert_no_error (error);
  index = chancery_store_load_index (store, filter, CHANCERY_GROUP_NONE, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (index->n_events, ==, ids->len);
  for (guint i = 0; i < ids->len; i++)
    {
      guint position = chancery_index_date_order_get_position (index, i);

      g_assert_cmpint (index->events[position].id, ==, g_array_index (ids, gint64, i));
      moved += position != i;
    }
  return moved;
}

/* A file made by hand may give an open start an end before its start, or
 * a precision past "year": the exports' date order reads such a row as
 * the index does (clamped), so both still agree. */
static void
test_date_order_hand_made (Fixture       *fixture,
                           gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ChanceryFilter) until = chancery_filter_new ();
  sqlite3 *db = NULL;

  g_assert_cmpint (sqlite3_open (chancery_store_get_path (fixture->store), &db), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (db,
                                 "UPDATE event SET hi_day = lo_day - 400 WHERE id IN"
                                 " (SELECT id FROM event WHERE (flags & 3) = 1 ORDER BY id LIMIT 5);"
                                 "UPDATE event SET precision = 256 + precision WHERE id IN"
                                 " (SELECT id FROM event WHERE (flags & 3) = 1 ORDER BY id LIMIT 5 OFFSET 5);",
                                 NULL, NULL, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_changes (db), ==, 5);
  sqlite3_close (db);

  g_assert_cmpuint (assert_date_order (fixture->store, NULL), >, 100);
  /* A date in the filter: the scan for the events that move reads the
   * table, not event_by_time (the same order, found another way). */
  g_assert_true (chancery_filter_set_to (until, "2005-06", &error));
  g_assert_no_error (error);
  g_assert_cmpuint (assert_date_order (fixture->store, until), >, 50);
}

static void
add_member_value (GHashTable *set,
                  JsonObject *object,
                  const char *member)
{
  if (object != NULL && json_object_has_member (object, member))
    g_hash_table_add (set, g_strdup (json_object_get_string_member (object, member)));
}

/* The keys of a header array: sorted, each once, and exactly the set given. */
static void
assert_records (JsonObject *root,
                const char *member,
                const char *key,
                GHashTable *expected)
{
  JsonArray *records = json_object_get_array_member (root, member);
  const char *last = "";

  g_assert_cmpuint (json_array_get_length (records), ==, g_hash_table_size (expected));
  for (guint i = 0; i < json_array_get_length (records); i++)
    {
      const char *value = json_object_get_string_member (json_array_get_object_element (records, i), key);

      g_assert_cmpstr (last, <, value);
      g_assert_true (g_hash_table_contains (expected, value));
      last = value;
    }
}

/* The events wait in the spool (memory, partly or wholly a file) while
 * the records they name are gathered: the bytes do not depend on where
 * they waited; the events come in time order, the header holds exactly
 * the records they name, and links stay inside the export. */
static void
test_json_spool (Fixture       *fixture,
                 gconstpointer  data)
{
  g_autoptr(ChanceryFilter) by_country = chancery_filter_new ();
  g_autoptr(ChanceryFilter) by_text = chancery_filter_new ();
  g_autoptr(ChanceryFilter) few = chancery_filter_new ();
  g_autoptr(ChanceryFilter) none = chancery_filter_new ();
  g_autoptr(GError) error = NULL;
  ChanceryFilter *filters[] = { NULL, by_country, by_text, none, few };

  chancery_filter_add_country (by_country, "AZE", &error);
  g_assert_no_error (error);
  chancery_filter_set_text (by_text, "quotes");
  chancery_filter_add_actor (few, "actor-3");
  chancery_filter_set_text (none, "nothingmatchesthis");

  for (guint f = first_case (fixture, G_N_ELEMENTS (filters)); f < G_N_ELEMENTS (filters); f++)
    {
      g_autoptr(GBytes) in_memory = json_bytes (fixture->store, filters[f], 256 * 1024 * 1024);
      g_autoptr(GBytes) through_file = json_bytes (fixture->store, filters[f], 16 * 1024);
      g_autoptr(GBytes) all_to_file = json_bytes (fixture->store, filters[f], 0);
      g_autoptr(GPtrArray) uids = g_ptr_array_new_with_free_func (g_free);
      g_autoptr(GHashTable) exported = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
      g_autoptr(GHashTable) actors = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
      g_autoptr(GHashTable) countries = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
      g_autoptr(GHashTable) projects = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
      g_autoptr(GHashTable) sources = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
      g_autofree char *text = g_strndup (g_bytes_get_data (in_memory, NULL), g_bytes_get_size (in_memory));
      g_autoptr(JsonNode) root = NULL;
      JsonArray *events;
      guint n_links = 0;

      g_assert_true (g_bytes_equal (through_file, in_memory));
      g_assert_true (g_bytes_equal (all_to_file, in_memory));

      g_assert_true (chancery_store_foreach_event (fixture->store, filters[f], collect_uid_cb,
                                                   uids, NULL, &error));
      g_assert_no_error (error);
      /* ... in date order, where some ("../B") leave the time order. */
      if (filters[f] == NULL)
        g_assert_cmpuint (assert_date_order (fixture->store, filters[f]), >, 100);
      else
        assert_date_order (fixture->store, filters[f]);
      root = json_from_string (text, &error);
      g_assert_no_error (error);
      events = json_object_get_array_member (json_node_get_object (root), "events");
      g_test_message ("filter %u: %u events", f, uids->len);
      g_assert_cmpuint (json_array_get_length (events), ==, uids->len);
      if (filters[f] == none)
        g_assert_cmpuint (uids->len, ==, 0);
      else
        g_assert_cmpuint (uids->len, >, 5);
      if (filters[f] == few && fixture->n_events > 16 * 256)
        {
          /* Read by id in more than one chunk. */
          g_assert_cmpuint (uids->len, >, 256);
          g_assert_cmpuint (uids->len, <, fixture->n_events / 16);
        }

      for (guint i = 0; i < uids->len; i++)
        {
          JsonObject *event = json_array_get_object_element (events, i);
          JsonArray *list;

          g_assert_cmpstr (json_object_get_string_member (event, "id"), ==, g_ptr_array_index (uids, i));
          g_hash_table_add (exported, g_strdup (g_ptr_array_index (uids, i)));
          list = json_object_get_array_member (event, "actors");
          for (guint k = 0; k < json_array_get_length (list); k++)
            add_member_value (actors, json_array_get_object_element (list, k), "actor");
          list = json_object_get_array_member (event, "sources");
          for (guint k = 0; k < json_array_get_length (list); k++)
            add_member_value (sources, json_array_get_object_element (list, k), "source");
          list = json_object_get_array_member (event, "countries");
          for (guint k = 0; k < json_array_get_length (list); k++)
            g_hash_table_add (countries, g_strdup (json_array_get_string_element (list, k)));
          list = json_object_get_array_member (event, "projects");
          for (guint k = 0; k < json_array_get_length (list); k++)
            g_hash_table_add (projects, g_strdup (json_array_get_string_element (list, k)));
          if (json_object_has_member (event, "place"))
            add_member_value (countries, json_object_get_object_member (event, "place"), "country");
        }
      for (guint i = 0; i < uids->len; i++)
        {
          JsonArray *related = json_object_get_array_member (json_array_get_object_element (events, i), "related");

          for (guint k = 0; k < json_array_get_length (related); k++, n_links++)
            g_assert_true (g_hash_table_contains (exported,
                             json_object_get_string_member (json_array_get_object_element (related, k), "event")));
        }
      if (f == 0)
        g_assert_cmpuint (n_links, >, 0);

      assert_records (json_node_get_object (root), "actors", "id", actors);
      assert_records (json_node_get_object (root), "sources", "id", sources);
      assert_records (json_node_get_object (root), "projects", "id", projects);
      assert_records (json_node_get_object (root), "countries", "code", countries);
    }
}

/* Cancelled while the events are read, the JSON export says so. */
static void
test_json_cancelled (Fixture       *fixture,
                     gconstpointer  data)
{
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GOutputStream) out = g_memory_output_stream_new_resizable ();
  g_autoptr(GError) error = NULL;

  g_cancellable_cancel (cancellable);
  g_assert_false (chancery_export_to_stream (fixture->store, NULL, CHANCERY_EXPORT_JSON,
                                             out, cancellable, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
}

/* The length of the line at line, with its line break. The walk uses
 * memchr, not strstr: AddressSanitizer checks the whole rest of the text
 * on each strstr, which made these walks quadratic under the sanitizer. */
static gsize
line_length (const char *line,
             const char *text_end)
{
  const char *newline = memchr (line, '\n', (gsize) (text_end - line));

  return newline != NULL ? (gsize) (newline - line) + 1 : (gsize) (text_end - line);
}

/* The iCalendar text without its DTSTAMP lines (the time of export). */
static char *
ics_text (ChanceryStore        *store,
          const ChanceryFilter *filter,
          gssize                spool_memory)   /* -1: in time order, no spool */
{
  g_autoptr(GBytes) bytes = export_bytes (store, filter, spool_memory, chancery_export_ics_with_budget,
                                          chancery_export_ics_in_time_order);
  gsize size;
  const char *text = g_bytes_get_data (bytes, &size);
  const char *text_end = text + size;
  GString *kept = g_string_sized_new (size);

  for (const char *line = text; line < text_end;)
    {
      gsize len = line_length (line, text_end);

      if (!(len >= 8 && memcmp (line, "DTSTAMP:", 8) == 0))
        g_string_append_len (kept, line, len);
      line += len;
    }
  return g_string_free (kept, FALSE);
}

/* How many lines of text start with prefix. */
static guint
count_lines_starting (const char *text,
                      const char *prefix)
{
  const char *text_end = text + strlen (text);
  gsize prefix_len = strlen (prefix);
  guint n = 0;

  for (const char *line = text; line < text_end; line += line_length (line, text_end))
    if ((gsize) (text_end - line) >= prefix_len && memcmp (line, prefix, prefix_len) == 0)
      n++;
  return n;
}

/* Through the spool (in memory, partly or wholly on file) the calendar is
 * the one read in time order, for most, some and a few events. */
static void
test_ics_same_as_time_order (Fixture       *fixture,
                             gconstpointer  data)
{
  g_autoptr(ChanceryFilter) by_country = chancery_filter_new ();
  g_autoptr(ChanceryFilter) few = chancery_filter_new ();
  g_autoptr(GError) error = NULL;
  ChanceryFilter *filters[] = { NULL, by_country, few };

  chancery_filter_add_country (by_country, "AZE", &error);
  g_assert_no_error (error);
  chancery_filter_add_actor (few, "actor-3");

  for (guint f = first_case (fixture, G_N_ELEMENTS (filters)); f < G_N_ELEMENTS (filters); f++)
    {
      g_autofree char *expected = ics_text (fixture->store, filters[f], -1);
      g_autofree char *in_memory = ics_text (fixture->store, filters[f], 256 * 1024 * 1024);
      g_autofree char *through_file = ics_text (fixture->store, filters[f], 16 * 1024);
      g_autofree char *all_to_file = ics_text (fixture->store, filters[f], 0);
      guint n = count_lines_starting (expected, "BEGIN:VEVENT\r\n");

      g_test_message ("filter %u: %u events", f, n);
      g_assert_cmpuint (n, >, 5);
      g_assert_null (strstr (expected, "DTSTAMP"));   /* once over the text: linear */
      if (filters[f] == NULL)
        g_assert_cmpuint (n, ==, fixture->n_events);
      if (filters[f] == few && fixture->n_events > 16 * 256)
        g_assert_cmpuint (n, >, 256);  /* read by id in more than one chunk */
      g_assert_cmpstr (in_memory, ==, expected);
      g_assert_cmpstr (through_file, ==, expected);
      g_assert_cmpstr (all_to_file, ==, expected);
    }
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

/* RFC 5545's TEXT: backslash, semicolon, comma and line breaks escaped,
 * tab kept, every other control character left out. */
static void
test_ics_text (void)
{
  g_autoptr(GString) line = g_string_new ("SUMMARY:");

  chancery_ics_append_text (line, "a\\b;c,d\ne\r\nf\rg\th:\"i\x01j\x1bk\x7fl\x0bm\x0cn\x1fo");
  g_assert_cmpstr (line->str, ==, "SUMMARY:a\\\\b\\;c\\,d\\ne\\nf\\ng\th:\"ijklmno");

  g_string_truncate (line, 0);
  chancery_ics_append_text (line, "\r\n\r\r\n\n\r");
  g_assert_cmpstr (line->str, ==, "\\n\\n\\n\\n\\n");

  g_string_truncate (line, 0);
  chancery_ics_append_text (line, "Тегеран — تهران 😀");
  g_assert_cmpstr (line->str, ==, "Тегеран — تهران 😀");
}

/* A URI keeps working and can never end its line: whatever a URI may not
 * hold is percent-encoded; a value without a scheme is not written. */
static void
test_ics_uri (void)
{
  static const struct { const char *in; const char *out; } cases[] = {
    { "https://example.org/a?b=1&c=%20d#e", "https://example.org/a?b=1&c=%20d#e" },
    { "http://x/a b\nBEGIN:VEVENT\nSUMMARY:injected\nEND:VEVENT\n",
      "http://x/a%20b%0ABEGIN:VEVENT%0ASUMMARY:injected%0AEND:VEVENT%0A" },
    { "http://x/\r\n\t\x01\x7f\"<>\\^`{|}", "http://x/%0D%0A%09%01%7F%22%3C%3E%5C%5E%60%7B%7C%7D" },
    { "https://fa.wikipedia.org/wiki/تهران", "https://fa.wikipedia.org/wiki/%D8%AA%D9%87%D8%B1%D8%A7%D9%86" },
    { "mailto:desk@example.org", "mailto:desk@example.org" },
  };
  static const char *refused[] = { "", "www.example.org/a", "/a/b", "1http://x", "ht tp://x", "://x" };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GString) line = g_string_new ("URL:");

      g_assert_true (chancery_ics_append_uri (line, cases[i].in));
      g_assert_cmpstr (line->str + 4, ==, cases[i].out);
    }
  for (guint i = 0; i < G_N_ELEMENTS (refused); i++)
    {
      g_autoptr(GString) line = g_string_new ("URL:");

      g_assert_false (chancery_ics_append_uri (line, refused[i]));
      g_assert_cmpstr (line->str, ==, "URL:");
    }
}

/* Every physical line of an iCalendar text ends in CRLF, holds at most 75
 * octets and is valid UTF-8; CR and LF appear nowhere else. */
static void
assert_ics_lines (const char *text,
                  gsize       len)
{
  const char *end = text + len;

  for (const char *line = text; line < end;)
    {
      const char *crlf = g_strstr_len (line, end - line, "\r\n");

      g_assert_nonnull (crlf);
      if ((gsize) (crlf - line) > 75)
        g_error ("a line of %" G_GSIZE_FORMAT " octets: %.*s", (gsize) (crlf - line), (int) (crlf - line), line);
      g_assert_null (memchr (line, '\r', crlf - line));
      g_assert_null (memchr (line, '\n', crlf - line));
      g_assert_true (g_utf8_validate_len (line, crlf - line, NULL));
      line = crlf + 2;
    }
}

/* Folds at 75 octets, a space in front of each continuation (which counts),
 * never inside a UTF-8 sequence and never more than needed; unfolding gives
 * the line back. Lengths around each fold, with 1- to 4-byte characters on
 * the boundary. */
static void
test_ics_folding (void)
{
  static const char *tails[] = { "a", "ت", "—", "😀" };

  for (guint t = 0; t < G_N_ELEMENTS (tails); t++)
    for (gsize n = 0; n <= 240; n++)
      {
        g_autoptr(GString) line = g_string_new (NULL);
        g_autoptr(GString) buf = g_string_new (NULL);
        g_autoptr(GString) unfolded = g_string_new (NULL);
        gsize first_len;
        const char *p;

        /* ASCII up to n octets, then characters of the tail's width */
        for (gsize i = 0; i < n; i++)
          g_string_append_c (line, 'a' + i % 26);
        for (guint i = 0; i < 4; i++)
          g_string_append (line, tails[t]);
        g_string_append_c (line, 'z');

        chancery_ics_append_folded (buf, line->str, line->len);
        assert_ics_lines (buf->str, buf->len);
        g_assert_true (g_str_has_suffix (buf->str, "\r\n"));

        /* No fold earlier than the character that would cross octet 75 */
        first_len = strstr (buf->str, "\r\n") - buf->str;
        if (line->len <= 75)
          g_assert_cmpuint (first_len, ==, line->len);
        else
          g_assert_cmpuint (first_len, >, 75 - strlen (tails[t]));

        for (p = buf->str; *p != '\0';)
          {
            const char *crlf = strstr (p, "\r\n");

            if (p != buf->str)
              {
                g_assert_cmpint (*p, ==, ' ');
                p++;
                g_assert_cmpuint (crlf - p, >, 0);   /* no empty continuation */
              }
            g_string_append_len (unfolded, p, crlf - p);
            p = crlf + 2;
          }
        g_assert_cmpstr (unfolded->str, ==, line->str);
      }

  /* The exact boundaries */
  {
    g_autoptr(GString) buf = g_string_new (NULL);
    g_autofree char *a75 = g_strnfill (75, 'a');
    g_autofree char *a150 = g_strnfill (150, 'a');

    chancery_ics_append_folded (buf, a75, 75);
    g_assert_cmpstr (buf->str, ==, "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\r\n");
    g_string_truncate (buf, 0);
    chancery_ics_append_folded (buf, a150, 150);
    g_assert_cmpuint (buf->len, ==, 75 + 2 + 1 + 74 + 2 + 1 + 1 + 2);
    g_assert_true (g_str_has_suffix (buf->str, "a\r\n a\r\n"));
  }
}

static void
import_json_text (ChanceryStore *store,
                  const char    *json)
{
  g_autoptr(GError) error = NULL;
  ChanceryImportReport report;

  chancery_import_report_init (&report);
  chancery_import_json_data (store, json, -1, "test.json", &report, NULL, &error);
  g_assert_no_error (error);
  chancery_import_report_clear (&report);
}

static char *
export_ics_checked (Fixture    *fixture,
                    const char *name)
{
  gsize length;
  char *path = export_to_file (fixture, CHANCERY_EXPORT_ICS, name, &length);
  g_autofree char *text = NULL;

  g_file_get_contents (path, &text, &length, NULL);
  assert_ics_lines (text, length);
  /* No control character but the CRLFs and tab */
  for (gsize i = 0; i < length; i++)
    {
      guchar c = text[i];

      if ((c < 0x20 && c != '\r' && c != '\n' && c != '\t') || c == 0x7f)
        g_error ("control character 0x%02x at octet %" G_GSIZE_FORMAT, c, i);
    }
  return path;
}

/* Source URLs and texts from a hostile or careless file: one VEVENT each,
 * the URL as given (percent-encoded where it had to be), lines folded
 * right whatever their length, control characters gone. */
static void
test_ics_hostile (Fixture       *fixture,
                  gconstpointer  data)
{
  static const char *wide[] = { "ت", "—", "😀" };
  g_autoptr(GString) json = g_string_new ("{ \"format\": \"chancery\", \"version\": 1,\n  \"sources\": [\n");
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *path = NULL;
  JsonArray *events;
  JsonObject *event;
  guint n_events = 5;

  /* URLs of 60 to 160 characters: "URL:" and these cross both folds */
  for (guint n = 60; n <= 160; n++)
    {
      g_autofree char *tail = g_strnfill (n - strlen ("http://example.org/"), 'a');

      g_string_append_printf (json, "    { \"id\": \"url-%u\", \"publisher\": \"P\", \"url\": \"http://example.org/%s\" },\n",
                              n, tail);
    }
  g_string_append (json,
                   "    { \"id\": \"inject\", \"publisher\": \"P\\u0007\",\n"
                   "      \"url\": \"http://x/a b\\nBEGIN:VEVENT\\nSUMMARY:injected\\nEND:VEVENT\\n\" },\n"
                   "    { \"id\": \"bare\", \"publisher\": \"Q\", \"url\": \"www.example.org/a\" } ],\n"
                   "  \"events\": [\n"
                   "    { \"id\": \"inject\", \"kind\": \"meeting\", \"status\": \"occurred\", \"date\": \"2025-12-08\",\n"
                   "      \"title\": \"T\\u0001i\\u007ftle\\u001b[31m\", \"summary\": \"one\\r\\ntwo\\rthree\\u000bfour\\ttab\",\n"
                   "      \"place\": { \"name\": \"Ba\\u0002ku\" },\n"
                   "      \"sources\": [ { \"source\": \"bare\" }, { \"source\": \"inject\", \"quote\": \"q\\u0001\\u0008\" } ] }");
  for (guint n = 60; n <= 160; n++, n_events++)
    g_string_append_printf (json, ",\n    { \"id\": \"url-%u\", \"kind\": \"meeting\", \"status\": \"occurred\", \"date\": \"2025-12-08\","
                            " \"title\": \"u\", \"sources\": [ { \"source\": \"url-%u\" } ] }", n, n);
  /* Titles with wide characters across octet 75 and 150 of "SUMMARY:…" */
  for (guint w = 0; w < G_N_ELEMENTS (wide); w++)
    for (guint n = 60; n <= 150; n++, n_events++)
      {
        g_autofree char *head = g_strnfill (n, 'a');

        g_string_append_printf (json, ",\n    { \"id\": \"wide-%u-%u\", \"kind\": \"meeting\", \"status\": \"occurred\","
                                " \"date\": \"2025-12-08\", \"title\": \"%s%s%s%sz\" }",
                                w, n, head, wide[w], wide[w], wide[w]);
      }
  g_string_append (json, "\n  ] }\n");
  import_json_text (fixture->store, json->str);
  n_events++;   /* "inject" */

  path = export_ics_checked (fixture, "hostile.ics");
  root = parse_with_python ("ics", path);
  events = json_object_get_array_member (json_node_get_object (root), "events");
  g_assert_cmpuint (json_array_get_length (events), ==, n_events);

  event = find_vevent (events, "inject@chancery");
  g_assert_cmpstr (member (event, "url"), ==, "http://x/a%20b%0ABEGIN:VEVENT%0ASUMMARY:injected%0AEND:VEVENT%0A");
  g_assert_cmpstr (member (event, "summary"), ==, "Title[31m");
  g_assert_cmpstr (member (event, "location"), ==, "Baku");
  g_assert_true (g_str_has_prefix (member (event, "description"), "one\ntwo\nthreefour\ttab\n\n"));
  g_assert_nonnull (strstr (member (event, "description"), "- Q <www.example.org/a>\n"));   /* still there, as text */
  g_assert_nonnull (strstr (member (event, "description"), "<http://x/a b\nBEGIN:VEVENT\nSUMMARY:injected\nEND:VEVENT\n>: “q”"));

  for (guint n = 60; n <= 160; n++)
    {
      g_autofree char *uid = g_strdup_printf ("url-%u@chancery", n);
      g_autofree char *tail = g_strnfill (n - strlen ("http://example.org/"), 'a');
      g_autofree char *url = g_strconcat ("http://example.org/", tail, NULL);

      event = find_vevent (events, uid);
      g_assert_cmpstr (member (event, "url"), ==, url);
      g_assert_cmpstr (member (event, "summary"), ==, "u");
    }
  for (guint w = 0; w < G_N_ELEMENTS (wide); w++)
    for (guint n = 60; n <= 150; n++)
      {
        g_autofree char *uid = g_strdup_printf ("wide-%u-%u@chancery", w, n);
        g_autofree char *head = g_strnfill (n, 'a');
        g_autofree char *title = g_strconcat (head, wide[w], wide[w], wide[w], "z", NULL);

        g_assert_cmpstr (member (find_vevent (events, uid), "summary"), ==, title);
      }
}

/* The importer's whole range, years 1 to 9999, as valid all-day dates.
 * The day after 9999-12-31 has no DATE, so events that end on it say how
 * many days they last instead of where they end. */
static void
test_ics_edge_dates (Fixture       *fixture,
                     gconstpointer  data)
{
  static const struct { const char *date; const char *start; const char *end; gint64 days; } cases[] = {
    { "0001",          "0001-01-01", "0002-01-01", -1 },
    { "0001-01",       "0001-01-01", "0001-02-01", -1 },
    { "0001-01-01",    "0001-01-01", "0001-01-02", -1 },
    { "../0001-01-01", "0001-01-01", "0001-01-02", -1 },
    { "0001-01-01/..", "0001-01-01", "0001-01-02", -1 },
    { "9999-12-30",    "9999-12-30", "9999-12-31", -1 },
    { "9999",          "9999-01-01", NULL, 365 },
    { "9999-12",       "9999-12-01", NULL, 31 },
    { "9999-12-31",    "9999-12-31", NULL, 1 },
    { "../9999-12-31", "9999-12-31", NULL, 1 },
    { "9999-12-31/..", "9999-12-31", NULL, 1 },
    { "9999-12-30/9999-12-31", "9999-12-30", NULL, 2 },
    { "0001-01-01/9999-12-31", "0001-01-01", NULL, 3652059 },
  };
  g_autoptr(GString) json = g_string_new ("{ \"format\": \"chancery\", \"version\": 1, \"events\": [\n");
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *path = NULL;
  g_autofree char *text = NULL;
  JsonArray *events;

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    g_string_append_printf (json, "%s  { \"id\": \"edge-%u\", \"kind\": \"meeting\", \"status\": \"occurred\","
                            " \"title\": \"%s\", \"date\": \"%s\" }",
                            i > 0 ? ",\n" : "", i, cases[i].date, cases[i].date);
  g_string_append (json, "\n] }\n");
  import_json_text (fixture->store, json->str);

  path = export_ics_checked (fixture, "edge.ics");
  root = parse_with_python ("ics", path);
  events = json_object_get_array_member (json_node_get_object (root), "events");
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *uid = g_strdup_printf ("edge-%u@chancery", i);
      JsonObject *event = find_vevent (events, uid);

      g_test_message ("%s", cases[i].date);
      /* Dates, not date-times (parse-export.py would say "datetime:") */
      g_assert_cmpstr (member (event, "dtstart"), ==, cases[i].start);
      if (cases[i].end != NULL)
        {
          g_assert_cmpstr (member (event, "dtend"), ==, cases[i].end);
          g_assert_true (json_object_get_null_member (event, "duration_days"));
        }
      else
        {
          g_assert_true (json_object_get_null_member (event, "dtend"));
          g_assert_cmpint (json_object_get_int_member (event, "duration_days"), ==, cases[i].days);
        }
    }

  /* Every DTSTART and DTEND says it is a DATE */
  g_file_get_contents (path, &text, NULL, NULL);
  g_assert_null (strstr (text, "DTSTART:"));
  g_assert_null (strstr (text, "DTEND:"));
  g_assert_nonnull (strstr (text, "\r\nDTSTART;VALUE=DATE:00010101\r\nDTEND;VALUE=DATE:00020101\r\n"));
  g_assert_nonnull (strstr (text, "\r\nDTSTART;VALUE=DATE:99990101\r\nDURATION:P365D\r\n"));
}

typedef struct
{
  ChanceryStore *store;
  GOutputStream *out;
  GCancellable  *cancellable;
  GError        *error;
  gboolean       ok;
  gboolean       done;
  GMutex         lock;
  GCond          cond;
} PipeExport;

static gpointer
pipe_export_thread (gpointer data)
{
  PipeExport *export = data;
  gboolean ok = chancery_export_csv (export->store, NULL, export->out, export->cancellable, &export->error);

  g_mutex_lock (&export->lock);
  export->ok = ok;
  export->done = TRUE;
  g_cond_signal (&export->cond);
  g_mutex_unlock (&export->lock);

  return NULL;
}

/* An export to a non-blocking pipe (standard output may be one) waits
 * while the pipe is full; cancelling it (the window's Cancel, a closed
 * window) ends the wait. It used to wait until the reader read. */
static void
test_cancelled_full_pipe (Fixture       *fixture,
                          gconstpointer  data)
{
  PipeExport export = { .store = fixture->store };
  GThread *thread;
  gint64 deadline;
  gboolean finished;
  int fds[2], capacity, queued = 0;

  /* A reader that goes away gives the writer EPIPE, not a signal. */
  signal (SIGPIPE, SIG_IGN);
  g_assert_no_errno (pipe (fds));
  g_assert_no_errno (fcntl (fds[1], F_SETFL, O_NONBLOCK));
  capacity = fcntl (fds[1], F_SETPIPE_SZ, 4096);
  g_assert_cmpint (capacity, >=, 4096);
  export.out = g_unix_output_stream_new (fds[1], TRUE);
  export.cancellable = g_cancellable_new ();
  g_mutex_init (&export.lock);
  g_cond_init (&export.cond);
  thread = g_thread_new ("export", pipe_export_thread, &export);

  /* Until the pipe stops filling: the export waits for the reader. */
  deadline = g_get_monotonic_time () + 30 * G_TIME_SPAN_SECOND;
  for (guint still = 0; still < 50 && g_get_monotonic_time () < deadline; )
    {
      int now;

      g_usleep (10 * 1000);
      g_assert_no_errno (ioctl (fds[0], FIONREAD, &now));
      still = now > 0 && now == queued ? still + 1 : 0;
      queued = now;
    }
  g_assert_cmpint (queued, >, 0);
  g_assert_cmpint (queued, <=, capacity);
  g_mutex_lock (&export.lock);
  g_assert_false (export.done);
  g_mutex_unlock (&export.lock);

  g_cancellable_cancel (export.cancellable);
  deadline = g_get_monotonic_time () + 10 * G_TIME_SPAN_SECOND;
  g_mutex_lock (&export.lock);
  while (!export.done && g_cond_wait_until (&export.cond, &export.lock, deadline))
    ;
  finished = export.done;
  g_mutex_unlock (&export.lock);

  /* A stuck export ends with EPIPE, so that the test fails, not hangs. */
  close (fds[0]);
  g_thread_join (thread);
  g_assert_true (finished);
  g_assert_false (export.ok);
  g_assert_error (export.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);

  g_clear_error (&export.error);
  g_clear_object (&export.out);
  g_clear_object (&export.cancellable);
  g_mutex_clear (&export.lock);
  g_cond_clear (&export.cond);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add ("/export/csv/round-trip", Fixture, NULL, fixture_set_up, test_csv_round_trip, fixture_tear_down);
  g_test_add ("/export/csv/filtered", Fixture, NULL, fixture_set_up, test_csv_filtered, fixture_tear_down);
  g_test_add_func ("/export/csv/formula-after-space", test_csv_formula_after_space);
  g_test_add ("/export/csv/same-as-time-order", Fixture, NULL, many_set_up, test_csv_same_as_time_order, fixture_tear_down);
  g_test_add ("/export/csv/many-in-time-order", Fixture, NULL, many_set_up, test_csv_many_in_time_order, fixture_tear_down);
  g_test_add ("/export/csv/stops", Fixture, NULL, many_set_up, test_csv_stops, fixture_tear_down);
  g_test_add ("/export/csv/journal-modes", Fixture, NULL, many_set_up, test_csv_journal_modes, fixture_tear_down);
  g_test_add ("/export/csv/writer-pending", Fixture, NULL, many_set_up, test_csv_writer_pending, fixture_tear_down);
  g_test_add ("/export/csv/sparse-ids", Fixture, NULL, many_set_up, test_csv_sparse_ids, fixture_tear_down);
  g_test_add ("/export/csv/opener-stopped", Fixture, NULL, many_set_up, test_csv_opener_stopped, fixture_tear_down);
  g_test_add ("/export/csv/far-apart", Fixture, NULL, many_set_up, test_csv_far_apart, fixture_tear_down);
  g_test_add ("/export/csv/negative-id", Fixture, NULL, many_set_up, test_csv_negative_id, fixture_tear_down);
  g_test_add ("/export/csv/text-event-id", Fixture, NULL, many_set_up, test_csv_text_event_id, fixture_tear_down);
  g_test_add_func ("/export/json/text", test_json_text);
  g_test_add ("/export/json/spool", Fixture, NULL, many_set_up, test_json_spool, fixture_tear_down);
  g_test_add ("/export/date-order-hand-made", Fixture, NULL, many_set_up, test_date_order_hand_made,
              fixture_tear_down);
  g_test_add ("/export/csv/by-id-chunks", Fixture, GUINT_TO_POINTER (8000), many_set_up,
              test_csv_same_as_time_order, fixture_tear_down);
  g_test_add ("/export/ics/by-id-chunks", Fixture, GUINT_TO_POINTER (8000), many_set_up,
              test_ics_same_as_time_order, fixture_tear_down);
  g_test_add ("/export/json/by-id-chunks", Fixture, GUINT_TO_POINTER (8000), many_set_up,
              test_json_spool, fixture_tear_down);
  g_test_add ("/export/json/cancelled", Fixture, NULL, many_set_up, test_json_cancelled, fixture_tear_down);
  g_test_add ("/export/ics/python-icalendar", Fixture, NULL, fixture_set_up, test_ics, fixture_tear_down);
  g_test_add ("/export/ics/same-as-time-order", Fixture, NULL, many_set_up, test_ics_same_as_time_order, fixture_tear_down);
  g_test_add ("/export/ics/cancelled", Fixture, NULL, fixture_set_up, test_cancelled, fixture_tear_down);
  g_test_add ("/export/csv/cancelled-full-pipe", Fixture, NULL, many_set_up, test_cancelled_full_pipe,
              fixture_tear_down);
  g_test_add_func ("/export/ics/text", test_ics_text);
  g_test_add_func ("/export/ics/uri", test_ics_uri);
  g_test_add_func ("/export/ics/folding", test_ics_folding);
  g_test_add ("/export/ics/hostile", Fixture, NULL, fixture_set_up, test_ics_hostile, fixture_tear_down);
  g_test_add ("/export/ics/edge-dates", Fixture, NULL, fixture_set_up, test_ics_edge_dates, fixture_tear_down);

  return g_test_run ();
}
