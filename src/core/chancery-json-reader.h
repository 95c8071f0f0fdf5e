/* chancery-json-reader.h: a strict RFC 8259 pull reader
 *
 * Copyright 2026 The Chancery developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Reads JSON text from memory one token at a time, so that a document of
 * any size can be checked and imported while holding only the value being
 * looked at. Strict: no comments, no single quotes, no trailing commas,
 * nothing after the value, text in valid UTF-8. Bounded: nesting, string
 * and number lengths have limits, and every error says where (file,
 * line:column).
 */
#pragma once

#include <glib.h>
#include <json-glib/json-glib.h>

G_BEGIN_DECLS

#define CHANCERY_JSON_MAX_DEPTH          64
#define CHANCERY_JSON_MAX_STRING_LENGTH  (16 * 1024 * 1024)
#define CHANCERY_JSON_MAX_NUMBER_LENGTH  1024

typedef enum
{
  CHANCERY_JSON_END,            /* after the value, only whitespace, then the end */
  CHANCERY_JSON_BEGIN_OBJECT,
  CHANCERY_JSON_END_OBJECT,
  CHANCERY_JSON_BEGIN_ARRAY,
  CHANCERY_JSON_END_ARRAY,
  CHANCERY_JSON_MEMBER,         /* a member name: get_string */
  CHANCERY_JSON_STRING,         /* get_string */
  CHANCERY_JSON_NUMBER,         /* get_double, get_int */
  CHANCERY_JSON_TRUE,
  CHANCERY_JSON_FALSE,
  CHANCERY_JSON_NULL,
  CHANCERY_JSON_ERROR,
} ChanceryJsonToken;

/* Where the reader is, to come back to with chancery_json_reader_seek. */
typedef struct
{
  gsize  offset;
  gsize  line_start;
  guint  line;
  guint  depth;
  int    state;
  guint8 stack[CHANCERY_JSON_MAX_DEPTH];
} ChanceryJsonMark;

typedef struct _ChanceryJsonReader ChanceryJsonReader;

/* data must outlive the reader; filename is for messages. */
ChanceryJsonReader *chancery_json_reader_new  (const char *data,
                                               gsize       length,
                                               const char *filename);
void                chancery_json_reader_free (ChanceryJsonReader *reader);

/* The next token; CHANCERY_JSON_ERROR with error set on bad text, and
 * again on every later call. */
ChanceryJsonToken chancery_json_reader_next (ChanceryJsonReader  *reader,
                                             GError             **error);

/* The decoded text of the last MEMBER or STRING token (NUL-terminated;
 * length counts a "\u0000" inside). Valid until the next call. */
const char *chancery_json_reader_get_string (ChanceryJsonReader *reader,
                                             gsize              *length);
/* The last NUMBER: is_int when written without fraction or exponent
 * and within 64 bits (then get_int is exact); otherwise get_double, which
 * may be infinite (1e400). */
gboolean    chancery_json_reader_is_int     (ChanceryJsonReader *reader);
gint64      chancery_json_reader_get_int    (ChanceryJsonReader *reader);
double      chancery_json_reader_get_double (ChanceryJsonReader *reader);

/* Where the last token starts (1-based line, column in characters). */
void  chancery_json_reader_get_position (ChanceryJsonReader *reader,
                                         guint              *line,
                                         guint              *column);
/* Byte offset of the next unread byte. */
gsize chancery_json_reader_get_offset   (ChanceryJsonReader *reader);
guint chancery_json_reader_get_depth    (ChanceryJsonReader *reader);

/* After BEGIN_OBJECT or BEGIN_ARRAY: reads up to the matching end. After
 * a scalar or MEMBER's value token: does nothing. Checks what it skips. */
gboolean chancery_json_reader_skip (ChanceryJsonReader  *reader,
                                    GError             **error);

void chancery_json_reader_mark (ChanceryJsonReader *reader,
                                ChanceryJsonMark   *mark);
void chancery_json_reader_seek (ChanceryJsonReader     *reader,
                                const ChanceryJsonMark *mark);

/* Called for each node read by read_node where it starts, and for each
 * object (key: the JsonObject) where it ends. */
typedef void (*ChanceryJsonPositionFunc) (gconstpointer key,
                                          guint         line,
                                          guint         column,
                                          gpointer      user_data);

/* Builds the value whose first token was just returned (a scalar, or
 * BEGIN_*) as a json-glib tree, as json-glib would: a repeated member
 * keeps its last value, integers are G_TYPE_INT64, other numbers double.
 * A string or member name with "\u0000" in it is an error (json-glib would
 * cut it short there). */
JsonNode * chancery_json_reader_read_node (ChanceryJsonReader        *reader,
                                           ChanceryJsonToken          first,
                                           ChanceryJsonPositionFunc   position_func,
                                           gpointer                   user_data,
                                           GError                   **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ChanceryJsonReader, chancery_json_reader_free)

G_END_DECLS
