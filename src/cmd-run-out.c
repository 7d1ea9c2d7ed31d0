/* opsdeck run: what a headless run prints: each step as it goes, the run's result, why it
 * stays open and how to go on, or all of it as JSON. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "runbooks/schedule.h"
#include "src/cli.h"
#include "src/cmd-run.h"
#include "src/util.h"
#include "store/journal.h"

static cJSON *step_json(const struct rb_run *r, int i, double scale, int64_t now)
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
	char *observed = o->status == STEP_PENDING ? NULL : rb_step_observed(r, i);
	if (observed)
		cJSON_AddStringToObject(s, "observed", observed);
	else
		cJSON_AddNullToObject(s, "observed");
	free(observed);
	if (o->note)
		cJSON_AddStringToObject(s, "note", o->note);
	else
		cJSON_AddNullToObject(s, "note");
	cJSON *sched = run_schedule_json(r, i, scale, now);
	if (sched)
		cJSON_AddItemToObject(s, "schedule", sched);
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

void run_print_step(const struct rb_run *r, const struct run_opts *o_, int i, double scale)
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
	if (st->every_ms > 0 && run_in_steps(o_, st->number)) {
		run_print_schedule(r, i, scale, now_wall_ms());
		run_print_manual_part(r, i);
	}
	fflush(stdout);
}

/* After --auto: why the run stays open and how it goes on. */
static void print_left_open(const struct rb_run *r, const char *which)
{
	struct sbuf manual = {0}, other = {0};
	double scale = rb_time_scale(r);
	int64_t now = now_wall_ms(), next = 0, last_end = 0;
	for (int i = 0; i < r->rb->n_steps; i++) {
		const struct step *st = &r->rb->steps[i];
		struct sched_state ss;
		char *err = NULL;
		if (st->every_ms > 0 && rb_step_schedule(r, i, scale, now, &ss, NULL, 0, &err) == 1) {
			if (ss.started && !ss.over) {
				int64_t end = ss.start_ms + (int64_t)ss.n_checks * (int64_t)llround(st->every_ms / scale);
				last_end = end > last_end ? end : last_end;
				if (ss.next_due_ms && (!next || ss.next_due_ms < next))
					next = ss.next_due_ms;
			} else if (!ss.started) {
				sbuf_addf(&other, "%s%d", other.len ? ", " : "", st->number);
			}
		} else if (r->steps[i].status == STEP_PENDING || r->steps[i].status == STEP_RUNNING) {
			struct sbuf *sb = st->automatic ? &other : &manual;
			sbuf_addf(sb, "%s%d", sb->len ? ", " : "", st->number);
		}
		free(err);
	}
	char a[40], b[40], in[24];
	if (manual.len)
		printf("left open: manual step%s %s to do (by hand in the console, or --manual-hook)\n",
		       strchr(manual.buf, ',') ? "s" : "", manual.buf);
	if (other.len)
		printf("left open: step%s %s not checked yet (see above why)\n", strchr(other.buf, ',') ? "s" : "", other.buf);
	if (last_end)
		printf("left open: monitoring until %s; next check due %s (in %s)\n", run_clock(last_end, scale, a, sizeof a),
		       next ? run_clock(next, scale, b, sizeof b) : "now",
		       sched_fmt_duration(next > now ? next - now : 0, in, sizeof in));
	printf("continue: opsdeck run %s --auto --resume %lld, in the console (:rb %s), or the monitoring "
	       "from cron: opsdeck run %s --periodic [--follow]\n",
	       which, (long long)r->run_id, which, which);
	sbuf_done(&manual);
	sbuf_done(&other);
}

void run_print_result(const struct rb_run *r, const struct cli *cli, const struct journal *j, const char *state,
			 const char *which)
{
	struct rb_progress p;
	rb_run_progress(r, &p);
	if (cli->json) {
		double scale = rb_time_scale(r);
		int64_t now = now_wall_ms();
		cJSON *root = cJSON_CreateObject();
		if (r->run_id)
			cJSON_AddNumberToObject(root, "run_id", (double)r->run_id);
		else
			cJSON_AddNullToObject(root, "run_id");
		cJSON_AddStringToObject(root, "runbook", r->rb->id);
		cJSON_AddStringToObject(root, "state", r->run_id ? state : "not recorded");
		cJSON *steps = cJSON_AddArrayToObject(root, "steps");
		for (int i = 0; i < r->rb->n_steps; i++)
			cJSON_AddItemToArray(steps, step_json(r, i, scale, now));
		char *s = cJSON_Print(root);
		puts(s);
		free(s);
		cJSON_Delete(root);
		return;
	}
	if (!r->run_id) {
		printf("not recorded: no step ran — %d pending (journal %s)\n", p.pending, journal_path(j));
		return;
	}
	printf("run %lld: %s — %d passed, %d failed, %d skipped, %d pending (journal %s)\n", (long long)r->run_id,
	       state, p.pass, p.fail, p.skip, p.pending, journal_path(j));
	if (!strcmp(state, "open"))
		print_left_open(r, which);
}
