/* The API over HTTP(S) with libcurl's multi interface on the libevent loop: curl tells us
 * which sockets to watch (one event each) and when to wake it (one timer); we hand readiness
 * back with curl_multi_socket_action. Nothing here blocks. Connections live in the multi
 * handle's cache and are reused by the next request (HTTP/1.1 keep-alive). DNS goes through
 * libcurl's threaded resolver (CURL_VERSION_ASYNCHDNS), and CURLOPT_QUICK_EXIT keeps a
 * timed-out lookup from being joined (which would block until getaddrinfo returns). */
#include "panels/httpconn.h"

#include <curl/curl.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "src/config.h"
#include "src/util.h"

struct sockwatch { /* one watched socket */
	struct httpconn *c;
	curl_socket_t fd;
	struct event *ev;
	struct sockwatch *next;
};

struct httpreq {
	struct httpconn *c;
	CURL *easy;
	struct curl_slist *hdrs;
	char *path;
	struct sbuf body;
	struct sbuf headers; /* of the final response: "name\0value\0" pairs */
	int too_large;
	int timeout_ms; /* this request's deadline */
	int64_t started_mono;
	http_done_fn cb;
	void *arg;
	char errbuf[CURL_ERROR_SIZE];
	struct httpreq *next;
};

struct httpconn {
	struct event_base *base;
	char *name, *url_base, *url_query; /* base URL split at '?' (a token may sit there) */
	char *url_full;                     /* as configured: for masking messages */
	char *ca_file;                      /* api.ca_file, NULL: libcurl's bundle */
	int timeout_ms, backoff_ms, backoff_max_ms;
	size_t max_body;
	CURLM *multi;
	struct event *timer;
	struct sockwatch *socks;
	struct httpreq *reqs; /* in flight */
	int nreqs;
	int dispatching, freed, closing;
	struct source_status st;
};

static void check_done(struct httpconn *c);

/* ---- libcurl <-> libevent ------------------------------------------------------------ */

static void sock_event_cb(evutil_socket_t fd, short what, void *arg)
{
	struct httpconn *c = arg;
	int running, action = (what & EV_READ ? CURL_CSELECT_IN : 0) | (what & EV_WRITE ? CURL_CSELECT_OUT : 0);
	curl_multi_socket_action(c->multi, fd, action, &running);
	check_done(c);
}

static void timer_event_cb(evutil_socket_t fd, short what, void *arg)
{
	struct httpconn *c = arg;
	int running;
	(void)fd, (void)what;
	curl_multi_socket_action(c->multi, CURL_SOCKET_TIMEOUT, 0, &running);
	check_done(c);
}

static void sockwatch_free(struct httpconn *c, struct sockwatch *w)
{
	for (struct sockwatch **pp = &c->socks; *pp; pp = &(*pp)->next)
		if (*pp == w) {
			*pp = w->next;
			break;
		}
	if (w->ev)
		event_free(w->ev);
	free(w);
}

static int socket_cb(CURL *easy, curl_socket_t fd, int what, void *userp, void *socketp)
{
	struct httpconn *c = userp;
	struct sockwatch *w = socketp;
	(void)easy;
	if (what == CURL_POLL_REMOVE) {
		if (w)
			sockwatch_free(c, w);
		return 0;
	}
	if (c->closing)
		return 0;
	if (!w) {
		w = xcalloc(1, sizeof(*w));
		w->c = c;
		w->fd = fd;
		w->next = c->socks;
		c->socks = w;
		curl_multi_assign(c->multi, fd, w);
	}
	if (w->ev)
		event_free(w->ev);
	short ev = (short)((what & CURL_POLL_IN ? EV_READ : 0) | (what & CURL_POLL_OUT ? EV_WRITE : 0));
	w->ev = event_new(c->base, fd, ev | EV_PERSIST, sock_event_cb, c);
	event_add(w->ev, NULL);
	return 0;
}

static int timer_cb(CURLM *multi, long timeout_ms, void *userp)
{
	struct httpconn *c = userp;
	(void)multi;
	if (c->closing)
		return 0;
	if (timeout_ms < 0) {
		evtimer_del(c->timer);
	} else { /* 0 = as soon as possible, but never from inside curl: through the loop */
		struct timeval tv = {timeout_ms / 1000, (timeout_ms % 1000) * 1000};
		evtimer_add(c->timer, &tv);
	}
	return 0;
}

/* ---- one request ---------------------------------------------------------------------- */

static size_t write_cb(char *data, size_t size, size_t n, void *arg)
{
	struct httpreq *r = arg;
	size_t len = size * n;
	if (r->body.len + len > r->c->max_body) {
		r->too_large = 1;
		return 0; /* curl aborts the transfer: CURLE_WRITE_ERROR */
	}
	sbuf_addn(&r->body, data, len);
	return len;
}

static size_t header_cb(char *data, size_t size, size_t n, void *arg)
{
	struct httpreq *r = arg;
	size_t len = size * n;
	if (len >= 5 && !strncmp(data, "HTTP/", 5)) /* a new response (after a 100 Continue) */
		sbuf_reset(&r->headers);
	const char *colon = memchr(data, ':', len), *end = data + len;
	if (!colon || r->headers.len > 65536)
		return len;
	const char *v = colon + 1;
	while (v < end && (*v == ' ' || *v == '\t'))
		v++;
	while (end > v && (end[-1] == '\r' || end[-1] == '\n' || end[-1] == ' '))
		end--;
	sbuf_addn(&r->headers, data, (size_t)(colon - data));
	sbuf_addc(&r->headers, '\0');
	sbuf_addn(&r->headers, v, (size_t)(end - v));
	sbuf_addc(&r->headers, '\0');
	return len;
}

static const char *response_header(const struct http_response *resp, const char *name)
{
	const struct httpreq *r = resp->priv;
	const char *found = NULL;
	for (size_t i = 0; i < r->headers.len;) { /* the last one of that name wins */
		const char *k = r->headers.buf + i, *v = k + strlen(k) + 1;
		if (!strcasecmp(k, name))
			found = v;
		i = (size_t)(v + strlen(v) + 1 - r->headers.buf);
	}
	return found;
}

static void req_free(struct httpreq *r)
{
	if (r->easy) {
		curl_multi_remove_handle(r->c->multi, r->easy);
		curl_easy_cleanup(r->easy);
	}
	curl_slist_free_all(r->hdrs);
	sbuf_done(&r->headers);
	sbuf_done(&r->body);
	free(r->path);
	free(r);
}

static void req_unlink(struct httpconn *c, struct httpreq *r)
{
	for (struct httpreq **pp = &c->reqs; *pp; pp = &(*pp)->next)
		if (*pp == r) {
			*pp = r->next;
			c->nreqs--;
			return;
		}
}

/* ---- errors an operator can read -------------------------------------------------------- */

static char *size_text(size_t n)
{
	return n % (1024 * 1024) ? xasprintf("%zu bytes", n) : xasprintf("%zu MB", n / (1024 * 1024));
}

/* A part of the base URL (curl_free it), NULL if absent. */
static char *url_part(const struct httpconn *c, CURLUPart part)
{
	char *v = NULL;
	CURLU *u = curl_url();
	if (curl_url_set(u, CURLUPART_URL, c->url_base, 0) == CURLUE_OK)
		curl_url_get(u, part, &v, CURLU_DEFAULT_PORT);
	curl_url_cleanup(u);
	return v;
}

/* " (ip:port)" of the connection, else of the URL (a failed connect may not have one). */
static char *host_port(struct httpreq *r)
{
	char *ip = NULL, *host, *port, *out;
	long pnum = 0;
	curl_easy_getinfo(r->easy, CURLINFO_PRIMARY_IP, &ip);
	curl_easy_getinfo(r->easy, CURLINFO_PRIMARY_PORT, &pnum);
	if (ip && *ip && pnum)
		return xasprintf(" (%s:%ld)", ip, pnum);
	host = url_part(r->c, CURLUPART_HOST);
	port = url_part(r->c, CURLUPART_PORT);
	out = host ? xasprintf(" (%s%s%s)", host, port ? ":" : "", port ? port : "") : xstrdup("");
	curl_free(host);
	curl_free(port);
	return out;
}

/* The cause first, then where: "Connection refused (127.0.0.1:1)", "timeout after 3s",
 * "could not resolve host api.x", "TLS handshake failed: wrong version number". */
static char *condense(struct httpreq *r, CURLcode rc)
{
	struct httpconn *c = r->c;
	long os_errno = 0, status = 0;
	char *where = host_port(r), *out, *sz;
	const char *eb = r->errbuf[0] ? r->errbuf : curl_easy_strerror(rc);
	curl_easy_getinfo(r->easy, CURLINFO_OS_ERRNO, &os_errno);
	curl_easy_getinfo(r->easy, CURLINFO_RESPONSE_CODE, &status);
	switch (rc) {
	case CURLE_WRITE_ERROR:
	case CURLE_FILESIZE_EXCEEDED:
		sz = size_text(c->max_body);
		out = r->too_large || rc == CURLE_FILESIZE_EXCEEDED ? xasprintf("response larger than %s refused", sz)
								     : xasprintf("%s", eb);
		free(sz);
		break;
	case CURLE_OPERATION_TIMEDOUT:
		out = xasprintf("timeout after %gs%s", r->timeout_ms / 1000.0,
				status ? " (response incomplete)" : r->body.len ? "" : " (no response)");
		break;
	case CURLE_COULDNT_RESOLVE_HOST: {
		char *host = url_part(c, CURLUPART_HOST);
		out = xasprintf("could not resolve host %s", host ? host : "?");
		curl_free(host);
		break;
	}
	case CURLE_COULDNT_CONNECT:
		out = os_errno ? xasprintf("%s%s", strerror((int)os_errno), where) : xasprintf("%s%s", eb, where);
		if (out[0] >= 'a' && out[0] <= 'z')
			out[0] = (char)(out[0] - 'a' + 'A');
		break;
	case CURLE_SSL_CONNECT_ERROR: {
		const char *why = strstr(eb, "::") ? strstr(eb, "::") + 2 : eb;
		out = xasprintf("TLS handshake failed: %s%s%s", why, where,
				strstr(why, "wrong version") ? " - is this a plain HTTP port?" : "");
		break;
	}
	case CURLE_PEER_FAILED_VERIFICATION:
		out = xasprintf("TLS certificate not trusted: %s", eb);
		break;
	case CURLE_GOT_NOTHING:
		out = xasprintf("closed without a response%s", where);
		break;
	case CURLE_RECV_ERROR:
	case CURLE_SEND_ERROR:
		out = xasprintf("connection broken: %s%s", os_errno ? strerror((int)os_errno) : eb, where);
		break;
	case CURLE_WEIRD_SERVER_REPLY:
		out = xasprintf("not an HTTP reply%s", where);
		break;
	default:
		out = xasprintf("%s", eb);
		break;
	}
	free(where);
	char *masked = mask_secrets_in(out, c->url_full);
	free(out);
	return masked;
}

/* ---- completion --------------------------------------------------------------------------- */

static void note_failure(struct httpconn *c, struct httpreq *r, enum src_state state, const char *why)
{
	/* several requests of one refresh fail together: back off once per refresh, not per request */
	if (r->started_mono >= c->st.retry_at_mono) {
		c->backoff_ms = c->backoff_ms ? c->backoff_ms * 2 : 250;
		if (c->backoff_ms > c->backoff_max_ms)
			c->backoff_ms = c->backoff_max_ms;
		c->st.retry_at_mono = now_mono_ms() + c->backoff_ms;
	}
	char *msg = xasprintf("%s (GET %s)", why, r->path);
	source_status_fail(&c->st, state, msg);
	free(msg);
}

static void finish(struct httpconn *c, struct httpreq *r, CURLcode rc)
{
	long status = 0, connects = 0;
	double total_s = 0;
	curl_easy_getinfo(r->easy, CURLINFO_RESPONSE_CODE, &status);
	curl_easy_getinfo(r->easy, CURLINFO_NUM_CONNECTS, &connects);
	curl_easy_getinfo(r->easy, CURLINFO_TOTAL_TIME, &total_s);
	c->st.connects += (unsigned)connects;
	char *err = rc == CURLE_OK ? NULL : condense(r, rc);
	if (rc == CURLE_OK) {
		c->backoff_ms = 0;
		source_status_ok(&c->st, total_s * 1000);
	} else if (status > 0 && rc != CURLE_OPERATION_TIMEDOUT) {
		/* the server answered (say, with a body too large): up, but this request failed */
		c->backoff_ms = 0;
		source_status_ok(&c->st, total_s * 1000);
		char *msg = xasprintf("%s (GET %s)", err, r->path);
		source_status_fail(&c->st, SRC_UP, msg);
		free(msg);
	} else {
		note_failure(c, r, rc == CURLE_OPERATION_TIMEDOUT ? SRC_TIMEOUT : SRC_DOWN, err);
	}
	struct http_response resp = {
		.status = status,
		.body = r->body.buf ? r->body.buf : "",
		.len = r->body.len,
		.total_ms = total_s * 1000,
		.header = response_header,
		.priv = r,
	};
	if (r->cb)
		r->cb(r->arg, &resp, err);
	free(err);
}

static void really_free(struct httpconn *c);

static void check_done(struct httpconn *c)
{
	CURLMsg *m;
	int left;
	c->dispatching++;
	while (!c->freed && (m = curl_multi_info_read(c->multi, &left))) {
		if (m->msg != CURLMSG_DONE)
			continue;
		char *priv = NULL;
		CURLcode rc = m->data.result;
		curl_easy_getinfo(m->easy_handle, CURLINFO_PRIVATE, &priv);
		struct httpreq *r = (struct httpreq *)(void *)priv;
		req_unlink(c, r);
		finish(c, r, rc); /* the callback may start requests, or even free c */
		req_free(r);
	}
	if (--c->dispatching == 0 && c->freed)
		really_free(c);
}

/* ---- public -------------------------------------------------------------------------------- */

static char *join_url(const struct httpconn *c, const char *path)
{
	if (!c->url_query)
		return xasprintf("%s%s", c->url_base, path);
	return xasprintf("%s%s%c%s", c->url_base, path, strchr(path, '?') ? '&' : '?', c->url_query);
}

void httpconn_easy_defaults(void *easy, const char *url, long timeout_ms, long long max_body,
			    const char *user_agent, const char *ca_file)
{
	CURL *e = easy;
	curl_easy_setopt(e, CURLOPT_URL, url);
	curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
#if LIBCURL_VERSION_NUM >= 0x075700
	curl_easy_setopt(e, CURLOPT_QUICK_EXIT, 1L); /* never join a resolver thread that hangs */
#endif
	curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, timeout_ms);
	curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, timeout_ms);
	curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, 0L);
#if LIBCURL_VERSION_NUM >= 0x075500
	curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
#else
	curl_easy_setopt(e, CURLOPT_PROTOCOLS, (long)(CURLPROTO_HTTP | CURLPROTO_HTTPS));
#endif
	curl_easy_setopt(e, CURLOPT_SSL_VERIFYPEER, 1L);
	if (ca_file)
		curl_easy_setopt(e, CURLOPT_CAINFO, ca_file); /* else libcurl's bundle */
	curl_easy_setopt(e, CURLOPT_SSL_VERIFYHOST, 2L);
	curl_easy_setopt(e, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)max_body);
	curl_easy_setopt(e, CURLOPT_USERAGENT, user_agent);
	curl_easy_setopt(e, CURLOPT_ACCEPT_ENCODING, ""); /* what libcurl can decode */
}

static CURL *make_easy(struct httpconn *c, struct httpreq *r, const char *url)
{
	CURL *e = curl_easy_init();
	if (!e)
		return NULL;
	httpconn_easy_defaults(e, url, (long)r->timeout_ms, (long long)c->max_body, "opsdeck", c->ca_file);
	curl_easy_setopt(e, CURLOPT_PRIVATE, r);
	curl_easy_setopt(e, CURLOPT_ERRORBUFFER, r->errbuf);
	curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, write_cb);
	curl_easy_setopt(e, CURLOPT_WRITEDATA, r);
	curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, header_cb);
	curl_easy_setopt(e, CURLOPT_HEADERDATA, r);
	curl_easy_setopt(e, CURLOPT_HTTPHEADER, r->hdrs);
	return e;
}

int httpconn_get(struct httpconn *c, const char *path, const char *const *headers,
		 http_done_fn cb, void *arg)
{
	return httpconn_get_within(c, path, headers, 0, cb, arg);
}

int httpconn_get_within(struct httpconn *c, const char *path, const char *const *headers, int timeout_ms,
			http_done_fn cb, void *arg)
{
	if (c->st.state != SRC_UP && c->backoff_ms && now_mono_ms() < c->st.retry_at_mono)
		return -2;
	struct httpreq *r = xcalloc(1, sizeof(*r));
	r->c = c;
	r->timeout_ms = timeout_ms > 0 ? timeout_ms : c->timeout_ms;
	r->path = xstrdup(path);
	r->cb = cb;
	r->arg = arg;
	r->started_mono = now_mono_ms();
	r->hdrs = curl_slist_append(NULL, "Accept: application/json");
	for (int i = 0; headers && headers[i]; i++)
		r->hdrs = curl_slist_append(r->hdrs, headers[i]);
	char *url = join_url(c, path);
	r->easy = make_easy(c, r, url);
	free(url);
	if (!r->easy || curl_multi_add_handle(c->multi, r->easy) != CURLM_OK) {
		source_status_fail(&c->st, SRC_DOWN, "could not start an HTTP request");
		req_free(r); /* removing a handle that was never added is harmless */
		return -2;
	}
	r->next = c->reqs;
	c->reqs = r;
	c->nreqs++;
	if (c->st.state == SRC_IDLE)
		c->st.state = SRC_CONNECTING;
	return 0;
}

void httpconn_set_ca_file(struct httpconn *c, const char *ca_file)
{
	free(c->ca_file);
	c->ca_file = ca_file ? xstrdup(ca_file) : NULL;
}

struct httpconn *httpconn_new(struct event_base *base, const char *name, const char *base_url,
			      int timeout_ms, int backoff_max_ms, size_t max_body)
{
	curl_global_init(CURL_GLOBAL_DEFAULT); /* reference counted; undone in httpconn_free */
	struct httpconn *c = xcalloc(1, sizeof(*c));
	c->base = base;
	c->name = xstrdup(name);
	c->url_full = xstrdup(base_url);
	size_t q = strcspn(base_url, "?#"), blen = q;
	while (blen > 0 && base_url[blen - 1] == '/')
		blen--;
	c->url_base = xstrndup(base_url, blen);
	if (base_url[q] == '?' && base_url[q + 1])
		c->url_query = xstrndup(base_url + q + 1, strcspn(base_url + q + 1, "#"));
	c->timeout_ms = timeout_ms > 0 ? timeout_ms : 3000;
	c->backoff_max_ms = backoff_max_ms > 250 ? backoff_max_ms : 250;
	c->max_body = max_body ? max_body : 1024 * 1024;
	c->timer = evtimer_new(base, timer_event_cb, c);
	c->multi = curl_multi_init();
	curl_multi_setopt(c->multi, CURLMOPT_SOCKETFUNCTION, socket_cb);
	curl_multi_setopt(c->multi, CURLMOPT_SOCKETDATA, c);
	curl_multi_setopt(c->multi, CURLMOPT_TIMERFUNCTION, timer_cb);
	curl_multi_setopt(c->multi, CURLMOPT_TIMERDATA, c);
	curl_multi_setopt(c->multi, CURLMOPT_MAX_HOST_CONNECTIONS, 6L);
	curl_multi_setopt(c->multi, CURLMOPT_MAXCONNECTS, 8L);
	c->st.state = SRC_IDLE;
	return c;
}

static void really_free(struct httpconn *c)
{
	c->closing = 1;
	while (c->reqs) { /* in flight: dropped without telling anybody */
		struct httpreq *r = c->reqs;
		c->reqs = r->next;
		req_free(r);
	}
	curl_multi_cleanup(c->multi);
	while (c->socks)
		sockwatch_free(c, c->socks);
	event_free(c->timer);
	source_status_done(&c->st);
	free(c->name);
	free(c->url_full);
	free(c->ca_file);
	free(c->url_base);
	free(c->url_query);
	free(c);
	curl_global_cleanup();
}

void httpconn_free(struct httpconn *c)
{
	if (!c)
		return;
	if (c->dispatching) { /* called from a callback: finish the loop in check_done first */
		c->freed = 1;
		return;
	}
	really_free(c);
}

const struct source_status *httpconn_status(const struct httpconn *c) { return &c->st; }
int httpconn_busy(const struct httpconn *c) { return c->nreqs; }
