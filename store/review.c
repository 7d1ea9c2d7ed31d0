/* The review list: runs filtered and paged in SQL. Paging is by run id (keyset), never
 * OFFSET, so the thousandth page costs what the first does; the filters a lead uses most
 * (ref, date) have indexes (schema migration 3), the others scan the runs table only, whose
 * rows are small. Values reach SQL only as bound parameters. */
#include "store/review.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "src/util.h"
#include "store/store.h"

/* ---- the filter as typed ---- */

static const char *const states[] = {"started", "resumed", "done", "failed", "aborted", "rolled-back", "open"};
static const char *const kinds[] = {"runbook", "checklist", "snapshot"};

static int one_of(const char *v, const char *const *set, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!strcasecmp(v, set[i]))
			return (int)i;
	return -1;
}

/* Local midnight of YYYY-MM-DD, in ms; -1 if s is not such a date. */
static int64_t day_start(const char *s)
{
	struct tm tm = {0};
	char *end = strptime(s, "%Y-%m-%d", &tm);
	if (!end || *end)
		return -1;
	tm.tm_isdst = -1;
	time_t t = mktime(&tm);
	return t == (time_t)-1 ? -1 : (int64_t)t * 1000;
}

static int64_t today_start(int64_t now_ms)
{
	time_t now = (time_t)(now_ms / 1000);
	struct tm tm;
	localtime_r(&now, &tm);
	tm.tm_hour = tm.tm_min = tm.tm_sec = 0;
	tm.tm_isdst = -1;
	return (int64_t)mktime(&tm) * 1000;
}

/* "7d", "2w", "12h", "30min": a span in ms; -1 otherwise. */
static double span_ms(const char *s)
{
	char *end;
	double v = strtod(s, &end), ms;
	if (end == s || v < 0)
		return -1;
	if (!strcmp(end, "d"))
		return v * 86400000.0;
	if (!strcmp(end, "w"))
		return v * 7 * 86400000.0;
	if (!*end) /* a bare number is no span: "since=7" is more likely a typo */
		return -1;
	return parse_duration_ms(s, &ms) == 0 ? ms : -1;
}

/* since=/until= values: a day, today, or a span back from now. until= of a day means up to
 * the end of it. */
static int parse_when(const char *key, const char *v, int until, int64_t now_ms, int64_t *out, char **err)
{
	int64_t day = !strcasecmp(v, "today") ? today_start(now_ms) : day_start(v);
	double span = day < 0 ? span_ms(v) : -1;
	if (day >= 0) {
		if (until) { /* the next local midnight (days may be 23 or 25 hours long) */
			time_t t = (time_t)(day / 1000);
			struct tm tm;
			localtime_r(&t, &tm);
			tm.tm_mday++;
			tm.tm_isdst = -1;
			day = (int64_t)mktime(&tm) * 1000;
		}
		*out = day;
	} else if (span >= 0) {
		*out = now_ms - (int64_t)span;
	} else {
		*err = xasprintf("%s=%s: not a date: write YYYY-MM-DD, today, or a time back from now such as "
				 "7d, 2w, 12h or 30min", key, v);
		return -1;
	}
	return 0;
}

/* Next word of *p: key=value or a bare word; quotes ('...' or "...") keep blanks. The word
 * is copied into buf without its quotes. 0 at the end, -1 on an unclosed quote. */
static int next_word(const char **p, char *buf, size_t n)
{
	const char *s = *p;
	size_t k = 0;
	while (isspace((unsigned char)*s))
		s++;
	if (!*s)
		return 0;
	while (*s && !isspace((unsigned char)*s)) {
		if (*s == '"' || *s == '\'') {
			char q = *s++;
			while (*s && *s != q) {
				if (k + 1 < n)
					buf[k++] = *s;
				s++;
			}
			if (!*s)
				return -1;
			s++;
		} else {
			if (k + 1 < n)
				buf[k++] = *s;
			s++;
		}
	}
	buf[k] = '\0';
	*p = s;
	return 1;
}

static void set(char *dst, size_t n, const char *v) { snprintf(dst, n, "%s", v); }

#define FIELDS "ref, kind, operator, state, since, until"

static int parse_field(struct review_filter *f, const char *key, const char *v, int64_t now_ms, char **err)
{
	if (!*v) {
		*err = xasprintf("%s= needs a value (fields: " FIELDS ")", key);
		return -1;
	}
	if (!strcmp(key, "ref")) {
		set(f->ref, sizeof f->ref, v);
	} else if (!strcmp(key, "kind")) {
		int k = one_of(v, kinds, ARRAY_LEN(kinds));
		if (k < 0) {
			*err = xasprintf("kind=%s: a run is a runbook, a checklist or a snapshot", v);
			return -1;
		}
		set(f->kind, sizeof f->kind, kinds[k]);
	} else if (!strcmp(key, "operator") || !strcmp(key, "op") || !strcmp(key, "who")) {
		set(f->operator_name, sizeof f->operator_name, v);
	} else if (!strcmp(key, "state") || !strcmp(key, "status")) {
		int k = one_of(v, states, ARRAY_LEN(states));
		if (k < 0) {
			*err = xasprintf("%s=%s: a run's state is started, resumed, done, failed, aborted, rolled-back, or "
					 "open (started or resumed)", key, v);
			return -1;
		}
		set(f->state, sizeof f->state, states[k]);
	} else if (!strcmp(key, "since") || !strcmp(key, "from")) {
		if (parse_when(key, v, 0, now_ms, &f->since_ms, err) < 0)
			return -1;
		set(f->since_txt, sizeof f->since_txt, v);
	} else if (!strcmp(key, "until") || !strcmp(key, "to")) {
		if (parse_when(key, v, 1, now_ms, &f->until_ms, err) < 0)
			return -1;
		set(f->until_txt, sizeof f->until_txt, v);
	} else {
		*err = xasprintf("unknown field '%s' (fields: " FIELDS "; other words search ref, title and "
				 "operator)", key);
		return -1;
	}
	return 0;
}

int review_filter_parse(struct review_filter *f, const char *args, int64_t now_ms, char **err)
{
	struct review_filter nf = {0};
	char word[256];
	const char *p = args ? args : "";
	int rc;
	while ((rc = next_word(&p, word, sizeof word)) > 0) {
		char *eq = strchr(word, '=');
		if (!eq) { /* words without a field: the text filter (cut to its size) */
			size_t len = strlen(nf.text), wl = strlen(word);
			if (len && len + 1 < sizeof nf.text)
				nf.text[len++] = ' ';
			if (wl > sizeof nf.text - 1 - len)
				wl = sizeof nf.text - 1 - len;
			memcpy(nf.text + len, word, wl);
			nf.text[len + wl] = '\0';
			continue;
		}
		*eq = '\0';
		for (char *c = word; *c; c++)
			*c = (char)tolower((unsigned char)*c);
		if (parse_field(&nf, word, eq + 1, now_ms, err) < 0)
			return -1;
	}
	if (rc < 0) {
		*err = xstrdup("a quote is not closed: write operator='Ana Diaz'");
		return -1;
	}
	if (nf.since_ms && nf.until_ms && nf.until_ms <= nf.since_ms) {
		*err = xasprintf("until=%s is not after since=%s: no run can match", nf.until_txt, nf.since_txt);
		return -1;
	}
	*f = nf;
	return 0;
}

int review_filter_empty(const struct review_filter *f)
{
	return !f->ref[0] && !f->kind[0] && !f->operator_name[0] && !f->state[0] && !f->since_ms &&
	       !f->until_ms && !f->text[0];
}

/* A value with a blank is quoted, so the description can be typed back. */
static void describe_one(struct sbuf *sb, const char *key, const char *v)
{
	if (!v[0])
		return;
	const char *q = strchr(v, ' ') ? (strchr(v, '\'') ? "\"" : "'") : "";
	sbuf_addf(sb, "%s%s=%s%s%s", sb->len ? " " : "", key, q, v, q);
}

void review_filter_describe(const struct review_filter *f, char *buf, size_t n)
{
	struct sbuf sb = {0};
	sbuf_add(&sb, "");
	describe_one(&sb, "ref", f->ref);
	describe_one(&sb, "kind", f->kind);
	describe_one(&sb, "operator", f->operator_name);
	describe_one(&sb, "state", f->state);
	describe_one(&sb, "since", f->since_txt);
	describe_one(&sb, "until", f->until_txt);
	if (f->text[0])
		sbuf_addf(&sb, "%s/%s", sb.len ? " " : "", f->text);
	snprintf(buf, n, "%s", sb.buf);
	sbuf_done(&sb);
}

/* ---- SQL ---- */

/* The run's state is its latest event (the run_events_latest index answers it). */
#define STATE_SQL "(SELECT e.event FROM run_events e WHERE e.run_id = r.id ORDER BY e.id DESC LIMIT 1)"
#define ROW_COLUMNS "SELECT r.id, r.started_at, r.kind, r.ref, r.title, r.env, r.operator, r.os_user, " \
		    "r.host, " STATE_SQL " FROM runs r"

/* A LIKE pattern for "contains s", with %, _ and \ taken literally. */
static char *contains_pattern(const char *s)
{
	struct sbuf sb = {0};
	sbuf_addc(&sb, '%');
	for (; *s; s++) {
		if (*s == '%' || *s == '_' || *s == '\\')
			sbuf_addc(&sb, '\\');
		sbuf_addc(&sb, *s);
	}
	sbuf_addc(&sb, '%');
	return sbuf_steal(&sb);
}

#define LIKE(col, param) col " LIKE " param " ESCAPE '\\'"

static void add_where(struct sbuf *sb, const struct review_filter *f, int dir)
{
	sbuf_add(sb, " WHERE 1");
	if (dir)
		sbuf_add(sb, dir < 0 ? " AND r.id < :from" : " AND r.id > :from");
	if (f->kind[0])
		sbuf_add(sb, " AND r.kind = :kind");
	if (f->ref[0]) /* NOCASE on the left: the runs_by_ref index answers it */
		sbuf_add(sb, " AND r.ref COLLATE NOCASE IN (:ref, 'CL-' || :ref, 'RB-' || :ref)");
	if (f->operator_name[0])
		sbuf_add(sb, " AND (" LIKE("r.operator", ":op") " OR " LIKE("r.os_user", ":op") ")");
	if (f->since_ms)
		sbuf_add(sb, " AND r.started_at >= :since");
	if (f->until_ms)
		sbuf_add(sb, " AND r.started_at < :until");
	if (f->text[0])
		sbuf_add(sb, " AND (" LIKE("r.ref", ":text") " OR " LIKE("r.title", ":text") " OR "
			 LIKE("r.operator", ":text") " OR " LIKE("r.os_user", ":text") ")");
	if (f->state[0])
		sbuf_add(sb, " AND " STATE_SQL " IN (:st1, :st2)");
}

static void bind_text(sqlite3_stmt *st, const char *name, const char *v)
{
	int i = sqlite3_bind_parameter_index(st, name);
	if (i > 0)
		sqlite3_bind_text(st, i, v, -1, SQLITE_TRANSIENT);
}

static void bind_int(sqlite3_stmt *st, const char *name, int64_t v)
{
	int i = sqlite3_bind_parameter_index(st, name);
	if (i > 0)
		sqlite3_bind_int64(st, i, v);
}

static void bind_filter(sqlite3_stmt *st, const struct review_filter *f)
{
	char *op = contains_pattern(f->operator_name), *text = contains_pattern(f->text);
	bind_text(st, ":kind", f->kind);
	bind_text(st, ":ref", f->ref);
	bind_text(st, ":op", op);
	bind_text(st, ":text", text);
	bind_int(st, ":since", f->since_ms);
	bind_int(st, ":until", f->until_ms);
	int open = !strcmp(f->state, "open");
	bind_text(st, ":st1", open ? "started" : f->state);
	bind_text(st, ":st2", open ? "resumed" : f->state);
	free(op);
	free(text);
}

int64_t review_count(struct journal *j, const struct review_filter *f, char **err)
{
	struct sbuf sb = {0};
	sbuf_add(&sb, "SELECT count(*) FROM runs r");
	add_where(&sb, f, 0);
	sqlite3_stmt *st = store_prepare(j, sb.buf, err);
	sbuf_done(&sb);
	if (!st)
		return -1;
	bind_filter(st, f);
	int64_t n = -1;
	if (sqlite3_step(st) == SQLITE_ROW)
		n = sqlite3_column_int64(st, 0);
	else
		store_fail(j, err, "cannot count the runs");
	sqlite3_finalize(st);
	return n;
}

/* ---- the rows of a page ---- */

static void read_row(sqlite3_stmt *st, struct review_row *r)
{
	memset(r, 0, sizeof *r);
	r->id = sqlite3_column_int64(st, 0);
	r->started_at = sqlite3_column_int64(st, 1);
	r->kind = store_column_strdup(st, 2);
	r->ref = store_column_strdup(st, 3);
	r->title = store_column_strdup(st, 4);
	r->env = store_column_strdup(st, 5);
	r->operator_name = store_column_strdup(st, 6);
	r->os_user = store_column_strdup(st, 7);
	r->host = store_column_strdup(st, 8);
	r->state = store_column_strdup(st, 9);
}

/* Step counts (one row of step_counts, kept by a trigger) and sign-offs of each row: two
 * small indexed queries per run of the page, whatever the number of steps. */
static int add_counts(struct journal *j, struct review_row *v, int n, char **err)
{
	sqlite3_stmt *steps = store_prepare(j, "SELECT pass, fail, skip, pending, total FROM step_counts "
					    "WHERE run_id = ?1", err);
	sqlite3_stmt *so = steps ? store_prepare(
		j, "SELECT count(DISTINCT lower(s.role)), coalesce(sum(s.reason IS NOT NULL AND s.reason <> ''), 0) "
		   "FROM signoffs s WHERE s.run_id = ?1 AND NOT EXISTS (SELECT 1 FROM signoffs c "
		   "WHERE c.run_id = s.run_id AND c.corrects_id = s.id)", err) : NULL;
	int rc = so ? SQLITE_DONE : SQLITE_ERROR;
	for (int i = 0; i < n && rc == SQLITE_DONE; i++) {
		sqlite3_bind_int64(steps, 1, v[i].id);
		if ((rc = sqlite3_step(steps)) == SQLITE_ROW) { /* no row: no step recorded */
			v[i].steps.pass = sqlite3_column_int(steps, 0);
			v[i].steps.fail = sqlite3_column_int(steps, 1);
			v[i].steps.skip = sqlite3_column_int(steps, 2);
			v[i].steps.pending = sqlite3_column_int(steps, 3);
			v[i].steps.total = sqlite3_column_int(steps, 4);
			rc = SQLITE_DONE;
		}
		sqlite3_reset(steps);
		if (rc != SQLITE_DONE)
			break;
		sqlite3_bind_int64(so, 1, v[i].id);
		if ((rc = sqlite3_step(so)) == SQLITE_ROW) {
			v[i].signed_roles = sqlite3_column_int(so, 0);
			v[i].with_reason = sqlite3_column_int(so, 1);
			rc = SQLITE_DONE;
		}
		sqlite3_reset(so);
	}
	if (rc != SQLITE_DONE && so)
		store_fail(j, err, "cannot read the runs' steps and sign-offs");
	sqlite3_finalize(steps);
	sqlite3_finalize(so);
	return rc == SQLITE_DONE ? 0 : -1;
}

int review_page(struct journal *j, const struct review_filter *f, int64_t from, int dir, int limit,
		struct review_row **out, int *n, char **err)
{
	*out = NULL;
	*n = 0;
	if (limit <= 0)
		return 0;
	struct sbuf sb = {0};
	sbuf_add(&sb, ROW_COLUMNS);
	add_where(&sb, f, dir < 0 ? -1 : 1);
	sbuf_add(&sb, dir < 0 ? " ORDER BY r.id DESC LIMIT :limit" : " ORDER BY r.id ASC LIMIT :limit");
	sqlite3_stmt *st = store_prepare(j, sb.buf, err);
	sbuf_done(&sb);
	if (!st)
		return -1;
	bind_filter(st, f);
	bind_int(st, ":from", from);
	bind_int(st, ":limit", limit);
	struct review_row *v = xcalloc((size_t)limit, sizeof *v);
	int k = 0, rc;
	while (k < limit && (rc = sqlite3_step(st)) == SQLITE_ROW)
		read_row(st, &v[k++]);
	if (k < limit && rc != SQLITE_DONE) {
		store_fail(j, err, "cannot read the runs");
		sqlite3_finalize(st);
		review_rows_free(v, k);
		return -1;
	}
	sqlite3_finalize(st);
	for (int a = 0, b = k - 1; dir > 0 && a < b; a++, b--) { /* newest first, always */
		struct review_row tmp = v[a];
		v[a] = v[b];
		v[b] = tmp;
	}
	if (add_counts(j, v, k, err) < 0) {
		review_rows_free(v, k);
		return -1;
	}
	*out = v;
	*n = k;
	return 0;
}

void review_row_done(struct review_row *r)
{
	free(r->kind);
	free(r->ref);
	free(r->title);
	free(r->env);
	free(r->operator_name);
	free(r->os_user);
	free(r->host);
	free(r->state);
	memset(r, 0, sizeof *r);
}

void review_rows_free(struct review_row *v, int n)
{
	for (int i = 0; i < n; i++)
		review_row_done(&v[i]);
	free(v);
}

int review_row_load(struct journal *j, int64_t id, struct review_row *r, char **err)
{
	memset(r, 0, sizeof *r);
	sqlite3_stmt *st = store_prepare(j, ROW_COLUMNS " WHERE r.id = ?1", err);
	if (!st)
		return -1;
	sqlite3_bind_int64(st, 1, id);
	int rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		read_row(st, r);
	else if (rc != SQLITE_DONE)
		store_fail(j, err, "cannot read the run");
	sqlite3_finalize(st);
	if (rc == SQLITE_ROW && add_counts(j, r, 1, err) < 0)
		return -1;
	return rc == SQLITE_ROW ? 1 : rc == SQLITE_DONE ? 0 : -1;
}
