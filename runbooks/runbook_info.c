/* The small languages inside a runbook: a code block's info string (probe kind, target,
 * expect=, params=, ...), durations in the metadata, and the problem list. */
#include "runbooks/runbook.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "src/util.h"

void rb_problem(struct rb_problems *p, int line, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *msg = xvasprintf(fmt, ap);
	va_end(ap);
	p->v = xrealloc(p->v, sizeof(*p->v) * (size_t)(p->n + 1));
	p->v[p->n].line = line;
	p->v[p->n].msg = msg;
	p->n++;
}

void rb_problems_done(struct rb_problems *p)
{
	for (int i = 0; i < p->n; i++)
		free(p->v[i].msg);
	free(p->v);
	p->v = NULL;
	p->n = 0;
}

const char *probe_kind_name(enum probe_kind k)
{
	static const char *const names[] = {"text", "sql", "redis", "http", "shell", "unknown"};
	return (unsigned)k < ARRAY_LEN(names) ? names[k] : "unknown";
}

enum target_kind probe_target(const char *t, const char **replica)
{
	if (replica)
		*replica = NULL;
	if (!t)
		return TARGET_NONE;
	if (!strcmp(t, "primary"))
		return TARGET_PRIMARY;
	if (!strcmp(t, "pgbouncer"))
		return TARGET_PGBOUNCER;
	if (!strcmp(t, "each-replica"))
		return TARGET_EACH_REPLICA;
	if (str_starts(t, "replica.$") && rb_input_name_ok(t + 9)) {
		if (replica)
			*replica = t + 9;
		return TARGET_REPLICA_INPUT;
	}
	if (str_starts(t, "replica.") && rb_replica_name_ok(t + 8)) {
		if (replica)
			*replica = t + 8;
		return TARGET_REPLICA;
	}
	return TARGET_BAD;
}

/* ---- info strings ------------------------------------------------------------------- */

struct word {
	char *key; /* NULL for a bare word */
	char *val;
};

/* Splits an info string into bare words and key=value pairs; a value may be quoted with
 * "..." or '...' (\" \' \\ stand for themselves inside). Returns the count, or -1. */
static int split_info(const char *s, struct word **out, char **why)
{
	int n = 0;
	*out = NULL;
	for (;;) {
		while (*s == ' ' || *s == '\t')
			s++;
		if (!*s)
			return n;
		const char *b = s;
		/* key=value only when the key is a word: "/users?limit=5" is one bare word */
		while (isalnum((unsigned char)*s) || *s == '_' || *s == '-')
			s++;
		struct word w = {0};
		if (*s == '=' && s > b && isalpha((unsigned char)*b)) {
			w.key = xstrndup(b, (size_t)(s - b));
			s++;
			b = s;
		}
		struct sbuf sb = {0};
		sbuf_addn(&sb, "", 0);
		s = b;
		while (*s && *s != ' ' && *s != '\t') {
			if (*s == '"' || *s == '\'') {
				char q = *s++;
				while (*s && *s != q) {
					if (*s == '\\' && (s[1] == q || s[1] == '\\'))
						s++;
					sbuf_addc(&sb, *s++);
				}
				if (!*s) {
					*why = xasprintf("unterminated %c in the info string%s%s%s", q,
							 w.key ? " (in " : "", w.key ? w.key : "", w.key ? "=)" : "");
					free(w.key);
					sbuf_done(&sb);
					for (int i = 0; i < n; i++) {
						free((*out)[i].key);
						free((*out)[i].val);
					}
					free(*out);
					*out = NULL;
					return -1;
				}
				s++;
			} else {
				sbuf_addc(&sb, *s++);
			}
		}
		w.val = sbuf_steal(&sb);
		*out = xrealloc(*out, sizeof(**out) * (size_t)(n + 1));
		(*out)[n++] = w;
	}
}

static const char *const attributes[] = {"target", "expect", "params", "capture", "baseline",
					 "timeout", "wait", "confirm", "every", "for", "unit"};

/* "name" or "name = expression" for capture= and baseline=. */
static void named_value(struct probe *pr, const char *attr, const char *val, char **name,
			struct expect **expr, struct rb_problems *out)
{
	const char *eq = strchr(val, '=');
	char *nm = xstrndup(val, eq ? (size_t)(eq - val) : strlen(val));
	size_t len = strlen(nm);
	while (len && isspace((unsigned char)nm[len - 1]))
		nm[--len] = '\0';
	if (!rb_input_name_ok(nm)) {
		rb_problem(out, pr->line, "%s=%s: a name is letters, digits and _ (e.g. %s=users_primary)",
			   attr, val, attr);
		free(nm);
		return;
	}
	*name = nm;
	if (eq) {
		char *err;
		if (!(*expr = expect_parse(eq + 1, &err))) {
			rb_problem(out, pr->line, "bad %s= expression: %s", attr, err);
			free(err);
		}
	}
}

static void set_attr(struct probe *pr, const struct word *w, struct rb_problems *out)
{
	const char *k = w->key, *v = w->val;
	char *err;
	if (!strcmp(k, "target")) {
		pr->target = xstrdup(v);
	} else if (!strcmp(k, "expect")) {
		pr->expect_src = xstrdup(v);
		if (!(pr->expect = expect_parse(v, &err))) {
			rb_problem(out, pr->line, "bad expectation: %s", err);
			free(err);
		}
	} else if (!strcmp(k, "params")) {
		for (const char *s = v; *s;) {
			size_t n = strcspn(s, ",");
			char *name = xstrndup(s, n);
			char *b = name, *e = name + strlen(name);
			while (isspace((unsigned char)*b))
				b++;
			while (e > b && isspace((unsigned char)e[-1]))
				*--e = '\0';
			if (!rb_input_name_ok(b))
				rb_problem(out, pr->line, "params=: '%s' is not an input name", b);
			pr->params = xrealloc(pr->params, sizeof(*pr->params) * (size_t)(pr->n_params + 1));
			pr->params[pr->n_params++] = xstrdup(b);
			free(name);
			s += n + (s[n] == ',');
		}
	} else if (!strcmp(k, "capture")) {
		named_value(pr, k, v, &pr->capture, &pr->capture_expr, out);
	} else if (!strcmp(k, "baseline")) {
		named_value(pr, k, v, &pr->baseline, &pr->baseline_expr, out);
	} else if (!strcmp(k, "timeout") || !strcmp(k, "wait")) {
		double ms;
		if (parse_duration_ms(v, &ms) < 0 || ms <= 0 || ms > 3600000)
			rb_problem(out, pr->line, "%s=%s: expected a duration such as 30s or 2min (up to 1h)", k, v);
		else
			*(!strcmp(k, "timeout") ? &pr->timeout_ms : &pr->wait_ms) = ms;
	} else if (!strcmp(k, "every") || !strcmp(k, "for")) {
		double ms;
		if (parse_duration_ms(v, &ms) < 0 || ms < 1000 || ms > 7 * 86400000.0)
			rb_problem(out, pr->line, "%s=%s: expected a duration such as 15min, 4h or 24h (up to 7 days)",
				   k, v);
		else
			*(!strcmp(k, "every") ? &pr->every_ms : &pr->for_ms) = ms;
	} else if (!strcmp(k, "unit")) {
		if (!v[0] || strlen(v) > 20 || strpbrk(v, " \t"))
			rb_problem(out, pr->line, "unit=: one short word, e.g. unit=ms, unit=%%, unit=connections");
		else
			pr->unit = xstrdup(v);
	} else if (!strcmp(k, "confirm")) {
		if (!v[0] || strpbrk(v, " \t"))
			rb_problem(out, pr->line, "confirm=: one word to type, e.g. confirm=FLUSHDB");
		else
			pr->confirm = xstrdup(v);
	}
}

static int is_method(const char *w)
{
	static const char *const methods[] = {"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE"};
	for (size_t i = 0; i < ARRAY_LEN(methods); i++)
		if (!strcmp(w, methods[i]))
			return 1;
	return 0;
}

void probe_parse_info(struct probe *pr, const char *info, struct rb_problems *out)
{
	static const char *const kinds[] = {"text", "sql", "redis", "http", "shell"};
	struct word *w;
	char *why = NULL;
	int n = split_info(info, &w, &why);
	pr->info = xstrdup(info);
	pr->kind = PROBE_TEXT;
	if (n < 0) {
		rb_problem(out, pr->line, "%s", why);
		free(why);
		pr->kind = PROBE_UNKNOWN;
		return;
	}
	if (n > 0) {
		pr->kind = PROBE_UNKNOWN;
		for (size_t k = 0; k < ARRAY_LEN(kinds); k++)
			if (!w[0].key && !strcmp(w[0].val, kinds[k]))
				pr->kind = (enum probe_kind)k;
		if (pr->kind == PROBE_UNKNOWN)
			rb_problem(out, pr->line, "unknown probe kind '%s' (sql, redis, http, shell, or text for "
				   "a manual step's instructions)", w[0].key ? w[0].key : w[0].val);
	}
	unsigned seen = 0;
	int positional = 0;
	for (int i = 1; i < n && pr->kind != PROBE_UNKNOWN; i++) {
		size_t a;
		if (!w[i].key) {
			if (!strcmp(w[i].val, "destructive") || !strcmp(w[i].val, "writes")) {
				*(!strcmp(w[i].val, "writes") ? &pr->writes : &pr->destructive) = 1;
			} else if (pr->kind == PROBE_HTTP && positional == 0 && is_method(w[i].val)) {
				pr->method = xstrdup(w[i].val);
				positional++;
			} else if (pr->kind == PROBE_HTTP && positional < 2 && !pr->path) {
				pr->path = xstrdup(w[i].val);
				positional = 2;
			} else {
				rb_problem(out, pr->line, "unexpected word '%s' in the info string (attributes are "
					   "key=value, destructive or writes)", w[i].val);
			}
			continue;
		}
		for (a = 0; a < ARRAY_LEN(attributes); a++)
			if (!strcmp(w[i].key, attributes[a]))
				break;
		if (a == ARRAY_LEN(attributes)) {
			rb_problem(out, pr->line, "unknown attribute '%s' (target, expect, params, capture, "
				   "baseline, unit, timeout, wait, every, for, confirm, destructive, writes)", w[i].key);
		} else if (seen & (1u << a)) {
			rb_problem(out, pr->line, "%s= is given twice", w[i].key);
		} else if (pr->kind == PROBE_TEXT && strcmp(w[i].key, "confirm") && strcmp(w[i].key, "baseline") &&
			   strcmp(w[i].key, "unit")) {
			rb_problem(out, pr->line, "a text block is read by the operator: it takes no %s= "
				   "(only destructive, confirm=, and baseline= with unit= for a value typed in)", w[i].key);
		} else {
			seen |= 1u << a;
			set_attr(pr, &w[i], out);
		}
	}
	if (pr->kind == PROBE_TEXT && pr->writes)
		rb_problem(out, pr->line, "a text block is read by the operator: mark it destructive, not writes");
	if (pr->kind == PROBE_HTTP && !pr->method)
		pr->method = xstrdup("GET");
	for (int i = 0; i < n; i++) {
		free(w[i].key);
		free(w[i].val);
	}
	free(w);
}

void probe_done(struct probe *pr)
{
	free(pr->info);
	free(pr->target);
	free(pr->method);
	free(pr->path);
	free(pr->expect_src);
	expect_free(pr->expect);
	for (int i = 0; i < pr->n_params; i++)
		free(pr->params[i]);
	free(pr->params);
	free(pr->unit);
	free(pr->capture);
	expect_free(pr->capture_expr);
	free(pr->baseline);
	expect_free(pr->baseline_expr);
	free(pr->confirm);
	free(pr->code);
	memset(pr, 0, sizeof(*pr));
}

int redis_split(const char *line, char ***argv, char **why)
{
	int argc = 0;
	*argv = NULL;
	*why = NULL;
	for (const char *s = line;;) {
		while (*s == ' ' || *s == '\t' || *s == '\r')
			s++;
		if (!*s || *s == '\n' || (argc == 0 && *s == '#'))
			return argc;
		struct sbuf sb = {0};
		sbuf_addn(&sb, "", 0);
		while (*s && *s != ' ' && *s != '\t' && *s != '\r' && *s != '\n') {
			if (*s == '"' || *s == '\'') {
				char q = *s++;
				for (; *s && *s != q && *s != '\n'; s++) {
					if (q == '"' && *s == '\\' && s[1] && s[1] != '\n') {
						s++;
						sbuf_addc(&sb, *s == 'n' ? '\n' : *s == 't' ? '\t' : *s);
					} else {
						sbuf_addc(&sb, *s);
					}
				}
				if (*s != q) {
					sbuf_done(&sb);
					for (int i = 0; i < argc; i++)
						free((*argv)[i]);
					free(*argv);
					*argv = NULL;
					*why = xasprintf("unterminated %c", q);
					return -1;
				}
				s++;
			} else {
				sbuf_addc(&sb, *s++);
			}
		}
		*argv = xrealloc(*argv, sizeof(**argv) * (size_t)(argc + 1));
		(*argv)[argc++] = sbuf_steal(&sb);
	}
}

/* ---- durations ---------------------------------------------------------------------- */

static int unit_ms(const char *u, double *mul)
{
	static const struct {
		const char *name;
		double ms;
	} units[] = {{"s", 1000}, {"sec", 1000}, {"second", 1000}, {"seconds", 1000}, {"min", 60000},
		     {"mins", 60000}, {"minute", 60000}, {"minutes", 60000}, {"h", 3600000},
		     {"hour", 3600000}, {"hours", 3600000}};
	for (size_t i = 0; i < ARRAY_LEN(units); i++)
		if (!strcmp(u, units[i].name)) {
			*mul = units[i].ms;
			return 0;
		}
	return -1;
}

static const char *number(const char *s, long *v)
{
	char *end;
	while (*s == ' ')
		s++;
	if (!isdigit((unsigned char)*s))
		return NULL;
	*v = strtol(s, &end, 10);
	while (*end == ' ')
		end++;
	return *v > 0 && *v <= 1000 ? end : NULL;
}

int rb_parse_duration(const char *text, double *min_ms, double *max_ms)
{
	char buf[64];
	long lo, hi;
	double mul;
	const char *s;
	*min_ms = *max_ms = 0;
	if (!text || strlen(text) >= sizeof(buf))
		return -1;
	/* an en dash (UTF-8 e2 80 93) is a hyphen here */
	size_t j = 0;
	for (size_t i = 0; text[i]; i++) {
		if ((unsigned char)text[i] == 0xe2 && (unsigned char)text[i + 1] == 0x80 &&
		    (unsigned char)text[i + 2] == 0x93) {
			buf[j++] = '-';
			i += 2;
		} else {
			buf[j++] = text[i];
		}
	}
	buf[j] = '\0';
	if (!strcasecmp(buf, "variable"))
		return 0;
	if (!(s = number(buf, &lo)))
		return -1;
	hi = lo;
	if (*s == '-' && !(s = number(s + 1, &hi)))
		return -1;
	char unit[16];
	size_t n = strlen(s);
	while (n && s[n - 1] == ' ')
		n--;
	if (n == 0 || n >= sizeof(unit))
		return -1;
	memcpy(unit, s, n);
	unit[n] = '\0';
	if (unit_ms(unit, &mul) < 0 || hi < lo)
		return -1;
	*min_ms = (double)lo * mul;
	*max_ms = (double)hi * mul;
	return 0;
}
