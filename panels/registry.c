/* Every panel class. Adding a panel = one file + one line here. */
#include "panels/panel.h"

extern const struct panel_class replicas_class;
extern const struct panel_class pools_class;
extern const struct panel_class cache_class;
extern const struct panel_class ratelimits_class;
extern const struct panel_class partitions_class;
extern const struct panel_class health_class;

/* the tabs, in order */
const struct panel_class *const panel_classes[] = {
	&replicas_class, &pools_class, &cache_class, &ratelimits_class, &partitions_class,
};
const int panel_class_count = (int)ARRAY_LEN(panel_classes);

/* the always-visible health strip: fill() gives one row */
const struct panel_class *const strip_class = &health_class;
