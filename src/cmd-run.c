/* opsdeck run RB-N --auto: a runbook's automatic steps, headless, recorded in the journal.
 * Manual steps stay pending unless a --manual-hook does them; destructive steps run only
 * with their --confirm WORD; after a failure nothing that writes runs. Exit 0 when every
 * automatic step that ran passed, 1 when one failed, 2 on usage errors. */
#include <cjson/cJSON.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "runbooks/engine.h"
#include "src/cli.h"
#include "src/setup.h"
#include "src/util.h"
#include "store/journal.h"

struct run_opts {
	const char *which;
	char **inputs; /* NAME=VALUE */
	int n_inputs;
	char **confirms;
	int n_confirms;
	char **values; /* NAME=NUMBER for typed baselines */
	int n_values;
	const char *hook;
	int auto_, from, to;
	int64_t resume; /* -1: the newest open run */
	int resume_given;
};

__attribute__((format(printf, 1, 2))) static int usage(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fprintf(stderr, "opsdeck run: ");
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\nusage: opsdeck run RB-N|FILE --auto [--input NAME=VALUE]... [--confirm WORD]...\n"
			"                   [--value NAME=NUMBER]... [--manual-hook CMD] [--steps A-B] [--resume [RUN]] [--json]\n");
	return EXIT_USAGE;
}

static void push(char ***v, int *n, const char *s)
{
	*v = xrealloc(*v, sizeof(char *) * (size_t)(*n + 1));
	(*v)[(*n)++] = (char *)s;
}

static int parse_args(struct run_opts *o, int argc, char **argv)
{
	o->to = 1 << 30;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		const char *val = i + 1 < argc ? argv[i + 1] : NULL;
		if (!strcmp(a, "--auto")) {
			o->auto_ = 1;
		} else if (!strcmp(a, "--input") || !strcmp(a, "--confirm") || !strcmp(a, "--manual-hook") ||
			   !strcmp(a, "--steps") || !strcmp(a, "--value")) {
			if (!val)
				return usage("%s needs a value", a);
			i++;
			if (!strcmp(a, "--input")) {
				if (!strchr(val, '='))
					return usage("--input takes NAME=VALUE, not '%s'", val);
				push(&o->inputs, &o->n_inputs, val);
			} else if (!strcmp(a, "--value")) {
				if (!strchr(val, '='))
					return usage("--value takes NAME=NUMBER (a baseline typed in), not '%s'", val);
				push(&o->values, &o->n_values, val);
			} else if (!strcmp(a, "--confirm")) {
				push(&o->confirms, &o->n_confirms, val);
			} else if (!strcmp(a, "--manual-hook")) {
				o->hook = val;
			} else {
				char *end;
				o->from = (int)strtol(val, &end, 10);
				o->to = o->from;
				if (*end == '-')
					o->to = end[1] ? (int)strtol(end + 1, &end, 10) : 1 << 30;
				if (*end || o->from <= 0 || o->to < o->from)
					return usage("--steps takes N or A-B (e.g. 1-3), not '%s'", val);
			}
		} else if (!strcmp(a, "--resume")) {
			o->resume_given = 1;
			o->resume = -1;
			if (val && val[0] >= '0' && val[0] <= '9') {
				o->resume = strtoll(val, NULL, 10);
				i++;
			}
		} else if (a[0] == '-') {
			return usage("unknown option %s", a);
		} else if (!o->which) {
			o->which = a;
		} else {
			return usage("one runbook at a time ('%s' is one too many)", a);
		}
	}
	if (!o->which)
		return usage("%s", "which runbook? e.g. opsdeck run RB-1 --auto");
	if (!o->auto_)
		return usage("%s", "headless runs need --auto (walk a runbook step by step in the console: :rb N)");
	return 0;
}

static int confirmed(const struct run_opts *o, const char *word)
{
	for (int i = 0; i < o->n_confirms; i++)
		if (!strcmp(o->confirms[i], word))
			return 1;
	return 0;
}

static const char *typed_value(const struct run_opts *o, const char *name)
{
	size_t n = strlen(name);
	for (int i = 0; i < o->n_values; i++)
		if (!strncmp(o->values[i], name, n) && o->values[i][n] == '=')
			return o->values[i] + n + 1;
	return NULL;
}

/* A step that does not run this time: why. NULL: it may run. */
static char *hold_back(const struct rb_run *r, const struct run_opts *o, int i, int failed_before)
{
	const struct step *st = &r->rb->steps[i];
	char *why = NULL;
	if (st->number < o->from || st->number > o->to)
		return xstrdup("not in --steps");
	if (failed_before && (st->writes || st->destructive))
		return xasprintf("not run: an earlier step failed and step %d %s", st->number,
				 st->destructive ? "is destructive" : "writes");
	if (rb_step_check(r, i, &why) < 0)
		return why;
	const char *word = rb_step_confirm_word(r, i);
	if (!word && st->destructive)
		word = r->rb->id;
	if (word && !confirmed(o, word))
		return xasprintf("destructive: needs --confirm %s", word);
	if (st->typed_baseline && !typed_value(o, st->typed_baseline->baseline))
		return xasprintf("needs the value typed in: --value %s=NUMBER (%s)", st->typed_baseline->baseline,
				 st->typed_baseline->unit ? st->typed_baseline->unit : "a number");
	if (!st->automatic && !st->typed_baseline && !o->hook)
		return xstrdup("manual: do it by hand (or give --manual-hook)");
	return NULL;
}

/* The manual step through the hook: exit 0 done, 64 not handled, else failed. */
static void manual_by_hook(struct rb_run *r, const struct run_opts *o, int i)
{
	const struct step *st = &r->rb->steps[i];
	char *env[4];
	env[0] = xasprintf("OPSDECK_RUNBOOK=%s", r->rb->id ? r->rb->id : "");
	env[1] = xasprintf("OPSDECK_STEP=%d", st->number);
	env[2] = xasprintf("OPSDECK_STEP_TITLE=%s", st->title ? st->title : "");
	env[3] = NULL;
	char *out = NULL, *err = NULL;
	int status = -1;
	int64_t t0 = now_mono_ms();
	int rc = rb_shell(r, o->hook, NULL, 600000, (const char *const *)env, &out, &status, &err);
	for (int k = 0; k < 3; k++)
		free(env[k]);
	char *why = NULL;
	if (rc < 0) {
		rb_step_mark(r, i, STEP_FAIL, err, &why);
	} else if (status == 64) {
		r->steps[i].summary = xstrdup("manual: the hook does not handle it");
	} else {
		char *note = xasprintf("by --manual-hook (exit %d)", status);
		rb_step_mark(r, i, status == 0 ? STEP_MANUAL_OK : STEP_FAIL, note, &why);
		free(note);
		if (out && *out) {
			/* the hook's output is the step's output */
			r->steps[i].probes = xcalloc(1, sizeof(struct probe_outcome));
			r->steps[i].n_probes = 1;
			r->steps[i].probes[0].label = xstrdup("manual-hook");
			r->steps[i].probes[0].output = out;
			r->steps[i].probes[0].observed = xasprintf("exit = %d", status);
			r->steps[i].probes[0].status = status == 0 ? EXPECT_PASS : EXPECT_FAIL;
			r->steps[i].probes[0].ms = (double)(now_mono_ms() - t0);
			r->steps[i].ms = r->steps[i].probes[0].ms;
			out = NULL;
		}
	}
	free(why);
	free(err);
	free(out);
}

static cJSON *step_json(const struct rb_run *r, int i)
{
	const struct step *st = &r->rb->steps[i];
	const struct step_outcome *o = &r->steps[i];
	cJSON *s = cJSON_CreateObject();
	cJSON_AddNumberToObject(s, "step", st->number);
	cJSON_AddStringToObject(s, "title", st->title ? st->title : "");
	cJSON_AddStringToObject(s, "status", step_status_name(o->status));
	cJSON_AddBoolToObject(s, "automatic", st->automatic);
	if (o->summary)
		cJSON_AddStringToObject(s, "summary", o->summary);
	if (o->note)
		cJSON_AddStringToObject(s, "note", o->note);
	cJSON *probes = cJSON_AddArrayToObject(s, "probes");
	for (int k = 0; k < o->n_probes; k++) {
		const struct probe_outcome *p = &o->probes[k];
		cJSON *pj = cJSON_CreateObject();
		cJSON_AddStringToObject(pj, "target", p->label ? p->label : "");
		cJSON_AddStringToObject(pj, "status", p->status == EXPECT_PASS ? "pass" : p->status == EXPECT_FAIL ? "fail" : "error");
		if (p->observed)
			cJSON_AddStringToObject(pj, "observed", p->observed);
		if (p->error)
			cJSON_AddStringToObject(pj, "error", p->error);
		if (p->value)
			cJSON_AddStringToObject(pj, "value", p->value);
		cJSON_AddNumberToObject(pj, "ms", p->ms);
		cJSON_AddNumberToObject(pj, "attempts", p->attempts);
		cJSON_AddItemToArray(probes, pj);
	}
	return s;
}

static void print_step(const struct rb_run *r, int i)
{
	const struct step *st = &r->rb->steps[i];
	const struct step_outcome *o = &r->steps[i];
	static const char *const marks[] = {"[ ]", "[~]", "[✓]", "[✗]", "[!]", "[-]", "[✓]"};
	printf("%s %2d. %s%s\n", marks[o->status], st->number, st->title ? st->title : "",
	       st->automatic ? "" : "  (manual)");
	if (o->summary && *o->summary)
		printf("        %s: %s\n", step_status_name(o->status), o->summary);
	if (o->note)
		printf("        note: %s\n", o->note);
	fflush(stdout);
}

static int open_journal(const struct cli *cli, struct journal **j)
{
	char *path = cli->journal_path ? xstrdup(cli->journal_path) : journal_default_path();
	char *err = NULL;
	int rc = journal_open(j, path, &err);
	if (rc < 0) {
		fprintf(stderr, "opsdeck run: cannot open the journal: %s\n", err);
		free(err);
	}
	free(path);
	return rc;
}

static int set_inputs(struct rb_run *r, const struct run_opts *o)
{
	for (int i = 0; i < o->n_inputs; i++) {
		char *name = xstrndup(o->inputs[i], strcspn(o->inputs[i], "="));
		char *why = NULL;
		int rc = rb_run_set_input(r, name, o->inputs[i] + strlen(name) + 1, &why);
		free(name);
		if (rc < 0) {
			fprintf(stderr, "opsdeck run: %s\n", why);
			free(why);
			return -1;
		}
	}
	int idx[64];
	int n = rb_run_missing_inputs(r, idx, 64);
	if (n > 0) {
		fprintf(stderr, "opsdeck run: %s needs %d more input%s:\n", r->rb->id, n, n == 1 ? "" : "s");
		for (int k = 0; k < n; k++) {
			const struct rb_input *in = &r->rb->inputs[idx[k]];
			fprintf(stderr, "  --input %s=%s    %s (%s)\n", in->name, in->example ? in->example : "VALUE",
				in->description ? in->description : "", in->type ? in->type : "text");
		}
		return -1;
	}
	return 0;
}

static int walk(struct rb_run *r, const struct run_opts *o, int json)
{
	int failed = 0;
	char *err = NULL;
	for (int i = 0; i < r->rb->n_steps; i++) {
		enum step_status s = r->steps[i].status;
		if (s == STEP_PASS || s == STEP_MANUAL_OK || s == STEP_SKIP) {
			if (!json)
				print_step(r, i);
			continue; /* resumed: already done */
		}
		char *why = hold_back(r, o, i, failed);
		if (why) {
			free(r->steps[i].summary);
			r->steps[i].summary = why;
		} else if (r->rb->steps[i].typed_baseline && !r->rb->steps[i].automatic) {
			char *bad = NULL;
			if (rb_step_typed_baseline(r, i, typed_value(o, r->rb->steps[i].typed_baseline->baseline), &bad) < 0) {
				free(r->steps[i].summary);
				r->steps[i].summary = bad;
				failed = 1;
			} else if (rb_step_record(r, i, &err) < 0) {
				break;
			}
		} else if (r->rb->steps[i].automatic) {
			if (rb_step_exec(r, i) != STEP_PASS)
				failed = 1;
			if (rb_step_record(r, i, &err) < 0)
				break;
		} else {
			manual_by_hook(r, o, i);
			if (r->steps[i].status == STEP_FAIL)
				failed = 1;
			if (r->steps[i].status != STEP_PENDING && rb_step_record(r, i, &err) < 0)
				break;
		}
		if (!json)
			print_step(r, i);
	}
	if (err) {
		fprintf(stderr, "opsdeck run: NOT recorded: %s\n", err);
		free(err);
		return -1;
	}
	return failed;
}

int cmd_run(struct cli *cli, int argc, char **argv)
{
	struct run_opts o = {0};
	int rc = parse_args(&o, argc, argv);
	if (rc) {
		free(o.inputs);
		free(o.confirms);
		free(o.values);
		return rc;
	}
	struct config cfg = {0};
	struct runbook rb = {0};
	struct journal *j = NULL;
	char *err = NULL, *path = NULL;
	int exit_code = EXIT_USAGE;
	if (setup_config(cli, &cfg))
		goto out;
	path = rb_locate(o.which, &err);
	if (!path) {
		fprintf(stderr, "opsdeck run: %s\n", err);
		goto out;
	}
	if (runbook_load(&rb, path, &err) < 0) {
		fprintf(stderr, "opsdeck run: %s\n", err);
		goto out;
	}
	if (rb.problems.n) {
		fprintf(stderr, "opsdeck run: %s has problems; fix them first (opsdeck lint %s):\n", path, path);
		for (int i = 0; i < rb.problems.n && i < 10; i++)
			fprintf(stderr, "%s:%d: %s\n", path, rb.problems.v[i].line, rb.problems.v[i].msg);
		goto out;
	}
	if (open_journal(cli, &j) < 0)
		goto out;
	struct rb_env env = {.cfg = &cfg, .journal = j, .read_only = cli->read_only,
			     .operator_name = getenv("OPSDECK_OPERATOR")};
	struct rb_run r;
	rb_run_init(&r, &rb, &env);
	if (o.resume_given) {
		int64_t id = o.resume > 0 ? o.resume : rb_run_find_open(j, rb.id, cfg.env, &err);
		if (id <= 0 || rb_run_resume(&r, id, &err) < 0) {
			fprintf(stderr, "opsdeck run: cannot resume: %s\n",
				err ? err : "no unfinished run of this runbook in this environment");
			rb_run_done(&r);
			goto out;
		}
	}
	if (set_inputs(&r, &o) < 0) {
		rb_run_done(&r);
		goto out;
	}
	if (!cli->json)
		printf("%s: %s  (%s, %s)\n", rb.id, rb.title ? rb.title : "", cfg.env ? cfg.env : "",
		       rb.meta[META_DURATION] ? rb.meta[META_DURATION] : "");
	int failed = walk(&r, &o, cli->json);
	const char *state = "open";
	if (failed >= 0 && rb_run_finish(&r, &state, &err) < 0) {
		fprintf(stderr, "opsdeck run: NOT recorded: %s\n", err);
		failed = -1;
	}
	struct rb_progress p;
	rb_run_progress(&r, &p);
	if (cli->json) {
		cJSON *root = cJSON_CreateObject();
		cJSON_AddNumberToObject(root, "run_id", (double)r.run_id);
		cJSON_AddStringToObject(root, "runbook", rb.id);
		cJSON_AddStringToObject(root, "state", state);
		cJSON *steps = cJSON_AddArrayToObject(root, "steps");
		for (int i = 0; i < rb.n_steps; i++)
			cJSON_AddItemToArray(steps, step_json(&r, i));
		char *s = cJSON_Print(root);
		puts(s);
		free(s);
		cJSON_Delete(root);
	} else {
		printf("run %lld: %s — %d passed, %d failed, %d skipped, %d pending (journal %s)\n",
		       (long long)r.run_id, state, p.pass, p.fail, p.skip, p.pending, journal_path(j));
	}
	exit_code = failed < 0 ? EXIT_CHECK_FAILED : failed ? EXIT_CHECK_FAILED : EXIT_OK;
	rb_run_done(&r);
out:
	free(err);
	free(path);
	if (j)
		journal_close(j);
	runbook_done(&rb);
	config_done(&cfg);
	free(o.inputs);
	free(o.confirms);
	free(o.values);
	return exit_code;
}
