/* A run's inputs (which steps use which, their types) and masking what a probe returns. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "runbooks/engine_int.h"
#include "src/util.h"
#include "store/journal.h"

/* ---- inputs ---- */

int rb_input_index(const struct runbook *rb, const char *name)
{
	for (int i = 0; i < rb->n_inputs; i++)
		if (str_eq(rb->inputs[i].name, name))
			return i;
	return -1;
}

int rb_input_is_secret(const char *name)
{
	static const char *const words[] = {"key", "token", "password", "passwd", "secret"};
	for (size_t i = 0; i < ARRAY_LEN(words); i++)
		if (strcasestr(name, words[i]))
			return 1;
	return 0;
}

static void replica_names(const struct config *cfg, const char **names, int *n)
{
	*n = 0;
	for (int i = 0; cfg && i < cfg->n_replicas && i < 64; i++)
		names[(*n)++] = cfg->replicas[i].name;
}

int rb_run_set_input(struct rb_run *r, const char *name, const char *value, char **why)
{
	int i = rb_input_index(r->rb, name);
	if (i < 0) {
		struct sbuf sb = {0};
		for (int k = 0; k < r->rb->n_inputs; k++)
			sbuf_addf(&sb, "%s%s", k ? ", " : "", r->rb->inputs[k].name);
		*why = xasprintf("%s has no input '%s' (%s%s)", r->rb->id ? r->rb->id : "the runbook", name,
				 r->rb->n_inputs ? "its inputs: " : "it takes no inputs", sb.buf ? sb.buf : "");
		sbuf_done(&sb);
		return -1;
	}
	const char *names[64];
	int n;
	replica_names(r->env->cfg, names, &n);
	char *bad = NULL;
	if (rb_input_check(&r->rb->inputs[i], value, names, n, &bad) < 0) {
		*why = bad;
		return -1;
	}
	if (rb_input_is_secret(name))
		rb_add_secret(r, value);
	if (r->inputs[i] && !strcmp(r->inputs[i], value))
		return 0; /* the same again: nothing new to journal */
	if (r->inputs[i]) {
		explicit_bzero(r->inputs[i], strlen(r->inputs[i]));
		free(r->inputs[i]);
	}
	r->inputs[i] = xstrdup(value);
	r->input_recorded[i] = 0;
	/* once the run is in the journal, a change is journalled now: the steps that follow
	 * use the new value, and a resume must too */
	if (r->run_id && r->env->journal) {
		char *shown = rb_input_shown(r->rb->inputs[i].name, value), *err = NULL;
		int rc = journal_run_value(r->env->journal, r->run_id, "input", r->rb->inputs[i].name, shown, &err);
		free(shown);
		if (rc < 0) {
			*why = xasprintf("input %s is set, but NOT recorded in the journal: %s", name, err ? err : "?");
			free(err);
			return -1;
		}
		r->input_recorded[i] = 1;
	}
	return 0;
}

char *rb_input_shown(const char *name, const char *value)
{
	return rb_input_is_secret(name) ? xasprintf("%.4s***", value) : xstrdup(value);
}

const char *rb_run_input(const struct rb_run *r, const char *name)
{
	int i = rb_input_index(r->rb, name);
	return i < 0 ? NULL : r->inputs[i];
}

struct uses {
	const struct runbook *rb;
	unsigned char *used;
};

static void use_name(void *arg, enum expect_name kind, const char *name, int col)
{
	(void)col;
	struct uses *u = arg;
	int i = kind == EXPECT_INPUT ? rb_input_index(u->rb, name) : -1;
	if (i >= 0)
		u->used[i] = 1;
}

static void mark_used(const struct runbook *rb, const struct step *st, unsigned char *used)
{
	struct uses u = {rb, used};
	for (int k = 0; k < st->n_probes; k++) {
		const struct probe *pr = &st->probes[k];
		if (pr->kind == PROBE_TEXT || pr->kind == PROBE_UNKNOWN)
			continue;
		for (int p = 0; p < pr->n_params; p++) {
			int i = rb_input_index(rb, pr->params[p]);
			if (i >= 0)
				used[i] = 1;
		}
		const char *rep = NULL;
		if (probe_target(pr->target, &rep) == TARGET_REPLICA_INPUT) {
			int i = rb_input_index(rb, rep);
			if (i >= 0)
				used[i] = 1;
		}
		struct expect *ex[] = {pr->expect, pr->capture_expr, pr->baseline_expr};
		for (size_t e = 0; e < ARRAY_LEN(ex); e++)
			if (ex[e])
				expect_names(ex[e], use_name, &u);
		if (pr->kind == PROBE_SHELL && pr->code)
			for (int i = 0; i < rb->n_inputs; i++) {
				char *var = rb_input_env(rb->inputs[i].name);
				const char *hit = strstr(pr->code, var);
				size_t n = strlen(var);
				/* $OPSDECK_INPUT_A must not count as a use of an input called A_B's prefix */
				while (hit && (isalnum((unsigned char)hit[n]) || hit[n] == '_'))
					hit = strstr(hit + 1, var);
				if (hit)
					used[i] = 1;
				free(var);
			}
	}
}

static int missing(const struct rb_run *r, const unsigned char *used, int *idx, int max)
{
	int n = 0;
	for (int i = 0; i < r->rb->n_inputs; i++)
		if (used[i] && !r->inputs[i] && n < max)
			idx[n++] = i;
	return n;
}

int rb_step_missing_inputs(const struct rb_run *r, int i, int *idx, int max)
{
	unsigned char *used = xcalloc((size_t)r->rb->n_inputs + 1, 1);
	mark_used(r->rb, &r->rb->steps[i], used);
	int n = missing(r, used, idx, max);
	free(used);
	return n;
}

int rb_run_missing_inputs(const struct rb_run *r, int *idx, int max)
{
	unsigned char *used = xcalloc((size_t)r->rb->n_inputs + 1, 1);
	for (int s = 0; s < r->rb->n_steps; s++)
		mark_used(r->rb, &r->rb->steps[s], used);
	int n = missing(r, used, idx, max);
	free(used);
	return n;
}

/* ---- masking ---- */

static void replace_all(char **text, const char *secret)
{
	if (!secret || strlen(secret) < 3 || !strstr(*text, secret))
		return;
	struct sbuf sb = {0};
	const char *p = *text, *hit;
	size_t n = strlen(secret);
	while ((hit = strstr(p, secret))) {
		sbuf_addn(&sb, p, (size_t)(hit - p));
		sbuf_add(&sb, "****");
		p = hit + n;
	}
	sbuf_add(&sb, p);
	free(*text);
	*text = sbuf_steal(&sb);
}

char *rb_mask(const struct rb_run *r, const char *text)
{
	char *out = xstrdup(text ? text : "");
	const struct config *cfg = r->env->cfg;
	if (cfg) {
		const struct source_cfg *fixed[] = {&cfg->primary, &cfg->pgbouncer, &cfg->redis, &cfg->api};
		for (size_t i = 0; i < ARRAY_LEN(fixed); i++)
			if (fixed[i]->dsn && has_secret(fixed[i]->dsn)) {
				char *m = mask_secrets_in(out, fixed[i]->dsn);
				free(out);
				out = m;
			}
		for (int i = 0; i < cfg->n_replicas; i++)
			if (cfg->replicas[i].dsn && has_secret(cfg->replicas[i].dsn)) {
				char *m = mask_secrets_in(out, cfg->replicas[i].dsn);
				free(out);
				out = m;
			}
	}
	for (int i = 0; i < r->n_secrets; i++)
		replace_all(&out, r->secrets[i]);
	return out;
}
