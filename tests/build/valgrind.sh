#!/usr/bin/env bash
# valgrind memcheck on a scripted console session against the shared lab (every panel, help,
# alerts, the runbook list, RB-5's first steps walked, the journal review, the rollout tracker),
# then `journal export --format md`, `run RB-5 --auto`, `journal verify` and `snapshot`: no
# definite or indirect leak, no invalid read or write, no use of uninitialised memory. Suppressions (tests/valgrind.supp) cover third-party one-time
# allocations only. Uses the default build (-O2 -g) in $OPSDECK_BUILD_DIR.
. "$OPSDECK_SRC/tests/lib.sh"
command -v valgrind >/dev/null || { skip "valgrind is not installed"; done_testing; exit; }
cfg=$(lab_config)
tmp=$(mktemp -d)
trap 'tui_stop; rm -rf "$tmp"' EXIT
J=$tmp/journal.db
VG="valgrind --leak-check=full --errors-for-leak-kinds=definite,indirect --error-exitcode=99 --track-fds=no
 --suppressions=$OPSDECK_SRC/tests/valgrind.supp --num-callers=30"

has() { screen_has "$1"; }
show() { diag "$1:"; screen | sed 's/^/#   /'; }
# clean LOG WHAT: the memcheck verdicts of one valgrind log
clean() {
	local log=$1 what=$2
	grep -q "ERROR SUMMARY: 0 errors" "$log"
	ok $? "$what: ERROR SUMMARY: 0 errors"
	# no heap left at exit prints "All heap blocks were freed" instead of a leak summary
	grep -qE "definitely lost: 0 bytes|All heap blocks were freed" "$log"
	ok $? "$what: definitely lost: 0 bytes"
	grep -qE "indirectly lost: 0 bytes|All heap blocks were freed" "$log"
	ok $? "$what: indirectly lost: 0 bytes"
	grep -qE "Invalid (read|write)|uninitialised|Mismatched free|Invalid free" "$log"
	ok $((1 - $?)) "$what: no invalid read/write, use of uninitialised memory or bad free"
	grep -q "ERROR SUMMARY: 0 errors" "$log" ||
		grep -E -A14 "Invalid|lost in loss record|uninitialised" "$log" | head -60 | sed 's/^/#   /'
}

# --- the console --------------------------------------------------------------------------
log=$tmp/tui.vg
tui_start 120 36 $VG --log-file="$log" "$OPSDECK" --config "$cfg" --journal "$J"
wait_for 60 has "west"
ok $? "console under valgrind draws the replicas panel"
[ $? -eq 0 ] || show "start"
for n in 2 3 4 5 1; do
	tui_keys "$n"
	sleep 1
done
wait_for 30 has "Replicas"
ok $? "panels 2-5 and back to 1"
tui_keys Tab; sleep 1; tui_keys Tab; sleep 1; tui_keys BTab; sleep 1; tui_keys Enter; sleep 1; tui_keys Escape
tui_keys '?'
wait_for 20 has "quit"
ok $? "help opens"
tui_keys '?'; sleep 0.5
tui_keys a
wait_for 20 has "Alerts (Enter: details"
ok $? "the alerts view opens"
[ $? -eq 0 ] || show "alerts"
tui_keys a; sleep 0.5
tui_keys ':rb' Enter
wait_for 20 has "RB-23"
ok $? ":rb lists the runbook library"
[ $? -eq 0 ] || show ":rb"
tui_keys Escape; sleep 0.5
tui_keys ':rb 5' Enter
wait_for 20 has "RB-5: Check pool status"
ok $? ":rb 5 opens RB-5 in the walker"
tui_keys Down Enter
wait_for 60 has "step 1 pass, recorded in run 1"
ok $? "RB-5 step 1 runs, passes and is recorded"
[ $? -eq 0 ] || show "RB-5 step 1"
tui_keys Enter
wait_for 60 has "step 2 pass, recorded in run 1"
ok $? "RB-5 step 2 runs, passes and is recorded"
tui_keys PgDn; sleep 0.5; tui_keys q; sleep 1
tui_keys J
wait_for 30 has "RB-5"
ok $? "the journal review lists the RB-5 run"
[ $? -eq 0 ] || show "review"
tui_keys Enter; sleep 2; tui_keys q; sleep 0.5; tui_keys q; sleep 0.5
tui_keys t
wait_for 30 has "Rollout tracker"
ok $? "the rollout tracker opens"
[ $? -eq 0 ] || show "tracker"
tui_keys Down; sleep 1; tui_keys t; sleep 0.5
tui_keys q
wait_for 60 has "opsdeck-exit="
ok $? "console under valgrind quits"
[ $? -eq 0 ] || show "quit"
screen_has "opsdeck-exit=0"
ok $? "with exit status 0 (99 is a valgrind error)"
tui_stop
clean "$log" "console"

# --- the headless commands ----------------------------------------------------------------
log=$tmp/export.vg
$VG --log-file="$log" "$OPSDECK" --journal "$J" journal export --format md >"$tmp/export.md" 2>/dev/null
is $? 0 "journal export --format md under valgrind exits 0"
grep -q "RB-5" "$tmp/export.md"
ok $? "the export holds the RB-5 run"
clean "$log" "journal export"

log=$tmp/run.vg
$VG --log-file="$log" "$OPSDECK" --config "$cfg" --journal "$J" run RB-5 --auto >"$tmp/run.out" 2>&1
rc=$?
ok "$([ $rc -le 1 ] && echo 0 || echo 1)" "run RB-5 --auto under valgrind exits 0 or 1 (rc $rc; 99 is a valgrind error)"
"$OPSDECK" --journal "$J" journal list | grep -c "RB-5" | grep -qx 2
ok $? "the journal now has two RB-5 runs"
clean "$log" "run RB-5 --auto"

log=$tmp/verify.vg
$VG --log-file="$log" "$OPSDECK" --journal "$J" journal verify >"$tmp/verify.out" 2>&1
is $? 0 "journal verify under valgrind: the chain is intact (exit 0)"
clean "$log" "journal verify"

log=$tmp/snapshot.vg
$VG --log-file="$log" "$OPSDECK" --config "$cfg" snapshot --json >"$tmp/snapshot.json" 2>/dev/null
rc=$?
ok "$([ $rc -le 1 ] && echo 0 || echo 1)" "snapshot --json under valgrind exits 0 or 1 (rc $rc)"
is "$(jq -r '.sources.primary.state' "$tmp/snapshot.json" 2>/dev/null)" "up" "  with the primary up"
clean "$log" "snapshot"
done_testing
