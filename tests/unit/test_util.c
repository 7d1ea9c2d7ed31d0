/* fmt_age(): ages in whole seconds, then minutes and hours; fmt_duration_ms() keeps the
 * finer form for measured durations. */
#include "src/util.h"
#include "tests/unit/tap.h"

#include <math.h>

static void age(double ms, const char *want)
{
	char buf[32];
	fmt_age(buf, sizeof(buf), ms);
	is_str(buf, want, "fmt_age(%g)", ms);
}

static void test_age(void)
{
	age(0, "<1s");
	age(1, "<1s");
	age(998, "<1s");
	age(999.9, "<1s");
	age(1000, "1s");
	age(1999, "1s"); /* floored: data 1.9 s old is not yet 2 s old */
	age(2000, "2s");
	age(59999, "59s");
	age(60000, "1m00s");
	age(125000, "2m05s");
	age(3599999, "59m59s");
	age(3600000, "1h00m");
	age(11400000, "3h10m");
	age(-1, "-");
	age(NAN, "-");
	age(INFINITY, "-");
}

/* Every value below 10 minutes, in 7 ms steps: the text changes at each whole second from
 * 1 s to 599 s (when the clock redraws), never between two. */
static void test_age_changes_per_second(void)
{
	char prev[32] = "", cur[32];
	int changes_off_second = 0, changes = 0;
	for (int ms = 0; ms < 600000; ms += 7) {
		fmt_age(cur, sizeof(cur), ms);
		if (prev[0] && strcmp(prev, cur)) {
			changes++;
			if (ms % 1000 >= 7) /* the first step at or past a second boundary */
				changes_off_second++;
		}
		snprintf(prev, sizeof(prev), "%s", cur);
	}
	is_int(changes, 599, "the age changes once per second over 10 minutes");
	is_int(changes_off_second, 0, "and never between two whole seconds");
}

static void test_duration_unchanged(void)
{
	char buf[32];
	fmt_duration_ms(buf, sizeof(buf), 998);
	is_str(buf, "998ms", "measured durations keep milliseconds");
	fmt_duration_ms(buf, sizeof(buf), 1234);
	is_str(buf, "1.2s", "and tenths of a second");
}

static void test_fit_middle(void)
{
	char out[64];
	str_fit_middle(out, sizeof(out), "bench_pool_017", 12, "\u2026");
	is_str(out, "bench\u2026ol_017", "a long name keeps its start and its end");
	str_fit_middle(out, sizeof(out), "bench_pool_017", 12, "~");
	is_str(out, "bench~ol_017", "ASCII ellipsis");
	str_fit_middle(out, sizeof(out), "ywmessaging", 12, "~");
	is_str(out, "ywmessaging", "a name that fits is left alone");
	str_fit_middle(out, sizeof(out), "abcdef", 2, "~");
	is_str(out, "ab", "too narrow to cut well: the start");
	str_fit_middle(out, sizeof(out), "b\u00e9b\u00e9_pool_\u00e9t\u00e9", 9, "~");
	is_str(out, "b\u00e9b\u00e9~_\u00e9t\u00e9", "UTF-8 characters count as one column and are never split");
	str_fit_middle(out, 8, "bench_pool_017", 12, "~");
	ok(strlen(out) == 7, "a small buffer is never overrun");
	str_fit_middle(out, sizeof(out), "x", 0, "~");
	is_str(out, "", "width 0: nothing");
}

int main(void)
{
	test_fit_middle();
	test_age();
	test_age_changes_per_second();
	test_duration_unchanged();
	return done_testing();
}
