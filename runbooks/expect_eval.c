/* Evaluating an expectation against what a probe produced. Values are typed (number,
 * string, boolean, NULL, a JSON array/object) or "text": a cell, a capture or a header,
 * converted when it meets a typed value. Whatever cannot be decided is an error with a
 * message that names the term, never a guess. */
#include "runbooks/expect_int.h"

#include <ctype.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <cjson/cJSON.h>

#include "src/util.h"

static int is_stringish(const struct val *v)
{
	return v->t == V_STR || v->t == V_TEXT;
}

static int compare(struct ev *ev, const struct node *n, const struct val *a, const struct val *b, int *res)
{
	int op = n->op, c;
	double x, y;
	if (n->a->kind == N_NULL || n->b->kind == N_NULL) {
		if (op != CMP_EQ && op != CMP_NE)
			return ev_fail(ev, n, "null can only be compared with == or !=");
		*res = ((a->t == V_NULL) == (b->t == V_NULL)) == (op == CMP_EQ);
		return 0;
	}
	const struct node *nul = a->t == V_NULL ? n->a : b->t == V_NULL ? n->b : NULL;
	if (nul)
		return ev_fail(ev, nul, nul->kind == N_JSON || nul->kind == N_HEADER ? "is missing or null" : "is NULL");
	if (a->t == V_JSON || b->t == V_JSON)
		return ev_fail(ev, a->t == V_JSON ? n->a : n->b, "is a JSON array or object (compare len(...) or a path below it)");
	if (op == CMP_CONTAINS || op == CMP_MATCHES) {
		char num[64];
		const char *s = a->s;
		if (a->t == V_NUM)
			ev_fmt_num(num, sizeof(num), a->n), s = num;
		else if (!is_stringish(a))
			return ev_fail(ev, n->a, "is not text");
		if (!is_stringish(b))
			return ev_fail(ev, n->b, "is not text");
		*res = op == CMP_CONTAINS ? strstr(s, b->s) != NULL : regexec(n->re, s, 0, NULL, 0) == 0;
		return 0;
	}
	if (a->t == V_BOOL || b->t == V_BOOL) {
		int p, q;
		if (op != CMP_EQ && op != CMP_NE)
			return ev_fail(ev, n, "true/false cannot be ordered");
		if (ev_to_bool(ev, n->a, a, &p) < 0 || ev_to_bool(ev, n->b, b, &q) < 0)
			return -1;
		*res = (p == q) == (op == CMP_EQ);
		return 0;
	}
	if (a->t == V_NUM || b->t == V_NUM ||
	    (a->t == V_TEXT && b->t == V_TEXT && expect_text_number(a->s, &x) == 0 && expect_text_number(b->s, &y) == 0)) {
		if (a->t == V_STR || b->t == V_STR)
			return ev_fail(ev, a->t == V_STR ? n->a : n->b, "is text, compared with a number");
		if (ev_to_num(ev, n->a, a, &x) < 0 || ev_to_num(ev, n->b, b, &y) < 0)
			return -1;
		c = x < y ? -1 : x > y;
	} else {
		c = strcmp(a->s, b->s);
	}
	switch (op) {
	case CMP_EQ: *res = c == 0; break;
	case CMP_NE: *res = c != 0; break;
	case CMP_LT: *res = c < 0; break;
	case CMP_LE: *res = c <= 0; break;
	case CMP_GT: *res = c > 0; break;
	default: *res = c >= 0; break;
	}
	return 0;
}

static int eval_leaf(struct ev *ev, const struct node *n, struct val *v)
{
	const struct expect_ctx *ctx = ev->ctx;
	switch (n->kind) {
	case N_VALUE:
		if (ctx->rs) {
			if (!ctx->rs->ncols)
				return ev_fail(ev, n, "the result has no columns");
			return ev_cell(ev, n, 0, v);
		}
		if (!ctx->output && !ctx->http_body)
			return ev_fail(ev, n, "this probe produced nothing to look at");
		v->t = V_TEXT;
		v->s = ev_trimmed(ev, ctx->output ? ctx->output : ctx->http_body);
		return 0;
	case N_ROWS:
		if (!ev_need_rows(ev, n))
			return -1;
		v->t = V_NUM, v->n = ctx->rs->nrows;
		return 0;
	case N_STATUS:
		if (ctx->http_status <= 0)
			return ev_fail(ev, n, "there is no HTTP response (only http probes have a status)");
		v->t = V_NUM, v->n = ctx->http_status;
		return 0;
	case N_OUTPUT:
		if (!ctx->output)
			return ev_fail(ev, n, "this probe has no output (only shell probes do)");
		v->t = V_STR, v->s = ctx->output;
		return 0;
	case N_EXIT:
		if (ctx->exit_status < 0)
			return ev_fail(ev, n, "there is no exit status (only shell probes have one)");
		v->t = V_NUM, v->n = ctx->exit_status;
		return 0;
	case N_REPLICAS:
		if (ctx->replicas < 0)
			return ev_fail(ev, n, "the number of configured replicas is not known here");
		v->t = V_NUM, v->n = ctx->replicas;
		return 0;
	case N_COUNT_ALL:
		if (!ev_need_rows(ev, n))
			return -1;
		v->t = V_NUM, v->n = ctx->rs->nrows;
		return 0;
	case N_CAPTURED:
		v->s = ctx->captured ? ctx->captured(ctx->arg, n->str) : NULL;
		if (!v->s)
			return ev_fail(ev, n, "nothing was captured under that name (capture=%s in an earlier step)", n->str);
		v->t = V_TEXT;
		return 0;
	case N_INPUT:
		v->s = ctx->input ? ctx->input(ctx->arg, n->str) : NULL;
		if (!v->s)
			return ev_fail(ev, n, "no value was given for that input");
		v->t = V_TEXT;
		return 0;
	case N_BASELINE:
		if (!ctx->baseline || ctx->baseline(ctx->arg, n->str, &v->n) < 0)
			return ev_fail(ev, n, "no baseline recorded under that name");
		v->t = V_NUM;
		return 0;
	case N_COL:
		return ev_column(ev, n, v);
	case N_JSON:
		return ev_json(ev, n, v);
	case N_HEADER:
		return ev_header(ev, n, v);
	default:
		return ev_fail(ev, n, "cannot evaluate");
	}
}

int ev_eval(struct ev *ev, const struct node *n, struct val *v)
{
	struct val a, b;
	double x, y;
	int p = 0, q = 0;
	memset(v, 0, sizeof(*v));
	switch (n->kind) {
	case N_NUM:
		v->t = V_NUM, v->n = n->num;
		return 0;
	case N_STR:
		v->t = V_STR, v->s = n->str;
		return 0;
	case N_BOOL:
		v->t = V_BOOL, v->n = n->num;
		return 0;
	case N_NULL:
		v->t = V_NULL;
		return 0;
	case N_AGG:
		if (ev_aggregate(ev, n, v) < 0)
			return -1;
		break;
	case N_ALL:
	case N_ANY:
		return ev_quantifier(ev, n, v);
	case N_ABS:
	case N_NEG:
		if (ev_eval(ev, n->a, &a) < 0 || ev_to_num(ev, n->a, &a, &x) < 0)
			return -1;
		v->t = V_NUM, v->n = n->kind == N_ABS ? fabs(x) : -x;
		return 0;
	case N_LEN:
		ev->quiet++;
		p = ev_eval(ev, n->a, &a);
		ev->quiet--;
		if (p < 0)
			return -1;
		if (a.t == V_JSON)
			v->n = cJSON_GetArraySize(a.j);
		else if (is_stringish(&a))
			v->n = (double)strlen(a.s);
		else
			return ev_fail(ev, n->a, "has no length (a JSON array, object or text has)");
		v->t = V_NUM;
		break;
	case N_NOT:
		if (ev_eval(ev, n->a, &a) < 0 || ev_to_bool(ev, n->a, &a, &p) < 0)
			return -1;
		v->t = V_BOOL, v->n = !p;
		return 0;
	case N_ARITH:
		if (ev_eval(ev, n->a, &a) < 0 || ev_to_num(ev, n->a, &a, &x) < 0 ||
		    ev_eval(ev, n->b, &b) < 0 || ev_to_num(ev, n->b, &b, &y) < 0)
			return -1;
		if (n->op == OP_DIV && y == 0)
			return ev_fail(ev, n, "division by zero");
		v->t = V_NUM;
		v->n = n->op == OP_ADD ? x + y : n->op == OP_SUB ? x - y : n->op == OP_MUL ? x * y : x / y;
		return 0;
	case N_CMP:
		if (ev_eval(ev, n->a, &a) < 0 || ev_eval(ev, n->b, &b) < 0 || compare(ev, n, &a, &b, &p) < 0)
			return -1;
		v->t = V_BOOL, v->n = p;
		return 0;
	case N_AND:
	case N_OR:
		if (ev_eval(ev, n->a, &a) < 0 || ev_to_bool(ev, n->a, &a, &p) < 0)
			return -1;
		if (p == (n->kind == N_OR)) {
			v->t = V_BOOL, v->n = p;
			return 0;
		}
		if (ev_eval(ev, n->b, &b) < 0 || ev_to_bool(ev, n->b, &b, &q) < 0)
			return -1;
		v->t = V_BOOL, v->n = q;
		return 0;
	default:
		if (eval_leaf(ev, n, v) < 0)
			return -1;
		if (n->kind == N_COL && ev->row >= 0)
			return 0;
		break;
	}
	ev_observe(ev, n, v, NULL);
	return 0;
}

void expect_ctx_init(struct expect_ctx *ctx)
{
	memset(ctx, 0, sizeof(*ctx));
	ctx->exit_status = -1;
	ctx->replicas = -1;
}

static enum expect_status run(const struct expect *e, const struct expect_ctx *ctx,
			      struct expect_result *res, int as_value)
{
	struct ev ev = {0};
	struct val v;
	struct expect_ctx none;
	memset(res, 0, sizeof(*res));
	if (!ctx) {
		expect_ctx_init(&none);
		ctx = &none;
	}
	ev.ctx = ctx;
	ev.e = e;
	ev.row = -1;
	if (!e || !e->root) {
		res->status = EXPECT_ERROR;
		res->error = xstrdup("no expectation");
	} else if (ev_eval(&ev, e->root, &v) < 0) {
		res->status = EXPECT_ERROR;
	} else if (as_value) {
		struct sbuf sb = {0};
		char num[64];
		if (v.t == V_NULL)
			ev_fail(&ev, e->root, "is NULL: there is no value");
		else if (v.t == V_NUM)
			ev_fmt_num(num, sizeof(num), v.n), sbuf_add(&sb, num);
		else if (v.t == V_BOOL)
			sbuf_add(&sb, v.n ? "true" : "false");
		else if (v.t == V_JSON) {
			char *js = cJSON_PrintUnformatted(v.j);
			sbuf_add(&sb, js ? ev_own(&ev, js) : "");
		}
		else
			sbuf_add(&sb, v.s);
		res->status = ev.err ? EXPECT_ERROR : EXPECT_PASS;
		res->value = ev.err ? NULL : sbuf_steal(&sb);
		sbuf_done(&sb);
	} else {
		int b;
		if (ev_to_bool(&ev, e->root, &v, &b) == 0)
			res->status = b ? EXPECT_PASS : EXPECT_FAIL;
		else
			res->status = EXPECT_ERROR;
	}
	if (res->status == EXPECT_ERROR && !res->error)
		res->error = ev.err ? ev.err : xstrdup("cannot evaluate");
	else
		free(ev.err);
	res->observed = ev.obs.buf ? sbuf_steal(&ev.obs) : xstrdup("");
	for (int i = 0; i < ev.n_owned; i++)
		free(ev.owned[i]);
	free(ev.owned);
	cJSON_Delete(ev.json);
	return res->status;
}

enum expect_status expect_eval(const struct expect *e, const struct expect_ctx *ctx, struct expect_result *res)
{
	return run(e, ctx, res, 0);
}

enum expect_status expect_value(const struct expect *e, const struct expect_ctx *ctx, struct expect_result *res)
{
	return run(e, ctx, res, 1);
}

void expect_result_done(struct expect_result *res)
{
	free(res->observed);
	free(res->error);
	free(res->value);
	memset(res, 0, sizeof(*res));
}

/* ---- introspection, for lint ---- */

const char *expect_needs_outside(const struct expect *e, unsigned allowed, int *col)
{
	static const struct {
		enum node_kind kind;
		unsigned need;
		const char *what;
	} needs[] = {
		{N_ROWS, EXPECT_NEEDS_ROWS, "rows"}, {N_COL, EXPECT_NEEDS_ROWS, "a column"},
		{N_AGG, EXPECT_NEEDS_ROWS, "an aggregate"}, {N_COUNT_ALL, EXPECT_NEEDS_ROWS, "count(*)"},
		{N_ALL, EXPECT_NEEDS_ROWS, "all()"}, {N_ANY, EXPECT_NEEDS_ROWS, "any()"},
		{N_STATUS, EXPECT_NEEDS_HTTP, "status"}, {N_JSON, EXPECT_NEEDS_HTTP, "json()"},
		{N_HEADER, EXPECT_NEEDS_HTTP, "header()"}, {N_OUTPUT, EXPECT_NEEDS_OUTPUT, "output"},
		{N_EXIT, EXPECT_NEEDS_OUTPUT, "exit"},
	};
	const struct node *best = NULL;
	const char *what = NULL;
	for (int i = 0; e && i < e->n; i++)
		for (size_t j = 0; j < ARRAY_LEN(needs); j++)
			if (e->all[i]->kind == needs[j].kind && !(allowed & needs[j].need) &&
			    (!best || e->all[i]->start < best->start)) {
				best = e->all[i];
				what = needs[j].what;
			}
	if (best && col)
		*col = best->start + 1;
	return what;
}

void expect_names(const struct expect *e, void (*fn)(void *arg, enum expect_name kind, const char *name, int col),
		  void *arg)
{
	for (int i = 0; e && i < e->n; i++) {
		const struct node *n = e->all[i];
		if (n->kind == N_CAPTURED || n->kind == N_BASELINE || n->kind == N_INPUT)
			fn(arg, n->kind == N_CAPTURED ? EXPECT_CAPTURED : n->kind == N_BASELINE ? EXPECT_BASELINE : EXPECT_INPUT,
			   n->str, n->start + 1);
	}
}
