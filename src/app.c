#include "src/app.h"

#include <stdlib.h>
#include <string.h>

#include "store/journal.h"

/* Refreshes fall on multiples of the refresh interval in wall-clock time (on whole seconds
 * at the default 1 s): the console's clock turns then too, and one frame shows both. */
static void arm_tick(struct app *a)
{
	int64_t period = a->refresh_ms >= 1 ? (int64_t)a->refresh_ms : 1;
	int64_t ms = period - now_wall_ms() % period;
	if (ms < period / 10) /* fired a little early: the next one, not the same one again */
		ms += period;
	struct timeval tv = {(time_t)(ms / 1000), (suseconds_t)(ms % 1000) * 1000};
	event_add(a->tick, &tv);
}

static void tick_cb(evutil_socket_t fd, short what, void *arg)
{
	struct app *a = arg;
	(void)fd;
	(void)what;
	arm_tick(a);
	if (!a->paused)
		app_poll_now(a);
	else if (a->on_change)
		a->on_change(a->on_change_arg); /* ages keep moving while paused */
}

struct app *app_new(struct config *cfg, struct event_base *base)
{
	struct app *a = xcalloc(1, sizeof(*a));
	a->cfg = cfg;
	a->base = base;
	a->refresh_ms = cfg->opt[OPT_REFRESH];
	alerts_init(&a->alerts);
	int timeout = (int)cfg->opt[OPT_TIMEOUT];
	int backoff_max = (int)(a->refresh_ms > 1000 ? a->refresh_ms : 1000);
	if (cfg->primary.dsn)
		a->primary = pgconn_new(base, "primary", cfg->primary.dsn, timeout, backoff_max);
	a->replicas = xcalloc((size_t)(cfg->n_replicas ? cfg->n_replicas : 1), sizeof(*a->replicas));
	for (int i = 0; i < cfg->n_replicas; i++)
		a->replicas[i] = pgconn_new(base, cfg->replicas[i].name, cfg->replicas[i].dsn, timeout,
					    backoff_max);
	if (cfg->pgbouncer.dsn)
		a->bouncer = pgconn_new(base, "pgbouncer", cfg->pgbouncer.dsn, timeout, backoff_max);
	if (cfg->redis.dsn)
		a->redis = redisconn_new(base, "redis", cfg->redis.dsn, cfg->sopt[OPT_REDIS_PASSWORD_FILE],
					 timeout, backoff_max);
	if (cfg->api.dsn) {
		a->api = httpconn_new(base, "api", cfg->api.dsn, timeout, backoff_max, APP_MAX_BODY);
		httpconn_set_ca_file(a->api, cfg->sopt[OPT_API_CA_FILE]);
	}
	a->npanels = panel_class_count;
	a->panels = xcalloc((size_t)a->npanels, sizeof(*a->panels));
	for (int i = 0; i < a->npanels; i++)
		a->panels[i] = panel_classes[i]->create(panel_classes[i], a);
	a->strip = strip_class->create(strip_class, a);
	a->tick = event_new(base, -1, 0, tick_cb, a);
	return a;
}

void app_free(struct app *a)
{
	if (!a)
		return;
	event_free(a->tick);
	if (a->sampler)
		event_free(a->sampler);
	for (int i = 0; i < a->npanels; i++)
		a->panels[i]->cls->destroy(a->panels[i]);
	free(a->panels);
	a->strip->cls->destroy(a->strip);
	alerts_done(&a->alerts);
	pgconn_free(a->primary);
	pgconn_free(a->bouncer);
	if (a->redis)
		redisconn_free(a->redis);
	if (a->api)
		httpconn_free(a->api);
	for (int i = 0; i < a->cfg->n_replicas; i++)
		pgconn_free(a->replicas[i]);
	free(a->replicas);
	free(a);
}

void app_each_panel(struct app *a, void (*fn)(struct panel *p, void *arg), void *arg)
{
	for (int i = 0; i < a->npanels; i++)
		fn(a->panels[i], arg);
	fn(a->strip, arg);
}

static void poll_one(struct panel *p, void *arg)
{
	(void)arg;
	if (p->cls->poll)
		p->cls->poll(p);
}

void app_poll_now(struct app *a)
{
	a->last_poll_mono = now_mono_ms();
	app_each_panel(a, poll_one, NULL);
	app_changed(a);
}

void app_set_refresh(struct app *a, double ms)
{
	a->refresh_ms = ms;
	event_del(a->tick);
	arm_tick(a);
}

void app_start(struct app *a)
{
	app_poll_now(a);
	app_set_refresh(a, a->refresh_ms);
}

void app_changed(struct app *a)
{
	if (a->on_change)
		a->on_change(a->on_change_arg);
}

static int panel_busy(const struct panel *p) { return p->cls->busy && p->cls->busy(p); }

int app_busy(const struct app *a)
{
	for (int i = 0; i < a->npanels; i++)
		if (panel_busy(a->panels[i]))
			return 1;
	return panel_busy(a->strip);
}

double app_stale_after_ms(const struct app *a)
{
	double s = a->refresh_ms * 1.5;
	return s < a->refresh_ms + 300 ? a->refresh_ms + 300 : s;
}

static enum level panel_level(const struct panel *p)
{
	return p->cls->level ? p->cls->level(p, NULL) : LV_NONE;
}

enum level app_level(const struct app *a)
{
	enum level lv = panel_level(a->strip);
	for (int i = 0; i < a->npanels; i++)
		lv = level_max(lv, panel_level(a->panels[i]));
	return lv;
}

const struct source_status *app_source_status(const struct app *a, const char *name)
{
	if (!strcmp(name, "primary"))
		return a->primary ? pgconn_status(a->primary) : NULL;
	if (!strcmp(name, "pgbouncer"))
		return a->bouncer ? pgconn_status(a->bouncer) : NULL;
	if (!strcmp(name, "redis"))
		return a->redis ? redisconn_status(a->redis) : NULL;
	if (!strcmp(name, "api"))
		return a->api ? httpconn_status(a->api) : NULL;
	for (int i = 0; i < a->cfg->n_replicas; i++)
		if (!strcmp(name, a->cfg->replicas[i].name))
			return pgconn_status(a->replicas[i]);
	return NULL;
}

int app_sources(const struct app *a, struct app_source *out, int max)
{
	int n = 0;
	const struct config *c = a->cfg;
#define ADD(nm, k, sc)                                                                     \
	do {                                                                               \
		if (n < max)                                                               \
			out[n] = (struct app_source){nm, k, sc, app_source_status(a, nm)}; \
		n++;                                                                       \
	} while (0)
	ADD("primary", "primary", &c->primary);
	for (int i = 0; i < c->n_replicas; i++) {
		if (n < max)
			out[n] = (struct app_source){c->replicas[i].name, NULL, &c->replicas[i],
						     pgconn_status(a->replicas[i])};
		n++;
	}
	ADD("pgbouncer", "pgbouncer", &c->pgbouncer);
	ADD("redis", "redis", &c->redis);
	ADD("api", "api", &c->api);
#undef ADD
	return n < max ? n : max;
}

struct sample_batch {
	const char *source;
	struct journal_sample_row *rows;
	int n, cap;
};

static void emit_sample(void *ctx, const char *metric, double value, const char *unit)
{
	struct sample_batch *b = ctx;
	if (b->n == b->cap) {
		b->cap = b->cap ? b->cap * 2 : 32;
		b->rows = xrealloc(b->rows, sizeof(*b->rows) * (size_t)b->cap);
	}
	b->rows[b->n++] = (struct journal_sample_row){b->source, xstrdup(metric), unit, value};
}

static void collect_samples(struct panel *p, void *arg)
{
	struct sample_batch *b = arg;
	if (!p->cls->samples)
		return;
	b->source = p->cls->name;
	p->cls->samples(p, emit_sample, b);
}

int app_write_samples(struct app *a)
{
	struct sample_batch b = {0};
	char *err = NULL;
	int rc = 0;
	if (!a->journal)
		return 0;
	app_each_panel(a, collect_samples, &b);
	if (journal_samples(a->journal, b.rows, b.n, &err) < 0) {
		snprintf(a->journal_error, sizeof(a->journal_error), "%s", err ? err : "journal write failed");
		rc = -1;
	} else {
		a->journal_error[0] = '\0';
		a->samples_written += (unsigned)b.n;
	}
	free(err);
	for (int i = 0; i < b.n; i++)
		free((char *)b.rows[i].metric);
	free(b.rows);
	app_changed(a);
	return rc;
}

static void sampler_cb(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	app_write_samples(arg);
}

void app_set_journal(struct app *a, struct journal *j)
{
	double ms = a->cfg->opt[OPT_SAMPLE_INTERVAL];
	struct timeval tv = {(time_t)(ms / 1000), (suseconds_t)((long)ms % 1000) * 1000};
	a->journal = j;
	if (!a->sampler)
		a->sampler = event_new(a->base, -1, EV_PERSIST, sampler_cb, a);
	event_del(a->sampler);
	if (j)
		event_add(a->sampler, &tv);
}
