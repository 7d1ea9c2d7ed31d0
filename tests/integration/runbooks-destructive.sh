#!/usr/bin/env bash
# opsdeck run does the runbooks that change things, end to end, on a private lab
# (a free port base from 28630 on, brought up and taken down here), with lab/rb-hook doing the
# manual steps an operator does on a host:
#   RB-3  rebuilds replica east (stop, clear, pg_basebackup through its slot, start): it
#         streams again on replica_1_slot
#   RB-4  stops east and starts it again; reads keep working
#   RB-6  raises the pool size: pgbouncer.ini edited, RELOAD, SHOW CONFIG shows it
#   RB-13 empties the cache (SCAN + UNLINK), the rate-limit tiers survive
#   RB-18 then RB-19 archive and restore a month's partition with the same row count
#   RB-21 drains an exhausted pool (cl_waiting back to 0)
# Runtime ~20 s.
. "$OPSDECK_SRC/tests/lib.sh"
private_lab 28630
HOOK=$OPSDECK_SRC/lab/rb-hook
pq() { plab psql primary -XqAt -c "$1"; }
tmp=$(mktemp -d)
cleanup() {
	plab down >/dev/null 2>&1
	rm -rf "$LABDIR"
	rm -rf "$tmp"
}
trap cleanup EXIT

plab_up "$tmp/up.log"
cfg=$(plab env)
J=$tmp/journal.db
rcli() { REDISCLI_AUTH=$(cat "$LABDIR/secrets/redis.pass") redis-cli --no-auth-warning -h 127.0.0.1 -p $((BASE + 4)) "$@"; }

# NAME RB-N [run args...]: opsdeck run --auto --json, output in $tmp/NAME.json, exit in .rc
rb() {
	local name=$1
	shift
	OPSDECK_LAB_PORT_BASE=$BASE OPSDECK_LAB_DIR=$LABDIR "$OPSDECK" --config "$cfg" --journal "$J" --json \
		run "$@" --auto >"$tmp/$name.json" 2>"$tmp/$name.err"
	echo $? >"$tmp/$name.rc"
}
rc_of() { cat "$tmp/$1.rc" 2>/dev/null || echo none; }
statuses() { jq -r '[.steps[] | "\(.step):\(.status)"] | join(" ")' "$tmp/$1.json" 2>/dev/null; }
step_status() { jq -r --argjson n "$2" '.steps[] | select(.step == $n) | .status' "$tmp/$1.json" 2>/dev/null; }
step_summary() { jq -r --argjson n "$2" '.steps[] | select(.step == $n) | .summary // ""' "$tmp/$1.json" 2>/dev/null; }
explain() {
	jq -r '.steps[] | select(.status == "fail" or .status == "error")
		| "#   step \(.step) \(.status): \(.summary // "") \([.probes[]? | .error // empty] | join("; "))"' \
		"$tmp/$1.json" 2>/dev/null
	[ -s "$tmp/$1.err" ] && sed 's/^/#   stderr: /' "$tmp/$1.err" | head -5
	# what failed steps printed (a hook's output is kept in the journal)
	"$OPSDECK" --journal "$J" --json journal show "$(jq -r .run_id "$tmp/$1.json" 2>/dev/null)" 2>/dev/null |
		jq -r '.steps[] | select(.status == "fail" or .status == "error") | .output // ""' | head -20 | sed 's/^/#   | /'
	return 0
}
ran() { # NAME WANT-STATUSES DESCRIPTION: exit 0 and exactly these step statuses
	local rc st
	rc=$(rc_of "$1")
	st=$(statuses "$1")
	is "$rc" 0 "$3: exit 0"
	is "$st" "$2" "$3: step results"
	[ "$rc" = 0 ] && [ "$st" = "$2" ] || explain "$1"
}
jlatest() { # RUN STEP: the journal's latest status of that step
	"$OPSDECK" --journal "$J" --json journal show "$1" 2>/dev/null |
		jq -r --arg s "$2" '[.steps[] | select(.step_id == $s)] | last | .status // "none"'
}
streaming_on() { # SLOT: the primary's walsender on that slot is streaming
	[ "$(pq "SELECT r.state FROM pg_stat_replication r JOIN pg_replication_slots s ON s.active_pid = r.pid
		WHERE s.slot_name = '$1'")" = streaming ]
}

# ---------------------------------------------------------------- RB-3
# without --confirm the destructive step waits, and nothing is touched
rb rb3dry RB-3 --input replica=east --input slot=replica_1_slot --steps 1-2 --manual-hook "$HOOK"
is "$(rc_of rb3dry)" 0 "RB-3 steps 1-2 without --confirm: exit 0 (step 1 passed, nothing else ran)"
is "$(step_status rb3dry 2)" pending "RB-3 step 2 (stop) stays pending"
step_summary rb3dry 2 | grep -q 'needs --confirm STOP'
ok $? "RB-3 step 2 says it needs --confirm STOP ($(step_summary rb3dry 2))"
streaming_on replica_1_slot
ok $? "east still streams (the hook was not called)"

touch "$LABDIR/pg/east/rbtest-marker"
pid_before=$(head -1 "$LABDIR/pg/east/postmaster.pid")
t0=$(date +%s)
rb rb3 RB-3 --input replica=east --input slot=replica_1_slot --confirm STOP --confirm CLEAR --manual-hook "$HOOK"
ran rb3 "1:pass 2:manual-ok 3:pass 4:manual-ok 5:manual-ok 6:manual-ok 7:pass 8:pass" \
	"RB-3 rebuilds east (hook: stop, clear, basebackup, start) in $(($(date +%s) - t0)) s"
streaming_on replica_1_slot
ok $? "psql on the primary: pg_stat_replication streaming on replica_1_slot"
is "$(plab psql east -XqAt -c "SELECT pg_is_in_recovery(), (SELECT slot_name FROM pg_stat_wal_receiver)")" "t|replica_1_slot" \
	"east is in recovery and receives on replica_1_slot"
test ! -e "$LABDIR/pg/east/rbtest-marker"
ok $? "east's data directory was really emptied and restored (a file left in it is gone)"
ok $([ "$(head -1 "$LABDIR/pg/east/postmaster.pid")" != "$pid_before" ] && echo 0 || echo 1) "east runs as a new postmaster"
is "$(jlatest "$(jq -r .run_id "$tmp/rb3.json")" 5)" manual-ok "the journal records step 5 (base backup) manual-ok"
jq -r '.steps[] | select(.step == 5) | .probes[0].target' "$tmp/rb3.json" | grep -q manual-hook
ok $? "step 5 keeps the hook's output"

# the hook acts only on the lab the config points at
OPSDECK_LAB_PORT_BASE=26430 "$OPSDECK" --config "$cfg" --journal "$J" --json run RB-4 --auto --input replica=east \
	--steps 3 --confirm RB-4 --manual-hook "$HOOK" >"$tmp/wrong.json" 2>"$tmp/wrong.err"
is "$?" 1 "a hook told about another lab (OPSDECK_LAB_PORT_BASE=26430) refuses: the step fails (exit 1)"
is "$(step_status wrong 3)" fail "RB-4 step 3 recorded fail"
streaming_on replica_1_slot
ok $? "and east was not stopped"

# ---------------------------------------------------------------- RB-4
rb rb4 RB-4 --input replica=east --confirm RB-4 --manual-hook "$HOOK"
ran rb4 "1:pass 2:pass 3:manual-ok 4:pass 5:pass 6:pass 7:manual-ok 8:pass 9:pass" \
	"RB-4: east stopped and started by the hook, the API answered throughout"
streaming_on replica_1_slot
ok $? "east streams again after RB-4"

# ---------------------------------------------------------------- RB-6
old_size=$(plab bouncer get default_pool_size)
rb rb6 RB-6 --input pool_size=25 --manual-hook "$HOOK"
ran rb6 "1:pass 2:pass 3:manual-ok 4:pass 5:pass 6:pass 7:pass" "RB-6 raises the pool from $old_size to 25"
is "$(plab psql admin -XqAt -c 'SHOW CONFIG' | awk -F'|' '$1 == "default_pool_size" {print $2}')" 25 \
	"SHOW CONFIG: default_pool_size = 25"
is "$(plab psql admin -XqA -F, -c 'SHOW DATABASES' | awk -F, 'NR == 1 {for (i = 1; i <= NF; i++) c[$i] = i}
	$1 == "ywmessaging" {print $c["pool_size"]}')" 25 "SHOW DATABASES: ywmessaging pool_size = 25"
grep -qx 'default_pool_size = 25' "$LABDIR/pgbouncer/pgbouncer.ini"
ok $? "the lab's pgbouncer.ini says default_pool_size = 25"
# back to the lab's size (RB-6's rollback: the old value, then RELOAD)
plab bouncer set default_pool_size "$old_size" >/dev/null && plab psql admin -XqAt -c RELOAD >/dev/null
is "$(plab psql admin -XqAt -c 'SHOW CONFIG' | awk -F'|' '$1 == "default_pool_size" {print $2}')" "$old_size" \
	"rolled back to $old_size"

# ---------------------------------------------------------------- RB-13
for i in $(seq 150); do echo "SET cache:item:$i v$i EX 600"; done | rcli >/dev/null
for i in $(seq 50); do echo "SET cache:user:$i u$i EX 600"; done | rcli >/dev/null
keys_before=$(rcli DBSIZE)
# step 8 (the cache warms up again) needs the application's traffic, which is not what is
# tested here: steps 1-7; FLUSHDB (step 5) is not confirmed and stays pending
rb rb13 RB-13 --input 'pattern=cache:*' --confirm UNLINK --steps 1-7
ran rb13 "1:pass 2:pass 3:pass 4:pass 5:pending 6:pass 7:pass 8:pending" "RB-13 clears cache:* ($keys_before keys before)"
is "$(rcli --scan --pattern 'cache:*' | wc -l | tr -d ' ')" 0 "no cache:* key is left"
is "$(jq -r '.steps[] | select(.step == 4) | .probes[0].value' "$tmp/rb13.json")" 200 "step 4 unlinked 200 keys"
step_summary rb13 5 | grep -q 'needs --confirm FLUSHDB'
ok $? "FLUSHDB (step 5) was not run: it needs --confirm FLUSHDB"
is "$(rcli HGET ratelimit:tiers pro1_lab_pro_key)" pro "the rate-limit tiers survived"

# ---------------------------------------------------------------- RB-18, RB-19
part=$(pq "SELECT min(c.relname) FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
	WHERE i.inhparent = 'conversation_message'::regclass AND c.relname ~ '^conversation_message_[0-9]{4}_[0-9]{2}$'")
month=$(echo "$part" | sed -E 's/.*_([0-9]{4})_([0-9]{2})$/\1-\2-01/')
countq="SELECT count(*) FROM conversation_message WHERE created_at >= '$month 00:00+00' AND created_at < '$month 00:00+00'::timestamptz + interval '1 month'"
rows_before=$(pq "$countq")
ok $([ "${rows_before:-0}" -gt 0 ] && echo 0 || echo 1) "$part holds $rows_before rows"
mkdir -p "$tmp/archive" "$tmp/restore"
rb rb18 RB-18 --input "partition=$part" --input "archive_dir=$tmp/archive" --confirm DETACH --confirm DROP --manual-hook "$HOOK"
ran rb18 "1:pass 2:pass 3:pass 4:pass 5:pass 6:pass 7:manual-ok 8:pass 9:pass" "RB-18 archives $part"
is "$(pq "SELECT to_regclass('public.$part') IS NULL")" t "$part is gone from the primary"
is "$(pq "$countq")" 0 "its month reads 0 rows through conversation_message"
plab archive list | grep -q " $part.dump\$"
ok $? "the dump is in the lab's archive (RB-18 step 7 by the hook)"
is "$(jq -r '.steps[] | select(.step == 6) | .probes[0].value' "$tmp/rb18.json")" "$rows_before" "the dump holds $rows_before rows"

plab archive get "$part.dump" "$tmp/restore" >/dev/null
ok $? "the dump copied back from the archive, checksum checked"
rb rb19 RB-19 --input "partition=$part" --input "dump_file=$tmp/restore/$part.dump" --confirm ATTACH
ran rb19 "1:pass 2:pass 3:pass 4:pass 5:pass 6:pass 7:pass 8:pass 9:pass 10:pass" "RB-19 restores $part"
is "$(pq "$countq")" "$rows_before" "the month reads $rows_before rows through conversation_message again"
is "$(pq "SELECT relispartition FROM pg_class WHERE relname = '$part'")" t "$part is a partition again"
is "$(plab psql east -XqAt -c "$countq")" "$rows_before" "east has the month's rows too"
rb rb17 RB-17
is "$(rc_of rb17)" 0 "RB-17 passes after the archive and the restore"
[ "$(rc_of rb17)" = 0 ] || explain rb17

# ---------------------------------------------------------------- RB-21
plab fault pool-exhaust >/dev/null
waiting() { plab psql admin -XqAt -F' ' -c 'SHOW POOLS' | awk '$1 == "ywmessaging" {s += $4} END {exit !(s > 0)}'; }
wait_for 15 waiting
ok $? "pool-exhaust: clients wait (cl_waiting > 0)"
sleep 4 # the holders' transactions are older than running_for
holdersq="SELECT string_agg(pid::text, ' ' ORDER BY pid) FROM pg_stat_activity
	WHERE query LIKE '%opsdeck-lab pool-exhaust%' AND state = 'active' AND pid <> pg_backend_pid()"
holders=$(pq "$holdersq")
rb rb21 RB-21 --input idle_for=30s --input running_for=3s --confirm TERMINATE
ran rb21 "1:pass 2:pass 3:pass 4:pass 5:pass 6:pass 7:pass 8:pass 9:pass 10:pending" "RB-21 drains the exhausted pool"
is "$(plab psql admin -XqAt -F' ' -c 'SHOW POOLS' | awk '$1 == "ywmessaging" {s += $4} END {print s + 0}')" 0 \
	"SHOW POOLS: cl_waiting 0 afterwards"
left=$(pq "$holdersq")
ended=0
for p in $holders; do case " $left " in *" $p "*) ;; *) ended=$((ended + 1)) ;; esac; done
is "$ended" "$(wc -w <<<"$holders" | tr -d ' ')" "the sessions that held the pool were ended (pids $holders)"
plab fault pool-exhaust off >/dev/null

done_testing
