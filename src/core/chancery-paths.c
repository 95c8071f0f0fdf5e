/* chancery-paths.c
 *
 * Copyright 2026 The Chancery developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "chancery-paths.h"

const char *
chancery_paths_get_default_database (void)
{
  static gsize path;

  if (g_once_init_enter (&path))
    {
      const char *env = g_getenv ("CHANCERY_DATABASE");
      char *found;

      if (env != NULL && env[0] != '\0')
        found = g_strdup (env);
      else if (g_getenv ("MESON_DEVENV") != NULL &&
               g_file_test (BUILD_DATADIR "/chancery.db", G_FILE_TEST_IS_REGULAR))
        found = g_strdup (BUILD_DATADIR "/chancery.db");
      else
        found = g_strdup (PKGDATADIR "/chancery.db");

      g_once_init_leave (&path, (gsize) found);
    }

  return (const char *) path;
}

char *
chancery_paths_dup_user_data_dir (void)
{
  return g_build_filename (g_get_user_data_dir (), "chancery", NULL);
}

char *
chancery_paths_dup_user_database (void)
{
  g_autofree char *dir = chancery_paths_dup_user_data_dir ();

  return g_build_filename (dir, "chancery.db", NULL);
}

const char *
chancery_paths_get_locale_dir (void)
{
  if (g_getenv ("MESON_DEVENV") != NULL &&
      g_file_test (BUILD_LOCALEDIR, G_FILE_TEST_IS_DIR))
    return BUILD_LOCALEDIR;

  return LOCALEDIR;
}
