/* The cache panel (not built yet). */
#include "panels/planned.h"

PLANNED_PANEL(cache_class, "cache", "Cache");
