/* chancery-overview.h: a strip showing the whole dataset and the
 * timeline's visible window
 *
 * Copyright 2026 The Chancery developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Draws the density of all events of the bound timeline's index across its
 * whole extent, with a rectangle for the timeline's view. Clicking moves
 * the view there; dragging the rectangle pans the timeline.
 */
#pragma once

#include <gtk/gtk.h>

#include "chancery-timeline.h"

G_BEGIN_DECLS

#define CHANCERY_TYPE_OVERVIEW (chancery_overview_get_type ())
G_DECLARE_FINAL_TYPE (ChanceryOverview, chancery_overview, CHANCERY, OVERVIEW, GtkWidget)

GtkWidget        *chancery_overview_new          (void);
/* Property "timeline"; follows its index and view. */
void              chancery_overview_set_timeline (ChanceryOverview *self,
                                                  ChanceryTimeline *timeline);
ChanceryTimeline *chancery_overview_get_timeline (ChanceryOverview *self);
/* The days across the strip: [start, end). */
void              chancery_overview_get_range    (ChanceryOverview *self,
                                                  double           *start,
                                                  double           *end);

G_END_DECLS
