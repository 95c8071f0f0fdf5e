/* chancery-locale.c: what the current locale says about numbers and language
 *
 * Copyright 2026 The Chancery developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Numbers go through ICU, like dates, so that a Persian window shows Persian
 * digits everywhere (glibc's "%'u" keeps ASCII digits in fa_IR) and the
 * digits in a count match those in the dates beside it.
 */
#include "config.h"

#include <string.h>
#include <unicode/uchar.h>
#include <unicode/unum.h>

#include "chancery-locale.h"

/* ICU number formatters are costly to open: one per locale, kept. */
static GMutex formats_lock;
static GHashTable *number_formats;  /* ICU locale -> UNumberFormat* */

char *
chancery_icu_locale (const char *category)
{
  const char * const *names = g_get_language_names_with_category (category);
  const char *name = names != NULL && names[0] != NULL ? names[0] : "C";
  g_autofree char *base = g_strndup (name, strcspn (name, ".@"));

  if (base[0] == '\0' || g_str_equal (base, "C") || g_str_equal (base, "POSIX") ||
      g_str_equal (base, "en"))
    return g_strdup ("en_GB");
  return g_steal_pointer (&base);
}

static UNumberFormat *
lookup_number_format_locked (const char *locale)
{
  UNumberFormat *format;
  UErrorCode status = U_ZERO_ERROR;

  if (number_formats == NULL)
    number_formats = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                            (GDestroyNotify) unum_close);

  format = g_hash_table_lookup (number_formats, locale);
  if (format != NULL)
    return format;

  format = unum_open (UNUM_DECIMAL, NULL, 0, locale, NULL, &status);
  if (U_FAILURE (status))
    {
      if (format != NULL)
        unum_close (format);
      return NULL;
    }
  g_hash_table_insert (number_formats, g_strdup (locale), format);
  return format;
}

char *
chancery_format_count (guint count)
{
  g_autofree char *locale = chancery_icu_locale ("LC_NUMERIC");
  UNumberFormat *format;
  UChar buffer[64];
  int32_t len = -1;
  UErrorCode status = U_ZERO_ERROR;

  g_mutex_lock (&formats_lock);
  format = lookup_number_format_locked (locale);
  if (format != NULL)
    len = unum_formatInt64 (format, count, buffer, G_N_ELEMENTS (buffer), NULL, &status);
  g_mutex_unlock (&formats_lock);

  if (len < 0 || U_FAILURE (status))
    return g_strdup_printf ("%u", count);
  return g_utf16_to_utf8 ((const gunichar2 *) buffer, len, NULL, NULL, NULL);
}

char *
chancery_format_date_time (GDateTime  *date_time,
                           const char *format)
{
  g_autoptr(GString) with_digits = NULL;

  g_return_val_if_fail (date_time != NULL, NULL);
  g_return_val_if_fail (format != NULL, NULL);

  with_digits = g_string_sized_new (strlen (format) + 8);
  for (const char *p = format; *p != '\0'; p++)
    {
      g_string_append_c (with_digits, *p);
      if (*p != '%')
        continue;
      /* Copy the flags, then mark a numeric conversion. */
      while (p[1] != '\0' && strchr ("-_0^#", p[1]) != NULL)
        g_string_append_c (with_digits, *++p);
      if (p[1] != '\0' && p[1] != 'O' && p[1] != 'E' && strchr ("CdegGHIjklmMSuVyY", p[1]) != NULL)
        g_string_append_c (with_digits, 'O');
      else if (p[1] == '%')
        g_string_append_c (with_digits, *++p);
    }
  return g_date_time_format (date_time, with_digits->str);
}

gboolean
chancery_locale_is_persian (void)
{
  g_autofree char *locale = chancery_icu_locale ("LC_MESSAGES");

  return g_str_equal (locale, "fa") || g_str_has_prefix (locale, "fa_");
}

int
chancery_text_direction (const char *text)
{
  for (const char *p = text; p != NULL && *p != '\0'; p = g_utf8_next_char (p))
    {
      switch (u_charDirection ((UChar32) g_utf8_get_char (p)))
        {
        case U_LEFT_TO_RIGHT:
          return 1;
        case U_RIGHT_TO_LEFT:
        case U_RIGHT_TO_LEFT_ARABIC:
          return -1;
        default:
          break;
        }
    }
  return 0;
}
