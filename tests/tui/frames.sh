#!/usr/bin/env bash
# What the console costs the terminal when nothing happens (issue 6): every age on screen is
# in whole seconds ("<1s", "2s", "1m05s"), so it does not change between two clock ticks; a
# refresh's results make one frame, not one each; the clock turns in that frame, or in one of
# its own once a second. Measured with tmux over 10 s at 160x45: the bytes the console writes
# (pipe-pane) and its writes (a control-mode client gets one %output per read tmux makes of
# the pane, about one per frame). On an idle lab this machine's console writes 60-100 B/s in
# 1-2 writes/s, and with a replica frozen ~1.5 writes/s; drawing each result as it arrived
# plus a half-second clock wrote 710-880 B/s in 10-19 writes/s, with millisecond ages. The
# bounds, 300 B/s and 5 writes/s, sit between the two with room for a loaded machine. On a
# private lab: idle (nobody else's tests move its WAL) and one replica frozen.
. "$OPSDECK_SRC/tests/lib.sh"
tmp=$(mktemp -d)
private_lab 27030
cleanup() {
	tui_stop
	plab fault freeze west off >/dev/null 2>&1
	plab down >/dev/null 2>&1
	rm -rf "$LABDIR" "$tmp"
}
trap cleanup EXIT

MAX_BYTES_PER_S=300
MAX_WRITES_PER_S=5

# measure SECONDS: "BYTES WRITES" the console wrote to its pane in that time
measure() {
	: >"$tmp/pipe"
	tmx pipe-pane -t t "cat >>$tmp/pipe"
	sleep "$1" | timeout $(($1 + 5)) tmux -L "$TMUX_SOCK" -C attach -r -t t >"$tmp/ctl" 2>&1
	tmx pipe-pane -t t
	echo "$(wc -c <"$tmp/pipe") $(grep -c '^%output' "$tmp/ctl")"
}
# ages FILE: the ages a capture shows, one a line: the tab line's "data AGE", the health
# strip's "age AGE" and each replica's AGE column (found under its header)
ages() {
	sed -n 2p "$1" | grep -oE 'data [^ ]+ *$' | awk '{print $2}'
	sed -n 3p "$1" | grep -oE ' age [^ ]+' | awk '{print $2}'
	awk '!c && /^REPLICA / { c = index($0, " AGE") } c && /^(east|west) / { s = substr($0, c - 2, 6); gsub(/ /, "", s); print s }' "$1"
}
whole_seconds() { grep -qvE '^(<1s|[0-9]+s|[0-9]+m[0-5][0-9]s|[0-9]+h[0-5][0-9]m)$' "$1" && return 1; [ -s "$1" ]; }
row() { screen | grep -E "^$1 " | head -1; }
ready() { screen | grep -qE '^east +ok +streaming' && screen | grep -qE '^west +ok +streaming' && screen_has "API healthy"; }

plab_up "$tmp/up.log"
cfg=$(plab env)

# ---- idle ----
tui_start 160 45 "${OPSDECK_RELEASE:-$OPSDECK}" --config "$cfg"
wait_for 20 ready
ok $? "both replicas streaming and the API healthy"
screen >"$tmp/s1"
sleep 0.4
screen >"$tmp/s2"
for s in s1 s2; do
	ages "$tmp/$s" >"$tmp/$s.ages"
	is "$(wc -l <"$tmp/$s.ages")" 4 "capture $s: four ages on screen (data, API strip, east, west)"
	whole_seconds "$tmp/$s.ages"
	ok $? "capture $s: every age in whole seconds: $(paste -sd' ' "$tmp/$s.ages")"
	grep -qvE '^(<1s|1s)$' "$tmp/$s.ages"
	ok $((1 - $?)) "capture $s: the idle lab's data is under 2 s old"
done
asked() { grep -c '"GET /admin/rate-limit/analytics' "$LABDIR/log/api.log"; }
asked_ep() { grep -c "\"GET $1\" " "$LABDIR/log/api.log"; }
a0=$(asked) h0=$(asked_ep /health) d0=$(asked_ep /health/detailed)
read -r bytes writes < <(measure 10)
diag "idle, 10 s: $bytes bytes, $writes writes"
# with Redis read directly, the API's analytics (a SCAN of every key for the API) are asked
# every slow_refresh (30 s), not every refresh: at most one in these 10 s, not ten
a1=$(asked)
ok $([ $((a1 - a0)) -le 1 ] && echo 0 || echo 1) "the rate-limit analytics asked $((a1 - a0)) times in 10 s (Redis read directly: every 30 s)"
# /health every refresh; /health/detailed (the API probes every service for it) every 5th
# while the API says healthy
h=$(($(asked_ep /health) - h0)) d=$(($(asked_ep /health/detailed) - d0))
ok $([ "$h" -ge 8 ] && [ "$h" -le 12 ] && echo 0 || echo 1) "/health asked $h times in 10 s (every refresh)"
ok $([ "$d" -ge 1 ] && [ "$d" -le 3 ] && echo 0 || echo 1) "/health/detailed asked $d times in 10 s (healthy: every 5th refresh)"
[ "$bytes" -gt 0 ] && [ "$bytes" -lt $((MAX_BYTES_PER_S * 10)) ]
ok $? "idle: $((bytes / 10)) B/s written to the terminal (0 < x < $MAX_BYTES_PER_S; the clock alone moves)"
[ "$writes" -ge 5 ] && [ "$writes" -lt $((MAX_WRITES_PER_S * 10)) ]
ok $? "idle: $writes writes in 10 s (>= 5: the clock turns each second; < $((MAX_WRITES_PER_S * 10)): not a frame per result)"

# ---- replica west frozen ----
plab fault freeze west >/dev/null
wait_for 5 sh -c "tmux -L $TMUX_SOCK capture-pane -p -t t | grep -qE '^west +(stale|critical) '"
ok $? "west frozen: its row says stale or critical"
read -r bytes writes < <(measure 6)
diag "west frozen, 6 s: $bytes bytes, $writes writes"
[ "$writes" -ge 3 ] && [ "$writes" -lt $((MAX_WRITES_PER_S * 6)) ]
ok $? "west frozen: $writes writes in 6 s (< $((MAX_WRITES_PER_S * 6)))"
# the others' data is not held back: east stays fresh while the oldest data (west's) ages
screen >"$tmp/f1"
sleep 2.1
screen >"$tmp/f2"
for s in f1 f2; do
	ages "$tmp/$s" >"$tmp/$s.ages"
	whole_seconds "$tmp/$s.ages"
	ok $? "west frozen, capture $s: every age in whole seconds: $(paste -sd' ' "$tmp/$s.ages")"
	is "$(sed -n 3p "$tmp/$s.ages" | grep -cE '^(<1s|1s)$')" 1 "west frozen, capture $s: east's data is under 2 s old"
done
d1=$(sed -n 1p "$tmp/f1.ages") d2=$(sed -n 1p "$tmp/f2.ages")
[ "$d1" != "$d2" ] && [ "${d1%s}" != "<1" ] && [ "${d2%s}" != "<1" ]
ok $? "west frozen: the tab line's data age moves on in seconds ($d1, then $d2)"
plab fault freeze west off >/dev/null
wait_for 20 sh -c "tmux -L $TMUX_SOCK capture-pane -p -t t | grep -qE '^west +ok +streaming'"
ok $? "west thawed: it recovers"
# PgBouncer stopped: the API says degraded, and /health/detailed (which says why) is asked
# every refresh again
plab fault pgbouncer-stop >/dev/null
wait_for 10 sh -c "tmux -L $TMUX_SOCK capture-pane -p -t t | grep -qE '^ API degraded'"
ok $? "PgBouncer stopped: the strip says API degraded"
d0=$(asked_ep /health/detailed)
sleep 5
d=$(($(asked_ep /health/detailed) - d0))
ok $([ "$d" -ge 4 ] && echo 0 || echo 1) "/health/detailed asked $d times in 5 s while degraded (every refresh)"
plab fault pgbouncer-stop off >/dev/null
wait_for 10 sh -c "tmux -L $TMUX_SOCK capture-pane -p -t t | grep -qE '^ API healthy'"
ok $? "PgBouncer back: API healthy again"
tui_keys q
wait_for 5 screen_has "opsdeck-exit=0"
ok $? "q quits with exit code 0"
done_testing
