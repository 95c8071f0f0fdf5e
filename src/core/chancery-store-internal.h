/* chancery-store-internal.h: shared by the store's source files only
 *
 * Copyright 2026 The Chancery developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * chancery-store.c opens files and runs migrations, chancery-store-query.c
 * reads events, indexes and facets, chancery-store-write.c imports.
 */
#pragma once

#include <sqlite3.h>

#include "chancery-store-private.h"
#include "chancery-utf8.h"

G_BEGIN_DECLS

/* Limits for files from elsewhere: generous for real data, small enough
 * that a hostile file cannot make us allocate gigabytes. */
#define MAX_VALUE_LENGTH  (10 * 1024 * 1024)

struct _ChanceryStore
{
  GObject       parent_instance;

  sqlite3      *db;
  char         *path;
  gboolean      writable;
  GHashTable   *statements;   /* SQL text -> sqlite3_stmt* */
  GRecMutex     mutex;        /* one call at a time: statements are shared */
  GCancellable *cancellable;  /* of the running call, for the progress handler */
  /* The file the connection opened, as stat() saw it just after: extra
   * connections, opened by name, must open that one (same_file_as_store) */
  guint64       file_dev;
  guint64       file_ino;
  gboolean      file_known;

  /* Read-only stores answer indexes and facets from memory: see
   * chancery-store-base.c. */
  gint64               base_version;    /* PRAGMA data_version of what follows */
  gint64               base_checked_at; /* monotonic µs when base_version was last seen current */
  struct _ChanceryBase *base;           /* NULL until needed */
  gboolean             base_failed;     /* unusable for this version: SQL */
  ChanceryFilter      *facet_filter;    /* facet counts below are for it */
  guint               *facet_counts[5]; /* by ChanceryFacetKind */
  guint                facet_n[5];
  char                *text_query;      /* FTS expression of text_match */
  guint8              *text_match;      /* by base position */
};

G_DEFINE_AUTOPTR_CLEANUP_FUNC (sqlite3_stmt, sqlite3_finalize)

G_GNUC_INTERNAL
gboolean set_sqlite_error (GError **error, sqlite3 *db, int rc, const char *path);
/* After sqlite3_step(): FALSE for a row or the end, else sets error, TRUE. */
G_GNUC_INTERNAL
gboolean sqlite_step_failed (GError **error, sqlite3 *db, int rc, const char *path);
G_GNUC_INTERNAL
sqlite3_stmt * get_statement (ChanceryStore *self, const char *sql, GError **error);
G_GNUC_INTERNAL
gboolean exec_sql (ChanceryStore *self, const char *sql, GError **error);
G_GNUC_INTERNAL
char * dup_column_text (sqlite3_stmt *stmt, int column);
G_GNUC_INTERNAL
int query_int (ChanceryStore *self, const char *sql, GError **error);
G_GNUC_INTERNAL
gboolean run_migrations (ChanceryStore *self, int from, int to, GError **error);
G_GNUC_INTERNAL
gboolean open_connection (ChanceryStore *self, ChanceryStoreFlags flags, GError **error);
/* A second read-only connection on the store's file for reading in bulk
 * (in any one thread): hardened as the store's, no per-call mutex, inside
 * a read transaction already begun (end it with COMMIT). NULL when the
 * file is busy or cannot be opened, or when its name now names another
 * file than the store's (same_file_as_store). */
G_GNUC_INTERNAL
sqlite3 * open_reader_connection (ChanceryStore *self);
/* Whether the store's path still names the file its connection opened.
 * Called once a new connection by that name holds its read lock: if
 * another program renamed a new database over the name (import
 * --replace), the new connection reads another file and must be closed,
 * or what it reads would be mixed with what the store reads. */
G_GNUC_INTERNAL
gboolean  same_file_as_store     (ChanceryStore *self);
/* sqlite3_open_v2() of the file at path, as a file name: a relative path
 * is given as "./path", so that Debian's SQLite (built to accept URI file
 * names) never reads "file:x" as a URI. ":memory:" alone is a database in
 * memory, for tests; the CLI turns a --database of that name into a file. */
int       chancery_sqlite_open   (const char *path,
                                  sqlite3   **db,
                                  int         flags);
G_GNUC_INTERNAL
void append_conditions (GString *sql, GArray *binds, const ChanceryFilter *filter, int skip);
G_GNUC_INTERNAL
sqlite3_stmt * prepare_with_binds (ChanceryStore *self, const char *sql, GArray *binds, GError **error);
G_GNUC_INTERNAL
GArray * new_binds (void);
G_GNUC_INTERNAL
void begin_call (ChanceryStore *self, GCancellable *cancellable);
G_GNUC_INTERNAL
void end_call (ChanceryStore *self);
G_GNUC_INTERNAL
void forget_facts (ChanceryStore *self);
/* NULL and no error when the store cannot answer from memory (writable,
 * sparse row ids): the caller uses SQL. Locked. */
G_GNUC_INTERNAL
ChanceryIndex * base_load_index (ChanceryStore *self, const ChanceryFilter *filter,
                                 ChanceryGrouping grouping, GError **error);
G_GNUC_INTERNAL
GPtrArray * base_list_facets (ChanceryStore *self, const ChanceryFilter *filter,
                              ChanceryFacetKind kind, GError **error);
/* The names of an event's actors (by role, then name) or countries (by
 * name), joined with ", ", from a base already built; NULL when there is
 * none, it does not hold the event, or it was seen to be out of date (the
 * caller uses SQL). Whether it is current is asked at most every 100 ms.
 * Locked. */
G_GNUC_INTERNAL
char * base_dup_event_names (ChanceryStore *self, ChanceryFacetKind kind, gint64 id);
/* "size mtime ctime inode device counters" of a file; NULL when unreadable
 * or, for_recording, changed less than 2 s ago. */
G_GNUC_INTERNAL
char * store_file_stamp (const char *path, gboolean for_recording);
G_GNUC_INTERNAL
char * store_path_key (const char *path);
/* Removes the base cache file of the database at path, if any. */
G_GNUC_INTERNAL
void base_cache_discard (const char *path);
G_GNUC_INTERNAL
void bind_text_or_null (sqlite3_stmt *stmt, int column, const char *text);
G_GNUC_INTERNAL
const char * none_lane_label (ChanceryGrouping grouping);

G_END_DECLS
