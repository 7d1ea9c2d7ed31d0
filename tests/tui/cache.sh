#!/usr/bin/env bash
# The cache tab in tmux: at 80x24 and 200x60 it shows the values redis-cli reports; the hit
# rate over the last interval follows a burst of misses (warn) and then of hits (ok) - the
# interval math live, which a one-poll snapshot cannot show; Redis stopped -> the tab says
# down within two refresh intervals while ? and q still answer; Redis back -> ok by itself;
# Redis frozen -> stale, then timeout, and q still quits at once.
. "$OPSDECK_SRC/tests/lib.sh"
cfg=$(lab_config)
rcli() { "$LAB" redis-cli "$@"; }
now_ms() { echo $(($(date +%s%N) / 1000000)); }
cleanup() {
	"$LAB" fault freeze redis off >/dev/null 2>&1
	"$LAB" fault redis-stop off >/dev/null 2>&1
	rcli DEL opsdeck-test:tui:hit >/dev/null 2>&1
	tui_stop
}
trap cleanup EXIT
row() { screen | grep -E "^$1 " | head -1; }
row_has() { row "$1" | grep -qE -- "$2"; }
# value column of a metric row ("keys   42 ..." -> 42)
value_of() { row "$1" | sed -E "s/^$1 +([^ ]+).*/\1/"; }
# bursts of GETs for a few seconds, so that several refresh intervals see them
burst() { # hit|miss count seconds
	local end=$(($(date +%s) + $3)) key=opsdeck-test:tui:hit
	while [ "$(date +%s)" -lt "$end" ]; do
		for i in $(seq "$2"); do
			[ "$1" = hit ] && echo "GET $key" || echo "GET opsdeck-test:tui:missing:$i"
		done | rcli >/dev/null
		sleep 0.2
	done
}

"$LAB" status >/dev/null 2>&1 || "$LAB" up >/dev/null 2>&1
for size in "80 24" "200 60"; do
	set -- $size
	tui_start "$1" "$2" "$OPSDECK" --config "$cfg"
	wait_for 10 screen_has "Replicas"
	tui_keys 3
	wait_for 10 row_has redis ' up +(ok|warn) '
	ok $? "${1}x${2}: the cache tab shows redis up"
	s=$(screen)
	for m in "hit rate" "since start" "ops/s" memory keys clients ping "expired/s" "evicted/s"; do
		echo "$s" | grep -qE "^$m "
		ok $? "${1}x${2}: a '$m' row"
	done
	echo "$s" | grep -E '^METRIC' | grep -q HISTORY
	ok $? "${1}x${2}: the sparkline column fits"
	d=$(rcli DBSIZE)
	wait_for 3 sh -c "[ \"\$(tmux -L $TMUX_SOCK capture-pane -p -t t | grep -E '^keys ' | awk '{print \$2}')\" = \"\$(\"$LAB\" redis-cli DBSIZE)\" ]"
	ok $? "${1}x${2}: keys = DBSIZE ($(value_of keys) on screen, redis-cli $d)"
	row_has ping '[0-9.]+ms +ok'
	ok $? "${1}x${2}: PING latency: $(value_of ping)"
	row_has memory '[0-9.]+ [kMG]?B +ok'
	ok $? "${1}x${2}: used memory: $(value_of memory)"
	row_has clients '^clients +[1-9]'
	ok $? "${1}x${2}: connected clients: $(value_of clients)"
	echo "$s" | grep -q "redis://127.0.0.1:"
	ok $? "${1}x${2}: the summary names the Redis"
	if [ "$1" = 200 ]; then
		row_has "hit rate" 'warn <70%, crit <50% for 10m'
		ok $? "200x60: the thresholds column"
		screen | grep -q "thresholds .*hit <70% warn, <50% 10m crit"
		ok $? "200x60: the drill-down below the table lists everything down to the thresholds"
	fi
	diag "screen ${1}x${2}:"; screen | sed 's/^/#   /'
	tui_keys q
	wait_for 5 screen_has "opsdeck-exit=0"
	ok $? "${1}x${2}: q quits with exit code 0"
	tui_stop
done

# --- the hit rate over the last interval, live ----------------------------------------------
tui_start 120 40 "$OPSDECK" --config "$cfg"
wait_for 10 screen_has "Replicas"
tui_keys 3
wait_for 10 row_has redis ' up '
rcli SET opsdeck-test:tui:hit v EX 600 >/dev/null
burst miss 400 4 &
bp=$!
wait_for 4 row_has "hit rate" '^hit rate +[0-9.]+% +warn'
ok $? "a burst of misses: the interval hit rate drops below 70 % and warns: $(row "hit rate" | cut -c1-60)"
row_has "hit rate" 'pending'
ok $? "below 50 %: critical pending (not yet critical): $(row "hit rate" | cut -c1-70)"
since=$(value_of "since start")
diag "since start meanwhile: $since"
wait $bp
burst hit 400 4 &
bp=$!
wait_for 4 row_has "hit rate" '^hit rate +(9[0-9]|100)\.[0-9]% +ok'
ok $? "a burst of hits: back above 90 % and ok: $(row "hit rate" | cut -c1-60)"
wait $bp
tui_keys j Enter
wait_for 3 screen_has "hit rate (interval)"
ok $? "drill-down of the hit rate row: $(screen | grep -m1 'hit rate (interval)' | sed 's/  */ /g')"
screen_has "RB-11"
ok $? "the drill-down names runbook RB-11"
tui_keys Escape
tui_stop

# --- Redis stopped: down within two refresh intervals, keys still answered, recovers --------
tui_start 80 24 "$OPSDECK" --config "$cfg"
wait_for 10 screen_has "Replicas"
tui_keys 3
wait_for 10 row_has redis ' up '
"$LAB" fault redis-stop >/dev/null
t0=$(now_ms)
wait_for 2.2 row_has redis ' down +critical'
ok $? "Redis stopped: the row says down/critical after $(($(now_ms) - t0)) ms (refresh 1 s)"
# a server stopping under an open connection first reads "Server closed the connection"; the
# reconnect (backoff capped at the refresh interval) then names the cause that lasts
wait_for 2.2 row_has redis 'Connection refused'
ok $? "with the cause: $(row redis | sed 's/  */ /g')"
wait_for 1 screen_has "down, retrying - Connection refused"
ok $? "the summary says it keeps retrying"
screen_has "METRIC"
ok $? "the tab keeps its table (a red panel, no dialog)"
tui_keys '?'
ts=$(now_ms)
wait_for 2 screen_has "Keys (any key closes this help)"
ok $? "? opens the help while Redis is down ($(($(now_ms) - ts)) ms)"
tui_keys Escape
wait_for 2 screen_has "METRIC"
ok $? "and closes again"
"$LAB" fault redis-stop off >/dev/null
wait_for 15 row_has redis ' up +(ok|warn) '
ok $? "Redis back: up again by itself ($(row redis | sed 's/  */ /g'))"
wait_for 5 sh -c "tmux -L $TMUX_SOCK capture-pane -p -t t | grep -E '^redis ' | grep -qv critical"
ok $? "and no longer critical"
tui_keys q
ts=$(now_ms)
wait_for 2 screen_has "opsdeck-exit=0"
ok $? "q quits ($(($(now_ms) - ts)) ms)"
tui_stop

# --- Redis frozen: stale, then timeout; q still quits at once ---------------------------------
tui_start 80 24 "$OPSDECK" --config "$cfg"
wait_for 10 screen_has "Replicas"
tui_keys 3
wait_for 10 row_has redis ' up '
"$LAB" fault freeze redis >/dev/null
t0=$(now_ms)
wait_for 2.2 row_has redis '(waiting|stale|timeout)'
ok $? "Redis frozen: not shown as fresh after $(($(now_ms) - t0)) ms: $(row redis | sed 's/  */ /g')"
wait_for 6 row_has redis 'timeout +critical'
ok $? "then timeout/critical after $(($(now_ms) - t0)) ms"
tui_keys q
ts=$(now_ms)
wait_for 2 screen_has "opsdeck-exit=0"
ok $? "q quits within a second while Redis is frozen ($(($(now_ms) - ts)) ms)"
"$LAB" fault freeze redis off >/dev/null
done_testing
