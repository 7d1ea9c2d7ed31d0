/* The runbook walker: opens a runbook (lint first: one with problems is shown, not walked),
 * offers an unfinished run for resume, starts a step's probes on the engine's worker thread
 * while the loop keeps drawing and monitoring, and commits every result to the journal
 * before the screen says "recorded". The keys and the questions are in walker_keys.c. */
#include <dirent.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cjson/cJSON.h>

#include "runbooks/lint.h"
#include "store/journal.h"
#include "tui/walker.h"

int walker_step_no(const struct walker *w, int i)
{
	return w->rb.steps[i].number ? w->rb.steps[i].number : i + 1;
}

int walker_busy(const struct tui *t) { return t->walker && t->walker->running >= 0; }

const char *walker_label(const struct tui *t)
{
	if (!t->walker)
		return NULL;
	return t->walker->rb.id ? t->walker->rb.id : "runbook";
}

void walker_cancel(struct tui *t)
{
	struct walker *w = t->walker;
	if (!walker_busy(t))
		return;
	w->run.cancel = 1;
	tui_message(t, "cancelling step %d: it stops at its next check or deadline", walker_step_no(w, w->running));
}

void walker_progress(const struct walker *w, struct rb_progress *p)
{
	memset(p, 0, sizeof(*p));
	for (int i = 0; i < w->rb.n_steps; i++) {
		p->total++;
		if (w->rb.steps[i].automatic)
			p->automatic++;
		if (i == w->running) { /* the worker owns that outcome until done() */
			p->pending++;
			continue;
		}
		switch (w->run.steps[i].status) {
		case STEP_PASS:
		case STEP_MANUAL_OK: p->pass++; break;
		case STEP_FAIL:
		case STEP_ERROR: p->fail++; break;
		case STEP_SKIP: p->skip++; break;
		case STEP_PENDING:
		case STEP_RUNNING: p->pending++; break;
		}
	}
}

/* ---- opening and closing ---- */

/* The IDs of the library's files, so that lint knows runbooks besides the catalogue. */
static int library_ids(char ***ids)
{
	char *dir = rb_library_dir();
	DIR *d = dir ? opendir(dir) : NULL;
	struct dirent *e;
	int n = 0;
	*ids = NULL;
	while (d && (e = readdir(d))) {
		size_t len = strlen(e->d_name);
		if (strncmp(e->d_name, "RB-", 3) || len < 4 || strcmp(e->d_name + len - 3, ".md"))
			continue;
		*ids = xrealloc(*ids, sizeof(**ids) * (size_t)(n + 1));
		(*ids)[n++] = xstrndup(e->d_name, len - 3);
	}
	if (d)
		closedir(d);
	free(dir);
	return n;
}

static void lint(struct runbook *rb)
{
	struct lint_opts o = {0};
	char **ids;
	int n = library_ids(&ids);
	o.ids = (const char *const *)ids;
	o.n_ids = n;
	runbook_lint(rb, &o);
	for (int i = 0; i < n; i++)
		free(ids[i]);
	free(ids);
}

struct resume_info {
	int next;           /* first step without a result that counts (index), -1 unknown */
	int done;           /* steps that have one */
	int64_t started_ms; /* wall clock, 0 unknown */
};

/* What an unfinished run has done, read from the journal without touching it (resuming
 * records an event, so the question comes first). */
static void resume_preview(struct journal *j, int64_t id, const struct runbook *rb, struct resume_info *ri)
{
	char *buf = NULL, *err = NULL;
	size_t len = 0;
	ri->next = -1;
	ri->done = 0;
	ri->started_ms = 0;
	FILE *f = open_memstream(&buf, &len);
	if (!f)
		return;
	int rc = journal_show(j, id, f, 1, &err);
	fclose(f);
	free(err);
	cJSON *doc = rc == 0 && buf ? cJSON_Parse(buf) : NULL;
	free(buf);
	if (!doc)
		return;
	const cJSON *run = cJSON_GetObjectItemCaseSensitive(doc, "run");
	const cJSON *at = cJSON_GetObjectItemCaseSensitive(run, "started_at_ms");
	if (cJSON_IsNumber(at))
		ri->started_ms = (int64_t)at->valuedouble;
	int *ok = xcalloc((size_t)rb->n_steps + 1, sizeof(int)), matched = 0;
	const cJSON *s;
	cJSON_ArrayForEach(s, cJSON_GetObjectItemCaseSensitive(doc, "steps")) {
		const char *sid = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(s, "step_id"));
		const char *st = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(s, "status"));
		for (int i = 0; sid && st && i < rb->n_steps; i++) {
			char num[16];
			snprintf(num, sizeof(num), "%d", rb->steps[i].number ? rb->steps[i].number : i + 1);
			if (!strcmp(sid, num)) { /* rows come oldest first: the latest result wins */
				ok[i] = !strcmp(st, "pass") || !strcmp(st, "manual-ok") || !strcmp(st, "skip");
				matched = 1;
			}
		}
	}
	if (matched || !cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(doc, "steps"))) {
		ri->next = rb->n_steps;
		for (int i = rb->n_steps - 1; i >= 0; i--)
			if (!ok[i])
				ri->next = i;
		for (int i = 0; i < rb->n_steps; i++)
			ri->done += ok[i];
	}
	free(ok);
	cJSON_Delete(doc);
}

static int resume_key(struct tui *t, int ch)
{
	struct walker *w = t->walker;
	char *err = NULL;
	if (ch == 'y' || ch == 'Y') {
		w->ask = ASK_NONE;
		if (rb_run_resume(&w->run, w->resume_id, &err) < 0) {
			tui_alert(t, "run %" PRId64 " cannot be resumed: %s", w->resume_id, err ? err : "?");
			free(err);
			return 1;
		}
		w->begun = 1;
		int k = rb_run_next_step(&w->run);
		w->sel = k < w->rb.n_steps ? k + 1 : w->rb.n_steps + 1;
		w->scroll = 0;
		if (k < w->rb.n_steps)
			tui_message(t, "resumed run %" PRId64 " at step %d: Enter runs it", w->resume_id, walker_step_no(w, k));
		else
			tui_message(t, "resumed run %" PRId64 ": every step has a result", w->resume_id);
		walker_finish(t);
		return 1;
	}
	if (ch == 'n' || ch == 'N') {
		w->ask = ASK_NONE;
		if (journal_run_end(t->journal, w->resume_id, "aborted", &err) < 0) {
			tui_alert(t, "run %" PRId64 " could not be marked aborted: %s", w->resume_id, err ? err : "?");
			free(err);
		} else {
			tui_message(t, "run %" PRId64 " marked aborted; a new run begins with the first result",
				    w->resume_id);
		}
		return 1;
	}
	return 0;
}

static void offer_resume(struct tui *t)
{
	struct walker *w = t->walker;
	char *err = NULL, q[256], when[32] = "";
	int64_t id = rb_run_find_open(t->journal, w->rb.id, t->cfg->env, &err);
	if (id < 0)
		tui_alert(t, "journal: cannot look for an unfinished run: %s", err ? err : "?");
	free(err);
	if (id <= 0)
		return;
	struct resume_info ri;
	resume_preview(t->journal, id, &w->rb, &ri);
	w->resume_id = id;
	w->resume_step = ri.next;
	if (ri.started_ms) {
		time_t s = (time_t)(ri.started_ms / 1000);
		time_t now = time(NULL);
		struct tm tm, today;
		localtime_r(&s, &tm);
		localtime_r(&now, &today);
		strftime(when, sizeof(when), tm.tm_yday == today.tm_yday && tm.tm_year == today.tm_year
			 ? ", started %H:%M" : ", started %a %d %b %H:%M", &tm);
	}
	w->resume_done = ri.done;
	snprintf(w->resume_when, sizeof(w->resume_when), "%s", when);
	if (ri.next >= 0 && ri.next < w->rb.n_steps) {
		snprintf(q, sizeof(q), "Resume run %" PRId64 " at step %d? (y/n; %d/%d done%s) ", id, walker_step_no(w, ri.next),
			 ri.done, w->rb.n_steps, when);
		w->sel = ri.next + 1;
	} else {
		snprintf(q, sizeof(q), "Resume unfinished run %" PRId64 " of %s? (y/n%s) ", id, w->rb.id, when);
	}
	w->ask = ASK_RESUME;
	prompt_key(t, q, resume_key, walker_ask_cancel);
}

int walker_open(struct tui *t, const char *arg)
{
	char *err = NULL, *path = rb_locate(arg, &err);
	struct walker *w = t->walker;
	if (!path) {
		tui_alert(t, "%s", err ? err : "no such runbook");
		free(err);
		return -1;
	}
	char *real = realpath(path, NULL); /* ":rb 1" and the list's Enter name the same file */
	if (real) {
		free(path);
		path = real;
	}
	if (w && !strcmp(w->path, path) && !w->end_state && w->walkable) { /* already open: back to it */
		free(path);
		t->view = VIEW_WALKER;
		return 0;
	}
	enum view from = t->view == VIEW_WALKER && w ? w->from : t->view;
	char *left = w && w->begun && !w->end_state && t->journal
			     ? xasprintf("%s run %" PRId64 " stays open: :rb %s resumes it", w->rb.id, w->run.run_id, w->rb.id)
			     : NULL;
	if (walker_close(t) < 0) {
		free(left);
		free(path);
		return -1;
	}
	if (left) /* messages that follow (a resume offer, problems) say more and replace it */
		tui_message(t, "%s", left);
	free(left);
	w = xcalloc(1, sizeof(*w));
	w->path = path;
	w->running = -1;
	w->confirmed_step = -1;
	w->resume_step = -1;
	if (runbook_load(&w->rb, path, &err) < 0) {
		tui_alert(t, "%s", err ? err : "cannot read the runbook");
		free(err);
		free(path);
		free(w);
		return -1;
	}
	lint(&w->rb);
	t->walker = w;
	t->view = VIEW_WALKER;
	w->from = from == VIEW_HELP || from == VIEW_WALKER ? VIEW_PANEL : from;
	if (w->rb.problems.n) {
		tui_alert(t, "%s has %d problem%s: fix them (opsdeck lint) before walking it", w->rb.id ? w->rb.id : path,
			  w->rb.problems.n, w->rb.problems.n == 1 ? "" : "s");
		return 0;
	}
	w->env.cfg = t->cfg;
	w->env.journal = t->journal;
	w->env.read_only = t->cli->read_only;
	w->env.operator_name = getenv("OPSDECK_OPERATOR");
	rb_run_init(&w->run, &w->rb, &w->env);
	w->walkable = 1;
	w->record_err = xcalloc((size_t)w->rb.n_steps + 1, sizeof(char *));
	w->refusal = xcalloc((size_t)w->rb.n_steps + 1, sizeof(char *));
	if (!t->journal)
		tui_alert(t, "journal unavailable: results are not recorded");
	else
		offer_resume(t);
	return 0;
}

int walker_resume_view(struct tui *t)
{
	if (!t->walker)
		return 0;
	t->view = VIEW_WALKER;
	return 1;
}

static void free_strings(char **v, int n)
{
	for (int i = 0; v && i < n; i++)
		free(v[i]);
	free(v);
}

int walker_close(struct tui *t)
{
	struct walker *w = t->walker;
	if (!w)
		return 0;
	if (w->running >= 0) {
		tui_alert(t, "%s step %d is still running: wait for it, or Esc in the walker cancels it",
			  walker_label(t), walker_step_no(w, w->running));
		return -1;
	}
	if (w->ask != ASK_NONE && (t->input_mode == INPUT_PROMPT || t->input_mode == INPUT_ASK))
		t->input_mode = INPUT_NONE;
	if (w->walkable)
		rb_run_done(&w->run);
	free_strings(w->record_err, w->rb.n_steps);
	free_strings(w->refusal, w->rb.n_steps);
	runbook_done(&w->rb);
	free(w->path);
	free(w);
	t->walker = NULL;
	if (t->view == VIEW_WALKER)
		t->view = VIEW_PANEL;
	return 0;
}

void walker_free(struct tui *t)
{
	struct walker *w = t->walker;
	if (!w)
		return;
	if (w->running >= 0) { /* the loop has stopped: done() will not come; rb_run_done waits */
		w->run.cancel = 1;
		w->running = -1;
	}
	walker_close(t);
}

/* ---- recording ---- */

static int ensure_begun(struct tui *t, char **err)
{
	struct walker *w = t->walker;
	if (w->begun)
		return 0;
	if (rb_run_begin(&w->run, err) < 0)
		return -1;
	w->begun = 1;
	return 0;
}

/* Commits step i's result; says "recorded" only when the journal has it. */
int walker_record(struct tui *t, int i)
{
	struct walker *w = t->walker;
	const struct step_outcome *o = &w->run.steps[i];
	const char *st = step_status_name(o->status);
	char *err = NULL;
	free(w->record_err[i]);
	w->record_err[i] = NULL;
	if (ensure_begun(t, &err) < 0 || rb_step_record(&w->run, i, &err) < 0) {
		w->record_err[i] = err ? err : xstrdup("the journal refused the write");
		tui_alert(t, "step %d %s, NOT recorded: %s", walker_step_no(w, i), st, w->record_err[i]);
		return -1;
	}
	if (!t->journal) {
		tui_alert(t, "step %d %s, NOT recorded: the journal is unavailable", walker_step_no(w, i), st);
		return 0;
	}
	int show = o->summary && w->rb.steps[i].automatic && o->status != STEP_SKIP;
	tui_message(t, "step %d %s, recorded in run %" PRId64 "%s%s", walker_step_no(w, i), st, w->run.run_id,
		    show ? ": " : "", show ? o->summary : "");
	return 0;
}

/* When every step has a result the run ends: done, or failed. */
void walker_finish(struct tui *t)
{
	struct walker *w = t->walker;
	struct rb_progress p;
	const char *state = NULL;
	char *err = NULL;
	if (w->end_state || w->running >= 0)
		return;
	walker_progress(w, &p);
	if (p.pending)
		return;
	if (rb_run_finish(&w->run, &state, &err) < 0) {
		tui_alert(t, "every step has a result, but run %" PRId64 " could not be ended: %s", w->run.run_id,
			  err ? err : "?");
		free(err);
		return;
	}
	if (!state || !t->journal)
		state = p.fail ? "failed" : "done";
	if (strcmp(state, "done") && strcmp(state, "failed"))
		return; /* the engine keeps it open */
	w->end_state = !strcmp(state, "done") ? "done" : "failed";
	/* the last step's message goes on after the run's */
	char last[sizeof(t->message)];
	snprintf(last, sizeof(last), "%s", now_mono_ms() < t->message_until ? t->message : "");
	int crit = t->message_crit;
	if (!t->journal)
		tui_alert(t, "%s %s, NOT recorded (journal unavailable)%s%s", w->rb.id, w->end_state, *last ? "; " : "",
			  last);
	else if (p.fail || crit)
		tui_alert(t, "run %" PRId64 " %s: %d step%s failed (see After: troubleshooting)%s%s", w->run.run_id,
			  w->end_state, p.fail, p.fail == 1 ? "" : "s", *last ? "; " : "", last);
	else
		tui_message(t, "run %" PRId64 " done: %d passed, %d skipped%s%s", w->run.run_id, p.pass, p.skip,
			    *last ? "; " : "", last);
}

void walker_advance(struct walker *w, int i)
{
	if (w->sel == i + 1 && i + 1 < w->rb.n_steps) {
		w->sel = i + 2;
		w->scroll = 0;
	}
}

static void step_done(struct rb_run *r, int i, void *arg)
{
	struct tui *t = arg;
	struct walker *w = t->walker;
	(void)r;
	w->running = -1;
	if (walker_record(t, i) == 0 && w->run.steps[i].status == STEP_PASS)
		walker_advance(w, i);
	walker_finish(t);
	tui_dirty(t);
}

void walker_start(struct tui *t, int i)
{
	struct walker *w = t->walker;
	char *why = NULL;
	if (ensure_begun(t, &why) < 0) {
		tui_alert(t, "journal: the run could not begin (%s): the result will NOT be recorded", why ? why : "?");
		free(why);
		why = NULL;
	}
	w->run.cancel = 0;
	w->running = i;
	w->running_since = now_mono_ms();
	free(w->record_err[i]);
	w->record_err[i] = NULL;
	if (rb_step_start(&w->run, i, t->base, step_done, t, &why) < 0) {
		w->running = -1;
		tui_alert(t, "step %d did not start: %s", walker_step_no(w, i), why ? why : "?");
		free(why);
		return;
	}
	w->scroll = 0;
	tui_message(t, "step %d running (Esc cancels)", walker_step_no(w, i));
}

