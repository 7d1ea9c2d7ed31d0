# Fuzzing (tests/fuzz/README.md). tests/fuzz/regress replays the committed corpora and
# crashers through the targets in every build; the libFuzzer drivers exist only with
# ./configure --enable-fuzzing (clang), and bench/fuzz runs them.
FUZZ_TARGET_SOURCES = tests/fuzz/targets.c tests/fuzz/targets.h

check_PROGRAMS += tests/fuzz/regress
tests_fuzz_regress_SOURCES = tests/fuzz/regress.c $(FUZZ_TARGET_SOURCES)
tests_fuzz_regress_LDADD = $(OD_LIBS)
TESTS += tests/fuzz/regress

if FUZZING
FUZZ_PROGS = tests/fuzz/fuzz_runbook tests/fuzz/fuzz_expect tests/fuzz/fuzz_config \
	tests/fuzz/fuzz_pgbouncer tests/fuzz/fuzz_pg_rows tests/fuzz/fuzz_redis_info \
	tests/fuzz/fuzz_api_json tests/fuzz/fuzz_rl_redis tests/fuzz/fuzz_redis_url tests/fuzz/fuzz_mask
check_PROGRAMS += $(FUZZ_PROGS)
FUZZ_LINK = $(AM_LDFLAGS) $(FUZZ_LDFLAGS)
tests_fuzz_fuzz_runbook_SOURCES = tests/fuzz/fuzz_runbook.c $(FUZZ_TARGET_SOURCES)
tests_fuzz_fuzz_runbook_LDADD = $(OD_LIBS)
tests_fuzz_fuzz_runbook_LDFLAGS = $(FUZZ_LINK)
tests_fuzz_fuzz_expect_SOURCES = tests/fuzz/fuzz_expect.c $(FUZZ_TARGET_SOURCES)
tests_fuzz_fuzz_expect_LDADD = $(OD_LIBS)
tests_fuzz_fuzz_expect_LDFLAGS = $(FUZZ_LINK)
tests_fuzz_fuzz_config_SOURCES = tests/fuzz/fuzz_config.c $(FUZZ_TARGET_SOURCES)
tests_fuzz_fuzz_config_LDADD = $(OD_LIBS)
tests_fuzz_fuzz_config_LDFLAGS = $(FUZZ_LINK)
tests_fuzz_fuzz_pgbouncer_SOURCES = tests/fuzz/fuzz_pgbouncer.c $(FUZZ_TARGET_SOURCES)
tests_fuzz_fuzz_pgbouncer_LDADD = $(OD_LIBS)
tests_fuzz_fuzz_pgbouncer_LDFLAGS = $(FUZZ_LINK)
tests_fuzz_fuzz_pg_rows_SOURCES = tests/fuzz/fuzz_pg_rows.c $(FUZZ_TARGET_SOURCES)
tests_fuzz_fuzz_pg_rows_LDADD = $(OD_LIBS)
tests_fuzz_fuzz_pg_rows_LDFLAGS = $(FUZZ_LINK)
tests_fuzz_fuzz_redis_info_SOURCES = tests/fuzz/fuzz_redis_info.c $(FUZZ_TARGET_SOURCES)
tests_fuzz_fuzz_redis_info_LDADD = $(OD_LIBS)
tests_fuzz_fuzz_redis_info_LDFLAGS = $(FUZZ_LINK)
tests_fuzz_fuzz_api_json_SOURCES = tests/fuzz/fuzz_api_json.c $(FUZZ_TARGET_SOURCES)
tests_fuzz_fuzz_api_json_LDADD = $(OD_LIBS)
tests_fuzz_fuzz_api_json_LDFLAGS = $(FUZZ_LINK)
tests_fuzz_fuzz_rl_redis_SOURCES = tests/fuzz/fuzz_rl_redis.c $(FUZZ_TARGET_SOURCES)
tests_fuzz_fuzz_rl_redis_LDADD = $(OD_LIBS)
tests_fuzz_fuzz_rl_redis_LDFLAGS = $(FUZZ_LINK)
tests_fuzz_fuzz_redis_url_SOURCES = tests/fuzz/fuzz_redis_url.c $(FUZZ_TARGET_SOURCES)
tests_fuzz_fuzz_redis_url_LDADD = $(OD_LIBS)
tests_fuzz_fuzz_redis_url_LDFLAGS = $(FUZZ_LINK)
tests_fuzz_fuzz_mask_SOURCES = tests/fuzz/fuzz_mask.c $(FUZZ_TARGET_SOURCES)
tests_fuzz_fuzz_mask_LDADD = $(OD_LIBS)
tests_fuzz_fuzz_mask_LDFLAGS = $(FUZZ_LINK)
# make fuzz-targets: only the drivers (what bench/fuzz builds)
fuzz-targets: $(FUZZ_PROGS)
.PHONY: fuzz-targets
endif

EXTRA_DIST += tests/fuzz/README.md tests/fuzz/corpus tests/fuzz/crashers tests/fuzz/dict \
	tests/fuzz/make-corpus bench/fuzz
