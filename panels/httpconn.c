/* Placeholder until the HTTP connector lands: reports the source as not watched yet. */
#include "panels/httpconn.h"

#include <stdlib.h>

#include "src/util.h"

struct httpconn {
	struct source_status st;
};

struct httpconn *httpconn_new(struct event_base *base, const char *name, const char *base_url,
			      int timeout_ms, int backoff_max_ms, size_t max_body)
{
	struct httpconn *c = xcalloc(1, sizeof(*c));
	(void)base, (void)name, (void)base_url, (void)timeout_ms, (void)backoff_max_ms, (void)max_body;
	c->st.state = SRC_IDLE;
	return c;
}

void httpconn_free(struct httpconn *c) { free(c); }

int httpconn_get(struct httpconn *c, const char *path, const char *const *headers,
		 http_done_fn cb, void *arg)
{
	(void)c, (void)path, (void)headers, (void)cb, (void)arg;
	return -2;
}

const struct source_status *httpconn_status(const struct httpconn *c) { return &c->st; }
int httpconn_busy(const struct httpconn *c) { (void)c; return 0; }
