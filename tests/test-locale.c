/* test-locale.c: counts and the interface language
 *
 * Copyright 2026 The Chancery developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib.h>
#include <locale.h>

#include "chancery-locale.h"

static void
set_language (const char *language)
{
  g_setenv ("LANGUAGE", language, TRUE);
  g_setenv ("LC_ALL", "C.UTF-8", TRUE);
}

static void
assert_count (guint       count,
              const char *expected)
{
  g_autofree char *text = chancery_format_count (count);

  g_assert_cmpstr (text, ==, expected);
}

static void
test_english (void)
{
  set_language ("");
  g_unsetenv ("LANGUAGE");
  assert_count (0, "0");
  assert_count (22, "22");
  assert_count (1234567, "1,234,567");
  g_assert_false (chancery_locale_is_persian ());
}

static void
test_persian (void)
{
  set_language ("fa_IR");
  /* Extended Arabic-Indic (Persian) digits, Persian grouping. */
  assert_count (22, "۲۲");
  assert_count (1404, "۱٬۴۰۴");
  g_assert_true (chancery_locale_is_persian ());
  g_unsetenv ("LANGUAGE");
}

static void
test_russian_and_azerbaijani (void)
{
  g_autofree char *ru = NULL;

  set_language ("ru");
  ru = chancery_format_count (1234);
  /* Russian groups with a (narrow) no-break space; the digits are ASCII. */
  g_assert_true (g_str_has_prefix (ru, "1") && g_str_has_suffix (ru, "234") && g_utf8_strlen (ru, -1) == 5);
  g_assert_false (chancery_locale_is_persian ());
  set_language ("az");
  assert_count (22, "22");
  g_unsetenv ("LANGUAGE");
}

static void
test_icu_locale (void)
{
  g_autofree char *c = NULL;
  g_autofree char *fa = NULL;

  g_unsetenv ("LANGUAGE");
  g_setenv ("LC_ALL", "C", TRUE);
  c = chancery_icu_locale ("LC_NUMERIC");
  g_assert_cmpstr (c, ==, "en_GB");
  g_setenv ("LC_ALL", "fa_IR.UTF-8", TRUE);
  fa = chancery_icu_locale ("LC_NUMERIC");
  g_assert_cmpstr (fa, ==, "fa_IR");
}

/* GLib reads the locale's digits once per process: each locale in its own. */
static void
test_date_time_digits (void)
{
  g_autoptr(GDateTime) dt = g_date_time_new_utc (2025, 12, 8, 9, 5, 0);

  if (g_test_subprocess ())
    {
      const char *locale = g_getenv ("CHANCERY_TEST_LOCALE");
      g_autofree char *text = NULL;

      g_unsetenv ("LANGUAGE");
      g_assert_nonnull (setlocale (LC_ALL, locale));
      text = chancery_format_date_time (dt, "%-d.%m.%Y %H:%M, 100%%");
      g_print ("%s\n", text);
      return;
    }

  g_setenv ("CHANCERY_TEST_LOCALE", "C.UTF-8", TRUE);
  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_passed ();
  g_test_trap_assert_stdout ("8.12.2025 09:05, 100%\n");

  if (setlocale (LC_ALL, "fa_IR.UTF-8") == NULL)
    {
      g_test_skip ("the fa_IR.UTF-8 locale is not installed");
      return;
    }
  setlocale (LC_ALL, "C");
  g_setenv ("CHANCERY_TEST_LOCALE", "fa_IR.UTF-8", TRUE);
  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_passed ();
  g_test_trap_assert_stdout ("۸.۱۲.۲۰۲۵ ۰۹:۰۵, 100%\n");
}

static void
test_text_direction (void)
{
  g_assert_cmpint (chancery_text_direction ("Baku"), ==, 1);
  g_assert_cmpint (chancery_text_direction ("Москва"), ==, 1);
  g_assert_cmpint (chancery_text_direction ("باکو"), ==, -1);
  g_assert_cmpint (chancery_text_direction ("שלום"), ==, -1);
  /* The first letter of a strong direction decides, after digits,
   * punctuation and spaces. */
  g_assert_cmpint (chancery_text_direction ("2025 — «باکو» Baku"), ==, -1);
  g_assert_cmpint (chancery_text_direction ("۳+۳ Baku"), ==, 1);
  g_assert_cmpint (chancery_text_direction ("(3+3) ۱۴۰۴"), ==, 0);
  g_assert_cmpint (chancery_text_direction (""), ==, 0);
  g_assert_cmpint (chancery_text_direction (NULL), ==, 0);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/locale/english", test_english);
  g_test_add_func ("/locale/persian", test_persian);
  g_test_add_func ("/locale/russian-and-azerbaijani", test_russian_and_azerbaijani);
  g_test_add_func ("/locale/icu-locale", test_icu_locale);
  g_test_add_func ("/locale/date-time-digits", test_date_time_digits);
  g_test_add_func ("/locale/text-direction", test_text_direction);

  return g_test_run ();
}
