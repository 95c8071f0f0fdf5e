/* chancery-date.c: partial dates (a subset of EDTF, ISO 8601-2)
 *
 * Copyright 2026 The Chancery developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <float.h>
#include <string.h>

#include <glib/gi18n-lib.h>

#include <unicode/ucal.h>
#include <unicode/udat.h>
#include <unicode/udateintervalformat.h>
#include <unicode/udatpg.h>
#include <unicode/ustring.h>

#include "chancery-date.h"
#include "chancery-error.h"
#include "chancery-locale.h"

/* Days from 0001-01-01 to 1970-01-01 in the proleptic Gregorian calendar. */
#define DAYS_BEFORE_EPOCH 719162
#define DAYS_PER_400_YEARS 146097
#define DAYS_PER_100_YEARS 36524
#define DAYS_PER_4_YEARS 1461

/* The longest valid text is "YYYY-MM-DD%/YYYY-MM-DD%" (23 bytes); longer input
 * is still examined for a helpful message, but only up to this length. */
#define MAX_DATE_TEXT 64
/* How much of a bad input an error message quotes. */
#define MAX_QUOTED_CHARS 40

static const char *month_names[] = {
  N_("January"), N_("February"), N_("March"), N_("April"), N_("May"),
  N_("June"), N_("July"), N_("August"), N_("September"), N_("October"),
  N_("November"), N_("December"),
};

typedef struct
{
  UDateIntervalFormat *format;
  /* Proleptic Gregorian calendars to format from; see open_calendar(). */
  UCalendar           *from;
  UCalendar           *to;
} IntervalFormat;

/* ICU formatters are costly to open: keep one per locale and skeleton. They
 * are not safe to use from two threads at once, hence the lock. */
static GMutex format_lock;
static GHashTable *date_formats;       /* "locale|skeleton" -> UDateFormat* */
static GHashTable *interval_formats;   /* "locale|skeleton" -> IntervalFormat* */

static const UChar utc_id[] = { 'U', 'T', 'C', 0 };

/* Calendar arithmetic */

static gint64
floor_div (gint64 a, gint64 b)
{
  gint64 q = a / b;

  if ((a % b != 0) && ((a < 0) != (b < 0)))
    q--;
  return q;
}

static gboolean
is_leap_year (int year)
{
  return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
}

static int
days_in_month (int year, int month)
{
  static const int days[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };

  g_assert (month >= 1 && month <= 12);
  if (month == 2 && is_leap_year (year))
    return 29;
  return days[month - 1];
}

/* Days from 0001-01-01 to January 1 of @year; works for any year. */
static gint64
days_before_year (gint64 year)
{
  gint64 y = year - 1;

  return 365 * y + floor_div (y, 4) - floor_div (y, 100) + floor_div (y, 400);
}

static int
days_before_month (int year, int month)
{
  int days = 0;

  for (int m = 1; m < month; m++)
    days += days_in_month (year, m);
  return days;
}

/* Points */

static gint32
point_first_day (const ChanceryDatePoint *point)
{
  int month = point->precision == CHANCERY_PRECISION_YEAR ? 1 : point->month;
  int day = point->precision == CHANCERY_PRECISION_DAY ? point->day : 1;

  return chancery_day_from_ymd (point->year, month, day);
}

static gint32
point_last_day (const ChanceryDatePoint *point)
{
  switch (point->precision)
    {
    case CHANCERY_PRECISION_YEAR:
      return chancery_day_from_ymd (point->year, 12, 31);
    case CHANCERY_PRECISION_MONTH:
      return chancery_day_from_ymd (point->year, point->month,
                                    days_in_month (point->year, point->month));
    case CHANCERY_PRECISION_DAY:
    default:
      return point_first_day (point);
    }
}

static void
append_point (GString                 *out,
              const ChanceryDatePoint *point)
{
  const ChanceryQualifier both = CHANCERY_QUALIFIER_APPROXIMATE | CHANCERY_QUALIFIER_UNCERTAIN;

  g_string_append_printf (out, "%04d", point->year);
  if (point->precision != CHANCERY_PRECISION_YEAR)
    g_string_append_printf (out, "-%02d", point->month);
  if (point->precision == CHANCERY_PRECISION_DAY)
    g_string_append_printf (out, "-%02d", point->day);

  if ((point->qualifiers & both) == both)
    g_string_append_c (out, '%');
  else if (point->qualifiers & CHANCERY_QUALIFIER_APPROXIMATE)
    g_string_append_c (out, '~');
  else if (point->qualifiers & CHANCERY_QUALIFIER_UNCERTAIN)
    g_string_append_c (out, '?');
}

/* Parsing */

/* The input as an error message shows it: valid UTF-8, and short. */
static char *
quote_input (const char *text,
             gsize       len)
{
  g_autofree char *valid = g_utf8_make_valid (text, MIN (len, (gsize) MAX_DATE_TEXT));
  glong n_chars = g_utf8_strlen (valid, -1);
  const char *end;

  if (n_chars <= MAX_QUOTED_CHARS && len <= MAX_DATE_TEXT)
    return g_steal_pointer (&valid);

  end = g_utf8_offset_to_pointer (valid, MIN (n_chars, MAX_QUOTED_CHARS));
  return g_strdup_printf ("%.*s…", (int) (end - valid), valid);
}

static gboolean
fail_not_a_date (const char  *quoted,
                 GError     **error)
{
  g_set_error (error, CHANCERY_ERROR, CHANCERY_ERROR_INVALID_DATE,
               _("“%s”: not a date; expected YYYY, YYYY-MM or YYYY-MM-DD, "
                 "optionally with ~ ? or %%, or a range A/B"),
               quoted);
  return FALSE;
}

/* Counts the ASCII digits at the start of @s (at most @len bytes). */
static gsize
count_digits (const char *s,
              gsize       len)
{
  gsize n = 0;

  while (n < len && g_ascii_isdigit (s[n]))
    n++;
  return n;
}

static int
digits_value (const char *s,
              gsize       n)
{
  int value = 0;

  g_assert (n <= 4);
  for (gsize i = 0; i < n; i++)
    value = value * 10 + (s[i] - '0');
  return value;
}

static ChanceryQualifier
qualifier_from_char (char c)
{
  switch (c)
    {
    case '~':
      return CHANCERY_QUALIFIER_APPROXIMATE;
    case '?':
      return CHANCERY_QUALIFIER_UNCERTAIN;
    case '%':
      return CHANCERY_QUALIFIER_APPROXIMATE | CHANCERY_QUALIFIER_UNCERTAIN;
    default:
      return CHANCERY_QUALIFIER_NONE;
    }
}

static gboolean
parse_year (const char  *s,
            gsize        len,
            const char  *quoted,
            int         *year,
            GError     **error)
{
  gsize n = count_digits (s, len);

  if (n == 0)
    return fail_not_a_date (quoted, error);
  if (n > 4)
    {
      g_set_error (error, CHANCERY_ERROR, CHANCERY_ERROR_INVALID_DATE,
                   _("“%s”: the year has more than four digits; years run from 1 to 9999"),
                   quoted);
      return FALSE;
    }
  if (n < 4)
    {
      g_set_error (error, CHANCERY_ERROR, CHANCERY_ERROR_INVALID_DATE,
                   _("“%s”: the year must have four digits, as in 0850 or 2025"),
                   quoted);
      return FALSE;
    }

  *year = digits_value (s, 4);
  if (*year == 0)
    {
      g_set_error (error, CHANCERY_ERROR, CHANCERY_ERROR_INVALID_DATE,
                   _("“%s”: year 0 is out of range (1–9999)"), quoted);
      return FALSE;
    }
  return TRUE;
}

/* Reads "-NN" at @s, a month or a day as @is_month says. */
static gboolean
parse_two_digits (const char  *s,
                  gsize        len,
                  const char  *quoted,
                  gboolean     is_month,
                  int         *value,
                  GError     **error)
{
  gsize n;

  g_assert (len >= 1 && s[0] == '-');
  n = count_digits (s + 1, len - 1);
  if (n != 2)
    {
      g_set_error (error, CHANCERY_ERROR, CHANCERY_ERROR_INVALID_DATE,
                   is_month ? _("“%s”: the month must have two digits, as in 2025-06")
                            : _("“%s”: the day must have two digits, as in 2025-06-08"),
                   quoted);
      return FALSE;
    }
  *value = digits_value (s + 1, 2);
  return TRUE;
}

static gboolean
check_month_day (const ChanceryDatePoint  *point,
                 const char               *quoted,
                 GError                  **error)
{
  int n_days;

  if (point->month < 1 || point->month > 12)
    {
      g_set_error (error, CHANCERY_ERROR, CHANCERY_ERROR_INVALID_DATE,
                   _("“%s”: month %d is out of range (1–12)"), quoted, point->month);
      return FALSE;
    }
  if (point->precision != CHANCERY_PRECISION_DAY)
    return TRUE;

  n_days = days_in_month (point->year, point->month);
  if (point->day < 1)
    {
      g_set_error (error, CHANCERY_ERROR, CHANCERY_ERROR_INVALID_DATE,
                   _("“%s”: day %d is out of range (1–%d)"), quoted, point->day, n_days);
      return FALSE;
    }
  if (point->day > n_days)
    {
      /* TRANSLATORS: "“2025-02-30”: February 2025 has only 28 days" */
      g_set_error (error, CHANCERY_ERROR, CHANCERY_ERROR_INVALID_DATE,
                   g_dngettext (GETTEXT_PACKAGE, "“%s”: %s %d has only %d day",
                                "“%s”: %s %d has only %d days", n_days),
                   quoted, _(month_names[point->month - 1]), point->year, n_days);
      return FALSE;
    }
  return TRUE;
}

static gboolean
fail_trailing (const char  *rest,
               gsize        len,
               const char  *quoted,
               GError     **error)
{
  g_autofree char *rest_quoted = quote_input (rest, len);

  g_set_error (error, CHANCERY_ERROR, CHANCERY_ERROR_INVALID_DATE,
               _("“%s”: unexpected “%s” after the date"), quoted, rest_quoted);
  return FALSE;
}

/* One point, the @len bytes at @s: YYYY[-MM[-DD]][~?%]. */
static gboolean
parse_point (const char         *s,
             gsize               len,
             const char         *quoted,
             ChanceryDatePoint  *point,
             GError            **error)
{
  int year, month = 0, day = 0;
  gsize pos = 4;

  memset (point, 0, sizeof *point);
  if (!parse_year (s, len, quoted, &year, error))
    return FALSE;
  point->year = (gint16) year;
  point->precision = CHANCERY_PRECISION_YEAR;

  if (pos < len && s[pos] == '-')
    {
      if (!parse_two_digits (s + pos, len - pos, quoted, TRUE, &month, error))
        return FALSE;
      pos += 3;
      point->precision = CHANCERY_PRECISION_MONTH;
    }
  if (point->precision == CHANCERY_PRECISION_MONTH && pos < len && s[pos] == '-')
    {
      if (!parse_two_digits (s + pos, len - pos, quoted, FALSE, &day, error))
        return FALSE;
      pos += 3;
      point->precision = CHANCERY_PRECISION_DAY;
    }
  point->month = (gint8) month;
  point->day = (gint8) day;

  if (pos < len && qualifier_from_char (s[pos]) != CHANCERY_QUALIFIER_NONE)
    point->qualifiers = qualifier_from_char (s[pos++]);
  if (pos < len)
    return fail_trailing (s + pos, len - pos, quoted, error);

  return point->precision == CHANCERY_PRECISION_YEAR || check_month_day (point, quoted, error);
}

static gboolean
is_open_end (const char *s,
             gsize       len)
{
  return len == 2 && s[0] == '.' && s[1] == '.';
}

static gboolean
check_text (const char  *text,
            gsize        len,
            const char  *quoted,
            GError     **error)
{
  const char *slash;

  for (gsize i = 0; i < len; i++)
    {
      if (g_ascii_isspace (text[i]))
        {
          g_set_error (error, CHANCERY_ERROR, CHANCERY_ERROR_INVALID_DATE,
                       _("“%s”: a date may not contain spaces"), quoted);
          return FALSE;
        }
    }

  slash = memchr (text, '/', len);
  if (slash != NULL && memchr (slash + 1, '/', len - (gsize) (slash + 1 - text)) != NULL)
    {
      g_set_error (error, CHANCERY_ERROR, CHANCERY_ERROR_INVALID_DATE,
                   _("“%s”: a range has one “/”, as in 2025-12-08/2025-12-09"), quoted);
      return FALSE;
    }
  return TRUE;
}

static gboolean
parse_single (const char    *text,
              gsize          len,
              const char    *quoted,
              ChanceryDate  *date,
              GError       **error)
{
  if (is_open_end (text, len))
    {
      g_set_error (error, CHANCERY_ERROR, CHANCERY_ERROR_INVALID_DATE,
                   _("“%s”: an open end needs a known one, as in ../2025 or 2025/.."),
                   quoted);
      return FALSE;
    }
  if (!parse_point (text, len, quoted, &date->start, error))
    return FALSE;

  date->form = CHANCERY_DATE_SINGLE;
  date->lo = point_first_day (&date->start);
  date->hi = point_last_day (&date->start);
  return TRUE;
}

static gboolean
parse_before (const char    *text,
              gsize          len,
              const char    *quoted,
              ChanceryDate  *date,
              GError       **error)
{
  if (!parse_point (text, len, quoted, &date->end, error))
    return FALSE;

  date->form = CHANCERY_DATE_BEFORE;
  date->lo = CHANCERY_DAY_OPEN_LO;
  date->hi = point_last_day (&date->end);
  return TRUE;
}

static gboolean
parse_after (const char    *text,
             gsize          len,
             const char    *quoted,
             ChanceryDate  *date,
             GError       **error)
{
  if (!parse_point (text, len, quoted, &date->start, error))
    return FALSE;

  date->form = CHANCERY_DATE_AFTER;
  date->lo = point_first_day (&date->start);
  date->hi = CHANCERY_DAY_OPEN_HI;
  return TRUE;
}

static gboolean
parse_closed_range (const char    *text,
                    gsize          start_len,
                    const char    *end_text,
                    gsize          end_len,
                    const char    *quoted,
                    ChanceryDate  *date,
                    GError       **error)
{
  if (!parse_point (text, start_len, quoted, &date->start, error) ||
      !parse_point (end_text, end_len, quoted, &date->end, error))
    return FALSE;

  date->form = CHANCERY_DATE_RANGE;
  date->lo = point_first_day (&date->start);
  date->hi = point_last_day (&date->end);
  if (date->hi < date->lo)
    {
      g_set_error (error, CHANCERY_ERROR, CHANCERY_ERROR_INVALID_DATE,
                   _("“%s”: the range ends before it starts"), quoted);
      return FALSE;
    }
  return TRUE;
}

static gboolean
parse_range (const char    *text,
             gsize          len,
             const char    *slash,
             const char    *quoted,
             ChanceryDate  *date,
             GError       **error)
{
  gsize start_len = (gsize) (slash - text);
  const char *end_text = slash + 1;
  gsize end_len = len - start_len - 1;
  gboolean open_start = is_open_end (text, start_len);
  gboolean open_end = is_open_end (end_text, end_len);

  if (start_len == 0 || end_len == 0)
    {
      g_set_error (error, CHANCERY_ERROR, CHANCERY_ERROR_INVALID_DATE,
                   start_len == 0 ? _("“%s”: the range has no start; write ../ for an unknown one")
                                  : _("“%s”: the range has no end; write /.. for an unknown one"),
                   quoted);
      return FALSE;
    }
  if (open_start && open_end)
    {
      g_set_error (error, CHANCERY_ERROR, CHANCERY_ERROR_INVALID_DATE,
                   _("“%s”: both ends of the range are open; at least one must be known"),
                   quoted);
      return FALSE;
    }
  if (open_start)
    return parse_before (end_text, end_len, quoted, date, error);
  if (open_end)
    return parse_after (text, start_len, quoted, date, error);
  return parse_closed_range (text, start_len, end_text, end_len, quoted, date, error);
}

/* Formatting with ICU */

static char *
uchars_to_utf8 (const UChar *text,
                int32_t      len)
{
  return g_utf16_to_utf8 ((const gunichar2 *) text, len, NULL, NULL, NULL);
}

/* The locale dates are shown in, as ICU names it: "fa_IR.UTF-8" -> "fa_IR".
 * Plain English follows British usage (day, month, year). */
static char *
current_icu_locale (void)
{
  return chancery_icu_locale ("LC_TIME");
}

/* EDTF dates are Gregorian, whatever calendar the locale prefers. */
static char *
current_gregorian_locale (void)
{
  g_autofree char *base = current_icu_locale ();

  return g_strconcat (base, "@calendar=gregorian", NULL);
}

static const char *
skeleton_for (ChanceryPrecision precision)
{
  switch (precision)
    {
    case CHANCERY_PRECISION_YEAR:
      return "y";
    case CHANCERY_PRECISION_MONTH:
      return "yMMMM";
    case CHANCERY_PRECISION_DAY:
    default:
      return "yMMMMd";
    }
}

/* Day numbers are proleptic Gregorian; ICU's Gregorian calendar is Julian
 * before October 1582 unless told otherwise. */
static UCalendar *
open_calendar (const char *locale)
{
  UErrorCode status = U_ZERO_ERROR;
  UCalendar *calendar = ucal_open (utc_id, -1, locale, UCAL_DEFAULT, &status);
  const char *type;

  if (U_FAILURE (status))
    {
      ucal_close (calendar);
      return NULL;
    }
  type = ucal_getType (calendar, &status);
  if (U_SUCCESS (status) && g_strcmp0 (type, "gregorian") == 0)
    ucal_setGregorianChange (calendar, U_DATE_MIN, &status);
  return calendar;
}

static UDateFormat *
open_date_format (const char *locale,
                  const char *skeleton)
{
  UErrorCode status = U_ZERO_ERROR;
  UChar uskeleton[16];
  UChar pattern[128];
  UDateTimePatternGenerator *generator;
  UCalendar *calendar;
  int32_t pattern_len;
  UDateFormat *format;

  u_uastrcpy (uskeleton, skeleton);
  generator = udatpg_open (locale, &status);
  pattern_len = udatpg_getBestPattern (generator, uskeleton, -1, pattern,
                                       G_N_ELEMENTS (pattern), &status);
  udatpg_close (generator);
  if (U_FAILURE (status) || status == U_STRING_NOT_TERMINATED_WARNING)
    return NULL;

  format = udat_open (UDAT_PATTERN, UDAT_PATTERN, locale, utc_id, -1,
                      pattern, pattern_len, &status);
  calendar = open_calendar (locale);
  if (U_FAILURE (status) || calendar == NULL)
    {
      g_clear_pointer (&calendar, ucal_close);
      udat_close (format);
      return NULL;
    }
  udat_setCalendar (format, calendar);
  ucal_close (calendar);
  return format;
}

static void
interval_format_free (IntervalFormat *self)
{
  g_clear_pointer (&self->format, udtitvfmt_close);
  g_clear_pointer (&self->from, ucal_close);
  g_clear_pointer (&self->to, ucal_close);
  g_free (self);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (IntervalFormat, interval_format_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (UFormattedDateInterval, udtitvfmt_closeResult)

static char *
interval_format_run (IntervalFormat *self,
                     gint32          from,
                     gint32          to)
{
  UErrorCode status = U_ZERO_ERROR;
  g_autoptr(UFormattedDateInterval) result = udtitvfmt_openResult (&status);
  const UChar *text;
  int32_t len = 0;

  ucal_setMillis (self->from, (UDate) from * U_MILLIS_PER_DAY, &status);
  ucal_setMillis (self->to, (UDate) to * U_MILLIS_PER_DAY, &status);
  udtitvfmt_formatCalendarToResult (self->format, self->from, self->to, result, &status);
  text = ufmtval_getString (udtitvfmt_resultAsValue (result, &status), &len, &status);
  if (U_FAILURE (status))
    return NULL;
  return uchars_to_utf8 (text, len);
}

/* Some locale data is wrong: ICU 72 shows June–August 2025 in Persian as
 * "June to June 2025". Two spans that differ only in their end must read
 * differently, or the formatter loses information and is not used. */
static gboolean
interval_format_keeps_end (IntervalFormat *self,
                           const char     *skeleton)
{
  gint32 from = chancery_day_from_ymd (2001, 6, 1);
  gint32 to1 = from + 1, to2 = from + 2;
  g_autofree char *text1 = NULL;
  g_autofree char *text2 = NULL;

  if (g_str_equal (skeleton, "y"))
    {
      to1 = chancery_day_from_ymd (2002, 6, 1);
      to2 = chancery_day_from_ymd (2003, 6, 1);
    }
  else if (g_str_equal (skeleton, "yMMMM"))
    {
      to1 = chancery_day_from_ymd (2001, 7, 1);
      to2 = chancery_day_from_ymd (2001, 8, 1);
    }

  text1 = interval_format_run (self, from, to1);
  text2 = interval_format_run (self, from, to2);
  return text1 != NULL && text2 != NULL && !g_str_equal (text1, text2);
}

static IntervalFormat *
open_interval_format (const char *locale,
                      const char *skeleton)
{
  UErrorCode status = U_ZERO_ERROR;
  g_autoptr(IntervalFormat) self = g_new0 (IntervalFormat, 1);
  UChar uskeleton[16];

  u_uastrcpy (uskeleton, skeleton);
  self->format = udtitvfmt_open (locale, uskeleton, -1, utc_id, -1, &status);
  self->from = open_calendar (locale);
  self->to = open_calendar (locale);
  if (U_FAILURE (status) || self->from == NULL || self->to == NULL ||
      !interval_format_keeps_end (self, skeleton))
    return NULL;
  return g_steal_pointer (&self);
}

static void
ensure_caches_locked (void)
{
  if (date_formats != NULL)
    return;
  date_formats = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                        (GDestroyNotify) udat_close);
  interval_formats = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                            (GDestroyNotify) interval_format_free);
}

static char *
format_key (const char *locale,
            const char *skeleton)
{
  return g_strconcat (locale, "|", skeleton, NULL);
}

/* A formatter that cannot be opened is cached as NULL, so that it is not
 * tried again for every date. */
static UDateFormat *
lookup_date_format_locked (const char *locale,
                           const char *skeleton)
{
  g_autofree char *key = format_key (locale, skeleton);
  gpointer format = NULL;

  if (!g_hash_table_lookup_extended (date_formats, key, NULL, &format))
    {
      format = open_date_format (locale, skeleton);
      g_hash_table_insert (date_formats, g_steal_pointer (&key), format);
    }
  return format;
}

static IntervalFormat *
lookup_interval_format_locked (const char *locale,
                               const char *skeleton)
{
  g_autofree char *key = format_key (locale, skeleton);
  gpointer format = NULL;

  if (!g_hash_table_lookup_extended (interval_formats, key, NULL, &format))
    {
      format = open_interval_format (locale, skeleton);
      g_hash_table_insert (interval_formats, g_steal_pointer (&key), format);
    }
  return format;
}

/* One day with @skeleton; NULL if ICU cannot. */
static char *
format_day_with_icu (const char *locale,
                     const char *skeleton,
                     gint32      day)
{
  UErrorCode status = U_ZERO_ERROR;
  UDateFormat *format;
  UChar buffer[256];
  int32_t len = -1;

  g_mutex_lock (&format_lock);
  ensure_caches_locked ();
  format = lookup_date_format_locked (locale, skeleton);
  if (format != NULL)
    len = udat_format (format, (UDate) day * U_MILLIS_PER_DAY, buffer,
                       G_N_ELEMENTS (buffer), NULL, &status);
  g_mutex_unlock (&format_lock);

  if (len < 0 || U_FAILURE (status) || status == U_STRING_NOT_TERMINATED_WARNING)
    return NULL;
  return uchars_to_utf8 (buffer, len);
}

/* The span @from..@to with @skeleton, as one interval; NULL if ICU cannot
 * or its data for the locale is not to be trusted. */
static char *
format_interval_with_icu (const char *locale,
                          const char *skeleton,
                          gint32      from,
                          gint32      to)
{
  IntervalFormat *format;
  char *text = NULL;

  g_mutex_lock (&format_lock);
  ensure_caches_locked ();
  format = lookup_interval_format_locked (locale, skeleton);
  if (format != NULL)
    text = interval_format_run (format, from, to);
  g_mutex_unlock (&format_lock);

  return text;
}

static char *
apply_qualifiers (char              *text,
                  ChanceryQualifier  qualifiers)
{
  if (qualifiers & CHANCERY_QUALIFIER_APPROXIMATE)
    {
      /* TRANSLATORS: an approximate date, as in "about June 2025" */
      char *about = g_strdup_printf (_("about %s"), text);

      g_free (text);
      text = about;
    }
  if (qualifiers & CHANCERY_QUALIFIER_UNCERTAIN)
    {
      /* TRANSLATORS: a date the source is unsure of, as in "June 2025 (uncertain)" */
      char *uncertain = g_strdup_printf (_("%s (uncertain)"), text);

      g_free (text);
      text = uncertain;
    }
  return text;
}

static char *
format_day_or_iso (const char        *locale,
                   ChanceryPrecision  precision,
                   gint32             day)
{
  char *text = format_day_with_icu (locale, skeleton_for (precision), day);

  return text != NULL ? text : chancery_day_to_iso (day);
}

/* @from..@to at @precision, as one interval where ICU can ("8–9 December
 * 2025"), else as two dates; plain ISO dates if ICU fails altogether. */
static char *
format_span (const char        *locale,
             ChanceryPrecision  precision,
             gint32             from,
             gint32             to)
{
  g_autofree char *from_text = NULL;
  g_autofree char *to_text = NULL;
  char *text;

  if (from == to)
    return format_day_or_iso (locale, precision, from);

  text = format_interval_with_icu (locale, skeleton_for (precision), from, to);
  if (text != NULL)
    return text;

  from_text = format_day_or_iso (locale, precision, from);
  to_text = format_day_or_iso (locale, precision, to);
  if (g_str_equal (from_text, to_text))
    return g_steal_pointer (&from_text);
  /* TRANSLATORS: a span between two dates, as in "June 2025 – August 2025" */
  return g_strdup_printf (_("%s – %s"), from_text, to_text);
}

/* How one point reads. In the Persian calendar a Gregorian month or year is
 * the span of Persian months or years it overlaps. */
static char *
format_point (const char              *locale,
              const ChanceryDatePoint *point,
              gboolean                 persian)
{
  gint32 first = point_first_day (point);
  gint32 last = persian ? point_last_day (point) : first;

  return apply_qualifiers (format_span (locale, point->precision, first, last),
                           point->qualifiers);
}

/* A day-precision point moved by delta days, keeping its qualifiers. */
static char *
format_shifted_day (const char              *locale,
                    const ChanceryDatePoint *point,
                    int                      delta)
{
  gint32 day = point_first_day (point) + delta;

  return apply_qualifiers (format_span (locale, CHANCERY_PRECISION_DAY, day, day),
                           point->qualifiers);
}

static char *
format_range (const char         *locale,
              const ChanceryDate *date,
              gboolean            persian)
{
  const ChanceryDatePoint *start = &date->start;
  const ChanceryDatePoint *end = &date->end;
  g_autofree char *start_text = NULL;
  g_autofree char *end_text = NULL;

  /* One interval ("8–9 December 2025") when both ends read alike. */
  if (start->precision == end->precision && start->qualifiers == end->qualifiers)
    {
      gint32 to = persian ? point_last_day (end) : point_first_day (end);

      return apply_qualifiers (format_span (locale, start->precision,
                                            point_first_day (start), to),
                               start->qualifiers);
    }

  start_text = format_point (locale, start, persian);
  end_text = format_point (locale, end, persian);
  /* TRANSLATORS: a range between two dates of different precision */
  return g_strdup_printf (_("%s – %s"), start_text, end_text);
}

static char *
format_date (const char         *locale,
             const ChanceryDate *date,
             gboolean            persian)
{
  g_autofree char *point_text = NULL;

  switch (date->form)
    {
    case CHANCERY_DATE_RANGE:
      return format_range (locale, date, persian);
    case CHANCERY_DATE_BEFORE:
      if (date->end.precision != CHANCERY_PRECISION_DAY)
        {
          point_text = format_point (locale, &date->end, persian);
          /* TRANSLATORS: on or before a month or year, as in "June 2025 or earlier" */
          return g_strdup_printf (_("%s or earlier"), point_text);
        }
      /* "../2025-12-07" is on or before the 7th: people say "before 8 December". */
      point_text = format_shifted_day (locale, &date->end, 1);
      /* TRANSLATORS: strictly before a day, as in "before 8 December 2025" */
      return g_strdup_printf (_("before %s"), point_text);
    case CHANCERY_DATE_AFTER:
      if (date->start.precision != CHANCERY_PRECISION_DAY)
        {
          point_text = format_point (locale, &date->start, persian);
          /* TRANSLATORS: on or after a month or year, as in "June 2025 or later" */
          return g_strdup_printf (_("%s or later"), point_text);
        }
      point_text = format_shifted_day (locale, &date->start, -1);
      /* TRANSLATORS: strictly after a day, as in "after 8 December 2025" */
      return g_strdup_printf (_("after %s"), point_text);
    case CHANCERY_DATE_SINGLE:
    default:
      return format_point (locale, &date->start, persian);
    }
}

/* Public API */

gboolean
chancery_date_parse (const char    *text,
                     ChanceryDate  *date,
                     GError       **error)
{
  g_autofree char *quoted = NULL;
  ChanceryDate parsed = { 0 };
  const char *slash;
  gsize len;
  gboolean ok;

  g_return_val_if_fail (date != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (text == NULL || text[0] == '\0')
    {
      g_set_error_literal (error, CHANCERY_ERROR, CHANCERY_ERROR_INVALID_DATE,
                           text == NULL ? _("no date given") : _("empty date"));
      return FALSE;
    }

  /* Only the first MAX_DATE_TEXT + 1 bytes matter: anything longer is wrong. */
  len = strnlen (text, MAX_DATE_TEXT + 1);
  quoted = quote_input (text, len);
  if (len > MAX_DATE_TEXT)
    {
      g_set_error (error, CHANCERY_ERROR, CHANCERY_ERROR_INVALID_DATE,
                   _("“%s”: too long to be a date"), quoted);
      return FALSE;
    }
  if (!check_text (text, len, quoted, error))
    return FALSE;

  slash = memchr (text, '/', len);
  if (slash == NULL)
    ok = parse_single (text, len, quoted, &parsed, error);
  else
    ok = parse_range (text, len, slash, quoted, &parsed, error);

  if (ok)
    *date = parsed;
  return ok;
}

char *
chancery_date_to_string (const ChanceryDate *date)
{
  GString *out;

  g_return_val_if_fail (date != NULL, NULL);

  out = g_string_sized_new (24);
  switch (date->form)
    {
    case CHANCERY_DATE_RANGE:
      append_point (out, &date->start);
      g_string_append_c (out, '/');
      append_point (out, &date->end);
      break;
    case CHANCERY_DATE_BEFORE:
      g_string_append (out, "../");
      append_point (out, &date->end);
      break;
    case CHANCERY_DATE_AFTER:
      append_point (out, &date->start);
      g_string_append (out, "/..");
      break;
    case CHANCERY_DATE_SINGLE:
    default:
      append_point (out, &date->start);
      break;
    }
  return g_string_free (out, FALSE);
}

char *
chancery_date_format (const ChanceryDate *date)
{
  g_autofree char *locale = NULL;

  g_return_val_if_fail (date != NULL, NULL);

  locale = current_gregorian_locale ();
  return format_date (locale, date, FALSE);
}

char *
chancery_date_format_persian (const ChanceryDate *date)
{
  g_return_val_if_fail (date != NULL, NULL);

  return format_date ("fa_IR@calendar=persian", date, TRUE);
}

char *
chancery_day_format (gint32            day,
                     ChanceryPrecision precision)
{
  g_autofree char *locale = current_gregorian_locale ();

  return format_span (locale, precision, day, day);
}

ChanceryPrecision
chancery_date_get_precision (const ChanceryDate *date)
{
  g_return_val_if_fail (date != NULL, CHANCERY_PRECISION_DAY);

  /* The enum runs from finest to coarsest. */
  switch (date->form)
    {
    case CHANCERY_DATE_RANGE:
      return MAX (date->start.precision, date->end.precision);
    case CHANCERY_DATE_BEFORE:
      return date->end.precision;
    case CHANCERY_DATE_AFTER:
    case CHANCERY_DATE_SINGLE:
    default:
      return date->start.precision;
    }
}

void
chancery_date_get_extent (const ChanceryDate *date,
                          gint32             *lo,
                          gint32             *hi)
{
  gint32 extent_lo, extent_hi;

  g_return_if_fail (date != NULL);

  /* The soft extent reaches past the whole known point, so that "../2025"
   * still covers all of 2025 and a year before it. */
  extent_lo = date->form == CHANCERY_DATE_BEFORE
    ? point_first_day (&date->end) - CHANCERY_OPEN_EXTENT_DAYS
    : date->lo;
  extent_hi = date->form == CHANCERY_DATE_AFTER
    ? point_last_day (&date->start) + CHANCERY_OPEN_EXTENT_DAYS
    : date->hi;

  if (lo != NULL)
    *lo = extent_lo;
  if (hi != NULL)
    *hi = extent_hi;
}

int
chancery_date_compare (const ChanceryDate *a,
                       const ChanceryDate *b)
{
  gint32 a_lo, a_hi, b_lo, b_hi;
  g_autofree char *a_text = NULL;
  g_autofree char *b_text = NULL;

  chancery_date_get_extent (a, &a_lo, &a_hi);
  chancery_date_get_extent (b, &b_lo, &b_hi);
  if (a_lo != b_lo)
    return a_lo < b_lo ? -1 : 1;
  if (a_hi != b_hi)
    return a_hi < b_hi ? -1 : 1;

  a_text = chancery_date_to_string (a);
  b_text = chancery_date_to_string (b);
  return strcmp (a_text, b_text);
}

gint32
chancery_day_from_ymd (int year,
                       int month,
                       int day)
{
  g_return_val_if_fail (month >= 1 && month <= 12, 0);

  return (gint32) (days_before_year (year) + days_before_month (year, month) + day - 1
                   - DAYS_BEFORE_EPOCH);
}

void
chancery_day_to_ymd (gint32  day,
                     int    *year,
                     int    *month,
                     int    *day_of_month)
{
  /* Count from 0001-01-01 in whole 400-, 100-, 4- and 1-year cycles. */
  gint64 n = (gint64) day + DAYS_BEFORE_EPOCH;
  gint64 cycles400 = floor_div (n, DAYS_PER_400_YEARS);
  gint64 rest = n - cycles400 * DAYS_PER_400_YEARS;
  gint64 cycles100 = MIN (rest / DAYS_PER_100_YEARS, 3);
  gint64 cycles4, years, y;
  int m = 1;

  rest -= cycles100 * DAYS_PER_100_YEARS;
  cycles4 = rest / DAYS_PER_4_YEARS;
  rest -= cycles4 * DAYS_PER_4_YEARS;
  years = MIN (rest / 365, 3);
  rest -= years * 365;
  y = cycles400 * 400 + cycles100 * 100 + cycles4 * 4 + years + 1;

  while (rest >= days_in_month ((int) y, m))
    rest -= days_in_month ((int) y, m++);

  if (year != NULL)
    *year = (int) y;
  if (month != NULL)
    *month = m;
  if (day_of_month != NULL)
    *day_of_month = (int) rest + 1;
}

char *
chancery_day_to_iso (gint32 day)
{
  int year, month, day_of_month;

  chancery_day_to_ymd (day, &year, &month, &day_of_month);
  return g_strdup_printf ("%04d-%02d-%02d", year, month, day_of_month);
}

gint32
chancery_day_today (void)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();

  return chancery_day_from_ymd (g_date_time_get_year (now),
                                g_date_time_get_month (now),
                                g_date_time_get_day_of_month (now));
}
