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

static void count_status(struct step_counts *c, const char *status)
{
	if (str_eq(status, "pass") || str_eq(status, "manual-ok"))
		c->pass++;
	else if (str_eq(status, "fail") || str_eq(status, "error"))
		c->fail++;
	else
		c->other++;
	c->total++;
}

int store_step_counts(struct journal *j, int64_t run_id, struct step_counts *c, char **err)
{
	/* max(id) makes SQLite take status from each step's newest row; the
	 * step_results_by_run index covers the query, so big outputs are never read */
	if (!j->step_counts && sqlite3_prepare_v3(j->db, "SELECT status, max(id) FROM step_results "
						  "WHERE run_id = ?1 GROUP BY step_id", -1,
						  SQLITE_PREPARE_PERSISTENT, &j->step_counts, NULL) != SQLITE_OK)
		return store_fail(j, err, "cannot read step results");
	sqlite3_stmt *st = j->step_counts;
	memset(c, 0, sizeof *c);
	sqlite3_bind_int64(st, 1, run_id);
	int rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		count_status(c, (const char *)sqlite3_column_text(st, 0));
	if (rc != SQLITE_DONE)
		store_fail(j, err, "cannot read step results");
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? 0 : -1;
}
