/* The walker's keys and the questions they ask on the input line. A step goes through
 * questions before it runs: the inputs it needs, then (destructive steps) the confirmation
 * word. Each answer continues with run_step() / pass_step() again, which skip what is
 * already settled; Esc on a question runs nothing. */
#include <curses.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tui/walker.h"

#define MAX_MISSING 32

static void run_step(struct tui *t, int i);
static void pass_step(struct tui *t, int i);

static int n_rows(const struct walker *w) { return w->rb.n_steps + 2; }

static int sel_step(const struct walker *w)
{
	return w->sel >= 1 && w->sel <= w->rb.n_steps ? w->sel - 1 : -1;
}

/* ---- questions ---- */

void walker_ask_cancel(struct tui *t)
{
	struct walker *w = t->walker;
	enum walker_ask was = w->ask;
	w->ask = ASK_NONE;
	w->then = THEN_NOTHING;
	w->ask_error[0] = '\0';
	if (was == ASK_RESUME)
		tui_message(t, "run %" PRId64 " left unfinished: :rb %s offers it again", w->resume_id, w->rb.id);
	else if (was == ASK_CONFIRM)
		tui_message(t, "cancelled: step %d was NOT run", walker_step_no(w, w->ask_step));
	else
		tui_message(t, "cancelled");
}

static void continue_then(struct tui *t)
{
	struct walker *w = t->walker;
	enum walker_then then = w->then;
	w->then = THEN_NOTHING;
	if (then == THEN_RUN)
		run_step(t, w->ask_step);
	else if (then == THEN_PASS)
		pass_step(t, w->ask_step);
}

static void ask_input(struct tui *t, int i, int in, enum walker_then then);

static void input_done(struct tui *t, const char *text)
{
	struct walker *w = t->walker;
	const struct rb_input *in = &w->rb.inputs[w->ask_input];
	char *why = NULL;
	if (!*text) {
		snprintf(w->ask_error, sizeof(w->ask_error), "%s needs a value (Esc cancels)", in->name);
		ask_input(t, w->ask_step, w->ask_input, w->then);
		return;
	}
	if (rb_run_set_input(&w->run, in->name, text, &why) < 0) {
		snprintf(w->ask_error, sizeof(w->ask_error), "not accepted: %s", why ? why : "invalid value");
		free(why);
		ask_input(t, w->ask_step, w->ask_input, w->then);
		return;
	}
	w->ask = ASK_NONE;
	w->ask_error[0] = '\0';
	continue_then(t);
}

static void ask_input(struct tui *t, int i, int in, enum walker_then then)
{
	struct walker *w = t->walker;
	char label[200];
	w->ask = ASK_INPUT;
	w->ask_step = i;
	w->ask_input = in;
	w->then = then;
	w->scroll = 0;
	snprintf(label, sizeof(label), "step %d needs %s: ", walker_step_no(w, i), w->rb.inputs[in].name);
	prompt_line(t, label, rb_input_is_secret(w->rb.inputs[in].name), input_done, walker_ask_cancel);
}

static void confirm_done(struct tui *t, const char *text)
{
	struct walker *w = t->walker;
	const char *word = rb_step_confirm_word(&w->run, w->ask_step);
	w->ask = ASK_NONE;
	if (!word || strcmp(text, word)) {
		w->then = THEN_NOTHING;
		tui_alert(t, "\"%s\" is not \"%s\": step %d was NOT %s", text, word ? word : "", walker_step_no(w, w->ask_step),
			  w->rb.steps[w->ask_step].automatic ? "run" : "recorded");
		return;
	}
	w->confirmed_step = w->ask_step;
	continue_then(t);
}

static void ask_confirm(struct tui *t, int i, const char *word, enum walker_then then)
{
	struct walker *w = t->walker;
	char label[200];
	w->ask = ASK_CONFIRM;
	w->ask_step = i;
	w->then = then;
	w->scroll = 0;
	snprintf(label, sizeof(label), "type %s to %s step %d: ", word, then == THEN_RUN ? "run" : "confirm", walker_step_no(w, i));
	prompt_line(t, label, 0, confirm_done, walker_ask_cancel);
}

/* ---- running and marking ---- */

static void refuse(struct tui *t, int i, char *why)
{
	struct walker *w = t->walker;
	free(w->refusal[i]);
	w->refusal[i] = why;
	tui_alert(t, "step %d refused: %s", walker_step_no(w, i), why);
}

/* A result may be recorded now: nothing runs and the run has not ended. */
static int can_record(struct tui *t)
{
	struct walker *w = t->walker;
	if (w->running >= 0) {
		tui_message(t, "step %d is running: wait for it (Esc cancels it)", walker_step_no(w, w->running));
		return 0;
	}
	if (w->end_state) {
		tui_message(t, "run %" PRId64 " has ended (%s): :rb %s starts a new run", w->run.run_id, w->end_state,
			    w->rb.id);
		return 0;
	}
	return 1;
}

/* --read-only refuses what writes; the engine says why in its words when it can. */
static int read_only_refusal(struct tui *t, int i)
{
	struct walker *w = t->walker;
	const struct step *s = &w->rb.steps[i];
	char *why = NULL;
	if (!t->cli->read_only || !(s->destructive || s->writes))
		return 0;
	if (rb_step_check(&w->run, i, &why) == 0 || !why) {
		free(why);
		why = xasprintf("--read-only: step %d %s", walker_step_no(w, i), s->destructive ? "is destructive" : "writes");
	}
	refuse(t, i, why);
	return 1;
}

static void run_step(struct tui *t, int i)
{
	struct walker *w = t->walker;
	int idx[MAX_MISSING];
	char *why = NULL;
	if (!can_record(t) || read_only_refusal(t, i))
		return;
	if (rb_step_missing_inputs(&w->run, i, idx, MAX_MISSING) > 0) {
		ask_input(t, i, idx[0], THEN_RUN);
		return;
	}
	if (rb_step_check(&w->run, i, &why) < 0) {
		refuse(t, i, why ? why : xstrdup("the engine refused to run it"));
		return;
	}
	free(w->refusal[i]);
	w->refusal[i] = NULL;
	const char *word = rb_step_confirm_word(&w->run, i);
	if (word && w->confirmed_step != i) {
		ask_confirm(t, i, word, THEN_RUN);
		return;
	}
	w->confirmed_step = -1;
	walker_start(t, i);
}

static void mark_step(struct tui *t, int i, enum step_status st, const char *note)
{
	struct walker *w = t->walker;
	char *why = NULL, *kept = NULL;
	const char *earlier = w->run.steps[i].note;
	/* rb_step_mark() replaces the step's note: keep one added with n before the result */
	if (earlier && *earlier && st != STEP_SKIP)
		note = kept = note ? xasprintf("%s\n%s", earlier, note) : xstrdup(earlier);
	else if (earlier && *earlier)
		note = kept = xasprintf("%s\n(note: %s)", note, earlier);
	int rc = rb_step_mark(&w->run, i, st, note, &why);
	free(kept);
	if (rc < 0) {
		tui_alert(t, "step %d: %s", walker_step_no(w, i), why ? why : "cannot record that");
		free(why);
		return;
	}
	if (walker_record(t, i) == 0 && st != STEP_FAIL)
		walker_advance(w, i);
	walker_finish(t);
}

static void pass_step(struct tui *t, int i)
{
	struct walker *w = t->walker;
	char *why = NULL;
	if (!can_record(t) || read_only_refusal(t, i))
		return;
	if (rb_step_check(&w->run, i, &why) < 0) {
		refuse(t, i, why ? why : xstrdup("the engine refused it"));
		return;
	}
	const char *word = rb_step_confirm_word(&w->run, i);
	if (word && w->confirmed_step != i) {
		ask_confirm(t, i, word, THEN_PASS);
		return;
	}
	w->confirmed_step = -1;
	mark_step(t, i, STEP_MANUAL_OK, NULL);
}

static void skip_done(struct tui *t, const char *text)
{
	struct walker *w = t->walker;
	char label[120];
	if (!*text) {
		snprintf(w->ask_error, sizeof(w->ask_error), "a skip needs a reason (Esc cancels)");
		snprintf(label, sizeof(label), "why skip step %d? ", walker_step_no(w, w->ask_step));
		prompt_line(t, label, 0, skip_done, walker_ask_cancel);
		return;
	}
	w->ask = ASK_NONE;
	w->ask_error[0] = '\0';
	mark_step(t, w->ask_step, STEP_SKIP, text);
}

static void note_done(struct tui *t, const char *text)
{
	struct walker *w = t->walker;
	int i = w->ask_step;
	char *err = NULL;
	w->ask = ASK_NONE;
	if (!*text) {
		tui_message(t, "no note");
		return;
	}
	if (rb_step_note(&w->run, i, text, &err) < 0) {
		tui_alert(t, "note NOT recorded: %s", err ? err : "?");
		free(err);
	} else if (w->run.steps[i].recorded && t->journal) {
		tui_message(t, "note recorded with step %d", walker_step_no(w, i));
	} else {
		tui_message(t, "note kept: it is recorded with step %d's result", walker_step_no(w, i));
	}
}

static void related_done(struct tui *t, const char *text)
{
	struct walker *w = t->walker;
	w->ask = ASK_NONE;
	while (*text == ' ')
		text++;
	if (*text)
		walker_open(t, text);
}

static int abandon_key(struct tui *t, int ch)
{
	struct walker *w = t->walker;
	char *err = NULL;
	if (ch != 'y' && ch != 'Y' && ch != 'n' && ch != 'N')
		return 0;
	w->ask = ASK_NONE;
	if (ch == 'n' || ch == 'N') {
		tui_message(t, "run %" PRId64 " goes on", w->run.run_id);
		return 1;
	}
	if (rb_run_abort(&w->run, &err) < 0) {
		tui_alert(t, "run %" PRId64 " NOT marked aborted: %s", w->run.run_id, err ? err : "?");
		free(err);
		return 1;
	}
	w->end_state = "aborted";
	tui_message(t, "run %" PRId64 " aborted", w->run.run_id);
	return 1;
}

/* ---- keys ---- */

static struct walker *walker_on(struct tui *t)
{
	struct walker *w = t->walker;
	if (w && !w->walkable) {
		tui_alert(t, "%s cannot be walked until its problems are fixed", w->rb.id ? w->rb.id : w->path);
		return NULL;
	}
	return w;
}

void walker_k_move(struct tui *t, int key)
{
	struct walker *w = t->walker;
	if (!w)
		return;
	int last = w->walkable ? n_rows(w) - 1 : 0, sel = w->sel;
	if (key == KEY_UP || key == 'k')
		sel--;
	else if (key == KEY_DOWN || key == 'j')
		sel++;
	else if (key == KEY_HOME || key == 'g')
		sel = 0;
	else if (key == KEY_END || key == 'G')
		sel = last;
	sel = sel < 0 ? 0 : sel > last ? last : sel;
	if (sel != w->sel)
		w->scroll = 0;
	w->sel = sel;
}

void walker_k_scroll(struct tui *t, int key)
{
	struct walker *w = t->walker;
	int page = LINES - 10 > 4 ? LINES - 10 : 4;
	if (!w)
		return;
	if (key == KEY_NPAGE)
		w->scroll += page;
	else if (key == KEY_PPAGE)
		w->scroll -= page;
	else if (key == 'J')
		w->scroll++;
	else if (key == 'K')
		w->scroll--;
	if (w->scroll < 0)
		w->scroll = 0; /* the end is clamped when drawing, where the length is known */
}

void walker_k_run(struct tui *t, int key)
{
	struct walker *w = walker_on(t);
	(void)key;
	if (!w)
		return;
	int i = sel_step(w);
	if (w->sel == 0) {
		w->sel = 1;
		w->scroll = 0;
		tui_message(t, "step %d: Enter runs it", walker_step_no(w, 0));
		return;
	}
	if (i < 0) {
		tui_message(t, "select a step (Up/Down) to run it");
		return;
	}
	if (!w->rb.steps[i].automatic) {
		tui_message(t, "step %d is done by hand: do it, then p (pass), f (fail) or s (skip, with a reason)",
			    walker_step_no(w, i));
		return;
	}
	w->confirmed_step = -1;
	w->ask_error[0] = '\0';
	run_step(t, i);
}

void walker_k_mark(struct tui *t, int key)
{
	struct walker *w = walker_on(t);
	char label[120];
	if (!w)
		return;
	int i = sel_step(w);
	if (i < 0) {
		tui_message(t, "select a step first (Up/Down)");
		return;
	}
	if (!can_record(t))
		return;
	w->ask_error[0] = '\0';
	if (key == 's') {
		w->ask = ASK_SKIP;
		w->ask_step = i;
		snprintf(label, sizeof(label), "why skip step %d? ", walker_step_no(w, i));
		prompt_line(t, label, 0, skip_done, walker_ask_cancel);
		return;
	}
	if (w->rb.steps[i].automatic) {
		tui_message(t, "step %d is checked by its probes: Enter runs it (s skips it, with a reason)", walker_step_no(w, i));
		return;
	}
	w->confirmed_step = -1;
	if (key == 'p')
		pass_step(t, i);
	else
		mark_step(t, i, STEP_FAIL, NULL);
}

void walker_k_note(struct tui *t, int key)
{
	struct walker *w = walker_on(t);
	char label[120];
	(void)key;
	if (!w)
		return;
	int i = sel_step(w);
	if (i < 0) {
		tui_message(t, "select a step first (Up/Down): a note goes with a step");
		return;
	}
	if (w->running >= 0) {
		tui_message(t, "step %d is running: notes wait until it has finished", walker_step_no(w, w->running));
		return;
	}
	w->ask = ASK_NOTE;
	w->ask_step = i;
	snprintf(label, sizeof(label), "note for step %d: ", walker_step_no(w, i));
	prompt_line(t, label, 0, note_done, walker_ask_cancel);
}

void walker_k_related(struct tui *t, int key)
{
	struct walker *w = t->walker;
	struct sbuf sb = {0};
	(void)key;
	if (!w)
		return;
	if (!w->rb.n_related) {
		tui_message(t, "%s names no related runbooks; :rb opens the library", w->rb.id ? w->rb.id : "this runbook");
		return;
	}
	sbuf_add(&sb, "open runbook (");
	for (int i = 0; i < w->rb.n_related; i++)
		sbuf_addf(&sb, "%s%s", i ? ", " : "", w->rb.related[i].id);
	sbuf_add(&sb, "): ");
	w->ask = ASK_RELATED;
	prompt_line(t, sb.buf, 0, related_done, walker_ask_cancel);
	if (w->rb.n_related) /* the first one typed in already: Enter opens it */
		snprintf(t->line, sizeof(t->line), "%s", w->rb.related[0].id);
	sbuf_done(&sb);
}

void walker_k_abandon(struct tui *t, int key)
{
	struct walker *w = walker_on(t);
	char q[160];
	(void)key;
	if (!w)
		return;
	if (!w->begun || w->end_state || w->running >= 0) {
		tui_message(t, w->running >= 0 ? "a step is running: Esc cancels it first"
			       : w->end_state ? "the run has already ended"
			       : "no run to abandon: nothing is recorded yet");
		return;
	}
	snprintf(q, sizeof(q), "Abandon run %" PRId64 " of %s (marked aborted in the journal)? (y/n) ", w->run.run_id,
		 w->rb.id);
	w->ask = ASK_ABANDON;
	prompt_key(t, q, abandon_key, walker_ask_cancel);
}

void walker_k_back(struct tui *t, int key)
{
	struct walker *w = t->walker;
	if (w && w->running >= 0 && key == 27) {
		walker_cancel(t);
		return;
	}
	t->view = w ? w->from : VIEW_PANEL;
	if (w && w->running >= 0)
		tui_message(t, "step %d goes on running: w returns to %s", walker_step_no(w, w->running), walker_label(t));
	else if (w && w->begun && !w->end_state)
		tui_message(t, "run %" PRId64 " stays open: w returns to it, :rb %s resumes it later", w->run.run_id,
			    w->rb.id);
}
