/* The runbook engine without servers: shell probes run for real (local /bin/sh), inputs
 * arrive as environment variables and never as code, captures flow between steps, wait=
 * retries, deadlines kill, secrets are masked, read-only refuses, and a run recorded in a
 * journal resumes at its first unfinished step with its inputs and captures. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "runbooks/engine.h"
#include "src/util.h"
#include "store/journal.h"
#include "tests/unit/tap.h"

static const char text[] =
	"# RB-7: Engine test\n"
	"\n"
	"- **When:** tests\n"
	"- **Duration:** 1 min\n"
	"- **Owner:** tests\n"
	"- **Group:** General\n"
	"\n"
	"## Prerequisites\n\n- none\n\n"
	"## Inputs\n\n"
	"| name | description | type | example |\n"
	"|---|---|---|---|\n"
	"| who | anything at all | text | bob |\n"
	"| dir | a scratch directory | text | /tmp |\n"
	"| n | a small number | integer 1..5 | 3 |\n"
	"| api_key | a client key | /[A-Za-z0-9_]{8,64}/ | abcdefgh1 |\n"
	"\n"
	"## Steps\n\n"
	"### 1. Say hello\n\n"
	"```shell expect=\"exit == 0 and value == 'hello'\"\nprintf hello\n```\n\n"
	"### 2. Keep a value\n\n"
	"```shell capture=x\necho 42\n```\n\n"
	"### 3. Use it\n\n"
	"```shell expect=\"value == captured('x')\"\necho 42\n```\n\n"
	"### 4. Hostile input stays data\n\n"
	"```shell expect=\"value == input('who')\"\nprintf '%s' \"$OPSDECK_INPUT_WHO\"\n```\n\n"
	"### 5. Press the button\n\n"
	"```text destructive confirm=GO\nsudo press-the-button\n```\n\n"
	"### 6. Write something\n\n"
	"```shell writes\necho written\n```\n\n"
	"### 7. Eventually true\n\n"
	"```shell wait=6s expect=\"value >= 2\"\n"
	"n=$(cat \"$OPSDECK_INPUT_DIR/count\" 2>/dev/null || echo 0)\n"
	"echo $((n + 1)) > \"$OPSDECK_INPUT_DIR/count\"\n"
	"echo \"$n\"\n```\n\n"
	"### 8. Too slow\n\n"
	"```shell timeout=1s\nsleep 5\n```\n\n"
	"### 9. Never shows a key\n\n"
	"```shell\necho \"key is $OPSDECK_INPUT_API_KEY\"\n```\n\n"
	"### 10. Fails honestly\n\n"
	"```shell\necho oops >&2; exit 3\n```\n\n"
	"## Success criteria\n\n- ✅ it works\n\n"
	"## Troubleshooting\n\n- **It fails:** look.\n\n"
	"## Rollback\n\nNothing.\n";

static int step_of(const struct runbook *rb, int number)
{
	for (int i = 0; i < rb->n_steps; i++)
		if (rb->steps[i].number == number)
			return i;
	return -1;
}

int main(void)
{
	struct runbook rb;
	runbook_parse(&rb, "RB-7.md", text, strlen(text));
	is_int(rb.problems.n, 0, "the test runbook parses without problems");
	is_int(rb.n_steps, 10, "it has ten steps");

	struct config cfg;
	config_defaults(&cfg);
	char dir[] = "/tmp/opsdeck-engine-XXXXXX";
	ok(mkdtemp(dir) != NULL, "a scratch directory");
	char *jpath = xasprintf("%s/journal.db", dir), *err = NULL;
	struct journal *j = NULL;
	ok(journal_open(&j, jpath, &err) == 0, "a fresh journal opens");

	struct rb_env env = {.cfg = &cfg, .journal = j};
	struct rb_run r;
	rb_run_init(&r, &rb, &env);

	/* inputs */
	char *why = NULL;
	ok(rb_run_set_input(&r, "n", "9", &why) < 0 && why && strstr(why, "1..5"),
	   "an integer out of its range is refused, naming the range (%s)", why ? why : "");
	str_free(&why);
	ok(rb_run_set_input(&r, "nope", "1", &why) < 0 && why && strstr(why, "who, dir, n, api_key"),
	   "an unknown input is refused, listing the inputs (%s)", why ? why : "");
	str_free(&why);
	ok(rb_run_set_input(&r, "api_key", "$(touch x)", &why) < 0, "a value that does not match the regex is refused");
	str_free(&why);
	int idx[8];
	is_int(rb_step_missing_inputs(&r, step_of(&rb, 4), idx, 8), 1, "step 4 needs one input");
	is_str(rb.inputs[idx[0]].name, "who", "... who");
	is_int(rb_step_missing_inputs(&r, step_of(&rb, 1), idx, 8), 0, "step 1 needs none");
	ok(rb_step_check(&r, step_of(&rb, 4), &why) < 0 && why && strstr(why, "who"),
	   "a step cannot run before its input is given (%s)", why ? why : "");
	str_free(&why);
	char *marker = xasprintf("%s/pwned", dir);
	char *hostile = xasprintf("'; DROP TABLE users; -- $(touch %s) `touch %s`", marker, marker);
	ok(rb_run_set_input(&r, "who", hostile, &why) == 0, "a hostile text value is accepted as text");
	ok(rb_run_set_input(&r, "dir", dir, &why) == 0, "dir is set");
	ok(rb_run_set_input(&r, "api_key", "sekret_key_123", &why) == 0, "the key is set");
	ok(rb_input_is_secret("api_key") && !rb_input_is_secret("replica"), "api_key is a secret input, replica is not");

	/* steps */
	is_int(rb_step_exec(&r, step_of(&rb, 1)), STEP_PASS, "step 1 passes");
	is_str(r.steps[0].probes[0].value, "hello", "... its value is the trimmed stdout");
	ok(r.steps[0].summary && strstr(r.steps[0].summary, "value = 'hello'"), "... observed: %s", r.steps[0].summary);
	ok(rb_step_record(&r, 0, &err) == 0 && r.run_id > 0, "... recorded, which begins the run");
	is_int(rb_step_exec(&r, step_of(&rb, 2)), STEP_PASS, "step 2 passes");
	ok(rb_step_record(&r, 1, &err) == 0, "... recorded");
	is_int(rb_step_exec(&r, step_of(&rb, 3)), STEP_PASS, "step 3 sees step 2's capture");
	is_int(rb_step_exec(&r, step_of(&rb, 4)), STEP_PASS, "step 4: the hostile value came back unchanged");
	ok(access(marker, F_OK) != 0, "... and nothing it contains was executed");

	int s5 = step_of(&rb, 5);
	is_str(rb_step_confirm_word(&r, s5), "GO", "the destructive manual step asks for GO");
	ok(rb_step_confirm_word(&r, step_of(&rb, 1)) == NULL, "a read-only step asks for nothing");
	ok(rb_step_mark(&r, s5, STEP_SKIP, "", &why) < 0, "skipping without a reason is refused");
	str_free(&why);
	ok(rb_step_mark(&r, step_of(&rb, 1), STEP_MANUAL_OK, NULL, &why) < 0,
	   "an automatic step cannot be marked done by hand");
	str_free(&why);

	int s7 = step_of(&rb, 7);
	is_int(rb_step_exec(&r, s7), STEP_PASS, "step 7 passes after retries (wait=)");
	is_int(r.steps[s7].probes[0].attempts, 3, "... on its third attempt");

	int s8 = step_of(&rb, 8);
	int64_t t0 = now_mono_ms();
	is_int(rb_step_exec(&r, s8), STEP_ERROR, "step 8 is an error: it timed out");
	ok(now_mono_ms() - t0 < 3500, "... killed at its 1 s deadline (took %lld ms)", (long long)(now_mono_ms() - t0));
	ok(r.steps[s8].probes[0].error && strstr(r.steps[s8].probes[0].error, "timed out"), "... says it timed out");
	ok(r.steps[s8].probes[0].output && strstr(r.steps[s8].probes[0].output, "[timed out after 1."),
	   "... and its output says when it was stopped: %s", r.steps[s8].probes[0].output ? r.steps[s8].probes[0].output : "");

	int s9 = step_of(&rb, 9);
	is_int(rb_step_exec(&r, s9), STEP_PASS, "step 9 runs");
	ok(r.steps[s9].probes[0].output && !strstr(r.steps[s9].probes[0].output, "sekret_key_123") &&
	   strstr(r.steps[s9].probes[0].output, "key is ****"), "... and its output shows the key masked: %s",
	   r.steps[s9].probes[0].output);

	int s10 = step_of(&rb, 10);
	is_int(rb_step_exec(&r, s10), STEP_FAIL, "step 10 fails: exit 3");
	ok(r.steps[s10].summary && strstr(r.steps[s10].summary, "exit = 3"), "... summary %s", r.steps[s10].summary);
	ok(r.steps[s10].probes[0].output && strstr(r.steps[s10].probes[0].output, "--- stderr ---\noops"),
	   "... stderr is kept in the output");

	/* read-only */
	struct rb_env ro = env;
	ro.read_only = 1;
	struct rb_run r2;
	rb_run_init(&r2, &rb, &ro);
	ok(rb_step_check(&r2, step_of(&rb, 6), &why) < 0 && why && strstr(why, "read-only"),
	   "read-only refuses a step that writes (%s)", why ? why : "");
	str_free(&why);
	ok(rb_step_check(&r2, s5, &why) < 0, "read-only refuses the destructive step");
	str_free(&why);
	ok(rb_step_mark(&r2, s5, STEP_MANUAL_OK, NULL, &why) < 0, "... and marking it done");
	str_free(&why);
	rb_run_done(&r2);

	/* resume: steps 1 and 2 were recorded, step 3 was not */
	int64_t run_id = r.run_id;
	rb_run_done(&r);
	is_int(rb_run_find_open(j, "RB-7", cfg.env, &err), run_id, "the unfinished run is found");
	struct rb_run r3;
	rb_run_init(&r3, &rb, &env);
	ok(rb_run_resume(&r3, run_id, &err) == 0, "it resumes");
	is_int(rb_run_next_step(&r3), 2, "... at its first unfinished step (step 3)");
	is_str(rb_run_input(&r3, "who"), hostile, "... with the inputs given");
	ok(rb_run_input(&r3, "api_key") == NULL, "... but not the secret one (asked again)");
	is_int(rb_step_exec(&r3, 2), STEP_PASS, "step 3 passes with the capture restored from the journal");
	ok(rb_step_record(&r3, 2, &err) == 0, "... recorded into the same run");
	is_int(r3.run_id, run_id, "... same run id");
	rb_run_done(&r3);
	char *state = NULL;
	ok(journal_run_state(j, run_id, &state, &err) == 1 && str_eq(state, "resumed"), "the journal says resumed");
	free(state);
	struct rb_run r4;
	rb_run_init(&r4, &rb, &env);
	ok(rb_run_resume(&r4, 424242, &err) < 0 && err && strstr(err, "no run"), "a missing run cannot be resumed");
	str_free(&err);
	rb_run_done(&r4);

	journal_close(j);
	char *cmd = xasprintf("rm -rf '%s'", dir);
	ok(system(cmd) == 0, "the scratch directory is removed");
	free(cmd);
	free(marker);
	free(hostile);
	free(jpath);
	config_done(&cfg);
	runbook_done(&rb);
	return done_testing();
}
