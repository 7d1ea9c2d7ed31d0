/* A result table as text: column names plus cells (NULL = SQL NULL). Built from a
 * PGresult or from captured `psql --csv` output, so parsers are pure functions that
 * unit tests feed with fixtures. Columns are always looked up by name. */
#ifndef OD_ROWSET_H
#define OD_ROWSET_H

struct rowset {
	int ncols, nrows;
	char **cols;  /* ncols names */
	char **cells; /* nrows * ncols, row-major; NULL = SQL NULL */
	/* When set, the names and cells point into owner (a PGresult: no copy of a 5,000-row
	 * reply), and rowset_done() calls release(owner) instead of freeing each string. */
	void *owner;
	void (*release)(void *owner);
};

/* Parses psql --csv output (header line, RFC 4180 quoting; an unquoted empty field is
 * NULL, a quoted empty field "" is the empty string). Returns 0, -1 on malformed input. */
int rowset_from_csv(struct rowset *rs, const char *text);
void rowset_done(struct rowset *rs);

/* By name: rowset_col() once per rowset, then rowset_get()/rowset_num_at() in loops over rows
 * (rowset_val() and rowset_num() look the column up again on every call). */
int rowset_col(const struct rowset *rs, const char *name);         /* index or -1 */
const char *rowset_get(const struct rowset *rs, int row, int col); /* NULL if col < 0 or NULL */
const char *rowset_val(const struct rowset *rs, int row, const char *name);
/* Numeric helpers: *ok = 0 when the cell is NULL, missing or not a number. */
double rowset_num(const struct rowset *rs, int row, const char *name, int *ok);
double rowset_num_at(const struct rowset *rs, int row, int col, int *ok);
/* "t"/"true"/"on"/"1" -> 1, "f"/"false"/"off"/"0" -> 0, else -1. */
int rowset_bool(const struct rowset *rs, int row, const char *name);

#endif
