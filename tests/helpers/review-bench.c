/* Times the review screen's queries on a large journal: review-bench PATH [RUNS]
 * Seeds PATH (if it has no runs yet) with RUNS runs (default 100,000), each with 6 step
 * results, a baseline, an end event and, for checklists, sign-offs, all properly chained
 * (1,000 runs per transaction, fsync off: seeding is not what is measured). Then times what
 * the console does: open the list (count + first page), each filter, paging to the end, a
 * run's detail, and journal_verify (the integrity badge, done once on a worker thread).
 * Prints one line per measurement (median and slowest of 5 tries, and CPU time) and exits 1
 * if a list operation usually (the median) takes 100 ms or more. */
#include <inttypes.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "src/util.h"
#include "store/chain.h"
#include "store/review.h"
#include "store/store.h"

#define PAGE 50

static const char *const refs[] = {"RB-1", "RB-3", "RB-6", "RB-10", "RB-21", "CL-W1-2", "CL-W3-4",
				   "CL-W5-6", "CL-W7", "CL-W8", "CL-PROD-DEPLOY", "CL-DB-SPLIT"};
static const char *const people[] = {"Ana Diaz", "Bob Li", "Cy Ng", "Dee Ro", "Eve Park", "Fred Otto",
				     "Gus Lam", "Hana Sato", "Ivo Petrov", "Jo Kim"};
static const char *const statuses[] = {"pass", "pass", "pass", "manual-ok", "fail", "skip", "pass", "error"};
static const char *const ends[] = {"done", "done", "done", "failed", "aborted", NULL};

static int append(struct journal *j, enum jtable_id t, const struct jval *v, size_t n, int64_t *id, char **err)
{
	return chain_append(j, t, v, n, id, "cannot seed", err);
}

static int seed_run(struct journal *j, int n, int64_t at, char **err)
{
	const char *ref = refs[n % ARRAY_LEN(refs)], *who = people[(n / 3) % ARRAY_LEN(people)];
	int checklist = !strncmp(ref, "CL-", 3);
	char title[64];
	snprintf(title, sizeof title, "Seeded %s run %d", ref, n);
	struct jval run[] = {jv_text(checklist ? "checklist" : "runbook"), jv_text(ref), jv_text(title),
			     jv_text(n % 5 ? "production" : "staging"), jv_text(who), jv_text("ops"), jv_text("deck1"),
			     jv_int(at)};
	int64_t id;
	if (append(j, JT_RUNS, run, ARRAY_LEN(run), &id, err) < 0)
		return -1;
	struct jval ev[] = {jv_int(id), jv_text("started"), jv_null(), jv_int(at)};
	if (append(j, JT_RUN_EVENTS, ev, ARRAY_LEN(ev), NULL, err) < 0)
		return -1;
	for (int s = 1; s <= 6; s++) {
		char sid[8], obs[64];
		snprintf(sid, sizeof sid, "%d", s);
		snprintf(obs, sizeof obs, "shell: value = %d, baseline('p95_ms') = 120", 100 + (n + s) % 50);
		struct jval st[] = {jv_int(id), jv_text(sid), jv_text("Seeded step"),
				    jv_text(statuses[(n + s) % ARRAY_LEN(statuses)]), jv_text(obs),
				    jv_text("value <= baseline('p95_ms') * 1.1"), jv_text("seeded output\nline two\n"),
				    jv_null(), jv_int(s * 10), jv_int(at + s * 1000)};
		if (append(j, JT_STEP_RESULTS, st, ARRAY_LEN(st), NULL, err) < 0)
			return -1;
	}
	struct jval b[] = {jv_int(id), jv_text("p95_ms"), jv_real(120), jv_text("ms"), jv_int(at + 1000)};
	if (append(j, JT_BASELINES, b, ARRAY_LEN(b), NULL, err) < 0)
		return -1;
	const char *end = ends[n % ARRAY_LEN(ends)];
	struct jval e2[] = {jv_int(id), jv_text(end), jv_null(), jv_int(at + 9000)};
	if (end && append(j, JT_RUN_EVENTS, e2, ARRAY_LEN(e2), NULL, err) < 0)
		return -1;
	for (int k = 0; checklist && k < n % 3; k++) {
		struct jval so[] = {jv_int(id), jv_text(k ? "Engineering Lead" : "DBA"), jv_text(people[k]), jv_text("ops"),
				    jv_text("deck1"), jv_null(), n % 2 ? jv_text("step 5 failed: accepted") : jv_null(),
				    jv_null(), jv_int(at + 10000)};
		if (append(j, JT_SIGNOFFS, so, ARRAY_LEN(so), NULL, err) < 0)
			return -1;
	}
	return 0;
}

static int seed(struct journal *j, int runs, char **err)
{
	sqlite3_exec(journal_sqlite(j), "PRAGMA synchronous = OFF", NULL, NULL, NULL);
	int64_t start = now_wall_ms() - (int64_t)runs * 300000; /* one run every 5 minutes up to now */
	for (int n = 1; n <= runs; n += 1000) {
		if (chain_begin(j, "cannot seed", err) < 0)
			return -1;
		for (int k = n; k < n + 1000 && k <= runs; k++)
			if (seed_run(j, k, start + (int64_t)k * 300000, err) < 0) {
				chain_rollback(j);
				return -1;
			}
		if (chain_commit(j, "cannot seed", err) < 0)
			return -1;
	}
	return 0;
}

static double now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static double cpu_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static int failures;

static int by_value(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

/* Five tries: the median (what it usually takes), the slowest (on a machine shared with
 * other work the wall clock jumps), and the median CPU time (the query's own cost). */
struct timing {
	double wall[5], cpu[5];
	int n;
};

static void report(const char *label, struct timing *t, const char *extra)
{
	qsort(t->wall, (size_t)t->n, sizeof *t->wall, by_value);
	qsort(t->cpu, (size_t)t->n, sizeof *t->cpu, by_value);
	double median = t->wall[t->n / 2];
	printf("%-38s %7.1f ms  (slowest %6.1f, cpu %6.1f)  %s\n", label, median, t->wall[t->n - 1], t->cpu[t->n / 2],
	       extra);
	failures += median >= 100;
}

/* What opening the list (or applying a filter) costs: the first page, and the count
 * unless the page came back short (as the console does). */
static void time_list(struct journal *j, const char *label, const char *filter)
{
	struct review_filter f;
	struct timing t = {.n = 5};
	char *err = NULL, extra[80];
	if (review_filter_parse(&f, filter, now_wall_ms(), &err) < 0) {
		printf("%-38s  %s\n", label, err);
		free(err);
		failures++;
		return;
	}
	int64_t count = 0;
	int n = 0;
	for (int i = 0; i < t.n; i++) {
		struct review_row *rows;
		double w0 = now_ms(), c0 = cpu_ms();
		if (review_page(j, &f, INT64_MAX, -1, PAGE, &rows, &n, &err) < 0) {
			printf("%-38s  %s\n", label, err);
			free(err);
			failures++;
			return;
		}
		review_rows_free(rows, n);
		count = n < PAGE ? n : review_count(j, &f, &err);
		t.wall[i] = now_ms() - w0;
		t.cpu[i] = cpu_ms() - c0;
	}
	snprintf(extra, sizeof extra, "%7" PRId64 " runs, %d shown", count, n);
	report(label, &t, extra);
}

/* The last page (G) and a page in the middle (keyset: no OFFSET to walk). */
static void time_paging(struct journal *j, int runs)
{
	struct review_filter f = {0};
	struct review_row *rows;
	struct timing t = {.n = 5};
	char *err = NULL;
	int n;
	for (int i = 0; i < t.n; i++) {
		double w0 = now_ms(), c0 = cpu_ms();
		if (review_page(j, &f, 0, 1, PAGE, &rows, &n, &err) < 0)
			break;
		review_rows_free(rows, n);
		if (review_page(j, &f, runs / 2, -1, PAGE, &rows, &n, &err) < 0)
			break;
		review_rows_free(rows, n);
		t.wall[i] = now_ms() - w0;
		t.cpu[i] = cpu_ms() - c0;
	}
	report("last page (G) + a page in the middle", &t, "");
	failures += err != NULL;
	free(err);
}

int main(int argc, char **argv)
{
	if (argc < 2 || argc > 3) {
		fprintf(stderr, "usage: review-bench PATH [RUNS]\n");
		return 2;
	}
	int runs = argc > 2 ? atoi(argv[2]) : 100000;
	struct journal *j;
	char *err = NULL;
	if (journal_open(&j, argv[1], &err) < 0) {
		fprintf(stderr, "review-bench: %s\n", err);
		return 2;
	}
	struct review_filter all = {0};
	if (review_count(j, &all, &err) == 0) {
		double t0 = now_ms();
		if (seed(j, runs, &err) < 0) {
			fprintf(stderr, "review-bench: %s\n", err);
			return 2;
		}
		printf("seeded %d runs in %.1f s\n", runs, (now_ms() - t0) / 1000);
	}
	time_list(j, "open the list (no filter)", "");
	time_list(j, "ref=W3-4", "ref=W3-4");
	time_list(j, "operator=ana", "operator=ana");
	time_list(j, "state=failed", "state=failed");
	time_list(j, "state=open", "state=open");
	time_list(j, "since=7d", "since=7d");
	time_list(j, "ref=W3-4 state=failed since=30d", "ref=W3-4 state=failed since=30d");
	time_list(j, "/W3 (as you type)", "W3");
	time_list(j, "/nobody (no match: full scan)", "nobody");
	time_paging(j, runs);
	struct review_detail d;
	double t0 = now_ms();
	int rc = review_detail_load(j, runs / 2, &d, &err);
	printf("%-38s %7.1f ms  (%d steps, %d sign-offs)\n", "a run's detail", now_ms() - t0, d.n_steps, d.n_signoffs);
	failures += rc != 1;
	review_detail_done(&d);
	struct journal_verify v;
	t0 = now_ms();
	rc = journal_verify(j, &v, &err);
	printf("%-38s %7.1f ms  (%" PRId64 " rows, %s; on a worker thread)\n", "journal_verify (integrity badge)",
	       now_ms() - t0, v.rows, rc == 0 ? "intact" : "BROKEN");
	free(err);
	journal_close(j);
	return failures ? 1 : 0;
}
