/* The lead's review of the journal: runs filtered and paged in SQL (so a journal of
 * 100,000 runs opens as fast as one of ten), a run's whole detail loaded at once, and each
 * step's expectation compared with the baselines it names (baseline, now, delta, verdict).
 * The console's review screen draws only what these return; it never runs SQL itself. */
#ifndef OD_REVIEW_H
#define OD_REVIEW_H

#include <stddef.h>
#include <stdint.h>

#include "store/journal.h"

/* ---- which runs ---- */

struct review_filter {
	char ref[64];           /* "W3-4" finds CL-W3-4 too, "1" RB-1; any case; "" = all */
	char kind[16];          /* runbook checklist snapshot; "" = all */
	char operator_name[64]; /* part of the typed name or of the OS user, any case */
	char state[16];         /* the run's latest event; "open" = started or resumed */
	int64_t since_ms, until_ms; /* started in [since, until); 0 = no bound */
	char since_txt[32], until_txt[32]; /* as typed, for the screen */
	char text[128];         /* '/' as you type: part of ref, title or operator, any case */
};

/* Parses "ref=W3-4 operator=ana state=done since=7d until=2026-11-30 kind=checklist" into
 * *f, replacing it. Values may be quoted ('Ana Diaz' or "Ana Diaz"); words without '=' are
 * the text filter. Dates are YYYY-MM-DD (local; until= includes that whole day), "today",
 * or a span back from now_ms: 7d, 2w, 12h, 30min. 0, or -1 with *err (malloced) naming the
 * field and what it accepts; *f is left unchanged then. */
int review_filter_parse(struct review_filter *f, const char *args, int64_t now_ms, char **err);
/* The filter as it would be typed ("ref=W3-4 state=done since=7d /ana"); "" when none. */
void review_filter_describe(const struct review_filter *f, char *buf, size_t n);
int review_filter_empty(const struct review_filter *f);

/* Step results of a run, each step's newest result counted once. */
struct review_counts {
	int pass;    /* pass, manual-ok */
	int fail;    /* fail, error */
	int skip;
	int pending; /* recorded as pending (steps never recorded are not in the journal) */
	int total;
};

struct review_row {
	int64_t id, started_at;
	char *kind, *ref, *title, *env, *operator_name, *os_user, *host, *state;
	struct review_counts steps;
	int signed_roles; /* roles with a sign-off that no later one corrects */
	int with_reason;  /* of those, signed over failed or unchecked steps (with a reason) */
};

/* Up to limit runs that match f, always newest first: dir < 0 the ones older than run
 * `from` (INT64_MAX: from the newest), dir > 0 the ones newer than `from` that are closest
 * to it (0: the oldest runs). 0, or -1 with *err. */
int review_page(struct journal *j, const struct review_filter *f, int64_t from, int dir, int limit,
		struct review_row **out, int *n, char **err);
void review_rows_free(struct review_row *v, int n);
void review_row_done(struct review_row *r);
/* One run as a row (any filter aside): 1 found, 0 none, -1 with *err. */
int review_row_load(struct journal *j, int64_t id, struct review_row *r, char **err);
/* How many runs match f; -1 with *err. (When a first page from the newest came back short,
 * its length is the count: no need to ask.) */
int64_t review_count(struct journal *j, const struct review_filter *f, char **err);

/* ---- one run ---- */

/* A baseline an expectation names, next to what the step saw. */
struct review_cmp {
	char *name;
	char *unit;           /* as recorded with the baseline; NULL unknown */
	int has_base, has_now;
	double base, now;     /* the baseline the check used, the value compared with it */
	double delta, pct;    /* now - base; delta in % of |base| (NAN when base is 0) */
};

/* Pure: the baselines expectation names, each with its value as observed recorded it
 * ("baseline('p95_ms') = 120") and the value compared with it: the first other term of
 * the same clause that observed gives a number ("json(.statistics.p95) = 126"). Returns
 * how many (at most max); names beyond max are left out. Free each with review_cmp_done. */
int review_compare(const char *expectation, const char *observed, struct review_cmp *out, int max);
void review_cmp_done(struct review_cmp *c);

struct review_baseline {
	char *name, *unit;
	double value;
	int64_t recorded_at;
};

struct review_step_cmp {
	struct review_cmp *v;
	int n;
};

struct review_detail {
	struct review_row run;
	int64_t ended_at;   /* when it ended (done failed aborted), 0 if open */
	int64_t last_at;    /* its newest event */
	struct journal_step_row *steps; /* each step's newest result, by step number */
	struct review_step_cmp *cmp;    /* per step: its baselines compared */
	int n_steps;
	struct journal_value *values;   /* inputs and captures */
	int n_values;
	struct review_baseline *baselines; /* taken in this run, typed ones too */
	int n_baselines;
	struct journal_signoff_row *signoffs;
	int n_signoffs;
};

/* Loads run_id whole. A baseline the observed text does not give is the newest of that
 * name recorded in the run's environment up to the step's result; units come from there.
 * 1 loaded, 0 no such run, -1 with *err. Release with review_detail_done (also after 0/-1). */
int review_detail_load(struct journal *j, int64_t run_id, struct review_detail *d, char **err);
void review_detail_done(struct review_detail *d);
/* The sign-off that corrects sign-off id, or NULL. */
const struct journal_signoff_row *review_correction_of(const struct review_detail *d, int64_t id);

/* text with any password or secret of a DSN in it (a conninfo pair or a URL, anywhere in
 * the text) replaced by "****" (src/mask.c); malloced, NULL for NULL. review_detail_load
 * passes outputs, observed values, notes, values and sign-off texts through it. */
char *review_mask_text(const char *text);

/* Verdict words for a step status: "pass", "FAIL", "error", "skipped", "pending". */
const char *review_verdict(const char *status);

#endif
