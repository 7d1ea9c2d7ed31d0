#!/usr/bin/env bash
# Config handling through the real binary: file:line errors, the permission refusal, --env,
# $OPSDECK_CONFIG, and sources that are simply not configured (never an alarm).
. "$OPSDECK_SRC/tests/lib.sh"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
labcfg=$(lab_config)
primary=$(sed -n 's/^primary *= *//p' "$labcfg")

# only the primary: every other source is "not configured" and nothing is an alarm
printf '[solo]\nprimary = %s\n' "$primary" >"$tmp/solo.ini"
out=$("$OPSDECK" --config "$tmp/solo.ini" snapshot --json); rc=$?
is "$rc" 0 "primary only: snapshot exits 0"
is "$(echo "$out" | jq -r '.sources.redis.state')" "not configured" "redis shows as not configured"
is "$(echo "$out" | jq -r '.sources.pgbouncer.state')" "not configured" "pgbouncer shows as not configured"
is "$(echo "$out" | jq -r '.panels.replicas.replicas | length')" "0" "no replicas configured, none reported"
is "$(echo "$out" | jq -r '.status')" "ok" "overall ok"

# $OPSDECK_CONFIG is used when --config is absent
out=$(OPSDECK_CONFIG="$tmp/solo.ini" "$OPSDECK" snapshot --json | jq -r .env)
is "$out" "solo" "OPSDECK_CONFIG selects the file"
# and XDG_CONFIG_HOME after it
mkdir -p "$tmp/xdg/opsdeck" && cp "$tmp/solo.ini" "$tmp/xdg/opsdeck/config.ini"
out=$(env -u OPSDECK_CONFIG XDG_CONFIG_HOME="$tmp/xdg" "$OPSDECK" snapshot --json | jq -r .env)
is "$out" "solo" "XDG_CONFIG_HOME/opsdeck/config.ini is found"
env -u OPSDECK_CONFIG XDG_CONFIG_HOME="$tmp/none" HOME="$tmp/none" "$OPSDECK" snapshot >/dev/null 2>"$tmp/err"
is $? 2 "no config anywhere exits 2"
grep -q 'lab/lab up' "$tmp/err"; ok $? "and says how to get one: $(head -c 120 "$tmp/err")"

# several environments: --env picks, without it a clear error
printf '[prod]\nprimary = %s\n[staging]\nprimary = %s\n' "$primary" "$primary" >"$tmp/two.ini"
"$OPSDECK" --config "$tmp/two.ini" snapshot >/dev/null 2>"$tmp/err"
is $? 2 "two environments without --env exits 2"
grep -q 'prod' "$tmp/err" && grep -q 'staging' "$tmp/err" && grep -q -- '--env' "$tmp/err"
ok $? "and names both and --env: $(cat "$tmp/err")"
is "$("$OPSDECK" --config "$tmp/two.ini" --env staging snapshot --json | jq -r .env)" "staging" "--env staging"
"$OPSDECK" --config "$tmp/two.ini" --env nope snapshot >/dev/null 2>"$tmp/err"
is $? 2 "an unknown --env exits 2"

# bad input names file:line, the key and what is accepted
printf '[lab]\nprimary = %s\nrefresh = fast\n' "$primary" >"$tmp/bad.ini"
"$OPSDECK" --config "$tmp/bad.ini" snapshot >/dev/null 2>"$tmp/err"
is $? 2 "a bad value exits 2"
grep -q "$tmp/bad.ini:3" "$tmp/err" && grep -q refresh "$tmp/err" && grep -q 'ms' "$tmp/err"
ok $? "names file:line, key and accepted form: $(cat "$tmp/err")"
printf '[lab]\nprimary = %s\nrefrehs = 1s\n' "$primary" >"$tmp/bad.ini"
"$OPSDECK" --config "$tmp/bad.ini" snapshot >/dev/null 2>"$tmp/err"
grep -q "$tmp/bad.ini:3" "$tmp/err" && grep -q "refrehs" "$tmp/err"
ok $? "an unknown key is named with its line: $(cat "$tmp/err")"

# a password in a file others can read is refused; the message points to .pgpass
printf '[lab]\nprimary = host=127.0.0.1 dbname=x user=ops password=Sup3rSecretPw\n' >"$tmp/pw.ini"
chmod 644 "$tmp/pw.ini"
"$OPSDECK" --config "$tmp/pw.ini" snapshot >/dev/null 2>"$tmp/err"
is $? 2 "a world-readable config with a password is refused"
grep -q pgpass "$tmp/err"; ok $? "the refusal points to .pgpass"
grep -q Sup3rSecretPw "$tmp/err"; ok $((1 - $?)) "and does not print the password"
chmod 600 "$tmp/pw.ini"
"$OPSDECK" --config "$tmp/pw.ini" snapshot --json >"$tmp/out" 2>&1
grep -q Sup3rSecretPw "$tmp/out"; ok $((1 - $?)) "at 0600 it is accepted and the password never shows in the output"
grep -q 'password=\*\*\*\*' "$tmp/out"; ok $? "the DSN is shown masked"
done_testing
