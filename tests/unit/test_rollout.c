/* The rollout tracker's model on a journal built here with the journal_* calls and the real
 * checklists (runbooks/checklists): each state in turn, derived at chosen "now" times —
 * baseline recorded, validating with counts, monitoring with its next check, a missed and a
 * failed check, the window over, awaiting sign-off, signed off with a reason, rolled back
 * (and the refusals), failed, aborted, another environment's runs left out. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "runbooks/rollout.h"
#include "src/util.h"
#include "store/journal.h"
#include "tests/unit/tap.h"

#define EVERY_MS 1000 /* W3-4's every=4h at this scale */
#define SCALE (4.0 * 3600 * 1000 / EVERY_MS)

static struct journal *j;
static struct rollout ro;
static char buf[512];

static const struct rollout_row *row(const char *id) { return rollout_find(&ro, id); }

static void refresh(int64_t now)
{
	char *err = NULL;
	if (rollout_refresh(&ro, j, "lab", SCALE, now, &err) < 0)
		printf("# refresh: %s\n", err ? err : "?");
	free(err);
}

static int64_t begin(const char *ref, const char *env)
{
	char *err = NULL;
	struct journal_run r = {.kind = "checklist", .ref = ref, .title = ref, .env = env, .operator_name = "Ana Diaz"};
	int64_t id = journal_run_begin(j, &r, &err);
	if (id < 0)
		printf("# begin: %s\n", err);
	free(err);
	return id;
}

static void step(int64_t run, const char *id, const char *status)
{
	char *err = NULL;
	struct journal_step s = {.run_id = run, .step_id = id, .status = status, .duration_ms = -1};
	if (journal_step_record(j, &s, &err) < 0)
		printf("# step %s: %s\n", id, err);
	free(err);
}

static int sign(int64_t run, const char *role, const char *person, const char *reason)
{
	char *err = NULL;
	struct journal_signoff s = {.run_id = run, .role = role, .person = person, .reason = reason};
	int64_t id = journal_signoff(j, &s, &err);
	if (id < 0)
		printf("# signoff: %s\n", err);
	free(err);
	return id > 0;
}

static int64_t last_result_at(int64_t run, const char *step_id)
{
	struct journal_step_result *v;
	int n;
	char *err = NULL;
	int64_t at = 0;
	if (journal_step_results(j, run, step_id, &v, &n, &err) == 0 && n)
		at = v[n - 1].recorded_at;
	free(v);
	free(err);
	return at;
}

static const char *progress(const char *id, int64_t now) { return rollout_progress(row(id), now, buf, sizeof(buf)); }

static void test_loading(void)
{
	static const char *const ids[] = {"W1-2", "W3-4", "W5-6", "W7", "W8", "PHASE2-FINAL", "PROD-DEPLOY", "DB-SPLIT"};
	is_int(ro.n, 8, "eight checklists are tracked");
	int good = 1;
	for (int i = 0; i < ro.n && i < 8; i++)
		good &= !strcmp(ro.rows[i].id, ids[i]) && ro.rows[i].title && !ro.rows[i].error;
	ok(good, "W1-2 ... DB-SPLIT, in that order, each read with its title");
	refresh(now_wall_ms());
	int none = 1;
	for (int i = 0; i < ro.n; i++)
		none &= ro.rows[i].state == RO_NOT_STARTED && !ro.rows[i].run_id;
	ok(none, "an empty journal: every row not started");
	ok(!rollout_current(&ro, NULL), "nothing in progress: no summary");
}

static int64_t test_validation(void)
{
	int64_t other = begin("CL-W1-2", "production");
	int64_t run = begin("CL-W3-4", "lab");
	refresh(now_wall_ms());
	is_int(row("W1-2")->state, RO_NOT_STARTED, "another environment's W1-2 run is not this one's");
	is_int(row("W3-4")->state, RO_STARTED, "W3-4 started");
	is_int(row("W3-4")->run_id, run, "with its run id");
	is_str(row("W3-4")->operator_name, "Ana Diaz", "and the operator's typed name");
	is_str(progress("W3-4", 0), "0 of 16 steps", "progress: 0 of 16 steps");
	step(run, "1", "pass");
	step(run, "2", "pass");
	refresh(now_wall_ms());
	is_int(row("W3-4")->state, RO_BASELINE, "two baseline steps: baseline recorded");
	is_str(progress("W3-4", 0), "baseline 2/4", "progress: baseline 2/4");
	step(run, "3", "manual-ok");
	step(run, "4", "pass");
	for (int s = 5; s <= 9; s++) {
		char id[16];
		snprintf(id, sizeof(id), "%d", s);
		step(run, id, "pass");
	}
	step(run, "10", "fail");
	refresh(now_wall_ms());
	is_int(row("W3-4")->state, RO_VALIDATING, "validation results: validating");
	is_str(progress("W3-4", 0), "5 of 9 passed, 1 failed", "progress: 5 of 9 passed, 1 failed");
	(void)other;
	return run;
}

static void test_monitoring(int64_t run)
{
	step(run, "14", "pass");
	int64_t t0 = last_result_at(run, "14");
	char text[256];
	refresh(t0 + 100);
	const struct rollout_row *r = row("W3-4");
	is_int(r->state, RO_MONITORING, "the first check of step 14 opens the window: monitoring");
	is_int(r->windows_open, 1, "one window open (steps 15 and 16 have not begun)");
	is_int(r->checks, 7, "every 4h for 24h: 7 checks");
	is_int(r->checks_done, 1, "1 made");
	is_int(r->next_check, t0 + EVERY_MS, "the next check is due one interval after the first");
	is_int(r->window_end, t0 + 6 * EVERY_MS, "the window ends 24 (scaled) hours after it opened");
	is_str(progress("W3-4", t0 + 100), "6s left, checks 1/7", "progress: time left and checks made");
	rollout_summary(r, t0 + 100, text, sizeof(text));
	ok(!strncmp(text, "W3-4 monitoring: 6s left, next check ", 37), "summary: %s", text);
	ok(rollout_current(&ro, NULL) == r, "the monitoring row is the one the status line shows");
	ok(r->auto_due == 0, "nothing due before the next check");

	refresh(t0 + 2 * EVERY_MS + 100);
	r = row("W3-4");
	is_int(r->checks_missed, 1, "check 2's slot passed without a result: 1 missed");
	is_int(r->checks_due, 1, "check 3 is due");
	ok(r->auto_due, "an automatic check is due (the console's scheduler runs it)");
	rollout_summary(r, t0 + 2 * EVERY_MS + 100, text, sizeof(text));
	is_str(text, "W3-4 monitoring: 4s left, due now, 1 missed", "summary says due now and the missed check");
	is_str(rollout_next_check(r, t0 + 2 * EVERY_MS + 100, buf, sizeof(buf)), "due now", "next check: due now");

	/* a check made inside its slot counts; a failed check is counted as failed */
	int64_t wait = t0 + EVERY_MS + 150 - now_wall_ms();
	if (wait > 0)
		usleep((useconds_t)wait * 1000);
	step(run, "14", "pass");
	step(run, "15", "fail");
	refresh(now_wall_ms());
	r = row("W3-4");
	is_int(r->checks_done, 2, "a check recorded in slot 2 counts: 2 made");
	is_int(r->checks_failed, 1, "step 15's first check failed: 1 failed");
	is_int(r->windows, 2, "step 15's failed check opened its window too");
	is_int(r->checks, 14, "checks of both windows are summed (2 x 7)");
	ok(strstr(progress("W3-4", now_wall_ms()), "checks 3/14, 1 failed") != NULL, "progress: %s", buf);

	refresh(t0 + 60 * EVERY_MS);
	r = row("W3-4");
	is_int(r->windows_open, 0, "long after: every window is over");
	is_int(r->state, RO_VALIDATING, "a run still open with steps to do goes back to validating");
	is_int(r->checks_missed, 5 + 6, "the checks never made are missed");
	is_str(progress("W3-4", t0 + 60 * EVERY_MS), "5 of 9 passed, 1 failed; monitoring over: checks 11 missed, 1 failed",
	       "progress: validation counts, and what the monitoring left");
}

static void test_signoff(int64_t run)
{
	char *err = NULL;
	ok(journal_run_end(j, run, "done", &err) == 0, "the run ends done");
	free(err);
	refresh(now_wall_ms() + 60 * EVERY_MS);
	is_int(row("W3-4")->state, RO_AWAITING_SIGNOFF, "done and unsigned: awaiting sign-off");
	ok(!strncmp(progress("W3-4", 0), "0 of 4 roles signed", 19), "progress: %s", buf);
	ok(sign(run, "DBA", "Ana Diaz", "step 10 re-run by hand") && sign(run, "DevOps", "Bo Li", "accepted"),
	   "two roles sign (with reasons: a step failed)");
	refresh(now_wall_ms() + 60 * EVERY_MS);
	ok(!strncmp(progress("W3-4", 0), "2 of 4 roles signed", 19), "progress: %s", buf);
	ok(sign(run, "24-hour monitoring", "Cy Ng", "checks missed in the test") &&
	   sign(run, "Engineering Lead", "Di Lu", "ok"), "the other two sign");
	refresh(now_wall_ms() + 60 * EVERY_MS);
	const struct rollout_row *r = row("W3-4");
	is_int(r->state, RO_SIGNED_OFF, "every role has signed: signed off");
	is_str(progress("W3-4", 0), "by Ana Diaz, Bo Li, Cy Ng, Di Lu (with a reason)",
	       "signed off by whom, marked with a reason");
	ok(r->signed_at >= r->started_at && r->signed_at <= now_wall_ms(), "and when");
	ok(!rollout_current(&ro, NULL), "a signed-off checklist is not in progress");
}

static void test_rollback(int64_t run)
{
	char *err = NULL;
	ok(rollout_rollback(j, run, "", &err) < 0 && err && strstr(err, "reason"), "a roll-back without a reason is refused");
	str_free(&err);
	ok(rollout_rollback(j, run, "p95 doubled once the replicas took the reads", &err) == 0, "W3-4 rolled back");
	str_free(&err);
	refresh(now_wall_ms());
	const struct rollout_row *r = row("W3-4");
	is_int(r->state, RO_ROLLED_BACK, "the tracker says rolled back (over signed off)");
	is_str(r->run_state, "rolled-back", "the run's last event is rolled-back");
	is_str(progress("W3-4", 0), "p95 doubled once the replicas took the reads", "with the reason");
	ok(rollout_rollback(j, run, "again", &err) < 0 && err && strstr(err, "already rolled back"),
	   "rolled back twice: refused");
	str_free(&err);
	char *state = NULL;
	ok(journal_run_state(j, run, &state, &err) == 1 && str_eq(state, "rolled-back"), "journal_run_state agrees");
	free(state);
	struct journal_run rb = {.kind = "runbook", .ref = "RB-1", .env = "lab"};
	int64_t rb_run = journal_run_begin(j, &rb, &err);
	ok(rollout_rollback(j, rb_run, "why", &err) < 0 && err && strstr(err, "only a checklist"),
	   "a runbook's run is not rolled back");
	str_free(&err);
	ok(rollout_rollback(j, 999999, "why", &err) < 0 && err && strstr(err, "no run 999999"), "nor a run that does not exist");
	str_free(&err);
	int64_t again = begin("CL-W3-4", "lab");
	refresh(now_wall_ms());
	is_int(row("W3-4")->run_id, again, "a new W3-4 run after the roll-back is the newest");
	is_int(row("W3-4")->state, RO_STARTED, "and it is just started");
}

static void test_failed_aborted(void)
{
	char *err = NULL;
	int64_t w56 = begin("CL-W5-6", "lab"), w7 = begin("CL-W7", "lab"), w8 = begin("CL-W8", "lab");
	step(w56, "1", "fail");
	journal_run_end(j, w56, "failed", &err);
	journal_run_end(j, w7, "aborted", &err);
	free(err);
	refresh(now_wall_ms());
	is_int(row("W5-6")->state, RO_FAILED, "a run ended failed: failed");
	ok(!strncmp(progress("W5-6", 0), "1 of ", 5), "progress: %s", buf);
	is_int(row("W7")->state, RO_ABORTED, "a run given up: aborted");
	is_int(row("W8")->state, RO_STARTED, "W8 started");
	is_str(rollout_state_name(RO_AWAITING_SIGNOFF), "awaiting sign-off", "state names as the tracker shows them");
	ok(rollout_current(&ro, "W8") == row("W8"), "the checklist open in the walker is preferred for the summary");
	ok(rollout_refresh(&ro, NULL, "lab", 1, now_wall_ms(), &err) == 0 && row("W8")->state == RO_NOT_STARTED,
	   "without a journal every row is not started");
	(void)w8;
}

int main(void)
{
	char tmpl[] = "/tmp/test_rollout.XXXXXX", *err = NULL;
	char *dir = mkdtemp(tmpl);
	if (!dir) {
		printf("Bail out! mkdtemp: %s\n", strerror(errno));
		return 1;
	}
	setenv("XDG_CONFIG_HOME", dir, 1); /* the journal's checkpoint key stays in the test's directory */
	char *path = xasprintf("%s/journal.db", dir);
	if (journal_open(&j, path, &err) < 0) {
		printf("Bail out! %s\n", err);
		return 1;
	}
	const char *top = getenv("srcdir");
	char *cl = xasprintf("%s/runbooks/checklists", top ? top : ".");
	rollout_init(&ro, cl);
	test_loading();
	int64_t run = test_validation();
	test_monitoring(run);
	test_signoff(run);
	test_rollback(run);
	test_failed_aborted();
	rollout_done(&ro);
	journal_close(j);
	char *cmd = xasprintf("rm -rf '%s'", dir);
	if (system(cmd) != 0)
		printf("# could not remove %s\n", dir);
	free(cmd);
	free(cl);
	free(path);
	printf("1..%d\n", tap_n);
	return tap_failed ? 1 : 0;
}
