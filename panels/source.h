/* What every connector tells the panels about its source. */
#ifndef OD_SOURCE_H
#define OD_SOURCE_H

#include <stdint.h>

enum src_state {
	SRC_NOT_CONFIGURED, /* not in the config: shown as such, never an alarm */
	SRC_IDLE,           /* configured, not contacted yet */
	SRC_CONNECTING,
	SRC_UP,
	SRC_DOWN,           /* refused, closed, auth failed, ... (last_error says) */
	SRC_TIMEOUT,        /* no answer before the deadline */
};

struct source_status {
	enum src_state state;
	char *last_error;       /* owned; NULL when fine */
	int64_t last_ok_mono;   /* monotonic ms of the last good answer, 0 = never */
	int64_t last_ok_wall;   /* wall-clock ms of the same */
	double rtt_ms;          /* round trip of the last good answer */
	int64_t retry_at_mono;  /* when the next connection attempt may start */
	unsigned connects;      /* connections opened so far (reconnect churn shows here) */
};

const char *src_state_name(enum src_state s);
void source_status_fail(struct source_status *st, enum src_state state, const char *error);
void source_status_ok(struct source_status *st, double rtt_ms);
void source_status_done(struct source_status *st);

#endif
