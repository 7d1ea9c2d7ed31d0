/* Checklist sign-offs: the roles a checklist names, a reason when anything failed or was
 * not checked, one person per role (unless the config allows more), corrections as new
 * entries referring to the one they correct. The journal keeps them append-only. */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "runbooks/engine.h"
#include "runbooks/schedule.h"
#include "src/util.h"
#include "store/journal.h"

static int role_index(const struct runbook *rb, const char *role)
{
	for (int i = 0; i < rb->n_roles; i++)
		if (rb->roles[i].role && !strcasecmp(rb->roles[i].role, role))
			return i;
	return -1;
}

/* A sign-off is current unless a later one corrects it. */
static int corrected(const struct journal_signoff_row *v, int n, int64_t id)
{
	for (int i = 0; i < n; i++)
		if (v[i].corrects_id == id)
			return 1;
	return 0;
}

int rb_signoff_state(struct rb_run *r, int64_t *signed_ids, char **err)
{
	const struct runbook *rb = r->rb;
	for (int i = 0; i < rb->n_roles; i++)
		signed_ids[i] = 0;
	if (!r->env->journal || !r->run_id)
		return rb->n_roles;
	struct journal_signoff_row *v;
	int n;
	if (journal_signoffs(r->env->journal, r->run_id, &v, &n, err) < 0)
		return -1;
	for (int k = 0; k < n; k++) {
		int i = role_index(rb, v[k].role);
		if (i >= 0 && !corrected(v, n, v[k].id))
			signed_ids[i] = v[k].id;
	}
	journal_signoff_rows_free(v, n);
	int missing = 0;
	for (int i = 0; i < rb->n_roles; i++)
		missing += signed_ids[i] == 0;
	return missing;
}

/* Periodic steps whose monitoring window is open: their checks so far may have passed,
 * but the step is not checked until the window is over. Counted with the unchecked ones. */
static int monitoring_open(const struct rb_run *r, char **err)
{
	double scale = rb_time_scale(r);
	int64_t now = now_wall_ms();
	int n = 0;
	for (int i = 0; i < r->rb->n_steps; i++) {
		struct sched_state st;
		int rc = rb_step_schedule(r, i, scale, now, &st, NULL, 0, err);
		if (rc < 0)
			return -1;
		if (rc > 0 && st.started && !st.over && r->steps[i].status != STEP_PENDING &&
		    r->steps[i].status != STEP_FAIL)
			n++;
	}
	return n;
}

int64_t rb_signoff(struct rb_run *r, const struct rb_signoff_req *q, char **err)
{
	const struct runbook *rb = r->rb;
	struct journal *j = r->env->journal;
	if (!j || !r->run_id) {
		*err = xstrdup("nothing to sign: the run is not in the journal");
		return -1;
	}
	if (!rb->n_roles) {
		*err = xasprintf("%s has no ## Sign-off roles", rb->id ? rb->id : rb->path);
		return -1;
	}
	int ri = q->role ? role_index(rb, q->role) : -1;
	if (ri < 0) {
		struct sbuf sb = {0};
		for (int i = 0; i < rb->n_roles; i++)
			sbuf_addf(&sb, "%s'%s'", i ? ", " : "", rb->roles[i].role ? rb->roles[i].role : "?");
		*err = xasprintf("'%s' is not a sign-off role of %s (its roles: %s)", q->role ? q->role : "",
				 rb->id, sb.buf);
		sbuf_done(&sb);
		return -1;
	}
	if (!q->person || !*q->person) {
		*err = xstrdup("a sign-off needs the person's name");
		return -1;
	}
	struct rb_progress p;
	rb_run_progress(r, &p);
	int watching = monitoring_open(r, err);
	if (watching < 0)
		return -1;
	p.pending += watching;
	if ((p.fail || p.pending) && (!q->reason || !*q->reason)) {
		*err = xasprintf("run %lld has %d failed and %d unchecked step%s%s: signing it needs a written "
				 "reason", (long long)r->run_id, p.fail, p.pending, p.pending == 1 ? "" : "s",
				 watching ? " (monitoring not over)" : "");
		return -1;
	}
	struct journal_signoff_row *v;
	int n;
	if (journal_signoffs(j, r->run_id, &v, &n, err) < 0)
		return -1;
	int64_t rc = 0;
	int roles = 0;
	for (int k = 0; k < n && rc == 0; k++) {
		if (corrected(v, n, v[k].id) || v[k].id == q->corrects)
			continue;
		if (!strcasecmp(v[k].role, rb->roles[ri].role) && !q->corrects) {
			*err = xasprintf("%s has already signed as %s (sign-off #%lld): to change it, record a "
					 "correction (--corrects %lld)", v[k].person, v[k].role, (long long)v[k].id,
					 (long long)v[k].id);
			rc = -1;
		} else if (!strcasecmp(v[k].person, q->person) && strcasecmp(v[k].role, rb->roles[ri].role)) {
			roles++;
		}
	}
	if (rc == 0 && roles + 1 > (q->roles_per_person > 0 ? q->roles_per_person : 1)) {
		*err = xasprintf("%s has already signed another role of this run: each role needs another "
				 "person (the config's signoff.roles_per_person allows more)", q->person);
		rc = -1;
	}
	journal_signoff_rows_free(v, n);
	if (rc < 0)
		return -1;
	struct journal_signoff s = {
		.run_id = r->run_id, .role = rb->roles[ri].role, .person = q->person, .comment = q->comment,
		.reason = q->reason, .corrects_id = q->corrects,
	};
	return journal_signoff(j, &s, err);
}
