#!/usr/bin/env python3
"""Prints the latest figure of every scenario in bench/results/*.jsonl as Markdown tables.

Usage: summary.py [RESULTS_DIR]
"""
import glob
import json
import os
import sys

results = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "results")
latest = {}
for path in sorted(glob.glob(os.path.join(results, "*.jsonl"))):  # names sort by time
    with open(path) as f:
        for line in f:
            line = line.strip()
            if not line.startswith("{"):
                continue
            r = json.loads(line)
            r["file"] = os.path.basename(path)
            latest[(r.get("scenario"), r.get("db"), r.get("servers"))] = r


def table(title, columns, rows):
    if not rows:
        return
    print("### " + title + "\n")
    print("| " + " | ".join(c for c, _ in columns) + " |")
    print("|" + "---|" * len(columns))
    for r in rows:
        print("| " + " | ".join(str(r.get(k, "")) for _, k in columns) + " |")
    print()


http = [r for (s, _, n), r in sorted(latest.items(), key=lambda kv: (kv[0][1] or "", str(kv[0][0])))
        if s in ("detail", "page", "page-status", "patch", "reboot", "create")]
table("HTTP (wrk, 64 connections, keep-alive; median of runs)",
      [("scenario", "scenario"), ("db", "db"), ("vpsd req/s", "vpsd_rps"), ("nginx req/s", "nginx_rps"), ("ratio", "ratio"),
       ("p50 ms", "p50_ms"), ("p99 ms", "p99_ms"), ("vpsd CPU µs/req", "vpsd_cpu_us"), ("non-2xx", "non_2xx"), ("runs req/s", "runs_rps"),
       ("RSS MB", "rss_mb")], http)
table("Engine (creates at the simulator's fastest time scale)",
      [("db", "db"), ("servers", "servers"), ("create req/s", "create_rate"), ("all active after s", "all_active_seconds"),
       ("transitions/s", "transitions_per_second"), ("CPU s per server", "cpu_seconds_per_server"), ("RSS MB", "rss_mb"),
       ("errors", "create_errors")],
      [r for (s, _, _), r in sorted(latest.items(), key=lambda kv: str(kv[0])) if s == "engine"])
table("Growth (the same account of 1,000 servers read while the fleet grows)",
      [("scenario", "scenario"), ("db", "db"), ("fleet", "servers"), ("vpsd req/s", "vpsd_rps"), ("nginx req/s", "nginx_rps"),
       ("ratio", "ratio"), ("p50 ms", "p50_ms"), ("p99 ms", "p99_ms"), ("vpsd CPU µs/req", "vpsd_cpu_us"), ("non-2xx", "non_2xx")],
      [r for (s, _, _), r in sorted(latest.items(), key=lambda kv: (str(kv[0][0]), str(kv[0][1]), kv[0][2] or 0))
       if str(s).startswith("growth-")])
table("Process",
      [("db", "db"), ("start-up ms (to first 200)", "startup_ms"), ("idle RSS MB", "idle_rss_mb"), ("max RSS MB under load", "max_rss_mb")],
      [r for (s, _, _), r in sorted(latest.items(), key=lambda kv: str(kv[0])) if s == "process"])
