/* sql probes: one statement on its own connection, parameters bound (PQsendQueryParams:
 * the extended protocol also refuses a second statement), inside a read-only transaction
 * unless the probe says it writes. PgBouncer's console speaks only the simple protocol. */
#include <libpq-fe.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>

#include "panels/pgconn.h"
#include "runbooks/probe.h"
#include "src/util.h"

struct conn {
	PGconn *pg;
	int64_t deadline;
	volatile int *cancel;
	const char *target;
};

static int wait_socket(struct conn *c, short events, char **err)
{
	for (;;) {
		if (c->cancel && *c->cancel) {
			*err = xstrdup("cancelled");
			return -1;
		}
		double left = probe_left(c->deadline);
		if (left <= 0) {
			*err = xstrdup("timed out");
			return -1;
		}
		struct pollfd pfd = {.fd = PQsocket(c->pg), .events = events};
		int n = poll(&pfd, 1, left < 200 ? (int)left + 1 : 200);
		if (n > 0)
			return 0;
	}
}

static int connect_deadline(struct conn *c, const char *dsn, int read_only_session, char **err)
{
	PQconninfoOption *opts = PQconninfoParse(dsn, err);
	if (!opts) {
		char *why = *err ? pgconn_condense_error(*err, "bad connection string") : xstrdup("bad connection string");
		if (*err)
			PQfreemem(*err);
		*err = why;
		return -1;
	}
	const char *kw[64], *val[64];
	int n = 0;
	for (PQconninfoOption *o = opts; o->keyword && n < 60; o++)
		if (o->val && *o->val && strcmp(o->keyword, "options") != 0) {
			kw[n] = o->keyword;
			val[n++] = o->val;
		}
	char *options = NULL;
	if (read_only_session) {
		const char *given = NULL;
		for (PQconninfoOption *o = opts; o->keyword; o++)
			if (!strcmp(o->keyword, "options") && o->val)
				given = o->val;
		options = xasprintf("%s%s-c statement_timeout=%.0f", given ? given : "", given ? " " : "",
				    probe_left(c->deadline) > 1 ? probe_left(c->deadline) : 1);
		kw[n] = "options";
		val[n++] = options;
	} else {
		for (PQconninfoOption *o = opts; o->keyword; o++)
			if (!strcmp(o->keyword, "options") && o->val && *o->val) {
				kw[n] = "options";
				val[n++] = o->val;
			}
	}
	kw[n] = "fallback_application_name";
	val[n++] = "opsdeck-runbook";
	kw[n] = NULL;
	val[n] = NULL;
	c->pg = PQconnectStartParams(kw, val, 0);
	PQconninfoFree(opts);
	free(options);
	if (!c->pg || PQstatus(c->pg) == CONNECTION_BAD) {
		*err = pgconn_condense_error(c->pg ? PQerrorMessage(c->pg) : NULL, "cannot start the connection");
		return -1;
	}
	for (;;) {
		PostgresPollingStatusType st = PQconnectPoll(c->pg);
		if (st == PGRES_POLLING_OK)
			return 0;
		if (st == PGRES_POLLING_FAILED) {
			*err = pgconn_condense_error(PQerrorMessage(c->pg), "connection failed");
			return -1;
		}
		char *why = NULL;
		if (wait_socket(c, st == PGRES_POLLING_READING ? POLLIN : POLLOUT, &why) < 0) {
			*err = xasprintf("connecting: %s", why);
			free(why);
			return -1;
		}
	}
}

/* Waits for the query's results; the last one is kept in *last (others cleared). */
static int collect(struct conn *c, PGresult **last, char **err)
{
	*last = NULL;
	for (;;) {
		while (PQisBusy(c->pg)) {
			char *why = NULL;
			if (wait_socket(c, POLLIN, &why) < 0) {
				PGcancel *cn = PQgetCancel(c->pg);
				char buf[256];
				if (cn) {
					PQcancel(cn, buf, sizeof(buf));
					PQfreeCancel(cn);
				}
				*err = why;
				if (*last)
					PQclear(*last);
				*last = NULL;
				return -1;
			}
			if (!PQconsumeInput(c->pg)) {
				*err = pgconn_condense_error(PQerrorMessage(c->pg), "connection lost");
				if (*last)
					PQclear(*last);
				*last = NULL;
				return -1;
			}
		}
		PGresult *r = PQgetResult(c->pg);
		if (!r)
			break;
		if (*last && PQresultStatus(*last) == PGRES_FATAL_ERROR)
			PQclear(r); /* keep the first error */
		else {
			if (*last)
				PQclear(*last);
			*last = r;
		}
	}
	if (!*last) {
		*err = xstrdup("no result");
		return -1;
	}
	ExecStatusType st = PQresultStatus(*last);
	if (st != PGRES_TUPLES_OK && st != PGRES_COMMAND_OK && st != PGRES_EMPTY_QUERY) {
		const char *m = PQresultErrorMessage(*last);
		*err = pgconn_condense_error(m && *m ? m : NULL, PQresStatus(st));
		PQclear(*last);
		*last = NULL;
		return -1;
	}
	return 0;
}

static int run_simple(struct conn *c, const char *sql, PGresult **res, char **err)
{
	if (!PQsendQuery(c->pg, sql)) {
		*err = pgconn_condense_error(PQerrorMessage(c->pg), "cannot send the query");
		return -1;
	}
	return collect(c, res, err);
}

static int run_params(struct conn *c, const char *sql, const struct probe_call *call, PGresult **res, char **err)
{
	if (!PQsendQueryParams(c->pg, sql, call->n_params, NULL, (const char *const *)call->params, NULL, NULL, 0)) {
		*err = pgconn_condense_error(PQerrorMessage(c->pg), "cannot send the query");
		return -1;
	}
	return collect(c, res, err);
}

void probe_sql(const struct probe_call *call, struct probe_raw *out)
{
	const struct probe *pr = call->pr;
	int bouncer = str_eq(call->target, "pgbouncer");
	int read_only = !pr->writes && !pr->destructive;
	struct conn c = {.deadline = now_mono_ms() + (int64_t)call->timeout_ms, .cancel = call->cancel,
			 .target = call->target};
	char *err = NULL;
	PGresult *res = NULL;
	if (connect_deadline(&c, call->src->dsn, read_only && !bouncer, &err) < 0)
		goto fail;
	if (bouncer) {
		if (run_simple(&c, pr->code, &res, &err) < 0)
			goto fail;
	} else if (read_only) {
		PGresult *b = NULL;
		if (run_simple(&c, "BEGIN TRANSACTION READ ONLY", &b, &err) < 0)
			goto fail;
		PQclear(b);
		if (run_params(&c, pr->code, call, &res, &err) < 0)
			goto fail;
		if (run_simple(&c, "ROLLBACK", &b, &err) == 0)
			PQclear(b);
		str_free(&err);
	} else if (run_params(&c, pr->code, call, &res, &err) < 0) {
		goto fail;
	}
	if (PQresultStatus(res) == PGRES_TUPLES_OK)
		rowset_from_pgresult(&out->rs, res); /* takes res */
	else
		out->text = xstrdup(PQcmdStatus(res)[0] ? PQcmdStatus(res) : "OK");
	if (!out->text)
		out->text = rowset_text(&out->rs);
	else
		PQclear(res);
	out->has_rows = 1;
	PQfinish(c.pg);
	return;
fail:
	out->error = err ? err : xstrdup("failed");
	if (c.pg)
		PQfinish(c.pg);
}
