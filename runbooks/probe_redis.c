/* redis probes: each line one command sent with hiredis' argv API ($1 inside an argument is
 * replaced by the value and stays that one argument). The expectation sees the last reply:
 * a scalar as one row `value`, an array as one row per element, INFO as one row with a
 * column per field. */
#include <ctype.h>
#include <hiredis/hiredis.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/time.h>

#include "panels/redis_url.h"
#include "runbooks/probe.h"
#include "src/util.h"

static struct timeval tv_of(double ms)
{
	if (ms < 1)
		ms = 1;
	return (struct timeval){.tv_sec = (time_t)(ms / 1000), .tv_usec = (suseconds_t)((long)ms % 1000) * 1000};
}

/* A reply as one line of text (nested arrays in brackets). */
static void reply_flat(struct sbuf *sb, const redisReply *r)
{
	switch (r->type) {
	case REDIS_REPLY_INTEGER: sbuf_addf(sb, "%lld", r->integer); break;
	case REDIS_REPLY_NIL: sbuf_add(sb, "(nil)"); break;
	case REDIS_REPLY_ARRAY:
		sbuf_addc(sb, '[');
		for (size_t i = 0; i < r->elements; i++) {
			if (i)
				sbuf_add(sb, ", ");
			reply_flat(sb, r->element[i]);
		}
		sbuf_addc(sb, ']');
		break;
	default: sbuf_addn(sb, r->str ? r->str : "", r->str ? r->len : 0); break;
	}
}

/* redis-cli's way of showing a reply. */
static void reply_text(struct sbuf *sb, const redisReply *r, int indent)
{
	switch (r->type) {
	case REDIS_REPLY_INTEGER: sbuf_addf(sb, "(integer) %lld\n", r->integer); break;
	case REDIS_REPLY_NIL: sbuf_add(sb, "(nil)\n"); break;
	case REDIS_REPLY_ERROR: sbuf_addf(sb, "(error) %s\n", r->str ? r->str : ""); break;
	case REDIS_REPLY_ARRAY:
		if (r->elements == 0)
			sbuf_add(sb, "(empty array)\n");
		for (size_t i = 0; i < r->elements; i++) {
			if (i)
				sbuf_addf(sb, "%*s", indent, "");
			sbuf_addf(sb, "%zu) ", i + 1);
			reply_text(sb, r->element[i], indent + 3 + (i + 1 >= 10));
		}
		break;
	default:
		sbuf_addn(sb, r->str ? r->str : "", r->str ? r->len : 0);
		if (!r->len || r->str[r->len - 1] != '\n')
			sbuf_addc(sb, '\n');
		break;
	}
}

static void rows_of_info(struct rowset *rs, const char *text)
{
	int cap = 0;
	rs->nrows = 1;
	const char *p = text;
	while (*p) {
		const char *eol = p + strcspn(p, "\r\n");
		const char *colon = memchr(p, ':', (size_t)(eol - p));
		if (*p != '#' && colon && colon > p) {
			if (rs->ncols == cap) {
				cap = cap ? cap * 2 : 64;
				rs->cols = xrealloc(rs->cols, sizeof(char *) * (size_t)cap);
				rs->cells = xrealloc(rs->cells, sizeof(char *) * (size_t)cap);
			}
			rs->cols[rs->ncols] = xstrndup(p, (size_t)(colon - p));
			rs->cells[rs->ncols++] = xstrndup(colon + 1, (size_t)(eol - colon - 1));
		}
		p = eol;
		while (*p == '\r' || *p == '\n')
			p++;
	}
}

static void rows_of_reply(struct rowset *rs, const redisReply *r, int is_info)
{
	memset(rs, 0, sizeof(*rs));
	if (is_info && (r->type == REDIS_REPLY_STRING || r->type == REDIS_REPLY_STATUS)) {
		rows_of_info(rs, r->str ? r->str : "");
		return;
	}
	rs->ncols = 1;
	rs->cols = xcalloc(1, sizeof(char *));
	rs->cols[0] = xstrdup("value");
	size_t n = r->type == REDIS_REPLY_ARRAY ? r->elements : 1;
	rs->nrows = (int)n;
	rs->cells = xcalloc(n ? n : 1, sizeof(char *));
	for (size_t i = 0; i < n; i++) {
		const redisReply *e = r->type == REDIS_REPLY_ARRAY ? r->element[i] : r;
		if (e->type == REDIS_REPLY_NIL)
			continue;
		struct sbuf sb = {0};
		reply_flat(&sb, e);
		rs->cells[i] = sb.buf ? sbuf_steal(&sb) : xstrdup("");
	}
}

static char *no_enc(const char *s) { return xstrdup(s); }

void probe_redis(const struct probe_call *call, struct probe_raw *out)
{
	const struct config *cfg = call->run->env->cfg;
	int64_t deadline = now_mono_ms() + (int64_t)call->timeout_ms;
	struct redis_url u;
	redis_url_parse(&u, cfg->redis.dsn);
	redisContext *ctx = NULL;
	redisReply *last = NULL;
	struct sbuf text = {0};
	char *pw = NULL, *err = NULL;
	int last_is_info = 0;
	if (u.error) {
		out->error = xstrdup(u.error);
		goto done;
	}
	if (redis_password_load(&u, cfg->sopt[OPT_REDIS_PASSWORD_FILE], &pw, &err) < 0) {
		out->error = err;
		goto done;
	}
	ctx = redisConnectWithTimeout(u.host, u.port, tv_of(probe_left(deadline)));
	if (!ctx || ctx->err) {
		out->error = xasprintf("%s (%s)", ctx ? ctx->errstr : "out of memory", u.addr);
		goto done;
	}
	redisSetTimeout(ctx, tv_of(probe_left(deadline)));
	if (pw) {
		redisReply *r = u.user ? redisCommand(ctx, "AUTH %s %s", u.user, pw) : redisCommand(ctx, "AUTH %s", pw);
		int bad = !r || r->type == REDIS_REPLY_ERROR;
		if (bad)
			out->error = xasprintf("AUTH refused: %s", r && r->str ? r->str : ctx->errstr);
		if (r)
			freeReplyObject(r);
		if (bad)
			goto done;
	}
	if (u.db) {
		redisReply *r = redisCommand(ctx, "SELECT %d", u.db);
		int bad = !r || r->type == REDIS_REPLY_ERROR;
		if (bad)
			out->error = xasprintf("SELECT %d: %s", u.db, r && r->str ? r->str : ctx->errstr);
		if (r)
			freeReplyObject(r);
		if (bad)
			goto done;
	}
	const char *line = call->pr->code ? call->pr->code : "";
	while (*line) {
		const char *eol = line + strcspn(line, "\n");
		char *one = xstrndup(line, (size_t)(eol - line));
		line = *eol ? eol + 1 : eol;
		char **argv = NULL, *why = NULL;
		int argc = redis_split(one, &argv, &why);
		if (argc <= 0) {
			if (argc < 0)
				out->error = xasprintf("%s: %s", one, why);
			free(why);
			free(argv);
			free(one);
			if (out->error)
				goto done;
			continue;
		}
		size_t *lens = xcalloc((size_t)argc, sizeof(size_t));
		for (int i = 0; i < argc; i++) {
			char *v = probe_subst(argv[i], call->params, call->n_params, no_enc);
			free(argv[i]);
			argv[i] = v;
			lens[i] = strlen(v);
		}
		if (call->cancel && *call->cancel)
			out->error = xstrdup("cancelled");
		else if (probe_left(deadline) <= 0)
			out->error = xstrdup("timed out");
		else {
			redisSetTimeout(ctx, tv_of(probe_left(deadline)));
			if (last)
				freeReplyObject(last);
			last = redisCommandArgv(ctx, argc, (const char **)argv, lens);
			sbuf_addf(&text, "> %s\n", one);
			if (!last)
				out->error = xasprintf("%s: %s (%s)", argv[0],
						       ctx->err == REDIS_ERR_IO ? "timed out or connection lost" : ctx->errstr,
						       u.addr);
			else {
				reply_text(&text, last, 0);
				if (last->type == REDIS_REPLY_ERROR)
					out->error = xasprintf("%s: %s", argv[0], last->str ? last->str : "error");
				last_is_info = !strcasecmp(argv[0], "INFO");
			}
		}
		for (int i = 0; i < argc; i++)
			free(argv[i]);
		free(argv);
		free(lens);
		free(one);
		if (out->error)
			goto done;
	}
	if (last) {
		rows_of_reply(&out->rs, last, last_is_info);
		out->has_rows = 1;
	} else {
		out->error = xstrdup("the redis probe has no command");
	}
done:
	out->text = text.buf ? sbuf_steal(&text) : NULL;
	if (last)
		freeReplyObject(last);
	if (ctx)
		redisFree(ctx);
	if (pw) {
		explicit_bzero(pw, strlen(pw));
		free(pw);
	}
	redis_url_done(&u);
}
