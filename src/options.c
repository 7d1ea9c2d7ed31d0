/* The option table and the one parser/formatter for option values.
 * Defaults follow the thresholds table in DESIGN.md. */
#include "src/config.h"
#include "src/util.h"

#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define MS 1.0
#define SEC (1000 * MS)
#define MIN (60 * SEC)
#define HOUR (60 * MIN)
#define KB 1024.0
#define MB (1024 * KB)
#define GB (1024 * MB)
#define TB (1024 * GB)

#define DUR(id, key, lo, hi, def, help) {id, key, OPT_DURATION, lo, hi, def, help}
#define PCT(id, key, def, help) {id, key, OPT_PERCENT, 0, 100, def, help}
#define NUM(id, key, lo, hi, def, help) {id, key, OPT_NUMBER, lo, hi, def, help}
#define STR(id, key, def, help) {id, key, OPT_STRING, 0, 0, def, help}

/* In enum order, which is also the display order. */
static const struct opt_def options[] = {
	DUR(OPT_REFRESH, "refresh", 100 * MS, HOUR, "1s",
	    "how often the live panels poll their sources"),
	DUR(OPT_TIMEOUT, "timeout", 100 * MS, 5 * MIN, "3s",
	    "deadline of one network operation (connect, query, PING, HTTP request)"),
	DUR(OPT_SLOW_REFRESH, "slow_refresh", SEC, 24 * HOUR, "30s",
	    "poll interval of the partitions panel (heavier catalog queries)"),
	DUR(OPT_HISTORY, "history", 10 * SEC, 24 * HOUR, "10min",
	    "how much history the sparklines keep"),
	DUR(OPT_SAMPLE_INTERVAL, "sample_interval", SEC, 24 * HOUR, "1min",
	    "how often periodic checks write a sample to the journal"),
	STR(OPT_START, "start", "panels",
	    "the screen the console opens on: panels, or rollout (the rollout tracker); --start overrides it"),
	STR(OPT_REDIS_PASSWORD_FILE, "redis.password_file", NULL,
	    "file holding the Redis password, mode 600 (else REDISCLI_AUTH)"),
	STR(OPT_API_CA_FILE, "api.ca_file", NULL,
	    "PEM file of the CA certificates an https:// API (and runbooks' http probes) must chain to (else libcurl's bundle)"),
	STR(OPT_RATELIMIT_PREFIX, "ratelimit.key_prefix", "ratelimit:",
	    "Redis key prefix of the API's rate-limit counters"),
	NUM(OPT_TIER_FREE, "tier.free", 1, 1e9, "10",
	    "requests per minute allowed on the free tier"),
	NUM(OPT_TIER_PRO, "tier.pro", 1, 1e9, "1000",
	    "requests per minute allowed on the pro tier"),
	NUM(OPT_TIER_STANDARD, "tier.standard", 1, 1e9, "100",
	    "requests per minute allowed on the standard tier"),
	NUM(OPT_TIER_ENTERPRISE, "tier.enterprise", 1, 1e9, "10000",
	    "requests per minute allowed on the enterprise tier"),
	NUM(OPT_PARTITION_RETENTION, "partition.retention_months", 1, 1200, "24",
	    "months of partitions kept before they are archived"),
	NUM(OPT_SIGNOFF_ROLES_PER_PERSON, "signoff.roles_per_person", 1, 20, "1",
	    "how many roles of one checklist run one person may sign (1: every role needs someone else)"),
	NUM(OPT_TIME_SCALE, "time_scale", 1, 1e6, "1",
	    "periodic checks' every= and for= are divided by this (3600: an hour lasts a second; "
	    "demos and tests; OPSDECK_TIME_SCALE wins)"),
	DUR(OPT_REPLICA_LAG_WARN, "threshold.replica_lag_warn", MS, 24 * HOUR, "1s",
	    "replica lag (write/flush/replay) at or above this warns"),
	DUR(OPT_REPLICA_LAG_HIGH, "threshold.replica_lag_high", MS, 24 * HOUR, "10s",
	    "replica lag at or above this, held for replica_lag_high_for, is high"),
	DUR(OPT_REPLICA_LAG_HIGH_FOR, "threshold.replica_lag_high_for", 0, 24 * HOUR, "5min",
	    "how long lag must stay high before it is reported"),
	DUR(OPT_REPLICA_LAG_CRIT, "threshold.replica_lag_critical", MS, 24 * HOUR, "30s",
	    "replica lag at or above this, held for replica_lag_critical_for, is critical"),
	DUR(OPT_REPLICA_LAG_CRIT_FOR, "threshold.replica_lag_critical_for", 0, 24 * HOUR, "2min",
	    "how long lag must stay critical before it is reported"),
	PCT(OPT_POOL_SAT_WARN, "threshold.pool_saturation_warn", "80%",
	    "pool saturation (sv_active / pool_size) above this warns"),
	DUR(OPT_POOL_SAT_WARN_FOR, "threshold.pool_saturation_warn_for", 0, 24 * HOUR, "2min",
	    "how long saturation must stay above the warning level"),
	PCT(OPT_POOL_SAT_CRIT, "threshold.pool_saturation_critical", "90%",
	    "pool saturation above this is critical"),
	DUR(OPT_POOL_SAT_CRIT_FOR, "threshold.pool_saturation_critical_for", 0, 24 * HOUR, "1min",
	    "how long saturation must stay above the critical level"),
	DUR(OPT_POOL_WAIT_WARN, "threshold.pool_wait_warn", MS, HOUR, "50ms",
	    "client wait time (maxwait / avg_wait_time) above this warns"),
	DUR(OPT_POOL_WAIT_WARN_FOR, "threshold.pool_wait_warn_for", 0, 24 * HOUR, "3min",
	    "how long the wait time must stay above the warning level"),
	PCT(OPT_CACHE_HIT_WARN, "threshold.cache_hit_warn", "70%",
	    "cache hit rate over the refresh interval below this warns"),
	PCT(OPT_CACHE_HIT_CRIT, "threshold.cache_hit_critical", "50%",
	    "cache hit rate below this is critical"),
	DUR(OPT_CACHE_HIT_CRIT_FOR, "threshold.cache_hit_critical_for", 0, 24 * HOUR, "10min",
	    "how long the hit rate must stay below the critical level"),
	{OPT_CACHE_MEMORY_WARN, "threshold.cache_memory_warn", OPT_BYTES, 1, TB, "100MB",
	 "Redis used_memory above this warns (kB, MB, GB = 1024-based)"},
	PCT(OPT_RATE_NEAR_LIMIT, "threshold.ratelimit_near", "80%",
	    "an API key at or above this share of its tier limit warns"),
	NUM(OPT_RATE_ABUSE, "threshold.ratelimit_abuse", 1, 1e9, "100",
	    "one API key blocked more often than this per minute is an abuse pattern (RB-16)"),
	PCT(OPT_PART_BLOAT_WARN, "threshold.partition_bloat_warn", "20%",
	    "partition bloat above this warns"),
	DUR(OPT_PART_BLOAT_WARN_FOR, "threshold.partition_bloat_warn_for", 0, 24 * HOUR, "1h",
	    "how long bloat must stay above the warning level"),
	PCT(OPT_PART_BLOAT_CRIT, "threshold.partition_bloat_critical", "30%",
	    "partition bloat above this is critical"),
	DUR(OPT_PART_BLOAT_CRIT_FOR, "threshold.partition_bloat_critical_for", 0, 24 * HOUR, "30min",
	    "how long bloat must stay above the critical level"),
	NUM(OPT_PART_DEAD_TUPLES_WARN, "threshold.partition_dead_tuples_warn", 1, 1e12, "100000",
	    "dead tuples in a partition above this warn"),
	DUR(OPT_PART_VACUUM_AGE_WARN, "threshold.partition_vacuum_age_warn", MIN, 8760 * HOUR, "24h",
	    "a partition not vacuumed for longer than this warns"),
	DUR(OPT_HEALTH_P95_WARN, "threshold.p95_warn", MS, HOUR, "500ms",
	    "p95 query latency above this warns"),
	DUR(OPT_HEALTH_P95_WARN_FOR, "threshold.p95_warn_for", 0, 24 * HOUR, "5min",
	    "how long p95 must stay above the warning level"),
	DUR(OPT_HEALTH_P95_CRIT, "threshold.p95_critical", MS, HOUR, "1s",
	    "p95 query latency above this is critical"),
	DUR(OPT_HEALTH_P95_CRIT_FOR, "threshold.p95_critical_for", 0, 24 * HOUR, "2min",
	    "how long p95 must stay above the critical level"),
	NUM(OPT_HEALTH_SLOW_QUERIES_WARN, "threshold.slow_queries_warn", 1, 1e9, "5",
	    "this many slow queries or more warn"),
	PCT(OPT_HEALTH_ERROR_WARN, "threshold.error_rate_warn", "1%",
	    "API error rate above this warns"),
	DUR(OPT_HEALTH_ERROR_WARN_FOR, "threshold.error_rate_warn_for", 0, 24 * HOUR, "5min",
	    "how long the error rate must stay above the warning level"),
	PCT(OPT_HEALTH_ERROR_CRIT, "threshold.error_rate_critical", "5%",
	    "API error rate above this is critical"),
	DUR(OPT_HEALTH_ERROR_CRIT_FOR, "threshold.error_rate_critical_for", 0, 24 * HOUR, "2min",
	    "how long the error rate must stay above the critical level"),
};

_Static_assert(ARRAY_LEN(options) == OPT__COUNT, "one option per enum opt_id");

const struct opt_def *config_options(size_t *n)
{
	if (n)
		*n = ARRAY_LEN(options);
	return options;
}

const struct opt_def *config_option_find(const char *key)
{
	for (size_t i = 0; i < ARRAY_LEN(options); i++)
		if (!strcmp(options[i].key, key))
			return &options[i];
	return NULL;
}

/* ---- parsing ---- */

/* Digits with an optional fraction ("80", "1.5", ".5"): no sign, exponent or hex.
 * Sets *end past the number and any blanks after it. */
static int scan_decimal(const char *s, double *v, const char **end)
{
	const char *p = s;
	size_t digits = 0;
	while (isspace((unsigned char)*p))
		p++;
	const char *start = p;
	for (; isdigit((unsigned char)*p); p++)
		digits++;
	if (*p == '.')
		for (p++; isdigit((unsigned char)*p); p++)
			digits++;
	if (!digits)
		return -1;
	char *num = xstrndup(start, (size_t)(p - start));
	*v = strtod(num, NULL);
	free(num);
	while (isspace((unsigned char)*p))
		p++;
	*end = p;
	return 0;
}

static int parse_percent(const char *s, double *v)
{
	const char *rest;
	if (scan_decimal(s, v, &rest) < 0)
		return -1;
	if (*rest == '%')
		for (rest++; isspace((unsigned char)*rest); rest++)
			;
	return *rest ? -1 : 0;
}

static int parse_number(const char *s, double *v)
{
	const char *rest;
	if (scan_decimal(s, v, &rest) < 0 || *rest)
		return -1;
	return *v == floor(*v) ? 0 : -1;
}

static const struct unit {
	const char *name;
	double mul;
} byte_units[] = {
	{"", 1}, {"b", 1},
	{"k", KB}, {"kb", KB}, {"kib", KB},
	{"m", MB}, {"mb", MB}, {"mib", MB},
	{"g", GB}, {"gb", GB}, {"gib", GB},
	{"t", TB}, {"tb", TB}, {"tib", TB},
};

static int parse_bytes(const char *s, double *v)
{
	const char *rest;
	if (scan_decimal(s, v, &rest) < 0)
		return -1;
	size_t n = strlen(rest);
	while (n && isspace((unsigned char)rest[n - 1]))
		n--;
	for (size_t i = 0; i < ARRAY_LEN(byte_units); i++) {
		if (strlen(byte_units[i].name) == n && !strncasecmp(rest, byte_units[i].name, n)) {
			*v = floor(*v * byte_units[i].mul);
			return 0;
		}
	}
	return -1;
}

static const char *expected_kind(enum opt_type type)
{
	switch (type) {
	case OPT_DURATION:
		return "a duration such as 500ms, 2s, 1min";
	case OPT_PERCENT:
		return "a percentage such as 80 or 80%";
	case OPT_NUMBER:
		return "a whole number such as 10";
	case OPT_BYTES:
		return "a size such as 512kB, 100MB, 1GB or a number of bytes";
	case OPT_STRING:
		break;
	}
	return "a value";
}

static char *range_text(const struct opt_def *d)
{
	char *lo = config_format_opt(d, d->min), *hi = config_format_opt(d, d->max);
	char *r = xasprintf("%s..%s", lo, hi);
	free(lo);
	free(hi);
	return r;
}

static int parse_value(enum opt_type type, const char *text, double *v)
{
	switch (type) {
	case OPT_DURATION:
		return parse_duration_ms(text, v);
	case OPT_PERCENT:
		return parse_percent(text, v);
	case OPT_NUMBER:
		return parse_number(text, v);
	case OPT_BYTES:
		return parse_bytes(text, v);
	case OPT_STRING:
		break;
	}
	*v = 0;
	return 0;
}

int config_parse_opt(const struct opt_def *d, const char *text, double *out, char **why)
{
	double v = 0;
	int rc = parse_value(d->type, text, &v);
	if (d->id == OPT_START && strcmp(text, "panels") && strcmp(text, "rollout")) {
		if (why)
			*why = xstrdup("expected panels or rollout");
		return -1;
	}
	if (d->type == OPT_STRING || (rc == 0 && v >= d->min && v <= d->max)) {
		*out = v;
		return 0;
	}
	if (why) {
		char *range = range_text(d);
		*why = rc < 0 ? xasprintf("expected %s (range %s)", expected_kind(d->type), range)
			      : xasprintf("out of range: allowed %s", range);
		free(range);
	}
	return -1;
}

/* ---- formatting ---- */

/* The largest unit that divides v exactly, so the text parses back to v. */
static char *format_exact(double v, const struct unit *units, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (v >= units[i].mul && fmod(v, units[i].mul) == 0)
			return xasprintf("%.15g%s", v / units[i].mul, units[i].name);
	return xasprintf("%.15g%s", v, units[n - 1].name);
}

char *config_format_opt(const struct opt_def *d, double v)
{
	static const struct unit dur[] = {{"h", HOUR}, {"min", MIN}, {"s", SEC}, {"ms", MS}};
	static const struct unit size[] = {{"TB", TB}, {"GB", GB}, {"MB", MB}, {"kB", KB}, {"B", 1}};
	switch (d->type) {
	case OPT_DURATION:
		return v == 0 ? xstrdup("0s") : format_exact(v, dur, ARRAY_LEN(dur));
	case OPT_BYTES:
		return v == 0 ? xstrdup("0B") : format_exact(v, size, ARRAY_LEN(size));
	case OPT_PERCENT:
		return xasprintf("%.15g%%", v);
	case OPT_NUMBER:
		return xasprintf("%.15g", v);
	case OPT_STRING:
		break;
	}
	return xstrdup("");
}

char *config_opt_text(const struct config *c, enum opt_id id)
{
	const struct opt_def *d = &options[id];
	if (d->type == OPT_STRING)
		return xstrdup(c->sopt[id] ? c->sopt[id] : "");
	return config_format_opt(d, c->opt[id]);
}

void config_defaults(struct config *c)
{
	static const char *const fixed[] = {"primary", "pgbouncer", "redis", "api"};
	struct source_cfg *src[] = {&c->primary, &c->pgbouncer, &c->redis, &c->api};
	memset(c, 0, sizeof(*c));
	for (size_t i = 0; i < ARRAY_LEN(src); i++)
		src[i]->name = xstrdup(fixed[i]);
	for (size_t i = 0; i < ARRAY_LEN(options); i++) {
		const struct opt_def *d = &options[i];
		char *why = NULL;
		if (!d->def)
			continue;
		if (d->type == OPT_STRING)
			c->sopt[d->id] = xstrdup(d->def);
		else if (config_parse_opt(d, d->def, &c->opt[d->id], &why) < 0)
			fatal("option table: default of %s: %s", d->key, why);
	}
}

void config_print_options(FILE *out)
{
	int kw = 0, dw = 0;
	for (size_t i = 0; i < ARRAY_LEN(options); i++) {
		int k = (int)strlen(options[i].key);
		int d = options[i].def ? (int)strlen(options[i].def) : 6;
		kw = k > kw ? k : kw;
		dw = d > dw ? d : dw;
	}
	for (size_t i = 0; i < ARRAY_LEN(options); i++) {
		const struct opt_def *d = &options[i];
		fprintf(out, "  %-*s = %-*s  %s", kw, d->key, dw, d->def ? d->def : "(none)", d->help);
		if (d->type != OPT_STRING) {
			char *range = range_text(d);
			fprintf(out, " [%s]", range);
			free(range);
		}
		fputc('\n', out);
	}
}
