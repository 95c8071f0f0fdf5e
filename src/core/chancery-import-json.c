/* chancery-import-json.c: not yet written */
#include "chancery-error.h"
