/* The journal's schema: the recorded tables (which columns the hash chain covers, in
 * which order) and the ordered migrations that create and extend them. */
#ifndef OD_SCHEMA_H
#define OD_SCHEMA_H

#include <stddef.h>

/* prev_hash of the first row: 64 zeros. */
#define JOURNAL_GENESIS_HASH "0000000000000000000000000000000000000000000000000000000000000000"

struct journal;

/* The step-count buckets (store_step_counts, the review): pass includes manual-ok, fail
 * includes error, pending is anything else but skip. s is an SQL expression. */
#define IS_PASS(s) "(" s " IN ('pass', 'manual-ok'))"
#define IS_FAIL(s) "(" s " IN ('fail', 'error'))"
#define IS_SKIP(s) "(" s " = 'skip')"
#define IS_PENDING(s) "(" s " NOT IN ('pass', 'manual-ok', 'fail', 'error', 'skip'))"
/* Every run's step counts computed from its step results, each step's newest result once
 * (max(id) makes SQLite take status from that row): run_id, pass, fail, skip, pending, total.
 * What the table step_counts (version 4) must hold. */
#define STEP_COUNTS_SELECT                                                                     \
	"SELECT run_id, sum" IS_PASS("status") ", sum" IS_FAIL("status") ", sum" IS_SKIP("status") \
	", sum" IS_PENDING("status") ", count(*) FROM (SELECT run_id, status, max(id) "             \
	"FROM step_results GROUP BY run_id, step_id) GROUP BY run_id"

/* The recorded (append-only, hash-chained) tables. Order is part of nothing persistent. */
enum jtable_id {
	JT_RUNS,
	JT_RUN_EVENTS,
	JT_STEP_RESULTS,
	JT_BASELINES,
	JT_SAMPLES,
	JT_SIGNOFFS,
	JT_RUN_VALUES, /* since version 2 */
	JT__COUNT
};

struct jcol {
	const char *name;
	/* Schema version that added the column. Columns of version 1 are always part of the
	 * row's hash; later ones only when not NULL, so rows written before a migration that
	 * adds a column still verify. */
	int since;
};

struct jtable {
	const char *name;
	const struct jcol *cols; /* content columns, in hash order (not id/seq/prev_hash/hash) */
	size_t ncols;
};

const struct jtable *schema_table(enum jtable_id t);
/* Widest content column count over all recorded tables. */
size_t schema_max_cols(void);
/* The highest schema version this build knows. */
int schema_latest(void);

/* Brings an open read-write journal up to schema_latest(), one transaction per migration.
 * Refuses a file with a newer schema or a non-journal database. 0 or -1 with *err. */
int schema_migrate(struct journal *j, char **err);
/* For read-only use: 0 if the schema is exactly schema_latest(), else -1 with *err. */
int schema_check(struct journal *j, char **err);

#endif
