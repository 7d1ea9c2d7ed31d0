# The runbook engine: the expectation language, the Markdown dialect parser (md4c) and
# lint; and the library, installed for the console and `opsdeck run`.
libopsdeck_a_SOURCES += \
	runbooks/expect.h runbooks/expect_int.h runbooks/expect.c runbooks/expect_lex.c \
	runbooks/expect_eval.c runbooks/expect_data.c \
	runbooks/runbook.h runbooks/runbook_int.h runbooks/runbook.c runbooks/runbook_blocks.c \
	runbooks/runbook_info.c runbooks/runbook_inputs.c \
	runbooks/lint.h runbooks/lint.c \
	runbooks/engine.h runbooks/engine_int.h runbooks/engine.c runbooks/engine_inputs.c runbooks/engine_journal.c \
	runbooks/engine_worker.c runbooks/library.c runbooks/signoff.c runbooks/schedule.h runbooks/schedule.c \
	runbooks/rollout.h runbooks/rollout.c \
	runbooks/probe.h runbooks/probe.c runbooks/probe_sql.c runbooks/probe_redis.c \
	runbooks/probe_http.c runbooks/probe_shell.c \
	src/cmd-lint.c src/cmd-run.c src/cmd-run.h src/cmd-run-hook.c src/cmd-run-out.c src/cmd-run-periodic.c src/cmd-signoff.c src/cmd-rollback.c src/export.c src/export.h

check_PROGRAMS += tests/unit/test_expect tests/unit/test_runbook tests/unit/test_engine tests/unit/test_schedule
check_PROGRAMS += tests/unit/test_periodic
tests_unit_test_periodic_LDADD = $(OD_LIBS)
tests_unit_test_schedule_LDADD = $(OD_LIBS)
tests_unit_test_engine_LDADD = $(OD_LIBS)
tests_unit_test_expect_LDADD = $(OD_LIBS)
tests_unit_test_runbook_LDADD = $(OD_LIBS)
TESTS += tests/unit/test_expect tests/unit/test_runbook tests/unit/test_engine tests/unit/test_schedule
TESTS += tests/unit/test_periodic
# the rollout tracker's model on a journal built in the test
check_PROGRAMS += tests/unit/test_rollout
tests_unit_test_rollout_LDADD = $(OD_LIBS)
TESTS += tests/unit/test_rollout

EXTRA_DIST += runbooks/README.md tests/fixtures/runbooks

# Every runbook of the library, listed one by one (no wildcards: automake needs the list).
runbooklibdir = $(pkgdatadir)/runbooks
dist_runbooklib_DATA = \
	runbooks/library/RB-1.md \
	runbooks/library/RB-2.md \
	runbooks/library/RB-3.md \
	runbooks/library/RB-4.md \
	runbooks/library/RB-5.md \
	runbooks/library/RB-6.md \
	runbooks/library/RB-7.md \
	runbooks/library/RB-8.md \
	runbooks/library/RB-9.md \
	runbooks/library/RB-10.md \
	runbooks/library/RB-11.md \
	runbooks/library/RB-12.md \
	runbooks/library/RB-13.md \
	runbooks/library/RB-14.md \
	runbooks/library/RB-15.md \
	runbooks/library/RB-16.md \
	runbooks/library/RB-17.md \
	runbooks/library/RB-18.md \
	runbooks/library/RB-19.md \
	runbooks/library/RB-20.md \
	runbooks/library/RB-21.md \
	runbooks/library/RB-22.md \
	runbooks/library/RB-23.md

# The checklists (runbooks/README.md "Checklists"), installed next to the library.
checklistdir = $(pkgdatadir)/checklists
dist_checklist_DATA = \
	runbooks/checklists/W1-2.md \
	runbooks/checklists/W3-4.md \
	runbooks/checklists/W5-6.md \
	runbooks/checklists/W7.md \
	runbooks/checklists/W8.md \
	runbooks/checklists/PHASE2-FINAL.md \
	runbooks/checklists/PROD-DEPLOY.md \
	runbooks/checklists/DB-SPLIT.md
