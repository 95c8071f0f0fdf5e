/* chancery-memory.h
 *
 * Copyright 2026 The Chancery developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

gpointer chancery_alloc_large  (gsize    n_structs,
                                gsize    struct_size);
void     chancery_advise_large (gpointer mem,
                                gsize    size);
void     chancery_prefault     (gpointer mem,
                                gsize    size);
GString *chancery_string_new_prefaulted (gsize size);

/* A large array filled once (freed with g_free). */
#define chancery_new_large(struct_type, n_structs) \
  ((struct_type *) chancery_alloc_large ((n_structs), sizeof (struct_type)))

G_END_DECLS
