/* test-json-reader.c: the strict JSON pull reader, token by token, and
 * against json-glib
 *
 * Copyright 2026 The Chancery developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>
#include <glib.h>
#include <glib/gstdio.h>

#include "chancery-error.h"
#include "chancery-json-reader.h"
#include "fuzz/json-differential.h"

/* Tokens as letters: { } [ ] m(ember) s(tring) n(umber) t f z(null) $(end) */
static char
token_letter (ChanceryJsonToken token)
{
  switch (token)
    {
    case CHANCERY_JSON_BEGIN_OBJECT: return '{';
    case CHANCERY_JSON_END_OBJECT: return '}';
    case CHANCERY_JSON_BEGIN_ARRAY: return '[';
    case CHANCERY_JSON_END_ARRAY: return ']';
    case CHANCERY_JSON_MEMBER: return 'm';
    case CHANCERY_JSON_STRING: return 's';
    case CHANCERY_JSON_NUMBER: return 'n';
    case CHANCERY_JSON_TRUE: return 't';
    case CHANCERY_JSON_FALSE: return 'f';
    case CHANCERY_JSON_NULL: return 'z';
    case CHANCERY_JSON_END: return '$';
    case CHANCERY_JSON_ERROR:
    default: return '!';
    }
}

/* All tokens of text as letters, up to the end or the first error. */
static char *
tokens_of (const char  *text,
           gssize       length,
           GError     **error)
{
  g_autoptr(ChanceryJsonReader) reader = NULL;
  GString *letters = g_string_new (NULL);

  if (length < 0)
    length = strlen (text);
  reader = chancery_json_reader_new (text, length, "t.json");
  for (guint i = 0; i < 1000; i++)
    {
      ChanceryJsonToken token = chancery_json_reader_next (reader, error);

      g_string_append_c (letters, token_letter (token));
      if (token == CHANCERY_JSON_END || token == CHANCERY_JSON_ERROR)
        break;
    }

  return g_string_free (letters, FALSE);
}

static void
test_tokens (void)
{
  static const struct { const char *text; const char *tokens; } cases[] = {
    { "{}", "{}$" },
    { "[]", "[]$" },
    { " \t\r\n[ ]\n", "[]$" },
    { "{\"a\": 1, \"b\": [true, false, null], \"c\": {\"d\": \"e\"}}", "{mnm[tfz]m{ms}}$" },
    { "[[], {}, [[]], \"\", 0]", "[[]{}[[]]sn]$" },
    { "1", "n$" },
    { "\"text\"", "s$" },
    { "true", "t$" },
    { "false", "f$" },
    { "null", "z$" },
    { "[1,2,3]", "[nnn]$" },
    { "{\"\": null}", "{mz}$" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *tokens = tokens_of (cases[i].text, -1, &error);

      g_test_message ("%s", cases[i].text);
      g_assert_no_error (error);
      g_assert_cmpstr (tokens, ==, cases[i].tokens);
    }
}

/* The single string of "[TEXT]", with its length. */
static char *
string_of (const char *json,
           gsize      *length)
{
  g_autoptr(ChanceryJsonReader) reader = chancery_json_reader_new (json, strlen (json), "t.json");
  g_autoptr(GError) error = NULL;
  const char *text;

  g_assert_cmpint (chancery_json_reader_next (reader, &error), ==, CHANCERY_JSON_BEGIN_ARRAY);
  g_assert_cmpint (chancery_json_reader_next (reader, &error), ==, CHANCERY_JSON_STRING);
  g_assert_no_error (error);
  text = chancery_json_reader_get_string (reader, length);

  return g_memdup2 (text, *length + 1);
}

static void
test_escapes (void)
{
  static const struct { const char *json; const char *text; gsize length; } cases[] = {
    { "[\"plain\"]", "plain", 5 },
    { "[\"\\\"\"]", "\"", 1 },
    { "[\"\\\\\"]", "\\", 1 },
    { "[\"\\/\"]", "/", 1 },
    { "[\"\\b\\f\\n\\r\\t\"]", "\b\f\n\r\t", 5 },
    { "[\"\\u0041\\u00e9\\u00E9\"]", "Aéé", 5 },
    { "[\"\\u20ac\"]", "€", 3 },
    { "[\"\\ud83d\\ude00\"]", "😀", 4 },
    { "[\"\\uD83D\\uDE00 x\"]", "😀 x", 6 },
    { "[\"a\\u0000b\"]", "a\0b", 3 },
    { "[\"Жش😀\"]", "Жش😀", 8 },
    { "[\"a\\nb\\\\n\"]", "a\nb\\n", 5 },
    { "[\"\\u007f\"]", "\x7f", 1 },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      gsize length;
      g_autofree char *text = string_of (cases[i].json, &length);

      g_test_message ("%s", cases[i].json);
      g_assert_cmpuint (length, ==, cases[i].length);
      g_assert_cmpmem (text, length, cases[i].text, cases[i].length);
    }
}

static void
test_numbers (void)
{
  static const struct { const char *json; gboolean is_int; gint64 i; double d; } cases[] = {
    { "0", TRUE, 0, 0 },
    { "-0", TRUE, 0, 0 },
    { "42", TRUE, 42, 42 },
    { "-17", TRUE, -17, -17 },
    { "9223372036854775807", TRUE, G_MAXINT64, 9223372036854775807.0 },
    { "-9223372036854775808", TRUE, G_MININT64, -9223372036854775808.0 },
    { "9223372036854775808", FALSE, G_MAXINT64, 9223372036854775808.0 },
    { "-9223372036854775809", FALSE, G_MININT64, -9223372036854775809.0 },
    { "123456789012345678901234567890", FALSE, G_MAXINT64, 123456789012345678901234567890.0 },
    { "1.5", FALSE, 1, 1.5 },
    { "-0.25", FALSE, 0, -0.25 },
    { "1e3", FALSE, 1000, 1000 },
    { "1E+3", FALSE, 1000, 1000 },
    { "25e-1", FALSE, 2, 2.5 },
    { "0.1", FALSE, 0, 0.1 },
    { "1e-400", FALSE, 0, 0 },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(ChanceryJsonReader) reader = chancery_json_reader_new (cases[i].json, strlen (cases[i].json), "t.json");
      g_autoptr(GError) error = NULL;

      g_test_message ("%s", cases[i].json);
      g_assert_cmpint (chancery_json_reader_next (reader, &error), ==, CHANCERY_JSON_NUMBER);
      g_assert_no_error (error);
      g_assert_cmpint (chancery_json_reader_is_int (reader), ==, cases[i].is_int);
      g_assert_cmpint (chancery_json_reader_get_int (reader), ==, cases[i].i);
      g_assert_cmpfloat (chancery_json_reader_get_double (reader), ==, cases[i].d);
      g_assert_cmpint (chancery_json_reader_next (reader, &error), ==, CHANCERY_JSON_END);
    }

  {
    g_autoptr(ChanceryJsonReader) reader = chancery_json_reader_new ("[1e400, -1e400]", 15, "t.json");

    /* Infinite, for the caller to refuse as out of range */
    g_assert_cmpint (chancery_json_reader_next (reader, NULL), ==, CHANCERY_JSON_BEGIN_ARRAY);
    g_assert_cmpint (chancery_json_reader_next (reader, NULL), ==, CHANCERY_JSON_NUMBER);
    g_assert_false (chancery_json_reader_is_int (reader));
    g_assert_cmpfloat (chancery_json_reader_get_double (reader), >, G_MAXDOUBLE);
    g_assert_cmpint (chancery_json_reader_next (reader, NULL), ==, CHANCERY_JSON_NUMBER);
    g_assert_cmpfloat (chancery_json_reader_get_double (reader), <, -G_MAXDOUBLE);
  }
}

typedef struct
{
  const char *text;
  gssize      length;     /* -1: strlen */
  guint       line;
  guint       column;
  const char *message;
} ErrorCase;

/* Every way text can fail, where, and the words that say so. Many of
 * these json-glib accepted. */
static const ErrorCase error_cases[] = {
  { "", -1, 1, 1, "ends before the JSON value is complete" },
  { "   \n  ", -1, 2, 3, "ends before the JSON value is complete" },
  { "[1,]", -1, 1, 4, "unexpected “]”; expected a value" },
  { "{\"a\":1,}", -1, 1, 8, "expected a member name in double quotes" },
  { "{\"a\":}", -1, 1, 6, "unexpected “}”; expected a value" },
  { "{\"a\" 1}", -1, 1, 6, "expected “:”" },
  { "{1:2}", -1, 1, 2, "expected a member name" },
  { "{'a':1}", -1, 1, 2, "expected a member name" },
  { "[1 2]", -1, 1, 4, "expected “,” or “]”" },
  { "{\"a\":1 \"b\":2}", -1, 1, 8, "expected “,” or “}”" },
  { "[,1]", -1, 1, 2, "expected a value" },
  { "[[]]]", -1, 1, 5, "after the end of the JSON value" },
  { "[1] [2]", -1, 1, 5, "after the end of the JSON value" },
  { "{} // x", -1, 1, 4, "after the end" },
  { "/*c*/ {}", -1, 1, 1, "unexpected “/”; expected a value" },
  { "\xEF\xBB\xBF{}", -1, 1, 1, "starts with a byte order mark (U+FEFF)" },
  /* Not at the start: an unexpected character like any other. */
  { "[\xEF\xBB\xBF" "1]", -1, 1, 2, "; expected a value" },
  { "var x = {}", -1, 1, 1, "unexpected “var”" },
  { "hello", -1, 1, 1, "unexpected “hello”; expected a value" },
  { "[tru]", -1, 1, 2, "unexpected “tru”" },
  { "[TRUE]", -1, 1, 2, "unexpected “TRUE”" },
  { "[null1]", -1, 1, 2, "unexpected “null1”" },
  { "[NaN]", -1, 1, 2, "unexpected “NaN”" },
  { "[Infinity]", -1, 1, 2, "unexpected “Infinity”" },
  { "[01]", -1, 1, 2, "“01” is not a number" },
  { "[1.]", -1, 1, 2, "“1.” is not a number" },
  { "[.5]", -1, 1, 2, "unexpected “.5”" },
  { "[+1]", -1, 1, 2, "unexpected “+1”" },
  { "[-]", -1, 1, 2, "“-” is not a number" },
  { "[-a]", -1, 1, 2, "“-a” is not a number" },
  { "[0x10]", -1, 1, 2, "“0x10” is not a number" },
  { "[1e]", -1, 1, 2, "“1e” is not a number" },
  { "[1.5E]", -1, 1, 2, "“1.5E” is not a number" },
  { "[1\f]", -1, 1, 2, "“1” is not a number" },
  /* A number or a word followed by what cannot continue it: the error is
   * about what follows, not about the number or the word. */
  { "[1\"x\"]", -1, 1, 3, "unexpected “\"”; expected “,” or “]”" },
  { "{\"a\":1:2}", -1, 1, 7, "unexpected “:”; expected “,” or “}”" },
  { "[1[", -1, 1, 3, "unexpected “[”; expected “,” or “]”" },
  { "[-0.5e3/2]", -1, 1, 8, "unexpected “/”; expected “,” or “]”" },
  { "[true\"x\"]", -1, 1, 6, "unexpected “\"”; expected “,” or “]”" },
  { "{\"a\":null{}}", -1, 1, 10, "unexpected “{”; expected “,” or “}”" },
  { "[1.5x]", -1, 1, 2, "“1.5x” is not a number" },
  { "[falsey]", -1, 1, 2, "unexpected “falsey”" },
  { "[\"a\tb\"]", -1, 1, 4, "a control character" },
  { "[\"a\nb\"]", -1, 1, 4, "a control character" },
  { "[\"\\q\"]", -1, 1, 3, "“\\q” is not an escape" },
  { "[\"\\u12\"]", -1, 1, 3, "four hexadecimal digits" },
  { "[\"\\u12G4\"]", -1, 1, 3, "four hexadecimal digits" },
  { "[\"\\ud800\"]", -1, 1, 3, "\\ud800 stands for no character" },
  { "[\"\\udc00\"]", -1, 1, 3, "\\ud800 stands for no character" },
  { "[\"\\ud83dx\"]", -1, 1, 3, "\\ud800 stands for no character" },
  { "[\"\\ud83d\\u0041\"]", -1, 1, 3, "\\ud800 stands for no character" },
  { "[\"abc", -1, 1, 6, "ends inside a string" },
  { "[\"abc\\", -1, 1, 6, "ends inside a string" },
  { "[1", -1, 1, 3, "ends before" },
  { "{\"a\"", -1, 1, 5, "ends before" },
  { "[\"\xff\"]", -1, 1, 3, "not valid UTF-8" },
  { "[\"caf\xe9\"]", -1, 1, 6, "not valid UTF-8" },
  { "[\"\xc0\xaf\"]", -1, 1, 3, "not valid UTF-8" },
  { "[\"\xed\xa0\x80\"]", -1, 1, 3, "not valid UTF-8" },
  { "[\xff]", -1, 1, 2, "not valid UTF-8" },
  { "[\"a\0\"]", 6, 1, 4, "a NUL byte" },
  { "[1,\0]", 5, 1, 4, "a NUL byte" },
  /* Positions: lines, and columns in characters (not bytes) */
  { "[\n  1,\n  ]", -1, 3, 3, "expected a value" },
  { "[\"é\", x]", -1, 1, 7, "unexpected “x”" },
  { "{\"Жش\": 1,\r\n \"b\" 2}", -1, 2, 6, "expected “:”" },
};

static void
test_errors (void)
{
  for (guint i = 0; i < G_N_ELEMENTS (error_cases); i++)
    {
      const ErrorCase *c = &error_cases[i];
      gsize length = c->length >= 0 ? (gsize) c->length : strlen (c->text);
      g_autoptr(GError) error = NULL;
      g_autoptr(GError) again = NULL;
      g_autoptr(ChanceryJsonReader) reader = chancery_json_reader_new (c->text, length, "t.json");
      g_autofree char *prefix = g_strdup_printf ("t.json:%u:%u: ", c->line, c->column);
      ChanceryJsonToken token;

      for (guint n = 0; n < 100; n++)
        {
          token = chancery_json_reader_next (reader, &error);
          if (token == CHANCERY_JSON_ERROR || token == CHANCERY_JSON_END)
            break;
        }
      g_test_message ("case %u: %s", i, error != NULL ? error->message : "(accepted)");
      g_assert_error (error, CHANCERY_ERROR, CHANCERY_ERROR_INVALID_INPUT);
      g_assert_true (g_utf8_validate (error->message, -1, NULL));
      g_assert_true (g_str_has_prefix (error->message, prefix));
      g_assert_nonnull (strstr (error->message, c->message));

      /* The same error again, never a token */
      g_assert_cmpint (chancery_json_reader_next (reader, &again), ==, CHANCERY_JSON_ERROR);
      g_assert_cmpstr (again->message, ==, error->message);
    }
}

static void
test_depth (void)
{
  for (guint levels = CHANCERY_JSON_MAX_DEPTH; levels <= CHANCERY_JSON_MAX_DEPTH + 1; levels++)
    {
      g_autoptr(GString) text = g_string_new (NULL);
      g_autoptr(GError) error = NULL;
      g_autofree char *tokens = NULL;

      for (guint i = 0; i < levels; i++)
        g_string_append (text, i % 2 ? "{\"a\":" : "[");
      g_string_append_c (text, '1');
      for (guint i = levels; i > 0; i--)
        g_string_append (text, (i - 1) % 2 ? "}" : "]");
      tokens = tokens_of (text->str, text->len, &error);
      if (levels <= CHANCERY_JSON_MAX_DEPTH)
        {
          g_assert_no_error (error);
          g_assert_true (g_str_has_suffix (tokens, "$"));
        }
      else
        {
          g_autofree char *expected = g_strdup_printf ("t.json:1:%u: nested more than %d levels deep",
                                                       (levels - 1) / 2 * 6 + (levels - 1) % 2 + 1,
                                                       CHANCERY_JSON_MAX_DEPTH);

          g_assert_error (error, CHANCERY_ERROR, CHANCERY_ERROR_INVALID_INPUT);
          g_assert_cmpstr (error->message, ==, expected);
          /* Stopped at the 65th opening: nothing deeper was read */
          g_assert_cmpuint (strlen (tokens), ==, CHANCERY_JSON_MAX_DEPTH + CHANCERY_JSON_MAX_DEPTH / 2 + 1);
        }
    }
}

static void
test_limits (void)
{
  gsize big = CHANCERY_JSON_MAX_STRING_LENGTH + 1;
  g_autofree char *text = g_malloc (big + 4);
  g_autoptr(GError) error = NULL;
  g_autofree char *tokens = NULL;
  g_autoptr(GString) number = g_string_new ("[");

  /* A string one byte over the limit: refused */
  text[0] = '[';
  text[1] = '"';
  memset (text + 2, 'x', big);
  text[big + 2] = '"';
  text[big + 3] = ']';
  tokens = tokens_of (text, big + 4, &error);
  g_assert_cmpstr (tokens, ==, "[!");
  g_assert_nonnull (strstr (error->message, "longer than 16 MB"));
  g_clear_error (&error);
  g_clear_pointer (&tokens, g_free);

  /* Exactly the limit, with an escape at its end: read */
  memcpy (text + big, "\\n", 2);
  tokens = tokens_of (text, big + 4, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (tokens, ==, "[s]$");
  g_clear_pointer (&tokens, g_free);

  for (guint i = 0; i < CHANCERY_JSON_MAX_NUMBER_LENGTH + 1; i++)
    g_string_append_c (number, '1');
  g_string_append_c (number, ']');
  tokens = tokens_of (number->str, number->len, &error);
  g_assert_cmpstr (tokens, ==, "[!");
  g_assert_nonnull (strstr (error->message, "a number longer than 1024 characters"));
}

static void
test_skip_and_seek (void)
{
  static const char text[] = "{\"a\": [1, {\"b\": [2, 3]}, \"x\"],\n \"c\": {\"d\": null}, \"e\": 5}";
  g_autoptr(ChanceryJsonReader) reader = chancery_json_reader_new (text, strlen (text), "t.json");
  g_autoptr(GError) error = NULL;
  ChanceryJsonMark mark;
  guint line, column;

  g_assert_cmpint (chancery_json_reader_next (reader, &error), ==, CHANCERY_JSON_BEGIN_OBJECT);
  g_assert_cmpint (chancery_json_reader_next (reader, &error), ==, CHANCERY_JSON_MEMBER);
  g_assert_cmpstr (chancery_json_reader_get_string (reader, NULL), ==, "a");
  chancery_json_reader_mark (reader, &mark);
  g_assert_cmpint (chancery_json_reader_next (reader, &error), ==, CHANCERY_JSON_BEGIN_ARRAY);
  g_assert_true (chancery_json_reader_skip (reader, &error));
  g_assert_cmpuint (chancery_json_reader_get_depth (reader), ==, 1);
  g_assert_cmpint (chancery_json_reader_next (reader, &error), ==, CHANCERY_JSON_MEMBER);
  g_assert_cmpstr (chancery_json_reader_get_string (reader, NULL), ==, "c");
  chancery_json_reader_get_position (reader, &line, &column);
  g_assert_cmpuint (line, ==, 2);
  g_assert_cmpuint (column, ==, 2);
  g_assert_cmpint (chancery_json_reader_next (reader, &error), ==, CHANCERY_JSON_BEGIN_OBJECT);
  g_assert_true (chancery_json_reader_skip (reader, &error));
  g_assert_cmpint (chancery_json_reader_next (reader, &error), ==, CHANCERY_JSON_MEMBER);
  g_assert_cmpint (chancery_json_reader_next (reader, &error), ==, CHANCERY_JSON_NUMBER);
  /* Skipping a scalar does nothing */
  g_assert_true (chancery_json_reader_skip (reader, &error));
  g_assert_cmpint (chancery_json_reader_get_int (reader), ==, 5);
  g_assert_cmpint (chancery_json_reader_next (reader, &error), ==, CHANCERY_JSON_END_OBJECT);
  g_assert_cmpint (chancery_json_reader_next (reader, &error), ==, CHANCERY_JSON_END);
  g_assert_cmpint (chancery_json_reader_next (reader, &error), ==, CHANCERY_JSON_END);

  /* Back to "a": the same tokens and positions again */
  chancery_json_reader_seek (reader, &mark);
  g_assert_cmpint (chancery_json_reader_next (reader, &error), ==, CHANCERY_JSON_BEGIN_ARRAY);
  g_assert_cmpint (chancery_json_reader_next (reader, &error), ==, CHANCERY_JSON_NUMBER);
  chancery_json_reader_get_position (reader, &line, &column);
  g_assert_cmpuint (line, ==, 1);
  g_assert_cmpuint (column, ==, 8);
  g_assert_no_error (error);

  /* A skip over bad text fails */
  {
    g_autoptr(ChanceryJsonReader) bad = chancery_json_reader_new ("[[1, 2 3]]", 10, "t.json");

    g_assert_cmpint (chancery_json_reader_next (bad, NULL), ==, CHANCERY_JSON_BEGIN_ARRAY);
    g_assert_false (chancery_json_reader_skip (bad, &error));
    g_assert_error (error, CHANCERY_ERROR, CHANCERY_ERROR_INVALID_INPUT);
  }
}

typedef struct
{
  GHashTable *starts;   /* key -> "line:column" */
} Positions;

static void
on_position (gconstpointer key,
             guint         line,
             guint         column,
             gpointer      user_data)
{
  Positions *positions = user_data;

  g_hash_table_insert (positions->starts, (gpointer) key, g_strdup_printf ("%u:%u", line, column));
}

static void
test_read_node (void)
{
  static const char text[] = "{\"a\": 1, \"b\": [true, \"x\"],\n \"a\": {\"c\": 2.5}}";
  g_autoptr(ChanceryJsonReader) reader = chancery_json_reader_new (text, strlen (text), "t.json");
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = NULL;
  Positions positions = { g_hash_table_new_full (NULL, NULL, NULL, g_free) };
  JsonObject *object, *inner;
  JsonArray *array;

  node = chancery_json_reader_read_node (reader, chancery_json_reader_next (reader, &error),
                                         on_position, &positions, &error);
  g_assert_no_error (error);
  g_assert_cmpint (chancery_json_reader_next (reader, &error), ==, CHANCERY_JSON_END);

  object = json_node_get_object (node);
  /* A repeated member keeps its last value, as in json-glib */
  g_assert_cmpuint (json_object_get_size (object), ==, 2);
  inner = json_object_get_object_member (object, "a");
  g_assert_cmpfloat (json_object_get_double_member (inner, "c"), ==, 2.5);
  array = json_object_get_array_member (object, "b");
  g_assert_true (json_array_get_boolean_element (array, 0));
  g_assert_cmpstr (json_array_get_string_element (array, 1), ==, "x");

  /* Nodes where they start; objects where they end */
  g_assert_cmpstr (g_hash_table_lookup (positions.starts, node), ==, "1:1");
  g_assert_cmpstr (g_hash_table_lookup (positions.starts, object), ==, "2:17");
  g_assert_cmpstr (g_hash_table_lookup (positions.starts, json_object_get_member (object, "b")), ==, "1:15");
  g_assert_cmpstr (g_hash_table_lookup (positions.starts, json_array_get_element (array, 1)), ==, "1:22");
  g_assert_cmpstr (g_hash_table_lookup (positions.starts, json_object_get_member (object, "a")), ==, "2:7");
  g_hash_table_unref (positions.starts);

  {
    g_autoptr(ChanceryJsonReader) bad = chancery_json_reader_new ("{\"a\": [1, }", 11, "t.json");
    g_autoptr(GError) bad_error = NULL;

    g_assert_null (chancery_json_reader_read_node (bad, chancery_json_reader_next (bad, NULL),
                                                   NULL, NULL, &bad_error));
    g_assert_error (bad_error, CHANCERY_ERROR, CHANCERY_ERROR_INVALID_INPUT);
  }

  /* The tokens keep a "\u0000" (see test_escapes); a tree cannot: json-glib
   * would cut the string short. Refused where the escape is, with the
   * member, in values and in names. */
  {
    static const struct { const char *text, *message; } nul_cases[] = {
      { "{\"a\": [\"é\", \"x\\u0000y\"]}", "t.json:1:15: “a”: “\\u0000” stands for the NUL character" },
      { "{\"a\": {\"bé\": \"\\u0000\"}}", "t.json:1:15: “bé”: “\\u0000” stands for the NUL character" },
      { "{\"a\\u0000\": 1}", "t.json:1:4: “\\u0000” stands for the NUL character" },
      { "\"\\u0000\"", "t.json:1:2: “\\u0000” stands for the NUL character" },
    };

    for (guint i = 0; i < G_N_ELEMENTS (nul_cases); i++)
      {
        g_autoptr(ChanceryJsonReader) nul = chancery_json_reader_new (nul_cases[i].text,
                                                                      strlen (nul_cases[i].text),
                                                                      "t.json");
        g_autoptr(GError) nul_error = NULL;

        g_assert_null (chancery_json_reader_read_node (nul, chancery_json_reader_next (nul, NULL),
                                                       NULL, NULL, &nul_error));
        g_assert_error (nul_error, CHANCERY_ERROR, CHANCERY_ERROR_INVALID_INPUT);
        g_test_message ("%s", nul_error->message);
        g_assert_true (g_str_has_prefix (nul_error->message, nul_cases[i].message));
      }
  }
}

/* Known differences: json-glib accepts these, the reader does not. */
static void
test_json_glib_extensions (void)
{
  static const char * const lenient[] = {
    "/*c*/ {}", "{'a':1}", "[\"a\tb\"]", "[01]", "[.5]", "[1.]", "[0x10]", "var x = {}",
    "[1] [2]", "[\"\\q\"]", "\xef\xbb\xbf[1]",
    /* json-glib cuts the text short at the NUL character: "a" */
    "[\"a\\u0000b\"]", "{\"a\\u0000b\": 1}",
  };
  /* json-glib gives no value at all: both refuse */
  static const char * const empty[] = { "", "  ", "\n" };

  for (guint i = 0; i < G_N_ELEMENTS (lenient); i++)
    {
      g_autoptr(GString) why = g_string_new (NULL);

      g_test_message ("%s", lenient[i]);
      g_assert_cmpint (json_diff (lenient[i], strlen (lenient[i]), why), ==, JSON_DIFF_READER_STRICTER);
    }
  for (guint i = 0; i < G_N_ELEMENTS (empty); i++)
    g_assert_cmpint (json_diff (empty[i], strlen (empty[i]), NULL), ==, JSON_DIFF_BOTH_REJECT);
}

/* Random JSON text, strict, in many shapes. */
static void
append_string (GString *out,
               GRand   *rand)
{
  static const char * const pieces[] = {
    "a", "Z", "0", " ", "é", "Ж", "ش", "€", "😀", "\\\"", "\\\\", "\\/", "\\b", "\\f", "\\n",
    "\\r", "\\t", "\\u0041", "\\u00e9", "\\u20AC", "\\ud83d\\ude00", "\\uD834\\uDD1E", "\\u001f",
    "«", "»", "-", "{", "]", ":", ",",
  };
  guint n = g_rand_int_range (rand, 0, 12);

  g_string_append_c (out, '"');
  for (guint i = 0; i < n; i++)
    g_string_append (out, pieces[g_rand_int_range (rand, 0, G_N_ELEMENTS (pieces))]);
  g_string_append_c (out, '"');
}

static void
append_space (GString *out,
              GRand   *rand)
{
  static const char * const spaces[] = { "", "", "", " ", "\n", "\t", "\r\n", "  " };

  g_string_append (out, spaces[g_rand_int_range (rand, 0, G_N_ELEMENTS (spaces))]);
}

static void
append_value (GString *out,
              GRand   *rand,
              guint    depth)
{
  int kind = g_rand_int_range (rand, 0, depth < 6 ? 9 : 7);

  append_space (out, rand);
  switch (kind)
    {
    case 0:
      append_string (out, rand);
      break;
    case 1:
      g_string_append_printf (out, "%d", g_rand_int_range (rand, -1000000, 1000000));
      break;
    case 2:
      {
        static const char * const numbers[] = {
          "0", "-0", "1.5", "-0.001", "1e10", "2.5E-3", "6.02e+23", "9007199254740993",
          "-9223372036854775808", "9223372036854775807", "1e308", "0.1", "123.456e-7",
        };
        g_string_append (out, numbers[g_rand_int_range (rand, 0, G_N_ELEMENTS (numbers))]);
      }
      break;
    case 3:
      {
        char buffer[G_ASCII_DTOSTR_BUF_SIZE];

        g_string_append (out, g_ascii_dtostr (buffer, sizeof buffer,
                                              g_rand_double_range (rand, -1e6, 1e6)));
      }
      break;
    case 4:
      g_string_append (out, "true");
      break;
    case 5:
      g_string_append (out, "false");
      break;
    case 6:
      g_string_append (out, "null");
      break;
    case 7:
      {
        guint n = g_rand_int_range (rand, 0, 5);

        g_string_append_c (out, '[');
        for (guint i = 0; i < n; i++)
          {
            if (i > 0)
              g_string_append_c (out, ',');
            append_value (out, rand, depth + 1);
          }
        append_space (out, rand);
        g_string_append_c (out, ']');
      }
      break;
    default:
      {
        guint n = g_rand_int_range (rand, 0, 5);

        g_string_append_c (out, '{');
        for (guint i = 0; i < n; i++)
          {
            if (i > 0)
              g_string_append_c (out, ',');
            append_space (out, rand);
            /* Few names, so that some repeat */
            if (g_rand_boolean (rand))
              g_string_append_printf (out, "\"k%d\"", g_rand_int_range (rand, 0, 4));
            else
              append_string (out, rand);
            append_space (out, rand);
            g_string_append_c (out, ':');
            append_value (out, rand, depth + 1);
          }
        append_space (out, rand);
        g_string_append_c (out, '}');
      }
      break;
    }
  append_space (out, rand);
}

/* One change to text: a byte dropped, added, replaced, or the end cut. */
static void
mutate (GString *text,
        GRand   *rand)
{
  static const char bytes[] = "{}[]\",:\\ \n0123456789.eE+-tfnulx'/*\x01\x7f\xc3\xa9\xff";
  gsize at = text->len > 0 ? g_rand_int_range (rand, 0, text->len) : 0;
  char byte = bytes[g_rand_int_range (rand, 0, sizeof bytes - 1)];

  switch (g_rand_int_range (rand, 0, 4))
    {
    case 0:
      if (text->len > 0)
        g_string_erase (text, at, 1);
      break;
    case 1:
      g_string_insert_c (text, at, byte);
      break;
    case 2:
      if (text->len > 0)
        text->str[at] = byte;
      break;
    default:
      g_string_truncate (text, at);
      break;
    }
}

static void
test_differential_generated (void)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (20261127);
  guint counts[4] = { 0, };

  for (guint i = 0; i < 3000; i++)
    {
      g_autoptr(GString) text = g_string_new (NULL);
      g_autoptr(GString) why = g_string_new (NULL);
      JsonDiff diff;

      append_value (text, rand, 0);
      diff = json_diff (text->str, text->len, why);
      if (diff != JSON_DIFF_BOTH_ACCEPT)
        g_error ("generated document %u: %s\n%s", i, why->str, text->str);
      counts[diff]++;

      /* Mutants: the rule is one-sided (json-glib is lenient) */
      for (guint m = 0; m < 6; m++)
        {
          g_string_truncate (why, 0);
          mutate (text, rand);
          diff = json_diff (text->str, text->len, why);
          if (diff == JSON_DIFF_MISMATCH)
            g_error ("mutant of document %u: %s\n%s", i, why->str, text->str);
          counts[diff]++;
        }
    }

  g_test_message ("both accept %u, both refuse %u, only json-glib accepts %u",
                  counts[JSON_DIFF_BOTH_ACCEPT], counts[JSON_DIFF_BOTH_REJECT],
                  counts[JSON_DIFF_READER_STRICTER]);
  /* The mutants reach all three outcomes */
  g_assert_cmpuint (counts[JSON_DIFF_BOTH_ACCEPT], >, 3000);
  g_assert_cmpuint (counts[JSON_DIFF_BOTH_REJECT], >, 1000);
  g_assert_cmpuint (counts[JSON_DIFF_READER_STRICTER], >, 100);
}

/* Every file of the fuzz corpora, as it is and cut at every 97th byte. */
static void
test_differential_corpus (void)
{
  static const char * const corpora[] = { "json", "gdelt", "date", "search" };
  guint counts[4] = { 0, };

  for (guint c = 0; c < G_N_ELEMENTS (corpora); c++)
    {
      g_autofree char *dir_path = g_test_build_filename (G_TEST_DIST, "fuzz", "corpus", corpora[c], NULL);
      g_autoptr(GDir) dir = g_dir_open (dir_path, 0, NULL);
      const char *name;

      g_assert_nonnull (dir);
      while ((name = g_dir_read_name (dir)) != NULL)
        {
          g_autofree char *path = g_build_filename (dir_path, name, NULL);
          g_autofree char *contents = NULL;
          gsize length;

          g_assert_true (g_file_get_contents (path, &contents, &length, NULL));
          for (gsize cut = length; ; cut = cut > 97 ? cut - 97 : 0)
            {
              g_autoptr(GString) why = g_string_new (NULL);
              JsonDiff diff = json_diff (contents, cut, why);

              if (diff == JSON_DIFF_MISMATCH)
                g_error ("%s (first %zu bytes): %s", path, cut, why->str);
              counts[diff]++;
              if (cut == 0)
                break;
            }
        }
    }

  g_test_message ("both accept %u, both refuse %u, only json-glib accepts %u",
                  counts[JSON_DIFF_BOTH_ACCEPT], counts[JSON_DIFF_BOTH_REJECT],
                  counts[JSON_DIFF_READER_STRICTER]);
  g_assert_cmpuint (counts[JSON_DIFF_BOTH_ACCEPT], >=, 8);
}

/* The bundled dataset: the same tree both ways. */
static void
test_differential_dataset (void)
{
  g_autofree char *path = g_build_filename (g_getenv ("CHANCERY_SOURCE_ROOT"), "data",
                                            "kayhan-146663.json", NULL);
  g_autofree char *contents = NULL;
  g_autoptr(GString) why = g_string_new (NULL);
  gsize length;

  g_assert_true (g_file_get_contents (path, &contents, &length, NULL));
  g_assert_cmpint (json_diff (contents, length, why), ==, JSON_DIFF_BOTH_ACCEPT);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/json-reader/tokens", test_tokens);
  g_test_add_func ("/json-reader/escapes", test_escapes);
  g_test_add_func ("/json-reader/numbers", test_numbers);
  g_test_add_func ("/json-reader/errors", test_errors);
  g_test_add_func ("/json-reader/depth", test_depth);
  g_test_add_func ("/json-reader/limits", test_limits);
  g_test_add_func ("/json-reader/skip-and-seek", test_skip_and_seek);
  g_test_add_func ("/json-reader/read-node", test_read_node);
  g_test_add_func ("/json-reader/json-glib-extensions", test_json_glib_extensions);
  g_test_add_func ("/json-reader/differential/generated", test_differential_generated);
  g_test_add_func ("/json-reader/differential/corpus", test_differential_corpus);
  g_test_add_func ("/json-reader/differential/dataset", test_differential_dataset);

  return g_test_run ();
}
