#!/usr/bin/env bash
# HTTP figures on a seeded fleet (100,000 servers across 1,000 accounts, one holding 10,000), each
# next to the nginx ceiling for the same bytes under the same wrk settings.
#   bench/http.sh [h2|pg]        (default h2; RUNS, DURATION, CONNECTIONS override the defaults;
#                                 SCENARIOS="detail create ..." runs only those)
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
kind=${1:-h2}
bench_init
db_args "$kind" "http-$kind"
out="$BENCH/results/http-$kind-$(date -u +%Y%m%dT%H%M%SZ).jsonl"
echo "machine: $(machine_info)" >&2

vpsd_cmd catalog apply "$BENCH/catalog.yaml" "${DB_ARGS[@]}" >/dev/null
t0=$(date +%s%N)
vpsd_cmd seed-fleet --accounts 1000 --servers 100000 --big-account 10000 --tokens-file "$WORK/tokens-$kind.txt" "${DB_ARGS[@]}" >/dev/null
echo "seeded 100,000 servers in $(( ($(date +%s%N) - t0) / 1000000 )) ms" >&2
creator=$(vpsd_cmd accounts create "bench-creator-$$" --credit 100000000 "${DB_ARGS[@]}" | tail -1)
big=$(head -1 "$WORK/tokens-$kind.txt" | cut -f2)

# The fleet-wide sweeps (usage of every machine, reconciliation) first run one interval after the start;
# at 300 s they fell into the PATCH runs (about 5 minutes in) and stalled H2's writes. The run takes about
# 10 minutes: an hour keeps them out of every scenario.
vpsd_start 18080 "${DB_ARGS[@]}" --sim-time-scale 1000000 --reconcile-interval PT1H --usage-interval PT1H
base=http://127.0.0.1:18080
idle_rss=$(rss_mb "$VPSD_PID")
echo "started in ${STARTUP_MS} ms, idle RSS ${idle_rss} MB" >&2
max_rss=$idle_rss

# scenario NAME METHOD PATH SCRIPT TOKEN [IDS]
scenario() {
  local name=$1 method=$2 path=$3 script=$4 token=$5 ids=${6:-}
  if [ -n "${SCENARIOS:-}" ] && [[ " $SCENARIOS " != *" $name "* ]]; then return 0; fi
  export VPSD_TOKEN=$token VPSD_IDS=$ids
  local sample
  if [ "$method" = GET ]; then
    sample=$(curl -fs -H "Authorization: Bearer $token" "$base$path")
  elif [ "$name" = create ] || [ "$name" = create-many ]; then
    sample=$(curl -fs -X POST -H "Authorization: Bearer $token" -H "Content-Type: application/json" \
      -d '{"name":"sample-'$name-$$'","plan_id":1,"os_id":5,"location":"bench"}' "$base$path")
  else
    sample=$(curl -fs -X "$method" -H "Authorization: Bearer $token" -H "Content-Type: application/json" \
      ${BODY:+-d "$BODY"} "$base$path")
  fi
  printf '%s' "$sample" >"$WORK/sample-$name.json"
  nginx_serve "$WORK/sample-$name.json"
  local ceiling vpsd
  ceiling=$(HEADER_TOKEN=0 wrk_median "http://127.0.0.1:18999/body")
  if [ -n "$script" ]; then
    vpsd=$(CPU_PID=$VPSD_PID HEADER_TOKEN=0 wrk_median "$base" "$script")
  else
    vpsd=$(CPU_PID=$VPSD_PID HEADER_TOKEN=1 wrk_median "$base$path")
  fi
  local rss
  rss=$(rss_mb "$VPSD_PID"); [ "$rss" -gt "$max_rss" ] && max_rss=$rss
  /usr/bin/python3 - "$name" "$kind" "$(wc -c <"$WORK/sample-$name.json")" "$ceiling" "$vpsd" "$rss" <<'PY' | tee -a "$out"
import json, sys
name, kind, size, ceiling, vpsd, rss = sys.argv[1], sys.argv[2], int(sys.argv[3]), json.loads(sys.argv[4]), json.loads(sys.argv[5]), int(sys.argv[6])
print(json.dumps({"scenario": name, "db": kind, "bytes": size, "nginx_rps": ceiling["rps"], "vpsd_rps": vpsd["rps"],
                  "ratio": round(vpsd["rps"] / ceiling["rps"], 3), "p50_ms": vpsd["p50_ms"], "p99_ms": vpsd["p99_ms"],
                  "vpsd_cpu_us": vpsd["cpu_us_per_request"], "non_2xx": vpsd["non_2xx"], "socket_errors": vpsd["socket_errors"],
                  "runs_rps": vpsd["runs_rps"],
                  "rss_mb": rss}))
PY
}

# Warm the JIT on every path first, until its rate is steady: a JVM's first seconds say little about
# its steady state.
export VPSD_TOKEN=$big VPSD_IDS=1-10000
for path in /api/v1/servers/5000/ "/api/v1/servers/?page_size=50" "/api/v1/servers/?page_size=50&status=active"; do
  warm_until_steady "$base$path"
done
wrk -t2 -c64 -d10s -s "$BENCH/wrk/patch.lua" "$base" >/dev/null

scenario detail GET /api/v1/servers/5000/ "" "$big"
scenario page GET "/api/v1/servers/?page_size=50" "" "$big"
scenario page-status GET "/api/v1/servers/?page_size=50&status=active" "" "$big"
BODY='{"backups_enabled":true}' scenario patch PATCH /api/v1/servers/5000/ patch.lua "$big" 1-10000
scenario reboot POST /api/v1/servers/4999/reboot/ reboot.lua "$big" 1-9998
scenario create POST /api/v1/servers/ create.lua "$creator"
# Many customers at once: the same creates spread over 64 of the fleet's accounts (one account's creates
# all charge its balance row; see RESULTS.md).
sed -n '2,65p' "$WORK/tokens-$kind.txt" | cut -f2 >"$WORK/tokens-$kind-64.txt"
export VPSD_TOKENS_FILE="$WORK/tokens-$kind-64.txt"
scenario create-many POST /api/v1/servers/ create-many.lua "$creator"
nginx_stop
echo "{\"scenario\": \"process\", \"db\": \"$kind\", \"startup_ms\": $STARTUP_MS, \"idle_rss_mb\": $idle_rss, \"max_rss_mb\": $max_rss}" | tee -a "$out"
vpsd_stop
echo "results: $out" >&2
