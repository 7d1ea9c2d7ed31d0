/* Replays inputs through the fuzz targets without libFuzzer, so every `make check` (and
 * every --enable-sanitizers build) runs the committed corpora and the crashers found so far.
 *
 *   regress                      every tests/fuzz/{corpus,crashers}/TARGET/ file (TAP)
 *   regress TARGET FILE...       the given files through one target (to reproduce a finding)
 *
 * A folder named after no target is a failure, so a typo cannot skip a corpus. Without
 * the sanitizers, two checks stand in for them: each input ends right before a page
 * that cannot be read, so reading past its end crashes; and each input runs twice, the
 * second run's heap growth being a leak (glibc's mallinfo2). */
#include <dirent.h>
#include <malloc.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "src/util.h"
#include "tests/fuzz/targets.h"
#include "tests/unit/tap.h"

static const char *current; /* the input being replayed, named when it crashes */

static void say_current(void)
{
	if (current) {
		static const char msg[] = "\n# crashed on input ";
		if (write(2, msg, sizeof(msg) - 1) < 0 || write(2, current, strlen(current)) < 0 || write(2, "\n", 1) < 0)
			return;
	}
}

static void on_signal(int sig)
{
	say_current();
	signal(sig, SIG_DFL);
	raise(sig);
}

/* Set by the sanitizer runtimes when linked in (weak: absent in a plain build). */
void __sanitizer_set_death_callback(void (*cb)(void)) __attribute__((weak));

static void watch_crashes(void)
{
	if (__sanitizer_set_death_callback) {
		__sanitizer_set_death_callback(say_current);
		return; /* the sanitizers report faults themselves */
	}
	static const int sigs[] = {SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT};
	for (size_t i = 0; i < ARRAY_LEN(sigs); i++)
		signal(sigs[i], on_signal);
}

static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	struct sbuf sb = {0};
	char buf[8192];
	size_t n;
	if (!f)
		return NULL;
	sbuf_addn(&sb, "", 0);
	while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
		sbuf_addn(&sb, buf, n);
	fclose(f);
	*len = sb.len;
	return sb.buf ? sbuf_steal(&sb) : xstrdup("");
}

static size_t heap_in_use(void)
{
#if defined(__GLIBC__) && (__GLIBC__ > 2 || __GLIBC_MINOR__ >= 33)
	struct mallinfo2 mi = mallinfo2();
	return mi.uordblks + mi.hblkhd;
#else
	return 0;
#endif
}

/* Runs t on len bytes placed right before an unreadable page. */
static void run_guarded(const struct fuzz_target *t, const char *data, size_t len)
{
	size_t page = (size_t)sysconf(_SC_PAGESIZE);
	size_t span = (len + page - 1) / page * page + page;
	uint8_t *map = mmap(NULL, span, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (map == MAP_FAILED)
		fatal("regress: mmap: out of memory");
	uint8_t *guard = map + span - page, *at = guard - len;
	if (mprotect(guard, page, PROT_NONE) < 0)
		fatal("regress: mprotect failed");
	memcpy(at, data, len);
	t->run(at, len);
	munmap(map, span);
}

/* 0, -1 when the file cannot be read; *leak: bytes the second run left on the heap. */
static int replay(const struct fuzz_target *t, const char *path, long *leak)
{
	size_t len = 0;
	char *data = slurp(path, &len);
	if (!data)
		return -1;
	current = path;
	run_guarded(t, data, len); /* the first run may fill caches (time zone, locale) */
	size_t before = heap_in_use();
	run_guarded(t, data, len);
	*leak = (long)(heap_in_use() - before);
	current = NULL;
	free(data);
	return 0;
}

static int by_name(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

/* Every regular file of dir through t; returns the count, -1 if one cannot be read or
 * leaked. */
static int replay_dir(const struct fuzz_target *t, const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	char **names = NULL;
	int n = 0, rc = 0;
	if (!d)
		return 0;
	while ((de = readdir(d)))
		if (de->d_name[0] != '.') {
			names = xrealloc(names, sizeof(*names) * (size_t)(n + 1));
			names[n++] = xasprintf("%s/%s", dir, de->d_name);
		}
	closedir(d);
	qsort(names, (size_t)n, sizeof(*names), by_name);
	for (int i = 0; i < n; i++) {
		struct stat st;
		long leak = 0;
		if (stat(names[i], &st) == 0 && S_ISREG(st.st_mode)) {
			if (replay(t, names[i], &leak) < 0) {
				printf("# cannot read %s\n", names[i]);
				rc = -1;
			} else if (leak > 0) {
				printf("# %s leaked %ld bytes\n", names[i], leak);
				rc = -1;
			}
		}
		free(names[i]);
	}
	free(names);
	return rc < 0 ? -1 : n;
}

/* Subfolders of base that name no target. */
static void check_folders(const char *base, const char *label)
{
	DIR *d = opendir(base);
	struct dirent *de;
	if (!d)
		return;
	while ((de = readdir(d))) {
		char *p = xasprintf("%s/%s", base, de->d_name);
		struct stat st;
		if (de->d_name[0] != '.' && stat(p, &st) == 0 && S_ISDIR(st.st_mode))
			ok(fuzz_target_find(de->d_name) != NULL, "%s/%s names a fuzz target", label, de->d_name);
		free(p);
	}
	closedir(d);
}

int main(int argc, char **argv)
{
	/* glibc's per-thread cache counts freed chunks as in use: without it the heap
	 * figures are exact */
	const char *tun = getenv("GLIBC_TUNABLES");
	if (heap_in_use() && (!tun || !strstr(tun, "tcache_count=0"))) {
		char *v = tun && *tun ? xasprintf("%s:glibc.malloc.tcache_count=0", tun)
				      : xstrdup("glibc.malloc.tcache_count=0");
		setenv("GLIBC_TUNABLES", v, 1);
		free(v);
		execv("/proc/self/exe", argv);
		/* else go on: leaks may be reported where there are none */
	}
	watch_crashes();
	if (argc >= 3) {
		const struct fuzz_target *t = fuzz_target_find(argv[1]);
		if (!t) {
			fprintf(stderr, "regress: no target %s\n", argv[1]);
			return 2;
		}
		int rc = 0;
		for (int i = 2; i < argc; i++) {
			long leak = 0;
			if (replay(t, argv[i], &leak) < 0) {
				fprintf(stderr, "regress: cannot read %s\n", argv[i]);
				return 1;
			}
			if (leak > 0)
				rc = 1;
			printf("%s: %s\n", argv[i], leak > 0 ? "leaked" : "ok");
		}
		return rc;
	}
	if (argc == 2) {
		fprintf(stderr, "usage: regress [TARGET FILE...]\n");
		return 2;
	}
	const char *top = getenv("srcdir");
	static const char *const kinds[] = {"corpus", "crashers"};
	for (size_t k = 0; k < ARRAY_LEN(kinds); k++) {
		char *base = xasprintf("%s/tests/fuzz/%s", top ? top : ".", kinds[k]);
		check_folders(base, kinds[k]);
		for (size_t i = 0; i < fuzz_n_targets; i++) {
			char *dir = xasprintf("%s/%s", base, fuzz_targets[i].name);
			int n = replay_dir(&fuzz_targets[i], dir);
			if (k == 0 || n != 0)
				ok(n > 0, "%s/%s: %d inputs replayed", kinds[k], fuzz_targets[i].name, n);
			free(dir);
		}
		free(base);
	}
	return done_testing();
}
