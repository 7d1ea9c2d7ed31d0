/* PgBouncer parsing and evaluation, fed with captured SHOW output of several versions. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "panels/pools_model.h"
#include "src/util.h"
#include "tests/unit/fixture.h"
#include "tests/unit/tap.h"

static int load(const char *name, struct rowset *rs) { return fixture_rowset("pgbouncer", name, rs); }

static const struct pool_thresholds TH = {80, 120000, 90, 60000, 50, 180000};

static void apply(struct pool_set *set, const char *file, void (*fn)(struct pool_set *, const struct rowset *))
{
	struct rowset rs;
	if (load(file, &rs) == 0)
		fn(set, &rs);
	rowset_done(&rs);
}

static int update(struct pool_set *set, const char *file)
{
	struct rowset rs;
	int rc = load(file, &rs) == 0 ? pools_update(set, &rs) : -1;
	rowset_done(&rs);
	return rc;
}

static void test_118(void)
{
	struct pool_set set = {0};
	set.default_pool_size = NAN;
	is_int(update(&set, "1.18-pools.csv"), 0, "1.18 SHOW POOLS parses");
	is_int(set.n, 1, "the admin pseudo-database is skipped");
	is_str(set.p[0].database, "ywmessaging", "database");
	is_str(set.p[0].pool_mode, "transaction", "pool_mode from 1.18's column");
	ok(isnan(set.p[0].pool_size), "pool size unknown before SHOW DATABASES");
	apply(&set, "1.18-databases.csv", pools_apply_databases);
	is_int((int)set.p[0].pool_size, 10, "pool_size from SHOW DATABASES");
	apply(&set, "1.18-config.csv", pools_apply_config);
	is_int((int)set.default_pool_size, 10, "default_pool_size from SHOW CONFIG");
	is_str(set.default_pool_mode, "transaction", "pool_mode from SHOW CONFIG");
	pools_evaluate(&set, &TH, 1000);
	is_int(set.p[0].level, LV_OK, "healthy pool is ok");
	ok(set.p[0].saturation == 0, "saturation 0%% with no active servers");

	struct rowset st;
	load("1.18-stats.csv", &st);
	pools_apply_stats(&set, &st, 1000);
	ok(isnan(set.p[0].xact_per_s), "no rate from a single SHOW STATS");
	ok(fabs(set.p[0].avg_wait_ms - 0.229) < 1e-9, "first sample: avg_wait_time (us) in ms");
	rowset_done(&st);
	load("1.18-stats-exhausted.csv", &st);
	pools_apply_stats(&set, &st, 3000);
	ok(set.p[0].xact_per_s >= 0, "a rate from two samples (%.1f/s)", set.p[0].xact_per_s);
	rowset_done(&st);

	is_int(update(&set, "1.18-pools-exhausted.csv"), 0, "exhausted pool parses");
	is_int((int)set.p[0].cl_waiting, 10, "cl_waiting 10");
	ok(fabs(set.p[0].maxwait_ms - 3075.353) < 1e-6, "maxwait combines seconds and microseconds");
	pools_evaluate(&set, &TH, 10000);
	is_int(set.p[0].level, LV_WARN, "clients waiting: warn at once");
	ok(set.p[0].saturation == 100, "saturation 100%%");
	pools_evaluate(&set, &TH, 10000 + 59999);
	is_int(set.p[0].level, LV_WARN, "not critical before a minute");
	pools_evaluate(&set, &TH, 10000 + 60000);
	is_int(set.p[0].level, LV_CRIT, "critical once > 90%% for a minute");
	ok(strstr(set.p[0].reason, "saturation") || strstr(set.p[0].reason, "waiting"), "reason: %s", set.p[0].reason);
	is_int(update(&set, "1.18-pools.csv"), 0, "back to normal");
	apply(&set, "1.18-databases.csv", pools_apply_databases);
	pools_evaluate(&set, &TH, 80000);
	is_int(set.p[0].level, LV_OK, "recovers at once when the pool drains");
	pools_done(&set);
}

static void test_versions(void)
{
	struct pool_set set = {0};
	set.default_pool_size = NAN;
	is_int(update(&set, "1.12-pools.csv"), 0, "1.12 column set (no maxwait_us, no pool_mode)");
	is_int(set.n, 2, "two pools");
	is_str(set.p[0].pool_mode, "", "pool_mode unknown from 1.12's SHOW POOLS");
	apply(&set, "1.18-config.csv", pools_apply_config);
	is_str(set.p[0].pool_mode, "transaction", "filled in from SHOW CONFIG");
	is_int((int)set.p[1].pool_size, 10, "pool size falls back to default_pool_size");
	pools_done(&set);

	set.default_pool_size = NAN;
	is_int(update(&set, "1.17-pools.csv"), 0, "1.17 column set");
	ok(fabs(set.p[0].maxwait_ms - 1250) < 1e-9, "1 s + 250000 us = 1250 ms");
	pools_done(&set);

	set.default_pool_size = NAN;
	is_int(update(&set, "1.21-pools.csv"), 0, "1.21 column set with extra columns");
	pools_evaluate(&set, &TH, 1000);
	is_int(set.p[0].level, LV_CRIT, "pool_mode session is critical");
	ok(strstr(set.p[0].reason, "pool_mode") != NULL, "and says why: %s", set.p[0].reason);
	pools_done(&set);

	struct rowset rs;
	rowset_from_csv(&rs, "name,value\nx,1\n");
	is_int(pools_update(&set, &rs), -1, "a reply that is not SHOW POOLS is refused");
	rowset_done(&rs);
}

int main(void)
{
	test_118();
	test_versions();
	return done_testing();
}
