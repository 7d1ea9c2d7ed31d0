/* opsdeck run --manual-hook CMD: the manual steps done by a hook (lab/rb-hook on the lab).
 * The hook runs in a temporary directory, so its command is resolved first against the
 * caller's directory or PATH; exit 0 is done, 64 not handled, anything else a failure
 * reported with its exit status and the last line it printed (masked). */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "src/cmd-run.h"
#include "src/util.h"

/* The hook runs in a temporary directory: its command (the first word) is resolved now,
 * against the caller's directory ("lab/rb-hook") or PATH ("my-hook"). NULL with *why when
 * a path names no executable file. */
char *run_resolve_hook(const char *cmd, char **why)
{
	size_t n = strcspn(cmd, " \t");
	char *word = xstrndup(cmd, n), *path = NULL;
	char cwd[PATH_MAX];
	if (word[0] == '/') {
		path = xstrdup(word);
	} else if (strchr(word, '/')) {
		if (getcwd(cwd, sizeof cwd))
			path = xasprintf("%s/%s", cwd, word);
	} else {
		const char *dirs = getenv("PATH");
		for (const char *p = dirs ? dirs : ""; *p && !path;) {
			size_t len = strcspn(p, ":");
			char *cand = xasprintf("%.*s/%s", (int)len, len ? p : ".", word);
			if (access(cand, X_OK) == 0)
				path = cand;
			else
				free(cand);
			p += len + (p[len] == ':');
		}
		if (!path) { /* a shell builtin or compound command: /bin/sh makes sense of it */
			free(word);
			return xstrdup(cmd);
		}
	}
	if (!path || access(path, X_OK) != 0) {
		*why = xasprintf("--manual-hook %s: %s is not an executable file (a relative path is taken from "
				 "the current directory)", word, path ? path : word);
		free(path);
		free(word);
		return NULL;
	}
	struct sbuf sb = {0};
	sbuf_add(&sb, "'");
	for (const char *p = path; *p; p++)
		sbuf_add(&sb, *p == '\'' ? "'\\''" : (char[]){*p, 0});
	sbuf_addf(&sb, "'%s", cmd + n);
	free(path);
	free(word);
	return sbuf_steal(&sb);
}

/* The last line the hook printed (already masked), for the one-line summary. */
static char *last_line(const char *out)
{
	const char *end = out + strlen(out);
	while (end > out && (end[-1] == '\n' || end[-1] == ' '))
		end--;
	const char *start = end;
	while (start > out && start[-1] != '\n')
		start--;
	return end - start > 200 ? xasprintf("%.200s...", start) : xstrndup(start, (size_t)(end - start));
}

/* The manual step through the hook: exit 0 done, 64 not handled, else failed. 1 when the
 * step has a new result to record. */
int run_manual_by_hook(struct rb_run *r, const struct run_opts *o, int i)
{
	const struct step *st = &r->rb->steps[i];
	char *env[4];
	env[0] = xasprintf("OPSDECK_RUNBOOK=%s", r->rb->id ? r->rb->id : "");
	env[1] = xasprintf("OPSDECK_STEP=%d", st->number);
	env[2] = xasprintf("OPSDECK_STEP_TITLE=%s", st->title ? st->title : "");
	env[3] = NULL;
	char *out = NULL, *err = NULL;
	int status = -1;
	int64_t t0 = now_mono_ms();
	int rc = rb_shell(r, o->hook, NULL, 600000, (const char *const *)env, &out, &status, &err);
	for (int k = 0; k < 3; k++)
		free(env[k]);
	char *why = NULL;
	int result = status != 64 || rc < 0;
	if (rc < 0) {
		rb_step_mark(r, i, STEP_FAIL, err, &why);
		free(r->steps[i].summary);
		r->steps[i].summary = xasprintf("failed: the --manual-hook could not run: %s", err);
	} else if (status == 64) {
		if (r->steps[i].status == STEP_PENDING) { /* else its result from before stands */
			free(r->steps[i].summary);
			r->steps[i].summary = xstrdup("manual: the hook does not handle it");
		}
	} else {
		char *note = xasprintf("by --manual-hook (exit %d)", status);
		rb_step_mark(r, i, status == 0 ? STEP_MANUAL_OK : STEP_FAIL, note, &why);
		free(note);
		char *line = out ? last_line(out) : xstrdup("");
		free(r->steps[i].summary);
		if (status == 0)
			r->steps[i].summary = xasprintf("done by --manual-hook%s%s", *line ? ": " : "", line);
		else
			r->steps[i].summary = status < 0 ? xasprintf("failed (hook killed at its deadline)%s%s", *line ? ": " : "", line)
						       : xasprintf("failed (hook exit %d)%s%s", status, *line ? ": " : "", line);
		free(line);
		if (out && *out) {
			/* the hook's output is the step's output */
			r->steps[i].probes = xcalloc(1, sizeof(struct probe_outcome));
			r->steps[i].n_probes = 1;
			r->steps[i].probes[0].label = xstrdup("manual-hook");
			r->steps[i].probes[0].output = out;
			r->steps[i].probes[0].observed = xasprintf("exit = %d", status);
			r->steps[i].probes[0].status = status == 0 ? EXPECT_PASS : EXPECT_FAIL;
			r->steps[i].probes[0].ms = (double)(now_mono_ms() - t0);
			r->steps[i].ms = r->steps[i].probes[0].ms;
			out = NULL;
		}
	}
	free(why);
	free(err);
	free(out);
	return result;
}
