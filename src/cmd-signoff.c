/* opsdeck signoff RUN --role ROLE --name NAME [--comment TEXT] [--reason TEXT] [--corrects ID]:
 * one role signs a checklist run (rules in runbooks/signoff.c); prints which roles are still
 * missing. Exit 0 when recorded, 1 when refused, 2 on usage errors. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "runbooks/engine.h"
#include "src/cli.h"
#include "src/setup.h"
#include "src/util.h"
#include "store/journal.h"

static int usage(const char *why)
{
	fprintf(stderr, "opsdeck signoff: %s\nusage: opsdeck signoff RUN --role ROLE --name NAME [--comment TEXT] "
			"[--reason TEXT] [--corrects ID] [--file CHECKLIST.md]\n", why);
	return EXIT_USAGE;
}

int cmd_signoff(struct cli *cli, int argc, char **argv)
{
	struct rb_signoff_req q = {0};
	int64_t run_id = 0;
	const char *file_arg = NULL; /* a checklist outside the library */
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
		const char **slot = !strcmp(a, "--role") ? &q.role : !strcmp(a, "--name") ? &q.person
				  : !strcmp(a, "--comment") ? &q.comment : !strcmp(a, "--reason") ? &q.reason
				  : !strcmp(a, "--file") ? &file_arg : NULL;
		if (slot || !strcmp(a, "--corrects")) {
			if (!v)
				return usage("an option needs a value");
			if (slot)
				*slot = v;
			else
				q.corrects = strtoll(v, NULL, 10);
			i++;
		} else if (a[0] >= '1' && a[0] <= '9' && !run_id) {
			run_id = strtoll(a, NULL, 10);
		} else {
			return usage("unknown argument");
		}
	}
	if (!run_id || !q.role || !q.person)
		return usage("which run, which role, who? e.g. opsdeck signoff 12 --role DBA --name 'Ana Diaz'");
	struct config cfg = {0};
	if (setup_config(cli, &cfg)) {
		config_done(&cfg);
		return EXIT_USAGE;
	}
	q.roles_per_person = (int)cfg.opt[OPT_SIGNOFF_ROLES_PER_PERSON];
	char *path = cli->journal_path ? xstrdup(cli->journal_path) : journal_default_path(), *err = NULL, *file = NULL;
	struct journal *j = NULL;
	struct runbook rb = {0};
	struct journal_run_info ri = {0};
	int rc = EXIT_USAGE;
	if (journal_open(&j, path, &err) < 0)
		goto out;
	int found = journal_run_info(j, run_id, &ri, &err);
	if (found <= 0) {
		if (found == 0)
			err = xasprintf("there is no run %lld in %s", (long long)run_id, path);
		goto out;
	}
	if (!(file = rb_locate(file_arg ? file_arg : ri.ref, &err)) || runbook_load(&rb, file, &err) < 0)
		goto out;
	if (!str_eq(rb.id, ri.ref)) {
		err = xasprintf("run %lld is %s, but %s is %s", (long long)run_id, ri.ref, file, rb.id ? rb.id : "no checklist");
		goto out;
	}
	struct rb_env env = {.cfg = &cfg, .journal = j};
	struct rb_run r;
	rb_run_init(&r, &rb, &env);
	if (rb_run_load(&r, run_id, &err) == 0) {
		int64_t id = rb_signoff(&r, &q, &err);
		rc = EXIT_CHECK_FAILED;
		if (id > 0) {
			int64_t *ids = xcalloc((size_t)rb.n_roles + 1, sizeof(*ids));
			int missing = rb_signoff_state(&r, ids, &err);
			printf("sign-off #%lld recorded: %s signed as %s on run %lld (%s)%s\n", (long long)id, q.person,
			       q.role, (long long)run_id, ri.ref, q.reason ? " with a reason" : "");
			if (missing == 0)
				printf("every role has signed: %s run %lld is complete\n", ri.ref, (long long)run_id);
			else
				for (int i = 0; i < rb.n_roles; i++)
					if (!ids[i])
						printf("still to sign: %s\n", rb.roles[i].role);
			free(ids);
			rc = EXIT_OK;
		}
	}
	rb_run_done(&r);
out:
	if (err)
		fprintf(stderr, "opsdeck signoff: %s\n", err);
	free(err);
	free(file);
	free(path);
	journal_run_info_done(&ri);
	runbook_done(&rb);
	if (j)
		journal_close(j);
	config_done(&cfg);
	return rc;
}
