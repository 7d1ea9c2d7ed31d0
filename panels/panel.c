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

void table_reserve(struct table *t, int nrows)
{
	if (nrows <= t->rows_cap)
		return;
	t->rows_cap = nrows;
	t->rows = xrealloc(t->rows, sizeof(*t->rows) * (size_t)t->rows_cap);
}

static struct table_row *new_row(struct table *t)
{
	if (t->nrows == t->rows_cap)
		table_reserve(t, t->rows_cap ? t->rows_cap * 2 : 16);
	struct table_row *r = &t->rows[t->nrows++];
	memset(r, 0, sizeof(*r));
	return r;
}

struct table_row *table_add_row(struct table *t)
{
	struct table_row *r = new_row(t);
	r->cells = xcalloc((size_t)t->ncols, sizeof(struct cell));
	return r;
}

struct table_row *table_add_row_cells(struct table *t, struct cell *cells)
{
	struct table_row *r = new_row(t);
	r->cells = cells;
	r->borrowed = 1;
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
		if (!t->rows[i].borrowed)
			free(t->rows[i].cells);
	free(t->rows);
	t->rows = NULL;
	t->nrows = t->rows_cap = 0;
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
