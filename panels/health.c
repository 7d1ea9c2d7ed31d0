/* The health strip: the API's /health, /health/detailed, /metrics/queries and
 * /metrics/errors, fetched in parallel at every refresh; one row (API status, p50, p95, p99,
 * slow queries, error rate, age), always visible under the tab bar. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "panels/health_model.h"
#include "panels/panel.h"
#include "src/app.h"

struct ep_ctx {
	struct health_panel *p;
	enum health_ep ep;
};

#define HEALTH_DETAILED_EVERY 5

struct health_panel {
	struct panel base;
	struct health_model m;
	int busy[HEP__COUNT];
	int64_t detailed_asked_mono;
	struct ep_ctx ctx[HEP__COUNT];
	struct history p95_hist;
};

static struct health_thresholds thresholds(const struct app *a)
{
	const double *o = a->cfg->opt;
	return (struct health_thresholds){
		o[OPT_HEALTH_P95_WARN], o[OPT_HEALTH_P95_WARN_FOR], o[OPT_HEALTH_P95_CRIT], o[OPT_HEALTH_P95_CRIT_FOR],
		o[OPT_HEALTH_SLOW_QUERIES_WARN], o[OPT_HEALTH_ERROR_WARN], o[OPT_HEALTH_ERROR_WARN_FOR],
		o[OPT_HEALTH_ERROR_CRIT], o[OPT_HEALTH_ERROR_CRIT_FOR]};
}

static void report_alerts(struct health_panel *p)
{
	struct alerts *al = &p->base.app->alerts;
	struct health_model *m = &p->m;
	int unhealthy = m->ep[HEP_HEALTH].have && m->health.st == API_UNHEALTHY;
	alerts_set(al, "api.status", "health", alert_state_of(m->lv_status), m->lv_status, m->why_status,
		   unhealthy ? "RB-20" : "RB-23");
	/* a metrics endpoint that fails while /health answers is its own alert */
	int q_ok = m->ep[HEP_QUERIES].have, e_ok = m->ep[HEP_ERRORS].have;
	const char *merr = !q_ok && m->ep[HEP_QUERIES].kind ? m->ep[HEP_QUERIES].error : m->ep[HEP_ERRORS].error;
	int metrics_bad = m->ep[HEP_HEALTH].have && ((!q_ok && m->ep[HEP_QUERIES].kind) || (!e_ok && m->ep[HEP_ERRORS].kind));
	alerts_set(al, "api.metrics", "health", metrics_bad ? ALERT_FIRING : ALERT_OK, LV_WARN, merr, "RB-23");
	alerts_set(al, "api.p95", "health", q_ok ? alert_state_of(m->lv_p95) : ALERT_OK, m->lv_p95, m->why_p95, "RB-8");
	alerts_set(al, "api.slow_queries", "health", q_ok ? alert_state_of(m->lv_slow) : ALERT_OK, m->lv_slow, m->why_slow,
		   "RB-8");
	alerts_set(al, "api.error_rate", "health", e_ok ? alert_state_of(m->lv_err) : ALERT_OK, m->lv_err, m->why_err,
		   "RB-23");
}

static void evaluate(struct health_panel *p)
{
	struct health_thresholds th = thresholds(p->base.app);
	health_evaluate(&p->m, &th, now_mono_ms());
	report_alerts(p);
}

static void on_done(void *arg, const struct http_response *r, const char *error)
{
	struct ep_ctx *ctx = arg;
	struct health_panel *p = ctx->p;
	p->busy[ctx->ep] = 0;
	health_feed(&p->m, ctx->ep, r->status, r->body, r->len, error, now_mono_ms());
	if (ctx->ep == HEP_QUERIES)
		history_push(&p->p95_hist, p->m.ep[HEP_QUERIES].have ? p->m.q.p95 : NAN);
	evaluate(p);
	app_changed(p->base.app);
}

static void health_poll(struct panel *base)
{
	struct health_panel *p = (struct health_panel *)base;
	struct httpconn *api = base->app->api;
	if (!api)
		return;
	/* /health/detailed makes the API probe every service it depends on (the lab's runs two
	 * statements on the primary per request): while /health says healthy it is asked every
	 * HEALTH_DETAILED_EVERY refreshes, and every refresh once it does not, when the
	 * breakdown is what the operator reads */
	int64_t now = now_mono_ms();
	int healthy = p->m.ep[HEP_HEALTH].have && p->m.health.st == API_HEALTHY;
	double detailed_every = healthy ? base->app->cfg->opt[OPT_REFRESH] * HEALTH_DETAILED_EVERY : 0;
	for (int i = 0; i < HEP__COUNT; i++) {
		if (p->busy[i])
			continue;
		if (i == HEP_DETAILED) {
			if (p->detailed_asked_mono && (double)(now - p->detailed_asked_mono) < detailed_every - 50)
				continue;
			p->detailed_asked_mono = now;
		}
		p->busy[i] = 1;
		/* backing off after a failure: that failure is what the endpoint shows meanwhile */
		if (httpconn_get(api, health_ep_path[i], NULL, on_done, &p->ctx[i]) != 0)
			p->busy[i] = 0;
	}
	evaluate(p);
}

static int health_busy(const struct panel *base)
{
	const struct health_panel *p = (const struct health_panel *)base;
	for (int i = 0; i < HEP__COUNT; i++)
		if (p->busy[i])
			return 1;
	return 0;
}

static const struct column COLS[] = {
	{"API", 9, 0, 0}, {"p50", 7, 0, 1}, {"p95", 7, 0, 1}, {"p99", 7, 1, 1},
	{"slow", 4, 1, 1}, {"errors", 6, 0, 1}, {"age", 6, 0, 1},
};

/* Age of the oldest of the answers the strip shows; NAN before any answer. */
static double data_age_ms(const struct health_panel *p)
{
	const enum health_ep eps[] = {HEP_HEALTH, HEP_QUERIES, HEP_ERRORS};
	int64_t oldest = 0;
	for (size_t i = 0; i < ARRAY_LEN(eps); i++) {
		int64_t t = p->m.ep[eps[i]].ok_mono;
		if (!t)
			return NAN;
		if (!oldest || t < oldest)
			oldest = t;
	}
	return (double)(now_mono_ms() - oldest);
}

static void health_fill(struct panel *base, struct table *t)
{
	struct health_panel *p = (struct health_panel *)base;
	struct health_model *m = &p->m;
	struct app *a = base->app;
	char buf[32];
	table_init(t, COLS, (int)ARRAY_LEN(COLS));
	t->empty_text = "API not configured: add api = https://... to the config";
	if (!a->api)
		return;
	const struct source_status *st = httpconn_status(a->api);
	snprintf(t->summary, sizeof(t->summary), "API %s%s%s", src_state_name(st->state), m->why ? ": " : "",
		 m->why ? m->why : "");
	t->summary_level = m->level;
	struct table_row *row = table_add_row(t);
	struct cell *c = row->cells;
	int q = m->ep[HEP_QUERIES].have, e = m->ep[HEP_ERRORS].have;
	double age = data_age_ms(p);
	row->level = m->level;
	/* a current failure is news, not stale data: only an all-quiet strip is dimmed */
	row->stale = (isnan(age) || age > app_stale_after_ms(a)) && m->level < LV_WARN;
	row->spark = &p->p95_hist;
	/* an answer that hangs (a trickling body) must not leave "healthy" on screen until the
	 * timeout: once the last answer is older than the stale limit, say so */
	if (row->stale && !isnan(age))
		cell_set(&c[0], LV_WARN, "stale");
	else
		cell_set(&c[0], m->lv_status, "%s", health_api_word(m, buf, sizeof(buf)));
	const double v[] = {m->q.p50, m->q.p95, m->q.p99};
	for (int i = 0; i < 3; i++) {
		health_fmt_ms(buf, sizeof(buf), q ? v[i] : NAN);
		cell_set(&c[1 + i], i == 1 ? m->lv_p95 : q ? LV_OK : LV_NONE, "%s", buf);
	}
	if (q)
		cell_set(&c[4], m->lv_slow, "%d", m->q.slow_count);
	else
		cell_set(&c[4], m->lv_p95, "-");
	if (e)
		cell_set(&c[5], m->lv_err, "%.2f%%", m->e.rate * 100);
	else
		cell_set(&c[5], m->lv_err, "-");
	fmt_age(buf, sizeof(buf), age);
	cell_set(&c[6], row->stale ? LV_WARN : LV_OK, "%s", buf);
	/* /health unanswered: the strip says why in place of the values it does not have */
	const struct health_endpoint *h = &m->ep[HEP_HEALTH];
	if (!h->have && h->kind != HERR_NONE && h->error[0] && !q && !e)
		snprintf(t->note, sizeof(t->note), "%s", h->error);
}

static void kv(struct sbuf *out, const char *k, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void kv(struct sbuf *out, const char *k, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *v = xvasprintf(fmt, ap);
	va_end(ap);
	sbuf_addf(out, "%-22s %s\n", k, *v ? v : "-");
	free(v);
}

static void svc_line(struct sbuf *out, const char *name, const struct health_service *s)
{
	char ms[32];
	if (!s->present)
		return;
	health_fmt_ms(ms, sizeof(ms), s->latency_ms);
	kv(out, name, "%s%s%s%s%s", s->status, isnan(s->latency_ms) ? "" : ", ", isnan(s->latency_ms) ? "" : ms,
	   s->error[0] ? ", " : "", s->error);
}

static void detail_services(struct sbuf *out, const struct health_status *d)
{
	char name[64], ms[32];
	svc_line(out, "database (primary)", &d->database);
	for (int i = 0; i < d->nreplicas; i++) {
		const struct health_replica *r = &d->replicas[i];
		snprintf(name, sizeof(name), "replica %s", r->name);
		health_fmt_ms(ms, sizeof(ms), r->lag_ms);
		kv(out, name, "%s, lag %s, receiver %s%s", r->connected ? "connected" : "NOT connected", ms, r->receiver,
		   r->replay_paused == 1 ? ", replay paused" : "");
	}
	svc_line(out, "redis", &d->redis);
	svc_line(out, "pgbouncer", &d->pgbouncer);
}

static void health_detail(struct panel *base, int row, struct sbuf *out)
{
	struct health_panel *p = (struct health_panel *)base;
	struct health_model *m = &p->m;
	struct app *a = base->app;
	char b1[32], b2[32], b3[32], b4[32];
	if (row != 0 || !a->api)
		return;
	const struct source_status *st = httpconn_status(a->api);
	char *url = mask_secrets(a->cfg->api.dsn);
	kv(out, "api", "%s", url);
	free(url);
	health_fmt_ms(b1, sizeof(b1), st->rtt_ms);
	kv(out, "source", "%s, last rtt %s, %u connection%s opened%s%s", src_state_name(st->state), b1, st->connects,
	   st->connects == 1 ? "" : "s", st->last_error ? "; " : "", st->last_error ? st->last_error : "");
	kv(out, "status", "%s", level_name(m->level));
	kv(out, "why", "%s", m->why ? m->why : "");
	kv(out, "API says", "%s%s%s", m->why_status, m->health.version[0] ? ", version " : "", m->health.version);
	if (m->ep[HEP_DETAILED].have && m->detailed.has_services)
		detail_services(out, &m->detailed);
	if (m->ep[HEP_QUERIES].have) {
		health_fmt_ms(b1, sizeof(b1), m->q.p50);
		health_fmt_ms(b2, sizeof(b2), m->q.p95);
		health_fmt_ms(b3, sizeof(b3), m->q.p99);
		health_fmt_ms(b4, sizeof(b4), m->q.avg);
		kv(out, "query latency", "p50 %s, p95 %s, p99 %s, avg %s over %.0f queries", b1, b2, b3, b4, m->q.total);
		kv(out, "p95", "%s (%s)", level_name(m->lv_p95), m->why_p95);
		kv(out, "slow queries", "%s (%s)", m->why_slow, m->q.health[0] ? m->q.health : "-");
		if (!isnan(m->q.slowest_ms))
			kv(out, "slowest", "%s", m->q.slowest_query);
	}
	if (m->ep[HEP_ERRORS].have)
		kv(out, "error rate", "%.2f%%: %.0f errors in %.0f requests over %.0fs (%s)", m->e.rate * 100,
		   m->e.errors, m->e.total, m->e.window_s, level_name(m->lv_err));
	for (int i = 0; i < HEP__COUNT; i++) {
		const struct health_endpoint *e = &m->ep[i];
		fmt_age(b1, sizeof(b1), e->ok_mono ? (double)(now_mono_ms() - e->ok_mono) : NAN);
		kv(out, health_ep_path[i], "%s%s%s", e->error[0] ? e->error : "ok", e->ok_mono ? ", last good answer " : "",
		   e->ok_mono ? b1 : "");
	}
}

static cJSON *services_json(const struct health_status *d)
{
	cJSON *o = cJSON_CreateObject();
	const struct health_service *s[] = {&d->database, &d->redis, &d->pgbouncer};
	const char *names[] = {"database", "redis", "pgbouncer"};
	for (int i = 0; i < 3; i++) {
		if (!s[i]->present)
			continue;
		cJSON *x = cJSON_AddObjectToObject(o, names[i]);
		json_str(x, "status", s[i]->status);
		json_num(x, "latency_ms", s[i]->latency_ms);
	}
	cJSON *arr = cJSON_AddArrayToObject(o, "replicas");
	for (int i = 0; i < d->nreplicas; i++) {
		cJSON *x = cJSON_CreateObject();
		json_str(x, "name", d->replicas[i].name);
		cJSON_AddBoolToObject(x, "connected", d->replicas[i].connected);
		json_num(x, "lag_ms", d->replicas[i].lag_ms);
		json_str(x, "receiver", d->replicas[i].receiver);
		cJSON_AddItemToArray(arr, x);
	}
	return o;
}

static cJSON *health_json(struct panel *base)
{
	struct health_panel *p = (struct health_panel *)base;
	struct health_model *m = &p->m;
	cJSON *o = cJSON_CreateObject();
	char buf[32];
	cJSON_AddStringToObject(o, "status", level_name(m->level));
	json_str(o, "reason", m->why);
	if (!base->app->api) {
		cJSON_AddStringToObject(o, "source", "not configured");
		return o;
	}
	const struct source_status *st = httpconn_status(base->app->api);
	cJSON_AddStringToObject(o, "source", src_state_name(st->state));
	json_str(o, "error", st->last_error);
	cJSON_AddStringToObject(o, "api_status", health_api_word(m, buf, sizeof(buf)));
	json_num(o, "http_status", m->ep[HEP_HEALTH].http_status > 0 ? (double)m->ep[HEP_HEALTH].http_status : NAN);
	int q = m->ep[HEP_QUERIES].have, e = m->ep[HEP_ERRORS].have;
	json_num(o, "p50_ms", q ? m->q.p50 : NAN);
	json_num(o, "p95_ms", q ? m->q.p95 : NAN);
	json_num(o, "p99_ms", q ? m->q.p99 : NAN);
	json_num(o, "avg_ms", q ? m->q.avg : NAN);
	json_num(o, "total_queries", q ? m->q.total : NAN);
	json_num(o, "slow_queries", q ? m->q.slow_count : NAN);
	json_str(o, "query_health", q ? m->q.health : NULL);
	json_num(o, "error_rate", e ? m->e.rate : NAN);
	json_num(o, "error_rate_pct", e ? m->e.rate * 100 : NAN);
	json_num(o, "errors", e ? m->e.errors : NAN);
	json_num(o, "total_requests", e ? m->e.total : NAN);
	cJSON *lv = cJSON_AddObjectToObject(o, "levels");
	cJSON_AddStringToObject(lv, "api", level_name(m->lv_status));
	cJSON_AddStringToObject(lv, "p95", level_name(m->lv_p95));
	cJSON_AddStringToObject(lv, "slow_queries", level_name(m->lv_slow));
	cJSON_AddStringToObject(lv, "error_rate", level_name(m->lv_err));
	if (m->ep[HEP_DETAILED].have && m->detailed.has_services)
		cJSON_AddItemToObject(o, "services", services_json(&m->detailed));
	cJSON *eps = cJSON_AddObjectToObject(o, "endpoints");
	for (int i = 0; i < HEP__COUNT; i++) {
		cJSON *x = cJSON_AddObjectToObject(eps, health_ep_path[i]);
		cJSON_AddBoolToObject(x, "ok", m->ep[i].have);
		json_num(x, "http_status", m->ep[i].http_status > 0 ? (double)m->ep[i].http_status : NAN);
		json_str(x, "error", m->ep[i].error);
	}
	json_num(o, "data_age_ms", data_age_ms(p));
	return o;
}

static enum level health_level(const struct panel *base, const char **why)
{
	const struct health_panel *p = (const struct health_panel *)base;
	if (why)
		*why = p->m.why;
	return base->app->api ? p->m.level : LV_NONE;
}

static void health_text(struct panel *base, struct sbuf *out)
{
	struct table t;
	health_fill(base, &t);
	if (!t.nrows) {
		sbuf_addf(out, "%s\n", t.empty_text);
	} else {
		struct health_panel *p = (struct health_panel *)base;
		for (int i = 0; i < t.ncols; i++)
			sbuf_addf(out, "%s%s %s", i ? "  " : "", t.cols[i].title, t.rows[0].cells[i].text);
		sbuf_addf(out, "\n%s%s\n", p->m.why ? "  why: " : "  ", p->m.why ? p->m.why : level_name(p->m.level));
	}
	table_done(&t);
}

static struct panel *health_create(const struct panel_class *cls, struct app *a);
static void health_destroy(struct panel *base);

static void health_samples(struct panel *base, void (*emit)(void *, const char *, double, const char *), void *ctx)
{
	struct health_panel *p = (struct health_panel *)base;
	emit(ctx, "p50_ms", p->m.q.p50, "ms");
	emit(ctx, "p95_ms", p->m.q.p95, "ms");
	emit(ctx, "p99_ms", p->m.q.p99, "ms");
	emit(ctx, "error_rate_pct", p->m.e.rate * 100, "%");
}

const struct panel_class health_class = {
	.name = "health",
	.title = "Health",
	.create = health_create,
	.destroy = health_destroy,
	.poll = health_poll,
	.busy = health_busy,
	.fill = health_fill,
	.detail = health_detail,
	.json = health_json,
	.level = health_level,
	.text = health_text,
	.samples = health_samples,
};

static struct panel *health_create(const struct panel_class *cls, struct app *a)
{
	struct health_panel *p = xcalloc(1, sizeof(*p));
	p->base.cls = cls;
	p->base.app = a;
	health_model_init(&p->m);
	for (int i = 0; i < HEP__COUNT; i++)
		p->ctx[i] = (struct ep_ctx){p, (enum health_ep)i};
	history_init(&p->p95_hist, (int)(a->cfg->opt[OPT_HISTORY] / (a->refresh_ms > 0 ? a->refresh_ms : 1000)) + 1);
	return &p->base;
}

static void health_destroy(struct panel *base)
{
	struct health_panel *p = (struct health_panel *)base;
	history_done(&p->p95_hist);
	free(p);
}
