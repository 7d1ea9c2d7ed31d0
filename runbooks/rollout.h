/* The rollout tracker's model (seed 001's "rollout status tracker", live): for each tracked
 * checklist, W1-2 ... W8, PHASE2-FINAL, PROD-DEPLOY, DB-SPLIT, where its newest run in one
 * environment stands, derived from the journal. No curses: the console draws it (tui/rollout.c),
 * tests check it at chosen times.
 *
 *   not started       no run of it in this environment
 *   started           a run, nothing recorded yet
 *   baseline recorded a ## Baseline step has a result, no validation step yet
 *   validating        a validation step (## Validation, ## Phase N) has a result
 *   monitoring        a periodic step's window has opened (its first check) and is not over
 *   awaiting sign-off every step has a result (or the run ended, or a role has signed)
 *   signed off        every role of ## Sign-off has signed (marked when one signed with a reason)
 *   rolled back       the run's last event is "rolled-back" (its note is the reason)
 *   failed            the run ended failed and is not signed off
 *   aborted           the operator gave it up
 * Rolled back and aborted come first, then signed off, failed, monitoring, and so on down. */
#ifndef OD_ROLLOUT_H
#define OD_ROLLOUT_H

#include <stdint.h>

#include "runbooks/engine.h"

#define ROLLOUT_MAX 8

enum rollout_state {
	RO_NOT_STARTED, RO_STARTED, RO_BASELINE, RO_VALIDATING, RO_MONITORING, RO_AWAITING_SIGNOFF,
	RO_SIGNED_OFF, RO_ROLLED_BACK, RO_FAILED, RO_ABORTED
};
/* "not started", "baseline recorded", "awaiting sign-off", "rolled back", ... */
const char *rollout_state_name(enum rollout_state s);

struct rollout_row {
	const char *id;         /* "W3-4" (into ref) */
	char ref[24];           /* "CL-W3-4": the journal's ref */
	char *title;            /* the checklist's title, NULL when it could not be read */
	char *error;            /* why the checklist or its run could not be read, or NULL */
	enum rollout_state state;
	int64_t run_id;         /* the newest run in the environment, 0 none */
	char *run_state;        /* its last event: started resumed done failed aborted rolled-back */
	int64_t started_at, state_at; /* wall ms: the run began; its last event */
	char *operator_name;    /* the typed name, else the OS user */
	struct rb_progress progress;
	int baseline_steps, baseline_done;
	int valid_steps, valid_pass, valid_fail;
	/* monitoring, summed over the periodic steps whose window has opened */
	int periodic_steps, windows, windows_open;
	int checks, checks_done, checks_failed, checks_missed, checks_due;
	int64_t window_end;     /* the latest end of an opened window */
	int64_t next_check;     /* the earliest check to come or due now (<= now); 0 none */
	int auto_due;           /* an automatic check is due now (the console's scheduler runs it) */
	/* sign-off */
	int roles, roles_signed;
	int64_t signed_at;      /* the newest sign-off that counts */
	char *signed_by;        /* "Ana Diaz, Bo Li" */
	int signed_with_reason; /* one of them signed over failed or unchecked steps */
	char *reason;           /* rolled back: why */
	double scale;           /* the time scale it was read with (> 1: clocks show seconds) */
};

struct rollout {
	struct rollout_row rows[ROLLOUT_MAX];
	int n;
	struct runbook rbs[ROLLOUT_MAX]; /* the checklists, parsed once */
	int loaded[ROLLOUT_MAX];         /* rbs[i] parsed without being unreadable */
	int64_t now;                     /* when it was last refreshed */
};

/* dir: the checklists' directory, NULL for rb_checklist_dir(). Parses them once. */
void rollout_init(struct rollout *ro, const char *dir);
void rollout_done(struct rollout *ro);
/* Re-reads every row's newest run in env (NULL: any) from the journal (NULL: every row not
 * started), with periodic schedules divided by scale, at now_ms. A few indexed queries per
 * checklist whatever the journal's size. 0, or -1 with *err when the journal failed (that
 * row says so in its error). */
int rollout_refresh(struct rollout *ro, struct journal *j, const char *env, double scale, int64_t now_ms,
		    char **err);

/* The row's progress in words: "baseline 3/4", "9 of 9 passed, 0 failed", "18h left, checks
 * 6/21, 1 missed", "2 of 4 roles", "by Ana Diaz, Bo Li (with a reason)", the roll-back's
 * reason. Into buf. */
const char *rollout_progress(const struct rollout_row *r, int64_t now_ms, char *buf, int size);
/* "HH:MM" of the next check, "due now", or "" ; into buf. */
const char *rollout_next_check(const struct rollout_row *r, int64_t now_ms, char *buf, int size);
/* One line for the status line: "W3-4 monitoring: 18h left, next check 14:00, 1 missed". */
const char *rollout_summary(const struct rollout_row *r, int64_t now_ms, char *buf, int size);
/* The row a one-line summary speaks of: prefer (the checklist open in the walker, ref may
 * be NULL), then the first row monitoring, then the first in progress; NULL if none. */
const struct rollout_row *rollout_current(const struct rollout *ro, const char *prefer);
/* The row of ref ("CL-W3-4" or "W3-4"), NULL if not tracked. */
const struct rollout_row *rollout_find(const struct rollout *ro, const char *ref);

/* Records that the change checklist run run_id validated was rolled back, with the reason
 * (required). Refused for a run that is not a checklist's or is rolled back already. */
int rollout_rollback(struct journal *j, int64_t run_id, const char *reason, char **err);

#endif
