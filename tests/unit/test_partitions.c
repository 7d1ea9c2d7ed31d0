/* Partition bounds, the future horizon and evaluation, fed with captured catalogue output. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

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


/* The ISO shapes pg_get_expr() writes are read by a fast path; it must agree with the
 * general parser (reached here through a fraction of a second or a bare hour offset). */
static void test_time_shapes(void)
{
	static const char *const same[][2] = {
		{"2024-11-01 05:30:00+05:30", "2024-11-01 05:30:00.000+05:30"},
		{"2024-02-29 12:00:00", "2024-02-29 12:00:00.0"},
		{"2024-11-01T23:59:59-08", "2024-11-01T23:59:59.0-08"},
		{"1969-12-31 00:00:00+00", "1969-12-31 00:00:00.00+00"},
		{"2026-01-01", "2026-01-01 00:00:00.0"},
	};
	for (size_t i = 0; i < ARRAY_LEN(same); i++) {
		double a = NAN, b = NAN;
		int ra = parse_pg_time(same[i][0], &a), rb = parse_pg_time(same[i][1], &b);
		ok(ra == 0 && rb == 0 && a == b, "%s = %s (%.0f)", same[i][0], same[i][1], a);
	}
	double e;
	ok(parse_pg_time("2024-11-01T23:59:59-08", &e) == 0 && e == 1730534399, "offset west of UTC adds hours");
	is_int(parse_pg_time("2024-13-01", &e), -1, "month 13 is not a time");
	is_int(parse_pg_time("2024-11-01 BC", &e), -1, "trailing words: not a time (as before)");
	double f;
	ok(parse_pg_time("2024-1-01", &e) == 0 && parse_pg_time("2024-01-01", &f) == 0 && e == f,
	   "a one-digit month still parses (the general path, as before)");
}

/* 20 tables x 250 partitions (249 daily ranges, the last three today and two ahead, and a
 * default), one table with names longer than the 127 characters the model used to keep. */
static void catalogue(struct rowset *rs, int ntables, double now)
{
	struct sbuf sb = {0};
	double today = floor(now / 86400) * 86400;
	char longname[200];
	memset(longname, 'x', 150);
	longname[150] = '\0';
	sbuf_addf(&sb, "server_now,parent,strategy,partition,bound,rows_estimate,table_bytes,index_bytes,dead_tuples,"
		       "live_tuples,vacuum_age_s\n");
	for (int t = 0; t < ntables; t++) {
		for (int k = 0; k < 249; k++) {
			time_t from = (time_t)(today + (k - 246) * 86400.0), to = from + 86400;
			char f[16], u[16];
			strftime(f, sizeof(f), "%Y-%m-%d", gmtime(&from));
			strftime(u, sizeof(u), "%Y-%m-%d", gmtime(&to));
			sbuf_addf(&sb, "%.3f,t%02d,r,t%02d_%s%04d,\"FOR VALUES FROM ('%s') TO ('%s')\",%d,%d,8192,%d,%d,%d\n", now, t,
				  t, t == 7 ? longname : "p", k, f, u, 100 + k, 8192 * (1 + k % 3), k % 7, 100 + k, 60 + k);
		}
		sbuf_addf(&sb, "%.3f,t%02d,r,t%02d_default,DEFAULT,%d,8192,8192,0,0,\n", now, t, t, t == 3 ? 42 : 0);
	}
	rowset_from_csv(rs, sb.buf);
	sbuf_done(&sb);
}

static void test_scale(void)
{
	struct ptables pt = {0};
	struct rowset rs;
	double now = 1795316903.6;
	catalogue(&rs, 20, now);
	is_int(rs.nrows, 5000, "5,000 partitions");
	is_int(ptables_update(&pt, &rs), 0, "parse");
	rowset_done(&rs);
	ptables_evaluate(&pt, &TH, 1000);
	is_int(pt.n, 20, "20 partitioned tables");
	int bad_parts = 0, bad_horizon = 0, bad_sums = 0, bad_level = 0;
	double want_bytes = 8192; /* the default partition */
	double want_dead = 0;
	for (int k = 0; k < 249; k++) {
		want_bytes += 8192 * (1 + k % 3);
		want_dead += k % 7;
	}
	for (int i = 0; i < pt.n; i++) {
		const struct ptable *t = &pt.t[i];
		bad_parts += t->nparts != 250 || strcmp(t->strategy, "range");
		bad_horizon += strcmp(t->interval, "daily") || !t->has_horizon || t->ahead != 2 || t->current_missing;
		bad_sums += t->total_bytes != want_bytes || t->index_bytes != 250 * 8192 || t->dead != want_dead;
		bad_level += t->level != (i == 3 ? LV_CRIT : LV_OK);
	}
	is_int(bad_parts, 0, "250 range partitions each");
	is_int(bad_horizon, 0, "daily, today's partition and two ahead");
	is_int(bad_sums, 0, "sizes and dead tuples summed over all partitions");
	is_int(bad_level, 0, "only the table with rows in its default partition is critical");
	ok(pt.t[3].default_rows == 42, "42 rows in t03's default");
	is_int((int)strlen(pt.t[7].parts[0].name), 4 + 150 + 4, "a long partition name is kept whole");
	is_str(pt.t[7].parts[249].name, "t07_default", "the default partition last");
	is_str(pt.t[7].parts[249].bound_text, "DEFAULT", "with its bound");
	ok(!strncmp(pt.t[0].parts[0].bound_text, "FOR VALUES FROM ('", 18), "bound text kept: %s", pt.t[0].parts[0].bound_text);

	/* a smaller reply next: everything is sized again, state of the remaining tables kept */
	pt.t[1].bloat_warn.since_ms = 777;
	catalogue(&rs, 2, now);
	is_int(ptables_update(&pt, &rs), 0, "a smaller reply");
	rowset_done(&rs);
	is_int(pt.n, 2, "2 tables now");
	is_int(pt.t[1].nparts, 250, "with their partitions");
	is_int((int)pt.t[1].bloat_warn.since_ms, 777, "sustained state kept across replies");
	ptables_done(&pt);

	/* a parent name longer than the model keeps ("schema"."table", quoted, can be): its
	 * partitions still group under one table */
	struct sbuf sb = {0};
	char parent[160];
	memset(parent, 'p', 150);
	parent[150] = '\0';
	sbuf_addf(&sb, "server_now,parent,strategy,partition,bound\n");
	for (int k = 0; k < 3; k++)
		sbuf_addf(&sb, "0,%s,l,part_%d,\"FOR VALUES IN (%d)\"\n", parent, k, k);
	rowset_from_csv(&rs, sb.buf);
	sbuf_done(&sb);
	is_int(ptables_update(&pt, &rs), 0, "a long parent name parses");
	rowset_done(&rs);
	ok(pt.n == 1 && pt.t[0].nparts == 3, "one table of 3 partitions (%d tables)", pt.n);
	ptables_done(&pt);
}

/* A reply without the size columns keeps each partition's last known sizes, found by table
 * and partition name; a partition new since has none until sizes are read again. */
static void test_sizes_carried(void)
{
	struct ptables pt = {0};
	struct rowset rs;
	rowset_from_csv(&rs, "server_now,parent,strategy,partition,bound,rows_estimate,table_bytes,index_bytes,dead_tuples\n"
			     "0,a,l,a_1,\"FOR VALUES IN (1)\",10,1000,100,1\n"
			     "0,a,l,a_2,\"FOR VALUES IN (2)\",10,2000,200,1\n"
			     "0,b,l,b_1,\"FOR VALUES IN (1)\",10,4000,400,1\n"
			     "0,b,l,b_2,\"FOR VALUES IN (2)\",10,8000,800,1\n");
	is_int(ptables_update(&pt, &rs), 0, "a reply with sizes");
	rowset_done(&rs);
	ptables_evaluate(&pt, &TH, 1000);
	ok(pt.t[0].total_bytes == 3000 && pt.t[1].total_bytes == 12000, "sizes summed (%.0f, %.0f)", pt.t[0].total_bytes,
	   pt.t[1].total_bytes);
	/* without sizes: a_2 dropped, a_3 new, b's partitions listed in another order, dead tuples moved */
	rowset_from_csv(&rs, "server_now,parent,strategy,partition,bound,rows_estimate,dead_tuples\n"
			     "0,a,l,a_1,\"FOR VALUES IN (1)\",10,5\n"
			     "0,a,l,a_3,\"FOR VALUES IN (3)\",10,5\n"
			     "0,b,l,b_2,\"FOR VALUES IN (2)\",10,5\n"
			     "0,b,l,b_1,\"FOR VALUES IN (1)\",10,5\n");
	is_int(ptables_update(&pt, &rs), 0, "a reply without sizes");
	rowset_done(&rs);
	ptables_evaluate(&pt, &TH, 2000);
	ok(pt.t[0].parts[0].table_bytes == 1000 && pt.t[0].parts[0].index_bytes == 100, "a_1 keeps its sizes");
	ok(isnan(pt.t[0].parts[1].table_bytes) && isnan(pt.t[0].parts[1].index_bytes), "a_3, new: no size yet");
	ok(pt.t[1].parts[0].table_bytes == 8000 && pt.t[1].parts[1].table_bytes == 4000,
	   "b's found by name, whatever their order");
	ok(pt.t[0].total_bytes == 1000 && pt.t[1].total_bytes == 12000 && pt.t[1].index_bytes == 1200,
	   "totals from the carried sizes (%.0f, %.0f)", pt.t[0].total_bytes, pt.t[1].total_bytes);
	ok(pt.t[0].dead == 10 && pt.t[1].dead == 10, "the rest is this reply's (dead %.0f)", pt.t[0].dead);
	/* and again without sizes: carried twice */
	rowset_from_csv(&rs, "server_now,parent,strategy,partition,bound,rows_estimate\n0,b,l,b_1,\"FOR VALUES IN (1)\",10\n");
	ptables_update(&pt, &rs);
	rowset_done(&rs);
	ok(pt.n == 1 && pt.t[0].parts[0].table_bytes == 4000, "carried again by a second reply without sizes");
	ptables_done(&pt);
}

int main(void)
{
	test_bounds();
	test_time_shapes();
	test_scale();
	test_sizes_carried();
	test_monthly();
	test_mixed();
	test_bloat_sustain();
	return done_testing();
}
