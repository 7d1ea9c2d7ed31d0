#include "panels/rowset.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "src/util.h"

struct csv_field {
	char *text;
	int quoted;
};

/* Reads one CSV record starting at *p. Fields are appended to *out. Returns 1 if a
 * record was read, 0 at end of input, -1 on an unterminated quote. */
static int csv_record(const char **p, struct csv_field **out, int *n, int *cap)
{
	const char *s = *p;
	if (!*s)
		return 0;
	*n = 0;
	for (;;) {
		struct sbuf sb = {0};
		int quoted = 0;
		if (*s == '"') {
			quoted = 1;
			s++;
			for (;;) {
				if (!*s) { /* unterminated: drop this record's fields too */
					sbuf_done(&sb);
					for (int i = 0; i < *n; i++)
						free((*out)[i].text);
					*n = 0;
					return -1;
				}
				if (*s == '"') {
					if (s[1] == '"') {
						sbuf_addc(&sb, '"');
						s += 2;
						continue;
					}
					s++;
					break;
				}
				sbuf_addc(&sb, *s++);
			}
		}
		while (*s && *s != ',' && *s != '\n' && *s != '\r')
			sbuf_addc(&sb, *s++);
		if (*n == *cap) {
			*cap = *cap ? *cap * 2 : 8;
			*out = xrealloc(*out, sizeof(**out) * (size_t)*cap);
		}
		(*out)[*n].text = (quoted || sb.len) ? sbuf_steal(&sb) : NULL;
		(*out)[*n].quoted = quoted;
		sbuf_done(&sb);
		(*n)++;
		if (*s == ',') {
			s++;
			continue;
		}
		if (*s == '\r')
			s++;
		if (*s == '\n')
			s++;
		break;
	}
	*p = s;
	return 1;
}

int rowset_from_csv(struct rowset *rs, const char *text)
{
	struct csv_field *f = NULL;
	int n = 0, cap = 0, r;
	const char *p = text;
	memset(rs, 0, sizeof(*rs));
	r = csv_record(&p, &f, &n, &cap);
	if (r <= 0) {
		free(f);
		return r == 0 ? 0 : -1;
	}
	rs->ncols = n;
	rs->cols = xcalloc((size_t)n, sizeof(char *));
	for (int i = 0; i < n; i++)
		rs->cols[i] = f[i].text ? f[i].text : xstrdup("");
	size_t rows_cap = 0;
	while ((r = csv_record(&p, &f, &n, &cap)) > 0) {
		if (n == 1 && !f[0].text && !f[0].quoted)
			continue; /* blank line */
		if ((size_t)rs->nrows == rows_cap) {
			rows_cap = rows_cap ? rows_cap * 2 : 16;
			rs->cells = xrealloc(rs->cells, sizeof(char *) * rows_cap * (size_t)rs->ncols);
		}
		for (int i = 0; i < rs->ncols; i++)
			rs->cells[(size_t)rs->nrows * (size_t)rs->ncols + (size_t)i] = i < n ? f[i].text : NULL;
		for (int i = rs->ncols; i < n; i++)
			free(f[i].text);
		rs->nrows++;
	}
	free(f);
	if (r < 0) {
		rowset_done(rs);
		return -1;
	}
	return 0;
}

void rowset_done(struct rowset *rs)
{
	if (rs->release) {
		rs->release(rs->owner);
	} else {
		for (int i = 0; i < rs->ncols; i++)
			free(rs->cols[i]);
		for (size_t i = 0; i < (size_t)rs->nrows * (size_t)rs->ncols; i++)
			free(rs->cells[i]);
	}
	free(rs->cols);
	free(rs->cells);
	memset(rs, 0, sizeof(*rs));
}

int rowset_col(const struct rowset *rs, const char *name)
{
	for (int i = 0; i < rs->ncols; i++)
		if (!strcmp(rs->cols[i], name))
			return i;
	return -1;
}

const char *rowset_get(const struct rowset *rs, int row, int col)
{
	if (col < 0 || col >= rs->ncols || row < 0 || row >= rs->nrows)
		return NULL;
	return rs->cells[(size_t)row * (size_t)rs->ncols + (size_t)col];
}

const char *rowset_val(const struct rowset *rs, int row, const char *name)
{
	return rowset_get(rs, row, rowset_col(rs, name));
}

double rowset_num(const struct rowset *rs, int row, const char *name, int *ok)
{
	return rowset_num_at(rs, row, rowset_col(rs, name), ok);
}

double rowset_num_at(const struct rowset *rs, int row, int col, int *ok)
{
	const char *v = rowset_get(rs, row, col);
	char *end;
	*ok = 0;
	if (!v || !*v)
		return NAN;
	/* Most cells are plain integers (sizes, counts): read them without strtod, exactly
	 * (up to 15 digits, all representable). */
	const char *p = v + (*v == '-');
	long long n = 0;
	int k = 0;
	while (k < 16 && p[k] >= '0' && p[k] <= '9')
		n = n * 10 + (p[k++] - '0');
	if (k && k < 16 && !p[k]) {
		*ok = 1;
		return *v == '-' ? -(double)n : (double)n;
	}
	errno = 0;
	double d = strtod(v, &end);
	if (errno || *end || !isfinite(d))
		return NAN;
	*ok = 1;
	return d;
}

int rowset_bool(const struct rowset *rs, int row, const char *name)
{
	const char *v = rowset_val(rs, row, name);
	if (!v)
		return -1;
	if (!strcmp(v, "t") || !strcmp(v, "true") || !strcmp(v, "on") || !strcmp(v, "1"))
		return 1;
	if (!strcmp(v, "f") || !strcmp(v, "false") || !strcmp(v, "off") || !strcmp(v, "0"))
		return 0;
	return -1;
}
