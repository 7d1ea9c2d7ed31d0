/* The walker's screen: a title and progress line across the top; on the left the steps with
 * their marks; on the right the selected row's page (walker_page.c) in a pane that scrolls. */
#include <curses.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tui/paint.h"
#include "tui/pane.h"
#include "tui/walker.h"

/* ---- marks ---- */

const char *walker_mark(enum step_status st, int running)
{
	static const char *const utf8[] = {"\u00b7", "\u25b6", "\u2713", "\u2717", "!", "\u2012", "\u2713"};
	static const char *const asc[] = {".", ">", "+", "x", "!", "-", "+"};
	int k = running ? STEP_RUNNING : (int)st;
	if (k < 0 || k > STEP_MANUAL_OK)
		k = STEP_PENDING;
	return text_ascii() ? asc[k] : utf8[k];
}

enum role walker_mark_role(enum step_status st, int running)
{
	if (running)
		return ROLE_PENDING;
	switch (st) {
	case STEP_PASS:
	case STEP_MANUAL_OK: return ROLE_OK;
	case STEP_FAIL: return ROLE_CRIT;
	case STEP_ERROR: return ROLE_WARN;
	case STEP_RUNNING: return ROLE_PENDING;
	case STEP_SKIP:
	case STEP_PENDING: break;
	}
	return ROLE_MUTED;
}

/* ---- the screen ---- */

static void fmt_clock(char *buf, size_t n, int64_t ms)
{
	int64_t s = ms / 1000;
	if (s >= 3600)
		snprintf(buf, n, "%d:%02d:%02d", (int)(s / 3600), (int)(s / 60 % 60), (int)(s % 60));
	else
		snprintf(buf, n, "%d:%02d", (int)(s / 60), (int)(s % 60));
}

static void draw_title(struct tui *t, const struct walker *w, int y)
{
	char right[120], clock[32], *title;
	int64_t elapsed = -1;
	const char *dur = w->rb.meta[META_DURATION];
	if (w->walkable && w->begun && w->run.started_wall_ms > 0)
		elapsed = now_wall_ms() - w->run.started_wall_ms;
	else if (w->walkable && w->begun && w->run.started_mono_ms > 0)
		elapsed = now_mono_ms() - w->run.started_mono_ms;
	if (elapsed >= 0) {
		fmt_clock(clock, sizeof(clock), elapsed);
		snprintf(right, sizeof(right), " %s%s / %s ", w->end_state ? "took " : "", clock, dur ? dur : "?");
	} else {
		snprintf(right, sizeof(right), " not started, about %s ", dur ? dur : "?");
	}
	int over = elapsed >= 0 && w->rb.duration_max_ms > 0 && elapsed > w->rb.duration_max_ms;
	title = xasprintf("%s: %s", w->rb.id ? w->rb.id : "?", w->rb.title ? w->rb.title : w->path);
	char *c = text_clean(title);
	int rw = (int)strlen(right);
	move(y, 0);
	clrtoeol();
	put_text(y, 1, COLS - rw - 2, ROLE_TITLE, c);
	put_text(y, COLS - rw, rw, over ? ROLE_WARN : ROLE_MUTED, right);
	free(c);
	free(title);
	(void)t;
}

static void draw_progress(struct tui *t, const struct walker *w, int y)
{
	struct rb_progress p;
	char buf[200];
	int x = 1;
	move(y, 0);
	clrtoeol();
	if (!w->walkable) {
		put_text(y, x, COLS - 2, ROLE_CRIT, "not walkable: see the problems below");
		return;
	}
	walker_progress(w, &p);
	snprintf(buf, sizeof(buf), "%d/%d", p.pass + p.fail + p.skip, p.total);
	x = put_text(y, x, COLS - x, ROLE_TITLE, buf) + 1;
	/* ASCII marks are not self-explanatory: words then */
	snprintf(buf, sizeof(buf), "%s%d", text_ascii() ? "pass " : walker_mark(STEP_PASS, 0), p.pass);
	x = put_text(y, x, COLS - x, p.pass ? ROLE_OK : ROLE_MUTED, buf) + 1;
	snprintf(buf, sizeof(buf), "%s%d", text_ascii() ? "fail " : walker_mark(STEP_FAIL, 0), p.fail);
	x = put_text(y, x, COLS - x, p.fail ? ROLE_CRIT : ROLE_MUTED, buf) + 1;
	snprintf(buf, sizeof(buf), "%s%d", text_ascii() ? "skip " : walker_mark(STEP_SKIP, 0), p.skip);
	x = put_text(y, x, COLS - x, ROLE_MUTED, buf) + 2;
	if (w->running >= 0) {
		snprintf(buf, sizeof(buf), "RUNNING step %d %d s", walker_step_no(w, w->running),
			 (int)((now_mono_ms() - w->running_since) / 1000)); /* whole seconds: the clock redraws once a second */
		x = put_text(y, x, COLS - x, ROLE_PENDING, buf) + 2;
	} else if (w->end_state) {
		snprintf(buf, sizeof(buf), "run %" PRId64 " %s", w->run.run_id, w->end_state);
		x = put_text(y, x, COLS - x, !strcmp(w->end_state, "done") ? ROLE_OK : ROLE_CRIT, buf) + 2;
	} else if (w->begun && t->journal) {
		snprintf(buf, sizeof(buf), "run %" PRId64, w->run.run_id);
		x = put_text(y, x, COLS - x, ROLE_MUTED, buf) + 2;
	}
	if (t->cli->read_only)
		x = put_text(y, x, COLS - x, ROLE_WARN, "READ-ONLY") + 2;
	if (!t->journal)
		put_text(y, x, COLS - x - 1, ROLE_CRIT, "journal unavailable: results are not recorded");
}

static void draw_row(struct tui *t, const struct walker *w, int row, int y, int width)
{
	char buf[512];
	int selected = row == w->sel;
	enum role base = selected ? ROLE_SELECTED : ROLE_NORMAL;
	(void)t;
	attrset(theme_attr(base));
	mvhline(y, 0, ' ', width);
	attrset(A_NORMAL);
	if (row == 0 || row == w->rb.n_steps + 1) {
		put_text(y, 2, width - 2, selected ? base : ROLE_MUTED,
			 !w->walkable ? "Problems" : row == 0 ? "Before you start" : "After the steps");
		return;
	}
	int i = row - 1;
	const struct step *s = &w->rb.steps[i];
	int running = w->running == i;
	enum step_status st = running || !w->walkable ? STEP_PENDING : w->run.steps[i].status;
	put_text(y, 0, 1, selected ? base : walker_mark_role(st, running), walker_mark(st, running));
	char kind = s->destructive ? 'D' : s->automatic ? 'A' : 'M';
	snprintf(buf, sizeof(buf), "%*d %c %s", w->rb.n_steps >= 10 ? 2 : 1, walker_step_no(w, i), kind,
		 s->title ? s->title : "");
	char *c = text_clean(buf);
	int used, room = width - 2, n = text_fit(c, (int)strlen(c), room, &used);
	enum role r = selected ? base : s->destructive ? ROLE_WARN : ROLE_NORMAL;
	if (c[n]) { /* cut: say so */
		n = text_fit(c, (int)strlen(c), room - 1, &used);
		c[n] = '\0';
		put_text(y, 2 + used, 1, r, text_ascii() ? "~" : "\u2026");
	}
	put_text(y, 2, room, r, c);
	free(c);
}

static void draw_left(struct tui *t, const struct walker *w, int top, int bottom, int width)
{
	int rows = w->walkable ? w->rb.n_steps + 2 : 1;
	int room = bottom - top + 1 - (w->rb.n_related ? 2 : 0);
	if (room < 1)
		room = 1;
	int first = w->sel >= room ? w->sel - room + 1 : 0;
	int y = top;
	for (int r = first; r < rows && y < top + room; r++, y++)
		draw_row(t, w, r, y, width);
	if (w->rb.n_related && y + 1 <= bottom) {
		struct sbuf sb = {0};
		for (int i = 0; i < w->rb.n_related; i++)
			sbuf_addf(&sb, "%s%s", i ? " " : "", w->rb.related[i].id);
		if ((int)sb.len + 10 <= width || y + 2 > bottom) {
			put_text(bottom, 0, 9, ROLE_KEY, "o ");
			put_text(bottom, 2, width - 2, ROLE_MUTED, "Related ");
			put_text(bottom, 10, width - 10, ROLE_NORMAL, sb.buf);
		} else {
			put_text(bottom - 1, 0, 2, ROLE_KEY, "o ");
			put_text(bottom - 1, 2, width - 2, ROLE_MUTED, "Related runbooks");
			put_text(bottom, 2, width - 2, ROLE_NORMAL, sb.buf);
		}
		sbuf_done(&sb);
	}
}

static void draw_pane(struct tui *t, struct walker *w, int top, int bottom, int x, int width)
{
	struct pane p = {0};
	p.width = width;
	walker_page(&p, t, w);
	pane_draw(&p, top, bottom, x, &w->scroll);
	pane_done(&p);
}

void walker_draw(struct tui *t, int top, int bottom)
{
	struct walker *w = t->walker;
	const struct glyphs *g = theme_glyphs();
	clear_lines(top, bottom);
	if (!w) {
		put_text(top, 1, COLS - 2, ROLE_MUTED, "No runbook is open: :rb lists the library, :rb N opens one.");
		return;
	}
	draw_title(t, w, top);
	draw_progress(t, w, top + 1);
	int lw = COLS * 30 / 100;
	if (lw < 24)
		lw = 24;
	draw_left(t, w, top + 2, bottom, lw);
	attrset(theme_attr(ROLE_MUTED));
	for (int y = top + 2; y <= bottom; y++)
		mvaddstr(y, lw, g->vline);
	attrset(A_NORMAL);
	draw_pane(t, w, top + 2, bottom, lw + 2, COLS - lw - 3);
}
