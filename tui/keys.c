/* One table from key to action; actions change state and mark the screen dirty. */
#include <curses.h>

#include "tui/tui_int.h"

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
	t->view = VIEW_PANEL;
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
	int *sel = &t->sel[t->tab];
	if (key == KEY_UP || key == 'k')
		(*sel)--;
	else if (key == KEY_DOWN || key == 'j')
		(*sel)++;
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
	if (t->view == VIEW_PANEL)
		t->view = VIEW_DETAIL;
	else
		t->view = VIEW_PANEL;
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

static const struct key_binding keys[] = {
	{'?', "?", "help: this screen (any key closes it)", k_help},
	{KEY_F(1), "F1", "help", k_help},
	{'q', "q", "quit", k_quit},
	{KEY_F(10), "F10", "quit", k_quit},
	{'\t', "Tab", "next panel (Shift-Tab: previous)", k_tab},
	{KEY_BTAB, NULL, NULL, k_tab},
	{'1', "1-5", "go to panel 1-5", k_tab},
	{'2', NULL, NULL, k_tab}, {'3', NULL, NULL, k_tab}, {'4', NULL, NULL, k_tab}, {'5', NULL, NULL, k_tab},
	{KEY_UP, "Up/k", "select the previous row", k_move},
	{'k', NULL, NULL, k_move},
	{KEY_DOWN, "Down/j", "select the next row", k_move},
	{'j', NULL, NULL, k_move},
	{KEY_HOME, "Home/g", "first row", k_move}, {'g', NULL, NULL, k_move},
	{KEY_END, "End/G", "last row", k_move}, {'G', NULL, NULL, k_move},
	{'\n', "Enter", "details of the selected row (Enter/Esc: back)", k_enter},
	{KEY_ENTER, NULL, NULL, k_enter},
	{'\r', NULL, NULL, k_enter},
	{27, "Esc", "back", k_back},
	{'r', "r", "refresh now", k_refresh},
	{KEY_F(5), "F5", "refresh now", k_refresh},
	{' ', "Space", "pause / resume refreshing", k_pause},
	{'+', "+/-", "refresh slower / faster", k_rate},
	{'-', NULL, NULL, k_rate},
};

const struct key_binding *tui_keys(int *n)
{
	*n = (int)ARRAY_LEN(keys);
	return keys;
}
