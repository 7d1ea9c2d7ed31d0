/* The input line: '/' filters the current table, ':' runs a command (with history), and
 * the walker's questions (an input, a reason, a confirmation word, y/n) are answered here. */
#include <ctype.h>
#include <curses.h>
#include <stdlib.h>
#include <string.h>

#include "tui/review.h"
#include "tui/tracker.h"
#include "tui/tui_int.h"
#include "tui/walker.h"

/* The filter being typed: the runbook list's, or the current panel's. */
static char *filter_of(struct tui *t, size_t *n)
{
	if (t->view == VIEW_RBLIST) {
		*n = sizeof(t->rb_filter);
		return t->rb_filter;
	}
	if (t->view == VIEW_REVIEW && t->review)
		return review_filter_text(t, n);
	*n = sizeof(t->tabs[t->tab].filter);
	return t->tabs[t->tab].filter;
}

void lineedit_start(struct tui *t, enum input_mode mode)
{
	size_t n;
	t->input_mode = mode;
	t->line[0] = '\0';
	if (mode == INPUT_FILTER)
		snprintf(t->line, sizeof(t->line), "%s", filter_of(t, &n));
	t->history_pos = t->nhistory;
}

void prompt_line(struct tui *t, const char *label, int secret, void (*done)(struct tui *t, const char *text),
		 void (*cancel)(struct tui *t))
{
	snprintf(t->prompt.label, sizeof(t->prompt.label), "%s", label);
	t->prompt.secret = secret;
	t->prompt.done = done;
	t->prompt.key = NULL;
	t->prompt.cancel = cancel;
	t->input_mode = INPUT_PROMPT;
	t->line[0] = '\0';
}

void prompt_key(struct tui *t, const char *question, int (*key)(struct tui *t, int ch), void (*cancel)(struct tui *t))
{
	snprintf(t->prompt.label, sizeof(t->prompt.label), "%s", question);
	t->prompt.secret = 0;
	t->prompt.done = NULL;
	t->prompt.key = key;
	t->prompt.cancel = cancel;
	t->input_mode = INPUT_ASK;
	t->line[0] = '\0';
}

/* Esc on a question: its cancel() may ask another one. */
static void prompt_cancel(struct tui *t)
{
	void (*cancel)(struct tui *t) = t->prompt.cancel;
	t->input_mode = INPUT_NONE;
	if (cancel)
		cancel(t);
}

static void remember(struct tui *t, const char *line)
{
	if (!*line || (t->nhistory && !strcmp(t->history[t->nhistory - 1], line)))
		return;
	if (t->nhistory == TUI_HISTORY) {
		free(t->history[0]);
		memmove(t->history, t->history + 1, sizeof(char *) * (TUI_HISTORY - 1));
		t->nhistory--;
	}
	t->history[t->nhistory++] = xstrdup(line);
}

static void browse(struct tui *t, int dir)
{
	int pos = t->history_pos + dir;
	if (pos < 0 || pos > t->nhistory)
		return;
	t->history_pos = pos;
	snprintf(t->line, sizeof(t->line), "%s", pos < t->nhistory ? t->history[pos] : "");
}

static void finish(struct tui *t)
{
	enum input_mode mode = t->input_mode;
	size_t n;
	t->input_mode = INPUT_NONE;
	if (mode == INPUT_PROMPT) { /* done() may ask again: it gets a copy of the answer */
		char *answer = xstrdup(t->line);
		t->line[0] = '\0';
		t->prompt.done(t, answer);
		free(answer);
		return;
	}
	if (mode == INPUT_FILTER) {
		char *f = filter_of(t, &n);
		snprintf(f, n, "%.127s", t->line); /* filters are short */
		if (t->view == VIEW_RBLIST)
			t->rb_sel = 0;
		else if (t->view == VIEW_REVIEW)
			review_filter_typed(t);
		else
			t->tabs[t->tab].sel = 0;
		if (*t->line)
			tui_message(t, "filter: rows containing \"%s\" (/ then Enter on an empty line clears)", t->line);
		return;
	}
	char line[sizeof(t->line)];
	snprintf(line, sizeof(line), "%s", t->line);
	remember(t, line);
	command_run(t, line);
}

int lineedit_key(struct tui *t, int ch)
{
	size_t len = strlen(t->line), n;
	if (t->input_mode == INPUT_NONE)
		return 0;
	if (t->input_mode == INPUT_ASK) {
		if (ch == 27)
			prompt_cancel(t);
		else if (ch != KEY_RESIZE && t->prompt.key) {
			int (*key)(struct tui *t, int ch) = t->prompt.key;
			t->input_mode = INPUT_NONE; /* key() may ask again */
			if (!key(t, ch) && t->input_mode == INPUT_NONE)
				t->input_mode = INPUT_ASK; /* not an answer: still asking */
		}
		return 1;
	}
	switch (ch) {
	case 27:
		if (t->input_mode == INPUT_PROMPT)
			prompt_cancel(t);
		else
			t->input_mode = INPUT_NONE;
		return 1;
	case '\n':
	case '\r':
	case KEY_ENTER:
		finish(t);
		return 1;
	case KEY_BACKSPACE:
	case 127:
	case 8:
		while (len > 1 && ((unsigned char)t->line[len - 1] & 0xc0) == 0x80)
			len--; /* a whole UTF-8 character */
		if (len)
			t->line[len - 1] = '\0';
		else if (t->input_mode != INPUT_PROMPT) /* a question is left with Esc only */
			t->input_mode = INPUT_NONE;
		break;
	case KEY_UP:
		if (t->input_mode == INPUT_COMMAND)
			browse(t, -1);
		break;
	case KEY_DOWN:
		if (t->input_mode == INPUT_COMMAND)
			browse(t, 1);
		break;
	default:
		/* answers may be UTF-8 (a note): its bytes arrive one by one */
		if (((ch >= 32 && ch < 127) || (t->input_mode == INPUT_PROMPT && ch >= 0x80 && ch <= 0xff)) &&
		    len + 1 < sizeof(t->line)) {
			t->line[len] = (char)ch;
			t->line[len + 1] = '\0';
		}
		break;
	}
	if (t->input_mode == INPUT_FILTER) { /* filter as you type */
		char *f = filter_of(t, &n);
		snprintf(f, n, "%.127s", t->line);
		review_filter_typed(t); /* the review reads the journal again; others filter when drawn */
	}
	return 1;
}

static const char *word(char **p)
{
	while (isspace((unsigned char)**p))
		(*p)++;
	if (!**p)
		return NULL;
	char *start = *p;
	while (**p && !isspace((unsigned char)**p))
		(*p)++;
	if (**p)
		*(*p)++ = '\0';
	return start;
}

static int find_tab(struct tui *t, const char *name)
{
	for (int i = 0; i < t->app->npanels; i++)
		if (!strcasecmp(t->app->panels[i]->cls->name, name) || !strcasecmp(t->app->panels[i]->cls->title, name))
			return i;
	return -1;
}

/* :rb [N]: the library, or runbook N in the walker. */
static void command_rb(struct tui *t, const char *arg)
{
	if (!arg)
		rblist_open(t);
	else
		walker_open(t, arg);
}

void command_run(struct tui *t, const char *text)
{
	char buf[sizeof(t->line)];
	snprintf(buf, sizeof(buf), "%s", text);
	char *p = buf;
	const char *cmd = word(&p), *arg = word(&p);
	double ms;
	int tab;
	if (!cmd)
		return;
	if (!strcmp(cmd, "q") || !strcmp(cmd, "quit")) {
		t->quit = 1;
	} else if (!strcmp(cmd, "env")) {
		if (!arg) {
			struct sbuf sb = {0};
			for (int i = 0; i < t->cfg->n_envs; i++)
				sbuf_addf(&sb, "%s%s", i ? ", " : "", t->cfg->envs[i]);
			tui_message(t, "environments: %s (now %s); :env NAME switches", sb.buf ? sb.buf : "", t->cfg->env);
			sbuf_done(&sb);
		} else {
			tui_switch_env(t, arg);
		}
	} else if (!strcmp(cmd, "refresh")) {
		if (!arg) {
			app_poll_now(t->app);
			tui_message(t, "refreshing now");
		} else if (parse_duration_ms(arg, &ms) == 0 && ms >= 250 && ms <= 3600000) {
			app_set_refresh(t->app, ms);
			tui_message(t, "refresh every %s", arg);
		} else {
			tui_message(t, ":refresh %s: expected a duration from 250ms to 1h, such as 2s", arg);
		}
	} else if (!strcmp(cmd, "rb") || !strcmp(cmd, "runbook") || !strcmp(cmd, "runbooks")) {
		command_rb(t, arg);
	} else if (!strcmp(cmd, "journal") || !strcmp(cmd, "review")) {
		review_open(t, text + (cmd - buf) + strlen(cmd)); /* the rest of the line is the filter */
	} else if (!strcmp(cmd, "rollout") || !strcmp(cmd, "tracker")) {
		tracker_open(t);
	} else if (!strcmp(cmd, "alerts") || !strcmp(cmd, "a")) {
		t->view = VIEW_ALERTS;
	} else if (!strcmp(cmd, "help") || !strcmp(cmd, "?")) {
		if (t->view != VIEW_HELP)
			t->help_from = t->view;
		t->view = VIEW_HELP;
	} else if ((tab = find_tab(t, cmd)) >= 0) {
		t->tab = tab;
		t->view = VIEW_PANEL;
	} else if (!strcmp(cmd, "filter")) {
		size_t n;
		char *f = filter_of(t, &n);
		snprintf(f, n, "%s", arg ? arg : "");
		review_filter_typed(t);
	} else {
		tui_message(t, "unknown command :%s (commands: rb [N], journal [FILTER], rollout, env NAME, refresh [DUR], alerts, "
			       "help, quit, replicas, pools, cache, ratelimits, partitions, filter TEXT)", cmd);
	}
}
