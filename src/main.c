/* opsdeck: the command line. Global options may stand anywhere; the first other word
 * picks the command (none = the full-screen console). */
#include <locale.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "opsdeck-config.h"
#include "src/cli.h"
#include "src/config.h"
#include "src/util.h"
#include "tui/tui.h"

struct command {
	const char *name;
	const char *args;
	const char *help;
	int (*exec)(struct cli *cli, int argc, char **argv);
};

static const struct command commands[] = {
	{"snapshot", "[--json]", "poll every panel once, print, exit 0 (or 1 if anything is critical)", cmd_snapshot},
	{"journal", "list|show RUN|verify [--json]", "read and check the journal", cmd_journal},
	{"run", "RB-N --auto [--input N=V]... [--confirm WORD]... [--manual-hook CMD] [--steps A-B] [--resume [RUN]] [--json]",
	 "run a runbook's automatic steps headless and record them; exit 1 if one failed", cmd_run},
	{"signoff", "RUN --role ROLE --name NAME [--comment TEXT] [--reason TEXT] [--corrects ID]",
	 "sign a checklist run for one role; a run with failed or unchecked steps needs --reason", cmd_signoff},
	{"rollback", "RUN --reason TEXT", "record that the change a checklist run validated was rolled back", cmd_rollback},
	{"lint", "[FILE|DIR...]", "check runbooks against the dialect (runbooks/README.md); exit 1 on problems", cmd_lint},
};

static void usage(FILE *out)
{
	fprintf(out,
		"Usage: opsdeck [OPTIONS]            open the console\n"
		"       opsdeck [OPTIONS] COMMAND    run a command and exit\n"
		"\n"
		"Options (anywhere on the line):\n"
		"  --config FILE    config file (default: $OPSDECK_CONFIG, then $XDG_CONFIG_HOME/opsdeck/config.ini)\n"
		"  --env NAME       environment = section of the config file (needed when it has several)\n"
		"  --journal FILE   journal database (default: $XDG_DATA_HOME/opsdeck/journal.db)\n"
		"  --read-only      refuse destructive steps and writing probes\n"
		"  --start SCREEN   the console opens on SCREEN: panels (default) or rollout (the tracker)\n"
		"  --json           machine-readable output (snapshot, journal)\n"
		"  -h, --help       this help;  -V, --version  the version\n"
		"\nCommands:\n");
	for (size_t i = 0; i < ARRAY_LEN(commands); i++) {
		char head[64];
		snprintf(head, sizeof(head), "%s %s", commands[i].name, commands[i].args);
		fprintf(out, "  %-36s %s\n", head, commands[i].help);
	}
	fprintf(out,
		"\nExit codes: 0 success, 1 a check failed or something is critical, 2 usage or configuration error.\n"
		"\nConfig options (INI; keys before the first [section] apply to every environment):\n"
		"  primary = <libpq conninfo or URI>    replica.NAME = <conninfo>    pgbouncer = <conninfo>\n"
		"  redis = redis://host:port/db         api = https://host\n");
	config_print_options(out);
	fprintf(out, "\nPasswords belong in ~/.pgpass (or passfile=), a pg_service.conf service, REDISCLI_AUTH or\n"
		     "redis.password_file - never in the config file. See opsdeck(1).\n");
}

/* Takes "--name VALUE" or "--name=VALUE" at argv[*i]; returns the value or NULL. */
static const char *opt_value(int argc, char **argv, int *i, const char *name, int *bad)
{
	size_t n = strlen(name);
	if (strncmp(argv[*i], name, n) != 0)
		return NULL;
	if (argv[*i][n] == '=')
		return argv[*i] + n + 1;
	if (argv[*i][n] != '\0')
		return NULL;
	if (*i + 1 >= argc) {
		fprintf(stderr, "opsdeck: %s needs a value (see opsdeck --help)\n", name);
		*bad = 1;
		return NULL;
	}
	return argv[++*i];
}

/* Removes the global options from argv; the rest stays in order. */
static int parse_globals(struct cli *cli, int *argc, char **argv, int *help, int *version)
{
	int out = 1, bad = 0;
	for (int i = 1; i < *argc && !bad; i++) {
		const char *v;
		if ((v = opt_value(*argc, argv, &i, "--config", &bad)))
			cli->config_path = v;
		else if ((v = opt_value(*argc, argv, &i, "--env", &bad)))
			cli->env = v;
		else if ((v = opt_value(*argc, argv, &i, "--journal", &bad)))
			cli->journal_path = v;
		else if ((v = opt_value(*argc, argv, &i, "--start", &bad)))
			cli->start = v;
		else if (bad)
			break;
		else if (!strcmp(argv[i], "--read-only"))
			cli->read_only = 1;
		else if (!strcmp(argv[i], "--json"))
			cli->json = 1;
		else if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help"))
			*help = 1;
		else if (!strcmp(argv[i], "-V") || !strcmp(argv[i], "--version"))
			*version = 1;
		else
			argv[out++] = argv[i];
	}
	*argc = out;
	argv[out] = NULL;
	return bad ? -1 : 0;
}

int main(int argc, char **argv)
{
	struct cli cli = {0};
	int help = 0, version = 0;
	setlocale(LC_ALL, "");
	signal(SIGPIPE, SIG_IGN); /* a server closing mid-write is an error to report, not a reason to die */
	if (parse_globals(&cli, &argc, argv, &help, &version) < 0)
		return EXIT_USAGE;
	if (help) {
		usage(stdout);
		return EXIT_OK;
	}
	if (version) {
		printf("opsdeck %s\n", PACKAGE_VERSION);
		return EXIT_OK;
	}
	if (argc < 2)
		return tui_main(&cli);
	if (argv[1][0] == '-') {
		fprintf(stderr, "opsdeck: unknown option '%s' (see opsdeck --help)\n", argv[1]);
		return EXIT_USAGE;
	}
	for (size_t i = 0; i < ARRAY_LEN(commands); i++)
		if (!strcmp(argv[1], commands[i].name))
			return commands[i].exec(&cli, argc - 1, argv + 1);
	fprintf(stderr, "opsdeck: unknown command '%s'; commands:", argv[1]);
	for (size_t i = 0; i < ARRAY_LEN(commands); i++)
		fprintf(stderr, " %s", commands[i].name);
	fprintf(stderr, " (see opsdeck --help)\n");
	return EXIT_USAGE;
}
