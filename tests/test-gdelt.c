/* test-gdelt.c: importing real GDELT event files
 *
 * Copyright 2026 The Chancery developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Counts are checked against a count made here, independently of the
 * importer, from the real sample in tests/fixtures/gdelt/.
 */
#include "config.h"

#include <string.h>
#include <glib.h>
#include <glib/gstdio.h>

#include "chancery-error.h"
#include "chancery-import.h"
#include "chancery-store.h"
#include "test-common.h"

#define SAMPLE TEST_SRCDIR "/fixtures/gdelt/20170701234500.export.sample.tsv"

typedef struct
{
  char          *dir;
  ChanceryStore *store;
} Fixture;

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  g_autofree char *path = NULL;

  fixture->dir = test_make_tmp_dir ();
  path = g_build_filename (fixture->dir, "events.chancery", NULL);
  fixture->store = test_create_store (path);
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  g_clear_object (&fixture->store);
  test_remove_tree (fixture->dir);
  g_free (fixture->dir);
}

/* Independent count: rows of the sample whose EventRootCode (column 29) is
 * one of roots, and, when country is given, with an actor of that country
 * (columns 8 and 18). */
static guint
count_sample_rows (const char *const *roots,
                   const char        *country)
{
  g_autofree char *contents = NULL;
  g_auto(GStrv) lines = NULL;
  guint count = 0;

  g_assert_true (g_file_get_contents (SAMPLE, &contents, NULL, NULL));
  lines = g_strsplit (contents, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      g_auto(GStrv) cells = NULL;

      if (lines[i][0] == '\0')
        continue;
      cells = g_strsplit (lines[i], "\t", -1);
      g_assert_cmpuint (g_strv_length (cells), ==, 61);
      if (!g_strv_contains (roots, cells[28]))
        continue;
      if (country != NULL && strcmp (cells[7], country) != 0 && strcmp (cells[17], country) != 0)
        continue;
      count++;
    }

  return count;
}

static const char *const default_roots[] = { "01", "02", "03", "04", "05", "06", NULL };

static gboolean
import_file (Fixture                    *fixture,
             const char                 *path,
             const ChanceryGdeltOptions *options,
             ChanceryImportReport       *report,
             GError                    **error)
{
  chancery_import_report_init (report);
  return chancery_import_gdelt_file (fixture->store, path, options, report,
                                     NULL, NULL, NULL, error);
}

static void
test_sample (Fixture       *fixture,
             gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  ChanceryImportReport report;
  guint expected = count_sample_rows (default_roots, NULL);

  g_assert_cmpuint (expected, >, 1000);

  g_assert_true (import_file (fixture, SAMPLE, NULL, &report, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (report.inserted, ==, expected);
  g_assert_cmpuint (report.updated, ==, 0);
  g_assert_cmpuint (report.skipped, ==, 0);
  g_assert_cmpuint (report.filtered, ==, 3000 - expected);
  g_assert_cmpuint (report.messages->len, ==, 0);
  chancery_import_report_clear (&report);

  g_assert_cmpuint (chancery_store_count_events (fixture->store, NULL, &error), ==, expected);
  g_assert_no_error (error);

  /* Again: nothing changes */
  g_assert_true (import_file (fixture, SAMPLE, NULL, &report, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (report.inserted, ==, 0);
  g_assert_cmpuint (report.updated, ==, 0);
  g_assert_cmpuint (report.unchanged, ==, expected);
  chancery_import_report_clear (&report);
  g_assert_cmpuint (chancery_store_count_events (fixture->store, NULL, &error), ==, expected);
}

static ChanceryEventActor *
find_actor (ChanceryEvent *event,
            const char    *uid)
{
  for (guint i = 0; i < event->actors->len; i++)
    {
      ChanceryEventActor *actor = g_ptr_array_index (event->actors, i);

      if (strcmp (actor->uid, uid) == 0)
        return actor;
    }

  g_error ("event %s has no actor %s", event->uid, uid);
  return NULL;
}

static gboolean
has_country (ChanceryEvent *event,
             const char    *code)
{
  for (guint i = 0; i < event->countries->len; i++)
    if (strcmp (((ChanceryEventCountry *) g_ptr_array_index (event->countries, i))->code, code) == 0)
      return TRUE;

  return FALSE;
}

static ChanceryEvent *
get_event (Fixture    *fixture,
           const char *uid)
{
  g_autoptr(GError) error = NULL;
  ChanceryEvent *event = chancery_store_get_event_by_uid (fixture->store, uid, &error);

  g_assert_no_error (error);
  g_assert_nonnull (event);
  return event;
}

static void
test_cameo_mapping (Fixture       *fixture,
                    gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ChanceryEvent) visit = NULL;
  g_autoptr(ChanceryEvent) hosted = NULL;
  g_autoptr(ChanceryEvent) meeting = NULL;
  g_autoptr(ChanceryEvent) talks = NULL;
  g_autoptr(ChanceryEvent) agreement = NULL;
  g_autoptr(ChanceryEvent) statement = NULL;
  g_autoptr(ChanceryEvent) other = NULL;
  ChanceryEventSource *source;
  ChanceryImportReport report;

  g_assert_true (import_file (fixture, SAMPLE, NULL, &report, &error));
  g_assert_no_error (error);
  chancery_import_report_clear (&report);

  /* 042: SAUDI (SAU) visits CAIRO (EGY), 2016-07-01, Cairo */
  visit = get_event (fixture, "gdelt-669666369");
  g_assert_cmpint (visit->kind, ==, CHANCERY_KIND_VISIT);
  g_assert_cmpint (visit->status, ==, CHANCERY_STATUS_OCCURRED);
  g_assert_cmpstr (visit->cameo, ==, "042");
  g_assert_cmpstr (visit->date_text, ==, "2016-07-01");
  g_assert_cmpint (visit->date.lo, ==, visit->date.hi);
  g_assert_cmpint (chancery_date_get_precision (&visit->date), ==, CHANCERY_PRECISION_DAY);
  g_assert_cmpstr (visit->title, ==, "SAUDI — Visit — CAIRO");
  g_assert_cmpint (find_actor (visit, "gdelt-actor-SAU-SAUDI")->role, ==, CHANCERY_ROLE_GUEST);
  g_assert_cmpint (find_actor (visit, "gdelt-actor-EGY-CAIRO")->role, ==, CHANCERY_ROLE_HOST);
  g_assert_true (has_country (visit, "SAU"));
  g_assert_true (has_country (visit, "EGY"));
  g_assert_cmpstr (visit->place_name, ==, "Cairo, Al Qahirah, Egypt");
  g_assert_true (visit->has_coordinates);
  g_assert_cmpfloat_with_epsilon (visit->latitude, 30.05, 1e-9);
  g_assert_cmpfloat_with_epsilon (visit->longitude, 31.25, 1e-9);
  g_assert_cmpfloat (visit->importance, >, 0);
  g_assert_cmpuint (visit->sources->len, ==, 1);
  source = g_ptr_array_index (visit->sources, 0);
  g_assert_true (g_str_has_prefix (source->uid, "gdelt-src-"));
  g_assert_cmpstr (source->publisher, ==, "www.thearabweekly.com");
  g_assert_true (g_str_has_prefix (source->url, "http://www.thearabweekly.com/article/8771/"));

  /* 043: COMPANY hosts WASHINGTON */
  hosted = get_event (fixture, "gdelt-669666357");
  g_assert_cmpint (hosted->kind, ==, CHANCERY_KIND_VISIT);
  g_assert_cmpint (find_actor (hosted, "gdelt-actor-COMPANY")->role, ==, CHANCERY_ROLE_HOST);
  g_assert_cmpint (find_actor (hosted, "gdelt-actor-USA-WASHINGTON")->role, ==, CHANCERY_ROLE_GUEST);

  meeting = get_event (fixture, "gdelt-669667122");
  g_assert_cmpint (meeting->kind, ==, CHANCERY_KIND_MEETING);
  find_actor (meeting, "gdelt-actor-FOREIGN-MINIST");

  talks = get_event (fixture, "gdelt-669666590");
  g_assert_cmpint (talks->kind, ==, CHANCERY_KIND_TALKS);
  g_assert_cmpstr (talks->title, ==, "AFGHANISTAN — Negotiations — CHINA");

  agreement = get_event (fixture, "gdelt-669666730");
  g_assert_cmpint (agreement->kind, ==, CHANCERY_KIND_AGREEMENT);
  g_assert_true (has_country (agreement, "CHN"));
  g_assert_true (has_country (agreement, "PAK"));

  statement = get_event (fixture, "gdelt-669666405");
  g_assert_cmpint (statement->kind, ==, CHANCERY_KIND_STATEMENT);
  g_assert_cmpstr (statement->date_text, ==, "2017-06-24");

  other = get_event (fixture, "gdelt-669666363");
  g_assert_cmpint (other->kind, ==, CHANCERY_KIND_OTHER);
  g_assert_cmpstr (other->cameo, ==, "051");
}

static void
test_country_filter (Fixture       *fixture,
                     gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  const char *countries[] = { "usa", NULL };
  const char *typos[] = { "zzz", "USA", "qqq", "ZZZ", NULL };
  const char *roots[] = { "04", NULL };
  const char *other_root_country[] = { "zaf", NULL };
  const char *criticism[] = { "11", NULL };
  ChanceryGdeltOptions options = { (GStrv) countries, NULL };
  ChanceryImportReport report;
  guint expected = count_sample_rows (default_roots, "USA");

  g_assert_true (import_file (fixture, SAMPLE, &options, &report, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (report.inserted, ==, expected);
  g_assert_cmpuint (report.filtered, ==, 3000 - expected);
  g_assert_cmpuint (report.messages->len, ==, 0);
  chancery_import_report_clear (&report);

  /* Codes that no kept row has are named, in order, once each; the rows
   * of the others are imported all the same. */
  options.countries = (GStrv) typos;
  g_assert_true (import_file (fixture, SAMPLE, &options, &report, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (report.inserted + report.unchanged, ==, expected);
  g_assert_cmpuint (report.messages->len, ==, 2);
  test_assert_contains (g_ptr_array_index (report.messages, 0), "the country “QQQ”");
  test_assert_contains (g_ptr_array_index (report.messages, 1), "the country “ZZZ”");
  chancery_import_report_clear (&report);

  /* A country whose rows are all of roots not chosen (South Africa's two
   * rows are criticism, root 11): that is said, not a typo. */
  options.countries = (GStrv) other_root_country;
  g_assert_true (import_file (fixture, SAMPLE, &options, &report, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (report.inserted + report.updated, ==, 0);
  g_assert_cmpuint (report.messages->len, ==, 1);
  g_assert_cmpstr (g_ptr_array_index (report.messages, 0), ==,
                   "no row kept has an actor from the country “ZAF”: "
                   "its 2 rows are of CAMEO root codes not chosen");
  chancery_import_report_clear (&report);
  options.cameo_roots = (GStrv) criticism;
  g_assert_true (import_file (fixture, SAMPLE, &options, &report, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (report.inserted, ==, count_sample_rows (criticism, "ZAF"));
  g_assert_cmpuint (report.inserted, ==, 2);
  g_assert_cmpuint (report.messages->len, ==, 0);
  chancery_import_report_clear (&report);

  /* Roots other than the default */
  options.countries = NULL;
  options.cameo_roots = (GStrv) roots;
  expected = count_sample_rows (roots, NULL);
  g_assert_true (import_file (fixture, SAMPLE, &options, &report, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (report.inserted + report.unchanged, ==, expected);
  g_assert_cmpuint (report.filtered, ==, 3000 - expected);
  chancery_import_report_clear (&report);
}

/* The sample's first row */
static char *
sample_row (void)
{
  g_autofree char *contents = NULL;

  g_assert_true (g_file_get_contents (SAMPLE, &contents, NULL, NULL));
  return g_strndup (contents, strcspn (contents, "\n"));
}

static char *
write_temp (Fixture    *fixture,
            const char *name,
            const char *contents,
            gssize      length)
{
  g_autoptr(GError) error = NULL;
  char *path = g_build_filename (fixture->dir, name, NULL);

  g_file_set_contents (path, contents, length, &error);
  g_assert_no_error (error);
  return path;
}

static void
test_malformed (Fixture       *fixture,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *good = sample_row ();
  g_autofree char *long_line = g_strnfill (70 * 1024, 'x');
  static const char junk[] = "\x00\xff\xfe\x01junk\tjunk\n";
  g_autofree char *bad_date = NULL;
  g_autofree char *bad_id = NULL;
  g_autoptr(GString) contents = g_string_new (NULL);
  g_autofree char *path = NULL;
  ChanceryImportReport report;

  bad_id = g_strconcat ("12x", strchr (good, '\t'), NULL);
  bad_date = g_strdup (good);
  memcpy (strchr (bad_date, '\t') + 1, "20171341", 8);

  g_string_append_printf (contents, "%s\n", good);                   /* 1 */
  g_string_append (contents, "669666999\t20170701\t201707\n");      /* 2 */
  g_string_append_len (contents, junk, sizeof junk - 1);             /* 3 */
  g_string_append_printf (contents, "%s\r\n", long_line);            /* 4 */
  g_string_append_printf (contents, "%s\n", bad_id);                 /* 5 */
  g_string_append_printf (contents, "%s\n", bad_date);               /* 6 */
  g_string_append (contents, "\n");                                  /* 7: blank */
  g_string_append_printf (contents, "%s", good);                     /* 8, no newline */
  path = write_temp (fixture, "malformed.tsv", contents->str, contents->len);

  g_assert_true (import_file (fixture, path, NULL, &report, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (report.inserted, ==, 1);
  g_assert_cmpuint (report.unchanged, ==, 1);
  g_assert_cmpuint (report.skipped, ==, 5);
  g_assert_cmpuint (report.messages->len, ==, 5);
  g_assert_cmpstr (g_ptr_array_index (report.messages, 0), ==, "line 2: expected 61 columns, found 3");
  g_assert_true (g_str_has_prefix (g_ptr_array_index (report.messages, 1), "line 3: not UTF-8"));
  g_assert_true (g_str_has_prefix (g_ptr_array_index (report.messages, 2), "line 4: longer than 64 KiB"));
  g_assert_cmpstr (g_ptr_array_index (report.messages, 3), ==, "line 5: GLOBALEVENTID “12x” is not a number");
  g_assert_cmpstr (g_ptr_array_index (report.messages, 4), ==, "line 6: SQLDATE “20171341” is not a date (YYYYMMDD)");
  chancery_import_report_clear (&report);
}

/* The sample's first row with column col set to value. */
static char *
row_with (const char *row,
          guint       col,
          const char *value)
{
  g_auto(GStrv) fields = g_strsplit (row, "\t", -1);

  g_assert_cmpuint (g_strv_length (fields), >, col);
  g_free (fields[col]);
  fields[col] = g_strdup (value);
  return g_strjoinv ("\t", fields);
}

/* Counts and scores are checked as the date is: a row whose NumMentions,
 * NumSources or NumArticles is not a count, or whose GoldsteinScale or
 * AvgTone is not a finite number in range, is skipped with its line; a
 * second row of one GLOBALEVENTID with other values is skipped (the same
 * row again is not); a byte order mark before the first row is not part
 * of its id; and a file with no well-formed row is refused. */
static void
test_row_values (Fixture       *fixture,
                 gconstpointer  data)
{
  static const struct { guint col; const char *value; const char *message; } bad[] = {
    { 31, "-7", "NumMentions “-7” is not a count" },
    { 32, "99999999999999999999999", "NumSources “99999999999999999999999” is not a count" },
    { 33, "abc", "NumArticles “abc” is not a count" },
    { 30, "nan", "GoldsteinScale “nan” is not a number from -10 to 10" },
    { 30, "11", "GoldsteinScale “11” is not a number from -10 to 10" },
    { 34, "1e999", "AvgTone “1e999” is not a number from -100 to 100" },
  };
  g_autofree char *good = sample_row ();
  g_autofree char *other_values = row_with (good, 31, "12345");
  g_autoptr(GString) contents = g_string_new ("\357\273\277");
  g_autoptr(GString) all_bad = g_string_new (NULL);
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;
  g_autofree char *bad_path = NULL;
  g_autofree char *duplicate = NULL;
  ChanceryImportReport report;

  g_string_append_printf (contents, "%s\n", good);                         /* 1, after a BOM */
  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autofree char *row = row_with (good, bad[i].col, bad[i].value);

      g_string_append_printf (contents, "%s\n", row);                      /* 2 to 7 */
      g_string_append_printf (all_bad, "%s\n", row);
    }
  g_string_append_printf (contents, "%s\n", good);                         /* 8: the same row */
  g_string_append_printf (contents, "%s\n", other_values);                 /* 9: other values */
  path = write_temp (fixture, "values.export.CSV", contents->str, contents->len);

  g_assert_true (import_file (fixture, path, NULL, &report, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (report.inserted, ==, 1);
  g_assert_cmpuint (report.unchanged, ==, 1);
  g_assert_cmpuint (report.skipped, ==, G_N_ELEMENTS (bad) + 1);
  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autofree char *expected = g_strdup_printf ("line %u: %s", i + 2, bad[i].message);

      g_assert_cmpstr (g_ptr_array_index (report.messages, i), ==, expected);
    }
  duplicate = g_strdup_printf ("line 9: GLOBALEVENTID %.*s is also the event of line 1, with other values",
                               (int) strcspn (good, "\t"), good);
  g_assert_cmpstr (g_ptr_array_index (report.messages, G_N_ELEMENTS (bad)), ==, duplicate);
  chancery_import_report_clear (&report);

  bad_path = write_temp (fixture, "all-bad.export.CSV", all_bad->str, all_bad->len);
  g_assert_false (import_file (fixture, bad_path, NULL, &report, &error));
  g_assert_error (error, CHANCERY_ERROR, CHANCERY_ERROR_INVALID_INPUT);
  g_test_message ("%s", error->message);
  g_assert_true (g_str_has_prefix (error->message, bad_path));
  g_assert_nonnull (strstr (error->message, ": no well-formed GDELT row (6 malformed; the first, line 1: NumMentions"));
  chancery_import_report_clear (&report);
}

static void
test_not_gdelt (Fixture       *fixture,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = write_temp (fixture, "not.json", "{ \"format\": \"chancery\" }\n", -1);
  ChanceryImportReport report;

  g_assert_false (import_file (fixture, path, NULL, &report, &error));
  g_assert_error (error, CHANCERY_ERROR, CHANCERY_ERROR_INVALID_INPUT);
  g_assert_nonnull (strstr (error->message, "line 1: expected 57 or 58"));
  chancery_import_report_clear (&report);
  g_clear_error (&error);

  g_assert_false (import_file (fixture, "/nonexistent/gdelt.tsv", NULL, &report, &error));
  g_assert_error (error, CHANCERY_ERROR, CHANCERY_ERROR_IO);
  chancery_import_report_clear (&report);
}

/* A file without rows is refused, as an empty JSON file is, rather than
 * imported as nothing: it is more likely a failed download than a day
 * without events. Zipped too. */
static void
test_no_rows (Fixture       *fixture,
              gconstpointer  data)
{
  static const struct
  {
    const char *name;
    const char *contents;
    const char *message;
  } cases[] = {
    { "empty.export.CSV", "", "the file is empty" },
    { "blank.export.CSV", "\n\r\n\n", "the file holds only blank lines, no GDELT rows" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *path = write_temp (fixture, cases[i].name, cases[i].contents, -1);
      g_autofree char *zip = g_strconcat (path, ".zip", NULL);
      g_autofree char *expected = g_strdup_printf ("%s: %s", path, cases[i].message);
      g_autofree char *expected_zip = g_strdup_printf ("%s: %s", zip, cases[i].message);
      const char *argv[] = { "/usr/bin/python3", "-m", "zipfile", "-c", zip, path, NULL };
      ChanceryImportReport report;
      int status = 0;

      g_assert_false (import_file (fixture, path, NULL, &report, &error));
      g_assert_error (error, CHANCERY_ERROR, CHANCERY_ERROR_INVALID_INPUT);
      g_assert_cmpstr (error->message, ==, expected);
      chancery_import_report_clear (&report);
      g_clear_error (&error);

      g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_DEFAULT, NULL, NULL, NULL, NULL, &status, &error);
      g_assert_no_error (error);
      g_assert_true (g_spawn_check_wait_status (status, NULL));
      g_assert_false (import_file (fixture, zip, NULL, &report, &error));
      g_assert_error (error, CHANCERY_ERROR, CHANCERY_ERROR_INVALID_INPUT);
      g_assert_cmpstr (error->message, ==, expected_zip);
      chancery_import_report_clear (&report);
    }

  g_assert_cmpuint (chancery_store_count_events (fixture->store, NULL, NULL), ==, 0);
}

static void
test_zip (Fixture       *fixture,
          gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *zip = g_build_filename (fixture->dir, "20170701234500.export.CSV.zip", NULL);
  const char *argv[] = { "/usr/bin/python3", "-m", "zipfile", "-c", zip, SAMPLE, NULL };
  ChanceryImportReport report;
  int status = 0;

  g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_DEFAULT, NULL, NULL, NULL, NULL, &status, &error);
  g_assert_no_error (error);
  g_assert_true (g_spawn_check_wait_status (status, NULL));

  g_assert_true (import_file (fixture, zip, NULL, &report, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (report.inserted, ==, count_sample_rows (default_roots, NULL));
  g_assert_cmpuint (report.skipped, ==, 0);
  chancery_import_report_clear (&report);
}

/* A zip that holds nothing, and a file named as a zip that is not one:
 * each says so, not that its "text" is binary or has one column. */
static void
test_zip_empty_or_not_zip (Fixture       *fixture,
                           gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *empty = g_build_filename (fixture->dir, "empty.zip", NULL);
  g_autofree char *not_zip = g_build_filename (fixture->dir, "text.export.CSV.ZIP", NULL);
  const char *script = "import sys, zipfile; zipfile.ZipFile(sys.argv[1], 'w').close()";
  const char *argv[] = { "/usr/bin/python3", "-c", script, empty, NULL };
  g_autofree char *expected_empty = g_strdup_printf ("The zip file “%s” holds no file to import", empty);
  g_autofree char *expected_not_zip = g_strdup_printf ("“%s” is named as a zip file but is not one", not_zip);
  ChanceryImportReport report;
  int status = 0;

  g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_DEFAULT, NULL, NULL, NULL, NULL, &status, &error);
  g_assert_no_error (error);
  g_assert_true (g_spawn_check_wait_status (status, NULL));
  g_assert_true (g_file_set_contents (not_zip, "1\t2\t3\n", -1, &error));

  g_assert_false (import_file (fixture, empty, NULL, &report, &error));
  g_assert_error (error, CHANCERY_ERROR, CHANCERY_ERROR_INVALID_INPUT);
  g_assert_cmpstr (error->message, ==, expected_empty);
  g_assert_cmpuint (report.inserted, ==, 0);
  chancery_import_report_clear (&report);
  g_clear_error (&error);

  g_assert_false (import_file (fixture, not_zip, NULL, &report, &error));
  g_assert_error (error, CHANCERY_ERROR, CHANCERY_ERROR_INVALID_INPUT);
  g_assert_cmpstr (error->message, ==, expected_not_zip);
  g_assert_cmpuint (report.inserted, ==, 0);
  chancery_import_report_clear (&report);
}

static void
test_gdelt1 (Fixture       *fixture,
             gconstpointer  data)
{
  /* GDELT 2.0 -> 1.0: drop the three *Geo_ADM2Code columns (58), and the
   * SOURCEURL too (57). */
  g_autoptr(GError) error = NULL;
  g_autoptr(ChanceryEvent) event = NULL;
  g_autofree char *row58 = NULL;
  g_autofree char *row57 = NULL;
  g_autofree char *path58 = NULL;
  g_autofree char *path57 = NULL;
  g_autofree char *text = NULL;
  ChanceryEventSource *source;
  ChanceryImportReport report;

  /* A row with a place: 669666369, the Saudi visit to Cairo. */
  {
    g_autofree char *contents = NULL;
    g_auto(GStrv) lines = NULL;

    g_assert_true (g_file_get_contents (SAMPLE, &contents, NULL, NULL));
    lines = g_strsplit (contents, "\n", -1);
    for (guint i = 0; lines[i] != NULL; i++)
      {
        if (g_str_has_prefix (lines[i], "669666369\t"))
          {
            g_auto(GStrv) cells = g_strsplit (lines[i], "\t", -1);
            g_autoptr(GPtrArray) kept = g_ptr_array_new ();

            for (guint c = 0; cells[c] != NULL; c++)
              if (c != 39 && c != 47 && c != 55)
                g_ptr_array_add (kept, cells[c]);
            g_ptr_array_add (kept, NULL);
            row58 = g_strjoinv ("\t", (char **) kept->pdata);
            g_ptr_array_remove_index (kept, kept->len - 2);
            row57 = g_strjoinv ("\t", (char **) kept->pdata);
          }
      }
  }
  g_assert_nonnull (row58);

  text = g_strconcat (row58, "\n", NULL);
  path58 = write_temp (fixture, "20170701.export.CSV", text, -1);
  g_assert_true (import_file (fixture, path58, NULL, &report, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (report.inserted, ==, 1);
  chancery_import_report_clear (&report);

  event = get_event (fixture, "gdelt-669666369");
  g_assert_cmpstr (event->place_name, ==, "Cairo, Al Qahirah, Egypt");
  g_assert_cmpfloat_with_epsilon (event->latitude, 30.05, 1e-9);
  g_assert_cmpfloat_with_epsilon (event->longitude, 31.25, 1e-9);
  g_assert_cmpint (event->kind, ==, CHANCERY_KIND_VISIT);
  source = g_ptr_array_index (event->sources, 0);
  g_assert_cmpstr (source->publisher, ==, "www.thearabweekly.com");
  g_clear_pointer (&event, chancery_event_free);

  /* 57 columns: no SOURCEURL; GDELT itself is named as the source. */
  g_free (text);
  text = g_strconcat (row57, "\n", NULL);
  path57 = write_temp (fixture, "20130401.export.CSV", text, -1);
  g_assert_true (import_file (fixture, path57, NULL, &report, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (report.updated, ==, 1);
  chancery_import_report_clear (&report);

  event = get_event (fixture, "gdelt-669666369");
  g_assert_cmpstr (event->place_name, ==, "Cairo, Al Qahirah, Egypt");
  g_assert_cmpuint (event->sources->len, ==, 1);
  source = g_ptr_array_index (event->sources, 0);
  g_assert_cmpstr (source->uid, ==, "gdelt-project");
}

static void
test_cancelled (Fixture       *fixture,
                gconstpointer  data)
{
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GError) error = NULL;
  ChanceryImportReport report;

  g_cancellable_cancel (cancellable);
  chancery_import_report_init (&report);
  g_assert_false (chancery_import_gdelt_file (fixture->store, SAMPLE, NULL, &report,
                                              NULL, NULL, cancellable, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  chancery_import_report_clear (&report);
  g_clear_error (&error);

  g_assert_cmpuint (chancery_store_count_events (fixture->store, NULL, &error), ==, 0);
  g_assert_no_error (error);
}

static void
on_progress (double   fraction,
             gpointer user_data)
{
  double *last = user_data;

  g_assert_cmpfloat (fraction, >=, *last);
  g_assert_cmpfloat (fraction, <=, 1.0);
  *last = fraction;
}

static void
test_progress (Fixture       *fixture,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  ChanceryImportReport report;
  double last = 0;

  chancery_import_report_init (&report);
  g_assert_true (chancery_import_gdelt_file (fixture->store, SAMPLE, NULL, &report,
                                             on_progress, &last, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpfloat (last, ==, 1.0);
  chancery_import_report_clear (&report);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) g_test_add (path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)
  ADD ("/gdelt/sample", test_sample);
  ADD ("/gdelt/cameo-mapping", test_cameo_mapping);
  ADD ("/gdelt/country-filter", test_country_filter);
  ADD ("/gdelt/malformed", test_malformed);
  ADD ("/gdelt/row-values", test_row_values);
  ADD ("/gdelt/not-gdelt", test_not_gdelt);
  ADD ("/gdelt/no-rows", test_no_rows);
  ADD ("/gdelt/zip", test_zip);
  ADD ("/gdelt/zip-empty-or-not-zip", test_zip_empty_or_not_zip);
  ADD ("/gdelt/gdelt1", test_gdelt1);
  ADD ("/gdelt/cancelled", test_cancelled);
  ADD ("/gdelt/progress", test_progress);
#undef ADD

  return g_test_run ();
}
