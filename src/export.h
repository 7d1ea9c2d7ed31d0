/* Reports of a recorded run (src/export.c). */
#ifndef OD_EXPORT_H
#define OD_EXPORT_H

#include <stdint.h>
#include <stdio.h>

struct journal;

/* format: "md", "json" or "csv". 0 written, 1 no such run (*err), -1 error (*err). */
int export_run(struct journal *j, int64_t run, const char *format, FILE *out, char **err);

#endif
