/* http probes: one request to the configured api with libcurl (deadline, no redirects, a
 * capped body). $1 in the path arrives percent-encoded, in a header value as is (inputs
 * never hold a newline), in the body escaped for a JSON string. */
#include <curl/curl.h>
#include <stdlib.h>
#include <string.h>

#include "panels/httpconn.h"
#include "runbooks/probe.h"
#include "src/app.h"
#include "src/util.h"

struct sink {
	struct sbuf sb;
	size_t max;
	int cut;
};

struct xfer {
	struct sink body, headers;
	volatile int *cancel;
};

static size_t sink_write(struct sink *s, const char *data, size_t n)
{
	size_t room = s->sb.len < s->max ? s->max - s->sb.len : 0;
	if (n > room) {
		s->cut = 1;
		return 0; /* abort: the body is larger than we read */
	}
	sbuf_addn(&s->sb, data, n);
	return n;
}

static size_t body_cb(char *data, size_t size, size_t n, void *arg)
{
	return sink_write(&((struct xfer *)arg)->body, data, size * n);
}

static size_t header_cb(char *data, size_t size, size_t n, void *arg)
{
	struct xfer *x = arg;
	/* a new status line (after 100 Continue) starts the headers over */
	if (size * n >= 5 && !strncmp(data, "HTTP/", 5))
		sbuf_reset(&x->headers.sb);
	sink_write(&x->headers, data, size * n);
	return size * n;
}

static int progress_cb(void *arg, curl_off_t a, curl_off_t b, curl_off_t c, curl_off_t d)
{
	(void)a, (void)b, (void)c, (void)d;
	struct xfer *x = arg;
	return x->cancel && *x->cancel;
}

static char *url_enc(const char *s)
{
	char *e = curl_easy_escape(NULL, s, 0);
	char *out = xstrdup(e ? e : "");
	curl_free(e);
	return out;
}

static char *json_enc(const char *s)
{
	struct sbuf sb = {0};
	sbuf_add(&sb, "");
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if (*p == '"' || *p == '\\')
			sbuf_addf(&sb, "\\%c", *p);
		else if (*p < 0x20)
			sbuf_addf(&sb, "\\u%04x", *p);
		else
			sbuf_addc(&sb, (char)*p);
	}
	return sbuf_steal(&sb);
}

static char *as_is(const char *s) { return xstrdup(s); }

/* The block: "Name: value" lines, a blank line, the body. */
static void split_block(const char *code, struct curl_slist **hdrs, char **body,
			const struct probe_call *call)
{
	const char *p = code ? code : "";
	while (*p) {
		const char *eol = p + strcspn(p, "\n");
		if (eol == p || (eol == p + 1 && *p == '\r')) {
			p = *eol ? eol + 1 : eol;
			break;
		}
		char *line = xstrndup(p, (size_t)(eol - p));
		char *v = probe_subst(line, call->params, call->n_params, as_is);
		*hdrs = curl_slist_append(*hdrs, v);
		free(v);
		free(line);
		p = *eol ? eol + 1 : eol;
	}
	*body = *p ? probe_subst(p, call->params, call->n_params, json_enc) : NULL;
}

void probe_http(const struct probe_call *call, struct probe_raw *out)
{
	const struct probe *pr = call->pr;
	const char *api = call->run->env->cfg->api.dsn;
	char *base = xstrndup(api, strcspn(api, "?"));
	const char *query = strchr(api, '?');
	size_t bl = strlen(base);
	if (bl && base[bl - 1] == '/')
		base[bl - 1] = '\0';
	char *path = probe_subst(pr->path ? pr->path : "/", call->params, call->n_params, url_enc);
	char *url = query ? xasprintf("%s%s%c%s", base, path, strchr(path, '?') ? '&' : '?', query + 1)
			  : xasprintf("%s%s", base, path);
	struct xfer x = {.body = {.max = APP_MAX_BODY}, .headers = {.max = 64 * 1024}, .cancel = call->cancel};
	struct curl_slist *hdrs = NULL;
	char *body = NULL, errbuf[CURL_ERROR_SIZE] = "";
	split_block(pr->code, &hdrs, &body, call);
	const char *method = pr->method ? pr->method : "GET";
	CURL *e = curl_easy_init();
	if (!e) {
		out->error = xstrdup("libcurl cannot start a request");
		goto done;
	}
	httpconn_easy_defaults(e, url, (long)call->timeout_ms, APP_MAX_BODY, "opsdeck-runbook",
			       call->run->env->cfg->sopt[OPT_API_CA_FILE]);
	curl_easy_setopt(e, CURLOPT_ERRORBUFFER, errbuf);
	curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, body_cb);
	curl_easy_setopt(e, CURLOPT_WRITEDATA, &x);
	curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, header_cb);
	curl_easy_setopt(e, CURLOPT_HEADERDATA, &x);
	curl_easy_setopt(e, CURLOPT_XFERINFOFUNCTION, progress_cb);
	curl_easy_setopt(e, CURLOPT_XFERINFODATA, &x);
	curl_easy_setopt(e, CURLOPT_NOPROGRESS, 0L);
	if (!strcmp(method, "HEAD"))
		curl_easy_setopt(e, CURLOPT_NOBODY, 1L);
	else if (strcmp(method, "GET"))
		curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST, method);
	if (body) {
		if (!hdrs || !strstr(pr->code, "Content-Type"))
			hdrs = curl_slist_append(hdrs, "Content-Type: application/json");
		curl_easy_setopt(e, CURLOPT_POSTFIELDS, body);
	}
	curl_easy_setopt(e, CURLOPT_HTTPHEADER, hdrs);
	CURLcode rc = curl_easy_perform(e);
	long status = 0;
	curl_easy_getinfo(e, CURLINFO_RESPONSE_CODE, &status);
	out->http_status = (int)status;
	out->body = x.body.sb.buf ? sbuf_steal(&x.body.sb) : xstrdup("");
	out->headers = x.headers.sb.buf ? sbuf_steal(&x.headers.sb) : xstrdup("");
	if (x.body.cut || rc == CURLE_FILESIZE_EXCEEDED)
		out->error = xasprintf("the response is larger than %d bytes: not read", APP_MAX_BODY);
	else if (rc == CURLE_ABORTED_BY_CALLBACK)
		out->error = xstrdup("cancelled");
	else if (rc != CURLE_OK)
		out->error = xasprintf("%s %s: %s", method, pr->path ? pr->path : "/",
				       errbuf[0] ? errbuf : curl_easy_strerror(rc));
	else if (status >= 400) {
		out->failed = 1;
		out->failed_what = xasprintf("status = %ld", status);
	}
	out->text = xasprintf("%s %s -> %ld\n%s%s", method, pr->path ? pr->path : "/", status, out->body,
			      out->body[0] && out->body[strlen(out->body) - 1] != '\n' ? "\n" : "");
	curl_easy_cleanup(e);
done:
	curl_slist_free_all(hdrs);
	free(body);
	free(url);
	free(path);
	free(base);
	sbuf_done(&x.body.sb);
	sbuf_done(&x.headers.sb);
}
