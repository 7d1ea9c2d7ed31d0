/* One PostgreSQL (or PgBouncer admin) connection: opened once, reused across refreshes,
 * reconnected with backoff. Everything is non-blocking on the libevent loop and every
 * operation (connect + query) has a deadline, so a frozen server never freezes us. */
#ifndef OD_PGCONN_H
#define OD_PGCONN_H

#include <event2/event.h>

#include "panels/rowset.h"
#include "panels/source.h"

struct pgconn;

/* results: one rowset per statement of the query (empty rowset for commands);
 * error: NULL on success, else why (timeout, connection lost, SQL error). The rowsets
 * are freed after the callback returns. */
typedef void (*pg_done_fn)(void *arg, struct rowset *results, int nresults, const char *error);

struct pgconn *pgconn_new(struct event_base *base, const char *name, const char *dsn,
			  int timeout_ms, int backoff_max_ms);
void pgconn_free(struct pgconn *c);

enum { PGQ_STARTED = 0, PGQ_BUSY = -1, PGQ_BACKOFF = -2 };
/* Queues sql (several ';'-separated statements allowed when nparams == 0; the PgBouncer
 * console takes one per query), connecting first if needed; queries run one after another
 * on the one connection, each with its own deadline. PGQ_BUSY: the queue is full (skip this
 * refresh); PGQ_BACKOFF: the source is down and the next attempt is not due yet. The
 * callback may run before this returns when the connection cannot even be started. */
int pgconn_query(struct pgconn *c, const char *sql, int nparams, const char *const *params,
		 pg_done_fn cb, void *arg);

/* First line of a libpq message, with 'connection to server at "H", port P failed: WHY'
 * turned into 'WHY (H:P)'. Malloced. */
char *pgconn_condense_error(const char *msg, const char *fallback);

/* A result as a rowset: cells as text, NULL for SQL NULL. The rowset takes r: its cells
 * point into it and rowset_done() clears it (the caller must not PQclear it). */
struct pg_result;
void rowset_from_pgresult(struct rowset *rs, struct pg_result *r);

const struct source_status *pgconn_status(const struct pgconn *c);
const char *pgconn_name(const struct pgconn *c);
int pgconn_busy(const struct pgconn *c); /* queries queued or in flight */

#endif
