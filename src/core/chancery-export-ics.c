/* chancery-export-ics.c: events as iCalendar (RFC 5545)
 *
 * Copyright 2026 The Chancery developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Every event becomes an all-day VEVENT (VALUE=DATE; DTEND is exclusive,
 * DURATION instead when that would be past 9999-12-31).
 * Calendars have no notion of "sometime in June", so a month- or
 * year-precision event spans its whole month or year and its DESCRIPTION
 * says that the day is not known; an open-bounded event ("../2025-12-07")
 * sits on its known day and the DESCRIPTION says "on or before". UID is
 * "<uid>@chancery", so re-exporting updates the same entries in a calendar
 * instead of duplicating them.
 *
 * The content lines are written here, not by libical: libical 3.0.16 (Debian
 * 12) folds a line between its CR and LF (fixed in libical 4.0.3, libical#1338),
 * writes URI values as given, invents escapes RFC 5545 does not have ("\t",
 * "\r") while writing other control characters raw, cannot write a date in
 * year 9998 or later, and drops VALUE=DATE on 0001-01-01. Each of these made
 * a file that calendars misread, or one that a source URL could inject
 * events into.
 *
 * The VCALENDAR is written around the events rather than built whole;
 * the events wait in the export spool only as long as they arrive out of
 * time order, within its memory budget (the rest on file).
 */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "chancery-export-private.h"

#define ICS_CHUNK_SIZE (256 * 1024)
#define ICS_PRODID "-//Chancery//Chancery 0.1//EN"
/* RFC 5545 §3.1: octets on a line, the CRLF not counted. */
#define ICS_LINE_OCTETS 75

typedef struct
{
  GOutputStream        *out;
  GCancellable         *cancellable;
  GString              *buf;
  GString              *scratch;
  GString              *line;
  char                 *dtstamp;
  gint32                last_day;   /* 9999-12-31, the last a DATE can hold */
} IcsWriter;

static void
ics_writer_clear (IcsWriter *writer)
{
  g_clear_pointer (&writer->dtstamp, g_free);
  if (writer->line != NULL)
    g_string_free (writer->line, TRUE);
  writer->line = NULL;
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (IcsWriter, ics_writer_clear)

static inline gboolean
is_utf8_continuation (char c)
{
  return ((guchar) c & 0xC0) == 0x80;
}

/* Ends writer->line, the content line built so far, and puts it folded
 * in buf. */
static void
end_line (IcsWriter *writer,
          GString   *buf)
{
  chancery_ics_append_folded (buf, writer->line->str, writer->line->len);
  g_string_truncate (writer->line, 0);
}

/* NAME:VALUE with a TEXT value. */
static void
append_text_property (IcsWriter  *writer,
                      GString    *buf,
                      const char *name,
                      const char *text)
{
  g_string_append (writer->line, name);
  g_string_append_c (writer->line, ':');
  chancery_ics_append_text (writer->line, text);
  end_line (writer, buf);
}

static void
append_date_property (GString    *buf,
                      const char *name,
                      gint32      day)
{
  int y, m, d;

  chancery_day_to_ymd (day, &y, &m, &d);
  g_string_append_printf (buf, "%s;VALUE=DATE:%04d%02d%02d\r\n", name, y, m, d);
}

/* "June 2025" for one point of an open-ended date. */
static char *
format_point (const ChanceryDatePoint *point)
{
  ChanceryDate single = { 0, };
  g_autofree char *text = NULL;

  single.form = CHANCERY_DATE_SINGLE;
  single.start = *point;
  text = chancery_date_to_string (&single);

  /* Parsing again gives the point's own bounds, which the formatter may use. */
  if (text == NULL || !chancery_date_parse (text, &single, NULL))
    return g_strdup (text != NULL ? text : "");

  return chancery_date_format (&single);
}

static void
append_date_description (GString             *desc,
                         const ChanceryEvent *event)
{
  const ChanceryDate *date = &event->date;
  const char *written = event->date_text != NULL ? event->date_text : "";
  g_autofree char *people = NULL;

  if (date->form == CHANCERY_DATE_BEFORE || date->form == CHANCERY_DATE_AFTER)
    {
      const ChanceryDatePoint *known = date->form == CHANCERY_DATE_BEFORE ? &date->end : &date->start;

      people = format_point (known);
      if (date->form == CHANCERY_DATE_BEFORE)
        /* Translators: %s is a date such as "7 December 2025" */
        g_string_append_printf (desc, _("Date: on or before %s; the exact day is not known"), people);
      else
        /* Translators: %s is a date such as "9 December 2025" */
        g_string_append_printf (desc, _("Date: on or after %s; the exact day is not known"), people);
    }
  else
    {
      people = chancery_date_format (date);
      switch (chancery_date_get_precision (date))
        {
        case CHANCERY_PRECISION_MONTH:
          /* Translators: %s is a month such as "June 2025" */
          g_string_append_printf (desc, _("Date precision: month — %s; not an exact day"), people);
          break;
        case CHANCERY_PRECISION_YEAR:
          /* Translators: %s is a year such as "2026" */
          g_string_append_printf (desc, _("Date precision: year — %s; not an exact day"), people);
          break;
        case CHANCERY_PRECISION_DAY:
        default:
          /* Translators: %s is a date such as "8 December 2025" */
          g_string_append_printf (desc, _("Date precision: day — %s"), people);
          break;
        }
    }

  g_string_append_c (desc, '\n');
  /* Translators: %s is the date in EDTF, as the source gave it: "2025-06" */
  g_string_append_printf (desc, _("Date as written: %s"), written);
}

static void
append_sources_description (GString             *desc,
                            const ChanceryEvent *event)
{
  if (event->sources->len == 0)
    return;

  g_string_append (desc, "\n\n");
  g_string_append (desc, _("Sources:"));
  for (guint i = 0; i < event->sources->len; i++)
    {
      const ChanceryEventSource *source = g_ptr_array_index (event->sources, i);
      gsize start;

      g_string_append (desc, "\n- ");
      start = desc->len;
      if (source->publisher != NULL && *source->publisher != '\0')
        g_string_append (desc, source->publisher);
      if (source->reference != NULL && *source->reference != '\0')
        g_string_append_printf (desc, "%s%s", desc->len > start ? ", " : "", source->reference);
      else if (source->title != NULL && *source->title != '\0')
        g_string_append_printf (desc, "%s%s", desc->len > start ? ", " : "", source->title);
      if (source->url != NULL && *source->url != '\0')
        g_string_append_printf (desc, "%s<%s>", desc->len > start ? " " : "", source->url);
      if (desc->len == start)
        g_string_append (desc, source->uid);
      if (source->quote != NULL && *source->quote != '\0')
        g_string_append_printf (desc, ": \xE2\x80\x9C%s\xE2\x80\x9D", source->quote);
    }
}

static const char *
lookup_country_name (const ChanceryEvent *event,
                     const char          *code)
{
  for (guint i = 0; i < event->countries->len; i++)
    {
      const ChanceryEventCountry *country = g_ptr_array_index (event->countries, i);

      if (g_strcmp0 (country->code, code) == 0 && country->name != NULL)
        return country->name;
    }

  return code;
}

static void
append_dates (IcsWriter          *writer,
              GString            *buf,
              const ChanceryDate *date)
{
  gint32 first = date->lo;
  gint32 last = date->hi;

  /* An open bound: a single day on the known one. */
  if (first == CHANCERY_DAY_OPEN_LO)
    first = last;
  if (last == CHANCERY_DAY_OPEN_HI)
    last = first;
  if (first == CHANCERY_DAY_OPEN_LO || first == CHANCERY_DAY_OPEN_HI)
    return;

  append_date_property (buf, "DTSTART", first);
  if (last < writer->last_day)
    append_date_property (buf, "DTEND", last + 1);   /* exclusive */
  else
    /* The day after 9999-12-31 has no DATE (four digits for the year);
     * the length in days says the same (RFC 5545 §3.6.1, §3.8.2.5). */
    g_string_append_printf (buf, "DURATION:P%dD\r\n", last - first + 1);
}

static const char *
status_to_ical (ChanceryStatus status)
{
  switch (status)
    {
    case CHANCERY_STATUS_OCCURRED:
      return "CONFIRMED";
    case CHANCERY_STATUS_CANCELLED:
      return "CANCELLED";
    /* Not definite (RFC 5545): to come, or known only from a report, or
     * disputed. DESCRIPTION says which. */
    case CHANCERY_STATUS_PLANNED:
    case CHANCERY_STATUS_ANNOUNCED:
    case CHANCERY_STATUS_REPORTED:
    case CHANCERY_STATUS_DISPUTED:
    case CHANCERY_N_STATUSES:
    default:
      return "TENTATIVE";
    }
}

static void
append_location (IcsWriter           *writer,
                 GString             *buf,
                 const ChanceryEvent *event)
{
  GString *scratch = writer->scratch;

  g_string_truncate (scratch, 0);
  if (event->place_name != NULL && *event->place_name != '\0')
    g_string_append (scratch, event->place_name);
  if (event->place_country != NULL && *event->place_country != '\0')
    g_string_append_printf (scratch, "%s%s", scratch->len > 0 ? ", " : "",
                            lookup_country_name (event, event->place_country));
  if (scratch->len > 0)
    append_text_property (writer, buf, "LOCATION", scratch->str);
}

static void
append_geo (GString             *buf,
            const ChanceryEvent *event)
{
  char lat[G_ASCII_DTOSTR_BUF_SIZE];
  char lon[G_ASCII_DTOSTR_BUF_SIZE];

  if (!event->has_coordinates)
    return;

  /* Two FLOATs; a point whatever the locale. */
  g_string_append_printf (buf, "GEO:%s;%s\r\n",
                          g_ascii_formatd (lat, sizeof lat, "%f", event->latitude),
                          g_ascii_formatd (lon, sizeof lon, "%f", event->longitude));
}

/* CATEGORIES is a list of TEXT: the commas between them are separators,
 * any inside one escaped. */
static void
append_categories (IcsWriter           *writer,
                   GString             *buf,
                   const ChanceryEvent *event)
{
  g_string_append (writer->line, "CATEGORIES:");
  chancery_ics_append_text (writer->line, chancery_kind_to_string (event->kind));
  for (guint i = 0; i < event->countries->len; i++)
    {
      const ChanceryEventCountry *country = g_ptr_array_index (event->countries, i);

      g_string_append_c (writer->line, ',');
      chancery_ics_append_text (writer->line, country->code);
    }
  end_line (writer, buf);
}

/* The first source URL a calendar can open. The others, and any that is
 * not a URI, are in DESCRIPTION as text. */
static void
append_url (IcsWriter           *writer,
            GString             *buf,
            const ChanceryEvent *event)
{
  for (guint i = 0; i < event->sources->len; i++)
    {
      const ChanceryEventSource *source = g_ptr_array_index (event->sources, i);

      g_string_append (writer->line, "URL:");
      if (source->url != NULL && chancery_ics_append_uri (writer->line, source->url))
        {
          end_line (writer, buf);
          return;
        }
      g_string_truncate (writer->line, 0);
    }
}

static void
append_vevent (IcsWriter           *writer,
               GString             *buf,
               const ChanceryEvent *event)
{
  GString *scratch = writer->scratch;

  g_string_append (buf, "BEGIN:VEVENT\r\n");

  g_string_append (writer->line, "UID:");
  chancery_ics_append_text (writer->line, event->uid);
  g_string_append (writer->line, "@chancery");
  end_line (writer, buf);

  g_string_append_printf (buf, "DTSTAMP:%s\r\n", writer->dtstamp);
  append_dates (writer, buf, &event->date);
  append_text_property (writer, buf, "SUMMARY", event->title != NULL ? event->title : event->uid);

  g_string_truncate (scratch, 0);
  if (event->summary != NULL && *event->summary != '\0')
    g_string_append_printf (scratch, "%s\n\n", event->summary);
  append_date_description (scratch, event);
  g_string_append_c (scratch, '\n');
  /* Translators: %s is an event's status, such as "Disputed" */
  g_string_append_printf (scratch, _("Status: %s"), chancery_status_get_label (event->status));
  append_sources_description (scratch, event);
  append_text_property (writer, buf, "DESCRIPTION", scratch->str);

  append_location (writer, buf, event);
  append_geo (buf, event);
  append_categories (writer, buf, event);
  g_string_append_printf (buf, "STATUS:%s\r\n", status_to_ical (event->status));
  append_url (writer, buf, event);

  g_string_append (buf, "END:VEVENT\r\n");
}

static gboolean
write_event_cb (ChanceryEvent  *event,
                gpointer        user_data,
                GError        **error)
{
  IcsWriter *writer = user_data;

  append_vevent (writer, writer->buf, event);
  return chancery_export_flush (writer->out, writer->buf, ICS_CHUNK_SIZE,
                                writer->cancellable, error);
}

static gboolean
format_row (GString             *buf,
            const ChanceryEvent *event,
            gpointer             user_data,
            GError             **error)
{
  append_vevent (user_data, buf, event);
  return TRUE;
}

/* Sets writer up and puts the calendar's opening lines in buf. */
static void
ics_begin (IcsWriter     *writer,
           GOutputStream *out,
           GString       *buf,
           GString       *scratch,
           GCancellable  *cancellable)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();

  g_string_append (buf,
                   "BEGIN:VCALENDAR\r\n"
                   "VERSION:2.0\r\n"
                   "PRODID:" ICS_PRODID "\r\n"
                   "CALSCALE:GREGORIAN\r\n");

  writer->out = out;
  writer->cancellable = cancellable;
  writer->buf = buf;
  writer->scratch = scratch;
  writer->line = g_string_sized_new (256);
  writer->dtstamp = g_date_time_format (now, "%Y%m%dT%H%M%SZ");
  writer->last_day = chancery_day_from_ymd (9999, 12, 31);
}

/* Events are read in the order that reads the store fastest and put back
 * in time order by the export spool (chancery-export-spool.c), as CSV. */
gboolean
chancery_export_ics_with_budget (ChanceryStore        *store,
                                 const ChanceryFilter *filter,
                                 gsize                 spool_memory,
                                 GOutputStream        *out,
                                 GCancellable         *cancellable,
                                 GError              **error)
{
  g_autoptr(GString) buf = NULL;
  g_autoptr(GString) scratch = NULL;
  g_autoptr(ChanceryExportSpool) spool = NULL;
  g_auto(IcsWriter) writer = { 0, };

  g_return_val_if_fail (CHANCERY_IS_STORE (store), FALSE);
  g_return_val_if_fail (G_IS_OUTPUT_STREAM (out), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  buf = g_string_sized_new (ICS_CHUNK_SIZE + 64 * 1024);
  scratch = g_string_sized_new (4096);
  ics_begin (&writer, out, buf, scratch, cancellable);

  spool = chancery_export_spool_new (out, buf, spool_memory, FALSE, format_row, &writer, cancellable);
  if (!chancery_export_spool_read (spool, store, filter, NULL, error) ||
      !chancery_export_spool_write (spool, 0, error))
    return FALSE;

  g_string_append (buf, "END:VCALENDAR\r\n");
  return chancery_export_flush (out, buf, 0, cancellable, error);
}

gboolean
chancery_export_ics (ChanceryStore        *store,
                     const ChanceryFilter *filter,
                     GOutputStream        *out,
                     GCancellable         *cancellable,
                     GError              **error)
{
  return chancery_export_ics_with_budget (store, filter, CHANCERY_EXPORT_SPOOL_MEMORY,
                                          out, cancellable, error);
}

gboolean
chancery_export_ics_in_time_order (ChanceryStore        *store,
                                   const ChanceryFilter *filter,
                                   GOutputStream        *out,
                                   GCancellable         *cancellable,
                                   GError              **error)
{
  g_autoptr(GString) buf = NULL;
  g_autoptr(GString) scratch = NULL;
  g_auto(IcsWriter) writer = { 0, };

  g_return_val_if_fail (CHANCERY_IS_STORE (store), FALSE);
  g_return_val_if_fail (G_IS_OUTPUT_STREAM (out), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  buf = g_string_sized_new (ICS_CHUNK_SIZE + 64 * 1024);
  scratch = g_string_sized_new (4096);
  ics_begin (&writer, out, buf, scratch, cancellable);
  if (!chancery_store_foreach_event (store, filter, write_event_cb, &writer,
                                     cancellable, error))
    return FALSE;

  g_string_append (buf, "END:VCALENDAR\r\n");
  return chancery_export_flush (out, buf, 0, cancellable, error);
}

/* RFC 5545 §3.3.11. A line break becomes "\n" (CR LF and a lone CR count as
 * one); the other control characters but tab, which TEXT may not hold, are
 * left out: they carry nothing a calendar could show, and a replacement
 * character would read as damaged text. */
void
chancery_ics_append_text (GString    *line,
                          const char *text)
{
  const char *run = text;
  const char *p;

  for (p = text; *p != '\0'; p++)
    {
      guchar c = (guchar) *p;

      if (c >= 0x20 && c != 0x7f && c != '\\' && c != ';' && c != ',')
        continue;
      if (c == '\t')
        continue;

      g_string_append_len (line, run, p - run);
      run = p + 1;
      if (c == '\\' || c == ';' || c == ',')
        {
          g_string_append_c (line, '\\');
          g_string_append_c (line, c);
        }
      else if (c == '\n' || c == '\r')
        {
          g_string_append (line, "\\n");
          if (c == '\r' && p[1] == '\n')
            run = ++p + 1;
        }
    }
  g_string_append_len (line, run, p - run);
}

/* RFC 5545 §3.3.13: a URI (RFC 3986). The value must have a scheme; the
 * bytes a URI cannot hold (controls, spaces, the UTF-8 of an IRI, RFC 3987
 * §3.1) are percent-encoded, which keeps the link working and a line break
 * from ending the property. */
gboolean
chancery_ics_append_uri (GString    *line,
                         const char *uri)
{
  const char *scheme = g_uri_peek_scheme (uri);
  g_autofree char *escaped = NULL;

  if (scheme == NULL)
    return FALSE;

  escaped = g_uri_escape_string (uri,
                                 G_URI_RESERVED_CHARS_GENERIC_DELIMITERS
                                 G_URI_RESERVED_CHARS_SUBCOMPONENT_DELIMITERS "%",
                                 FALSE);
  g_string_append (line, escaped);
  return TRUE;
}

/* RFC 5545 §3.1: at most 75 octets a line, the CRLF not counted; each
 * continuation starts with a space, which takes one of its 75. A fold
 * never goes inside a UTF-8 sequence, so every line is valid text. */
void
chancery_ics_append_folded (GString    *buf,
                            const char *line,
                            gsize       len)
{
  const char *p = line;
  const char *end = line + len;
  gsize room = ICS_LINE_OCTETS;

  while ((gsize) (end - p) > room)
    {
      const char *cut = p + room;

      while (cut > p && is_utf8_continuation (*cut))
        cut--;
      if (cut == p)   /* not UTF-8: nowhere better to cut */
        cut = p + room;

      g_string_append_len (buf, p, cut - p);
      g_string_append (buf, "\r\n ");
      p = cut;
      room = ICS_LINE_OCTETS - 1;
    }
  g_string_append_len (buf, p, end - p);
  g_string_append (buf, "\r\n");
}
