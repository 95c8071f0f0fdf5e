/* test-memory.c: large arrays asked for as transparent huge pages
 *
 * Copyright 2026 The Chancery developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <stdio.h>
#include <sys/mman.h>
#include <unistd.h>
#include <string.h>
#include <glib.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif

#include "chancery-memory.h"

/* The kernel's THP mode ("always [madvise] never"), or NULL when it has
 * none (not Linux, or built without it). */
G_GNUC_UNUSED static char *
thp_mode (void)
{
  g_autofree char *text = NULL;
  const char *open_, *close_;

  if (!g_file_get_contents ("/sys/kernel/mm/transparent_hugepage/enabled", &text, NULL, NULL))
    return NULL;
  open_ = strchr (text, '[');
  close_ = open_ != NULL ? strchr (open_, ']') : NULL;
  if (close_ == NULL)
    return NULL;
  return g_strndup (open_ + 1, close_ - open_ - 1);
}

/* The "name: value" line of the mapping of /proc/self/smaps that holds
 * address, or NULL. */
G_GNUC_UNUSED static char *
smaps_field (gconstpointer  address,
             const char    *name)
{
  g_autofree char *text = NULL;
  g_auto(GStrv) lines = NULL;
  gboolean inside = FALSE;

  g_assert_true (g_file_get_contents ("/proc/self/smaps", &text, NULL, NULL));
  lines = g_strsplit (text, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      guint64 lo, hi;

      if (sscanf (lines[i], "%" G_GINT64_MODIFIER "x-%" G_GINT64_MODIFIER "x ", &lo, &hi) == 2 &&
          strchr (lines[i], ':') != NULL && strchr (lines[i], ':') > strchr (lines[i], ' '))
        inside = (guintptr) address >= lo && (guintptr) address < hi;
      else if (inside && g_str_has_prefix (lines[i], name) && lines[i][strlen (name)] == ':')
        return g_strstrip (g_strdup (lines[i] + strlen (name) + 1));
    }
  return NULL;
}

G_GNUC_UNUSED static gboolean
has_flag (const char *flags,
          const char *flag)
{
  g_auto(GStrv) words = g_strsplit (flags, " ", -1);

  return g_strv_contains ((const char * const *) words, flag);
}

static void
test_large_is_advised (void)
{
#ifndef MADV_HUGEPAGE
  /* chancery_advise_large() does nothing then: nothing to check. */
  g_test_skip ("built without MADV_HUGEPAGE: no advice is given");
#else
  g_autofree char *mode = thp_mode ();
  g_autofree guint32 *large = NULL;
  g_autofree guint32 *small = NULL;
  g_autofree char *large_flags = NULL;
  g_autofree char *small_flags = NULL;
  gsize n = 16 * 1024 * 1024 / sizeof (guint32);

  if (mode == NULL || strcmp (mode, "never") == 0)
    {
      g_test_skip ("this kernel gives no transparent huge pages");
      return;
    }

  large = chancery_new_large (guint32, n);
  g_assert_nonnull (large);
  for (gsize i = 0; i < n; i++)
    large[i] = (guint32) i;
  g_assert_cmpuint (large[n - 1], ==, n - 1);

  /* VmFlags "hg": the mapping asked for huge pages (MADV_HUGEPAGE). */
  large_flags = smaps_field (large + n / 2, "VmFlags");
  g_assert_nonnull (large_flags);
  g_assert_true (has_flag (large_flags, "hg"));

  /* Below 4 MiB nothing is asked (not worth a system call). */
  small = chancery_new_large (guint32, 1024);
  small[1023] = 1;
  small_flags = smaps_field (small, "VmFlags");
  g_assert_nonnull (small_flags);
  g_assert_false (has_flag (small_flags, "hg"));
#endif
}

/* Pages of [mem, mem + size) present in memory (mincore). */
G_GNUC_UNUSED static gsize
resident_pages (gpointer mem,
                gsize    size)
{
  gsize page = sysconf (_SC_PAGESIZE);
  guintptr start = ((guintptr) mem + page - 1) & ~(guintptr) (page - 1);
  guintptr end = ((guintptr) mem + size) & ~(guintptr) (page - 1);
  g_autofree unsigned char *vec = g_new0 (unsigned char, (end - start) / page);
  gsize n = 0;

  g_assert_cmpint (mincore ((void *) start, end - start, vec), ==, 0);
  for (gsize i = 0; i < (end - start) / page; i++)
    n += vec[i] & 1;
  return n;
}

static void
test_prefault (void)
{
#ifndef MADV_POPULATE_WRITE
  /* chancery_prefault() does nothing then: nothing to check. */
  g_test_skip ("built without MADV_POPULATE_WRITE: nothing is prefaulted");
#else
  gsize size = 8 * 1024 * 1024;
  gsize page = sysconf (_SC_PAGESIZE);
  /* A fresh anonymous mapping, none of it touched. */
  char *mem = mmap (NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

  g_assert_true (mem != MAP_FAILED);
  g_assert_cmpuint (resident_pages (mem, size), ==, 0);

  /* From an unaligned start: the whole pages inside are made present. */
  chancery_prefault (mem + 100, size - 100);
  if (resident_pages (mem, size) == 0 &&
      madvise (mem, page, MADV_POPULATE_WRITE) != 0)
    {
      munmap (mem, size);
      g_test_skip ("this kernel cannot prefault (MADV_POPULATE_WRITE is Linux 5.14)");
      return;
    }
  g_assert_cmpuint (resident_pages (mem, size), >=, size / page - 1);
  mem[size - 1] = 1;
  munmap (mem, size);

  chancery_prefault (NULL, size);
#endif
}

/* A spool piece: 1 MiB + 64 KiB asked, a 2 MiB buffer. Only the bytes
 * asked for are made present, not GString's rounding to a power of two. */
static void
test_string_prefault (void)
{
#ifndef MADV_POPULATE_WRITE
  g_test_skip ("built without MADV_POPULATE_WRITE: nothing is prefaulted");
#else
  g_autofree char *mode = thp_mode ();
  gsize page = sysconf (_SC_PAGESIZE);
  gsize size = 1024 * 1024 + 64 * 1024;
  guintptr tail;
  GString *string;

  if (mode != NULL && strcmp (mode, "always") == 0)
    {
      /* A fault may bring in a whole huge page, rounding and all. */
      g_test_skip ("transparent huge pages are \"always\": the rounding may be present");
      return;
    }

  string = chancery_string_new_prefaulted (size);
  g_assert_cmpuint (string->allocated_len, >=, size + 1);
  g_assert_cmpuint (string->str[0], ==, 0);
  if (resident_pages (string->str, size) == 0)
    {
      char *probe = mmap (NULL, page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
      gboolean can = probe != MAP_FAILED && madvise (probe, page, MADV_POPULATE_WRITE) == 0;

      if (probe != MAP_FAILED)
        munmap (probe, page);
      if (!can)
        {
          g_string_free (string, TRUE);
          g_test_skip ("this kernel cannot prefault (MADV_POPULATE_WRITE is Linux 5.14)");
          return;
        }
    }
  g_assert_cmpuint (resident_pages (string->str, size), >=, size / page - 1);

  /* The rounding past the bytes asked for (and the page they end in). */
  tail = ((guintptr) string->str + size + 1 + page - 1) & ~(guintptr) (page - 1);
  if (tail + page <= (guintptr) string->str + string->allocated_len)
    g_assert_cmpuint (resident_pages ((gpointer) tail, (guintptr) string->str + string->allocated_len - tail),
                      ==, 0);
  g_string_free (string, TRUE);
#endif
}

static void
test_empty (void)
{
  g_assert_null (chancery_alloc_large (0, 8));
  g_assert_null (chancery_alloc_large (8, 0));
  /* Nothing to advise: must not fail or touch anything. */
  chancery_advise_large (NULL, 64 * 1024 * 1024);
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);
#ifdef M_MMAP_THRESHOLD
  /* Large blocks always fresh mappings: glibc otherwise raises the
   * threshold when one is freed, and serves the next from a heap whose
   * pages earlier tests touched. */
  mallopt (M_MMAP_THRESHOLD, 128 * 1024);
#endif
#ifdef M_PERTURB
  /* meson test sets MALLOC_PERTURB_, which fills (touches) every block. */
  mallopt (M_PERTURB, 0);
#endif
  g_test_add_func ("/memory/large-is-advised", test_large_is_advised);
  g_test_add_func ("/memory/prefault", test_prefault);
  g_test_add_func ("/memory/string-prefault", test_string_prefault);
  g_test_add_func ("/memory/empty", test_empty);
  return g_test_run ();
}
