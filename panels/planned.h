/* A tab for a panel that is not built yet: it polls nothing, raises nothing and says so,
 * rather than showing an empty table as if all were well. */
#ifndef OD_PLANNED_H
#define OD_PLANNED_H

#include "panels/panel.h"

struct panel *planned_create(const struct panel_class *cls, struct app *a);
void planned_destroy(struct panel *p);
void planned_fill(struct panel *p, struct table *t);

#define PLANNED_PANEL(id, nm, ttl)                                                        \
	const struct panel_class id = {                                                   \
		.name = nm, .title = ttl, .create = planned_create, .destroy = planned_destroy, \
		.fill = planned_fill,                                                     \
	}

#endif
