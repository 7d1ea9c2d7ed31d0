/* Reading captured server output from tests/fixtures/ (automake sets $srcdir). */
#ifndef OD_FIXTURE_H
#define OD_FIXTURE_H

#include <stdio.h>
#include <stdlib.h>

#include "panels/rowset.h"
#include "src/util.h"

/* tests/fixtures/<dir>/<name>, whole; "" (and a TAP comment) when it cannot be read.
 * len may be NULL. Caller frees. */
static inline char *fixture_read(const char *dir, const char *name, size_t *len)
{
	const char *top = getenv("srcdir");
	char *path = xasprintf("%s/tests/fixtures/%s/%s", top ? top : ".", dir, name);
	FILE *f = fopen(path, "rb");
	struct sbuf sb = {0};
	sbuf_add(&sb, "");
	if (!f) {
		printf("# cannot open %s\n", path);
	} else {
		char buf[4096];
		size_t n;
		while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
			sbuf_addn(&sb, buf, n);
		fclose(f);
	}
	free(path);
	if (len)
		*len = sb.len;
	return sbuf_steal(&sb);
}

/* A captured `psql --csv` output as a rowset; 0 or -1. */
static inline int fixture_rowset(const char *dir, const char *name, struct rowset *rs)
{
	char *text = fixture_read(dir, name, NULL);
	int rc = rowset_from_csv(rs, text);
	free(text);
	return rc;
}

#endif
