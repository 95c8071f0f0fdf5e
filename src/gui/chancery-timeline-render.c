/* chancery-timeline-render.c: the drawing shared by the timeline widget,
 * the overview strip and picture export
 *
 * Copyright 2026 The Chancery developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Cost follows what is on screen: lanes are culled by binary search, a lane
 * with more events in view than it has room for is drawn as a density
 * histogram from prefix counts (O(pixels)), and everything else is laid out
 * greedily in rows, one frame at a time, over the visible events only.
 */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <math.h>
#include <string.h>

#include "chancery-locale.h"
#include "chancery-timeline-private.h"

#define HEADER_HEIGHT  CHANCERY_SCENE_HEADER_HEIGHT
#define ROW_HEIGHT     26.0f
#define LANE_PADDING    6.0f
/* A lane's rug: ticks where hidden events are, a "+n" pill under them. */
#define RUG_HEIGHT     24.0f
#define TICK_HEIGHT     4.0f
#define BADGE_Y         6.0f
#define BADGE_HEIGHT   16.0f
#define BADGE_PADDING   6.0f
#define BADGE_GAP       3.0f
#define DENSE_HEIGHT   50.0f
#define MAX_ROWS       24
#define MANY_LANES     12
#define ESTIMATE_PIXELS 160.0
#define MIN_ROWS        8
#define MARKER_SIZE    12.0f
#define BAR_HEIGHT     14.0f
#define LABEL_GAP       6.0f
#define ITEM_GAP       10.0f
#define MAX_LABEL     260.0f
#define MIN_LABEL      28.0f
#define BIN_PIXELS      3.0
#define CELL_PIXELS    84.0
#define MAX_BUCKETS    (1u << 14)
#define LAYOUT_CACHE_MAX 4096
/* Rug ticks are their event's colour at this opacity. */
#define TICK_ALPHA      0.7f
#define DASH_PERIOD     7.0f
/* Steps of a dashed outline that fades with its fill. */
#define MAX_DASH_STEPS  12
#define DASH_ALPHA_SLACK (2.0f / 255)  /* dash runs this close are one */
#define MAX_FLAT_STEPS  6.0f   /* a gradient changing by at most this many
                                * alpha steps is drawn as plain colours */

/* Prefix counts of one lane (or the whole index) over power-of-two buckets
 * of days: prefix[b] events have lo before bucket b. Buckets are as fine as
 * the lane is busy, so a quiet lane costs a few hundred bytes. */
typedef struct
{
  guint32 *prefix;           /* NULL until first needed */
  gint32   origin;           /* day of bucket 0 */
  guint    shift;            /* buckets are 1 << shift days */
  guint    n_buckets;
} Prefix;

/* One lane's positions grouped by how long the events are: class k holds
 * spans (hi - lo) below 2^k days, the last class the rest, each class in
 * time order with its own longest span. Culling a class needs to look
 * back only by that span, so a few year-long (or open-ended) events do not
 * make a one-day view walk a year of short ones. */
#define N_SPAN_CLASSES 14
/* Walks shorter than this need no span classes. */
#define PLAIN_WALK     2048

typedef struct
{
  guint32 *items;
  guint    starts[N_SPAN_CLASSES + 1];
  gint32   max_span[N_SPAN_CLASSES];
} Spans;

/* Lower bounds found by binary search, remembered by (lane, day): while
 * the view pans, the same day boundaries are asked for frame after frame
 * (lane sizes count whole windows of days), and at 1M each search is a few
 * cache misses across the events. Direct-mapped, so bounded and O(1); the
 * index never changes under a density, so nothing goes stale. */
#define BOUND_MEMO_SIZE 8192

typedef struct
{
  guint32 lane;              /* lane index + 2; 0: empty */
  gint32  day;
  guint32 position;
} BoundMemo;

struct _ChanceryDensity
{
  gatomicrefcount ref_count;
  ChanceryIndex *index;
  BoundMemo     *memo;       /* BOUND_MEMO_SIZE, NULL until first needed */
  Prefix        *prefixes;   /* per lane, then the whole index */
  Spans        **spans;      /* per lane, NULL until first laid out */
  guint8        *classes;    /* span class by position */
};

typedef struct
{
  PangoLayout   *layout;     /* the whole text, never ellipsized */
  int            natural_width;
  /* The text ellipsized to width: only as much of it as can show. */
  PangoLayout   *cut;
  int            width;      /* what cut was laid out for; -1: the whole */
  /* The layout's render nodes as last drawn, at the origin, and what they
   * were drawn with: a label that stays on screen while the view pans is
   * laid out and turned into glyph nodes once, not every frame. */
  GskRenderNode *node;
  int            node_width;
  guint          node_serial; /* of the Pango context: fonts, direction */
  GdkRGBA        node_color;
} CachedLayout;

/* A badge's "+9", see badge_text(). */
typedef struct
{
  char  *text;
  float  width;    /* of the text; < 0 until measured */
  guint  serial;   /* of the Pango context it was measured in */
} BadgeText;

static void
badge_text_free (gpointer data)
{
  BadgeText *badge = data;

  g_free (badge->text);
  g_free (badge);
}

typedef enum
{
  UNIT_HOUR,
  UNIT_DAY,
  UNIT_MONTH,
  UNIT_YEAR,
} Unit;

typedef struct
{
  Unit   unit;
  int    step;
  double days;
} Step;

static const Step steps[] = {
  { UNIT_HOUR, 1, 1.0 / 24.0 },
  { UNIT_HOUR, 3, 3.0 / 24.0 },
  { UNIT_HOUR, 6, 6.0 / 24.0 },
  { UNIT_HOUR, 12, 12.0 / 24.0 },
  { UNIT_DAY, 1, 1.0 },
  { UNIT_DAY, 7, 7.0 },
  { UNIT_MONTH, 1, 30.44 },
  { UNIT_MONTH, 3, 91.31 },
  { UNIT_MONTH, 6, 182.62 },
  { UNIT_YEAR, 1, 365.25 },
  { UNIT_YEAR, 2, 730.5 },
  { UNIT_YEAR, 5, 1826.2 },
  { UNIT_YEAR, 10, 3652.5 },
  { UNIT_YEAR, 20, 7305.0 },
  { UNIT_YEAR, 50, 18262.0 },
  { UNIT_YEAR, 100, 36525.0 },
  { UNIT_YEAR, 200, 73050.0 },
  { UNIT_YEAR, 500, 182621.0 },
  { UNIT_YEAR, 1000, 365242.0 },
};

/* Calendar helpers */

static gint64
floor_div (gint64 a,
           gint64 b)
{
  gint64 q = a / b;

  if ((a % b != 0) && ((a < 0) != (b < 0)))
    q--;
  return q;
}

static gint32
clamp_day (double day)
{
  return (gint32) CLAMP (day, CHANCERY_SCENE_FIRST_DAY, CHANCERY_SCENE_LAST_DAY - 1);
}

static void
day_to_ymd (gint32  day,
            int    *year,
            int    *month,
            int    *mday)
{
  chancery_day_to_ymd (clamp_day (day), year, month, mday);
}

static gint32
ymd_to_day (int year,
            int month,
            int mday)
{
  return chancery_day_from_ymd (CLAMP (year, 1, 9999), month, mday);
}

/* strftime-like formatting of a day (plus hours) in the user's locale. */
static char *
format_time (double      day,
             const char *format)
{
  g_autoptr(GDateTime) dt = NULL;
  gint32 whole = clamp_day (floor (day));
  int year, month, mday;
  int minutes = (int) lround ((day - whole) * 24 * 60);

  day_to_ymd (whole, &year, &month, &mday);
  dt = g_date_time_new_utc (year, month, mday, 0, 0, 0);
  if (dt == NULL)
    return g_strdup ("");
  if (minutes > 0 && minutes < 24 * 60)
    {
      GDateTime *later = g_date_time_add_minutes (dt, minutes);

      g_date_time_unref (dt);
      dt = later;
    }

  return chancery_format_date_time (dt, format);
}

/* Now in local time, as a day and the fraction of it to the minute.
 * Working the local time out costs ~20 µs with GLib 2.74 (it reads the
 * time zone again at every call), twice a frame for the today line: it
 * is kept for the minute of real time it stands for (local time zones
 * are whole minutes off UTC). Main thread only. */
double
chancery_scene_now (void)
{
  static gint64 kept_minute = G_MININT64;
  static double kept_now;
  gint64 minute = g_get_real_time () / (60 * G_USEC_PER_SEC);

  if (minute != kept_minute)
    {
      g_autoptr(GDateTime) now = g_date_time_new_from_unix_local (minute * 60);

      kept_now = chancery_day_from_ymd (g_date_time_get_year (now),
                                        g_date_time_get_month (now),
                                        g_date_time_get_day_of_month (now))
                 + (g_date_time_get_hour (now) * 60 + g_date_time_get_minute (now)) / 1440.0;
      kept_minute = minute;
    }
  return kept_now;
}

char *
chancery_format_event_description (const ChanceryIndex *index,
                                   guint                position)
{
  const ChanceryIndexEvent *event = &index->events[position];
  g_autofree char *date = chancery_index_event_format_date (event);
  const char *kind = event->kind < CHANCERY_N_KINDS
                     ? chancery_kind_get_label (event->kind) : "";

  /* Translators: title, date and kind of an event, for screen readers */
  return g_strdup_printf (_("%s, %s, %s"),
                          chancery_index_get_title (index, position), date, kind);
}

/* Palette */

static void
rgba (GdkRGBA    *color,
      const char *spec,
      float       alpha)
{
  gdk_rgba_parse (color, spec);
  color->alpha *= alpha;
}

void
chancery_palette_init (ChanceryPalette *palette,
                       gboolean         dark)
{
  /* Libadwaita 1.2's palette: strong shades on light, soft ones on dark,
   * so kinds stay readable on both backgrounds. */
  static const char *light_kinds[CHANCERY_N_KINDS] = {
    "#3584e4", /* visit: blue */
    "#2190a4", /* meeting: teal */
    "#9141ac", /* talks: purple */
    "#c88800", /* press conference: yellow */
    "#26a269", /* agreement: green */
    "#5e5c64", /* statement: slate */
    "#e66100", /* milestone: orange */
    "#865e3c", /* summit: brown */
    "#c01c28", /* incident: red */
    "#c4327a", /* election: pink */
    "#77767b", /* other: grey */
  };
  static const char *dark_kinds[CHANCERY_N_KINDS] = {
    "#62a0ea",
    "#4fc1d6",
    "#c061cb",
    "#f6d32d",
    "#57e389",
    "#c0bfbc",
    "#ffa348",
    "#cdab8f",
    "#f66151",
    "#f08ab8",
    "#9a9996",
  };

  palette->dark = dark;
  if (dark)
    {
      rgba (&palette->background, "#1e1e1e", 1);
      rgba (&palette->lane_alt, "#ffffff", 0.025f);
      rgba (&palette->axis_background, "#282828", 1);
      rgba (&palette->foreground, "#ffffff", 1);
      rgba (&palette->dim, "#ffffff", 0.55f);
      rgba (&palette->separator, "#ffffff", 0.09f);
      rgba (&palette->grid, "#ffffff", 0.04f);
      rgba (&palette->grid_major, "#ffffff", 0.10f);
      rgba (&palette->accent, "#78aeed", 1);
      rgba (&palette->on_accent, "#000000", 0.85f);
      rgba (&palette->density, "#62a0ea", 0.65f);
    }
  else
    {
      rgba (&palette->background, "#ffffff", 1);
      rgba (&palette->lane_alt, "#000006", 0.022f);
      rgba (&palette->axis_background, "#f6f5f4", 1);
      rgba (&palette->foreground, "#000000", 0.8f);
      rgba (&palette->dim, "#000000", 0.55f);
      rgba (&palette->separator, "#000000", 0.09f);
      rgba (&palette->grid, "#000000", 0.045f);
      rgba (&palette->grid_major, "#000000", 0.10f);
      rgba (&palette->accent, "#1c71d8", 1);
      rgba (&palette->on_accent, "#ffffff", 1);
      rgba (&palette->density, "#3584e4", 0.6f);
    }

  for (guint i = 0; i < CHANCERY_N_KINDS; i++)
    rgba (&palette->kinds[i], dark ? dark_kinds[i] : light_kinds[i], 1);
}

void
chancery_palette_init_for_widget (ChanceryPalette *palette,
                                  GtkWidget       *widget)
{
  GtkStyleContext *context = gtk_widget_get_style_context (widget);
  GdkRGBA fg, color;
  gboolean dark;

  /* The theme's text colour says whether the style is dark, whichever way
   * it was chosen (AdwStyleManager, high contrast, a custom theme). */
  gtk_style_context_get_color (context, &fg);
  dark = (0.299 * fg.red + 0.587 * fg.green + 0.114 * fg.blue) > 0.5;
  chancery_palette_init (palette, dark);

  palette->foreground = fg;
  palette->dim = fg;
  palette->dim.alpha *= 0.55f;
  if (gtk_style_context_lookup_color (context, "view_bg_color", &color))
    palette->background = color;
  if (gtk_style_context_lookup_color (context, "accent_color", &color))
    palette->accent = color;
}

/* Density */

/* 0 for one day, then the bit length of the span, at most the last. */
static guint
span_class (gint32 span)
{
  if (span <= 0)
    return 0;
  return MIN (g_bit_storage ((gulong) span), N_SPAN_CLASSES - 1);
}

ChanceryDensity *
chancery_density_new (ChanceryIndex *index)
{
  ChanceryDensity *density = g_new0 (ChanceryDensity, 1);

  g_atomic_ref_count_init (&density->ref_count);
  density->index = chancery_index_ref (index);
  density->prefixes = g_new0 (Prefix, index->lanes->len + 1);
  density->spans = g_new0 (Spans *, index->lanes->len);
  /* The span class of every event, once per index (~3 ms at 1M, with the
   * index, not in a frame while panning): a lane's classes then read one
   * byte per event instead of the event (~0.5 ms for 200,000). */
  density->classes = g_new (guint8, MAX (index->n_events, 1));
  for (guint i = 0; i < index->n_events; i++)
    density->classes[i] = (guint8) span_class (index->events[i].hi - index->events[i].lo);

  return density;
}

ChanceryDensity *
chancery_density_ref (ChanceryDensity *density)
{
  g_atomic_ref_count_inc (&density->ref_count);
  return density;
}

void
chancery_density_unref (ChanceryDensity *density)
{
  if (density == NULL || !g_atomic_ref_count_dec (&density->ref_count))
    return;

  for (guint i = 0; i <= density->index->lanes->len; i++)
    g_free (density->prefixes[i].prefix);
  for (guint i = 0; i < density->index->lanes->len; i++)
    {
      if (density->spans[i] != NULL)
        g_free (density->spans[i]->items);
      g_free (density->spans[i]);
    }
  g_free (density->prefixes);
  g_free (density->spans);
  g_free (density->classes);
  g_free (density->memo);
  chancery_index_unref (density->index);
  g_free (density);
}

ChanceryIndex *
chancery_density_get_index (ChanceryDensity *density)
{
  return density->index;
}

static gint32
lo_at (const ChanceryIndex *index,
       const ChanceryLane  *lane,
       guint                i)
{
  return index->events[lane != NULL ? lane->items[i] : i].lo;
}

static Prefix *
density_prefix (ChanceryDensity *density,
                int              lane_index)
{
  const ChanceryIndex *index = density->index;
  guint slot = lane_index < 0 ? index->lanes->len : (guint) lane_index;
  const ChanceryLane *lane = lane_index < 0 ? NULL : g_ptr_array_index (index->lanes, lane_index);
  Prefix *p = &density->prefixes[slot];
  guint n = lane != NULL ? lane->n_items : index->n_events;
  guint max_buckets;
  gint64 span;

  if (p->prefix != NULL || n == 0)
    return p;

  /* About one bucket per four events, within [64, MAX_BUCKETS]. */
  max_buckets = CLAMP (n / 4, 64, MAX_BUCKETS);
  span = (gint64) lo_at (index, lane, n - 1) - lo_at (index, lane, 0) + 1;
  p->shift = 0;
  while ((span >> p->shift) + 2 > max_buckets)
    p->shift++;
  p->origin = (gint32) (floor_div (lo_at (index, lane, 0), (gint64) 1 << p->shift) << p->shift);
  p->n_buckets = (guint) ((((gint64) lo_at (index, lane, n - 1) - p->origin) >> p->shift) + 1);

  p->prefix = g_new0 (guint32, p->n_buckets + 1);
  for (guint i = 0; i < n; i++)
    p->prefix[((lo_at (index, lane, i) - p->origin) >> p->shift) + 1]++;
  for (guint b = 1; b <= p->n_buckets; b++)
    p->prefix[b] += p->prefix[b - 1];

  return p;
}

static guint
bucket_of (const Prefix *p,
           gint32        day)
{
  gint64 b;

  if (day <= p->origin)
    return 0;
  b = ((gint64) day - p->origin) >> p->shift;
  return (guint) MIN (b, (gint64) p->n_buckets);
}

/* First i in the lane (or the index) with lo >= day: the prefix counts
 * say which bucket it is in, so the search is within one bucket (a few
 * events) instead of the whole lane. */
static guint
lower_bound (ChanceryDensity *density,
             int              lane_index,
             gint32           day)
{
  const ChanceryIndex *index = density->index;
  const ChanceryLane *lane = lane_index < 0 ? NULL : g_ptr_array_index (index->lanes, lane_index);
  const Prefix *p = density_prefix (density, lane_index);
  guint32 tag = (guint32) (lane_index + 2);
  BoundMemo *memo;
  guint b, lo, hi;

  if (p->prefix == NULL)
    return 0;

  b = bucket_of (p, day);
  if (b >= p->n_buckets)
    return p->prefix[p->n_buckets];
  lo = p->prefix[b];
  hi = p->prefix[b + 1];
  if (hi - lo < 8)
    memo = NULL;   /* a short search costs less than remembering it */
  else
    {
      guint32 h = ((guint32) day * 2654435761u) ^ (tag * 40503u);

      if (density->memo == NULL)
        density->memo = g_new0 (BoundMemo, BOUND_MEMO_SIZE);
      memo = &density->memo[(h ^ (h >> 15)) & (BOUND_MEMO_SIZE - 1)];
      if (memo->lane == tag && memo->day == day)
        return memo->position;
    }

  while (lo < hi)
    {
      guint mid = lo + (hi - lo) / 2;

      if (lo_at (index, lane, mid) < day)
        lo = mid + 1;
      else
        hi = mid;
    }

  if (memo != NULL)
    *memo = (BoundMemo) { tag, day, lo };
  return lo;
}

/* Whether more than limit events of the lane start in [a, b). The prefix
 * counts of the buckets holding a and b bound the count; only when the
 * bounds straddle the limit is it searched for (two searches a lane cost
 * ~1 µs in a frame at 1M, mostly cache misses into the events). */
gboolean
chancery_density_more_than (ChanceryDensity *density,
                            int              lane_index,
                            gint32           a,
                            gint32           b,
                            guint            limit)
{
  const Prefix *p = density_prefix (density, lane_index);
  guint ba, bb;
  gint64 least, most;

  if (p->prefix == NULL || b <= a)
    return FALSE;

  /* lower_bound (d) lies in [prefix[bucket], prefix[bucket + 1]], and is
   * prefix[n_buckets] past the last bucket. */
  ba = bucket_of (p, a);
  bb = bucket_of (p, b);
  most = (gint64) p->prefix[MIN (bb + 1, p->n_buckets)] - p->prefix[ba];
  least = (gint64) p->prefix[bb] - p->prefix[MIN (ba + 1, p->n_buckets)];
  if (most <= limit)
    return FALSE;
  if (least > limit)
    return TRUE;
  return lower_bound (density, lane_index, b) - lower_bound (density, lane_index, a) > limit;
}

static const Spans *
density_spans (ChanceryDensity *density,
               guint            lane_index)
{
  const ChanceryIndex *index = density->index;
  const ChanceryLane *lane = g_ptr_array_index (index->lanes, lane_index);
  guint fill[N_SPAN_CLASSES] = { 0 };
  Spans *spans = density->spans[lane_index];

  if (spans != NULL)
    return spans;

  spans = g_new0 (Spans, 1);
  spans->items = g_new (guint32, MAX (lane->n_items, 1));
  for (guint i = 0; i < lane->n_items; i++)
    spans->starts[density->classes[lane->items[i]] + 1]++;
  for (guint k = 0; k < N_SPAN_CLASSES; k++)
    {
      spans->starts[k + 1] += spans->starts[k];
      fill[k] = spans->starts[k];
      /* Class k holds spans below 2^k; the last one, up to the lane's. */
      spans->max_span[k] = k + 1 < N_SPAN_CLASSES ? (1 << k) - 1 : lane->max_span;
    }
  for (guint i = 0; i < lane->n_items; i++)
    spans->items[fill[density->classes[lane->items[i]]]++] = lane->items[i];

  density->spans[lane_index] = spans;
  return spans;
}

/* First i in class k with lo >= day. */
static guint
spans_lower_bound (const ChanceryIndex *index,
                   const Spans         *spans,
                   guint                k,
                   gint32               day)
{
  guint lo = spans->starts[k], hi = spans->starts[k + 1];

  while (lo < hi)
    {
      guint mid = lo + (hi - lo) / 2;

      if (index->events[spans->items[mid]].lo < day)
        lo = mid + 1;
      else
        hi = mid;
    }
  return lo;
}

guint
chancery_density_count (ChanceryDensity *density,
                        int              lane,
                        gint32           a,
                        gint32           b)
{
  Prefix *p;
  gint64 mask;

  if (b <= a)
    return 0;

  p = density_prefix (density, lane);
  if (p->prefix == NULL)
    return 0;

  /* Bucket-aligned: O(1) from the prefix counts. */
  mask = ((gint64) 1 << p->shift) - 1;
  if ((((gint64) a - p->origin) & mask) == 0 && (((gint64) b - p->origin) & mask) == 0)
    return p->prefix[bucket_of (p, b)] - p->prefix[bucket_of (p, a)];

  return lower_bound (density, lane, b) - lower_bound (density, lane, a);
}

/* Text */

static void
cached_layout_free (gpointer data)
{
  CachedLayout *cached = data;

  g_clear_pointer (&cached->node, gsk_render_node_unref);
  g_clear_object (&cached->cut);
  g_object_unref (cached->layout);
  g_free (cached);
}

static CachedLayout *
cached_layout_new (ChanceryScene              *scene,
                   const PangoFontDescription *font,
                   const char                 *text,
                   gboolean                    strike)
{
  CachedLayout *cached = g_new0 (CachedLayout, 1);

  cached->layout = pango_layout_new (scene->pango);
  pango_layout_set_font_description (cached->layout, font);
  pango_layout_set_single_paragraph_mode (cached->layout, TRUE);
  pango_layout_set_ellipsize (cached->layout, PANGO_ELLIPSIZE_END);
  pango_layout_set_text (cached->layout, text, -1);
  if (strike)
    {
      PangoAttrList *attrs = pango_attr_list_new ();

      pango_attr_list_insert (attrs, pango_attr_strikethrough_new (TRUE));
      pango_layout_set_attributes (cached->layout, attrs);
      pango_attr_list_unref (attrs);
    }
  pango_layout_get_pixel_size (cached->layout, &cached->natural_width, NULL);
  cached->width = -1;

  return cached;
}

/* Layout caches keep two generations: when the newer one is full, the
 * older one is dropped and the newer one takes its place. What was used
 * since moves to the newer one, so a full cache never drops the labels on
 * screen all at once (a pan after that would lay out every one again). */
static gpointer
cache_lookup (GHashTable  **now,
              GHashTable  **before,
              gconstpointer key)
{
  gpointer found_key, value = g_hash_table_lookup (*now, key);

  if (value == NULL &&
      g_hash_table_steal_extended (*before, key, &found_key, &value))
    g_hash_table_insert (*now, found_key, value);
  return value;
}

static void
cache_insert (GHashTable **now,
              GHashTable **before,
              gpointer     key,
              gpointer     value)
{
  if (g_hash_table_size (*now) >= LAYOUT_CACHE_MAX / 2)
    {
      GHashTable *old = *before;

      g_hash_table_remove_all (old);
      *before = *now;
      *now = old;
    }
  g_hash_table_insert (*now, key, value);
}

static CachedLayout *
title_layout (ChanceryScene *scene,
              guint          position)
{
  CachedLayout *cached = cache_lookup (&scene->title_layouts, &scene->old_title_layouts,
                                       GUINT_TO_POINTER (position));

  if (cached == NULL)
    {
      const ChanceryIndexEvent *e = &scene->index->events[position];

      cached = cached_layout_new (scene, scene->label_font,
                                  chancery_index_get_title (scene->index, position),
                                  e->status == CHANCERY_STATUS_CANCELLED);
      cache_insert (&scene->title_layouts, &scene->old_title_layouts,
                    GUINT_TO_POINTER (position), cached);
    }

  return cached;
}

static CachedLayout *
text_layout (ChanceryScene              *scene,
             const PangoFontDescription *font,
             const char                 *text)
{
  g_autofree char *key = g_strdup_printf ("%p|%s", (gpointer) font, text);
  CachedLayout *cached = cache_lookup (&scene->text_layouts, &scene->old_text_layouts, key);

  if (cached == NULL)
    {
      cached = cached_layout_new (scene, font, text, FALSE);
      cache_insert (&scene->text_layouts, &scene->old_text_layouts, g_steal_pointer (&key), cached);
    }

  return cached;
}

/* Where the text can stop for a label of width pixels: past the first
 * characters that fill it, and a few more so that shaping near the cut is
 * unchanged. Ellipsizing that prefix gives what ellipsizing the whole text
 * would, at the cost of shaping the prefix: a 190-byte title cut to 160 px
 * is a fifth of it.
 *
 * Pango ellipsizes before it reorders, so what stays is a logical prefix
 * of the text. The cut must fall in left-to-right text of a left-to-right
 * paragraph (a run of level 0), and the prefix ends more than eight
 * characters before the next run of another level: then every character
 * kept gets the same bidi level from the prefix as from the whole text
 * (its level depends on what follows only up to the next strong
 * character, and the prefix ends in level 0 as the paragraph does), and
 * the ellipsis takes the level of the text it replaces, 0 in both. Runs of
 * other levels before the cut are fine: a run of level 0 starts where
 * everything logically before it ends, in visual order too. Otherwise
 * (the cut in right-to-left text, or too near it) the whole text is
 * ellipsized. */
gsize
chancery_text_prefix_for_width (PangoLayout *layout,
                                int          width)
{
  const char *text = pango_layout_get_text (layout);
  PangoLayoutLine *line = pango_layout_get_line_readonly (layout, 0);
  int need = width * PANGO_SCALE, done = 0;
  gsize whole = strlen (text), end = G_MAXSIZE, ltr_end = 0;

  if (line == NULL)
    return whole;

  for (GSList *l = line->runs; l != NULL; l = l->next)
    {
      PangoGlyphItem *run = l->data;
      PangoItem *item = run->item;
      int run_width = pango_glyph_string_get_width (run->glyphs);

      if (end != G_MAXSIZE)
        {
          /* Past the cut: how far its left-to-right text goes on. */
          if (item->analysis.level != 0)
            break;
          ltr_end = item->offset + item->length;
          continue;
        }
      if (done + run_width >= need)
        {
          int index = 0, trailing = 0;

          if (item->analysis.level != 0)
            return whole;
          pango_glyph_string_x_to_index (run->glyphs, (char *) text + item->offset, item->length,
                                         &item->analysis, need - done, &index, &trailing);
          end = item->offset + index;
          ltr_end = item->offset + item->length;
        }
      done += run_width;
    }
  if (end == G_MAXSIZE)
    return whole;

  for (guint n = 0; n < 8 && end < ltr_end; n++)
    end = g_utf8_next_char (text + end) - text;
  /* Eight characters short of a right-to-left run, the ellipsis may
   * reach back into it: then the whole text too. */
  if (end >= ltr_end && ltr_end < whole)
    return whole;
  return MIN (end, whole);
}

/* The layout to draw for a label of max_width: the whole text when it
 * fits, else (whole pixels, so a pan does not re-lay out every label)
 * the text cut and ellipsized. */
static PangoLayout *
cached_layout_at_width (CachedLayout *cached,
                        float         max_width)
{
  int w = max_width >= cached->natural_width ? -1 : (int) floorf (MAX (max_width, 0));

  if (w < 0)
    {
      cached->width = -1;
      return cached->layout;
    }

  if (cached->cut == NULL)
    cached->cut = pango_layout_copy (cached->layout);
  if (w != cached->width)
    {
      const char *text = pango_layout_get_text (cached->layout);
      gsize end = chancery_text_prefix_for_width (cached->layout, w);

      if (strncmp (pango_layout_get_text (cached->cut), text, end) != 0 ||
          strlen (pango_layout_get_text (cached->cut)) != end)
        pango_layout_set_text (cached->cut, text, (int) end);
      pango_layout_set_width (cached->cut, w * PANGO_SCALE);
      cached->width = w;
    }
  return cached->cut;
}

static void
append_text (GtkSnapshot   *snapshot,
             CachedLayout  *cached,
             float          x,
             float          y,
             float          max_width,
             const GdkRGBA *color)
{
  guint serial = pango_context_get_serial (pango_layout_get_context (cached->layout));
  PangoLayout *layout = cached_layout_at_width (cached, max_width);

  if (cached->node == NULL || cached->node_width != cached->width ||
      cached->node_serial != serial || !gdk_rgba_equal (&cached->node_color, color))
    {
      GtkSnapshot *inner = gtk_snapshot_new ();

      gtk_snapshot_append_layout (inner, layout, color);
      g_clear_pointer (&cached->node, gsk_render_node_unref);
      cached->node = gtk_snapshot_free_to_node (inner);
      cached->node_width = cached->width;
      cached->node_serial = serial;
      cached->node_color = *color;
    }
  if (cached->node == NULL)
    return;   /* no glyphs */

  gtk_snapshot_save (snapshot);
  gtk_snapshot_translate (snapshot, &GRAPHENE_POINT_INIT (roundf (x), roundf (y)));
  gtk_snapshot_append_node (snapshot, cached->node);
  gtk_snapshot_restore (snapshot);
}

static float
text_width (CachedLayout *cached,
            float         max_width)
{
  return MIN ((float) cached->natural_width, max_width);
}

/* Scene */

void
chancery_scene_init (ChanceryScene *scene)
{
  memset (scene, 0, sizeof *scene);
  scene->lanes = g_array_new (FALSE, FALSE, sizeof (ChanceryLaneBox));
  scene->items = g_array_new (FALSE, FALSE, sizeof (ChanceryItem));
  scene->bins = g_array_new (FALSE, FALSE, sizeof (ChanceryBin));
  scene->badges = g_array_new (FALSE, FALSE, sizeof (ChanceryBadge));
  scene->title_layouts = g_hash_table_new_full (NULL, NULL, NULL, cached_layout_free);
  scene->old_title_layouts = g_hash_table_new_full (NULL, NULL, NULL, cached_layout_free);
  scene->text_layouts = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                               cached_layout_free);
  scene->old_text_layouts = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                                   cached_layout_free);
  scene->badge_texts = g_hash_table_new_full (NULL, NULL, NULL, badge_text_free);
  scene->start = 0;
  scene->end = 1;
  scene->show_today = TRUE;
  chancery_palette_init (&scene->palette, FALSE);
}

void
chancery_scene_clear (ChanceryScene *scene)
{
  g_clear_pointer (&scene->lanes, g_array_unref);
  g_clear_pointer (&scene->items, g_array_unref);
  g_clear_pointer (&scene->bins, g_array_unref);
  g_clear_pointer (&scene->badges, g_array_unref);
  g_clear_pointer (&scene->title_layouts, g_hash_table_unref);
  g_clear_pointer (&scene->old_title_layouts, g_hash_table_unref);
  g_clear_pointer (&scene->text_layouts, g_hash_table_unref);
  g_clear_pointer (&scene->old_text_layouts, g_hash_table_unref);
  g_clear_pointer (&scene->badge_texts, g_hash_table_unref);
  g_clear_pointer (&scene->density, chancery_density_unref);
  g_clear_pointer (&scene->index, chancery_index_unref);
  g_clear_pointer (&scene->label_font, pango_font_description_free);
  g_clear_pointer (&scene->small_font, pango_font_description_free);
  g_clear_pointer (&scene->bold_font, pango_font_description_free);
  g_clear_object (&scene->pango);
}

void
chancery_scene_set_index (ChanceryScene *scene,
                          ChanceryIndex *index)
{
  if (scene->index == index)
    return;

  g_clear_pointer (&scene->density, chancery_density_unref);
  g_clear_pointer (&scene->index, chancery_index_unref);
  g_hash_table_remove_all (scene->title_layouts);
  g_hash_table_remove_all (scene->old_title_layouts);
  g_array_set_size (scene->lanes, 0);
  g_array_set_size (scene->items, 0);
  g_array_set_size (scene->bins, 0);
  g_array_set_size (scene->badges, 0);

  if (index != NULL)
    {
      scene->index = chancery_index_ref (index);
      scene->density = chancery_density_new (index);
    }
}

static PangoFontDescription *
scaled_font (const PangoFontDescription *base,
             double                      scale,
             PangoWeight                 weight)
{
  PangoFontDescription *font = pango_font_description_copy (base);
  int size = pango_font_description_get_size (base);

  if (size <= 0)
    size = 11 * PANGO_SCALE;
  if (pango_font_description_get_size_is_absolute (base))
    pango_font_description_set_absolute_size (font, size * scale);
  else
    pango_font_description_set_size (font, (int) (size * scale));
  pango_font_description_set_weight (font, weight);

  return font;
}

void
chancery_scene_set_pango (ChanceryScene *scene,
                          PangoContext  *context)
{
  const PangoFontDescription *base;
  g_autoptr(PangoFontDescription) fallback = NULL;
  CachedLayout *probe;

  g_set_object (&scene->pango, context);
  g_hash_table_remove_all (scene->title_layouts);
  g_hash_table_remove_all (scene->old_title_layouts);
  g_hash_table_remove_all (scene->text_layouts);
  g_hash_table_remove_all (scene->old_text_layouts);
  g_hash_table_remove_all (scene->badge_texts);   /* their widths */

  base = pango_context_get_font_description (context);
  if (base == NULL || pango_font_description_get_family (base) == NULL)
    {
      fallback = pango_font_description_from_string ("Cantarell, Noto Sans, DejaVu Sans 11");
      base = fallback;
    }

  g_clear_pointer (&scene->label_font, pango_font_description_free);
  g_clear_pointer (&scene->small_font, pango_font_description_free);
  g_clear_pointer (&scene->bold_font, pango_font_description_free);
  scene->label_font = scaled_font (base, 0.92, PANGO_WEIGHT_NORMAL);

  scene->small_font = scaled_font (base, 0.82, PANGO_WEIGHT_NORMAL);
  scene->bold_font = scaled_font (base, 0.82, PANGO_WEIGHT_BOLD);

  probe = text_layout (scene, scene->label_font, "Ag");
  pango_layout_get_pixel_size (probe->layout, NULL, NULL);
  {
    int height;

    pango_layout_get_pixel_size (probe->layout, NULL, &height);
    scene->line_height = height;
  }
}

static double
scene_u (const ChanceryScene *scene,
         double               day)
{
  return (day - scene->start) / (scene->end - scene->start) * scene->width;
}

double
chancery_scene_x_at (const ChanceryScene *scene,
                     double               day)
{
  double u = scene_u (scene, day);

  return scene->rtl ? scene->width - u : u;
}

double
chancery_scene_day_at (const ChanceryScene *scene,
                       double               x)
{
  double u = scene->rtl ? scene->width - x : x;

  return scene->start + u / MAX (scene->width, 1.0) * (scene->end - scene->start);
}

/* A rectangle [u0, u1) x [y, y + h) in start-edge coordinates to widget ones. */
static graphene_rect_t
u_rect (const ChanceryScene *scene,
        float                u0,
        float                u1,
        float                y,
        float                h)
{
  float x = scene->rtl ? scene->width - u1 : u0;

  return GRAPHENE_RECT_INIT (x, y, u1 - u0, h);
}

static ChanceryShape
shape_for (const ChanceryIndexEvent *e,
           double                    day_pixels)
{
  if ((e->flags & (CHANCERY_INDEX_OPEN_START | CHANCERY_INDEX_OPEN_END)) ||
      e->precision != CHANCERY_PRECISION_DAY)
    return CHANCERY_SHAPE_SOFT;
  if (e->hi > e->lo || day_pixels >= 2 * MARKER_SIZE)
    return CHANCERY_SHAPE_BAR;
  return CHANCERY_SHAPE_POINT;
}

typedef struct
{
  float row_end[MAX_ROWS];
  /* the last labelled item of each row, whose label may be shortened */
  int   last_item[MAX_ROWS];
  float marker_end[MAX_ROWS];
  float label_u[MAX_ROWS];
  /* where the row's last item ends when nothing is drawn after it (its
   * label on it, or none), else row_end */
  float firm_end[MAX_ROWS];
  guint n_rows;
  guint max_rows;
  /* At 1M a busy lane's rows are full for most of its events (a week had
   * ~1,200 going to the rug): these answer "no row" without a walk. */
  float min_end;             /* the least row_end of the rows in use */
  float min_firm_end;        /* the least firm_end */
  guint n_open;              /* rows whose last_item is set */
} Rows;

static void
rows_set (Rows  *rows,
          guint  row,
          float  end,
          int    last_item,
          float  marker_end,
          float  label_u)
{
  if (rows->last_item[row] >= 0)
    rows->n_open--;
  if (last_item >= 0)
    rows->n_open++;
  rows->row_end[row] = end;
  rows->last_item[row] = last_item;
  rows->marker_end[row] = marker_end;
  rows->firm_end[row] = last_item >= 0 ? end : marker_end;
  rows->label_u[row] = label_u;
  rows->n_rows = MAX (rows->n_rows, row + 1);

  rows->min_end = G_MAXFLOAT;
  rows->min_firm_end = G_MAXFLOAT;
  for (guint r = 0; r < rows->max_rows; r++)
    {
      rows->min_end = MIN (rows->min_end, rows->row_end[r]);
      rows->min_firm_end = MIN (rows->min_firm_end, rows->firm_end[r]);
    }
}

/* No row is free at u0: shorten the longest-remaining label that runs
 * past u0, if it keeps a readable length. Returns the row, or -1. */
static int
rows_make_room (Rows          *rows,
                ChanceryScene *scene,
                float          u0)
{
  int best = -1;
  float best_width = 80;

  if (rows->n_open == 0)
    return -1;
  for (guint r = 0; r < rows->max_rows; r++)
    {
      float width = u0 - ITEM_GAP - rows->label_u[r];

      if (rows->last_item[r] < 0 || rows->marker_end[r] + ITEM_GAP > u0)
        continue;
      if (width >= best_width)
        {
          best = (int) r;
          best_width = width;
        }
    }

  if (best >= 0)
    {
      ChanceryItem *item = &g_array_index (scene->items, ChanceryItem, rows->last_item[best]);

      if (scene->rtl)
        item->label_x += item->label_width - best_width;
      item->label_width = best_width;
      rows->last_item[best] = -1;
      rows->n_open--;
    }

  return best;
}

/* The first of n rows whose end (of ends, the least of which is min_end)
 * is at u0 or before, or -1. */
static int
first_row_ending_by (const float *ends,
                     float        min_end,
                     guint        n,
                     float        u0)
{
  if (u0 < min_end)
    return -1;
  for (guint r = 0; r < n; r++)
    {
      if (ends[r] <= u0)
        return (int) r;
    }
  return -1;
}

static int
rows_find (Rows  *rows,
           float  u0)
{
  return first_row_ending_by (rows->row_end, rows->min_end, rows->max_rows, u0);
}

/* A row whose last item ends at u0 or before, with nothing drawn after
 * it: for an open-ended event ("after 8 December"), whose firm cap marks
 * where it starts, when no row leaves the usual gap. Without it, such an
 * event that follows one ending the day before ("before 9 December") goes
 * to the rug however much room its row has. */
static int
rows_find_touching (Rows  *rows,
                    float  u0)
{
  return first_row_ending_by (rows->firm_end, rows->min_firm_end, rows->max_rows, u0);
}

/* Greedy row assignment of one lane's visible events into box->n_rows and
 * box->n_hidden, appending their items. */
static void
layout_lane_events (ChanceryScene   *scene,
                    guint            lane_index,
                    guint            max_rows,
                    ChanceryLaneBox *box,
                    GArray          *rows_of_items)
{
  const ChanceryIndex *index = scene->index;
  double days_per_px = (scene->end - scene->start) / scene->width;
  double day_px = 1.0 / days_per_px;
  double margin = MARKER_SIZE * days_per_px;
  gint32 from = clamp_day (floor (scene->start - margin));
  gint32 to = clamp_day (ceil (scene->end + margin));
  const ChanceryLane *lane = g_ptr_array_index (index->lanes, lane_index);
  guint plain = lower_bound (scene->density, (int) lane_index, from - lane->max_span);
  guint plain_end = lower_bound (scene->density, (int) lane_index, to);
  const Spans *spans = NULL;
  guint next[N_SPAN_CLASSES], last[N_SPAN_CLASSES];
  Rows rows;

  /* A short walk goes over the lane as it is. A long one (the lane's
   * longest event reaches far back) goes over each span class from as far
   * back as its own longest event reaches; the classes are built once per
   * lane, the first time they pay. */
  if (plain_end - plain > PLAIN_WALK)
    {
      spans = density_spans (scene->density, lane_index);
      for (guint k = 0; k < N_SPAN_CLASSES; k++)
        {
          if (spans->starts[k] == spans->starts[k + 1])
            {
              next[k] = last[k] = 0;
              continue;
            }
          next[k] = spans_lower_bound (index, spans, k, from - spans->max_span[k]);
          last[k] = spans_lower_bound (index, spans, k, to);
        }
    }

  for (guint r = 0; r < MAX_ROWS; r++)
    {
      rows.row_end[r] = -G_MAXFLOAT;
      rows.firm_end[r] = -G_MAXFLOAT;
      rows.last_item[r] = -1;
    }
  rows.n_rows = 0;
  rows.max_rows = max_rows;
  rows.min_end = -G_MAXFLOAT;
  rows.min_firm_end = -G_MAXFLOAT;
  rows.n_open = 0;

  for (;;)
    {
      guint position = G_MAXUINT;
      int k_min = -1;
      const ChanceryIndexEvent *e;
      ChanceryItem item = { 0 };
      float u0, u1, label_u = 0, label_w = 0, end;
      gboolean inside = FALSE;
      int row;

      if (spans == NULL)
        {
          if (plain >= plain_end)
            break;
          position = lane->items[plain++];
        }
      else
        {
          /* The classes merged back into time (position) order. */
          for (guint k = 0; k < N_SPAN_CLASSES; k++)
            {
              if (next[k] < last[k] && spans->items[next[k]] < position)
                {
                  position = spans->items[next[k]];
                  k_min = (int) k;
                }
            }
          if (k_min < 0)
            break;
          next[k_min]++;
        }
      e = &index->events[position];

      if (e->hi + 1 < scene->start - margin)
        continue;

      item.position = position;
      item.lane = lane_index;
      item.shape = shape_for (e, day_px);
      if (item.shape == CHANCERY_SHAPE_POINT)
        {
          float c = scene_u (scene, e->lo + 0.5);

          u0 = c - MARKER_SIZE / 2;
          u1 = c + MARKER_SIZE / 2;
        }
      else
        {
          u0 = scene_u (scene, e->lo);
          u1 = scene_u (scene, (double) e->hi + 1);
          if (u1 - u0 < MARKER_SIZE / 2)
            {
              float c = (u0 + u1) / 2;

              u0 = c - MARKER_SIZE / 4;
              u1 = c + MARKER_SIZE / 4;
            }
          /* Keep far-off ends of long bars within float reach. */
          u0 = MAX (u0, -4 * scene->width);
          u1 = MIN (u1, 5 * scene->width);
        }

      if (u1 < -MARKER_SIZE || u0 > scene->width + MARKER_SIZE)
        continue;

      /* Measure the title only once the event has a row: events that end
       * up bare or on the rug cost no text layout. */
      row = rows_find (&rows, u0);
      if (row < 0)
        row = rows_make_room (&rows, scene, u0);
      if (row < 0 && (e->flags & CHANCERY_INDEX_OPEN_END))
        row = rows_find_touching (&rows, u0);
      if (row >= 0)
        {
          float natural = title_layout (scene, position)->natural_width;
          float want = MIN (natural, MAX_LABEL);
          float visible0 = MAX (u0, 0), visible1 = MIN (u1, scene->width);
          float room = visible1 - visible0 - 2 * LABEL_GAP;

          /* On the bar when it fits, or when the bar is long or runs off the
           * end (nothing after it to label); otherwise after it. */
          if (item.shape != CHANCERY_SHAPE_POINT &&
              (room >= want ||
               (room >= 3 * MIN_LABEL && (u1 > scene->width - 2 * MIN_LABEL || room >= 180))))
            {
              inside = TRUE;
              label_u = visible0 + LABEL_GAP;
              /* The bar holds the space anyway: no cap but its length. */
              label_w = MIN (natural, room);
            }
          else
            {
              label_u = u1 + LABEL_GAP;
              label_w = want;
            }
        }

      end = inside ? u1 : label_u + label_w;
      if (row < 0 || label_w < 1)
        {
          /* No room for the label: a bare marker, if there is room for that. */
          label_w = 0;
          inside = FALSE;
          end = u1;
          row = rows_find (&rows, u0 + 1);
        }

      if (row >= 0)
        {
          /* A label after its marker can give way to a later event. */
          rows_set (&rows, (guint) row, end + (label_w > 0 ? ITEM_GAP : 2),
                    label_w > 0 && !inside ? (int) scene->items->len : -1, u1, label_u);
        }
      else
        {
          /* At the middle of what shows; an open-ended event at its
           * known end, the only date it has. On whole pixels: crisp, and
           * ticks on one spot stack exactly. */
          float c = (MAX (u0, 0) + MIN (u1, scene->width)) / 2;

          if (e->flags & CHANCERY_INDEX_OPEN_END)
            c = CLAMP (u0, 1, scene->width - 1);
          else if (e->flags & CHANCERY_INDEX_OPEN_START)
            c = CLAMP (u1, 1, scene->width - 1);
          c = roundf (c);

          item.shape = CHANCERY_SHAPE_HIDDEN;
          u0 = c - 1;
          u1 = c + 1;
          box->n_hidden++;
        }

      /* y is filled in once the lane's rows are known. */
      item.rect = u_rect (scene, u0, u1, 0, 0);
      if (label_w > 0)
        {
          graphene_rect_t r = u_rect (scene, label_u, label_u + label_w, 0, 0);

          item.label_x = r.origin.x;
          item.label_width = label_w;
          item.label_inside = inside;
        }
      g_array_append_val (scene->items, item);
      {
        int stored = row;

        g_array_append_val (rows_of_items, stored);
      }
    }

  box->n_rows = MAX (rows.n_rows, 1);
}

static void
place_lane_items (ChanceryScene   *scene,
                  ChanceryLaneBox *box,
                  GArray          *rows_of_items)
{
  float rug_y = box->y + HEADER_HEIGHT + box->n_rows * ROW_HEIGHT;

  for (guint i = 0; i < box->n_items; i++)
    {
      ChanceryItem *item = &g_array_index (scene->items, ChanceryItem, box->first_item + i);
      int row = g_array_index (rows_of_items, int, i);
      float cy = box->y + HEADER_HEIGHT + row * ROW_HEIGHT + ROW_HEIGHT / 2;
      float h;

      switch (item->shape)
        {
        case CHANCERY_SHAPE_HIDDEN:
          item->rect.origin.y = rug_y + 1;
          item->rect.size.height = TICK_HEIGHT;
          item->area = item->rect;
          continue;
        case CHANCERY_SHAPE_POINT:
          h = MARKER_SIZE;
          break;
        case CHANCERY_SHAPE_BAR:
        case CHANCERY_SHAPE_SOFT:
        default:
          h = BAR_HEIGHT;
          break;
        }

      item->rect.origin.y = cy - h / 2;
      item->rect.size.height = h;
      item->area = item->rect;
      if (item->label_width > 0)
        {
          graphene_rect_t label = GRAPHENE_RECT_INIT (item->label_x, cy - scene->line_height / 2,
                                                      item->label_width, scene->line_height);

          graphene_rect_union (&item->area, &label, &item->area);
        }
    }
}

/* "+9": formatted (and translated) once per count and scene, as long as
 * the scene keeps fewer than LAYOUT_CACHE_MAX of them, with its width
 * once measured; a busy lane lays out and draws dozens of badges a frame
 * (more when pills merge). Valid until the next call. */
static BadgeText *
badge_text (ChanceryScene *scene,
            guint          count)
{
  BadgeText *badge = g_hash_table_lookup (scene->badge_texts, GUINT_TO_POINTER (count));

  if (badge == NULL)
    {
      g_autofree char *number = chancery_format_count (count);

      badge = g_new0 (BadgeText, 1);
      /* Translators: on a small badge under a lane, for events that have no
       * room to be drawn there: %s is their number, as in "+9" */
      badge->text = g_strdup_printf (_("+%s"), number);
      badge->width = -1;
      if (g_hash_table_size (scene->badge_texts) >= LAYOUT_CACHE_MAX)
        g_hash_table_remove_all (scene->badge_texts);
      g_hash_table_insert (scene->badge_texts, GUINT_TO_POINTER (count), badge);
    }
  return badge;
}

/* The width of a badge's text, as text_width (its layout, 200) gives it. */
static float
badge_text_width (ChanceryScene *scene,
                  guint          count)
{
  BadgeText *badge = badge_text (scene, count);
  guint serial = pango_context_get_serial (scene->pango);

  if (badge->width < 0 || badge->serial != serial)
    {
      badge->width = text_width (text_layout (scene, scene->small_font, badge->text), 200);
      badge->serial = serial;
    }
  return badge->width;
}

static int
compare_positions (gconstpointer a,
                   gconstpointer b)
{
  guint x = *(const guint *) a, y = *(const guint *) b;

  return (x > y) - (x < y);
}

static int
compare_floats (gconstpointer a,
                gconstpointer b)
{
  float x = *(const float *) a, y = *(const float *) b;

  return (x > y) - (x < y);
}

typedef struct
{
  float x;
  guint position;
} Tick;

static int
compare_ticks (gconstpointer a,
               gconstpointer b)
{
  const Tick *s = a, *t = b;
  int c = compare_floats (&s->x, &t->x);

  return c != 0 ? c : (s->position > t->position) - (s->position < t->position);
}

/* The pill over the badge's ticks: centred on them, within the width. */
static void
badge_fit (ChanceryScene   *scene,
           ChanceryBadge   *badge,
           float            rug_y)
{
  float w = MAX (badge_text_width (scene, badge->count) + 2 * BADGE_PADDING, BADGE_HEIGHT + 4);
  float x = roundf ((badge->x_lo + badge->x_hi) / 2 - w / 2);

  x = CLAMP (x, 1, MAX (scene->width - 1 - w, 1));
  badge->rect = GRAPHENE_RECT_INIT (x, rug_y + BADGE_Y, w, BADGE_HEIGHT);
}

/* One pill per group of rug ticks: ticks closer than a small pill share
 * one, and pills that would touch merge, so none overlap. Only for lanes
 * on screen, from their hidden items: no cost per event beyond a sort. */
static void
layout_lane_badges (ChanceryScene   *scene,
                    guint            lane_index,
                    ChanceryLaneBox *box)
{
  float rug_y = box->y + HEADER_HEIGHT + box->n_rows * ROW_HEIGHT;
  g_autoptr(GArray) ticks = g_array_sized_new (FALSE, FALSE, sizeof (Tick), box->n_hidden);

  box->first_badge = scene->badges->len;
  box->n_badges = 0;
  if (box->n_hidden == 0)
    return;

  for (guint i = 0; i < box->n_items; i++)
    {
      const ChanceryItem *item = &g_array_index (scene->items, ChanceryItem, box->first_item + i);
      Tick tick;

      if (item->shape != CHANCERY_SHAPE_HIDDEN)
        continue;
      tick.x = item->rect.origin.x + item->rect.size.width / 2;
      tick.position = item->position;
      g_array_append_val (ticks, tick);
    }
  /* In time order, ticks are mostly in x order already (all of them,
   * left to right, in a lane of single days). */
  for (guint i = 1; i < ticks->len; i++)
    {
      if (compare_ticks (&g_array_index (ticks, Tick, i - 1), &g_array_index (ticks, Tick, i)) > 0)
        {
          g_array_sort (ticks, compare_ticks);
          break;
        }
    }

  for (guint i = 0; i < ticks->len; i++)
    {
      const Tick *tick = &g_array_index (ticks, Tick, i);
      ChanceryBadge *last = box->n_badges > 0
                            ? &g_array_index (scene->badges, ChanceryBadge, scene->badges->len - 1)
                            : NULL;
      ChanceryBadge badge = { 0 };

      if (last != NULL && tick->x - last->x_hi < BADGE_HEIGHT + 4 + BADGE_GAP)
        {
          last->count++;
          last->x_hi = tick->x;
          last->position = MIN (last->position, tick->position);
          continue;
        }
      badge.lane = lane_index;
      badge.count = 1;
      badge.position = tick->position;
      badge.x_lo = badge.x_hi = tick->x;
      g_array_append_val (scene->badges, badge);
      box->n_badges++;
    }

  /* Sized by their numbers; a pill that would touch the one before it
   * joins it (and the joined one may then touch the one before). */
  {
    guint n = 0;

    for (guint i = 0; i < box->n_badges; i++)
      {
        ChanceryBadge badge = g_array_index (scene->badges, ChanceryBadge, box->first_badge + i);

        badge_fit (scene, &badge, rug_y);
        while (n > 0)
          {
            ChanceryBadge *prev = &g_array_index (scene->badges, ChanceryBadge,
                                                  box->first_badge + n - 1);

            if (prev->rect.origin.x + prev->rect.size.width + BADGE_GAP <= badge.rect.origin.x)
              break;
            badge.count += prev->count;
            badge.x_lo = MIN (prev->x_lo, badge.x_lo);
            badge.x_hi = MAX (prev->x_hi, badge.x_hi);
            badge.position = MIN (prev->position, badge.position);
            badge_fit (scene, &badge, rug_y);
            n--;
          }
        g_array_index (scene->badges, ChanceryBadge, box->first_badge + n) = badge;
        n++;
      }
    box->n_badges = n;
    g_array_set_size (scene->badges, box->first_badge + n);
  }
}

static void
layout_lane_bins (ChanceryScene   *scene,
                  guint            lane_index,
                  ChanceryLaneBox *box)
{
  double days_per_px = (scene->end - scene->start) / scene->width;
  double raw = BIN_PIXELS * days_per_px;
  gint64 bin_days = 1;
  gint64 d;

  /* Power-of-two bins on an absolute grid: counts stay put while panning,
   * and line up with the density buckets. */
  while (bin_days < raw && bin_days < (1 << 22))
    bin_days <<= 1;

  box->first_bin = scene->bins->len;
  d = floor_div ((gint64) floor (scene->start), bin_days) * bin_days;
  for (; d < scene->end; d += bin_days)
    {
      ChanceryBin bin = { 0 };
      gint32 lo = clamp_day (d), hi = clamp_day (d + bin_days);
      float u0, u1;

      if (hi < scene->index->min_day || lo > scene->index->max_day)
        continue;
      bin.count = chancery_density_count (scene->density, lane_index, lo, hi);
      if (bin.count == 0)
        continue;
      u0 = MAX (scene_u (scene, lo), 0);
      u1 = MIN (scene_u (scene, hi), scene->width);
      bin.lane = lane_index;
      bin.lo = lo;
      bin.hi = hi;
      bin.rect = u_rect (scene, u0, u1, box->y + HEADER_HEIGHT, DENSE_HEIGHT);
      g_array_append_val (scene->bins, bin);
    }
  box->n_bins = scene->bins->len - box->first_bin;
}

/* Rows a lane will need, without looking at its events one by one: the
 * most events starting within one item's width (power-of-two windows of
 * days, counted in O(1) from the density prefix). */
static guint
estimate_rows (ChanceryScene *scene,
               guint          lane_index,
               guint          max_rows)
{
  double days_per_px = (scene->end - scene->start) / scene->width;
  gint64 window = 1, first, last;
  guint most = 0;

  while (window < ESTIMATE_PIXELS * days_per_px && window < (1 << 24))
    window <<= 1;
  first = floor_div ((gint64) floor (scene->start), window) * window;
  last = first + (gint64) ceil ((scene->end - first) / window) * window;

  /* Most lanes are quiet at a close zoom: with at most one event over all
   * the windows, that is the most any has (one count, not one a window). */
  most = chancery_density_count (scene->density, lane_index, clamp_day (first), clamp_day (last));
  if (most <= 1)
    return CLAMP (most, 1, max_rows);
  most = 0;

  for (gint64 d = first; d < scene->end && most < max_rows; d += window)
    most = MAX (most, chancery_density_count (scene->density, lane_index,
                                              clamp_day (d), clamp_day (d + window)));

  return CLAMP (most, 1, max_rows);
}

/* Lays out every lane from y = 0 with at most max_rows rows each; returns
 * the height of it all. */
static float
layout_lanes (ChanceryScene *scene,
              guint          max_rows,
              gboolean      *capped)
{
  const ChanceryIndex *index = scene->index;
  g_autoptr(GArray) rows_of_items = g_array_new (FALSE, FALSE, sizeof (int));
  gboolean many = index->lanes->len > MANY_LANES;
  float y = 0;

  g_array_set_size (scene->lanes, 0);
  g_array_set_size (scene->items, 0);
  g_array_set_size (scene->bins, 0);
  g_array_set_size (scene->badges, 0);
  *capped = FALSE;

  for (guint l = 0; l < index->lanes->len; l++)
    {
      ChanceryLaneBox box = { 0 };

      box.y = y;
      box.first_item = scene->items->len;
      box.first_bin = scene->bins->len;
      /* More events than room: a histogram instead of events. */
      box.dense = chancery_density_more_than (scene->density, (int) l,
                                              clamp_day (floor (scene->start)),
                                              clamp_day (ceil (scene->end)),
                                              (guint) MAX (48.0, scene->width / 6.0));

      if (box.dense)
        {
          box.n_rows = 0;
          box.height = HEADER_HEIGHT + DENSE_HEIGHT + LANE_PADDING;
        }
      else if (many)
        {
          /* Sized from counts, laid out for real only if it shows:
           * off-screen lanes cost O(pixels), and a lane is as tall on
           * screen as it was counted off screen. */
          box.n_rows = estimate_rows (scene, l, max_rows);
          box.deferred = TRUE;
          box.height = HEADER_HEIGHT + box.n_rows * ROW_HEIGHT + RUG_HEIGHT + LANE_PADDING;
          if (box.n_rows > MIN_ROWS)
            *capped = TRUE;
        }
      else
        {
          g_array_set_size (rows_of_items, 0);
          layout_lane_events (scene, l, max_rows, &box, rows_of_items);
          box.n_items = scene->items->len - box.first_item;
          box.height = HEADER_HEIGHT + box.n_rows * ROW_HEIGHT
                       + (box.n_hidden > 0 ? RUG_HEIGHT : 0) + LANE_PADDING;
          place_lane_items (scene, &box, rows_of_items);
          if (box.n_rows > MIN_ROWS)
            *capped = TRUE;
        }

      g_array_append_val (scene->lanes, box);
      y += box.height;
    }

  return y;
}

void
chancery_scene_layout (ChanceryScene *scene)
{
  const ChanceryIndex *index = scene->index;
  float y, viewport, offset;
  gboolean tall;

  g_array_set_size (scene->lanes, 0);
  g_array_set_size (scene->items, 0);
  g_array_set_size (scene->bins, 0);
  g_array_set_size (scene->badges, 0);
  scene->content_height = 0;

  if (index == NULL || scene->width < 1 || scene->height < 1 || scene->pango == NULL)
    return;

  /* Every lane gets the rows it needs when all of them fit the height;
   * otherwise a busy lane is kept to a share (at least MIN_ROWS, the lanes
   * scroll) and what does not fit goes to its rug. */
  viewport = MAX (scene->height - CHANCERY_SCENE_AXIS_HEIGHT, 0);
  y = layout_lanes (scene, MAX_ROWS, &tall);
  if (y > viewport && tall)
    {
      guint share = MIN_ROWS;

      /* The share is the most rows a busy lane can have with everything
       * still fitting the height: lanes that need fewer leave the rest of
       * their part to the busy ones. */
      for (guint rows = MAX_ROWS - 1; rows > MIN_ROWS; rows--)
        {
          float total = 0;

          for (guint l = 0; l < scene->lanes->len; l++)
            {
              const ChanceryLaneBox *box = &g_array_index (scene->lanes, ChanceryLaneBox, l);

              total += box->dense || box->n_rows <= rows
                       ? box->height
                       : HEADER_HEIGHT + rows * ROW_HEIGHT + RUG_HEIGHT + LANE_PADDING;
            }
          if (total <= viewport)
            {
              share = rows;
              break;
            }
        }

      y = layout_lanes (scene, share, &tall);
    }

  scene->content_height = y;
  scene->scroll_y = CLAMP (scene->scroll_y, 0, MAX (y - viewport, 0));
  offset = CHANCERY_SCENE_AXIS_HEIGHT - scene->scroll_y;

  for (guint l = 0; l < scene->lanes->len; l++)
    {
      ChanceryLaneBox *box = &g_array_index (scene->lanes, ChanceryLaneBox, l);
      gboolean shown;

      box->y += offset;
      for (guint i = 0; i < box->n_items; i++)
        {
          ChanceryItem *item = &g_array_index (scene->items, ChanceryItem, box->first_item + i);

          item->rect.origin.y += offset;
          item->area.origin.y += offset;
        }

      shown = box->y < scene->height && box->y + box->height > CHANCERY_SCENE_AXIS_HEIGHT;
      if (box->dense && shown)
        layout_lane_bins (scene, l, box);
      else if (box->deferred && shown)
        {
          g_autoptr(GArray) rows_of_items = g_array_new (FALSE, FALSE, sizeof (int));
          guint n_rows = box->n_rows;

          box->first_item = scene->items->len;
          box->n_hidden = 0;
          layout_lane_events (scene, l, n_rows, box, rows_of_items);
          box->n_rows = n_rows;
          box->n_items = scene->items->len - box->first_item;
          place_lane_items (scene, box, rows_of_items);
        }
      box->first_badge = scene->badges->len;
      box->n_badges = 0;
      if (!box->dense && shown)
        layout_lane_badges (scene, l, box);
    }
}

/* Hit tests */

int
chancery_scene_lane_at (const ChanceryScene *scene,
                        double               y)
{
  if (y < CHANCERY_SCENE_AXIS_HEIGHT)
    return -1;

  for (guint l = 0; l < scene->lanes->len; l++)
    {
      const ChanceryLaneBox *box = &g_array_index (scene->lanes, ChanceryLaneBox, l);

      if (y >= box->y && y < box->y + box->height)
        return (int) l;
    }
  return -1;
}

const ChanceryItem *
chancery_scene_item_at (const ChanceryScene *scene,
                        double               x,
                        double               y)
{
  int l = chancery_scene_lane_at (scene, y);
  const ChanceryLaneBox *box;
  const ChanceryItem *best = NULL;

  if (l < 0)
    return NULL;

  box = &g_array_index (scene->lanes, ChanceryLaneBox, l);
  for (guint i = 0; i < box->n_items; i++)
    {
      const ChanceryItem *item = &g_array_index (scene->items, ChanceryItem, box->first_item + i);

      if (item->shape == CHANCERY_SHAPE_HIDDEN)
        continue;
      /* The marker itself wins over a neighbour's label. */
      if (graphene_rect_contains_point (&item->rect, &GRAPHENE_POINT_INIT (x, y)))
        return item;
      if (best == NULL &&
          graphene_rect_contains_point (&item->area, &GRAPHENE_POINT_INIT (x, y)))
        best = item;
    }

  return best;
}

const ChanceryItem *
chancery_scene_find_item (const ChanceryScene *scene,
                          guint                position,
                          gboolean             visible_only)
{
  const ChanceryItem *hidden = NULL;

  for (guint i = 0; i < scene->items->len; i++)
    {
      const ChanceryItem *item = &g_array_index (scene->items, ChanceryItem, i);

      if (item->position != position)
        continue;
      if (visible_only &&
          (item->rect.origin.y + item->rect.size.height <= CHANCERY_SCENE_AXIS_HEIGHT ||
           item->rect.origin.y >= scene->height ||
           item->rect.origin.x + item->rect.size.width <= 0 ||
           item->rect.origin.x >= scene->width))
        continue;
      if (item->shape != CHANCERY_SHAPE_HIDDEN)
        return item;
      if (hidden == NULL)
        hidden = item;
    }

  return hidden;
}

const ChanceryBin *
chancery_scene_bin_at (const ChanceryScene *scene,
                       double               x,
                       double               y)
{
  int l = chancery_scene_lane_at (scene, y);
  const ChanceryLaneBox *box;

  if (l < 0)
    return NULL;

  box = &g_array_index (scene->lanes, ChanceryLaneBox, l);
  for (guint i = 0; i < box->n_bins; i++)
    {
      const ChanceryBin *bin = &g_array_index (scene->bins, ChanceryBin, box->first_bin + i);

      if (x >= bin->rect.origin.x - 1 && x < bin->rect.origin.x + bin->rect.size.width + 1)
        return bin;
    }
  return NULL;
}

const ChanceryBadge *
chancery_scene_badge_at (const ChanceryScene *scene,
                         double               x,
                         double               y)
{
  int l = chancery_scene_lane_at (scene, y);
  const ChanceryLaneBox *box;

  if (l < 0)
    return NULL;

  box = &g_array_index (scene->lanes, ChanceryLaneBox, l);
  for (guint i = 0; i < box->n_badges; i++)
    {
      const ChanceryBadge *badge = &g_array_index (scene->badges, ChanceryBadge,
                                                   box->first_badge + i);
      graphene_rect_t r, ticks;

      /* A little more than the pill, and every tick it counts: whatever
       * the pointer is on, the badge says what is there and lists it. */
      graphene_rect_inset_r (&badge->rect, -1, -2, &r);
      r.origin.y -= BADGE_Y - 2;
      r.size.height += BADGE_Y - 2;
      ticks = GRAPHENE_RECT_INIT (badge->x_lo - 3, r.origin.y,
                                  badge->x_hi - badge->x_lo + 6, r.size.height);
      if (graphene_rect_contains_point (&r, &GRAPHENE_POINT_INIT (x, y)) ||
          graphene_rect_contains_point (&ticks, &GRAPHENE_POINT_INIT (x, y)))
        return badge;
    }
  return NULL;
}

const ChanceryBadge *
chancery_scene_find_badge (const ChanceryScene *scene,
                           guint                position)
{
  for (guint l = 0; l < scene->lanes->len; l++)
    {
      const ChanceryLaneBox *box = &g_array_index (scene->lanes, ChanceryLaneBox, l);

      for (guint i = 0; i < box->n_items && box->n_badges > 0; i++)
        {
          const ChanceryItem *item = &g_array_index (scene->items, ChanceryItem, box->first_item + i);
          float x = item->rect.origin.x + item->rect.size.width / 2;

          if (item->position != position || item->shape != CHANCERY_SHAPE_HIDDEN)
            continue;
          /* Its tick, counted as chancery_scene_badge_positions() counts. */
          for (guint b = 0; b < box->n_badges; b++)
            {
              const ChanceryBadge *badge = &g_array_index (scene->badges, ChanceryBadge,
                                                           box->first_badge + b);

              if (x >= badge->x_lo && x <= badge->x_hi)
                return badge;
            }
        }
    }
  return NULL;
}

GArray *
chancery_scene_badge_positions (const ChanceryScene *scene,
                                const ChanceryBadge *badge)
{
  const ChanceryLaneBox *box = &g_array_index (scene->lanes, ChanceryLaneBox, badge->lane);
  GArray *positions = g_array_sized_new (FALSE, FALSE, sizeof (guint), badge->count);

  /* A badge's ticks are the lane's hidden items from x_lo to x_hi: the
   * ticks were grouped in order of x. */
  for (guint i = 0; i < box->n_items; i++)
    {
      const ChanceryItem *item = &g_array_index (scene->items, ChanceryItem, box->first_item + i);
      float x = item->rect.origin.x + item->rect.size.width / 2;

      if (item->shape == CHANCERY_SHAPE_HIDDEN && x >= badge->x_lo && x <= badge->x_hi)
        g_array_append_val (positions, item->position);
    }
  g_array_sort (positions, compare_positions);
  return positions;
}

/* Axis */

static const Step *
choose_step (double days_per_px,
             float  min_spacing)
{
  for (guint i = 0; i < G_N_ELEMENTS (steps); i++)
    {
      if (steps[i].days / days_per_px >= min_spacing)
        return &steps[i];
    }
  return &steps[G_N_ELEMENTS (steps) - 1];
}

typedef void (*DayFunc) (double day, gpointer user_data);

static void
foreach_step (Unit     unit,
              int      step,
              double   start,
              double   end,
              DayFunc  func,
              gpointer user_data)
{
  start = MAX (start, CHANCERY_SCENE_FIRST_DAY);
  end = MIN (end, CHANCERY_SCENE_LAST_DAY);

  switch (unit)
    {
    case UNIT_HOUR:
      for (gint64 h = floor_div ((gint64) floor (start * 24), step) * step; h < end * 24; h += step)
        func (h / 24.0, user_data);
      break;

    case UNIT_DAY:
      {
        gint64 d = (gint64) floor (start);

        /* Weeks start on Monday; day 4 was Monday 5 January 1970. */
        if (step == 7)
          d -= ((d - 4) % 7 + 7) % 7;
        for (; d < end; d += step)
          func (d, user_data);
      }
      break;

    case UNIT_MONTH:
      {
        int year, month, mday;
        gint64 m;

        day_to_ymd (clamp_day (floor (start)), &year, &month, &mday);
        m = floor_div ((gint64) year * 12 + month - 1, step) * step;
        for (; m / 12 <= 9999; m += step)
          {
            double d = m / 12 >= 1 ? ymd_to_day ((int) (m / 12), (int) (m % 12) + 1, 1) : start;

            if (d >= end)
              break;
            func (d, user_data);
          }
      }
      break;

    case UNIT_YEAR:
    default:
      {
        int year, month, mday;
        gint64 y;

        day_to_ymd (clamp_day (floor (start)), &year, &month, &mday);
        y = floor_div (year, step) * step;
        for (; y <= 9999; y += step)
          {
            double d;

            if (y < 1)
              continue;
            d = ymd_to_day ((int) y, 1, 1);
            if (d >= end)
              break;
            func (d, user_data);
          }
      }
      break;
    }
}

static const char *
tick_format (const Step *step,
             double      spacing)
{
  switch (step->unit)
    {
    case UNIT_HOUR:
      /* Translators: axis label for an hour, for g_date_time_format() */
      return C_("timeline axis", "%H:%M");
    case UNIT_DAY:
      if (step->step == 1 && spacing >= 64)
        /* Translators: axis label for a day with its weekday */
        return C_("timeline axis", "%a %-d");
      /* Translators: axis label for a day of the month */
      return C_("timeline axis", "%-d");
    case UNIT_MONTH:
      if (spacing >= 90)
        /* Translators: axis label for a month, standalone form */
        return C_("timeline axis", "%OB");
      /* Translators: axis label for a month, short standalone form */
      return C_("timeline axis", "%Ob");
    case UNIT_YEAR:
    default:
      /* Translators: axis label for a year */
      return C_("timeline axis", "%Y");
    }
}

typedef struct
{
  ChanceryTickFunc func;
  gpointer         user_data;
  const char      *format;
} TickClosure;

static void
tick_cb (double   day,
         gpointer user_data)
{
  TickClosure *closure = user_data;
  g_autofree char *label = format_time (day, closure->format);

  closure->func (day, label, closure->user_data);
}

void
chancery_axis_foreach_tick (double           start,
                            double           end,
                            float            width,
                            float            min_spacing,
                            ChanceryTickFunc func,
                            gpointer         user_data)
{
  double days_per_px = (end - start) / MAX (width, 1);
  const Step *step = choose_step (days_per_px, min_spacing);
  TickClosure closure = { func, user_data, NULL };

  /* Labels that stand alone, without a context row above them. */
  switch (step->unit)
    {
    case UNIT_HOUR:
      /* Translators: an hour with its day, for g_date_time_format() */
      closure.format = C_("timeline axis", "%-d %b %H:%M");
      break;
    case UNIT_DAY:
      /* Translators: a day with its month, for g_date_time_format() */
      closure.format = C_("timeline axis", "%-d %b");
      break;
    case UNIT_MONTH:
      /* Translators: a month with its year, for g_date_time_format() */
      closure.format = C_("timeline axis", "%Ob %Y");
      break;
    case UNIT_YEAR:
    default:
      closure.format = tick_format (step, step->days / days_per_px);
      break;
    }
  foreach_step (step->unit, step->step, start, end, tick_cb, &closure);
}

/* Drawing */

typedef struct
{
  ChanceryScene *scene;
  GtkSnapshot   *snapshot;
  const char    *format;
  const GdkRGBA *color;
  float          top;
  /* the context row */
  double         first_day;
  double         next_day;
  int            n;
  float          last_end;
} AxisClosure;

static void
grid_cb (double   day,
         gpointer user_data)
{
  AxisClosure *c = user_data;
  float x = roundf (chancery_scene_x_at (c->scene, day));

  gtk_snapshot_append_color (c->snapshot, c->color,
                             &GRAPHENE_RECT_INIT (x, c->top, 1, c->scene->height - c->top));
}

static void
tick_label_cb (double   day,
               gpointer user_data)
{
  AxisClosure *c = user_data;
  ChanceryScene *scene = c->scene;
  g_autofree char *label = format_time (day, c->format);
  CachedLayout *cached = text_layout (scene, scene->small_font, label);
  float x = roundf (chancery_scene_x_at (scene, day));
  float w = text_width (cached, 200);

  gtk_snapshot_append_color (c->snapshot, &scene->palette.separator,
                             &GRAPHENE_RECT_INIT (x, CHANCERY_SCENE_AXIS_HEIGHT - 6, 1, 6));
  append_text (c->snapshot, cached, scene->rtl ? x - 5 - w : x + 5,
               CHANCERY_SCENE_AXIS_HEIGHT - 8 - scene->line_height, 200, &scene->palette.dim);
}

static void
context_boundary_cb (double   day,
                     gpointer user_data)
{
  AxisClosure *c = user_data;

  if (c->n == 0)
    c->first_day = day;
  else if (c->n == 1)
    c->next_day = day;
  c->n++;
}

static void
context_label_cb (double   day,
                  gpointer user_data)
{
  AxisClosure *c = user_data;
  ChanceryScene *scene = c->scene;
  g_autofree char *label = format_time (MAX (day, c->scene->start), c->format);
  CachedLayout *cached = text_layout (scene, scene->bold_font, label);
  float w = text_width (cached, 400);
  float u = scene_u (scene, day) + 5;

  if (day <= scene->start)
    {
      /* The period the view starts in sticks to the start edge until the
       * next one pushes it away. */
      u = 8;
      if (c->n > 1)
        u = MIN (u, scene_u (scene, c->next_day) - w - 16);
    }
  else if (u < c->last_end + 12)
    return;
  c->last_end = u + w;

  append_text (c->snapshot, cached, scene->rtl ? scene->width - u - w : u, 6, 400,
               &scene->palette.foreground);
}

static void
draw_axis (ChanceryScene *scene,
           GtkSnapshot   *snapshot)
{
  double days_per_px = (scene->end - scene->start) / scene->width;
  const Step *step = choose_step (days_per_px, 52);
  AxisClosure c = { scene, snapshot, NULL, NULL, 0, 0, 0, 0, -G_MAXFLOAT };
  Unit context_unit;
  const char *context_format = NULL;
  double day_px = 1 / days_per_px;

  gtk_snapshot_append_color (snapshot, &scene->palette.axis_background,
                             &GRAPHENE_RECT_INIT (0, 0, scene->width, CHANCERY_SCENE_AXIS_HEIGHT));
  gtk_snapshot_append_color (snapshot, &scene->palette.separator,
                             &GRAPHENE_RECT_INIT (0, CHANCERY_SCENE_AXIS_HEIGHT - 1,
                                                  scene->width, 1));

  c.format = tick_format (step, step->days / days_per_px);
  foreach_step (step->unit, step->step, scene->start, scene->end, tick_label_cb, &c);

  switch (step->unit)
    {
    case UNIT_HOUR:
      context_unit = UNIT_DAY;
      if (day_px >= 260)
        /* Translators: the day above hour ticks, for g_date_time_format() */
        context_format = C_("timeline axis", "%A %-d %B %Y");
      else if (day_px >= 150)
        /* Translators: the day above hour ticks, shorter */
        context_format = C_("timeline axis", "%a %-d %b %Y");
      else
        /* Translators: the day above hour ticks, shortest */
        context_format = C_("timeline axis", "%-d %b");
      break;
    case UNIT_DAY:
      context_unit = UNIT_MONTH;
      if (day_px * 30 >= 140)
        /* Translators: the month above day ticks, for g_date_time_format() */
        context_format = C_("timeline axis", "%OB %Y");
      else
        /* Translators: the month above day ticks, shorter */
        context_format = C_("timeline axis", "%Ob %Y");
      break;
    case UNIT_MONTH:
      context_unit = UNIT_YEAR;
      /* Translators: the year above month ticks, for g_date_time_format() */
      context_format = C_("timeline axis", "%Y");
      break;
    case UNIT_YEAR:
    default:
      return;
    }

  c.format = context_format;
  c.n = 0;
  /* The first boundary is at or before the view's start; remember the
   * second, which pushes the sticky label away. */
  foreach_step (context_unit, 1, scene->start, scene->end, context_boundary_cb, &c);
  foreach_step (context_unit, 1, scene->start, scene->end, context_label_cb, &c);
}

static void
draw_grid (ChanceryScene *scene,
           GtkSnapshot   *snapshot)
{
  double days_per_px = (scene->end - scene->start) / scene->width;
  const Step *step = choose_step (days_per_px, 52);
  AxisClosure c = { scene, snapshot, NULL, &scene->palette.grid, CHANCERY_SCENE_AXIS_HEIGHT,
                    0, 0, 0, 0 };
  Unit major;

  foreach_step (step->unit, step->step, scene->start, scene->end, grid_cb, &c);

  major = step->unit == UNIT_HOUR ? UNIT_DAY : step->unit == UNIT_DAY ? UNIT_MONTH : UNIT_YEAR;
  if (major == step->unit)
    return;
  c.color = &scene->palette.grid_major;
  c.top = 0;
  foreach_step (major, 1, scene->start, scene->end, grid_cb, &c);
}

/* A rounded shape filled with one colour: a border as wide as the shape
 * is tall, so nothing is left inside. One node instead of a rounded clip
 * around a colour (two, and a clip to push and pop); cairo fills it as
 * one path, with the same pixels. */
static void
append_rounded_rect (GtkSnapshot          *snapshot,
                     const GdkRGBA        *color,
                     const GskRoundedRect *rr)
{
  float w = MAX (rr->bounds.size.width, rr->bounds.size.height);
  const float widths[4] = { w, w, w, w };
  const GdkRGBA colors[4] = { *color, *color, *color, *color };

  gtk_snapshot_append_border (snapshot, rr, widths, colors);
}

static void
append_rounded (GtkSnapshot           *snapshot,
                const GdkRGBA         *color,
                const graphene_rect_t *rect,
                float                  radius)
{
  GskRoundedRect rr;

  gsk_rounded_rect_init_from_rect (&rr, rect, radius);
  append_rounded_rect (snapshot, color, &rr);
}

/* Dashes of a line from x, over [v0, v1): one repeat node however long,
 * in phase with the line's start. */
static void
append_dash_run (GtkSnapshot   *snapshot,
                 const GdkRGBA *color,
                 float          x,
                 float          v0,
                 float          v1,
                 float          y,
                 float          thickness)
{
  gtk_snapshot_push_repeat (snapshot, &GRAPHENE_RECT_INIT (v0, y, v1 - v0, thickness),
                            &GRAPHENE_RECT_INIT (x, y, DASH_PERIOD, thickness));
  gtk_snapshot_append_color (snapshot, color, &GRAPHENE_RECT_INIT (x, y, 4, thickness));
  gtk_snapshot_pop (snapshot);
}

/* A dashed horizontal line over the part of [x, x + width) that shows. */
static void
append_dashes (ChanceryScene *scene,
               GtkSnapshot   *snapshot,
               const GdkRGBA *color,
               float          x,
               float          y,
               float          width,
               float          thickness)
{
  float v0 = MAX (x, -8), v1 = MIN (x + width, scene->width + 8);

  if (v1 > v0)
    append_dash_run (snapshot, color, x, v0, v1, y, thickness);
}

/* How a long shape is filled: a colour, or a horizontal gradient given by
 * its stops at absolute x positions (so that pieces of it line up). */
typedef struct
{
  GdkRGBA      color;
  gboolean     gradient;
  float        x0;               /* where offset 0 and 1 are */
  float        x1;
  GskColorStop stops[4];
  gsize        n_stops;
  float        max_flat_steps;   /* see append_fill() */
} Fill;

static float
fill_alpha_at (const Fill *fill,
               float       x)
{
  float t = fill->x1 != fill->x0 ? (x - fill->x0) / (fill->x1 - fill->x0) : 0;

  if (t <= fill->stops[0].offset)
    return fill->stops[0].color.alpha;
  for (gsize i = 1; i < fill->n_stops; i++)
    {
      const GskColorStop *a = &fill->stops[i - 1], *b = &fill->stops[i];

      if (t <= b->offset)
        return b->offset > a->offset
               ? a->color.alpha + (b->color.alpha - a->color.alpha) * (t - a->offset) / (b->offset - a->offset)
               : b->color.alpha;
    }
  return fill->stops[fill->n_stops - 1].color.alpha;
}

static GdkRGBA
with_alpha (const GdkRGBA *color,
            float          alpha)
{
  GdkRGBA c = *color;

  c.alpha *= alpha;
  return c;
}

/* A dashed line that fades as fill does: as strong as color where the
 * fill's alpha is full, fainter in proportion. GTK 4.8 has no mask node:
 * the line is cut into at most MAX_DASH_STEPS runs of whole dashes, each
 * as strong as the fill at its fainter end (so the last run is as faint as
 * the end of the bar). Each run is a repeat node, which costs cairo ~3 µs
 * however short: runs within DASH_ALPHA_SLACK of each other's strength
 * (a fade years long seen over days) are one, as faint as the faintest. */
static void
append_fading_dashes (ChanceryScene *scene,
                      GtkSnapshot   *snapshot,
                      const Fill    *fill,
                      float          full,
                      const GdkRGBA *color,
                      float          x,
                      float          y,
                      float          width,
                      float          thickness)
{
  float v0 = MAX (x, -8), v1 = MIN (x + width, scene->width + 8);
  float step, run = 0, run_alpha = -1, run_strongest = -1;
  float a;

  if (v1 <= v0 || full <= 0)
    return;

  step = ceilf ((v1 - v0) / MAX_DASH_STEPS / DASH_PERIOD) * DASH_PERIOD;
  a = x + floorf ((v0 - x) / DASH_PERIOD) * DASH_PERIOD;
  for (; a < v1; a += step)
    {
      float p0 = MAX (a, v0), p1 = MIN (a + step, v1);
      float faintest = MIN (fill_alpha_at (fill, p0), fill_alpha_at (fill, p1));
      float alpha = roundf (255 * MIN (faintest / full, 1)) / 255;

      if (run_alpha < 0 ||
          MAX (run_strongest, alpha) - MIN (run_alpha, alpha)
          > (scene->exact_fades ? 0 : DASH_ALPHA_SLACK) + 0.1f / 255)
        {
          if (run_alpha > 0)
            {
              GdkRGBA c = with_alpha (color, run_alpha);

              append_dash_run (snapshot, &c, x, run, p0, y, thickness);
            }
          run = p0;
          run_alpha = run_strongest = alpha;
        }
      else
        {
          run_alpha = MIN (run_alpha, alpha);
          run_strongest = MAX (run_strongest, alpha);
        }
    }
  if (run_alpha > 0)
    {
      GdkRGBA c = with_alpha (color, run_alpha);

      append_dash_run (snapshot, &c, x, run, v1, y, thickness);
    }
}

/* How many alpha steps of a pixel (1/255) the fill changes by over
 * [a0, a1] at its steepest: its steepest slope there times the width. */
static float
fill_steepness (const Fill *fill,
                float       a0,
                float       a1)
{
  float steepest = 0;

  for (gsize i = 1; i < fill->n_stops; i++)
    {
      float s0 = fill->x0 + (fill->x1 - fill->x0) * fill->stops[i - 1].offset;
      float s1 = fill->x0 + (fill->x1 - fill->x0) * fill->stops[i].offset;
      float lo = MIN (s0, s1), hi = MAX (s0, s1);

      if (hi - lo > 0 && hi > a0 && lo < a1)
        steepest = MAX (steepest, fabsf (fill->stops[i].color.alpha - fill->stops[i - 1].color.alpha)
                                  / (hi - lo));
    }

  return steepest * (a1 - a0) * 255;
}

/* Fills rect with fill. Cairo draws a gradient at a high cost per pixel
 * (~14 µs for a bar across the view, against ~1 µs for a colour), and a
 * fade years long seen over days changes only by a few of the 256 steps
 * a pixel has: such a gradient is drawn as plain colours, each over a
 * stretch where the fill changes by at most half a step, at the fill's
 * alpha in its middle (a quarter of a step from any pixel's own), so no
 * pixel is more than one step (~0.4 %) off the gradient. The stretches
 * meet on whole pixels, so no seam shows. A gradient that changes more
 * is drawn as one. */
static void
append_fill (GtkSnapshot           *snapshot,
             const Fill            *fill,
             const graphene_rect_t *rect)
{
  float a0, a1, alpha_steps;
  guint n_pieces;

  if (!fill->gradient)
    {
      gtk_snapshot_append_color (snapshot, &fill->color, rect);
      return;
    }

  a0 = rect->origin.x;
  a1 = rect->origin.x + rect->size.width;
  alpha_steps = fill_steepness (fill, a0, a1);
  if (alpha_steps > fill->max_flat_steps)
    {
      gtk_snapshot_append_linear_gradient (snapshot, rect,
                                           &GRAPHENE_POINT_INIT (fill->x0, 0),
                                           &GRAPHENE_POINT_INIT (fill->x1, 0),
                                           fill->stops, fill->n_stops);
      return;
    }

  n_pieces = MAX (1, (guint) ceilf (alpha_steps * 2));
  for (guint i = 0; i < n_pieces; i++)
    {
      float p0 = i == 0 ? a0 : roundf (a0 + (a1 - a0) * i / n_pieces);
      float p1 = i + 1 == n_pieces ? a1 : roundf (a0 + (a1 - a0) * (i + 1) / n_pieces);
      GdkRGBA flat = fill->stops[0].color;

      if (p1 <= p0)
        continue;
      flat.alpha = fill_alpha_at (fill, (p0 + p1) / 2);
      gtk_snapshot_append_color (snapshot, &flat,
                                 &GRAPHENE_RECT_INIT (p0, rect->origin.y, p1 - p0, rect->size.height));
    }
}

/* One end of a long bar: the rounded corners on one side only. */
static void
append_end (GtkSnapshot           *snapshot,
            const Fill            *fill,
            const graphene_rect_t *whole,
            const graphene_rect_t *piece,
            float                  radius)
{
  GskRoundedRect rr;

  if (fill->gradient)
    {
      gsk_rounded_rect_init_from_rect (&rr, whole, radius);
      gtk_snapshot_push_rounded_clip (snapshot, &rr);
      append_fill (snapshot, fill, piece);
      gtk_snapshot_pop (snapshot);
      return;
    }

  if (piece->origin.x <= whole->origin.x)
    gsk_rounded_rect_init (&rr, piece,
                           &GRAPHENE_SIZE_INIT (radius, radius), &GRAPHENE_SIZE_INIT (0, 0),
                           &GRAPHENE_SIZE_INIT (0, 0), &GRAPHENE_SIZE_INIT (radius, radius));
  else
    gsk_rounded_rect_init (&rr, piece,
                           &GRAPHENE_SIZE_INIT (0, 0), &GRAPHENE_SIZE_INIT (radius, radius),
                           &GRAPHENE_SIZE_INIT (radius, radius), &GRAPHENE_SIZE_INIT (0, 0));
  append_rounded_rect (snapshot, &fill->color, &rr);
}

static void
append_outline (GtkSnapshot           *snapshot,
                const GdkRGBA         *color,
                const graphene_rect_t *rect,
                float                  radius,
                float                  width)
{
  GskRoundedRect rr;
  const float widths[4] = { width, width, width, width };
  const GdkRGBA colors[4] = { *color, *color, *color, *color };

  gsk_rounded_rect_init_from_rect (&rr, rect, radius);
  gtk_snapshot_append_border (snapshot, &rr, widths, colors);
}

/* A rounded shape, cut to what shows. A rounded clip is a mask for cairo,
 * as costly as the pixels under it, so a long bar gets one only over its
 * ends (when they show); its middle is a plain rectangle cut to the view.
 * The pieces meet on whole pixels, so no seam shows. */
static void
append_long_rounded (ChanceryScene         *scene,
                     GtkSnapshot           *snapshot,
                     const Fill            *fill,
                     const graphene_rect_t *rect,
                     float                  radius)
{
  float x0 = rect->origin.x, x1 = rect->origin.x + rect->size.width;
  float y = rect->origin.y, h = rect->size.height;
  float v0 = -2, v1 = scene->width + 2;
  float s = ceilf (x0 + radius), t = floorf (x1 - radius);
  GskRoundedRect rr;

  if (x1 <= v0 || x0 >= v1)
    return;

  if (radius <= 0 || t - s < 2)
    {
      gsk_rounded_rect_init_from_rect (&rr, rect, radius);
      if (!fill->gradient)
        append_rounded_rect (snapshot, &fill->color, &rr);
      else
        {
          gtk_snapshot_push_rounded_clip (snapshot, &rr);
          append_fill (snapshot, fill, rect);
          gtk_snapshot_pop (snapshot);
        }
      return;
    }

  if (s > v0)
    append_end (snapshot, fill, &GRAPHENE_RECT_INIT (x0, y, s + radius - x0, h),
                &GRAPHENE_RECT_INIT (x0, y, s - x0, h), radius);
  if (MIN (t, v1) > MAX (s, v0))
    append_fill (snapshot, fill, &GRAPHENE_RECT_INIT (MAX (s, v0), y, MIN (t, v1) - MAX (s, v0), h));
  if (t < v1)
    append_end (snapshot, fill, &GRAPHENE_RECT_INIT (t - radius, y, x1 - t + radius, h),
                &GRAPHENE_RECT_INIT (t, y, x1 - t, h), radius);
}

static void
append_long_color (ChanceryScene         *scene,
                   GtkSnapshot           *snapshot,
                   const GdkRGBA         *color,
                   const graphene_rect_t *rect,
                   float                  radius)
{
  Fill fill = { .color = *color };

  append_long_rounded (scene, snapshot, &fill, rect, radius);
}

static gboolean
is_tentative (const ChanceryIndexEvent *e)
{
  return e->status == CHANCERY_STATUS_PLANNED ||
         e->status == CHANCERY_STATUS_ANNOUNCED ||
         e->status == CHANCERY_STATUS_CANCELLED;
}

static void
draw_soft (ChanceryScene            *scene,
           GtkSnapshot              *snapshot,
           const ChanceryIndexEvent *e,
           const graphene_rect_t    *rect,
           const GdkRGBA            *color,
           gboolean                  tentative)
{
  /* Month/year precision or an open bound: the whole extent, fading where
   * the date is least certain, never a sharp edge that looks like a day. */
  float strong = tentative ? 0.30f : 0.55f;
  float faint = tentative ? 0.04f : 0.10f;
  Fill fill = { .gradient = TRUE, .max_flat_steps = scene->exact_fades ? 0.5f : MAX_FLAT_STEPS };
  GskColorStop *stops = fill.stops;
  float lo_x = chancery_scene_x_at (scene, e->lo);
  float hi_x = chancery_scene_x_at (scene, (double) e->hi + 1);

  if (e->flags & CHANCERY_INDEX_OPEN_START)
    {
      stops[0] = (GskColorStop) { 0.0f, with_alpha (color, 0) };
      stops[1] = (GskColorStop) { 1.0f, with_alpha (color, strong) };
      fill.n_stops = 2;
    }
  else if (e->flags & CHANCERY_INDEX_OPEN_END)
    {
      stops[0] = (GskColorStop) { 0.0f, with_alpha (color, strong) };
      stops[1] = (GskColorStop) { 1.0f, with_alpha (color, 0) };
      fill.n_stops = 2;
    }
  else
    {
      stops[0] = (GskColorStop) { 0.0f, with_alpha (color, faint) };
      stops[1] = (GskColorStop) { 0.3f, with_alpha (color, strong) };
      stops[2] = (GskColorStop) { 0.7f, with_alpha (color, strong) };
      stops[3] = (GskColorStop) { 1.0f, with_alpha (color, faint) };
      fill.n_stops = 4;
    }

  fill.x0 = lo_x;
  fill.x1 = hi_x;
  if (fabsf (hi_x - lo_x) < 1)
    fill.x1 = lo_x + (scene->rtl ? -1 : 1);

  append_long_rounded (scene, snapshot, &fill, rect, 3);

  /* The known end of an open date is exact: a firm cap there. */
  if (e->flags & (CHANCERY_INDEX_OPEN_START | CHANCERY_INDEX_OPEN_END))
    {
      float cap = (e->flags & CHANCERY_INDEX_OPEN_START) ? hi_x : lo_x;
      gboolean cap_at_right = (cap == MAX (lo_x, hi_x));

      if (cap >= rect->origin.x - 1 && cap <= rect->origin.x + rect->size.width + 1)
        append_rounded (snapshot, color,
                        &GRAPHENE_RECT_INIT (cap_at_right ? cap - 3 : cap, rect->origin.y,
                                             3, rect->size.height), 1.5f);
    }

  /* The outline fades with the fill: at full strength it would end the
   * bar as firmly as a known day does. */
  if (tentative)
    {
      GdkRGBA edge = with_alpha (color, 0.8f);
      float full = strong * color->alpha;

      append_fading_dashes (scene, snapshot, &fill, full, &edge, rect->origin.x, rect->origin.y,
                            rect->size.width, 1.5f);
      append_fading_dashes (scene, snapshot, &fill, full, &edge, rect->origin.x,
                            rect->origin.y + rect->size.height - 1.5f, rect->size.width, 1.5f);
    }
}

/* An event's colour: its kind's, grey when cancelled, paler when disputed. */
static GdkRGBA
event_color (const ChanceryScene       *scene,
             const ChanceryIndexEvent *e)
{
  const ChanceryPalette *p = &scene->palette;
  GdkRGBA color = e->kind < CHANCERY_N_KINDS ? p->kinds[e->kind] : p->kinds[CHANCERY_KIND_OTHER];

  if (e->status == CHANCERY_STATUS_CANCELLED)
    color = p->dim;
  if (e->status == CHANCERY_STATUS_DISPUTED)
    color.alpha *= 0.7f;
  return color;
}

static void
draw_item (ChanceryScene      *scene,
           GtkSnapshot        *snapshot,
           const ChanceryItem *item)
{
  const ChanceryIndexEvent *e = &scene->index->events[item->position];
  const ChanceryPalette *p = &scene->palette;
  gboolean tentative = is_tentative (e);
  GdkRGBA color = event_color (scene, e);
  const GdkRGBA *text_color = &p->foreground;
  const graphene_rect_t *r = &item->rect;
  gboolean filled = FALSE;

  switch (item->shape)
    {
    case CHANCERY_SHAPE_POINT:
      {
        graphene_rect_t halo;

        graphene_rect_inset_r (r, -2, -2, &halo);
        append_rounded (snapshot, &p->background, &halo, halo.size.width / 2);
        if (tentative)
          {
            append_rounded (snapshot, &p->background, r, r->size.width / 2);
            append_outline (snapshot, &color, r, r->size.width / 2, 2);
          }
        else
          append_rounded (snapshot, &color, r, r->size.width / 2);
      }
      break;

    case CHANCERY_SHAPE_BAR:
      {
        float radius = MIN (4, MIN (r->size.width, r->size.height) / 2);

        if (tentative)
          {
            GdkRGBA fill = with_alpha (&color, 0.14f);

            append_long_color (scene, snapshot, &fill, r, radius);
            append_dashes (scene, snapshot, &color, r->origin.x, r->origin.y, r->size.width, 1.5f);
            append_dashes (scene, snapshot, &color, r->origin.x, r->origin.y + r->size.height - 1.5f,
                           r->size.width, 1.5f);
            append_rounded (snapshot, &color,
                            &GRAPHENE_RECT_INIT (r->origin.x, r->origin.y, 1.5f, r->size.height), 0.75f);
            append_rounded (snapshot, &color,
                            &GRAPHENE_RECT_INIT (r->origin.x + r->size.width - 1.5f, r->origin.y,
                                                 1.5f, r->size.height), 0.75f);
          }
        else
          {
            append_long_color (scene, snapshot, &color, r, radius);
            filled = TRUE;
          }
      }
      break;

    case CHANCERY_SHAPE_SOFT:
      draw_soft (scene, snapshot, e, r, &color, tentative);
      break;

    case CHANCERY_SHAPE_HIDDEN:
    default:
      {
        GdkRGBA tick = with_alpha (&color, TICK_ALPHA);

        gtk_snapshot_append_color (snapshot, &tick, r);
      }
      return;
    }

  if (item->label_width > 0)
    {
      CachedLayout *cached = title_layout (scene, item->position);
      float y = r->origin.y + r->size.height / 2 - scene->line_height / 2;
      float x = item->label_x;

      if (item->label_inside && filled)
        text_color = &p->on_accent;
      if (e->status == CHANCERY_STATUS_CANCELLED)
        text_color = &p->dim;
      /* Ellipsized text in RTL keeps to the end of its slot. */
      if (scene->rtl)
        x += item->label_width - text_width (cached, item->label_width);
      append_text (snapshot, cached, x, y, item->label_width, text_color);
    }
}

static void
draw_dense_lane (ChanceryScene         *scene,
                 GtkSnapshot           *snapshot,
                 const ChanceryLaneBox *box)
{
  const ChanceryPalette *p = &scene->palette;
  guint max_count = 1;
  float bottom = box->y + HEADER_HEIGHT + DENSE_HEIGHT;
  float bars = DENSE_HEIGHT - 16;
  double denominator;
  double days_per_px = (scene->end - scene->start) / scene->width;
  gint64 cell_days = 1;
  gint64 cell = G_MININT64;
  guint cell_count = 0;
  gint32 cell_lo = 0;
  gint32 cell_hi = 0;

  for (guint i = 0; i < box->n_bins; i++)
    max_count = MAX (max_count, g_array_index (scene->bins, ChanceryBin, box->first_bin + i).count);
  denominator = log1p (max_count);

  while (cell_days < CELL_PIXELS * days_per_px && cell_days < (1 << 24))
    cell_days <<= 1;

  for (guint i = 0; i <= box->n_bins; i++)
    {
      const ChanceryBin *bin = i < box->n_bins
                               ? &g_array_index (scene->bins, ChanceryBin, box->first_bin + i)
                               : NULL;
      gint64 this_cell = bin != NULL ? floor_div (bin->lo, cell_days) : G_MAXINT64;

      if (this_cell != cell && cell_count > 0)
        {
          /* A count per cluster, over its bars. */
          g_autofree char *text = chancery_format_count (cell_count);
          CachedLayout *cached = text_layout (scene, scene->small_font, text);
          float u0 = MAX (scene_u (scene, cell_lo), 0);
          float u1 = MIN (scene_u (scene, cell_hi), scene->width);
          float w = text_width (cached, 200);

          if (u1 - u0 >= w + 6)
            {
              float u = (u0 + u1) / 2 - w / 2;

              append_text (snapshot, cached, scene->rtl ? scene->width - u - w : u,
                           box->y + HEADER_HEIGHT - 2, w, &p->dim);
            }
          cell_count = 0;
        }
      if (bin == NULL)
        break;
      if (this_cell != cell)
        {
          cell = this_cell;
          cell_lo = bin->lo;
        }
      cell_hi = bin->hi;
      cell_count += bin->count;

      {
        float h = 2 + (bars - 2) * log1p (bin->count) / denominator;
        float w = bin->rect.size.width;
        graphene_rect_t bar = GRAPHENE_RECT_INIT (bin->rect.origin.x, bottom - h,
                                                  w > 3 ? w - 1 : w, h);

        gtk_snapshot_append_color (snapshot, &p->density, &bar);
      }
    }
}

/* "+9" in a pill of the text colour, faint: reads as "more here" in
 * light and dark alike, and stays quieter than the events. */
static void
draw_badge (ChanceryScene       *scene,
            GtkSnapshot         *snapshot,
            const ChanceryBadge *badge)
{
  const ChanceryPalette *p = &scene->palette;
  const graphene_rect_t *r = &badge->rect;
  CachedLayout *cached;
  GdkRGBA fill = with_alpha (&p->foreground, p->dark ? 0.16f : 0.10f);
  float w;
  int h;

  if (r->origin.y >= scene->height || r->origin.y + r->size.height <= CHANCERY_SCENE_AXIS_HEIGHT)
    return;

  cached = text_layout (scene, scene->small_font, badge_text (scene, badge->count)->text);
  w = text_width (cached, r->size.width);
  pango_layout_get_pixel_size (cached->layout, NULL, &h);
  append_rounded (snapshot, &fill, r, r->size.height / 2);
  append_text (snapshot, cached, r->origin.x + (r->size.width - w) / 2,
               r->origin.y + (r->size.height - h) / 2, r->size.width, &p->foreground);
}

static void
draw_lanes (ChanceryScene *scene,
            GtkSnapshot   *snapshot)
{
  const ChanceryPalette *p = &scene->palette;

  for (guint l = 0; l < scene->lanes->len; l++)
    {
      const ChanceryLaneBox *box = &g_array_index (scene->lanes, ChanceryLaneBox, l);

      if (box->y >= scene->height || box->y + box->height <= CHANCERY_SCENE_AXIS_HEIGHT)
        continue;
      if (l % 2 == 1)
        gtk_snapshot_append_color (snapshot, &p->lane_alt,
                                   &GRAPHENE_RECT_INIT (0, box->y, scene->width, box->height));
      gtk_snapshot_append_color (snapshot, &p->separator,
                                 &GRAPHENE_RECT_INIT (0, box->y + box->height - 1, scene->width, 1));
    }
}

/* One spot of a lane's rug: the premultiplied colour of every tick drawn
 * there, in drawing order. */
typedef struct
{
  graphene_rect_t rect;
  float           r, g, b, a;
} TickSpot;

/* Ticks on the same spot (events that run across the whole view share its
 * middle; at 1M events a busy lane stacks hundreds on a few pixels) are
 * one rectangle of the colour they make together: "over" is associative,
 * so the stack composited first and then drawn once gives the picture
 * drawing each would (to within rounding), at the cost of one node a spot. */
static void
draw_ticks (ChanceryScene         *scene,
            GtkSnapshot           *snapshot,
            const ChanceryLaneBox *box,
            GArray                *spots,
            GHashTable            *spot_of_x)
{
  g_array_set_size (spots, 0);
  g_hash_table_remove_all (spot_of_x);

  for (guint i = 0; i < box->n_items; i++)
    {
      const ChanceryItem *item = &g_array_index (scene->items, ChanceryItem, box->first_item + i);
      union { float f; guint32 u; } x = { item->rect.origin.x };
      gpointer key, found;
      TickSpot *spot;
      GdkRGBA c;

      if (item->shape != CHANCERY_SHAPE_HIDDEN)
        continue;
      c = event_color (scene, &scene->index->events[item->position]);
      c.alpha *= TICK_ALPHA;
      /* Ticks of a lane share y and size: x alone tells the spot (0 is a
       * valid x: hence + 1). */
      key = GUINT_TO_POINTER (x.u + 1);
      if (g_hash_table_lookup_extended (spot_of_x, key, NULL, &found))
        spot = &g_array_index (spots, TickSpot, GPOINTER_TO_UINT (found));
      else
        {
          TickSpot fresh = { item->rect, 0, 0, 0, 0 };

          g_hash_table_insert (spot_of_x, key, GUINT_TO_POINTER (spots->len));
          g_array_append_val (spots, fresh);
          spot = &g_array_index (spots, TickSpot, spots->len - 1);
        }
      /* This tick over what is there. */
      spot->r = c.red * c.alpha + spot->r * (1 - c.alpha);
      spot->g = c.green * c.alpha + spot->g * (1 - c.alpha);
      spot->b = c.blue * c.alpha + spot->b * (1 - c.alpha);
      spot->a = c.alpha + spot->a * (1 - c.alpha);
    }

  for (guint i = 0; i < spots->len; i++)
    {
      const TickSpot *spot = &g_array_index (spots, TickSpot, i);
      GdkRGBA c = { spot->r / spot->a, spot->g / spot->a, spot->b / spot->a, spot->a };

      if (spot->a > 0 &&
          spot->rect.origin.y < scene->height &&
          spot->rect.origin.y + spot->rect.size.height > CHANCERY_SCENE_AXIS_HEIGHT)
        gtk_snapshot_append_color (snapshot, &c, &spot->rect);
    }
}

static void
draw_lane_contents (ChanceryScene *scene,
                    GtkSnapshot   *snapshot)
{
  const ChanceryPalette *p = &scene->palette;
  g_autoptr(GArray) spots = g_array_new (FALSE, FALSE, sizeof (TickSpot));
  g_autoptr(GHashTable) spot_of_x = g_hash_table_new (NULL, NULL);

  for (guint l = 0; l < scene->lanes->len; l++)
    {
      const ChanceryLaneBox *box = &g_array_index (scene->lanes, ChanceryLaneBox, l);
      const ChanceryLane *lane = g_ptr_array_index (scene->index->lanes, l);
      CachedLayout *label;
      float header_y, w, u;

      if (box->y >= scene->height || box->y + box->height <= CHANCERY_SCENE_AXIS_HEIGHT)
        continue;

      if (box->dense)
        draw_dense_lane (scene, snapshot, box);
      else
        {
          for (guint i = 0; i < box->n_items; i++)
            {
              const ChanceryItem *item = &g_array_index (scene->items, ChanceryItem,
                                                         box->first_item + i);

              if (item->shape == CHANCERY_SHAPE_HIDDEN && box->n_hidden > 1)
                continue;
              if (item->rect.origin.y < scene->height &&
                  item->rect.origin.y + item->rect.size.height > CHANCERY_SCENE_AXIS_HEIGHT)
                draw_item (scene, snapshot, item);
            }
          if (box->n_hidden > 1)
            draw_ticks (scene, snapshot, box, spots, spot_of_x);

          for (guint i = 0; i < box->n_badges; i++)
            draw_badge (scene, snapshot, &g_array_index (scene->badges, ChanceryBadge,
                                                         box->first_badge + i));
        }

      /* The lane's name at the start edge; it stays in sight while the
       * lane scrolls under the axis. */
      label = text_layout (scene, scene->bold_font,
                           lane->label[0] != '\0' ? lane->label : _("Other"));
      header_y = CLAMP (CHANCERY_SCENE_AXIS_HEIGHT, box->y, box->y + box->height - HEADER_HEIGHT);
      w = text_width (label, scene->width / 2);
      u = 12;
      {
        g_autofree char *count = chancery_format_count (lane->n_items);
        CachedLayout *cached = text_layout (scene, scene->small_font, count);
        float cw = text_width (cached, 200);
        float cu = u + w + 8;
        gboolean show_count = cu + cw < scene->width / 2;
        GdkRGBA faint = with_alpha (&p->dim, 0.7f);

        /* Stuck under the axis, the name and its count lie over the
         * lane's rows: a pill under both keeps them readable. */
        if (header_y > box->y)
          {
            GdkRGBA pill = with_alpha (&p->background, 0.92f);
            graphene_rect_t r = u_rect (scene, u - 6, (show_count ? cu + cw : u + w) + 6,
                                        header_y + 2, HEADER_HEIGHT - 4);

            append_rounded (snapshot, &pill, &r, 6);
          }
        append_text (snapshot, label, scene->rtl ? scene->width - u - w : u,
                     header_y + (HEADER_HEIGHT - scene->line_height) / 2, w, &p->dim);
        if (show_count)
          append_text (snapshot, cached, scene->rtl ? scene->width - cu - cw : cu,
                       header_y + (HEADER_HEIGHT - scene->line_height) / 2, cw, &faint);
      }
    }
}

static void
draw_today (ChanceryScene *scene,
            GtkSnapshot   *snapshot)
{
  double now = chancery_scene_now ();
  float x;
  GdkRGBA line;

  if (now < scene->start || now >= scene->end)
    return;

  x = roundf (chancery_scene_x_at (scene, now));
  line = with_alpha (&scene->palette.accent, 0.75f);
  gtk_snapshot_append_color (snapshot, &line,
                             &GRAPHENE_RECT_INIT (x - 1, CHANCERY_SCENE_AXIS_HEIGHT,
                                                  2, scene->height - CHANCERY_SCENE_AXIS_HEIGHT));
  append_rounded (snapshot, &scene->palette.accent,
                  &GRAPHENE_RECT_INIT (x - 4, CHANCERY_SCENE_AXIS_HEIGHT - 4, 8, 8), 4);
}

static void
draw_scroll_hint (ChanceryScene *scene,
                  GtkSnapshot   *snapshot)
{
  float viewport = scene->height - CHANCERY_SCENE_AXIS_HEIGHT;
  float h, y;
  GdkRGBA thumb;

  if (scene->content_height <= viewport + 0.5f || viewport <= 0)
    return;

  h = MAX (24, viewport * viewport / scene->content_height);
  y = CHANCERY_SCENE_AXIS_HEIGHT + 2
      + (viewport - h - 4) * scene->scroll_y / (scene->content_height - viewport);
  thumb = with_alpha (&scene->palette.foreground, 0.25f);
  append_rounded (snapshot, &thumb,
                  &GRAPHENE_RECT_INIT (scene->rtl ? 3 : scene->width - 6, y, 3, h), 1.5f);
}

static void
draw_empty (ChanceryScene *scene,
            GtkSnapshot   *snapshot)
{
  CachedLayout *cached = text_layout (scene, scene->label_font, _("No events to show"));
  float w = text_width (cached, scene->width);

  append_text (snapshot, cached, (scene->width - w) / 2,
               CHANCERY_SCENE_AXIS_HEIGHT + (scene->height - CHANCERY_SCENE_AXIS_HEIGHT) / 2
               - scene->line_height / 2,
               scene->width, &scene->palette.dim);
}

void
chancery_scene_draw (ChanceryScene *scene,
                     GtkSnapshot   *snapshot)
{
  graphene_rect_t bounds = GRAPHENE_RECT_INIT (0, 0, scene->width, scene->height);

  if (scene->width < 1 || scene->height < 1 || scene->pango == NULL)
    return;

  gtk_snapshot_push_clip (snapshot, &bounds);
  gtk_snapshot_append_color (snapshot, &scene->palette.background, &bounds);

  if (scene->index != NULL)
    draw_lanes (scene, snapshot);
  draw_grid (scene, snapshot);
  if (scene->show_today)
    draw_today (scene, snapshot);

  if (scene->index == NULL || scene->index->n_events == 0)
    draw_empty (scene, snapshot);
  else
    {
      gtk_snapshot_push_clip (snapshot,
                              &GRAPHENE_RECT_INIT (0, CHANCERY_SCENE_AXIS_HEIGHT, scene->width,
                                                   MAX (scene->height - CHANCERY_SCENE_AXIS_HEIGHT, 0)));
      draw_lane_contents (scene, snapshot);
      gtk_snapshot_pop (snapshot);
    }

  draw_axis (scene, snapshot);
  draw_scroll_hint (scene, snapshot);
  gtk_snapshot_pop (snapshot);
}
