/* Cache model: INFO parsing by field name (captured from the lab's Redis 7 and hand-made
 * malformed text), the hit rate over the interval (counter resets, no lookups),
 * thresholds with the "for 10 min" sustain, and the alerts reported. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "panels/cache_model.h"
#include "src/util.h"
#include "tests/unit/fixture.h"
#include "tests/unit/tap.h"

static char *slurp(const char *name, size_t *len) { return fixture_read("redis", name, len); }

static int load(const char *name, struct redis_info *in)
{
	size_t len;
	char *text = slurp(name, &len);
	int rc = redis_info_parse(text, len, in);
	free(text);
	return rc;
}

static int near(double a, double b) { return fabs(a - b) < 1e-6; }

static void is_num(double got, double want, const char *what)
{
	if (!ok(near(got, want), "%s", what))
		printf("#   got %.6f want %.6f\n", got, want);
}

static void test_parse_captured(void)
{
	struct redis_info in;
	is_int(load("info-1.txt", &in), 0, "INFO from Redis 7 parses");
	ok(in.fields >= 24, "all watched fields found (%d)", in.fields);
	is_str(in.version, "7.0.15", "redis_version");
	is_str(in.mode, "standalone", "redis_mode");
	is_str(in.role, "master", "role");
	is_str(in.run_id, "ed5067e2220ce414fee024cedf54ddb431c09424", "run_id");
	is_num(in.uptime_s, 599, "uptime_in_seconds");
	is_num(in.connected_clients, 3, "connected_clients");
	is_num(in.blocked_clients, 0, "blocked_clients");
	is_num(in.maxclients, 10000, "maxclients");
	is_num(in.used_memory, 1375144, "used_memory (not used_memory_rss/peak/lua, which share the prefix)");
	is_str(in.used_memory_human, "1.31M", "used_memory_human");
	is_num(in.used_memory_rss, 7548928, "used_memory_rss");
	is_num(in.used_memory_peak, 1375144, "used_memory_peak");
	is_num(in.maxmemory, 0, "maxmemory");
	is_str(in.maxmemory_human, "0B", "maxmemory_human");
	is_str(in.maxmemory_policy, "noeviction", "maxmemory_policy");
	is_num(in.mem_fragmentation_ratio, 5.65, "mem_fragmentation_ratio");
	is_num(in.total_commands_processed, 5812, "total_commands_processed");
	is_num(in.instantaneous_ops_per_sec, 80, "instantaneous_ops_per_sec");
	is_num(in.keyspace_hits, 978, "keyspace_hits");
	is_num(in.keyspace_misses, 1234, "keyspace_misses");
	is_num(in.expired_keys, 455, "expired_keys");
	is_num(in.evicted_keys, 0, "evicted_keys");
	is_int(in.ndb, 1, "one keyspace line");
	is_int(in.db[0].db, 0, "db0");
	is_num(in.db[0].keys, 373, "db0 keys");
	is_num(in.db[0].expires, 370, "db0 expires");
	is_num(in.db[0].avg_ttl_ms, 27767, "db0 avg_ttl");
	is_num(in.keyspace_keys, 373, "keys over all databases");

	/* the same text with LF only, and with its lines in reverse order: same values */
	size_t len;
	char *text = slurp("info-1.txt", &len);
	struct sbuf lf = {0}, rev = {0};
	for (size_t i = 0; i < len; i++)
		if (text[i] != '\r')
			sbuf_addc(&lf, text[i]);
	for (char *end = lf.buf + lf.len; end > lf.buf;) {
		char *start = end - 1;
		while (start > lf.buf && start[-1] != '\n')
			start--;
		sbuf_addn(&rev, start, (size_t)(end - start));
		if (end[-1] != '\n')
			sbuf_addc(&rev, '\n');
		end = start;
	}
	struct redis_info a, b;
	is_int(redis_info_parse(lf.buf, lf.len, &a), 0, "LF-only INFO parses");
	is_int(redis_info_parse(rev.buf, rev.len, &b), 0, "INFO with its lines reversed parses");
	ok(!memcmp(&a, &in, sizeof(in)) || (a.fields == in.fields && near(a.used_memory, in.used_memory) &&
					    near(a.keyspace_hits, in.keyspace_hits) && !strcmp(a.version, in.version)),
	   "LF-only gives the same values as CRLF");
	ok(b.fields == in.fields && near(b.used_memory, in.used_memory) && near(b.keyspace_misses, in.keyspace_misses) &&
		   near(b.db[0].keys, 373) && !strcmp(b.maxmemory_policy, "noeviction"),
	   "line order does not matter (fields are looked up by name)");
	sbuf_done(&lf);
	sbuf_done(&rev);
	free(text);
}

static void test_parse_malformed(void)
{
	struct redis_info in;
	is_int(load("info-minimal.txt", &in), 0, "hand-made minimal INFO parses");
	is_num(in.keyspace_hits, 75, "fields in any section order");
	is_num(in.keyspace_misses, 25, "keyspace_misses");
	ok(isnan(in.evicted_keys), "a malformed number is unknown, not 0");
	is_num(in.expired_keys, 12, "blanks around a number are tolerated");
	ok(isnan(in.uptime_s), "an empty value is unknown");
	ok(isnan(in.connected_clients), "an absent field is unknown");
	is_str(in.role, "slave", "role as written");
	is_int((int)strlen(in.version), (int)sizeof(in.version) - 1, "an over-long string is cut, not overflowed");
	is_num(in.used_memory, 157286400, "used_memory (a repeated field keeps the last value)");
	is_num(in.maxmemory, 268435456, "maxmemory");
	is_str(in.maxmemory_policy, "allkeys-lru", "maxmemory_policy");
	is_int(in.ndb, 2, "keyspace lines with a keys= count; dbx and a db without keys ignored");
	is_int(in.db[1].db, 3, "db3");
	is_num(in.db[1].keys, 7, "keyspace parts looked up by name (expires before keys)");
	ok(isnan(in.db[1].avg_ttl_ms), "missing avg_ttl is unknown");
	is_num(in.keyspace_keys, 17, "keys summed over databases");

	is_int(load("not-info.txt", &in), -1, "an error reply is not INFO");
	is_int(in.fields, 0, "no fields from it");
	is_int(redis_info_parse("", 0, &in), -1, "empty text is not INFO");
	is_int(redis_info_parse("# Server\r\n\r\n", 12, &in), -1, "only comments is not INFO");
}

static struct cache_sample sample_from(const char *name, int64_t mono)
{
	struct cache_sample s;
	memset(&s, 0, sizeof(s));
	load(name, &s.info);
	s.mono_ms = mono;
	s.dbsize = s.info.keyspace_keys;
	s.ping_ms = 0.4;
	snprintf(s.ping, sizeof(s.ping), "PONG");
	return s;
}

static void test_rates(void)
{
	struct cache_sample s1 = sample_from("info-1.txt", 10000), s2 = sample_from("info-2.txt", 13000);
	struct cache_sample s3 = sample_from("info-restarted.txt", 20000);
	struct cache_rates r;

	cache_rates_compute(NULL, &s1, &r);
	ok(!r.have && isnan(r.hit_rate), "one sample: no interval hit rate");
	is_num(r.hit_rate_total, 100.0 * 978 / (978 + 1234), "one sample: the since-start hit rate");

	cache_rates_compute(&s1, &s2, &r);
	ok(r.have && !r.reset && !r.no_lookups, "two captures 3 s apart: an interval");
	is_num(r.interval_s, 3.0, "interval 3 s");
	is_num(r.hits, 111, "111 hits in the interval (1089 - 978)");
	is_num(r.misses, 78, "78 misses in the interval (1312 - 1234)");
	is_num(r.hit_rate, 100.0 * 111 / 189, "interval hit rate from the deltas: 58.7 %");
	is_num(r.hit_rate_total, 100.0 * 1089 / 2401, "since start: 45.4 %, not the same thing");
	is_num(r.ops_per_s, (6173 - 5812) / 3.0, "ops/s from total_commands_processed");
	is_num(r.expired_per_s, 10, "expired keys/s");
	is_num(r.evicted_per_s, 0, "evicted keys/s");

	cache_rates_compute(&s2, &s3, &r);
	ok(r.reset && !r.have, "after a restart the counters went back: a new baseline");
	ok(isnan(r.hit_rate) && isnan(r.ops_per_s) && isnan(r.hits), "no rate across the restart (no negative delta)");
	is_num(r.hit_rate_total, 50, "since start after the restart: 6 of 12");

	struct cache_sample same = s2;
	same.mono_ms = 14000;
	cache_rates_compute(&s2, &same, &r);
	ok(r.have && r.no_lookups && isnan(r.hit_rate), "no lookups in the interval: no hit rate (not 0 %%)");
	is_num(r.ops_per_s, 0, "and 0 ops/s");

	struct cache_sample resetstat = s2; /* CONFIG RESETSTAT: same run_id, counters back to 0 */
	resetstat.mono_ms = 15000;
	resetstat.info.keyspace_hits = 3;
	resetstat.info.keyspace_misses = 1;
	cache_rates_compute(&s2, &resetstat, &r);
	ok(r.reset && isnan(r.hit_rate), "counters lower with the same run_id (RESETSTAT): a new baseline");

	struct cache_sample early = s2;
	early.mono_ms = 13000;
	cache_rates_compute(&s2, &early, &r);
	ok(!r.have, "no interval between samples taken at the same moment");
}

static const struct cache_thresholds TH = {70, 50, 600000, 100.0 * 1024 * 1024};

/* The next sample: hits and misses added to the previous counters. */
static void feed(struct cache_state *st, int64_t t, double hits, double misses, double used)
{
	struct cache_sample s = st->have_cur ? st->cur : sample_from("info-1.txt", t);
	s.mono_ms = t;
	s.info.keyspace_hits += hits;
	s.info.keyspace_misses += misses;
	s.info.used_memory = used;
	snprintf(s.ping, sizeof(s.ping), "PONG");
	cache_observe(st, &s);
	cache_evaluate(st, &TH, t);
}

static const struct alert *find_alert(const struct alerts *al, const char *id)
{
	for (int i = 0; i < al->n; i++)
		if (!strcmp(al->v[i].id, id))
			return &al->v[i];
	return NULL;
}

static int alert_is(const struct alerts *al, const char *id, enum alert_state state, enum level sev)
{
	const struct alert *a = find_alert(al, id);
	if (!a)
		return state == ALERT_OK;
	return a->state == state && (state == ALERT_OK || a->severity == sev);
}

static void test_thresholds(void)
{
	struct cache_state st;
	struct alerts al;
	const double mb = 1024.0 * 1024;
	cache_state_init(&st);
	alerts_init(&al);
	cache_evaluate(&st, &TH, 0);
	is_int(st.level, LV_NONE, "not asked yet: no status");

	feed(&st, 1000, 0, 0, 5 * mb);
	is_int(st.level, LV_OK, "first sample: ok");
	is_int(st.hit_level, LV_NONE, "first sample: hit rate not judged");
	feed(&st, 2000, 90, 10, 5 * mb);
	is_int(st.hit_level, LV_OK, "90 %%: ok");
	cache_report_alerts(&st, &al);
	ok(al.n == 0, "nothing reported while all is well");

	feed(&st, 3000, 60, 40, 5 * mb);
	is_int(st.hit_level, LV_WARN, "60 %%: warn at once");
	ok(!st.hit_pending, "60 %%: no critical pending");
	ok(strstr(st.reason, "< 70%") != NULL, "reason: %s", st.reason);
	cache_report_alerts(&st, &al);
	ok(alert_is(&al, "cache.hit_rate", ALERT_FIRING, LV_WARN), "cache.hit_rate fires as warn");
	is_str(find_alert(&al, "cache.hit_rate")->runbook, "RB-11", "with runbook RB-11");

	feed(&st, 4000, 40, 60, 5 * mb);
	is_int(st.hit_level, LV_WARN, "40 %%: warn");
	ok(st.hit_pending, "40 %%: critical pending");
	ok(strstr(st.reason, "pending") != NULL, "reason says pending: %s", st.reason);
	for (int64_t t = 5000; t < 4000 + 600000; t += 60000)
		feed(&st, t, 40, 60, 5 * mb);
	feed(&st, 4000 + 599999, 40, 60, 5 * mb);
	is_int(st.hit_level, LV_WARN, "still pending just before 10 min");
	ok(st.crit_held_ms > 599000, "held %.0f ms", st.crit_held_ms);
	feed(&st, 4000 + 600000, 40, 60, 5 * mb);
	is_int(st.hit_level, LV_CRIT, "40 %% for 10 min: critical");
	is_int(st.level, LV_CRIT, "panel critical");
	cache_report_alerts(&st, &al);
	ok(alert_is(&al, "cache.hit_rate", ALERT_FIRING, LV_CRIT), "cache.hit_rate fires as critical");

	feed(&st, 4000 + 601000, 0, 0, 5 * mb);
	ok(st.rates.no_lookups && isnan(st.rates.hit_rate), "an interval without lookups has no hit rate of its own");
	is_int(st.hit_level, LV_CRIT, "no new evidence: the last judgement stands (no flapping)");
	ok(st.hit_held, "and says it is held");
	ok(strstr(st.reason, "no lookups for 1s") != NULL, "reason: %s", st.reason);
	cache_report_alerts(&st, &al);
	ok(alert_is(&al, "cache.hit_rate", ALERT_FIRING, LV_CRIT), "the alert keeps firing");
	is_int((int)find_alert(&al, "cache.hit_rate")->fired_count, 1, "fired once so far (warn, escalated to critical)");
	feed(&st, 4000 + 600000 + CACHE_HOLD_MS, 0, 0, 5 * mb);
	is_int(st.hit_level, LV_CRIT, "held up to CACHE_HOLD_MS");
	feed(&st, 4000 + 600000 + CACHE_HOLD_MS + 1000, 0, 0, 5 * mb);
	is_int(st.hit_level, LV_OK, "longer without lookups: unknown, the condition clears");
	is_int(st.level, LV_OK, "panel ok");
	ok(!st.hit_held && st.crit_held_ms == 0, "and the sustain restarts");
	feed(&st, 4000 + 600000 + CACHE_HOLD_MS + 2000, 4, 6, 5 * mb);
	ok(st.hit_pending && st.crit_held_ms == 0, "below 50 %% again: pending from scratch");
	feed(&st, 4000 + 600000 + CACHE_HOLD_MS + 3000, 0, 0, 5 * mb);
	ok(st.hit_pending && st.crit_held_ms == 1000, "a quiet interval does not restart the pending clock");
	feed(&st, 4000 + 600000 + CACHE_HOLD_MS + 4000, 99, 1, 5 * mb);
	ok(st.hit_level == LV_OK && !st.hit_pending, "99 %%: ok, nothing pending");
	cache_report_alerts(&st, &al);
	ok(alert_is(&al, "cache.hit_rate", ALERT_OK, LV_NONE), "cache.hit_rate resolved");
	ok(find_alert(&al, "cache.hit_rate")->resolved_wall > 0, "and remembered as resolved");

	feed(&st, 700000, 99, 1, 100 * mb);
	is_int(st.mem_level, LV_OK, "exactly 100 MB: ok (warn is above)");
	feed(&st, 701000, 99, 1, 150 * mb);
	is_int(st.mem_level, LV_WARN, "150 MB: warn");
	is_int(st.level, LV_WARN, "panel warn");
	ok(strstr(st.reason, "150.0 MB > 100.0 MB") != NULL, "reason: %s", st.reason);
	cache_report_alerts(&st, &al);
	ok(alert_is(&al, "cache.memory", ALERT_FIRING, LV_WARN), "cache.memory fires as warn");
	is_str(find_alert(&al, "cache.memory")->runbook, "RB-12", "with runbook RB-12");

	struct cache_sample s = st.cur;
	s.mono_ms = 702000;
	snprintf(s.ping, sizeof(s.ping), "LOADING Redis is loading");
	cache_observe(&st, &s);
	cache_evaluate(&st, &TH, 702000);
	is_int(st.level, LV_CRIT, "PING not answered PONG: critical");

	feed(&st, 703000, 4, 6, 5 * mb); /* pending again */
	cache_fail(&st, "Connection refused (127.0.0.1:25434)");
	cache_evaluate(&st, &TH, 704000);
	is_int(st.level, LV_CRIT, "down: critical");
	is_str(st.reason, "Redis unreachable: Connection refused (127.0.0.1:25434)", "reason names the cause");
	ok(st.crit_held_ms == 0 && !st.hit_pending, "down: the hit-rate sustain restarts");
	cache_report_alerts(&st, &al);
	ok(alert_is(&al, "cache.down", ALERT_FIRING, LV_CRIT), "cache.down fires as critical");
	is_str(find_alert(&al, "cache.down")->runbook, "RB-12", "with runbook RB-12");
	ok(alert_is(&al, "cache.memory", ALERT_OK, LV_NONE), "memory not judged while down");

	feed(&st, 710000, 95, 5, 5 * mb);
	is_int(st.level, LV_OK, "answers again: ok");
	ok(st.rates.have, "the interval spans the outage (same run_id, counters grew)");
	cache_report_alerts(&st, &al);
	ok(alert_is(&al, "cache.down", ALERT_OK, LV_NONE), "cache.down resolved");
	alerts_done(&al);
}

int main(void)
{
	test_parse_captured();
	test_parse_malformed();
	test_rates();
	test_thresholds();
	return done_testing();
}
