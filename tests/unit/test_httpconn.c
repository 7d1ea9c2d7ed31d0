/* The HTTP connector against a small server on the same libevent loop (evhttp on
 * 127.0.0.1, an ephemeral port): keep-alive reuse, parallel requests, headers, the body cap,
 * deadlines, refused connections, backoff, secrets kept out of messages, and freeing with
 * requests in flight. No network beyond loopback. */
#include <arpa/inet.h>
#include <event2/buffer.h>
#include <event2/http.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "panels/httpconn.h"
#include "src/util.h"
#include "tests/unit/tap.h"

static struct event_base *base;
static char last_uri[256];

static void answer_late(evutil_socket_t fd, short what, void *arg)
{
	(void)fd, (void)what;
	struct evhttp_request *req = arg;
	struct evbuffer *out = evbuffer_new();
	evbuffer_add_printf(out, "{\"slow\": true}");
	evhttp_send_reply(req, 200, "OK", out);
	evbuffer_free(out);
}

static void handle(struct evhttp_request *req, void *arg)
{
	(void)arg;
	const char *uri = evhttp_request_get_uri(req);
	struct evbuffer *out = evbuffer_new();
	snprintf(last_uri, sizeof(last_uri), "%s", uri);
	if (str_starts(uri, "/hang")) { /* never answers */
		evbuffer_free(out);
		return;
	}
	if (str_starts(uri, "/slow")) { /* answers after 800 ms */
		struct timeval tv = {0, 800 * 1000};
		event_base_once(base, -1, EV_TIMEOUT, answer_late, req, &tv);
		evbuffer_free(out);
		return;
	}
	if (str_starts(uri, "/big")) { /* 2 MB with a Content-Length */
		char *b = xmalloc(2 * 1024 * 1024);
		memset(b, 'x', 2 * 1024 * 1024);
		evbuffer_add(out, b, 2 * 1024 * 1024);
		free(b);
		evhttp_send_reply(req, 200, "OK", out);
	} else if (str_starts(uri, "/chunked")) { /* 2 MB without one */
		char chunk[65536];
		memset(chunk, 'y', sizeof(chunk));
		evhttp_send_reply_start(req, 200, "OK");
		for (int i = 0; i < 32; i++) {
			evbuffer_add(out, chunk, sizeof(chunk));
			evhttp_send_reply_chunk(req, out);
		}
		evhttp_send_reply_end(req);
	} else if (str_starts(uri, "/missing")) {
		evbuffer_add_printf(out, "{\"error\": \"not found\"}");
		evhttp_send_reply(req, 404, "Not Found", out);
	} else {
		evhttp_add_header(evhttp_request_get_output_headers(req), "X-RateLimit-Remaining", "7");
		evbuffer_add_printf(out, "{\"status\": \"healthy\"}");
		evhttp_send_reply(req, 200, "OK", out);
	}
	evbuffer_free(out);
}

struct result {
	int done;
	long status;
	char body[64], header[32], error[200];
};

static void on_done(void *arg, const struct http_response *r, const char *error)
{
	struct result *res = arg;
	const char *h = r->header(r, "x-ratelimit-remaining");
	res->done++;
	res->status = r->status;
	snprintf(res->body, sizeof(res->body), "%.*s", (int)(r->len < 63 ? r->len : 63), r->body);
	snprintf(res->header, sizeof(res->header), "%s", h ? h : "");
	snprintf(res->error, sizeof(res->error), "%s", error ? error : "");
}

static void run_until(const int *flag, int want, int ms)
{
	int64_t end = now_mono_ms() + ms;
	while (*flag < want && now_mono_ms() < end)
		event_base_loop(base, EVLOOP_ONCE | EVLOOP_NONBLOCK), usleep(1000);
}

static int free_port(void)
{
	int s = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	socklen_t len = sizeof(a);
	bind(s, (struct sockaddr *)&a, sizeof(a));
	getsockname(s, (struct sockaddr *)&a, &len);
	close(s); /* nothing listens there now */
	return ntohs(a.sin_port);
}

static struct result get(struct httpconn *c, const char *path, int wait_ms)
{
	struct result r = {0};
	is_int(httpconn_get(c, path, NULL, on_done, &r), 0, "GET %s starts", path);
	run_until(&r.done, 1, wait_ms);
	return r;
}

static void test_basic(const char *url)
{
	struct httpconn *c = httpconn_new(base, "api", url, 2000, 1000, 1024 * 1024);
	is_int(httpconn_status(c)->state, SRC_IDLE, "idle before the first request");
	struct result r = get(c, "/health", 2000);
	ok(r.done == 1 && r.status == 200 && !r.error[0], "200, no error");
	is_str(r.body, "{\"status\": \"healthy\"}", "body");
	is_str(r.header, "7", "header looked up case-insensitively");
	is_int(httpconn_status(c)->state, SRC_UP, "source up");
	is_int(httpconn_status(c)->connects, 1, "one connection opened");
	for (int i = 0; i < 3; i++)
		r = get(c, "/health", 2000);
	is_int(httpconn_status(c)->connects, 1, "three more requests reuse it (keep-alive)");

	struct result par[4] = {{0}};
	int total = 0;
	for (int i = 0; i < 4; i++)
		httpconn_get(c, "/health", NULL, on_done, &par[i]);
	is_int(httpconn_busy(c), 4, "four in flight");
	for (int64_t end = now_mono_ms() + 2000; now_mono_ms() < end && total < 4;) {
		event_base_loop(base, EVLOOP_ONCE | EVLOOP_NONBLOCK);
		total = par[0].done + par[1].done + par[2].done + par[3].done;
	}
	is_int(total, 4, "four parallel requests complete");
	is_int(httpconn_busy(c), 0, "none in flight");

	r = get(c, "/missing", 2000);
	ok(r.status == 404 && !r.error[0], "a 404 is an answer, not a connector error");
	is_int(httpconn_status(c)->state, SRC_UP, "the source stays up");

	int64_t t0 = now_mono_ms();
	r = get(c, "/big", 3000);
	is_str(r.error, "response larger than 1 MB refused", "2 MB with Content-Length refused");
	ok(now_mono_ms() - t0 < 1000, "quickly (%lld ms)", (long long)(now_mono_ms() - t0));
	r = get(c, "/chunked", 3000);
	is_str(r.error, "response larger than 1 MB refused", "2 MB chunked refused while reading");
	is_int(httpconn_status(c)->state, SRC_UP, "the server answered: still up");

	t0 = now_mono_ms();
	httpconn_free(c);
	c = httpconn_new(base, "api", url, 500, 1000, 1024 * 1024);
	r = get(c, "/hang", 3000);
	int64_t took = now_mono_ms() - t0;
	is_str(r.error, "timeout after 0.5s (no response)", "timeout reported");
	ok(took >= 450 && took < 1200, "deadline kept (%lld ms for a 500 ms timeout)", (long long)took);
	is_int(httpconn_status(c)->state, SRC_TIMEOUT, "source timeout");
	ok(strstr(httpconn_status(c)->last_error, "(GET /hang)") != NULL, "last_error names the request: %s",
	   httpconn_status(c)->last_error);
	struct result b = {0};
	is_int(httpconn_get(c, "/health", NULL, on_done, &b), -2, "backing off right after a failure");
	usleep(300 * 1000);
	r = get(c, "/health", 2000);
	ok(r.status == 200, "after 250 ms it tries again and recovers");
	is_int(httpconn_status(c)->state, SRC_UP, "up again");

	/* a request with a deadline of its own: longer than the connector's for a slow endpoint */
	unsigned before = httpconn_status(c)->connects;
	r = (struct result){0};
	is_int(httpconn_get_within(c, "/slow", NULL, 2000, on_done, &r), 0, "GET /slow within 2 s starts");
	run_until(&r.done, 1, 3000);
	ok(r.status == 200 && !r.error[0] && !strcmp(r.body, "{\"slow\": true}"),
	   "an 800 ms answer arrives within its own 2 s, past the connector's 0.5 s (%s)", r.error);
	r = get(c, "/health", 2000);
	is_int(httpconn_status(c)->connects, before, "and its connection is kept: no new one for the next request");
	r = (struct result){0};
	httpconn_get_within(c, "/slow", NULL, 300, on_done, &r);
	run_until(&r.done, 1, 3000);
	is_str(r.error, "timeout after 0.3s (no response)", "a shorter deadline of its own is kept and named");
	httpconn_free(c);
}

static void test_refused_and_secrets(void)
{
	char url[160];
	int port = free_port();
	snprintf(url, sizeof(url), "http://ops:s3cr3tpw@127.0.0.1:%d/?token=t0psecret", port);
	struct httpconn *c = httpconn_new(base, "api", url, 1000, 1000, 1024);
	int64_t t0 = now_mono_ms();
	struct result r = get(c, "/health", 2000);
	char want[64];
	snprintf(want, sizeof(want), "Connection refused (127.0.0.1:%d)", port);
	is_str(r.error, want, "refused, with where");
	ok(now_mono_ms() - t0 < 500, "at once");
	is_int(httpconn_status(c)->state, SRC_DOWN, "source down");
	ok(!strstr(httpconn_status(c)->last_error, "s3cr3t") && !strstr(httpconn_status(c)->last_error, "t0psecret"),
	   "no secret in the error: %s", httpconn_status(c)->last_error);
	httpconn_free(c);

	c = httpconn_new(base, "api", "ftp://127.0.0.1:21", 1000, 1000, 1024);
	r = get(c, "/x", 2000);
	ok(r.done && r.error[0], "a scheme other than http(s) is refused: %s", r.error);
	httpconn_free(c);
}

static int freed_cb_calls;
static struct httpconn *to_free;
static void count_cb(void *arg, const struct http_response *r, const char *error)
{
	(void)arg, (void)r, (void)error;
	freed_cb_calls++;
}
static void free_in_cb(void *arg, const struct http_response *r, const char *error)
{
	(void)r, (void)error;
	(*(int *)arg)++;
	httpconn_free(to_free);
}

static void test_free_in_flight(const char *url)
{
	char qurl[160];
	snprintf(qurl, sizeof(qurl), "%s?token=abc", url);
	struct httpconn *c = httpconn_new(base, "api", qurl, 2000, 1000, 1024);
	struct result r = get(c, "/health?x=1", 2000);
	is_str(last_uri, "/health?x=1&token=abc", "a query in the base URL goes along with every request");
	for (int i = 0; i < 3; i++)
		httpconn_get(c, "/hang", NULL, count_cb, NULL);
	int dummy = 0;
	run_until(&dummy, 1, 100);
	httpconn_free(c);
	run_until(&dummy, 1, 200);
	is_int(freed_cb_calls, 0, "freed with requests in flight: no callback afterwards");

	int calls = 0;
	to_free = httpconn_new(base, "api", url, 2000, 1000, 1024);
	httpconn_get(to_free, "/health", NULL, free_in_cb, &calls);
	httpconn_get(to_free, "/health", NULL, free_in_cb, &calls);
	run_until(&calls, 1, 2000);
	run_until(&calls, 2, 300);
	is_int(calls, 1, "freed from its own callback: the other request is dropped, no crash");
	(void)r;
}

int main(void)
{
	/* as opsdeck's main() does: the test's own server writing to a client that timed out
	 * must get EPIPE, not kill the test */
	signal(SIGPIPE, SIG_IGN);
	base = event_base_new();
	struct evhttp *srv = evhttp_new(base);
	evhttp_set_gencb(srv, handle, NULL);
	struct evhttp_bound_socket *bs = evhttp_bind_socket_with_handle(srv, "127.0.0.1", 0);
	struct sockaddr_in a;
	socklen_t len = sizeof(a);
	getsockname(evhttp_bound_socket_get_fd(bs), (struct sockaddr *)&a, &len);
	char url[64];
	snprintf(url, sizeof(url), "http://127.0.0.1:%d/", ntohs(a.sin_port));
	test_basic(url);
	test_refused_and_secrets();
	test_free_in_flight(url);
	evhttp_free(srv);
	event_base_free(base);
	return done_testing();
}
