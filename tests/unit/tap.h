/* A tiny TAP producer for unit tests (read by automake's tap-driver.sh). */
#ifndef OD_TAP_H
#define OD_TAP_H

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static int tap_n, tap_failed;

#define ok(cond, ...) tap_ok(!!(cond), __FILE__, __LINE__, __VA_ARGS__)
#define is_int(got, want, ...) tap_is_int((long long)(got), (long long)(want), __FILE__, __LINE__, __VA_ARGS__)
#define is_str(got, want, ...) tap_is_str((got), (want), __FILE__, __LINE__, __VA_ARGS__)

static inline __attribute__((format(printf, 4, 0))) int tap_vok(int pass, const char *file, int line, const char *fmt,
								  va_list ap)
{
	tap_n++;
	printf("%s %d - ", pass ? "ok" : "not ok", tap_n);
	vprintf(fmt, ap);
	printf("\n");
	if (!pass) {
		tap_failed++;
		printf("#   failed at %s:%d\n", file, line);
	}
	fflush(stdout);
	return pass;
}

static inline __attribute__((format(printf, 4, 5))) int tap_ok(int pass, const char *file, int line, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int r = tap_vok(pass, file, line, fmt, ap);
	va_end(ap);
	return r;
}

static inline __attribute__((format(printf, 5, 6))) int tap_is_int(long long got, long long want, const char *file, int line, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int r = tap_vok(got == want, file, line, fmt, ap);
	va_end(ap);
	if (!r)
		printf("#   got: %lld\n#   want: %lld\n", got, want);
	return r;
}

static inline __attribute__((format(printf, 5, 6))) int tap_is_str(const char *got, const char *want, const char *file, int line, const char *fmt, ...)
{
	va_list ap;
	int pass = (got && want) ? strcmp(got, want) == 0 : got == want;
	va_start(ap, fmt);
	int r = tap_vok(pass, file, line, fmt, ap);
	va_end(ap);
	if (!r)
		printf("#   got: '%s'\n#   want: '%s'\n", got ? got : "(null)", want ? want : "(null)");
	return r;
}

static inline int done_testing(void)
{
	printf("1..%d\n", tap_n);
	return tap_failed ? 1 : 0;
}

#endif
