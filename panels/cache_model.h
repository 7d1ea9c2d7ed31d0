/* Cache (Redis): pure parsing of INFO text by field name, rates from two consecutive
 * samples (the hit rate over the last refresh interval, not since start), and evaluation
 * against the thresholds. No I/O: unit tests feed it captured INFO output. */
#ifndef OD_CACHE_MODEL_H
#define OD_CACHE_MODEL_H

#include <stddef.h>
#include <stdint.h>

#include "panels/alerts.h"
#include "panels/level.h"

#define CACHE_MAX_DBS 16

struct redis_db {
	int db;
	double keys, expires, avg_ttl_ms;
};

/* What INFO says; numbers are NAN and strings "" when the field is absent or malformed. */
struct redis_info {
	int fields; /* fields recognised; 0 = this was not INFO output */
	char version[24], mode[16], role[16], run_id[48];
	double uptime_s;
	double connected_clients, blocked_clients, maxclients;
	double used_memory, used_memory_rss, used_memory_peak, maxmemory;
	char used_memory_human[16], maxmemory_human[16], maxmemory_policy[32];
	double mem_fragmentation_ratio;
	double total_connections_received, rejected_connections;
	double total_commands_processed, instantaneous_ops_per_sec;
	double keyspace_hits, keyspace_misses, expired_keys, evicted_keys;
	int ndb; /* "# Keyspace" lines: db0:keys=1,expires=0,avg_ttl=0 */
	struct redis_db db[CACHE_MAX_DBS];
	double keyspace_keys; /* sum over the databases listed (0 when none: an empty server) */
};

void redis_info_init(struct redis_info *in);
/* Parses INFO text (\n or \r\n lines, "# Section" comments, unknown fields ignored).
 * Returns 0, or -1 when not a single known field was found. */
int redis_info_parse(const char *text, size_t len, struct redis_info *out);

/* One answered refresh. */
struct cache_sample {
	int64_t mono_ms;  /* when it arrived */
	struct redis_info info;
	double dbsize;    /* DBSIZE of the selected database, NAN unknown */
	double ping_ms;   /* round trip of the batch that started with PING */
	char ping[32];    /* PING's answer: "PONG" when healthy */
};

/* From two consecutive samples. NAN = unknown. */
struct cache_rates {
	int have;          /* a previous comparable sample existed */
	int reset;         /* counters went backwards or run_id/uptime changed: a new baseline */
	int no_lookups;    /* have, and no GET-like lookups in the interval */
	double interval_s;
	double hits, misses;          /* deltas over the interval */
	double hit_rate;              /* percent over the interval */
	double hit_rate_total;        /* percent since start (or CONFIG RESETSTAT) */
	double ops_per_s;             /* total_commands_processed delta / interval */
	double expired_per_s, evicted_per_s;
};

void cache_rates_compute(const struct cache_sample *prev, const struct cache_sample *cur,
			 struct cache_rates *out);

struct cache_thresholds {
	double hit_warn, hit_crit; /* percent */
	double hit_crit_for_ms;
	double mem_warn;           /* bytes */
};

/* The one Redis, as the panel keeps it between refreshes. */
struct cache_state {
	int reachable;           /* 1 answered, 0 failed, -1 not asked yet */
	char error[160];         /* why not reachable */
	int have_cur, have_prev;
	struct cache_sample cur, prev;
	struct cache_rates rates;
	enum level level, hit_level, mem_level, ping_level;
	int hit_pending;         /* below the critical threshold, not yet for long enough */
	int hit_held;            /* no lookups in the interval: the last judgement stands */
	double judged_rate;      /* hit rate of the latest interval with lookups, NAN = none */
	int64_t judged_ms;       /* when it was measured */
	double crit_held_ms;
	char reason[200];        /* why level is what it is ("" when ok) */
	char hit_why[160], mem_why[160];
	struct sustain crit;
};

void cache_state_init(struct cache_state *s);
/* A new answered sample: the current one becomes the previous one, rates are computed. */
void cache_observe(struct cache_state *s, const struct cache_sample *sample);
/* The refresh failed (down, timeout, auth, unexpected reply). */
void cache_fail(struct cache_state *s, const char *why);
/* Levels and reasons. Down is critical; a hit rate below hit_warn over the interval warns,
 * below hit_crit for hit_crit_for_ms is critical (pending meanwhile); used memory above
 * mem_warn warns. An interval without lookups has no hit rate of its own ("no lookups",
 * never 0 %): it brings no new evidence, so the judgement of the latest interval with
 * lookups stands for up to CACHE_HOLD_MS (sparse traffic would otherwise flap the alert);
 * after that the hit rate is unknown and the condition clears, its sustain restarting. */
#define CACHE_HOLD_MS 60000
void cache_evaluate(struct cache_state *s, const struct cache_thresholds *th, int64_t now_ms);

/* Display helpers: a compact duration ("4s", "9m59s", "10m", "1h05m"); a latency that keeps
 * sub-millisecond decimals ("0.42ms"); a number or "-" when unknown (pct adds "%"). */
void cache_duration(char *buf, size_t n, double ms);
void cache_fmt_latency(char *buf, size_t n, double ms);
void cache_fmt_num(char *buf, size_t n, double v, int decimals, int pct);

/* Reports cache.down (critical, RB-12), cache.hit_rate (warn or critical, RB-11; the summary
 * says when critical is pending) and cache.memory (warn, RB-12) after an evaluation. */
void cache_report_alerts(const struct cache_state *s, struct alerts *al);

#endif
