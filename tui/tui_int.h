/* Console internals shared by the tui/ files. */
#ifndef OD_TUI_INT_H
#define OD_TUI_INT_H

#include <event2/event.h>

#include "src/app.h"
#include "src/cli.h"

enum view { VIEW_PANEL, VIEW_DETAIL, VIEW_HELP };

struct tui {
	struct app *app;
	struct cli *cli;
	struct event_base *base;
	struct event *input, *winch, *redraw, *clock, *sigs[3];
	int tab;       /* index into app->panels */
	int sel[16];   /* selected row per tab */
	enum view view;
	int dirty, quit;
	char message[160];
	int64_t message_until;
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

#endif
