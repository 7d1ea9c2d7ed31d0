#!/usr/bin/env bash
# The runbook walker in tmux: walks RB-1 step by step on the lab (every step passes), each
# result recorded before the screen says so, then finds the run with `opsdeck journal list`;
# --read-only refuses a destructive step; a skip needs a reason; a run interrupted by kill -9
# is offered for resume at its first unfinished step; a missing journal is said, not hidden.
. "$OPSDECK_SRC/tests/lib.sh"
cfg=$(lab_config)
tmp=$(mktemp -d)
trap 'tui_stop; rm -rf "$tmp"' EXIT

has() { screen_has "$1"; }
# the opsdeck process of the tmux pane (tmux runs: sh -c "env ... opsdeck ...")
opsdeck_pid() { pgrep -P "$(tmx list-panes -t t -F '#{pane_pid}')" | head -1; }
show() { diag "$1:"; screen | sed 's/^/#   /'; }
runs() { "$OPSDECK" --journal "$1" journal list; } # ID DATE TIME KIND REF STATE PASS FAIL OTHER OPERATOR

# --- RB-1 step by step, 80x24 -------------------------------------------------------
J=$tmp/walk.db
tui_start 80 24 "$OPSDECK" --config "$cfg" --journal "$J"
wait_for 10 has "west"
tui_keys ':rb 1' Enter
wait_for 5 has "RB-1: Daily replica health check"
ok $? ":rb 1 opens RB-1 in the walker"
s=$(screen)
echo "$s" | grep -q "0/5 "
ok $? "progress starts at 0/5"
echo "$s" | grep -q "not started, about 5 min"
ok $? "the expected duration is shown before the run begins"
echo "$s" | grep -q "Before you start"
ok $? "the first row is 'Before you start' (summary, prerequisites)"
runs "$J" | grep -q "no runs recorded yet"
ok $? "looking at a runbook leaves no run in the journal"

tui_keys Down Enter
for n in 1 2 3 4 5; do
	[ "$n" -gt 1 ] && tui_keys Enter
	wait_for 30 has "step $n pass, recorded in run 1"
	ok $? "step $n: Enter runs it, it passes and the screen says recorded"
	[ $? -eq 0 ] || show "step $n"
done
wait_for 5 has "run 1 done"
ok $? "every step has a result: run 1 done"
s=$(screen)
echo "$s" | grep -q "5/5 ✓5 ✗0"
ok $? "progress 5/5 with five passes"
is "$(echo "$s" | grep -cE '^✓ +[1-5] A ')" 5 "five pass marks in the step list"
echo "$s" | grep -qE "took [0-9]+:[0-9]{2} / 5 min"
ok $? "elapsed time against the expected 5 min"
tui_keys g Down
wait_for 5 has "Every replica has an active physical slot"
s=$(screen)
echo "$s" | grep -q "rows = 2"
ok $? "step 1 shows what was observed (rows = 2)"
echo "$s" | grep -q "recorded in the journal, run 1"
ok $? "step 1 says it is recorded in run 1"
[ $? -eq 0 ] || show "step 1 after the run"
tui_keys PgDn
wait_for 5 has "replica_1_slot"
ok $? "PgDn scrolls to the captured output (the slot table)"
tui_keys Enter
wait_for 5 has "has ended (done)"
ok $? "an ended run takes no new result"
tui_keys q
wait_for 5 has "1 Replicas"
tui_keys q
wait_for 5 has "opsdeck-exit=0"
ok $? "q leaves the walker, q again quits with 0"
list=$(runs "$J")
echo "$list" | awk '$5 == "RB-1" && $6 == "done" && $7 == 5 && $8 == 0 { f = 1 } END { exit !f }'
ok $? "journal list: RB-1 done with 5 pass, 0 fail"
[ $? -eq 0 ] || echo "$list" | sed 's/^/#   /'
"$OPSDECK" --journal "$J" journal show 1 | grep -q "observed: primary: rows = 2, count(replicas) = 2"
ok $? "journal show: step 1's observed values"
"$OPSDECK" --journal "$J" journal verify >/dev/null
ok $? "the journal's chain verifies"
tui_stop

# --- 200x60: the same runbook reads in full -------------------------------------------
tui_start 200 60 "$OPSDECK" --config "$cfg" --journal "$J"
wait_for 10 has "west"
tui_keys ':rb RB-1' Enter
wait_for 5 has "RB-1: Daily replica health check"
s=$(screen)
echo "$s" | grep -q "Row counts match between the primary and the replicas"
ok $? "200x60: step titles are shown whole"
echo "$s" | grep -q "0/5 "
ok $? "200x60: a finished run is not offered again; a new run starts at 0/5"
tui_keys Down Enter
wait_for 30 has "step 1 pass, recorded in run 2"
ok $? "200x60: a new run (2) begins with the first result"
has "Step 2 of 5"
ok $? "200x60: a step that passed moves the selection to the next one"
tui_keys Up
wait_for 5 has "replica_2_slot"
ok $? "200x60: the step's output is shown without scrolling"
tui_keys F10
wait_for 5 has "opsdeck-exit=0"
ok $? "F10 quits from the walker"
tui_stop

# --- --read-only refuses a destructive step ----------------------------------------
R=$tmp/ro.db
tui_start 80 24 "$OPSDECK" --config "$cfg" --journal "$R" --read-only
wait_for 10 has "west"
tui_keys ':rb 13' Enter
wait_for 5 has "RB-13: Clear cache safely"
has "READ-ONLY"
ok $? "--read-only is said in the walker"
tui_keys Down Down Down Down
wait_for 5 has "Delete the pattern's keys"
has "opsdeck refuses this step"
ok $? "step 4 (destructive) is announced as refused before Enter"
tui_keys Enter
wait_for 5 has "step 4 refused: read-only: step 4 is destructive"
ok $? "Enter on step 4 is refused: $(screen | grep -m1 -o 'step 4 refused[^;]*')"
has "step 4 needs pattern"
ok $((1 - $?)) "no input is asked for a refused step"
has "type UNLINK to run step 4"
ok $((1 - $?)) "no confirmation word is asked either"
tui_keys Down Enter
wait_for 5 has "step 5 refused"
ok $? "step 5 (FLUSHDB) is refused too"
runs "$R" | grep -q "no runs recorded yet"
ok $? "refusals begin no run"
tui_keys F10
wait_for 5 has "opsdeck-exit=0"
tui_stop

# --- a manual step: skip needs a reason ----------------------------------------------
M=$tmp/manual.db
tui_start 80 24 "$OPSDECK" --config "$cfg" --journal "$M"
wait_for 10 has "west"
tui_keys ':rb 5' Enter
wait_for 5 has "RB-5: Check pool status"
tui_keys Down p
wait_for 5 has "step 1 is checked by its probes"
ok $? "p on an automatic step says Enter runs it"
tui_keys G Up
wait_for 5 has "Look at the pool saturation graph"
has "done by hand"
ok $? "step 6 is a step done by hand"
tui_keys s
wait_for 5 has "why skip step 6?"
ok $? "s asks why"
tui_keys Enter
wait_for 5 has "a skip needs a reason"
ok $? "an empty reason is refused"
has "why skip step 6?"
ok $? "and the question is asked again"
tui_keys 'no dashboard in the lab' Enter
wait_for 5 has "step 6 skip, recorded in run 1"
ok $? "with a reason the skip is recorded"
has "reason    no dashboard in the lab"
ok $? "the reason is shown with the step"
tui_keys n
wait_for 5 has "note for step 6:"
tui_keys 'checked by phone with the DBA' Enter
wait_for 5 has "note recorded with step 6"
ok $? "n adds a note to a recorded step"
tui_keys F10
wait_for 5 has "opsdeck-exit=0"
"$OPSDECK" --journal "$M" journal show 1 >"$tmp/show.txt"
grep -qE "6 +skip" "$tmp/show.txt"
ok $? "journal show: step 6 skip"
grep -q "no dashboard in the lab" "$tmp/show.txt"
ok $? "journal show: with its reason"
grep -q "checked by phone with the DBA" "$tmp/show.txt"
ok $? "journal show: and the note"
runs "$M" | awk '$5 == "RB-5" && $6 == "started" { f = 1 } END { exit !f }'
ok $? "RB-5's run stays open (five steps to go)"
tui_stop

# --- kill -9 mid-run, then resume at the first unfinished step -----------------------
K=$tmp/kill.db
tui_start 80 24 "$OPSDECK" --config "$cfg" --journal "$K"
wait_for 10 has "west"
tui_keys ':rb 1' Enter
wait_for 5 has "RB-1: Daily replica health check"
tui_keys Down Enter
wait_for 30 has "step 1 pass, recorded in run 1"
tui_keys Enter
wait_for 30 has "step 2 pass, recorded in run 1"
ok $? "two steps recorded before the kill"
pid=$(opsdeck_pid)
kill -9 "$pid"
gone() { ! kill -0 "$pid" 2>/dev/null; }
wait_for 10 gone && wait_for 10 has "opsdeck-exit=137"
st=$?
ok $st "opsdeck killed with SIGKILL (pid $pid: $(ps -o comm= -p "$pid" 2>/dev/null || echo gone))"
[ $st -eq 0 ] || show "after kill -9"
runs "$K" | awk '$5 == "RB-1" && $6 == "started" && $7 == 2 { f = 1 } END { exit !f }'
ok $? "the journal keeps the interrupted run: started, 2 pass"
tui_stop
tui_start 80 24 "$OPSDECK" --config "$cfg" --journal "$K"
wait_for 10 has "west"
tui_keys ':rb 1' Enter
wait_for 5 has "Resume run 1 at step 3? (y/n; 2/5 done"
ok $? "reopening RB-1 offers run 1 for resume at step 3"
[ $? -eq 0 ] || show "resume offer"
tui_keys y
wait_for 5 has "resumed run 1 at step 3"
ok $? "y resumes it"
s=$(screen)
echo "$s" | grep -q "2/5 ✓2"
ok $? "the two recorded steps keep their passes"
echo "$s" | grep -q "Step 3 of 5"
ok $? "step 3 is selected"
for n in 3 4 5; do
	tui_keys Enter
	wait_for 30 has "step $n pass, recorded in run 1"
	ok $? "resumed run: step $n passes and is recorded"
done
wait_for 5 has "run 1 done"
ok $? "the resumed run ends done"
tui_keys F10
wait_for 5 has "opsdeck-exit=0"
runs "$K" | awk '$1 == 1 && $5 == "RB-1" && $6 == "done" && $7 == 5 { f = 1 } END { exit !f }'
ok $? "journal list: run 1 done with 5 pass"
"$OPSDECK" --journal "$K" journal show 1 | grep -q "resumed  at step 3"
ok $? "journal show: the run was resumed at step 3"
tui_stop

# --- inputs, confirmation words, a secret, cancelling a running step -----------------
# A runbook of the test's own (harmless: it touches a file in $tmp and sleeps).
mkdir -p "$tmp/rb"
cat >"$tmp/rb/RB-90.md" <<EOF
# RB-90: Walker test

- **When:** in the walker's test
- **Duration:** 1 min
- **Owner:** DevOps
- **Group:** General

Inputs, a destructive step, a step done by hand, a secret and slow steps.

## Prerequisites

- [ ] nothing

## Inputs

| name | description | type | example |
|---|---|---|---|
| count | how many marks to make | integer 1..10 | 3 |
| api_token | a token for nothing | /[a-z0-9]{8,40}/ | abcdefgh12 |

## Steps

### 1. The count arrives as data

\`\`\`shell expect="output contains 'n=3'"
echo "n=\$OPSDECK_INPUT_COUNT"
\`\`\`

### 2. Make the mark

\`\`\`shell destructive confirm=TOUCH expect="exit == 0"
touch $tmp/rb/marker
\`\`\`

### 3. Tell the DBA

\`\`\`text destructive confirm=TOLD
call the DBA
\`\`\`

### 4. The token is set

\`\`\`shell expect="exit == 0"
test -n "\$OPSDECK_INPUT_API_TOKEN"
\`\`\`

### 5. Wait a long time

\`\`\`shell timeout=60s
sleep 30
\`\`\`

### 6. Wait a long time again

\`\`\`shell timeout=60s
sleep 30
\`\`\`

## Success criteria

- ✅ the mark is made

## Troubleshooting

- **No mark:** look at the directory.

## Rollback

Remove the mark.
EOF
"$OPSDECK" lint "$tmp/rb/RB-90.md" >/dev/null
ok $? "the test's runbook is lint clean"
F=$tmp/fixture.db
tui_start 80 24 "$OPSDECK" --config "$cfg" --journal "$F"
wait_for 10 has "west"
tui_keys ":rb $tmp/rb/RB-90.md" Enter
wait_for 5 has "RB-90: Walker test"
tui_keys Down Enter
wait_for 5 has "step 1 needs count:"
ok $? "a step that needs an input asks for it"
has "integer 1..10"
ok $? "with its type"
tui_keys 42 Enter
wait_for 5 has "not accepted: count: 42"
ok $? "a value outside the type is refused, with the reason: $(screen | grep -o 'not accepted: count: [^│]*' | head -1)"
has "step 1 needs count:"
ok $? "and asked again"
tui_keys 3 Enter
wait_for 30 has "step 1 pass, recorded in run 1"
ok $? "the input reaches the probe as data (n=3)"
tui_keys Enter
wait_for 5 has "type TOUCH to run step 2:"
ok $? "a destructive step asks for its word"
has "DESTRUCTIVE: step 2 will run:"
ok $? "and shows what it will do"
tui_keys touch Enter
wait_for 5 has "step 2 was NOT run"
ok $? "a wrong word (case matters) does not run it"
[ ! -e "$tmp/rb/marker" ]
ok $? "nothing was done"
tui_keys Enter
wait_for 5 has "type TOUCH to run step 2:"
tui_keys TOUCH Enter
wait_for 30 has "step 2 pass, recorded in run 1"
ok $? "the exact word runs it"
[ -e "$tmp/rb/marker" ]
ok $? "and it was done"
tui_keys p
wait_for 5 has "type TOLD to confirm step 3:"
ok $? "a destructive step done by hand asks for its word before pass"
tui_keys TOLD Enter
wait_for 5 has "step 3 manual-ok, recorded in run 1"
ok $? "then it is recorded as done by hand"
tui_keys Enter
wait_for 5 has "step 4 needs api_token:"
tui_keys abcdefgh12
wait_for 5 has "api_token: **********_"
ok $? "a secret input is echoed as *"
is "$(screen | grep -c abcdefgh12)" "$(screen | grep -c 'example   abcdefgh12')" "the secret is not on screen (only the runbook's example is)"
tui_keys Enter
wait_for 30 has "step 4 pass, recorded in run 1"
ok $? "the secret reaches the probe"
tui_keys Enter
wait_for 5 has "RUNNING step 5"
ok $? "a slow step shows RUNNING"
c1=$(screen | head -1)
sleep 1.2
c2=$(screen | head -1)
[ "$c1" != "$c2" ]
ok $? "the console keeps updating while the step runs (the clock moves)"
tui_keys Escape
wait_for 10 has "step 5 error, recorded in run 1"
ok $? "Esc cancels the running step; the result is recorded as an error"
has "cancelled"
ok $? "it says cancelled"
tui_keys Down Enter
wait_for 5 has "RUNNING step 6"
tui_keys C-c
wait_for 10 has "step 6 error"
ok $? "Ctrl-C cancels the running step"
has "opsdeck-exit"
ok $((1 - $?)) "and does not quit the console"
wait_for 5 has "run 1 failed"
ok $? "with errors the run ends failed"
tui_keys F10
wait_for 5 has "opsdeck-exit=0"
runs "$F" | awk '$5 == "RB-90" && $6 == "failed" && $7 == 4 && $8 == 2 { f = 1 } END { exit !f }'
ok $? "journal list: RB-90 failed, 4 pass, 2 fail"
"$OPSDECK" --journal "$F" journal show 1 >"$tmp/show.txt"
grep -q "abcdefgh12" "$tmp/show.txt"
ok $((1 - $?)) "the journal does not hold the secret"
grep -q "abcd\*\*\*" "$tmp/show.txt"
ok $? "only its first 4 characters"
tui_stop

# --- no journal: said on screen, nothing claims to be recorded -------------------------
if [ "$(id -u)" -eq 0 ]; then bad=/proc/opsdeck-no-such-dir/j.db; else mkdir -p "$tmp/ro" && chmod 500 "$tmp/ro" && bad=$tmp/ro/sub/j.db; fi
tui_start 80 24 "$OPSDECK" --config "$cfg" --journal "$bad"
wait_for 10 has "west"
tui_keys ':rb 1' Enter
wait_for 5 has "journal unavailable: results are not recorded"
ok $? "without a journal the walker says results are not recorded"
tui_keys Down Enter
wait_for 30 has "step 1 pass, NOT recorded"
ok $? "a result without a journal says NOT recorded"
has "recorded in run"
ok $((1 - $?)) "and never says recorded"
tui_keys F10
wait_for 5 has "opsdeck-exit=0"
ok $? "quits with 0"
done_testing
