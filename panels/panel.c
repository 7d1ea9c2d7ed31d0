#include "panels/panel.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void table_init(struct table *t, const struct column *cols, int ncols)
{
	memset(t, 0, sizeof(*t));
	t->cols = cols;
	t->ncols = ncols;
}

struct table_row *table_add_row(struct table *t)
{
	t->rows = xrealloc(t->rows, sizeof(*t->rows) * (size_t)(t->nrows + 1));
	struct table_row *r = &t->rows[t->nrows++];
	memset(r, 0, sizeof(*r));
	r->cells = xcalloc((size_t)t->ncols, sizeof(struct cell));
	return r;
}

void cell_set(struct cell *c, enum level lv, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(c->text, sizeof(c->text), fmt, ap);
	va_end(ap);
	c->level = lv;
}

void table_done(struct table *t)
{
	for (int i = 0; i < t->nrows; i++)
		free(t->rows[i].cells);
	free(t->rows);
	t->rows = NULL;
	t->nrows = 0;
}

void json_num(cJSON *o, const char *key, double v)
{
	if (isnan(v) || isinf(v))
		cJSON_AddNullToObject(o, key);
	else
		cJSON_AddNumberToObject(o, key, v);
}

void json_str(cJSON *o, const char *key, const char *v)
{
	if (v && *v)
		cJSON_AddStringToObject(o, key, v);
	else
		cJSON_AddNullToObject(o, key);
}
