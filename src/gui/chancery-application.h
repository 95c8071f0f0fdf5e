/* placeholder until the window lands */
#pragma once
#include <adwaita.h>
G_BEGIN_DECLS
#define CHANCERY_TYPE_APPLICATION (chancery_application_get_type ())
G_DECLARE_FINAL_TYPE (ChanceryApplication, chancery_application, CHANCERY, APPLICATION, AdwApplication)
ChanceryApplication *chancery_application_new (void);
G_END_DECLS
