/* PgBouncer parsing and evaluation, fed with captured SHOW output of several versions. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "panels/panel.h"
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


/* Column lookups resolved once give the same cells as lookups by name. */
static void test_columns(void)
{
	struct rowset rs;
	rowset_from_csv(&rs, "a,b,c\n1,x,\n2.5,y,7\n");
	int b = rowset_col(&rs, "b"), c = rowset_col(&rs, "c"), ok_;
	is_int(b, 1, "rowset_col finds a column by name");
	is_int(rowset_col(&rs, "nope"), -1, "and -1 for a missing one");
	is_str(rowset_get(&rs, 1, b), rowset_val(&rs, 1, "b"), "rowset_get(col) = rowset_val(name)");
	ok(rowset_num_at(&rs, 1, c, &ok_) == 7 && ok_, "rowset_num_at reads a number");
	ok(isnan(rowset_num_at(&rs, 0, c, &ok_)) && !ok_, "NULL cell: not a number");
	ok(isnan(rowset_num_at(&rs, 0, -1, &ok_)) && !ok_, "missing column: not a number");
	ok(isnan(rowset_num_at(&rs, 0, b, &ok_)) && !ok_, "text cell: not a number");
	rowset_done(&rs);

	/* integers take a path without strtod: same values as strtod, edge cases included */
	rowset_from_csv(&rs, "v\n0\n-0\n-12\n007\n999999999999999\n1234567890123456789\n12a\n-\n1e3\n 5\n"
			     "-999999999999999\n18446744073709551617\n");
	const double want[] = {0, -0.0, -12, 7, 999999999999999.0, 1234567890123456789.0, NAN, NAN, 1000, 5,
			       -999999999999999.0, 18446744073709551617.0};
	int same = 1;
	for (int r = 0; r < rs.nrows; r++) {
		double v = rowset_num_at(&rs, r, 0, &ok_);
		if (isnan(want[r]) ? (ok_ || !isnan(v)) : (!ok_ || v != want[r] || signbit(v) != signbit(want[r]))) {
			printf("# row %d: %s -> %g (ok %d), want %g\n", r, rowset_get(&rs, r, 0), v, ok_, want[r]);
			same = 0;
		}
	}
	ok(same && rs.nrows == 12, "integer cells read as strtod reads them (sign of zero, 16+ digits, junk)");
	rowset_done(&rs);
}

/* 500 pools: 250 databases x 2 users. SHOW POOLS lists them in one order, SHOW STATS and
 * SHOW DATABASES (one row per database) in others, so a positional join would be wrong. */
#define NDB 250
static int perm(int i, int n, int step) { return (i * step) % n; } /* step coprime with n */

static void synthetic(struct rowset *rs, const char *kind, int r, int ndb)
{
	struct sbuf sb = {0};
	if (!strcmp(kind, "pools")) {
		sbuf_addf(&sb, "database,user,cl_active,cl_waiting,sv_active,sv_idle,sv_used,sv_login,maxwait,maxwait_us,pool_mode\n"
			       "pgbouncer,pgbouncer,1,0,0,0,0,0,0,0,statement\n");
		for (int k = 0; k < ndb * 2; k++) {
			int i = perm(k, ndb * 2, 7), db = i / 2;
			sbuf_addf(&sb, "db%03d,%s,%d,%d,%d,1,0,0,0,%d,%s\n", db, i % 2 ? "app" : "ops", db % 5, (db + r) % 9 == 0,
				  db % 4, db * 10, db % 50 ? "transaction" : "");
		}
	} else if (!strcmp(kind, "stats")) {
		sbuf_addf(&sb, "database,total_xact_count,total_query_count,total_wait_time,avg_wait_time\n");
		for (int k = 0; k < ndb; k++) {
			int db = perm(k, ndb, 13);
			sbuf_addf(&sb, "db%03d,%d,%d,%d,%d\n", db, (r + 1) * db, (r + 1) * db * 2, (r + 1) * db * 100, db);
		}
	} else {
		sbuf_addf(&sb, "name,pool_size,pool_mode\n");
		for (int k = 0; k < ndb; k++) {
			int db = perm(k, ndb, 17);
			sbuf_addf(&sb, "db%03d,%d,%s\n", db, db % 10 ? 4 + db % 5 : 0, db % 50 ? "" : "session");
		}
	}
	rowset_from_csv(rs, sb.buf);
	sbuf_done(&sb);
}

static void refresh(struct pool_set *set, int r, int ndb, int64_t now)
{
	struct rowset pools, stats, dbs;
	synthetic(&pools, "pools", r, ndb);
	synthetic(&stats, "stats", r, ndb);
	synthetic(&dbs, "databases", r, ndb);
	pools_apply_stats(set, &stats, now); /* before SHOW POOLS, as the panel queues them */
	pools_update(set, &pools);
	pools_apply_databases(set, &dbs);
	rowset_done(&pools);
	rowset_done(&stats);
	rowset_done(&dbs);
}

static void test_join_500(void)
{
	struct pool_set set = {0};
	set.default_pool_size = NAN;
	set.hist_cap = 4;
	refresh(&set, 0, NDB, 1000); /* SHOW STATS first finds no pools, */
	refresh(&set, 1, NDB, 3000); /* then gives the first totals, */
	refresh(&set, 2, NDB, 5000); /* then rates */
	is_int(set.n, 2 * NDB, "500 pools from 500 rows (the admin database skipped)");
	int bad_order = 0, bad_pool = 0, bad_size = 0, bad_mode = 0, bad_rate = 0, bad_wait = 0;
	for (int k = 0; k < set.n; k++) {
		const struct pool *p = &set.p[k];
		int i = perm(k, 2 * NDB, 7), db = i / 2;
		char name[16];
		snprintf(name, sizeof(name), "db%03d", db);
		bad_order += strcmp(p->database, name) || strcmp(p->user, i % 2 ? "app" : "ops");
		bad_pool += p->cl_active != db % 5 || p->sv_active != db % 4 || fabs(p->maxwait_ms - db * 0.01) > 1e-9;
		bad_size += db % 10 ? p->pool_size != 4 + db % 5 : !isnan(p->pool_size);
		bad_mode += strcmp(p->pool_mode, db % 50 ? "transaction" : "session");
		/* totals (r + 1) * db: one more db per 2 s; written so that NAN fails */
		bad_rate += !(fabs(p->xact_per_s - db / 2.0) < 1e-9) || !(fabs(p->query_per_s - db) < 1e-9);
		bad_wait += db ? !(fabs(p->avg_wait_ms - 0.1) < 1e-9) : p->avg_wait_ms != 0;
	}
	is_int(bad_order, 0, "pools keep SHOW POOLS' order");
	is_int(bad_pool, 0, "each pool has its own row's counts");
	is_int(bad_size, 0, "pool_size joined from SHOW DATABASES by name (both users of a database)");
	is_int(bad_mode, 0, "pool_mode from SHOW POOLS, else from SHOW DATABASES");
	is_int(bad_rate, 0, "rates joined from SHOW STATS by database");
	is_int(bad_wait, 0, "average wait per transaction from SHOW STATS");

	/* a smaller reply: pools of databases >= 100 are gone, the others keep state and order */
	char kept[2 * NDB][130];
	double totals[2 * NDB];
	int nkept = 0;
	for (int k = 0; k < set.n; k++)
		if (strcmp(set.p[k].database, "db100") < 0) {
			snprintf(kept[nkept], sizeof(kept[0]), "%s/%s", set.p[k].database, set.p[k].user);
			totals[nkept++] = set.p[k].total_xact;
		}
	refresh(&set, 3, 100, 7000);
	is_int(set.n, nkept, "pools gone from SHOW POOLS are dropped, the %d others stay", nkept);
	int moved = 0, lost = 0;
	for (int k = 0; k < set.n && k < nkept; k++) {
		char key[130];
		snprintf(key, sizeof(key), "%s/%s", set.p[k].database, set.p[k].user);
		moved += strcmp(key, kept[k]) != 0;
		lost += set.p[k].total_xact != totals[k] * 4 / 3; /* (r + 1) * db: 3 db before, 4 db now */
	}
	is_int(moved, 0, "in the order they had");
	is_int(lost, 0, "with their totals carried on");
	pools_done(&set);
}

/* Each pool carries its saturation history: pushed by the panel, dropped with the pool. */
static void test_history(void)
{
	struct pool_set set = {0};
	set.default_pool_size = NAN;
	set.hist_cap = 3;
	refresh(&set, 0, 2, 1000);
	for (int s = 0; s < 4; s++)
		for (int i = 0; i < set.n; i++)
			history_push(&set.p[i].sat_hist, s == 3 ? NAN : 12.5 * (s + 1) + i);
	is_int(set.p[1].sat_hist.len, 3, "history keeps hist_cap samples");
	ok(history_at(&set.p[1].sat_hist, 0) == 26 && history_at(&set.p[1].sat_hist, 1) == 38.5,
	   "oldest first, values kept exactly (%.2f, %.2f)", history_at(&set.p[1].sat_hist, 0),
	   history_at(&set.p[1].sat_hist, 1));
	ok(isnan(history_at(&set.p[1].sat_hist, 2)), "a gap stays a gap");
	refresh(&set, 1, 2, 2000);
	is_int(set.p[1].sat_hist.len, 3, "history survives a refresh");
	refresh(&set, 2, 1, 3000); /* db001's pools go: their histories are freed (ASan/valgrind) */
	is_int(set.n, 2, "two pools left");
	pools_done(&set);

	struct history h;
	history_init(&h, 0);
	history_push(&h, 1);
	ok(h.len == 0 && isnan(history_at(&h, 0)), "a history of 0 samples ignores pushes");
	history_done(&h);
}

/* Rows showing cells the panel keeps: table_done frees only the table's own. */
static const struct column TCOLS[] = {{"A", 4, 0, 0}, {"B", 4, 0, 0}};
static void test_table_rows(void)
{
	struct cell kept[2][2];
	struct table t;
	table_init(&t, TCOLS, 2);
	table_reserve(&t, 2);
	for (int i = 0; i < 40; i++) { /* past the reserved room: the table grows */
		struct table_row *r = i % 2 ? table_add_row(&t) : table_add_row_cells(&t, kept[i % 4 / 2]);
		cell_set(&r->cells[0], LV_OK, "r%d", i);
	}
	is_int(t.nrows, 40, "40 rows");
	is_str(t.rows[39].cells[0].text, "r39", "an owned row");
	ok(t.rows[38].cells == kept[1] && !strcmp(kept[1][0].text, "r38"), "a borrowed row shows the panel's cells");
	table_done(&t);
	is_int(t.nrows + t.rows_cap, 0, "emptied");
	is_str(kept[0][0].text, "r36", "the panel's cells outlive the table");
}

/* Which pools get journal samples of their own: the bad ones, then the busiest, at most max. */
static void test_sample_order(void)
{
	struct pool_set set = {0};
	set.n = 500;
	set.p = xcalloc(500, sizeof(struct pool));
	for (int i = 0; i < 500; i++) {
		set.p[i].level = LV_OK;
		set.p[i].saturation = (i * 37) % 100; /* 0..99, each five times */
		set.p[i].cl_waiting = NAN;
		set.p[i].xact_per_s = i;
	}
	set.p[7].level = LV_WARN;
	set.p[400].level = LV_CRIT;
	set.p[401].level = LV_PENDING; /* held back, not yet a warning: ranks as ok */
	set.p[401].saturation = 0;
	int idx[POOLS_SAMPLED_MAX];
	int n = pools_sample_order(&set, idx, POOLS_SAMPLED_MAX);
	is_int(n, POOLS_SAMPLED_MAX, "500 pools: %d sampled", POOLS_SAMPLED_MAX);
	ok(idx[0] == 400 && idx[1] == 7, "critical first, then warning (%d, %d)", idx[0], idx[1]);
	int sorted = 1, best = 1;
	for (int k = 2; k < n; k++) {
		const struct pool *a = &set.p[idx[k - 1]], *b = &set.p[idx[k]];
		sorted &= k == 2 || a->saturation > b->saturation || (a->saturation == b->saturation && a->xact_per_s >= b->xact_per_s);
		best &= b->saturation >= 96; /* 18 ok pools with the highest saturation: 99..96 */
	}
	ok(sorted && best, "then the most saturated, busiest first among equals");
	is_int(pools_sample_order(&set, idx, 0), 0, "max 0: none");
	set.n = 3;
	n = pools_sample_order(&set, idx, POOLS_SAMPLED_MAX);
	ok(n == 3 && idx[0] == 2 && idx[1] == 1 && idx[2] == 0, "fewer pools than max: every one (74%%, 37%%, 0%%)");
	free(set.p);
}

int main(void)
{
	test_118();
	test_versions();
	test_columns();
	test_join_500();
	test_history();
	test_table_rows();
	test_sample_order();
	return done_testing();
}
