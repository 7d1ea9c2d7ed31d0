/* One table from key to action; actions change state, the loop redraws. */
#include <curses.h>

#include "tui/review.h"
#include "tui/tracker.h"
#include "tui/tui_int.h"
#include "tui/walker.h"

static int in_alerts(const struct tui *t) { return t->view == VIEW_ALERTS || t->view == VIEW_ALERT_DETAIL; }

static void k_quit(struct tui *t, int key)
{
	(void)key;
	t->quit = 1;
}

static void k_help(struct tui *t, int key)
{
	(void)key;
	if (t->view == VIEW_HELP) {
		t->view = t->help_from;
		return;
	}
	t->help_from = t->view;
	t->view = VIEW_HELP;
}

static void k_back(struct tui *t, int key)
{
	(void)key;
	t->view = t->view == VIEW_ALERT_DETAIL ? VIEW_ALERTS : VIEW_PANEL;
}

static void k_list_back(struct tui *t, int key)
{
	(void)key;
	t->view = VIEW_PANEL;
}

static void k_walker(struct tui *t, int key)
{
	(void)key;
	if (!walker_resume_view(t))
		tui_message(t, "no runbook is open: :rb lists the library, :rb N opens one");
}

static void k_review(struct tui *t, int key)
{
	(void)key;
	review_open(t, NULL);
}

static void k_alerts(struct tui *t, int key)
{
	(void)key;
	t->view = in_alerts(t) ? VIEW_PANEL : VIEW_ALERTS;
}

static void k_tab(struct tui *t, int key)
{
	int n = t->app->npanels;
	if (key >= '1' && key <= '9')
		t->tab = key - '1' < n ? key - '1' : t->tab;
	else if (key == KEY_BTAB)
		t->tab = (t->tab + n - 1) % n;
	else
		t->tab = (t->tab + 1) % n;
	t->view = VIEW_PANEL;
}

static void k_move(struct tui *t, int key)
{
	int *sel = in_alerts(t) ? &t->alert_sel : &t->tabs[t->tab].sel;
	if (key == KEY_UP || key == 'k')
		(*sel)--;
	else if (key == KEY_DOWN || key == 'j')
		(*sel)++;
	else if (key == KEY_PPAGE)
		*sel -= 10;
	else if (key == KEY_NPAGE)
		*sel += 10;
	else if (key == KEY_HOME || key == 'g')
		*sel = 0;
	else if (key == KEY_END || key == 'G')
		*sel = 1 << 20;
	if (*sel < 0)
		*sel = 0; /* the upper bound is clamped when drawing, where the row count is known */
}

static void k_enter(struct tui *t, int key)
{
	(void)key;
	switch (t->view) {
	case VIEW_PANEL: t->view = VIEW_DETAIL; break;
	case VIEW_ALERTS: t->view = alerts_view_count(t) ? VIEW_ALERT_DETAIL : VIEW_ALERTS; break;
	case VIEW_ALERT_DETAIL:
		if (alerts_view_runbook(t))
			walker_open(t, alerts_view_runbook(t));
		else
			tui_message(t, "this alert names no runbook");
		break;
	default: t->view = VIEW_PANEL; break;
	}
}

static void k_refresh(struct tui *t, int key)
{
	(void)key;
	app_poll_now(t->app);
	tui_message(t, "refreshing now");
}

static void k_pause(struct tui *t, int key)
{
	(void)key;
	t->app->paused = !t->app->paused;
	tui_message(t, t->app->paused ? "paused: data is not refreshed (Space resumes)" : "resumed");
}

static void k_rate(struct tui *t, int key)
{
	double ms = t->app->refresh_ms;
	ms = key == '+' ? ms * 2 : ms / 2;
	if (ms < 250)
		ms = 250;
	if (ms > 60000)
		ms = 60000;
	app_set_refresh(t->app, ms);
	tui_message(t, "refresh every %.2gs", ms / 1000);
}

static void k_filter(struct tui *t, int key)
{
	(void)key;
	if (t->view != VIEW_RBLIST)
		t->view = VIEW_PANEL;
	lineedit_start(t, INPUT_FILTER);
}

static void k_command(struct tui *t, int key)
{
	(void)key;
	lineedit_start(t, INPUT_COMMAND);
}

/* s: next visible column (ascending, then descending, then the next column); S: off. */
static void k_sort(struct tui *t, int key)
{
	struct tab_state *ts = &t->tabs[t->tab];
	if (key == 'S' || !t->ncols_shown) {
		ts->sort_col = -1;
		tui_message(t, "panel order");
		return;
	}
	int pos = -1;
	for (int i = 0; i < t->ncols_shown; i++)
		if (t->shown_cols[i] == ts->sort_col)
			pos = i;
	if (pos >= 0 && !ts->sort_desc) {
		ts->sort_desc = 1;
	} else {
		pos = (pos + 1) % t->ncols_shown;
		ts->sort_col = t->shown_cols[pos];
		ts->sort_desc = 0;
	}
	tui_message(t, "sorted by column %d %s (s: next, S: panel order)", pos + 1, ts->sort_desc ? "descending" : "ascending");
}

#define P KS_PANELS
#define L KS_RBLIST
#define W KS_WALKER
#define R KS_REVIEW
#define RO KS_ROLLOUT
#define ALL KS_ALL

/* Bindings of a key are tried in order; the first whose scope holds the current view runs.
 * Help lists the labelled ones of the view it was opened from. */
static const struct key_binding keys[] = {
	{'?', ALL, "? F1", "help: the keys of this screen (any key closes it)", k_help},
	{KEY_F(1), ALL, NULL, NULL, k_help},
	{'q', P, "q F10", "quit", k_quit},
	{KEY_F(10), P, NULL, NULL, k_quit},
	{KEY_F(10), W | L, "F10", "quit opsdeck (a running step is cancelled; the run can be resumed)", k_quit},
	{'\t', ALL, "Tab", "next panel (Shift-Tab: previous)", k_tab},
	{KEY_BTAB, ALL, NULL, NULL, k_tab},
	{'1', P, "1-5", "go to panel 1-5", k_tab},
	{'2', P, NULL, NULL, k_tab}, {'3', P, NULL, NULL, k_tab}, {'4', P, NULL, NULL, k_tab}, {'5', P, NULL, NULL, k_tab},
	{'a', P | L, "a F2", "alerts: what fired when, and its runbook (Enter on one walks it)", k_alerts},
	{KEY_F(2), ALL, NULL, NULL, k_alerts},
	{'w', P | L, "w", "back to the open runbook (the walker)", k_walker},
	/* listed on help's command line (":journal [FILTER] (or J)"): 80x24 has no row to spare */
	{'J', P | L, NULL, NULL, k_review},
	{'t', P | L | W | R, "t F6", "the rollout tracker: each checklist's state and next check (:rollout)", tracker_k_toggle},
	{KEY_F(6), P | L | W | R, NULL, NULL, tracker_k_toggle},

	/* the walker */
	{KEY_UP, W, "j/k Up/Dn", "select a step (g/G: first/last)", walker_k_move},
	{'k', W, NULL, NULL, walker_k_move}, {KEY_DOWN, W, NULL, NULL, walker_k_move}, {'j', W, NULL, NULL, walker_k_move},
	{KEY_HOME, W, NULL, NULL, walker_k_move}, {'g', W, NULL, NULL, walker_k_move},
	{KEY_END, W, NULL, NULL, walker_k_move}, {'G', W, NULL, NULL, walker_k_move},
	{KEY_NPAGE, W, "PgDn/PgUp", "scroll the step's text and output (J/K: one line)", walker_k_scroll},
	{KEY_PPAGE, W, NULL, NULL, walker_k_scroll}, {'J', W, NULL, NULL, walker_k_scroll},
	{'K', W, NULL, NULL, walker_k_scroll},
	{'\n', W, "Enter", "run the selected step's checks (destructive: type its word back)", walker_k_run},
	{KEY_ENTER, W, NULL, NULL, walker_k_run}, {'\r', W, NULL, NULL, walker_k_run},
	{'p', W, "p", "pass: a step done by hand went well", walker_k_mark},
	{'f', W, "f", "fail: a step done by hand did not", walker_k_mark},
	{'s', W, "s", "skip the step (asks for the reason)", walker_k_mark},
	{'n', W, "n", "add a note to the selected step", walker_k_note},
	{'o', W, "o", "open a related runbook", walker_k_related},
	{'X', W, "X", "abandon the run (marked aborted in the journal)", walker_k_abandon},
	{'q', W, "q Esc", "back (Esc first cancels a running step); the run stays open", walker_k_back},
	{27, W, NULL, NULL, walker_k_back},

	/* the journal review: the list of runs, and one run */
	{KEY_UP, R, "j/k Up/Dn", "select a run (PgUp/PgDn, g/G); in a run: scroll", review_k_move},
	{'k', R, NULL, NULL, review_k_move}, {KEY_DOWN, R, NULL, NULL, review_k_move}, {'j', R, NULL, NULL, review_k_move},
	{KEY_PPAGE, R, NULL, NULL, review_k_move}, {KEY_NPAGE, R, NULL, NULL, review_k_move},
	{KEY_HOME, R, NULL, NULL, review_k_move}, {'g', R, NULL, NULL, review_k_move},
	{KEY_END, R, NULL, NULL, review_k_move}, {'G', R, NULL, NULL, review_k_move},
	{'J', R, NULL, NULL, review_k_move}, {'K', R, NULL, NULL, review_k_move},
	{'\n', R, "Enter", "the selected run: steps, baselines compared, output, sign-offs", review_k_enter},
	{KEY_ENTER, R, NULL, NULL, review_k_enter}, {'\r', R, NULL, NULL, review_k_enter},
	{'/', R, "/ F3", "filter as you type (ref, title, operator); :journal FIELD=VALUE for the rest", review_k_filter},
	{KEY_F(3), R, NULL, NULL, review_k_filter},
	{'x', R, "x", "clear the filter: every run", review_k_clear},
	{'S', R, "S", "sign the checklist run off: role, name, comment, a reason if steps failed", review_k_sign},
	{'C', R, "C", "correct the selected sign-off: a new one that refers to it", review_k_correct},
	{'[', R, "[ ]", "select the previous / next sign-off of the run", review_k_signoff_sel},
	{']', R, NULL, NULL, review_k_signoff_sel},
	{'r', R, "r F5", "read the journal again and verify its chain again", review_k_reload},
	{KEY_F(5), R, NULL, NULL, review_k_reload},
	{'q', R, "q Esc", "back: from a run to the list, from the list to the panels", review_k_back},
	{27, R, NULL, NULL, review_k_back},
	{KEY_F(10), R, "F10", "quit opsdeck", k_quit},

	/* the rollout tracker */
	{KEY_UP, RO, "j/k Up/Dn", "select a checklist (g/G: first/last)", tracker_k_move},
	{'k', RO, NULL, NULL, tracker_k_move}, {KEY_DOWN, RO, NULL, NULL, tracker_k_move}, {'j', RO, NULL, NULL, tracker_k_move},
	{KEY_HOME, RO, NULL, NULL, tracker_k_move}, {'g', RO, NULL, NULL, tracker_k_move},
	{KEY_END, RO, NULL, NULL, tracker_k_move}, {'G', RO, NULL, NULL, tracker_k_move},
	{KEY_PPAGE, RO, NULL, NULL, tracker_k_move}, {KEY_NPAGE, RO, NULL, NULL, tracker_k_move},
	{'\n', RO, "Enter", "open its run in the walker, or start one (an ended run: asks first)", tracker_k_enter},
	{KEY_ENTER, RO, NULL, NULL, tracker_k_enter}, {'\r', RO, NULL, NULL, tracker_k_enter},
	{'R', RO, "R", "record that the change was rolled back: type the checklist's ID, then why", tracker_k_rollback},
	{'r', RO, "r F5", "read the journal again (it is read on its own every 10 s)", tracker_k_reload},
	{KEY_F(5), RO, NULL, NULL, tracker_k_reload},
	{'J', RO, "J", "the journal review (S there signs a checklist run off)", k_review},
	{'q', RO, "q Esc t", "back to where you came from", tracker_k_back},
	{27, RO, NULL, NULL, tracker_k_back}, {'t', RO, NULL, NULL, tracker_k_back}, {KEY_F(6), RO, NULL, NULL, tracker_k_back},
	{KEY_F(10), RO, "F10", "quit opsdeck (a periodic check under way is cancelled, not recorded)", k_quit},

	/* the runbook list */
	{KEY_UP, L, "j/k Up/Dn", "select a runbook (PgUp/PgDn, g/G)", rblist_k_move},
	{'k', L, NULL, NULL, rblist_k_move}, {KEY_DOWN, L, NULL, NULL, rblist_k_move}, {'j', L, NULL, NULL, rblist_k_move},
	{KEY_PPAGE, L, NULL, NULL, rblist_k_move}, {KEY_NPAGE, L, NULL, NULL, rblist_k_move},
	{KEY_HOME, L, NULL, NULL, rblist_k_move}, {'g', L, NULL, NULL, rblist_k_move},
	{KEY_END, L, NULL, NULL, rblist_k_move}, {'G', L, NULL, NULL, rblist_k_move},
	{'\n', L, "Enter", "walk the selected runbook", rblist_k_open},
	{KEY_ENTER, L, NULL, NULL, rblist_k_open}, {'\r', L, NULL, NULL, rblist_k_open},
	{'q', L, "q Esc", "back to the panels", k_list_back},
	{27, L, NULL, NULL, k_list_back},

	/* the panels and the alerts */
	{KEY_UP, P, "j/k Up/Dn", "select a row (PgUp/PgDn: 10 rows, g/G Home/End: first/last)", k_move},
	{'k', P, NULL, NULL, k_move},
	{KEY_DOWN, P, NULL, NULL, k_move},
	{'j', P, NULL, NULL, k_move},
	{KEY_PPAGE, P, NULL, NULL, k_move}, {KEY_NPAGE, P, NULL, NULL, k_move},
	{KEY_HOME, P, NULL, NULL, k_move}, {'g', P, NULL, NULL, k_move},
	{KEY_END, P, NULL, NULL, k_move}, {'G', P, NULL, NULL, k_move},
	{'\n', P, "Enter", "details of the selected row; on an alert, walk its runbook", k_enter},
	{KEY_ENTER, P, NULL, NULL, k_enter},
	{'\r', P, NULL, NULL, k_enter},
	{27, P, "Esc", "back", k_back},
	{'/', P | L, "/ F3", "filter the rows (Esc cancels)", k_filter},
	{KEY_F(3), P | L, NULL, NULL, k_filter},
	{'s', P, "s F4", "sort by the next column (again: descending); S: panel order", k_sort},
	{KEY_F(4), P, NULL, NULL, k_sort},
	{'S', P, NULL, NULL, k_sort},
	{':', ALL, ":", "command line (Up/Down: history); :rb N walks runbook N, :rb lists them", k_command},
	{'r', P | L | W, "r F5", "refresh the panels now", k_refresh},
	{KEY_F(5), P | L | W, NULL, NULL, k_refresh},
	{' ', ALL, "Space", "pause / resume refreshing", k_pause},
	{'+', P, "+/-", "refresh slower / faster", k_rate},
	{'-', P, NULL, NULL, k_rate},
};

const struct key_binding *tui_keys(int *n)
{
	*n = (int)ARRAY_LEN(keys);
	return keys;
}
