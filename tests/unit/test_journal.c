/* The journal: recording, reopening, append-only triggers, the hash chain finding every
 * kind of tampering, refusals that leave the chain intact, and kill -9 durability. */
#include <cjson/cJSON.h>
#include <errno.h>
#include <math.h>
#include <signal.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "src/export.h"
#include "src/util.h"
#include "store/checkpoint.h"
#include "store/journal.h"
#include "store/review.h"
#include "tests/unit/files.h"
#include "tests/unit/tap.h"

static char *tmpdir;

static char *tmp_path(const char *name) { return xasprintf("%s/%s", tmpdir, name); }

static int contains(const char *s, const char *needle) { return s && strstr(s, needle) != NULL; }

/* ---- direct SQLite access, as a tamperer would have ---- */

static char *sql_err; /* last error of sql() */

static int sql(const char *path, const char *stmt)
{
	sqlite3 *db;
	char *msg = NULL;
	str_free(&sql_err);
	int rc = sqlite3_open(path, &db);
	if (rc == SQLITE_OK)
		rc = sqlite3_exec(db, stmt, NULL, NULL, &msg);
	if (rc != SQLITE_OK)
		sql_err = xstrdup(msg ? msg : sqlite3_errmsg(db));
	sqlite3_free(msg);
	sqlite3_close(db);
	return rc;
}

static int64_t sql_int(const char *path, const char *query)
{
	sqlite3 *db;
	sqlite3_stmt *st = NULL;
	int64_t v = -1;
	if (sqlite3_open(path, &db) == SQLITE_OK &&
	    sqlite3_prepare_v2(db, query, -1, &st, NULL) == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	sqlite3_close(db);
	return v;
}

static int collect_drop(void *arg, int n, char **val, char **col)
{
	sbuf_addf(arg, "DROP TRIGGER \"%s\";", val[0]);
	return 0;
}

static int drop_triggers(const char *path)
{
	sqlite3 *db;
	struct sbuf sb = {0};
	sbuf_add(&sb, "");
	int rc = sqlite3_open(path, &db);
	if (rc == SQLITE_OK)
		rc = sqlite3_exec(db, "SELECT name FROM sqlite_master WHERE type = 'trigger'", collect_drop,
				  &sb, NULL);
	if (rc == SQLITE_OK)
		rc = sqlite3_exec(db, sb.buf, NULL, NULL, NULL);
	sqlite3_close(db);
	sbuf_done(&sb);
	return rc;
}

/* ---- journal helpers ---- */

/* 0 intact, 1 broken, -1 error; v filled. */
static int verify_file(const char *path, struct journal_verify *v)
{
	struct journal *j;
	char *err = NULL;
	if (journal_open_readonly(&j, path, &err) < 0) {
		printf("# open %s: %s\n", path, err);
		free(err);
		return -1;
	}
	int rc = journal_verify(j, v, &err);
	if (rc < 0)
		printf("# verify %s: %s\n", path, err);
	free(err);
	journal_close(j);
	return rc;
}

static int64_t begin_run(struct journal *j, const char *ref, const char *title)
{
	struct journal_run r = {"runbook", ref, title, "staging", "alice", NULL, NULL};
	char *err = NULL;
	int64_t id = journal_run_begin(j, &r, &err);
	if (id < 0)
		printf("# run_begin: %s\n", err);
	free(err);
	return id;
}

static int step(struct journal *j, int64_t run, const char *id, const char *status, const char *output)
{
	struct journal_step s = {run, id, "a step", status, "12", "value < 1000", output, NULL, 42};
	char *err = NULL;
	int rc = journal_step_record(j, &s, &err);
	if (rc < 0)
		printf("# step_record: %s\n", err);
	free(err);
	return rc;
}

static int sample(struct journal *j, double value)
{
	char *err = NULL;
	int rc = journal_sample(j, "replica.east", "replay_lag_ms", value, "ms", &err);
	if (rc < 0)
		printf("# sample: %s\n", err);
	free(err);
	return rc;
}

/* The reference journal the tamper tests copy: 2 runs, 6 steps, samples, a baseline,
 * a sign-off. Returns the number of rows. */
static int64_t build_reference(const char *path)
{
	struct journal *j = open_ok(path);
	char *err = NULL;
	int64_t rows = 0;
	if (!j)
		return -1;
	int64_t r1 = begin_run(j, "RB-1", NULL); /* title NULL: NULL must differ from "" */
	rows += 2;
	for (int i = 1; i <= 3; i++, rows++)
		step(j, r1, i == 1 ? "1" : i == 2 ? "2" : "2.1", i == 2 ? "fail" : "pass", "line 1\nline 2\n");
	rows += journal_baseline(j, r1, "p95_ms", 123.25, "ms", &err) == 0;
	rows += journal_run_end(j, r1, "failed", &err) == 0;
	for (int i = 0; i < 3; i++, rows++)
		sample(j, i * 0.5);
	int64_t r2 = begin_run(j, "W3-4", "Read replicas");
	rows += 2;
	for (int i = 1; i <= 3; i++, rows++)
		step(j, r2, i == 1 ? "1" : i == 2 ? "2" : "3", "pass", NULL);
	struct journal_signoff so = {r2, "DBA", "Bob", NULL, NULL, "all green", NULL, 0};
	rows += journal_signoff(j, &so, &err) > 0;
	rows += journal_run_end(j, r2, "done", &err) == 0;
	free(err);
	journal_close(j);
	return rows;
}

/* ---- tests ---- */

static void test_default_path(void)
{
	char *old_xdg = getenv("XDG_DATA_HOME") ? xstrdup(getenv("XDG_DATA_HOME")) : NULL;
	char *old_home = getenv("HOME") ? xstrdup(getenv("HOME")) : NULL;
	setenv("XDG_DATA_HOME", "/data/x", 1);
	char *p = journal_default_path();
	is_str(p, "/data/x/opsdeck/journal.db", "XDG_DATA_HOME is honoured");
	free(p);
	setenv("XDG_DATA_HOME", "relative", 1);
	setenv("HOME", "/home/op", 1);
	p = journal_default_path();
	is_str(p, "/home/op/.local/share/opsdeck/journal.db", "a relative XDG_DATA_HOME is ignored");
	free(p);
	if (old_xdg)
		setenv("XDG_DATA_HOME", old_xdg, 1);
	else
		unsetenv("XDG_DATA_HOME");
	if (old_home)
		setenv("HOME", old_home, 1);
	free(old_xdg);
	free(old_home);
}

static void test_create(void)
{
	char *path = tmp_path("new/deeper/journal.db");
	char *dir = tmp_path("new/deeper");
	struct stat sb;
	struct journal *j = open_ok(path);
	ok(j != NULL, "journal_open creates a journal and its directories");
	ok(stat(dir, &sb) == 0 && (sb.st_mode & 0777) == 0700, "its directory is 0700");
	ok(stat(path, &sb) == 0 && (sb.st_mode & 0777) == 0600, "the file is 0600");
	journal_close(j);
	is_int(sql_int(path, "PRAGMA user_version"), journal_schema_version(), "schema version recorded");
	is_int(sql_int(path, "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name IN "
			     "('runs','run_events','step_results','baselines','samples','signoffs','chain_head')"),
	       7, "all tables exist");
	sqlite3 *db;
	char *mode = NULL;
	sqlite3_stmt *st;
	sqlite3_open(path, &db);
	sqlite3_prepare_v2(db, "PRAGMA journal_mode", -1, &st, NULL);
	if (sqlite3_step(st) == SQLITE_ROW)
		mode = xstrdup((const char *)sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
	sqlite3_close(db);
	is_str(mode, "wal", "journal is in WAL mode");
	free(mode);
	struct journal_verify v;
	is_int(verify_file(path, &v), 0, "an empty journal verifies");
	is_int(v.rows, 0, "with 0 rows");
	free(path);
	free(dir);
}

static void test_record_verify(const char *ref, int64_t rows)
{
	struct journal_verify v;
	ok(rows == 17, "reference journal recorded (%lld rows)", (long long)rows);
	is_int(verify_file(ref, &v), 0, "the untouched journal verifies intact");
	is_int(v.rows, rows, "every row was checked");
	is_int(v.head_seq, rows, "the chain head is the last seq");
	is_int(v.first_bad_seq, 0, "no bad row");
	is_int(sql_int(ref, "SELECT count(*) FROM (SELECT seq FROM runs UNION ALL SELECT seq FROM run_events "
			    "UNION ALL SELECT seq FROM step_results UNION ALL SELECT seq FROM baselines UNION ALL "
			    "SELECT seq FROM samples UNION ALL SELECT seq FROM signoffs)"),
	       rows, "one global seq across tables");
}

/* The statement fails with a message containing want; the message goes to the TAP log. */
static int refused(const char *path, const char *stmt, const char *want)
{
	int rc = sql(path, stmt);
	printf("# %s\n", sql_err ? sql_err : "(no error)");
	return rc != SQLITE_OK && contains(sql_err, want);
}

static void test_triggers(const char *ref)
{
	char *path = tmp_path("triggers.db");
	copy_file(ref, path);
	ok(refused(path, "UPDATE step_results SET observed = 'x' WHERE id = 1",
		   "journal is append-only: step_results rows cannot be updated"), "UPDATE is refused");
	ok(refused(path, "DELETE FROM samples WHERE id = 1",
		   "journal is append-only: samples rows cannot be deleted"), "DELETE is refused");
	ok(refused(path, "DELETE FROM runs", "append-only"), "DELETE of runs is refused");
	ok(refused(path, "INSERT INTO samples (seq, source, metric, value, recorded_at, prev_hash, hash) "
			 "VALUES (1000, 's', 'm', 1, 0, 'x', 'y')", "next link of the hash chain"),
	   "an INSERT outside the chain is refused");
	ok(refused(path, "UPDATE chain_head SET seq = 3", "chain head only advances"),
	   "the chain head cannot be rewound");
	ok(refused(path, "DELETE FROM chain_head", "chain head cannot be deleted"),
	   "the chain head cannot be deleted");
	struct journal_verify v;
	is_int(verify_file(path, &v), 0, "still intact after the refused statements");
	free(path);
}

/* Copies ref, drops the triggers, runs tamper, and checks verify names the row. */
static void check_tamper(const char *ref, const char *name, const char *tamper, const char *table,
			 int64_t seq, const char *reason)
{
	char *file = xasprintf("tamper-%s.db", name);
	char *path = tmp_path(file);
	struct journal_verify v;
	copy_file(ref, path);
	ok(drop_triggers(path) == SQLITE_OK && sql(path, tamper) == SQLITE_OK, "%s: tampered", name);
	is_int(verify_file(path, &v), 1, "%s: verify reports it", name);
	is_str(v.table, table, "%s: names table %s", name, table);
	is_int(v.first_bad_seq, seq, "%s: names seq %lld", name, (long long)seq);
	ok(contains(v.reason, reason), "%s: reason '%s'", name, v.reason);
	free(file);
	free(path);
}

static void test_tampering(const char *ref)
{
	int64_t s2 = sql_int(ref, "SELECT seq FROM step_results WHERE id = 2");
	int64_t s3 = sql_int(ref, "SELECT seq FROM step_results WHERE id = 3");
	int64_t sm = sql_int(ref, "SELECT seq FROM samples WHERE id = 2");
	int64_t r1 = sql_int(ref, "SELECT seq FROM runs WHERE id = 1");
	int64_t last = sql_int(ref, "SELECT seq FROM chain_head");
	ok(s3 == s2 + 1, "steps 2 and 3 are neighbours in the chain");

	check_tamper(ref, "altered", "UPDATE step_results SET status = 'pass' WHERE id = 2",
		     "step_results", s2, "content altered");
	check_tamper(ref, "real", "UPDATE samples SET value = value + 0.001 WHERE id = 2",
		     "samples", sm, "content altered");
	check_tamper(ref, "null-to-empty", "UPDATE runs SET title = '' WHERE id = 1",
		     "runs", r1, "content altered");
	check_tamper(ref, "deleted", "DELETE FROM step_results WHERE id = 2",
		     "step_results", s3, "missing");
	check_tamper(ref, "reordered",
		     "UPDATE step_results SET seq = -seq WHERE id IN (2, 3);"
		     "UPDATE step_results SET seq = -seq + (CASE id WHEN 2 THEN 1 ELSE -1 END) WHERE id IN (2, 3)",
		     "step_results", s2, "prev_hash");
	check_tamper(ref, "swapped",
		     "CREATE TEMP TABLE c AS SELECT id, status FROM step_results WHERE id IN (2, 3);"
		     "UPDATE step_results SET status = (SELECT status FROM c WHERE c.id = 5 - step_results.id) "
		     "WHERE id IN (2, 3)",
		     "step_results", s2, "content altered");
	check_tamper(ref, "truncated", "DELETE FROM run_events WHERE seq = (SELECT seq FROM chain_head)",
		     "chain_head", last, "tail truncated");
	check_tamper(ref, "head", "UPDATE chain_head SET hash = replace(hash, substr(hash, 1, 1), 'x')",
		     "chain_head", last, "chain head");
}

static void test_reopen(const char *ref)
{
	char *path = tmp_path("reopen.db");
	copy_file(ref, path);
	int64_t head = sql_int(path, "SELECT seq FROM chain_head");
	struct journal *j = open_ok(path);
	ok(j != NULL, "an existing journal reopens");
	ok(sample(j, 7) == 0, "and takes new rows");
	journal_close(j);
	struct journal_verify v;
	is_int(verify_file(path, &v), 0, "the chain continues across reopening");
	is_int(v.head_seq, head + 1, "at the next seq");
	is_int(sql_int(path, "SELECT seq FROM samples ORDER BY id DESC LIMIT 1"), head + 1,
	       "the new row carries it");
	free(path);
}

static void test_refusals(const char *ref)
{
	int pass;
	char *path = tmp_path("refusals.db");
	copy_file(ref, path);
	struct journal *j = open_ok(path);
	char *err = NULL;
	struct journal_step bad = {1, "9", "t", "great", NULL, NULL, NULL, NULL, 1};
	pass = journal_step_record(j, &bad, &err) < 0 && contains(err, "unknown status 'great'");
	ok(pass, "unknown step status refused: %s", err);
	str_free(&err);
	struct journal_step orphan = {999, "1", "t", "pass", NULL, NULL, NULL, NULL, 1};
	pass = journal_step_record(j, &orphan, &err) < 0 && contains(err, "no run 999");
	ok(pass, "step for a missing run refused: %s", err);
	str_free(&err);
	pass = journal_run_end(j, 1, "finished", &err) < 0 && contains(err, "unknown state");
	ok(pass, "unknown run state refused: %s", err);
	str_free(&err);
	pass = journal_sample(j, "s", "m", NAN, NULL, &err) < 0 && contains(err, "not a number");
	ok(pass, "NaN sample refused: %s", err);
	str_free(&err);
	struct journal_signoff so = {1, "DBA", "Bob", NULL, NULL, NULL, NULL, 0};
	pass = journal_signoff(j, &so, &err) < 0 && contains(err, "needs a reason");
	ok(pass, "sign-off over failed steps without a reason refused: %s", err);
	str_free(&err);
	so.reason = "lag was a known network blip";
	int64_t first = journal_signoff(j, &so, &err);
	ok(first > 0, "with a reason it is recorded");
	so.corrects_id = 999;
	pass = journal_signoff(j, &so, &err) < 0 && contains(err, "no sign-off 999");
	ok(pass, "correcting a missing sign-off refused: %s", err);
	str_free(&err);
	so.corrects_id = first;
	so.comment = "typo in the reason";
	ok(journal_signoff(j, &so, &err) > first, "a correcting sign-off is recorded");
	journal_close(j);
	struct journal_verify v;
	is_int(verify_file(path, &v), 0, "refusals left the chain intact");
	free(err);
	free(path);
}

static void test_counts_and_baseline(void)
{
	char *path = tmp_path("counts.db");
	struct journal *j = open_ok(path);
	char *err = NULL, *unit = NULL, *state = NULL;
	int64_t run = begin_run(j, "RB-6", "Pool exhaustion");
	step(j, run, "1", "fail", NULL);
	step(j, run, "1", "pass", NULL); /* retried */
	step(j, run, "2", "manual-ok", NULL);
	step(j, run, "3", "error", NULL);
	step(j, run, "4", "skip", NULL);
	journal_baseline(j, run, "p95_ms", 100, "ms", &err);
	journal_baseline(j, run, "p95_ms", 110, "ms", &err);
	double value = 0;
	is_int(journal_baseline_latest(j, "staging", "p95_ms", &value, &unit, &err), 1, "baseline found");
	ok(value == 110 && str_eq(unit, "ms"), "the newest baseline wins (%g %s)", value, unit);
	free(unit);
	is_int(journal_baseline_latest(j, "production", "p95_ms", &value, NULL, &err), 0,
	       "baselines are per environment");
	is_int(journal_run_state(j, run, &state, &err), 1, "run state found");
	is_str(state, "started", "a running run is 'started'");
	free(state);
	is_int(journal_run_resume(j, run, "after a crash", &err), 0, "resume recorded");
	journal_run_state(j, run, &state, &err);
	is_str(state, "resumed", "then 'resumed'");
	free(state);

	char *out = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&out, &len);
	is_int(journal_list(j, f, 1, &err), 0, "journal_list --json");
	fclose(f);
	cJSON *doc = cJSON_Parse(out);
	cJSON *steps = cJSON_GetObjectItem(cJSON_GetArrayItem(cJSON_GetObjectItem(doc, "runs"), 0), "steps");
	is_int(cJSON_GetNumberValue(cJSON_GetObjectItem(steps, "pass")), 2, "pass counts the retried step's latest result and manual-ok");
	is_int(cJSON_GetNumberValue(cJSON_GetObjectItem(steps, "fail")), 1, "fail counts error");
	is_int(cJSON_GetNumberValue(cJSON_GetObjectItem(steps, "other")), 1, "other counts skip");
	cJSON_Delete(doc);
	free(out);
	free(err);
	journal_close(j);
	free(path);
}

static char *capture_list(struct journal *j, int json, int64_t show)
{
	char *out = NULL, *err = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&out, &len);
	int rc = show ? journal_show(j, show, f, json, &err) : journal_list(j, f, json, &err);
	fclose(f);
	if (rc != 0)
		printf("# %s\n", err);
	free(err);
	return out;
}

static void test_list_show(const char *ref)
{
	int pass;
	char *empty_path = tmp_path("empty.db");
	struct journal *j = open_ok(empty_path);
	char *out = capture_list(j, 0, 0);
	ok(contains(out, "no runs recorded yet in") && contains(out, empty_path), "empty journal says so");
	free(out);
	journal_close(j);

	char *err = NULL;
	ok(journal_open_readonly(&j, ref, &err) == 0, "read-only open");
	out = capture_list(j, 0, 0);
	ok(contains(out, "ID") && contains(out, "STARTED") && contains(out, "OPERATOR"), "table header");
	char *w34 = strstr(out, "W3-4"), *rb1 = strstr(out, "RB-1");
	ok(w34 && rb1 && w34 < rb1, "newest run first");
	ok(contains(out, "alice/"), "operator/os_user shown");
	free(out);
	out = capture_list(j, 1, 0);
	cJSON *doc = cJSON_Parse(out);
	cJSON *runs = cJSON_GetObjectItem(doc, "runs");
	is_int(cJSON_GetArraySize(runs), 2, "JSON has both runs");
	is_str(cJSON_GetStringValue(cJSON_GetObjectItem(cJSON_GetArrayItem(runs, 0), "state")), "done",
	       "JSON state of the newest run");
	cJSON_Delete(doc);
	free(out);
	out = capture_list(j, 0, 1);
	ok(contains(out, "run 1: runbook RB-1") && contains(out, "failed") && contains(out, "| line 2"),
	   "show prints header, events and output");
	free(out);
	out = capture_list(j, 1, 2);
	doc = cJSON_Parse(out);
	is_int(cJSON_GetArraySize(cJSON_GetObjectItem(doc, "signoffs")), 1, "show --json has the sign-off");
	is_int(cJSON_GetArraySize(cJSON_GetObjectItem(doc, "steps")), 3, "and the steps");
	cJSON_Delete(doc);
	free(out);
	out = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&out, &len);
	pass = journal_show(j, 77, f, 0, &err) == 1 && contains(err, "no run 77");
	ok(pass, "show of a missing run: %s", err);
	fclose(f);
	free(out);
	free(err);
	journal_close(j);
	free(empty_path);
}

/* ---- derived step counts (schema 4) ---- */

/* The computation journal list used before schema 4, straight from the step results:
 * bucket 0 pass+manual-ok, 1 fail+error, 2 skip, 3 pending, 4 total. */
static int64_t exact_count(const char *path, int64_t run, int bucket)
{
	static const char *const where[] = {"status IN ('pass', 'manual-ok')", "status IN ('fail', 'error')",
					    "status = 'skip'", "status = 'pending'", "1"};
	char *q = xasprintf("SELECT count(*) FROM (SELECT status, max(id) FROM step_results WHERE run_id = %lld "
			    "GROUP BY step_id) WHERE %s", (long long)run, where[bucket]);
	int64_t n = sql_int(path, q);
	free(q);
	return n;
}

/* Every run's counts as journal list and the review show them equal the exact ones. */
static int counts_match(const char *path, const int64_t *runs, int nruns)
{
	struct journal *j;
	char *err = NULL;
	int good = journal_open_readonly(&j, path, &err) == 0;
	for (int i = 0; good && i < nruns; i++) {
		struct review_row r;
		good = review_row_load(j, runs[i], &r, &err) == 1 && r.steps.pass == exact_count(path, runs[i], 0) &&
		       r.steps.fail == exact_count(path, runs[i], 1) && r.steps.skip == exact_count(path, runs[i], 2) &&
		       r.steps.pending == exact_count(path, runs[i], 3) && r.steps.total == exact_count(path, runs[i], 4);
		if (!good)
			printf("# run %lld: review %d/%d/%d/%d/%d\n", (long long)runs[i], r.steps.pass, r.steps.fail,
			       r.steps.skip, r.steps.pending, r.steps.total);
		review_row_done(&r);
	}
	if (good) {
		char *out = capture_list(j, 1, 0);
		cJSON *doc = cJSON_Parse(out), *run;
		cJSON_ArrayForEach(run, cJSON_GetObjectItem(doc, "runs")) {
			int64_t id = (int64_t)cJSON_GetNumberValue(cJSON_GetObjectItem(run, "id"));
			cJSON *c = cJSON_GetObjectItem(run, "steps");
			good &= cJSON_GetNumberValue(cJSON_GetObjectItem(c, "pass")) == exact_count(path, id, 0) &&
				cJSON_GetNumberValue(cJSON_GetObjectItem(c, "fail")) == exact_count(path, id, 1) &&
				cJSON_GetNumberValue(cJSON_GetObjectItem(c, "other")) ==
					exact_count(path, id, 2) + exact_count(path, id, 3) &&
				cJSON_GetNumberValue(cJSON_GetObjectItem(c, "total")) == exact_count(path, id, 4);
		}
		cJSON_Delete(doc);
		free(out);
	}
	if (err)
		printf("# %s\n", err);
	free(err);
	if (j)
		journal_close(j);
	return good;
}

static void test_step_counts(void)
{
	static const char *const statuses[] = {"pass", "fail", "error", "manual-ok", "skip", "pending"};
	char *path = tmp_path("step-counts.db"), *old = tmp_path("step-counts-v3.db");
	struct journal *j = open_ok(path);
	char *err = NULL;
	int64_t runs[4];
	for (int r = 0; r < 4; r++)
		runs[r] = begin_run(j, "RB-6", "Pool exhaustion");
	/* interleaved runs, every step retried up to 3 times with another status each time */
	for (int k = 0; k < 60; k++) {
		char sid[8];
		snprintf(sid, sizeof sid, "%d", k % 7 + 1);
		step(j, runs[k % 3], sid, statuses[(k * 5 + k / 7) % 6], NULL);
	}
	step(j, runs[0], "2.1", "fail", NULL);
	step(j, runs[0], "2.1", "pass", NULL); /* a retried step counts once, as its newest result */
	journal_close(j);
	is_int(exact_count(path, runs[0], 4), 8, "run 1 has 8 distinct steps over %lld results",
	       (long long)sql_int(path, "SELECT count(*) FROM step_results WHERE run_id = 1"));
	ok(counts_match(path, runs, 4), "list and review counts equal the newest result per step, for retried steps too");
	is_int(sql_int(path, "SELECT count(*) FROM step_counts"), 3, "one derived row per run with steps (run 4 has none)");

	/* a schema 3 journal gets them computed by migration 4 */
	copy_file(path, old);
	sql(old, "DROP TRIGGER step_results_counted; DROP TABLE step_counts; PRAGMA user_version = 3");
	j = open_ok(old);
	is_int(sql_int(old, "PRAGMA user_version"), 4, "a version 3 journal is migrated to 4");
	ok(j && step(j, runs[1], "1", "fail", NULL) == 0, "and records after the migration");
	journal_close(j);
	ok(counts_match(old, runs, 4), "the migrated counts equal the exact ones");

	/* the derived table edited: verify names it; a sign-off still sees the failed steps */
	struct journal_verify v;
	int64_t fails = exact_count(path, runs[0], 1);
	ok(fails > 0 && sql(path, "UPDATE step_counts SET fail = 0, pass = pass + fail WHERE run_id = 1") == SQLITE_OK,
	   "step_counts edited to hide %lld failed steps", (long long)fails);
	is_int(verify_file(path, &v), 1, "verify reports the edited counts");
	is_str(v.table, "step_counts", "in table step_counts");
	is_int(v.row_id, runs[0], "of run %lld", (long long)runs[0]);
	ok(contains(v.reason, "not what its step results give"), "reason: %s", v.reason);
	j = open_ok(path);
	struct journal_signoff so = {runs[0], "DBA", "Bob", NULL, NULL, NULL, NULL, 0};
	ok(j && journal_signoff(j, &so, &err) < 0 && contains(err, "failed step"),
	   "a sign-off without a reason is still refused: %s", err);
	free(err);
	journal_close(j);

	/* a run's counts row removed, or one made up for a run without steps */
	char *gone = tmp_path("step-counts-gone.db"), *extra = tmp_path("step-counts-extra.db");
	is_int(verify_file(old, &v), 0, "the migrated journal verifies intact, counts included");
	copy_file(old, gone);
	copy_file(old, extra);
	sql(gone, "DELETE FROM step_counts WHERE run_id = 2");
	int rc = verify_file(gone, &v);
	ok(rc == 1 && str_eq(v.table, "step_counts") && v.row_id == runs[1],
	   "a run's counts deleted: verify names run %lld", (long long)v.row_id);
	sql(extra, "INSERT INTO step_counts (run_id) VALUES (4)");
	rc = verify_file(extra, &v);
	ok(rc == 1 && str_eq(v.table, "step_counts") && v.row_id == runs[3],
	   "counts for a run without steps: verify names run %lld", (long long)v.row_id);
	free(gone);
	free(extra);
	free(path);
	free(old);
}

/* ---- the verification mark: exports walk only the rows after it ---- */

static char *export_md_of(const char *path, int64_t run)
{
	struct journal *j;
	char *out = NULL, *err = NULL;
	size_t len = 0;
	if (journal_open_readonly(&j, path, &err) < 0) {
		printf("# %s\n", err);
		free(err);
		return xstrdup("");
	}
	FILE *f = open_memstream(&out, &len);
	if (export_run(j, run, "md", f, &err) != 0)
		printf("# export: %s\n", err);
	fclose(f);
	free(err);
	journal_close(j);
	return out;
}

static int since_file(const char *path, struct journal_verify *v)
{
	struct journal *j;
	char *err = NULL;
	int rc = journal_open_readonly(&j, path, &err) == 0 ? journal_verify_since(j, v, &err) : -1;
	if (rc < 0)
		printf("# %s\n", err);
	free(err);
	if (rc >= -1 && j)
		journal_close(j);
	return rc;
}

static void test_verified_mark(const char *ref)
{
	char *path = tmp_path("marked.db"), *mark = verified_mark_path(path), *out;
	struct journal_verify v;
	struct verified_mark m;
	copy_file(ref, path);
	unlink(mark);
	is_int(since_file(path, &v), 0, "no mark: the whole chain is walked");
	ok(v.from_seq == 0 && v.rows == v.head_seq, "from seq %lld, %lld rows", (long long)v.from_seq, (long long)v.rows);
	int64_t head = v.head_seq;
	ok(verified_mark_read(path, &m) == 1 && m.seq == head && m.full_seq == head && !strcmp(m.hash, v.head),
	   "an intact walk leaves a signed mark at the head (seq %lld)", (long long)head);

	struct journal *j = open_ok(path);
	ok(j && step(j, 2, "4", "pass", "more") == 0 && step(j, 2, "5", "fail", NULL) == 0, "two rows appended");
	journal_close(j);
	is_int(since_file(path, &v), 0, "then only the new rows are walked");
	ok(v.from_seq == head && v.rows == 2 && v.head_seq == head + 2 && v.full_seq == head,
	   "from seq %lld: %lld rows, head %lld", (long long)v.from_seq, (long long)v.rows, (long long)v.head_seq);
	ok(verified_mark_read(path, &m) == 1 && m.seq == head + 2 && m.full_seq == head, "the mark moved to the head");
	out = export_md_of(path, 2);
	char *want = xasprintf("intact from the last verification on: no rows since row seq %lld", (long long)head + 2);
	ok(contains(out, want) && contains(out, "were not read again") && contains(out, "`opsdeck journal verify` walks every row"),
	   "the export says which rows it walked and which it did not");
	free(out);
	free(want);
	j = open_ok(path);
	ok(j && step(j, 2, "6", "pass", NULL) == 0, "one more row");
	journal_close(j);
	out = export_md_of(path, 2);
	want = xasprintf("rows seq %lld..%lld walked now (1 row, reaches its signed checkpoint), linked to row seq %lld",
			 (long long)head + 3, (long long)head + 3, (long long)head + 2);
	ok(contains(out, want), "and names the rows it walked: %s", want);
	head++;
	free(want);
	free(out);

	/* a row before the mark altered: the export cannot see it, and says what it checked */
	int64_t s1 = sql_int(path, "SELECT seq FROM step_results WHERE id = 1");
	ok(drop_triggers(path) == SQLITE_OK && sql(path, "UPDATE step_results SET observed = 'forged' WHERE id = 1") == SQLITE_OK,
	   "step result seq %lld altered, before the mark", (long long)s1);
	out = export_md_of(path, 1);
	want = xasprintf("rows up to seq %lld were not read again", (long long)head + 2);
	ok(contains(out, "**Journal integrity:** intact from the last verification on") && contains(out, want),
	   "the export says intact only from the mark on: %s", want);
	free(want);
	free(out);
	is_int(verify_file(path, &v), 1, "journal verify walks every row and finds it");
	ok(!strcmp(v.table, "step_results") && v.first_bad_seq == s1 && contains(v.reason, "content altered"),
	   "at seq %lld: %s", (long long)v.first_bad_seq, v.reason);
	ok(access(mark, F_OK) != 0, "a broken walk removes the mark");
	out = export_md_of(path, 1);
	want = xasprintf("**Journal integrity:** BROKEN at row seq %lld (step_results)", (long long)s1);
	ok(contains(out, want), "so the next export walks every row and says BROKEN");
	free(want);
	free(out);

	/* a mark edited by hand, or naming a row that has changed, is not used */
	char *clean = tmp_path("marked-clean.db"), *cmark = verified_mark_path(clean);
	copy_file(ref, clean);
	unlink(cmark);
	verify_file(clean, &v);
	head = v.head_seq;
	ok(verified_mark_read(clean, &m) == 1, "a fresh mark");
	char *cmd = xasprintf("sed -i 's/^full_seq .*/full_seq 1/' '%s'", cmark);
	ok(system(cmd) == 0 && verified_mark_read(clean, &m) == 0, "edited by hand it is refused");
	free(cmd);
	is_int(since_file(clean, &v), 0, "so the walk starts at the first row");
	is_int(v.from_seq, 0, "(from seq 0)");
	ok(drop_triggers(clean) == SQLITE_OK && sql(clean, "UPDATE run_events SET hash = 'x' || substr(hash, 2) "
					       "WHERE seq = (SELECT seq FROM chain_head)") == SQLITE_OK,
	   "the marked row's hash rewritten");
	is_int(since_file(clean, &v), 1, "a mark whose row changed is not used: the whole walk finds it");
	ok(v.from_seq == 0 && v.first_bad_seq == head, "from seq 0, bad at seq %lld: %s", (long long)v.first_bad_seq, v.reason);
	free(cmark);
	free(clean);
	free(mark);
	free(path);
}

static void test_schema_versions(const char *ref)
{
	int pass;
	char *path = tmp_path("future.db");
	char *err = NULL, *want = NULL;
	struct journal *j;
	copy_file(ref, path);
	char *pragma = xasprintf("PRAGMA user_version = %d", journal_schema_version() + 1);
	sql(path, pragma);
	want = xasprintf("has schema version %d, this opsdeck knows up to %d: upgrade opsdeck",
			 journal_schema_version() + 1, journal_schema_version());
	pass = journal_open(&j, path, &err) < 0 && contains(err, want) && contains(err, path);
	ok(pass, "a newer schema is refused: %s", err);
	str_free(&err);
	pass = journal_open_readonly(&j, path, &err) < 0 && contains(err, want);
	ok(pass, "also read-only");
	str_free(&err);
	free(pragma);
	free(want);
	free(path);

	path = tmp_path("foreign.db");
	sql(path, "CREATE TABLE customers (id INTEGER)");
	pass = journal_open(&j, path, &err) < 0 && contains(err, "not an opsdeck journal");
	ok(pass, "another program's database is refused: %s", err);
	str_free(&err);
	is_int(sql_int(path, "SELECT count(*) FROM sqlite_master"), 1, "and left untouched");
	free(path);
}

/* As root, chmod does not stop writes: try journal_open as "nobody" on a file nobody
 * owns read-only. 1 refused with a read-only message, 0 not, -1 could not test.
 * (Forked children free what they inherited, so valgrind sees no leak in them.) */
static int open_as_nobody(char *path)
{
	const uid_t nobody = 65534;
	if (chown(path, nobody, nobody) < 0 || chmod(tmpdir, 0711) < 0)
		return -1;
	pid_t pid = fork();
	if (pid == 0) {
		if (setgid(nobody) < 0 || setuid(nobody) < 0)
			_exit(3);
		struct journal *j;
		char *err = NULL;
		int rc = journal_open(&j, path, &err);
		printf("# as nobody: %s\n", err ? err : "opened");
		fflush(stdout);
		rc = rc < 0 && contains(err, "read-only") ? 0 : 1;
		journal_close(j);
		free(err);
		free(path);
		_exit(rc);
	}
	int status = 0;
	waitpid(pid, &status, 0);
	chmod(tmpdir, 0700);
	if (chown(path, 0, 0) < 0 || !WIFEXITED(status) || WEXITSTATUS(status) == 3)
		return -1;
	return WEXITSTATUS(status) == 0;
}

static void test_read_only(const char *ref)
{
	int pass;
	char *path = tmp_path("ro.db");
	char *err = NULL;
	struct journal *j;
	struct journal_verify v;
	copy_file(ref, path);

	ok(journal_open_readonly(&j, path, &err) == 0, "read-only handle");
	ok(sample(j, 1) < 0, "refuses to record");
	journal_close(j);

	/* SQLite itself refusing the write (what a read-only file or medium does; root ignores
	 * chmod, so use query_only on a read-write handle) */
	j = open_ok(path);
	sqlite3_exec(journal_sqlite(j), "PRAGMA query_only = ON", NULL, NULL, NULL);
	int64_t run = 1;
	struct journal_step s = {run, "5", "t", "pass", NULL, NULL, NULL, NULL, 1};
	pass = journal_step_record(j, &s, &err) < 0 && contains(err, path) && contains(err, "readonly");
	ok(pass, "a write SQLite refuses gives a clear error: %s", err);
	str_free(&err);
	sqlite3_exec(journal_sqlite(j), "PRAGMA query_only = OFF", NULL, NULL, NULL);
	ok(journal_step_record(j, &s, &err) == 0, "the next write works");
	journal_close(j);
	is_int(verify_file(path, &v), 0, "and the chain is intact");

	chmod(path, 0400);
	if (geteuid() == 0) {
		pass = open_as_nobody(path);
		if (pass < 0) {
			ok(1, "# SKIP cannot switch to an unprivileged user");
		} else {
			ok(pass, "a 0400 journal of another user is refused for recording");
		}
	} else {
		pass = journal_open(&j, path, &err) < 0 && contains(err, "read-only");
		ok(pass, "a 0400 journal is refused for recording: %s", err);
		str_free(&err);
	}
	is_int(verify_file(path, &v), 0, "and still verifies");
	chmod(path, 0600);
	free(path);
}

static void test_disk_full(const char *ref)
{
	int pass;
	char *path = tmp_path("full.db");
	char *err = NULL;
	struct journal_verify v;
	copy_file(ref, path);
	struct journal *j = open_ok(path);
	sqlite3 *db = journal_sqlite(j);
	sqlite3_exec(db, "PRAGMA max_page_count = 1", NULL, NULL, NULL); /* clamps to the current size */
	size_t big = 1 << 20;
	char *output = xmalloc(big + 1);
	memset(output, 'x', big);
	output[big] = '\0';
	struct journal_step s = {1, "7", "big output", "pass", NULL, NULL, output, NULL, 1};
	pass = journal_step_record(j, &s, &err) < 0 && contains(err, "full") && contains(err, path);
	ok(pass, "disk full gives a clear error: %s", err);
	str_free(&err);
	ok(sample(j, 1) == 0, "a small row still fits");
	sqlite3_exec(db, "PRAGMA max_page_count = 1000000", NULL, NULL, NULL);
	ok(journal_step_record(j, &s, &err) == 0, "with space again the big row is recorded");
	journal_close(j);
	is_int(verify_file(path, &v), 0, "no half-written chain");
	is_int(v.rows, 19, "every recorded row, nothing else");
	free(output);
	free(path);
}

/* Two processes appending at once: BEGIN IMMEDIATE keeps one chain. */
static void test_concurrent_writers(void)
{
	char *path = tmp_path("concurrent.db");
	struct journal *j = open_ok(path);
	journal_close(j);
	pid_t pid[2];
	for (int p = 0; p < 2; p++) {
		if ((pid[p] = fork()) == 0) {
			struct journal *cj = open_ok(path);
			int failed = !cj;
			if (cj)
				sqlite3_exec(journal_sqlite(cj), "PRAGMA synchronous = OFF", NULL, NULL, NULL);
			for (int i = 0; i < 100 && !failed; i++)
				failed = sample(cj, i) < 0;
			journal_close(cj);
			free(path);
			_exit(failed);
		}
	}
	int status, good = 1;
	for (int p = 0; p < 2; p++)
		good &= waitpid(pid[p], &status, 0) == pid[p] && WIFEXITED(status) && WEXITSTATUS(status) == 0;
	ok(good, "two processes recorded 100 samples each");
	struct journal_verify v;
	is_int(verify_file(path, &v), 0, "the interleaved chain verifies");
	is_int(v.rows, 200, "with all 200 rows");
	free(path);
}

/* What a write reported as recorded survives kill -9 at any moment. */
static void test_kill9(void)
{
	char *path = tmp_path("kill9.db");
	int fds[2];
	if (pipe(fds) < 0)
		return;
	pid_t pid = fork();
	if (pid == 0) {
		close(fds[0]);
		struct journal *j = open_ok(path);
		int64_t run = begin_run(j, "RB-1", "killed");
		for (int i = 1;; i++) {
			char id[32];
			snprintf(id, sizeof id, "%d", i);
			if (step(j, run, id, "pass", "output") < 0 || write(fds[1], "+", 1) != 1)
				_exit(1);
		}
	}
	close(fds[1]);
	char c;
	int reported = 0;
	while (reported < 40 && read(fds[0], &c, 1) == 1)
		reported++;
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	while (read(fds[0], &c, 1) == 1)
		reported++;
	close(fds[0]);
	int64_t stored = sql_int(path, "SELECT count(*) FROM step_results");
	ok(reported >= 40 && stored >= reported, "every reported step survived kill -9 (%d reported, %lld stored)",
	   reported, (long long)stored);
	struct journal_verify v;
	is_int(verify_file(path, &v), 0, "and the chain is intact");
	free(path);
}

static void test_real_values(void)
{
	char *path = tmp_path("reals.db");
	struct journal *j = open_ok(path);
	ok(sample(j, -0.0) == 0 && sample(j, 3.0) == 0 && sample(j, 1e300) == 0 &&
	   sample(j, INFINITY) == 0 && sample(j, 0.1) == 0 && sample(j, -12345678901.5) == 0,
	   "awkward doubles recorded");
	journal_close(j);
	struct journal_verify v;
	is_int(verify_file(path, &v), 0, "and verify (integral, -0, inf)");
	free(path);
}

int main(void)
{
	char tmpl[] = "/tmp/test_journal.XXXXXX";
	tmpdir = mkdtemp(tmpl);
	if (!tmpdir) {
		printf("Bail out! mkdtemp: %s\n", strerror(errno));
		return 1;
	}
	char *ref = tmp_path("reference.db");
	int64_t rows = build_reference(ref);

	test_default_path();
	test_create();
	test_record_verify(ref, rows);
	test_triggers(ref);
	test_tampering(ref);
	test_reopen(ref);
	test_refusals(ref);
	test_counts_and_baseline();
	test_list_show(ref);
	test_step_counts();
	test_verified_mark(ref);
	test_schema_versions(ref);
	test_read_only(ref);
	test_disk_full(ref);
	test_real_values();
	test_concurrent_writers();
	test_kill9();

	free(ref);
	str_free(&sql_err);
	char *rm = xasprintf("rm -rf '%s'", tmpdir);
	if (system(rm) != 0)
		printf("# could not remove %s\n", tmpdir);
	free(rm);
	return done_testing();
}
