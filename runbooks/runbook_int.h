/* Internals of the runbook parser shared by runbook.c (md4c callbacks, entry points)
 * and runbook_blocks.c (what each finished block means). */
#ifndef OD_RUNBOOK_INT_H
#define OD_RUNBOOK_INT_H

#include <stddef.h>

#include "runbooks/runbook.h"
#include "src/util.h"

extern const char *const rb_section_titles[SEC__COUNT];
extern const char *const rb_meta_keys[META__COUNT];

enum region { BEFORE_TITLE, HEADER, SECTIONS };

struct walk {
	struct runbook *rb;
	const char *src;
	size_t len;
	size_t *lines; /* offset where each line starts */
	int n_lines;
	size_t cursor; /* the furthest offset read so far */
	int cursor_set;
	enum region region;
	int section;   /* SEC_* of the current ## section, -1 for another one */
	char *phase;   /* the current ## section's title */
	char *icols[8]; /* the ## Issues found table's header */
	int n_icols;
	struct step *step;
	int heading;   /* level of the heading being read */
	struct sbuf text;
	int first_line; /* of the first text of the block being read; 0 = none yet */
	int li_depth, para;
	int key_state; /* metadata item: 0 nothing yet, 1 in the **Key:**, 2 after it */
	struct sbuf key;
	int in_code, code_first, code_last;
	char fence;
	char *md_info; /* the info string as md4c resolved it */
	struct sbuf code;
	int in_table, in_head, table_line;
	char **cells;
	int n_cells;
	char *cols[8];
	int n_cols;
	struct {
		int level, line;
	} *heads;
	int n_heads;
};

int walk_line_of(const struct walk *w, size_t off);
const char *walk_line(const struct walk *w, int line, size_t *len); /* without the newline */
int walk_scan_fence(const struct walk *w, int from, char c);     /* first fence line >= from, or 0 */
int walk_next_line(const struct walk *w);                         /* the line after the cursor, or the last */
int walk_in_src(const struct walk *w, const char *p);
void walk_mentions(struct walk *w, const char *s, size_t n, int line);

void rb_ref_add(struct rb_ref **v, int *n, const char *id, size_t len, int line);
char *rb_trim(const char *s);
char **rb_list_add(char **v, int *n, char *s);

void on_heading(struct walk *w, int level);
void on_meta(struct walk *w, int line);
void on_code(struct walk *w);
void on_row(struct walk *w);
void on_role(struct walk *w, int line, const char *plain);
/* Sections whose ### headings are steps. */
static inline int rb_step_section(int s)
{
	return s == SEC_STEPS || s == SEC_BASELINE || s == SEC_VALIDATION || s == SEC_MONITORING;
}

#endif
