/* A run in the review: its header and integrity badge stay on top; below, in a pane that
 * scrolls, every step (result, observed, expectation, its baselines side by side with now,
 * delta and verdict, notes, output), the run's values and baselines, and the sign-offs with
 * the roles still unsigned. [ and ] select a sign-off (C corrects it). */
#include <curses.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "tui/paint.h"
#include "tui/review.h"
#include "tui/walker.h"

static void num(char *buf, size_t n, double v, const char *unit, int sign)
{
	snprintf(buf, n, sign ? "%+.4g%s%s" : "%.4g%s%s", v, unit && *unit ? " " : "", unit && *unit ? unit : "");
}

static void duration(char *buf, size_t n, const struct review_detail *d)
{
	char dur[32], last[32];
	if (d->ended_at) {
		fmt_duration_ms(dur, sizeof dur, (double)(d->ended_at - d->run.started_at));
		snprintf(buf, n, "%s", dur);
		return;
	}
	fmt_age(dur, sizeof dur, (double)(now_wall_ms() - d->run.started_at)); /* ticks with the clock */
	fmt_age(last, sizeof last, (double)(now_wall_ms() - d->last_at));
	snprintf(buf, n, "open for %s (last recorded %s ago)", dur, last);
}

static void header(struct tui *t, struct pane *p, const struct review_detail *d)
{
	const struct review_row *r = &d->run;
	const struct rv_def *def = review_def(t, r->ref);
	char buf[400], when[40], end[40];
	review_time(when, sizeof when, r->started_at, 1);
	snprintf(buf, sizeof buf, "%s (OS user %s) on %s", r->operator_name && *r->operator_name ? r->operator_name : "-",
		 r->os_user ? r->os_user : "?", r->host ? r->host : "?");
	pane_field(p, ROLE_NORMAL, 0, "env", r->env);
	pane_field(p, ROLE_NORMAL, 0, "operator", buf);
	pane_field(p, ROLE_NORMAL, 0, "started", when);
	review_time(end, sizeof end, d->ended_at, 1);
	snprintf(buf, sizeof buf, "%s%s%s", r->state ? r->state : "?", d->ended_at ? " at " : "", d->ended_at ? end : "");
	pane_field(p, str_eq(r->state, "failed") ? ROLE_CRIT : ROLE_NORMAL, 0, "state", buf);
	duration(buf, sizeof buf, d);
	pane_field(p, ROLE_NORMAL, 0, "duration", buf);
	int defined = def->loaded ? def->rb.n_steps : 0, missing = defined > r->steps.total ? defined - r->steps.total : 0;
	snprintf(buf, sizeof buf, "%d pass, %d fail, %d skipped, %d pending%s", r->steps.pass, r->steps.fail, r->steps.skip,
		 r->steps.pending + missing, missing ? " (some never checked)" : "");
	pane_field(p, r->steps.fail ? ROLE_CRIT : ROLE_NORMAL, 0, "steps", buf);
}

/* The baselines a step's expectation names: baseline, now, delta and verdict side by side,
 * as a table when it fits the pane, else one line each. */
static void compare(struct pane *p, const struct journal_step_row *s, const struct review_step_cmp *c)
{
	enum { NAME, BASE, NOW, DELTA, VERDICT, NCOL, MAXC = 8 };
	static const char *const head[NCOL] = {"vs baseline", "baseline", "now", "delta", "verdict"};
	char cell[MAXC][NCOL][96], pct[32];
	int w[NCOL], n = c->n < MAXC ? c->n : MAXC;
	const char *verdict = review_verdict(s->status);
	if (!n)
		return;
	for (int k = 0; k < NCOL; k++)
		w[k] = (int)strlen(head[k]);
	for (int k = 0; k < n; k++) {
		const struct review_cmp *m = &c->v[k];
		snprintf(cell[k][NAME], sizeof cell[k][NAME], "%s", m->name);
		snprintf(cell[k][BASE], sizeof cell[k][BASE], "-");
		snprintf(cell[k][NOW], sizeof cell[k][NOW], "-");
		snprintf(cell[k][DELTA], sizeof cell[k][DELTA], "-");
		snprintf(cell[k][VERDICT], sizeof cell[k][VERDICT], "%s", verdict);
		if (m->has_base)
			num(cell[k][BASE], sizeof cell[k][BASE], m->base, m->unit, 0);
		if (m->has_now)
			num(cell[k][NOW], sizeof cell[k][NOW], m->now, m->unit, 0);
		if (m->has_base && m->has_now) {
			num(cell[k][DELTA], sizeof cell[k][DELTA], m->delta, m->unit, 1);
			if (!isnan(m->pct)) {
				snprintf(pct, sizeof pct, " (%+.1f %%)", m->pct);
				strncat(cell[k][DELTA], pct, sizeof cell[k][DELTA] - strlen(cell[k][DELTA]) - 1);
			}
		}
		for (int i = 0; i < NCOL; i++)
			if ((int)strlen(cell[k][i]) > w[i])
				w[i] = (int)strlen(cell[k][i]);
	}
	enum role r = !strcmp(verdict, "pass") ? ROLE_OK : !strcmp(verdict, "FAIL") ? ROLE_CRIT : ROLE_WARN;
	int table = 4 + w[NAME] + w[BASE] + w[NOW] + w[DELTA] + w[VERDICT] + 4 * 2 <= p->width;
	char *line;
	if (table) {
		line = xasprintf("%-*s  %*s  %*s  %*s  %s", w[NAME], head[NAME], w[BASE], head[BASE], w[NOW], head[NOW],
				 w[DELTA], head[DELTA], head[VERDICT]);
		pane_text(p, ROLE_MUTED, 4, 0, 1, line);
		free(line);
	}
	for (int k = 0; k < n; k++) {
		const char *const *v = (const char *const[]){cell[k][NAME], cell[k][BASE], cell[k][NOW], cell[k][DELTA],
							   cell[k][VERDICT]};
		if (table)
			line = xasprintf("%-*s  %*s  %*s  %*s  %s", w[NAME], v[NAME], w[BASE], v[BASE], w[NOW], v[NOW],
					 w[DELTA], v[DELTA], v[VERDICT]);
		else
			line = xasprintf("vs baseline %s: baseline %s, now %s, delta %s: %s", v[NAME], v[BASE], v[NOW],
					 v[DELTA], v[VERDICT]);
		pane_text(p, r, 4, table ? 0 : 4, table, line);
		free(line);
	}
}

static void step_lines(struct pane *p, const struct journal_step_row *s, const struct review_step_cmp *c)
{
	enum step_status st = STEP_PENDING;
	char buf[600], dur[32] = "";
	step_status_parse(s->status, &st);
	if (s->duration_ms >= 0)
		fmt_duration_ms(dur, sizeof dur, (double)s->duration_ms);
	snprintf(buf, sizeof buf, "%s %s. %s  [%s%s%s]", walker_mark(st, 0), s->step_id, s->title ? s->title : "",
		 s->status ? s->status : "?", *dur ? ", " : "", dur);
	pane_text(p, walker_mark_role(st, 0), 0, 4, 0, buf);
	if (s->observed)
		pane_field(p, ROLE_NORMAL, 4, "observed", s->observed);
	if (s->expectation)
		pane_field(p, ROLE_NORMAL, 4, "expected", s->expectation);
	compare(p, s, c);
	if (s->note)
		pane_field(p, ROLE_WARN, 4, "note", s->note);
	if (s->output && *s->output) {
		pane_text(p, ROLE_MUTED, 4, 0, 0, "output:");
		pane_text(p, ROLE_NORMAL, 6, 0, 1, s->output);
	}
}

/* A baseline typed in by the operator (the step's observed says so). */
static int typed_in(const struct review_detail *d, const char *name)
{
	for (int i = 0; i < d->n_steps; i++) {
		const char *o = d->steps[i].observed;
		if (o && strstr(o, "(typed in)") && !strncmp(o, name, strlen(name)) && !strncmp(o + strlen(name), " = ", 3))
			return 1;
	}
	return 0;
}

static void values(struct pane *p, const struct review_detail *d)
{
	char buf[600], v[48], when[40];
	if (d->n_values) {
		pane_blank(p);
		pane_text(p, ROLE_TITLE, 0, 0, 0, "Inputs and captured values");
		for (int i = 0; i < d->n_values; i++) {
			snprintf(buf, sizeof buf, "%-8s %s = %s", d->values[i].kind, d->values[i].name,
				 d->values[i].value ? d->values[i].value : "");
			pane_text(p, ROLE_NORMAL, 2, 11, 0, buf);
		}
	}
	if (!d->n_baselines)
		return;
	pane_blank(p);
	pane_text(p, ROLE_TITLE, 0, 0, 0, "Baselines taken in this run");
	for (int i = 0; i < d->n_baselines; i++) {
		num(v, sizeof v, d->baselines[i].value, d->baselines[i].unit, 0);
		review_time(when, sizeof when, d->baselines[i].recorded_at, 1);
		snprintf(buf, sizeof buf, "%-24s %-16s %s%s", d->baselines[i].name, v, when,
			 typed_in(d, d->baselines[i].name) ? "  (typed in)" : "");
		pane_text(p, ROLE_NORMAL, 2, 4, 0, buf);
	}
}

static int role_signed(const struct review_detail *d, const char *role)
{
	for (int i = 0; i < d->n_signoffs; i++)
		if (!strcasecmp(d->signoffs[i].role, role) && !review_correction_of(d, d->signoffs[i].id))
			return 1;
	return 0;
}

static void signoffs(struct tui *t, struct pane *p, const struct review_detail *d, int *so_line)
{
	const struct rv_def *def = review_def(t, d->run.ref);
	char buf[600], when[40];
	pane_blank(p);
	pane_text(p, ROLE_TITLE, 0, 0, 0, "Sign-offs");
	for (int i = 0; i < d->n_signoffs; i++) {
		const struct journal_signoff_row *s = &d->signoffs[i];
		const struct journal_signoff_row *by = review_correction_of(d, s->id);
		int sel = i == t->review->so_sel;
		review_time(when, sizeof when, s->recorded_at, 1);
		snprintf(buf, sizeof buf, "%s#%" PRId64 " %s: %s (OS user %s) at %s", sel ? "> " : "  ", s->id, s->role,
			 s->person, s->os_user ? s->os_user : "?", when);
		if (sel)
			*so_line = p->n;
		pane_text(p, sel ? ROLE_SELECTED : by ? ROLE_MUTED : ROLE_OK, 0, 4, 0, buf);
		if (s->corrects_id) {
			snprintf(buf, sizeof buf, "correcting #%" PRId64, s->corrects_id);
			pane_text(p, ROLE_NORMAL, 4, 0, 0, buf);
		}
		if (by) {
			snprintf(buf, sizeof buf, "corrected by #%" PRId64 ": no longer counts", by->id);
			pane_text(p, ROLE_MUTED, 4, 0, 0, buf);
		}
		if (s->comment)
			pane_field(p, ROLE_NORMAL, 4, "comment", s->comment);
		if (s->reason && *s->reason) {
			snprintf(buf, sizeof buf, "signed with failed/unchecked items: %s", s->reason);
			pane_text(p, ROLE_WARN, 4, 2, 0, buf);
		}
	}
	if (!def->loaded) {
		if (!d->n_signoffs)
			pane_text(p, ROLE_MUTED, 2, 0, 0, str_eq(d->run.kind, "checklist") ? "none yet" : "none (runbook runs are not signed off)");
		if (str_eq(d->run.kind, "checklist")) {
			snprintf(buf, sizeof buf, "the roles are not known: %s", def->error ? def->error : "no definition");
			pane_text(p, ROLE_WARN, 2, 2, 0, buf);
		}
		return;
	}
	for (int i = 0; i < def->rb.n_roles; i++) {
		const char *role = def->rb.roles[i].role ? def->rb.roles[i].role : "?";
		if (role_signed(d, role))
			continue;
		snprintf(buf, sizeof buf, "%s: unsigned", role);
		pane_text(p, ROLE_WARN, 2, 4, 0, buf);
	}
	if (!def->rb.n_roles && !d->n_signoffs)
		pane_text(p, ROLE_MUTED, 2, 0, 0, "none (this runbook has no sign-off roles)");
}

void review_build_pane(struct tui *t, struct pane *p, int *so_line)
{
	const struct review_detail *d = &t->review->d;
	*so_line = -1;
	header(t, p, d);
	pane_blank(p);
	pane_text(p, ROLE_TITLE, 0, 0, 0, d->n_steps ? "Steps (each step's newest result)" : "Steps: none recorded");
	for (int i = 0; i < d->n_steps; i++)
		step_lines(p, &d->steps[i], &d->cmp[i]);
	values(p, d);
	signoffs(t, p, d, so_line);
}

void review_draw_run(struct tui *t, int top, int bottom)
{
	struct review *rv = t->review;
	const struct review_detail *d = &rv->d;
	char buf[600];
	if (!rv->have_detail) {
		put(top, 1, COLS - 2, ROLE_CRIT, rv->error[0] ? rv->error : "no run is loaded");
		return;
	}
	snprintf(buf, sizeof buf, "Run %" PRId64 "  %s %s: %s", d->run.id, d->run.kind ? d->run.kind : "",
		 d->run.ref ? d->run.ref : "", d->run.title ? d->run.title : "");
	char *c = text_clean(buf);
	put_text(top, 1, COLS - 2, ROLE_TITLE, c);
	free(c);
	review_draw_badge(t, top + 1);
	int y = top + 2;
	if (rv->sign.active)
		y += review_sign_draw(t, y);
	struct pane p = {0};
	int so_line;
	p.width = COLS - 2;
	review_build_pane(t, &p, &so_line);
	if (rv->show_so && so_line >= 0) { /* the selected sign-off in view */
		int h = bottom - y + 1;
		if (so_line < rv->scroll || so_line >= rv->scroll + h - 1)
			rv->scroll = so_line > 2 ? so_line - 2 : 0;
	}
	rv->show_so = 0;
	pane_draw(&p, y, bottom, 1, &rv->scroll);
	pane_done(&p);
}

/* [ and ]: the previous / next sign-off. */
void review_k_signoff_sel(struct tui *t, int key)
{
	struct review *rv = t->review;
	if (t->view != VIEW_REVIEW_RUN || !rv->d.n_signoffs) {
		tui_message(t, "no sign-off to select");
		return;
	}
	rv->so_sel += key == '[' ? -1 : 1;
	if (rv->so_sel < 0)
		rv->so_sel = 0;
	if (rv->so_sel >= rv->d.n_signoffs)
		rv->so_sel = rv->d.n_signoffs - 1;
	rv->show_so = 1;
}
