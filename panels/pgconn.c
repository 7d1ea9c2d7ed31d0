#include "panels/pgconn.h"

#include <libpq-fe.h>
#include <stdlib.h>
#include <string.h>

#include "src/util.h"

enum phase { PH_IDLE, PH_CONNECTING, PH_READY, PH_QUERY };

struct pgconn {
	struct event_base *base;
	char *name, *dsn;
	int timeout_ms, backoff_ms, backoff_max_ms;
	PGconn *pg;
	enum phase phase;
	struct event *io;       /* socket readiness; recreated when the socket changes */
	int io_fd;
	short io_what;
	struct event *deadline; /* one timer for connect + query */
	struct source_status st;
	/* queries in order; the head is in flight (or waits for the connection) */
	struct pgquery *head, *tail;
	int qlen;
	int64_t started_mono;
	struct rowset *res;
	int nres;
	char *sql_error;
};

struct pgquery {
	char *sql;
	char **params;
	int nparams;
	pg_done_fn cb;
	void *arg;
	struct pgquery *next;
};

#define PGCONN_MAX_QUEUE 8

static void pg_io_cb(evutil_socket_t fd, short what, void *arg);
static void send_query(struct pgconn *c);

static void watch(struct pgconn *c, short what)
{
	int fd = c->pg ? PQsocket(c->pg) : -1;
	if (c->io && (fd != c->io_fd || what != c->io_what)) {
		event_free(c->io);
		c->io = NULL;
	}
	if (fd < 0 || !what)
		return;
	if (!c->io) {
		c->io = event_new(c->base, fd, what | EV_PERSIST, pg_io_cb, c);
		c->io_fd = fd;
		c->io_what = what;
		event_add(c->io, NULL);
	}
}

static void free_query(struct pgquery *q)
{
	free(q->sql);
	for (int i = 0; i < q->nparams; i++)
		free(q->params[i]);
	free(q->params);
	free(q);
}

static void clear_results(struct pgconn *c)
{
	for (int i = 0; i < c->nres; i++)
		rowset_done(&c->res[i]);
	free(c->res);
	c->res = NULL;
	c->nres = 0;
	str_free(&c->sql_error);
}

static void arm_deadline(struct pgconn *c)
{
	struct timeval tv = {c->timeout_ms / 1000, (c->timeout_ms % 1000) * 1000};
	c->started_mono = now_mono_ms();
	evtimer_add(c->deadline, &tv);
}

/* Hands the head query's outcome to its caller, forgets it, and sends the next one. */
static void finish_query(struct pgconn *c, const char *error)
{
	struct pgquery *q = c->head;
	evtimer_del(c->deadline);
	if (!q)
		return;
	c->head = q->next;
	if (!c->head)
		c->tail = NULL;
	c->qlen--;
	if (q->cb)
		q->cb(q->arg, c->res, c->nres, error);
	free_query(q);
	clear_results(c);
	if (c->head && c->phase == PH_READY)
		send_query(c);
}

static void drop_connection(struct pgconn *c, enum src_state state, const char *why)
{
	watch(c, 0);
	if (c->pg) {
		PQfinish(c->pg);
		c->pg = NULL;
	}
	c->phase = PH_IDLE;
	c->backoff_ms = c->backoff_ms ? c->backoff_ms * 2 : 250;
	if (c->backoff_ms > c->backoff_max_ms)
		c->backoff_ms = c->backoff_max_ms;
	c->st.retry_at_mono = now_mono_ms() + c->backoff_ms;
	source_status_fail(&c->st, state, why);
	while (c->head) /* everything queued fails with the connection */
		finish_query(c, why);
}

/* libpq messages end with a newline and may span lines; keep the first line, and turn
 * 'connection to server at "H", port P failed: WHY' into 'WHY (H:P)' so the cause is
 * what an operator reads first. */
char *pgconn_condense_error(const char *msg, const char *fallback)
{
	if (!msg || !*msg)
		return xstrdup(fallback);
	char *line = xstrndup(msg, strcspn(msg, "\n"));
	static const char pre[] = "connection to server at \"";
	const char *why = strstr(line, " failed: ");
	if (str_starts(line, pre) && why && why[9]) {
		const char *host = line + sizeof(pre) - 1;
		size_t hlen = strcspn(host, "\"");
		const char *port = strstr(host + hlen, "port ");
		size_t plen = port ? strcspn(port + 5, " ,") : 0;
		char *out = port ? xasprintf("%s (%.*s:%.*s)", why + 9, (int)hlen, host, (int)plen, port + 5)
				 : xasprintf("%s (%.*s)", why + 9, (int)hlen, host);
		free(line);
		return out;
	}
	return line;
}

static void fail_from_libpq(struct pgconn *c, const char *fallback)
{
	char *why = pgconn_condense_error(c->pg ? PQerrorMessage(c->pg) : NULL, fallback);
	drop_connection(c, SRC_DOWN, why);
	free(why);
}

static void release_pgresult(void *r) { PQclear(r); }

void rowset_from_pgresult(struct rowset *rs, PGresult *r)
{
	/* libpq keeps every value NUL-terminated inside the result (text format): point at
	 * them. At 5,000 partitions x 11 columns this saves 55,000 mallocs and frees a poll. */
	memset(rs, 0, sizeof(*rs));
	rs->ncols = PQnfields(r);
	rs->nrows = PQntuples(r);
	rs->owner = r;
	rs->release = release_pgresult;
	rs->cols = xcalloc((size_t)(rs->ncols ? rs->ncols : 1), sizeof(char *));
	for (int i = 0; i < rs->ncols; i++)
		rs->cols[i] = PQfname(r, i);
	rs->cells = xcalloc((size_t)rs->nrows * (size_t)rs->ncols + 1, sizeof(char *));
	char **cell = rs->cells;
	for (int row = 0; row < rs->nrows; row++)
		for (int col = 0; col < rs->ncols; col++, cell++)
			if (!PQgetisnull(r, row, col))
				*cell = PQgetvalue(r, row, col);
}

/* Takes r (into a rowset, or clears it). */
static void collect(struct pgconn *c, PGresult *r)
{
	switch (PQresultStatus(r)) {
	case PGRES_TUPLES_OK:
	case PGRES_COMMAND_OK:
	case PGRES_EMPTY_QUERY:
		c->res = xrealloc(c->res, sizeof(*c->res) * (size_t)(c->nres + 1));
		rowset_from_pgresult(&c->res[c->nres++], r);
		break;
	default:
		if (!c->sql_error)
			c->sql_error = pgconn_condense_error(PQresultErrorMessage(r), "query failed");
		PQclear(r);
		break;
	}
}

static void flush_and_wait(struct pgconn *c)
{
	int f = PQflush(c->pg);
	if (f < 0)
		fail_from_libpq(c, "could not send the query");
	else
		watch(c, f == 1 ? EV_READ | EV_WRITE : EV_READ);
}

static void send_query(struct pgconn *c)
{
	int ok;
	struct pgquery *q = c->head;
	arm_deadline(c);
	if (q->nparams)
		ok = PQsendQueryParams(c->pg, q->sql, q->nparams, NULL, (const char *const *)q->params,
				       NULL, NULL, 0);
	else
		ok = PQsendQuery(c->pg, q->sql);
	if (!ok) {
		fail_from_libpq(c, "could not send the query");
		return;
	}
	c->phase = PH_QUERY;
	flush_and_wait(c);
}

static void read_results(struct pgconn *c)
{
	if (!PQconsumeInput(c->pg)) {
		fail_from_libpq(c, "connection lost");
		return;
	}
	while (!PQisBusy(c->pg)) {
		PGresult *r = PQgetResult(c->pg);
		if (!r) {
			double rtt = (double)(now_mono_ms() - c->started_mono);
			c->phase = PH_READY;
			c->backoff_ms = 0;
			source_status_ok(&c->st, rtt);
			char *err = c->sql_error ? xstrdup(c->sql_error) : NULL;
			finish_query(c, err);
			free(err);
			if (c->phase == PH_READY)
				watch(c, EV_READ); /* notice a server that goes away while idle */
			return;
		}
		collect(c, r);
	}
}

static void connect_step(struct pgconn *c)
{
	switch (PQconnectPoll(c->pg)) {
	case PGRES_POLLING_READING:
		watch(c, EV_READ);
		break;
	case PGRES_POLLING_WRITING:
		watch(c, EV_WRITE);
		break;
	case PGRES_POLLING_OK:
		PQsetnonblocking(c->pg, 1);
		c->phase = PH_READY;
		c->st.connects++;
		if (c->head)
			send_query(c);
		else
			watch(c, EV_READ);
		break;
	default:
		fail_from_libpq(c, "connection failed");
		break;
	}
}

static void pg_io_cb(evutil_socket_t fd, short what, void *arg)
{
	struct pgconn *c = arg;
	(void)fd;
	switch (c->phase) {
	case PH_CONNECTING:
		connect_step(c);
		break;
	case PH_QUERY:
		if (what & EV_WRITE) {
			flush_and_wait(c);
			if (c->phase != PH_QUERY)
				return;
		}
		if (what & EV_READ)
			read_results(c);
		break;
	case PH_READY:
		/* idle: a notice, or the server closed the connection */
		if (!PQconsumeInput(c->pg)) {
			fail_from_libpq(c, "connection closed by the server");
			return;
		}
		while (!PQisBusy(c->pg)) {
			PGresult *r = PQgetResult(c->pg);
			if (!r)
				break;
			PQclear(r);
		}
		break;
	case PH_IDLE:
		watch(c, 0);
		break;
	}
}

static void deadline_cb(evutil_socket_t fd, short what, void *arg)
{
	struct pgconn *c = arg;
	(void)fd;
	(void)what;
	char *why = xasprintf("no answer within %.1fs", c->timeout_ms / 1000.0);
	drop_connection(c, SRC_TIMEOUT, why);
	free(why);
}

static void notice_sink(void *arg, const char *msg)
{
	(void)arg;
	(void)msg; /* libpq would print notices to stderr, under the TUI: drop them */
}

static int start_connect(struct pgconn *c)
{
	const char *keys[] = {"dbname", "fallback_application_name", NULL};
	const char *vals[] = {c->dsn, "opsdeck", NULL};
	c->pg = PQconnectStartParams(keys, vals, 1);
	if (!c->pg || PQstatus(c->pg) == CONNECTION_BAD) {
		fail_from_libpq(c, "out of memory starting a connection");
		return -1;
	}
	PQsetNoticeProcessor(c->pg, notice_sink, NULL);
	c->phase = PH_CONNECTING;
	if (c->st.state != SRC_UP)
		c->st.state = SRC_CONNECTING;
	connect_step(c);
	return c->phase == PH_IDLE ? -1 : 0;
}

int pgconn_query(struct pgconn *c, const char *sql, int nparams, const char *const *params,
		 pg_done_fn cb, void *arg)
{
	if (c->qlen >= PGCONN_MAX_QUEUE)
		return PGQ_BUSY;
	if (c->phase == PH_IDLE && now_mono_ms() < c->st.retry_at_mono)
		return PGQ_BACKOFF;
	struct pgquery *q = xcalloc(1, sizeof(*q));
	q->sql = xstrdup(sql);
	q->nparams = nparams;
	q->params = nparams ? xcalloc((size_t)nparams, sizeof(char *)) : NULL;
	for (int i = 0; i < nparams; i++)
		q->params[i] = params[i] ? xstrdup(params[i]) : NULL;
	q->cb = cb;
	q->arg = arg;
	if (c->tail)
		c->tail->next = q;
	else
		c->head = q;
	c->tail = q;
	c->qlen++;
	if (c->phase == PH_IDLE) {
		/* a start that fails at once reports to cb through drop_connection */
		arm_deadline(c);
		start_connect(c);
	} else if (c->phase == PH_READY && c->head == q) {
		send_query(c);
	}
	return PGQ_STARTED;
}

struct pgconn *pgconn_new(struct event_base *base, const char *name, const char *dsn,
			  int timeout_ms, int backoff_max_ms)
{
	struct pgconn *c = xcalloc(1, sizeof(*c));
	c->base = base;
	c->name = xstrdup(name);
	c->dsn = xstrdup(dsn);
	c->timeout_ms = timeout_ms > 0 ? timeout_ms : 3000;
	c->backoff_max_ms = backoff_max_ms > 250 ? backoff_max_ms : 250;
	c->io_fd = -1;
	c->deadline = evtimer_new(base, deadline_cb, c);
	c->st.state = SRC_IDLE;
	return c;
}

void pgconn_free(struct pgconn *c)
{
	if (!c)
		return;
	watch(c, 0);
	if (c->pg)
		PQfinish(c->pg);
	while (c->head) { /* nobody to tell any more */
		struct pgquery *q = c->head;
		c->head = q->next;
		free_query(q);
	}
	clear_results(c);
	event_free(c->deadline);
	source_status_done(&c->st);
	free(c->name);
	free(c->dsn);
	free(c);
}

const struct source_status *pgconn_status(const struct pgconn *c) { return &c->st; }
const char *pgconn_name(const struct pgconn *c) { return c->name; }
int pgconn_busy(const struct pgconn *c) { return c->qlen > 0; }
