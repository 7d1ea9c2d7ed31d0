/* The lead's journal review (":journal", "J"): runs newest first, filtered and paged by the
 * data layer (store/review.h) whenever a key asks for it — drawing never runs SQL; a run's
 * detail with its steps, baselines compared, output and sign-offs; the integrity badge from
 * journal_verify, run once per opening on a worker thread with its own read-only connection;
 * and checklist sign-offs recorded through rb_signoff, the rules of `opsdeck signoff`. */
#ifndef OD_TUI_REVIEW_H
#define OD_TUI_REVIEW_H

#include <pthread.h>

#include "runbooks/engine.h"
#include "store/review.h"
#include "tui/pane.h"
#include "tui/tui_int.h"

/* What the definition of a ref says (its file, loaded once per ref). */
struct rv_def {
	char *ref;
	struct runbook rb;
	int loaded;  /* rb is valid */
	char *error; /* why not */
};

enum rv_verify { RV_UNCHECKED, RV_VERIFYING, RV_INTACT, RV_BROKEN, RV_FAILED };

/* The sign-off being typed (S, or C for a correction). */
struct rv_sign {
	int active;
	int role;           /* index into the checklist's roles, -1 not chosen yet */
	int order[16], n_order; /* roles as offered: unsigned first */
	char *name, *comment;
	int64_t corrects;   /* 0, or the sign-off this one corrects */
	int fail, pending;  /* the run's failed and unchecked steps: a reason is required */
	char error[300];    /* the last refusal, in red */
};

struct review {
	struct review_filter filter;
	struct review_row *rows; /* the window of the list on screen */
	int n;
	int sel;                 /* selected row of the window */
	int64_t pos;             /* position of rows[0] among the matching runs */
	int64_t total;           /* matching runs */
	char error[300];         /* why the list or the run could not be read */
	/* the run open in the detail */
	struct review_detail d;
	int have_detail;
	int scroll, so_sel;      /* first pane line; selected sign-off (index, -1 none) */
	int show_so;             /* scroll to the selected sign-off when next drawn */
	int stale;               /* a sign-off was recorded: the list reads its window again */
	struct rv_sign sign;
	struct rv_def **defs;    /* one per ref seen, loaded once */
	int n_defs;
	/* the integrity badge */
	enum rv_verify verify;
	struct journal_verify v;
	char verify_error[300];
	pthread_t th;
	int th_running, pipe[2];
	volatile int cancel;     /* set to stop the worker at its next progress check */
	char *th_path;
	struct event *th_ev;
};

/* Opens the review list ("J", ":journal"); args: a filter (review_filter_parse), "clear",
 * or NULL to keep the current one. Verifies the chain again on every opening. */
void review_open(struct tui *t, const char *args);
void review_free(struct tui *t);
void review_draw(struct tui *t, int top, int bottom);
/* The '/' filter as it is typed (tui/command.c calls this after every key). */
char *review_filter_text(struct tui *t, size_t *n);
void review_filter_typed(struct tui *t);

/* Keys (tui/keys.c binds them to KS_REVIEW). */
void review_k_move(struct tui *t, int key);
void review_k_enter(struct tui *t, int key);
void review_k_back(struct tui *t, int key);
void review_k_filter(struct tui *t, int key);
void review_k_clear(struct tui *t, int key);
void review_k_reload(struct tui *t, int key);
void review_k_signoff_sel(struct tui *t, int key);
void review_k_sign(struct tui *t, int key);
void review_k_correct(struct tui *t, int key);

/* Between the review's files. */
int review_page_rows(void);                 /* list rows that fit the screen */
const struct rv_def *review_def(struct tui *t, const char *ref); /* the ref's definition, cached */
void review_load_detail(struct tui *t, int64_t run_id);
void review_verify_start(struct tui *t);    /* review_verify.c: the badge, on a worker thread */
void review_verify_stop(struct tui *t);     /* waits for (cancels) a verify still running */
/* review_run.c: the detail as lines; *so_line gets the selected sign-off's line (-1). */
void review_build_pane(struct tui *t, struct pane *p, int *so_line);
void review_draw_list(struct tui *t, int top, int bottom);
void review_draw_run(struct tui *t, int top, int bottom);
void review_draw_badge(struct tui *t, int y);
void review_sign_start(struct tui *t, int64_t corrects);
int review_sign_lines(struct tui *t);       /* rows the sign-off form takes (0: none) */
int review_sign_draw(struct tui *t, int top); /* draws it; returns its rows */
/* Local "2026-11-22 08:05:07" (full) or "11-22 08:05" (short). */
void review_time(char *buf, size_t n, int64_t ms, int full);

#endif
