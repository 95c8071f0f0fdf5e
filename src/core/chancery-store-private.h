/* chancery-store-private.h: writing into a store (importers only)
 *
 * Copyright 2026 The Chancery developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * An importer is one transaction. Put countries, actors, projects and
 * sources before the events that refer to them; references are by uid
 * (country by code). Event links ("related") may point to events put later
 * in the same import: they are resolved at commit. Nothing is visible to
 * others until commit; abort (or any failed commit) leaves the database as
 * it was.
 */
#pragma once

#include "chancery-store.h"

G_BEGIN_DECLS

typedef enum
{
  CHANCERY_PUT_INSERTED,
  CHANCERY_PUT_UPDATED,
  CHANCERY_PUT_UNCHANGED,
} ChanceryPutResult;

typedef struct _ChanceryImporter ChanceryImporter;

/* cancellable, if not NULL, stops the import's statements, its commit
 * included (the transaction is then rolled back). */
ChanceryImporter *chancery_importer_begin       (ChanceryStore    *store,
                                                 GCancellable     *cancellable,
                                                 GError          **error);
gboolean          chancery_importer_put_country (ChanceryImporter *self,
                                                 const char       *code,
                                                 const char       *name,
                                                 GError          **error);
gboolean          chancery_importer_put_actor   (ChanceryImporter *self,
                                                 const char       *uid,
                                                 const char       *name,
                                                 const char       *title,
                                                 const char       *country,
                                                 GError          **error);
gboolean          chancery_importer_put_project (ChanceryImporter *self,
                                                 const char       *uid,
                                                 const char       *name,
                                                 const char       *description,
                                                 const char * const *countries,
                                                 GError          **error);
gboolean          chancery_importer_put_source  (ChanceryImporter *self,
                                                 const char       *uid,
                                                 const char       *publisher,
                                                 const char       *title,
                                                 const char       *reference,
                                                 const char       *url,
                                                 const char       *published,
                                                 GError          **error);
/* Uses event's uid, kind, status, title, summary, date_text (and date),
 * place_*, coordinates, cameo, importance; actors by uid with role;
 * countries by code; projects by uid; sources by uid with quote; links by
 * uid with relation (outgoing only). id, names and titles of referenced
 * records are ignored. An event with the same uid is replaced, but for
 * its links (see chancery_importer_settle_links). */
gboolean          chancery_importer_put_event   (ChanceryImporter    *self,
                                                 const ChanceryEvent *event,
                                                 ChanceryPutResult   *result,
                                                 GError             **error);
/* put_event keeps the links an event already had that its new version
 * does not list: a file speaks only about links among the events it
 * holds. Once every event of the file is put, this drops the kept links
 * whose target is in event_uids (the uids of the file's events: there the
 * file is right). Without it, every kept link stays (GDELT files hold no
 * links). *n_updated: events put_event called unchanged whose links
 * changed so. */
gboolean          chancery_importer_settle_links (ChanceryImporter  *self,
                                                  GHashTable        *event_uids,
                                                  guint             *n_updated,
                                                  GError           **error);
/* TRUE when a record with this uid/code was put or already exists. */
gboolean          chancery_importer_has_country (ChanceryImporter *self, const char *code);
gboolean          chancery_importer_has_actor   (ChanceryImporter *self, const char *uid);
gboolean          chancery_importer_has_project (ChanceryImporter *self, const char *uid);
gboolean          chancery_importer_has_source  (ChanceryImporter *self, const char *uid);
gboolean          chancery_importer_has_event   (ChanceryImporter *self, const char *uid);
gboolean          chancery_importer_commit      (ChanceryImporter *self,
                                                 GError          **error);
void              chancery_importer_abort       (ChanceryImporter *self);

G_END_DECLS

G_BEGIN_DECLS

/* Calls func for every event that filter selects, with its position in
 * date order (0 for the first, as chancery_store_foreach_event would give
 * them), but in whatever order reads the file fastest: row id order when
 * the filter selects a good part of the store, date order otherwise.
 * *n_events is set to the number of events selected before the first
 * call, and so is *selected (unless NULL) to their row ids, in date
 * order (the caller's to unref, also on failure). The event and everything it points to belong to the store and
 * are valid only during the call (for exports that spool what they
 * write and put it in time order afterwards). */
typedef gboolean (*ChanceryRankedEventFunc) (ChanceryEvent  *event,
                                             guint           rank,
                                             gpointer        user_data,
                                             GError        **error);

gboolean chancery_store_foreach_event_ranked (ChanceryStore            *store,
                                              const ChanceryFilter     *filter,
                                              guint                    *n_events,
                                              GArray                  **selected,
                                              ChanceryRankedEventFunc   func,
                                              gpointer                  user_data,
                                              GCancellable             *cancellable,
                                              GError                  **error);

/* Opening a file for viewing without waiting for the whole-file check
 * (PRAGMA quick_check reads all of it: seconds for a big file). As
 * chancery_store_open (path, CHANCERY_STORE_READ_ONLY, ...), except that a
 * file that has not passed the check before is opened without it and
 * *checked is set to FALSE: the caller shows it and must run
 * chancery_store_check_file() on it, and stop showing it when that fails.
 * A file that must be written first (an older schema to upgrade, a hot
 * journal to roll back) is checked here, before anything is written; then,
 * and for a file that passed before, *checked is TRUE. */
ChanceryStore *chancery_store_open_for_viewing (const char    *path,
                                                gboolean      *checked,
                                                GCancellable  *cancellable,
                                                GError       **error);

/* Runs the whole-file check (quick_check) on its own read-only connection
 * (any thread; cancellable). A file that passes is remembered, as
 * chancery_store_open() does, unless it changed meanwhile; a file that
 * fails gets a CHANCERY_ERROR_CORRUPT (or another) error naming it, and
 * the cache of what was read from it is dropped. */
gboolean       chancery_store_check_file       (const char    *path,
                                                GCancellable  *cancellable,
                                                GError       **error);
/* The same for the file shown by shown (a store opened for viewing), from
 * its name: fails (CHANCERY_ERROR_IO) without checking when another file
 * has taken that name since shown opened it. */
gboolean       chancery_store_check_shown_file (ChanceryStore *shown,
                                                GCancellable  *cancellable,
                                                GError       **error);
/* FALSE when self and other know the files they opened (device and
 * inode) and these differ: another file took the name in between. Sets
 * error then, naming the file. */
gboolean       chancery_store_reads_same_file  (ChanceryStore *self,
                                                ChanceryStore *other,
                                                GError       **error);

/* Waits until the cache files that read-only stores are writing in
 * threads (see chancery-store-base.c) are complete. */
void           chancery_store_wait_for_caches  (void);

/* Creates an empty database at an older schema version, for migration
 * tests. Fails if path exists. */
gboolean chancery_store_create_at_version (const char  *path,
                                           int          version,
                                           GError     **error);

G_END_DECLS

G_BEGIN_DECLS

/* The records an export refers to (the JSON exporter's header). */
typedef enum
{
  CHANCERY_RECORD_COUNTRY,   /* code, name */
  CHANCERY_RECORD_ACTOR,     /* uid, name, title, country */
  CHANCERY_RECORD_SOURCE,    /* uid, publisher, title, reference, url, published */
  CHANCERY_RECORD_PROJECT,   /* uid, name, description, country codes joined by commas */
  CHANCERY_N_RECORD_KINDS
} ChanceryRecordKind;

/* values[0 .. n) in the order above, NULL where the record has none. */
typedef gboolean (*ChanceryRecordFunc) (const char * const  *values,
                                        int                  n,
                                        gpointer             user_data,
                                        GError             **error);

/* Calls func for the record of kind with each key (country code or uid)
 * in keys, in that order; a key without a record is passed over. All in
 * one read transaction, with the store's lock held: func must not call
 * the store. Text that is not UTF-8 is repaired (chancery-utf8.c). */
gboolean chancery_store_foreach_record (ChanceryStore        *store,
                                        ChanceryRecordKind    kind,
                                        const char * const   *keys,
                                        guint                 n_keys,
                                        ChanceryRecordFunc    func,
                                        gpointer              user_data,
                                        GError              **error);

/* The keys (country codes or uids) of every record of kind in the store,
 * in no particular order: an export with no filter writes them all. */
GPtrArray *chancery_store_dup_record_keys (ChanceryStore       *store,
                                           ChanceryRecordKind   kind,
                                           GError             **error);

G_END_DECLS
