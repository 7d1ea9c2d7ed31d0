/* The Redis connector against a fake server in this process (no Redis needed): pipelined
 * batches in order on one reused connection, AUTH and SELECT, the password sources, and the
 * error paths - refused, AUTH refused, NOAUTH, no answer before the deadline, a connection
 * closed while idle, rediss://, an unreadable password file - with backoff between attempts. */
#include <arpa/inet.h>
#include <errno.h>
#include <event2/event.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "panels/redisconn.h"
#include "src/util.h"
#include "tests/unit/tap.h"

enum mode { M_ANSWER, M_SILENT, M_AUTH_FAIL, M_NOAUTH };

struct fake {
	struct event_base *base;
	int lfd, cfd, port, accepted;
	struct event *accept_ev, *read_ev;
	enum mode mode;
	struct sbuf in, log; /* bytes not parsed yet; "CMD arg|..." received */
};

static void fake_close_client(struct fake *f)
{
	if (f->read_ev)
		event_free(f->read_ev);
	f->read_ev = NULL;
	if (f->cfd >= 0)
		close(f->cfd);
	f->cfd = -1;
	sbuf_reset(&f->in);
}

static void answer(struct fake *f, const char *cmd)
{
	static const char info[] = "# Server\r\nredis_version:7.0.15\r\n\r\n# Stats\r\nkeyspace_hits:1\r\n";
	char buf[256];
	const char *r = "-ERR unknown command\r\n";
	if (f->mode == M_SILENT)
		return;
	if (!strcasecmp(cmd, "AUTH"))
		r = f->mode == M_AUTH_FAIL ? "-WRONGPASS invalid username-password pair or user is disabled.\r\n" : "+OK\r\n";
	else if (f->mode == M_NOAUTH)
		r = "-NOAUTH Authentication required.\r\n";
	else if (!strcasecmp(cmd, "SELECT"))
		r = "+OK\r\n";
	else if (!strcasecmp(cmd, "PING"))
		r = "+PONG\r\n";
	else if (!strcasecmp(cmd, "DBSIZE"))
		r = ":42\r\n";
	else if (!strcasecmp(cmd, "INFO"))
		r = (snprintf(buf, sizeof(buf), "$%zu\r\n%s\r\n", sizeof(info) - 1, info), buf);
	if (send(f->cfd, r, strlen(r), MSG_NOSIGNAL) < 0)
		printf("# fake server: send: %s\n", strerror(errno));
}

/* Takes complete RESP arrays off the input: *N\r\n then N times $len\r\nbytes\r\n. */
static void parse_commands(struct fake *f)
{
	for (;;) {
		char *p = f->in.buf, *end = f->in.buf + f->in.len;
		if (!p || p >= end || *p != '*')
			return;
		int n = atoi(p + 1);
		char *q = strstr(p, "\r\n"), cmd[64] = "";
		if (!q)
			return;
		q += 2;
		for (int i = 0; i < n; i++) {
			char *nl = q < end ? strstr(q, "\r\n") : NULL;
			if (!nl || *q != '$')
				return;
			size_t len = (size_t)atoi(q + 1);
			if (nl + 2 + len + 2 > end)
				return;
			if (i == 0)
				snprintf(cmd, sizeof(cmd), "%.*s", (int)len, nl + 2);
			sbuf_addf(&f->log, "%s%.*s", i ? " " : "", (int)len, nl + 2);
			q = nl + 2 + len + 2;
		}
		sbuf_add(&f->log, "|");
		answer(f, cmd);
		size_t used = (size_t)(q - f->in.buf);
		memmove(f->in.buf, q, f->in.len - used);
		f->in.len -= used;
		f->in.buf[f->in.len] = '\0';
	}
}

static void on_client(evutil_socket_t fd, short what, void *arg)
{
	struct fake *f = arg;
	char buf[4096];
	(void)what;
	ssize_t n = recv(fd, buf, sizeof(buf), 0);
	if (n <= 0) {
		fake_close_client(f);
		return;
	}
	sbuf_addn(&f->in, buf, (size_t)n);
	parse_commands(f);
}

static void on_accept(evutil_socket_t fd, short what, void *arg)
{
	struct fake *f = arg;
	(void)what;
	int c = accept(fd, NULL, NULL);
	if (c < 0)
		return;
	fake_close_client(f); /* one client at a time */
	f->cfd = c;
	f->accepted++;
	f->read_ev = event_new(f->base, c, EV_READ | EV_PERSIST, on_client, f);
	event_add(f->read_ev, NULL);
}

static int free_port(void)
{
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	socklen_t len = sizeof(a);
	int s = socket(AF_INET, SOCK_STREAM, 0);
	bind(s, (struct sockaddr *)&a, sizeof(a));
	getsockname(s, (struct sockaddr *)&a, &len);
	close(s);
	return ntohs(a.sin_port);
}

static void fake_start(struct fake *f, struct event_base *base)
{
	memset(f, 0, sizeof(*f));
	f->base = base;
	f->cfd = -1;
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	socklen_t len = sizeof(a);
	int one = 1;
	f->lfd = socket(AF_INET, SOCK_STREAM, 0);
	setsockopt(f->lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	bind(f->lfd, (struct sockaddr *)&a, sizeof(a));
	listen(f->lfd, 8);
	getsockname(f->lfd, (struct sockaddr *)&a, &len);
	f->port = ntohs(a.sin_port);
	f->accept_ev = event_new(base, f->lfd, EV_READ | EV_PERSIST, on_accept, f);
	event_add(f->accept_ev, NULL);
}

static void fake_stop(struct fake *f)
{
	fake_close_client(f);
	event_free(f->accept_ev);
	close(f->lfd);
	sbuf_done(&f->in);
	sbuf_done(&f->log);
}

struct result {
	int calls, n;
	char error[200];
	int types[4];
	char text[4][64];
	long long integer[4];
};

static void on_done(void *arg, redisReply **rep, int n, const char *error)
{
	struct result *r = arg;
	r->calls++;
	r->n = n;
	snprintf(r->error, sizeof(r->error), "%s", error ? error : "");
	for (int i = 0; i < n && i < 4; i++) {
		r->types[i] = rep && rep[i] ? rep[i]->type : -1;
		snprintf(r->text[i], sizeof(r->text[i]), "%s", rep && rep[i] && rep[i]->str ? rep[i]->str : "");
		r->integer[i] = rep && rep[i] ? rep[i]->integer : 0;
	}
}

static void tick(evutil_socket_t fd, short what, void *arg) { (void)fd, (void)what, (void)arg; }

/* Runs the loop until the result has a call or ms pass; returns the elapsed ms. */
static int64_t run_until(struct event_base *base, const struct result *r, int ms)
{
	struct event *t = event_new(base, -1, EV_PERSIST, tick, NULL);
	struct timeval tv = {0, 10000};
	event_add(t, &tv);
	int64_t start = now_mono_ms();
	while ((!r || !r->calls) && now_mono_ms() - start < ms)
		event_base_loop(base, EVLOOP_ONCE);
	event_free(t);
	return now_mono_ms() - start;
}

static const char *const PING[] = {"PING"}, *const INFO[] = {"INFO"}, *const DBSIZE[] = {"DBSIZE"},
		  *const BOGUS[] = {"NOSUCHCMD", "x"};
static const char *const *const CMDS[] = {PING, INFO, DBSIZE, BOGUS};
static const int ARGC[] = {1, 1, 1, 2};

static int batch(struct redisconn *c, struct result *r, int n)
{
	memset(r, 0, sizeof(*r));
	return redisconn_batch(c, n, ARGC, CMDS, on_done, r);
}

static char *write_file(const char *content)
{
	char *path = xstrdup("/tmp/opsdeck-test-redispass-XXXXXX");
	int fd = mkstemp(path);
	if (write(fd, content, strlen(content)) < 0)
		printf("# write failed\n");
	close(fd);
	return path;
}

static void test_pipeline_auth_reuse(struct event_base *base)
{
	struct fake f;
	struct result r;
	fake_start(&f, base);
	char *pw = write_file("s3cret \r\n");
	char *url = xasprintf("redis://127.0.0.1:%d/2", f.port);
	struct redisconn *c = redisconn_new(base, "redis", url, pw, 2000, 1000);
	is_int(redisconn_status(c)->state, SRC_IDLE, "idle before the first batch");
	is_int(batch(c, &r, 4), RQ_STARTED, "batch started");
	ok(redisconn_busy(c), "busy while it runs");
	struct result r2;
	is_int(batch(c, &r2, 1), RQ_BUSY, "one batch at a time: RQ_BUSY");
	run_until(base, &r, 2000);
	is_int(r.calls, 1, "callback called once");
	is_str(r.error, "", "no error");
	is_int(r.n, 4, "four replies");
	ok(r.types[0] == REDIS_REPLY_STATUS && !strcmp(r.text[0], "PONG"), "PING -> PONG");
	ok(r.types[1] == REDIS_REPLY_STRING && strstr(r.text[1], "redis_version:7.0.15"), "INFO -> bulk text");
	ok(r.types[2] == REDIS_REPLY_INTEGER && r.integer[2] == 42, "DBSIZE -> 42");
	is_int(r.types[3], REDIS_REPLY_ERROR, "an error reply passes through without failing the batch");
	is_str(f.log.buf, "AUTH s3cret|SELECT 2|PING|INFO|DBSIZE|NOSUCHCMD x|",
	       "AUTH with the trimmed file password, SELECT db, then the batch, in order");
	is_int(redisconn_status(c)->state, SRC_UP, "source up");
	ok(redisconn_status(c)->rtt_ms > 0 && redisconn_status(c)->rtt_ms < 2000, "round trip measured (%.3f ms)",
	   redisconn_status(c)->rtt_ms);
	ok(!redisconn_busy(c), "not busy after the callback");
	sbuf_reset(&f.log);
	batch(c, &r, 3);
	run_until(base, &r, 2000);
	ok(r.calls == 1 && !r.error[0], "second batch answered");
	is_str(f.log.buf, "PING|INFO|DBSIZE|", "on the same connection: no AUTH again");
	is_int(f.accepted, 1, "one connection accepted by the server");
	is_int(redisconn_status(c)->connects, 1, "st.connects = 1");

	/* the server closes the connection while idle */
	fake_close_client(&f);
	run_until(base, NULL, 200);
	is_int(redisconn_status(c)->state, SRC_DOWN, "closed by the server while idle: down");
	ok(redisconn_status(c)->last_error && strstr(redisconn_status(c)->last_error, "127.0.0.1"),
	   "error: %s", redisconn_status(c)->last_error);
	run_until(base, NULL, 300); /* past the first backoff (250 ms) */
	batch(c, &r, 3);
	run_until(base, &r, 2000);
	ok(r.calls == 1 && !r.error[0], "reconnects by itself on the next batch");
	is_int(redisconn_status(c)->connects, 2, "st.connects = 2");
	is_int(f.accepted, 2, "a second connection");

	/* freed with a batch in flight: no callback, nothing leaks (valgrind) */
	f.mode = M_SILENT;
	batch(c, &r, 3);
	run_until(base, NULL, 50);
	redisconn_free(c);
	is_int(r.calls, 0, "freed while a batch waits: the callback is not called");
	unlink(pw);
	free(pw);
	free(url);
	fake_stop(&f);
}

static void test_failures(struct event_base *base)
{
	struct fake f;
	struct result r;
	fake_start(&f, base);
	setenv("REDISCLI_AUTH", "from-env", 1);
	char *url = xasprintf("redis://127.0.0.1:%d", f.port);

	/* no answer before the deadline */
	f.mode = M_SILENT;
	struct redisconn *c = redisconn_new(base, "redis", url, NULL, 300, 1000);
	batch(c, &r, 3);
	int64_t ms = run_until(base, &r, 3000);
	is_str(r.error, "no answer within 0.3s", "silent server: timeout error");
	ok(ms >= 250 && ms < 1000, "after the deadline (%lld ms)", (long long)ms);
	is_int(redisconn_status(c)->state, SRC_TIMEOUT, "source timeout");
	ok(strstr(f.log.buf, "AUTH from-env|") == f.log.buf, "password from REDISCLI_AUTH");
	is_int(batch(c, &r, 3), RQ_BACKOFF, "backoff right after the failure");
	f.mode = M_ANSWER;
	run_until(base, NULL, 300);
	is_int(batch(c, &r, 3), RQ_STARTED, "tries again after 250 ms");
	run_until(base, &r, 2000);
	ok(r.calls == 1 && !r.error[0], "recovers once the server answers");
	redisconn_free(c);

	/* AUTH refused: never shows the password */
	f.mode = M_AUTH_FAIL;
	char *url_pw = xasprintf("redis://ops:pa%%40ss@127.0.0.1:%d/0", f.port);
	sbuf_reset(&f.log);
	c = redisconn_new(base, "redis", url_pw, NULL, 2000, 1000);
	batch(c, &r, 3);
	run_until(base, &r, 2000);
	ok(!strncmp(r.error, "authentication failed", 21), "AUTH refused: %s", r.error);
	ok(!strstr(r.error, "pa@ss") && !strstr(redisconn_status(c)->last_error, "pa@ss"), "the password is not in the error");
	is_int(redisconn_status(c)->state, SRC_DOWN, "source down");
	ok(strstr(f.log.buf, "AUTH ops pa@ss|") == f.log.buf, "user and decoded password from the URL win over the env");
	redisconn_free(c);
	free(url_pw);

	/* no password where one is needed */
	unsetenv("REDISCLI_AUTH");
	f.mode = M_NOAUTH;
	c = redisconn_new(base, "redis", url, NULL, 2000, 1000);
	batch(c, &r, 3);
	run_until(base, &r, 2000);
	ok(strstr(r.error, "authentication required") != NULL, "NOAUTH: %s", r.error);
	redisconn_free(c);

	/* unreadable password file: named, content never shown */
	c = redisconn_new(base, "redis", url, "/nonexistent/redis.pass", 2000, 1000);
	is_int(batch(c, &r, 3), RQ_STARTED, "batch with a missing password file");
	is_int(r.calls, 1, "fails at once, callback before return");
	is_str(r.error, "cannot read the Redis password file /nonexistent/redis.pass: No such file or directory",
	       "the error names the file");
	redisconn_free(c);
	free(url);
	fake_stop(&f);

	/* refused, then backoff doubling */
	url = xasprintf("redis://127.0.0.1:%d/0", free_port());
	c = redisconn_new(base, "redis", url, NULL, 2000, 1000);
	batch(c, &r, 3);
	run_until(base, &r, 2000);
	char *want = xasprintf("Connection refused (127.0.0.1:%d)", atoi(strrchr(url, ':') + 1));
	is_str(r.error, want, "refused: hiredis' error and the address");
	is_int(redisconn_status(c)->state, SRC_DOWN, "source down");
	is_int(redisconn_status(c)->connects, 0, "no connection counted");
	int64_t t0 = now_mono_ms();
	is_int(batch(c, &r, 3), RQ_BACKOFF, "RQ_BACKOFF while waiting");
	ok(redisconn_status(c)->retry_at_mono - t0 <= 250, "first retry within 250 ms");
	run_until(base, NULL, 300);
	batch(c, &r, 3);
	run_until(base, &r, 2000);
	ok(redisconn_status(c)->retry_at_mono - now_mono_ms() > 300, "second retry waits longer (500 ms)");
	redisconn_free(c);
	free(url);
	free(want);

	c = redisconn_new(base, "redis", "rediss://127.0.0.1:6380/0", NULL, 2000, 1000);
	batch(c, &r, 3);
	ok(r.calls == 1 && strstr(r.error, "TLS not supported by this hiredis build"), "rediss: %s", r.error);
	is_int(redisconn_status(c)->state, SRC_DOWN, "rediss: down, no crash");
	redisconn_free(c);
}

int main(void)
{
	struct event_base *base = event_base_new();
	test_pipeline_auth_reuse(base);
	test_failures(base);
	event_base_free(base);
	return done_testing();
}
