#!/usr/bin/env bash
# Secrets never reach the screen, captured output, the journal, exports or logs (issue 7).
#
# A private lab is brought up with passwords of this run's own (the lab keeps the ops and
# Redis passwords it finds in LABDIR/private), and opsdeck is given them the riskiest way: in
# its config file (0600), inline in every kind of DSN (conninfo, quoted conninfo, URI, redis://
# URL, the API URL's userinfo), plus an API key as a secret runbook input. Then everything
# that shows or records text is exercised and captured: snapshot (text and JSON), opsdeck run
# (RB-14 and a fixture runbook whose probes print the secrets back: SQL results and errors,
# Redis ECHO, CONFIG GET requirepass and errors, an API 404 body, a shell probe's whole
# environment), lint, every journal command and export format, config error messages, the
# console in tmux (panels 1-5 and their details, alerts, help, :env, the walker on RB-14 and
# on the fixture), its stderr, the journal files (sqlite3 .dump, strings) and every file
# opsdeck wrote under its HOME/XDG dirs. No secret, nor its first or last 8 characters, may
# appear in any of them; the lab must have accepted them (sources up), so the test fails for
# the right reason. Runs of the same runbook with wrong passwords check the error paths.
#
# Then: config files holding a secret that others can read are refused, each kind of DSN and
# redis.password_file, with a message naming the file, the line, the key and chmod 600; and
# passwords kept out of the config work: ~/.pgpass, and a pg_service.conf service
# (PGSERVICEFILE) named by service= in the config.
. "$OPSDECK_SRC/tests/lib.sh"
private_lab 30430
tmp=$(mktemp -d)
cap=$tmp/cap # everything opsdeck printed, showed or wrote: grepped for the secrets at the end
mkdir -p "$cap" "$tmp/home" "$tmp/xdg-data" "$tmp/xdg-config" "$tmp/j"
cleanup() {
	tui_stop
	plab down >/dev/null 2>&1
	rm -rf "$LABDIR"
	[ -n "${KEEP_TMP:-}" ] && echo "# kept $tmp" || rm -rf "$tmp"
}
trap cleanup EXIT

# This run's secrets: letters and digits (they fit a pgpass line, a SQL literal, requirepass and
# URL userinfo unescaped), each with a prefix of its own so a hit names the secret.
rnd() { head -c 9 /dev/urandom | od -An -tx1 | tr -d ' \n'; }
OPS_PW=OpsPw$(rnd)      # the ops role (PostgreSQL, PgBouncer)
REDIS_PW=RdsPw$(rnd)    # Redis requirepass
API_PW=ApiPw$(rnd)      # basic auth in the api URL (the lab's API does not check it)
API_KEY=AkeyZ$(rnd)     # RB-14's api_key input, a secret input
WRONG_PW=BadPw$(rnd)    # wrong passwords: the error paths must not show them either
WRONG_RPW=BadRd$(rnd)
SECRETS=("$OPS_PW" "$REDIS_PW" "$API_PW" "$API_KEY" "$WRONG_PW" "$WRONG_RPW")

# The lab keeps passwords it finds (lab/lab ensure_secrets): give it ours before `up`.
mkdir -p "$LABDIR/private" && chmod 700 "$LABDIR/private"
printf '%s\n' "$OPS_PW" >"$LABDIR/private/ops.pass"
printf '%s' "$REDIS_PW" >"$LABDIR/private/redis.pass"
chmod 600 "$LABDIR/private/ops.pass" "$LABDIR/private/redis.pass"
if [ "$(id -u)" = 0 ]; then # the servers run as opsdeck-lab and read them (the dir becomes theirs)
	chown opsdeck-lab: "$LABDIR/private/ops.pass" "$LABDIR/private/redis.pass" 2>/dev/null ||
		chmod 644 "$LABDIR/private/ops.pass" "$LABDIR/private/redis.pass"
fi
plab_up "$tmp/up.log"
grep -qxF "127.0.0.1:$BASE:*:ops:$OPS_PW" "$LABDIR/secrets/pgpass" &&
	[ "$(cat "$LABDIR/secrets/redis.pass")" = "$REDIS_PW" ]
ok $? "the lab uses this run's distinctive passwords"

# --- the config: every secret inline (0600) ----------------------------------------------
C=$tmp/secret.ini
OPS_PW_HEX0=$(printf '%02X' "'${OPS_PW:0:1}") # [other] percent-encodes the password's first character
P1=$((BASE + 1)) P2=$((BASE + 2)) P3=$((BASE + 3)) P4=$((BASE + 4)) P5=$((BASE + 5))
cat >"$C" <<EOF
; passwords inline, in every form a DSN can hold one
[lab]
primary      = host=127.0.0.1 port=$BASE dbname=ywmessaging user=ops password=$OPS_PW connect_timeout=3
replica.east = postgresql://ops:$OPS_PW@127.0.0.1:$P1/ywmessaging?connect_timeout=3
replica.west = host=127.0.0.1 port=$P2 dbname=ywmessaging user=ops password='$OPS_PW' connect_timeout=3
pgbouncer    = host=127.0.0.1 port=$P3 dbname=pgbouncer user=ops password=$OPS_PW connect_timeout=3
redis        = redis://:$REDIS_PW@127.0.0.1:$P4/0
api          = http://opsdeck:$API_PW@127.0.0.1:$P5
refresh      = 1s

[other]
primary      = postgres://ops:%${OPS_PW_HEX0}${OPS_PW:1}@127.0.0.1:$BASE/ywmessaging?connect_timeout=3
redis        = redis://default:$REDIS_PW@127.0.0.1:$P4/0
refresh      = 1s

[wrong]
primary      = host=127.0.0.1 port=$BASE dbname=ywmessaging user=ops password=$WRONG_PW connect_timeout=3
pgbouncer    = host=127.0.0.1 port=$P3 dbname=pgbouncer user=ops password=$WRONG_PW connect_timeout=3
redis        = redis://:$WRONG_RPW@127.0.0.1:$P4/0
refresh      = 1s
EOF
chmod 600 "$C"
J=$tmp/j/journal.db
# a clean environment: no password from anywhere but the config (no PGPASSWORD, PGPASSFILE,
# ~/.pgpass, REDISCLI_AUTH), and opsdeck's own files (journal key, logs) under $tmp
ENV=(env -i PATH="$PATH" USER="$(id -un)" TERM=xterm-256color LANG=C.UTF-8 LC_ALL=C.UTF-8
	HOME="$tmp/home" XDG_DATA_HOME="$tmp/xdg-data" XDG_CONFIG_HOME="$tmp/xdg-config")
od() { "${ENV[@]}" "$OPSDECK" "$@"; }
cmd() { # NAME opsdeck-args... : stdout, stderr and exit status into $cap/NAME.{out,err,rc}
	local name=$1
	shift
	od "$@" >"$cap/$name.out" 2>"$cap/$name.err"
	echo $? >"$cap/$name.rc"
}
rc() { cat "$cap/$1.rc"; }
REDIS() { REDISCLI_AUTH=$REDIS_PW redis-cli --no-auth-warning -h 127.0.0.1 -p "$P4" "$@"; }
probe_dirs_before=$(ls -d /tmp/opsdeck-probe-* 2>/dev/null | sort)

# --- snapshot ------------------------------------------------------------------------------
cmd snap --config "$C" --env lab --journal "$J" snapshot
cmd snapjson --config "$C" --env lab --journal "$J" snapshot --json
states=$(jq -r '[.sources | to_entries[] | "\(.key)=\(.value.state)"] | join(" ")' "$cap/snapjson.out")
is "$states" "primary=up replica.east=up replica.west=up pgbouncer=up redis=up api=up" \
	"snapshot: every source is up with the inline passwords (they were in use)"
is "$(jq -r '[.panels.replicas.replicas[] | .state] | join(" ")' "$cap/snapjson.out" 2>/dev/null)" "streaming streaming" \
	"snapshot: both replicas streaming"
jq -r '.sources[].dsn' "$cap/snapjson.out" | grep -c '\*\*\*\*' | grep -qx 6
ok $? "snapshot --json: the six DSNs are shown, masked: $(jq -r '.sources.primary.dsn' "$cap/snapjson.out")"
cmd snapother --config "$C" --env other --journal "$J" snapshot --json
is "$(jq -r '"\(.sources.primary.state) \(.sources.redis.state)"' "$cap/snapother.out")" "up up" \
	"snapshot (URI with a percent-encoded password, redis://default:PW@): primary and redis up"
cmd snapwrong --config "$C" --env wrong --journal "$J" snapshot --json
is "$(jq -r '"\(.sources.primary.state) \(.sources.redis.state)"' "$cap/snapwrong.out")" "down down" \
	"snapshot with wrong passwords: primary and redis down"
jq -r '.sources.primary.error, .sources.redis.error' "$cap/snapwrong.out" | grep -qiE 'password|auth'
ok $? "and says why: $(jq -r '.sources.primary.error' "$cap/snapwrong.out" | head -c 100) / $(jq -r '.sources.redis.error' "$cap/snapwrong.out" | head -c 80)"
cmd snapwrongtext --config "$C" --env wrong --journal "$J" snapshot

# --- opsdeck run: RB-14 with the key, the fixture whose probes print the secrets -------------
cmd rb14 --config "$C" --env lab --journal "$J" --json run RB-14 --auto --input "api_key=$API_KEY"
is "$(rc rb14)" 0 "RB-14 with the secret api_key: exit 0"
n=$(REDIS --scan --pattern "ratelimit:*:$API_KEY:*" | wc -l)
ok $([ "$n" -ge 1 ] && echo 0 || echo 1) "the key really reached the API (its rate-limit counter is in Redis)"
jq -r '.steps[] | select(.step == 6) | .status' "$cap/rb14.out" | grep -qx pass
ok $? "RB-14 step 6 (the request as the client) passed"
cmd rb14text --config "$C" --env lab --journal "$J" run RB-14 --auto --input "api_key=$API_KEY"
FIX=$OPSDECK_SRC/tests/fixtures/runbooks/security/RB-91.md
cmd rb91 --config "$C" --env lab --journal "$J" --json run "$FIX" --auto --input "api_key=$API_KEY"
st=$(jq -r '[.steps[] | "\(.step):\(.status)"] | join(" ")' "$cap/rb91.out")
is "$st" "1:pass 2:error 3:pass 4:error 5:pass 6:pass 7:fail" "RB-91: the probes ran and got the secrets back ($st)"
cmd rb91text --config "$C" --env lab --journal "$J" run "$FIX" --auto --input "api_key=$API_KEY"
cmd rb91wrong --config "$C" --env wrong --journal "$J" --json run "$FIX" --auto --input "api_key=$API_KEY"
cmd rb14wrong --config "$C" --env wrong --journal "$J" run RB-14 --auto --input "api_key=$API_KEY"

# --- lint, journal ---------------------------------------------------------------------------
cmd lint --config "$C" --env lab lint
cmd lintjson --config "$C" --env lab --json lint
cmd lintfix --config "$C" --env lab lint "$FIX"
cmd list --journal "$J" journal list
cmd listjson --journal "$J" --json journal list
cmd verify --journal "$J" journal verify
is "$(rc verify)" 0 "the journal verifies"
runs=$(jq -r '.. | objects | select(has("run_id") or has("id")) | (.run_id // .id) | numbers' "$cap/listjson.out" 2>/dev/null | sort -un)
[ -n "$runs" ] || runs=$(awk '$1 ~ /^[0-9]+$/ {print $1}' "$cap/list.out")
nruns=$(echo "$runs" | grep -c .)
ok $([ "$nruns" -ge 5 ] && echo 0 || echo 1) "the journal holds the runs ($nruns)"
for r in $runs; do
	cmd "show$r" --journal "$J" journal show "$r"
	cmd "showjson$r" --journal "$J" --json journal show "$r"
	for f in md json csv; do cmd "export$r.$f" --journal "$J" journal export --format "$f" "$r"; done
done
is "$(cat "$cap"/export*.rc | sort -u | tr '\n' ' ')" "0 " "every export of every run: exit 0"
grep -q 'api_key = Akey\*\*\*' "$cap/show1.out" && grep -q 'Akey\*\*\*' "$cap/export1.md.out"
ok $? "the key is shown as its first 4 characters and *** (show, export)"
r91=$(jq -r '.run_id' "$cap/rb91.out")
grep -q '2) \*\*\*\*' "$cap/show$r91.out"
ok $? "RB-91 step 3: CONFIG GET requirepass answered, its value masked in journal show"

# --- config errors in the file that holds the passwords ------------------------------------
cfgerr() { # NAME SED-EXPRESSION: a variant of the config (0600) with one bad line
	sed -e "$2" "$C" >"$tmp/$1.ini"
	chmod 600 "$tmp/$1.ini"
	cmd "cfg-$1" --config "$tmp/$1.ini" --env lab snapshot
	is "$(rc "cfg-$1")" 2 "config error ($1): exit 2"
	grep -q "$tmp/$1.ini:[0-9]" "$cap/cfg-$1.err"
	ok $? "config error ($1) names file:line: $(head -c 160 "$cap/cfg-$1.err")"
}
cfgerr unknown-key '/^refresh/a refrehs = 1s'
cfgerr bad-conninfo "s/^primary *=.*/primary = host=127.0.0.1 password=$OPS_PW nosuchoption=1/"
cfgerr no-equals "s/^primary *=.*/primary = host=127.0.0.1 user=ops password $OPS_PW/"
cfgerr bad-uri "s|^replica.east *=.*|replica.east = postgresql://ops:$OPS_PW@127.0.0.1:$P1/x?nosuchparam=1|"
cfgerr bad-redis "s|^redis *=.*|redis = redis://:$REDIS_PW@127.0.0.1:notaport/0|"
cfgerr bad-api "s|^api *=.*|api = ftp://opsdeck:$API_PW@127.0.0.1:$P5|"
cp "$C" "$tmp/open.ini" && chmod 644 "$tmp/open.ini"
cmd cfg-open --config "$tmp/open.ini" --env lab snapshot

# --- the console in tmux ---------------------------------------------------------------------
shot() { tmx capture-pane -p -t t >"$cap/screen-$1.txt"; }
has() { screen_has "$1"; }
tui_start 120 40 "${ENV[@]}" "$OPSDECK" --config "$C" --env lab --journal "$J" "2>$cap/console.err"
wait_for 15 sh -c "tmux -L $TMUX_SOCK capture-pane -p -t t | grep -E '^west +ok +streaming' >/dev/null"
ok $? "console: the replicas stream (inline passwords in use)"
shot p1
tui_keys Enter && sleep 0.5 && shot p1-detail && tui_keys Escape
for p in 2 3 4 5; do
	tui_keys "$p"
	sleep 2.5
	shot "p$p"
	tui_keys Enter && sleep 0.5 && shot "p$p-detail" && tui_keys Escape
	tui_keys j Enter && sleep 0.5 && shot "p$p-detail2" && tui_keys Escape
done
grep -q 'redis://' "$cap/screen-p3.txt" "$cap/screen-p3-detail.txt"
ok $? "console: the cache panel shows the Redis URL (masked)"
tui_keys 1 a && sleep 0.5 && shot alerts && tui_keys Escape
tui_keys '?' && sleep 0.5 && shot help && tui_keys Escape
tui_keys ':env' Enter && sleep 0.5 && shot env
has "environments: lab, other, wrong"
ok $? "console: :env lists the environments"
tui_keys ':env other' Enter && sleep 3 && shot env-other
tui_keys ':env wrong' Enter
wait_for 10 sh -c "tmux -L $TMUX_SOCK capture-pane -p -t t | grep -qiE 'password|auth'"
ok $? "console: with the wrong passwords the screen says authentication failed"
shot env-wrong
for p in 1 2 3 4; do tui_keys "$p" && sleep 0.7 && shot "wrong-p$p" && tui_keys Enter && sleep 0.3 && shot "wrong-p$p-detail" && tui_keys Escape; done
tui_keys ':env lab' Enter 1
wait_for 15 sh -c "tmux -L $TMUX_SOCK capture-pane -p -t t | grep -E '^west +ok +streaming' >/dev/null"
ok $? "console: back on :env lab"

# the walker: RB-14, the key typed in at step 2, steps 2-6 run
tui_keys ':rb 14' Enter
wait_for 5 has "RB-14: Check rate limit status"
tui_keys Down Enter
wait_for 30 has "step 1 pass, recorded in run"
tui_keys Enter
wait_for 5 has "step 2 needs api_key:"
ok $? "walker RB-14: step 2 asks for the api_key"
tui_keys "$API_KEY"
sleep 0.3
shot walker-typing
tui_keys Enter
for s in 2 3 4 5 6; do
	[ "$s" -gt 2 ] && tui_keys Enter
	wait_for 30 has "step $s pass, recorded in run"
	ok $? "walker RB-14: step $s passes with the key"
	shot "walker14-$s"
	tui_keys PgDn && sleep 0.3 && shot "walker14-$s-pgdn"
done
tui_keys q
wait_for 5 has "1 Replicas"
# the walker: the fixture that prints the secrets, each step's output on screen
tui_keys ":rb $FIX" Enter
wait_for 5 has "RB-91: Probes that print secrets"
tui_keys Down Enter
wait_for 5 has "step 1 needs api_key:"
tui_keys "$API_KEY" Enter
for s in 1 2 3 4 5 6 7; do
	[ "$s" -gt 1 ] && tui_keys Down Enter
	wait_for 30 sh -c "tmux -L $TMUX_SOCK capture-pane -p -t t | grep -qE 'step $s (pass|fail|error), recorded in run'"
	ok $? "walker RB-91: step $s ran and was recorded"
	tui_keys Up # a step that passed moved the selection on
	sleep 0.3
	[ "$s" -gt 1 ] && { screen | grep -q "Step $s of 7" || tui_keys Down; }
	sleep 0.3
	shot "walker91-$s"
	tui_keys PgDn && sleep 0.3 && shot "walker91-$s-pgdn"
	tui_keys PgDn && sleep 0.3 && shot "walker91-$s-pgdn2"
	tui_keys PgUp PgUp
done
tui_keys q
wait_for 5 has "1 Replicas"
tui_keys q
wait_for 5 has "opsdeck-exit=0"
ok $? "console: q quits with 0"
shot exit
tui_stop

# journal exports again, now with the console's runs and samples
cmd listjson2 --journal "$J" --json journal list
for f in md json csv; do cmd "export-last.$f" --journal "$J" journal export --format "$f" last; done
cmd verify2 --journal "$J" journal verify
is "$(rc verify2)" 0 "the journal verifies after the console's runs"

# --- the journal files and everything opsdeck wrote ------------------------------------------
for db in "$tmp"/j/*.db; do
	sqlite3 "$db" .dump >"$cap/dump-$(basename "$db").sql" 2>&1
	strings -a "$db" >"$cap/strings-$(basename "$db").txt"
done
grep -q 'CREATE TABLE' "$cap/dump-journal.db.sql"
ok $? "sqlite3 .dump of the journal ($(grep -c INSERT "$cap/dump-journal.db.sql") INSERTs)"
new_probe_dirs=$(comm -13 <(echo "$probe_dirs_before") <(ls -d /tmp/opsdeck-probe-* 2>/dev/null | sort) | grep . || true)

# --- the secrets appear nowhere -----------------------------------------------------------------
# searched: $cap (stdout/stderr of every command, every screen, the dumps), the journal files
# (raw), HOME and XDG dirs opsdeck wrote (keys, logs), shell probe dirs left in /tmp
where=("$cap" "$tmp/j" "$tmp/home" "$tmp/xdg-data" "$tmp/xdg-config")
[ -n "$new_probe_dirs" ] && where+=($new_probe_dirs)
diag "searched $(find "${where[@]}" -type f | wc -l) files"
names=(ops-password redis-password api-url-password api-key wrong-password wrong-redis-password)
for i in "${!SECRETS[@]}"; do
	s=${SECRETS[$i]}
	hits=$(grep -rlaF -e "$s" -e "${s:0:8}" -e "${s: -8}" "${where[@]}" 2>/dev/null)
	is "$hits" "" "the ${names[$i]} (nor its first or last 8 characters) appears nowhere"
	[ -z "$hits" ] || grep -raoF -e "$s" -e "${s:0:8}" -e "${s: -8}" $hits | head -5 | sed 's/^/#   /'
done
# the masked form of the key was there all along (the test looked at the right files)
grep -rlaF 'Akey***' "$cap" | grep -q .
ok $? "the key's masked form (Akey***, its first 4 characters) is in the captures"

# ===================================================================== permissions, .pgpass, service
# A config holding a secret (any DSN kind) or a redis.password_file others can read: refused,
# naming the file, the line, the key and the fix; at 0600 accepted.
perm() { # NAME LINE KEY MODE 'config text' : the refusal
	local name=$1 line=$2 key=$3 mode=$4 f=$tmp/perm-$1.ini
	printf '%s\n' "$5" >"$f"
	chmod "$mode" "$f"
	cmd "perm-$name" --config "$f" snapshot --json
	is "$(rc "perm-$name")" 2 "$name at $mode: refused (exit 2)"
	local e
	e=$(cat "$cap/perm-$name.err")
	grep -qF "$f " <<<"$e" && grep -qF "(line $line, key $key)" <<<"$e" && grep -qF "chmod 600 $f" <<<"$e"
	ok $? "$name at $mode: names $f, line $line, key $key and chmod 600"
	[ $? -eq 0 ] || diag "$e"
	chmod 600 "$f"
	cmd "perm-$name-600" --config "$f" snapshot --json
	ok $([ "$(rc "perm-$name-600")" != 2 ] && echo 0 || echo 1) "$name at 600: accepted"
}
perm conninfo 3 primary 644 "; line 1
[lab]
primary = host=127.0.0.1 port=$BASE dbname=ywmessaging user=ops password=$OPS_PW connect_timeout=3"
perm uri 4 replica.east 640 "[lab]
primary = host=127.0.0.1 port=$BASE dbname=ywmessaging user=ops passfile=$LABDIR/secrets/pgpass
; group-readable is refused too
replica.east = postgresql://ops:$OPS_PW@127.0.0.1:$P1/ywmessaging"
perm quoted 2 pgbouncer 604 "[lab]
pgbouncer = host=127.0.0.1 port=$P3 dbname=pgbouncer user=ops password='$OPS_PW'"
perm redis-url 3 redis 644 "[lab]
primary = host=127.0.0.1 port=$BASE dbname=ywmessaging user=ops passfile=$LABDIR/secrets/pgpass
redis = redis://:$REDIS_PW@127.0.0.1:$P4/0"
perm api-url 2 api 644 "[lab]
api = http://opsdeck:$API_PW@127.0.0.1:$P5"
perm global 1 primary 644 "primary = host=127.0.0.1 port=$BASE dbname=ywmessaging user=ops password=$OPS_PW
[lab]
refresh = 2s"
# redis.password_file readable by others (the config itself holds no secret and is 0644)
cp "$LABDIR/secrets/redis.pass" "$tmp/redis.pass" && chmod 644 "$tmp/redis.pass"
printf '[lab]\nredis = redis://127.0.0.1:%s/0\nredis.password_file = %s\n' "$P4" "$tmp/redis.pass" >"$tmp/pwfile.ini"
chmod 644 "$tmp/pwfile.ini"
cmd perm-pwfile --config "$tmp/pwfile.ini" snapshot --json
is "$(rc perm-pwfile)" 2 "redis.password_file at 644: refused (exit 2)"
e=$(cat "$cap/perm-pwfile.err")
grep -qF "$tmp/pwfile.ini:3" <<<"$e" && grep -qF "redis.password_file" <<<"$e" && grep -qF "chmod 600 $tmp/redis.pass" <<<"$e"
ok $? "names $tmp/pwfile.ini:3, redis.password_file and chmod 600 $tmp/redis.pass: $e"
chmod 600 "$tmp/redis.pass"
cmd perm-pwfile-600 --config "$tmp/pwfile.ini" snapshot --json
is "$(jq -r .sources.redis.state "$cap/perm-pwfile-600.out")" up "redis.password_file at 600: accepted, redis up"
# a config without secrets may be world-readable
printf '[lab]\nprimary = host=127.0.0.1 port=%s dbname=ywmessaging user=ops passfile=%s\n' "$BASE" "$LABDIR/secrets/pgpass" >"$tmp/nosecret.ini"
chmod 644 "$tmp/nosecret.ini"
cmd perm-none --config "$tmp/nosecret.ini" snapshot --json
is "$(jq -r .sources.primary.state "$cap/perm-none.out")" up "a config without passwords at 644: accepted (passfile=), primary up"

# ~/.pgpass: no password, no passfile in the config
printf '[lab]\nprimary = host=127.0.0.1 port=%s dbname=ywmessaging user=ops connect_timeout=3\npgbouncer = host=127.0.0.1 port=%s dbname=pgbouncer user=ops connect_timeout=3\n' \
	"$BASE" "$P3" >"$tmp/pgpass.ini"
cmd pgpass-none --config "$tmp/pgpass.ini" snapshot --json
is "$(jq -r .sources.primary.state "$cap/pgpass-none.out")" down "without ~/.pgpass the primary is down (no password from elsewhere)"
cp "$LABDIR/secrets/pgpass" "$tmp/home/.pgpass" && chmod 600 "$tmp/home/.pgpass"
cmd pgpass --config "$tmp/pgpass.ini" snapshot --json
is "$(jq -r '"\(.sources.primary.state) \(.sources.pgbouncer.state)"' "$cap/pgpass.out")" "up up" "~/.pgpass: primary and pgbouncer up"
rm -f "$tmp/home/.pgpass"

# a pg_service.conf service (PGSERVICEFILE): service=NAME in the config, the password in the
# service file (0600) or in a passfile it names
cat >"$tmp/pg_service.conf" <<EOF
[labprimary]
host=127.0.0.1
port=$BASE
dbname=ywmessaging
user=ops
password=$OPS_PW

[labeast]
host=127.0.0.1
port=$P1
dbname=ywmessaging
user=ops
passfile=$LABDIR/secrets/pgpass

[labwest]
host=127.0.0.1
port=$P2
dbname=ywmessaging
user=ops
password=$OPS_PW
EOF
chmod 600 "$tmp/pg_service.conf"
printf '[lab]\nprimary = service=labprimary connect_timeout=3\nreplica.east = service=labeast\nreplica.west = service=labwest\n' >"$tmp/service.ini"
cmd service-none --config "$tmp/service.ini" snapshot --json
ok $([ "$(rc service-none)" != 0 ] || [ "$(jq -r .sources.primary.state "$cap/service-none.out")" != up ] && echo 0 || echo 1) \
	"without PGSERVICEFILE the service is not found"
"${ENV[@]}" PGSERVICEFILE="$tmp/pg_service.conf" "$OPSDECK" --config "$tmp/service.ini" snapshot --json >"$cap/service.out" 2>"$cap/service.err"
is "$(jq -r '[.sources[].state | select(. != "not configured")] | join(" ")' "$cap/service.out")" "up up up" \
	"PGSERVICEFILE: service=NAME for the primary and the replicas (password in the service file or its passfile): all up"
"${ENV[@]}" PGSERVICEFILE="$tmp/pg_service.conf" "$OPSDECK" --config "$tmp/service.ini" --journal "$tmp/j/svc.db" \
	--json run RB-1 --auto >"$cap/service-run.out" 2>"$cap/service-run.err"
is "$(jq -r '[.steps[] | select(.automatic) | .status] | unique | join(" ")' "$cap/service-run.out")" pass \
	"RB-1 through the services: every automatic step passes (SQL on the primary and on each replica)"
hits=$(grep -rlaF -e "$OPS_PW" -e "${OPS_PW:0:8}" "$cap" "$tmp/j" 2>/dev/null)
is "$hits" "" "the service file's password shows nowhere either"
done_testing
