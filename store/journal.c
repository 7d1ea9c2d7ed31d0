/* Opening the journal and recording into it. Every record call is one committed
 * transaction (chain.c); this file validates input and fills in who/where/when. */
#include "store/journal.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <math.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "src/util.h"
#include "store/chain.h"
#include "store/checkpoint.h"
#include "store/schema.h"
#include "store/store.h"

#define BUSY_TIMEOUT_MS 5000

/* ---- paths and files ---- */

static int open_fail(char **err, const char *path, const char *what, const char *detail)
{
	if (err)
		*err = xasprintf("journal %s: %s%s%s", path, what, detail ? ": " : "", detail ? detail : "");
	return -1;
}

static const char *home_dir(void)
{
	const char *home = getenv("HOME");
	if (home && *home)
		return home;
	struct passwd *pw = getpwuid(getuid());
	return pw && pw->pw_dir ? pw->pw_dir : NULL;
}

char *journal_default_path(void)
{
	const char *xdg = getenv("XDG_DATA_HOME");
	if (xdg && xdg[0] == '/') /* the XDG spec says to ignore relative paths */
		return xasprintf("%s/opsdeck/journal.db", xdg);
	const char *home = home_dir();
	if (home)
		return xasprintf("%s/.local/share/opsdeck/journal.db", home);
	return xstrdup("opsdeck-journal.db");
}

/* mkdir -p of path's directory; directories we create are 0700. */
static int make_parent_dirs(const char *path, char **err)
{
	char *dir = xstrdup(path);
	char *slash = strrchr(dir, '/');
	int rc = 0;
	if (slash && slash != dir) {
		*slash = '\0';
		for (char *p = dir + 1; rc == 0; p++) {
			if (*p != '/' && *p != '\0')
				continue;
			char c = *p;
			*p = '\0';
			if (mkdir(dir, 0700) < 0 && errno != EEXIST) {
				int e = errno;
				char *what = xasprintf("cannot create directory %s", dir);
				rc = open_fail(err, path, what, strerror(e));
				free(what);
			}
			*p = c;
			if (c == '\0')
				break;
		}
	}
	free(dir);
	return rc;
}

/* SQLite would create the file 0644; a journal holds captured output, so 0600. */
static int create_file(const char *path, char **err)
{
	int fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd >= 0) {
		close(fd);
		return 0;
	}
	if (errno == EEXIST)
		return 0;
	return open_fail(err, path, "cannot create the file", strerror(errno));
}

/* ---- opening ---- */

static struct journal *journal_new(const char *path)
{
	struct journal *j = xcalloc(1, sizeof *j);
	j->path = xstrdup(path);
	return j;
}

static int open_db(struct journal *j, int flags, char **err)
{
	if (sqlite3_open_v2(j->path, &j->db, flags, NULL) != SQLITE_OK) {
		store_fail(j, err, "cannot open");
		return -1;
	}
	sqlite3_busy_timeout(j->db, BUSY_TIMEOUT_MS);
	sqlite3_db_config(j->db, SQLITE_DBCONFIG_DEFENSIVE, 1, NULL);
	return 0;
}

static int configure_rw(struct journal *j, char **err)
{
	if (sqlite3_db_readonly(j->db, "main") == 1)
		return store_failf(j, err, "is read-only (check the file's permissions): nothing could be "
				   "recorded; fix them or choose a writable --journal file");
	/* a row reported recorded must survive kill -9 and power loss */
	if (store_exec(j, "PRAGMA journal_mode = WAL", "cannot open", err) < 0 ||
	    store_exec(j, "PRAGMA synchronous = FULL", "cannot open", err) < 0 ||
	    store_exec(j, "PRAGMA foreign_keys = ON", "cannot open", err) < 0)
		return -1;
	return schema_migrate(j, err);
}

int journal_open(struct journal **jp, const char *path, char **err)
{
	*jp = NULL;
	if (make_parent_dirs(path, err) < 0 || create_file(path, err) < 0)
		return -1;
	struct journal *j = journal_new(path);
	if (open_db(j, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, err) < 0 || configure_rw(j, err) < 0) {
		journal_close(j);
		return -1;
	}
	*jp = j;
	return 0;
}

/* The file and its directory can be written (WAL needs the -shm beside it), as this user
 * and on this filesystem (a read-only mount says so even to root). */
static int writable_place(const char *path)
{
	char *dir = xstrdup(path), *slash = strrchr(dir, '/');
	if (slash)
		slash[slash == dir] = '\0'; /* "/x" -> "/", "a/b" -> "a" */
	int ok = access(path, W_OK) == 0 && access(slash ? dir : ".", W_OK) == 0;
	free(dir);
	return ok;
}

/* A journal on read-only media (a mounted backup, a ro filesystem): SQLite cannot make the
 * -shm file WAL mode reads need, so it is read as immutable, which is right only when no
 * write-ahead log holds rows not yet in the file itself. */
static int open_immutable(struct journal **jp, const char *path, char **err)
{
	char *wal = xasprintf("%s-wal", path);
	struct stat sb;
	int pending = stat(wal, &sb) == 0 && sb.st_size > 0;
	free(wal);
	if (pending)
		return open_fail(err, path, "cannot be read here", "it is on read-only media with a write-ahead log "
				 "(FILE-wal) not yet merged into it; copy the journal with its -wal file somewhere writable "
				 "and read the copy");
	struct sbuf uri = {0};
	sbuf_add(&uri, "file:");
	for (const char *c = path; *c; c++) /* what a URI path cannot hold as it is */
		if (*c == '%' || *c == '?' || *c == '#')
			sbuf_addf(&uri, "%%%02X", (unsigned char)*c);
		else
			sbuf_addf(&uri, "%c", *c);
	sbuf_add(&uri, "?immutable=1");
	struct journal *j = journal_new(path);
	j->read_only = 1;
	int rc = sqlite3_open_v2(uri.buf, &j->db, SQLITE_OPEN_READONLY | SQLITE_OPEN_URI | SQLITE_OPEN_NOMUTEX, NULL);
	sbuf_done(&uri);
	if (rc != SQLITE_OK) {
		store_fail(j, err, "cannot open");
		journal_close(j);
		return -1;
	}
	sqlite3_db_config(j->db, SQLITE_DBCONFIG_DEFENSIVE, 1, NULL);
	if (schema_check(j, err) < 0) {
		journal_close(j);
		return -1;
	}
	*jp = j;
	return 0;
}

int journal_open_readonly(struct journal **jp, const char *path, char **err)
{
	*jp = NULL;
	struct stat sb;
	if (stat(path, &sb) < 0)
		return open_fail(err, path, errno == ENOENT ? "does not exist (nothing recorded there yet?)"
				 : "cannot open", errno == ENOENT ? NULL : strerror(errno));
	if (!writable_place(path))
		return open_immutable(jp, path, err);
	struct journal *j = journal_new(path);
	j->read_only = 1;
	/* Opened read-write where the file allows it, but query_only: such a connection
	 * removes the -wal and -shm files when it closes (a SQLITE_OPEN_READONLY one leaves
	 * them behind), and still no statement can change the journal. */
	if (open_db(j, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, err) < 0 ||
	    store_exec(j, "PRAGMA query_only = ON", "cannot open", err) < 0 ||
	    schema_check(j, err) < 0) {
		journal_close(j);
		return -1;
	}
	*jp = j;
	return 0;
}

void journal_close(struct journal *j)
{
	if (!j)
		return;
	store_finalize(j);
	sqlite3_close(j->db);
	free(j->path);
	free(j->cp_err);
	free(j);
}

const char *journal_path(const struct journal *j) { return j->path; }
int journal_schema_version(void) { return schema_latest(); }
struct sqlite3 *journal_sqlite(struct journal *j) { return j->db; }

/* ---- who and where ---- */

static char *current_os_user(void)
{
	struct passwd *pw = getpwuid(geteuid());
	if (pw && pw->pw_name)
		return xstrdup(pw->pw_name);
	return xasprintf("uid %u", (unsigned)geteuid());
}

static char *current_host(void)
{
	char buf[256];
	if (gethostname(buf, sizeof buf) < 0)
		return xstrdup("unknown");
	buf[sizeof buf - 1] = '\0';
	return xstrdup(buf);
}

static int empty(const char *s) { return !s || !*s; }

static int one_of(const char *s, const char *const *set)
{
	for (; s && *set; set++)
		if (strcmp(s, *set) == 0)
			return 1;
	return 0;
}

/* Inside a write transaction: the run exists. */
static int require_run(struct journal *j, int64_t run_id, const char *what, char **err)
{
	sqlite3_stmt *st = store_prepare(j, "SELECT 1 FROM runs WHERE id = ?1", err);
	if (!st)
		return -1;
	sqlite3_bind_int64(st, 1, run_id);
	int rc = sqlite3_step(st);
	if (rc == SQLITE_DONE)
		store_failf(j, err, ": %s: there is no run %lld in this journal", what, (long long)run_id);
	else if (rc != SQLITE_ROW)
		store_fail(j, err, what);
	sqlite3_finalize(st);
	return rc == SQLITE_ROW ? 0 : -1;
}

/* One transaction: check the run exists, append one row. */
static int append_for_run(struct journal *j, int64_t run_id, enum jtable_id t, const struct jval *vals,
			  size_t nvals, int64_t *row_id, const char *what, char **err)
{
	if (chain_begin(j, what, err) < 0)
		return -1;
	if (require_run(j, run_id, what, err) < 0 ||
	    chain_append(j, t, vals, nvals, row_id, what, err) < 0 ||
	    chain_commit(j, what, err) < 0) {
		chain_rollback(j);
		return -1;
	}
	return 0;
}

/* ---- runs ---- */

static int insert_run(struct journal *j, const struct journal_run *r, int64_t *id, const char *what,
		      char **err)
{
	char *user = r->os_user ? NULL : current_os_user();
	char *host = r->host ? NULL : current_host();
	int64_t now = now_wall_ms();
	struct jval run[] = {
		jv_text(r->kind), jv_text(r->ref), jv_text(r->title), jv_text(r->env),
		jv_text(r->operator_name), jv_text(r->os_user ? r->os_user : user),
		jv_text(r->host ? r->host : host), jv_int(now),
	};
	int rc = chain_append(j, JT_RUNS, run, ARRAY_LEN(run), id, what, err);
	free(user);
	free(host);
	if (rc < 0)
		return -1;
	struct jval ev[] = {jv_int(*id), jv_text("started"), jv_null(), jv_int(now)};
	return chain_append(j, JT_RUN_EVENTS, ev, ARRAY_LEN(ev), NULL, what, err);
}

int64_t journal_run_begin(struct journal *j, const struct journal_run *r, char **err)
{
	const char *what = "cannot record the run";
	int64_t id = -1;
	if (empty(r->kind) || empty(r->ref))
		return store_failf(j, err, ": %s: its kind and ref are required", what);
	if (chain_begin(j, what, err) < 0)
		return -1;
	if (insert_run(j, r, &id, what, err) < 0 || chain_commit(j, what, err) < 0) {
		chain_rollback(j);
		return -1;
	}
	return id;
}

static int run_event(struct journal *j, int64_t run_id, const char *event, const char *note,
		     const char *what, char **err)
{
	struct jval ev[] = {jv_int(run_id), jv_text(event), jv_text(note), jv_int(now_wall_ms())};
	return append_for_run(j, run_id, JT_RUN_EVENTS, ev, ARRAY_LEN(ev), NULL, what, err);
}

int journal_run_end(struct journal *j, int64_t run_id, const char *state, char **err)
{
	static const char *const states[] = {"done", "failed", "aborted", NULL};
	const char *what = "cannot record the end of the run";
	if (!one_of(state, states))
		return store_failf(j, err, ": %s: unknown state '%s' (expected done, failed or aborted)",
				   what, state ? state : "(null)");
	return run_event(j, run_id, state, NULL, what, err);
}

int journal_run_resume(struct journal *j, int64_t run_id, const char *note, char **err)
{
	return run_event(j, run_id, "resumed", note, "cannot record that the run resumed", err);
}

int journal_run_rollback(struct journal *j, int64_t run_id, const char *reason, char **err)
{
	const char *what = "cannot record the roll-back";
	char *state = NULL;
	if (empty(reason))
		return store_failf(j, err, ": %s: a roll-back needs its reason", what);
	int found = journal_run_state(j, run_id, &state, err);
	int again = found == 1 && state && !strcmp(state, "rolled-back");
	free(state);
	if (found < 0)
		return -1;
	if (again)
		return store_failf(j, err, ": %s: run %lld is already rolled back", what, (long long)run_id);
	return run_event(j, run_id, "rolled-back", reason, what, err);
}

/* ---- step results, samples, baselines ---- */

int journal_step_record(struct journal *j, const struct journal_step *s, char **err)
{
	static const char *const statuses[] = {"pass", "fail", "skip", "manual-ok", "pending", "error", NULL};
	const char *what = "cannot record the step result";
	if (empty(s->step_id))
		return store_failf(j, err, ": %s: its step id is empty", what);
	if (!one_of(s->status, statuses))
		return store_failf(j, err, ": %s: unknown status '%s' (expected pass, fail, skip, manual-ok, "
				   "pending or error)", what, s->status ? s->status : "(null)");
	struct jval v[] = {
		jv_int(s->run_id), jv_text(s->step_id), jv_text(s->title), jv_text(s->status),
		jv_text(s->observed), jv_text(s->expectation), jv_text(s->output), jv_text(s->note),
		s->duration_ms >= 0 ? jv_int(s->duration_ms) : jv_null(), jv_int(now_wall_ms()),
	};
	return append_for_run(j, s->run_id, JT_STEP_RESULTS, v, ARRAY_LEN(v), NULL, what, err);
}

int journal_run_value(struct journal *j, int64_t run_id, const char *kind, const char *name,
		      const char *value, char **err)
{
	static const char *const kinds[] = {"input", "capture", NULL};
	const char *what = "cannot record the run's value";
	if (!one_of(kind, kinds) || empty(name))
		return store_failf(j, err, ": %s: kind must be input or capture and the name non-empty", what);
	struct jval v[] = {jv_int(run_id), jv_text(kind), jv_text(name), jv_text(value), jv_int(now_wall_ms())};
	return append_for_run(j, run_id, JT_RUN_VALUES, v, ARRAY_LEN(v), NULL, what, err);
}

int journal_sample(struct journal *j, const char *source, const char *metric, double value,
		   const char *unit, char **err)
{
	const char *what = "cannot record the sample";
	if (empty(source) || empty(metric))
		return store_failf(j, err, ": %s: its source and metric are required", what);
	if (isnan(value))
		return store_failf(j, err, ": %s: %s %s is not a number", what, source, metric);
	struct jval v[] = {jv_text(source), jv_text(metric), jv_real(value), jv_text(unit),
			   jv_int(now_wall_ms())};
	return chain_append_one(j, JT_SAMPLES, v, ARRAY_LEN(v), NULL, what, err);
}

int journal_samples(struct journal *j, const struct journal_sample_row *rows, int n, char **err)
{
	const char *what = "cannot record the samples";
	int64_t now = now_wall_ms();
	if (n <= 0)
		return 0;
	if (chain_begin(j, what, err) < 0)
		return -1;
	for (int i = 0; i < n; i++) {
		if (empty(rows[i].source) || empty(rows[i].metric) || isnan(rows[i].value))
			continue; /* an unknown value is simply not sampled */
		struct jval v[] = {jv_text(rows[i].source), jv_text(rows[i].metric), jv_real(rows[i].value),
				   jv_text(rows[i].unit), jv_int(now)};
		if (chain_append(j, JT_SAMPLES, v, ARRAY_LEN(v), NULL, what, err) < 0) {
			chain_rollback(j);
			return -1;
		}
	}
	if (chain_commit(j, what, err) < 0) {
		chain_rollback(j);
		return -1;
	}
	return 0;
}

int journal_baseline(struct journal *j, int64_t run_id, const char *name, double value,
		     const char *unit, char **err)
{
	const char *what = "cannot record the baseline";
	if (empty(name))
		return store_failf(j, err, ": %s: its name is required", what);
	if (isnan(value))
		return store_failf(j, err, ": %s: %s is not a number", what, name);
	struct jval v[] = {run_id > 0 ? jv_int(run_id) : jv_null(), jv_text(name), jv_real(value),
			   jv_text(unit), jv_int(now_wall_ms())};
	if (run_id <= 0)
		return chain_append_one(j, JT_BASELINES, v, ARRAY_LEN(v), NULL, what, err);
	return append_for_run(j, run_id, JT_BASELINES, v, ARRAY_LEN(v), NULL, what, err);
}

int journal_baseline_latest(struct journal *j, const char *env, const char *name, double *value,
			    char **unit, char **err)
{
	const char *sql = env
		? "SELECT b.value, b.unit FROM baselines b JOIN runs r ON r.id = b.run_id "
		  "WHERE b.name = ?1 AND r.env = ?2 ORDER BY b.id DESC LIMIT 1"
		: "SELECT value, unit FROM baselines WHERE name = ?1 ORDER BY id DESC LIMIT 1";
	sqlite3_stmt *st = store_prepare(j, sql, err);
	if (!st)
		return -1;
	store_bind_text(st, 1, name);
	if (env)
		store_bind_text(st, 2, env);
	int rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		*value = sqlite3_column_double(st, 0);
		if (unit)
			*unit = store_column_strdup(st, 1);
	} else if (rc != SQLITE_DONE) {
		store_fail(j, err, "cannot read baselines");
	}
	sqlite3_finalize(st);
	return rc == SQLITE_ROW ? 1 : rc == SQLITE_DONE ? 0 : -1;
}

/* ---- sign-offs ---- */

/* Inside the transaction: the corrected sign-off belongs to the same run. */
static int require_signoff(struct journal *j, const struct journal_signoff *s, const char *what,
			   char **err)
{
	sqlite3_stmt *st = store_prepare(j, "SELECT 1 FROM signoffs WHERE id = ?1 AND run_id = ?2", err);
	if (!st)
		return -1;
	sqlite3_bind_int64(st, 1, s->corrects_id);
	sqlite3_bind_int64(st, 2, s->run_id);
	int rc = sqlite3_step(st);
	if (rc == SQLITE_DONE)
		store_failf(j, err, ": %s: run %lld has no sign-off %lld to correct", what,
			    (long long)s->run_id, (long long)s->corrects_id);
	else if (rc != SQLITE_ROW)
		store_fail(j, err, what);
	sqlite3_finalize(st);
	return rc == SQLITE_ROW ? 0 : -1;
}

static int signoff_allowed(struct journal *j, const struct journal_signoff *s, const char *what,
			   char **err)
{
	struct step_counts c;
	if (require_run(j, s->run_id, what, err) < 0 || store_step_counts_exact(j, s->run_id, &c, err) < 0)
		return -1;
	if (c.fail > 0 && empty(s->reason))
		return store_failf(j, err, ": %s: run %lld has %lld failed step%s: a sign-off over failed "
				   "steps needs a reason", what, (long long)s->run_id, (long long)c.fail,
				   c.fail == 1 ? "" : "s");
	if (s->corrects_id > 0)
		return require_signoff(j, s, what, err);
	return 0;
}

static int insert_signoff(struct journal *j, const struct journal_signoff *s, int64_t *id,
			  const char *what, char **err)
{
	char *user = s->os_user ? NULL : current_os_user();
	char *host = s->host ? NULL : current_host();
	struct jval v[] = {
		jv_int(s->run_id), jv_text(s->role), jv_text(s->person),
		jv_text(s->os_user ? s->os_user : user), jv_text(s->host ? s->host : host),
		jv_text(s->comment), jv_text(empty(s->reason) ? NULL : s->reason),
		s->corrects_id > 0 ? jv_int(s->corrects_id) : jv_null(), jv_int(now_wall_ms()),
	};
	int rc = chain_append(j, JT_SIGNOFFS, v, ARRAY_LEN(v), id, what, err);
	free(user);
	free(host);
	return rc;
}

int64_t journal_signoff(struct journal *j, const struct journal_signoff *s, char **err)
{
	const char *what = "cannot record the sign-off";
	int64_t id = -1;
	if (empty(s->role) || empty(s->person))
		return store_failf(j, err, ": %s: its role and person are required", what);
	if (chain_begin(j, what, err) < 0)
		return -1;
	if (signoff_allowed(j, s, what, err) < 0 || insert_signoff(j, s, &id, what, err) < 0 ||
	    chain_commit(j, what, err) < 0) {
		chain_rollback(j);
		return -1;
	}
	return id;
}

/* ---- verification ---- */

static int cut(struct journal_verify *v, int64_t seq, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int cut(struct journal_verify *v, int64_t seq, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(v->reason, sizeof v->reason, fmt, ap);
	va_end(ap);
	v->first_bad_seq = seq;
	snprintf(v->table, sizeof v->table, "%s", "checkpoint");
	v->row_id = 0;
	return 1;
}

/* The rows' chain is intact: does it still reach the head checkpointed beside it? */
static int verify_checkpoint(struct journal *j, struct journal_verify *v, char **err)
{
	char hash[65], *cerr = NULL;
	enum checkpoint_sig sig;
	int c = checkpoint_read(j->path, &v->checkpoint_seq, hash, &sig, &cerr);
	if (c == 0)
		return 0;
	if (c < 0) {
		int r = cut(v, v->head_seq, "the checkpoint is damaged: %s", cerr);
		free(cerr);
		return r;
	}
	if (sig == CP_SIG_BAD)
		return cut(v, v->checkpoint_seq, "the checkpoint %s.head was altered (its signature does not match)",
			   j->path);
	char at[65];
	int f = chain_hash_at(j, v->checkpoint_seq, at, err);
	if (f < 0)
		return -1;
	/* Beyond the rows walked: cut off, unless another writer appended them (and moved
	 * the checkpoint) while the walk went on; then the row is there with its hash. */
	if (v->checkpoint_seq > v->head_seq && (f == 0 || strcmp(at, hash)))
		return cut(v, v->head_seq + 1,
			   "the journal ends at seq %" PRId64 " but its checkpoint says seq %" PRId64
			   ": rows were cut off the end", v->head_seq, v->checkpoint_seq);
	if (f == 0 || strcmp(at, hash))
		return cut(v, v->checkpoint_seq,
			   "the row at seq %" PRId64 " is not the one checkpointed: the journal was rewritten",
			   v->checkpoint_seq);
	v->checkpoint = sig == CP_SIG_OK ? 1 : 2;
	return 0;
}

/* The derived step counts (step_counts, kept by a trigger) are what the step results give. */
static int verify_step_counts(struct journal *j, struct journal_verify *v, char **err)
{
	int64_t run = 0;
	int bad = store_step_counts_check(j, &run, err);
	if (bad != 1)
		return bad;
	sqlite3_stmt *st = store_prepare(j, "SELECT seq FROM runs WHERE id = ?1", err);
	if (!st)
		return -1;
	sqlite3_bind_int64(st, 1, run);
	int64_t seq = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
	sqlite3_finalize(st);
	cut(v, seq, "run %" PRId64 "'s step counts (as journal list and the review show them) are not what its "
	    "step results give: the derived table was edited", run);
	snprintf(v->table, sizeof v->table, "%s", "step_counts");
	v->row_id = run;
	return 1;
}

static void mark_verified(struct journal *j, const struct journal_verify *v, int64_t full_seq, int64_t full_at)
{
	struct verified_mark m = {.seq = v->head_seq, .full_seq = full_seq, .full_at = full_at};
	char *merr = NULL;
	memcpy(m.hash, v->head, sizeof m.hash);
	if (m.seq > 0)
		verified_mark_write(j->path, &m, &merr); /* best effort: without it the next walk is whole */
	free(merr);
}

int journal_verify(struct journal *j, struct journal_verify *v, char **err)
{
	int rc = chain_verify(j, v, err);
	v->checkpoint = 0;
	v->checkpoint_seq = 0;
	if (rc == 0)
		rc = verify_checkpoint(j, v, err);
	if (rc == 0)
		rc = verify_step_counts(j, v, err);
	if (rc == 0)
		mark_verified(j, v, v->head_seq, now_wall_ms());
	if (rc == 1) { /* exports walk from the first row again, and say what they find */
		char *mark = verified_mark_path(j->path);
		unlink(mark);
		free(mark);
	}
	return rc;
}

int journal_verify_since(struct journal *j, struct journal_verify *v, char **err)
{
	struct verified_mark m;
	int rc = verified_mark_read(j->path, &m) == 1 ? chain_verify_from(j, v, m.seq, m.hash, err) : 2;
	if (rc == 2)
		return journal_verify(j, v, err);
	v->checkpoint = 0;
	v->checkpoint_seq = 0;
	v->from_seq = m.seq;
	v->full_seq = m.full_seq;
	v->full_at = m.full_at;
	if (rc == 0)
		rc = verify_checkpoint(j, v, err);
	if (rc == 0 && v->head_seq > m.seq)
		mark_verified(j, v, m.full_seq, m.full_at);
	return rc;
}

int journal_hash_at(struct journal *j, int64_t seq, char *hash, char **err)
{
	return chain_hash_at(j, seq, hash, err);
}

const char *journal_checkpoint_error(const struct journal *j)
{
	return j->cp_err;
}
