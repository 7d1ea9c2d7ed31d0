# bench/ — the side-by-side performance harness (bench/run, bench/README.md). Not built and
# not part of the default test run; tests/integration/bench-smoke.sh runs bench/run --smoke.
EXTRA_DIST += bench/run bench/README.md bench/lib/measure.py bench/lib/tmuxctl.py bench/lib/procstat.py \
	bench/fixtures/roles.sh bench/fixtures/partitions.sh bench/fixtures/pools.sh \
	bench/fixtures/redis-keys.sh bench/fixtures/journal.sh
