/* Helpers for the journal tests: a byte-for-byte copy (a journal to tamper with or to fail
 * on, its original kept), and a journal opened or the reason printed as a TAP comment. */
#ifndef OD_TEST_FILES_H
#define OD_TEST_FILES_H

#include <stdio.h>
#include <stdlib.h>

#include "store/journal.h"

/* 0, or -1 when either file could not be opened, read or written whole. */
static inline int copy_file(const char *from, const char *to)
{
	FILE *in = fopen(from, "rb"), *out = fopen(to, "wb");
	char buf[8192];
	size_t n;
	int rc = in && out ? 0 : -1;
	while (rc == 0 && (n = fread(buf, 1, sizeof buf, in)) > 0)
		if (fwrite(buf, 1, n, out) != n)
			rc = -1;
	if (in)
		fclose(in);
	if (out && fclose(out) != 0)
		rc = -1;
	return rc;
}

/* The journal at path, or NULL with why as a TAP comment. */
static inline struct journal *open_ok(const char *path)
{
	struct journal *j = NULL;
	char *err = NULL;
	if (journal_open(&j, path, &err) < 0) {
		printf("# journal_open %s: %s\n", path, err);
		free(err);
	}
	return j;
}

#endif
