/* replay.c: runs a fuzz target over every file of its corpus, as a test
 *
 * Copyright 2026 The Chancery developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Usage: fuzz-replay-TARGET DIR|FILE...  Prints TAP, one line per file.
 */
#include <glib.h>
#include <stdio.h>
#include <stdlib.h>

#include "fuzz.h"

static int n_run = 0;

static void
run_file (const char *path)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *contents = NULL;
  gsize length;

  if (!g_file_get_contents (path, &contents, &length, &error))
    {
      printf ("not ok %d %s # %s\n", ++n_run, path, error->message);
      exit (1);
    }
  /* A fresh copy of exactly length bytes, so that ASan sees overreads. */
  {
    g_autofree guint8 *copy = g_memdup2 (contents, length);

    LLVMFuzzerTestOneInput (copy, length);
  }
  printf ("ok %d %s\n", ++n_run, path);
  fflush (stdout);
}

static gint
compare_names (gconstpointer a,
               gconstpointer b)
{
  return g_strcmp0 (*(const char * const *) a, *(const char * const *) b);
}

int
main (int   argc,
      char *argv[])
{
  for (int i = 1; i < argc; i++)
    {
      g_autoptr(GDir) dir = NULL;
      g_autoptr(GPtrArray) names = NULL;
      const char *name;

      if (!g_file_test (argv[i], G_FILE_TEST_IS_DIR))
        {
          run_file (argv[i]);
          continue;
        }

      dir = g_dir_open (argv[i], 0, NULL);
      names = g_ptr_array_new_with_free_func (g_free);
      while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
        g_ptr_array_add (names, g_build_filename (argv[i], name, NULL));
      g_ptr_array_sort (names, compare_names);
      for (guint j = 0; j < names->len; j++)
        run_file (g_ptr_array_index (names, j));
    }

  if (n_run == 0)
    {
      printf ("1..0 # SKIP no input files\n");
      return 0;
    }
  printf ("1..%d\n", n_run);
  return 0;
}
