/* Small drawing helpers shared by the screens. */
#ifndef OD_PAINT_H
#define OD_PAINT_H

#include "tui/theme.h"

/* Text at (y, x), at most maxw columns, in a role; clipped to the screen. */
void put(int y, int x, int maxw, enum role r, const char *s);
/* The same, returning x + cols (the width the caller accounts for). */
int put_run(int y, int x, enum role r, const char *s, int cols);
void fill_line(int y, enum role r);
void clear_lines(int top, int bottom);
/* "label   value" lines; a value too long for the screen wraps under its own column. */
void draw_text_block(const char *text, int top, int bottom, int indent);

#endif
