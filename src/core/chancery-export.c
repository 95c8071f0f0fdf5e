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
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "chancery-error.h"
#include "chancery-export-private.h"
#include "chancery-output-file.h"
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

/* JSON
 *
 * The file starts with the records that the events refer to (countries,
 * actors, sources, projects), so that it imports in one pass; which they
 * are is known only once every event has been read. So the events are read
 * in the order that reads the store fastest and wait in the export spool
 * (chancery-export-spool.c, memory then a temporary file) while the uids
 * they name are gathered; then the records are looked up by key and
 * written, and the events after them, in time order. */

/* Write when this much is buffered: few, big writes. */
#define JSON_CHUNK_SIZE (256 * 1024)

typedef struct
{
  GOutputStream  *out;
  GString        *buf;
  GCancellable   *cancellable;
  GHashTable     *keys[CHANCERY_N_RECORD_KINDS];  /* owned strings */
  GArray         *selected;   /* the events exported, in time order */
  GArray         *ids;        /* the same sorted, made at the first event: links stay inside */
  GString        *projects;   /* the projects' records, written last */
  gboolean        first;      /* no record written yet in this array */
  gboolean        everything; /* no filter: every record, used or not */
} JsonExport;

/* JSON text is written here rather than built as json-glib trees and
 * generated: at a million events the trees took 40 % of the export. The
 * text is what json-glib 1.6 writes (tests/test-export.c compares them),
 * except where json-glib's is not valid JSON: U+001F is escaped, and a
 * double in exponent form gets no ".0" ("1e+22", not "1e+22.0"). */
void
chancery_json_append_string (GString    *buf,
                             const char *text)
{
  static const char hex[] = "0123456789abcdef";
  const char *p = text;

  g_string_append_c (buf, '"');
  while (*p != '\0')
    {
      const char *run = p;
      unsigned char c;

      /* Most text needs no escape: copy it in runs. */
      while ((c = (unsigned char) *p) >= 0x20 && c != '"' && c != '\\' && c != 0x7f)
        p++;
      if (p > run)
        g_string_append_len (buf, run, p - run);
      if (c == '\0')
        break;
      switch (c)
        {
        case '"': g_string_append_len (buf, "\\\"", 2); break;
        case '\\': g_string_append_len (buf, "\\\\", 2); break;
        case '\b': g_string_append_len (buf, "\\b", 2); break;
        case '\f': g_string_append_len (buf, "\\f", 2); break;
        case '\n': g_string_append_len (buf, "\\n", 2); break;
        case '\r': g_string_append_len (buf, "\\r", 2); break;
        case '\t': g_string_append_len (buf, "\\t", 2); break;
        default:
          g_string_append_len (buf, "\\u00", 4);
          g_string_append_c (buf, hex[c >> 4]);
          g_string_append_c (buf, hex[c & 0xf]);
          break;
        }
      p++;
    }
  g_string_append_c (buf, '"');
}

void
chancery_json_append_double (GString *buf,
                             double   value)
{
  char text[G_ASCII_DTOSTR_BUF_SIZE];

  g_ascii_formatd (text, sizeof text, "%.17g", value);
  g_string_append (buf, text);
  if (strpbrk (text, ".en") == NULL)
    g_string_append_len (buf, ".0", 2);
}

/* "name":value, after a comma unless it is the object's first member. */
static void
append_name (GString    *buf,
             gboolean   *first,
             const char *name)
{
  if (!*first)
    g_string_append_c (buf, ',');
  *first = FALSE;
  g_string_append_c (buf, '"');
  g_string_append (buf, name);
  g_string_append_len (buf, "\":", 2);
}

/* A string member; none when value is NULL. */
static void
append_member (GString    *buf,
               gboolean   *first,
               const char *name,
               const char *value)
{
  if (value == NULL)
    return;
  append_name (buf, first, name);
  chancery_json_append_string (buf, value);
}

static int
compare_ids (const void *a,
             const void *b)
{
  gint64 x = *(const gint64 *) a, y = *(const gint64 *) b;

  return (x > y) - (x < y);
}

static gboolean
is_exported (const JsonExport *export,
             gint64            id)
{
  return bsearch (&id, export->ids->data, export->ids->len, sizeof (gint64), compare_ids) != NULL;
}

static void
note_key (JsonExport         *export,
          ChanceryRecordKind  kind,
          const char         *key)
{
  if (key != NULL && !g_hash_table_contains (export->keys[kind], key))
    g_hash_table_add (export->keys[kind], g_strdup (key));
}

/* The records an event refers to, for the header. */
static void
note_records (JsonExport          *export,
              const ChanceryEvent *event)
{
  note_key (export, CHANCERY_RECORD_COUNTRY, event->place_country);
  for (guint i = 0; i < event->actors->len; i++)
    {
      const ChanceryEventActor *a = g_ptr_array_index (event->actors, i);

      note_key (export, CHANCERY_RECORD_ACTOR, a->uid);
      note_key (export, CHANCERY_RECORD_COUNTRY, a->country);
    }
  for (guint i = 0; i < event->countries->len; i++)
    note_key (export, CHANCERY_RECORD_COUNTRY,
              ((ChanceryEventCountry *) g_ptr_array_index (event->countries, i))->code);
  for (guint i = 0; i < event->projects->len; i++)
    note_key (export, CHANCERY_RECORD_PROJECT,
              ((ChanceryEventProject *) g_ptr_array_index (event->projects, i))->uid);
  for (guint i = 0; i < event->sources->len; i++)
    note_key (export, CHANCERY_RECORD_SOURCE,
              ((ChanceryEventSource *) g_ptr_array_index (event->sources, i))->uid);
}

static void
append_event (GString             *buf,
              const ChanceryEvent *event,
              const JsonExport    *export)
{
  gboolean first = TRUE, first_link = TRUE;

  g_string_append_c (buf, '{');
  append_member (buf, &first, "id", event->uid);
  append_member (buf, &first, "kind", chancery_kind_to_string (event->kind));
  append_member (buf, &first, "status", chancery_status_to_string (event->status));
  append_member (buf, &first, "title", event->title);
  append_member (buf, &first, "summary", event->summary);
  append_member (buf, &first, "date", event->date_text);

  if (event->place_name != NULL)
    {
      gboolean first_place = TRUE;

      append_name (buf, &first, "place");
      g_string_append_c (buf, '{');
      append_member (buf, &first_place, "name", event->place_name);
      append_member (buf, &first_place, "country", event->place_country);
      if (event->has_coordinates)
        {
          append_name (buf, &first_place, "lat");
          chancery_json_append_double (buf, event->latitude);
          append_name (buf, &first_place, "lon");
          chancery_json_append_double (buf, event->longitude);
        }
      g_string_append_c (buf, '}');
    }

  append_name (buf, &first, "actors");
  g_string_append_c (buf, '[');
  for (guint i = 0; i < event->actors->len; i++)
    {
      const ChanceryEventActor *a = g_ptr_array_index (event->actors, i);
      gboolean first_actor = TRUE;

      g_string_append (buf, i > 0 ? ",{" : "{");
      append_member (buf, &first_actor, "actor", a->uid);
      append_member (buf, &first_actor, "role", chancery_role_to_string (a->role));
      g_string_append_c (buf, '}');
    }
  g_string_append_c (buf, ']');

  append_name (buf, &first, "countries");
  g_string_append_c (buf, '[');
  for (guint i = 0; i < event->countries->len; i++)
    {
      if (i > 0)
        g_string_append_c (buf, ',');
      chancery_json_append_string (buf, ((ChanceryEventCountry *) g_ptr_array_index (event->countries, i))->code);
    }
  g_string_append_c (buf, ']');

  append_name (buf, &first, "projects");
  g_string_append_c (buf, '[');
  for (guint i = 0; i < event->projects->len; i++)
    {
      if (i > 0)
        g_string_append_c (buf, ',');
      chancery_json_append_string (buf, ((ChanceryEventProject *) g_ptr_array_index (event->projects, i))->uid);
    }
  g_string_append_c (buf, ']');

  append_name (buf, &first, "sources");
  g_string_append_c (buf, '[');
  for (guint i = 0; i < event->sources->len; i++)
    {
      const ChanceryEventSource *source = g_ptr_array_index (event->sources, i);
      gboolean first_source = TRUE;

      g_string_append (buf, i > 0 ? ",{" : "{");
      append_member (buf, &first_source, "source", source->uid);
      append_member (buf, &first_source, "quote", source->quote);
      g_string_append_c (buf, '}');
    }
  g_string_append_c (buf, ']');

  /* Only links within the export, so that the file imports on its own. */
  append_name (buf, &first, "related");
  g_string_append_c (buf, '[');
  for (guint i = 0; i < event->links->len; i++)
    {
      const ChanceryEventLink *l = g_ptr_array_index (event->links, i);
      gboolean first_member = TRUE;

      if (!l->outgoing || !is_exported (export, l->id))
        continue;
      g_string_append (buf, first_link ? "{" : ",{");
      first_link = FALSE;
      append_member (buf, &first_member, "event", l->uid);
      append_member (buf, &first_member, "relation", l->relation);
      g_string_append_c (buf, '}');
    }
  g_string_append_c (buf, ']');

  append_member (buf, &first, "cameo", event->cameo);
  if (event->importance != 0)
    {
      append_name (buf, &first, "importance");
      chancery_json_append_double (buf, event->importance);
    }
  g_string_append_c (buf, '}');
}

/* One event, after the separator that chancery_export_spool_write leaves
 * out before the first. */
static gboolean
format_json_event (GString             *buf,
                   const ChanceryEvent *event,
                   gpointer             user_data,
                   GError             **error)
{
  JsonExport *export = user_data;

  if (export->ids == NULL)
    {
      /* The store sets selected before the first event. */
      export->ids = g_array_sized_new (FALSE, FALSE, sizeof (gint64), export->selected->len);
      g_array_append_vals (export->ids, export->selected->data, export->selected->len);
      g_array_sort (export->ids, compare_ids);
      g_clear_pointer (&export->selected, g_array_unref);
    }
  note_records (export, event);
  g_string_append_len (buf, ",\n    ", 6);
  append_event (buf, event, export);
  return TRUE;
}

/* A record of the header, one a line: readable, diffable, streamable. */
static const char * const record_members[CHANCERY_N_RECORD_KINDS][7] = {
  [CHANCERY_RECORD_COUNTRY] = { "code", "name", NULL },
  [CHANCERY_RECORD_ACTOR] = { "id", "name", "title", "country", NULL },
  [CHANCERY_RECORD_SOURCE] = { "id", "publisher", "title", "reference", "url", "published", NULL },
  [CHANCERY_RECORD_PROJECT] = { "id", "name", "description", "countries", NULL },
};

static void
append_record (JsonExport         *export,
               GString            *buf,
               ChanceryRecordKind  kind,
               const char * const *values,
               int                 n)
{
  const char * const *names = record_members[kind];
  gboolean first = TRUE;

  g_string_append (buf, export->first ? "\n    {" : ",\n    {");
  export->first = FALSE;
  for (int i = 0; i < n && names[i] != NULL; i++)
    {
      if (values[i] == NULL)
        continue;
      if (g_str_equal (names[i], "countries"))
        {
          g_auto(GStrv) codes = g_strsplit (values[i], ",", -1);

          append_name (buf, &first, names[i]);
          g_string_append_c (buf, '[');
          for (guint c = 0; codes[c] != NULL; c++)
            {
              if (c > 0)
                g_string_append_c (buf, ',');
              chancery_json_append_string (buf, codes[c]);
            }
          g_string_append_c (buf, ']');
        }
      else
        append_member (buf, &first, names[i], values[i]);
    }
  g_string_append_c (buf, '}');
}

typedef struct
{
  JsonExport         *export;
  ChanceryRecordKind  kind;
} RecordWriter;

static gboolean
write_record_cb (const char * const  *values,
                 int                  n,
                 gpointer             user_data,
                 GError             **error)
{
  RecordWriter *writer = user_data;
  JsonExport *export = writer->export;

  if (g_cancellable_set_error_if_cancelled (export->cancellable, error))
    return FALSE;
  append_record (export, export->buf, writer->kind, values, n);
  return chancery_export_flush (export->out, export->buf, JSON_CHUNK_SIZE,
                                export->cancellable, error);
}

/* Projects are written last but their countries belong to the first
 * array: they are formatted aside first. */
static gboolean
format_project_cb (const char * const  *values,
                   int                  n,
                   gpointer             user_data,
                   GError             **error)
{
  JsonExport *export = user_data;

  if (g_cancellable_set_error_if_cancelled (export->cancellable, error))
    return FALSE;
  if (n > 3 && values[3] != NULL)
    {
      g_auto(GStrv) codes = g_strsplit (values[3], ",", -1);

      for (guint c = 0; codes[c] != NULL; c++)
        note_key (export, CHANCERY_RECORD_COUNTRY, codes[c]);
    }
  append_record (export, export->projects, CHANCERY_RECORD_PROJECT, values, n);
  return TRUE;
}

static int
compare_keys (const void *a,
              const void *b)
{
  return strcmp (*(const char * const *) a, *(const char * const *) b);
}

/* The keys gathered for kind, sorted (the records' order in the file). */
static const char **
sorted_keys (JsonExport         *export,
             ChanceryRecordKind  kind,
             guint              *n_keys)
{
  const char **keys = (const char **) g_hash_table_get_keys_as_array (export->keys[kind], n_keys);

  qsort (keys, *n_keys, sizeof (char *), compare_keys);
  return keys;
}

static gboolean
write_records (JsonExport         *export,
               ChanceryStore      *store,
               ChanceryRecordKind  kind,
               const char         *member,
               GError            **error)
{
  g_autofree const char **keys = NULL;
  RecordWriter writer = { export, kind };
  guint n_keys;

  g_string_append_printf (export->buf, ",\n  \"%s\": [", member);
  export->first = TRUE;
  if (kind == CHANCERY_RECORD_PROJECT)
    {
      g_string_append_len (export->buf, export->projects->str, export->projects->len);
      export->first = export->projects->len == 0;
    }
  else
    {
      keys = sorted_keys (export, kind, &n_keys);
      if (!chancery_store_foreach_record (store, kind, keys, n_keys, write_record_cb, &writer, error))
        return FALSE;
    }
  g_string_append (export->buf, export->first ? "]" : "\n  ]");
  return TRUE;
}

/* An export of the whole store holds every record, also those no event
 * refers to (a country listed for completeness, an actor whose events
 * were corrected away), so that the file brings back the same store. */
static gboolean
note_all_records (JsonExport     *export,
                  ChanceryStore  *store,
                  GError        **error)
{
  for (guint kind = 0; kind < CHANCERY_N_RECORD_KINDS; kind++)
    {
      g_autoptr(GPtrArray) keys = chancery_store_dup_record_keys (store, kind, error);

      if (keys == NULL)
        return FALSE;
      for (guint i = 0; i < keys->len; i++)
        note_key (export, kind, g_ptr_array_index (keys, i));
    }

  return TRUE;
}

static gboolean
write_header (JsonExport     *export,
              ChanceryStore  *store,
              GError        **error)
{
  g_autofree char *name = chancery_store_dup_name (store);
  g_autofree const char **projects = NULL;
  guint n_projects;

  if (export->everything && !note_all_records (export, store, error))
    return FALSE;

  g_string_append (export->buf, "{\n  \"format\": \"chancery\",\n  \"version\": 1,\n  \"name\": ");
  chancery_json_append_string (export->buf, name);

  projects = sorted_keys (export, CHANCERY_RECORD_PROJECT, &n_projects);
  export->first = TRUE;
  if (!chancery_store_foreach_record (store, CHANCERY_RECORD_PROJECT, projects, n_projects,
                                      format_project_cb, export, error))
    return FALSE;

  return write_records (export, store, CHANCERY_RECORD_COUNTRY, "countries", error) &&
         write_records (export, store, CHANCERY_RECORD_ACTOR, "actors", error) &&
         write_records (export, store, CHANCERY_RECORD_SOURCE, "sources", error) &&
         write_records (export, store, CHANCERY_RECORD_PROJECT, "projects", error);
}

gboolean
chancery_export_json_with_budget (ChanceryStore         *store,
                                  const ChanceryFilter  *filter,
                                  gsize                  spool_memory,
                                  GOutputStream         *out,
                                  GCancellable          *cancellable,
                                  GError               **error)
{
  g_autoptr(GString) buf = g_string_sized_new (JSON_CHUNK_SIZE + 64 * 1024);
  g_autoptr(GString) projects = g_string_new (NULL);
  g_autoptr(ChanceryExportSpool) spool = NULL;
  JsonExport export = { out, buf, cancellable, { NULL, }, NULL, NULL, projects, TRUE,
                        filter == NULL || chancery_filter_is_empty (filter) };
  gboolean ok;

  g_return_val_if_fail (CHANCERY_IS_STORE (store), FALSE);
  g_return_val_if_fail (G_IS_OUTPUT_STREAM (out), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  for (guint k = 0; k < CHANCERY_N_RECORD_KINDS; k++)
    export.keys[k] = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);

  spool = chancery_export_spool_new (out, buf, spool_memory, TRUE, format_json_event, &export, cancellable);
  ok = chancery_export_spool_read (spool, store, filter, &export.selected, error) &&
       write_header (&export, store, error);
  if (ok)
    {
      gboolean any = chancery_export_spool_get_n_events (spool) > 0;

      g_string_append (buf, ",\n  \"events\": [");
      ok = chancery_export_spool_write (spool, 1, error);
      if (ok)
        {
          g_string_append (buf, any ? "\n  ]\n}\n" : "]\n}\n");
          ok = chancery_export_flush (out, buf, 0, cancellable, error);
        }
    }

  for (guint k = 0; k < CHANCERY_N_RECORD_KINDS; k++)
    g_hash_table_unref (export.keys[k]);
  g_clear_pointer (&export.selected, g_array_unref);
  g_clear_pointer (&export.ids, g_array_unref);

  return ok;
}

gboolean
chancery_export_to_stream (ChanceryStore         *store,
                           const ChanceryFilter  *filter,
                           ChanceryExportFormat   format,
                           GOutputStream         *stream,
                           GCancellable          *cancellable,
                           GError               **error)
{
  g_return_val_if_fail (CHANCERY_IS_STORE (store), FALSE);
  g_return_val_if_fail (G_IS_OUTPUT_STREAM (stream), FALSE);

  /* Each writes in big chunks of its own. */
  switch (format)
    {
    case CHANCERY_EXPORT_JSON:
      return chancery_export_json_with_budget (store, filter, CHANCERY_EXPORT_SPOOL_MEMORY,
                                               stream, cancellable, error);
    case CHANCERY_EXPORT_CSV:
      return chancery_export_csv (store, filter, stream, cancellable, error);
    case CHANCERY_EXPORT_ICS:
      return chancery_export_ics (store, filter, stream, cancellable, error);
    default:
      g_set_error (error, CHANCERY_ERROR, CHANCERY_ERROR_INVALID_INPUT,
                   _("This export format is not available"));
      return FALSE;
    }
}

/* Atomic files */

gboolean
chancery_export_check_target (ChanceryStore  *store,
                              const char     *path,
                              GError        **error)
{
  g_return_val_if_fail (CHANCERY_IS_STORE (store), FALSE);
  g_return_val_if_fail (path != NULL, FALSE);

  if (chancery_output_file_is_database (path, chancery_store_get_path (store)))
    {
      g_set_error (error, CHANCERY_ERROR, CHANCERY_ERROR_INVALID_INPUT,
                   _("%s: is the database being exported; choose another file"), path);
      return FALSE;
    }
  return TRUE;
}

gboolean
chancery_write_file_atomically (const char         *path,
                                ChanceryWriteFunc   func,
                                gpointer            user_data,
                                GCancellable       *cancellable,
                                GError            **error)
{
  ChanceryOutputFile file;
  g_autoptr(GOutputStream) stream = NULL;
  g_autoptr(GError) local_error = NULL;
  int saved = 0;

  g_return_val_if_fail (path != NULL, FALSE);
  g_return_val_if_fail (func != NULL, FALSE);

  if (!chancery_output_file_open (&file, path, error))
    return FALSE;

  /* The stream only borrows the descriptor: commit closes it. */
  stream = g_unix_output_stream_new (file.fd, FALSE);
  if (!func (stream, user_data, cancellable, &local_error) ||
      !g_output_stream_flush (stream, cancellable, &local_error) ||
      !chancery_output_file_commit (&file, &saved))
    {
      chancery_output_file_abort (&file);
      g_free (file.path);
      if (local_error != NULL)
        g_propagate_prefixed_error (error, g_steal_pointer (&local_error), "%s: ", path);
      else
        {
          if (saved == 0)
            saved = EIO;
          g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved),
                       _("%s: cannot write: %s"), path, g_strerror (saved));
        }
      return FALSE;
    }

  g_free (file.path);
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

  if (!chancery_export_check_target (store, path, error))
    return FALSE;

  return chancery_write_file_atomically (path, write_export, &job, cancellable, error);
}
