/* A panel's table: columns fitted by priority, rows filtered and sorted, the selected row's
 * drill-down below (or full screen with Enter). */
#include <ctype.h>
#include <curses.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "tui/pane.h"
#include "tui/paint.h"
#include "tui/tui_int.h"

#define MAX_COLS 32
#define MAX_ROWS 4096

/* Chooses which columns fit: by priority, then shown in their own order. Returns the
 * width used. */
static int fit_columns(const struct table *tb, int *show, int width)
{
	int used = 0;
	for (int i = 0; i < tb->ncols; i++)
		show[i] = 0;
	for (int prio = 0; prio <= 9; prio++)
		for (int i = 0; i < tb->ncols && i < MAX_COLS; i++)
			if (tb->cols[i].prio == prio && used + tb->cols[i].width + 1 <= width) {
				show[i] = 1;
				used += tb->cols[i].width + 1;
			}
	return used;
}

/* A number for sorting "12ms", "1.5s", "2m03s", "6.1 MB", "80%"; NAN if not numeric. */
static double sort_value(const char *s)
{
	char *end;
	double v = strtod(s, &end);
	if (end == s)
		return NAN;
	while (*end == ' ')
		end++;
	if (!strncmp(end, "ms", 2))
		return v;
	if (*end == 's')
		return v * 1000;
	if (*end == 'm' && isdigit((unsigned char)end[1]))
		return v * 60000 + sort_value(end + 1);
	if (*end == 'h')
		return v * 3600000;
	static const char *units[] = {"B", "kB", "MB", "GB", "TB"};
	for (int i = 4; i >= 0; i--)
		if (!strncmp(end, units[i], strlen(units[i])))
			return v * pow(1024, i);
	return v;
}

static const struct table *sort_tb;
static int sort_col, sort_desc;

static int cmp_rows(const void *x, const void *y)
{
	int a = *(const int *)x, b = *(const int *)y;
	const char *ta = sort_tb->rows[a].cells[sort_col].text, *tb = sort_tb->rows[b].cells[sort_col].text;
	double va = sort_value(ta), vb = sort_value(tb);
	int r;
	if (!isnan(va) && !isnan(vb))
		r = va < vb ? -1 : va > vb ? 1 : 0;
	else if (isnan(va) != isnan(vb))
		r = isnan(va) ? 1 : -1; /* numbers before words */
	else
		r = strcasecmp(ta, tb);
	if (!r)
		r = a - b; /* stable */
	return sort_desc ? -r : r;
}

static int row_matches(const struct table *tb, int r, const char *filter)
{
	if (!*filter)
		return 1;
	for (int c = 0; c < tb->ncols; c++)
		if (strcasestr(tb->rows[r].cells[c].text, filter))
			return 1;
	return 0;
}

int tui_row_order(struct tui *t, const struct table *tb, int *order, int max)
{
	const struct tab_state *ts = &t->tabs[t->tab];
	int n = 0;
	for (int r = 0; r < tb->nrows && n < max; r++)
		if (row_matches(tb, r, ts->filter))
			order[n++] = r;
	if (ts->sort_col >= 0 && ts->sort_col < tb->ncols) {
		sort_tb = tb;
		sort_col = ts->sort_col;
		sort_desc = ts->sort_desc;
		qsort(order, (size_t)n, sizeof(int), cmp_rows);
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

/* name: the row's name (the first column), cut in the middle when too long; other text is
 * cut at its end, where a sentence's least important words are. */
static void draw_cell(int y, int x, const struct column *col, const struct cell *c, int selected, int stale, int name)
{
	char buf[96];
	enum role r = selected ? ROLE_SELECTED
		      : stale ? ROLE_STALE
		      : c->level >= LV_PENDING ? role_for_level(c->level)
		      : c->level == LV_OK ? ROLE_OK : ROLE_NORMAL;
	if (col->right || !name) {
		snprintf(buf, sizeof(buf), col->right ? "%*.*s" : "%-*.*s", col->width, col->width, c->text);
		put(y, x, col->width, r, buf);
		return;
	}
	/* a name cut in the middle, so bench_pool_017 and bench_pool_018 stay apart; padded to
	 * the column in characters (put() counts bytes, and the ellipsis takes three) */
	str_fit_middle(buf, sizeof(buf) - (size_t)col->width, c->text, col->width, text_ascii() ? "~" : "\u2026");
	size_t len = strlen(buf), cols = 0;
	for (size_t i = 0; i < len; i++)
		cols += ((unsigned char)buf[i] & 0xc0) != 0x80;
	while (cols < (size_t)col->width && len + 1 < sizeof(buf)) {
		buf[len++] = ' ';
		cols++;
	}
	buf[len] = '\0';
	put(y, x, x + col->width <= COLS ? (int)len : col->width, r, buf);
}

static void draw_titles(struct tui *t, const struct table *tb, const int *show, int y)
{
	const struct tab_state *ts = &t->tabs[t->tab];
	int x = 0;
	move(y, 0);
	clrtoeol();
	t->ncols_shown = 0;
	for (int i = 0; i < tb->ncols && i < MAX_COLS; i++) {
		if (!show[i])
			continue;
		char title[80];
		const char *mark = i == ts->sort_col ? (ts->sort_desc ? "v" : "^") : "";
		char name[64];
		snprintf(name, sizeof(name), "%s%s", tb->cols[i].title, mark);
		snprintf(title, sizeof(title), tb->cols[i].right ? "%*s" : "%-*s", tb->cols[i].width, name);
		put(y, x, tb->cols[i].width, ROLE_TITLE, title);
		x += tb->cols[i].width + 1;
		t->shown_cols[t->ncols_shown++] = i;
	}
}

/* Draws up to max_rows rows; returns how many. *sel is clamped to the visible rows. */
static int draw_rows(struct tui *t, const struct table *tb, const int *order, int n, const int *show, int top,
		     int max_rows, int spare)
{
	int *sel = &t->tabs[t->tab].sel;
	if (*sel >= n)
		*sel = n - 1;
	if (*sel < 0)
		*sel = 0;
	int first = *sel >= max_rows ? *sel - max_rows + 1 : 0;
	int drawn = 0;
	for (int k = first; k < n && drawn < max_rows; k++, drawn++) {
		int y = top + drawn, x = 0, last = tb->ncols - 1; /* the sparkline column, when shown */
		const struct table_row *row = &tb->rows[order[k]];
		move(y, 0);
		clrtoeol();
		for (int i = 0; i < tb->ncols && i < MAX_COLS; i++) {
			if (!show[i])
				continue;
			if (i == last && row->spark) /* the history takes the room left over */
				draw_spark(y, x, tb->cols[i].width + spare, row->spark, row->stale);
			else
				draw_cell(y, x, &tb->cols[i], &row->cells[i], k == *sel && i == 0, row->stale, i == 0);
			x += tb->cols[i].width + 1;
		}
	}
	return drawn;
}

static void draw_detail(struct panel *p, int src_row, int y, int bottom)
{
	struct sbuf sb = {0};
	p->cls->detail(p, src_row, &sb);
	draw_text_block(sb.buf ? sb.buf : "", y, bottom, 1);
	sbuf_done(&sb);
}

static void draw_separator(int y)
{
	const struct glyphs *g = theme_glyphs();
	attrset(theme_attr(ROLE_MUTED));
	move(y, 0);
	clrtoeol();
	for (int x = 0; x < COLS; x++)
		mvaddstr(y, x, g->hline);
	attrset(A_NORMAL);
}

void table_view_draw(struct tui *t, int top, int bottom);
void table_view_draw(struct tui *t, int top, int bottom)
{
	struct panel *p = t->app->panels[t->tab];
	struct table tb;
	int show[MAX_COLS], order[MAX_ROWS];
	p->cls->fill(p, &tb);
	clear_lines(top, bottom);
	if (tb.summary[0])
		put(top, 1, COLS - 2, tb.summary_level >= LV_WARN ? role_for_level(tb.summary_level) : ROLE_NORMAL,
		    tb.summary);
	int n = tui_row_order(t, &tb, order, MAX_ROWS);
	int *sel = &t->tabs[t->tab].sel;
	if (t->view == VIEW_DETAIL && n && p->cls->detail) {
		if (*sel >= n)
			*sel = n - 1;
		put(top + 1, 1, COLS - 2, ROLE_TITLE, "Details (Enter or Esc: back to the table)");
		draw_detail(p, order[*sel], top + 2, bottom);
		table_done(&tb);
		return;
	}
	int spare = COLS - fit_columns(&tb, show, COLS);
	draw_titles(t, &tb, show, top + 1);
	if (!n) {
		const char *filter = t->tabs[t->tab].filter;
		char msg[160];
		snprintf(msg, sizeof(msg), "No row contains \"%s\" (/ then Enter on an empty line clears the filter).", filter);
		put(top + 2, 1, COLS - 2, ROLE_MUTED, tb.nrows && *filter ? msg : tb.empty_text ? tb.empty_text : "no rows");
		table_done(&tb);
		return;
	}
	int avail = bottom - top - 2;
	int room = n < avail - 3 ? n : avail - 3;
	if (room < 1)
		room = 1;
	int drawn = draw_rows(t, &tb, order, n, show, top + 2, room, spare > 0 ? spare : 0);
	int y = top + 2 + drawn;
	if (p->cls->detail && y + 2 < bottom) {
		draw_separator(y);
		draw_detail(p, order[*sel], y + 1, bottom);
	}
	table_done(&tb);
}
