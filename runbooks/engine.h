/* Running a runbook: its inputs, the probes of each step, the results, the journal.
 *
 *   struct rb_run r;
 *   rb_run_init(&r, &rb, &env);
 *   rb_run_set_input(&r, "replica", "east", &why);
 *   rb_run_begin(&r, "operator name", &err);         -> run id in the journal
 *   rb_step_exec(&r, 0);                              blocking; or rb_step_start() on a thread
 *   rb_step_record(&r, 0, &err);                      committed before the screen says so
 *   rb_run_finish(&r, &err);
 *
 * Probes open their own short-lived connections (libpq, hiredis, libcurl, /bin/sh) with a
 * deadline each, so a step can run on a worker thread while the console keeps drawing and
 * monitoring on its loop. Inputs reach probes only as data: bound SQL parameters, single
 * Redis arguments, percent-encoded URL parts, environment variables. Everything a probe
 * returns is masked (configured passwords, secret URL parts) before it is kept. */
#ifndef OD_ENGINE_H
#define OD_ENGINE_H

#include <stdint.h>

#include "runbooks/runbook.h"
#include "src/config.h"

struct journal;
struct event_base;

/* Output kept per probe (the journal and the screen); more is cut with a note. */
#define RB_OUTPUT_MAX (64 * 1024)

struct rb_env {
	const struct config *cfg; /* sources, timeout, redis.password_file */
	struct journal *journal;  /* NULL: nothing recorded, baseline() unknown */
	int read_only;            /* refuse writes/destructive probes and destructive steps */
	const char *operator_name; /* typed name for the journal; may be NULL */
};

enum step_status {
	STEP_PENDING,  /* not run yet (or refused: see note) */
	STEP_RUNNING,
	STEP_PASS,
	STEP_FAIL,
	STEP_ERROR,    /* the check could not be made */
	STEP_SKIP,     /* with a reason */
	STEP_MANUAL_OK /* the operator did it and says it went well */
};
/* The journal's words: "pending" "running" "pass" "fail" "error" "skip" "manual-ok". */
const char *step_status_name(enum step_status s);
int step_status_parse(const char *name, enum step_status *out); /* 0 or -1 */

struct probe_outcome {
	int status;      /* enum expect_status: EXPECT_PASS, EXPECT_FAIL, EXPECT_ERROR */
	char *label;     /* "primary", "replica.east", "pgbouncer", "redis", "GET /health", "shell" */
	char *observed;  /* "rows = 2, all(active) = true"; may be NULL */
	char *error;     /* why it could not be checked; NULL when it ran */
	char *output;    /* what came back, as text (table, reply, body, stdout+stderr), masked */
	char *value;     /* the probe's value (first cell, body, stdout trimmed); may be NULL */
	double ms;
	int attempts;    /* > 1 with wait= */
};

struct rb_capture {
	char *name, *value;
};

struct step_outcome {
	enum step_status status;
	struct probe_outcome *probes; /* one per probe run (each-replica: one per replica) */
	int n_probes;
	char *summary;   /* one line for lists: the first failure, or the observed values */
	char *note;      /* operator's note, skip reason, or why it did not run; may be NULL */
	double ms;
	int recorded;    /* the journal has this result */
	struct rb_capture *baselines; /* baseline= values taken, recorded with the step */
	int n_baselines;
	int baselines_recorded; /* the journal has them (they stay for display) */
};

struct rb_run {
	const struct runbook *rb;
	const struct rb_env *env;
	char **inputs;            /* rb->n_inputs values, NULL = not given yet */
	struct rb_capture *captures;
	int n_captures;
	struct step_outcome *steps; /* rb->n_steps */
	int64_t run_id;           /* 0: not in the journal (yet) */
	int64_t started_wall_ms;  /* when the run began (or the resumed run first began) */
	int64_t started_mono_ms;  /* for elapsed time */
	volatile int cancel;      /* set to stop a running step at its next check (wait= loops) */
	int running;              /* the step running on a worker thread, -1 if none */
	struct rb_worker *worker;
	/* private */
	char **secrets;           /* strings masked wherever output is kept */
	int n_secrets;
	unsigned char *input_recorded, *capture_recorded;
	int capture_cap;
};

void rb_run_init(struct rb_run *r, const struct runbook *rb, const struct rb_env *env);
void rb_run_done(struct rb_run *r); /* waits for a worker thread to finish first */

/* Inputs. 0, or -1 with *why (malloced): unknown input, the value does not fit its type, or
 * (after rb_run_begin) a changed value could not be journalled. A value changed after the run
 * began is journalled again at once (a secret one masked). */
int rb_run_set_input(struct rb_run *r, const char *name, const char *value, char **why);
const char *rb_run_input(const struct rb_run *r, const char *name); /* NULL if not given */
/* An input whose value is a secret (its name says key, token, password or secret): shown and
 * journalled as its first 4 characters and "***"; on resume it is asked again. */
int rb_input_is_secret(const char *name);
/* How an input's value may be shown or journalled: as is, or "abcd***" for a secret; malloced. */
char *rb_input_shown(const char *name, const char *value);
/* The inputs step i uses that are not given yet: their indexes into rb->inputs. */
int rb_step_missing_inputs(const struct rb_run *r, int i, int *idx, int max);
/* The inputs any step uses (all of them for shell steps): indexes into rb->inputs. */
int rb_run_missing_inputs(const struct rb_run *r, int *idx, int max);

/* The word an operator types to allow step i, or NULL when the step is not destructive. */
const char *rb_step_confirm_word(const struct rb_run *r, int i);
/* Whether step i may run now: 0, or -1 and *why (malloced): --read-only and the step writes
 * or is destructive; an input is missing; a probe targets an unknown source. */
int rb_step_check(const struct rb_run *r, int i, char **why);

/* Runs step i's probes in order, blocking (each probe has its deadline; wait= retries every
 * second until it passes, the time is up, or r->cancel is set). Fills r->steps[i] and the
 * captures. A manual step (no probes) is left as it is. Call rb_step_check() first. */
enum step_status rb_step_exec(struct rb_run *r, int i);
/* The same on a worker thread: done() is called on base's loop when it has finished.
 * -1 (with *why) if a step is already running. Until done() runs, touch nothing in r but
 * r->cancel and r->running. */
int rb_step_start(struct rb_run *r, int i, struct event_base *base,
		  void (*done)(struct rb_run *r, int i, void *arg), void *arg, char **why);

/* A manual result: STEP_MANUAL_OK, STEP_FAIL or STEP_SKIP (which needs a reason), with an
 * optional note. 0, or -1 with *why. */
int rb_step_mark(struct rb_run *r, int i, enum step_status st, const char *note, char **why);
/* A value the operator typed for a step whose text block carries baseline= (CPU from `top` on
 * a remote host): must read as a number; the step is done and the baseline recorded with it.
 * 0, or -1 with *why. */
int rb_step_typed_baseline(struct rb_run *r, int i, const char *value, char **why);
/* Adds a note to step i (kept with its next record, or recorded now if already recorded). */
int rb_step_note(struct rb_run *r, int i, const char *note, char **err);
/* What the journal records as step i's observed value: each probe's "target: observed" (or
 * the summary of a step without probes); malloced, NULL when there is none. */
char *rb_step_observed(const struct rb_run *r, int i);

/* The journal. rb_run_begin records the run and its inputs; rb_step_record commits step i's
 * result (and the baselines its probes took, which its observed value names with their units);
 * rb_run_finish ends the run: it stays open (*state "open", resumable) while a step is pending
 * or a periodic step's window is not over; else "done" when every step passed, was done by
 * hand or skipped, "failed" when one failed. A periodic step whose window is over first gets
 * its final result, recorded once: pass when every check passed, fail when one failed or was
 * missed (the note says which). Each is a no-op returning 0 without a journal. */
int rb_run_begin(struct rb_run *r, char **err);
int rb_step_record(struct rb_run *r, int i, char **err);
int rb_run_finish(struct rb_run *r, const char **state, char **err);
/* Marks the run aborted (the operator gave up). */
int rb_run_abort(struct rb_run *r, char **err);

/* Resume: loads run_id's inputs (not secret ones), captures and latest step results from the
 * journal, records a "resumed" event. 0, or -1 with *err (no such run, another runbook,
 * already ended). */
int rb_run_resume(struct rb_run *r, int64_t run_id, char **err);
/* The same without resuming (the run may have ended): to review it or sign it off. */
int rb_run_load(struct rb_run *r, int64_t run_id, char **err);
/* The first step that has not passed, been done by hand or skipped; n_steps when none. */
int rb_run_next_step(const struct rb_run *r);
/* The newest unfinished run of this runbook in env (state started or resumed), 0 if none. */
int64_t rb_run_find_open(struct journal *j, const char *ref, const char *env, char **err);

/* Sign-offs of a checklist run (runbooks/signoff.c). role must be one of the checklist's
 * ## Sign-off roles (any case; recorded as written there); person is the typed name (the OS
 * user is added); a run with failed or unchecked steps needs a reason; one person may hold
 * at most roles_per_person roles of the run (a correction of their own sign-off does not
 * count); corrects: 0 or the id of an earlier sign-off of this run that this one corrects.
 * Returns the sign-off's id, or -1 with *err. r must have been loaded (rb_run_load). */
struct rb_signoff_req {
	const char *role, *person, *comment, *reason;
	int64_t corrects;
	int roles_per_person;
};
int64_t rb_signoff(struct rb_run *r, const struct rb_signoff_req *q, char **err);
/* Which roles have signed (a correction replaces the sign-off it corrects): signed[i] is the
 * sign-off id for rb->roles[i], 0 if unsigned. Returns the number unsigned, -1 on error. */
int rb_signoff_state(struct rb_run *r, int64_t *signed_ids, char **err);

/* Periodic monitoring (runbooks/schedule.h): the schedule of step i of a loaded run, from
 * the step's results in the journal, with every= and for= divided by scale
 * (sched_time_scale()). 1 when computed, 0 when step i is not periodic (no every=), -1 with
 * *err. kinds may be NULL. The journal's kind of run: "checklist" or "runbook". */
struct sched_state;
enum sched_check;
int rb_step_schedule(const struct rb_run *r, int i, double scale, int64_t now_ms, struct sched_state *st,
		     enum sched_check *kinds, int max_kinds, char **err);
const char *rb_run_kind(const struct runbook *rb);
/* The time scale periodic checks run on: OPSDECK_TIME_SCALE, else the config's time_scale. */
double rb_time_scale(const struct rb_run *r);
/* The periodic steps of a loaded run that have a check due now and probes to run (a purely
 * manual periodic step is the operator's): up to max indexes into idx, in step order.
 * *next_ms (may be NULL) gets the earliest time a check of any periodic step falls due
 * after now, 0 when every window is over. Returns the count, -1 with *err. */
int rb_periodic_due(const struct rb_run *r, double scale, int64_t now_ms, int *idx, int max,
		    int64_t *next_ms, char **err);

/* A periodic step's slot length in ms at this scale (every= / scale, as sched_compute rounds it). */
int64_t rb_step_every_ms(const struct step *s, double scale);

/* Counts of steps by status, for progress displays. */
struct rb_progress {
	int total, pass, fail, skip, pending, automatic;
};
void rb_run_progress(const struct rb_run *r, struct rb_progress *p);

/* Runs a /bin/sh script locally with the environment shell probes get (PG* of target, which
 * is "primary", "replica.NAME" or "pgbouncer", default the primary; REDIS_*; OPSDECK_API;
 * OPSDECK_INPUT_*; then extra_env "NAME=value" strings, NULL-terminated, may be NULL), in a
 * fresh temporary directory, killed at the deadline. *output: stdout, then stderr after a
 * "--- stderr ---" line, masked, at most RB_OUTPUT_MAX. 0 when it ran (*exit_status set,
 * -1 if killed), -1 with *err if it could not be started. */
int rb_shell(const struct rb_run *r, const char *script, const char *target, double timeout_ms,
	     const char *const *extra_env, char **output, int *exit_status, char **err);

/* Masks every secret the config knows (passwords in DSNs and URLs, the Redis password, secret
 * inputs) in text; malloced. */
char *rb_mask(const struct rb_run *r, const char *text);

/* Where the library is: runbooks/library of the source tree, else the installed one; a path
 * (malloced) to RB-N.md for "RB-N" / "rb-n" / "N", to checklists/NAME.md for "CL-NAME" /
 * "NAME", or the argument itself if it names a file.
 * NULL with *err when there is no such runbook. */
char *rb_locate(const char *id_or_path, char **err);
/* The library directory (malloced), NULL if none is found. */
char *rb_library_dir(void);
/* The checklists' directory next to it (runbooks/checklists, $(pkgdatadir)/checklists), or NULL. */
char *rb_checklist_dir(void);

#endif
