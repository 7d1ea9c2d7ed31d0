#include "panels/alerts.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "src/util.h"

void alerts_init(struct alerts *al) { memset(al, 0, sizeof(*al)); }

void alerts_done(struct alerts *al)
{
	free(al->v);
	memset(al, 0, sizeof(*al));
}

static struct alert *find(struct alerts *al, const char *id)
{
	for (int i = 0; i < al->n; i++)
		if (!strcmp(al->v[i].id, id))
			return &al->v[i];
	return NULL;
}

int alerts_set(struct alerts *al, const char *id, const char *source, enum alert_state state,
	       enum level severity, const char *summary, const char *runbook)
{
	struct alert *a = find(al, id);
	int64_t now = now_wall_ms();
	if (!a) {
		if (state == ALERT_OK)
			return 0;
		if (al->n == al->cap) {
			al->cap = al->cap ? al->cap * 2 : 16;
			al->v = xrealloc(al->v, sizeof(*al->v) * (size_t)al->cap);
		}
		a = &al->v[al->n++];
		memset(a, 0, sizeof(*a));
		snprintf(a->id, sizeof(a->id), "%s", id);
		snprintf(a->source, sizeof(a->source), "%s", source);
		a->state = ALERT_OK;
	}
	if (state != ALERT_OK) {
		snprintf(a->summary, sizeof(a->summary), "%s", summary ? summary : "");
		a->severity = severity;
	}
	snprintf(a->runbook, sizeof(a->runbook), "%s", runbook ? runbook : "");
	if (a->state == state)
		return 0;
	if (state == ALERT_FIRING) {
		a->fired_wall = now;
		a->resolved_wall = 0;
		a->fired_count++;
	} else if (state == ALERT_OK && a->state == ALERT_FIRING) {
		a->resolved_wall = now;
	}
	a->state = state;
	a->since_wall = now;
	al->changes++;
	return 1;
}

enum alert_state alert_state_of(enum level lv)
{
	return lv >= LV_WARN ? ALERT_FIRING : lv == LV_PENDING ? ALERT_PENDING : ALERT_OK;
}

static int rank(const struct alert *a)
{
	if (a->state == ALERT_FIRING)
		return a->severity >= LV_CRIT ? 0 : 1;
	if (a->state == ALERT_PENDING)
		return 2;
	return a->fired_count ? 3 : 4;
}

static int cmp_alert(const void *x, const void *y)
{
	const struct alert *a = *(const struct alert *const *)x, *b = *(const struct alert *const *)y;
	if (rank(a) != rank(b))
		return rank(a) - rank(b);
	return a->since_wall < b->since_wall ? 1 : a->since_wall > b->since_wall ? -1 : 0;
}

int alerts_sorted(const struct alerts *al, const struct alert **out, int max)
{
	int n = 0;
	for (int i = 0; i < al->n && n < max; i++)
		if (al->v[i].state != ALERT_OK || al->v[i].fired_count)
			out[n++] = &al->v[i];
	qsort(out, (size_t)n, sizeof(*out), cmp_alert);
	return n;
}

/* Seed 001, "Contents: 23 Detailed Runbooks". */
static const struct {
	const char *id, *title;
} catalogue[] = {
	{"RB-1", "Daily replica health check (5 min)"},
	{"RB-2", "Manual failover to secondary (5 min)"},
	{"RB-3", "Rebuild failed replica (15-30 min)"},
	{"RB-4", "Monthly failover test (30 min)"},
	{"RB-5", "Check pool status (5 min)"},
	{"RB-6", "Increase pool size (10 min)"},
	{"RB-7", "Detect connection leaks (30 min)"},
	{"RB-8", "Check slow queries (10 min)"},
	{"RB-9", "Create index for slow query (5-60 min)"},
	{"RB-10", "Before/after performance analysis (30 min)"},
	{"RB-11", "Check cache hit rate (5 min)"},
	{"RB-12", "Debug cache issues (15 min)"},
	{"RB-13", "Clear cache safely (5 min)"},
	{"RB-14", "Check rate limit status (5 min)"},
	{"RB-15", "Adjust rate limit for client (5 min)"},
	{"RB-16", "Investigate rate limit abuse (30 min)"},
	{"RB-17", "Monitor partition health (10 min)"},
	{"RB-18", "Archive old partition (30-60 min)"},
	{"RB-19", "Restore archived partition (30-60 min)"},
	{"RB-20", "Emergency: database down"},
	{"RB-21", "Emergency: pool exhausted (5-10 min)"},
	{"RB-22", "Emergency: replica failure (15-30 min)"},
	{"RB-23", "Understand the health endpoint (5 min)"},
};

const char *runbook_title(const char *id)
{
	for (size_t i = 0; i < ARRAY_LEN(catalogue); i++)
		if (!strcmp(catalogue[i].id, id))
			return catalogue[i].title;
	return NULL;
}
