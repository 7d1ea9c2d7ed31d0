/* The health panel (not built yet). */
#include "panels/planned.h"

PLANNED_PANEL(health_class, "health", "Health");
