/* The fuzz targets: each feeds raw bytes to one family of parsers and frees everything
 * it made. Built twice: into the libFuzzer drivers (tests/fuzz/fuzz_NAME.c, with
 * --enable-fuzzing) and into tests/fuzz/regress, which replays the committed corpora and
 * crashers through them in every `make check`. Input formats: tests/fuzz/README.md. */
#ifndef OD_FUZZ_TARGETS_H
#define OD_FUZZ_TARGETS_H

#include <stddef.h>
#include <stdint.h>

struct fuzz_target {
	const char *name; /* also the folder of its corpus: tests/fuzz/corpus/NAME */
	int (*run)(const uint8_t *data, size_t size);
};

extern const struct fuzz_target fuzz_targets[];
extern const size_t fuzz_n_targets;
const struct fuzz_target *fuzz_target_find(const char *name);

int fuzz_runbook(const uint8_t *data, size_t size);
int fuzz_expect(const uint8_t *data, size_t size);
int fuzz_config(const uint8_t *data, size_t size);
int fuzz_pgbouncer(const uint8_t *data, size_t size);
int fuzz_pg_rows(const uint8_t *data, size_t size);
int fuzz_redis_info(const uint8_t *data, size_t size);
int fuzz_api_json(const uint8_t *data, size_t size);
int fuzz_rl_redis(const uint8_t *data, size_t size);
int fuzz_redis_url(const uint8_t *data, size_t size);
int fuzz_mask(const uint8_t *data, size_t size);

#endif
