#include "src/app.h"

#include <stdlib.h>
#include <string.h>

static void tick_cb(evutil_socket_t fd, short what, void *arg)
{
	struct app *a = arg;
	(void)fd;
	(void)what;
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
	int timeout = (int)cfg->opt[OPT_TIMEOUT];
	int backoff_max = (int)(a->refresh_ms > 1000 ? a->refresh_ms : 1000);
	if (cfg->primary.dsn)
		a->primary = pgconn_new(base, "primary", cfg->primary.dsn, timeout, backoff_max);
	a->replicas = xcalloc((size_t)(cfg->n_replicas ? cfg->n_replicas : 1), sizeof(*a->replicas));
	for (int i = 0; i < cfg->n_replicas; i++)
		a->replicas[i] = pgconn_new(base, cfg->replicas[i].name, cfg->replicas[i].dsn, timeout,
					    backoff_max);
	a->npanels = panel_class_count;
	a->panels = xcalloc((size_t)a->npanels, sizeof(*a->panels));
	for (int i = 0; i < a->npanels; i++)
		a->panels[i] = panel_classes[i]->create(panel_classes[i], a);
	a->tick = event_new(base, -1, EV_PERSIST, tick_cb, a);
	return a;
}

void app_free(struct app *a)
{
	if (!a)
		return;
	event_free(a->tick);
	for (int i = 0; i < a->npanels; i++)
		a->panels[i]->cls->destroy(a->panels[i]);
	free(a->panels);
	pgconn_free(a->primary);
	for (int i = 0; i < a->cfg->n_replicas; i++)
		pgconn_free(a->replicas[i]);
	free(a->replicas);
	free(a);
}

void app_poll_now(struct app *a)
{
	a->last_poll_mono = now_mono_ms();
	for (int i = 0; i < a->npanels; i++)
		if (a->panels[i]->cls->poll)
			a->panels[i]->cls->poll(a->panels[i]);
	app_changed(a);
}

void app_set_refresh(struct app *a, double ms)
{
	a->refresh_ms = ms;
	struct timeval tv = {(time_t)(ms / 1000), (suseconds_t)((long)ms % 1000) * 1000};
	event_del(a->tick);
	event_add(a->tick, &tv);
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

int app_busy(const struct app *a)
{
	for (int i = 0; i < a->npanels; i++)
		if (a->panels[i]->cls->busy && a->panels[i]->cls->busy(a->panels[i]))
			return 1;
	return 0;
}

double app_stale_after_ms(const struct app *a)
{
	double s = a->refresh_ms * 1.5;
	return s < a->refresh_ms + 300 ? a->refresh_ms + 300 : s;
}

enum level app_level(const struct app *a)
{
	enum level lv = LV_NONE;
	for (int i = 0; i < a->npanels; i++)
		if (a->panels[i]->cls->level)
			lv = level_max(lv, a->panels[i]->cls->level(a->panels[i], NULL));
	return lv;
}

const struct source_status *app_source_status(const struct app *a, const char *name)
{
	if (!strcmp(name, "primary"))
		return a->primary ? pgconn_status(a->primary) : NULL;
	for (int i = 0; i < a->cfg->n_replicas; i++)
		if (!strcmp(name, a->cfg->replicas[i].name))
			return pgconn_status(a->replicas[i]);
	return NULL;
}
