/* opsdeck run CL --periodic [--follow]: the periodic monitoring of a checklist's open run,
 * from cron or a terminal. The run is loaded, not resumed (cron must not add a "resumed"
 * event every few hours); each periodic step with a check due now (rb_periodic_due) runs its
 * automatic probes and records the result as that step's next check, "check k of N (due
 * HH:MM)". --follow sleeps until the next check falls due, until every window is over, and
 * then ends the run; Ctrl-C or SIGTERM stops it between checks (a check cut short is not
 * recorded). Exit 0 when every check made passed and none was missed, 1 otherwise. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "runbooks/schedule.h"
#include "src/cli.h"
#include "src/cmd-run.h"
#include "src/util.h"
#include "store/journal.h"

static volatile sig_atomic_t stop_sig;
static volatile int *cancel_of; /* the run's cancel flag: a probe under way gives up */

static void on_stop(int sig)
{
	stop_sig = sig;
	if (cancel_of)
		*cancel_of = 1;
}

const char *run_clock(int64_t wall_ms, double scale, char *buf, int size)
{
	time_t t = (time_t)(wall_ms / 1000), now = time(NULL);
	struct tm tm, tn;
	localtime_r(&t, &tm);
	localtime_r(&now, &tn);
	int today = tm.tm_yday == tn.tm_yday && tm.tm_year == tn.tm_year;
	/* a compressed schedule needs the seconds; another day, the date */
	size_t n = 0;
	if (!today)
		n = strftime(buf, (size_t)size, "%Y-%m-%d ", &tm);
	if (scale != 1)
		strftime(buf + n, (size_t)size - n, "%H:%M:%S", &tm);
	else
		strftime(buf + n, (size_t)size - n, "%H:%M", &tm);
	return buf;
}

int run_check(struct rb_run *r, int i, double scale, char **err)
{
	struct sched_state st;
	int64_t now = now_wall_ms();
	if (rb_step_schedule(r, i, scale, now, &st, NULL, 0, err) < 0)
		return -1;
	int k = st.due >= 0 ? st.due : 0;
	int64_t due = st.started ? st.start_ms + k * rb_step_every_ms(&r->rb->steps[i], scale) : now;
	rb_step_exec(r, i);
	if (r->cancel) {
		*err = xasprintf("stopped: check %d of step %d was cut short and is not recorded", k + 1,
				 r->rb->steps[i].number);
		return -1;
	}
	free(r->steps[i].note);
	r->steps[i].note = run_check_note(k, st.n_checks, due, scale);
	return rb_step_record(r, i, err);
}

char *run_check_note(int k, int n, int64_t due_ms, double scale)
{
	char when[40];
	return xasprintf("check %d of %d (due %s)", k + 1, n, run_clock(due_ms, scale, when, sizeof when));
}

/* When the window of a started step is over: after its last slot. */
static int64_t window_over_at(const struct rb_run *r, int i, const struct sched_state *st, double scale)
{
	return st->start_ms + (int64_t)st->n_checks * rb_step_every_ms(&r->rb->steps[i], scale);
}

void run_print_schedule(const struct rb_run *r, int i, double scale, int64_t now_ms)
{
	const struct step *s = &r->rb->steps[i];
	struct sched_state st;
	char *err = NULL, a[40], b[24], ev[24], fo[24];
	if (rb_step_schedule(r, i, scale, now_ms, &st, NULL, 0, &err) != 1) {
		if (err)
			printf("        schedule: %s\n", err);
		free(err);
		return;
	}
	sched_fmt_duration((int64_t)s->every_ms, ev, sizeof ev);
	sched_fmt_duration((int64_t)s->for_ms, fo, sizeof fo);
	if (!st.started) {
		printf("        monitoring: not started (the first check opens the window: %d checks, every %s for %s)\n",
		       st.n_checks, ev, fo);
		return;
	}
	printf("        checks: %d passed, %d failed, %d missed of %d (every %s for %s); ", st.done, st.failed, st.missed,
	       st.n_checks, ev, fo);
	if (st.over)
		printf("window over\n");
	else if (st.due >= 0)
		printf("check %d due now\n", st.due + 1);
	else if (st.next_due_ms)
		printf("next due %s (in %s)\n", run_clock(st.next_due_ms, scale, a, sizeof a),
		       sched_fmt_duration(st.next_due_ms - now_ms, b, sizeof b));
	else
		printf("no check left; window over at %s\n", run_clock(window_over_at(r, i, &st, scale), scale, a, sizeof a));
}

cJSON *run_schedule_json(const struct rb_run *r, int i, double scale, int64_t now_ms)
{
	struct sched_state st;
	char *err = NULL, a[40];
	if (r->rb->steps[i].every_ms <= 0)
		return NULL;
	cJSON *o = cJSON_CreateObject();
	if (rb_step_schedule(r, i, scale, now_ms, &st, NULL, 0, &err) != 1) {
		cJSON_AddStringToObject(o, "error", err ? err : "no schedule");
		free(err);
		return o;
	}
	cJSON_AddNumberToObject(o, "checks", st.n_checks);
	cJSON_AddNumberToObject(o, "passed", st.done);
	cJSON_AddNumberToObject(o, "failed", st.failed);
	cJSON_AddNumberToObject(o, "missed", st.missed);
	cJSON_AddBoolToObject(o, "started", st.started);
	cJSON_AddBoolToObject(o, "over", st.over);
	if (st.due >= 0)
		cJSON_AddNumberToObject(o, "due_now", st.due + 1);
	if (st.started && !st.over && st.next_due_ms > now_ms) {
		cJSON_AddNumberToObject(o, "next_due_ms", (double)st.next_due_ms);
		cJSON_AddStringToObject(o, "next_due", run_clock(st.next_due_ms, scale, a, sizeof a));
	}
	if (st.started)
		cJSON_AddNumberToObject(o, "window_over_ms", (double)window_over_at(r, i, &st, scale));
	return o;
}

void run_print_manual_part(const struct rb_run *r, int i)
{
	const struct step *s = &r->rb->steps[i];
	for (int k = 0; k < s->n_probes; k++) {
		const struct probe *pr = &s->probes[k];
		if (pr->kind != PROBE_TEXT || !pr->code || pr == s->typed_baseline)
			continue;
		printf("        by hand at each check (opsdeck cannot):\n");
		int lines = 0;
		for (const char *p = pr->code; *p && lines < 5; lines++) {
			size_t n = strcspn(p, "\n");
			if (n)
				printf("          %.*s\n", (int)n, p);
			p += n + (p[n] == '\n');
		}
	}
}

struct tally {
	int ran, failed, blocked; /* checks made now; of them failed; due checks that could not run */
	cJSON *ran_json;
};

/* The checks due now, each recorded. -1 when one could not be recorded (or was stopped). */
static int run_due(struct rb_run *r, const struct cli *cli, double scale, struct tally *t)
{
	int idx[64];
	char *err = NULL;
	int n = rb_periodic_due(r, scale, now_wall_ms(), idx, 64, NULL, &err);
	for (int q = 0; q < n && !stop_sig; q++) {
		int i = idx[q];
		const struct step *s = &r->rb->steps[i];
		char *why = NULL;
		if (rb_step_check(r, i, &why) < 0) {
			fprintf(stderr, "opsdeck run: step %d: a check is due but cannot run: %s\n", s->number, why);
			free(why);
			t->blocked++;
			continue;
		}
		if (run_check(r, i, scale, &err) < 0)
			break;
		const struct step_outcome *o = &r->steps[i];
		t->ran++;
		t->failed += o->status != STEP_PASS;
		if (cli->json) {
			cJSON *c = cJSON_CreateObject();
			cJSON_AddNumberToObject(c, "step", s->number);
			cJSON_AddStringToObject(c, "status", step_status_name(o->status));
			cJSON_AddStringToObject(c, "note", o->note ? o->note : "");
			char *obs = rb_step_observed(r, i);
			cJSON_AddStringToObject(c, "observed", obs ? obs : "");
			free(obs);
			cJSON_AddItemToArray(t->ran_json, c);
		} else {
			printf("%s %2d. %s\n        %s: %s: %s\n", o->status == STEP_PASS ? "[✓]" : "[✗]", s->number,
			       s->title ? s->title : "", o->note ? o->note : "", step_status_name(o->status),
			       o->summary ? o->summary : "");
			fflush(stdout);
		}
	}
	if (n < 0 || err) {
		fprintf(stderr, "opsdeck run: %s%s\n", n < 0 ? "cannot read the schedule: " : stop_sig ? "" : "NOT recorded: ",
			err ? err : "?");
		free(err);
		return -1;
	}
	return 0;
}

/* Every periodic step's schedule; 1 when a check failed or was missed, and sets *all_over. */
static int report(const struct rb_run *r, const struct cli *cli, double scale, cJSON *steps, int *all_over)
{
	int bad = 0;
	int64_t now = now_wall_ms();
	*all_over = 1;
	for (int i = 0; i < r->rb->n_steps; i++) {
		const struct step *s = &r->rb->steps[i];
		struct sched_state st;
		char *err = NULL;
		if (s->every_ms <= 0)
			continue;
		if (rb_step_schedule(r, i, scale, now, &st, NULL, 0, &err) == 1) {
			bad |= st.failed || st.missed;
			*all_over &= st.over;
		} else {
			*all_over = 0; /* unknown: never end a run on a schedule that could not be read */
			bad = 1;
		}
		free(err);
		if (cli->json && !steps)
			continue;
		if (cli->json) {
			cJSON *o = run_schedule_json(r, i, scale, now);
			cJSON_AddNumberToObject(o, "step", s->number);
			cJSON_AddStringToObject(o, "title", s->title ? s->title : "");
			cJSON_AddStringToObject(o, "status", step_status_name(r->steps[i].status));
			cJSON_AddItemToArray(steps, o);
			continue;
		}
		printf("%2d. %s\n", s->number, s->title ? s->title : "");
		run_print_schedule(r, i, scale, now);
		run_print_manual_part(r, i);
	}
	return bad;
}

/* When the last open window closes (after its last slot), 0 when none is open: no check
 * may be left while a window still runs out. */
static int64_t last_window_over(const struct rb_run *r, double scale, int64_t now)
{
	int64_t last = 0;
	for (int i = 0; i < r->rb->n_steps; i++) {
		struct sched_state st;
		char *err = NULL;
		if (rb_step_schedule(r, i, scale, now, &st, NULL, 0, &err) == 1 && st.started && !st.over) {
			int64_t at = window_over_at(r, i, &st, scale);
			last = at > last ? at : last;
		}
		free(err);
	}
	return last;
}

/* Sleeps until when, or until a signal says stop. */
static void sleep_until(int64_t when)
{
	while (!stop_sig) {
		int64_t left = when - now_wall_ms();
		if (left <= 0)
			return;
		struct timespec ts = {0, (long)(left < 200 ? left : 200) * 1000000L};
		nanosleep(&ts, NULL);
	}
}

static void catch_stops(struct rb_run *r, int on)
{
	struct sigaction sa = {0};
	sa.sa_handler = on ? on_stop : SIG_DFL;
	sigemptyset(&sa.sa_mask);
	cancel_of = on ? &r->cancel : NULL;
	if (on)
		stop_sig = 0;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
}

/* The last line: how the run stands and how it goes on. */
static void print_outcome(const struct rb_run *r, const struct run_opts *o, const char *state,
			  const struct tally *t, int all_over, int64_t next, double scale)
{
	char a[40], in[24];
	if (stop_sig)
		printf("stopped (signal %d): ", (int)stop_sig);
	else if (!t->ran && !all_over && next > now_wall_ms())
		printf("nothing due now; ");
	if (all_over && strcmp(state, "open"))
		printf("every monitoring window is over: run %lld %s\n", (long long)r->run_id, state);
	else if (all_over)
		printf("run %lld stays open: steps other than the monitoring are still to do\n", (long long)r->run_id);
	else if (next)
		printf("run %lld stays open; next check due %s (in %s)\n", (long long)r->run_id,
		       run_clock(next, scale, a, sizeof a), sched_fmt_duration(next - now_wall_ms(), in, sizeof in));
	else
		printf("run %lld stays open: no check left, the monitoring ends %s (run --periodic after that to end it)\n",
		       (long long)r->run_id, run_clock(last_window_over(r, scale, now_wall_ms()), scale, a, sizeof a));
	if (stop_sig)
		printf("continue: opsdeck run %s --periodic [--follow]\n", o->which);
}

/* The checks due now and, with --follow, each one as it falls due until every window is
 * over or a signal stops it. -1 when a check could not be recorded (a stop is not that). */
static int check_loop(struct rb_run *r, const struct cli *cli, const struct run_opts *o, double scale,
		      struct tally *t)
{
	char *err = NULL, a[40], in[24];
	for (;;) {
		if (run_due(r, cli, scale, t) < 0)
			return stop_sig ? 0 : -1; /* a check cut short is simply not made */
		int64_t next = 0, closes = 0;
		int idx[1];
		int due = rb_periodic_due(r, scale, now_wall_ms(), idx, 1, &next, &err);
		if (due < 0) {
			fprintf(stderr, "opsdeck run: cannot read the schedule: %s\n", err);
			free(err);
			return -1;
		}
		if (!o->follow || stop_sig)
			return 0;
		if (due > 0 && t->blocked == 0)
			continue; /* another step's check fell due while these ran */
		if (!next && !(closes = last_window_over(r, scale, now_wall_ms())))
			return 0; /* every window is over */
		if (!cli->json) {
			printf("%s %s (in %s)\n", next ? "next check due" : "no check left; the monitoring ends",
			       run_clock(next ? next : closes, scale, a, sizeof a),
			       sched_fmt_duration((next ? next : closes) - now_wall_ms(), in, sizeof in));
			fflush(stdout);
		}
		sleep_until(next ? next : closes);
		if (stop_sig)
			return 0;
	}
}

static void print_json(const struct rb_run *r, const struct cli *cli, double scale, struct tally *t,
		       const char *state, int64_t next)
{
	cJSON *root = cJSON_CreateObject();
	int all_over;
	cJSON_AddNumberToObject(root, "run_id", (double)r->run_id);
	cJSON_AddStringToObject(root, "checklist", r->rb->id);
	cJSON_AddNumberToObject(root, "time_scale", scale);
	cJSON_AddStringToObject(root, "state", state);
	if (next)
		cJSON_AddNumberToObject(root, "next_due_ms", (double)next);
	cJSON_AddNumberToObject(root, "checks_made", t->ran);
	cJSON_AddNumberToObject(root, "checks_failed", t->failed);
	cJSON_AddItemToObject(root, "ran", t->ran_json);
	t->ran_json = NULL;
	report(r, cli, scale, cJSON_AddArrayToObject(root, "periodic"), &all_over);
	char *s = cJSON_Print(root);
	puts(s);
	free(s);
	cJSON_Delete(root);
}

int run_periodic(const struct cli *cli, const struct run_opts *o, struct rb_run *r)
{
	double scale = rb_time_scale(r);
	struct tally t = {.ran_json = cJSON_CreateArray()};
	const char *state = "open";
	char *err = NULL;
	int all_over = 0;
	if (!cli->json) {
		printf("%s run %lld (%s): periodic checks", r->rb->id, (long long)r->run_id,
		       r->env->cfg && r->env->cfg->env ? r->env->cfg->env : "");
		if (scale != 1)
			printf(", time scale %g (every= and for= divided by it)", scale);
		printf("\n");
	}
	catch_stops(r, o->follow);
	int broken = check_loop(r, cli, o, scale, &t) < 0;
	catch_stops(r, 0);
	if (!cli->json && t.ran)
		printf("\n");
	/* the schedules as they stand; every window over: the run ends (the periodic steps get
	 * their final results) */
	int bad = report(r, cli, scale, NULL, &all_over);
	if (!broken && all_over && rb_run_finish(r, &state, &err) < 0) {
		fprintf(stderr, "opsdeck run: NOT recorded: %s\n", err);
		broken = 1;
	}
	str_free(&err);
	int64_t next = 0;
	int idx[1];
	if (!broken && !all_over && rb_periodic_due(r, scale, now_wall_ms(), idx, 1, &next, &err) > 0)
		next = now_wall_ms(); /* one is due right now */
	free(err);
	if (cli->json)
		print_json(r, cli, scale, &t, state, next);
	else
		print_outcome(r, o, state, &t, all_over, next, scale);
	cJSON_Delete(t.ran_json);
	return broken || bad || t.failed || t.blocked ? EXIT_CHECK_FAILED : EXIT_OK;
}
