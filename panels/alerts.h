/* Alerts: every panel reports, after each evaluation, the state of each condition it
 * watches; the registry keeps what fired when (pending -> firing -> resolved) for the
 * alert list, the journal and snapshot. Sustained durations ("> 80 % for 2 min") are
 * measured by the panel with struct sustain; here a condition is ok, pending or firing. */
#ifndef OD_ALERTS_H
#define OD_ALERTS_H

#include <stdint.h>

#include "panels/level.h"

enum alert_state { ALERT_OK = 0, ALERT_PENDING, ALERT_FIRING };

struct alert {
	char id[64];        /* stable key: "replica.east.lag", "pool.ywmessaging.saturation" */
	char source[32];    /* panel name: "replicas", "pools", ... */
	enum alert_state state;
	enum level severity; /* LV_WARN or LV_CRIT while firing */
	char summary[160];  /* "replay lag 45s >= 30s for 2m" */
	char runbook[16];   /* "RB-21" or "" */
	int64_t since_wall;    /* when the current state began (ms) */
	int64_t fired_wall;    /* last time it went to firing, 0 = never */
	int64_t resolved_wall; /* last time it went from firing to ok, 0 = never/still firing */
	unsigned fired_count;
};

struct alerts {
	struct alert *v;
	int n, cap;
	unsigned changes; /* bumped at every state change: the UI redraws, samples are written */
};

void alerts_init(struct alerts *al);
void alerts_done(struct alerts *al);
/* Sets the current state of one condition. runbook may be NULL. Returns 1 when the state
 * changed. An alert that never left ALERT_OK is not kept. */
int alerts_set(struct alerts *al, const char *id, const char *source, enum alert_state state,
	       enum level severity, const char *summary, const char *runbook);
/* The alert state a level stands for: warn or worse fires, pending is pending. */
enum alert_state alert_state_of(enum level lv);
/* Active (pending/firing) first by severity, then resolved ones, newest first. Borrowed. */
int alerts_sorted(const struct alerts *al, const struct alert **out, int max);

/* The runbook library's catalogue (seed 001): ID -> title and expected duration. */
const char *runbook_title(const char *id);

#endif
