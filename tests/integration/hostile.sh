#!/usr/bin/env bash
# Hostile operator input reaches SQL, Redis, HTTP and shell probes only as data (issue 7).
#
# tests/integration/runbooks.sh already runs RB-9 with `'; DROP TABLE users; --` and
# `$(touch FILE)` (bound SQL parameters, psql variables in a shell probe) and checks that
# types refuse what they do not allow; it has no HTTP or Redis probe taking a hostile value.
# Here a fixture runbook (tests/fixtures/runbooks/security/RB-92.md) hands one `value` to
# every kind of probe: a bound SQL parameter, Redis arguments (ECHO, HGET, SET/GET), an HTTP
# path and query (percent-encoded), a header value, a JSON body, a shell environment variable
# (quoted and unquoted). The API is an echo server of the test's own that answers with the
# request it received, so each probe checks it got exactly the value back. Each hostile value
# runs through all of them; afterwards nothing ran that the values spelled: no marker files,
# the users table and the Redis data intact, no FLUSHALL/FLUSHDB/CONFIG SET/DEL counted.
# A value with a newline or CR (header or command injection) is refused before anything runs.
. "$OPSDECK_SRC/tests/lib.sh"
private_lab 30830
tmp=$(mktemp -d)
echo_pid=
cleanup() {
	[ -n "$echo_pid" ] && kill "$echo_pid" 2>/dev/null
	plab down >/dev/null 2>&1
	rm -rf "$LABDIR"
	[ -n "${KEEP_TMP:-}" ] && echo "# kept $tmp" || rm -rf "$tmp"
}
trap cleanup EXIT

plab_up "$tmp/up.log"

# the echo server: any method, answers 200 with what it received as JSON
EPORT=$((BASE + 8))
cat >"$tmp/echo.py" <<'EOF'
import json, sys
from http.server import BaseHTTPRequestHandler, HTTPServer
class Echo(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    def answer(self):
        n = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(n).decode("utf-8", "replace") if n else ""
        try:
            parsed = json.loads(body) if body else None
        except ValueError as e:
            parsed = {"invalid_json": str(e)}
        out = json.dumps({"method": self.command, "path": self.path, "headers": {k: v.encode("latin-1").decode("utf-8", "replace") for k, v in self.headers.items()},
                          "body": body, "json": parsed}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(out)))
        self.end_headers()
        self.wfile.write(out)
    do_GET = do_POST = do_PUT = answer
    def log_message(self, *args):
        pass
HTTPServer(("127.0.0.1", int(sys.argv[1])), Echo).serve_forever()
EOF
python3 "$tmp/echo.py" "$EPORT" 2>"$tmp/echo.err" &
echo_pid=$!
wait_for 5 curl -sf "http://127.0.0.1:$EPORT/ping"
ok $? "the echo server answers on $EPORT"
sed "s|^api *=.*|api = http://127.0.0.1:$EPORT|" "$(plab env)" >"$tmp/opsdeck.ini"
chmod 600 "$tmp/opsdeck.ini"
od() { "$OPSDECK" --config "$tmp/opsdeck.ini" --journal "$tmp/j.db" "$@"; }
pq() { plab psql primary -XqAt -c "$1"; }
REDIS() { REDISCLI_AUTH=$(cat "$LABDIR/secrets/redis.pass") redis-cli --no-auth-warning -h 127.0.0.1 -p $((BASE + 4)) "$@"; }
RB=$OPSDECK_SRC/tests/fixtures/runbooks/security/RB-92.md

m=$tmp/marker # what the shell syntax in the values would create
values=(
	"'; DROP TABLE users; --"
	"\$(touch $m.1)"
	"\`touch $m.2\`; touch $m.3 && echo \$((6*7))"
	"a\" FLUSHALL \"b"
	"x' OR '1'='1"
	"../../admin/rate-limit/analytics?x=1#frag"
	"\", \"admin\": true, \"x\": \"\\u0000 \\\\"
	"%00%0d%0aX-Injected: 1 & q=2; \${IFS}touch$m.4 | tee $m.5"
	"CONFIG SET requirepass hacked \\ \" ' \$HOME * ? [a] ~ ; DEL ratelimit:tiers"
	"Robert'); DROP TABLE users;-- é ✓ \\x41"
)
users_before=$(pq "SELECT count(*) FROM users")
tiers_before=$(REDIS HGETALL ratelimit:tiers | paste -sd' ')
stats() { REDIS INFO commandstats | tr -d '\r' | grep -E '^cmdstat_(flushall|flushdb|del|unlink|hdel|config)[:]' | sed 's/,usec=.*//' | paste -sd' '; }
stats_before=$(stats)
i=0
for v in "${values[@]}"; do
	i=$((i + 1))
	od --json run "$RB" --auto --input "value=$v" >"$tmp/v$i.json" 2>"$tmp/v$i.err"
	rc=$?
	got=$(jq -r '[.steps[] | "\(.step):\(.status)"] | join(" ")' "$tmp/v$i.json" 2>/dev/null)
	is "$rc $got" "0 1:pass 2:pass 3:pass 4:pass 5:pass 6:pass" "value $i [$v]: every probe got it back unchanged"
	if [ "$rc $got" != "0 1:pass 2:pass 3:pass 4:pass 5:pass 6:pass" ]; then
		jq -r '.steps[] | select(.status != "pass") | .probes[]? | "#   step: \(.target) \(.status) \(.observed // "") \(.error // "")"' "$tmp/v$i.json" 2>/dev/null | head -5
		head -3 "$tmp/v$i.err" | sed 's/^/#   stderr: /'
	fi
done
# the values' journal records are the values themselves
"$OPSDECK" --journal "$tmp/j.db" --json journal show last >"$tmp/last.json" 2>/dev/null
jq -e --arg v "${values[-1]}" '[.. | strings | select(. == $v)] | length > 0' "$tmp/last.json" >/dev/null
ok $? "the journal keeps the last value as typed"
"$OPSDECK" --journal "$tmp/j.db" journal verify >/dev/null 2>&1
ok $? "the journal verifies"

# nothing the values spelled ran
! compgen -G "$m.*" >/dev/null
ok $? "no marker file: no shell syntax in a value ran ($(compgen -G "$m.*" | paste -sd' '))"
is "$(pq "SELECT count(*) FROM users")" "$users_before" "users still has $users_before rows"
is "$(REDIS HGETALL ratelimit:tiers | paste -sd' ')" "$tiers_before" "ratelimit:tiers unchanged"
is "$(stats)" "$stats_before" "Redis counted no FLUSHALL, FLUSHDB, DEL, UNLINK, HDEL or CONFIG"
REDIS CONFIG GET requirepass | tail -1 | grep -qx "$(cat "$LABDIR/secrets/redis.pass")"
ok $? "the Redis password is unchanged"
n=$(REDIS --scan --pattern 'opsdeck:hostile:*' | wc -l)
is "$n" "${#values[@]}" "one Redis key per value (SET took each as one argument)"

# a newline or a CR would split a header or a command line: refused before anything runs
for bad in $'a\nFLUSHALL' $'a\r\nX-Injected: 1'; do
	od --json run "$RB" --auto --input "value=$bad" >"$tmp/bad.json" 2>"$tmp/bad.err"
	is "$?" 2 "a value with $(printf '%q' "$bad" | grep -o '\\[nr]' | paste -sd+) is refused (exit 2)"
	grep -qi 'value' "$tmp/bad.err"
	ok $? "and the message names the input: $(head -c 150 "$tmp/bad.err")"
done
done_testing
