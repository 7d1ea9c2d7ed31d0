#!/usr/bin/python3
"""bench/lib/measure.py — one run of the side-by-side benchmark, and the report over runs.

  measure.py run --lab-dir D --base B --bench-dir W --opsdeck BIN --out FILE.json
                 [--tools opsdeck,pg_top,pg_activity] [--window S] [--keys N] [--no-faults]
                 [--order-shift K]
  measure.py report FILE.json... [--markdown] [--check]

`run` starts every tool in a tmux server of its own (160x45) one after the other, timing each
start-up to its first complete frame; then, with all of them running, measures a window of
S seconds (CPU from /proc, terminal bytes from pipe-pane, statements from pg_stat_statements
by role, connections from /proc/net/tcp, pg_stat_activity and PgBouncer's SHOW CLIENTS); then
N key presses per tool; then, for opsdeck alone, N key presses with one replica frozen
(SIGSTOP) and the other stopped (connection refused), and a start-up with a replica
blackholed. Figures go to FILE.json. `report` prints medians and the table.
"""
import argparse
import json
import os
import random
import re
import signal
import socket
import statistics
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import procstat  # noqa: E402
from tmuxctl import Tmux  # noqa: E402

COLS, ROWS = 160, 45
ESC = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")
SOURCES = ("primary", "east", "west", "pgbouncer", "redis", "api")
PANELS = ("replicas", "pools", "cache", "ratelimits", "partitions")  # keys 1-5


def plain(text):
    return ESC.sub("", text)


def dot_colours(text_e):
    """opsdeck's header: the SGR colour of the dot before each source name (32 green = up,
    33 yellow = connecting, anything else = down)."""
    first = text_e.split("\n", 1)[0]
    out = {}
    for m in re.finditer(r"((?:\x1b\[[0-9;]*m)*)\u25cf((?:\x1b\[[0-9;]*m)*)([a-z0-9_.-]+)", first):
        codes = re.findall(r"\x1b\[([0-9;]*)m", m.group(1))
        fg = [c for c in ";".join(codes).split(";") if c in ("31", "32", "33", "37", "39")]
        out[m.group(3)] = fg[-1] if fg else "?"
    return out


def row(text, name):
    for line in text.split("\n"):
        if line.startswith(name + " "):
            return line
    return ""


# ------------------------------------------------------------------ the tools --
def opsdeck_ready(text_e, blackholed=None):
    """Every source has answered (green dot), both replica rows and the health strip show data;
    with a blackholed replica: that one's dot is yellow (connecting) and everything else is in."""
    dots = dot_colours(text_e)
    t = plain(text_e)
    if set(SOURCES) - set(dots):
        return False
    for s in SOURCES:
        want = "33" if s == blackholed else "32"
        if dots[s] != want:
            return False
    for r in ("east", "west"):
        if r != blackholed and not re.match(r + r" +ok +streaming", row(t, r)):
            return False
    return "API healthy" in t and re.search(r"data (<1s|\d)", t) is not None  # "<1s": ages in whole seconds


def pg_top_ready(text_e):
    t = plain(text_e)
    return "PID USERNAME" in t and "postgres:" in t and "processes:" in t


def pg_activity_ready(text_e):
    t = plain(text_e)
    return "RUNNING QUERIES" in t and "Global:" in t and re.search(r"^PID +DATABASE", t, re.M) is not None


def tool_specs(a):
    pgpass = os.path.join(a.bench_dir, "pgpass")
    env = "exec env TERM=xterm-256color LANG=C.UTF-8 LC_ALL=C.UTF-8 PGPASSFILE=%s " % pgpass
    return {
        "opsdeck": dict(
            cmd=env + "%s --config %s --journal %s" % (a.opsdeck, os.path.join(a.bench_dir, "opsdeck.ini"),
                                                       os.path.join(a.bench_dir, "journal-console.db")),
            ready=opsdeck_ready, role="bench_opsdeck", open="?", close="x",
            help="Keys (any key closes this help)", main="REPLICA"),
        "pg_top": dict(
            cmd=env + "pg_top -s 1 -h 127.0.0.1 -p %d -U bench_pg_top -d ywmessaging" % a.base,
            ready=pg_top_ready, role="bench_pg_top", open="h", close="x",
            help="These single-character commands are available", main="PID USERNAME"),
        "pg_top_trust": dict(
            cmd=env + "pg_top -s 1 -h %s -p %d -U bench_pg_top_trust -d ywmessaging" % (
                os.path.join(a.lab_dir, "run"), a.base),
            ready=pg_top_ready, role="bench_pg_top_trust", open="h", close="x",
            help="These single-character commands are available", main="PID USERNAME"),
        "pg_activity": dict(
            cmd=env + "pg_activity --refresh 1 -h 127.0.0.1 -p %d -U bench_pg_activity -d ywmessaging" % a.base,
            ready=pg_activity_ready, role="bench_pg_activity", open="h", close="x",
            help="Press any key to exit.", main="RUNNING QUERIES"),
    }


# ------------------------------------------------------------ the servers' view --
class Servers:
    """psycopg2 connections as the superuser (unix socket) and as ops to PgBouncer's console;
    their own statements run as postgres/ops, so the per-role figures never include them."""

    def __init__(self, a):
        import psycopg2
        self.pg = psycopg2
        self.a = a
        self.conns = {}

    def _conn(self, name):
        c = self.conns.get(name)
        if c is None or c.closed:
            a = self.a
            if name == "pgbouncer":
                dsn = "host=127.0.0.1 port=%d dbname=pgbouncer user=ops passfile=%s connect_timeout=3" % (
                    a.base + 3, os.path.join(a.lab_dir, "secrets", "pgpass"))
            else:
                port = a.base + {"primary": 0, "east": 1, "west": 2}[name]
                dsn = "host=%s port=%d dbname=ywmessaging user=postgres connect_timeout=3 " \
                      "options='-c statement_timeout=3000'" % (os.path.join(a.lab_dir, "run"), port)
            c = self.pg.connect(dsn)
            c.autocommit = True
            self.conns[name] = c
        return c

    def query(self, name, sql):
        cur = self._conn(name).cursor()
        cur.execute(sql)
        return cur.fetchall() if cur.description else []

    def statements(self, node):
        """calls per bench role (pg_stat_statements) and the entries evicted so far."""
        rows = self.query(node, "SELECT r.rolname, sum(s.calls)::bigint FROM pg_stat_statements s "
                                "JOIN pg_roles r ON r.oid = s.userid WHERE r.rolname LIKE 'bench\\_%' OR r.rolname = 'ops' "
                                "GROUP BY 1")
        dealloc = self.query(node, "SELECT dealloc FROM pg_stat_statements_info")[0][0]
        return {r: int(n) for r, n in rows}, int(dealloc)

    def backends(self, node):
        rows = self.query(node, "SELECT usename, pid FROM pg_stat_activity WHERE usename LIKE 'bench\\_%' "
                                "AND backend_type = 'client backend'")
        out = {}
        for u, pid in rows:
            out.setdefault(u, set()).add(pid)
        return out

    def redis_calls(self):
        """Commands Redis has run (INFO commandstats)."""
        try:
            import redis
            if "redis" not in self.conns:
                pw = open(os.path.join(self.a.lab_dir, "secrets", "redis.pass")).read().strip()
                self.conns["redis"] = redis.Redis(host="127.0.0.1", port=self.a.base + 4, password=pw,
                                                  socket_timeout=3)
            stats = self.conns["redis"].info("commandstats")
            return sum(v["calls"] for v in stats.values())
        except Exception:  # noqa: BLE001 — a figure of the environment, not of the tools
            return None

    def bouncer_clients(self):
        """(addr, port) of every client of PgBouncer, admin console included."""
        cur = self._conn("pgbouncer").cursor()
        cur.execute("SHOW CLIENTS")
        cols = [d[0] for d in cur.description]
        return [(r[cols.index("addr")], int(r[cols.index("port")])) for r in cur.fetchall()]

    def close(self):
        for c in self.conns.values():
            try:
                c.close()
            except Exception:  # noqa: BLE001 — closing after a freeze may fail; nothing to do
                pass


# ----------------------------------------------------------------------- a run --
def lab(a, *args):
    env = dict(os.environ, OPSDECK_LAB_PORT_BASE=str(a.base), OPSDECK_LAB_DIR=a.lab_dir)
    subprocess.run([os.path.join(a.src, "lab", "lab"), *args], env=env, check=True, stdout=subprocess.DEVNULL,
                   timeout=120)


def conns_by_port(pid, base):
    """This process's connections to the lab: {source: set of local ports}."""
    names = {base + i: s for i, s in enumerate(SOURCES)}
    out = {}
    for local, remote in procstat.tcp_connections(pid):
        if remote in names:
            out.setdefault(names[remote], set()).add(local)
    return out


def key_latencies(tm, spec, n, rng):
    """n presses alternating open/close of the help screen; ms from send-keys to the capture
    that shows the change. A press that shows nothing within 3 s counts as 3000."""
    lat = []
    for i in range(n):
        time.sleep(rng.uniform(0.15, 0.45))  # not in phase with any refresh timer
        opening = i % 2 == 0
        if opening:
            pred = lambda t: spec["help"] in t  # noqa: E731
        else:
            pred = lambda t: spec["help"] not in t and spec["main"] in t  # noqa: E731
        t0 = time.monotonic_ns()
        tm.keys(spec["open"] if opening else spec["close"])
        t1 = tm.wait_screen(pred, 3.0)
        lat.append(3000.0 if t1 is None else (t1 - t0) / 1e6)
    if spec["help"] in tm.capture():  # never leave a help screen open
        tm.keys(spec["close"])
    return lat


def pct(v, q):
    if not v:
        return None
    s = sorted(v)
    k = (len(s) - 1) * q
    lo = int(k)
    hi = min(lo + 1, len(s) - 1)
    return s[lo] + (s[hi] - s[lo]) * (k - lo)


def blackhole(port):
    """A listener that never accepts: the kernel completes the handshake, then nothing answers."""
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("127.0.0.1", port))
    s.listen(128)
    return s


def run(a):
    rng = random.Random(a.seed)
    specs = tool_specs(a)
    tools = a.tools.split(",")
    k = a.order_shift % len(tools)
    order = tools[k:] + tools[:k]  # start-up order rotates between runs
    res = {t: {} for t in tools}
    res["_meta"] = {"window_s": a.window, "keys": a.keys, "order": order, "started": time.time()}
    tms = {}
    pids = {}
    srv = Servers(a)
    try:
        for t in order:
            tm = Tmux("%s-%s" % (a.sock_prefix, t), COLS, ROWS, os.path.join(a.bench_dir, "pipe-%s.out" % t))
            tms[t] = tm
            tm.start()
            t0, pid = tm.respawn(specs[t]["cmd"])
            pids[t] = pid
            t1 = tm.wait_screen(specs[t]["ready"], 20.0, escapes=True, poll_s=0.003)
            res[t]["startup_ms"] = None if t1 is None else (t1 - t0) / 1e6
            res[t]["startup_first_output_ms"] = (tm.first_output_after(t0) - t0) / 1e6 \
                if tm.first_output_after(t0) else None
            if t1 is None:
                res[t]["startup_screen"] = plain(tm.capture())
            open(tm.pipe_file, "wb").close()
            tm.pipe_on()
        time.sleep(2.0)  # past start-up: connections made, first slow polls done

        # ---- the window
        logs = {n: os.path.join(a.lab_dir, "log", n + ".log") for n in ("primary", "east", "west")}
        api_log = os.path.join(a.lab_dir, "log", "api.log")

        def snap():
            s = {"ticks": {}, "ns": {}, "pipe": {}, "conns": {}, "outputs": {}, "t": time.monotonic()}
            for t in tools:
                s["ticks"][t] = procstat.cpu_ticks(pids[t])
                s["ns"][t] = procstat.cpu_ns(pids[t])
                s["pipe"][t] = os.path.getsize(tms[t].pipe_file)
                s["outputs"][t] = tms[t].outputs
                s["conns"][t] = conns_by_port(pids[t], a.base)
            s["stmts"] = {n: srv.statements(n) for n in ("primary", "east", "west")}
            s["backends"] = srv.backends("primary")
            s["bouncer"] = srv.bouncer_clients()
            s["logs"] = {n: os.path.getsize(f) for n, f in logs.items()}
            s["api_log"] = os.path.getsize(api_log)
            s["redis_calls"] = srv.redis_calls()
            return s

        A = snap()
        seen_ports = {t: {} for t in tools}
        seen_backends = {}
        sec_cpu = []  # opsdeck's CPU per second (schedstat), for the worst refresh
        last_ns, last_t = A["ns"].get("opsdeck"), A["t"]
        while time.monotonic() - A["t"] < a.window:
            time.sleep(0.25)
            for t in tools:
                for src, ports in conns_by_port(pids[t], a.base).items():
                    seen_ports[t].setdefault(src, set()).update(ports)
            for u, ps in srv.backends("primary").items():
                seen_backends.setdefault(u, set()).update(ps)
            if "opsdeck" in tools and time.monotonic() - last_t >= 1.0:
                ns, now = procstat.cpu_ns(pids["opsdeck"]), time.monotonic()
                sec_cpu.append((ns - last_ns) / 1e6 / (now - last_t))
                last_ns, last_t = ns, now
        B = snap()
        dt = B["t"] - A["t"]
        # connections opened during the window, per role and node (log_connections)
        opened = {}
        for n, f in logs.items():
            with open(f, "rb") as fh:
                fh.seek(A["logs"][n])
                chunk = fh.read(B["logs"][n] - A["logs"][n]).decode("utf-8", "replace")
            for m in re.finditer(r"connection authorized: user=(\S+)", chunk):
                opened.setdefault(m.group(1), {}).setdefault(n, 0)
                opened[m.group(1)][n] += 1
        with open(api_log, "rb") as fh:
            fh.seek(A["api_log"])
            api_requests = fh.read(B["api_log"] - A["api_log"]).count(b"\n")
        for t in tools:  # the window's terminal output, kept for analysis
            with open(tms[t].pipe_file, "rb") as fh:
                fh.seek(A["pipe"][t])
                data = fh.read(B["pipe"][t] - A["pipe"][t])
            with open(os.path.join(a.bench_dir, "window-%s.out" % t), "wb") as fh:
                fh.write(data)
        for t in tools:
            r = res[t]
            role = specs[t]["role"]
            r["cpu_pct"] = 100.0 * (B["ticks"][t] - A["ticks"][t]) / procstat.CLK_TCK / dt
            r["cpu_ms_per_s"] = (B["ns"][t] - A["ns"][t]) / 1e6 / dt
            r["term_bytes_per_s"] = (B["pipe"][t] - A["pipe"][t]) / dt
            r["term_writes_per_s"] = (B["outputs"][t] - A["outputs"][t]) / dt
            for n in ("primary", "east", "west"):
                r["conns_opened_" + n] = opened.get(role, {}).get(n, 0)
            p = B["stmts"]["primary"]
            r["stmts_per_s_primary"] = (p[0].get(role, 0) - A["stmts"]["primary"][0].get(role, 0)) / dt
            for n in ("east", "west"):
                r["stmts_per_s_" + n] = (B["stmts"][n][0].get(role, 0) - A["stmts"][n][0].get(role, 0)) / dt
            r["pgss_evicted"] = sum(B["stmts"][n][1] - A["stmts"][n][1] for n in ("primary", "east", "west"))
            r["primary_backends_start"] = len(A["backends"].get(role, ()))
            r["primary_backends_end"] = len(B["backends"].get(role, ()))
            r["primary_backends_seen"] = len(seen_backends.get(role, set()) | A["backends"].get(role, set())
                                             | B["backends"].get(role, set()))
            for src in SOURCES:
                ports_a = A["conns"][t].get(src, set())
                ports_b = B["conns"][t].get(src, set())
                if ports_a or ports_b or seen_ports[t].get(src):
                    r["conns_%s_start" % src] = len(ports_a)
                    r["conns_%s_end" % src] = len(ports_b)
                    r["conns_%s_seen" % src] = len(seen_ports[t].get(src, set()) | ports_a | ports_b)
            bports_a = A["conns"][t].get("pgbouncer", set())
            bports_b = B["conns"][t].get("pgbouncer", set())
            r["bouncer_clients_start"] = sum(1 for _, port in A["bouncer"] if port in bports_a)
            r["bouncer_clients_end"] = sum(1 for _, port in B["bouncer"] if port in bports_b)
        # load on the lab as a whole (the lab's load is off: the API's own probes, and what
        # it does for the requests opsdeck sends, are the rest)
        res["_lab"] = {
            "stmts_per_s_primary_ops": (B["stmts"]["primary"][0].get("ops", 0) -
                                        A["stmts"]["primary"][0].get("ops", 0)) / dt,
            "api_requests_per_s": api_requests / dt,
            "redis_calls_per_s": None if A["redis_calls"] is None or B["redis_calls"] is None else
            (B["redis_calls"] - A["redis_calls"] - 1) / dt,  # less the INFO of the first snapshot
        }
        if "opsdeck" in tools:
            res["opsdeck"]["cpu_ms_per_refresh"] = res["opsdeck"]["cpu_ms_per_s"] * a.refresh_s
            res["opsdeck"]["cpu_ms_worst_second"] = max(sec_cpu) if sec_cpu else None

        # ---- keys
        for t in order:
            lat = key_latencies(tms[t], specs[t], a.keys, rng)
            res[t]["key_ms"] = lat
            res[t]["key_p50_ms"] = pct(lat, 0.5)
            res[t]["key_p99_ms"] = pct(lat, 0.99)
        for t in tools:
            st = procstat.status(pids[t])
            res[t].update(procstat.smaps(pids[t]))
            res[t]["rss_peak_kb"] = st["VmHWM"]
            res[t]["rss_now_kb"] = st["VmRSS"]
            res[t]["alive"] = procstat.alive(pids[t])

        # ---- opsdeck alone: CPU per refresh with each panel in front (poll of all + render of one)
        if "opsdeck" in tools and a.sweep > 0:
            tm, pid = tms["opsdeck"], pids["opsdeck"]
            for i, name in enumerate(PANELS, 1):
                tm.keys(str(i))
                time.sleep(1.2)
                ns0, t0 = procstat.cpu_ns(pid), time.monotonic()
                worst, last_ns, last_t = 0.0, ns0, t0
                while time.monotonic() - t0 < a.sweep:
                    time.sleep(1.0)
                    ns, now = procstat.cpu_ns(pid), time.monotonic()
                    worst = max(worst, (ns - last_ns) / 1e6 / (now - last_t))
                    last_ns, last_t = ns, now
                res["opsdeck"]["cpu_ms_per_refresh_" + name] = \
                    (last_ns - ns0) / 1e6 / (last_t - t0) * a.refresh_s
                res["opsdeck"]["cpu_ms_worst_s_" + name] = worst
            tm.keys("1")
            time.sleep(0.5)

        # ---- opsdeck alone: one replica frozen, the other unreachable
        if "opsdeck" in tools and a.faults:
            srv.close()
            tm, spec = tms["opsdeck"], specs["opsdeck"]
            lab(a, "fault", "freeze", "west")
            lab(a, "fault", "replica-stop", "east")
            try:
                time.sleep(1.5)
                lat = key_latencies(tm, spec, a.keys, rng)
                res["opsdeck"]["key_faults_ms"] = lat
                res["opsdeck"]["key_faults_p50_ms"] = pct(lat, 0.5)
                res["opsdeck"]["key_faults_p99_ms"] = pct(lat, 0.99)
                scr = plain(tm.capture())
                res["opsdeck"]["faults_rows"] = [row(scr, "east").strip(), row(scr, "west").strip()]
                # q must still quit at once
                t0 = time.monotonic_ns()
                tm.keys("q")
                while procstat.alive(pids["opsdeck"]) and time.monotonic_ns() - t0 < 3e9:
                    time.sleep(0.002)
                res["opsdeck"]["quit_faults_ms"] = (time.monotonic_ns() - t0) / 1e6
            finally:
                lab(a, "fault", "freeze", "west", "off")
                lab(a, "fault", "replica-stop", "east", "off")

        # ---- opsdeck start-up with a replica blackholed
        if "opsdeck" in tools and a.faults:
            cfg = open(os.path.join(a.bench_dir, "opsdeck.ini")).read()
            hole_port = a.base + 7
            cfg = re.sub(r"(replica\.west\s*=.*port=)\d+", r"\g<1>%d" % hole_port, cfg)
            path = os.path.join(a.bench_dir, "opsdeck-blackhole.ini")
            with open(path, "w") as f:
                f.write(cfg)
            os.chmod(path, 0o600)
            hole = blackhole(hole_port)
            try:
                tm = tms["opsdeck"]
                cmd = specs["opsdeck"]["cmd"].replace(os.path.join(a.bench_dir, "opsdeck.ini"), path)
                t0, pid = tm.respawn(cmd)
                t1 = tm.wait_screen(lambda x: opsdeck_ready(x, "west"), 10.0, escapes=True, poll_s=0.003)
                res["opsdeck"]["startup_blackhole_ms"] = None if t1 is None else (t1 - t0) / 1e6
                res["opsdeck"]["blackhole_row"] = row(plain(tm.capture()), "west").strip()
                tm.keys("q")
            finally:
                hole.close()
    finally:
        srv.close()
        for tm in tms.values():
            tm.close()
    with open(a.out, "w") as f:
        json.dump(res, f, indent=1, default=sorted)
    return 0


# -------------------------------------------------------------------- report --
# figure, label, unit format, target text, check(opsdeck value, others) -> True/False/None
def _le_ratio(key, lim):
    def f(v, o):
        if v is None or o.get(key) is None:
            return None
        return v <= o[key] * lim
    return f


def _cpu_met(v, o, top, act, trust):
    if v is None or o.get(top) is None:
        return None
    met = v <= o[top] and (o.get(act) is None or v <= o[act] / 5)
    if met and o.get(trust) is not None and v > o[trust]:
        return "NO: only vs pg_top's SCRAM reconnects"
    return met


def _lt(lim):
    return lambda v, o: None if v is None else v < lim


def _le(lim):
    return lambda v, o: None if v is None else v <= lim


def _const(prefix):
    return lambda v, o: None if v is None else o["_self"].get(prefix + "_start") == o["_self"].get(prefix + "_end")


def _no_churn(src):
    def f(v, o):
        s = o["_self"]
        if s.get("conns_%s_seen" % src) is None:
            return None
        return s["conns_%s_seen" % src] == s["conns_%s_start" % src] == s["conns_%s_end" % src]
    return f


FIGURES = [
    ("cpu_pct", "CPU of the process, % of a core (utime+stime)", "%.3f",
     "<= pg_top, <= 1/5 pg_activity", lambda v, o: _cpu_met(v, o, "pg_top", "pg_activity", "pg_top_trust")),
    ("cpu_ms_per_s", "CPU ms per second (schedstat, finer)", "%.2f", "(same)",
     lambda v, o: _cpu_met(v, o, "pg_top_ns", "pg_activity_ns", "pg_top_trust_ns")),
    ("rss_peak_kb", "peak RSS, MB (VmHWM)", "mb", "<= 12 MB", _le(12 * 1024)),
    ("rss_anon_kb", "  of it anonymous (heap, stacks), MB", "mb", "", lambda v, o: None),
    ("rss_file_kb", "  of it mapped files (shared libraries), MB", "mb", "", lambda v, o: None),
    ("pss_kb", "PSS (shared pages divided among their users), MB", "mb", "", lambda v, o: None),
    ("stmts_per_s_primary", "statements/s to the primary", "%.2f", "<= 3", _le(3.0)),
    ("stmts_per_s_east", "statements/s to replica east", "%.2f", "1 per refresh", _le(1.05)),
    ("primary_backends_seen", "backends on the primary seen in the window", "%d", "constant",
     lambda v, o: None if v is None else v == o["_self"].get("primary_backends_start") == o["_self"].get(
         "primary_backends_end")),
    ("conns_opened_primary", "connections opened to the primary in the window", "%d", "0 (no churn)", _le(0)),
    ("conns_opened_east", "connections opened to replica east in the window", "%d", "0 (no churn)", _le(0)),
    ("conns_primary_seen", "TCP connections to primary (distinct in window)", "%d", "no churn", _no_churn("primary")),
    ("conns_east_seen", "TCP connections to east (distinct)", "%d", "no churn", _no_churn("east")),
    ("conns_pgbouncer_seen", "TCP connections to PgBouncer (distinct)", "%d", "no churn", _no_churn("pgbouncer")),
    ("bouncer_clients_end", "PgBouncer SHOW CLIENTS rows (end; start equal?)", "%d", "flat",
     _const("bouncer_clients")),
    ("conns_redis_seen", "TCP connections to Redis (distinct)", "%d", "no churn", _no_churn("redis")),
    ("conns_api_seen", "TCP connections to the API (distinct)", "%d", "no churn", _no_churn("api")),
    ("term_bytes_per_s", "terminal bytes/s (idle)", "%.0f", "<= pg_top", _le_ratio("pg_top", 1.0)),
    ("term_writes_per_s", "terminal writes/s (idle; tmux reads of the pane)", "%.1f", "", lambda v, o: None),
    ("key_p50_ms", "key -> screen p50, ms", "%.1f", "", lambda v, o: None),
    ("key_p99_ms", "key -> screen p99, ms", "%.1f", "< 50", _lt(50)),
    ("key_faults_p99_ms", "key p99, a replica frozen + one down, ms", "%.1f", "< 50", _lt(50)),
    ("quit_faults_ms", "q -> exit with the faults, ms", "%.0f", "< 1000", _lt(1000)),
    ("startup_first_output_ms", "start-up to its first output, ms", "%.0f", "", lambda v, o: None),
    ("startup_ms", "start-up to first complete frame, ms", "%.0f", "< 200", _lt(200)),
    ("startup_blackhole_ms", "start-up, a replica blackholed, ms", "%.0f", "< 200", _lt(200)),
    ("cpu_ms_per_refresh", "CPU per refresh, average over the window, ms", "%.2f", "< 20", _lt(20)),
    ("cpu_ms_worst_second", "CPU in the worst second of the window, ms", "%.2f", "< 20", _lt(20)),
] + [("cpu_ms_per_refresh_" + p, "CPU per refresh, %s in front (worst s), ms" % p, "sweep", "< 20",
      lambda v, o, p=p: None if v is None else max(v, o["_self"].get("cpu_ms_worst_s_" + p) or 0) < 20)
     for p in PANELS]
JOURNAL_FIGURES = [
    ("journal_list_ms", "journal list (1,000,000 step results), ms", "< 100", 100),
    ("journal_show_ms", "journal show of a 10,000-step run, ms", "< 100 (review screen)", 100),
    ("journal_export_ms", "journal export md of a 10,000-step run, ms", "< 1000", 1000),
    ("journal_export_json_ms", "journal export json of a 10,000-step run, ms", "< 1000", 1000),
]


def median(vals):
    vals = [v for v in vals if isinstance(v, (int, float)) and not isinstance(v, bool)]
    return statistics.median(vals) if vals else None


def fmt(v, f, worst=None):
    if v is None:
        return "-"
    if f == "sweep":
        return "%.2f (%.1f)" % (v, worst) if worst is not None else "%.2f" % v
    if f == "mb":
        return "%.1f" % (v / 1024.0)
    if f == "%d":
        return "%d" % round(v)
    return f % v


def ratio(a, b):
    if a is None or b is None:
        return "-"
    if b == 0:
        return "inf" if a else "1.00"
    return "%.2f" % (a / b)


def report(a):
    runs = [json.load(open(p)) for p in a.files]
    tools = [t for t in ("opsdeck", "pg_top", "pg_activity", "pg_top_trust") if any(t in r for r in runs)]
    trust = "pg_top_trust" in tools
    med = {t: {} for t in tools}
    for t in tools:
        keys = set()
        for r in runs:
            keys.update(r.get(t, {}).keys())
        for k in keys:
            med[t][k] = median([r.get(t, {}).get(k) for r in runs])
    journal = {}
    for r in runs:
        for k, v in r.get("_journal", {}).items():
            journal.setdefault(k, []).append(v)
    rows = []
    all_numeric = True
    for key, label, f, target, check in FIGURES:
        od = med.get("opsdeck", {}).get(key)
        pt = med.get("pg_top", {}).get(key)
        pa = med.get("pg_activity", {}).get(key)
        ptt = med.get("pg_top_trust", {}).get(key)
        others = {"pg_top": pt, "pg_activity": pa, "pg_top_trust": ptt, "_self": med.get("opsdeck", {}),
                  "pg_top_ns": med.get("pg_top", {}).get("cpu_ms_per_s"),
                  "pg_activity_ns": med.get("pg_activity", {}).get("cpu_ms_per_s"),
                  "pg_top_trust_ns": med.get("pg_top_trust", {}).get("cpu_ms_per_s")}
        met = check(od, others) if "opsdeck" in med else None
        if od is None and key in ("cpu_pct", "rss_peak_kb", "stmts_per_s_primary", "term_bytes_per_s", "key_p99_ms",
                                  "startup_ms"):
            all_numeric = False
        worst = med.get("opsdeck", {}).get(key.replace("cpu_ms_per_refresh_", "cpu_ms_worst_s_"))
        row_ = [label, fmt(od, f, worst), fmt(pt, f), fmt(pa, f), ratio(od, pt), ratio(od, pa)]
        if trust:
            row_ += [fmt(ptt, f), ratio(od, ptt)]
        rows.append(row_ + [target, "-" if met is None else met if isinstance(met, str) else "yes" if met else "NO"])
    for key, label, target, lim in JOURNAL_FIGURES:
        v = median(journal.get(key, []))
        if v is not None:
            rows.append([label, "%.0f" % v] + [""] * (6 if trust else 4) + [target, "yes" if v < lim else "NO"])
    head = ["figure", "opsdeck", "pg_top", "pg_activity", "opsdeck/pg_top", "opsdeck/pg_activity"]
    if trust:
        head += ["pg_top socket+trust", "opsdeck/that"]
    head += ["target", "met?"]
    if a.markdown:
        print("| " + " | ".join(head) + " |")
        print("|" + "---|" * len(head))
        for r in rows:
            print("| " + " | ".join(r) + " |")
    else:
        w = [max(len(str(x[i])) for x in rows + [head]) for i in range(len(head))]
        for r in [head] + rows:
            print("  ".join(str(c).ljust(w[i]) for i, c in enumerate(r)).rstrip())
    lab = {}
    for r in runs:
        for k, v in r.get("_lab", {}).items():
            lab.setdefault(k, []).append(v)
    if lab:
        print("\nThe lab as a whole during the window (its load off; medians): %s" % ", ".join(
            "%s %s" % (k, fmt(median(v), "%.2f")) for k, v in sorted(lab.items())))
    meta = [r.get("_meta", {}) for r in runs]
    print("\n%d run(s), window %s s, %s key presses per tool and phase; medians over runs." % (
        len(runs), meta[0].get("window_s"), meta[0].get("keys")))
    for t in tools:
        for k in ("faults_rows", "blackhole_row", "startup_screen"):
            for r in runs:
                if r.get(t, {}).get(k):
                    print("%s %s: %s" % (t, k, r[t][k]))
                    break
    if a.check:
        bad = []
        for t in tools:
            m = med[t]
            for k in ("cpu_pct", "cpu_ms_per_s", "rss_peak_kb", "stmts_per_s_primary", "term_bytes_per_s",
                      "key_p50_ms", "key_p99_ms", "startup_ms"):
                if not isinstance(m.get(k), (int, float)):
                    bad.append("%s %s is not a number" % (t, k))
            if isinstance(m.get("rss_peak_kb"), (int, float)) and m["rss_peak_kb"] <= 1024:
                bad.append("%s peak RSS %s kB is implausible" % (t, m["rss_peak_kb"]))
            if isinstance(m.get("cpu_pct"), (int, float)) and m["cpu_pct"] < 0:
                bad.append("%s CPU is negative" % t)
            if isinstance(m.get("key_p99_ms"), (int, float)) and m["key_p99_ms"] >= 3000:
                bad.append("%s did not answer a key within 3 s" % t)
        for b in bad:
            print("check: " + b, file=sys.stderr)
        return 1 if bad or not all_numeric else 0
    return 0


# ------------------------------------------------------------------- journal --
def journal(a):
    """Times opsdeck's journal commands on a seeded journal (wall clock, median of N)."""
    out = {}
    env = dict(os.environ)
    env.pop("OPSDECK_CONFIG", None)

    def timed(args, key):
        t = []
        for _ in range(a.repeat):
            t0 = time.perf_counter()
            p = subprocess.run([a.opsdeck, "--journal", a.journal, *args], stdout=subprocess.DEVNULL,
                               stderr=subprocess.PIPE, env=env, timeout=120)
            t.append((time.perf_counter() - t0) * 1000)
            if p.returncode not in (0, 1):
                out[key + "_error"] = p.stderr.decode()[-300:]
        out[key] = statistics.median(t)
    timed(["journal", "list"], "journal_list_ms")
    timed(["journal", "show", a.run_id], "journal_show_ms")
    timed(["journal", "export", "--format", "md", a.run_id], "journal_export_ms")
    timed(["journal", "export", "--format", "json", a.run_id], "journal_export_json_ms")
    if a.merge:
        data = json.load(open(a.merge))
        data["_journal"] = out
        with open(a.merge, "w") as f:
            json.dump(data, f, indent=1)
    print(json.dumps(out))
    return 0


def termrows(a):
    """Where a terminal stream's bytes go: bytes per screen row (from the cursor addressing
    sequences curses uses), the bytes of the frame-ending cursor moves, and a sample."""
    data = open(a.file, "rb").read()
    rows, row = {}, None
    for part in re.split(rb"(\x1b\[\d+;\d+H|\x1b\[\d+d|\r\n|\n)", data):
        m = re.match(rb"\x1b\[(\d+);\d+H|\x1b\[(\d+)d", part)
        if m:
            row = int(m.group(1) or m.group(2))
        elif part in (b"\r\n", b"\n"):
            row = None if row is None else row + 1
        rows[row] = rows.get(row, 0) + len(part)
    print("%d bytes in %s" % (len(data), a.file))
    for r, n in sorted(rows.items(), key=lambda x: -x[1])[:a.top]:
        print("  row %-4s %7d bytes (%4.1f%%)" % ("?" if r is None else r, n, 100.0 * n / max(1, len(data))))
    return 0


def main():
    ap = argparse.ArgumentParser()
    sub = ap.add_subparsers(dest="cmd", required=True)
    r = sub.add_parser("run")
    r.add_argument("--src", required=True)
    r.add_argument("--lab-dir", required=True)
    r.add_argument("--base", type=int, required=True)
    r.add_argument("--bench-dir", required=True)
    r.add_argument("--opsdeck", required=True)
    r.add_argument("--out", required=True)
    r.add_argument("--tools", default="opsdeck,pg_top,pg_activity,pg_top_trust")
    r.add_argument("--window", type=float, default=60)
    r.add_argument("--keys", type=int, default=20)
    r.add_argument("--refresh-s", type=float, default=1.0)
    r.add_argument("--no-faults", dest="faults", action="store_false")
    r.add_argument("--sweep", type=float, default=5, help="seconds per panel for CPU per panel (0: none)")
    r.add_argument("--order-shift", type=int, default=0)
    r.add_argument("--seed", type=int, default=1)
    r.add_argument("--sock-prefix", default="opsdeck-bench-%d" % os.getpid())
    p = sub.add_parser("report")
    p.add_argument("files", nargs="+")
    p.add_argument("--markdown", action="store_true")
    p.add_argument("--check", action="store_true")
    j = sub.add_parser("journal")
    j.add_argument("--opsdeck", required=True)
    j.add_argument("--journal", required=True)
    j.add_argument("--run-id", required=True)
    j.add_argument("--repeat", type=int, default=5)
    j.add_argument("--merge")
    tr = sub.add_parser("termrows")
    tr.add_argument("file")
    tr.add_argument("--top", type=int, default=12)
    a = ap.parse_args()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    return {"run": run, "report": report, "journal": journal, "termrows": termrows}[a.cmd](a)


if __name__ == "__main__":
    sys.exit(main())
