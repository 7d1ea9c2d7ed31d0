#!/usr/bin/env bash
# TLS options pass through to libpq, against a private lab whose primary serves TLS with a
# certificate of the lab's own self-signed CA (lab/lab up makes tls/ca.crt): sslmode=verify-full
# with that CA connects; with another CA, or a host name the certificate does not name, the
# primary is down with the certificate error on screen and in --json; sslmode=require connects
# without a CA, and is refused by a server without TLS (a replica). The API over HTTPS with
# api.ca_file (libcurl's CURLOPT_CAINFO): the lab's CA verifies, none or another does not.
. "$OPSDECK_SRC/tests/lib.sh"
cd "$OPSDECK_SRC" || exit 1
private_lab 28830
tmp=$(mktemp -d)
cleanup() {
	plab down >/dev/null 2>&1
	rm -rf "$LABDIR" "$tmp"
}
trap cleanup EXIT

plab_up "$tmp/up.log"
cfg=$(plab env)
ca=$LABDIR/tls/ca.crt
test -s "$ca"
ok $? "lab up made the lab's CA certificate (tls/ca.crt)"
openssl verify -CAfile "$ca" "$LABDIR/tls/server.crt" >/dev/null 2>&1
ok $? "and a server certificate it signed"
openssl x509 -in "$LABDIR/tls/server.crt" -noout -ext subjectAltName 2>/dev/null | grep -q "IP Address:127.0.0.1"
ok $? "naming 127.0.0.1"
is "$(plab psql primary -XAtc 'SHOW ssl' 2>/dev/null)" "on" "the primary has ssl = on"

# a CA of our own that signed nothing the lab serves
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -keyout "$tmp/other.key" \
	-out "$tmp/other.crt" -days 1 -subj "/CN=another CA" >/dev/null 2>&1
ok $? "another self-signed CA made"

# with_primary NAME EXTRA...: the lab config, the primary's conninfo extended (continuation line)
with_primary() {
	local name=$1
	shift
	awk -v extra="$*" '/^primary[[:space:]]*=/ { print; print "    " extra; next } { print }' "$cfg" >"$tmp/$name.ini"
	echo "$tmp/$name.ini"
}
# snap INI: snapshot --json; sets RC and OUT
snap() { OUT=$("$OPSDECK" --config "$1" snapshot --json 2>"$tmp/err"); RC=$?; }
primary() { echo "$OUT" | jq -r ".sources.primary.$1"; }

snap "$(with_primary full "sslmode=verify-full sslrootcert=$ca")"
is "$(primary state)" "up" "sslmode=verify-full with the lab's CA: the primary is up"
is "$(primary error)" "null" "  with no error"
is "$RC" 0 "  and the snapshot exits 0"
is "$(echo "$OUT" | jq -r '.panels.replicas.primary.in_recovery')" "false" \
	"  the replicas panel reads the primary over TLS (in_recovery false)"

snap "$(with_primary other "sslmode=verify-full sslrootcert=$tmp/other.crt")"
is "$(primary state)" "down" "verify-full with another CA: the primary is down"
echo "$(primary error)" | grep -q "certificate verify failed"
ok $? "  the error says the certificate could not be verified: $(primary error)"
is "$RC" 1 "  and the snapshot exits 1 (critical)"
txt=$("$OPSDECK" --config "$tmp/other.ini" snapshot 2>&1)
echo "$txt" | grep -qE "^primary: down - SSL error: certificate verify failed"
ok $? "  the text snapshot shows it on the primary's line"

# the certificate names 127.0.0.1 and localhost only: verify-full, not just verify-ca, is in force
snap "$(with_primary name "sslmode=verify-full sslrootcert=$ca host=db.opsdeck.invalid hostaddr=127.0.0.1")"
is "$(primary state)" "down" "verify-full, right CA, a host name the certificate does not name: down"
echo "$(primary error)" | grep -q 'does not match host name "db.opsdeck.invalid"'
ok $? "  the error says so: $(primary error)"

snap "$(with_primary require "sslmode=require")"
is "$(primary state)" "up" "sslmode=require (encrypted, no CA): up"
is "$RC" 0 "  exit 0"
awk '/^replica\.east[[:space:]]*=/ { print; print "    sslmode=require"; next } { print }' "$cfg" >"$tmp/east.ini"
snap "$tmp/east.ini"
is "$(echo "$OUT" | jq -r '.sources["replica.east"].state')" "down" "sslmode=require to a replica without TLS: down"
echo "$OUT" | jq -r '.sources["replica.east"].error' | grep -q "SSL"
ok $? "  the error names SSL: $(echo "$OUT" | jq -r '.sources["replica.east"].error')"

# the API over HTTPS (the lab serves it on BASE+6 with the same certificate): api.ca_file
# reaches libcurl; without it libcurl's own bundle does not know the lab's CA
tls_port=$((BASE + 6))
with_api() { # NAME EXTRA-LINE
	sed -e "s|^api[[:space:]]*=.*|api          = https://127.0.0.1:$tls_port|" "$cfg" >"$tmp/$1.ini"
	[ -n "$2" ] && echo "$2" >>"$tmp/$1.ini"
	chmod 600 "$tmp/$1.ini"
	echo "$tmp/$1.ini"
}
api() { echo "$OUT" | jq -r ".sources.api.$1"; }
wait_for 5 sh -c "curl -s --cacert '$ca' https://127.0.0.1:$tls_port/health >/dev/null"
ok $? "the lab's API answers over HTTPS on $tls_port (curl --cacert)"
snap "$(with_api api-ca "api.ca_file = $ca")"
is "$(api state)" "up" "https:// API with api.ca_file = the lab's CA: up"
is "$(echo "$OUT" | jq -r '.panels.health.http_status')" 200 "  /health answered 200 over HTTPS"
snap "$(with_api api-noca "")"
is "$(api state)" "down" "the same without api.ca_file (libcurl's bundle): down"
api error | grep -qiE "certificate|SSL"
ok $? "  the error names the certificate: $(api error)"
snap "$(with_api api-other "api.ca_file = $tmp/other.crt")"
is "$(api state)" "down" "api.ca_file = another CA: down"
"$OPSDECK" --config "$(with_api api-missing "api.ca_file = $tmp/nothing.pem")" snapshot >"$tmp/missing.out" 2>&1
is $? 2 "api.ca_file naming no file: a config error (exit 2)"
grep -qE "api-missing.ini:[0-9]+: api.ca_file = .*nothing.pem.*no such file" "$tmp/missing.out"
ok $? "  naming the file, line and path: $(head -1 "$tmp/missing.out")"

# nothing secret on the way: the password stays out of every output
pw=$(cat "$LABDIR/private/ops.pass" 2>/dev/null)
[ -n "$pw" ] && ! grep -rqF "$pw" "$tmp"/*.ini "$tmp/err" && ! echo "$OUT$txt" | grep -qF "$pw"
ok $? "the ops password is in no config, output or error"
done_testing
