/* Reading the journal back: `journal list` and `journal show`, as text or JSON.
 * Rows are loaded into cJSON documents once; the text views are rendered from them. */
#include "store/journal.h"

#include <cjson/cJSON.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "src/util.h"
#include "store/store.h"

/* ---- time and text ---- */

static void fmt_local(int64_t ms, char *buf, size_t n)
{
	time_t t = (time_t)(ms / 1000);
	struct tm tm;
	if (!localtime_r(&t, &tm) || !strftime(buf, n, "%Y-%m-%d %H:%M:%S", &tm))
		snprintf(buf, n, "?");
}

static void fmt_utc(int64_t ms, char *buf, size_t n)
{
	time_t t = (time_t)(ms / 1000);
	struct tm tm;
	char day[32];
	if (!gmtime_r(&t, &tm) || !strftime(day, sizeof day, "%Y-%m-%dT%H:%M:%S", &tm))
		snprintf(buf, n, "?");
	else
		snprintf(buf, n, "%s.%03dZ", day, (int)(ms % 1000));
}

/* Recorded text is untrusted (typed names, captured output): control characters, C1
 * controls included, become '?' so nothing reaches the terminal as an escape sequence.
 * keep_newlines keeps '\n' (and tabs) for multi-line output. */
static void add_clean(struct sbuf *sb, const char *s, int keep_newlines)
{
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if (*p == 0xc2 && p[1] >= 0x80 && p[1] <= 0x9f) {
			sbuf_addc(sb, '?');
			p++;
		} else if ((*p < 0x20 || *p == 0x7f) && !(keep_newlines && (*p == '\n' || *p == '\t'))) {
			sbuf_addc(sb, '?');
		} else {
			sbuf_addc(sb, (char)*p);
		}
	}
}

static char *clean(const char *s)
{
	struct sbuf sb = {0};
	add_clean(&sb, s ? s : "", 0);
	return sbuf_steal(&sb);
}

static size_t display_width(const char *s)
{
	size_t w = 0;
	for (; *s; s++)
		if (((unsigned char)*s & 0xc0) != 0x80)
			w++;
	return w;
}

/* ---- rows as JSON ---- */

static int ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);
	return n >= m && strcmp(s + n - m, suffix) == 0;
}

/* Column names become keys; an integer *_at column (ms since the epoch) becomes an
 * ISO-8601 UTC string, its raw value kept as *_at_ms. */
static void add_column(cJSON *obj, sqlite3_stmt *st, int i)
{
	const char *name = sqlite3_column_name(st, i);
	switch (sqlite3_column_type(st, i)) {
	case SQLITE_INTEGER: {
		int64_t v = sqlite3_column_int64(st, i);
		if (ends_with(name, "_at")) {
			char iso[64];
			fmt_utc(v, iso, sizeof iso);
			cJSON_AddStringToObject(obj, name, iso);
			char *ms = xasprintf("%s_ms", name);
			cJSON_AddNumberToObject(obj, ms, (double)v);
			free(ms);
		} else {
			cJSON_AddNumberToObject(obj, name, (double)v);
		}
		break;
	}
	case SQLITE_FLOAT:
		cJSON_AddNumberToObject(obj, name, sqlite3_column_double(st, i));
		break;
	case SQLITE_NULL:
		cJSON_AddNullToObject(obj, name);
		break;
	default:
		cJSON_AddStringToObject(obj, name, (const char *)sqlite3_column_text(st, i));
		break;
	}
}

/* Appends every row of st (bound, not yet stepped; finalized here) to arr. */
static int rows_json(struct journal *j, sqlite3_stmt *st, cJSON *arr, char **err)
{
	int rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		cJSON *obj = cJSON_CreateObject();
		for (int i = 0; i < sqlite3_column_count(st); i++)
			add_column(obj, st, i);
		cJSON_AddItemToArray(arr, obj);
	}
	if (rc != SQLITE_DONE)
		store_fail(j, err, "cannot read the journal");
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : -1;
}

/* Runs (all, or the one with id run_id > 0) with their state and step counts. */
/* run_id > 0: that run; else the newest limit runs (0: all). */
static int runs_json(struct journal *j, int64_t run_id, int limit, cJSON *arr, char **err)
{
#define RUN_COLUMNS                                                                        \
	"SELECT r.id, r.seq, r.kind, r.ref, r.title, r.env, r.operator, r.os_user, r.host, "   \
	"r.started_at, (SELECT e.event FROM run_events e WHERE e.run_id = r.id "               \
	"ORDER BY e.id DESC LIMIT 1) AS state, r.hash FROM runs r "
	sqlite3_stmt *st = store_prepare(j, run_id > 0 ? RUN_COLUMNS "WHERE r.id = ?1"
					 : RUN_COLUMNS "ORDER BY r.id DESC LIMIT ?1", err);
	if (!st)
		return -1;
	sqlite3_bind_int64(st, 1, run_id > 0 ? run_id : limit > 0 ? limit : -1);
	if (rows_json(j, st, arr, err) < 0)
		return -1;
	cJSON *run;
	cJSON_ArrayForEach(run, arr) {
		struct step_counts c;
		int64_t id = (int64_t)cJSON_GetNumberValue(cJSON_GetObjectItem(run, "id"));
		if (store_step_counts(j, id, &c, err) < 0)
			return -1;
		cJSON *steps = cJSON_AddObjectToObject(run, "steps");
		cJSON_AddNumberToObject(steps, "pass", (double)c.pass);
		cJSON_AddNumberToObject(steps, "fail", (double)c.fail);
		cJSON_AddNumberToObject(steps, "other", (double)c.other);
		cJSON_AddNumberToObject(steps, "total", (double)c.total);
	}
	return 0;
}

static int print_json(cJSON *doc, FILE *out)
{
	char *s = cJSON_Print(doc);
	if (!s)
		fatal("out of memory printing JSON");
	fprintf(out, "%s\n", s);
	free(s);
	return 0;
}

/* ---- field access on loaded rows ---- */

static const char *str_of(const cJSON *o, const char *key)
{
	return cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(o, key));
}

static int has_num(const cJSON *o, const char *key)
{
	return cJSON_IsNumber(cJSON_GetObjectItemCaseSensitive(o, key));
}

static int64_t int_of(const cJSON *o, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
	return cJSON_IsNumber(v) ? (int64_t)v->valuedouble : 0;
}

static char *local_time_of(const cJSON *o, const char *key)
{
	char *ms_key = xasprintf("%s_ms", key);
	char buf[64] = "-";
	if (has_num(o, ms_key))
		fmt_local(int_of(o, ms_key), buf, sizeof buf);
	free(ms_key);
	return xstrdup(buf);
}

/* "alice/root" (typed name / OS user), or just the OS user. */
static char *who_of(const cJSON *run, const char *name_key)
{
	const char *name = str_of(run, name_key), *user = str_of(run, "os_user");
	char *who = (name && *name) ? xasprintf("%s/%s", name, user ? user : "?")
				    : xstrdup(user ? user : "?");
	char *c = clean(who);
	free(who);
	return c;
}

/* ---- journal list ---- */

enum { L_ID, L_STARTED, L_KIND, L_REF, L_STATE, L_PASS, L_FAIL, L_OTHER, L_OPERATOR, L__COUNT };
static const char *const list_head[L__COUNT] = {
	"ID", "STARTED", "KIND", "REF", "STATE", "PASS", "FAIL", "OTHER", "OPERATOR",
};

static void list_cells(const cJSON *run, char **cell)
{
	const cJSON *steps = cJSON_GetObjectItemCaseSensitive(run, "steps");
	cell[L_ID] = xasprintf("%" PRId64, int_of(run, "id"));
	cell[L_STARTED] = local_time_of(run, "started_at");
	cell[L_KIND] = clean(str_of(run, "kind"));
	cell[L_REF] = clean(str_of(run, "ref"));
	cell[L_STATE] = clean(str_of(run, "state") ? str_of(run, "state") : "?");
	cell[L_PASS] = xasprintf("%" PRId64, int_of(steps, "pass"));
	cell[L_FAIL] = xasprintf("%" PRId64, int_of(steps, "fail"));
	cell[L_OTHER] = xasprintf("%" PRId64, int_of(steps, "other"));
	cell[L_OPERATOR] = who_of(run, "operator");
}

static void print_row(FILE *out, const char *const *cell, const size_t *width)
{
	static const int right[L__COUNT] = {[L_ID] = 1, [L_PASS] = 1, [L_FAIL] = 1, [L_OTHER] = 1};
	for (int c = 0; c < L__COUNT; c++) {
		size_t pad = width[c] - display_width(cell[c]);
		if (right[c])
			fprintf(out, "%*s%s", (int)pad, "", cell[c]);
		else if (c == L__COUNT - 1)
			fputs(cell[c], out);
		else
			fprintf(out, "%s%*s", cell[c], (int)pad, "");
		fputs(c == L__COUNT - 1 ? "\n" : "  ", out);
	}
}

static void print_run_table(const cJSON *runs, FILE *out)
{
	size_t n = (size_t)cJSON_GetArraySize(runs);
	char **cells = xcalloc(n * L__COUNT, sizeof *cells);
	size_t width[L__COUNT];
	for (int c = 0; c < L__COUNT; c++)
		width[c] = strlen(list_head[c]);
	size_t r = 0;
	const cJSON *run;
	cJSON_ArrayForEach(run, runs) {
		list_cells(run, &cells[r * L__COUNT]);
		for (int c = 0; c < L__COUNT; c++)
			if (display_width(cells[r * L__COUNT + c]) > width[c])
				width[c] = display_width(cells[r * L__COUNT + c]);
		r++;
	}
	print_row(out, list_head, width);
	for (r = 0; r < n; r++)
		print_row(out, (const char *const *)&cells[r * L__COUNT], width);
	for (r = 0; r < n * L__COUNT; r++)
		free(cells[r]);
	free(cells);
}

static int64_t count_runs(struct journal *j, char **err)
{
	sqlite3_stmt *st = store_prepare(j, "SELECT count(*) FROM runs", err);
	if (!st)
		return -1;
	int64_t n = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int64(st, 0) : -1;
	if (n < 0)
		store_fail(j, err, "cannot count the runs");
	sqlite3_finalize(st);
	return n;
}

int journal_list(struct journal *j, FILE *out, int json, char **err)
{
	return journal_list_newest(j, out, json, 0, err);
}

int journal_list_newest(struct journal *j, FILE *out, int json, int limit, char **err)
{
	cJSON *doc = cJSON_CreateObject();
	cJSON_AddStringToObject(doc, "journal", j->path);
	cJSON *runs = cJSON_AddArrayToObject(doc, "runs");
	int rc = runs_json(j, 0, limit, runs, err);
	int64_t total = rc == 0 ? count_runs(j, err) : -1;
	if (total < 0)
		rc = -1;
	else
		cJSON_AddNumberToObject(doc, "total_runs", (double)total);
	if (rc == 0 && json)
		print_json(doc, out);
	else if (rc == 0 && cJSON_GetArraySize(runs) == 0)
		fprintf(out, "no runs recorded yet in %s\n", j->path);
	else if (rc == 0)
		print_run_table(runs, out);
	if (rc == 0 && !json && total > cJSON_GetArraySize(runs))
		fprintf(out, "(the newest %d of %" PRId64 " runs: --limit N or --all for more; the console's review "
			     "screen, J, filters them)\n", cJSON_GetArraySize(runs), total);
	cJSON_Delete(doc);
	return rc;
}

/* ---- journal show ---- */

static int add_rows(struct journal *j, cJSON *doc, const char *key, const char *sql, int64_t run_id,
		    char **err)
{
	sqlite3_stmt *st = store_prepare(j, sql, err);
	if (!st)
		return -1;
	sqlite3_bind_int64(st, 1, run_id);
	return rows_json(j, st, cJSON_AddArrayToObject(doc, key), err);
}

static int load_run(struct journal *j, int64_t run_id, cJSON *doc, char **err)
{
	cJSON *runs = cJSON_CreateArray();
	int rc = runs_json(j, run_id, 0, runs, err);
	if (rc == 0 && cJSON_GetArraySize(runs) == 0) {
		rc = 1;
		if (err)
			*err = xasprintf("journal %s: there is no run %" PRId64 " (see `opsdeck journal list`)",
					 j->path, run_id);
	}
	if (rc == 0)
		cJSON_AddItemToObject(doc, "run", cJSON_DetachItemFromArray(runs, 0));
	cJSON_Delete(runs);
	if (rc != 0)
		return rc;
	if (add_rows(j, doc, "events", "SELECT id, seq, event, note, recorded_at, hash FROM run_events "
		     "WHERE run_id = ?1 ORDER BY id", run_id, err) < 0 ||
	    add_rows(j, doc, "steps", "SELECT id, seq, step_id, title, status, observed, expectation, "
		     "output, note, duration_ms, recorded_at, hash FROM step_results "
		     "WHERE run_id = ?1 ORDER BY id", run_id, err) < 0 ||
	    add_rows(j, doc, "values", "SELECT id, seq, kind, name, value, recorded_at, hash "
		     "FROM run_values WHERE run_id = ?1 ORDER BY id", run_id, err) < 0 ||
	    add_rows(j, doc, "baselines", "SELECT id, seq, name, value, unit, recorded_at, hash "
		     "FROM baselines WHERE run_id = ?1 ORDER BY id", run_id, err) < 0 ||
	    add_rows(j, doc, "signoffs", "SELECT id, seq, role, person, os_user, host, comment, reason, "
		     "corrects_id, recorded_at, hash FROM signoffs WHERE run_id = ?1 ORDER BY id",
		     run_id, err) < 0)
		return -1;
	return 0;
}

/* "  label  value" with the value cleaned; nothing for a NULL value. */
static void print_field(FILE *out, const char *label, const char *value)
{
	if (!value)
		return;
	char *c = clean(value);
	fprintf(out, "  %-9s %s\n", label, c);
	free(c);
}

static void print_block(FILE *out, const char *label, const char *text)
{
	if (!text || !*text)
		return;
	struct sbuf sb = {0};
	add_clean(&sb, text, 1);
	fprintf(out, "      %s:\n        | ", label);
	for (const char *p = sb.buf; *p; p++) {
		fputc(*p, out);
		if (*p == '\n' && p[1])
			fputs("        | ", out);
	}
	if (sb.buf[sb.len - 1] != '\n')
		fputc('\n', out);
	sbuf_done(&sb);
}

static void print_run_header(const cJSON *run, FILE *out)
{
	const cJSON *steps = cJSON_GetObjectItemCaseSensitive(run, "steps");
	char *kind = clean(str_of(run, "kind")), *ref = clean(str_of(run, "ref"));
	fprintf(out, "run %" PRId64 ": %s %s\n", int_of(run, "id"), kind, ref);
	free(kind);
	free(ref);
	print_field(out, "title", str_of(run, "title"));
	print_field(out, "state", str_of(run, "state"));
	print_field(out, "env", str_of(run, "env"));
	char *who = who_of(run, "operator"), *when = local_time_of(run, "started_at");
	char *where = clean(str_of(run, "host"));
	fprintf(out, "  %-9s %s on %s\n  %-9s %s\n", "operator", who, where, "started", when);
	fprintf(out, "  %-9s %" PRId64 " pass, %" PRId64 " fail, %" PRId64 " other (latest result per step)\n",
		"steps", int_of(steps, "pass"), int_of(steps, "fail"), int_of(steps, "other"));
	free(who);
	free(when);
	free(where);
}

static void print_events(const cJSON *events, FILE *out)
{
	const cJSON *e;
	fputs("events\n", out);
	cJSON_ArrayForEach(e, events) {
		char *when = local_time_of(e, "recorded_at"), *ev = clean(str_of(e, "event"));
		char *note = str_of(e, "note") ? clean(str_of(e, "note")) : NULL;
		fprintf(out, "  %s  %s%s%s\n", when, ev, note ? "  " : "", note ? note : "");
		free(when);
		free(ev);
		free(note);
	}
}

static void print_step(const cJSON *s, FILE *out)
{
	char *when = local_time_of(s, "recorded_at"), *id = clean(str_of(s, "step_id"));
	char *status = clean(str_of(s, "status")), *title = clean(str_of(s, "title"));
	char dur[32] = "";
	if (has_num(s, "duration_ms"))
		fmt_duration_ms(dur, sizeof dur, (double)int_of(s, "duration_ms"));
	fprintf(out, "  %s  %-5s %-10s%s%s%s\n", when, id, status, title, *dur ? "  " : "", dur);
	free(when);
	free(id);
	free(status);
	free(title);
	static const char *const detail[] = {"expectation", "observed", "note"};
	for (size_t i = 0; i < ARRAY_LEN(detail); i++) {
		if (!str_of(s, detail[i]))
			continue;
		char *v = clean(str_of(s, detail[i]));
		fprintf(out, "      %s: %s\n", detail[i], v);
		free(v);
	}
	print_block(out, "output", str_of(s, "output"));
}

static void print_baselines(const cJSON *baselines, FILE *out)
{
	const cJSON *b;
	fputs("baselines\n", out);
	cJSON_ArrayForEach(b, baselines) {
		char *when = local_time_of(b, "recorded_at"), *name = clean(str_of(b, "name"));
		char *unit = clean(str_of(b, "unit"));
		double value = cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(b, "value"));
		fprintf(out, "  %s  %s = %g%s%s\n", when, name, value, *unit ? " " : "", unit);
		free(when);
		free(name);
		free(unit);
	}
}

/* Inputs the operator gave and values probes captured (only when there are any). */
static void print_values(const cJSON *values, FILE *out)
{
	const cJSON *v;
	if (!cJSON_GetArraySize(values))
		return;
	fputs("values\n", out);
	cJSON_ArrayForEach(v, values) {
		char *kind = clean(str_of(v, "kind")), *name = clean(str_of(v, "name"));
		char *value = clean(str_of(v, "value"));
		fprintf(out, "  %-7s  %s = %s\n", kind, name, value);
		free(kind);
		free(name);
		free(value);
	}
}

static void print_signoff(const cJSON *s, FILE *out)
{
	char *when = local_time_of(s, "recorded_at"), *role = clean(str_of(s, "role"));
	char *who = who_of(s, "person"), *host = clean(str_of(s, "host"));
	fprintf(out, "  %s  #%" PRId64 " %s: %s on %s\n", when, int_of(s, "id"), role, who, host);
	if (has_num(s, "corrects_id"))
		fprintf(out, "      corrects sign-off #%" PRId64 "\n", int_of(s, "corrects_id"));
	free(when);
	free(role);
	free(who);
	free(host);
	static const char *const detail[] = {"comment", "reason"};
	for (size_t i = 0; i < ARRAY_LEN(detail); i++) {
		if (!str_of(s, detail[i]))
			continue;
		char *v = clean(str_of(s, detail[i]));
		fprintf(out, "      %s: %s\n", detail[i], v);
		free(v);
	}
}

static void print_run_text(const cJSON *doc, FILE *out)
{
	const cJSON *item;
	print_run_header(cJSON_GetObjectItemCaseSensitive(doc, "run"), out);
	print_events(cJSON_GetObjectItemCaseSensitive(doc, "events"), out);
	fputs("steps\n", out);
	cJSON_ArrayForEach(item, cJSON_GetObjectItemCaseSensitive(doc, "steps"))
		print_step(item, out);
	print_values(cJSON_GetObjectItemCaseSensitive(doc, "values"), out);
	print_baselines(cJSON_GetObjectItemCaseSensitive(doc, "baselines"), out);
	fputs("sign-offs\n", out);
	cJSON_ArrayForEach(item, cJSON_GetObjectItemCaseSensitive(doc, "signoffs"))
		print_signoff(item, out);
}

int journal_show(struct journal *j, int64_t run_id, FILE *out, int json, char **err)
{
	cJSON *doc = cJSON_CreateObject();
	cJSON_AddStringToObject(doc, "journal", j->path);
	int rc = load_run(j, run_id, doc, err);
	if (rc == 0 && json)
		print_json(doc, out);
	else if (rc == 0)
		print_run_text(doc, out);
	cJSON_Delete(doc);
	return rc;
}

/* ---- small queries ---- */

int journal_run_state(struct journal *j, int64_t run_id, char **state, char **err)
{
	sqlite3_stmt *st = store_prepare(j, "SELECT (SELECT event FROM run_events WHERE run_id = r.id "
					    "ORDER BY id DESC LIMIT 1) FROM runs r WHERE r.id = ?1", err);
	if (!st)
		return -1;
	sqlite3_bind_int64(st, 1, run_id);
	int rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		*state = store_column_strdup(st, 0);
	else if (rc != SQLITE_DONE)
		store_fail(j, err, "cannot read the run");
	sqlite3_finalize(st);
	return rc == SQLITE_ROW ? 1 : rc == SQLITE_DONE ? 0 : -1;
}

int64_t journal_last_run(struct journal *j, char **err)
{
	sqlite3_stmt *st = store_prepare(j, "SELECT coalesce(max(id), 0) FROM runs", err);
	if (!st)
		return -1;
	int64_t id = -1;
	if (sqlite3_step(st) == SQLITE_ROW)
		id = sqlite3_column_int64(st, 0);
	else
		store_fail(j, err, "cannot read the runs");
	sqlite3_finalize(st);
	return id;
}
