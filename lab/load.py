#!/usr/bin/python3
"""Traffic for the opsdeck lab, started by `lab/lab load SECONDS`.

Sends /api/test requests with API keys of every tier (one free key fast
enough to be rate-limited, one free key just under its limit, a standard key
near its limit) and does cache reads/writes on Redis, so the Redis and API
panels move. Only 127.0.0.1; bounded in time (SECONDS) and in iterations.

Environment: LAB_API_URL, LAB_REDIS_PORT, LAB_REDIS_PASSFILE.
"""

import os
import random
import sys
import time
import urllib.error
import urllib.request

import redis

# key -> (tier, seconds between requests)
KEYS = {
    "fre1_lab_free_key": ("free", 1.2),             # 50/min > 10: 429s within ~12 s
    "fre2_lab_free_key": ("free", 7.5),             # 8/min: near its limit
    "std1_lab_standard_key": ("standard", 0.65),    # ~92/min of 100: near its limit
    "pro1_lab_pro_key": ("pro", 0.25),              # 240/min of 1000
    "ent1_lab_enterprise_key": ("enterprise", 0.5),
}
CACHE_EVERY = 0.05


def main():
    seconds = int(sys.argv[1])
    api = os.environ["LAB_API_URL"].rstrip("/")
    if not api.startswith("http://127.0.0.1:"):
        sys.exit("load: refusing non-loopback API URL")
    with open(os.environ["LAB_REDIS_PASSFILE"], encoding="utf-8") as f:
        password = f.read().strip()
    rds = redis.Redis(host="127.0.0.1", port=int(os.environ["LAB_REDIS_PORT"]), password=password,
                      socket_timeout=1.0, socket_connect_timeout=1.0, decode_responses=True)
    try:
        rds.hset("ratelimit:tiers", mapping={k: t for k, (t, _) in KEYS.items()})
    except redis.RedisError as e:
        print("load: redis: %s" % type(e).__name__, flush=True)

    start = time.monotonic()
    deadline = start + seconds
    due = {k: start + random.random() for k in KEYS}
    due["cache"] = start
    counts = {}
    max_iterations = seconds * 200 + 100
    next_report = start + 10
    for _ in range(max_iterations):
        now = time.monotonic()
        if now >= deadline:
            break
        task = min(due, key=due.get)
        if due[task] > now:
            time.sleep(min(due[task], deadline) - now)
            continue
        if task == "cache":
            due[task] = now + CACHE_EVERY
            try:
                n = random.randint(0, 300)
                if random.random() < 0.3:
                    rds.set("cache:item:%d" % n, "v%d" % n, ex=60)
                    counts["cache_set"] = counts.get("cache_set", 0) + 1
                else:
                    hit = rds.get("cache:item:%d" % n) is not None
                    k = "cache_hit" if hit else "cache_miss"
                    counts[k] = counts.get(k, 0) + 1
            except redis.RedisError:
                counts["cache_err"] = counts.get("cache_err", 0) + 1
        else:
            due[task] = now + KEYS[task][1]
            req = urllib.request.Request(api + "/api/test", headers={"X-API-Key": task})
            try:
                with urllib.request.urlopen(req, timeout=5) as r:
                    r.read()
                    code = r.status
            except urllib.error.HTTPError as e:
                code = e.code
            except Exception:
                code = 0
            counts[str(code)] = counts.get(str(code), 0) + 1
        if time.monotonic() >= next_report:
            next_report += 10
            print("load: %ds %s" % (int(time.monotonic() - start),
                                    " ".join("%s=%d" % kv for kv in sorted(counts.items()))), flush=True)
    print("load: done %s" % " ".join("%s=%d" % kv for kv in sorted(counts.items())), flush=True)


if __name__ == "__main__":
    main()
