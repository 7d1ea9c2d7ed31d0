/* The API over HTTP(S): libcurl's multi interface driven by the libevent loop, so requests
 * never block; connections are kept alive and reused; every request has a deadline and a
 * body size cap. */
#ifndef OD_HTTPCONN_H
#define OD_HTTPCONN_H

#include <event2/event.h>
#include <stddef.h>

#include "panels/source.h"

struct httpconn;

struct http_response {
	long status;       /* HTTP status, 0 if none */
	const char *body;  /* NUL terminated (may contain NULs before len) */
	size_t len;
	double total_ms;
	/* a response header by name (case-insensitive), NULL if absent */
	const char *(*header)(const struct http_response *r, const char *name);
	const void *priv;
};

/* error: NULL on success (any HTTP status), else why (timeout, refused, too large, TLS). */
typedef void (*http_done_fn)(void *arg, const struct http_response *r, const char *error);

/* base_url: "https://api.example.com" (no trailing path needed); max_body: bytes. */
struct httpconn *httpconn_new(struct event_base *base, const char *name, const char *base_url,
			      int timeout_ms, int backoff_max_ms, size_t max_body);
void httpconn_free(struct httpconn *c);

/* GET base_url + path (path starts with '/'); headers: NULL-terminated "Name: value" list or
 * NULL. Several requests may be in flight at once. Returns 0 started, -2 backing off. */
int httpconn_get(struct httpconn *c, const char *path, const char *const *headers,
		 http_done_fn cb, void *arg);
/* The same with a deadline of its own (ms; 0: the connector's), for an endpoint known to be
 * slow and asked rarely: a request cut off by its deadline costs its connection (the answer
 * may still come), so giving up too early means a new connection every time. */
int httpconn_get_within(struct httpconn *c, const char *path, const char *const *headers, int timeout_ms,
			http_done_fn cb, void *arg);

const struct source_status *httpconn_status(const struct httpconn *c);
int httpconn_busy(const struct httpconn *c); /* requests in flight */

/* The options every request of opsdeck sets (the panels' connector and runbook probes): no
 * signals, one deadline for connect and transfer, no redirects, http(s) only, peer and host
 * verified against ca_file (PEM; NULL: libcurl's CA bundle), bodies over max_body refused,
 * decodable encodings. */
void httpconn_easy_defaults(void *easy, const char *url, long timeout_ms, long long max_body,
			    const char *user_agent, const char *ca_file);
/* The CA certificates this connector's https:// requests must chain to (api.ca_file); NULL:
 * libcurl's bundle. Copied. */
void httpconn_set_ca_file(struct httpconn *c, const char *ca_file);

#endif
