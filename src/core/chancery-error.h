/* chancery-error.h
 *
 * Copyright 2026 The Chancery developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define CHANCERY_ERROR (chancery_error_quark ())

typedef enum
{
  CHANCERY_ERROR_FAILED,
  CHANCERY_ERROR_INVALID_DATE,     /* a date that is not valid EDTF (our subset) */
  CHANCERY_ERROR_INVALID_INPUT,    /* bad JSON, GDELT row, filter value, CLI argument */
  CHANCERY_ERROR_NOT_A_DATABASE,   /* not SQLite, or SQLite without Chancery's tables */
  CHANCERY_ERROR_CORRUPT,          /* fails quick_check, truncated */
  CHANCERY_ERROR_NEWER_SCHEMA,     /* user_version newer than this build knows */
  CHANCERY_ERROR_UNSAFE,           /* triggers, views or other things we refuse to run */
  CHANCERY_ERROR_NOT_FOUND,        /* an event, actor, ... id that does not exist */
  CHANCERY_ERROR_IO,
} ChanceryError;

GQuark chancery_error_quark (void);

G_END_DECLS
