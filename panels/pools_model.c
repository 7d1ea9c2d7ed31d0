#include "panels/pools_model.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "src/util.h"

static double num(const struct rowset *rs, int row, int col, double dflt)
{
	int ok;
	double v = rowset_num_at(rs, row, col, &ok);
	return ok ? v : dflt;
}

static void copy(char *dst, size_t n, const char *v) { snprintf(dst, n, "%s", v ? v : ""); }

static void pool_key(const void *ctx, int i, const char **db, const char **user)
{
	const struct pool *p = &((const struct pool_set *)ctx)->p[i];
	*db = p->database;
	*user = p->user;
}

static struct pool *add_pool(struct pool_set *set, const char *db, const char *user)
{
	if (set->n == set->cap) {
		set->cap = set->cap ? set->cap * 2 : 16;
		set->p = xrealloc(set->p, sizeof(*set->p) * (size_t)set->cap);
	}
	struct pool *p = &set->p[set->n++];
	memset(p, 0, sizeof(*p));
	copy(p->database, sizeof(p->database), db);
	copy(p->user, sizeof(p->user), user);
	p->pool_size = p->saturation = p->xact_per_s = p->query_per_s = p->avg_wait_ms = NAN;
	p->total_xact = p->total_query = p->total_wait_us = NAN;
	history_init(&p->sat_hist, set->hist_cap);
	return p;
}

int pools_update(struct pool_set *set, const struct rowset *rs)
{
	const int c_db = rowset_col(rs, "database"), c_user = rowset_col(rs, "user"),
		  c_cl_active = rowset_col(rs, "cl_active"), c_cl_waiting = rowset_col(rs, "cl_waiting"),
		  c_sv_active = rowset_col(rs, "sv_active"), c_sv_idle = rowset_col(rs, "sv_idle"),
		  c_sv_used = rowset_col(rs, "sv_used"), c_sv_login = rowset_col(rs, "sv_login"),
		  c_maxwait = rowset_col(rs, "maxwait"), c_maxwait_us = rowset_col(rs, "maxwait_us"),
		  c_mode = rowset_col(rs, "pool_mode");
	if (c_db < 0 || c_cl_waiting < 0 || c_sv_active < 0)
		return -1;
	struct pair_index h; /* (database, user) -> index in set->p, for this SHOW POOLS */
	pair_index_init(&h, set->n + rs->nrows);
	for (int i = 0; i < set->n; i++) {
		set->p[i].seen = 0;
		pair_index_add(&h, set->p[i].database, set->p[i].user, i);
	}
	for (int r = 0; r < rs->nrows; r++) {
		const char *db = rowset_get(rs, r, c_db), *user = rowset_get(rs, r, c_user);
		if (!db || !strcmp(db, "pgbouncer"))
			continue;
		int at = pair_index_find(&h, db, user ? user : "", pool_key, set);
		struct pool *p = at >= 0 ? &set->p[at] : add_pool(set, db, user);
		if (at < 0)
			pair_index_add(&h, p->database, p->user, set->n - 1);
		p->seen = 1;
		p->cl_active = num(rs, r, c_cl_active, 0);
		p->cl_waiting = num(rs, r, c_cl_waiting, 0);
		p->sv_active = num(rs, r, c_sv_active, 0);
		p->sv_idle = num(rs, r, c_sv_idle, 0);
		p->sv_used = num(rs, r, c_sv_used, 0);
		p->sv_login = num(rs, r, c_sv_login, 0);
		p->maxwait_ms = num(rs, r, c_maxwait, 0) * 1000 + num(rs, r, c_maxwait_us, 0) / 1000;
		copy(p->pool_mode, sizeof(p->pool_mode), rowset_get(rs, r, c_mode));
	}
	pair_index_done(&h);
	int keep = 0;
	for (int i = 0; i < set->n; i++) {
		if (set->p[i].seen)
			set->p[keep++] = set->p[i];
		else
			history_done(&set->p[i].sat_hist);
	}
	set->n = keep;
	return 0;
}

/* Pools sorted by database (then position), to join per-database replies to them. */
struct db_ref {
	const char *db;
	int i;
};

static int cmp_db_ref(const void *x, const void *y)
{
	const struct db_ref *a = x, *b = y;
	int c = strcmp(a->db, b->db);
	return c ? c : a->i - b->i;
}

static struct db_ref *by_database(const struct pool_set *set)
{
	struct db_ref *ix = xmalloc(sizeof(*ix) * (size_t)(set->n ? set->n : 1));
	for (int i = 0; i < set->n; i++)
		ix[i] = (struct db_ref){set->p[i].database, i};
	qsort(ix, (size_t)set->n, sizeof(*ix), cmp_db_ref);
	return ix;
}

/* The first entry of ix for database db, or n when no pool has it. */
static int first_of(const struct db_ref *ix, int n, const char *db)
{
	int lo = 0, hi = n;
	while (lo < hi) {
		int mid = lo + (hi - lo) / 2;
		if (strcmp(ix[mid].db, db) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < n && !strcmp(ix[lo].db, db) ? lo : n;
}

void pools_apply_databases(struct pool_set *set, const struct rowset *dbs)
{
	const int c_name = rowset_col(dbs, "name"), c_size = rowset_col(dbs, "pool_size"),
		  c_mode = rowset_col(dbs, "pool_mode");
	struct db_ref *ix = by_database(set);
	for (int r = 0; r < dbs->nrows; r++) { /* rows in order: a later duplicate wins, as before */
		const char *name = rowset_get(dbs, r, c_name);
		if (!name)
			continue;
		for (int k = first_of(ix, set->n, name); k < set->n && !strcmp(ix[k].db, name); k++) {
			struct pool *p = &set->p[ix[k].i];
			double size = num(dbs, r, c_size, NAN);
			if (!isnan(size) && size > 0)
				p->pool_size = size;
			const char *mode = rowset_get(dbs, r, c_mode);
			if (!p->pool_mode[0] && mode && *mode)
				copy(p->pool_mode, sizeof(p->pool_mode), mode);
		}
	}
	free(ix);
}

void pools_apply_config(struct pool_set *set, const struct rowset *cfg)
{
	for (int r = 0; r < cfg->nrows; r++) {
		const char *key = rowset_val(cfg, r, "key"), *val = rowset_val(cfg, r, "value");
		if (!key || !val)
			continue;
		if (!strcmp(key, "default_pool_size"))
			set->default_pool_size = atof(val);
		else if (!strcmp(key, "pool_mode"))
			copy(set->default_pool_mode, sizeof(set->default_pool_mode), val);
	}
	for (int i = 0; i < set->n; i++) {
		struct pool *p = &set->p[i];
		if (isnan(p->pool_size) && set->default_pool_size > 0)
			p->pool_size = set->default_pool_size;
		if (!p->pool_mode[0])
			copy(p->pool_mode, sizeof(p->pool_mode), set->default_pool_mode);
	}
}

void pools_apply_stats(struct pool_set *set, const struct rowset *stats, int64_t now_ms)
{
	const int c_db = rowset_col(stats, "database"), c_xact = rowset_col(stats, "total_xact_count"),
		  c_query = rowset_col(stats, "total_query_count"), c_wait = rowset_col(stats, "total_wait_time"),
		  c_avg_wait = rowset_col(stats, "avg_wait_time");
	double secs = set->stats_at_ms ? (double)(now_ms - set->stats_at_ms) / 1000.0 : 0;
	struct db_ref *ix = by_database(set);
	for (int r = 0; r < stats->nrows; r++) {
		const char *db = rowset_get(stats, r, c_db);
		if (!db)
			continue;
		for (int k = first_of(ix, set->n, db); k < set->n && !strcmp(ix[k].db, db); k++) {
			struct pool *p = &set->p[ix[k].i];
			double xact = num(stats, r, c_xact, NAN);
			double query = num(stats, r, c_query, NAN);
			double wait = num(stats, r, c_wait, NAN);
			double dx = xact - p->total_xact, dq = query - p->total_query, dw = wait - p->total_wait_us;
			if (secs > 0 && dx >= 0 && dq >= 0) { /* a negative delta: PgBouncer restarted */
				p->xact_per_s = dx / secs;
				p->query_per_s = dq / secs;
				p->avg_wait_ms = dx > 0 && dw >= 0 ? dw / dx / 1000.0 : 0;
			} else {
				p->xact_per_s = p->query_per_s = NAN;
				p->avg_wait_ms = num(stats, r, c_avg_wait, NAN) / 1000.0;
			}
			p->total_xact = xact;
			p->total_query = query;
			p->total_wait_us = wait;
		}
	}
	free(ix);
	set->stats_at_ms = now_ms;
}

static void raise_to(struct pool *p, enum level lv, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void raise_to(struct pool *p, enum level lv, const char *fmt, ...)
{
	if (lv <= p->level)
		return;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(p->reason, sizeof(p->reason), fmt, ap);
	va_end(ap);
	p->level = lv;
}

static void evaluate_one(struct pool *p, const struct pool_thresholds *th, int64_t now)
{
	char dur[32], held_s[32];
	double held;
	p->level = LV_OK;
	p->reason[0] = '\0';
	p->saturation = p->pool_size > 0 ? p->sv_active / p->pool_size * 100.0 : NAN;
	int sat_known = !isnan(p->saturation);
	/* the more specific diagnosis first: queueing clients on a full pool = exhausted */
	int waiting = sustain_update(&p->waiting_crit, p->cl_waiting > 0 && sat_known && p->saturation > th->sat_crit,
				     now, th->sat_crit_for, NULL);
	if (waiting)
		raise_to(p, LV_CRIT, "%.0f clients waiting, pool exhausted (%.0f/%.0f servers busy)", p->cl_waiting,
			 p->sv_active, p->pool_size);
	int crit = sustain_update(&p->sat_crit, sat_known && p->saturation > th->sat_crit, now, th->sat_crit_for, &held);
	if (crit) {
		fmt_duration_ms(dur, sizeof(dur), th->sat_crit_for);
		raise_to(p, LV_CRIT, "saturation %.0f%% > %.0f%% for %s", p->saturation, th->sat_crit, dur);
	}
	if (p->pool_mode[0] && strcmp(p->pool_mode, "transaction") != 0)
		raise_to(p, LV_CRIT, "pool_mode %s, expected transaction", p->pool_mode);
	int warn = sustain_update(&p->sat_warn, sat_known && p->saturation > th->sat_warn, now, th->sat_warn_for, &held);
	if (warn) {
		fmt_duration_ms(dur, sizeof(dur), th->sat_warn_for);
		raise_to(p, LV_WARN, "saturation %.0f%% > %.0f%% for %s", p->saturation, th->sat_warn, dur);
	}
	if (p->cl_waiting > 0)
		raise_to(p, LV_WARN, "%.0f clients waiting for a server", p->cl_waiting);
	double wait = p->maxwait_ms > (isnan(p->avg_wait_ms) ? 0 : p->avg_wait_ms) ? p->maxwait_ms : p->avg_wait_ms;
	if (sustain_update(&p->wait_warn, wait > th->wait_warn_ms, now, th->wait_warn_for, &held)) {
		fmt_duration_ms(dur, sizeof(dur), th->wait_warn_for);
		raise_to(p, LV_WARN, "wait %.0fms > %.0fms for %s", wait, th->wait_warn_ms, dur);
	} else if (wait > th->wait_warn_ms) {
		fmt_duration_ms(held_s, sizeof(held_s), held);
		raise_to(p, LV_PENDING, "wait %.0fms > %.0fms for %s", wait, th->wait_warn_ms, held_s);
	}
	if (!crit && sat_known && p->saturation > th->sat_crit)
		raise_to(p, LV_PENDING, "saturation %.0f%% > %.0f%% (critical if it lasts)", p->saturation, th->sat_crit);
	else if (!warn && sat_known && p->saturation > th->sat_warn)
		raise_to(p, LV_PENDING, "saturation %.0f%% > %.0f%% (warn if it lasts)", p->saturation, th->sat_warn);
	if (p->level == LV_OK)
		snprintf(p->reason, sizeof(p->reason), "ok");
}

void pools_evaluate(struct pool_set *set, const struct pool_thresholds *th, int64_t now_ms)
{
	for (int i = 0; i < set->n; i++)
		evaluate_one(&set->p[i], th, now_ms);
}

void pools_done(struct pool_set *set)
{
	for (int i = 0; i < set->n; i++)
		history_done(&set->p[i].sat_hist);
	free(set->p);
	memset(set, 0, sizeof(*set));
}

static double or_zero(double v) { return isnan(v) ? 0 : v; }

/* a before b: -1 */
static int sample_before(const struct pool *a, const struct pool *b)
{
	int la = a->level == LV_PENDING ? LV_OK : a->level, lb = b->level == LV_PENDING ? LV_OK : b->level;
	if (la != lb)
		return la > lb ? -1 : 1;
	if (or_zero(a->saturation) != or_zero(b->saturation))
		return or_zero(a->saturation) > or_zero(b->saturation) ? -1 : 1;
	if (or_zero(a->cl_waiting) != or_zero(b->cl_waiting))
		return or_zero(a->cl_waiting) > or_zero(b->cl_waiting) ? -1 : 1;
	if (or_zero(a->xact_per_s) != or_zero(b->xact_per_s))
		return or_zero(a->xact_per_s) > or_zero(b->xact_per_s) ? -1 : 1;
	return 0;
}

int pools_sample_order(const struct pool_set *set, int *idx, int max)
{
	int n = 0;
	for (int i = 0; i < set->n && max > 0; i++) {
		/* insertion into the kept top max (stable: SHOW POOLS order among equals) */
		int at = n;
		while (at > 0 && sample_before(&set->p[i], &set->p[idx[at - 1]]) < 0)
			at--;
		if (at >= max)
			continue;
		int last = n < max ? n : max - 1;
		memmove(idx + at + 1, idx + at, sizeof(int) * (size_t)(last - at));
		idx[at] = i;
		if (n < max)
			n++;
	}
	return n;
}
