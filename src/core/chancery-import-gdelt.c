/* chancery-import-gdelt.c: GDELT event files (1.0 daily, 2.0 exports)
 *
 * Copyright 2026 The Chancery developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * GDELT event files are tab-separated, one event a line, no header, UTF-8,
 * plain or zipped (the zip's first entry is streamed through libarchive).
 * Three row layouts exist; the first recognised row fixes the file's layout:
 *
 *   61 columns  GDELT 2.0 export. Each of the three geography blocks
 *               (Actor1Geo_, Actor2Geo_, ActionGeo_) has 8 columns:
 *               Type, FullName, CountryCode, ADM1Code, ADM2Code, Lat, Long,
 *               FeatureID. Then DATEADDED, SOURCEURL.
 *   58 columns  GDELT 1.0 daily file (April 2013 on). Same as 2.0 but the
 *               geography blocks have 7 columns (no ADM2Code).
 *   57 columns  GDELT 1.0 back file: as 58 without the final SOURCEURL.
 *
 * Columns 0–34 are the same in all three: 0 GLOBALEVENTID, 1 SQLDATE,
 * 2 MonthYear, 3 Year, 4 FractionDate, 5–14 Actor1 (5 Code, 6 Name,
 * 7 CountryCode, ...), 15–24 Actor2 (15 Code, 16 Name, 17 CountryCode, ...),
 * 25 IsRootEvent, 26 EventCode, 27 EventBaseCode, 28 EventRootCode,
 * 29 QuadClass, 30 GoldsteinScale, 31 NumMentions, 32 NumSources,
 * 33 NumArticles, 34 AvgTone. After that, by layout:
 *
 *                       61   58   57
 *   ActionGeo_FullName  52   50   50
 *   ActionGeo_Lat       56   53   53
 *   ActionGeo_Long      57   54   54
 *   SOURCEURL           60   57    –
 *
 * Each record becomes the event "gdelt-<GLOBALEVENTID>", so importing a file
 * again replaces the same events with the same data (nothing changes).
 * Actors get uids from their country and name ("gdelt-actor-IRN-ALI-AKBAR-
 * VELAYATI"), sources from a hash of their URL ("gdelt-src-<16 hex>").
 * Titles and summaries are data, written in English whatever the locale.
 */
#include "config.h"

#include <archive.h>
#include <archive_entry.h>
#include <glib/gi18n-lib.h>
#include <math.h>
#include <string.h>

#include "chancery-error.h"
#include "chancery-import.h"
#include "chancery-store-private.h"

#define GDELT_MAX_LINE      (64 * 1024)
#define GDELT_READ_SIZE     (256 * 1024)
#define GDELT_MAX_COLUMNS   61
#define GDELT_MAX_MESSAGES  100
#define GDELT_CHECK_EVERY   1000

/* Columns shared by all layouts */
enum
{
  COL_GLOBALEVENTID   = 0,
  COL_SQLDATE         = 1,
  COL_ACTOR1_NAME     = 6,
  COL_ACTOR1_COUNTRY  = 7,
  COL_ACTOR2_NAME     = 16,
  COL_ACTOR2_COUNTRY  = 17,
  COL_EVENT_CODE      = 26,
  COL_GOLDSTEIN       = 30,
  COL_NUM_MENTIONS    = 31,
  COL_NUM_SOURCES     = 32,
  COL_NUM_ARTICLES    = 33,
  COL_AVG_TONE        = 34,
};

typedef struct
{
  guint n_columns;
  guint place_name;
  guint latitude;
  guint longitude;
  int   source_url;   /* -1: none */
} GdeltLayout;

static const GdeltLayout gdelt_layouts[] = {
  { 61, 52, 56, 57, 60 },
  { 58, 50, 53, 54, 57 },
  { 57, 50, 53, 54, -1 },
};

typedef struct
{
  const char   *code;
  const char   *description;
  ChanceryKind  kind;
} CameoCode;

/* Short descriptions, in our own words, of the CAMEO root codes and of the
 * codes that map to a kind of their own. */
static const CameoCode cameo_roots[] = {
  { "01", "Public statement", CHANCERY_KIND_STATEMENT },
  { "02", "Appeal", CHANCERY_KIND_OTHER },
  { "03", "Intent to cooperate", CHANCERY_KIND_OTHER },
  { "04", "Consultation", CHANCERY_KIND_OTHER },
  { "05", "Diplomatic cooperation", CHANCERY_KIND_OTHER },
  { "06", "Material cooperation", CHANCERY_KIND_OTHER },
  { "07", "Aid", CHANCERY_KIND_OTHER },
  { "08", "Concession", CHANCERY_KIND_OTHER },
  { "09", "Investigation", CHANCERY_KIND_OTHER },
  { "10", "Demand", CHANCERY_KIND_OTHER },
  { "11", "Criticism", CHANCERY_KIND_OTHER },
  { "12", "Rejection", CHANCERY_KIND_OTHER },
  { "13", "Threat", CHANCERY_KIND_OTHER },
  { "14", "Protest", CHANCERY_KIND_OTHER },
  { "15", "Show of force", CHANCERY_KIND_OTHER },
  { "16", "Relations reduced", CHANCERY_KIND_OTHER },
  { "17", "Coercion", CHANCERY_KIND_OTHER },
  { "18", "Assault", CHANCERY_KIND_INCIDENT },
  { "19", "Armed clash", CHANCERY_KIND_INCIDENT },
  { "20", "Mass violence", CHANCERY_KIND_INCIDENT },
};

static const CameoCode cameo_specific[] = {
  { "036", "Offer to meet or negotiate", CHANCERY_KIND_OTHER },
  { "042", "Visit", CHANCERY_KIND_VISIT },
  { "043", "Hosts a visit", CHANCERY_KIND_VISIT },
  { "044", "Meeting on neutral ground", CHANCERY_KIND_MEETING },
  { "046", "Negotiations", CHANCERY_KIND_TALKS },
  { "057", "Formal agreement signed", CHANCERY_KIND_AGREEMENT },
};

/* Names for common CAMEO country codes; others are named by their code. */
static const struct { const char *code; const char *name; } cameo_countries[] = {
  { "AFG", "Afghanistan" }, { "ARM", "Armenia" }, { "AZE", "Azerbaijan" },
  { "CHN", "China" }, { "DEU", "Germany" }, { "EGY", "Egypt" },
  { "FRA", "France" }, { "GBR", "United Kingdom" }, { "GEO", "Georgia" },
  { "IND", "India" }, { "IRN", "Iran" }, { "IRQ", "Iraq" },
  { "ISR", "Israel" }, { "JPN", "Japan" }, { "KAZ", "Kazakhstan" },
  { "PAK", "Pakistan" }, { "QAT", "Qatar" }, { "RUS", "Russia" },
  { "SAU", "Saudi Arabia" }, { "SYR", "Syria" }, { "TKM", "Turkmenistan" },
  { "TUR", "Turkey" }, { "UKR", "Ukraine" }, { "USA", "United States" },
  { "ARE", "United Arab Emirates" }, { "UZB", "Uzbekistan" },
  /* CAMEO regions, not countries */
  { "AFR", "Africa" }, { "ASA", "Asia" }, { "CAU", "Caucasus" },
  { "EUR", "Europe" }, { "MEA", "Middle East" }, { "WST", "The West" },
};

typedef struct
{
  gint64  id;      /* GLOBALEVENTID */
  guint32 line;    /* of its first row; 0: a free slot */
  guint32 hash;    /* of that row's text */
} SeenRow;

typedef struct
{
  SeenRow *slots;
  gsize    capacity;   /* a power of two */
  gsize    n;
} SeenRows;

typedef struct
{
  /* input */
  GInputStream    *stream;
  struct archive  *archive;
  goffset          file_size;
  goffset          consumed;
  guint64          n_bytes;     /* read, after unzipping */

  /* state */
  const char          *path;
  ChanceryImporter    *importer;
  ChanceryImportReport *report;
  const GdeltLayout   *layout;
  gboolean             keep_root[100];
  GHashTable          *countries_filter;  /* upper-case code set, or NULL */
  GHashTable          *countries_kept;    /* codes of countries_filter that a kept row has */
  GHashTable          *countries_other_roots;  /* code of countries_filter -> rows left out by root */
  GHashTable          *seen_countries;
  GHashTable          *seen_actors;
  GHashTable          *seen_sources;
  SeenRows             seen_rows;         /* each event's first row */
  GChecksum           *checksum;
  guint                n_messages;
  guint                n_lines_seen;
  char                *first_problem;

  /* per-row scratch, reused */
  char                *fields[GDELT_MAX_COLUMNS];
  GString             *actor_uid[2];
  GString             *source_uid;
  GString             *event_uid;
  GString             *publisher;
  GString             *title;
  GString             *summary;
  char                 date_text[11];
  ChanceryEvent        event;
  ChanceryEventActor   actors[2];
  ChanceryEventCountry countries[2];
  ChanceryEventSource  source;
} GdeltImport;

static void
gdelt_import_clear (GdeltImport *self)
{
  g_clear_object (&self->stream);
  g_clear_pointer (&self->archive, archive_read_free);
  g_clear_pointer (&self->countries_filter, g_hash_table_unref);
  g_clear_pointer (&self->countries_kept, g_hash_table_unref);
  g_clear_pointer (&self->countries_other_roots, g_hash_table_unref);
  g_clear_pointer (&self->seen_countries, g_hash_table_unref);
  g_clear_pointer (&self->seen_actors, g_hash_table_unref);
  g_clear_pointer (&self->seen_sources, g_hash_table_unref);
  g_clear_pointer (&self->seen_rows.slots, g_free);
  g_clear_pointer (&self->checksum, g_checksum_free);
  g_clear_pointer (&self->first_problem, g_free);
  for (guint i = 0; i < 2; i++)
    if (self->actor_uid[i] != NULL)
      g_string_free (self->actor_uid[i], TRUE);
  if (self->source_uid != NULL)
    g_string_free (self->source_uid, TRUE);
  if (self->event_uid != NULL)
    g_string_free (self->event_uid, TRUE);
  if (self->publisher != NULL)
    g_string_free (self->publisher, TRUE);
  if (self->title != NULL)
    g_string_free (self->title, TRUE);
  if (self->summary != NULL)
    g_string_free (self->summary, TRUE);
  g_clear_pointer (&self->event.actors, g_ptr_array_unref);
  g_clear_pointer (&self->event.countries, g_ptr_array_unref);
  g_clear_pointer (&self->event.sources, g_ptr_array_unref);
  g_clear_pointer (&self->event.projects, g_ptr_array_unref);
  g_clear_pointer (&self->event.links, g_ptr_array_unref);
}

/* Reading: plain files through GIO, zip files through libarchive. */

static gboolean
gdelt_open (GdeltImport   *self,
            GCancellable  *cancellable,
            GError       **error)
{
  g_autoptr(GFile) file = g_file_new_for_path (self->path);
  g_autoptr(GFileInfo) info = NULL;
  g_autoptr(GError) local_error = NULL;
  struct archive_entry *entry = NULL;
  guchar magic[4] = { 0, };
  gsize n_read = 0;
  gsize path_length = strlen (self->path);
  gboolean is_zip;

  if (!chancery_import_check_file (self->path, error))
    return FALSE;

  self->stream = G_INPUT_STREAM (g_file_read (file, cancellable, &local_error));
  if (self->stream == NULL)
    goto io_error;

  info = g_file_input_stream_query_info (G_FILE_INPUT_STREAM (self->stream),
                                         G_FILE_ATTRIBUTE_STANDARD_SIZE,
                                         cancellable, NULL);
  if (info != NULL)
    self->file_size = g_file_info_get_size (info);

  if (!g_input_stream_read_all (self->stream, magic, sizeof magic, &n_read,
                                cancellable, &local_error))
    goto io_error;

  /* A zip starts with a file's header, or with the end of its directory
   * when it holds nothing ("PK\5\6"). */
  is_zip = n_read >= 4 && (memcmp (magic, "PK\x03\x04", 4) == 0 || memcmp (magic, "PK\x05\x06", 4) == 0);
  if (!is_zip && path_length >= 4 && g_ascii_strcasecmp (self->path + path_length - 4, ".zip") == 0)
    {
      g_set_error (error, CHANCERY_ERROR, CHANCERY_ERROR_INVALID_INPUT,
                   _("“%s” is named as a zip file but is not one"), self->path);
      return FALSE;
    }
  if (!is_zip)
    {
      /* Plain text: start again from the top. */
      if (!g_seekable_seek (G_SEEKABLE (self->stream), 0, G_SEEK_SET,
                            cancellable, &local_error))
        goto io_error;
      return TRUE;
    }

  g_clear_object (&self->stream);
  self->archive = archive_read_new ();
  archive_read_support_format_zip (self->archive);
  if (archive_read_open_filename (self->archive, self->path, GDELT_READ_SIZE) != ARCHIVE_OK)
    {
      g_set_error (error, CHANCERY_ERROR, CHANCERY_ERROR_IO,
                   _("Cannot read the zip file “%s”: %s"),
                   self->path, archive_error_string (self->archive));
      return FALSE;
    }

  /* The first regular file in the archive; GDELT zips hold exactly one. */
  for (;;)
    {
      int r = archive_read_next_header (self->archive, &entry);

      if (r == ARCHIVE_EOF)
        {
          g_set_error (error, CHANCERY_ERROR, CHANCERY_ERROR_INVALID_INPUT,
                       _("The zip file “%s” holds no file to import"), self->path);
          return FALSE;
        }
      if (r < ARCHIVE_WARN)
        {
          g_set_error (error, CHANCERY_ERROR, CHANCERY_ERROR_INVALID_INPUT,
                       _("Cannot read the zip file “%s”: %s"),
                       self->path, archive_error_string (self->archive));
          return FALSE;
        }
      if (archive_entry_filetype (entry) == AE_IFREG)
        return TRUE;
    }

io_error:
  if (g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }
  g_set_error (error, CHANCERY_ERROR, CHANCERY_ERROR_IO,
               _("Cannot read “%s”: %s"), self->path, local_error->message);
  return FALSE;
}

/* Fills buf with up to size bytes; 0 at the end. */
static gssize
gdelt_read (GdeltImport   *self,
            char          *buf,
            gsize          size,
            guint          line,
            GCancellable  *cancellable,
            GError       **error)
{
  gssize n;

  if (self->archive != NULL)
    {
      n = archive_read_data (self->archive, buf, size);
      if (n < 0)
        g_set_error (error, CHANCERY_ERROR, CHANCERY_ERROR_IO,
                     _("Cannot read the zip file “%s” after line %u: %s"),
                     self->path, line, archive_error_string (self->archive));
      else
        {
          self->consumed = archive_filter_bytes (self->archive, -1);
          self->n_bytes += n;
        }
      return n;
    }

  n = g_input_stream_read (self->stream, buf, size, cancellable, error);
  if (n > 0)
    {
      self->consumed += n;
      self->n_bytes += n;
    }
  else if (n < 0 && error != NULL && *error != NULL
           && !g_error_matches (*error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    g_prefix_error (error, _("Cannot read “%s” after line %u: "), self->path, line);

  return n;
}

/* Problems with rows */

/* A field for a message: at most 40 characters. */
static char *
shorten (const char *text)
{
  g_autofree char *start = NULL;

  if (g_utf8_strlen (text, 41 * 4) <= 40)
    return g_strdup (text);

  start = g_utf8_substring (text, 0, 40);
  return g_strconcat (start, "…", NULL);
}

static void G_GNUC_PRINTF (3, 4)
gdelt_skip (GdeltImport *self,
            guint        line,
            const char  *format,
            ...)
{
  g_autofree char *reason = NULL;
  va_list args;

  self->report->skipped++;

  if (self->n_messages >= GDELT_MAX_MESSAGES && self->first_problem != NULL)
    {
      self->n_messages++;
      return;
    }

  va_start (args, format);
  reason = g_strdup_vprintf (format, args);
  va_end (args);

  self->n_messages++;
  if (self->n_messages <= GDELT_MAX_MESSAGES)
    /* Translators: "line 17: expected 61 columns, found 12" */
    g_ptr_array_add (self->report->messages, g_strdup_printf (_("line %u: %s"), line, reason));
  if (self->first_problem == NULL)
    self->first_problem = g_strdup_printf (_("line %u: %s"), line, reason);
}

/* A country of the filter that no kept row has is most likely a typo
 * ("IRA" for IRN) or a code GDELT does not use: said, not an error, as the
 * rows of the other countries are good. Unless its rows were all of CAMEO
 * roots not chosen: then that is said instead. */
static void
note_country_kept (GdeltImport *self,
                   const char  *code)
{
  if (*code != '\0' && g_hash_table_contains (self->countries_filter, code) &&
      !g_hash_table_contains (self->countries_kept, code))
    g_hash_table_add (self->countries_kept, g_strdup (code));
}

/* A row of the countries of the filter, left out for its root. */
static void
note_country_other_root (GdeltImport *self,
                         const char  *code1,
                         const char  *code2)
{
  const char *codes[] = { code1, strcmp (code1, code2) != 0 ? code2 : "" };

  for (guint i = 0; i < G_N_ELEMENTS (codes); i++)
    if (*codes[i] != '\0' && g_hash_table_contains (self->countries_filter, codes[i]))
      {
        guint n = GPOINTER_TO_UINT (g_hash_table_lookup (self->countries_other_roots, codes[i]));

        g_hash_table_replace (self->countries_other_roots, g_strdup (codes[i]), GUINT_TO_POINTER (n + 1));
      }
}

static int
compare_codes (const void *a,
               const void *b)
{
  return strcmp (*(const char * const *) a, *(const char * const *) b);
}

static void
report_unused_countries (GdeltImport *self)
{
  g_autofree const char **codes = NULL;
  guint n_codes = 0;

  if (self->countries_filter == NULL)
    return;

  /* In order, so that the messages do not depend on hashing. */
  codes = (const char **) g_hash_table_get_keys_as_array (self->countries_filter, &n_codes);
  qsort (codes, n_codes, sizeof (char *), compare_codes);
  for (guint i = 0; i < n_codes; i++)
    {
      guint n_other_roots = GPOINTER_TO_UINT (g_hash_table_lookup (self->countries_other_roots, codes[i]));

      if (g_hash_table_contains (self->countries_kept, codes[i]))
        continue;
      if (n_other_roots > 0)
        g_ptr_array_add (self->report->messages,
                         g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                                       "no row kept has an actor from the country “%s”: "
                                                       "its %u row is of a CAMEO root code not chosen",
                                                       "no row kept has an actor from the country “%s”: "
                                                       "its %u rows are of CAMEO root codes not chosen",
                                                       n_other_roots),
                                          codes[i], n_other_roots));
      else
        g_ptr_array_add (self->report->messages,
                         g_strdup_printf (_("no row kept has an actor from the country “%s”; "
                                            "GDELT writes CAMEO country codes such as IRN, AZE or USA"),
                                          codes[i]));
    }
}

/* Checks on fields */

static gboolean
is_digits (const char *text,
           gsize       min_len,
           gsize       max_len)
{
  gsize len = 0;

  for (const char *p = text; *p != '\0'; p++, len++)
    if (!g_ascii_isdigit (*p) || len >= max_len)
      return FALSE;

  return len >= min_len;
}

static gboolean
is_country_code (const char *code)
{
  return g_ascii_isupper (code[0]) && g_ascii_isupper (code[1])
         && g_ascii_isupper (code[2]) && code[3] == '\0';
}

static const CameoCode *
lookup_cameo (const char *code)
{
  for (guint i = 0; i < G_N_ELEMENTS (cameo_specific); i++)
    if (strncmp (code, cameo_specific[i].code, 3) == 0)
      return &cameo_specific[i];

  for (guint i = 0; i < G_N_ELEMENTS (cameo_roots); i++)
    if (strncmp (code, cameo_roots[i].code, 2) == 0)
      return &cameo_roots[i];

  return NULL;
}

/* The number in the first len digits of text (checked by the caller). */
static int
atoi_range (const char *text,
            guint       len)
{
  int value = 0;

  for (guint i = 0; i < len; i++)
    value = value * 10 + (text[i] - '0');

  return value;
}

static guint64
parse_count (const char *text)
{
  return g_ascii_strtoull (text, NULL, 10);
}

/* A count column (NumMentions, NumSources, NumArticles): digits only. */
static gboolean
is_count (const char *text)
{
  return is_digits (text, 1, 18);
}


/* Records the event refers to */

static gboolean
ensure_country (GdeltImport  *self,
                const char   *code,
                GError      **error)
{
  const char *name = code;

  if (g_hash_table_contains (self->seen_countries, code))
    return TRUE;
  g_hash_table_add (self->seen_countries, g_strdup (code));

  /* Never rename a country that a curated import already named. */
  if (chancery_importer_has_country (self->importer, code))
    return TRUE;

  for (guint i = 0; i < G_N_ELEMENTS (cameo_countries); i++)
    if (strcmp (cameo_countries[i].code, code) == 0)
      name = cameo_countries[i].name;

  return chancery_importer_put_country (self->importer, code, name, error);
}

/* "gdelt-actor-IRN-ALI-AKBAR-VELAYATI": ASCII letters and digits upper-cased,
 * runs of anything else ASCII become one dash, other UTF-8 is kept. */
static void
build_actor_uid (GString    *uid,
                 const char *country,
                 const char *name)
{
  gboolean dash = FALSE;
  gsize prefix_len;

  g_string_assign (uid, "gdelt-actor-");
  if (country != NULL)
    {
      g_string_append (uid, country);
      g_string_append_c (uid, '-');
    }
  prefix_len = uid->len;

  for (const char *p = name; *p != '\0'; p++)
    {
      guchar c = *p;

      if (g_ascii_isalnum (c) || c >= 0x80)
        {
          if (dash && uid->len > prefix_len)
            g_string_append_c (uid, '-');
          dash = FALSE;
          g_string_append_c (uid, g_ascii_toupper (c));
        }
      else
        dash = TRUE;
    }

  if (uid->len == prefix_len)
    g_string_truncate (uid, 0);
}

static gboolean
add_actor (GdeltImport   *self,
           guint          n,
           const char    *name,
           const char    *country,
           ChanceryRole   role,
           GError       **error)
{
  GString *uid = self->actor_uid[n];
  ChanceryEventActor *actor = &self->actors[n];

  if (!is_country_code (country))
    country = NULL;

  build_actor_uid (uid, country, name);
  if (uid->len == 0)
    return TRUE;

  if (country != NULL && !ensure_country (self, country, error))
    return FALSE;

  if (!g_hash_table_contains (self->seen_actors, uid->str))
    {
      g_hash_table_add (self->seen_actors, g_strdup (uid->str));
      if (!chancery_importer_has_actor (self->importer, uid->str)
          && !chancery_importer_put_actor (self->importer, uid->str, name,
                                           NULL, country, error))
        return FALSE;
    }

  actor->uid = uid->str;
  actor->name = (char *) name;
  actor->country = (char *) country;
  actor->role = role;
  g_ptr_array_add (self->event.actors, actor);

  if (country != NULL)
    {
      for (guint i = 0; i < self->event.countries->len; i++)
        {
          ChanceryEventCountry *seen = g_ptr_array_index (self->event.countries, i);

          if (strcmp (seen->code, country) == 0)
            return TRUE;
        }
      self->countries[n].code = (char *) country;
      self->countries[n].name = NULL;
      g_ptr_array_add (self->event.countries, &self->countries[n]);
    }

  return TRUE;
}

/* The host of a URL, lower case: "www.example.com". NULL when text is not
 * an http(s) URL (GDELT 1.0 sometimes has a citation there instead). */
static gboolean
url_host (GString    *host,
          const char *url)
{
  const char *p;

  if (g_ascii_strncasecmp (url, "http://", 7) == 0)
    p = url + 7;
  else if (g_ascii_strncasecmp (url, "https://", 8) == 0)
    p = url + 8;
  else
    return FALSE;

  g_string_truncate (host, 0);
  for (; *p != '\0' && *p != '/' && *p != ':' && *p != '?' && *p != '#'; p++)
    {
      if (*p == '@')
        g_string_truncate (host, 0);
      else
        g_string_append_c (host, g_ascii_tolower (*p));
    }

  return host->len > 0;
}

static gboolean
add_source (GdeltImport  *self,
            const char   *url,
            GError      **error)
{
  ChanceryEventSource *source = &self->source;
  gboolean is_url;

  memset (source, 0, sizeof *source);

  if (url == NULL || *url == '\0')
    {
      /* No article named: GDELT itself is the source. */
      source->uid = (char *) "gdelt-project";
      if (!g_hash_table_contains (self->seen_sources, source->uid))
        {
          g_hash_table_add (self->seen_sources, g_strdup (source->uid));
          if (!chancery_importer_has_source (self->importer, source->uid)
              && !chancery_importer_put_source (self->importer, source->uid,
                                                "The GDELT Project", NULL, NULL,
                                                "https://www.gdeltproject.org/",
                                                NULL, error))
            return FALSE;
        }
      g_ptr_array_add (self->event.sources, source);
      return TRUE;
    }

  g_checksum_reset (self->checksum);
  g_checksum_update (self->checksum, (const guchar *) url, -1);
  g_string_assign (self->source_uid, "gdelt-src-");
  g_string_append_len (self->source_uid, g_checksum_get_string (self->checksum), 16);
  source->uid = self->source_uid->str;

  if (!g_hash_table_contains (self->seen_sources, source->uid))
    {
      g_hash_table_add (self->seen_sources, g_strdup (source->uid));
      is_url = url_host (self->publisher, url);
      if (!chancery_importer_has_source (self->importer, source->uid)
          && !chancery_importer_put_source (self->importer, source->uid,
                                            is_url ? self->publisher->str : url,
                                            NULL, NULL, is_url ? url : NULL,
                                            NULL, error))
        return FALSE;
    }

  g_ptr_array_add (self->event.sources, source);
  return TRUE;
}

static void
build_title (GdeltImport     *self,
             const char      *actor1,
             const char      *actor2,
             const CameoCode *cameo,
             const char      *code)
{
  GString *title = self->title;

  g_string_truncate (title, 0);
  if (*actor1 != '\0')
    g_string_append_printf (title, "%s — ", actor1);
  if (cameo != NULL)
    g_string_append (title, cameo->description);
  else
    g_string_append_printf (title, "CAMEO %s", code);
  if (*actor2 != '\0')
    g_string_append_printf (title, " — %s", actor2);
}

static void
build_summary (GdeltImport  *self,
               char        **fields,
               const char   *code)
{
  char tone[G_ASCII_DTOSTR_BUF_SIZE];
  GString *summary = self->summary;

  g_string_printf (summary, "GDELT event %s, CAMEO code %s.", fields[COL_GLOBALEVENTID], code);
  if (*fields[COL_GOLDSTEIN] != '\0')
    g_string_append_printf (summary, " Goldstein scale %s.", fields[COL_GOLDSTEIN]);
  g_string_append_printf (summary, " Mentions: %" G_GUINT64_FORMAT ", sources: %" G_GUINT64_FORMAT
                          ", articles: %" G_GUINT64_FORMAT ".",
                          parse_count (fields[COL_NUM_MENTIONS]),
                          parse_count (fields[COL_NUM_SOURCES]),
                          parse_count (fields[COL_NUM_ARTICLES]));
  if (*fields[COL_AVG_TONE] != '\0')
    {
      g_ascii_formatd (tone, sizeof tone, "%.2f", g_ascii_strtod (fields[COL_AVG_TONE], NULL));
      g_string_append_printf (summary, " Average tone %s.", tone);
    }
}

static gboolean
parse_coordinate (const char *text,
                  double      limit,
                  double     *value)
{
  char *end = NULL;

  if (*text == '\0')
    return FALSE;
  *value = g_ascii_strtod (text, &end);

  return end != text && *end == '\0' && isfinite (*value) && fabs (*value) <= limit;
}

/* GoldsteinScale (-10 to 10) and AvgTone (-100 to 100): empty, or a
 * finite number within limit, as a coordinate is. */
static gboolean
is_score (const char *text,
          double      limit)
{
  double value;

  return *text == '\0' || parse_coordinate (text, limit, &value);
}

/* One row */

/* FNV-1a of the row's bytes, folded to 32 bits. */
static guint32
hash_row (const char *line,
          gsize       len)
{
  guint64 h = G_GUINT64_CONSTANT (14695981039346656037);

  for (gsize i = 0; i < len; i++)
    h = (h ^ (guchar) line[i]) * G_GUINT64_CONSTANT (1099511628211);
  return (guint32) (h ^ (h >> 32));
}

/* The row of id seen first, or NULL; else *seen records it (line, hash).
 * Open addressing at most half full: 16 to 32 bytes a row (a GHashTable
 * of allocated keys took 52-57, 250 MB for a 5-million-row GDELT 1.0
 * file). */
static const SeenRow *
seen_row_first (SeenRows *seen,
                gint64    id,
                guint     line,
                guint32   hash)
{
  gsize i;

  if (seen->n * 2 >= seen->capacity)
    {
      SeenRows grown = { NULL, MAX (seen->capacity * 2, 1024), 0 };

      grown.slots = g_new0 (SeenRow, grown.capacity);
      for (gsize j = 0; j < seen->capacity; j++)
        if (seen->slots[j].line != 0)
          {
            const SeenRow *row = &seen->slots[j];

            seen_row_first (&grown, row->id, row->line, row->hash);
          }
      g_free (seen->slots);
      *seen = grown;
    }

  for (i = ((guint64) id * G_GUINT64_CONSTANT (0x9E3779B97F4A7C15)) >> 17 & (seen->capacity - 1);
       seen->slots[i].line != 0;
       i = (i + 1) & (seen->capacity - 1))
    if (seen->slots[i].id == id)
      return &seen->slots[i];

  seen->slots[i] = (SeenRow) { id, line, hash };
  seen->n++;
  return NULL;
}

static gboolean
process_row (GdeltImport  *self,
             char         *line,
             gsize         len,
             guint         line_no,
             GError      **error)
{
  char **fields = self->fields;
  ChanceryEvent *event = &self->event;
  const GdeltLayout *layout = self->layout;
  const CameoCode *cameo;
  const char *code;
  const char *actor1, *actor2, *country1, *country2;
  ChanceryRole role1 = CHANCERY_ROLE_PARTICIPANT, role2 = CHANCERY_ROLE_PARTICIPANT;
  ChanceryPutResult result;
  guint n_fields = 0, root;
  int year, month, day;
  double lat, lon;

  if (len > 0 && line[len - 1] == '\r')
    len--;
  line[len] = '\0';
  if (len == 0)
    return TRUE;

  /* A byte order mark (a spreadsheet's save) is not part of the first
   * GLOBALEVENTID. */
  if (line_no == 1 && len >= 3 && memcmp (line, "\357\273\277", 3) == 0)
    {
      line += 3;
      len -= 3;
    }

  self->n_lines_seen++;
  if (memchr (line, '\0', len) != NULL || !g_utf8_validate (line, len, NULL))
    {
      gdelt_skip (self, line_no, _("not UTF-8 text (binary data?)"));
      return TRUE;
    }

  /* Split at tabs, in place. */
  fields[n_fields++] = line;
  for (char *p = memchr (line, '\t', len); p != NULL; p = memchr (p + 1, '\t', line + len - p - 1))
    {
      *p = '\0';
      if (n_fields < GDELT_MAX_COLUMNS)
        fields[n_fields] = p + 1;
      n_fields++;
    }

  if (layout == NULL)
    {
      for (guint i = 0; i < G_N_ELEMENTS (gdelt_layouts); i++)
        if (gdelt_layouts[i].n_columns == n_fields)
          layout = self->layout = &gdelt_layouts[i];
      if (layout == NULL)
        {
          gdelt_skip (self, line_no,
                      _("expected 57 or 58 (GDELT 1.0) or 61 (GDELT 2.0) tab-separated columns, found %u"),
                      n_fields);
          return TRUE;
        }
    }
  else if (n_fields != layout->n_columns)
    {
      gdelt_skip (self, line_no, _("expected %u columns, found %u"), layout->n_columns, n_fields);
      return TRUE;
    }

  if (!is_digits (fields[COL_GLOBALEVENTID], 1, 19))
    {
      g_autofree char *value = shorten (fields[COL_GLOBALEVENTID]);

      gdelt_skip (self, line_no, _("GLOBALEVENTID “%s” is not a number"), value);
      return TRUE;
    }

  if (!is_digits (fields[COL_SQLDATE], 8, 8)
      || (year = atoi_range (fields[COL_SQLDATE], 4), month = atoi_range (fields[COL_SQLDATE] + 4, 2),
          day = atoi_range (fields[COL_SQLDATE] + 6, 2), !g_date_valid_dmy (day, month, year)))
    {
      g_autofree char *value = shorten (fields[COL_SQLDATE]);

      gdelt_skip (self, line_no, _("SQLDATE “%s” is not a date (YYYYMMDD)"), value);
      return TRUE;
    }

  code = fields[COL_EVENT_CODE];
  if (!is_digits (code, 2, 4))
    {
      g_autofree char *value = shorten (code);

      gdelt_skip (self, line_no, _("EventCode “%s” is not a CAMEO code"), value);
      return TRUE;
    }

  {
    static const struct { int column; const char *name; } counts[] = {
      { COL_NUM_MENTIONS, "NumMentions" },
      { COL_NUM_SOURCES, "NumSources" },
      { COL_NUM_ARTICLES, "NumArticles" },
    };

    for (guint i = 0; i < G_N_ELEMENTS (counts); i++)
      if (!is_count (fields[counts[i].column]))
        {
          g_autofree char *value = shorten (fields[counts[i].column]);

          /* Translators: "NumMentions “-7” is not a count" */
          gdelt_skip (self, line_no, _("%s “%s” is not a count"), counts[i].name, value);
          return TRUE;
        }
    if (!is_score (fields[COL_GOLDSTEIN], 10))
      {
        g_autofree char *value = shorten (fields[COL_GOLDSTEIN]);

        gdelt_skip (self, line_no, _("GoldsteinScale “%s” is not a number from -10 to 10"), value);
        return TRUE;
      }
    if (!is_score (fields[COL_AVG_TONE], 100))
      {
        g_autofree char *value = shorten (fields[COL_AVG_TONE]);

        gdelt_skip (self, line_no, _("AvgTone “%s” is not a number from -100 to 100"), value);
        return TRUE;
      }
  }

  /* Filters */
  root = (code[0] - '0') * 10 + (code[1] - '0');
  actor1 = fields[COL_ACTOR1_NAME];
  actor2 = fields[COL_ACTOR2_NAME];
  country1 = fields[COL_ACTOR1_COUNTRY];
  country2 = fields[COL_ACTOR2_COUNTRY];
  if (!self->keep_root[root]
      || (self->countries_filter != NULL
          && !g_hash_table_contains (self->countries_filter, country1)
          && !g_hash_table_contains (self->countries_filter, country2)))
    {
      if (!self->keep_root[root] && self->countries_filter != NULL)
        note_country_other_root (self, country1, country2);
      self->report->filtered++;
      return TRUE;
    }
  if (self->countries_filter != NULL)
    {
      note_country_kept (self, country1);
      note_country_kept (self, country2);
    }

  /* One row an event: another row with the same GLOBALEVENTID would
   * replace the first without a word (the same row again changes
   * nothing, and is let through). */
  {
    /* Hashed only for the rows kept (most of a GDELT file is left out by
     * the roots), as split: tabs are NULs now, which hash alike. */
    guint32 row_hash = hash_row (line, len);
    const SeenRow *first = seen_row_first (&self->seen_rows,
                                           (gint64) g_ascii_strtoull (fields[COL_GLOBALEVENTID], NULL, 10),
                                           line_no, row_hash);

    if (first != NULL && first->hash != row_hash)
      {
        gdelt_skip (self, line_no, _("GLOBALEVENTID %s is also the event of line %u, with other values"),
                    fields[COL_GLOBALEVENTID], first->line);
        return TRUE;
      }
  }

  /* The event */
  cameo = lookup_cameo (code);
  if (strncmp (code, "042", 3) == 0)
    role1 = CHANCERY_ROLE_GUEST, role2 = CHANCERY_ROLE_HOST;
  else if (strncmp (code, "043", 3) == 0)
    role1 = CHANCERY_ROLE_HOST, role2 = CHANCERY_ROLE_GUEST;
  else if (root == 1)
    role2 = CHANCERY_ROLE_MENTIONED;

  g_ptr_array_set_size (event->actors, 0);
  g_ptr_array_set_size (event->countries, 0);
  g_ptr_array_set_size (event->sources, 0);

  if (*actor1 != '\0' && !add_actor (self, 0, actor1, country1, role1, error))
    return FALSE;
  if (*actor2 != '\0' && !add_actor (self, 1, actor2, country2, role2, error))
    return FALSE;
  if (!add_source (self, layout->source_url >= 0 ? fields[layout->source_url] : NULL, error))
    return FALSE;

  build_title (self, actor1, actor2, cameo, code);
  build_summary (self, fields, code);
  g_snprintf (self->date_text, sizeof self->date_text, "%04d-%02d-%02d", year, month, day);
  g_string_assign (self->event_uid, "gdelt-");
  g_string_append (self->event_uid, fields[COL_GLOBALEVENTID]);

  event->uid = self->event_uid->str;
  event->kind = cameo != NULL ? cameo->kind : CHANCERY_KIND_OTHER;
  event->status = CHANCERY_STATUS_OCCURRED;
  event->title = self->title->str;
  event->summary = self->summary->str;
  event->date_text = self->date_text;
  memset (&event->date, 0, sizeof event->date);
  event->date.form = CHANCERY_DATE_SINGLE;
  event->date.start.year = year;
  event->date.start.month = month;
  event->date.start.day = day;
  event->date.start.precision = CHANCERY_PRECISION_DAY;
  event->date.lo = event->date.hi = chancery_day_from_ymd (year, month, day);
  event->place_name = *fields[layout->place_name] != '\0' ? fields[layout->place_name] : NULL;
  event->place_country = NULL;   /* ActionGeo_CountryCode is FIPS: the name says it */
  event->has_coordinates = event->place_name != NULL
                           && parse_coordinate (fields[layout->latitude], 90, &lat)
                           && parse_coordinate (fields[layout->longitude], 180, &lon);
  event->latitude = event->has_coordinates ? lat : 0;
  event->longitude = event->has_coordinates ? lon : 0;
  event->cameo = (char *) code;
  event->importance = log2 (1.0 + (double) parse_count (fields[COL_NUM_MENTIONS]));

  if (!chancery_importer_put_event (self->importer, event, &result, error))
    {
      g_prefix_error (error, _("%s, line %u: "), self->path, line_no);
      return FALSE;
    }

  switch (result)
    {
    case CHANCERY_PUT_INSERTED:
      self->report->inserted++;
      break;
    case CHANCERY_PUT_UPDATED:
      self->report->updated++;
      break;
    case CHANCERY_PUT_UNCHANGED:
    default:
      self->report->unchanged++;
      break;
    }

  return TRUE;
}

static void
report_progress (GdeltImport          *self,
                 ChanceryProgressFunc  progress,
                 gpointer              progress_data)
{
  if (progress != NULL && self->file_size > 0)
    progress (CLAMP ((double) self->consumed / (double) self->file_size, 0.0, 1.0), progress_data);
}

/* Splits the input into lines of at most GDELT_MAX_LINE bytes and hands
 * each to process_row; a longer line is skipped whole. */
static gboolean
read_lines (GdeltImport          *self,
            ChanceryProgressFunc  progress,
            gpointer              progress_data,
            GCancellable         *cancellable,
            GError              **error)
{
  const gsize capacity = GDELT_MAX_LINE + GDELT_READ_SIZE + 1;
  g_autofree char *buf = g_malloc (capacity);
  gsize start = 0, end = 0;
  gboolean at_end = FALSE, discarding = FALSE;
  guint line_no = 0, since_check = 0;

  for (;;)
    {
      char *newline = memchr (buf + start, '\n', end - start);
      gssize n;

      if (newline != NULL)
        {
          gsize len = newline - (buf + start);

          if (discarding)
            discarding = FALSE;
          else if (len > GDELT_MAX_LINE)
            {
              self->n_lines_seen++;
              gdelt_skip (self, ++line_no, _("longer than %u KiB"), GDELT_MAX_LINE / 1024);
            }
          else if (!process_row (self, buf + start, len, ++line_no, error))
            return FALSE;
          start += len + 1;

          if (++since_check >= GDELT_CHECK_EVERY)
            {
              since_check = 0;
              if (g_cancellable_set_error_if_cancelled (cancellable, error))
                return FALSE;
              report_progress (self, progress, progress_data);
            }
          continue;
        }

      if (at_end)
        {
          if (end > start && !discarding)
            return process_row (self, buf + start, end - start, ++line_no, error);
          return TRUE;
        }

      if (end - start > GDELT_MAX_LINE)
        {
          if (!discarding)
            {
              self->n_lines_seen++;
              gdelt_skip (self, ++line_no, _("longer than %u KiB"), GDELT_MAX_LINE / 1024);
            }
          discarding = TRUE;
          start = end = 0;
        }
      else
        {
          memmove (buf, buf + start, end - start);
          end -= start;
          start = 0;
        }

      n = gdelt_read (self, buf + end, capacity - 1 - end, line_no, cancellable, error);
      if (n < 0)
        return FALSE;
      if (n == 0)
        at_end = TRUE;
      end += n;
    }
}

static gboolean
gdelt_import_init (GdeltImport                *self,
                   const char                 *path,
                   const ChanceryGdeltOptions *options,
                   ChanceryImportReport       *report,
                   GError                    **error)
{
  memset (self, 0, sizeof *self);
  self->path = path;
  self->report = report;

  if (options == NULL || options->cameo_roots == NULL)
    {
      for (guint root = 1; root <= 6; root++)
        self->keep_root[root] = TRUE;
    }
  else
    {
      for (guint i = 0; options->cameo_roots[i] != NULL; i++)
        {
          const char *text = options->cameo_roots[i];
          guint root = 0;

          if (!is_digits (text, 1, 2) || (root = atoi (text)) < 1 || root > 20)
            {
              g_set_error (error, CHANCERY_ERROR, CHANCERY_ERROR_INVALID_INPUT,
                           _("“%s” is not a CAMEO root code (01 to 20)"), text);
              return FALSE;
            }
          self->keep_root[root] = TRUE;
        }
    }

  if (options != NULL && options->countries != NULL && options->countries[0] != NULL)
    {
      self->countries_filter = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
      for (guint i = 0; options->countries[i] != NULL; i++)
        g_hash_table_add (self->countries_filter, g_ascii_strup (options->countries[i], -1));
      self->countries_kept = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
      self->countries_other_roots = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
    }

  self->seen_countries = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->seen_actors = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->seen_sources = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->checksum = g_checksum_new (G_CHECKSUM_SHA1);
  self->actor_uid[0] = g_string_sized_new (64);
  self->actor_uid[1] = g_string_sized_new (64);
  self->source_uid = g_string_sized_new (32);
  self->event_uid = g_string_sized_new (32);
  self->publisher = g_string_sized_new (64);
  self->title = g_string_sized_new (128);
  self->summary = g_string_sized_new (256);
  self->event.actors = g_ptr_array_sized_new (2);
  self->event.countries = g_ptr_array_sized_new (2);
  self->event.sources = g_ptr_array_sized_new (1);
  self->event.projects = g_ptr_array_new ();
  self->event.links = g_ptr_array_new ();

  return TRUE;
}

gboolean
chancery_import_gdelt_file (ChanceryStore              *store,
                            const char                 *path,
                            const ChanceryGdeltOptions *options,
                            ChanceryImportReport       *report,
                            ChanceryProgressFunc        progress,
                            gpointer                    progress_data,
                            GCancellable               *cancellable,
                            GError                    **error)
{
  ChanceryImportReport local_report;
  guint good_before, skipped_before;
  GdeltImport self;
  gboolean ok = FALSE;

  g_return_val_if_fail (CHANCERY_IS_STORE (store), FALSE);
  g_return_val_if_fail (path != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (report == NULL)
    {
      chancery_import_report_init (&local_report);
      report = &local_report;
    }
  if (report->messages == NULL)
    report->messages = g_ptr_array_new_with_free_func (g_free);

  good_before = report->inserted + report->updated + report->unchanged + report->filtered;
  skipped_before = report->skipped;
  if (!gdelt_import_init (&self, path, options, report, error))
    goto out;
  if (!gdelt_open (&self, cancellable, error))
    goto out;
  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    goto out;

  self.importer = chancery_importer_begin (store, cancellable, error);
  if (self.importer == NULL)
    goto out;

  if (!read_lines (&self, progress, progress_data, cancellable, error))
    goto out;

  /* No rows at all, as an empty JSON file, is refused: importing nothing
   * quietly would hide a failed download. */
  if (self.n_lines_seen == 0)
    {
      if (self.n_bytes == 0)
        g_set_error (error, CHANCERY_ERROR, CHANCERY_ERROR_INVALID_INPUT,
                     _("%s: the file is empty"), path);
      else
        g_set_error (error, CHANCERY_ERROR, CHANCERY_ERROR_INVALID_INPUT,
                     _("%s: the file holds only blank lines, no GDELT rows"), path);
      goto out;
    }

  /* Nothing looked like GDELT: say so rather than import nothing quietly. */
  if (self.layout == NULL)
    {
      g_set_error (error, CHANCERY_ERROR, CHANCERY_ERROR_INVALID_INPUT,
                   _("“%s” is not a GDELT event file: %s"), path, self.first_problem);
      goto out;
    }

  /* Rows in the GDELT layout, but not one well-formed: as wrong as no
   * GDELT row at all. */
  if (report->inserted + report->updated + report->unchanged + report->filtered == good_before)
    {
      guint n_skipped = report->skipped - skipped_before;

      g_set_error (error, CHANCERY_ERROR, CHANCERY_ERROR_INVALID_INPUT,
                   g_dngettext (GETTEXT_PACKAGE, "%s: no well-formed GDELT row (%u malformed: %s)",
                                "%s: no well-formed GDELT row (%u malformed; the first, %s)",
                                n_skipped),
                   path, n_skipped, self.first_problem);
      goto out;
    }

  if (self.n_messages > GDELT_MAX_MESSAGES)
    g_ptr_array_add (report->messages,
                     g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "… and %u more problem",
                                                   "… and %u more problems",
                                                   self.n_messages - GDELT_MAX_MESSAGES),
                                      self.n_messages - GDELT_MAX_MESSAGES));

  report_unused_countries (&self);

  ok = chancery_importer_commit (self.importer, error);
  self.importer = NULL;
  if (ok)
    {
      self.consumed = self.file_size;
      report_progress (&self, progress, progress_data);
    }

out:
  if (self.importer != NULL)
    chancery_importer_abort (self.importer);
  gdelt_import_clear (&self);
  if (report == &local_report)
    chancery_import_report_clear (&local_report);

  return ok;
}
