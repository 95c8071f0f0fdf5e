/* chancery-filter.c
 *
 * Copyright 2026 The Chancery developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "chancery-date.h"
#include "chancery-error.h"
#include "chancery-filter.h"

ChanceryFilter *
chancery_filter_new (void)
{
  ChanceryFilter *filter = g_new0 (ChanceryFilter, 1);

  filter->actors = g_ptr_array_new_with_free_func (g_free);
  filter->countries = g_ptr_array_new_with_free_func (g_free);
  filter->projects = g_ptr_array_new_with_free_func (g_free);

  return filter;
}

static void
copy_strings (GPtrArray       *to,
              const GPtrArray *from)
{
  for (guint i = 0; i < from->len; i++)
    g_ptr_array_add (to, g_strdup (g_ptr_array_index (from, i)));
}

ChanceryFilter *
chancery_filter_copy (const ChanceryFilter *filter)
{
  ChanceryFilter *copy;

  g_return_val_if_fail (filter != NULL, NULL);

  copy = chancery_filter_new ();
  copy_strings (copy->actors, filter->actors);
  copy_strings (copy->countries, filter->countries);
  copy_strings (copy->projects, filter->projects);
  copy->kinds = filter->kinds;
  copy->statuses = filter->statuses;
  copy->has_from = filter->has_from;
  copy->from_day = filter->from_day;
  copy->has_to = filter->has_to;
  copy->to_day = filter->to_day;
  copy->text = g_strdup (filter->text);

  return copy;
}

void
chancery_filter_free (ChanceryFilter *filter)
{
  if (filter == NULL)
    return;

  g_ptr_array_unref (filter->actors);
  g_ptr_array_unref (filter->countries);
  g_ptr_array_unref (filter->projects);
  g_free (filter->text);
  g_free (filter);
}

static gboolean
strings_equal (const GPtrArray *a,
               const GPtrArray *b)
{
  if (a->len != b->len)
    return FALSE;

  for (guint i = 0; i < a->len; i++)
    {
      if (g_strcmp0 (g_ptr_array_index (a, i), g_ptr_array_index (b, i)) != 0)
        return FALSE;
    }

  return TRUE;
}

static const char *
text_or_null (const char *text)
{
  return text != NULL && text[0] != '\0' ? text : NULL;
}

gboolean
chancery_filter_equal (const ChanceryFilter *a,
                       const ChanceryFilter *b)
{
  g_return_val_if_fail (a != NULL, FALSE);
  g_return_val_if_fail (b != NULL, FALSE);

  return strings_equal (a->actors, b->actors) &&
         strings_equal (a->countries, b->countries) &&
         strings_equal (a->projects, b->projects) &&
         a->kinds == b->kinds &&
         a->statuses == b->statuses &&
         a->has_from == b->has_from &&
         (!a->has_from || a->from_day == b->from_day) &&
         a->has_to == b->has_to &&
         (!a->has_to || a->to_day == b->to_day) &&
         g_strcmp0 (text_or_null (a->text), text_or_null (b->text)) == 0;
}

gboolean
chancery_filter_is_empty (const ChanceryFilter *filter)
{
  g_return_val_if_fail (filter != NULL, TRUE);

  return filter->actors->len == 0 &&
         filter->countries->len == 0 &&
         filter->projects->len == 0 &&
         filter->kinds == 0 &&
         filter->statuses == 0 &&
         !filter->has_from &&
         !filter->has_to &&
         text_or_null (filter->text) == NULL;
}

static gboolean
contains_string (const GPtrArray *array,
                 const char      *str)
{
  for (guint i = 0; i < array->len; i++)
    {
      if (strcmp (g_ptr_array_index (array, i), str) == 0)
        return TRUE;
    }

  return FALSE;
}

static void
add_unique (GPtrArray  *array,
            const char *str)
{
  if (!contains_string (array, str))
    g_ptr_array_add (array, g_strdup (str));
}

gboolean
chancery_filter_add_kind (ChanceryFilter  *filter,
                          const char      *kind,
                          GError         **error)
{
  ChanceryKind value;

  g_return_val_if_fail (filter != NULL, FALSE);

  if (!chancery_kind_from_string (kind, &value))
    {
      g_set_error (error, CHANCERY_ERROR, CHANCERY_ERROR_INVALID_INPUT,
                   _("Unknown kind “%s”; expected one of visit, meeting, talks, "
                     "press-conference, agreement, statement, milestone, summit, "
                     "incident, election, other"),
                   kind != NULL ? kind : "");
      return FALSE;
    }

  filter->kinds |= 1u << value;
  return TRUE;
}

gboolean
chancery_filter_add_status (ChanceryFilter  *filter,
                            const char      *status,
                            GError         **error)
{
  ChanceryStatus value;

  g_return_val_if_fail (filter != NULL, FALSE);

  if (!chancery_status_from_string (status, &value))
    {
      g_set_error (error, CHANCERY_ERROR, CHANCERY_ERROR_INVALID_INPUT,
                   _("Unknown status “%s”; expected one of occurred, reported, "
                     "announced, planned, cancelled, disputed"),
                   status != NULL ? status : "");
      return FALSE;
    }

  filter->statuses |= 1u << value;
  return TRUE;
}

gboolean
chancery_filter_check_country (const char  *code,
                               GError     **error)
{
  if (code == NULL || strlen (code) != 3 ||
      !g_ascii_isalpha (code[0]) || !g_ascii_isalpha (code[1]) || !g_ascii_isalpha (code[2]))
    {
      g_set_error (error, CHANCERY_ERROR, CHANCERY_ERROR_INVALID_INPUT,
                   _("“%s” is not a country code; expected three letters such as IRN or AZE"),
                   code != NULL ? code : "");
      return FALSE;
    }

  return TRUE;
}

gboolean
chancery_filter_add_country (ChanceryFilter  *filter,
                             const char      *code,
                             GError         **error)
{
  g_autofree char *upper = NULL;

  g_return_val_if_fail (filter != NULL, FALSE);

  if (!chancery_filter_check_country (code, error))
    return FALSE;

  upper = g_ascii_strup (code, -1);
  add_unique (filter->countries, upper);
  return TRUE;
}

void
chancery_filter_add_actor (ChanceryFilter *filter,
                           const char     *actor)
{
  g_return_if_fail (filter != NULL);
  g_return_if_fail (actor != NULL);

  add_unique (filter->actors, actor);
}

void
chancery_filter_add_project (ChanceryFilter *filter,
                             const char     *project)
{
  g_return_if_fail (filter != NULL);
  g_return_if_fail (project != NULL);

  add_unique (filter->projects, project);
}

/* text with every decimal digit of another script (Persian ۰–۹,
 * Arabic-Indic ٠–٩, Devanagari…) as its ASCII digit: NULL if there is
 * none. Windows show dates in the locale's digits, so people type them. */
static char *
ascii_digits (const char *text)
{
  GString *out = NULL;

  for (const char *p = text; *p != '\0'; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);
      int value = c >= 0x80 ? g_unichar_digit_value (c) : -1;

      if (value >= 0 && out == NULL)
        out = g_string_new_len (text, p - text);
      if (out == NULL)
        continue;
      if (value >= 0)
        g_string_append_c (out, (char) ('0' + value));
      else
        g_string_append_len (out, p, g_utf8_next_char (p) - p);
    }

  return out != NULL ? g_string_free (out, FALSE) : NULL;
}

gboolean
chancery_filter_parse_date (const char    *text,
                            ChanceryDate  *date,
                            GError       **error)
{
  g_autofree char *trimmed = NULL;
  g_autofree char *ascii = NULL;

  g_return_val_if_fail (text != NULL, FALSE);
  g_return_val_if_fail (date != NULL, FALSE);

  /* Pasted dates often bring a space along. */
  trimmed = g_strstrip (g_strdup (text));
  ascii = g_utf8_validate (trimmed, -1, NULL) ? ascii_digits (trimmed) : NULL;
  /* A problem quotes the text as it was typed. */
  return chancery_date_parse (ascii != NULL ? ascii : trimmed, date, NULL) ||
         chancery_date_parse (trimmed, date, error);
}

static gboolean
parse_bound (const char  *text,
             gboolean     want_lo,
             gint32      *day,
             GError     **error)
{
  ChanceryDate date;

  if (!chancery_filter_parse_date (text, &date, error))
    return FALSE;

  if ((want_lo && date.lo == CHANCERY_DAY_OPEN_LO) ||
      (!want_lo && date.hi == CHANCERY_DAY_OPEN_HI))
    {
      g_set_error (error, CHANCERY_ERROR, CHANCERY_ERROR_INVALID_DATE,
                   _("“%s”: an open date cannot bound a date range"), text);
      return FALSE;
    }

  *day = want_lo ? date.lo : date.hi;
  return TRUE;
}

static gboolean
is_blank (const char *text)
{
  if (text == NULL)
    return TRUE;
  while (g_ascii_isspace (*text))
    text++;
  return *text == '\0';
}

gboolean
chancery_filter_set_from (ChanceryFilter  *filter,
                          const char      *date,
                          GError         **error)
{
  gint32 day;

  g_return_val_if_fail (filter != NULL, FALSE);

  if (is_blank (date))
    {
      filter->has_from = FALSE;
      return TRUE;
    }

  if (!parse_bound (date, TRUE, &day, error))
    return FALSE;

  filter->has_from = TRUE;
  filter->from_day = day;
  return TRUE;
}

gboolean
chancery_filter_set_to (ChanceryFilter  *filter,
                        const char      *date,
                        GError         **error)
{
  gint32 day;

  g_return_val_if_fail (filter != NULL, FALSE);

  if (is_blank (date))
    {
      filter->has_to = FALSE;
      return TRUE;
    }

  if (!parse_bound (date, FALSE, &day, error))
    return FALSE;

  filter->has_to = TRUE;
  filter->to_day = day;
  return TRUE;
}

void
chancery_filter_set_text (ChanceryFilter *filter,
                          const char     *text)
{
  g_return_if_fail (filter != NULL);

  g_free (filter->text);
  filter->text = g_strdup (text_or_null (text));
}

/* Words are runs of letters, digits and marks; everything else separates
 * them. Each word is quoted (so FTS5 operators and punctuation in the
 * user's text are never syntax) and made a prefix query. */
char *
chancery_filter_text_to_fts (const char *text)
{
  g_autoptr(GString) fts = NULL;
  g_autoptr(GString) word = NULL;
  const char *p;

  if (text == NULL || !g_utf8_validate (text, -1, NULL))
    return NULL;

  fts = g_string_new (NULL);
  word = g_string_new (NULL);

  for (p = text; ; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      if (c != 0 && (g_unichar_isalnum (c) || g_unichar_ismark (c)))
        {
          g_string_append_unichar (word, c);
          continue;
        }

      if (word->len > 0)
        {
          if (fts->len > 0)
            g_string_append_c (fts, ' ');
          /* No quote can be inside a word, so this quoting is complete. */
          g_string_append_printf (fts, "\"%s\"*", word->str);
          g_string_truncate (word, 0);
        }

      if (c == 0)
        break;
    }

  if (fts->len == 0)
    return NULL;

  return g_string_free (g_steal_pointer (&fts), FALSE);
}
