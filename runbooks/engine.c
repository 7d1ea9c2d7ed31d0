/* Running a runbook's steps: inputs, targets, probes with their expectations, captures,
 * wait= retries, confirmation words and the read-only rule. */
#include <ctype.h>
#include <curl/curl.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "panels/redis_url.h"
#include "runbooks/engine_int.h"
#include "runbooks/probe.h"
#include "src/util.h"
#include "store/journal.h"

static const char *const status_names[] = {
	[STEP_PENDING] = "pending", [STEP_RUNNING] = "running", [STEP_PASS] = "pass",
	[STEP_FAIL] = "fail",       [STEP_ERROR] = "error",     [STEP_SKIP] = "skip",
	[STEP_MANUAL_OK] = "manual-ok",
};

const char *step_status_name(enum step_status s)
{
	return (unsigned)s < ARRAY_LEN(status_names) ? status_names[s] : "?";
}

int step_status_parse(const char *name, enum step_status *out)
{
	for (size_t i = 0; i < ARRAY_LEN(status_names); i++)
		if (str_eq(name, status_names[i])) {
			*out = (enum step_status)i;
			return 0;
		}
	return -1;
}

/* ---- the run ---- */

void rb_add_secret(struct rb_run *r, const char *s)
{
	if (!s || strlen(s) < 3)
		return;
	r->secrets = xrealloc(r->secrets, sizeof(char *) * (size_t)(r->n_secrets + 1));
	r->secrets[r->n_secrets++] = xstrdup(s);
}

void rb_run_init(struct rb_run *r, const struct runbook *rb, const struct rb_env *env)
{
	memset(r, 0, sizeof(*r));
	r->rb = rb;
	r->env = env;
	r->running = -1;
	r->inputs = xcalloc((size_t)rb->n_inputs + 1, sizeof(char *));
	r->input_recorded = xcalloc((size_t)rb->n_inputs + 1, 1);
	r->steps = xcalloc((size_t)rb->n_steps + 1, sizeof(*r->steps));
	r->started_mono_ms = now_mono_ms();
	r->started_wall_ms = now_wall_ms();
	curl_global_init(CURL_GLOBAL_DEFAULT);
	/* the Redis password (URL, password file or REDISCLI_AUTH): mask it wherever it might show up */
	const struct config *cfg = env->cfg;
	if (cfg && cfg->redis.dsn) {
		struct redis_url u;
		char *pw = NULL, *err = NULL;
		redis_url_parse(&u, cfg->redis.dsn);
		if (redis_password_load(&u, cfg->sopt[OPT_REDIS_PASSWORD_FILE], &pw, &err) == 0 && pw) {
			rb_add_secret(r, pw);
			explicit_bzero(pw, strlen(pw));
		}
		free(pw);
		free(err);
		redis_url_done(&u);
	}
	rb_add_secret(r, getenv("PGPASSWORD"));
}

void rb_outcome_done(struct step_outcome *o)
{
	for (int i = 0; i < o->n_probes; i++) {
		struct probe_outcome *p = &o->probes[i];
		free(p->label);
		free(p->observed);
		free(p->error);
		free(p->output);
		free(p->value);
	}
	free(o->probes);
	free(o->summary);
	free(o->note);
	for (int i = 0; i < o->n_baselines; i++) {
		free(o->baselines[i].name);
		free(o->baselines[i].value);
	}
	free(o->baselines);
	memset(o, 0, sizeof(*o));
}

void rb_pending_done(struct rb_pending *pc)
{
	for (int i = 0; i < pc->n; i++) {
		free(pc->v[i].name);
		free(pc->v[i].value);
	}
	free(pc->v);
	pc->v = NULL;
	pc->n = 0;
}

void rb_run_done(struct rb_run *r)
{
	rb_worker_stop(r);
	for (int i = 0; r->rb && i < r->rb->n_inputs; i++)
		if (r->inputs[i]) {
			explicit_bzero(r->inputs[i], strlen(r->inputs[i]));
			free(r->inputs[i]);
		}
	free(r->inputs);
	free(r->input_recorded);
	for (int i = 0; i < r->n_captures; i++) {
		free(r->captures[i].name);
		free(r->captures[i].value);
	}
	free(r->captures);
	free(r->capture_recorded);
	for (int i = 0; r->rb && i < r->rb->n_steps; i++)
		rb_outcome_done(&r->steps[i]);
	free(r->steps);
	for (int i = 0; i < r->n_secrets; i++) {
		explicit_bzero(r->secrets[i], strlen(r->secrets[i]));
		free(r->secrets[i]);
	}
	free(r->secrets);
	curl_global_cleanup();
	memset(r, 0, sizeof(*r));
	r->running = -1;
}

void rb_set_capture(struct rb_run *r, const char *name, char *value, int recorded)
{
	for (int i = 0; i < r->n_captures; i++)
		if (!strcmp(r->captures[i].name, name)) {
			free(r->captures[i].value);
			r->captures[i].value = value;
			r->capture_recorded[i] = (unsigned char)recorded;
			return;
		}
	if (r->n_captures == r->capture_cap) {
		r->capture_cap = r->capture_cap ? r->capture_cap * 2 : 8;
		r->captures = xrealloc(r->captures, sizeof(*r->captures) * (size_t)r->capture_cap);
		r->capture_recorded = xrealloc(r->capture_recorded, (size_t)r->capture_cap);
	}
	r->captures[r->n_captures] = (struct rb_capture){xstrdup(name), value};
	r->capture_recorded[r->n_captures++] = (unsigned char)recorded;
}

/* ---- targets and confirmation ---- */

static const char *probe_confirm(const struct rb_run *r, const struct probe *pr)
{
	if (pr->confirm)
		return pr->confirm;
	switch (pr->kind) {
	case PROBE_SQL: return pr->target ? pr->target : "primary";
	case PROBE_REDIS: return "redis";
	case PROBE_HTTP: return "api";
	case PROBE_SHELL: return pr->target ? pr->target : "local";
	default: return r->rb->id ? r->rb->id : "yes";
	}
}

const char *rb_step_confirm_word(const struct rb_run *r, int i)
{
	const struct step *st = &r->rb->steps[i];
	for (int k = 0; k < st->n_probes; k++)
		if (st->probes[k].destructive)
			return probe_confirm(r, &st->probes[k]);
	return NULL;
}

/* The source a sql/shell probe runs on, for one target name ("primary", "replica.east",
 * "pgbouncer"); NULL with *why when it cannot. */
static const struct source_cfg *source_of(const struct rb_run *r, const char *name, char **why)
{
	const struct source_cfg *src = config_source(r->env->cfg, name);
	if (!src) {
		*why = xasprintf("target %s: the config has no such source", name);
		return NULL;
	}
	if (!src->dsn) {
		*why = xasprintf("target %s: not configured (add '%s = ...' to the config)", name, name);
		return NULL;
	}
	return src;
}

/* The target names a probe runs on (each-replica: every replica). Returns the count, or -1
 * with *why. names[] are malloced. */
static int targets_of(const struct rb_run *r, const struct probe *pr, char ***names, char **why)
{
	*names = NULL;
	const char *rep = NULL;
	const struct config *cfg = r->env->cfg;
	if (pr->kind == PROBE_REDIS || pr->kind == PROBE_HTTP) {
		const char *what = pr->kind == PROBE_REDIS ? "redis" : "api";
		if (!(pr->kind == PROBE_REDIS ? cfg->redis.dsn : cfg->api.dsn)) {
			*why = xasprintf("%s is not configured (add '%s = ...' to the config)", what, what);
			return -1;
		}
		*names = xcalloc(1, sizeof(char *));
		(*names)[0] = xstrdup(what);
		return 1;
	}
	switch (probe_target(pr->target, &rep)) {
	case TARGET_NONE:
		*names = xcalloc(1, sizeof(char *));
		(*names)[0] = xstrdup(pr->kind == PROBE_SHELL ? "local" : "primary");
		return 1;
	case TARGET_PRIMARY:
	case TARGET_PGBOUNCER:
	case TARGET_REPLICA:
		*names = xcalloc(1, sizeof(char *));
		(*names)[0] = xstrdup(pr->target);
		return 1;
	case TARGET_REPLICA_INPUT: {
		const char *v = rb_run_input(r, rep);
		if (!v) {
			*why = xasprintf("input %s is not given", rep);
			return -1;
		}
		*names = xcalloc(1, sizeof(char *));
		(*names)[0] = xasprintf("replica.%s", v);
		return 1;
	}
	case TARGET_EACH_REPLICA:
		if (cfg->n_replicas == 0) {
			*why = xstrdup("target each-replica: the config has no replica.NAME");
			return -1;
		}
		*names = xcalloc((size_t)cfg->n_replicas, sizeof(char *));
		for (int i = 0; i < cfg->n_replicas; i++)
			(*names)[i] = xasprintf("replica.%s", cfg->replicas[i].name);
		return cfg->n_replicas;
	default:
		*why = xasprintf("unknown target '%s'", pr->target ? pr->target : "");
		return -1;
	}
}

static void free_names(char **names, int n)
{
	for (int i = 0; i < n; i++)
		free(names[i]);
	free(names);
}

int rb_step_check(const struct rb_run *r, int i, char **why)
{
	const struct step *st = &r->rb->steps[i];
	if (r->env->read_only && (st->destructive || st->writes)) {
		*why = xasprintf("read-only: step %d %s; opsdeck was started with --read-only", st->number,
				 st->destructive ? "is destructive" : "writes");
		return -1;
	}
	int idx[1];
	if (rb_step_missing_inputs(r, i, idx, 1) > 0) {
		*why = xasprintf("step %d needs the input %s (%s)", st->number, r->rb->inputs[idx[0]].name,
				 r->rb->inputs[idx[0]].description ? r->rb->inputs[idx[0]].description : "");
		return -1;
	}
	for (int k = 0; k < st->n_probes; k++) {
		const struct probe *pr = &st->probes[k];
		if (pr->kind == PROBE_TEXT)
			continue;
		if (pr->kind == PROBE_UNKNOWN) {
			*why = xasprintf("step %d has a block of an unknown kind (line %d): run opsdeck lint",
					 st->number, pr->line);
			return -1;
		}
		char **names;
		int n = targets_of(r, pr, &names, why);
		if (n < 0)
			return -1;
		for (int t = 0; t < n; t++) {
			if (pr->kind == PROBE_SQL || (pr->kind == PROBE_SHELL && strcmp(names[t], "local"))) {
				if (!source_of(r, names[t], why)) {
					free_names(names, n);
					return -1;
				}
			}
		}
		free_names(names, n);
	}
	return 0;
}

/* ---- running probes ---- */

struct eval_arg {
	const struct rb_run *r;
	const struct rb_pending *pc;
	char *baseline_error;
};

static const char *captured_cb(void *arg, const char *name)
{
	struct eval_arg *a = arg;
	for (int i = a->pc->n - 1; i >= 0; i--)
		if (!strcmp(a->pc->v[i].name, name))
			return a->pc->v[i].value;
	for (int i = 0; i < a->r->n_captures; i++)
		if (!strcmp(a->r->captures[i].name, name))
			return a->r->captures[i].value;
	return NULL;
}

static int baseline_cb(void *arg, const char *name, double *value)
{
	struct eval_arg *a = arg;
	struct journal *j = a->r->env->journal;
	if (!j)
		return -1;
	char *err = NULL;
	int rc = journal_baseline_latest(j, a->r->env->cfg->env, name, value, NULL, &err);
	free(err);
	return rc == 1 ? 0 : -1;
}

static const char *input_cb(void *arg, const char *name)
{
	struct eval_arg *a = arg;
	return rb_run_input(a->r, name);
}

static char *trimmed(const char *s)
{
	if (!s)
		return NULL;
	while (*s == ' ' || *s == '\n' || *s == '\r' || *s == '\t')
		s++;
	size_t n = strlen(s);
	while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\n' || s[n - 1] == '\r' || s[n - 1] == '\t'))
		n--;
	return xstrndup(s, n);
}

static char *cap_text(char *s)
{
	if (s && strlen(s) > RB_OUTPUT_MAX) {
		char *c = xasprintf("%.*s\n[... output cut at %d bytes]\n", RB_OUTPUT_MAX, s, RB_OUTPUT_MAX);
		free(s);
		return c;
	}
	return s;
}

static void add_pending(struct rb_pending *pc, const char *name, char *value)
{
	pc->v = xrealloc(pc->v, sizeof(*pc->v) * (size_t)(pc->n + 1));
	pc->v[pc->n++] = (struct rb_capture){xstrdup(name), value};
}

/* The value of capture= / baseline=: an expression's value, else the probe's value. */
static char *kept_value(const struct expect *e, const struct expect_ctx *ctx, const char *value, char **why)
{
	if (!e) {
		if (!value)
			*why = xstrdup("the probe has no value (no row, or NULL)");
		return value ? xstrdup(value) : NULL;
	}
	struct expect_result res;
	char *v = NULL;
	if (expect_value(e, ctx, &res) == EXPECT_PASS && res.value)
		v = xstrdup(res.value);
	else
		*why = xstrdup(res.error ? res.error : "no value");
	expect_result_done(&res);
	return v;
}

static void evaluate(const struct rb_run *r, const struct probe *pr, struct probe_raw *raw,
		     struct rb_pending *pc, struct step_outcome *o, struct probe_outcome *po)
{
	po->output = cap_text(rb_mask(r, raw->text ? raw->text : ""));
	if (raw->error) {
		po->status = EXPECT_ERROR;
		po->error = rb_mask(r, raw->error);
		return;
	}
	struct eval_arg a = {r, pc, NULL};
	struct expect_ctx ctx;
	expect_ctx_init(&ctx);
	if (raw->has_rows)
		ctx.rs = &raw->rs;
	if (pr->kind == PROBE_HTTP) {
		ctx.http_status = raw->http_status;
		ctx.http_body = raw->body;
		ctx.http_headers = raw->headers;
	}
	if (pr->kind == PROBE_SHELL) {
		ctx.output = raw->out ? raw->out : "";
		ctx.exit_status = raw->exit_status;
	}
	ctx.replicas = r->env->cfg ? r->env->cfg->n_replicas : -1;
	ctx.captured = captured_cb;
	ctx.baseline = baseline_cb;
	ctx.input = input_cb;
	ctx.arg = &a;
	if (raw->has_rows)
		po->value = raw->rs.nrows > 0 && raw->rs.ncols > 0 && rowset_get(&raw->rs, 0, 0)
				    ? rb_mask(r, rowset_get(&raw->rs, 0, 0)) : NULL;
	else if (pr->kind == PROBE_HTTP) {
		char *body = trimmed(raw->body); /* a body may echo a secret input (a 404 naming the path) */
		po->value = body ? rb_mask(r, body) : NULL;
		free(body);
	}
	else if (pr->kind == PROBE_SHELL)
		po->value = trimmed(raw->out);
	if (pr->expect) {
		struct expect_result res;
		po->status = expect_eval(pr->expect, &ctx, &res);
		po->observed = res.observed ? rb_mask(r, res.observed) : NULL;
		if (res.error)
			po->error = rb_mask(r, res.error);
		expect_result_done(&res);
	} else if (raw->failed) {
		po->status = EXPECT_FAIL;
		po->observed = xstrdup(raw->failed_what);
	} else {
		po->status = EXPECT_PASS;
		if (raw->has_rows)
			po->observed = xasprintf("rows = %d", raw->rs.nrows);
		else if (pr->kind == PROBE_HTTP)
			po->observed = xasprintf("status = %d", raw->http_status);
		else if (pr->kind == PROBE_SHELL)
			po->observed = xasprintf("exit = %d", raw->exit_status);
	}
	if (po->status == EXPECT_ERROR)
		return;
	char *why = NULL;
	if (pr->capture) {
		char *v = kept_value(pr->capture_expr, &ctx, po->value, &why);
		if (v)
			add_pending(pc, pr->capture, v);
		else if (!po->error) {
			po->status = EXPECT_ERROR;
			po->error = xasprintf("capture %s: %s", pr->capture, why);
		}
		str_free(&why);
	}
	if (pr->baseline) {
		char *v = kept_value(pr->baseline_expr, &ctx, po->value, &why);
		char *end = NULL;
		double d = v ? strtod(v, &end) : NAN;
		if (!v || end == v || *end || !isfinite(d)) {
			po->status = EXPECT_ERROR;
			free(po->error);
			po->error = v ? xasprintf("baseline %s: '%s' is not a number", pr->baseline, v)
				      : xasprintf("baseline %s: %s", pr->baseline, why);
			free(v);
		} else {
			o->baselines = xrealloc(o->baselines, sizeof(*o->baselines) * (size_t)(o->n_baselines + 1));
			o->baselines[o->n_baselines++] = (struct rb_capture){xstrdup(pr->baseline), v};
			add_pending(pc, pr->baseline, xstrdup(v));
		}
		str_free(&why);
	}
}

static const char **param_values(const struct rb_run *r, const struct probe *pr)
{
	const char **v = xcalloc((size_t)pr->n_params + 1, sizeof(char *));
	for (int i = 0; i < pr->n_params; i++)
		v[i] = rb_run_input(r, pr->params[i]);
	return v;
}

static void run_once(const struct rb_run *r, const struct probe *pr, const char *target,
		     struct probe_raw *raw)
{
	const struct config *cfg = r->env->cfg;
	const char **params = param_values(r, pr);
	struct probe_call c = {
		.run = r, .pr = pr, .target = target, .params = params, .n_params = pr->n_params,
		.cancel = (volatile int *)&r->cancel,
		.timeout_ms = pr->timeout_ms > 0 ? pr->timeout_ms
			      : pr->kind == PROBE_SHELL ? 60000 : (cfg ? cfg->opt[OPT_TIMEOUT] : 3000),
	};
	char *why = NULL;
	probe_raw_init(raw);
	switch (pr->kind) {
	case PROBE_SQL:
		c.src = source_of(r, target, &why);
		if (c.src)
			probe_sql(&c, raw);
		break;
	case PROBE_SHELL:
		if (strcmp(target, "local")) {
			c.src = source_of(r, target, &why);
			if (!c.src)
				break;
		} else {
			c.target = NULL;
		}
		probe_shell(&c, raw);
		break;
	case PROBE_REDIS: probe_redis(&c, raw); break;
	case PROBE_HTTP: probe_http(&c, raw); break;
	default: why = xstrdup("not a probe"); break;
	}
	if (why) {
		raw->error = why;
	}
	free(params);
}

static void sleep_ms(const struct rb_run *r, int ms)
{
	for (int t = 0; t < ms && !r->cancel; t += 100) {
		struct timespec ts = {0, 100 * 1000 * 1000};
		nanosleep(&ts, NULL);
	}
}

static char *label_of(const struct probe *pr, const char *target)
{
	switch (pr->kind) {
	case PROBE_HTTP: return xasprintf("%s %s", pr->method ? pr->method : "GET", pr->path ? pr->path : "/");
	case PROBE_SHELL: return strcmp(target, "local") ? xasprintf("shell on %s", target) : xstrdup("shell");
	default: return xstrdup(target);
	}
}

static void forget(struct probe_outcome *po)
{
	free(po->label);
	free(po->observed);
	free(po->error);
	free(po->output);
	free(po->value);
	memset(po, 0, sizeof(*po));
}

/* One probe on one target, again every second under wait= until it passes. */
static void run_probe(const struct rb_run *r, const struct probe *pr, const char *target,
		      struct rb_pending *pc, struct step_outcome *o, struct probe_outcome *po)
{
	int64_t start = now_mono_ms();
	int attempts = 0;
	for (;;) {
		struct probe_raw raw;
		int n_before = pc->n, nb_before = o->n_baselines;
		memset(po, 0, sizeof(*po));
		po->label = label_of(pr, target);
		run_once(r, pr, target, &raw);
		evaluate(r, pr, &raw, pc, o, po);
		probe_raw_done(&raw);
		po->attempts = ++attempts;
		int64_t elapsed = now_mono_ms() - start;
		po->ms = (double)elapsed;
		if (po->status == EXPECT_PASS || pr->wait_ms <= 0 || pr->writes || pr->destructive ||
		    r->cancel || elapsed >= (int64_t)pr->wait_ms) {
			if (r->cancel && po->status != EXPECT_PASS) {
				free(po->error);
				po->error = xstrdup("cancelled by the operator");
				po->status = EXPECT_ERROR;
			}
			return;
		}
		/* try again: forget this attempt's captures, baselines and output */
		while (pc->n > n_before) {
			pc->n--;
			free(pc->v[pc->n].name);
			free(pc->v[pc->n].value);
		}
		while (o->n_baselines > nb_before) {
			o->n_baselines--;
			free(o->baselines[o->n_baselines].name);
			free(o->baselines[o->n_baselines].value);
		}
		forget(po);
		/* every second, and once more when the time is up ("within 1 s": now and at 1 s) */
		int64_t left = (int64_t)pr->wait_ms - elapsed;
		sleep_ms(r, left < 1000 ? (int)left : 1000);
	}
}

static char *summary_of(const struct step_outcome *o)
{
	for (int i = 0; i < o->n_probes; i++) {
		const struct probe_outcome *p = &o->probes[i];
		if (p->status != EXPECT_PASS)
			return xasprintf("%s: %s%s%s", p->label, p->error ? p->error : "",
					 p->error && p->observed ? " — " : "", p->observed ? p->observed : "");
	}
	struct sbuf sb = {0};
	for (int i = 0; i < o->n_probes && sb.len < 300; i++)
		if (o->probes[i].observed)
			sbuf_addf(&sb, "%s%s%s%s", sb.len ? "; " : "", o->n_probes > 1 ? o->probes[i].label : "",
				  o->n_probes > 1 ? ": " : "", o->probes[i].observed);
	return sbuf_steal(&sb);
}

/* A passed step's summary names the baselines it took, with their units. */
static void with_baselines(const struct step *st, struct step_outcome *o)
{
	if (o->status != STEP_PASS || !o->n_baselines)
		return;
	struct sbuf sb = {0};
	sbuf_add(&sb, o->summary ? o->summary : "");
	for (int k = 0; k < o->n_baselines; k++) {
		const char *unit = NULL;
		for (int p = 0; p < st->n_probes; p++)
			if (str_eq(st->probes[p].baseline, o->baselines[k].name))
				unit = st->probes[p].unit;
		sbuf_addf(&sb, "%s%s = %s%s%s", sb.len ? (k ? ", " : "; baseline ") : "baseline ", o->baselines[k].name,
			  o->baselines[k].value, unit ? " " : "", unit ? unit : "");
	}
	free(o->summary);
	o->summary = sbuf_steal(&sb);
}

void rb_exec_into(const struct rb_run *r, int i, struct step_outcome *o, struct rb_pending *pc)
{
	const struct step *st = &r->rb->steps[i];
	memset(o, 0, sizeof(*o));
	memset(pc, 0, sizeof(*pc));
	int64_t start = now_mono_ms();
	int stop = 0;
	for (int k = 0; k < st->n_probes && !stop; k++) {
		const struct probe *pr = &st->probes[k];
		if (pr->kind == PROBE_TEXT)
			continue;
		char **names = NULL, *why = NULL;
		int n = targets_of(r, pr, &names, &why);
		if (n < 0) {
			o->probes = xrealloc(o->probes, sizeof(*o->probes) * (size_t)(o->n_probes + 1));
			struct probe_outcome *po = &o->probes[o->n_probes++];
			memset(po, 0, sizeof(*po));
			po->status = EXPECT_ERROR;
			po->label = xstrdup(pr->target ? pr->target : probe_kind_name(pr->kind));
			po->error = why;
			break;
		}
		o->probes = xrealloc(o->probes, sizeof(*o->probes) * (size_t)(o->n_probes + n));
		for (int t = 0; t < n; t++) {
			struct probe_outcome *po = &o->probes[o->n_probes++];
			run_probe(r, pr, names[t], pc, o, po);
			if (po->status != EXPECT_PASS)
				stop = 1; /* each-replica: every replica is still checked */
		}
		free_names(names, n);
	}
	o->ms = (double)(now_mono_ms() - start);
	int any_fail = 0, any_error = 0;
	for (int k = 0; k < o->n_probes; k++) {
		any_fail |= o->probes[k].status == EXPECT_FAIL;
		any_error |= o->probes[k].status == EXPECT_ERROR;
	}
	o->status = any_fail ? STEP_FAIL : any_error ? STEP_ERROR : STEP_PASS;
	o->summary = summary_of(o);
	with_baselines(st, o);
}

void rb_apply(struct rb_run *r, int i, struct step_outcome *o, struct rb_pending *pc)
{
	char *note = r->steps[i].note;
	r->steps[i].note = NULL;
	rb_outcome_done(&r->steps[i]);
	r->steps[i] = *o;
	if (!r->steps[i].note)
		r->steps[i].note = note;
	else
		free(note);
	memset(o, 0, sizeof(*o));
	for (int k = 0; k < pc->n; k++) {
		rb_set_capture(r, pc->v[k].name, pc->v[k].value, 0);
		pc->v[k].value = NULL;
	}
	rb_pending_done(pc);
}

enum step_status rb_step_exec(struct rb_run *r, int i)
{
	struct step_outcome o;
	struct rb_pending pc;
	if (!r->rb->steps[i].automatic)
		return r->steps[i].status;
	rb_exec_into(r, i, &o, &pc);
	rb_apply(r, i, &o, &pc);
	return r->steps[i].status;
}

int rb_step_mark(struct rb_run *r, int i, enum step_status st, const char *note, char **why)
{
	const struct step *s = &r->rb->steps[i];
	if (st != STEP_MANUAL_OK && st != STEP_FAIL && st != STEP_SKIP) {
		*why = xstrdup("a step is marked done, failed or skipped");
		return -1;
	}
	if (st == STEP_SKIP && (!note || !*note)) {
		*why = xasprintf("skipping step %d needs a reason", s->number);
		return -1;
	}
	if (st == STEP_MANUAL_OK && s->automatic) {
		*why = xasprintf("step %d is checked by the console: run it (Enter) or skip it", s->number);
		return -1;
	}
	if (st == STEP_MANUAL_OK && r->env->read_only && (s->destructive || s->writes)) {
		*why = xasprintf("read-only: step %d is destructive; opsdeck was started with --read-only", s->number);
		return -1;
	}
	rb_outcome_done(&r->steps[i]);
	r->steps[i].status = st;
	r->steps[i].note = note && *note ? xstrdup(note) : NULL;
	r->steps[i].summary = xstrdup(st == STEP_SKIP ? "skipped" : st == STEP_FAIL ? "failed (operator)" : "done (operator)");
	return 0;
}

int rb_step_typed_baseline(struct rb_run *r, int i, const char *value, char **why)
{
	const struct step *s = &r->rb->steps[i];
	const struct probe *tb = s->typed_baseline;
	if (!tb) {
		*why = xasprintf("step %d takes no typed value", s->number);
		return -1;
	}
	char *end = NULL;
	double d = value ? strtod(value, &end) : NAN;
	if (!value || end == value || *end || !isfinite(d)) {
		*why = xasprintf("%s: '%s' is not a number (type it in %s, without the unit)", tb->baseline,
				 value ? value : "", tb->unit ? tb->unit : "plain numbers");
		return -1;
	}
	rb_outcome_done(&r->steps[i]);
	struct step_outcome *o = &r->steps[i];
	o->status = STEP_MANUAL_OK;
	o->baselines = xcalloc(1, sizeof(*o->baselines));
	o->baselines[0] = (struct rb_capture){xstrdup(tb->baseline), xstrdup(value)};
	o->n_baselines = 1;
	o->summary = xasprintf("%s = %s%s%s (typed in)", tb->baseline, value, tb->unit ? " " : "", tb->unit ? tb->unit : "");
	return 0;
}

void rb_run_progress(const struct rb_run *r, struct rb_progress *p)
{
	memset(p, 0, sizeof(*p));
	p->total = r->rb->n_steps;
	for (int i = 0; i < r->rb->n_steps; i++) {
		p->automatic += r->rb->steps[i].automatic;
		switch (r->steps[i].status) {
		case STEP_PASS:
		case STEP_MANUAL_OK: p->pass++; break;
		case STEP_FAIL:
		case STEP_ERROR: p->fail++; break;
		case STEP_SKIP: p->skip++; break;
		default: p->pending++; break;
		}
	}
}

int rb_run_next_step(const struct rb_run *r)
{
	for (int i = 0; i < r->rb->n_steps; i++) {
		enum step_status s = r->steps[i].status;
		if (s != STEP_PASS && s != STEP_MANUAL_OK && s != STEP_SKIP)
			return i;
	}
	return r->rb->n_steps;
}
