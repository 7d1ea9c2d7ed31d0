#!/usr/bin/env bash
# --read-only refuses every destructive step and every probe that writes (issue 7).
#
# The list comes from the library itself: every fenced block of runbooks/library/*.md and
# runbooks/checklists/*.md whose info string says `destructive` or `writes`, with the step it
# belongs to and its confirmation word. Each such step is tried on a private lab with
#   opsdeck --read-only run FILE --auto --steps N-N --confirm WORD --input ... --manual-hook HOOK
# (the word given, inputs that would really change something, a hook that leaves a mark), and
# must be refused with a message saying read-only. Then nothing on the lab may have changed:
# PgBouncer's running pool size (pgbouncer.ini is edited beforehand, so a RELOAD would show),
# Redis' keys, the rate-limit tiers and the write commands it counted, the partitions, indexes
# and replication slots, pg_is_in_recovery() on the replicas, two sessions RB-21 would end,
# the statements PostgreSQL ran (pg_stat_statements), the replicas running, the archive dir.
# Controls at the end show the detectors see a change when a step does run without
# --read-only; and a manual step's --manual-hook (it acts on hosts) is not run either.
. "$OPSDECK_SRC/tests/lib.sh"
private_lab 30630
tmp=$(mktemp -d)
victims=()
cleanup() {
	local p
	exec 7>&- 8>&-
	for p in "${victims[@]}"; do kill "$p" 2>/dev/null; done
	wait "${victims[@]}" 2>/dev/null
	plab down >/dev/null 2>&1
	rm -rf "$LABDIR"
	[ -n "${KEEP_TMP:-}" ] && echo "# kept $tmp" || rm -rf "$tmp"
}
trap cleanup EXIT

plab_up "$tmp/up.log"
cfg=$(plab env)
od() { OPSDECK_LAB_PORT_BASE=$BASE OPSDECK_LAB_DIR=$LABDIR "$OPSDECK" --config "$cfg" --journal "$tmp/ro.db" "$@"; }
pq() { plab psql "$1" -XqAt -c "$2" 2>&1; }
REDIS() { REDISCLI_AUTH=$(cat "$LABDIR/secrets/redis.pass") redis-cli --no-auth-warning -h 127.0.0.1 -p $((BASE + 4)) "$@"; }

# --- the steps to try, from the library ----------------------------------------------------------
# one line per destructive/writes block: FILE STEP KIND FLAG WORD (WORD '-' when none is needed)
blocks() {
	local f id
	for f in "$OPSDECK_SRC"/runbooks/library/*.md "$OPSDECK_SRC"/runbooks/checklists/*.md; do
		id=$(sed -n 's/^# \([A-Z]*-[A-Za-z0-9-]*\):.*/\1/p' "$f" | head -1)
		awk -v file="$f" -v id="$id" '
			/^### [0-9]+\./ { step = $2; sub(/\.$/, "", step) }
			/^```/ {
				if (fence) { fence = 0; next }
				fence = 1
				info = substr($0, 4)
				if (info !~ /(^| )(destructive|writes)( |$)/) next
				split(info, w, " ")
				flag = info ~ /(^| )destructive( |$)/ ? "destructive" : "writes"
				word = "-"
				if (match(info, /confirm=[^ ]+/)) word = substr(info, RSTART + 8, RLENGTH - 8)
				else if (flag == "destructive") {
					# the default word (runbooks/README.md): the target as written, redis, api,
					# local for a shell probe without one, the runbook ID for a text block
					target = ""
					if (match(info, /target=[^ ]+/)) target = substr(info, RSTART + 7, RLENGTH - 7)
					if (w[1] == "text") word = id
					else if (target != "") word = target
					else if (w[1] == "redis") word = "redis"
					else if (w[1] == "http") word = "api"
					else word = "local"
				}
				print file, step, w[1], flag, word
			}' "$f"
	done
}
blocks >"$tmp/blocks"
want=$(cat "$OPSDECK_SRC"/runbooks/library/*.md "$OPSDECK_SRC"/runbooks/checklists/*.md | grep -cE '^```[a-z]+ .*\b(destructive|writes)\b')
n_blocks=$(wc -l <"$tmp/blocks")
is "$n_blocks" "$want" "every destructive/writes block of the library and the checklists is listed ($n_blocks)"
ok $([ "$n_blocks" -ge 30 ] && echo 0 || echo 1) "at least 30 of them"
diag "$(awk '{sub(".*/", "", $1); printf "%s:%s(%s %s) ", $1, $2, $3, $4}' "$tmp/blocks")"

# inputs that would really change something if the step ran
OLD=$(pq primary "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
	WHERE i.inhparent = 'conversation_message'::regclass AND c.relname ~ '_[0-9]{4}_[0-9]{2}$' ORDER BY 1 LIMIT 1")
mkdir -p "$tmp/archive"
declare -A IN=(
	[RB-13]="pattern=cache:user:*"
	[RB-14]="api_key=ro_test_key_1"
	[RB-15]="api_key=ro_test_key_1 tier=enterprise"
	[RB-18]="partition=$OLD archive_dir=$tmp/archive"
	[RB-19]="partition=$OLD dump_file=$tmp/archive/$OLD.dump"
	[RB-2]="replica=east"
	[RB-21]="idle_for=1s running_for=1s"
	[RB-22]="replica=east slot=replica_1_slot"
	[RB-3]="replica=east slot=replica_1_slot"
	[RB-4]="replica=east"
	[RB-6]="pool_size=17"
	[RB-9]="table=users columns=tier value=pro index_name=idx_ro_test"
	[W3-4]="replica=east"
	[W7]="warm_pattern=users:* list_cache=users:list:all free_api_key=ro_free_key_1 pro_api_key=ro_pro_key_1"
)
cat >"$tmp/hook" <<EOF
#!/bin/sh
# a manual step done: leaves a mark
touch "$tmp/hook-ran.\$OPSDECK_RUNBOOK.\$OPSDECK_STEP"
EOF
chmod +x "$tmp/hook"

# --- what must not change ------------------------------------------------------------------------
# things a refused step would have changed: keys in Redis, a RELOAD picking up the edited
# pgbouncer.ini, sessions RB-21 ends
for i in $(seq 20); do echo "SET cache:user:$i u$i EX 3600"; done | REDIS >/dev/null
plab bouncer set default_pool_size 17 >/dev/null
psql_as() { PGPASSFILE=$LABDIR/secrets/pgpass psql -X "host=127.0.0.1 port=$BASE dbname=ywmessaging user=ops application_name=$1"; }
mkfifo "$tmp/idle.in" "$tmp/busy.in" # each session lives while its fifo is open (fd 7, 8)
psql_as ro_victim_idle <"$tmp/idle.in" >/dev/null 2>&1 &
victims+=($!)
psql_as ro_victim_busy <"$tmp/busy.in" >/dev/null 2>&1 &
victims+=($!)
exec 7>"$tmp/idle.in" 8>"$tmp/busy.in"
echo "BEGIN; SELECT 1;" >&7
echo "BEGIN; SELECT pg_sleep(300);" >&8
victims_up() { [ "$(pq primary "SELECT count(*) FROM pg_stat_activity WHERE application_name LIKE 'ro_victim%'
	AND state IN ('idle in transaction', 'active')")" = 2 ]; }
wait_for 10 victims_up
ok $? "two sessions RB-21 would end (idle in transaction, a long transaction)"
sleep 1.5 # older than the 1s RB-21 is given

writes_re='pg_current_xact_id|pg_promote|pg_terminate_backend|pg_cancel_backend|pg_drop_replication_slot|detach partition|attach partition|create index|drop table|drop index'
state() {
	echo "pgbouncer default_pool_size (running): $(pq admin 'SHOW CONFIG' | awk -F'|' '$1 == "default_pool_size" {print $2}')"
	echo "pgbouncer ywmessaging pool_size (running): $(plab psql admin -XqA -F, -c 'SHOW DATABASES' | awk -F, 'NR == 1 {for (i = 1; i <= NF; i++) c[$i] = i} $1 == "ywmessaging" {print $c["pool_size"]}')"
	echo "pgbouncer.ini default_pool_size: $(plab bouncer get default_pool_size)"
	echo "redis keys: $(REDIS DBSIZE)"
	echo "redis cache:user:* keys: $(REDIS --scan --pattern 'cache:user:*' | wc -l)"
	echo "redis ratelimit:tiers: $(REDIS HGETALL ratelimit:tiers | paste -sd' ')"
	echo "redis ratelimit keys: $(REDIS --scan --pattern 'ratelimit:*' | sort | paste -sd' ')"
	echo "redis write commands: $(REDIS INFO commandstats | tr -d '\r' | grep -E '^cmdstat_(flushdb|flushall|unlink|del|hset|hdel|hmset|incr|incrby|set|setex|expire|rename|config)[:]' | sed 's/,usec=.*//' | paste -sd' ')"
	echo "partitions: $(pq primary "SELECT string_agg(c.relname, ' ' ORDER BY c.relname) FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = 'conversation_message'::regclass")"
	echo "tables: $(pq primary "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'")"
	echo "indexes: $(pq primary "SELECT string_agg(indexname, ' ' ORDER BY indexname) FROM pg_indexes WHERE schemaname = 'public' AND tablename NOT LIKE 'conversation_message_%'")"
	echo "users: $(pq primary 'SELECT count(*) FROM users')"
	echo "slots: $(pq primary "SELECT string_agg(slot_name, ' ' ORDER BY slot_name) FROM pg_replication_slots")"
	echo "primary in recovery: $(pq primary 'SELECT pg_is_in_recovery()')"
	echo "east in recovery: $(pq east 'SELECT pg_is_in_recovery()')"
	echo "west in recovery: $(pq west 'SELECT pg_is_in_recovery()')"
	echo "east replay paused: $(pq east 'SELECT pg_is_wal_replay_paused()')"
	echo "RB-21's sessions: $(pq primary "SELECT string_agg(application_name, ' ' ORDER BY application_name) FROM pg_stat_activity WHERE application_name LIKE 'ro_victim%'")"
	echo "writing statements run: primary $(pq primary "SELECT count(*) FROM pg_stat_statements WHERE query ~* '$writes_re'") east $(pq east "SELECT count(*) FROM pg_stat_statements WHERE query ~* '$writes_re'")"
	echo "servers: $(plab status | awk '$1 ~ /^(primary|east|west|pgbouncer|redis|api)$/ {printf "%s=%s ", $1, $2}')"
	echo "archive dir: $(ls -A "$tmp/archive" | paste -sd' ')"
	echo "lab archive: $(plab archive list 2>/dev/null | paste -sd' ')"
}
state >"$tmp/before"

# --- each step, refused ------------------------------------------------------------------------------
t0=$SECONDS
awk '{print $1, $2}' "$tmp/blocks" | uniq >"$tmp/steps"
while read -r file step; do
	name=$(basename "$file" .md)
	what=$(awk -v f="$file" -v s="$step" '$1 == f && $2 == s {printf "%s%s %s", n++ ? ", " : "", $3, $4}' "$tmp/blocks")
	args=(--steps "$step-$step" --manual-hook "$tmp/hook")
	for w in $(awk -v f="$file" -v s="$step" '$1 == f && $2 == s && $5 != "-" {print $5}' "$tmp/blocks" | sort -u); do
		args+=(--confirm "$w")
	done
	read -ra ins <<<"${IN[$name]:-}"
	for i in "${ins[@]}"; do args+=(--input "$i"); done
	out=$tmp/$name.$step.json
	od --read-only --json run "$file" --auto "${args[@]}" >"$out" 2>"$tmp/$name.$step.err"
	rc=$?
	got=$(jq -r --argjson n "$step" '.steps[] | select(.step == $n) | "\(.status): \(.summary // "")"' "$out" 2>/dev/null)
	case $got in
	pending:*read-only*) ok 0 "$name step $step ($what): refused: ${got#pending: }" ;;
	*)
		ok 1 "$name step $step ($what): refused with a message saying read-only"
		diag "got '$got', exit $rc; $(head -c 300 "$tmp/$name.$step.err")"
		;;
	esac
	[ "$rc" -ne 2 ] || diag "$name step $step: exit 2: $(head -3 "$tmp/$name.$step.err")"
	[ ! -e "$tmp/hook-ran.$name.$step" ] && [ ! -e "$tmp/hook-ran.CL-$name.$step" ]
	ok $? "$name step $step: the manual hook did not run"
done <"$tmp/steps"
diag "$(wc -l <"$tmp/steps") steps tried in $((SECONDS - t0)) s"

# the text output says it too
od --read-only run RB-13 --auto --input 'pattern=cache:user:*' --confirm UNLINK --steps 4-4 >"$tmp/text.out" 2>&1
grep -q 'read-only: step 4 is destructive' "$tmp/text.out"
ok $? "text output: $(grep -m1 -o 'read-only: step 4[^;]*' "$tmp/text.out")"
# and the whole runbook, every step asked for: the read-only steps run, the others are refused
od --read-only --json run RB-13 --auto --input 'pattern=cache:user:*' --confirm UNLINK --confirm FLUSHDB >"$tmp/rb13.json" 2>&1
is "$(jq -r '[.steps[] | select(.step == 4 or .step == 5) | .status] | join(" ")' "$tmp/rb13.json")" "pending pending" \
	"RB-13 run whole with its words: steps 4 and 5 (UNLINK, FLUSHDB) refused"
is "$(jq -r '.steps[] | select(.step == 1) | .status' "$tmp/rb13.json")" pass "and step 1 (read-only) ran"

# --- nothing changed --------------------------------------------------------------------------------
sleep 1
state >"$tmp/after"
diff "$tmp/before" "$tmp/after" >"$tmp/diff"
ok $? "nothing changed on the lab ($(wc -l <"$tmp/before") things compared)"
sed 's/^/#   /' "$tmp/diff"
sed 's/^/#   /' "$tmp/before" | cut -c1-200

# --- a manual step's hook acts on the hosts: not under --read-only --------------------------------
# RB-6 step 3 (edit pgbouncer.ini) is a manual step, neither destructive nor writes; with
# lab/rb-hook it really edits the file.
od --read-only --json run RB-6 --auto --input pool_size=23 --steps 3-3 --manual-hook "$OPSDECK_SRC/lab/rb-hook" \
	>"$tmp/hook6.json" 2>"$tmp/hook6.err"
is "$(plab bouncer get default_pool_size)" 17 "--read-only with --manual-hook: RB-6 step 3's hook did not edit pgbouncer.ini"
s=$(jq -r '.steps[] | select(.step == 3) | "\(.status): \(.summary // "")"' "$tmp/hook6.json")
case $s in pending:*read-only*) ok 0 "RB-6 step 3 refused: $s" ;; *) ok 1 "RB-6 step 3 refused with a message saying read-only (got '$s')" ;; esac

# --- controls: without --read-only the detectors see the change -------------------------------------
file_size=$(plab bouncer get default_pool_size)
od --json run RB-6 --auto --input "pool_size=$file_size" --steps 4-4 >"$tmp/ctl6.json" 2>&1
is "$(pq admin 'SHOW CONFIG' | awk -F'|' '$1 == "default_pool_size" {print $2}')" "$file_size" \
	"control: RB-6 step 4 (RELOAD) without --read-only: PgBouncer now runs with the file's $file_size (was 10)"
od --json run RB-14 --auto --input api_key=ro_test_key_1 --steps 6-6 >"$tmp/ctl14.json" 2>&1
REDIS --scan --pattern 'ratelimit:*:ro_test_key_1:*' | grep -q .
ok $? "control: RB-14 step 6 without --read-only: the request was counted in Redis"
done_testing
