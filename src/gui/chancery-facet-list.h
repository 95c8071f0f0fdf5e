/* chancery-facet-list.h: pick several values of one facet, with counts
 *
 * Copyright 2026 The Chancery developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

#include "chancery-store.h"

G_BEGIN_DECLS

#define CHANCERY_TYPE_FACET_LIST (chancery_facet_list_get_type ())
G_DECLARE_FINAL_TYPE (ChanceryFacetList, chancery_facet_list, CHANCERY, FACET_LIST, GtkWidget)

GtkWidget  *chancery_facet_list_new          (void);
/* ChanceryFacet*, most frequent first; copied. Selected values stay listed.
 * NULL: the counts are being computed. filtered: they count the events
 * some filter narrowed, so none says nothing about the dataset. */
void        chancery_facet_list_set_facets   (ChanceryFacetList *self,
                                              GPtrArray         *facets,
                                              gboolean           filtered);
/* Does not emit "changed". */
void        chancery_facet_list_set_selected (ChanceryFacetList *self,
                                              const char        *key,
                                              const char        *label,
                                              gboolean           selected);
gboolean    chancery_facet_list_is_selected  (ChanceryFacetList *self,
                                              const char        *key);
/* Selected keys in the order they were picked. */
GPtrArray  *chancery_facet_list_get_selected (ChanceryFacetList *self);
const char *chancery_facet_list_get_label    (ChanceryFacetList *self,
                                              const char        *key);
/* Unselects all; does not emit "changed". Returns whether anything was selected. */
gboolean    chancery_facet_list_clear        (ChanceryFacetList *self);

/* Property "title" (string). Signal "changed": the user picked or dropped a value. */

G_END_DECLS
