/* The runbook library (":rb"): every runbook of rb_library_dir(), RB-1 ... RB-23 in numeric
 * order, with its group, duration, steps and title, and the unfinished run of it that waits
 * in the journal, if any. Enter opens the selected one in the walker; '/' filters. */
#include <curses.h>
#include <dirent.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tui/paint.h"
#include "tui/walker.h"

struct rb_entry {
	char *path, *id, *title, *group, *duration;
	int number, n_steps, n_manual, destructive, problems;
	int64_t open_run; /* an unfinished run in this environment, 0 none */
};

struct rblist {
	struct rb_entry *v;
	int n;
	char *error; /* why there is no list */
};

static char *dup_or(const char *s, const char *def) { return xstrdup(s ? s : def); }

static void add_entry(struct rblist *l, const char *dir, const char *name)
{
	struct runbook rb;
	char *err = NULL;
	struct rb_entry *e;
	l->v = xrealloc(l->v, sizeof(*l->v) * (size_t)(l->n + 1));
	e = &l->v[l->n++];
	memset(e, 0, sizeof(*e));
	e->path = xasprintf("%s/%s", dir, name);
	e->id = xstrndup(name, strlen(name) - 3);
	e->number = !strncmp(name, "RB-", 3) ? atoi(name + 3) : 0;
	memset(&rb, 0, sizeof(rb));
	if (runbook_load(&rb, e->path, &err) < 0) {
		e->title = err ? err : xstrdup("cannot be read");
		e->group = xstrdup("-");
		e->duration = xstrdup("-");
		e->problems = 1;
		return;
	}
	e->title = dup_or(rb.title, "(no title)");
	e->group = dup_or(rb.meta[META_GROUP], "-");
	e->duration = dup_or(rb.meta[META_DURATION], "-");
	e->n_steps = rb.n_steps;
	for (int i = 0; i < rb.n_steps; i++) {
		e->n_manual += !rb.steps[i].automatic;
		e->destructive |= rb.steps[i].destructive;
	}
	e->problems = rb.problems.n;
	runbook_done(&rb);
}

/* RB-2 before RB-10; other names after, alphabetically. */
static int by_number(const void *a, const void *b)
{
	const struct rb_entry *x = a, *y = b;
	if (x->number && y->number && x->number != y->number)
		return x->number < y->number ? -1 : 1;
	if (!x->number != !y->number)
		return x->number ? -1 : 1;
	return strcmp(x->id, y->id);
}

static struct rblist *load(void)
{
	struct rblist *l = xcalloc(1, sizeof(*l));
	char *dir = rb_library_dir();
	DIR *d = dir ? opendir(dir) : NULL;
	struct dirent *e;
	if (!d) {
		l->error = dir ? xasprintf("cannot read the runbook library %s", dir)
			       : xstrdup("no runbook library found (runbooks/library of the source tree, or the installed one)");
		free(dir);
		return l;
	}
	while ((e = readdir(d))) {
		size_t len = strlen(e->d_name);
		if (len > 3 && !strcmp(e->d_name + len - 3, ".md") && e->d_name[0] != '.' && strcmp(e->d_name, "README.md"))
			add_entry(l, dir, e->d_name);
	}
	closedir(d);
	free(dir);
	qsort(l->v, (size_t)l->n, sizeof(*l->v), by_number);
	return l;
}

void rblist_free(struct tui *t)
{
	struct rblist *l = t->rblist;
	if (!l)
		return;
	for (int i = 0; i < l->n; i++) {
		free(l->v[i].path);
		free(l->v[i].id);
		free(l->v[i].title);
		free(l->v[i].group);
		free(l->v[i].duration);
	}
	free(l->v);
	free(l->error);
	free(l);
	t->rblist = NULL;
}

/* Loads the library once; the unfinished runs are looked up every time it is shown. */
void rblist_open(struct tui *t)
{
	if (!t->rblist)
		t->rblist = load();
	struct rblist *l = t->rblist;
	for (int i = 0; i < l->n; i++) {
		char *err = NULL;
		int64_t id = t->journal ? rb_run_find_open(t->journal, l->v[i].id, t->cfg->env, &err) : 0;
		l->v[i].open_run = id > 0 ? id : 0;
		free(err);
	}
	t->view = VIEW_RBLIST;
}

static int matches(const struct rb_entry *e, const char *f)
{
	return !*f || strcasestr(e->id, f) || strcasestr(e->title, f) || strcasestr(e->group, f);
}

/* The entries the filter lets through, in order. */
static int visible(struct tui *t, int *idx, int max)
{
	int n = 0;
	for (int i = 0; t->rblist && i < t->rblist->n && n < max; i++)
		if (matches(&t->rblist->v[i], t->rb_filter))
			idx[n++] = i;
	if (t->rb_sel >= n)
		t->rb_sel = n - 1;
	if (t->rb_sel < 0)
		t->rb_sel = 0;
	return n;
}

void rblist_draw(struct tui *t, int top, int bottom)
{
	struct rblist *l = t->rblist;
	int idx[1024], y = top + 2;
	char line[512];
	clear_lines(top, bottom);
	if (t->rb_filter[0]) {
		snprintf(line, sizeof(line), "Runbooks containing \"%s\" (Enter: walk it; / then Enter on an empty line: all)",
			 t->rb_filter);
		put(top, 1, COLS - 2, ROLE_TITLE, line);
	} else {
		put(top, 1, COLS - 2, ROLE_TITLE, "Runbooks (Enter: walk the selected one; /: filter; q or Esc: back)");
	}
	if (!l || l->error) {
		put(top + 2, 1, COLS - 2, ROLE_CRIT, l && l->error ? l->error : "the library is not loaded");
		return;
	}
	int gw = COLS >= 120 ? 22 : 19, dw = COLS >= 120 ? 12 : 9;
	snprintf(line, sizeof(line), " %-6s %-*s %-*s %-5s %s", "ID", gw, "GROUP", dw, "DURATION", "STEPS", "TITLE");
	put(top + 1, 0, COLS, ROLE_TITLE, line);
	int n = visible(t, idx, 1024), rows = bottom - y + 1;
	if (!n) {
		snprintf(line, sizeof(line), "No runbook contains \"%s\" (/ then Enter on an empty line clears the filter).",
			 t->rb_filter);
		put(y, 1, COLS - 2, ROLE_MUTED, l->n ? line : "The library is empty.");
		return;
	}
	int first = t->rb_sel >= rows ? t->rb_sel - rows + 1 : 0;
	for (int k = first; k < n && y <= bottom; k++, y++) {
		const struct rb_entry *e = &l->v[idx[k]];
		char steps[16];
		snprintf(steps, sizeof(steps), "%d%s", e->n_steps, e->destructive ? " D" : e->n_manual ? " M" : "");
		snprintf(line, sizeof(line), " %-6s %-*.*s %-*.*s %-5s ", e->id, gw, gw, e->group, dw, dw, e->duration, steps);
		enum role r = k == t->rb_sel ? ROLE_SELECTED : e->problems ? ROLE_MUTED : ROLE_NORMAL;
		attrset(theme_attr(r));
		mvhline(y, 0, ' ', COLS);
		attrset(A_NORMAL);
		int x = put_run(y, 0, r, line, (int)strlen(line));
		if (e->open_run || e->problems) { /* before the title, where it cannot be cut off */
			char note[64];
			if (e->open_run)
				snprintf(note, sizeof(note), "run %" PRId64 " unfinished:", e->open_run);
			else
				snprintf(note, sizeof(note), "%d problems:", e->problems);
			x = put_run(y, x, k == t->rb_sel ? r : e->open_run ? ROLE_WARN : ROLE_MUTED, note, (int)strlen(note)) + 1;
		}
		put(y, x, COLS - x, r, e->title);
	}
}

void rblist_k_move(struct tui *t, int key)
{
	if (key == KEY_UP || key == 'k')
		t->rb_sel--;
	else if (key == KEY_DOWN || key == 'j')
		t->rb_sel++;
	else if (key == KEY_PPAGE)
		t->rb_sel -= 10;
	else if (key == KEY_NPAGE)
		t->rb_sel += 10;
	else if (key == KEY_HOME || key == 'g')
		t->rb_sel = 0;
	else if (key == KEY_END || key == 'G')
		t->rb_sel = 1 << 20;
	if (t->rb_sel < 0)
		t->rb_sel = 0; /* the end is clamped by visible() */
}

void rblist_k_open(struct tui *t, int key)
{
	int idx[1024];
	(void)key;
	int n = visible(t, idx, 1024);
	if (!n) {
		tui_message(t, "no runbook selected");
		return;
	}
	walker_open(t, t->rblist->v[idx[t->rb_sel]].path);
}
