/* Colours are semantic roles looked up in a theme; code never names a raw colour.
 * NO_COLOR (https://no-color.org) turns colours off: roles fall back to attributes,
 * and every status is also written as a word, so nothing depends on colour alone. */
#ifndef OD_THEME_H
#define OD_THEME_H

#include <curses.h>

#include "panels/level.h"

enum role {
	ROLE_NORMAL, ROLE_OK, ROLE_PENDING, ROLE_WARN, ROLE_CRIT, ROLE_MUTED, ROLE_STALE,
	ROLE_HEADER, ROLE_ENV_PROD, ROLE_ENV_OTHER, ROLE_ENV_ALT1, ROLE_ENV_ALT2, ROLE_TAB, ROLE_TAB_ACTIVE, ROLE_SELECTED,
	ROLE_KEY, ROLE_TITLE,
	ROLE__COUNT
};

struct glyphs {
	const char *dot, *hollow, *vline, *hline, *sel;
	const char *spark[8];
	const char *spark_gap;
};

void theme_init(void);
attr_t theme_attr(enum role r);
enum role role_for_level(enum level lv);
const struct glyphs *theme_glyphs(void);
/* Production is red; every other environment gets a colour of its own from its name. */
enum role theme_env_role(const char *env);
int theme_has_color(void);

#endif
