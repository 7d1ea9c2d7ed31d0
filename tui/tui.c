/* Console main loop: one libevent loop drives the connectors, the keyboard, signals and
 * redraws. Nothing here waits on the network, so keys are always answered. */
#include <curses.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "src/setup.h"
#include "store/journal.h"
#include "tui/theme.h"
#include "tui/tui.h"
#include "tui/tui_int.h"
#include "tui/review.h"
#include "tui/tracker.h"
#include "tui/walker.h"

static int curses_on;
static int saved_stderr = -1;
static FILE *captured_stderr;

static void restore_terminal(void)
{
	if (curses_on) {
		endwin();
		curses_on = 0;
	}
	if (saved_stderr >= 0) {
		fflush(stderr);
		dup2(saved_stderr, STDERR_FILENO);
		close(saved_stderr);
		saved_stderr = -1;
	}
}

/* libpq and libcurl may write to stderr; while curses owns the screen, keep it aside
 * and show it after endwin(). */
static void capture_stderr(void)
{
	captured_stderr = tmpfile();
	if (!captured_stderr)
		return;
	fflush(stderr);
	saved_stderr = dup(STDERR_FILENO);
	dup2(fileno(captured_stderr), STDERR_FILENO);
}

static void replay_stderr(void)
{
	if (!captured_stderr)
		return;
	char buf[4096];
	size_t n;
	rewind(captured_stderr);
	while ((n = fread(buf, 1, sizeof(buf), captured_stderr)) > 0)
		fwrite(buf, 1, n, stderr);
	fclose(captured_stderr);
	captured_stderr = NULL;
}

/* Messages carry text from servers and probes: one line, no control characters. */
static void flatten(char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			*s = ' ';
}

void tui_message(struct tui *t, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(t->message, sizeof(t->message), fmt, ap);
	va_end(ap);
	flatten(t->message);
	t->message_crit = 0;
	t->message_until = now_mono_ms() + 4000; /* key handlers are followed by a redraw */
}

void tui_alert(struct tui *t, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(t->message, sizeof(t->message), fmt, ap);
	va_end(ap);
	flatten(t->message);
	t->message_crit = 1;
	t->message_until = now_mono_ms() + 8000; /* a refusal stays long enough to be read */
}

static void schedule_redraw(struct tui *t)
{
	if (!t->dirty) {
		t->dirty = 1;
		event_active(t->redraw, EV_TIMEOUT, 0);
	}
}

void tui_dirty(struct tui *t) { schedule_redraw(t); }

static unsigned scope_of(enum view v)
{
	switch (v) {
	case VIEW_WALKER: return KS_WALKER;
	case VIEW_RBLIST: return KS_RBLIST;
	case VIEW_REVIEW:
	case VIEW_REVIEW_RUN: return KS_REVIEW;
	case VIEW_ROLLOUT: return KS_ROLLOUT;
	case VIEW_PANEL:
	case VIEW_DETAIL:
	case VIEW_HELP:
	case VIEW_ALERTS:
	case VIEW_ALERT_DETAIL: break;
	}
	return KS_PANELS;
}

unsigned tui_scope(const struct tui *t) { return scope_of(t->view == VIEW_HELP ? t->help_from : t->view); }

/* Results arrive source by source, and a frame for each was most of the console's CPU and
 * of its terminal output. New data draws when the refresh's results are all in, or
 * SETTLE_MS after the first change not yet on screen, whichever comes first: a frozen source
 * holds the others' data back no longer than that. Keys, resizes and tui_dirty() draw at
 * once. For a moment after start every result draws, so that the first complete frame does
 * not wait for a source that never answers. */
#define SETTLE_MS 250
#define EAGER_MS 1000

static void on_app_change(void *arg)
{
	struct tui *t = arg;
	if (!app_busy(t->app) || now_mono_ms() < t->eager_until) {
		schedule_redraw(t);
	} else if (!evtimer_pending(t->settle, NULL)) {
		struct timeval tv = {0, SETTLE_MS * 1000};
		evtimer_add(t->settle, &tv);
	}
}

static void redraw_timer_cb(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	schedule_redraw(arg);
}

/* Data turns stale (dimmed, "stale") app_stale_after_ms() after its source last answered:
 * a frame at that moment says so at once, not at the next tick of the clock. */
static void arm_stale(struct tui *t)
{
	struct app_source src[64];
	int n = app_sources(t->app, src, 64);
	int64_t now = now_mono_ms(), next = 0, after = (int64_t)app_stale_after_ms(t->app) + 5;
	for (int i = 0; i < n; i++) {
		if (!src[i].st || !src[i].st->last_ok_mono)
			continue;
		int64_t at = src[i].st->last_ok_mono + after;
		if (at > now && (!next || at < next))
			next = at;
	}
	if (!next) {
		evtimer_del(t->stale);
		return;
	}
	struct timeval tv = {(time_t)((next - now) / 1000), (suseconds_t)((next - now) % 1000) * 1000};
	evtimer_add(t->stale, &tv);
}

static void redraw_cb(evutil_socket_t fd, short what, void *arg)
{
	struct tui *t = arg;
	(void)fd;
	(void)what;
	if (t->quit) {
		event_base_loopbreak(t->base);
		return;
	}
	tui_draw(t);
	t->dirty = 0;
	t->drawn_sec = now_wall_ms() / 1000;
	evtimer_del(t->settle); /* what it waited for is on screen */
	arm_stale(t);
}

static void dispatch_key(struct tui *t, int ch)
{
	int n;
	const struct key_binding *k = tui_keys(&n);
	if (ch == KEY_RESIZE)
		return;
	if (lineedit_key(t, ch))
		return;
	if (t->view == VIEW_HELP && ch != 'q' && ch != KEY_F(10) && ch != KEY_RESIZE) {
		t->view = t->help_from; /* any key closes help */
		return;
	}
	unsigned scope = tui_scope(t);
	if (t->view == VIEW_HELP) /* q or F10: close help, then as in the view it was opened from */
		t->view = t->help_from;
	for (int i = 0; i < n; i++)
		if (k[i].key == ch && (k[i].scope & scope)) {
			k[i].fn(t, ch);
			return;
		}
	if (ch != KEY_RESIZE && ch != ERR)
		tui_message(t, "key not bound: press ? for the list of keys");
}

static void input_cb(evutil_socket_t fd, short what, void *arg)
{
	struct tui *t = arg;
	int ch;
	(void)fd;
	(void)what;
	while ((ch = getch()) != ERR) {
		enum view before = t->view;
		dispatch_key(t, ch);
		if (t->view == VIEW_ROLLOUT && before != VIEW_ROLLOUT && before != VIEW_HELP)
			tracker_shown(t); /* back from the walker: what it recorded shows */
		if (t->quit)
			break;
	}
	if (t->quit)
		event_base_loopbreak(t->base);
	else
		schedule_redraw(t);
}

static void winch_cb(evutil_socket_t fd, short what, void *arg)
{
	struct tui *t = arg;
	struct winsize ws;
	(void)fd;
	(void)what;
	if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_row > 0 && ws.ws_col > 0)
		resizeterm(ws.ws_row, ws.ws_col);
	clearok(curscr, TRUE);
	schedule_redraw(t);
}

static void quit_signal_cb(evutil_socket_t sig, short what, void *arg)
{
	struct tui *t = arg;
	(void)what;
	if (sig == SIGINT && walker_busy(t)) { /* Ctrl-C stops the running step, not the console */
		walker_cancel(t);
		schedule_redraw(t);
		return;
	}
	t->quit = 1;
	event_base_loopbreak(t->base);
}

/* The clock, data ages and staleness move between refreshes: redraw just after every
 * wall-clock second, when the clock on screen turns with the real one. Everything that
 * moves with time is shown in whole seconds or coarser (fmt_age), so nothing else needs it.
 * Refreshes start on the second too (app.c): when one is in flight, the clock waits up to
 * CLOCK_WAIT_MS for its frame, which shows the new second, instead of drawing one more. */
#define CLOCK_WAIT_MS 50

static void arm_clock(struct tui *t)
{
	int64_t ms = 1000 - now_wall_ms() % 1000 + 5;
	struct timeval tv = {(time_t)(ms / 1000), (suseconds_t)(ms % 1000) * 1000};
	t->clock_waited = 0;
	event_add(t->clock, &tv);
}

static void clock_cb(evutil_socket_t fd, short what, void *arg)
{
	struct tui *t = arg;
	(void)fd;
	(void)what;
	if (t->drawn_sec != now_wall_ms() / 1000) { /* this second is not on screen yet */
		if (!t->clock_waited && app_busy(t->app)) {
			struct timeval tv = {0, CLOCK_WAIT_MS * 1000};
			t->clock_waited = 1;
			event_add(t->clock, &tv);
			return;
		}
		schedule_redraw(t);
	}
	arm_clock(t);
}

static void start_curses(void)
{
	initscr();
	curses_on = 1;
	util_set_fatal_hook(restore_terminal);
	cbreak();
	noecho();
	nonl();
	keypad(stdscr, TRUE);
	nodelay(stdscr, TRUE);
	set_escdelay(25);
	typeahead(-1); /* input is read by the event loop: never let pending keys hold back output */
	curs_set(0);
	leaveok(stdscr, TRUE); /* the cursor is hidden: no move back to it ending every frame */
	theme_init();
}

static void add_events(struct tui *t)
{
	static const int quit_sigs[] = {SIGTERM, SIGHUP, SIGINT};
	t->input = event_new(t->base, STDIN_FILENO, EV_READ | EV_PERSIST, input_cb, t);
	t->winch = evsignal_new(t->base, SIGWINCH, winch_cb, t);
	t->redraw = event_new(t->base, -1, 0, redraw_cb, t);
	t->clock = event_new(t->base, -1, 0, clock_cb, t);
	t->settle = evtimer_new(t->base, redraw_timer_cb, t);
	t->stale = evtimer_new(t->base, redraw_timer_cb, t);
	event_add(t->input, NULL);
	event_add(t->winch, NULL);
	arm_clock(t);
	for (size_t i = 0; i < ARRAY_LEN(quit_sigs); i++) {
		t->sigs[i] = evsignal_new(t->base, quit_sigs[i], quit_signal_cb, t);
		event_add(t->sigs[i], NULL);
	}
}

static void free_events(struct tui *t)
{
	event_free(t->input);
	event_free(t->winch);
	event_free(t->redraw);
	event_free(t->clock);
	event_free(t->settle);
	event_free(t->stale);
	for (size_t i = 0; i < ARRAY_LEN(t->sigs); i++)
		event_free(t->sigs[i]);
}

/* The journal is opened (created on first use) for samples and, later, runs. If it cannot
 * be, the console says so and keeps monitoring: nothing is shown as recorded. */
static void open_journal(struct tui *t)
{
	char *err = NULL;
	char *path = t->cli->journal_path ? xstrdup(t->cli->journal_path) : journal_default_path();
	if (journal_open(&t->journal, path, &err) < 0) {
		t->journal = NULL;
		snprintf(t->app->journal_error, sizeof(t->app->journal_error), "%s", err ? err : "cannot open the journal");
	} else {
		app_set_journal(t->app, t->journal);
	}
	free(err);
	free(path);
}

int tui_switch_env(struct tui *t, const char *env)
{
	if (walker_busy(t)) {
		tui_alert(t, "a runbook step is running in %s: wait for it (or Esc in the walker cancels it), then switch",
			  t->cfg->env);
		return -1;
	}
	if (monitor_busy(t)) {
		tui_alert(t, "a periodic check is running in %s: switch when it has finished", t->cfg->env);
		return -1;
	}
	struct config *fresh = xcalloc(1, sizeof(*fresh));
	char *err = NULL;
	if (config_load(fresh, t->cfg->path, env, &err) < 0) {
		tui_message(t, "%s", err ? err : "cannot switch environment");
		free(err);
		config_done(fresh);
		free(fresh);
		return -1;
	}
	walker_close(t); /* its run belongs to the old environment: it stays open there, resumable */
	rblist_free(t);  /* unfinished runs are per environment */
	app_free(t->app); /* closes every connection of the old environment */
	config_done(t->cfg);
	free(t->cfg);
	t->cfg = fresh;
	t->app = app_new(fresh, t->base);
	t->app->on_change = on_app_change;
	t->app->on_change_arg = t;
	memset(t->tabs, 0, sizeof(t->tabs));
	for (int i = 0; i < TUI_MAX_TABS; i++)
		t->tabs[i].sort_col = -1;
	t->view = VIEW_PANEL;
	app_set_journal(t->app, t->journal);
	t->eager_until = now_mono_ms() + EAGER_MS;
	app_start(t->app);
	if (t->tracker)
		tracker_refresh(t); /* the tracker and the scheduler follow the environment */
	monitor_wake_soon(t);
	tui_message(t, "environment %s", fresh->env);
	return 0;
}

int tui_main(struct cli *cli)
{
	struct tui t = {0};
	t.cfg = xcalloc(1, sizeof(*t.cfg));
	int rc = setup_config(cli, t.cfg);
	if (rc) {
		free(t.cfg);
		return rc;
	}
	const char *start = cli->start ? cli->start : t.cfg->sopt[OPT_START];
	if (start && strcmp(start, "panels") && strcmp(start, "rollout")) {
		fprintf(stderr, "opsdeck: --start %s: expected panels or rollout\n", start);
		config_done(t.cfg);
		free(t.cfg);
		return EXIT_USAGE;
	}
	if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO)) {
		fprintf(stderr, "opsdeck: the console needs a terminal; for scripts use 'opsdeck snapshot --json'\n");
		config_done(t.cfg);
		free(t.cfg);
		return EXIT_USAGE;
	}
	signal(SIGPIPE, SIG_IGN);
	for (int i = 0; i < TUI_MAX_TABS; i++)
		t.tabs[i].sort_col = -1;
	t.cli = cli;
	t.base = event_base_new();
	t.app = app_new(t.cfg, t.base);
	t.app->on_change = on_app_change;
	t.app->on_change_arg = &t;
	open_journal(&t);
	capture_stderr();
	start_curses();
	add_events(&t);
	if (start && !strcmp(start, "rollout"))
		tracker_open(&t); /* what the on-call engineer opens first */
	monitor_start(&t);
	tui_draw(&t);
	t.eager_until = now_mono_ms() + EAGER_MS;
	app_start(t.app);
	event_base_dispatch(t.base);
	restore_terminal();
	replay_stderr();
	if (walker_busy(&t))
		fprintf(stderr, "opsdeck: stopping %s's running step (its result is not recorded; the run can be resumed)\n",
			walker_label(&t));
	walker_free(&t); /* a running step is cancelled and waited for */
	rblist_free(&t);
	review_free(&t); /* stops a verify still running */
	if (monitor_busy(&t))
		fprintf(stderr, "opsdeck: stopping the periodic check under way (its result is not recorded)\n");
	tracker_free(&t); /* a check under way is cancelled and waited for */
	free_events(&t);
	app_free(t.app);
	if (t.journal)
		journal_close(t.journal);
	event_base_free(t.base);
	config_done(t.cfg);
	free(t.cfg);
	for (int i = 0; i < t.nhistory; i++)
		free(t.history[i]);
	return EXIT_OK;
}
