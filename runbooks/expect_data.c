/* The evaluator's values and what they are read from: cells, aggregates and all()/any()
 * over the rows, JSON paths, headers; conversions and the observed-values text. */
#include "runbooks/expect_int.h"

#include <ctype.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <cjson/cJSON.h>

#include "src/util.h"

void ev_fmt_num(char *buf, size_t n, double v)
{
	if (v == 0)
		v = 0; /* no "-0" */
	if (v == floor(v) && fabs(v) < 1e15)
		snprintf(buf, n, "%.0f", v);
	else
		snprintf(buf, n, "%.10g", v);
	for (char *c = buf; *c; c++) /* whatever LC_NUMERIC says */
		if (*c == ',')
			*c = '.';
}

void ev_add_val(struct sbuf *sb, const struct val *v)
{
	char num[64];
	double d;
	switch (v->t) {
	case V_NULL:
		sbuf_add(sb, "NULL");
		break;
	case V_BOOL:
		sbuf_add(sb, v->n ? "true" : "false");
		break;
	case V_NUM:
		ev_fmt_num(num, sizeof(num), v->n);
		sbuf_add(sb, num);
		break;
	case V_TEXT:
		if (expect_text_number(v->s, &d) == 0 && strlen(v->s) < 40) {
			sbuf_add(sb, v->s);
			break;
		}
		/* fall through */
	case V_STR: {
		size_t len = strlen(v->s);
		sbuf_addc(sb, '\'');
		for (size_t i = 0; i < len && i < 60; i++)
			sbuf_addc(sb, (unsigned char)v->s[i] < 0x20 ? ' ' : v->s[i]);
		sbuf_add(sb, len > 60 ? "...'" : "'");
		break;
	}
	case V_JSON:
		sbuf_addf(sb, cJSON_IsArray(v->j) ? "[%d items]" : "{%d keys}", cJSON_GetArraySize(v->j));
		break;
	}
}

/* The node's source text, for messages and observations. */
static void add_src(struct sbuf *sb, const struct ev *ev, const struct node *n)
{
	sbuf_addn(sb, ev->e->src + n->start, (size_t)(n->end - n->start));
}

int ev_fail(struct ev *ev, const struct node *n, const char *fmt, ...)
{
	if (ev->err)
		return -1;
	struct sbuf sb = {0};
	va_list ap;
	va_start(ap, fmt);
	char *msg = xvasprintf(fmt, ap);
	va_end(ap);
	if (n) {
		add_src(&sb, ev, n);
		sbuf_add(&sb, str_starts(msg, "is ") || str_starts(msg, "has ") ? " " : ": ");
	}
	sbuf_add(&sb, msg);
	free(msg);
	static const enum node_kind rowless[] = {N_CAPTURED, N_BASELINE, N_INPUT, N_REPLICAS, N_STATUS,
						 N_OUTPUT, N_EXIT, N_JSON, N_HEADER};
	int per_row = ev->row >= 0;
	for (size_t i = 0; n && i < ARRAY_LEN(rowless); i++)
		per_row &= n->kind != rowless[i];
	if (per_row) /* the row only matters for what is read from it */
		sbuf_addf(&sb, " (row %d)", ev->row + 1);
	ev->err = sbuf_steal(&sb);
	return -1;
}

void ev_observe(struct ev *ev, const struct node *n, const struct val *v, const char *detail)
{
	size_t len = (size_t)(n->end - n->start);
	if (ev->in_rows || ev->quiet || ev->n_obs >= MAX_OBS)
		return;
	for (int i = 0; i < ev->n_obs; i++) /* the same term once, even if written twice */
		if ((size_t)(ev->e->all[ev->obs_at[i]]->end - ev->e->all[ev->obs_at[i]]->start) == len &&
		    !strncmp(ev->e->src + ev->e->all[ev->obs_at[i]]->start, ev->e->src + n->start, len))
			return;
	int idx = 0;
	while (idx < ev->e->n && ev->e->all[idx] != n)
		idx++;
	ev->obs_at[ev->n_obs++] = idx;
	if (ev->obs.len)
		sbuf_add(&ev->obs, ", ");
	add_src(&ev->obs, ev, n);
	sbuf_add(&ev->obs, " = ");
	ev_add_val(&ev->obs, v);
	if (detail)
		sbuf_add(&ev->obs, detail);
}

const char *ev_own(struct ev *ev, char *s)
{
	ev->owned = xrealloc(ev->owned, sizeof(*ev->owned) * (size_t)(ev->n_owned + 1));
	ev->owned[ev->n_owned++] = s;
	return s;
}

const char *ev_trimmed(struct ev *ev, const char *s)
{
	while (isspace((unsigned char)*s))
		s++;
	size_t len = strlen(s);
	while (len && isspace((unsigned char)s[len - 1]))
		len--;
	return ev_own(ev, xstrndup(s, len));
}

int ev_to_num(struct ev *ev, const struct node *n, const struct val *v, double *out)
{
	switch (v->t) {
	case V_NUM:
		*out = v->n;
		return 0;
	case V_TEXT:
		if (expect_text_number(v->s, out) == 0)
			return 0;
		return ev_fail(ev, n, "'%.40s' is not a number", v->s);
	case V_NULL:
		return ev_fail(ev, n, "is NULL");
	default:
		return ev_fail(ev, n, "is not a number");
	}
}

int ev_to_bool(struct ev *ev, const struct node *n, const struct val *v, int *out)
{
	static const char *const yes[] = {"t", "true", "on", "yes", "1"}, *const no[] = {"f", "false", "off", "no", "0"};
	if (v->t == V_BOOL) {
		*out = v->n != 0;
		return 0;
	}
	if (v->t == V_TEXT)
		for (size_t i = 0; i < ARRAY_LEN(yes); i++)
			if (!strcasecmp(v->s, yes[i]) || !strcasecmp(v->s, no[i])) {
				*out = !strcasecmp(v->s, yes[i]);
				return 0;
			}
	if (v->t == V_NULL)
		return ev_fail(ev, n, "is NULL, not true/false");
	struct sbuf sb = {0};
	ev_add_val(&sb, v);
	ev_fail(ev, n, "is %s, not true/false", sb.buf);
	sbuf_done(&sb);
	return -1;
}

const struct rowset *ev_need_rows(struct ev *ev, const struct node *n)
{
	if (!ev->ctx->rs)
		ev_fail(ev, n, "this probe returns no rows (only sql and redis probes do)");
	return ev->ctx->rs;
}

int ev_cell(struct ev *ev, const struct node *n, int col, struct val *v)
{
	const struct rowset *rs = ev->ctx->rs;
	int row = ev->row < 0 ? 0 : ev->row;
	if (row >= rs->nrows)
		return ev_fail(ev, n, "the result has no rows");
	const char *c = rowset_get(rs, row, col);
	v->t = c ? V_TEXT : V_NULL;
	v->s = c;
	return 0;
}

int ev_column(struct ev *ev, const struct node *n, struct val *v)
{
	const struct rowset *rs = ev_need_rows(ev, n);
	if (!rs)
		return -1;
	int c = rowset_col(rs, n->str);
	if (c < 0) {
		struct sbuf sb = {0};
		for (int i = 0; i < rs->ncols && i < 12; i++)
			sbuf_addf(&sb, "%s%s", i ? ", " : "", rs->cols[i]);
		int row = ev->row;
		ev->row = -1;
		ev_fail(ev, NULL, "column %s not in the result (columns: %s)", n->str, sb.buf ? sb.buf : "none");
		ev->row = row;
		sbuf_done(&sb);
		return -1;
	}
	return ev_cell(ev, n, c, v);
}

int ev_json(struct ev *ev, const struct node *n, struct val *v)
{
	if (!ev->ctx->http_body)
		return ev_fail(ev, n, "there is no HTTP body (only http probes have one)");
	if (!ev->json_done) {
		ev->json_done = 1;
		ev->json = cJSON_Parse(ev->ctx->http_body);
	}
	if (!ev->json)
		return ev_fail(ev, n, "the body is not JSON");
	const cJSON *j = ev->json;
	for (int i = 0; j && i < n->npath; i++)
		j = n->path[i].key ? (cJSON_IsObject(j) ? cJSON_GetObjectItemCaseSensitive(j, n->path[i].key) : NULL)
				   : (cJSON_IsArray(j) ? cJSON_GetArrayItem(j, n->path[i].index) : NULL);
	v->j = j;
	if (!j || cJSON_IsNull(j))
		v->t = V_NULL;
	else if (cJSON_IsNumber(j))
		v->t = V_NUM, v->n = j->valuedouble;
	else if (cJSON_IsBool(j))
		v->t = V_BOOL, v->n = cJSON_IsTrue(j);
	else if (cJSON_IsString(j))
		v->t = V_STR, v->s = j->valuestring;
	else
		v->t = V_JSON;
	return 0;
}

int ev_header(struct ev *ev, const struct node *n, struct val *v)
{
	const char *h = ev->ctx->http_headers;
	size_t len = strlen(n->str);
	if (!h)
		return ev_fail(ev, n, "there are no HTTP headers (only http probes have them)");
	v->t = V_NULL;
	for (const char *line = h; *line; line += strcspn(line, "\n"), line += *line == '\n') {
		if (!strncasecmp(line, n->str, len) && line[len] == ':') {
			const char *s = line + len + 1;
			v->t = V_TEXT;
			v->s = ev_trimmed(ev, ev_own(ev, xstrndup(s, strcspn(s, "\r\n"))));
			break;
		}
	}
	return 0;
}

/* min/max/sum/avg/count over the rows, NULLs skipped as in SQL. */
int ev_aggregate(struct ev *ev, const struct node *n, struct val *v)
{
	const struct rowset *rs = ev_need_rows(ev, n);
	if (!rs)
		return -1;
	double acc = 0;
	int count = 0;
	ev->in_rows++;
	for (int r = 0; r < rs->nrows; r++) {
		struct val x;
		double d = 0;
		ev->row = r;
		if (ev_eval(ev, n->a, &x) < 0)
			break;
		if (x.t == V_NULL)
			continue;
		if (n->op != AGG_COUNT && ev_to_num(ev, n->a, &x, &d) < 0)
			break;
		if (n->op == AGG_MIN && (!count || d < acc))
			acc = d;
		else if (n->op == AGG_MAX && (!count || d > acc))
			acc = d;
		else if (n->op == AGG_SUM || n->op == AGG_AVG)
			acc += d;
		count++;
	}
	ev->row = -1;
	ev->in_rows--;
	if (ev->err)
		return -1;
	if (!count && (n->op == AGG_MIN || n->op == AGG_MAX || n->op == AGG_AVG))
		return ev_fail(ev, n, rs->nrows ? "every value is NULL" : "no values: the result has no rows");
	v->t = V_NUM;
	v->n = n->op == AGG_COUNT ? count : n->op == AGG_AVG ? acc / count : acc;
	return 0;
}

/* Adds "name = value" for every column the predicate reads, in the current row. */
static void describe_row(struct ev *ev, const struct node *n, struct sbuf *sb)
{
	if (!n)
		return;
	if (n->kind == N_COL || n->kind == N_VALUE) {
		struct val x;
		int c = n->kind == N_VALUE ? 0 : rowset_col(ev->ctx->rs, n->str);
		if (c < 0 || ev->ctx->rs->ncols == 0 || ev_cell(ev, n, c, &x) < 0)
			return;
		if (sb->len && sb->buf[sb->len - 1] != ' ')
			sbuf_add(sb, ", ");
		add_src(sb, ev, n);
		sbuf_add(sb, " = ");
		ev_add_val(sb, &x);
		return;
	}
	describe_row(ev, n->a, sb);
	describe_row(ev, n->b, sb);
}

int ev_quantifier(struct ev *ev, const struct node *n, struct val *v)
{
	const struct rowset *rs = ev_need_rows(ev, n);
	if (!rs)
		return -1;
	int want = n->kind == N_ANY, hit = -1;
	ev->in_rows++;
	for (int r = 0; r < rs->nrows && hit < 0; r++) {
		struct val x;
		int b;
		ev->row = r;
		if (ev_eval(ev, n->a, &x) < 0 || ev_to_bool(ev, n->a, &x, &b) < 0)
			break;
		if (b == want)
			hit = r;
	}
	ev->in_rows--;
	if (ev->err) {
		ev->row = -1;
		return -1;
	}
	v->t = V_BOOL;
	v->n = n->kind == N_ALL ? hit < 0 : hit >= 0;
	struct sbuf detail = {0};
	if (n->kind == N_ALL && hit >= 0) {
		ev->row = hit;
		sbuf_addf(&detail, " (row %d: ", hit + 1);
		describe_row(ev, n->a, &detail);
		sbuf_add(&detail, ")");
	} else if (n->kind == N_ANY && hit < 0) {
		sbuf_add(&detail, rs->nrows ? " (no row matches)" : " (no rows)");
	}
	ev->row = -1;
	ev_observe(ev, n, v, detail.buf);
	sbuf_done(&detail);
	return 0;
}

