/* Periodic monitoring through the engine and a real journal: a periodic step's schedule comes
 * from its results in the journal (rb_step_schedule), rb_periodic_due says which automatic
 * periodic steps have a check due and when the next one is, and rb_run_finish keeps a run
 * open while a step is pending or a window is not over, then gives each periodic step its
 * final result once (fail, naming the missed checks). Also: an input changed after the run
 * began is journalled again, masked when secret. Shell probes only: no servers. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "runbooks/engine.h"
#include "runbooks/schedule.h"
#include "src/util.h"
#include "store/journal.h"
#include "tests/unit/tap.h"

#define H (3600 * 1000LL)

static const char text[] =
	"# CL-PTEST: Periodic test\n\n"
	"- **When:** tests\n- **Duration:** 1 min\n- **Owner:** tests\n- **Group:** General\n\n"
	"## Inputs\n\n| name | description | type | example |\n|---|---|---|---|\n"
	"| who | anyone | text | bob |\n| api_token | a secret | text | abcdefgh |\n\n"
	"## Baseline\n\n### 1. A value\n\n```shell baseline=v unit=ms\necho 5\n```\n\n"
	"## Validation\n\n### 2. Done by hand\n\n- [ ] look at it\n\n```text\nlook\n```\n\n"
	"## Monitoring\n\n"
	"### 3. Every 4 hours for 24 hours\n\n```shell every=4h for=24h\nexit 0\n```\n\n"
	"### 4. Every hour for 4 hours, and a look\n\n```shell every=1h for=4h\nexit 0\n```\n\n"
	"```text\ntail -50 /var/log/postgresql/postgresql.log | grep -i error\n```\n\n"
	"## Issues found\n\n| symptom | runbook | what to do |\n|---|---|---|\n| Broken | RB-3 | fix |\n\n"
	"## Sign-off\n\n- [ ] **DBA** verified\n";

static int step_of(const struct runbook *rb, int number)
{
	for (int i = 0; i < rb->n_steps; i++)
		if (rb->steps[i].number == number)
			return i;
	return -1;
}

static void sleep_ms(int ms)
{
	struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
	nanosleep(&ts, NULL);
}

static int results_of(struct journal *j, int64_t run, const char *step)
{
	struct journal_step_result *res = NULL;
	int n = 0;
	char *err = NULL;
	journal_step_results(j, run, step, &res, &n, &err);
	free(res);
	free(err);
	return n;
}

int main(void)
{
	unsetenv("OPSDECK_TIME_SCALE");
	struct runbook rb;
	runbook_parse(&rb, "PTEST.md", text, strlen(text));
	is_int(rb.problems.n, 0, "the test checklist parses without problems%s%s", rb.problems.n ? ": " : "",
	       rb.problems.n ? rb.problems.v[0].msg : "");
	int s1 = step_of(&rb, 1), s2 = step_of(&rb, 2), s3 = step_of(&rb, 3), s4 = step_of(&rb, 4);
	ok(s4 >= 0 && rb.steps[s3].every_ms == 4 * H && rb.steps[s4].every_ms == H, "steps 3 and 4 are periodic");

	struct config cfg;
	config_defaults(&cfg);
	char dir[] = "/tmp/opsdeck-periodic-XXXXXX";
	ok(mkdtemp(dir) != NULL, "a scratch directory");
	char *jpath = xasprintf("%s/journal.db", dir), *err = NULL, *why = NULL;
	struct journal *j = NULL;
	ok(journal_open(&j, jpath, &err) == 0, "a fresh journal opens");
	struct rb_env env = {.cfg = &cfg, .journal = j};
	struct rb_run r;
	rb_run_init(&r, &rb, &env);
	is_int(rb_time_scale(&r), 1, "time scale 1 by default");

	/* nothing recorded: every periodic step with probes has its first check due */
	int idx[8];
	int64_t next = -1, now = now_wall_ms();
	is_int(rb_periodic_due(&r, 1, now, idx, 8, &next, &err), 2, "no run yet: steps 3 and 4 are due");
	ok(idx[0] == s3 && idx[1] == s4, "... in step order");
	is_int(next, 0, "... and no later check is known yet");
	struct sched_state st;
	is_int(rb_step_schedule(&r, s1, 1, now, &st, NULL, 0, &err), 0, "step 1 is not periodic");

	/* the run: step 1, then the first checks of 3 and 4 */
	ok(rb_run_set_input(&r, "who", "ana", &why) == 0, "an input before the run began");
	is_int(rb_step_exec(&r, s1), STEP_PASS, "step 1 passes");
	ok(strstr(r.steps[s1].summary, "baseline v = 5 ms") != NULL, "... its summary names the baseline with its unit (%s)",
	   r.steps[s1].summary);
	ok(rb_step_record(&r, s1, &err) == 0 && r.run_id > 0, "... recorded: the run begins");
	char *obs = rb_step_observed(&r, s1);
	ok(obs && strstr(obs, "baseline v = 5 ms"), "the observed value the journal keeps names it too (%s)", obs);
	free(obs);
	int64_t t0 = now_wall_ms();
	is_int(rb_step_exec(&r, s3), STEP_PASS, "step 3's first check passes");
	ok(rb_step_record(&r, s3, &err) == 0, "... recorded");
	is_int(rb_step_exec(&r, s4), STEP_PASS, "step 4's first check passes");
	ok(rb_step_record(&r, s4, &err) == 0, "... recorded");
	int64_t t1 = now_wall_ms();

	is_int(rb_step_schedule(&r, s3, 1, t1, &st, NULL, 0, &err), 1, "step 3 has a schedule");
	ok(st.started && st.start_ms >= t0 - 50 && st.start_ms <= t1, "... its window opened with the first check");
	is_int(st.n_checks, 7, "... 7 checks");
	is_int(st.done, 1, "... 1 done");
	is_int(st.next_due_ms, st.start_ms + 4 * H, "... the next due 4 h after the first");
	int64_t start3 = st.start_ms;
	rb_step_schedule(&r, s4, 1, t1, &st, NULL, 0, &err);
	int64_t start4 = st.start_ms;
	is_int(st.n_checks, 5, "step 4: every hour for 4 hours is 5 checks");

	is_int(rb_periodic_due(&r, 1, t1, idx, 8, &next, &err), 0, "right after the first checks nothing is due");
	is_int(next, start4 + H, "... the next check is step 4's, an hour after its first");
	is_int(rb_periodic_due(&r, 1, start4 + H + 60000, idx, 8, &next, &err), 1, "an hour later one check is due");
	is_int(idx[0], s4, "... step 4's");
	is_int(next, start4 + 2 * H, "... and the one after it is at 2 h (the due one is not 'next')");
	is_int(rb_periodic_due(&r, 1, start3 + 4 * H + 1000, idx, 8, &next, &err), 2, "at 4 h both are due");
	enum sched_check kinds[8];
	rb_step_schedule(&r, s4, 1, start4 + 4 * H + 1000, &st, kinds, 8, &err);
	is_int(st.missed, 3, "by then step 4 missed its 1 h, 2 h and 3 h checks");
	ok(kinds[1] == SCHED_MISSED && kinds[4] == SCHED_DUE, "... and its 4 h check is due");
	is_int(rb_periodic_due(&r, 1, start3 + 29 * H, idx, 8, &next, &err), 0, "after 29 h every window is over");
	is_int(next, 0, "... nothing is due any more");
	is_int(rb_periodic_due(&r, 3600, start4 + 1100, idx, 8, &next, &err), 1,
	       "at time scale 3600 an hour lasts a second: 1.1 s later step 4's second check is due");
	is_int(next, start4 + 2000, "... and the next one after it at 2 s");

	/* a run with a pending step and open windows stays open */
	const char *state = NULL;
	ok(rb_run_finish(&r, &state, &err) == 0, "finish while windows are open");
	is_str(state, "open", "... the run stays open");
	/* signing while monitoring goes on: its checks so far passed, yet it is not checked */
	struct rb_signoff_req q = {.role = "DBA", .person = "Ana Diaz"};
	char *serr = NULL;
	is_int(rb_signoff(&r, &q, &serr), -1, "signing while two windows are open needs a reason");
	ok(serr && strstr(serr, "0 failed and 3 unchecked steps (monitoring not over)"),
	   "... they count as unchecked with the pending step 2 (%s)", serr ? serr : "");
	str_free(&serr);
	ok(rb_step_mark(&r, s2, STEP_FAIL, "it looked wrong", &why) == 0 && rb_step_record(&r, s2, &err) == 0,
	   "step 2 fails by hand");
	ok(rb_run_finish(&r, &state, &err) == 0 && !strcmp(state, "open"),
	   "a failed step with windows still open: the run stays open, not failed (%s)", state);
	char *jstate = NULL;
	ok(journal_run_state(j, r.run_id, &jstate, &err) == 1 && str_eq(jstate, "started"), "the journal says started");
	free(jstate);

	/* an input changed after the run began is journalled again; a secret one masked */
	ok(rb_run_set_input(&r, "who", "ana", &why) == 0, "the same value again");
	ok(rb_run_set_input(&r, "who", "bob", &why) == 0, "a new value after the run began");
	ok(rb_run_set_input(&r, "api_token", "tok_sekret_123", &why) == 0, "a secret one");
	struct journal_value *vals;
	int nv, who = 0, tok = 0, leak = 0;
	ok(journal_run_values(j, r.run_id, &vals, &nv, &err) == 0, "the run's values");
	for (int k = 0; k < nv; k++) {
		who += str_eq(vals[k].name, "who");
		tok += str_eq(vals[k].name, "api_token") && str_eq(vals[k].value, "tok_***");
		leak |= vals[k].value && strstr(vals[k].value, "sekret") != NULL;
	}
	journal_values_free(vals, nv);
	is_int(who, 2, "who is journalled twice: ana, then bob (not ana again)");
	is_int(tok, 1, "the secret input is journalled at once, masked as tok_***");
	is_int(leak, 0, "the secret itself is not in the journal");

	/* a compressed clock: every window closes within a moment */
	rb_run_done(&r);
	cfg.opt[OPT_TIME_SCALE] = 1e6; /* 4 h = 14.4 ms, 24 h = 86.4 ms */
	struct rb_run r2;
	rb_run_init(&r2, &rb, &env);
	is_int(rb_time_scale(&r2), 1e6, "the config's time_scale is in force");
	setenv("OPSDECK_TIME_SCALE", "2e6", 1);
	is_int(rb_time_scale(&r2), 2e6, "OPSDECK_TIME_SCALE wins over it");
	unsetenv("OPSDECK_TIME_SCALE");
	rb_step_exec(&r2, s1);
	rb_step_record(&r2, s1, &err);
	rb_step_exec(&r2, s3);
	ok(rb_step_record(&r2, s3, &err) == 0, "a new run: step 3's first check");
	rb_step_exec(&r2, s4);
	rb_step_record(&r2, s4, &err);
	for (int k = 0; k < 2; k++) { /* step 3: checks 2 and 3 in their slots, then nothing */
		sleep_ms(15);
		if (rb_periodic_due(&r2, 1e6, now_wall_ms(), idx, 8, NULL, &err) > 0 && idx[0] == s3) {
			rb_step_exec(&r2, s3);
			rb_step_record(&r2, s3, &err);
		}
	}
	sleep_ms(150);
	ok(rb_run_finish(&r2, &state, &err) == 0, "finish after the windows closed");
	is_str(state, "open", "... step 2 is still pending: the run stays open");
	int s3n = results_of(j, r2.run_id, "3");
	is_int(r2.steps[s3].status, STEP_FAIL, "step 3's final result: fail (checks were missed)");
	ok(r2.steps[s3].note && strstr(r2.steps[s3].note, "missed (no result in their slot)") &&
	   strstr(r2.steps[s3].note, "monitoring window over: checks "),
	   "... the note names the missed checks: %s", r2.steps[s3].note ? r2.steps[s3].note : "");
	ok(strstr(r2.steps[s3].summary, " of 7 checks passed") != NULL, "... summary %s", r2.steps[s3].summary);
	ok(rb_run_finish(&r2, &state, &err) == 0 && results_of(j, r2.run_id, "3") == s3n,
	   "finishing again records no second final result");
	ok(rb_step_mark(&r2, s2, STEP_MANUAL_OK, NULL, &why) == 0 && rb_step_record(&r2, s2, &err) == 0,
	   "step 2 done by hand");
	ok(rb_run_finish(&r2, &state, &err) == 0, "finish");
	is_str(state, "failed", "... every step has a final result: failed (missed checks)");

	/* every check made in its slot: pass */
	struct rb_run r3;
	rb_run_init(&r3, &rb, &env);
	cfg.opt[OPT_TIME_SCALE] = 3600; /* step 4: every second for 4 s, 5 checks (slots wide enough for a loaded machine) */
	rb_step_mark(&r3, s2, STEP_MANUAL_OK, NULL, &why);
	rb_step_record(&r3, s2, &err);
	int64_t until = now_wall_ms() + 12000;
	int made = 0;
	while (now_wall_ms() < until) {
		int n = rb_periodic_due(&r3, 3600, now_wall_ms(), idx, 8, &next, &err);
		for (int k = 0; k < n; k++)
			if (idx[k] == s4) {
				rb_step_exec(&r3, s4);
				rb_step_record(&r3, s4, &err);
				made++;
			}
		rb_step_schedule(&r3, s4, 3600, now_wall_ms(), &st, NULL, 0, &err);
		if (st.over)
			break;
		sleep_ms(5);
	}
	is_int(made, 5, "step 4 made each of its 5 checks when due");
	rb_run_finish(&r3, &state, &err);
	is_int(r3.steps[s4].status, STEP_PASS, "... its final result: pass");
	is_str(r3.steps[s4].note, "monitoring window over: every check passed", "... the note says so");
	ok(rb_step_schedule(&r3, s4, 3600, now_wall_ms(), &st, NULL, 0, &err) == 1 && st.done == 5,
	   "the final result is not counted as a sixth check");
	is_str(state, "open", "step 3 never started: the run stays open");
	rb_run_done(&r3);
	rb_run_done(&r2);

	journal_close(j);
	char *cmd = xasprintf("rm -rf '%s'", dir);
	ok(system(cmd) == 0, "the scratch directory is removed");
	free(cmd);
	free(err);
	free(why);
	free(jpath);
	config_done(&cfg);
	runbook_done(&rb);
	return done_testing();
}
