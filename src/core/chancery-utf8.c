/* chancery-utf8.c: text read from a database, made safe to show and write
 *
 * Copyright 2026 The Chancery developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Chancery checks every string it imports, but a database may have been
 * written by another program, or damaged: SQLite stores whatever bytes it
 * is given as TEXT. Text read back goes through here, so that nothing
 * Chancery shows, exports or hands to the accessibility bus (D-Bus refuses
 * invalid UTF-8) is anything but UTF-8. A string ends at its first NUL, as
 * C code reads it; each byte that does not belong to a valid UTF-8
 * sequence becomes U+FFFD, as g_utf8_make_valid() does.
 *
 * Valid text, the only kind Chancery writes, costs one read: ASCII is
 * skipped eight bytes at a time, the rest goes to g_utf8_validate_len().
 */
#include "config.h"

#include <string.h>

#include "chancery-utf8.h"

#define REPLACEMENT "\357\277\275"  /* U+FFFD */

/* TRUE when the first len bytes of text are valid UTF-8 without NUL. */
gboolean
chancery_utf8_is_valid (const char *text,
                        gsize       len)
{
  const char *p = text;
  const char *end = text + len;

  while (end - p >= 8)
    {
      guint64 word;

      memcpy (&word, p, sizeof word);
      /* A byte >= 0x80, or a zero byte (the classic "has a zero" trick). */
      if ((word & G_GUINT64_CONSTANT (0x8080808080808080)) != 0 ||
          ((word - G_GUINT64_CONSTANT (0x0101010101010101)) & ~word &
           G_GUINT64_CONSTANT (0x8080808080808080)) != 0)
        break;
      p += 8;
    }

  return p == end || g_utf8_validate_len (p, end - p, NULL);
}

/* Appends the first len bytes of text, up to a NUL, repaired. */
void
chancery_utf8_append (GString    *buf,
                      const char *text,
                      gsize       len)
{
  const char *p = text;
  const char *end = text + len;

  if (chancery_utf8_is_valid (text, len))
    {
      g_string_append_len (buf, text, len);
      return;
    }

  while (p < end)
    {
      const char *valid_end;

      g_utf8_validate_len (p, end - p, &valid_end);
      g_string_append_len (buf, p, valid_end - p);
      if (valid_end == end || *valid_end == '\0')
        break;
      g_string_append_len (buf, REPLACEMENT, sizeof REPLACEMENT - 1);
      p = valid_end + 1;
    }
}

/* A copy of the first len bytes of text, up to a NUL, repaired. */
char *
chancery_utf8_dup (const char *text,
                   gsize       len)
{
  GString *buf;

  if (chancery_utf8_is_valid (text, len))
    return g_strndup (text, len);

  buf = g_string_sized_new (len + 8);
  chancery_utf8_append (buf, text, len);
  return g_string_free (buf, FALSE);
}
