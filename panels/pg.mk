# PostgreSQL/PgBouncer panels: pools, partitions
libopsdeck_a_SOURCES += panels/pools.c panels/pools_model.c panels/pools_model.h \
	panels/partitions.c panels/partitions_model.c panels/partitions_model.h

check_PROGRAMS += tests/unit/test_pools tests/unit/test_partitions
tests_unit_test_pools_LDADD = $(OD_LIBS)
tests_unit_test_partitions_LDADD = $(OD_LIBS)
TESTS += tests/unit/test_pools tests/unit/test_partitions
EXTRA_DIST += tests/fixtures/pgbouncer tests/fixtures/partitions

# times both panels at scale with synthetic replies, no server (not run by make check):
# panels-bench [POOLS [PARTITIONS [REFRESHES]]]
check_PROGRAMS += tests/helpers/panels-bench
tests_helpers_panels_bench_SOURCES = tests/helpers/panels-bench.c tests/helpers/panels-bench.h \
	tests/helpers/panels-bench-pools.c tests/helpers/panels-bench-partitions.c
tests_helpers_panels_bench_LDADD = $(OD_LIBS)
