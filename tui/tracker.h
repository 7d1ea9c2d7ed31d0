/* The rollout tracker (":rollout", "t", F6) and the console's periodic-monitoring scheduler.
 *
 * The tracker shows runbooks/rollout.h's model: one row per tracked checklist, its newest
 * run's state in this environment. The model is read from the journal outside drawing —
 * when the screen opens, on r, after a check or a roll-back, and at each scheduler wake-up —
 * and drawn from the cache, so the times left and "due now" move with the clock.
 *
 * The scheduler (tui/monitor.c): while the console is open, every open checklist run of the
 * environment whose periodic step has opened its window (a first check made, by the walker
 * or `opsdeck run`) gets its later checks run here when they fall due: one at a time, on the
 * engine's worker thread (rb_step_start), recorded with the note "check k of N (due HH:MM)"
 * as `opsdeck run --periodic` does. A window the run has not opened is left alone: its first
 * check is the operator's, at the moment the change is in. A libevent timer wakes it at the
 * next due check (and every 10 s to notice runs begun elsewhere). When the walker holds that
 * same run, the check runs on the walker's rb_run while the walker is idle (so the walker
 * shows it and nothing writes behind its back), and waits while the walker runs a step or
 * asks a question. --read-only consoles skip a check rb_step_check refuses, and say so. A
 * run whose windows are all over is finished (rb_run_finish: the periodic steps' final
 * results; ended when no step is left to do). */
#ifndef OD_TUI_TRACKER_H
#define OD_TUI_TRACKER_H

#include "runbooks/rollout.h"
#include "tui/tui_int.h"

#define TRACKER_SETTLED 16

struct tracker {
	struct rollout ro;
	int loaded;          /* ro was initialised */
	int sel;
	enum view from;      /* where q goes back to */
	int64_t read_at;     /* wall ms of the last read */
	char error[300];     /* why the journal could not be read */
	/* the scheduler */
	struct event *timer;
	int busy;            /* a check is running */
	int via_walker;      /* on the walker's run (else on run below) */
	struct rb_env env;
	struct rb_run run;
	int have_run;        /* run is initialised */
	int step, check_k, check_n;
	int64_t check_due;
	char check_ref[24];
	char refused[200];   /* the last check refused (--read-only, an input missing): said once */
	int64_t settled[TRACKER_SETTLED]; /* runs whose windows are over and were finished */
	int n_settled;
	/* the roll-back being asked for */
	int64_t rb_run_id;
	char rb_ref[24];
};

/* The screen. */
void tracker_open(struct tui *t);           /* reads the journal, shows it */
void tracker_shown(struct tui *t);          /* back on the screen (from the walker): read again */
void tracker_draw(struct tui *t, int top, int bottom);
void tracker_free(struct tui *t);           /* on exit: a check under way is cancelled */
/* The one-line summary for the status line ("W3-4 monitoring: 18h left, next check 14:00,
 * 1 missed"): 1 when there is one (a checklist run in progress), with its role. */
int tracker_summary(struct tui *t, char *buf, int size, int *warn);
void tracker_refresh(struct tui *t);        /* reads the journal again (never from drawing) */
struct tracker *tracker_get(struct tui *t); /* created on first use */

/* Keys (tui/keys.c binds them). */
void tracker_k_toggle(struct tui *t, int key);
void tracker_k_move(struct tui *t, int key);
void tracker_k_enter(struct tui *t, int key);
void tracker_k_rollback(struct tui *t, int key);
void tracker_k_reload(struct tui *t, int key);
void tracker_k_back(struct tui *t, int key);

/* The scheduler (tui/monitor.c). */
void monitor_start(struct tui *t);          /* after the journal is open: first wake-up now */
void monitor_wake_soon(struct tui *t);      /* something changed: look again now */
int monitor_busy(const struct tui *t);      /* a check is running on its own rb_run (not the walker's) */
int monitor_holds(const struct tui *t, int64_t run_id); /* ... on this run */
void monitor_stop(struct tui *t);           /* cancels and waits for a check under way */
/* The scheduler's clock: the config's time_scale, OPSDECK_TIME_SCALE first. */
double monitor_scale(const struct tui *t);

#endif
