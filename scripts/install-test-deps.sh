#!/usr/bin/env bash
# Installs what the tests need beyond the JDK and Maven, from Debian's packages, if missing:
# the documentation snippets' runtimes (curl, Python 3 with requests, Node.js, PHP with curl)
# and PostgreSQL's client tools. Idempotent; needs root to install.
set -euo pipefail
missing=()
command -v curl >/dev/null 2>&1 || missing+=(curl)
/usr/bin/python3 -c 'import requests' >/dev/null 2>&1 || missing+=(python3 python3-requests)
command -v node >/dev/null 2>&1 || missing+=(nodejs)
command -v php >/dev/null 2>&1 || missing+=(php-cli)
if ! php -r 'exit(function_exists("curl_init") ? 0 : 1);' >/dev/null 2>&1; then missing+=(php-curl); fi
command -v psql >/dev/null 2>&1 || missing+=(postgresql-client)
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi
if [ "$(id -u)" != 0 ]; then
  echo "The tests need these packages: ${missing[*]} (run as root, or install them)." >&2
  exit 1
fi
echo "Installing test dependencies: ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
log=$(mktemp)
if ! { apt-get update -qq && apt-get install -y -qq --no-install-recommends "${missing[@]}"; } >"$log" 2>&1; then
  cat "$log" >&2
  exit 1
fi
rm -f "$log"
