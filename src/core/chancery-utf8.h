/* chancery-utf8.h: text read from a database, made safe to show and write
 *
 * Copyright 2026 The Chancery developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

gboolean chancery_utf8_is_valid (const char *text,
                                 gsize       len);
void     chancery_utf8_append   (GString    *buf,
                                 const char *text,
                                 gsize       len);
char    *chancery_utf8_dup      (const char *text,
                                 gsize       len);

G_END_DECLS
