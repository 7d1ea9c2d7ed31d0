/* Where the runbook library is, and finding one runbook in it. */
#include <ctype.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "opsdeck-config.h"
#include "runbooks/engine.h"
#include "src/util.h"

static int is_dir(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

static int is_file(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

/* "abs_top_srcdir = /src" in the Makefile of a build directory. */
static char *srcdir_of_build(const char *dir)
{
	char *path = xasprintf("%s/Makefile", dir), line[PATH_MAX + 32], *found = NULL;
	FILE *f = fopen(path, "r");
	free(path);
	while (f && !found && fgets(line, sizeof(line), f))
		if (!strncmp(line, "abs_top_srcdir = ", 17)) {
			line[strcspn(line, "\n")] = '\0';
			found = xstrdup(line + 17);
		}
	if (f)
		fclose(f);
	return found;
}

char *rb_library_dir(void)
{
	char exe[PATH_MAX], *cand[4] = {0};
	int n = 0;
	cand[n++] = xstrdup("runbooks/library"); /* run from the source tree */
	ssize_t len = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (len > 0) {
		exe[len] = '\0';
		char *slash = strrchr(exe, '/');
		if (slash)
			*slash = '\0';
		char *src = srcdir_of_build(exe); /* run from a build directory */
		cand[n++] = xasprintf("%s/runbooks/library", src ? src : exe);
		free(src);
	}
	cand[n++] = xstrdup(PKGDATADIR "/runbooks"); /* installed */
	char *found = NULL;
	for (int i = 0; i < n; i++) {
		if (!found && is_dir(cand[i]))
			found = cand[i];
		else
			free(cand[i]);
	}
	return found;
}

char *rb_checklist_dir(void)
{
	char *lib = rb_library_dir();
	if (!lib)
		return NULL;
	char *slash = strrchr(lib, '/');
	char *dir = NULL;
	if (slash && !strcmp(slash, "/library")) /* the source tree: runbooks/checklists */
		dir = xasprintf("%.*s/checklists", (int)(slash - lib), lib);
	else /* installed: $(pkgdatadir)/checklists next to $(pkgdatadir)/runbooks */
		dir = xasprintf("%.*s/checklists", slash ? (int)(slash - lib) : 0, lib);
	free(lib);
	if (!is_dir(dir))
		str_free(&dir);
	return dir;
}

/* "CL-W3-4", "cl-w3-4", "W3-4": the checklist file, or NULL. */
static char *locate_checklist(const char *arg)
{
	const char *name = strncasecmp(arg, "CL-", 3) ? arg : arg + 3;
	if (!*name || strspn(name, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-") != strlen(name))
		return NULL;
	char *dir = rb_checklist_dir();
	if (!dir)
		return NULL;
	char *up = xstrdup(name);
	for (char *c = up; *c; c++)
		*c = (char)toupper((unsigned char)*c);
	char *path = xasprintf("%s/%s.md", dir, up);
	free(up);
	free(dir);
	if (!is_file(path))
		str_free(&path);
	return path;
}

char *rb_locate(const char *arg, char **err)
{
	if (strchr(arg, '/') || strstr(arg, ".md")) {
		if (is_file(arg))
			return xstrdup(arg);
		*err = xasprintf("no runbook file %s", arg);
		return NULL;
	}
	const char *p = arg;
	if (!strncasecmp(p, "RB-", 3) || !strncasecmp(p, "RB", 2))
		p += p[2] == '-' ? 3 : 2;
	char *end;
	long n = strtol(p, &end, 10);
	if (!*p || *end || n <= 0 || n > 9999) {
		char *cl = locate_checklist(arg);
		if (cl)
			return cl;
		*err = xasprintf("'%s' is neither a runbook nor a checklist: give an ID such as RB-1 (or 1), "
				 "a checklist such as W3-4 (or CL-W3-4), or a file path", arg);
		return NULL;
	}
	char *dir = rb_library_dir();
	if (!dir) {
		*err = xstrdup("no runbook library found (looked in ./runbooks/library, next to the binary, "
			       "and " PKGDATADIR "/runbooks)");
		return NULL;
	}
	char *path = xasprintf("%s/RB-%ld.md", dir, n);
	if (!is_file(path)) {
		*err = xasprintf("there is no RB-%ld in the library %s", n, dir);
		str_free(&path);
	}
	free(dir);
	return path;
}
