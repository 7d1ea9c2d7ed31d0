/* The runbook dialect: RB-1 ... RB-5 and every fixture parse as runbooks/README.md says,
 * every broken fixture yields exactly the one problem its first-line comment names, the
 * library's expectations pass on captured healthy output and fail on faulty output, and
 * no mangled input crashes the parser or lint. */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "runbooks/lint.h"
#include "runbooks/runbook.h"
#include "src/util.h"
#include "tests/unit/fixture.h"
#include "tests/unit/tap.h"

static char *path_of(const char *rel)
{
	const char *dir = getenv("srcdir");
	return xasprintf("%s/%s", dir ? dir : ".", rel);
}

/* The library lives outside tests/fixtures/: read it through the one fixture reader. */
static char *library_text(const char *name)
{
	return fixture_read("../../runbooks/library", name, NULL);
}

/* Line n (1-based) of text, without its newline; malloced. */
static char *line_at(const char *text, int n)
{
	for (int i = 1; i < n && text; i++)
		text = (text = strchr(text, '\n')) ? text + 1 : NULL;
	return text ? xstrndup(text, strcspn(text, "\n")) : xstrdup("");
}

static int load(struct runbook *rb, const char *rel, const struct lint_opts *o)
{
	char *path = path_of(rel), *err = NULL;
	int rc = runbook_load(rb, path, &err);
	if (rc < 0) {
		printf("# %s\n", err);
		free(err);
	} else {
		runbook_lint(rb, o);
	}
	free(path);
	return rc;
}

static void show_problems(const struct runbook *rb)
{
	for (int i = 0; i < rb->problems.n; i++)
		printf("#   %s:%d: %s\n", rb->path, rb->problems.v[i].line, rb->problems.v[i].msg);
}

/* Lines the parser reports must be where the text is: each step's heading, each probe's
 * opening fence with its info string. Checked against the file, not against md4c. */
static void check_lines(const struct runbook *rb, const char *text)
{
	int bad = 0;
	for (int i = 0; i < rb->n_steps; i++) {
		char *l = line_at(text, rb->steps[i].line);
		bad += !str_starts(l, "### ") || !strstr(l, rb->steps[i].title);
		free(l);
		for (int j = 0; j < rb->steps[i].n_probes; j++) {
			const struct probe *p = &rb->steps[i].probes[j];
			l = line_at(text, p->line);
			const char *s = l + strspn(l, " ");
			bad += !(str_starts(s, "```") || str_starts(s, "~~~")) || !strstr(s, p->info);
			free(l);
		}
	}
	ok(!bad, "%s: step headings and probe fences are on the lines reported", rb->id);
}

static void test_library(void)
{
	static const int steps[] = {5, 8, 8, 9, 6};
	for (int n = 1; n <= 5; n++) {
		struct runbook rb;
		char rel[64], id[16];
		snprintf(rel, sizeof(rel), "runbooks/library/RB-%d.md", n);
		snprintf(id, sizeof(id), "RB-%d", n);
		if (!ok(load(&rb, rel, NULL) == 0, "%s loads", rel))
			continue;
		if (!is_int(rb.problems.n, 0, "%s: lint finds nothing", id))
			show_problems(&rb);
		is_str(rb.id, id, "%s: ID from the title", id);
		is_int(rb.n_steps, steps[n - 1], "%s: %d steps", id, steps[n - 1]);
		int sections = 0, exprs = 0, parsed = 0;
		for (int s = 0; s < SEC__COUNT; s++)
			sections += rb.sections[s].line > 0;
		ok(sections >= 5 && rb.sections[SEC_ROLLBACK].line, "%s: every section of the seed 001 format", id);
		ok(rb.meta[META_WHEN] && rb.meta[META_OWNER] && rb.meta[META_GROUP] && rb.duration_min_ms > 0 &&
		   rb.n_related > 0, "%s: metadata and related runbooks", id);
		for (int i = 0; i < rb.n_steps; i++)
			for (int j = 0; j < rb.steps[i].n_probes; j++) {
				exprs += rb.steps[i].probes[j].expect_src != NULL;
				parsed += rb.steps[i].probes[j].expect != NULL;
			}
		ok(exprs > 0 && exprs == parsed, "%s: %d expectations, all parsed", id, exprs);
		char *text = library_text(strrchr(rel, '/') + 1);
		check_lines(&rb, text);
		free(text);
		runbook_done(&rb);
	}
}

static void test_rb1_rb2(void)
{
	struct runbook rb;
	if (load(&rb, "runbooks/library/RB-1.md", NULL) < 0)
		return;
	is_str(rb.title, "Daily replica health check", "RB-1 title");
	is_str(rb.meta[META_GROUP], "Read replicas", "RB-1 group");
	ok(rb.duration_min_ms == 300000 && rb.duration_max_ms == 300000, "RB-1 takes 5 min");
	ok(rb.n_related == 3 && !strcmp(rb.related[1].id, "RB-22"), "RB-1 related: RB-3, RB-22, RB-2");
	is_int(rb.n_prerequisites, 2, "RB-1: two prerequisites");
	is_int(rb.n_success, 5, "RB-1: five success criteria");
	ok(strstr(rb.sections[SEC_ROLLBACK].body, "nothing to roll back") != NULL, "RB-1 rollback body");
	const struct step *st = &rb.steps[4];
	ok(st->n_probes == 2 && st->automatic && !st->writes, "RB-1 step 5: two read-only probes");
	is_str(st->probes[0].capture, "users_primary", "the first captures the primary's count");
	is_str(st->probes[1].expect_src, "value == captured('users_primary')", "the second compares with it");
	ok(st->probes[1].wait_ms == 10000 && probe_target(st->probes[1].target, NULL) == TARGET_EACH_REPLICA,
	   "on every replica, retried for 10 s");
	ok(strstr(rb.steps[0].body, "pg_replication_slots") && strstr(rb.steps[0].body, "RB-22"),
	   "a step's body is its Markdown");
	runbook_done(&rb);

	if (load(&rb, "runbooks/library/RB-2.md", NULL) < 0)
		return;
	ok(rb.n_inputs == 1 && !strcmp(rb.inputs[0].name, "replica") && !strcmp(rb.inputs[0].type, "replica"),
	   "RB-2 asks for the replica to promote");
	const char *name;
	ok(probe_target(rb.steps[4].probes[0].target, &name) == TARGET_REPLICA_INPUT && !strcmp(name, "replica"),
	   "RB-2 promotes the replica the input names");
	ok(rb.steps[4].destructive && !strcmp(rb.steps[4].probes[0].confirm, "PROMOTE"), "promotion is destructive");
	ok(!rb.steps[1].automatic && rb.steps[1].destructive, "fencing is a manual destructive step");
	ok(rb.steps[5].probes[1].capture_expr && rb.steps[5].probes[1].writes, "the write test captures the port");
	is_str(rb.steps[0].probes[0].expect_src, "exit == 1 or exit == 2", "pg_isready's exit status");
	runbook_done(&rb);
}

static const char *captured_arg(void *arg, const char *name)
{
	(void)name;
	return arg;
}

/* Evaluates probe (step, index) of a runbook against a captured result. */
static enum expect_status eval_csv(const struct runbook *rb, int step, int index, const char *csv,
				   const char *capture_name, const char *capture_value)
{
	struct rowset rs = {0};
	struct expect_ctx c;
	struct expect_result r;
	enum expect_status st = EXPECT_ERROR;
	if (fixture_rowset("runbooks/results", csv, &rs) < 0)
		return st;
	expect_ctx_init(&c);
	c.rs = &rs;
	c.replicas = 2;
	c.arg = (void *)capture_value;
	c.captured = capture_name ? captured_arg : NULL;
	st = expect_eval(rb->steps[step - 1].probes[index].expect, &c, &r);
	printf("#   %s step %d on %s: %s\n", rb->id, step, csv, r.error ? r.error : r.observed);
	expect_result_done(&r);
	rowset_done(&rs);
	return st;
}

static void test_results(void)
{
	struct runbook rb;
	if (load(&rb, "runbooks/library/RB-1.md", NULL) < 0)
		return;
	is_int(eval_csv(&rb, 1, 0, "rb1-slots-healthy.csv", NULL, NULL), EXPECT_PASS, "RB-1 slots: healthy lab passes");
	is_int(eval_csv(&rb, 1, 0, "rb1-slots-replica-stopped.csv", NULL, NULL), EXPECT_FAIL, "a stopped replica fails");
	is_int(eval_csv(&rb, 2, 0, "rb1-streaming-healthy.csv", NULL, NULL), EXPECT_PASS, "RB-1 streaming passes");
	is_int(eval_csv(&rb, 2, 0, "rb1-streaming-replica-stopped.csv", NULL, NULL), EXPECT_FAIL, "one walsender missing fails");
	is_int(eval_csv(&rb, 3, 0, "rb1-lag-healthy.csv", NULL, NULL), EXPECT_PASS, "RB-1 lag passes");
	is_int(eval_csv(&rb, 3, 0, "rb1-lag-replay-paused.csv", NULL, NULL), EXPECT_FAIL, "3.1 s of lag fails");
	is_int(eval_csv(&rb, 4, 0, "rb1-replica-healthy.csv", NULL, NULL), EXPECT_PASS, "RB-1 replica view passes");
	is_int(eval_csv(&rb, 4, 0, "rb1-replica-replay-paused.csv", NULL, NULL), EXPECT_FAIL, "paused replay fails");
	runbook_done(&rb);
	if (load(&rb, "runbooks/library/RB-5.md", NULL) < 0)
		return;
	is_int(eval_csv(&rb, 1, 0, "rb5-pools-healthy.csv", NULL, NULL), EXPECT_PASS, "RB-5 transaction pooling");
	is_int(eval_csv(&rb, 2, 0, "rb5-pools-healthy.csv", NULL, NULL), EXPECT_PASS, "RB-5 nobody waits");
	is_int(eval_csv(&rb, 2, 0, "rb5-pools-exhausted.csv", NULL, NULL), EXPECT_FAIL, "an exhausted pool fails");
	is_int(eval_csv(&rb, 3, 1, "rb5-pools-healthy.csv", "pool_size", "10"), EXPECT_PASS, "saturation below 80%%");
	is_int(eval_csv(&rb, 3, 1, "rb5-pools-exhausted.csv", "pool_size", "10"), EXPECT_FAIL, "10 of 10 in use fails");
	is_int(eval_csv(&rb, 4, 0, "rb5-pools-exhausted.csv", NULL, NULL), EXPECT_FAIL, "a 9.6 s wait fails");
	is_int(eval_csv(&rb, 4, 1, "rb5-stats-healthy.csv", NULL, NULL), EXPECT_PASS, "average wait is fine");
	runbook_done(&rb);
}

static void test_good(void)
{
	struct runbook rb;
	if (load(&rb, "tests/fixtures/runbooks/good/minimal.md", NULL) < 0)
		return;
	if (!is_int(rb.problems.n, 0, "minimal.md is clean (Rollback is optional without destructive steps)"))
		show_problems(&rb);
	ok(rb.meta[META_DURATION] && rb.duration_max_ms == 0, "a variable duration");
	ok(rb.n_steps == 1 && !rb.steps[0].automatic, "one manual step");
	runbook_done(&rb);

	if (load(&rb, "tests/fixtures/runbooks/good/all-features.md", NULL) < 0)
		return;
	if (!is_int(rb.problems.n, 0, "all-features.md is clean"))
		show_problems(&rb);
	char *text = fixture_read("runbooks/good", "all-features.md", NULL);
	check_lines(&rb, text);
	is_int(rb.title_line, 2, "the title after an HTML comment");
	is_str(rb.meta[META_WHEN], "in the tests, as the parser's reference", "**When**: with the colon outside");
	ok(rb.duration_min_ms == 900000 && rb.duration_max_ms == 1800000, "an en dash range");
	ok(rb.summary && strstr(rb.summary, "with `code`.\n\nIts second"), "two summary paragraphs");
	ok(rb.n_prerequisites == 3 && !strcmp(rb.prerequisites[2], "a plain item that goes on over two lines"),
	   "prerequisites, task items or not");
	is_int(rb.n_inputs, 7, "seven inputs");
	is_str(rb.inputs[5].type, "/[a-z0-9_]{4,64}|anonymous/", "\\| in a table cell is |");
	for (int i = 0; i < rb.n_inputs; i++) {
		char *why = NULL;
		ok(rb_input_check(&rb.inputs[i], rb.inputs[i].example, NULL, 0, &why) == 0, "example of %s fits %s",
		   rb.inputs[i].name, rb.inputs[i].type);
		free(why);
	}
	is_int(rb.n_steps, 10, "ten steps");
	const struct probe *p = &rb.steps[0].probes[0];
	ok(p->n_params == 2 && !strcmp(p->params[1], "pool_size") && p->capture_expr && !strcmp(p->capture, "retained"),
	   "params and a capture expression");
	is_str(p->expect_src, "rows == 1 and slot_name == \"replica_1_slot\"", "\\\" in the info string");
	p = &rb.steps[1].probes[0];
	ok(p->wait_ms == 30000 && p->timeout_ms == 5000, "wait= and timeout=");
	p = &rb.steps[4].probes[0];
	ok(p->kind == PROBE_REDIS && strstr(p->code, "HGET ratelimit:tiers \"$1\"") != NULL, "a redis probe");
	p = &rb.steps[5].probes[0];
	ok(p->kind == PROBE_HTTP && !strcmp(p->method, "POST") && !strcmp(p->path, "/admin/rate-limit/tier") &&
	   p->writes && str_starts(p->code, "Content-Type: application/json\n"), "an http POST with headers");
	ok(!strcmp(rb.steps[5].probes[1].path, "/api/test?probe=1"), "a path with a query string");
	p = &rb.steps[6].probes[0];
	ok(p->kind == PROBE_SHELL && !strcmp(p->target, "replica.east"), "a shell probe with a target");
	p = &rb.steps[7].probes[0];
	ok(p->kind == PROBE_SQL && !strcmp(p->baseline, "p95_ms") && p->baseline_expr, "a tilde fence with a baseline");
	ok(rb.steps[8].destructive && rb.steps[8].probes[0].kind == PROBE_TEXT &&
	   !strcmp(rb.steps[8].probes[0].confirm, "RESTART"), "a confirmed destructive text block");
	ok(!rb.steps[9].automatic && rb.steps[9].n_probes == 1 && rb.steps[9].probes[0].kind == PROBE_TEXT,
	   "a plain block in a list item is text");
	ok(!strstr(rb.steps[9].body, "Background") && strstr(rb.steps[9].body, "Then record"), "bodies end at the next section");
	ok(rb.n_mentions > 0 && !strcmp(rb.mentions[rb.n_mentions - 1].id, "RB-23") &&
	   rb.mentions[rb.n_mentions - 1].line == 139, "RB-23 mentioned on line 139");
	free(text);
	runbook_done(&rb);

	static const char *const replicas[] = {"east", "west"};
	struct lint_opts o = {1, replicas, 2, NULL, 0};
	load(&rb, "tests/fixtures/runbooks/config/replica-north.md", NULL);
	is_int(rb.problems.n, 0, "replica.north is fine without a config");
	runbook_done(&rb);
	load(&rb, "tests/fixtures/runbooks/config/replica-north.md", &o);
	ok(rb.problems.n == 1 && rb.problems.v[0].line == 18 &&
	   !strcmp(rb.problems.v[0].msg, "unknown target 'replica.north': the config's replicas are east, west"),
	   "with the config's replicas it is unknown");
	runbook_done(&rb);
}

/* The checklist dialect: steps across Baseline, Phase and Monitoring sections, typed
 * baselines, schedules, issues linked to runbooks, sign-off roles. */
static void test_checklist(void)
{
	struct runbook rb;
	if (load(&rb, "tests/fixtures/runbooks/good/checklist.md", NULL) < 0)
		return;
	if (!is_int(rb.problems.n, 0, "checklist.md is clean"))
		show_problems(&rb);
	ok(rb.checklist && str_eq(rb.id, "CL-TEST") && rb.number == 0, "a CL- title makes a checklist: %s", rb.id);
	is_int(rb.n_steps, 5, "five steps across four sections");
	ok(rb.n_steps == 5 && rb.steps[0].section == SEC_BASELINE && rb.steps[2].section == SEC_VALIDATION &&
	   rb.steps[4].section == SEC_MONITORING, "each step knows its section");
	ok(rb.n_steps == 5 && str_eq(rb.steps[2].phase, "Phase 1: Deploy") && str_eq(rb.steps[3].phase, "Phase 2: Validate"),
	   "phases are kept by title");
	ok(rb.n_steps == 5 && rb.steps[0].probes[0].baseline && str_eq(rb.steps[0].probes[0].unit, "connections"),
	   "a measured baseline with its unit");
	ok(rb.n_steps == 5 && !rb.steps[1].automatic && rb.steps[1].typed_baseline &&
	   str_eq(rb.steps[1].typed_baseline->baseline, "cpu_pct") && str_eq(rb.steps[1].typed_baseline->unit, "%"),
	   "a baseline the operator types in");
	ok(rb.n_steps == 5 && rb.steps[4].every_ms == 4 * 3600000.0 && rb.steps[4].for_ms == 24 * 3600000.0,
	   "every=4h for=24h");
	is_int(rb.n_issues, 2, "two issues");
	ok(rb.n_issues == 2 && str_eq(rb.issues[0].symptom, "Replicas not streaming") && str_eq(rb.issues[0].runbook, "RB-3") &&
	   str_eq(rb.issues[1].action, "raise the pool size"), "issues link symptoms to runbooks");
	is_int(rb.n_roles, 3, "three sign-off roles");
	ok(rb.n_roles == 3 && str_eq(rb.roles[0].role, "DBA") && str_eq(rb.roles[1].role, "24-hour monitoring") &&
	   str_eq(rb.roles[2].role, "Engineering Lead"), "roles exactly as written in bold");
	runbook_done(&rb);
}

static void test_broken(void)
{
	char *dir = path_of("tests/fixtures/runbooks/broken");
	DIR *d = opendir(dir);
	int files = 0;
	struct dirent *e;
	while (d && (e = readdir(d))) {
		size_t n = strlen(e->d_name);
		if (n < 4 || strcmp(e->d_name + n - 3, ".md"))
			continue;
		char *rel = xasprintf("tests/fixtures/runbooks/broken/%s", e->d_name);
		char *text = fixture_read("runbooks/broken", e->d_name, NULL), *first = line_at(text, 1), msg[512];
		int line = 0;
		struct runbook rb;
		files++;
		if (!ok(sscanf(first, "<!-- lint: %d: %511[^\n]", &line, msg) == 2, "%s states its problem", e->d_name))
			goto next;
		msg[strlen(msg) > 4 ? strlen(msg) - 4 : 0] = '\0'; /* " -->" */
		load(&rb, rel, NULL);
		if (!ok(rb.problems.n == 1 && rb.problems.v[0].line == line && strstr(rb.problems.v[0].msg, msg),
			"%s: line %d: %s", e->d_name, line, msg))
			show_problems(&rb);
		runbook_done(&rb);
next:
		free(first);
		free(text);
		free(rel);
	}
	if (d)
		closedir(d);
	ok(files >= 60, "%d broken fixtures", files);
	free(dir);
}

/* A copy with control characters as '?', for test descriptions. */
static char *printable(const char *s)
{
	char *c = xstrdup(s);
	for (char *p = c; *p; p++)
		if ((unsigned char)*p < 0x20)
			*p = '?';
	return c;
}

static void test_pieces(void)
{
	double lo, hi;
	ok(rb_parse_duration("5 min", &lo, &hi) == 0 && lo == 300000 && hi == 300000, "5 min");
	ok(rb_parse_duration("15-30 min", &lo, &hi) == 0 && lo == 900000 && hi == 1800000, "15-30 min");
	ok(rb_parse_duration("1 - 2 hours", &lo, &hi) == 0 && hi == 7200000, "1 - 2 hours");
	ok(rb_parse_duration("30 s", &lo, &hi) == 0 && lo == 30000, "30 s");
	ok(rb_parse_duration("Variable", &lo, &hi) == 0 && hi == 0, "variable");
	ok(rb_parse_duration("30-15 min", &lo, &hi) < 0 && rb_parse_duration("5", &lo, &hi) < 0 &&
	   rb_parse_duration("5 parsecs", &lo, &hi) < 0 && rb_parse_duration("soon", &lo, &hi) < 0, "bad durations");

	struct rb_input in = {"size", "d", "integer 1..100", "40", 1};
	char *why = NULL;
	const char *const reps[] = {"east", "west"};
#define CHECK(T, V, W)                                                                        \
	do {                                                                                  \
		in.type = T;                                                                  \
		int rc_ = rb_input_check(&in, V, reps, 2, &why);                              \
		char *shown_ = printable(V), *why_ = printable(why ? why : "");               \
		ok((rc_ == 0) == (W), "%s %s '%s' %s", (W) ? "accepts" : "refuses", T, shown_, why_); \
		free(shown_);                                                                 \
		free(why_);                                                                   \
		str_free(&why);                                                               \
	} while (0)
	CHECK("integer 1..100", "40", 1);
	CHECK("integer 1..100", "0", 0);
	CHECK("integer 1..100", "4x", 0);
	CHECK("integer", "-7", 1);
	CHECK("number 0..1", "0.25", 1);
	CHECK("number 0..1", "1.5", 0);
	CHECK("name", "replica_1-slot", 1);
	CHECK("name", "a b", 0);
	CHECK("replica", "west", 1);
	CHECK("replica", "north", 0);
	CHECK("duration", "30s", 1);
	CHECK("duration", "soon", 0);
	CHECK("text", "'; DROP TABLE users; --", 1);
	CHECK("text", "$(touch /tmp/x)", 1);
	CHECK("text", "two\nlines", 0);
	CHECK("text", "", 0);
	CHECK("/[a-z]+/", "abc", 1);
	CHECK("/[a-z]+/", "abc; rm", 0);
#undef CHECK
	char *env = rb_input_env("pool_size");
	is_str(env, "OPSDECK_INPUT_POOL_SIZE", "the environment name of an input");
	free(env);

	char **argv;
	int argc = redis_split("SCAN 0 MATCH \"cache:\\\"x\\\"*\" COUNT 'a b'", &argv, &why);
	ok(argc == 6 && !strcmp(argv[3], "cache:\"x\"*") && !strcmp(argv[5], "a b"), "redis argv with quotes");
	for (int i = 0; i < argc; i++)
		free(argv[i]);
	free(argv);
	is_int(redis_split("   # a comment", &argv, &why), 0, "a redis comment line");
	is_int(redis_split("GET 'x", &argv, &why), -1, "an unterminated redis quote");
	free(why);

	const char *name;
	ok(probe_target("replica.eu-west", &name) == TARGET_REPLICA && !strcmp(name, "eu-west"), "replica.NAME");
	ok(probe_target("replica.$r", &name) == TARGET_REPLICA_INPUT && !strcmp(name, "r"), "replica.$INPUT");
	ok(probe_target("replica.", NULL) == TARGET_BAD && probe_target("primary ", NULL) == TARGET_BAD, "bad targets");

	struct runbook rb;
	char *err = NULL;
	ok(runbook_load(&rb, "/nonexistent/RB-1.md", &err) < 0 && err && strstr(err, "/nonexistent/RB-1.md"),
	   "an unreadable file is an error naming it");
	free(err);
	runbook_parse(&rb, "empty.md", "", 0);
	runbook_lint(&rb, NULL);
	ok(rb.problems.n > 0 && rb.problems.v[0].line == 1, "an empty file: no title, at line 1");
	runbook_done(&rb);
}

static unsigned long long rng = 0x243f6a8885a308d3ULL;
static unsigned rnd(unsigned n)
{
	rng = rng * 6364136223846793005ULL + 1442695040888963407ULL;
	return (unsigned)(rng >> 33) % n;
}

static void parse_lint(const char *text, size_t len)
{
	struct runbook rb;
	runbook_parse(&rb, "mutant.md", text, len);
	runbook_lint(&rb, NULL);
	runbook_done(&rb);
}

static void test_stress(void)
{
	static const char *const bits[] = {"```", "~~~", "\n### ", "\n## ", "\n# ", "|", "\n- **", ":**", "\"",
					   "'", "\\", "\n", "expect=\"", "target=", "RB-", "<!--", "\0", "\t", "`"};
	char *text = library_text("RB-2.md");
	if (!ok(text[0], "RB-2 read for the stress test")) {
		free(text);
		return;
	}
	size_t len = strlen(text);
	int runs = 0;
	for (size_t cut = 0; cut <= len; cut += 3, runs++)
		parse_lint(text, cut);
	for (int i = 0; i < 1500; i++, runs++) {
		struct sbuf sb = {0};
		sbuf_addn(&sb, text, len);
		for (int m = 1 + (int)rnd(6); m > 0; m--) {
			size_t at = rnd((unsigned)sb.len);
			const char *b = bits[rnd(ARRAY_LEN(bits))];
			size_t bl = b[0] ? strlen(b) : 1;
			if (rnd(3) == 0 && at + 20 < sb.len)
				memmove(sb.buf + at, sb.buf + at + 20, sb.len - at - 20), sb.len -= 20;
			else if (rnd(2))
				sb.buf[at] = (char)rnd(256);
			else {
				sbuf_addn(&sb, "                    ", bl);
				memmove(sb.buf + at + bl, sb.buf + at, sb.len - at - bl);
				memcpy(sb.buf + at, b, bl);
			}
		}
		parse_lint(sb.buf, sb.len);
		sbuf_done(&sb);
	}
	struct sbuf deep = {0};
	for (int i = 0; i < 300; i++)
		sbuf_add(&deep, "> - ");
	sbuf_add(&deep, "```sql target=primary expect=\"((((\"\nx\n");
	parse_lint(deep.buf, deep.len);
	sbuf_done(&deep);
	ok(runs > 1500, "stress: %d mangled runbooks parsed and linted without a crash", runs + 1);
	free(text);
}

int main(void)
{
	test_library();
	test_rb1_rb2();
	test_results();
	test_good();
	test_checklist();
	test_broken();
	test_pieces();
	test_stress();
	return done_testing();
}
