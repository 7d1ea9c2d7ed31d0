/* A run in the journal: begun lazily, each step's result committed before the screen says
 * so, inputs and captures kept for a resume, ended done or failed. */
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

int rb_step_record(struct rb_run *r, int i, char **err)
{
	struct journal *j = r->env->journal;
	struct step_outcome *o = &r->steps[i];
	const struct step *st = &r->rb->steps[i];
	if (!j)
		return 0;
	if (rb_run_begin(r, err) < 0 || record_values(r, err) < 0)
		return -1;
	for (int k = 0; k < o->n_baselines; k++) {
		double v = strtod(o->baselines[k].value, NULL);
		if (journal_baseline(j, r->run_id, o->baselines[k].name, v, unit_of(st, o->baselines[k].name), err) < 0)
			return -1;
	}
	for (int k = 0; k < o->n_baselines; k++) {
		free(o->baselines[k].name);
		free(o->baselines[k].value);
	}
	free(o->baselines);
	o->baselines = NULL;
	o->n_baselines = 0;
	char id[16];
	snprintf(id, sizeof id, "%d", st->number > 0 ? st->number : i + 1);
	char *observed = o->n_probes ? joined(o, 0) : (o->summary ? xstrdup(o->summary) : NULL);
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

int rb_run_finish(struct rb_run *r, const char **state, char **err)
{
	struct rb_progress p;
	rb_run_progress(r, &p);
	*state = p.fail ? "failed" : p.pending ? "open" : "done";
	if (!r->env->journal || !r->run_id || !strcmp(*state, "open"))
		return 0;
	return journal_run_end(r->env->journal, r->run_id, *state, err);
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

int rb_step_schedule(const struct rb_run *r, int i, double scale, int64_t now_ms, struct sched_state *st,
		     enum sched_check *kinds, int max_kinds, char **err)
{
	const struct step *s = &r->rb->steps[i];
	if (s->every_ms <= 0)
		return 0;
	struct journal_step_result *res = NULL;
	int n = 0;
	if (r->env->journal && r->run_id) {
		char id[16];
		snprintf(id, sizeof id, "%d", s->number > 0 ? s->number : i + 1);
		if (journal_step_results(r->env->journal, r->run_id, id, &res, &n, err) < 0)
			return -1;
	}
	/* a check counts when it was made: passed (or done by hand) or failed; skipped and
	 * pending results are not checks */
	struct sched_result *v = xmalloc(sizeof(*v) * (size_t)(n ? n : 1));
	int m = 0;
	for (int k = 0; k < n; k++) {
		enum step_status ss;
		if (step_status_parse(res[k].status, &ss) < 0 || ss == STEP_SKIP || ss == STEP_PENDING ||
		    ss == STEP_RUNNING)
			continue;
		v[m++] = (struct sched_result){res[k].recorded_at, ss == STEP_PASS || ss == STEP_MANUAL_OK};
	}
	free(res);
	int rc = sched_compute(s->every_ms / scale, s->for_ms / scale, v, m, now_ms, st, kinds, max_kinds);
	free(v);
	if (rc < 0) {
		*err = xasprintf("step %d: every=/for= give no usable schedule", s->number);
		return -1;
	}
	return 1;
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
		if (st.next_due_ms > now_ms && (!next || st.next_due_ms < next))
			next = st.next_due_ms;
		/* the check after the due one */
		if (st.due >= 0 && st.due + 1 < st.n_checks) {
			int64_t after = st.start_ms + (int64_t)(st.due + 1) * (int64_t)(r->rb->steps[i].every_ms / scale);
			if (st.started && after > now_ms && (!next || after < next))
				next = after;
		}
	}
	if (next_ms)
		*next_ms = next;
	return n;
}
