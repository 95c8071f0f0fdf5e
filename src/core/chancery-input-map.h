/* chancery-input-map.h: a file read through a memory map that survives
 * being cut short while it is read
 *
 * Copyright 2026 The Chancery developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* A read-only private map of a whole file. If another program truncates
 * the file while it is mapped, reading the lost pages would raise SIGBUS
 * and kill the process; here those pages read as zero bytes instead, and
 * chancery_input_map_was_cut() tells the reader that what it read is not
 * the file (so does a file that shrank within its last page, which
 * raises nothing). Maps may be open in any threads; the first 32 open at
 * once are guarded, any more are read unguarded. A SIGBUS raised outside
 * them, or sent by kill (), goes to the handler that was there before, or
 * ends the process as it would have. */
typedef struct _ChanceryInputMap ChanceryInputMap;

/* Errors are CHANCERY_ERROR_IO, with the path in the message. An empty
 * file gives a map of length 0. */
ChanceryInputMap *chancery_input_map_new         (const char             *path,
                                                  GError                **error);
const char       *chancery_input_map_get_data    (const ChanceryInputMap *map);
gsize             chancery_input_map_get_length  (const ChanceryInputMap *map);
/* TRUE once a page of the map was found missing from the file. */
gboolean          chancery_input_map_was_cut     (const ChanceryInputMap *map);
void              chancery_input_map_free        (ChanceryInputMap       *map);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ChanceryInputMap, chancery_input_map_free)

G_END_DECLS
