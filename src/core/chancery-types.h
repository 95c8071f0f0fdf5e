/* chancery-types.h: event kinds, statuses and actor roles
 *
 * Copyright 2026 The Chancery developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Values are stored in the database: append only, never renumber. */
typedef enum
{
  CHANCERY_KIND_VISIT,
  CHANCERY_KIND_MEETING,
  CHANCERY_KIND_TALKS,
  CHANCERY_KIND_PRESS_CONFERENCE,
  CHANCERY_KIND_AGREEMENT,
  CHANCERY_KIND_STATEMENT,
  CHANCERY_KIND_MILESTONE,
  CHANCERY_KIND_SUMMIT,
  CHANCERY_KIND_INCIDENT,
  CHANCERY_KIND_ELECTION,
  CHANCERY_KIND_OTHER,
  CHANCERY_N_KINDS
} ChanceryKind;

typedef enum
{
  CHANCERY_STATUS_OCCURRED,
  CHANCERY_STATUS_REPORTED,
  CHANCERY_STATUS_ANNOUNCED,
  CHANCERY_STATUS_PLANNED,
  CHANCERY_STATUS_CANCELLED,
  CHANCERY_STATUS_DISPUTED,
  CHANCERY_N_STATUSES
} ChanceryStatus;

typedef enum
{
  CHANCERY_ROLE_HOST,
  CHANCERY_ROLE_GUEST,
  CHANCERY_ROLE_PARTICIPANT,
  CHANCERY_ROLE_MENTIONED,
  CHANCERY_N_ROLES
} ChanceryRole;

/* Machine names ("press-conference") as in the JSON format and the CLI. */
const char *chancery_kind_to_string     (ChanceryKind     kind);
gboolean    chancery_kind_from_string   (const char      *str,
                                         ChanceryKind    *kind);
/* Translated names for people ("Press conference"). */
const char *chancery_kind_get_label     (ChanceryKind     kind);

const char *chancery_status_to_string   (ChanceryStatus   status);
gboolean    chancery_status_from_string (const char      *str,
                                         ChanceryStatus  *status);
const char *chancery_status_get_label   (ChanceryStatus   status);

const char *chancery_role_to_string     (ChanceryRole     role);
gboolean    chancery_role_from_string   (const char      *str,
                                         ChanceryRole    *role);
const char *chancery_role_get_label     (ChanceryRole     role);

G_END_DECLS
