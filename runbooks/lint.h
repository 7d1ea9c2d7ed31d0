/* The whole-document rules of the runbook dialect (runbooks/README.md, "Lint"): what
 * `opsdeck lint` reports besides what the parser already found. Pure: the caller passes
 * what it knows about the world (the config's replicas, the runbooks that exist). */
#ifndef OD_LINT_H
#define OD_LINT_H

#include "runbooks/runbook.h"

struct lint_opts {
	/* With a config: target=replica.NAME must name one of these. */
	int have_config;
	const char *const *replicas;
	int n_replicas;
	/* Runbook IDs that exist besides the catalogue RB-1 ... RB-23 (the library's files). */
	const char *const *ids;
	int n_ids;
};

#define RB_CATALOGUE_LAST 23 /* seed 001: RB-1 ... RB-23 */

/* Adds the problems of the whole-document rules to rb->problems and sorts them all by
 * line (stable). o may be NULL. */
void runbook_lint(struct runbook *rb, const struct lint_opts *o);
/* 1 if id is in the catalogue or in o->ids. */
int rb_id_known(const char *id, const struct lint_opts *o);

#endif
