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
