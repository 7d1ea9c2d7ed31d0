#!/usr/bin/env bash
# The partitions panel against the lab: conversation_message with 24 past months, the
# current one and 2 future ones; dropping next month's partition turns it critical.
. "$OPSDECK_SRC/tests/lib.sh"
cfg=$(lab_config)
cleanup() { "$LAB" fault partition-drop off >/dev/null 2>&1; }
trap cleanup EXIT
tbl() { jq -r ".panels.partitions.tables[] | select(.table == \"conversation_message\") | $1"; }

out=$("$OPSDECK" --config "$cfg" snapshot --json)
direct=$("$LAB" psql primary -Atc "select count(*) from pg_inherits where inhparent = 'conversation_message'::regclass")
is "$(echo "$out" | tbl .partitions)" "$direct" "partition count equals pg_inherits ($direct)"
is "$(echo "$out" | tbl .strategy)" "range" "range partitioned"
is "$(echo "$out" | tbl .interval)" "monthly" "monthly, inferred from the bounds"
is "$(echo "$out" | tbl .future_partitions)" "2" "next month and the month after exist"
is "$(echo "$out" | tbl .default_rows)" "0" "default partition empty"
is "$(echo "$out" | tbl .status)" "ok" "ok"
size=$("$LAB" psql primary -Atc "select sum(pg_table_size(inhrelid)) from pg_inherits where inhparent = 'conversation_message'::regclass")
is "$(echo "$out" | tbl .total_bytes)" "$size" "table size equals the sum of pg_table_size ($size)"

"$LAB" fault partition-drop >/dev/null
out=$("$OPSDECK" --config "$cfg" snapshot --json); rc=$?
is "$(echo "$out" | tbl .future_partitions)" "0" "next month dropped: no future interval in sequence"
is "$(echo "$out" | tbl .status)" "critical" "critical"
echo "$out" | tbl .reason | grep -q 'next monthly partition missing'
ok $? "reason: $(echo "$out" | tbl .reason)"
is "$rc" 1 "snapshot exits 1"
"$LAB" fault partition-drop off >/dev/null
is "$("$OPSDECK" --config "$cfg" snapshot --json | tbl .status)" "ok" "back to ok once recreated"

# rows landing in the default partition are critical (RB-17)
"$LAB" psql primary -qc "insert into conversation_message (id, conversation_id, sender_id, body, created_at) values (999999999, 'x', 1, 'far future', now() + interval '5 years')"
"$LAB" psql primary -qc "analyze conversation_message_default"
out=$("$OPSDECK" --config "$cfg" snapshot --json)
ok "$(echo "$out" | tbl '.default_rows > 0' | grep -q true; echo $?)" "a row in the default partition is counted"
is "$(echo "$out" | tbl .status)" "critical" "and is critical"
"$LAB" psql primary -qc "delete from conversation_message where id = 999999999; analyze conversation_message_default"
done_testing
