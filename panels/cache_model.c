#include "panels/cache_model.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "src/util.h"

enum ftype { F_NUM, F_STR };

struct field {
	const char *name;
	enum ftype type;
	size_t off, size;
};

#define NUM(n, m) {n, F_NUM, offsetof(struct redis_info, m), 0}
#define STR(n, m) {n, F_STR, offsetof(struct redis_info, m), sizeof(((struct redis_info *)0)->m)}

static const struct field FIELDS[] = {
	STR("redis_version", version),
	STR("redis_mode", mode),
	STR("role", role),
	STR("run_id", run_id),
	NUM("uptime_in_seconds", uptime_s),
	NUM("connected_clients", connected_clients),
	NUM("blocked_clients", blocked_clients),
	NUM("maxclients", maxclients),
	NUM("used_memory", used_memory),
	STR("used_memory_human", used_memory_human),
	NUM("used_memory_rss", used_memory_rss),
	NUM("used_memory_peak", used_memory_peak),
	NUM("maxmemory", maxmemory),
	STR("maxmemory_human", maxmemory_human),
	STR("maxmemory_policy", maxmemory_policy),
	NUM("mem_fragmentation_ratio", mem_fragmentation_ratio),
	NUM("total_connections_received", total_connections_received),
	NUM("rejected_connections", rejected_connections),
	NUM("total_commands_processed", total_commands_processed),
	NUM("instantaneous_ops_per_sec", instantaneous_ops_per_sec),
	NUM("keyspace_hits", keyspace_hits),
	NUM("keyspace_misses", keyspace_misses),
	NUM("expired_keys", expired_keys),
	NUM("evicted_keys", evicted_keys),
};

void redis_info_init(struct redis_info *in)
{
	memset(in, 0, sizeof(*in));
	for (size_t i = 0; i < ARRAY_LEN(FIELDS); i++)
		if (FIELDS[i].type == F_NUM)
			*(double *)((char *)in + FIELDS[i].off) = NAN;
	in->keyspace_keys = 0;
}

/* A number and nothing else (surrounding blanks allowed); NAN otherwise. */
static double parse_num(const char *s, size_t n)
{
	char buf[64], *end;
	while (n > 0 && isspace((unsigned char)s[n - 1]))
		n--;
	if (n == 0 || n >= sizeof(buf))
		return NAN;
	memcpy(buf, s, n);
	buf[n] = '\0';
	double v = strtod(buf, &end);
	while (isspace((unsigned char)*end))
		end++;
	return end == buf || *end ? NAN : v;
}

/* "keys=1,expires=0,avg_ttl=0": each part looked up by name. */
static int parse_keyspace(struct redis_info *in, const char *key, size_t klen, const char *v, size_t vlen)
{
	if (klen < 3 || strncmp(key, "db", 2) || in->ndb >= CACHE_MAX_DBS)
		return 0;
	for (size_t i = 2; i < klen; i++)
		if (!isdigit((unsigned char)key[i]))
			return 0;
	struct redis_db d = {atoi(key + 2), NAN, NAN, NAN};
	const char *p = v, *end = v + vlen;
	while (p < end) {
		const char *comma = memchr(p, ',', (size_t)(end - p));
		const char *stop = comma ? comma : end;
		const char *eq = memchr(p, '=', (size_t)(stop - p));
		if (eq) {
			double x = parse_num(eq + 1, (size_t)(stop - eq - 1));
			size_t nl = (size_t)(eq - p);
			if (nl == 4 && !strncmp(p, "keys", 4))
				d.keys = x;
			else if (nl == 7 && !strncmp(p, "expires", 7))
				d.expires = x;
			else if (nl == 7 && !strncmp(p, "avg_ttl", 7))
				d.avg_ttl_ms = x;
		}
		p = stop + 1;
	}
	if (isnan(d.keys))
		return 0;
	in->db[in->ndb++] = d;
	in->keyspace_keys += d.keys;
	return 1;
}

static int set_field(struct redis_info *in, const char *key, size_t klen, const char *v, size_t vlen)
{
	for (size_t i = 0; i < ARRAY_LEN(FIELDS); i++) {
		const struct field *f = &FIELDS[i];
		if (strlen(f->name) != klen || strncmp(f->name, key, klen))
			continue;
		char *dst = (char *)in + f->off;
		if (f->type == F_NUM) {
			*(double *)dst = parse_num(v, vlen);
		} else {
			size_t n = vlen < f->size - 1 ? vlen : f->size - 1;
			memcpy(dst, v, n);
			dst[n] = '\0';
		}
		return 1;
	}
	return parse_keyspace(in, key, klen, v, vlen);
}

int redis_info_parse(const char *text, size_t len, struct redis_info *out)
{
	redis_info_init(out);
	const char *p = text, *end = text + len;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *stop = nl ? nl : end;
		const char *line = p;
		size_t n = (size_t)(stop - p);
		p = stop + 1;
		while (n > 0 && (line[n - 1] == '\r' || line[n - 1] == ' ' || line[n - 1] == '\t'))
			n--;
		if (n == 0 || line[0] == '#')
			continue;
		const char *colon = memchr(line, ':', n);
		if (!colon || colon == line)
			continue;
		out->fields += set_field(out, line, (size_t)(colon - line), colon + 1, (size_t)(line + n - colon - 1));
	}
	return out->fields ? 0 : -1;
}

static double pct(double part, double whole) { return whole > 0 ? 100.0 * part / whole : NAN; }

void cache_rates_compute(const struct cache_sample *prev, const struct cache_sample *cur,
			 struct cache_rates *out)
{
	const struct redis_info *b = &cur->info;
	memset(out, 0, sizeof(*out));
	out->interval_s = out->hits = out->misses = out->hit_rate = NAN;
	out->ops_per_s = out->expired_per_s = out->evicted_per_s = NAN;
	out->hit_rate_total = pct(b->keyspace_hits, b->keyspace_hits + b->keyspace_misses);
	if (!prev)
		return;
	const struct redis_info *a = &prev->info;
	double dt = (double)(cur->mono_ms - prev->mono_ms) / 1000.0;
	if (!(dt > 0))
		return;
	double dh = b->keyspace_hits - a->keyspace_hits, dm = b->keyspace_misses - a->keyspace_misses;
	double dc = b->total_commands_processed - a->total_commands_processed;
	double dx = b->expired_keys - a->expired_keys, de = b->evicted_keys - a->evicted_keys;
	if ((a->run_id[0] && b->run_id[0] && strcmp(a->run_id, b->run_id)) || b->uptime_s < a->uptime_s ||
	    dh < 0 || dm < 0 || dc < 0 || dx < 0 || de < 0) {
		out->reset = 1; /* restarted or CONFIG RESETSTAT: this sample is the new baseline */
		return;
	}
	out->have = 1;
	out->interval_s = dt;
	out->hits = dh;
	out->misses = dm;
	if (dh + dm == 0)
		out->no_lookups = 1;
	else
		out->hit_rate = pct(dh, dh + dm); /* NAN when a counter is missing */
	out->ops_per_s = dc / dt;
	out->expired_per_s = dx / dt;
	out->evicted_per_s = de / dt;
}

void cache_state_init(struct cache_state *s)
{
	memset(s, 0, sizeof(*s));
	s->reachable = -1;
	s->judged_rate = NAN;
	redis_info_init(&s->cur.info);
	redis_info_init(&s->prev.info);
	s->cur.dbsize = s->prev.dbsize = NAN;
	s->cur.ping_ms = s->prev.ping_ms = NAN;
	cache_rates_compute(NULL, &s->cur, &s->rates);
}

void cache_observe(struct cache_state *s, const struct cache_sample *sample)
{
	if (s->have_cur) {
		s->prev = s->cur;
		s->have_prev = 1;
	}
	s->cur = *sample;
	s->have_cur = 1;
	s->reachable = 1;
	s->error[0] = '\0';
	cache_rates_compute(s->have_prev ? &s->prev : NULL, &s->cur, &s->rates);
}

void cache_fail(struct cache_state *s, const char *why)
{
	s->reachable = 0;
	snprintf(s->error, sizeof(s->error), "%s", why && *why ? why : "no answer");
}

void cache_duration(char *buf, size_t n, double ms)
{
	long s = ms >= 0 && ms < 1e15 ? (long)(ms / 1000 + 0.5) : -1; /* NAN, < 0, absurd: unknown */
	if (s < 0)
		snprintf(buf, n, "-");
	else if (s < 60)
		snprintf(buf, n, "%lds", s);
	else if (s < 3600 && s % 60)
		snprintf(buf, n, "%ldm%02lds", s / 60, s % 60);
	else if (s < 3600)
		snprintf(buf, n, "%ldm", s / 60);
	else if ((s / 60) % 60)
		snprintf(buf, n, "%ldh%02ldm", s / 3600, (s / 60) % 60);
	else
		snprintf(buf, n, "%ldh", s / 3600);
}

void cache_fmt_latency(char *buf, size_t n, double ms)
{
	if (!isnan(ms) && ms >= 0 && ms < 10)
		snprintf(buf, n, "%.2fms", ms);
	else
		fmt_duration_ms(buf, n, ms);
}

void cache_fmt_num(char *buf, size_t n, double v, int decimals, int pct)
{
	if (isnan(v))
		snprintf(buf, n, "-");
	else
		snprintf(buf, n, "%.*f%s", decimals, v, pct ? "%" : "");
}

/* Judged on the latest interval that had lookups: an interval without any brings no new
 * evidence, so the last judgement stands for up to CACHE_HOLD_MS (sparse traffic would
 * otherwise flap the alert between firing and resolved every few seconds). */
static void evaluate_hit_rate(struct cache_state *s, const struct cache_thresholds *th, int64_t now_ms)
{
	const struct cache_rates *r = &s->rates;
	if (r->have && !isnan(r->hit_rate)) {
		s->judged_rate = r->hit_rate;
		s->judged_ms = now_ms;
	} else if (!(r->have && r->no_lookups) || now_ms - s->judged_ms > CACHE_HOLD_MS) {
		s->judged_rate = NAN;
	}
	double hr = s->judged_rate;
	int known = !isnan(hr);
	int below_crit = known && hr < th->hit_crit;
	char held[32], need[32], quiet[64] = "";
	int firing = sustain_update(&s->crit, below_crit, now_ms, th->hit_crit_for_ms, &s->crit_held_ms);
	cache_duration(held, sizeof(held), s->crit_held_ms);
	cache_duration(need, sizeof(need), th->hit_crit_for_ms);
	s->hit_held = known && r->no_lookups;
	if (s->hit_held) {
		char d[32];
		cache_duration(d, sizeof(d), (double)(now_ms - s->judged_ms));
		snprintf(quiet, sizeof(quiet), "; no lookups for %s", d);
	}
	s->hit_why[0] = '\0';
	if (firing) {
		s->hit_level = LV_CRIT;
		snprintf(s->hit_why, sizeof(s->hit_why), "hit rate %.1f%% < %.0f%% for %s%s", hr, th->hit_crit, held, quiet);
	} else if (known && hr < th->hit_warn) {
		s->hit_level = LV_WARN;
		s->hit_pending = below_crit;
		if (below_crit)
			snprintf(s->hit_why, sizeof(s->hit_why), "hit rate %.1f%% < %.0f%%, pending critical (< %.0f%% %s/%s)%s",
				 hr, th->hit_warn, th->hit_crit, held, need, quiet);
		else
			snprintf(s->hit_why, sizeof(s->hit_why), "hit rate %.1f%% < %.0f%%%s", hr, th->hit_warn, quiet);
	} else {
		s->hit_level = known || (r->have && r->no_lookups) ? LV_OK : LV_NONE;
	}
}

void cache_evaluate(struct cache_state *s, const struct cache_thresholds *th, int64_t now_ms)
{
	s->hit_level = s->mem_level = s->ping_level = LV_NONE;
	s->hit_pending = s->hit_held = 0;
	s->reason[0] = s->hit_why[0] = s->mem_why[0] = '\0';
	if (s->reachable != 1) {
		s->judged_rate = NAN;
		sustain_update(&s->crit, 0, now_ms, th->hit_crit_for_ms, &s->crit_held_ms);
		s->level = s->reachable == 0 ? LV_CRIT : LV_NONE;
		if (s->reachable == 0)
			snprintf(s->reason, sizeof(s->reason), "Redis unreachable: %s", s->error);
		return;
	}
	const struct cache_sample *c = &s->cur;
	s->ping_level = strcmp(c->ping, "PONG") ? LV_CRIT : LV_OK;
	evaluate_hit_rate(s, th, now_ms);
	double used = c->info.used_memory;
	if (!isnan(used)) {
		char a[32], b[32];
		fmt_bytes(a, sizeof(a), used);
		fmt_bytes(b, sizeof(b), th->mem_warn);
		s->mem_level = used > th->mem_warn ? LV_WARN : LV_OK;
		if (s->mem_level == LV_WARN)
			snprintf(s->mem_why, sizeof(s->mem_why), "used memory %s > %s", a, b);
	}
	s->level = level_max(LV_OK, level_max(s->ping_level, level_max(s->hit_level, s->mem_level)));
	if (s->ping_level == LV_CRIT)
		snprintf(s->reason, sizeof(s->reason), "PING answered '%s', not PONG", c->ping);
	else if (s->hit_level >= s->mem_level && s->hit_why[0])
		snprintf(s->reason, sizeof(s->reason), "%s", s->hit_why);
	else if (s->mem_why[0])
		snprintf(s->reason, sizeof(s->reason), "%s", s->mem_why);
}

void cache_report_alerts(const struct cache_state *s, struct alerts *al)
{
	int down = s->reachable == 0 || (s->reachable == 1 && s->ping_level >= LV_CRIT);
	alerts_set(al, "cache.down", "cache", down ? ALERT_FIRING : ALERT_OK, LV_CRIT, s->reason, "RB-12");
	alerts_set(al, "cache.hit_rate", "cache", s->hit_level >= LV_WARN ? ALERT_FIRING : ALERT_OK,
		   s->hit_level >= LV_WARN ? s->hit_level : LV_WARN, s->hit_why, "RB-11");
	alerts_set(al, "cache.memory", "cache", s->mem_level >= LV_WARN ? ALERT_FIRING : ALERT_OK, LV_WARN,
		   s->mem_why, "RB-12");
}
