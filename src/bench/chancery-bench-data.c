/* chancery-bench-data.c: a synthetic, realistic, deterministic dataset
 *
 * Copyright 2026 The Chancery developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * One model (countries, actors, projects, sources, places and "crisis"
 * periods) drawn from a seeded GRand, then events drawn one by one from the
 * same generator. The same seed and count give the same events whether they
 * are written straight into a database (through the importer API), as a
 * Chancery JSON file, or as a GDELT 2.0 export (61 tab-separated columns).
 */
#include "config.h"

#include <glib/gstdio.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "chancery-bench.h"
#include "chancery-store-private.h"

#define N_COUNTRIES 200
#define N_ACTORS    5000
#define N_PROJECTS  60
#define N_PLACES    800
#define N_CRISES    40
#define ZIPF_S      1.07

typedef struct
{
  char *code;
  char *name;
} Country;

typedef struct
{
  char  *uid;
  char  *name;
  char  *title;
  guint  country;
} Actor;

typedef struct
{
  gint32 centre;
  gint32 width;     /* standard deviation in days */
  double weight;
} Crisis;

struct _BenchModel
{
  GRand   *rand;
  guint    n_events;
  guint    n_sources;
  gint32   first_day;
  gint32   last_day;
  Country  countries[N_COUNTRIES];
  double   country_cdf[N_COUNTRIES];
  Actor    actors[N_ACTORS];
  double   actor_cdf[N_ACTORS];
  char    *projects[N_PROJECTS];
  char    *project_names[N_PROJECTS];
  char    *places[N_PLACES];
  guint    place_country[N_PLACES];
  Crisis   crises[N_CRISES];
  double   crisis_cdf[N_CRISES];
};

/* Regional countries first: they are the most frequent. */
static const char * const real_countries[][2] = {
  { "IRN", "Iran" }, { "AZE", "Azerbaijan" }, { "ARM", "Armenia" }, { "RUS", "Russia" },
  { "TUR", "Türkiye" }, { "GEO", "Georgia" }, { "KAZ", "Kazakhstan" }, { "TKM", "Turkmenistan" },
  { "CHN", "China" }, { "USA", "United States" }, { "FRA", "France" }, { "DEU", "Germany" },
  { "IND", "India" }, { "PAK", "Pakistan" }, { "IRQ", "Iraq" }, { "UZB", "Uzbekistan" },
};

static const char * const latin_syllables[] = {
  "ab", "ba", "ra", "gh", "chi", "il", "ham", "mam", "ad", "ov", "pa", "shi", "nyan", "ser",
  "gei", "lav", "rov", "mir", "zo", "yan", "kar", "da", "li", "ev", "nik", "ta", "sa", "hu",
};
static const char * const cyrillic_syllables[] = {
  "Ла", "вр", "ов", "Сер", "гей", "Ми", "ха", "ил", "Бо", "рис", "ко", "ва", "ни", "ев",
  "Дми", "трий", "ин", "ен", "ко", "Пе", "сков", "Шой", "гу", "Ан", "дре", "й",
};
static const char * const persian_syllables[] = {
  "عب", "اس", "عر", "اق", "چی", "مس", "عود", "پز", "شک", "یان", "ظر", "یف", "حس",
  "ین", "امی", "ر", "عب", "دال", "لهی", "ان", "رئی", "سی", "قا", "لی", "باف",
};
static const char * const offices[] = {
  "Foreign Minister", "President", "Prime Minister", "Deputy Foreign Minister",
  "Ambassador", "Special Envoy", "Minister of Roads and Urban Development",
  "Министр иностранных дел", "Посол", "وزیر امور خارجه", "سفیر", NULL,
};
static const char * const place_stems[] = {
  "Baku", "Tehran", "Yerevan", "Moscow", "Ankara", "Tbilisi", "Astara", "Rasht", "Nakhchivan",
  "Ganja", "Tabriz", "Gyumri", "Kazan", "Sochi", "Istanbul", "Ashgabat", "Astana", "Meghri",
  "Москва", "Казань", "Ереван", "تهران", "تبریز", "رشت", "آستارا",
};
static const char * const kinds_weighted = "0000111111222233445555555666778899a";
static const char * const statuses_weighted = "000000000000111112223345";

static const char * const latin_titles[] = {
  "%s meets %s in %s to discuss the %s, transit corridors through the South Caucasus and the "
    "next round of the 3+3 regional consultations",
  "Talks between %s and %s in %s on the %s end without a joint statement; both sides "
    "describe them as “frank and constructive”",
  "%s and %s sign a memorandum in %s on financing the %s and on customs procedures at the border",
  "Press conference of %s after the meeting with %s in %s: questions on the %s and on sanctions",
};
static const char * const cyrillic_titles[] = {
  "%s провёл переговоры с %s в городе %s по вопросам проекта «%s» и региональной "
    "транспортной связанности",
  "Встреча %s и %s в %s: стороны обсудили ход реализации проекта «%s» и подготовку "
    "следующего заседания межправкомиссии",
  "%s и %s подписали в %s меморандум о сотрудничестве по проекту «%s»",
};
static const char * const persian_titles[] = {
  "دیدار %s با %s در %s؛ گفتگو درباره %s و همکاری‌های منطقه‌ای در قالب ۳+۳",
  "رایزنی %s و %s در %s درباره پیشرفت %s و تسهیل ترانزیت در قفقاز جنوبی",
  "امضای تفاهم‌نامه میان %s و %s در %s برای تامین مالی %s",
};
static const char * const quote_forms[] = {
  "«%s», — заявил он журналистам.",
  "He said: \"%s\", adding that talks would continue.",
  "“%s,” the ministry said in a statement.",
  "وی گفت: «%s»",
  "%s",
};
static const char * const quote_bodies[] = {
  "we agreed to speed up work on the railway, and to meet again next month",
  "the corridor must serve all the countries of the region, without exception",
  "мы договорились ускорить работу над проектом и провести следующую встречу в Баку",
  "переговоры были откровенными, но не все вопросы сняты",
  "همکاری‌های اقتصادی دو کشور در مسیر درستی قرار دارد",
  "this is a historic day; the border will be open for trade, not for conflict",
};
static const char * const publishers[] = {
  "Kayhan", "IRNA", "TASS", "RIA Novosti", "Azertac", "Armenpress", "Reuters", "Trend",
  "Interfax", "Tasnim", "Mehr", "APA", "News.am", "Eurasianet", "РБК", "ایسنا",
};

static double
rand_double (BenchModel *m)
{
  return g_rand_double (m->rand);
}

static guint
rand_below (BenchModel *m,
            guint       n)
{
  return g_rand_int_range (m->rand, 0, (gint32) n);
}

static double
rand_gauss (BenchModel *m)
{
  double u = MAX (rand_double (m), 1e-12), v = rand_double (m);

  return sqrt (-2.0 * log (u)) * cos (2.0 * G_PI * v);
}

static guint
pick_cdf (BenchModel   *m,
          const double *cdf,
          guint         n)
{
  double u = rand_double (m) * cdf[n - 1];
  guint lo = 0, hi = n - 1;

  while (lo < hi)
    {
      guint mid = (lo + hi) / 2;

      if (cdf[mid] < u)
        lo = mid + 1;
      else
        hi = mid;
    }
  return lo;
}

static void
zipf_cdf (double *cdf,
          guint   n,
          double  s)
{
  double sum = 0;

  for (guint i = 0; i < n; i++)
    {
      sum += 1.0 / pow (i + 1, s);
      cdf[i] = sum;
    }
}

static char *
make_name (BenchModel *m,
           guint       script)
{
  const char * const *syl;
  guint n_syl;
  GString *s = g_string_new (NULL);

  if (script == 0)
    syl = latin_syllables, n_syl = G_N_ELEMENTS (latin_syllables);
  else if (script == 1)
    syl = cyrillic_syllables, n_syl = G_N_ELEMENTS (cyrillic_syllables);
  else
    syl = persian_syllables, n_syl = G_N_ELEMENTS (persian_syllables);

  for (guint word = 0; word < 2; word++)
    {
      guint n = 2 + rand_below (m, 2);

      if (word > 0)
        g_string_append_c (s, ' ');
      for (guint i = 0; i < n; i++)
        {
          const char *part = syl[rand_below (m, n_syl)];

          if (script == 0 && i == 0)
            {
              g_string_append_c (s, g_ascii_toupper (part[0]));
              g_string_append (s, part + 1);
            }
          else
            g_string_append (s, part);
        }
    }

  return g_string_free (s, FALSE);
}

BenchModel *
bench_model_new (guint   n_events,
                 guint32 seed)
{
  BenchModel *m = g_new0 (BenchModel, 1);
  g_autoptr(GHashTable) codes = g_hash_table_new (g_str_hash, g_str_equal);
  double sum;

  m->rand = g_rand_new_with_seed (seed);
  m->n_events = n_events;
  m->n_sources = MAX (200, n_events / 8);
  m->first_day = chancery_day_from_ymd (1996, 1, 1);
  m->last_day = chancery_day_from_ymd (2025, 12, 31);

  for (guint i = 0; i < N_COUNTRIES; i++)
    {
      Country *c = &m->countries[i];

      if (i < G_N_ELEMENTS (real_countries))
        {
          c->code = g_strdup (real_countries[i][0]);
          c->name = g_strdup (real_countries[i][1]);
        }
      else
        {
          do
            {
              g_free (c->code);
              c->code = g_strdup_printf ("%c%c%c", 'A' + rand_below (m, 26),
                                         'A' + rand_below (m, 26), 'A' + rand_below (m, 26));
            }
          while (g_hash_table_contains (codes, c->code));
          c->name = g_strdup_printf ("Republic of %s", make_name (m, i % 3 == 0 ? 1 : 0));
        }
      g_hash_table_add (codes, c->code);
    }
  zipf_cdf (m->country_cdf, N_COUNTRIES, 1.2);

  for (guint i = 0; i < N_ACTORS; i++)
    {
      Actor *a = &m->actors[i];
      const char *office = offices[rand_below (m, G_N_ELEMENTS (offices))];

      a->uid = g_strdup_printf ("actor-%04u", i);
      a->name = make_name (m, i % 5 == 3 ? 1 : i % 5 == 4 ? 2 : 0);
      a->title = g_strdup (office);
      a->country = pick_cdf (m, m->country_cdf, N_COUNTRIES);
    }
  zipf_cdf (m->actor_cdf, N_ACTORS, ZIPF_S);

  for (guint i = 0; i < N_PROJECTS; i++)
    {
      m->projects[i] = g_strdup_printf ("project-%02u", i);
      m->project_names[i] = g_strdup_printf (i % 3 == 0 ? "%s–%s railway" :
                                             i % 3 == 1 ? "%s–%s gas pipeline" : "%s–%s transit corridor",
                                             place_stems[rand_below (m, 18)],
                                             place_stems[rand_below (m, 18)]);
    }

  for (guint i = 0; i < N_PLACES; i++)
    {
      m->places[i] = i < G_N_ELEMENTS (place_stems)
        ? g_strdup (place_stems[i])
        : g_strdup_printf ("%s %u", place_stems[rand_below (m, G_N_ELEMENTS (place_stems))], i);
      m->place_country[i] = pick_cdf (m, m->country_cdf, N_COUNTRIES);
    }

  sum = 0;
  for (guint i = 0; i < N_CRISES; i++)
    {
      Crisis *c = &m->crises[i];

      c->centre = m->first_day + rand_below (m, m->last_day - m->first_day);
      c->width = 3 + rand_below (m, 60);
      c->weight = 0.2 + rand_double (m) * (i % 7 == 0 ? 5 : 1);
      sum += c->weight;
      m->crisis_cdf[i] = sum;
    }

  return m;
}

void
bench_model_free (BenchModel *m)
{
  if (m == NULL)
    return;
  for (guint i = 0; i < N_COUNTRIES; i++)
    {
      g_free (m->countries[i].code);
      g_free (m->countries[i].name);
    }
  for (guint i = 0; i < N_ACTORS; i++)
    {
      g_free (m->actors[i].uid);
      g_free (m->actors[i].name);
      g_free (m->actors[i].title);
    }
  for (guint i = 0; i < N_PROJECTS; i++)
    {
      g_free (m->projects[i]);
      g_free (m->project_names[i]);
    }
  for (guint i = 0; i < N_PLACES; i++)
    g_free (m->places[i]);
  g_rand_free (m->rand);
  g_free (m);
}

const char *
bench_model_top_actor (BenchModel *m)
{
  return m->actors[0].uid;
}

static void
append_day (GString *s,
            gint32   day,
            ChanceryPrecision precision)
{
  int y, mo, d;

  chancery_day_to_ymd (day, &y, &mo, &d);
  if (precision == CHANCERY_PRECISION_YEAR)
    g_string_append_printf (s, "%04d", y);
  else if (precision == CHANCERY_PRECISION_MONTH)
    g_string_append_printf (s, "%04d-%02d", y, mo);
  else
    g_string_append_printf (s, "%04d-%02d-%02d", y, mo, d);
}

/* Bursty: most events cluster around crises, the rest spread with a
 * trend towards recent years (news volume grows). */
static gint32
pick_day (BenchModel *m)
{
  gint32 day;

  if (rand_double (m) < 0.6)
    {
      const Crisis *c = &m->crises[pick_cdf (m, m->crisis_cdf, N_CRISES)];

      day = c->centre + (gint32) (rand_gauss (m) * c->width);
    }
  else
    day = m->first_day + (gint32) ((m->last_day - m->first_day) * sqrt (rand_double (m)));

  return CLAMP (day, m->first_day, m->last_day);
}

static char *
make_date (BenchModel *m)
{
  GString *s = g_string_new (NULL);
  gint32 day = pick_day (m);
  double u = rand_double (m);

  if (u < 0.015)
    {
      g_string_append (s, "../");
      append_day (s, day, CHANCERY_PRECISION_DAY);
    }
  else if (u < 0.03)
    {
      append_day (s, day, CHANCERY_PRECISION_DAY);
      g_string_append (s, "/..");
    }
  else if (u < 0.13)
    {
      if (rand_double (m) < 0.8)
        {
          append_day (s, day, CHANCERY_PRECISION_DAY);
          g_string_append_c (s, '/');
          append_day (s, MIN (day + 1 + (gint32) rand_below (m, 14), m->last_day + 30), CHANCERY_PRECISION_DAY);
        }
      else
        {
          append_day (s, day, CHANCERY_PRECISION_MONTH);
          g_string_append_c (s, '/');
          append_day (s, day + 31 * (1 + (gint32) rand_below (m, 6)), CHANCERY_PRECISION_MONTH);
        }
    }
  else
    {
      double p = rand_double (m);
      double q = rand_double (m);

      append_day (s, day, p < 0.75 ? CHANCERY_PRECISION_DAY :
                          p < 0.90 ? CHANCERY_PRECISION_MONTH : CHANCERY_PRECISION_YEAR);
      if (q < 0.03)
        g_string_append_c (s, '~');
      else if (q < 0.05)
        g_string_append_c (s, '?');
    }

  return g_string_free (s, FALSE);
}

/* A place is always at the same spot, as a geocoded name is in GDELT
 * (one ActionGeo position per feature): spread over the region by the
 * golden ratio, without drawing from the generator. */
static void
place_position (guint   place,
                double *latitude,
                double *longitude)
{
  double a = place * 0.6180339887498949, b = place * 0.4142135623730950;

  *latitude = 35 + (a - floor (a)) * 10;
  *longitude = 40 + (b - floor (b)) * 15;
}

/* Fills each "%s" of template in turn (templates come from tables above,
 * so printf would not check them). */
static char *
fill (const char *template,
      const char *a,
      const char *b,
      const char *c,
      const char *d)
{
  const char *args[] = { a, b, c, d };
  GString *s = g_string_new (NULL);
  guint n = 0;

  for (const char *p = template; *p != '\0'; p++)
    {
      if (p[0] == '%' && p[1] == 's' && n < G_N_ELEMENTS (args))
        {
          g_string_append (s, args[n++]);
          p++;
        }
      else
        g_string_append_c (s, *p);
    }

  return g_string_free (s, FALSE);
}

static char *
bench_event_uid (guint i)
{
  return g_strdup_printf ("ev-%07u", i);
}

static char *
source_uid (guint i)
{
  return g_strdup_printf ("src-%06u", i);
}

ChanceryEvent *
bench_model_next_event (BenchModel *m,
                        guint       i)
{
  ChanceryEvent *ev = chancery_event_new ();
  g_autoptr(GHashTable) seen_countries = g_hash_table_new (g_direct_hash, g_direct_equal);
  guint n_actors = 1 + (rand_double (m) < 0.7) + (rand_double (m) < 0.3) + (rand_double (m) < 0.1);
  guint actors[4];
  guint place = rand_below (m, N_PLACES);
  guint project = rand_below (m, N_PROJECTS);
  guint script = rand_below (m, 10);
  const char *a0, *a1;

  ev->uid = bench_event_uid (i);
  ev->kind = g_ascii_xdigit_value (kinds_weighted[rand_below (m, strlen (kinds_weighted))]);
  ev->status = statuses_weighted[rand_below (m, strlen (statuses_weighted))] - '0';
  ev->date_text = make_date (m);
  if (!chancery_date_parse (ev->date_text, &ev->date, NULL))
    g_error ("bench: generated an invalid date “%s”", ev->date_text);

  for (guint k = 0; k < n_actors; k++)
    {
      ChanceryEventActor *a = g_new0 (ChanceryEventActor, 1);
      gboolean dup;

      do
        {
          actors[k] = pick_cdf (m, m->actor_cdf, N_ACTORS);
          dup = FALSE;
          for (guint j = 0; j < k; j++)
            dup |= actors[j] == actors[k];
        }
      while (dup);

      a->uid = g_strdup (m->actors[actors[k]].uid);
      a->role = k == 0 ? CHANCERY_ROLE_HOST : k == 1 ? CHANCERY_ROLE_GUEST :
                rand_below (m, 2) ? CHANCERY_ROLE_PARTICIPANT : CHANCERY_ROLE_MENTIONED;
      g_ptr_array_add (ev->actors, a);

      if (!g_hash_table_contains (seen_countries, GUINT_TO_POINTER (m->actors[actors[k]].country + 1)))
        {
          ChanceryEventCountry *c = g_new0 (ChanceryEventCountry, 1);

          g_hash_table_add (seen_countries, GUINT_TO_POINTER (m->actors[actors[k]].country + 1));
          c->code = g_strdup (m->countries[m->actors[actors[k]].country].code);
          g_ptr_array_add (ev->countries, c);
        }
    }

  a0 = m->actors[actors[0]].name;
  a1 = n_actors > 1 ? m->actors[actors[1]].name : m->countries[m->actors[actors[0]].country].name;
  if (script < 6)
    ev->title = fill (latin_titles[rand_below (m, G_N_ELEMENTS (latin_titles))],
                                 a0, a1, m->places[place], m->project_names[project]);
  else if (script < 8)
    ev->title = fill (cyrillic_titles[rand_below (m, G_N_ELEMENTS (cyrillic_titles))],
                                 a0, a1, m->places[place], m->project_names[project]);
  else
    ev->title = fill (persian_titles[rand_below (m, G_N_ELEMENTS (persian_titles))],
                                 a0, a1, m->places[place], m->project_names[project]);

  if (rand_double (m) < 0.7)
    ev->summary = g_strdup_printf ("The sides discussed %s, border crossings and trade; "
                                   "%s invited %s to visit %s. Стороны договорились продолжить "
                                   "консультации. طرفین بر ادامه گفتگوها تاکید کردند.",
                                   m->project_names[project], a0, a1, m->places[rand_below (m, N_PLACES)]);

  if (rand_double (m) < 0.8)
    {
      ev->place_name = g_strdup (m->places[place]);
      ev->place_country = g_strdup (m->countries[m->place_country[place]].code);
      if (rand_double (m) < 0.5)
        {
          ev->has_coordinates = TRUE;
          place_position (place, &ev->latitude, &ev->longitude);
        }
    }

  if (rand_double (m) < 0.25)
    {
      ChanceryEventProject *p = g_new0 (ChanceryEventProject, 1);

      p->uid = g_strdup (m->projects[project]);
      g_ptr_array_add (ev->projects, p);
    }

  for (guint k = 0, n = 1 + (rand_double (m) < 0.3); k < n; k++)
    {
      ChanceryEventSource *s = g_new0 (ChanceryEventSource, 1);
      guint src = (guint) ((double) i / MAX (m->n_events, 1) * m->n_sources + k * 7 + rand_below (m, 20)) % m->n_sources;

      s->uid = source_uid (src);
      if (k > 0 && g_str_equal (s->uid, ((ChanceryEventSource *) g_ptr_array_index (ev->sources, 0))->uid))
        {
          g_free (s->uid);
          s->uid = source_uid ((src + 1) % m->n_sources);
        }
      if (rand_double (m) < 0.85)
        s->quote = fill (quote_forms[rand_below (m, G_N_ELEMENTS (quote_forms))],
                         quote_bodies[rand_below (m, G_N_ELEMENTS (quote_bodies))], NULL, NULL, NULL);
      g_ptr_array_add (ev->sources, s);
    }

  if (i > 10 && rand_double (m) < 0.01)
    {
      ChanceryEventLink *l = g_new0 (ChanceryEventLink, 1);

      l->uid = bench_event_uid (i - 1 - rand_below (m, 10));
      l->relation = g_strdup (rand_below (m, 2) ? "follows" : "part-of");
      l->outgoing = TRUE;
      g_ptr_array_add (ev->links, l);
    }

  if (rand_double (m) < 0.2)
    ev->cameo = g_strdup_printf ("0%u%u", 1 + rand_below (m, 5), rand_below (m, 10));
  ev->importance = rand_double (m) < 0.5 ? 0 : floor (rand_double (m) * 100) / 100;

  return ev;
}

/* Database */

static void
source_fields (BenchModel *m,
               guint       i,
               char      **publisher,
               char      **title,
               char      **reference,
               char      **url,
               char      **published)
{
  gint32 day = m->first_day + (gint32) ((gint64) i * (m->last_day - m->first_day) / MAX (m->n_sources, 1));
  const char *pub = publishers[i % G_N_ELEMENTS (publishers)];

  *publisher = g_strdup (pub);
  *title = i % 3 == 0 ? g_strdup_printf ("Report %u on regional talks", i) : NULL;
  *reference = g_strdup_printf ("News ID %u", 100000 + i);
  *url = i % 2 == 0 ? g_strdup_printf ("https://news.example/%s/%u", pub, 100000 + i) : NULL;
  *published = chancery_day_to_iso (day);
}

gboolean
bench_write_database (BenchModel  *m,
                      const char  *path,
                      GError     **error)
{
  g_autoptr(ChanceryStore) store = NULL;
  ChanceryImporter *importer;

  if (g_file_test (path, G_FILE_TEST_EXISTS) && g_unlink (path) != 0)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "%s: cannot replace", path);
      return FALSE;
    }

  store = chancery_store_open (path, CHANCERY_STORE_READ_WRITE | CHANCERY_STORE_CREATE, NULL, error);
  if (store == NULL || !(importer = chancery_importer_begin (store, NULL, error)))
    return FALSE;

  for (guint i = 0; i < N_COUNTRIES; i++)
    if (!chancery_importer_put_country (importer, m->countries[i].code, m->countries[i].name, error))
      goto fail;
  for (guint i = 0; i < N_ACTORS; i++)
    if (!chancery_importer_put_actor (importer, m->actors[i].uid, m->actors[i].name, m->actors[i].title,
                                      m->countries[m->actors[i].country].code, error))
      goto fail;
  for (guint i = 0; i < N_PROJECTS; i++)
    {
      const char *countries[] = { "IRN", "AZE", "RUS", NULL };

      if (!chancery_importer_put_project (importer, m->projects[i], m->project_names[i],
                                          "A regional infrastructure project", countries, error))
        goto fail;
    }
  for (guint i = 0; i < m->n_sources; i++)
    {
      g_autofree char *uid = source_uid (i);
      g_autofree char *publisher = NULL, *title = NULL, *reference = NULL, *url = NULL, *published = NULL;

      source_fields (m, i, &publisher, &title, &reference, &url, &published);
      if (!chancery_importer_put_source (importer, uid, publisher, title, reference, url, published, error))
        goto fail;
    }
  for (guint i = 0; i < m->n_events; i++)
    {
      g_autoptr(ChanceryEvent) ev = bench_model_next_event (m, i);

      if (!chancery_importer_put_event (importer, ev, NULL, error))
        goto fail;
      if (i % 100000 == 99999)
        g_printerr ("  %u events\n", i + 1);
    }

  if (!chancery_importer_commit (importer, error))
    return FALSE;
  return chancery_store_set_name (store, "Synthetic benchmark dataset", error);

fail:
  chancery_importer_abort (importer);
  return FALSE;
}

/* JSON */

static void
put_json_string (FILE       *f,
                 const char *s)
{
  fputc ('"', f);
  for (const char *p = s; *p != '\0'; p++)
    {
      guchar c = *p;

      if (c == '"' || c == '\\')
        {
          fputc ('\\', f);
          fputc (c, f);
        }
      else if (c == '\n')
        fputs ("\\n", f);
      else if (c < 0x20)
        fprintf (f, "\\u%04x", c);
      else
        fputc (c, f);
    }
  fputc ('"', f);
}

static void
put_json_member (FILE       *f,
                 gboolean   *first,
                 const char *name,
                 const char *value)
{
  if (value == NULL)
    return;
  if (!*first)
    fputs (", ", f);
  *first = FALSE;
  put_json_string (f, name);
  fputs (": ", f);
  put_json_string (f, value);
}

static void
put_json_event (FILE                *f,
                const ChanceryEvent *ev)
{
  gboolean first = TRUE;

  fputc ('{', f);
  put_json_member (f, &first, "id", ev->uid);
  put_json_member (f, &first, "kind", chancery_kind_to_string (ev->kind));
  put_json_member (f, &first, "status", chancery_status_to_string (ev->status));
  put_json_member (f, &first, "title", ev->title);
  put_json_member (f, &first, "summary", ev->summary);
  put_json_member (f, &first, "date", ev->date_text);
  if (ev->place_name != NULL)
    {
      gboolean pfirst = TRUE;

      fputs (", \"place\": {", f);
      put_json_member (f, &pfirst, "name", ev->place_name);
      put_json_member (f, &pfirst, "country", ev->place_country);
      if (ev->has_coordinates)
        fprintf (f, ", \"lat\": %.4f, \"lon\": %.4f", ev->latitude, ev->longitude);
      fputc ('}', f);
    }
  fputs (", \"actors\": [", f);
  for (guint k = 0; k < ev->actors->len; k++)
    {
      const ChanceryEventActor *a = g_ptr_array_index (ev->actors, k);
      gboolean afirst = TRUE;

      fputs (k > 0 ? ", {" : "{", f);
      put_json_member (f, &afirst, "actor", a->uid);
      put_json_member (f, &afirst, "role", chancery_role_to_string (a->role));
      fputc ('}', f);
    }
  fputs ("], \"countries\": [", f);
  for (guint k = 0; k < ev->countries->len; k++)
    {
      if (k > 0)
        fputs (", ", f);
      put_json_string (f, ((ChanceryEventCountry *) g_ptr_array_index (ev->countries, k))->code);
    }
  fputs ("], \"projects\": [", f);
  for (guint k = 0; k < ev->projects->len; k++)
    {
      if (k > 0)
        fputs (", ", f);
      put_json_string (f, ((ChanceryEventProject *) g_ptr_array_index (ev->projects, k))->uid);
    }
  fputs ("], \"sources\": [", f);
  for (guint k = 0; k < ev->sources->len; k++)
    {
      const ChanceryEventSource *s = g_ptr_array_index (ev->sources, k);
      gboolean sfirst = TRUE;

      fputs (k > 0 ? ", {" : "{", f);
      put_json_member (f, &sfirst, "source", s->uid);
      put_json_member (f, &sfirst, "quote", s->quote);
      fputc ('}', f);
    }
  fputs ("], \"related\": [", f);
  for (guint k = 0; k < ev->links->len; k++)
    {
      const ChanceryEventLink *l = g_ptr_array_index (ev->links, k);
      gboolean lfirst = TRUE;

      fputs (k > 0 ? ", {" : "{", f);
      put_json_member (f, &lfirst, "event", l->uid);
      put_json_member (f, &lfirst, "relation", l->relation);
      fputc ('}', f);
    }
  fputc (']', f);
  if (ev->cameo != NULL)
    {
      fputs (", ", f);
      put_json_string (f, "cameo");
      fputs (": ", f);
      put_json_string (f, ev->cameo);
    }
  if (ev->importance != 0)
    fprintf (f, ", \"importance\": %.2f", ev->importance);
  fputc ('}', f);
}

static gboolean
close_file (FILE        *f,
            const char  *path,
            GError     **error)
{
  if (ferror (f) | (fclose (f) != 0))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "%s: write failed", path);
      return FALSE;
    }
  return TRUE;
}

gboolean
bench_write_json (BenchModel  *m,
                  const char  *path,
                  GError     **error)
{
  FILE *f = fopen (path, "w");

  if (f == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "%s: cannot write", path);
      return FALSE;
    }
  setvbuf (f, NULL, _IOFBF, 1 << 20);

  fputs ("{\n  \"format\": \"chancery\",\n  \"version\": 1,\n"
         "  \"name\": \"Synthetic benchmark dataset\",\n  \"countries\": [", f);
  for (guint i = 0; i < N_COUNTRIES; i++)
    {
      gboolean first = TRUE;

      fputs (i > 0 ? ",\n    {" : "\n    {", f);
      put_json_member (f, &first, "code", m->countries[i].code);
      put_json_member (f, &first, "name", m->countries[i].name);
      fputc ('}', f);
    }
  fputs ("\n  ],\n  \"sources\": [", f);
  for (guint i = 0; i < m->n_sources; i++)
    {
      g_autofree char *uid = source_uid (i);
      g_autofree char *publisher = NULL, *title = NULL, *reference = NULL, *url = NULL, *published = NULL;
      gboolean first = TRUE;

      source_fields (m, i, &publisher, &title, &reference, &url, &published);
      fputs (i > 0 ? ",\n    {" : "\n    {", f);
      put_json_member (f, &first, "id", uid);
      put_json_member (f, &first, "publisher", publisher);
      put_json_member (f, &first, "title", title);
      put_json_member (f, &first, "reference", reference);
      put_json_member (f, &first, "url", url);
      put_json_member (f, &first, "published", published);
      fputc ('}', f);
    }
  fputs ("\n  ],\n  \"actors\": [", f);
  for (guint i = 0; i < N_ACTORS; i++)
    {
      gboolean first = TRUE;

      fputs (i > 0 ? ",\n    {" : "\n    {", f);
      put_json_member (f, &first, "id", m->actors[i].uid);
      put_json_member (f, &first, "name", m->actors[i].name);
      put_json_member (f, &first, "title", m->actors[i].title);
      put_json_member (f, &first, "country", m->countries[m->actors[i].country].code);
      fputc ('}', f);
    }
  fputs ("\n  ],\n  \"projects\": [", f);
  for (guint i = 0; i < N_PROJECTS; i++)
    {
      gboolean first = TRUE;

      fputs (i > 0 ? ",\n    {" : "\n    {", f);
      put_json_member (f, &first, "id", m->projects[i]);
      put_json_member (f, &first, "name", m->project_names[i]);
      put_json_member (f, &first, "description", "A regional infrastructure project");
      fputs (", \"countries\": [\"IRN\", \"AZE\", \"RUS\"]}", f);
    }
  fputs ("\n  ],\n  \"events\": [", f);
  for (guint i = 0; i < m->n_events; i++)
    {
      g_autoptr(ChanceryEvent) ev = bench_model_next_event (m, i);

      fputs (i > 0 ? ",\n    " : "\n    ", f);
      put_json_event (f, ev);
    }
  fputs ("\n  ]\n}\n", f);

  return close_file (f, path, error);
}

/* GDELT 2.0 export: 61 tab-separated columns, no header. */

static const char * const gdelt_codes[] = {
  "010", "012", "020", "036", "040", "042", "043", "046", "051", "057", "061", "190",
};

gboolean
bench_write_gdelt (BenchModel  *m,
                   const char  *path,
                   GError     **error)
{
  FILE *f = fopen (path, "w");

  if (f == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "%s: cannot write", path);
      return FALSE;
    }
  setvbuf (f, NULL, _IOFBF, 1 << 20);

  for (guint i = 0; i < m->n_events; i++)
    {
      gint32 day = pick_day (m);
      const Actor *a1 = &m->actors[pick_cdf (m, m->actor_cdf, N_ACTORS)];
      const Actor *a2 = &m->actors[pick_cdf (m, m->actor_cdf, N_ACTORS)];
      const char *code = gdelt_codes[rand_below (m, G_N_ELEMENTS (gdelt_codes))];
      const char *c1 = m->countries[a1->country].code;
      const char *c2 = m->countries[a2->country].code;
      guint place = rand_below (m, N_PLACES);
      double lat, lon;
      int y, mo, d;
      char upper1[64], upper2[64];

      place_position (place, &lat, &lon);
      chancery_day_to_ymd (day, &y, &mo, &d);
      g_snprintf (upper1, sizeof upper1, "%s", a1->name);
      g_snprintf (upper2, sizeof upper2, "%s", a2->name);

      /* 0-4: id and dates */
      fprintf (f, "%u\t%04d%02d%02d\t%04d%02d\t%04d\t%.4f\t", 1000000000u + i, y, mo, d, y, mo, y,
               y + (mo * 30 + d) / 365.0);
      /* 5-14, 15-24: actors */
      fprintf (f, "%sGOV\t%s\t%s\t\t\t\t\tGOV\t\t\t", c1, upper1, c1);
      fprintf (f, "%sGOV\t%s\t%s\t\t\t\t\tGOV\t\t\t", c2, upper2, c2);
      /* 25-34: event */
      fprintf (f, "%d\t%s\t%.3s\t%.2s\t%d\t%.1f\t%u\t%u\t%u\t%.6f\t",
               rand_below (m, 2), code, code, code, 1 + rand_below (m, 4),
               rand_double (m) * 20 - 10, 1 + rand_below (m, 50), 1 + rand_below (m, 5),
               1 + rand_below (m, 10), rand_double (m) * 10 - 5);
      /* 35-42, 43-50, 51-58: geography */
      for (guint g = 0; g < 3; g++)
        fprintf (f, "4\t%s, %s\t%.2s\t%.2s01\t\t%.4f\t%.4f\t-%u\t", m->places[place],
                 m->countries[m->place_country[place]].name, c1, c1, lat, lon, 100000 + place);
      /* 59-60 */
      fprintf (f, "%04d%02d%02d%02u%02u00\thttps://news.example/%u\n", y, mo, d,
               rand_below (m, 24), rand_below (m, 4) * 15, i);
    }

  return close_file (f, path, error);
}
