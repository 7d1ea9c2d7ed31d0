/* One probe run once against one target: the engine's connectors (one file per kind:
 * probe_sql.c, probe_redis.c, probe_http.c, probe_shell.c). Internal to runbooks/. */
#ifndef OD_PROBE_H
#define OD_PROBE_H

#include "panels/rowset.h"
#include "runbooks/engine.h"

struct probe_call {
	const struct rb_run *run;
	const struct probe *pr;
	const struct source_cfg *src; /* sql and shell: the target's source (NULL: shell default) */
	const char *target;           /* sql and shell: "primary", "replica.east", "pgbouncer" */
	double timeout_ms;
	const char *const *params;    /* values bound as $1, $2, ... */
	int n_params;
	volatile int *cancel;
};

struct probe_raw {
	char *error;        /* it could not run or be read: connection, SQL error, timeout */
	int failed;         /* it ran and the result itself says failure (HTTP >= 400, exit != 0) */
	char *failed_what;  /* "status = 500", "exit = 1" */
	int has_rows;
	struct rowset rs;   /* sql, redis */
	int http_status;
	char *body, *headers;
	char *out;          /* shell stdout */
	int exit_status;    /* shell; -1 none */
	char *text;         /* everything, as shown to the operator (unmasked yet) */
};

void probe_raw_init(struct probe_raw *r);
void probe_raw_done(struct probe_raw *r);

void probe_sql(const struct probe_call *c, struct probe_raw *out);
void probe_redis(const struct probe_call *c, struct probe_raw *out);
void probe_http(const struct probe_call *c, struct probe_raw *out);
void probe_shell(const struct probe_call *c, struct probe_raw *out);

/* A rowset as an aligned text table (psql style), with "(N rows)". */
char *rowset_text(const struct rowset *rs);
/* $1 ... $9 in s replaced by params (each passed through enc, which may be NULL). */
char *probe_subst(const char *s, const char *const *params, int n, char *(*enc)(const char *));
/* Milliseconds left until deadline (now_mono_ms based), at least 0. */
double probe_left(int64_t deadline);

#endif
