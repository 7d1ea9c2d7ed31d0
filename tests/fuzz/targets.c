/* The fuzz targets (targets.h). Inputs made of several parts separate them with a form
 * feed (\f); an input without one uses its single part for every role, so a captured
 * fixture is a seed as it is. Parsers that take a length get exactly that many bytes,
 * not NUL terminated, so reading past the end is caught (by ASan, or by a guard page in
 * plain builds). */
#include "tests/fuzz/targets.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "panels/alerts.h"
#include "panels/cache_model.h"
#include "panels/health_model.h"
#include "panels/partitions_model.h"
#include "panels/pools_model.h"
#include "panels/ratelimits_model.h"
#include "panels/redis_url.h"
#include "panels/replicas_model.h"
#include "panels/rowset.h"
#include "runbooks/expect.h"
#include "runbooks/lint.h"
#include "runbooks/runbook.h"
#include "src/config.h"
#include "src/util.h"

#define MAX_PARTS 8

#if defined(__SANITIZE_ADDRESS__)
#define HAVE_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define HAVE_ASAN 1
#endif
#endif

/* The input cut at form feeds: part i is len[i] bytes at a copy that is NUL terminated
 * at len[i] (for the NUL-terminated APIs), or with exact set not terminated at all. */
struct parts {
	int n, exact;
	char *s[MAX_PARTS];
	size_t len[MAX_PARTS];
};

static char *copy(const uint8_t *p, size_t n)
{
	char *s = xmalloc(n + 1);
	if (n)
		memcpy(s, p, n);
	s[n] = '\0';
	return s;
}

/* n bytes that end where memory ends: with ASan an exact allocation; without, right
 * before a page that cannot be read (tests/fuzz/regress), so reading on crashes. */
static char *copy_exact(const uint8_t *p, size_t n)
{
#ifdef HAVE_ASAN
	char *s = xmalloc(n);
#else
	size_t page = (size_t)sysconf(_SC_PAGESIZE);
	size_t span = (n + page - 1) / page * page + page;
	char *map = mmap(NULL, span, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (map == MAP_FAILED || mprotect(map + span - page, page, PROT_NONE) < 0)
		fatal("fuzz: cannot map %zu bytes", span);
	char *s = map + span - page - n;
#endif
	if (n)
		memcpy(s, p, n);
	return s;
}

static void free_exact(char *s, size_t n)
{
#ifdef HAVE_ASAN
	(void)n;
	free(s);
#else
	size_t page = (size_t)sysconf(_SC_PAGESIZE);
	char *guard = s + n, *base = (char *)((uintptr_t)s / page * page);
	munmap(base, (size_t)(guard - base) + page);
#endif
}

static void parts_split(struct parts *pt, const uint8_t *data, size_t size, int exact)
{
	size_t start = 0;
	pt->n = 0;
	pt->exact = exact;
	for (size_t i = 0; i <= size && pt->n < MAX_PARTS; i++) {
		if (i < size && (data[i] != '\f' || pt->n == MAX_PARTS - 1))
			continue;
		pt->len[pt->n] = i - start;
		pt->s[pt->n] = exact ? copy_exact(data + start, i - start) : copy(data + start, i - start);
		pt->n++;
		start = i + 1;
	}
}

/* Part i, or the only part when there is just one; "" when absent. */
static const char *part(const struct parts *pt, int i, size_t *len)
{
	static const char none[1] = "";
	int k = pt->n == 1 ? 0 : i;
	if (k >= pt->n) {
		if (len)
			*len = 0;
		return none;
	}
	if (len)
		*len = pt->len[k];
	return pt->s[k];
}

static void parts_done(struct parts *pt)
{
	for (int i = 0; i < pt->n; i++)
		if (pt->exact)
			free_exact(pt->s[i], pt->len[i]);
		else
			free(pt->s[i]);
	pt->n = 0;
}

/* ---- runbook Markdown and lint ---- */

int fuzz_runbook(const uint8_t *data, size_t size)
{
	static const char *const replicas[] = {"east", "west"};
	static const char *const ids[] = {"RB-24", "CL-W1-2"};
	const struct lint_opts o = {1, replicas, 2, ids, 2};
	const char *text = (const char *)data; /* exactly size bytes, not NUL terminated */
	struct runbook rb;
	runbook_parse(&rb, "fuzz.md", text, size);
	runbook_lint(&rb, &o);
	runbook_done(&rb);
	runbook_parse(&rb, "fuzz.md", text, size);
	runbook_lint(&rb, NULL);
	runbook_done(&rb);
	return 0;
}

/* ---- the expectation language ----
 * First line: the expression. Then, \f separated: a CSV result, an HTTP body, HTTP
 * headers, shell output; absent ones get a small default. */

static const char *fx_captured(void *arg, const char *name)
{
	(void)arg;
	return strcmp(name, "missing") ? "42" : NULL;
}

static int fx_baseline(void *arg, const char *name, double *value)
{
	(void)arg;
	*value = 120;
	return strcmp(name, "missing") ? 0 : -1;
}

static const char *fx_input(void *arg, const char *name)
{
	(void)arg;
	return strcmp(name, "missing") ? "east" : NULL;
}

static void eval_all(const struct expect *e, const struct expect_ctx *ctx)
{
	struct expect_result res;
	expect_eval(e, ctx, &res);
	expect_result_done(&res);
	expect_value(e, ctx, &res);
	expect_result_done(&res);
}

static void on_name(void *arg, enum expect_name kind, const char *name, int col)
{
	(void)kind, (void)col;
	*(size_t *)arg += strlen(name);
}

int fuzz_expect(const uint8_t *data, size_t size)
{
	const uint8_t *nl = memchr(data, '\n', size);
	size_t elen = nl ? (size_t)(nl - data) : size;
	char *src = copy(data, elen);
	char *err = NULL;
	struct expect *e = expect_parse(src, &err);
	free(src);
	if (!e) {
		free(err);
		return 0;
	}
	struct parts pt = {0};
	if (nl)
		parts_split(&pt, nl + 1, size - elen - 1, 0);
	const char *csv = pt.n > 0 ? pt.s[0] : "lag_ms,state,active,value\n12.5,streaming,t,1\n1500,catchup,f,\n";
	const char *body = pt.n > 1 ? pt.s[1] : "{\"status\":\"healthy\",\"services\":{\"database\":{\"replicas\":[{\"lag_ms\":3}]}}}";
	const char *headers = pt.n > 2 ? pt.s[2] : "X-RateLimit-Limit: 10\r\nRetry-After: 3\r\n";
	const char *output = pt.n > 3 ? pt.s[3] : "PONG\n";

	struct expect_ctx ctx;
	expect_ctx_init(&ctx);
	eval_all(e, &ctx); /* nothing known */
	ctx.captured = fx_captured, ctx.baseline = fx_baseline, ctx.input = fx_input;
	ctx.replicas = 2;
	struct rowset rs;
	if (rowset_from_csv(&rs, csv) == 0) {
		ctx.rs = &rs;
		eval_all(e, &ctx);
		ctx.rs = NULL;
		rowset_done(&rs);
	}
	ctx.http_status = 200, ctx.http_body = body, ctx.http_headers = headers;
	eval_all(e, &ctx);
	ctx.http_status = 0, ctx.http_body = NULL, ctx.http_headers = NULL;
	ctx.output = output, ctx.exit_status = 0;
	eval_all(e, &ctx);

	int col;
	size_t names = 0;
	expect_needs_outside(e, 0, &col);
	expect_needs_outside(e, EXPECT_NEEDS_ROWS, &col);
	expect_needs_outside(e, EXPECT_NEEDS_HTTP | EXPECT_NEEDS_OUTPUT, &col);
	expect_names(e, on_name, &names);
	(void)expect_source(e);
	expect_free(e);
	parts_done(&pt);
	return 0;
}

/* ---- INI config: written to a private temp file (mode 600), loaded as a file ---- */

static char config_path[64];

static void config_cleanup(void)
{
	if (config_path[0])
		unlink(config_path);
}

static void config_try(const char *env)
{
	struct config c;
	char *err = NULL;
	if (config_load(&c, config_path, env, &err) == 0) {
		for (int id = 0; id < OPT__COUNT; id++)
			free(config_opt_text(&c, (enum opt_id)id));
		(void)config_source(&c, "primary");
		(void)config_source(&c, "replica.east");
		for (int i = 0; i < c.n_replicas; i++)
			free(mask_secrets(c.replicas[i].dsn));
	}
	free(err);
	config_done(&c);
}

int fuzz_config(const uint8_t *data, size_t size)
{
	if (!config_path[0]) {
		const char *tmp = getenv("TMPDIR");
		snprintf(config_path, sizeof(config_path), "%s/opsdeck-fuzz-XXXXXX", tmp && strlen(tmp) < 32 ? tmp : "/tmp");
		int fd = mkstemp(config_path); /* mode 600 */
		if (fd < 0)
			fatal("fuzz_config: cannot create %s", config_path);
		close(fd);
		atexit(config_cleanup);
	}
	FILE *f = fopen(config_path, "wb");
	if (!f)
		fatal("fuzz_config: cannot write %s", config_path);
	if (size)
		fwrite(data, 1, size, f);
	fclose(f);
	config_try(NULL);
	/* with several sections, select the first one as --env would */
	const uint8_t *lb = memchr(data, '[', size);
	if (lb) {
		const uint8_t *rb = memchr(lb, ']', size - (size_t)(lb - data));
		if (rb && rb - lb < 64) {
			char *env = copy(lb + 1, (size_t)(rb - lb - 1));
			config_try(env);
			free(env);
		}
	}
	return 0;
}

/* ---- PgBouncer: SHOW POOLS \f DATABASES \f CONFIG \f STATS \f STATS (later) ---- */

static int csv(struct rowset *rs, const struct parts *pt, int i)
{
	return rowset_from_csv(rs, part(pt, i, NULL));
}

int fuzz_pgbouncer(const uint8_t *data, size_t size)
{
	static const struct pool_thresholds th = {80, 120000, 90, 60000, 50, 180000};
	struct parts pt;
	struct rowset rs;
	struct pool_set set = {0};
	set.default_pool_size = NAN;
	parts_split(&pt, data, size, 0);
	if (csv(&rs, &pt, 0) == 0) {
		pools_update(&set, &rs);
		rowset_done(&rs);
	}
	if (csv(&rs, &pt, 1) == 0) {
		pools_apply_databases(&set, &rs);
		rowset_done(&rs);
	}
	if (csv(&rs, &pt, 2) == 0) {
		pools_apply_config(&set, &rs);
		rowset_done(&rs);
	}
	if (csv(&rs, &pt, 3) == 0) {
		pools_apply_stats(&set, &rs, 1000);
		rowset_done(&rs);
	}
	pools_evaluate(&set, &th, 1000);
	if (csv(&rs, &pt, 0) == 0) {
		pools_update(&set, &rs);
		rowset_done(&rs);
	}
	if (csv(&rs, &pt, 4) == 0) {
		pools_apply_stats(&set, &rs, 3000);
		rowset_done(&rs);
	}
	pools_evaluate(&set, &th, 3000);
	pools_evaluate(&set, &th, 3000 + 200000);
	for (int i = 0; i < set.n; i++) { /* what the panel shows */
		char buf[64];
		fmt_duration_ms(buf, sizeof(buf), set.p[i].maxwait_ms);
		fmt_duration_ms(buf, sizeof(buf), set.p[i].avg_wait_ms);
	}
	pools_done(&set);
	parts_done(&pt);
	return 0;
}

/* ---- PostgreSQL rows: replication primary \f standby \f standby \f partitions ---- */

int fuzz_pg_rows(const uint8_t *data, size_t size)
{
	static const struct repl_thresholds rth = {1000, 10000, 300000, 30000, 120000};
	static const struct partition_thresholds pth = {20, 3600000, 30, 1800000, 100000, 86400000, 24};
	struct parts pt;
	struct rowset rs;
	struct repl_primary primary;
	int have_primary = 0;
	struct replica r[2];
	memset(r, 0, sizeof(r));
	parts_split(&pt, data, size, 0);
	if (csv(&rs, &pt, 0) == 0) {
		have_primary = repl_parse_primary(&rs, &primary) == 0;
		rowset_done(&rs);
	}
	for (int i = 0; i < 2; i++) {
		snprintf(r[i].name, sizeof(r[i].name), "%s", i ? "west" : "east");
		history_init(&r[i].lag_hist, 4);
		r[i].reachable = 0;
		if (csv(&rs, &pt, 1 + i) == 0) {
			if (repl_parse_standby(&rs, &r[i].sb) == 0) {
				r[i].reachable = r[i].have_standby = 1;
				snprintf(r[i].known_slot, sizeof(r[i].known_slot), "%s", r[i].sb.slot);
			}
			rowset_done(&rs);
		}
	}
	for (int round = 0; round < 2; round++) {
		repl_infer_slots(r, 2, have_primary ? &primary : NULL);
		for (int i = 0; i < 2; i++) {
			replica_evaluate(&r[i], have_primary ? &primary : NULL, 1, &rth, 1000 + round * 400000);
			history_push(&r[i].lag_hist, r[i].lag_ms);
		}
	}
	for (int i = 0; i < 2; i++) { /* what the panel shows */
		char buf[64];
		fmt_duration_ms(buf, sizeof(buf), r[i].lag_ms);
		fmt_duration_ms(buf, sizeof(buf), r[i].snd.write_lag_ms);
		fmt_duration_ms(buf, sizeof(buf), r[i].snd.flush_lag_ms);
		fmt_duration_ms(buf, sizeof(buf), r[i].sb.replay_delay_ms);
		fmt_bytes(buf, sizeof(buf), r[i].snd.replay_lag_bytes);
		fmt_bytes(buf, sizeof(buf), r[i].snd.slot_retained_bytes);
	}
	for (int i = 0; i < 2; i++)
		history_done(&r[i].lag_hist);
	if (have_primary)
		repl_primary_done(&primary);

	struct ptables tables = {0};
	if (csv(&rs, &pt, 3) == 0) {
		if (ptables_update(&tables, &rs) == 0) {
			ptables_evaluate(&tables, &pth, 1000);
			ptables_update(&tables, &rs);
			ptables_evaluate(&tables, &pth, 1000 + 4000000);
		}
		for (int i = 0; i < tables.n; i++) {
			char buf[64];
			fmt_bytes(buf, sizeof(buf), tables.t[i].total_bytes);
			fmt_bytes(buf, sizeof(buf), tables.t[i].index_bytes);
			fmt_duration_ms(buf, sizeof(buf), tables.t[i].worst_vacuum_age_s * 1000);
		}
		rowset_done(&rs);
	}
	ptables_done(&tables);
	parts_done(&pt);
	return 0;
}

/* ---- Redis INFO: an earlier sample \f a later one ---- */

static void show_info(const struct redis_info *in) /* what the panel shows */
{
	char buf[64];
	cache_duration(buf, sizeof(buf), in->uptime_s * 1000);
	for (int i = 0; i < in->ndb; i++)
		cache_duration(buf, sizeof(buf), in->db[i].avg_ttl_ms);
	fmt_bytes(buf, sizeof(buf), in->used_memory);
	fmt_bytes(buf, sizeof(buf), in->used_memory_rss);
	fmt_bytes(buf, sizeof(buf), in->used_memory_peak);
	fmt_bytes(buf, sizeof(buf), in->maxmemory);
	cache_fmt_num(buf, sizeof(buf), in->mem_fragmentation_ratio, 2, 0);
	cache_fmt_num(buf, sizeof(buf), in->keyspace_keys, 0, 0);
}

int fuzz_redis_info(const uint8_t *data, size_t size)
{
	static const struct cache_thresholds th = {70, 50, 600000, 100 * 1048576.0};
	struct parts pt;
	struct cache_state st;
	struct alerts al;
	parts_split(&pt, data, size, 1);
	cache_state_init(&st);
	alerts_init(&al);
	for (int i = 0; i < 3; i++) {
		struct cache_sample s;
		size_t len;
		const char *text = part(&pt, i < 2 ? i : 0, &len);
		memset(&s, 0, sizeof(s));
		s.mono_ms = 1000 + i * 700000;
		if (redis_info_parse(text, len, &s.info) == 0) {
			s.dbsize = s.info.keyspace_keys;
			s.ping_ms = 0.4;
			snprintf(s.ping, sizeof(s.ping), "PONG");
			cache_observe(&st, &s);
			show_info(&s.info);
		} else {
			cache_fail(&st, "not INFO");
		}
		cache_evaluate(&st, &th, s.mono_ms);
		cache_report_alerts(&st, &al);
		char buf[64];
		cache_fmt_num(buf, sizeof(buf), st.rates.hit_rate, 1, 1);
		cache_fmt_num(buf, sizeof(buf), st.rates.ops_per_s, 0, 0);
		cache_duration(buf, sizeof(buf), st.crit_held_ms);
	}
	alerts_done(&al);
	parts_done(&pt);
	return 0;
}

/* ---- the API's JSON: /health, /health/detailed, /metrics/queries, /metrics/errors,
 * /admin/rate-limit/analytics; one body tried as each, or one part per endpoint ---- */

static void feed_rl(const char *body, size_t len)
{
	struct rl_analytics a;
	struct rl_view v;
	struct rl_config cfg = {.ntiers = 2, .near_pct = 80, .abuse_per_min = RL_ABUSE_PER_MIN};
	char err[200];
	snprintf(cfg.names[0], sizeof(cfg.names[0]), "free");
	snprintf(cfg.names[1], sizeof(cfg.names[1]), "pro");
	cfg.limits[0] = 10, cfg.limits[1] = 1000;
	if (rl_parse_analytics(body, len, &a, err, sizeof(err)) == 0) {
		rl_evaluate(&v, NULL, &a, &cfg);
		cJSON_Delete(rl_view_json(&v));
	}
}

int fuzz_api_json(const uint8_t *data, size_t size)
{
	static const struct health_thresholds th = {500, 300000, 1000, 120000, 5, 1, 300000, 5, 120000};
	struct parts pt;
	struct health_model m;
	char err[200], buf[64];
	parts_split(&pt, data, size, 1);
	health_model_init(&m);
	for (int round = 0; round < 2; round++) {
		for (int ep = 0; ep < HEP__COUNT; ep++) {
			size_t len;
			const char *body = part(&pt, ep, &len);
			health_feed(&m, (enum health_ep)ep, round ? 500 : 200, body, len, NULL, 1000 + round * 400000);
		}
		health_evaluate(&m, &th, 1000 + round * 400000);
		(void)health_api_word(&m, buf, sizeof(buf));
	}
	const double shown[] = {m.q.p50, m.q.p95, m.q.p99, m.q.avg, m.q.slowest_ms, m.detailed.database.latency_ms,
				m.detailed.redis.latency_ms, m.detailed.pgbouncer.latency_ms};
	for (size_t i = 0; i < ARRAY_LEN(shown); i++)
		health_fmt_ms(buf, sizeof(buf), shown[i]);
	for (int i = 0; i < m.detailed.nreplicas && i < HEALTH_MAX_REPLICAS; i++)
		health_fmt_ms(buf, sizeof(buf), m.detailed.replicas[i].lag_ms);
	size_t len;
	const char *body = part(&pt, 0, &len);
	struct health_status hs;
	struct health_queries hq;
	struct health_errors he;
	health_parse_status(body, len, &hs, err, sizeof(err));
	health_parse_queries(body, len, &hq, err, sizeof(err));
	health_parse_errors(body, len, &he, err, sizeof(err));
	body = part(&pt, HEP__COUNT, &len);
	feed_rl(body, len);
	parts_done(&pt);
	return 0;
}

/* ---- rate-limit counters in Redis: SCAN names (first line the cursor) \f MGET values
 * \f later values; a value line "(nil)" is a nil ---- */

static int lines(char *s, char ***out)
{
	int n = 0, cap = 0;
	*out = NULL;
	while (*s) {
		char *nl = strchr(s, '\n');
		if (nl)
			*nl = '\0';
		if (n == cap) {
			cap = cap ? cap * 2 : 16;
			*out = xrealloc(*out, sizeof(**out) * (size_t)cap);
		}
		(*out)[n++] = strcmp(s, "(nil)") ? s : NULL;
		if (!nl)
			break;
		s = nl + 1;
	}
	return n;
}

int fuzz_rl_redis(const uint8_t *data, size_t size)
{
	struct parts pt;
	struct rl_redis r;
	struct rl_view v;
	struct rl_config cfg = {.ntiers = 2, .near_pct = 80, .abuse_per_min = RL_ABUSE_PER_MIN};
	snprintf(cfg.names[0], sizeof(cfg.names[0]), "free");
	snprintf(cfg.names[1], sizeof(cfg.names[1]), "pro");
	cfg.limits[0] = 10, cfg.limits[1] = 1000;
	parts_split(&pt, data, size, 0);
	rl_redis_init(&r, "ratelimit:");
	r.minute = 29921954;

	char **names;
	int n = lines(pt.s[0], &names);
	if (n > 0) {
		rl_redis_scan(&r, names[0] ? names[0] : "0", (const char *const *)names + 1, n - 1);
		rl_redis_scan(&r, "0", NULL, 0);
	}
	for (int i = 0; i < n; i++) {
		char masked[40];
		if (names[i])
			rl_mask_key(names[i], masked, sizeof(masked));
	}
	free(names);
	for (int round = 1; round <= 2; round++) {
		const char *const *want;
		char **vals;
		int nw = rl_redis_names(&r, &want);
		int nv = round < pt.n ? lines(pt.s[round], &vals) : (vals = NULL, 0);
		const char **given = xcalloc((size_t)nw + 1, sizeof(*given));
		for (int i = 0; i < nw && i < nv; i++)
			given[i] = vals[i];
		rl_redis_values(&r, given, nw, 1000 + round * 40000);
		rl_evaluate(&v, &r, NULL, &cfg);
		cJSON_Delete(rl_view_json(&v));
		free(given);
		free(vals);
	}
	rl_redis_done(&r);
	parts_done(&pt);
	return 0;
}

/* ---- a redis:// URL ---- */

int fuzz_redis_url(const uint8_t *data, size_t size)
{
	char *url = copy(data, size);
	struct redis_url u;
	redis_url_parse(&u, url);
	redis_url_done(&u);
	free(url);
	return 0;
}

/* ---- secret masking: a DSN (first line) and a message that may quote it ---- */

int fuzz_mask(const uint8_t *data, size_t size)
{
	const uint8_t *nl = memchr(data, '\n', size);
	size_t dlen = nl ? (size_t)(nl - data) : size;
	char *dsn = copy(data, dlen);
	char *text = nl ? copy(nl + 1, size - dlen - 1) : xstrdup(dsn);
	free(mask_secrets(dsn));
	(void)has_secret(dsn);
	free(mask_secrets_in(text, dsn));
	free(text);
	free(dsn);
	return 0;
}

const struct fuzz_target fuzz_targets[] = {
	{"runbook", fuzz_runbook},     {"expect", fuzz_expect},       {"config", fuzz_config},
	{"pgbouncer", fuzz_pgbouncer}, {"pg_rows", fuzz_pg_rows},     {"redis_info", fuzz_redis_info},
	{"api_json", fuzz_api_json},   {"rl_redis", fuzz_rl_redis},   {"redis_url", fuzz_redis_url},
	{"mask", fuzz_mask},
};
const size_t fuzz_n_targets = ARRAY_LEN(fuzz_targets);

const struct fuzz_target *fuzz_target_find(const char *name)
{
	for (size_t i = 0; i < fuzz_n_targets; i++)
		if (!strcmp(fuzz_targets[i].name, name))
			return &fuzz_targets[i];
	return NULL;
}
