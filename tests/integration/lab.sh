#!/usr/bin/env bash
# The lab itself (lab/selftest): a second lab on its own ports comes up from nothing, every
# command and fault works against the real servers, and `down` leaves nothing behind.
. "$OPSDECK_SRC/tests/lib.sh"
out=$(OPSDECK_LAB_PORT_BASE=29430 "$OPSDECK_SRC/lab/selftest" 2>&1)
rc=$?
while IFS= read -r line; do
	case "$line" in
	"ok   "*) ok 0 "lab: ${line#ok   }" ;;
	"FAIL "*) ok 1 "lab: ${line#FAIL }" ;;
	*) diag "$line" ;;
	esac
done <<<"$out"
is "$rc" 0 "lab/selftest exits 0"
pgrep -f 'opsdeck-lab-29430' >/dev/null
ok $((1 - $?)) "no process of the self-test lab is left"
test ! -e /tmp/opsdeck-lab-29430
ok $? "its state directory is gone"
"$LAB" status >/dev/null
ok $? "the default lab was left alone and is still up"
done_testing
