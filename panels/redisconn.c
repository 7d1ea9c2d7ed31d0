/* Placeholder until the Redis connector lands: reports the source as not watched yet. */
#include "panels/redisconn.h"

#include <stdlib.h>

#include "src/util.h"

struct redisconn {
	struct source_status st;
};

struct redisconn *redisconn_new(struct event_base *base, const char *name, const char *url,
				const char *password_file, int timeout_ms, int backoff_max_ms)
{
	struct redisconn *c = xcalloc(1, sizeof(*c));
	(void)base, (void)name, (void)url, (void)password_file, (void)timeout_ms, (void)backoff_max_ms;
	c->st.state = SRC_IDLE;
	return c;
}

void redisconn_free(struct redisconn *c) { free(c); }

int redisconn_batch(struct redisconn *c, int ncmds, const int *argc, const char *const *const *argv,
		    redis_done_fn cb, void *arg)
{
	(void)c, (void)ncmds, (void)argc, (void)argv, (void)cb, (void)arg;
	return RQ_BACKOFF;
}

const struct source_status *redisconn_status(const struct redisconn *c) { return &c->st; }
int redisconn_busy(const struct redisconn *c) { (void)c; return 0; }
