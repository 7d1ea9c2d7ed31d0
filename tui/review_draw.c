/* The review list: a title with the active filter, the integrity badge, then one line per
 * run (columns dropped by priority on narrow terminals) and where the window is. Reads only
 * what tui/review.c loaded. */
#include <curses.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "tui/paint.h"
#include "tui/review.h"

void review_time(char *buf, size_t n, int64_t ms, int full)
{
	time_t t = (time_t)(ms / 1000);
	struct tm tm;
	if (ms <= 0 || !localtime_r(&t, &tm) || !strftime(buf, n, full ? "%Y-%m-%d %H:%M:%S" : "%m-%d %H:%M", &tm))
		snprintf(buf, n, "-");
}

void review_draw_badge(struct tui *t, int y)
{
	struct review *rv = t->review;
	char buf[400];
	enum role r = ROLE_MUTED;
	switch (rv->verify) {
	case RV_UNCHECKED:
		return;
	case RV_VERIFYING:
		snprintf(buf, sizeof buf, "verifying the journal's hash chain...");
		r = ROLE_PENDING;
		break;
	case RV_INTACT:
		snprintf(buf, sizeof buf, "chain intact (%" PRId64 " rows%s)", rv->v.rows,
			 rv->v.checkpoint == 1 ? ", reaches its signed checkpoint" : "");
		r = ROLE_OK;
		break;
	case RV_BROKEN:
		snprintf(buf, sizeof buf, "chain BROKEN at seq %" PRId64 ": %s", rv->v.first_bad_seq, rv->v.reason);
		r = ROLE_CRIT;
		break;
	case RV_FAILED:
		snprintf(buf, sizeof buf, "chain not verified: %s", rv->verify_error);
		r = ROLE_WARN;
		break;
	}
	char *c = text_clean(buf);
	put_text(y, 1, COLS - 2, r, c);
	free(c);
}

/* ---- columns ---- */

enum { C_ID, C_STARTED, C_KIND, C_REF, C_TITLE, C_ENV, C_OPERATOR, C_STATE, C_STEPS, C_SIGN, C__COUNT };

struct layout {
	int width[C__COUNT]; /* 0: not shown */
	int wide;
};

/* Every column that matters to the lead always; title, environment and kind as room allows
 * (the ref's CL-/RB- already tells the kind). */
static void lay_out(struct layout *l)
{
	static const int order[] = {C_ID, C_STARTED, C_KIND, C_REF, C_TITLE, C_ENV, C_OPERATOR, C_STATE, C_STEPS, C_SIGN};
	memset(l, 0, sizeof *l);
	l->wide = COLS >= 120;
	l->width[C_ID] = 6;
	l->width[C_STARTED] = l->wide ? 16 : 11;
	l->width[C_REF] = l->wide ? 14 : 11;
	l->width[C_OPERATOR] = l->wide ? 14 : 10;
	l->width[C_STATE] = 11;
	l->width[C_STEPS] = l->wide ? 14 : 8;
	l->width[C_SIGN] = 11;
	int used = 1;
	for (size_t i = 0; i < ARRAY_LEN(order); i++)
		used += l->width[order[i]] ? l->width[order[i]] + 1 : 0;
	if (COLS - used >= 11)
		used += 11; /* the title's least */
	else
		return;
	if (COLS - used >= 11) {
		l->width[C_ENV] = 10;
		used += 11;
	}
	if (COLS - used >= 10) {
		l->width[C_KIND] = 9;
		used += 10;
	}
	l->width[C_TITLE] = COLS - used + 10;
	(void)order;
}

static const char *const heads[C__COUNT] = {
	"ID", "STARTED", "KIND", "REF", "TITLE", "ENV", "OPERATOR", "STATE", "P/F/PEND", "SIGN-OFFS",
};

static enum role state_role(const char *s)
{
	if (str_eq(s, "done"))
		return ROLE_OK;
	if (str_eq(s, "failed"))
		return ROLE_CRIT;
	if (str_eq(s, "started") || str_eq(s, "resumed"))
		return ROLE_PENDING;
	return ROLE_WARN;
}

/* "2/3 signed", "signed", "signed*" (a sign-off carries a reason), "-" for runbooks. */
static enum role sign_cell(struct tui *t, const struct review_row *r, char *buf, size_t n)
{
	const struct rv_def *d = review_def(t, r->ref);
	int roles = d->loaded ? d->rb.n_roles : 0;
	const char *star = r->with_reason ? "*" : "";
	if (!str_eq(r->kind, "checklist") && !r->signed_roles) {
		snprintf(buf, n, "-");
		return ROLE_MUTED;
	}
	if (roles && r->signed_roles >= roles) {
		snprintf(buf, n, "signed%s", star);
		return r->with_reason ? ROLE_WARN : ROLE_OK;
	}
	if (roles)
		snprintf(buf, n, "%d/%d signed%s", r->signed_roles, roles, star);
	else
		snprintf(buf, n, "%d signed%s", r->signed_roles, star);
	return r->signed_roles ? ROLE_PENDING : ROLE_MUTED;
}

/* Steps never recorded are pending too, when the definition says how many there are. */
static void steps_cell(struct tui *t, const struct review_row *r, char *buf, size_t n)
{
	const struct rv_def *d = review_def(t, r->ref);
	int pending = r->steps.pending;
	if (d->loaded && d->rb.n_steps > r->steps.total)
		pending += d->rb.n_steps - r->steps.total;
	snprintf(buf, n, "%d/%d/%d", r->steps.pass, r->steps.fail, pending);
}

static void draw_row(struct tui *t, const struct layout *l, const struct review_row *r, int y, int selected)
{
	char cell[C__COUNT][160];
	enum role role[C__COUNT];
	enum role base = selected ? ROLE_SELECTED : ROLE_NORMAL;
	for (int c = 0; c < C__COUNT; c++)
		role[c] = base;
	snprintf(cell[C_ID], sizeof cell[C_ID], "%" PRId64, r->id);
	review_time(cell[C_STARTED], sizeof cell[C_STARTED], r->started_at, 0);
	if (l->wide) { /* "2026-11-22 08:05" */
		char full[40];
		review_time(full, sizeof full, r->started_at, 1);
		snprintf(cell[C_STARTED], sizeof cell[C_STARTED], "%.16s", full);
	}
	snprintf(cell[C_KIND], sizeof cell[C_KIND], "%s", r->kind ? r->kind : "");
	snprintf(cell[C_REF], sizeof cell[C_REF], "%s", r->ref ? r->ref : "");
	snprintf(cell[C_TITLE], sizeof cell[C_TITLE], "%s", r->title ? r->title : "");
	snprintf(cell[C_ENV], sizeof cell[C_ENV], "%s", r->env ? r->env : "-");
	snprintf(cell[C_OPERATOR], sizeof cell[C_OPERATOR], "%s",
		 r->operator_name && *r->operator_name ? r->operator_name : r->os_user ? r->os_user : "?");
	snprintf(cell[C_STATE], sizeof cell[C_STATE], "%s", r->state ? r->state : "?");
	steps_cell(t, r, cell[C_STEPS], sizeof cell[C_STEPS]);
	enum role sr = sign_cell(t, r, cell[C_SIGN], sizeof cell[C_SIGN]);
	if (!selected) {
		role[C_STATE] = state_role(r->state);
		role[C_STEPS] = r->steps.fail ? ROLE_CRIT : ROLE_NORMAL;
		role[C_SIGN] = sr;
		role[C_ID] = role[C_STARTED] = ROLE_MUTED;
	}
	attrset(theme_attr(base));
	mvhline(y, 0, ' ', COLS);
	attrset(A_NORMAL);
	int x = 1;
	for (int c = 0; c < C__COUNT; c++) {
		if (!l->width[c])
			continue;
		char *clean = text_clean(cell[c]);
		put_text(y, x, l->width[c], role[c], clean);
		free(clean);
		x += l->width[c] + 1;
	}
}

static void draw_title(struct tui *t, int y)
{
	struct review *rv = t->review;
	char f[400], buf[600];
	review_filter_describe(&rv->filter, f, sizeof f);
	if (f[0])
		snprintf(buf, sizeof buf, "Journal review: %" PRId64 " %s  %s  (x clears)", rv->total,
			 rv->total == 1 ? "run matches" : "runs match", f);
	else
		snprintf(buf, sizeof buf, "Journal review: %" PRId64 " run%s, newest first  (/ or :journal FIELD=VALUE filters)",
			 rv->total, rv->total == 1 ? "" : "s");
	char *c = text_clean(buf);
	put_text(y, 1, COLS - 2, ROLE_TITLE, c);
	free(c);
}

void review_draw_list(struct tui *t, int top, int bottom)
{
	struct review *rv = t->review;
	struct layout l;
	char buf[300];
	draw_title(t, top);
	review_draw_badge(t, top + 1);
	if (rv->error[0]) {
		char *c = text_clean(rv->error);
		put_text(top + 3, 1, COLS - 2, ROLE_CRIT, c);
		free(c);
		return;
	}
	lay_out(&l);
	int x = 1;
	for (int c = 0; c < C__COUNT; c++)
		if (l.width[c]) {
			put(top + 2, x, l.width[c], ROLE_TITLE, c == C_STEPS && l.wide ? "PASS/FAIL/PEND" : heads[c]);
			x += l.width[c] + 1;
		}
	int y = top + 3, shown = 0;
	for (int i = 0; i < rv->n && y < bottom; i++, y++, shown++)
		draw_row(t, &l, &rv->rows[i], y, i == rv->sel);
	if (!rv->n) {
		put(y, 1, COLS - 2, ROLE_MUTED, review_filter_empty(&rv->filter)
			? "No runs recorded yet: runs of runbooks and checklists appear here."
			: "No run matches the filter (x clears it).");
		return;
	}
	snprintf(buf, sizeof buf, "runs %" PRId64 "-%" PRId64 " of %" PRId64 "   Enter: the run   /: filter   "
		 ":journal ref= operator= state= since= until=   x: clear   r: reload   q: back",
		 rv->pos + 1, rv->pos + shown, rv->total);
	put(bottom, 1, COLS - 2, ROLE_MUTED, buf);
}

void review_draw(struct tui *t, int top, int bottom)
{
	clear_lines(top, bottom);
	if (!t->review) {
		put(top, 1, COLS - 2, ROLE_MUTED, "The journal review is not open: J or :journal opens it.");
		return;
	}
	if (t->view == VIEW_REVIEW_RUN)
		review_draw_run(t, top, bottom);
	else
		review_draw_list(t, top, bottom);
}
