/* One run for the review screen, loaded whole: header, each step's newest result with its
 * baselines compared (baseline, now, delta), the run's values and baselines, sign-offs. */
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "src/config.h"
#include "src/util.h"
#include "store/review.h"
#include "store/store.h"

const char *review_verdict(const char *status)
{
	if (str_eq(status, "pass") || str_eq(status, "manual-ok"))
		return "pass";
	if (str_eq(status, "fail"))
		return "FAIL";
	if (str_eq(status, "error"))
		return "error";
	if (str_eq(status, "skip"))
		return "skipped";
	return "pending";
}

/* ---- comparing with baselines (pure) ---- */

static int ident_char(char c) { return isalnum((unsigned char)c) || c == '_'; }

/* The clause of expr (split at top-level "and", "or" and the "; " between probes) that
 * holds position pos: [*start, *end). */
static void clause_around(const char *expr, size_t pos, size_t *start, size_t *end)
{
	int depth = 0;
	char quote = 0;
	*start = 0;
	*end = strlen(expr);
	for (size_t i = 0; expr[i]; i++) {
		char c = expr[i];
		if (quote) {
			quote = c == quote ? 0 : quote;
			continue;
		}
		if (c == '\'' || c == '"')
			quote = c;
		else if (c == '(')
			depth++;
		else if (c == ')')
			depth--;
		int cut = 0;
		if (depth == 0 && c == ';')
			cut = 1;
		else if (depth == 0 && c == ' ' && (!strncmp(expr + i, " and ", 5) || !strncmp(expr + i, " or ", 4)))
			cut = expr[i + 1] == 'a' ? 4 : 3;
		if (!cut)
			continue;
		if (i < pos) {
			*start = i + (size_t)cut;
		} else {
			*end = i;
			return;
		}
	}
}

/* term occurs in s[0, n) as a whole term (not inside a longer name). */
static int has_term(const char *s, size_t n, const char *term)
{
	size_t tl = strlen(term);
	for (size_t i = 0; tl && i + tl <= n; i++) {
		if (strncmp(s + i, term, tl))
			continue;
		int before = i > 0 && (ident_char(s[i - 1]) || s[i - 1] == '.' || s[i - 1] == '\'');
		int after = i + tl < n && ident_char(s[i + tl]) && ident_char(term[tl - 1]);
		if (!before && !after)
			return 1;
	}
	return 0;
}

/* A number that ends where a value ends. */
static int number_at(const char *s, double *v)
{
	char *end;
	double d = strtod(s, &end);
	if (end == s || !isfinite(d) || (*end && *end != ',' && *end != ';' && *end != ' '))
		return 0;
	*v = d;
	return 1;
}

/* observed reads "label: t1 = v1, t2 = v2; label2: ...": calls fn for each "term = value"
 * until it returns 1. */
static int each_term(const char *observed, int (*fn)(void *arg, const char *term, size_t tl, const char *value),
		     void *arg)
{
	for (const char *eq = strstr(observed, " = "); eq; eq = strstr(eq + 3, " = ")) {
		const char *t = eq;
		while (t > observed && !((t[-1] == ' ') && t - 1 > observed && strchr(",;:", t[-2])))
			t--;
		if (fn(arg, t, (size_t)(eq - t), eq + 3))
			return 1;
	}
	return 0;
}

struct now_arg {
	const char *clause;
	size_t clause_len;
	double value;
};

static int find_now(void *arg, const char *term, size_t tl, const char *value)
{
	struct now_arg *a = arg;
	if (!tl || !strncmp(term, "baseline(", 9))
		return 0;
	char *t = xstrndup(term, tl);
	int hit = has_term(a->clause, a->clause_len, t) && number_at(value, &a->value);
	free(t);
	return hit;
}

struct base_arg {
	const char *name;
	double value;
};

static int find_base(void *arg, const char *term, size_t tl, const char *value)
{
	struct base_arg *a = arg;
	size_t nl = strlen(a->name);
	/* baseline('NAME') or baseline("NAME") */
	return tl == nl + 12 && !strncmp(term, "baseline(", 9) && !strncmp(term + 10, a->name, nl) &&
	       term[tl - 1] == ')' && number_at(value, &a->value);
}

void review_cmp_done(struct review_cmp *c)
{
	free(c->name);
	free(c->unit);
	memset(c, 0, sizeof *c);
}

static void cmp_delta(struct review_cmp *c)
{
	c->delta = c->now - c->base;
	c->pct = c->base != 0 ? c->delta / fabs(c->base) * 100 : NAN;
}

static int known(const struct review_cmp *out, int n, const char *name, size_t len)
{
	for (int i = 0; i < n; i++)
		if (strlen(out[i].name) == len && !strncmp(out[i].name, name, len))
			return 1;
	return 0;
}

int review_compare(const char *expectation, const char *observed, struct review_cmp *out, int max)
{
	int n = 0;
	if (!expectation)
		return 0;
	for (const char *p = strstr(expectation, "baseline("); p && n < max; p = strstr(p + 9, "baseline(")) {
		char q = p[9];
		const char *name = p + 10, *close = (q == '\'' || q == '"') ? strchr(name, q) : NULL;
		if (!close || close == name || known(out, n, name, (size_t)(close - name)))
			continue;
		struct review_cmp *c = &out[n++];
		memset(c, 0, sizeof *c);
		c->name = xstrndup(name, (size_t)(close - name));
		size_t start, end;
		clause_around(expectation, (size_t)(p - expectation), &start, &end);
		struct base_arg b = {c->name, 0};
		struct now_arg a = {expectation + start, end - start, 0};
		if (observed && each_term(observed, find_base, &b)) {
			c->has_base = 1;
			c->base = b.value;
		}
		if (observed && each_term(observed, find_now, &a)) {
			c->has_now = 1;
			c->now = a.value;
		}
		cmp_delta(c);
	}
	return n;
}

/* ---- secrets ---- */

static int word_start(const char *text, const char *p)
{
	return p == text || strchr(" \t\n\"'(,;[", p[-1]);
}

/* A conninfo pair ("password=...", "host = x") or a URL ("postgresql://...") starts at p. */
static int dsn_at(const char *p)
{
	const char *q = p;
	while (ident_char(*q))
		q++;
	if (q == p)
		return 0;
	if (!strncmp(q, "://", 3))
		return 1;
	while (*q == ' ')
		q++;
	return *q == '=';
}

/* Whether a line can hold a secret src/mask.c would find: a URL, or a key it knows
 * (password, pwd, token, api_key, secret, ...). Most lines of output cannot. */
static int may_hold_secret(const char *line, size_t len)
{
	static const char *const hints[] = {"://", "pass", "pwd", "token", "key", "secret"};
	char *l = xstrndup(line, len);
	int hit = 0;
	for (size_t i = 0; i < ARRAY_LEN(hints) && !hit; i++)
		hit = strcasestr(l, hints[i]) != NULL;
	free(l);
	return hit;
}

char *review_mask_text(const char *text)
{
	if (!text)
		return NULL;
	char *out = xstrdup(text);
	for (size_t i = 0; out[i]; i++) {
		if (word_start(out, out + i) && (i == 0 || out[i - 1] == '\n') &&
		    !may_hold_secret(out + i, strcspn(out + i, "\n"))) {
			i += strcspn(out + i, "\n"); /* the next line */
			if (!out[i])
				break;
			continue;
		}
		if (!word_start(out, out + i) || !dsn_at(out + i))
			continue;
		/* src/mask.c reads a DSN from its start and keeps everything but the secrets as
		 * written: mask the rest of this line, from here */
		size_t len = strcspn(out + i, "\n");
		char *line = xstrndup(out + i, len), *masked = mask_secrets(line);
		if (strcmp(line, masked)) {
			char *next = xasprintf("%.*s%s%s", (int)i, out, masked, out + i + len);
			free(out);
			out = next;
		}
		free(line);
		free(masked);
	}
	return out;
}

static void mask_in_place(char **s)
{
	char *m = review_mask_text(*s);
	free(*s);
	*s = m;
}

/* Everything recorded text may carry: the journal has it masked already (the configured
 * secrets), but a DSN typed or printed by a script may still hold a password. */
static void mask_detail(struct review_detail *d)
{
	for (int i = 0; i < d->n_steps; i++) {
		mask_in_place(&d->steps[i].observed);
		mask_in_place(&d->steps[i].output);
		mask_in_place(&d->steps[i].note);
	}
	for (int i = 0; i < d->n_values; i++)
		mask_in_place(&d->values[i].value);
	for (int i = 0; i < d->n_signoffs; i++) {
		mask_in_place(&d->signoffs[i].comment);
		mask_in_place(&d->signoffs[i].reason);
	}
}

/* ---- loading a run ---- */

static void *grow(void *v, int n, int *cap, size_t size)
{
	if (n < *cap)
		return v;
	*cap = *cap ? *cap * 2 : 16;
	return xrealloc(v, size * (size_t)*cap);
}

static int load_events(struct journal *j, struct review_detail *d, char **err)
{
	sqlite3_stmt *st = store_prepare(j, "SELECT event, recorded_at FROM run_events WHERE run_id = ?1 "
					 "ORDER BY id DESC LIMIT 1", err);
	if (!st)
		return -1;
	sqlite3_bind_int64(st, 1, d->run.id);
	int rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		const char *ev = (const char *)sqlite3_column_text(st, 0);
		d->last_at = sqlite3_column_int64(st, 1);
		if (str_eq(ev, "done") || str_eq(ev, "failed") || str_eq(ev, "aborted") || str_eq(ev, "rolled-back"))
			d->ended_at = d->last_at;
	} else if (rc != SQLITE_DONE) {
		store_fail(j, err, "cannot read the run's events");
	}
	sqlite3_finalize(st);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : -1;
}

static int load_baselines(struct journal *j, struct review_detail *d, char **err)
{
	sqlite3_stmt *st = store_prepare(j, "SELECT name, value, unit, recorded_at FROM baselines "
					 "WHERE run_id = ?1 ORDER BY id", err);
	if (!st)
		return -1;
	sqlite3_bind_int64(st, 1, d->run.id);
	int rc, cap = 0;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		d->baselines = grow(d->baselines, d->n_baselines, &cap, sizeof *d->baselines);
		struct review_baseline *b = &d->baselines[d->n_baselines++];
		b->name = store_column_strdup(st, 0);
		b->value = sqlite3_column_double(st, 1);
		b->unit = store_column_strdup(st, 2);
		b->recorded_at = sqlite3_column_int64(st, 3);
	}
	if (rc != SQLITE_DONE)
		store_fail(j, err, "cannot read the run's baselines");
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : -1;
}

/* The baseline a step was compared with, as the journal had it then: the newest of that
 * name in the run's environment (or taken outside any run) up to the step's result. The
 * observed value, when there is one, is what the check used and wins; the unit is only here. */
static int fill_cmp(sqlite3_stmt *st, const struct review_detail *d, const struct journal_step_row *s,
		    struct review_cmp *c)
{
	sqlite3_reset(st);
	sqlite3_bind_text(st, 1, c->name, -1, SQLITE_STATIC);
	store_bind_text(st, 2, d->run.env);
	sqlite3_bind_int64(st, 3, s->recorded_at);
	int rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		if (!c->has_base) {
			c->has_base = 1;
			c->base = sqlite3_column_double(st, 0);
			cmp_delta(c);
		}
		c->unit = store_column_strdup(st, 1);
	}
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : -1;
}

static int load_compare(struct journal *j, struct review_detail *d, char **err)
{
	enum { MAX_CMP = 8 };
	sqlite3_stmt *st = store_prepare(
		j, "SELECT b.value, b.unit FROM baselines b LEFT JOIN runs r ON r.id = b.run_id "
		   "WHERE b.name = ?1 AND (r.env IS ?2 OR b.run_id IS NULL OR b.run_id = 0) AND b.recorded_at <= ?3 "
		   "ORDER BY b.recorded_at DESC, b.id DESC LIMIT 1", err);
	if (!st)
		return -1;
	d->cmp = xcalloc((size_t)d->n_steps + 1, sizeof *d->cmp);
	int rc = 0;
	for (int i = 0; i < d->n_steps && rc == 0; i++) {
		struct review_cmp tmp[MAX_CMP];
		const struct journal_step_row *s = &d->steps[i];
		int n = review_compare(s->expectation, s->observed, tmp, MAX_CMP);
		if (!n)
			continue;
		d->cmp[i].v = xcalloc((size_t)n, sizeof *tmp);
		memcpy(d->cmp[i].v, tmp, sizeof *tmp * (size_t)n);
		d->cmp[i].n = n;
		for (int k = 0; k < n && rc == 0; k++)
			rc = fill_cmp(st, d, s, &d->cmp[i].v[k]);
	}
	if (rc < 0)
		store_fail(j, err, "cannot read baselines");
	sqlite3_finalize(st);
	return rc;
}

int review_detail_load(struct journal *j, int64_t run_id, struct review_detail *d, char **err)
{
	memset(d, 0, sizeof *d);
	int found = review_row_load(j, run_id, &d->run, err);
	if (found <= 0)
		return found;
	if (load_events(j, d, err) < 0 || journal_step_latest(j, run_id, &d->steps, &d->n_steps, err) < 0 ||
	    load_compare(j, d, err) < 0 || journal_run_values(j, run_id, &d->values, &d->n_values, err) < 0 ||
	    load_baselines(j, d, err) < 0 || journal_signoffs(j, run_id, &d->signoffs, &d->n_signoffs, err) < 0)
		return -1;
	mask_detail(d);
	return 1;
}

void review_detail_done(struct review_detail *d)
{
	review_row_done(&d->run);
	for (int i = 0; d->cmp && i < d->n_steps; i++) {
		for (int k = 0; k < d->cmp[i].n; k++)
			review_cmp_done(&d->cmp[i].v[k]);
		free(d->cmp[i].v);
	}
	free(d->cmp);
	journal_step_rows_free(d->steps, d->n_steps);
	journal_values_free(d->values, d->n_values);
	for (int i = 0; i < d->n_baselines; i++) {
		free(d->baselines[i].name);
		free(d->baselines[i].unit);
	}
	free(d->baselines);
	journal_signoff_rows_free(d->signoffs, d->n_signoffs);
	memset(d, 0, sizeof *d);
}

const struct journal_signoff_row *review_correction_of(const struct review_detail *d, int64_t id)
{
	for (int i = 0; i < d->n_signoffs; i++)
		if (d->signoffs[i].corrects_id == id)
			return &d->signoffs[i];
	return NULL;
}
