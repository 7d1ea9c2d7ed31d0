# lab/ — the local opsdeck lab (real servers on 127.0.0.1); see lab/README.md.
# Not built: shipped so the demo and the integration tests can start it.
EXTRA_DIST += lab/lab lab/rb-hook lab/api.py lab/load.py lab/load.sql lab/selftest lab/README.md \
	lab/packages.txt
