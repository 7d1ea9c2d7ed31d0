/* The ratelimits panel (not built yet). */
#include "panels/planned.h"

PLANNED_PANEL(ratelimits_class, "ratelimits", "Rate limits");
