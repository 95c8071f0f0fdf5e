/* chancery-store.h: the SQLite event store
 *
 * Copyright 2026 The Chancery developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "chancery-event.h"
#include "chancery-filter.h"
#include "chancery-index.h"

G_BEGIN_DECLS

/* Version 1 had no event_link table, no importance and no fingerprint;
 * version 2 kept one position per place name and country. */
#define CHANCERY_SCHEMA_VERSION 3

typedef enum
{
  CHANCERY_STORE_READ_ONLY  = 0,       /* viewing: read-only, defensive */
  CHANCERY_STORE_READ_WRITE = 1 << 0,  /* importing; migrates older schemas */
  CHANCERY_STORE_CREATE     = 1 << 1,  /* with READ_WRITE: create if missing */
} ChanceryStoreFlags;

typedef enum
{
  CHANCERY_FACET_ACTOR,
  CHANCERY_FACET_COUNTRY,
  CHANCERY_FACET_KIND,
  CHANCERY_FACET_STATUS,
  CHANCERY_FACET_PROJECT,
} ChanceryFacetKind;

typedef struct
{
  char  *key;      /* actor uid, country code, kind/status name, project uid */
  char  *label;    /* for people */
  guint  count;    /* matching events under the filter without this facet's own field */
} ChanceryFacet;

void chancery_facet_free (ChanceryFacet *facet);

#define CHANCERY_TYPE_STORE (chancery_store_get_type ())
G_DECLARE_FINAL_TYPE (ChanceryStore, chancery_store, CHANCERY, STORE, GObject)

ChanceryStore *chancery_store_open           (const char         *path,
                                              ChanceryStoreFlags  flags,
                                              GCancellable       *cancellable,
                                              GError            **error);
const char    *chancery_store_get_path       (ChanceryStore      *self);
gboolean       chancery_store_is_writable    (ChanceryStore      *self);
/* The dataset's name for the window title (meta 'name'), else the file's basename. */
char          *chancery_store_dup_name       (ChanceryStore      *self);
gboolean       chancery_store_set_name       (ChanceryStore      *self,
                                              const char         *name,
                                              GError            **error);
guint          chancery_store_count_events   (ChanceryStore      *self,
                                              const ChanceryFilter *filter,
                                              GError            **error);
ChanceryEvent *chancery_store_get_event      (ChanceryStore      *self,
                                              gint64              id,
                                              GError            **error);
ChanceryEvent *chancery_store_get_event_by_uid (ChanceryStore    *self,
                                              const char         *uid,
                                              GError            **error);

typedef gboolean (*ChanceryEventFunc) (ChanceryEvent *event, gpointer user_data, GError **error);

/* Calls func with each matching event, complete, in date order: the
 * event list's order by date (chancery_index_date_order_get_position),
 * where an event with an open start comes where its end point begins.
 * Stops and fails when func returns FALSE (it sets error) or on
 * cancellation. */
gboolean       chancery_store_foreach_event  (ChanceryStore        *self,
                                              const ChanceryFilter *filter,
                                              ChanceryEventFunc     func,
                                              gpointer              user_data,
                                              GCancellable         *cancellable,
                                              GError              **error);
/* Row ids of matching events in date order (as above). */
GArray        *chancery_store_query_ids      (ChanceryStore        *self,
                                              const ChanceryFilter *filter,
                                              GCancellable         *cancellable,
                                              GError              **error);
ChanceryIndex *chancery_store_load_index     (ChanceryStore        *self,
                                              const ChanceryFilter *filter,
                                              ChanceryGrouping      grouping,
                                              GCancellable         *cancellable,
                                              GError              **error);
/* ChanceryFacet*, most frequent first, then by label. */
GPtrArray     *chancery_store_list_facets    (ChanceryStore        *self,
                                              const ChanceryFilter *filter,
                                              ChanceryFacetKind     kind,
                                              GCancellable         *cancellable,
                                              GError              **error);

/* Short strings shown in lists: "Iran, Azerbaijan" and "Abbas Araghchi, ...". */
char          *chancery_store_dup_event_countries (ChanceryStore *self, gint64 id);
char          *chancery_store_dup_event_actors    (ChanceryStore *self, gint64 id);

/* Whether an import --replace may rename a new database over path, which
 * exists: an empty file, or a Chancery database of this version or an
 * older one, that the user may write. Reads the file and changes nothing
 * (no upgrade), except that a hot journal left by a writer that was
 * killed is rolled back, as any open would, so that it is not left beside
 * the file that replaces this one. */
gboolean chancery_store_check_replaceable (const char  *path,
                                           GError     **error);

/* For the core only (import, export, tests). */
struct sqlite3 *chancery_store_get_db        (ChanceryStore      *self);

G_END_DECLS
