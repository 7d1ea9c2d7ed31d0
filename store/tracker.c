/* The rollout tracker's query: the newest run of one checklist in one environment, with its
 * latest event, in one statement. runs_by_ref (schema 3, NOCASE: hence the COLLATE) makes it
 * a short index search however many runs the journal holds; run_events_latest finds the
 * event. Refs are written one way ("CL-W3-4"), so comparing without case changes nothing. */
#include <stdlib.h>
#include <string.h>

#include "store/journal.h"
#include "store/store.h"

int journal_newest_run(struct journal *j, const char *kind, const char *ref, const char *env,
		       struct journal_newest *out, char **err)
{
	memset(out, 0, sizeof(*out));
	sqlite3_stmt *st = store_prepare(
		j, "SELECT r.id, r.operator, r.os_user, r.started_at, e.event, e.note, e.recorded_at "
		   "FROM runs r LEFT JOIN run_events e ON e.id = "
		   "(SELECT max(id) FROM run_events WHERE run_id = r.id) "
		   "WHERE r.ref = ?2 COLLATE NOCASE AND r.kind = ?1 AND (?3 IS NULL OR r.env IS ?3) "
		   "ORDER BY r.id DESC LIMIT 1", err);
	if (!st)
		return -1;
	store_bind_text(st, 1, kind);
	store_bind_text(st, 2, ref);
	store_bind_text(st, 3, env);
	int rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		out->id = sqlite3_column_int64(st, 0);
		out->operator_name = store_column_strdup(st, 1);
		out->os_user = store_column_strdup(st, 2);
		out->started_at = sqlite3_column_int64(st, 3);
		out->state = store_column_strdup(st, 4);
		out->note = store_column_strdup(st, 5);
		out->state_at = sqlite3_column_int64(st, 6);
	} else if (rc != SQLITE_DONE) {
		store_fail(j, err, "cannot read the newest run");
	}
	sqlite3_finalize(st);
	return rc == SQLITE_ROW ? 1 : rc == SQLITE_DONE ? 0 : -1;
}

void journal_newest_done(struct journal_newest *n)
{
	free(n->state);
	free(n->note);
	free(n->operator_name);
	free(n->os_user);
	memset(n, 0, sizeof(*n));
}
