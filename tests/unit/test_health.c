/* The health strip's parsers and evaluation, fed with bodies captured from the lab API
 * (tests/fixtures/api) and hand-made broken ones. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "panels/health_model.h"
#include "src/util.h"
#include "tests/unit/fixture.h"
#include "tests/unit/tap.h"

static char *slurp(const char *name, size_t *len) { return fixture_read("api", name, len); }

#define MIN (60 * 1000)
#define T0 1000000 /* a monotonic clock never reads 0 */
static const struct health_thresholds TH = {500, 5 * MIN, 1000, 2 * MIN, 5, 1, 5 * MIN, 5, 2 * MIN};

/* Feeds fixture name as endpoint ep's answer with HTTP status. */
static void feed(struct health_model *m, enum health_ep ep, long status, const char *name, int64_t now)
{
	size_t len;
	char *body = slurp(name, &len);
	health_feed(m, ep, status, body, len, NULL, now);
	free(body);
}

static void healthy_lab(struct health_model *m, int64_t now)
{
	feed(m, HEP_HEALTH, 200, "health-healthy.json", now);
	feed(m, HEP_DETAILED, 200, "detailed-healthy.json", now);
	feed(m, HEP_QUERIES, 200, "queries-idle.json", now);
	feed(m, HEP_ERRORS, 200, "errors-idle.json", now);
}

static void test_parse_captured(void)
{
	struct health_status h;
	struct health_queries q;
	struct health_errors e;
	char err[160] = "";
	size_t len;
	char *b = slurp("health-healthy.json", &len);
	is_int(health_parse_status(b, len, &h, err, sizeof(err)), 0, "/health (healthy) parses");
	is_str(h.status, "healthy", "status healthy");
	is_int(h.st, API_HEALTHY, "as API_HEALTHY");
	is_str(h.version, "lab-1.0", "version");
	ok(!h.has_services, "plain /health has no services");
	free(b);

	b = slurp("detailed-degraded.json", &len);
	is_int(health_parse_status(b, len, &h, err, sizeof(err)), 0, "/health/detailed (east stopped) parses");
	is_int(h.st, API_DEGRADED, "degraded");
	is_int(h.nreplicas, 2, "two replicas");
	is_str(h.replicas[0].name, "east", "first is east");
	is_int(h.replicas[0].connected, 0, "east not connected");
	ok(isnan(h.replicas[0].lag_ms), "east lag null -> NAN");
	is_str(h.replicas[0].receiver, "unreachable", "east receiver unreachable");
	is_int(h.replicas[0].replay_paused, -1, "replay_paused null -> -1");
	is_int(h.replicas[1].connected, 1, "west connected");
	is_str(h.database.status, "connected", "primary connected");
	ok(h.redis.present && !strcmp(h.redis.status, "connected") && h.redis.latency_ms > 0, "redis connected with a latency");
	ok(h.pgbouncer.present, "pgbouncer present");
	free(b);

	b = slurp("queries-idle.json", &len);
	is_int(health_parse_queries(b, len, &q, err, sizeof(err)), 0, "/metrics/queries parses");
	ok(q.p50 == 1.673 && q.p95 == 3.147 && q.p99 == 4.069, "p50/p95/p99 exactly as sent");
	is_int((int)q.total, 1000, "total_queries");
	is_int(q.slow_count, 0, "no slow queries");
	is_str(q.health, "healthy", "query health");
	free(b);

	b = slurp("queries-slow.json", &len);
	is_int(health_parse_queries(b, len, &q, err, sizeof(err)), 0, "slow queries body parses");
	is_int(q.slow_count, 6, "slowQueries length");
	ok(q.slowest_ms == 5004.61, "slowest duration found (not the first one)");
	ok(strstr(q.slowest_query, "FROM users") != NULL, "slowest query text kept");
	free(b);

	b = slurp("errors-idle.json", &len);
	is_int(health_parse_errors(b, len, &e, err, sizeof(err)), 0, "/metrics/errors parses");
	ok(e.rate >= 0 && e.rate <= 1 && e.window_s == 300, "error rate is a fraction over 300 s");
	free(b);
}

struct bad_case {
	const char *file;
	int kind; /* 0 status, 1 queries, 2 errors */
	const char *want;
};

static void test_parse_broken(void)
{
	static const struct bad_case cases[] = {
		{"queries-badjson.json", 1, "invalid JSON near byte"},
		{"queries-500.json", 1, "statistics is missing, expected an object"},
		{"queries-wrongtype.json", 1, "statistics.p95 is a string, expected a number"},
		{"queries-missing.json", 1, "statistics.p95 is missing"},
		{"queries-huge-number.json", 1, "statistics.p95 = inf is out of range"},
		{"queries-statistics-array.json", 1, "statistics is an array, expected an object"},
		{"queries-slow-not-array.json", 1, "slowQueries is a string, expected an array"},
		{"empty.json", 1, "empty body"},
		{"whitespace.json", 0, "empty body"},
		{"array.json", 0, "expected an object, got an array"},
		{"health-status-number.json", 0, "status is a number, expected a string"},
		{"detailed-replicas-not-array.json", 0, "services.database.replicas is an object, expected an array"},
		{"errors-percent-not-fraction.json", 2, "error_rate = 7 is out of range (0..1)"},
		{"errors-wrongtype.json", 2, "error_rate is a string, expected a number"},
	};
	for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
		size_t len;
		char err[160] = "";
		char *b = slurp(cases[i].file, &len);
		struct health_status h;
		struct health_queries q;
		struct health_errors e;
		int rc = cases[i].kind == 0 ? health_parse_status(b, len, &h, err, sizeof(err))
		       : cases[i].kind == 1 ? health_parse_queries(b, len, &q, err, sizeof(err))
					    : health_parse_errors(b, len, &e, err, sizeof(err));
		ok(rc == -1 && strstr(err, cases[i].want), "%s is refused: %s", cases[i].file, err);
		free(b);
	}
}

/* A 1 MB body (the connector's cap) that is valid JSON, and one that nests too deep. */
static void test_parse_big(void)
{
	struct health_queries q;
	char err[160] = "";
	size_t n = 1024 * 1024;
	char *b = xmalloc(n + 1);
	const char *head = "{\"statistics\": {\"p50\": 1, \"p95\": 2, \"p99\": 3}, \"padding\": \"";
	memset(b, 'x', n);
	memcpy(b, head, strlen(head));
	memcpy(b + n - 2, "\"}", 2);
	b[n] = '\0';
	is_int(health_parse_queries(b, n, &q, err, sizeof(err)), 0, "a 1 MB body with padding parses");
	ok(q.p95 == 2, "and its values are read");
	memset(b, '[', n);
	ok(health_parse_queries(b, n, &q, err, sizeof(err)) == -1 && strstr(err, "invalid JSON"),
	   "1 MB of '[' is refused without a crash: %s", err);
	b[0] = '{';
	b[1] = '\0';
	ok(health_parse_queries(b, n, &q, err, sizeof(err)) == -1, "a NUL inside the body is invalid JSON: %s", err);
	free(b);
}

static void test_feed_failures(void)
{
	struct health_model m;
	char word[32];
	size_t len;
	health_model_init(&m);
	healthy_lab(&m, 1000);
	health_evaluate(&m, &TH, 1000);
	is_int(m.level, LV_OK, "healthy lab: ok");
	ok(m.why == NULL, "no reason when ok");
	is_str(health_api_word(&m, word, sizeof(word)), "healthy", "strip says healthy");

	char *b = slurp("health-500.json", &len);
	health_feed(&m, HEP_HEALTH, 500, b, len, NULL, 2000);
	free(b);
	health_evaluate(&m, &TH, 2000);
	is_int(m.lv_status, LV_CRIT, "HTTP 500 from /health is critical");
	is_str(m.ep[HEP_HEALTH].error, "HTTP 500 from /health: injected fault: 500", "with the API's own error");
	is_str(health_api_word(&m, word, sizeof(word)), "HTTP 500", "strip says HTTP 500");

	feed(&m, HEP_HEALTH, 503, "health-unhealthy.json", 3000);
	health_evaluate(&m, &TH, 3000);
	ok(m.ep[HEP_HEALTH].have && m.lv_status == LV_CRIT, "503 + unhealthy is read, critical");
	is_str(m.why_status, "API unhealthy", "why: API unhealthy");

	feed(&m, HEP_HEALTH, 200, "health-unknown-status.json", 3500);
	health_evaluate(&m, &TH, 3500);
	is_int(m.lv_status, LV_WARN, "an unknown status word warns");

	health_feed(&m, HEP_HEALTH, 0, NULL, 0, "timeout after 3s", 4000);
	health_evaluate(&m, &TH, 4000);
	is_int(m.ep[HEP_HEALTH].kind, HERR_TIMEOUT, "a timeout is recognised");
	is_str(health_api_word(&m, word, sizeof(word)), "timeout", "strip says timeout");
	is_str(m.why_status, "API down: timeout after 3s (/health)", "why names the endpoint");
	is_int(m.level, LV_CRIT, "no answer from /health is critical");

	health_feed(&m, HEP_HEALTH, 200, NULL, 0, "response larger than 1 MB refused", 4500);
	health_evaluate(&m, &TH, 4500);
	is_str(health_api_word(&m, word, sizeof(word)), "too large", "strip says too large");
	is_int(m.lv_status, LV_WARN, "a body too large is a warning (the API answered)");

	health_feed(&m, HEP_HEALTH, 0, NULL, 0, "Connection refused (127.0.0.1:1)", 4600);
	health_evaluate(&m, &TH, 4600);
	is_str(health_api_word(&m, word, sizeof(word)), "down", "refused: strip says down");

	feed(&m, HEP_HEALTH, 200, "health-healthy.json", 5000);
	feed(&m, HEP_QUERIES, 200, "queries-badjson.json", 5000);
	health_evaluate(&m, &TH, 5000);
	is_int(m.lv_p95, LV_WARN, "bad JSON from /metrics/queries warns");
	ok(str_starts(m.why_p95, "bad JSON from /metrics/queries: invalid JSON near byte"), "says so: %s", m.why_p95);
	is_int(m.lv_status, LV_OK, "/health itself still ok");
	ok(m.why && str_starts(m.why, "bad JSON from /metrics/queries"), "the panel's reason is the bad JSON");
	is_str(health_api_word(&m, word, sizeof(word)), "healthy", "strip still says healthy");

	feed(&m, HEP_HEALTH, 200, "health-degraded.json", 6000);
	feed(&m, HEP_DETAILED, 200, "detailed-degraded.json", 6000);
	health_evaluate(&m, &TH, 6000);
	is_int(m.lv_status, LV_WARN, "degraded warns");
	is_str(m.why_status, "API degraded; replica east unreachable", "why names the replica");
}

static void test_p95_sustain(void)
{
	struct health_model m;
	health_model_init(&m);
	healthy_lab(&m, T0);
	feed(&m, HEP_QUERIES, 200, "queries-slow.json", T0); /* p95 700 ms, 6 slow queries */
	health_evaluate(&m, &TH, T0);
	is_int(m.lv_p95, LV_PENDING, "p95 700ms > 500ms: pending at once");
	is_int(m.lv_slow, LV_WARN, "6 slow queries >= 5: warn");
	is_int(m.level, LV_WARN, "panel warns for the slow queries");
	health_evaluate(&m, &TH, T0 + 5 * MIN - 1);
	is_int(m.lv_p95, LV_PENDING, "still pending just before 5 min");
	ok(strstr(m.why_p95, "(warn after 5m00s)") != NULL, "says when it will warn: %s", m.why_p95);
	health_evaluate(&m, &TH, T0 + 5 * MIN);
	is_int(m.lv_p95, LV_WARN, "warn after 5 min");
	is_str(m.why_p95, "p95 700ms > 500ms for 5m00s", "why");
	feed(&m, HEP_QUERIES, 200, "queries-idle.json", T0 + 5 * MIN + 1000);
	health_evaluate(&m, &TH, T0 + 5 * MIN + 1000);
	is_int(m.lv_p95, LV_OK, "back under 500ms: ok at once");
	feed(&m, HEP_QUERIES, 200, "queries-slow.json", T0 + 6 * MIN);
	health_evaluate(&m, &TH, T0 + 6 * MIN);
	is_int(m.lv_p95, LV_PENDING, "over again: pending from scratch");

	/* > 1 s: critical after 2 minutes */
	struct health_model c;
	health_model_init(&c);
	const char body[] = "{\"statistics\": {\"p50\": 300, \"p95\": 1200, \"p99\": 2000}, \"slowQueries\": []}";
	health_feed(&c, HEP_QUERIES, 200, body, strlen(body), NULL, T0);
	health_evaluate(&c, &TH, T0);
	is_int(c.lv_p95, LV_PENDING, "p95 1.2s: pending");
	health_evaluate(&c, &TH, T0 + MIN);
	ok(c.lv_p95 == LV_PENDING && strstr(c.why_p95, "critical after 2m00s"), "at 1 min: pending, %s", c.why_p95);
	health_evaluate(&c, &TH, T0 + 2 * MIN);
	is_int(c.lv_p95, LV_CRIT, "critical after 2 min");
	is_str(c.why_p95, "p95 1.20s > 1.00s for 2m00s", "why");
	health_feed(&c, HEP_QUERIES, 0, NULL, 0, "timeout after 3s", T0 + 2 * MIN + 1000);
	health_evaluate(&c, &TH, T0 + 2 * MIN + 1000);
	is_int(c.lv_p95, LV_WARN, "no metrics: warn, not a stale critical");
	health_feed(&c, HEP_QUERIES, 200, body, strlen(body), NULL, T0 + 3 * MIN);
	health_evaluate(&c, &TH, T0 + 3 * MIN);
	is_int(c.lv_p95, LV_PENDING, "a gap in the data restarts the clock");
}

static void test_error_rate(void)
{
	struct health_model m;
	health_model_init(&m);
	healthy_lab(&m, T0);
	feed(&m, HEP_ERRORS, 200, "errors-two-percent.json", T0);
	health_evaluate(&m, &TH, T0);
	is_int(m.lv_err, LV_PENDING, "2%% > 1%%: pending");
	health_evaluate(&m, &TH, T0 + 5 * MIN);
	is_int(m.lv_err, LV_WARN, "warn after 5 min");
	is_str(m.why_err, "error rate 2.00% > 1% for 5m00s", "why in percent");
	feed(&m, HEP_ERRORS, 200, "errors-high.json", T0 + 5 * MIN);
	health_evaluate(&m, &TH, T0 + 5 * MIN);
	is_int(m.lv_err, LV_WARN, "7%%: still warn (over 1%% for 5 min), critical pending");
	ok(strstr(m.why_err, "critical after 2m00s") != NULL, "says so: %s", m.why_err);
	health_evaluate(&m, &TH, T0 + 7 * MIN);
	is_int(m.lv_err, LV_CRIT, "7%% for 2 min: critical");
	is_int(m.level, LV_CRIT, "the panel is critical");
	is_str(m.why, m.why_err, "and says why");
}

int main(void)
{
	test_parse_captured();
	test_parse_broken();
	test_parse_big();
	test_feed_failures();
	test_p95_sustain();
	test_error_rate();
	return done_testing();
}
