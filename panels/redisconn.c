/* One Redis connection on hiredis' async API and its libevent adapter: opened once, reused,
 * reconnected with backoff; every batch (AUTH/SELECT when connecting, then the commands,
 * pipelined) has one deadline. hiredis owns the context's memory and frees it itself when
 * the connection fails, so every callback first checks that its context is still the
 * current one (c->ac), and only code running outside hiredis' own callbacks calls
 * redisAsyncFree() directly (inside a reply callback it is deferred by hiredis). */
#include "panels/redisconn.h"
#include "panels/redis_url.h"

#include <ctype.h>
#include <errno.h>
#include <hiredis/async.h>
#include <hiredis/adapters/libevent.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "src/util.h"

/* privdata of the connection's own commands; batch commands carry their index */
enum { SETUP_AUTH = -1, SETUP_SELECT = -2 };

struct redisconn {
	struct event_base *base;
	char *name;
	struct redis_url u; /* host, port, db, user, password; u.error: the URL cannot be used */
	char *password_file;
	int timeout_ms, backoff_ms, backoff_max_ms;
	redisAsyncContext *ac; /* NULL while not connected */
	double connected_fine;  /* when TCP connect completed (now_mono_fine_ms), 0 while connecting */
	struct event *deadline;
	struct source_status st;
	/* the batch in flight */
	int active, n, got;
	redisReply **replies;
	redis_done_fn cb;
	void *arg;
	double started_fine;
};

/* Round trips are often well under a millisecond: time them finer than now_mono_ms(). */
static double now_mono_fine_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1000.0 + (double)ts.tv_nsec / 1e6;
}

static redisReply *reply_copy(const redisReply *r)
{
	redisReply *o = xcalloc(1, sizeof(*o));
	o->type = r->type;
	o->integer = r->integer;
	if (r->str) {
		o->str = xmalloc(r->len + 1);
		memcpy(o->str, r->str, r->len);
		o->str[r->len] = '\0';
		o->len = r->len;
	}
	if (r->elements && r->element) {
		o->element = xcalloc(r->elements, sizeof(*o->element));
		o->elements = r->elements;
		for (size_t i = 0; i < r->elements; i++)
			if (r->element[i])
				o->element[i] = reply_copy(r->element[i]);
	}
	return o;
}

static void reply_free(redisReply *r)
{
	if (!r)
		return;
	for (size_t i = 0; i < r->elements; i++)
		reply_free(r->element[i]);
	free(r->element);
	free(r->str);
	free(r);
}

/* Hands the batch's outcome to its caller. The state is cleared first, so the callback
 * may start the next batch. On error, replies[] holds what had arrived (NULL for the rest). */
static void finish_batch(struct redisconn *c, const char *error)
{
	if (!c->active)
		return;
	evtimer_del(c->deadline);
	redisReply **replies = c->replies;
	int n = c->n;
	redis_done_fn cb = c->cb;
	void *arg = c->arg;
	c->active = 0;
	c->replies = NULL;
	c->n = c->got = 0;
	c->cb = NULL;
	if (cb)
		cb(arg, replies, n, error);
	for (int i = 0; i < n; i++)
		reply_free(replies[i]);
	free(replies);
}

/* Forgets the connection and schedules the next attempt. Called with c->ac still set, the
 * context is freed here (outside hiredis callbacks at once; inside a reply callback hiredis
 * defers it, and the pending callbacks it then runs with NULL replies are ignored because
 * c->ac no longer points to it). Callers inside connect/disconnect callbacks clear c->ac
 * first: hiredis frees those contexts itself. */
static void drop_connection(struct redisconn *c, enum src_state state, const char *why)
{
	redisAsyncContext *ac = c->ac;
	c->ac = NULL;
	c->connected_fine = 0;
	if (ac)
		redisAsyncFree(ac);
	c->backoff_ms = c->backoff_ms ? c->backoff_ms * 2 : 250;
	if (c->backoff_ms > c->backoff_max_ms)
		c->backoff_ms = c->backoff_max_ms;
	c->st.retry_at_mono = now_mono_ms() + c->backoff_ms;
	source_status_fail(&c->st, state, why);
	finish_batch(c, why);
}

static void fail_reply(struct redisconn *c, const char *what, const redisReply *r)
{
	char *why = xasprintf("%s: %.*s", what, r->str ? (int)(r->len > 120 ? 120 : r->len) : 0,
			      r->str ? r->str : "");
	drop_connection(c, SRC_DOWN, why);
	free(why);
}

static void on_reply(redisAsyncContext *ac, void *reply, void *privdata)
{
	struct redisconn *c = ac->data;
	redisReply *r = reply;
	intptr_t idx = (intptr_t)privdata;
	if (!c || c->ac != ac || !r) /* an old context being torn down: not ours any more */
		return;
	int error = r->type == REDIS_REPLY_ERROR && r->str;
	if (error && !strncmp(r->str, "NOAUTH", 6)) {
		drop_connection(c, SRC_DOWN, "authentication required: no password given "
					     "(set redis.password_file or REDISCLI_AUTH)");
		return;
	}
	if (idx == SETUP_AUTH || idx == SETUP_SELECT) {
		/* AUTH can also meet "max number of clients reached" or LOADING: say what it was */
		int auth = idx == SETUP_AUTH && (!strncmp(r->str ? r->str : "", "WRONGPASS", 9) ||
						 (r->str && (strcasestr(r->str, "password") || strcasestr(r->str, "auth"))));
		if (error)
			fail_reply(c, auth ? "authentication failed" : idx == SETUP_AUTH ? "Redis refused the connection"
											  : "SELECT failed", r);
		return;
	}
	if (!c->active || idx < 0 || idx >= c->n)
		return;
	c->replies[idx] = reply_copy(r);
	if (++c->got < c->n)
		return;
	double from = c->connected_fine > c->started_fine ? c->connected_fine : c->started_fine;
	c->backoff_ms = 0;
	source_status_ok(&c->st, now_mono_fine_ms() - from);
	finish_batch(c, NULL);
}

static void on_connect(const redisAsyncContext *ac, int status)
{
	struct redisconn *c = ac->data;
	if (!c || c->ac != ac)
		return;
	if (status != REDIS_OK) {
		/* hiredis frees this context after we return */
		char *why = xasprintf("%s (%s)", ac->c.errstr[0] ? ac->c.errstr : "connection failed", c->u.addr);
		c->ac = NULL;
		drop_connection(c, SRC_DOWN, why);
		free(why);
		return;
	}
	c->connected_fine = now_mono_fine_ms();
	c->st.connects++;
}

static void on_disconnect(const redisAsyncContext *ac, int status)
{
	struct redisconn *c = ac->data;
	if (!c || c->ac != ac)
		return;
	/* the server closed the connection or it broke; hiredis frees the context */
	char *why = xasprintf("%s (%s)", status != REDIS_OK && ac->c.errstr[0] ? ac->c.errstr : "connection closed",
			      c->u.addr);
	c->ac = NULL;
	drop_connection(c, SRC_DOWN, why);
	free(why);
}

static void deadline_cb(evutil_socket_t fd, short what, void *arg)
{
	struct redisconn *c = arg;
	(void)fd;
	(void)what;
	char *why = xasprintf("no answer within %.1fs", c->timeout_ms / 1000.0);
	drop_connection(c, SRC_TIMEOUT, why);
	free(why);
}

static int send_argv(struct redisconn *c, intptr_t idx, int argc, const char *const *argv)
{
	const char **v = xcalloc((size_t)(argc ? argc : 1), sizeof(*v));
	for (int i = 0; i < argc; i++)
		v[i] = argv[i];
	int rc = redisAsyncCommandArgv(c->ac, on_reply, (void *)idx, argc, v, NULL);
	free(v);
	return rc == REDIS_OK ? 0 : -1;
}

/* Starts connecting and queues AUTH and SELECT; the batch follows them on the wire.
 * hiredis 0.14's redisAsyncConnect() resolves a host name with a blocking getaddrinfo():
 * a numeric address (as in the lab, and advisable for production) never blocks, a name in
 * /etc/hosts costs a file read, a name needing DNS can stall the loop up to the resolver's
 * timeout. Resolving first with evdns would avoid it; not done yet. */
static int start_connection(struct redisconn *c)
{
	char *pw = NULL, *err = NULL;
	if (c->u.error) {
		drop_connection(c, SRC_DOWN, c->u.error);
		return -1;
	}
	if (redis_password_load(&c->u, c->password_file, &pw, &err) < 0) {
		drop_connection(c, SRC_DOWN, err);
		free(err);
		return -1;
	}
	redisAsyncContext *ac = redisAsyncConnect(c->u.host, c->u.port);
	if (!ac || ac->err) {
		char *why = xasprintf("%s (%s)", ac && ac->errstr ? ac->errstr : "out of memory", c->u.addr);
		if (ac)
			redisAsyncFree(ac);
		drop_connection(c, SRC_DOWN, why);
		free(why);
		if (pw)
			explicit_bzero(pw, strlen(pw));
		free(pw);
		return -1;
	}
	ac->data = c;
	c->ac = ac;
	c->connected_fine = 0;
	redisLibeventAttach(ac, c->base);
	redisAsyncSetConnectCallback(ac, on_connect);
	redisAsyncSetDisconnectCallback(ac, on_disconnect);
	if (c->st.state != SRC_UP)
		c->st.state = SRC_CONNECTING;
	int rc = 0;
	if (pw) {
		const char *with_user[] = {"AUTH", c->u.user, pw}, *plain[] = {"AUTH", pw};
		rc = c->u.user ? send_argv(c, SETUP_AUTH, 3, with_user) : send_argv(c, SETUP_AUTH, 2, plain);
		explicit_bzero(pw, strlen(pw));
		free(pw);
	}
	if (rc == 0 && c->u.db) {
		char db[16];
		snprintf(db, sizeof(db), "%d", c->u.db);
		const char *sel[] = {"SELECT", db};
		rc = send_argv(c, SETUP_SELECT, 2, sel);
	}
	if (rc < 0) {
		drop_connection(c, SRC_DOWN, "could not queue a command");
		return -1;
	}
	return 0;
}

int redisconn_batch(struct redisconn *c, int ncmds, const int *argc, const char *const *const *argv,
		    redis_done_fn cb, void *arg)
{
	if (c->active)
		return RQ_BUSY;
	if (!c->ac && now_mono_ms() < c->st.retry_at_mono)
		return RQ_BACKOFF;
	c->active = 1;
	c->n = ncmds;
	c->got = 0;
	c->replies = xcalloc((size_t)(ncmds ? ncmds : 1), sizeof(*c->replies));
	c->cb = cb;
	c->arg = arg;
	c->started_fine = now_mono_fine_ms();
	struct timeval tv = {c->timeout_ms / 1000, (c->timeout_ms % 1000) * 1000};
	evtimer_add(c->deadline, &tv);
	/* a start that fails at once reports to cb through drop_connection, before we return */
	if (!c->ac && start_connection(c) < 0)
		return RQ_STARTED;
	for (int i = 0; i < ncmds; i++)
		if (send_argv(c, i, argc[i], argv[i]) < 0) {
			drop_connection(c, SRC_DOWN, "could not queue a command");
			return RQ_STARTED;
		}
	if (ncmds == 0) {
		source_status_ok(&c->st, 0);
		finish_batch(c, NULL);
	}
	return RQ_STARTED;
}

struct redisconn *redisconn_new(struct event_base *base, const char *name, const char *url,
				const char *password_file, int timeout_ms, int backoff_max_ms)
{
	struct redisconn *c = xcalloc(1, sizeof(*c));
	c->base = base;
	c->name = xstrdup(name ? name : "redis");
	redis_url_parse(&c->u, url ? url : "");
	c->password_file = password_file ? xstrdup(password_file) : NULL;
	c->timeout_ms = timeout_ms > 0 ? timeout_ms : 3000;
	c->backoff_max_ms = backoff_max_ms > 250 ? backoff_max_ms : 250;
	c->deadline = evtimer_new(base, deadline_cb, c);
	c->st.state = SRC_IDLE;
	/* hiredis 0.14 sends with write(2): a server that goes away mid-write raises SIGPIPE,
	 * which would kill a headless run (the console ignores it already). */
	struct sigaction sa;
	if (sigaction(SIGPIPE, NULL, &sa) == 0 && sa.sa_handler == SIG_DFL)
		signal(SIGPIPE, SIG_IGN);
	return c;
}

void redisconn_free(struct redisconn *c)
{
	if (!c)
		return;
	if (c->ac) { /* its pending callbacks run now and see that it is no longer ours */
		redisAsyncContext *ac = c->ac;
		c->ac = NULL;
		redisAsyncFree(ac);
	}
	c->cb = NULL; /* nobody to tell any more */
	finish_batch(c, NULL);
	event_free(c->deadline);
	source_status_done(&c->st);
	redis_url_done(&c->u);
	free(c->password_file);
	free(c->name);
	free(c);
}

const struct source_status *redisconn_status(const struct redisconn *c) { return &c->st; }
int redisconn_busy(const struct redisconn *c) { return c->active; }
