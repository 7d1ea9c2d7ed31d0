#!/usr/bin/env bash
# The build itself: warning-free, installs what it should, --help/--version, distcheck.
. "$OPSDECK_SRC/tests/lib.sh"
build=${OPSDECK_BUILD_DIR:-$OPSDECK_SRC/build}
# a rebuild from scratch of every object must be warning-free too
out=$(cd "$build" && make -s clean >/dev/null && make -s -j"$(nproc)" 2>&1 | grep -v '^ar: ')
echo "$out" | grep -q 'warning:'
ok $((1 - $?)) "a clean rebuild has no warnings"

dest=$(mktemp -d)
(cd "$build" && make -s install DESTDIR="$dest" >/dev/null 2>&1)
ok $? "make install DESTDIR=..."
prefix=$(sed -n 's/^prefix = //p' "$build/Makefile")
test -x "$dest$prefix/bin/opsdeck"; ok $? "installs the binary"
test -f "$dest$prefix/share/man/man1/opsdeck.1"; ok $? "installs the man page"
ls "$dest$prefix/share/opsdeck/runbooks/"RB-*.md >/dev/null 2>&1; ok $? "installs the runbook library"
man -l "$dest$prefix/share/man/man1/opsdeck.1" 2>/dev/null | grep -q 'snapshot'
ok $? "the man page renders and documents snapshot"
rm -rf "$dest"

"$OPSDECK" --help | grep -q 'threshold.replica_lag_warn'
ok $? "--help lists the config options from the option table"
"$OPSDECK" --version | grep -qE '^opsdeck [0-9]'
ok $? "--version"
"$OPSDECK" frobnicate >/dev/null 2>&1
is $? 2 "an unknown command exits 2"
"$OPSDECK" --config /nonexistent/x.ini snapshot 2>/tmp/od-err.$$
is $? 2 "a missing config file exits 2"
grep -q '/nonexistent/x.ini' /tmp/od-err.$$; ok $? "and names the file"
rm -f /tmp/od-err.$$

if [ "${OPSDECK_SKIP_DISTCHECK:-0}" = 1 ]; then
	skip "make distcheck (OPSDECK_SKIP_DISTCHECK=1)"
else
	(cd "$build" && make -s distcheck >"$build/distcheck.log" 2>&1)
	ok $? "make distcheck"
	[ $? -eq 0 ] || tail -20 "$build/distcheck.log" | sed 's/^/#   /'
fi
done_testing
