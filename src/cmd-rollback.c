/* opsdeck rollback RUN --reason TEXT: the change a checklist run validated was rolled back.
 * Records a "rolled-back" event with the reason on the run, which ends it; the rollout
 * tracker then shows that checklist "rolled back". Exit 0 recorded, 1 refused (not a
 * checklist's run, already rolled back), 2 usage or journal errors. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "runbooks/rollout.h"
#include "src/cli.h"
#include "src/util.h"
#include "store/journal.h"

static int usage(const char *why)
{
	fprintf(stderr, "opsdeck rollback: %s\nusage: opsdeck rollback RUN --reason TEXT\n", why);
	return EXIT_USAGE;
}

int cmd_rollback(struct cli *cli, int argc, char **argv)
{
	const char *reason = NULL;
	int64_t run_id = 0;
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--reason")) {
			if (i + 1 >= argc)
				return usage("--reason needs the reason");
			reason = argv[++i];
		} else if (!strncmp(argv[i], "--reason=", 9)) {
			reason = argv[i] + 9;
		} else if (argv[i][0] >= '1' && argv[i][0] <= '9' && !run_id && strspn(argv[i], "0123456789") == strlen(argv[i])) {
			run_id = strtoll(argv[i], NULL, 10);
		} else {
			return usage("unknown argument");
		}
	}
	if (!run_id)
		return usage("which run? e.g. opsdeck rollback 12 --reason 'p95 doubled after the replicas took the reads'");
	if (!reason || !*reason)
		return usage("a roll-back needs its reason: --reason TEXT");
	char *path = cli->journal_path ? xstrdup(cli->journal_path) : journal_default_path(), *err = NULL;
	struct journal *j = NULL;
	int rc = EXIT_USAGE;
	if (journal_open(&j, path, &err) == 0) {
		struct journal_run_info ri;
		int found = journal_run_info(j, run_id, &ri, &err);
		if (found == 0)
			err = xasprintf("there is no run %lld in %s", (long long)run_id, path);
		if (found == 1 && rollout_rollback(j, run_id, reason, &err) == 0) {
			printf("run %lld (%s) marked rolled back: %s\n", (long long)run_id, ri.ref, reason);
			rc = EXIT_OK;
		} else if (found == 1) {
			rc = EXIT_CHECK_FAILED;
		}
		if (found == 1)
			journal_run_info_done(&ri);
	}
	if (err)
		fprintf(stderr, "opsdeck rollback: %s\n", err);
	free(err);
	free(path);
	if (j)
		journal_close(j);
	return rc;
}
