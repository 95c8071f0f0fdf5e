/* test-date.c: partial dates, day arithmetic and formatting
 *
 * Copyright 2026 The Chancery developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <stdio.h>
#include <string.h>

#include "chancery-date.h"
#include "chancery-index.h"
#include "chancery-error.h"

/* Days from 0001-01-01 (GDate's Julian day 1) to 1970-01-01. GDate is an
 * arithmetic we did not write, so it checks ours. */
#define GDATE_JULIAN_EPOCH 719163

typedef struct
{
  const char        *text;
  ChanceryDateForm   form;
  ChanceryPrecision  precision;
  const char        *lo;     /* ISO day, or NULL for an open bound */
  const char        *hi;
} ValidCase;

static const ValidCase valid_cases[] = {
  { "2025-12-08", CHANCERY_DATE_SINGLE, CHANCERY_PRECISION_DAY, "2025-12-08", "2025-12-08" },
  { "2025-06", CHANCERY_DATE_SINGLE, CHANCERY_PRECISION_MONTH, "2025-06-01", "2025-06-30" },
  { "2026", CHANCERY_DATE_SINGLE, CHANCERY_PRECISION_YEAR, "2026-01-01", "2026-12-31" },
  { "2024-02", CHANCERY_DATE_SINGLE, CHANCERY_PRECISION_MONTH, "2024-02-01", "2024-02-29" },
  { "2026~", CHANCERY_DATE_SINGLE, CHANCERY_PRECISION_YEAR, "2026-01-01", "2026-12-31" },
  { "2025-06?", CHANCERY_DATE_SINGLE, CHANCERY_PRECISION_MONTH, "2025-06-01", "2025-06-30" },
  { "2025-12-08%", CHANCERY_DATE_SINGLE, CHANCERY_PRECISION_DAY, "2025-12-08", "2025-12-08" },
  { "0001-01-01", CHANCERY_DATE_SINGLE, CHANCERY_PRECISION_DAY, "0001-01-01", "0001-01-01" },
  { "9999", CHANCERY_DATE_SINGLE, CHANCERY_PRECISION_YEAR, "9999-01-01", "9999-12-31" },
  { "2025-12-08/2025-12-09", CHANCERY_DATE_RANGE, CHANCERY_PRECISION_DAY, "2025-12-08", "2025-12-09" },
  { "2025-12-08/2025-12-08", CHANCERY_DATE_RANGE, CHANCERY_PRECISION_DAY, "2025-12-08", "2025-12-08" },
  { "2025-06/2025-08", CHANCERY_DATE_RANGE, CHANCERY_PRECISION_MONTH, "2025-06-01", "2025-08-31" },
  { "2025/2026-03", CHANCERY_DATE_RANGE, CHANCERY_PRECISION_YEAR, "2025-01-01", "2026-03-31" },
  { "2025-12-08~/2026?", CHANCERY_DATE_RANGE, CHANCERY_PRECISION_YEAR, "2025-12-08", "2026-12-31" },
  { "../2025-12-07", CHANCERY_DATE_BEFORE, CHANCERY_PRECISION_DAY, NULL, "2025-12-07" },
  { "../2025-06~", CHANCERY_DATE_BEFORE, CHANCERY_PRECISION_MONTH, NULL, "2025-06-30" },
  { "2025-12-09/..", CHANCERY_DATE_AFTER, CHANCERY_PRECISION_DAY, "2025-12-09", NULL },
  { "2025/..", CHANCERY_DATE_AFTER, CHANCERY_PRECISION_YEAR, "2025-01-01", NULL },
};

typedef struct
{
  const char *text;
  const char *message_part;
} InvalidCase;

static const InvalidCase invalid_cases[] = {
  { "", "empty date" },
  { "2025-13", "“2025-13”: month 13 is out of range (1–12)" },
  { "2025-00", "month 0 is out of range" },
  { "2025-02-30", "“2025-02-30”: February 2025 has only 28 days" },
  { "2025-04-31", "April 2025 has only 30 days" },
  { "2025-12-00", "day 0 is out of range" },
  { "2025-12-32", "December 2025 has only 31 days" },
  { "June", "“June”: not a date; expected YYYY, YYYY-MM or YYYY-MM-DD, "
            "optionally with ~ ? or %, or a range A/B" },
  { "2025-12-08/2025-12-01", "“2025-12-08/2025-12-01”: the range ends before it starts" },
  { "2026/2025-12", "the range ends before it starts" },
  { "../..", "both ends of the range are open" },
  { "..", "an open end needs a known one" },
  { "2025-12-08x", "unexpected “x” after the date" },
  { "2025~?", "unexpected “?” after the date" },
  { "2025-12-08/2025-12-09/2025-12-10", "a range has one “/”" },
  { "2025/", "the range has no end" },
  { "/2025", "the range has no start" },
  { "0000", "year 0 is out of range (1–9999)" },
  { "0000-01-01", "year 0 is out of range" },
  { "99999", "more than four digits" },
  { "99999999999999999999999999999999-01-01", "more than four digits" },
  { "25", "the year must have four digits" },
  { "2025-6", "the month must have two digits" },
  { "2025-06-8", "the day must have two digits" },
  { "2025-06-081", "the day must have two digits" },
  { "2025-", "the month must have two digits" },
  { " 2025", "may not contain spaces" },
  { "2025-12-08 ", "may not contain spaces" },
  { "2025-12-08 / 2025-12-09", "may not contain spaces" },
  { "-2025", "not a date" },
  { "+2025", "not a date" },
  { "2025-12-08T10:00", "unexpected “T10:00” after the date" },
  { "\xff\xfe", "not a date" },
};

static gint32
day_from_iso (const char *iso)
{
  int year, month, day;

  g_assert_cmpint (sscanf (iso, "%d-%d-%d", &year, &month, &day), ==, 3);
  return chancery_day_from_ymd (year, month, day);
}

static ChanceryDate
parse_or_fail (const char *text)
{
  g_autoptr(GError) error = NULL;
  ChanceryDate date;

  if (!chancery_date_parse (text, &date, &error))
    g_error ("“%s” did not parse: %s", text, error->message);
  return date;
}

static void
test_parse_valid (void)
{
  for (gsize i = 0; i < G_N_ELEMENTS (valid_cases); i++)
    {
      const ValidCase *c = &valid_cases[i];
      ChanceryDate date = parse_or_fail (c->text);
      g_autofree char *text = chancery_date_to_string (&date);

      g_test_message ("%s", c->text);
      g_assert_cmpint (date.form, ==, c->form);
      g_assert_cmpint (chancery_date_get_precision (&date), ==, c->precision);
      g_assert_cmpint (date.lo, ==, c->lo ? day_from_iso (c->lo) : CHANCERY_DAY_OPEN_LO);
      g_assert_cmpint (date.hi, ==, c->hi ? day_from_iso (c->hi) : CHANCERY_DAY_OPEN_HI);
      g_assert_cmpstr (text, ==, c->text);
    }
}

static void
test_parse_points (void)
{
  ChanceryDate date = parse_or_fail ("2025-06~/2025-12-08%");

  g_assert_cmpint (date.start.year, ==, 2025);
  g_assert_cmpint (date.start.month, ==, 6);
  g_assert_cmpint (date.start.day, ==, 0);
  g_assert_cmpint (date.start.precision, ==, CHANCERY_PRECISION_MONTH);
  g_assert_cmpint (date.start.qualifiers, ==, CHANCERY_QUALIFIER_APPROXIMATE);
  g_assert_cmpint (date.end.day, ==, 8);
  g_assert_cmpint (date.end.qualifiers, ==,
                   CHANCERY_QUALIFIER_APPROXIMATE | CHANCERY_QUALIFIER_UNCERTAIN);

  date = parse_or_fail ("2026?");
  g_assert_cmpint (date.start.month, ==, 0);
  g_assert_cmpint (date.start.qualifiers, ==, CHANCERY_QUALIFIER_UNCERTAIN);
}

static void
test_parse_invalid (void)
{
  for (gsize i = 0; i < G_N_ELEMENTS (invalid_cases); i++)
    {
      const InvalidCase *c = &invalid_cases[i];
      g_autoptr(GError) error = NULL;
      ChanceryDate date = { .lo = 42 };
      g_autofree char *escaped = g_strescape (c->text, NULL);

      g_test_message ("%s", escaped);
      g_assert_false (chancery_date_parse (c->text, &date, &error));
      g_assert_error (error, CHANCERY_ERROR, CHANCERY_ERROR_INVALID_DATE);
      g_assert_true (g_utf8_validate (error->message, -1, NULL));
      if (strstr (error->message, c->message_part) == NULL)
        g_error ("“%s”: message “%s” lacks “%s”", c->text, error->message, c->message_part);
      /* A failed parse leaves the caller's date alone. */
      g_assert_cmpint (date.lo, ==, 42);
    }
}

static void
test_parse_null_and_long (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *long_text = g_strnfill (100000, '2');
  ChanceryDate date;

  g_assert_false (chancery_date_parse (NULL, &date, &error));
  g_assert_error (error, CHANCERY_ERROR, CHANCERY_ERROR_INVALID_DATE);
  g_clear_error (&error);

  g_assert_false (chancery_date_parse (long_text, &date, &error));
  g_assert_error (error, CHANCERY_ERROR, CHANCERY_ERROR_INVALID_DATE);
  g_assert_nonnull (strstr (error->message, "too long"));
  /* The message quotes only the start of the input. */
  g_assert_cmpuint (strlen (error->message), <, 200);
}

/* Random text from the characters dates are made of: parsing never fails
 * in any way but an error, and what parses round-trips. */
static void
test_parse_random (void)
{
  static const char alphabet[] = "0123456789-/.~?%x 0129-";

  for (int i = 0; i < 200000; i++)
    {
      char text[16];
      int len = g_test_rand_int_range (0, sizeof text);
      g_autoptr(GError) error = NULL;
      ChanceryDate date;

      for (int j = 0; j < len; j++)
        text[j] = alphabet[g_test_rand_int_range (0, sizeof alphabet - 1)];
      text[len] = '\0';

      if (chancery_date_parse (text, &date, &error))
        {
          g_autofree char *back = chancery_date_to_string (&date);

          g_assert_cmpstr (back, ==, text);
          g_assert_cmpint (date.lo, <=, date.hi);
        }
      else
        {
          g_assert_error (error, CHANCERY_ERROR, CHANCERY_ERROR_INVALID_DATE);
        }
    }
}

static void
test_leap_years (void)
{
  const char *valid[] = { "2024-02-29", "2000-02-29", "1600-02-29", "0004-02-29" };
  const char *invalid[] = { "2025-02-29", "1900-02-29", "2100-02-29", "0001-02-29" };

  for (gsize i = 0; i < G_N_ELEMENTS (valid); i++)
    {
      ChanceryDate date = parse_or_fail (valid[i]);
      g_assert_cmpint (date.lo, ==, day_from_iso (valid[i]));
    }
  for (gsize i = 0; i < G_N_ELEMENTS (invalid); i++)
    {
      g_autoptr(GError) error = NULL;
      ChanceryDate date;

      g_assert_false (chancery_date_parse (invalid[i], &date, &error));
      g_assert_error (error, CHANCERY_ERROR, CHANCERY_ERROR_INVALID_DATE);
      g_assert_nonnull (strstr (error->message, "has only 28 days"));
    }
  g_assert_cmpint (parse_or_fail ("1900-02").hi - parse_or_fail ("1900-02").lo, ==, 27);
  g_assert_cmpint (parse_or_fail ("2000").hi - parse_or_fail ("2000").lo, ==, 365);
}

static void
test_day_anchors (void)
{
  g_autofree char *iso = NULL;
  g_autofree char *negative = NULL;

  g_assert_cmpint (chancery_day_from_ymd (1970, 1, 1), ==, 0);
  g_assert_cmpint (chancery_day_from_ymd (1969, 12, 31), ==, -1);
  g_assert_cmpint (chancery_day_from_ymd (2000, 3, 1), ==, 11017);
  g_assert_cmpint (chancery_day_from_ymd (2025, 12, 8), ==, 20430);
  g_assert_cmpint (chancery_day_from_ymd (1, 1, 1), ==, -719162);
  g_assert_cmpint (chancery_day_from_ymd (9999, 12, 31), ==, 2932896);

  iso = chancery_day_to_iso (20430);
  g_assert_cmpstr (iso, ==, "2025-12-08");
  negative = chancery_day_to_iso (-1);
  g_assert_cmpstr (negative, ==, "1969-12-31");
}

/* Every day from year 1 to 9999 agrees with GDate, and back. */
static void
test_day_round_trip (void)
{
  gint32 first = chancery_day_from_ymd (1, 1, 1);
  gint32 last = chancery_day_from_ymd (9999, 12, 31);
  GDate gdate;

  g_date_clear (&gdate, 1);
  for (gint32 day = first; day <= last; day++)
    {
      int year, month, day_of_month;

      chancery_day_to_ymd (day, &year, &month, &day_of_month);
      g_date_set_julian (&gdate, (guint32) (day + GDATE_JULIAN_EPOCH));
      if (year != g_date_get_year (&gdate) || month != (int) g_date_get_month (&gdate) ||
          day_of_month != g_date_get_day (&gdate))
        g_error ("day %d: %04d-%02d-%02d, GDate says %04d-%02d-%02d", day, year, month,
                 day_of_month, g_date_get_year (&gdate), g_date_get_month (&gdate),
                 g_date_get_day (&gdate));
      g_assert_cmpint (chancery_day_from_ymd (year, month, day_of_month), ==, day);
    }
}

/* Outside years 1..9999 the arithmetic still holds together. */
static void
test_day_far (void)
{
  const gint32 days[] = { -2000000, -719163, -719162, -1, 0, 3000000, 5000000 };

  for (gsize i = 0; i < G_N_ELEMENTS (days); i++)
    {
      int year, month, day_of_month;

      chancery_day_to_ymd (days[i], &year, &month, &day_of_month);
      g_assert_cmpint (month, >=, 1);
      g_assert_cmpint (month, <=, 12);
      g_assert_cmpint (day_of_month, >=, 1);
      g_assert_cmpint (day_of_month, <=, 31);
      g_assert_cmpint (chancery_day_from_ymd (year, month, day_of_month), ==, days[i]);
    }
  chancery_day_to_ymd (-719163, NULL, NULL, NULL);
}

static void
test_negative_days (void)
{
  ChanceryDate date = parse_or_fail ("1945-05-09");
  ChanceryDate century = parse_or_fail ("1900");

  g_assert_cmpint (date.lo, ==, -9003);
  g_assert_cmpint (century.lo, ==, -25567);
  g_assert_cmpint (century.hi, ==, -25203);
  g_assert_cmpint (chancery_day_today (), >, 20430);
}

static void
test_extent (void)
{
  ChanceryDate before = parse_or_fail ("../2025-12-07");
  ChanceryDate after = parse_or_fail ("2025-12-09/..");
  ChanceryDate before_year = parse_or_fail ("../2025");
  ChanceryDate single = parse_or_fail ("2025-06");
  gint32 lo, hi;

  chancery_date_get_extent (&before, &lo, &hi);
  g_assert_cmpint (hi, ==, day_from_iso ("2025-12-07"));
  g_assert_cmpint (lo, ==, hi - CHANCERY_OPEN_EXTENT_DAYS);

  chancery_date_get_extent (&after, &lo, &hi);
  g_assert_cmpint (lo, ==, day_from_iso ("2025-12-09"));
  g_assert_cmpint (hi, ==, lo + CHANCERY_OPEN_EXTENT_DAYS);

  /* The soft extent reaches past the whole known year. */
  chancery_date_get_extent (&before_year, &lo, &hi);
  g_assert_cmpint (hi, ==, day_from_iso ("2025-12-31"));
  g_assert_cmpint (lo, ==, day_from_iso ("2025-01-01") - CHANCERY_OPEN_EXTENT_DAYS);

  chancery_date_get_extent (&single, &lo, &hi);
  g_assert_cmpint (lo, ==, single.lo);
  g_assert_cmpint (hi, ==, single.hi);
}

static int
compare_texts (gconstpointer a,
               gconstpointer b)
{
  ChanceryDate date_a = parse_or_fail (*(const char * const *) a);
  ChanceryDate date_b = parse_or_fail (*(const char * const *) b);

  return chancery_date_compare (&date_a, &date_b);
}

static void
test_compare (void)
{
  /* In order: extent lo, then hi, then EDTF text. */
  const char *sorted[] = {
    "../2025",            /* lo 2024-01-01 */
    "../2025-06",         /* lo 2024-06-01 */
    "../2025-12-07",      /* lo 2024-12-07 */
    "2025",
    "2025~",
    "2025-06",
    "2025-06-30",
    "2025-06-30/2025-07-02",
    "2025-12",
    "2025-12/..",         /* hi 2026-12-31 */
    "2025-12-08",
    "2025-12-08%",
    "2025-12-08?",
    "2025-12-08~",
    "2025-12-08/2025-12-09",
    "2025-12-08/..",
    "2026",
  };
  g_autoptr(GPtrArray) shuffled = g_ptr_array_new ();

  for (int round = 0; round < 20; round++)
    {
      g_ptr_array_set_size (shuffled, 0);
      for (gsize i = 0; i < G_N_ELEMENTS (sorted); i++)
        g_ptr_array_insert (shuffled, g_test_rand_int_range (0, shuffled->len + 1),
                            (gpointer) sorted[i]);
      g_ptr_array_sort (shuffled, compare_texts);
      for (gsize i = 0; i < G_N_ELEMENTS (sorted); i++)
        g_assert_cmpstr (g_ptr_array_index (shuffled, i), ==, sorted[i]);
    }

  for (gsize i = 0; i < G_N_ELEMENTS (sorted); i++)
    for (gsize j = 0; j < G_N_ELEMENTS (sorted); j++)
      {
        int order = compare_texts (&sorted[i], &sorted[j]);

        g_assert_cmpint (order < 0, ==, i < j);
        g_assert_cmpint (order == 0, ==, i == j);
      }
}

static void
set_locale_env (const char *language,
                const char *lc_all)
{
  if (language != NULL)
    g_setenv ("LANGUAGE", language, TRUE);
  else
    g_unsetenv ("LANGUAGE");
  g_setenv ("LC_ALL", lc_all, TRUE);
}

static void
assert_formats (const char *text,
                const char *expected)
{
  ChanceryDate date = parse_or_fail (text);
  g_autofree char *formatted = chancery_date_format (&date);
  g_autofree char *from_index = NULL;
  ChanceryIndexEvent event = { 0 };

  g_assert_cmpstr (formatted, ==, expected);

  /* The list and the timeline say it from the index, which keeps the
   * extent, the coarsest precision and flags, not the text: the same
   * words ("June 2025 – 8 December 2025", not "June – December 2025"). */
  chancery_date_get_extent (&date, &event.lo, &event.hi);
  event.precision = chancery_date_get_precision (&date);
  event.flags = chancery_index_flags_for_date (&date);
  from_index = chancery_index_event_format_date (&event);
  g_assert_cmpstr (from_index, ==, expected);
}

static void
test_format_english (void)
{
  const char *languages[] = { NULL, "en", "C" };

  for (gsize i = 0; i < G_N_ELEMENTS (languages); i++)
    {
      set_locale_env (languages[i], "C");
      assert_formats ("2025-12-08", "8 December 2025");
      assert_formats ("2025-06", "June 2025");
      assert_formats ("2026", "2026");
      assert_formats ("2026~", "about 2026");
      assert_formats ("2025-06?", "June 2025 (uncertain)");
      assert_formats ("2025-06%", "about June 2025 (uncertain)");
      /* On or before the 7th reads "before 8 December". */
      assert_formats ("../2025-12-07", "before 8 December 2025");
      assert_formats ("2025-12-09/..", "after 8 December 2025");
      assert_formats ("../2025-06", "June 2025 or earlier");
      assert_formats ("2026/..", "2026 or later");
      assert_formats ("2025-12-08/2025-12-09", "8–9 December 2025");
      assert_formats ("2025-06/2025-08", "June\u2009–\u2009August 2025");
      assert_formats ("2025/2026-03", "2025 – March 2026");
      assert_formats ("2025-06/2025-12-08", "June 2025 – 8 December 2025");
      assert_formats ("2024/2025-03-02", "2024 – 2 March 2025");
      assert_formats ("2025-03-02/2026", "2 March 2025 – 2026");
      assert_formats ("2025-12-08/2025-12-08", "8 December 2025");
      /* Proleptic Gregorian, as the day numbers are, not ICU's Julian. */
      assert_formats ("0001-01-01", "1 January 1");
      assert_formats ("1582-10-04", "4 October 1582");
    }
}

static void
test_format_en_us (void)
{
  set_locale_env (NULL, "en_US.UTF-8");
  assert_formats ("2025-12-08", "December 8, 2025");
  assert_formats ("2025-06", "June 2025");
}

static void
test_format_russian (void)
{
  ChanceryDate date = parse_or_fail ("2025-12-08");
  g_autofree char *formatted = NULL;

  set_locale_env ("ru", "ru_RU.UTF-8");
  formatted = chancery_date_format (&date);
  /* ICU puts a narrow no-break space before "г.". */
  g_assert_cmpstr (formatted, ==, "8 декабря 2025\u202fг.");
  g_assert_nonnull (strstr (formatted, "декабря"));
}

static void
test_format_persian_locale (void)
{
  ChanceryDate date = parse_or_fail ("2025-12-08");
  ChanceryDate months = parse_or_fail ("2025-06/2025-08");
  g_autofree char *formatted = NULL;
  g_autofree char *months_text = NULL;

  set_locale_env (NULL, "fa_IR.UTF-8");
  formatted = chancery_date_format (&date);
  /* Gregorian, in Persian digits. */
  g_assert_nonnull (strstr (formatted, "۲۰۲۵"));
  g_assert_nonnull (strstr (formatted, "۸"));

  /* ICU 72's Persian month intervals lose the end month; ours must not. */
  months_text = chancery_date_format (&months);
  g_assert_nonnull (strstr (months_text, "ژوئن"));
  g_assert_nonnull (strstr (months_text, "اوت"));
}

static void
assert_persian (const char *text,
                const char *expected_part)
{
  ChanceryDate date = parse_or_fail (text);
  g_autofree char *formatted = chancery_date_format_persian (&date);

  if (strstr (formatted, expected_part) == NULL)
    g_error ("“%s” in Persian is “%s”, without “%s”", text, formatted, expected_part);
}

static void
test_format_persian_calendar (void)
{
  ChanceryDate date = parse_or_fail ("2025-12-08");
  g_autofree char *formatted = NULL;

  set_locale_env (NULL, "C");
  formatted = chancery_date_format_persian (&date);
  g_assert_cmpstr (formatted, ==, "۱۷ آذر ۱۴۰۴");

  assert_persian ("2025-03-21", "۱ فروردین ۱۴۰۴");
  assert_persian ("2025-12-08/2025-12-09", "۱۷ تا ۱۸ آذر ۱۴۰۴");
  /* June 2025 covers parts of Khordad and Tir 1404: both are shown. */
  assert_persian ("2025-06", "خرداد");
  assert_persian ("2025-06", "تیر");
  /* 2026 covers parts of 1404 and 1405. */
  assert_persian ("2026", "۱۴۰۴");
  assert_persian ("2026", "۱۴۰۵");
  assert_persian ("2026~", "about ");
  assert_persian ("../2025-12-07", "before ۱۷ آذر ۱۴۰۴");
  assert_persian ("2025-12-09/..", "after ۱۷ آذر ۱۴۰۴");
}

static void
test_day_format (void)
{
  gint32 day = chancery_day_from_ymd (2025, 12, 8);
  g_autofree char *as_day = NULL;
  g_autofree char *as_month = NULL;
  g_autofree char *as_year = NULL;

  set_locale_env (NULL, "C");
  as_day = chancery_day_format (day, CHANCERY_PRECISION_DAY);
  as_month = chancery_day_format (day, CHANCERY_PRECISION_MONTH);
  as_year = chancery_day_format (day, CHANCERY_PRECISION_YEAR);
  g_assert_cmpstr (as_day, ==, "8 December 2025");
  g_assert_cmpstr (as_month, ==, "December 2025");
  g_assert_cmpstr (as_year, ==, "2025");
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/date/parse/valid", test_parse_valid);
  g_test_add_func ("/date/parse/points", test_parse_points);
  g_test_add_func ("/date/parse/invalid", test_parse_invalid);
  g_test_add_func ("/date/parse/null-and-long", test_parse_null_and_long);
  g_test_add_func ("/date/parse/random", test_parse_random);
  g_test_add_func ("/date/parse/leap-years", test_leap_years);
  g_test_add_func ("/date/day/anchors", test_day_anchors);
  g_test_add_func ("/date/day/round-trip", test_day_round_trip);
  g_test_add_func ("/date/day/far", test_day_far);
  g_test_add_func ("/date/day/negative", test_negative_days);
  g_test_add_func ("/date/extent", test_extent);
  g_test_add_func ("/date/compare", test_compare);
  g_test_add_func ("/date/format/english", test_format_english);
  g_test_add_func ("/date/format/en-us", test_format_en_us);
  g_test_add_func ("/date/format/russian", test_format_russian);
  g_test_add_func ("/date/format/persian-locale", test_format_persian_locale);
  g_test_add_func ("/date/format/persian-calendar", test_format_persian_calendar);
  g_test_add_func ("/date/format/day", test_day_format);

  return g_test_run ();
}
