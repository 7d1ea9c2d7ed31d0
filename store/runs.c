/* Reading runs back: their values, each step's newest result, their state. Used to resume
 * an interrupted run and by the review screens. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "src/util.h"
#include "store/journal.h"
#include "store/store.h"

/* Room for one more element in a growing array of n elements. */
static void *grow(void *v, int n, int *cap, size_t size)
{
	if (n < *cap)
		return v;
	*cap = *cap ? *cap * 2 : 16;
	return xrealloc(v, size * (size_t)*cap);
}

int journal_run_values(struct journal *j, int64_t run_id, struct journal_value **out, int *n, char **err)
{
	*out = NULL;
	*n = 0;
	sqlite3_stmt *st = store_prepare(j, "SELECT kind, name, value FROM run_values WHERE run_id = ?1 "
					 "ORDER BY seq", err);
	if (!st)
		return -1;
	sqlite3_bind_int64(st, 1, run_id);
	int rc, cap = 0;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		*out = grow(*out, *n, &cap, sizeof(**out));
		struct journal_value *v = &(*out)[(*n)++];
		v->kind = store_column_strdup(st, 0);
		v->name = store_column_strdup(st, 1);
		v->value = store_column_strdup(st, 2);
	}
	if (rc != SQLITE_DONE)
		store_fail(j, err, "cannot read the run's values");
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : -1;
}

void journal_values_free(struct journal_value *v, int n)
{
	for (int i = 0; i < n; i++) {
		free(v[i].kind);
		free(v[i].name);
		free(v[i].value);
	}
	free(v);
}

int journal_step_latest(struct journal *j, int64_t run_id, struct journal_step_row **out, int *n, char **err)
{
	*out = NULL;
	*n = 0;
	sqlite3_stmt *st = store_prepare(
		j, "SELECT step_id, title, status, observed, expectation, output, note, duration_ms, recorded_at "
		   "FROM step_results WHERE id IN (SELECT max(id) FROM step_results WHERE run_id = ?1 "
		   "GROUP BY step_id) ORDER BY CAST(step_id AS INTEGER), step_id", err);
	if (!st)
		return -1;
	sqlite3_bind_int64(st, 1, run_id);
	int rc, cap = 0;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		*out = grow(*out, *n, &cap, sizeof(**out));
		struct journal_step_row *r = &(*out)[(*n)++];
		r->step_id = store_column_strdup(st, 0);
		r->title = store_column_strdup(st, 1);
		r->status = store_column_strdup(st, 2);
		r->observed = store_column_strdup(st, 3);
		r->expectation = store_column_strdup(st, 4);
		r->output = store_column_strdup(st, 5);
		r->note = store_column_strdup(st, 6);
		r->duration_ms = sqlite3_column_type(st, 7) == SQLITE_NULL ? -1 : sqlite3_column_int64(st, 7);
		r->recorded_at = sqlite3_column_int64(st, 8);
	}
	if (rc != SQLITE_DONE)
		store_fail(j, err, "cannot read step results");
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : -1;
}

int journal_step_results(struct journal *j, int64_t run_id, const char *step_id,
			 struct journal_step_result **out, int *n, char **err)
{
	*out = NULL;
	*n = 0;
	sqlite3_stmt *st = store_prepare(j, "SELECT status, recorded_at, coalesce(duration_ms, -1) FROM step_results "
					    "WHERE run_id = ?1 AND step_id = ?2 ORDER BY id", err);
	if (!st)
		return -1;
	sqlite3_bind_int64(st, 1, run_id);
	sqlite3_bind_text(st, 2, step_id, -1, SQLITE_STATIC);
	int rc, cap = 0;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		*out = grow(*out, *n, &cap, sizeof(**out));
		struct journal_step_result *r = &(*out)[(*n)++];
		const unsigned char *s = sqlite3_column_text(st, 0);
		snprintf(r->status, sizeof r->status, "%s", s ? (const char *)s : "");
		r->recorded_at = sqlite3_column_int64(st, 1);
		r->duration_ms = sqlite3_column_int64(st, 2);
	}
	if (rc != SQLITE_DONE)
		store_fail(j, err, "cannot read step results");
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : -1;
}

void journal_step_rows_free(struct journal_step_row *v, int n)
{
	for (int i = 0; i < n; i++) {
		free(v[i].step_id);
		free(v[i].title);
		free(v[i].status);
		free(v[i].observed);
		free(v[i].expectation);
		free(v[i].output);
		free(v[i].note);
	}
	free(v);
}

int journal_run_info(struct journal *j, int64_t run_id, struct journal_run_info *ri, char **err)
{
	memset(ri, 0, sizeof(*ri));
	sqlite3_stmt *st = store_prepare(
		j, "SELECT kind, ref, title, env, operator, os_user, started_at, "
		   "(SELECT event FROM run_events WHERE run_id = runs.id ORDER BY seq DESC LIMIT 1) "
		   "FROM runs WHERE id = ?1", err);
	if (!st)
		return -1;
	sqlite3_bind_int64(st, 1, run_id);
	int rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		ri->kind = store_column_strdup(st, 0);
		ri->ref = store_column_strdup(st, 1);
		ri->title = store_column_strdup(st, 2);
		ri->env = store_column_strdup(st, 3);
		ri->operator_name = store_column_strdup(st, 4);
		ri->os_user = store_column_strdup(st, 5);
		ri->started_at = sqlite3_column_int64(st, 6);
		ri->state = store_column_strdup(st, 7);
	} else if (rc != SQLITE_DONE) {
		store_fail(j, err, "cannot read the run");
	}
	sqlite3_finalize(st);
	return rc == SQLITE_ROW ? 1 : rc == SQLITE_DONE ? 0 : -1;
}

void journal_run_info_done(struct journal_run_info *ri)
{
	free(ri->kind);
	free(ri->ref);
	free(ri->title);
	free(ri->env);
	free(ri->operator_name);
	free(ri->os_user);
	free(ri->state);
	memset(ri, 0, sizeof(*ri));
}

int64_t journal_find_open_run(struct journal *j, const char *kind, const char *ref, const char *env, char **err)
{
	sqlite3_stmt *st = store_prepare(
		j, "SELECT id FROM runs WHERE kind = ?1 AND ref = ?2 AND (?3 IS NULL OR env IS ?3) "
		   "AND (SELECT event FROM run_events WHERE run_id = runs.id ORDER BY seq DESC LIMIT 1) "
		   "IN ('started', 'resumed') ORDER BY id DESC LIMIT 1", err);
	if (!st)
		return -1;
	store_bind_text(st, 1, kind);
	store_bind_text(st, 2, ref);
	store_bind_text(st, 3, env);
	int rc = sqlite3_step(st);
	int64_t id = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
	if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
		store_fail(j, err, "cannot look for an unfinished run");
		id = -1;
	}
	sqlite3_finalize(st);
	return id;
}

int journal_signoffs(struct journal *j, int64_t run_id, struct journal_signoff_row **out, int *n, char **err)
{
	*out = NULL;
	*n = 0;
	sqlite3_stmt *st = store_prepare(j, "SELECT id, coalesce(corrects_id, 0), role, person, os_user, comment, "
					 "reason, recorded_at FROM signoffs WHERE run_id = ?1 ORDER BY seq", err);
	if (!st)
		return -1;
	sqlite3_bind_int64(st, 1, run_id);
	int rc, cap = 0;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		*out = grow(*out, *n, &cap, sizeof(**out));
		struct journal_signoff_row *r = &(*out)[(*n)++];
		r->id = sqlite3_column_int64(st, 0);
		r->corrects_id = sqlite3_column_int64(st, 1);
		r->role = store_column_strdup(st, 2);
		r->person = store_column_strdup(st, 3);
		r->os_user = store_column_strdup(st, 4);
		r->comment = store_column_strdup(st, 5);
		r->reason = store_column_strdup(st, 6);
		r->recorded_at = sqlite3_column_int64(st, 7);
	}
	if (rc != SQLITE_DONE)
		store_fail(j, err, "cannot read the sign-offs");
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : -1;
}

void journal_signoff_rows_free(struct journal_signoff_row *v, int n)
{
	for (int i = 0; i < n; i++) {
		free(v[i].role);
		free(v[i].person);
		free(v[i].os_user);
		free(v[i].comment);
		free(v[i].reason);
	}
	free(v);
}
