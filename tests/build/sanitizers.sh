#!/usr/bin/env bash
# The --enable-sanitizers build (ASan + UBSan): unit tests, a snapshot against the lab and a
# short console session run clean, with leak detection on.
. "$OPSDECK_SRC/tests/lib.sh"
build=${OPSDECK_BUILD_DIR:-$OPSDECK_SRC/build}
asan=${build}-asan
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=0:exitcode=99 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1:exitcode=99
mkdir -p "$asan"
(cd "$asan" && { [ -f Makefile ] || "$OPSDECK_SRC/configure" -q --enable-sanitizers; } && make -s -j"$(nproc)" 2>&1 | grep -v '^ar: ') >"$asan/build.log" 2>&1
test -x "$asan/opsdeck"
ok $? "configure --enable-sanitizers builds"
grep -q -- '-fsanitize=address,undefined' "$asan/Makefile"
ok $? "the sanitizer flags are in use"
(cd "$asan" && make -s check >"$asan/check.log" 2>&1)
ok $? "unit tests pass under ASan + UBSan"
[ $? -eq 0 ] || grep -hE '^(FAIL|ERROR)|ERROR: |runtime error' "$asan/check.log" "$asan"/tests/unit/*.log | head -5 | sed 's/^/#   /'

cfg=$(lab_config)
"$asan/opsdeck" --config "$cfg" snapshot --json >/dev/null 2>"$asan/snapshot.err"
rc=$?
ok $([ $rc -le 1 ] && echo 0 || echo 1) "snapshot under ASan exits normally (rc $rc)"
grep -qE 'ERROR: (Address|Leak)Sanitizer|runtime error' "$asan/snapshot.err"
ok $((1 - $?)) "snapshot: no sanitizer report"

tui_start 100 30 "$asan/opsdeck" --config "$cfg" 2>"$asan/tui.err"
wait_for 15 screen_has "west"
ok $? "console under ASan draws the replicas"
tui_keys Enter; sleep 0.3; tui_keys Escape; tui_keys '?'; sleep 0.3; tui_keys x; tui_keys Tab; tui_keys Tab; tui_keys 1
sleep 2
tui_keys q
wait_for 10 screen_has "opsdeck-exit="
ok $? "console under ASan quits"
screen_has "opsdeck-exit=0"
ok $? "with exit status 0 (99 would be a sanitizer report)"
screen | grep -E 'Sanitizer|runtime error' | head -3 | sed 's/^/#   /'
tui_stop
done_testing
