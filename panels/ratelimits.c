/* Rate limits panel: the API's /admin/rate-limit/analytics and Redis read directly.
 * Redis: each refresh runs TIME + SCAN (MATCH <prefix>*:*, COUNT 200; at most
 * RL_SCANS_PER_REFRESH calls, RL_SCANS_FIRST before the first full cycle; the cursor is carried
 * over to the next refresh - never KEYS),
 * then one MGET of the current window's counter and the all-time blocked counter of every
 * API key found so far. Rows: one per tier, each followed by its keys closest to the limit. */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "panels/panel.h"
#include "panels/ratelimits_model.h"
#include "src/app.h"

#define RL_SCANS_PER_REFRESH 5
#define RL_SCANS_FIRST 25 /* until the first cycle completes: a whole picture sooner */
#define RL_ANALYTICS_PATH "/admin/rate-limit/analytics"

enum { STEP_TIME_SCAN, STEP_SCAN, STEP_MGET };

struct rl_panel {
	struct panel base;
	struct rl_config cfg;
	struct rl_analytics api;
	int have_api, api_busy;
	int64_t api_ok_mono, api_asked_mono;
	char api_error[220];
	struct rl_redis redis;
	int have_redis, redis_busy, scans, step;
	int64_t busy_until;
	struct event *retry;
	int64_t redis_ok_mono;
	char redis_error[220];
	struct rl_view view;
	struct history hist[RL_MAX_TIERS]; /* blocked this window, per configured tier */
};

static void report(struct rl_panel *p)
{
	struct alerts *al = &p->base.app->alerts;
	const struct rl_view *v = &p->view;
	alerts_set(al, "ratelimit.near_limit", "ratelimits", v->nnear ? ALERT_FIRING : ALERT_OK, LV_WARN, v->near_why,
		   "RB-14");
	alerts_set(al, "ratelimit.abuse", "ratelimits", v->abuse[0] ? ALERT_FIRING : ALERT_OK, LV_CRIT, v->abuse,
		   "RB-16");
}

static void evaluate(struct rl_panel *p)
{
	rl_evaluate(&p->view, p->have_redis ? &p->redis : NULL, p->have_api ? &p->api : NULL, &p->cfg);
	report(p);
}

/* ---- the API ---------------------------------------------------------------------------- */

static void on_api(void *arg, const struct http_response *r, const char *error)
{
	struct rl_panel *p = arg;
	char why[160];
	p->api_busy = 0;
	p->have_api = 0;
	if (error) {
		snprintf(p->api_error, sizeof(p->api_error), "%s", error);
	} else if (r->status != 200) {
		snprintf(p->api_error, sizeof(p->api_error), "HTTP %ld from %s", r->status, RL_ANALYTICS_PATH);
	} else if (rl_parse_analytics(r->body, r->len, &p->api, why, sizeof(why))) {
		snprintf(p->api_error, sizeof(p->api_error), "bad JSON from %s: %s", RL_ANALYTICS_PATH, why);
	} else {
		p->have_api = 1;
		p->api_ok_mono = now_mono_ms();
		p->api_error[0] = '\0';
	}
	evaluate(p);
	for (int i = 0; i < RL_MAX_TIERS && i < p->view.ntiers; i++)
		if (!p->have_redis) /* the API is the only source: its window counts feed the history */
			history_push(&p->hist[i], p->view.tiers[i].blocked);
	app_changed(p->base.app);
}

/* ---- Redis ----------------------------------------------------------------------------------- */

static void redis_failed(struct rl_panel *p, const char *why)
{
	p->redis_busy = 0;
	p->have_redis = 0;
	snprintf(p->redis_error, sizeof(p->redis_error), "%s", why);
	evaluate(p);
	app_changed(p->base.app);
}

static void on_values(void *arg, redisReply **rep, int n, const char *error)
{
	struct rl_panel *p = arg;
	const char **vals = NULL;
	int nv = 0;
	if (!error && n == 1 && rep[0]->type == REDIS_REPLY_ARRAY) {
		nv = (int)rep[0]->elements;
		vals = xcalloc((size_t)(nv ? nv : 1), sizeof(char *));
		for (int i = 0; i < nv; i++)
			vals[i] = rep[0]->element[i]->type == REDIS_REPLY_STRING ? rep[0]->element[i]->str : NULL;
	}
	if (!vals) {
		redis_failed(p, error ? error : "unexpected reply to MGET");
		return;
	}
	rl_redis_values(&p->redis, vals, nv, now_mono_ms());
	free(vals);
	p->redis_busy = 0;
	p->have_redis = 1;
	p->redis_ok_mono = now_mono_ms();
	p->redis_error[0] = '\0';
	evaluate(p);
	for (int i = 0; i < RL_MAX_TIERS && i < p->view.ntiers; i++)
		history_push(&p->hist[i], p->view.tiers[i].blocked);
	app_changed(p->base.app);
}

static int send_mget(struct rl_panel *p)
{
	const char *const *names;
	int n = rl_redis_names(&p->redis, &names);
	const char **argv = xcalloc((size_t)n + 1, sizeof(char *));
	argv[0] = "MGET";
	memcpy(argv + 1, names, sizeof(char *) * (size_t)n);
	int argc = n + 1;
	const char *const *cmds[] = {argv};
	int rc = redisconn_batch(p->base.app->redis, 1, &argc, cmds, on_values, p);
	free(argv);
	return rc;
}

static void on_scan(void *arg, redisReply **rep, int n, const char *error);

static int send_scan(struct rl_panel *p, int with_time)
{
	char *match = xasprintf("%s*:*", p->redis.prefix);
	const char *time_cmd[] = {"TIME"};
	const char *scan_cmd[] = {"SCAN", p->redis.cursor, "MATCH", match, "COUNT", "200"};
	const char *const *cmds[] = {time_cmd, scan_cmd};
	int argc[] = {1, 6};
	struct redisconn *r = p->base.app->redis;
	int rc = with_time ? redisconn_batch(r, 2, argc, cmds, on_scan, p) : redisconn_batch(r, 1, argc + 1, cmds + 1, on_scan, p);
	free(match);
	return rc;
}

/* Sends the next step; when another panel's batch holds the one connection (RQ_BUSY), tries
 * again 20 ms later, until the deadline of this refresh. */
static void redis_step(struct rl_panel *p)
{
	int rc = p->step == STEP_MGET ? send_mget(p) : send_scan(p, p->step == STEP_TIME_SCAN);
	if (rc == RQ_STARTED)
		return;
	if (rc == RQ_BUSY && now_mono_ms() < p->busy_until) {
		struct timeval tv = {0, 20000};
		evtimer_add(p->retry, &tv);
		return;
	}
	const struct source_status *st = redisconn_status(p->base.app->redis);
	redis_failed(p, rc == RQ_BUSY ? "the Redis connection stayed busy with other batches"
			: st->last_error ? st->last_error : src_state_name(st->state));
}

static void retry_cb(evutil_socket_t fd, short what, void *arg)
{
	(void)fd, (void)what;
	redis_step(arg);
}

static void on_scan(void *arg, redisReply **rep, int n, const char *error)
{
	struct rl_panel *p = arg;
	redisReply *scan = n ? rep[n - 1] : NULL;
	if (error || !scan || scan->type != REDIS_REPLY_ARRAY || scan->elements != 2 ||
	    scan->element[0]->type != REDIS_REPLY_STRING || scan->element[1]->type != REDIS_REPLY_ARRAY) {
		redis_failed(p, error ? error : scan && scan->type == REDIS_REPLY_ERROR ? scan->str : "unexpected reply to SCAN");
		return;
	}
	if (n == 2 && rep[0]->type == REDIS_REPLY_ARRAY && rep[0]->elements >= 1 &&
	    rep[0]->element[0]->type == REDIS_REPLY_STRING) /* TIME: seconds, microseconds */
		p->redis.minute = strtoll(rep[0]->element[0]->str, NULL, 10) / 60;
	redisReply *keys = scan->element[1];
	const char **names = xcalloc(keys->elements + 1, sizeof(char *));
	for (size_t i = 0; i < keys->elements; i++)
		names[i] = keys->element[i]->type == REDIS_REPLY_STRING ? keys->element[i]->str : NULL;
	int cycle_done = rl_redis_scan(&p->redis, scan->element[0]->str, names, (int)keys->elements);
	free(names);
	int budget = p->redis.cycle ? RL_SCANS_PER_REFRESH : RL_SCANS_FIRST;
	p->step = !cycle_done && ++p->scans < budget ? STEP_SCAN : STEP_MGET;
	redis_step(p);
}

static void ratelimits_poll(struct panel *base)
{
	struct rl_panel *p = (struct rl_panel *)base;
	struct app *a = base->app;
	/* With Redis read directly, the API's analytics are its own view beside it, and costly
	 * for the API (it SCANs every key): asked every slow_refresh. Without Redis they are the
	 * data, asked every refresh. */
	int64_t now = now_mono_ms();
	double every = a->redis && p->have_redis ? a->cfg->opt[OPT_SLOW_REFRESH] : 0;
	if (a->api && !p->api_busy && (!p->api_asked_mono || (double)(now - p->api_asked_mono) >= every - 50)) {
		p->api_busy = 1;
		p->api_asked_mono = now;
		/* beside Redis (asked every slow_refresh) the SCAN of every key may take a third
		 * of slow_refresh, at most 10 s: the lab's API needs 3.0-3.3 s at 1,000,000 keys,
		 * and a request cut off at `timeout` would cost a new connection each time */
		double slow = a->cfg->opt[OPT_SLOW_REFRESH];
		double within = a->redis ? fmin(fmax(a->cfg->opt[OPT_TIMEOUT], slow / 3), 10000) : 0;
		if (httpconn_get_within(a->api, RL_ANALYTICS_PATH, NULL, (int)within, on_api, p) != 0)
			p->api_busy = 0; /* backing off: the last failure stays on show */
	}
	if (a->redis && !p->redis_busy) {
		p->redis_busy = 1; /* cleared by the callbacks, which may run before this returns */
		p->scans = 0;
		p->step = STEP_TIME_SCAN;
		p->busy_until = now_mono_ms() + (int64_t)a->cfg->opt[OPT_TIMEOUT];
		if (!p->redis.minute) /* until TIME answers */
			p->redis.minute = now_wall_ms() / 60000;
		redis_step(p);
	}
	evaluate(p);
}

static int ratelimits_busy(const struct panel *base)
{
	const struct rl_panel *p = (const struct rl_panel *)base;
	return p->api_busy || p->redis_busy;
}

/* ---- what is shown ------------------------------------------------------------------------------ */

static int fresh(const struct rl_panel *p, int64_t ok_mono)
{
	return ok_mono && (double)(now_mono_ms() - ok_mono) <= app_stale_after_ms(p->base.app) * 2;
}

/* Rows: each tier, then its hot keys. ref[i] = {tier index, hot index or -1}. */
static int row_refs(const struct rl_view *v, int (*ref)[2], int max)
{
	int n = 0;
	for (int t = 0; t < v->ntiers && n < max; t++) {
		ref[n][0] = t, ref[n][1] = -1, n++;
		for (int h = 0; h < v->nhot && n < max; h++)
			if (!strcmp(v->hot[h].tier, v->tiers[t].name))
				ref[n][0] = t, ref[n][1] = h, n++;
	}
	return n;
}

static const struct column COLS[] = {
	{"TIER / KEY", 14, 0, 0}, {"STATUS", 8, 0, 0},  {"LIMIT", 9, 0, 1},    {"REQ", 6, 0, 1},
	{"USE%", 5, 0, 1},        {"BLOCKED", 7, 0, 1}, {"BLK/MIN", 7, 1, 1},  {"KEYS", 5, 1, 1},
	{"NEAR", 5, 1, 1},        {"429%", 6, 2, 1},    {"TOTAL BLK", 9, 2, 1}, {"API REQ/BLK", 12, 3, 1},
	{"BLOCKED HISTORY", 20, 3, 0},
};

static void num_cell(struct cell *c, enum level lv, double v, int decimals)
{
	if (isnan(v))
		cell_set(c, LV_NONE, "-");
	else
		cell_set(c, lv, "%.*f", decimals, v);
}

static void source_line(struct sbuf *sb, const char *name, const void *configured, int have, const char *err,
			const struct source_status *st)
{
	if (!configured)
		sbuf_addf(sb, "%s: not configured", name);
	else if (have)
		sbuf_addf(sb, "%s: %s", name, src_state_name(st->state));
	else
		sbuf_addf(sb, "%s: %s", name, err[0] ? err : st->last_error ? st->last_error : src_state_name(st->state));
}

static void ratelimits_fill(struct panel *base, struct table *t)
{
	struct rl_panel *p = (struct rl_panel *)base;
	struct app *a = base->app;
	const struct rl_view *v = &p->view;
	struct sbuf sb = {0};
	table_init(t, COLS, (int)ARRAY_LEN(COLS));
	t->empty_text = "Rate limits need the API (api = ...) or Redis (redis = ...) in the config.";
	if (!a->api && !a->redis)
		return;
	source_line(&sb, "redis", a->redis, p->have_redis, p->redis_error, a->redis ? redisconn_status(a->redis) : NULL);
	sbuf_add(&sb, "  ");
	source_line(&sb, "API", a->api, p->have_api, p->api_error, a->api ? httpconn_status(a->api) : NULL);
	if (!isnan(v->api_blocked_count) || !isnan(v->blocked_total))
		sbuf_addf(&sb, "  blocked %.0f in all", isnan(v->api_blocked_count) ? v->blocked_total : v->api_blocked_count);
	snprintf(t->summary, sizeof(t->summary), "%s", sb.buf);
	sbuf_done(&sb);
	t->summary_level = (a->api && !p->have_api) || (a->redis && !p->have_redis) ? LV_WARN : v->level;
	int ref[RL_MAX_TIERS * (RL_MAX_HOT + 1)][2];
	int n = row_refs(v, ref, (int)ARRAY_LEN(ref));
	int stale = !fresh(p, p->redis_ok_mono) && !fresh(p, p->api_ok_mono);
	for (int i = 0; i < n; i++) {
		const struct rl_tier *tr = &v->tiers[ref[i][0]];
		struct table_row *row = table_add_row(t);
		struct cell *c = row->cells;
		row->stale = stale;
		if (ref[i][1] < 0) {
			row->level = tr->level;
			row->spark = ref[i][0] < RL_MAX_TIERS ? &p->hist[ref[i][0]] : NULL;
			cell_set(&c[0], LV_NONE, "%s", tr->name);
			cell_set(&c[1], tr->level, "%s", tr->level == LV_NONE ? "-" : level_name(tr->level));
			if (!isnan(tr->api_limit) && tr->api_limit != tr->limit)
				cell_set(&c[2], LV_WARN, "%.0f(%.0f)", tr->limit, tr->api_limit);
			else
				num_cell(&c[2], LV_NONE, tr->limit, 0);
			num_cell(&c[3], LV_NONE, tr->requests, 0);
			num_cell(&c[4], tr->level, tr->max_pct, 0);
			num_cell(&c[5], tr->blocked > 0 ? LV_WARN : LV_OK, tr->blocked, 0);
			num_cell(&c[6], LV_NONE, tr->blocked_per_min, 1);
			num_cell(&c[7], LV_NONE, tr->keys, 0);
			num_cell(&c[8], tr->near > 0 ? LV_WARN : LV_OK, tr->near, 0);
			num_cell(&c[9], LV_NONE, tr->rate_429, 1);
			num_cell(&c[10], LV_NONE, tr->blocked_total, 0);
			if (isnan(tr->api_requests))
				cell_set(&c[11], LV_NONE, "-");
			else
				cell_set(&c[11], LV_NONE, "%.0f/%.0f", tr->api_requests, tr->api_blocked);
		} else {
			const struct rl_hot *h = &v->hot[ref[i][1]];
			row->level = h->level;
			cell_set(&c[0], LV_NONE, "  %s", h->key);
			cell_set(&c[1], h->level, "%s", level_name(h->level));
			num_cell(&c[2], LV_NONE, h->limit, 0);
			num_cell(&c[3], LV_NONE, h->used, 0);
			num_cell(&c[4], h->level, h->pct, 0);
			num_cell(&c[5], h->blocked > 0 ? LV_WARN : LV_OK, h->blocked, 0);
			num_cell(&c[6], LV_NONE, h->blocked_per_min, 1);
			num_cell(&c[9], LV_NONE, h->used > 0 ? h->blocked / h->used * 100 : NAN, 1);
			num_cell(&c[10], LV_NONE, h->blocked_total, 0);
		}
	}
}

static void kv(struct sbuf *out, const char *k, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void kv(struct sbuf *out, const char *k, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *s = xvasprintf(fmt, ap);
	va_end(ap);
	sbuf_addf(out, "%-22s %s\n", k, *s ? s : "-");
	free(s);
}

static void ratelimits_detail(struct panel *base, int row, struct sbuf *out)
{
	struct rl_panel *p = (struct rl_panel *)base;
	const struct rl_view *v = &p->view;
	int ref[RL_MAX_TIERS * (RL_MAX_HOT + 1)][2];
	int n = row_refs(v, ref, (int)ARRAY_LEN(ref));
	if (row < 0 || row >= n)
		return;
	const struct rl_tier *t = &v->tiers[ref[row][0]];
	if (ref[row][1] >= 0) {
		const struct rl_hot *h = &v->hot[ref[row][1]];
		kv(out, "API key", "%s (masked), tier %s", h->key, h->tier);
		kv(out, "status", "%s%s", level_name(h->level), h->level == LV_CRIT ? " - abuse pattern, see RB-16" :
			h->level == LV_WARN ? " - near or over its limit, see RB-14 / RB-15" : "");
		kv(out, "this window", "%.0f requests of %.0f/min (%.0f%%), %.0f blocked", h->used, h->limit, h->pct,
		   h->blocked);
		kv(out, "blocked per minute", isnan(h->blocked_per_min) ? "not measured yet" : "%.1f", h->blocked_per_min);
		kv(out, "blocked in all", isnan(h->blocked_total) ? "-" : "%.0f", h->blocked_total);
	} else {
		kv(out, "tier", "%s", t->name);
		kv(out, "status", "%s", level_name(t->level));
		kv(out, "limit", "%.0f/min (config)%s", t->limit, isnan(t->api_limit) ? "" : t->api_limit == t->limit ?
			", the API agrees" : ", THE API SAYS OTHERWISE");
		if (!isnan(t->api_limit))
			kv(out, "API limit", "%.0f/min", t->api_limit);
		kv(out, "this window", "%.0f requests, %.0f blocked (%.1f%% 429s), %.0f keys, %.0f near the limit",
		   t->requests, t->blocked, t->rate_429, t->keys, t->near);
		kv(out, "blocked per minute", isnan(t->blocked_per_min) ? "not measured yet" : "%.1f", t->blocked_per_min);
		kv(out, "blocked in all", isnan(t->blocked_total) ? "-" : "%.0f", t->blocked_total);
		if (!isnan(t->api_requests))
			kv(out, "the API says", "%.0f requests, %.0f blocked, %.0f keys", t->api_requests, t->api_blocked,
			   t->api_keys);
	}
	kv(out, "panel", "%s", v->why[0] ? v->why : "ok");
	kv(out, "data from", "%s", v->from_redis ? "Redis (SCAN + MGET), the API for its own view" : "the API's analytics");
	kv(out, "redis scan", "cursor %s, %u full cycles, %llu names examined, %d keys known", p->redis.cursor,
	   p->redis.cycle, p->redis.examined, p->redis.nkeys);
	if (p->api_error[0])
		kv(out, "API error", "%s", p->api_error);
	if (p->redis_error[0])
		kv(out, "redis error", "%s", p->redis_error);
}

static enum level ratelimits_level(const struct panel *base, const char **why)
{
	const struct rl_panel *p = (const struct rl_panel *)base;
	const struct app *a = base->app;
	if (why)
		*why = p->view.why[0] ? p->view.why : NULL;
	if ((a->api || a->redis) && !p->have_api && !p->have_redis && (p->api_error[0] || p->redis_error[0])) {
		if (why)
			*why = p->api_error[0] ? p->api_error : p->redis_error;
		return LV_WARN;
	}
	return p->view.level;
}

static cJSON *ratelimits_json(struct panel *base)
{
	struct rl_panel *p = (struct rl_panel *)base;
	struct app *a = base->app;
	const char *why = NULL;
	enum level lv = ratelimits_level(base, &why);
	cJSON *o = rl_view_json(&p->view);
	cJSON_AddStringToObject(o, "status", level_name(lv));
	if (why)
		cJSON_AddStringToObject(o, "reason", why);
	else
		cJSON_AddNullToObject(o, "reason");
	cJSON *src = cJSON_AddObjectToObject(o, "sources");
	cJSON_AddStringToObject(src, "api", !a->api ? "not configured" : p->have_api ? "ok" : p->api_error[0] ? p->api_error : "waiting");
	cJSON_AddStringToObject(src, "redis", !a->redis ? "not configured" : p->have_redis ? "ok" : p->redis_error[0] ? p->redis_error : "waiting");
	cJSON *scan = cJSON_AddObjectToObject(o, "scan");
	cJSON_AddStringToObject(scan, "cursor", p->redis.cursor);
	cJSON_AddNumberToObject(scan, "cycles", p->redis.cycle);
	cJSON_AddNumberToObject(scan, "examined", (double)p->redis.examined);
	cJSON_AddNumberToObject(scan, "keys", p->redis.nkeys);
	cJSON_AddNumberToObject(scan, "window_minute", (double)p->redis.minute);
	return o;
}

static void ratelimits_text(struct panel *base, struct sbuf *out)
{
	struct table t;
	ratelimits_fill(base, &t);
	if (t.summary[0])
		sbuf_addf(out, "%s\n", t.summary);
	if (!t.nrows) {
		sbuf_addf(out, "%s\n", t.empty_text);
	} else {
		sbuf_addf(out, "%-14s %-8s %9s %6s %5s %7s %7s %5s %5s\n", "TIER / KEY", "STATUS", "LIMIT", "REQ", "USE%",
			  "BLOCKED", "BLK/MIN", "KEYS", "NEAR");
		for (int i = 0; i < t.nrows; i++) {
			struct cell *c = t.rows[i].cells;
			sbuf_addf(out, "%-14s %-8s %9s %6s %5s %7s %7s %5s %5s\n", c[0].text, c[1].text, c[2].text,
				  c[3].text, c[4].text, c[5].text, c[6].text, c[7].text, c[8].text);
		}
	}
	const char *why = NULL;
	if (ratelimits_level(base, &why) >= LV_WARN && why)
		sbuf_addf(out, "%s\n", why);
	table_done(&t);
}

static struct panel *ratelimits_create(const struct panel_class *cls, struct app *a)
{
	struct rl_panel *p = xcalloc(1, sizeof(*p));
	static const char *const names[] = {"free", "pro", "standard", "enterprise"};
	static const enum opt_id opts[] = {OPT_TIER_FREE, OPT_TIER_PRO, OPT_TIER_STANDARD, OPT_TIER_ENTERPRISE};
	p->base.cls = cls;
	p->base.app = a;
	p->cfg.ntiers = (int)ARRAY_LEN(names);
	for (int i = 0; i < p->cfg.ntiers; i++) {
		snprintf(p->cfg.names[i], sizeof(p->cfg.names[i]), "%s", names[i]);
		p->cfg.limits[i] = a->cfg->opt[opts[i]];
	}
	p->cfg.near_pct = a->cfg->opt[OPT_RATE_NEAR_LIMIT];
	p->cfg.abuse_per_min = a->cfg->opt[OPT_RATE_ABUSE];
	p->retry = evtimer_new(a->base, retry_cb, p);
	const char *prefix = a->cfg->sopt[OPT_RATELIMIT_PREFIX];
	rl_redis_init(&p->redis, prefix && *prefix ? prefix : "ratelimit:");
	int cap = (int)(a->cfg->opt[OPT_HISTORY] / (a->refresh_ms > 0 ? a->refresh_ms : 1000)) + 1;
	for (int i = 0; i < RL_MAX_TIERS; i++)
		history_init(&p->hist[i], cap);
	evaluate(p);
	return &p->base;
}

static void ratelimits_destroy(struct panel *base)
{
	struct rl_panel *p = (struct rl_panel *)base;
	rl_redis_done(&p->redis);
	event_free(p->retry);
	for (int i = 0; i < RL_MAX_TIERS; i++)
		history_done(&p->hist[i]);
	free(p);
}

static void ratelimits_samples(struct panel *base, void (*emit)(void *, const char *, double, const char *),
			       void *ctx)
{
	struct rl_panel *p = (struct rl_panel *)base;
	char m[64];
	emit(ctx, "blocked_total", p->view.blocked_total, "requests");
	emit(ctx, "api_blocked_count", p->view.api_blocked_count, "requests");
	for (int i = 0; i < p->view.ntiers; i++) {
		snprintf(m, sizeof(m), "%.24s.requests", p->view.tiers[i].name);
		emit(ctx, m, p->view.tiers[i].requests, "requests");
	}
}

const struct panel_class ratelimits_class = {
	.name = "ratelimits",
	.title = "Rate limits",
	.create = ratelimits_create,
	.destroy = ratelimits_destroy,
	.poll = ratelimits_poll,
	.busy = ratelimits_busy,
	.fill = ratelimits_fill,
	.detail = ratelimits_detail,
	.json = ratelimits_json,
	.level = ratelimits_level,
	.text = ratelimits_text,
	.samples = ratelimits_samples,
};
