/* Signing a checklist run off from its review (S), or correcting a sign-off (C): the role
 * (the unsigned ones offered first), the person's name, an optional comment and, only when
 * the run has failed or unchecked steps, a reason the form says it needs. rb_signoff
 * applies the rules `opsdeck signoff` applies (roles of the checklist, one role per person
 * unless signoff.roles_per_person allows more, corrections as new entries); the screen says
 * "recorded" only after the journal has committed the sign-off, and a refusal in red. */
#include <curses.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "tui/paint.h"
#include "tui/review.h"

static const struct runbook *sign_rb(struct tui *t)
{
	return &review_def(t, t->review->d.run.ref)->rb;
}

static int role_signed(const struct review_detail *d, const char *role)
{
	for (int i = 0; i < d->n_signoffs; i++)
		if (!strcasecmp(d->signoffs[i].role, role) && !review_correction_of(d, d->signoffs[i].id))
			return 1;
	return 0;
}

static void sign_reset(struct rv_sign *s)
{
	free(s->name);
	free(s->comment);
	memset(s, 0, sizeof *s);
	s->role = -1;
}

static void sign_cancel(struct tui *t)
{
	sign_reset(&t->review->sign);
	tui_message(t, "sign-off cancelled: nothing was recorded");
}

/* The run as the engine sees it (its steps' newest results), for rb_signoff. */
static int load_run(struct tui *t, struct rb_run *r, struct rb_env *env, char **err)
{
	memset(env, 0, sizeof *env);
	env->cfg = t->cfg;
	env->journal = t->journal;
	rb_run_init(r, sign_rb(t), env);
	return rb_run_load(r, t->review->d.run.id, err);
}

static void ask_name(struct tui *t);
static void ask_reason(struct tui *t);

static void submit(struct tui *t, const char *reason)
{
	struct review *rv = t->review;
	struct rv_sign *s = &rv->sign;
	const struct runbook *rb = sign_rb(t);
	struct rb_env env;
	struct rb_run r;
	char *err = NULL;
	int64_t id = -1, run = rv->d.run.id;
	struct rb_signoff_req q = {
		.role = rb->roles[s->role].role, .person = s->name, .comment = s->comment,
		.reason = reason && *reason ? reason : NULL, .corrects = s->corrects,
		.roles_per_person = (int)t->cfg->opt[OPT_SIGNOFF_ROLES_PER_PERSON],
	};
	if (load_run(t, &r, &env, &err) == 0)
		id = rb_signoff(&r, &q, &err); /* returns once the journal has committed it */
	rb_run_done(&r);
	if (id < 0) {
		snprintf(s->error, sizeof s->error, "NOT recorded: %s", err ? err : "refused");
		tui_alert(t, "%s", s->error);
		free(err);
		if ((s->fail || s->pending) && !q.reason)
			ask_reason(t); /* the reason is what was missing: ask again (Esc cancels) */
		else
			sign_reset(s);
		return;
	}
	char *who = xstrdup(s->name), *role = xstrdup(q.role);
	int with_reason = q.reason != NULL;
	sign_reset(s);
	rv->stale = 1;
	review_load_detail(t, run);
	review_verify_start(t); /* the chain has grown: the badge counts the new row too */
	for (int i = 0; i < rv->d.n_signoffs; i++)
		if (rv->d.signoffs[i].id == id)
			rv->so_sel = i;
	rv->show_so = 1;
	int missing = 0;
	for (int i = 0; i < rb->n_roles; i++)
		missing += !role_signed(&rv->d, rb->roles[i].role ? rb->roles[i].role : "");
	tui_message(t, "sign-off #%" PRId64 " recorded: %s signed as %s on run %" PRId64 "%s%s", id, who, role, run,
		    with_reason ? " with a reason" : "", missing ? "" : "; every role has signed: the run is complete");
	free(who);
	free(role);
}

static void reason_done(struct tui *t, const char *text) { submit(t, text); }

static void ask_reason(struct tui *t)
{
	struct rv_sign *s = &t->review->sign;
	char label[200];
	snprintf(label, sizeof label, "reason (required: %d failed, %d unchecked step%s): ", s->fail, s->pending,
		 s->pending == 1 ? "" : "s");
	prompt_line(t, label, 0, reason_done, sign_cancel);
}

static void comment_done(struct tui *t, const char *text)
{
	struct rv_sign *s = &t->review->sign;
	free(s->comment);
	s->comment = *text ? xstrdup(text) : NULL;
	if (s->fail || s->pending)
		ask_reason(t);
	else
		submit(t, NULL);
}

static void name_done(struct tui *t, const char *text)
{
	struct rv_sign *s = &t->review->sign;
	while (*text == ' ')
		text++;
	if (!*text) {
		snprintf(s->error, sizeof s->error, "a sign-off needs the person's name (Esc cancels)");
		ask_name(t);
		return;
	}
	free(s->name);
	s->name = xstrdup(text);
	s->error[0] = '\0';
	prompt_line(t, "comment (optional; Enter: none): ", 0, comment_done, sign_cancel);
}

static void ask_name(struct tui *t)
{
	prompt_line(t, "your name, as it goes in the journal: ", 0, name_done, sign_cancel);
}

static int role_key(struct tui *t, int ch)
{
	struct rv_sign *s = &t->review->sign;
	int k = ch - '1';
	if (k < 0 || k >= s->n_order || k > 8)
		return 0;
	s->role = s->order[k];
	ask_name(t);
	return 1;
}

void review_sign_start(struct tui *t, int64_t corrects)
{
	struct review *rv = t->review;
	const struct review_detail *d = &rv->d;
	if (t->view != VIEW_REVIEW_RUN || !rv->have_detail)
		return;
	if (!str_eq(d->run.kind, "checklist")) {
		tui_alert(t, "run %" PRId64 " is a %s run: only checklist runs are signed off", d->run.id, d->run.kind);
		return;
	}
	const struct rv_def *def = review_def(t, d->run.ref);
	if (!def->loaded || !def->rb.n_roles) {
		tui_alert(t, "cannot sign run %" PRId64 " off: %s", d->run.id,
			  !def->loaded ? def->error : "its checklist has no ## Sign-off roles");
		return;
	}
	struct rb_env env;
	struct rb_run r;
	struct rb_progress p;
	char *err = NULL;
	if (load_run(t, &r, &env, &err) < 0) {
		tui_alert(t, "cannot sign run %" PRId64 " off: %s", d->run.id, err ? err : "it cannot be loaded");
		free(err);
		rb_run_done(&r);
		return;
	}
	rb_run_progress(&r, &p);
	rb_run_done(&r);
	struct rv_sign *s = &rv->sign;
	sign_reset(s);
	s->active = 1;
	s->corrects = corrects;
	s->fail = p.fail;
	s->pending = p.pending;
	for (int pass = 0; pass < 2; pass++) /* the unsigned roles first */
		for (int i = 0; i < def->rb.n_roles && s->n_order < (int)ARRAY_LEN(s->order); i++)
			if (role_signed(d, def->rb.roles[i].role ? def->rb.roles[i].role : "") == pass)
				s->order[s->n_order++] = i;
	for (int i = 0; corrects && i < d->n_signoffs; i++) /* a correction keeps the role */
		for (int k = 0; d->signoffs[i].id == corrects && k < def->rb.n_roles; k++)
			if (def->rb.roles[k].role && !strcasecmp(def->rb.roles[k].role, d->signoffs[i].role))
				s->role = k;
	rv->scroll = 0;
	if (s->role >= 0)
		ask_name(t);
	else
		prompt_key(t, "sign as which role? press its number (Esc cancels)", role_key, sign_cancel);
}

void review_k_sign(struct tui *t, int key)
{
	(void)key;
	if (t->view == VIEW_REVIEW)
		review_k_enter(t, '\n'); /* S on a row of the list: open it, then sign */
	review_sign_start(t, 0);
}

void review_k_correct(struct tui *t, int key)
{
	struct review *rv = t->review;
	(void)key;
	if (t->view != VIEW_REVIEW_RUN || rv->so_sel < 0 || rv->so_sel >= rv->d.n_signoffs) {
		tui_message(t, "select a sign-off first ([ and ] in a run's detail), then C corrects it");
		return;
	}
	const struct journal_signoff_row *so = &rv->d.signoffs[rv->so_sel];
	const struct journal_signoff_row *by = review_correction_of(&rv->d, so->id);
	if (by) {
		tui_alert(t, "sign-off #%" PRId64 " is already corrected by #%" PRId64 ": correct that one", so->id, by->id);
		return;
	}
	review_sign_start(t, so->id);
}

/* ---- the form above the run ---- */

static void form(struct tui *t, struct pane *p)
{
	struct review *rv = t->review;
	struct rv_sign *s = &rv->sign;
	const struct runbook *rb = sign_rb(t);
	char buf[600];
	struct sbuf roles = {0};
	char corr[64] = "";
	if (s->corrects)
		snprintf(corr, sizeof corr, ", correcting sign-off #%" PRId64, s->corrects);
	snprintf(buf, sizeof buf, "Sign-off of run %" PRId64 " (%s)%s   Esc cancels: nothing is recorded until the end",
		 rv->d.run.id, rv->d.run.ref, corr);
	pane_text(p, ROLE_TITLE, 0, 2, 0, buf);
	if (s->role >= 0) {
		sbuf_add(&roles, rb->roles[s->role].role);
	} else {
		for (int k = 0; k < s->n_order && k < 9; k++) {
			const char *role = rb->roles[s->order[k]].role;
			sbuf_addf(&roles, "%s%d %s (%s)", k ? "   " : "", k + 1, role ? role : "?",
				  role_signed(&rv->d, role ? role : "") ? "signed" : "unsigned");
		}
	}
	pane_field(p, ROLE_NORMAL, 2, "role", roles.buf);
	sbuf_done(&roles);
	pane_field(p, ROLE_NORMAL, 2, "name", s->name ? s->name : "_");
	pane_field(p, ROLE_NORMAL, 2, "comment", s->comment ? s->comment : s->name ? "(none)" : "_");
	if (s->fail || s->pending)
		snprintf(buf, sizeof buf, "required: the run has %d failed and %d unchecked step%s, so the sign-off must "
			 "say why it is signed anyway (the reason is shown with it wherever it appears)", s->fail, s->pending,
			 s->pending == 1 ? "" : "s");
	else
		snprintf(buf, sizeof buf, "not needed: every step passed, was done by hand or skipped");
	pane_field(p, s->fail || s->pending ? ROLE_WARN : ROLE_MUTED, 2, "reason", buf);
	if (s->error[0])
		pane_text(p, ROLE_CRIT, 2, 2, 0, s->error);
}

int review_sign_lines(struct tui *t)
{
	if (!t->review || !t->review->sign.active)
		return 0;
	struct pane p = {0};
	p.width = COLS - 2;
	form(t, &p);
	int n = p.n;
	pane_done(&p);
	return n;
}

int review_sign_draw(struct tui *t, int top)
{
	struct pane p = {0};
	int scroll = 0;
	p.width = COLS - 2;
	form(t, &p);
	int n = p.n;
	pane_draw(&p, top, top + n - 1, 1, &scroll);
	pane_done(&p);
	return n;
}
