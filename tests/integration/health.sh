#!/usr/bin/env bash
# The health strip against the lab's API: the snapshot's numbers are the API's own; every API
# fault (500, bad JSON, a 10 MB body, a body trickling in, a frozen server) and an API that is
# refused, unresolvable or plain HTTP behind https:// gives a clear state, quickly.
# Configs with the API alone (plus Redis for rate limits) keep other panels' state out of
# the exit codes measured here.
. "$OPSDECK_SRC/tests/lib.sh"
labcfg=$(lab_config)
. "$(dirname "$labcfg")/env.sh"
API=$LAB_API_URL
tmp=$(mktemp -d)
cleanup() {
	for f in 500 badjson huge trickle; do "$LAB" fault api "$f" off >/dev/null 2>&1; done
	"$LAB" fault freeze api off >/dev/null 2>&1
	rm -rf "$tmp"
}
trap cleanup EXIT
mkcfg() { # name api-url
	printf '[t]\napi = %s\ntimeout = 3s\n' "$2" >"$tmp/$1.ini"
	chmod 600 "$tmp/$1.ini"
	echo "$tmp/$1.ini"
}
now_ms() { echo $(($(date +%s%N) / 1000000)); }
# snap CONFIG: sets out, rc, took (ms)
snap() {
	local t0
	t0=$(now_ms)
	out=$("$OPSDECK" --config "$1" snapshot --json 2>"$tmp/stderr")
	rc=$?
	took=$(($(now_ms) - t0))
}
h() { echo "$out" | jq -r ".panels.health$1"; }
cfg=$(mkcfg lab "$API")

# --- the numbers are the API's --------------------------------------------------------
before=$(curl -s "$API/metrics/queries")
snap "$cfg"
after=$(curl -s "$API/metrics/queries")
is "$rc" 0 "snapshot exits 0 with the API healthy ($took ms)"
is "$(h .api_status)" "$(curl -s "$API/health" | jq -r .status)" "api_status is what /health says"
for k in p50 p95 p99; do
	got=$(h ".${k}_ms")
	b=$(echo "$before" | jq ".statistics.$k") a=$(echo "$after" | jq ".statistics.$k")
	if [ "$b" = "$a" ]; then
		is "$got" "$b" "$k equals /metrics/queries exactly (no traffic in between: $b)"
	else # traffic moved it: within the values seen around it, 20 % slack
		awk -v g="$got" -v a="$a" -v b="$b" 'BEGIN { lo = (a < b ? a : b) * 0.8; hi = (a > b ? a : b) * 1.2; exit !(g >= lo && g <= hi) }'
		ok $? "$k $got within what /metrics/queries said around it ($b, $a)"
	fi
done
is "$(h .slow_queries)" "$(echo "$after" | jq '.slowQueries | length')" "slow query count is slowQueries' length"
erate=$(curl -s "$API/metrics/errors" | jq .error_rate)
awk -v g="$(h .error_rate)" -v w="$erate" 'BEGIN { d = g - w; exit !(d < 0.02 && d > -0.02) }'
ok $? "error rate $(h .error_rate) matches /metrics/errors ($erate)"
is "$(h .levels.api)" "$( [ "$(h .api_status)" = healthy ] && echo ok || echo warn)" "level of the API status"
text=$("$OPSDECK" --config "$cfg" snapshot | sed -n '/== Health ==/{n;p}')
echo "$text" | grep -qE '^API (healthy|degraded) +p50 [0-9.]+m?s +p95 .* +errors [0-9.]+% +age '
ok $? "plain snapshot prints the strip: $text"
diag "strip: $text"

# --- faults -----------------------------------------------------------------------------
"$LAB" fault api 500 >/dev/null
snap "$cfg"
is "$rc" 1 "api 500: snapshot exits 1 ($took ms)"
is "$(h .status)" critical "api 500: critical"
is "$(h .api_status)" "HTTP 500" "api 500: the strip says HTTP 500"
h .reason | grep -q 'HTTP 500 from /health: injected fault: 500'
ok $? "api 500: the reason carries the API's error: $(h .reason)"
"$LAB" fault api 500 off >/dev/null

"$LAB" fault api badjson >/dev/null
snap "$cfg"
ok "$([ "$rc" -le 1 ] && echo 0 || echo 1)" "api badjson: no crash (exit $rc, $took ms)"
is "$(h .api_status)" "bad JSON" "api badjson: the strip says bad JSON"
h '.endpoints["/metrics/queries"].error' | grep -q '^bad JSON from /metrics/queries: invalid JSON near byte'
ok $? "api badjson: $(h '.endpoints["/metrics/queries"].error')"
"$LAB" fault api badjson off >/dev/null

"$LAB" fault api huge >/dev/null
snap "$cfg"
is "$(h .api_status)" "too large" "api huge: refused as too large"
h '.endpoints["/health"].error' | grep -q '^response larger than 1 MB refused'
ok $? "api huge: $(h '.endpoints["/health"].error')"
ok "$([ "$took" -lt 2000 ] && echo 0 || echo 1)" "api huge: fast ($took ms), the 10 MB are not read"
diag "api huge: snapshot $took ms"
"$LAB" fault api huge off >/dev/null

"$LAB" fault api trickle >/dev/null
snap "$cfg"
is "$(h .api_status)" timeout "api trickle: timeout"
ok "$([ "$took" -le 4000 ] && echo 0 || echo 1)" "api trickle: snapshot returns within timeout + 1 s ($took ms for 3 s)"
h .error | grep -q 'timeout after 3s'
ok $? "api trickle: $(h .error)"
diag "api trickle: snapshot $took ms"
"$LAB" fault api trickle off >/dev/null

"$LAB" fault freeze api >/dev/null
snap "$cfg"
is "$(h .api_status)" timeout "freeze api: timeout"
is "$rc" 1 "freeze api: exit 1 (no answer from /health is critical)"
ok "$([ "$took" -le 4000 ] && echo 0 || echo 1)" "freeze api: snapshot returns within timeout + 1 s ($took ms)"
diag "freeze api: snapshot $took ms"
"$LAB" fault freeze api off >/dev/null
wait_for 10 sh -c "curl -s -m 1 '$API/health' | grep -q status"
ok $? "the API answers again after the faults are cleared"

# --- an API that is not there -------------------------------------------------------------
port=${API##*:}
check_bad() { # name url expected-error-regex
	local c
	c=$(mkcfg "$1" "$2")
	snap "$c"
	is "$rc" 1 "$1: exit 1 ($took ms)"
	h .error | grep -qE "$3"
	ok $? "$1: $(h .error)"
	ok "$([ "$took" -lt 1500 ] && echo 0 || echo 1)" "$1: snapshot returns quickly ($took ms)"
	diag "$1: snapshot $took ms: $(h .error)"
}
check_bad refused "http://ops:Pa55word@127.0.0.1:1/?token=T0ken" '^Connection refused \(127\.0\.0\.1:1\) \(GET /'
echo "$out" | grep -qE 'Pa55word|T0ken'
ok $((1 - $?)) "refused: neither the password nor the token appear anywhere in the output"
check_bad unresolvable "http://nonexistent.invalid" '^could not resolve host nonexistent\.invalid'
check_bad tls-to-plain "https://127.0.0.1:$port" '^TLS handshake failed: .*wrong version number.*plain HTTP port'
done_testing
