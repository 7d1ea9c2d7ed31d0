/* Text for the screen, and a pane of wrapped lines that scrolls (the walker's right side). */
#include "tui/pane.h"

#include <curses.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#include "src/util.h"

int text_ascii(void) { return strlen(theme_glyphs()->dot) == 1; } /* the theme's ASCII glyphs are one byte */

/* Characters outside ASCII in the library's text, for terminals without UTF-8. */
static const char *const plain[][2] = {
	{"\u2026", "..."}, {"\u2013", "-"}, {"\u2014", "-"}, {"\u2012", "-"}, {"\u2019", "'"}, {"\u2018", "'"},
	{"\u201c", "\""}, {"\u201d", "\""}, {"\u2705", "*"}, {"\u2192", "->"}, {"\u2265", ">="}, {"\u2264", "<="},
	{"\u00a0", " "}, {"\u00d7", "x"},
};

/* A copy fit for the terminal: tabs become spaces, control characters (C1 too) and broken
 * UTF-8 '?', and without UTF-8 everything outside ASCII is spelled in ASCII. */
char *text_clean(const char *s)
{
	struct sbuf sb = {0};
	int asc = text_ascii();
	mbstate_t st;
	sbuf_add(&sb, "");
	for (const unsigned char *p = (const unsigned char *)s; *p;) {
		if (*p == '\t') {
			sbuf_add(&sb, "    ");
			p++;
		} else if (*p == '\n') {
			sbuf_addc(&sb, '\n');
			p++;
		} else if (*p < 0x20 || *p == 0x7f) {
			if (*p != '\r')
				sbuf_addc(&sb, '?');
			p++;
		} else if (*p < 0x80) {
			sbuf_addc(&sb, (char)*p++);
		} else {
			wchar_t wc;
			memset(&st, 0, sizeof(st));
			size_t k = mbrtowc(&wc, (const char *)p, strnlen((const char *)p, 4), &st);
			int n = 1;
			while (n < 4 && (p[n] & 0xc0) == 0x80)
				n++;
			const char *alt = "?";
			for (size_t i = 0; i < ARRAY_LEN(plain); i++)
				if (!strncmp((const char *)p, plain[i][0], strlen(plain[i][0])))
					alt = plain[i][1];
			if (asc || k == (size_t)-1 || k == (size_t)-2 || (wc >= 0x80 && wc < 0xa0))
				sbuf_add(&sb, alt);
			else
				sbuf_addn(&sb, (const char *)p, (size_t)n);
			p += n;
		}
	}
	return sbuf_steal(&sb);
}

/* Bytes of s (len bytes, clean) that fit in cols columns; *used gets the columns. */
int text_fit(const char *s, int len, int cols, int *used)
{
	mbstate_t st;
	int i = 0, w = 0;
	memset(&st, 0, sizeof(st));
	while (i < len) {
		wchar_t wc;
		size_t k = mbrtowc(&wc, s + i, (size_t)(len - i), &st);
		int cw = 1;
		if (k == (size_t)-1 || k == (size_t)-2 || k == 0) {
			k = 1;
			memset(&st, 0, sizeof(st));
		} else if ((cw = wcwidth(wc)) < 0) {
			cw = 1;
		}
		if (w + cw > cols)
			break;
		w += cw;
		i += (int)k;
	}
	if (used)
		*used = w;
	return i;
}

/* Clean text at (y, x), at most cols columns; returns the column after it. */
int put_text(int y, int x, int cols, enum role r, const char *s)
{
	int used;
	if (cols <= 0)
		return x;
	int n = text_fit(s, (int)strlen(s), cols, &used);
	attrset(theme_attr(r));
	mvaddnstr(y, x, s, n);
	attrset(A_NORMAL);
	return x + used;
}

/* ---- a pane of wrapped lines ---- */

static void pane_addn(struct pane *p, enum role r, int indent, const char *s, int len)
{
	if (p->n == p->cap) {
		p->cap = p->cap ? p->cap * 2 : 64;
		p->v = xrealloc(p->v, sizeof(*p->v) * (size_t)p->cap);
	}
	p->v[p->n].role = r;
	p->v[p->n].indent = indent;
	p->v[p->n++].text = xstrndup(s, (size_t)len);
}

void pane_blank(struct pane *p)
{
	if (p->n && p->v[p->n - 1].text[0])
		pane_addn(p, ROLE_NORMAL, 0, "", 0);
}

/* Adds text, one line per '\n', wrapped to the pane: at blanks (words), or anywhere
 * (pre: code and output). Continuation lines are indented by hang more. */
void pane_text(struct pane *p, enum role r, int indent, int hang, int pre, const char *text)
{
	char *c = text_clean(text ? text : "");
	for (char *line = c; line;) {
		char *nl = strchr(line, '\n');
		int len = nl ? (int)(nl - line) : (int)strlen(line), first = 1;
		const char *s = line;
		if (!len)
			pane_addn(p, r, indent, "", 0);
		int lead = (int)strspn(s, " "), room0 = p->width - indent - hang;
		if (pre && lead > room0 / 3 && lead < len) { /* deep alignment does not fit a narrow pane */
			s += lead - room0 / 6;
			len -= lead - room0 / 6;
		}
		while (len > 0) {
			int ind = first ? indent : indent + hang;
			int room = p->width - ind > 8 ? p->width - ind : 8;
			int take = text_fit(s, len, room, NULL);
			if (take < 1)
				take = 1;
			if (take < len) { /* break at the last blank, unless that leaves a stub */
				int k = take, stub = pre ? take / 2 : take / 3;
				while (k > stub && s[k] != ' ')
					k--;
				if (k > stub && (!pre || s[k - 1] != ' '))
					take = pre ? k + 1 : k; /* code keeps its blanks */
			}
			pane_addn(p, r, ind, s, take);
			s += take;
			len -= take;
			first = 0;
			while (len > 0 && *s == ' ' && !pre) {
				s++;
				len--;
			}
		}
		line = nl ? nl + 1 : NULL;
	}
	free(c);
}

void pane_done(struct pane *p)
{
	for (int i = 0; i < p->n; i++)
		free(p->v[i].text);
	free(p->v);
}

/* "label     value" with the value wrapped under itself. */
void pane_field(struct pane *p, enum role r, int indent, const char *label, const char *value)
{
	char *s = xasprintf("%-9s %s", label, value ? value : "-");
	pane_text(p, r, indent, 10, 0, s);
	free(s);
}


void pane_draw(struct pane *p, int top, int bottom, int x, int *scroll)
{
	int h = bottom - top + 1;
	if (*scroll > p->n - h)
		*scroll = p->n - h > 0 ? p->n - h : 0;
	int more = p->n - *scroll > h, shown = more ? h - 1 : h;
	for (int k = 0; k < shown && *scroll + k < p->n; k++) {
		const struct pline *l = &p->v[*scroll + k];
		put_text(top + k, x + l->indent, p->width - l->indent, l->role, l->text);
	}
	if (more) {
		char buf[80];
		snprintf(buf, sizeof(buf), "lines %d-%d of %d: PgDn/PgUp or J/K scroll", *scroll + 1, *scroll + shown, p->n);
		put_text(bottom, x, p->width, ROLE_MUTED, buf);
	}
}
