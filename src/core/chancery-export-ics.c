/* chancery-export-ics.c: events as iCalendar (RFC 5545)
 *
 * Copyright 2026 The Chancery developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Every event becomes an all-day VEVENT (VALUE=DATE; DTEND is exclusive).
 * Calendars have no notion of "sometime in June", so a month- or
 * year-precision event spans its whole month or year and its DESCRIPTION
 * says that the day is not known; an open-bounded event ("../2025-12-07")
 * sits on its known day and the DESCRIPTION says "on or before". UID is
 * "<uid>@chancery", so re-exporting updates the same entries in a calendar
 * instead of duplicating them.
 *
 * The VCALENDAR is written around the events rather than built whole;
 * the events wait in the export spool only as long as they arrive out of
 * time order, within its memory budget (the rest on file).
 */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <libical/ical.h>
#include <string.h>

#include "chancery-error.h"
#include "chancery-export-private.h"

#define ICS_CHUNK_SIZE (256 * 1024)
#define ICS_PRODID "-//Chancery//Chancery 0.1//EN"

typedef struct
{
  GOutputStream        *out;
  GCancellable         *cancellable;
  GString              *buf;
  GString              *scratch;
  struct icaltimetype   dtstamp;
} IcsWriter;

G_DEFINE_AUTOPTR_CLEANUP_FUNC (icalcomponent, icalcomponent_free)

static struct icaltimetype
date_from_day (gint32 day)
{
  struct icaltimetype t = icaltime_null_date ();
  int y, m, d;

  chancery_day_to_ymd (day, &y, &m, &d);
  t.year = y;
  t.month = m;
  t.day = d;

  return t;
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

static icalproperty_status
status_to_ical (ChanceryStatus status)
{
  switch (status)
    {
    case CHANCERY_STATUS_PLANNED:
    case CHANCERY_STATUS_ANNOUNCED:
      return ICAL_STATUS_TENTATIVE;
    case CHANCERY_STATUS_CANCELLED:
      return ICAL_STATUS_CANCELLED;
    case CHANCERY_STATUS_OCCURRED:
    case CHANCERY_STATUS_REPORTED:
    case CHANCERY_STATUS_DISPUTED:
    case CHANCERY_N_STATUSES:
    default:
      return ICAL_STATUS_CONFIRMED;
    }
}

static void
add_dates (icalcomponent      *vevent,
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

  icalcomponent_add_property (vevent, icalproperty_new_dtstart (date_from_day (first)));
  icalcomponent_add_property (vevent, icalproperty_new_dtend (date_from_day (last + 1)));
}

static icalcomponent *
build_vevent (IcsWriter           *writer,
              const ChanceryEvent *event)
{
  icalcomponent *vevent = icalcomponent_new_vevent ();
  GString *scratch = writer->scratch;
  g_autofree char *uid = g_strconcat (event->uid, "@chancery", NULL);

  icalcomponent_add_property (vevent, icalproperty_new_uid (uid));
  icalcomponent_add_property (vevent, icalproperty_new_dtstamp (writer->dtstamp));
  add_dates (vevent, &event->date);
  icalcomponent_add_property (vevent, icalproperty_new_summary (event->title != NULL ? event->title : event->uid));

  g_string_truncate (scratch, 0);
  if (event->summary != NULL && *event->summary != '\0')
    g_string_append_printf (scratch, "%s\n\n", event->summary);
  append_date_description (scratch, event);
  append_sources_description (scratch, event);
  icalcomponent_add_property (vevent, icalproperty_new_description (scratch->str));

  g_string_truncate (scratch, 0);
  if (event->place_name != NULL && *event->place_name != '\0')
    g_string_append (scratch, event->place_name);
  if (event->place_country != NULL && *event->place_country != '\0')
    g_string_append_printf (scratch, "%s%s", scratch->len > 0 ? ", " : "",
                            lookup_country_name (event, event->place_country));
  if (scratch->len > 0)
    icalcomponent_add_property (vevent, icalproperty_new_location (scratch->str));

  if (event->has_coordinates)
    {
      struct icalgeotype geo = { 0, };

      geo.lat = event->latitude;
      geo.lon = event->longitude;
      icalcomponent_add_property (vevent, icalproperty_new_geo (geo));
    }

  /* CATEGORIES is a list: libical writes the commas as separators. Kinds and
   * country codes never contain one. */
  g_string_assign (scratch, chancery_kind_to_string (event->kind));
  for (guint i = 0; i < event->countries->len; i++)
    {
      const ChanceryEventCountry *country = g_ptr_array_index (event->countries, i);

      g_string_append_printf (scratch, ",%s", country->code);
    }
  icalcomponent_add_property (vevent, icalproperty_new_categories (scratch->str));

  icalcomponent_add_property (vevent, icalproperty_new_status (status_to_ical (event->status)));

  for (guint i = 0; i < event->sources->len; i++)
    {
      const ChanceryEventSource *source = g_ptr_array_index (event->sources, i);

      if (source->url != NULL && *source->url != '\0')
        {
          icalcomponent_add_property (vevent, icalproperty_new_url (source->url));
          break;
        }
    }

  return vevent;
}

static gboolean
append_vevent (IcsWriter            *writer,
               GString              *buf,
               const ChanceryEvent  *event,
               GError              **error)
{
  g_autoptr(icalcomponent) vevent = build_vevent (writer, event);
  char *text = icalcomponent_as_ical_string_r (vevent);

  if (text == NULL)
    {
      g_set_error (error, CHANCERY_ERROR, CHANCERY_ERROR_FAILED,
                   _("Could not write event “%s” as iCalendar: %s"),
                   event->uid, icalerror_strerror (icalerrno));
      return FALSE;
    }
  g_string_append (buf, text);
  icalmemory_free_buffer (text);
  return TRUE;
}

static gboolean
write_event_cb (ChanceryEvent  *event,
                gpointer        user_data,
                GError        **error)
{
  IcsWriter *writer = user_data;

  return append_vevent (writer, writer->buf, event, error) &&
         chancery_export_flush (writer->out, writer->buf, ICS_CHUNK_SIZE,
                                writer->cancellable, error);
}

static gboolean
format_row (GString             *buf,
            const ChanceryEvent *event,
            gpointer             user_data,
            GError             **error)
{
  return append_vevent (user_data, buf, event, error);
}

/* Sets writer up and puts the calendar's opening lines in buf. */
static gboolean
ics_begin (IcsWriter      *writer,
           GOutputStream  *out,
           GString        *buf,
           GString        *scratch,
           GCancellable   *cancellable,
           GError        **error)
{
  g_autoptr(icalcomponent) vcalendar = NULL;
  char *text;
  const char *end_tag;

  vcalendar = icalcomponent_new_vcalendar ();
  icalcomponent_add_property (vcalendar, icalproperty_new_version ("2.0"));
  icalcomponent_add_property (vcalendar, icalproperty_new_prodid (ICS_PRODID));
  icalcomponent_add_property (vcalendar, icalproperty_new_calscale ("GREGORIAN"));

  /* The empty calendar, cut before its END line: events go in between. */
  text = icalcomponent_as_ical_string_r (vcalendar);
  end_tag = text != NULL ? strstr (text, "END:VCALENDAR") : NULL;
  if (end_tag == NULL)
    {
      g_set_error (error, CHANCERY_ERROR, CHANCERY_ERROR_FAILED,
                   _("Could not start the iCalendar export: %s"),
                   icalerror_strerror (icalerrno));
      icalmemory_free_buffer (text);
      return FALSE;
    }
  g_string_append_len (buf, text, end_tag - text);
  icalmemory_free_buffer (text);

  writer->out = out;
  writer->cancellable = cancellable;
  writer->buf = buf;
  writer->scratch = scratch;
  writer->dtstamp = icaltime_current_time_with_zone (icaltimezone_get_utc_timezone ());
  return TRUE;
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
  IcsWriter writer;

  g_return_val_if_fail (CHANCERY_IS_STORE (store), FALSE);
  g_return_val_if_fail (G_IS_OUTPUT_STREAM (out), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  buf = g_string_sized_new (ICS_CHUNK_SIZE + 64 * 1024);
  scratch = g_string_sized_new (4096);
  if (!ics_begin (&writer, out, buf, scratch, cancellable, error))
    return FALSE;

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
  IcsWriter writer;

  g_return_val_if_fail (CHANCERY_IS_STORE (store), FALSE);
  g_return_val_if_fail (G_IS_OUTPUT_STREAM (out), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  buf = g_string_sized_new (ICS_CHUNK_SIZE + 64 * 1024);
  scratch = g_string_sized_new (4096);
  if (!ics_begin (&writer, out, buf, scratch, cancellable, error) ||
      !chancery_store_foreach_event (store, filter, write_event_cb, &writer,
                                     cancellable, error))
    return FALSE;

  g_string_append (buf, "END:VCALENDAR\r\n");
  return chancery_export_flush (out, buf, 0, cancellable, error);
}
