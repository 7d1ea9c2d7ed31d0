#include "panels/source.h"

#include <stdlib.h>

#include "src/util.h"

const char *src_state_name(enum src_state s)
{
	switch (s) {
	case SRC_NOT_CONFIGURED: return "not configured";
	case SRC_IDLE: return "idle";
	case SRC_CONNECTING: return "connecting";
	case SRC_UP: return "up";
	case SRC_DOWN: return "down";
	case SRC_TIMEOUT: return "timeout";
	}
	return "?";
}

void source_status_fail(struct source_status *st, enum src_state state, const char *error)
{
	st->state = state;
	free(st->last_error);
	st->last_error = error ? xstrdup(error) : NULL;
}

void source_status_ok(struct source_status *st, double rtt_ms)
{
	st->state = SRC_UP;
	str_free(&st->last_error);
	st->last_ok_mono = now_mono_ms();
	st->last_ok_wall = now_wall_ms();
	st->rtt_ms = rtt_ms;
}

void source_status_done(struct source_status *st) { str_free(&st->last_error); }
