/* The frame: header (environment, clock, one dot per source), tabs, the health strip, the
 * current view, the input/message line and the key bar. Everything is drawn into stdscr and
 * flushed once; curses sends only the cells that changed. */
#include <curses.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "tui/paint.h"
#include "tui/tui_int.h"
#include "tui/review.h"
#include "tui/tracker.h"
#include "tui/walker.h"

#define MIN_COLS 80
#define MIN_LINES 24

void table_view_draw(struct tui *t, int top, int bottom);

static enum role source_role(const struct source_status *st)
{
	if (!st)
		return ROLE_MUTED;
	switch (st->state) {
	case SRC_UP: return ROLE_OK;
	case SRC_DOWN:
	case SRC_TIMEOUT: return ROLE_CRIT;
	case SRC_IDLE:
	case SRC_CONNECTING: return ROLE_PENDING;
	case SRC_NOT_CONFIGURED: break;
	}
	return ROLE_MUTED;
}

static int draw_source(int y, int x, const char *name, const struct source_cfg *sc, const struct source_status *st)
{
	const struct glyphs *g = theme_glyphs();
	int polled = sc->dsn && st;
	if (x + (int)strlen(name) + 2 >= COLS)
		return x;
	x = put_run(y, x, polled ? source_role(st) : ROLE_MUTED, polled ? g->dot : g->hollow, 1);
	x = put_run(y, x, polled && st->state != SRC_UP ? source_role(st) : ROLE_HEADER, name, (int)strlen(name));
	return put_run(y, x, ROLE_HEADER, " ", 1);
}

/* Age of the oldest data on screen, over the sources that have answered at least once
 * (the ones that never did are red dots already). */
static double oldest_data_ms(const struct app *a)
{
	struct app_source src[64];
	int n = app_sources(a, src, 64);
	double oldest = NAN;
	for (int i = 0; i < n; i++) {
		if (!src[i].st || !src[i].st->last_ok_mono)
			continue;
		double age = (double)(now_mono_ms() - src[i].st->last_ok_mono);
		if (isnan(oldest) || age > oldest)
			oldest = age;
	}
	return oldest;
}

static void draw_header(struct tui *t)
{
	struct app *a = t->app;
	char buf[96];
	time_t now = time(NULL);
	struct tm tm;
	fill_line(0, ROLE_HEADER);
	int x = put_run(0, 0, ROLE_HEADER, " opsdeck ", 9);
	snprintf(buf, sizeof(buf), " %s ", a->cfg->env ? a->cfg->env : "-");
	x = put_run(0, x, theme_env_role(a->cfg->env), buf, (int)strlen(buf));
	localtime_r(&now, &tm);
	strftime(buf, sizeof(buf), " %H:%M:%S  ", &tm);
	x = put_run(0, x, ROLE_HEADER, buf, (int)strlen(buf));
	struct app_source src[64];
	int n = app_sources(a, src, 64);
	for (int i = 0; i < n; i++)
		x = draw_source(0, x, src[i].name, src[i].cfg, src[i].st);
}

static int firing_alerts(const struct app *a, enum level *worst)
{
	int n = 0;
	*worst = LV_NONE;
	for (int i = 0; i < a->alerts.n; i++)
		if (a->alerts.v[i].state == ALERT_FIRING) {
			n++;
			*worst = level_max(*worst, a->alerts.v[i].severity);
		}
	return n;
}

static void draw_tabs(struct tui *t)
{
	int x = 0;
	char buf[64], age[32];
	enum level worst;
	move(1, 0);
	clrtoeol();
	for (int i = 0; i < t->app->npanels; i++) {
		struct panel *p = t->app->panels[i];
		enum level lv = p->cls->level ? p->cls->level(p, NULL) : LV_NONE;
		snprintf(buf, sizeof(buf), " %d %s%s ", i + 1, p->cls->title, lv >= LV_CRIT ? " !" : lv == LV_WARN ? " ~" : "");
		int on_panel = t->view == VIEW_PANEL || t->view == VIEW_DETAIL ||
			       (t->view == VIEW_HELP && (t->help_from == VIEW_PANEL || t->help_from == VIEW_DETAIL));
		enum role r = i == t->tab && on_panel
				      ? ROLE_TAB_ACTIVE
				      : lv >= LV_WARN ? role_for_level(lv) : ROLE_TAB;
		x = put_run(1, x, r, buf, (int)strlen(buf)) + 1;
	}
	int n = firing_alerts(t->app, &worst);
	snprintf(buf, sizeof(buf), " a Alerts %d ", n);
	enum role r = t->view == VIEW_ALERTS || t->view == VIEW_ALERT_DETAIL ? ROLE_TAB_ACTIVE
		      : n ? role_for_level(worst) : ROLE_TAB;
	if (x + (int)strlen(buf) < COLS)
		x = put_run(1, x, r, buf, (int)strlen(buf)) + 1;
	const char *rb = walker_label(t);
	if (rb || t->view == VIEW_RBLIST) { /* the open runbook, or the library */
		snprintf(buf, sizeof(buf), " %s%s%s ", rb ? "w " : "", rb ? rb : "Runbooks", walker_busy(t) ? " >" : "");
		r = t->view == VIEW_WALKER || t->view == VIEW_RBLIST ? ROLE_TAB_ACTIVE : ROLE_TAB;
		if (x + (int)strlen(buf) + 12 < COLS)
			x = put_run(1, x, r, buf, (int)strlen(buf)) + 1;
	}
	if (tui_scope(t) == KS_REVIEW && x + 11 + 12 < COLS) /* where you are: the journal review */
		x = put_run(1, x, ROLE_TAB_ACTIVE, " J Journal ", 11) + 1;
	double old = oldest_data_ms(t->app);
	fmt_age(age, sizeof(age), old);
	snprintf(buf, sizeof(buf), "%sdata %s ", t->app->paused ? "PAUSED  " : "", isnan(old) ? "-" : age);
	int w = (int)strlen(buf);
	if (COLS - w > x)
		put(1, COLS - w, w, t->app->paused || (!isnan(old) && old > app_stale_after_ms(t->app)) ? ROLE_WARN : ROLE_MUTED,
		    buf);
}

/* The health strip: "LABEL value" pairs from the strip panel's one row. */
static void draw_strip(struct tui *t, int y)
{
	struct panel *s = t->app->strip;
	struct table tb;
	int x = 1;
	move(y, 0);
	clrtoeol();
	s->cls->fill(s, &tb);
	if (!tb.nrows) {
		put(y, 1, COLS - 2, ROLE_MUTED, tb.summary[0] ? tb.summary : tb.empty_text ? tb.empty_text : "");
		table_done(&tb);
		return;
	}
	for (int i = 0; i < tb.ncols && x < COLS; i++) {
		const struct cell *c = &tb.rows[0].cells[i];
		if (!c->text[0] || (tb.note[0] && i > 0 && !strcmp(c->text, "-")))
			continue; /* with a note, the values it stands for are left out */
		int lw = (int)strlen(tb.cols[i].title), vw = (int)strlen(c->text);
		if (x + lw + vw + 1 > COLS)
			break;
		x = put_run(y, x, ROLE_MUTED, tb.cols[i].title, lw);
		/* stale dims the values, but never hides a warning or an alarm */
		enum role r = c->level >= LV_WARN ? role_for_level(c->level)
			      : tb.rows[0].stale ? ROLE_STALE
			      : c->level == LV_PENDING ? ROLE_PENDING
			      : c->level == LV_OK ? ROLE_OK : ROLE_NORMAL;
		x = put_run(y, x + 1, r, c->text, vw) + 2;
		if (i == 0 && tb.note[0] && x < COLS - 1) { /* the cause, right after the word */
			int room = COLS - 1 - x, nw = (int)strlen(tb.note);
			put(y, x, room, role_for_level(tb.rows[0].level >= LV_WARN ? tb.rows[0].level : LV_WARN), tb.note);
			x += (nw < room ? nw : room) + 2;
		}
	}
	table_done(&tb);
}

static void draw_help(struct tui *t, int top, int bottom)
{
	int n, y = top + 1, col = 0;
	const struct key_binding *k = tui_keys(&n);
	unsigned scope = tui_scope(t);
	clear_lines(top, bottom);
	put(top, 1, COLS - 2, ROLE_TITLE, scope == KS_WALKER ? "Keys of the runbook walker (any key closes this help)"
					  : scope == KS_RBLIST ? "Keys of the runbook list (any key closes this help)"
					  : scope == KS_REVIEW ? "Keys of the journal review (any key closes this help)"
					  : scope == KS_ROLLOUT ? "Keys of the rollout tracker (any key closes this help)"
					  : "Keys (any key closes this help)");
	int half = COLS >= 120 ? COLS / 2 : COLS;
	for (int i = 0; i < n; i++) {
		if (!k[i].label || !(k[i].scope & scope))
			continue;
		if (y > bottom - 2) { /* the commands and the legend take the last two rows */
			if (half == COLS)
				break;
			y = top + 1;
			col = half;
		}
		put(y, col + 2, 10, ROLE_KEY, k[i].label);
		put(y, col + 13, half - 14, ROLE_NORMAL, k[i].help);
		y++;
	}
	if (scope == KS_REVIEW) { /* the filter's syntax instead of the commands */
		put(bottom - 1, 2, COLS - 3, ROLE_NORMAL,
		    ":journal ref=W3-4 operator=ana state=done|failed|open since=7d|2026-11-01");
		put(bottom, 2, COLS - 3, ROLE_MUTED,
		    "  until=DATE kind=checklist WORDS; :journal clear; signed* = over failures");
	} else {
		put(bottom - 1, 2, COLS - 3, ROLE_NORMAL, "Commands (:): rb [N], journal [FILTER] (or J), rollout (or t), env NAME, "
		    "refresh [DURATION], alerts, filter TEXT, replicas|...|partitions, quit");
	}
	if (scope == KS_WALKER) {
		char marks[200];
		snprintf(marks, sizeof(marks), "%s pass %s fail %s error %s skip %s to do %s running; A auto, M by hand, "
			 "D destructive", walker_mark(STEP_PASS, 0),
			 walker_mark(STEP_FAIL, 0), walker_mark(STEP_ERROR, 0), walker_mark(STEP_SKIP, 0),
			 walker_mark(STEP_PENDING, 0), walker_mark(STEP_PENDING, 1));
		put(bottom, 2, COLS - 3, ROLE_MUTED, marks);
	} else if (scope == KS_ROLLOUT) {
		put(bottom, 2, COLS - 3, ROLE_MUTED, "States: not started, started, baseline recorded, validating, monitoring, "
		    "awaiting sign-off, signed off, rolled back, failed, aborted.");
	} else if (scope != KS_REVIEW)
		put(bottom, 2, COLS - 3, ROLE_MUTED,
		    "Status: ok, pending (holds, not yet for its duration), warn, critical; dimmed/stale = no fresh answer.");
}

/* The line being typed, after its prompt; the end of it when it is too long. */
static void draw_input(struct tui *t)
{
	char shown[sizeof(t->line) + 2];
	const char *label = t->input_mode == INPUT_FILTER ? "/"
			    : t->input_mode == INPUT_COMMAND ? ":" : t->prompt.label;
	size_t len = strlen(t->line);
	if (t->prompt.secret && t->input_mode == INPUT_PROMPT) {
		memset(shown, '*', len);
		shown[len] = '\0';
	} else {
		snprintf(shown, sizeof(shown), "%s", t->line);
	}
	if (t->input_mode != INPUT_ASK)
		strcat(shown, "_");
	/* the label leaves at least 20 columns for the answer (a y/n question takes the line) */
	int keep = t->input_mode == INPUT_ASK ? 1 : 20, lw = (int)strlen(label);
	if (lw > COLS - 1 - keep)
		lw = COLS - 1 - keep;
	int room = COLS - 1 - lw, sl = (int)strlen(shown);
	put(LINES - 2, 0, lw, t->input_mode >= INPUT_PROMPT ? ROLE_WARN : ROLE_NORMAL, label);
	put(LINES - 2, lw, room, ROLE_NORMAL, sl > room ? shown + sl - room : shown);
}

static void draw_hints(const char *const (*hints)[2], size_t n)
{
	int y = LINES - 1, x = 0;
	move(y, 0);
	clrtoeol();
	for (size_t i = 0; i < n; i++) {
		int w = (int)(strlen(hints[i][0]) + strlen(hints[i][1]) + 2);
		if (x + w > COLS)
			break;
		x = put_run(y, x, ROLE_KEY, hints[i][0], (int)strlen(hints[i][0]));
		x = put_run(y, x, ROLE_HEADER, hints[i][1], (int)strlen(hints[i][1])) + 1;
	}
}

static void draw_footer(struct tui *t)
{
	static const char *const hints[][2] = {
		{"F1", "Help ?"}, {"F2", "Alerts a"}, {"J", "Journal"}, {"F3", "Filter /"}, {"F4", "Sort s"},
		{"F5", "Refresh r"}, {"F6", "Rollout t"}, {"Tab", "Panel"}, {"Enter", "Detail"}, {":", "Cmd"}, {"F10", "Quit q"},
	};
	static const char *const walker_hints[][2] = {
		{"Enter", "Run"}, {"p", "Pass"}, {"f", "Fail"}, {"s", "Skip"}, {"n", "Note"}, {"o", "Related"},
		{"PgDn", "Scroll"}, {"?", "Help"}, {"q", "Back"}, {"F10", "Quit"},
	};
	static const char *const list_hints[][2] = {
		{"Enter", "Walk"}, {"/", "Filter"}, {"w", "Open runbook"}, {"?", "Help"}, {"q", "Back"}, {"F10", "Quit"},
	};
	static const char *const rollout_hints[][2] = {
		{"Enter", "Open run"}, {"R", "Roll back"}, {"r", "Re-read"}, {"J", "Journal"}, {"?", "Help"},
		{"q", "Back"}, {"F10", "Quit"},
	};
	static const char *const review_hints[][2] = {
		{"Enter", "Run"}, {"/", "Filter"}, {"x", "Clear"}, {"S", "Sign off"}, {"C", "Correct"}, {"[ ]", "Sign-off"},
		{"r", "Reload"}, {"?", "Help"}, {"q", "Back"}, {"F10", "Quit"},
	};
	unsigned scope = tui_scope(t);
	if (scope == KS_WALKER)
		draw_hints(walker_hints, ARRAY_LEN(walker_hints));
	else if (scope == KS_RBLIST)
		draw_hints(list_hints, ARRAY_LEN(list_hints));
	else if (scope == KS_REVIEW)
		draw_hints(review_hints, ARRAY_LEN(review_hints));
	else if (scope == KS_ROLLOUT)
		draw_hints(rollout_hints, ARRAY_LEN(rollout_hints));
	else
		draw_hints(hints, ARRAY_LEN(hints));
	move(LINES - 2, 0);
	clrtoeol();
	if (t->input_mode != INPUT_NONE) {
		draw_input(t);
	} else if (t->message[0] && now_mono_ms() < t->message_until) {
		put(LINES - 2, 1, COLS - 2, t->message_crit ? ROLE_CRIT : ROLE_WARN, t->message);
	} else if (t->app->journal_error[0]) {
		char buf[260];
		snprintf(buf, sizeof(buf), "JOURNAL: nothing is recorded, monitoring goes on: %s", t->app->journal_error);
		put(LINES - 2, 1, COLS - 2, ROLE_CRIT, buf);
	} else if (t->tabs[t->tab].filter[0] && t->view == VIEW_PANEL) {
		char buf[120];
		snprintf(buf, sizeof(buf), "filter: \"%s\"  (/ to change, / Enter on empty to clear)", t->tabs[t->tab].filter);
		put(LINES - 2, 1, COLS - 2, ROLE_MUTED, buf);
	} else if (t->view != VIEW_ROLLOUT) { /* a checklist run in progress: where it stands (cached, no SQL) */
		char buf[300];
		int warn = 0;
		if (tracker_summary(t, buf, sizeof(buf), &warn))
			put(LINES - 2, 1, COLS - 2, warn ? ROLE_WARN : ROLE_MUTED, buf);
	}
}

static void draw_too_small(void)
{
	char buf[160];
	erase();
	const char *hint = "Enlarge the window, or press q to quit.";
	snprintf(buf, sizeof(buf), "opsdeck needs at least %dx%d; this terminal is %dx%d.", MIN_COLS, MIN_LINES, COLS, LINES);
	if ((int)strlen(buf) > COLS) { /* very narrow (20x5): the sizes must still show */
		snprintf(buf, sizeof(buf), "need %dx%d, is %dx%d", MIN_COLS, MIN_LINES, COLS, LINES);
		hint = "q quits";
	}
	mvaddnstr(LINES / 2 - 1 > 0 ? LINES / 2 - 1 : 0, 0, buf, COLS);
	mvaddnstr(LINES / 2 > 0 ? LINES / 2 : 0, 0, hint, COLS);
}

void tui_draw(struct tui *t)
{
	if (COLS < MIN_COLS || LINES < MIN_LINES) {
		draw_too_small();
		refresh();
		return;
	}
	draw_header(t);
	draw_tabs(t);
	draw_strip(t, 2);
	int top = 3, bottom = LINES - 3;
	switch (t->view) {
	case VIEW_HELP:
		draw_help(t, top, bottom);
		break;
	case VIEW_RBLIST:
		rblist_draw(t, top, bottom);
		break;
	case VIEW_WALKER:
		walker_draw(t, top, bottom);
		break;
	case VIEW_REVIEW:
	case VIEW_REVIEW_RUN:
		review_draw(t, top, bottom);
		break;
	case VIEW_ROLLOUT:
		tracker_draw(t, top, bottom);
		break;
	case VIEW_ALERTS:
		clear_lines(top, bottom);
		alerts_view_draw(t, top, bottom);
		break;
	case VIEW_ALERT_DETAIL:
		clear_lines(top, bottom);
		alerts_view_detail(t, top, bottom);
		break;
	case VIEW_PANEL:
	case VIEW_DETAIL:
		table_view_draw(t, top, bottom);
		break;
	}
	draw_footer(t);
	refresh();
}
