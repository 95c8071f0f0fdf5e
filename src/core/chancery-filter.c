/* chancery-filter.c: not yet written */
#include "chancery-error.h"
