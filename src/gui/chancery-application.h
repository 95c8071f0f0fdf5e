/* chancery-application.h: the GTK application
 *
 * Copyright 2026 The Chancery developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

#define CHANCERY_TYPE_APPLICATION (chancery_application_get_type ())
G_DECLARE_FINAL_TYPE (ChanceryApplication, chancery_application, CHANCERY, APPLICATION, AdwApplication)

ChanceryApplication *chancery_application_new (void);

/* The bundled dataset: $CHANCERY_DATABASE if set, else the build tree's
 * data/chancery.db when it exists (meson devenv), else the installed one. */
const char *chancery_default_database_path (void);

G_END_DECLS
