/* chancery-index.h: the compact, immutable in-memory index that the
 * timeline and the event list draw from
 *
 * Copyright 2026 The Chancery developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * One ChanceryIndexEvent per matching event, sorted by (lo, hi, id), plus
 * lanes: for a grouping, each lane lists the positions of its events (an
 * event with two countries is in two lanes), also sorted by lo. An index is
 * built off the main thread and never changes afterwards, so it can be
 * shared between threads by reference.
 */
#pragma once

#include <glib-object.h>

#include "chancery-date.h"
#include "chancery-types.h"

G_BEGIN_DECLS

typedef enum
{
  CHANCERY_GROUP_NONE,
  CHANCERY_GROUP_COUNTRY,
  CHANCERY_GROUP_ACTOR,
  CHANCERY_GROUP_KIND,
  CHANCERY_GROUP_PROJECT,
} ChanceryGrouping;

typedef enum
{
  CHANCERY_INDEX_OPEN_START  = 1 << 0,  /* "../B": lo is a soft extent */
  CHANCERY_INDEX_OPEN_END    = 1 << 1,  /* "A/..": hi is a soft extent */
  CHANCERY_INDEX_APPROXIMATE = 1 << 2,  /* any "~" */
  CHANCERY_INDEX_UNCERTAIN   = 1 << 3,  /* any "?" */
  CHANCERY_INDEX_RANGE       = 1 << 4,  /* written as a range */
  /* A range whose points differ in precision ("2025-06/2025-12-08"):
   * which point is finer than the event's precision (the coarsest), and
   * whether by two steps (a day against a year) rather than one. */
  CHANCERY_INDEX_FINER_START = 1 << 5,
  CHANCERY_INDEX_FINER_END   = 1 << 6,
  CHANCERY_INDEX_FINER_TWO   = 1 << 7,
} ChanceryIndexFlags;

/* ChanceryIndexFlags describing a date. */
guint chancery_index_flags_for_date (const ChanceryDate *date);

typedef struct
{
  gint64  id;          /* row id: chancery_store_get_event() */
  gint32  lo;          /* extent in days, inclusive (chancery_date_get_extent) */
  gint32  hi;
  guint32 title;       /* byte offset into the index's title pool */
  guint8  kind;        /* ChanceryKind */
  guint8  status;      /* ChanceryStatus */
  guint8  precision;   /* ChanceryPrecision (coarsest) */
  guint8  flags;       /* ChanceryIndexFlags */
} ChanceryIndexEvent;

/* An event from the values of its row, clamped as the index keeps them
 * (a file made by hand may hold anything); its title is left at 0. */
void              chancery_index_event_init_raw      (ChanceryIndexEvent *event,
                                                      gint64              id,
                                                      gint32              lo,
                                                      gint32              hi,
                                                      guint               kind,
                                                      guint               status,
                                                      guint               precision,
                                                      guint               flags);
/* The precision of an event's start, or of its end. */
ChanceryPrecision chancery_index_event_get_precision (const ChanceryIndexEvent *event,
                                                      gboolean                  end);
/* The event's date for people, as chancery_date_format says it, rebuilt
 * from its extent, precisions and flags (the index keeps no EDTF text). */
char             *chancery_index_event_format_date   (const ChanceryIndexEvent *event);

typedef struct
{
  char    *key;        /* country code, actor uid, kind name, project uid; "" = none */
  char    *label;      /* for people */
  guint    n_items;
  guint32 *items;      /* positions into events[], sorted by events[].lo */
  gint32   max_span;   /* max (hi - lo) in this lane, for culling */
} ChanceryLane;

typedef struct _ChanceryIndex ChanceryIndex;

struct _ChanceryIndex
{
  /*< read-only >*/
  guint               n_events;
  ChanceryIndexEvent *events;
  ChanceryGrouping    grouping;
  GPtrArray          *lanes;       /* ChanceryLane*, in display order */
  gint32              min_day;     /* of all extents; 0 when empty */
  gint32              max_day;
  gint32              max_span;    /* max (hi - lo) over all events */
  /*< private >*/
  GString            *titles;
  gatomicrefcount     ref_count;
  /* chancery_index_new_shared(): events and the title pool belong to owner */
  gpointer            owner;
  GDestroyNotify      owner_release;
  gboolean            owns_events;
  /* The date order (below): the events that move, four arrays of
   * n_moved in one block (chancery-index.c, build_date_order) */
  guint               n_moved;
  guint32            *moved;
};

#define CHANCERY_TYPE_INDEX (chancery_index_get_type ())
/* A boxed type (ref/unref), for GObject properties such as the timeline's. */
GType          chancery_index_get_type   (void) G_GNUC_CONST;

ChanceryIndex *chancery_index_ref        (ChanceryIndex *index);
void           chancery_index_unref      (ChanceryIndex *index);
const char    *chancery_index_get_title  (const ChanceryIndex *index,
                                          guint                position);
/* First position whose lo >= day (binary search); n_events if none. */
guint          chancery_index_lower_bound (const ChanceryIndex *index,
                                           gint32               day);
/* Same within a lane: first i with events[items[i]].lo >= day. */
guint          chancery_lane_lower_bound  (const ChanceryIndex *index,
                                           const ChanceryLane  *lane,
                                           gint32               day);
/* The event list's date order: events by when they are known to happen.
 * The index sorts an event with an open start ("before 8 December 2025")
 * by its soft start, a made-up day well before its known end, which the
 * timeline draws as a fade; in date order it comes where its end point
 * begins, just before the events dated then. Everything else keeps the
 * index's order. Both directions take O(log k) for k such events; the
 * order is built with the index, off the main thread. */
guint          chancery_index_date_order_get_position (const ChanceryIndex *index,
                                                       guint                rank);
guint          chancery_index_date_order_get_rank     (const ChanceryIndex *index,
                                                       guint                position);
/* The first rank whose event comes at day or later in date order (where
 * it sorts: its start, or the first day of a known end); n_events if none.
 * O(log n log k). */
guint          chancery_index_date_order_lower_bound  (const ChanceryIndex *index,
                                                       gint32               day);
/* positions[rank] for every rank, n_events of them, in O(n). */
void           chancery_index_date_order_fill         (const ChanceryIndex *index,
                                                       guint32             *positions);
/* Whether an event leaves the index's place in the date order: an open
 * start ("../B") whose end is known; and where it then sorts: the first
 * day of its end point B, before the events that start then, and after
 * the other events that move there and come first in the index. The
 * store's exports follow the same rule. */
gboolean       chancery_index_event_moves_in_date_order (const ChanceryIndexEvent *event);
gint32         chancery_index_event_get_date_order_key  (const ChanceryIndexEvent *event);
/* Position of the event with this row id, or G_MAXUINT. O(n). */
guint          chancery_index_find_id    (const ChanceryIndex *index,
                                          gint64               id);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ChanceryIndex, chancery_index_unref)

/* For builders (the store): */
typedef struct _ChanceryIndexBuilder ChanceryIndexBuilder;
ChanceryIndexBuilder *chancery_index_builder_new   (ChanceryGrouping grouping);
void                  chancery_index_builder_add   (ChanceryIndexBuilder *builder,
                                                    gint64 id, const ChanceryDate *date,
                                                    ChanceryKind kind, ChanceryStatus status,
                                                    const char *title);
/* The same from values already in the store (no date parsing). */
void                  chancery_index_builder_add_raw (ChanceryIndexBuilder *builder,
                                                      gint64 id, gint32 lo, gint32 hi,
                                                      guint kind, guint status,
                                                      guint precision, guint flags,
                                                      const char *title);
/* Put the event that was added last into lane (key, label). */
void                  chancery_index_builder_add_to_lane (ChanceryIndexBuilder *builder,
                                                          const char *key, const char *label);
ChanceryIndex        *chancery_index_builder_finish (ChanceryIndexBuilder *builder);

/* For the store: an index over arrays kept elsewhere. events are sorted by
 * (lo, hi, id) and taken (g_free) when owns_events, else borrowed; titles
 * (offsets of events[].title point into it, titles_len bytes ending with a
 * NUL) is borrowed. owner is released (owner_release) with the index, and
 * keeps what is borrowed alive. lanes (ChanceryLane*, g_malloc'ed, items
 * sorted, already in display order) is taken; max_span of the lanes and of
 * the index, min_day and max_day are computed here. */
ChanceryIndex        *chancery_index_new_shared (ChanceryGrouping    grouping,
                                                 ChanceryIndexEvent *events,
                                                 guint               n_events,
                                                 gboolean            owns_events,
                                                 const char         *titles,
                                                 gsize               titles_len,
                                                 GPtrArray          *lanes,
                                                 gpointer            owner,
                                                 GDestroyNotify      owner_release);

G_END_DECLS
