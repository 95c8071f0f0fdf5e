/* chancery-event.c
 *
 * Copyright 2026 The Chancery developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "chancery-event.h"

static void
actor_free (gpointer data)
{
  ChanceryEventActor *actor = data;

  g_free (actor->uid);
  g_free (actor->name);
  g_free (actor->title);
  g_free (actor->country);
  g_free (actor->country_name);
  g_free (actor);
}

static void
country_free (gpointer data)
{
  ChanceryEventCountry *country = data;

  g_free (country->code);
  g_free (country->name);
  g_free (country);
}

static void
project_free (gpointer data)
{
  ChanceryEventProject *project = data;

  g_free (project->uid);
  g_free (project->name);
  g_free (project);
}

static void
source_free (gpointer data)
{
  ChanceryEventSource *source = data;

  g_free (source->uid);
  g_free (source->publisher);
  g_free (source->title);
  g_free (source->reference);
  g_free (source->url);
  g_free (source->published);
  g_free (source->quote);
  g_free (source);
}

static void
link_free (gpointer data)
{
  ChanceryEventLink *link = data;

  g_free (link->uid);
  g_free (link->title);
  g_free (link->relation);
  g_free (link);
}

ChanceryEvent *
chancery_event_new (void)
{
  ChanceryEvent *event = g_new0 (ChanceryEvent, 1);

  event->actors = g_ptr_array_new_with_free_func (actor_free);
  event->countries = g_ptr_array_new_with_free_func (country_free);
  event->projects = g_ptr_array_new_with_free_func (project_free);
  event->sources = g_ptr_array_new_with_free_func (source_free);
  event->links = g_ptr_array_new_with_free_func (link_free);

  return event;
}

void
chancery_event_free (ChanceryEvent *event)
{
  if (event == NULL)
    return;

  g_free (event->uid);
  g_free (event->title);
  g_free (event->summary);
  g_free (event->date_text);
  g_free (event->place_name);
  g_free (event->place_country);
  g_free (event->place_country_name);
  g_free (event->cameo);
  g_ptr_array_unref (event->actors);
  g_ptr_array_unref (event->countries);
  g_ptr_array_unref (event->projects);
  g_ptr_array_unref (event->sources);
  g_ptr_array_unref (event->links);
  g_free (event);
}
