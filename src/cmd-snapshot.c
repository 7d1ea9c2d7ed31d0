/* opsdeck snapshot [--json]: poll every panel once (within the network deadline), print,
 * and exit 1 if anything is critical. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "opsdeck-config.h"
#include "src/app.h"
#include "src/setup.h"

struct snap {
	struct app *app;
	struct event_base *base;
};

static void on_change(void *arg)
{
	struct snap *s = arg;
	if (!app_busy(s->app))
		event_base_loopbreak(s->base);
}

static void on_deadline(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	event_base_loopbreak(arg);
}

static void iso_time(char *buf, size_t n, int64_t wall_ms)
{
	time_t t = (time_t)(wall_ms / 1000);
	struct tm tm;
	gmtime_r(&t, &tm);
	strftime(buf, n, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

static void add_source(cJSON *sources, const char *name, const struct source_cfg *sc,
		       const struct source_status *st)
{
	cJSON *o = cJSON_AddObjectToObject(sources, name);
	if (!sc->dsn) {
		cJSON_AddStringToObject(o, "state", "not configured");
		return;
	}
	char *masked = mask_secrets(sc->dsn);
	cJSON_AddStringToObject(o, "dsn", masked);
	free(masked);
	if (!st) {
		cJSON_AddStringToObject(o, "state", "not polled");
		return;
	}
	cJSON_AddStringToObject(o, "state", src_state_name(st->state));
	if (st->last_error)
		cJSON_AddStringToObject(o, "error", st->last_error);
	else
		cJSON_AddNullToObject(o, "error");
	if (st->state == SRC_UP)
		cJSON_AddNumberToObject(o, "rtt_ms", st->rtt_ms);
}

static void add_panel_json(struct panel *p, void *arg)
{
	if (p->cls->json)
		cJSON_AddItemToObject(arg, p->cls->name, p->cls->json(p));
}

static void add_panel_text(struct panel *p, void *arg)
{
	if (!p->cls->text)
		return;
	sbuf_addf(arg, "\n== %s ==\n", p->cls->title);
	p->cls->text(p, arg);
}

static char *snapshot_json(struct app *a)
{
	char ts[32];
	cJSON *root = cJSON_CreateObject();
	iso_time(ts, sizeof(ts), now_wall_ms());
	cJSON_AddStringToObject(root, "opsdeck", PACKAGE_VERSION);
	cJSON_AddStringToObject(root, "env", a->cfg->env ? a->cfg->env : "");
	cJSON_AddStringToObject(root, "taken_at", ts);
	cJSON_AddStringToObject(root, "status", level_name(app_level(a)));
	cJSON *sources = cJSON_AddObjectToObject(root, "sources");
	struct app_source src[64];
	int n = app_sources(a, src, 64);
	for (int i = 0; i < n; i++) {
		char key[80];
		if (src[i].key)
			snprintf(key, sizeof(key), "%s", src[i].key);
		else
			snprintf(key, sizeof(key), "replica.%s", src[i].name);
		add_source(sources, key, src[i].cfg, src[i].st);
	}
	cJSON *panels = cJSON_AddObjectToObject(root, "panels");
	app_each_panel(a, add_panel_json, panels);
	char *out = cJSON_Print(root);
	cJSON_Delete(root);
	return out;
}

static char *snapshot_text(struct app *a)
{
	struct sbuf sb = {0};
	char ts[32];
	iso_time(ts, sizeof(ts), now_wall_ms());
	sbuf_addf(&sb, "opsdeck snapshot  env %s  %s  overall %s\n", a->cfg->env ? a->cfg->env : "-", ts,
		  level_name(app_level(a)));
	app_each_panel(a, add_panel_text, &sb);
	return sbuf_steal(&sb);
}

int cmd_snapshot(struct cli *cli, int argc, char **argv)
{
	struct config cfg;
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--json")) {
			cli->json = 1;
		} else {
			fprintf(stderr, "opsdeck snapshot: unexpected '%s'; usage: opsdeck snapshot [--json]\n", argv[i]);
			return EXIT_USAGE;
		}
	}
	int rc = setup_config(cli, &cfg);
	if (rc)
		return rc;
	struct event_base *base = event_base_new();
	struct app *a = app_new(&cfg, base);
	struct snap s = {a, base};
	a->on_change = on_change;
	a->on_change_arg = &s;
	double wait_ms = cfg.opt[OPT_TIMEOUT] + 500;
	struct timeval tv = {(time_t)(wait_ms / 1000), (suseconds_t)((long)wait_ms % 1000) * 1000};
	struct event *deadline = evtimer_new(base, on_deadline, base);
	evtimer_add(deadline, &tv);
	app_poll_now(a);
	if (app_busy(a))
		event_base_dispatch(base);
	char *out = cli->json ? snapshot_json(a) : snapshot_text(a);
	puts(out);
	free(out);
	rc = app_level(a) == LV_CRIT ? EXIT_CHECK_FAILED : EXIT_OK;
	event_free(deadline);
	app_free(a);
	event_base_free(base);
	config_done(&cfg);
	return rc;
}
