/* Internals shared by the store/ files: the journal handle and its error helpers.
 * Nothing outside store/ includes this; the public interface is store/journal.h. */
#ifndef OD_STORE_H
#define OD_STORE_H

#include <sqlite3.h>
#include <stdint.h>

#include "store/schema.h"

struct journal {
	sqlite3 *db;
	char *path;
	int read_only;
	sqlite3_stmt *insert[JT__COUNT]; /* cached INSERT per recorded table (chain.c) */
	sqlite3_stmt *head_get, *head_set;
	sqlite3_stmt *step_counts;       /* store_step_counts */
	int64_t cp_seq;                  /* the head this transaction appended (chain.c), 0 none */
	char cp_hash[65];
	char *cp_err;                    /* why the last checkpoint could not be written, or NULL */
};

/* Finalizes the cached statements, before sqlite3_close. */
void store_finalize(struct journal *j);

/* Sets *err (if err) to "journal PATH: WHAT: <sqlite error message>" and returns -1.
 * Call it before any ROLLBACK, which would reset the message. */
int store_fail(struct journal *j, char **err, const char *what);
/* Sets *err to "journal PATH <formatted>" and returns -1; fmt starts with a verb ("is
 * read-only") or with ": " ("journal PATH: cannot ...: why"). */
int store_failf(struct journal *j, char **err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Prepares sql; on failure sets *err via store_fail and returns NULL. */
sqlite3_stmt *store_prepare(struct journal *j, const char *sql, char **err);
/* Runs SQL without results (BEGIN, COMMIT, pragmas). 0 or -1 with *err. */
int store_exec(struct journal *j, const char *sql, const char *what, char **err);
/* Binds a C string, NULL as SQL NULL. */
int store_bind_text(sqlite3_stmt *st, int i, const char *s);
/* Step results of a run, counting each step's latest result only (a retried step once):
 * pass = pass + manual-ok, fail = fail + error, other = skip + pending. */
struct step_counts {
	int64_t pass, fail, other, total;
};
/* From the table step_counts (one row, kept by a trigger; journal verify checks it). */
int store_step_counts(struct journal *j, int64_t run_id, struct step_counts *c, char **err);
/* Computed from the run's step results (every result read): for decisions (a sign-off over
 * failed steps needs a reason), which must not rest on a derived table. */
int store_step_counts_exact(struct journal *j, int64_t run_id, struct step_counts *c, char **err);
/* Does step_counts hold, for every run, what its step results give? 0 yes, 1 no (*bad_run:
 * the first run whose counts differ), -1 error. Reads every step result's index entry. */
int store_step_counts_check(struct journal *j, int64_t *bad_run, char **err);

/* Copy of a text column, NULL for SQL NULL (caller frees). */
char *store_column_strdup(sqlite3_stmt *st, int i);

#endif
