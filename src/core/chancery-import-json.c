/* chancery-import-json.c: the Chancery JSON format (docs/json-format.md)
 *
 * Copyright 2026 The Chancery developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The document is checked and written in one pass inside one transaction.
 * When anything is wrong the transaction is rolled back and the document
 * is parsed once more, this time recording where each value sits, so that
 * every problem can be reported with its JSON path and line:column. The
 * fast path (a valid file) pays nothing for positions.
 */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <inttypes.h>
#include <json-glib/json-glib.h>
#include <string.h>

#include "chancery-error.h"
#include "chancery-import.h"
#include "chancery-store-private.h"

/* json-glib builds the whole document in memory: about 11 times the size
 * of the file at peak (measured: a 100 MB file took 1.1 GB). 32 MB keeps an
 * import under the 400 MB budget; larger datasets come in several files. */
#define MAX_FILE_SIZE   (32 * 1024 * 1024)
#define MAX_DEPTH       64
#define MAX_PROBLEMS    50
#define MAX_ID_LENGTH   200

typedef struct
{
  ChanceryStore        *store;
  ChanceryImporter     *importer;
  ChanceryImportReport *report;
  const char           *filename;
  GHashTable           *positions;   /* JsonNode* -> line << 20 | column; NULL on the fast path */
  GPtrArray            *problems;    /* char* */
  GHashTable           *seen[5];     /* ids defined in this file, per section */
  GHashTable           *event_ids;   /* all event ids of the file, for "related" */
  GCancellable         *cancellable;
} ImportContext;

enum { SECTION_SOURCES, SECTION_COUNTRIES, SECTION_ACTORS, SECTION_PROJECTS, SECTION_EVENTS };

static const char * const relations[] = {
  "part-of", "follows", "precedes", "related", "outcome-of", NULL
};

/* Problems */

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
  g_autofree char *message = NULL;
  gpointer position = NULL;
  va_list args;

  if (ctx->problems->len >= MAX_PROBLEMS)
    return;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);

  if (ctx->positions != NULL && node != NULL)
    position = g_hash_table_lookup (ctx->positions, node);

  if (position != NULL)
    {
      guint packed = GPOINTER_TO_UINT (position);

      g_ptr_array_add (ctx->problems,
                       g_strdup_printf ("%s:%u:%u: %s: %s", ctx->filename,
                                        packed >> 20, packed & 0xfffff, path, message));
    }
  else
    {
      g_ptr_array_add (ctx->problems,
                       g_strdup_printf ("%s: %s: %s", ctx->filename, path, message));
    }
}

static void
on_object_member_cb (JsonParser *parser,
                     JsonObject *object,
                     const char *name,
                     gpointer    user_data)
{
  ImportContext *ctx = user_data;
  guint line = MIN ((guint) json_parser_get_current_line (parser), 0xfffu);
  guint column = MIN ((guint) json_parser_get_current_pos (parser), 0xfffffu);
  JsonNode *node = json_object_get_member (object, name);

  g_hash_table_insert (ctx->positions, node, GUINT_TO_POINTER (line << 20 | column));
  /* Also the object itself, for members missing from it */
  if (JSON_NODE_HOLDS_OBJECT (node))
    g_hash_table_insert (ctx->positions, json_node_get_object (node),
                         GUINT_TO_POINTER (line << 20 | column));
}

static void
on_array_element_cb (JsonParser *parser,
                     JsonArray  *array,
                     int         index,
                     gpointer    user_data)
{
  ImportContext *ctx = user_data;
  guint line = MIN ((guint) json_parser_get_current_line (parser), 0xfffu);
  guint column = MIN ((guint) json_parser_get_current_pos (parser), 0xfffffu);
  JsonNode *node = json_array_get_element (array, index);

  g_hash_table_insert (ctx->positions, node, GUINT_TO_POINTER (line << 20 | column));
  if (JSON_NODE_HOLDS_OBJECT (node))
    g_hash_table_insert (ctx->positions, json_node_get_object (node),
                         GUINT_TO_POINTER (line << 20 | column));
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
  return g_strdup_printf ("%s.%s", path, member);
}

/* A string member: NULL and no problem when absent and optional. */
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
  if (required && (*out)[0] == '\0')
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
                JsonArray     *array,
                guint          i,
                const char    *path)
{
  JsonNode *node = json_array_get_element (array, i);

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

  first = g_hash_table_lookup (ctx->seen[section], id);
  if (first != NULL)
    {
      problem (ctx, node, where, _("duplicate id “%s” (first defined at %s)"), id, first);
      return NULL;
    }

  g_hash_table_insert (ctx->seen[section], (gpointer) id, g_strdup (path));
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
                  JsonArray     *array)
{
  static const char * const allowed[] = { "code", "name", NULL };

  for (guint i = 0; array != NULL && i < json_array_get_length (array); i++)
    {
      g_autofree char *path = g_strdup_printf ("countries[%u]", i);
      g_autoptr(GError) local_error = NULL;
      JsonObject *object = element_object (ctx, array, i, path);
      const char *code, *name;

      if (object == NULL || !check_members (ctx, object, path, allowed))
        continue;
      if (!(code = get_id (ctx, object, path, "code", SECTION_COUNTRIES)) ||
          !get_string (ctx, object, path, "name", TRUE, &name))
        continue;
      if (!is_country_code (code))
        {
          g_autofree char *where = member_path (path, "code");
          problem (ctx, json_object_get_member (object, "code"), where,
                   _("“%s” is not a country code (three capital letters, ISO 3166-1 alpha-3)"), code);
          continue;
        }
      if (!chancery_importer_put_country (ctx->importer, code, name, &local_error))
        problem (ctx, NULL, path, "%s", local_error->message);
    }
}

static void
import_sources (ImportContext *ctx,
                JsonArray     *array)
{
  static const char * const allowed[] = {
    "id", "publisher", "title", "reference", "url", "published", NULL
  };

  for (guint i = 0; array != NULL && i < json_array_get_length (array); i++)
    {
      g_autofree char *path = g_strdup_printf ("sources[%u]", i);
      g_autoptr(GError) local_error = NULL;
      JsonObject *object = element_object (ctx, array, i, path);
      const char *id, *publisher, *title, *reference, *url, *published;
      ChanceryDate date;

      if (object == NULL || !check_members (ctx, object, path, allowed))
        continue;
      if (!(id = get_id (ctx, object, path, "id", SECTION_SOURCES)) ||
          !get_string (ctx, object, path, "publisher", FALSE, &publisher) ||
          !get_string (ctx, object, path, "title", FALSE, &title) ||
          !get_string (ctx, object, path, "reference", FALSE, &reference) ||
          !get_string (ctx, object, path, "url", FALSE, &url) ||
          !check_date (ctx, object, path, "published", FALSE, &date, &published))
        continue;
      if (!chancery_importer_put_source (ctx->importer, id, publisher, title, reference,
                                         url, published, &local_error))
        problem (ctx, NULL, path, "%s", local_error->message);
    }
}

static void
import_actors (ImportContext *ctx,
               JsonArray     *array)
{
  static const char * const allowed[] = { "id", "name", "title", "country", NULL };

  for (guint i = 0; array != NULL && i < json_array_get_length (array); i++)
    {
      g_autofree char *path = g_strdup_printf ("actors[%u]", i);
      g_autofree char *country_path = g_strdup_printf ("actors[%u].country", i);
      g_autoptr(GError) local_error = NULL;
      JsonObject *object = element_object (ctx, array, i, path);
      const char *id, *name, *title, *country;

      if (object == NULL || !check_members (ctx, object, path, allowed))
        continue;
      if (!(id = get_id (ctx, object, path, "id", SECTION_ACTORS)) ||
          !get_string (ctx, object, path, "name", TRUE, &name) ||
          !get_string (ctx, object, path, "title", FALSE, &title) ||
          !get_string (ctx, object, path, "country", FALSE, &country))
        continue;
      if (country != NULL &&
          !check_country_ref (ctx, json_object_get_member (object, "country"), country_path, country))
        continue;
      if (!chancery_importer_put_actor (ctx->importer, id, name, title, country, &local_error))
        problem (ctx, NULL, path, "%s", local_error->message);
    }
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
                 JsonArray     *array)
{
  static const char * const allowed[] = { "id", "name", "description", "countries", NULL };

  for (guint i = 0; array != NULL && i < json_array_get_length (array); i++)
    {
      g_autofree char *path = g_strdup_printf ("projects[%u]", i);
      g_autoptr(GError) local_error = NULL;
      g_autoptr(GPtrArray) countries = NULL;
      JsonObject *object = element_object (ctx, array, i, path);
      const char *id, *name, *description;
      gboolean ok = TRUE;

      if (object == NULL || !check_members (ctx, object, path, allowed))
        continue;
      if (!(id = get_id (ctx, object, path, "id", SECTION_PROJECTS)) ||
          !get_string (ctx, object, path, "name", TRUE, &name) ||
          !get_string (ctx, object, path, "description", FALSE, &description) ||
          !(countries = get_string_list (ctx, object, path, "countries")))
        continue;

      for (guint c = 0; c < countries->len; c++)
        {
          g_autofree char *where = g_strdup_printf ("%s.countries[%u]", path, c);
          JsonNode *node = json_array_get_element (json_object_get_array_member (object, "countries"), c);

          ok &= check_country_ref (ctx, node, where, g_ptr_array_index (countries, c));
        }
      if (!ok)
        continue;

      g_ptr_array_add (countries, NULL);
      if (!chancery_importer_put_project (ctx->importer, id, name, description,
                                          (const char * const *) countries->pdata, &local_error))
        problem (ctx, NULL, path, "%s", local_error->message);
    }
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

static gboolean
read_event_actors (ImportContext *ctx,
                   JsonObject    *event_object,
                   const char    *path,
                   ChanceryEvent *event)
{
  static const char * const allowed[] = { "actor", "role", NULL };
  JsonArray *array = get_array (ctx, event_object, path, "actors");
  gboolean ok = TRUE;

  for (guint i = 0; array != NULL && i < json_array_get_length (array); i++)
    {
      g_autofree char *where = g_strdup_printf ("%s.actors[%u]", path, i);
      JsonObject *object = element_object (ctx, array, i, where);
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

      actor = g_new0 (ChanceryEventActor, 1);
      actor->uid = g_strdup (uid);
      actor->role = value;
      g_ptr_array_add (event->actors, actor);
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
  gboolean ok = TRUE;

  for (guint i = 0; array != NULL && i < json_array_get_length (array); i++)
    {
      g_autofree char *where = g_strdup_printf ("%s.sources[%u]", path, i);
      JsonObject *object = element_object (ctx, array, i, where);
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

      source = g_new0 (ChanceryEventSource, 1);
      source->uid = g_strdup (uid);
      source->quote = g_strdup (quote);
      g_ptr_array_add (event->sources, source);
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
      JsonObject *object = element_object (ctx, array, i, where);
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

      if (!g_hash_table_contains (ctx->event_ids, uid) &&
          !chancery_importer_has_event (ctx->importer, uid))
        {
          g_autofree char *event_path = member_path (where, "event");
          problem (ctx, json_object_get_member (object, "event"), event_path,
                   _("event “%s” does not exist in this file or the database"), uid);
          ok = FALSE;
          continue;
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
  ok &= get_number (ctx, object, path, "importance", 0, 1e9, &has_importance, &event->importance);

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

static void
collect_event_ids (ImportContext *ctx,
                   JsonArray     *array)
{
  for (guint i = 0; array != NULL && i < json_array_get_length (array); i++)
    {
      JsonNode *node = json_array_get_element (array, i);
      JsonNode *id;

      /* Any "id" at all: an object or array here is reported later, by
       * read_event, and must not reach json-glib's string getter. */
      if (!JSON_NODE_HOLDS_OBJECT (node))
        continue;
      id = json_object_get_member (json_node_get_object (node), "id");
      if (id != NULL && JSON_NODE_HOLDS_VALUE (id) &&
          json_node_get_value_type (id) == G_TYPE_STRING)
        g_hash_table_add (ctx->event_ids, (gpointer) json_node_get_string (id));
    }
}

static gboolean
import_events (ImportContext *ctx,
               JsonArray     *array,
               GError       **error)
{
  guint n = array != NULL ? json_array_get_length (array) : 0;

  collect_event_ids (ctx, array);

  for (guint i = 0; i < n; i++)
    {
      g_autofree char *path = g_strdup_printf ("events[%u]", i);
      g_autoptr(ChanceryEvent) event = chancery_event_new ();
      g_autoptr(GError) local_error = NULL;
      JsonObject *object;
      ChanceryPutResult result;

      if (i % 1024 == 0 && g_cancellable_set_error_if_cancelled (ctx->cancellable, error))
        return FALSE;

      if (!(object = element_object (ctx, array, i, path)) ||
          !read_event (ctx, object, path, event))
        continue;

      /* After a problem, keep checking but stop writing. */
      if (ctx->problems->len > 0)
        continue;

      if (!chancery_importer_put_event (ctx->importer, event, &result, &local_error))
        {
          problem (ctx, NULL, path, "%s", local_error->message);
          continue;
        }

      if (result == CHANCERY_PUT_INSERTED)
        ctx->report->inserted++;
      else if (result == CHANCERY_PUT_UPDATED)
        ctx->report->updated++;
      else
        ctx->report->unchanged++;
    }

  return TRUE;
}

static void
import_document (ImportContext *ctx,
                 JsonNode      *root,
                 GError       **error)
{
  static const char * const allowed[] = {
    "format", "version", "name", "sources", "countries", "actors", "projects", "events", NULL
  };
  g_autoptr(GError) local_error = NULL;
  JsonObject *object;
  JsonNode *version;
  const char *format, *name;

  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    {
      problem (ctx, root, "$", _("expected an object, found %s"), type_name (root));
      return;
    }

  object = json_node_get_object (root);
  if (!get_string (ctx, object, "$", "format", TRUE, &format))
    return;
  if (g_strcmp0 (format, "chancery") != 0)
    {
      problem (ctx, json_object_get_member (object, "format"), "$.format",
               _("“%s” is not the Chancery format (expected “chancery”)"), format);
      return;
    }

  version = json_object_get_member (object, "version");
  if (version == NULL || !JSON_NODE_HOLDS_VALUE (version) ||
      json_node_get_value_type (version) != G_TYPE_INT64)
    {
      problem (ctx, version, "$.version", _("expected the format version, a whole number"));
      return;
    }
  if (json_node_get_int (version) != 1)
    {
      problem (ctx, version, "$.version",
               json_node_get_int (version) > 1
                 ? _("version %" PRId64 " was written by a newer Chancery; this one reads version 1")
                 : _("version %" PRId64 " does not exist; expected 1"),
               json_node_get_int (version));
      return;
    }

  check_members (ctx, object, "$", allowed);
  if (!get_string (ctx, object, "$", "name", FALSE, &name))
    return;

  import_countries (ctx, get_array (ctx, object, "$", "countries"));
  import_sources (ctx, get_array (ctx, object, "$", "sources"));
  import_actors (ctx, get_array (ctx, object, "$", "actors"));
  import_projects (ctx, get_array (ctx, object, "$", "projects"));
  if (!import_events (ctx, get_array (ctx, object, "$", "events"), error))
    return;

  if (name != NULL && ctx->problems->len == 0 &&
      !chancery_store_set_name (ctx->store, name, &local_error))
    problem (ctx, NULL, "$.name", "%s", local_error->message);
}

/* Checks that keep a hostile file from reaching the parser: a valid
 * encoding (no NUL, no invalid UTF-8) and bounded nesting, because the
 * parser recurses once per level. */
static gboolean
precheck (const char  *data,
          gsize        length,
          const char  *filename,
          GError     **error)
{
  const char *end = NULL;
  gboolean in_string = FALSE, escaped = FALSE;
  guint line = 1, column = 1, depth = 0;

  if (!g_utf8_validate_len (data, length, &end))
    {
      for (const char *p = data; p < end; p++)
        {
          if (*p == '\n')
            line++, column = 1;
          else if (((guchar) *p & 0xc0) != 0x80)
            column++;
        }
      g_set_error (error, CHANCERY_ERROR, CHANCERY_ERROR_INVALID_INPUT,
                   *end == '\0' ? _("%s:%u:%u: a NUL byte; JSON text cannot contain one")
                                : _("%s:%u:%u: not valid UTF-8 text"),
                   filename, line, column);
      return FALSE;
    }

  for (gsize i = 0; i < length; i++)
    {
      char c = data[i];

      if (c == '\n')
        line++, column = 0;
      column++;

      if (in_string)
        {
          if (escaped)
            escaped = FALSE;
          else if (c == '\\')
            escaped = TRUE;
          else if (c == '"')
            in_string = FALSE;
          continue;
        }

      if (c == '"')
        in_string = TRUE;
      else if (c == '[' || c == '{')
        {
          if (++depth > MAX_DEPTH)
            {
              g_set_error (error, CHANCERY_ERROR, CHANCERY_ERROR_INVALID_INPUT,
                           _("%s:%u:%u: nested more than %d levels deep"),
                           filename, line, column, MAX_DEPTH);
              return FALSE;
            }
        }
      else if ((c == ']' || c == '}') && depth > 0)
        depth--;
    }

  return TRUE;
}

static JsonParser *
parse (const char     *data,
       gsize           length,
       ImportContext  *ctx,
       GError        **error)
{
  g_autoptr(JsonParser) parser = json_parser_new_immutable ();
  g_autoptr(GError) local_error = NULL;

  if (ctx->positions != NULL)
    {
      g_signal_connect (parser, "object-member", G_CALLBACK (on_object_member_cb), ctx);
      g_signal_connect (parser, "array-element", G_CALLBACK (on_array_element_cb), ctx);
    }

  if (!json_parser_load_from_data (parser, data, length, &local_error))
    {
      /* json-glib's messages carry "<data>:line:column: " when parsing
       * from memory, and quote the input, which may decode to invalid
       * UTF-8 ("\ud800"): put our file name in place of "<data>". */
      g_autofree char *message = g_utf8_make_valid (local_error->message, -1);
      const char *text = message;

      if (g_str_has_prefix (text, "<data>:"))
        g_set_error (error, CHANCERY_ERROR, CHANCERY_ERROR_INVALID_INPUT,
                     "%s:%s", ctx->filename, text + strlen ("<data>:"));
      else
        g_set_error (error, CHANCERY_ERROR, CHANCERY_ERROR_INVALID_INPUT,
                     "%s: %s", ctx->filename, text);
      return NULL;
    }

  return g_steal_pointer (&parser);
}

static void
context_init (ImportContext        *ctx,
              ChanceryStore        *store,
              const char           *filename,
              ChanceryImportReport *report,
              GCancellable         *cancellable)
{
  memset (ctx, 0, sizeof *ctx);
  ctx->store = store;
  ctx->filename = filename;
  ctx->report = report;
  ctx->cancellable = cancellable;
  ctx->problems = g_ptr_array_new_with_free_func (g_free);
  for (guint i = 0; i < G_N_ELEMENTS (ctx->seen); i++)
    ctx->seen[i] = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, g_free);
  ctx->event_ids = g_hash_table_new (g_str_hash, g_str_equal);
}

static void
context_clear (ImportContext *ctx)
{
  g_clear_pointer (&ctx->problems, g_ptr_array_unref);
  for (guint i = 0; i < G_N_ELEMENTS (ctx->seen); i++)
    g_clear_pointer (&ctx->seen[i], g_hash_table_unref);
  g_clear_pointer (&ctx->event_ids, g_hash_table_unref);
  g_clear_pointer (&ctx->positions, g_hash_table_unref);
}

/* One attempt inside one transaction; FALSE with problems or error set. */
static gboolean
run_import (ImportContext  *ctx,
            JsonNode       *root,
            GError        **error)
{
  ChanceryImportReport saved = *ctx->report;

  ctx->importer = chancery_importer_begin (ctx->store, error);
  if (ctx->importer == NULL)
    return FALSE;

  import_document (ctx, root, error);

  if ((error != NULL && *error != NULL) || ctx->problems->len > 0)
    {
      chancery_importer_abort (g_steal_pointer (&ctx->importer));
      ctx->report->inserted = saved.inserted;
      ctx->report->updated = saved.updated;
      ctx->report->unchanged = saved.unchanged;
      return FALSE;
    }

  return chancery_importer_commit (g_steal_pointer (&ctx->importer), error);
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

gboolean
chancery_import_json_data (ChanceryStore         *store,
                           const char            *data,
                           gssize                 length,
                           const char            *filename_for_messages,
                           ChanceryImportReport  *report,
                           GCancellable          *cancellable,
                           GError               **error)
{
  g_autoptr(JsonParser) parser = NULL;
  g_autoptr(GError) local_error = NULL;
  ChanceryImportReport local_report;
  ImportContext ctx;
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

  if ((gsize) length > MAX_FILE_SIZE)
    {
      g_set_error (error, CHANCERY_ERROR, CHANCERY_ERROR_INVALID_INPUT,
                   _("%s: the file is larger than %d MB, the most Chancery imports "
                     "from one JSON file; split it into smaller files"),
                   filename, MAX_FILE_SIZE / (1024 * 1024));
      ok = FALSE;
      goto out;
    }

  if (length == 0)
    {
      g_set_error (error, CHANCERY_ERROR, CHANCERY_ERROR_INVALID_INPUT,
                   _("%s: the file is empty"), filename);
      ok = FALSE;
      goto out;
    }

  if (!precheck (data, length, filename, error))
    {
      ok = FALSE;
      goto out;
    }

  context_init (&ctx, store, filename, report, cancellable);
  parser = parse (data, length, &ctx, error);
  ok = parser != NULL && run_import (&ctx, json_parser_get_root (parser), &local_error);

  if (!ok && parser != NULL && local_error == NULL && ctx.problems->len > 0)
    {
      /* Again, with positions, to say where each problem is. */
      g_clear_object (&parser);
      context_clear (&ctx);
      context_init (&ctx, store, filename, report, cancellable);
      ctx.positions = g_hash_table_new (NULL, NULL);
      parser = parse (data, length, &ctx, error);
      if (parser != NULL && !run_import (&ctx, json_parser_get_root (parser), &local_error) &&
          local_error == NULL)
        set_problems_error (&ctx, error);
      else if (local_error == NULL && parser != NULL)
        g_set_error (error, CHANCERY_ERROR, CHANCERY_ERROR_FAILED,
                     _("%s: the import failed and then succeeded; nothing was changed"), filename);
    }

  if (local_error != NULL)
    g_propagate_error (error, g_steal_pointer (&local_error));

  context_clear (&ctx);

out:
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
  g_autoptr(GMappedFile) mapped = NULL;
  g_autoptr(GError) local_error = NULL;
  gboolean ok;

  g_return_val_if_fail (CHANCERY_IS_STORE (store), FALSE);
  g_return_val_if_fail (path != NULL, FALSE);

  if (g_file_test (path, G_FILE_TEST_IS_DIR))
    {
      g_set_error (error, CHANCERY_ERROR, CHANCERY_ERROR_IO, _("%s: is a folder, not a file"), path);
      return FALSE;
    }

  mapped = g_mapped_file_new (path, FALSE, &local_error);
  if (mapped == NULL)
    {
      g_set_error (error, CHANCERY_ERROR, CHANCERY_ERROR_IO, "%s", local_error->message);
      return FALSE;
    }

  if (g_mapped_file_get_length (mapped) > MAX_FILE_SIZE)
    {
      g_set_error (error, CHANCERY_ERROR, CHANCERY_ERROR_INVALID_INPUT,
                   _("%s: the file is larger than %d MB, the most Chancery imports "
                     "from one JSON file; split it into smaller files"),
                   path, MAX_FILE_SIZE / (1024 * 1024));
      return FALSE;
    }

  if (progress != NULL)
    progress (0.0, progress_data);

  ok = chancery_import_json_data (store, g_mapped_file_get_contents (mapped),
                                  g_mapped_file_get_length (mapped), path, report,
                                  cancellable, error);

  if (ok && progress != NULL)
    progress (1.0, progress_data);

  return ok;
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
