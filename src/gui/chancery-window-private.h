/* chancery-window-private.h: the window's work off the main thread
 *
 * Copyright 2026 The Chancery developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Opening a file (and importing JSON) and building an index with its
 * counts run in GTask threads. A ChanceryWorker owns the store connection
 * that queries use, one query at a time under its mutex; the connection
 * opens lazily, on a worker thread.
 */
#pragma once

#include <gio/gio.h>

#include "chancery-store.h"

G_BEGIN_DECLS

#define CHANCERY_N_FACETS (CHANCERY_FACET_PROJECT + 1)

typedef struct
{
  gatomicrefcount  ref_count;
  GMutex           mutex;
  char            *path;
  ChanceryStore   *shown;    /* the window's store: store must read its file */
  ChanceryStore   *store;    /* opened lazily, on a worker thread */
} ChanceryWorker;

typedef struct
{
  ChanceryIndex *index;
  GPtrArray     *facets[CHANCERY_N_FACETS];   /* ChanceryFacet*; NULL = not computed */
} ChanceryQueryResult;

/* Task data of chancery_open_job_thread(). */
typedef struct
{
  GFile               *file;
  ChanceryGrouping     grouping;
  int                  progress;     /* permille, atomic; -1 = unknown */
  ChanceryStore       *store;        /* result: opened read-only */
  gboolean             checked;      /* result: passed quick_check (now or before);
                                      * if not, check it in the background */
  gboolean             imported;     /* result: file was JSON */
  guint                n_imported;
  ChanceryQueryResult  result;       /* result: unfiltered index (counts come later) */
  /* Started before its task (chancery_open_job_start): */
  GThread             *early;        /* runs the job; joined by the task's thread */
  GCancellable        *early_cancellable;
  gboolean             early_ok;
  GError              *early_error;
} ChanceryOpenJob;

/* Task data of chancery_query_job_thread(). */
typedef struct
{
  ChanceryWorker      *worker;
  ChanceryFilter      *filter;
  ChanceryGrouping     grouping;
  gboolean             want_index;
  gboolean             want_facets;
  ChanceryQueryResult  result;
} ChanceryQueryJob;

ChanceryWorker *chancery_worker_new         (ChanceryStore       *shown);
ChanceryWorker *chancery_worker_ref         (ChanceryWorker      *worker);
void            chancery_worker_unref       (ChanceryWorker      *worker);

void            chancery_query_result_clear (ChanceryQueryResult *result);
/* Takes references to what src has (index, computed counts) into dest. */
void            chancery_query_result_keep  (ChanceryQueryResult       *dest,
                                             const ChanceryQueryResult *src);

/* Starts running job in a thread of its own now, before its task exists:
 * the application starts reading the file it opens while the window is
 * built. chancery_open_job_thread() then waits for it (cancelling it if
 * the task is cancelled); freeing a job never given to a task stops it. */
void            chancery_open_job_start     (ChanceryOpenJob     *job);
void            chancery_open_job_free      (ChanceryOpenJob     *job);
void            chancery_query_job_free     (ChanceryQueryJob    *job);

/* GTaskThreadFuncs; each returns a boolean or an error. */
void            chancery_open_job_thread    (GTask               *task,
                                             gpointer             source_object,
                                             gpointer             task_data,
                                             GCancellable        *cancellable);
void            chancery_query_job_thread   (GTask               *task,
                                             gpointer             source_object,
                                             gpointer             task_data,
                                             GCancellable        *cancellable);
/* Task data: the path (a char*). The whole-file check of a dataset that
 * was opened without it (chancery_store_check_file()). */
void            chancery_check_job_thread   (GTask               *task,
                                             gpointer             source_object,
                                             gpointer             task_data,
                                             GCancellable        *cancellable);

/* What the open job does, without a GTask: opens job->file for viewing
 * (importing JSON first) and builds the unfiltered index, as the window
 * does (the benchmark times it). */
gboolean        chancery_open_job_run       (ChanceryOpenJob     *job,
                                             GCancellable        *cancellable,
                                             GError             **error);

/* For tests: TRUE while the background check of the dataset shown runs. */
typedef struct _ChanceryWindow ChanceryWindow;
gboolean        chancery_window_get_checking (ChanceryWindow     *self);

G_END_DECLS
