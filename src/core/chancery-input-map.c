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

/* A slot's start and end change only between two steps of gen (odd
 * meanwhile), so that the handler never pairs one map's start with
 * another's end. */
typedef struct
{
  atomic_int       taken;
  atomic_uint      gen;
  atomic_uintptr_t start; /* 0 while the slot guards nothing */
  atomic_uintptr_t end;
  atomic_int       cut;
} Slot;

struct _ChanceryInputMap
{
  char  *data;
  gsize  length;
  gsize  mapped;  /* length rounded up to whole pages */
  int    fd;      /* to see the file shrink within its last page */
  Slot  *slot;    /* NULL when empty or unguarded */
};

static Slot slots[N_SLOTS];
static struct sigaction previous_action;
static uintptr_t page_mask;
/* Handlers between their first and last look at the slots: a map is not
 * unmapped while one could still map zeros over its addresses. */
static atomic_int handlers_running;

/* Whether a fault at address is in a guarded map; if so, its pages from
 * there on read as zeros and the map is marked cut. */
static gboolean
zero_guarded_pages (uintptr_t address)
{
  for (guint i = 0; i < N_SLOTS; i++)
    {
      unsigned gen = atomic_load (&slots[i].gen);
      uintptr_t start, end, page;

      if (gen & 1)
        continue;
      start = atomic_load (&slots[i].start);
      end = atomic_load (&slots[i].end);
      if (atomic_load (&slots[i].gen) != gen)
        continue;
      if (start == 0 || address < start || address >= end)
        continue;
      page = address & page_mask;
      if (mmap ((void *) page, end - page, PROT_READ,
                MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0) == MAP_FAILED)
        return FALSE;
      atomic_store (&slots[i].cut, 1);
      return TRUE;
    }
  return FALSE;
}

/* A SIGBUS that is not a guarded map's goes where it went before. */
static void
pass_on (int        signum,
         siginfo_t *info,
         void      *context)
{
  if ((previous_action.sa_flags & SA_SIGINFO) != 0
      && (void *) previous_action.sa_sigaction != (void *) SIG_DFL
      && (void *) previous_action.sa_sigaction != (void *) SIG_IGN)
    previous_action.sa_sigaction (signum, info, context);
  else if ((previous_action.sa_flags & SA_SIGINFO) == 0
           && previous_action.sa_handler != SIG_DFL && previous_action.sa_handler != SIG_IGN)
    previous_action.sa_handler (signum);
  else if (info->si_code <= 0)
    {
      /* Sent (kill (), raise ()): as the default or ignoring would have
       * it; the default ends the process once this handler returns. */
      if (previous_action.sa_handler == SIG_DFL)
        {
          signal (SIGBUS, SIG_DFL);
          raise (SIGBUS);
        }
    }
  else
    {
      /* A fault: back to the default, and the read, retried, ends the
       * process with SIGBUS as if we had never been here. */
      signal (SIGBUS, SIG_DFL);
    }
}

static void
on_sigbus (int        signum,
           siginfo_t *info,
           void      *context)
{
  int saved_errno = errno;
  gboolean guarded;

  atomic_fetch_add (&handlers_running, 1);
  /* Only a fault has an address; a signal sent by kill () is passed on. */
  guarded = info->si_code > 0 && zero_guarded_pages ((uintptr_t) info->si_addr);
  atomic_fetch_sub (&handlers_running, 1);

  if (!guarded)
    pass_on (signum, info, context);
  errno = saved_errno;
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
      atomic_fetch_add (&slots[i].gen, 1);
      atomic_store (&slots[i].cut, 0);
      atomic_store (&slots[i].end, (uintptr_t) data + mapped);
      atomic_store (&slots[i].start, (uintptr_t) data);
      atomic_fetch_add (&slots[i].gen, 1);
      return &slots[i];
    }
  return NULL;
}

static void
give_back_slot (Slot *slot)
{
  atomic_fetch_add (&slot->gen, 1);
  atomic_store (&slot->start, 0);
  atomic_store (&slot->end, 0);
  atomic_fetch_add (&slot->gen, 1);
  /* A handler that read the slot before may still be mapping zeros. */
  while (atomic_load (&handlers_running) > 0)
    g_thread_yield ();
  atomic_store (&slot->taken, 0);
}

ChanceryInputMap *
chancery_input_map_new (const char  *path,
                        GError     **error)
{
  g_autoptr(ChanceryInputMap) map = g_new0 (ChanceryInputMap, 1);
  struct stat st;
  gsize page;
  int fd;

  map->fd = -1;

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
  map->fd = fd;
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
  struct stat st;

  if (map->slot != NULL && atomic_load (&map->slot->cut) != 0)
    return TRUE;
  /* Cut within its last page, past what was mapped, or unguarded: the
   * lost bytes read as zeros without a fault; the size tells. */
  return map->fd >= 0 && fstat (map->fd, &st) == 0 && (guint64) st.st_size < map->length;
}

void
chancery_input_map_free (ChanceryInputMap *map)
{
  if (map == NULL)
    return;
  if (map->slot != NULL)
    give_back_slot (map->slot);
  if (map->mapped > 0 && map->data != NULL)
    munmap (map->data, map->mapped);
  if (map->fd >= 0)
    close (map->fd);
  g_free (map);
}
