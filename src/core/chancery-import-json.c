/* chancery-import-json.c: the Chancery JSON format (docs/json-format.md)
 *
 * Copyright 2026 The Chancery developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The document is read as a stream (chancery-json-reader.c): the top-level
 * object member by member, and each record (a country, an actor, an event)
 * as a small json-glib tree that is checked, written and freed before the
 * next is read. Memory follows the largest record and the number of ids,
 * not the size of the file. Everything happens inside one transaction;
 * when anything is wrong it is rolled back and the document is read once
 * more, this time recording where each value sits, so that every problem
 * can be reported with its JSON path and line:column. The fast path (a
 * valid file) pays nothing for positions.
 *
 * Sections are written in the order countries, sources, actors, projects,
 * events, because later ones refer to earlier ones. A file where each
 * section comes after those it refers to (as Chancery writes them) is read
 * once. Otherwise the first attempt stops at the first section that comes
 * too late, and the next one first notes where each top-level member
 * starts (checking the syntax of the whole file) and then reads the
 * sections in order from there.
 */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <inttypes.h>
#include <json-glib/json-glib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "chancery-error.h"
#include "chancery-import.h"
#include "chancery-input-map.h"
#include "chancery-json-reader.h"
#include "chancery-store-private.h"

#define MAX_PROBLEMS    50
#define MAX_ID_LENGTH   200
#define NOT_DEFINED     G_MAXUINT
/* A mapped file's pages already read are given back every so often, so
 * that the import's resident memory does not grow with the file. */
#define RELEASE_BYTES   (16 * 1024 * 1024)

typedef enum
{
  ATTEMPT_OK,
  ATTEMPT_PROBLEMS,    /* ctx->problems */
  ATTEMPT_ERROR,       /* bad JSON, cancelled, the database: error set */
  ATTEMPT_REORDER,     /* a section out of order: read again by sections */
} AttemptResult;

typedef struct
{
  char   *uid;
  char   *path;
  guint64 position;    /* line << 32 | column; 0 when unknown */
} ForwardLink;

typedef struct
{
  ChanceryStore        *store;
  ChanceryImporter     *importer;
  ChanceryImportReport *report;
  const char           *filename;
  const char           *data;
  gsize                 length;
  gboolean              release_pages; /* data is a private read-only map */
  const ChanceryInputMap *map;       /* NULL when data is not a file's */
  gsize                 released;      /* bytes of data given back so far */
  ChanceryProgressFunc  progress;
  gpointer              progress_data;
  ChanceryJsonReader   *reader;
  gboolean              by_sections;   /* the second way of reading (above) */
  GHashTable           *positions;     /* JsonNode* or JsonObject* -> line << 32 | column (guint64*); NULL on the fast path */
  GHashTable           *meta_positions; /* the same for the top-level members */
  GPtrArray            *problems;      /* char* */
  GHashTable           *seen[4];       /* ids defined in this file -> path, per section but events */
  GHashTable           *event_ids;     /* event ids of the file so far -> index + 1 */
  GStringChunk         *event_id_chunk;
  guint                 n_events;
  GArray               *forward_links; /* ForwardLink: "related" to an event not seen yet */
  GCancellable         *cancellable;
} ImportContext;

enum { SECTION_SOURCES, SECTION_COUNTRIES, SECTION_ACTORS, SECTION_PROJECTS, SECTION_EVENTS };

static const char * const relations[] = {
  "part-of", "follows", "precedes", "related", "outcome-of", NULL
};

/* Problems */

static void
vproblem_at (ImportContext *ctx,
             guint64        position,
             const char    *path,
             const char    *format,
             va_list        args) G_GNUC_PRINTF (4, 0);

static void
vproblem_at (ImportContext *ctx,
             guint64        position,
             const char    *path,
             const char    *format,
             va_list        args)
{
  g_autofree char *message = NULL;

  if (ctx->problems->len >= MAX_PROBLEMS)
    return;

  message = g_strdup_vprintf (format, args);
  if (position != 0)
    g_ptr_array_add (ctx->problems,
                     g_strdup_printf ("%s:%u:%u: %s: %s", ctx->filename,
                                      (guint) (position >> 32), (guint) (position & 0xffffffffu),
                                      path, message));
  else
    g_ptr_array_add (ctx->problems, g_strdup_printf ("%s: %s: %s", ctx->filename, path, message));
}

static void
problem_at (ImportContext *ctx,
            guint64        position,
            const char    *path,
            const char    *format,
            ...) G_GNUC_PRINTF (4, 5);

static void
problem_at (ImportContext *ctx,
            guint64        position,
            const char    *path,
            const char    *format,
            ...)
{
  va_list args;

  va_start (args, format);
  vproblem_at (ctx, position, path, format, args);
  va_end (args);
}

static guint64
position_of (ImportContext *ctx,
             gconstpointer  node)
{
  guint64 *position;

  if (ctx->positions == NULL || node == NULL)
    return 0;
  position = g_hash_table_lookup (ctx->positions, node);
  if (position == NULL)
    position = g_hash_table_lookup (ctx->meta_positions, node);

  return position != NULL ? *position : 0;
}

/* Where the reader's last token starts; 0 on the fast path. */
static guint64
token_position (ImportContext *ctx)
{
  guint line, column;

  if (ctx->positions == NULL)
    return 0;
  chancery_json_reader_get_position (ctx->reader, &line, &column);

  return (guint64) line << 32 | column;
}

/* node: the JsonNode the problem is in, or the JsonObject when a member is
 * missing from it; either is a key of ctx->positions. */
static void
problem (ImportContext *ctx,
         gconstpointer  node,
         const char    *path,
         const char    *format,
         ...) G_GNUC_PRINTF (4, 5);

static void
problem (ImportContext *ctx,
         gconstpointer  node,
         const char    *path,
         const char    *format,
         ...)
{
  va_list args;

  va_start (args, format);
  vproblem_at (ctx, position_of (ctx, node), path, format, args);
  va_end (args);
}

/* Positions of a record's nodes, from the reader (the position pass). */
static void
on_position_cb (gconstpointer key,
                guint         line,
                guint         column,
                gpointer      user_data)
{
  ImportContext *ctx = user_data;
  guint64 *position = g_new (guint64, 1);

  *position = (guint64) line << 32 | column;
  g_hash_table_insert (ctx->positions, (gpointer) key, position);
}

/* Typed access; each reports its own problem and returns FALSE. */

static const char *
type_name (JsonNode *node)
{
  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    return _("null");
  if (JSON_NODE_HOLDS_OBJECT (node))
    return _("an object");
  if (JSON_NODE_HOLDS_ARRAY (node))
    return _("an array");

  switch (json_node_get_value_type (node))
    {
    case G_TYPE_STRING:
      return _("a string");
    case G_TYPE_BOOLEAN:
      return _("true or false");
    default:
      return _("a number");
    }
}

static char *
member_path (const char *path,
             const char *member)
{
  return g_strconcat (path, ".", member, NULL);
}

/* A string member: NULL and no problem when absent and optional. */
/* Empty, or only spaces and line breaks: a title of "   " says nothing. */
static gboolean
is_blank (const char *text)
{
  for (const char *p = text; *p != '\0'; p = g_utf8_next_char (p))
    if (!g_unichar_isspace (g_utf8_get_char (p)))
      return FALSE;

  return TRUE;
}

static gboolean
get_string (ImportContext  *ctx,
            JsonObject     *object,
            const char     *path,
            const char     *member,
            gboolean        required,
            const char    **out)
{
  JsonNode *node = json_object_get_member (object, member);
  g_autofree char *where = member_path (path, member);

  *out = NULL;
  if (node == NULL || (JSON_NODE_HOLDS_NULL (node) && !required))
    {
      if (required)
        problem (ctx, object, path, _("“%s” is missing"), member);
      return !required;
    }

  if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING)
    {
      problem (ctx, node, where, _("expected a string, found %s"), type_name (node));
      return FALSE;
    }

  if (!g_utf8_validate (json_node_get_string (node), -1, NULL))
    {
      problem (ctx, node, where, _("not valid text (an escape such as \\ud800 stands "
                                   "for no character)"));
      return FALSE;
    }

  *out = json_node_get_string (node);
  if (required && is_blank (*out))
    {
      problem (ctx, node, where, _("must not be empty"));
      return FALSE;
    }

  return TRUE;
}

static gboolean
get_number (ImportContext *ctx,
            JsonObject    *object,
            const char    *path,
            const char    *member,
            double         min,
            double         max,
            gboolean      *present,
            double        *out)
{
  JsonNode *node = json_object_get_member (object, member);
  g_autofree char *where = member_path (path, member);

  *present = FALSE;
  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    return TRUE;

  if (!JSON_NODE_HOLDS_VALUE (node) ||
      (json_node_get_value_type (node) != G_TYPE_DOUBLE &&
       json_node_get_value_type (node) != G_TYPE_INT64))
    {
      problem (ctx, node, where, _("expected a number, found %s"), type_name (node));
      return FALSE;
    }

  *out = json_node_get_double (node);
  if (!(*out >= min && *out <= max))
    {
      problem (ctx, node, where, _("%g is out of range (%g to %g)"), *out, min, max);
      return FALSE;
    }

  *present = TRUE;
  return TRUE;
}

static JsonArray *
get_array (ImportContext *ctx,
           JsonObject    *object,
           const char    *path,
           const char    *member)
{
  JsonNode *node = json_object_get_member (object, member);
  g_autofree char *where = member_path (path, member);

  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    return NULL;

  if (!JSON_NODE_HOLDS_ARRAY (node))
    {
      problem (ctx, node, where, _("expected an array, found %s"), type_name (node));
      return NULL;
    }

  return json_node_get_array (node);
}

static JsonObject *
element_object (ImportContext *ctx,
                JsonNode      *node,
                const char    *path)
{
  if (!JSON_NODE_HOLDS_OBJECT (node))
    {
      problem (ctx, node, path, _("expected an object, found %s"), type_name (node));
      return NULL;
    }

  return json_node_get_object (node);
}

/* Members not in allowed are typos or data Chancery would silently drop. */
static gboolean
check_members (ImportContext      *ctx,
               JsonObject         *object,
               const char         *path,
               const char * const *allowed)
{
  JsonObjectIter iter;
  const char *name;
  JsonNode *node;
  gboolean ok = TRUE;

  json_object_iter_init (&iter, object);
  while (json_object_iter_next (&iter, &name, &node))
    {
      if (!g_strv_contains (allowed, name))
        {
          g_autofree char *where = member_path (path, name);

          problem (ctx, node, where, _("unknown member “%s”"), name);
          ok = FALSE;
        }
    }

  return ok;
}

static gboolean
is_valid_id (const char *id)
{
  gsize len = strlen (id);

  if (len == 0 || len > MAX_ID_LENGTH)
    return FALSE;

  for (const char *p = id; *p != '\0'; p++)
    {
      if (!g_ascii_isalnum (*p) && strchr ("-_.:", *p) == NULL)
        return FALSE;
    }

  return TRUE;
}

/* The record's id: valid, and not defined twice in this file. */
static const char *
get_id (ImportContext *ctx,
        JsonObject    *object,
        const char    *path,
        const char    *member,
        int            section)
{
  JsonNode *node = json_object_get_member (object, member);
  g_autofree char *where = member_path (path, member);
  const char *id;
  const char *first;

  if (!get_string (ctx, object, path, member, TRUE, &id))
    return NULL;

  if (!is_valid_id (id))
    {
      problem (ctx, node, where,
               _("“%s” is not a valid id (1–200 letters, digits, “-”, “_”, “.” or “:”)"), id);
      return NULL;
    }

  if (section == SECTION_EVENTS)
    {
      guint index = GPOINTER_TO_UINT (g_hash_table_lookup (ctx->event_ids, id));

      /* NOT_DEFINED: the id of a record that had problems */
      if (index != 0 && index != NOT_DEFINED)
        {
          g_autofree char *first_path = g_strdup_printf ("events[%u]", index - 1);

          problem (ctx, node, where, _("duplicate id “%s” (first defined at %s)"), id, first_path);
          return NULL;
        }
      g_hash_table_insert (ctx->event_ids,
                           index == 0 ? g_string_chunk_insert (ctx->event_id_chunk, id) : (char *) id,
                           GUINT_TO_POINTER (ctx->n_events + 1));
      return id;
    }

  first = g_hash_table_lookup (ctx->seen[section], id);
  if (first != NULL)
    {
      problem (ctx, node, where, _("duplicate id “%s” (first defined at %s)"), id, first);
      return NULL;
    }

  g_hash_table_insert (ctx->seen[section], g_strdup (id), g_strdup (path));
  return id;
}

static gboolean
is_country_code (const char *code)
{
  return strlen (code) == 3 &&
         g_ascii_isupper (code[0]) && g_ascii_isupper (code[1]) && g_ascii_isupper (code[2]);
}

static gboolean
check_country_ref (ImportContext *ctx,
                   JsonNode      *node,
                   const char    *path,
                   const char    *code)
{
  if (!is_country_code (code))
    {
      problem (ctx, node, path, _("“%s” is not a country code (three capital letters, ISO 3166-1 alpha-3)"), code);
      return FALSE;
    }

  if (!chancery_importer_has_country (ctx->importer, code))
    {
      problem (ctx, node, path, _("country “%s” is not defined in “countries”"), code);
      return FALSE;
    }

  return TRUE;
}

static gboolean
check_date (ImportContext *ctx,
            JsonObject    *object,
            const char    *path,
            const char    *member,
            gboolean       required,
            ChanceryDate  *date,
            const char   **text)
{
  g_autoptr(GError) local_error = NULL;
  g_autofree char *where = member_path (path, member);

  if (!get_string (ctx, object, path, member, required, text))
    return FALSE;
  if (*text == NULL)
    return TRUE;

  if (!chancery_date_parse (*text, date, &local_error))
    {
      problem (ctx, json_object_get_member (object, member), where, "%s", local_error->message);
      return FALSE;
    }

  return TRUE;
}

/* Sections */

static void
import_countries (ImportContext *ctx,
                  JsonNode      *node,
                  guint          i)
{
  static const char * const allowed[] = { "code", "name", NULL };

  g_autofree char *path = g_strdup_printf ("countries[%u]", i);
  g_autoptr(GError) local_error = NULL;
  JsonObject *object = element_object (ctx, node, path);
  const char *code, *name;

  if (object == NULL || !check_members (ctx, object, path, allowed))
    return;
  if (!(code = get_id (ctx, object, path, "code", SECTION_COUNTRIES)) ||
      !get_string (ctx, object, path, "name", TRUE, &name))
    return;
  if (!is_country_code (code))
    {
      g_autofree char *where = member_path (path, "code");
      problem (ctx, json_object_get_member (object, "code"), where,
               _("“%s” is not a country code (three capital letters, ISO 3166-1 alpha-3)"), code);
      return;
    }
  if (!chancery_importer_put_country (ctx->importer, code, name, &local_error))
    problem (ctx, NULL, path, "%s", local_error->message);
}

static void
import_sources (ImportContext *ctx,
                JsonNode      *node,
                guint          i)
{
  static const char * const allowed[] = {
    "id", "publisher", "title", "reference", "url", "published", NULL
  };

  g_autofree char *path = g_strdup_printf ("sources[%u]", i);
  g_autoptr(GError) local_error = NULL;
  JsonObject *object = element_object (ctx, node, path);
  const char *id, *publisher, *title, *reference, *url, *published;
  ChanceryDate date;

  if (object == NULL || !check_members (ctx, object, path, allowed))
    return;
  if (!(id = get_id (ctx, object, path, "id", SECTION_SOURCES)) ||
      !get_string (ctx, object, path, "publisher", FALSE, &publisher) ||
      !get_string (ctx, object, path, "title", FALSE, &title) ||
      !get_string (ctx, object, path, "reference", FALSE, &reference) ||
      !get_string (ctx, object, path, "url", FALSE, &url) ||
      !check_date (ctx, object, path, "published", FALSE, &date, &published))
    return;
  if (!chancery_importer_put_source (ctx->importer, id, publisher, title, reference,
                                     url, published, &local_error))
    problem (ctx, NULL, path, "%s", local_error->message);
}

static void
import_actors (ImportContext *ctx,
               JsonNode      *node,
               guint          i)
{
  static const char * const allowed[] = { "id", "name", "title", "country", NULL };

  g_autofree char *path = g_strdup_printf ("actors[%u]", i);
  g_autofree char *country_path = g_strdup_printf ("actors[%u].country", i);
  g_autoptr(GError) local_error = NULL;
  JsonObject *object = element_object (ctx, node, path);
  const char *id, *name, *title, *country;

  if (object == NULL || !check_members (ctx, object, path, allowed))
    return;
  if (!(id = get_id (ctx, object, path, "id", SECTION_ACTORS)) ||
      !get_string (ctx, object, path, "name", TRUE, &name) ||
      !get_string (ctx, object, path, "title", FALSE, &title) ||
      !get_string (ctx, object, path, "country", FALSE, &country))
    return;
  if (country != NULL &&
      !check_country_ref (ctx, json_object_get_member (object, "country"), country_path, country))
    return;
  if (!chancery_importer_put_actor (ctx->importer, id, name, title, country, &local_error))
    problem (ctx, NULL, path, "%s", local_error->message);
}

/* An array of strings, each checked by check(); NULL-terminated copy. */
static GPtrArray *
get_string_list (ImportContext *ctx,
                 JsonObject    *object,
                 const char    *path,
                 const char    *member)
{
  JsonArray *array = get_array (ctx, object, path, member);
  g_autoptr(GPtrArray) list = g_ptr_array_new ();

  if (array == NULL)
    return json_object_has_member (object, member) &&
           !JSON_NODE_HOLDS_NULL (json_object_get_member (object, member)) ? NULL : g_steal_pointer (&list);

  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonNode *node = json_array_get_element (array, i);
      g_autofree char *where = g_strdup_printf ("%s.%s[%u]", path, member, i);

      if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING)
        {
          problem (ctx, node, where, _("expected a string, found %s"), type_name (node));
          return NULL;
        }
      /* The text is checked before the parser; escapes are not. */
      if (!g_utf8_validate (json_node_get_string (node), -1, NULL))
        {
          problem (ctx, node, where, _("not valid text (an escape such as \\ud800 stands "
                                       "for no character)"));
          return NULL;
        }
      g_ptr_array_add (list, (gpointer) json_node_get_string (node));
    }

  return g_steal_pointer (&list);
}

static void
import_projects (ImportContext *ctx,
                 JsonNode      *node,
                 guint          i)
{
  static const char * const allowed[] = { "id", "name", "description", "countries", NULL };

  g_autofree char *path = g_strdup_printf ("projects[%u]", i);
  g_autoptr(GError) local_error = NULL;
  g_autoptr(GPtrArray) countries = NULL;
  JsonObject *object = element_object (ctx, node, path);
  const char *id, *name, *description;
  gboolean ok = TRUE;

  if (object == NULL || !check_members (ctx, object, path, allowed))
    return;
  if (!(id = get_id (ctx, object, path, "id", SECTION_PROJECTS)) ||
      !get_string (ctx, object, path, "name", TRUE, &name) ||
      !get_string (ctx, object, path, "description", FALSE, &description) ||
      !(countries = get_string_list (ctx, object, path, "countries")))
    return;

  for (guint c = 0; c < countries->len; c++)
    {
      g_autofree char *where = g_strdup_printf ("%s.countries[%u]", path, c);
      JsonNode *element = json_array_get_element (json_object_get_array_member (object, "countries"), c);

      ok &= check_country_ref (ctx, element, where, g_ptr_array_index (countries, c));
    }
  if (!ok)
    return;

  g_ptr_array_add (countries, NULL);
  if (!chancery_importer_put_project (ctx->importer, id, name, description,
                                      (const char * const *) countries->pdata, &local_error))
    problem (ctx, NULL, path, "%s", local_error->message);
}

static gboolean
read_place (ImportContext *ctx,
            JsonObject    *event_object,
            const char    *path,
            ChanceryEvent *event)
{
  static const char * const allowed[] = { "name", "country", "lat", "lon", NULL };
  g_autofree char *place_path = member_path (path, "place");
  g_autofree char *country_path = member_path (place_path, "country");
  JsonNode *node = json_object_get_member (event_object, "place");
  JsonObject *object;
  const char *name, *country;
  gboolean has_lat, has_lon;

  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    return TRUE;
  if (!JSON_NODE_HOLDS_OBJECT (node))
    {
      problem (ctx, node, place_path, _("expected an object, found %s"), type_name (node));
      return FALSE;
    }

  object = json_node_get_object (node);
  if (!check_members (ctx, object, place_path, allowed) ||
      !get_string (ctx, object, place_path, "name", TRUE, &name) ||
      !get_string (ctx, object, place_path, "country", FALSE, &country) ||
      !get_number (ctx, object, place_path, "lat", -90, 90, &has_lat, &event->latitude) ||
      !get_number (ctx, object, place_path, "lon", -180, 180, &has_lon, &event->longitude))
    return FALSE;

  if (country != NULL &&
      !check_country_ref (ctx, json_object_get_member (object, "country"), country_path, country))
    return FALSE;

  if (has_lat != has_lon)
    {
      problem (ctx, node, place_path, _("“lat” and “lon” go together: give both or neither"));
      return FALSE;
    }

  event->place_name = g_strdup (name);
  event->place_country = g_strdup (country);
  event->has_coordinates = has_lat;
  return TRUE;
}

/* Whether an element of list (structs whose char * uid is at offset)
 * has uid. Short lists are searched; a long one (a hostile file can list
 * 100,000 actors in one event) gets a set of its uids in *index, which
 * the caller frees, and to which remember_listed() adds. */
#define LISTED_SEARCH_MAX 16

static gboolean
listed_before (GPtrArray   *list,
               gsize        offset,
               const char  *uid,
               GHashTable **index)
{
  if (list->len < LISTED_SEARCH_MAX)
    {
      for (guint i = 0; i < list->len; i++)
        if (g_str_equal (G_STRUCT_MEMBER (const char *, g_ptr_array_index (list, i), offset), uid))
          return TRUE;
      return FALSE;
    }

  if (*index == NULL)
    {
      *index = g_hash_table_new (g_str_hash, g_str_equal);
      for (guint i = 0; i < list->len; i++)
        g_hash_table_add (*index, G_STRUCT_MEMBER (char *, g_ptr_array_index (list, i), offset));
    }
  return g_hash_table_contains (*index, uid);
}

static void
remember_listed (GHashTable *index,
                 char       *uid)
{
  if (index != NULL)
    g_hash_table_add (index, uid);
}

static gboolean
read_event_actors (ImportContext *ctx,
                   JsonObject    *event_object,
                   const char    *path,
                   ChanceryEvent *event)
{
  static const char * const allowed[] = { "actor", "role", NULL };
  JsonArray *array = get_array (ctx, event_object, path, "actors");
  g_autoptr(GHashTable) listed = NULL;
  gboolean ok = TRUE;

  for (guint i = 0; array != NULL && i < json_array_get_length (array); i++)
    {
      g_autofree char *where = g_strdup_printf ("%s.actors[%u]", path, i);
      JsonObject *object = element_object (ctx, json_array_get_element (array, i), where);
      ChanceryEventActor *actor;
      const char *uid, *role;
      ChanceryRole value = CHANCERY_ROLE_PARTICIPANT;

      if (object == NULL || !check_members (ctx, object, where, allowed) ||
          !get_string (ctx, object, where, "actor", TRUE, &uid) ||
          !get_string (ctx, object, where, "role", FALSE, &role))
        {
          ok = FALSE;
          continue;
        }

      if (role != NULL && !chancery_role_from_string (role, &value))
        {
          g_autofree char *role_path = member_path (where, "role");
          problem (ctx, json_object_get_member (object, "role"), role_path,
                   _("unknown role “%s”; expected host, guest, participant or mentioned"), role);
          ok = FALSE;
          continue;
        }

      if (!chancery_importer_has_actor (ctx->importer, uid))
        {
          g_autofree char *actor_path = member_path (where, "actor");
          problem (ctx, json_object_get_member (object, "actor"), actor_path,
                   _("actor “%s” is not defined in “actors”"), uid);
          ok = FALSE;
          continue;
        }

      /* The store keeps one role an actor: a second would be lost. */
      if (listed_before (event->actors, G_STRUCT_OFFSET (ChanceryEventActor, uid), uid, &listed))
        {
          g_autofree char *actor_path = member_path (where, "actor");
          problem (ctx, json_object_get_member (object, "actor"), actor_path,
                   _("actor “%s” is listed twice in this event; give it once, with one role"), uid);
          ok = FALSE;
          continue;
        }

      actor = g_new0 (ChanceryEventActor, 1);
      actor->uid = g_strdup (uid);
      actor->role = value;
      g_ptr_array_add (event->actors, actor);
      remember_listed (listed, actor->uid);
    }

  return ok && (array != NULL || !json_object_has_member (event_object, "actors") ||
                JSON_NODE_HOLDS_NULL (json_object_get_member (event_object, "actors")));
}

static gboolean
read_event_lists (ImportContext *ctx,
                  JsonObject    *object,
                  const char    *path,
                  ChanceryEvent *event)
{
  g_autoptr(GPtrArray) countries = get_string_list (ctx, object, path, "countries");
  g_autoptr(GPtrArray) projects = get_string_list (ctx, object, path, "projects");
  gboolean ok = countries != NULL && projects != NULL;

  for (guint i = 0; countries != NULL && i < countries->len; i++)
    {
      g_autofree char *where = g_strdup_printf ("%s.countries[%u]", path, i);
      JsonNode *node = json_array_get_element (json_object_get_array_member (object, "countries"), i);
      const char *code = g_ptr_array_index (countries, i);
      ChanceryEventCountry *country;

      if (!check_country_ref (ctx, node, where, code))
        {
          ok = FALSE;
          continue;
        }
      country = g_new0 (ChanceryEventCountry, 1);
      country->code = g_strdup (code);
      g_ptr_array_add (event->countries, country);
    }

  for (guint i = 0; projects != NULL && i < projects->len; i++)
    {
      g_autofree char *where = g_strdup_printf ("%s.projects[%u]", path, i);
      JsonNode *node = json_array_get_element (json_object_get_array_member (object, "projects"), i);
      const char *uid = g_ptr_array_index (projects, i);
      ChanceryEventProject *project;

      if (!chancery_importer_has_project (ctx->importer, uid))
        {
          problem (ctx, node, where, _("project “%s” is not defined in “projects”"), uid);
          ok = FALSE;
          continue;
        }
      project = g_new0 (ChanceryEventProject, 1);
      project->uid = g_strdup (uid);
      g_ptr_array_add (event->projects, project);
    }

  return ok;
}

static gboolean
read_event_sources (ImportContext *ctx,
                    JsonObject    *event_object,
                    const char    *path,
                    ChanceryEvent *event)
{
  static const char * const allowed[] = { "source", "quote", NULL };
  JsonArray *array = get_array (ctx, event_object, path, "sources");
  g_autoptr(GHashTable) listed = NULL;
  gboolean ok = TRUE;

  for (guint i = 0; array != NULL && i < json_array_get_length (array); i++)
    {
      g_autofree char *where = g_strdup_printf ("%s.sources[%u]", path, i);
      JsonObject *object = element_object (ctx, json_array_get_element (array, i), where);
      ChanceryEventSource *source;
      const char *uid, *quote;

      if (object == NULL || !check_members (ctx, object, where, allowed) ||
          !get_string (ctx, object, where, "source", TRUE, &uid) ||
          !get_string (ctx, object, where, "quote", FALSE, &quote))
        {
          ok = FALSE;
          continue;
        }

      if (!chancery_importer_has_source (ctx->importer, uid))
        {
          g_autofree char *source_path = member_path (where, "source");
          problem (ctx, json_object_get_member (object, "source"), source_path,
                   _("source “%s” is not defined in “sources”"), uid);
          ok = FALSE;
          continue;
        }

      /* The store keeps one quote a source: a second would be lost. */
      if (listed_before (event->sources, G_STRUCT_OFFSET (ChanceryEventSource, uid), uid, &listed))
        {
          g_autofree char *source_path = member_path (where, "source");
          problem (ctx, json_object_get_member (object, "source"), source_path,
                   _("source “%s” is cited twice in this event; give it once, with one quote"), uid);
          ok = FALSE;
          continue;
        }

      source = g_new0 (ChanceryEventSource, 1);
      source->uid = g_strdup (uid);
      source->quote = g_strdup (quote);
      g_ptr_array_add (event->sources, source);
      remember_listed (listed, source->uid);
    }

  return ok;
}

static gboolean
read_event_links (ImportContext *ctx,
                  JsonObject    *event_object,
                  const char    *path,
                  ChanceryEvent *event)
{
  static const char * const allowed[] = { "event", "relation", NULL };
  JsonArray *array = get_array (ctx, event_object, path, "related");
  gboolean ok = TRUE;

  for (guint i = 0; array != NULL && i < json_array_get_length (array); i++)
    {
      g_autofree char *where = g_strdup_printf ("%s.related[%u]", path, i);
      JsonObject *object = element_object (ctx, json_array_get_element (array, i), where);
      ChanceryEventLink *link;
      const char *uid, *relation;

      if (object == NULL || !check_members (ctx, object, where, allowed) ||
          !get_string (ctx, object, where, "event", TRUE, &uid) ||
          !get_string (ctx, object, where, "relation", FALSE, &relation))
        {
          ok = FALSE;
          continue;
        }

      if (relation == NULL)
        relation = "related";
      if (!g_strv_contains (relations, relation))
        {
          g_autofree char *relation_path = member_path (where, "relation");
          problem (ctx, json_object_get_member (object, "relation"), relation_path,
                   _("unknown relation “%s”; expected part-of, follows, precedes, related or outcome-of"),
                   relation);
          ok = FALSE;
          continue;
        }

      /* An event later in the file is looked for at the end. */
      if (!g_hash_table_contains (ctx->event_ids, uid) &&
          !chancery_importer_has_event (ctx->importer, uid))
        {
          ForwardLink forward;

          forward.uid = g_strdup (uid);
          forward.path = member_path (where, "event");
          forward.position = position_of (ctx, json_object_get_member (object, "event"));
          g_array_append_val (ctx->forward_links, forward);
        }

      link = g_new0 (ChanceryEventLink, 1);
      link->uid = g_strdup (uid);
      link->relation = g_strdup (relation);
      g_ptr_array_add (event->links, link);
    }

  return ok;
}

static gboolean
read_event (ImportContext *ctx,
            JsonObject    *object,
            const char    *path,
            ChanceryEvent *event)
{
  static const char * const allowed[] = {
    "id", "kind", "status", "title", "summary", "date", "place", "actors", "countries",
    "projects", "sources", "related", "cameo", "importance", NULL
  };
  const char *uid, *kind, *status, *title, *summary, *date, *cameo;
  gboolean has_importance;
  gboolean ok;

  if (!check_members (ctx, object, path, allowed))
    return FALSE;

  if (!(uid = get_id (ctx, object, path, "id", SECTION_EVENTS)))
    return FALSE;

  ok = get_string (ctx, object, path, "kind", TRUE, &kind);
  ok &= get_string (ctx, object, path, "status", TRUE, &status);
  ok &= get_string (ctx, object, path, "title", TRUE, &title);
  ok &= get_string (ctx, object, path, "summary", FALSE, &summary);
  ok &= check_date (ctx, object, path, "date", TRUE, &event->date, &date);
  ok &= get_string (ctx, object, path, "cameo", FALSE, &cameo);
  ok &= get_number (ctx, object, path, "importance", 0, CHANCERY_MAX_IMPORTANCE, &has_importance, &event->importance);

  if (kind != NULL && !chancery_kind_from_string (kind, &event->kind))
    {
      g_autofree char *where = member_path (path, "kind");
      problem (ctx, json_object_get_member (object, "kind"), where,
               _("unknown kind “%s”; expected visit, meeting, talks, press-conference, agreement, "
                 "statement, milestone, summit, incident, election or other"), kind);
      ok = FALSE;
    }

  if (status != NULL && !chancery_status_from_string (status, &event->status))
    {
      g_autofree char *where = member_path (path, "status");
      problem (ctx, json_object_get_member (object, "status"), where,
               _("unknown status “%s”; expected occurred, reported, announced, planned, "
                 "cancelled or disputed"), status);
      ok = FALSE;
    }

  ok &= read_place (ctx, object, path, event);
  ok &= read_event_actors (ctx, object, path, event);
  ok &= read_event_lists (ctx, object, path, event);
  ok &= read_event_sources (ctx, object, path, event);
  ok &= read_event_links (ctx, object, path, event);

  event->uid = g_strdup (uid);
  event->title = g_strdup (title);
  event->summary = g_strdup (summary);
  event->date_text = g_strdup (date);
  event->cameo = g_strdup (cameo);

  return ok;
}

/* The pages of a mapped file that were read, given back. */
static void
give_back_pages (ImportContext *ctx)
{
  gsize offset = chancery_json_reader_get_offset (ctx->reader);
  gsize page;

  if (!ctx->release_pages)
    return;
  page = sysconf (_SC_PAGESIZE);

  /* Reading again from further back (another attempt, or the sections
   * of a file in another order): what the reader had read on the way is
   * given back, and from now on the pages from here. */
  if (offset < ctx->released)
    {
      madvise ((char *) ctx->data + ctx->released, ctx->length - ctx->released, MADV_DONTNEED);
      ctx->released = offset / page * page;
    }
  if (offset > ctx->released + RELEASE_BYTES)
    {
      gsize end = offset / page * page;

      /* A private read-only map: the pages come back from the file if
       * they are read again. */
      madvise ((char *) ctx->data + ctx->released, end - ctx->released, MADV_DONTNEED);
      ctx->released = end;
    }
}

/* Once every 1024 events: cancelled?, progress, and the pages of a mapped
 * file that were read given back. */
static gboolean
now_and_then (ImportContext  *ctx,
              GError        **error)
{
  gsize offset = chancery_json_reader_get_offset (ctx->reader);

  if (g_cancellable_set_error_if_cancelled (ctx->cancellable, error))
    return FALSE;

  if (ctx->progress != NULL && ctx->length > 0)
    ctx->progress (0.99 * offset / ctx->length, ctx->progress_data);

  give_back_pages (ctx);

  return TRUE;
}

/* Past the value whose first token was token (as chancery_json_reader_skip
 * does), giving pages back on the way: the first pass over a file in
 * another order skips every section. */
static gboolean
skip_value (ImportContext      *ctx,
            ChanceryJsonToken   token,
            GError            **error)
{
  guint depth = chancery_json_reader_get_depth (ctx->reader);
  guint n = 0;

  if (token != CHANCERY_JSON_BEGIN_OBJECT && token != CHANCERY_JSON_BEGIN_ARRAY)
    return TRUE;

  while (chancery_json_reader_get_depth (ctx->reader) >= depth)
    {
      if (chancery_json_reader_next (ctx->reader, error) == CHANCERY_JSON_ERROR)
        return FALSE;
      if (++n % 65536 == 0)
        give_back_pages (ctx);
    }

  return TRUE;
}

static gboolean
import_event (ImportContext  *ctx,
              JsonNode       *node,
              guint           i,
              GError        **error)
{
  g_autofree char *path = g_strdup_printf ("events[%u]", i);
  g_autoptr(ChanceryEvent) event = chancery_event_new ();
  g_autoptr(GError) local_error = NULL;
  JsonObject *object;
  ChanceryPutResult result;

  ctx->n_events = i;
  if (i % 1024 == 0 && !now_and_then (ctx, error))
    return FALSE;

  if (!(object = element_object (ctx, node, path)))
    return TRUE;
  if (!read_event (ctx, object, path, event))
    {
      JsonNode *id = json_object_get_member (object, "id");

      /* Its id still counts for "related" (it is reported on its own). */
      if (id != NULL && JSON_NODE_HOLDS_VALUE (id) &&
          json_node_get_value_type (id) == G_TYPE_STRING &&
          !g_hash_table_contains (ctx->event_ids, json_node_get_string (id)))
        g_hash_table_insert (ctx->event_ids,
                             g_string_chunk_insert (ctx->event_id_chunk, json_node_get_string (id)),
                             GUINT_TO_POINTER (NOT_DEFINED));
      return TRUE;
    }

  /* After a problem, keep checking but stop writing. */
  if (ctx->problems->len > 0)
    return TRUE;

  if (!chancery_importer_put_event (ctx->importer, event, &result, &local_error))
    {
      problem (ctx, NULL, path, "%s", local_error->message);
      return TRUE;
    }

  if (result == CHANCERY_PUT_INSERTED)
    ctx->report->inserted++;
  else if (result == CHANCERY_PUT_UPDATED)
    ctx->report->updated++;
  else
    ctx->report->unchanged++;

  return TRUE;
}

/* "related" links to events that were not defined before them: each must
 * have come later in the file. */
static void
check_forward_links (ImportContext *ctx)
{
  for (guint i = 0; i < ctx->forward_links->len; i++)
    {
      const ForwardLink *link = &g_array_index (ctx->forward_links, ForwardLink, i);

      if (!g_hash_table_contains (ctx->event_ids, link->uid))
        problem_at (ctx, link->position, link->path,
                    _("event “%s” does not exist in this file or the database"), link->uid);
    }
  g_array_set_size (ctx->forward_links, 0);
}

/* An event already in the database keeps its links to events that this
 * file does not hold (the file cannot speak about them: a filtered export
 * leaves them out so that it imports on its own); its links among the
 * file's events are the file's. Events that put_event called unchanged
 * but lost such a link are updated after all. */
static gboolean
settle_links (ImportContext  *ctx,
              GError        **error)
{
  guint n_updated;

  /* Nothing is written after a problem. */
  if (ctx->problems->len > 0)
    return TRUE;
  if (!chancery_importer_settle_links (ctx->importer, ctx->event_ids, &n_updated, error))
    return FALSE;
  g_assert (n_updated <= ctx->report->unchanged);
  ctx->report->unchanged -= n_updated;
  ctx->report->updated += n_updated;

  return TRUE;
}

/* The top-level members */
enum
{
  MEMBER_FORMAT,
  MEMBER_VERSION,
  MEMBER_NAME,
  MEMBER_COUNTRIES,   /* sections, in the order they are written */
  MEMBER_SOURCES,
  MEMBER_ACTORS,
  MEMBER_PROJECTS,
  MEMBER_EVENTS,
  N_MEMBERS,
  MEMBER_UNKNOWN = N_MEMBERS
};

static const char * const member_names[N_MEMBERS] = {
  "format", "version", "name", "countries", "sources", "actors", "projects", "events"
};

#define BIT(member) (1u << (member))

/* The sections that refer to each one, so must come after it */
static const guint must_follow[N_MEMBERS] = {
  [MEMBER_COUNTRIES] = BIT (MEMBER_ACTORS) | BIT (MEMBER_PROJECTS) | BIT (MEMBER_EVENTS),
  [MEMBER_SOURCES] = BIT (MEMBER_EVENTS),
  [MEMBER_ACTORS] = BIT (MEMBER_EVENTS),
  [MEMBER_PROJECTS] = BIT (MEMBER_EVENTS),
};

static int
member_of (const char *name)
{
  for (int i = 0; i < N_MEMBERS; i++)
    {
      if (strcmp (name, member_names[i]) == 0)
        return i;
    }

  return MEMBER_UNKNOWN;
}

static const char *
token_type_name (ChanceryJsonToken token)
{
  switch (token)
    {
    case CHANCERY_JSON_BEGIN_OBJECT:
      return _("an object");
    case CHANCERY_JSON_BEGIN_ARRAY:
      return _("an array");
    case CHANCERY_JSON_STRING:
      return _("a string");
    case CHANCERY_JSON_TRUE:
    case CHANCERY_JSON_FALSE:
      return _("true or false");
    case CHANCERY_JSON_NUMBER:
      return _("a number");
    default:
      return _("null");
    }
}

/* One section's value, whose first token was just read: each record is
 * read, checked, written and freed in turn. */
static gboolean
read_section (ImportContext      *ctx,
              int                 member,
              ChanceryJsonToken   token,
              GError            **error)
{
  if (token == CHANCERY_JSON_NULL)
    return TRUE;

  if (token != CHANCERY_JSON_BEGIN_ARRAY)
    {
      g_autofree char *where = g_strconcat ("$.", member_names[member], NULL);

      problem_at (ctx, token_position (ctx), where, _("expected an array, found %s"),
                  token_type_name (token));
      return chancery_json_reader_skip (ctx->reader, error);
    }

  for (guint i = 0;; i++)
    {
      g_autoptr(JsonNode) node = NULL;
      gboolean ok = TRUE;

      token = chancery_json_reader_next (ctx->reader, error);
      if (token == CHANCERY_JSON_END_ARRAY)
        break;
      node = chancery_json_reader_read_node (ctx->reader, token,
                                             ctx->positions != NULL ? on_position_cb : NULL,
                                             ctx, error);
      if (node == NULL)
        return FALSE;

      switch (member)
        {
        case MEMBER_COUNTRIES:
          import_countries (ctx, node, i);
          break;
        case MEMBER_SOURCES:
          import_sources (ctx, node, i);
          break;
        case MEMBER_ACTORS:
          import_actors (ctx, node, i);
          break;
        case MEMBER_PROJECTS:
          import_projects (ctx, node, i);
          break;
        case MEMBER_EVENTS:
          ok = import_event (ctx, node, i, error);
          break;
        default:
          g_assert_not_reached ();
        }

      if (ctx->positions != NULL)
        g_hash_table_remove_all (ctx->positions);
      if (!ok)
        return FALSE;
    }

  if (member == MEMBER_EVENTS)
    {
      check_forward_links (ctx);
      if (!settle_links (ctx, error))
        return FALSE;
    }

  return TRUE;
}

/* "format" and "version" of meta; FALSE (with the problem) when the rest
 * should not be read. */
static gboolean
check_meta (ImportContext *ctx,
            JsonObject    *meta)
{
  JsonNode *version;
  const char *format;

  if (!get_string (ctx, meta, "$", "format", TRUE, &format))
    return FALSE;
  if (g_strcmp0 (format, "chancery") != 0)
    {
      problem (ctx, json_object_get_member (meta, "format"), "$.format",
               _("“%s” is not the Chancery format (expected “chancery”)"), format);
      return FALSE;
    }

  version = json_object_get_member (meta, "version");
  if (version == NULL || !JSON_NODE_HOLDS_VALUE (version) ||
      json_node_get_value_type (version) != G_TYPE_INT64)
    {
      problem (ctx, version != NULL ? (gconstpointer) version : (gconstpointer) meta, "$.version",
               _("expected the format version, a whole number"));
      return FALSE;
    }
  if (json_node_get_int (version) != 1)
    {
      problem (ctx, version, "$.version",
               json_node_get_int (version) > 1
                 ? _("version %" PRId64 " was written by a newer Chancery; this one reads version 1")
                 : _("version %" PRId64 " does not exist; expected 1"),
               json_node_get_int (version));
      return FALSE;
    }

  return TRUE;
}

/* A top-level "format", "version" or "name": kept in meta. */
static gboolean
read_meta_member (ImportContext      *ctx,
                  JsonObject         *meta,
                  const char         *name,
                  ChanceryJsonToken   token,
                  GError            **error)
{
  JsonNode *node = chancery_json_reader_read_node (ctx->reader, token,
                                                   ctx->positions != NULL ? on_position_cb : NULL,
                                                   ctx, error);

  if (node == NULL)
    return FALSE;
  if (ctx->positions != NULL)
    {
      guint64 *position = g_hash_table_lookup (ctx->positions, node);

      /* Kept apart: ctx->positions is emptied after each record. */
      if (position != NULL)
        g_hash_table_insert (ctx->meta_positions, node, g_memdup2 (position, sizeof *position));
      g_hash_table_remove_all (ctx->positions);
    }
  json_object_set_member (meta, name, node);

  return TRUE;
}

static void
unknown_top_member (ImportContext *ctx,
                    const char    *name)
{
  g_autofree char *where = member_path ("$", name);

  problem_at (ctx, token_position (ctx), where, _("unknown member “%s”"), name);
}

/* At the end of the top-level object: where "$" is, then nothing more. */
static gboolean
end_document (ImportContext  *ctx,
              JsonObject     *meta,
              GError        **error)
{
  if (ctx->positions != NULL)
    {
      guint64 *position = g_new (guint64, 1);

      *position = token_position (ctx);
      g_hash_table_insert (ctx->meta_positions, meta, position);
    }

  return chancery_json_reader_next (ctx->reader, error) == CHANCERY_JSON_END;
}

static void
set_name (ImportContext *ctx,
          JsonObject    *meta)
{
  g_autoptr(GError) local_error = NULL;
  const char *name;

  if (!get_string (ctx, meta, "$", "name", FALSE, &name))
    return;

  if (name != NULL && ctx->problems->len == 0 &&
      !chancery_store_set_name (ctx->store, name, &local_error))
    problem (ctx, NULL, "$.name", "%s", local_error->message);
}

/* The usual case: each section after those it refers to (as Chancery
 * writes them), read once. ATTEMPT_REORDER when they are not, or when
 * "format" and "version" come after a section. */
static AttemptResult
read_in_order (ImportContext  *ctx,
               GError        **error)
{
  g_autoptr(JsonObject) meta = json_object_new ();
  gboolean meta_checked = FALSE, meta_ok = FALSE;
  guint seen = 0, read = 0;

  for (;;)
    {
      g_autofree char *name = NULL;
      ChanceryJsonToken token;
      int member;

      token = chancery_json_reader_next (ctx->reader, error);
      if (token == CHANCERY_JSON_END_OBJECT)
        break;
      if (token == CHANCERY_JSON_ERROR)
        return ATTEMPT_ERROR;
      name = g_strdup (chancery_json_reader_get_string (ctx->reader, NULL));
      member = member_of (name);
      token = chancery_json_reader_next (ctx->reader, error);
      if (token == CHANCERY_JSON_ERROR)
        return ATTEMPT_ERROR;

      if (member == MEMBER_UNKNOWN)
        {
          unknown_top_member (ctx, name);
          if (!chancery_json_reader_skip (ctx->reader, error))
            return ATTEMPT_ERROR;
          continue;
        }

      /* A repeated member: the last one counts, as in json-glib. */
      if (seen & (1u << member))
        return ATTEMPT_REORDER;
      seen |= 1u << member;

      if (member <= MEMBER_NAME)
        {
          if (!read_meta_member (ctx, meta, name, token, error))
            return ATTEMPT_ERROR;
          continue;
        }

      if (!meta_checked)
        {
          if (!json_object_has_member (meta, "format") || !json_object_has_member (meta, "version"))
            return ATTEMPT_REORDER;
          meta_checked = TRUE;
          meta_ok = check_meta (ctx, meta);
        }
      /* A section that one read already refers to came too late */
      if (read & must_follow[member])
        return ATTEMPT_REORDER;
      read |= 1u << member;

      if (!(meta_ok ? read_section (ctx, member, token, error)
                    : chancery_json_reader_skip (ctx->reader, error)))
        return ATTEMPT_ERROR;
    }

  if (!end_document (ctx, meta, error))
    return ATTEMPT_ERROR;

  if (!meta_checked)
    meta_ok = check_meta (ctx, meta);
  if (meta_ok)
    set_name (ctx, meta);

  return ATTEMPT_OK;
}

/* Any order: first where each member starts, then the sections in order. */
static AttemptResult
read_by_sections (ImportContext  *ctx,
                  GError        **error)
{
  g_autoptr(JsonObject) meta = json_object_new ();
  ChanceryJsonMark *marks = g_newa (ChanceryJsonMark, N_MEMBERS);
  gboolean have[N_MEMBERS] = { FALSE, };

  for (;;)
    {
      g_autofree char *name = NULL;
      ChanceryJsonToken token;
      int member;

      token = chancery_json_reader_next (ctx->reader, error);
      if (token == CHANCERY_JSON_END_OBJECT)
        break;
      if (token == CHANCERY_JSON_ERROR)
        return ATTEMPT_ERROR;
      name = g_strdup (chancery_json_reader_get_string (ctx->reader, NULL));
      member = member_of (name);
      if (member != MEMBER_UNKNOWN)
        {
          chancery_json_reader_mark (ctx->reader, &marks[member]);
          have[member] = TRUE;
        }
      token = chancery_json_reader_next (ctx->reader, error);
      if (token == CHANCERY_JSON_ERROR)
        return ATTEMPT_ERROR;

      if (member == MEMBER_UNKNOWN)
        unknown_top_member (ctx, name);
      else if (member <= MEMBER_NAME)
        {
          if (!read_meta_member (ctx, meta, name, token, error))
            return ATTEMPT_ERROR;
          continue;
        }
      if (!skip_value (ctx, token, error))
        return ATTEMPT_ERROR;
    }

  if (!end_document (ctx, meta, error))
    return ATTEMPT_ERROR;
  if (!check_meta (ctx, meta))
    return ATTEMPT_OK;

  for (int member = MEMBER_COUNTRIES; member < N_MEMBERS; member++)
    {
      ChanceryJsonToken token;

      if (!have[member])
        continue;
      chancery_json_reader_seek (ctx->reader, &marks[member]);
      token = chancery_json_reader_next (ctx->reader, error);
      if (token == CHANCERY_JSON_ERROR || !read_section (ctx, member, token, error))
        return ATTEMPT_ERROR;
    }

  set_name (ctx, meta);

  return ATTEMPT_OK;
}

static AttemptResult
read_document (ImportContext  *ctx,
               GError        **error)
{
  ChanceryJsonToken token = chancery_json_reader_next (ctx->reader, error);

  if (token == CHANCERY_JSON_ERROR)
    return ATTEMPT_ERROR;

  if (token != CHANCERY_JSON_BEGIN_OBJECT)
    {
      problem_at (ctx, token_position (ctx), "$", _("expected an object, found %s"),
                  token_type_name (token));
      if (!chancery_json_reader_skip (ctx->reader, error) ||
          chancery_json_reader_next (ctx->reader, error) != CHANCERY_JSON_END)
        return ATTEMPT_ERROR;
      return ATTEMPT_OK;
    }

  return ctx->by_sections ? read_by_sections (ctx, error) : read_in_order (ctx, error);
}

static void
forward_link_clear (gpointer data)
{
  ForwardLink *link = data;

  g_free (link->uid);
  g_free (link->path);
}

static void
context_reset (ImportContext *ctx,
               gboolean       with_positions)
{
  g_clear_pointer (&ctx->problems, g_ptr_array_unref);
  for (guint i = 0; i < G_N_ELEMENTS (ctx->seen); i++)
    g_clear_pointer (&ctx->seen[i], g_hash_table_unref);
  g_clear_pointer (&ctx->event_ids, g_hash_table_unref);
  g_clear_pointer (&ctx->event_id_chunk, g_string_chunk_free);
  g_clear_pointer (&ctx->forward_links, g_array_unref);
  g_clear_pointer (&ctx->positions, g_hash_table_unref);
  g_clear_pointer (&ctx->meta_positions, g_hash_table_unref);
  g_clear_pointer (&ctx->reader, chancery_json_reader_free);

  ctx->problems = g_ptr_array_new_with_free_func (g_free);
  for (guint i = 0; i < G_N_ELEMENTS (ctx->seen); i++)
    ctx->seen[i] = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  ctx->event_ids = g_hash_table_new (g_str_hash, g_str_equal);
  ctx->event_id_chunk = g_string_chunk_new (64 * 1024);
  ctx->forward_links = g_array_new (FALSE, FALSE, sizeof (ForwardLink));
  g_array_set_clear_func (ctx->forward_links, forward_link_clear);
  if (with_positions)
    {
      ctx->positions = g_hash_table_new_full (NULL, NULL, NULL, g_free);
      ctx->meta_positions = g_hash_table_new_full (NULL, NULL, NULL, g_free);
    }
  ctx->reader = chancery_json_reader_new (ctx->data, ctx->length, ctx->filename);
  ctx->n_events = 0;
}

static void
context_clear (ImportContext *ctx)
{
  g_clear_pointer (&ctx->positions, g_hash_table_unref);
  g_clear_pointer (&ctx->meta_positions, g_hash_table_unref);
  g_clear_pointer (&ctx->problems, g_ptr_array_unref);
  for (guint i = 0; i < G_N_ELEMENTS (ctx->seen); i++)
    g_clear_pointer (&ctx->seen[i], g_hash_table_unref);
  g_clear_pointer (&ctx->event_ids, g_hash_table_unref);
  g_clear_pointer (&ctx->event_id_chunk, g_string_chunk_free);
  g_clear_pointer (&ctx->forward_links, g_array_unref);
  g_clear_pointer (&ctx->reader, chancery_json_reader_free);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (ImportContext, context_clear)

static void
set_cut_error (ImportContext  *ctx,
               GError        **error)
{
  g_clear_error (error);
  g_set_error (error, CHANCERY_ERROR, CHANCERY_ERROR_IO,
               _("%s: the file was cut short by another program while it was read; "
                 "nothing was imported"), ctx->filename);
}

/* One attempt inside one transaction: written and committed only when
 * ATTEMPT_OK. */
static AttemptResult
run_attempt (ImportContext  *ctx,
             GError        **error)
{
  ChanceryImportReport saved = *ctx->report;
  AttemptResult result;

  ctx->importer = chancery_importer_begin (ctx->store, ctx->cancellable, error);
  if (ctx->importer == NULL)
    return ATTEMPT_ERROR;

  result = read_document (ctx, error);
  if (result == ATTEMPT_OK && ctx->problems->len > 0)
    result = ATTEMPT_PROBLEMS;

  if (result != ATTEMPT_OK)
    {
      chancery_importer_abort (g_steal_pointer (&ctx->importer));
      ctx->report->inserted = saved.inserted;
      ctx->report->updated = saved.updated;
      ctx->report->unchanged = saved.unchanged;
      return result;
    }

  /* A file cut short while it was read gave zeros for its lost pages:
   * what was read is not the file, and not one event of it is kept. */
  if (ctx->map != NULL && chancery_input_map_was_cut (ctx->map))
    {
      chancery_importer_abort (g_steal_pointer (&ctx->importer));
      if (!g_cancellable_set_error_if_cancelled (ctx->cancellable, error))
        set_cut_error (ctx, error);
      return ATTEMPT_ERROR;
    }

  if (!chancery_importer_commit (g_steal_pointer (&ctx->importer), error))
    return ATTEMPT_ERROR;

  return ATTEMPT_OK;
}

static void
set_problems_error (ImportContext  *ctx,
                    GError        **error)
{
  g_autoptr(GString) message = g_string_new (NULL);

  for (guint i = 0; i < ctx->problems->len; i++)
    {
      if (i > 0)
        g_string_append_c (message, '\n');
      g_string_append (message, g_ptr_array_index (ctx->problems, i));
      if (ctx->report->messages != NULL)
        g_ptr_array_add (ctx->report->messages, g_strdup (g_ptr_array_index (ctx->problems, i)));
    }
  if (ctx->problems->len >= MAX_PROBLEMS)
    g_string_append_printf (message, "\n%s", _("(stopped after 50 problems)"));

  g_set_error_literal (error, CHANCERY_ERROR, CHANCERY_ERROR_INVALID_INPUT, message->str);
}

static gboolean
import_text (ChanceryStore         *store,
             const char            *data,
             gsize                  length,
             const ChanceryInputMap *map,
             const char            *filename,
             ChanceryImportReport  *report,
             ChanceryProgressFunc   progress,
             gpointer               progress_data,
             GCancellable          *cancellable,
             GError               **error)
{
  g_auto(ImportContext) ctx = { 0, };
  AttemptResult result;

  if (length == 0)
    {
      g_set_error (error, CHANCERY_ERROR, CHANCERY_ERROR_INVALID_INPUT,
                   _("%s: the file is empty"), filename);
      return FALSE;
    }

  ctx.store = store;
  ctx.filename = filename;
  ctx.data = data;
  ctx.length = length;
  ctx.map = map;
  ctx.release_pages = map != NULL;
  ctx.report = report;
  ctx.progress = progress;
  ctx.progress_data = progress_data;
  ctx.cancellable = cancellable;

  context_reset (&ctx, FALSE);
  result = run_attempt (&ctx, error);
  if (result == ATTEMPT_REORDER)
    {
      context_reset (&ctx, FALSE);
      ctx.by_sections = TRUE;
      result = run_attempt (&ctx, error);
    }

  if (result == ATTEMPT_PROBLEMS)
    {
      /* Again, with positions, to say where each problem is. */
      context_reset (&ctx, TRUE);
      result = run_attempt (&ctx, error);
      if (result == ATTEMPT_PROBLEMS)
        set_problems_error (&ctx, error);
      else if (result == ATTEMPT_OK)
        {
          g_set_error (error, CHANCERY_ERROR, CHANCERY_ERROR_FAILED,
                       _("%s: the import failed and then succeeded; nothing was changed"), filename);
          result = ATTEMPT_ERROR;
        }
    }

  g_assert (result != ATTEMPT_REORDER);
  /* Whatever the reading made of the zeros, the error is the cut. */
  if (result != ATTEMPT_OK && map != NULL && chancery_input_map_was_cut (map)
      && !g_cancellable_is_cancelled (cancellable))
    set_cut_error (&ctx, error);
  return result == ATTEMPT_OK;
}

gboolean
chancery_import_json_data (ChanceryStore         *store,
                           const char            *data,
                           gssize                 length,
                           const char            *filename_for_messages,
                           ChanceryImportReport  *report,
                           GCancellable          *cancellable,
                           GError               **error)
{
  ChanceryImportReport local_report;
  const char *filename = filename_for_messages != NULL ? filename_for_messages : "JSON";
  gboolean ok;

  g_return_val_if_fail (CHANCERY_IS_STORE (store), FALSE);
  g_return_val_if_fail (data != NULL || length == 0, FALSE);

  if (report == NULL)
    {
      chancery_import_report_init (&local_report);
      report = &local_report;
    }

  if (length < 0)
    length = strlen (data);

  ok = import_text (store, data, length, NULL, filename, report, NULL, NULL, cancellable, error);

  if (report == &local_report)
    chancery_import_report_clear (&local_report);

  return ok;
}

gboolean
chancery_import_json_file (ChanceryStore         *store,
                           const char            *path,
                           ChanceryImportReport  *report,
                           ChanceryProgressFunc   progress,
                           gpointer               progress_data,
                           GCancellable          *cancellable,
                           GError               **error)
{
  g_autoptr(ChanceryInputMap) map = NULL;
  ChanceryImportReport local_report;
  gboolean ok;

  g_return_val_if_fail (CHANCERY_IS_STORE (store), FALSE);
  g_return_val_if_fail (path != NULL, FALSE);

  if (!chancery_import_check_file (path, error))
    return FALSE;

  /* Read through a map, front to back, any size: the reader holds one
   * record at a time and the pages read are given back as it goes. */
  map = chancery_input_map_new (path, error);
  if (map == NULL)
    return FALSE;
  if (chancery_input_map_get_length (map) > 0)
    madvise ((char *) chancery_input_map_get_data (map), chancery_input_map_get_length (map),
             MADV_SEQUENTIAL);

  if (report == NULL)
    {
      chancery_import_report_init (&local_report);
      report = &local_report;
    }

  if (progress != NULL)
    progress (0.0, progress_data);

  ok = import_text (store, chancery_input_map_get_data (map), chancery_input_map_get_length (map),
                    map, path, report, progress, progress_data, cancellable, error);

  if (ok && progress != NULL)
    progress (1.0, progress_data);

  if (report == &local_report)
    chancery_import_report_clear (&local_report);

  return ok;
}

gboolean
chancery_import_check_file (const char  *path,
                            GError     **error)
{
  GStatBuf st;

  if (g_stat (path, &st) != 0)
    return TRUE;
  if (S_ISDIR (st.st_mode))
    {
      g_set_error (error, CHANCERY_ERROR, CHANCERY_ERROR_IO, _("%s: is a folder, not a file"), path);
      return FALSE;
    }
  if (!S_ISREG (st.st_mode))
    {
      /* A pipe can be read once only, and both importers read a file
       * again (JSON: a second pass for positions; GDELT: after its first
       * bytes). */
      g_set_error (error, CHANCERY_ERROR, CHANCERY_ERROR_IO,
                   _("%s: not a regular file (a pipe or a device); save it to a file and import that"),
                   path);
      return FALSE;
    }

  return TRUE;
}

void
chancery_import_report_init (ChanceryImportReport *report)
{
  g_return_if_fail (report != NULL);

  memset (report, 0, sizeof *report);
  report->messages = g_ptr_array_new_with_free_func (g_free);
}

void
chancery_import_report_clear (ChanceryImportReport *report)
{
  g_return_if_fail (report != NULL);

  g_clear_pointer (&report->messages, g_ptr_array_unref);
}
