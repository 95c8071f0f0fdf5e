/* fuzz-search.c: free text to an FTS5 query, and the query itself
 *
 * Copyright 2026 The Chancery developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Whatever is typed into the search field, the MATCH expression is valid
 * (a query never fails) and searching finds a subset of all events.
 */
#include "config.h"

#include <string.h>

#include "chancery-filter.h"
#include "fuzz-store.h"

#define N_EVENTS 3

static const char dataset[] =
  "{\"format\": \"chancery\", \"version\": 1,"
  " \"sources\": [{\"id\": \"s\", \"publisher\": \"Kayhan\"}],"
  " \"countries\": [{\"code\": \"IRN\", \"name\": \"Iran\"}, {\"code\": \"AZE\", \"name\": \"Azerbaijan\"}],"
  " \"events\": ["
  "  {\"id\": \"a\", \"kind\": \"visit\", \"status\": \"occurred\", \"title\": \"Araghchi visits Baku\","
  "   \"summary\": \"Talks on the Rasht–Astara railway\", \"date\": \"2025-12-08\","
  "   \"countries\": [\"IRN\", \"AZE\"], \"sources\": [{\"source\": \"s\", \"quote\": \"«3+3» platform\"}]},"
  "  {\"id\": \"b\", \"kind\": \"statement\", \"status\": \"reported\", \"title\": \"Déclaration sur l’Arménie\","
  "   \"date\": \"2025-12\", \"sources\": [{\"source\": \"s\"}]},"
  "  {\"id\": \"c\", \"kind\": \"meeting\", \"status\": \"planned\", \"title\": \"دیدار وزیران خارجه\","
  "   \"summary\": \"Встреча министров\", \"date\": \"2026~\", \"sources\": [{\"source\": \"s\"}]}"
  " ]}";

static ChanceryStore *store;

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ChanceryFilter) filter = NULL;
  g_autofree char *text = NULL;
  g_autofree char *fts = NULL;
  guint count;

  fuzz_init_logging ();
  if (size > 4096)
    return -1;

  if (store == NULL)
    {
      store = fuzz_memory_store ();
      FUZZ_CHECK (chancery_import_json_data (store, dataset, -1, "dataset", NULL, NULL, &error));
      FUZZ_CHECK (chancery_store_count_events (store, NULL, NULL) == N_EVENTS);
    }

  text = g_strndup ((const char *) data, size);
  fts = chancery_filter_text_to_fts (text);
  if (fts != NULL)
    FUZZ_CHECK (g_utf8_validate (fts, -1, NULL));

  filter = chancery_filter_new ();
  chancery_filter_set_text (filter, text);
  count = chancery_store_count_events (store, filter, &error);
  if (error != NULL)
    {
      g_printerr ("query for “%s” failed: %s\n", fts != NULL ? fts : "(none)", error->message);
      abort ();
    }
  FUZZ_CHECK (count <= N_EVENTS);
  if (fts == NULL)
    FUZZ_CHECK (count == N_EVENTS);

  return 0;
}
