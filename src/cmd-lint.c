/* opsdeck lint [FILE|DIR...]: check runbooks against the dialect (runbooks/README.md) and
 * print "file:line: message" for every problem, then "N runbooks, M problems".
 * Without arguments it checks the library: runbooks/library/ of the source tree it is run
 * from (or built in), else the installed PKGDATADIR/runbooks. Exit 0 clean, 1 problems,
 * 2 usage (or a file that cannot be read, or a bad --config). */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "src/cli.h"
#include "src/config.h"
#include "src/util.h"
#include "runbooks/engine.h"
#include "runbooks/lint.h"

int cmd_lint(struct cli *cli, int argc, char **argv); /* also in src/cli.h */

struct files {
	char **v;
	int n;
};

static void files_add(struct files *f, char *path)
{
	f->v = xrealloc(f->v, sizeof(*f->v) * (size_t)(f->n + 1));
	f->v[f->n++] = path;
}

static int is_dir(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

/* RB-2.md before RB-10.md; other names alphabetically after. */
static int by_name(const void *a, const void *b)
{
	const char *x = strrchr(*(char *const *)a, '/'), *y = strrchr(*(char *const *)b, '/');
	x = x ? x + 1 : *(char *const *)a;
	y = y ? y + 1 : *(char *const *)b;
	int nx = !strncmp(x, "RB-", 3) ? atoi(x + 3) : 0, ny = !strncmp(y, "RB-", 3) ? atoi(y + 3) : 0;
	if (nx && ny && nx != ny)
		return nx < ny ? -1 : 1;
	if (!nx != !ny)
		return nx ? -1 : 1;
	return strcmp(x, y);
}

/* Every *.md in dir, sorted. -1 if dir cannot be read. */
static int list_dir(const char *dir, struct files *f)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int first = f->n;
	if (!d)
		return -1;
	while ((e = readdir(d))) {
		size_t n = strlen(e->d_name);
		if (n > 3 && e->d_name[0] != '.' && !strcmp(e->d_name + n - 3, ".md") && strcmp(e->d_name, "README.md"))
			files_add(f, xasprintf("%s/%s", dir, e->d_name));
	}
	closedir(d);
	qsort(f->v + first, (size_t)(f->n - first), sizeof(*f->v), by_name);
	return 0;
}

static int usage_error(const char *msg, const char *arg)
{
	fprintf(stderr, "opsdeck lint: %s%s\nusage: opsdeck [--config FILE [--env NAME]] lint [--json] [FILE|DIR...]\n",
		msg, arg ? arg : "");
	return EXIT_USAGE;
}

/* Runbook IDs of the files in dir ("RB-7.md" -> "RB-7"), appended to ids. */
static void ids_of_dir(const char *dir, char ***ids, int *n)
{
	struct files f = {0};
	if (!dir || list_dir(dir, &f) < 0)
		return;
	for (int i = 0; i < f.n; i++) {
		const char *b = strrchr(f.v[i], '/') + 1;
		if (!strncmp(b, "RB-", 3)) {
			*ids = xrealloc(*ids, sizeof(**ids) * (size_t)(*n + 1));
			(*ids)[(*n)++] = xstrndup(b, strlen(b) - 3);
		}
		free(f.v[i]);
	}
	free(f.v);
}

static void report(const struct runbook *rb, cJSON *list)
{
	for (int i = 0; i < rb->problems.n; i++) {
		if (!list) {
			printf("%s:%d: %s\n", rb->path, rb->problems.v[i].line, rb->problems.v[i].msg);
			continue;
		}
		cJSON *o = cJSON_CreateObject();
		cJSON_AddStringToObject(o, "file", rb->path);
		cJSON_AddNumberToObject(o, "line", rb->problems.v[i].line);
		cJSON_AddStringToObject(o, "message", rb->problems.v[i].msg);
		cJSON_AddItemToArray(list, o);
	}
}

int cmd_lint(struct cli *cli, int argc, char **argv)
{
	struct files files = {0};
	struct config cfg = {0};
	struct lint_opts opts = {0};
	char **ids = NULL, *library = NULL, *err = NULL;
	int n_ids = 0, bad = 0, problems = 0, only_files = 0;

	for (int i = 1; i < argc; i++) {
		if (!only_files && !strcmp(argv[i], "--"))
			only_files = 1;
		else if (!only_files && argv[i][0] == '-' && argv[i][1])
			return usage_error("unknown option ", argv[i]);
	}
	if (cli->config_path) {
		if (config_load(&cfg, cli->config_path, cli->env, &err) < 0) {
			fprintf(stderr, "opsdeck lint: %s\n", err);
			free(err);
			return EXIT_USAGE;
		}
		opts.have_config = 1;
		opts.n_replicas = cfg.n_replicas;
		opts.replicas = xcalloc((size_t)cfg.n_replicas + 1, sizeof(char *));
		for (int i = 0; i < cfg.n_replicas; i++)
			((const char **)opts.replicas)[i] = cfg.replicas[i].name;
	}
	only_files = 0;
	for (int i = 1; i < argc; i++) {
		if (!only_files && !strcmp(argv[i], "--")) {
			only_files = 1;
		} else if (is_dir(argv[i])) {
			if (list_dir(argv[i], &files) < 0) {
				fprintf(stderr, "opsdeck lint: cannot read %s: %s\n", argv[i], strerror(errno));
				bad = 1;
			}
		} else {
			files_add(&files, xstrdup(argv[i]));
		}
	}
	library = rb_library_dir();
	if (argc < 2 && !library) {
		fprintf(stderr, "opsdeck lint: no runbook library found (looked in ./runbooks/library, next to "
				"the executable and %s/runbooks); name the files: opsdeck lint FILE...\n", PKGDATADIR);
		free((void *)opts.replicas);
		config_done(&cfg);
		return EXIT_USAGE;
	}
	char *checklists = rb_checklist_dir();
	if (argc < 2) {
		list_dir(library, &files);
		if (checklists)
			list_dir(checklists, &files);
	}
	free(checklists);
	ids_of_dir(library, &ids, &n_ids);

	struct runbook *rbs = xcalloc((size_t)files.n + 1, sizeof(*rbs));
	int n_rbs = 0;
	for (int i = 0; i < files.n; i++) {
		if (runbook_load(&rbs[n_rbs], files.v[i], &err) < 0) {
			fprintf(stderr, "opsdeck lint: %s\n", err);
			free(err);
			bad = 1;
			continue;
		}
		if (rbs[n_rbs].id) {
			ids = xrealloc(ids, sizeof(*ids) * (size_t)(n_ids + 1));
			ids[n_ids++] = xstrdup(rbs[n_rbs].id);
		}
		n_rbs++;
	}
	opts.ids = (const char *const *)ids;
	opts.n_ids = n_ids;
	cJSON *json = cli->json ? cJSON_CreateObject() : NULL;
	cJSON *list = json ? cJSON_AddArrayToObject(json, "problems") : NULL;
	for (int i = 0; i < n_rbs; i++) {
		for (int j = 0; j < i; j++)
			if (rbs[i].id && str_eq(rbs[i].id, rbs[j].id))
				rb_problem(&rbs[i].problems, rbs[i].title_line, "%s is also the ID of %s", rbs[i].id, rbs[j].path);
		runbook_lint(&rbs[i], &opts);
		report(&rbs[i], list);
		problems += rbs[i].problems.n;
	}
	if (json) {
		int n_cl = 0;
		for (int i = 0; i < n_rbs; i++)
			n_cl += rbs[i].checklist;
		cJSON_AddNumberToObject(json, "runbooks", n_rbs - n_cl);
		cJSON_AddNumberToObject(json, "checklists", n_cl);
		cJSON_AddNumberToObject(json, "problem_count", problems);
		char *s = cJSON_Print(json);
		printf("%s\n", s);
		free(s);
		cJSON_Delete(json);
	} else {
		int n_cl = 0;
		for (int i = 0; i < n_rbs; i++)
			n_cl += rbs[i].checklist;
		if (n_cl)
			printf("%d runbook%s, %d checklist%s, %d problem%s\n", n_rbs - n_cl, n_rbs - n_cl == 1 ? "" : "s",
			       n_cl, n_cl == 1 ? "" : "s", problems, problems == 1 ? "" : "s");
		else
			printf("%d runbook%s, %d problem%s\n", n_rbs, n_rbs == 1 ? "" : "s", problems,
			       problems == 1 ? "" : "s");
	}
	for (int i = 0; i < n_rbs; i++)
		runbook_done(&rbs[i]);
	free(rbs);
	for (int i = 0; i < files.n; i++)
		free(files.v[i]);
	free(files.v);
	for (int i = 0; i < n_ids; i++)
		free(ids[i]);
	free(ids);
	free(library);
	free((void *)opts.replicas);
	config_done(&cfg);
	return bad ? EXIT_USAGE : problems ? EXIT_CHECK_FAILED : EXIT_OK;
}
