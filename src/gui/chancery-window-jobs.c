/* chancery-window-jobs.c: the window's work off the main thread
 *
 * Copyright 2026 The Chancery developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <errno.h>
#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <string.h>

#include "chancery-error.h"
#include "chancery-import.h"
#include "chancery-store-private.h"
#include "chancery-window-private.h"

/* ChanceryWorker */

ChanceryWorker *
chancery_worker_new (ChanceryStore *shown)
{
  ChanceryWorker *worker = g_new0 (ChanceryWorker, 1);

  g_atomic_ref_count_init (&worker->ref_count);
  g_mutex_init (&worker->mutex);
  worker->shown = g_object_ref (shown);
  worker->path = g_strdup (chancery_store_get_path (shown));

  return worker;
}

ChanceryWorker *
chancery_worker_ref (ChanceryWorker *worker)
{
  g_atomic_ref_count_inc (&worker->ref_count);
  return worker;
}

void
chancery_worker_unref (ChanceryWorker *worker)
{
  if (!g_atomic_ref_count_dec (&worker->ref_count))
    return;

  g_clear_object (&worker->store);
  g_clear_object (&worker->shown);
  g_mutex_clear (&worker->mutex);
  g_free (worker->path);
  g_free (worker);
}

/* Jobs */

void
chancery_query_result_clear (ChanceryQueryResult *result)
{
  g_clear_pointer (&result->index, chancery_index_unref);
  for (guint k = 0; k < CHANCERY_N_FACETS; k++)
    g_clear_pointer (&result->facets[k], g_ptr_array_unref);
}

void
chancery_open_job_free (ChanceryOpenJob *job)
{
  /* Started, and never waited for: stop it. */
  if (job->early != NULL)
    {
      g_cancellable_cancel (job->early_cancellable);
      g_thread_join (job->early);
    }
  g_clear_object (&job->early_cancellable);
  g_clear_error (&job->early_error);
  g_clear_object (&job->file);
  g_clear_object (&job->store);
  chancery_query_result_clear (&job->result);
  g_free (job);
}

void
chancery_query_job_free (ChanceryQueryJob *job)
{
  g_clear_pointer (&job->worker, chancery_worker_unref);
  g_clear_pointer (&job->filter, chancery_filter_free);
  chancery_query_result_clear (&job->result);
  g_free (job);
}

static gboolean
run_query (ChanceryStore        *store,
           const ChanceryFilter *filter,
           ChanceryGrouping      grouping,
           gboolean              want_index,
           gboolean              want_facets,
           ChanceryQueryResult  *result,
           GCancellable         *cancellable,
           GError              **error)
{
  if (want_index)
    {
      result->index = chancery_store_load_index (store, filter, grouping, cancellable, error);
      if (result->index == NULL)
        return FALSE;
    }

  for (guint k = 0; want_facets && k < CHANCERY_N_FACETS; k++)
    {
      result->facets[k] = chancery_store_list_facets (store, filter, k, cancellable, error);
      if (result->facets[k] == NULL)
        return FALSE;
    }

  return TRUE;
}

static void
on_import_progress_cb (double   fraction,
                       gpointer user_data)
{
  ChanceryOpenJob *job = user_data;

  g_atomic_int_set (&job->progress, (int) CLAMP (fraction * 1000.0, 0.0, 1000.0));
}

static gboolean
looks_like_json (const char *path)
{
  g_autofree char *lower = g_ascii_strdown (path, -1);
  char head[64] = { 0 };
  FILE *fp;
  size_t n;

  if (g_str_has_suffix (lower, ".json"))
    return TRUE;

  fp = g_fopen (path, "rb");
  if (fp == NULL)
    return FALSE;
  n = fread (head, 1, sizeof head - 1, fp);
  fclose (fp);

  /* An SQLite file starts with its magic string; JSON with a brace. */
  if (n >= 16 && memcmp (head, "SQLite format 3", 16) == 0)
    return FALSE;
  for (size_t i = 0; i < n; i++)
    {
      if (g_ascii_isspace (head[i]))
        continue;
      return head[i] == '{';
    }
  return FALSE;
}

/* Imports a JSON file into <user data dir>/chancery/NAME.db, written under
 * a temporary name and renamed into place when complete. */
static char *
import_json (ChanceryOpenJob  *job,
             const char       *json_path,
             GCancellable     *cancellable,
             GError          **error)
{
  g_autofree char *dir = g_build_filename (g_get_user_data_dir (), "chancery", NULL);
  g_autofree char *base = g_path_get_basename (json_path);
  g_autofree char *db_path = NULL;
  g_autofree char *tmp_path = NULL;
  g_autoptr(ChanceryStore) store = NULL;
  ChanceryImportReport report;
  char *dot;
  gboolean ok;

  dot = strrchr (base, '.');
  if (dot != NULL && dot != base)
    *dot = '\0';

  if (g_mkdir_with_parents (dir, 0700) != 0)
    {
      int saved_errno = errno;
      g_set_error (error, CHANCERY_ERROR, CHANCERY_ERROR_IO,
                   _("Could not create the folder “%s”: %s"), dir, g_strerror (saved_errno));
      return NULL;
    }

  db_path = g_strdup_printf ("%s%c%s.db", dir, G_DIR_SEPARATOR, base);
  tmp_path = g_strdup_printf ("%s.part", db_path);
  g_unlink (tmp_path);

  store = chancery_store_open (tmp_path, CHANCERY_STORE_READ_WRITE | CHANCERY_STORE_CREATE,
                               cancellable, error);
  if (store == NULL)
    return NULL;

  chancery_import_report_init (&report);
  ok = chancery_import_json_file (store, json_path, &report,
                                  on_import_progress_cb, job, cancellable, error);
  job->n_imported = report.inserted + report.updated + report.unchanged;
  chancery_import_report_clear (&report);
  g_clear_object (&store);

  if (!ok)
    {
      g_unlink (tmp_path);
      return NULL;
    }

  if (g_rename (tmp_path, db_path) != 0)
    {
      int saved_errno = errno;
      g_set_error (error, CHANCERY_ERROR, CHANCERY_ERROR_IO,
                   _("Could not save the imported database as “%s”: %s"),
                   db_path, g_strerror (saved_errno));
      g_unlink (tmp_path);
      return NULL;
    }

  return g_steal_pointer (&db_path);
}

gboolean
chancery_open_job_run (ChanceryOpenJob  *job,
                       GCancellable     *cancellable,
                       GError          **error)
{
  g_autofree char *path = g_file_get_path (job->file);
  g_autofree char *db_path = NULL;
  g_autoptr(ChanceryFilter) filter = chancery_filter_new ();

  if (path == NULL)
    {
      g_autofree char *uri = g_file_get_uri (job->file);
      g_set_error (error, CHANCERY_ERROR, CHANCERY_ERROR_IO,
                   _("“%s” is not a local file"), uri);
      return FALSE;
    }

  if (looks_like_json (path))
    {
      db_path = import_json (job, path, cancellable, error);
      if (db_path == NULL)
        return FALSE;
      job->imported = TRUE;
    }
  else
    db_path = g_strdup (path);

  /* A file never checked is shown first and checked in the background
   * (the window starts chancery_check_job_thread): see docs/security.md. */
  g_atomic_int_set (&job->progress, -1);
  job->store = chancery_store_open_for_viewing (db_path, &job->checked, cancellable, error);
  return job->store != NULL
         && run_query (job->store, filter, job->grouping, TRUE, FALSE, &job->result, cancellable, error);
}

static gpointer
open_job_early_thread (gpointer data)
{
  ChanceryOpenJob *job = data;

  job->early_ok = chancery_open_job_run (job, job->early_cancellable, &job->early_error);
  return NULL;
}

void
chancery_open_job_start (ChanceryOpenJob *job)
{
  g_return_if_fail (job->early == NULL);

  job->early_cancellable = g_cancellable_new ();
  job->early = g_thread_try_new ("chancery-open", open_job_early_thread, job, NULL);
  /* No thread: the task runs the job when it comes, as usual. */
}

static void
on_task_cancelled_cb (GCancellable *cancellable,
                      gpointer      early_cancellable)
{
  g_cancellable_cancel (early_cancellable);
}

void
chancery_open_job_thread (GTask        *task,
                          gpointer      source_object,
                          gpointer      task_data,
                          GCancellable *cancellable)
{
  ChanceryOpenJob *job = task_data;
  GError *error = NULL;
  gboolean ok;

  if (job->early != NULL)
    {
      /* Called at once if the task is cancelled already. */
      gulong id = 0;

      if (cancellable != NULL)
        id = g_cancellable_connect (cancellable, G_CALLBACK (on_task_cancelled_cb),
                                    job->early_cancellable, NULL);
      g_thread_join (g_steal_pointer (&job->early));
      if (cancellable != NULL)
        g_cancellable_disconnect (cancellable, id);
      ok = job->early_ok;
      error = g_steal_pointer (&job->early_error);
    }
  else
    ok = chancery_open_job_run (job, cancellable, &error);

  if (ok)
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

void
chancery_check_job_thread (GTask        *task,
                           gpointer      source_object,
                           gpointer      task_data,
                           GCancellable *cancellable)
{
  GError *error = NULL;

  if (chancery_store_check_shown_file (task_data, cancellable, &error))
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

void
chancery_query_job_thread (GTask        *task,
                           gpointer      source_object,
                           gpointer      task_data,
                           GCancellable *cancellable)
{
  ChanceryQueryJob *job = task_data;
  ChanceryWorker *worker = job->worker;
  GError *error = NULL;
  gboolean ok = FALSE;

  /* The previous query, cancelled, lets go of the worker quickly. */
  g_mutex_lock (&worker->mutex);

  if (g_cancellable_set_error_if_cancelled (cancellable, &error))
    goto out;

  if (worker->store == NULL)
    {
      gboolean checked;

      /* The window opened this file and checks it (in the background
       * when it was never checked): the worker does not check again. */
      worker->store = chancery_store_open_for_viewing (worker->path, &checked,
                                                       cancellable, &error);
      if (worker->store == NULL)
        goto out;
      /* Another program renamed a file over the name since the window
       * opened it: its events must not mix with those shown. */
      if (!chancery_store_reads_same_file (worker->store, worker->shown, &error))
        {
          g_clear_object (&worker->store);
          goto out;
        }
    }

  ok = run_query (worker->store, job->filter, job->grouping, job->want_index, job->want_facets,
                  &job->result, cancellable, &error);

out:
  g_mutex_unlock (&worker->mutex);

  if (ok)
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

void
chancery_query_result_keep (ChanceryQueryResult       *dest,
                            const ChanceryQueryResult *src)
{
  if (src->index != NULL)
    {
      g_clear_pointer (&dest->index, chancery_index_unref);
      dest->index = chancery_index_ref (src->index);
    }
  for (guint k = 0; k < CHANCERY_N_FACETS; k++)
    {
      if (src->facets[k] == NULL)
        continue;
      g_clear_pointer (&dest->facets[k], g_ptr_array_unref);
      dest->facets[k] = g_ptr_array_ref (src->facets[k]);
    }
}
