# HTTP connector, the health strip and the rate-limits panel
libopsdeck_a_SOURCES += panels/httpconn.c panels/httpconn.h \
	panels/health_model.c panels/health_model.h panels/health.c \
	panels/ratelimits_model.c panels/ratelimits_model.h panels/ratelimits.c
check_PROGRAMS += tests/unit/test_health tests/unit/test_ratelimits tests/unit/test_httpconn
tests_unit_test_health_LDADD = $(OD_LIBS)
tests_unit_test_ratelimits_LDADD = $(OD_LIBS)
tests_unit_test_httpconn_LDADD = $(OD_LIBS)
TESTS += tests/unit/test_health tests/unit/test_ratelimits tests/unit/test_httpconn
EXTRA_DIST += tests/fixtures/api docs/ratelimits-api.md
