/* Pools panel: PgBouncer's admin console (SHOW POOLS / STATS / DATABASES / CONFIG), plus the
 * primary's client backend count to compare with PgBouncer's server connections.
 * Drill-down lists SHOW SERVERS / SHOW CLIENTS of the selected pool. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "panels/panel.h"
#include "panels/pools_model.h"
#include "src/app.h"

#define SLOW_EVERY 10 /* SHOW DATABASES / CONFIG change rarely: every Nth refresh */
#define FOCUS_MS 5000 /* servers/clients are fetched while the drill-down was looked at lately */

struct pools_panel {
	struct panel base;
	struct pool_set set;         /* each pool keeps its saturation history (the sparkline) */
	struct row_cache *cache;     /* formatted cells per row of the last fill */
	int ncache;
	int busy, have_data, refreshes;
	int64_t ok_mono;
	char error[160];
	double backends;        /* client backends on the primary, NAN unknown */
	char focus_db[64], focus_user[64];
	int64_t focus_until;
	struct rowset servers, clients; /* of the focused pool */
	struct rowset dbs, config;      /* last SHOW DATABASES / CONFIG, applied to every refresh */
	char lists_for[130];
};

static struct pools_panel *self(struct panel *p) { return (struct pools_panel *)p; }

static struct pool_thresholds thresholds(const struct app *a)
{
	const double *o = a->cfg->opt;
	return (struct pool_thresholds){o[OPT_POOL_SAT_WARN], o[OPT_POOL_SAT_WARN_FOR], o[OPT_POOL_SAT_CRIT],
					o[OPT_POOL_SAT_CRIT_FOR], o[OPT_POOL_WAIT_WARN], o[OPT_POOL_WAIT_WARN_FOR]};
}

/* Seed 001: clients queueing = pool exhausted (RB-21); busy but not queueing = grow the
 * pool (RB-6); anything else (mode, waits) starts with the pool status check (RB-5). */
static const char *runbook_for(const struct pool *p)
{
	if (p->cl_waiting > 0)
		return "RB-21";
	if (strstr(p->reason, "saturation"))
		return "RB-6";
	return "RB-5";
}

static void report_alerts(struct pools_panel *p)
{
	struct app *a = p->base.app;
	const struct source_status *st = a->bouncer ? pgconn_status(a->bouncer) : NULL;
	int down = st && (st->state == SRC_DOWN || st->state == SRC_TIMEOUT);
	alerts_set(&a->alerts, "pgbouncer.down", "pools", down ? ALERT_FIRING : ALERT_OK, LV_CRIT,
		   down ? (st->last_error ? st->last_error : "PgBouncer does not answer") : NULL, "RB-5");
	for (int i = 0; i < p->set.n; i++) {
		const struct pool *pl = &p->set.p[i];
		char id[64];
		snprintf(id, sizeof(id), "pool.%.24s.%.24s", pl->database, pl->user);
		enum alert_state s = alert_state_of(pl->level);
		alerts_set(&a->alerts, id, "pools", s, pl->level >= LV_WARN ? pl->level : LV_WARN, pl->reason,
			   runbook_for(pl));
	}
}

static void on_pools(void *arg, struct rowset *res, int nres, const char *error)
{
	struct pools_panel *p = arg;
	const struct app *a = p->base.app;
	p->busy = 0;
	p->set.hist_cap = (int)(a->cfg->opt[OPT_HISTORY] / a->refresh_ms) + 1; /* for pools new in this reply */
	if (error || nres != 1 || pools_update(&p->set, &res[0]) < 0) {
		snprintf(p->error, sizeof(p->error), "%s", error ? error : "unexpected reply to SHOW POOLS");
	} else {
		p->error[0] = '\0';
		p->have_data = 1;
		p->ok_mono = now_mono_ms();
		pools_apply_databases(&p->set, &p->dbs);
		pools_apply_config(&p->set, &p->config);
		struct pool_thresholds th = thresholds(p->base.app);
		pools_evaluate(&p->set, &th, now_mono_ms());
		for (int i = 0; i < p->set.n; i++)
			history_push(&p->set.p[i].sat_hist, p->set.p[i].saturation);
	}
	report_alerts(p);
	app_changed(p->base.app);
}

static void on_stats(void *arg, struct rowset *res, int nres, const char *error)
{
	struct pools_panel *p = arg;
	if (!error && nres == 1)
		pools_apply_stats(&p->set, &res[0], now_mono_ms());
}

static void keep(struct rowset *dst, struct rowset *res, int nres, const char *error)
{
	if (error || nres != 1)
		return;
	rowset_done(dst);
	*dst = res[0];
	memset(&res[0], 0, sizeof(res[0])); /* taken: the connector frees an empty rowset */
}

static void on_databases(void *arg, struct rowset *res, int nres, const char *error)
{
	keep(&((struct pools_panel *)arg)->dbs, res, nres, error);
}

static void on_config(void *arg, struct rowset *res, int nres, const char *error)
{
	keep(&((struct pools_panel *)arg)->config, res, nres, error);
}

static void keep_list(struct pools_panel *p, struct rowset *dst, struct rowset *res, int nres, const char *error)
{
	keep(dst, res, nres, error);
	snprintf(p->lists_for, sizeof(p->lists_for), "%s/%s", p->focus_db, p->focus_user);
}

static void on_servers(void *arg, struct rowset *res, int nres, const char *error)
{
	struct pools_panel *p = arg;
	keep_list(p, &p->servers, res, nres, error);
}

static void on_clients(void *arg, struct rowset *res, int nres, const char *error)
{
	struct pools_panel *p = arg;
	keep_list(p, &p->clients, res, nres, error);
	app_changed(p->base.app);
}

static void on_backends(void *arg, struct rowset *res, int nres, const char *error)
{
	struct pools_panel *p = arg;
	int ok = 0;
	p->backends = !error && nres == 1 ? rowset_num(&res[0], 0, "client_backends", &ok) : NAN;
	if (!ok)
		p->backends = NAN;
}

static void pools_poll(struct panel *base)
{
	struct pools_panel *p = self(base);
	struct app *a = base->app;
	if (a->primary)
		pgconn_query(a->primary,
			     "SELECT count(*) AS client_backends FROM pg_stat_activity"
			     " WHERE backend_type = 'client backend' AND pid <> pg_backend_pid()",
			     0, NULL, on_backends, p);
	if (!a->bouncer || p->busy)
		return;
	int slow = p->refreshes++ % SLOW_EVERY == 0;
	if (slow) {
		pgconn_query(a->bouncer, "SHOW DATABASES", 0, NULL, on_databases, p);
		pgconn_query(a->bouncer, "SHOW CONFIG", 0, NULL, on_config, p);
	}
	pgconn_query(a->bouncer, "SHOW STATS", 0, NULL, on_stats, p);
	if (p->focus_db[0] && now_mono_ms() < p->focus_until) {
		pgconn_query(a->bouncer, "SHOW SERVERS", 0, NULL, on_servers, p);
		pgconn_query(a->bouncer, "SHOW CLIENTS", 0, NULL, on_clients, p);
	}
	p->busy = 1; /* SHOW POOLS goes last: its callback evaluates with everything above */
	int rc = pgconn_query(a->bouncer, "SHOW POOLS", 0, NULL, on_pools, p);
	if (rc != PGQ_STARTED) {
		p->busy = 0;
		const struct source_status *st = pgconn_status(a->bouncer);
		if (rc == PGQ_BACKOFF)
			snprintf(p->error, sizeof(p->error), "%s", st->last_error ? st->last_error : "down");
		report_alerts(p);
	}
}

static int pools_busy(const struct panel *base) { return ((const struct pools_panel *)base)->busy; }

static const struct column COLS[] = {
	{"DATABASE", 12, 0, 0}, {"USER", 8, 1, 0},    {"STATUS", 8, 0, 0},   {"CL_ACT", 6, 0, 1},
	{"CL_WAIT", 7, 0, 1},   {"SV_ACT", 6, 0, 1},  {"SV_IDLE", 7, 1, 1},  {"SV_USED", 7, 4, 1},
	{"SIZE", 4, 1, 1},      {"SAT", 5, 0, 1},     {"MAXWAIT", 7, 2, 1},  {"MODE", 11, 2, 0},
	{"XACT/S", 7, 3, 1},    {"QUERY/S", 7, 4, 1}, {"AVGWAIT", 7, 3, 1},  {"SATURATION", 20, 5, 0},
};

static void fmt_num(char *buf, size_t n, double v, int decimals, const char *suffix)
{
	if (isnan(v))
		snprintf(buf, n, "-");
	else
		snprintf(buf, n, "%.*f%s", decimals, v, suffix);
}

static int stale(const struct pools_panel *p)
{
	return !p->have_data || (double)(now_mono_ms() - p->ok_mono) > app_stale_after_ms(p->base.app);
}

/* What a row's cells are formatted from: a cell is formatted again only when its part of
 * this changes (at 500 pools most cells stay the same from one frame to the next). */
struct row_key {
	char database[64], user[64], pool_mode[16];
	double cl_active, cl_waiting, sv_active, sv_idle, sv_used, pool_size, saturation, maxwait_ms, xact_per_s,
		query_per_s, avg_wait_ms, sat_warn, sat_crit, wait_warn;
	int level, stale;
};

struct row_cache {
	struct row_key key;
	struct cell cells[ARRAY_LEN(COLS)];
};

static void row_key(struct row_key *k, const struct pool *pl, const double *o, int stale)
{
	_Static_assert(sizeof(k->database) == sizeof(pl->database) && sizeof(k->user) == sizeof(pl->user) &&
			       sizeof(k->pool_mode) == sizeof(pl->pool_mode),
		       "a row key holds the pool's names whole");
	memset(k, 0, sizeof(*k));
	memcpy(k->database, pl->database, sizeof(k->database)); /* zeroed with the pool: bytes past */
	memcpy(k->user, pl->user, sizeof(k->user));             /* the text are defined */
	memcpy(k->pool_mode, pl->pool_mode, sizeof(k->pool_mode));
	k->cl_active = pl->cl_active;
	k->cl_waiting = pl->cl_waiting;
	k->sv_active = pl->sv_active;
	k->sv_idle = pl->sv_idle;
	k->sv_used = pl->sv_used;
	k->pool_size = pl->pool_size;
	k->saturation = pl->saturation;
	k->maxwait_ms = pl->maxwait_ms;
	k->xact_per_s = pl->xact_per_s;
	k->query_per_s = pl->query_per_s;
	k->avg_wait_ms = pl->avg_wait_ms;
	k->sat_warn = o[OPT_POOL_SAT_WARN];
	k->sat_crit = o[OPT_POOL_SAT_CRIT];
	k->wait_warn = o[OPT_POOL_WAIT_WARN];
	k->level = (int)pl->level;
	k->stale = stale;
}

static int same(double a, double b) { return a == b || (isnan(a) && isnan(b)); }

/* Formats the cells whose inputs differ between was and k (all of them for a new row):
 * with traffic, a refresh changes the rates of most pools but seldom their other cells. */
static void format_row(const struct pool *pl, const struct row_key *was, const struct row_key *k, struct cell *c)
{
	int all = was->level < 0;
	char buf[32];
	if (all || strcmp(was->database, k->database))
		cell_set(&c[0], LV_NONE, "%s", pl->database);
	if (all || strcmp(was->user, k->user))
		cell_set(&c[1], LV_NONE, "%s", pl->user);
	if (all || was->level != k->level || was->stale != k->stale) {
		if (k->stale && pl->level < LV_CRIT)
			cell_set(&c[2], LV_WARN, "stale");
		else
			cell_set(&c[2], pl->level, "%s", level_name(pl->level));
	}
	if (all || !same(was->cl_active, k->cl_active))
		cell_set(&c[3], LV_NONE, "%.0f", pl->cl_active);
	if (all || !same(was->cl_waiting, k->cl_waiting))
		cell_set(&c[4], pl->cl_waiting > 0 ? LV_WARN : LV_OK, "%.0f", pl->cl_waiting);
	if (all || !same(was->sv_active, k->sv_active))
		cell_set(&c[5], LV_NONE, "%.0f", pl->sv_active);
	if (all || !same(was->sv_idle, k->sv_idle))
		cell_set(&c[6], LV_NONE, "%.0f", pl->sv_idle);
	if (all || !same(was->sv_used, k->sv_used))
		cell_set(&c[7], LV_NONE, "%.0f", pl->sv_used);
	if (all || !same(was->pool_size, k->pool_size)) {
		fmt_num(buf, sizeof(buf), pl->pool_size, 0, "");
		cell_set(&c[8], LV_NONE, "%s", buf);
	}
	if (all || !same(was->saturation, k->saturation) || was->sat_crit != k->sat_crit || was->sat_warn != k->sat_warn) {
		fmt_num(buf, sizeof(buf), pl->saturation, 0, "%");
		cell_set(&c[9], pl->saturation > k->sat_crit ? LV_CRIT : pl->saturation > k->sat_warn ? LV_WARN : LV_OK, "%s", buf);
	}
	if (all || !same(was->maxwait_ms, k->maxwait_ms) || was->wait_warn != k->wait_warn) {
		fmt_duration_ms(buf, sizeof(buf), pl->maxwait_ms);
		cell_set(&c[10], pl->maxwait_ms > k->wait_warn ? LV_WARN : LV_NONE, "%s", buf);
	}
	if (all || strcmp(was->pool_mode, k->pool_mode))
		cell_set(&c[11], pl->pool_mode[0] && strcmp(pl->pool_mode, "transaction") ? LV_CRIT : LV_NONE, "%s",
			 pl->pool_mode[0] ? pl->pool_mode : "?");
	if (all || !same(was->xact_per_s, k->xact_per_s)) {
		fmt_num(buf, sizeof(buf), pl->xact_per_s, 1, "");
		cell_set(&c[12], LV_NONE, "%s", buf);
	}
	if (all || !same(was->query_per_s, k->query_per_s)) {
		fmt_num(buf, sizeof(buf), pl->query_per_s, 1, "");
		cell_set(&c[13], LV_NONE, "%s", buf);
	}
	if (all || !same(was->avg_wait_ms, k->avg_wait_ms) || was->wait_warn != k->wait_warn) {
		if (isnan(pl->avg_wait_ms))
			snprintf(buf, sizeof(buf), "-");
		else
			fmt_duration_ms(buf, sizeof(buf), pl->avg_wait_ms);
		cell_set(&c[14], pl->avg_wait_ms > k->wait_warn ? LV_WARN : LV_NONE, "%s", buf);
	}
	if (all)
		cell_set(&c[15], LV_NONE, "%s", "");
}

/* Row i of the table: its cells are the cache's (valid until the next fill), formatted
 * again only when what they show changed. */
static void fill_row(struct pools_panel *p, int i, int stale, struct table *t)
{
	const struct pool *pl = &p->set.p[i];
	const double *o = p->base.app->cfg->opt;
	struct row_cache *rc = &p->cache[i];
	struct row_key k;
	row_key(&k, pl, o, stale);
	if (memcmp(&k, &rc->key, sizeof(k)) != 0) {
		format_row(pl, &rc->key, &k, rc->cells);
		rc->key = k;
	}
	struct table_row *row = table_add_row_cells(t, rc->cells);
	row->level = pl->level;
	row->stale = stale;
	row->spark = &pl->sat_hist;
}

static double server_count(const struct pools_panel *p)
{
	double n = 0;
	for (int i = 0; i < p->set.n; i++)
		n += p->set.p[i].sv_active + p->set.p[i].sv_idle + p->set.p[i].sv_used + p->set.p[i].sv_login;
	return n;
}

static void pools_fill(struct panel *base, struct table *t)
{
	struct pools_panel *p = self(base);
	struct app *a = base->app;
	char be[32];
	table_init(t, COLS, (int)ARRAY_LEN(COLS));
	fmt_num(be, sizeof(be), p->backends, 0, "");
	if (!a->bouncer) {
		snprintf(t->summary, sizeof(t->summary), "pgbouncer: not configured");
		t->empty_text = "Add pgbouncer = host=... port=6432 dbname=pgbouncer user=... to the config.";
		return;
	}
	if (p->error[0]) {
		snprintf(t->summary, sizeof(t->summary), "PgBouncer: %s", p->error);
		t->summary_level = LV_CRIT;
	} else {
		snprintf(t->summary, sizeof(t->summary),
			 "PgBouncer: %d pool%s, %.0f server connections; primary: %s client backends", p->set.n,
			 p->set.n == 1 ? "" : "s", server_count(p), be);
		t->summary_level = LV_OK;
	}
	t->empty_text = p->have_data ? "No client pools yet: PgBouncer opens a pool at its first client."
				     : "Waiting for PgBouncer's first answer...";
	if (p->ncache < p->set.n) {
		p->cache = xrealloc(p->cache, sizeof(*p->cache) * (size_t)p->set.n);
		memset(&p->cache[p->ncache], 0, sizeof(*p->cache) * (size_t)(p->set.n - p->ncache));
		for (int i = p->ncache; i < p->set.n; i++)
			p->cache[i].key.level = -1; /* never formatted: matches no row */
		p->ncache = p->set.n;
	}
	table_reserve(t, p->set.n);
	int st = stale(p);
	for (int i = 0; i < p->set.n; i++)
		fill_row(p, i, st, t);
}

static void list_rows(struct sbuf *out, const struct rowset *rs, const char *db, const char *user, const char *what)
{
	int shown = 0;
	sbuf_addf(out, "%s:\n", what);
	for (int r = 0; r < rs->nrows; r++) {
		const char *d = rowset_val(rs, r, "database"), *u = rowset_val(rs, r, "user");
		if (!d || !u || strcmp(d, db) || strcmp(u, user))
			continue;
		const char *app = rowset_val(rs, r, "application_name");
		sbuf_addf(out, "  %-8s %s:%s  since %s  %s\n", rowset_val(rs, r, "state") ? rowset_val(rs, r, "state") : "?",
			  rowset_val(rs, r, "addr") ? rowset_val(rs, r, "addr") : "?",
			  rowset_val(rs, r, "port") ? rowset_val(rs, r, "port") : "?",
			  rowset_val(rs, r, "connect_time") ? rowset_val(rs, r, "connect_time") : "?", app ? app : "");
		shown++;
	}
	if (!shown)
		sbuf_addf(out, "  none\n");
}

static void pools_detail(struct panel *base, int row, struct sbuf *out)
{
	struct pools_panel *p = self(base);
	if (row < 0 || row >= p->set.n)
		return;
	const struct pool *pl = &p->set.p[row];
	char key[130], buf[32];
	snprintf(p->focus_db, sizeof(p->focus_db), "%s", pl->database);
	snprintf(p->focus_user, sizeof(p->focus_user), "%s", pl->user);
	p->focus_until = now_mono_ms() + FOCUS_MS;
	sbuf_addf(out, "%-22s %s / %s\n", "pool", pl->database, pl->user);
	if (pl->level == LV_OK)
		sbuf_addf(out, "%-22s ok\n", "status");
	else
		sbuf_addf(out, "%-22s %s: %s\n", "status", level_name(pl->level), pl->reason);
	sbuf_addf(out, "%-22s active %.0f, waiting %.0f\n", "clients", pl->cl_active, pl->cl_waiting);
	fmt_num(buf, sizeof(buf), pl->pool_size, 0, "");
	sbuf_addf(out, "%-22s active %.0f, idle %.0f, used %.0f, login %.0f; pool size %s\n", "servers",
		  pl->sv_active, pl->sv_idle, pl->sv_used, pl->sv_login, buf);
	fmt_duration_ms(buf, sizeof(buf), pl->maxwait_ms);
	sbuf_addf(out, "%-22s %s (mode %s)\n", "longest wait", buf, pl->pool_mode[0] ? pl->pool_mode : "?");
	snprintf(key, sizeof(key), "%s/%s", pl->database, pl->user);
	if (strcmp(key, p->lists_for) != 0) {
		sbuf_addf(out, "servers and clients: loading (next refresh)...\n");
		return;
	}
	list_rows(out, &p->servers, pl->database, pl->user, "servers (SHOW SERVERS)");
	list_rows(out, &p->clients, pl->database, pl->user, "clients (SHOW CLIENTS)");
}

static enum level pools_level(const struct panel *base, const char **why)
{
	const struct pools_panel *p = (const struct pools_panel *)base;
	enum level lv = base->app->bouncer && p->have_data ? LV_OK : LV_NONE;
	if (why)
		*why = NULL;
	if (base->app->bouncer && p->error[0]) {
		if (why)
			*why = p->error;
		return LV_CRIT;
	}
	for (int i = 0; i < p->set.n; i++)
		if (p->set.p[i].level > lv) {
			lv = p->set.p[i].level;
			if (why)
				*why = p->set.p[i].reason;
		}
	return lv == LV_PENDING ? LV_OK : lv;
}

static cJSON *pools_json(struct panel *base)
{
	struct pools_panel *p = self(base);
	cJSON *o = cJSON_CreateObject();
	const char *why;
	enum level lv = pools_level(base, &why);
	cJSON_AddStringToObject(o, "status", level_name(lv));
	if (why)
		cJSON_AddStringToObject(o, "reason", why);
	else
		cJSON_AddNullToObject(o, "reason");
	json_num(o, "primary_client_backends", p->backends);
	json_num(o, "server_connections", p->have_data ? server_count(p) : NAN);
	cJSON *arr = cJSON_AddArrayToObject(o, "pools");
	for (int i = 0; i < p->set.n; i++) {
		const struct pool *pl = &p->set.p[i];
		cJSON *j = cJSON_CreateObject();
		cJSON_AddStringToObject(j, "database", pl->database);
		cJSON_AddStringToObject(j, "user", pl->user);
		cJSON_AddStringToObject(j, "status", level_name(pl->level));
		cJSON_AddStringToObject(j, "reason", pl->reason);
		cJSON_AddNumberToObject(j, "cl_active", pl->cl_active);
		cJSON_AddNumberToObject(j, "cl_waiting", pl->cl_waiting);
		cJSON_AddNumberToObject(j, "sv_active", pl->sv_active);
		cJSON_AddNumberToObject(j, "sv_idle", pl->sv_idle);
		cJSON_AddNumberToObject(j, "sv_used", pl->sv_used);
		cJSON_AddNumberToObject(j, "maxwait_ms", pl->maxwait_ms);
		cJSON_AddStringToObject(j, "pool_mode", pl->pool_mode);
		json_num(j, "pool_size", pl->pool_size);
		json_num(j, "saturation_pct", pl->saturation);
		json_num(j, "xact_per_s", pl->xact_per_s);
		json_num(j, "query_per_s", pl->query_per_s);
		json_num(j, "avg_wait_ms", pl->avg_wait_ms);
		cJSON_AddItemToArray(arr, j);
	}
	return o;
}

static void pools_text(struct panel *base, struct sbuf *out)
{
	struct pools_panel *p = self(base);
	struct table t;
	pools_fill(base, &t);
	sbuf_addf(out, "%s\n", t.summary);
	sbuf_addf(out, "%-14s %-8s %-8s %6s %7s %6s %4s %5s %-11s %s\n", "DATABASE", "USER", "STATUS", "CL_ACT", "CL_WAIT",
		  "SV_ACT", "SIZE", "SAT", "MODE", "WHY");
	for (int i = 0; i < t.nrows; i++) {
		const struct cell *c = t.rows[i].cells;
		sbuf_addf(out, "%-14s %-8s %-8s %6s %7s %6s %4s %5s %-11s %s\n", c[0].text, c[1].text, c[2].text,
			  c[3].text, c[4].text, c[5].text, c[8].text, c[9].text, c[11].text, p->set.p[i].reason);
	}
	if (!t.nrows)
		sbuf_addf(out, "%s\n", t.empty_text);
	table_done(&t);
}

static void pools_samples(struct panel *base, void (*emit)(void *, const char *, double, const char *), void *ctx)
{
	struct pools_panel *p = self(base);
	char m[160];
	if (!p->have_data)
		return;
	emit(ctx, "primary_client_backends", p->backends, "connections");
	emit(ctx, "server_connections", server_count(p), "connections");
	/* totals over every pool, then the pools that tell most (bounded: see pools_sample_order) */
	double waiting = 0, max_sat = NAN, max_wait = NAN, xact = 0;
	int warn = 0, crit = 0;
	for (int i = 0; i < p->set.n; i++) {
		const struct pool *pl = &p->set.p[i];
		waiting += isnan(pl->cl_waiting) ? 0 : pl->cl_waiting;
		xact += isnan(pl->xact_per_s) ? 0 : pl->xact_per_s;
		if (!isnan(pl->saturation) && !(pl->saturation <= max_sat))
			max_sat = pl->saturation;
		if (!isnan(pl->maxwait_ms) && !(pl->maxwait_ms <= max_wait))
			max_wait = pl->maxwait_ms;
		warn += pl->level == LV_WARN;
		crit += pl->level == LV_CRIT;
	}
	emit(ctx, "pools", p->set.n, "pools");
	emit(ctx, "pools_warn", warn, "pools");
	emit(ctx, "pools_critical", crit, "pools");
	emit(ctx, "cl_waiting_total", waiting, "clients");
	emit(ctx, "saturation_max_pct", max_sat, "%");
	emit(ctx, "maxwait_max_ms", max_wait, "ms");
	emit(ctx, "xact_per_s_total", xact, "1/s");
	int idx[POOLS_SAMPLED_MAX];
	int n = pools_sample_order(&p->set, idx, POOLS_SAMPLED_MAX);
	for (int k = 0; k < n; k++) {
		const struct pool *pl = &p->set.p[idx[k]];
		snprintf(m, sizeof(m), "%.48s/%.48s.saturation_pct", pl->database, pl->user);
		emit(ctx, m, pl->saturation, "%");
		snprintf(m, sizeof(m), "%.48s/%.48s.cl_waiting", pl->database, pl->user);
		emit(ctx, m, pl->cl_waiting, "clients");
		snprintf(m, sizeof(m), "%.48s/%.48s.maxwait_ms", pl->database, pl->user);
		emit(ctx, m, pl->maxwait_ms, "ms");
		snprintf(m, sizeof(m), "%.48s/%.48s.xact_per_s", pl->database, pl->user);
		emit(ctx, m, pl->xact_per_s, "1/s");
	}
}

static struct panel *pools_create(const struct panel_class *cls, struct app *a)
{
	struct pools_panel *p = xcalloc(1, sizeof(*p));
	p->base.cls = cls;
	p->base.app = a;
	p->backends = NAN;
	p->set.default_pool_size = NAN;
	return &p->base;
}

static void pools_destroy(struct panel *base)
{
	struct pools_panel *p = self(base);
	free(p->cache);
	pools_done(&p->set);
	rowset_done(&p->servers);
	rowset_done(&p->clients);
	rowset_done(&p->dbs);
	rowset_done(&p->config);
	free(p);
}

const struct panel_class pools_class = {
	.name = "pools",
	.title = "Pools",
	.create = pools_create,
	.destroy = pools_destroy,
	.poll = pools_poll,
	.busy = pools_busy,
	.fill = pools_fill,
	.detail = pools_detail,
	.json = pools_json,
	.level = pools_level,
	.text = pools_text,
	.samples = pools_samples,
};
