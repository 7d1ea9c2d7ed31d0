#include "panels/level.h"

#include <math.h>
#include <stdlib.h>

#include "src/util.h"

const char *level_name(enum level l)
{
	switch (l) {
	case LV_NONE: return "none";
	case LV_OK: return "ok";
	case LV_PENDING: return "pending";
	case LV_WARN: return "warn";
	case LV_CRIT: return "critical";
	}
	return "?";
}

int sustain_update(struct sustain *s, int cond, int64_t now_ms, double for_ms, double *held_ms)
{
	if (!cond) {
		s->since_ms = 0;
		if (held_ms)
			*held_ms = 0;
		return 0;
	}
	if (!s->since_ms)
		s->since_ms = now_ms ? now_ms : 1;
	double held = (double)(now_ms - s->since_ms);
	if (held_ms)
		*held_ms = held;
	return held >= for_ms;
}

void history_init(struct history *h, int cap)
{
	h->cap = cap > 0 ? cap : 0;
	h->v = h->cap ? xcalloc((size_t)h->cap, sizeof(*h->v)) : NULL;
	h->len = h->head = 0;
}

void history_push(struct history *h, double v)
{
	if (!h->cap)
		return;
	h->v[h->head] = (float)v;
	h->head = (h->head + 1) % h->cap;
	if (h->len < h->cap)
		h->len++;
}

double history_at(const struct history *h, int i)
{
	if (i < 0 || i >= h->len)
		return NAN;
	int start = (h->head - h->len + h->cap) % h->cap;
	return h->v[(start + i) % h->cap];
}

void history_done(struct history *h)
{
	free(h->v);
	h->v = NULL;
	h->cap = h->len = h->head = 0;
}
