/* chancery-json-reader.c: a strict RFC 8259 pull reader
 *
 * Copyright 2026 The Chancery developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * json-glib 1.6 has no streaming reader, and its parser is lenient in ways
 * an importer should not be (comments, single quotes, "var x =", wrapped
 * integers, anything after the value). This reader holds one token at a
 * time: a state, a stack of open containers (at most
 * CHANCERY_JSON_MAX_DEPTH) and the decoded text of the current string.
 * Positions are cheap: newlines only occur between tokens, so the reader
 * counts lines while it skips whitespace and works out a column only when
 * someone asks.
 */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <math.h>
#include <string.h>

#include "chancery-error.h"
#include "chancery-json-reader.h"

enum
{
  ST_VALUE,          /* a value */
  ST_FIRST_VALUE,    /* after "[": a value or "]" */
  ST_FIRST_MEMBER,   /* after "{": a member name or "}" */
  ST_MEMBER,         /* after "," in an object: a member name */
  ST_COLON,          /* after a member name */
  ST_AFTER,          /* after a value in a container: "," or the end */
  ST_TOP_DONE,       /* after the top-level value: nothing more */
  ST_END,
  ST_ERROR,
};

enum { IN_ARRAY, IN_OBJECT };

struct _ChanceryJsonReader
{
  const guchar *data;
  gsize         length;
  char         *filename;

  /* State: what ChanceryJsonMark saves */
  gsize         pos;
  gsize         line_start;     /* offset of the first byte of the current line */
  guint         line;
  guint         depth;
  int           state;
  guint8        stack[CHANCERY_JSON_MAX_DEPTH];

  /* The last token */
  gsize         token_start;
  GString      *text;           /* decoded string, or the number's text */
  gsize         nul_escape;     /* offset of the string's first "\u0000", or G_MAXSIZE */
  gboolean      is_int;
  gint64        int_value;
  double        double_value;

  /* Column cache: characters from line_start to column_offset */
  gsize         column_line_start;
  gsize         column_offset;
  guint         column;

  GError       *error;          /* repeated after the first error */
};

ChanceryJsonReader *
chancery_json_reader_new (const char *data,
                          gsize       length,
                          const char *filename)
{
  ChanceryJsonReader *self;

  g_return_val_if_fail (data != NULL || length == 0, NULL);

  self = g_new0 (ChanceryJsonReader, 1);
  self->data = (const guchar *) (data != NULL ? data : "");
  self->length = length;
  self->filename = g_strdup (filename != NULL ? filename : "JSON");
  self->line = 1;
  self->state = ST_VALUE;
  self->text = g_string_sized_new (256);
  self->column_line_start = G_MAXSIZE;
  self->nul_escape = G_MAXSIZE;

  return self;
}

void
chancery_json_reader_free (ChanceryJsonReader *self)
{
  if (self == NULL)
    return;

  g_string_free (self->text, TRUE);
  g_clear_error (&self->error);
  g_free (self->filename);
  g_free (self);
}

/* Characters (not bytes) from the start of the line to offset, plus one. */
static guint
column_at (ChanceryJsonReader *self,
           gsize               offset)
{
  gsize from = self->line_start;
  guint column = 0;

  if (self->column_line_start == self->line_start && self->column_offset <= offset)
    {
      from = self->column_offset;
      column = self->column;
    }

  for (gsize i = from; i < offset && i < self->length; i++)
    {
      if ((self->data[i] & 0xc0) != 0x80)
        column++;
    }

  self->column_line_start = self->line_start;
  self->column_offset = offset;
  self->column = column;

  return column + 1;
}

/* Sets the error of the reader ("FILE:LINE:COLUMN: message") at offset,
 * which is on the current line. message_format has no position. */
static ChanceryJsonToken
fail (ChanceryJsonReader  *self,
      GError             **error,
      gsize                offset,
      const char          *message_format,
      ...) G_GNUC_PRINTF (4, 5);

static ChanceryJsonToken
fail (ChanceryJsonReader  *self,
      GError             **error,
      gsize                offset,
      const char          *message_format,
      ...)
{
  g_autofree char *message = NULL;
  va_list args;

  va_start (args, message_format);
  message = g_strdup_vprintf (message_format, args);
  va_end (args);

  g_clear_error (&self->error);
  self->error = g_error_new (CHANCERY_ERROR, CHANCERY_ERROR_INVALID_INPUT, "%s:%u:%u: %s",
                             self->filename, self->line, column_at (self, offset), message);
  self->state = ST_ERROR;
  if (error != NULL)
    *error = g_error_copy (self->error);

  return CHANCERY_JSON_ERROR;
}

/* The errors whose messages (with their position) existed before. */
static ChanceryJsonToken
fail_bytes (ChanceryJsonReader  *self,
            GError             **error,
            gsize                offset)
{
  guint column = column_at (self, offset);

  g_clear_error (&self->error);
  if (offset < self->length && self->data[offset] == '\0')
    self->error = g_error_new (CHANCERY_ERROR, CHANCERY_ERROR_INVALID_INPUT,
                               _("%s:%u:%u: a NUL byte; JSON text cannot contain one"),
                               self->filename, self->line, column);
  else
    self->error = g_error_new (CHANCERY_ERROR, CHANCERY_ERROR_INVALID_INPUT,
                               _("%s:%u:%u: not valid UTF-8 text"),
                               self->filename, self->line, column);
  self->state = ST_ERROR;
  if (error != NULL)
    *error = g_error_copy (self->error);

  return CHANCERY_JSON_ERROR;
}

/* A short, valid UTF-8 rendering of what is at offset, for messages: a
 * word ("hello", "NaN") or one character. */
static char *
describe_at (ChanceryJsonReader *self,
             gsize               offset,
             gboolean            word)
{
  const guchar *p = self->data + offset;
  gsize left = self->length - offset;
  gsize n = 0;
  const char *end;

  while (word && n < left && n < 24 && (g_ascii_isalnum (p[n]) || p[n] == '_' || p[n] == '.' ||
                                p[n] == '+' || p[n] == '-'))
    n++;
  if (n == 24)
    return g_strdup_printf ("%.*s…", (int) n, (const char *) p);
  if (n > 0)
    return g_strndup ((const char *) p, n);

  n = MIN (left, 4);
  g_utf8_validate_len ((const char *) p, n, &end);
  if (end == (const char *) p)
    return g_strdup ("?");
  n = g_utf8_next_char (p) - (const char *) p;

  return g_strndup ((const char *) p, MIN (n, left));
}

enum
{
  EXPECTED_VALUE,
  EXPECTED_MEMBER,
  EXPECTED_COLON,
  EXPECTED_OBJECT_NEXT,
  EXPECTED_ARRAY_NEXT,
  EXPECTED_END,
};

/* Fails on what is at pos: the end of the text, bad bytes, or something
 * unexpected. */
static ChanceryJsonToken
fail_unexpected (ChanceryJsonReader  *self,
                 GError             **error,
                 int                  expected)
{
  g_autofree char *found = NULL;
  const char *end;

  if (self->pos >= self->length)
    return fail (self, error, self->pos, "%s", _("the text ends before the JSON value is complete"));
  if (self->data[self->pos] == '\0' ||
      (self->data[self->pos] >= 0x80 &&
       !g_utf8_validate_len ((const char *) self->data + self->pos,
                             MIN (self->length - self->pos, 4), &end) &&
       end == (const char *) self->data + self->pos))
    return fail_bytes (self, error, self->pos);
  /* Some Windows editors start UTF-8 with U+FEFF, invisible in the quotes. */
  if (self->pos == 0 && self->length >= 3 && memcmp (self->data, "\xEF\xBB\xBF", 3) == 0)
    return fail (self, error, self->pos, "%s",
                 _("the file starts with a byte order mark (U+FEFF), which JSON does not allow; "
                   "save it as UTF-8 without one"));

  found = describe_at (self, self->pos, TRUE);
  switch (expected)
    {
    case EXPECTED_VALUE:
      return fail (self, error, self->pos, _("unexpected “%s”; expected a value"), found);
    case EXPECTED_MEMBER:
      return fail (self, error, self->pos, _("unexpected “%s”; expected a member name in double quotes"),
                   found);
    case EXPECTED_COLON:
      return fail (self, error, self->pos, _("unexpected “%s”; expected “:”"), found);
    case EXPECTED_OBJECT_NEXT:
      return fail (self, error, self->pos, _("unexpected “%s”; expected “,” or “}”"), found);
    case EXPECTED_ARRAY_NEXT:
      return fail (self, error, self->pos, _("unexpected “%s”; expected “,” or “]”"), found);
    default:
      return fail (self, error, self->pos, _("unexpected “%s” after the end of the JSON value"), found);
    }
}

static inline void
skip_whitespace (ChanceryJsonReader *self)
{
  const guchar *data = self->data;
  gsize pos = self->pos;

  while (pos < self->length)
    {
      guchar c = data[pos];

      if (c == ' ' || c == '\t' || c == '\r')
        pos++;
      else if (c == '\n')
        {
          pos++;
          self->line++;
          self->line_start = pos;
        }
      else
        break;
    }

  self->pos = pos;
}

static int
hex_digit (guchar c)
{
  if (c >= '0' && c <= '9')
    return c - '0';
  if (c >= 'a' && c <= 'f')
    return c - 'a' + 10;
  if (c >= 'A' && c <= 'F')
    return c - 'A' + 10;
  return -1;
}

/* Four hex digits at p; -1 when they are not. */
static int
read_hex4 (const guchar *p,
           gsize         left)
{
  int value = 0;

  if (left < 4)
    return -1;
  for (int i = 0; i < 4; i++)
    {
      int d = hex_digit (p[i]);

      if (d < 0)
        return -1;
      value = value << 4 | d;
    }

  return value;
}

/* A string starting at pos (the opening quote), decoded into self->text. */
static gboolean
read_string (ChanceryJsonReader  *self,
             GError             **error)
{
  const guchar *data = self->data;
  gsize pos = self->pos + 1;
  GString *text = self->text;

  g_string_truncate (text, 0);
  self->nul_escape = G_MAXSIZE;

  for (;;)
    {
      gsize run = pos;
      gboolean high = FALSE;

      while (pos < self->length)
        {
          guchar c = data[pos];

          if (c == '"' || c == '\\' || c < 0x20)
            break;
          high |= c >= 0x80;
          pos++;
        }

      if (high)
        {
          const char *end;

          if (!g_utf8_validate_len ((const char *) data + run, pos - run, &end))
            {
              fail_bytes (self, error, (const guchar *) end - data);
              return FALSE;
            }
        }
      if (text->len + (pos - run) > CHANCERY_JSON_MAX_STRING_LENGTH)
        {
          fail (self, error, self->pos, _("a string longer than %d MB; Chancery reads at most that much"),
                CHANCERY_JSON_MAX_STRING_LENGTH / (1024 * 1024));
          return FALSE;
        }
      g_string_append_len (text, (const char *) data + run, pos - run);

      if (pos >= self->length)
        {
          self->pos = pos;
          fail (self, error, pos, "%s", _("the text ends inside a string"));
          return FALSE;
        }

      if (data[pos] == '"')
        {
          self->pos = pos + 1;
          return TRUE;
        }

      if (data[pos] < 0x20)
        {
          if (data[pos] == '\0')
            fail_bytes (self, error, pos);
          else
            fail (self, error, pos, "%s", _("a control character (such as a line break or a tab) "
                                          "inside a string; JSON writes it as an escape such as \\n"));
          return FALSE;
        }

      /* An escape */
      if (pos + 1 >= self->length)
        {
          fail (self, error, pos, "%s", _("the text ends inside a string"));
          return FALSE;
        }
      switch (data[pos + 1])
        {
        case '"': g_string_append_c (text, '"'); pos += 2; break;
        case '\\': g_string_append_c (text, '\\'); pos += 2; break;
        case '/': g_string_append_c (text, '/'); pos += 2; break;
        case 'b': g_string_append_c (text, '\b'); pos += 2; break;
        case 'f': g_string_append_c (text, '\f'); pos += 2; break;
        case 'n': g_string_append_c (text, '\n'); pos += 2; break;
        case 'r': g_string_append_c (text, '\r'); pos += 2; break;
        case 't': g_string_append_c (text, '\t'); pos += 2; break;
        case 'u':
          {
            int unit = read_hex4 (data + pos + 2, self->length - pos - 2);
            gunichar ch;

            if (unit < 0)
              {
                fail (self, error, pos, "%s", _("“\\u” must be followed by four hexadecimal digits"));
                return FALSE;
              }
            ch = unit;
            if (unit >= 0xdc00 && unit <= 0xdfff)
              {
                fail (self, error, pos, "%s", _("not valid text (an escape such as \\ud800 stands "
                                                "for no character)"));
                return FALSE;
              }
            if (unit >= 0xd800 && unit <= 0xdbff)
              {
                int low = -1;

                if (pos + 7 < self->length && data[pos + 6] == '\\' && data[pos + 7] == 'u')
                  low = read_hex4 (data + pos + 8, self->length - pos - 8);
                if (low < 0xdc00 || low > 0xdfff)
                  {
                    fail (self, error, pos, "%s", _("not valid text (an escape such as \\ud800 stands "
                                                    "for no character)"));
                    return FALSE;
                  }
                ch = 0x10000 + ((unit - 0xd800) << 10) + (low - 0xdc00);
                pos += 6;
              }
            if (ch == 0 && self->nul_escape == G_MAXSIZE)
              self->nul_escape = pos;
            g_string_append_unichar (text, ch);
            pos += 6;
          }
          break;
        default:
          {
            g_autofree char *what = describe_at (self, pos + 1, FALSE);

            fail (self, error, pos, _("“\\%s” is not an escape JSON knows"), what);
            return FALSE;
          }
        }
    }
}

/* Whether a number or a word (true, false, null) may end before pos. What
 * would read as more of it ("1x", "1.2.3", "nulls", a control character,
 * a non-ASCII letter) makes it invalid; anything else ends it, and the
 * error, if any, is about what follows ("[1\"x\"]": a “"” where a “,” or
 * “]” was expected, not “1” being no number). */
static gboolean
is_delimiter (ChanceryJsonReader *self,
              gsize               pos)
{
  guchar c;

  if (pos >= self->length)
    return TRUE;
  c = self->data[pos];

  if (c == ' ' || c == '\t' || c == '\r' || c == '\n')
    return TRUE;
  return !(g_ascii_isalnum (c) || c == '.' || c == '+' || c == '-' || c == '_' ||
           c < 0x20 || c >= 0x7f);
}

static gsize
count_digits (ChanceryJsonReader *self,
              gsize               pos)
{
  gsize n = 0;

  while (pos + n < self->length && g_ascii_isdigit (self->data[pos + n]))
    n++;

  return n;
}

static ChanceryJsonToken
read_number (ChanceryJsonReader  *self,
             GError             **error)
{
  const guchar *data = self->data;
  gsize start = self->pos, pos = start, n;
  gboolean negative = FALSE;

  self->is_int = TRUE;
  if (data[pos] == '-')
    negative = TRUE, pos++;

  n = count_digits (self, pos);
  if (n == 0 || (data[pos] == '0' && n > 1))
    goto invalid;
  pos += n;

  if (pos < self->length && data[pos] == '.')
    {
      self->is_int = FALSE;
      n = count_digits (self, pos + 1);
      if (n == 0)
        goto invalid;
      pos += 1 + n;
    }
  if (pos < self->length && (data[pos] == 'e' || data[pos] == 'E'))
    {
      self->is_int = FALSE;
      pos++;
      if (pos < self->length && (data[pos] == '+' || data[pos] == '-'))
        pos++;
      n = count_digits (self, pos);
      if (n == 0)
        goto invalid;
      pos += n;
    }
  if (!is_delimiter (self, pos))
    goto invalid;

  if (pos - start > CHANCERY_JSON_MAX_NUMBER_LENGTH)
    return fail (self, error, start, _("a number longer than %d characters"),
                 CHANCERY_JSON_MAX_NUMBER_LENGTH);

  g_string_truncate (self->text, 0);
  g_string_append_len (self->text, (const char *) data + start, pos - start);

  if (self->is_int)
    {
      guint64 value = 0;
      guint64 limit = negative ? (guint64) G_MAXINT64 + 1 : (guint64) G_MAXINT64;

      for (gsize i = start + negative; i < pos && self->is_int; i++)
        {
          guint digit = data[i] - '0';

          /* Beyond 64 bits: a double, as close as it gets (json-glib
           * wraps such integers around instead). */
          if (value > (limit - digit) / 10)
            self->is_int = FALSE;
          value = value * 10 + digit;
        }
      self->int_value = negative ? (gint64) (0 - value) : (gint64) value;
      self->double_value = (double) self->int_value;
    }
  if (!self->is_int)
    {
      /* May be infinite (1e400): the caller checks ranges. */
      self->double_value = g_ascii_strtod (self->text->str, NULL);
      if (self->double_value >= 9.2e18)
        self->int_value = G_MAXINT64;
      else if (self->double_value <= -9.2e18)
        self->int_value = G_MININT64;
      else
        self->int_value = (gint64) self->double_value;
    }

  self->pos = pos;
  return CHANCERY_JSON_NUMBER;

invalid:
  {
    g_autofree char *found = describe_at (self, start, TRUE);

    return fail (self, error, start, _("“%s” is not a number as JSON writes them"), found);
  }
}

/* After a complete value: what may follow. */
static inline void
after_value (ChanceryJsonReader *self)
{
  self->state = self->depth == 0 ? ST_TOP_DONE : ST_AFTER;
}

static ChanceryJsonToken
read_value (ChanceryJsonReader  *self,
            GError             **error)
{
  const guchar *data = self->data;
  guchar c;

  if (self->pos >= self->length)
    return fail_unexpected (self, error, EXPECTED_VALUE);

  c = data[self->pos];
  switch (c)
    {
    case '{':
    case '[':
      if (self->depth >= CHANCERY_JSON_MAX_DEPTH)
        {
          guint column = column_at (self, self->pos);

          g_clear_error (&self->error);
          self->error = g_error_new (CHANCERY_ERROR, CHANCERY_ERROR_INVALID_INPUT,
                                     _("%s:%u:%u: nested more than %d levels deep"),
                                     self->filename, self->line, column, CHANCERY_JSON_MAX_DEPTH);
          self->state = ST_ERROR;
          if (error != NULL)
            *error = g_error_copy (self->error);
          return CHANCERY_JSON_ERROR;
        }
      self->stack[self->depth++] = c == '{' ? IN_OBJECT : IN_ARRAY;
      self->pos++;
      self->state = c == '{' ? ST_FIRST_MEMBER : ST_FIRST_VALUE;
      return c == '{' ? CHANCERY_JSON_BEGIN_OBJECT : CHANCERY_JSON_BEGIN_ARRAY;

    case '"':
      if (!read_string (self, error))
        return CHANCERY_JSON_ERROR;
      after_value (self);
      return CHANCERY_JSON_STRING;

    case '-':
    case '0': case '1': case '2': case '3': case '4':
    case '5': case '6': case '7': case '8': case '9':
      if (read_number (self, error) != CHANCERY_JSON_NUMBER)
        return CHANCERY_JSON_ERROR;
      after_value (self);
      return CHANCERY_JSON_NUMBER;

    default:
      break;
    }

  {
    static const struct { const char *word; gsize length; ChanceryJsonToken token; } words[] = {
      { "true", 4, CHANCERY_JSON_TRUE },
      { "false", 5, CHANCERY_JSON_FALSE },
      { "null", 4, CHANCERY_JSON_NULL },
    };

    for (guint i = 0; i < G_N_ELEMENTS (words); i++)
      {
        if (self->length - self->pos >= words[i].length &&
            memcmp (data + self->pos, words[i].word, words[i].length) == 0 &&
            (is_delimiter (self, self->pos + words[i].length)))
          {
            self->pos += words[i].length;
            after_value (self);
            return words[i].token;
          }
      }
  }

  return fail_unexpected (self, error, EXPECTED_VALUE);
}

/* At "]" or "}" (already checked to match): closes the container. */
static ChanceryJsonToken
close_container (ChanceryJsonReader *self)
{
  guint8 kind = self->stack[--self->depth];

  self->pos++;
  after_value (self);

  return kind == IN_OBJECT ? CHANCERY_JSON_END_OBJECT : CHANCERY_JSON_END_ARRAY;
}

ChanceryJsonToken
chancery_json_reader_next (ChanceryJsonReader  *self,
                           GError             **error)
{
  g_return_val_if_fail (self != NULL, CHANCERY_JSON_ERROR);

  for (;;)
    {
      if (self->state != ST_ERROR && self->state != ST_END)
        {
          skip_whitespace (self);
          self->token_start = self->pos;
        }

      switch (self->state)
        {
        case ST_ERROR:
          if (error != NULL)
            *error = g_error_copy (self->error);
          return CHANCERY_JSON_ERROR;

        case ST_END:
          return CHANCERY_JSON_END;

        case ST_TOP_DONE:
          if (self->pos < self->length)
            return fail_unexpected (self, error, EXPECTED_END);
          self->state = ST_END;
          return CHANCERY_JSON_END;

        case ST_VALUE:
          return read_value (self, error);

        case ST_FIRST_VALUE:
          if (self->pos < self->length && self->data[self->pos] == ']')
            return close_container (self);
          return read_value (self, error);

        case ST_FIRST_MEMBER:
          if (self->pos < self->length && self->data[self->pos] == '}')
            return close_container (self);
          G_GNUC_FALLTHROUGH;
        case ST_MEMBER:
          if (self->pos >= self->length || self->data[self->pos] != '"')
            return fail_unexpected (self, error, EXPECTED_MEMBER);
          if (!read_string (self, error))
            return CHANCERY_JSON_ERROR;
          self->state = ST_COLON;
          return CHANCERY_JSON_MEMBER;

        case ST_COLON:
          if (self->pos >= self->length || self->data[self->pos] != ':')
            return fail_unexpected (self, error, EXPECTED_COLON);
          self->pos++;
          self->state = ST_VALUE;
          continue;

        case ST_AFTER:
          {
            gboolean in_object = self->stack[self->depth - 1] == IN_OBJECT;

            if (self->pos < self->length && self->data[self->pos] == ',')
              {
                self->pos++;
                self->state = in_object ? ST_MEMBER : ST_VALUE;
                continue;
              }
            if (self->pos < self->length && self->data[self->pos] == (in_object ? '}' : ']'))
              return close_container (self);
            return fail_unexpected (self, error, in_object ? EXPECTED_OBJECT_NEXT
                                                           : EXPECTED_ARRAY_NEXT);
          }

        default:
          g_assert_not_reached ();
        }
    }
}

const char *
chancery_json_reader_get_string (ChanceryJsonReader *self,
                                 gsize              *length)
{
  g_return_val_if_fail (self != NULL, NULL);

  if (length != NULL)
    *length = self->text->len;

  return self->text->str;
}

gboolean
chancery_json_reader_is_int (ChanceryJsonReader *self)
{
  return self->is_int;
}

gint64
chancery_json_reader_get_int (ChanceryJsonReader *self)
{
  return self->int_value;
}

double
chancery_json_reader_get_double (ChanceryJsonReader *self)
{
  return self->double_value;
}

void
chancery_json_reader_get_position (ChanceryJsonReader *self,
                                   guint              *line,
                                   guint              *column)
{
  /* The token is on the current line: tokens never span lines. */
  *line = self->line;
  *column = column_at (self, self->token_start);
}

gsize
chancery_json_reader_get_offset (ChanceryJsonReader *self)
{
  return self->pos;
}

guint
chancery_json_reader_get_depth (ChanceryJsonReader *self)
{
  return self->depth;
}

gboolean
chancery_json_reader_skip (ChanceryJsonReader  *self,
                           GError             **error)
{
  guint depth = self->depth;

  /* Only just after BEGIN_*: the container is open at depth. */
  if (self->state != ST_FIRST_MEMBER && self->state != ST_FIRST_VALUE)
    return TRUE;

  while (self->depth >= depth)
    {
      if (chancery_json_reader_next (self, error) == CHANCERY_JSON_ERROR)
        return FALSE;
    }

  return TRUE;
}

void
chancery_json_reader_mark (ChanceryJsonReader *self,
                           ChanceryJsonMark   *mark)
{
  mark->offset = self->pos;
  mark->line_start = self->line_start;
  mark->line = self->line;
  mark->depth = self->depth;
  mark->state = self->state;
  memcpy (mark->stack, self->stack, sizeof mark->stack);
}

void
chancery_json_reader_seek (ChanceryJsonReader     *self,
                           const ChanceryJsonMark *mark)
{
  self->pos = mark->offset;
  self->line_start = mark->line_start;
  self->line = mark->line;
  self->depth = mark->depth;
  self->state = mark->state;
  memcpy (self->stack, mark->stack, sizeof self->stack);
  g_clear_error (&self->error);
}

/* json-glib's strings end at the first NUL, so "x\u0000y" would be read
 * as "x", silently. The escape is valid JSON, but text with a NUL
 * character in it has no place in Chancery: refused, as a raw NUL byte
 * is, where the escape is. member: the name of the member whose value the
 * string is (or is in), or NULL. */
static gboolean
check_no_nul (ChanceryJsonReader  *self,
              const char          *member,
              GError             **error)
{
  if (self->nul_escape == G_MAXSIZE)
    return TRUE;

  /* A string never spans lines: the escape is on the current one. */
  if (member != NULL)
    fail (self, error, self->nul_escape,
          _("“%s”: “\\u0000” stands for the NUL character, which Chancery cannot keep in text"),
          member);
  else
    fail (self, error, self->nul_escape, "%s",
          _("“\\u0000” stands for the NUL character, which Chancery cannot keep in text"));

  return FALSE;
}

static JsonNode *
build_node (ChanceryJsonReader        *self,
            ChanceryJsonToken          token,
            const char                *member,
            ChanceryJsonPositionFunc   position_func,
            gpointer                   user_data,
            GError                   **error)
{
  g_autoptr(JsonNode) node = json_node_alloc ();
  guint line = 0, column = 0;

  if (position_func != NULL)
    chancery_json_reader_get_position (self, &line, &column);

  switch (token)
    {
    case CHANCERY_JSON_STRING:
      if (!check_no_nul (self, member, error))
        return NULL;
      json_node_init_string (node, self->text->str);
      break;
    case CHANCERY_JSON_NUMBER:
      if (self->is_int)
        json_node_init_int (node, self->int_value);
      else
        json_node_init_double (node, self->double_value);
      break;
    case CHANCERY_JSON_TRUE:
    case CHANCERY_JSON_FALSE:
      json_node_init_boolean (node, token == CHANCERY_JSON_TRUE);
      break;
    case CHANCERY_JSON_NULL:
      json_node_init_null (node);
      break;

    case CHANCERY_JSON_BEGIN_OBJECT:
      {
        g_autoptr(JsonObject) object = json_object_new ();

        for (;;)
          {
            g_autofree char *long_name = NULL;
            char short_name[64];
            const char *name;
            JsonNode *value;

            token = chancery_json_reader_next (self, error);
            if (token == CHANCERY_JSON_END_OBJECT)
              break;
            if (token == CHANCERY_JSON_ERROR)
              return NULL;
            g_assert (token == CHANCERY_JSON_MEMBER);
            if (!check_no_nul (self, NULL, error))
              return NULL;
            /* The value's token reuses self->text; json-glib copies the
             * name again. */
            if (self->text->len < sizeof short_name)
              name = memcpy (short_name, self->text->str, self->text->len + 1);
            else
              name = long_name = g_strdup (self->text->str);
            token = chancery_json_reader_next (self, error);
            if (token == CHANCERY_JSON_ERROR)
              return NULL;
            value = build_node (self, token, name, position_func, user_data, error);
            if (value == NULL)
              return NULL;
            json_object_set_member (object, name, value);
          }
        if (position_func != NULL)
          {
            guint end_line, end_column;

            chancery_json_reader_get_position (self, &end_line, &end_column);
            position_func (object, end_line, end_column, user_data);
          }
        json_node_init_object (node, object);
      }
      break;

    case CHANCERY_JSON_BEGIN_ARRAY:
      {
        g_autoptr(JsonArray) array = json_array_new ();

        for (;;)
          {
            JsonNode *element;

            token = chancery_json_reader_next (self, error);
            if (token == CHANCERY_JSON_END_ARRAY)
              break;
            if (token == CHANCERY_JSON_ERROR)
              return NULL;
            element = build_node (self, token, member, position_func, user_data, error);
            if (element == NULL)
              return NULL;
            json_array_add_element (array, element);
          }
        json_node_init_array (node, array);
      }
      break;

    case CHANCERY_JSON_ERROR:
      return NULL;

    default:
      g_return_val_if_reached (NULL);
    }

  if (position_func != NULL)
    position_func (node, line, column, user_data);

  return g_steal_pointer (&node);
}

JsonNode *
chancery_json_reader_read_node (ChanceryJsonReader        *self,
                                ChanceryJsonToken          first,
                                ChanceryJsonPositionFunc   position_func,
                                gpointer                   user_data,
                                GError                   **error)
{
  g_return_val_if_fail (self != NULL, NULL);

  return build_node (self, first, NULL, position_func, user_data, error);
}
