# Sourced by ./vpsd, ./run-tests and the bench scripts. Finds a JDK of version 21 or newer and
# Maven, installing Maven from Debian's packages when it is missing (root only).

vpsd_java_major() {
  "$1/bin/java" -XshowSettings:properties -version 2>&1 | awk -F'= ' '/java.specification.version/ {print $2; exit}' | cut -d. -f1
}

# Sets JAVA_HOME to the newest JDK >= 21 among $VPSD_JAVA_HOME, $JAVA_HOME, /usr/lib/jvm/* and the java on PATH.
vpsd_find_jdk() {
  local best="" best_major=0 candidate major
  local candidates=("${VPSD_JAVA_HOME:-}" "${JAVA_HOME:-}")
  for candidate in /usr/lib/jvm/* /opt/java/* /opt/jdk*; do candidates+=("$candidate"); done
  if command -v java >/dev/null 2>&1; then
    candidates+=("$(dirname "$(dirname "$(readlink -f "$(command -v java)")")")")
  fi
  for candidate in "${candidates[@]}"; do
    [ -n "$candidate" ] && [ -x "$candidate/bin/java" ] && [ -x "$candidate/bin/javac" ] || continue
    major=$(vpsd_java_major "$candidate")
    [[ "$major" =~ ^[0-9]+$ ]] || continue
    if [ "$major" -ge 21 ] && [ "$major" -gt "$best_major" ]; then
      best="$candidate"; best_major="$major"
    fi
  done
  if [ -z "$best" ]; then
    echo "vpsd needs a JDK 21 or newer (none found in \$JAVA_HOME, /usr/lib/jvm or on PATH)." >&2
    echo "Install one (e.g. Temurin 21 or 25) and set VPSD_JAVA_HOME to it." >&2
    return 1
  fi
  export JAVA_HOME="$best"
  export PATH="$JAVA_HOME/bin:$PATH"
  # Maven's own Guava warns about sun.misc.Unsafe on JDK 24+; the warning is noise for us.
  if [ "$best_major" -ge 24 ] && [[ "${MAVEN_OPTS:-}" != *sun-misc-unsafe* ]]; then
    export MAVEN_OPTS="${MAVEN_OPTS:-} --sun-misc-unsafe-memory-access=allow"
  fi
  export VPSD_JAVA_MAJOR="$best_major"
}

vpsd_ensure_maven() {
  if ! command -v mvn >/dev/null 2>&1; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
      echo "Installing Maven from Debian's packages..." >&2
      DEBIAN_FRONTEND=noninteractive apt-get update -qq >&2 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq maven >&2
    else
      echo "vpsd needs Maven (mvn) to build; install it." >&2
      return 1
    fi
  fi
}

# True when the runnable jar is missing or older than any source or build file.
vpsd_needs_build() {
  local root="$1" jar="$1/cli/target/vpsd.jar"
  [ -f "$jar" ] || return 0
  [ -n "$(find "$root/pom.xml" "$root"/*/pom.xml "$root"/*/src/main -newer "$jar" -print -quit 2>/dev/null)" ]
}

# The JVM options vpsd runs with (./vpsd and the benchmarks): VPSD_JAVA_OPTS replaces them.
# A 96 MB heap with the serial collector keeps the process under 300 MB resident under load. The
# heap is most of it and the serial collector grows it to the maximum before its first full
# collection, although vpsd's live data is small (22 MB after a full collection under load on a
# 100,000-server database; the database keeps its own bounded cache). 80 MB slowed the page path.
VPSD_JVM_OPTS="${VPSD_JAVA_OPTS:--Xms32m -Xmx96m -XX:+UseSerialGC -XX:+ExitOnOutOfMemoryError}"
# glibc gives each thread that allocates natively an arena of its own (up to 8 per core); two are
# plenty for vpsd, and the others only hold resident memory.
export MALLOC_ARENA_MAX="${MALLOC_ARENA_MAX:-2}"
_vpsd_lib="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
VPSD_CDS_DIR="${VPSD_CDS_DIR:-$(dirname "$(dirname "$_vpsd_lib")")/cli/target}"
_vpsd_jar="$(dirname "$(dirname "$_vpsd_lib")")/cli/target/vpsd.jar"

# vpsd_jvm_opts COMMAND: VPSD_JVM_OPTS plus a start-up archive, which the first run of a kind of
# command after a build writes when it exits and later runs map. `serve` on JDK 25 or newer writes
# cli/target/vpsd-serve-JDK.aot, the ahead-of-time cache (JEP 483/514/515: the classes it loaded,
# parsed, verified and linked, and its hot methods' profiles): its first answer on a 100,000-server
# database comes after 0.9 s instead of 1.2 s with a class-data archive and 2.0 s with neither
# (2 cores); the run that writes it takes about 4 s longer to exit and prints what it writes.
# Other commands, and `serve` on JDK 21-24, write a dynamic class-data archive, vpsd-KIND-JDK.jsa,
# silently: a command's output stays its own.
# VPSD_CDS=0: no archive.
vpsd_jvm_opts() {
  local kind=cli
  [ "${1:-}" = serve ] && kind=serve
  if [ "${VPSD_CDS:-1}" = 0 ]; then echo "$VPSD_JVM_OPTS"; return; fi
  local archive
  archive=$(vpsd_archive "$kind")
  # A missing archive is written at exit, but the JVM does not replace one that no longer matches
  # the jar: it only runs without it (2.6 s to the first answer instead of 1.2 s after every build).
  if [ -f "$archive" ] && [ "$_vpsd_jar" -nt "$archive" ]; then rm -f "$archive"; fi
  if [ "${archive##*.}" = jsa ]; then
    echo "$VPSD_JVM_OPTS -XX:SharedArchiveFile=$archive -XX:+AutoCreateSharedArchive -Xlog:cds=off -Xlog:cds+dynamic=off"
  elif [ -f "$archive" ]; then
    echo "$VPSD_JVM_OPTS -XX:AOTCache=$archive -Xlog:aot*=off -Xlog:cds*=off"
  elif _vpsd_claim_training "$archive.training"; then
    echo "$VPSD_JVM_OPTS -XX:AOTCacheOutput=$archive -Xlog:aot*=off -Xlog:cds*=off"
  else
    echo "$VPSD_JVM_OPTS"
  fi
}

# vpsd_archive KIND: the start-up archive's path for KIND and $JAVA_HOME (see vpsd_jvm_opts). One per
# JDK build (a checksum of its release file): a JVM ignores an archive another build wrote, and would
# never replace it.
vpsd_archive() {
  [ -n "${VPSD_JAVA_MAJOR:-}" ] || VPSD_JAVA_MAJOR=$(vpsd_java_major "$JAVA_HOME")
  local jdk ext=jsa
  jdk=$(cksum <"$JAVA_HOME/release" 2>/dev/null | cut -d' ' -f1) || true
  if [ "$1" = serve ] && [ "$VPSD_JAVA_MAJOR" -ge 25 ] 2>/dev/null; then ext=aot; fi
  echo "$VPSD_CDS_DIR/vpsd-$1-${jdk:-jdk}.$ext"
}

# One process at a time writes an ahead-of-time cache: two writing the same file at exit could leave
# a mixed one. The claim is a file holding the claimer's process id ($$: ./vpsd execs java, so it is
# the JVM's own); a claim whose process is gone, or that is older than the jar, is taken over. The
# others run without a cache meanwhile.
_vpsd_claim_training() {
  local claim=$1 pid
  if [ -f "$claim" ]; then
    pid=$(cat "$claim" 2>/dev/null || true)
    if [[ "$pid" =~ ^[0-9]+$ ]] && kill -0 "$pid" 2>/dev/null && [ ! "$_vpsd_jar" -nt "$claim" ]; then return 1; fi
    rm -f "$claim"
  fi
  ( set -o noclobber; echo "$$" >"$claim" ) 2>/dev/null
}
