/* A run in the journal: begun lazily, each step's result committed before the screen says
 * so, inputs and captures kept for a resume, ended done or failed. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "runbooks/engine_int.h"
#include "runbooks/schedule.h"
#include "src/util.h"
#include "store/journal.h"

/* The journal's kind of run: a checklist (CL-NAME) or a runbook (RB-N, or a file). */
const char *rb_run_kind(const struct runbook *rb)
{
	return rb->checklist ? "checklist" : "runbook";
}

int rb_run_begin(struct rb_run *r, char **err)
{
	struct journal *j = r->env->journal;
	if (!j || r->run_id)
		return 0;
	struct journal_run jr = {
		.kind = rb_run_kind(r->rb),
		.ref = r->rb->id ? r->rb->id : r->rb->path,
		.title = r->rb->title,
		.env = r->env->cfg ? r->env->cfg->env : NULL,
		.operator_name = r->env->operator_name,
	};
	int64_t id = journal_run_begin(j, &jr, err);
	if (id < 0)
		return -1;
	r->run_id = id;
	r->started_wall_ms = now_wall_ms();
	return 0;
}

static int record_values(struct rb_run *r, char **err)
{
	struct journal *j = r->env->journal;
	for (int i = 0; i < r->rb->n_inputs; i++) {
		if (!r->inputs[i] || r->input_recorded[i])
			continue;
		char *v = rb_input_shown(r->rb->inputs[i].name, r->inputs[i]);
		int rc = journal_run_value(j, r->run_id, "input", r->rb->inputs[i].name, v, err);
		free(v);
		if (rc < 0)
			return -1;
		r->input_recorded[i] = 1;
	}
	for (int i = 0; i < r->n_captures; i++) {
		if (r->capture_recorded[i])
			continue;
		if (journal_run_value(j, r->run_id, "capture", r->captures[i].name, r->captures[i].value, err) < 0)
			return -1;
		r->capture_recorded[i] = 1;
	}
	return 0;
}

static char *joined(const struct step_outcome *o, int what)
{
	struct sbuf sb = {0};
	for (int i = 0; i < o->n_probes; i++) {
		const struct probe_outcome *p = &o->probes[i];
		if (what == 0 && (p->observed || p->error))
			sbuf_addf(&sb, "%s%s: %s%s%s", sb.len ? "; " : "", p->label, p->error ? p->error : "",
				  p->error && p->observed ? " — " : "", p->observed ? p->observed : "");
		if (what == 1 && p->output)
			sbuf_addf(&sb, "%s--- %s (%.0f ms%s) ---\n%s", sb.len ? "\n" : "", p->label, p->ms,
				  p->attempts > 1 ? ", several attempts" : "", p->output);
	}
	return sb.len ? sbuf_steal(&sb) : NULL;
}

static char *expectations(const struct rb_run *r, int i)
{
	const struct step *st = &r->rb->steps[i];
	struct sbuf sb = {0};
	for (int k = 0; k < st->n_probes; k++)
		if (st->probes[k].expect_src)
			sbuf_addf(&sb, "%s%s", sb.len ? "; " : "", st->probes[k].expect_src);
	return sb.len ? sbuf_steal(&sb) : NULL;
}

static const char *unit_of(const struct step *st, const char *name)
{
	for (int k = 0; k < st->n_probes; k++)
		if (str_eq(st->probes[k].baseline, name))
			return st->probes[k].unit;
	return NULL;
}

char *rb_step_observed(const struct rb_run *r, int i)
{
	const struct step_outcome *o = &r->steps[i];
	const struct step *st = &r->rb->steps[i];
	char *obs = o->n_probes ? joined(o, 0) : (o->summary ? xstrdup(o->summary) : NULL);
	if (!o->n_probes || !o->n_baselines)
		return obs; /* a typed baseline's summary names it already */
	/* the baselines taken, with their units: the report's "Baseline: ___ ms" */
	struct sbuf sb = {0};
	if (obs)
		sbuf_add(&sb, obs);
	for (int k = 0; k < o->n_baselines; k++) {
		const char *unit = unit_of(st, o->baselines[k].name);
		sbuf_addf(&sb, "%s%s = %s%s%s", sb.len ? (k ? ", " : "; baseline ") : "baseline ", o->baselines[k].name,
			  o->baselines[k].value, unit ? " " : "", unit ? unit : "");
	}
	free(obs);
	return sbuf_steal(&sb);
}

int rb_step_record(struct rb_run *r, int i, char **err)
{
	struct journal *j = r->env->journal;
	struct step_outcome *o = &r->steps[i];
	const struct step *st = &r->rb->steps[i];
	if (!j)
		return 0;
	if (rb_run_begin(r, err) < 0 || record_values(r, err) < 0)
		return -1;
	for (int k = 0; k < o->n_baselines && !o->baselines_recorded; k++) {
		double v = strtod(o->baselines[k].value, NULL);
		if (journal_baseline(j, r->run_id, o->baselines[k].name, v, unit_of(st, o->baselines[k].name), err) < 0)
			return -1;
	}
	o->baselines_recorded = 1; /* a note recorded later must not take them again */
	char *observed = rb_step_observed(r, i);
	char id[16];
	snprintf(id, sizeof id, "%d", st->number > 0 ? st->number : i + 1);
	char *output = joined(o, 1), *expect = expectations(r, i);
	struct journal_step js = {
		.run_id = r->run_id, .step_id = id, .title = st->title,
		.status = o->status == STEP_RUNNING ? "pending" : step_status_name(o->status),
		.observed = observed, .expectation = expect, .output = output, .note = o->note,
		.duration_ms = o->n_probes ? (int64_t)o->ms : -1,
	};
	int rc = journal_step_record(j, &js, err);
	free(observed);
	free(output);
	free(expect);
	if (rc == 0)
		o->recorded = 1;
	return rc;
}

int rb_step_note(struct rb_run *r, int i, const char *note, char **err)
{
	struct step_outcome *o = &r->steps[i];
	if (o->note && *o->note) {
		char *both = xasprintf("%s\n%s", o->note, note);
		free(o->note);
		o->note = both;
	} else {
		free(o->note);
		o->note = xstrdup(note);
	}
	if (o->recorded || o->status != STEP_PENDING)
		return rb_step_record(r, i, err);
	return 0;
}

int rb_run_abort(struct rb_run *r, char **err)
{
	if (!r->env->journal || !r->run_id)
		return 0;
	return journal_run_end(r->env->journal, r->run_id, "aborted", err);
}

int64_t rb_run_find_open(struct journal *j, const char *ref, const char *env, char **err)
{
	const char *kind = ref && !strncmp(ref, "CL-", 3) ? "checklist" : "runbook";
	return j ? journal_find_open_run(j, kind, ref, env, err) : 0;
}

static int step_index(const struct runbook *rb, const char *step_id)
{
	int n = atoi(step_id);
	for (int i = 0; i < rb->n_steps; i++)
		if (rb->steps[i].number == n)
			return i;
	return -1;
}

static int load_run(struct rb_run *r, int64_t run_id, int resuming, char **err)
{
	struct journal *j = r->env->journal;
	if (!j) {
		*err = xstrdup("no journal: nothing to resume");
		return -1;
	}
	struct journal_run_info ri;
	int found = journal_run_info(j, run_id, &ri, err);
	if (found <= 0) {
		if (found == 0)
			*err = xasprintf("there is no run %lld in the journal", (long long)run_id);
		return -1;
	}
	int rc = -1;
	const char *ref = r->rb->id ? r->rb->id : r->rb->path;
	if (!str_eq(ri.kind, rb_run_kind(r->rb)) || !str_eq(ri.ref, ref))
		*err = xasprintf("run %lld is %s %s, not %s", (long long)run_id, ri.kind, ri.ref, ref);
	else if (resuming && !str_eq(ri.state, "started") && !str_eq(ri.state, "resumed"))
		*err = xasprintf("run %lld has ended (%s): start a new one", (long long)run_id, ri.state);
	else
		rc = 0;
	int64_t started = ri.started_at;
	journal_run_info_done(&ri);
	if (rc < 0)
		return -1;
	struct journal_value *vals;
	int nv;
	if (journal_run_values(j, run_id, &vals, &nv, err) < 0)
		return -1;
	for (int k = 0; k < nv; k++) {
		if (str_eq(vals[k].kind, "capture") && vals[k].name && vals[k].value) {
			rb_set_capture(r, vals[k].name, xstrdup(vals[k].value), 1);
		} else if (str_eq(vals[k].kind, "input") && vals[k].value && !rb_input_is_secret(vals[k].name)) {
			int i = rb_input_index(r->rb, vals[k].name);
			if (i >= 0) {
				free(r->inputs[i]);
				r->inputs[i] = xstrdup(vals[k].value);
				r->input_recorded[i] = 1;
			}
		}
	}
	journal_values_free(vals, nv);
	struct journal_step_row *rows;
	int nr;
	if (journal_step_latest(j, run_id, &rows, &nr, err) < 0)
		return -1;
	for (int k = 0; k < nr; k++) {
		int i = step_index(r->rb, rows[k].step_id);
		enum step_status st;
		if (i < 0 || step_status_parse(rows[k].status, &st) < 0)
			continue;
		rb_outcome_done(&r->steps[i]);
		r->steps[i].status = st;
		r->steps[i].summary = rows[k].observed ? xstrdup(rows[k].observed) : xstrdup(rows[k].status);
		r->steps[i].note = rows[k].note ? xstrdup(rows[k].note) : NULL;
		r->steps[i].ms = (double)rows[k].duration_ms;
		r->steps[i].recorded = 1;
	}
	journal_step_rows_free(rows, nr);
	r->run_id = run_id;
	r->started_wall_ms = started;
	if (!resuming)
		return 0;
	char note[64];
	snprintf(note, sizeof note, "at step %d", rb_run_next_step(r) < r->rb->n_steps
			  ? r->rb->steps[rb_run_next_step(r)].number : r->rb->n_steps);
	if (journal_run_resume(j, run_id, note, err) < 0) {
		r->run_id = 0;
		return -1;
	}
	return 0;
}

int rb_run_resume(struct rb_run *r, int64_t run_id, char **err) { return load_run(r, run_id, 1, err); }
int rb_run_load(struct rb_run *r, int64_t run_id, char **err) { return load_run(r, run_id, 0, err); }

double rb_time_scale(const struct rb_run *r)
{
	return sched_time_scale(r->env->cfg ? r->env->cfg->opt[OPT_TIME_SCALE] : 0);
}

/* Step i's checks in this run, for the schedule: each result that passed (or was done by
 * hand) or failed, at the time it began; skipped and pending results are not checks.
 * *last_ms: when its newest result of any kind was recorded, 0 if none. */
static int step_checks(const struct rb_run *r, int i, struct sched_result **out, int *n, int64_t *last_ms,
		       char **err)
{
	const struct step *s = &r->rb->steps[i];
	struct journal_step_result *res = NULL;
	int nr = 0;
	*out = NULL;
	*n = 0;
	*last_ms = 0;
	if (r->env->journal && r->run_id) {
		char id[16];
		snprintf(id, sizeof id, "%d", s->number > 0 ? s->number : i + 1);
		if (journal_step_results(r->env->journal, r->run_id, id, &res, &nr, err) < 0)
			return -1;
	}
	*out = xmalloc(sizeof(**out) * (size_t)(nr ? nr : 1));
	for (int k = 0; k < nr; k++) {
		enum step_status ss;
		if (res[k].recorded_at > *last_ms)
			*last_ms = res[k].recorded_at;
		if (step_status_parse(res[k].status, &ss) < 0 || ss == STEP_SKIP || ss == STEP_PENDING ||
		    ss == STEP_RUNNING)
			continue;
		/* a check counts for the slot it began in, though its probes may end in the next;
		 * +2 ms: the recorded time and the duration are each cut to whole ms, and a check
		 * begun right at its slot must not land in the slot before */
		int64_t began = res[k].recorded_at;
		if (res[k].duration_ms > 2)
			began -= res[k].duration_ms - 2;
		(*out)[(*n)++] = (struct sched_result){began, ss == STEP_PASS || ss == STEP_MANUAL_OK};
	}
	free(res);
	return 0;
}

int64_t rb_step_every_ms(const struct step *s, double scale)
{
	return (int64_t)llround(s->every_ms / scale);
}

static int schedule_of(const struct rb_run *r, int i, double scale, int64_t now_ms, struct sched_state *st,
		       enum sched_check *kinds, int max_kinds, int64_t *last_ms, char **err)
{
	const struct step *s = &r->rb->steps[i];
	if (s->every_ms <= 0)
		return 0;
	struct sched_result *v;
	int m;
	if (step_checks(r, i, &v, &m, last_ms, err) < 0)
		return -1;
	int rc = sched_compute(s->every_ms / scale, s->for_ms / scale, v, m, now_ms, st, kinds, max_kinds);
	free(v);
	if (rc < 0) {
		*err = xasprintf("step %d: every=/for= give no usable schedule at time scale %g", s->number, scale);
		return -1;
	}
	return 1;
}

int rb_step_schedule(const struct rb_run *r, int i, double scale, int64_t now_ms, struct sched_state *st,
		     enum sched_check *kinds, int max_kinds, char **err)
{
	int64_t last;
	return schedule_of(r, i, scale, now_ms, st, kinds, max_kinds, &last, err);
}

int rb_periodic_due(const struct rb_run *r, double scale, int64_t now_ms, int *idx, int max,
		    int64_t *next_ms, char **err)
{
	int n = 0;
	int64_t next = 0;
	for (int i = 0; i < r->rb->n_steps; i++) {
		struct sched_state st;
		int rc = rb_step_schedule(r, i, scale, now_ms, &st, NULL, 0, err);
		if (rc < 0)
			return -1;
		if (rc == 0 || st.over)
			continue;
		if (st.due >= 0 && r->rb->steps[i].automatic && n < max)
			idx[n++] = i;
		int64_t when = st.next_due_ms;
		/* the check due now is not the next one: the one after it is */
		if (st.started && st.due >= 0 && when <= now_ms)
			when = st.due + 1 < st.n_checks ? st.start_ms + (st.due + 1) * rb_step_every_ms(&r->rb->steps[i], scale) : 0;
		if (when > now_ms && (!next || when < next))
			next = when;
	}
	if (next_ms)
		*next_ms = next;
	return n;
}

/* A periodic step whose window is over gets its final result, once: pass when every check
 * passed, fail when one failed or was missed, the note saying which. 1 when the step is
 * final (now or before), 0 while its window is open, -1 with *err. */
static int periodic_final(struct rb_run *r, int i, double scale, int64_t now, char **err)
{
	const struct step *s = &r->rb->steps[i];
	struct sched_state st;
	enum sched_check kinds[SCHED_MAX_CHECKS];
	int64_t last;
	if (schedule_of(r, i, scale, now, &st, kinds, SCHED_MAX_CHECKS, &last, err) < 0)
		return -1;
	if (!st.started && r->steps[i].status == STEP_SKIP)
		return 1; /* skipped (with a reason) before its first check */
	if (!st.over)
		return 0;
	/* a result after the last slot is not a check: it is this final one, recorded before */
	if (last >= st.start_ms + st.n_checks * rb_step_every_ms(s, scale))
		return 1;
	struct sbuf failed = {0}, missed = {0};
	for (int k = 0; k < st.n_checks; k++) {
		struct sbuf *sb = kinds[k] == SCHED_FAILED ? &failed : kinds[k] == SCHED_MISSED ? &missed : NULL;
		if (sb)
			sbuf_addf(sb, "%s%d", sb->len ? ", " : "", k + 1);
	}
	struct step_outcome *o = &r->steps[i];
	rb_outcome_done(o);
	o->status = st.failed || st.missed ? STEP_FAIL : STEP_PASS;
	o->summary = xasprintf("%d of %d checks passed", st.done, st.n_checks);
	struct sbuf note = {0};
	sbuf_add(&note, "monitoring window over: ");
	if (!st.failed && !st.missed)
		sbuf_add(&note, "every check passed");
	if (st.failed)
		sbuf_addf(&note, "%s %s failed", st.failed == 1 ? "check" : "checks", failed.buf);
	if (st.missed)
		sbuf_addf(&note, "%s%s %s missed (no result in %s slot)", st.failed ? "; " : "",
			  st.missed == 1 ? "check" : "checks", missed.buf, st.missed == 1 ? "its" : "their");
	o->note = sbuf_steal(&note);
	sbuf_done(&failed);
	sbuf_done(&missed);
	return rb_step_record(r, i, err) < 0 ? -1 : 1;
}

int rb_run_finish(struct rb_run *r, const char **state, char **err)
{
	double scale = rb_time_scale(r);
	int64_t now = now_wall_ms();
	int open = 0;
	for (int i = 0; i < r->rb->n_steps; i++) {
		if (r->rb->steps[i].every_ms <= 0)
			continue;
		int rc = periodic_final(r, i, scale, now, err);
		if (rc < 0)
			return -1;
		open |= rc == 0;
	}
	struct rb_progress p;
	rb_run_progress(r, &p);
	*state = p.pending || open ? "open" : p.fail ? "failed" : "done";
	if (!r->env->journal || !r->run_id || !strcmp(*state, "open"))
		return 0;
	return journal_run_end(r->env->journal, r->run_id, *state, err);
}
