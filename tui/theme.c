#include "tui/theme.h"

#include <langinfo.h>
#include <stdlib.h>
#include <string.h>

static attr_t attrs[ROLE__COUNT];
static const struct glyphs *glyphs;
static int use_color;

static const struct glyphs utf8_glyphs = {
	"\u25cf", "\u25cb", "\u2502", "\u2500", "\u25b6",
	{"\u2581", "\u2582", "\u2583", "\u2584", "\u2585", "\u2586", "\u2587", "\u2588"},
	"\u00b7",
};

static const struct glyphs ascii_glyphs = {
	"*", "o", "|", "-", ">",
	{"_", ".", ":", "-", "=", "+", "*", "#"},
	" ",
};

static int want_ascii(void)
{
	const char *a = getenv("OPSDECK_ASCII");
	if (a && *a && strcmp(a, "0") != 0)
		return 1;
	const char *cs = nl_langinfo(CODESET);
	return !(cs && (!strcmp(cs, "UTF-8") || !strcmp(cs, "utf8")));
}

static void pair(enum role r, short n, short fg, short bg, attr_t extra)
{
	init_pair(n, fg, bg);
	attrs[r] = COLOR_PAIR(n) | extra;
}

void theme_init(void)
{
	const char *nc = getenv("NO_COLOR");
	glyphs = want_ascii() ? &ascii_glyphs : &utf8_glyphs;
	use_color = !(nc && *nc) && has_colors();
	/* attribute-only theme: also the base for colour */
	attrs[ROLE_NORMAL] = A_NORMAL;
	attrs[ROLE_OK] = A_NORMAL;
	attrs[ROLE_PENDING] = A_UNDERLINE;
	attrs[ROLE_WARN] = A_BOLD;
	attrs[ROLE_CRIT] = A_BOLD | A_REVERSE;
	attrs[ROLE_MUTED] = A_DIM;
	attrs[ROLE_STALE] = A_DIM;
	attrs[ROLE_HEADER] = A_REVERSE;
	attrs[ROLE_ENV_PROD] = A_REVERSE | A_BOLD;
	attrs[ROLE_ENV_OTHER] = A_REVERSE;
	attrs[ROLE_ENV_ALT1] = A_REVERSE;
	attrs[ROLE_ENV_ALT2] = A_REVERSE;
	attrs[ROLE_TAB] = A_NORMAL;
	attrs[ROLE_TAB_ACTIVE] = A_REVERSE | A_BOLD;
	attrs[ROLE_SELECTED] = A_REVERSE;
	attrs[ROLE_KEY] = A_BOLD;
	attrs[ROLE_TITLE] = A_BOLD;
	if (!use_color)
		return;
	start_color();
	use_default_colors();
	pair(ROLE_OK, 1, COLOR_GREEN, -1, 0);
	pair(ROLE_PENDING, 2, COLOR_YELLOW, -1, 0);
	pair(ROLE_WARN, 3, COLOR_YELLOW, -1, A_BOLD);
	pair(ROLE_CRIT, 4, COLOR_WHITE, COLOR_RED, A_BOLD);
	pair(ROLE_HEADER, 5, COLOR_WHITE, COLOR_BLUE, 0);
	pair(ROLE_ENV_PROD, 6, COLOR_WHITE, COLOR_RED, A_BOLD);
	pair(ROLE_ENV_OTHER, 7, COLOR_BLACK, COLOR_CYAN, A_BOLD);
	pair(ROLE_TAB_ACTIVE, 8, COLOR_BLACK, COLOR_WHITE, A_BOLD);
	pair(ROLE_ENV_ALT1, 11, COLOR_BLACK, COLOR_GREEN, A_BOLD);
	pair(ROLE_ENV_ALT2, 12, COLOR_WHITE, COLOR_MAGENTA, A_BOLD);
	pair(ROLE_KEY, 9, COLOR_CYAN, -1, A_BOLD);
	pair(ROLE_TITLE, 10, COLOR_CYAN, -1, A_BOLD);
}

attr_t theme_attr(enum role r) { return attrs[r]; }

enum role role_for_level(enum level lv)
{
	switch (lv) {
	case LV_OK: return ROLE_OK;
	case LV_PENDING: return ROLE_PENDING;
	case LV_WARN: return ROLE_WARN;
	case LV_CRIT: return ROLE_CRIT;
	case LV_NONE: break;
	}
	return ROLE_NORMAL;
}

const struct glyphs *theme_glyphs(void) { return glyphs ? glyphs : &ascii_glyphs; }
int theme_has_color(void) { return use_color; }

enum role theme_env_role(const char *env)
{
	static const enum role others[] = {ROLE_ENV_OTHER, ROLE_ENV_ALT1, ROLE_ENV_ALT2};
	unsigned h = 5381;
	if (!env)
		return ROLE_ENV_OTHER;
	if (strstr(env, "prod") || strstr(env, "PROD") || strstr(env, "live"))
		return ROLE_ENV_PROD;
	for (const char *p = env; *p; p++)
		h = h * 33 + (unsigned char)*p;
	return others[h % 3];
}
