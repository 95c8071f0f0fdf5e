/* chancery-paths.h: where Chancery's files are
 *
 * Copyright 2026 The Chancery developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* The bundled dataset: $CHANCERY_DATABASE if set, else the build tree's
 * copy when running uninstalled (meson devenv), else the installed one. */
const char *chancery_paths_get_default_database (void);
/* Where `chancery import` writes without --database, and where the window
 * keeps databases it made from JSON files: $XDG_DATA_HOME/chancery/. */
char       *chancery_paths_dup_user_database    (void);
char       *chancery_paths_dup_user_data_dir    (void);
/* Translations: the build tree's when running uninstalled (meson devenv),
 * else the installed ones. */
const char *chancery_paths_get_locale_dir       (void);

G_END_DECLS
