/* Finding and loading the INI config.
 *
 * Loading runs in phases, each stopping at the first error:
 *   1. read: inih splits the file into entries (section, key, value, line);
 *      our line reader counts lines, sees section headings (also empty ones)
 *      and joins indented continuation lines of connection strings;
 *   2. refuse a file that holds a password and is readable by others;
 *   3. check every entry of every section (keys, values, duplicates), so a
 *      typo in [staging] is found while working on [production];
 *   4. select the environment, apply the defaults and then its section;
 *   5. check the result (threshold order, redis.password_file). */
#include "src/config.h"
#include "src/util.h"

#include <ctype.h>
#include <errno.h>
#include <ini.h>
#include <libpq-fe.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>

#define MAX_ENV_NAME 49 /* as inih, which cuts longer section names */

enum key_kind { KEY_UNKNOWN, KEY_CONNINFO, KEY_REPLICA, KEY_REDIS, KEY_API, KEY_OPTION };

static const struct {
	const char *key;
	enum key_kind kind;
} source_keys[] = {
	{"primary", KEY_CONNINFO},
	{"pgbouncer", KEY_CONNINFO},
	{"redis", KEY_REDIS},
	{"api", KEY_API},
};

struct entry {
	int sec; /* index into loader.secs, -1 before the first section */
	char *key, *value;
	int line;
};

struct section {
	char *name;
	int line;
};

struct loader {
	const char *path;
	FILE *fp;
	struct stat st;
	char *buf; /* getline() buffer */
	size_t cap;
	int lineno;
	int indented; /* the current line starts with white space */
	int seen_key; /* a key was read since the last section heading */
	int cur_sec;
	struct section *secs;
	int n_secs;
	struct entry *ents;
	int n_ents;
	int opt_line[OPT__COUNT]; /* where the selected environment sets each option */
	char *err;
	int err_line;
	int stop;
};

/* ---- errors ---- */

/* Keeps the first error only (later ones are usually consequences) and stops
 * reading. Takes msg. */
static void fail_msg(struct loader *ld, int line, char *msg)
{
	if (ld->err) {
		free(msg);
		return;
	}
	ld->err = msg;
	ld->err_line = line;
	ld->stop = 1;
}

/* "FILE:LINE: message", or "FILE: message" for line 0. */
static __attribute__((format(printf, 3, 4))) void fail(struct loader *ld, int line, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *msg = xvasprintf(fmt, ap);
	va_end(ap);
	if (line > 0)
		fail_msg(ld, line, xasprintf("%s:%d: %s", ld->path, line, msg));
	else
		fail_msg(ld, line, xasprintf("%s: %s", ld->path, msg));
	free(msg);
}

static void set_err(char **err, char *msg)
{
	if (err)
		*err = msg;
	else
		free(msg);
}

/* ---- keys ---- */

static int valid_name_char(char c, const char *extra)
{
	return isalnum((unsigned char)c) || (c && strchr(extra, c));
}

static int valid_name(const char *s, const char *extra, size_t max)
{
	size_t n = strlen(s);
	if (!n || n > max)
		return 0;
	for (; *s; s++)
		if (!valid_name_char(*s, extra))
			return 0;
	return 1;
}

static enum key_kind key_kind(const char *key, const struct opt_def **def)
{
	for (size_t i = 0; i < ARRAY_LEN(source_keys); i++)
		if (!strcmp(key, source_keys[i].key))
			return source_keys[i].kind;
	if (str_starts(key, "replica."))
		return KEY_REPLICA;
	*def = config_option_find(key);
	return *def ? KEY_OPTION : KEY_UNKNOWN;
}

static int is_known_key(const char *key)
{
	const struct opt_def *def;
	return key_kind(key, &def) != KEY_UNKNOWN;
}

static const char *section_label(const struct loader *ld, int sec)
{
	return sec < 0 ? NULL : ld->secs[sec].name;
}

/* ---- reading: the line reader inih calls ---- */

static int find_section(const struct loader *ld, const char *name)
{
	for (int i = 0; i < ld->n_secs; i++)
		if (!strcmp(ld->secs[i].name, name))
			return i;
	return -1;
}

/* A "[name]" heading, found as inih finds it: up to ']' or an inline comment. */
static void note_section(struct loader *ld, const char *p)
{
	const char *end = p + 1;
	int was_space = 0;
	while (*end && *end != ']' && !(was_space && *end == ';')) {
		was_space = isspace((unsigned char)*end);
		end++;
	}
	if (*end != ']') {
		fail(ld, ld->lineno, "section heading without ']': write [environment]");
		return;
	}
	char *name = xstrndup(p + 1, (size_t)(end - p - 1));
	int dup = find_section(ld, name);
	if (!valid_name(name, "_-.", MAX_ENV_NAME))
		fail(ld, ld->lineno, "bad environment name '[%s]': use up to %d letters, digits, '_', '-' or '.'",
		     name, MAX_ENV_NAME);
	else if (dup >= 0)
		fail(ld, ld->lineno, "environment [%s] appears twice (first on line %d)", name, ld->secs[dup].line);
	if (ld->err) {
		free(name);
		return;
	}
	ld->secs = xrealloc(ld->secs, (size_t)(ld->n_secs + 1) * sizeof(*ld->secs));
	ld->secs[ld->n_secs] = (struct section){name, ld->lineno};
	ld->cur_sec = ld->n_secs++;
	ld->seen_key = 0;
}

/* Classifies the line before inih parses it, with inih's own precedence:
 * comment, continuation, section, key. */
static void note_line(struct loader *ld, const char *line)
{
	const char *p = line;
	if (ld->lineno == 1 && !strncmp(p, "\xEF\xBB\xBF", 3))
		p += 3;
	while (isspace((unsigned char)*p))
		p++;
	ld->indented = p > line;
	if (!*p || *p == ';' || *p == '#')
		return;
	if (ld->indented && ld->seen_key)
		return;
	if (*p == '[')
		note_section(ld, p);
}

/* fgets() for inih that reads whole lines, so one call is one line. */
static char *read_line(char *str, int num, void *stream)
{
	struct loader *ld = stream;
	if (ld->stop)
		return NULL;
	ssize_t n = getline(&ld->buf, &ld->cap, ld->fp);
	if (n < 0)
		return NULL;
	ld->lineno++;
	if (n >= num) {
		fail(ld, ld->lineno, "line is longer than %d characters; a connection string can "
			 "go on over indented lines that follow it", num - 2);
		return NULL;
	}
	memcpy(str, ld->buf, (size_t)n + 1);
	note_line(ld, str);
	return str;
}

/* An indented line after "key = value" continues the value (inih, like Python's
 * configparser). Only connection strings may go on like this: for anything
 * else it is a mistake, most likely an indented key. */
static void continue_entry(struct loader *ld, const char *text)
{
	struct entry *e = &ld->ents[ld->n_ents - 1];
	const struct opt_def *def;
	enum key_kind kind = key_kind(e->key, &def);
	size_t w = strspn(text, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-");
	char *word = xstrndup(text, w);
	const char *after = text + w + strspn(text + w, " \t");
	int looks_like_key = (*after == '=' || *after == ':') && is_known_key(word);
	if (looks_like_key)
		fail(ld, ld->lineno, "'%s' is indented, so it is read as part of '%s' (line %d): remove the indentation",
		     word, e->key, e->line);
	else if (kind != KEY_CONNINFO && kind != KEY_REPLICA && kind != KEY_UNKNOWN)
		fail(ld, ld->lineno, "indented line continues '%s' (line %d), but only connection strings "
			 "(primary, replica.NAME, pgbouncer) may go on over several lines: remove the indentation",
		     e->key, e->line);
	free(word);
	if (ld->err)
		return;
	char *joined = xasprintf("%s %s", e->value, text);
	free(e->value);
	e->value = joined;
}

static int on_entry(void *user, const char *section, const char *name, const char *value)
{
	struct loader *ld = user;
	(void)section; /* ld->cur_sec: inih cuts long names and never reports empty sections */
	if (ld->stop)
		return 1;
	if (ld->indented && ld->seen_key && ld->n_ents > 0) {
		continue_entry(ld, value);
		return 1;
	}
	ld->seen_key = 1;
	ld->ents = xrealloc(ld->ents, (size_t)(ld->n_ents + 1) * sizeof(*ld->ents));
	ld->ents[ld->n_ents++] = (struct entry){ld->cur_sec, xstrdup(name), xstrdup(value), ld->lineno};
	return 1; /* errors are ours to report: inih's return value then means syntax */
}

static int open_file(struct loader *ld)
{
	ld->fp = fopen(ld->path, "r");
	if (!ld->fp) {
		fail(ld, 0, "%s", errno == ENOENT ? "no such file" : strerror(errno));
		return -1;
	}
	if (fstat(fileno(ld->fp), &ld->st) < 0) {
		fail(ld, 0, "%s", strerror(errno));
		return -1;
	}
	if (!S_ISREG(ld->st.st_mode)) {
		fail(ld, 0, "not a regular file");
		return -1;
	}
	return 0;
}

static int read_file(struct loader *ld)
{
	int rc = ini_parse_stream(read_line, ld, on_entry, ld);
	if (rc == -2)
		fatal("out of memory reading %s", ld->path);
	if (ferror(ld->fp))
		fail(ld, 0, "read error");
	if (rc > 0 && (!ld->err || rc < ld->err_line)) {
		str_free(&ld->err);
		fail(ld, rc, "syntax error: expected [environment], key = value, or a comment (; or #)");
	}
	if (!ld->err && ld->n_secs == 0)
		fail(ld, 0, "no [environment] section: put the keys under a heading such as [production]");
	return ld->err ? -1 : 0;
}

/* ---- security ---- */

static int check_file_secrets(struct loader *ld)
{
	unsigned mode = (unsigned)ld->st.st_mode & 0777;
	if (!(mode & 077))
		return 0;
	for (int i = 0; i < ld->n_ents; i++) {
		const struct entry *e = &ld->ents[i];
		if (!has_secret(e->value))
			continue;
		fail_msg(ld, e->line, xasprintf("%s is readable by others (mode %04o) and holds a password (line %d, key %s): "
				    "run chmod 600 %s, or better keep passwords out of it: ~/.pgpass or passfile=, "
				    "a pg_service.conf service, PGPASSWORD; REDISCLI_AUTH or redis.password_file "
				    "for Redis", ld->path, mode, e->line, e->key, ld->path));
		return -1;
	}
	return 0;
}

/* ---- checking entries ---- */

static size_t edit_distance(const char *a, const char *b)
{
	size_t na = strlen(a), nb = strlen(b);
	size_t *row = xmalloc((nb + 1) * sizeof(*row));
	for (size_t j = 0; j <= nb; j++)
		row[j] = j;
	for (size_t i = 1; i <= na; i++) {
		size_t diag = row[0];
		row[0] = i;
		for (size_t j = 1; j <= nb; j++) {
			size_t up = row[j];
			size_t best = diag + (a[i - 1] != b[j - 1]);
			if (up + 1 < best)
				best = up + 1;
			if (row[j - 1] + 1 < best)
				best = row[j - 1] + 1;
			row[j] = best;
			diag = up;
		}
	}
	size_t d = row[nb];
	free(row);
	return d;
}

/* "replcia.east" -> "replica.east", "pool_saturation_warn" -> "threshold.pool_...",
 * "refersh" -> "refresh"; NULL when nothing is close. */
static char *suggest_key(const char *key)
{
	const char *dot = strchr(key, '.');
	char *prefixed = xasprintf("threshold.%s", key);
	const char *best = NULL;
	size_t best_d = strlen(key) / 3 + 1;
	if (config_option_find(prefixed))
		return prefixed;
	free(prefixed);
	if (!dot && str_starts(key, "replica"))
		return xstrdup("replica.NAME");
	if (dot && dot[1]) {
		char *head = xstrndup(key, (size_t)(dot - key));
		size_t d = edit_distance(head, "replica");
		free(head);
		if (d > 0 && d <= 2)
			return xasprintf("replica%s", dot);
	}
	size_t n;
	const struct opt_def *opts = config_options(&n);
	for (size_t i = 0; i < n + ARRAY_LEN(source_keys); i++) {
		const char *cand = i < n ? opts[i].key : source_keys[i - n].key;
		size_t d = edit_distance(key, cand);
		if (d < best_d) {
			best_d = d;
			best = cand;
		}
	}
	return best ? xstrdup(best) : NULL;
}

static char *known_keys(void)
{
	struct sbuf sb = {0};
	size_t n;
	const struct opt_def *opts = config_options(&n);
	sbuf_add(&sb, "primary, replica.NAME, pgbouncer, redis, api");
	for (size_t i = 0; i < n; i++)
		sbuf_addf(&sb, ", %s", opts[i].key);
	return sbuf_steal(&sb);
}

static void fail_unknown_key(struct loader *ld, const struct entry *e)
{
	char *hint = suggest_key(e->key);
	char *keys = known_keys();
	char *where = e->sec < 0 ? xstrdup("before the first section")
				 : xasprintf("in [%s]", section_label(ld, e->sec));
	char *dym = hint ? xasprintf(" (did you mean '%s'?)", hint) : xstrdup("");
	fail(ld, e->line, "unknown key '%s' %s%s; known keys: %s", e->key, where, dym, keys);
	free(dym);
	free(where);
	free(keys);
	free(hint);
}

static void check_conninfo(struct loader *ld, const struct entry *e, const char *shown)
{
	char *msg = NULL;
	PQconninfoOption *opts = PQconninfoParse(e->value, &msg);
	if (opts) {
		PQconninfoFree(opts);
		return;
	}
	char *why = mask_secrets_in(msg ? msg : "out of memory", e->value);
	size_t n = strlen(why);
	while (n && isspace((unsigned char)why[n - 1]))
		why[--n] = '\0';
	fail(ld, e->line, "%s = '%s': not a valid libpq connection string: %s", e->key, shown, why);
	free(why);
	PQfreemem(msg);
}

/* host[:port] at *p (after any userinfo); NULL if fine, else the problem. */
static const char *check_host_port(const char **p)
{
	const char *s = *p;
	if (*s == '[') {
		s = strchr(s, ']');
		if (!s)
			return "IPv6 address without ']'";
		s++;
	} else {
		while (valid_name_char(*s, "-._"))
			s++;
	}
	if (s == *p)
		return "the host is missing";
	if (*s == ':') {
		size_t digits = strspn(s + 1, "0123456789");
		long port = digits && digits <= 5 ? strtol(s + 1, NULL, 10) : 0;
		if (port < 1 || port > 65535)
			return "the port must be a number from 1 to 65535";
		s += 1 + digits;
	}
	*p = s;
	return NULL;
}

static const char *url_after_scheme(const char *v, const char *const *schemes, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!strncasecmp(v, schemes[i], strlen(schemes[i])))
			return v + strlen(schemes[i]);
	return NULL;
}

static const char *redis_url_problem(const char *v)
{
	static const char *const schemes[] = {"redis://", "rediss://"};
	const char *p = url_after_scheme(v, schemes, ARRAY_LEN(schemes));
	if (!p)
		return "it must start with redis:// or rediss://";
	const char *at = strrchr(p, '@');
	if (at)
		p = at + 1;
	const char *problem = check_host_port(&p);
	if (problem)
		return problem;
	if (*p == '/') {
		size_t digits = strspn(p + 1, "0123456789");
		if (digits > 5)
			return "the database number is too large";
		p += 1 + digits;
	}
	return *p ? "unexpected text after host, port and database number" : NULL;
}

static const char *api_url_problem(const char *v)
{
	static const char *const schemes[] = {"http://", "https://"};
	const char *p = url_after_scheme(v, schemes, ARRAY_LEN(schemes));
	if (!p)
		return "it must start with http:// or https://";
	size_t auth = strcspn(p, "/?#");
	for (size_t i = auth; i > 0; i--)
		if (p[i - 1] == '@') {
			p += i;
			break;
		}
	const char *problem = check_host_port(&p);
	if (problem)
		return problem;
	if (*p && !strchr("/?#", *p))
		return "unexpected text after the host";
	return strpbrk(p, " \t") ? "a URL cannot contain spaces" : NULL;
}

static void check_source(struct loader *ld, const struct entry *e, enum key_kind kind)
{
	char *shown = mask_secrets(e->value);
	const char *problem = NULL;
	if (kind == KEY_CONNINFO || kind == KEY_REPLICA)
		check_conninfo(ld, e, shown);
	else if (kind == KEY_REDIS && (problem = redis_url_problem(e->value)))
		fail(ld, e->line, "%s = '%s': expected redis://[user:password@]host[:port][/db] "
			 "or rediss://... (%s)", e->key, shown, problem);
	else if (kind == KEY_API && (problem = api_url_problem(e->value)))
		fail(ld, e->line, "%s = '%s': expected the API's base URL, http://host[:port][/path] "
			 "or https://... (%s)", e->key, shown, problem);
	free(shown);
}

static void check_option(struct loader *ld, const struct entry *e, const struct opt_def *def)
{
	double v;
	char *why = NULL;
	if (config_parse_opt(def, e->value, &v, &why) == 0)
		return;
	char *shown = mask_secrets(e->value);
	fail(ld, e->line, "%s = '%s': %s", e->key, shown, why);
	free(shown);
	free(why);
}

static void check_duplicate(struct loader *ld, int i)
{
	const struct entry *e = &ld->ents[i];
	for (int j = 0; j < i; j++) {
		const struct entry *f = &ld->ents[j];
		if (f->sec != e->sec || strcmp(f->key, e->key))
			continue;
		const char *env = section_label(ld, e->sec);
		char *where = env ? xasprintf("[%s]", env) : xstrdup("the defaults before the first section");
		if (str_starts(e->key, "replica."))
			fail(ld, e->line, "duplicate replica name '%s' in %s (first on line %d)",
			     e->key + strlen("replica."), where, f->line);
		else
			fail(ld, e->line, "%s is set twice in %s (first on line %d)", e->key, where, f->line);
		free(where);
		return;
	}
}

static void check_entry(struct loader *ld, int i)
{
	const struct entry *e = &ld->ents[i];
	const struct opt_def *def = NULL;
	enum key_kind kind = key_kind(e->key, &def);
	if (kind == KEY_UNKNOWN) {
		fail_unknown_key(ld, e);
		return;
	}
	if (kind == KEY_REPLICA && !valid_name(e->key + strlen("replica."), "_-", (size_t)-1)) {
		fail(ld, e->line, "bad replica name in '%s': write replica.NAME with letters, digits, '_' or '-'",
		     e->key);
		return;
	}
	check_duplicate(ld, i);
	if (ld->err)
		return;
	if (!*e->value) {
		if (kind == KEY_OPTION && def->def)
			fail(ld, e->line, "%s has no value: give one (the default is %s) or remove the line",
			     e->key, def->def);
		else
			fail(ld, e->line, "%s has no value: give one or remove the line", e->key);
		return;
	}
	if (kind == KEY_OPTION)
		check_option(ld, e, def);
	else
		check_source(ld, e, kind);
}

static int check_entries(struct loader *ld)
{
	for (int i = 0; i < ld->n_ents && !ld->err; i++)
		check_entry(ld, i);
	return ld->err ? -1 : 0;
}

/* ---- selecting and applying an environment ---- */

static char *env_list(const struct loader *ld)
{
	struct sbuf sb = {0};
	for (int i = 0; i < ld->n_secs; i++)
		sbuf_addf(&sb, "%s%s", i ? ", " : "", ld->secs[i].name);
	return sbuf_steal(&sb);
}

static int select_env(struct loader *ld, const char *env)
{
	if (!env && ld->n_secs == 1)
		return 0;
	int sec = env ? find_section(ld, env) : -1;
	if (sec >= 0)
		return sec;
	char *list = env_list(ld);
	if (!env)
		fail(ld, 0, "several environments (%s): choose one with --env NAME", list);
	else
		fail(ld, 0, "no environment [%s]; available: %s (choose one with --env NAME)", env, list);
	free(list);
	return -1;
}

static void set_source(struct source_cfg *src, const char *name, const struct entry *e)
{
	if (!src->name)
		src->name = xstrdup(name);
	free(src->dsn);
	src->dsn = xstrdup(e->value);
	src->line = e->line;
}

static void apply_replica(struct config *c, const struct entry *e)
{
	const char *name = e->key + strlen("replica.");
	for (int i = 0; i < c->n_replicas; i++) {
		if (!strcmp(c->replicas[i].name, name)) {
			set_source(&c->replicas[i], name, e);
			return;
		}
	}
	c->replicas = xrealloc(c->replicas, (size_t)(c->n_replicas + 1) * sizeof(*c->replicas));
	c->replicas[c->n_replicas] = (struct source_cfg){0};
	set_source(&c->replicas[c->n_replicas++], name, e);
}

static void apply_option(struct config *c, struct loader *ld, const struct entry *e, const struct opt_def *def)
{
	char *why = NULL;
	ld->opt_line[def->id] = e->line;
	if (def->type == OPT_STRING) {
		free(c->sopt[def->id]);
		c->sopt[def->id] = xstrdup(e->value);
	} else if (config_parse_opt(def, e->value, &c->opt[def->id], &why) < 0) {
		fatal("%s:%d: %s: %s (after it was checked)", ld->path, e->line, e->key, why);
	}
}

static void apply_entry(struct config *c, struct loader *ld, const struct entry *e)
{
	const struct opt_def *def = NULL;
	struct source_cfg *fixed[] = {&c->primary, &c->pgbouncer, &c->redis, &c->api};
	switch (key_kind(e->key, &def)) {
	case KEY_REPLICA:
		apply_replica(c, e);
		return;
	case KEY_OPTION:
		apply_option(c, ld, e, def);
		return;
	case KEY_UNKNOWN:
		return;
	default:
		break;
	}
	for (size_t i = 0; i < ARRAY_LEN(source_keys); i++)
		if (!strcmp(e->key, source_keys[i].key))
			set_source(fixed[i], source_keys[i].key, e);
}

static void apply(struct config *c, struct loader *ld, int sec)
{
	for (int i = 0; i < ld->n_ents; i++)
		if (ld->ents[i].sec < 0)
			apply_entry(c, ld, &ld->ents[i]);
	for (int i = 0; i < ld->n_ents; i++)
		if (ld->ents[i].sec == sec)
			apply_entry(c, ld, &ld->ents[i]);
	c->path = xstrdup(ld->path);
	c->env = xstrdup(ld->secs[sec].name);
	c->n_envs = ld->n_secs;
	c->envs = xcalloc((size_t)ld->n_secs, sizeof(*c->envs));
	for (int i = 0; i < ld->n_secs; i++)
		c->envs[i] = xstrdup(ld->secs[i].name);
}

/* ---- checking the result ---- */

/* Pairs where the first must not exceed the second. */
static const struct {
	enum opt_id lo, hi;
} ordered[] = {
	{OPT_REPLICA_LAG_WARN, OPT_REPLICA_LAG_HIGH},
	{OPT_REPLICA_LAG_HIGH, OPT_REPLICA_LAG_CRIT},
	{OPT_POOL_SAT_WARN, OPT_POOL_SAT_CRIT},
	{OPT_CACHE_HIT_CRIT, OPT_CACHE_HIT_WARN},
	{OPT_PART_BLOAT_WARN, OPT_PART_BLOAT_CRIT},
	{OPT_HEALTH_P95_WARN, OPT_HEALTH_P95_CRIT},
	{OPT_HEALTH_ERROR_WARN, OPT_HEALTH_ERROR_CRIT},
};

static int check_order(const struct config *c, struct loader *ld)
{
	const struct opt_def *opts = config_options(NULL);
	for (size_t i = 0; i < ARRAY_LEN(ordered) && !ld->err; i++) {
		enum opt_id lo = ordered[i].lo, hi = ordered[i].hi;
		if (c->opt[lo] <= c->opt[hi])
			continue;
		char *a = config_opt_text(c, lo), *b = config_opt_text(c, hi);
		int line = ld->opt_line[lo] > ld->opt_line[hi] ? ld->opt_line[lo] : ld->opt_line[hi];
		fail(ld, line, "%s = %s is above %s = %s: the levels must be in order",
		     opts[lo].key, a, opts[hi].key, b);
		free(a);
		free(b);
	}
	return ld->err ? -1 : 0;
}

/* "~/x" from $HOME; a relative path is relative to the config file's folder. */
static char *resolve_path(const char *p, const char *config_path)
{
	const char *home = getenv("HOME");
	if (p[0] == '~' && p[1] == '/' && home)
		return xasprintf("%s%s", home, p + 1);
	const char *slash = strrchr(config_path, '/');
	if (p[0] == '/' || !slash)
		return xstrdup(p);
	return xasprintf("%.*s/%s", (int)(slash - config_path), config_path, p);
}

/* A file named by option o (api.ca_file, redis.password_file): taken relative to the config
 * file, and it must be there now (curl would only say "error setting certificate file" at
 * the first request). private: a secret, so readable by its owner alone. */
static int check_file_option(struct config *c, struct loader *ld, enum opt_id o, int private)
{
	const char *p = c->sopt[o], *key = config_options(NULL)[o].key;
	int line = ld->opt_line[o];
	struct stat st;
	if (!p)
		return 0;
	char *full = resolve_path(p, ld->path);
	if (stat(full, &st) < 0)
		fail(ld, line, "%s = '%s': %s: %s", key, p, full, errno == ENOENT ? "no such file" : strerror(errno));
	else if (!S_ISREG(st.st_mode))
		fail(ld, line, "%s = '%s': %s is not a regular file", key, p, full);
	else if (private && (st.st_mode & 077))
		fail(ld, line, "%s %s is readable by others (mode %04o): run chmod 600 %s", key, full,
		     (unsigned)st.st_mode & 0777, full);
	free(c->sopt[o]);
	c->sopt[o] = full;
	return ld->err ? -1 : 0;
}

/* ---- public ---- */

static void loader_done(struct loader *ld)
{
	if (ld->fp)
		fclose(ld->fp);
	free(ld->buf);
	for (int i = 0; i < ld->n_secs; i++)
		free(ld->secs[i].name);
	free(ld->secs);
	for (int i = 0; i < ld->n_ents; i++) {
		free(ld->ents[i].key);
		free(ld->ents[i].value);
	}
	free(ld->ents);
	free(ld->err);
}

static int load(struct config *c, struct loader *ld, const char *env)
{
	int sec;
	if (open_file(ld) < 0 || read_file(ld) < 0 || check_file_secrets(ld) < 0 ||
	    check_entries(ld) < 0 || (sec = select_env(ld, env)) < 0)
		return -1;
	apply(c, ld, sec);
	return check_order(c, ld) < 0 || check_file_option(c, ld, OPT_REDIS_PASSWORD_FILE, 1) < 0 ||
	       check_file_option(c, ld, OPT_API_CA_FILE, 0) < 0
		   ? -1
		   : 0;
}

int config_load(struct config *c, const char *path, const char *env, char **err)
{
	struct loader ld = {.path = path, .cur_sec = -1};
	config_defaults(c);
	int rc = load(c, &ld, env);
	if (rc < 0) {
		set_err(err, ld.err);
		ld.err = NULL;
		config_done(c);
	} else if (err) {
		*err = NULL;
	}
	loader_done(&ld);
	return rc;
}

static void source_done(struct source_cfg *s)
{
	free(s->name);
	free(s->dsn);
	memset(s, 0, sizeof(*s));
}

void config_done(struct config *c)
{
	free(c->path);
	free(c->env);
	for (int i = 0; i < c->n_envs; i++)
		free(c->envs[i]);
	free(c->envs);
	source_done(&c->primary);
	source_done(&c->pgbouncer);
	source_done(&c->redis);
	source_done(&c->api);
	for (int i = 0; i < c->n_replicas; i++)
		source_done(&c->replicas[i]);
	free(c->replicas);
	for (int i = 0; i < OPT__COUNT; i++)
		free(c->sopt[i]);
	memset(c, 0, sizeof(*c));
}

const struct source_cfg *config_source(const struct config *c, const char *target)
{
	const struct source_cfg *fixed[] = {&c->primary, &c->pgbouncer, &c->redis, &c->api};
	for (size_t i = 0; i < ARRAY_LEN(source_keys); i++)
		if (!strcmp(target, source_keys[i].key))
			return fixed[i];
	if (!str_starts(target, "replica."))
		return NULL;
	for (int i = 0; i < c->n_replicas; i++)
		if (!strcmp(c->replicas[i].name, target + strlen("replica.")))
			return &c->replicas[i];
	return NULL;
}

/* ---- finding the file ---- */

/* NULL if path is a file we can try to read, else why not. */
static const char *path_problem(const char *path)
{
	struct stat st;
	if (stat(path, &st) < 0)
		return errno == ENOENT || errno == ENOTDIR ? "no such file" : strerror(errno);
	return S_ISDIR(st.st_mode) ? "is a directory" : NULL;
}

static char *default_path(void)
{
	const char *xdg = getenv("XDG_CONFIG_HOME");
	const char *home = getenv("HOME");
	if (xdg && xdg[0] == '/')
		return xasprintf("%s/opsdeck/config.ini", xdg);
	if (home && *home)
		return xasprintf("%s/.config/opsdeck/config.ini", home);
	return NULL;
}

static char *not_found(const char *xdg_path)
{
	struct sbuf sb = {0};
	sbuf_add(&sb, "no config file found. Looked at:\n"
		      "  --config FILE          (not given)\n"
		      "  $OPSDECK_CONFIG        (not set)\n");
	if (xdg_path)
		sbuf_addf(&sb, "  %s (no such file)\n", xdg_path);
	else
		sbuf_add(&sb, "  $XDG_CONFIG_HOME/opsdeck/config.ini (neither XDG_CONFIG_HOME nor HOME is set)\n");
	sbuf_addf(&sb, "Create %s (the keys: opsdeck --help), pass --config FILE or set OPSDECK_CONFIG;\n"
		       "for the demo: lab/lab up && opsdeck --config \"$(lab/lab env)\"",
		  xdg_path ? xdg_path : "a config file");
	return sbuf_steal(&sb);
}

char *config_find(const char *cli_path, char **err)
{
	const char *problem;
	const char *envp = getenv("OPSDECK_CONFIG");
	if (err)
		*err = NULL;
	if (cli_path) {
		if (!(problem = path_problem(cli_path)))
			return xstrdup(cli_path);
		set_err(err, xasprintf("%s: %s", cli_path, problem));
		return NULL;
	}
	if (envp && *envp) {
		if (!(problem = path_problem(envp)))
			return xstrdup(envp);
		set_err(err, xasprintf("%s: %s (from $OPSDECK_CONFIG: fix or unset it)", envp, problem));
		return NULL;
	}
	char *path = default_path();
	if (path && !path_problem(path))
		return path;
	set_err(err, not_found(path));
	free(path);
	return NULL;
}
