/* Cache panel: the one Redis, asked PING, INFO and DBSIZE in one pipelined batch per
 * refresh. One row per metric (the hit rate over the last interval first), each with its
 * own sparkline; the drill-down gives every value. */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "panels/cache_model.h"
#include "panels/panel.h"
#include "src/app.h"

enum metric { M_SERVER, M_HIT, M_HIT_TOTAL, M_OPS, M_MEMORY, M_KEYS, M_CLIENTS, M_PING, M_EXPIRED, M_EVICTED, M__COUNT };

static const char *const METRIC_NAMES[M__COUNT] = {
	"redis", "hit rate", "since start", "ops/s", "memory", "keys", "clients", "ping", "expired/s", "evicted/s",
};

struct cache_panel {
	struct panel base;
	struct cache_state s;
	int busy;
	enum src_state failed_as; /* the source's state when the last refresh failed */
	struct history hist[M__COUNT];
	char *dsn; /* masked: safe to show */
};

static const char *const ARGV_PING[] = {"PING"}, *const ARGV_INFO[] = {"INFO"}, *const ARGV_DBSIZE[] = {"DBSIZE"};
static const char *const *const BATCH[] = {ARGV_PING, ARGV_INFO, ARGV_DBSIZE};
static const int BATCH_ARGC[] = {1, 1, 1};

static struct cache_thresholds thresholds(const struct app *a)
{
	const double *o = a->cfg->opt;
	return (struct cache_thresholds){o[OPT_CACHE_HIT_WARN], o[OPT_CACHE_HIT_CRIT], o[OPT_CACHE_HIT_CRIT_FOR],
					 o[OPT_CACHE_MEMORY_WARN]};
}

static double data_age_ms(const struct cache_panel *p)
{
	return p->s.have_cur ? (double)(now_mono_ms() - p->s.cur.mono_ms) : NAN;
}

/* The values answer the latest refresh, or are recent enough to call current. (A one-poll
 * snapshot that waits for slower sources still prints its answer as current; a batch that
 * hangs makes them stale once the next refreshes go unanswered.) */
static int fresh(const struct cache_panel *p)
{
	double age = data_age_ms(p);
	return p->s.reachable == 1 && !isnan(age) &&
	       (p->s.cur.mono_ms >= p->base.app->last_poll_mono || age <= app_stale_after_ms(p->base.app));
}

static void record(struct cache_panel *p)
{
	struct cache_thresholds th = thresholds(p->base.app);
	cache_evaluate(&p->s, &th, now_mono_ms());
	const struct cache_sample *c = &p->s.cur;
	const struct cache_rates *r = &p->s.rates;
	int up = p->s.reachable == 1;
	double v[M__COUNT] = {NAN, r->hit_rate, r->hit_rate_total, r->ops_per_s, c->info.used_memory, c->dbsize,
			      c->info.connected_clients, c->ping_ms, r->expired_per_s, r->evicted_per_s};
	for (int i = 1; i < M__COUNT; i++)
		history_push(&p->hist[i], up ? v[i] : NAN);
	cache_report_alerts(&p->s, &p->base.app->alerts);
	app_changed(p->base.app);
}

static void copy_text(char *dst, size_t n, const redisReply *r)
{
	snprintf(dst, n, "%.*s", r && r->str ? (int)r->len : 0, r && r->str ? r->str : "");
}

static void on_batch(void *arg, redisReply **rep, int n, const char *error)
{
	struct cache_panel *p = arg;
	p->busy = 0;
	p->failed_as = redisconn_status(p->base.app->redis)->state;
	if (error || n != 3 || !rep[0] || !rep[1] || !rep[2]) {
		cache_fail(&p->s, error ? error : "incomplete answer");
		record(p);
		return;
	}
	struct cache_sample smp;
	memset(&smp, 0, sizeof(smp));
	smp.mono_ms = now_mono_ms();
	smp.ping_ms = redisconn_status(p->base.app->redis)->rtt_ms;
	copy_text(smp.ping, sizeof(smp.ping), rep[0]);
	smp.dbsize = rep[2]->type == REDIS_REPLY_INTEGER ? (double)rep[2]->integer : NAN;
	if (rep[1]->type != REDIS_REPLY_STRING || redis_info_parse(rep[1]->str, rep[1]->len, &smp.info) < 0) {
		char why[160], text[96];
		copy_text(text, sizeof(text), rep[1]);
		snprintf(why, sizeof(why), "unexpected answer to INFO%s%s", text[0] ? ": " : "", text);
		cache_fail(&p->s, why);
	} else {
		cache_observe(&p->s, &smp);
	}
	record(p);
}

static void cache_poll(struct panel *base)
{
	struct cache_panel *p = (struct cache_panel *)base;
	struct app *a = base->app;
	if (!a->redis || p->busy)
		return;
	p->busy = 1; /* cleared by on_batch, which may run before this returns */
	int rc = redisconn_batch(a->redis, 3, BATCH_ARGC, BATCH, on_batch, p);
	if (rc == RQ_STARTED)
		return;
	p->busy = 0;
	if (rc == RQ_BACKOFF) { /* still down: say so again, keep the history moving */
		const struct source_status *st = redisconn_status(a->redis);
		p->failed_as = st->state;
		cache_fail(&p->s, st->last_error ? st->last_error : "down");
		record(p);
	}
}

static int cache_busy(const struct panel *base) { return ((const struct cache_panel *)base)->busy; }

static const struct column COLS[] = {
	{"METRIC", 11, 0, 0}, {"VALUE", 10, 0, 1}, {"STATUS", 8, 0, 0},
	{"NOTE", 26, 2, 0},   {"THRESHOLD", 30, 3, 0}, {"HISTORY", 20, 1, 0},
};

static void server_cells(struct cache_panel *p, struct cell *c)
{
	const struct cache_state *s = &p->s;
	const struct source_status *st = redisconn_status(p->base.app->redis);
	char up[32];
	cache_duration(up, sizeof(up), s->cur.info.uptime_s * 1000);
	if (s->reachable == 0) {
		cell_set(&c[1], LV_CRIT, "%s", p->failed_as == SRC_TIMEOUT ? "timeout" : "down");
		cell_set(&c[2], LV_CRIT, "critical");
		cell_set(&c[3], LV_CRIT, "%s", s->error);
	} else if (s->reachable < 0) {
		cell_set(&c[1], LV_NONE, "%s", src_state_name(st->state));
		cell_set(&c[2], LV_NONE, "...");
		cell_set(&c[3], LV_NONE, "not answered yet");
	} else {
		int stale = !fresh(p); /* no fresh answer: do not claim all is well */
		cell_set(&c[1], stale ? LV_WARN : s->ping_level, "%s",
			 !stale ? "up" : redisconn_busy(p->base.app->redis) ? "waiting" : "stale");
		cell_set(&c[2], stale && s->level < LV_CRIT ? LV_WARN : s->level, "%s",
			 stale && s->level < LV_CRIT ? "stale" : level_name(s->level));
		cell_set(&c[3], LV_NONE, "%s %s, up %s", s->cur.info.version, s->cur.info.role, up);
	}
	cell_set(&c[4], LV_NONE, "down or no PONG = critical");
}

static void metric_cells(struct cache_panel *p, int m, struct cell *c, const struct cache_thresholds *th)
{
	const struct cache_state *s = &p->s;
	const struct cache_sample *cur = &s->cur;
	const struct redis_info *in = &cur->info;
	const struct cache_rates *r = &s->rates;
	char v[32] = "-", a[32], b[32], held[32], need[32];
	enum level lv = LV_NONE;
	cache_duration(need, sizeof(need), th->hit_crit_for_ms);
	fmt_bytes(b, sizeof(b), th->mem_warn);
	if (m == M_HIT)
		cell_set(&c[4], LV_NONE, "warn <%.0f%%, crit <%.0f%% for %s", th->hit_warn, th->hit_crit, need);
	else if (m == M_MEMORY)
		cell_set(&c[4], LV_NONE, "warn >%s", b);
	if (!s->have_cur) { /* nothing to show yet: no "nan" */
		cell_set(&c[1], LV_NONE, "-");
		return;
	}
	switch (m) {
	case M_HIT:
		cache_duration(held, sizeof(held), s->crit_held_ms);
		if (r->have && r->no_lookups)
			snprintf(v, sizeof(v), "no lookups");
		else
			cache_fmt_num(v, sizeof(v), r->hit_rate, 1, 1);
		lv = s->hit_level;
		if (s->hit_pending)
			cell_set(&c[3], LV_WARN, "crit pending %s of %s", held, need);
		else if (s->hit_held)
			cell_set(&c[3], LV_NONE, "held: last rate %.1f%%", s->judged_rate);
		else if (r->have)
			cell_set(&c[3], LV_NONE, "%.0f hits, %.0f misses in %.1fs", r->hits, r->misses, r->interval_s);
		else
			cell_set(&c[3], LV_NONE, "%s", r->reset ? "counters reset: new baseline" : "needs a second sample");
		break;
	case M_HIT_TOTAL:
		cache_fmt_num(v, sizeof(v), r->hit_rate_total, 1, 1);
		cell_set(&c[3], LV_NONE, "%.0f hits, %.0f misses", in->keyspace_hits, in->keyspace_misses);
		break;
	case M_OPS:
		cache_fmt_num(v, sizeof(v), isnan(r->ops_per_s) ? in->instantaneous_ops_per_sec : r->ops_per_s, 1, 0);
		cell_set(&c[3], LV_NONE, "instantaneous %.0f", in->instantaneous_ops_per_sec);
		break;
	case M_MEMORY:
		if (!isnan(in->used_memory))
			fmt_bytes(v, sizeof(v), in->used_memory);
		lv = s->mem_level;
		fmt_bytes(a, sizeof(a), in->maxmemory);
		if (in->maxmemory > 0)
			cell_set(&c[3], LV_NONE, "%.0f%% of %s, %s", 100 * in->used_memory / in->maxmemory, a, in->maxmemory_policy);
		else
			cell_set(&c[3], LV_NONE, "no maxmemory, %s", in->maxmemory_policy[0] ? in->maxmemory_policy : "?");
		break;
	case M_KEYS:
		cache_fmt_num(v, sizeof(v), cur->dbsize, 0, 0);
		if (in->ndb)
			cell_set(&c[3], LV_NONE, "db%d: %.0f keys, %.0f with TTL%s", in->db[0].db, in->db[0].keys,
				 in->db[0].expires, in->ndb > 1 ? ", ..." : "");
		break;
	case M_CLIENTS:
		cache_fmt_num(v, sizeof(v), in->connected_clients, 0, 0);
		cell_set(&c[3], LV_NONE, "%.0f blocked, max %.0f", in->blocked_clients, in->maxclients);
		break;
	case M_PING:
		cache_fmt_latency(v, sizeof(v), cur->ping_ms);
		lv = s->ping_level;
		cell_set(&c[3], lv >= LV_CRIT ? LV_CRIT : LV_NONE, "%s, %u connection(s)", cur->ping,
			 redisconn_status(p->base.app->redis)->connects);
		break;
	case M_EXPIRED:
		cache_fmt_num(v, sizeof(v), r->expired_per_s, 1, 0);
		cell_set(&c[3], LV_NONE, "%.0f since start", in->expired_keys);
		break;
	case M_EVICTED:
		cache_fmt_num(v, sizeof(v), r->evicted_per_s, 1, 0);
		cell_set(&c[3], LV_NONE, "%.0f since start", in->evicted_keys);
		break;
	}
	cell_set(&c[1], lv, "%s", v);
	if (!fresh(p)) /* the last known value: say so in words, not only by dimming */
		cell_set(&c[2], LV_NONE, "stale");
	else
		cell_set(&c[2], lv, "%s", lv == LV_NONE ? "" : level_name(lv));
}

static void set_summary(struct table *t, enum level lv, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void set_summary(struct table *t, enum level lv, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(t->summary, sizeof(t->summary), fmt, ap);
	va_end(ap);
	t->summary_level = lv;
}

static void cache_fill(struct panel *base, struct table *t)
{
	struct cache_panel *p = (struct cache_panel *)base;
	struct app *a = base->app;
	table_init(t, COLS, (int)ARRAY_LEN(COLS));
	t->empty_text = "Redis is not configured: add redis = redis://host:port/db to the config.";
	if (!a->redis)
		return;
	struct cache_thresholds th = thresholds(a);
	const struct cache_state *s = &p->s;
	const struct source_status *st = redisconn_status(a->redis);
	if (s->reachable == 0)
		set_summary(t, LV_CRIT, "%s: %s, retrying - %s", p->dsn, src_state_name(st->state), s->error);
	else if (s->reachable < 0)
		set_summary(t, LV_NONE, "%s: %s", p->dsn, src_state_name(st->state));
	else /* stale: the last answer's "all ok" is no news; say what is known */
		set_summary(t, s->level, "%s: %s, Redis %s %s - %s", p->dsn, fresh(p) ? "up" : "stale",
			    s->cur.info.version, s->cur.info.role,
			    s->reason[0] ? s->reason : fresh(p) ? "all ok" : "no answer since the last refresh");
	int stale = !fresh(p);
	for (int m = 0; m < M__COUNT; m++) {
		struct table_row *row = table_add_row(t);
		cell_set(&row->cells[0], LV_NONE, "%s", METRIC_NAMES[m]);
		if (m == M_SERVER)
			server_cells(p, row->cells);
		else
			metric_cells(p, m, row->cells, &th);
		row->stale = m != M_SERVER && stale;
		row->level = m == M_SERVER ? s->level : row->cells[2].level;
		row->spark = m == M_SERVER ? NULL : &p->hist[m];
	}
}

static void add_kv(struct sbuf *out, const char *k, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void add_kv(struct sbuf *out, const char *k, const char *fmt, ...)
{
	char buf[256];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	sbuf_addf(out, "%-22s %s\n", k, buf[0] ? buf : "-");
}

/* Every value, in lines short enough not to wrap at 80 columns; the selected row's runbook
 * first. The status line carries the reason (the why of the worst condition). */
static void cache_detail(struct panel *base, int row, struct sbuf *out)
{
	struct cache_panel *p = (struct cache_panel *)base;
	if (!base->app->redis || row < 0 || row >= M__COUNT)
		return;
	struct cache_thresholds th = thresholds(base->app);
	const struct cache_state *s = &p->s;
	const struct cache_sample *c = &s->cur;
	const struct redis_info *in = &c->info;
	const struct cache_rates *r = &s->rates;
	const struct source_status *st = redisconn_status(base->app->redis);
	const char *rb = row == M_HIT || row == M_HIT_TOTAL ? "RB-11" : row == M_MEMORY || row == M_KEYS ? "RB-13"
						       : s->level >= LV_WARN ? "RB-12" : NULL;
	char a[32], b[32], d[32];
	if (rb)
		add_kv(out, "runbook", "%s %s", rb, runbook_title(rb));
	add_kv(out, "status", "%s", level_name(s->level));
	if (s->reason[0])
		add_kv(out, "why", "%s", s->reason);
	add_kv(out, "redis", "%s, %s, %u connection%s opened", p->dsn, src_state_name(st->state), st->connects,
	       st->connects == 1 ? "" : "s");
	if (!s->have_cur)
		return;
	cache_duration(a, sizeof(a), in->uptime_s * 1000);
	add_kv(out, "server", "Redis %s %s %s, up %s", in->version, in->mode, in->role, a);
	fmt_age(d, sizeof(d), data_age_ms(p));
	add_kv(out, "data age", "%s%s", d, fresh(p) ? "" : ": STALE, these are the last known values");
	cache_fmt_latency(a, sizeof(a), c->ping_ms);
	add_kv(out, "ping", "%s in %s (PING+INFO+DBSIZE round trip)", c->ping, a);
	if (r->have && r->no_lookups)
		add_kv(out, "hit rate (interval)", "no lookups in %.1fs", r->interval_s);
	else if (r->have)
		add_kv(out, "hit rate (interval)", "%.1f%% over %.1fs: %.0f hits, %.0f misses", r->hit_rate, r->interval_s,
		       r->hits, r->misses);
	else
		add_kv(out, "hit rate (interval)", "%s", r->reset ? "counters reset (restart?): new baseline"
								 : "unknown until a second sample");
	add_kv(out, "hit rate (since start)", "%.1f%%: %.0f hits, %.0f misses", r->hit_rate_total, in->keyspace_hits,
	       in->keyspace_misses);
	add_kv(out, "ops/s", "%.1f over the interval, %.0f instantaneous", r->ops_per_s, in->instantaneous_ops_per_sec);
	add_kv(out, "clients", "%.0f connected, %.0f blocked, max %.0f", in->connected_clients, in->blocked_clients,
	       in->maxclients);
	fmt_bytes(a, sizeof(a), in->used_memory_rss);
	fmt_bytes(b, sizeof(b), in->used_memory_peak);
	add_kv(out, "used memory", "%s, peak %s, rss %s, fragmentation %.2f", in->used_memory_human, b, a,
	       in->mem_fragmentation_ratio);
	add_kv(out, "maxmemory", "%s, policy %s", in->maxmemory > 0 ? in->maxmemory_human : "none",
	       in->maxmemory_policy);
	add_kv(out, "keys", "%.0f (DBSIZE)%s", c->dbsize, in->ndb ? "" : ", keyspace empty");
	for (int i = 0; i < in->ndb; i++) {
		cache_duration(a, sizeof(a), in->db[i].avg_ttl_ms);
		add_kv(out, i ? "" : "keyspace", "db%d: %.0f keys, %.0f with TTL, avg TTL %s", in->db[i].db,
		       in->db[i].keys, in->db[i].expires, a);
	}
	add_kv(out, "expired, evicted", "%.1f/s, %.1f/s (%.0f, %.0f since start)", r->expired_per_s, r->evicted_per_s,
	       in->expired_keys, in->evicted_keys);
	fmt_bytes(a, sizeof(a), th.mem_warn);
	cache_duration(b, sizeof(b), th.hit_crit_for_ms);
	add_kv(out, "thresholds", "hit <%.0f%% warn, <%.0f%% %s crit; mem >%s", th.hit_warn, th.hit_crit, b, a);
}

static cJSON *cache_json(struct panel *base)
{
	struct cache_panel *p = (struct cache_panel *)base;
	struct app *a = base->app;
	cJSON *o = cJSON_CreateObject();
	if (!a->redis) {
		cJSON_AddStringToObject(o, "source", "not configured");
		cJSON_AddStringToObject(o, "status", "none");
		return o;
	}
	const struct cache_state *s = &p->s;
	const struct cache_sample *c = &s->cur;
	const struct redis_info *in = &c->info;
	const struct cache_rates *r = &s->rates;
	const struct source_status *st = redisconn_status(a->redis);
	struct cache_thresholds th = thresholds(a);
	int k = fresh(p); /* values only from a current answer: null when down or stale */
	const char *why = NULL;
	enum level lv = base->cls->level(base, &why);
	cJSON_AddStringToObject(o, "status", level_name(lv));
	json_str(o, "reason", why);
	cJSON_AddStringToObject(o, "source", src_state_name(st->state));
	json_str(o, "error", s->reachable == 0 ? s->error : NULL);
	cJSON_AddStringToObject(o, "redis", p->dsn);
	cJSON_AddBoolToObject(o, "reachable", s->reachable == 1);
	cJSON_AddBoolToObject(o, "stale", s->have_cur && !k);
	json_num(o, "data_age_ms", s->have_cur ? data_age_ms(p) : NAN);
	cJSON_AddNumberToObject(o, "connects", st->connects);
	const struct { const char *key, *v; } strs[] = {
		{"ping", c->ping}, {"redis_version", in->version}, {"redis_mode", in->mode}, {"role", in->role},
		{"used_memory_human", in->used_memory_human}, {"maxmemory_policy", in->maxmemory_policy}};
	for (size_t i = 0; i < ARRAY_LEN(strs); i++)
		json_str(o, strs[i].key, k ? strs[i].v : NULL);
	const struct { const char *key; double v; } nums[] = {
		{"ping_ms", c->ping_ms}, {"uptime_s", in->uptime_s}, {"hit_rate_pct", r->hit_rate},
		{"interval_s", r->interval_s}, {"interval_hits", r->hits}, {"interval_misses", r->misses},
		{"hit_rate_since_start_pct", r->hit_rate_total}, {"keyspace_hits", in->keyspace_hits},
		{"keyspace_misses", in->keyspace_misses}, {"ops_per_sec", r->ops_per_s},
		{"instantaneous_ops_per_sec", in->instantaneous_ops_per_sec},
		{"total_commands_processed", in->total_commands_processed}, {"connected_clients", in->connected_clients},
		{"blocked_clients", in->blocked_clients}, {"used_memory", in->used_memory},
		{"used_memory_rss", in->used_memory_rss}, {"used_memory_peak", in->used_memory_peak},
		{"mem_fragmentation_ratio", in->mem_fragmentation_ratio}, {"maxmemory", in->maxmemory},
		{"keys", c->dbsize}, {"expired_keys", in->expired_keys}, {"expired_per_sec", r->expired_per_s},
		{"evicted_keys", in->evicted_keys}, {"evicted_per_sec", r->evicted_per_s}};
	for (size_t i = 0; i < ARRAY_LEN(nums); i++)
		json_num(o, nums[i].key, k ? nums[i].v : NAN);
	cJSON_AddBoolToObject(o, "no_lookups", k && r->have && r->no_lookups);
	cJSON_AddBoolToObject(o, "counters_reset", k && r->reset);
	cJSON_AddStringToObject(o, "hit_rate_status", level_name(s->hit_level));
	cJSON_AddBoolToObject(o, "hit_rate_critical_pending", s->hit_pending);
	json_num(o, "hit_rate_below_critical_for_ms", s->crit_held_ms > 0 ? s->crit_held_ms : NAN);
	cJSON_AddStringToObject(o, "memory_status", level_name(s->mem_level));
	cJSON *ks = cJSON_AddArrayToObject(o, "keyspace");
	for (int i = 0; k && i < in->ndb; i++) {
		cJSON *d = cJSON_CreateObject();
		cJSON_AddNumberToObject(d, "db", in->db[i].db);
		json_num(d, "keys", in->db[i].keys);
		json_num(d, "expires", in->db[i].expires);
		json_num(d, "avg_ttl_ms", in->db[i].avg_ttl_ms);
		cJSON_AddItemToArray(ks, d);
	}
	cJSON *t = cJSON_AddObjectToObject(o, "thresholds");
	cJSON_AddNumberToObject(t, "hit_rate_warn_pct", th.hit_warn);
	cJSON_AddNumberToObject(t, "hit_rate_critical_pct", th.hit_crit);
	cJSON_AddNumberToObject(t, "hit_rate_critical_for_ms", th.hit_crit_for_ms);
	cJSON_AddNumberToObject(t, "used_memory_warn", th.mem_warn);
	return o;
}

static enum level cache_level(const struct panel *base, const char **why)
{
	const struct cache_panel *p = (const struct cache_panel *)base;
	if (why)
		*why = p->s.reason[0] ? p->s.reason : NULL;
	return base->app->redis ? p->s.level : LV_NONE;
}

static void cache_text(struct panel *base, struct sbuf *out)
{
	struct table t;
	cache_fill(base, &t);
	if (t.summary[0])
		sbuf_addf(out, "%s\n", t.summary);
	if (!t.nrows)
		sbuf_addf(out, "%s\n", t.empty_text);
	else
		sbuf_addf(out, "%-11s %10s %-8s %s\n", "METRIC", "VALUE", "STATUS", "NOTE");
	for (int i = 0; i < t.nrows; i++) {
		const struct cell *c = t.rows[i].cells;
		sbuf_addf(out, "%-11s %10s %-8s %s\n", c[0].text, c[1].text, c[2].text, c[3].text);
	}
	table_done(&t);
}

static struct panel *cache_create(const struct panel_class *cls, struct app *a)
{
	struct cache_panel *p = xcalloc(1, sizeof(*p));
	p->base.cls = cls;
	p->base.app = a;
	cache_state_init(&p->s);
	p->dsn = a->cfg->redis.dsn ? mask_secrets(a->cfg->redis.dsn) : xstrdup("redis");
	int hist = (int)(a->cfg->opt[OPT_HISTORY] / (a->refresh_ms > 0 ? a->refresh_ms : 1000)) + 1;
	for (int i = 0; i < M__COUNT; i++)
		history_init(&p->hist[i], hist);
	return &p->base;
}

static void cache_destroy(struct panel *base)
{
	struct cache_panel *p = (struct cache_panel *)base;
	for (int i = 0; i < M__COUNT; i++)
		history_done(&p->hist[i]);
	free(p->dsn);
	free(p);
}

static void cache_samples(struct panel *base, void (*emit)(void *, const char *, double, const char *), void *ctx)
{
	struct cache_panel *p = (struct cache_panel *)base;
	if (!p->s.have_cur || p->s.reachable != 1)
		return;
	emit(ctx, "hit_rate_pct", p->s.rates.hit_rate, "%");
	emit(ctx, "hit_rate_total_pct", p->s.rates.hit_rate_total, "%");
	emit(ctx, "used_memory", p->s.cur.info.used_memory, "bytes");
	emit(ctx, "keys", p->s.cur.dbsize, "keys");
	emit(ctx, "ops_per_s", p->s.rates.ops_per_s, "1/s");
	emit(ctx, "evicted_per_s", p->s.rates.evicted_per_s, "1/s");
	emit(ctx, "ping_ms", p->s.cur.ping_ms, "ms");
}

const struct panel_class cache_class = {
	.name = "cache",
	.title = "Cache",
	.create = cache_create,
	.destroy = cache_destroy,
	.poll = cache_poll,
	.busy = cache_busy,
	.fill = cache_fill,
	.detail = cache_detail,
	.json = cache_json,
	.level = cache_level,
	.text = cache_text,
	.samples = cache_samples,
};
