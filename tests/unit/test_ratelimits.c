/* Rate limits: the API's analytics parser, Redis key classification, the SCAN/MGET
 * bookkeeping fed with names and values captured from the lab's Redis, and evaluation. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "panels/ratelimits_model.h"
#include "src/util.h"
#include "tests/unit/fixture.h"
#include "tests/unit/tap.h"

static char *slurp(const char *name, size_t *len) { return fixture_read("api", name, len); }

static int load_analytics(const char *name, struct rl_analytics *a, char *err, size_t errlen)
{
	size_t len;
	char *b = slurp(name, &len);
	int rc = rl_parse_analytics(b, len, a, err, errlen);
	free(b);
	return rc;
}

static struct rl_config config(void)
{
	struct rl_config c = {.ntiers = 4, .near_pct = 80, .abuse_per_min = RL_ABUSE_PER_MIN};
	const char *names[] = {"free", "pro", "standard", "enterprise"};
	const double limits[] = {10, 1000, 100, 10000};
	for (int i = 0; i < 4; i++) {
		snprintf(c.names[i], sizeof(c.names[i]), "%s", names[i]);
		c.limits[i] = limits[i];
	}
	return c;
}

static void test_analytics(void)
{
	struct rl_analytics a;
	char err[160] = "";
	is_int(load_analytics("analytics-free-over.json", &a, err, sizeof(err)), 0, "captured analytics parse");
	is_int((int)a.blocked_count, 4, "blocked_count");
	is_int(a.ntiers, 4, "four tiers");
	ok(!strcmp(a.tiers[0].name, "free") && a.tiers[0].limit == 10 && a.tiers[0].requests == 14 &&
	   a.tiers[0].blocked == 4 && a.tiers[0].keys == 1, "free: limit 10, 14 requests, 4 blocked, 1 key");
	ok(a.ntop == 1 && !strcmp(a.top_blocked[0].key, "zt42***") && a.top_blocked[0].blocked == 4, "top_blocked");
	ok(a.nnear == 1 && a.near[0].used == 14 && a.near[0].limit == 10, "near_limit");

	static const struct {
		const char *file, *want;
	} bad[] = {
		{"analytics-badjson.json", "invalid JSON near byte"},
		{"analytics-wrongtype.json", "tiers.free.limit is a string, expected a number"},
		{"analytics-no-tiers.json", "tiers is missing"},
		{"empty.json", "empty body"},
		{"array.json", "expected an object, got an array"},
		{"health-500.json", "blocked_count is missing"},
	};
	for (size_t i = 0; i < ARRAY_LEN(bad); i++) {
		err[0] = '\0';
		ok(load_analytics(bad[i].file, &a, err, sizeof(err)) == -1 && strstr(err, bad[i].want), "%s refused: %s",
		   bad[i].file, err);
	}
}

static void test_classify_and_mask(void)
{
	char tier[24], key[64], m[40];
	long long minute = 0;
	is_int(rl_classify("ratelimit:", "ratelimit:free:fre1_lab_free_key:29921954", tier, sizeof(tier), key,
			   sizeof(key), &minute),
	       RLK_COUNTER, "a window counter");
	ok(!strcmp(tier, "free") && !strcmp(key, "fre1_lab_free_key") && minute == 29921954, "tier, key, minute");
	is_int(rl_classify("ratelimit:", "ratelimit:pro:a:b:c:29921954", tier, sizeof(tier), key, sizeof(key), &minute),
	       RLK_COUNTER, "a key with colons");
	is_str(key, "a:b:c", "keeps its colons");
	is_int(rl_classify("ratelimit:", "ratelimit:blocked:free:zt42_probe_key", tier, sizeof(tier), key, sizeof(key),
			   &minute),
	       RLK_BLOCKED, "a blocked counter");
	ok(!strcmp(tier, "free") && !strcmp(key, "zt42_probe_key"), "its tier and key");
	const char *other[] = {"ratelimit:tiers", "ratelimit:blocked_total", "ratelimit:free:k:12ab", "cache:user:5",
			       "ratelimit::k:1", "ratelimit:free::1", "ratelimit:free:k:"};
	for (size_t i = 0; i < ARRAY_LEN(other); i++)
		is_int(rl_classify("ratelimit:", other[i], tier, sizeof(tier), key, sizeof(key), &minute), RLK_OTHER,
		       "%s is not a counter", other[i]);
	rl_mask_key("fre1_lab_free_key", m, sizeof(m));
	is_str(m, "fre1***", "masked: first 4 characters + ***");
	rl_mask_key("abcd", m, sizeof(m));
	is_str(m, "ab***", "a short key shows at most half of itself");
	rl_mask_key("", m, sizeof(m));
	is_str(m, "***", "empty key");
}

/* The lab's Redis, captured: names from SCAN and the values the MGET returned. */
static void load_redis(struct rl_redis *r, int64_t now)
{
	size_t len;
	char *text = slurp("redis-scan-keys.txt", &len);
	const char *names[32];
	int n = 0;
	for (char *line = strtok(text, "\n"); line && n < 30; line = strtok(NULL, "\n"))
		names[n++] = line;
	names[n++] = "ratelimit:tiers"; /* a MATCH that is too broad must not confuse it */
	names[n++] = "cache:user:5";
	r->minute = 29921954;
	/* two SCAN replies: the cursor goes on, then back to 0 */
	ok(rl_redis_scan(r, "17", names, 3) == 0, "first SCAN reply: cycle not complete");
	ok(rl_redis_scan(r, "0", names + 3, n - 3) == 1, "cursor 0: cycle complete");
	free(text);
	const char *const *mget;
	int nm = rl_redis_names(r, &mget);
	text = slurp("redis-values.txt", &len);
	const char **vals = xcalloc((size_t)nm, sizeof(char *));
	int found = 0;
	for (int i = 0; i < nm; i++)
		for (char *line = text; line && *line; line = strchr(line, '\n') ? strchr(line, '\n') + 1 : NULL) {
			size_t kl = strcspn(line, " ");
			if (kl == strlen(mget[i]) && !strncmp(line, mget[i], kl)) {
				char *v = line + kl + 1;
				size_t vl = strcspn(v, "\n");
				vals[i] = vl ? xstrndup(v, vl) : NULL;
				found++;
				break;
			}
		}
	is_int(found, nm, "every name the model asks for was captured");
	rl_redis_values(r, vals, nm, now);
	for (int i = 0; i < nm; i++)
		free((char *)vals[i]);
	free(vals);
	free(text);
}

static void test_redis(void)
{
	struct rl_redis r;
	struct rl_view v;
	struct rl_config cfg = config();
	rl_redis_init(&r, "ratelimit:");
	load_redis(&r, 1000);
	is_int(r.nkeys, 5, "five API keys learnt (counters and blocked counters)");
	is_int((int)r.blocked_total, 6, "blocked_total");
	const char *const *mget;
	int nm = rl_redis_names(&r, &mget);
	is_int(nm, 11, "MGET: 5 counters + 5 blocked counters + the total");
	int has = 0;
	for (int i = 0; i < nm; i++)
		has += !strcmp(mget[i], "ratelimit:free:zt42_probe_key:29921954");
	is_int(has, 1, "the current window's counter is asked for by name");
	const char *const *again;
	ok(rl_redis_names(&r, &again) == nm && again == mget, "asked again in the same minute: the same names, not made again");
	r.minute++;
	rl_redis_names(&r, &again);
	has = 0;
	for (int i = 0; i < nm; i++)
		has += !strcmp(again[i], "ratelimit:free:zt42_probe_key:29921955");
	is_int(has, 1, "the next minute: the next window's counter");
	r.minute--;

	rl_evaluate(&v, &r, NULL, &cfg);
	ok(v.from_redis, "data from Redis");
	const struct rl_tier *free_t = &v.tiers[0];
	ok(!strcmp(free_t->name, "free") && free_t->requests == 26 && free_t->keys == 2, "free: 26 requests, 2 keys");
	is_int((int)free_t->blocked, 6, "free: 6 blocked in this window (14-10 + 12-10)");
	is_int((int)free_t->near, 2, "free: both keys at >= 80%%");
	ok(fabs(free_t->rate_429 - 600.0 / 26) < 1e-9, "429 rate = blocked / requests");
	is_int((int)free_t->blocked_total, 6, "free: 6 blocked in all");
	is_int(free_t->level, LV_WARN, "free warns");
	is_int(v.tiers[1].level, LV_OK, "pro ok");
	is_int(v.level, LV_WARN, "panel warns");
	is_int(v.nnear, 2, "two keys near the limit");
	ok(v.nhot >= 2 && !strcmp(v.hot[0].key, "zt42***") && v.hot[0].pct == 140, "hottest: zt42*** at 140%%");
	is_str(v.hot[1].key, "fre2***", "then fre2***");
	ok(strstr(v.why, "zt42*** at 140% of the free limit") != NULL, "why names the key: %s", v.why);
	ok(isnan(v.hot[0].blocked_per_min), "no rate before two samples 5 s apart");
	ok(v.abuse[0] == '\0', "4 blocked is no abuse");

	cJSON *j = rl_view_json(&v);
	char *text = cJSON_PrintUnformatted(j);
	ok(strstr(text, "zt42_probe_key") == NULL && strstr(text, "fre2_lab") == NULL, "JSON never holds a full key");
	ok(strstr(text, "\"key\":\"zt42***\"") != NULL, "only masked ones");
	free(text);
	cJSON_Delete(j);

	/* 40 s later: 400 more blocked for zt42 -> 600/min: abuse */
	const char *vals2[11] = {0};
	const char *const *names2;
	int n2 = rl_redis_names(&r, &names2);
	for (int i = 0; i < r.nkeys; i++) {
		vals2[i] = !strcmp(r.keys[i].key, "zt42_probe_key") ? "414" : "1";
		vals2[r.nkeys + i] = !strcmp(r.keys[i].key, "zt42_probe_key") ? "404" : NULL;
	}
	vals2[n2 - 1] = "406";
	rl_redis_values(&r, vals2, n2, 41000);
	rl_evaluate(&v, &r, NULL, &cfg);
	ok(fabs(v.hot[0].blocked_per_min - 600) < 1e-6, "blocked per minute from the delta: %.1f", v.hot[0].blocked_per_min);
	is_int(v.level, LV_CRIT, "a key blocked > 100 times a minute: critical");
	ok(strstr(v.abuse, "abuse pattern: zt42*** (free) blocked 600 times a minute (> 100)") != NULL, "%s", v.abuse);
	is_int(v.hot[0].level, LV_CRIT, "the key's row is critical");

	/* keys that stop appearing are forgotten after two cycles, unless they were ever blocked */
	const char *none[] = {NULL};
	const char *empty_vals[11] = {0};
	n2 = rl_redis_names(&r, &names2);
	rl_redis_values(&r, empty_vals, n2, 50000);
	rl_redis_scan(&r, "0", none, 0);
	is_int(r.nkeys, 5, "still known after one cycle without it");
	rl_redis_scan(&r, "0", none, 0);
	is_int(r.nkeys, 0, "forgotten after two cycles without it, with nothing to show");
	rl_redis_done(&r);
}

/* More keys than RL_MAX_KEYS: the index finds every known key again, the count stays at the
 * cap, and after the keys stop appearing they are pruned and the index still finds the rest. */
static void test_many_keys(void)
{
	struct rl_redis r;
	rl_redis_init(&r, "ratelimit:");
	r.minute = 100;
	const int n = RL_MAX_KEYS + 904;
	char **names = xcalloc((size_t)n, sizeof(char *));
	for (int i = 0; i < n; i++)
		names[i] = xasprintf("ratelimit:%s:k%d:100", i % 2 ? "pro" : "free", i);
	rl_redis_scan(&r, "0", (const char *const *)names, n);
	is_int(r.nkeys, RL_MAX_KEYS, "keys stop at RL_MAX_KEYS (%d)", RL_MAX_KEYS);
	rl_redis_scan(&r, "0", (const char *const *)names, n);
	is_int(r.nkeys, RL_MAX_KEYS, "the same names again add nothing");
	const char *const *mget;
	int nm = rl_redis_names(&r, &mget);
	ok(nm == 2 * RL_MAX_KEYS + 1 && !strcmp(mget[0], "ratelimit:free:k0:100") &&
		   !strcmp(mget[RL_MAX_KEYS], "ratelimit:blocked:free:k0") && !strcmp(mget[nm - 1], "ratelimit:blocked_total"),
	   "MGET names: counters, blocked counters, the total");
	/* only the odd (pro) keys go on appearing: the even ones are pruned after two cycles */
	char **odd = xcalloc((size_t)n, sizeof(char *));
	int nodd = 0;
	for (int i = 1; i < n; i += 2)
		odd[nodd++] = names[i];
	for (int c = 0; c < 2; c++) /* the second cycle's end forgets them */
		rl_redis_scan(&r, "0", (const char *const *)odd, nodd);
	is_int(r.nkeys, RL_MAX_KEYS / 2, "keys not seen for two cycles are forgotten");
	int pro = 0;
	for (int i = 0; i < r.nkeys; i++)
		pro += !strcmp(r.keys[i].tier, "pro");
	is_int(pro, r.nkeys, "the ones kept are the ones still seen");
	rl_redis_scan(&r, "0", (const char *const *)odd, nodd); /* room again: the rest of the odd ones come in */
	is_int(r.nkeys, nodd, "after the prune the index finds the kept keys and adds only new ones (%d)", nodd);
	nm = rl_redis_names(&r, &mget);
	is_int(nm, 2 * nodd + 1, "the MGET follows the keys");
	for (int i = 0; i < n; i++)
		free(names[i]);
	free(names);
	free(odd);
	rl_redis_done(&r);
}

static void test_api_only(void)
{
	struct rl_analytics a;
	struct rl_view v;
	struct rl_config cfg = config();
	char err[160];
	is_int(load_analytics("analytics-abuse.json", &a, err, sizeof(err)), 0, "abuse analytics parse");
	rl_evaluate(&v, NULL, &a, &cfg);
	ok(!v.from_redis, "data from the API's lists");
	is_int(v.ntiers, 5, "a tier only the API knows is added");
	is_str(v.tiers[4].name, "partner", "partner");
	ok(v.tiers[4].limit == 500, "its limit comes from the API");
	ok(v.tiers[0].limit == 10 && v.tiers[0].api_limit == 12, "free: config says 10, the API says 12");
	is_int((int)v.tiers[0].requests, 190, "requests from the API");
	is_int(v.level, LV_CRIT, "bot9 at 180 of 10/min is blocked 170 times in this window: critical");
	ok(strstr(v.abuse, "bot9***") != NULL, "%s", v.abuse);
	is_str(v.hot[0].key, "bot9***", "bot9 hottest");
	ok(v.hot[0].blocked_total == 900, "its all-time blocked count from top_blocked");
	is_int(v.nnear, 3, "three keys at >= 80%% (std1 at 85%%, fre1 at 100%% of 10)");
	is_int((int)v.api_blocked_count, 950, "blocked_count");

	rl_evaluate(&v, NULL, NULL, &cfg);
	is_int(v.level, LV_NONE, "no source: no judgement");
	ok(isnan(v.tiers[0].requests), "and no numbers");
}

int main(void)
{
	test_analytics();
	test_classify_and_mask();
	test_redis();
	test_many_keys();
	test_api_only();
	return done_testing();
}
