/* Console internals shared by the tui/ files. */
#ifndef OD_TUI_INT_H
#define OD_TUI_INT_H

#include <event2/event.h>

#include "src/app.h"
#include "src/cli.h"

enum view { VIEW_PANEL, VIEW_DETAIL, VIEW_HELP, VIEW_ALERTS, VIEW_ALERT_DETAIL, VIEW_RBLIST, VIEW_WALKER,
	    VIEW_REVIEW, VIEW_REVIEW_RUN /* the journal review: its list, one run (tui/review.h) */,
	    VIEW_ROLLOUT /* the rollout tracker (tui/tracker.h) */ };
/* PROMPT: a question answered with a line (an input, a reason); ASK: answered with one key. */
enum input_mode { INPUT_NONE, INPUT_FILTER, INPUT_COMMAND, INPUT_PROMPT, INPUT_ASK };
/* Where a key binding works: the panels (and alerts), the runbook list, the walker, the
 * journal review, the rollout tracker. */
enum key_scope { KS_PANELS = 1, KS_RBLIST = 2, KS_WALKER = 4, KS_REVIEW = 8, KS_ROLLOUT = 16, KS_ALL = 31 };

#define TUI_MAX_TABS 16
#define TUI_HISTORY 32

struct tab_state {
	int sel;          /* selected row, in display order */
	char filter[128]; /* rows containing this text (case-insensitive); "" = all */
	int sort_col;     /* -1 = the panel's own order */
	int sort_desc;
};

struct tui;
struct walker;
struct rblist;
struct review;
struct tracker;

/* The question on the input line: done() gets the typed line (PROMPT), key() each key
 * (ASK: returns 1 when answered); cancel() runs on Esc. Either may start another one. */
struct prompt {
	char label[256];
	int secret; /* echo '*' */
	void (*done)(struct tui *t, const char *text);
	int (*key)(struct tui *t, int ch);
	void (*cancel)(struct tui *t);
};

struct tui {
	struct app *app;
	struct config *cfg;
	struct cli *cli;
	struct event_base *base;
	struct journal *journal; /* NULL when it could not be opened: monitoring goes on */
	struct event *input, *winch, *redraw, *clock, *settle, *stale, *sigs[3];
	int64_t eager_until; /* until then (just after start) each result draws at once: tui.c */
	int64_t drawn_sec;   /* the wall-clock second of the last frame: the clock on screen */
	int clock_waited;    /* the clock let a refresh in flight draw the new second */
	int tab; /* index into app->panels */
	struct tab_state tabs[TUI_MAX_TABS];
	int alert_sel;
	enum view view;
	enum view help_from; /* the view '?' was pressed in: its keys are listed */
	enum input_mode input_mode;
	char line[1024]; /* the filter, command or answer being typed */
	struct prompt prompt;
	char *history[TUI_HISTORY];
	int nhistory, history_pos;
	int dirty, quit;
	char message[300];
	int64_t message_until;
	int message_crit; /* the message is an error or a refusal: drawn in red */
	int ncols_shown; /* columns drawn in the current table (for sort cycling) */
	int shown_cols[32];
	struct walker *walker; /* the open runbook, NULL if none */
	struct rblist *rblist; /* the library list, loaded when first shown */
	char rb_filter[128];   /* the library list's filter */
	int rb_sel;
	struct review *review; /* the journal review, NULL until first opened */
	struct tracker *tracker; /* the rollout tracker and the monitoring scheduler (tui/tracker.h) */
};

struct key_binding {
	int key;
	unsigned scope;    /* enum key_scope bits */
	const char *label; /* as shown in help: "q", "Tab", "Enter" */
	const char *help;
	void (*fn)(struct tui *t, int key);
};

const struct key_binding *tui_keys(int *n);
void tui_draw(struct tui *t);
void tui_message(struct tui *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* The same in red: a refusal, something NOT recorded. */
void tui_alert(struct tui *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Something changed outside a key or a panel (a step finished): redraw soon. */
void tui_dirty(struct tui *t);
/* The key scope of the current view (of the view help was opened from, in help). */
unsigned tui_scope(const struct tui *t);

/* The line editor for '/' and ':'; returns 1 when it consumed the key. */
int lineedit_key(struct tui *t, int ch);
void lineedit_start(struct tui *t, enum input_mode mode);
/* Asks for a line (label shown before it) or for one key; see struct prompt. */
void prompt_line(struct tui *t, const char *label, int secret, void (*done)(struct tui *t, const char *text),
		 void (*cancel)(struct tui *t));
void prompt_key(struct tui *t, const char *question, int (*key)(struct tui *t, int ch), void (*cancel)(struct tui *t));
/* Runs one ':' command line. */
void command_run(struct tui *t, const char *line);
/* Switches to another environment of the config file (":env NAME"). */
int tui_switch_env(struct tui *t, const char *env);

/* The current tab's rows in display order (filtered, sorted): indexes into tb->rows. */
int tui_row_order(struct tui *t, const struct table *tb, int *order, int max);

void alerts_view_draw(struct tui *t, int top, int bottom);
void alerts_view_detail(struct tui *t, int top, int bottom);
int alerts_view_count(struct tui *t);
/* The runbook of the selected alert ("RB-21"), NULL if none. */
const char *alerts_view_runbook(struct tui *t);

#endif
