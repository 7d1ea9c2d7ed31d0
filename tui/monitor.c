/* The console's periodic-monitoring scheduler (how it decides: tui/tracker.h). Each wake-up
 * reads the tracker's model again, looks at the open runs whose windows are open, starts the
 * first check due (worker thread), and sleeps until the next one falls due. Drawing never
 * comes here; the worker's done() continues on the loop. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "runbooks/schedule.h"
#include "src/cmd-run.h"
#include "tui/tracker.h"
#include "tui/walker.h"

#define IDLE_WAKE_MS 10000 /* runs begun elsewhere (cron, another console) are noticed this soon */
#define WALKER_RETRY_MS 1000 /* the walker holds the run and is busy: look again this soon */

static void wake_cb(evutil_socket_t fd, short what, void *arg);

double monitor_scale(const struct tui *t) { return sched_time_scale(t->cfg->opt[OPT_TIME_SCALE]); }

int monitor_busy(const struct tui *t) { return t->tracker && t->tracker->busy && !t->tracker->via_walker; }

int monitor_holds(const struct tui *t, int64_t run_id)
{
	const struct tracker *tr = t->tracker;
	return tr && tr->busy && !tr->via_walker && tr->run.run_id == run_id;
}

static void arm(struct tui *t, int64_t delay_ms)
{
	struct tracker *tr = tracker_get(t);
	if (!tr->timer)
		tr->timer = evtimer_new(t->base, wake_cb, t);
	if (delay_ms < 5)
		delay_ms = 5;
	struct timeval tv = {(time_t)(delay_ms / 1000), (suseconds_t)(delay_ms % 1000) * 1000};
	evtimer_add(tr->timer, &tv);
}

void monitor_wake_soon(struct tui *t)
{
	if (t->journal && !monitor_busy(t))
		arm(t, 0);
}

void monitor_start(struct tui *t)
{
	if (t->journal)
		arm(t, 0);
}

/* The walker has run_id open: its rb_run, or NULL. */
static struct walker *walker_of(struct tui *t, int64_t run_id)
{
	struct walker *w = t->walker;
	return w && w->walkable && w->begun && w->run.run_id == run_id ? w : NULL;
}

/* "W3-4" for CL-W3-4, as the tracker writes it. */
static const char *short_id(const struct rb_run *r)
{
	const char *id = r->rb->id ? r->rb->id : "?";
	return strncmp(id, "CL-", 3) ? id : id + 3;
}

static void forget_run(struct tracker *tr)
{
	if (tr->have_run)
		rb_run_done(&tr->run);
	tr->have_run = 0;
}

/* ---- a check finished ---- */

static void report(struct tui *t, struct rb_run *r, int i, char *err)
{
	struct tracker *tr = t->tracker;
	const struct step_outcome *o = &r->steps[i];
	int step_no = r->rb->steps[i].number;
	if (err)
		tui_alert(t, "%s check %d of %d of step %d %s, NOT recorded: %s", tr->check_ref, tr->check_k + 1,
			  tr->check_n, step_no, step_status_name(o->status), err);
	else if (o->status == STEP_PASS && t->message_crit && now_mono_ms() < t->message_until)
		return; /* a failed check said in red a moment ago stays up */
	else if (o->status == STEP_PASS) {
		tui_message(t, "%s check %d of %d of step %d passed, recorded in run %" PRId64 "%s%s", tr->check_ref,
			    tr->check_k + 1, tr->check_n, step_no, r->run_id, o->summary ? ": " : "",
			    o->summary ? o->summary : "");
		t->message_until = now_mono_ms() + 2000; /* routine: the status line's summary returns soon */
	} else
		tui_alert(t, "%s check %d of %d of step %d %s (run %" PRId64 ")%s%s", tr->check_ref, tr->check_k + 1,
			  tr->check_n, step_no, o->status == STEP_ERROR ? "could not be made" : "FAILED", r->run_id,
			  o->summary ? ": " : "", o->summary ? o->summary : "");
}

/* The note cron's checks carry too ("check k of N (due HH:MM)"). */
static void set_note(struct tui *t, struct rb_run *r, int i)
{
	struct tracker *tr = t->tracker;
	free(r->steps[i].note);
	r->steps[i].note = run_check_note(tr->check_k, tr->check_n, tr->check_due, monitor_scale(t));
}

static void own_done(struct rb_run *r, int i, void *arg)
{
	struct tui *t = arg;
	struct tracker *tr = t->tracker;
	char *err = NULL;
	set_note(t, r, i);
	rb_step_record(r, i, &err);
	report(t, r, i, err);
	free(err);
	tr->busy = 0;
	forget_run(tr);
	tracker_refresh(t);
	arm(t, 0); /* the next step's check of the same slot, if any */
}

static void walker_done(struct rb_run *r, int i, void *arg)
{
	struct tui *t = arg;
	struct tracker *tr = t->tracker;
	struct walker *w = t->walker;
	w->running = -1;
	set_note(t, r, i);
	int rc = walker_record(t, i); /* the walker keeps why it is not recorded, if it is not */
	report(t, r, i, rc < 0 && w->record_err[i] ? w->record_err[i] : NULL);
	tr->busy = 0;
	tracker_refresh(t);
	arm(t, 0);
}

/* ---- starting one ---- */

/* Step i's check due now, of a window the run has opened: 1 (check k of n, due at *due), 0 not. */
static int due_check(struct tui *t, const struct rb_run *r, int i)
{
	struct tracker *tr = t->tracker;
	struct sched_state st;
	char *err = NULL;
	int rc = rb_step_schedule(r, i, monitor_scale(t), now_wall_ms(), &st, NULL, 0, &err);
	free(err);
	if (rc != 1 || !st.started || st.over || st.due < 0)
		return 0;
	tr->check_k = st.due;
	tr->check_n = st.n_checks;
	tr->check_due = st.next_due_ms ? st.next_due_ms : now_wall_ms();
	return 1;
}

/* Refused (--read-only and the step writes; an input not known): said once, not run. */
static int refused(struct tui *t, const struct rb_run *r, int i)
{
	struct tracker *tr = t->tracker;
	char *why = NULL, key[200];
	if (rb_step_check(r, i, &why) == 0)
		return 0;
	snprintf(key, sizeof(key), "%" PRId64 "/%d/%d", r->run_id, i, tr->check_k);
	if (strcmp(key, tr->refused)) {
		snprintf(tr->refused, sizeof(tr->refused), "%s", key);
		tui_alert(t, "%s check %d of step %d is due and NOT run: %s", short_id(r), tr->check_k + 1,
			  r->rb->steps[i].number, why ? why : "refused");
	}
	free(why);
	return 1;
}

static int start_check(struct tui *t, struct rb_run *r, int i, int via_walker)
{
	struct tracker *tr = t->tracker;
	char *why = NULL;
	snprintf(tr->check_ref, sizeof(tr->check_ref), "%s", short_id(r));
	tr->step = i;
	tr->via_walker = via_walker;
	if (via_walker) {
		t->walker->running = i;
		t->walker->running_since = now_mono_ms();
	}
	if (rb_step_start(r, i, t->base, via_walker ? walker_done : own_done, t, &why) < 0) {
		if (via_walker)
			t->walker->running = -1;
		tui_alert(t, "%s check of step %d did not start: %s", tr->check_ref, r->rb->steps[i].number, why ? why : "?");
		free(why);
		return 0;
	}
	tr->busy = 1;
	if (!t->message_crit || now_mono_ms() >= t->message_until) /* a failure said in red stays up */
		tui_message(t, "%s check %d of %d of step %d running (periodic monitoring)", tr->check_ref,
			    tr->check_k + 1, tr->check_n, r->rb->steps[i].number);
	return 1;
}

/* The first due check of r that may run: started (1), or none. Adds the next due time. */
static int try_run(struct tui *t, struct rb_run *r, int via_walker, int64_t *next)
{
	int idx[64];
	int64_t when = 0;
	char *err = NULL;
	int n = rb_periodic_due(r, monitor_scale(t), now_wall_ms(), idx, 64, &when, &err);
	free(err);
	if (when && (!*next || when < *next))
		*next = when;
	for (int k = 0; k < n; k++)
		if (due_check(t, r, idx[k]) && !refused(t, r, idx[k]))
			return start_check(t, r, idx[k], via_walker);
	return 0;
}

static int settled(struct tracker *tr, int64_t run_id)
{
	for (int i = 0; i < tr->n_settled; i++)
		if (tr->settled[i] == run_id)
			return 1;
	return 0;
}

/* Every window of an open run is over: its periodic steps get their final results (and the
 * run ends if nothing is left to do), once. */
static const char *settle(struct tui *t, struct rb_run *r)
{
	struct tracker *tr = t->tracker;
	const char *state = NULL;
	char *err = NULL;
	if (rb_run_finish(r, &state, &err) < 0)
		tui_alert(t, "%s run %" PRId64 ": the end of its monitoring is NOT recorded: %s", short_id(r), r->run_id,
			  err ? err : "?");
	else
		tui_message(t, "%s run %" PRId64 ": monitoring over%s%s", short_id(r), r->run_id,
			    state && strcmp(state, "open") ? ", run " : "", state && strcmp(state, "open") ? state : "");
	free(err);
	if (tr->n_settled == TRACKER_SETTLED)
		memmove(tr->settled, tr->settled + 1, sizeof(tr->settled[0]) * (TRACKER_SETTLED - 1)), tr->n_settled--;
	tr->settled[tr->n_settled++] = r->run_id;
	return state;
}

/* One row's open run: a check started (1), the walker busy with it (-1), or nothing (0). */
static int look_at(struct tui *t, int i, int64_t *next)
{
	struct tracker *tr = t->tracker;
	const struct rollout_row *row = &tr->ro.rows[i];
	int open = str_eq(row->run_state, "started") || str_eq(row->run_state, "resumed");
	if (!open || !row->windows || (!row->windows_open && settled(tr, row->run_id)))
		return 0;
	struct walker *w = walker_of(t, row->run_id);
	if (w) {
		if (w->running >= 0 || w->ask != ASK_NONE)
			return -1; /* its step or question first */
		if (!row->windows_open) {
			const char *state = settle(t, &w->run);
			if (str_eq(state, "done") || str_eq(state, "failed"))
				w->end_state = !strcmp(state, "done") ? "done" : "failed"; /* the walker adds nothing now */
			return 0;
		}
		return try_run(t, &w->run, 1, next);
	}
	char *err = NULL;
	tr->env = (struct rb_env){.cfg = t->cfg, .journal = t->journal, .read_only = t->cli->read_only,
				  .operator_name = getenv("OPSDECK_OPERATOR")};
	rb_run_init(&tr->run, &tr->ro.rbs[i], &tr->env);
	tr->have_run = 1;
	if (rb_run_load(&tr->run, row->run_id, &err) < 0) {
		tui_alert(t, "%s run %" PRId64 " cannot be read for its checks: %s", row->id, row->run_id, err ? err : "?");
		free(err);
		forget_run(tr);
		return 0;
	}
	int started = 0;
	if (!row->windows_open)
		settle(t, &tr->run);
	else
		started = try_run(t, &tr->run, 0, next);
	if (!started)
		forget_run(tr);
	return started;
}

static void wake_cb(evutil_socket_t fd, short what, void *arg)
{
	struct tui *t = arg;
	struct tracker *tr = tracker_get(t);
	(void)fd, (void)what;
	if (tr->busy || !t->journal)
		return; /* done() wakes it again */
	tracker_refresh(t);
	int64_t now = now_wall_ms(), next = 0, delay = IDLE_WAKE_MS;
	for (int i = 0; i < tr->ro.n; i++) {
		int rc = look_at(t, i, &next);
		if (rc > 0)
			return;
		if (rc < 0)
			delay = WALKER_RETRY_MS;
	}
	if (next > now && next - now < delay)
		delay = next - now + 5; /* just after it falls due */
	arm(t, delay);
}

void monitor_stop(struct tui *t)
{
	struct tracker *tr = t->tracker;
	if (!tr)
		return;
	if (tr->timer)
		evtimer_del(tr->timer);
	if (tr->busy && !tr->via_walker) {
		tr->run.cancel = 1; /* rb_run_done waits for the worker: the result is not recorded */
		forget_run(tr);
	}
	tr->busy = 0;
}
