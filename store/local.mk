# store/: the SQLite journal (owned by the journal work)
libopsdeck_a_SOURCES += store/journal.c store/journal.h \
	store/schema.c store/schema.h \
	store/chain.c store/chain.h store/checkpoint.c store/checkpoint.h \
	store/report.c store/runs.c store/tracker.c \
	store/review.c store/review.h store/review_detail.c \
	store/store.c store/store.h
libopsdeck_a_SOURCES += src/cmd-journal.c

check_PROGRAMS += tests/unit/test_journal
tests_unit_test_journal_LDADD = $(OD_LIBS)
TESTS += tests/unit/test_journal

check_PROGRAMS += tests/unit/test_review
tests_unit_test_review_LDADD = $(OD_LIBS)
TESTS += tests/unit/test_review

# times the review list on a journal of 100,000 runs: review-bench PATH [RUNS]
check_PROGRAMS += tests/helpers/review-bench
tests_helpers_review_bench_LDADD = $(OD_LIBS)
# the checklist tests/tui/review.sh runs (shell probes only: no server)
EXTRA_DIST += tests/fixtures/review

# seeds a journal for tests/integration/journal-tamper.sh: journal-seed PATH [RUNS [STEPS [SAMPLES]]]
check_PROGRAMS += tests/helpers/journal-seed
tests_helpers_journal_seed_LDADD = $(OD_LIBS)
EXTRA_DIST += tests/integration/journal-tamper.sh

# the journal when the disk fills, writes fail and SQLite's allocations fail on purpose
check_PROGRAMS += tests/unit/test_journal_faults
tests_unit_test_journal_faults_LDADD = $(OD_LIBS)
TESTS += tests/unit/test_journal_faults
