#include "panels/health_model.h"

#include <cjson/cJSON.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "src/util.h"

const char *const health_ep_path[HEP__COUNT] = {"/health", "/health/detailed", "/metrics/queries", "/metrics/errors"};

static void set_err(char *err, size_t n, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void set_err(char *err, size_t n, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	if (err && n)
		vsnprintf(err, n, fmt, ap);
	va_end(ap);
}

static const char *type_name(const cJSON *j)
{
	if (!j)
		return "missing";
	if (cJSON_IsString(j))
		return "a string";
	if (cJSON_IsNumber(j))
		return "a number";
	if (cJSON_IsBool(j))
		return "a boolean";
	if (cJSON_IsNull(j))
		return "null";
	if (cJSON_IsArray(j))
		return "an array";
	return "an object";
}

cJSON *api_json_object(const char *body, size_t len, char *err, size_t errlen)
{
	const char *end = NULL;
	size_t skip = 0;
	while (skip < len && (body[skip] == ' ' || body[skip] == '\n' || body[skip] == '\r' || body[skip] == '\t'))
		skip++;
	if (!body || skip == len) {
		set_err(err, errlen, "empty body");
		return NULL;
	}
	cJSON *j = cJSON_ParseWithLengthOpts(body, len, &end, 0);
	if (!j) {
		size_t at = end && end >= body ? (size_t)(end - body) : 0;
		set_err(err, errlen, "invalid JSON near byte %zu of %zu", at, len);
		return NULL;
	}
	if (!cJSON_IsObject(j)) {
		set_err(err, errlen, "expected an object, got %s", type_name(j));
		cJSON_Delete(j);
		return NULL;
	}
	return j;
}

int api_json_num(const cJSON *obj, const char *where, const char *key, double min, double max, int required,
		   double *out, char *err, size_t errlen)
{
	const cJSON *j = cJSON_GetObjectItemCaseSensitive(obj, key);
	if (!j || cJSON_IsNull(j)) {
		*out = NAN;
		if (required)
			set_err(err, errlen, "%s%s is %s", where, key, j ? "null" : "missing");
		return required ? -1 : 0;
	}
	if (!cJSON_IsNumber(j)) {
		set_err(err, errlen, "%s%s is %s, expected a number", where, key, type_name(j));
		return -1;
	}
	double v = j->valuedouble;
	if (!isfinite(v) || v < min || v > max) {
		set_err(err, errlen, "%s%s = %g is out of range (%g..%g)", where, key, v, min, max);
		return -1;
	}
	*out = v;
	return 0;
}

int api_json_str(const cJSON *obj, const char *where, const char *key, int required, char *out, size_t n,
		   char *err, size_t errlen)
{
	const cJSON *j = cJSON_GetObjectItemCaseSensitive(obj, key);
	out[0] = '\0';
	if (!j || cJSON_IsNull(j)) {
		if (required)
			set_err(err, errlen, "%s%s is %s", where, key, j ? "null" : "missing");
		return required ? -1 : 0;
	}
	if (!cJSON_IsString(j)) {
		set_err(err, errlen, "%s%s is %s, expected a string", where, key, type_name(j));
		return -1;
	}
	snprintf(out, n, "%s", j->valuestring);
	return 0;
}

enum api_status health_status_from_word(const char *s)
{
	if (!strcmp(s, "healthy") || !strcmp(s, "ok"))
		return API_HEALTHY;
	if (!strcmp(s, "degraded"))
		return API_DEGRADED;
	if (!strcmp(s, "unhealthy") || !strcmp(s, "down"))
		return API_UNHEALTHY;
	return API_UNKNOWN;
}

static int parse_service(const cJSON *services, const char *name, struct health_service *s, char *err, size_t errlen)
{
	char where[48];
	const cJSON *o = cJSON_GetObjectItemCaseSensitive(services, name);
	memset(s, 0, sizeof(*s));
	s->latency_ms = NAN;
	if (!o)
		return 0;
	snprintf(where, sizeof(where), "services.%s.", name);
	if (!cJSON_IsObject(o)) {
		set_err(err, errlen, "services.%s is %s, expected an object", name, type_name(o));
		return -1;
	}
	s->present = 1;
	if (api_json_str(o, where, "status", 1, s->status, sizeof(s->status), err, errlen) ||
	    api_json_num(o, where, "latency_ms", 0, 1e9, 0, &s->latency_ms, err, errlen))
		return -1;
	const cJSON *e = cJSON_GetObjectItemCaseSensitive(o, "error");
	if (cJSON_IsString(e))
		snprintf(s->error, sizeof(s->error), "%s", e->valuestring);
	return 0;
}

static int parse_replicas(const cJSON *db, struct health_status *out, char *err, size_t errlen)
{
	const cJSON *arr = cJSON_GetObjectItemCaseSensitive(db, "replicas");
	if (!arr || cJSON_IsNull(arr))
		return 0;
	if (!cJSON_IsArray(arr)) {
		set_err(err, errlen, "services.database.replicas is %s, expected an array", type_name(arr));
		return -1;
	}
	const cJSON *r;
	cJSON_ArrayForEach(r, arr)
	{
		if (out->nreplicas >= HEALTH_MAX_REPLICAS)
			break;
		if (!cJSON_IsObject(r)) {
			set_err(err, errlen, "services.database.replicas[%d] is %s", out->nreplicas, type_name(r));
			return -1;
		}
		struct health_replica *h = &out->replicas[out->nreplicas++];
		const cJSON *c = cJSON_GetObjectItemCaseSensitive(r, "connected");
		const cJSON *p = cJSON_GetObjectItemCaseSensitive(r, "replay_paused");
		if (api_json_str(r, "services.database.replicas[].", "name", 0, h->name, sizeof(h->name), err, errlen) ||
		    api_json_str(r, "services.database.replicas[].", "receiver", 0, h->receiver, sizeof(h->receiver), err, errlen) ||
		    api_json_num(r, "services.database.replicas[].", "lag_ms", 0, 1e12, 0, &h->lag_ms, err, errlen))
			return -1;
		if (!cJSON_IsBool(c)) {
			set_err(err, errlen, "services.database.replicas[].connected is %s, expected a boolean", type_name(c));
			return -1;
		}
		h->connected = cJSON_IsTrue(c);
		h->replay_paused = cJSON_IsBool(p) ? cJSON_IsTrue(p) : -1;
	}
	return 0;
}

int health_parse_status(const char *body, size_t len, struct health_status *out, char *err, size_t errlen)
{
	memset(out, 0, sizeof(*out));
	out->uptime_s = NAN;
	cJSON *j = api_json_object(body, len, err, errlen);
	if (!j)
		return -1;
	int rc = -1;
	if (api_json_str(j, "", "status", 1, out->status, sizeof(out->status), err, errlen) ||
	    api_json_str(j, "", "timestamp", 0, out->timestamp, sizeof(out->timestamp), err, errlen) ||
	    api_json_str(j, "", "version", 0, out->version, sizeof(out->version), err, errlen) ||
	    api_json_num(j, "", "uptime_s", 0, 1e12, 0, &out->uptime_s, err, errlen))
		goto done;
	out->st = health_status_from_word(out->status);
	const cJSON *svc = cJSON_GetObjectItemCaseSensitive(j, "services");
	if (svc && !cJSON_IsNull(svc)) {
		if (!cJSON_IsObject(svc)) {
			set_err(err, errlen, "services is %s, expected an object", type_name(svc));
			goto done;
		}
		out->has_services = 1;
		if (parse_service(svc, "database", &out->database, err, errlen) ||
		    parse_service(svc, "redis", &out->redis, err, errlen) ||
		    parse_service(svc, "pgbouncer", &out->pgbouncer, err, errlen) ||
		    parse_replicas(cJSON_GetObjectItemCaseSensitive(svc, "database"), out, err, errlen))
			goto done;
	}
	rc = 0;
done:
	cJSON_Delete(j);
	return rc;
}

static int parse_slow(const cJSON *j, struct health_queries *out, char *err, size_t errlen)
{
	const cJSON *slow = cJSON_GetObjectItemCaseSensitive(j, "slowQueries");
	if (!slow || cJSON_IsNull(slow))
		return 0;
	if (!cJSON_IsArray(slow)) {
		set_err(err, errlen, "slowQueries is %s, expected an array", type_name(slow));
		return -1;
	}
	out->slow_count = cJSON_GetArraySize(slow);
	const cJSON *s;
	cJSON_ArrayForEach(s, slow)
	{
		const cJSON *d = cJSON_GetObjectItemCaseSensitive(s, "duration_ms");
		const cJSON *q = cJSON_GetObjectItemCaseSensitive(s, "query");
		if (!cJSON_IsNumber(d) || !isfinite(d->valuedouble))
			continue;
		if (isnan(out->slowest_ms) || d->valuedouble > out->slowest_ms) {
			out->slowest_ms = d->valuedouble;
			snprintf(out->slowest_query, sizeof(out->slowest_query), "%s", cJSON_IsString(q) ? q->valuestring : "?");
		}
	}
	return 0;
}

int health_parse_queries(const char *body, size_t len, struct health_queries *out, char *err, size_t errlen)
{
	memset(out, 0, sizeof(*out));
	out->slowest_ms = out->avg = NAN;
	cJSON *j = api_json_object(body, len, err, errlen);
	if (!j)
		return -1;
	int rc = -1;
	const cJSON *st = cJSON_GetObjectItemCaseSensitive(j, "statistics");
	if (!cJSON_IsObject(st)) {
		set_err(err, errlen, "statistics is %s, expected an object", type_name(st));
		goto done;
	}
	const double maxms = 1e9; /* 11 days: anything above is garbage */
	if (api_json_num(st, "statistics.", "total_queries", 0, 1e15, 0, &out->total, err, errlen) ||
	    api_json_num(st, "statistics.", "p50", 0, maxms, 1, &out->p50, err, errlen) ||
	    api_json_num(st, "statistics.", "p95", 0, maxms, 1, &out->p95, err, errlen) ||
	    api_json_num(st, "statistics.", "p99", 0, maxms, 1, &out->p99, err, errlen) ||
	    api_json_num(st, "statistics.", "avg", 0, maxms, 0, &out->avg, err, errlen) ||
	    api_json_str(j, "", "health", 0, out->health, sizeof(out->health), err, errlen) || parse_slow(j, out, err, errlen))
		goto done;
	rc = 0;
done:
	cJSON_Delete(j);
	return rc;
}

int health_parse_errors(const char *body, size_t len, struct health_errors *out, char *err, size_t errlen)
{
	memset(out, 0, sizeof(*out));
	cJSON *j = api_json_object(body, len, err, errlen);
	if (!j)
		return -1;
	int rc = -1;
	if (api_json_num(j, "", "error_rate", 0, 1, 1, &out->rate, err, errlen) ||
	    api_json_num(j, "", "errors", 0, 1e15, 0, &out->errors, err, errlen) ||
	    api_json_num(j, "", "total_requests", 0, 1e15, 0, &out->total, err, errlen) ||
	    api_json_num(j, "", "window_s", 0, 1e9, 0, &out->window_s, err, errlen))
		goto done;
	rc = 0;
done:
	cJSON_Delete(j);
	return rc;
}

/* ---- feeding and evaluation ------------------------------------------------------------- */

void health_model_init(struct health_model *m) { memset(m, 0, sizeof(*m)); }

/* {"error": "..."} bodies of failed requests say why; keep it for the message. */
static void error_field(const char *body, size_t len, char *out, size_t n)
{
	out[0] = '\0';
	cJSON *j = len ? cJSON_ParseWithLength(body, len) : NULL;
	const cJSON *e = j ? cJSON_GetObjectItemCaseSensitive(j, "error") : NULL;
	if (cJSON_IsString(e))
		snprintf(out, n, ": %.100s", e->valuestring);
	cJSON_Delete(j);
}

void health_feed(struct health_model *m, enum health_ep ep, long http_status, const char *body, size_t len,
		 const char *transport_error, int64_t now_mono)
{
	struct health_endpoint *e = &m->ep[ep];
	const char *path = health_ep_path[ep];
	char why[160] = "", extra[112];
	int rc;
	e->http_status = http_status;
	e->kind = HERR_NONE;
	e->error[0] = '\0';
	if (transport_error) {
		e->kind = str_starts(transport_error, "timeout") ? HERR_TIMEOUT
			: str_starts(transport_error, "response larger") ? HERR_TOO_LARGE : HERR_TRANSPORT;
		snprintf(e->error, sizeof(e->error), "%s (%s)", transport_error, path);
		e->have = 0;
		return;
	}
	int status_ep = ep == HEP_HEALTH || ep == HEP_DETAILED;
	switch (ep) {
	case HEP_HEALTH: rc = health_parse_status(body, len, &m->health, why, sizeof(why)); break;
	case HEP_DETAILED: rc = health_parse_status(body, len, &m->detailed, why, sizeof(why)); break;
	case HEP_QUERIES: rc = health_parse_queries(body, len, &m->q, why, sizeof(why)); break;
	default: rc = health_parse_errors(body, len, &m->e, why, sizeof(why)); break;
	}
	/* a health endpoint may say "unhealthy" with a 503; anything else non-2xx is a failure */
	int http_ok = (http_status >= 200 && http_status < 300) || (status_ep && http_status == 503 && rc == 0);
	if (!http_ok) {
		error_field(body, len, extra, sizeof(extra));
		e->kind = HERR_HTTP;
		snprintf(e->error, sizeof(e->error), "HTTP %ld from %s%s", http_status, path, extra);
		e->have = 0;
	} else if (rc) {
		e->kind = HERR_BADJSON;
		snprintf(e->error, sizeof(e->error), "bad JSON from %s: %s", path, why);
		e->have = 0;
	} else {
		e->have = 1;
		e->ok_mono = now_mono;
	}
}

void health_fmt_ms(char *buf, size_t n, double ms)
{
	if (isnan(ms))
		snprintf(buf, n, "-");
	else if (ms < 10)
		snprintf(buf, n, "%.1fms", ms);
	else if (ms < 1000)
		snprintf(buf, n, "%.0fms", ms);
	else
		snprintf(buf, n, "%.2fs", ms / 1000);
}

const char *health_api_word(const struct health_model *m, char *buf, size_t n)
{
	const struct health_endpoint *e = &m->ep[HEP_HEALTH];
	if (e->have)
		return m->health.status[0] ? m->health.status : "?";
	switch (e->kind) {
	case HERR_TIMEOUT: return "timeout";
	case HERR_TRANSPORT: return "down";
	case HERR_HTTP: snprintf(buf, n, "HTTP %ld", e->http_status); return buf;
	case HERR_BADJSON: return "bad JSON";
	case HERR_TOO_LARGE: return "too large";
	}
	return "-";
}

static void degraded_why(const struct health_model *m, char *out, size_t n)
{
	const struct health_status *d = &m->detailed;
	struct sbuf sb = {0};
	if (!m->ep[HEP_DETAILED].have || !d->has_services) {
		snprintf(out, n, "%s", "");
		return;
	}
	if (d->database.present && strcmp(d->database.status, "connected"))
		sbuf_addf(&sb, "; database %s", d->database.status);
	for (int i = 0; i < d->nreplicas; i++)
		if (!d->replicas[i].connected)
			sbuf_addf(&sb, "; replica %s %s", d->replicas[i].name, d->replicas[i].receiver);
	if (d->redis.present && strcmp(d->redis.status, "connected"))
		sbuf_addf(&sb, "; redis %s", d->redis.status);
	if (d->pgbouncer.present && strcmp(d->pgbouncer.status, "connected"))
		sbuf_addf(&sb, "; pgbouncer %s", d->pgbouncer.status);
	snprintf(out, n, "%s", sb.buf ? sb.buf : "");
	sbuf_done(&sb);
}

static void eval_status(struct health_model *m)
{
	const struct health_endpoint *e = &m->ep[HEP_HEALTH];
	/* /health decides; /health/detailed only stands in before /health has said anything */
	const struct health_status *h = e->have ? &m->health
				      : e->kind == HERR_NONE && m->ep[HEP_DETAILED].have ? &m->detailed : NULL;
	char more[150];
	degraded_why(m, more, sizeof(more));
	if (h) {
		static const enum level lv[] = {LV_WARN, LV_OK, LV_WARN, LV_CRIT};
		m->lv_status = lv[h->st];
		if (h->st == API_UNKNOWN)
			snprintf(m->why_status, sizeof(m->why_status), "API reports an unknown status '%s'", h->status);
		else
			snprintf(m->why_status, sizeof(m->why_status), "API %s%s", h->status, more);
	} else if (e->kind == HERR_NONE) {
		m->lv_status = LV_NONE;
		snprintf(m->why_status, sizeof(m->why_status), "no answer from the API yet");
	} else {
		/* an answer we cannot use is a warning; no answer, or an HTTP error, is critical */
		int answered = e->kind == HERR_BADJSON || e->kind == HERR_TOO_LARGE;
		m->lv_status = answered ? LV_WARN : LV_CRIT;
		snprintf(m->why_status, sizeof(m->why_status), "%s%s",
			 e->kind == HERR_TRANSPORT || e->kind == HERR_TIMEOUT ? "API down: " : "", e->error);
	}
}

/* pending while the condition holds for less than its duration, then warn/critical */
static enum level sustained(struct sustain *warn, struct sustain *crit, double v, double warn_at, double warn_for,
			    double crit_at, double crit_for, int64_t now, double *held)
{
	double held_w, held_c;
	int c = sustain_update(crit, v > crit_at, now, crit_for, &held_c);
	int w = sustain_update(warn, v > warn_at, now, warn_for, &held_w);
	*held = v > crit_at && !c ? held_c : held_w;
	if (c)
		return LV_CRIT;
	if (w)
		return LV_WARN;
	return v > warn_at ? LV_PENDING : LV_OK;
}

static void eval_p95(struct health_model *m, const struct health_thresholds *th, int64_t now)
{
	char v[32], a[32], held_s[32], dur[32];
	double held;
	if (!m->ep[HEP_QUERIES].have) {
		sustain_update(&m->p95_warn, 0, now, 0, NULL);
		sustain_update(&m->p95_crit, 0, now, 0, NULL);
		m->lv_p95 = m->ep[HEP_QUERIES].kind ? LV_WARN : LV_NONE;
		snprintf(m->why_p95, sizeof(m->why_p95), "%s", m->ep[HEP_QUERIES].error);
		return;
	}
	m->lv_p95 = sustained(&m->p95_warn, &m->p95_crit, m->q.p95, th->p95_warn_ms, th->p95_warn_for_ms,
			      th->p95_crit_ms, th->p95_crit_for_ms, now, &held);
	int over_crit = m->q.p95 > th->p95_crit_ms;
	health_fmt_ms(v, sizeof(v), m->q.p95);
	health_fmt_ms(a, sizeof(a), over_crit ? th->p95_crit_ms : th->p95_warn_ms);
	fmt_duration_ms(held_s, sizeof(held_s), held);
	fmt_duration_ms(dur, sizeof(dur), over_crit ? th->p95_crit_for_ms : th->p95_warn_for_ms);
	if (m->lv_p95 == LV_OK)
		snprintf(m->why_p95, sizeof(m->why_p95), "p95 %s", v);
	else if (m->lv_p95 == LV_PENDING || (m->lv_p95 == LV_WARN && over_crit))
		snprintf(m->why_p95, sizeof(m->why_p95), "p95 %s > %s for %s (%s after %s)", v, a, held_s,
			 over_crit ? "critical" : "warn", dur);
	else
		snprintf(m->why_p95, sizeof(m->why_p95), "p95 %s > %s for %s", v, a, dur);
}

static void eval_errors(struct health_model *m, const struct health_thresholds *th, int64_t now)
{
	char held_s[32], dur[32];
	double held;
	if (!m->ep[HEP_ERRORS].have) {
		sustain_update(&m->err_warn, 0, now, 0, NULL);
		sustain_update(&m->err_crit, 0, now, 0, NULL);
		m->lv_err = m->ep[HEP_ERRORS].kind ? LV_WARN : LV_NONE;
		snprintf(m->why_err, sizeof(m->why_err), "%s", m->ep[HEP_ERRORS].error);
		return;
	}
	double pct = m->e.rate * 100;
	m->lv_err = sustained(&m->err_warn, &m->err_crit, pct, th->err_warn_pct, th->err_warn_for_ms, th->err_crit_pct,
			      th->err_crit_for_ms, now, &held);
	int over_crit = pct > th->err_crit_pct;
	fmt_duration_ms(held_s, sizeof(held_s), held);
	fmt_duration_ms(dur, sizeof(dur), over_crit ? th->err_crit_for_ms : th->err_warn_for_ms);
	double at = over_crit ? th->err_crit_pct : th->err_warn_pct;
	if (m->lv_err == LV_OK)
		snprintf(m->why_err, sizeof(m->why_err), "error rate %.2f%%", pct);
	else if (m->lv_err == LV_PENDING || (m->lv_err == LV_WARN && over_crit))
		snprintf(m->why_err, sizeof(m->why_err), "error rate %.2f%% > %g%% for %s (%s after %s)", pct, at,
			 held_s, over_crit ? "critical" : "warn", dur);
	else
		snprintf(m->why_err, sizeof(m->why_err), "error rate %.2f%% > %g%% for %s", pct, at, dur);
}

void health_evaluate(struct health_model *m, const struct health_thresholds *th, int64_t now_ms)
{
	eval_status(m);
	eval_p95(m, th, now_ms);
	eval_errors(m, th, now_ms);
	m->lv_slow = LV_NONE;
	m->why_slow[0] = '\0';
	if (m->ep[HEP_QUERIES].have) {
		char s[32];
		health_fmt_ms(s, sizeof(s), m->q.slowest_ms);
		m->lv_slow = m->q.slow_count >= th->slow_warn ? LV_WARN : LV_OK;
		snprintf(m->why_slow, sizeof(m->why_slow), "%d slow quer%s%s%s", m->q.slow_count,
			 m->q.slow_count == 1 ? "y" : "ies", m->q.slow_count ? ", slowest " : "", m->q.slow_count ? s : "");
	}
	const enum level lv[] = {m->lv_status, m->lv_p95, m->lv_err, m->lv_slow};
	const char *why[] = {m->why_status, m->why_p95, m->why_err, m->why_slow};
	m->level = LV_NONE;
	m->why = NULL;
	for (size_t i = 0; i < ARRAY_LEN(lv); i++)
		if (lv[i] > m->level) {
			m->level = lv[i];
			m->why = why[i];
		}
	if (m->level <= LV_OK)
		m->why = NULL;
}
