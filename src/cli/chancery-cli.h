/* chancery-cli.h: the subcommands that run without a display
 *
 * Copyright 2026 The Chancery developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* TRUE when the arguments are for the command line rather than the window:
 * argv[1] names a subcommand (import, list, export), is --version, or is a
 * word that can only be a mistyped subcommand. */
gboolean chancery_cli_is_subcommand (int argc, char **argv);
/* Runs it; returns the exit status: 0, or 2 on bad input or an unusable file. */
int      chancery_cli_run           (int argc, char **argv);

G_END_DECLS
