/* placeholder */
#include <adwaita.h>
