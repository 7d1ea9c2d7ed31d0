#!/usr/bin/python3
"""Stand-in for the application's API, for the opsdeck lab.

Started by `lab/lab up` (as the lab's unprivileged user) on 127.0.0.1:BASE+5.
It talks to the lab's real Redis (rate-limit counters, a small cache) and to
the real PostgreSQL servers as role `ops`: application queries go through
PgBouncer, /api/v1/users reads go directly to a replica (round robin).
The JSON shapes are documented in lab/README.md.

Configuration comes from the environment (set by lab/lab):
  LAB_DIR, LAB_PORT_BASE             state dir and port range (required)
  LAB_PASSFILE                       pgpass file (default $LAB_DIR/private/pgpass)
  LAB_REDIS_PASSFILE                 Redis password (default $LAB_DIR/private/redis.pass)
  LAB_SLOW_MS                        slow-query threshold in ms (default 100)
  LAB_QUERY_TIMEOUT_S                timeout of an application query (default 5)
  LAB_TIER_STANDARD, LAB_TIER_ENTERPRISE   per-minute limits (default 100, 10000)
  LAB_COMMIT                         reported by /version

Secrets are read from files and never logged or returned; API keys are only
ever logged masked (first 4 characters + ***).
"""

import collections
import datetime
import hashlib
import json
import math
import os
import random
import select
import signal
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import psycopg2
import psycopg2.extensions
import redis

LAB_DIR = os.environ["LAB_DIR"]
BASE = int(os.environ["LAB_PORT_BASE"])
PORTS = {
    "primary": BASE,
    "east": BASE + 1,
    "west": BASE + 2,
    "pgbouncer": BASE + 3,
    "redis": BASE + 4,
    "api": BASE + 5,
    "api_tls": BASE + 6,  # the same API over HTTPS, with the lab CA's server certificate
}
PASSFILE = os.environ.get("LAB_PASSFILE", os.path.join(LAB_DIR, "private", "pgpass"))
REDIS_PASSFILE = os.environ.get("LAB_REDIS_PASSFILE", os.path.join(LAB_DIR, "private", "redis.pass"))
FAULT_FILE = os.path.join(LAB_DIR, "api-fault")
PIDFILE = os.path.join(LAB_DIR, "run", "api.pid")
SLOW_MS = float(os.environ.get("LAB_SLOW_MS", "100"))
QUERY_TIMEOUT = float(os.environ.get("LAB_QUERY_TIMEOUT_S", "5"))
PROBE_TIMEOUT = 2.0
VERSION = "lab-1.0"
COMMIT = os.environ.get("LAB_COMMIT", "unknown")
TIER_ORDER = ("free", "pro", "standard", "enterprise")
TIER_LIMITS = {
    "free": 10,
    "pro": 1000,
    "standard": int(os.environ.get("LAB_TIER_STANDARD", "100")),
    "enterprise": int(os.environ.get("LAB_TIER_ENTERPRISE", "10000")),
}
REPLICAS = ("east", "west")
# the seeded conversation ids: 'abc123' and substr(md5((i % 400)::text), 1, 6)
CONVERSATIONS = ["abc123"] + [hashlib.md5(str(n).encode()).hexdigest()[:6] for n in range(400)]
ERROR_WINDOW_S = 300
QUERY_WINDOW = 1000
NEAR_LIMIT_FRACTION = 0.8

STARTED_MONO = time.monotonic()
STARTED_AT = datetime.datetime.now(datetime.timezone.utc)


def iso_now():
    return datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def iso(dt):
    return dt.astimezone(datetime.timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def mask_key(key):
    return (key or "")[:4] + "***"


def log(msg):
    sys.stderr.write("%s %s\n" % (iso_now(), msg))
    sys.stderr.flush()


def read_secret(path):
    with open(path, encoding="utf-8") as f:
        return f.read().strip()


# --------------------------------------------------------------------------
# PostgreSQL: small pools of asynchronous psycopg2 connections, so every query
# has a hard deadline (a frozen server must not hang a request forever).

class PgTimeout(Exception):
    pass


def _wait(conn, deadline):
    while True:
        state = conn.poll()
        if state == psycopg2.extensions.POLL_OK:
            return
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise PgTimeout("timeout")
        fd = conn.fileno()
        if state == psycopg2.extensions.POLL_READ:
            select.select([fd], [], [], remaining)
        elif state == psycopg2.extensions.POLL_WRITE:
            select.select([], [fd], [], remaining)
        else:
            raise psycopg2.OperationalError("bad poll state %r" % state)


class PgPool:
    def __init__(self, name, port, max_idle=8):
        self.name = name
        self.dsn = ("host=127.0.0.1 port=%d dbname=ywmessaging user=ops passfile=%s "
                    "connect_timeout=2 application_name=opsdeck-lab-api" % (port, PASSFILE))
        self.max_idle = max_idle
        self.idle = []
        self.lock = threading.Lock()

    def _get(self):
        with self.lock:
            return self.idle.pop() if self.idle else None

    def _put(self, conn):
        with self.lock:
            if len(self.idle) < self.max_idle and not conn.closed:
                self.idle.append(conn)
                return
        conn.close()

    def query(self, sql, params=None, timeout=QUERY_TIMEOUT):
        """Run one statement; returns (rows, execution_ms). Raises on error/timeout."""
        deadline = time.monotonic() + timeout
        conn = self._get()
        for attempt in (0, 1):
            fresh = conn is None
            try:
                if conn is None:
                    conn = psycopg2.connect(self.dsn, async_=1)
                    _wait(conn, deadline)
                cur = conn.cursor()
                t0 = time.monotonic()
                cur.execute(sql, params)
                _wait(conn, deadline)
                rows = cur.fetchall() if cur.description else []
                ms = (time.monotonic() - t0) * 1000.0
                self._put(conn)
                return rows, ms
            except PgTimeout:
                if conn is not None:
                    conn.close()
                raise
            except (psycopg2.OperationalError, psycopg2.InterfaceError):
                if conn is not None:
                    conn.close()
                conn = None
                # a pooled connection may simply be stale (server restarted)
                if fresh or attempt == 1 or time.monotonic() >= deadline:
                    raise
            except Exception:
                if conn is not None:
                    conn.close()
                raise
        raise PgTimeout("unreachable")


POOLS = {name: PgPool(name, PORTS[name]) for name in ("primary", "east", "west", "pgbouncer")}


# --------------------------------------------------------------------------
# Redis

def make_redis():
    return redis.Redis(host="127.0.0.1", port=PORTS["redis"], db=0,
                       password=read_secret(REDIS_PASSFILE),
                       socket_timeout=1.0, socket_connect_timeout=1.0,
                       decode_responses=True, retry_on_timeout=False)


RDS = make_redis()


# --------------------------------------------------------------------------
# Measurements: real latencies of the application queries, requests/errors.

class Stats:
    def __init__(self):
        self.lock = threading.Lock()
        self.queries = collections.deque(maxlen=QUERY_WINDOW)  # (wall, ms, sql, ok)
        self.requests = collections.deque()  # (mono, is_error)

    def record_query(self, sql, ms, ok):
        with self.lock:
            self.queries.append((time.time(), ms, sql, ok))

    def record_request(self, is_error):
        now = time.monotonic()
        with self.lock:
            self.requests.append((now, is_error))
            self._prune(now)

    def _prune(self, now):
        while self.requests and self.requests[0][0] < now - ERROR_WINDOW_S:
            self.requests.popleft()

    def query_metrics(self):
        with self.lock:
            items = list(self.queries)
        durations = sorted(q[1] for q in items)
        n = len(durations)

        def pct(p):
            if not n:
                return 0.0
            k = max(0, min(n - 1, int(math.ceil(p / 100.0 * n)) - 1))
            return round(durations[k], 3)

        slow = [q for q in items if q[1] > SLOW_MS]
        slow.reverse()
        stats = {
            "total_queries": n,
            "p50": pct(50), "p95": pct(95), "p99": pct(99),
            "avg": round(sum(durations) / n, 3) if n else 0.0,
        }
        return {
            "statistics": stats,
            "slowQueries": [
                {"query": q[2], "duration_ms": round(q[1], 3),
                 "at": iso(datetime.datetime.fromtimestamp(q[0], datetime.timezone.utc))}
                for q in slow[:50]
            ],
            "health": "degraded" if n and stats["p95"] > SLOW_MS else "healthy",
        }

    def error_metrics(self):
        now = time.monotonic()
        with self.lock:
            self._prune(now)
            total = len(self.requests)
            errors = sum(1 for r in self.requests if r[1])
        return {
            "error_rate": round(errors / total, 6) if total else 0.0,
            "errors": errors,
            "total_requests": total,
            "window_s": ERROR_WINDOW_S,
        }


STATS = Stats()


def app_query(pool, sql, params=None, timeout=QUERY_TIMEOUT):
    """An application query: its real latency goes into /metrics/queries."""
    t0 = time.monotonic()
    try:
        rows, ms = pool.query(sql, params, timeout)
    except Exception:
        STATS.record_query(sql.replace("%s", "$1"), (time.monotonic() - t0) * 1000.0, False)
        raise
    STATS.record_query(sql.replace("%s", "$1"), ms, True)
    return rows, ms


# --------------------------------------------------------------------------
# Health probes (not recorded as application queries)

def probe_pg(name):
    t0 = time.monotonic()
    try:
        POOLS[name].query("SELECT 1", timeout=PROBE_TIMEOUT)
        return {"status": "connected", "latency_ms": round((time.monotonic() - t0) * 1000.0, 3)}
    except PgTimeout:
        return {"status": "down", "latency_ms": None, "error": "timeout"}
    except Exception as e:
        return {"status": "down", "latency_ms": None, "error": type(e).__name__}


REPLICA_SQL = (
    "SELECT coalesce((SELECT status FROM pg_stat_wal_receiver), 'none'), "
    # lag: 0 when everything received is replayed, else the age of the last
    # replayed commit (NULL if none was replayed since the replica started).
    # Received WAL that ends on a page boundary less than two pages after the replay
    # position is the beginning of a record whose rest the primary has not flushed yet
    # (on an idle primary, WAL without a commit waits in its buffers): nothing can be
    # replayed, so that is no lag either.
    "CASE WHEN pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn() THEN 0 "
    "WHEN pg_wal_lsn_diff(pg_last_wal_receive_lsn(), '0/0') % current_setting('wal_block_size')::int = 0 "
    " AND pg_wal_lsn_diff(pg_last_wal_receive_lsn(), pg_last_wal_replay_lsn()) "
    "     BETWEEN 0 AND 2 * current_setting('wal_block_size')::int THEN 0 "
    "ELSE extract(epoch FROM now() - pg_last_xact_replay_timestamp()) * 1000 END, "
    "pg_get_wal_replay_pause_state()"
)


def probe_replica(name):
    try:
        # WAL that carries no commit (autovacuum, a checkpoint) on an idle primary is
        # received a moment before it is replayed, and the age of the last commit is then
        # seconds: a gap that closes within ~0.2 s is not lag, so look up to 3 times
        for attempt in range(3):
            rows, _ = POOLS[name].query(REPLICA_SQL, timeout=PROBE_TIMEOUT)
            status, lag, pause = rows[0]
            if lag == 0 or status != "streaming" or pause != "not paused":
                break
            if attempt < 2:
                time.sleep(0.1)
        return {"name": name, "connected": status == "streaming",
                "lag_ms": None if lag is None else round(float(lag), 1), "receiver": status,
                "replay_paused": pause != "not paused"}
    except Exception:
        return {"name": name, "connected": False, "lag_ms": None,
                "receiver": "unreachable", "replay_paused": None}


def probe_redis():
    t0 = time.monotonic()
    try:
        RDS.ping()
        return {"status": "connected", "latency_ms": round((time.monotonic() - t0) * 1000.0, 3)}
    except Exception as e:
        return {"status": "down", "latency_ms": None,
                "error": "timeout" if isinstance(e, redis.TimeoutError) else type(e).__name__}


def check_all():
    with ThreadPoolExecutor(max_workers=5) as ex:
        fp = ex.submit(probe_pg, "primary")
        fr = [ex.submit(probe_replica, n) for n in REPLICAS]
        frd = ex.submit(probe_redis)
        fb = ex.submit(probe_pg, "pgbouncer")
        primary, replicas, rds, bouncer = fp.result(), [f.result() for f in fr], frd.result(), fb.result()
    if primary["status"] != "connected":
        status = "unhealthy"
    elif (not all(r["connected"] for r in replicas) or rds["status"] != "connected"
          or bouncer["status"] != "connected"):
        status = "degraded"
    else:
        status = "healthy"
    db = dict(primary)
    db["replicas"] = replicas
    return status, {"database": db, "redis": rds, "pgbouncer": bouncer}


# --------------------------------------------------------------------------
# Rate limiting (fixed one-minute windows in Redis)

def tier_of(key):
    tier = RDS.hget("ratelimit:tiers", key)
    return tier if tier in TIER_LIMITS else "free"


def analytics():
    minute = int(time.time() // 60)
    tiers = {t: {"limit": TIER_LIMITS[t], "requests": 0, "blocked": 0, "keys": 0} for t in TIER_ORDER}
    near = []
    for t in TIER_ORDER:
        prefix = "ratelimit:%s:" % t
        keys = [k for k in RDS.scan_iter(match=prefix + "*", count=1000)
                if k.rsplit(":", 1)[-1] == str(minute)]
        values = RDS.mget(keys) if keys else []
        for k, v in zip(keys, values):
            used = int(v or 0)
            apikey = k[len(prefix):].rsplit(":", 1)[0]
            limit = TIER_LIMITS[t]
            tiers[t]["requests"] += used
            tiers[t]["blocked"] += max(0, used - limit)
            tiers[t]["keys"] += 1
            if used >= NEAR_LIMIT_FRACTION * limit:
                near.append({"key": mask_key(apikey), "tier": t, "used": used, "limit": limit})
    blocked = []
    bkeys = list(RDS.scan_iter(match="ratelimit:blocked:*", count=1000))
    bkeys = [k for k in bkeys if k != "ratelimit:blocked_total"]
    bvals = RDS.mget(bkeys) if bkeys else []
    for k, v in zip(bkeys, bvals):
        rest = k[len("ratelimit:blocked:"):]
        tier, _, apikey = rest.partition(":")
        blocked.append({"key": mask_key(apikey), "tier": tier, "blocked": int(v or 0)})
    blocked.sort(key=lambda b: -b["blocked"])
    near.sort(key=lambda n: -n["used"] / n["limit"])
    return {
        "window_s": 60,
        "blocked_count": int(RDS.get("ratelimit:blocked_total") or 0),
        "tiers": tiers,
        "top_blocked": blocked[:10],
        "near_limit": near[:20],
    }


# --------------------------------------------------------------------------
# HTTP

def read_fault():
    try:
        with open(FAULT_FILE, encoding="utf-8") as f:
            return f.read().strip()
    except OSError:
        return ""


_HUGE = None


def huge_body():
    global _HUGE
    if _HUGE is None:
        _HUGE = b'{"status":"healthy","padding":"' + b"x" * (10 * 1024 * 1024) + b'"}'
    return _HUGE


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "opsdeck-lab-api/" + VERSION
    sys_version = ""

    def log_message(self, fmt, *args):  # the default would log to stderr unmasked
        pass

    # -- responses
    def send_body(self, code, body, headers=None, ctype="application/json"):
        self._code = code
        self.send_response(code)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.end_headers()
        for i in range(0, len(body), 65536):
            self.wfile.write(body[i:i + 65536])

    def send_json(self, code, obj, headers=None):
        self.send_body(code, (json.dumps(obj) + "\n").encode(), headers)

    def send_fault(self, fault):
        if fault == "500":
            self.send_json(500, {"error": "injected fault: 500"})
        elif fault == "badjson":
            self.send_body(200, b'{"status": "healthy", "timestamp": "' + iso_now().encode()
                           + b'", "services": {"database": {"status": "conn')
        elif fault == "huge":
            self.send_body(200, huge_body())
        elif fault == "trickle":
            body = b'{"status":"slow","t":"......"}'.ljust(30, b" ")[:30]
            self._code = 200
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.flush()
            for i in range(len(body)):
                self.wfile.write(body[i:i + 1])
                self.wfile.flush()
                time.sleep(1)
        else:
            return False
        return True

    # -- dispatch
    def do_GET(self):
        t0 = time.monotonic()
        self._code = 0
        self._key = None
        url = urlsplit(self.path)
        path = url.path.rstrip("/") or "/"
        try:
            fault = read_fault()
            if not (fault and self.send_fault(fault)):
                route = ROUTES.get(path)
                if route is None:
                    self.send_json(404, {"error": "not found", "path": path})
                else:
                    route(self, parse_qs(url.query))
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True
        except Exception as e:
            log("error on %s: %s" % (path, type(e).__name__))
            if not self._code:
                try:
                    self.send_json(500, {"error": "internal error"})
                except OSError:
                    pass
        finally:
            if not path.startswith("/metrics"):
                STATS.record_request(self._code >= 500 or self._code == 0)
            log('%s "GET %s" %d %.1fms%s' % (
                self.client_address[0], path, self._code, (time.monotonic() - t0) * 1000.0,
                " key=" + mask_key(self._key) if self._key is not None else ""))

    # -- endpoints
    def ep_health(self, q):
        status, _ = check_all()
        self.send_json(503 if status == "unhealthy" else 200, {
            "status": status, "timestamp": iso_now(),
            "uptime_s": int(time.monotonic() - STARTED_MONO), "version": VERSION})

    def ep_health_detailed(self, q):
        status, services = check_all()
        self.send_json(503 if status == "unhealthy" else 200, {
            "status": status, "timestamp": iso_now(),
            "uptime_s": int(time.monotonic() - STARTED_MONO), "version": VERSION,
            "services": services})

    def ep_version(self, q):
        self.send_json(200, {"version": VERSION, "commit": COMMIT, "started_at": iso(STARTED_AT)})

    def ep_metrics_queries(self, q):
        self.send_json(200, STATS.query_metrics())

    def ep_metrics_errors(self, q):
        self.send_json(200, STATS.error_metrics())

    def ep_analytics(self, q):
        try:
            self.send_json(200, analytics())
        except redis.RedisError:
            self.send_json(503, {"error": "redis unavailable"})

    def ep_api_test(self, q):
        key = (self.headers.get("X-API-Key") or "").strip()[:256] or "anonymous"
        self._key = key
        try:
            tier = tier_of(key)
            limit = TIER_LIMITS[tier]
            now = time.time()
            minute = int(now // 60)
            counter = "ratelimit:%s:%s:%d" % (tier, key, minute)
            pipe = RDS.pipeline()
            pipe.incr(counter)
            pipe.expire(counter, 120)
            used = pipe.execute()[0]
        except redis.RedisError:
            self.send_json(503, {"error": "rate limiter unavailable (redis)"})
            return
        reset = (minute + 1) * 60
        headers = {"X-RateLimit-Limit": str(limit),
                   "X-RateLimit-Remaining": str(max(0, limit - used)),
                   "X-RateLimit-Reset": str(reset)}
        if used > limit:
            retry = max(1, int(math.ceil(reset - now)))
            headers["Retry-After"] = str(retry)
            try:
                pipe = RDS.pipeline()
                pipe.incr("ratelimit:blocked:%s:%s" % (tier, key))
                pipe.incr("ratelimit:blocked_total")
                pipe.execute()
            except redis.RedisError:
                pass
            self.send_json(429, {"error": "rate limit exceeded", "tier": tier, "limit": limit,
                                 "retry_after_s": retry}, headers)
            return
        uid = random.randint(1, 1000)
        cache_key = "cache:user:%d" % uid
        cache = "miss"
        user = None
        try:
            cached = RDS.get(cache_key)
            if cached:
                user, cache = json.loads(cached), "hit"
        except (redis.RedisError, ValueError):
            pass
        try:
            pool = POOLS["pgbouncer"]
            if user is None:
                rows, _ = app_query(pool, "SELECT id, email, name, tier FROM users WHERE id = %s", (uid,))
                if rows:
                    user = dict(zip(("id", "email", "name", "tier"), rows[0]))
                    try:
                        RDS.set(cache_key, json.dumps(user), ex=30)
                    except redis.RedisError:
                        pass
            rows, ms = app_query(pool, "SELECT count(*) FROM conversation_message "
                                 "WHERE conversation_id = %s AND created_at > now() - interval '30 days'",
                                 ("abc123" if random.random() < 0.5 else random.choice(CONVERSATIONS),))
        except PgTimeout:
            self.send_json(503, {"error": "database timeout"}, headers)
            return
        except psycopg2.Error:
            self.send_json(503, {"error": "database unavailable"}, headers)
            return
        self.send_json(200, {"ok": True, "tier": tier, "cache": cache, "user": user,
                             "recent_messages": rows[0][0], "db_ms": round(ms, 3)}, headers)

    _rr = 0
    _rr_lock = threading.Lock()

    def ep_users(self, q):
        try:
            limit = max(1, min(100, int((q.get("limit") or ["5"])[0])))
        except ValueError:
            limit = 5
        with Handler._rr_lock:
            start = Handler._rr
            Handler._rr = (Handler._rr + 1) % len(REPLICAS)
        order = [REPLICAS[(start + i) % len(REPLICAS)] for i in range(len(REPLICAS))] + ["primary"]
        sql = "SELECT id, email, name, tier, created_at FROM users ORDER BY id LIMIT %s"
        for source in order:
            try:
                rows, _ = app_query(POOLS[source], sql, (limit,),
                                    timeout=PROBE_TIMEOUT if source != "primary" else QUERY_TIMEOUT)
            except Exception:
                continue
            users = [{"id": r[0], "email": r[1], "name": r[2], "tier": r[3], "created_at": iso(r[4])}
                     for r in rows]
            self.send_json(200, {"source": source, "count": len(users), "users": users})
            return
        self.send_json(503, {"error": "no database reachable"})


ROUTES = {
    "/health": Handler.ep_health,
    "/health/detailed": Handler.ep_health_detailed,
    "/version": Handler.ep_version,
    "/metrics/queries": Handler.ep_metrics_queries,
    "/metrics/errors": Handler.ep_metrics_errors,
    "/admin/rate-limit/analytics": Handler.ep_analytics,
    "/api/test": Handler.ep_api_test,
    "/api/v1/users": Handler.ep_users,
}


class Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 64


def start_tls_listener():
    """The same API over HTTPS on api_tls, when lab/lab made the certificates (ensure_tls):
    for clients' CA settings (opsdeck's api.ca_file). Not being able to is logged, not fatal."""
    crt = os.path.join(LAB_DIR, "tls", "server.crt")
    key = os.path.join(LAB_DIR, "private", "server.key")
    if not (os.path.exists(crt) and os.path.exists(key)):
        return
    try:
        import ssl
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(crt, key)
        tls = Server(("127.0.0.1", PORTS["api_tls"]), Handler)
        tls.socket = ctx.wrap_socket(tls.socket, server_side=True)
    except (OSError, ValueError) as e:
        log("no HTTPS listener on 127.0.0.1:%d: %s" % (PORTS["api_tls"], e))
        return
    threading.Thread(target=tls.serve_forever, kwargs={"poll_interval": 0.5}, daemon=True).start()
    log("and on https://127.0.0.1:%d" % PORTS["api_tls"])


def main():
    def on_term(signum, frame):
        raise SystemExit(0)

    signal.signal(signal.SIGTERM, on_term)
    signal.signal(signal.SIGINT, on_term)
    try:
        srv = Server(("127.0.0.1", PORTS["api"]), Handler)
    except OSError as e:
        log("cannot listen on 127.0.0.1:%d: %s" % (PORTS["api"], e))
        return 1
    with open(PIDFILE + ".tmp", "w") as f:
        f.write("%d\n" % os.getpid())
    os.rename(PIDFILE + ".tmp", PIDFILE)
    log("opsdeck lab API %s listening on http://127.0.0.1:%d (pid %d)" % (VERSION, PORTS["api"], os.getpid()))
    start_tls_listener()
    try:
        srv.serve_forever(poll_interval=0.5)
    finally:
        try:
            if read_pid() == os.getpid():
                os.unlink(PIDFILE)
        except OSError:
            pass
        log("stopped")
    return 0


def read_pid():
    with open(PIDFILE) as f:
        return int(f.read().strip())


if __name__ == "__main__":
    sys.exit(main())
