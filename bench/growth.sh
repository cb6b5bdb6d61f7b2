#!/usr/bin/env bash
# Growth: the detail and page figures as the fleet grows (1,000, 100,000, 1,000,000 servers by
# default). The account that is read holds 1,000 servers at every size, so the request is the same
# and only the fleet around it grows; each figure is also given next to the nginx ceiling.
#   bench/growth.sh [h2|pg] [SIZES...]      e.g. bench/growth.sh pg 1000 100000 1000000
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
kind=${1:-h2}; shift || true
sizes=("$@"); [ ${#sizes[@]} -gt 0 ] || sizes=(1000 100000 1000000)
bench_init
out="$BENCH/results/growth-$kind-$(date -u +%Y%m%dT%H%M%SZ).jsonl"
echo "machine: $(machine_info)" >&2

measure() { # NAME PATH TOKEN SIZE
  local name=$1 path=$2 token=$3 size=$4 ceiling vpsd
  curl -fs -H "Authorization: Bearer $token" "$base$path" >"$WORK/growth-$name.json"
  nginx_serve "$WORK/growth-$name.json"
  ceiling=$(HEADER_TOKEN=0 wrk_median "http://127.0.0.1:18999/body")
  export VPSD_TOKEN=$token
  vpsd=$(CPU_PID=$VPSD_PID HEADER_TOKEN=1 wrk_median "$base$path")
  /usr/bin/python3 - "$name" "$kind" "$size" "$ceiling" "$vpsd" <<'PY' | tee -a "$out"
import json, sys
name, kind, size, c, v = sys.argv[1], sys.argv[2], int(sys.argv[3]), json.loads(sys.argv[4]), json.loads(sys.argv[5])
print(json.dumps({"scenario": "growth-" + name, "db": kind, "servers": size, "nginx_rps": c["rps"], "vpsd_rps": v["rps"],
                  "ratio": round(v["rps"] / c["rps"], 3), "p50_ms": v["p50_ms"], "p99_ms": v["p99_ms"],
                  "vpsd_cpu_us": v["cpu_us_per_request"], "non_2xx": v["non_2xx"], "runs_rps": v["runs_rps"]}))
PY
}

for size in "${sizes[@]}"; do
  db_args "$kind" "growth-$kind-$size"
  vpsd_cmd catalog apply "$BENCH/catalog.yaml" "${DB_ARGS[@]}" >/dev/null
  accounts=$(( size / 100 > 10 ? size / 100 : 10 ))
  t0=$(date +%s%N)
  vpsd_cmd seed-fleet --accounts "$accounts" --servers "$size" --big-account 1000 \
    --tokens-file "$WORK/growth-tokens.txt" "${DB_ARGS[@]}" >/dev/null
  echo "$size servers seeded in $(( ($(date +%s%N) - t0) / 1000000 )) ms" >&2
  big=$(head -1 "$WORK/growth-tokens.txt" | cut -f2)
  vpsd_start 18081 "${DB_ARGS[@]}" --sim-time-scale 1000000 --reconcile-interval PT0S --usage-interval PT0S
  base=http://127.0.0.1:18081
  # the big account's servers are the first 1,000 ids
  id=$(curl -fs -H "Authorization: Bearer $big" "$base/api/v1/servers/?page_size=1" | /usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin)["results"][0]["id"])')
  for path in "/api/v1/servers/$id/" "/api/v1/servers/?page_size=50"; do   # JIT warm-up
    wrk -t2 -c64 -d10s -H "Authorization: Bearer $big" "$base$path" >/dev/null
  done
  measure detail "/api/v1/servers/$id/" "$big" "$size"
  measure page "/api/v1/servers/?page_size=50" "$big" "$size"
  vpsd_stop
  [ "$kind" = h2 ] && rm -rf "$WORK/growth-$kind-$size"
done
nginx_stop
echo "results: $out" >&2
