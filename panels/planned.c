#include "panels/planned.h"

#include <stdlib.h>

void planned_destroy(struct panel *p) { free(p); }

void planned_fill(struct panel *p, struct table *t)
{
	static const struct column cols[] = {{"", 1, 0, 0}};
	table_init(t, cols, 1);
	t->empty_text = "Not built yet: this panel arrives with the live-panels work (issue #3).";
	(void)p;
}

struct panel *planned_create(const struct panel_class *cls, struct app *a)
{
	struct panel *p = xcalloc(1, sizeof(*p));
	p->cls = cls;
	p->app = a;
	return p;
}
