# Unit tests are TAP programs; integration and TUI tests need the lab and run from tests/run.
LOG_DRIVER = env AM_TAP_AWK='$(AWK)' $(SHELL) $(top_srcdir)/build-aux/tap-driver.sh
EXTRA_DIST += tests/unit/tap.h

check_PROGRAMS += tests/unit/test_replicas
tests_unit_test_replicas_LDADD = $(OD_LIBS)
TESTS += tests/unit/test_replicas
EXTRA_DIST += tests/fixtures/pg
EXTRA_DIST += tests/run tests/lib.sh tests/build tests/integration tests/tui
EXTRA_DIST += tests/valgrind.supp

check_PROGRAMS += tests/unit/test_alerts
tests_unit_test_alerts_LDADD = $(OD_LIBS)
TESTS += tests/unit/test_alerts
EXTRA_DIST += tests/unit/fixture.h tests/unit/files.h
