#!/usr/bin/env bash
# Figures for the replicas issue, on a throwaway PostgreSQL database:
#  1. lifecycle operations per second that one replica sustains, then two together;
#  2. how long a killed replica's claimed work waits before another replica takes it over.
# Usage: bench/replicas.sh [SERVERS] [THREADS]     (defaults 240 and 48)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
source "$root/scripts/lib/env.sh"
source "$root/scripts/lib/postgres.sh"
vpsd_find_jdk
vpsd_ensure_maven
vpsd_pg_ensure
servers=${1:-240}
threads=${2:-48}
work="$root/bench/.work/replicas"
rm -rf "$work" && mkdir -p "$work"
if vpsd_needs_build "$root"; then (cd "$root" && mvn -q -B -DskipTests package -pl cli -am); fi
jar="$root/cli/target/vpsd.jar"

pids=()
cleanup() {
  for p in "${pids[@]:-}"; do kill -9 "$p" 2>/dev/null || true; done
  vpsd_pg_psql -c "DROP DATABASE IF EXISTS $db WITH (FORCE)" >/dev/null 2>&1 || true
}
trap cleanup EXIT

replica() { # NAME PORT LEASE [TIME_SCALE] -> starts a replica, waits for /healthz
  "$JAVA_HOME/bin/java" --enable-native-access=ALL-UNNAMED -jar "$jar" serve --port "$2" --data "$work/$1" \
    --database "$url" --sim-time-scale "${4:-1000}" --lease "$3" >"$work/$1.out" 2>"$work/$1.err" &
  pids+=($!)
  for _ in $(seq 1 100); do curl -fs "http://127.0.0.1:$2/healthz" >/dev/null 2>&1 && return 0; sleep 0.2; done
  echo "replica $1 did not start" >&2; cat "$work/$1.err" >&2; exit 1
}

run_load() { # LABEL URL...
  local token
  token=$(curl -fs -X POST "$1/admin/v1/accounts/" -H "Authorization: Bearer $admin" -H "Content-Type: application/json" \
    -d "{\"name\": \"bench-$RANDOM$RANDOM\", \"credit\": 100000}" | python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])')
  /usr/bin/python3 "$root/bench/replicas.py" "$token" "$servers" "$threads" "$@"
}

echo "== lifecycle throughput ($servers servers x 6 operations, $threads clients) =="
db="vpsd_bench_$$"; vpsd_pg_psql -c "CREATE DATABASE $db"
url="jdbc:postgresql://127.0.0.1:5432/$db?user=postgres"
replica a 18301 PT30S
admin=$(grep -o 'vpsdadm_[A-Za-z0-9_-]*' "$work/a.out")
echo "one replica:  $(run_load http://127.0.0.1:18301 http://127.0.0.1:18301)"
replica b 18302 PT30S
echo "two replicas: $(run_load http://127.0.0.1:18301 http://127.0.0.1:18302)"
for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; pids=()

echo "== takeover of a killed replica's work (lease PT10S) =="
# Provisioning takes 2-5 minutes / 20 here, so the killed replica is in the middle of its steps.
replica a2 18303 PT10S 20
replica b2 18304 PT10S 20
token=$(curl -fs -X POST "http://127.0.0.1:18303/admin/v1/accounts/" -H "Authorization: Bearer $admin" \
  -H "Content-Type: application/json" -d '{"name": "takeover", "credit": 100000}' | python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])')
# 200 creates at once, then SIGKILL a2 while it is busy provisioning them, and watch how long the
# tasks it had claimed stay claimed (until their lease expires) and when all servers are active.
curls=()
for i in $(seq 1 200); do
  curl -fs -o /dev/null -X POST "http://127.0.0.1:18303/api/v1/servers/" -H "Authorization: Bearer $token" \
    -H "Content-Type: application/json" -d "{\"name\": \"t-$i\", \"plan_id\": 1, \"os_id\": 5, \"location\": \"us-west\"}" &
  curls+=($!)
done
wait "${curls[@]}"
a2_pid=${pids[0]}
replica_id=$(grep -o 'replica [^)]*' "$work/a2.err" | head -1 | awk '{print $2}')
# A replica holds a claim only while it runs a step (waiting for a guest holds none): kill it at a
# moment when it holds some.
held=0
for _ in $(seq 1 400); do
  held=$(vpsd_pg_psql -d "$db" -Atc "SELECT COUNT(*) FROM server_tasks WHERE lease_owner LIKE '$replica_id#%'")
  [ "$held" -gt 0 ] && break
  sleep 0.02
done
kill -9 "$a2_pid"
killed=$(date +%s.%N)
echo "killed replica $replica_id holding $held claim(s)"
while [ "$(vpsd_pg_psql -d "$db" -Atc "SELECT COUNT(*) FROM server_tasks WHERE lease_owner LIKE '$replica_id#%'")" != 0 ]; do
  sleep 0.1
done
taken=$(date +%s.%N)
python3 -c "print('dead replica\'s claims released or taken over after %.1f s' % ($taken - $killed))"
pending=1
while [ "$pending" != 0 ]; do
  pending=$(vpsd_pg_psql -d "$db" -Atc "SELECT COUNT(*) FROM server_tasks")
  sleep 0.2
done
done_at=$(date +%s.%N)
python3 -c "print('all 200 servers provisioned %.1f s after the kill' % ($done_at - $killed))"
