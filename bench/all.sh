#!/usr/bin/env bash
# Every benchmark, on H2 and on PostgreSQL, one after the other (about 90 minutes on 2 cores).
# Each script appends its figures to bench/results/*.jsonl; bench/summary.py turns them into tables.
#   bench/all.sh [h2|pg ...]
set -uo pipefail
bench="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
kinds=("$@"); [ ${#kinds[@]} -gt 0 ] || kinds=(h2 pg)
for kind in "${kinds[@]}"; do
  "$bench/http.sh" "$kind"
  "$bench/engine.sh" "$kind" 10000
  "$bench/growth.sh" "$kind"
  "$bench/process.sh" "$kind"
done
[[ " ${kinds[*]} " == *" pg "* ]] && "$bench/replicas.sh"
/usr/bin/python3 "$bench/summary.py" "$bench/results"
