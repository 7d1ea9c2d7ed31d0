/* Partition bounds, the future horizon and evaluation, fed with captured catalogue output. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "panels/partitions_model.h"
#include "src/util.h"
#include "tests/unit/fixture.h"
#include "tests/unit/tap.h"

static const struct partition_thresholds TH = {20, 3600000, 30, 1800000, 100000, 86400000, 24};

static int load(const char *name, struct ptables *pt)
{
	struct rowset rs;
	int rc = fixture_rowset("partitions", name, &rs);
	if (rc == 0)
		rc = ptables_update(pt, &rs);
	rowset_done(&rs);
	if (rc == 0)
		ptables_evaluate(pt, &TH, 1000);
	return rc;
}

static const struct ptable *table(const struct ptables *pt, const char *name)
{
	for (int i = 0; i < pt->n; i++)
		if (!strcmp(pt->t[i].name, name))
			return &pt->t[i];
	return NULL;
}

static void test_bounds(void)
{
	struct bound b;
	double e;
	is_int(parse_pg_time("1970-01-02", &e), 0, "a date parses");
	ok(e == 86400, "1970-01-02 is 86400");
	parse_pg_time("2024-11-01 05:30:00+05:30", &e);
	ok(e == 1730419200, "an offset is applied (%.0f)", e);
	parse_pg_time("2024-02-29 12:00:00.5", &e);
	ok(e == 1709208000.5, "leap day and fractional seconds");
	is_int(parse_pg_time("eu", &e), -1, "not a time");
	bound_parse("FOR VALUES FROM ('2024-11-01 00:00:00+00') TO ('2024-12-01 00:00:00+00')", &b);
	ok(b.kind == BOUND_RANGE && b.is_time && b.to - b.from == 30 * 86400, "a monthly range");
	bound_parse("FOR VALUES FROM (MINVALUE) TO ('2024-01-01')", &b);
	ok(b.kind == BOUND_RANGE && isnan(b.from), "MINVALUE is open");
	bound_parse("FOR VALUES FROM (0) TO (1000)", &b);
	ok(b.kind == BOUND_RANGE && !b.is_time && b.to == 1000, "a numeric range");
	bound_parse("FOR VALUES FROM ('it''s') TO ('z')", &b);
	ok(b.kind == BOUND_RANGE && !b.is_time, "quoted quotes do not confuse the parser");
	bound_parse("FOR VALUES IN ('eu', 'uk')", &b);
	is_int(b.kind, BOUND_LIST, "list");
	bound_parse("FOR VALUES WITH (modulus 2, remainder 0)", &b);
	is_int(b.kind, BOUND_HASH, "hash");
	bound_parse("DEFAULT", &b);
	is_int(b.kind, BOUND_DEFAULT, "default");
	bound_parse("FOR VALUES FROM (", &b);
	is_int(b.kind, BOUND_OTHER, "truncated text is not a range");
	bound_parse(NULL, &b);
	is_int(b.kind, BOUND_OTHER, "NULL bound");
}

static void test_monthly(void)
{
	struct ptables pt = {0};
	is_int(load("monthly.csv", &pt), 0, "lab catalogue parses");
	const struct ptable *t = table(&pt, "conversation_message");
	ok(t != NULL, "conversation_message found");
	if (!t)
		return;
	is_int(t->nparts, 28, "24 past + current + 2 future + default");
	is_str(t->strategy, "range", "range partitioned");
	is_str(t->interval, "monthly", "monthly interval inferred from the bounds");
	is_int(t->ahead, 2, "next month and the month after exist");
	ok(t->default_rows == 0, "default partition empty");
	is_int(t->level, LV_OK, "healthy: %s", t->reason);
	is_int(t->past_retention, 0, "nothing past a 24-month retention");
	ptables_done(&pt);

	load("monthly-one-ahead.csv", &pt);
	t = table(&pt, "conversation_message");
	is_int(t->ahead, 1, "only next month");
	is_int(t->level, LV_WARN, "warn: %s", t->reason);
	ptables_done(&pt);

	load("monthly-next-missing.csv", &pt);
	t = table(&pt, "conversation_message");
	is_int(t->ahead, 0, "next month dropped: the month after does not count");
	is_int(t->level, LV_CRIT, "critical: %s", t->reason);
	ok(strstr(t->reason, "next monthly partition missing") != NULL, "reason names it");
	ptables_done(&pt);

	load("monthly-current-missing.csv", &pt);
	t = table(&pt, "conversation_message");
	is_int(t->current_missing, 1, "no partition for this month");
	is_int(t->level, LV_CRIT, "critical: %s", t->reason);
	ptables_done(&pt);

	load("monthly-default-rows.csv", &pt);
	t = table(&pt, "conversation_message");
	ok(t->default_rows == 42, "rows in the default partition");
	is_int(t->level, LV_CRIT, "critical: %s", t->reason);
	ptables_done(&pt);

	struct partition_thresholds short_retention = TH;
	short_retention.retention_months = 12;
	load("monthly.csv", &pt);
	ptables_evaluate(&pt, &short_retention, 2000);
	t = table(&pt, "conversation_message");
	ok(t->past_retention >= 11 && t->past_retention <= 12, "12-month retention: %d archive candidates", t->past_retention);
	ptables_done(&pt);
}

static void test_mixed(void)
{
	struct ptables pt = {0};
	is_int(load("mixed.csv", &pt), 0, "mixed catalogue parses");
	is_int(pt.n, 4, "four partitioned tables, one without partitions");
	const struct ptable *t = table(&pt, "events_daily");
	is_str(t->interval, "daily", "daily interval");
	is_int(t->ahead, 2, "the next two days exist");
	t = table(&pt, "tenants");
	is_str(t->strategy, "list", "list");
	is_int(t->has_horizon, 0, "list partitioning has no horizon");
	is_int(t->level, LV_OK, "and is ok");
	t = table(&pt, "sessions");
	is_str(t->strategy, "hash", "hash");
	is_int(t->level, LV_WARN, "150000 dead tuples warn: %s", t->reason);
	t = table(&pt, "empty_parent");
	is_int(t->nparts, 0, "a parent without partitions");
	struct rowset rs;
	rowset_from_csv(&rs, "x,y\n1,2\n");
	is_int(ptables_update(&pt, &rs), -1, "a reply of another query is refused");
	rowset_done(&rs);
	ptables_done(&pt);
}

static void test_bloat_sustain(void)
{
	struct ptables pt = {0};
	struct rowset rs;
	rowset_from_csv(&rs, "server_now,parent,strategy,partition,bound,rows_estimate,table_bytes,index_bytes,"
			     "dead_tuples,live_tuples,vacuum_age_s\n"
			     "0,t,h,t_0,\"FOR VALUES WITH (modulus 1, remainder 0)\",75,0,0,25,75,60\n");
	ptables_update(&pt, &rs);
	ptables_evaluate(&pt, &TH, 1000);
	is_int(pt.t[0].level, LV_PENDING, "25%% bloat is pending at first");
	ptables_update(&pt, &rs);
	ptables_evaluate(&pt, &TH, 1000 + 3600000);
	is_int(pt.t[0].level, LV_WARN, "and warns after an hour (state survives a refresh)");
	rowset_done(&rs);
	ptables_done(&pt);
}

int main(void)
{
	test_bounds();
	test_monthly();
	test_mixed();
	test_bloat_sustain();
	return done_testing();
}
