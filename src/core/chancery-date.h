/* chancery-date.h: partial dates (a subset of EDTF, ISO 8601-2)
 *
 * Copyright 2026 The Chancery developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Forms: "2025-12-08" (day), "2025-06" (month), "2026" (year), each optionally
 * followed by "~" (approximate), "?" (uncertain) or "%" (both); ranges
 * "A/B"; open bounds "../B" (on or before B) and "A/.." (on or after A).
 *
 * Days are counted from 1970-01-01 (day 0), proleptic Gregorian calendar;
 * years 1..9999 only.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef enum
{
  CHANCERY_PRECISION_DAY,
  CHANCERY_PRECISION_MONTH,
  CHANCERY_PRECISION_YEAR,
} ChanceryPrecision;

typedef enum
{
  CHANCERY_QUALIFIER_NONE        = 0,
  CHANCERY_QUALIFIER_APPROXIMATE = 1 << 0,   /* "~" */
  CHANCERY_QUALIFIER_UNCERTAIN   = 1 << 1,   /* "?" ; "%" sets both */
} ChanceryQualifier;

/* One calendar point of a date: year, or year-month, or year-month-day. */
typedef struct
{
  gint16            year;       /* 1..9999 */
  gint8             month;      /* 1..12, or 0 when precision is YEAR */
  gint8             day;        /* 1..31, or 0 unless precision is DAY */
  ChanceryPrecision precision;
  ChanceryQualifier qualifiers;
} ChanceryDatePoint;

typedef enum
{
  CHANCERY_DATE_SINGLE,      /* "2025-06" */
  CHANCERY_DATE_RANGE,       /* "2025-12-08/2025-12-09" */
  CHANCERY_DATE_BEFORE,      /* "../2025-12-07": on or before end */
  CHANCERY_DATE_AFTER,       /* "2025-12-09/..": on or after start */
} ChanceryDateForm;

typedef struct
{
  ChanceryDateForm  form;
  ChanceryDatePoint start;   /* unused for BEFORE */
  ChanceryDatePoint end;     /* unused for SINGLE and AFTER */
  /* Bounds in days, inclusive. For an open bound the value is
   * CHANCERY_DAY_OPEN_LO / CHANCERY_DAY_OPEN_HI. */
  gint32            lo;
  gint32            hi;
} ChanceryDate;

#define CHANCERY_DAY_OPEN_LO G_MININT32
#define CHANCERY_DAY_OPEN_HI G_MAXINT32

/* How far an open bound is drawn (soft extent) before/after its known end. */
#define CHANCERY_OPEN_EXTENT_DAYS 365

gboolean chancery_date_parse          (const char         *text,
                                       ChanceryDate       *date,
                                       GError            **error);
/* EDTF text, the inverse of parse. */
char    *chancery_date_to_string      (const ChanceryDate *date);
/* For people, in the current locale: "8 December 2025", "June 2025",
 * "2026", "about 2026", "before 8 December 2025", "8–9 December 2025". */
char    *chancery_date_format         (const ChanceryDate *date);
/* The same date in the Solar Hijri (Persian) calendar, in Persian with
 * Persian digits: "۱۷ آذر ۱۴۰۴". A Gregorian month or year rarely matches one
 * Persian month or year, so it is shown as the span of Persian months or
 * years it covers ("خرداد تا تیر ۱۴۰۴"); it is never narrowed to a day. */
char    *chancery_date_format_persian (const ChanceryDate *date);
/* One day at a precision in the current locale, for axis labels:
 * "8 December 2025", "December 2025", "2025". */
char    *chancery_day_format          (gint32             day,
                                       ChanceryPrecision  precision);
/* Coarsest precision of the date's known points. */
ChanceryPrecision chancery_date_get_precision (const ChanceryDate *date);
/* Finite extent for drawing and sorting: open bounds become
 * CHANCERY_OPEN_EXTENT_DAYS away from the known one. */
void     chancery_date_get_extent     (const ChanceryDate *date,
                                       gint32             *lo,
                                       gint32             *hi);
/* Orders by extent lo, then hi, then EDTF text; a total order. */
int      chancery_date_compare        (const ChanceryDate *a,
                                       const ChanceryDate *b);

/* Day numbers <-> calendar */
gint32   chancery_day_from_ymd        (int year, int month, int day);
void     chancery_day_to_ymd          (gint32 day, int *year, int *month, int *day_of_month);
/* "2025-12-08"; caller frees */
char    *chancery_day_to_iso          (gint32 day);
/* Today in local time */
gint32   chancery_day_today           (void);

G_END_DECLS
