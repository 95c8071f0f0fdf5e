/* chancery-filter-pane.h: the sidebar where people say what they want to see
 *
 * Copyright 2026 The Chancery developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

#include "chancery-filter.h"
#include "chancery-store.h"

G_BEGIN_DECLS

/* One constraint of the filter, for chips. The first five are the
 * ChanceryFacetKind values. */
typedef enum
{
  CHANCERY_FILTER_FIELD_ACTOR   = CHANCERY_FACET_ACTOR,
  CHANCERY_FILTER_FIELD_COUNTRY = CHANCERY_FACET_COUNTRY,
  CHANCERY_FILTER_FIELD_KIND    = CHANCERY_FACET_KIND,
  CHANCERY_FILTER_FIELD_STATUS  = CHANCERY_FACET_STATUS,
  CHANCERY_FILTER_FIELD_PROJECT = CHANCERY_FACET_PROJECT,
  CHANCERY_FILTER_FIELD_FROM,
  CHANCERY_FILTER_FIELD_TO,
  CHANCERY_FILTER_FIELD_TEXT,
} ChanceryFilterField;

typedef struct
{
  ChanceryFilterField  field;
  char                *key;     /* NULL for FROM, TO, TEXT */
  char                *label;   /* for people: "Armenia", "From June 2025", "“railway”" */
} ChanceryFilterChip;

void chancery_filter_chip_free (ChanceryFilterChip *chip);

#define CHANCERY_TYPE_FILTER_PANE (chancery_filter_pane_get_type ())
G_DECLARE_FINAL_TYPE (ChanceryFilterPane, chancery_filter_pane, CHANCERY, FILTER_PANE, GtkWidget)

GtkWidget      *chancery_filter_pane_new          (void);
/* The filter as entered; a date that does not parse is left out (its
 * entry shows why). */
ChanceryFilter *chancery_filter_pane_dup_filter   (ChanceryFilterPane *self);
/* Counts for the values of one facet under the current filter; NULL
 * while they are being computed. */
void            chancery_filter_pane_set_facets   (ChanceryFilterPane *self,
                                                   ChanceryFacetKind   kind,
                                                   GPtrArray          *facets);
/* "7 of 21 events" */
void            chancery_filter_pane_set_summary  (ChanceryFilterPane *self,
                                                   guint               n_matching,
                                                   guint               n_total);
/* Adds one value of a facet (e.g. from the detail pane); emits "changed". */
void            chancery_filter_pane_add          (ChanceryFilterPane *self,
                                                   ChanceryFacetKind   kind,
                                                   const char         *key,
                                                   const char         *label);
/* Removes one constraint (a chip's ×); emits "changed". */
void            chancery_filter_pane_remove       (ChanceryFilterPane  *self,
                                                   ChanceryFilterField  field,
                                                   const char          *key);
/* Clears everything; emits "changed" when anything was set. */
void            chancery_filter_pane_clear        (ChanceryFilterPane *self);
/* Clears everything without emitting "changed" (a new dataset). */
void            chancery_filter_pane_reset        (ChanceryFilterPane *self);
/* ChanceryFilterChip*, in the order of the pane. */
GPtrArray      *chancery_filter_pane_list_chips   (ChanceryFilterPane *self);
void            chancery_filter_pane_focus_search (ChanceryFilterPane *self);

/* Signal "changed": the filter changed (typing is debounced). */

G_END_DECLS
