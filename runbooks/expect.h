/* The expectation language of runbook probes (grammar: runbooks/README.md).
 *
 *   struct expect *e = expect_parse("max(lag_ms) < 1s and all(state == 'streaming')", &err);
 *   expect_eval(e, &ctx, &res);   -> EXPECT_FAIL, res.observed = "max(lag_ms) = 1532.4, ..."
 *
 * Pure: no globals, no I/O. The parser bounds nesting and size, so evaluation recursion
 * is bounded too; no input makes either crash. */
#ifndef OD_EXPECT_H
#define OD_EXPECT_H

#include "panels/rowset.h"

struct expect;

enum expect_status { EXPECT_PASS, EXPECT_FAIL, EXPECT_ERROR };

/* What a probe hands to the evaluator. Start from expect_ctx_init() (nothing known),
 * then fill what the probe produced. Everything is borrowed for the evaluation. */
struct expect_ctx {
	const struct rowset *rs;  /* sql/redis result; NULL if none */
	int http_status;          /* 0: no HTTP response */
	const char *http_body;    /* NUL terminated; NULL if none */
	const char *http_headers; /* raw "Name: value" lines; NULL if none */
	const char *output;       /* shell stdout; NULL if none */
	int exit_status;          /* shell exit status; -1 if none */
	int replicas;             /* configured replica count; -1 if unknown */
	/* Values captured by earlier steps (text) and recorded baselines (numbers).
	 * captured returns NULL and baseline -1 when there is no such name. */
	const char *(*captured)(void *arg, const char *name);
	int (*baseline)(void *arg, const char *name, double *value);
	const char *(*input)(void *arg, const char *name); /* the runbook's inputs; NULL if unset */
	void *arg;
};

struct expect_result {
	enum expect_status status;
	char *observed; /* "max(lag_ms) = 1532.4, rows = 2": what was looked at; never NULL after eval */
	char *error;    /* EXPECT_ERROR: what went wrong ("column lag_ms not in the result ..."); else NULL */
	char *value;    /* expect_value(): the value as text; else NULL */
};

/* Parses src. NULL on error with *err (malloced) = "column N: message". */
struct expect *expect_parse(const char *src, char **err);
void expect_free(struct expect *e);
const char *expect_source(const struct expect *e);

void expect_ctx_init(struct expect_ctx *ctx);

/* Evaluates to true (PASS) or false (FAIL); anything that cannot be decided (a missing
 * column, a NULL, a value of the wrong type) is EXPECT_ERROR with res->error set.
 * Returns res->status. Release res with expect_result_done(). */
enum expect_status expect_eval(const struct expect *e, const struct expect_ctx *ctx,
			       struct expect_result *res);
/* Evaluates e as a value (for capture="name = expr"): PASS with res->value, or ERROR. */
enum expect_status expect_value(const struct expect *e, const struct expect_ctx *ctx,
				struct expect_result *res);
void expect_result_done(struct expect_result *res);

/* What an expectation reads, for lint: one bit per kind of probe output. */
enum {
	EXPECT_NEEDS_ROWS = 1,   /* rows, columns, aggregates, all/any: sql and redis */
	EXPECT_NEEDS_HTTP = 2,   /* status, json(), header(): http */
	EXPECT_NEEDS_OUTPUT = 4, /* output, exit: shell */
};
/* The first term that needs something outside allowed (a mask of EXPECT_NEEDS_*), e.g.
 * "json()" or "column lag_ms", with its column; NULL when everything is available. */
const char *expect_needs_outside(const struct expect *e, unsigned allowed, int *col);
/* Calls fn for every captured("NAME"), baseline("NAME") and input("NAME"). */
enum expect_name { EXPECT_CAPTURED, EXPECT_BASELINE, EXPECT_INPUT };
void expect_names(const struct expect *e,
		  void (*fn)(void *arg, enum expect_name kind, const char *name, int col), void *arg);

#endif
