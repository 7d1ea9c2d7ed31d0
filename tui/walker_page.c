/* The right side of the walker: what the operator reads about the selected row, as wrapped
 * lines. Before you start (metadata, summary, prerequisites, inputs), a step (its result
 * first, then its text, probes and expectations, then what came back), or After (criteria,
 * troubleshooting, rollback); above it, what the question on the input line is about. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tui/pane.h"
#include "tui/walker.h"

static int is_item(const char *s)
{
	if ((*s == '-' || *s == '*' || *s == '+') && s[1] == ' ')
		return 1;
	size_t d = strspn(s, "0123456789");
	return d > 0 && (s[d] == '.' || s[d] == ')') && s[d + 1] == ' ';
}

/* Markdown as lines for the pane: a paragraph becomes one line (the pane wraps it), a list
 * item starts a line, fenced blocks are dropped (a step's probes are shown apart) or kept
 * as they are, indented (keep_code: a section's examples). */
static char *prose(const char *body, int keep_code)
{
	struct sbuf sb = {0};
	char fence[16] = "";
	int sep = 0; /* before the next text: 0 nothing, 1 a blank, 2 a new line, 3 a new paragraph */
	static const char *const seps[] = {"", " ", "\n", "\n\n"};
	sbuf_add(&sb, "");
	for (const char *l = body ? body : ""; *l;) {
		const char *start = l, *nl = strchr(l, '\n');
		int len = nl ? (int)(nl - l) : (int)strlen(l);
		int lead = (int)strspn(l, " ");
		const char *s = l + (lead < len ? lead : len);
		int n = len - (int)(s - l), ticks = (int)strspn(s, "`"), tildes = (int)strspn(s, "~");
		l = nl ? nl + 1 : l + len;
		if (!fence[0] && (ticks >= 3 || tildes >= 3)) {
			snprintf(fence, sizeof(fence), "%.*s", ticks >= 3 ? ticks : tildes, s);
			sep = sb.len && keep_code ? 3 : sep;
			continue;
		}
		if (fence[0]) {
			if (!strncmp(s, fence, strlen(fence)))
				fence[0] = '\0';
			else if (keep_code) {
				sbuf_add(&sb, seps[sep > 2 ? 3 : sb.len ? 2 : 0]);
				sbuf_addf(&sb, "  %.*s", len, start);
				sep = 2;
			}
			if (!fence[0] && keep_code)
				sep = 3;
			continue;
		}
		if (!n) {
			sep = sb.len ? 3 : 0;
			continue;
		}
		if (is_item(s) && sep == 1)
			sep = 2;
		sbuf_add(&sb, seps[sb.len ? sep : 0]);
		sbuf_addn(&sb, s, (size_t)n);
		sep = 1;
	}
	return sbuf_steal(&sb);
}

/* Prose into the pane: list items hang under their text. */
static void add_prose(struct pane *p, enum role r, int indent, const char *body, int keep_code)
{
	char *text = prose(body, keep_code);
	for (char *line = text; line && *line;) {
		char *nl = strchr(line, '\n');
		if (nl)
			*nl = '\0';
		pane_text(p, r, indent, is_item(line) ? 2 : 0, line[0] == ' ' && line[1] == ' ', line);
		line = nl ? nl + 1 : NULL;
	}
	free(text);
}

/* ---- pages ---- */

static void add_related(struct pane *p, const struct walker *w)
{
	struct sbuf sb = {0};
	for (int i = 0; i < w->rb.n_related; i++) {
		const char *title = runbook_title(w->rb.related[i].id);
		sbuf_addf(&sb, "%s%s%s%s", i ? "; " : "", w->rb.related[i].id, title ? " " : "", title ? title : "");
	}
	if (sb.buf)
		sbuf_add(&sb, "  (o opens one)");
	pane_field(p, ROLE_NORMAL, 0, "Related", sb.buf ? sb.buf : "none");
	sbuf_done(&sb);
}

static void page_before(struct pane *p, struct tui *t, const struct walker *w)
{
	const struct runbook *rb = &w->rb;
	int automatic = 0, destructive = 0;
	pane_text(p, ROLE_TITLE, 0, 2, 0, "Before you start");
	pane_blank(p);
	pane_field(p, ROLE_NORMAL, 0, "When", rb->meta[META_WHEN]);
	pane_field(p, ROLE_NORMAL, 0, "Duration", rb->meta[META_DURATION]);
	pane_field(p, ROLE_NORMAL, 0, "Owner", rb->meta[META_OWNER]);
	pane_field(p, ROLE_NORMAL, 0, "Group", rb->meta[META_GROUP]);
	add_related(p, w);
	if (rb->summary && rb->summary[0]) {
		pane_blank(p);
		add_prose(p, ROLE_NORMAL, 0, rb->summary, 0);
	}
	if (rb->n_prerequisites) {
		pane_blank(p);
		pane_text(p, ROLE_TITLE, 0, 0, 0, "Prerequisites");
		for (int i = 0; i < rb->n_prerequisites; i++) {
			char *s = xasprintf("[ ] %s", rb->prerequisites[i]);
			pane_text(p, ROLE_NORMAL, 1, 4, 0, s);
			free(s);
		}
	}
	if (rb->n_inputs) {
		pane_blank(p);
		pane_text(p, ROLE_TITLE, 0, 0, 0, "Inputs (asked when a step needs them)");
		for (int i = 0; i < rb->n_inputs; i++) {
			const struct rb_input *in = &rb->inputs[i];
			const char *v = w->walkable ? rb_run_input(&w->run, in->name) : NULL;
			char *shown = v ? rb_input_shown(in->name, v) : NULL;
			char *s = v ? xasprintf("%s = %s", in->name, shown) : xasprintf("%s (not given yet)", in->name);
			free(shown);
			pane_text(p, v ? ROLE_OK : ROLE_NORMAL, 1, 4, 0, s);
			free(s);
			s = xasprintf("%s; type %s; e.g. %s", in->description, in->type, in->example);
			pane_text(p, ROLE_MUTED, 3, 2, 0, s);
			free(s);
		}
	}
	for (int i = 0; i < rb->n_steps; i++) {
		automatic += rb->steps[i].automatic;
		destructive += rb->steps[i].destructive;
	}
	pane_blank(p);
	char *s = xasprintf("%d steps: %d checked by opsdeck (A: Enter runs them), %d done by hand (M: p pass, f fail, "
			    "s skip)%s%s.",
			    rb->n_steps, automatic, rb->n_steps - automatic, destructive ? "; destructive ones (D) need "
			    "their word typed back" : "", destructive && t->cli->read_only ? " and are refused in "
			    "--read-only" : "");
	pane_text(p, ROLE_NORMAL, 0, 0, 0, s);
	free(s);
	s = xasprintf("Marks: %s passed  %s failed  %s error  %s skipped  %s not yet  %s running", walker_mark(STEP_PASS, 0),
		      walker_mark(STEP_FAIL, 0), walker_mark(STEP_ERROR, 0), walker_mark(STEP_SKIP, 0),
		      walker_mark(STEP_PENDING, 0), walker_mark(STEP_PENDING, 1));
	pane_text(p, ROLE_MUTED, 0, 0, 0, s);
	free(s);
	pane_text(p, ROLE_KEY, 0, 0, 0, "Down or Enter: step 1.");
}

/* "sql on primary, keeps users_primary, retries for 10 s": what a probe is, without its
 * expectation (shown on a line of its own). */
static char *probe_label(const struct probe *pr, int k)
{
	struct sbuf sb = {0};
	if (pr->kind == PROBE_TEXT) {
		sbuf_add(&sb, "By hand (opsdeck does not run this)");
	} else {
		sbuf_addf(&sb, "Probe %d: %s", k + 1, probe_kind_name(pr->kind));
		if (pr->kind == PROBE_HTTP)
			sbuf_addf(&sb, " %s %s", pr->method ? pr->method : "GET", pr->path ? pr->path : "?");
		else if (pr->target)
			sbuf_addf(&sb, " on %s", pr->target);
		else if (pr->kind == PROBE_SHELL)
			sbuf_add(&sb, " on this host");
	}
	for (int i = 0; i < pr->n_params; i++)
		sbuf_addf(&sb, "%s%s", i ? ", " : ", with ", pr->params[i]);
	if (pr->capture)
		sbuf_addf(&sb, ", keeps %s", pr->capture);
	if (pr->baseline)
		sbuf_addf(&sb, ", baseline %s", pr->baseline);
	if (pr->wait_ms > 0)
		sbuf_addf(&sb, ", retries for %.0f s", pr->wait_ms / 1000);
	if (pr->timeout_ms > 0)
		sbuf_addf(&sb, ", deadline %.0f s", pr->timeout_ms / 1000);
	if (pr->destructive)
		sbuf_add(&sb, ", DESTRUCTIVE");
	else if (pr->writes)
		sbuf_add(&sb, ", writes");
	return sbuf_steal(&sb);
}

static void add_probe(struct pane *p, const struct probe *pr, int k)
{
	char *s = probe_label(pr, k);
	pane_text(p, pr->destructive ? ROLE_WARN : ROLE_KEY, 0, 4, 0, s);
	free(s);
	pane_text(p, ROLE_NORMAL, 2, 2, 1, pr->code && pr->code[0] ? pr->code : "(empty)");
	if (pr->expect_src)
		pane_field(p, ROLE_NORMAL, 0, "expect", pr->expect_src);
	else if (pr->kind != PROBE_TEXT)
		pane_field(p, ROLE_MUTED, 0, "expect", "(none: passes when it runs without error)");
}

static const char *probe_status_word(int st)
{
	return st == EXPECT_PASS ? "pass" : st == EXPECT_FAIL ? "FAIL" : "ERROR";
}

static void add_outcome(struct pane *p, const struct probe_outcome *po)
{
	char buf[160];
	snprintf(buf, sizeof(buf), "%s: %s in %.2f s", po->label ? po->label : "probe", probe_status_word(po->status),
		 po->ms / 1000.0);
	if (po->attempts > 1)
		snprintf(buf + strlen(buf), sizeof(buf) - strlen(buf), " (%d attempts)", po->attempts);
	pane_text(p, po->status == EXPECT_PASS ? ROLE_OK : po->status == EXPECT_FAIL ? ROLE_CRIT : ROLE_WARN, 0, 2, 0,
		  buf);
	if (po->observed && po->observed[0])
		pane_field(p, ROLE_NORMAL, 2, "observed", po->observed);
	if (po->error)
		pane_field(p, ROLE_CRIT, 2, "error", po->error);
	if (po->output && po->output[0]) {
		pane_text(p, ROLE_MUTED, 2, 0, 0, "output:");
		pane_text(p, ROLE_NORMAL, 4, 2, 1, po->output);
	}
}

/* The result of step i in a few lines, under its title: status, recorded or NOT, what
 * was observed, the note. */
static void add_result(struct pane *p, struct tui *t, const struct walker *w, int i)
{
	const struct step *s = &w->rb.steps[i];
	char buf[400];
	if (w->running == i) {
		snprintf(buf, sizeof(buf), "RUNNING %d s  (Esc cancels)", (int)((now_mono_ms() - w->running_since) / 1000));
		pane_text(p, ROLE_PENDING, 0, 0, 0, buf);
		return;
	}
	const struct step_outcome *o = &w->run.steps[i];
	if (o->status == STEP_PENDING) {
		if (t->cli->read_only && (s->destructive || s->writes))
			pane_text(p, ROLE_WARN, 0, 0, 0, "--read-only: opsdeck refuses this step (s skips it, with a reason).");
		else
			pane_text(p, ROLE_KEY, 0, 0, 0, s->automatic ? "Not run yet: Enter runs it (s skips it, with a reason)."
							  : "To do by hand: then p (pass), f (fail) or s (skip, with a reason).");
		if (o->note && o->note[0])
			pane_field(p, ROLE_NORMAL, 2, "note", o->note);
		return;
	}
	if (o->n_probes)
		snprintf(buf, sizeof(buf), "%s %s in %.2f s", walker_mark(o->status, 0), step_status_name(o->status),
			 o->ms / 1000);
	else
		snprintf(buf, sizeof(buf), "%s %s", walker_mark(o->status, 0), step_status_name(o->status));
	pane_text(p, walker_mark_role(o->status, 0), 0, 2, 0, buf);
	if (w->record_err[i])
		snprintf(buf, sizeof(buf), "NOT recorded: %s", w->record_err[i]);
	else if (!t->journal)
		snprintf(buf, sizeof(buf), "NOT recorded: the journal is unavailable");
	else if (o->recorded)
		snprintf(buf, sizeof(buf), "recorded in the journal, run %" PRId64, w->run.run_id);
	else
		snprintf(buf, sizeof(buf), "not recorded yet");
	pane_text(p, w->record_err[i] || !t->journal ? ROLE_CRIT : o->recorded ? ROLE_OK : ROLE_WARN, 2, 2, 0, buf);
	if (o->summary && o->summary[0] && s->automatic && o->status != STEP_SKIP)
		pane_field(p, o->status == STEP_PASS ? ROLE_NORMAL : ROLE_CRIT, 2, o->status == STEP_PASS ? "observed" : "why",
			   o->summary);
	if (o->note && o->note[0])
		pane_field(p, ROLE_NORMAL, 2, o->status == STEP_SKIP ? "reason" : "note", o->note);
}

/* Each probe's outcome in full, with its output, after the step's text. */
static void add_outcomes(struct pane *p, const struct walker *w, int i)
{
	if (w->running == i || !w->run.steps[i].n_probes)
		return;
	pane_blank(p);
	pane_text(p, ROLE_TITLE, 0, 0, 0, "What came back");
	for (int k = 0; k < w->run.steps[i].n_probes; k++)
		add_outcome(p, &w->run.steps[i].probes[k]);
}

static void page_step(struct pane *p, struct tui *t, const struct walker *w, int i)
{
	const struct step *s = &w->rb.steps[i];
	char buf[300];
	const char *word = rb_step_confirm_word(&w->run, i);
	int n = snprintf(buf, sizeof(buf), "Step %d of %d  %s", s->number ? s->number : i + 1, w->rb.n_steps,
			 s->automatic ? "checked by opsdeck" : "done by hand");
	if (s->destructive && word)
		snprintf(buf + n, sizeof(buf) - (size_t)n, "  DESTRUCTIVE: you type %s first", word);
	else if (s->destructive || s->writes)
		snprintf(buf + n, sizeof(buf) - (size_t)n, "  %s", s->destructive ? "DESTRUCTIVE" : "writes");
	pane_text(p, s->destructive ? ROLE_WARN : ROLE_MUTED, 0, 2, 0, buf);
	pane_text(p, ROLE_TITLE, 0, 2, 0, s->title ? s->title : "");
	add_result(p, t, w, i);
	if (w->refusal[i])
		pane_field(p, ROLE_CRIT, 0, "refused", w->refusal[i]);
	pane_blank(p);
	add_prose(p, ROLE_NORMAL, 0, s->body, 0);
	for (int k = 0; k < s->n_probes; k++) {
		pane_blank(p);
		add_probe(p, &s->probes[k], k);
	}
	add_outcomes(p, w, i);
}

static void add_section(struct pane *p, const struct walker *w, enum rb_section sec)
{
	const struct rb_sect *s = &w->rb.sections[sec];
	if (!s->line || !s->body)
		return;
	pane_blank(p);
	pane_text(p, ROLE_TITLE, 0, 0, 0, rb_section_title(sec));
	if (sec == SEC_SUCCESS && w->rb.n_success) {
		for (int i = 0; i < w->rb.n_success; i++)
			pane_text(p, ROLE_NORMAL, 1, 2, 0, w->rb.success[i]);
		return;
	}
	add_prose(p, ROLE_NORMAL, 1, s->body, 1);
}

static void page_after(struct pane *p, struct tui *t, const struct walker *w)
{
	struct rb_progress pr;
	char buf[200];
	walker_progress(w, &pr);
	pane_text(p, ROLE_TITLE, 0, 0, 0, "After the steps");
	snprintf(buf, sizeof(buf), "%d passed, %d failed, %d skipped, %d to go", pr.pass, pr.fail, pr.skip, pr.pending);
	pane_text(p, pr.fail ? ROLE_CRIT : ROLE_NORMAL, 0, 0, 0, buf);
	if (w->end_state && t->journal)
		snprintf(buf, sizeof(buf), "run %" PRId64 " %s", w->run.run_id, w->end_state);
	else if (w->begun && t->journal)
		snprintf(buf, sizeof(buf), "run %" PRId64 " is open: it ends when every step has a result", w->run.run_id);
	else
		snprintf(buf, sizeof(buf), "%s", t->journal ? "no run yet: it begins with the first result"
							    : "the journal is unavailable: nothing is recorded");
	pane_text(p, w->end_state && !strcmp(w->end_state, "done") ? ROLE_OK : ROLE_NORMAL, 0, 0, 0, buf);
	add_section(p, w, SEC_SUCCESS);
	add_section(p, w, SEC_TROUBLESHOOTING);
	add_section(p, w, SEC_ROLLBACK);
	pane_blank(p);
	add_related(p, w);
}

static void page_problems(struct pane *p, const struct walker *w)
{
	char buf[120];
	snprintf(buf, sizeof(buf), "This runbook cannot be walked: %d problem%s (opsdeck lint lists them too)",
		 w->rb.problems.n, w->rb.problems.n == 1 ? "" : "s");
	pane_text(p, ROLE_CRIT, 0, 0, 0, buf);
	pane_blank(p);
	for (int i = 0; i < w->rb.problems.n; i++) {
		char *s = xasprintf("%s:%d: %s", w->path, w->rb.problems.v[i].line, w->rb.problems.v[i].msg);
		pane_text(p, ROLE_NORMAL, 0, 2, 0, s);
		free(s);
	}
}

/* What the question on the input line is about: the input, or what a destructive step does. */
static void add_question(struct pane *p, struct tui *t, const struct walker *w)
{
	char buf[300];
	if (w->ask == ASK_INPUT) {
		const struct rb_input *in = &w->rb.inputs[w->ask_input];
		snprintf(buf, sizeof(buf), "Step %d needs the input %s", walker_step_no(w, w->ask_step), in->name);
		pane_text(p, ROLE_WARN, 0, 0, 0, buf);
		pane_field(p, ROLE_NORMAL, 2, "what", in->description);
		pane_field(p, ROLE_NORMAL, 2, "type", in->type);
		if (!strncmp(in->type, "replica", 7)) {
			struct sbuf sb = {0};
			for (int k = 0; k < t->cfg->n_replicas; k++)
				sbuf_addf(&sb, "%s%s", k ? ", " : "", t->cfg->replicas[k].name);
			pane_field(p, ROLE_NORMAL, 2, "one of", sb.buf ? sb.buf : "(no replicas configured)");
			sbuf_done(&sb);
		}
		pane_field(p, ROLE_NORMAL, 2, "example", in->example);
		if (rb_input_is_secret(in->name))
			pane_text(p, ROLE_MUTED, 2, 0, 0, "a secret: shown as *, journalled as its first 4 characters");
	} else if (w->ask == ASK_CONFIRM) {
		const struct step *s = &w->rb.steps[w->ask_step];
		const char *word = w->walkable ? rb_step_confirm_word(&w->run, w->ask_step) : NULL;
		snprintf(buf, sizeof(buf), "DESTRUCTIVE: step %d %s", walker_step_no(w, w->ask_step),
			 s->automatic ? "will run:" : "asks you to do this by hand:");
		pane_text(p, ROLE_CRIT, 0, 0, 0, buf);
		for (int k = 0; k < s->n_probes; k++)
			if (s->probes[k].destructive || s->probes[k].writes || !s->automatic) {
				pane_text(p, ROLE_WARN, 2, 2, 0, s->probes[k].info ? s->probes[k].info : "");
				pane_text(p, ROLE_NORMAL, 4, 2, 1, s->probes[k].code ? s->probes[k].code : "");
			}
		snprintf(buf, sizeof(buf), "Type %s and Enter to %s; anything else, or Esc, does not.", word ? word : "?",
			 s->automatic ? "run it" : "record that you did it");
		pane_text(p, ROLE_WARN, 0, 0, 0, buf);
	} else if (w->ask == ASK_RESUME) {
		snprintf(buf, sizeof(buf), "Run %" PRId64 " of %s was not finished%s: %d of %d steps have a result.",
			 w->resume_id, w->rb.id, w->resume_when, w->resume_done, w->rb.n_steps);
		pane_text(p, ROLE_WARN, 0, 0, 0, buf);
		if (w->resume_step >= 0 && w->resume_step < w->rb.n_steps)
			snprintf(buf, sizeof(buf), "y  resume it at step %d (the steps done stay done)", walker_step_no(w, w->resume_step));
		else
			snprintf(buf, sizeof(buf), "y  resume it");
		pane_text(p, ROLE_NORMAL, 2, 3, 0, buf);
		pane_text(p, ROLE_NORMAL, 2, 3, 0, "n  abandon it (marked aborted in the journal) and start over");
		pane_text(p, ROLE_NORMAL, 2, 3, 0, "Esc  decide later (it is offered again)");
	} else if (w->ask == ASK_SKIP) {
		snprintf(buf, sizeof(buf), "Skip step %d: say why (it is recorded with the skip).", walker_step_no(w, w->ask_step));
		pane_text(p, ROLE_WARN, 0, 0, 0, buf);
	} else {
		return;
	}
	if (w->ask_error[0])
		pane_text(p, ROLE_CRIT, 2, 2, 0, w->ask_error);
	pane_blank(p);
}

void walker_page(struct pane *p, struct tui *t, struct walker *w)
{
	add_question(p, t, w);
	if (!w->walkable)
		page_problems(p, w);
	else if (w->sel == 0)
		page_before(p, t, w);
	else if (w->sel > w->rb.n_steps)
		page_after(p, t, w);
	else
		page_step(p, t, w, w->sel - 1);
}
