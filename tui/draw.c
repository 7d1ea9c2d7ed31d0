/* Drawing: header, tabs, the current panel's table with drill-down, help, footer.
 * Everything is drawn into stdscr and flushed once; curses sends only changed cells. */
#include <curses.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "tui/theme.h"
#include "tui/tui_int.h"

#define MIN_COLS 80
#define MIN_LINES 24

static void put(int y, int x, int maxw, enum role r, const char *s)
{
	if (maxw <= 0 || y < 0 || y >= LINES || x >= COLS)
		return;
	if (x + maxw > COLS)
		maxw = COLS - x;
	attrset(theme_attr(r));
	mvaddnstr(y, x, s, maxw);
	attrset(A_NORMAL);
}

/* Writes s at the cursor within the column budget; returns the new x. */
static int put_run(int y, int x, enum role r, const char *s, int cols)
{
	put(y, x, COLS - x, r, s);
	return x + cols;
}

static void fill_line(int y, enum role r)
{
	attrset(theme_attr(r));
	mvhline(y, 0, ' ', COLS);
	attrset(A_NORMAL);
}

static enum role source_role(const struct source_status *st)
{
	if (!st)
		return ROLE_MUTED;
	switch (st->state) {
	case SRC_UP: return ROLE_OK;
	case SRC_DOWN:
	case SRC_TIMEOUT: return ROLE_CRIT;
	case SRC_IDLE:
	case SRC_CONNECTING: return ROLE_PENDING;
	case SRC_NOT_CONFIGURED: break;
	}
	return ROLE_MUTED;
}

static int draw_source(int y, int x, const char *name, const struct source_cfg *sc,
		       const struct source_status *st)
{
	const struct glyphs *g = theme_glyphs();
	int polled = sc->dsn && st;
	if (x + (int)strlen(name) + 2 >= COLS)
		return x;
	x = put_run(y, x, polled ? source_role(st) : ROLE_MUTED, polled ? g->dot : g->hollow, 1);
	x = put_run(y, x, polled && st->state != SRC_UP ? source_role(st) : ROLE_HEADER, name, (int)strlen(name));
	return put_run(y, x, ROLE_HEADER, " ", 1);
}

/* Age of the oldest data on screen, over the sources that have answered at least once
 * (the ones that never did are red dots already). */
/* Age of the oldest data on screen, over the sources that have answered at least once
 * (the ones that never did are red dots already). */
static double oldest_data_ms(const struct app *a)
{
	struct app_source src[64];
	int n = app_sources(a, src, 64);
	double oldest = NAN;
	for (int i = 0; i < n; i++) {
		if (!src[i].st || !src[i].st->last_ok_mono)
			continue;
		double age = (double)(now_mono_ms() - src[i].st->last_ok_mono);
		if (isnan(oldest) || age > oldest)
			oldest = age;
	}
	return oldest;
}

static void draw_header(struct tui *t)
{
	struct app *a = t->app;
	char buf[96];
	time_t now = time(NULL);
	struct tm tm;
	int prod = a->cfg->env && strstr(a->cfg->env, "prod") != NULL;
	fill_line(0, ROLE_HEADER);
	int x = put_run(0, 0, ROLE_HEADER, " opsdeck ", 9);
	snprintf(buf, sizeof(buf), " %s ", a->cfg->env ? a->cfg->env : "-");
	x = put_run(0, x, prod ? ROLE_ENV_PROD : ROLE_ENV_OTHER, buf, (int)strlen(buf));
	localtime_r(&now, &tm);
	strftime(buf, sizeof(buf), " %H:%M:%S  ", &tm);
	x = put_run(0, x, ROLE_HEADER, buf, (int)strlen(buf));
	struct app_source src[64];
	int n = app_sources(a, src, 64);
	for (int i = 0; i < n; i++)
		x = draw_source(0, x, src[i].name, src[i].cfg, src[i].st);
}

/* Right end of the tab line: how old the data is, and whether refreshing is paused. */
static void draw_data_age(struct tui *t, int x)
{
	struct app *a = t->app;
	char buf[64], age[32];
	double old = oldest_data_ms(a);
	fmt_duration_ms(age, sizeof(age), old);
	snprintf(buf, sizeof(buf), "%sdata %s ", a->paused ? "PAUSED  " : "", isnan(old) ? "-" : age);
	int w = (int)strlen(buf);
	if (COLS - w > x)
		put(1, COLS - w, w, a->paused || (!isnan(old) && old > app_stale_after_ms(a)) ? ROLE_WARN : ROLE_MUTED, buf);
}

static void draw_tabs(struct tui *t)
{
	int x = 0;
	char buf[48];
	move(1, 0);
	clrtoeol();
	for (int i = 0; i < t->app->npanels; i++) {
		struct panel *p = t->app->panels[i];
		enum level lv = p->cls->level ? p->cls->level(p, NULL) : LV_NONE;
		snprintf(buf, sizeof(buf), " %d %s%s ", i + 1, p->cls->title,
			 lv >= LV_CRIT ? " !" : lv == LV_WARN ? " ~" : "");
		int w = (int)strlen(buf);
		enum role r = i == t->tab ? ROLE_TAB_ACTIVE : lv >= LV_WARN ? role_for_level(lv) : ROLE_TAB;
		x = put_run(1, x, r, buf, w) + 1;
	}
	draw_data_age(t, x);
}

/* Chooses which columns fit: by priority, then shown in their own order. */
static int fit_columns(const struct table *tb, int *show, int width)
{
	int used = 0, n = 0;
	for (int i = 0; i < tb->ncols; i++)
		show[i] = 0;
	for (int prio = 0; prio <= 9; prio++)
		for (int i = 0; i < tb->ncols; i++)
			if (tb->cols[i].prio == prio && used + tb->cols[i].width + 1 <= width) {
				show[i] = 1;
				used += tb->cols[i].width + 1;
				n++;
			}
	return n;
}

static void draw_spark(int y, int x, int w, const struct history *h, int stale)
{
	const struct glyphs *g = theme_glyphs();
	double max = 0;
	int start = h->len > w ? h->len - w : 0;
	for (int i = start; i < h->len; i++) {
		double v = history_at(h, i);
		if (!isnan(v) && v > max)
			max = v;
	}
	move(y, x);
	attrset(theme_attr(stale ? ROLE_STALE : ROLE_OK));
	for (int i = start; i < h->len; i++) {
		double v = history_at(h, i);
		int idx = isnan(v) || max <= 0 ? 0 : (int)(v / max * 7.0 + 0.5);
		addstr(isnan(v) ? g->spark_gap : g->spark[idx < 0 ? 0 : idx > 7 ? 7 : idx]);
	}
	attrset(A_NORMAL);
}

static void draw_cell(int y, int x, const struct column *col, const struct cell *c, int selected,
		      int stale)
{
	char buf[80];
	if (col->right)
		snprintf(buf, sizeof(buf), "%*.*s", col->width, col->width, c->text);
	else
		snprintf(buf, sizeof(buf), "%-*.*s", col->width, col->width, c->text);
	enum role r = selected ? ROLE_SELECTED : stale ? ROLE_STALE : c->level >= LV_PENDING ? role_for_level(c->level)
							       : c->level == LV_OK ? ROLE_OK : ROLE_NORMAL;
	put(y, x, col->width, r, buf);
}

static int draw_table(struct tui *t, struct table *tb, int top, int max_rows)
{
	int show[32] = {0};
	int ncols = tb->ncols < 32 ? tb->ncols : 32;
	fit_columns(tb, show, COLS);
	int x = 0;
	move(top, 0);
	clrtoeol();
	for (int i = 0; i < ncols; i++)
		if (show[i]) {
			char title[80];
			snprintf(title, sizeof(title), tb->cols[i].right ? "%*s" : "%-*s", tb->cols[i].width,
				 tb->cols[i].title);
			put(top, x, tb->cols[i].width, ROLE_TITLE, title);
			x += tb->cols[i].width + 1;
		}
	if (!tb->nrows) {
		put(top + 1, 1, COLS - 2, ROLE_MUTED, tb->empty_text ? tb->empty_text : "no rows");
		return 1;
	}
	int *sel = &t->sel[t->tab];
	if (*sel >= tb->nrows)
		*sel = tb->nrows - 1;
	int first = *sel >= max_rows ? *sel - max_rows + 1 : 0;
	int drawn = 0;
	for (int r = first; r < tb->nrows && drawn < max_rows; r++, drawn++) {
		int y = top + 1 + drawn;
		struct table_row *row = &tb->rows[r];
		move(y, 0);
		clrtoeol();
		x = 0;
		for (int i = 0; i < ncols; i++) {
			if (!show[i])
				continue;
			if (i == ncols - 1 && row->spark)
				draw_spark(y, x, tb->cols[i].width, row->spark, row->stale);
			else
				draw_cell(y, x, &tb->cols[i], &row->cells[i], r == *sel && i == 0, row->stale);
			x += tb->cols[i].width + 1;
		}
	}
	return drawn;
}

/* "label   value" lines; a value too long for the screen wraps under its own column. */
static void draw_text_block(const char *text, int top, int bottom, int indent)
{
	const int value_col = 23;
	int y = top;
	const char *p = text;
	while (*p && y <= bottom) {
		int n = (int)strcspn(p, "\n"), first = 1;
		const char *line = p;
		while (y <= bottom && (first || n > 0)) {
			int x = first ? indent : indent + value_col;
			int room = COLS - x;
			int take = n < room ? n : room;
			move(y, 0);
			clrtoeol();
			if (take > 0)
				mvaddnstr(y, x, line, take);
			line += take;
			n -= take;
			y++;
			first = 0;
			while (n > 0 && *line == ' ') {
				line++;
				n--;
			}
		}
		p += strcspn(p, "\n");
		if (*p == '\n')
			p++;
	}
}

static void draw_panel(struct tui *t, int top, int bottom)
{
	struct panel *p = t->app->panels[t->tab];
	struct table tb;
	p->cls->fill(p, &tb);
	move(top, 0);
	clrtoeol();
	if (tb.summary[0])
		put(top, 1, COLS - 2, tb.summary_level >= LV_WARN ? role_for_level(tb.summary_level) : ROLE_NORMAL, tb.summary);
	int avail = bottom - top - 1;
	if (t->view == VIEW_DETAIL && tb.nrows && p->cls->detail) {
		struct sbuf sb = {0};
		int *sel = &t->sel[t->tab];
		if (*sel >= tb.nrows)
			*sel = tb.nrows - 1;
		p->cls->detail(p, *sel, &sb);
		put(top + 1, 1, COLS - 2, ROLE_TITLE, "Details (Enter or Esc: back to the table)");
		draw_text_block(sb.buf ? sb.buf : "", top + 2, bottom, 2);
		sbuf_done(&sb);
		table_done(&tb);
		return;
	}
	int rows_room = tb.nrows < avail - 2 ? tb.nrows : avail - 2;
	int drawn = draw_table(t, &tb, top + 1, rows_room > 0 ? rows_room : 1);
	int y = top + 2 + drawn;
	if (tb.nrows && p->cls->detail && y + 2 < bottom) {
		struct sbuf sb = {0};
		const struct glyphs *g = theme_glyphs();
		attrset(theme_attr(ROLE_MUTED));
		move(y, 0);
		clrtoeol();
		for (int x = 0; x < COLS; x++)
			mvaddstr(y, x, g->hline);
		attrset(A_NORMAL);
		p->cls->detail(p, t->sel[t->tab], &sb);
		draw_text_block(sb.buf ? sb.buf : "", y + 1, bottom, 1);
		sbuf_done(&sb);
	}
	table_done(&tb);
}

static void draw_help(int top, int bottom)
{
	int n, y = top + 1;
	const struct key_binding *k = tui_keys(&n);
	put(top, 1, COLS - 2, ROLE_TITLE, "Keys (any key closes this help)");
	for (int i = 0; i < n && y < bottom; i++) {
		if (!k[i].label)
			continue;
		put(y, 2, 10, ROLE_KEY, k[i].label);
		put(y, 13, COLS - 14, ROLE_NORMAL, k[i].help);
		y++;
	}
	if (y + 2 < bottom) {
		put(y + 1, 2, COLS - 3, ROLE_NORMAL, "Status words: ok, pending (a condition holds, not yet for its duration),");
		put(y + 2, 2, COLS - 3, ROLE_NORMAL, "warn, critical. Dimmed rows are stale: their source has not answered lately.");
	}
}

static void draw_footer(struct tui *t)
{
	static const char *const hints[][2] = {
		{"?", "Help"}, {"Tab", "Panel"}, {"j/k", "Select"}, {"Enter", "Details"},
		{"r", "Refresh"}, {"Space", "Pause"}, {"+/-", "Rate"}, {"q", "Quit"},
	};
	int y = LINES - 1, x = 0;
	move(y, 0);
	clrtoeol();
	for (size_t i = 0; i < ARRAY_LEN(hints); i++) {
		int w = (int)(strlen(hints[i][0]) + strlen(hints[i][1]) + 2);
		if (x + w > COLS)
			break;
		x = put_run(y, x, ROLE_KEY, hints[i][0], (int)strlen(hints[i][0]));
		x = put_run(y, x + 1, ROLE_NORMAL, hints[i][1], (int)strlen(hints[i][1])) + 1;
	}
	move(LINES - 2, 0);
	clrtoeol();
	if (t->message[0] && now_mono_ms() < t->message_until)
		put(LINES - 2, 1, COLS - 2, ROLE_WARN, t->message);
}

static void draw_too_small(void)
{
	char buf[160];
	erase();
	snprintf(buf, sizeof(buf), "opsdeck needs at least %dx%d; this terminal is %dx%d.", MIN_COLS, MIN_LINES,
		 COLS, LINES);
	mvaddnstr(LINES / 2 - 1 > 0 ? LINES / 2 - 1 : 0, 0, buf, COLS);
	mvaddnstr(LINES / 2 > 0 ? LINES / 2 : 0, 0, "Enlarge the window, or press q to quit.", COLS);
}

void tui_draw(struct tui *t)
{
	if (COLS < MIN_COLS || LINES < MIN_LINES) {
		draw_too_small();
		refresh();
		return;
	}
	draw_header(t);
	draw_tabs(t);
	int top = 2, bottom = LINES - 3;
	for (int y = top; y <= bottom; y++) {
		move(y, 0);
		clrtoeol();
	}
	if (t->view == VIEW_HELP)
		draw_help(top, bottom);
	else
		draw_panel(t, top, bottom);
	draw_footer(t);
	refresh();
}
