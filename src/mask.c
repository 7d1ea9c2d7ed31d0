/* Finding and hiding secrets in connection strings and URLs.
 *
 * One scanner finds the byte ranges ("spans") that hold secrets; masking,
 * has_secret() and mask_secrets_in() are built on it. The scanner follows
 * libpq's conninfo rules (key = value, '...' quoting, backslash escapes) and
 * generic URL structure, and must survive any input: it only walks forward
 * and never reads past the terminating NUL. */
#include "src/config.h"
#include "src/util.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define MASK "****"

enum span_kind {
	SPAN_URL,     /* percent-encoded */
	SPAN_CONNINFO /* backslash-escaped, maybe inside '...' */
};

struct span {
	size_t start, end;
	enum span_kind kind;
};

struct spans {
	struct span *v;
	size_t n, cap;
};

static const char *const secret_names[] = {
	"password", "pass", "passwd", "pwd", "sslpassword",
	"token", "access_token", "refresh_token", "auth_token",
	"api_key", "apikey", "key", "secret", "client_secret",
};

static int is_secret_name(const char *s, size_t n)
{
	for (size_t i = 0; i < ARRAY_LEN(secret_names); i++)
		if (strlen(secret_names[i]) == n && !strncasecmp(s, secret_names[i], n))
			return 1;
	return 0;
}

static void spans_add(struct spans *sp, size_t start, size_t end, enum span_kind kind)
{
	if (end <= start)
		return;
	if (sp->n == sp->cap) {
		sp->cap = sp->cap ? sp->cap * 2 : 4;
		sp->v = xrealloc(sp->v, sp->cap * sizeof(*sp->v));
	}
	sp->v[sp->n++] = (struct span){start, end, kind};
}

/* ---- URLs ---- */

/* Length of a leading "scheme://", or 0. */
static size_t scheme_len(const char *s)
{
	size_t i = 0;
	if (!isalpha((unsigned char)s[0]))
		return 0;
	while (isalnum((unsigned char)s[i]) || s[i] == '+' || s[i] == '-' || s[i] == '.')
		i++;
	return strncmp(s + i, "://", 3) ? 0 : i + 3;
}

/* Position of the last c in s[from, to), or (size_t)-1. */
static size_t last_of(const char *s, size_t from, size_t to, char c)
{
	for (size_t i = to; i > from; i--)
		if (s[i - 1] == c)
			return i - 1;
	return (size_t)-1;
}

/* Every "name=value" that follows one of ? & ; # in s[from, len): query and
 * fragment parameters (and matrix parameters, which cost nothing to catch). */
static void scan_params(const char *s, size_t from, struct spans *sp)
{
	static const char sep[] = "?&;#";
	size_t i = from + strcspn(s + from, sep);
	while (s[i]) {
		size_t name = i + 1;
		size_t end = name + strcspn(s + name, sep);
		size_t eq = name + strcspn(s + name, "=?&;#");
		if (eq < end && is_secret_name(s + name, eq - name))
			spans_add(sp, eq + 1, end, SPAN_URL);
		i = end;
	}
}

/* The userinfo ends at the last '@' of the authority (RFC 3986). Database and
 * Redis URLs never have '@' after the authority, and passwords there are often
 * not percent-encoded ("p/ss", "p#ss"): without an '@' in the authority, the
 * last '@' anywhere ends the userinfo, so such a password is still hidden.
 * Not for http(s), where '@' is legal in paths. */
static void scan_url(const char *s, size_t skip, struct spans *sp)
{
	size_t p = skip + scheme_len(s + skip);
	int http = !strncasecmp(s + skip, "http", 4);
	size_t auth_end = p + strcspn(s + p, "/?#");
	size_t at = last_of(s, p, auth_end, '@');
	if (at == (size_t)-1 && !http)
		at = last_of(s, p, strlen(s), '@');
	if (at != (size_t)-1) {
		size_t colon = p + strcspn(s + p, ":");
		if (colon < at)
			spans_add(sp, colon + 1, at, SPAN_URL);
	}
	scan_params(s, http ? auth_end : p, sp);
}

/* ---- libpq conninfo ---- */

static size_t skip_blank(const char *s, size_t i)
{
	while (isspace((unsigned char)s[i]))
		i++;
	return i;
}

/* A value starting at s[i]; sets [*vs, *ve) to its text (inside any quotes)
 * and returns the position after it. */
static size_t scan_value(const char *s, size_t i, size_t *vs, size_t *ve)
{
	int quoted = s[i] == '\'';
	if (quoted)
		i++;
	*vs = i;
	while (s[i] && (quoted ? s[i] != '\'' : !isspace((unsigned char)s[i]))) {
		if (s[i] == '\\' && s[i + 1])
			i++;
		i++;
	}
	*ve = i;
	return quoted && s[i] == '\'' ? i + 1 : i;
}

static void scan_conninfo(const char *s, size_t i, struct spans *sp)
{
	for (;;) {
		i = skip_blank(s, i);
		if (!s[i])
			return;
		size_t ks = i;
		while (s[i] && s[i] != '=' && !isspace((unsigned char)s[i]))
			i++;
		size_t ke = i;
		int secret = is_secret_name(s + ks, ke - ks);
		i = skip_blank(s, i);
		if (s[i] != '=') {
			/* Malformed ("password secret"): libpq rejects it, but the
			 * text after a secret's name may still be the secret. */
			if (secret)
				spans_add(sp, skip_blank(s, ke), strlen(s), SPAN_CONNINFO);
			return;
		}
		size_t vs, ve;
		i = scan_value(s, skip_blank(s, i + 1), &vs, &ve);
		if (secret)
			spans_add(sp, vs, ve, SPAN_CONNINFO);
	}
}

static int span_cmp(const void *a, const void *b)
{
	const struct span *x = a, *y = b;
	return x->start < y->start ? -1 : x->start > y->start;
}

/* Sorted, overlapping spans merged: masking then never shows part of a secret. */
static void spans_normalize(struct spans *sp)
{
	size_t n = 0;
	if (sp->n < 2)
		return;
	qsort(sp->v, sp->n, sizeof(*sp->v), span_cmp);
	for (size_t i = 1; i < sp->n; i++) {
		if (sp->v[i].start <= sp->v[n].end) {
			if (sp->v[i].end > sp->v[n].end)
				sp->v[n].end = sp->v[i].end;
		} else {
			sp->v[++n] = sp->v[i];
		}
	}
	sp->n = n + 1;
}

static void find_secrets(const char *s, struct spans *sp)
{
	size_t skip = skip_blank(s, 0);
	if (scheme_len(s + skip))
		scan_url(s, skip, sp);
	else
		scan_conninfo(s, skip, sp);
	spans_normalize(sp);
}

/* ---- public ---- */

char *mask_secrets(const char *dsn)
{
	struct spans sp = {0};
	struct sbuf out = {0};
	size_t pos = 0;
	if (!dsn)
		return NULL;
	find_secrets(dsn, &sp);
	for (size_t i = 0; i < sp.n; i++) {
		sbuf_addn(&out, dsn + pos, sp.v[i].start - pos);
		sbuf_add(&out, MASK);
		pos = sp.v[i].end;
	}
	sbuf_add(&out, dsn + pos);
	free(sp.v);
	return sbuf_steal(&out);
}

int has_secret(const char *dsn)
{
	struct spans sp = {0};
	if (!dsn)
		return 0;
	find_secrets(dsn, &sp);
	free(sp.v);
	return sp.n > 0;
}

static int hexval(char c)
{
	if (isdigit((unsigned char)c))
		return c - '0';
	c = (char)tolower((unsigned char)c);
	return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* The secret as a program would see it: %XX decoded, or backslashes removed. */
static char *decode_span(const char *s, const struct span *sp)
{
	struct sbuf out = {0};
	for (size_t i = sp->start; i < sp->end; i++) {
		if (sp->kind == SPAN_URL && s[i] == '%' && i + 2 < sp->end &&
		    hexval(s[i + 1]) >= 0 && hexval(s[i + 2]) >= 0) {
			sbuf_addc(&out, (char)(hexval(s[i + 1]) * 16 + hexval(s[i + 2])));
			i += 2;
		} else if (sp->kind == SPAN_CONNINFO && s[i] == '\\' && i + 1 < sp->end) {
			sbuf_addc(&out, s[++i]);
		} else {
			sbuf_addc(&out, s[i]);
		}
	}
	return sbuf_steal(&out);
}

/* Replace every occurrence of needle in *text by MASK. */
static void mask_occurrences(char **text, const char *needle)
{
	size_t n = strlen(needle);
	struct sbuf out = {0};
	const char *p = *text, *hit;
	if (!n)
		return;
	while ((hit = strstr(p, needle))) {
		sbuf_addn(&out, p, (size_t)(hit - p));
		sbuf_add(&out, MASK);
		p = hit + n;
	}
	sbuf_add(&out, p);
	free(*text);
	*text = sbuf_steal(&out);
}

char *mask_secrets_in(const char *text, const char *dsn)
{
	struct spans sp = {0};
	if (!text)
		return NULL;
	char *out = xstrdup(text);
	if (!dsn)
		return out;
	find_secrets(dsn, &sp);
	for (size_t i = 0; i < sp.n; i++) {
		char *raw = xstrndup(dsn + sp.v[i].start, sp.v[i].end - sp.v[i].start);
		char *decoded = decode_span(dsn, &sp.v[i]);
		/* Longer first, so that a prefix does not leave the rest visible. */
		int raw_first = strlen(raw) >= strlen(decoded);
		mask_occurrences(&out, raw_first ? raw : decoded);
		mask_occurrences(&out, raw_first ? decoded : raw);
		free(raw);
		free(decoded);
	}
	free(sp.v);
	return out;
}
