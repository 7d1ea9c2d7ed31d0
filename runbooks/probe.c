/* What the probe kinds share: results, text tables, parameter substitution, deadlines. */
#include <stdlib.h>
#include <string.h>

#include "runbooks/probe.h"
#include "src/util.h"

void probe_raw_init(struct probe_raw *r)
{
	memset(r, 0, sizeof(*r));
	r->exit_status = -1;
}

void probe_raw_done(struct probe_raw *r)
{
	free(r->error);
	free(r->failed_what);
	if (r->has_rows)
		rowset_done(&r->rs);
	free(r->body);
	free(r->headers);
	free(r->out);
	free(r->text);
	probe_raw_init(r);
}

double probe_left(int64_t deadline)
{
	double left = (double)(deadline - now_mono_ms());
	return left > 0 ? left : 0;
}

/* Display width of a UTF-8 string, counting code points (good enough for tables). */
static size_t width(const char *s)
{
	size_t w = 0;
	for (; *s; s++)
		if (((unsigned char)*s & 0xC0) != 0x80)
			w++;
	return w;
}

static void cell(struct sbuf *sb, const char *s, size_t w, int last)
{
	/* one line per cell: newlines in a value become the visible "\n" */
	size_t n = 0;
	for (const char *p = s; *p; p++) {
		if (*p == '\n') {
			sbuf_add(sb, "\\n");
			n += 2;
		} else if (*p != '\r') {
			sbuf_addc(sb, *p);
			if (((unsigned char)*p & 0xC0) != 0x80)
				n++;
		}
	}
	if (!last)
		for (; n < w; n++)
			sbuf_addc(sb, ' ');
}

char *rowset_text(const struct rowset *rs)
{
	struct sbuf sb = {0};
	if (rs->ncols == 0)
		return xstrdup("");
	size_t *w = xcalloc((size_t)rs->ncols, sizeof(size_t));
	for (int c = 0; c < rs->ncols; c++) {
		w[c] = width(rs->cols[c]);
		for (int r = 0; r < rs->nrows && r < 1000; r++) {
			const char *v = rowset_get(rs, r, c);
			size_t x = v ? width(v) : 0;
			if (x > 60)
				x = 60;
			if (x > w[c])
				w[c] = x;
		}
	}
	for (int c = 0; c < rs->ncols; c++) {
		cell(&sb, rs->cols[c], w[c], c == rs->ncols - 1);
		sbuf_add(&sb, c == rs->ncols - 1 ? "\n" : " | ");
	}
	for (int c = 0; c < rs->ncols; c++) {
		for (size_t i = 0; i < w[c]; i++)
			sbuf_addc(&sb, '-');
		sbuf_add(&sb, c == rs->ncols - 1 ? "\n" : "-+-");
	}
	for (int r = 0; r < rs->nrows; r++) {
		if (sb.len > RB_OUTPUT_MAX) {
			sbuf_addf(&sb, "[... %d more rows not shown]\n", rs->nrows - r);
			break;
		}
		for (int c = 0; c < rs->ncols; c++) {
			const char *v = rowset_get(rs, r, c);
			cell(&sb, v ? v : "", w[c], c == rs->ncols - 1);
			sbuf_add(&sb, c == rs->ncols - 1 ? "\n" : " | ");
		}
	}
	sbuf_addf(&sb, "(%d row%s)\n", rs->nrows, rs->nrows == 1 ? "" : "s");
	free(w);
	return sbuf_steal(&sb);
}

char *probe_subst(const char *s, const char *const *params, int n, char *(*enc)(const char *))
{
	struct sbuf sb = {0};
	for (const char *p = s; *p; p++) {
		if (*p == '$' && p[1] >= '1' && p[1] <= '9' && p[1] - '1' < n && params[p[1] - '1']) {
			const char *v = params[p[1] - '1'];
			char *e = enc ? enc(v) : xstrdup(v);
			sbuf_add(&sb, e);
			free(e);
			p++;
		} else {
			sbuf_addc(&sb, *p);
		}
	}
	return sbuf_steal(&sb);
}
