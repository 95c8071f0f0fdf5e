/* chancery-input-map.c: a file read through a memory map that survives
 * being cut short while it is read
 *
 * Copyright 2026 The Chancery developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A map is registered in a fixed table that the SIGBUS handler reads
 * without locks. When the fault's address is inside a registered map, the
 * handler maps anonymous zero pages over the rest of it (MAP_FIXED, one
 * system call) and marks the map cut; the faulting read is then retried
 * and sees zeros. Any other SIGBUS is passed to the handler installed
 * before ours, or, when that was the default, kills the process as it
 * would have.
 */
#include "config.h"

#include "chancery-input-map.h"

#include "chancery-error.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

/* More maps than this open at once are still read, unguarded. */
#define N_SLOTS 32

typedef struct
{
  atomic_int       taken;
  atomic_uintptr_t start; /* 0 while the slot guards nothing */
  atomic_uintptr_t end;
  atomic_int       cut;
} Slot;

struct _ChanceryInputMap
{
  char  *data;
  gsize  length;
  gsize  mapped;  /* length rounded up to whole pages */
  Slot  *slot;    /* NULL when empty or unguarded */
};

static Slot slots[N_SLOTS];
static struct sigaction previous_action;
static uintptr_t page_mask;

static void
on_sigbus (int        signum,
           siginfo_t *info,
           void      *context)
{
  uintptr_t address = (uintptr_t) info->si_addr;

  for (guint i = 0; i < N_SLOTS; i++)
    {
      uintptr_t start = atomic_load (&slots[i].start);
      uintptr_t end = atomic_load (&slots[i].end);
      uintptr_t page;

      if (start == 0 || address < start || address >= end)
        continue;
      page = address & page_mask;
      if (mmap ((void *) page, end - page, PROT_READ,
                MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0) == MAP_FAILED)
        break;
      atomic_store (&slots[i].cut, 1);
      return;
    }

  if ((previous_action.sa_flags & SA_SIGINFO) != 0 && previous_action.sa_sigaction != NULL)
    previous_action.sa_sigaction (signum, info, context);
  else if (previous_action.sa_handler != SIG_DFL && previous_action.sa_handler != SIG_IGN)
    previous_action.sa_handler (signum);
  else
    {
      /* Back to the default, and the faulting read, retried, ends the
       * process with SIGBUS as if we had never been here. */
      signal (SIGBUS, SIG_DFL);
    }
}

static gpointer
install_handler (gpointer data)
{
  struct sigaction action = { 0 };

  page_mask = ~((uintptr_t) sysconf (_SC_PAGESIZE) - 1);
  action.sa_sigaction = on_sigbus;
  action.sa_flags = SA_SIGINFO | SA_RESTART;
  sigemptyset (&action.sa_mask);
  if (sigaction (SIGBUS, &action, &previous_action) != 0)
    return GINT_TO_POINTER (FALSE);
  return GINT_TO_POINTER (TRUE);
}

static Slot *
take_slot (const char *data,
           gsize       mapped)
{
  static GOnce once = G_ONCE_INIT;

  if (!GPOINTER_TO_INT (g_once (&once, install_handler, NULL)))
    return NULL;

  for (guint i = 0; i < N_SLOTS; i++)
    {
      int expected = 0;

      if (!atomic_compare_exchange_strong (&slots[i].taken, &expected, 1))
        continue;
      /* The handler matches a slot only once its start is set, and reads
       * start before end: end is written first. */
      atomic_store (&slots[i].cut, 0);
      atomic_store (&slots[i].end, (uintptr_t) data + mapped);
      atomic_store (&slots[i].start, (uintptr_t) data);
      return &slots[i];
    }
  return NULL;
}

ChanceryInputMap *
chancery_input_map_new (const char  *path,
                        GError     **error)
{
  g_autoptr(ChanceryInputMap) map = g_new0 (ChanceryInputMap, 1);
  struct stat st;
  gsize page;
  int fd;

  g_return_val_if_fail (path != NULL, NULL);

  fd = g_open (path, O_RDONLY | O_CLOEXEC, 0);
  if (fd < 0)
    {
      int saved_errno = errno;

      g_set_error (error, CHANCERY_ERROR, CHANCERY_ERROR_IO,
                   _("Cannot read “%s”: %s"), path, g_strerror (saved_errno));
      return NULL;
    }
  if (fstat (fd, &st) != 0)
    {
      int saved_errno = errno;

      close (fd);
      g_set_error (error, CHANCERY_ERROR, CHANCERY_ERROR_IO,
                   _("Cannot read “%s”: %s"), path, g_strerror (saved_errno));
      return NULL;
    }
  if (st.st_size == 0)
    {
      close (fd);
      map->data = (char *) "";
      return g_steal_pointer (&map);
    }
  if ((guint64) st.st_size > G_MAXSIZE / 2)
    {
      close (fd);
      g_set_error (error, CHANCERY_ERROR, CHANCERY_ERROR_IO,
                   _("Cannot read “%s”: %s"), path, g_strerror (EFBIG));
      return NULL;
    }

  page = sysconf (_SC_PAGESIZE);
  map->length = st.st_size;
  map->mapped = (map->length + page - 1) / page * page;
  map->data = mmap (NULL, map->mapped, PROT_READ, MAP_PRIVATE, fd, 0);
  close (fd);
  if (map->data == MAP_FAILED)
    {
      int saved_errno = errno;

      map->data = NULL;
      g_set_error (error, CHANCERY_ERROR, CHANCERY_ERROR_IO,
                   _("Cannot read “%s”: %s"), path, g_strerror (saved_errno));
      return NULL;
    }
  map->slot = take_slot (map->data, map->mapped);

  return g_steal_pointer (&map);
}

const char *
chancery_input_map_get_data (const ChanceryInputMap *map)
{
  return map->data;
}

gsize
chancery_input_map_get_length (const ChanceryInputMap *map)
{
  return map->length;
}

gboolean
chancery_input_map_was_cut (const ChanceryInputMap *map)
{
  return map->slot != NULL && atomic_load (&map->slot->cut) != 0;
}

void
chancery_input_map_free (ChanceryInputMap *map)
{
  if (map == NULL)
    return;
  if (map->slot != NULL)
    {
      atomic_store (&map->slot->start, 0);
      atomic_store (&map->slot->taken, 0);
    }
  if (map->mapped > 0 && map->data != NULL)
    munmap (map->data, map->mapped);
  g_free (map);
}
