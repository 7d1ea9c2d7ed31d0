/* opsdeck run: what its files share: src/cmd-run.c (options, the walk through a run's steps),
 * cmd-run-hook.c (--manual-hook), cmd-run-out.c (what it prints) and cmd-run-periodic.c
 * (periodic monitoring: --periodic, and each periodic step's first check). */
#ifndef OD_CMD_RUN_H
#define OD_CMD_RUN_H

#include <cjson/cJSON.h>
#include <stdint.h>

#include "runbooks/engine.h"

struct cli;
struct journal;

struct step_range {
	int from, to;
};

struct run_opts {
	const char *which;
	char **inputs; /* NAME=VALUE */
	int n_inputs;
	char **confirms;
	int n_confirms;
	char **values; /* NAME=NUMBER for typed baselines */
	int n_values;
	char *hook;    /* --manual-hook, its command resolved against the caller's cwd/PATH */
	int auto_, periodic, follow;
	struct step_range *steps; /* --steps A-B,C,...; none: every step */
	int n_steps;
	int64_t resume; /* -1: the newest open run */
	int resume_given;
};

/* Whether --steps selects step number (every step without --steps). */
int run_in_steps(const struct run_opts *o, int number);
/* --manual-hook's command with its first word made absolute (the caller's directory, PATH),
 * shell-quoted; malloced. NULL with *why when a path names no executable file. */
char *run_resolve_hook(const char *cmd, char **why);
/* Manual step i done by the hook: 1 when the step has a new result to record. */
int run_manual_by_hook(struct rb_run *r, const struct run_opts *o, int i);
/* A step's line (and its schedule, for a periodic step) as the walk goes. */
void run_print_step(const struct rb_run *r, const struct run_opts *o, int i, double scale);
/* The run's result: a line (and what is left, for an open run) or the JSON document. */
void run_print_result(const struct rb_run *r, const struct cli *cli, const struct journal *j, const char *state,
		      const char *which);

/* One check of periodic step i, due now: its probes run, the result is recorded with the
 * note "check k of N (due HH:MM)". 0, or -1 with *err (not recorded). */
int run_check(struct rb_run *r, int i, double scale, char **err);
/* A time of day for messages: "14:05", with seconds when the schedule is compressed, and the
 * date when it is not today; into buf. */
const char *run_clock(int64_t wall_ms, double scale, char *buf, int size);
/* The note of check k (from 0) of n, due at due_ms: "check 3 of 7 (due 14:00)", the same from
 * cron and the console. Malloced. */
char *run_check_note(int k, int n, int64_t due_ms, double scale);
/* Under a step's result: its checks so far and the next one due, or "window over". */
void run_print_schedule(const struct rb_run *r, int i, double scale, int64_t now_ms);
/* The same for --json; NULL when step i is not periodic. */
cJSON *run_schedule_json(const struct rb_run *r, int i, double scale, int64_t now_ms);
/* What the operator still checks by hand at each check of step i (its text blocks). */
void run_print_manual_part(const struct rb_run *r, int i);
/* opsdeck run CL --periodic [--follow]: r loaded from the open run. Returns the exit code. */
int run_periodic(const struct cli *cli, const struct run_opts *o, struct rb_run *r);

#endif
