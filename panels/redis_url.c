/* redis:// URLs and the Redis password (see redis_url.h). */
#include "panels/redis_url.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "src/util.h"

static char *url_decode(const char *s, size_t n)
{
	char *out = xmalloc(n + 1), *o = out;
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '%' && i + 2 < n && isxdigit((unsigned char)s[i + 1]) &&
		    isxdigit((unsigned char)s[i + 2])) {
			char hex[3] = {s[i + 1], s[i + 2], '\0'};
			*o++ = (char)strtol(hex, NULL, 16);
			i += 2;
		} else {
			*o++ = s[i];
		}
	}
	*o = '\0';
	return out;
}

static void parse(struct redis_url *c, const char *url)
{
	const char *p = url;
	memset(c, 0, sizeof(*c));
	c->port = 6379;
	if (!strncasecmp(p, "rediss://", 9)) {
		c->tls = 1;
		p += 9;
	} else if (!strncasecmp(p, "redis://", 8)) {
		p += 8;
	} else {
		c->error = xstrdup("the redis URL must start with redis://");
		return;
	}
	const char *end = p + strcspn(p, "/?#");
	const char *at = NULL;
	for (const char *q = p; q < end; q++)
		if (*q == '@')
			at = q;
	if (at) {
		const char *colon = memchr(p, ':', (size_t)(at - p));
		if (colon) {
			if (colon > p)
				c->user = url_decode(p, (size_t)(colon - p));
			c->password = url_decode(colon + 1, (size_t)(at - colon - 1));
		} else if (at > p) {
			c->password = url_decode(p, (size_t)(at - p));
		}
		if (c->password && !*c->password)
			str_free(&c->password);
		p = at + 1;
	}
	const char *host_end;
	if (*p == '[') {
		host_end = memchr(p, ']', (size_t)(end - p));
		if (!host_end) {
			c->error = xstrdup("the redis URL has an unclosed [ in its host");
			return;
		}
		c->host = xstrndup(p + 1, (size_t)(host_end - p - 1));
		host_end++;
	} else {
		host_end = memchr(p, ':', (size_t)(end - p));
		if (!host_end)
			host_end = end;
		c->host = xstrndup(p, (size_t)(host_end - p));
	}
	if (host_end < end && *host_end == ':')
		c->port = atoi(host_end + 1);
	if (*end == '/' && isdigit((unsigned char)end[1]))
		c->db = atoi(end + 1);
	if (!c->host[0]) {
		free(c->host);
		c->host = xstrdup("127.0.0.1");
	}
	c->addr = strchr(c->host, ':') ? xasprintf("[%s]:%d", c->host, c->port) : xasprintf("%s:%d", c->host, c->port);
	if (c->port <= 0 || c->port > 65535)
		c->error = xasprintf("the redis URL's port is not a port number (%s)", c->addr);
	else if (c->tls)
		c->error = xasprintf("TLS not supported by this hiredis build (rediss://%s)", c->addr);
}

void redis_url_parse(struct redis_url *u, const char *url)
{
	parse(u, url ? url : "");
	if (!u->host)
		u->host = xstrdup("127.0.0.1");
	if (!u->addr)
		u->addr = xstrdup("?");
}

void redis_url_done(struct redis_url *u)
{
	if (u->password)
		explicit_bzero(u->password, strlen(u->password));
	free(u->password);
	free(u->user);
	free(u->host);
	free(u->addr);
	free(u->error);
	memset(u, 0, sizeof(*u));
}

/* The password: from the URL, else the password file (trailing whitespace trimmed),
 * else $REDISCLI_AUTH. *pw = NULL when there is none. Errors name the file, never its
 * content. */
int redis_password_load(const struct redis_url *u, const char *password_file, char **pw, char **err)
{
	*pw = NULL;
	if (u->password) {
		*pw = xstrdup(u->password);
		return 0;
	}
	if (password_file) {
		FILE *f = fopen(password_file, "r");
		if (!f) {
			*err = xasprintf("cannot read the Redis password file %s: %s", password_file, strerror(errno));
			return -1;
		}
		char buf[1024];
		size_t n = fread(buf, 1, sizeof(buf), f);
		int bad = ferror(f) || n == sizeof(buf);
		fclose(f);
		while (n > 0 && isspace((unsigned char)buf[n - 1]))
			n--;
		if (bad || n == 0 || memchr(buf, '\0', n)) {
			*err = xasprintf("the Redis password file %s is %s", password_file,
					 bad ? "unreadable or too large" : n ? "not text" : "empty");
			explicit_bzero(buf, sizeof(buf));
			return -1;
		}
		*pw = xstrndup(buf, n);
		explicit_bzero(buf, sizeof(buf));
		return 0;
	}
	const char *env = getenv("REDISCLI_AUTH");
	if (env && *env)
		*pw = xstrdup(env);
	return 0;
}

