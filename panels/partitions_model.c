#include "panels/partitions_model.h"

#include <ctype.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "src/util.h"

/* The statistics come from the pg_stat_get_* functions of the partition itself rather than
 * from pg_stat_user_tables: that view groups every table of the database with its indexes
 * before the join (~20 % of this query at 5,000 partitions). Same values: the view has the
 * same relkinds, and partitions never live in the system schemas it leaves out. */
#define PARTITIONS_SELECT \
	"SELECT extract(epoch FROM now()) AS server_now," \
	" p.oid::regclass::text AS parent, pt.partstrat AS strategy," \
	" c.oid::regclass::text AS partition, pg_get_expr(c.relpartbound, c.oid) AS bound," \
	" greatest(coalesce(s.live, 0), c.reltuples) AS rows_estimate,"
#define PARTITIONS_SIZES " pg_table_size(c.oid) AS table_bytes, pg_indexes_size(c.oid) AS index_bytes,"
#define PARTITIONS_REST \
	" s.dead AS dead_tuples, s.live AS live_tuples," \
	" extract(epoch FROM now() - greatest(s.vacuumed, s.autovacuumed)) AS vacuum_age_s" \
	" FROM pg_partitioned_table pt" \
	" JOIN pg_class p ON p.oid = pt.partrelid" \
	" LEFT JOIN pg_inherits i ON i.inhparent = p.oid" \
	" LEFT JOIN pg_class c ON c.oid = i.inhrelid" \
	" LEFT JOIN LATERAL (SELECT pg_stat_get_live_tuples(c.oid) AS live, pg_stat_get_dead_tuples(c.oid) AS dead," \
	" pg_stat_get_last_vacuum_time(c.oid) AS vacuumed, pg_stat_get_last_autovacuum_time(c.oid) AS autovacuumed" \
	" WHERE c.relkind IN ('r', 't', 'm', 'p')) s ON true" \
	" ORDER BY 2, 4"

const char PARTITIONS_SQL[] = PARTITIONS_SELECT PARTITIONS_SIZES PARTITIONS_REST;
const char PARTITIONS_SQL_NO_SIZES[] = PARTITIONS_SELECT PARTITIONS_REST;

/* days from 1970-01-01 to y-m-d (proleptic Gregorian) */
static long days_from_civil(long y, int m, int d)
{
	y -= m <= 2;
	long era = (y >= 0 ? y : y - 399) / 400;
	long yoe = y - era * 400;
	long doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	long doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

static int digits(const char *s, int n, int *out)
{
	int v = 0;
	for (int i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	*out = v;
	return 0;
}

/* The shapes pg_get_expr() writes for dates and timestamps in ISO style, "2024-11-01",
 * "2024-11-01 00:00:00", "2024-11-01 00:00:00+00", "... +05:30": read without sscanf (a
 * partition poll reads thousands). 1 = not one of them (the general parser decides). */
static int parse_iso_fast(const char *s, double *epoch)
{
	int y, mo, d, h = 0, mi = 0, sec = 0, oh = 0, om = 0, sign = 1;
	if (digits(s, 4, &y) || s[4] != '-' || digits(s + 5, 2, &mo) || s[7] != '-' || digits(s + 8, 2, &d))
		return 1;
	const char *p = s + 10;
	if (*p == ' ' || *p == 'T') {
		if (digits(p + 1, 2, &h) || p[3] != ':' || digits(p + 4, 2, &mi) || p[6] != ':' || digits(p + 7, 2, &sec))
			return 1;
		p += 9;
	}
	if (*p == '+' || *p == '-') {
		sign = *p == '-' ? -1 : 1;
		if (digits(p + 1, 2, &oh))
			return 1;
		p += 3;
		if (*p == ':') {
			if (digits(p + 1, 2, &om))
				return 1;
			p += 3;
		}
	}
	if (*p || mo < 1 || mo > 12 || d < 1 || d > 31)
		return 1;
	*epoch = (double)days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + sec - (oh * 3600 + om * 60) * sign;
	return 0;
}

int parse_pg_time(const char *s, double *epoch)
{
	if (parse_iso_fast(s, epoch) == 0)
		return 0;
	int y, mo, d, h = 0, mi = 0, n = 0;
	double sec = 0;
	if (sscanf(s, "%4d-%2d-%2d%n", &y, &mo, &d, &n) != 3 || mo < 1 || mo > 12 || d < 1 || d > 31)
		return -1;
	const char *p = s + n;
	if (*p == ' ' || *p == 'T') {
		int m = 0;
		if (sscanf(p + 1, "%2d:%2d:%lf%n", &h, &mi, &sec, &m) != 3)
			return -1;
		p += 1 + m;
	}
	double offset = 0;
	if (*p == '+' || *p == '-') {
		int oh = 0, om = 0, k = 0;
		if (sscanf(p + 1, "%2d%n", &oh, &k) != 1)
			return -1;
		if (p[1 + k] == ':')
			sscanf(p + 2 + k, "%2d", &om);
		offset = (oh * 3600 + om * 60) * (*p == '-' ? -1 : 1);
	}
	*epoch = (double)days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + sec - offset;
	return 0;
}

/* Reads one literal of a bound list: 'text' or a bare word/number; returns the end. */
static const char *literal(const char *p, char *out, size_t n)
{
	size_t k = 0;
	while (*p == ' ' || *p == '(')
		p++;
	if (*p == '\'') {
		p++;
		while (*p && !(*p == '\'' && p[1] != '\'')) {
			if (*p == '\'')
				p++;
			if (k + 1 < n)
				out[k++] = *p;
			p++;
		}
		if (*p == '\'')
			p++;
	} else {
		while (*p && *p != ')' && *p != ',' && *p != ' ')
			if (k + 1 < n)
				out[k++] = *p++;
			else
				p++;
	}
	out[k] = '\0';
	return p;
}

static double range_value(const char *lit, int *is_time)
{
	double v;
	char *end;
	if (!strcmp(lit, "MINVALUE") || !strcmp(lit, "MAXVALUE"))
		return NAN;
	if (parse_pg_time(lit, &v) == 0) {
		*is_time = 1;
		return v;
	}
	v = strtod(lit, &end);
	return end != lit && !*end ? v : NAN;
}

void bound_parse(const char *text, struct bound *b)
{
	memset(b, 0, sizeof(*b));
	b->from = b->to = NAN;
	if (!text)
		return;
	if (!strcmp(text, "DEFAULT")) {
		b->kind = BOUND_DEFAULT;
		return;
	}
	if (strstr(text, "FOR VALUES IN")) {
		b->kind = BOUND_LIST;
		return;
	}
	if (strstr(text, "FOR VALUES WITH")) {
		b->kind = BOUND_HASH;
		return;
	}
	const char *from = strstr(text, "FROM ("), *to = strstr(text, ") TO (");
	if (!from || !to)
		return;
	char lit[96];
	int t1 = 0, t2 = 0;
	b->kind = BOUND_RANGE;
	literal(from + 5, lit, sizeof(lit)); /* first column of a multi-column key */
	b->from = range_value(lit, &t1);
	literal(to + 5, lit, sizeof(lit));
	b->to = range_value(lit, &t2);
	b->is_time = t1 && t2;
}

static double num(const struct rowset *rs, int row, int col)
{
	int ok;
	double v = rowset_num_at(rs, row, col, &ok);
	return ok ? v : NAN;
}

/* A new table at the end of pt->t (sized by the caller), with the sustained conditions of
 * the table of the same name in the previous reply. */
static struct ptable *new_table(struct ptables *pt, const struct ptable *old, int nold, const char *name)
{
	struct ptable *t = &pt->t[pt->n++];
	memset(t, 0, sizeof(*t));
	snprintf(t->name, sizeof(t->name), "%s", name);
	for (int i = 0; i < nold; i++)
		if (!strcmp(old[i].name, t->name)) {
			t->bloat_warn = old[i].bloat_warn;
			t->bloat_crit = old[i].bloat_crit;
		}
	return t;
}

static const char *strategy_name(const char *s)
{
	return !s ? "?" : !strcmp(s, "r") ? "range" : !strcmp(s, "l") ? "list" : !strcmp(s, "h") ? "hash" : s;
}

static char *put_string(char **sp, const char *v)
{
	char *at = *sp;
	size_t n = strlen(v ? v : "") + 1;
	memcpy(at, v ? v : "", n);
	*sp += n;
	return at;
}

/* The previous reply's partitions by (table, partition name), for a reply without sizes. */
struct size_entry {
	const char *table;
	const struct partition *part;
};
struct size_index {
	struct size_entry *e;
	struct pair_index index;
};

static void size_entry_key(const void *ctx, int i, const char **table, const char **name)
{
	const struct size_entry *e = &((const struct size_entry *)ctx)[i];
	*table = e->table;
	*name = e->part->name;
}

static void size_index_build(struct size_index *x, const struct ptable *t, int n)
{
	int total = 0, k = 0;
	for (int i = 0; i < n; i++)
		total += t[i].nparts;
	x->e = xcalloc((size_t)(total ? total : 1), sizeof(*x->e));
	pair_index_init(&x->index, total);
	for (int i = 0; i < n; i++)
		for (int j = 0; j < t[i].nparts; j++, k++) {
			x->e[k] = (struct size_entry){t[i].name, &t[i].parts[j]};
			pair_index_add(&x->index, t[i].name, t[i].parts[j].name, k);
		}
}

static const struct partition *size_index_find(const struct size_index *x, const char *table, const char *name)
{
	int at = pair_index_find(&x->index, table, name, size_entry_key, x->e);
	return at >= 0 ? x->e[at].part : NULL;
}

static void size_index_done(struct size_index *x)
{
	free(x->e);
	pair_index_done(&x->index);
}

int ptables_update(struct ptables *pt, const struct rowset *rs)
{
	const int c_parent = rowset_col(rs, "parent"), c_bound = rowset_col(rs, "bound"),
		  c_now = rowset_col(rs, "server_now"), c_strategy = rowset_col(rs, "strategy"),
		  c_name = rowset_col(rs, "partition"), c_rows = rowset_col(rs, "rows_estimate"),
		  c_table = rowset_col(rs, "table_bytes"), c_index = rowset_col(rs, "index_bytes"),
		  c_dead = rowset_col(rs, "dead_tuples"), c_live = rowset_col(rs, "live_tuples"),
		  c_vacuum = rowset_col(rs, "vacuum_age_s");
	if (c_parent < 0 || c_bound < 0)
		return -1;
	/* first pass: how many tables (rows come ordered by parent), partitions per table and
	 * bytes of names and bounds, so nothing is grown row by row */
	int ntables = 0, *nparts = xcalloc((size_t)rs->nrows + 1, sizeof(int));
	size_t bytes = 1;
	const char *last = NULL;
	for (int r = 0; r < rs->nrows; r++) {
		const char *parent = rowset_get(rs, r, c_parent), *name = rowset_get(rs, r, c_name);
		if (!parent)
			continue;
		if (!last || strcmp(last, parent))
			ntables++;
		last = parent;
		if (!name)
			continue;
		const char *bound = rowset_get(rs, r, c_bound);
		nparts[ntables - 1]++;
		bytes += strlen(name) + 1 + strlen(bound ? bound : "") + 1;
	}
	struct ptable *old = pt->t;
	int nold = pt->n;
	char *old_strings = pt->strings; /* the old partitions' names, until their sizes are carried */
	struct size_index carry = {0};
	if (c_table < 0)
		size_index_build(&carry, old, nold);
	pt->t = xcalloc((size_t)(ntables ? ntables : 1), sizeof(*pt->t));
	pt->n = 0;
	pt->strings = xmalloc(bytes);
	char *sp = pt->strings;
	pt->server_now = rs->nrows ? num(rs, 0, c_now) : NAN;
	struct ptable *t = NULL;
	last = NULL;
	for (int r = 0; r < rs->nrows; r++) { /* grouped exactly as in the first pass */
		const char *parent = rowset_get(rs, r, c_parent);
		if (!parent)
			continue;
		if (!last || strcmp(last, parent)) {
			t = new_table(pt, old, nold, parent);
			if (nparts[pt->n - 1])
				t->parts = xmalloc(sizeof(*t->parts) * (size_t)nparts[pt->n - 1]);
		}
		last = parent;
		if (!t->strategy[0]) /* the parent's: the same on each of its rows */
			snprintf(t->strategy, sizeof(t->strategy), "%s", strategy_name(rowset_get(rs, r, c_strategy)));
		const char *name = rowset_get(rs, r, c_name);
		if (!name)
			continue; /* a partitioned table without partitions */
		struct partition *p = &t->parts[t->nparts++];
		memset(p, 0, sizeof(*p));
		const char *bound = rowset_get(rs, r, c_bound);
		p->name = put_string(&sp, name);
		p->bound_text = put_string(&sp, bound);
		bound_parse(bound, &p->bound);
		p->rows = num(rs, r, c_rows);
		if (c_table >= 0) {
			p->table_bytes = num(rs, r, c_table);
			p->index_bytes = num(rs, r, c_index);
		} else { /* a reply without sizes: the last ones known for this partition */
			const struct partition *was = size_index_find(&carry, t->name, p->name);
			p->table_bytes = was ? was->table_bytes : NAN;
			p->index_bytes = was ? was->index_bytes : NAN;
		}
		p->dead = num(rs, r, c_dead);
		p->live = num(rs, r, c_live);
		p->vacuum_age_s = num(rs, r, c_vacuum);
	}
	free(nparts);
	size_index_done(&carry);
	for (int i = 0; i < nold; i++)
		free(old[i].parts);
	free(old);
	free(old_strings);
	return 0;
}

static const char *interval_name(double secs)
{
	double days = secs / 86400;
	if (fabs(days - 1) < 0.05)
		return "daily";
	if (fabs(days - 7) < 0.05)
		return "weekly";
	if (days >= 28 && days <= 31.05)
		return "monthly";
	if (days >= 89 && days <= 92.05)
		return "quarterly";
	if (days >= 365 && days <= 366.05)
		return "yearly";
	return "range";
}

static const struct partition *starting_at(const struct ptable *t, double when)
{
	for (int i = 0; i < t->nparts; i++)
		if (t->parts[i].bound.kind == BOUND_RANGE && t->parts[i].bound.is_time &&
		    fabs(t->parts[i].bound.from - when) < 1)
			return &t->parts[i];
	return NULL;
}

static void horizon(struct ptable *t, double now)
{
	const struct partition *cur = NULL;
	t->interval = "";
	for (int i = 0; i < t->nparts; i++) {
		const struct bound *b = &t->parts[i].bound;
		if (b->kind == BOUND_RANGE && b->is_time && !isnan(b->from) && !isnan(b->to)) {
			if (!*t->interval)
				t->interval = interval_name(b->to - b->from);
			if (b->from <= now && now < b->to)
				cur = &t->parts[i];
		}
	}
	t->has_horizon = cur != NULL;
	t->current_missing = *t->interval && !cur;
	t->ahead = 0;
	for (const struct partition *p = cur; p && t->ahead < 2;) /* the ones that follow, up to 2 */
		if ((p = starting_at(t, p->bound.to)))
			t->ahead++;
}

static void raise_to(struct ptable *t, enum level lv, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void raise_to(struct ptable *t, enum level lv, const char *fmt, ...)
{
	if (lv <= t->level)
		return;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(t->reason, sizeof(t->reason), fmt, ap);
	va_end(ap);
	t->level = lv;
}

static void aggregate(struct ptable *t, double now, double retention_months)
{
	t->default_rows = NAN;
	t->total_bytes = t->index_bytes = t->dead = t->live = 0;
	t->worst_vacuum_age_s = NAN;
	t->past_retention = 0;
	t->oldest_end = NAN;
	double cutoff = now - retention_months * 30.44 * 86400;
	for (int i = 0; i < t->nparts; i++) {
		const struct partition *p = &t->parts[i];
		if (p->bound.kind == BOUND_DEFAULT)
			t->default_rows = isnan(p->rows) ? 0 : p->rows;
		t->total_bytes += isnan(p->table_bytes) ? 0 : p->table_bytes;
		t->index_bytes += isnan(p->index_bytes) ? 0 : p->index_bytes;
		t->dead += isnan(p->dead) ? 0 : p->dead;
		double live = isnan(p->live) ? 0 : p->live; /* n_live_tup, 0 after a stats reset: */
		if (!isnan(p->rows) && p->rows > live)      /* the planner's estimate then */
			live = p->rows;
		t->live += live;
		if (p->dead > 1000 && (isnan(p->vacuum_age_s) || !(p->vacuum_age_s <= t->worst_vacuum_age_s)))
			t->worst_vacuum_age_s = isnan(p->vacuum_age_s) ? INFINITY : p->vacuum_age_s;
		if (p->bound.kind == BOUND_RANGE && p->bound.is_time && !isnan(p->bound.to)) {
			if (isnan(t->oldest_end) || p->bound.to < t->oldest_end)
				t->oldest_end = p->bound.to;
			if (p->bound.to < cutoff)
				t->past_retention++;
		}
	}
	t->bloat_pct = t->live + t->dead > 0 ? t->dead / (t->live + t->dead) * 100 : 0;
}

void ptables_evaluate(struct ptables *pt, const struct partition_thresholds *th, int64_t now_ms)
{
	double now = isnan(pt->server_now) ? (double)now_wall_ms() / 1000 : pt->server_now;
	for (int i = 0; i < pt->n; i++) {
		struct ptable *t = &pt->t[i];
		char dur[32];
		t->level = LV_OK;
		t->reason[0] = '\0';
		horizon(t, now);
		aggregate(t, now, th->retention_months);
		if (t->current_missing)
			raise_to(t, LV_CRIT, "no partition holds the current %s interval: rows go to the default",
				 t->interval);
		else if (t->has_horizon && t->ahead == 0)
			raise_to(t, LV_CRIT, "next %s partition missing", t->interval);
		if (t->default_rows > 0)
			raise_to(t, LV_CRIT, "%.0f rows in the default partition", t->default_rows);
		if (sustain_update(&t->bloat_crit, t->bloat_pct > th->bloat_crit, now_ms, th->bloat_crit_for, NULL)) {
			fmt_duration_ms(dur, sizeof(dur), th->bloat_crit_for);
			raise_to(t, LV_CRIT, "bloat %.0f%% > %.0f%% for %s", t->bloat_pct, th->bloat_crit, dur);
		}
		if (t->has_horizon && t->ahead == 1)
			raise_to(t, LV_WARN, "only the next %s partition exists", t->interval);
		if (sustain_update(&t->bloat_warn, t->bloat_pct > th->bloat_warn, now_ms, th->bloat_warn_for, NULL)) {
			fmt_duration_ms(dur, sizeof(dur), th->bloat_warn_for);
			raise_to(t, LV_WARN, "bloat %.0f%% > %.0f%% for %s", t->bloat_pct, th->bloat_warn, dur);
		} else if (t->bloat_pct > th->bloat_warn) {
			raise_to(t, LV_PENDING, "bloat %.0f%% > %.0f%%", t->bloat_pct, th->bloat_warn);
		}
		if (t->dead > th->dead_warn)
			raise_to(t, LV_WARN, "%.0f dead tuples > %.0f", t->dead, th->dead_warn);
		if (t->worst_vacuum_age_s * 1000 > th->vacuum_age_warn_ms) {
			if (isinf(t->worst_vacuum_age_s))
				raise_to(t, LV_WARN, "partitions with dead tuples never vacuumed");
			else {
				fmt_duration_ms(dur, sizeof(dur), t->worst_vacuum_age_s * 1000);
				raise_to(t, LV_WARN, "last vacuum %s ago on a partition with dead tuples", dur);
			}
		}
		if (t->level == LV_OK)
			snprintf(t->reason, sizeof(t->reason), "ok");
	}
}

void ptables_done(struct ptables *pt)
{
	for (int i = 0; i < pt->n; i++)
		free(pt->t[i].parts);
	free(pt->t);
	free(pt->strings);
	memset(pt, 0, sizeof(*pt));
}
