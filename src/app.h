/* The application core: the config, the event loop, one connector per source, the panels,
 * and the refresh timer. Shared by the console and the headless commands. No curses. */
#ifndef OD_APP_H
#define OD_APP_H

#include <event2/event.h>

#include "panels/panel.h"
#include "panels/pgconn.h"
#include "src/config.h"

struct app {
	struct config *cfg;
	struct event_base *base;
	struct pgconn *primary;   /* NULL when not configured */
	struct pgconn **replicas; /* cfg->n_replicas connectors */
	struct panel **panels;    /* one per panel class, in tab order */
	int npanels;
	struct event *tick;
	double refresh_ms;
	int paused;
	int64_t last_poll_mono;
	void (*on_change)(void *arg); /* the console marks itself dirty here */
	void *on_change_arg;
};

struct app *app_new(struct config *cfg, struct event_base *base);
void app_free(struct app *a);
void app_start(struct app *a);     /* polls now, then every refresh_ms */
void app_poll_now(struct app *a);
void app_set_refresh(struct app *a, double ms);
void app_changed(struct app *a);   /* a panel has new data */
int app_busy(const struct app *a); /* some refresh is still in flight */
/* Data older than this is stale (drawn dimmed, said as "stale Ns"). */
double app_stale_after_ms(const struct app *a);
/* Worst level over all panels. */
enum level app_level(const struct app *a);
const struct source_status *app_source_status(const struct app *a, const char *name);

#endif
