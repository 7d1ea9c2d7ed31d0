#!/usr/bin/env bash
# The console writes samples to the journal at the configured interval; a journal that
# cannot be opened is said on screen and monitoring goes on.
. "$OPSDECK_SRC/tests/lib.sh"
tmp=$(mktemp -d)
trap 'tui_stop; rm -rf "$tmp"' EXIT
{ echo "sample_interval = 1s"; grep -v '^;' "$(lab_config)"; } >"$tmp/cfg.ini"
chmod 600 "$tmp/cfg.ini"

tui_start 120 30 "$OPSDECK" --config "$tmp/cfg.ini" --journal "$tmp/j.db"
wait_for 10 sh -c "tmux -L $TMUX_SOCK capture-pane -p -t t | grep -qE '^west +ok'"
sleep 3.5
tui_keys q
wait_for 5 screen_has "opsdeck-exit=0"
ok $? "console quits with 0"
n=$(sqlite3 "$tmp/j.db" "select count(distinct recorded_at) from samples where source = 'replicas' and metric = 'east.lag_ms'")
ok $([ "${n:-0}" -ge 2 ] && echo 0 || echo 1) "replica lag sampled at least twice in 3.5 s at a 1 s interval ($n)"
m=$(sqlite3 "$tmp/j.db" "select count(*) from samples where source = 'pools' and metric like 'ywmessaging/%.saturation_pct'")
ok $([ "${m:-0}" -ge 1 ] && echo 0 || echo 1) "pool saturation sampled ($m)"
"$OPSDECK" journal verify --journal "$tmp/j.db" >/dev/null
ok $? "the journal's chain verifies"
mode=$(stat -c %a "$tmp/j.db")
is "$mode" "600" "the journal file is private (0600)"

mkdir -p "$tmp/ro" && chmod 500 "$tmp/ro"
if [ "$(id -u)" -eq 0 ]; then bad=/proc/opsdeck-no-such-dir/j.db; else bad=$tmp/ro/sub/j.db; fi
tui_start 120 30 "$OPSDECK" --config "$tmp/cfg.ini" --journal "$bad"
wait_for 10 screen_has "JOURNAL:"
ok $? "an unusable journal is said on screen: $(screen | grep -m1 JOURNAL: | cut -c1-100)"
screen_has "monitoring goes on"
ok $? "and monitoring goes on"
wait_for 10 sh -c "tmux -L $TMUX_SOCK capture-pane -p -t t | grep -qE '^west +ok'"
ok $? "the replicas are still watched"
tui_keys q
wait_for 5 screen_has "opsdeck-exit=0"
ok $? "quits with 0"
done_testing
