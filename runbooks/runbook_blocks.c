/* What the blocks md4c reports mean in a runbook: the title, metadata items, sections,
 * step headings, probe code blocks and the rows of the Inputs table; and the mapping of
 * md4c's text pointers to line numbers. */
#include "runbooks/runbook_int.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "src/util.h"

const char *const rb_section_titles[SEC__COUNT] = {
	"Prerequisites", "Inputs", "Steps", "Success criteria", "Troubleshooting", "Rollback",
	"Baseline", "Validation", "Monitoring", "Issues found", "Sign-off"};
const char *const rb_meta_keys[META__COUNT] = {"When", "Duration", "Owner", "Group", "Related"};

const char *rb_section_title(enum rb_section s)
{
	return (unsigned)s < SEC__COUNT ? rb_section_titles[s] : "?";
}

const char *rb_meta_key(enum rb_meta m)
{
	return (unsigned)m < META__COUNT ? rb_meta_keys[m] : "?";
}

int walk_line_of(const struct walk *w, size_t off)
{
	int lo = 0, hi = w->n_lines - 1;
	while (lo < hi) {
		int mid = (lo + hi + 1) / 2;
		if (w->lines[mid] <= off)
			lo = mid;
		else
			hi = mid - 1;
	}
	return lo + 1;
}

const char *walk_line(const struct walk *w, int line, size_t *len)
{
	size_t b = w->lines[line - 1], e = line < w->n_lines ? w->lines[line] : w->len;
	while (e > b && (w->src[e - 1] == '\n' || w->src[e - 1] == '\r'))
		e--;
	*len = e - b;
	return w->src + b;
}

/* The first line at or after from that holds a fence of c (```, ~~~), or 0. */
int walk_scan_fence(const struct walk *w, int from, char c)
{
	for (int l = from < 1 ? 1 : from; l <= w->n_lines; l++) {
		size_t n, i = 0;
		const char *s = walk_line(w, l, &n);
		while (i < n && (s[i] == ' ' || s[i] == '>'))
			i++;
		if (i + 3 <= n && s[i] == c && s[i + 1] == c && s[i + 2] == c)
			return l;
	}
	return 0;
}

int walk_next_line(const struct walk *w)
{
	int line = w->cursor_set ? walk_line_of(w, w->cursor) + 1 : 1;
	return line > w->n_lines ? w->n_lines : line; /* a line that exists: callers index with it */
}

int walk_in_src(const struct walk *w, const char *p)
{
	return p >= w->src && p < w->src + w->len;
}

void rb_ref_add(struct rb_ref **v, int *n, const char *id, size_t len, int line)
{
	*v = xrealloc(*v, sizeof(**v) * (size_t)(*n + 1));
	(*v)[*n].id = xstrndup(id, len);
	(*v)[*n].line = line;
	(*n)++;
}

/* Every "RB-<digits>" in s; returns the length of the ID at s or 0. */
size_t rb_id_at(const char *s, size_t n)
{
	size_t i = 3;
	if (n < 4 || strncmp(s, "RB-", 3) || !isdigit((unsigned char)s[3]))
		return 0;
	while (i < n && isdigit((unsigned char)s[i]) && i < 10)
		i++;
	return i < n && isalnum((unsigned char)s[i]) ? 0 : i;
}

void walk_mentions(struct walk *w, const char *s, size_t n, int line)
{
	for (size_t i = 0; i + 4 <= n; i++) {
		size_t id = (i == 0 || !isalnum((unsigned char)s[i - 1])) ? rb_id_at(s + i, n - i) : 0;
		if (id) {
			rb_ref_add(&w->rb->mentions, &w->rb->n_mentions, s + i, id, line);
			i += id - 1;
		}
	}
}

char *rb_trim(const char *s)
{
	while (isspace((unsigned char)*s))
		s++;
	size_t n = strlen(s);
	while (n && isspace((unsigned char)s[n - 1]))
		n--;
	return xstrndup(s, n);
}

char **rb_list_add(char **v, int *n, char *s)
{
	v = xrealloc(v, sizeof(*v) * (size_t)(*n + 1));
	v[(*n)++] = s;
	return v;
}

/* ---- what a finished block means ------------------------------------------------------ */

static void on_title(struct walk *w, const char *text, int line)
{
	struct runbook *rb = w->rb;
	if (w->region != BEFORE_TITLE) {
		rb_problem(&rb->problems, line, "a second title line: a runbook has one '# RB-N: Title'; "
			   "sections are '## ...', steps '### N. ...'");
		return;
	}
	w->region = HEADER;
	rb->title_line = line;
	size_t id = rb_id_at(text, strlen(text));
	if (!id && !strncmp(text, "CL-", 3)) {
		id = 3 + strspn(text + 3, "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-");
		if (id == 3 || text[id - 1] == '-')
			id = 0;
		else
			rb->checklist = 1;
	}
	const char *t = text + id;
	if (id && *t == ':') {
		rb->id = xstrndup(text, id);
		rb->number = rb->checklist ? 0 : atoi(text + 3);
		rb->title = rb_trim(t + 1);
	} else {
		rb->checklist = 0;
		rb->title = xstrdup(text);
	}
	if (!rb->id || !rb->title[0])
		rb_problem(&rb->problems, line, "the title line must read '# RB-N: Title' (a checklist: "
			   "'# CL-NAME: Title')");
}

static void on_section(struct walk *w, const char *text, int line)
{
	struct runbook *rb = w->rb;
	if (w->region == BEFORE_TITLE)
		rb_problem(&rb->problems, line, "a section before the title line '# RB-N: Title'");
	w->region = SECTIONS;
	w->step = NULL;
	w->section = -1;
	free(w->phase);
	w->phase = xstrdup(text);
	for (int s = 0; s < SEC__COUNT; s++)
		if (!strcasecmp(text, rb_section_titles[s]))
			w->section = s;
	if (!strncasecmp(text, "Phase ", 6) && isdigit((unsigned char)text[6])) {
		w->section = SEC_VALIDATION; /* one of several phases: each may appear once */
		if (!rb->sections[SEC_VALIDATION].line)
			rb->sections[SEC_VALIDATION].line = line;
		return;
	}
	if (w->section < 0)
		return; /* free-form sections are allowed */
	struct rb_sect *sec = &rb->sections[w->section];
	if (sec->line) {
		rb_problem(&rb->problems, line, "section '## %s' appears twice (first at line %d)",
			   rb_section_titles[w->section], sec->line);
		w->section = -1;
		return;
	}
	sec->line = line;
}

static void on_step(struct walk *w, const char *text, int line)
{
	struct runbook *rb = w->rb;
	rb->steps = xrealloc(rb->steps, sizeof(*rb->steps) * (size_t)(rb->n_steps + 1));
	struct step *st = &rb->steps[rb->n_steps++];
	memset(st, 0, sizeof(*st));
	st->line = line;
	st->section = w->section;
	st->phase = xstrdup(w->phase ? w->phase : "Steps");
	w->step = st;
	const char *s = text;
	while (isdigit((unsigned char)*s))
		s++;
	if (s > text && s - text <= 4 && *s == '.' && isspace((unsigned char)s[1])) {
		st->number = atoi(text);
		st->title = rb_trim(s + 1);
	} else {
		st->title = xstrdup(text);
	}
	if (!st->number || !st->title[0])
		rb_problem(&rb->problems, line, "a step heading reads '### N. Title' (got '### %s')", text);
}

void on_heading(struct walk *w, int level)
{
	int line = w->first_line;
	if (!line) { /* an empty heading: find its line */
		for (line = walk_next_line(w); line <= w->n_lines; line++) {
			size_t n, i = 0;
			const char *s = walk_line(w, line, &n);
			while (i < n && s[i] == ' ')
				i++;
			if (i < n && s[i] == '#')
				break;
		}
		if (line > w->n_lines)
			line = w->n_lines;
		w->cursor = w->lines[line - 1];
		w->cursor_set = 1;
	}
	char *text = rb_trim(w->text.buf ? w->text.buf : "");
	if (level <= 3) {
		w->heads = xrealloc(w->heads, sizeof(*w->heads) * (size_t)(w->n_heads + 1));
		w->heads[w->n_heads].level = level;
		w->heads[w->n_heads++].line = line;
	}
	if (level == 1)
		on_title(w, text, line);
	else if (level == 2)
		on_section(w, text, line);
	else if (level == 3 && w->region == SECTIONS && rb_step_section(w->section))
		on_step(w, text, line);
	free(text);
}

void on_meta(struct walk *w, int line)
{
	struct runbook *rb = w->rb;
	char *key = rb_trim(w->key.buf ? w->key.buf : ""), *val = rb_trim(w->text.buf ? w->text.buf : "");
	int m;
	size_t kl = strlen(key);
	if (kl && key[kl - 1] == ':')
		key[--kl] = '\0';
	if (val[0] == ':') { /* **When**: ... */
		char *v = rb_trim(val + 1);
		free(val);
		val = v;
	}
	for (m = 0; m < META__COUNT; m++)
		if (!strcasecmp(key, rb_meta_keys[m]))
			break;
	if (w->key_state == 0 || !kl) {
		rb_problem(&rb->problems, line, "a metadata item reads '- **Key:** value' (When, Duration, Owner, "
			   "Group, Related)");
	} else if (m == META__COUNT) {
		rb_problem(&rb->problems, line, "unknown metadata '**%s:**' (When, Duration, Owner, Group, Related)", key);
	} else if (rb->meta[m]) {
		rb_problem(&rb->problems, line, "**%s:** is given twice (first at line %d)", rb_meta_keys[m], rb->meta_line[m]);
	} else {
		if (!val[0])
			rb_problem(&rb->problems, line, "**%s:** is empty", rb_meta_keys[m]);
		rb->meta[m] = val;
		rb->meta_line[m] = line;
		val = NULL;
		if (m == META_DURATION && rb->meta[m][0] &&
		    rb_parse_duration(rb->meta[m], &rb->duration_min_ms, &rb->duration_max_ms) < 0)
			rb_problem(&rb->problems, line, "**Duration:** '%s': write e.g. '5 min', '15-30 min', "
				   "'1-2 h' or 'variable'", rb->meta[m]);
		for (const char *s = rb->meta[m]; m == META_RELATED && *s;) {
			size_t n = strcspn(s, ",");
			char *id = xstrndup(s, n), *t = rb_trim(id);
			if (!t[0])
				; /* "RB-1, " */
			else if (rb_id_at(t, strlen(t)) == strlen(t))
				rb_ref_add(&rb->related, &rb->n_related, t, strlen(t), line);
			else if (strcasecmp(t, "none"))
				rb_problem(&rb->problems, line, "**Related:** '%s' is not a runbook ID such as RB-3", t);
			free(id);
			free(t);
			s += n + (s[n] == ',');
		}
	}
	free(key);
	free(val);
}

void on_code(struct walk *w)
{
	int open = 0;
	if (!w->fence) /* an indented code block: never a probe */
		return;
	if (w->code_first)
		open = w->code_first - 1;
	if (!open || !walk_scan_fence(w, open, w->fence) || walk_scan_fence(w, open, w->fence) != open)
		open = walk_scan_fence(w, walk_next_line(w), w->fence);
	int close = walk_scan_fence(w, (w->code_last > open ? w->code_last : open) + 1, w->fence);
	w->cursor = close ? w->lines[close - 1] : w->len ? w->len - 1 : 0;
	w->cursor_set = 1;
	if (w->region != SECTIONS || !rb_step_section(w->section))
		return;
	if (!w->step) {
		rb_problem(&w->rb->problems, open, "a code block before the first step heading '### 1. Title'");
		return;
	}
	/* The info string as written (md4c resolves backslash escapes that our quoting keeps). */
	char *info = NULL;
	if (open) {
		size_t n, i = 0;
		const char *s = walk_line(w, open, &n);
		while (i < n && s[i] != w->fence)
			i++;
		while (i < n && s[i] == w->fence)
			i++;
		info = xstrndup(s + i, n - i);
	}
	char *t = rb_trim(info ? info : w->md_info ? w->md_info : "");
	struct step *st = w->step;
	st->probes = xrealloc(st->probes, sizeof(*st->probes) * (size_t)(st->n_probes + 1));
	struct probe *pr = &st->probes[st->n_probes++];
	memset(pr, 0, sizeof(*pr));
	pr->line = open;
	probe_parse_info(pr, t, &w->rb->problems);
	pr->code = sbuf_steal(&w->code);
	if (!pr->code)
		pr->code = xstrdup("");
	st->automatic |= pr->kind != PROBE_TEXT && pr->kind != PROBE_UNKNOWN;
	if (pr->kind == PROBE_TEXT && pr->baseline && !st->typed_baseline)
		st->typed_baseline = pr;
	if (pr->every_ms > 0 && st->every_ms <= 0) {
		st->every_ms = pr->every_ms;
		st->for_ms = pr->for_ms;
	}
	st->destructive |= pr->destructive;
	st->writes |= pr->writes || pr->destructive;
	free(info);
	free(t);
}

static void on_issue_row(struct walk *w)
{
	struct runbook *rb = w->rb;
	if (w->in_head) {
		for (int i = 0; i < w->n_cells && w->n_icols < 8; i++)
			w->icols[w->n_icols++] = xstrdup(w->cells[i]);
		return;
	}
	rb->issues = xrealloc(rb->issues, sizeof(*rb->issues) * (size_t)(rb->n_issues + 1));
	struct rb_issue *is = &rb->issues[rb->n_issues++];
	memset(is, 0, sizeof(*is));
	is->line = w->first_line ? w->first_line : walk_next_line(w);
	for (int i = 0; i < w->n_icols && i < w->n_cells; i++) {
		char **f = !strcasecmp(w->icols[i], "symptom") ? &is->symptom
			 : !strcasecmp(w->icols[i], "runbook") ? &is->runbook
			 : !strcasecmp(w->icols[i], "what to do") ? &is->action : NULL;
		if (f && !*f)
			*f = xstrdup(w->cells[i]);
	}
}

/* A ## Sign-off item: the role is the bold text it starts with. */
void on_role(struct walk *w, int line, const char *plain)
{
	struct runbook *rb = w->rb;
	size_t n;
	const char *s = walk_line(w, line, &n);
	const char *b = memmem(s, n, "**", 2);
	const char *e = b ? memmem(b + 2, n - (size_t)(b + 2 - s), "**", 2) : NULL;
	rb->roles = xrealloc(rb->roles, sizeof(*rb->roles) * (size_t)(rb->n_roles + 1));
	struct rb_signoff_role *r = &rb->roles[rb->n_roles++];
	r->line = line;
	r->text = rb_trim(plain);
	if (b && e && e > b + 2) {
		char *raw = xstrndup(b + 2, (size_t)(e - b - 2));
		r->role = rb_trim(raw);
		free(raw);
		size_t rl = strlen(r->role);
		if (rl && r->role[rl - 1] == ':')
			r->role[rl - 1] = '\0';
	} else {
		r->role = NULL;
	}
}

void on_row(struct walk *w)
{
	struct runbook *rb = w->rb;
	if (w->section == SEC_ISSUES) {
		on_issue_row(w);
		return;
	}
	if (w->in_head) {
		for (int i = 0; i < w->n_cells && w->n_cols < 8; i++)
			w->cols[w->n_cols++] = xstrdup(w->cells[i]);
		return;
	}
	rb->inputs = xrealloc(rb->inputs, sizeof(*rb->inputs) * (size_t)(rb->n_inputs + 1));
	struct rb_input *in = &rb->inputs[rb->n_inputs++];
	memset(in, 0, sizeof(*in));
	in->line = w->first_line ? w->first_line : walk_next_line(w);
	for (int i = 0; i < w->n_cols && i < w->n_cells; i++) {
		char **f = !strcasecmp(w->cols[i], "name") ? &in->name
			 : !strcasecmp(w->cols[i], "description") ? &in->description
			 : !strcasecmp(w->cols[i], "type") ? &in->type
			 : !strcasecmp(w->cols[i], "example") ? &in->example : NULL;
		if (f && !*f)
			*f = xstrdup(w->cells[i]);
	}
}

