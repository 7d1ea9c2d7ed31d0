/* The API's health: pure parsers of /health, /health/detailed, /metrics/queries and
 * /metrics/errors bodies (cJSON; anything malformed becomes an error string, never a crash)
 * and the evaluation against thresholds, with "for N min" durations (struct sustain). */
#ifndef OD_HEALTH_MODEL_H
#define OD_HEALTH_MODEL_H

#include <stddef.h>
#include <stdint.h>

#include "panels/level.h"

enum health_ep { HEP_HEALTH, HEP_DETAILED, HEP_QUERIES, HEP_ERRORS, HEP__COUNT };
extern const char *const health_ep_path[HEP__COUNT];

enum api_status { API_UNKNOWN = 0, API_HEALTHY, API_DEGRADED, API_UNHEALTHY };

struct health_service {       /* services.redis, services.pgbouncer, services.database */
	int present;
	char status[24];      /* "connected", "down" */
	double latency_ms;    /* NAN when null */
	char error[64];
};

struct health_replica {
	char name[32];
	int connected;        /* 1, 0 */
	double lag_ms;        /* NAN when null */
	char receiver[32];
	int replay_paused;    /* 1, 0, -1 null */
};

#define HEALTH_MAX_REPLICAS 8

struct health_status {        /* /health, and with services /health/detailed */
	char status[24];      /* as reported */
	enum api_status st;
	char timestamp[40], version[40];
	double uptime_s;      /* NAN if absent */
	int has_services;
	struct health_service database, redis, pgbouncer;
	int nreplicas;
	struct health_replica replicas[HEALTH_MAX_REPLICAS];
};

struct health_queries {       /* /metrics/queries */
	double total, p50, p95, p99, avg; /* ms; avg NAN if absent */
	int slow_count;
	char slowest_query[120];
	double slowest_ms;        /* NAN when there is none */
	char health[24];
};

struct health_errors {        /* /metrics/errors */
	double rate;              /* fraction 0..1 */
	double errors, total, window_s;
};

/* Parsers: 0 on success; -1 with why (e.g. "invalid JSON near byte 97",
 * "statistics.p95 is a string, expected a number") in err. */
int health_parse_status(const char *body, size_t len, struct health_status *out, char *err, size_t errlen);
int health_parse_queries(const char *body, size_t len, struct health_queries *out, char *err, size_t errlen);
int health_parse_errors(const char *body, size_t len, struct health_errors *out, char *err, size_t errlen);
enum api_status health_status_from_word(const char *s);

struct health_thresholds {
	double p95_warn_ms, p95_warn_for_ms, p95_crit_ms, p95_crit_for_ms;
	double slow_warn;
	double err_warn_pct, err_warn_for_ms, err_crit_pct, err_crit_for_ms; /* percent */
};

struct health_endpoint {
	int have;               /* the last answer parsed */
	int64_t ok_mono;        /* when it last parsed, 0 = never */
	long http_status;       /* of the last answer, 0 = none */
	char error[200];        /* why the last answer is unusable ("" when fine) */
	int kind;               /* HERR_* of that error */
};
enum { HERR_NONE, HERR_TRANSPORT, HERR_TIMEOUT, HERR_HTTP, HERR_BADJSON, HERR_TOO_LARGE };

struct health_model {
	struct health_endpoint ep[HEP__COUNT];
	struct health_status health, detailed;
	struct health_queries q;
	struct health_errors e;
	/* evaluation */
	struct sustain p95_warn, p95_crit, err_warn, err_crit;
	enum level lv_status, lv_p95, lv_slow, lv_err, level;
	char why_status[240], why_p95[240], why_slow[160], why_err[240];
	const char *why; /* the worst of the above, or NULL */
};

void health_model_init(struct health_model *m);
/* One answer (or failure: transport_error != NULL) from endpoint ep. */
void health_feed(struct health_model *m, enum health_ep ep, long http_status, const char *body, size_t len,
		 const char *transport_error, int64_t now_mono);
void health_evaluate(struct health_model *m, const struct health_thresholds *th, int64_t now_ms);

/* "1.6ms", "350ms", "1.25s" */
void health_fmt_ms(char *buf, size_t n, double ms);
/* The strip's word for the API: "healthy", "degraded", "unhealthy", "timeout", "down",
 * "HTTP 500", "bad JSON", "too large", "-". */
const char *health_api_word(const struct health_model *m, char *buf, size_t n);

/* JSON helpers shared by the API's parsers (health, rate limits): the body as an object,
 * or NULL with "empty body" / "invalid JSON near byte N of M" / "expected an object, got an
 * array"; a finite number in [min, max] or a string at obj.key, with where ("statistics.")
 * naming it in messages such as "statistics.p95 is a string, expected a number".
 * required = 0: an absent or null value gives NAN / "" and success. */
struct cJSON *api_json_object(const char *body, size_t len, char *err, size_t errlen);
int api_json_num(const struct cJSON *obj, const char *where, const char *key, double min, double max, int required,
		 double *out, char *err, size_t errlen);
int api_json_str(const struct cJSON *obj, const char *where, const char *key, int required, char *out, size_t n,
		 char *err, size_t errlen);

#endif
