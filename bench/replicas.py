#!/usr/bin/env python3
"""Lifecycle load against one or more vpsd replicas (stdlib only).

Each worker thread drives servers through create -> active -> stop -> stopped -> start -> active
-> reboot -> active -> delete -> gone, sending every request to the next replica in turn, and
counts the API operations (POST/PATCH/DELETE, not the status polls). Prints one JSON line:
{"replicas": N, "servers": S, "operations": O, "seconds": T, "ops_per_second": ..., "errors": E}.

Usage: replicas.py TOKEN SERVERS THREADS URL [URL ...]
"""
import json
import sys
import threading
import time
import urllib.error
import urllib.request

TOKEN, SERVERS, THREADS, URLS = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4:]
lock = threading.Lock()
counts = {"operations": 0, "errors": 0}
turn = [0]


def base():
    with lock:
        turn[0] += 1
        return URLS[turn[0] % len(URLS)]


def call(method, path, body=None):
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(base() + path, data=data, method=method,
                                 headers={"Authorization": "Bearer " + TOKEN, "Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(req, timeout=60) as r:
            raw = r.read()
            return r.status, (json.loads(raw) if raw else None)
    except urllib.error.HTTPError as e:
        return e.code, None


def op(method, path, body=None, ok=(200, 201, 204)):
    status, payload = call(method, path, body)
    with lock:
        counts["operations"] += 1
        if status not in ok:
            counts["errors"] += 1
    return status, payload


def wait(server_id, status):
    deadline = time.time() + 300
    while time.time() < deadline:
        code, s = call("GET", "/api/v1/servers/%d/" % server_id)
        if (status is None and code == 404) or (s and s.get("status") == status):
            return
        time.sleep(0.05)
    raise SystemExit("server %d never reached %s" % (server_id, status))


def life(n):
    code, s = op("POST", "/api/v1/servers/", {"name": "bench-%d-%d" % (int(time.time()), n), "plan_id": 1, "os_id": 5,
                                               "location": "us-west" if n % 2 else "us-east"})
    if code != 201:
        return
    sid = s["id"]
    wait(sid, "active")
    for action, until in (("stop", "stopped"), ("start", "active"), ("reboot", "active")):
        op("POST", "/api/v1/servers/%d/%s/" % (sid, action))
        wait(sid, until)
    op("PATCH", "/api/v1/servers/%d/" % sid, {"backups_enabled": True})
    op("DELETE", "/api/v1/servers/%d/" % sid)
    wait(sid, None)


def worker(ids):
    for n in ids:
        life(n)


start = time.time()
threads = [threading.Thread(target=worker, args=(range(t, SERVERS, THREADS),)) for t in range(THREADS)]
for t in threads:
    t.start()
for t in threads:
    t.join()
seconds = time.time() - start
print(json.dumps({"replicas": len(set(URLS)), "servers": SERVERS, "operations": counts["operations"],
                  "errors": counts["errors"], "seconds": round(seconds, 2),
                  "ops_per_second": round(counts["operations"] / seconds, 1)}))
