/* The journal: a local SQLite file recording runs, step results, baselines, samples and
 * sign-offs. Append-only (triggers refuse UPDATE/DELETE) and hash-chained (SHA-256 over
 * each row's content and the previous row's hash) so `journal verify` finds tampering. */
#ifndef OD_JOURNAL_H
#define OD_JOURNAL_H

#include <stdint.h>
#include <stdio.h>

struct journal;

/* $XDG_DATA_HOME/opsdeck/journal.db (default ~/.local/share/opsdeck/journal.db); malloced. */
char *journal_default_path(void);

/* Opens (creating the file 0600 and its directory 0700 on first use), sets WAL mode,
 * applies migrations. Returns 0, or -1 with *err set (malloced). */
int journal_open(struct journal **jp, const char *path, char **err);
void journal_close(struct journal *j);

/* Opens an existing journal for reading (list, show, verify): never creates, migrates or
 * writes the file; every recording call on it fails. Returns 0, or -1 with *err set. */
int journal_open_readonly(struct journal **jp, const char *path, char **err);
const char *journal_path(const struct journal *j); /* borrowed */
int journal_schema_version(void);                   /* the newest schema this build knows */

struct journal_run {
	const char *kind;          /* "runbook", "checklist", "snapshot" */
	const char *ref;           /* "RB-1", "W3-4", ... */
	const char *title;
	const char *env;           /* environment name */
	const char *operator_name; /* typed by the person, may be NULL */
	const char *os_user;       /* NULL: filled from getpwuid(geteuid()) */
	const char *host;          /* NULL: filled from gethostname() */
};

/* Each call is one committed transaction: when it returns 0 the row is durable.
 * (journal_run_begin records the run and its "started" event together.) */
int64_t journal_run_begin(struct journal *j, const struct journal_run *r, char **err); /* run id or -1 */

struct journal_step {
	int64_t run_id;
	const char *step_id;     /* "2" or "2.1" */
	const char *title;
	const char *status;      /* pass fail skip manual-ok pending error */
	const char *observed;    /* observed value, may be NULL */
	const char *expectation; /* may be NULL */
	const char *output;      /* captured output (already masked by the caller) */
	const char *note;
	int64_t duration_ms;     /* < 0: unknown (stored as NULL) */
};
int journal_step_record(struct journal *j, const struct journal_step *s, char **err);
int journal_run_end(struct journal *j, int64_t run_id, const char *state /* done failed aborted */, char **err);
/* An interrupted run continues: records a "resumed" event (note may be NULL). */
int journal_run_resume(struct journal *j, int64_t run_id, const char *note, char **err);
/* The change a checklist run validated was rolled back: a "rolled-back" event with the reason
 * (required) as its note; the run ends there. Refused when it is already rolled back. */
int journal_run_rollback(struct journal *j, int64_t run_id, const char *reason, char **err);
int journal_sample(struct journal *j, const char *source, const char *metric, double value,
		   const char *unit, char **err);
/* run_id 0: a baseline taken outside any run. NaN values are refused. */
/* Several samples taken at the same moment, in one transaction (one fsync). */
struct journal_sample_row {
	const char *source, *metric, *unit;
	double value;
};
int journal_samples(struct journal *j, const struct journal_sample_row *rows, int n, char **err);
int journal_baseline(struct journal *j, int64_t run_id, const char *name, double value,
		     const char *unit, char **err);
/* The newest baseline called name, from runs of env (any env, and runless baselines, if
 * env is NULL). 1 found (*value, *unit malloced or NULL if unit is NULL), 0 none, -1 error. */
int journal_baseline_latest(struct journal *j, const char *env, const char *name, double *value,
			    char **unit, char **err);

struct journal_signoff {
	int64_t run_id;
	const char *role;        /* "DBA", "DevOps Engineer", "Engineering Lead", ... */
	const char *person;      /* typed name */
	const char *os_user;     /* NULL: filled from getpwuid(geteuid()) */
	const char *host;        /* NULL: filled from gethostname() */
	const char *comment;     /* may be NULL */
	const char *reason;      /* required when the run has failed steps */
	int64_t corrects_id;     /* 0, or the earlier sign-off of this run that this one corrects */
};
/* Refused (-1, *err says why) when the run has failed steps and reason is empty. */
int64_t journal_signoff(struct journal *j, const struct journal_signoff *s, char **err); /* id or -1 */

/* The run's state, i.e. its latest event (started done failed aborted resumed), malloced.
 * 1 found, 0 no such run, -1 error. */
int journal_run_state(struct journal *j, int64_t run_id, char **state, char **err);

struct journal_verify {
	int64_t rows;           /* rows checked */
	int64_t first_bad_seq;  /* chain position of the first bad row, 0 if intact */
	char table[32];         /* table of the first bad row */
	int64_t row_id;         /* its id in that table */
	char reason[256];       /* "content altered: ...", "row seq N before it is missing (deleted?)", ... */
	int64_t head_seq;       /* the chain head: seq and hash of the last row */
	char head[65];          /* lowercase hex; 64 zeros for an empty journal */
	int checkpoint;         /* the head checkpoint beside the file (store/checkpoint.h): 0 none,
				 * 1 reached and signed with this user's key, 2 reached, another key */
	int64_t checkpoint_seq;
	/* journal_verify_since: 0 every row was walked now; else only the rows after from_seq,
	 * linked to the row at from_seq, whose hash is the one an earlier walk marked (the last
	 * walk from the first row reached full_seq at full_at, ms since the epoch) */
	int64_t from_seq, full_seq, full_at;
};
/* Walks every row: 0 intact, 1 broken (v says where), -1 could not check (*err). Also
 * checks the chain head checkpoint beside the file (PATH.head): a journal that no longer
 * reaches it was cut short or rewritten (table "checkpoint" in v); and that the derived step
 * counts (table step_counts) equal what the step results give. When intact, leaves a
 * verification mark beside the file (PATH.verified, signed with the checkpoint's key, if the
 * user has one) for journal_verify_since. */
int journal_verify(struct journal *j, struct journal_verify *v, char **err);
/* The same, but from the verification mark when there is a good one: only the rows after it
 * are walked (v->from_seq says so), the row it names must still have its hash, and the
 * checkpoint is checked; the mark then moves to the head. A row before the mark altered since
 * is not seen: journal_verify sees it. Without a usable mark (none, another key, altered, or
 * its row no longer has that hash): journal_verify. For exports; `journal verify` walks all. */
int journal_verify_since(struct journal *j, struct journal_verify *v, char **err);
/* The hash of the row at chain position seq (hash: 65 bytes): 1 found, 0 none, -1 error. */
int journal_hash_at(struct journal *j, int64_t seq, char *hash, char **err);
/* Why the checkpoint could not be written after the last write (the rows are recorded), or NULL. */
const char *journal_checkpoint_error(const struct journal *j);

/* Prints runs, newest first: id, started, kind, ref, state, steps pass/fail, operator.
 * Step counts use each step's latest result; pass includes manual-ok, fail includes error. */
int journal_list(struct journal *j, FILE *out, int json, char **err);
/* The same for the newest limit runs only (0: all), with a line saying how many there are. */
int journal_list_newest(struct journal *j, FILE *out, int json, int limit, char **err);
/* Prints one run: header, events, step results, baselines, sign-offs.
 * 0 printed, 1 no such run (*err says so), -1 error. */
int journal_show(struct journal *j, int64_t run_id, FILE *out, int json, char **err);
/* The newest run's id, 0 if none, -1 on error. */
int64_t journal_last_run(struct journal *j, char **err);

/* The values a run works with: kind "input" (what the operator gave; secrets already
 * masked by the caller) or "capture" (what a probe kept for later steps). */
int journal_run_value(struct journal *j, int64_t run_id, const char *kind, const char *name,
		      const char *value, char **err);

/* Reading a run back (resume, review). Arrays are malloced; free with the _free calls. */
struct journal_value {
	char *kind, *name, *value;
};
/* In recording order (a later value of the same name wins). 0 or -1 with *err. */
int journal_run_values(struct journal *j, int64_t run_id, struct journal_value **out, int *n, char **err);
void journal_values_free(struct journal_value *v, int n);

struct journal_step_row {
	char *step_id, *title, *status, *observed, *expectation, *output, *note;
	int64_t duration_ms; /* -1 unknown */
	int64_t recorded_at;
};
/* Each step's newest result, ordered by step id as a number. 0 or -1 with *err. */
int journal_step_latest(struct journal *j, int64_t run_id, struct journal_step_row **out, int *n, char **err);
void journal_step_rows_free(struct journal_step_row *v, int n);

/* Every result of one step of a run, oldest first (periodic checks: one per check made). */
struct journal_step_result {
	char status[16];
	int64_t recorded_at;
	int64_t duration_ms; /* -1 unknown: recorded_at - duration_ms is when the check began */
};
/* 0 or -1 with *err; *out malloced (free()), NULL when *n is 0. */
int journal_step_results(struct journal *j, int64_t run_id, const char *step_id,
			 struct journal_step_result **out, int *n, char **err);

struct journal_run_info {
	char *kind, *ref, *title, *env, *operator_name, *os_user, *state;
	int64_t started_at;
};
/* 1 found, 0 no such run, -1 error. Free with journal_run_info_done(). */
int journal_run_info(struct journal *j, int64_t run_id, struct journal_run_info *ri, char **err);
void journal_run_info_done(struct journal_run_info *ri);
/* The newest run of kind/ref in env (NULL: any) whose state is started or resumed; 0 if
 * none, -1 on error. */
int64_t journal_find_open_run(struct journal *j, const char *kind, const char *ref, const char *env, char **err);
/* The newest run of kind/ref in env (NULL: any), whatever its state, with its latest event
 * (store/tracker.c: one indexed query, for the rollout tracker). */
struct journal_newest {
	int64_t id;              /* 0: no run */
	char *state, *note;      /* the latest event and its note (a roll-back's reason) */
	char *operator_name, *os_user;
	int64_t started_at, state_at; /* when it began; when the latest event was recorded */
};
/* 1 found, 0 none, -1 with *err. Free with journal_newest_done(). */
int journal_newest_run(struct journal *j, const char *kind, const char *ref, const char *env,
		       struct journal_newest *out, char **err);
void journal_newest_done(struct journal_newest *n);

struct journal_signoff_row {
	int64_t id, corrects_id; /* corrects_id 0: none */
	char *role, *person, *os_user, *comment, *reason;
	int64_t recorded_at;
};
/* A run's sign-offs in recording order. 0 or -1 with *err. */
int journal_signoffs(struct journal *j, int64_t run_id, struct journal_signoff_row **out, int *n, char **err);
void journal_signoff_rows_free(struct journal_signoff_row *v, int n);

/* The underlying SQLite handle, for tests and diagnostics only (fault injection). */
struct sqlite3;
struct sqlite3 *journal_sqlite(struct journal *j);

#endif
