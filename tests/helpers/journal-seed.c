/* Seeds a journal through the store API, for tests/integration/journal-tamper.sh and
 * benchmarks: journal-seed PATH [RUNS [STEPS [SAMPLES]]] [--fast]
 * Each run gets STEPS step results, a baseline and an end event; SAMPLES samples are
 * recorded after each run. --fast turns fsync off (benchmarks only). */
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "src/util.h"
#include "store/journal.h"

static const char *const statuses[] = {"pass", "pass", "fail", "manual-ok", "skip"};

static int die(char *err)
{
	fprintf(stderr, "journal-seed: %s\n", err);
	free(err);
	return 1;
}

static int seed_run(struct journal *j, int n, int steps, int samples, char **err)
{
	char *ref = xasprintf("RB-%d", n % 23 + 1), *title = xasprintf("Seeded run %d", n);
	struct journal_run r = {"runbook", ref, title, "lab", "seed", NULL, NULL};
	int64_t id = journal_run_begin(j, &r, err);
	free(ref);
	free(title);
	if (id < 0)
		return -1;
	for (int s = 1; s <= steps; s++) {
		char *sid = xasprintf("%d", s), *obs = xasprintf("%d", s * 7);
		char *out = xasprintf("step %d of run %d\nline two\n", s, n);
		struct journal_step st = {id, sid, "Seeded step", statuses[(n + s) % ARRAY_LEN(statuses)],
					  obs, "value < 1000", out, NULL, s * 10};
		int rc = journal_step_record(j, &st, err);
		free(sid);
		free(obs);
		free(out);
		if (rc < 0)
			return -1;
	}
	if (journal_baseline(j, id, "p95_ms", 120.5 + n, "ms", err) < 0 ||
	    journal_run_end(j, id, "done", err) < 0)
		return -1;
	for (int s = 0; s < samples; s++)
		if (journal_sample(j, "replica.east", "replay_lag_ms", s * 1.5, "ms", err) < 0)
			return -1;
	return 0;
}

int main(int argc, char **argv)
{
	int fast = argc > 1 && !strcmp(argv[argc - 1], "--fast");
	if (fast)
		argc--;
	if (argc < 2 || argc > 5) {
		fprintf(stderr, "usage: journal-seed PATH [RUNS [STEPS [SAMPLES]]] [--fast]\n");
		return 2;
	}
	int runs = argc > 2 ? atoi(argv[2]) : 3, steps = argc > 3 ? atoi(argv[3]) : 4;
	int samples = argc > 4 ? atoi(argv[4]) : 2;
	struct journal *j;
	char *err = NULL;
	if (journal_open(&j, argv[1], &err) < 0)
		return die(err);
	if (fast)
		sqlite3_exec(journal_sqlite(j), "PRAGMA synchronous = OFF", NULL, NULL, NULL);
	for (int n = 1; n <= runs; n++) {
		if (seed_run(j, n, steps, samples, &err) < 0) {
			journal_close(j);
			return die(err);
		}
	}
	journal_close(j);
	return 0;
}
