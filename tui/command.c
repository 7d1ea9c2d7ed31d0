/* The input line: '/' filters the current table, ':' runs a command (with history). */
#include <ctype.h>
#include <curses.h>
#include <stdlib.h>
#include <string.h>

#include "tui/tui_int.h"

void lineedit_start(struct tui *t, enum input_mode mode)
{
	t->input_mode = mode;
	t->line[0] = '\0';
	if (mode == INPUT_FILTER)
		snprintf(t->line, sizeof(t->line), "%s", t->tabs[t->tab].filter);
	t->history_pos = t->nhistory;
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
	t->input_mode = INPUT_NONE;
	if (mode == INPUT_FILTER) {
		snprintf(t->tabs[t->tab].filter, sizeof(t->tabs[t->tab].filter), "%s", t->line);
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
	size_t len = strlen(t->line);
	if (t->input_mode == INPUT_NONE)
		return 0;
	switch (ch) {
	case 27:
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
		if (len)
			t->line[len - 1] = '\0';
		else
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
		if (ch >= 32 && ch < 127 && len + 1 < sizeof(t->line)) {
			t->line[len] = (char)ch;
			t->line[len + 1] = '\0';
		}
		break;
	}
	if (t->input_mode == INPUT_FILTER) /* filter as you type */
		snprintf(t->tabs[t->tab].filter, sizeof(t->tabs[t->tab].filter), "%s", t->line);
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

void command_run(struct tui *t, const char *text)
{
	char buf[128];
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
	} else if (!strcmp(cmd, "alerts") || !strcmp(cmd, "a")) {
		t->view = VIEW_ALERTS;
	} else if (!strcmp(cmd, "help") || !strcmp(cmd, "?")) {
		t->view = VIEW_HELP;
	} else if ((tab = find_tab(t, cmd)) >= 0) {
		t->tab = tab;
		t->view = VIEW_PANEL;
	} else if (!strcmp(cmd, "filter")) {
		snprintf(t->tabs[t->tab].filter, sizeof(t->tabs[t->tab].filter), "%s", arg ? arg : "");
	} else {
		tui_message(t, "unknown command :%s (commands: env NAME, refresh [DUR], alerts, help, quit, "
			       "replicas, pools, cache, ratelimits, partitions, filter TEXT)", cmd);
	}
}
