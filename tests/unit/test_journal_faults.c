/* The journal when things fail on purpose, as SQLite's own tests do it: the disk fills up
 * mid-run (PRAGMA max_page_count), the Nth write to the database or its WAL fails (a VFS
 * shim), the Nth allocation SQLite makes fails (SQLITE_CONFIG_MALLOC). Every failure must
 * come back as -1 with a message, leave no half-written row (the chain verifies) and let
 * later writes work again. Our own allocations go through src/util.c's x* wrappers, which
 * abort on OOM instead of returning NULL (checked in a child process). */
#include <errno.h>
#include <signal.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "src/util.h"
#include "store/journal.h"
#include "tests/unit/files.h"
#include "tests/unit/tap.h"

static char *tmpdir;
static char *tmp_path(const char *name) { return xasprintf("%s/%s", tmpdir, name); }
static int contains(const char *s, const char *needle) { return s && strstr(s, needle) != NULL; }

/* ---- SQLite's allocator, failing on demand ---- */

static sqlite3_mem_methods real_mem;
static long mem_count;   /* allocations made since mem_arm() */
static long mem_fail_at; /* 0: never fail */
static int mem_sticky;   /* 1: the fail_at-th allocation and every later one fail */
static long mem_failed;  /* allocations refused */

static int mem_paused; /* 1: allocations neither counted nor refused */

static int mem_refuse(void)
{
	if (!mem_fail_at || mem_paused)
		return 0;
	mem_count++;
	if (mem_count == mem_fail_at || (mem_sticky && mem_count > mem_fail_at)) {
		mem_failed++;
		return 1;
	}
	return 0;
}

static void *mem_malloc(int n) { return mem_refuse() ? NULL : real_mem.xMalloc(n); }
static void *mem_realloc(void *p, int n) { return mem_refuse() ? NULL : real_mem.xRealloc(p, n); }

static void mem_pause(int pause) { mem_paused = pause; }

static void mem_arm(long fail_at, int sticky)
{
	mem_count = mem_failed = 0;
	mem_fail_at = fail_at;
	mem_sticky = sticky;
}

static int mem_install(void)
{
	if (sqlite3_config(SQLITE_CONFIG_GETMALLOC, &real_mem) != SQLITE_OK)
		return -1;
	sqlite3_mem_methods m = real_mem;
	m.xMalloc = mem_malloc;
	m.xRealloc = mem_realloc;
	return sqlite3_config(SQLITE_CONFIG_MALLOC, &m) == SQLITE_OK ? 0 : -1;
}

/* ---- a VFS that passes everything to the default one, but can fail writes ---- */

static sqlite3_vfs *real_vfs;
static sqlite3_vfs shim_vfs;
static long write_count, write_fail_at; /* write_fail_at 0: never; else that write and all later fail */
static int write_error = SQLITE_FULL;

struct shim_file {
	sqlite3_file base;
	sqlite3_file *real; /* follows the struct, real_vfs->szOsFile bytes */
};
#define REAL(f) (((struct shim_file *)(f))->real)

static int shim_close(sqlite3_file *f) { return REAL(f)->pMethods->xClose(REAL(f)); }
static int shim_read(sqlite3_file *f, void *buf, int n, sqlite3_int64 off)
{
	return REAL(f)->pMethods->xRead(REAL(f), buf, n, off);
}
static int shim_write(sqlite3_file *f, const void *buf, int n, sqlite3_int64 off)
{
	if (write_fail_at && ++write_count >= write_fail_at)
		return write_error;
	return REAL(f)->pMethods->xWrite(REAL(f), buf, n, off);
}
static int shim_truncate(sqlite3_file *f, sqlite3_int64 size) { return REAL(f)->pMethods->xTruncate(REAL(f), size); }
static int shim_sync(sqlite3_file *f, int flags) { return REAL(f)->pMethods->xSync(REAL(f), flags); }
static int shim_size(sqlite3_file *f, sqlite3_int64 *size) { return REAL(f)->pMethods->xFileSize(REAL(f), size); }
static int shim_lock(sqlite3_file *f, int l) { return REAL(f)->pMethods->xLock(REAL(f), l); }
static int shim_unlock(sqlite3_file *f, int l) { return REAL(f)->pMethods->xUnlock(REAL(f), l); }
static int shim_reserved(sqlite3_file *f, int *out) { return REAL(f)->pMethods->xCheckReservedLock(REAL(f), out); }
static int shim_fcntl(sqlite3_file *f, int op, void *arg) { return REAL(f)->pMethods->xFileControl(REAL(f), op, arg); }
static int shim_sector(sqlite3_file *f) { return REAL(f)->pMethods->xSectorSize(REAL(f)); }
static int shim_devchar(sqlite3_file *f) { return REAL(f)->pMethods->xDeviceCharacteristics(REAL(f)); }
static int shim_shm_map(sqlite3_file *f, int pg, int pgsz, int extend, void volatile **p)
{
	return REAL(f)->pMethods->xShmMap(REAL(f), pg, pgsz, extend, p);
}
static int shim_shm_lock(sqlite3_file *f, int off, int n, int flags) { return REAL(f)->pMethods->xShmLock(REAL(f), off, n, flags); }
static void shim_shm_barrier(sqlite3_file *f) { REAL(f)->pMethods->xShmBarrier(REAL(f)); }
static int shim_shm_unmap(sqlite3_file *f, int del) { return REAL(f)->pMethods->xShmUnmap(REAL(f), del); }

/* version 2: no memory-mapped I/O (xFetch), so every write goes through shim_write */
static const sqlite3_io_methods shim_io = {
	2, shim_close, shim_read, shim_write, shim_truncate, shim_sync, shim_size, shim_lock, shim_unlock,
	shim_reserved, shim_fcntl, shim_sector, shim_devchar, shim_shm_map, shim_shm_lock, shim_shm_barrier,
	shim_shm_unmap, NULL, NULL,
};

static int shim_open(sqlite3_vfs *vfs, const char *name, sqlite3_file *f, int flags, int *out_flags)
{
	(void)vfs;
	struct shim_file *sf = (struct shim_file *)f;
	sf->real = (sqlite3_file *)(sf + 1);
	memset(sf->real, 0, (size_t)real_vfs->szOsFile);
	int rc = real_vfs->xOpen(real_vfs, name, sf->real, flags, out_flags);
	sf->base.pMethods = sf->real->pMethods ? &shim_io : NULL;
	return rc;
}

static int shim_install(void)
{
	real_vfs = sqlite3_vfs_find(NULL);
	if (!real_vfs || real_vfs->iVersion < 2)
		return -1;
	shim_vfs = *real_vfs;
	shim_vfs.zName = "faulty";
	shim_vfs.szOsFile = (int)sizeof(struct shim_file) + real_vfs->szOsFile;
	shim_vfs.xOpen = shim_open;
	shim_vfs.pNext = NULL;
	return sqlite3_vfs_register(&shim_vfs, 1) == SQLITE_OK ? 0 : -1; /* the default from now on */
}

static void writes_fail_from(long n, int error)
{
	write_count = 0;
	write_fail_at = n;
	write_error = error;
}

/* ---- journal helpers ---- */

/* 0 intact, 1 broken, -1 error; *rows set. Opens its own read-only connection. */
static int verify_file(const char *path, int64_t *rows)
{
	struct journal *j;
	struct journal_verify v = {0};
	char *err = NULL;
	*rows = -1;
	if (journal_open_readonly(&j, path, &err) < 0) {
		printf("# open %s: %s\n", path, err);
		free(err);
		return -1;
	}
	int rc = journal_verify(j, &v, &err);
	if (rc < 0)
		printf("# verify %s: %s\n", path, err);
	else if (rc > 0)
		printf("# verify %s: seq %lld %s\n", path, (long long)v.first_bad_seq, v.reason);
	*rows = v.rows;
	free(err);
	journal_close(j);
	return rc;
}

/* How many results the run has for step_id (-1 on error). */
static int step_results(struct journal *j, int64_t run, const char *step_id)
{
	struct journal_step_result *r = NULL;
	int n = -1;
	char *err = NULL;
	if (journal_step_results(j, run, step_id, &r, &n, &err) < 0) {
		printf("# step_results: %s\n", err);
		n = -1;
	}
	free(r);
	free(err);
	return n;
}

static int64_t begin_run(struct journal *j, char **err)
{
	struct journal_run r = {"checklist", "W3-4", "Read replicas", "staging", "alice", "alice", "host1"};
	return journal_run_begin(j, &r, err);
}

static int record(struct journal *j, int64_t run, const char *step_id, const char *output, char **err)
{
	struct journal_step s = {run, step_id, "a step", "pass", "12", "value < 1000", output, NULL, 42};
	return journal_step_record(j, &s, err);
}

static char *big_text(size_t n)
{
	char *s = xmalloc(n + 1);
	for (size_t i = 0; i < n; i++)
		s[i] = (char)('a' + i % 26);
	s[n] = '\0';
	return s;
}

/* ---- the disk fills up mid-run ---- */

static void test_full(void)
{
	char *path = tmp_path("full.db"), *err = NULL;
	int64_t rows;
	struct journal *j = open_ok(path);
	if (!ok(j != NULL, "disk full: a new journal opens"))
		goto out;
	int64_t run = begin_run(j, &err);
	ok(run > 0 && record(j, run, "1", "ok", &err) == 0, "a run and its first step are recorded");
	str_free(&err);
	sqlite3 *db = journal_sqlite(j);
	/* clamps to the current size: a row needing one more page does not fit */
	sqlite3_exec(db, "PRAGMA max_page_count = 1", NULL, NULL, NULL);
	char *big = big_text(256 * 1024);

	is_int(record(j, run, "2", big, &err), -1, "step record on a full disk: -1");
	ok(contains(err, "cannot record the step result") && contains(err, "full") && contains(err, path),
	   "with a message naming the journal and why: %s", err);
	str_free(&err);

	struct journal_signoff so = {run, "DBA", "Bob", "bob", "host1", big, NULL, 0};
	is_int(journal_signoff(j, &so, &err), -1, "sign-off on a full disk: -1");
	ok(contains(err, "cannot record the sign-off") && contains(err, "full"), "with a message: %s", err);
	str_free(&err);

	struct journal_run r = {"runbook", "RB-1", big, "staging", NULL, "alice", "host1"};
	is_int(journal_run_begin(j, &r, &err), -1, "run begin (run + started event, one transaction) on a full disk: -1");
	ok(contains(err, "cannot record the run") && contains(err, "full"), "with a message: %s", err);
	str_free(&err);

	ok(sqlite3_get_autocommit(db), "no transaction is left open after the failures");
	is_int(step_results(j, run, "2"), 0, "no half-written step row");
	is_int(verify_file(path, &rows), 0, "the chain still verifies");
	is_int(rows, 3, "with only the rows reported recorded (run, started, step 1)");

	sqlite3_exec(db, "PRAGMA max_page_count = 1073741823", NULL, NULL, NULL);
	is_int(record(j, run, "2", big, &err), 0, "with space again the step is recorded");
	so.comment = "all green";
	ok(journal_signoff(j, &so, &err) > 0, "and the sign-off");
	ok(journal_run_begin(j, &r, &err) > 0, "and a new run");
	str_free(&err);
	is_int(verify_file(path, &rows), 0, "the chain verifies");
	is_int(rows, 7, "with every row recorded since");
	free(big);
	journal_close(j);
out:
	free(path);
}

/* ---- writes fail: the COMMIT (WAL frames) of the chain's transaction ---- */

static void test_write_errors(void)
{
	char *path = tmp_path("writes.db"), *err = NULL;
	int64_t rows;
	struct journal *j = open_ok(path);
	if (!ok(j != NULL, "write errors: a new journal opens (through the faulty VFS)"))
		goto out;
	int64_t run = begin_run(j, &err);
	ok(run > 0, "a run is recorded");
	str_free(&err);

	/* in WAL mode the rows reach the file only at COMMIT: this fails chain_commit */
	writes_fail_from(1, SQLITE_FULL);
	is_int(record(j, run, "1", "ok", &err), -1, "the commit cannot be written (disk full): -1");
	ok(contains(err, "cannot record the step result") && contains(err, "full"), "with a message: %s", err);
	str_free(&err);
	writes_fail_from(1, SQLITE_IOERR_WRITE);
	struct journal_signoff so = {run, "DBA", "Bob", "bob", "host1", NULL, NULL, 0};
	is_int(journal_signoff(j, &so, &err), -1, "sign-off whose commit hits an I/O error: -1");
	ok(contains(err, "cannot record the sign-off") && contains(err, "I/O error"), "with a message: %s", err);
	str_free(&err);
	int64_t end_rc = journal_run_end(j, run, "done", &err);
	ok(end_rc < 0 && err, "run end likewise: %s", err);
	str_free(&err);
	writes_fail_from(0, 0);
	ok(sqlite3_get_autocommit(journal_sqlite(j)), "no transaction is left open");
	is_int(step_results(j, run, "1"), 0, "the step that failed to commit is not there");
	is_int(verify_file(path, &rows), 0, "the chain verifies");
	is_int(rows, 2, "with the run and its started event only");

	ok(record(j, run, "1", "ok", &err) == 0, "with writes working again the step is recorded");
	ok(journal_signoff(j, &so, &err) > 0, "and the sign-off");
	str_free(&err);

	/* the Nth write fails: each attempt either records its row or fails with nothing left */
	int recorded = 1, failures = 0, wrong = 0;
	for (long n = 1; n <= 30; n++) {
		writes_fail_from(n, SQLITE_IOERR_WRITE);
		int rc = record(j, run, "2", "retry", &err);
		writes_fail_from(0, 0);
		if (rc == 0) {
			recorded++;
		} else {
			failures++;
			wrong += !err;
		}
		str_free(&err);
		int64_t before = rows;
		if (verify_file(path, &rows) != 0 || step_results(j, run, "2") != recorded - 1 ||
		    rows != 3 + recorded) {
			printf("# write %ld fails: rows %lld -> %lld, recorded %d\n", n, (long long)before,
			       (long long)rows, recorded);
			wrong++;
		}
	}
	ok(failures > 0 && !wrong, "write N = 1..30 fails: %d failed with a message, %d recorded; chain intact each time",
	   failures, recorded - 1);
	journal_close(j);
	j = open_ok(path);
	ok(j && record(j, run, "3", "after", &err) == 0, "reopened, the journal records again");
	str_free(&err);
	journal_close(j);
	is_int(verify_file(path, &rows), 0, "and verifies");
out:
	free(path);
}

/* ---- SQLite's Nth allocation fails ---- */

enum { OP_OPEN, OP_RUN, OP_STEP, OP_VERIFY, OP__COUNT };

struct oom_result {
	int rc[OP__COUNT]; /* 0 ok, -1 error with a message, 1 verify said broken, 2 not reached */
	int no_message;    /* an error without its message */
};

/* the journal and the files beside it: -wal, -shm, .head, ... */
static void remove_journal(const char *path)
{
	static const char *const suffixes[] = {"", "-wal", "-shm", "-journal", ".head", ".verified", NULL};
	for (int i = 0; suffixes[i]; i++) {
		char *f = xasprintf("%s%s", path, suffixes[i]);
		unlink(f);
		free(f);
	}
}

/* the ops up to last_op on path, allocations failing from first_op on; sticky: stop at the
 * first error */
static void oom_sequence(const char *path, int first_op, int last_op, int sticky, struct oom_result *res)
{
	struct journal *j = NULL;
	char *err = NULL;
	int64_t run = 0;
	for (int i = 0; i < OP__COUNT; i++)
		res->rc[i] = 2;
	res->no_message = 0;
	for (int op = 0; op <= last_op; op++) {
		int rc = 0;
		struct journal_verify v;
		switch (op) {
		case OP_OPEN:
			mem_pause(first_op > OP_OPEN);
			rc = journal_open(&j, path, &err);
			mem_pause(0);
			break;
		case OP_RUN: rc = (run = begin_run(j, &err)) > 0 ? 0 : -1; break;
		case OP_STEP: rc = run > 0 ? record(j, run, "1", "line 1\nline 2\n", &err) : 0; break;
		case OP_VERIFY:
			rc = journal_verify(j, &v, &err);
			if (rc == 1)
				printf("# allocation %ld failed: verify says seq %lld (%s) %s\n", mem_fail_at,
				       (long long)v.first_bad_seq, v.table, v.reason);
			break;
		}
		res->rc[op] = rc;
		if (rc < 0 && !(err && *err))
			res->no_message = 1;
		str_free(&err);
		if (!j || (rc && sticky))
			break;
	}
	journal_close(j);
}

/* With allocation N failing, for N = 1, 1 + stride, ... until the sequence no longer reaches
 * N: the ops up to last_op on a new journal (template NULL) or a copy of template. */
static void test_oom(const char *what, const char *template, int last_op, long stride, int sticky)
{
	const char *mode = sticky ? "from the Nth on" : "only the Nth";
	int bad = 0, said_broken = 0, no_message = 0, failed_ops[OP__COUNT] = {0}, tries = 0;
	long n, total = 0;
	for (n = 1;; n += stride) {
		char *path = tmp_path("oom.db");
		remove_journal(path);
		if (template && copy_file(template, path) < 0)
			bad++;
		struct oom_result res;
		mem_arm(n, sticky);
		oom_sequence(path, template ? OP_RUN : OP_OPEN, last_op, sticky, &res);
		long refused = mem_failed;
		total = mem_count;
		mem_arm(0, 0);
		tries++;
		for (int op = 0; op < OP__COUNT; op++) {
			failed_ops[op] += res.rc[op] == -1;
			said_broken += res.rc[op] == 1;
		}
		no_message += res.no_message;

		/* with memory back, the journal opens, verifies and holds what was reported */
		struct journal_verify v = {0};
		char *err = NULL;
		struct journal *j = open_ok(path);
		int vr = j ? journal_verify(j, &v, &err) : -1;
		int64_t rows = vr == 0 ? v.rows : -1;
		if (vr != 0)
			printf("# verify: %s %s\n", err ? err : "", v.reason);
		free(err);
		int want_min = (res.rc[OP_RUN] == 0 ? 2 : 0) + (res.rc[OP_STEP] == 0 && res.rc[OP_RUN] == 0);
		if (!j || vr != 0 || rows < want_min) {
			printf("# allocation %ld fails (%s): reopened %s, verify %d, rows %lld (want >= %d); ops %d %d %d %d\n",
			       n, mode, j ? "yes" : "no", vr, (long long)rows, want_min, res.rc[0], res.rc[1],
			       res.rc[2], res.rc[3]);
			bad++;
		}
		journal_close(j);
		free(path);
		if (!refused)
			break; /* the whole sequence ran without reaching allocation n */
		if (n > 100000) {
			printf("# still failing at allocation %ld\n", n);
			bad++;
			break;
		}
	}
	ok(tries > 50, "%s, %s: %d tries, allocation N = 1..%ld every %ld (the sequence makes %ld)", what, mode,
	   tries, n, stride, total);
	int each = 1;
	for (int op = template ? OP_RUN : OP_OPEN; op <= last_op; op++)
		each &= failed_ops[op] > 0;
	ok(each, "%s, %s: open, run begin, step record, verify failed %d, %d, %d, %d times", what, mode,
	   failed_ops[OP_OPEN], failed_ops[OP_RUN], failed_ops[OP_STEP], failed_ops[OP_VERIFY]);
	is_int(no_message, 0, "%s, %s: every failure came back as -1 with a message", what, mode);
	is_int(said_broken, 0, "%s, %s: verify never calls an intact journal broken for lack of memory", what, mode);
	is_int(bad, 0, "%s, %s: afterwards the journal reopens and verifies, holding what was reported recorded", what, mode);
}

static void test_oom_all(void)
{
	/* OPSDECK_FAULTS_EVERY=1: every allocation of the schema migration too (slow) */
	const char *every = getenv("OPSDECK_FAULTS_EVERY");
	long open_stride = every && *every == '1' ? 1 : 16;
	char *template = tmp_path("template.db");
	struct journal *j = open_ok(template);
	journal_close(j);
	for (int sticky = 1; sticky >= 0; sticky--) {
		test_oom("open + migrate a new journal", NULL, OP_OPEN, open_stride, sticky);
		test_oom("run begin, step record, verify", template, OP_VERIFY, 1, sticky);
	}
	free(template);
}

/* ---- our own allocations abort on OOM rather than return NULL ---- */

#ifdef __SANITIZE_ADDRESS__
/* ASan would report the impossible size itself; let malloc return NULL as libc's does */
const char *__asan_default_options(void);
const char *__asan_default_options(void) { return "allocator_may_return_null=1"; }
#endif

static void test_x_wrappers(void)
{
	pid_t pid = fork();
	if (pid == 0) {
		fclose(stderr); /* the fatal message is expected */
		void *p = xmalloc((size_t)-1 / 2);
		_exit(p ? 0 : 3); /* reached only if xmalloc returned */
	}
	int status = 0;
	waitpid(pid, &status, 0);
	ok(WIFSIGNALED(status) && WTERMSIG(status) == SIGABRT, "xmalloc of an impossible size aborts (status %#x)", status);
}

int main(void)
{
	/* the allocator can only be replaced before SQLite initializes */
	if (mem_install() < 0 || sqlite3_initialize() != SQLITE_OK || shim_install() < 0) {
		printf("Bail out! cannot install the failing allocator or VFS\n");
		return 1;
	}
	const char *base = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp"; /* thousands of fsyncs */
	char *tmpl = xasprintf("%s/test_journal_faults.XXXXXX", base);
	tmpdir = mkdtemp(tmpl);
	if (!tmpdir) {
		printf("Bail out! mkdtemp: %s\n", strerror(errno));
		return 1;
	}
	setenv("XDG_CONFIG_HOME", tmpdir, 1); /* the checkpoint key */

	test_full();
	test_write_errors();
	test_oom_all();
	test_x_wrappers();

	char *rm = xasprintf("rm -rf '%s'", tmpdir);
	if (system(rm) != 0)
		printf("# could not remove %s\n", tmpdir);
	free(rm);
	free(tmpl);
	sqlite3_shutdown();
	return done_testing();
}
