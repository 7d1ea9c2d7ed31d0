/* Internals shared by the expectation parser (expect.c) and evaluator (expect_eval.c). */
#ifndef OD_EXPECT_INT_H
#define OD_EXPECT_INT_H

#include <regex.h>
#include <stddef.h>

#include <cjson/cJSON.h>

#include "runbooks/expect.h"
#include "src/util.h"

/* Limits that keep parsing and evaluation bounded whatever the input. */
#define EXPECT_MAX_LEN 2000   /* characters of source */
#define EXPECT_MAX_NODES 300
#define EXPECT_MAX_DEPTH 48   /* depth of the tree = evaluation recursion */

enum node_kind {
	N_NUM, N_STR, N_BOOL, N_NULL,
	N_VALUE, N_ROWS, N_STATUS, N_OUTPUT, N_EXIT, N_REPLICAS, /* count(replicas) */
	N_COL,                                                  /* a column of the current row */
	N_AGG, N_COUNT_ALL, N_ALL, N_ANY,
	N_ABS, N_LEN, N_JSON, N_HEADER, N_CAPTURED, N_BASELINE, N_INPUT,
	N_NEG, N_NOT, N_ARITH, N_CMP, N_AND, N_OR,
};

enum { AGG_MIN, AGG_MAX, AGG_SUM, AGG_AVG, AGG_COUNT };
enum { OP_ADD, OP_SUB, OP_MUL, OP_DIV };
enum { CMP_EQ, CMP_NE, CMP_LT, CMP_LE, CMP_GT, CMP_GE, CMP_CONTAINS, CMP_MATCHES };

struct jseg {
	char *key; /* NULL: index */
	int index;
};

struct node {
	enum node_kind kind;
	int op;
	int start, end; /* source span, 0-based [start, end) */
	int depth;
	double num;      /* N_NUM; N_BOOL: 0/1 */
	char *str;       /* N_STR text; N_COL/N_CAPTURED/N_BASELINE/N_HEADER name; N_JSON path */
	struct jseg *path;
	int npath;
	regex_t *re;     /* N_CMP matches: compiled at parse time */
	struct node *a, *b;
};

struct expect {
	char *src;
	struct node *root;
	struct node **all; /* every node, for freeing and walking without recursion */
	int n;
};

enum tok_type { T_END, T_NUM, T_STR, T_IDENT, T_OP, T_LP, T_RP, T_COMMA };

struct tok {
	enum tok_type t;
	int start, end;
	double num;
	char *str; /* T_STR: unescaped text */
	char op[3];
};

struct parser {
	const char *src;
	int len, pos;
	int prev_end; /* end of the last token consumed */
	struct tok tok;
	char *err;
	int nest;    /* parentheses, calls and prefix operators open right now */
	int in_rows; /* inside an aggregate or all()/any() */
	struct expect *e;
};

/* The lexer (expect_lex.c). */
void expect_fail(struct parser *p, int at, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
void expect_next(struct parser *p);
int expect_ident_char(int c);
int expect_is_ident(const struct parser *p, const char *word);
int expect_is_op(const struct parser *p, const char *op);
void expect_unexpected(struct parser *p, const char *wanted);

/* ---- evaluation (expect_eval.c, expect_data.c) ---- */

enum vt { V_NULL, V_BOOL, V_NUM, V_STR, V_TEXT, V_JSON };

struct val {
	enum vt t;
	double n;      /* V_NUM; V_BOOL 0/1 */
	const char *s; /* V_STR, V_TEXT (borrowed or owned by the evaluation) */
	const cJSON *j;
};

#define MAX_OBS 8

struct ev {
	const struct expect_ctx *ctx;
	const struct expect *e;
	char *err;
	struct sbuf obs;
	int obs_at[MAX_OBS], n_obs;
	cJSON *json;
	int json_done;
	char **owned;
	int n_owned;
	int row;     /* current row; -1 = top level (the first row) */
	int in_rows; /* inside an aggregate or all()/any() */
	int quiet;   /* nothing is observed (inside rows, or under len()) */
};

int ev_eval(struct ev *ev, const struct node *n, struct val *v);
void ev_fmt_num(char *buf, size_t n, double v);
void ev_add_val(struct sbuf *sb, const struct val *v);
int ev_fail(struct ev *ev, const struct node *n, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
void ev_observe(struct ev *ev, const struct node *n, const struct val *v, const char *detail);
const char *ev_own(struct ev *ev, char *s);
const char *ev_trimmed(struct ev *ev, const char *s);
int ev_to_num(struct ev *ev, const struct node *n, const struct val *v, double *out);
int ev_to_bool(struct ev *ev, const struct node *n, const struct val *v, int *out);
const struct rowset *ev_need_rows(struct ev *ev, const struct node *n);
int ev_cell(struct ev *ev, const struct node *n, int col, struct val *v);
int ev_column(struct ev *ev, const struct node *n, struct val *v);
int ev_json(struct ev *ev, const struct node *n, struct val *v);
int ev_header(struct ev *ev, const struct node *n, struct val *v);
int ev_aggregate(struct ev *ev, const struct node *n, struct val *v);
int ev_quantifier(struct ev *ev, const struct node *n, struct val *v);

/* Decimal number (no sign) at s: digits [. digits] [e[+-]digits], independent of the
 * locale. Returns the characters used (0 if none). */
size_t expect_scan_number(const char *s, double *out);
/* A whole cell as a number (surrounding blanks and a sign allowed). 0 or -1. */
int expect_text_number(const char *s, double *out);

#endif
