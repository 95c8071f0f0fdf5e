/* chancery-output-file.h: where an export is written, safely
 *
 * Copyright 2026 The Chancery developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>
#include <glib/gstdio.h>

G_BEGIN_DECLS

/* A file being written for an export. A regular file (or a new one) is
 * written to a temporary file beside it and renamed into place only when
 * everything is written and synced, so a failure leaves the old file as it
 * was; the new file keeps the old one's permissions and, where allowed, its
 * owner. A symbolic link is followed: the file it names is replaced and the
 * link stays. Anything else (a pipe, /dev/null, /dev/stdout) is written in
 * place, as a shell redirection would. */
typedef struct
{
  char *path;       /* the file written, links followed */
  char *tmp_path;   /* NULL when written in place */
  int   fd;
} ChanceryOutputFile;

/* Errors are G_IO_ERROR, with the code of the system's error. */
gboolean chancery_output_file_open   (ChanceryOutputFile *file,
                                      const char         *path,
                                      GError            **error);
/* Syncs, closes and renames into place. On failure the temporary file is
 * removed and *saved_errno says why. */
gboolean chancery_output_file_commit (ChanceryOutputFile *file,
                                      int                *saved_errno);
/* Closes and removes the temporary file; safe after a failed commit. */
void     chancery_output_file_abort  (ChanceryOutputFile *file);

/* Gives the file open as fd the owner (when we may; else the group, when
 * we are in it) and the permissions of the file st describes, never its
 * set-id bits: what a file that replaces another by a rename should
 * have. 0, or the errno of a failed chmod. */
int      chancery_output_file_copy_permissions (int             fd,
                                                const GStatBuf *st);

/* Whether path (links followed) is the database file at db_path or one of
 * SQLite's files beside it (rollback journal, write-ahead log, its index). */
gboolean chancery_output_file_is_database (const char *path,
                                           const char *db_path);

G_END_DECLS
