/* The INI config: one section per environment; sources, refresh, thresholds.
 * Every option lives in one table (config_options()) that the loader, --help,
 * the help screen and the man page are made from. */
#ifndef OD_CONFIG_H
#define OD_CONFIG_H

#include <stddef.h>
#include <stdio.h>

enum opt_type {
	OPT_DURATION, /* "500ms", "2s", "5min", "1h"; stored in ms */
	OPT_PERCENT,  /* "80" or "80%"; stored as 0-100 */
	OPT_NUMBER,   /* plain number */
	OPT_BYTES,    /* "100MB", "512kB", "1GB", bare = bytes; stored in bytes */
	OPT_STRING,   /* stored in config.sopt[] */
};

enum opt_id {
	OPT_REFRESH,          /* refresh = 1s */
	OPT_TIMEOUT,          /* timeout = 3s : deadline of one network operation */
	OPT_SLOW_REFRESH,     /* slow_refresh = 30s : partitions panel */
	OPT_HISTORY,          /* history = 10min : sparkline memory */
	OPT_SAMPLE_INTERVAL,  /* sample_interval = 1min : samples written to the journal */
	OPT_START,            /* start = panels : the screen the console opens on (panels, rollout) */
	OPT_REDIS_PASSWORD_FILE, /* redis.password_file (string) */
	OPT_API_CA_FILE,      /* api.ca_file (string): CA certificates for https:// API URLs */
	OPT_RATELIMIT_PREFIX, /* ratelimit.key_prefix = ratelimit: (string) */
	OPT_TIER_FREE,        /* tier.free = 10 (requests per minute) */
	OPT_TIER_PRO,         /* tier.pro = 1000 */
	OPT_TIER_STANDARD,    /* tier.standard = 100 */
	OPT_TIER_ENTERPRISE,  /* tier.enterprise = 10000 */
	OPT_PARTITION_RETENTION, /* partition.retention_months = 24 (number) */
	OPT_SIGNOFF_ROLES_PER_PERSON, /* signoff.roles_per_person = 1 (number) */
	OPT_TIME_SCALE,       /* time_scale = 1 : periodic checks' every=/for= divided by it */
	OPT_REPLICA_LAG_WARN,         /* threshold.replica_lag_warn = 1s */
	OPT_REPLICA_LAG_HIGH,         /* threshold.replica_lag_high = 10s */
	OPT_REPLICA_LAG_HIGH_FOR,     /* threshold.replica_lag_high_for = 5min */
	OPT_REPLICA_LAG_CRIT,         /* threshold.replica_lag_critical = 30s */
	OPT_REPLICA_LAG_CRIT_FOR,     /* threshold.replica_lag_critical_for = 2min */
	OPT_POOL_SAT_WARN,            /* threshold.pool_saturation_warn = 80% */
	OPT_POOL_SAT_WARN_FOR,        /* threshold.pool_saturation_warn_for = 2min */
	OPT_POOL_SAT_CRIT,            /* threshold.pool_saturation_critical = 90% */
	OPT_POOL_SAT_CRIT_FOR,        /* threshold.pool_saturation_critical_for = 1min */
	OPT_POOL_WAIT_WARN,           /* threshold.pool_wait_warn = 50ms */
	OPT_POOL_WAIT_WARN_FOR,       /* threshold.pool_wait_warn_for = 3min */
	OPT_CACHE_HIT_WARN,           /* threshold.cache_hit_warn = 70% */
	OPT_CACHE_HIT_CRIT,           /* threshold.cache_hit_critical = 50% */
	OPT_CACHE_HIT_CRIT_FOR,       /* threshold.cache_hit_critical_for = 10min */
	OPT_CACHE_MEMORY_WARN,        /* threshold.cache_memory_warn = 100MB */
	OPT_RATE_NEAR_LIMIT,          /* threshold.ratelimit_near = 80% */
	OPT_RATE_ABUSE,               /* threshold.ratelimit_abuse = 100 (blocks per key per minute) */
	OPT_PART_BLOAT_WARN,          /* threshold.partition_bloat_warn = 20% */
	OPT_PART_BLOAT_WARN_FOR,      /* threshold.partition_bloat_warn_for = 1h */
	OPT_PART_BLOAT_CRIT,          /* threshold.partition_bloat_critical = 30% */
	OPT_PART_BLOAT_CRIT_FOR,      /* threshold.partition_bloat_critical_for = 30min */
	OPT_PART_DEAD_TUPLES_WARN,    /* threshold.partition_dead_tuples_warn = 100000 */
	OPT_PART_VACUUM_AGE_WARN,     /* threshold.partition_vacuum_age_warn = 24h */
	OPT_HEALTH_P95_WARN,          /* threshold.p95_warn = 500ms */
	OPT_HEALTH_P95_WARN_FOR,      /* threshold.p95_warn_for = 5min */
	OPT_HEALTH_P95_CRIT,          /* threshold.p95_critical = 1s */
	OPT_HEALTH_P95_CRIT_FOR,      /* threshold.p95_critical_for = 2min */
	OPT_HEALTH_SLOW_QUERIES_WARN, /* threshold.slow_queries_warn = 5 */
	OPT_HEALTH_ERROR_WARN,        /* threshold.error_rate_warn = 1% */
	OPT_HEALTH_ERROR_WARN_FOR,    /* threshold.error_rate_warn_for = 5min */
	OPT_HEALTH_ERROR_CRIT,        /* threshold.error_rate_critical = 5% */
	OPT_HEALTH_ERROR_CRIT_FOR,    /* threshold.error_rate_critical_for = 2min */
	OPT__COUNT
};

struct opt_def {
	enum opt_id id;
	const char *key;      /* INI key */
	enum opt_type type;
	double min, max;      /* accepted range, in stored units */
	const char *def;      /* default, as written in the INI file; NULL = unset */
	const char *help;     /* one line */
};

/* One configured source. dsn == NULL means "not configured" (never an alarm). */
struct source_cfg {
	char *name; /* "primary", "pgbouncer", "redis", "api", or the replica's NAME */
	char *dsn;  /* as written: may hold a password, show only through mask_secrets() */
	int line;   /* line in the config file, for messages */
};

struct config {
	char *path;     /* file it was read from */
	char *env;      /* the selected section */
	char **envs;    /* every section, in file order */
	int n_envs;
	struct source_cfg primary, pgbouncer, redis, api;
	struct source_cfg *replicas; /* replica.NAME keys, in file order */
	int n_replicas;
	double opt[OPT__COUNT];  /* numeric options in stored units */
	char *sopt[OPT__COUNT];  /* string options, NULL if unset */
};

/* The option table, in display order. */
const struct opt_def *config_options(size_t *n);

/* Where to read the config from: cli_path, else $OPSDECK_CONFIG, else
 * $XDG_CONFIG_HOME/opsdeck/config.ini (~/.config/...). Returns a malloced path,
 * or NULL when none exists (then *err says where it looked and what to do). */
char *config_find(const char *cli_path, char **err);

/* Reads path, selects env (NULL: the only section; several without --env is an
 * error naming them). Keys before the first section apply to every environment.
 * On error returns -1 and sets *err (malloced) to "FILE:LINE: message" naming the key,
 * the bad value and what is accepted. A file holding a password that is readable by
 * group/others is refused, pointing to .pgpass / service files / REDISCLI_AUTH.
 * Details: the file needs at least one [section]; every section is checked, not
 * only the selected one; a key set twice in one section is an error; a connection
 * string may go on over indented lines (joined with a space); sopt[] holds
 * redis.password_file resolved ("~/", relative to the config file's folder) after
 * checking it is mode 600. On error *c is left empty (config_done() is harmless). */
int config_load(struct config *c, const char *path, const char *env, char **err);

/* Defaults only, no sources (for tests and for --help). */
void config_defaults(struct config *c);
void config_done(struct config *c);

/* Print the option table as "key = default  help" lines (for --help / man). */
void config_print_options(FILE *out);

/* The option whose INI key is key, or NULL. */
const struct opt_def *config_option_find(const char *key);
/* Parse an option value as written in the INI file (units, range): the one parser
 * behind config_load() and config_defaults(). Returns 0 and sets *out (stored
 * units; 0 for OPT_STRING), or -1 and sets *why (malloced), e.g.
 * "expected a duration such as 500ms, 2s, 1min (range 100ms..1h)". */
int config_parse_opt(const struct opt_def *d, const char *text, double *out, char **why);
/* A numeric value in the INI notation that parses back to it ("1s", "80%", "100MB");
 * malloced. */
char *config_format_opt(const struct opt_def *d, double v);
/* The current value of option id in that notation (string options as is, "" if
 * unset); malloced. */
char *config_opt_text(const struct config *c, enum opt_id id);
/* The source a target names: "primary", "pgbouncer", "redis", "api" or
 * "replica.NAME"; NULL if no such source exists (a fixed one that is not
 * configured is returned with dsn == NULL). */
const struct source_cfg *config_source(const struct config *c, const char *target);

/* Secrets: a copy of a libpq conninfo string, a postgresql:// / redis:// / http(s)://
 * URL with any password, userinfo password, or secret query parameter
 * (password, pass, token, api_key, apikey, key, secret, access_token, and a few
 * more: see mask.c) replaced by "****"; everything else kept exactly as written.
 * NULL in, NULL out; never fails on malformed input. */
char *mask_secrets(const char *dsn);
/* 1 if the string carries a password or secret that mask_secrets would hide. */
int has_secret(const char *dsn);
/* A copy of text (say, a libpq error message about dsn) in which every secret
 * that dsn carries, as written or decoded, is replaced by "****". */
char *mask_secrets_in(const char *text, const char *dsn);

#endif
