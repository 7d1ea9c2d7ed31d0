/* The expectation parser: recursive descent over the tokens of expect_lex.c, with bounded
 * nesting, size and tree depth; errors say "column N: ..." at the offending token.
 * Evaluation lives in expect_eval.c and expect_data.c. */
#include "runbooks/expect_int.h"

#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "src/util.h"

/* ---- tree --------------------------------------------------------------------------- */

static struct node *new_node(struct parser *p, enum node_kind k, int start, struct node *a, struct node *b)
{
	if (p->err)
		return NULL;
	struct expect *e = p->e;
	int depth = 1 + (a && a->depth > (b ? b->depth : 0) ? a->depth : (b ? b->depth : 0));
	if (e->n >= EXPECT_MAX_NODES) {
		expect_fail(p, start, "expectation too long (more than %d terms)", EXPECT_MAX_NODES);
		return NULL;
	}
	if (depth > EXPECT_MAX_DEPTH) {
		expect_fail(p, start, "expression nested too deeply (split it with 'and')");
		return NULL;
	}
	struct node *n = xcalloc(1, sizeof(*n));
	e->all = xrealloc(e->all, sizeof(*e->all) * (size_t)(e->n + 1));
	e->all[e->n++] = n;
	n->kind = k;
	n->start = start;
	n->end = p->prev_end > start ? p->prev_end : start;
	n->depth = depth;
	n->a = a;
	n->b = b;
	return n;
}

static int enter(struct parser *p)
{
	if (++p->nest > EXPECT_MAX_DEPTH) {
		expect_fail(p, p->tok.start, "expression nested too deeply");
		return -1;
	}
	return 0;
}

static struct node *parse_or(struct parser *p);

/* json(.a.b[0]["c d"]) : the path is read raw up to the closing parenthesis. */
static struct node *parse_json_path(struct parser *p, int start)
{
	int at = p->pos;
	while (isspace((unsigned char)p->src[at]))
		at++;
	struct node *n = new_node(p, N_JSON, start, NULL, NULL);
	if (!n)
		return NULL;
	int i = at;
	if (p->src[i] != '.') {
		expect_fail(p, i, "a JSON path starts with '.', e.g. json(.status) or json(.items[0].name)");
		return NULL;
	}
	if (p->src[i + 1] == '[' || p->src[i + 1] == ')' || !p->src[i + 1] || isspace((unsigned char)p->src[i + 1]))
		i++; /* "." alone is the whole document; ".[0]" indexes it */
	while (!p->err && p->src[i] && p->src[i] != ')' && !isspace((unsigned char)p->src[i])) {
		if (n->npath >= 32) {
			expect_fail(p, i, "JSON path too long");
			break;
		}
		n->path = xrealloc(n->path, sizeof(*n->path) * (size_t)(n->npath + 1));
		struct jseg *sg = &n->path[n->npath];
		memset(sg, 0, sizeof(*sg));
		if (p->src[i] == '.') {
			int b = ++i;
			while (expect_ident_char((unsigned char)p->src[i]) || p->src[i] == '-' || p->src[i] == '$')
				i++;
			if (i == b) {
				expect_fail(p, i, "expected a key after '.' in the JSON path");
				break;
			}
			sg->key = xstrndup(p->src + b, (size_t)(i - b));
		} else if (p->src[i] == '[' && (p->src[i + 1] == '"' || p->src[i + 1] == '\'')) {
			char q = p->src[i + 1];
			int b = i + 2;
			const char *e = strchr(p->src + b, q);
			if (!e || e[1] != ']') {
				expect_fail(p, i, "expected [\"key\"] in the JSON path");
				break;
			}
			sg->key = xstrndup(p->src + b, (size_t)(e - (p->src + b)));
			i = (int)(e - p->src) + 2;
		} else if (p->src[i] == '[') {
			double v;
			size_t used = expect_scan_number(p->src + i + 1, &v);
			if (!used || p->src[i + 1 + used] != ']' || v != floor(v) || v > 1e6) {
				expect_fail(p, i, "expected [N] (an index from 0) in the JSON path");
				break;
			}
			sg->index = (int)v;
			i += (int)used + 2;
		} else {
			expect_fail(p, i, "unexpected '%c' in the JSON path", p->src[i]);
			break;
		}
		n->npath++;
	}
	if (p->err)
		return NULL;
	while (isspace((unsigned char)p->src[i]))
		i++;
	n->str = xstrndup(p->src + at, (size_t)(i - at));
	while (n->str[0] && isspace((unsigned char)n->str[strlen(n->str) - 1]))
		n->str[strlen(n->str) - 1] = '\0';
	if (p->src[i] != ')') {
		expect_fail(p, i, "expected ')' to close json(");
		return NULL;
	}
	p->pos = i + 1;
	n->end = p->pos;
	expect_next(p);
	return n;
}

static const struct {
	const char *name;
	enum node_kind kind;
	int op;
} funcs[] = {
	{"min", N_AGG, AGG_MIN}, {"max", N_AGG, AGG_MAX}, {"sum", N_AGG, AGG_SUM},
	{"avg", N_AGG, AGG_AVG}, {"count", N_AGG, AGG_COUNT}, {"all", N_ALL, 0}, {"any", N_ANY, 0},
	{"abs", N_ABS, 0}, {"len", N_LEN, 0}, {"json", N_JSON, 0}, {"header", N_HEADER, 0},
	{"captured", N_CAPTURED, 0}, {"baseline", N_BASELINE, 0}, {"input", N_INPUT, 0}, {"col", N_COL, 0},
};

static struct node *parse_call(struct parser *p, int start, const char *name, size_t nlen)
{
	size_t f;
	for (f = 0; f < ARRAY_LEN(funcs); f++)
		if (strlen(funcs[f].name) == nlen && !strncmp(funcs[f].name, name, nlen))
			break;
	if (f == ARRAY_LEN(funcs)) {
		expect_fail(p, start, "unknown function %.*s() (min, max, sum, avg, count, all, any, abs, len, "
			       "json, header, captured, baseline, input, col)", (int)(nlen > 20 ? 20 : nlen), name);
		return NULL;
	}
	enum node_kind k = funcs[f].kind;
	if (k == N_JSON)
		return parse_json_path(p, start);
	expect_next(p); /* past '(' */
	struct node *n;
	if (k == N_HEADER || k == N_CAPTURED || k == N_BASELINE || k == N_INPUT || k == N_COL) {
		if (p->tok.t != T_STR || !p->tok.str[0]) {
			expect_fail(p, p->tok.start, "%s() takes a name in quotes, e.g. %s('%s')", funcs[f].name,
			     funcs[f].name, k == N_HEADER ? "X-RateLimit-Limit" : k == N_COL ? "rows" : "p95_ms");
			return NULL;
		}
		char *s = p->tok.str;
		p->tok.str = NULL;
		expect_next(p);
		if (!(n = new_node(p, k, start, NULL, NULL))) {
			free(s);
			return NULL;
		}
		n->str = s;
	} else if (k == N_AGG && funcs[f].op == AGG_COUNT && expect_is_op(p, "*")) {
		expect_next(p);
		n = new_node(p, N_COUNT_ALL, start, NULL, NULL);
	} else if (k == N_AGG && funcs[f].op == AGG_COUNT && expect_is_ident(p, "replicas")) {
		expect_next(p);
		n = new_node(p, N_REPLICAS, start, NULL, NULL);
	} else {
		int rows = k == N_AGG || k == N_ALL || k == N_ANY;
		if (rows && p->in_rows) {
			expect_fail(p, start, "%s() cannot be used inside another aggregate or all()/any()", funcs[f].name);
			return NULL;
		}
		p->in_rows += rows;
		struct node *arg = parse_or(p);
		p->in_rows -= rows;
		if (!arg)
			return NULL;
		n = new_node(p, k, start, arg, NULL);
	}
	if (!n)
		return NULL;
	n->op = funcs[f].op;
	if (p->tok.t != T_RP) {
		expect_unexpected(p, p->tok.t == T_COMMA ? "one argument" : "')'");
		return NULL;
	}
	n->end = p->tok.end;
	expect_next(p);
	return n;
}

static const struct {
	const char *word;
	enum node_kind kind;
} keywords[] = {
	{"value", N_VALUE}, {"rows", N_ROWS}, {"status", N_STATUS}, {"output", N_OUTPUT},
	{"exit", N_EXIT}, {"true", N_BOOL}, {"false", N_BOOL}, {"null", N_NULL},
};

static struct node *parse_primary(struct parser *p)
{
	int start = p->tok.start;
	struct node *n;
	switch (p->tok.t) {
	case T_NUM: {
		double v = p->tok.num;
		expect_next(p);
		if ((n = new_node(p, N_NUM, start, NULL, NULL)))
			n->num = v;
		return n;
	}
	case T_STR: {
		char *s = p->tok.str;
		p->tok.str = NULL;
		expect_next(p);
		if ((n = new_node(p, N_STR, start, NULL, NULL)))
			n->str = s;
		else
			free(s);
		return n;
	}
	case T_LP:
		if (enter(p) < 0)
			return NULL;
		expect_next(p);
		n = parse_or(p);
		p->nest--;
		if (n && p->tok.t != T_RP) {
			expect_unexpected(p, "')'");
			return NULL;
		}
		expect_next(p);
		return n;
	case T_IDENT: {
		const char *name = p->src + start;
		size_t len = (size_t)(p->tok.end - start);
		for (size_t i = 0; i < ARRAY_LEN(keywords); i++)
			if (expect_is_ident(p, keywords[i].word)) {
				int yes = expect_is_ident(p, "true");
				expect_next(p);
				if ((n = new_node(p, keywords[i].kind, start, NULL, NULL)))
					n->num = yes;
				return n;
			}
		if (expect_is_ident(p, "and") || expect_is_ident(p, "or") || expect_is_ident(p, "contains") || expect_is_ident(p, "matches")) {
			expect_unexpected(p, "a value");
			return NULL;
		}
		expect_next(p);
		if (p->tok.t == T_LP) {
			if (enter(p) < 0)
				return NULL;
			n = parse_call(p, start, name, len);
			p->nest--;
			return n;
		}
		if ((n = new_node(p, N_COL, start, NULL, NULL)))
			n->str = xstrndup(name, len);
		return n;
	}
	default:
		expect_unexpected(p, "a value");
		return NULL;
	}
}

static struct node *parse_unary(struct parser *p)
{
	if (expect_is_op(p, "-") || expect_is_ident(p, "not")) {
		int start = p->tok.start;
		enum node_kind k = expect_is_op(p, "-") ? N_NEG : N_NOT;
		if (enter(p) < 0)
			return NULL;
		expect_next(p);
		struct node *a = parse_unary(p);
		p->nest--;
		return a ? new_node(p, k, start, a, NULL) : NULL;
	}
	return parse_primary(p);
}

static struct node *parse_prod(struct parser *p)
{
	int start = p->tok.start;
	struct node *a = parse_unary(p);
	while (a && (expect_is_op(p, "*") || expect_is_op(p, "/"))) {
		int op = expect_is_op(p, "*") ? OP_MUL : OP_DIV;
		expect_next(p);
		struct node *b = parse_unary(p);
		if (!b || !(a = new_node(p, N_ARITH, start, a, b)))
			return NULL;
		a->op = op;
	}
	return a;
}

static struct node *parse_sum(struct parser *p)
{
	int start = p->tok.start;
	struct node *a = parse_prod(p);
	while (a && (expect_is_op(p, "+") || expect_is_op(p, "-"))) {
		int op = expect_is_op(p, "+") ? OP_ADD : OP_SUB;
		expect_next(p);
		struct node *b = parse_prod(p);
		if (!b || !(a = new_node(p, N_ARITH, start, a, b)))
			return NULL;
		a->op = op;
	}
	return a;
}

static int cmp_op(const struct parser *p)
{
	static const char *const ops[] = {"==", "!=", "<", "<=", ">", ">="};
	for (int i = 0; i < 6; i++)
		if (expect_is_op(p, ops[i]))
			return i;
	if (expect_is_ident(p, "contains"))
		return CMP_CONTAINS;
	if (expect_is_ident(p, "matches"))
		return CMP_MATCHES;
	return -1;
}

static struct node *parse_cmp(struct parser *p)
{
	int start = p->tok.start;
	struct node *a = parse_sum(p);
	int op = cmp_op(p);
	if (!a || op < 0)
		return a;
	expect_next(p);
	struct node *n;
	if (op == CMP_MATCHES) {
		if (p->tok.t != T_STR) {
			expect_fail(p, p->tok.start, "matches needs a regular expression in quotes, e.g. matches '^v[0-9]+'");
			return NULL;
		}
		regex_t re;
		if (regex_size(p->tok.str) > REGEX_MAX_SIZE) {
			expect_fail(p, p->tok.start, "regular expression too large: write fewer nested or stacked repetitions");
			return NULL;
		}
		int rc = regcomp(&re, p->tok.str, REG_EXTENDED | REG_NOSUB | REG_NEWLINE);
		if (rc) {
			char buf[128];
			regerror(rc, &re, buf, sizeof(buf));
			expect_fail(p, p->tok.start, "bad regular expression: %s", buf);
			return NULL;
		}
		int bstart = p->tok.start;
		char *s = p->tok.str;
		p->tok.str = NULL;
		expect_next(p);
		struct node *b = new_node(p, N_STR, bstart, NULL, NULL);
		if (b)
			b->str = s;
		else
			free(s);
		if (!b || !(n = new_node(p, N_CMP, start, a, b))) {
			regfree(&re);
			return NULL;
		}
		n->re = xmalloc(sizeof(*n->re));
		*n->re = re;
	} else {
		struct node *b = parse_sum(p);
		if (!b || !(n = new_node(p, N_CMP, start, a, b)))
			return NULL;
	}
	n->op = op;
	if (cmp_op(p) >= 0) {
		expect_fail(p, p->tok.start, "comparisons do not chain: write 'a < b and b < c'");
		return NULL;
	}
	return n;
}

static struct node *parse_and(struct parser *p)
{
	int start = p->tok.start;
	struct node *a = parse_cmp(p);
	while (a && expect_is_ident(p, "and")) {
		expect_next(p);
		struct node *b = parse_cmp(p);
		if (!b || !(a = new_node(p, N_AND, start, a, b)))
			return NULL;
	}
	return a;
}

static struct node *parse_or(struct parser *p)
{
	int start = p->tok.start;
	struct node *a = parse_and(p);
	while (a && expect_is_ident(p, "or")) {
		expect_next(p);
		struct node *b = parse_and(p);
		if (!b || !(a = new_node(p, N_OR, start, a, b)))
			return NULL;
	}
	return a;
}

struct expect *expect_parse(const char *src, char **err)
{
	struct parser p = {0};
	*err = NULL;
	if (!src)
		src = "";
	size_t len = strlen(src);
	if (len > EXPECT_MAX_LEN) {
		*err = xasprintf("column %d: expectation too long (more than %d characters)",
				 EXPECT_MAX_LEN + 1, EXPECT_MAX_LEN);
		return NULL;
	}
	p.src = src;
	p.len = (int)len;
	p.e = xcalloc(1, sizeof(*p.e));
	p.e->src = xstrdup(src);
	expect_next(&p);
	if (p.tok.t == T_END && !p.err)
		expect_fail(&p, p.tok.start, "empty expectation");
	struct node *root = p.err ? NULL : parse_or(&p);
	if (root && p.tok.t != T_END)
		expect_unexpected(&p, "'and', 'or' or the end");
	free(p.tok.str);
	if (p.err || !root) {
		*err = p.err ? p.err : xstrdup("column 1: cannot parse");
		expect_free(p.e);
		return NULL;
	}
	p.e->root = root;
	return p.e;
}

void expect_free(struct expect *e)
{
	if (!e)
		return;
	for (int i = 0; i < e->n; i++) {
		struct node *n = e->all[i];
		for (int j = 0; j < n->npath; j++)
			free(n->path[j].key);
		free(n->path);
		if (n->re) {
			regfree(n->re);
			free(n->re);
		}
		free(n->str);
		free(n);
	}
	free(e->all);
	free(e->src);
	free(e);
}

const char *expect_source(const struct expect *e)
{
	return e ? e->src : "";
}
