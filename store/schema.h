/* The journal's schema: the recorded tables (which columns the hash chain covers, in
 * which order) and the ordered migrations that create and extend them. */
#ifndef OD_SCHEMA_H
#define OD_SCHEMA_H

#include <stddef.h>

/* prev_hash of the first row: 64 zeros. */
#define JOURNAL_GENESIS_HASH "0000000000000000000000000000000000000000000000000000000000000000"

struct journal;

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
