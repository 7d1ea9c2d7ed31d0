/* Replicas panel: the primary's view (slots, walsenders, LSNs, lags) joined with each
 * configured standby's own view (in recovery, replay delay, its WAL receiver's slot). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "panels/panel.h"
#include "panels/replicas_model.h"
#include "src/app.h"

struct standby_ctx {
	struct replicas_panel *p;
	int i;
};

struct replicas_panel {
	struct panel base;
	int n;
	struct replica *r;
	struct standby_ctx *ctx;
	int *standby_busy;
	int64_t *standby_ok_mono; /* when each standby last answered */
	struct repl_primary primary;
	int have_primary, primary_busy;
	int64_t primary_ok_mono;
	char primary_error[160];
};

static struct repl_thresholds thresholds(const struct app *a)
{
	const double *o = a->cfg->opt;
	return (struct repl_thresholds){o[OPT_REPLICA_LAG_WARN], o[OPT_REPLICA_LAG_HIGH],
					o[OPT_REPLICA_LAG_HIGH_FOR], o[OPT_REPLICA_LAG_CRIT],
					o[OPT_REPLICA_LAG_CRIT_FOR]};
}

static int primary_fresh(const struct replicas_panel *p)
{
	return p->have_primary &&
	       (double)(now_mono_ms() - p->primary_ok_mono) <= app_stale_after_ms(p->base.app) * 2;
}

/* Which runbook handles what is wrong with a replica (seed 001). */
static const char *replica_runbook(const struct replica *r)
{
	if (strstr(r->reason, "unreachable") || r->level >= LV_CRIT)
		return strstr(r->reason, "not streaming") ? "RB-3" : "RB-22";
	return "RB-1";
}

static void report_alerts(struct replicas_panel *p)
{
	struct app *a = p->base.app;
	char id[96];
	if (a->primary)
		alerts_set(&a->alerts, "primary.down", "replicas", p->primary_error[0] ? ALERT_FIRING : ALERT_OK, LV_CRIT,
			   p->primary_error, "RB-20");
	for (int i = 0; i < p->n; i++) {
		const struct replica *r = &p->r[i];
		enum alert_state st = r->level >= LV_WARN ? ALERT_FIRING : ALERT_OK;
		snprintf(id, sizeof(id), "replica.%.64s", r->name);
		alerts_set(&a->alerts, id, "replicas", st, r->level >= LV_WARN ? r->level : LV_WARN, r->reason,
			   replica_runbook(r));
	}
}

static void evaluate_all(struct replicas_panel *p)
{
	struct repl_thresholds th = thresholds(p->base.app);
	int64_t now = now_mono_ms();
	repl_infer_slots(p->r, p->n, primary_fresh(p) ? &p->primary : NULL);
	/* the primary is missed once it failed or went stale, not before its first answer: at
	 * start a replica often answers first, and a warning for that would be a false alert */
	int primary_missed = p->base.app->primary != NULL && (p->primary_error[0] || p->have_primary);
	for (int i = 0; i < p->n; i++)
		replica_evaluate(&p->r[i], primary_fresh(p) ? &p->primary : NULL, primary_missed, &th, now);
	report_alerts(p);
}

static void on_primary(void *arg, struct rowset *res, int nres, const char *error)
{
	struct replicas_panel *p = arg;
	p->primary_busy = 0;
	if (!error && nres == 1) {
		struct repl_primary fresh;
		if (repl_parse_primary(&res[0], &fresh) == 0) {
			repl_primary_done(&p->primary);
			p->primary = fresh;
			p->have_primary = 1;
			p->primary_ok_mono = now_mono_ms();
			p->primary_error[0] = '\0';
		} else {
			snprintf(p->primary_error, sizeof(p->primary_error), "unexpected reply to the replication query");
		}
	} else {
		snprintf(p->primary_error, sizeof(p->primary_error), "%s", error ? error : "no result");
	}
	evaluate_all(p);
	app_changed(p->base.app);
}

static void on_standby(void *arg, struct rowset *res, int nres, const char *error)
{
	struct standby_ctx *ctx = arg;
	struct replicas_panel *p = ctx->p;
	struct replica *r = &p->r[ctx->i];
	p->standby_busy[ctx->i] = 0;
	if (!error && nres == 1 && repl_parse_standby(&res[0], &r->sb) == 0) {
		r->reachable = 1;
		r->have_standby = 1;
		r->error[0] = '\0';
		p->standby_ok_mono[ctx->i] = now_mono_ms();
	} else {
		r->reachable = 0;
		snprintf(r->error, sizeof(r->error), "%s", error ? error : "unexpected reply");
	}
	evaluate_all(p);
	history_push(&r->lag_hist, r->reachable == 1 ? r->lag_ms : NAN);
	app_changed(p->base.app);
}

static void note_not_polled(struct replicas_panel *p, int i, int rc)
{
	if (rc != PGQ_BACKOFF)
		return;
	const struct source_status *st = pgconn_status(p->base.app->replicas[i]);
	struct replica *r = &p->r[i];
	r->reachable = 0;
	snprintf(r->error, sizeof(r->error), "%s", st->last_error ? st->last_error : "down");
	history_push(&r->lag_hist, NAN);
}

static void replicas_poll(struct panel *base)
{
	struct replicas_panel *p = (struct replicas_panel *)base;
	struct app *a = base->app;
	if (a->primary && !p->primary_busy) {
		p->primary_busy = 1; /* cleared by on_primary, which may run before this returns */
		int rc = pgconn_query(a->primary, REPL_PRIMARY_SQL, 0, NULL, on_primary, p);
		if (rc != PGQ_STARTED)
			p->primary_busy = 0;
		if (rc == PGQ_BACKOFF) {
			const struct source_status *st = pgconn_status(a->primary);
			snprintf(p->primary_error, sizeof(p->primary_error), "%s",
				 st->last_error ? st->last_error : "down");
		}
	}
	for (int i = 0; i < p->n; i++) {
		if (p->standby_busy[i])
			continue;
		p->standby_busy[i] = 1;
		int rc = pgconn_query(a->replicas[i], REPL_STANDBY_SQL, 0, NULL, on_standby, &p->ctx[i]);
		if (rc != PGQ_STARTED) {
			p->standby_busy[i] = 0;
			note_not_polled(p, i, rc);
		}
	}
	evaluate_all(p);
}

static int replicas_busy(const struct panel *base)
{
	const struct replicas_panel *p = (const struct replicas_panel *)base;
	if (p->primary_busy)
		return 1;
	for (int i = 0; i < p->n; i++)
		if (p->standby_busy[i])
			return 1;
	return 0;
}

static struct panel *replicas_create(const struct panel_class *cls, struct app *a);
static void replicas_destroy(struct panel *base);

static const struct column COLS[] = {
	{"REPLICA", 10, 0, 0},   {"STATUS", 8, 0, 0},     {"STATE", 10, 0, 0},
	{"LAG", 8, 0, 1},        {"BYTES", 9, 1, 1},      {"REACH", 7, 0, 0},
	{"RECOVERY", 8, 2, 0},   {"SLOT", 16, 1, 0},      {"ACTIVE", 6, 2, 0},
	{"CLIENT", 16, 3, 0},    {"APP", 20, 5, 0},       {"SENT LSN", 11, 5, 1},
	{"WRITE LSN", 11, 6, 1}, {"FLUSH LSN", 11, 6, 1}, {"REPLAY LSN", 11, 5, 1},
	{"W/F LAG", 13, 7, 1},   {"AGE", 6, 4, 1},        {"LAG HISTORY", 24, 3, 0},
};

static double row_age_ms(const struct replicas_panel *p, int i)
{
	int64_t a = p->standby_ok_mono[i];
	int64_t b = p->base.app->primary ? p->primary_ok_mono : a;
	int64_t oldest = a < b ? a : b;
	return oldest ? (double)(now_mono_ms() - oldest) : NAN;
}

static void fill_row(struct replicas_panel *p, int i, struct table_row *row)
{
	struct replica *r = &p->r[i];
	struct cell *c = row->cells;
	char buf[32], buf2[32];
	double age = row_age_ms(p, i);
	row->level = r->level;
	row->stale = isnan(age) || age > app_stale_after_ms(p->base.app);
	row->spark = &r->lag_hist;
	cell_set(&c[0], LV_NONE, "%s", r->name);
	if (row->stale && r->level < LV_CRIT) /* no fresh answer: do not claim all is well */
		cell_set(&c[1], LV_WARN, "stale");
	else
		cell_set(&c[1], r->level, "%s", level_name(r->level));
	cell_set(&c[2], r->matched && !strcmp(r->snd.state, "streaming") ? LV_OK : (p->have_primary ? LV_CRIT : LV_NONE),
		 "%s", r->matched ? r->snd.state : (p->have_primary ? "missing" : "?"));
	if (!r->matched && r->reachable != 1)
		snprintf(buf, sizeof(buf), "-"); /* nobody to ask: no number rather than 0 */
	else
		fmt_duration_ms(buf, sizeof(buf), r->lag_ms);
	cell_set(&c[3], r->lag_ms >= p->base.app->cfg->opt[OPT_REPLICA_LAG_WARN] ? LV_WARN : LV_OK, "%s", buf);
	if (r->matched && !isnan(r->snd.replay_lag_bytes))
		fmt_bytes(buf, sizeof(buf), r->snd.replay_lag_bytes);
	else
		snprintf(buf, sizeof(buf), "-");
	cell_set(&c[4], LV_NONE, "%s", buf);
	const struct source_status *st = pgconn_status(p->base.app->replicas[i]);
	if (r->reachable == 1 && row->stale && pgconn_busy(p->base.app->replicas[i]))
		cell_set(&c[5], LV_WARN, "waiting");
	else
		cell_set(&c[5], r->reachable == 1 ? LV_OK : r->reachable == 0 ? LV_CRIT : LV_NONE, "%s",
			 r->reachable == 1 ? "yes" : r->reachable == 0 ? (st->state == SRC_TIMEOUT ? "timeout" : "no") : "...");
	cell_set(&c[6], r->have_standby && r->reachable == 1 ? (r->sb.in_recovery ? LV_OK : LV_CRIT) : LV_NONE, "%s",
		 r->have_standby && r->reachable == 1 ? (r->sb.replay_paused == 1 ? "paused" : r->sb.in_recovery ? "yes" : "NO") : "-");
	if (r->snd.slot[0] && !r->known_slot[0] && r->inferred_slot[0])
		cell_set(&c[7], LV_NONE, "%s?", r->snd.slot);
	else
		cell_set(&c[7], LV_NONE, "%s", r->snd.slot[0] ? r->snd.slot : (r->known_slot[0] ? r->known_slot : "-"));
	cell_set(&c[8], r->snd.slot_active == 0 ? LV_WARN : LV_NONE, "%s",
		 r->snd.slot_active == 1 ? "yes" : r->snd.slot_active == 0 ? "no" : "-");
	cell_set(&c[9], LV_NONE, "%s", r->matched ? r->snd.client_addr : "-");
	cell_set(&c[10], LV_NONE, "%s", r->matched ? r->snd.app : "-");
	cell_set(&c[11], LV_NONE, "%s", r->matched ? r->snd.sent_lsn : "-");
	cell_set(&c[12], LV_NONE, "%s", r->matched ? r->snd.write_lsn : "-");
	cell_set(&c[13], LV_NONE, "%s", r->matched ? r->snd.flush_lsn : "-");
	cell_set(&c[14], LV_NONE, "%s", r->matched ? r->snd.replay_lsn : (r->have_standby ? r->sb.replay_lsn : "-"));
	fmt_duration_ms(buf, sizeof(buf), r->matched && !isnan(r->snd.write_lag_ms) ? r->snd.write_lag_ms : 0);
	fmt_duration_ms(buf2, sizeof(buf2), r->matched && !isnan(r->snd.flush_lag_ms) ? r->snd.flush_lag_ms : 0);
	cell_set(&c[15], LV_NONE, "%s/%s", buf, buf2);
	fmt_age(buf, sizeof(buf), age);
	cell_set(&c[16], row->stale ? LV_WARN : LV_NONE, "%s", buf);
	cell_set(&c[17], LV_NONE, "%s", "");
}

static void replicas_fill(struct panel *base, struct table *t)
{
	struct replicas_panel *p = (struct replicas_panel *)base;
	struct app *a = base->app;
	table_init(t, COLS, (int)ARRAY_LEN(COLS));
	t->empty_text = "No replicas configured: add replica.NAME = <conninfo> lines to the config.";
	if (!a->primary) {
		snprintf(t->summary, sizeof(t->summary), "primary: not configured");
		t->summary_level = LV_NONE;
	} else if (p->primary_error[0] || !p->have_primary) {
		const struct source_status *st = pgconn_status(a->primary);
		snprintf(t->summary, sizeof(t->summary), "primary: %s%s%s", src_state_name(st->state),
			 p->primary_error[0] ? " - " : "", p->primary_error);
		t->summary_level = p->primary_error[0] ? LV_CRIT : LV_NONE;
	} else {
		int streaming = 0;
		for (int i = 0; i < p->n; i++)
			streaming += p->r[i].matched && !strcmp(p->r[i].snd.state, "streaming");
		snprintf(t->summary, sizeof(t->summary), "primary: up%s, WAL at %s; %d of %d replicas streaming",
			 p->primary.in_recovery ? " BUT IN RECOVERY" : "", p->primary.current_lsn[0] ? p->primary.current_lsn : "?",
			 streaming, p->n);
		t->summary_level = p->primary.in_recovery || streaming < p->n ? LV_CRIT : LV_OK;
	}
	for (int i = 0; i < p->n; i++)
		fill_row(p, i, table_add_row(t));
}

static void add_kv(struct sbuf *out, const char *k, const char *v)
{
	sbuf_addf(out, "%-22s %s\n", k, v && *v ? v : "-");
}

static void replicas_detail(struct panel *base, int i, struct sbuf *out)
{
	struct replicas_panel *p = (struct replicas_panel *)base;
	if (i < 0 || i >= p->n)
		return;
	struct replica *r = &p->r[i];
	char buf[96];
	add_kv(out, "replica", r->name);
	add_kv(out, "status", level_name(r->level));
	add_kv(out, "why", r->reason);
	add_kv(out, "reachable", r->reachable == 1 ? "yes" : r->reachable == 0 ? r->error : "not asked yet");
	if (r->have_standby) {
		add_kv(out, "in recovery", r->sb.in_recovery ? "yes" : "NO");
		add_kv(out, "replay paused", r->sb.replay_paused == 1 ? "YES" : "no");
		snprintf(buf, sizeof(buf), "%s / %s", r->sb.receive_lsn, r->sb.replay_lsn);
		add_kv(out, "received / replayed", buf);
		fmt_duration_ms(buf, sizeof(buf), r->sb.replay_delay_ms);
		add_kv(out, "replay delay", buf);
		add_kv(out, "last replayed xact", r->sb.replay_ts);
		add_kv(out, "wal receiver", r->sb.receiver_status);
		add_kv(out, "receiver slot", r->sb.slot);
	}
	if (r->matched) {
		add_kv(out, "walsender state", r->snd.state);
		add_kv(out, "sync state", r->snd.sync_state);
		snprintf(buf, sizeof(buf), "%s:%d", r->snd.client_addr, r->snd.client_port);
		add_kv(out, "client", buf);
		add_kv(out, "application_name", r->snd.app);
		snprintf(buf, sizeof(buf), "%s / %s / %s", r->snd.sent_lsn, r->snd.write_lsn, r->snd.flush_lsn);
		add_kv(out, "sent/write/flush", buf);
		add_kv(out, "replay lsn", r->snd.replay_lsn);
		fmt_bytes(buf, sizeof(buf), r->snd.slot_retained_bytes);
		add_kv(out, "WAL kept by slot", isnan(r->snd.slot_retained_bytes) ? "-" : buf);
	} else {
		add_kv(out, "walsender", "none on the primary");
	}
}

static cJSON *replica_json(struct replicas_panel *p, int i)
{
	struct replica *r = &p->r[i];
	const struct source_status *st = pgconn_status(p->base.app->replicas[i]);
	cJSON *o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "name", r->name);
	cJSON_AddStringToObject(o, "status", level_name(r->level));
	cJSON_AddStringToObject(o, "reason", r->reason);
	cJSON_AddStringToObject(o, "source", src_state_name(st->state));
	cJSON_AddBoolToObject(o, "reachable", r->reachable == 1);
	json_str(o, "error", r->reachable == 0 ? r->error : NULL);
	if (r->have_standby && r->reachable == 1) {
		cJSON_AddBoolToObject(o, "in_recovery", r->sb.in_recovery);
		cJSON_AddBoolToObject(o, "replay_paused", r->sb.replay_paused == 1);
		json_num(o, "replay_delay_ms", r->sb.replay_delay_ms);
		json_str(o, "receiver_slot", r->sb.slot);
	} else {
		cJSON_AddNullToObject(o, "in_recovery");
	}
	json_str(o, "state", r->matched ? r->snd.state : NULL);
	json_str(o, "slot_name", r->snd.slot[0] ? r->snd.slot : r->known_slot);
	if (r->snd.slot_active >= 0)
		cJSON_AddBoolToObject(o, "slot_active", r->snd.slot_active == 1);
	else
		cJSON_AddNullToObject(o, "slot_active");
	json_str(o, "client_addr", r->matched ? r->snd.client_addr : NULL);
	json_str(o, "application_name", r->matched ? r->snd.app : NULL);
	json_str(o, "sent_lsn", r->matched ? r->snd.sent_lsn : NULL);
	json_str(o, "write_lsn", r->matched ? r->snd.write_lsn : NULL);
	json_str(o, "flush_lsn", r->matched ? r->snd.flush_lsn : NULL);
	json_str(o, "replay_lsn", r->matched ? r->snd.replay_lsn : NULL);
	json_num(o, "lag_bytes", r->matched ? r->snd.replay_lag_bytes : NAN);
	json_num(o, "write_lag_ms", r->matched ? r->snd.write_lag_ms : NAN);
	json_num(o, "flush_lag_ms", r->matched ? r->snd.flush_lag_ms : NAN);
	json_num(o, "replay_lag_ms", r->matched ? r->snd.replay_lag_ms : NAN);
	cJSON_AddNumberToObject(o, "lag_ms", r->lag_ms);
	json_num(o, "data_age_ms", row_age_ms(p, i));
	return o;
}

static cJSON *replicas_json(struct panel *base)
{
	struct replicas_panel *p = (struct replicas_panel *)base;
	struct app *a = base->app;
	cJSON *o = cJSON_CreateObject();
	cJSON *prim = cJSON_AddObjectToObject(o, "primary");
	if (!a->primary) {
		cJSON_AddStringToObject(prim, "source", "not configured");
	} else {
		cJSON_AddStringToObject(prim, "source", src_state_name(pgconn_status(a->primary)->state));
		json_str(prim, "error", p->primary_error);
		if (p->have_primary) {
			cJSON_AddBoolToObject(prim, "in_recovery", p->primary.in_recovery);
			json_str(prim, "current_lsn", p->primary.current_lsn);
		}
	}
	cJSON *arr = cJSON_AddArrayToObject(o, "replicas");
	for (int i = 0; i < p->n; i++)
		cJSON_AddItemToArray(arr, replica_json(p, i));
	const char *why = NULL;
	enum level lv = base->cls->level(base, &why);
	cJSON_AddStringToObject(o, "status", level_name(lv));
	json_str(o, "reason", why);
	return o;
}

static enum level replicas_level(const struct panel *base, const char **why)
{
	const struct replicas_panel *p = (const struct replicas_panel *)base;
	enum level lv = p->n || p->have_primary ? LV_OK : LV_NONE;
	if (why)
		*why = NULL;
	if (base->app->primary && p->primary_error[0]) {
		lv = LV_CRIT;
		if (why)
			*why = p->primary_error;
	} else if (p->have_primary && p->primary.in_recovery) {
		lv = LV_CRIT;
		if (why)
			*why = "the configured primary is in recovery";
	}
	for (int i = 0; i < p->n; i++)
		if (p->r[i].level > lv) {
			lv = p->r[i].level;
			if (why)
				*why = p->r[i].reason;
		}
	return lv;
}

static void replicas_text(struct panel *base, struct sbuf *out)
{
	struct replicas_panel *p = (struct replicas_panel *)base;
	struct table t;
	replicas_fill(base, &t);
	sbuf_addf(out, "%s\n", t.summary);
	sbuf_addf(out, "%-10s %-8s %-10s %8s %9s %-7s %-16s %s\n", "REPLICA", "STATUS", "STATE", "LAG", "BYTES",
		  "REACH", "SLOT", "WHY");
	for (int i = 0; i < t.nrows; i++) {
		struct cell *c = t.rows[i].cells;
		sbuf_addf(out, "%-10s %-8s %-10s %8s %9s %-7s %-16s %s\n", c[0].text, c[1].text, c[2].text,
			  c[3].text, c[4].text, c[5].text, c[7].text, p->r[i].reason);
	}
	if (!t.nrows)
		sbuf_addf(out, "%s\n", t.empty_text);
	table_done(&t);
}

static void replicas_samples(struct panel *base, void (*emit)(void *, const char *, double, const char *), void *ctx)
{
	struct replicas_panel *p = (struct replicas_panel *)base;
	char m[96];
	for (int i = 0; i < p->n; i++) {
		const struct replica *r = &p->r[i];
		if (r->reachable != 1 && !r->matched)
			continue;
		snprintf(m, sizeof(m), "%.64s.lag_ms", r->name);
		emit(ctx, m, r->lag_ms, "ms");
		snprintf(m, sizeof(m), "%.64s.lag_bytes", r->name);
		emit(ctx, m, r->matched ? r->snd.replay_lag_bytes : NAN, "bytes");
	}
}

const struct panel_class replicas_class = {
	.name = "replicas",
	.title = "Replicas",
	.create = replicas_create,
	.destroy = replicas_destroy,
	.poll = replicas_poll,
	.busy = replicas_busy,
	.fill = replicas_fill,
	.detail = replicas_detail,
	.json = replicas_json,
	.level = replicas_level,
	.text = replicas_text,
	.samples = replicas_samples,
};

static struct panel *replicas_create(const struct panel_class *cls, struct app *a)
{
	struct replicas_panel *p = xcalloc(1, sizeof(*p));
	p->base.cls = cls;
	p->base.app = a;
	p->n = a->cfg->n_replicas;
	int n = p->n ? p->n : 1;
	p->r = xcalloc((size_t)n, sizeof(*p->r));
	p->ctx = xcalloc((size_t)n, sizeof(*p->ctx));
	p->standby_busy = xcalloc((size_t)n, sizeof(int));
	p->standby_ok_mono = xcalloc((size_t)n, sizeof(int64_t));
	int hist = (int)(a->cfg->opt[OPT_HISTORY] / (a->refresh_ms > 0 ? a->refresh_ms : 1000)) + 1;
	for (int i = 0; i < p->n; i++) {
		snprintf(p->r[i].name, sizeof(p->r[i].name), "%s", a->cfg->replicas[i].name);
		p->r[i].reachable = -1;
		p->r[i].snd.slot_active = -1;
		p->r[i].lag_ms = 0;
		history_init(&p->r[i].lag_hist, hist);
		p->ctx[i] = (struct standby_ctx){p, i};
	}
	return &p->base;
}

static void replicas_destroy(struct panel *base)
{
	struct replicas_panel *p = (struct replicas_panel *)base;
	for (int i = 0; i < p->n; i++)
		history_done(&p->r[i].lag_hist);
	repl_primary_done(&p->primary);
	free(p->r);
	free(p->ctx);
	free(p->standby_busy);
	free(p->standby_ok_mono);
	free(p);
}
