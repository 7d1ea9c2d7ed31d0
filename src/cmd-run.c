/* opsdeck run RB-N --auto: a runbook's automatic steps, headless, recorded in the journal.
 * Manual steps stay pending unless a --manual-hook does them; destructive steps run only
 * with their --confirm WORD; after a failure nothing that writes runs. A checklist's periodic
 * steps get their first check (it opens the monitoring window); --periodic makes the ones
 * that fall due later (src/cmd-run-periodic.c). Exit 0 when every automatic step that ran
 * passed, 1 when one failed, 2 on usage errors. */
#include <cjson/cJSON.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "runbooks/schedule.h"
#include "src/cli.h"
#include "src/cmd-run.h"
#include "src/setup.h"
#include "src/util.h"
#include "store/journal.h"

__attribute__((format(printf, 1, 2))) static int usage(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fprintf(stderr, "opsdeck run: ");
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\nusage: opsdeck run RB-N|CL|FILE --auto [--input NAME=VALUE]... [--confirm WORD]...\n"
			"                   [--value NAME=NUMBER]... [--manual-hook CMD] [--steps A-B[,C...]] [--resume [RUN]] [--json]\n"
			"       opsdeck run CL --periodic [--follow] [--resume RUN] [--input NAME=VALUE]... [--json]\n");
	return EXIT_USAGE;
}

static void push(char ***v, int *n, const char *s)
{
	*v = xrealloc(*v, sizeof(char *) * (size_t)(*n + 1));
	(*v)[(*n)++] = (char *)s;
}

/* "3", "1-4", "5-" and lists of them: "1-9,14-16". */
static int parse_steps(struct run_opts *o, const char *val)
{
	for (const char *p = val; *p;) {
		char *end;
		struct step_range sr;
		sr.from = (int)strtol(p, &end, 10);
		sr.to = sr.from;
		if (end == p || sr.from <= 0)
			return -1;
		if (*end == '-')
			sr.to = end[1] && end[1] != ',' ? (int)strtol(end + 1, &end, 10) : (end++, INT_MAX);
		if ((*end && *end != ',') || sr.to < sr.from)
			return -1;
		o->steps = xrealloc(o->steps, sizeof(*o->steps) * (size_t)(o->n_steps + 1));
		o->steps[o->n_steps++] = sr;
		p = *end ? end + 1 : end;
	}
	return o->n_steps ? 0 : -1;
}

int run_in_steps(const struct run_opts *o, int number)
{
	for (int i = 0; i < o->n_steps; i++)
		if (number >= o->steps[i].from && number <= o->steps[i].to)
			return 1;
	return o->n_steps == 0;
}

static int parse_args(struct run_opts *o, int argc, char **argv)
{
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		const char *val = i + 1 < argc ? argv[i + 1] : NULL;
		if (!strcmp(a, "--auto")) {
			o->auto_ = 1;
		} else if (!strcmp(a, "--periodic")) {
			o->periodic = 1;
		} else if (!strcmp(a, "--follow")) {
			o->follow = 1;
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
				free(o->hook);
				o->hook = xstrdup(val);
			} else if (parse_steps(o, val) < 0) {
				return usage("--steps takes N, A-B or a list (1-4,7,9-), not '%s'", val);
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
	if (o->periodic && (o->auto_ || o->n_steps || o->n_confirms || o->n_values || o->hook))
		return usage("%s", "--periodic makes the periodic checks of an open run only: without --auto, --steps, "
				   "--confirm, --value or --manual-hook");
	if (o->follow && !o->periodic)
		return usage("%s", "--follow goes with --periodic (opsdeck run W3-4 --periodic --follow)");
	if (!o->auto_ && !o->periodic)
		return usage("%s", "headless runs need --auto, or --periodic for an open checklist run's monitoring "
				   "(walk a runbook step by step in the console: :rb N)");
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
	if (!run_in_steps(o, st->number))
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
	/* a hook acts on hosts (it edits files, stops servers): never under --read-only */
	if (!st->automatic && !st->typed_baseline && r->env->read_only)
		return xasprintf("read-only: step %d is done on a host, and --manual-hook does not run under "
				 "--read-only", st->number);
	return NULL;
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

/* --input values; with check_missing, every input the selected steps use must be known. */
static int set_inputs(struct rb_run *r, const struct run_opts *o, int check_missing)
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
	int idx[64], n = 0;
	unsigned char *seen = xcalloc((size_t)r->rb->n_inputs + 1, 1);
	for (int s = 0; check_missing && s < r->rb->n_steps; s++) {
		if (!run_in_steps(o, r->rb->steps[s].number))
			continue;
		int m[64], k = rb_step_missing_inputs(r, s, m, 64);
		for (int q = 0; q < k; q++)
			if (!seen[m[q]] && n < 64) {
				seen[m[q]] = 1;
				idx[n++] = m[q];
			}
	}
	free(seen);
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

/* A periodic step in a walk: its first check opens the window; a resumed run makes the one
 * due now, if any. 1 when a check ran and failed, 0 otherwise, -1 when not recorded. */
static int walk_periodic(struct rb_run *r, int i, double scale, char **err)
{
	struct sched_state st;
	if (rb_step_schedule(r, i, scale, now_wall_ms(), &st, NULL, 0, err) < 0)
		return -1;
	if (st.over || st.due < 0)
		return 0; /* the window is over, or the next check is not due yet */
	if (run_check(r, i, scale, err) < 0)
		return -1;
	return r->steps[i].status != STEP_PASS;
}

static int walk(struct rb_run *r, const struct run_opts *o, int json)
{
	int failed = 0;
	char *err = NULL;
	double scale = rb_time_scale(r);
	for (int i = 0; i < r->rb->n_steps && !err; i++) {
		const struct step *st = &r->rb->steps[i];
		enum step_status s = r->steps[i].status;
		int periodic = st->every_ms > 0, done = s == STEP_PASS || s == STEP_MANUAL_OK || s == STEP_SKIP;
		char *why = done && !periodic ? NULL : hold_back(r, o, i, failed);
		if (done && !periodic) {
			/* resumed: already done */
		} else if (why) {
			if (s == STEP_PENDING) {
				free(r->steps[i].summary);
				r->steps[i].summary = why;
			} else {
				free(why); /* its result from before stands */
			}
		} else if (periodic) {
			failed |= walk_periodic(r, i, scale, &err) > 0;
		} else if (st->typed_baseline && !st->automatic) {
			char *bad = NULL;
			if (rb_step_typed_baseline(r, i, typed_value(o, st->typed_baseline->baseline), &bad) < 0) {
				free(r->steps[i].summary);
				r->steps[i].summary = bad;
				failed = 1;
			} else {
				rb_step_record(r, i, &err);
			}
		} else if (st->automatic) {
			if (rb_step_exec(r, i) != STEP_PASS)
				failed = 1;
			rb_step_record(r, i, &err);
		} else {
			if (run_manual_by_hook(r, o, i)) {
				failed |= r->steps[i].status == STEP_FAIL;
				rb_step_record(r, i, &err);
			}
		}
		if (!json && !err)
			run_print_step(r, o, i, scale);
	}
	if (err) {
		fprintf(stderr, "opsdeck run: NOT recorded: %s\n", err);
		free(err);
		return -1;
	}
	return failed;
}

/* The run to work on: a new one, the one --resume names, or (--periodic) the open one. */
static int pick_run(struct rb_run *r, const struct run_opts *o, struct journal *j, const struct config *cfg)
{
	const struct runbook *rb = r->rb;
	char *err = NULL;
	if (!o->resume_given && !o->periodic)
		return 0;
	int64_t id = o->resume > 0 ? o->resume : rb_run_find_open(j, rb->id, cfg->env, &err);
	const char *bare = o->which;
	if (id <= 0 && !err) {
		fprintf(stderr, "opsdeck run: no open %s run in env %s: start one with opsdeck run %s --auto\n", rb->id,
			cfg->env ? cfg->env : "?", bare);
		return -1;
	}
	int rc = id > 0 ? (o->periodic ? rb_run_load(r, id, &err) : rb_run_resume(r, id, &err)) : -1;
	char *state = NULL;
	if (rc == 0 && o->periodic && journal_run_state(j, id, &state, &err) == 1 && !str_eq(state, "started") &&
	    !str_eq(state, "resumed")) {
		err = xasprintf("run %lld has ended (%s): start a new one with opsdeck run %s --auto", (long long)id,
				state, bare);
		rc = -1;
	}
	free(state);
	if (rc < 0) {
		fprintf(stderr, "opsdeck run: cannot %s: %s\n", o->periodic ? "monitor" : "resume", err ? err : "?");
		free(err);
	}
	return rc;
}

static void opts_done(struct run_opts *o)
{
	free(o->inputs);
	free(o->confirms);
	free(o->values);
	free(o->steps);
	free(o->hook);
}

int cmd_run(struct cli *cli, int argc, char **argv)
{
	struct run_opts o = {0};
	int rc = parse_args(&o, argc, argv);
	struct config cfg = {0};
	struct runbook rb = {0};
	struct journal *j = NULL;
	char *err = NULL, *path = NULL;
	int exit_code = rc ? rc : EXIT_USAGE;
	if (rc || setup_config(cli, &cfg))
		goto out;
	if (o.hook) {
		char *resolved = run_resolve_hook(o.hook, &err);
		if (!resolved) {
			fprintf(stderr, "opsdeck run: %s\n", err);
			goto out;
		}
		free(o.hook);
		o.hook = resolved;
	}
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
	int periodic_steps = 0;
	for (int i = 0; i < rb.n_steps; i++)
		periodic_steps += rb.steps[i].every_ms > 0;
	if (o.periodic && !periodic_steps) {
		fprintf(stderr, "opsdeck run: %s has no periodic steps (every=): nothing to monitor\n", rb.id);
		goto out;
	}
	if (open_journal(cli, &j) < 0)
		goto out;
	struct rb_env env = {.cfg = &cfg, .journal = j, .read_only = cli->read_only,
			     .operator_name = getenv("OPSDECK_OPERATOR")};
	struct rb_run r;
	rb_run_init(&r, &rb, &env);
	int picked = pick_run(&r, &o, j, &cfg);
	if (picked < 0 || set_inputs(&r, &o, !o.periodic) < 0) {
		/* no open run to monitor is a finding (1); a bad --resume or input is usage (2) */
		exit_code = picked < 0 && o.periodic ? EXIT_CHECK_FAILED : EXIT_USAGE;
		rb_run_done(&r);
		goto out;
	}
	if (o.periodic) {
		exit_code = run_periodic(cli, &o, &r);
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
	run_print_result(&r, cli, j, state, o.which);
	exit_code = failed ? EXIT_CHECK_FAILED : EXIT_OK;
	rb_run_done(&r);
out:
	free(err);
	free(path);
	if (j)
		journal_close(j);
	runbook_done(&rb);
	config_done(&cfg);
	opts_done(&o);
	return exit_code;
}
