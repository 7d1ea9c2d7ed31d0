/* The pools panel compiled into panels-bench, so the benchmark drives its own callbacks and
 * fill (static in panels/pools.c) exactly as the connector and the console do. */
#define pools_class bench_pools_class
#include "panels/pools.c"

#include "tests/helpers/panels-bench.h"

struct panel *bench_pools_new(struct app *a) { return pools_create(&bench_pools_class, a); }

void bench_pools_refresh(struct panel *p, struct rowset *pools, struct rowset *stats, struct rowset *dbs,
			 struct rowset *cfg)
{
	if (dbs)
		on_databases(p, dbs, 1, NULL);
	if (cfg)
		on_config(p, cfg, 1, NULL);
	on_stats(p, stats, 1, NULL);
	self(p)->busy = 1;
	on_pools(p, pools, 1, NULL);
}
