#include "tui/paint.h"

#include <curses.h>
#include <string.h>

void put(int y, int x, int maxw, enum role r, const char *s)
{
	if (maxw <= 0 || y < 0 || y >= LINES || x >= COLS)
		return;
	if (x + maxw > COLS)
		maxw = COLS - x;
	attrset(theme_attr(r));
	mvaddnstr(y, x, s, maxw);
	attrset(A_NORMAL);
}

int put_run(int y, int x, enum role r, const char *s, int cols)
{
	put(y, x, COLS - x, r, s);
	return x + cols;
}

void fill_line(int y, enum role r)
{
	attrset(theme_attr(r));
	mvhline(y, 0, ' ', COLS);
	attrset(A_NORMAL);
}

void clear_lines(int top, int bottom)
{
	for (int y = top; y <= bottom; y++) {
		move(y, 0);
		clrtoeol();
	}
}

void draw_text_block(const char *text, int top, int bottom, int indent)
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
			if (take < n) /* break at the last space that fits, not inside a word */
				for (int k = take; k > room / 2; k--)
					if (line[k] == ' ') {
						take = k;
						break;
					}
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
