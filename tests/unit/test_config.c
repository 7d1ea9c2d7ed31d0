/* The config loader: option table, values, environments, errors with FILE:LINE,
 * the permission refusal and config_find's search order. */
#include "src/config.h"
#include "src/util.h"
#include "tests/unit/tap.h"

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char *tmpdir;

static char *fixture(const char *name)
{
	const char *srcdir = getenv("srcdir");
	return xasprintf("%s/tests/fixtures/config/%s", srcdir && *srcdir ? srcdir : ".", name);
}

static char *tmp_path(const char *name)
{
	return xasprintf("%s/%s", tmpdir, name);
}

/* Writes tmpdir/name with mode; returns the malloced path. */
static char *write_tmp(const char *name, const char *text, mode_t mode)
{
	char *path = tmp_path(name);
	FILE *f = fopen(path, "w");
	if (!f)
		fatal("cannot write %s", path);
	fputs(text, f);
	fclose(f);
	chmod(path, mode);
	return path;
}

static char *slurp(const char *path)
{
	struct sbuf sb = {0};
	char buf[4096];
	size_t n;
	FILE *f = fopen(path, "r");
	if (!f)
		fatal("cannot read %s", path);
	while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
		sbuf_addn(&sb, buf, n);
	fclose(f);
	return sbuf_steal(&sb);
}

static char *copy_fixture(const char *name, mode_t mode)
{
	char *src = fixture(name);
	char *text = slurp(src);
	char *path = write_tmp(name, text, mode);
	free(text);
	free(src);
	return path;
}

/* Loads path; returns the error message (malloced) or NULL on success. */
static char *load_err(struct config *c, const char *path, const char *env)
{
	char *err = NULL;
	memset(c, 0, sizeof(*c));
	if (config_load(c, path, env, &err) == 0)
		return NULL;
	return err ? err : xstrdup("(error without message)");
}

/* Loads text written to a temp file and expects the error "FILE:<want>". */
static void expect_error(const char *text, const char *env, const char *want, const char *what)
{
	struct config c;
	char *path = write_tmp("case.ini", text, 0600);
	char *err = load_err(&c, path, env);
	char *full = xasprintf("%s%s", path, want);
	is_str(err, full, "%s", what);
	config_done(&c);
	free(full);
	free(err);
	free(path);
}

static void expect_fixture_error(const char *name, const char *want)
{
	struct config c;
	char *path = fixture(name);
	char *err = load_err(&c, path, NULL);
	char *full = xasprintf("%s%s", path, want);
	is_str(err, full, "%s: error names file, line, key and what is accepted", name);
	ok(c.path == NULL && c.env == NULL && c.replicas == NULL, "%s: config left empty after an error", name);
	config_done(&c);
	free(full);
	free(err);
	free(path);
}

static void test_table(void)
{
	size_t n;
	const struct opt_def *opts = config_options(&n);
	int in_order = 1, helped = 1, unique = 1;
	is_int(n, OPT__COUNT, "one option per enum opt_id");
	for (size_t i = 0; i < n; i++) {
		in_order &= opts[i].id == (enum opt_id)i;
		helped &= opts[i].help && *opts[i].help && opts[i].key && *opts[i].key;
		for (size_t j = 0; j < i; j++)
			unique &= strcmp(opts[i].key, opts[j].key) != 0;
		if (opts[i].type != OPT_STRING && opts[i].def) {
			double v;
			char *why = NULL;
			ok(config_parse_opt(&opts[i], opts[i].def, &v, &why) == 0, "default of %s parses", opts[i].key);
			free(why);
		}
	}
	ok(in_order, "table is in enum order");
	ok(helped, "every option has a key and help");
	ok(unique, "keys are unique");
	ok(config_option_find("threshold.p95_warn") == &opts[OPT_HEALTH_P95_WARN], "config_option_find");
	ok(config_option_find("nope") == NULL, "config_option_find of an unknown key");
}

static void test_defaults(void)
{
	struct config c;
	config_defaults(&c);
	is_int(c.opt[OPT_REFRESH], 1000, "refresh defaults to 1s");
	is_int(c.opt[OPT_TIMEOUT], 3000, "timeout 3s");
	is_int(c.opt[OPT_HISTORY], 600000, "history 10min");
	is_int(c.opt[OPT_REPLICA_LAG_CRIT], 30000, "replica lag critical 30s");
	is_int(c.opt[OPT_REPLICA_LAG_HIGH_FOR], 300000, "replica lag high for 5min");
	is_int(c.opt[OPT_POOL_SAT_WARN], 80, "pool saturation warn 80%%");
	is_int(c.opt[OPT_POOL_WAIT_WARN], 50, "pool wait 50ms");
	is_int(c.opt[OPT_CACHE_HIT_CRIT], 50, "cache hit critical 50%%");
	is_int(c.opt[OPT_CACHE_MEMORY_WARN], 100 * 1024 * 1024, "cache memory 100MB");
	is_int(c.opt[OPT_PART_DEAD_TUPLES_WARN], 100000, "dead tuples 100000");
	is_int(c.opt[OPT_PART_VACUUM_AGE_WARN], 24 * 3600000, "vacuum age 24h");
	is_int(c.opt[OPT_TIER_FREE], 10, "free tier 10/min");
	is_int(c.opt[OPT_TIER_PRO], 1000, "pro tier 1000/min");
	is_int(c.opt[OPT_HEALTH_ERROR_CRIT], 5, "error rate critical 5%%");
	is_str(c.sopt[OPT_RATELIMIT_PREFIX], "ratelimit:", "rate-limit key prefix");
	ok(c.sopt[OPT_REDIS_PASSWORD_FILE] == NULL, "no redis.password_file by default");
	is_str(c.primary.name, "primary", "fixed sources are named");
	ok(c.primary.dsn == NULL && c.redis.dsn == NULL && c.n_replicas == 0, "no sources");
	char *t = config_opt_text(&c, OPT_CACHE_MEMORY_WARN);
	is_str(t, "100MB", "config_opt_text of bytes");
	free(t);
	t = config_opt_text(&c, OPT_HISTORY);
	is_str(t, "10min", "config_opt_text of a duration");
	free(t);
	config_done(&c);
	config_done(&c);
	ok(1, "config_done twice is harmless");
}

static void parse_ok(enum opt_id id, const char *text, double want)
{
	const struct opt_def *d = &config_options(NULL)[id];
	double v = -1;
	char *why = NULL;
	int rc = config_parse_opt(d, text, &v, &why);
	ok(rc == 0 && v == want, "%s = %s -> %g", d->key, text, want);
	if (rc)
		printf("#   why: %s\n", why);
	free(why);
}

static void parse_bad(enum opt_id id, const char *text, const char *want)
{
	const struct opt_def *d = &config_options(NULL)[id];
	double v;
	char *why = NULL;
	ok(config_parse_opt(d, text, &v, &why) < 0, "%s = '%s' is refused", d->key, text);
	is_str(why, want, "  with the reason");
	free(why);
}

static void test_values(void)
{
	parse_ok(OPT_REFRESH, "500ms", 500);
	parse_ok(OPT_REFRESH, "2s", 2000);
	parse_ok(OPT_REFRESH, "1.5s", 1500);
	parse_ok(OPT_REFRESH, "5min", 300000);
	parse_ok(OPT_REFRESH, "2m", 120000);
	parse_ok(OPT_REFRESH, "1h", 3600000);
	parse_ok(OPT_REFRESH, "3", 3000);
	parse_ok(OPT_POOL_SAT_WARN, "80", 80);
	parse_ok(OPT_POOL_SAT_WARN, "80%", 80);
	parse_ok(OPT_HEALTH_ERROR_WARN, "0.5 %", 0.5);
	parse_ok(OPT_CACHE_MEMORY_WARN, "100MB", 100.0 * 1024 * 1024);
	parse_ok(OPT_CACHE_MEMORY_WARN, "512kB", 512.0 * 1024);
	parse_ok(OPT_CACHE_MEMORY_WARN, "1GB", 1024.0 * 1024 * 1024);
	parse_ok(OPT_CACHE_MEMORY_WARN, "100M", 100.0 * 1024 * 1024);
	parse_ok(OPT_CACHE_MEMORY_WARN, "2048", 2048);
	parse_ok(OPT_TIER_PRO, "2500", 2500);
	parse_ok(OPT_POOL_SAT_WARN_FOR, "0", 0);
	parse_bad(OPT_REFRESH, "fast", "expected a duration such as 500ms, 2s, 1min (range 100ms..1h)");
	parse_bad(OPT_REFRESH, "10ms", "out of range: allowed 100ms..1h");
	parse_bad(OPT_REFRESH, "-1s", "expected a duration such as 500ms, 2s, 1min (range 100ms..1h)");
	parse_bad(OPT_POOL_SAT_WARN, "150%", "out of range: allowed 0%..100%");
	parse_bad(OPT_POOL_SAT_WARN, "80%%", "expected a percentage such as 80 or 80% (range 0%..100%)");
	parse_bad(OPT_CACHE_MEMORY_WARN, "100 furlongs",
		  "expected a size such as 512kB, 100MB, 1GB or a number of bytes (range 1B..1TB)");
	parse_bad(OPT_CACHE_MEMORY_WARN, "2TB", "out of range: allowed 1B..1TB");
	parse_bad(OPT_TIER_FREE, "1.5", "expected a whole number such as 10 (range 1..1000000000)");
	parse_bad(OPT_TIER_FREE, "0x10", "expected a whole number such as 10 (range 1..1000000000)");
	parse_bad(OPT_TIER_FREE, "0", "out of range: allowed 1..1000000000");
}

static void test_good(void)
{
	struct config c;
	char *path = fixture("good.ini");
	char *err = load_err(&c, path, "production");
	is_str(err, NULL, "good.ini [production] loads");
	is_str(c.path, path, "path recorded");
	is_str(c.env, "production", "env recorded");
	is_int(c.n_envs, 2, "two environments");
	if (c.n_envs == 2) {
		is_str(c.envs[0], "production", "environments in file order (1)");
		is_str(c.envs[1], "staging", "environments in file order (2)");
	}
	is_str(c.primary.dsn, "host=db-primary.internal dbname=ywmessaging user=ops sslmode=verify-full", "primary");
	is_int(c.primary.line, 7, "primary's line");
	is_str(c.pgbouncer.dsn, "host=pgbouncer.internal port=6432 dbname=pgbouncer user=ops", "pgbouncer");
	is_str(c.redis.dsn, "redis://cache.internal:6379/0", "redis");
	is_str(c.api.dsn, "https://api.ywmessaging.com", "api");
	is_str(c.api.name, "api", "api's name");
	is_int(c.n_replicas, 3, "three replicas (one from the defaults)");
	if (c.n_replicas == 3) {
		is_str(c.replicas[0].name, "shared", "defaults' replica first");
		is_int(c.replicas[0].line, 4, "  from line 4");
		is_str(c.replicas[1].name, "east", "then east");
		is_str(c.replicas[1].dsn, "host=replica-1.internal dbname=ywmessaging user=ops", "  east's dsn");
		is_str(c.replicas[2].name, "west", "then west");
		is_int(c.replicas[2].line, 9, "  west's line");
	}
	is_int(c.opt[OPT_REFRESH], 1000, "section overrides the default refresh");
	is_int(c.opt[OPT_POOL_SAT_WARN], 75, "default before the first section applies");
	is_int(c.opt[OPT_CACHE_MEMORY_WARN], 512.0 * 1024 * 1024, "512MB");
	is_int(c.opt[OPT_TIER_ENTERPRISE], 20000, "tier.enterprise");
	is_int(c.opt[OPT_TIMEOUT], 3000, "unset option keeps its default");
	ok(config_source(&c, "replica.west") == &c.replicas[2], "config_source(replica.west)");
	ok(config_source(&c, "pgbouncer") == &c.pgbouncer, "config_source(pgbouncer)");
	ok(config_source(&c, "replica.north") == NULL, "config_source of an unknown replica");
	config_done(&c);

	err = load_err(&c, path, "staging");
	is_str(err, NULL, "good.ini [staging] loads");
	is_str(c.primary.dsn, "postgresql://ops@db-staging.internal/ywmessaging", "staging primary (URI)");
	is_str(c.redis.dsn, "rediss://cache-staging.internal:6380", "rediss");
	ok(c.pgbouncer.dsn == NULL && c.api.dsn == NULL, "unset sources stay not configured");
	is_str(c.pgbouncer.name, "pgbouncer", "  but keep their names");
	is_int(c.n_replicas, 1, "one replica");
	if (c.n_replicas == 1) {
		is_str(c.replicas[0].dsn, "host=replica-9.internal dbname=ywmessaging user=ops",
		       "section overrides the defaults' replica");
		is_int(c.replicas[0].line, 20, "  line of the override");
	}
	is_int(c.opt[OPT_REFRESH], 2000, "staging keeps the default refresh 2s");
	is_int(c.opt[OPT_REPLICA_LAG_WARN], 500, "lag warn 500ms");
	is_int(c.opt[OPT_TIMEOUT], 1500, "timeout 1.5s");
	config_done(&c);

	err = load_err(&c, path, NULL);
	char *want = xasprintf("%s: several environments (production, staging): choose one with --env NAME", path);
	is_str(err, want, "several environments without --env");
	free(want);
	free(err);
	config_done(&c);

	err = load_err(&c, path, "qa");
	want = xasprintf("%s: no environment [qa]; available: production, staging (choose one with --env NAME)", path);
	is_str(err, want, "unknown environment names the available ones");
	free(want);
	free(err);
	config_done(&c);
	free(path);

	path = fixture("one-env.ini");
	err = load_err(&c, path, NULL);
	is_str(err, NULL, "a single environment is selected without --env");
	is_str(c.env, "lab", "  it is [lab]");
	is_str(c.api.dsn, "http://127.0.0.1:58080", "  http api");
	config_done(&c);
	free(path);
}

static void test_fixture_errors(void)
{
	size_t n;
	const struct opt_def *opts = config_options(&n);
	struct sbuf keys = {0};
	sbuf_add(&keys, "primary, replica.NAME, pgbouncer, redis, api");
	for (size_t i = 0; i < n; i++)
		sbuf_addf(&keys, ", %s", opts[i].key);
	char *want = xasprintf(":3: unknown key 'refersh' in [production] (did you mean 'refresh'?); known keys: %s",
			       keys.buf);
	expect_fixture_error("bad-unknown-key.ini", want);
	free(want);
	sbuf_done(&keys);
	expect_fixture_error("bad-duration.ini",
			     ":2: refresh = 'fast': expected a duration such as 500ms, 2s, 1min (range 100ms..1h)");
	expect_fixture_error("bad-percent.ini",
			     ":2: threshold.pool_saturation_warn = '150%': out of range: allowed 0%..100%");
	expect_fixture_error("bad-conninfo.ini", ":2: primary = 'hots=db.internal dbname=app': not a valid libpq "
						 "connection string: invalid connection option \"hots\"");
	expect_fixture_error("bad-redis.ini", ":2: redis = 'http://cache.internal:6379': expected "
					      "redis://[user:password@]host[:port][/db] or rediss://... "
					      "(it must start with redis:// or rediss://)");
	expect_fixture_error("bad-api.ini", ":2: api = 'api.ywmessaging.com': expected the API's base URL, "
					    "http://host[:port][/path] or https://... (it must start with http:// or https://)");
	expect_fixture_error("dup-replica.ini", ":4: duplicate replica name 'east' in [production] (first on line 2)");
	expect_fixture_error("empty-value.ini", ":3: pgbouncer has no value: give one or remove the line");
	expect_fixture_error("syntax-error.ini",
			     ":4: syntax error: expected [environment], key = value, or a comment (; or #)");
}

static void test_inline_errors(void)
{
	expect_error("[p]\nrefresh =\n", NULL, ":2: refresh has no value: give one (the default is 1s) or remove the line",
		     "empty option value");
	expect_error("[p]\nprimary = host=db password=hunter2 hots=x\n", NULL,
		     ":2: primary = 'host=db password=**** hots=x': not a valid libpq connection string: "
		     "invalid connection option \"hots\"",
		     "bad conninfo with a password: masked");
	expect_error("[p]\nprimary = postgresql://ops:hunter2@db/app?sslmdoe=require\n", NULL,
		     ":2: primary = 'postgresql://ops:****@db/app?sslmdoe=require': not a valid libpq connection "
		     "string: invalid URI query parameter: \"sslmdoe\"",
		     "bad URI with a password: masked");
	expect_error("[p]\nprimary = postgresql://ops:hunter%zz@db/app\n", NULL,
		     ":2: primary = 'postgresql://ops:****@db/app': not a valid libpq connection "
		     "string: invalid percent-encoded token: \"****\"",
		     "libpq's message does not echo the password either");
	expect_error("[p]\nredis = redis://:pw@cache:99999\n", NULL,
		     ":2: redis = 'redis://:****@cache:99999': expected redis://[user:password@]host[:port][/db] "
		     "or rediss://... (the port must be a number from 1 to 65535)",
		     "bad redis port");
	expect_error("[p]\nredis = redis://cache/0/extra\n", NULL,
		     ":2: redis = 'redis://cache/0/extra': expected redis://[user:password@]host[:port][/db] "
		     "or rediss://... (unexpected text after host, port and database number)",
		     "bad redis path");
	expect_error("[p]\napi = https://\n", NULL,
		     ":2: api = 'https://': expected the API's base URL, http://host[:port][/path] or https://... "
		     "(the host is missing)",
		     "api without host");
	expect_error("[p]\nrefresh = 1s\nrefresh = 2s\n", NULL, ":3: refresh is set twice in [p] (first on line 2)",
		     "duplicate key");
	expect_error("[p]\nreplica.a.b = host=x\n", NULL,
		     ":2: bad replica name in 'replica.a.b': write replica.NAME with letters, digits, '_' or '-'",
		     "bad replica name");
	expect_error("[p]\nreplica. = host=x\n", NULL,
		     ":2: bad replica name in 'replica.': write replica.NAME with letters, digits, '_' or '-'",
		     "empty replica name");
	expect_error("refresh = 1s\n", NULL,
		     ": no [environment] section: put the keys under a heading such as [production]", "no section");
	expect_error("[p]\n[q]\n[p]\n", "p", ":3: environment [p] appears twice (first on line 1)", "duplicate section");
	expect_error("[p]\n[pro duction]\n", NULL,
		     ":2: bad environment name '[pro duction]': use up to 49 letters, digits, '_', '-' or '.'",
		     "bad environment name");
	expect_error("[p]\n[q\n", NULL, ":2: section heading without ']': write [environment]", "unclosed heading");
	expect_error("[p]\nrefresh = 1s\n  timeout = 2s\n", NULL,
		     ":3: 'timeout' is indented, so it is read as part of 'refresh' (line 2): remove the indentation",
		     "indented key");
	expect_error("[p]\nrefresh = 1s\n  2s\n", NULL,
		     ":3: indented line continues 'refresh' (line 2), but only connection strings (primary, "
		     "replica.NAME, pgbouncer) may go on over several lines: remove the indentation",
		     "continued option");
}

static void test_suggestions(void)
{
	struct config c;
	const struct {
		const char *text, *hint;
	} cases[] = {
		{"[p]\npool_saturation_warn = 70\n", "(did you mean 'threshold.pool_saturation_warn'?)"},
		{"[p]\nreplcia.east = host=x\n", "(did you mean 'replica.east'?)"},
		{"[p]\nreplicas = host=x\n", "(did you mean 'replica.NAME'?)"},
		{"[p]\nprimray = host=x\n", "(did you mean 'primary'?)"},
		{"[p]\nthreshold.p59_warn = 1s\n", "(did you mean 'threshold.p95_warn'?)"},
	};
	for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
		char *path = write_tmp("hint.ini", cases[i].text, 0600);
		char *err = load_err(&c, path, NULL);
		ok(err && strstr(err, cases[i].hint), "hint %s", cases[i].hint);
		if (err && !strstr(err, cases[i].hint))
			printf("#   got: %s\n", err);
		free(err);
		free(path);
		config_done(&c);
	}
	char *path = write_tmp("hint.ini", "zzz = 1\n[p]\n", 0600);
	char *err = load_err(&c, path, NULL);
	ok(err && strstr(err, ":1: unknown key 'zzz' before the first section; known keys: primary,"),
	   "unknown key in the defaults, no far-fetched hint");
	free(err);
	free(path);
	config_done(&c);
}

static void test_lines(void)
{
	struct config c;
	struct sbuf sb = {0};
	char *path, *err;

	path = write_tmp("cont.ini", "[p]\n; comment\nprimary = host=db dbname=app\n    user=ops\n\tsslmode=require\n"
				     "refresh = 2s\n",
			 0600);
	err = load_err(&c, path, NULL);
	is_str(err, NULL, "indented lines continue a connection string");
	is_str(c.primary.dsn, "host=db dbname=app user=ops sslmode=require", "  joined with spaces");
	is_int(c.primary.line, 3, "  line of the key");
	is_int(c.opt[OPT_REFRESH], 2000, "  and the next key is read");
	free(err);
	free(path);
	config_done(&c);

	sbuf_add(&sb, "[p]\n; a long line\nprimary = host=db");
	for (int i = 0; i < 30; i++)
		sbuf_add(&sb, " application_name=x");
	sbuf_add(&sb, "\n");
	path = write_tmp("long.ini", sb.buf, 0600);
	err = load_err(&c, path, NULL);
	char *want = xasprintf("%s:3: line is longer than 198 characters; a connection string can go on over "
			       "indented lines that follow it", path);
	is_str(err, want, "overlong line: refused with its line");
	free(want);
	free(err);
	free(path);
	sbuf_done(&sb);
	config_done(&c);

	path = write_tmp("crlf.ini", "\xEF\xBB\xBF[p]\r\nprimary = host=db\r\n\r\n[q]\r\n", 0600);
	err = load_err(&c, path, "q");
	is_str(err, NULL, "BOM and CRLF are fine; an empty section is an environment");
	is_int(c.n_envs, 2, "  two environments");
	ok(c.primary.dsn == NULL, "  [q] has no primary");
	free(err);
	free(path);
	config_done(&c);

	path = write_tmp("order.ini", "threshold.pool_saturation_warn = 95%\n[p]\n", 0600);
	err = load_err(&c, path, NULL);
	want = xasprintf("%s:1: threshold.pool_saturation_warn = 95%% is above threshold.pool_saturation_critical = "
			 "90%%: the levels must be in order", path);
	is_str(err, want, "warning above critical is refused");
	free(want);
	free(err);
	free(path);
	config_done(&c);
}

static void test_permissions(void)
{
	struct config c;
	char *path = copy_fixture("secret.ini", 0644);
	char *err = load_err(&c, path, NULL);
	char *want = xasprintf("%s is readable by others (mode 0644) and holds a password (line 3, key primary): "
			       "run chmod 600 %s, or better keep passwords out of it: ~/.pgpass or passfile=, "
			       "a pg_service.conf service, PGPASSWORD; REDISCLI_AUTH or redis.password_file for Redis",
			       path, path);
	is_str(err, want, "a password in a 0644 file is refused");
	free(want);
	free(err);
	config_done(&c);

	chmod(path, 0640);
	err = load_err(&c, path, NULL);
	ok(err && strstr(err, "(mode 0640)"), "0640 is refused too");
	free(err);
	config_done(&c);

	chmod(path, 0600);
	err = load_err(&c, path, NULL);
	is_str(err, NULL, "at 0600 it is accepted");
	is_str(c.primary.dsn, "host=db.internal dbname=app user=ops password=s3cret", "  dsn kept as written");
	free(err);
	config_done(&c);
	unlink(path);
	free(path);

	path = copy_fixture("good.ini", 0644);
	err = load_err(&c, path, "production");
	is_str(err, NULL, "a file without secrets may be 0644");
	free(err);
	config_done(&c);
	unlink(path);
	free(path);

	path = write_tmp("redis-url.ini", "[p]\nredis = redis://:pw@cache:6379\n", 0604);
	err = load_err(&c, path, NULL);
	ok(err && strstr(err, "(line 2, key redis)"), "a Redis password counts too");
	free(err);
	config_done(&c);
	unlink(path);
	free(path);

	char *pwfile = write_tmp("redis.pw", "s3cret\n", 0600);
	path = write_tmp("pwfile.ini", "[p]\nredis = redis://cache:6379\nredis.password_file = redis.pw\n", 0644);
	err = load_err(&c, path, NULL);
	is_str(err, NULL, "redis.password_file at 0600 is accepted");
	is_str(c.sopt[OPT_REDIS_PASSWORD_FILE], pwfile, "  relative to the config file's folder");
	free(err);
	config_done(&c);

	chmod(pwfile, 0644);
	err = load_err(&c, path, NULL);
	want = xasprintf("%s:3: redis.password_file %s is readable by others (mode 0644): run chmod 600 %s", path,
			 pwfile, pwfile);
	is_str(err, want, "redis.password_file at 0644 is refused");
	free(want);
	free(err);
	config_done(&c);
	unlink(pwfile);

	err = load_err(&c, path, NULL);
	want = xasprintf("%s:3: redis.password_file = 'redis.pw': %s: no such file", path, pwfile);
	is_str(err, want, "a missing redis.password_file is an error");
	free(want);
	free(err);
	config_done(&c);
	unlink(path);
	free(path);
	free(pwfile);
}

static void test_missing_file(void)
{
	struct config c;
	char *path = tmp_path("absent.ini");
	char *err = load_err(&c, path, NULL);
	char *want = xasprintf("%s: no such file", path);
	is_str(err, want, "config_load of a missing file");
	free(want);
	free(err);
	free(path);
	config_done(&c);
}

static void test_find(void)
{
	char *err = NULL, *got;
	char *xdg = tmp_path("xdg");
	char *dir = tmp_path("xdg/opsdeck");
	char *xdg_file = tmp_path("xdg/opsdeck/config.ini");
	char *home = tmp_path("home");
	mkdir(xdg, 0700);
	mkdir(dir, 0700);
	mkdir(home, 0700);
	unsetenv("OPSDECK_CONFIG");
	setenv("XDG_CONFIG_HOME", xdg, 1);
	setenv("HOME", home, 1);

	got = config_find(NULL, &err);
	ok(got == NULL, "nothing found");
	ok(err && strstr(err, xdg_file) && strstr(err, "$OPSDECK_CONFIG") && strstr(err, "--config FILE") &&
		   strstr(err, "lab/lab up && opsdeck --config \"$(lab/lab env)\""),
	   "  the error lists the places and the fixes");
	str_free(&err);

	char *f = write_tmp("xdg/opsdeck/config.ini", "[p]\n", 0600);
	got = config_find(NULL, &err);
	is_str(got, xdg_file, "$XDG_CONFIG_HOME/opsdeck/config.ini");
	ok(err == NULL, "  no error");
	free(got);
	free(f);

	char *other = write_tmp("other.ini", "[p]\n", 0600);
	setenv("OPSDECK_CONFIG", other, 1);
	got = config_find(NULL, &err);
	is_str(got, other, "$OPSDECK_CONFIG comes before XDG");
	free(got);

	char *cli = write_tmp("cli.ini", "[p]\n", 0600);
	got = config_find(cli, &err);
	is_str(got, cli, "--config comes first");
	free(got);

	char *missing = tmp_path("missing.ini");
	got = config_find(missing, &err);
	char *want = xasprintf("%s: no such file", missing);
	ok(got == NULL, "--config FILE must exist");
	is_str(err, want, "  FILE: no such file");
	free(want);
	str_free(&err);

	setenv("OPSDECK_CONFIG", missing, 1);
	got = config_find(NULL, &err);
	ok(got == NULL && err && strstr(err, "from $OPSDECK_CONFIG"), "a missing $OPSDECK_CONFIG is an error");
	str_free(&err);
	unsetenv("OPSDECK_CONFIG");

	unsetenv("XDG_CONFIG_HOME");
	got = config_find(NULL, &err);
	want = xasprintf("%s/.config/opsdeck/config.ini", home);
	ok(got == NULL && err && strstr(err, want), "XDG_CONFIG_HOME defaults to ~/.config");
	free(want);
	str_free(&err);

	unlink(xdg_file);
	unlink(other);
	unlink(cli);
	rmdir(dir);
	rmdir(xdg);
	rmdir(home);
	free(missing);
	free(cli);
	free(other);
	free(home);
	free(xdg_file);
	free(dir);
	free(xdg);
}

static void test_print(void)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	config_print_options(f);
	fclose(f);
	ok(strstr(buf, "  refresh ") && strstr(buf, "= 1s ") && strstr(buf, "how often the live panels poll"),
	   "print_options: refresh line");
	ok(strstr(buf, "threshold.cache_memory_warn") && strstr(buf, "100MB"), "print_options: bytes default");
	ok(strstr(buf, "redis.password_file") && strstr(buf, "(none)"), "print_options: unset string");
	int lines = 0, col = -1, aligned = 1;
	for (char *p = buf; *p; p = strchr(p, '\n') + 1) {
		int c = (int)(strchr(p, '=') - p);
		aligned &= col < 0 || c == col;
		col = c;
		lines++;
	}
	is_int(lines, OPT__COUNT, "one line per option");
	ok(aligned, "'=' aligned");
	free(buf);
}

int main(void)
{
	char tmpl[] = "/tmp/opsdeck-test-config-XXXXXX";
	tmpdir = mkdtemp(tmpl);
	if (!tmpdir)
		fatal("mkdtemp failed");
	test_table();
	test_defaults();
	test_values();
	test_good();
	test_fixture_errors();
	test_inline_errors();
	test_suggestions();
	test_lines();
	test_permissions();
	test_missing_file();
	test_find();
	test_print();
	char *files[] = {"case.ini", "hint.ini", "cont.ini", "long.ini", "crlf.ini", "order.ini"};
	for (size_t i = 0; i < ARRAY_LEN(files); i++) {
		char *p = tmp_path(files[i]);
		unlink(p);
		free(p);
	}
	rmdir(tmpdir);
	return done_testing();
}
