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

  /* Facet counts in memory (read-only stores): see facets_in_memory(). */
  gint64          facts_version;   /* PRAGMA data_version they belong to */
  ChanceryIndex  *last_index;      /* the last index built, and its filter */
  ChanceryFilter *last_filter;
  gboolean        have_all_counts; /* kinds and statuses of all events */
  guint           all_kinds[CHANCERY_N_KINDS];
  guint           all_statuses[CHANCERY_N_STATUSES];
  struct _Relation *relations[3];  /* actor, country, project; NULL until needed */
};

G_DEFINE_AUTOPTR_CLEANUP_FUNC (sqlite3_stmt, sqlite3_finalize)

G_GNUC_INTERNAL
gboolean set_sqlite_error (GError **error, sqlite3 *db, int rc, const char *path);
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
G_GNUC_INTERNAL
void remember_index (ChanceryStore *self, const ChanceryFilter *filter, ChanceryIndex *index);
G_GNUC_INTERNAL
void bind_text_or_null (sqlite3_stmt *stmt, int column, const char *text);

G_END_DECLS
