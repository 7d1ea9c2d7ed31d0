/* The partitions panel compiled into panels-bench (see panels-bench-pools.c). */
#define partitions_class bench_partitions_class
#include "panels/partitions.c"

#include "tests/helpers/panels-bench.h"

struct panel *bench_partitions_new(struct app *a) { return partitions_create(&bench_partitions_class, a); }

void bench_partitions_refresh(struct panel *p, struct rowset *rs)
{
	self(p)->busy = 1;
	on_result(p, rs, 1, NULL);
}

int bench_partitions_fill(struct panel *p, char *first, size_t n)
{
	struct table t;
	partitions_fill(p, &t);
	int rows = t.nrows;
	if (first && n)
		snprintf(first, n, "%s %s %s %s %s", rows ? t.rows[0].cells[0].text : "-", rows ? t.rows[0].cells[1].text : "-",
			 rows ? t.rows[0].cells[3].text : "-", rows ? t.rows[0].cells[5].text : "-",
			 rows ? t.rows[0].cells[7].text : "-");
	table_done(&t);
	return rows;
}

void bench_partitions_free(struct panel *p) { partitions_destroy(p); }
