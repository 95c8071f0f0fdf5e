/* chancery-store.c: not yet written */
#include "chancery-error.h"
