#!/usr/bin/env bash
# The rollout tracker and the console's periodic-monitoring scheduler, in tmux, on a private
# lab with a compressed clock (OPSDECK_TIME_SCALE=3600: W3-4's "every 4 hours for 24 hours"
# is a check every 4 s for 24 s):
#   - `opsdeck run CL-W3-4 --auto --steps 4,14-16` records the baseline and opens the three
#     monitoring windows; the console opened with --start rollout shows W3-4 "monitoring"
#     with time left, checks made and the next check, and records checks 2, 3, ... of each
#     periodic step itself ("check 2 of 7 (due HH:MM:SS)" in `journal show`);
#   - the status line of the panels says where W3-4 stands;
#   - a roll-back through the UI: the ID typed back (a wrong one refused), a reason required;
#     the row says "rolled back" with the reason, the journal's state is rolled-back, and
#     the scheduler checks that run no more; `opsdeck rollback` refuses it a second time;
#   - a new run whose console was closed for a slot shows its missed checks (one per periodic
#     step: 3) and gets its due check at once; with a replica stopped, a failed check is said
#     in red and counted in the row;
#   - 200x60: every column and the title; help lists the tracker's keys; start = rollout in
#     the config; --start with an unknown screen is a usage error.
# Runtime ~75 s.
. "$OPSDECK_SRC/tests/lib.sh"
private_lab 31630
tmp=$(mktemp -d)
cleanup() {
	tui_stop
	plab down >/dev/null 2>&1
	rm -rf "$LABDIR" "$tmp"
}
trap cleanup EXIT

plab_up "$tmp/up.log"
cfg=$(plab env)
J=$tmp/journal.db
export OPSDECK_TIME_SCALE=3600
has() { screen_has "$1"; }
show() { diag "$1:"; screen | sed 's/^/#   /'; }
od() { "$OPSDECK" --config "$cfg" --journal "$J" "$@"; }
checks_noted() { od journal show "$1" | grep -c "note: check $2 of 7 (due "; }
noted() { [ "$(checks_noted "$1" "$2")" -eq "$3" ]; } # RUN CHECK COUNT

# --- a W3-4 run with its monitoring windows open ---------------------------------------
out=$(od run CL-W3-4 --auto --steps 4,14-16 2>&1)
echo "$out" | grep -q "run 1: open"
st=$?
ok $st "opsdeck run: W3-4 run 1 stays open while its windows are"
[ $st -eq 0 ] || echo "$out" | sed 's/^/#   /'

# --- 80x24: the tracker, then the console's own checks ---------------------------------
tui_start 80 24 OPSDECK_TIME_SCALE=3600 "$OPSDECK" --config "$cfg" --journal "$J" --start rollout
wait_for 10 has "Rollout tracker, lab"
ok $? "--start rollout opens on the tracker"
wait_for 5 has "DB-SPLIT"
s=$(screen)
echo "$s" | grep -qE '^ W3-4 +monitoring +[0-9]+s left, checks [0-9]+/21 +1 +([0-9]{2}:){2}[0-9]{2}|due now'
st=$?
ok $st "W3-4: monitoring, time left, checks made of 21, run 1, the next check's time"
[ $st -eq 0 ] || show "80x24 tracker"
echo "$s" | grep -qE '^ W1-2 +not started +-'
ok $? "W1-2: not started"
is "$(echo "$s" | grep -cE '^ (W1-2|W3-4|W5-6|W7|W8|PHASE2-FINAL|PROD-DEPLOY|DB-SPLIT) ')" 8 "one row per tracked checklist"
echo "$s" | tail -1 | grep -q "Roll back"
ok $? "the key bar has the tracker's keys"

wait_for 15 noted 1 2 3
ok $? "the console records check 2 of 7 of steps 14, 15 and 16 itself"
od journal show 1 | grep -qE "note: check 2 of 7 \(due [0-9]{2}:[0-9]{2}:[0-9]{2}\)"
ok $? "with the due time in the note (cron's wording)"
wait_for 10 noted 1 3 3
ok $? "and check 3 four (scaled) hours later"
counted() { screen | grep -qE '^ W3-4 +monitoring +[0-9]+s left, checks (9|1[0-9]|2[01])/21'; }
wait_for 5 counted
ok $? "the row counts the checks it made: $(screen | grep -oE 'checks [0-9]+/21' | head -1)"

tui_keys t
wait_for 8 has "W3-4 monitoring: "
st=$?
ok $st "t goes back to the panels, whose status line says where W3-4 stands"
[ $st -eq 0 ] || show "panels"
screen | grep -qE "W3-4 monitoring: [0-9]+s left, (next check ([0-9]{2}:){2}[0-9]{2}|due now)"
ok $? "... time left and the next check: $(screen | grep -o 'W3-4 monitoring:.*' | head -1)"
screen | tail -1 | grep -q "F6Rollout t"
ok $? "the key bar offers F6 / t"

# --- rolling back through the UI -------------------------------------------------------
tui_keys t
wait_for 5 has "Rollout tracker"
tui_keys g j R
wait_for 5 has "type W3-4 to confirm"
ok $? "R asks for the checklist's ID"
tui_keys W5-6 Enter
wait_for 5 has "is not \"W3-4\": NOT rolled back"
ok $? "a wrong ID is refused"
tui_keys R
wait_for 5 has "type W3-4 to confirm"
tui_keys W3-4 Enter
wait_for 5 has "why was W3-4 rolled back?"
ok $? "then the reason is asked"
tui_keys Enter
wait_for 5 has "a roll-back needs its reason"
ok $? "an empty reason is asked again"
tui_keys "p95 doubled after the switch" Enter
wait_for 5 has "W3-4 run 1 marked rolled back in the journal"
ok $? "recorded: $(screen | grep -o 'W3-4 run 1 marked.*' | head -1)"
screen | grep -qE '^ W3-4 +rolled back +p95 doubled after the switch +1'
st=$?
ok $st "the row says rolled back, with the reason"
[ $st -eq 0 ] || show "after the roll-back"
od journal list | awk '$5 == "CL-W3-4" && $6 == "rolled-back" { f = 1 } END { exit !f }'
ok $? "journal list: run 1 is rolled-back"
od journal show 1 | grep -q "p95 doubled after the switch"
ok $? "journal show: the reason is recorded with the event"
n1=$(od journal show 1 | grep -c "note: check")
sleep 5
is "$(od journal show 1 | grep -c 'note: check')" "$n1" "no check of the rolled-back run afterwards"
od journal verify >/dev/null
ok $? "the journal's chain verifies"
tui_keys F10
wait_for 5 has "opsdeck-exit=0"
ok $? "F10 quits from the tracker"
tui_stop

od rollback 1 --reason "again" >"$tmp/rb.out" 2>&1
is "$?" 1 "opsdeck rollback: a rolled-back run is refused (exit 1)"
grep -q "already rolled back" "$tmp/rb.out"
ok $? "... saying so"
od rollback 1 >/dev/null 2>&1
is "$?" 2 "opsdeck rollback without --reason: usage (exit 2)"

# --- a new run with a missed check, 200x60 ------------------------------------------
od run CL-W3-4 --auto --steps 14-16 >/dev/null 2>&1
sleep 8.5 # slot 2 passes with the console closed: missed
tui_start 200 60 OPSDECK_TIME_SCALE=3600 "$OPSDECK" --config "$cfg" --journal "$J" --start rollout
wait_for 10 has "Rollout tracker, lab"
wait_for 5 has "Read replicas validation (weeks 3-4)"
ok $? "200x60: the checklists' titles are shown"
s=$(screen)
echo "$s" | grep -qE '^ W3-4 +monitoring +.*[0-9]+ missed.* 2 +[0-9]{2}:[0-9]{2} +root'
st=$?
ok $st "200x60: run 2 monitoring, with its missed check, run id, start and operator"
[ $st -eq 0 ] || show "200x60 tracker"
echo "$s" | grep -q "STARTED      OPERATOR"
ok $? "200x60: the STARTED and OPERATOR columns"
wait_for 5 noted 2 3 3
ok $? "run 2's due check 3 is made as soon as the console opens"
plab fault replica-stop east >/dev/null 2>&1
wait_for 12 has "FAILED (run 2)"
ok $? "a replica stopped: the next check fails and is said: $(screen | grep -oE 'W3-4 check [0-9] of 7 of step 1[456] FAILED' | head -1)"
tmx capture-pane -e -p -t t | grep "FAILED (run 2)" | grep -qE '41m|;41[;m]'
ok $? "... in red"
wait_for 5 has " failed"
screen | grep -qE '^ W3-4 +monitoring +.*checks [0-9]+/21, 3 missed, [0-9]+ failed'
st=$?
ok $st "the row counts the failed checks: $(screen | grep -oE 'checks [0-9]+/21, 3 missed, [0-9]+ failed' | head -1)"
[ $st -eq 0 ] || show "the failed checks"
plab fault replica-stop east off >/dev/null 2>&1
tui_keys '?'
wait_for 5 has "Keys of the rollout tracker"
ok $? "? lists the tracker's keys"
has "record that the change was rolled back"
ok $? "... R among them"
tui_keys Escape F10
wait_for 5 has "opsdeck-exit=0"
tui_stop

# --- the config's start = rollout; a bad --start --------------------------------------
{ echo "start = rollout"; cat "$cfg"; } >"$tmp/start.ini"
chmod 600 "$tmp/start.ini"
tui_start 80 24 "$OPSDECK" --config "$tmp/start.ini" --journal "$J"
wait_for 10 has "Rollout tracker, lab"
ok $? "start = rollout in the config opens on the tracker"
tui_keys F10
tui_stop
"$OPSDECK" --config "$cfg" --journal "$J" --start nowhere </dev/null >"$tmp/bad.out" 2>&1
code=$?
[ "$code" -eq 2 ] && grep -q "expected panels or rollout" "$tmp/bad.out"
ok $? "--start nowhere: exit 2 ($(head -1 "$tmp/bad.out"))"
done_testing
