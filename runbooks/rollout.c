/* The rollout tracker's model (rollout.h): one journal query finds each checklist's newest
 * run in the environment; the engine loads that run (rb_run_load), reads its periodic steps'
 * schedules (rb_step_schedule) and its sign-offs (rb_signoff_state), and the state follows. */
#include "runbooks/rollout.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "runbooks/schedule.h"
#include "src/util.h"
#include "store/journal.h"

static const char *const tracked[ROLLOUT_MAX] = {
	"W1-2", "W3-4", "W5-6", "W7", "W8", "PHASE2-FINAL", "PROD-DEPLOY", "DB-SPLIT",
};

const char *rollout_state_name(enum rollout_state s)
{
	static const char *const names[] = {
		"not started", "started", "baseline recorded", "validating", "monitoring",
		"awaiting sign-off", "signed off", "rolled back", "failed", "aborted",
	};
	return (unsigned)s < ARRAY_LEN(names) ? names[s] : "?";
}

void rollout_init(struct rollout *ro, const char *dir)
{
	memset(ro, 0, sizeof(*ro));
	char *cl_dir = dir ? xstrdup(dir) : rb_checklist_dir();
	for (int i = 0; i < ROLLOUT_MAX; i++) {
		struct rollout_row *r = &ro->rows[i];
		snprintf(r->ref, sizeof(r->ref), "CL-%s", tracked[i]);
		r->id = r->ref + 3;
		char *err = NULL, *path = cl_dir ? xasprintf("%s/%s.md", cl_dir, tracked[i]) : NULL;
		if (!path)
			r->error = xstrdup("no checklist directory found (runbooks/checklists, or the installed one)");
		else if (runbook_load(&ro->rbs[i], path, &err) < 0)
			r->error = err ? err : xasprintf("cannot read %s", path);
		else if (!ro->rbs[i].id || strcmp(ro->rbs[i].id, r->ref))
			r->error = xasprintf("%s is not %s", path, r->ref);
		else
			ro->loaded[i] = 1;
		if (ro->loaded[i])
			r->title = xstrdup(ro->rbs[i].title ? ro->rbs[i].title : "");
		free(path);
	}
	ro->n = ROLLOUT_MAX;
	free(cl_dir);
}

/* What a refresh fills in; the title and a load error stay. */
static void row_clear(struct rollout_row *r, int keep_error)
{
	char *title = r->title, *error = keep_error ? r->error : NULL;
	if (!keep_error)
		free(r->error);
	free(r->run_state);
	free(r->operator_name);
	free(r->signed_by);
	free(r->reason);
	char ref[sizeof(r->ref)];
	memcpy(ref, r->ref, sizeof(ref));
	memset(r, 0, sizeof(*r));
	memcpy(r->ref, ref, sizeof(ref));
	r->id = r->ref + 3;
	r->title = title;
	r->error = error;
}

void rollout_done(struct rollout *ro)
{
	for (int i = 0; i < ro->n; i++) {
		row_clear(&ro->rows[i], 0);
		free(ro->rows[i].title);
		runbook_done(&ro->rbs[i]);
	}
	memset(ro, 0, sizeof(*ro));
}

static void count_steps(struct rollout_row *row, const struct rb_run *r)
{
	rb_run_progress(r, &row->progress);
	for (int i = 0; i < r->rb->n_steps; i++) {
		enum step_status s = r->steps[i].status;
		int has = s != STEP_PENDING && s != STEP_RUNNING;
		int pass = s == STEP_PASS || s == STEP_MANUAL_OK, fail = s == STEP_FAIL || s == STEP_ERROR;
		if (r->rb->steps[i].section == SEC_BASELINE) {
			row->baseline_steps++;
			row->baseline_done += has;
		} else if (r->rb->steps[i].section == SEC_VALIDATION) {
			row->valid_steps++;
			row->valid_pass += pass;
			row->valid_fail += fail;
		}
	}
}

/* The periodic steps' windows: only those the run has opened (a first check made) count;
 * the others have not begun, whatever the engine would call due. */
static int read_schedules(struct rollout_row *row, const struct rb_run *r, double scale, int64_t now,
			  char **err)
{
	for (int i = 0; i < r->rb->n_steps; i++) {
		struct sched_state st;
		int rc = rb_step_schedule(r, i, scale, now, &st, NULL, 0, err);
		if (rc < 0)
			return -1;
		if (rc == 0)
			continue;
		row->periodic_steps++;
		if (!st.started)
			continue;
		row->windows++;
		row->checks += st.n_checks;
		row->checks_done += st.done;
		row->checks_failed += st.failed;
		row->checks_missed += st.missed;
		if (st.over)
			continue;
		row->windows_open++;
		if (st.end_ms > row->window_end)
			row->window_end = st.end_ms;
		if (st.due >= 0) {
			row->checks_due++;
			row->auto_due |= r->rb->steps[i].automatic;
		}
		if (st.next_due_ms && (!row->next_check || st.next_due_ms < row->next_check))
			row->next_check = st.next_due_ms;
	}
	return 0;
}

static int read_signoffs(struct rollout_row *row, struct rb_run *r, char **err)
{
	row->roles = r->rb->n_roles;
	if (!row->roles)
		return 0;
	int64_t *ids = xcalloc((size_t)row->roles, sizeof(*ids));
	int missing = rb_signoff_state(r, ids, err);
	struct journal_signoff_row *v = NULL;
	int n = 0, rc = missing < 0 ? -1 : 0;
	if (rc == 0 && missing < row->roles)
		rc = journal_signoffs(r->env->journal, r->run_id, &v, &n, err);
	if (rc == 0) {
		struct sbuf by = {0};
		row->roles_signed = row->roles - missing;
		for (int k = 0; k < n; k++)
			for (int i = 0; i < row->roles; i++)
				if (ids[i] == v[k].id) {
					sbuf_addf(&by, "%s%s", by.len ? ", " : "", v[k].person ? v[k].person : "?");
					if (v[k].recorded_at > row->signed_at)
						row->signed_at = v[k].recorded_at;
					row->signed_with_reason |= v[k].reason && *v[k].reason;
				}
		row->signed_by = by.len ? sbuf_steal(&by) : NULL;
	}
	journal_signoff_rows_free(v, n);
	free(ids);
	return rc;
}

static enum rollout_state derive(const struct rollout_row *row)
{
	if (row->roles && row->roles_signed == row->roles)
		return RO_SIGNED_OFF;
	if (str_eq(row->run_state, "failed"))
		return RO_FAILED;
	if (row->windows_open)
		return RO_MONITORING;
	if (str_eq(row->run_state, "done") || !row->progress.pending || row->roles_signed)
		return RO_AWAITING_SIGNOFF;
	if (row->valid_pass || row->valid_fail || row->progress.pass + row->progress.fail + row->progress.skip >
	    row->baseline_done)
		return RO_VALIDATING;
	return row->baseline_done ? RO_BASELINE : RO_STARTED;
}

/* The run's steps, schedules and sign-offs. */
static int read_run(struct rollout_row *row, const struct runbook *rb, struct journal *j, double scale,
		    int64_t now, char **err)
{
	struct rb_env env = {.journal = j}; /* no config: nothing runs, no secrets to load */
	struct rb_run r;
	rb_run_init(&r, rb, &env);
	int rc = rb_run_load(&r, row->run_id, err);
	if (rc == 0) {
		count_steps(row, &r);
		rc = read_schedules(row, &r, scale, now, err);
	}
	if (rc == 0)
		rc = read_signoffs(row, &r, err);
	rb_run_done(&r);
	return rc;
}

static int refresh_row(struct rollout *ro, int i, struct journal *j, const char *env, double scale, int64_t now,
		       char **err)
{
	struct rollout_row *row = &ro->rows[i];
	struct journal_newest nw;
	row_clear(row, !ro->loaded[i]);
	int found = journal_newest_run(j, "checklist", row->ref, env, &nw, err);
	if (found <= 0)
		return found;
	row->run_id = nw.id;
	row->run_state = nw.state ? xstrdup(nw.state) : xstrdup("started");
	row->started_at = nw.started_at;
	row->state_at = nw.state_at;
	row->operator_name = xstrdup(nw.operator_name && *nw.operator_name ? nw.operator_name
				     : nw.os_user ? nw.os_user : "?");
	if (str_eq(nw.state, "rolled-back")) {
		row->state = RO_ROLLED_BACK;
		row->reason = nw.note ? xstrdup(nw.note) : NULL;
	} else if (str_eq(nw.state, "aborted")) {
		row->state = RO_ABORTED;
	}
	journal_newest_done(&nw);
	if (row->state == RO_ROLLED_BACK || row->state == RO_ABORTED || !ro->loaded[i]) {
		if (!ro->loaded[i] && !row->state)
			row->state = RO_STARTED;
		return 0;
	}
	if (read_run(row, &ro->rbs[i], j, scale, now, err) < 0)
		return -1;
	row->state = derive(row);
	return 0;
}

int rollout_refresh(struct rollout *ro, struct journal *j, const char *env, double scale, int64_t now_ms,
		    char **err)
{
	int rc = 0;
	ro->now = now_ms;
	for (int i = 0; i < ro->n; i++) {
		char *why = NULL;
		int bad = j ? refresh_row(ro, i, j, env, scale, now_ms, &why) : (row_clear(&ro->rows[i], !ro->loaded[i]), 0);
		ro->rows[i].scale = scale;
		if (bad < 0) {
			free(ro->rows[i].error);
			ro->rows[i].error = xasprintf("journal: %s", why ? why : "cannot read the run");
			if (rc == 0 && err)
				*err = xstrdup(ro->rows[i].error);
			rc = -1;
		}
		free(why);
	}
	return rc;
}

/* ---- words ---- */

/* "14:00" today, "Mon 14:00" another day; with a compressed clock (tests, demos) seconds too. */
static const char *fmt_when(int64_t ms, int64_t now, double scale, char *buf, int size)
{
	time_t s = (time_t)(ms / 1000), n = (time_t)(now / 1000);
	struct tm tm, today;
	localtime_r(&s, &tm);
	localtime_r(&n, &today);
	int same_day = tm.tm_yday == today.tm_yday && tm.tm_year == today.tm_year;
	strftime(buf, (size_t)size, scale > 1 ? (same_day ? "%H:%M:%S" : "%a %H:%M:%S") : (same_day ? "%H:%M" : "%a %H:%M"),
		 &tm);
	return buf;
}

const char *rollout_next_check(const struct rollout_row *r, int64_t now_ms, char *buf, int size)
{
	if (r->state != RO_MONITORING || !r->next_check)
		snprintf(buf, (size_t)size, "%s", "");
	else if (r->next_check <= now_ms)
		snprintf(buf, (size_t)size, "%s", "due now");
	else
		fmt_when(r->next_check, now_ms, r->scale, buf, size);
	return buf;
}

/* ", 1 missed, 2 failed" for the checks, "" when none. */
static void check_faults(const struct rollout_row *r, char *buf, size_t size)
{
	char missed[32] = "", failed[32] = "";
	if (r->checks_missed)
		snprintf(missed, sizeof(missed), ", %d missed", r->checks_missed);
	if (r->checks_failed)
		snprintf(failed, sizeof(failed), ", %d failed", r->checks_failed);
	snprintf(buf, size, "%s%s", missed, failed);
}

const char *rollout_progress(const struct rollout_row *r, int64_t now_ms, char *buf, int size)
{
	char left[32], faults[64];
	const struct rb_progress *p = &r->progress;
	size_t n = (size_t)size;
	check_faults(r, faults, sizeof(faults));
	switch (r->state) {
	case RO_NOT_STARTED: snprintf(buf, n, "%s", ""); break;
	case RO_STARTED: snprintf(buf, n, "0 of %d steps", p->total); break;
	case RO_BASELINE: snprintf(buf, n, "baseline %d/%d", r->baseline_done, r->baseline_steps); break;
	case RO_VALIDATING:
		snprintf(buf, n, "%d of %d passed, %d failed%s%s%s", r->valid_pass, r->valid_steps, r->valid_fail,
			 r->windows ? "; monitoring over" : "", *faults ? ": checks" : "", faults + (*faults ? 1 : 0));
		break;
	case RO_MONITORING:
		sched_fmt_duration(r->window_end - now_ms, left, sizeof(left));
		snprintf(buf, n, "%s left, checks %d/%d%s", left, r->checks_done + r->checks_failed, r->checks, faults);
		break;
	case RO_AWAITING_SIGNOFF:
		snprintf(buf, n, "%d of %d roles signed%s", r->roles_signed, r->roles, faults);
		break;
	case RO_SIGNED_OFF:
		snprintf(buf, n, "by %s%s", r->signed_by ? r->signed_by : "?", r->signed_with_reason ? " (with a reason)" : "");
		break;
	case RO_ROLLED_BACK: snprintf(buf, n, "%s", r->reason ? r->reason : ""); break;
	case RO_FAILED: snprintf(buf, n, "%d of %d steps failed%s", p->fail, p->total, faults); break;
	case RO_ABORTED: snprintf(buf, n, "%s", "given up"); break;
	}
	return buf;
}

const char *rollout_summary(const struct rollout_row *r, int64_t now_ms, char *buf, int size)
{
	char prog[200], left[32], next[32], faults[64];
	if (r->state != RO_MONITORING) {
		snprintf(buf, (size_t)size, "%s %s: %s", r->id, rollout_state_name(r->state),
			 rollout_progress(r, now_ms, prog, sizeof(prog)));
		return buf;
	}
	check_faults(r, faults, sizeof(faults));
	sched_fmt_duration(r->window_end - now_ms, left, sizeof(left));
	rollout_next_check(r, now_ms, next, sizeof(next));
	snprintf(buf, (size_t)size, "%s monitoring: %s left, %s%s%s", r->id, left,
		 r->next_check && r->next_check <= now_ms ? "" : "next check ", *next ? next : "no check left", faults);
	return buf;
}

const struct rollout_row *rollout_find(const struct rollout *ro, const char *ref)
{
	if (!ref)
		return NULL;
	for (int i = 0; i < ro->n; i++)
		if (!strcasecmp(ro->rows[i].ref, ref) || !strcasecmp(ro->rows[i].id, ref))
			return &ro->rows[i];
	return NULL;
}

static int in_progress(const struct rollout_row *r)
{
	return r->state >= RO_STARTED && r->state <= RO_AWAITING_SIGNOFF;
}

const struct rollout_row *rollout_current(const struct rollout *ro, const char *prefer)
{
	const struct rollout_row *p = rollout_find(ro, prefer);
	if (p && in_progress(p))
		return p;
	for (int i = 0; i < ro->n; i++)
		if (ro->rows[i].state == RO_MONITORING)
			return &ro->rows[i];
	for (int i = 0; i < ro->n; i++)
		if (in_progress(&ro->rows[i]))
			return &ro->rows[i];
	return NULL;
}

int rollout_rollback(struct journal *j, int64_t run_id, const char *reason, char **err)
{
	struct journal_run_info ri;
	if (!reason || !*reason) {
		*err = xstrdup("a roll-back needs its reason");
		return -1;
	}
	int found = journal_run_info(j, run_id, &ri, err);
	if (found <= 0) {
		if (found == 0)
			*err = xasprintf("there is no run %lld in the journal", (long long)run_id);
		return -1;
	}
	int rc = -1;
	if (!str_eq(ri.kind, "checklist"))
		*err = xasprintf("run %lld is %s %s: only a checklist's run is rolled back", (long long)run_id,
				 ri.kind ? ri.kind : "?", ri.ref ? ri.ref : "?");
	else if (str_eq(ri.state, "rolled-back"))
		*err = xasprintf("run %lld (%s) is already rolled back", (long long)run_id, ri.ref);
	else
		rc = journal_run_rollback(j, run_id, reason, err);
	journal_run_info_done(&ri);
	return rc;
}
