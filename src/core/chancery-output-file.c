/* chancery-output-file.c: where an export is written, safely
 *
 * Copyright 2026 The Chancery developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <gio/gio.h>
#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "chancery-output-file.h"

/* As many as the kernel follows (MAXSYMLINKS). */
#define MAX_LINKS 40

/* The file a path names once its symbolic links are followed, existing or
 * not: the last link of a chain may point at a file still to be made. NULL
 * with errno set for a loop. */
static char *
follow_links (const char *path)
{
  g_autofree char *current = g_strdup (path);

  for (guint hops = 0; hops < MAX_LINKS; hops++)
    {
      g_autofree char *target = NULL;
      struct stat st;

      if (lstat (current, &st) != 0 || !S_ISLNK (st.st_mode) ||
          (target = g_file_read_link (current, NULL)) == NULL)
        return g_steal_pointer (&current);

      if (!g_path_is_absolute (target))
        {
          g_autofree char *dir = g_path_get_dirname (current);

          g_free (current);
          current = g_build_filename (dir, target, NULL);
        }
      else
        {
          g_free (current);
          current = g_steal_pointer (&target);
        }
    }

  errno = ELOOP;
  return NULL;
}

/* The descriptor that /dev/stdout, /dev/stderr, /dev/fd/N or
 * /proc/self/fd/N stands for, or -1. */
static int
descriptor_named (const char *path)
{
  const char *number = NULL;
  guint64 fd;

  if (g_str_equal (path, "/dev/stdout"))
    return STDOUT_FILENO;
  if (g_str_equal (path, "/dev/stderr"))
    return STDERR_FILENO;
  if (g_str_has_prefix (path, "/dev/fd/"))
    number = path + strlen ("/dev/fd/");
  else if (g_str_has_prefix (path, "/proc/self/fd/"))
    number = path + strlen ("/proc/self/fd/");
  if (number == NULL || !g_ascii_string_to_unsigned (number, 10, 0, G_MAXINT, &fd, NULL))
    return -1;
  return (int) fd;
}

static gboolean
cannot_write (const char  *path,
              int          saved,
              GError     **error)
{
  g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved),
               _("%s: cannot write there: %s"), path, g_strerror (saved));
  return FALSE;
}

static gboolean
open_file (ChanceryOutputFile *file,
           const char         *path,
           GError            **error)
{
  struct stat st;
  gboolean exists;
  int fd;

  exists = stat (path, &st) == 0;
  if (exists && S_ISDIR (st.st_mode))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_IS_DIRECTORY, _("%s: is a folder"), path);
      return FALSE;
    }

  /* A descriptor is written as it is: opening its name again would start
   * at the beginning of a file the shell opened to append to (and cannot
   * open a socket at all). */
  fd = descriptor_named (path);
  if (fd >= 0)
    {
      file->path = g_strdup (path);
      file->fd = fcntl (fd, F_DUPFD_CLOEXEC, 3);
      if (file->fd < 0)
        return cannot_write (path, errno, error);
      return TRUE;
    }

  /* Renaming a file over /dev/null would replace the device. */
  if (exists && !S_ISREG (st.st_mode))
    {
      file->path = g_strdup (path);
      file->fd = g_open (path, O_WRONLY | O_CLOEXEC | O_NOCTTY, 0);
      if (file->fd < 0)
        return cannot_write (path, errno, error);
      return TRUE;
    }

  /* A link is followed to the file it names, which is replaced; the last
   * link of a chain may name a file still to be made. */
  file->path = exists ? realpath (path, NULL) : follow_links (path);
  if (file->path == NULL)
    return cannot_write (path, errno, error);

  /* The rename would succeed over a file we may not write (the folder
   * decides that), but the user asked to write this one. */
  if (exists && access (file->path, W_OK) != 0)
    return cannot_write (path, errno, error);

  /* In the same folder, so the rename cannot cross file systems; 0666
   * less the umask, as open() gives a new file. */
  file->tmp_path = g_strdup_printf ("%s.XXXXXX", file->path);
  file->fd = g_mkstemp_full (file->tmp_path, O_RDWR | O_CLOEXEC, 0666);
  if (file->fd < 0)
    {
      int saved = errno;

      g_clear_pointer (&file->tmp_path, g_free);
      return cannot_write (path, saved, error);
    }

  if (exists)
    {
      int saved = chancery_output_file_copy_permissions (file->fd, &st);

      if (saved != 0)
        return cannot_write (path, saved, error);
    }

  return TRUE;
}

int
chancery_output_file_copy_permissions (int             fd,
                                       const GStatBuf *st)
{
  /* The owner is kept when we may (root), else at least the group when we
   * are in it; otherwise the file becomes ours, as with any program that
   * saves by renaming. Then the permissions, which a change of owner may
   * have cut: a file that others could read stays readable, and a private
   * one stays private. Never set-id bits: this is data, and one bit copied
   * onto a file of another owner would run as them. */
  if ((st->st_uid != geteuid () || st->st_gid != getegid ()) &&
      fchown (fd, st->st_uid, st->st_gid) != 0 &&
      fchown (fd, (uid_t) -1, st->st_gid) != 0)
    g_debug ("the new file is ours: %s", g_strerror (errno));
  if (fchmod (fd, st->st_mode & 0777) != 0)
    return errno;

  return 0;
}

gboolean
chancery_output_file_open (ChanceryOutputFile *file,
                           const char         *path,
                           GError            **error)
{
  g_return_val_if_fail (file != NULL, FALSE);
  g_return_val_if_fail (path != NULL, FALSE);

  file->path = NULL;
  file->tmp_path = NULL;
  file->fd = -1;
  if (!open_file (file, path, error))
    {
      chancery_output_file_abort (file);
      g_clear_pointer (&file->path, g_free);
      return FALSE;
    }
  return TRUE;
}

gboolean
chancery_output_file_commit (ChanceryOutputFile *file,
                             int                *saved_errno)
{
  int fd = file->fd;

  g_return_val_if_fail (file->fd >= 0, FALSE);

  file->fd = -1;
  if (file->tmp_path == NULL)
    {
      /* A pipe or a device: nothing to sync or rename. */
      if (close (fd) != 0 && errno != EINTR)
        {
          *saved_errno = errno;
          return FALSE;
        }
      return TRUE;
    }

  if (fsync (fd) != 0)
    {
      *saved_errno = errno;
      close (fd);
      chancery_output_file_abort (file);
      return FALSE;
    }
  if (close (fd) != 0 || g_rename (file->tmp_path, file->path) != 0)
    {
      *saved_errno = errno;
      chancery_output_file_abort (file);
      return FALSE;
    }

  g_clear_pointer (&file->tmp_path, g_free);
  return TRUE;
}

void
chancery_output_file_abort (ChanceryOutputFile *file)
{
  if (file->fd >= 0)
    close (file->fd);
  file->fd = -1;
  if (file->tmp_path != NULL)
    g_unlink (file->tmp_path);
  g_clear_pointer (&file->tmp_path, g_free);
}

/* The name of path with its folder's links resolved, for files that may
 * not exist. */
static char *
real_name (const char *path)
{
  g_autofree char *dir = g_path_get_dirname (path);
  g_autofree char *base = g_path_get_basename (path);
  g_autofree char *real_dir = realpath (dir, NULL);

  return g_build_filename (real_dir != NULL ? real_dir : dir, base, NULL);
}

static gboolean
same_file (const struct stat *a,
           const char        *path)
{
  struct stat b;

  return stat (path, &b) == 0 && a->st_dev == b.st_dev && a->st_ino == b.st_ino;
}

gboolean
chancery_output_file_is_database (const char *path,
                                  const char *db_path)
{
  static const char * const suffixes[] = { "", "-journal", "-wal", "-shm" };
  g_autofree char *target = follow_links (path);
  g_autofree char *canonical = NULL;
  struct stat st;
  gboolean exists;

  if (target == NULL || db_path == NULL)
    return FALSE;
  exists = stat (target, &st) == 0;
  canonical = real_name (target);

  /* By inode for what exists (another name for the same file), by name
   * for SQLite's files beside the database, which come and go. */
  for (guint i = 0; i < G_N_ELEMENTS (suffixes); i++)
    {
      g_autofree char *name = g_strconcat (db_path, suffixes[i], NULL);
      g_autofree char *other = real_name (name);

      if ((exists && same_file (&st, name)) || g_str_equal (canonical, other))
        return TRUE;
    }
  return FALSE;
}
