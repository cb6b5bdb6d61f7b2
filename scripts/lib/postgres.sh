# Sourced by ./run-tests and the bench scripts: makes sure a PostgreSQL server answers on
# 127.0.0.1:5432, starting the installed cluster or installing Debian's package where needed.

vpsd_pg_ready() {
  pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null
}

vpsd_pg_ensure() {
  if command -v pg_isready >/dev/null 2>&1 && vpsd_pg_ready; then
    return 0
  fi
  if ! ls /etc/postgresql/*/main >/dev/null 2>&1; then
    if [ "$(id -u)" != 0 ]; then
      echo "PostgreSQL is not reachable on 127.0.0.1:5432 and I am not root to install it." >&2
      return 1
    fi
    echo "Installing PostgreSQL from Debian's packages..." >&2
    DEBIAN_FRONTEND=noninteractive apt-get update -qq >&2
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >&2
    local conf
    conf=$(ls -d /etc/postgresql/*/main | head -1)
    # Local trust authentication on loopback, as on the development machines.
    sed -i -E 's/^(host\s+all\s+all\s+127\.0\.0\.1\/32\s+)\S+/\1trust/; s/^(host\s+all\s+all\s+::1\/128\s+)\S+/\1trust/; s/^(local\s+all\s+all\s+)\S+/\1trust/' "$conf/pg_hba.conf"
  fi
  local version
  version=$(ls /etc/postgresql | sort -V | tail -1)
  echo "Starting PostgreSQL $version..." >&2
  pg_ctlcluster --skip-systemctl-redirect "$version" main start >&2 || true
  for _ in $(seq 1 30); do
    vpsd_pg_ready && return 0
    sleep 1
  done
  echo "PostgreSQL did not come up on 127.0.0.1:5432." >&2
  return 1
}

vpsd_pg_psql() {
  psql -v ON_ERROR_STOP=1 -q -h 127.0.0.1 -U postgres -d postgres "$@"
}
