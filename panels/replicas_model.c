#include "panels/replicas_model.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "src/util.h"

const char REPL_PRIMARY_SQL[] =
	"SELECT pg_is_in_recovery() AS in_recovery,"
	" CASE WHEN pg_is_in_recovery() THEN NULL ELSE pg_current_wal_lsn() END AS current_lsn,"
	" s.slot_name, s.active AS slot_active,"
	" r.pid, r.application_name, r.client_addr, r.client_port, r.state, r.sync_state,"
	" r.sent_lsn, r.write_lsn, r.flush_lsn, r.replay_lsn,"
	" CASE WHEN pg_is_in_recovery() THEN NULL"
	"  ELSE pg_wal_lsn_diff(pg_current_wal_lsn(), r.sent_lsn) END AS sent_lag_bytes,"
	" CASE WHEN pg_is_in_recovery() THEN NULL"
	"  ELSE pg_wal_lsn_diff(pg_current_wal_lsn(), r.replay_lsn) END AS replay_lag_bytes,"
	" extract(epoch FROM r.write_lag) * 1000 AS write_lag_ms,"
	" extract(epoch FROM r.flush_lag) * 1000 AS flush_lag_ms,"
	" extract(epoch FROM r.replay_lag) * 1000 AS replay_lag_ms,"
	" CASE WHEN pg_is_in_recovery() THEN NULL"
	"  ELSE pg_wal_lsn_diff(pg_current_wal_lsn(), s.restart_lsn) END AS slot_retained_bytes"
	" FROM (SELECT * FROM pg_replication_slots WHERE slot_type = 'physical') s"
	" FULL JOIN pg_stat_replication r ON r.pid = s.active_pid"
	" ORDER BY coalesce(s.slot_name, r.application_name)";

const char REPL_STANDBY_SQL[] =
	"SELECT pg_is_in_recovery() AS in_recovery,"
	" pg_last_wal_receive_lsn() AS receive_lsn, pg_last_wal_replay_lsn() AS replay_lsn,"
	" pg_last_xact_replay_timestamp() AS replay_ts,"
	" CASE WHEN NOT pg_is_in_recovery() THEN NULL"
	"  WHEN pg_last_wal_receive_lsn() IS NULL OR pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn() THEN 0"
	"  ELSE extract(epoch FROM now() - pg_last_xact_replay_timestamp()) * 1000 END AS replay_delay_ms,"
	" CASE WHEN pg_is_in_recovery() THEN pg_is_wal_replay_paused() END AS replay_paused,"
	" w.slot_name AS receiver_slot, w.status AS receiver_status,"
	" current_setting('cluster_name') AS cluster_name"
	" FROM (SELECT 1) one LEFT JOIN pg_stat_wal_receiver w ON true";

static void copy_val(char *dst, size_t n, const char *v)
{
	snprintf(dst, n, "%s", v ? v : "");
}

#define COPY(dst, rs, row, col) copy_val((dst), sizeof(dst), rowset_val((rs), (row), (col)))

static double num_or_nan(const struct rowset *rs, int row, const char *col)
{
	int ok;
	double d = rowset_num(rs, row, col, &ok);
	return ok ? d : NAN;
}

int repl_parse_primary(const struct rowset *rs, struct repl_primary *out)
{
	memset(out, 0, sizeof(*out));
	if (rowset_col(rs, "slot_name") < 0 || rowset_col(rs, "state") < 0)
		return -1;
	out->s = xcalloc((size_t)(rs->nrows ? rs->nrows : 1), sizeof(*out->s));
	for (int i = 0; i < rs->nrows; i++) {
		struct repl_sender *s = &out->s[out->n++];
		if (i == 0) {
			out->in_recovery = rowset_bool(rs, i, "in_recovery") == 1;
			COPY(out->current_lsn, rs, i, "current_lsn");
		}
		COPY(s->slot, rs, i, "slot_name");
		s->slot_active = rowset_bool(rs, i, "slot_active");
		s->has_sender = rowset_val(rs, i, "pid") != NULL;
		COPY(s->app, rs, i, "application_name");
		COPY(s->client_addr, rs, i, "client_addr");
		COPY(s->state, rs, i, "state");
		COPY(s->sync_state, rs, i, "sync_state");
		double port = num_or_nan(rs, i, "client_port");
		s->client_port = port >= 0 && port <= 65535 ? (int)port : 0; /* NAN or nonsense: unknown */
		COPY(s->sent_lsn, rs, i, "sent_lsn");
		COPY(s->write_lsn, rs, i, "write_lsn");
		COPY(s->flush_lsn, rs, i, "flush_lsn");
		COPY(s->replay_lsn, rs, i, "replay_lsn");
		s->sent_lag_bytes = num_or_nan(rs, i, "sent_lag_bytes");
		s->replay_lag_bytes = num_or_nan(rs, i, "replay_lag_bytes");
		s->write_lag_ms = num_or_nan(rs, i, "write_lag_ms");
		s->flush_lag_ms = num_or_nan(rs, i, "flush_lag_ms");
		s->replay_lag_ms = num_or_nan(rs, i, "replay_lag_ms");
		s->slot_retained_bytes = num_or_nan(rs, i, "slot_retained_bytes");
	}
	return 0;
}

void repl_primary_done(struct repl_primary *p)
{
	free(p->s);
	memset(p, 0, sizeof(*p));
}

int repl_parse_standby(const struct rowset *rs, struct repl_standby *out)
{
	memset(out, 0, sizeof(*out));
	if (rs->nrows < 1 || rowset_col(rs, "in_recovery") < 0)
		return -1;
	out->in_recovery = rowset_bool(rs, 0, "in_recovery") == 1;
	COPY(out->receive_lsn, rs, 0, "receive_lsn");
	COPY(out->replay_lsn, rs, 0, "replay_lsn");
	COPY(out->replay_ts, rs, 0, "replay_ts");
	out->replay_delay_ms = num_or_nan(rs, 0, "replay_delay_ms");
	out->replay_paused = rowset_bool(rs, 0, "replay_paused");
	COPY(out->slot, rs, 0, "receiver_slot");
	COPY(out->receiver_status, rs, 0, "receiver_status");
	COPY(out->cluster_name, rs, 0, "cluster_name");
	return 0;
}

const struct repl_sender *repl_match(const struct repl_primary *p, const char *slot,
				     const char *app_name)
{
	if (slot && *slot)
		for (int i = 0; i < p->n; i++)
			if (!strcmp(p->s[i].slot, slot))
				return &p->s[i];
	if (!app_name || !*app_name)
		return NULL;
	const struct repl_sender *found = NULL;
	for (int i = 0; i < p->n; i++) {
		if (!p->s[i].has_sender || strcmp(p->s[i].app, app_name))
			continue;
		if (found)
			return NULL; /* ambiguous: several senders share the name */
		found = &p->s[i];
	}
	return found;
}

static int slot_claimed(const struct replica *r, int n, const char *slot)
{
	for (int i = 0; i < n; i++)
		if (!strcmp(r[i].known_slot, slot))
			return 1;
	return 0;
}

void repl_infer_slots(struct replica *r, int n, const struct repl_primary *p)
{
	int unknown = -1, n_unknown = 0, free_slot = -1, n_free = 0;
	for (int i = 0; i < n; i++) {
		r[i].inferred_slot[0] = '\0';
		if (!r[i].known_slot[0]) {
			unknown = i;
			n_unknown++;
		}
	}
	for (int i = 0; p && i < p->n; i++)
		if (p->s[i].slot[0] && !slot_claimed(r, n, p->s[i].slot)) {
			free_slot = i;
			n_free++;
		}
	if (n_unknown == 1 && n_free == 1)
		snprintf(r[unknown].inferred_slot, sizeof(r[unknown].inferred_slot), "%s", p->s[free_slot].slot);
}

/* Raises r->level to lv with reason when lv is worse than what is there. */
static void raise_to(struct replica *r, enum level lv, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void raise_to(struct replica *r, enum level lv, const char *fmt, ...)
{
	if (lv <= r->level)
		return;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(r->reason, sizeof(r->reason), fmt, ap);
	va_end(ap);
	r->level = lv;
}

/* The primary's write/flush/replay lag is measured per WAL position and grows while replay
 * waits; the standby's "now - last replayed commit" overstates lag after an idle spell, so
 * it is only used when the primary has no walsender to ask. */
static double worst_lag(const struct replica *r)
{
	double lag = 0;
	if (r->matched) {
		const double v[] = {r->snd.write_lag_ms, r->snd.flush_lag_ms, r->snd.replay_lag_ms};
		for (size_t i = 0; i < ARRAY_LEN(v); i++)
			if (!isnan(v[i]) && v[i] > lag)
				lag = v[i];
		return lag;
	}
	if (r->reachable == 1 && r->have_standby && !isnan(r->sb.replay_delay_ms))
		lag = r->sb.replay_delay_ms;
	return lag;
}

static void evaluate_lag(struct replica *r, const struct repl_thresholds *th, int64_t now_ms)
{
	char lag[32], dur[32], held_s[32];
	double held_crit, held_high;
	r->lag_ms = worst_lag(r);
	fmt_duration_ms(lag, sizeof(lag), r->lag_ms);
	int crit = sustain_update(&r->crit, r->lag_ms >= th->crit_ms, now_ms, th->crit_for_ms, &held_crit);
	int high = sustain_update(&r->high, r->lag_ms >= th->high_ms, now_ms, th->high_for_ms, &held_high);
	if (crit) {
		fmt_duration_ms(dur, sizeof(dur), th->crit_for_ms);
		raise_to(r, LV_CRIT, "replay lag %s >= %.0fs for %s", lag, th->crit_ms / 1000, dur);
	} else if (r->lag_ms >= th->crit_ms) {
		fmt_duration_ms(dur, sizeof(dur), th->crit_for_ms);
		fmt_duration_ms(held_s, sizeof(held_s), held_crit);
		raise_to(r, LV_WARN, "lag %s >= %.0fs for %s (critical after %s)", lag,
			 th->crit_ms / 1000, held_s, dur);
	} else if (high) {
		fmt_duration_ms(dur, sizeof(dur), th->high_for_ms);
		raise_to(r, LV_WARN, "lag %s >= %.0fs for %s (high)", lag, th->high_ms / 1000, dur);
	} else if (r->lag_ms >= th->warn_ms) {
		raise_to(r, LV_WARN, "lag %s >= %.0fs", lag, th->warn_ms / 1000);
	}
}

void replica_evaluate(struct replica *r, const struct repl_primary *primary, int primary_configured,
		      const struct repl_thresholds *th, int64_t now_ms)
{
	r->level = LV_OK;
	r->reason[0] = '\0';
	if (r->reachable == 1 && r->have_standby && r->sb.slot[0])
		snprintf(r->known_slot, sizeof(r->known_slot), "%s", r->sb.slot);

	r->matched = 0;
	if (primary) {
		const char *app = r->have_standby ? r->sb.cluster_name : NULL;
		const char *slot = r->known_slot[0] ? r->known_slot : r->inferred_slot;
		const struct repl_sender *s = repl_match(primary, slot, app);
		if (s) {
			r->snd = *s;
			r->matched = s->has_sender;
		}
	}

	if (r->reachable == 0)
		raise_to(r, LV_CRIT, "unreachable: %s", r->error);
	else if (r->reachable == 1 && r->have_standby && !r->sb.in_recovery)
		raise_to(r, LV_CRIT, "not in recovery: promoted or misconfigured");

	if (primary) {
		if (!r->matched) {
			if (r->known_slot[0] || r->inferred_slot[0])
				raise_to(r, LV_CRIT, "not streaming: slot %s has no walsender",
					 r->known_slot[0] ? r->known_slot : r->inferred_slot);
			else
				raise_to(r, LV_CRIT, "not streaming: not in pg_stat_replication");
		} else if (strcmp(r->snd.state, "streaming") != 0) {
			raise_to(r, LV_CRIT, "state %s, not streaming", r->snd.state[0] ? r->snd.state : "?");
		}
		if (r->snd.slot_active == 0)
			raise_to(r, LV_WARN, "slot %s inactive", r->snd.slot);
	} else if (primary_configured && r->reachable == 1) {
		raise_to(r, LV_WARN, "primary did not answer: streaming unknown");
	}

	evaluate_lag(r, th, now_ms);
	if (r->reachable == 1 && r->have_standby && r->sb.replay_paused == 1)
		raise_to(r, LV_WARN, "replay paused");
	if (r->level == LV_OK)
		snprintf(r->reason, sizeof(r->reason), "streaming");
}
