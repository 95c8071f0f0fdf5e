/* chancery-error.c
 *
 * Copyright 2026 The Chancery developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "chancery-error.h"

G_DEFINE_QUARK (chancery-error-quark, chancery_error)
