#!/usr/bin/env bash
# opsdeck run against the real lab. Every read-only runbook of the library (no destructive
# or writes anywhere: RB-1 5 7 8 10 11 12 16 17 23) passes all its automatic steps on a
# healthy lab; with a fault it fails at the step that checks for it, in its JSON and in the
# journal (RB-1 replica stopped, RB-5 pool exhausted, RB-11 cold cache, RB-17 next month's
# partition dropped); input values that look like SQL or shell reach probes only as data,
# or are refused by their type.
#
# Everything runs on a private lab (a free port base from 28430 on, brought up and taken
# down here) so the faults cannot disturb the shared default lab, and the "healthy" state
# is known: nobody else's faults or traffic in the API's windows.
# Runtime ~1m45: RB-16 samples for 60 s and RB-11 for 30 s; they run in the background while
# the others run (see "Phases" below).
. "$OPSDECK_SRC/tests/lib.sh"
private_lab 28430
pq() { plab psql primary -XqAt -c "$1"; }
tmp=$(mktemp -d)
bg_pids=()
cleanup() {
	local p
	for p in "${bg_pids[@]}"; do kill "$p" 2>/dev/null; done
	wait 2>/dev/null
	plab down >/dev/null 2>&1
	rm -rf "$LABDIR"
	[ -n "${KEEP_TMP:-}" ] || rm -rf "$tmp"
}
trap cleanup EXIT

plab_up "$tmp/up.log"
cfg=$(plab env)
ro=$(cd "$OPSDECK_SRC/runbooks/library" && for f in RB-*.md; do
	grep -qE '^```.*\b(destructive|writes)\b' "$f" || echo "${f%.md}"
done | sort -V | tr '\n' ' ')
is "$ro" "RB-1 RB-5 RB-7 RB-8 RB-10 RB-11 RB-12 RB-16 RB-17 RB-23 " "the library's read-only runbooks are the ten tested here"
REDIS_PW=$(cat "$LABDIR/secrets/redis.pass")
rcli() { REDISCLI_AUTH=$REDIS_PW redis-cli --no-auth-warning -h 127.0.0.1 -p $((BASE + 4)) "$@"; }
API=http://127.0.0.1:$((BASE + 5))

# --- running a runbook: NAME is a label for its files ($tmp/NAME.json .rc .err, journal .db)
od() { OPSDECK_LAB_PORT_BASE=$BASE OPSDECK_LAB_DIR=$LABDIR "$OPSDECK" --config "$cfg" "$@"; }
rb() { # NAME RB-N [run args...]
	local name=$1
	shift
	od --journal "$tmp/$name.db" --json run "$@" --auto >"$tmp/$name.json" 2>"$tmp/$name.err"
	echo $? >"$tmp/$name.rc"
}
rb_bg() { # NAME RB-N [run args...] in the background; rb_wait NAME
	rb "$@" &
	bg_pids+=($!)
}
rb_wait() { wait_for 300 test -s "$tmp/$1.rc"; }
rc_of() { cat "$tmp/$1.rc" 2>/dev/null || echo none; }
step_status() { jq -r --argjson n "$2" '.steps[] | select(.step == $n) | .status' "$tmp/$1.json" 2>/dev/null; }
first_failed() { jq -r '[.steps[] | select(.status == "fail" or .status == "error") | .step][0] // "none"' "$tmp/$1.json" 2>/dev/null; }
auto_not_passed() { jq -r '[.steps[] | select(.automatic and .status != "pass") | "\(.step):\(.status)"] | join(" ")' "$tmp/$1.json" 2>/dev/null; }
auto_count() { jq -r '[.steps[] | select(.automatic)] | length' "$tmp/$1.json" 2>/dev/null; }
run_id() { jq -r '.run_id' "$tmp/$1.json" 2>/dev/null; }
journal() { "$OPSDECK" --journal "$tmp/$1.db" --json journal show "$(run_id "$1")" 2>/dev/null; }
jstep() { journal "$1" | jq -r --arg s "$2" '[.steps[] | select(.step_id == $s)] | last | .status // "none"'; }
explain() { # what did not pass, for the log
	jq -r '.steps[] | select(.status != "pass" and .status != "manual-ok" and .status != "pending")
		| "#   step \(.step) \(.status): \(.summary // "")", (.probes[]? | select(.status != "pass")
		| "#     \(.target): \(.error // .observed // "") \(.value // "" | .[:300] | gsub("\n"; " / "))")' \
		"$tmp/$1.json" 2>/dev/null
	[ -s "$tmp/$1.err" ] && sed 's/^/#   stderr: /' "$tmp/$1.err" | head -5
	return 0
}
# the journal's latest status of every step, counted: "pass=7 manual-ok=1"
jcounts() {
	journal "$1" | jq -r 'reduce .steps[] as $s ({}; .[$s.step_id] = $s.status)
		| [.[]] | group_by(.) | map("\(.[0])=\(length)") | join(" ")'
}
is_x() { # got want description NAME: is, and explain NAME's run when it differs
	is "$1" "$2" "$3"
	[ "$1" = "$2" ] || explain "$4"
}
healthy() { # NAME RB-N: exit 0, every automatic step passed, in the output and the journal
	local name=$1 id=$2 n
	n=$(auto_count "$name")
	is_x "$(rc_of "$name")" 0 "$id on a healthy lab: exit 0" "$name"
	is "$(auto_not_passed "$name")" "" "$id: every automatic step passed ($n automatic)"
	journal "$name" | jq -e --argjson n "$n" 'reduce .steps[] as $s ({}; .[$s.step_id] = $s.status)
		| [.[] | select(. == "pass")] | length == $n' >/dev/null
	ok $? "$id: the journal records the $n as pass ($(jcounts "$name"))"
}
faulty() { # NAME RB-N STEP WHY: exit 1, the first failing step is STEP, fail in the journal
	local name=$1 id=$2 step=$3 why=$4
	is "$(rc_of "$name")" 1 "$id with $why: exit 1"
	is_x "$(first_failed "$name")" "$step" "$id with $why: step $step is the first to fail" "$name"
	is "$(step_status "$name" "$step")" fail "$id with $why: step $step is 'fail' (not error)"
	is "$(jstep "$name" "$step")" fail "$id with $why: the journal records step $step as fail"
	# a run with a step still pending stays open (resumable), else it ends failed
	local want=failed
	[ "$(jq '[.steps[] | select(.status == "pending")] | length' "$tmp/$name.json" 2>/dev/null)" = 0 ] || want=started
	is "$(journal "$name" | jq -r '.run.state')" "$want" "$id with $why: the journal's run is $want"
}

# ============================================================================ Phase 1
# A lab just up is a cold cache: Redis has served no lookup yet. RB-11 runs in the background
# (its step 3 samples for 30 s; nothing else here looks keys up in Redis meanwhile) while
# the SQL/HTTP runbooks run in the foreground.
rb_bg rb11cold RB-11

# the API's query monitor needs application queries (RB-8, RB-10, RB-23): reads from replicas
for _ in $(seq 20); do curl -s -o /dev/null "$API/api/v1/users?limit=5"; done

for n in 1 5 7 8 17 23; do
	rb "rb$n" "RB-$n"
	healthy "rb$n" "RB-$n"
done
is "$(step_status rb5 6)" pending "RB-5: its manual step 6 stays pending without a hook"
is "$(jq -r '.state' "$tmp/rb5.json")" open "RB-5: the run stays open (a manual step is pending)"
is "$(jq -r '.state' "$tmp/rb1.json")" "done" "RB-1: the run is done (every step automatic and passed)"

# RB-10 measures a change: the statement is a lookup by body (a sequential scan on 50,000
# rows), the change (step 5, by a hook) an index on it, then traffic; the mean time since the
# change must be below the baseline.
for i in $(seq 100); do echo "SELECT count(*) FROM conversation_message WHERE body = 'message $((i * 7))';"; done >"$tmp/lookups.sql"
plab psql primary -Xq -f "$tmp/lookups.sql" >/dev/null
qid=$(pq "SELECT queryid FROM pg_stat_statements WHERE query LIKE 'SELECT count(*) FROM conversation_message WHERE body = \$1%'
	AND dbid = (SELECT oid FROM pg_database WHERE datname = current_database()) ORDER BY calls DESC LIMIT 1")
ok $([[ $qid =~ ^-?[0-9]+$ ]] && echo 0 || echo 1) "RB-10: the lookup's queryid in pg_stat_statements ($qid)"
cat >"$tmp/rb10-hook" <<EOF
#!/bin/sh
# RB-10 step 5 "Make the change": the index, then the application's lookups again
[ "\$OPSDECK_RUNBOOK" = RB-10 ] && [ "\$OPSDECK_STEP" = 5 ] || exit 64
psql -X -q -v ON_ERROR_STOP=1 -c 'CREATE INDEX idx_rbtest_body ON conversation_message (body)' || exit 1
psql -X -q -v ON_ERROR_STOP=1 -f '$tmp/lookups.sql' >/dev/null || exit 1
echo "index idx_rbtest_body created on \$PGHOST:\$PGPORT; 100 lookups since"
EOF
chmod +x "$tmp/rb10-hook"
rb rb10 RB-10 --input "queryid=$qid" --manual-hook "$tmp/rb10-hook"
healthy rb10 RB-10
is "$(step_status rb10 5)" manual-ok "RB-10: the change (step 5) made by the hook: manual-ok"
is "$(step_status rb10 9)" pending "RB-10: step 9 (record the result) left to the operator: the hook exits 64"
is "$(pq "SELECT count(*) FROM pg_indexes WHERE indexname = 'idx_rbtest_body'")" 1 "RB-10: the hook acted on the private lab"
pq "DROP INDEX IF EXISTS idx_rbtest_body" >/dev/null

# --- inputs are data: SQL and shell in the values change nothing
users_before=$(pq "SELECT count(*) FROM users")
marker=/tmp/opsdeck-rbtest-injected-$$-$RANDOM
sqlinj="'; DROP TABLE users; --"
shinj="\$(touch $marker)"
# RB-9's `value` is of type text: anything on one line gets through, into bound SQL
# parameters (steps 1, 2, 5, 8) and psql variables quoted with :'val' (steps 3, 7)
rb inj1 RB-9 --input table=users --input columns=tier --input "value=$sqlinj" --input index_name=idx_rbtest_inj1
is_x "$(rc_of inj1)" 0 "RB-9 with value=\"$sqlinj\": exit 0 (a value that matches nothing)" inj1
rb inj2 RB-9 --input table=users --input columns=tier --input "value=$shinj" --input index_name=idx_rbtest_inj2
is_x "$(rc_of inj2)" 0 "RB-9 with value='$shinj': exit 0" inj2
is "$(pq "SELECT count(*) FROM users")" "$users_before" "users still has $users_before rows"
is "$(pq "SELECT to_regclass('public.users') IS NOT NULL")" t "the users table is still there"
test ! -e "$marker"
ok $? "the shell in the value ran nowhere ($marker not created)"
is "$(journal inj2 | jq -r '[.steps[] | select(.step_id == "3")] | last | .status')" pass \
	"RB-9 step 3 (EXPLAIN with the value, a shell probe) passed with it as a literal"
# types refuse what they do not allow: exit 2 before anything runs
rb ref1 RB-14 --input "api_key=$sqlinj"
is "$(rc_of ref1)" 2 "RB-14 refuses api_key=\"$sqlinj\" (exit 2)"
grep -q api_key "$tmp/ref1.err"
ok $? "and says which input"
rb ref2 RB-13 --input "pattern=cache:$shinj"
is "$(rc_of ref2)" 2 "RB-13 refuses pattern='cache:$shinj' (exit 2)"
rb ref3 RB-4 --input "replica=east$sqlinj"
is "$(rc_of ref3)" 2 "RB-4 refuses a replica that is not in the config (exit 2)"
rb ref4 RB-21 --input "idle_for=$shinj" --input running_for=2min
is "$(rc_of ref4)" 2 "RB-21 refuses idle_for='$shinj' (not a duration; exit 2)"
rb ref5 RB-9 --input table=users --input columns=tier --input value=x --input "index_name=i$shinj"
is "$(rc_of ref5)" 2 "RB-9 refuses index_name with shell in it (exit 2)"
rb ref6 RB-3
is "$(rc_of ref6)" 2 "RB-3 without its inputs: exit 2"
grep -q -- '--input replica=' "$tmp/ref6.err" && grep -q -- '--input slot=' "$tmp/ref6.err"
ok $? "and the message lists --input replica= and --input slot="
test ! -e "$marker"
ok $? "still no $marker"
is "$(pq "SELECT count(*) FROM users")" "$users_before" "still $users_before users"
pq "DROP INDEX IF EXISTS idx_rbtest_inj1; DROP INDEX IF EXISTS idx_rbtest_inj2" >/dev/null

# once a step failed, the steps that write do not run
rb nowrite RB-9 --input table=no_such_table --input columns=tier --input value=x --input index_name=idx_rbtest_never
is "$(rc_of nowrite)" 1 "RB-9 on a table that does not exist: exit 1"
is "$(first_failed nowrite)" 1 "RB-9: step 1 (the table exists) fails"
is "$(step_status nowrite 4) $(step_status nowrite 6)" "pending pending" "RB-9: steps 4 and 6 (writes) stay pending after it"
jq -r '.steps[] | select(.step == 4) | .summary' "$tmp/nowrite.json" | grep -q 'earlier step failed'
ok $? "RB-9 step 4 says why: an earlier step failed"
is "$(pq "SELECT count(*) FROM pg_class WHERE relname = 'idx_rbtest_never'")" 0 "no index was built"

rb_wait rb11cold
faulty rb11cold RB-11 2 "a cold cache (Redis just started, no lookup yet)"
is "$(step_status rb11cold 3)" pass "RB-11 cold: step 3 (last 30 s) passes as idle"
is "$(jq -r '.steps[] | select(.step == 3) | .probes[0].value' "$tmp/rb11cold.json")" idle "RB-11 cold: step 3 saw no lookups (idle)"

# ============================================================================ Phase 2
# A warm cache under traffic: keys with a TTL, read again and again while RB-11 samples
# (RB-16's few lookups of absent keys are then noise, as in production). RB-16 (60 s), RB-11
# (30 s) run in the background; RB-12 and the faults in the foreground.
for i in $(seq 50); do echo "SET cache:item:$i v$i EX 600"; done | rcli >/dev/null
for i in $(seq 200); do echo "GET cache:item:$((i % 50 + 1))"; done | rcli >/dev/null
(for i in $(seq 400); do rcli GET "cache:item:$((i % 50 + 1))" >/dev/null 2>&1; sleep 0.2; done) &
bg_pids+=($!)
traffic=$!
rb_bg rb16 RB-16
rb_bg rb11 RB-11

rb rb12 RB-12
healthy rb12 RB-12

# RB-17: next month's partition dropped
plab fault partition-drop >/dev/null
rb rb17f RB-17
faulty rb17f RB-17 1 "next month's partition dropped"
plab fault partition-drop off >/dev/null

# RB-5: the pool exhausted
plab fault pool-exhaust >/dev/null
rb rb5f RB-5
faulty rb5f RB-5 2 "the pool exhausted"
is "$(step_status rb5f 1)" pass "RB-5 with the pool exhausted: step 1 (transaction mode) still passes"
plab fault pool-exhaust off >/dev/null

# RB-1: a replica stopped
plab fault replica-stop east >/dev/null
rb rb1f RB-1
faulty rb1f RB-1 1 "replica east stopped"
is "$(step_status rb1f 2)" fail "RB-1 with east stopped: step 2 (streaming) fails too"
ok $([ "$(step_status rb1f 4)" != pass ] && echo 0 || echo 1) "RB-1 with east stopped: step 4 (each replica answers) does not pass"
plab fault replica-stop east off >/dev/null

rb_wait rb11
healthy rb11 RB-11
rb_wait rb16
healthy rb16 RB-16
kill "$traffic" 2>/dev/null

# after the faults, the lab is healthy again and RB-1 agrees
rb rb1again RB-1
healthy rb1again "RB-1 after the faults were cleared,"

done_testing
