/* panels-bench: the panels' entry points it drives (each compiled from the panel's own file). */
#ifndef OD_PANELS_BENCH_H
#define OD_PANELS_BENCH_H

#include <stddef.h>

struct app;
struct panel;
struct rowset;

struct panel *bench_pools_new(struct app *a);
/* One refresh as the connector delivers it: dbs and cfg may be NULL (fetched every 10th). */
void bench_pools_refresh(struct panel *p, struct rowset *pools, struct rowset *stats, struct rowset *dbs,
			 struct rowset *cfg);

struct panel *bench_partitions_new(struct app *a);
void bench_partitions_refresh(struct panel *p, struct rowset *rs);

#endif
