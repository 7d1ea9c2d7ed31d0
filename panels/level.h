/* Status levels, sustained-duration conditions ("> 80 % for 2 min") and short histories. */
#ifndef OD_LEVEL_H
#define OD_LEVEL_H

#include <stdint.h>

enum level {
	LV_NONE = 0, /* not configured / no data: never an alarm */
	LV_OK,
	LV_PENDING,  /* a condition holds but not yet for its duration */
	LV_WARN,
	LV_CRIT,
};

const char *level_name(enum level l);
static inline enum level level_max(enum level a, enum level b) { return a > b ? a : b; }

/* Prometheus "for:" semantics: the condition must hold continuously for for_ms. */
struct sustain {
	int64_t since_ms; /* 0 = condition not holding */
};
/* Returns 1 when the condition has held for at least for_ms (firing), 0 otherwise.
 * *held_ms (optional) gets how long it has held. */
int sustain_update(struct sustain *s, int cond, int64_t now_ms, double for_ms, double *held_ms);

/* Fixed-size ring of recent samples (NAN = no sample) for sparklines. Kept as float: a
 * sparkline has 8 levels, and 500 pools x 10 minutes of doubles were 2.4 MB. */
struct history {
	float *v;
	int cap, len, head; /* head = index of the next write */
};
/* cap 0: an empty history that ignores pushes (draws nothing). */
void history_init(struct history *h, int cap);
void history_push(struct history *h, double v);
/* i = 0 is the oldest of the len samples. */
double history_at(const struct history *h, int i);
void history_done(struct history *h);

#endif
