# Shared helpers for the shell tests: TAP output, waiting, the lab, tmux.
# Each test script: . "$OPSDECK_SRC/tests/lib.sh", then ok/is/..., then done_testing.
set -u
OPSDECK=${OPSDECK:-$OPSDECK_SRC/build/opsdeck}
LAB=${LAB:-$OPSDECK_SRC/lab/lab}
_n=0
_failed=0

ok() { # cond-status description
	local status=$1
	shift
	_n=$((_n + 1))
	if [ "$status" -eq 0 ]; then
		echo "ok $_n - $*"
	else
		echo "not ok $_n - $*"
		_failed=$((_failed + 1))
	fi
}
check() { # description -- command...
	local desc=$1
	shift
	[ "$1" = "--" ] && shift
	"$@" >/dev/null 2>&1
	ok $? "$desc"
}
is() { # got want description
	if [ "$1" = "$2" ]; then ok 0 "$3"; else ok 1 "$3"; echo "#   got:  '$1'"; echo "#   want: '$2'"; fi
}
skip() { _n=$((_n + 1)); echo "ok $_n - # SKIP $*"; }
diag() { echo "# $*"; }
done_testing() { echo "1..$_n"; [ "$_failed" -eq 0 ]; }

# wait_for SECONDS command... : retries every 0.2 s until the command succeeds
wait_for() {
	local deadline=$(($(date +%s%N) / 1000000 + $(awk -v s="$1" 'BEGIN{print int(s * 1000)}')))
	shift
	while :; do
		"$@" >/dev/null 2>&1 && return 0
		[ $(($(date +%s%N) / 1000000)) -ge $deadline ] && return 1
		sleep 0.2
	done
}

lab_config() { "$LAB" env; }

# --- private labs -----------------------------------------------------------------------
# A test that stops replicas or fills pools runs on a lab of its own: the first port base of
# START, START+10, ... whose seven ports are free and whose state directory this run creates
# itself (mkdir is the claim), so two runs, or anyone else's lab, are never shared or disturbed.
# Bases whose ports reach the kernel's ephemeral range (32768 on Linux) are never used: a
# client socket may take one of those ports as its local port at any moment.
claim_base() { # START
	local b p busy eph
	eph=$(cut -f1 /proc/sys/net/ipv4/ip_local_port_range 2>/dev/null || echo 32768)
	for ((b = $1; b < $1 + 500 && b + 8 < eph; b += 10)); do
		busy=0
		for ((p = b; p < b + 7; p++)); do
			if (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then busy=1; break; fi
		done
		((busy)) && continue
		mkdir "/tmp/opsdeck-lab-$b" 2>/dev/null || continue
		echo "$b"
		return 0
	done
	return 1
}
# private_lab START: sets BASE and LABDIR (or prints a failed plan and exits)
private_lab() {
	BASE=$(claim_base "$1") || { echo "not ok 1 - no free port base for a private lab"; echo "1..1"; exit 1; }
	LABDIR=/tmp/opsdeck-lab-$BASE
}
plab() { OPSDECK_LAB_PORT_BASE=$BASE OPSDECK_LAB_DIR=$LABDIR "$LAB" "$@"; }
# plab_up LOG: brings the private lab up (one TAP line, its output in LOG); if it is not up,
# the plan ends here with the log's tail as a diagnostic
plab_up() {
	plab up >"$1" 2>&1
	ok $? "private lab up on port base $BASE"
	if ! plab status >/dev/null 2>&1; then
		diag "$(tail -5 "$1")"
		done_testing
		exit
	fi
}

# --- tmux: every console gets a tmux server of its own -------------------------------
_tmux_n=0
TMUX_SOCK="opsdeck-test-$$-0"
tmx() { tmux -L "$TMUX_SOCK" "$@"; }
# tui_start COLS ROWS [opsdeck args...]: starts opsdeck in a detached session "t" on a new
# tmux server (a fresh socket each time, so a server still shutting down cannot interfere)
# The exit status is printed on a line of its own: a console killed with SIGKILL leaves the
# cursor wherever its last frame ended (leaveok), and the text must not wrap there.
tui_start() {
	local cols=$1 rows=$2 try
	shift 2
	tmx kill-server 2>/dev/null || true
	_tmux_n=$((_tmux_n + 1))
	TMUX_SOCK="opsdeck-test-$$-$_tmux_n"
	for try in 1 2 3; do
		tmx -f /dev/null new-session -d -s t -x "$cols" -y "$rows" \
			"env TERM=xterm-256color LANG=C.UTF-8 LC_ALL=C.UTF-8 $* ; s=\$?; printf '\\nopsdeck-exit=%s\\n' \$s; sleep 30" && return 0
		sleep 0.3
	done
	echo "# tui_start: tmux would not start" >&2
	return 1
}
screen() { tmx capture-pane -p -t t; }
screen_has() { screen | grep -qF -- "$1"; }
tui_keys() { tmx send-keys -t t "$@"; }
tui_stop() { tmx kill-server 2>/dev/null || true; }
