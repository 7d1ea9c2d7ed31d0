/* Tabs for the panels that are not built yet. They poll nothing, raise nothing and say
 * plainly that they are not there yet, rather than showing an empty table as if all
 * were well. */
#include <stdlib.h>

#include "panels/panel.h"

static struct panel *planned_create(const struct panel_class *cls, struct app *a);

static void planned_destroy(struct panel *p) { free(p); }

static void planned_fill(struct panel *p, struct table *t)
{
	static const struct column cols[] = {{"", 1, 0, 0}};
	table_init(t, cols, 1);
	t->empty_text = "Not built yet: this panel arrives with the live-panels work (issue #3).";
	(void)p;
}

#define PLANNED(id, nm, ttl)                                                              \
	const struct panel_class id = {                                                   \
		.name = nm, .title = ttl, .create = planned_create, .destroy = planned_destroy, \
		.fill = planned_fill,                                                     \
	}

PLANNED(pools_class, "pools", "Pools");
PLANNED(cache_class, "cache", "Cache");
PLANNED(ratelimits_class, "ratelimits", "Rate limits");
PLANNED(partitions_class, "partitions", "Partitions");

static struct panel *planned_create(const struct panel_class *cls, struct app *a)
{
	struct panel *p = xcalloc(1, sizeof(*p));
	p->cls = cls;
	p->app = a;
	return p;
}
