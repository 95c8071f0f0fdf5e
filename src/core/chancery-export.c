/* chancery-export.c: not yet written */
#include "chancery-error.h"
