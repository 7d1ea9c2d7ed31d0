/* Error and statement helpers shared by the store/ files. */
#include "store/store.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "src/util.h"

int store_fail(struct journal *j, char **err, const char *what)
{
	if (err)
		*err = xasprintf("journal %s: %s: %s", j->path, what, sqlite3_errmsg(j->db));
	return -1;
}

int store_failf(struct journal *j, char **err, const char *fmt, ...)
{
	if (!err)
		return -1;
	va_list ap;
	va_start(ap, fmt);
	char *msg = xvasprintf(fmt, ap);
	va_end(ap);
	*err = xasprintf("journal %s%s%s", j->path, msg[0] == ':' ? "" : " ", msg);
	free(msg);
	return -1;
}

void store_finalize(struct journal *j)
{
	for (size_t i = 0; i < JT__COUNT; i++) {
		sqlite3_finalize(j->insert[i]);
		j->insert[i] = NULL;
	}
	sqlite3_finalize(j->head_get);
	sqlite3_finalize(j->head_set);
	j->head_get = j->head_set = NULL;
	sqlite3_finalize(j->step_counts);
	j->step_counts = NULL;
}

sqlite3_stmt *store_prepare(struct journal *j, const char *sql, char **err)
{
	sqlite3_stmt *st = NULL;
	if (sqlite3_prepare_v2(j->db, sql, -1, &st, NULL) != SQLITE_OK) {
		store_fail(j, err, "cannot read the journal");
		sqlite3_finalize(st);
		return NULL;
	}
	return st;
}

int store_exec(struct journal *j, const char *sql, const char *what, char **err)
{
	if (sqlite3_exec(j->db, sql, NULL, NULL, NULL) != SQLITE_OK)
		return store_fail(j, err, what);
	return 0;
}

int store_bind_text(sqlite3_stmt *st, int i, const char *s)
{
	if (!s)
		return sqlite3_bind_null(st, i);
	return sqlite3_bind_text(st, i, s, -1, SQLITE_STATIC);
}

char *store_column_strdup(sqlite3_stmt *st, int i)
{
	const unsigned char *s = sqlite3_column_text(st, i);
	return s ? xstrdup((const char *)s) : NULL;
}

/* The columns of step_counts a status counts in (schema.h's IS_* say the same in SQL). */
enum { B_PASS, B_FAIL, B_SKIP, B_PENDING, B_TOTAL, B__COUNT };

static int bucket_of(const char *status)
{
	if (str_eq(status, "pass") || str_eq(status, "manual-ok"))
		return B_PASS;
	if (str_eq(status, "fail") || str_eq(status, "error"))
		return B_FAIL;
	return str_eq(status, "skip") ? B_SKIP : B_PENDING;
}

static void count_status(struct step_counts *c, const char *status)
{
	int b = bucket_of(status);
	if (b == B_PASS)
		c->pass++;
	else if (b == B_FAIL)
		c->fail++;
	else
		c->other++;
	c->total++;
}

/* The exact computation, from every result of the run's steps (the step_results_by_run
 * index covers it, so big outputs are never read). */
int store_step_counts_exact(struct journal *j, int64_t run_id, struct step_counts *c, char **err)
{
	sqlite3_stmt *st = store_prepare(j, "SELECT status, max(id) FROM step_results "
					 "WHERE run_id = ?1 GROUP BY step_id", err);
	if (!st)
		return -1;
	memset(c, 0, sizeof *c);
	sqlite3_bind_int64(st, 1, run_id);
	int rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		count_status(c, (const char *)sqlite3_column_text(st, 0));
	if (rc != SQLITE_DONE)
		store_fail(j, err, "cannot read step results");
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : -1;
}

int store_step_counts(struct journal *j, int64_t run_id, struct step_counts *c, char **err)
{
	if (!j->step_counts && sqlite3_prepare_v3(j->db, "SELECT pass, fail, skip + pending, total "
						  "FROM step_counts WHERE run_id = ?1", -1,
						  SQLITE_PREPARE_PERSISTENT, &j->step_counts, NULL) != SQLITE_OK)
		return store_fail(j, err, "cannot read step results");
	sqlite3_stmt *st = j->step_counts;
	memset(c, 0, sizeof *c);
	sqlite3_bind_int64(st, 1, run_id);
	int rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) { /* no row: no step recorded yet */
		c->pass = sqlite3_column_int64(st, 0);
		c->fail = sqlite3_column_int64(st, 1);
		c->other = sqlite3_column_int64(st, 2);
		c->total = sqlite3_column_int64(st, 3);
	} else if (rc != SQLITE_DONE) {
		store_fail(j, err, "cannot read step results");
	}
	sqlite3_reset(st);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : -1;
}

/* ---- checking step_counts against the step results (journal verify) ---- */


/* One run's counts against the next row of step_counts (both ordered by run): 0 equal,
 * 1 not (*bad_run set). A step_counts row of an earlier run had no step results at all. */
static int merge_run(sqlite3_stmt *kept, int *krc, int64_t run, const int64_t *n, int64_t *bad_run)
{
	*bad_run = run;
	if (*krc != SQLITE_ROW && *krc != SQLITE_DONE)
		return 0; /* reading step_counts failed (out of memory...): an error, not a mismatch */
	if (*krc == SQLITE_ROW && sqlite3_column_int64(kept, 0) < run) {
		*bad_run = sqlite3_column_int64(kept, 0);
		return 1;
	}
	if (*krc != SQLITE_ROW || sqlite3_column_int64(kept, 0) != run)
		return 1;
	for (int i = 0; i < B__COUNT; i++)
		if (sqlite3_column_int64(kept, 1 + i) != n[i])
			return 1;
	*krc = sqlite3_step(kept);
	return 0;
}

/* One pass over the step_results_by_run index in (run, step) order: each step's newest
 * result (the highest id) is counted, and each run's counts are merged with step_counts.
 * (The same in SQL, a GROUP BY of every step, takes four times as long.) */
static int check_counts(sqlite3_stmt *res, sqlite3_stmt *kept, int64_t *bad_run, int *rc)
{
	struct sbuf step = {0};
	int64_t run = 0, best_id = 0, n[B__COUNT] = {0};
	int best = B_PENDING, have = 0, krc = sqlite3_step(kept), bad = 0;
	while (!bad && (*rc = sqlite3_step(res)) == SQLITE_ROW) {
		int64_t r = sqlite3_column_int64(res, 0), id = sqlite3_column_int64(res, 3);
		const char *sid = (const char *)sqlite3_column_text(res, 1);
		size_t sn = (size_t)sqlite3_column_bytes(res, 1);
		const char *status = (const char *)sqlite3_column_text(res, 2);
		if ((!sid || !status) && sqlite3_errcode(sqlite3_db_handle(res)) == SQLITE_NOMEM) {
			*rc = SQLITE_NOMEM; /* a NULL for lack of memory would count as a changed row */
			break;
		}
		if (!have || r != run || sn != step.len || (sn && memcmp(sid, step.buf, sn))) {
			if (have) {
				n[best]++;
				n[B_TOTAL]++;
			}
			if (have && r != run) {
				bad = merge_run(kept, &krc, run, n, bad_run);
				memset(n, 0, sizeof n);
			}
			run = r;
			sbuf_reset(&step);
			sbuf_addn(&step, sid ? sid : "", sn);
			best_id = INT64_MIN;
			have = 1;
		}
		if (id > best_id) {
			best_id = id;
			best = bucket_of(status);
		}
	}
	if (!bad && *rc == SQLITE_DONE && have) {
		n[best]++;
		n[B_TOTAL]++;
		bad = merge_run(kept, &krc, run, n, bad_run);
	}
	if (!bad && *rc == SQLITE_DONE && krc == SQLITE_ROW) { /* counts of a run without steps */
		*bad_run = sqlite3_column_int64(kept, 0);
		bad = 1;
	}
	if (!bad && *rc == SQLITE_DONE && krc != SQLITE_ROW && krc != SQLITE_DONE)
		*rc = krc;
	sbuf_done(&step);
	return bad;
}

int store_step_counts_check(struct journal *j, int64_t *bad_run, char **err)
{
	sqlite3_stmt *res = store_prepare(j, "SELECT run_id, step_id, status, id FROM step_results "
					 "INDEXED BY step_results_by_run ORDER BY run_id, step_id", err);
	sqlite3_stmt *kept = res ? store_prepare(j, "SELECT run_id, pass, fail, skip, pending, total "
						 "FROM step_counts ORDER BY run_id", err) : NULL;
	int rc = SQLITE_DONE, bad = kept ? check_counts(res, kept, bad_run, &rc) : -1;
	if (bad == 0 && rc != SQLITE_DONE)
		bad = store_fail(j, err, "cannot check the step counts");
	sqlite3_finalize(res);
	sqlite3_finalize(kept);
	return bad;
}
