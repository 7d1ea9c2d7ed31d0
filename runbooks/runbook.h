/* A runbook as the console sees it, read from the Markdown dialect of runbooks/README.md
 * with md4c. Parsing never fails: whatever cannot be understood becomes a problem with a
 * line number (runbook_lint() adds the checks that need the whole document). */
#ifndef OD_RUNBOOK_H
#define OD_RUNBOOK_H

#include <stddef.h>

#include "runbooks/expect.h"

enum rb_meta { META_WHEN, META_DURATION, META_OWNER, META_GROUP, META_RELATED, META__COUNT };
enum rb_section {
	SEC_PREREQUISITES, SEC_INPUTS, SEC_STEPS, SEC_SUCCESS, SEC_TROUBLESHOOTING, SEC_ROLLBACK,
	/* checklists (runbooks/README.md "Checklists"); "## Phase N: Title" counts as Validation */
	SEC_BASELINE, SEC_VALIDATION, SEC_MONITORING, SEC_ISSUES, SEC_SIGNOFF,
	SEC__COUNT
};
#define SEC_RUNBOOK_LAST SEC_ROLLBACK /* the sections of a runbook, in their order */
enum probe_kind { PROBE_TEXT, PROBE_SQL, PROBE_REDIS, PROBE_HTTP, PROBE_SHELL, PROBE_UNKNOWN };

struct rb_problem {
	int line;
	char *msg;
};

struct rb_problems {
	struct rb_problem *v;
	int n;
};

/* One fenced code block of a step: a probe the console runs, or (PROBE_TEXT) text shown
 * to the operator of a manual step. */
struct probe {
	enum probe_kind kind;
	int line;         /* the opening fence */
	char *info;       /* the info string as written */
	char *target;     /* sql, shell: as written (see probe_target()); NULL = none given */
	char *method;     /* http: GET, HEAD, POST, PUT, PATCH, DELETE */
	char *path;       /* http: "/health"; NULL = none given */
	char *expect_src; /* NULL = none: the probe passes when it runs without error */
	struct expect *expect;
	char **params;    /* input names bound as $1, $2, ... */
	int n_params;
	char *capture;    /* capture=NAME or capture="NAME = EXPR" */
	struct expect *capture_expr; /* NULL: capture value */
	char *baseline;   /* baseline=NAME or baseline="NAME = EXPR": recorded in the journal */
	struct expect *baseline_expr;
	char *confirm;    /* the word typed to confirm a destructive probe; NULL = its target */
	int destructive, writes;
	double timeout_ms, wait_ms; /* 0 = default; wait: re-run until it passes or the time is up */
	double every_ms, for_ms;    /* checklists' ## Monitoring: run every every_ms for for_ms; 0 = once */
	char *unit;       /* baseline= unit: "ms", "%", "MB", "connections"; NULL = none */
	char *code;       /* the block's text */
};

struct step {
	int number;       /* from "### N. Title"; 0 when the heading had no number */
	char *title;
	int line;
	char *body;       /* the Markdown between this heading and the next, as written */
	struct probe *probes;
	int n_probes;
	int automatic;    /* at least one sql/redis/http/shell probe; else the operator confirms */
	int destructive, writes;
	int section;      /* SEC_STEPS; in a checklist SEC_BASELINE, SEC_VALIDATION or SEC_MONITORING */
	char *phase;      /* the ## section's title as written ("Baseline", "Phase 2: Deployment") */
	double every_ms, for_ms; /* the step's schedule (from its probes), 0 = once */
	const struct probe *typed_baseline; /* a text block with baseline=: the operator types it */
};

/* A row of a checklist's ## Issues found table. */
struct rb_issue {
	char *symptom, *runbook, *action;
	int line;
};

/* A role of a checklist's ## Sign-off: "- [ ] **DBA** verified replication". */
struct rb_signoff_role {
	char *role, *text;
	int line;
};

struct rb_input {
	char *name, *description, *type, *example;
	int line;
};

struct rb_ref {
	char *id; /* "RB-3" */
	int line;
};

struct rb_sect {
	int line; /* 0 = absent */
	char *body;
};

struct runbook {
	char *path;
	char *id;    /* "RB-1" or "CL-W3-4"; NULL when the title line is neither "# RB-N: Title"
		      * nor "# CL-NAME: Title" */
	int number;  /* 1 for RB-1; 0 for a checklist */
	int checklist; /* the title says CL-NAME */
	char *title;
	int title_line;
	char *summary;             /* paragraphs between the metadata and the first section */
	char *meta[META__COUNT];   /* values as written; NULL = absent */
	int meta_line[META__COUNT];
	double duration_min_ms, duration_max_ms; /* both 0 for "variable" or a bad duration */
	struct rb_ref *related;    /* **Related:** */
	int n_related;
	struct rb_ref *mentions;   /* every RB-N written anywhere in the text */
	int n_mentions;
	struct rb_input *inputs;
	int n_inputs;
	char **prerequisites, **success; /* list items of those sections, as plain text */
	int n_prerequisites, n_success;
	struct step *steps;
	int n_steps;
	struct rb_sect sections[SEC__COUNT];
	int n_lines;
	struct rb_issue *issues;   /* checklists: ## Issues found */
	int n_issues;
	struct rb_signoff_role *roles; /* checklists: ## Sign-off */
	int n_roles;
	struct rb_problems problems; /* sorted by line after runbook_lint() */
};

/* Parses text (len bytes). path is only used in messages and kept in rb->path. */
void runbook_parse(struct runbook *rb, const char *path, const char *text, size_t len);
/* Reads and parses a file; -1 with *err (malloced) when it cannot be read. */
int runbook_load(struct runbook *rb, const char *path, char **err);
void runbook_done(struct runbook *rb);

const char *rb_section_title(enum rb_section s); /* "Success criteria" */
size_t rb_id_at(const char *s, size_t n);       /* length of an "RB-<digits>" at s, or 0 */
const char *rb_meta_key(enum rb_meta m);         /* "When" */
const char *probe_kind_name(enum probe_kind k);  /* "sql" */

/* The dialect's rules on info strings, inputs and durations (runbook_info.c). */
void rb_problem(struct rb_problems *p, int line, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
void rb_problems_done(struct rb_problems *p);
/* Fills pr from an info string; problems go to out with line pr->line. */
void probe_parse_info(struct probe *pr, const char *info, struct rb_problems *out);
void probe_done(struct probe *pr);
/* One line of a redis probe as argv: words split on blanks, "..." (with \" \\ \n \t) and
 * '...' quoted. Returns argc (0 for a blank or # comment line), or -1 with *why. Free the
 * words and the array. */
int redis_split(const char *line, char ***argv, char **why);
enum target_kind {
	TARGET_NONE, TARGET_PRIMARY, TARGET_PGBOUNCER, TARGET_EACH_REPLICA,
	TARGET_REPLICA,       /* replica.NAME */
	TARGET_REPLICA_INPUT, /* replica.$INPUT: the replica an input of type replica names */
	TARGET_BAD
};
/* What target= names; for TARGET_REPLICA(_INPUT) *replica points at NAME (INPUT) inside target. */
enum target_kind probe_target(const char *target, const char **replica);
/* "5 min", "15-30 min", "1-2 h", "variable": 0 and the range in ms, or -1. */
int rb_parse_duration(const char *text, double *min_ms, double *max_ms);

/* Inputs (runbook_inputs.c). Types: text, name, integer [A..B], number [A..B], duration,
 * replica, /regex/. */
int rb_input_type_ok(const char *type, char **why);
/* 0 if value is acceptable for the input, else -1 and *why (malloced). replicas (may be
 * NULL) are the configured replica names for the replica type. */
int rb_input_check(const struct rb_input *in, const char *value, const char *const *replicas,
		   int n_replicas, char **why);
/* "OPSDECK_INPUT_REPLICA_NAME" for "replica_name"; malloced. */
char *rb_input_env(const char *name);
int rb_input_name_ok(const char *name);   /* letters, digits, _ */
int rb_replica_name_ok(const char *name); /* letters, digits, _, - (as the config allows) */

#endif
