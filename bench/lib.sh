# Sourced by the bench scripts. Everything they need is installed here from Debian's packages.
set -euo pipefail
BENCH="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$BENCH/.." && pwd)"
source "$ROOT/scripts/lib/env.sh"
source "$ROOT/scripts/lib/postgres.sh"
WORK="$BENCH/.work"
RUNS=${RUNS:-3}            # runs per figure; the median is reported
DURATION=${DURATION:-10}   # seconds per wrk run
CONNECTIONS=${CONNECTIONS:-64}
WRK_THREADS=${WRK_THREADS:-2}
export VPSD_BENCH="$BENCH"
PIDS=()
DBS=()

bench_init() {
  mkdir -p "$WORK" "$BENCH/results"
  vpsd_find_jdk
  vpsd_ensure_maven
  local missing=()
  command -v wrk >/dev/null || missing+=(wrk)
  command -v nginx >/dev/null || missing+=(nginx-light)
  command -v curl >/dev/null || missing+=(curl)
  [ -x /usr/bin/python3 ] || missing+=(python3)
  if [ ${#missing[@]} -gt 0 ]; then
    echo "Installing ${missing[*]}..." >&2
    DEBIAN_FRONTEND=noninteractive apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
  fi
  if vpsd_needs_build "$ROOT"; then (cd "$ROOT" && mvn -q -B -Dstyle.color=never -DskipTests package -pl cli -am) >&2; fi
  JAR="$ROOT/cli/target/vpsd.jar"
  trap bench_cleanup EXIT
}

bench_cleanup() {
  for p in "${PIDS[@]:-}"; do [ -n "$p" ] && kill -9 "$p" 2>/dev/null || true; done
  [ -f "$WORK/nginx/nginx.pid" ] && nginx -c "$WORK/nginx/nginx.conf" -s stop 2>/dev/null || true
  # KEEP_DB=1 keeps the PostgreSQL databases, to look into after the run (drop them by hand).
  if [ "${KEEP_DB:-0}" = 1 ]; then echo "kept: ${DBS[*]:-}" >&2; return; fi
  for db in "${DBS[@]:-}"; do [ -n "$db" ] && vpsd_pg_psql -c "DROP DATABASE IF EXISTS $db WITH (FORCE)" >/dev/null 2>&1 || true; done
}

machine_info() {
  echo "$(date -u +%Y-%m-%dT%H:%M:%SZ) $(nproc) cores, $(awk '/MemTotal/ {printf "%d GiB", $2/1048576}' /proc/meminfo),"\
    "$(awk -F': ' '/model name/ {print $2; exit}' /proc/cpuinfo), $(uname -r), $("$JAVA_HOME/bin/java" -version 2>&1 | head -1)"
}

# db_args KIND NAME: sets DB_ARGS for vpsd (h2: a fresh data dir; pg: a fresh database, dropped at exit).
db_args() {
  local kind=$1 name=$2
  rm -rf "$WORK/$name"
  mkdir -p "$WORK/$name"
  if [ "$kind" = pg ]; then
    vpsd_pg_ensure
    local db="vpsd_bench_${name//-/_}_$$"
    vpsd_pg_psql -c "DROP DATABASE IF EXISTS $db WITH (FORCE)" >/dev/null
    vpsd_pg_psql -c "CREATE DATABASE $db" >/dev/null
    DBS+=("$db")
    DB_ARGS=(--data "$WORK/$name" --database "jdbc:postgresql://127.0.0.1:5432/$db?user=postgres")
  else
    DB_ARGS=(--data "$WORK/$name")
  fi
}

vpsd_cmd() { "$JAVA_HOME/bin/java" --enable-native-access=ALL-UNNAMED $(vpsd_jvm_opts "$1") -jar "$JAR" "$@"; }

# vpsd_start PORT ARGS...: starts `vpsd serve`, waits for /healthz, sets VPSD_PID and STARTUP_MS.
# The first start after a build writes serve's start-up archive (see scripts/lib/env.sh); so that
# STARTUP_MS is what every later restart takes, that first start is made and stopped beforehand.
vpsd_start() {
  local port=$1; shift
  if [ "${VPSD_CDS:-1}" != 0 ] && { [ ! -f "$(vpsd_archive serve)" ] || [ "$JAR" -nt "$(vpsd_archive serve)" ]; }; then
    VPSD_CDS_WARMUP=1 _vpsd_launch "$port" "$@" && vpsd_stop
  fi
  _vpsd_launch "$port" "$@"
}

_vpsd_launch() {
  local port=$1; shift
  local t0
  # A vpsd that is still stopping (the run that writes the start-up archive takes seconds to exit)
  # must not answer for the new one: wait until nothing listens on the port.
  for _ in $(seq 1 300); do
    curl -s -o /dev/null "http://127.0.0.1:$port/healthz" || break
    sleep 0.1
  done
  if curl -s -o /dev/null "http://127.0.0.1:$port/healthz"; then echo "port $port is still in use" >&2; return 1; fi
  t0=$(date +%s%N)
  "$JAVA_HOME/bin/java" --enable-native-access=ALL-UNNAMED $(vpsd_jvm_opts serve) -jar "$JAR" serve --port "$port" "$@" \
    >"$WORK/vpsd-$port.out" 2>"$WORK/vpsd-$port.err" &
  VPSD_PID=$!
  PIDS+=("$VPSD_PID")
  for _ in $(seq 1 600); do
    if curl -fs -o /dev/null "http://127.0.0.1:$port/healthz"; then
      STARTUP_MS=$(( ($(date +%s%N) - t0) / 1000000 ))
      # PROFILE=FILE.jfr records the run with Java Flight Recorder (profile settings), dumped at vpsd_stop
      [ -n "${PROFILE:-}" ] && [ -z "${VPSD_CDS_WARMUP:-}" ] && "$JAVA_HOME/bin/jcmd" "$VPSD_PID" JFR.start name=bench settings=profile >/dev/null
      return 0
    fi
    kill -0 "$VPSD_PID" 2>/dev/null || break
    sleep 0.02
  done
  echo "vpsd did not start:" >&2; cat "$WORK/vpsd-$port.err" >&2; return 1
}

vpsd_stop() {
  if [ -n "${PROFILE:-}" ] && [ -z "${VPSD_CDS_WARMUP:-}" ]; then
    "$JAVA_HOME/bin/jcmd" "$VPSD_PID" JFR.dump name=bench filename="$PROFILE" >/dev/null && echo "profile: $PROFILE" >&2
  fi
  kill "$VPSD_PID" 2>/dev/null || true; wait "$VPSD_PID" 2>/dev/null || true
}

rss_mb() { awk '/VmRSS/ {printf "%d", $2/1024}' "/proc/$1/status"; }
cpu_seconds() { awk '{printf "%.2f", ($14 + $15) / 100}' "/proc/$1/stat"; }
# machine_ticks: the machine's busy and total CPU ticks since boot ("BUSY TOTAL"; idle and I/O wait are not busy).
machine_ticks() { awk '/^cpu / {t = 0; for (i = 2; i <= NF; i++) t += $i; printf "%d %d", t - $5 - $6, t; exit}' /proc/stat; }
# jit_seconds PID: the CPU seconds of the JVM's JIT compiler threads ("C1 CompilerThre", "C2 CompilerThre").
jit_seconds() {
  local t s=0
  for t in /proc/"$1"/task/*; do
    case "$(cat "$t/comm" 2>/dev/null)" in
      C1\ Compiler*|C2\ Compiler*) s=$((s + $(awk '{print $14 + $15}' "$t/stat" 2>/dev/null || echo 0))) ;;
    esac
  done
  awk -v s="$s" 'BEGIN {printf "%.2f", s / 100}'
}

# nginx_serve FILE: serves FILE's exact bytes as application/json at http://127.0.0.1:18999/body
nginx_serve() {
  mkdir -p "$WORK/nginx/root"
  cp "$1" "$WORK/nginx/root/body"
  cat >"$WORK/nginx/nginx.conf" <<NGINX
worker_processes auto;
pid $WORK/nginx/nginx.pid;
error_log $WORK/nginx/error.log;
events { worker_connections 4096; }
http {
  access_log off;
  default_type application/json;
  keepalive_requests 10000000;
  server { listen 127.0.0.1:18999; root $WORK/nginx/root; location / { } }
}
NGINX
  if [ -f "$WORK/nginx/nginx.pid" ] && kill -0 "$(cat "$WORK/nginx/nginx.pid")" 2>/dev/null; then
    nginx -c "$WORK/nginx/nginx.conf" -s reload
  else
    nginx -c "$WORK/nginx/nginx.conf"
  fi
  sleep 0.3
}

nginx_stop() { nginx -c "$WORK/nginx/nginx.conf" -s stop 2>/dev/null || true; rm -f "$WORK/nginx/nginx.pid"; }

# wrk_median URL [SCRIPT]: a short warm-up, then RUNS runs; prints the median run as JSON (by rps).
# With CPU_PID set, each run also measures that process's CPU (user + system) per request
# (cpu_us_per_request of the median run).
# VPSD_TOKEN (and VPSD_IDS for the scripts) must be exported; HEADER_TOKEN=1 adds the bearer header.
# warm_until_steady URL: wrk (the scenarios' settings, the bench token) in 5 s runs until one run's rate is
# within 3% of the run before, at most 12 runs (60 s). A fixed 10 s was not enough on 2 cores: the JIT's
# compiler threads share them with the load, and the page's rate still rose from run to run of a scenario.
warm_until_steady() {
  local url=$1 prev=0 rps i
  for i in $(seq 1 12); do
    rps=$(wrk -t"$WRK_THREADS" -c"$CONNECTIONS" -d5s -H "Authorization: Bearer $VPSD_TOKEN" "$url" \
      | awk '/Requests\/sec/ {printf "%d", $2}')
    rps=${rps:-0}
    echo "warm-up $url: ${rps}/s" >&2
    if [ "$prev" -gt 0 ] && [ $(( (rps > prev ? rps - prev : prev - rps) * 100 )) -lt $(( prev * 3 )) ]; then return 0; fi
    prev=$rps
  done
}

wrk_median() {
  local url=$1 script=${2:-}
  local args=(-t"$WRK_THREADS" -c"$CONNECTIONS" --latency)
  [ -n "$script" ] && args+=(-s "$BENCH/wrk/$script")
  [ "${HEADER_TOKEN:-0}" = 1 ] && args+=(-H "Authorization: Bearer $VPSD_TOKEN")
  wrk "${args[@]}" -d"${WARMUP:-8}s" "$url" >/dev/null
  local results=() t0 t1
  for _ in $(seq 1 "$RUNS"); do
    t0=$(cpu_ticks "${CPU_PID:-}")
    results+=("$(wrk "${args[@]}" -d"${DURATION}s" "$url" | /usr/bin/python3 "$BENCH/wrkparse.py")")
    t1=$(cpu_ticks "${CPU_PID:-}")
    results[-1]="${results[-1]%\}}, \"cpu_ticks\": $(( t1 - t0 ))}"
  done
  printf '%s\n' "${results[@]}" | /usr/bin/python3 -c '
import json, os, sys
tick_us = 1e6 / os.sysconf("SC_CLK_TCK")
runs = sorted((json.loads(l) for l in sys.stdin if l.strip()), key=lambda r: r["rps"])
m = runs[len(runs) // 2]
m["runs_rps"] = [r["rps"] for r in runs]
# The CPU of the process CPU_PID names (vpsd) per request: it moves less with the host than a rate does.
m["cpu_us_per_request"] = round(m["cpu_ticks"] * tick_us / m["requests"], 1) if m["requests"] and m["cpu_ticks"] > 0 else None
del m["cpu_ticks"]
print(json.dumps(m))'
}

# cpu_ticks PID: the user and system CPU time PID has used, in clock ticks (0 without a PID).
cpu_ticks() {
  if [ -n "${1:-}" ] && [ -r "/proc/$1/stat" ]; then
    # Fields after the command name, which is in parentheses and may hold spaces: utime is the 12th, stime the 13th.
    sed 's/^.*) //' "/proc/$1/stat" | awk '{print $12 + $13}'
  else
    echo 0
  fi
}
