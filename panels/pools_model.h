/* PgBouncer pools: pure parsing of the admin console's SHOW POOLS / STATS / DATABASES /
 * CONFIG (columns looked up by name: 1.12 through 1.21 column sets all parse), rates from
 * consecutive SHOW STATS totals, and evaluation against the thresholds. */
#ifndef OD_POOLS_MODEL_H
#define OD_POOLS_MODEL_H

#include <stdint.h>

#include "panels/level.h"
#include "panels/rowset.h"

struct pool {
	char database[64], user[64], pool_mode[16];
	double cl_active, cl_waiting, sv_active, sv_idle, sv_used, sv_login;
	double maxwait_ms;  /* maxwait (s) + maxwait_us */
	double pool_size;   /* from SHOW DATABASES, else default_pool_size; NAN if unknown */
	double saturation;  /* sv_active / pool_size, 0-100; NAN if unknown */
	/* from SHOW STATS (per database) */
	double xact_per_s, query_per_s; /* over the last refresh; NAN until two samples */
	double avg_wait_ms;             /* wait per transaction over the last refresh, else avg_wait_time */
	double total_xact, total_query, total_wait_us; /* last totals, for the next delta */
	/* evaluation */
	enum level level;
	char reason[160];
	struct sustain sat_warn, sat_crit, wait_warn, waiting_crit;
	struct history sat_hist; /* saturation per refresh (the sparkline); hist_cap samples */
	int seen; /* still in the latest SHOW POOLS */
};

struct pool_set {
	struct pool *p;
	int n, cap;
	int hist_cap;             /* samples of saturation history per pool; 0 = none */
	double default_pool_size; /* SHOW CONFIG, NAN if unknown */
	char default_pool_mode[16];
	int64_t stats_at_ms;      /* when the totals were taken */
};

struct pool_thresholds {
	double sat_warn, sat_warn_for, sat_crit, sat_crit_for, wait_warn_ms, wait_warn_for;
};

/* Merges a fresh SHOW POOLS into set (pools keep their sustain state, stats and history
 * across refreshes; pools gone from the reply are dropped; new ones are appended). The
 * admin pseudo-database "pgbouncer" is skipped. Rows are matched to pools by (database,
 * user) through a hash, and SHOW DATABASES / STATS rows by database through a sorted
 * index (binary search): not rows x pools string compares. Returns 0, or -1 if the reply
 * is not SHOW POOLS. */
int pools_update(struct pool_set *set, const struct rowset *pools);
/* SHOW DATABASES: pool_size (and pool_mode) per database. */
void pools_apply_databases(struct pool_set *set, const struct rowset *dbs);
/* SHOW CONFIG: default_pool_size and pool_mode. */
void pools_apply_config(struct pool_set *set, const struct rowset *cfg);
/* SHOW STATS totals taken at now_ms: rates over the interval since the previous call. */
void pools_apply_stats(struct pool_set *set, const struct rowset *stats, int64_t now_ms);
void pools_evaluate(struct pool_set *set, const struct pool_thresholds *th, int64_t now_ms);
void pools_done(struct pool_set *set);

/* The pools worth a journal sample of their own, most telling first: not ok (critical
 * first), then by saturation, clients waiting and transactions per second; at most max.
 * Writes their indexes into idx and returns how many. With 500 pools, sampling each one
 * every minute would add 2,000 rows a minute to the journal; totals cover the rest. */
#define POOLS_SAMPLED_MAX 20
int pools_sample_order(const struct pool_set *set, int *idx, int max);

#endif
