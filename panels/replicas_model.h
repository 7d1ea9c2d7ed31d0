/* Replication: pure parsing of what the primary and each standby report, matching each
 * configured replica to its walsender (by replication slot, which stays unique when several
 * replicas share an address and application_name), and evaluation against thresholds. */
#ifndef OD_REPLICAS_MODEL_H
#define OD_REPLICAS_MODEL_H

#include <stdint.h>

#include "panels/level.h"
#include "panels/rowset.h"

/* The SQL each side runs; the parsers read their columns by name. */
extern const char REPL_PRIMARY_SQL[];
extern const char REPL_STANDBY_SQL[];

struct repl_sender { /* one physical slot and/or walsender on the primary */
	char slot[64];
	int slot_active; /* 1, 0, -1 = no slot */
	int has_sender;  /* a pg_stat_replication row exists */
	char app[64], client_addr[64], state[32], sync_state[16];
	int client_port;
	char sent_lsn[24], write_lsn[24], flush_lsn[24], replay_lsn[24];
	double sent_lag_bytes, replay_lag_bytes;      /* NAN if unknown */
	double write_lag_ms, flush_lag_ms, replay_lag_ms; /* NAN = NULL (caught up / idle) */
	double slot_retained_bytes;
};

struct repl_primary {
	int in_recovery; /* the "primary" is itself a standby: an alarm */
	char current_lsn[24];
	int n;
	struct repl_sender *s;
};

struct repl_standby {
	int in_recovery;
	char receive_lsn[24], replay_lsn[24], replay_ts[40];
	double replay_delay_ms; /* 0 when replay has caught up with what was received */
	int replay_paused;      /* 1, 0, -1 unknown */
	char slot[64];          /* pg_stat_wal_receiver.slot_name */
	char receiver_status[32];
	char cluster_name[64];
};

int repl_parse_primary(const struct rowset *rs, struct repl_primary *out);
void repl_primary_done(struct repl_primary *p);
int repl_parse_standby(const struct rowset *rs, struct repl_standby *out);

/* Finds the sender for a replica: by slot name, else by a unique application_name. */
const struct repl_sender *repl_match(const struct repl_primary *p, const char *slot,
				     const char *app_name);

struct replica;

/* For replicas whose slot was never learnt (down since opsdeck started): when exactly one
 * such replica and exactly one physical slot claimed by nobody remain, that is its slot. */
void repl_infer_slots(struct replica *r, int n, const struct repl_primary *p);

struct repl_thresholds {
	double warn_ms, high_ms, high_for_ms, crit_ms, crit_for_ms;
};

/* One configured replica, as the panel keeps it between refreshes. */
struct replica {
	char name[64];
	int reachable;            /* 1 answered, 0 failed, -1 not asked yet */
	char error[160];          /* why unreachable */
	int have_standby;
	struct repl_standby sb;
	char known_slot[64];      /* learnt from the standby; kept while it is unreachable */
	char inferred_slot[64];   /* never learnt: the one slot no other replica claims */
	int matched;
	struct repl_sender snd;
	double lag_ms;            /* worst of write/flush/replay lag and the standby's replay delay */
	enum level level;
	char reason[160];
	struct sustain high, crit;
	struct history lag_hist;
};

/* primary: NULL when the primary has not answered (or is not configured:
 * primary_configured = 0, then streaming is simply not judged; the console also passes 0
 * before the primary's first answer or failure, so start-up raises no warning). */
void replica_evaluate(struct replica *r, const struct repl_primary *primary, int primary_configured,
		      const struct repl_thresholds *th, int64_t now_ms);

#endif
