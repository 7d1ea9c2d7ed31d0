#!/usr/bin/env bash
# Never freeze: with a replica SIGSTOPped the console still answers keys, the replica's row
# turns stale/timeout within two refresh intervals, q quits within a second, and after
# SIGCONT the row recovers by itself.
. "$OPSDECK_SRC/tests/lib.sh"
cfg=$(lab_config)
cleanup() { "$LAB" fault freeze west off >/dev/null 2>&1; tui_stop; }
trap cleanup EXIT

now_ms() { echo $(($(date +%s%N) / 1000000)); }
tui_start 120 30 "$OPSDECK" --config "$cfg"
wait_for 10 sh -c "tmux -L $TMUX_SOCK capture-pane -p -t t | grep -E '^west +ok +streaming' >/dev/null"
ok $? "west streaming before the freeze"

"$LAB" fault freeze west >/dev/null
t0=$(now_ms)
west_stale() { screen | grep -E '^west ' | grep -qE '^west +(stale|critical) '; }
wait_for 2.2 west_stale
ok $? "within two refresh intervals (+0.2 s) west's row says stale or critical"
t1=$(now_ms)
diag "west row changed after $((t1 - t0)) ms: $(screen | grep -E '^west ')"
west_timeout() { screen | grep -E '^west ' | grep -qE 'timeout'; }
wait_for 6 west_timeout
ok $? "then it says timeout once the deadline passes"
diag "after $(($(now_ms) - t0)) ms: $(screen | grep -E '^west ')"

# keys still answered while the replica is frozen
tui_keys '?'
ts=$(now_ms)
wait_for 2 screen_has "Keys (any key closes this help)"
ok $? "help opens while a replica is frozen ($(($(now_ms) - ts)) ms)"
tui_keys Escape
wait_for 2 screen_has "REPLICA"
ok $? "and closes again"
is "$(screen | grep -cE '^east +ok')" 1 "east keeps updating as ok"

tui_keys q
ts=$(now_ms)
wait_for 2 screen_has "opsdeck-exit=0"
ok $? "q quits within a second while the replica is frozen ($(($(now_ms) - ts)) ms)"
tui_stop

# recovery by itself after SIGCONT
tui_start 120 30 "$OPSDECK" --config "$cfg"
wait_for 8 sh -c "tmux -L $TMUX_SOCK capture-pane -p -t t | grep -E '^west ' | grep -qE 'timeout|critical'"
ok $? "a console started during the freeze shows west failing"
screen_has "east"
ok $? "and still draws the other rows"
"$LAB" fault freeze west off >/dev/null
wait_for 20 sh -c "tmux -L $TMUX_SOCK capture-pane -p -t t | grep -E '^west +ok +streaming' >/dev/null"
ok $? "after SIGCONT west recovers by itself"
tui_keys q
wait_for 3 screen_has "opsdeck-exit=0"
ok $? "and q quits with exit 0"
done_testing
