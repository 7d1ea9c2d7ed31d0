/* The partitions panel (not built yet). */
#include "panels/planned.h"

PLANNED_PANEL(partitions_class, "partitions", "Partitions");
