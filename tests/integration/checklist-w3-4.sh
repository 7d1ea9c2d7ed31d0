#!/usr/bin/env bash
# The W3-4 checklist (read replicas) end to end, headless, on a private lab (a free port base
# from 31430 on, brought up and taken down here):
#   - the baseline the Thursday before (steps 1-4): p50/p95/p99, the primary's connections
#     while six sessions stand for the reads still on it, the error rate, the CPU typed in
#     with --value: each in the journal with its unit;
#   - the validation after the deployment (--resume): the sessions are gone (reads moved to
#     the replicas), every item passes, and the failover items run against east really
#     stopped and started again by lab/rb-hook (given as a relative path);
#   - the 24-hour monitoring every 4 hours on a compressed clock (OPSDECK_TIME_SCALE=7200:
#     4 h = 2 s, 24 h = 12 s): a plain --periodic says when the next check is due, then
#     --periodic --follow makes the 7 checks of steps 14-16 and ends the run done;
#   - the four roles sign, the Markdown export has the measured values and says complete,
#     the journal verifies, and a result row altered behind the triggers makes verify fail;
#   - a second run with east's replay paused under write load: the lag items fail (step 14,
#     the periodic one, among them), signing needs a reason, and the export marks it.
# Runtime ~60 s.
. "$OPSDECK_SRC/tests/lib.sh"
cd "$OPSDECK_SRC" || exit 1
private_lab 29430
tmp=$(mktemp -d)
ticker=
cleanup() {
	[ -n "$ticker" ] && kill "$ticker" 2>/dev/null
	plab down >/dev/null 2>&1
	rm -rf "$LABDIR" "$tmp"
}
trap cleanup EXIT

plab_up "$tmp/up.log"
cfg=$(plab env)
J=$tmp/journal.db
API=http://127.0.0.1:$((BASE + 5))
export OPSDECK_TIME_SCALE=7200
od() { OPSDECK_LAB_PORT_BASE=$BASE OPSDECK_LAB_DIR=$LABDIR "$OPSDECK" --config "$cfg" --journal "$J" "$@"; }
pq() { plab psql primary -XqAt -c "$1"; }
jshow() { "$OPSDECK" --journal "$J" --json journal show "$1"; }
statuses() { jq -r '[.steps[] | "\(.step):\(.status)"] | join(" ")' "$1" 2>/dev/null; }
step_of() { jq -r --argjson n "$2" ".steps[] | select(.step == \$n) | .$3 // \"\"" "$1" 2>/dev/null; }
explain() { # what did not pass in a run's JSON, for the log
	jq -r '.steps[] | select(.status == "fail" or .status == "error")
		| "#   step \(.step) \(.status): \(.summary // "")"' "$1" 2>/dev/null
	return 0
}
baseline() { jshow "$1" | jq -r --arg n "$2" '[.baselines[] | select(.name == $n)] | last | "\(.value) \(.unit)"'; }
streaming_on() {
	[ "$(pq "SELECT r.state FROM pg_stat_replication r JOIN pg_replication_slots s ON s.active_pid = r.pid
		WHERE s.slot_name = '$1'")" = streaming ]
}

# ---------------------------------------------------------------- the baseline
# traffic the API measures (p95), its health connections, and a write on the primary (step 7
# looks for INSERTs in pg_stat_statements) well before the replicas are compared
curl -s -o /dev/null "$API/health/detailed"
for _ in $(seq 20); do curl -s -o /dev/null "$API/api/v1/users?limit=5"; done
pq "INSERT INTO users (email, name) VALUES ('w34-$$@example.test', 'W3-4 test')" >/dev/null
# before the deployment the reads run on the primary: six sessions of them
for _ in 1 2 3 4 5 6; do plab psql primary -XqAt -c "SELECT pg_sleep(93.5)" >/dev/null 2>&1 & done
held() { [ "$(pq "SELECT count(*) FROM pg_stat_activity WHERE query = 'SELECT pg_sleep(93.5)'")" -ge "$1" ]; }
wait_for 10 held 6
ok $? "six sessions stand for the reads still on the primary"

od run W3-4 --auto --steps 1-4 --value w3_4_cpu_pct=41.5 --json >"$tmp/base.json" 2>"$tmp/base.err"
is $? 0 "the baseline (steps 1-4, CPU typed in): exit 0"
run=$(jq -r .run_id "$tmp/base.json")
is "$(statuses "$tmp/base.json" | cut -d' ' -f1-5)" "1:pass 2:pass 3:manual-ok 4:pass 5:pending" "steps 1-4 done, step 5 still pending"
is "$(jq -r .state "$tmp/base.json")" open "the run stays open for the validation"
p95=$(baseline "$run" w3_4_p95_ms)
conns=$(baseline "$run" w3_4_primary_conns)
ok $([[ $p95 =~ ^[0-9.]+\ ms$ ]] && echo 0 || echo 1) "the journal has p95 with its unit: $p95"
ok $([[ $conns =~ ^([0-9]+)\ connections$ ]] && [ "${BASH_REMATCH[1]}" -ge 6 ] && echo 0 || echo 1) \
	"... the primary's connections, the six reads among them: $conns"
is "$(baseline "$run" w3_4_cpu_pct)" "41.5 %" "... the CPU typed in, in %"
ok $([[ $(baseline "$run" w3_4_error_pct) =~ \ %$ ]] && [[ $(baseline "$run" w3_4_p99_ms) =~ \ ms$ ]] && echo 0 || echo 1) \
	"... the error rate (%) and p99 (ms)"
step_of "$tmp/base.json" 1 observed | grep -qF "w3_4_p95_ms = ${p95% ms} ms"
ok $? "step 1's observed value names the baseline it took ($(step_of "$tmp/base.json" 1 observed | grep -o 'baseline.*'))"

# ---------------------------------------------------------------- the validation and the failover
# the deployment: the reads move to the replicas
pq "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE query = 'SELECT pg_sleep(93.5)'" >/dev/null
none_held() { ! held 1; }
wait_for 5 none_held
t0=$(date +%s)
od run W3-4 --auto --resume "$run" --input replica=east --confirm STOP --manual-hook lab/rb-hook --json \
	>"$tmp/val.json" 2>"$tmp/val.err"
rc=$?
is "$rc" 0 "validation, failover and the first monitoring checks in $(($(date +%s) - t0)) s: exit 0"
[ "$rc" = 0 ] || explain "$tmp/val.json"
is "$(jq -r .run_id "$tmp/val.json")" "$run" "... in the same run"
want="1:pass 2:pass 3:manual-ok 4:pass 5:pass 6:pass 7:pass 8:pass 9:pass 10:manual-ok 11:pass 12:manual-ok 13:pass 14:pass 15:pass 16:pass"
is "$(statuses "$tmp/val.json")" "$want" "every item passed on the healthy lab"
step_of "$tmp/val.json" 10 summary | grep -q "east: stopped"
ok $? "step 10: the hook stopped east ($(step_of "$tmp/val.json" 10 summary))"
step_of "$tmp/val.json" 11 observed | grep -q "rows = 1, count(replicas) = 2"
ok $? "step 11 saw one replica streaming while east was down"
step_of "$tmp/val.json" 11 observed | grep -q "json(.status) = 'degraded'"
ok $? "... and the API degraded, still answering"
step_of "$tmp/val.json" 12 summary | grep -q "streaming on replica_1_slot"
ok $? "step 12: the hook started east again ($(step_of "$tmp/val.json" 12 summary))"
streaming_on replica_1_slot
ok $? "psql on the primary: east streams on replica_1_slot again"
conns_now=$(step_of "$tmp/val.json" 8 observed | grep -o 'connections = [0-9]*' | grep -o '[0-9]*$')
ok $([ -n "$conns_now" ] && [ "$conns_now" -lt "${conns% connections}" ] && echo 0 || echo 1) \
	"step 8: the primary's connections fell from ${conns% connections} to $conns_now"
is "$(step_of "$tmp/val.json" 14 note)" "$(step_of "$tmp/val.json" 14 note | grep -E '^check 1 of 7 \(due [0-9:]{8}\)$')" \
	"step 14's first check opened its window: $(step_of "$tmp/val.json" 14 note)"
is "$(jq -r '.steps[] | select(.step == 14) | .schedule | "\(.checks) \(.passed) \(.over)"' "$tmp/val.json")" "7 1 false" \
	"... 7 checks, 1 passed, the window open"
is "$(jq -r .state "$tmp/val.json")" open "the run stays open while monitoring"

# ---------------------------------------------------------------- the monitoring
od run W3-4 --periodic >"$tmp/per.out" 2>&1
is $? 0 "opsdeck run W3-4 --periodic right after: exit 0"
grep -qE "^nothing due now; run $run stays open; next check due [0-9:]{8} \(in [0-9]s\)$" "$tmp/per.out"
ok $? "... nothing due: it says when the next check is ($(tail -1 "$tmp/per.out"))"
grep -q "tail -50 /var/log/postgresql/postgresql.log | grep -i error" "$tmp/per.out"
ok $? "... and what the operator still reads by hand at each check (step 15)"
grep -q "resumed" <(jshow "$run" | jq -r '.events[].event')
is $? 0 "the --auto --resume was journalled as resumed"
nres=$(jshow "$run" | jq '[.events[] | select(.event == "resumed")] | length')
t0=$(date +%s)
od run W3-4 --periodic --follow >"$tmp/follow.out" 2>&1
rc=$?
is "$rc" 0 "--periodic --follow until every window is over ($(($(date +%s) - t0)) s): exit 0"
[ "$rc" = 0 ] || sed "s/^/#   /" "$tmp/follow.out"
grep -q "every monitoring window is over: run $run done" "$tmp/follow.out"
ok $? "... then the run is done"
is "$(grep -c '^        check [2-7] of 7 (due [0-9:]*): pass' "$tmp/follow.out")" 18 "it made checks 2-7 of steps 14, 15 and 16"
is "$(jshow "$run" | jq '[.events[] | select(.event == "resumed")] | length')" "$nres" "--periodic never recorded a resume"
is "$(jshow "$run" | jq -r '[.steps[] | select(.step_id == "14")] | length')" 8 \
	"the journal holds step 14's 7 checks and its final result"
is "$(jshow "$run" | jq -r '[.steps[] | select(.step_id == "14")] | last | "\(.status): \(.observed) / \(.note)"')" \
	"pass: 7 of 7 checks passed / monitoring window over: every check passed" "... the final one: every check passed"
is "$(jshow "$run" | jq -r .run.state)" done "the journal's run is done"
od run W3-4 --periodic >"$tmp/none.out" 2>&1
is $? 1 "--periodic with no open run: exit 1"
grep -q "no open CL-W3-4 run in env lab: start one with opsdeck run W3-4 --auto" "$tmp/none.out"
ok $? "... saying how to start one"

# ---------------------------------------------------------------- the sign-offs
od signoff "$run" --role DBA --name "Ana Diaz" >"$tmp/s1" 2>&1
is $? 0 "DBA signs"
od signoff "$run" --role DevOps --name "Ben Ode" --comment "routing and failover seen" >/dev/null 2>&1
is $? 0 "DevOps signs"
od signoff "$run" --role "24-hour monitoring" --name "Cy Ng" >/dev/null 2>&1
is $? 0 "24-hour monitoring signs"
od signoff "$run" --role "Engineering Lead" --name "Dee Ro" >"$tmp/s4" 2>&1
is $? 0 "the Engineering Lead signs"
grep -q "every role has signed: CL-W3-4 run $run is complete" "$tmp/s4"
ok $? "... the run is complete"
is "$(jshow "$run" | jq '.signoffs | length')" 4 "journal show has the four sign-offs"

"$OPSDECK" --journal "$J" journal export "$run" --format md >"$tmp/report.md"
is $? 0 "the run exports as Markdown"
grep -q '^\*\*Complete:\*\* every role has signed$' "$tmp/report.md"
ok $? "the report says complete"
grep -qF "w3_4_p95_ms = ${p95% ms} ms" "$tmp/report.md"
ok $? "... has the p95 baseline from the journal ($p95)"
grep -qF "w3_4_primary_conns = ${conns% connections} connections" "$tmp/report.md"
ok $? "... the connection baseline ($conns)"
grep -qF "w3_4_cpu_pct = 41.5 % (typed in)" "$tmp/report.md"
ok $? "... the CPU typed in"
grep -qF "connections = $conns_now, baseline('w3_4_primary_conns') = ${conns% connections}" "$tmp/report.md"
ok $? "... the measured connections beside their baseline"
p95_now=$(jshow "$run" | jq -r '[.steps[] | select(.step_id == "8")] | last | .observed' | grep -o 'json(.statistics.p95) = [0-9.]*' | head -1)
ok $([ -n "$p95_now" ] && grep -qF "$p95_now" "$tmp/report.md" && echo 0 || echo 1) "... the measured p95 ($p95_now)"
grep -q '^- \[x\] \*\*14. Every 4 hours: replication lag under 1000 ms\*\* — pass: 7 of 7 checks passed' "$tmp/report.md"
ok $? "... the monitoring item ticked: 7 of 7 checks passed"
grep -q '^- \[x\] \*\*DBA\*\*: Ana Diaz' "$tmp/report.md"
ok $? "... the sign-off lines with names"

od journal verify >"$tmp/verify.out" 2>&1
is $? 0 "the journal verifies: $(head -1 "$tmp/verify.out")"
# one result row altered behind the triggers (a copy, with its checkpoint)
cp "$J" "$tmp/tampered.db" && cp "$J.head" "$tmp/tampered.db.head" 2>/dev/null
row=$(sqlite3 "$tmp/tampered.db" "SELECT id FROM step_results WHERE run_id = $run AND step_id = '14' ORDER BY id LIMIT 1 OFFSET 2")
sqlite3 "$tmp/tampered.db" "SELECT 'DROP TRIGGER \"' || name || '\";' FROM sqlite_master WHERE type = 'trigger'" |
	sqlite3 "$tmp/tampered.db" &&
	sqlite3 "$tmp/tampered.db" "UPDATE step_results SET status = 'pass', observed = 'rows = 2, max(replay_lag_ms) = 0' WHERE id = $row"
"$OPSDECK" --journal "$tmp/tampered.db" journal verify >"$tmp/verify.out" 2>&1
is $? 1 "a result row altered afterwards (step_results id $row): verify exits 1"
grep -q "table step_results id $row" "$tmp/verify.out"
ok $? "... naming the row ($(head -1 "$tmp/verify.out"))"

# ---------------------------------------------------------------- replay paused: the lag items fail
plab fault replay-pause east >/dev/null 2>&1
ok $? "east's replay paused"
(while :; do pq "INSERT INTO conversation_message (conversation_id, sender_id, body, created_at)
	VALUES ('w34tst', 1, 'w3-4 test write', now())" >/dev/null 2>&1; sleep 0.2; done) &
ticker=$!
lagging() {
	[ "$(pq "SELECT coalesce(extract(epoch FROM r.replay_lag) > 1.5, false) FROM pg_stat_replication r
		JOIN pg_replication_slots s ON s.active_pid = r.pid WHERE s.slot_name = 'replica_1_slot'")" = t ]
}
wait_for 20 lagging
ok $? "under writes east's replay lag passes 1 s"
od run W3-4 --auto --steps 5,14-16 --json >"$tmp/lag.json" 2>"$tmp/lag.err"
is $? 1 "a new run of the replica items and the monitoring: exit 1"
run2=$(jq -r .run_id "$tmp/lag.json")
ok $([ "$run2" -gt "$run" ] && echo 0 || echo 1) "... a new run ($run2)"
is "$(step_of "$tmp/lag.json" 14 status)" fail "the lag item of the monitoring (step 14) failed"
step_of "$tmp/lag.json" 14 observed | grep -qE "max\(replay_lag_ms\) = [0-9]{4,}"
ok $? "... with the lag it saw ($(step_of "$tmp/lag.json" 14 observed))"
is "$(step_of "$tmp/lag.json" 5 status)" fail "the validation's lag item (step 5) failed too"
is "$(step_of "$tmp/lag.json" 15 status)" pass "east still streams on its slot (step 15 passes)"
is "$(jshow "$run2" | jq -r '[.steps[] | select(.step_id == "14")] | last | .status')" fail "the journal records step 14 failed"
kill "$ticker" 2>/dev/null
wait "$ticker" 2>/dev/null
ticker=
od signoff "$run2" --role DBA --name "Ana Diaz" >"$tmp/s5" 2>&1
is $? 1 "signing the run with a failed item is refused without a reason"
# unchecked: the steps not in this run, and the monitoring whose windows it opened
grep -qE "run $run2 has 2 failed and [0-9]+ unchecked steps \(monitoring not over\): signing it needs a written reason" "$tmp/s5"
ok $? "... saying why ($(cat "$tmp/s5"))"
od signoff "$run2" --role DBA --name "Ana Diaz" --reason "east paused on purpose for a lag drill" >"$tmp/s6" 2>&1
is $? 0 "with a reason it is recorded"
grep -q "with a reason" "$tmp/s6"
ok $? "... and says so"
"$OPSDECK" --journal "$J" journal export "$run2" --format md >"$tmp/report2.md"
grep -q '^- \[x\] \*\*DBA\*\*: Ana Diaz .* — \*\*signed with a reason:\*\* east paused on purpose for a lag drill' "$tmp/report2.md"
ok $? "the export marks the sign-off as signed with a reason"
grep -q '^- \[✗\] \*\*14. Every 4 hours: replication lag under 1000 ms\*\* — fail' "$tmp/report2.md"
ok $? "... and shows the lag item failed"
plab fault replay-pause east off >/dev/null 2>&1
ok $? "east's replay resumed"
done_testing
