/* fuzz-date.c: EDTF date parsing and its round trip
 *
 * Copyright 2026 The Chancery developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Any text parses or fails with an error; a parsed date prints as EDTF
 * that parses to the same date and prints the same again.
 */
#include "config.h"

#include <string.h>

#include "chancery-date.h"
#include "chancery-error.h"
#include "fuzz.h"

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;
  g_autofree char *printed = NULL;
  g_autofree char *printed_again = NULL;
  g_autofree char *formatted = NULL;
  ChanceryDate date, again;
  gint32 lo, hi;

  fuzz_init_logging ();
  if (size > 256)
    return -1;

  text = g_strndup ((const char *) data, size);
  if (!chancery_date_parse (text, &date, &error))
    {
      FUZZ_CHECK (error != NULL);
      FUZZ_CHECK (g_error_matches (error, CHANCERY_ERROR, CHANCERY_ERROR_INVALID_DATE));
      FUZZ_CHECK (g_utf8_validate (error->message, -1, NULL));
      return 0;
    }
  FUZZ_CHECK (error == NULL);
  FUZZ_CHECK (date.lo <= date.hi);

  printed = chancery_date_to_string (&date);
  FUZZ_CHECK (printed != NULL);
  FUZZ_CHECK (chancery_date_parse (printed, &again, NULL));
  FUZZ_CHECK (again.lo == date.lo && again.hi == date.hi && again.form == date.form);
  FUZZ_CHECK (chancery_date_compare (&date, &again) == 0);
  printed_again = chancery_date_to_string (&again);
  FUZZ_CHECK (strcmp (printed, printed_again) == 0);

  chancery_date_get_extent (&date, &lo, &hi);
  FUZZ_CHECK (lo <= hi);
  formatted = chancery_date_format (&date);
  FUZZ_CHECK (formatted != NULL && g_utf8_validate (formatted, -1, NULL));

  return 0;
}
