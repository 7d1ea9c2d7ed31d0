/* Replication parsing, matching and evaluation, fed with captured psql --csv output. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "panels/pgconn.h"
#include "panels/replicas_model.h"
#include "src/util.h"
#include "tests/unit/fixture.h"
#include "tests/unit/tap.h"

static int load_primary(const char *name, struct repl_primary *p)
{
	struct rowset rs;
	int rc = fixture_rowset("pg", name, &rs);
	if (rc == 0)
		rc = repl_parse_primary(&rs, p);
	rowset_done(&rs);
	return rc;
}

static int load_standby(const char *name, struct repl_standby *sb)
{
	struct rowset rs;
	int rc = fixture_rowset("pg", name, &rs);
	if (rc == 0)
		rc = repl_parse_standby(&rs, sb);
	rowset_done(&rs);
	return rc;
}

static const struct repl_thresholds TH = {1000, 10000, 300000, 30000, 120000};

static void replica_init(struct replica *r, const char *name)
{
	memset(r, 0, sizeof(*r));
	snprintf(r->name, sizeof(r->name), "%s", name);
	r->reachable = -1;
	r->snd.slot_active = -1;
	history_init(&r->lag_hist, 8);
}

static void test_csv(void)
{
	struct rowset rs;
	is_int(rowset_from_csv(&rs, "a,b,c\n1,,\"\"\n\"x,\"\"y\"\"\",2,3\n"), 0, "csv parses");
	is_int(rs.nrows, 2, "two rows");
	ok(rowset_val(&rs, 0, "b") == NULL, "unquoted empty field is NULL");
	is_str(rowset_val(&rs, 0, "c"), "", "quoted empty field is the empty string");
	is_str(rowset_val(&rs, 1, "a"), "x,\"y\"", "quotes and commas inside a field");
	ok(rowset_val(&rs, 0, "nosuch") == NULL, "unknown column is NULL, not a crash");
	rowset_done(&rs);
	is_int(rowset_from_csv(&rs, "a,b\n\"unterminated,1\n"), -1, "unterminated quote is an error");
	is_int(rowset_from_csv(&rs, ""), 0, "empty input is an empty rowset");
	is_int(rs.ncols, 0, "no columns");
	rowset_done(&rs);
}

static void test_match_by_slot(void)
{
	struct repl_primary p;
	struct repl_standby sb;
	is_int(load_primary("primary-two-streaming.csv", &p), 0, "primary parsed");
	is_int(p.n, 2, "two senders");
	is_str(p.s[0].app, p.s[1].app, "both replicas share one application_name");
	is_str(p.s[0].client_addr, p.s[1].client_addr, "and one client address");
	ok(repl_match(&p, NULL, "ywmessaging_replica") == NULL, "application_name alone is ambiguous");
	const struct repl_sender *s = repl_match(&p, "replica_2_slot", NULL);
	ok(s && s->client_port == 51240, "the slot picks the right walsender");
	ok(s && fabs(s->replay_lag_ms - 2.101) < 1e-9, "replay lag read by column name");

	struct replica r;
	replica_init(&r, "east");
	is_int(load_standby("standby-east.csv", &sb), 0, "standby parsed");
	r.reachable = 1;
	r.have_standby = 1;
	r.sb = sb;
	replica_evaluate(&r, &p, 1, &TH, 1000);
	is_int(r.matched, 1, "east matched through its receiver slot");
	is_str(r.snd.slot, "replica_1_slot", "east is on replica_1_slot");
	is_int(r.level, LV_OK, "healthy replica is ok");
	is_str(r.reason, "streaming", "reason says streaming");
	history_done(&r.lag_hist);
	repl_primary_done(&p);
}

static void test_paused(void)
{
	struct repl_primary p;
	struct replica r;
	replica_init(&r, "west");
	load_primary("primary-west-paused.csv", &p);
	load_standby("standby-west-paused.csv", &r.sb);
	r.reachable = 1;
	r.have_standby = 1;
	replica_evaluate(&r, &p, 1, &TH, 1000);
	ok(fabs(r.lag_ms - 45210.5) < 1e-6, "lag is the primary's worst write/flush/replay lag (%.0f ms)", r.lag_ms);
	is_int(r.level, LV_WARN, "lag >= 30s but not yet for 2 min is warn (pending critical)");
	ok(strstr(r.reason, "critical after") != NULL, "reason says when it turns critical: %s", r.reason);
	replica_evaluate(&r, &p, 1, &TH, 1000 + 119000);
	is_int(r.level, LV_WARN, "still warn at 1m59s");
	replica_evaluate(&r, &p, 1, &TH, 1000 + 120000);
	is_int(r.level, LV_CRIT, "critical once held for 2 min");
	history_done(&r.lag_hist);
	repl_primary_done(&p);
}

static void test_missing_and_unreachable(void)
{
	struct repl_primary p;
	struct replica r;
	replica_init(&r, "east");
	load_primary("primary-east-gone.csv", &p);
	snprintf(r.known_slot, sizeof(r.known_slot), "replica_1_slot");
	r.reachable = 0;
	snprintf(r.error, sizeof(r.error), "connection refused");
	replica_evaluate(&r, &p, 1, &TH, 5000);
	is_int(r.level, LV_CRIT, "stopped replica is critical");
	ok(strstr(r.reason, "unreachable") != NULL, "reason says unreachable: %s", r.reason);
	is_int(r.matched, 0, "no walsender for its slot");
	is_int(r.snd.slot_active, 0, "its slot is reported inactive");

	struct replica two[2];
	replica_init(&two[0], "east");
	replica_init(&two[1], "west");
	snprintf(two[1].known_slot, sizeof(two[1].known_slot), "replica_2_slot");
	repl_infer_slots(two, 2, &p);
	is_str(two[0].inferred_slot, "replica_1_slot", "a replica never reached gets the one unclaimed slot");
	two[0].reachable = 0;
	replica_evaluate(&two[0], &p, 1, &TH, 5000);
	is_int(two[0].snd.slot_active, 0, "and shows that slot inactive");
	snprintf(two[1].known_slot, sizeof(two[1].known_slot), "%s", "");
	repl_infer_slots(two, 2, &p);
	is_str(two[0].inferred_slot, "", "no guess when two replicas and two slots are unknown");
	history_done(&two[0].lag_hist);
	history_done(&two[1].lag_hist);

	struct replica never;
	replica_init(&never, "north");
	replica_evaluate(&never, &p, 1, &TH, 5000);
	is_int(never.level, LV_CRIT, "a configured replica absent from pg_stat_replication is critical");
	history_done(&never.lag_hist);

	struct replica promoted;
	replica_init(&promoted, "west");
	load_standby("standby-promoted.csv", &promoted.sb);
	promoted.reachable = 1;
	promoted.have_standby = 1;
	replica_evaluate(&promoted, &p, 1, &TH, 5000);
	is_int(promoted.level, LV_CRIT, "a standby out of recovery is critical");

	struct replica lone;
	replica_init(&lone, "west");
	load_standby("standby-west-paused.csv", &lone.sb);
	lone.reachable = 1;
	lone.have_standby = 1;
	replica_evaluate(&lone, NULL, 1, &TH, 5000);
	ok(fabs(lone.lag_ms - 48210.77) < 1e-6, "without the primary, the standby's replay delay is the lag");
	is_int(lone.level, LV_WARN, "and a silent primary makes it warn, not ok");
	history_done(&lone.lag_hist);
	history_done(&promoted.lag_hist);
	history_done(&r.lag_hist);
	repl_primary_done(&p);
}

static void test_sustain_and_history(void)
{
	struct sustain s = {0};
	double held;
	is_int(sustain_update(&s, 1, 100, 50, &held), 0, "not firing at first");
	is_int(sustain_update(&s, 1, 150, 50, &held), 1, "fires after its duration");
	is_int(sustain_update(&s, 0, 160, 50, &held), 0, "clears when the condition stops");
	is_int(sustain_update(&s, 1, 170, 50, &held), 0, "and starts over");
	struct history h;
	history_init(&h, 3);
	for (int i = 1; i <= 5; i++)
		history_push(&h, i);
	is_int(h.len, 3, "history keeps its capacity");
	ok(history_at(&h, 0) == 3 && history_at(&h, 2) == 5, "oldest first after wrapping");
	history_done(&h);
}

static void test_condense(void)
{
	char *m = pgconn_condense_error("connection to server at \"127.0.0.1\", port 25431 failed: Connection refused\n"
				       "\tIs the server running on that host and accepting TCP/IP connections?\n", "x");
	is_str(m, "Connection refused (127.0.0.1:25431)", "libpq connection errors lead with the cause");
	free(m);
	m = pgconn_condense_error("FATAL:  password authentication failed for user \"ops\"\n", "x");
	is_str(m, "FATAL:  password authentication failed for user \"ops\"", "other messages keep their first line");
	free(m);
	m = pgconn_condense_error("connection to server at \"db\" failed: ", "x");
	is_str(m, "connection to server at \"db\" failed: ", "a truncated message is kept as it is");
	free(m);
	m = pgconn_condense_error(NULL, "fallback");
	is_str(m, "fallback", "no message: the fallback");
	free(m);
}

int main(void)
{
	test_condense();
	test_csv();
	test_match_by_slot();
	test_paused();
	test_missing_and_unreachable();
	test_sustain_and_history();
	return done_testing();
}
