/* Partitioned tables: pure parsing of one catalogue query (every partition of every
 * partitioned table with its bound, size, tuples and vacuum times), bound parsing, the
 * future horizon (inferred from the bounds themselves: the partition holding "now", then
 * the ones that start where it ends), and evaluation against the thresholds. */
#ifndef OD_PARTITIONS_MODEL_H
#define OD_PARTITIONS_MODEL_H

#include <stdint.h>

#include "panels/level.h"
#include "panels/rowset.h"

/* The catalogue query; the second leaves out the sizes (pg_table_size and pg_indexes_size
 * are two thirds of its cost on the server: 230 -> 85 ms at 5,000 partitions) and a reply to
 * it keeps each partition's last known sizes. */
extern const char PARTITIONS_SQL[];
extern const char PARTITIONS_SQL_NO_SIZES[];

enum bound_kind { BOUND_OTHER, BOUND_RANGE, BOUND_LIST, BOUND_HASH, BOUND_DEFAULT };

struct bound {
	enum bound_kind kind;
	int is_time;         /* range over dates/timestamps: from/to are epoch seconds */
	double from, to;     /* range bounds (epoch s when is_time, else numbers); NAN = MINVALUE/MAXVALUE/other */
};

/* "FOR VALUES FROM ('2024-11-01 00:00:00+00') TO ('2024-12-01 00:00:00+00')", "DEFAULT",
 * "FOR VALUES IN (...)", "FOR VALUES WITH (modulus 4, remainder 0)". */
void bound_parse(const char *text, struct bound *b);
/* "2024-11-01", "2024-11-01 00:00:00", "2024-11-01 05:30:00.25+05:30" -> epoch seconds; -1 if not a time. */
int parse_pg_time(const char *s, double *epoch);

struct partition {
	const char *name, *bound_text; /* in the ptables' strings, "" when NULL */
	struct bound bound;
	double rows, table_bytes, index_bytes, dead, live, vacuum_age_s; /* NAN unknown / never */
};

struct ptable {
	char name[128];
	char strategy[8];      /* range, list, hash */
	struct partition *parts;
	int nparts;
	/* derived */
	const char *interval;  /* "monthly", "daily", "weekly", "yearly", "range", "" */
	int has_horizon;       /* a time range with a partition holding now */
	int ahead;             /* consecutive future intervals present after the current one (0, 1, 2+) */
	int current_missing;   /* time range, but no partition holds now */
	double default_rows;   /* NAN when there is no default partition */
	double total_bytes, index_bytes, dead, live, bloat_pct, worst_vacuum_age_s;
	int past_retention;    /* range partitions that ended more than retention months ago */
	double oldest_end;     /* epoch s of the oldest range partition's end */
	enum level level;
	char reason[160];
	struct sustain bloat_warn, bloat_crit;
};

struct ptables {
	struct ptable *t;
	int n;
	char *strings;     /* every partition's name and bound, one allocation per reply */
	double server_now; /* epoch s, from the server's clock */
};

struct partition_thresholds {
	double bloat_warn, bloat_warn_for, bloat_crit, bloat_crit_for, dead_warn, vacuum_age_warn_ms,
		retention_months;
};

/* Replaces the partition lists with a fresh reply, keeping each table's sustain state.
 * Columns are looked up once per reply and every array is sized before it is filled. A
 * reply without table_bytes/index_bytes columns (PARTITIONS_SQL_NO_SIZES) carries each
 * partition's sizes over from the previous reply (NAN for a partition new since). */
int ptables_update(struct ptables *pt, const struct rowset *rs);
void ptables_evaluate(struct ptables *pt, const struct partition_thresholds *th, int64_t now_ms);
void ptables_done(struct ptables *pt);

#endif
