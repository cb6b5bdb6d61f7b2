#!/usr/bin/env bash
# Process figures on a 100,000-server database: start-up (launching java to the first 200 of a real
# API request, GET /api/v1/servers/?page_size=1 with a token; and to /healthz; bench/firstanswer.py
# launches and asks), the median of RUNS restarts after one start that writes the start-up archive;
# resident memory idle, and under 30 s of wrk load on the detail and page paths.
#   bench/process.sh [h2|pg]      (uses bench/.work/http-KIND from bench/http.sh when it is there)
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
kind=${1:-h2}
bench_init
out="$BENCH/results/process-$kind-$(date -u +%Y%m%dT%H%M%SZ).jsonl"
echo "machine: $(machine_info)" >&2
if [ "$kind" = h2 ] && [ -f "$WORK/http-h2/vpsd.mv.db" ] && [ -f "$WORK/tokens-h2.txt" ]; then
  DB_ARGS=(--data "$WORK/http-h2")
else
  db_args "$kind" "process-$kind"
  vpsd_cmd catalog apply "$BENCH/catalog.yaml" "${DB_ARGS[@]}" >/dev/null
  vpsd_cmd seed-fleet --accounts 1000 --servers 100000 --big-account 10000 --tokens-file "$WORK/tokens-$kind.txt" "${DB_ARGS[@]}" >/dev/null
fi
big=$(head -1 "$WORK/tokens-$kind.txt" | cut -f2)
args=("${DB_ARGS[@]}" --sim-time-scale 1000000 --reconcile-interval PT300S --usage-interval PT300S)
port=18085
VPSD_CDS_WARMUP=1 _vpsd_launch "$port" "${args[@]}" && vpsd_stop   # writes serve's archive if the jar changed
api=() health=()
for _ in $(seq 1 "$RUNS"); do
  # One Python process launches vpsd and asks it over sockets until it answers (bench/firstanswer.py).
  r=$(/usr/bin/python3 "$BENCH/firstanswer.py" "$port" "$big" "/api/v1/servers/?page_size=1" "$WORK/process.out" "$WORK/process.err" -- \
    "$JAVA_HOME/bin/java" --enable-native-access=ALL-UNNAMED $(vpsd_jvm_opts serve) -jar "$JAR" serve --port "$port" "${args[@]}") \
    || { cat "$WORK/process.err" >&2; exit 1; }
  VPSD_PID=$(echo "$r" | /usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin)["pid"])'); PIDS+=("$VPSD_PID")
  api+=($(echo "$r" | /usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin)["api_ms"])'))
  health+=($(echo "$r" | /usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin)["healthz_ms"])'))
  sleep 2; idle=$(rss_mb "$VPSD_PID")
  kill "$VPSD_PID" 2>/dev/null || true
  # Not this shell's child, so not for wait: gone once no process, or only its zombie, is left.
  while [ -e "/proc/$VPSD_PID" ] && [ "$(awk '{print $3}' "/proc/$VPSD_PID/stat" 2>/dev/null)" != Z ]; do sleep 0.05; done
done
vpsd_start "$port" "${args[@]}"
idle=$(rss_mb "$VPSD_PID")
id=$(curl -fs -H "Authorization: Bearer $big" "http://127.0.0.1:$port/api/v1/servers/?page_size=1" | /usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin)["results"][0]["id"])')
wrk -t2 -c64 -d15s -H "Authorization: Bearer $big" "http://127.0.0.1:$port/api/v1/servers/$id/" >/dev/null &
w1=$!
max=$idle
for _ in $(seq 1 15); do sleep 1; r=$(rss_mb "$VPSD_PID"); [ "$r" -gt "$max" ] && max=$r; done
wait $w1
wrk -t2 -c64 -d15s -H "Authorization: Bearer $big" "http://127.0.0.1:$port/api/v1/servers/?page_size=50" >/dev/null &
w2=$!
for _ in $(seq 1 15); do sleep 1; r=$(rss_mb "$VPSD_PID"); [ "$r" -gt "$max" ] && max=$r; done
wait $w2
vpsd_stop
/usr/bin/python3 - "$kind" "${api[*]}" "${health[*]}" "$idle" "$max" <<'PY' | tee -a "$out"
import json, sys
kind, api, health, idle, peak = sys.argv[1], sorted(map(int, sys.argv[2].split())), sorted(map(int, sys.argv[3].split())), int(sys.argv[4]), int(sys.argv[5])
print(json.dumps({"scenario": "process", "db": kind, "startup_ms": api[len(api) // 2], "startup_runs_ms": api,
                  "healthz_ms": health[len(health) // 2], "idle_rss_mb": idle, "max_rss_mb": peak}))
PY
