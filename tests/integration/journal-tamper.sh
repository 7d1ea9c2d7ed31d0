#!/usr/bin/env bash
# `opsdeck journal verify` against a journal tampered with the sqlite3 CLI: triggers
# dropped, then a row altered, deleted, reordered or the tail truncated, each on a fresh
# copy. Needs no lab. Prints TAP.
#   OPSDECK       the binary (default ./opsdeck)
#   JOURNAL_SEED  the seeding helper (default: tests/helpers/journal-seed next to OPSDECK
#                 or in $OPSDECK_BUILD_DIR; built with `make check`)
set -u
OPSDECK=${OPSDECK:-./opsdeck}
bindir=$(dirname "$OPSDECK")
SEED=${JOURNAL_SEED:-}
for c in "$bindir/tests/helpers/journal-seed" "${OPSDECK_BUILD_DIR:-$bindir}/tests/helpers/journal-seed"; do
	[ -z "$SEED" ] && [ -x "$c" ] && SEED=$c
done
if [ -z "$SEED" ]; then
	make -C "${OPSDECK_BUILD_DIR:-$bindir}" -s tests/helpers/journal-seed >/dev/null 2>&1 &&
		SEED="${OPSDECK_BUILD_DIR:-$bindir}/tests/helpers/journal-seed"
fi
if ! command -v sqlite3 >/dev/null; then
	echo "1..0 # SKIP the sqlite3 command-line tool is not installed (apt-get install sqlite3)"
	exit 0
fi
if [ -z "$SEED" ] || [ ! -x "$SEED" ]; then
	echo "Bail out! journal-seed not found: run 'make check' in the build directory or set JOURNAL_SEED"
	exit 1
fi

n=0 failed=0
ok() { # status description
	n=$((n + 1))
	if [ "$1" -eq 0 ]; then echo "ok $n - $2"; else echo "not ok $n - $2"; failed=$((failed + 1)); fi
}
has() { case "$1" in *"$2"*) return 0 ;; esac; return 1; }

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
seeded="$tmp/seeded.db"
"$SEED" "$seeded" 3 4 2
ok $? "seeded a journal with 3 runs of 4 steps and samples"

q() { sqlite3 "$seeded" "$1"; }

# tamper NAME SQL: a fresh copy with the triggers dropped and SQL applied; prints its path
tamper() {
	local db="$tmp/$1.db"
	cp "$seeded" "$db"
	sqlite3 "$db" "SELECT 'DROP TRIGGER \"' || name || '\";' FROM sqlite_master WHERE type = 'trigger'" |
		sqlite3 "$db" && sqlite3 "$db" "$2" && echo "$db"
}

out="" rc=0
verify() { # args... ; sets out and rc
	out=$("$OPSDECK" "$@" 2>&1)
	rc=$?
	echo "$out" | head -8 | sed "s/^/# /"
}

# expect_bad NAME DB WANT...: verify exits 1 and its output has every WANT
expect_bad() {
	local name=$1 db=$2 w miss=0
	shift 2
	verify journal verify --journal "$db"
	for w in "$@"; do has "$out" "$w" || { miss=1; echo "#   missing: '$w'"; }; done
	[ "$rc" -eq 1 ] && [ "$miss" -eq 0 ]
	ok $? "$name: verify exits 1 (got $rc) and names the row"
}

# --- untouched ---------------------------------------------------------------------
clean="$tmp/clean.db"
cp "$seeded" "$clean"
verify journal verify --journal "$clean"
[ "$rc" -eq 0 ] && has "$out" "journal $clean: intact, " && has "$out" "chain head "
ok $? "untouched copy: verify exits 0 (got $rc) and says intact"
verify --journal "$clean" journal verify
[ "$rc" -eq 0 ]
ok $? "--journal before the subcommand works too (got $rc)"
verify journal list --journal "$clean"
[ "$rc" -eq 0 ] && has "$out" "RB-" && has "$out" "OPERATOR"
ok $? "journal list shows the runs (got $rc)"
verify journal show 2 --journal "$clean" --json
[ "$rc" -eq 0 ] && has "$out" '"steps"'
ok $? "journal show 2 --json (got $rc)"

# --- altered -----------------------------------------------------------------------
seq=$(q "SELECT seq FROM step_results WHERE id = 2")
db=$(tamper altered "UPDATE step_results SET observed = 'tampered' WHERE id = 2")
expect_bad "altered step result" "$db" "row seq $seq (table step_results id 2)" "content altered"
verify journal verify --json --journal "$db"
[ "$rc" -eq 1 ] && has "$out" '"intact":	false'
ok $? "verify --json reports intact false (got $rc)"

seq=$(q "SELECT seq FROM runs WHERE id = 1")
db=$(tamper operator "UPDATE runs SET operator = 'mallory' WHERE id = 1")
expect_bad "altered run operator" "$db" "row seq $seq (table runs id 1)" "content altered"

seq=$(q "SELECT seq FROM samples WHERE id = 1")
db=$(tamper value "UPDATE samples SET value = value + 1 WHERE id = 1")
expect_bad "altered sample value" "$db" "row seq $seq (table samples id 1)" "content altered"

# --- deleted -----------------------------------------------------------------------
seq=$(q "SELECT seq FROM step_results WHERE id = 3")
db=$(tamper deleted "DELETE FROM step_results WHERE id = 3")
expect_bad "deleted step result" "$db" "row seq $((seq + 1)) " "row seq $seq before it is missing"

# --- reordered ---------------------------------------------------------------------
a=$(q "SELECT seq FROM step_results WHERE id = 5")
b=$(q "SELECT seq FROM step_results WHERE id = 6")
db=$(tamper reordered "UPDATE step_results SET seq = -seq WHERE id IN (5, 6);
	UPDATE step_results SET seq = CASE id WHEN 5 THEN $b ELSE $a END WHERE id IN (5, 6);")
expect_bad "two rows swapped in the chain" "$db" "row seq $a (table step_results id 6)" "prev_hash"

# --- truncated ---------------------------------------------------------------------
last=$(q "SELECT seq FROM chain_head")
db=$(tamper truncated "DELETE FROM samples WHERE seq = $last; DELETE FROM run_events WHERE seq = $last")
expect_bad "tail truncated" "$db" "row seq $last (table chain_head" "tail truncated"

# --- cut off and rewound: only the checkpoint (or a kept head) can tell -----------------
# The last row deleted and chain_head rewound to the row before it: what is left is a valid
# chain. Its checkpoint (FILE.head, written by every commit) still names the old head.
test -s "$seeded.head" && grep -q "^seq $last$" "$seeded.head"
ok $? "every commit left a checkpoint beside the journal naming the head (seq $last)"
prev=$(sqlite3 "$seeded" "SELECT hash FROM (SELECT seq, hash FROM run_events UNION ALL SELECT seq, hash FROM samples
	UNION ALL SELECT seq, hash FROM step_results UNION ALL SELECT seq, hash FROM runs) WHERE seq = $((last - 1))")
headhash=$(q "SELECT hash FROM chain_head")
rewind="DELETE FROM samples WHERE seq = $last; DELETE FROM run_events WHERE seq = $last;
	UPDATE chain_head SET seq = $((last - 1)), hash = '$prev' WHERE id = 1"
db=$(tamper rewound "$rewind")
verify journal verify --journal "$db"
[ "$rc" -eq 0 ] && has "$out" "no checkpoint beside it"
ok $? "without its checkpoint a rewound journal looks intact, and verify says it could not rule that out (got $rc)"
verify journal verify --journal "$db" --head "$last:$headhash"
[ "$rc" -eq 1 ] && has "$out" "before the given head: rows were cut off the end"
ok $? "verify --head with the head an export printed finds the cut (got $rc)"
cp "$seeded.head" "$db.head"
expect_bad "rewound with its checkpoint beside it" "$db" "rows were cut off the end" "checkpoint says seq $last"
cp "$seeded" "$tmp/forged.db"
sed "s/^seq $last$/seq $((last + 5))/" "$seeded.head" >"$tmp/forged.db.head"
expect_bad "a checkpoint edited by hand" "$tmp/forged.db" "was altered (its signature does not match)"
cp "$seeded" "$tmp/good.db"
cp "$seeded.head" "$tmp/good.db.head"
verify journal verify --journal "$tmp/good.db"
[ "$rc" -eq 0 ] && has "$out" "reaches its checkpoint"
ok $? "an untouched copy with its checkpoint reaches it (got $rc)"
verify journal verify --journal "$tmp/good.db" --head "$last:${headhash:0:16}"
[ "$rc" -eq 0 ]
ok $? "and the head an export printed (16 hex digits are enough) (got $rc)"
verify journal verify --journal "$tmp/good.db" --head "oops"
[ "$rc" -eq 2 ] && has "$out" "expected SEQ:HASH"
ok $? "a malformed --head is a usage error (got $rc)"

# --- usage -------------------------------------------------------------------------
verify journal frobnicate --journal "$clean"
[ "$rc" -eq 2 ]
ok $? "an unknown journal command exits 2 (got $rc)"
verify journal export --journal "$clean"
[ "$rc" -eq 0 ] && has "$out" "Journal integrity:** intact"
ok $? "journal export of the newest run reports the chain intact (exit $rc)"
verify journal export --format xml --journal "$clean"
[ "$rc" -eq 2 ]
ok $? "an unknown export format exits 2 (got $rc)"
verify journal verify --journal "$tmp/missing.db"
[ "$rc" -eq 2 ] && has "$out" "does not exist"
ok $? "a missing journal file is a usage error, exit 2 (got $rc)"

echo "1..$n"
[ "$failed" -eq 0 ]
