#!/usr/bin/env bash
# The pools panel against the real PgBouncer: values equal SHOW POOLS read with psql; an
# exhausted pool shows clients waiting and turns critical only after its sustained
# duration (shortened here through the config's threshold overrides).
. "$OPSDECK_SRC/tests/lib.sh"
labcfg=$(lab_config)
tmp=$(mktemp -d)
cleanup() { "$LAB" fault pool-exhaust off >/dev/null 2>&1; tui_stop; rm -rf "$tmp"; }
trap cleanup EXIT
cfg=$tmp/pools.ini
{ grep -v '^\[' "$labcfg" | grep -v '^;'; } >"$tmp/body"
{
	echo "threshold.pool_saturation_critical_for = 6s"
	echo "threshold.pool_saturation_warn_for = 2s"
	echo "[lab]"
	cat "$tmp/body"
} >"$cfg"
chmod 600 "$cfg"
snap() { "$OPSDECK" --config "$cfg" snapshot --json; }
pool() { jq -r ".panels.pools.pools[] | select(.database == \"ywmessaging\") | $1"; }

# make sure the pool exists (PgBouncer opens it at the first client)
"$LAB" psql bouncer -Atc "select 1" >/dev/null
out=$(snap)
is "$(echo "$out" | jq -r '.sources.pgbouncer.state')" "up" "PgBouncer source is up"
is "$(echo "$out" | pool .pool_mode)" "transaction" "pool_mode transaction"
direct_size=$("$LAB" psql admin --csv -c "SHOW DATABASES" | awk -F, '$1 == "ywmessaging" {print $6}')
is "$(echo "$out" | pool .pool_size)" "$direct_size" "pool size equals SHOW DATABASES ($direct_size)"
is "$(echo "$out" | pool .status)" "ok" "healthy pool is ok"
backends_direct=$("$LAB" psql primary -Atc "select count(*) from pg_stat_activity where backend_type = 'client backend'")
backends=$(echo "$out" | jq -r '.panels.pools.primary_client_backends')
diff=$((backends_direct - backends)); diff=${diff#-}
ok $([ "$diff" -le 3 ] && echo 0 || echo 1) "primary client backends ($backends) match pg_stat_activity ($backends_direct) within 3"

# exhaust the pool
"$LAB" fault pool-exhaust >/dev/null
waiting() { snap | jq -e '.panels.pools.pools[] | select(.database == "ywmessaging") | .cl_waiting > 0' ; }
wait_for 15 waiting
ok $? "exhausted pool: cl_waiting > 0"
t0=$(date +%s%N)
out=$(snap)
direct_wait=$("$LAB" psql admin --csv -c "SHOW POOLS" | awk -F, 'NR == 1 {for (i = 1; i <= NF; i++) c[$i] = i} $1 == "ywmessaging" {print $c["cl_waiting"]}')
got_wait=$(echo "$out" | pool .cl_waiting)
d=$((direct_wait - got_wait)); d=${d#-}
ok $([ "$d" -le 2 ] && echo 0 || echo 1) "cl_waiting ($got_wait) matches SHOW POOLS ($direct_wait)"
is "$(echo "$out" | pool .saturation_pct)" "100" "saturation 100%"
is "$(echo "$out" | pool .status)" "warn" "one snapshot: warn (clients waiting), not yet critical"

# the console keeps the condition over time: critical only after the 6 s duration
tui_start 120 30 "$OPSDECK" --config "$cfg"
tui_keys 2
wait_for 10 sh -c "tmux -L $TMUX_SOCK capture-pane -p -t t | grep -E '^ywmessaging' | grep -q warn"
ok $? "the console shows the pool warn first"
ts=$(date +%s%N)
wait_for 15 sh -c "tmux -L $TMUX_SOCK capture-pane -p -t t | grep -E '^ywmessaging' | grep -q critical"
ok $? "then critical once saturation > 90 % held for 6 s"
elapsed=$((($(date +%s%N) - ts) / 1000000))
ok $([ "$elapsed" -ge 2500 ] && echo 0 || echo 1) "not before its duration (turned critical after ${elapsed} ms of the console watching)"
tui_keys a
wait_for 5 sh -c "tmux -L $TMUX_SOCK capture-pane -p -t t | grep -q 'pool.ywmessaging.ops'"
ok $? "the alert list shows the pool alert"
screen | grep 'pool.ywmessaging.ops' | grep -q 'RB-21'
ok $? "with RB-21 (pool exhausted) as its runbook"
screen | grep 'pool.ywmessaging.ops' | grep -q CRITICAL
ok $? "as CRITICAL"
tui_keys Enter
wait_for 3 screen_has "Runbook RB-21: Emergency: pool exhausted"
ok $? "Enter on the alert names the runbook and its title"
"$LAB" fault pool-exhaust off >/dev/null
tui_keys Escape
wait_for 20 sh -c "tmux -L $TMUX_SOCK capture-pane -p -t t | grep 'pool.ywmessaging.ops' | grep -q resolved"
ok $? "after the fault clears the alert is resolved"
tui_keys q
tui_stop
done_testing
