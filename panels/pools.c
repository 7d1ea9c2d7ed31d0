/* The pools panel (not built yet). */
#include "panels/planned.h"

PLANNED_PANEL(pools_class, "pools", "Pools");
