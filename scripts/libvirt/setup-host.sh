#!/usr/bin/env bash
# Prepares this machine to run QEMU guests through libvirt, without systemd. Idempotent; run as root.
#  - installs (apt-get --no-install-recommends, only what is missing) QEMU, libvirt, dnsmasq-base,
#    and what build-image.sh, make-seed.sh and smoke.sh need (mmdebstrap, e2fsprogs, xz-utils,
#    genisoimage, openssh-client, iproute2);
#  - gives /dev/kvm the group and mode Debian's udev rules would (root:kvm 0660), if it exists:
#    otherwise libvirtd finds KVM "enabled when probing but not available now" on every call,
#    throws its QEMU capabilities cache away and probes QEMU again, which makes each
#    `virsh start` (or virDomainCreate) take 3-4 s longer. Domains stay type 'qemu' (TCG);
#  - starts virtlogd and libvirtd as daemons if they are not running and waits until
#    `virsh -c qemu:///system version` answers;
#  - defines, builds, starts and autostarts the directory storage pool `vpsd` if missing.
# Environment: VPSD_POOL_NAME (default vpsd), VPSD_POOL_DIR (default /var/lib/vpsd/pool).
set -euo pipefail

POOL_NAME=${VPSD_POOL_NAME:-vpsd}
POOL_DIR=${VPSD_POOL_DIR:-/var/lib/vpsd/pool}
URI=qemu:///system
say() { echo "setup-host: $*"; }
t0=$(date +%s.%N)
elapsed() { awk -v a="$1" -v b="$(date +%s.%N)" 'BEGIN {printf "%.1f", b - a}'; }

if [ "$(id -u)" != 0 ]; then
  echo "setup-host: must run as root" >&2
  exit 1
fi

# 1. Packages. A package counts as present when dpkg says "install ok installed".
packages=(qemu-system-x86 qemu-utils libvirt-daemon-system libvirt-clients dnsmasq-base
          mmdebstrap genisoimage e2fsprogs xz-utils openssh-client iproute2)
missing=()
for p in "${packages[@]}"; do
  if [ "$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null)" != "install ok installed" ]; then
    missing+=("$p")
  fi
done
if [ ${#missing[@]} -gt 0 ]; then
  say "installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  log=$(mktemp)
  if ! { apt-get update -qq && apt-get install -y -qq --no-install-recommends "${missing[@]}"; } >"$log" 2>&1; then
    cat "$log" >&2
    rm -f "$log"
    exit 1
  fi
  rm -f "$log"
  say "packages installed in $(elapsed "$t0") s"
else
  say "packages already installed"
fi

# 2. /dev/kvm as udev would set it (no udev here), before libvirtd probes QEMU.
if [ -c /dev/kvm ] && getent group kvm >/dev/null; then
  if [ "$(stat -c %G:%a /dev/kvm)" != kvm:660 ]; then
    chgrp kvm /dev/kvm && chmod 0660 /dev/kvm
    say "/dev/kvm set to root:kvm 0660 (as Debian's udev rules do), so that libvirtd keeps its capabilities cache"
  fi
fi

# 3. Daemons. Without systemd nothing starts them; virtlogd must run before a domain can start
#    ("Failed to connect socket to '/run/libvirt/virtlogd-sock'").
mkdir -p /var/log/libvirt /run/libvirt
pid_alive() { [ -s "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null; }
if pid_alive /run/virtlogd.pid || pgrep -x virtlogd >/dev/null; then
  say "virtlogd already running"
else
  virtlogd -d
  say "started virtlogd"
fi
if pid_alive /run/libvirtd.pid || pgrep -x libvirtd >/dev/null; then
  say "libvirtd already running"
else
  # Start-up complaints about D-Bus, DMI and dmidecode are harmless here; keep them out of the way.
  libvirtd -d 2>>/var/log/libvirt/libvirtd-stderr.log
  say "started libvirtd (its stderr goes to /var/log/libvirt/libvirtd-stderr.log)"
fi
version=""
for i in $(seq 1 100); do
  if version=$(virsh -c "$URI" version 2>/dev/null); then break; fi
  if [ "$i" = 100 ]; then
    echo "setup-host: libvirtd does not answer on $URI after 20 s" >&2
    virsh -c "$URI" version >&2 || true
    exit 1
  fi
  sleep 0.2
done
say "$(echo "$version" | grep -E 'Running hypervisor|Using library' | tr -s ' ' | paste -sd ';' -)"

# 4. Storage pool.
if ! virsh -c "$URI" pool-info "$POOL_NAME" >/dev/null 2>&1; then
  mkdir -p "$POOL_DIR"
  virsh -c "$URI" pool-define-as "$POOL_NAME" dir --target "$POOL_DIR" >/dev/null
  virsh -c "$URI" pool-build "$POOL_NAME" >/dev/null
  virsh -c "$URI" pool-autostart "$POOL_NAME" >/dev/null
  say "defined storage pool $POOL_NAME at $POOL_DIR"
fi
if [ "$(virsh -c "$URI" pool-info "$POOL_NAME" | awk '/^State:/ {print $2}')" != running ]; then
  mkdir -p "$(virsh -c "$URI" pool-dumpxml "$POOL_NAME" | sed -n 's:.*<path>\(.*\)</path>.*:\1:p' | head -1)"
  virsh -c "$URI" pool-start "$POOL_NAME" >/dev/null
  say "started storage pool $POOL_NAME"
else
  say "storage pool $POOL_NAME already running"
fi
virsh -c "$URI" pool-refresh "$POOL_NAME" >/dev/null
say "done in $(elapsed "$t0") s"
