/* Schema and migrations. A migration is never edited once released: later versions
 * append to migrations[] (additive changes: new tables, new nullable columns, new
 * indexes), and new content columns get `since` set so old rows keep verifying. */
#include "store/schema.h"

#include <stdlib.h>

#include "src/util.h"
#include "store/store.h"

static const struct jcol runs_cols[] = {
	{"kind", 1}, {"ref", 1}, {"title", 1}, {"env", 1}, {"operator", 1},
	{"os_user", 1}, {"host", 1}, {"started_at", 1},
};
static const struct jcol run_events_cols[] = {
	{"run_id", 1}, {"event", 1}, {"note", 1}, {"recorded_at", 1},
};
static const struct jcol step_results_cols[] = {
	{"run_id", 1}, {"step_id", 1}, {"title", 1}, {"status", 1}, {"observed", 1},
	{"expectation", 1}, {"output", 1}, {"note", 1}, {"duration_ms", 1}, {"recorded_at", 1},
};
static const struct jcol baselines_cols[] = {
	{"run_id", 1}, {"name", 1}, {"value", 1}, {"unit", 1}, {"recorded_at", 1},
};
static const struct jcol samples_cols[] = {
	{"source", 1}, {"metric", 1}, {"value", 1}, {"unit", 1}, {"recorded_at", 1},
};
static const struct jcol signoffs_cols[] = {
	{"run_id", 1}, {"role", 1}, {"person", 1}, {"os_user", 1}, {"host", 1},
	{"comment", 1}, {"reason", 1}, {"corrects_id", 1}, {"recorded_at", 1},
};

static const struct jcol run_values_cols[] = {
	{"run_id", 1}, {"kind", 1}, {"name", 1}, {"value", 1}, {"recorded_at", 1},
};

#define TABLE(name) {#name, name##_cols, ARRAY_LEN(name##_cols)}
static const struct jtable tables[JT__COUNT] = {
	[JT_RUNS] = TABLE(runs),
	[JT_RUN_EVENTS] = TABLE(run_events),
	[JT_STEP_RESULTS] = TABLE(step_results),
	[JT_BASELINES] = TABLE(baselines),
	[JT_SAMPLES] = TABLE(samples),
	[JT_SIGNOFFS] = TABLE(signoffs),
	[JT_RUN_VALUES] = TABLE(run_values),
};

/* Every recorded table: no UPDATE, no DELETE, and INSERT only as the next chain link. */
#define RECORDED(t)                                                                       \
	"CREATE TRIGGER " t "_no_update BEFORE UPDATE ON " t " BEGIN SELECT RAISE(ABORT, "   \
	"'journal is append-only: " t " rows cannot be updated'); END;\n"                     \
	"CREATE TRIGGER " t "_no_delete BEFORE DELETE ON " t " BEGIN SELECT RAISE(ABORT, "   \
	"'journal is append-only: " t " rows cannot be deleted'); END;\n"                     \
	"CREATE TRIGGER " t "_chained BEFORE INSERT ON " t " WHEN NEW.seq IS NOT "             \
	"(SELECT seq + 1 FROM chain_head) OR NEW.prev_hash IS NOT (SELECT hash FROM chain_head) " \
	"BEGIN SELECT RAISE(ABORT, 'journal is append-only: " t " rows are added only as the "  \
	"next link of the hash chain'); END;\n"

/* Times are milliseconds since the Unix epoch (UTC). Hashes are lowercase hex SHA-256. */
static const char migration_1[] =
	"CREATE TABLE chain_head (\n"
	"  id INTEGER PRIMARY KEY CHECK (id = 1),\n"
	"  seq INTEGER NOT NULL,\n"
	"  hash TEXT NOT NULL\n"
	");\n"
	"INSERT INTO chain_head (id, seq, hash) VALUES (1, 0, '" JOURNAL_GENESIS_HASH "');\n"
	"CREATE TRIGGER chain_head_no_delete BEFORE DELETE ON chain_head BEGIN "
	"SELECT RAISE(ABORT, 'journal chain head cannot be deleted'); END;\n"
	"CREATE TRIGGER chain_head_advance BEFORE UPDATE ON chain_head "
	"WHEN NEW.id IS NOT OLD.id OR NEW.seq IS NOT OLD.seq + 1 BEGIN "
	"SELECT RAISE(ABORT, 'journal chain head only advances one row at a time'); END;\n"

	"CREATE TABLE runs (\n"
	"  id INTEGER PRIMARY KEY,\n"
	"  seq INTEGER NOT NULL UNIQUE,\n"
	"  kind TEXT NOT NULL,\n"
	"  ref TEXT NOT NULL,\n"
	"  title TEXT,\n"
	"  env TEXT,\n"
	"  operator TEXT,\n"
	"  os_user TEXT NOT NULL,\n"
	"  host TEXT NOT NULL,\n"
	"  started_at INTEGER NOT NULL,\n"
	"  prev_hash TEXT NOT NULL,\n"
	"  hash TEXT NOT NULL\n"
	");\n"
	"CREATE INDEX runs_by_started ON runs(started_at);\n"

	"CREATE TABLE run_events (\n"
	"  id INTEGER PRIMARY KEY,\n"
	"  seq INTEGER NOT NULL UNIQUE,\n"
	"  run_id INTEGER NOT NULL REFERENCES runs(id),\n"
	"  event TEXT NOT NULL,\n"
	"  note TEXT,\n"
	"  recorded_at INTEGER NOT NULL,\n"
	"  prev_hash TEXT NOT NULL,\n"
	"  hash TEXT NOT NULL\n"
	");\n"
	"CREATE INDEX run_events_by_run ON run_events(run_id);\n"

	"CREATE TABLE step_results (\n"
	"  id INTEGER PRIMARY KEY,\n"
	"  seq INTEGER NOT NULL UNIQUE,\n"
	"  run_id INTEGER NOT NULL REFERENCES runs(id),\n"
	"  step_id TEXT NOT NULL,\n"
	"  title TEXT,\n"
	"  status TEXT NOT NULL,\n"
	"  observed TEXT,\n"
	"  expectation TEXT,\n"
	"  output TEXT,\n"
	"  note TEXT,\n"
	"  duration_ms INTEGER,\n"
	"  recorded_at INTEGER NOT NULL,\n"
	"  prev_hash TEXT NOT NULL,\n"
	"  hash TEXT NOT NULL\n"
	");\n"
	/* covers "latest status per step of a run" without touching the (large) rows */
	"CREATE INDEX step_results_by_run ON step_results(run_id, step_id, status);\n"

	"CREATE TABLE baselines (\n"
	"  id INTEGER PRIMARY KEY,\n"
	"  seq INTEGER NOT NULL UNIQUE,\n"
	"  run_id INTEGER REFERENCES runs(id),\n"
	"  name TEXT NOT NULL,\n"
	"  value REAL NOT NULL,\n"
	"  unit TEXT,\n"
	"  recorded_at INTEGER NOT NULL,\n"
	"  prev_hash TEXT NOT NULL,\n"
	"  hash TEXT NOT NULL\n"
	");\n"
	"CREATE INDEX baselines_by_name ON baselines(name);\n"
	"CREATE INDEX baselines_by_run ON baselines(run_id);\n"

	"CREATE TABLE samples (\n"
	"  id INTEGER PRIMARY KEY,\n"
	"  seq INTEGER NOT NULL UNIQUE,\n"
	"  source TEXT NOT NULL,\n"
	"  metric TEXT NOT NULL,\n"
	"  value REAL NOT NULL,\n"
	"  unit TEXT,\n"
	"  recorded_at INTEGER NOT NULL,\n"
	"  prev_hash TEXT NOT NULL,\n"
	"  hash TEXT NOT NULL\n"
	");\n"
	"CREATE INDEX samples_by_metric ON samples(source, metric, recorded_at);\n"

	"CREATE TABLE signoffs (\n"
	"  id INTEGER PRIMARY KEY,\n"
	"  seq INTEGER NOT NULL UNIQUE,\n"
	"  run_id INTEGER NOT NULL REFERENCES runs(id),\n"
	"  role TEXT NOT NULL,\n"
	"  person TEXT NOT NULL,\n"
	"  os_user TEXT NOT NULL,\n"
	"  host TEXT NOT NULL,\n"
	"  comment TEXT,\n"
	"  reason TEXT,\n"
	"  corrects_id INTEGER REFERENCES signoffs(id),\n"
	"  recorded_at INTEGER NOT NULL,\n"
	"  prev_hash TEXT NOT NULL,\n"
	"  hash TEXT NOT NULL\n"
	");\n"
	"CREATE INDEX signoffs_by_run ON signoffs(run_id);\n"

	RECORDED("runs") RECORDED("run_events") RECORDED("step_results")
	RECORDED("baselines") RECORDED("samples") RECORDED("signoffs");

/* Version 2: the values a run works with (inputs the operator gave, values probes
 * captured), so an interrupted run resumes with them. Secret inputs are stored masked. */
static const char migration_2[] =
	"CREATE TABLE run_values (\n"
	"  id INTEGER PRIMARY KEY,\n"
	"  seq INTEGER NOT NULL UNIQUE,\n"
	"  run_id INTEGER NOT NULL REFERENCES runs(id),\n"
	"  kind TEXT NOT NULL CHECK (kind IN ('input', 'capture')),\n"
	"  name TEXT NOT NULL,\n"
	"  value TEXT,\n"
	"  recorded_at INTEGER NOT NULL,\n"
	"  prev_hash TEXT NOT NULL,\n"
	"  hash TEXT NOT NULL\n"
	");\n"
	"CREATE INDEX run_values_by_run ON run_values(run_id);\n"
	RECORDED("run_values");

/* Version 3: indexes for the review screen (store/review.c): runs by ref in any case;
 * each run's latest event (its state) read from the index alone; a baseline as it was when
 * a step used it. Filtering 100,000 runs stays under 100 ms (tests/helpers/review-bench).
 * Indexes hold no content: the chain is unchanged. */
static const char migration_3[] =
	"CREATE INDEX runs_by_ref ON runs(ref COLLATE NOCASE);\n"
	"CREATE INDEX run_events_latest ON run_events(run_id, id, event);\n"
	"CREATE INDEX baselines_by_name_time ON baselines(name, recorded_at);\n";

/* Version 4: each run's step counts (each step's newest result once), kept by a trigger
 * in the transaction that records the result, so `journal list` and the review list read
 * one row per run instead of every step result (100 runs x 10,000 steps: 896 ms before).
 * Derived, not recorded: outside the chain, updated in place by the trigger; `journal
 * verify` recomputes it from the step results and reports any difference. The previous
 * newest result of the step is found through step_results_by_run. */
static const char migration_4[] =
	"CREATE TABLE step_counts (\n"
	"  run_id INTEGER PRIMARY KEY REFERENCES runs(id),\n"
	"  pass INTEGER NOT NULL DEFAULT 0,\n"
	"  fail INTEGER NOT NULL DEFAULT 0,\n"
	"  skip INTEGER NOT NULL DEFAULT 0,\n"
	"  pending INTEGER NOT NULL DEFAULT 0,\n"
	"  total INTEGER NOT NULL DEFAULT 0\n"
	");\n"
	"INSERT INTO step_counts (run_id, pass, fail, skip, pending, total) " STEP_COUNTS_SELECT ";\n"
	"CREATE TRIGGER step_results_counted AFTER INSERT ON step_results BEGIN\n"
	"  INSERT OR IGNORE INTO step_counts (run_id) VALUES (NEW.run_id);\n"
	"  UPDATE step_counts SET pass = pass - " IS_PASS("p.status") ", fail = fail - " IS_FAIL("p.status")
	", skip = skip - " IS_SKIP("p.status") ", pending = pending - " IS_PENDING("p.status") ", total = total - 1\n"
	"    FROM (SELECT status FROM step_results WHERE run_id = NEW.run_id AND step_id = NEW.step_id\n"
	"          AND id < NEW.id ORDER BY id DESC LIMIT 1) AS p\n"
	"    WHERE step_counts.run_id = NEW.run_id;\n"
	"  UPDATE step_counts SET pass = pass + " IS_PASS("NEW.status") ", fail = fail + " IS_FAIL("NEW.status")
	", skip = skip + " IS_SKIP("NEW.status") ", pending = pending + " IS_PENDING("NEW.status") ", total = total + 1\n"
	"    WHERE run_id = NEW.run_id;\n"
	"END;\n";

/* migrations[i] brings the schema from version i to i + 1. */
static const char *const migrations[] = {
	migration_1,
	migration_2,
	migration_3,
	migration_4,
};

const struct jtable *schema_table(enum jtable_id t) { return &tables[t]; }

size_t schema_max_cols(void)
{
	size_t max = 0;
	for (size_t i = 0; i < JT__COUNT; i++)
		if (tables[i].ncols > max)
			max = tables[i].ncols;
	return max;
}

int schema_latest(void) { return (int)ARRAY_LEN(migrations); }

static int query_int(struct journal *j, const char *sql, int *out, char **err)
{
	sqlite3_stmt *st = store_prepare(j, sql, err);
	if (!st)
		return -1;
	int rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		*out = sqlite3_column_int(st, 0);
	else
		store_fail(j, err, "cannot read the schema");
	sqlite3_finalize(st);
	return rc == SQLITE_ROW ? 0 : -1;
}

static int too_new(struct journal *j, int version, char **err)
{
	return store_failf(j, err, "has schema version %d, this opsdeck knows up to %d: upgrade opsdeck",
			   version, schema_latest());
}

/* Version 0 is a new file only if it is empty: never build a journal inside someone
 * else's database. */
static int check_empty(struct journal *j, char **err)
{
	int n;
	if (query_int(j, "SELECT count(*) FROM sqlite_master", &n, err) < 0)
		return -1;
	if (n > 0)
		return store_failf(j, err, "is an SQLite database but not an opsdeck journal "
				   "(it has tables but no journal schema): choose another --journal file");
	return 0;
}

/* Inside the transaction: apply migration `version` unless another process already did. */
static int apply_locked(struct journal *j, int version, char **err)
{
	int current;
	if (query_int(j, "PRAGMA user_version", &current, err) < 0)
		return -1;
	if (current >= version)
		return 0;
	if (current == 0 && check_empty(j, err) < 0)
		return -1;
	char *what = xasprintf("cannot apply schema migration %d", version);
	int rc = store_exec(j, migrations[version - 1], what, err);
	free(what);
	if (rc < 0)
		return -1;
	char *pragma = xasprintf("PRAGMA user_version = %d", version);
	rc = store_exec(j, pragma, "cannot set the schema version", err);
	free(pragma);
	return rc;
}

static int apply_one(struct journal *j, int version, char **err)
{
	if (store_exec(j, "BEGIN IMMEDIATE", "cannot start the schema migration", err) < 0)
		return -1;
	if (apply_locked(j, version, err) == 0 &&
	    store_exec(j, "COMMIT", "cannot commit the schema migration", err) == 0)
		return 0;
	if (!sqlite3_get_autocommit(j->db))
		sqlite3_exec(j->db, "ROLLBACK", NULL, NULL, NULL);
	return -1;
}

int schema_migrate(struct journal *j, char **err)
{
	int version;
	if (query_int(j, "PRAGMA user_version", &version, err) < 0)
		return -1;
	if (version > schema_latest())
		return too_new(j, version, err);
	for (int v = version + 1; v <= schema_latest(); v++)
		if (apply_one(j, v, err) < 0)
			return -1;
	return 0;
}

int schema_check(struct journal *j, char **err)
{
	int version;
	if (query_int(j, "PRAGMA user_version", &version, err) < 0)
		return -1;
	if (version > schema_latest())
		return too_new(j, version, err);
	if (version == 0)
		return store_failf(j, err, "is not an opsdeck journal (no journal schema in it)");
	if (version < schema_latest())
		return store_failf(j, err, "has schema version %d, older than this opsdeck's %d: "
				   "record something with it once to upgrade it", version, schema_latest());
	return 0;
}
