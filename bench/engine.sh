#!/usr/bin/env bash
# The engine: 10,000 creates at the simulator's fastest time scale; the time until all are active,
# transitions per second, and the CPU seconds per server of vpsd and (on PostgreSQL) of the database.
# First WARM servers (15,000) are created and driven to active, untimed but reported: a fresh JVM
# spends 40-48% of vpsd's CPU in its JIT compilers for its first 40 s under this load (async-profiler,
# JFR's compilation events; bench/RESULTS.md), which a vpsd that has been running has long paid.
# The warm-up runs in WARM_ROUNDS rounds (2) of the timed part's sequence, creates then the wait: after
# one round of creates the wait's first GETs throw out the compiled request path. `jit_cpu_share`
# reports the JIT's share of vpsd's CPU in the timed part: 24-28% in one round, 9-18% in two on
# PostgreSQL (bench/RESULTS.md; 40,000 brought it to 2-4% but made the database's work per server
# larger, so the timed part would measure a bigger database, not a warmer JVM).
# On PostgreSQL the database is vacuumed after the warm-up (VACUUM=0: not).
#   WARM=N WARM_ROUNDS=R VACUUM=0|1 bench/engine.sh [h2|pg] [SERVERS]
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
kind=${1:-h2}
n=${2:-10000}
bench_init
db_args "$kind" "engine-$kind"
out="$BENCH/results/engine-$kind-$(date -u +%Y%m%dT%H%M%SZ).jsonl"
echo "machine: $(machine_info)" >&2
vpsd_cmd catalog apply "$BENCH/catalog.yaml" "${DB_ARGS[@]}" >/dev/null
token=$(vpsd_cmd accounts create "engine-$$" --credit 100000000 "${DB_ARGS[@]}" | tail -1)
admin=$(vpsd_cmd admin-tokens create "${DB_ARGS[@]}" | tail -1)
vpsd_start 18090 "${DB_ARGS[@]}" --sim-time-scale 1000000 --reconcile-interval PT300S --usage-interval PT300S ${VPSD_SERVE_ARGS:-}
base=http://127.0.0.1:18090
active_count() {
  curl -fs -H "Authorization: Bearer $admin" "$base/admin/v1/servers/?status=active&page_size=1" \
    | /usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin)["count"])'
}
# The database's processes (PostgreSQL's server and its backends), for their CPU seconds.
db_cpu() {
  if [ "$kind" = pg ]; then
    for p in $(pgrep -u postgres); do cpu_seconds "$p" 2>/dev/null; echo; done | awk '{s += $1} END {printf "%.2f", s}'
  else
    echo 0
  fi
}
warm=${WARM:-15000}
rounds=${WARM_ROUNDS:-2}
w0=$(date +%s.%N)
for ((r = 1; r <= rounds; r++)); do
  upto=$((warm * r / rounds))
  /usr/bin/python3 "$BENCH/creates.py" "$base" "$token" $((upto - warm * (r - 1) / rounds)) 16 bench >/dev/null
  until [ "$(active_count)" -ge "$upto" ]; do sleep 0.2; done
done
# What autovacuum would have done by now (it is off on some machines: bench/RESULTS.md, 2026-12-06 eleventh
# session): the warm-up's dead rows and index entries are not left for the timed part to step over.
[ "$kind" = pg ] && [ "${VACUUM:-1}" != 0 ] && vpsd_pg_psql -d "${DBS[-1]}" -c "VACUUM ANALYZE"
w1=$(date +%s.%N)
cpu0=$(cpu_seconds "$VPSD_PID")
jit0=$(jit_seconds "$VPSD_PID")
ticks0=$(machine_ticks)
db0=$(db_cpu)
t0=$(date +%s.%N)
created=$(/usr/bin/python3 "$BENCH/creates.py" "$base" "$token" "$n" 16 bench)
t1=$(date +%s.%N)
until [ "$(active_count)" -ge $((n + warm)) ]; do sleep 0.2; done
t2=$(date +%s.%N)
cpu1=$(cpu_seconds "$VPSD_PID")
jit1=$(jit_seconds "$VPSD_PID")
ticks1=$(machine_ticks)
db1=$(db_cpu)
rss=$(rss_mb "$VPSD_PID")
/usr/bin/python3 - "$kind" "$n" "$created" "$t0" "$t1" "$t2" "$cpu0" "$cpu1" "$rss" "$warm" "$w0" "$w1" "$db0" "$db1" "$rounds" "$jit0" "$jit1" "$ticks0" "$ticks1" <<'PY' | tee -a "$out"
import json, sys
kind, n, created, t0, t1, t2, cpu0, cpu1, rss = sys.argv[1], int(sys.argv[2]), json.loads(sys.argv[3]), *map(float, sys.argv[4:9]), int(sys.argv[9])
warm, w0, w1, db0, db1 = int(sys.argv[10]), *map(float, sys.argv[11:15])
rounds, jit0, jit1 = int(sys.argv[15]), float(sys.argv[16]), float(sys.argv[17])
(busy0, all0), (busy1, all1) = (map(int, sys.argv[i].split()) for i in (18, 19))
total = t2 - t0
print(json.dumps({"scenario": "engine", "db": kind, "servers": n, "warmup_servers": warm, "warmup_rounds": rounds, "warmup_seconds": round(w1 - w0, 2),
                  "create_seconds": round(t1 - t0, 2),
                  "create_rate": created["rate"], "create_errors": created["errors"], "client_cpu_seconds": created.get("client_cpu_seconds"),
                  "all_active_seconds": round(total, 2),
                  "transitions_per_second": round(2 * n / total, 1),
                  "cpu_seconds_per_server": round((cpu1 - cpu0) / n, 5),
                  "machine_busy": round((busy1 - busy0) / (all1 - all0), 3) if all1 > all0 else None,
                  "jit_cpu_share": round((jit1 - jit0) / (cpu1 - cpu0), 3) if cpu1 > cpu0 else None,
                  "db_cpu_seconds_per_server": round((db1 - db0) / n, 5) if kind == "pg" else None, "rss_mb": rss}))
PY
vpsd_stop
