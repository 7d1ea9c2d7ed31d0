/* The review screen's state and keys: the window of runs on screen is fetched by key
 * handlers (keyset pages of store/review.h, one screenful at a time), the run detail is
 * loaded once when it opens, and the chain is verified on a worker thread each time the
 * screen is opened. Drawing (review_draw.c, review_run.c) only reads what is loaded here. */
#include <curses.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tui/review.h"

int review_page_rows(void)
{
	int n = LINES - 9; /* top 3 lines, title, badge, column heads, position line, 2 below */
	return n > 1 ? n : 1;
}

/* ---- the definitions of refs (sign-off roles, step counts) ---- */

const struct rv_def *review_def(struct tui *t, const char *ref)
{
	struct review *rv = t->review;
	for (int i = 0; i < rv->n_defs; i++)
		if (str_eq(rv->defs[i]->ref, ref))
			return rv->defs[i];
	struct rv_def *d = xcalloc(1, sizeof *d);
	char *err = NULL, *path = ref ? rb_locate(ref, &err) : NULL;
	d->ref = xstrdup(ref ? ref : "");
	if (path && runbook_load(&d->rb, path, &err) == 0) {
		if (str_eq(d->rb.id, ref) || (!d->rb.id && str_eq(path, ref)))
			d->loaded = 1;
		else
			err = xasprintf("%s is %s, not %s", path, d->rb.id ? d->rb.id : "no runbook", ref);
	}
	if (!d->loaded)
		d->error = err ? err : xasprintf("cannot find the definition of %s", d->ref);
	else
		free(err);
	free(path);
	rv->defs = xrealloc(rv->defs, sizeof *rv->defs * (size_t)(rv->n_defs + 1));
	rv->defs[rv->n_defs++] = d;
	return d;
}

/* ---- the list window ---- */

static void fail(struct tui *t, char *err)
{
	snprintf(t->review->error, sizeof t->review->error, "%s", err ? err : "cannot read the journal");
	tui_alert(t, "%s", t->review->error);
	free(err);
}

static int fetch(struct tui *t, int64_t from, int dir, int limit, struct review_row **rows, int *n)
{
	char *err = NULL;
	if (review_page(t->journal, &t->review->filter, from, dir, limit, rows, n, &err) < 0) {
		fail(t, err);
		return -1;
	}
	for (int i = 0; i < *n; i++) /* read the definitions now: drawing does no I/O */
		review_def(t, (*rows)[i].ref);
	t->review->error[0] = '\0';
	return 0;
}

/* The window becomes a[0..na) followed by b[0..nb) (ownership moves; the rest is freed). */
static void window(struct review *rv, struct review_row *a, int na, struct review_row *b, int nb, int keep)
{
	struct review_row *v = xcalloc((size_t)(keep > 0 ? keep : 1), sizeof *v);
	int n = 0;
	for (int i = 0; i < na; i++)
		if (n < keep)
			v[n++] = a[i];
		else
			review_row_done(&a[i]);
	for (int i = 0; i < nb; i++)
		if (n < keep)
			v[n++] = b[i];
		else
			review_row_done(&b[i]);
	rv->rows = v;
	rv->n = n;
}

/* From the newest run that matches: after opening, a filter change, g. */
static void load_top(struct tui *t)
{
	struct review *rv = t->review;
	struct review_row *rows;
	int n, fit = review_page_rows();
	char *err = NULL;
	if (!t->journal || fetch(t, INT64_MAX, -1, fit, &rows, &n) < 0)
		return;
	review_rows_free(rv->rows, rv->n);
	rv->rows = rows;
	rv->n = n;
	rv->pos = 0;
	rv->sel = 0;
	rv->total = n < fit ? n : review_count(t->journal, &rv->filter, &err); /* a short page is all there is */
	if (rv->total < 0)
		fail(t, err);
}

/* The same window read again (new sign-offs, states), or from the top if it is gone. */
static void reload_window(struct tui *t)
{
	struct review *rv = t->review;
	struct review_row *rows = NULL;
	int n = 0, sel = rv->sel;
	char *err = NULL;
	if (!rv->n || fetch(t, rv->rows[0].id + 1, -1, review_page_rows(), &rows, &n) < 0 || !n) {
		free(rows);
		load_top(t);
		return;
	}
	review_rows_free(rv->rows, rv->n);
	rv->rows = rows;
	rv->n = n;
	rv->sel = sel < n ? sel : n - 1;
	int64_t total = review_count(t->journal, &rv->filter, &err);
	if (total < 0)
		fail(t, err);
	else
		rv->total = total;
}

/* k runs older than the window's last scroll in at the bottom; returns how many came. */
static int scroll_older(struct tui *t, int k)
{
	struct review *rv = t->review;
	struct review_row *got, *old = rv->rows;
	int n;
	if (!rv->n || fetch(t, rv->rows[rv->n - 1].id, -1, k, &got, &n) < 0)
		return 0;
	if (!n) {
		free(got);
		return 0;
	}
	int fit = review_page_rows(), drop = rv->n + n > fit ? rv->n + n - fit : 0;
	for (int i = 0; i < drop && i < rv->n; i++)
		review_row_done(&old[i]);
	window(rv, old + drop, rv->n - drop, got, n, fit);
	free(old);
	free(got);
	rv->pos += drop;
	return n;
}

/* k runs newer than the window's first scroll in at the top. */
static int scroll_newer(struct tui *t, int k)
{
	struct review *rv = t->review;
	struct review_row *got, *old = rv->rows;
	int n, fit = review_page_rows();
	if (!rv->n || fetch(t, rv->rows[0].id, 1, k, &got, &n) < 0)
		return 0;
	if (!n) {
		free(got);
		return 0;
	}
	window(rv, got, n, old, rv->n, fit);
	free(old);
	free(got);
	rv->pos = rv->pos > n ? rv->pos - n : 0;
	return n;
}

/* The terminal was resized: as many rows as fit, the selection kept in view. */
static void fit_window(struct tui *t)
{
	struct review *rv = t->review;
	int fit = review_page_rows();
	if (rv->sel >= fit) {
		int drop = rv->sel - fit + 1;
		for (int i = 0; i < drop; i++)
			review_row_done(&rv->rows[i]);
		memmove(rv->rows, rv->rows + drop, sizeof *rv->rows * (size_t)(rv->n - drop));
		rv->n -= drop;
		rv->sel -= drop;
		rv->pos += drop;
	}
	while (rv->n > fit)
		review_row_done(&rv->rows[--rv->n]);
	if (rv->n && rv->n < fit && rv->pos + rv->n < rv->total)
		scroll_older(t, fit - rv->n);
}

static void list_move(struct tui *t, int key)
{
	struct review *rv = t->review;
	int fit = review_page_rows();
	fit_window(t);
	if (key == KEY_DOWN || key == 'j' || key == 'J') {
		if (rv->sel + 1 < rv->n)
			rv->sel++;
		else
			scroll_older(t, 1);
	} else if (key == KEY_UP || key == 'k' || key == 'K') {
		if (rv->sel > 0)
			rv->sel--;
		else
			scroll_newer(t, 1);
	} else if (key == KEY_NPAGE || key == ' ') {
		if (!scroll_older(t, fit))
			rv->sel = rv->n - 1;
	} else if (key == KEY_PPAGE) {
		if (!scroll_newer(t, fit))
			rv->sel = 0;
	} else if (key == KEY_HOME || key == 'g') {
		load_top(t);
	} else if (key == KEY_END || key == 'G') {
		struct review_row *rows;
		int n;
		if (fetch(t, 0, 1, fit, &rows, &n) == 0) {
			review_rows_free(rv->rows, rv->n);
			rv->rows = rows;
			rv->n = n;
			rv->pos = rv->total > n ? rv->total - n : 0;
			rv->sel = n - 1;
		}
	}
	if (rv->sel >= rv->n)
		rv->sel = rv->n - 1;
	if (rv->sel < 0)
		rv->sel = 0;
}

/* ---- opening, closing ---- */

void review_open(struct tui *t, const char *args)
{
	if (!t->review) {
		t->review = xcalloc(1, sizeof *t->review);
		t->review->so_sel = -1;
		t->review->pipe[0] = t->review->pipe[1] = -1;
	}
	struct review *rv = t->review;
	char *err = NULL;
	while (args && *args == ' ')
		args++;
	if (args && !strcmp(args, "clear"))
		memset(&rv->filter, 0, sizeof rv->filter);
	else if (args && *args && review_filter_parse(&rv->filter, args, now_wall_ms(), &err) < 0) {
		tui_alert(t, ":journal %s: %s", args, err);
		free(err);
	}
	t->view = VIEW_REVIEW;
	if (!t->journal) {
		snprintf(rv->error, sizeof rv->error, "no journal to review: %s",
			 t->app->journal_error[0] ? t->app->journal_error : "it could not be opened");
		return;
	}
	load_top(t);
	review_verify_start(t);
}

void review_free(struct tui *t)
{
	struct review *rv = t->review;
	if (!rv)
		return;
	review_verify_stop(t);
	review_rows_free(rv->rows, rv->n);
	review_detail_done(&rv->d);
	free(rv->sign.name);
	free(rv->sign.comment);
	for (int i = 0; i < rv->n_defs; i++) {
		runbook_done(&rv->defs[i]->rb);
		free(rv->defs[i]->ref);
		free(rv->defs[i]->error);
		free(rv->defs[i]);
	}
	free(rv->defs);
	free(rv);
	t->review = NULL;
}

char *review_filter_text(struct tui *t, size_t *n)
{
	*n = sizeof t->review->filter.text;
	return t->review->filter.text;
}

void review_filter_typed(struct tui *t)
{
	if (t->review && t->view == VIEW_REVIEW)
		load_top(t);
}

/* ---- the run ---- */

void review_load_detail(struct tui *t, int64_t run_id)
{
	struct review *rv = t->review;
	char *err = NULL;
	review_detail_done(&rv->d);
	rv->have_detail = 0;
	int rc = review_detail_load(t->journal, run_id, &rv->d, &err);
	if (rc < 0) {
		fail(t, err);
		return;
	}
	if (rc == 0) {
		snprintf(rv->error, sizeof rv->error, "there is no run %" PRId64 " in the journal", run_id);
		return;
	}
	rv->have_detail = 1;
	rv->error[0] = '\0';
	rv->so_sel = -1; /* the newest sign-off that stands is the one C corrects */
	for (int i = rv->d.n_signoffs - 1; i >= 0 && rv->so_sel < 0; i--)
		if (!review_correction_of(&rv->d, rv->d.signoffs[i].id))
			rv->so_sel = i;
	review_def(t, rv->d.run.ref);
}

/* ---- keys ---- */

void review_k_move(struct tui *t, int key)
{
	struct review *rv = t->review;
	if (t->view == VIEW_REVIEW) {
		list_move(t, key);
		return;
	}
	int h = LINES - 9 - review_sign_lines(t);
	if (key == KEY_DOWN || key == 'j' || key == 'J')
		rv->scroll++;
	else if (key == KEY_UP || key == 'k' || key == 'K')
		rv->scroll--;
	else if (key == KEY_NPAGE || key == ' ')
		rv->scroll += h > 1 ? h - 1 : 1;
	else if (key == KEY_PPAGE)
		rv->scroll -= h > 1 ? h - 1 : 1;
	else if (key == KEY_HOME || key == 'g')
		rv->scroll = 0;
	else if (key == KEY_END || key == 'G')
		rv->scroll = 1 << 20; /* clamped when drawn */
	if (rv->scroll < 0)
		rv->scroll = 0;
}

void review_k_enter(struct tui *t, int key)
{
	struct review *rv = t->review;
	(void)key;
	if (t->view != VIEW_REVIEW || !rv->n) {
		if (t->view == VIEW_REVIEW)
			tui_message(t, "no run selected");
		return;
	}
	review_load_detail(t, rv->rows[rv->sel].id);
	rv->scroll = 0;
	t->view = VIEW_REVIEW_RUN;
}

void review_k_back(struct tui *t, int key)
{
	(void)key;
	if (t->view == VIEW_REVIEW_RUN && t->review->stale) { /* something was recorded: show it */
		t->review->stale = 0;
		reload_window(t);
	}
	t->view = t->view == VIEW_REVIEW_RUN ? VIEW_REVIEW : VIEW_PANEL;
}

void review_k_filter(struct tui *t, int key)
{
	(void)key;
	if (t->view != VIEW_REVIEW)
		t->view = VIEW_REVIEW;
	lineedit_start(t, INPUT_FILTER);
}

void review_k_clear(struct tui *t, int key)
{
	(void)key;
	memset(&t->review->filter, 0, sizeof t->review->filter);
	t->view = VIEW_REVIEW;
	load_top(t);
	tui_message(t, "filter cleared: every run");
}

/* r: read the journal again (new runs, new sign-offs) and verify the chain again. */
void review_k_reload(struct tui *t, int key)
{
	(void)key;
	if (!t->journal)
		return;
	if (t->view == VIEW_REVIEW_RUN && t->review->have_detail)
		review_load_detail(t, t->review->d.run.id);
	else
		load_top(t);
	review_verify_start(t);
	tui_message(t, "read the journal again; verifying its chain");
}
