/* chancery-bench.c: synthetic datasets and the benchmark
 *
 * Copyright 2026 The Chancery developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 *   chancery-bench generate --events N --output FILE [--format db|json|gdelt] [--seed S]
 *   chancery-bench run FILE [--json FILE] [--gdelt FILE] [--frames N] [--no-frames]
 *   chancery-bench all --events N [--dir DIR] [--seed S]
 *   chancery-bench verify FILE   (facets counted in memory agree with SQL)
 *
 * "run" measures the code paths the window and the CLI use and prints one
 * figure a line, "name: value unit". "all" generates a database, a JSON
 * file and a GDELT file in a temporary folder, runs, and cleans up (the
 * meson benchmark). The frame figures need a display (Xvfb will do);
 * without one they are skipped.
 */
#include "config.h"

#include <adwaita.h>
#include <fcntl.h>
#include <locale.h>
#include <glib/gstdio.h>
#include <gio/gunixoutputstream.h>
#include <gtk/gtk.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "chancery-application.h"
#include "chancery-bench.h"
#include "chancery-event-list.h"
#include "chancery-export.h"
#include "chancery-import.h"
#include "chancery-resources.h"
#include "chancery-store.h"
#include "chancery-timeline.h"
#include "chancery-store-private.h"
#include "chancery-window.h"
#include "chancery-window-private.h"

#define DEFAULT_SEED 20260101

static int      opt_events = 10000;
static int      opt_seed = DEFAULT_SEED;
static int      opt_frames = 60;
static char    *opt_output;
static char    *opt_format;
static char    *opt_json;
static char    *opt_gdelt;
static char    *opt_dir;
static char    *opt_grouping;
static gboolean opt_no_frames;
static char    *opt_zoom;
static char    *opt_save_frames;

static const GOptionEntry entries[] = {
  { "events", 'n', 0, G_OPTION_ARG_INT, &opt_events, "Number of events (generate, all)", "N" },
  { "seed", 0, 0, G_OPTION_ARG_INT, &opt_seed, "Random seed (generate, all)", "S" },
  { "output", 'o', 0, G_OPTION_ARG_FILENAME, &opt_output, "Output file (generate)", "FILE" },
  { "format", 0, 0, G_OPTION_ARG_STRING, &opt_format, "db (default), json or gdelt (generate)", "F" },
  { "json", 0, 0, G_OPTION_ARG_FILENAME, &opt_json, "Chancery JSON file to time importing (run)", "FILE" },
  { "gdelt", 0, 0, G_OPTION_ARG_FILENAME, &opt_gdelt, "GDELT 2.0 file to time importing (run)", "FILE" },
  { "frames", 0, 0, G_OPTION_ARG_INT, &opt_frames, "Frames per zoom level (run)", "N" },
  { "no-frames", 0, 0, G_OPTION_ARG_NONE, &opt_no_frames, "Skip the timeline figures (run)", NULL },
  { "zoom", 0, 0, G_OPTION_ARG_STRING, &opt_zoom, "Time frames at this zoom only: all, 5y, 1y, 1mo, 1w or 1d (run)", "Z" },
  { "save-frames", 0, 0, G_OPTION_ARG_FILENAME, &opt_save_frames, "Save the middle frame of each zoom level (PNG and render nodes) in DIR (run)", "DIR" },
  { "grouping", 0, 0, G_OPTION_ARG_STRING, &opt_grouping, "Lanes: none, country (default), actor, kind, project", "G" },
  { "dir", 0, 0, G_OPTION_ARG_FILENAME, &opt_dir, "Folder for the generated files (all)", "DIR" },
  { NULL }
};

static double
now_ms (void)
{
  return g_get_monotonic_time () / 1000.0;
}

/* CPU time of this thread: less sensitive than the clock to other load. */
static double
thread_cpu_ms (void)
{
  struct timespec ts;

  if (clock_gettime (CLOCK_THREAD_CPUTIME_ID, &ts) != 0)
    return 0;
  return ts.tv_sec * 1000.0 + ts.tv_nsec / 1e6;
}

static void
figure (const char *name,
        double      value,
        const char *unit)
{
  if (value >= 1000 || value == (gint64) value)
    g_print ("%s: %.0f %s\n", name, value, unit);
  else
    g_print ("%s: %.2f %s\n", name, value, unit);
}

static double
peak_rss_mb (void)
{
  struct rusage usage;

  getrusage (RUSAGE_SELF, &usage);
  return usage.ru_maxrss / 1024.0;
}

static int
compare_double (const void *a,
                const void *b)
{
  double x = *(const double *) a, y = *(const double *) b;

  return x < y ? -1 : x > y;
}

static double
percentile (GArray *values,
            double  p)
{
  guint i;

  if (values->len == 0)
    return 0;
  qsort (values->data, values->len, sizeof (double), compare_double);
  i = (guint) (p * (values->len - 1) + 0.5);
  return g_array_index (values, double, MIN (i, values->len - 1));
}

static ChanceryGrouping
parse_grouping (const char *name)
{
  if (g_strcmp0 (name, "none") == 0)
    return CHANCERY_GROUP_NONE;
  if (g_strcmp0 (name, "actor") == 0)
    return CHANCERY_GROUP_ACTOR;
  if (g_strcmp0 (name, "kind") == 0)
    return CHANCERY_GROUP_KIND;
  if (g_strcmp0 (name, "project") == 0)
    return CHANCERY_GROUP_PROJECT;
  return CHANCERY_GROUP_COUNTRY;
}

/* generate */

static int
generate (const char *output,
          const char *format,
          GError    **error)
{
  g_autoptr(BenchModel) model = bench_model_new (opt_events, opt_seed);
  double t0 = now_ms ();
  gboolean ok;

  if (format == NULL || g_str_equal (format, "db"))
    ok = bench_write_database (model, output, error);
  else if (g_str_equal (format, "json"))
    ok = bench_write_json (model, output, error);
  else if (g_str_equal (format, "gdelt"))
    ok = bench_write_gdelt (model, output, error);
  else
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE, "unknown format “%s”", format);
      return 2;
    }

  if (!ok)
    return 1;
  g_printerr ("generated %d events (%s) in %.1f s: %s\n", opt_events,
              format != NULL ? format : "db", (now_ms () - t0) / 1000, output);
  return 0;
}

/* run: windows */

/* A window with the widget timed in it, and whether its frame clock has
 * painted since painted was last cleared. */
typedef struct
{
  GtkWidget *window;
  GtkWidget *widget;
  gboolean   painted;
  double     painted_at;
} Frames;

static void
on_after_paint (GdkFrameClock *clock,
                Frames        *frames)
{
  if (!frames->painted)
    {
      frames->painted = TRUE;
      frames->painted_at = now_ms ();
    }
}

static void
on_window_realize (GtkWidget *window,
                   Frames    *frames)
{
  g_signal_connect (gtk_widget_get_frame_clock (window), "after-paint",
                    G_CALLBACK (on_after_paint), frames);
}

/* run: timeline (needs the real widget; the placeholder has none) */

#ifdef BENCH_HAVE_TIMELINE

static double
first_frame (Frames        *frames,
             ChanceryIndex *index)
{
  double t0 = now_ms ();

  frames->window = gtk_window_new ();
  gtk_window_set_default_size (GTK_WINDOW (frames->window), 1280, 720);
  frames->widget = chancery_timeline_new ();
  gtk_window_set_child (GTK_WINDOW (frames->window), frames->widget);
  g_signal_connect_after (frames->window, "realize", G_CALLBACK (on_window_realize), frames);
  chancery_timeline_set_index (CHANCERY_TIMELINE (frames->widget), index);
  chancery_timeline_zoom_fit (CHANCERY_TIMELINE (frames->widget));
  gtk_window_present (GTK_WINDOW (frames->window));

  while (!frames->painted)
    g_main_context_iteration (NULL, TRUE);

  return frames->painted_at - t0;
}

typedef struct
{
  const char *name;
  double      days;   /* 0: the whole range */
} Zoom;

static const Zoom zooms[] = {
  { "all", 0 }, { "5y", 5 * 365.25 }, { "1y", 365.25 }, { "1mo", 30.4 }, { "1w", 7 }, { "1d", 1 },
};

/* Pans across the busiest part of the index at each zoom level, timing
 * the widget's snapshot and the rendering of its nodes with the window's
 * renderer: the work of one frame. */
static void
measure_frames (Frames        *frames,
                ChanceryIndex *index,
                const char    *label)
{
  GtkWidget *widget = frames->widget;
  GskRenderer *renderer = gtk_native_get_renderer (GTK_NATIVE (frames->window));
  int width = gtk_widget_get_width (widget), height = gtk_widget_get_height (widget);
  graphene_rect_t viewport = GRAPHENE_RECT_INIT (0, 0, width, height);
  double centre = index->n_events > 0 ? index->events[index->n_events / 2].lo : 0;
  double worst = 0;

  chancery_timeline_set_index (CHANCERY_TIMELINE (widget), index);
  while (g_main_context_iteration (NULL, FALSE))
    ;

  for (guint z = 0; z < G_N_ELEMENTS (zooms); z++)
    {
      double span = zooms[z].days > 0 ? zooms[z].days : MAX (1, index->max_day - index->min_day + 1);
      double base = zooms[z].days > 0 ? centre - span / 2 : index->min_day;
      g_autoptr(GArray) snap_times = g_array_new (FALSE, FALSE, sizeof (double));
      g_autoptr(GArray) times = g_array_new (FALSE, FALSE, sizeof (double));
      g_autoptr(GArray) cpu_times = g_array_new (FALSE, FALSE, sizeof (double));
      g_autofree char *name = NULL;

      if (opt_zoom != NULL && strcmp (opt_zoom, zooms[z].name) != 0)
        continue;
      for (int f = -1; f < opt_frames; f++)
        {
          double start = base + (f - opt_frames / 2) * span / 30.0;
          GtkSnapshot *snapshot;
          GskRenderNode *node;
          GdkTexture *texture;
          double t0, t1, t2, c0, c2;

          chancery_timeline_set_view (CHANCERY_TIMELINE (widget), start, start + span);
          c0 = thread_cpu_ms ();
          t0 = now_ms ();
          snapshot = gtk_snapshot_new ();
          GTK_WIDGET_GET_CLASS (widget)->snapshot (widget, snapshot);
          node = gtk_snapshot_free_to_node (snapshot);
          t1 = now_ms ();
          texture = node != NULL ? gsk_renderer_render_texture (renderer, node, &viewport) : NULL;
          t2 = now_ms ();
          c2 = thread_cpu_ms ();
          if (opt_save_frames != NULL && texture != NULL && f == opt_frames / 2)
            {
              g_autofree char *file = g_strdup_printf ("frame-%s-%s.png", label, zooms[z].name);
              g_autofree char *path = g_build_filename (opt_save_frames, file, NULL);

              g_autofree char *node_file = g_strdup_printf ("frame-%s-%s.node", label, zooms[z].name);
              g_autofree char *node_path = g_build_filename (opt_save_frames, node_file, NULL);
              g_autoptr(GError) node_error = NULL;

              if (!gdk_texture_save_to_png (texture, path))
                g_printerr ("chancery-bench: could not save %s\n", path);
              /* The render nodes too, to see what a frame is made of. */
              if (!gsk_render_node_write_to_file (node, node_path, &node_error))
                g_printerr ("chancery-bench: could not save %s: %s\n", node_path, node_error->message);
            }
          g_clear_object (&texture);
          g_clear_pointer (&node, gsk_render_node_unref);
          if (f < 0)
            continue;   /* warm-up */
          t1 -= t0;
          t2 -= t0;
          c2 -= c0;
          g_array_append_val (cpu_times, c2);
          g_array_append_val (snap_times, t1);
          g_array_append_val (times, t2);
        }

      name = g_strdup_printf ("frame_%s_%s_median", label, zooms[z].name);
      figure (name, percentile (times, 0.5), "ms");
      g_free (name);
      name = g_strdup_printf ("frame_%s_%s_p99", label, zooms[z].name);
      figure (name, percentile (times, 0.99), "ms");
      worst = MAX (worst, percentile (times, 0.99));
      g_free (name);
      name = g_strdup_printf ("snapshot_%s_%s_median", label, zooms[z].name);
      figure (name, percentile (snap_times, 0.5), "ms");
      g_free (name);
      name = g_strdup_printf ("frame_cpu_%s_%s_median", label, zooms[z].name);
      figure (name, percentile (cpu_times, 0.5), "ms");
    }

  /* Let the window paint the last view, as it would. */
  while (g_main_context_iteration (NULL, FALSE))
    ;
}

#endif /* BENCH_HAVE_TIMELINE */

/* run: filters */

static GPtrArray *facets_result[CHANCERY_FACET_PROJECT + 1];

/* The window's event list, in a window of its own, to time what a filter
 * change costs it: taking the new index, then GTK laying out and painting
 * the rows (no window without a display). */
static Frames list_window;

/* Gives the list index and waits until the window painted it. */
static double
list_shows (ChanceryIndex *index)
{
  double t0 = now_ms ();

  list_window.painted = FALSE;
  chancery_event_list_set_index (CHANCERY_EVENT_LIST (list_window.widget), index);
  /* A frame even if nothing on screen changed. */
  gtk_widget_queue_draw (list_window.widget);
  while (!list_window.painted)
    g_main_context_iteration (NULL, TRUE);
  return now_ms () - t0;
}

#ifdef BENCH_HAVE_TIMELINE
static void
open_list_window (ChanceryStore *store,
                  ChanceryIndex *index)
{
  /* The list's template: its resources (linked in with their constructor)
   * and the libadwaita widgets in it. */
  (void) chancery_get_resource ();
  adw_init ();

  list_window.window = gtk_window_new ();
  gtk_window_set_default_size (GTK_WINDOW (list_window.window), 1280, 720);
  list_window.widget = chancery_event_list_new ();
  chancery_event_list_set_store (CHANCERY_EVENT_LIST (list_window.widget), store);
  gtk_window_set_child (GTK_WINDOW (list_window.window), list_window.widget);
  g_signal_connect_after (list_window.window, "realize", G_CALLBACK (on_window_realize), &list_window);
  gtk_window_present (GTK_WINDOW (list_window.window));
  list_shows (index);
}
#endif

/* What the window does when the filter changes: a new index for the
 * timeline and the list, then the counts for every facet. */
static double
filter_change (ChanceryStore         *store,
               const ChanceryFilter  *filter,
               ChanceryGrouping       grouping,
               double                *index_ms,
               guint                 *n_events,
               ChanceryIndex        **index_out,
               GError               **error)
{
  g_autoptr(ChanceryIndex) index = NULL;
  double t0 = now_ms (), t1;

  index = chancery_store_load_index (store, filter, grouping, NULL, error);
  if (index == NULL)
    return -1;
  t1 = now_ms ();
  for (guint k = 0; k < G_N_ELEMENTS (facets_result); k++)
    {
      g_clear_pointer (&facets_result[k], g_ptr_array_unref);
      facets_result[k] = chancery_store_list_facets (store, filter, k, NULL, error);
      if (facets_result[k] == NULL)
        return -1;
    }
  *index_ms = t1 - t0;
  *n_events = index->n_events;
  *index_out = g_steal_pointer (&index);
  return now_ms () - t0;
}

/* A filter change, three times: the index and counts, then (with a
 * display) the list showing the result and, as the last figure, going
 * back to all events (unfiltered). */
static gboolean
measure_filter (ChanceryStore         *store,
                const char            *name,
                const ChanceryFilter  *filter,
                ChanceryIndex         *unfiltered,
                ChanceryGrouping       grouping,
                GError               **error)
{
  g_autoptr(GArray) totals = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) indexes = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) lists = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) backs = g_array_new (FALSE, FALSE, sizeof (double));
  g_autofree char *key = NULL;
  guint n_events = 0;

  for (guint run = 0; run < 3; run++)
    {
      g_autoptr(ChanceryIndex) index = NULL;
      double index_ms, total = filter_change (store, filter, grouping, &index_ms, &n_events, &index, error);

      if (total < 0)
        return FALSE;
      g_array_append_val (totals, total);
      g_array_append_val (indexes, index_ms);
      if (list_window.widget != NULL)
        {
          double list_ms = list_shows (index), back_ms = list_shows (unfiltered);

          g_array_append_val (lists, list_ms);
          g_array_append_val (backs, back_ms);
        }
    }

  key = g_strdup_printf ("filter_%s", name);
  figure (key, percentile (totals, 0.5), "ms");
  g_free (key);
  key = g_strdup_printf ("filter_%s_index", name);
  figure (key, percentile (indexes, 0.5), "ms");
  g_free (key);
  key = g_strdup_printf ("filter_%s_events", name);
  figure (key, n_events, "events");
  if (lists->len > 0)
    {
      g_free (key);
      key = g_strdup_printf ("filter_%s_list", name);
      figure (key, percentile (lists, 0.5), "ms");
      g_free (key);
      key = g_strdup_printf ("filter_%s_list_back", name);
      figure (key, percentile (backs, 0.5), "ms");
    }

  return TRUE;
}

/* run: imports and export */

static char *
scratch_database_path (const char *beside)
{
  g_autofree char *dir = g_path_get_dirname (beside);

  return g_strdup_printf ("%s/chancery-bench-import-%d.sqlite", dir, (int) getpid ());
}

static void
remove_database (const char *path)
{
  g_autofree char *journal = g_strconcat (path, "-journal", NULL);

  g_unlink (path);
  g_unlink (journal);
}

static gboolean
measure_import (const char  *name,
                const char  *path,
                gboolean     gdelt,
                GError     **error)
{
  g_autofree char *db_path = scratch_database_path (path);
  g_autoptr(ChanceryStore) store = NULL;
  ChanceryImportReport report;
  g_autofree char *key = NULL;
  struct timespec cpu0, cpu1;
  double t0, elapsed, cpu;
  gboolean ok;

  remove_database (db_path);
  store = chancery_store_open (db_path, CHANCERY_STORE_READ_WRITE | CHANCERY_STORE_CREATE, NULL, error);
  if (store == NULL)
    return FALSE;

  chancery_import_report_init (&report);
  clock_gettime (CLOCK_PROCESS_CPUTIME_ID, &cpu0);
  t0 = now_ms ();
  if (gdelt)
    {
      ChanceryGdeltOptions options = { NULL, NULL };

      ok = chancery_import_gdelt_file (store, path, &options, &report, NULL, NULL, NULL, error);
    }
  else
    ok = chancery_import_json_file (store, path, &report, NULL, NULL, NULL, error);
  elapsed = now_ms () - t0;
  clock_gettime (CLOCK_PROCESS_CPUTIME_ID, &cpu1);
  cpu = (cpu1.tv_sec - cpu0.tv_sec) * 1000.0 + (cpu1.tv_nsec - cpu0.tv_nsec) / 1e6;
  g_clear_object (&store);
  remove_database (db_path);

  if (ok)
    {
      key = g_strdup_printf ("%s_import", name);
      figure (key, report.inserted / (elapsed / 1000), "events/s");
      g_free (key);
      key = g_strdup_printf ("%s_import_events", name);
      figure (key, report.inserted, "events");
      g_free (key);
      /* Per second of this process's CPU time: less sensitive to other
       * work on the machine than the wall-clock figure. */
      key = g_strdup_printf ("%s_import_cpu", name);
      figure (key, report.inserted / (cpu / 1000), "events/s");
    }
  chancery_import_report_clear (&report);

  return ok;
}

/* An output stream that counts and drops what it is given: the export is
 * timed without a disk, and without writing to /dev/null, which is a
 * regular file on some sandboxes (writing it there breaks later readers). */
#define BENCH_TYPE_SINK (bench_sink_get_type ())
G_DECLARE_FINAL_TYPE (BenchSink, bench_sink, BENCH, SINK, GOutputStream)

struct _BenchSink
{
  GOutputStream parent_instance;
  guint64       written;
};

G_DEFINE_FINAL_TYPE (BenchSink, bench_sink, G_TYPE_OUTPUT_STREAM)

static gssize
bench_sink_write_fn (GOutputStream  *stream,
                     const void     *buffer,
                     gsize           count,
                     GCancellable   *cancellable,
                     GError        **error)
{
  BENCH_SINK (stream)->written += count;
  return count;
}

static void
bench_sink_class_init (BenchSinkClass *klass)
{
  G_OUTPUT_STREAM_CLASS (klass)->write_fn = bench_sink_write_fn;
}

static void
bench_sink_init (BenchSink *self)
{
}

/* One export of what filter selects into a sink: name (events/s), name_time
 * (ms) and name_size (MB). */
static gboolean
measure_export (ChanceryStore         *store,
                const char            *name,
                ChanceryExportFormat   format,
                const ChanceryFilter  *filter,
                GError               **error)
{
  g_autoptr(BenchSink) out = g_object_new (BENCH_TYPE_SINK, NULL);
  g_autofree char *time_key = g_strdup_printf ("%s_time", name);
  g_autofree char *size_key = g_strdup_printf ("%s_size", name);
  g_autofree char *events_key = g_strdup_printf ("%s_events", name);
  guint n_events;
  double t0, elapsed;

  n_events = chancery_store_count_events (store, filter, error);
  if (n_events == 0 && error != NULL && *error != NULL)
    return FALSE;

  t0 = now_ms ();
  if (!chancery_export_to_stream (store, filter, format, G_OUTPUT_STREAM (out), NULL, error))
    return FALSE;
  elapsed = now_ms () - t0;
  figure (name, n_events / (elapsed / 1000), "events/s");
  figure (time_key, elapsed, "ms");
  figure (size_key, out->written / 1e6, "MB");
  if (filter != NULL)
    figure (events_key, n_events, "events");

  return TRUE;
}

/* CSV and JSON of everything; then CSV, JSON and iCalendar of one country
 * (ARM, 8% at 1M: iCalendar of a million events would take a minute). */
static gboolean
measure_csv_export (ChanceryStore  *store,
                    guint           n_events,
                    GError        **error)
{
  g_autoptr(ChanceryFilter) by_country = chancery_filter_new ();

  chancery_filter_add_country (by_country, "ARM", NULL);
  return measure_export (store, "csv_export", CHANCERY_EXPORT_CSV, NULL, error) &&
         measure_export (store, "json_export", CHANCERY_EXPORT_JSON, NULL, error) &&
         measure_export (store, "csv_export_country", CHANCERY_EXPORT_CSV, by_country, error) &&
         measure_export (store, "json_export_country", CHANCERY_EXPORT_JSON, by_country, error) &&
         measure_export (store, "ics_export_country", CHANCERY_EXPORT_ICS, by_country, error);
}

static double
process_cpu_ms (void)
{
  struct rusage usage;

  getrusage (RUSAGE_SELF, &usage);
  return (usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) * 1000.0 +
         (usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1000.0;
}

/* Forgets the files the store has seen (its cached bases and the files
 * it checked), once its threads have written them, so that the next
 * figure sees the file anew. */
static void
forget_seen_files (void)
{
  g_autofree char *sub = g_build_filename (g_get_user_cache_dir (), "chancery", NULL);
  g_autoptr(GDir) dir = NULL;
  const char *name;

  chancery_store_wait_for_caches ();
  dir = g_dir_open (sub, 0, NULL);
  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *cached = g_build_filename (sub, name, NULL);
      g_unlink (cached);
    }
}

/* The first open of a file never seen, the way the window opens it
 * (chancery_open_job_run: read-only without the whole-file check, the
 * unfiltered index), to the first painted frame; then the check that the
 * window runs in the background, timed on its own. The cache folder is
 * emptied afterwards, so that the figures that follow see the file anew. */
static gboolean
measure_first_open_window (const char        *path,
                           ChanceryGrouping   grouping,
                           gboolean           with_frames,
                           guint             *n_events,
                           GError           **error)
{
  g_autoptr(GFile) file = g_file_new_for_path (path);
  ChanceryOpenJob *job = g_new0 (ChanceryOpenJob, 1);
  double t0, t_open, t_check, cpu0;

  job->file = g_object_ref (file);
  job->grouping = grouping;
  t0 = now_ms ();
  cpu0 = process_cpu_ms ();
  if (!chancery_open_job_run (job, NULL, error))
    {
      chancery_open_job_free (job);
      return FALSE;
    }
  t_open = now_ms () - t0;
  *n_events = job->result.index->n_events;
  figure ("open_index_first", t_open, "ms");
  /* CPU time of all threads (less sensitive to other load than the time). */
  figure ("open_index_first_cpu", process_cpu_ms () - cpu0, "ms");
#ifdef BENCH_HAVE_TIMELINE
  if (with_frames)
    {
      Frames frames = { 0 };
      double t_frame = first_frame (&frames, job->result.index);

      figure ("open_to_first_frame_first", t_open + t_frame, "ms");
      gtk_window_destroy (GTK_WINDOW (frames.window));
    }
#endif
  t0 = now_ms ();
  if (!job->checked && !chancery_store_check_file (path, NULL, error))
    {
      chancery_open_job_free (job);
      return FALSE;
    }
  t_check = now_ms () - t0;
  figure ("background_check_first", job->checked ? 0 : t_check, "ms");
  chancery_open_job_free (job);
  forget_seen_files ();
  return TRUE;
}

#ifdef BENCH_HAVE_TIMELINE

/* The application's window, and when its timeline was first painted
 * showing n_events. */
typedef struct
{
  ChanceryWindow *window;
  guint           n_events;
  gboolean        painted;
  double          painted_at;
} AppFrame;

static gboolean
on_wake_cb (gpointer data)
{
  return G_SOURCE_CONTINUE;
}

static gboolean
shows_events (ChanceryWindow *window,
              guint           n_events)
{
  ChanceryTimeline *timeline = chancery_window_get_timeline (window);
  ChanceryIndex *index = chancery_timeline_get_index (timeline);

  return index != NULL && index->n_events == n_events && gtk_widget_get_mapped (GTK_WIDGET (timeline));
}

static void
on_app_after_paint (GdkFrameClock *clock,
                    AppFrame      *frame)
{
  if (!frame->painted && shows_events (frame->window, frame->n_events))
    {
      frame->painted = TRUE;
      frame->painted_at = now_ms ();
    }
}

/* The first open of a file never seen as a person sees it: the
 * application opens it as `chancery FILE` does, its window is built and
 * shown while the open job runs in its thread, and the figure ends at the
 * window's first frame that paints the timeline with all n_events. GTK
 * was initialised before (the "gtk_init" figure). Needs a session bus,
 * as the application does. */
static gboolean
measure_first_open_app (const char  *path,
                        guint        n_events,
                        GError     **error)
{
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(ChanceryApplication) app = NULL;
  AppFrame frame = { NULL, n_events, FALSE, 0 };
  double t0 = now_ms (), deadline = t0 + 120000;
  g_autoptr(GError) local_error = NULL;
  GdkFrameClock *clock;
  GtkWidget *window;
  gulong paint_id;
  guint wake_id;

  app = chancery_application_new ();
  g_application_set_flags (G_APPLICATION (app), G_APPLICATION_HANDLES_OPEN | G_APPLICATION_NON_UNIQUE);
  if (!g_application_register (G_APPLICATION (app), NULL, &local_error))
    {
      /* A session bus that does not answer: this figure only is lost. */
      g_printerr ("chancery-bench: the application's open skipped: %s\n", local_error->message);
      return TRUE;
    }
  g_application_open (G_APPLICATION (app), &file, 1, "");
  frame.window = CHANCERY_WINDOW (gtk_application_get_active_window (GTK_APPLICATION (app)));
  if (frame.window == NULL || !gtk_widget_get_realized (GTK_WIDGET (frame.window)))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "the application showed no window for %s", path);
      return FALSE;
    }
  clock = gtk_widget_get_frame_clock (GTK_WIDGET (frame.window));
  paint_id = g_signal_connect (clock, "after-paint", G_CALLBACK (on_app_after_paint), &frame);
  /* The loops below see their deadlines even when nothing else happens. */
  wake_id = g_timeout_add (100, on_wake_cb, NULL);

  /* Until the frame, or the open fails (the window is no longer busy and
   * shows something else), or two minutes have passed. */
  while (!frame.painted && now_ms () < deadline &&
         (chancery_window_get_busy (frame.window) || shows_events (frame.window, n_events)))
    g_main_context_iteration (NULL, TRUE);
  g_signal_handler_disconnect (clock, paint_id);
  if (frame.painted)
    figure ("open_to_first_frame_app", frame.painted_at - t0, "ms");
  else
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                 "the window did not show the %u events of %s", n_events, path);

  /* Closing the window stops what it still does (the check of the file). */
  window = GTK_WIDGET (frame.window);
  g_object_add_weak_pointer (G_OBJECT (window), (gpointer *) &window);
  gtk_window_destroy (GTK_WINDOW (window));
  deadline = now_ms () + 120000;
  while (window != NULL && now_ms () < deadline)
    g_main_context_iteration (NULL, TRUE);
  g_source_remove (wake_id);
  if (window != NULL)
    g_object_remove_weak_pointer (G_OBJECT (window), (gpointer *) &window);
  if (!frame.painted)
    return FALSE;
  forget_seen_files ();
  return TRUE;
}

#endif

static int
run (const char  *path,
     const char  *top_actor,
     GError     **error)
{
  ChanceryGrouping grouping = parse_grouping (opt_grouping);
  g_autoptr(ChanceryStore) store = NULL;
  g_autoptr(ChanceryIndex) index = NULL;
  g_autoptr(ChanceryIndex) filtered = NULL;
  g_autoptr(ChanceryFilter) filter = NULL;
#ifdef BENCH_HAVE_TIMELINE
  double t_init = now_ms ();
  gboolean frames_ok = !opt_no_frames && gtk_init_check ();
  Frames frames = { 0 };
#endif
  double t0, t_open, t_index;
  guint n_events;

#ifdef BENCH_HAVE_TIMELINE
  if (opt_zoom != NULL)
    {
      gboolean known = FALSE;

      for (guint z = 0; z < G_N_ELEMENTS (zooms); z++)
        known = known || strcmp (opt_zoom, zooms[z].name) == 0;
      if (!known)
        {
          g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                       "--zoom: unknown zoom level “%s” (all, 5y, 1y, 1mo, 1w or 1d)", opt_zoom);
          return 1;
        }
    }

  if (!opt_no_frames && !frames_ok)
    g_printerr ("chancery-bench: no display; timeline figures skipped (use xvfb-run)\n");
  else if (frames_ok)
    figure ("gtk_init", now_ms () - t_init, "ms");
#else
  g_printerr ("chancery-bench: built without the timeline widget; timeline figures skipped\n");
#endif

  if (!measure_first_open_window (path, grouping,
#ifdef BENCH_HAVE_TIMELINE
                                  frames_ok,
#else
                                  FALSE,
#endif
                                  &n_events, error))
    return 1;
#ifdef BENCH_HAVE_TIMELINE
  /* The application window needs a session bus (GLib would start one
   * through X11 otherwise, and leave it running). */
  if (frames_ok && g_getenv ("DBUS_SESSION_BUS_ADDRESS") == NULL)
    g_printerr ("chancery-bench: no session bus; the application's open skipped (use dbus-run-session)\n");
  else if (frames_ok && !measure_first_open_app (path, n_events, error))
    return 1;
#endif

  /* The first open of a file runs quick_check over all of it; opening it
   * again, unchanged, does not (XDG_CACHE_HOME is a fresh folder here). */
  t0 = now_ms ();
  store = chancery_store_open (path, CHANCERY_STORE_READ_ONLY, NULL, error);
  if (store == NULL)
    return 1;
  figure ("open_first", now_ms () - t0, "ms");
  /* The first index of a file never seen: the store reads all events and
   * relations, and caches what it read for the next open. */
  t0 = now_ms ();
  index = chancery_store_load_index (store, NULL, grouping, NULL, error);
  if (index == NULL)
    return 1;
  figure ("load_index_first", now_ms () - t0, "ms");
  g_clear_pointer (&index, chancery_index_unref);
  g_clear_object (&store);

  /* Open to first painted frame, the file seen before */
  t0 = now_ms ();
  store = chancery_store_open (path, CHANCERY_STORE_READ_ONLY, NULL, error);
  if (store == NULL)
    return 1;
  t_open = now_ms () - t0;
  t0 = now_ms ();
  index = chancery_store_load_index (store, NULL, grouping, NULL, error);
  if (index == NULL)
    return 1;
  t_index = now_ms () - t0;
  n_events = index->n_events;
  figure ("events", n_events, "events");
  figure ("lanes", index->lanes->len, "lanes");
  figure ("open", t_open, "ms");
  figure ("load_index", t_index, "ms");
#ifdef BENCH_HAVE_TIMELINE
  if (frames_ok)
    {
      double t_frame = first_frame (&frames, index);

      figure ("first_frame", t_frame, "ms");
      g_print ("renderer: %s\n", G_OBJECT_TYPE_NAME (gtk_native_get_renderer (GTK_NATIVE (frames.window))));
      figure ("open_to_first_frame", t_open + t_index + t_frame, "ms");
    }
  else
#endif
    figure ("open_to_index", t_open + t_index, "ms");

  /* Frames, with and without a filter */
  filter = chancery_filter_new ();
  chancery_filter_add_country (filter, "AZE", NULL);
  filtered = chancery_store_load_index (store, filter, grouping, NULL, error);
  if (filtered == NULL)
    return 1;
#ifdef BENCH_HAVE_TIMELINE
  if (frames_ok)
    {
      measure_frames (&frames, index, "all");
      measure_frames (&frames, filtered, "filtered");
      chancery_timeline_set_index (CHANCERY_TIMELINE (frames.widget), index);
    }
#endif
  figure ("peak_rss", peak_rss_mb (), "MB");

  /* Filter changes */
  {
    g_autoptr(ChanceryFilter) by_actor = chancery_filter_new ();
    g_autoptr(ChanceryFilter) by_country = chancery_filter_new ();
    g_autoptr(ChanceryFilter) by_text = chancery_filter_new ();
    g_autoptr(ChanceryFilter) by_text_rare = chancery_filter_new ();

    chancery_filter_add_actor (by_actor, top_actor);
    chancery_filter_add_country (by_country, "ARM", NULL);
    chancery_filter_set_text (by_text, "railway");
    chancery_filter_set_text (by_text_rare, "переговоры Baku");
#ifdef BENCH_HAVE_TIMELINE
    if (frames_ok)
      open_list_window (store, index);
#endif
    if (!measure_filter (store, "actor", by_actor, index, grouping, error) ||
        !measure_filter (store, "country", by_country, index, grouping, error) ||
        !measure_filter (store, "text", by_text, index, grouping, error) ||
        !measure_filter (store, "text2", by_text_rare, index, grouping, error) ||
        !measure_filter (store, "none", NULL, index, grouping, error))
      return 1;
    if (list_window.window != NULL)
      gtk_window_destroy (GTK_WINDOW (list_window.window));
    list_window.window = list_window.widget = NULL;
    for (guint k = 0; k < G_N_ELEMENTS (facets_result); k++)
      g_clear_pointer (&facets_result[k], g_ptr_array_unref);
  }
  figure ("peak_rss_after_filters", peak_rss_mb (), "MB");

#ifdef BENCH_HAVE_TIMELINE
  if (frames.window != NULL)
    gtk_window_destroy (GTK_WINDOW (frames.window));
#endif
  g_clear_pointer (&index, chancery_index_unref);
  g_clear_pointer (&filtered, chancery_index_unref);

  if (!measure_csv_export (store, n_events, error))
    return 1;
  g_clear_object (&store);

  if (opt_json != NULL && !measure_import ("json", opt_json, FALSE, error))
    return 1;
  if (opt_gdelt != NULL && !measure_import ("gdelt", opt_gdelt, TRUE, error))
    return 1;

  return 0;
}

/* verify: the read-only store counts facets in memory, a writable one in
 * SQL; both must give the same answers. */
static gboolean
same_facets (GPtrArray *a,
             GPtrArray *b)
{
  if (a->len != b->len)
    return FALSE;
  for (guint i = 0; i < a->len; i++)
    {
      ChanceryFacet *x = g_ptr_array_index (a, i), *y = g_ptr_array_index (b, i);

      if (g_strcmp0 (x->key, y->key) != 0 || g_strcmp0 (x->label, y->label) != 0 || x->count != y->count)
        return FALSE;
    }
  return TRUE;
}

static int
verify (const char  *path,
        GError     **error)
{
  g_autoptr(ChanceryStore) memory = chancery_store_open (path, CHANCERY_STORE_READ_ONLY, NULL, error);
  g_autoptr(ChanceryStore) sql = memory != NULL ? chancery_store_open (path, CHANCERY_STORE_READ_WRITE, NULL, error) : NULL;
  g_autoptr(GPtrArray) filters = g_ptr_array_new_with_free_func ((GDestroyNotify) chancery_filter_free);
  ChanceryFilter *f;
  int failures = 0;

  if (sql == NULL)
    return 1;

  g_ptr_array_add (filters, chancery_filter_new ());
  f = chancery_filter_new ();
  chancery_filter_add_actor (f, "actor-0000");
  g_ptr_array_add (filters, f);
  f = chancery_filter_new ();
  chancery_filter_add_country (f, "ARM", NULL);
  chancery_filter_add_kind (f, "meeting", NULL);
  g_ptr_array_add (filters, f);
  f = chancery_filter_new ();
  chancery_filter_set_text (f, "railway");
  g_ptr_array_add (filters, f);
  f = chancery_filter_new ();
  chancery_filter_add_status (f, "reported", NULL);
  chancery_filter_add_project (f, "project-01");
  g_ptr_array_add (filters, f);

  for (guint i = 0; i < filters->len; i++)
    {
      g_autoptr(ChanceryIndex) index = chancery_store_load_index (memory, g_ptr_array_index (filters, i),
                                                                   CHANCERY_GROUP_COUNTRY, NULL, error);

      if (index == NULL)
        return 1;
      for (guint k = 0; k <= CHANCERY_FACET_PROJECT; k++)
        {
          g_autoptr(GPtrArray) a = chancery_store_list_facets (memory, g_ptr_array_index (filters, i), k, NULL, error);
          g_autoptr(GPtrArray) b = a != NULL ? chancery_store_list_facets (sql, g_ptr_array_index (filters, i), k, NULL, error) : NULL;

          if (b == NULL)
            return 1;
          if (!same_facets (a, b))
            {
              g_printerr ("facets differ: filter %u, facet %u (%u vs %u)\n", i, k, a->len, b->len);
              failures++;
            }
        }
    }

  g_print ("verify: %s\n", failures == 0 ? "facets agree" : "FACETS DIFFER");
  return failures == 0 ? 0 : 1;
}

static int
all (GError **error)
{
  g_autofree char *dir = NULL;
  g_autofree char *db = NULL;
  g_autofree char *json = NULL;
  g_autofree char *gdelt = NULL;
  g_autofree char *top_actor = NULL;
  int status;

  if (opt_dir != NULL)
    {
      dir = g_strdup (opt_dir);
      g_mkdir_with_parents (dir, 0755);
    }
  else if (!(dir = g_dir_make_tmp ("chancery-bench-XXXXXX", error)))
    return 1;

  db = g_build_filename (dir, "bench.sqlite", NULL);
  json = g_build_filename (dir, "bench.json", NULL);
  gdelt = g_build_filename (dir, "bench.export.CSV", NULL);

  {
    g_autoptr(BenchModel) model = bench_model_new (opt_events, opt_seed);
    g_autoptr(BenchModel) json_model = bench_model_new (opt_events, opt_seed);
    g_autoptr(BenchModel) gdelt_model = bench_model_new (opt_events, opt_seed);

    top_actor = g_strdup (bench_model_top_actor (model));
    if (!bench_write_database (model, db, error) ||
        !bench_write_json (json_model, json, error) ||
        !bench_write_gdelt (gdelt_model, gdelt, error))
      return 1;
  }

  opt_json = json;
  opt_gdelt = gdelt;
  status = run (db, top_actor, error);
  opt_json = opt_gdelt = NULL;

  if (opt_dir == NULL)
    {
      g_unlink (db);
      g_unlink (json);
      g_unlink (gdelt);
      g_rmdir (dir);
    }

  return status;
}

/* Removes path and, if it is a folder, everything in it (not following
 * symbolic links). */
static void
remove_tree (const char *path)
{
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *child = g_build_filename (path, name, NULL);

      if (g_file_test (child, G_FILE_TEST_IS_DIR) && !g_file_test (child, G_FILE_TEST_IS_SYMLINK))
        remove_tree (child);
      else
        g_unlink (child);
    }
  g_remove (path);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *home_dir = NULL;
  const char *command;
  int status = 2;

  setlocale (LC_ALL, "");
  context = g_option_context_new ("generate|run|all [FILE] - Chancery benchmark");
  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      g_printerr ("chancery-bench: %s\n", error->message);
      return 2;
    }

  command = argc > 1 ? argv[1] : NULL;

  /* Folders of our own: the store remembers files it has checked (cache),
   * the application's window lists the files it opened (data). */
  home_dir = g_dir_make_tmp ("chancery-bench-XXXXXX", NULL);
  if (home_dir != NULL)
    {
      g_autofree char *cache = g_build_filename (home_dir, "cache", NULL);
      g_autofree char *data = g_build_filename (home_dir, "data", NULL);

      g_setenv ("XDG_CACHE_HOME", cache, TRUE);
      g_setenv ("XDG_DATA_HOME", data, TRUE);
    }

  if (g_strcmp0 (command, "generate") == 0 && opt_output != NULL && opt_events > 0)
    status = generate (opt_output, opt_format, &error);
  else if (g_strcmp0 (command, "run") == 0 && argc == 3)
    {
      /* The generator's most frequent actor, whatever the seed. */
      status = run (argv[2], "actor-0000", &error);
    }
  else if (g_strcmp0 (command, "verify") == 0 && argc == 3)
    status = verify (argv[2], &error);
  else if (g_strcmp0 (command, "all") == 0 && opt_events > 0)
    status = all (&error);
  else
    {
      g_printerr ("%s", g_option_context_get_help (context, TRUE, NULL));
      return 2;
    }

  if (error != NULL)
    g_printerr ("chancery-bench: %s\n", error->message);

  if (home_dir != NULL)
    remove_tree (home_dir);

  return status;
}
