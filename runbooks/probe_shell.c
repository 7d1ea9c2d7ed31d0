/* shell probes and the manual-step hook: /bin/sh -c on the block, in a fresh temporary
 * directory, with connection settings and inputs in the environment (never on a command
 * line, never spliced into the script), killed with its process group at the deadline. */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <libpq-fe.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "panels/redis_url.h"
#include "runbooks/probe.h"
#include "src/util.h"

extern char **environ;

/* The variables we set; inherited ones of these names are dropped first. */
static const struct {
	const char *keyword, *var;
} pg_vars[] = {
	{"host", "PGHOST"},         {"hostaddr", "PGHOSTADDR"},   {"port", "PGPORT"},
	{"user", "PGUSER"},         {"dbname", "PGDATABASE"},     {"sslmode", "PGSSLMODE"},
	{"passfile", "PGPASSFILE"}, {"service", "PGSERVICE"},     {"sslrootcert", "PGSSLROOTCERT"},
	{"sslcert", "PGSSLCERT"},   {"sslkey", "PGSSLKEY"},       {"connect_timeout", "PGCONNECT_TIMEOUT"},
	{"options", "PGOPTIONS"},   {"application_name", "PGAPPNAME"},
};

struct envp {
	char **v;
	int n, cap;
};

static void env_put(struct envp *e, char *kv)
{
	if (e->n + 2 > e->cap) {
		e->cap = e->cap ? e->cap * 2 : 64;
		e->v = xrealloc(e->v, sizeof(char *) * (size_t)e->cap);
	}
	e->v[e->n++] = kv;
	e->v[e->n] = NULL;
}

static int dropped(const char *kv)
{
	static const char *const more[] = {"PGPASSWORD=", "REDIS_HOST=", "REDIS_PORT=", "REDIS_DB=",
					   "REDISCLI_AUTH=", "OPSDECK_API=", "OPSDECK_INPUT_"};
	for (size_t i = 0; i < ARRAY_LEN(pg_vars); i++) {
		size_t n = strlen(pg_vars[i].var);
		if (!strncmp(kv, pg_vars[i].var, n) && kv[n] == '=')
			return 1;
	}
	for (size_t i = 0; i < ARRAY_LEN(more); i++)
		if (str_starts(kv, more[i]))
			return 1;
	return 0;
}

/* A pgpass line's field: ':' and '\' escaped. */
static void pgpass_field(struct sbuf *sb, const char *s)
{
	for (; *s; s++) {
		if (*s == ':' || *s == '\\')
			sbuf_addc(sb, '\\');
		sbuf_addc(sb, *s);
	}
}

/* PG* for the source; a password in its DSN goes to a 0600 pgpass file in dir. */
static void pg_env(struct envp *e, const struct source_cfg *src, const char *dir)
{
	if (!src || !src->dsn)
		return;
	PQconninfoOption *opts = PQconninfoParse(src->dsn, NULL);
	if (!opts)
		return;
	for (PQconninfoOption *o = opts; o->keyword; o++) {
		if (!o->val || !*o->val)
			continue;
		if (!strcmp(o->keyword, "password")) {
			char *path = xasprintf("%s/.pgpass", dir);
			int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
			if (fd >= 0) {
				struct sbuf sb = {0};
				sbuf_add(&sb, "*:*:*:*:");
				pgpass_field(&sb, o->val);
				sbuf_addc(&sb, '\n');
				ssize_t w = write(fd, sb.buf, sb.len);
				(void)w;
				explicit_bzero(sb.buf, sb.len);
				sbuf_done(&sb);
				close(fd);
				env_put(e, xasprintf("PGPASSFILE=%s", path));
			}
			free(path);
			continue;
		}
		for (size_t i = 0; i < ARRAY_LEN(pg_vars); i++)
			if (!strcmp(o->keyword, pg_vars[i].keyword))
				env_put(e, xasprintf("%s=%s", pg_vars[i].var, o->val));
	}
	PQconninfoFree(opts);
}

static void redis_env(struct envp *e, const struct config *cfg)
{
	if (!cfg->redis.dsn)
		return;
	struct redis_url u;
	redis_url_parse(&u, cfg->redis.dsn);
	env_put(e, xasprintf("REDIS_HOST=%s", u.host));
	env_put(e, xasprintf("REDIS_PORT=%d", u.port));
	env_put(e, xasprintf("REDIS_DB=%d", u.db));
	char *pw = NULL, *err = NULL;
	if (redis_password_load(&u, cfg->sopt[OPT_REDIS_PASSWORD_FILE], &pw, &err) == 0 && pw) {
		env_put(e, xasprintf("REDISCLI_AUTH=%s", pw));
		explicit_bzero(pw, strlen(pw));
	}
	free(pw);
	free(err);
	redis_url_done(&u);
}

static void env_free(struct envp *e)
{
	for (int i = 0; i < e->n; i++) {
		explicit_bzero(e->v[i], strlen(e->v[i]));
		free(e->v[i]);
	}
	free(e->v);
}

static int rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st, (void)flag, (void)ftw;
	remove(path);
	return 0;
}

struct capture {
	struct sbuf sb;
	size_t dropped;
};

static void take(int fd, struct capture *c, int *open_fd)
{
	char buf[8192];
	ssize_t n = read(fd, buf, sizeof buf);
	if (n <= 0) {
		if (n == 0 || (errno != EINTR && errno != EAGAIN)) {
			close(fd);
			*open_fd = -1;
		}
		return;
	}
	size_t room = c->sb.len < RB_OUTPUT_MAX ? RB_OUTPUT_MAX - c->sb.len : 0;
	size_t keep = (size_t)n < room ? (size_t)n : room;
	sbuf_addn(&c->sb, buf, keep);
	c->dropped += (size_t)n - keep;
}

static void child(const char *dir, int out, int errfd, const char *script, char **envp)
{
	setsid();
	if (chdir(dir) < 0)
		_exit(126);
	int devnull = open("/dev/null", O_RDONLY);
	if (devnull >= 0)
		dup2(devnull, 0);
	dup2(out, 1);
	dup2(errfd, 2);
	for (int fd = 3; fd < 1024; fd++)
		close(fd);
	char *argv[] = {"sh", "-c", (char *)script, NULL};
	execve("/bin/sh", argv, envp);
	_exit(127);
}

static int run_sh(const struct rb_run *r, const char *script, const char *target, double timeout_ms,
		  const char *const *extra_env, char **output, char **stdout_only, int *exit_status, char **err)
{
	const struct config *cfg = r->env->cfg;
	*output = NULL;
	*exit_status = -1;
	char dir[] = "/tmp/opsdeck-probe-XXXXXX";
	if (!mkdtemp(dir)) {
		*err = xasprintf("cannot make a temporary directory: %s", strerror(errno));
		return -1;
	}
	struct envp e = {0};
	for (char **v = environ; *v; v++)
		if (!dropped(*v))
			env_put(&e, xstrdup(*v));
	const struct source_cfg *src = target ? config_source(cfg, target) : &cfg->primary;
	pg_env(&e, src, dir);
	redis_env(&e, cfg);
	if (cfg->api.dsn)
		env_put(&e, xasprintf("OPSDECK_API=%s", cfg->api.dsn));
	for (int i = 0; i < r->rb->n_inputs; i++)
		if (r->inputs[i]) {
			char *name = rb_input_env(r->rb->inputs[i].name);
			env_put(&e, xasprintf("%s=%s", name, r->inputs[i]));
			free(name);
		}
	for (int i = 0; extra_env && extra_env[i]; i++)
		env_put(&e, xstrdup(extra_env[i]));
	if (!e.v)
		env_put(&e, xstrdup("PATH=/usr/bin:/bin"));

	int po[2] = {-1, -1}, pe[2] = {-1, -1};
	pid_t pid = -1;
	if (pipe2(po, O_CLOEXEC) < 0 || pipe2(pe, O_CLOEXEC) < 0 || (pid = fork()) < 0) {
		*err = xasprintf("cannot start /bin/sh: %s", strerror(errno));
		for (int i = 0; i < 2; i++) {
			if (po[i] >= 0)
				close(po[i]);
			if (pe[i] >= 0)
				close(pe[i]);
		}
		env_free(&e);
		nftw(dir, rm_one, 8, FTW_DEPTH | FTW_PHYS);
		return -1;
	}
	if (pid == 0)
		child(dir, po[1], pe[1], script, e.v);
	close(po[1]);
	close(pe[1]);
	env_free(&e);
	struct capture co = {0}, ce = {0};
	int fo = po[0], fe = pe[0], killed = 0;
	int64_t started = now_mono_ms(), killed_at = 0;
	int64_t deadline = started + (int64_t)timeout_ms;
	while (fo >= 0 || fe >= 0) {
		if ((r->cancel || probe_left(deadline) <= 0) && !killed) {
			kill(-pid, SIGTERM);
			killed = 1;
			killed_at = now_mono_ms();
			deadline = killed_at + 1000;
		} else if (killed == 1 && probe_left(deadline) <= 0) {
			kill(-pid, SIGKILL);
			killed = 2;
		}
		struct pollfd p[2] = {{.fd = fo, .events = POLLIN}, {.fd = fe, .events = POLLIN}};
		if (poll(p, 2, 100) > 0) {
			if (fo >= 0 && (p[0].revents & (POLLIN | POLLHUP | POLLERR)))
				take(fo, &co, &fo);
			if (fe >= 0 && (p[1].revents & (POLLIN | POLLHUP | POLLERR)))
				take(fe, &ce, &fe);
		}
		if (killed == 2)
			break;
	}
	if (fo >= 0)
		close(fo);
	if (fe >= 0)
		close(fe);
	int status = 0;
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	kill(-pid, SIGKILL); /* anything it left running in its group */
	nftw(dir, rm_one, 8, FTW_DEPTH | FTW_PHYS);
	*exit_status = killed ? -1 : WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
	struct sbuf all = {0};
	if (co.sb.len)
		sbuf_addn(&all, co.sb.buf, co.sb.len);
	if (co.dropped)
		sbuf_addf(&all, "\n[... %zu more bytes of output not kept]\n", co.dropped);
	if (ce.sb.len || ce.dropped) {
		sbuf_add(&all, all.len && all.buf[all.len - 1] != '\n' ? "\n--- stderr ---\n" : "--- stderr ---\n");
		sbuf_addn(&all, ce.sb.buf ? ce.sb.buf : "", ce.sb.len);
		if (ce.dropped)
			sbuf_addf(&all, "\n[... %zu more bytes of stderr not kept]\n", ce.dropped);
	}
	if (killed) /* when it was stopped: a cancel comes long before the timeout */
		sbuf_addf(&all, "%s[%s after %.1f s: killed]\n", all.len ? "\n" : "",
			  r->cancel ? "cancelled" : "timed out", (double)(killed_at - started) / 1000);
	*output = rb_mask(r, all.buf ? all.buf : "");
	if (stdout_only)
		*stdout_only = rb_mask(r, co.sb.buf ? co.sb.buf : "");
	sbuf_done(&all);
	sbuf_done(&ce.sb);
	sbuf_done(&co.sb);
	return 0;
}

int rb_shell(const struct rb_run *r, const char *script, const char *target, double timeout_ms,
	     const char *const *extra_env, char **output, int *exit_status, char **err)
{
	return run_sh(r, script, target, timeout_ms, extra_env, output, NULL, exit_status, err);
}

void probe_shell(const struct probe_call *call, struct probe_raw *out)
{
	char *output = NULL, *err = NULL;
	int status = -1;
	if (run_sh(call->run, call->pr->code ? call->pr->code : "", call->target, call->timeout_ms, NULL,
		   &output, &out->out, &status, &err) < 0) {
		out->error = err;
		return;
	}
	out->text = output;
	out->exit_status = status;
	if (status < 0)
		out->error = xstrdup(call->run->cancel ? "cancelled" : "timed out");
	else if (status != 0) {
		out->failed = 1;
		out->failed_what = xasprintf("exit = %d", status);
	}
}
