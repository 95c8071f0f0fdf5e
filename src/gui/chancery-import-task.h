/* chancery-import-task.h: importing event files into a writable dataset
 *
 * Copyright 2026 The Chancery developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "chancery-import.h"
#include "chancery-window.h"

G_BEGIN_DECLS

/* "win.import": pick files, then (for GDELT files) what to keep. */
void  chancery_import_action_activate (GtkWidget                  *widget,
                                       const char                 *action_name,
                                       GVariant                   *parameter);

/* Imports GDELT event files (.CSV, .zip, .tsv) and Chancery JSON files
 * (.json, or content starting with "{") in a thread, each file in one
 * transaction. The bundled dataset is never written: then the events go
 * into a new database in chancery_paths_dup_user_data_dir(), named after
 * the first file, which holds only what was imported. Any other open
 * dataset is imported into. The window then reopens the dataset and a
 * toast sums up what happened. options: for GDELT files; NULL keeps every
 * country and CAMEO roots 01 to 06. */
void  chancery_window_import_paths    (ChanceryWindow             *self,
                                       const char * const         *paths,
                                       const ChanceryGdeltOptions *options);

/* Files the person chose to import (takes paths): GDELT files first ask
 * what to keep; a file that is neither JSON nor text says so at once. */
void  chancery_window_import_chosen   (ChanceryWindow             *self,
                                       char                      **paths);

/* The file chancery_window_import_paths() would write into: a new database
 * for the bundled (or an unwritable) dataset, else the open one. */
char *chancery_window_dup_import_target (ChanceryWindow           *self,
                                         const char               *first_path,
                                         gboolean                 *new_database);

G_END_DECLS
