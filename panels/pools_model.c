#include "panels/pools_model.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "src/util.h"

static double num(const struct rowset *rs, int row, const char *col, double dflt)
{
	int ok;
	double v = rowset_num(rs, row, col, &ok);
	return ok ? v : dflt;
}

static void copy(char *dst, size_t n, const char *v) { snprintf(dst, n, "%s", v ? v : ""); }

static struct pool *find(struct pool_set *set, const char *db, const char *user)
{
	for (int i = 0; i < set->n; i++)
		if (!strcmp(set->p[i].database, db) && !strcmp(set->p[i].user, user))
			return &set->p[i];
	return NULL;
}

int pools_update(struct pool_set *set, const struct rowset *rs)
{
	if (rowset_col(rs, "database") < 0 || rowset_col(rs, "cl_waiting") < 0 ||
	    rowset_col(rs, "sv_active") < 0)
		return -1;
	for (int i = 0; i < set->n; i++)
		set->p[i].seen = 0;
	for (int r = 0; r < rs->nrows; r++) {
		const char *db = rowset_val(rs, r, "database"), *user = rowset_val(rs, r, "user");
		if (!db || !strcmp(db, "pgbouncer"))
			continue;
		struct pool *p = find(set, db, user ? user : "");
		if (!p) {
			set->p = xrealloc(set->p, sizeof(*set->p) * (size_t)(set->n + 1));
			p = &set->p[set->n++];
			memset(p, 0, sizeof(*p));
			copy(p->database, sizeof(p->database), db);
			copy(p->user, sizeof(p->user), user);
			p->pool_size = p->saturation = p->xact_per_s = p->query_per_s = p->avg_wait_ms = NAN;
			p->total_xact = p->total_query = p->total_wait_us = NAN;
		}
		p->seen = 1;
		p->cl_active = num(rs, r, "cl_active", 0);
		p->cl_waiting = num(rs, r, "cl_waiting", 0);
		p->sv_active = num(rs, r, "sv_active", 0);
		p->sv_idle = num(rs, r, "sv_idle", 0);
		p->sv_used = num(rs, r, "sv_used", 0);
		p->sv_login = num(rs, r, "sv_login", 0);
		p->maxwait_ms = num(rs, r, "maxwait", 0) * 1000 + num(rs, r, "maxwait_us", 0) / 1000;
		copy(p->pool_mode, sizeof(p->pool_mode), rowset_val(rs, r, "pool_mode"));
	}
	int keep = 0;
	for (int i = 0; i < set->n; i++)
		if (set->p[i].seen)
			set->p[keep++] = set->p[i];
	set->n = keep;
	return 0;
}

void pools_apply_databases(struct pool_set *set, const struct rowset *dbs)
{
	for (int i = 0; i < set->n; i++) {
		struct pool *p = &set->p[i];
		for (int r = 0; r < dbs->nrows; r++) {
			const char *name = rowset_val(dbs, r, "name");
			if (!name || strcmp(name, p->database))
				continue;
			double size = num(dbs, r, "pool_size", NAN);
			if (!isnan(size) && size > 0)
				p->pool_size = size;
			const char *mode = rowset_val(dbs, r, "pool_mode");
			if (!p->pool_mode[0] && mode && *mode)
				copy(p->pool_mode, sizeof(p->pool_mode), mode);
		}
	}
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
	double secs = set->stats_at_ms ? (double)(now_ms - set->stats_at_ms) / 1000.0 : 0;
	for (int i = 0; i < set->n; i++) {
		struct pool *p = &set->p[i];
		for (int r = 0; r < stats->nrows; r++) {
			const char *db = rowset_val(stats, r, "database");
			if (!db || strcmp(db, p->database))
				continue;
			double xact = num(stats, r, "total_xact_count", NAN);
			double query = num(stats, r, "total_query_count", NAN);
			double wait = num(stats, r, "total_wait_time", NAN);
			double dx = xact - p->total_xact, dq = query - p->total_query, dw = wait - p->total_wait_us;
			if (secs > 0 && dx >= 0 && dq >= 0) { /* a negative delta: PgBouncer restarted */
				p->xact_per_s = dx / secs;
				p->query_per_s = dq / secs;
				p->avg_wait_ms = dx > 0 && dw >= 0 ? dw / dx / 1000.0 : 0;
			} else {
				p->xact_per_s = p->query_per_s = NAN;
				p->avg_wait_ms = num(stats, r, "avg_wait_time", NAN) / 1000.0;
			}
			p->total_xact = xact;
			p->total_query = query;
			p->total_wait_us = wait;
		}
	}
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
	free(set->p);
	memset(set, 0, sizeof(*set));
}
