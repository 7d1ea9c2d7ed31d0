/* One table from key to action; actions change state, the loop redraws. */
#include <curses.h>

#include "tui/tui_int.h"

static int in_alerts(const struct tui *t) { return t->view == VIEW_ALERTS || t->view == VIEW_ALERT_DETAIL; }

static void k_quit(struct tui *t, int key)
{
	(void)key;
	t->quit = 1;
}

static void k_help(struct tui *t, int key)
{
	(void)key;
	t->view = t->view == VIEW_HELP ? VIEW_PANEL : VIEW_HELP;
}

static void k_back(struct tui *t, int key)
{
	(void)key;
	t->view = t->view == VIEW_ALERT_DETAIL ? VIEW_ALERTS : VIEW_PANEL;
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
	case VIEW_ALERT_DETAIL: t->view = VIEW_ALERTS; break;
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

static const struct key_binding keys[] = {
	{'?', "? F1", "help: this screen (any key closes it)", k_help},
	{KEY_F(1), NULL, NULL, k_help},
	{'q', "q F10", "quit", k_quit},
	{KEY_F(10), NULL, NULL, k_quit},
	{'\t', "Tab", "next panel (Shift-Tab: previous)", k_tab},
	{KEY_BTAB, NULL, NULL, k_tab},
	{'1', "1-5", "go to panel 1-5", k_tab},
	{'2', NULL, NULL, k_tab}, {'3', NULL, NULL, k_tab}, {'4', NULL, NULL, k_tab}, {'5', NULL, NULL, k_tab},
	{'a', "a F2", "alerts: what fired when, and its runbook", k_alerts},
	{KEY_F(2), NULL, NULL, k_alerts},
	{KEY_UP, "j/k Up/Dn", "select a row (PgUp/PgDn: 10 rows, g/G Home/End: first/last)", k_move},
	{'k', NULL, NULL, k_move},
	{KEY_DOWN, NULL, NULL, k_move},
	{'j', NULL, NULL, k_move},
	{KEY_PPAGE, NULL, NULL, k_move}, {KEY_NPAGE, NULL, NULL, k_move},
	{KEY_HOME, NULL, NULL, k_move}, {'g', NULL, NULL, k_move},
	{KEY_END, NULL, NULL, k_move}, {'G', NULL, NULL, k_move},
	{'\n', "Enter", "details of the selected row (Enter/Esc: back)", k_enter},
	{KEY_ENTER, NULL, NULL, k_enter},
	{'\r', NULL, NULL, k_enter},
	{27, "Esc", "back", k_back},
	{'/', "/ F3", "filter the rows (Esc cancels)", k_filter},
	{KEY_F(3), NULL, NULL, k_filter},
	{'s', "s F4", "sort by the next column (again: descending); S: panel order", k_sort},
	{KEY_F(4), NULL, NULL, k_sort},
	{'S', NULL, NULL, k_sort},
	{':', ":", "command line (Up/Down: history)", k_command},
	{'r', "r F5", "refresh now", k_refresh},
	{KEY_F(5), NULL, NULL, k_refresh},
	{' ', "Space", "pause / resume refreshing", k_pause},
	{'+', "+/-", "refresh slower / faster", k_rate},
	{'-', NULL, NULL, k_rate},
};

const struct key_binding *tui_keys(int *n)
{
	*n = (int)ARRAY_LEN(keys);
	return keys;
}
