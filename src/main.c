/* main.c: the command line, or the window
 *
 * Copyright 2026 The Chancery developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n.h>
#include <locale.h>
#include <signal.h>

#include "chancery-application.h"
#include "chancery-cli.h"
#include "chancery-paths.h"

int
main (int    argc,
      char **argv)
{
  g_autoptr(ChanceryApplication) app = NULL;

  /* Past a file size limit (ulimit -f) a write fails with EFBIG, which
   * Chancery reports and cleans up after like a full disk, instead of the
   * process being killed halfway, with a temporary file left behind.
   * (Programs Chancery starts inherit this, harmlessly.) */
  signal (SIGXFSZ, SIG_IGN);

  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, chancery_paths_get_locale_dir ());
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  if (chancery_cli_is_subcommand (argc, argv))
    return chancery_cli_run (argc, argv);

  app = chancery_application_new ();
  return g_application_run (G_APPLICATION (app), argc, argv);
}
