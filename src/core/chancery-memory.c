/* chancery-memory.c
 *
 * Copyright 2026 The Chancery developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <sys/mman.h>
#include <unistd.h>

#include "chancery-memory.h"

/* Large arrays (a million events' index, their sort keys, title pools)
 * are asked for as transparent huge pages, which Debian's kernels give
 * to memory that asks for them ("madvise" mode). The first touch of each
 * 4 KiB page is a page fault, and in a virtual machine a fault costs
 * microseconds: the first read of a million events touched ~70,000 fresh
 * pages, about 40 % of its CPU time (docs/performance.md, "2026-12-06:
 * this machine, page size and huge pages").
 * Below this size the advice is not worth a system call. */
#define LARGE_SIZE   (4 * 1024 * 1024)
#define HUGE_PAGE    (2 * 1024 * 1024)

#if defined (MADV_HUGEPAGE) || defined (MADV_POPULATE_WRITE)
/* Gives advice on the whole units of unit bytes (a power of two) inside
 * [mem, mem + size); nothing when there is none. */
static void
advise_inside (gpointer mem,
               gsize    size,
               gsize    unit,
               int      advice)
{
  guintptr start = ((guintptr) mem + unit - 1) & ~(guintptr) (unit - 1);
  guintptr end = ((guintptr) mem + size) & ~(guintptr) (unit - 1);

  if (mem != NULL && end > start)
    madvise ((void *) start, end - start, advice);
}
#endif

/* Advises the 2 MiB-aligned part of [mem, mem + size), which should not
 * have been touched yet. Only advice: nothing changes where the kernel
 * has no huge pages to give. */
void
chancery_advise_large (gpointer mem,
                       gsize    size)
{
#ifdef MADV_HUGEPAGE
  if (size >= LARGE_SIZE)
    advise_inside (mem, size, HUGE_PAGE, MADV_HUGEPAGE);
#endif
}

/* Makes the pages of [mem, mem + size) present now, in one system call
 * instead of one fault per page, for a buffer about to be filled whole
 * (MADV_POPULATE_WRITE, Linux 5.14; nothing happens on older kernels). */
void
chancery_prefault (gpointer mem,
                   gsize    size)
{
#ifdef MADV_POPULATE_WRITE
  advise_inside (mem, size, sysconf (_SC_PAGESIZE), MADV_POPULATE_WRITE);
#endif
}

/* A string with room for size bytes (and its nul), of which the first
 * size bytes are made present now. GString rounds its buffer up to a
 * power of two: only what will be filled is prefaulted, not the rounding
 * (a spool piece of 1 MiB + 64 KiB has a 2 MiB buffer, and prefaulting
 * all of it doubled the memory the spool's budget counts). */
GString *
chancery_string_new_prefaulted (gsize size)
{
  GString *string = g_string_sized_new (size);

  chancery_prefault (string->str, MIN (size + 1, string->allocated_len));
  return string;
}

/* Like g_new (aborts on overflow or when out of memory), for arrays of
 * LARGE_SIZE or more that are filled once. */
gpointer
chancery_alloc_large (gsize n_structs,
                      gsize struct_size)
{
  gpointer mem;

  if (n_structs == 0 || struct_size == 0)
    return NULL;
  mem = g_malloc_n (n_structs, struct_size);
  chancery_advise_large (mem, n_structs * struct_size);

  return mem;
}
