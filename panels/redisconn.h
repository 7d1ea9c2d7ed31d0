/* One Redis connection (hiredis async on the libevent loop): opened once, reused,
 * reconnected with backoff; every batch of commands has a deadline. The password comes
 * from redis.password_file or REDISCLI_AUTH (never the URL on screen, never a log). */
#ifndef OD_REDISCONN_H
#define OD_REDISCONN_H

#include <event2/event.h>
#include <hiredis/hiredis.h>

#include "panels/source.h"

struct redisconn;

/* replies[i] answers command i (hiredis reply types; an error reply is REDIS_REPLY_ERROR).
 * error: NULL on success, else why the batch failed (timeout, connection lost, auth).
 * Replies are freed after the callback returns. */
typedef void (*redis_done_fn)(void *arg, redisReply **replies, int n, const char *error);

/* url: redis://[user[:pass]@]host[:port][/db]; password_file may be NULL. */
struct redisconn *redisconn_new(struct event_base *base, const char *name, const char *url,
				const char *password_file, int timeout_ms, int backoff_max_ms);
void redisconn_free(struct redisconn *c);

enum { RQ_STARTED = 0, RQ_BUSY = -1, RQ_BACKOFF = -2 };
/* Pipelines ncmds commands (each an argv vector of argc[i] strings) in one round trip.
 * Same return codes as pgconn_query. */
int redisconn_batch(struct redisconn *c, int ncmds, const int *argc, const char *const *const *argv,
		    redis_done_fn cb, void *arg);

const struct source_status *redisconn_status(const struct redisconn *c);
int redisconn_busy(const struct redisconn *c);

#endif
