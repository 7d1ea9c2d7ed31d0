#!/usr/bin/env bash
# The rate-limits panel against the lab: a fresh free-tier key pushed past its 10/min limit
# through /api/test; the panel's blocked count rises and equals the API's own analytics; the
# key shows up masked among the keys over their limit; its counter equals what redis-cli GETs.
. "$OPSDECK_SRC/tests/lib.sh"
labcfg=$(lab_config)
. "$(dirname "$labcfg")/env.sh"
API=$LAB_API_URL
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# the API and Redis only: other panels' faults do not touch what is measured here
grep -E '^(api|redis|redis\.password_file) ' "$labcfg" | { echo '[t]'; cat; } >"$tmp/rl.ini"
chmod 600 "$tmp/rl.ini"
cfg=$tmp/rl.ini
snap() { "$OPSDECK" --config "$cfg" snapshot --json; }
rl() { echo "$out" | jq -r ".panels.ratelimits$1"; }
blocked_api() { curl -s "$API/admin/rate-limit/analytics" | jq .blocked_count; }

if [ "$(grep -c redisAsync "$OPSDECK_SRC/panels/redisconn.c")" -eq 0 ]; then
	skip "the Redis connector is not built yet: the Redis side of the panel cannot be checked"
	have_redis=0
else
	have_redis=1
fi

# a fresh key: 4 random letters (its masked form) + a suffix that must never be shown
prefix=$(tr -dc 'a-z' </dev/urandom | head -c 4)
key="${prefix}_itest_$(date +%s)"
masked="${prefix}***"
# fixed one-minute windows: do not start in the last 15 s of one
s=$(($(date +%s) % 60))
if [ "$s" -gt 45 ]; then diag "waiting $((61 - s)) s for the next minute"; sleep $((61 - s)); fi
minute=$(($(date +%s) / 60))

out=$(snap)
b0=$(rl .blocked_count)
diag "before: panel blocked_count $b0, API $(blocked_api), sources $(echo "$out" | jq -c .panels.ratelimits.sources)"
codes=""
for i in $(seq 1 15); do
	codes="$codes $(curl -s -o /dev/null -w '%{http_code}' -H "X-API-Key: $key" "$API/api/test")"
done
is "$(echo $codes | tr ' ' '\n' | grep -c 200),$(echo $codes | tr ' ' '\n' | grep -c 429)" "10,5" \
	"the API lets 10 through and blocks 5 ($codes )"

a0=$(blocked_api)
out=$(snap)
a1=$(blocked_api)
b1=$(rl .blocked_count)
ok "$([ "$b1" -ge $((b0 + 5)) ] && echo 0 || echo 1)" "the panel's blocked count rises by at least 5 ($b0 -> $b1)"
ok "$([ "$b1" -ge "$a0" ] && [ "$b1" -le "$a1" ] && echo 0 || echo 1)" \
	"it equals the API's own blocked_count ($b1; API $a0 before, $a1 after)"
is "$(rl .api_blocked_count)" "$b1" "the API's count is what the panel shows"
hot=$(rl ".hot_keys[] | select(.key == \"$masked\")")
[ "$(date +%s)" -lt $(((minute + 1) * 60)) ] && same_minute=1 || same_minute=0
if [ "$same_minute" = 1 ]; then
	ok "$([ -n "$hot" ] && echo 0 || echo 1)" "the key is listed masked as $masked"
	is "$(echo "$hot" | jq -r .tier)" free "in the free tier"
	is "$(echo "$hot" | jq -r .limit)" 10 "with its limit"
	ok "$(echo "$hot" | jq -e '.pct >= 100 and (.status == "warn" or .status == "critical")' >/dev/null; echo $?)" \
		"at or over its limit, flagged: $(echo "$hot" | jq -c '{used, pct, blocked, status}')"
	ok "$(rl '.keys_near_limit >= 1' | grep -q true; echo $?)" "counted among the keys near the limit"
	ok "$(rl '.status' | grep -qE 'warn|critical'; echo $?)" "the panel warns: $(rl .reason)"
else
	skip "the minute turned over: the key's window is gone"
fi
echo "$out" | grep -q "$key"
ok $((1 - $?)) "the full API key appears nowhere in the JSON"
text=$("$OPSDECK" --config "$cfg" snapshot)
echo "$text" | grep -q "$key"
ok $((1 - $?)) "nor in the plain snapshot"
echo "$text" | sed -n '/== Rate limits ==/,/^$/p' | sed 's/^/#   /'

if [ "$have_redis" = 1 ] && [ "$same_minute" = 1 ]; then
	is "$(rl .data_from)" redis "counters read from Redis directly"
	used=$("$LAB" redis-cli GET "ratelimit:free:$key:$minute")
	is "$(echo "$hot" | jq -r .used)" "$used" "the key's counter equals redis-cli GET ratelimit:free:<key>:$minute ($used)"
	is "$(echo "$hot" | jq -r .blocked_total)" "$("$LAB" redis-cli GET "ratelimit:blocked:free:$key")" \
		"its blocked counter equals redis-cli GET ratelimit:blocked:free:<key>"
	total=$("$LAB" redis-cli GET ratelimit:blocked_total)
	ok "$([ "$(rl .redis_blocked_total)" -le "$total" ] && [ "$(rl .redis_blocked_total)" -ge "$b1" ] && echo 0 || echo 1)" \
		"blocked_total read from Redis ($(rl .redis_blocked_total)) matches redis-cli ($total)"
	api_free=$(curl -s "$API/admin/rate-limit/analytics" | jq .tiers.free.requests)
	ok "$([ "$(rl '.tiers[0].requests')" -le "$api_free" ] && echo 0 || echo 1)" \
		"free tier requests from Redis ($(rl '.tiers[0].requests')) agree with the API's ($api_free, read after)"
else
	skip "Redis side not checked (connector missing or minute turned over)"
fi
done_testing
