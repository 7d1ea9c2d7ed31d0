/* Small helpers shared by every module: checked allocation, strings, time. */
#ifndef OD_UTIL_H
#define OD_UTIL_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

/* Allocation that never returns NULL: on failure the registered fatal hook runs
 * (the TUI restores the terminal) and the process aborts with a message. */
void *xmalloc(size_t n);
void *xcalloc(size_t nmemb, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
char *xvasprintf(const char *fmt, va_list ap) __attribute__((format(printf, 1, 0)));
void util_set_fatal_hook(void (*hook)(void));
void fatal(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));

/* Growable string buffer; buf is always NUL terminated once anything was added. */
struct sbuf {
	char *buf;
	size_t len, cap;
};
void sbuf_add(struct sbuf *sb, const char *s);
void sbuf_addn(struct sbuf *sb, const char *s, size_t n);
void sbuf_addf(struct sbuf *sb, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void sbuf_addc(struct sbuf *sb, char c);
void sbuf_reset(struct sbuf *sb);
char *sbuf_steal(struct sbuf *sb); /* caller frees; buffer becomes empty */
void sbuf_done(struct sbuf *sb);

/* Monotonic milliseconds (for deadlines and ages) and wall-clock milliseconds. */
int64_t now_mono_ms(void);
int64_t now_wall_ms(void);

/* "1.2s", "350ms", "2m05s", "3h10m" — for lags and other measured durations. */
void fmt_duration_ms(char *buf, size_t n, double ms);
/* How old something is, in whole seconds: "<1s", "1s", "59s", "2m05s", "3h10m"; "-" for
 * NAN or negative. Ages tick with the clock: shown finer, they would change (and be sent to
 * the terminal) on every frame. */
void fmt_age(char *buf, size_t n, double ms);
/* "12.3 MB", "512 B" */
void fmt_bytes(char *buf, size_t n, double bytes);

/* Parse "500ms", "2s", "1.5s", "5min", "2m", "1h", bare number = seconds.
 * Returns 0 and sets *ms, or -1. */
int parse_duration_ms(const char *s, double *ms);

/* An upper bound of the nodes glibc's regcomp() builds for an extended regular
 * expression: it copies a repeated item for each repetition (x+ is xx*, x{3} xxx), so
 * nested repetitions ("((a{255}){255}){255}") grow it exponentially and exhaust memory,
 * and its time grows with the square of the size and more. SIZE_MAX for stacked
 * repetitions ("a++", "x?+", ".*?"), which POSIX leaves undefined and which cost
 * seconds per few characters. Check against REGEX_MAX_SIZE before regcomp(). */
#define REGEX_MAX_SIZE 2000
size_t regex_size(const char *pattern);

int str_eq(const char *a, const char *b);          /* NULL-safe */
int str_starts(const char *s, const char *prefix);
/* An index of a caller's entries by a two-part string key (pool: database and user; rate-limit
 * key: tier and key; partition: table and name): open addressing, at most half full. It holds entry numbers; key(ctx, i, &a, &b) gives entry i's parts. */
typedef void (*pair_key_fn)(const void *ctx, int i, const char **a, const char **b);
struct pair_index {
	int *slot; /* entry number + 1; 0 = empty */
	unsigned mask;
};
void pair_index_init(struct pair_index *x, int entries); /* room for this many */
void pair_index_add(struct pair_index *x, const char *a, const char *b, int i);
int pair_index_find(const struct pair_index *x, const char *a, const char *b, pair_key_fn key, const void *ctx); /* -1: absent */
void pair_index_done(struct pair_index *x);
/* s in at most width columns (one per UTF-8 character): as it is when it fits, else its
 * start, ellipsis and its end ("bench_pool_017" in 12: "bench…ol_017"), so names that differ
 * only at the end stay apart. Never splits a character; out is always terminated. */
void str_fit_middle(char *out, size_t n, const char *s, int width, const char *ellipsis);
void str_free(char **p);                            /* free and NULL */

#endif
