/* The expectation lexer: numbers with units, strings, identifiers and operators, with
 * errors that name the column. Also the locale-independent number scanner that the
 * evaluator uses for cells. */
#include "runbooks/expect_int.h"

#include <ctype.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "src/util.h"

static const struct {
	const char *name;
	double mul;
} units[] = {
	{"ms", 1}, {"s", 1000}, {"sec", 1000}, {"min", 60000}, {"h", 3600000}, {"d", 86400000},
	{"B", 1}, {"kB", 1024}, {"KB", 1024}, {"MB", 1048576}, {"GB", 1073741824.0},
	{"TB", 1099511627776.0}, {"%", 0.01},
};

void expect_fail(struct parser *p, int at, const char *fmt, ...)
{
	if (p->err)
		return;
	va_list ap;
	va_start(ap, fmt);
	char *msg = xvasprintf(fmt, ap);
	va_end(ap);
	p->err = xasprintf("column %d: %s", at + 1, msg);
	free(msg);
}

size_t expect_scan_number(const char *s, double *out)
{
	size_t i = 0;
	uint64_t m = 0;
	int scale = 0, digits = 0;
	while (isdigit((unsigned char)s[i])) {
		if (m < 1000000000000000000ULL)
			m = m * 10 + (uint64_t)(s[i] - '0');
		else
			scale++;
		i++, digits++;
	}
	if (s[i] == '.' && isdigit((unsigned char)s[i + 1])) {
		for (i++; isdigit((unsigned char)s[i]); i++, digits++)
			if (m < 1000000000000000000ULL)
				m = m * 10 + (uint64_t)(s[i] - '0'), scale--;
	}
	if (!digits)
		return 0;
	if ((s[i] == 'e' || s[i] == 'E') &&
	    (isdigit((unsigned char)s[i + 1]) || ((s[i + 1] == '+' || s[i + 1] == '-') && isdigit((unsigned char)s[i + 2])))) {
		int sign = 1, ex = 0;
		i++;
		if (s[i] == '+' || s[i] == '-')
			sign = s[i++] == '-' ? -1 : 1;
		for (; isdigit((unsigned char)s[i]); i++)
			if (ex < 10000)
				ex = ex * 10 + (s[i] - '0');
		scale += sign * ex;
	}
	double v = (double)m;
	/* Powers of ten up to 1e22 are exact, so one multiplication or division rounds once. */
	if (scale > 0)
		v = scale <= 22 ? v * pow(10, scale) : v * pow(10, scale > 400 ? 400 : scale);
	else if (scale < 0)
		v = -scale <= 22 ? v / pow(10, -scale) : v / pow(10, -scale > 400 ? 400 : -scale);
	*out = v;
	return i;
}

int expect_text_number(const char *s, double *out)
{
	int neg = 0;
	while (isspace((unsigned char)*s))
		s++;
	if (*s == '-' || *s == '+')
		neg = *s++ == '-';
	size_t n = expect_scan_number(s, out);
	if (!n)
		return -1;
	s += n;
	while (isspace((unsigned char)*s))
		s++;
	if (*s || !isfinite(*out))
		return -1;
	if (neg)
		*out = -*out;
	return 0;
}

/* ---- lexer ------------------------------------------------------------------------ */

int expect_ident_char(int c)
{
	return isalnum(c) || c == '_';
}

static void lex_string(struct parser *p, int start)
{
	char q = p->src[p->pos++];
	struct sbuf sb = {0};
	sbuf_addn(&sb, "", 0);
	for (;;) {
		char c = p->src[p->pos];
		if (!c) {
			sbuf_done(&sb);
			expect_fail(p, start, "unterminated string (missing %c)", q);
			return;
		}
		p->pos++;
		if (c == q)
			break;
		if (c == '\\' && (p->src[p->pos] == q || p->src[p->pos] == '\\' ||
				  p->src[p->pos] == '\'' || p->src[p->pos] == '"')) {
			sbuf_addc(&sb, p->src[p->pos++]);
			continue;
		}
		sbuf_addc(&sb, c);
	}
	p->tok.t = T_STR;
	p->tok.str = sbuf_steal(&sb);
}

static void lex_number(struct parser *p)
{
	double v;
	p->pos += (int)expect_scan_number(p->src + p->pos, &v);
	int u = p->pos;
	while (isalpha((unsigned char)p->src[u]) || p->src[u] == '%')
		u++;
	if (u > p->pos) {
		size_t i;
		for (i = 0; i < ARRAY_LEN(units); i++)
			if (strlen(units[i].name) == (size_t)(u - p->pos) &&
			    !strncmp(units[i].name, p->src + p->pos, (size_t)(u - p->pos)))
				break;
		if (i == ARRAY_LEN(units)) {
			expect_fail(p, p->pos, "unknown unit '%.*s' (ms, s, min, h, d, B, kB, MB, GB, TB or %%)",
			     u - p->pos > 20 ? 20 : u - p->pos, p->src + p->pos);
			return;
		}
		v *= units[i].mul;
		p->pos = u;
	}
	if (expect_ident_char((unsigned char)p->src[p->pos])) {
		expect_fail(p, p->pos, "unexpected '%c' after the number", p->src[p->pos]);
		return;
	}
	p->tok.t = T_NUM;
	p->tok.num = v;
}

void expect_next(struct parser *p)
{
	p->prev_end = p->tok.end;
	free(p->tok.str);
	memset(&p->tok, 0, sizeof(p->tok));
	if (p->err)
		return;
	while (isspace((unsigned char)p->src[p->pos]))
		p->pos++;
	int start = p->pos;
	const char *s = p->src + start;
	p->tok.start = start;
	if (!*s) {
		p->tok.t = T_END;
	} else if (*s == '\'' || *s == '"') {
		lex_string(p, start);
	} else if (isdigit((unsigned char)*s) || (*s == '.' && isdigit((unsigned char)s[1]))) {
		lex_number(p);
	} else if (isalpha((unsigned char)*s) || *s == '_') {
		while (expect_ident_char((unsigned char)p->src[p->pos]))
			p->pos++;
		p->tok.t = T_IDENT;
	} else if (*s == '(' || *s == ')' || *s == ',') {
		p->tok.t = *s == '(' ? T_LP : *s == ')' ? T_RP : T_COMMA;
		p->pos++;
	} else if (!strncmp(s, "==", 2) || !strncmp(s, "!=", 2) || !strncmp(s, "<=", 2) || !strncmp(s, ">=", 2)) {
		p->tok.t = T_OP;
		memcpy(p->tok.op, s, 2);
		p->pos += 2;
	} else if (!strncmp(s, "&&", 2) || !strncmp(s, "||", 2) || !strncmp(s, "<>", 2)) {
		expect_fail(p, start, "use %s instead of '%.2s'", *s == '&' ? "'and'" : *s == '|' ? "'or'" : "!=", s);
	} else if (strchr("<>+-*/", *s)) {
		p->tok.t = T_OP;
		p->tok.op[0] = *s;
		p->pos++;
	} else if (*s == '=') {
		expect_fail(p, start, "use == to compare");
	} else if (*s == '!') {
		expect_fail(p, start, "use 'not' or !=");
	} else if ((unsigned char)*s < 0x20 || (unsigned char)*s >= 0x7f) {
		expect_fail(p, start, "unexpected character (byte 0x%02x)", (unsigned char)*s);
	} else {
		expect_fail(p, start, "unexpected character '%c'", *s);
	}
	p->tok.end = p->pos;
}

int expect_is_ident(const struct parser *p, const char *word)
{
	size_t n = strlen(word);
	return p->tok.t == T_IDENT && (size_t)(p->tok.end - p->tok.start) == n &&
	       !strncmp(p->src + p->tok.start, word, n);
}

int expect_is_op(const struct parser *p, const char *op)
{
	return p->tok.t == T_OP && !strcmp(p->tok.op, op);
}

void expect_unexpected(struct parser *p, const char *wanted)
{
	if (p->tok.t == T_END)
		expect_fail(p, p->tok.start, "unexpected end of the expectation (expected %s)", wanted);
	else
		expect_fail(p, p->tok.start, "unexpected '%.*s' (expected %s)",
		     p->tok.end - p->tok.start > 20 ? 20 : p->tok.end - p->tok.start,
		     p->src + p->tok.start, wanted);
}

