#!/usr/bin/env bash
# The Rate limits tab (key 4) at 80x24 and 200x60: tiers and a key pushed past its limit,
# masked. With the API frozen the tab (and the health strip, where drawn) say timeout while
# keys keep being answered.
. "$OPSDECK_SRC/tests/lib.sh"
cfg=$(lab_config)
. "$(dirname "$cfg")/env.sh"
cleanup() { "$LAB" fault freeze api off >/dev/null 2>&1; tui_stop; }
trap cleanup EXIT
now_ms() { echo $(($(date +%s%N) / 1000000)); }

# a key over its limit in the current window (not in the last 20 s of a minute)
s=$(($(date +%s) % 60))
[ "$s" -gt 40 ] && sleep $((61 - s))
prefix=$(tr -dc 'a-z' </dev/urandom | head -c 4)
key="${prefix}_tui_$(date +%s)"
for i in $(seq 1 13); do curl -s -o /dev/null -H "X-API-Key: $key" "$LAB_API_URL/api/test"; done

for size in "80 24" "200 60"; do
	set -- $size
	tui_start "$1" "$2" "$OPSDECK" --config "$cfg"
	wait_for 10 screen_has "Rate limits"
	tui_keys 4
	wait_for 10 sh -c "tmux -L $TMUX_SOCK capture-pane -p -t t | grep -qE '^free +(ok|warn|critical) '"
	ok $? "${1}x${2}: key 4 shows the Rate limits tab with the free tier"
	s=$(screen)
	for tier in pro standard enterprise; do
		echo "$s" | grep -qE "^$tier +(ok|warn|critical|-) "
		ok $? "${1}x${2}: tier $tier listed"
	done
	echo "$s" | grep -qE "^ +${prefix}\*\*\* +(warn|critical) +10 "
	ok $? "${1}x${2}: the blocked key is shown masked (${prefix}***) with its limit"
	echo "$s" | grep -q "$key"
	ok $((1 - $?)) "${1}x${2}: the full key is never on screen"
	echo "$s" | grep -q 'TIER / KEY'
	ok $? "${1}x${2}: column titles"
	if [ "$1" = 200 ]; then
		echo "$s" | grep -q 'TOTAL BLK'
		ok $? "200x60: the wide screen shows the all-time blocked column"
	else
		echo "$s" | grep -q 'TOTAL BLK'
		ok $((1 - $?)) "80x24: the narrow screen drops it"
	fi
	diag "screen ${1}x${2}:"
	echo "$s" | sed 's/^/#   /'
	tui_keys q
	wait_for 5 screen_has "opsdeck-exit=0"
	ok $? "${1}x${2}: q quits with exit code 0"
	tui_stop
done

# --- the API frozen ------------------------------------------------------------------------
tui_start 120 30 "$OPSDECK" --config "$cfg"
wait_for 10 screen_has "Rate limits"
tui_keys 4
wait_for 10 sh -c "tmux -L $TMUX_SOCK capture-pane -p -t t | grep -qE '^free '"
"$LAB" fault freeze api >/dev/null
t0=$(now_ms)
wait_for 8 sh -c "tmux -L $TMUX_SOCK capture-pane -p -t t | grep -E 'API: ' | grep -q timeout"
ok $? "API frozen: the tab's summary says timeout ($(($(now_ms) - t0)) ms)"
diag "$(screen | grep -E 'API: ' | head -1)"
if screen | sed -n 3p | grep -qE '^ *API '; then
	wait_for 5 sh -c "tmux -L $TMUX_SOCK capture-pane -p -t t | sed -n 3p | grep -q 'API timeout'"
	ok $? "the health strip says API timeout: $(screen | sed -n 3p)"
else
	skip "the console does not draw the health strip yet"
fi
screen | grep -qE '^free +(ok|warn|critical|-) '
ok $? "the tier rows stay on screen while the API hangs"
tui_keys 1
ts=$(now_ms)
wait_for 2 screen_has "REPLICA"
ok $? "key 1 switches to Replicas while the API is frozen ($(($(now_ms) - ts)) ms)"
tui_keys 4
wait_for 2 screen_has "TIER / KEY"
ok $? "and 4 back to Rate limits"
tui_keys q
ts=$(now_ms)
wait_for 2 screen_has "opsdeck-exit=0"
ok $? "q quits within a second while the API is frozen ($(($(now_ms) - ts)) ms)"
tui_stop
"$LAB" fault freeze api off >/dev/null
done_testing
