#!/usr/bin/env bash
# The lead's journal review in tmux, with no server at all: three runs of a checklist whose
# probes are local shell scripts (tests/fixtures/review/REVIEW.md) are recorded with
# `opsdeck run`, then the console (J, :journal) lists them, filters them (:journal fields,
# / as you type), shows a run with baseline / now / delta / verdict side by side, the output
# masked, and records sign-offs through the keys: refused in red without a reason over a
# failed step, recorded and marked with one, a correction, one person one role, and a run
# with nothing failed signed without a reason; `opsdeck journal show` has them with the OS
# user. A row altered with sqlite3 turns the integrity badge to BROKEN. 80x24 and 200x60.
. "$OPSDECK_SRC/tests/lib.sh"
tmp=$(mktemp -d)
trap 'tui_stop; rm -rf "$tmp"' EXIT
# the checklist is found like the library's (runbooks/checklists next to runbooks/library)
mkdir -p "$tmp/runbooks/checklists"
ln -s "$OPSDECK_SRC/runbooks/library" "$tmp/runbooks/library"
cp "$OPSDECK_SRC/tests/fixtures/review/REVIEW.md" "$tmp/runbooks/checklists/REVIEW.md"
cfg=$tmp/cfg.ini
printf '[review]\n; nothing listens here: the review needs no server\napi = http://127.0.0.1:9\n' >"$cfg"
J=$tmp/j.db
cd "$tmp" || exit 1
od() { "$OPSDECK" --config "$cfg" --journal "$J" "$@"; }
me=$(id -un)
has() { screen_has "$1"; }
show() { diag "$1:"; screen | sed 's/^/#   /'; }
rows() { screen | grep -cE '^ [0-9]+ +[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2} '; } # list rows at 80 columns
# scroll the run down with J until TEXT is on screen (at most N lines)
scroll_to() {
	local i
	for ((i = 0; i < ${2:-60}; i++)); do has "$1" && return 0; tui_keys J; sleep 0.05; done
	has "$1"
}

OPSDECK_OPERATOR="Ana Diaz" od run CL-REVIEW --auto --input now_ms=126 --value review_cpu_pct=37.5 >/dev/null 2>&1
is $? 0 "run 1 (Ana Diaz): every step passes"
OPSDECK_OPERATOR="Bob Li" od run CL-REVIEW --auto --input now_ms=200 --value review_cpu_pct=38 >/dev/null 2>&1
is $? 1 "run 2 (Bob Li): the p95 check fails against its baseline"
OPSDECK_OPERATOR="Cy Ng" od run CL-REVIEW --auto --input now_ms=118 --value review_cpu_pct=35 >/dev/null 2>&1
is $? 0 "run 3 (Cy Ng) passes"

# --- 80x24: the list and its filters --------------------------------------------------
tui_start 80 24 "$OPSDECK" --config "$cfg" --journal "$J"
wait_for 10 has "Replicas"
tui_keys J
wait_for 5 has "Journal review: 3 runs, newest first"
ok $? "J opens the review: 3 runs, newest first"
wait_for 10 has "chain intact ("
ok $? "the integrity badge: $(screen | grep -o 'chain intact ([0-9]* rows')"
s=$(screen)
is "$(rows)" 3 "three rows"
echo "$s" | grep -qE '^ 2 .* Bob Li +failed +3/1/0 +0/2 signed'
ok $? "run 2: operator, state failed, steps 3/1/0, 0/2 signed"
[ $? -eq 0 ] || show "the list"
is "$(echo "$s" | awk '/^ [0-9]+ +[0-9][0-9]-/ { printf "%s ", $1 }')" "3 2 1 " "newest first: 3 2 1"

tui_keys ':journal operator=bob' Enter
wait_for 5 has "1 run matches  operator=bob"
ok $? ":journal operator=bob: the active filter is shown"
is "$(rows)" 1 "... one row"
has "Bob Li"
ok $? "... Bob's"
tui_keys ':journal state=done ref=review' Enter
wait_for 5 has "2 runs match  ref=review state=done"
ok $? ":journal state=done ref=review (CL- is implied, any case): 2 runs"
has "Bob Li"
ok $((1 - $?)) "... the failed run is hidden"
tui_keys x
wait_for 5 has "3 runs, newest first"
ok $? "x clears the filter"
tui_keys / c y
wait_for 5 has "1 run matches  /cy"
ok $? "/ filters as you type (cy): $(screen | grep -o 'Journal review: [^(]*')"
is "$(rows)" 1 "... one row before Enter"
tui_keys Escape x
wait_for 5 has "3 runs, newest first"
tui_keys ':journal since=soon' Enter
wait_for 5 has "since=soon: not a date: write YYYY-MM-DD"
ok $? "a bad filter is refused, saying what it accepts"
has "3 runs, newest first"
ok $? "... and the list keeps its filter"
tui_keys ':journal since=1d until=2099-01-01' Enter
wait_for 5 has "3 runs match  since=1d until=2099-01-01"
ok $? "since=1d until=DATE"

# --- a run: baselines compared, output masked --------------------------------------------
tui_keys x
wait_for 5 has "3 runs, newest first"
tui_keys Down Enter
wait_for 5 has "Run 2  checklist CL-REVIEW: Review screen fixture"
ok $? "Enter opens run 2"
has "chain intact ("
ok $? "the badge stays on top of the run"
has "state     failed at"
ok $? "header: state and when it ended"
has "operator  Bob Li (OS user $me) on"
ok $? "header: typed name and OS user"
scroll_to "review_p95_ms    120 ms  200 ms  +80 ms (+66.7 %)  FAIL"
ok $? "step 3: baseline 120 ms, now 200 ms, delta +80 ms (+66.7 %), verdict FAIL side by side"
[ $? -eq 0 ] || show "run 2"
scroll_to "postgresql://ops:****@db.internal"
ok $? "a DSN in the captured output is masked"
scroll_to "password=**** dbname=app"
ok $? "... a conninfo password too"
scroll_to "review_cpu_pct           38 %"
ok $? "the typed-in baseline with its unit"
has "(typed in)"
ok $? "... marked as typed in"
scroll_to "Engineering Lead: unsigned"
ok $? "the roles still unsigned"
seen=$(for i in 1 2 3; do screen; done)
echo "$seen" | grep -q hunter2
ok $((1 - $?)) "the password itself is never on screen"

# --- sign-offs through the keys ---------------------------------------------------------
tui_keys S
wait_for 5 has "sign as which role? press its number"
ok $? "S asks for the role"
has "1 DBA (unsigned)   2 Engineering Lead (unsigned)"
ok $? "... offering the checklist's roles"
has "required: the run has 1 failed and 0 unchecked steps"
ok $? "... and saying why a reason will be needed"
tui_keys 1
wait_for 5 has "your name, as it goes in the journal:"
tui_keys "Dee Ro" Enter
wait_for 5 has "comment (optional"
tui_keys "looked at the graphs" Enter
wait_for 5 has "reason (required: 1 failed, 0 unchecked steps):"
ok $? "the reason is asked because a step failed"
tui_keys Enter
wait_for 5 has "NOT recorded: run 2 has 1 failed and 0 unchecked steps: signing it needs a"
ok $? "without a reason the sign-off is refused on screen"
od journal show 2 | grep -q "Dee Ro"
ok $((1 - $?)) "... and nothing is in the journal"
tui_keys "p95 regression accepted for this release" Enter
wait_for 5 has "sign-off #1 recorded: Dee Ro signed as DBA on run 2 with a reason"
ok $? "with a reason it is recorded, and the screen says so"
has "signed with failed/unchecked items: p95 regression accepted"
ok $? "the run shows the sign-off marked as signed over a failure"
show=$(od journal show 2)
echo "$show" | grep -q "#1 DBA: Dee Ro/$me on "
ok $? "journal show: role, name and OS user"
echo "$show" | grep -q "reason: p95 regression accepted for this release"
ok $? "journal show: the reason"
echo "$show" | grep -q "comment: looked at the graphs"
ok $? "journal show: the comment"

tui_keys C
wait_for 5 has "correcting sign-off #1"
ok $? "C corrects the selected sign-off"
tui_keys "Eve Park" Enter
wait_for 5 has "comment (optional"
tui_keys Enter
wait_for 5 has "reason (required"
tui_keys "Dee was not on the rota" Enter
wait_for 5 has "sign-off #2 recorded: Eve Park signed as DBA on run 2 with a reason"
ok $? "the correction is recorded"
has "correcting #1"
ok $? "... shown as correcting #1"
od journal show 2 | grep -q "corrects sign-off #1"
ok $? "journal show: the correction refers to #1"

tui_keys S
wait_for 5 has "1 Engineering Lead (unsigned)   2 DBA (signed)"
ok $? "the unsigned role is offered first"
tui_keys 1 "Eve Park" Enter Enter "ok" Enter
wait_for 5 has "NOT recorded: Eve Park has already signed another role of this run"
ok $? "one person cannot take a second role: refused on screen"
od journal show 2 | grep -q "Engineering Lead"
ok $((1 - $?)) "... nothing recorded"
tui_keys q
wait_for 5 has "1/2 signed*"
ok $? "back in the list, run 2 reads 1/2 signed* (a reason was given)"

tui_keys g Enter
wait_for 5 has "Run 3  checklist"
tui_keys S 1
wait_for 5 has "not needed: every step passed"
ok $? "a run with nothing failed needs no reason"
tui_keys "Fay Ito" Enter Enter
wait_for 5 has "sign-off #3 recorded: Fay Ito signed as DBA on run 3"
ok $? "... signed with name and comment only: $(screen | grep -o 'sign-off #3 recorded[^;]*' | head -1)"
has "with a reason"
ok $((1 - $?)) "... and not marked"
tui_keys q q
wait_for 5 has "1 Replicas"
tui_keys q
wait_for 5 has "opsdeck-exit=0"
ok $? "q q q: back to the panels, then quit with 0"
od journal verify >/dev/null
ok $? "the journal verifies after the sign-offs"
tui_stop

# --- 200x60: every column, the run without scrolling ---------------------------------------
tui_start 200 60 "$OPSDECK" --config "$cfg" --journal "$J"
wait_for 10 has "Replicas"
tui_keys ':review kind=checklist' Enter
wait_for 5 has "3 runs match  kind=checklist"
ok $? ":review is :journal"
s=$(screen)
echo "$s" | grep -qE "^ 2 +20[0-9-]+ [0-9:]+ +checklist +CL-REVIEW +Review screen fixture +review +Bob Li +failed +3/1/0 +1/2 signed\*"
ok $? "200 columns: kind, title and environment too"
[ $? -eq 0 ] || show "200x60 list"
tui_keys Down Enter
wait_for 5 has "Run 2  checklist"
has "review_p95_ms    120 ms  200 ms  +80 ms (+66.7 %)  FAIL"
ok $? "200x60: the comparison is on screen without scrolling"
tui_keys q F10
wait_for 5 has "opsdeck-exit=0"
ok $? "F10 quits from the review"
tui_stop

# --- tampering turns the badge red ------------------------------------------------------
if command -v sqlite3 >/dev/null; then
	sqlite3 "$J" "SELECT 'DROP TRIGGER \"' || name || '\";' FROM sqlite_master WHERE type = 'trigger'" | sqlite3 "$J"
	sqlite3 "$J" "UPDATE step_results SET status = 'pass' WHERE run_id = 2 AND step_id = '3'"
	tui_start 80 24 "$OPSDECK" --config "$cfg" --journal "$J"
	wait_for 10 has "Replicas"
	tui_keys J
	wait_for 10 has "chain BROKEN at seq"
	ok $? "a row altered with sqlite3: $(screen | grep -o 'chain BROKEN.*' | cut -c1-70)"
	has "content altered"
	ok $? "... saying what was wrong with it"
	tui_keys q q
	tui_stop
else
	skip "the sqlite3 tool is not installed: the tampering check needs it"
fi
done_testing
