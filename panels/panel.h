/* The panel interface: every live panel is one file defining one `const struct
 * panel_class`, listed once in the registry (panels/registry.c). Panels collect data and
 * evaluate it; the TUI draws any panel from the generic table it fills. No curses here. */
#ifndef OD_PANEL_H
#define OD_PANEL_H

#include <cjson/cJSON.h>

#include "panels/level.h"
#include "src/util.h"

struct app;

struct column {
	const char *title;
	int width;  /* preferred width */
	int prio;   /* 0 = always shown; larger numbers are dropped first on narrow screens */
	int right;  /* right-aligned (numbers) */
};

struct cell {
	char text[64];
	enum level level;
};

struct table_row {
	struct cell *cells;    /* ncols */
	enum level level;      /* the row's overall status */
	int stale;             /* data older than it should be: drawn dimmed */
	const struct history *spark; /* optional sparkline (drawn in the last column) */
	int borrowed;          /* cells belong to the panel (table_add_row_cells) */
};

struct table {
	int ncols;
	const struct column *cols;
	int nrows, rows_cap;
	struct table_row *rows;
	const char *empty_text; /* shown when there are no rows */
	char summary[200];      /* one line above the table */
	enum level summary_level;
	char note[200];         /* the health strip: why its source gives no values ("" when it does) */
};

void table_init(struct table *t, const struct column *cols, int ncols);
struct table_row *table_add_row(struct table *t);
/* A row showing cells the panel keeps (ncols of them, valid until table_done): for panels
 * that keep formatted rows between frames instead of formatting every row every frame. */
struct table_row *table_add_row_cells(struct table *t, struct cell *cells);
void table_reserve(struct table *t, int nrows); /* room for nrows rows in all */
void cell_set(struct cell *c, enum level lv, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
void table_done(struct table *t);

/* JSON for snapshot: a number, or null when unknown (NAN or infinite). */
void json_num(cJSON *o, const char *key, double v);
/* A string, or null when NULL or empty. */
void json_str(cJSON *o, const char *key, const char *v);

struct panel;

struct panel_class {
	const char *name;  /* config/JSON key and command name: "replicas" */
	const char *title; /* tab title: "Replicas" */
	struct panel *(*create)(const struct panel_class *cls, struct app *app);
	void (*destroy)(struct panel *p);
	/* Starts one refresh (asynchronous); results arrive through connector callbacks,
	 * after which the panel calls app_changed(). */
	void (*poll)(struct panel *p);
	/* 1 while a refresh started by poll() is still running (snapshot waits on it). */
	int (*busy)(const struct panel *p);
	/* Fills the display table; rows in the same order as detail() indexes. */
	void (*fill)(struct panel *p, struct table *t);
	/* Drill-down text for one row: "label: value" lines. */
	void (*detail)(struct panel *p, int row, struct sbuf *out);
	/* One object for `snapshot --json`. */
	cJSON *(*json)(struct panel *p);
	/* Worst status of the panel, and one line saying why (NULL if ok). */
	enum level (*level)(const struct panel *p, const char **why);
	/* Plain-text rendering for `snapshot` without --json. */
	void (*text)(struct panel *p, struct sbuf *out);
	/* Values worth keeping in the journal's history, written every sample_interval:
	 * calls emit once per value (NAN values are skipped). Optional. */
	void (*samples)(struct panel *p, void (*emit)(void *ctx, const char *metric, double value, const char *unit),
			void *ctx);
};

struct panel {
	const struct panel_class *cls;
	struct app *app;
};

/* Registry: every panel class, in tab order. */
extern const struct panel_class *const panel_classes[];
extern const int panel_class_count;
/* The health strip drawn under the header (not a tab). */
extern const struct panel_class *const strip_class;

#endif
