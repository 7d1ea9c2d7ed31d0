# Redis connector and the cache panel
libopsdeck_a_SOURCES += panels/redisconn.c panels/redisconn.h panels/redis_url.c panels/redis_url.h panels/cache.c \
	panels/cache_model.c panels/cache_model.h

check_PROGRAMS += tests/unit/test_cache
tests_unit_test_cache_LDADD = $(OD_LIBS)
TESTS += tests/unit/test_cache
EXTRA_DIST += tests/fixtures/redis

check_PROGRAMS += tests/unit/test_redisconn
tests_unit_test_redisconn_LDADD = $(OD_LIBS)
TESTS += tests/unit/test_redisconn
