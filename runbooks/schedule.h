/* Periodic monitoring: when the checks of a checklist's ## Monitoring step fall due
 * ("every=4h for=24h"), which were made, which were missed, and when the next one is.
 * Pure: the caller brings the times (from the journal) and the clock.
 *
 * The window opens with the step's first check (its first result in the run): check 0 is
 * due then, check k at start + k * every, for k = 0 .. for / every, so "every 4 hours for
 * 24 hours" is 7 checks, the last when the 24 hours are up. A result recorded at t counts
 * for the check whose slot [due_k, due_k + every) holds t (one result per slot; more are
 * kept but count once). A check is missed when its slot has passed without a result; it is
 * due while now is inside its slot. The window is over when the last slot has passed.
 *
 * Time scale: tests and demonstrations compress the schedule. Every duration is divided
 * by the scale (3600: an hour lasts a second), from OPSDECK_TIME_SCALE or the config's
 * time_scale option (runbooks/README.md "Monitoring"). */
#ifndef OD_SCHEDULE_H
#define OD_SCHEDULE_H

#include <stdint.h>

#define SCHED_MAX_CHECKS 1000 /* every= and for= giving more checks are refused by lint */

enum sched_check { SCHED_UPCOMING, SCHED_DUE, SCHED_DONE, SCHED_FAILED, SCHED_MISSED };

struct sched_result {
	int64_t at_ms; /* wall clock, ms since the epoch */
	int ok;        /* the check passed (pass or manual-ok) */
};

struct sched_state {
	int started;          /* a first result exists: the window is open (or over) */
	int64_t start_ms, end_ms; /* the window (end = start + for) */
	int n_checks;         /* for / every + 1 */
	int done, failed, missed, upcoming; /* done counts passed checks; failed: a failed result */
	int due;              /* the check due now (index), -1 if none */
	int64_t next_due_ms;  /* the next check without a result whose slot has not passed; 0 if none */
	int over;             /* now is past the last slot */
};

/* every_ms, for_ms: the step's schedule, already divided by the time scale; res: the step's
 * results in this run in any order (n may be 0); kinds (may be NULL): n_checks entries
 * get each check's enum sched_check. 0, or -1 when every_ms <= 0 or the schedule has more
 * than SCHED_MAX_CHECKS checks. */
int sched_compute(double every_ms, double for_ms, const struct sched_result *res, int n, int64_t now_ms,
		  struct sched_state *st, enum sched_check *kinds, int max_kinds);

/* The time scale in force: OPSDECK_TIME_SCALE if set and > 0, else config_scale if > 0, else 1. */
double sched_time_scale(double config_scale);

/* "3h 20m", "45s", "2d 4h" for a duration in ms (>= 0), into buf. */
const char *sched_fmt_duration(int64_t ms, char *buf, int size);

#endif
