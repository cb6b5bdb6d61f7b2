#!/usr/bin/env python3
"""Start-up time of one `vpsd serve`: launches the command given after `--`, then asks for PATH with a
bearer TOKEN until it answers 200, and /healthz while it has not. Prints one JSON line: milliseconds
from launch to the first 200 of PATH and of /healthz, and the process id (the process keeps running).

One process asks, over plain sockets, from before the launch: a poller that started curl every 10 ms
took a share of the 2 cores from the start-up it was timing (bench/RESULTS.md).

    bench/firstanswer.py PORT TOKEN PATH OUT ERR -- java ... serve --port PORT ...
"""
import json
import socket
import subprocess
import sys
import time


def status(port, path, token):
    """The HTTP status of GET path, or None when nothing listens yet or the answer is cut short."""
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=5) as s:
            auth = f"Authorization: Bearer {token}\r\n" if token else ""
            s.sendall(f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n{auth}Connection: close\r\n\r\n".encode())
            head = s.recv(64)
            parts = head.split(b" ", 2)
            return int(parts[1]) if len(parts) > 1 and parts[0].startswith(b"HTTP/") else None
    except (ConnectionError, socket.timeout, OSError, ValueError):
        return None


def main():
    split = sys.argv.index("--")
    port, token, path, out, err = sys.argv[1:split]
    port = int(port)
    command = sys.argv[split + 1:]
    with open(out, "wb") as o, open(err, "wb") as e:
        t0 = time.monotonic()
        proc = subprocess.Popen(command, stdout=o, stderr=e)
    health = None
    while True:
        if proc.poll() is not None:
            sys.exit(f"vpsd exited with {proc.returncode} before answering; see {err}")
        if status(port, path, token) == 200:
            api = (time.monotonic() - t0) * 1000
            break
        if health is None and status(port, "/healthz", None) == 200:
            health = (time.monotonic() - t0) * 1000
        if time.monotonic() - t0 > 120:
            proc.kill()
            sys.exit("no answer within 120 s")
        time.sleep(0.005)
    print(json.dumps({"api_ms": round(api), "healthz_ms": round(health if health is not None else api), "pid": proc.pid}))


if __name__ == "__main__":
    main()
