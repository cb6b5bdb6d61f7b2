#!/usr/bin/env python3
"""Reads wrk --latency output on stdin; prints one JSON object: rps, p50_ms, p99_ms, requests, non_2xx, errors."""
import json
import re
import sys

text = sys.stdin.read()


def ms(label):
    m = re.search(r"^\s*" + re.escape(label) + r"\s+([\d.]+)(us|ms|s)\s*$", text, re.M)
    if not m:
        return None
    v, unit = float(m.group(1)), m.group(2)
    return round(v / 1000 if unit == "us" else v * 1000 if unit == "s" else v, 3)


rps = re.search(r"Requests/sec:\s+([\d.]+)", text)
reqs = re.search(r"(\d+) requests in", text)
non2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", text)
errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", text)
print(json.dumps({
    "rps": float(rps.group(1)) if rps else 0.0,
    "p50_ms": ms("50%"),
    "p99_ms": ms("99%"),
    "requests": int(reqs.group(1)) if reqs else 0,
    "non_2xx": int(non2xx.group(1)) if non2xx else 0,
    "socket_errors": sum(int(x) for x in errors.groups()) if errors else 0,
}))
