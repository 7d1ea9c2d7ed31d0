/* Lint: the rules that need the whole runbook (sections, step order, references between
 * steps, inputs and probes) on top of what runbook_parse() reported. Every message names
 * what is wrong and what is accepted; runbooks/README.md lists them all. */
#include "runbooks/lint.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "src/util.h"

static const int required[] = {SEC_PREREQUISITES, SEC_STEPS, SEC_SUCCESS, SEC_TROUBLESHOOTING};
static const int required_meta[] = {META_WHEN, META_DURATION, META_OWNER, META_GROUP};

int rb_id_known(const char *id, const struct lint_opts *o)
{
	char *end;
	if (!id || strncmp(id, "RB-", 3) || !isdigit((unsigned char)id[3]))
		return 0;
	long n = strtol(id + 3, &end, 10);
	if (!*end && n >= 1 && n <= RB_CATALOGUE_LAST && id[3] != '0')
		return 1;
	for (int i = 0; o && i < o->n_ids; i++)
		if (!strcmp(o->ids[i], id))
			return 1;
	return 0;
}

static int head_line(const struct runbook *rb)
{
	return rb->title_line ? rb->title_line : 1;
}

static void check_header(struct runbook *rb, const struct lint_opts *o)
{
	struct rb_problems *p = &rb->problems;
	const char *base = strrchr(rb->path, '/');
	base = base ? base + 1 : rb->path;
	size_t bl = strlen(base);
	if (rb->checklist && bl > 3 && !strcmp(base + bl - 3, ".md") &&
	    strspn(base, "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-") == bl - 3 &&
	    (strlen(rb->id) - 3 != bl - 3 || strncmp(base, rb->id + 3, bl - 3)))
		rb_problem(p, head_line(rb), "the file is named %s but the title says %s (a checklist CL-NAME "
			   "lives in NAME.md)", base, rb->id);
	if (rb->id && !strncmp(base, "RB-", 3) && bl > 6 && !strcmp(base + bl - 3, ".md") &&
	    strspn(base + 3, "0123456789") == bl - 6 && (strlen(rb->id) != bl - 3 || strncmp(base, rb->id, bl - 3)))
		rb_problem(p, head_line(rb), "the file is named %s but the title says %s", base, rb->id);
	for (size_t i = 0; i < ARRAY_LEN(required_meta); i++)
		if (!rb->meta[required_meta[i]])
			rb_problem(p, head_line(rb), "missing metadata '- **%s:** ...' under the title",
				   rb_meta_key(required_meta[i]));
	for (int i = 0; i < rb->n_related; i++) {
		if (rb->id && !strcmp(rb->related[i].id, rb->id))
			rb_problem(p, rb->related[i].line, "**Related:** lists the runbook itself (%s)", rb->id);
		else if (!rb_id_known(rb->related[i].id, o))
			rb_problem(p, rb->related[i].line, "unknown related runbook %s (the library has RB-1 to RB-%d)",
				   rb->related[i].id, RB_CATALOGUE_LAST);
	}
	for (int i = 0; i < rb->n_mentions; i++) {
		const struct rb_ref *m = &rb->mentions[i];
		if (m->line != rb->meta_line[META_RELATED] && !rb_id_known(m->id, o) && !str_eq(m->id, rb->id))
			rb_problem(p, m->line, "unknown runbook %s mentioned (the library has RB-1 to RB-%d)",
				   m->id, RB_CATALOGUE_LAST);
	}
}

/* A checklist: steps somewhere, sign-off roles, schedules only in ## Monitoring, baselines
 * in ## Baseline, every issue linked to a runbook. */
static void check_checklist(struct runbook *rb)
{
	struct rb_problems *p = &rb->problems;
	if (!rb->n_steps)
		rb_problem(p, head_line(rb), "a checklist needs steps ('### N. Title' under ## Baseline, "
			   "## Validation, ## Phase N: Title or ## Monitoring)");
	if (!rb->sections[SEC_SIGNOFF].line)
		rb_problem(p, head_line(rb), "missing section '## Sign-off' (the roles that sign the checklist)");
	else if (!rb->n_roles)
		rb_problem(p, rb->sections[SEC_SIGNOFF].line, "## Sign-off lists no roles ('- [ ] **DBA** verified ...')");
	for (int i = 0; i < rb->n_roles; i++) {
		if (!rb->roles[i].role || !rb->roles[i].role[0]) {
			rb_problem(p, rb->roles[i].line, "a sign-off item starts with its role in bold: "
				   "'- [ ] **Engineering Lead** approved'");
			continue;
		}
		for (int j = 0; j < i; j++)
			if (rb->roles[j].role && !strcasecmp(rb->roles[j].role, rb->roles[i].role))
				rb_problem(p, rb->roles[i].line, "sign-off role '%s' is listed twice (first at line %d)",
					   rb->roles[i].role, rb->roles[j].line);
	}
	for (int i = 0; i < rb->n_steps; i++) {
		const struct step *st = &rb->steps[i];
		int baselines = 0, scheduled = 0, probes = 0;
		for (int k = 0; k < st->n_probes; k++) {
			const struct probe *pr = &st->probes[k];
			baselines += pr->baseline != NULL;
			probes += pr->kind != PROBE_TEXT;
			if (pr->every_ms > 0)
				scheduled++;
			if ((pr->every_ms > 0 || pr->for_ms > 0) && st->section != SEC_MONITORING)
				rb_problem(p, pr->line, "every=/for= schedule a check: only in ## Monitoring");
			if (pr->for_ms > 0 && pr->every_ms <= 0)
				rb_problem(p, pr->line, "for= needs every= (e.g. every=4h for=24h)");
			if (pr->every_ms > 0 && pr->for_ms > 0 && pr->for_ms < pr->every_ms)
				rb_problem(p, pr->line, "for= is shorter than every=: the check would run once");
			if (pr->baseline && !pr->unit)
				rb_problem(p, pr->line, "baseline=%s needs unit= (ms, %%, MB, connections, ...)", pr->baseline);
			if (pr->unit && !pr->baseline)
				rb_problem(p, pr->line, "unit= goes with baseline=");
			if (pr->kind == PROBE_TEXT && pr->capture)
				rb_problem(p, pr->line, "capture= on a text block: the operator types values only as baseline=");
		}
		if (st->section == SEC_BASELINE && !baselines)
			rb_problem(p, st->line, "step %d is in ## Baseline but records nothing: give its probe baseline=NAME "
				   "unit=UNIT (or a ```text baseline=NAME unit=UNIT block for a value typed in)", st->number);
		if (st->section == SEC_MONITORING && probes && !scheduled)
			rb_problem(p, st->line, "step %d is in ## Monitoring but has no schedule: every=4h for=24h", st->number);
	}
	for (int i = 0; i < rb->n_issues; i++) {
		const struct rb_issue *is = &rb->issues[i];
		if (!is->symptom || !is->symptom[0])
			rb_problem(p, is->line, "an ## Issues found row needs a symptom (columns: symptom, runbook, what to do)");
		if (!is->runbook || rb_id_at(is->runbook, strlen(is->runbook)) == 0)
			rb_problem(p, is->line, "issue '%s': the runbook column names the runbook that handles it (RB-N)",
				   is->symptom ? is->symptom : "");
	}
}

static void check_runbook_sections(struct runbook *rb)
{
	struct rb_problems *p = &rb->problems;
	for (size_t i = 0; i < ARRAY_LEN(required); i++)
		if (!rb->sections[required[i]].line)
			rb_problem(p, head_line(rb), "missing section '## %s'", rb_section_title(required[i]));
	int prev = -1;
	for (int s = 0; s <= SEC_RUNBOOK_LAST; s++) {
		if (!rb->sections[s].line)
			continue;
		if (prev >= 0 && rb->sections[s].line < rb->sections[prev].line)
			rb_problem(p, rb->sections[s].line, "section '## %s' comes before '## %s' (the order is "
				   "Prerequisites, Inputs, Steps, Success criteria, Troubleshooting, Rollback)",
				   rb_section_title(s), rb_section_title(prev));
		else
			prev = s;
	}
	for (int s = SEC_RUNBOOK_LAST + 1; s < SEC__COUNT; s++)
		if (rb->sections[s].line)
			rb_problem(p, rb->sections[s].line, "'## %s' is a checklist section: a runbook has ## Steps "
				   "(or give the file a checklist title '# CL-NAME: Title')", rb_section_title(s));
	if (rb->sections[SEC_STEPS].line && rb->n_steps == 0)
		rb_problem(p, rb->sections[SEC_STEPS].line, "## Steps has no steps (each step is a '### N. Title' heading)");
}

static void check_sections(struct runbook *rb)
{
	struct rb_problems *p = &rb->problems;
	if (rb->checklist)
		check_checklist(rb);
	else
		check_runbook_sections(rb);
	int expected = 1;
	for (int i = 0; i < rb->n_steps; i++) {
		const struct step *st = &rb->steps[i];
		int dup = 0;
		if (!st->number)
			continue;
		for (int j = 0; j < i && !dup; j++)
			if (rb->steps[j].number == st->number) {
				rb_problem(p, st->line, "duplicate step number %d (also at line %d)", st->number, rb->steps[j].line);
				dup = 1;
			}
		if (!dup && st->number != expected)
			rb_problem(p, st->line, "step %d is out of order: expected step %d (steps are numbered 1, 2, 3, ...)",
				   st->number, expected);
		if (!dup)
			expected = st->number + 1;
	}
}

static void check_inputs(struct runbook *rb)
{
	struct rb_problems *p = &rb->problems;
	for (int i = 0; i < rb->n_inputs; i++) {
		const struct rb_input *in = &rb->inputs[i];
		char *why = NULL;
		if (!in->name || !rb_input_name_ok(in->name)) {
			rb_problem(p, in->line, "input name '%s': letters, digits and _ (e.g. replica_name)",
				   in->name ? in->name : "");
			continue;
		}
		for (int j = 0; j < i; j++)
			if (str_eq(rb->inputs[j].name, in->name))
				rb_problem(p, in->line, "input '%s' is declared twice (first at line %d)", in->name,
					   rb->inputs[j].line);
		/* a NULL field is a missing column, which the parser reported */
		if (in->description && !in->description[0])
			rb_problem(p, in->line, "input '%s' has no description", in->name);
		if (!in->type)
			;
		else if (rb_input_type_ok(in->type, &why) < 0)
			rb_problem(p, in->line, "input '%s': %s", in->name, why);
		else if (in->example && !in->example[0])
			rb_problem(p, in->line, "input '%s' has no example", in->name);
		else if (in->example && rb_input_check(in, in->example, NULL, 0, &why) < 0)
			rb_problem(p, in->line, "input '%s': the example does not fit its type: %s", in->name, why);
		free(why);
	}
}

static const struct rb_input *input_named(const struct runbook *rb, const char *name)
{
	for (int i = 0; i < rb->n_inputs; i++)
		if (str_eq(rb->inputs[i].name, name))
			return &rb->inputs[i];
	return NULL;
}

/* The highest $N in the code (0 if none). SQL: outside quotes, comments and $$ strings. */
static int max_param(const char *s, int sql)
{
	int max = 0;
	for (size_t i = 0; s[i]; i++) {
		if (sql && (s[i] == '\'' || s[i] == '"')) {
			char q = s[i];
			for (i++; s[i] && s[i] != q; i++)
				;
			if (!s[i])
				break;
		} else if (sql && s[i] == '-' && s[i + 1] == '-') {
			i += strcspn(s + i, "\n");
			if (!s[i])
				break;
		} else if (sql && s[i] == '/' && s[i + 1] == '*') {
			const char *e = strstr(s + i + 2, "*/");
			if (!e)
				break;
			i = (size_t)(e - s) + 1;
		} else if (s[i] == '$' && isdigit((unsigned char)s[i + 1]) && (i == 0 || !(isalnum((unsigned char)s[i - 1]) || s[i - 1] == '_'))) {
			int n = atoi(s + i + 1);
			max = n > max ? n : max;
		} else if (sql && s[i] == '$') { /* $tag$ ... $tag$ */
			size_t t = i + 1;
			while (isalnum((unsigned char)s[t]) || s[t] == '_')
				t++;
			if (s[t] != '$' || (t > i + 1 && isdigit((unsigned char)s[i + 1])))
				continue;
			char *tag = xstrndup(s + i, t - i + 1);
			const char *e = strstr(s + t + 1, tag);
			i = e ? (size_t)(e - s) + strlen(tag) - 1 : strlen(s) - 1;
			free(tag);
		}
	}
	return max;
}

static void check_redis(struct runbook *rb, const struct probe *pr)
{
	static const char *const writes[] = {"DEL", "UNLINK", "SET", "SETEX", "PSETEX", "SETNX", "MSET", "GETDEL",
		"GETSET", "APPEND", "INCR", "INCRBY", "INCRBYFLOAT", "DECR", "DECRBY", "EXPIRE", "PEXPIRE",
		"EXPIREAT", "PERSIST", "RENAME", "RENAMENX", "HSET", "HMSET", "HSETNX", "HDEL", "HINCRBY", "LPUSH",
		"RPUSH", "LPOP", "RPOP", "LREM", "LTRIM", "SADD", "SREM", "SPOP", "ZADD", "ZREM", "ZINCRBY",
		"XADD", "XDEL", "PUBLISH", "COPY", "MOVE", "RESTORE", "CLIENT", "CONFIG", "SCRIPT", "FUNCTION",
		"SLOWLOG", "MEMORY", "SAVE", "BGSAVE", "BGREWRITEAOF"};
	static const char *const destroys[] = {"FLUSHDB", "FLUSHALL", "SHUTDOWN", "SWAPDB", "DEBUG",
					       "REPLICAOF", "SLAVEOF", "FAILOVER"};
	static const char *const reads[] = {"CONFIG GET", "CLIENT LIST", "CLIENT INFO", "SLOWLOG GET",
					    "SLOWLOG LEN", "MEMORY USAGE", "MEMORY STATS", "MEMORY DOCTOR",
					    "SCRIPT EXISTS", "FUNCTION LIST"};
	int cmds = 0, l = 0;
	for (const char *line = pr->code; *line; line += strcspn(line, "\n"), line += *line == '\n') {
		char **argv, *why;
		int argc = redis_split(line, &argv, &why);
		l++;
		if (argc < 0) {
			rb_problem(&rb->problems, pr->line + l, "redis command: %s", why);
			free(why);
			cmds++;
			continue;
		}
		if (argc > 0) {
			char cmd[64];
			int is_read = 0, w = 0, d = 0;
			cmds++;
			snprintf(cmd, sizeof(cmd), "%s %s", argv[0], argc > 1 ? argv[1] : "");
			for (size_t i = 0; i < ARRAY_LEN(reads); i++)
				is_read |= !strncasecmp(cmd, reads[i], strlen(reads[i]));
			for (size_t i = 0; i < ARRAY_LEN(writes) && !is_read; i++)
				w |= !strcasecmp(argv[0], writes[i]);
			for (size_t i = 0; i < ARRAY_LEN(destroys); i++)
				d |= !strcasecmp(argv[0], destroys[i]);
			if (d && !pr->destructive)
				rb_problem(&rb->problems, pr->line + l, "redis %s is destructive: mark the probe destructive", argv[0]);
			else if (w && !pr->writes && !pr->destructive)
				rb_problem(&rb->problems, pr->line + l, "redis %s writes: mark the probe writes (or destructive)",
					   argv[0]);
		}
		for (int i = 0; i < argc; i++)
			free(argv[i]);
		free(argv);
	}
	if (!cmds)
		rb_problem(&rb->problems, pr->line, "the redis probe has no command");
}

/* The PgBouncer admin console: SHOW reads; RELOAD, SET, ... change things. */
static void check_pgbouncer(struct runbook *rb, const struct probe *pr)
{
	static const char *const destroys[] = {"PAUSE", "KILL", "KILL_CLIENT", "SHUTDOWN", "SUSPEND", "DISABLE", "RECONNECT"};
	const char *s = pr->code + strspn(pr->code, " \t\r\n");
	size_t n = strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz_");
	int d = 0;
	if (pr->n_params)
		rb_problem(&rb->problems, pr->line, "target=pgbouncer takes no params= (its admin console has no bound parameters)");
	if (!n || (n == 4 && !strncasecmp(s, "SHOW", 4)))
		return;
	for (size_t i = 0; i < ARRAY_LEN(destroys); i++)
		d |= strlen(destroys[i]) == n && !strncasecmp(s, destroys[i], n);
	if (d && !pr->destructive)
		rb_problem(&rb->problems, pr->line, "PgBouncer %.*s is destructive: mark the probe destructive", (int)n, s);
	else if (!d && !pr->writes && !pr->destructive)
		rb_problem(&rb->problems, pr->line, "PgBouncer %.*s changes things: mark the probe writes (or destructive)",
			   (int)n, s);
}

static const struct rb_input *input_named(const struct runbook *rb, const char *name);

static void check_target(struct runbook *rb, const struct probe *pr, const struct lint_opts *o)
{
	const char *name;
	enum target_kind k = probe_target(pr->target, &name);
	struct rb_problems *p = &rb->problems;
	if (pr->kind == PROBE_REDIS || pr->kind == PROBE_HTTP) {
		if (pr->target)
			rb_problem(p, pr->line, "%s probes take no target= (%s)", probe_kind_name(pr->kind),
				   pr->kind == PROBE_REDIS ? "there is one Redis" : "the path is relative to the configured api");
		return;
	}
	if (k == TARGET_NONE && pr->kind == PROBE_SQL)
		rb_problem(p, pr->line, "sql probe needs target= (primary, replica.NAME, each-replica or pgbouncer)");
	else if (k == TARGET_BAD)
		rb_problem(p, pr->line, "unknown target '%s' (primary, replica.NAME, each-replica or pgbouncer)", pr->target);
	if (k == TARGET_REPLICA && o && o->have_config) {
		int found = 0;
		struct sbuf sb = {0};
		for (int i = 0; i < o->n_replicas; i++) {
			found |= !strcmp(o->replicas[i], name);
			sbuf_addf(&sb, "%s%s", i ? ", " : "", o->replicas[i]);
		}
		if (!found)
			rb_problem(p, pr->line, "unknown target '%s': the config's replicas are %s", pr->target,
				   sb.buf ? sb.buf : "none");
		sbuf_done(&sb);
	}
	if (k == TARGET_REPLICA_INPUT) {
		const struct rb_input *in = input_named(rb, name);
		if (!in)
			rb_problem(p, pr->line, "target=%s: no input '%s' is declared in ## Inputs", pr->target, name);
		else if (!in->type || strcmp(in->type, "replica"))
			rb_problem(p, pr->line, "target=%s: input '%s' must have the type replica", pr->target, name);
	}
	if (k == TARGET_PGBOUNCER && pr->kind == PROBE_SQL)
		check_pgbouncer(rb, pr);
	if (k == TARGET_EACH_REPLICA && pr->capture)
		rb_problem(p, pr->line, "capture= on target=each-replica: capture from one target (primary or replica.NAME)");
}

struct names {
	struct runbook *rb;
	const struct probe *pr;
	char **seen;
	int n_seen;
};

static void on_name(void *arg, enum expect_name kind, const char *name, int col)
{
	struct names *nm = arg;
	int found = 0;
	if (kind == EXPECT_INPUT) {
		if (!input_named(nm->rb, name))
			rb_problem(&nm->rb->problems, nm->pr->line, "input(\"%s\") (column %d): no input '%s' is declared in ## Inputs",
				   name, col, name);
		return;
	}
	if (kind == EXPECT_BASELINE)
		return; /* baselines come from earlier runs: only the journal knows them */
	for (int i = 0; i < nm->n_seen; i++)
		found |= !strcmp(nm->seen[i], name);
	if (!found)
		rb_problem(&nm->rb->problems, nm->pr->line, "captured(\"%s\") (column %d): no earlier probe has capture=%s",
			   name, col, name);
}

static void check_expect_kind(struct runbook *rb, const struct probe *pr, const struct expect *e, const char *attr)
{
	unsigned allowed = pr->kind == PROBE_HTTP ? EXPECT_NEEDS_HTTP
			 : pr->kind == PROBE_SHELL ? EXPECT_NEEDS_OUTPUT : EXPECT_NEEDS_ROWS;
	int col = 0;
	const char *what = expect_needs_outside(e, allowed, &col);
	if (!what)
		return;
	const char *who = expect_needs_outside(e, allowed | EXPECT_NEEDS_ROWS, NULL) != what ? "sql and redis probes"
			: expect_needs_outside(e, allowed | EXPECT_NEEDS_HTTP, NULL) != what ? "http probes" : "shell probes";
	rb_problem(&rb->problems, pr->line, "%s= uses %s (column %d), which only %s have", attr, what, col, who);
}

static void check_probe(struct runbook *rb, const struct step *st, const struct probe *pr,
			const struct lint_opts *o, struct names *nm)
{
	struct rb_problems *p = &rb->problems;
	if (pr->kind == PROBE_UNKNOWN)
		return;
	if (pr->confirm && !pr->destructive)
		rb_problem(p, pr->line, "confirm= is for destructive probes: add destructive or drop confirm=");
	if (pr->destructive && !rb->sections[SEC_ROLLBACK].line)
		rb_problem(p, pr->line, "step %d is destructive but the runbook has no '## Rollback' section", st->number);
	if (pr->kind == PROBE_TEXT)
		return;
	check_target(rb, pr, o);
	if (pr->wait_ms && (pr->destructive || pr->writes))
		rb_problem(p, pr->line, "wait= re-runs the probe until it passes: not for one that writes");
	if (pr->kind != PROBE_HTTP && !pr->code[strspn(pr->code, " \t\r\n")])
		rb_problem(p, pr->line, "the %s probe has no code", probe_kind_name(pr->kind));
	if (pr->kind == PROBE_HTTP) {
		if (!pr->path)
			rb_problem(p, pr->line, "http probe needs a path, e.g. ```http GET /health");
		else if (pr->path[0] != '/')
			rb_problem(p, pr->line, "http path '%s' must start with / (it is relative to the configured api)", pr->path);
		if (strcmp(pr->method, "GET") && strcmp(pr->method, "HEAD") && !pr->writes && !pr->destructive)
			rb_problem(p, pr->line, "http %s changes things: mark the probe writes (or destructive)", pr->method);
	}
	if (pr->kind == PROBE_REDIS)
		check_redis(rb, pr);
	if (pr->kind == PROBE_SHELL && pr->n_params)
		rb_problem(p, pr->line, "shell probes take no params=: every input reaches them as $OPSDECK_INPUT_<NAME>");
	for (int i = 0; i < pr->n_params; i++)
		if (rb_input_name_ok(pr->params[i]) && !input_named(rb, pr->params[i]))
			rb_problem(p, pr->line, "input '%s' in params= is not declared in ## Inputs", pr->params[i]);
	if (pr->kind != PROBE_SHELL) {
		int n = max_param(pr->code, pr->kind == PROBE_SQL);
		if (pr->kind == PROBE_HTTP && pr->path)
			n = max_param(pr->path, 0) > n ? max_param(pr->path, 0) : n;
		if (n > pr->n_params)
			rb_problem(p, pr->line, "the probe uses $%d but params= names %d input%s", n, pr->n_params,
				   pr->n_params == 1 ? "" : "s");
	} else {
		for (const char *s = strstr(pr->code, "OPSDECK_INPUT_"); s; s = strstr(s + 1, "OPSDECK_INPUT_")) {
			size_t n = strspn(s + 14, "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_");
			char *lower = xstrndup(s + 14, n);
			for (char *c = lower; *c; c++)
				*c = (char)tolower((unsigned char)*c);
			if (!input_named(rb, lower))
				rb_problem(p, pr->line, "$OPSDECK_INPUT_%.*s: no input '%s' is declared in ## Inputs", (int)n,
					   s + 14, lower);
			free(lower);
		}
	}
	nm->pr = pr;
	const struct expect *exprs[] = {pr->expect, pr->capture_expr, pr->baseline_expr};
	const char *attrs[] = {"expect", "capture", "baseline"};
	for (size_t i = 0; i < ARRAY_LEN(exprs); i++)
		if (exprs[i]) {
			check_expect_kind(rb, pr, exprs[i], attrs[i]);
			expect_names(exprs[i], on_name, nm);
		}
	if (pr->capture) {
		for (int i = 0; i < nm->n_seen; i++)
			if (!strcmp(nm->seen[i], pr->capture))
				rb_problem(p, pr->line, "capture=%s is used twice in this runbook", pr->capture);
		nm->seen = xrealloc(nm->seen, sizeof(*nm->seen) * (size_t)(nm->n_seen + 1));
		nm->seen[nm->n_seen++] = pr->capture;
	}
}

void runbook_lint(struct runbook *rb, const struct lint_opts *o)
{
	struct names nm = {rb, NULL, NULL, 0};
	check_header(rb, o);
	check_sections(rb);
	check_inputs(rb);
	for (int i = 0; i < rb->n_steps; i++)
		for (int j = 0; j < rb->steps[i].n_probes; j++)
			check_probe(rb, &rb->steps[i], &rb->steps[i].probes[j], o, &nm);
	free(nm.seen);
	/* stable insertion sort by line: parse problems first on the same line */
	struct rb_problem *v = rb->problems.v;
	for (int i = 1; i < rb->problems.n; i++) {
		struct rb_problem x = v[i];
		int j = i - 1;
		while (j >= 0 && v[j].line > x.line) {
			v[j + 1] = v[j];
			j--;
		}
		v[j + 1] = x;
	}
}
