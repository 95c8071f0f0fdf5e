/* chancery-import-gdelt.c: placeholder */
#include "chancery-error.h"
