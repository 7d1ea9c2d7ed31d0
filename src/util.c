#include "src/util.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static void (*fatal_hook)(void);

void util_set_fatal_hook(void (*hook)(void)) { fatal_hook = hook; }

void fatal(const char *fmt, ...)
{
	va_list ap;
	if (fatal_hook)
		fatal_hook();
	fputs("opsdeck: fatal: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	abort();
}

void *xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);
	if (!p)
		fatal("out of memory allocating %zu bytes", n);
	return p;
}

void *xcalloc(size_t nmemb, size_t size)
{
	void *p = calloc(nmemb ? nmemb : 1, size ? size : 1);
	if (!p)
		fatal("out of memory allocating %zu x %zu bytes", nmemb, size);
	return p;
}

void *xrealloc(void *p, size_t n)
{
	void *q = realloc(p, n ? n : 1);
	if (!q)
		fatal("out of memory reallocating %zu bytes", n);
	return q;
}

char *xstrdup(const char *s) { return xstrndup(s, strlen(s)); }

char *xstrndup(const char *s, size_t n)
{
	size_t len = strnlen(s, n);
	char *p = xmalloc(len + 1);
	memcpy(p, s, len);
	p[len] = '\0';
	return p;
}

char *xvasprintf(const char *fmt, va_list ap)
{
	va_list aq;
	va_copy(aq, ap);
	int n = vsnprintf(NULL, 0, fmt, aq);
	va_end(aq);
	if (n < 0)
		fatal("bad format string");
	char *p = xmalloc((size_t)n + 1);
	vsnprintf(p, (size_t)n + 1, fmt, ap);
	return p;
}

char *xasprintf(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *p = xvasprintf(fmt, ap);
	va_end(ap);
	return p;
}

static void sbuf_grow(struct sbuf *sb, size_t extra)
{
	if (sb->len + extra + 1 <= sb->cap)
		return;
	size_t cap = sb->cap ? sb->cap : 64;
	while (cap < sb->len + extra + 1)
		cap *= 2;
	sb->buf = xrealloc(sb->buf, cap);
	sb->cap = cap;
}

void sbuf_addn(struct sbuf *sb, const char *s, size_t n)
{
	sbuf_grow(sb, n);
	memcpy(sb->buf + sb->len, s, n);
	sb->len += n;
	sb->buf[sb->len] = '\0';
}

void sbuf_add(struct sbuf *sb, const char *s) { sbuf_addn(sb, s, strlen(s)); }

void sbuf_addc(struct sbuf *sb, char c) { sbuf_addn(sb, &c, 1); }

void sbuf_addf(struct sbuf *sb, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *p = xvasprintf(fmt, ap);
	va_end(ap);
	sbuf_add(sb, p);
	free(p);
}

void sbuf_reset(struct sbuf *sb)
{
	sb->len = 0;
	if (sb->buf)
		sb->buf[0] = '\0';
}

char *sbuf_steal(struct sbuf *sb)
{
	char *p = sb->buf ? sb->buf : xstrdup("");
	sb->buf = NULL;
	sb->len = sb->cap = 0;
	return p;
}

void sbuf_done(struct sbuf *sb)
{
	free(sb->buf);
	sb->buf = NULL;
	sb->len = sb->cap = 0;
}

int64_t now_mono_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int64_t now_wall_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void fmt_duration_ms(char *buf, size_t n, double ms)
{
	if (ms < 0 || !isfinite(ms))
		snprintf(buf, n, "-");
	else if (ms < 1000)
		snprintf(buf, n, "%.0fms", ms);
	else if (ms < 60000)
		snprintf(buf, n, "%.1fs", ms / 1000);
	else if (ms < 3600000)
		snprintf(buf, n, "%dm%02ds", (int)(ms / 60000), (int)fmod(ms / 1000, 60));
	else
		snprintf(buf, n, "%.0fh%02dm", floor(ms / 3600000), (int)fmod(ms / 60000, 60)); /* any size */
}

void fmt_age(char *buf, size_t n, double ms)
{
	if (ms < 0 || !isfinite(ms))
		snprintf(buf, n, "-");
	else if (ms < 1000)
		snprintf(buf, n, "<1s");
	else if (ms < 60000)
		snprintf(buf, n, "%ds", (int)(ms / 1000));
	else
		fmt_duration_ms(buf, n, ms);
}

void fmt_bytes(char *buf, size_t n, double bytes)
{
	static const char *unit[] = {"B", "kB", "MB", "GB", "TB"};
	int u = 0;
	while (bytes >= 1024 && u < 4) {
		bytes /= 1024;
		u++;
	}
	if (u == 0)
		snprintf(buf, n, "%.0f %s", bytes, unit[u]);
	else
		snprintf(buf, n, "%.1f %s", bytes, unit[u]);
}

int parse_duration_ms(const char *s, double *ms)
{
	char *end;
	errno = 0;
	while (isspace((unsigned char)*s))
		s++;
	if (!*s)
		return -1;
	double v = strtod(s, &end);
	if (errno || end == s || v < 0 || !isfinite(v))
		return -1;
	while (isspace((unsigned char)*end))
		end++;
	double mul;
	if (!*end || !strcmp(end, "s") || !strcmp(end, "sec"))
		mul = 1000;
	else if (!strcmp(end, "ms"))
		mul = 1;
	else if (!strcmp(end, "m") || !strcmp(end, "min"))
		mul = 60000;
	else if (!strcmp(end, "h"))
		mul = 3600000;
	else
		return -1;
	*ms = v * mul;
	return 0;
}

int str_eq(const char *a, const char *b)
{
	if (!a || !b)
		return a == b;
	return strcmp(a, b) == 0;
}

int str_starts(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

void str_free(char **p)
{
	free(*p);
	*p = NULL;
}

/* The count of a {m}, {m,}, {m,n} interval at p ('{'); -1 when it is not one. */
static double interval_count(const char **p)
{
	const char *s = *p + 1;
	double m = 0, n = -1;
	if (*s < '0' || *s > '9')
		return -1;
	while (*s >= '0' && *s <= '9')
		m = m * 10 + (*s++ - '0');
	if (*s == ',') {
		s++;
		if (*s >= '0' && *s <= '9')
			for (n = 0; *s >= '0' && *s <= '9'; s++)
				n = n * 10 + (*s - '0');
	}
	if (*s != '}')
		return -1;
	*p = s;
	return (n > m ? n : m) + 1; /* copies of the item, one more for the unbounded case */
}

size_t regex_size(const char *p)
{
	double count[65] = {0}; /* nodes per open group; [0] the whole pattern */
	double last = 0;        /* size of the item a repetition would apply to, 0 = none */
	int depth = 0, repeated = 0;
	for (; *p; p++) {
		double copies = 0;
		int was_repeated = repeated;
		repeated = 0;
		switch (*p) {
		case '(':
			if (depth == 64)
				return SIZE_MAX;
			count[++depth] = 0;
			last = 0;
			continue;
		case ')':
			if (depth > 0) {
				last = count[depth--] + 1;
				count[depth] += last;
				continue;
			}
			break;
		case '|':
			last = 0;
			continue;
		case '*':
		case '?':
			if (was_repeated && last > 0)
				return SIZE_MAX;
			repeated = 1;
			continue; /* one node over the item, no copy */
		case '+':
			copies = 2;
			break;
		case '{':
			copies = interval_count(&p);
			break;
		case '\\':
			if (p[1])
				p++;
			break;
		case '[': /* a bracket expression is one item: []...], [^]...], [:class:] */
			p += p[1] == '^' ? 2 : 1;
			if (*p == ']')
				p++;
			while (*p && *p != ']') {
				if (*p == '[' && (p[1] == ':' || p[1] == '.' || p[1] == '=')) {
					const char *e = strchr(p + 2, p[1]);
					p = e && e[1] == ']' ? e + 1 : p;
				}
				p++;
			}
			if (!*p)
				p--;
			break;
		}
		if (copies > 0) {
			if (was_repeated && last > 0)
				return SIZE_MAX;
			repeated = 1;
			count[depth] += last * (copies - 1);
			last *= copies;
		} else {
			count[depth] += 1;
			last = 1;
		}
		if (count[depth] > 1e15)
			return SIZE_MAX;
	}
	double total = 0;
	for (int i = 0; i <= depth; i++)
		total += count[i];
	return total > 1e15 ? SIZE_MAX : (size_t)total;
}

static size_t utf8_chars(const char *s)
{
	size_t n = 0;
	for (; *s; s++)
		n += ((unsigned char)*s & 0xc0) != 0x80;
	return n;
}

/* the byte offset of the k-th character of s (its length when s is shorter) */
static size_t utf8_offset(const char *s, size_t k)
{
	size_t i = 0;
	for (; s[i]; i++)
		if (((unsigned char)s[i] & 0xc0) != 0x80 && k-- == 0)
			return i;
	return i;
}

void str_fit_middle(char *out, size_t n, const char *s, int width, const char *ellipsis)
{
	if (!n)
		return;
	size_t chars = utf8_chars(s), ell = utf8_chars(ellipsis);
	if (width <= 0) {
		out[0] = '\0';
		return;
	}
	if (chars <= (size_t)width || (size_t)width <= ell + 1) { /* fits, or no room to cut well */
		size_t end = utf8_offset(s, (size_t)width);
		snprintf(out, n, "%.*s", (int)end, s);
		return;
	}
	size_t keep = (size_t)width - ell, head = keep / 2, tail = keep - head;
	size_t head_end = utf8_offset(s, head), tail_start = utf8_offset(s, chars - tail);
	snprintf(out, n, "%.*s%s%s", (int)head_end, s, ellipsis, s + tail_start);
}

/* FNV-1a of two strings with a separator between them, so ("ab", "c") != ("a", "bc") */
static unsigned hash_pair(const char *a, const char *b)
{
	unsigned h = 2166136261u;
	for (const char *c = a; *c; c++)
		h = (h ^ (unsigned char)*c) * 16777619u;
	h = (h ^ 0xffu) * 16777619u;
	for (const char *c = b; *c; c++)
		h = (h ^ (unsigned char)*c) * 16777619u;
	return h;
}

void pair_index_init(struct pair_index *x, int entries)
{
	unsigned cap = 16;
	while (cap < (unsigned)entries * 2)
		cap *= 2;
	x->slot = xcalloc(cap, sizeof(*x->slot));
	x->mask = cap - 1;
}

void pair_index_add(struct pair_index *x, const char *a, const char *b, int i)
{
	unsigned h = hash_pair(a, b) & x->mask;
	while (x->slot[h])
		h = (h + 1) & x->mask;
	x->slot[h] = i + 1;
}

int pair_index_find(const struct pair_index *x, const char *a, const char *b, pair_key_fn key, const void *ctx)
{
	if (!x->slot)
		return -1;
	for (unsigned h = hash_pair(a, b) & x->mask; x->slot[h]; h = (h + 1) & x->mask) {
		const char *ka, *kb;
		key(ctx, x->slot[h] - 1, &ka, &kb);
		if (!strcmp(ka, a) && !strcmp(kb, b))
			return x->slot[h] - 1;
	}
	return -1;
}

void pair_index_done(struct pair_index *x)
{
	free(x->slot);
	x->slot = NULL;
	x->mask = 0;
}
