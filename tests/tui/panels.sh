#!/usr/bin/env bash
# Pools and partitions tabs at 80x24 and 200x60, drill-down, filter, sort and the command line.
. "$OPSDECK_SRC/tests/lib.sh"
cfg=$(lab_config)
trap tui_stop EXIT
"$LAB" psql bouncer -Atc "select 1" >/dev/null # PgBouncer opens the pool at its first client

for size in "80 24" "200 60"; do
	set -- $size
	tui_start "$1" "$2" "$OPSDECK" --config "$cfg"
	wait_for 10 screen_has "west"
	tui_keys 2
	wait_for 8 sh -c "tmux -L $TMUX_SOCK capture-pane -p -t t | grep -E '^ywmessaging +ops +ok' >/dev/null"
	ok $? "${1}x${2}: pools tab shows the ywmessaging pool ok"
	screen_has "PgBouncer: 1 pool"
	ok $? "${1}x${2}: pools summary line"
	if [ "$1" = 200 ]; then
		screen | grep -E '^ywmessaging' | grep -q transaction
		ok $? "200x60: pool mode column shown"
	fi
	wait_for 5 screen_has "servers (SHOW SERVERS)"
	ok $? "${1}x${2}: the drill-down lists the pool's servers"
	tui_keys 5
	wait_for 8 sh -c "tmux -L $TMUX_SOCK capture-pane -p -t t | grep -E '^conversation_message +ok' >/dev/null"
	ok $? "${1}x${2}: partitions tab shows conversation_message ok"
	screen | grep -E '^conversation_message' | grep -q monthly
	ok $? "${1}x${2}: interval monthly"
	tui_keys Enter
	wait_for 3 screen_has "Details (Enter or Esc"
	ok $? "${1}x${2}: Enter opens the partition list"
	screen | grep -qE 'conversation_message_20[0-9][0-9]_[0-9][0-9] +[0-9]{4}-[0-9]{2}-01 \.\. '
	ok $? "${1}x${2}: partitions with their bounds"
	tui_keys Escape
	tui_keys q
	wait_for 5 screen_has "opsdeck-exit=0"
	ok $? "${1}x${2}: quits with 0"
	tui_stop
done

tui_start 120 30 "$OPSDECK" --config "$cfg"
wait_for 10 sh -c "tmux -L $TMUX_SOCK capture-pane -p -t t | grep -E '^west +ok' >/dev/null"
tui_keys / w e s
wait_for 3 sh -c "! tmux -L $TMUX_SOCK capture-pane -p -t t | grep -qE '^east '"
ok $? "filtering as you type hides east"
screen_has "/wes_"
ok $? "the filter line shows what is typed"
tui_keys Enter
screen | grep -qE '^west +ok'
ok $? "west stays"
tui_keys / BSpace BSpace BSpace Enter
wait_for 3 sh -c "tmux -L $TMUX_SOCK capture-pane -p -t t | grep -qE '^east '"
ok $? "an empty filter shows every row again"
tui_keys s
wait_for 3 screen_has "REPLICA^"
ok $? "s sorts by the first column, ascending"
tui_keys s
wait_for 3 screen_has "REPLICAv"
ok $? "s again: descending"
first=$(screen | grep -E '^(east|west) ' | head -1 | awk '{print $1}')
is "$first" "west" "descending order puts west first"
tui_keys S
wait_for 3 sh -c "! tmux -L $TMUX_SOCK capture-pane -p -t t | grep -q 'REPLICAv'"
ok $? "S returns to the panel's order"
tui_keys : p o o l s Enter
wait_for 3 screen_has "PgBouncer:"
ok $? ":pools switches to the pools tab"
tui_keys : e n v Enter
wait_for 3 screen_has "environments: lab"
ok $? ":env lists the environments"
tui_keys : e n v Space n o p e Enter
wait_for 3 screen_has "nope"
ok $? ":env with an unknown name says so: $(screen | grep -m1 nope)"
tui_keys : Up
wait_for 3 screen_has ":env nope_"
ok $? "Up recalls the previous command"
tui_keys Escape
tui_keys : b o g u s Enter
wait_for 3 screen_has "unknown command :bogus"
ok $? "an unknown command is named"
tui_keys q
wait_for 5 screen_has "opsdeck-exit=0"
ok $? "quits with 0"
tui_stop

# two environments: :env switches, and the header names the one being watched
tmp=$(mktemp -d)
body=$(grep -vE '^\[|^;' "$cfg")
printf '[lab]\n%s\n[staging]\n%s\n' "$body" "$body" >"$tmp/two.ini"
chmod 600 "$tmp/two.ini"
tui_start 120 30 "$OPSDECK" --config "$tmp/two.ini" --env lab
wait_for 10 sh -c "tmux -L $TMUX_SOCK capture-pane -p -t t | grep -qE '^west +ok'"
screen | head -1 | grep -q ' lab '
ok $? "header names the lab environment"
tui_keys : e n v Space s t a g i n g Enter
wait_for 5 sh -c "tmux -L $TMUX_SOCK capture-pane -p -t t | head -1 | grep -q ' staging '"
ok $? ":env staging switches the header"
wait_for 10 sh -c "tmux -L $TMUX_SOCK capture-pane -p -t t | grep -qE '^west +ok'"
ok $? "and the panels watch the staging sources"
tmx capture-pane -p -e -t t | head -1 >"$tmp/h1"
tui_keys : e n v Space l a b Enter
wait_for 5 sh -c "tmux -L $TMUX_SOCK capture-pane -p -t t | head -1 | grep -q ' lab '"
tmx capture-pane -p -e -t t | head -1 >"$tmp/h2"
sgr_before() { perl -ne 'print $1 if /((?:\e\[[0-9;]*m)+) \Q'"$2"'\E /' "$1"; }
c1=$(sgr_before "$tmp/h1" staging | od -c | tr -s ' ' | tr -d '\n')
c2=$(sgr_before "$tmp/h2" lab | od -c | tr -s ' ' | tr -d '\n')
[ -n "$c1" ] && [ -n "$c2" ] && [ "$c1" != "$c2" ]
ok $? "the environment label is drawn in another colour for staging than for lab"
tui_keys q
rm -rf "$tmp"
done_testing
