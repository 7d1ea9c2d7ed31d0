/* The runbook views: the library list (":rb") and the walker, which walks one runbook step
 * by step on the engine (runbooks/engine.h). One runbook is open at a time; it stays open
 * when the operator goes back to the panels ("w" returns), so a step can go on running. */
#ifndef OD_WALKER_H
#define OD_WALKER_H

#include "runbooks/engine.h"
#include "tui/theme.h"
#include "tui/tui_int.h"

/* What the walker is asking on the input line. */
enum walker_ask { ASK_NONE, ASK_RESUME, ASK_INPUT, ASK_CONFIRM, ASK_SKIP, ASK_NOTE, ASK_RELATED, ASK_ABANDON };
/* What an answered question leads to. */
enum walker_then { THEN_NOTHING, THEN_RUN, THEN_PASS };

struct walker {
	char *path;          /* as rb_locate() gave it */
	enum view from;      /* where q goes back to */
	struct runbook rb;
	int walkable;        /* loaded without problems: rb_run is initialised */
	struct rb_env env;
	struct rb_run run;
	int begun;           /* rb_run_begin() succeeded (run.run_id stays 0 without a journal) */
	int running;         /* the step running on the worker, -1 if none */
	int64_t running_since; /* monotonic ms */
	int sel;             /* row: 0 before you start, 1..n_steps the steps, n_steps + 1 wrap-up */
	int scroll;          /* first line of the right pane */
	char **record_err;   /* per step: why its last result is NOT in the journal, or NULL */
	char **refusal;      /* per step: why it may not run now, or NULL */
	const char *end_state; /* "done" / "failed" once rb_run_finish() ended the run */
	int64_t resume_id;   /* the unfinished run offered for resume */
	int resume_step;     /* its first unfinished step (index), -1 unknown */
	int resume_done;     /* its steps with a result that counts */
	char resume_when[40]; /* ", started Sun 22 05:21" or "" */
	/* the question in progress */
	enum walker_ask ask;
	enum walker_then then;
	int ask_step, ask_input;
	int confirmed_step;  /* the confirmation word was typed for this step; -1 none */
	char ask_error[300]; /* why the last answer was refused */
};

/* Opens a runbook ("21", "RB-21", a path) in the walker; -1 with a message if it cannot. */
int walker_open(struct tui *t, const char *id_or_path);
/* Shows the open runbook again; 0 if there is none. */
int walker_resume_view(struct tui *t);
/* A step is running on the worker thread. */
int walker_busy(const struct tui *t);
/* Asks the running step to stop (Esc, Ctrl-C). */
void walker_cancel(struct tui *t);
/* Closes the walker (refused with a message while a step runs: returns -1). */
int walker_close(struct tui *t);
/* On exit: cancels a running step and waits for it. */
void walker_free(struct tui *t);
void walker_draw(struct tui *t, int top, int bottom);
/* "RB-1" for the tab bar, NULL when no runbook is open. */
const char *walker_label(const struct tui *t);

/* Key actions (tui/keys.c binds them). */
void walker_k_move(struct tui *t, int key);
void walker_k_scroll(struct tui *t, int key);
void walker_k_run(struct tui *t, int key);
void walker_k_mark(struct tui *t, int key);
void walker_k_note(struct tui *t, int key);
void walker_k_related(struct tui *t, int key);
void walker_k_abandon(struct tui *t, int key);
void walker_k_back(struct tui *t, int key);

/* Between the walker's files (walker.c, walker_keys.c, walker_draw.c). */
int walker_step_no(const struct walker *w, int i); /* "### N." of step i */
int walker_record(struct tui *t, int i);     /* commits step i's result; 0 when the journal has it */
void walker_finish(struct tui *t);           /* ends the run when every step has a result */
void walker_start(struct tui *t, int i);     /* starts step i on the worker */
void walker_advance(struct walker *w, int i); /* selects the step after i */
void walker_ask_cancel(struct tui *t);       /* Esc on any of the walker's questions */
struct pane;
void walker_page(struct pane *p, struct tui *t, struct walker *w); /* the right side */

/* The step-status mark ("✓", or "+" in ASCII) and its role. */
const char *walker_mark(enum step_status st, int running);
enum role walker_mark_role(enum step_status st, int running);
/* Counts over the steps, leaving out the one running (the worker owns it). */
void walker_progress(const struct walker *w, struct rb_progress *p);

/* The library list. */
void rblist_open(struct tui *t);
void rblist_free(struct tui *t);
void rblist_draw(struct tui *t, int top, int bottom);
void rblist_k_move(struct tui *t, int key);
void rblist_k_open(struct tui *t, int key);

#endif
