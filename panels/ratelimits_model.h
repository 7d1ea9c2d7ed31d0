/* Rate limits: the API's own analytics (/admin/rate-limit/analytics, see
 * docs/ratelimits-api.md) and the counters read from Redis directly
 * (<prefix><tier>:<key>:<epoch_minute> and <prefix>blocked:<tier>:<key>), merged per tier and
 * per key, and evaluated: a key at >= 80 % of its tier's limit warns (RB-14), a key blocked
 * more than N times a minute is an abuse pattern (critical, RB-16). Pure: no I/O. */
#ifndef OD_RATELIMITS_MODEL_H
#define OD_RATELIMITS_MODEL_H

#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "panels/level.h"
#include "src/util.h"

#define RL_MAX_TIERS 8
#define RL_MAX_HOT 5
#define RL_MAX_KEYS 4096
#define RL_ABUSE_PER_MIN 100 /* default: one key blocked more often than this per minute */

/* ---- the API's analytics ---- */
struct rl_api_tier {
	char name[24];
	double limit, requests, blocked, keys;
};
struct rl_api_key {
	char key[40], tier[24]; /* key already masked by the API */
	double used, limit, blocked;
};
struct rl_analytics {
	double window_s, blocked_count;
	int ntiers, ntop, nnear;
	struct rl_api_tier tiers[RL_MAX_TIERS];
	struct rl_api_key top_blocked[10];
	struct rl_api_key near[20];
};
int rl_parse_analytics(const char *body, size_t len, struct rl_analytics *out, char *err, size_t errlen);

/* ---- Redis ---- */
enum rl_kind { RLK_OTHER, RLK_COUNTER, RLK_BLOCKED };
/* What a key name found by SCAN is: a window counter (tier, key, minute) or an all-time
 * blocked counter (tier, key). */
enum rl_kind rl_classify(const char *prefix, const char *name, char *tier, size_t tn, char *key, size_t kn,
			 long long *minute);
/* "fre1***": never more than the first 4 characters of an API key. */
void rl_mask_key(const char *key, char *out, size_t n);

struct rl_key { /* one API key of one tier, learnt from SCAN */
	char tier[24];
	char *key;
	char *counter_name, *blocked_name; /* what MGET asks for: made once (the counter's once a minute) */
	long long counter_minute;
	unsigned seen_cycle;
	double used;          /* this window's counter (0 when absent) */
	int in_window;        /* the counter exists in this window */
	double blocked_total; /* all-time 429s, 0 when absent */
	double base_v, mid_v; /* blocked_total samples for the rate: 30-60 s apart */
	int64_t base_ms, mid_ms;
	double blocked_per_min; /* NAN until measured */
};

struct rl_redis {
	char prefix[64];
	char cursor[32];       /* "0" = start a new cycle */
	unsigned cycle;        /* completed SCAN cycles */
	unsigned long long examined; /* names returned by SCAN so far */
	long long minute;      /* the current window, from Redis TIME */
	int nkeys;
	struct rl_key *keys;
	struct pair_index index; /* keys by (tier, key), sized for RL_MAX_KEYS */
	const char **names;    /* the MGET names (2 * nkeys + 1), rebuilt when keys or the minute change */
	int nnames;
	long long names_minute;
	double blocked_total;  /* <prefix>blocked_total, NAN when absent */
	int have_values;       /* the counters were read at least once */
};
void rl_redis_init(struct rl_redis *r, const char *prefix);
void rl_redis_done(struct rl_redis *r);
/* One SCAN reply: the next cursor and the names found. Returns 1 when a cycle completed. */
int rl_redis_scan(struct rl_redis *r, const char *cursor, const char *const *names, int n);
/* The names to MGET for the current window: each key's counter, each key's blocked counter,
 * then <prefix>blocked_total (2 * nkeys + 1 names). Owned by r: valid until the next
 * rl_redis_scan(), rl_redis_names() or rl_redis_done(). Made only when the keys or the
 * minute changed (at 4,096 keys that is 8,193 names a refresh not formatted again). */
int rl_redis_names(struct rl_redis *r, const char *const **names);
/* The MGET reply, in the order of rl_redis_names (NULL = nil). */
void rl_redis_values(struct rl_redis *r, const char *const *values, int n, int64_t now_ms);

/* ---- evaluation ---- */
struct rl_config {
	int ntiers;
	char names[RL_MAX_TIERS][24];
	double limits[RL_MAX_TIERS];
	double near_pct;      /* 80 */
	double abuse_per_min; /* RL_ABUSE_PER_MIN */
};

struct rl_tier {
	char name[24];
	double limit, api_limit;       /* configured / the API's (NAN when unknown) */
	double requests, blocked, keys, near; /* this window */
	double blocked_per_min, blocked_total; /* NAN when unknown */
	double rate_429;               /* % of this window's requests that were blocked */
	double max_pct;                /* the hottest key's use of the limit, % (NAN: none) */
	double api_requests, api_blocked, api_keys; /* the API's view, NAN when silent */
	enum level level;
};

struct rl_hot {
	char key[40], tier[24]; /* masked */
	double used, limit, pct, blocked, blocked_per_min, blocked_total;
	enum level level;
};

struct rl_view {
	int from_redis;      /* 1: per-key data from Redis; 0: from the API's lists */
	int ntiers, nhot, nnear;
	struct rl_tier tiers[RL_MAX_TIERS];
	struct rl_hot hot[RL_MAX_HOT];
	double blocked_total;      /* Redis' <prefix>blocked_total, NAN when unknown */
	double api_blocked_count;  /* the API's blocked_count, NAN when unknown */
	enum level level;
	char why[200];
	char abuse[160], near_why[160]; /* "" when none */
};

/* redis / api: NULL when that source has no current data. */
void rl_evaluate(struct rl_view *v, const struct rl_redis *redis, const struct rl_analytics *api,
		 const struct rl_config *cfg);

/* The view as one object for `snapshot --json` (section "ratelimits"). */
cJSON *rl_view_json(const struct rl_view *v);

#endif
