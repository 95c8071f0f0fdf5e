/* placeholder until the window lands */
#include "config.h"
#include "chancery-application.h"
struct _ChanceryApplication { AdwApplication parent_instance; };
G_DEFINE_FINAL_TYPE (ChanceryApplication, chancery_application, ADW_TYPE_APPLICATION)
static void chancery_application_class_init (ChanceryApplicationClass *klass) { }
static void chancery_application_init (ChanceryApplication *self) { }
ChanceryApplication *chancery_application_new (void)
{ return g_object_new (CHANCERY_TYPE_APPLICATION, "application-id", APP_ID, NULL); }
