/* The review data layer (store/review.h): the filter language, filters and keyset paging
 * on a journal whose runs have known times, step and sign-off counts, the query plans that
 * keep it fast, a run's detail with its baselines compared, and secrets masked again. */
#include <math.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "src/util.h"
#include "store/chain.h"
#include "store/review.h"
#include "store/store.h"
#include "tests/unit/tap.h"

#define DAY 86400000LL

static int64_t T0; /* 2026-11-10 12:00 local time: "now" in these tests is T0 + 1 h */

static int contains(const char *s, const char *needle) { return s && strstr(s, needle) != NULL; }

static int64_t local_ms(int y, int mo, int d, int h)
{
	struct tm tm = {.tm_year = y - 1900, .tm_mon = mo - 1, .tm_mday = d, .tm_hour = h, .tm_isdst = -1};
	return (int64_t)mktime(&tm) * 1000;
}

/* ---- a journal with known times, written through the chain like any other ---- */

static struct journal *J;

static int64_t put(enum jtable_id t, const struct jval *v, size_t n)
{
	int64_t id = -1;
	char *err = NULL;
	if (chain_append_one(J, t, v, n, &id, "test", &err) < 0) {
		printf("Bail out! %s\n", err);
		exit(1);
	}
	return id;
}

static int64_t run(const char *kind, const char *ref, const char *title, const char *env, const char *op,
		   const char *os_user, int64_t at)
{
	struct jval v[] = {jv_text(kind), jv_text(ref), jv_text(title), jv_text(env), jv_text(op),
			   jv_text(os_user), jv_text("deck1"), jv_int(at)};
	int64_t id = put(JT_RUNS, v, ARRAY_LEN(v));
	struct jval e[] = {jv_int(id), jv_text("started"), jv_null(), jv_int(at)};
	put(JT_RUN_EVENTS, e, ARRAY_LEN(e));
	return id;
}

static void event(int64_t r, const char *ev, int64_t at)
{
	struct jval e[] = {jv_int(r), jv_text(ev), jv_null(), jv_int(at)};
	put(JT_RUN_EVENTS, e, ARRAY_LEN(e));
}

static void step(int64_t r, const char *id, const char *status, const char *observed, const char *expect,
		 const char *output, int64_t at)
{
	struct jval v[] = {jv_int(r), jv_text(id), jv_text("a step"), jv_text(status), jv_text(observed),
			   jv_text(expect), jv_text(output), jv_null(), jv_int(10), jv_int(at)};
	put(JT_STEP_RESULTS, v, ARRAY_LEN(v));
}

static void baseline(int64_t r, const char *name, double value, const char *unit, int64_t at)
{
	struct jval v[] = {jv_int(r), jv_text(name), jv_real(value), jv_text(unit), jv_int(at)};
	put(JT_BASELINES, v, ARRAY_LEN(v));
}

static int64_t signoff(int64_t r, const char *role, const char *person, const char *reason, int64_t corrects,
		       int64_t at)
{
	struct jval v[] = {jv_int(r), jv_text(role), jv_text(person), jv_text("ops"), jv_text("deck1"),
			   jv_text("looked fine; DSN was postgresql://ops:s3cr3t@db/app"), jv_text(reason),
			   corrects ? jv_int(corrects) : jv_null(), jv_int(at)};
	return put(JT_SIGNOFFS, v, ARRAY_LEN(v));
}

static int64_t R41, R42, R43, R44, R45, SO_ANA, SO_BOB;

/* 40 old filler runs, then the five the tests look at (ids 41-45, newest last). */
static void seed(void)
{
	for (int i = 1; i <= 40; i++) {
		int64_t r = run("runbook", "RB-7", "Filler run", "lab", "filler", "ops", T0 - 40 * DAY + i * 1000);
		event(r, "done", T0 - 40 * DAY + i * 1000 + 500);
	}
	R41 = run("runbook", "RB-1", "Daily replica health check", "production", "Ana Diaz", "ana", T0 - 10 * DAY);
	step(R41, "1", "pass", "primary: rows = 2", "rows == 2", NULL, T0 - 10 * DAY + 1000);
	event(R41, "done", T0 - 10 * DAY + 2000);
	R42 = run("runbook", "RB-10", "Slow query investigation", "staging", "Bob Li", "bob", T0 - 9 * DAY);
	step(R42, "1", "fail", NULL, NULL, NULL, T0 - 9 * DAY + 1000);
	event(R42, "failed", T0 - 9 * DAY + 2000);
	int64_t t = T0 - 5 * DAY;
	R43 = run("checklist", "CL-W3-4", "Read replicas validation", "production", "Cy Ng", "cy", t);
	baseline(R43, "w3_4_p95_ms", 110, "ms", t + 100);
	baseline(R43, "w3_4_primary_conns", 50, "connections", t + 200);
	/* another environment's baseline, newer but not this run's */
	baseline(R42, "w3_4_primary_conns", 5, "connections", t + 300);
	step(R43, "1", "fail", "GET /metrics/queries: timeout", NULL, NULL, t + 400);
	step(R43, "1", "pass", "GET /metrics/queries: status = 200", "status == 200", NULL, t + 500);
	step(R43, "2", "pending", NULL, NULL, NULL, t + 600);
	step(R43, "3", "fail", "GET /metrics/queries: status = 200, json(.statistics.p95) = 132, baseline('w3_4_p95_ms') = 110",
	     "status == 200 and json(.statistics.p95) <= baseline('w3_4_p95_ms') + 15ms",
	     "--- GET /metrics/queries ---\nconnecting to postgresql://ops:hunter2@db.internal:5432/app\n"
	     "fallback host=db.internal user=ops password=hunter2 dbname=app\n", t + 700);
	step(R43, "4", "pass", "primary: connections = 30", "connections <= baseline('w3_4_primary_conns') * (1 - 20%)",
	     NULL, t + 800);
	R44 = run("checklist", "CL-W3-4", "Read replicas validation", "staging", "Ana Diaz", "root", T0 - DAY);
	baseline(R44, "w3_4_primary_conns", 999, "connections", T0 - DAY + 100); /* after R43's step 4 */
	step(R44, "1", "pass", NULL, NULL, NULL, T0 - DAY + 200);
	event(R44, "done", T0 - DAY + 300);
	SO_ANA = signoff(R44, "DBA", "Ana Diaz", NULL, 0, T0 - DAY + 400);
	SO_BOB = signoff(R44, "DBA", "Bob Li", NULL, SO_ANA, T0 - DAY + 500);
	signoff(R44, "Engineering Lead", "Cy Ng", "step 2 checked by hand", 0, T0 - DAY + 600);
	R45 = run("runbook", "RB-1", "100% cache_hit check", "production", NULL, "dee", T0);
	event(R45, "resumed", T0 + 100);
}

/* ---- the filter language ---- */

static void test_filter_parse(void)
{
	struct review_filter f;
	char *err = NULL, buf[256];
	int64_t now = T0 + 3600000;
	ok(review_filter_parse(&f, "ref=W3-4 operator='Ana Diaz' STATE=Done since=7d kind=checklist", now, &err) == 0,
	   "fields parse: %s", err ? err : "ok");
	is_str(f.ref, "W3-4", "ref");
	is_str(f.operator_name, "Ana Diaz", "a quoted operator keeps its blank");
	is_str(f.state, "done", "state in any case, kept in the journal's word");
	is_str(f.kind, "checklist", "kind");
	is_int(f.since_ms, now - 7 * DAY, "since=7d is seven days back from now");
	is_int(f.until_ms, 0, "no until");
	review_filter_describe(&f, buf, sizeof buf);
	is_str(buf, "ref=W3-4 kind=checklist operator='Ana Diaz' state=done since=7d", "described as it can be typed back");
	ok(review_filter_parse(&f, "status=open from=2026-11-01 to=2026-11-05 replica lag", now, &err) == 0,
	   "aliases status/from/to and bare words");
	is_str(f.state, "open", "state=open");
	is_int(f.since_ms, local_ms(2026, 11, 1, 0), "since=DATE is that day's local midnight");
	is_int(f.until_ms, local_ms(2026, 11, 6, 0), "until=DATE includes the whole day");
	is_str(f.text, "replica lag", "words without a field are the text filter");
	review_filter_describe(&f, buf, sizeof buf);
	is_str(buf, "state=open since=2026-11-01 until=2026-11-05 /replica lag", "text shown after a /");
	ok(review_filter_parse(&f, "since=today", now, &err) == 0 && f.since_ms == local_ms(2026, 11, 10, 0),
	   "since=today");
	ok(review_filter_parse(&f, "", now, &err) == 0 && review_filter_empty(&f), "an empty line clears the filter");

	static const struct {
		const char *in, *msg;
	} bad[] = {
		{"colour=red", "unknown field 'colour' (fields: ref, kind, operator, state, since, until;"},
		{"state=finished", "state=finished: a run's state is started, resumed, done, failed, aborted, rolled-back, or open"},
		{"since=2026-13-01", "since=2026-13-01: not a date: write YYYY-MM-DD, today, or a time back from now"},
		{"since=7", "since=7: not a date"},
		{"kind=job", "kind=job: a run is a runbook, a checklist or a snapshot"},
		{"ref=", "ref= needs a value"},
		{"operator='Ana", "a quote is not closed"},
		{"since=2026-11-05 until=2026-11-01", "until=2026-11-01 is not after since=2026-11-05"},
	};
	strcpy(f.ref, "kept");
	for (size_t i = 0; i < ARRAY_LEN(bad); i++) {
		err = NULL;
		int rc = review_filter_parse(&f, bad[i].in, now, &err);
		ok(rc < 0 && contains(err, bad[i].msg), "'%s' refused: %s", bad[i].in, err ? err : "(accepted)");
		free(err);
	}
	is_str(f.ref, "kept", "a refused filter leaves the one in use unchanged");
}

/* ---- filters, paging, counts ---- */

static int64_t count(const char *filter)
{
	struct review_filter f;
	char *err = NULL;
	if (review_filter_parse(&f, filter, T0 + 3600000, &err) < 0) {
		printf("# %s: %s\n", filter, err);
		free(err);
		return -2;
	}
	int64_t n = review_count(J, &f, &err);
	if (n < 0)
		printf("# %s: %s\n", filter, err);
	free(err);
	return n;
}

/* The ids of a page, "45 44 43". */
static char *page_ids(const char *filter, int64_t from, int dir, int limit)
{
	struct review_filter f;
	struct review_row *v;
	char *err = NULL;
	int n;
	struct sbuf sb = {0};
	sbuf_add(&sb, "");
	if (review_filter_parse(&f, filter, T0 + 3600000, &err) < 0 || review_page(J, &f, from, dir, limit, &v, &n, &err) < 0) {
		sbuf_addf(&sb, "error: %s", err);
		free(err);
		return sbuf_steal(&sb);
	}
	for (int i = 0; i < n; i++)
		sbuf_addf(&sb, "%s%lld", i ? " " : "", (long long)v[i].id);
	review_rows_free(v, n);
	return sbuf_steal(&sb);
}

static void is_page(const char *filter, int64_t from, int dir, int limit, const char *want, const char *what)
{
	char *got = page_ids(filter, from, dir, limit);
	is_str(got, want, "%s", what);
	free(got);
}

static void test_filters(void)
{
	is_int(count(""), 45, "no filter: every run");
	is_int(count("ref=W3-4"), 2, "ref=W3-4 finds the CL-W3-4 runs");
	is_int(count("ref=cl-w3-4"), 2, "... so does cl-w3-4 (any case)");
	is_int(count("ref=1"), 2, "ref=1 finds RB-1");
	is_int(count("ref=RB-10"), 1, "ref=RB-10 is not RB-1");
	is_int(count("ref=10"), 1, "ref=10 is RB-10 only");
	is_int(count("kind=checklist"), 2, "kind=checklist");
	is_int(count("operator=ana"), 2, "operator=ana: part of the typed name, any case");
	is_int(count("operator=ROOT"), 1, "operator= matches the OS user too");
	is_int(count("operator=dee"), 1, "a run without a typed name is found by its OS user");
	is_int(count("state=failed"), 1, "state=failed");
	is_int(count("state=open"), 2, "state=open: started or resumed");
	is_int(count("state=resumed"), 1, "state=resumed");
	is_int(count("state=done"), 42, "state=done: the latest event counts, not the first");
	is_int(count("since=2026-11-04"), 3, "since=DATE");
	is_int(count("until=2026-11-08"), 43, "until=DATE includes that day");
	is_int(count("since=2d"), 2, "since=2d counts back from now");
	is_int(count("since=2026-11-01 until=2026-11-05"), 2, "a date range");
	is_int(count("w3"), 2, "text: part of the ref");
	is_int(count("replicas validation"), 2, "text: part of the title, blanks and all");
	is_int(count("_"), 1, "text: _ is a character, not a LIKE wildcard");
	is_int(count("100%"), 1, "text: %% is a character too");
	is_int(count("ref=W3-4 state=done operator=ana"), 1, "fields combine (and)");
	is_int(count("nobody"), 0, "no match");

	is_page("", INT64_MAX, -1, 5, "45 44 43 42 41", "the first page: newest first");
	is_page("", 41, -1, 3, "40 39 38", "the next page: older than the last one shown");
	is_page("", 38, 1, 3, "41 40 39", "the page before: newer than the first one shown, nearest first, shown newest first");
	is_page("", 0, 1, 3, "3 2 1", "the last page (G): the oldest runs");
	is_page("", 3, -1, 5, "2 1", "past the end: what is left");
	is_page("ref=W3-4", INT64_MAX, -1, 5, "44 43", "a filtered page");
	is_page("state=open", INT64_MAX, -1, 1, "45", "a filtered page of one");
	is_page("state=open", 45, -1, 1, "43", "... and the next one, skipping what does not match");
	is_page("", INT64_MAX, -1, 0, "", "a page of no rows");
}

static void test_row_counts(void)
{
	struct review_filter f = {0};
	struct review_row *v;
	char *err = NULL;
	int n;
	ok(review_page(J, &f, INT64_MAX, -1, 5, &v, &n, &err) == 0 && n == 5, "page read");
	if (n < 5)
		return;
	const struct review_row *r45 = &v[0], *r44 = &v[1], *r43 = &v[2];
	is_str(r45->state, "resumed", "a run's state is its latest event");
	ok(r45->operator_name == NULL && !strcmp(r45->os_user, "dee"), "no typed name: NULL, the OS user is there");
	is_str(r43->state, "started", "an open run");
	is_int(r43->steps.pass, 2, "a retried step counts once, with its newest result (pass)");
	is_int(r43->steps.fail, 1, "one failed step");
	is_int(r43->steps.pending, 1, "one pending step");
	is_int(r43->steps.total, 4, "four steps recorded");
	is_int(r44->signed_roles, 2, "two roles signed: a corrected sign-off is replaced, not added");
	is_int(r44->with_reason, 1, "one of them signed with a reason");
	is_int(r43->signed_roles, 0, "no sign-offs yet");
	is_int(r44->started_at, T0 - DAY, "started_at");
	is_str(r44->env, "staging", "env");
	review_rows_free(v, n);
}

/* The plans that keep a journal of 100,000 runs fast (tests/helpers/review-bench). */
static char *plan(const char *sql)
{
	sqlite3_stmt *st;
	struct sbuf sb = {0};
	char *q = xasprintf("EXPLAIN QUERY PLAN %s", sql);
	sbuf_add(&sb, "");
	if (sqlite3_prepare_v2(journal_sqlite(J), q, -1, &st, NULL) == SQLITE_OK) {
		while (sqlite3_step(st) == SQLITE_ROW)
			sbuf_addf(&sb, "%s\n", sqlite3_column_text(st, 3));
		sqlite3_finalize(st);
	}
	free(q);
	return sbuf_steal(&sb);
}

static void test_plans(void)
{
	char *p = plan("SELECT r.id FROM runs r WHERE r.ref COLLATE NOCASE IN ('x', 'CL-x', 'RB-x') ORDER BY r.id DESC LIMIT 50");
	ok(contains(p, "INDEX runs_by_ref (ref=?)"), "ref= uses the runs_by_ref index");
	free(p);
	p = plan("SELECT count(*) FROM runs r WHERE (SELECT e.event FROM run_events e WHERE e.run_id = r.id "
		 "ORDER BY e.id DESC LIMIT 1) IN ('done', 'done')");
	ok(contains(p, "COVERING INDEX run_events_latest"), "a run's state comes from the run_events_latest index alone");
	free(p);
	p = plan("SELECT b.value FROM baselines b LEFT JOIN runs r ON r.id = b.run_id WHERE b.name = 'x' "
		 "AND (r.env IS 'y' OR b.run_id IS NULL) AND b.recorded_at <= 5 ORDER BY b.recorded_at DESC, b.id DESC LIMIT 1");
	ok(contains(p, "INDEX baselines_by_name_time (name=? AND recorded_at<?)"),
	   "the baseline a step used is found by name and time");
	free(p);
	p = plan("SELECT r.id FROM runs r WHERE r.id < 100 ORDER BY r.id DESC LIMIT 50");
	ok(contains(p, "rowid<?"), "a page starts at its key (no OFFSET walk)");
	free(p);
}

/* ---- comparing with baselines ---- */

static void test_compare(void)
{
	struct review_cmp c[4];
	int n = review_compare("abs(value - baseline('p95_ms')) <= baseline('p95_ms') * 10%",
			       "shell: value = 126, baseline('p95_ms') = 120", c, 4);
	is_int(n, 1, "one baseline named (twice)");
	is_str(c[0].name, "p95_ms", "its name");
	ok(c[0].has_base && c[0].base == 120, "the baseline the check used, from observed");
	ok(c[0].has_now && c[0].now == 126, "now: the value compared with it");
	ok(fabs(c[0].delta - 6) < 1e-9 && fabs(c[0].pct - 5) < 1e-9, "delta +6, +5 %%");
	review_cmp_done(&c[0]);

	n = review_compare("status == 200 and json(.statistics.p95) <= baseline(\"p95\") + 15ms",
			   "GET /metrics/queries: status = 200, json(.statistics.p95) = 95.5, baseline(\"p95\") = 110", c, 4);
	ok(n == 1 && c[0].has_now && c[0].now == 95.5, "now is the term of the baseline's own clause, not status (%g)",
	   n ? c[0].now : -1);
	ok(n == 1 && fabs(c[0].pct - (95.5 - 110) / 110 * 100) < 1e-9, "a decrease is a negative delta");
	review_cmp_done(&c[0]);

	n = review_compare("q <= baseline('q') * (1 - 20%) and p <= baseline('p'); value_ms * 3 <= baseline('ms')",
			   "primary: q = 70, baseline('q') = 100, p = 9, baseline('p') = 10; shell: value = 1, value_ms = 40", c, 4);
	is_int(n, 3, "three baselines in two probes");
	ok(n == 3 && c[0].now == 70 && c[1].now == 9 && c[2].now == 40 && !c[2].has_base,
	   "each with its own term (value is not value_ms); no baseline observed for the last");
	for (int i = 0; i < n; i++)
		review_cmp_done(&c[i]);

	n = review_compare("value <= baseline('zero')", "shell: value = 3, baseline('zero') = 0", c, 4);
	ok(n == 1 && isnan(c[0].pct) && c[0].delta == 3, "a baseline of 0: delta but no percentage");
	review_cmp_done(&c[0]);
	n = review_compare("value <= baseline('x')", NULL, c, 4);
	ok(n == 1 && !c[0].has_base && !c[0].has_now, "nothing observed (the check errored): names only");
	review_cmp_done(&c[0]);
	n = review_compare("state == 'streaming'", "primary: state = 'streaming'", c, 4);
	is_int(n, 0, "no baseline named: nothing to compare");
	n = review_compare("all(active) and value < baseline('x')", "primary: all(active) = false (row 2: active = 'f')", c, 4);
	ok(n == 1 && !c[0].has_now, "a short-circuited check has no value to compare");
	review_cmp_done(&c[0]);
	is_str(review_verdict("manual-ok"), "pass", "verdict of manual-ok");
	is_str(review_verdict("fail"), "FAIL", "verdict of fail");
	is_str(review_verdict(NULL), "pending", "verdict of nothing");
}

static void test_mask(void)
{
	static const struct {
		const char *in, *want;
	} cases[] = {
		{"connecting to postgresql://ops:hunter2@db:5432/app now", "connecting to postgresql://ops:****@db:5432/app now"},
		{"fallback host=db user=ops password=hunter2 dbname=app", "fallback host=db user=ops password=**** dbname=app"},
		{"a\nb password='x y' c\nredis://:pw@cache:6379/0", "a\nb password='****' c\nredis://:****@cache:6379/0"},
		{"value = 126, baseline('p95_ms') = 120", "value = 126, baseline('p95_ms') = 120"},
		{"nothing secret here", "nothing secret here"},
	};
	for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
		char *m = review_mask_text(cases[i].in);
		is_str(m, cases[i].want, "masked DSN text, case %zu", i + 1);
		free(m);
	}
	ok(review_mask_text(NULL) == NULL, "NULL stays NULL");
}

/* ---- a run's detail ---- */

static void test_detail(void)
{
	struct review_detail d;
	char *err = NULL;
	is_int(review_detail_load(J, R43, &d, &err), 1, "run 43 loads");
	is_int(d.n_steps, 4, "four steps, each once");
	is_int(d.ended_at, 0, "an open run has not ended");
	is_int(d.n_baselines, 2, "the run's own baselines");
	ok(d.n_baselines == 2 && !strcmp(d.baselines[1].unit, "connections"), "with their units");
	ok(d.n_steps == 4 && d.cmp[2].n == 1, "step 3 names one baseline");
	if (d.n_steps == 4 && d.cmp[2].n == 1) {
		const struct review_cmp *c = &d.cmp[2].v[0];
		ok(c->base == 110 && c->now == 132 && c->delta == 22 && fabs(c->pct - 20) < 1e-9,
		   "step 3: baseline 110, now 132, +22 (+20 %%)");
		is_str(c->unit, "ms", "... in ms, the unit recorded with the baseline");
	}
	ok(d.n_steps == 4 && d.cmp[3].n == 1, "step 4 names one baseline");
	if (d.n_steps == 4 && d.cmp[3].n == 1) {
		const struct review_cmp *c = &d.cmp[3].v[0];
		ok(c->has_base && c->base == 50, "not observed: the baseline of the run's environment as it was then "
		   "(not another environment's, not a later one): %g", c->base);
		ok(c->now == 30 && fabs(c->pct + 40) < 1e-9, "now 30, -40 %%");
		is_str(c->unit, "connections", "unit connections");
	}
	ok(d.n_steps == 4 && !contains(d.steps[2].output, "hunter2") && contains(d.steps[2].output, "postgresql://ops:****@") &&
	   contains(d.steps[2].output, "password=****"), "a DSN in the captured output is masked again");
	review_detail_done(&d);

	is_int(review_detail_load(J, R44, &d, &err), 1, "run 44 loads");
	is_int(d.ended_at, T0 - DAY + 300, "its end time");
	is_int(d.n_signoffs, 3, "three sign-offs, the corrected one kept");
	const struct journal_signoff_row *c = review_correction_of(&d, SO_ANA);
	ok(c && c->id == SO_BOB, "Ana's sign-off is corrected by Bob's");
	ok(!review_correction_of(&d, SO_BOB), "Bob's is current");
	ok(d.n_signoffs == 3 && !contains(d.signoffs[0].comment, "s3cr3t"), "a secret in a sign-off comment is masked");
	review_detail_done(&d);
	is_int(review_detail_load(J, 999, &d, &err), 0, "no such run");
	review_detail_done(&d);
}

int main(void)
{
	char tmpl[] = "/tmp/test_review.XXXXXX";
	char *dir = mkdtemp(tmpl);
	if (!dir) {
		printf("Bail out! mkdtemp\n");
		return 1;
	}
	setenv("XDG_CONFIG_HOME", dir, 1); /* the checkpoint key */
	setenv("TZ", "Europe/Berlin", 1);  /* a zone with DST: until= of a day is its local end */
	tzset();
	T0 = local_ms(2026, 11, 10, 12);
	char *path = xasprintf("%s/review.db", dir), *err = NULL;
	if (journal_open(&J, path, &err) < 0) {
		printf("Bail out! %s\n", err);
		return 1;
	}
	seed();
	test_filter_parse();
	test_filters();
	test_row_counts();
	test_plans();
	test_compare();
	test_mask();
	test_detail();
	journal_close(J);
	char *rm = xasprintf("rm -rf '%s'", dir);
	if (system(rm) != 0)
		printf("# could not remove %s\n", dir);
	free(rm);
	free(path);
	printf("1..%d\n", tap_n);
	return tap_failed ? 1 : 0;
}
