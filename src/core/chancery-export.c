/* chancery-export.c: the export dispatcher, JSON export, atomic files
 *
 * Copyright 2026 The Chancery developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <gio/gunixoutputstream.h>
#include <json-glib/json-glib.h>
#include <string.h>
#include <unistd.h>

#include "chancery-error.h"
#include "chancery-export-private.h"
#include "chancery-store-private.h"

gboolean
chancery_export_format_from_string (const char           *str,
                                    ChanceryExportFormat *format)
{
  if (g_strcmp0 (str, "json") == 0)
    *format = CHANCERY_EXPORT_JSON;
  else if (g_strcmp0 (str, "csv") == 0)
    *format = CHANCERY_EXPORT_CSV;
  else if (g_strcmp0 (str, "ics") == 0)
    *format = CHANCERY_EXPORT_ICS;
  else
    return FALSE;

  return TRUE;
}

/* JSON */

typedef struct
{
  GOutputStream *stream;
  GHashTable    *exported;    /* row ids in this export, for links */
  gboolean       first;
  GCancellable  *cancellable;
} JsonExport;

static void
add_string_member (JsonBuilder *builder,
                   const char  *name,
                   const char  *value)
{
  if (value == NULL)
    return;
  json_builder_set_member_name (builder, name);
  json_builder_add_string_value (builder, value);
}

static void
build_event (JsonBuilder         *builder,
             const ChanceryEvent *event,
             GHashTable          *exported)
{
  json_builder_begin_object (builder);
  add_string_member (builder, "id", event->uid);
  add_string_member (builder, "kind", chancery_kind_to_string (event->kind));
  add_string_member (builder, "status", chancery_status_to_string (event->status));
  add_string_member (builder, "title", event->title);
  add_string_member (builder, "summary", event->summary);
  add_string_member (builder, "date", event->date_text);

  if (event->place_name != NULL)
    {
      json_builder_set_member_name (builder, "place");
      json_builder_begin_object (builder);
      add_string_member (builder, "name", event->place_name);
      add_string_member (builder, "country", event->place_country);
      if (event->has_coordinates)
        {
          json_builder_set_member_name (builder, "lat");
          json_builder_add_double_value (builder, event->latitude);
          json_builder_set_member_name (builder, "lon");
          json_builder_add_double_value (builder, event->longitude);
        }
      json_builder_end_object (builder);
    }

  json_builder_set_member_name (builder, "actors");
  json_builder_begin_array (builder);
  for (guint i = 0; i < event->actors->len; i++)
    {
      const ChanceryEventActor *a = g_ptr_array_index (event->actors, i);

      json_builder_begin_object (builder);
      add_string_member (builder, "actor", a->uid);
      add_string_member (builder, "role", chancery_role_to_string (a->role));
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);

  json_builder_set_member_name (builder, "countries");
  json_builder_begin_array (builder);
  for (guint i = 0; i < event->countries->len; i++)
    json_builder_add_string_value (builder, ((ChanceryEventCountry *) g_ptr_array_index (event->countries, i))->code);
  json_builder_end_array (builder);

  json_builder_set_member_name (builder, "projects");
  json_builder_begin_array (builder);
  for (guint i = 0; i < event->projects->len; i++)
    json_builder_add_string_value (builder, ((ChanceryEventProject *) g_ptr_array_index (event->projects, i))->uid);
  json_builder_end_array (builder);

  json_builder_set_member_name (builder, "sources");
  json_builder_begin_array (builder);
  for (guint i = 0; i < event->sources->len; i++)
    {
      const ChanceryEventSource *s = g_ptr_array_index (event->sources, i);

      json_builder_begin_object (builder);
      add_string_member (builder, "source", s->uid);
      add_string_member (builder, "quote", s->quote);
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);

  /* Only links within the export, so that the file imports on its own. */
  json_builder_set_member_name (builder, "related");
  json_builder_begin_array (builder);
  for (guint i = 0; i < event->links->len; i++)
    {
      const ChanceryEventLink *l = g_ptr_array_index (event->links, i);

      if (!l->outgoing || !g_hash_table_contains (exported, &l->id))
        continue;
      json_builder_begin_object (builder);
      add_string_member (builder, "event", l->uid);
      add_string_member (builder, "relation", l->relation);
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);

  add_string_member (builder, "cameo", event->cameo);
  if (event->importance != 0)
    {
      json_builder_set_member_name (builder, "importance");
      json_builder_add_double_value (builder, event->importance);
    }
  json_builder_end_object (builder);
}

static char *
node_to_string (JsonNode *node)
{
  g_autoptr(JsonGenerator) generator = json_generator_new ();

  json_generator_set_root (generator, node);
  return json_generator_to_data (generator, NULL);
}

static gboolean
write_text (GOutputStream  *stream,
            const char     *text,
            GCancellable   *cancellable,
            GError        **error)
{
  return g_output_stream_write_all (stream, text, strlen (text), NULL, cancellable, error);
}

static gboolean
write_json_event (ChanceryEvent  *event,
                  gpointer        user_data,
                  GError        **error)
{
  JsonExport *export = user_data;
  g_autoptr(JsonBuilder) builder = json_builder_new_immutable ();
  g_autoptr(JsonNode) node = NULL;
  g_autofree char *text = NULL;

  build_event (builder, event, export->exported);
  node = json_builder_get_root (builder);
  text = node_to_string (node);

  if (!write_text (export->stream, export->first ? "\n    " : ",\n    ", export->cancellable, error))
    return FALSE;
  export->first = FALSE;

  return write_text (export->stream, text, export->cancellable, error);
}

/* Record arrays, one record a line: readable, diffable, streamable. */
static gboolean
write_header (ChanceryStore         *store,
              const ChanceryFilter  *filter,
              GOutputStream         *stream,
              GCancellable          *cancellable,
              GError               **error)
{
  g_autoptr(JsonBuilder) builder = json_builder_new_immutable ();
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *name = chancery_store_dup_name (store);
  JsonObjectIter iter;
  const char *member;
  JsonNode *value;

  json_builder_begin_object (builder);
  if (!chancery_store_build_json_records (store, filter, builder, error))
    return FALSE;
  json_builder_end_object (builder);
  root = json_builder_get_root (builder);

  if (!write_text (stream, "{\n  \"format\": \"chancery\",\n  \"version\": 1,\n  \"name\": ", cancellable, error))
    return FALSE;
  {
    g_autoptr(JsonNode) name_node = json_node_init_string (json_node_alloc (), name);
    g_autofree char *quoted = node_to_string (name_node);

    if (!write_text (stream, quoted, cancellable, error))
      return FALSE;
  }

  json_object_iter_init (&iter, json_node_get_object (root));
  while (json_object_iter_next (&iter, &member, &value))
    {
      JsonArray *array = json_node_get_array (value);
      g_autofree char *opening = g_strdup_printf (",\n  \"%s\": [", member);

      if (!write_text (stream, opening, cancellable, error))
        return FALSE;
      for (guint i = 0; i < json_array_get_length (array); i++)
        {
          g_autofree char *text = node_to_string (json_array_get_element (array, i));

          if (!write_text (stream, i == 0 ? "\n    " : ",\n    ", cancellable, error) ||
              !write_text (stream, text, cancellable, error))
            return FALSE;
        }
      if (!write_text (stream, json_array_get_length (array) > 0 ? "\n  ]" : "]", cancellable, error))
        return FALSE;
    }

  return TRUE;
}

static gboolean
export_json (ChanceryStore         *store,
             const ChanceryFilter  *filter,
             GOutputStream         *stream,
             GCancellable          *cancellable,
             GError               **error)
{
  g_autoptr(GHashTable) exported = g_hash_table_new (g_int64_hash, g_int64_equal);
  g_autoptr(GArray) ids = NULL;
  JsonExport export = { stream, exported, TRUE, cancellable };

  if (!(ids = chancery_store_query_ids (store, filter, cancellable, error)))
    return FALSE;
  for (guint i = 0; i < ids->len; i++)
    g_hash_table_add (exported, &g_array_index (ids, gint64, i));

  return write_header (store, filter, stream, cancellable, error) &&
         write_text (stream, ",\n  \"events\": [", cancellable, error) &&
         chancery_store_foreach_event (store, filter, write_json_event, &export, cancellable, error) &&
         write_text (stream, export.first ? "]\n}\n" : "\n  ]\n}\n", cancellable, error);
}

gboolean
chancery_export_to_stream (ChanceryStore         *store,
                           const ChanceryFilter  *filter,
                           ChanceryExportFormat   format,
                           GOutputStream         *stream,
                           GCancellable          *cancellable,
                           GError               **error)
{
  g_autoptr(GOutputStream) buffered = NULL;

  g_return_val_if_fail (CHANCERY_IS_STORE (store), FALSE);
  g_return_val_if_fail (G_IS_OUTPUT_STREAM (stream), FALSE);

  buffered = g_buffered_output_stream_new_sized (stream, 256 * 1024);
  g_filter_output_stream_set_close_base_stream (G_FILTER_OUTPUT_STREAM (buffered), FALSE);

  switch (format)
    {
    case CHANCERY_EXPORT_JSON:
      if (!export_json (store, filter, buffered, cancellable, error))
        return FALSE;
      break;
    /* These write in big chunks of their own: no need for the buffer. */
    case CHANCERY_EXPORT_CSV:
      return chancery_export_csv (store, filter, stream, cancellable, error);
    case CHANCERY_EXPORT_ICS:
      return chancery_export_ics (store, filter, stream, cancellable, error);
    default:
      g_set_error (error, CHANCERY_ERROR, CHANCERY_ERROR_INVALID_INPUT,
                   _("This export format is not available"));
      return FALSE;
    }

  return g_output_stream_flush (buffered, cancellable, error);
}

/* Atomic files */

gboolean
chancery_write_file_atomically (const char         *path,
                                ChanceryWriteFunc   func,
                                gpointer            user_data,
                                GCancellable       *cancellable,
                                GError            **error)
{
  g_autofree char *tmp_path = NULL;
  g_autoptr(GOutputStream) stream = NULL;
  g_autoptr(GError) local_error = NULL;
  int fd;

  g_return_val_if_fail (path != NULL, FALSE);
  g_return_val_if_fail (func != NULL, FALSE);

  if (g_file_test (path, G_FILE_TEST_IS_DIR))
    {
      g_set_error (error, CHANCERY_ERROR, CHANCERY_ERROR_IO, _("%s: is a folder"), path);
      return FALSE;
    }

  /* In the same folder, so the rename cannot cross file systems. */
  tmp_path = g_strdup_printf ("%s.XXXXXX", path);
  fd = g_mkstemp_full (tmp_path, O_WRONLY | O_CLOEXEC, 0644);
  if (fd < 0)
    {
      int saved = errno;

      g_set_error (error, CHANCERY_ERROR, CHANCERY_ERROR_IO,
                   _("%s: cannot write there: %s"), path, g_strerror (saved));
      return FALSE;
    }

  stream = g_unix_output_stream_new (fd, TRUE);
  if (!func (stream, user_data, cancellable, &local_error) ||
      !g_output_stream_flush (stream, cancellable, &local_error) ||
      fsync (fd) != 0 ||
      !g_output_stream_close (stream, cancellable, &local_error) ||
      g_rename (tmp_path, path) != 0)
    {
      int saved = errno;

      g_output_stream_close (stream, NULL, NULL);
      g_unlink (tmp_path);
      if (local_error != NULL)
        {
          g_propagate_prefixed_error (error, g_steal_pointer (&local_error), "%s: ", path);
        }
      else
        g_set_error (error, CHANCERY_ERROR, CHANCERY_ERROR_IO,
                     _("%s: cannot write: %s"), path, g_strerror (saved));
      return FALSE;
    }

  return TRUE;
}

typedef struct
{
  ChanceryStore        *store;
  const ChanceryFilter *filter;
  ChanceryExportFormat  format;
} ExportJob;

static gboolean
write_export (GOutputStream  *stream,
              gpointer        user_data,
              GCancellable   *cancellable,
              GError        **error)
{
  ExportJob *job = user_data;

  return chancery_export_to_stream (job->store, job->filter, job->format, stream, cancellable, error);
}

gboolean
chancery_export_to_file (ChanceryStore         *store,
                         const ChanceryFilter  *filter,
                         ChanceryExportFormat   format,
                         const char            *path,
                         GCancellable          *cancellable,
                         GError               **error)
{
  ExportJob job = { store, filter, format };

  g_return_val_if_fail (CHANCERY_IS_STORE (store), FALSE);
  g_return_val_if_fail (path != NULL, FALSE);

  return chancery_write_file_atomically (path, write_export, &job, cancellable, error);
}
