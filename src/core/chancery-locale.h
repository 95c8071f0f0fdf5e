/* chancery-locale.h: what the current locale says about numbers and language
 *
 * Copyright 2026 The Chancery developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* The ICU locale for a locale category ("LC_TIME", "LC_NUMERIC",
 * "LC_MESSAGES"), from LANGUAGE, LC_ALL, the category and LANG as gettext
 * reads them: "fa_IR.UTF-8" -> "fa_IR". "C", "POSIX" and plain "en" are
 * British English ("en_GB"). */
char     *chancery_icu_locale         (const char *category);

/* A count for people, in the digits and grouping of the current locale:
 * "1,234" in English, "۱٬۲۳۴" in Persian. Every number the window shows
 * beside translated text goes through this, so digits never mix. */
char     *chancery_format_count       (guint       count);

/* g_date_time_format() in the locale's own digits: every numeric
 * conversion gets GLib's "O" modifier ("%-d %b %Y" -> "%-Od %b %OY"), which
 * gives Persian digits in fa_IR and changes nothing where the locale has no
 * alternative digits. Translated formats need not remember it. */
char     *chancery_format_date_time   (GDateTime  *date_time,
                                       const char *format);

/* Whether the user interface language is Persian, which shows Solar Hijri
 * dates beside Gregorian ones. */
gboolean  chancery_locale_is_persian  (void);

/* The direction a text is written in, by its first letter of a strong
 * direction (Unicode's rule for a paragraph): 1 left to right ("Baku"),
 * -1 right to left ("باکو"), 0 when it has none ("2025", "", NULL). */
int       chancery_text_direction     (const char *text);

G_END_DECLS
