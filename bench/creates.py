#!/usr/bin/env python3
"""Creates N servers as fast as THREADS clients can (stdlib only); prints JSON: created, seconds, rate, errors.

Usage: creates.py BASE_URL TOKEN N THREADS LOCATION
"""
import json
import os
import sys
import threading
import time
import http.client
from urllib.parse import urlparse

base, token, n, threads, location = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), sys.argv[5]
url = urlparse(base)
lock = threading.Lock()
state = {"next": 0, "created": 0, "errors": {}}
stamp = int(time.time())


def worker():
    conn = http.client.HTTPConnection(url.hostname, url.port, timeout=120)
    headers = {"Authorization": "Bearer " + token, "Content-Type": "application/json"}
    while True:
        with lock:
            if state["next"] >= n:
                return
            i = state["next"]
            state["next"] += 1
        body = json.dumps({"name": "e%d-%d" % (stamp, i), "plan_id": 1, "os_id": 5, "location": location})
        conn.request("POST", "/api/v1/servers/", body, headers)
        r = conn.getresponse()
        r.read()
        with lock:
            if r.status == 201:
                state["created"] += 1
            else:
                state["errors"][r.status] = state["errors"].get(r.status, 0) + 1


start = time.time()
ts = [threading.Thread(target=worker) for _ in range(threads)]
for t in ts:
    t.start()
for t in ts:
    t.join()
seconds = time.time() - start
cpu = os.times()
print(json.dumps({"created": state["created"], "seconds": round(seconds, 2), "rate": round(state["created"] / seconds, 1),
                  "errors": state["errors"], "client_cpu_seconds": round(cpu.user + cpu.system, 2)}))
