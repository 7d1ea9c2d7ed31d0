/* Inputs: values an operator supplies to a runbook, each with a type the console checks
 * before anything runs. They reach SQL as bound parameters, Redis and HTTP as whole
 * arguments and shell steps as environment variables, so a value is never re-parsed as
 * code; the checks here only keep mistakes (and control characters) out. */
#include "runbooks/runbook.h"

#include <ctype.h>
#include <errno.h>
#include <regex.h>
#include <stdlib.h>
#include <string.h>

#include "src/util.h"

#define MAX_VALUE 1000

int rb_input_name_ok(const char *s)
{
	if (!s || !(isalpha((unsigned char)*s) || *s == '_'))
		return 0;
	size_t n = 0;
	for (; s[n]; n++)
		if (!isalnum((unsigned char)s[n]) && s[n] != '_')
			return 0;
	return n <= 63;
}

int rb_replica_name_ok(const char *s)
{
	size_t n = 0;
	for (; s[n]; n++)
		if (!isalnum((unsigned char)s[n]) && s[n] != '_' && s[n] != '-')
			return 0;
	return n > 0 && n <= 63;
}

char *rb_input_env(const char *name)
{
	char *s = xasprintf("OPSDECK_INPUT_%s", name);
	for (char *c = s; *c; c++)
		*c = (char)toupper((unsigned char)*c);
	return s;
}

/* "integer 1..1000" -> base "integer", range; "/re/" -> base "regex". */
struct type {
	char base[16];
	int has_range;
	double lo, hi;
	const char *re; /* inside the slashes, in the type string */
	size_t re_len;
};

static int parse_num(const char *s, const char *end, int integer, double *v)
{
	char buf[64];
	char *stop;
	size_t n = (size_t)(end - s);
	if (n == 0 || n >= sizeof(buf))
		return -1;
	memcpy(buf, s, n);
	buf[n] = '\0';
	errno = 0;
	if (integer) {
		long long x = strtoll(buf, &stop, 10);
		*v = (double)x;
	} else {
		/* digits, one '.', a sign: independent of LC_NUMERIC */
		double x = 0, scale = 1;
		int neg = 0, dot = 0, digits = 0;
		stop = buf;
		if (*stop == '-' || *stop == '+')
			neg = *stop++ == '-';
		for (; *stop; stop++) {
			if (isdigit((unsigned char)*stop)) {
				x = x * 10 + (*stop - '0');
				scale *= dot ? 10 : 1;
				digits++;
			} else if (*stop == '.' && !dot) {
				dot = 1;
			} else {
				break;
			}
		}
		if (!digits)
			return -1;
		*v = (neg ? -x : x) / scale;
	}
	return *stop || errno || stop == buf ? -1 : 0;
}

static int parse_type(const char *type, struct type *t, char **why)
{
	memset(t, 0, sizeof(*t));
	while (isspace((unsigned char)*type))
		type++;
	size_t len = strlen(type);
	while (len && isspace((unsigned char)type[len - 1]))
		len--;
	if (len >= 2 && type[0] == '/' && type[len - 1] == '/') {
		strcpy(t->base, "regex");
		t->re = type + 1;
		t->re_len = len - 2;
		return 0;
	}
	size_t w = 0;
	while (w < len && isalpha((unsigned char)type[w]))
		w++;
	if (w == 0 || w >= sizeof(t->base))
		goto bad;
	memcpy(t->base, type, w);
	t->base[w] = '\0';
	if (strcmp(t->base, "text") && strcmp(t->base, "name") && strcmp(t->base, "integer") &&
	    strcmp(t->base, "number") && strcmp(t->base, "duration") && strcmp(t->base, "replica"))
		goto bad;
	const char *r = type + w, *end = type + len;
	while (r < end && isspace((unsigned char)*r))
		r++;
	if (r == end)
		return 0;
	const char *dots = strstr(r, "..");
	int integer = !strcmp(t->base, "integer");
	if ((!integer && strcmp(t->base, "number")) || !dots || dots >= end ||
	    parse_num(r, dots, integer, &t->lo) < 0 || parse_num(dots + 2, end, integer, &t->hi) < 0 || t->lo > t->hi) {
		*why = xasprintf("bad range in type '%.*s': write e.g. 'integer 1..1000'", (int)len, type);
		return -1;
	}
	t->has_range = 1;
	return 0;
bad:
	*why = xasprintf("unknown type '%.*s' (text, name, integer [A..B], number [A..B], duration, "
			 "replica, or /regular expression/)", (int)(len > 40 ? 40 : len), type);
	return -1;
}

static int compile_re(const struct type *t, regex_t *re, char **why)
{
	char *pat = xasprintf("^(%.*s)$", (int)t->re_len, t->re);
	if (regex_size(pat) > REGEX_MAX_SIZE) {
		free(pat);
		*why = xasprintf("regular expression /%.*s/ too large: write fewer nested or stacked repetitions",
				 (int)t->re_len, t->re);
		return -1;
	}
	int rc = regcomp(re, pat, REG_EXTENDED | REG_NOSUB);
	free(pat);
	if (rc) {
		char buf[128];
		regerror(rc, re, buf, sizeof(buf));
		*why = xasprintf("bad regular expression /%.*s/: %s", (int)t->re_len, t->re, buf);
		return -1;
	}
	return 0;
}

int rb_input_type_ok(const char *type, char **why)
{
	struct type t;
	regex_t re;
	*why = NULL;
	if (!type) {
		*why = xstrdup("no type");
		return -1;
	}
	if (parse_type(type, &t, why) < 0)
		return -1;
	if (!strcmp(t.base, "regex")) {
		if (compile_re(&t, &re, why) < 0)
			return -1;
		regfree(&re);
	}
	return 0;
}

int rb_input_check(const struct rb_input *in, const char *value, const char *const *replicas,
		   int n_replicas, char **why)
{
	struct type t;
	double v;
	*why = NULL;
	if (!value || !*value)
		return *why = xasprintf("%s: a value is needed", in->name), -1;
	if (strlen(value) > MAX_VALUE)
		return *why = xasprintf("%s: longer than %d characters", in->name, MAX_VALUE), -1;
	for (const char *c = value; *c; c++)
		if ((unsigned char)*c < 0x20 || *c == 0x7f)
			return *why = xasprintf("%s: control characters (such as a newline) are not allowed", in->name), -1;
	if (parse_type(in->type ? in->type : "", &t, why) < 0)
		return -1;
	if (!strcmp(t.base, "name") && !(rb_input_name_ok(value) || rb_replica_name_ok(value)))
		return *why = xasprintf("%s: '%s' is not a name (letters, digits, _ and -)", in->name, value), -1;
	if (!strcmp(t.base, "replica")) {
		int found = replicas == NULL && rb_replica_name_ok(value);
		for (int i = 0; i < n_replicas && replicas; i++)
			found |= !strcmp(replicas[i], value);
		if (!found)
			return *why = xasprintf("%s: '%s' is not a configured replica", in->name, value), -1;
	}
	if (!strcmp(t.base, "integer") || !strcmp(t.base, "number")) {
		int integer = !strcmp(t.base, "integer");
		if (parse_num(value, value + strlen(value), integer, &v) < 0)
			return *why = xasprintf("%s: '%s' is not %s", in->name, value, integer ? "an integer" : "a number"), -1;
		if (t.has_range && (v < t.lo || v > t.hi))
			return *why = xasprintf("%s: %s is outside %s", in->name, value, in->type), -1;
	}
	if (!strcmp(t.base, "duration") && (parse_duration_ms(value, &v) < 0))
		return *why = xasprintf("%s: '%s' is not a duration such as 30s or 5min", in->name, value), -1;
	if (!strcmp(t.base, "regex")) {
		regex_t re;
		if (compile_re(&t, &re, why) < 0)
			return -1;
		int rc = regexec(&re, value, 0, NULL, 0);
		regfree(&re);
		if (rc)
			return *why = xasprintf("%s: '%s' does not match /%.*s/", in->name, value, (int)t.re_len, t.re), -1;
	}
	return 0;
}
