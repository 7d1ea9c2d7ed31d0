/* The rollout tracker screen (tui/tracker.h): one row per tracked checklist with its newest
 * run's state, drawn from the model's cache; Enter opens the run in the walker (or starts
 * one), R records that the change was rolled back (the checklist's ID typed back, then the
 * reason), r reads the journal again. */
#include <curses.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "runbooks/schedule.h"
#include "tui/paint.h"
#include "tui/pane.h"
#include "tui/tracker.h"
#include "tui/walker.h"

struct tracker *tracker_get(struct tui *t)
{
	if (!t->tracker) {
		t->tracker = xcalloc(1, sizeof(*t->tracker));
		t->tracker->from = VIEW_PANEL;
	}
	struct tracker *tr = t->tracker;
	if (!tr->loaded) {
		rollout_init(&tr->ro, NULL);
		tr->loaded = 1;
	}
	return tr;
}

void tracker_refresh(struct tui *t)
{
	struct tracker *tr = tracker_get(t);
	char *err = NULL;
	tr->error[0] = '\0';
	if (!t->journal)
		snprintf(tr->error, sizeof(tr->error), "%s", "journal unavailable: nothing to show");
	if (rollout_refresh(&tr->ro, t->journal, t->cfg->env, monitor_scale(t), now_wall_ms(), &err) < 0)
		snprintf(tr->error, sizeof(tr->error), "%s", err ? err : "cannot read the journal");
	free(err);
	tr->read_at = now_wall_ms();
	tui_dirty(t);
}

void tracker_open(struct tui *t)
{
	struct tracker *tr = tracker_get(t);
	if (t->view != VIEW_ROLLOUT)
		tr->from = t->view == VIEW_WALKER || t->view == VIEW_HELP ? VIEW_PANEL : t->view;
	tracker_refresh(t);
	t->view = VIEW_ROLLOUT;
}

void tracker_shown(struct tui *t)
{
	if (t->tracker)
		tracker_refresh(t);
}

void tracker_free(struct tui *t)
{
	struct tracker *tr = t->tracker;
	if (!tr)
		return;
	monitor_stop(t);
	if (tr->timer)
		event_free(tr->timer);
	if (tr->loaded)
		rollout_done(&tr->ro);
	free(tr);
	t->tracker = NULL;
}

/* ---- drawing ---- */

static enum role state_role(enum rollout_state s)
{
	switch (s) {
	case RO_SIGNED_OFF: return ROLE_OK;
	case RO_FAILED:
	case RO_ROLLED_BACK: return ROLE_CRIT;
	case RO_MONITORING:
	case RO_VALIDATING: return ROLE_WARN;
	case RO_STARTED:
	case RO_BASELINE:
	case RO_AWAITING_SIGNOFF: return ROLE_PENDING;
	case RO_NOT_STARTED:
	case RO_ABORTED: break;
	}
	return ROLE_MUTED;
}

static enum role progress_role(const struct rollout_row *r)
{
	if (r->state == RO_ROLLED_BACK || r->checks_failed || (r->valid_fail && r->state <= RO_AWAITING_SIGNOFF))
		return ROLE_CRIT;
	if (r->checks_missed && r->state <= RO_AWAITING_SIGNOFF)
		return ROLE_WARN;
	if (r->state == RO_SIGNED_OFF && r->signed_with_reason)
		return ROLE_WARN;
	return ROLE_NORMAL;
}

/* "14:02" today, "Sat 21 14:02" another day. */
static const char *when(int64_t ms, char *buf, size_t n)
{
	time_t s = (time_t)(ms / 1000), now = time(NULL);
	struct tm tm, today;
	if (!ms) {
		snprintf(buf, n, "%s", "");
		return buf;
	}
	localtime_r(&s, &tm);
	localtime_r(&now, &today);
	strftime(buf, n, tm.tm_yday == today.tm_yday && tm.tm_year == today.tm_year ? "%H:%M" : "%a %d %H:%M", &tm);
	return buf;
}

/* Journal text (names, reasons) is cleaned before it reaches the screen. */
static int cell(int y, int x, int w, enum role r, const char *s)
{
	char *c = text_clean(s ? s : "");
	put_text(y, x, w, r, c);
	free(c);
	return x + w + 1;
}

struct layout {
	int id, state, prog, run, started, op, next, title; /* widths; 0 = left out */
};

/* What fits: the state, progress and next check always; then the run, who and when, the title. */
static void layout_for(struct layout *l, int cols)
{
	*l = (struct layout){.id = 12, .state = 17, .run = 5, .next = 10};
	int rest = cols - 1 - (l->id + l->state + l->run + l->next + 4);
	if (cols >= 120) {
		l->started = 12;
		l->op = 14;
		rest -= l->started + l->op + 2;
	}
	if (cols >= 160) {
		l->prog = 48;
		l->title = rest - l->prog - 1;
	} else {
		l->prog = rest;
	}
}

static void draw_header(int y, const struct layout *l)
{
	int x = 1;
	move(y, 0);
	clrtoeol();
	x = cell(y, x, l->id, ROLE_TITLE, "CHECKLIST");
	x = cell(y, x, l->state, ROLE_TITLE, "STATE");
	x = cell(y, x, l->prog, ROLE_TITLE, "PROGRESS");
	x = cell(y, x, l->run, ROLE_TITLE, "RUN");
	if (l->started) {
		x = cell(y, x, l->started, ROLE_TITLE, "STARTED");
		x = cell(y, x, l->op, ROLE_TITLE, "OPERATOR");
	}
	x = cell(y, x, l->next, ROLE_TITLE, "NEXT CHECK");
	if (l->title > 0)
		cell(y, x, l->title, ROLE_TITLE, "TITLE");
}

static void draw_row(int y, const struct rollout_row *r, const struct layout *l, int selected, int64_t now)
{
	char prog[300], run[24], started[32], next[32];
	rollout_progress(r, now, prog, sizeof(prog));
	rollout_next_check(r, now, next, sizeof(next));
	snprintf(run, sizeof(run), r->run_id ? "%" PRId64 : "-", r->run_id);
	if (r->error && !r->title)
		snprintf(prog, sizeof(prog), "%s", r->error);
	enum role base = selected ? ROLE_SELECTED : ROLE_NORMAL;
	if (selected)
		fill_line(y, ROLE_SELECTED);
	else {
		move(y, 0);
		clrtoeol();
	}
	int x = cell(y, 1, l->id, base, r->id);
	x = cell(y, x, l->state, selected ? base : state_role(r->state), rollout_state_name(r->state));
	x = cell(y, x, l->prog, selected ? base : r->error && !r->title ? ROLE_CRIT : progress_role(r), prog);
	x = cell(y, x, l->run, selected ? base : ROLE_MUTED, run);
	if (l->started) {
		x = cell(y, x, l->started, base, when(r->started_at, started, sizeof(started)));
		x = cell(y, x, l->op, base, r->operator_name ? r->operator_name : "");
	}
	x = cell(y, x, l->next, selected ? base : r->next_check && r->next_check <= now ? ROLE_WARN : ROLE_NORMAL, next);
	if (l->title > 0)
		cell(y, x, l->title, selected ? base : ROLE_MUTED, r->title ? r->title : "");
}

/* Under the table: the selected row in full. */
static void draw_detail(const struct rollout_row *r, int y, int bottom, int64_t now)
{
	char line[600], a[32], b[32], prog[300];
	if (y > bottom)
		return;
	snprintf(line, sizeof(line), "%s: %s", r->ref, r->title ? r->title : r->error ? r->error : "");
	cell(y++, 1, COLS - 2, ROLE_TITLE, line);
	if (!r->run_id) {
		cell(y, 1, COLS - 2, ROLE_MUTED, "No run in this environment yet: Enter starts one in the walker.");
		return;
	}
	snprintf(line, sizeof(line), "run %" PRId64 ", begun %s by %s; %s %s", r->run_id, when(r->started_at, a, sizeof(a)),
		 r->operator_name ? r->operator_name : "?", r->run_state ? r->run_state : "?",
		 when(r->state_at, b, sizeof(b)));
	cell(y++, 1, COLS - 2, ROLE_NORMAL, line);
	snprintf(line, sizeof(line), "%s: %s", rollout_state_name(r->state), rollout_progress(r, now, prog, sizeof(prog)));
	if (y <= bottom)
		cell(y++, 1, COLS - 2, state_role(r->state), line);
	snprintf(line, sizeof(line), "steps: %d passed, %d failed, %d skipped, %d to do of %d", r->progress.pass,
		 r->progress.fail, r->progress.skip, r->progress.pending, r->progress.total);
	if (y <= bottom && r->state != RO_ROLLED_BACK && r->state != RO_ABORTED)
		cell(y++, 1, COLS - 2, ROLE_NORMAL, line);
	if (y <= bottom && r->windows) {
		sched_fmt_duration(r->window_end > now ? r->window_end - now : 0, a, sizeof(a));
		snprintf(line, sizeof(line), "monitoring: %d of %d periodic steps begun; checks %d passed, %d failed, "
			 "%d missed of %d%s%s", r->windows, r->periodic_steps, r->checks_done, r->checks_failed,
			 r->checks_missed, r->checks, r->windows_open ? "; window open, " : "; every window is over",
			 r->windows_open ? a : "");
		cell(y++, 1, COLS - 2, r->checks_failed ? ROLE_CRIT : r->checks_missed ? ROLE_WARN : ROLE_NORMAL, line);
	}
	if (y <= bottom && r->roles) {
		snprintf(line, sizeof(line), "sign-off: %d of %d roles%s%s%s", r->roles_signed, r->roles,
			 r->signed_by ? " (" : "", r->signed_by ? r->signed_by : "", r->signed_by ? ")" : "");
		cell(y++, 1, COLS - 2, ROLE_NORMAL, line);
	}
	if (y <= bottom)
		cell(y, 1, COLS - 2, ROLE_MUTED, r->state == RO_ROLLED_BACK ? "Enter starts a new run of it."
		     : "Enter: open it in the walker;  R: record that the change was rolled back;  J then S: sign it off.");
}

void tracker_draw(struct tui *t, int top, int bottom)
{
	struct tracker *tr = tracker_get(t);
	struct layout l;
	char title[200], at[32];
	int64_t now = now_wall_ms();
	clear_lines(top, bottom);
	snprintf(title, sizeof(title), "Rollout tracker, %s: each checklist's newest run (read %s)",
		 t->cfg->env ? t->cfg->env : "-", when(tr->read_at, at, sizeof(at)));
	put(top, 1, COLS - 2, ROLE_TITLE, title);
	if (tr->error[0])
		cell(top + 1, 1, COLS - 2, ROLE_CRIT, tr->error);
	layout_for(&l, COLS);
	draw_header(top + 2, &l);
	if (tr->sel >= tr->ro.n)
		tr->sel = tr->ro.n - 1;
	if (tr->sel < 0)
		tr->sel = 0;
	int y = top + 3;
	for (int i = 0; i < tr->ro.n && y <= bottom; i++, y++)
		draw_row(y, &tr->ro.rows[i], &l, i == tr->sel, now);
	if (tr->ro.n)
		draw_detail(&tr->ro.rows[tr->sel], y + 1, bottom, now);
}

int tracker_summary(struct tui *t, char *buf, int size, int *warn)
{
	struct tracker *tr = t->tracker;
	if (!tr || !tr->loaded)
		return 0;
	const char *prefer = t->walker && t->walker->rb.checklist ? t->walker->rb.id : NULL;
	const struct rollout_row *r = rollout_current(&tr->ro, prefer);
	if (!r)
		return 0;
	int64_t now = now_wall_ms();
	rollout_summary(r, now, buf, size);
	*warn = r->checks_missed || r->checks_failed || r->valid_fail || (r->next_check && r->next_check <= now);
	return 1;
}

/* ---- keys ---- */

static struct rollout_row *selected(struct tui *t)
{
	struct tracker *tr = tracker_get(t);
	return tr->ro.n ? &tr->ro.rows[tr->sel < tr->ro.n ? tr->sel : 0] : NULL;
}

void tracker_k_toggle(struct tui *t, int key)
{
	(void)key;
	if (t->view == VIEW_ROLLOUT)
		t->view = tracker_get(t)->from;
	else
		tracker_open(t);
}

void tracker_k_back(struct tui *t, int key)
{
	(void)key;
	t->view = tracker_get(t)->from;
}

void tracker_k_reload(struct tui *t, int key)
{
	(void)key;
	tracker_refresh(t);
	monitor_wake_soon(t);
	tui_message(t, "rollout tracker read again from the journal");
}

void tracker_k_move(struct tui *t, int key)
{
	struct tracker *tr = tracker_get(t);
	if (key == KEY_UP || key == 'k')
		tr->sel--;
	else if (key == KEY_DOWN || key == 'j')
		tr->sel++;
	else if (key == KEY_HOME || key == 'g' || key == KEY_PPAGE)
		tr->sel = 0;
	else if (key == KEY_END || key == 'G' || key == KEY_NPAGE)
		tr->sel = tr->ro.n - 1;
	if (tr->sel < 0)
		tr->sel = 0;
	if (tr->sel >= tr->ro.n)
		tr->sel = tr->ro.n - 1;
}

/* The walker asks whether to resume the open run: this row's run, so yes. */
static void open_run(struct tui *t, const char *ref, int64_t run_id)
{
	if (walker_open(t, ref) < 0)
		return;
	struct walker *w = t->walker;
	if (w && w->ask == ASK_RESUME && w->resume_id == run_id && t->input_mode == INPUT_ASK)
		lineedit_key(t, 'y');
}

static char new_ref[24];

static int new_run_key(struct tui *t, int ch)
{
	if (ch == 'y' || ch == 'Y') {
		open_run(t, new_ref, 0);
		if (t->walker && t->view == VIEW_WALKER)
			tui_message(t, "%s: a new run begins with its first result", new_ref);
		return 1;
	}
	if (ch == 'n' || ch == 'N') {
		tui_message(t, "nothing started");
		return 1;
	}
	return 0;
}

static void new_run_cancel(struct tui *t) { tui_message(t, "nothing started"); }

void tracker_k_enter(struct tui *t, int key)
{
	struct rollout_row *r = selected(t);
	(void)key;
	if (!r)
		return;
	if (!r->title) {
		tui_alert(t, "%s cannot be opened: %s", r->id, r->error ? r->error : "unreadable");
		return;
	}
	if (r->run_id && monitor_holds(t, r->run_id)) {
		tui_message(t, "a check of %s run %" PRId64 " is running: open it when it has finished", r->id, r->run_id);
		return;
	}
	if (str_eq(r->run_state, "started") || str_eq(r->run_state, "resumed")) {
		open_run(t, r->ref, r->run_id);
		return;
	}
	if (r->run_id && (str_eq(r->run_state, "done") || str_eq(r->run_state, "failed"))) {
		char q[200];
		snprintf(new_ref, sizeof(new_ref), "%s", r->ref);
		snprintf(q, sizeof(q), "%s run %" PRId64 " has ended (%s): start a new %s run? (y/n) ", r->id, r->run_id,
			 rollout_state_name(r->state), r->id);
		prompt_key(t, q, new_run_key, new_run_cancel);
		return;
	}
	open_run(t, r->ref, 0); /* none, or rolled back / aborted: a new one */
}

/* ---- rolling back ---- */

static void rollback_cancel(struct tui *t) { tui_message(t, "roll-back cancelled: nothing recorded"); }

static void rollback_reason(struct tui *t, const char *text)
{
	struct tracker *tr = tracker_get(t);
	char *err = NULL;
	if (!*text) {
		prompt_line(t, "a roll-back needs its reason (Esc cancels): ", 0, rollback_reason, rollback_cancel);
		return;
	}
	if (t->walker && t->walker->walkable && t->walker->run.run_id == tr->rb_run_id && walker_busy(t)) {
		tui_alert(t, "a step of run %" PRId64 " is running in the walker: NOT rolled back", tr->rb_run_id);
		return;
	}
	if (rollout_rollback(t->journal, tr->rb_run_id, text, &err) < 0) {
		tui_alert(t, "NOT rolled back: %s", err ? err : "?");
		free(err);
		return;
	}
	/* the run has ended: the walker must not add results to it */
	if (t->walker && t->walker->walkable && t->walker->run.run_id == tr->rb_run_id && t->view != VIEW_WALKER)
		walker_close(t);
	tracker_refresh(t);
	monitor_wake_soon(t);
	tui_message(t, "%s run %" PRId64 " marked rolled back in the journal: %s", tr->rb_ref + 3, tr->rb_run_id, text);
}

static void rollback_confirm(struct tui *t, const char *text)
{
	struct tracker *tr = tracker_get(t);
	char label[200];
	if (strcasecmp(text, tr->rb_ref) && strcasecmp(text, tr->rb_ref + 3)) {
		tui_alert(t, "\"%s\" is not \"%s\": NOT rolled back", text, tr->rb_ref + 3);
		return;
	}
	snprintf(label, sizeof(label), "why was %s rolled back? ", tr->rb_ref + 3);
	prompt_line(t, label, 0, rollback_reason, rollback_cancel);
}

void tracker_k_rollback(struct tui *t, int key)
{
	struct tracker *tr = tracker_get(t);
	struct rollout_row *r = selected(t);
	char label[200];
	(void)key;
	if (!r || !r->run_id) {
		tui_message(t, "%s has no run in %s: nothing to roll back", r ? r->id : "?", t->cfg->env ? t->cfg->env : "-");
		return;
	}
	if (r->state == RO_ROLLED_BACK) {
		tui_message(t, "%s run %" PRId64 " is rolled back already", r->id, r->run_id);
		return;
	}
	if (monitor_holds(t, r->run_id)) {
		tui_message(t, "a check of %s run %" PRId64 " is running: roll it back when it has finished", r->id,
			    r->run_id);
		return;
	}
	tr->rb_run_id = r->run_id;
	snprintf(tr->rb_ref, sizeof(tr->rb_ref), "%s", r->ref);
	snprintf(label, sizeof(label), "roll back %s run %" PRId64 " (%s)? type %s to confirm: ", r->id, r->run_id,
		 rollout_state_name(r->state), r->id);
	prompt_line(t, label, 0, rollback_confirm, rollback_cancel);
}
