/* chancery-timeline-private.h: the drawing shared by the timeline widget,
 * the overview strip and picture export
 *
 * Copyright 2026 The Chancery developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A ChanceryScene is the timeline's view of an index at one size: where
 * every visible event sits (layout) and how it is drawn (draw). It holds no
 * widget, so chancery_timeline_render_to_file() can use it without a display.
 */
#pragma once

#include <gtk/gtk.h>

#include "chancery-index.h"

G_BEGIN_DECLS

/* Days 0001-01-01 and 10000-01-01 (exclusive): the calendar's range. */
#define CHANCERY_SCENE_FIRST_DAY   (-719162.0)
#define CHANCERY_SCENE_LAST_DAY    (2932897.0)
/* Narrowest view: two hours. */
#define CHANCERY_SCENE_MIN_SPAN    (2.0 / 24.0)
#define CHANCERY_SCENE_AXIS_HEIGHT 46.0f
/* A lane's name, above its rows; it stays under the axis while the lane
 * scrolls up behind it. */
#define CHANCERY_SCENE_HEADER_HEIGHT 24.0f

typedef struct
{
  gboolean dark;
  GdkRGBA  background;
  GdkRGBA  lane_alt;         /* every other lane */
  GdkRGBA  axis_background;
  GdkRGBA  foreground;
  GdkRGBA  dim;              /* secondary text */
  GdkRGBA  separator;
  GdkRGBA  grid;
  GdkRGBA  grid_major;
  GdkRGBA  accent;
  GdkRGBA  on_accent;        /* text on a filled kind colour */
  GdkRGBA  density;
  GdkRGBA  kinds[CHANCERY_N_KINDS];
} ChanceryPalette;

/* Libadwaita's colours for a light or dark style. */
void chancery_palette_init (ChanceryPalette *palette,
                            gboolean         dark);

/* The same, following the widget's style (dark or light, accent). */
void chancery_palette_init_for_widget (ChanceryPalette *palette,
                                       GtkWidget       *widget);

/* Per-lane event counts by day, built lazily, for drawing density when a
 * lane holds more events than there are pixels. */
typedef struct _ChanceryDensity ChanceryDensity;

/* What the timeline and the overview count events with: one per index,
 * shared (the span class of every event, the prefix counts of each lane). */
ChanceryDensity *chancery_density_new   (ChanceryIndex   *index);
ChanceryDensity *chancery_density_ref   (ChanceryDensity *density);
void             chancery_density_unref (ChanceryDensity *density);
ChanceryIndex   *chancery_density_get_index (ChanceryDensity *density);
/* Events whose lo is in [a, b); lane -1 counts the whole index. */
guint            chancery_density_count (ChanceryDensity *density,
                                         int              lane,
                                         gint32           a,
                                         gint32           b);
/* Whether chancery_density_count (density, lane, a, b) > limit, cheaper:
 * mostly from the prefix counts, without searching the events. */
gboolean         chancery_density_more_than (ChanceryDensity *density,
                                             int              lane,
                                             gint32           a,
                                             gint32           b,
                                             guint            limit);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ChanceryDensity, chancery_density_unref)


typedef enum
{
  CHANCERY_SHAPE_POINT,      /* a day: round marker */
  CHANCERY_SHAPE_BAR,        /* exact days: solid bar */
  CHANCERY_SHAPE_SOFT,       /* month/year precision or open bound */
  CHANCERY_SHAPE_HIDDEN,     /* no room: a tick on the lane's rug */
} ChanceryShape;

typedef struct
{
  guint           position;      /* into index->events */
  guint           lane;
  ChanceryShape   shape;
  graphene_rect_t rect;          /* marker or bar, widget coordinates */
  graphene_rect_t area;          /* rect and label: what the pointer hits */
  float           label_x;
  float           label_width;   /* 0: no label */
  gboolean        label_inside;  /* drawn on the bar's fill */
} ChanceryItem;

typedef struct
{
  guint           lane;
  gint32          lo;            /* days [lo, hi) */
  gint32          hi;
  guint           count;
  graphene_rect_t rect;          /* the whole column, for hit tests */
} ChanceryBin;

/* Events on a lane's rug, close enough to share one "+n" pill. */
typedef struct
{
  guint           lane;
  guint           count;         /* hidden events it stands for */
  guint           position;      /* the earliest of them, into index->events */
  float           x_lo;          /* their ticks' extent, widget coordinates */
  float           x_hi;
  graphene_rect_t rect;          /* the pill, widget coordinates */
} ChanceryBadge;

typedef struct
{
  float    y;                    /* widget coordinates, scrolled */
  float    height;
  guint    n_rows;
  gboolean dense;
  guint    n_hidden;
  gboolean deferred;             /* many lanes: items only once on screen */
  guint    first_item;           /* into scene->items */
  guint    n_items;
  guint    first_bin;            /* into scene->bins */
  guint    n_bins;
  guint    first_badge;          /* into scene->badges; lanes on screen only */
  guint    n_badges;
} ChanceryLaneBox;

typedef struct
{
  /* Inputs: set them, then chancery_scene_layout(). */
  ChanceryIndex   *index;
  ChanceryDensity *density;
  double           start;
  double           end;
  float            width;
  float            height;
  float            scroll_y;     /* clamped by layout */
  gboolean         rtl;
  gboolean         show_today;
  /* Slow fades (a year-long one seen over days) are drawn within an
   * alpha step or two of exact, as plain colours and fewer dash runs,
   * which cost cairo far less; TRUE draws them exactly, to compare. */
  gboolean         exact_fades;
  ChanceryPalette  palette;

  /* Outputs of chancery_scene_layout(). */
  GArray          *lanes;        /* ChanceryLaneBox */
  GArray          *items;        /* ChanceryItem */
  GArray          *bins;         /* ChanceryBin */
  GArray          *badges;       /* ChanceryBadge */
  float            content_height;

  /*< private >*/
  PangoContext          *pango;
  PangoFontDescription  *label_font;
  PangoFontDescription  *small_font;
  PangoFontDescription  *bold_font;
  GHashTable            *title_layouts;   /* position -> PangoLayout */
  GHashTable            *old_title_layouts; /* the generation before */
  GHashTable            *text_layouts;    /* "font|text" -> PangoLayout */
  GHashTable            *old_text_layouts;
  GHashTable            *badge_texts;     /* count -> BadgeText ("+n") */
  float                  line_height;
} ChanceryScene;

void    chancery_scene_init        (ChanceryScene *scene);
void    chancery_scene_clear       (ChanceryScene *scene);
void    chancery_scene_set_index   (ChanceryScene *scene,
                                    ChanceryIndex *index);
/* Fonts come from context; forgets cached text. */
void    chancery_scene_set_pango   (ChanceryScene *scene,
                                    PangoContext  *context);
void    chancery_scene_layout      (ChanceryScene *scene);
void    chancery_scene_draw        (ChanceryScene *scene,
                                    GtkSnapshot   *snapshot);

double  chancery_scene_day_at      (const ChanceryScene *scene,
                                    double               x);
double  chancery_scene_x_at        (const ChanceryScene *scene,
                                    double               day);
/* Topmost event item at (x, y), not counting hidden ones; NULL if none. */
const ChanceryItem *chancery_scene_item_at   (const ChanceryScene *scene,
                                              double               x,
                                              double               y);
/* The first item drawn for position (hidden ones last); NULL if none. */
const ChanceryItem *chancery_scene_find_item (const ChanceryScene *scene,
                                              guint                position,
                                              gboolean             visible_only);
const ChanceryBin  *chancery_scene_bin_at    (const ChanceryScene *scene,
                                              double               x,
                                              double               y);
/* The rug's count pill at (x, y), or its ticks; NULL if none. */
const ChanceryBadge *chancery_scene_badge_at (const ChanceryScene *scene,
                                              double               x,
                                              double               y);
/* The badge whose ticks include the event at position, NULL when it has
 * none (it has a row, or its lane is off screen or drawn as density). */
const ChanceryBadge *chancery_scene_find_badge (const ChanceryScene *scene,
                                                guint                position);
/* The positions (into index->events) of the hidden events a badge counts,
 * in time order. */
GArray *chancery_scene_badge_positions (const ChanceryScene *scene,
                                        const ChanceryBadge *badge);
/* Lane under y, or -1. */
int     chancery_scene_lane_at     (const ChanceryScene *scene,
                                    double               y);

/* Axis ticks across [start, end) drawn over width pixels. */
typedef void (*ChanceryTickFunc) (double      day,
                                  const char *label,
                                  gpointer    user_data);
void    chancery_axis_foreach_tick (double           start,
                                    double           end,
                                    float            width,
                                    float            min_spacing,
                                    ChanceryTickFunc func,
                                    gpointer         user_data);

/* Text for people, in the user's locale. */
/* "Title, 8 December 2025, Meeting" for tooltips and screen readers. */
char   *chancery_format_event_description (const ChanceryIndex *index,
                                           guint                position);
double  chancery_scene_now         (void);

/* How much of layout's text (one line, no width set) an ellipsized label
 * of width pixels needs, in bytes: ellipsizing that prefix draws what
 * ellipsizing the whole text would. The whole length when that cannot be
 * told cheaply (right-to-left text before the cut). */
gsize   chancery_text_prefix_for_width (PangoLayout *layout,
                                        int          width);

/* For tests: the number on the rug's badge at (x, y), 0 if none, and its
 * tooltip (NULL if none); the list a badge opens (NULL before the first);
 * and what a click (press and release on the spot) at (x, y) does. */
typedef struct _ChanceryTimeline ChanceryTimeline;
guint   chancery_timeline_get_hidden_count_at (ChanceryTimeline *self,
                                               double            x,
                                               double            y);
char   *chancery_timeline_get_badge_tooltip_at (ChanceryTimeline *self,
                                                double            x,
                                                double            y);
GtkPopover *chancery_timeline_get_badge_popover (ChanceryTimeline *self);
void    chancery_timeline_click_at            (ChanceryTimeline *self,
                                               double            x,
                                               double            y);

/* The density of the timeline's index, which the overview shares (NULL
 * without an index): not a new reference. */
ChanceryDensity *chancery_timeline_get_density (ChanceryTimeline *self);

G_END_DECLS
