/* Text for the screen: cleaned (control characters and broken UTF-8 become '?'; without
 * UTF-8, typographic characters are spelled in ASCII), measured in columns, and a pane of
 * word-wrapped lines that scrolls. */
#ifndef OD_PANE_H
#define OD_PANE_H

#include "tui/theme.h"

int text_ascii(void);              /* the theme draws ASCII only */
char *text_clean(const char *s);   /* malloced */
/* Bytes of s (len bytes, clean) that fit in cols columns; *used (may be NULL) gets the columns. */
int text_fit(const char *s, int len, int cols, int *used);
/* Clean text at (y, x), at most cols columns, in a role; returns the column after it. */
int put_text(int y, int x, int cols, enum role r, const char *s);

struct pline {
	enum role role;
	int indent;
	char *text;
};

struct pane {
	struct pline *v;
	int n, cap;
	int width; /* set before adding: lines are wrapped to it */
};

/* Adds text, one line per '\n', wrapped at blanks (pre: code and output, anywhere, keeping
 * blanks); continuation lines are indented by hang more. */
void pane_text(struct pane *p, enum role r, int indent, int hang, int pre, const char *text);
/* "label     value", the value wrapped under itself. */
void pane_field(struct pane *p, enum role r, int indent, const char *label, const char *value);
void pane_blank(struct pane *p); /* one empty line, never two */
/* Draws the lines from *scroll (clamped to the end) in rows top..bottom from column x; when
 * more follow, the last row says how to scroll. */
void pane_draw(struct pane *p, int top, int bottom, int x, int *scroll);
void pane_done(struct pane *p);

#endif
