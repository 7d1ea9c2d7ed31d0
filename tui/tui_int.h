/* Console internals shared by the tui/ files. */
#ifndef OD_TUI_INT_H
#define OD_TUI_INT_H

#include <event2/event.h>

#include "src/app.h"
#include "src/cli.h"

enum view { VIEW_PANEL, VIEW_DETAIL, VIEW_HELP, VIEW_ALERTS, VIEW_ALERT_DETAIL };
enum input_mode { INPUT_NONE, INPUT_FILTER, INPUT_COMMAND };

#define TUI_MAX_TABS 16
#define TUI_HISTORY 32

struct tab_state {
	int sel;          /* selected row, in display order */
	char filter[128]; /* rows containing this text (case-insensitive); "" = all */
	int sort_col;     /* -1 = the panel's own order */
	int sort_desc;
};

struct tui {
	struct app *app;
	struct config *cfg;
	struct cli *cli;
	struct event_base *base;
	struct journal *journal; /* NULL when it could not be opened: monitoring goes on */
	struct event *input, *winch, *redraw, *clock, *sigs[3];
	int tab; /* index into app->panels */
	struct tab_state tabs[TUI_MAX_TABS];
	int alert_sel;
	enum view view;
	enum input_mode input_mode;
	char line[128]; /* the filter or command being typed */
	char *history[TUI_HISTORY];
	int nhistory, history_pos;
	int dirty, quit;
	char message[160];
	int64_t message_until;
	int ncols_shown; /* columns drawn in the current table (for sort cycling) */
	int shown_cols[32];
};

struct key_binding {
	int key;
	const char *label; /* as shown in help: "q", "Tab", "Enter" */
	const char *help;
	void (*fn)(struct tui *t, int key);
};

const struct key_binding *tui_keys(int *n);
void tui_draw(struct tui *t);
void tui_message(struct tui *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* The line editor for '/' and ':'; returns 1 when it consumed the key. */
int lineedit_key(struct tui *t, int ch);
void lineedit_start(struct tui *t, enum input_mode mode);
/* Runs one ':' command line. */
void command_run(struct tui *t, const char *line);
/* Switches to another environment of the config file (":env NAME"). */
int tui_switch_env(struct tui *t, const char *env);

/* The current tab's rows in display order (filtered, sorted): indexes into tb->rows. */
int tui_row_order(struct tui *t, const struct table *tb, int *order, int max);

void alerts_view_draw(struct tui *t, int top, int bottom);
void alerts_view_detail(struct tui *t, int top, int bottom);
int alerts_view_count(struct tui *t);

#endif
