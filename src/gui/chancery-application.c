/* chancery-application.c: the GTK application
 *
 * Copyright 2026 The Chancery developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n.h>

#include "chancery-accessible.h"
#include "chancery-application.h"
#include "chancery-window.h"
#include "chancery-store-private.h"

struct _ChanceryApplication
{
  AdwApplication parent_instance;
};

G_DEFINE_FINAL_TYPE (ChanceryApplication, chancery_application, ADW_TYPE_APPLICATION)

/* The active window, or a new one opening file. */
static ChanceryWindow *
get_or_create_window (ChanceryApplication *self,
                      GFile               *file,
                      gboolean            *created)
{
  GtkWindow *window = gtk_application_get_active_window (GTK_APPLICATION (self));

  *created = window == NULL;
  if (window == NULL)
    window = GTK_WINDOW (chancery_window_new_for_file (self, file));

  return CHANCERY_WINDOW (window);
}

static void
on_quit_activated_cb (GSimpleAction *action,
                      GVariant      *parameter,
                      gpointer       user_data)
{
  GtkApplication *app = GTK_APPLICATION (user_data);
  GList *windows = gtk_application_get_windows (app);

  /* Close windows so that they save their state. */
  while (windows != NULL)
    {
      GList *next = windows->next;
      gtk_window_close (GTK_WINDOW (windows->data));
      windows = next;
    }
}

static void
on_about_activated_cb (GSimpleAction *action,
                       GVariant      *parameter,
                       gpointer       user_data)
{
  static const char *developers[] = { "The Chancery developers", NULL };
  /* Where the bundled dataset comes from (data/kayhan-146663.json). */
  static const char *dataset_sources[] = { "Kayhan, News ID 146663", NULL };
  GtkWindow *parent = gtk_application_get_active_window (GTK_APPLICATION (user_data));
  GtkWidget *about;

  about = g_object_new (ADW_TYPE_ABOUT_WINDOW,
                        "transient-for", parent,
                        "application-name", _("Chancery"),
                        "application-icon", APP_ID,
                        "developer-name", _("The Chancery developers"),
                        "version", PACKAGE_VERSION,
                        "comments", _("Explore the timeline of regional diplomacy: "
                                      "who met whom, when, and what the sources say."),
                        "license-type", GTK_LICENSE_GPL_3_0,
                        "copyright", "© 2026 The Chancery developers",
                        "website", "https://github.com/chancery/chancery",
                        "issue-url", "https://github.com/chancery/chancery/issues",
                        "developers", developers,
                        /* Translators: your names, one per line, as "Name <email>" or "Name https://…". */
                        "translator-credits", _("translator-credits"),
                        NULL);
  adw_about_window_add_acknowledgement_section (ADW_ABOUT_WINDOW (about),
                                                _("Bundled Dataset"), dataset_sources);
  gtk_window_present (GTK_WINDOW (about));
}

static const GActionEntry app_actions[] = {
  { "quit", on_quit_activated_cb },
  { "about", on_about_activated_cb },
};

static void
chancery_application_startup (GApplication *app)
{
  static const char *quit_accels[] = { "<Control>q", NULL };

  G_APPLICATION_CLASS (chancery_application_parent_class)->startup (app);

  g_set_application_name (_("Chancery"));
  gtk_window_set_default_icon_name (APP_ID);
  chancery_accessible_watch_windows ();

  g_action_map_add_action_entries (G_ACTION_MAP (app), app_actions,
                                   G_N_ELEMENTS (app_actions), app);
  gtk_application_set_accels_for_action (GTK_APPLICATION (app), "app.quit", quit_accels);
}

static void
chancery_application_activate (GApplication *app)
{
  ChanceryApplication *self = CHANCERY_APPLICATION (app);
  g_autoptr(GFile) file = g_file_new_for_path (chancery_default_database_path ());
  gboolean created;
  ChanceryWindow *window = get_or_create_window (self, file, &created);

  gtk_window_present (GTK_WINDOW (window));
}

static void
chancery_application_open (GApplication  *app,
                           GFile        **files,
                           int            n_files,
                           const char    *hint)
{
  ChanceryApplication *self = CHANCERY_APPLICATION (app);

  for (int i = 0; i < n_files; i++)
    {
      ChanceryWindow *window;

      /* The first file goes to the active window, each further one to a new window. */
      if (i == 0)
        {
          gboolean created;

          window = get_or_create_window (self, files[i], &created);
          if (!created)
            chancery_window_open_file (window, files[i]);
        }
      else
        window = chancery_window_new_for_file (self, files[i]);

      gtk_window_present (GTK_WINDOW (window));
    }
}

/* A big file opened for the first time has its base cache finished in a
 * thread; quitting right after would leave a partial cache file behind. */
static void
chancery_application_shutdown (GApplication *app)
{
  chancery_store_wait_for_caches ();

  G_APPLICATION_CLASS (chancery_application_parent_class)->shutdown (app);
}

static void
chancery_application_class_init (ChanceryApplicationClass *klass)
{
  GApplicationClass *app_class = G_APPLICATION_CLASS (klass);

  app_class->startup = chancery_application_startup;
  app_class->shutdown = chancery_application_shutdown;
  app_class->activate = chancery_application_activate;
  app_class->open = chancery_application_open;
}

static void
chancery_application_init (ChanceryApplication *self)
{
}

ChanceryApplication *
chancery_application_new (void)
{
  return g_object_new (CHANCERY_TYPE_APPLICATION,
                       "application-id", APP_ID,
                       "flags", G_APPLICATION_HANDLES_OPEN,
                       "resource-base-path", "/io/github/chancery/Chancery",
                       NULL);
}

const char *
chancery_default_database_path (void)
{
  static char *path = NULL;
  const char *env;

  env = g_getenv ("CHANCERY_DATABASE");
  if (env != NULL && *env != '\0')
    return env;

  if (g_once_init_enter (&path))
    {
      char *found;

      if (g_file_test (BUILD_DATADIR "/chancery.db", G_FILE_TEST_IS_REGULAR))
        found = g_strdup (BUILD_DATADIR "/chancery.db");
      else
        found = g_strdup (PKGDATADIR "/chancery.db");

      g_once_init_leave (&path, found);
    }

  return path;
}
