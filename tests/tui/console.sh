#!/usr/bin/env bash
# The console in tmux: opens, shows both replicas, help with ?, quits with q (exit 0);
# resizing below 80x24 says how big it needs to be; NO_COLOR and ASCII fallback.
. "$OPSDECK_SRC/tests/lib.sh"
cfg=$(lab_config)
trap tui_stop EXIT

for size in "80 24" "200 60"; do
	set -- $size
	tui_start "$1" "$2" "$OPSDECK" --config "$cfg"
	wait_for 10 sh -c "tmux -L $TMUX_SOCK capture-pane -p -t t | grep -q 'west'"
	ok $? "${1}x${2}: the console shows the replica names"
	wait_for 10 sh -c "tmux -L $TMUX_SOCK capture-pane -p -t t | grep -E '^east +ok +streaming' >/dev/null"
	ok $? "${1}x${2}: east ok and streaming"
	s=$(screen)
	echo "$s" | grep -qE '^west +ok +streaming'
	ok $? "${1}x${2}: west ok and streaming"
	echo "$s" | head -1 | grep -q 'lab'
	ok $? "${1}x${2}: header names the environment"
	echo "$s" | sed -n 2p | grep -q '1 Replicas.*5 Partitions'
	ok $? "${1}x${2}: tab bar lists the five panels"
	echo "$s" | tail -1 | grep -q 'F1Help ?.*F2Alerts a'
	ok $? "${1}x${2}: footer shows the function keys with their letters"
	if [ "$1" = 200 ]; then
		echo "$s" | grep -q 'REPLAY LSN'
		ok $? "200x60: wide screen shows LSN columns"
	else
		echo "$s" | grep -q 'REPLAY LSN'
		ok $((1 - $?)) "80x24: narrow screen drops the LSN columns"
	fi
	diag "screen ${1}x${2}:"; echo "$s" | sed 's/^/#   /'
	# a replica answering before the primary at start is no alert (not even a resolved one)
	tui_keys a
	wait_for 3 screen_has "Alerts (Enter: details"
	screen_has "did not answer"
	ok $((1 - $?)) "${1}x${2}: no start-up alert about the primary not answering yet"
	tui_keys Escape
	tui_keys '?'
	wait_for 5 screen_has "Keys (any key closes this help)"
	ok $? "${1}x${2}: ? opens the help"
	screen_has "pause / resume refreshing"
	ok $? "${1}x${2}: help lists the keys"
	tui_keys Escape
	# keys that print a message must not stop the screen from updating (the clock moves)
	tui_keys s r
	c1=$(screen | head -1)
	sleep 1.2
	c2=$(screen | head -1)
	[ "$c1" != "$c2" ]
	ok $? "${1}x${2}: the screen keeps updating after s and r"
	[ "$c1" != "$c2" ] || { diag "c1: $c1"; diag "c2: $c2"; screen | sed 's/^/#   /'; }
	tui_keys q
	wait_for 5 screen_has "opsdeck-exit=0"
	ok $? "${1}x${2}: q quits with exit code 0"
	tui_stop
done

tui_start 100 30 "$OPSDECK" --config "$cfg"
wait_for 10 screen_has "west"
tmx resize-window -t t -x 60 -y 20
wait_for 5 screen_has "needs at least 80x24"
ok $? "below 80x24 it says how big it needs to be"
screen_has "60x20"
ok $? "and how big the terminal is"
tmx resize-window -t t -x 120 -y 40
wait_for 5 screen_has "REPLICA"
ok $? "back to 120x40: the table is drawn again"
tui_keys q
wait_for 5 screen_has "opsdeck-exit=0"
ok $? "q quits after resizes"
tui_stop

tui_start 100 30 env NO_COLOR=1 OPSDECK_ASCII=1 "$OPSDECK" --config "$cfg"
wait_for 10 sh -c "tmux -L $TMUX_SOCK capture-pane -p -t t | grep -E '^east +ok' >/dev/null"
ok $? "NO_COLOR + ASCII: statuses still written as words"
tmx capture-pane -p -e -t t > /tmp/opsdeck-nocolor.$$
grep -qE $'\e\\[[0-9;]*3[0-7]m' /tmp/opsdeck-nocolor.$$
ok $((1 - $?)) "NO_COLOR: no colour escape sequences on screen"
screen | grep -q $'\u25cf\|\u2500'
ok $((1 - $?)) "ASCII fallback: no UTF-8 line drawing"
rm -f /tmp/opsdeck-nocolor.$$
tui_keys q
done_testing
