/* The expectation language: precedence, units, aggregates over a captured rowset, strings,
 * NULLs, JSON paths, headers, captures and baselines, error columns, and a stress loop
 * over mutated input that must never crash (run it under ASan and valgrind). */
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "runbooks/expect.h"
#include "src/util.h"
#include "tests/unit/fixture.h"
#include "tests/unit/tap.h"

/* pg_stat_replication as `psql --csv` prints it, with a NULL slot on the second row. */
static const char *REPL_CSV =
	"application_name,state,lag_ms,active,slot\n"
	"east,streaming,12.5,t,replica_1_slot\n"
	"west,catchup,1532.4,f,\n";

static const char *HEALTH_BODY =
	"{\"status\": \"healthy\", \"uptime_s\": 2056, \"services\": {\"database\": {\"status\": \"connected\","
	" \"replicas\": [{\"name\": \"east\", \"lag_ms\": 0.0}, {\"name\": \"west\", \"lag_ms\": 12.5}]},"
	" \"odd key\": true}, \"slowQueries\": [], \"version\": \"1.4.2-phase2\"}";

static const char *HEADERS =
	"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nX-RateLimit-Limit: 10\r\n"
	"x-ratelimit-remaining:  7 \r\n";

static const char *captured(void *arg, const char *name)
{
	(void)arg;
	return !strcmp(name, "users_primary") ? "1000" : !strcmp(name, "state") ? "streaming" : NULL;
}

static int baseline(void *arg, const char *name, double *v)
{
	(void)arg;
	*v = 200;
	return strcmp(name, "p95_ms") ? -1 : 0;
}

static const char *input(void *arg, const char *name)
{
	(void)arg;
	return !strcmp(name, "slot") ? "replica_1_slot" : NULL;
}

static struct expect_ctx ctx_rows(const struct rowset *rs)
{
	struct expect_ctx c;
	expect_ctx_init(&c);
	c.rs = rs;
	c.replicas = 2;
	c.captured = captured;
	c.baseline = baseline;
	c.input = input;
	return c;
}

#define status_name(s) ((s) == EXPECT_PASS ? "pass" : (s) == EXPECT_FAIL ? "fail" : "error")

/* Parses and evaluates src; checks the status, and observed/error when given. */
static void check(const char *src, const struct expect_ctx *ctx, enum expect_status want,
		  const char *observed, const char *error_part)
{
	char *err;
	struct expect *e = expect_parse(src, &err);
	if (!ok(e != NULL, "parses: %s", src)) {
		printf("#   %s\n", err);
		free(err);
		return;
	}
	struct expect_result r;
	expect_eval(e, ctx, &r);
	if (!is_str(status_name(r.status), status_name(want), "%s -> %s", src, status_name(want)))
		printf("#   observed: %s\n#   error: %s\n", r.observed, r.error ? r.error : "-");
	if (observed)
		is_str(r.observed, observed, "  observed: %s", observed);
	if (error_part)
		ok(r.error && strstr(r.error, error_part), "  error mentions '%s' (%s)", error_part,
		   r.error ? r.error : "no error");
	expect_result_done(&r);
	expect_free(e);
}

static void check_value(const char *src, const struct expect_ctx *ctx, const char *want)
{
	char *err;
	struct expect *e = expect_parse(src, &err);
	struct expect_result r = {0};
	if (e)
		expect_value(e, ctx, &r);
	is_str(r.value, want, "value of %s is %s%s%s", src, want, err ? " / " : "", err ? err : "");
	expect_result_done(&r);
	expect_free(e);
	free(err);
}

static void check_parse_error(const char *src, const char *want)
{
	char *err;
	struct expect *e = expect_parse(src, &err);
	ok(!e && err && strstr(err, want), "parse error '%s' for %.40s (%s)", want, src, err ? err : "parsed");
	expect_free(e);
	free(err);
}

static void test_precedence(void)
{
	struct expect_ctx c;
	expect_ctx_init(&c);
	static const char *const values[][2] = {
		{"1 + 2 * 3", "7"}, {"(1 + 2) * 3", "9"}, {"10 - 4 - 3", "3"}, {"8 / 4 / 2", "1"}, {"-2 * 3", "-6"},
		{"2 - -1", "3"}, {"7 / 2", "3.5"}, {"0.1 + 0.2", "0.3"}, {"abs(3 - 5)", "2"}, {"1e3", "1000"},
		{"500ms", "500"}, {"1s", "1000"}, {"1.5s", "1500"}, {"2min", "120000"}, {"1h", "3600000"},
		{"1d", "86400000"}, {"100MB", "104857600"}, {"1kB", "1024"}, {"2GB", "2147483648"}, {"80%", "0.8"}};
	for (size_t i = 0; i < ARRAY_LEN(values); i++)
		check_value(values[i][0], &c, values[i][1]);
	check("true or false and false", &c, EXPECT_PASS, "", NULL);
	check("(true or false) and false", &c, EXPECT_FAIL, NULL, NULL);
	check("not true or true", &c, EXPECT_PASS, NULL, NULL);
	check("not (true or true)", &c, EXPECT_FAIL, NULL, NULL);
	check("not not true", &c, EXPECT_PASS, NULL, NULL);
	check("1 + 1 == 2 and 2 * 2 > 3", &c, EXPECT_PASS, NULL, NULL);
	check("1 < 2 and 2 <= 2 and 3 > 2 and 3 >= 3 and 1 != 2", &c, EXPECT_PASS, NULL, NULL);
	check("1 / 0 > 1", &c, EXPECT_ERROR, NULL, "division by zero");
	check("false and 1 / 0 > 1", &c, EXPECT_FAIL, NULL, NULL); /* short circuit */
	check("true or 1 / 0 > 1", &c, EXPECT_PASS, NULL, NULL);
	check("2", &c, EXPECT_ERROR, NULL, "is 2, not true/false");
	check("null == null and not (1 == null)", &c, EXPECT_PASS, NULL, NULL);
	check("null < 1", &c, EXPECT_ERROR, NULL, "null can only be compared");
}

static void test_strings(void)
{
	struct expect_ctx c;
	expect_ctx_init(&c);
	check("500ms < 1s and 60s == 1min", NULL, EXPECT_PASS, NULL, NULL);
	check_parse_error("5parsecs", "column 2: unknown unit 'parsecs'");
	check_parse_error("5 ms", "column 3: unexpected 'ms'");
	check("'a' == \"a\" and 'a' < 'b' and 'b' != 'a'", &c, EXPECT_PASS, NULL, NULL);
	check("'it\\'s' == \"it's\" and \"say \\\"hi\\\"\" contains '\"hi\"'", &c, EXPECT_PASS, NULL, NULL);
	check("'phase2-build' contains 'phase2' and 'v1.2' matches '^v[0-9]+\\.[0-9]+$'", &c, EXPECT_PASS, NULL, NULL);
	check("'abc' matches '^b'", &c, EXPECT_FAIL, NULL, NULL);
	check("'abc' == 1", &c, EXPECT_ERROR, NULL, "is text, compared with a number");
	check("'abc' + 1 > 0", &c, EXPECT_ERROR, NULL, "'abc' is not a number");
	check("len('hello') == 5", &c, EXPECT_PASS, NULL, NULL);
	check("true == 'yes'", &c, EXPECT_ERROR, NULL, "not true/false");
}

static void test_rows(void)
{
	struct rowset rs;
	struct expect_ctx c;
	is_int(rowset_from_csv(&rs, REPL_CSV), 0, "replication fixture parses");
	c = ctx_rows(&rs);
	check("rows == 2", &c, EXPECT_PASS, "rows = 2", NULL);
	check("rows == count(replicas)", &c, EXPECT_PASS, "rows = 2, count(replicas) = 2", NULL);
	check("value == 'east'", &c, EXPECT_PASS, "value = 'east'", NULL);
	check("max(lag_ms) < 1000", &c, EXPECT_FAIL, "max(lag_ms) = 1532.4", NULL);
	check("max(lag_ms) < 1s", &c, EXPECT_FAIL, "max(lag_ms) = 1532.4", NULL);
	check("min(lag_ms) == 12.5", &c, EXPECT_PASS, "min(lag_ms) = 12.5", NULL);
	check("sum(lag_ms) == 1544.9", &c, EXPECT_PASS, "sum(lag_ms) = 1544.9", NULL);
	check("avg(lag_ms) == 772.45", &c, EXPECT_PASS, "avg(lag_ms) = 772.45", NULL);
	check("count(slot) == 1 and count(*) == 2", &c, EXPECT_PASS, "count(slot) = 1, count(*) = 2", NULL);
	check("max(lag_ms / 1000) > 1.5", &c, EXPECT_PASS, "max(lag_ms / 1000) = 1.5324", NULL);
	check("all(state == 'streaming')", &c, EXPECT_FAIL,
	      "all(state == 'streaming') = false (row 2: state = 'catchup')", NULL);
	check("any(state == 'catchup') and any(active)", &c, EXPECT_PASS, NULL, NULL);
	check("all(active)", &c, EXPECT_FAIL, "all(active) = false (row 2: active = 'f')", NULL);
	check("any(lag_ms > 1h)", &c, EXPECT_FAIL, "any(lag_ms > 1h) = false (no row matches)", NULL);
	check("all(lag_ms < 2s and application_name != 'north')", &c, EXPECT_PASS, NULL, NULL);
	check("rows == count(replicas) and all(active)", &c, EXPECT_FAIL,
	      "rows = 2, count(replicas) = 2, all(active) = false (row 2: active = 'f')", NULL);
	check("state == 'streaming' and lag_ms < 100", &c, EXPECT_PASS, "state = 'streaming', lag_ms = 12.5", NULL);
	check("max(lag) < 1000", &c, EXPECT_ERROR, NULL,
	      "column lag not in the result (columns: application_name, state, lag_ms, active, slot)");
	check("all(slot != '')", &c, EXPECT_ERROR, NULL, "slot is NULL (row 2)");
	check("max(state) > 0", &c, EXPECT_ERROR, NULL, "state: 'streaming' is not a number (row 1)");
	check("all(lag_ms)", &c, EXPECT_ERROR, NULL, "lag_ms is 12.5, not true/false (row 1)");
	check("value == captured('state') or value == 'east'", &c, EXPECT_PASS, NULL, NULL);
	check("slot == input('slot')", &c, EXPECT_PASS, "slot = 'replica_1_slot', input('slot') = 'replica_1_slot'", NULL);
	check("slot == input('replica')", &c, EXPECT_ERROR, NULL, "input('replica'): no value was given for that input");
	check("status == 200", &c, EXPECT_ERROR, NULL, "status: there is no HTTP response");
	c.replicas = -1;
	check("rows == count(replicas)", &c, EXPECT_ERROR, NULL, "replicas is not known");
	rowset_done(&rs);

	/* column names that are keywords, NULL first cells, empty and all-NULL results */
	rowset_from_csv(&rs, "rows,lag_ms\n3,\n4,\n");
	c = ctx_rows(&rs);
	check("col('rows') == 3 and rows == 2", &c, EXPECT_PASS, "col('rows') = 3, rows = 2", NULL);
	check("lag_ms == null and value != null", &c, EXPECT_PASS, NULL, NULL);
	check("lag_ms < 1000", &c, EXPECT_ERROR, NULL, "lag_ms is NULL");
	check("max(lag_ms) < 1000", &c, EXPECT_ERROR, NULL, "max(lag_ms): every value is NULL");
	check("count(lag_ms) == 0 and sum(lag_ms) == 0", &c, EXPECT_PASS, NULL, NULL);
	rowset_done(&rs);

	rowset_from_csv(&rs, "slot_name,active\n");
	c = ctx_rows(&rs);
	check("rows == 0 and all(active) and not any(active)", &c, EXPECT_PASS, NULL, NULL);
	check("max(active) > 0", &c, EXPECT_ERROR, NULL, "no values: the result has no rows");
	check("value == 't'", &c, EXPECT_ERROR, NULL, "the result has no rows");
	rowset_done(&rs);

	/* booleans as psql prints them, counts as numbers, a capture compared with a cell */
	rowset_from_csv(&rs, "pg_is_in_recovery\nt\n");
	c = ctx_rows(&rs);
	check("value", &c, EXPECT_PASS, "value = 't'", NULL);
	check("value == true and value != false", &c, EXPECT_PASS, NULL, NULL);
	rowset_done(&rs);
	rowset_from_csv(&rs, "count,state\n1000,maybe\n");
	c = ctx_rows(&rs);
	check("value == captured(\"users_primary\")", &c, EXPECT_PASS,
	      "value = 1000, captured(\"users_primary\") = 1000", NULL);
	check("value == captured('nope')", &c, EXPECT_ERROR, NULL, "nothing was captured under that name");
	check("value", &c, EXPECT_ERROR, NULL, "value is 1000, not true/false");
	check("state == true", &c, EXPECT_ERROR, NULL, "state is 'maybe', not true/false");
	rowset_done(&rs);
	rowset_from_csv(&rs, "a,b\n1.50,1.5\nx,x\n");
	c = ctx_rows(&rs);
	check("a == b", &c, EXPECT_PASS, NULL, NULL); /* two numeric cells compare as numbers */
	check("all(a == b)", &c, EXPECT_PASS, NULL, NULL);
	rowset_done(&rs);
}

static void test_baselines(void)
{
	struct rowset rs;
	rowset_from_csv(&rs, "p95\n210\n");
	struct expect_ctx c = ctx_rows(&rs);
	check("p95 <= baseline(\"p95_ms\") * 1.10", &c, EXPECT_PASS, "p95 = 210, baseline(\"p95_ms\") = 200", NULL);
	check("p95 <= baseline('p95_ms') * (1 - 20%)", &c, EXPECT_FAIL, NULL, NULL);
	check("abs(p95 - baseline('p95_ms')) <= baseline('p95_ms') * 10%", &c, EXPECT_PASS, NULL, NULL);
	check("p95 < baseline('p99_ms')", &c, EXPECT_ERROR, NULL, "baseline('p99_ms'): no baseline recorded");
	rowset_done(&rs);
	rowset_from_csv(&rs, "p95\n230\n");
	c = ctx_rows(&rs);
	check("p95 <= baseline(\"p95_ms\") * 1.10", &c, EXPECT_FAIL, "p95 = 230, baseline(\"p95_ms\") = 200", NULL);
	c.baseline = NULL;
	check("p95 <= baseline(\"p95_ms\")", &c, EXPECT_ERROR, NULL, "no baseline recorded");
	rowset_done(&rs);
}

static void test_http(void)
{
	struct expect_ctx c;
	expect_ctx_init(&c);
	c.http_status = 200;
	c.http_body = HEALTH_BODY;
	c.http_headers = HEADERS;
	check("status == 200 and json(.status) == 'healthy'", &c, EXPECT_PASS,
	      "status = 200, json(.status) = 'healthy'", NULL);
	check("json(.services.database.replicas[1].name) == 'west'", &c, EXPECT_PASS, NULL, NULL);
	check("json(.services.database.replicas[1].lag_ms) < 10", &c, EXPECT_FAIL,
	      "json(.services.database.replicas[1].lag_ms) = 12.5", NULL);
	check("len(json(.services.database.replicas)) == 2 and len(json(.slowQueries)) < 5", &c, EXPECT_PASS,
	      "len(json(.services.database.replicas)) = 2, len(json(.slowQueries)) = 0", NULL);
	check("json(.services[\"odd key\"]) and json( .uptime_s ) > 60", &c, EXPECT_PASS, NULL, NULL);
	check("json(.version) contains 'phase2' and json(.version) matches '^1\\.'", &c, EXPECT_PASS, NULL, NULL);
	check("json(.missing) == null and json(.services.database.replicas[7]) == null", &c, EXPECT_PASS, NULL, NULL);
	check("json(.missing) == 'x'", &c, EXPECT_ERROR, NULL, "json(.missing) is missing or null");
	check("json(.services) == 'x'", &c, EXPECT_ERROR, NULL, "is a JSON array or object");
	check("json(.status.deeper) == null", &c, EXPECT_PASS, NULL, NULL);
	check("len(json(.)) == 5", &c, EXPECT_PASS, NULL, NULL);
	check("header('X-RateLimit-Limit') == 10 and header('X-RATELIMIT-REMAINING') == 7", &c, EXPECT_PASS,
	      "header('X-RateLimit-Limit') = 10, header('X-RATELIMIT-REMAINING') = 7", NULL);
	check("header('Retry-After') == null", &c, EXPECT_PASS, NULL, NULL);
	check("rows > 0", &c, EXPECT_ERROR, NULL, "rows: this probe returns no rows");
	check("output contains 'x'", &c, EXPECT_ERROR, NULL, "only shell probes");
	c.http_body = "{\"status\": \"heal";
	check("json(.status) == 'healthy'", &c, EXPECT_ERROR, NULL, "the body is not JSON");
	c.http_body = NULL;
	check("json(.status) == 'x'", &c, EXPECT_ERROR, NULL, "there is no HTTP body");
}

static void test_shell(void)
{
	struct expect_ctx c;
	expect_ctx_init(&c);
	c.output = "PONG\n";
	c.exit_status = 0;
	check("output contains 'PONG' and output matches '^PONG$' and exit == 0", &c, EXPECT_PASS, NULL, NULL);
	check("value == 'PONG'", &c, EXPECT_PASS, "value = 'PONG'", NULL);
	c.output = "  123\n";
	check("value > 100", &c, EXPECT_PASS, "value = 123", NULL);
	check_value("value * 2", &c, "246");
	check_value("output", &c, "  123\n");
	c.output = "";
	check("output == ''", &c, EXPECT_PASS, NULL, NULL);
}

static void test_parse_errors(void)
{
	check_parse_error("", "column 1: empty expectation");
	check_parse_error("   ", "column 4: empty expectation");
	check_parse_error("rows ==", "column 8: unexpected end of the expectation (expected a value)");
	check_parse_error("rows = 2", "column 6: use == to compare");
	check_parse_error("rows > 1 && true", "column 10: use 'and' instead of '&&'");
	check_parse_error("rows <> 1", "column 6: use != instead");
	check_parse_error("!active", "column 1: use 'not' or !=");
	check_parse_error("max(lag_ms", "column 11: unexpected end of the expectation (expected ')')");
	check_parse_error("max(a, b) > 1", "column 6: unexpected ',' (expected one argument)");
	check_parse_error("1 < 2 < 3", "column 7: comparisons do not chain");
	check_parse_error("'abc", "column 1: unterminated string (missing ')");
	check_parse_error("foo(1)", "column 1: unknown function foo()");
	check_parse_error("max(max(lag)) > 1", "column 5: max() cannot be used inside another aggregate");
	check_parse_error("all(any(x))", "column 5: any() cannot be used inside");
	check_parse_error("output matches '('", "column 16: bad regular expression");
	check_parse_error("output matches x", "column 16: matches needs a regular expression in quotes");
	check_parse_error("json(status) == 1", "column 6: a JSON path starts with '.'");
	check_parse_error("json(.a[x]) == 1", "column 8: expected [N]");
	check_parse_error("json(.a.) == 1", "column 9: expected a key after '.'");
	check_parse_error("json(.a", "column 8: expected ')' to close json(");
	check_parse_error("captured(x) == 1", "column 10: captured() takes a name in quotes");
	check_parse_error("rows == 2 rows", "column 11: unexpected 'rows' (expected 'and', 'or' or the end)");
	check_parse_error("rows == and", "column 9: unexpected 'and' (expected a value)");
	check_parse_error("rows\x01", "column 5: unexpected character (byte 0x01)");
	check_parse_error("rows @ 2", "column 6: unexpected character '@'");
	check_parse_error("()", "column 2: unexpected ')' (expected a value)");

	struct sbuf deep = {0}, chain = {0}, big = {0};
	for (int i = 0; i < 200; i++)
		sbuf_add(&deep, i < 100 ? "(" : ")"), sbuf_add(&chain, "1+"), sbuf_add(&big, "           ");
	check_parse_error(deep.buf, "column 49: expression nested too deeply");
	check_parse_error(chain.buf, "nested too deeply");
	check_parse_error(big.buf, "column 2001: expectation too long");
	sbuf_done(&deep), sbuf_done(&chain), sbuf_done(&big);
	check_parse_error(NULL, "empty expectation");
}

static void name_cb(void *arg, enum expect_name kind, const char *name, int col)
{
	struct sbuf *sb = arg;
	sbuf_addf(sb, "%s%s:%s@%d", sb->len ? " " : "",
		  kind == EXPECT_BASELINE ? "baseline" : kind == EXPECT_INPUT ? "input" : "captured", name, col);
}

static void test_introspection(void)
{
	char *err;
	int col = 0;
	struct expect *e = expect_parse("value == captured('a') and status == 200 and p95 < baseline(\"b\") "
					"and value != input('slot')", &err);
	is_str(expect_needs_outside(e, EXPECT_NEEDS_ROWS, &col), "status", "status needs http");
	is_int(col, 28, "at column 28");
	is_str(expect_needs_outside(e, EXPECT_NEEDS_HTTP, &col), "a column", "p95 needs rows");
	ok(expect_needs_outside(e, EXPECT_NEEDS_ROWS | EXPECT_NEEDS_HTTP, NULL) == NULL, "rows + http cover it");
	struct sbuf sb = {0};
	expect_names(e, name_cb, &sb);
	is_str(sb.buf, "captured:a@10 baseline:b@52 input:slot@79", "captured and baseline names with columns");
	sbuf_done(&sb);
	ok(str_starts(expect_source(e), "value == captured('a') and"), "source kept");
	expect_free(e);
	e = expect_parse("value == 1", &err);
	ok(expect_needs_outside(e, 0, NULL) == NULL, "value works for every probe");
	expect_free(e);
	e = expect_parse("output contains 'x' or exit == 1", &err);
	is_str(expect_needs_outside(e, EXPECT_NEEDS_ROWS, NULL), "output", "output needs a shell probe");
	expect_free(e);
	struct expect_result r;
	expect_eval(NULL, NULL, &r);
	is_int(r.status, EXPECT_ERROR, "evaluating nothing is an error, not a crash");
	expect_result_done(&r);
}

static void test_locale(void)
{
	if (!setlocale(LC_NUMERIC, "de_DE.UTF-8") && !setlocale(LC_NUMERIC, "fr_FR.UTF-8")) {
		ok(1, "# SKIP no locale with a decimal comma installed");
		return;
	}
	struct rowset rs;
	rowset_from_csv(&rs, "lag_ms\n1532.4\n");
	struct expect_ctx c = ctx_rows(&rs);
	check("max(lag_ms) < 1000.5", &c, EXPECT_FAIL, "max(lag_ms) = 1532.4", NULL);
	rowset_done(&rs);
	setlocale(LC_NUMERIC, "C");
}

/* Deterministic pseudo-random numbers for the stress loop. */
static unsigned long long rng = 0x9e3779b97f4a7c15ULL;
static unsigned rnd(unsigned n)
{
	rng = rng * 6364136223846793005ULL + 1442695040888963407ULL;
	return (unsigned)(rng >> 33) % n;
}

static void stress_one(const char *src, const struct expect_ctx *ctxs, int nctx, int *parsed)
{
	char *err;
	struct expect *e = expect_parse(src, &err);
	free(err);
	if (!e)
		return;
	(*parsed)++;
	for (int i = 0; i < nctx; i++) {
		struct expect_result r;
		expect_eval(e, &ctxs[i], &r);
		expect_result_done(&r);
		expect_value(e, &ctxs[i], &r);
		expect_result_done(&r);
	}
	expect_free(e);
}

/* A random expression that is mostly well-formed, so the evaluator gets exercised too. */
static void gen(struct sbuf *sb, int depth)
{
	static const char *const leaf[] = {"value", "rows", "status", "output", "exit", "lag_ms", "state",
		"active", "slot", "count(replicas)", "count(*)", "json(.status)", "json(.slowQueries)", "json(.)",
		"json(.services.database.replicas[1].lag_ms)", "header('X-RateLimit-Limit')", "input('slot')",
		"captured('users_primary')", "baseline('p95_ms')", "1", "0", "-1.5s", "80%", "'streaming'",
		"\"east\"", "true", "false", "null", "col('rows')", "nosuch"};
	static const char *const bin[] = {" + ", " - ", " * ", " / ", " == ", " != ", " < ", " >= ",
					  " and ", " or ", " contains "};
	static const char *const fn[] = {"max(", "min(", "sum(", "avg(", "count(", "all(", "any(",
					 "abs(", "len(", "not (", "-(", "("};
	if (depth <= 0 || rnd(4) == 0) {
		sbuf_add(sb, leaf[rnd(ARRAY_LEN(leaf))]);
	} else if (rnd(2)) {
		gen(sb, depth - 1);
		sbuf_add(sb, bin[rnd(ARRAY_LEN(bin))]);
		gen(sb, depth - 1);
	} else if (rnd(8) == 0) {
		gen(sb, depth - 1);
		sbuf_add(sb, " matches '^[a-z]+$'");
	} else {
		sbuf_add(sb, fn[rnd(ARRAY_LEN(fn))]);
		gen(sb, depth - 1);
		sbuf_add(sb, ")");
	}
}

static void test_stress(void)
{
	char *text = fixture_read("runbooks", "expect-corpus.txt", NULL), *corpus[64];
	size_t ncorpus = 0;
	for (char *l = strtok(text, "\n"); l && ncorpus < ARRAY_LEN(corpus); l = strtok(NULL, "\n"))
		if (strlen(l) < 400)
			corpus[ncorpus++] = l;
	if (!ok(ncorpus > 20, "%zu expressions in the stress corpus", ncorpus)) {
		free(text);
		return;
	}
	static const char *const tokens[] = {"(", ")", "'", "\"", "json(", ".", "[", "]", "and ", "or ",
					     "not ", "==", "<", "max(", "all(", ",", "-", "/", "0", "1e999",
					     "null", "\\", "%", "matches '", "*", "value", "count(*)"};
	struct rowset rs;
	rowset_from_csv(&rs, REPL_CSV);
	struct expect_ctx ctxs[3] = {ctx_rows(&rs),
		{.http_status = 200, .http_body = HEALTH_BODY, .http_headers = HEADERS, .exit_status = -1, .replicas = -1},
		{.output = "PONG\n", .exit_status = 0, .replicas = -1}};
	int runs = 0, parsed = 0;
	char buf[512];
	for (size_t i = 0; i < ncorpus; i++) {
		size_t len = strlen(corpus[i]);
		for (size_t cut = 0; cut <= len; cut++, runs++) { /* every truncation */
			memcpy(buf, corpus[i], cut);
			buf[cut] = '\0';
			stress_one(buf, ctxs, 3, &parsed);
		}
	}
	for (int i = 0; i < 6000; i++, runs++) { /* mutations: flips, deletions, token insertions */
		const char *base = corpus[rnd((unsigned)ncorpus)];
		size_t len = strlen(base);
		memcpy(buf, base, len + 1);
		for (int m = 1 + (int)rnd(4); m > 0; m--) {
			size_t at = rnd((unsigned)len + 1), tl;
			const char *t = tokens[rnd(ARRAY_LEN(tokens))];
			if (rnd(3) == 0 && at < len)
				buf[at] = (char)(1 + rnd(255));
			else if (rnd(2) && at < len)
				memmove(buf + at, buf + at + 1, len-- - at);
			else if (len + (tl = strlen(t)) < sizeof(buf) - 1)
				memmove(buf + at + tl, buf + at, len - at + 1), memcpy(buf + at, t, tl), len += tl;
		}
		stress_one(buf, ctxs, 3, &parsed);
	}
	for (int i = 0; i < 2000; i++, runs++) { /* random bytes */
		size_t len = rnd(80);
		for (size_t j = 0; j < len; j++)
			buf[j] = (char)(1 + rnd(255));
		buf[len] = '\0';
		stress_one(buf, ctxs, 3, &parsed);
	}
	for (int i = 0; i < 3000; i++, runs++) { /* generated from the grammar */
		struct sbuf sb = {0};
		gen(&sb, 1 + (int)rnd(6));
		stress_one(sb.buf, ctxs, 3, &parsed);
		sbuf_done(&sb);
	}
	ok(runs > 11000, "stress: %d inputs (%d parsed and evaluated in 3 contexts) without a crash", runs, parsed);
	rowset_done(&rs);
	free(text);
}

int main(void)
{
	test_precedence();
	test_strings();
	test_rows();
	test_baselines();
	test_http();
	test_shell();
	test_parse_errors();
	test_introspection();
	test_locale();
	test_stress();
	return done_testing();
}
