/* Global command-line options shared by every subcommand. */
#ifndef OD_CLI_H
#define OD_CLI_H

struct cli {
	const char *config_path;  /* --config, NULL if not given */
	const char *env;          /* --env */
	const char *journal_path; /* --journal */
	int read_only;            /* --read-only */
	int json;                 /* --json */
	const char *start;        /* --start SCREEN: the console opens on it (panels, rollout) */
};

/* Exit codes (the contract the tests rely on). */
enum { EXIT_OK = 0, EXIT_CHECK_FAILED = 1, EXIT_USAGE = 2 };

/* Subcommands: one file each (src/cmd-*.c). argv[0] is the subcommand name.
 * They print their own errors and return an exit code. */
int cmd_snapshot(struct cli *cli, int argc, char **argv);
int cmd_journal(struct cli *cli, int argc, char **argv);
int cmd_lint(struct cli *cli, int argc, char **argv);
int cmd_run(struct cli *cli, int argc, char **argv);
int cmd_signoff(struct cli *cli, int argc, char **argv);
int cmd_rollback(struct cli *cli, int argc, char **argv);

#endif
