#!/usr/bin/env bash
# The replicas panel against the real lab: two replicas streaming; replay paused with writes
# going on -> lag grows and the status turns warn; a stopped replica -> unreachable, exit 1.
. "$OPSDECK_SRC/tests/lib.sh"
cfg=$(lab_config)
snap() { "$OPSDECK" --config "$cfg" snapshot --json; }
field() { jq -r "$1"; }
cleanup() { "$LAB" fault replay-pause west off >/dev/null 2>&1; "$LAB" fault replica-stop east off >/dev/null 2>&1; }
trap cleanup EXIT

wait_for 30 sh -c "\"$OPSDECK\" --config \"$cfg\" snapshot --json | jq -e '[.panels.replicas.replicas[] | select(.state==\"streaming\")] | length == 2'"
out=$(snap); rc=$?
is "$rc" 0 "snapshot exits 0 on a healthy lab"
is "$(echo "$out" | field '.panels.replicas.replicas | length')" 2 "two replicas reported"
is "$(echo "$out" | field '[.panels.replicas.replicas[].state] | join(",")')" "streaming,streaming" "both streaming"
is "$(echo "$out" | field '[.panels.replicas.replicas[].name] | join(",")')" "east,west" "named as in the config"
is "$(echo "$out" | field '[.panels.replicas.replicas[].status] | join(",")')" "ok,ok" "both ok"
is "$(echo "$out" | field '.panels.replicas.replicas[0].in_recovery')" "true" "east is in recovery"

# Compare with what the primary says directly: the slot of each replica, told apart by slot
# although both share client address and application_name.
direct=$("$LAB" psql east -Atc "select slot_name from pg_stat_wal_receiver")
is "$(echo "$out" | field '.panels.replicas.replicas[0].slot_name')" "$direct" "east's slot matches pg_stat_wal_receiver on east ($direct)"
direct=$("$LAB" psql west -Atc "select slot_name from pg_stat_wal_receiver")
is "$(echo "$out" | field '.panels.replicas.replicas[1].slot_name')" "$direct" "west's slot matches pg_stat_wal_receiver on west ($direct)"
apps=$("$LAB" psql primary -Atc "select count(distinct application_name) from pg_stat_replication")
is "$apps" 1 "the lab's replicas share one application_name (the identification is by slot)"
is "$(echo "$out" | field '.panels.replicas.replicas[0].client_addr')" \
	"$("$LAB" psql primary -Atc "select r.client_addr from pg_stat_replication r join pg_replication_slots s on s.active_pid = r.pid where s.slot_name = '$(echo "$out" | field '.panels.replicas.replicas[0].slot_name')'")" \
	"east's client address matches pg_stat_replication"
is "$(echo "$out" | jq '[.sources[] | select(.dsn)] | length')" "6" "the six configured sources are listed with their DSNs"
echo "$out" | grep -qiE 'password=[^*]' ; is $? 1 "no password in the snapshot output"

# --- replay paused while writes go on ---------------------------------------------------
"$LAB" fault replay-pause west >/dev/null
for i in 1 2 3 4 5 6; do
	"$LAB" psql primary -qc "insert into conversation_message (id, conversation_id, sender_id, body, created_at) select g, 'lagtest', 1, 'x', now() from generate_series(1000000 + $i * 1000, 1000000 + $i * 1000 + 999) g" >/dev/null
	sleep 0.5
done
lagging() {
	"$OPSDECK" --config "$cfg" snapshot --json | jq -e '.panels.replicas.replicas[1] | .lag_ms > 1000 and (.status == "warn" or .status == "critical") and .replay_paused == true'
}
wait_for 15 lagging
ok $? "west's lag grows past 1 s with replay paused and its status turns warn/critical"
out=$(snap)
diag "west: $(echo "$out" | jq -c '.panels.replicas.replicas[1] | {status, reason, lag_ms, lag_bytes}')"
lag1=$(echo "$out" | field '.panels.replicas.replicas[1].lag_ms')
sleep 2
lag2=$(snap | field '.panels.replicas.replicas[1].lag_ms')
ok "$(awk -v a="$lag1" -v b="$lag2" 'BEGIN{print (b > a) ? 0 : 1}')" "the lag keeps growing ($lag1 -> $lag2 ms)"
ok "$(echo "$out" | jq -e '.panels.replicas.replicas[1].lag_bytes > 0' >/dev/null; echo $?)" "bytes behind > 0 while paused"
is "$(echo "$out" | field '.panels.replicas.replicas[0].status')" "ok" "east is unaffected"
"$LAB" fault replay-pause west off >/dev/null
wait_for 20 sh -c "\"$OPSDECK\" --config \"$cfg\" snapshot --json | jq -e '.panels.replicas.replicas[1].status == \"ok\"'"
ok $? "west is back to ok after replay resumes"

# --- replica stopped --------------------------------------------------------------------
"$LAB" fault replica-stop east >/dev/null
out=$(snap); rc=$?
is "$rc" 1 "snapshot exits 1 with a replica stopped"
is "$(echo "$out" | field '.panels.replicas.replicas[0].reachable')" "false" "east is unreachable"
is "$(echo "$out" | field '.panels.replicas.replicas[0].status')" "critical" "east is critical"
echo "$out" | jq -r '.panels.replicas.replicas[0].reason' | grep -q unreachable
ok $? "the reason says unreachable: $(echo "$out" | jq -r '.panels.replicas.replicas[0].reason')"
is "$(echo "$out" | field '.panels.replicas.replicas[1].status')" "ok" "west stays ok"
text=$("$OPSDECK" --config "$cfg" snapshot)
echo "$text" | grep -E '^east +critical' | grep -q unreachable
ok $? "plain snapshot shows east critical and unreachable"
"$LAB" fault replica-stop east off >/dev/null
wait_for 30 sh -c "\"$OPSDECK\" --config \"$cfg\" snapshot --json | jq -e '.panels.replicas.replicas[0].state == \"streaming\"'"
ok $? "east streams again after restart"
done_testing
