/* chancery-export-csv.c: events as RFC 4180 CSV
 *
 * Copyright 2026 The Chancery developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The file starts with a UTF-8 byte order mark: spreadsheets (Excel,
 * LibreOffice on some set-ups) otherwise guess a legacy code page and garble
 * Cyrillic or Persian text, while CSV readers that know UTF-8 skip it
 * (Python: encoding="utf-8-sig"). Lines end in CRLF; a field is quoted when
 * it holds a comma, a quote, CR or LF, and quotes inside are doubled.
 *
 * A cell that starts with =, +, -, @, tab or CR would run as a formula in a
 * spreadsheet ("CSV injection"), so it gets a leading apostrophe, which
 * spreadsheets show as text. Spreadsheets trim leading spaces on import,
 * so "  =1+1" counts as starting with = too (and so do line breaks). Reading the file back with a CSV parser gives
 * the apostrophe too: that is the price of safety.
 */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "chancery-error.h"
#include "chancery-export-private.h"
#include "chancery-store-private.h"

/* Write when this much is buffered: few, big writes. */
#define CSV_CHUNK_SIZE (256 * 1024)

#define UTF8_BOM "\xEF\xBB\xBF"

static const char *csv_columns[] = {
  "id", "date", "start", "end", "kind", "status", "title", "summary",
  "place", "countries", "actors", "projects", "sources",
};

/* g_string_append_len without the call: rows are built from dozens of
 * small pieces (GLib 2.74 does not inline it). */
static inline void
append_bytes (GString    *buf,
              const char *text,
              gsize       len)
{
  if (G_UNLIKELY (buf->len + len + 1 > buf->allocated_len))
    {
      gsize old_len = buf->len;

      g_string_set_size (buf, old_len + len);
      buf->len = old_len;
    }
  memcpy (buf->str + buf->len, text, len);
  buf->len += len;
  buf->str[buf->len] = '\0';
}

static inline void
append_text (GString    *buf,
             const char *text)
{
  append_bytes (buf, text, strlen (text));
}

static inline gboolean
is_formula_start (char c)
{
  return c == '=' || c == '+' || c == '-' || c == '@' || c == '\t' || c == '\r';
}

/* Tab and CR are formula starters themselves, so skipping spaces and line
 * feeds is enough to see past all the leading white space a spreadsheet
 * trims. */
static inline gboolean
needs_apostrophe (const char *text)
{
  while (*text == ' ' || *text == '\n')
    text++;
  return is_formula_start (*text);
}

/* Appends one cell (without separator) to buf, quoted and neutralised as
 * needed. text ends with NUL (len, when not -1, is its length). */
static void
append_cell (GString    *buf,
             const char *text,
             gssize      len)
{
  gsize plain;
  const char *end;

  if (text == NULL || text[0] == '\0')
    return;

  /* One pass finds both the first character that needs quotes and, when
   * there is none, the length. */
  plain = strcspn (text, ",\"\r\n");
  if (len < 0)
    len = text[plain] == '\0' ? (gssize) plain : (gssize) (plain + strlen (text + plain));
  if ((gssize) plain >= len)
    {
      if (needs_apostrophe (text))
        g_string_append_c (buf, '\'');
      append_bytes (buf, text, len);
      return;
    }

  end = text + len;
  g_string_append_c (buf, '"');
  if (needs_apostrophe (text))
    g_string_append_c (buf, '\'');
  for (const char *p = text; p < end;)
    {
      const char *quote = memchr (p, '"', end - p);

      if (quote == NULL)
        {
          append_bytes (buf, p, end - p);
          break;
        }
      append_bytes (buf, p, quote - p + 1);
      g_string_append_c (buf, '"');
      p = quote + 1;
    }
  g_string_append_c (buf, '"');
}

/* "2025-12-08", or nothing for an open bound. */
static void
append_day (GString *buf,
            gint32   day)
{
  char iso[11];
  int y, m, d;

  if (day == CHANCERY_DAY_OPEN_LO || day == CHANCERY_DAY_OPEN_HI)
    return;

  chancery_day_to_ymd (day, &y, &m, &d);
  if (y < 1 || y > 9999)
    return;

  iso[0] = '0' + y / 1000;
  iso[1] = '0' + y / 100 % 10;
  iso[2] = '0' + y / 10 % 10;
  iso[3] = '0' + y % 10;
  iso[4] = '-';
  iso[5] = '0' + m / 10;
  iso[6] = '0' + m % 10;
  iso[7] = '-';
  iso[8] = '0' + d / 10;
  iso[9] = '0' + d % 10;
  iso[10] = '\0';
  append_bytes (buf, iso, 10);
}

static void
append_separator_if_needed (GString    *scratch,
                            const char *separator)
{
  if (scratch->len > 0)
    append_text (scratch, separator);
}

static void
build_countries (GString             *scratch,
                 const ChanceryEvent *event)
{
  g_string_truncate (scratch, 0);
  for (guint i = 0; i < event->countries->len; i++)
    {
      const ChanceryEventCountry *country = g_ptr_array_index (event->countries, i);

      append_separator_if_needed (scratch, "; ");
      append_text (scratch, country->code);
    }
}

static void
build_actors (GString             *scratch,
              const ChanceryEvent *event)
{
  g_string_truncate (scratch, 0);
  for (guint i = 0; i < event->actors->len; i++)
    {
      const ChanceryEventActor *actor = g_ptr_array_index (event->actors, i);

      append_separator_if_needed (scratch, "; ");
      append_text (scratch, actor->name != NULL ? actor->name : actor->uid);
      append_bytes (scratch, " (", sizeof " (" - 1);
      append_text (scratch, chancery_role_to_string (actor->role));
      g_string_append_c (scratch, ')');
    }
}

static void
build_projects (GString             *scratch,
                const ChanceryEvent *event)
{
  g_string_truncate (scratch, 0);
  for (guint i = 0; i < event->projects->len; i++)
    {
      const ChanceryEventProject *project = g_ptr_array_index (event->projects, i);

      append_separator_if_needed (scratch, "; ");
      append_text (scratch, project->name != NULL ? project->name : project->uid);
    }
}

/* "Publisher, reference: “quote”", separated by " | ". Without a reference
 * the title, then the URL, says which document it is. */
static void
build_sources (GString             *scratch,
               const ChanceryEvent *event)
{
  g_string_truncate (scratch, 0);
  for (guint i = 0; i < event->sources->len; i++)
    {
      const ChanceryEventSource *source = g_ptr_array_index (event->sources, i);
      const char *which = source->reference;
      gsize start;

      if (which == NULL || *which == '\0')
        which = source->title;
      if (which == NULL || *which == '\0')
        which = source->url;

      append_separator_if_needed (scratch, " | ");
      start = scratch->len;
      if (source->publisher != NULL && *source->publisher != '\0')
        append_text (scratch, source->publisher);
      if (which != NULL && *which != '\0')
        {
          if (scratch->len > start)
            append_bytes (scratch, ", ", sizeof ", " - 1);
          append_text (scratch, which);
        }
      if (scratch->len == start)
        append_text (scratch, source->uid);
      if (source->quote != NULL && *source->quote != '\0')
        {
          append_bytes (scratch, ": \xE2\x80\x9C", sizeof ": \xE2\x80\x9C" - 1);   /* “ */
          append_text (scratch, source->quote);
          append_bytes (scratch, "\xE2\x80\x9D", sizeof "\xE2\x80\x9D" - 1);     /* ” */
        }
    }
}

/* One row, CRLF included. */
static void
append_row (GString             *buf,
            GString             *scratch,
            const ChanceryEvent *event)
{
  append_cell (buf, event->uid, -1);
  g_string_append_c (buf, ',');
  append_cell (buf, event->date_text, -1);
  g_string_append_c (buf, ',');
  append_day (buf, event->date.lo);
  g_string_append_c (buf, ',');
  append_day (buf, event->date.hi);
  g_string_append_c (buf, ',');
  append_cell (buf, chancery_kind_to_string (event->kind), -1);
  g_string_append_c (buf, ',');
  append_cell (buf, chancery_status_to_string (event->status), -1);
  g_string_append_c (buf, ',');
  append_cell (buf, event->title, -1);
  g_string_append_c (buf, ',');
  append_cell (buf, event->summary, -1);
  g_string_append_c (buf, ',');
  append_cell (buf, event->place_name, -1);
  g_string_append_c (buf, ',');
  build_countries (scratch, event);
  append_cell (buf, scratch->str, scratch->len);
  g_string_append_c (buf, ',');
  build_actors (scratch, event);
  append_cell (buf, scratch->str, scratch->len);
  g_string_append_c (buf, ',');
  build_projects (scratch, event);
  append_cell (buf, scratch->str, scratch->len);
  g_string_append_c (buf, ',');
  build_sources (scratch, event);
  append_cell (buf, scratch->str, scratch->len);
  append_bytes (buf, "\r\n", sizeof "\r\n" - 1);
}

static void
append_header (GString *buf)
{
  append_text (buf, UTF8_BOM);
  for (guint i = 0; i < G_N_ELEMENTS (csv_columns); i++)
    {
      if (i > 0)
        g_string_append_c (buf, ',');
      append_text (buf, csv_columns[i]);
    }
  append_bytes (buf, "\r\n", sizeof "\r\n" - 1);
}

static gboolean
format_row (GString             *buf,
            const ChanceryEvent *event,
            gpointer             user_data,
            GError             **error)
{
  append_row (buf, user_data, event);
  return TRUE;
}

gboolean
chancery_export_csv_with_budget (ChanceryStore        *store,
                                 const ChanceryFilter *filter,
                                 gsize                 spool_memory,
                                 GOutputStream        *out,
                                 GCancellable         *cancellable,
                                 GError              **error)
{
  g_autoptr(GString) buf = NULL;
  g_autoptr(GString) scratch = NULL;
  g_autoptr(ChanceryExportSpool) spool = NULL;

  g_return_val_if_fail (CHANCERY_IS_STORE (store), FALSE);
  g_return_val_if_fail (G_IS_OUTPUT_STREAM (out), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  buf = g_string_sized_new (CSV_CHUNK_SIZE + 64 * 1024);
  scratch = g_string_sized_new (1024);
  append_header (buf);

  spool = chancery_export_spool_new (out, buf, spool_memory, FALSE, format_row, scratch, cancellable);
  return chancery_export_spool_read (spool, store, filter, NULL, error) &&
         chancery_export_spool_write (spool, 0, error);
}

gboolean
chancery_export_csv (ChanceryStore        *store,
                     const ChanceryFilter *filter,
                     GOutputStream        *out,
                     GCancellable         *cancellable,
                     GError              **error)
{
  return chancery_export_csv_with_budget (store, filter, CHANCERY_EXPORT_SPOOL_MEMORY,
                                          out, cancellable, error);
}

typedef struct
{
  GOutputStream *out;
  GCancellable  *cancellable;
  GString       *buf;
  GString       *scratch;
} TimeOrderWriter;

static gboolean
write_in_time_order_cb (ChanceryEvent  *event,
                        gpointer        user_data,
                        GError        **error)
{
  TimeOrderWriter *writer = user_data;

  append_row (writer->buf, writer->scratch, event);
  return chancery_export_flush (writer->out, writer->buf, CSV_CHUNK_SIZE,
                                writer->cancellable, error);
}

gboolean
chancery_export_csv_in_time_order (ChanceryStore        *store,
                                   const ChanceryFilter *filter,
                                   GOutputStream        *out,
                                   GCancellable         *cancellable,
                                   GError              **error)
{
  g_autoptr(GString) buf = g_string_sized_new (CSV_CHUNK_SIZE + 64 * 1024);
  g_autoptr(GString) scratch = g_string_sized_new (1024);
  TimeOrderWriter writer = { out, cancellable, buf, scratch };

  g_return_val_if_fail (CHANCERY_IS_STORE (store), FALSE);
  g_return_val_if_fail (G_IS_OUTPUT_STREAM (out), FALSE);

  append_header (buf);
  return chancery_store_foreach_event (store, filter, write_in_time_order_cb, &writer,
                                       cancellable, error) &&
         chancery_export_flush (out, buf, 0, cancellable, error);
}
