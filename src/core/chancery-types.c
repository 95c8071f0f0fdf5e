/* chancery-types.c
 *
 * Copyright 2026 The Chancery developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "chancery-types.h"

typedef struct
{
  const char *name;
  const char *label;
} NamedValue;

static const NamedValue kinds[CHANCERY_N_KINDS] = {
  { "visit", N_("Visit") },
  { "meeting", N_("Meeting") },
  { "talks", N_("Talks") },
  { "press-conference", N_("Press conference") },
  { "agreement", N_("Agreement") },
  { "statement", N_("Statement") },
  { "milestone", N_("Milestone") },
  { "summit", N_("Summit") },
  { "incident", N_("Incident") },
  { "election", N_("Election") },
  { "other", N_("Other") },
};

static const NamedValue statuses[CHANCERY_N_STATUSES] = {
  { "occurred", N_("Occurred") },
  { "reported", N_("Reported") },
  { "announced", N_("Announced") },
  { "planned", N_("Planned") },
  { "cancelled", N_("Cancelled") },
  { "disputed", N_("Disputed") },
};

static const NamedValue roles[CHANCERY_N_ROLES] = {
  { "host", N_("Host") },
  { "guest", N_("Guest") },
  { "participant", N_("Participant") },
  { "mentioned", N_("Mentioned") },
};

static gboolean
lookup (const NamedValue *values,
        guint             n_values,
        const char       *str,
        guint            *out)
{
  if (str == NULL)
    return FALSE;

  for (guint i = 0; i < n_values; i++)
    {
      if (strcmp (values[i].name, str) == 0)
        {
          *out = i;
          return TRUE;
        }
    }

  return FALSE;
}

const char *
chancery_kind_to_string (ChanceryKind kind)
{
  g_return_val_if_fail (kind < CHANCERY_N_KINDS, NULL);
  return kinds[kind].name;
}

gboolean
chancery_kind_from_string (const char   *str,
                           ChanceryKind *kind)
{
  guint value;

  if (!lookup (kinds, CHANCERY_N_KINDS, str, &value))
    return FALSE;
  *kind = value;
  return TRUE;
}

const char *
chancery_kind_get_label (ChanceryKind kind)
{
  g_return_val_if_fail (kind < CHANCERY_N_KINDS, NULL);
  return _(kinds[kind].label);
}

const char *
chancery_status_to_string (ChanceryStatus status)
{
  g_return_val_if_fail (status < CHANCERY_N_STATUSES, NULL);
  return statuses[status].name;
}

gboolean
chancery_status_from_string (const char     *str,
                             ChanceryStatus *status)
{
  guint value;

  if (!lookup (statuses, CHANCERY_N_STATUSES, str, &value))
    return FALSE;
  *status = value;
  return TRUE;
}

const char *
chancery_status_get_label (ChanceryStatus status)
{
  g_return_val_if_fail (status < CHANCERY_N_STATUSES, NULL);
  return _(statuses[status].label);
}

const char *
chancery_role_to_string (ChanceryRole role)
{
  g_return_val_if_fail (role < CHANCERY_N_ROLES, NULL);
  return roles[role].name;
}

gboolean
chancery_role_from_string (const char   *str,
                           ChanceryRole *role)
{
  guint value;

  if (!lookup (roles, CHANCERY_N_ROLES, str, &value))
    return FALSE;
  *role = value;
  return TRUE;
}

const char *
chancery_role_get_label (ChanceryRole role)
{
  g_return_val_if_fail (role < CHANCERY_N_ROLES, NULL);
  return _(roles[role].label);
}
