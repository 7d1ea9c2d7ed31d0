/* Partitions panel: every partitioned table with its future horizon, default partition,
 * sizes, dead tuples and vacuum age. Polled slowly (slow_refresh): it changes rarely and
 * must stay cheap with thousands of partitions. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "panels/panel.h"
#include "panels/partitions_model.h"
#include "src/app.h"

#define DETAIL_MAX_PARTITIONS 200
/* Sizes (pg_table_size, pg_indexes_size: two thirds of the query's cost on the server) are
 * read on every SIZES_EVERY-th poll; the polls between keep the last sizes. */
#define SIZES_EVERY 5

struct partitions_panel {
	struct panel base;
	struct ptables pt;
	int busy, have_data;
	int asked_sizes, have_sizes, polls_without_sizes;
	int64_t ok_mono, last_poll_mono, sizes_mono;
	char error[160];
};

static struct partitions_panel *self(struct panel *p) { return (struct partitions_panel *)p; }

static struct partition_thresholds thresholds(const struct app *a)
{
	const double *o = a->cfg->opt;
	return (struct partition_thresholds){o[OPT_PART_BLOAT_WARN], o[OPT_PART_BLOAT_WARN_FOR],
					     o[OPT_PART_BLOAT_CRIT], o[OPT_PART_BLOAT_CRIT_FOR],
					     o[OPT_PART_DEAD_TUPLES_WARN], o[OPT_PART_VACUUM_AGE_WARN],
					     o[OPT_PARTITION_RETENTION]};
}

static void report_alerts(struct partitions_panel *p)
{
	for (int i = 0; i < p->pt.n; i++) {
		const struct ptable *t = &p->pt.t[i];
		char id[64];
		snprintf(id, sizeof(id), "partitions.%.48s", t->name);
		enum alert_state s = alert_state_of(t->level);
		alerts_set(&p->base.app->alerts, id, "partitions", s, t->level >= LV_WARN ? t->level : LV_WARN, t->reason,
			   "RB-17");
	}
}

static void on_result(void *arg, struct rowset *res, int nres, const char *error)
{
	struct partitions_panel *p = arg;
	p->busy = 0;
	if (error || nres != 1 || ptables_update(&p->pt, &res[0]) < 0) {
		snprintf(p->error, sizeof(p->error), "%s", error ? error : "unexpected reply to the partition query");
	} else {
		p->error[0] = '\0';
		p->have_data = 1;
		p->ok_mono = now_mono_ms();
		if (p->asked_sizes) {
			p->have_sizes = 1;
			p->polls_without_sizes = 0;
			p->sizes_mono = p->ok_mono;
		} else {
			p->polls_without_sizes++;
		}
		struct partition_thresholds th = thresholds(p->base.app);
		ptables_evaluate(&p->pt, &th, now_mono_ms());
		report_alerts(p);
	}
	app_changed(p->base.app);
}

static void partitions_poll(struct panel *base)
{
	struct partitions_panel *p = self(base);
	struct app *a = base->app;
	int64_t now = now_mono_ms();
	if (!a->primary || p->busy)
		return;
	if (p->last_poll_mono && (double)(now - p->last_poll_mono) < a->cfg->opt[OPT_SLOW_REFRESH] - 50)
		return;
	p->last_poll_mono = now;
	p->busy = 1;
	p->asked_sizes = !p->have_sizes || p->polls_without_sizes >= SIZES_EVERY - 1;
	int rc = pgconn_query(a->primary, p->asked_sizes ? PARTITIONS_SQL : PARTITIONS_SQL_NO_SIZES, 0, NULL, on_result, p);
	if (rc != PGQ_STARTED) {
		p->busy = 0;
		p->last_poll_mono = 0; /* try again at the next refresh */
		const struct source_status *st = pgconn_status(a->primary);
		if (rc == PGQ_BACKOFF)
			snprintf(p->error, sizeof(p->error), "%s", st->last_error ? st->last_error : "primary down");
	}
}

static int partitions_busy(const struct panel *base) { return ((const struct partitions_panel *)base)->busy; }

static const struct column COLS[] = {
	{"TABLE", 22, 0, 0},   {"STATUS", 8, 0, 0},   {"KIND", 7, 2, 0},      {"PARTS", 5, 0, 1},
	{"INTERVAL", 8, 1, 0}, {"AHEAD", 5, 0, 1},    {"DEFAULT", 7, 0, 1},   {"SIZE", 9, 1, 1},
	{"INDEXES", 9, 3, 1},  {"DEAD", 8, 2, 1},     {"BLOAT", 5, 2, 1},     {"OLDEST END", 10, 4, 0},
	{"ARCHIVE", 7, 3, 1},  {"WHY", 40, 5, 0},
};

static void ymd(char *buf, size_t n, double epoch)
{
	if (isnan(epoch)) {
		snprintf(buf, n, "-");
		return;
	}
	time_t t = (time_t)epoch;
	struct tm tm;
	gmtime_r(&t, &tm);
	strftime(buf, n, "%Y-%m-%d", &tm);
}

static int is_stale(const struct partitions_panel *p)
{
	/* polled every slow_refresh: stale only when a whole slow interval was missed */
	double limit = p->base.app->cfg->opt[OPT_SLOW_REFRESH] + app_stale_after_ms(p->base.app);
	return !p->have_data || (double)(now_mono_ms() - p->ok_mono) > limit;
}

static void fill_row(struct partitions_panel *p, const struct ptable *t, struct table_row *row)
{
	struct cell *c = row->cells;
	char buf[32];
	row->level = t->level;
	row->stale = is_stale(p);
	cell_set(&c[0], LV_NONE, "%s", t->name);
	if (row->stale && t->level < LV_CRIT)
		cell_set(&c[1], LV_WARN, "stale");
	else
		cell_set(&c[1], t->level == LV_PENDING ? LV_OK : t->level, "%s", level_name(t->level));
	cell_set(&c[2], LV_NONE, "%s", t->strategy);
	cell_set(&c[3], LV_NONE, "%d", t->nparts);
	cell_set(&c[4], LV_NONE, "%s", *t->interval ? t->interval : "-");
	if (t->current_missing)
		cell_set(&c[5], LV_CRIT, "none");
	else if (t->has_horizon)
		cell_set(&c[5], t->ahead >= 2 ? LV_OK : t->ahead == 1 ? LV_WARN : LV_CRIT, "%d", t->ahead);
	else
		cell_set(&c[5], LV_NONE, "-");
	if (isnan(t->default_rows))
		cell_set(&c[6], LV_NONE, "-");
	else
		cell_set(&c[6], t->default_rows > 0 ? LV_CRIT : LV_OK, "%.0f", t->default_rows);
	fmt_bytes(buf, sizeof(buf), t->total_bytes);
	cell_set(&c[7], LV_NONE, "%s", buf);
	fmt_bytes(buf, sizeof(buf), t->index_bytes);
	cell_set(&c[8], LV_NONE, "%s", buf);
	cell_set(&c[9], t->dead > p->base.app->cfg->opt[OPT_PART_DEAD_TUPLES_WARN] ? LV_WARN : LV_NONE, "%.0f", t->dead);
	cell_set(&c[10], t->bloat_pct > p->base.app->cfg->opt[OPT_PART_BLOAT_WARN] ? LV_WARN : LV_NONE, "%.0f%%", t->bloat_pct);
	ymd(buf, sizeof(buf), t->oldest_end);
	cell_set(&c[11], LV_NONE, "%s", buf);
	cell_set(&c[12], LV_NONE, "%d", t->past_retention);
	cell_set(&c[13], t->level, "%s", t->reason);
}

static void partitions_fill(struct panel *base, struct table *t)
{
	struct partitions_panel *p = self(base);
	struct app *a = base->app;
	table_init(t, COLS, (int)ARRAY_LEN(COLS));
	if (!a->primary) {
		snprintf(t->summary, sizeof(t->summary), "primary: not configured");
		t->empty_text = "Partitions are read from the primary: add primary = <conninfo> to the config.";
		return;
	}
	char every[32];
	fmt_duration_ms(every, sizeof(every), a->cfg->opt[OPT_SLOW_REFRESH]);
	if (p->error[0]) {
		snprintf(t->summary, sizeof(t->summary), "primary: %s", p->error);
		t->summary_level = LV_CRIT;
	} else {
		int parts = 0;
		for (int i = 0; i < p->pt.n; i++)
			parts += p->pt.t[i].nparts;
		char sizes[32];
		fmt_duration_ms(sizes, sizeof(sizes), a->cfg->opt[OPT_SLOW_REFRESH] * SIZES_EVERY);
		snprintf(t->summary, sizeof(t->summary), "%d partitioned table%s, %d partitions (checked every %s, sizes every %s)",
			 p->pt.n, p->pt.n == 1 ? "" : "s", parts, every, sizes);
	}
	t->empty_text = p->have_data ? "No partitioned tables in this database." : "Reading the catalogue...";
	for (int i = 0; i < p->pt.n; i++)
		fill_row(p, &p->pt.t[i], table_add_row(t));
}

static void partitions_detail(struct panel *base, int row, struct sbuf *out)
{
	struct partitions_panel *p = self(base);
	if (row < 0 || row >= p->pt.n)
		return;
	const struct ptable *t = &p->pt.t[row];
	char a[32], b[32], c[32];
	sbuf_addf(out, "%-22s %s (%s, %s)\n", "table", t->name, t->strategy, *t->interval ? t->interval : "no time range");
	if (t->level == LV_OK)
		sbuf_addf(out, "%-22s ok\n", "status");
	else
		sbuf_addf(out, "%-22s %s: %s\n", "status", level_name(t->level), t->reason);
	if (t->has_horizon)
		sbuf_addf(out, "%-22s %d future interval%s present (2 expected)\n", "horizon", t->ahead, t->ahead == 1 ? "" : "s");
	if (p->have_sizes) {
		char age[32];
		fmt_age(age, sizeof(age), (double)(now_mono_ms() - p->sizes_mono));
		sbuf_addf(out, "%-22s read %s ago (every %d checks)\n", "sizes", age, SIZES_EVERY);
	}
	if (t->past_retention)
		sbuf_addf(out, "%-22s %d partition%s past the %.0f-month retention: archive candidates (RB-18)\n", "retention",
			  t->past_retention, t->past_retention == 1 ? "" : "s", p->base.app->cfg->opt[OPT_PARTITION_RETENTION]);
	sbuf_addf(out, "%-28s %-24s %8s %9s %6s\n", "PARTITION", "BOUND", "ROWS", "SIZE", "DEAD");
	for (int i = 0; i < t->nparts && i < DETAIL_MAX_PARTITIONS; i++) {
		const struct partition *pa = &t->parts[i];
		char bound[176], from[16], to[16];
		if (pa->bound.kind == BOUND_RANGE && pa->bound.is_time) {
			ymd(from, sizeof(from), pa->bound.from);
			ymd(to, sizeof(to), pa->bound.to);
			snprintf(bound, sizeof(bound), "%s .. %s", from, to);
		} else {
			snprintf(bound, sizeof(bound), "%s", pa->bound_text);
		}
		fmt_bytes(a, sizeof(a), (isnan(pa->table_bytes) ? 0 : pa->table_bytes) + (isnan(pa->index_bytes) ? 0 : pa->index_bytes));
		snprintf(b, sizeof(b), "%.0f", isnan(pa->rows) ? 0 : pa->rows);
		snprintf(c, sizeof(c), "%.0f", isnan(pa->dead) ? 0 : pa->dead);
		sbuf_addf(out, "%-28.28s %-24.24s %8s %9s %6s\n", pa->name, bound, b, a, c);
	}
	if (t->nparts > DETAIL_MAX_PARTITIONS)
		sbuf_addf(out, "... and %d more\n", t->nparts - DETAIL_MAX_PARTITIONS);
}

static enum level partitions_level(const struct panel *base, const char **why)
{
	const struct partitions_panel *p = (const struct partitions_panel *)base;
	enum level lv = p->have_data ? LV_OK : LV_NONE;
	if (why)
		*why = NULL;
	if (base->app->primary && p->error[0] && p->have_data) {
		if (why)
			*why = p->error;
		return LV_WARN; /* the replicas panel already raises the primary being down */
	}
	for (int i = 0; i < p->pt.n; i++)
		if (p->pt.t[i].level > lv && p->pt.t[i].level != LV_PENDING) {
			lv = p->pt.t[i].level;
			if (why)
				*why = p->pt.t[i].reason;
		}
	return lv;
}

static cJSON *partitions_json(struct panel *base)
{
	struct partitions_panel *p = self(base);
	cJSON *o = cJSON_CreateObject();
	const char *why;
	cJSON_AddStringToObject(o, "status", level_name(partitions_level(base, &why)));
	if (why)
		cJSON_AddStringToObject(o, "reason", why);
	else
		cJSON_AddNullToObject(o, "reason");
	cJSON *arr = cJSON_AddArrayToObject(o, "tables");
	for (int i = 0; i < p->pt.n; i++) {
		const struct ptable *t = &p->pt.t[i];
		cJSON *j = cJSON_CreateObject();
		cJSON_AddStringToObject(j, "table", t->name);
		cJSON_AddStringToObject(j, "strategy", t->strategy);
		cJSON_AddStringToObject(j, "status", level_name(t->level));
		cJSON_AddStringToObject(j, "reason", t->reason);
		cJSON_AddNumberToObject(j, "partitions", t->nparts);
		cJSON_AddStringToObject(j, "interval", t->interval);
		if (t->has_horizon || t->current_missing)
			cJSON_AddNumberToObject(j, "future_partitions", t->ahead);
		else
			cJSON_AddNullToObject(j, "future_partitions");
		cJSON_AddBoolToObject(j, "current_missing", t->current_missing);
		json_num(j, "default_rows", t->default_rows);
		json_num(j, "total_bytes", t->total_bytes);
		json_num(j, "index_bytes", t->index_bytes);
		json_num(j, "dead_tuples", t->dead);
		json_num(j, "bloat_pct", t->bloat_pct);
		cJSON_AddNumberToObject(j, "past_retention", t->past_retention);
		cJSON *parts = cJSON_AddArrayToObject(j, "partition_list");
		for (int k = 0; k < t->nparts; k++) {
			cJSON *q = cJSON_CreateObject();
			cJSON_AddStringToObject(q, "name", t->parts[k].name);
			cJSON_AddStringToObject(q, "bound", t->parts[k].bound_text);
			json_num(q, "rows", t->parts[k].rows);
			cJSON_AddItemToArray(parts, q);
		}
		cJSON_AddItemToArray(arr, j);
	}
	return o;
}

static void partitions_text(struct panel *base, struct sbuf *out)
{
	struct table t;
	partitions_fill(base, &t);
	sbuf_addf(out, "%s\n", t.summary);
	sbuf_addf(out, "%-28s %-8s %5s %-8s %5s %7s %9s %s\n", "TABLE", "STATUS", "PARTS", "INTERVAL", "AHEAD",
		  "DEFAULT", "SIZE", "WHY");
	for (int i = 0; i < t.nrows; i++) {
		const struct cell *c = t.rows[i].cells;
		sbuf_addf(out, "%-28s %-8s %5s %-8s %5s %7s %9s %s\n", c[0].text, c[1].text, c[3].text, c[4].text,
			  c[5].text, c[6].text, c[7].text, c[13].text);
	}
	if (!t.nrows)
		sbuf_addf(out, "%s\n", t.empty_text);
	table_done(&t);
}

static void partitions_samples(struct panel *base, void (*emit)(void *, const char *, double, const char *),
			       void *ctx)
{
	struct partitions_panel *p = self(base);
	char m[160];
	for (int i = 0; i < p->pt.n; i++) {
		const struct ptable *t = &p->pt.t[i];
		snprintf(m, sizeof(m), "%.120s.future_partitions", t->name);
		emit(ctx, m, t->has_horizon ? t->ahead : NAN, "partitions");
		snprintf(m, sizeof(m), "%.120s.default_rows", t->name);
		emit(ctx, m, t->default_rows, "rows");
		snprintf(m, sizeof(m), "%.120s.total_bytes", t->name);
		emit(ctx, m, t->total_bytes, "bytes");
		snprintf(m, sizeof(m), "%.120s.dead_tuples", t->name);
		emit(ctx, m, t->dead, "rows");
	}
}

static struct panel *partitions_create(const struct panel_class *cls, struct app *a)
{
	struct partitions_panel *p = xcalloc(1, sizeof(*p));
	p->base.cls = cls;
	p->base.app = a;
	return &p->base;
}

static void partitions_destroy(struct panel *base)
{
	ptables_done(&self(base)->pt);
	free(base);
}

const struct panel_class partitions_class = {
	.name = "partitions",
	.title = "Partitions",
	.create = partitions_create,
	.destroy = partitions_destroy,
	.poll = partitions_poll,
	.busy = partitions_busy,
	.fill = partitions_fill,
	.detail = partitions_detail,
	.json = partitions_json,
	.level = partitions_level,
	.text = partitions_text,
	.samples = partitions_samples,
};
