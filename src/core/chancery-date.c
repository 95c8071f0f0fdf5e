/* chancery-date.c: not yet written */
#include "chancery-error.h"
