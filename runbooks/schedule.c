/* Periodic monitoring slots (schedule.h). */
#include "runbooks/schedule.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

double sched_time_scale(double config_scale)
{
	const char *e = getenv("OPSDECK_TIME_SCALE");
	if (e && *e) {
		char *end;
		double v = strtod(e, &end);
		if (*end == '\0' && v > 0 && isfinite(v))
			return v;
	}
	return config_scale > 0 && isfinite(config_scale) ? config_scale : 1.0;
}

int sched_compute(double every_ms, double for_ms, const struct sched_result *res, int n, int64_t now_ms,
		  struct sched_state *st, enum sched_check *kinds, int max_kinds)
{
	*st = (struct sched_state){.due = -1};
	if (!(every_ms >= 1) || !(for_ms >= 0) || !isfinite(every_ms) || !isfinite(for_ms))
		return -1;
	double nc = floor(for_ms / every_ms + 1e-9) + 1;
	if (nc > SCHED_MAX_CHECKS)
		return -1;
	int nck = (int)nc;
	int64_t every = (int64_t)llround(every_ms);
	st->n_checks = nck;
	int64_t start = 0;
	for (int i = 0; i < n; i++)
		if (!st->started || res[i].at_ms < start) {
			start = res[i].at_ms;
			st->started = 1;
		}
	/* per check: 0 no result, 1 passed, 2 a result failed */
	unsigned char mark[SCHED_MAX_CHECKS] = {0};
	if (st->started) {
		st->start_ms = start;
		st->end_ms = start + (int64_t)llround(for_ms);
		for (int i = 0; i < n; i++) {
			int64_t k = (res[i].at_ms - start) / every;
			if (k < 0 || k >= nck)
				continue; /* after the window: kept, not counted */
			if (!res[i].ok)
				mark[k] = 2;
			else if (mark[k] == 0)
				mark[k] = 1;
		}
	}
	for (int k = 0; k < nck; k++) {
		enum sched_check c;
		int64_t due = start + (int64_t)k * every;
		if (!st->started) {
			/* nothing yet: the first check is due now, the others wait for it */
			c = k == 0 ? SCHED_DUE : SCHED_UPCOMING;
		} else if (mark[k] == 1) {
			c = SCHED_DONE;
		} else if (mark[k] == 2) {
			c = SCHED_FAILED;
		} else if (now_ms >= due + every) {
			c = SCHED_MISSED;
		} else if (now_ms >= due) {
			c = SCHED_DUE;
		} else {
			c = SCHED_UPCOMING;
		}
		switch (c) {
		case SCHED_DONE: st->done++; break;
		case SCHED_FAILED: st->failed++; break;
		case SCHED_MISSED: st->missed++; break;
		case SCHED_DUE:
			st->due = k;
			if (!st->next_due_ms)
				st->next_due_ms = st->started ? due : now_ms;
			break;
		case SCHED_UPCOMING:
			st->upcoming++;
			if (!st->next_due_ms && st->started)
				st->next_due_ms = due;
			break;
		}
		if (kinds && k < max_kinds)
			kinds[k] = c;
	}
	st->over = st->started && now_ms >= start + (int64_t)(nck - 1) * every + every;
	return 0;
}

const char *sched_fmt_duration(int64_t ms, char *buf, int size)
{
	if (ms < 0)
		ms = 0;
	int64_t s = (ms + 999) / 1000;
	int64_t d = s / 86400, h = s % 86400 / 3600, m = s % 3600 / 60, sec = s % 60;
	if (d)
		snprintf(buf, (size_t)size, "%lldd %lldh", (long long)d, (long long)h);
	else if (h)
		snprintf(buf, (size_t)size, "%lldh %lldm", (long long)h, (long long)m);
	else if (m)
		snprintf(buf, (size_t)size, "%lldm %llds", (long long)m, (long long)sec);
	else
		snprintf(buf, (size_t)size, "%llds", (long long)sec);
	return buf;
}
