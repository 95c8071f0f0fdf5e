/* fuzz.h: what every fuzz target defines, and shared set-up
 *
 * Copyright 2026 The Chancery developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Each target is a libFuzzer target (-Dfuzzing=true, clang) and, linked
 * with replay.c instead, a test that runs its corpus.
 */
#pragma once

#include <glib.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

/* Criticals and warnings from GLib and json-glib are bugs: make them abort
 * so that the fuzzer reports them. */
static inline void
fuzz_init_logging (void)
{
  static gsize once = 0;

  if (g_once_init_enter (&once))
    {
      g_log_set_always_fatal (G_LOG_LEVEL_CRITICAL | G_LOG_LEVEL_WARNING);
      g_log_set_fatal_mask ("Json", G_LOG_LEVEL_CRITICAL | G_LOG_LEVEL_WARNING);
      g_once_init_leave (&once, 1);
    }
}

/* A condition that must hold; abort() so that libFuzzer keeps the input. */
#define FUZZ_CHECK(cond)                                                    \
  G_STMT_START {                                                            \
    if (G_UNLIKELY (!(cond)))                                               \
      {                                                                     \
        g_printerr ("%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond); \
        abort ();                                                           \
      }                                                                     \
  } G_STMT_END
