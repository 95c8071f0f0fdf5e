/* chancery-bench.h: synthetic datasets for the benchmark
 *
 * Copyright 2026 The Chancery developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "chancery-store.h"

G_BEGIN_DECLS

typedef struct _BenchModel BenchModel;

BenchModel    *bench_model_new        (guint        n_events,
                                       guint32      seed);
void           bench_model_free       (BenchModel  *model);
/* Event number i; call with i = 0, 1, 2, ... in order. */
ChanceryEvent *bench_model_next_event (BenchModel  *model,
                                       guint        i);
const char    *bench_model_top_actor  (BenchModel  *model);

gboolean bench_write_database (BenchModel *model, const char *path, GError **error);
gboolean bench_write_json     (BenchModel *model, const char *path, GError **error);
gboolean bench_write_gdelt    (BenchModel *model, const char *path, GError **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (BenchModel, bench_model_free)

G_END_DECLS
