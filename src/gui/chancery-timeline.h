/* chancery-timeline.h: the interactive timeline widget
 *
 * Copyright 2026 The Chancery developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Draws a ChanceryIndex: an axis, one lane per index lane, events as points
 * or extents. The view is [start, end) in days (fractional, so it can zoom
 * down to hours). The widget never queries the store: the window gives it a
 * new index when the filter or grouping changes.
 *
 * Widget actions: timeline.zoom-in, timeline.zoom-out, timeline.zoom-fit,
 * timeline.go-today, timeline.go-selection, timeline.select-next,
 * timeline.select-previous, timeline.open-badge (the "+n" badge's list
 * for a selected event that has no row).
 */
#pragma once

#include <gtk/gtk.h>

#include "chancery-index.h"

G_BEGIN_DECLS

#define CHANCERY_TYPE_TIMELINE (chancery_timeline_get_type ())
G_DECLARE_FINAL_TYPE (ChanceryTimeline, chancery_timeline, CHANCERY, TIMELINE, GtkWidget)

GtkWidget     *chancery_timeline_new              (void);
/* Keeps the view when possible; clears the selection if the selected event is gone. */
void           chancery_timeline_set_index        (ChanceryTimeline *self,
                                                   ChanceryIndex    *index);
ChanceryIndex *chancery_timeline_get_index        (ChanceryTimeline *self);
/* Property "selected-id" (gint64, -1 = none); notifies on change. */
gint64         chancery_timeline_get_selected_id  (ChanceryTimeline *self);
void           chancery_timeline_set_selected_id  (ChanceryTimeline *self,
                                                   gint64            id);
/* Properties "view-start", "view-end" (double, days since 1970-01-01). */
void           chancery_timeline_get_view         (ChanceryTimeline *self,
                                                   double           *start,
                                                   double           *end);
void           chancery_timeline_set_view         (ChanceryTimeline *self,
                                                   double            start,
                                                   double            end);
void           chancery_timeline_zoom_fit         (ChanceryTimeline *self);
/* Zoom by factor (> 1 zooms in) around a widget x coordinate. */
void           chancery_timeline_zoom_at          (ChanceryTimeline *self,
                                                   double            factor,
                                                   double            x);
/* Where the event is drawn (first lane it appears in), in widget
 * coordinates; FALSE when it is not visible. For tests and a11y. */
gboolean       chancery_timeline_get_event_area   (ChanceryTimeline *self,
                                                   gint64            id,
                                                   graphene_rect_t  *area);
/* Row id of the event drawn at (x, y), or -1. */
gint64         chancery_timeline_get_event_at     (ChanceryTimeline *self,
                                                   double            x,
                                                   double            y);

/* Signal "event-activated" (gint64 id): Enter or double click. */

/* The same drawing as on screen, of [start, end) at width x height pixels,
 * to a PNG, SVG or PDF file (by format "png", "svg", "pdf"), written
 * atomically. Works without a display (the CLI uses it). The lanes fit
 * height as on a screen that tall. dark: dark palette. */
gboolean       chancery_timeline_render_to_file   (ChanceryIndex    *index,
                                                   double            start,
                                                   double            end,
                                                   int               width,
                                                   int               height,
                                                   gboolean          dark,
                                                   const char       *format,
                                                   const char       *path,
                                                   GError          **error);
/* The same with every lane in full: the picture is min_height tall, or
 * taller if the lanes need it; an error when they need more than the
 * largest picture (20000 pixels). */
gboolean       chancery_timeline_render_lanes_to_file (ChanceryIndex *index,
                                                       double         start,
                                                       double         end,
                                                       int            width,
                                                       int            min_height,
                                                       gboolean       dark,
                                                       const char    *format,
                                                       const char    *path,
                                                       GError       **error);

G_END_DECLS
