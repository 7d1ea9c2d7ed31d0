/* Times the pools and partitions panels at scale without a server:
 *   panels-bench [POOLS [PARTITIONS [REFRESHES]]]
 * Feeds synthetic SHOW POOLS / STATS (every refresh) and SHOW DATABASES / CONFIG (every 10th)
 * for POOLS pools (default 500), and a catalogue of PARTITIONS partitions in 20 daily
 * range-partitioned tables (default 5,000; polled every 30th refresh), through the panels'
 * own callbacks REFRESHES times (default 601: a full 10-minute history), filling each panel's
 * table twice per refresh as the console draws about two frames per refresh. The replies are
 * parsed from CSV outside the timed part. Prints CPU ms (CLOCK_PROCESS_CPUTIME_ID) per
 * refresh, per poll and per frame, the heap in use at the end, and row 0 of each table. */
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "panels/rowset.h"
#include "src/app.h"
#include "src/util.h"
#include "tests/helpers/panels-bench.h"

#define TABLES 20
#define DAY 86400.0

static double cpu_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (double)ts.tv_sec * 1000.0 + (double)ts.tv_nsec / 1e6;
}

static void parse(struct rowset *rs, struct sbuf *sb)
{
	if (rowset_from_csv(rs, sb->buf) < 0) {
		fprintf(stderr, "panels-bench: bad synthetic CSV\n");
		exit(2);
	}
	sbuf_done(sb);
}

static void pools_reply(struct rowset *rs, int n, int r)
{
	struct sbuf sb = {0};
	sbuf_addf(&sb, "database,user,cl_active,cl_waiting,cl_active_cancel_req,cl_waiting_cancel_req,sv_active,"
		       "sv_active_cancel,sv_being_canceled,sv_idle,sv_used,sv_tested,sv_login,maxwait,maxwait_us,pool_mode\n"
		       "pgbouncer,pgbouncer,1,0,0,0,0,0,0,0,0,0,0,0,0,statement\n");
	for (int i = 0; i < n; i++) /* a few pools move each refresh, most stay idle */
		sbuf_addf(&sb, "bench_pool_%03d,%s,%d,0,0,0,%d,0,0,%d,0,0,0,0,%d,transaction\n", i, i % 7 ? "ops" : "app",
			  (i + r) % 11 == 0, (i + r) % 13 == 0, 1 + i % 2, ((i + r) % 17 == 0) * 1000);
	parse(rs, &sb);
}

static void stats_reply(struct rowset *rs, int n, int r)
{
	struct sbuf sb = {0};
	sbuf_addf(&sb, "database,total_xact_count,total_query_count,total_received,total_sent,total_xact_time,"
		       "total_query_time,total_wait_time,avg_xact_count,avg_query_count,avg_recv,avg_sent,avg_xact_time,"
		       "avg_query_time,avg_wait_time\npgbouncer,8,8,0,0,0,0,0,0,0,0,0,0,0,0\n");
	for (int i = 0; i < n; i++)
		sbuf_addf(&sb, "bench_pool_%03d,%d,%d,0,0,0,0,%d,0,0,0,0,0,0,0\n", i, r * (i % 5), r * (i % 5) * 2, r * (i % 3) * 10);
	parse(rs, &sb);
}

static void databases_reply(struct rowset *rs, int n)
{
	struct sbuf sb = {0};
	sbuf_addf(&sb, "name,host,port,database,force_user,pool_size,min_pool_size,reserve_pool,pool_mode,"
		       "max_connections,current_connections,paused,disabled\npgbouncer,,6432,pgbouncer,pgbouncer,2,0,0,statement,0,0,0,0\n");
	for (int i = 0; i < n; i++)
		sbuf_addf(&sb, "bench_pool_%03d,127.0.0.1,5432,ywmessaging,,%d,0,0,,0,1,0,0\n", i, i % 4 ? 20 : 0);
	parse(rs, &sb);
}

static void config_reply(struct rowset *rs)
{
	struct sbuf sb = {0};
	sbuf_addf(&sb, "key,value,default,changeable\ndefault_pool_size,20,20,yes\npool_mode,transaction,session,yes\n");
	parse(rs, &sb);
}

static void ymd(char *buf, size_t n, double epoch)
{
	time_t t = (time_t)epoch;
	struct tm tm;
	gmtime_r(&t, &tm);
	strftime(buf, n, "%Y-%m-%d", &tm);
}

static void partitions_reply(struct rowset *rs, int nparts, double now)
{
	struct sbuf sb = {0};
	int per = nparts / TABLES;
	double today = (double)((long)(now / DAY)) * DAY;
	sbuf_addf(&sb, "server_now,parent,strategy,partition,bound,rows_estimate,table_bytes,index_bytes,dead_tuples,"
		       "live_tuples,vacuum_age_s\n");
	for (int t = 0; t < TABLES; t++)
		for (int k = 0; k < per; k++) {
			char from[16], to[16];
			if (k == per - 1) { /* the default partition sorts last */
				sbuf_addf(&sb, "%.6f,bench_part_%02d,r,bench_part_%02d_default,DEFAULT,0,8192,16384,0,0,\n", now, t, t);
				continue;
			}
			double day = today + (k - (per - 4)) * DAY; /* the last ones are today and 2 ahead */
			ymd(from, sizeof(from), day);
			ymd(to, sizeof(to), day + DAY);
			sbuf_addf(&sb, "%.6f,bench_part_%02d,r,bench_part_%02d_p%04d,\"FOR VALUES FROM ('%s') TO ('%s')\","
				       "%d,%d,%d,%d,%d,%d\n",
				  now, t, t, k, from, to, 1000 + k, 8192 * (1 + k % 9), 16384, k % 50, 1000 + k, 3600 + k);
		}
	parse(rs, &sb);
}

/* One frame's fill, through the panel's class as the console calls it; returns the row
 * count, and first gets the given cells of row 0 ("-" when there is none). */
static int fill(struct panel *p, const int *cells, int ncells, char *first, size_t n)
{
	struct table t;
	p->cls->fill(p, &t);
	struct sbuf sb = {0};
	for (int i = 0; i < ncells; i++)
		sbuf_addf(&sb, "%s%s", i ? " " : "", t.nrows ? t.rows[0].cells[cells[i]].text : "-");
	snprintf(first, n, "%s", sb.buf ? sb.buf : "");
	sbuf_done(&sb);
	int rows = t.nrows;
	table_done(&t);
	return rows;
}

int main(int argc, char **argv)
{
	int npools = argc > 1 ? atoi(argv[1]) : 500, nparts = argc > 2 ? atoi(argv[2]) : 5000;
	int refreshes = argc > 3 ? atoi(argv[3]) : 601;
	struct config cfg;
	config_defaults(&cfg);
	struct event_base *base = event_base_new();
	struct app *a = xcalloc(1, sizeof(*a));
	a->cfg = &cfg;
	a->base = base;
	a->refresh_ms = 1000;
	alerts_init(&a->alerts);
	a->bouncer = pgconn_new(base, "pgbouncer", "host=127.0.0.1 port=1", 1000, 1000); /* never connected */
	a->primary = pgconn_new(base, "primary", "host=127.0.0.1 port=1", 1000, 1000);
	struct panel *pools = bench_pools_new(a), *parts = bench_partitions_new(a);
	static const int POOL_CELLS[] = {0, 2, 9, 12}, PART_CELLS[] = {0, 1, 3, 5, 7}; /* shown of row 0 */
	double t_upd = 0, t_fill = 0, t_poll = 0, t_pfill = 0;
	int frames = 0, polls = 0, rows = 0, prows = 0;
	char first[256] = "", pfirst[256] = "";
	double now = (double)now_wall_ms() / 1000;
	for (int r = 0; r < refreshes; r++) {
		struct rowset pr, st, db, cf;
		pools_reply(&pr, npools, r);
		stats_reply(&st, npools, r);
		int slow = r % 10 == 0;
		if (slow) {
			databases_reply(&db, npools);
			config_reply(&cf);
		}
		double t0 = cpu_ms();
		bench_pools_refresh(pools, &pr, &st, slow ? &db : NULL, slow ? &cf : NULL);
		t_upd += cpu_ms() - t0;
		rowset_done(&pr);
		rowset_done(&st);
		if (slow) {
			rowset_done(&db);
			rowset_done(&cf);
		}
		if (r % 30 == 0) {
			struct rowset rs;
			partitions_reply(&rs, nparts, now + r);
			t0 = cpu_ms();
			bench_partitions_refresh(parts, &rs);
			t_poll += cpu_ms() - t0;
			polls++;
			rowset_done(&rs);
		}
		for (int f = 0; f < 2; f++, frames++) {
			t0 = cpu_ms();
			rows = fill(pools, POOL_CELLS, (int)ARRAY_LEN(POOL_CELLS), first, sizeof(first));
			t_fill += cpu_ms() - t0;
			t0 = cpu_ms();
			prows = fill(parts, PART_CELLS, (int)ARRAY_LEN(PART_CELLS), pfirst, sizeof(pfirst));
			t_pfill += cpu_ms() - t0;
		}
	}
	struct mallinfo2 mi = mallinfo2();
	printf("pools: %d pools, %d refreshes, %d rows: update %.3f ms per refresh, fill %.3f ms per frame,"
	       " per refresh (update + 2 frames) %.3f ms CPU\n",
	       npools, refreshes, rows, t_upd / refreshes, t_fill / frames, (t_upd + 2 * t_fill / frames * refreshes) / refreshes);
	printf("partitions: %d partitions in %d tables, %d polls, %d rows: poll %.3f ms, fill %.3f ms per frame\n", nparts,
	       TABLES, polls, prows, t_poll / (polls ? polls : 1), t_pfill / frames);
	printf("heap in use at the end: %.2f MB\n", (double)mi.uordblks / 1048576.0);
	printf("pools row 0: %s\npartitions row 0: %s\n", first, pfirst);
	pools->cls->destroy(pools);
	parts->cls->destroy(parts);
	pgconn_free(a->bouncer);
	pgconn_free(a->primary);
	alerts_done(&a->alerts);
	free(a);
	config_done(&cfg);
	event_base_free(base);
	return 0;
}
