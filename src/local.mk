libopsdeck_a_SOURCES += src/util.c src/util.h src/cli.h
libopsdeck_a_SOURCES += src/config.h src/config.c src/options.c src/mask.c

check_PROGRAMS += tests/unit/test_config tests/unit/test_mask tests/unit/test_util
tests_unit_test_config_SOURCES = tests/unit/test_config.c
tests_unit_test_config_LDADD = $(OD_LIBS)
tests_unit_test_mask_SOURCES = tests/unit/test_mask.c
tests_unit_test_mask_LDADD = $(OD_LIBS)
tests_unit_test_util_SOURCES = tests/unit/test_util.c
tests_unit_test_util_LDADD = $(OD_LIBS)
TESTS += tests/unit/test_config tests/unit/test_mask tests/unit/test_util
EXTRA_DIST += \
	tests/fixtures/config/good.ini \
	tests/fixtures/config/one-env.ini \
	tests/fixtures/config/secret.ini \
	tests/fixtures/config/bad-unknown-key.ini \
	tests/fixtures/config/bad-duration.ini \
	tests/fixtures/config/bad-percent.ini \
	tests/fixtures/config/bad-conninfo.ini \
	tests/fixtures/config/bad-redis.ini \
	tests/fixtures/config/bad-api.ini \
	tests/fixtures/config/dup-replica.ini \
	tests/fixtures/config/empty-value.ini \
	tests/fixtures/config/syntax-error.ini
