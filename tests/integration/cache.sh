#!/usr/bin/env bash
# The cache panel against the lab's Redis: values match what redis-cli says; hits and misses
# made between two snapshots show up in the counters; Redis stopped -> critical, exit 1, the
# other panels still answer, and back to ok when it returns; Redis frozen -> the snapshot
# still returns within the timeout + 1 s, saying timeout; CLIENT PAUSE -> no crash.
#
# A snapshot is one poll, so its interval hit rate is null (the since-start rate is given);
# the interval math is tested on captured INFO pairs in tests/unit/test_cache.c and live on
# the console in tests/tui/cache.sh.
. "$OPSDECK_SRC/tests/lib.sh"
cfg=$(lab_config)
snap() { "$OPSDECK" --config "$cfg" snapshot --json; }
rcli() { "$LAB" redis-cli "$@"; }
now_ms() { echo $(($(date +%s%N) / 1000000)); }
info_field() { rcli INFO "$1" | tr -d '\r' | sed -n "s/^$2://p"; }
cleanup() {
	"$LAB" fault freeze redis off >/dev/null 2>&1
	"$LAB" fault redis-stop off >/dev/null 2>&1
	rcli DEL opsdeck-test:cache:hit >/dev/null 2>&1
}
trap cleanup EXIT

cache_ok() { snap | jq -e '.panels.cache.status == "ok" and .panels.cache.source == "up"'; }
wait_for 20 cache_ok
ok $? "the cache panel is ok on the healthy lab"

d1=$(rcli DBSIZE)
mem=$(info_field memory used_memory)
out=$(snap)
d2=$(rcli DBSIZE)
c() { echo "$out" | jq -r ".panels.cache.$1"; }
is "$(c status)" ok "status ok"
is "$(c reachable)" true "reachable"
is "$(c ping)" PONG "PING answered PONG"
echo "$out" | jq -e '.panels.cache.ping_ms | type == "number" and . >= 0 and . < 3000' >/dev/null
ok $? "PING latency present: $(c ping_ms) ms"
keys=$(c keys)
lo=$((d1 < d2 ? d1 : d2)) hi=$((d1 > d2 ? d1 : d2))
slack=$(((hi / 20) + 2))
ok "$([ "$keys" -ge $((lo - slack)) ] && [ "$keys" -le $((hi + slack)) ]; echo $?)" \
	"keys = DBSIZE ($keys; redis-cli said $d1 before and $d2 after)"
ok "$(awk -v a="$(c used_memory)" -v b="$mem" 'BEGIN{d = a - b; if (d < 0) d = -d; exit !(d <= b * 0.1 + 65536)}'; echo $?)" \
	"used_memory $(c used_memory) within 10% of redis-cli INFO memory ($mem)"
echo "$out" | jq -e '.panels.cache.connected_clients >= 1' >/dev/null
ok $? "connected_clients >= 1 ($(c connected_clients))"
is "$(c redis_version)" "$(info_field server redis_version)" "redis_version as INFO says"
is "$(c maxmemory_policy)" "$(info_field memory maxmemory_policy)" "maxmemory_policy as INFO says"
is "$(c hit_rate_pct)" null "one poll: no interval hit rate (null, not 0)"
echo "$out" | jq -e '.panels.cache | (.hit_rate_since_start_pct | type == "number") and
	(.hit_rate_since_start_pct - 100 * .keyspace_hits / (.keyspace_hits + .keyspace_misses) | fabs < 0.01)' >/dev/null
ok $? "since-start hit rate from keyspace_hits/misses: $(c hit_rate_since_start_pct)"
echo "$out" | jq -e '.panels.cache | [.used_memory_human, .uptime_s, .instantaneous_ops_per_sec, .total_commands_processed,
	.expired_keys, .evicted_keys, .maxmemory] | map(. != null) | all' >/dev/null
ok $? "memory, uptime, ops and expiry fields present"
echo "$out" | jq -e '.panels.cache | [.ops_per_sec, .expired_per_sec, .evicted_per_sec, .interval_s] | map(. == null) | all' >/dev/null
ok $? "rates over an interval are null in a one-poll snapshot"
is "$(echo "$out" | jq -r '.sources.redis.state')" up "sources.redis up"
pw=$(cat "$(sed -n 's/^redis.password_file *= *//p' "$cfg")")
{ echo "$out"; "$OPSDECK" --config "$cfg" snapshot; } | grep -qF -- "$pw"
ok $((1 - $?)) "the Redis password appears nowhere in the output"

# --- hits and misses between two snapshots ------------------------------------------------
rcli SET opsdeck-test:cache:hit v EX 600 >/dev/null
s1=$(snap)
{
	for i in $(seq 3000); do echo "GET opsdeck-test:cache:hit"; done
	for i in $(seq 1000); do echo "GET opsdeck-test:cache:missing:$i"; done
} | rcli >/dev/null
s2=$(snap)
dh=$(($(echo "$s2" | jq .panels.cache.keyspace_hits) - $(echo "$s1" | jq .panels.cache.keyspace_hits)))
dm=$(($(echo "$s2" | jq .panels.cache.keyspace_misses) - $(echo "$s1" | jq .panels.cache.keyspace_misses)))
ok "$([ "$dh" -ge 3000 ] && [ "$dh" -le 3200 ]; echo $?)" "3000 GETs of an existing key: +$dh hits between the snapshots"
ok "$([ "$dm" -ge 1000 ] && [ "$dm" -le 1200 ]; echo $?)" "1000 GETs of missing keys: +$dm misses"
ok "$(awk -v h="$dh" -v m="$dm" 'BEGIN{r = 100 * h / (h + m); exit !(r > 72 && r < 78)}'; echo $?)" \
	"their ratio is the 75 % we made ($dh / $((dh + dm)))"

# --- Redis stopped ---------------------------------------------------------------------------
"$LAB" fault redis-stop >/dev/null
t0=$(now_ms)
out=$(snap); rc=$?
diag "snapshot with Redis stopped took $(($(now_ms) - t0)) ms"
is "$rc" 1 "snapshot exits 1 with Redis stopped"
is "$(c status)" critical "cache critical"
is "$(c source)" down "source down"
echo "$out" | jq -r '.panels.cache.reason' | grep -q "Connection refused (127.0.0.1:"
ok $? "the reason says why: $(c reason)"
is "$(c keys)" null "no values claimed while down"
echo "$out" | jq -e '.panels.replicas.replicas | length == 2' >/dev/null
ok $? "the replicas panel still answers"
echo "$out" | jq -e '.panels.pools.status | type == "string"' >/dev/null
ok $? "the pools panel still answers"
"$OPSDECK" --config "$cfg" snapshot | grep -E '^redis +down +critical' | grep -q 'Connection refused'
ok $? "plain snapshot: redis down critical, Connection refused"
"$LAB" fault redis-stop off >/dev/null
wait_for 20 cache_ok
ok $? "back to ok once Redis runs again"

# --- Redis frozen (SIGSTOP) -----------------------------------------------------------------
# the network deadline: the config's timeout (in the lab's config or the 3s default)
t=$(sed -n 's/^timeout *= *//p' "$cfg" | head -1)
timeout_ms=$(awk -v t="${t:-3s}" 'BEGIN{v = t + 0; if (t ~ /ms$/) print int(v); else print int(v * 1000)}')
"$LAB" fault freeze redis >/dev/null
t0=$(now_ms)
out=$(snap); rc=$?
took=$(($(now_ms) - t0))
"$LAB" fault freeze redis off >/dev/null
ok "$([ "$took" -le $((timeout_ms + 1000)) ]; echo $?)" "frozen Redis: snapshot returns in $took ms (timeout $timeout_ms ms + 1 s)"
is "$rc" 1 "and exits 1"
is "$(c source)" timeout "cache source: timeout"
is "$(c status)" critical "cache critical"
echo "$out" | jq -r '.panels.cache.error' | grep -q "no answer within"
ok $? "error: $(c error)"
wait_for 20 cache_ok
ok $? "ok again after SIGCONT"

# --- CLIENT PAUSE: slow or timeout, never a crash -------------------------------------------
rcli CLIENT PAUSE 4000 >/dev/null
t0=$(now_ms)
out=$(snap); rc=$?
took=$(($(now_ms) - t0))
ok "$([ "$rc" -le 1 ]; echo $?)" "CLIENT PAUSE 4000: snapshot exits $rc (no crash) in $took ms"
ok "$([ "$took" -le $((timeout_ms + 1000)) ]; echo $?)" "within the timeout + 1 s"
diag "during CLIENT PAUSE: $(echo "$out" | jq -c '.panels.cache | {status, source, error, ping_ms}')"
wait_for 20 cache_ok
ok $? "ok after the pause"
done_testing
