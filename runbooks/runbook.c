/* Reading a runbook: md4c finds the headings, lists, tables and code blocks; this file
 * interprets them (runbooks/README.md). md4c gives no line numbers, so lines come from
 * the text pointers it passes, which point into our buffer, mapped to lines. */
#include "runbooks/runbook_int.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <md4c.h>

#include "src/util.h"

#define MAX_FILE (1024 * 1024)

/* ---- md4c callbacks --------------------------------------------------------------------- */

static void start_text(struct walk *w)
{
	sbuf_reset(&w->text);
	w->first_line = 0;
}

static int enter_block(MD_BLOCKTYPE type, void *detail, void *arg)
{
	struct walk *w = arg;
	switch (type) {
	case MD_BLOCK_H:
		w->heading = (int)((MD_BLOCK_H_DETAIL *)detail)->level;
		start_text(w);
		break;
	case MD_BLOCK_CODE: {
		MD_BLOCK_CODE_DETAIL *d = detail;
		w->in_code = 1;
		w->fence = d->fence_char;
		w->code_first = w->code_last = 0;
		free(w->md_info);
		w->md_info = d->info.text ? xstrndup(d->info.text, d->info.size) : NULL;
		if (d->info.text && walk_in_src(w, d->info.text)) /* exact when md4c points into the source */
			w->code_first = walk_line_of(w, (size_t)(d->info.text - w->src)) + 1;
		sbuf_reset(&w->code);
		break;
	}
	case MD_BLOCK_LI:
		if (w->li_depth++ == 0) {
			start_text(w);
			sbuf_reset(&w->key);
			w->key_state = 0;
		} else if (w->text.len) {
			sbuf_addc(&w->text, ' ');
		}
		break;
	case MD_BLOCK_P:
		w->para++;
		if (w->li_depth == 0)
			start_text(w);
		else if (w->text.len)
			sbuf_addc(&w->text, ' ');
		break;
	case MD_BLOCK_TABLE:
		w->in_table = w->region == SECTIONS && ((w->section == SEC_INPUTS && !w->n_cols) || /* the first table */
							 (w->section == SEC_ISSUES && !w->n_icols));
		break;
	case MD_BLOCK_THEAD:
		w->in_head = 1;
		break;
	case MD_BLOCK_TR:
		w->n_cells = 0;
		w->first_line = 0;
		break;
	case MD_BLOCK_TH:
	case MD_BLOCK_TD:
		sbuf_reset(&w->text);
		break;
	default:
		break;
	}
	return 0;
}

static int leave_block(MD_BLOCKTYPE type, void *detail, void *arg)
{
	struct walk *w = arg;
	struct runbook *rb = w->rb;
	(void)detail;
	switch (type) {
	case MD_BLOCK_H:
		on_heading(w, w->heading);
		w->heading = 0;
		break;
	case MD_BLOCK_CODE:
		on_code(w);
		w->in_code = 0;
		break;
	case MD_BLOCK_LI:
		if (--w->li_depth == 0) {
			int line = w->first_line ? w->first_line : walk_next_line(w);
			if (w->region == HEADER)
				on_meta(w, line);
			else if (w->region == SECTIONS && w->section == SEC_PREREQUISITES)
				rb->prerequisites = rb_list_add(rb->prerequisites, &rb->n_prerequisites, rb_trim(w->text.buf ? w->text.buf : ""));
			else if (w->region == SECTIONS && w->section == SEC_SUCCESS)
				rb->success = rb_list_add(rb->success, &rb->n_success, rb_trim(w->text.buf ? w->text.buf : ""));
			else if (w->region == SECTIONS && w->section == SEC_SIGNOFF)
				on_role(w, line, w->text.buf ? w->text.buf : "");
		}
		break;
	case MD_BLOCK_P:
		w->para--;
		if (w->li_depth == 0 && w->region == HEADER && w->text.len) {
			struct sbuf sb = {0};
			char *t = rb_trim(w->text.buf);
			sbuf_addf(&sb, "%s%s%s", rb->summary ? rb->summary : "", rb->summary ? "\n\n" : "", t);
			free(rb->summary);
			free(t);
			rb->summary = sbuf_steal(&sb);
		}
		break;
	case MD_BLOCK_TH:
	case MD_BLOCK_TD:
		if (w->in_table && w->n_cells < 8) {
			w->cells = xrealloc(w->cells, sizeof(*w->cells) * (size_t)(w->n_cells + 1));
			w->cells[w->n_cells++] = rb_trim(w->text.buf ? w->text.buf : "");
		}
		break;
	case MD_BLOCK_TR:
		if (w->in_table)
			on_row(w);
		for (int i = 0; i < w->n_cells; i++)
			free(w->cells[i]);
		w->n_cells = 0;
		break;
	case MD_BLOCK_THEAD:
		w->in_head = 0;
		if (w->in_table && w->n_cols && w->section == SEC_INPUTS)
			w->table_line = w->first_line;
		break;
	case MD_BLOCK_TABLE:
		w->in_table = 0;
		break;
	default:
		break;
	}
	return 0;
}

static int span(MD_SPANTYPE type, void *detail, void *arg, int enter)
{
	struct walk *w = arg;
	(void)detail;
	if (type == MD_SPAN_STRONG && w->region == HEADER && w->li_depth == 1) {
		if (enter && w->key_state == 0 && w->text.len == 0)
			w->key_state = 1;
		else if (!enter && w->key_state == 1)
			w->key_state = 2;
	}
	if (type == MD_SPAN_CODE && !w->in_table && !w->heading && w->key_state != 1)
		sbuf_addc(&w->text, '`');
	return 0;
}

static int enter_span(MD_SPANTYPE type, void *detail, void *arg)
{
	return span(type, detail, arg, 1);
}

static int leave_span(MD_SPANTYPE type, void *detail, void *arg)
{
	return span(type, detail, arg, 0);
}

static int text(MD_TEXTTYPE type, const MD_CHAR *s, MD_SIZE n, void *arg)
{
	struct walk *w = arg;
	int line = 0;
	if (walk_in_src(w, s)) {
		size_t off = (size_t)(s - w->src);
		line = walk_line_of(w, off);
		if (!w->cursor_set || off > w->cursor)
			w->cursor = off, w->cursor_set = 1;
		if (!w->first_line)
			w->first_line = line;
	}
	if (w->in_code) {
		if (line) {
			if (!w->code_first)
				w->code_first = line;
			w->code_last = line;
		}
		sbuf_addn(&w->code, s, n);
		return 0;
	}
	if (type == MD_TEXT_NORMAL || type == MD_TEXT_CODE)
		walk_mentions(w, s, n, line ? line : w->first_line);
	struct sbuf *sb = w->key_state == 1 ? &w->key : &w->text;
	switch (type) {
	case MD_TEXT_NULLCHAR:
		sbuf_add(sb, "\xef\xbf\xbd");
		break;
	case MD_TEXT_BR:
	case MD_TEXT_SOFTBR:
		sbuf_addc(sb, ' ');
		break;
	case MD_TEXT_HTML:
		break;
	default:
		sbuf_addn(sb, s, n);
	}
	return 0;
}

/* ---- entry points ----------------------------------------------------------------------- */

/* Only blanks and tabs (the text is not NUL terminated: never read past n). */
static int line_blank(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (s[i] != ' ' && s[i] != '\t')
			return 0;
	return 1;
}

static char *lines_text(const struct walk *w, int from, int to)
{
	while (from <= to) { /* drop blank lines around */
		size_t n;
		const char *s = walk_line(w, from, &n);
		if (!line_blank(s, n))
			break;
		from++;
	}
	while (to >= from) {
		size_t n;
		const char *s = walk_line(w, to, &n);
		if (!line_blank(s, n))
			break;
		to--;
	}
	if (from > to)
		return xstrdup("");
	size_t b = w->lines[from - 1], e = to < w->n_lines ? w->lines[to] : w->len;
	return xstrndup(w->src + b, e - b);
}

/* The line before the next heading of level <= level after line, or the last line. */
static int end_of(const struct walk *w, int line, int level)
{
	for (int i = 0; i < w->n_heads; i++)
		if (w->heads[i].line > line && w->heads[i].level <= level)
			return w->heads[i].line - 1;
	return w->n_lines;
}

void runbook_parse(struct runbook *rb, const char *path, const char *src, size_t len)
{
	struct walk w = {0};
	MD_PARSER parser = {0, MD_FLAG_TABLES | MD_FLAG_TASKLISTS | MD_FLAG_STRIKETHROUGH | MD_FLAG_PERMISSIVEAUTOLINKS,
			    enter_block, leave_block, enter_span, leave_span, text, NULL, NULL};
	memset(rb, 0, sizeof(*rb));
	rb->path = xstrdup(path ? path : "-");
	w.rb = rb;
	w.src = src;
	w.len = len;
	w.section = -1;
	w.lines = xmalloc(sizeof(*w.lines));
	w.lines[w.n_lines++] = 0;
	for (size_t i = 0; i < len; i++)
		if (src[i] == '\n' && i + 1 < len) {
			w.lines = xrealloc(w.lines, sizeof(*w.lines) * (size_t)(w.n_lines + 1));
			w.lines[w.n_lines++] = i + 1;
		}
	rb->n_lines = w.n_lines;
	if (len > (size_t)MAX_FILE)
		rb_problem(&rb->problems, 1, "the file is larger than %d bytes", MAX_FILE);
	else if (md_parse(src, (MD_SIZE)len, &parser, &w) != 0)
		rb_problem(&rb->problems, 1, "the Markdown could not be parsed");
	if (!rb->title_line)
		rb_problem(&rb->problems, 1, "no title line: a runbook starts with '# RB-N: Title'");
	for (int i = 0; i < rb->n_steps; i++)
		rb->steps[i].body = lines_text(&w, rb->steps[i].line + 1, end_of(&w, rb->steps[i].line, 3));
	for (int s = 0; s < SEC__COUNT; s++)
		if (rb->sections[s].line)
			rb->sections[s].body = lines_text(&w, rb->sections[s].line + 1, end_of(&w, rb->sections[s].line, 2));
	if (rb->sections[SEC_INPUTS].line && !w.n_cols)
		rb_problem(&rb->problems, rb->sections[SEC_INPUTS].line,
			   "## Inputs needs a table with the columns name, description, type and example");
	else if (w.n_cols) {
		const char *need[] = {"name", "description", "type", "example"};
		for (size_t i = 0; i < ARRAY_LEN(need); i++) {
			int found = 0;
			for (int c = 0; c < w.n_cols; c++)
				found |= !strcasecmp(w.cols[c], need[i]);
			if (!found)
				rb_problem(&rb->problems, w.table_line ? w.table_line : rb->sections[SEC_INPUTS].line,
					   "the ## Inputs table has no '%s' column (name, description, type, example)", need[i]);
		}
	}
	for (int i = 0; i < w.n_cols; i++)
		free(w.cols[i]);
	for (int i = 0; i < w.n_icols; i++)
		free(w.icols[i]);
	free(w.phase);
	for (int i = 0; i < w.n_cells; i++)
		free(w.cells[i]);
	free(w.cells);
	free(w.heads);
	free(w.lines);
	free(w.md_info);
	sbuf_done(&w.text);
	sbuf_done(&w.key);
	sbuf_done(&w.code);
}

int runbook_load(struct runbook *rb, const char *path, char **err)
{
	FILE *f = fopen(path, "rb");
	struct sbuf sb = {0};
	char buf[8192];
	size_t n;
	memset(rb, 0, sizeof(*rb));
	if (!f) {
		*err = xasprintf("cannot read %s: %s", path, strerror(errno));
		return -1;
	}
	while ((n = fread(buf, 1, sizeof(buf), f)) > 0 && sb.len <= MAX_FILE)
		sbuf_addn(&sb, buf, n);
	int bad = ferror(f);
	fclose(f);
	if (bad) {
		*err = xasprintf("cannot read %s", path);
		sbuf_done(&sb);
		return -1;
	}
	runbook_parse(rb, path, sb.buf ? sb.buf : "", sb.len);
	sbuf_done(&sb);
	return 0;
}

void runbook_done(struct runbook *rb)
{
	free(rb->path);
	free(rb->id);
	free(rb->title);
	free(rb->summary);
	for (int m = 0; m < META__COUNT; m++)
		free(rb->meta[m]);
	for (int i = 0; i < rb->n_related; i++)
		free(rb->related[i].id);
	free(rb->related);
	for (int i = 0; i < rb->n_mentions; i++)
		free(rb->mentions[i].id);
	free(rb->mentions);
	for (int i = 0; i < rb->n_inputs; i++) {
		free(rb->inputs[i].name);
		free(rb->inputs[i].description);
		free(rb->inputs[i].type);
		free(rb->inputs[i].example);
	}
	free(rb->inputs);
	for (int i = 0; i < rb->n_prerequisites; i++)
		free(rb->prerequisites[i]);
	free(rb->prerequisites);
	for (int i = 0; i < rb->n_success; i++)
		free(rb->success[i]);
	free(rb->success);
	for (int i = 0; i < rb->n_steps; i++) {
		for (int j = 0; j < rb->steps[i].n_probes; j++)
			probe_done(&rb->steps[i].probes[j]);
		free(rb->steps[i].probes);
		free(rb->steps[i].title);
		free(rb->steps[i].body);
		free(rb->steps[i].phase);
	}
	free(rb->steps);
	for (int i = 0; i < rb->n_issues; i++) {
		free(rb->issues[i].symptom);
		free(rb->issues[i].runbook);
		free(rb->issues[i].action);
	}
	free(rb->issues);
	for (int i = 0; i < rb->n_roles; i++) {
		free(rb->roles[i].role);
		free(rb->roles[i].text);
	}
	free(rb->roles);
	for (int s = 0; s < SEC__COUNT; s++)
		free(rb->sections[s].body);
	rb_problems_done(&rb->problems);
	memset(rb, 0, sizeof(*rb));
}
