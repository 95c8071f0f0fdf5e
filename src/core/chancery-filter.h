/* chancery-filter.h: what the user asked to see
 *
 * Copyright 2026 The Chancery developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Values of one field are OR-ed, different fields AND-ed. An empty field
 * does not constrain. Dates: an event matches when its bounds overlap
 * [from, to].
 */
#pragma once

#include <glib.h>

#include "chancery-date.h"
#include "chancery-types.h"

G_BEGIN_DECLS

typedef struct
{
  GPtrArray *actors;     /* char*: actor uid or exact name */
  GPtrArray *countries;  /* char*: alpha-3 code, upper case */
  GPtrArray *projects;   /* char*: project uid */
  guint32    kinds;      /* bit (1 << ChanceryKind); 0 = any */
  guint32    statuses;   /* bit (1 << ChanceryStatus); 0 = any */
  gboolean   has_from;
  gint32     from_day;
  gboolean   has_to;
  gint32     to_day;
  char      *text;       /* free text as typed; NULL or "" = none */
} ChanceryFilter;

ChanceryFilter *chancery_filter_new      (void);
ChanceryFilter *chancery_filter_copy     (const ChanceryFilter *filter);
void            chancery_filter_free     (ChanceryFilter       *filter);
gboolean        chancery_filter_equal    (const ChanceryFilter *a,
                                          const ChanceryFilter *b);
gboolean        chancery_filter_is_empty (const ChanceryFilter *filter);

/* Parse user-facing values; errors say which value is wrong and why. */
gboolean chancery_filter_add_kind    (ChanceryFilter *filter, const char *kind,   GError **error);
gboolean chancery_filter_add_status  (ChanceryFilter *filter, const char *status, GError **error);
gboolean chancery_filter_add_country (ChanceryFilter *filter, const char *code,   GError **error);
/* Whether code has the form of a country code (three letters, either case). */
gboolean chancery_filter_check_country (const char *code, GError **error);
void     chancery_filter_add_actor   (ChanceryFilter *filter, const char *actor);
void     chancery_filter_add_project (ChanceryFilter *filter, const char *project);
/* An EDTF date; --from takes its lo bound, --to its hi bound ("2026" -> 2026-12-31). */
/* A date as the bounds read it: spaces around it dropped, digits of other
 * scripts (Persian ۰–۹) read as ASCII ones. */
gboolean chancery_filter_parse_date  (const char *text, ChanceryDate *date, GError **error);
/* Blank text (empty or spaces) clears the bound. */
gboolean chancery_filter_set_from    (ChanceryFilter *filter, const char *date,   GError **error);
gboolean chancery_filter_set_to      (ChanceryFilter *filter, const char *date,   GError **error);
void     chancery_filter_set_text    (ChanceryFilter *filter, const char *text);

/* Turns user text into an FTS5 MATCH expression that can never be a syntax
 * error: each word becomes a quoted prefix token, AND-ed. NULL when the text
 * has no words. */
char    *chancery_filter_text_to_fts (const char *text);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ChanceryFilter, chancery_filter_free)

G_END_DECLS
