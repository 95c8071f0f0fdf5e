/* chancery-event.h: everything known about one event (for the detail pane
 * and the exporters; the timeline uses ChanceryIndex instead)
 *
 * Copyright 2026 The Chancery developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

#include "chancery-date.h"
#include "chancery-types.h"

G_BEGIN_DECLS

typedef struct
{
  char         *uid;
  char         *name;
  char         *title;       /* role or office, e.g. "Foreign Minister"; may be NULL */
  char         *country;     /* alpha-3 code; may be NULL */
  ChanceryRole  role;
  char         *country_name;  /* the country's name, if the store has it;
                                * filled by chancery_store_get_event() */
} ChanceryEventActor;

typedef struct
{
  char *code;                /* ISO 3166-1 alpha-3 (or CAMEO code for GDELT) */
  char *name;
} ChanceryEventCountry;

typedef struct
{
  char *uid;
  char *name;
} ChanceryEventProject;

typedef struct
{
  char *uid;
  char *publisher;           /* may be NULL */
  char *title;               /* may be NULL */
  char *reference;           /* e.g. "News ID 146663"; may be NULL */
  char *url;                 /* may be NULL */
  char *published;           /* EDTF text; may be NULL */
  char *quote;               /* verbatim passage the event rests on; may be NULL */
} ChanceryEventSource;

typedef struct
{
  gint64    id;              /* the other event's row id */
  char     *uid;
  char     *title;
  char     *relation;        /* "part-of", "follows", ... */
  gboolean  outgoing;        /* TRUE: this event -> other; FALSE: other -> this */
} ChanceryEventLink;

/* The largest importance Chancery stores (its JSON format's limit). */
#define CHANCERY_MAX_IMPORTANCE 1e9

typedef struct
{
  gint64          id;        /* row id in this database */
  char           *uid;       /* stable text id */
  ChanceryKind    kind;
  ChanceryStatus  status;
  char           *title;
  char           *summary;   /* may be NULL */
  char           *date_text; /* EDTF as written */
  ChanceryDate    date;
  char           *place_name;    /* may be NULL */
  char           *place_country; /* may be NULL */
  char           *place_country_name; /* as ChanceryEventActor.country_name */
  gboolean        has_coordinates;
  double          latitude;
  double          longitude;
  char           *cameo;         /* may be NULL */
  double          importance;    /* 0 when unknown */
  GPtrArray      *actors;        /* ChanceryEventActor */
  GPtrArray      *countries;     /* ChanceryEventCountry */
  GPtrArray      *projects;      /* ChanceryEventProject */
  GPtrArray      *sources;       /* ChanceryEventSource */
  GPtrArray      *links;         /* ChanceryEventLink */
} ChanceryEvent;

ChanceryEvent *chancery_event_new  (void);
void           chancery_event_free (ChanceryEvent *event);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ChanceryEvent, chancery_event_free)

G_END_DECLS
