/* opsdeck journal list|show RUN|verify|export: reading and checking the journal.
 * All of them open the journal read-only: looking at evidence never changes it. (verify and
 * export md leave a signed verification mark beside it, FILE.verified: store/checkpoint.h.) */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <cjson/cJSON.h>

#include "src/cli.h"
#include "src/export.h"
#include "src/util.h"
#include "store/journal.h"

#define MAX_ARGS 4

struct jctx {
	const char *path;
	int json;
	int nargs;
	char *args[MAX_ARGS]; /* positional arguments after the subcommand */
	const char *bad_opt;  /* first unknown option, reported once the command is known */
	const char *format;   /* export: md, json, csv */
	const char *head;     /* verify --head SEQ:HASH */
	int limit;            /* list: the newest N runs, 0 = all (default 100) */
};

struct journal_cmd {
	const char *name;
	int min_args, max_args;
	const char *usage;
	int (*exec)(struct jctx *ctx);
};

static int journal_cmd_list(struct jctx *ctx);
static int journal_cmd_show(struct jctx *ctx);
static int journal_cmd_verify(struct jctx *ctx);
static int journal_cmd_export(struct jctx *ctx);

static const struct journal_cmd journal_cmds[] = {
	{"list", 0, 0, "list [--limit N | --all] [--json]   (default: the newest 100 runs)", journal_cmd_list},
	{"show", 1, 1, "show RUN|last [--json]", journal_cmd_show},
	{"verify", 0, 0, "verify [--head SEQ:HASH] [--json]", journal_cmd_verify},
	{"export", 0, 1, "export [--format md|json|csv] [RUN|last]   (default: md of the newest run)",
	 journal_cmd_export},
};

static void usage(FILE *out)
{
	for (size_t i = 0; i < ARRAY_LEN(journal_cmds); i++)
		fprintf(out, "%s opsdeck journal %s\n", i ? "      " : "usage:", journal_cmds[i].usage);
	fputs("options: --journal FILE   the journal (default $XDG_DATA_HOME/opsdeck/journal.db)\n"
	      "         --json           machine-readable output\n", out);
}

static int usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static int usage_error(const char *fmt, ...)
{
	va_list ap;
	fputs("opsdeck journal: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	usage(stderr);
	return EXIT_USAGE;
}

static const struct journal_cmd *find_cmd(const char *name)
{
	for (size_t i = 0; i < ARRAY_LEN(journal_cmds); i++)
		if (strcmp(journal_cmds[i].name, name) == 0)
			return &journal_cmds[i];
	return NULL;
}

/* Options may come before or after the subcommand's arguments.
 * Returns -1 when parsed, or the exit code to return now. */
static int parse_args(struct jctx *ctx, int argc, char **argv)
{
	int only_args = 0;
	for (int i = 0; i < argc; i++) {
		const char *a = argv[i];
		if (only_args || a[0] != '-' || !a[1]) {
			if (ctx->nargs == MAX_ARGS)
				return usage_error("too many arguments at '%s'", a);
			ctx->args[ctx->nargs++] = argv[i];
		} else if (!strcmp(a, "--")) {
			only_args = 1;
		} else if (!strcmp(a, "--format")) {
			if (++i == argc)
				return usage_error("%s needs md, json or csv", a);
			ctx->format = argv[i];
		} else if (str_starts(a, "--format=")) {
			ctx->format = a + strlen("--format=");
		} else if (!strcmp(a, "--json")) {
			ctx->json = 1;
		} else if (!strcmp(a, "--all")) {
			ctx->limit = 0;
		} else if (!strcmp(a, "--limit")) {
			char *end;
			long n = ++i < argc ? strtol(argv[i], &end, 10) : 0;
			if (i == argc || *end || n < 1 || n > 1000000000)
				return usage_error("%s needs a number of runs, 1 or more", a);
			ctx->limit = (int)n;
		} else if (!strcmp(a, "--head")) {
			if (++i == argc)
				return usage_error("%s needs SEQ:HASH (from an export's \"chain head\" line)", a);
			ctx->head = argv[i];
		} else if (!strcmp(a, "--journal")) {
			if (++i == argc)
				return usage_error("%s needs a FILE", a);
			ctx->path = argv[i];
		} else if (str_starts(a, "--journal=")) {
			ctx->path = a + strlen("--journal=");
		} else if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			usage(stdout);
			return EXIT_OK;
		} else if (!ctx->bad_opt) {
			ctx->bad_opt = a;
		}
	}
	return -1;
}

static int file_missing(const char *path)
{
	struct stat sb;
	return stat(path, &sb) < 0 && errno == ENOENT;
}

/* Prints the error and returns the exit code. */
static int report_error(char *err, int code)
{
	fprintf(stderr, "opsdeck: %s\n", err ? err : "unknown journal error");
	free(err);
	return code;
}

static int open_ro(struct jctx *ctx, struct journal **j, int fail_code)
{
	char *err = NULL;
	if (journal_open_readonly(j, ctx->path, &err) < 0)
		return report_error(err, fail_code);
	return -1;
}

static void print_json(cJSON *doc)
{
	char *s = cJSON_Print(doc);
	if (!s)
		fatal("out of memory printing JSON");
	puts(s);
	free(s);
	cJSON_Delete(doc);
}

static int journal_cmd_list(struct jctx *ctx)
{
	if (file_missing(ctx->path)) { /* same answer as an empty journal */
		if (!ctx->json) {
			printf("no runs recorded yet in %s\n", ctx->path);
			return EXIT_OK;
		}
		cJSON *doc = cJSON_CreateObject();
		cJSON_AddStringToObject(doc, "journal", ctx->path);
		cJSON_AddArrayToObject(doc, "runs");
		print_json(doc);
		return EXIT_OK;
	}
	struct journal *j;
	char *err = NULL;
	int rc = open_ro(ctx, &j, EXIT_USAGE);
	if (rc >= 0)
		return rc;
	rc = journal_list_newest(j, stdout, ctx->json, ctx->limit, &err) < 0 ? report_error(err, EXIT_CHECK_FAILED) : EXIT_OK;
	journal_close(j);
	return rc;
}

/* RUN: a positive id, or 0 for "last"; -1 if neither. */
static int64_t parse_run(const char *arg)
{
	char *end;
	if (!strcmp(arg, "last"))
		return 0;
	errno = 0;
	long long id = strtoll(arg, &end, 10);
	return errno || end == arg || *end || id <= 0 ? -1 : (int64_t)id;
}

/* The newest run's id, or 0 after printing why there is none. */
static int64_t last_run(struct journal *j)
{
	char *err = NULL;
	int64_t id = journal_last_run(j, &err);
	if (id < 0)
		report_error(err, 0);
	else if (id == 0)
		fprintf(stderr, "opsdeck: no runs recorded yet in %s\n", journal_path(j));
	return id > 0 ? id : 0;
}

static int journal_cmd_show(struct jctx *ctx)
{
	struct journal *j;
	char *err = NULL;
	int64_t id = parse_run(ctx->args[0]);
	if (id < 0)
		return usage_error("RUN is a run id (see `opsdeck journal list`) or 'last', not '%s'",
				   ctx->args[0]);
	int rc = open_ro(ctx, &j, EXIT_USAGE);
	if (rc >= 0)
		return rc;
	if (id == 0 && (id = last_run(j)) == 0)
		rc = EXIT_USAGE;
	else if ((rc = journal_show(j, id, stdout, ctx->json, &err)) != 0)
		rc = report_error(err, rc == 1 ? EXIT_USAGE : EXIT_CHECK_FAILED);
	journal_close(j);
	return rc;
}

static const char *checkpoint_words(const struct journal_verify *v, const char *given)
{
	if (given)
		return "reaches the given head (the journal still holds the row it names, unchanged)";
	switch (v->checkpoint) {
	case 1: return "reaches its checkpoint (signed with this user's key): nothing was cut off the end";
	case 2: return "reaches its checkpoint (signed with another user's key, not checked)";
	default: return "no checkpoint beside it (FILE.head): a tail cut off would not be seen; "
			"check against an export's chain head with --head SEQ:HASH";
	}
}

/* verify --head SEQ:HASH: the journal still holds that row, unchanged. 0 yes, 1 no (v says
 * why), 2 a malformed argument, -1 error. */
static int check_head(struct journal *j, const char *arg, struct journal_verify *v, char **err)
{
	long long seq;
	char want[65], at[65];
	int used = 0;
	if (sscanf(arg, "%lld:%64[0-9a-f]%n", &seq, want, &used) != 2 || arg[used] || seq < 1 || strlen(want) < 16) {
		*err = xasprintf("--head '%s': expected SEQ:HASH, e.g. 1234:9f86d081884c7d65 (16 to 64 hex digits)", arg);
		return 2;
	}
	int f = journal_hash_at(j, seq, at, err);
	if (f < 0)
		return -1;
	if (f == 0 || strncmp(at, want, strlen(want))) {
		v->first_bad_seq = seq;
		snprintf(v->table, sizeof v->table, "%s", "given head");
		v->row_id = 0;
		snprintf(v->reason, sizeof v->reason, f == 0 ? "the journal ends at seq %lld, before the given head: rows were cut off the end"
							       : "the row at seq %lld is not the one given: the journal was rewritten",
			 f == 0 ? (long long)v->head_seq : seq);
		return 1;
	}
	return 0;
}

static void print_verify_json(const char *path, int broken, const struct journal_verify *v)
{
	cJSON *doc = cJSON_CreateObject();
	cJSON_AddStringToObject(doc, "journal", path);
	cJSON_AddBoolToObject(doc, "intact", !broken);
	cJSON_AddNumberToObject(doc, "rows", (double)v->rows);
	cJSON_AddNumberToObject(doc, "head_seq", (double)v->head_seq);
	cJSON_AddStringToObject(doc, "head", v->head);
	cJSON_AddStringToObject(doc, "checkpoint", v->checkpoint == 1 ? "reached" : v->checkpoint == 2 ? "reached-other-key" : "none");
	if (broken) {
		cJSON *bad = cJSON_AddObjectToObject(doc, "first_bad");
		cJSON_AddNumberToObject(bad, "seq", (double)v->first_bad_seq);
		cJSON_AddStringToObject(bad, "table", v->table);
		cJSON_AddNumberToObject(bad, "id", (double)v->row_id);
		cJSON_AddStringToObject(bad, "reason", v->reason);
	}
	print_json(doc);
}

/* Exit 0 intact, 1 tampered or unreadable (not provably intact), 2 no such file. */
static int journal_cmd_verify(struct jctx *ctx)
{
	struct journal *j;
	struct journal_verify v;
	char *err = NULL;
	int rc = open_ro(ctx, &j, file_missing(ctx->path) ? EXIT_USAGE : EXIT_CHECK_FAILED);
	if (rc >= 0)
		return rc;
	int res = journal_verify(j, &v, &err);
	if (res == 0 && ctx->head && (res = check_head(j, ctx->head, &v, &err)) == 2) {
		journal_close(j);
		return report_error(err, EXIT_USAGE);
	}
	journal_close(j);
	if (res < 0)
		return report_error(err, EXIT_CHECK_FAILED);
	if (ctx->json)
		print_verify_json(ctx->path, res, &v);
	else if (res == 0)
		printf("journal %s: intact, %" PRId64 " rows, chain head %" PRId64 ":%s\n  %s\n", ctx->path, v.rows,
		       v.head_seq, v.head, checkpoint_words(&v, ctx->head));
	else
		printf("journal %s: row seq %" PRId64 " (table %s id %" PRId64 "): %s\n", ctx->path,
		       v.first_bad_seq, v.table, v.row_id, v.reason);
	return res == 0 ? EXIT_OK : EXIT_CHECK_FAILED;
}

static int journal_cmd_export(struct jctx *ctx)
{
	const char *format = ctx->format ? ctx->format : ctx->json ? "json" : "md";
	if (strcmp(format, "md") && strcmp(format, "json") && strcmp(format, "csv"))
		return usage_error("unknown format '%s' (md, json or csv)", format);
	struct journal *j;
	int rc = open_ro(ctx, &j, EXIT_CHECK_FAILED);
	if (rc >= 0)
		return rc;
	char *err = NULL;
	int64_t run = ctx->nargs && strcmp(ctx->args[0], "last") ? strtoll(ctx->args[0], NULL, 10)
							       : journal_last_run(j, &err);
	if (run <= 0) {
		journal_close(j);
		if (run == 0 && !err)
			err = xstrdup("no runs recorded yet");
		return report_error(err, EXIT_CHECK_FAILED);
	}
	int res = export_run(j, run, format, stdout, &err);
	journal_close(j);
	if (res != 0)
		return report_error(err, EXIT_CHECK_FAILED);
	return EXIT_OK;
}

int cmd_journal(struct cli *cli, int argc, char **argv)
{
	struct jctx ctx = {.path = cli->journal_path, .json = cli->json, .limit = 100};
	int rc = parse_args(&ctx, argc - 1, argv + 1);
	if (rc >= 0)
		return rc;
	if (ctx.nargs == 0)
		return usage_error("%s", "which journal command? (list, show, verify, export)");
	const struct journal_cmd *cmd = find_cmd(ctx.args[0]);
	if (!cmd)
		return usage_error("unknown command '%s'", ctx.args[0]);
	if (!cmd->exec) {
		fprintf(stderr, "opsdeck journal %s: not implemented yet\n", cmd->name);
		return EXIT_USAGE;
	}
	if (ctx.bad_opt)
		return usage_error("unknown option '%s'", ctx.bad_opt);
	int nargs = ctx.nargs - 1;
	if (nargs < cmd->min_args || nargs > cmd->max_args)
		return usage_error("wrong number of arguments for '%s'", cmd->name);
	memmove(ctx.args, ctx.args + 1, (size_t)nargs * sizeof ctx.args[0]);
	ctx.nargs = nargs;
	char *def = ctx.path ? NULL : journal_default_path();
	if (def)
		ctx.path = def;
	rc = cmd->exec(&ctx);
	free(def);
	return rc;
}
