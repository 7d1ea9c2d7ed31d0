/* A redis:// URL as redis-cli -u reads it, and where the password comes from. Shared by
 * the console's connector (redisconn.c) and the runbook probes (runbooks/probe_redis.c). */
#ifndef OD_REDIS_URL_H
#define OD_REDIS_URL_H

struct redis_url {
	char *host;     /* "127.0.0.1" when the URL names none */
	char *addr;     /* "host:port" ("[v6]:port") for messages; "?" when unparsable */
	char *user;     /* NULL: none */
	char *password; /* from the URL's userinfo; NULL: none */
	int port, db, tls;
	char *error;    /* the URL cannot be used (bad scheme, port, rediss://); NULL when fine */
};

/* redis://[[user]:password@]host[:port][/db]; userinfo without a colon is the password.
 * rediss:// is recognised and refused (u->error). Never fails otherwise. */
void redis_url_parse(struct redis_url *u, const char *url);
void redis_url_done(struct redis_url *u); /* wipes the password */

/* The password: from the URL, else password_file (trailing whitespace trimmed), else
 * $REDISCLI_AUTH. *pw = NULL when there is none. Errors name the file, never its content.
 * 0, or -1 with *err (malloced). */
int redis_password_load(const struct redis_url *u, const char *password_file, char **pw, char **err);

#endif
