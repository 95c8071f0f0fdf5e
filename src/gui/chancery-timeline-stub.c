/* placeholder until the timeline lands */
#include "chancery-error.h"
#include "chancery-timeline.h"
gboolean chancery_timeline_render_to_file (ChanceryIndex *index, double start, double end, int width, int height, gboolean dark, const char *format, const char *path, GError **error)
{ g_set_error (error, CHANCERY_ERROR, CHANCERY_ERROR_FAILED, "not yet"); return FALSE; }
