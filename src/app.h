/* The application core: the config, the event loop, one connector per source, the panels,
 * and the refresh timer. Shared by the console and the headless commands. No curses. */
#ifndef OD_APP_H
#define OD_APP_H

#include <event2/event.h>

#include "panels/panel.h"
#include "panels/alerts.h"
#include "panels/httpconn.h"
#include "panels/pgconn.h"
#include "panels/redisconn.h"
#include "src/config.h"

struct app {
	struct config *cfg;
	struct event_base *base;
	struct pgconn *primary;   /* NULL when not configured */
	struct pgconn **replicas; /* cfg->n_replicas connectors */
	struct pgconn *bouncer;   /* PgBouncer's admin console; NULL when not configured */
	struct redisconn *redis;  /* NULL when not configured */
	struct httpconn *api;     /* NULL when not configured */
	struct panel **panels;    /* one per panel class, in tab order */
	int npanels;
	struct panel *strip;      /* the health strip */
	struct alerts alerts;     /* every panel reports its conditions here */
	struct journal *journal;  /* samples go here when open (not owned) */
	struct event *sampler;
	char journal_error[200];  /* the last failed journal write, "" when fine */
	unsigned samples_written;
	struct event *tick;
	double refresh_ms;
	int paused;
	int64_t last_poll_mono;
	void (*on_change)(void *arg); /* the console marks itself dirty here */
	void *on_change_arg;
};

struct app *app_new(struct config *cfg, struct event_base *base);
void app_free(struct app *a);
void app_start(struct app *a);     /* polls now, then every refresh_ms (on its multiples in wall time) */
void app_poll_now(struct app *a);
void app_set_refresh(struct app *a, double ms);
/* Starts writing samples to j every sample_interval (j stays the caller's). */
void app_set_journal(struct app *a, struct journal *j);
/* Writes one set of samples now; 0, or -1 with journal_error set. */
int app_write_samples(struct app *a);
void app_changed(struct app *a);   /* a panel has new data */
int app_busy(const struct app *a); /* some refresh is still in flight */
/* Data older than this is stale (drawn dimmed, said as "stale Ns"). */
double app_stale_after_ms(const struct app *a);
/* API responses larger than this are refused (a 10 MB body must not be read whole). */
#define APP_MAX_BODY (1024 * 1024)

/* Worst level over all panels and the strip. */
enum level app_level(const struct app *a);
/* "primary", "pgbouncer", "redis", "api" or a replica's name; NULL when not configured. */
const struct source_status *app_source_status(const struct app *a, const char *name);
/* Every source in display order (primary, replicas, pgbouncer, redis, api), configured or
 * not: cfg->dsn == NULL means not configured, then st is NULL. Returns the count. */
struct app_source {
	const char *name;  /* "primary", a replica's NAME, "pgbouncer", "redis", "api" */
	const char *key;   /* its config key: "primary", "replica.NAME", ... */
	const struct source_cfg *cfg;
	const struct source_status *st;
};
int app_sources(const struct app *a, struct app_source *out, int max);

/* Calls fn for every panel: the tabs, then the strip. */
void app_each_panel(struct app *a, void (*fn)(struct panel *p, void *arg), void *arg);

#endif
