/* The alert list ('a'): what is firing or pending, what fired and resolved, when, and the
 * runbook that handles each. Enter shows the alert and its runbook. */
#include <curses.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "tui/theme.h"
#include "tui/tui_int.h"

#define MAX_ALERTS 256

static const char *state_word(const struct alert *a)
{
	switch (a->state) {
	case ALERT_FIRING: return a->severity >= LV_CRIT ? "CRITICAL" : "WARN";
	case ALERT_PENDING: return "pending";
	case ALERT_OK: break;
	}
	return "resolved";
}

static enum role state_role(const struct alert *a)
{
	if (a->state == ALERT_FIRING)
		return role_for_level(a->severity);
	if (a->state == ALERT_PENDING)
		return ROLE_PENDING;
	return ROLE_MUTED;
}

static void hhmmss(char *buf, size_t n, int64_t wall_ms)
{
	if (!wall_ms) {
		snprintf(buf, n, "-");
		return;
	}
	time_t s = (time_t)(wall_ms / 1000);
	struct tm tm;
	localtime_r(&s, &tm);
	strftime(buf, n, "%H:%M:%S", &tm);
}

const char *alerts_view_runbook(struct tui *t)
{
	const struct alert *v[MAX_ALERTS];
	int n = alerts_sorted(&t->app->alerts, v, MAX_ALERTS);
	if (t->alert_sel < 0 || t->alert_sel >= n || !v[t->alert_sel]->runbook[0])
		return NULL;
	return v[t->alert_sel]->runbook;
}

int alerts_view_count(struct tui *t)
{
	const struct alert *v[MAX_ALERTS];
	return alerts_sorted(&t->app->alerts, v, MAX_ALERTS);
}

static void clamp_sel(struct tui *t, int n)
{
	if (t->alert_sel >= n)
		t->alert_sel = n - 1;
	if (t->alert_sel < 0)
		t->alert_sel = 0;
}

void alerts_view_draw(struct tui *t, int top, int bottom)
{
	const struct alert *v[MAX_ALERTS];
	int n = alerts_sorted(&t->app->alerts, v, MAX_ALERTS);
	char line[512], since[16], fired[16];
	clamp_sel(t, n);
	attrset(theme_attr(ROLE_TITLE));
	mvaddnstr(top, 1, "Alerts (Enter: details and runbook; Esc: back)", COLS - 2);
	snprintf(line, sizeof(line), "%-9s %-8s %-8s %-28s %-7s %s", "STATE", "SINCE", "FIRED", "ALERT", "RUNBOOK",
		 "WHY");
	mvaddnstr(top + 1, 0, line, COLS);
	attrset(A_NORMAL);
	if (!n) {
		attrset(theme_attr(ROLE_MUTED));
		mvaddnstr(top + 2, 1, "No alerts: nothing has fired or is pending since opsdeck started.", COLS - 2);
		attrset(A_NORMAL);
		return;
	}
	int rows = bottom - top - 1;
	int first = t->alert_sel >= rows ? t->alert_sel - rows + 1 : 0;
	for (int i = first, y = top + 2; i < n && y <= bottom; i++, y++) {
		const struct alert *a = v[i];
		hhmmss(since, sizeof(since), a->since_wall);
		hhmmss(fired, sizeof(fired), a->fired_wall);
		move(y, 0);
		clrtoeol();
		attrset(theme_attr(i == t->alert_sel ? ROLE_SELECTED : state_role(a)));
		mvaddnstr(y, 0, state_word(a), 9);
		attrset(A_NORMAL);
		snprintf(line, sizeof(line), " %-8s %-8s %-28.28s %-7s %s", since, fired, a->id, a->runbook[0] ? a->runbook : "-",
			 a->summary);
		mvaddnstr(y, 9, line, COLS - 9);
	}
}

void alerts_view_detail(struct tui *t, int top, int bottom)
{
	const struct alert *v[MAX_ALERTS];
	int n = alerts_sorted(&t->app->alerts, v, MAX_ALERTS);
	char buf[256], a1[16], a2[16], a3[16];
	clamp_sel(t, n);
	if (!n) {
		t->view = VIEW_ALERTS;
		return;
	}
	const struct alert *a = v[t->alert_sel];
	int y = top;
	attrset(theme_attr(ROLE_TITLE));
	mvaddnstr(y++, 1, a->runbook[0] ? "Alert (Enter: walk its runbook; Esc: back to the list)"
				       : "Alert (Esc: back to the list)", COLS - 2);
	attrset(A_NORMAL);
	hhmmss(a1, sizeof(a1), a->since_wall);
	hhmmss(a2, sizeof(a2), a->fired_wall);
	hhmmss(a3, sizeof(a3), a->resolved_wall);
	const char *lines[][2] = {
		{"alert", a->id}, {"panel", a->source}, {"state", state_word(a)}, {"why", a->summary},
		{"state since", a1}, {"last fired", a2}, {"resolved", a3},
	};
	for (size_t i = 0; i < ARRAY_LEN(lines) && y <= bottom; i++) {
		snprintf(buf, sizeof(buf), "%-14s %s", lines[i][0], lines[i][1]);
		mvaddnstr(y++, 2, buf, COLS - 3);
	}
	snprintf(buf, sizeof(buf), "%-14s %u", "times fired", a->fired_count);
	mvaddnstr(y++, 2, buf, COLS - 3);
	y++;
	if (a->runbook[0] && y <= bottom) {
		const char *title = runbook_title(a->runbook);
		attrset(theme_attr(ROLE_KEY));
		snprintf(buf, sizeof(buf), "Runbook %s: %s", a->runbook, title ? title : "(not in the catalogue)");
		mvaddnstr(y++, 2, buf, COLS - 3);
		attrset(A_NORMAL);
		if (y <= bottom)
			mvaddnstr(y++, 2, "Enter: walk this runbook step by step (Esc: back to the list).", COLS - 3);
	}
}
