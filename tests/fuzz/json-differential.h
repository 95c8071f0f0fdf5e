/* json-differential.h: the JSON reader against json-glib, on the same text
 *
 * Copyright 2026 The Chancery developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Used by test-json-reader.c and fuzz-json.c. "json-glib" here means what
 * the importer ran before the reader: a check for valid UTF-8 without NUL
 * and nesting of at most 64 levels, then json-glib's parser. The reader is
 * strict where json-glib is lenient (comments, single quotes, "var x =",
 * text after the value, raw control characters in strings, leading zeros,
 * "1." and ".5", hex numbers, a byte order mark), so the rule is one-sided:
 * whatever the reader accepts, json-glib accepts with the same values; and
 * whatever json-glib refuses, the reader refuses.
 */
#pragma once

#include <json-glib/json-glib.h>
#include <math.h>
#include <string.h>

#include "chancery-json-reader.h"

typedef enum
{
  JSON_DIFF_BOTH_ACCEPT,       /* and the values are the same */
  JSON_DIFF_BOTH_REJECT,
  JSON_DIFF_READER_STRICTER,   /* json-glib accepts text that is not strict JSON */
  JSON_DIFF_MISMATCH,          /* a bug: see *why */
} JsonDiff;

/* The reader's tree of the whole text, or NULL with error. */
static inline JsonNode *
json_diff_read (const char  *data,
                gsize        length,
                GError     **error)
{
  g_autoptr(ChanceryJsonReader) reader = chancery_json_reader_new (data, length, "diff.json");
  g_autoptr(JsonNode) node = NULL;
  ChanceryJsonToken token = chancery_json_reader_next (reader, error);

  if (token == CHANCERY_JSON_ERROR)
    return NULL;
  node = chancery_json_reader_read_node (reader, token, NULL, NULL, error);
  if (node == NULL)
    return NULL;
  if (chancery_json_reader_next (reader, error) != CHANCERY_JSON_END)
    return NULL;

  return g_steal_pointer (&node);
}

/* The importer's checks before json-glib, then json-glib. */
static inline JsonNode *
json_diff_read_glib (const char *data,
                     gsize       length)
{
  g_autoptr(JsonParser) parser = NULL;
  gboolean in_string = FALSE, escaped = FALSE;
  guint depth = 0;
  JsonNode *root;

  if (!g_utf8_validate_len (data, length, NULL))
    return NULL;
  for (gsize i = 0; i < length; i++)
    {
      char c = data[i];

      if (in_string)
        {
          if (escaped)
            escaped = FALSE;
          else if (c == '\\')
            escaped = TRUE;
          else if (c == '"')
            in_string = FALSE;
        }
      else if (c == '"')
        in_string = TRUE;
      else if ((c == '[' || c == '{') && ++depth > CHANCERY_JSON_MAX_DEPTH)
        return NULL;
      else if ((c == ']' || c == '}') && depth > 0)
        depth--;
    }

  parser = json_parser_new_immutable ();
  if (!json_parser_load_from_data (parser, data, length, NULL))
    return NULL;
  root = json_parser_get_root (parser);

  return root != NULL ? json_node_ref (root) : NULL;
}

static inline gboolean
json_diff_equal (JsonNode  *mine,
                 JsonNode  *theirs,
                 GString   *why)
{
  JsonNodeType type = json_node_get_node_type (mine);

  if (type != json_node_get_node_type (theirs))
    {
      g_string_append_printf (why, "types %s and %s", json_node_type_name (mine),
                              json_node_type_name (theirs));
      return FALSE;
    }

  switch (type)
    {
    case JSON_NODE_NULL:
      return TRUE;

    case JSON_NODE_ARRAY:
      {
        JsonArray *a = json_node_get_array (mine), *b = json_node_get_array (theirs);

        if (json_array_get_length (a) != json_array_get_length (b))
          {
            g_string_append_printf (why, "arrays of %u and %u", json_array_get_length (a),
                                    json_array_get_length (b));
            return FALSE;
          }
        for (guint i = 0; i < json_array_get_length (a); i++)
          {
            if (!json_diff_equal (json_array_get_element (a, i), json_array_get_element (b, i), why))
              {
                g_string_append_printf (why, " at [%u]", i);
                return FALSE;
              }
          }
        return TRUE;
      }

    case JSON_NODE_OBJECT:
      {
        JsonObject *a = json_node_get_object (mine), *b = json_node_get_object (theirs);
        JsonObjectIter iter;
        const char *name;
        JsonNode *member;

        if (json_object_get_size (a) != json_object_get_size (b))
          {
            g_string_append_printf (why, "objects of %u and %u members", json_object_get_size (a),
                                    json_object_get_size (b));
            return FALSE;
          }
        json_object_iter_init (&iter, a);
        while (json_object_iter_next (&iter, &name, &member))
          {
            JsonNode *other = json_object_get_member (b, name);

            if (other == NULL)
              {
                g_string_append_printf (why, "member “%s” missing", name);
                return FALSE;
              }
            if (!json_diff_equal (member, other, why))
              {
                g_string_append_printf (why, " at “%s”", name);
                return FALSE;
              }
          }
        return TRUE;
      }

    case JSON_NODE_VALUE:
    default:
      {
        GType value_type = json_node_get_value_type (mine);
        GType other_type = json_node_get_value_type (theirs);

        /* Integers past 64 bits: json-glib wraps them around, the reader
         * gives the nearest double (a documented difference). */
        if (value_type == G_TYPE_DOUBLE && other_type == G_TYPE_INT64 &&
            fabs (json_node_get_double (mine)) >= 9.2e18)
          return TRUE;

        if (value_type != other_type)
          {
            g_string_append_printf (why, "values of types %s and %s", g_type_name (value_type),
                                    g_type_name (other_type));
            return FALSE;
          }
        if (value_type == G_TYPE_STRING)
          {
            if (strcmp (json_node_get_string (mine), json_node_get_string (theirs)) == 0)
              return TRUE;
            g_string_append_printf (why, "strings “%s” and “%s”", json_node_get_string (mine),
                                    json_node_get_string (theirs));
            return FALSE;
          }
        if (value_type == G_TYPE_INT64)
          {
            if (json_node_get_int (mine) == json_node_get_int (theirs))
              return TRUE;
            g_string_append_printf (why, "integers %" G_GINT64_FORMAT " and %" G_GINT64_FORMAT,
                                    json_node_get_int (mine), json_node_get_int (theirs));
            return FALSE;
          }
        if (value_type == G_TYPE_DOUBLE)
          {
            if (json_node_get_double (mine) == json_node_get_double (theirs))
              return TRUE;
            g_string_append_printf (why, "numbers %.17g and %.17g", json_node_get_double (mine),
                                    json_node_get_double (theirs));
            return FALSE;
          }
        if (value_type == G_TYPE_BOOLEAN)
          {
            if (json_node_get_boolean (mine) == json_node_get_boolean (theirs))
              return TRUE;
            g_string_append (why, "booleans");
            return FALSE;
          }
        g_string_append_printf (why, "a value of type %s", g_type_name (value_type));
        return FALSE;
      }
    }
}

/* why: the reason of a mismatch, or the reader's error when it is
 * stricter (may be NULL). */
static inline JsonDiff
json_diff (const char  *data,
           gsize        length,
           GString     *why)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) mine = json_diff_read (data, length, &error);
  g_autoptr(JsonNode) theirs = json_diff_read_glib (data, length);
  g_autoptr(GString) local_why = g_string_new (NULL);

  if (why == NULL)
    why = local_why;

  if (mine == NULL && error == NULL)
    {
      g_string_append (why, "the reader failed without an error");
      return JSON_DIFF_MISMATCH;
    }
  if (mine == NULL && theirs == NULL)
    return JSON_DIFF_BOTH_REJECT;
  if (mine == NULL)
    {
      g_string_append (why, error->message);
      return JSON_DIFF_READER_STRICTER;
    }
  if (theirs == NULL)
    {
      g_string_append (why, "json-glib refuses what the reader accepts");
      return JSON_DIFF_MISMATCH;
    }
  if (!json_diff_equal (mine, theirs, why))
    return JSON_DIFF_MISMATCH;

  return JSON_DIFF_BOTH_ACCEPT;
}
