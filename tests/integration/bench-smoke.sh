#!/usr/bin/env bash
# bench/run --smoke: the benchmark harness brings up a private lab of its own, runs opsdeck and
# pg_top side by side for a few seconds, and every figure it reports is a plausible number;
# it takes its lab and tmux servers down again. (The full benchmark is not part of the test run.)
. "$OPSDECK_SRC/tests/lib.sh"
if ! command -v pg_top >/dev/null; then
	skip "pg_top is not installed (apt-get install pgtop)"
	done_testing
	exit
fi
out=$(mktemp -d /tmp/opsdeck-bench-smoke.XXXXXX)
trap 'rm -rf "$out"' EXIT
t0=$SECONDS
"$OPSDECK_SRC/bench/run" --smoke --opsdeck "${OPSDECK_RELEASE:-$OPSDECK}" --out "$out" >"$out/stdout" 2>"$out/stderr"
rc=$?
ok $rc "bench/run --smoke exits 0 ($((SECONDS - t0)) s)"
[ $rc -eq 0 ] || sed 's/^/# /' "$out/stderr" | tail -n 20
grep -q '^CPU of the process' "$out/report.txt" 2>/dev/null
ok $? "it prints the table"
sed 's/^/# /' "$out/report.txt" 2>/dev/null | head -n 12

# every figure numeric and plausible, for both tools
checks=$(/usr/bin/python3 - "$out/run-1.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
def ok(cond, what):  # one line per check: status (0 = pass), a tab, the description
    print("%d\t%s" % (0 if cond else 1, what))
def num(v):
    return isinstance(v, (int, float)) and not isinstance(v, bool)
for t in ("opsdeck", "pg_top"):
    m = r.get(t, {})
    for k in ("cpu_pct", "cpu_ms_per_s", "stmts_per_s_primary", "term_bytes_per_s", "conns_opened_primary"):
        ok(num(m.get(k)) and m[k] >= 0, "%s %s is a number >= 0 (%s)" % (t, k, m.get(k)))
    ok(num(m.get("rss_peak_kb")) and m["rss_peak_kb"] > 1024, "%s peak RSS > 1 MB (%s kB)" % (t, m.get("rss_peak_kb")))
    for k in ("key_p50_ms", "key_p99_ms", "startup_ms"):
        ok(num(m.get(k)) and 0 < m[k] < 3000, "%s %s is between 0 and 3 s (%s)" % (t, k, m.get(k)))
    ok(m.get("alive") is True, "%s was still running at the end of the window" % t)
o = r.get("opsdeck", {})
ok(num(o.get("stmts_per_s_primary")) and o["stmts_per_s_primary"] > 0, "opsdeck sent statements to the primary")
ok(o.get("conns_primary_start") == 1, "opsdeck held one connection to the primary")
for k in ("key_faults_p99_ms", "startup_blackhole_ms", "quit_faults_ms"):
    ok(num(o.get(k)) and 0 < o[k] < 3000, "opsdeck %s is between 0 and 3 s (%s)" % (k, o.get(k)))
PY
)
tap=$?
while IFS=$'\t' read -r status what; do
	[ -n "$status" ] && ok "$status" "$what"
done <<<"$checks"
base=$(sed -n 's/.*lab on port base \([0-9]*\).*/\1/p' "$out/stderr" | head -n 1)
prefix=$(sed -n 's/.*tmux sockets \([^ ]*\)-\*.*/\1/p' "$out/stderr" | head -n 1)
[ -n "$base" ] && [ ! -e "/tmp/opsdeck-lab-$base" ]
ok $? "its private lab ($base) is gone"
[ -n "$prefix" ] && ! pgrep -f -- "$prefix" >/dev/null && ! ls "${TMUX_TMPDIR:-/tmp}/tmux-$(id -u)/" 2>/dev/null | grep -q "^$prefix-"
ok $? "its tmux servers are gone"
[ $tap -eq 0 ]
ok $? "the figures checker ran"
done_testing
