/* Periodic monitoring slots: "every 4 hours for 24 hours" is 7 checks from the first one;
 * results count for the slot that holds them; slots that passed without one are missed. */
#include <stdlib.h>

#include "runbooks/schedule.h"
#include "tests/unit/tap.h"

#define H (3600 * 1000LL)

int main(void)
{
	struct sched_state st;
	enum sched_check k[16];

	/* nothing yet: the first check is due now */
	ok(sched_compute(4 * H, 24 * H, NULL, 0, 1000, &st, k, 16) == 0, "computes with no results");
	is_int(st.started, 0, "not started");
	is_int(st.n_checks, 7, "every 4 h for 24 h: 7 checks (0 h … 24 h)");
	is_int(st.due, 0, "check 0 is due");
	is_int(st.next_due_ms, 1000, "due now");
	is_int(k[1], SCHED_UPCOMING, "check 1 waits for the first");

	/* first at t0, second at t0+4h+5m, now t0+13h: check 2 (8 h) missed, check 3 due */
	int64_t t0 = 1700000000000LL;
	struct sched_result r[] = {{t0 + 4 * H + 300000, 1}, {t0, 1}};
	ok(sched_compute(4 * H, 24 * H, r, 2, t0 + 13 * H, &st, k, 16) == 0, "computes");
	is_int(st.start_ms, t0, "the window opens with the earliest result");
	is_int(st.end_ms, t0 + 24 * H, "and closes 24 h later");
	is_int(st.done, 2, "two checks done");
	is_int(st.missed, 1, "the 8 h check was missed");
	is_int(k[2], SCHED_MISSED, "check 2 missed");
	is_int(st.due, 3, "the 12 h check is due");
	is_int(st.next_due_ms, t0 + 12 * H, "next due is the 12 h mark");
	is_int(st.upcoming, 3, "16 h, 20 h, 24 h still to come");
	is_int(st.over, 0, "the window is open");

	/* a failed result marks its check failed even when a later one in the slot passed */
	struct sched_result f[] = {{t0, 1}, {t0 + 4 * H, 0}, {t0 + 5 * H, 1}};
	sched_compute(4 * H, 24 * H, f, 3, t0 + 6 * H, &st, k, 16);
	is_int(k[1], SCHED_FAILED, "a failed result in the slot fails the check");
	is_int(st.failed, 1, "one failed");
	is_int(st.next_due_ms, t0 + 8 * H, "next check at 8 h");

	/* after the last slot: over, and what was never done is missed */
	sched_compute(4 * H, 24 * H, r, 2, t0 + 28 * H, &st, k, 16);
	is_int(st.over, 1, "over 28 h after the start");
	is_int(st.missed, 5, "five checks missed");
	is_int(st.next_due_ms, 0, "nothing left to do");
	is_int(st.due, -1, "nothing due");

	/* compressed: 4 s every for 24 s behaves the same */
	struct sched_result c[] = {{0, 1}, {4000, 1}, {8000, 1}, {12000, 1}, {16000, 1}, {20000, 1}, {24000, 1}};
	sched_compute(4000, 24000, c, 7, 29000, &st, NULL, 0);
	is_int(st.done, 7, "all 7 compressed checks done");
	is_int(st.over, 1, "and the window is over");

	ok(sched_compute(0, 24 * H, NULL, 0, 0, &st, NULL, 0) == -1, "every=0 is refused");
	ok(sched_compute(1, 24 * H, NULL, 0, 0, &st, NULL, 0) == -1, "more than SCHED_MAX_CHECKS is refused");

	setenv("OPSDECK_TIME_SCALE", "3600", 1);
	ok(sched_time_scale(1) == 3600, "OPSDECK_TIME_SCALE wins");
	setenv("OPSDECK_TIME_SCALE", "-2", 1);
	ok(sched_time_scale(60) == 60, "a bad OPSDECK_TIME_SCALE falls back to the config");
	unsetenv("OPSDECK_TIME_SCALE");
	ok(sched_time_scale(0) == 1, "default 1");

	char b[32];
	is_str(sched_fmt_duration(3 * H + 20 * 60000, b, sizeof b), "3h 20m", "3h 20m");
	is_str(sched_fmt_duration(45000, b, sizeof b), "45s", "45s");
	is_str(sched_fmt_duration(52 * H, b, sizeof b), "2d 4h", "2d 4h");

	printf("1..%d\n", tap_n);
	return tap_failed != 0;
}
