#!/usr/bin/env bash
# End-to-end check of a real QEMU guest through libvirt, without vpsd:
#   setup-host.sh, test-network.sh up, build-image.sh (cached), an overlay volume and a NoCloud
#   seed, a domain defined with virsh (type qemu, direct kernel boot), then:
#   virsh start -> SSH answers with the seed's hostname (timed); root filesystem grown to the
#   overlay's size; IPv6 reachable; guest agent answers; virsh shutdown (default mode: the guest
#   agent, as a binding without flags does) -> shut off; start; virsh reboot (default) -> new
#   boot_id; virsh reboot --mode acpi -> new boot_id; virsh shutdown --mode acpi -> shut off;
#   start; poweroff inside the guest -> shut off; start and at once virsh shutdown, repeated every
#   3 s -> shut off. Then everything it created is removed, also when a step fails. Prints a
#   summary with the timings; keeps the serial console log, a timestamped console timeline per
#   boot, the libvirt events and the domain XML in SMOKE_RESULTS.
#
# Run as root. Environment (defaults):
#   VPSD_IMAGE_DIR (/var/lib/vpsd/images/debian-12)  image cache, as build-image.sh OUTPUT_DIR
#   SMOKE_KERNEL (vmlinux)       vmlinux (uncompressed, PVH entry: about 2 s faster under TCG) or
#                                vmlinuz (Debian's bzImage); falls back to vmlinuz if vmlinux is missing
#   SMOKE_CMDLINE (root=/dev/vda console=ttyS0 net.ifnames=0 quiet)  quiet: about 1 s faster
#   SMOKE_BRIDGE (br-vpsdtest), SMOKE_NET (10.77.0.1/24), SMOKE_GUEST_IP (10.77.0.10)
#   SMOKE_MEMORY_MIB (1024), SMOKE_VCPUS (2), SMOKE_DISK (10G), SMOKE_TB_CACHE_MIB (128)
#   SMOKE_BOOT_TIMEOUT (180 s for each wait), SMOKE_RESULTS (/var/tmp/vpsd-smoke: logs kept)
#   SMOKE_KEEP_NETWORK=1         leave the test bridge up at the end
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
URI=qemu:///system
IMAGE_DIR=${VPSD_IMAGE_DIR:-/var/lib/vpsd/images/debian-12}
KERNEL=${SMOKE_KERNEL:-vmlinux}
CMDLINE=${SMOKE_CMDLINE:-root=/dev/vda console=ttyS0 net.ifnames=0 quiet}
BRIDGE=${SMOKE_BRIDGE:-br-vpsdtest}
NET=${SMOKE_NET:-10.77.0.1/24}
GUEST_IP=${SMOKE_GUEST_IP:-10.77.0.10}
MEMORY_MIB=${SMOKE_MEMORY_MIB:-1024}
VCPUS=${SMOKE_VCPUS:-2}
DISK=${SMOKE_DISK:-10G}
TB_CACHE_MIB=${SMOKE_TB_CACHE_MIB:-128}
TIMEOUT=${SMOKE_BOOT_TIMEOUT:-180}
RESULTS=${SMOKE_RESULTS:-/var/tmp/vpsd-smoke}
POOL=${VPSD_POOL_NAME:-vpsd}
NAME=vpsd-smoke
HOSTNAME_SEED=smoke-$(date +%H%M%S)
MAC=52:54:00:77:00:10

prefix=${NET#*/}
gw4=${NET%/*}
IFS=. read -r o1 o2 o3 _ <<<"$gw4"
gw6=fd00:$o1:$o2:$o3::1
guest6=fd00:$o1:$o2:$o3::${GUEST_IP##*.}

virsh() { command virsh -q -c "$URI" "$@"; }
now() { date +%s.%N; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN {printf "%.1f", b - a}'; }
log() { printf '[%6.1f] %s\n' "$(awk -v a="$T_START" -v b="$(now)" 'BEGIN {print b - a}')" "$*" >&2; }
fail() { log "FAILED: $*"; exit 1; }
T_START=$(now)
summary=()
record() { summary+=("$(printf '%-52s %s' "$1" "$2")"); log "$1: $2"; }

if [ "$(id -u)" != 0 ]; then echo "smoke: must run as root" >&2; exit 1; fi
exec 8>/run/vpsd-smoke.lock
flock -n 8 || { echo "smoke: another smoke.sh is running" >&2; exit 1; }

mkdir -p "$RESULTS"
tmp=$(mktemp -d)
network_created=0
serial_log=/var/log/libvirt/qemu/$NAME-serial.log

remove_domain() {
  if virsh dominfo "$NAME" >/dev/null 2>&1; then
    virsh destroy "$NAME" >/dev/null 2>&1 || true
    virsh undefine "$NAME" >/dev/null 2>&1 || true
  fi
  for v in "$NAME.qcow2" "$NAME-seed.iso"; do
    virsh vol-info --pool "$POOL" "$v" >/dev/null 2>&1 && virsh vol-delete --pool "$POOL" "$v" >/dev/null 2>&1 || true
  done
}
cleanup() {
  rc=$?
  set +e
  stop_timeline
  [ -z "${events_pid:-}" ] || kill "$events_pid" 2>/dev/null
  if [ -f "$serial_log" ]; then cp "$serial_log" "$RESULTS/serial.log" 2>/dev/null; fi
  remove_domain
  ip neigh del "$GUEST_IP" dev "$BRIDGE" 2>/dev/null
  ip -6 neigh del "$guest6" dev "$BRIDGE" 2>/dev/null
  if [ "$network_created" = 1 ] && [ "${SMOKE_KEEP_NETWORK:-0}" != 1 ]; then "$here/test-network.sh" down "$BRIDGE" >/dev/null; fi
  rm -rf "$tmp"
  if [ $rc != 0 ]; then
    echo "smoke: FAILED (exit $rc); serial console log: $RESULTS/serial.log, boot timeline: $RESULTS/timeline-*.txt" >&2
  fi
  exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# --- Host, network, image.
t=$(now)
"$here/setup-host.sh" | sed 's/^/  /'
record "setup-host.sh" "$(since "$t") s"
ip link show dev "$BRIDGE" >/dev/null 2>&1 || network_created=1
t=$(now)
"$here/test-network.sh" up "$BRIDGE" "$NET" | sed 's/^/  /'
record "test-network.sh up" "$(since "$t") s"
t=$(now)
"$here/build-image.sh" "$IMAGE_DIR" | sed 's/^/  /'
record "build-image.sh" "$(since "$t") s"
if [ "$KERNEL" = vmlinux ] && [ ! -f "$IMAGE_DIR/vmlinux" ]; then KERNEL=vmlinuz; fi
[ -f "$IMAGE_DIR/$KERNEL" ] || fail "$IMAGE_DIR/$KERNEL is missing"

# Leftovers of an earlier run that could not clean up (killed with SIGKILL, power cut).
remove_domain

# --- Key, seed, volumes.
ssh-keygen -q -t ed25519 -N '' -C smoke -f "$tmp/key"
SSH=(ssh -i "$tmp/key" -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -o BatchMode=yes
     -o ConnectTimeout=5 -o ServerAliveInterval=2 -o ServerAliveCountMax=2 -o LogLevel=ERROR)
gssh() { "${SSH[@]}" "root@$GUEST_IP" "$@"; }
"$here/make-seed.sh" --out "$tmp/seed" --hostname "$HOSTNAME_SEED" --ssh-key-file "$tmp/key.pub" \
  --ipv4 "$GUEST_IP/$prefix" --gateway4 "$gw4" --ipv6 "$guest6/64" --gateway6 "$gw6" \
  --dns "$gw4" --mac "$MAC" >/dev/null
# The guest's MAC is known: permanent neighbour entries spare the host's ARP/ND resolution, whose
# retries (1 s apart, 3 s before giving up) would otherwise be measured instead of the guest.
ip neigh replace "$GUEST_IP" lladdr "$MAC" dev "$BRIDGE" nud permanent
ip -6 neigh replace "$guest6" lladdr "$MAC" dev "$BRIDGE" nud permanent
pool_dir=$(virsh pool-dumpxml "$POOL" | sed -n 's:.*<path>\(.*\)</path>.*:\1:p' | head -1)
t=$(now)
qemu-img create -q -f qcow2 -b "$IMAGE_DIR/debian-12.qcow2" -F qcow2 "$pool_dir/$NAME.qcow2" "$DISK"
cp "$tmp/seed/seed.iso" "$pool_dir/$NAME-seed.iso"
virsh pool-refresh "$POOL" >/dev/null
record "overlay ($DISK) and seed" "$(since "$t") s"

cat >"$tmp/domain.xml" <<EOF
<domain type='qemu'>
  <name>$NAME</name>
  <memory unit='MiB'>$MEMORY_MIB</memory>
  <vcpu>$VCPUS</vcpu>
  <os>
    <type arch='x86_64' machine='pc'>hvm</type>
    <kernel>$IMAGE_DIR/$KERNEL</kernel>
    <initrd>$IMAGE_DIR/initrd.img</initrd>
    <cmdline>$CMDLINE</cmdline>
  </os>
  <features>
    <acpi/>
    <apic/>
    <tcg><tb-cache unit='MiB'>$TB_CACHE_MIB</tb-cache></tcg>
  </features>
  <clock offset='utc'/>
  <on_poweroff>destroy</on_poweroff>
  <on_reboot>restart</on_reboot>
  <on_crash>destroy</on_crash>
  <devices>
    <disk type='file' device='disk'>
      <driver name='qemu' type='qcow2' discard='unmap'/>
      <source file='$pool_dir/$NAME.qcow2'/>
      <target dev='vda' bus='virtio'/>
    </disk>
    <disk type='file' device='cdrom'>
      <driver name='qemu' type='raw'/>
      <source file='$pool_dir/$NAME-seed.iso'/>
      <target dev='hdc' bus='ide'/>
      <readonly/>
    </disk>
    <interface type='bridge'>
      <mac address='$MAC'/>
      <source bridge='$BRIDGE'/>
      <model type='virtio'/>
    </interface>
    <serial type='pty'>
      <log file='$serial_log' append='on'/>
      <target port='0'/>
    </serial>
    <console type='pty'>
      <target type='serial' port='0'/>
    </console>
    <channel type='unix'>
      <target type='virtio' name='org.qemu.guest_agent.0'/>
    </channel>
    <rng model='virtio'>
      <backend model='random'>/dev/urandom</backend>
    </rng>
    <memballoon model='virtio'/>
  </devices>
</domain>
EOF
cp "$tmp/domain.xml" "$RESULTS/domain.xml"
t=$(now)
virsh define "$tmp/domain.xml" >/dev/null
record "virsh define" "$(since "$t") s"

state() { virsh domstate "$NAME" 2>/dev/null | head -1; }
boot_id() { gssh cat /proc/sys/kernel/random/boot_id 2>/dev/null; }

# Runs "$@" (an SSH command) until it succeeds, one attempt at a time, each only once port 22
# answers (a bare TCP connect: refused at once while the address is up but sshd is not, dropped
# while the address is not up yet). Prints the seconds from $1 to the first success. Parallel
# SSH attempts were tried and made things worse: every handshake costs the TCG guest CPU time.
poll() {
  local t0=$1 what=$2 st
  shift 2
  while :; do
    if timeout 0.5 bash -c "exec 3<>/dev/tcp/$GUEST_IP/22" 2>/dev/null && "$@" >/dev/null 2>&1; then
      since "$t0"
      return 0
    fi
    st=$(state)
    if [ "$st" != running ]; then log "domain is $st while waiting for $what"; return 1; fi
    if [ "$(since "$t0" | cut -d. -f1)" -ge "$TIMEOUT" ]; then log "no $what after $TIMEOUT s"; return 1; fi
    sleep 0.2
  done
}
ssh_hostname_is_seed() { [ "$(gssh hostname 2>/dev/null)" = "$HOSTNAME_SEED" ]; }
boot_id_is_not() { local id; id=$(boot_id) && [ -n "$id" ] && [ "$id" != "$1" ]; }
# Waits until SSH answers `hostname` with the seed's hostname; prints the seconds since $1.
wait_ssh() { poll "$1" "SSH" ssh_hostname_is_seed; }
# Waits until SSH answers with a boot_id other than $2; prints the seconds since $1.
wait_new_boot() { poll "$1" "new boot_id over SSH" boot_id_is_not "$2"; }
# Waits until the guest agent answers guest-ping; prints the seconds since $1.
wait_agent() {
  local t0=$1
  while :; do
    if virsh qemu-agent-command "$NAME" --timeout 2 '{"execute":"guest-ping"}' >/dev/null 2>&1; then since "$t0"; return 0; fi
    [ "$(state)" = running ] || return 1
    if [ "$(since "$t0" | cut -d. -f1)" -ge "$TIMEOUT" ]; then return 1; fi
    sleep 0.2
  done
}
# Waits until the domain is shut off, running CMD again every 3 s while it is not; prints seconds.
wait_shutoff() {
  local t0=$1 last; shift
  last=$(now)
  "$@" >/dev/null 2>&1 || true
  while [ "$(state)" != "shut off" ]; do
    if [ "$(since "$t0" | cut -d. -f1)" -ge "$TIMEOUT" ]; then log "still $(state) after $TIMEOUT s"; return 1; fi
    if [ "$(since "$last" | cut -d. -f1)" -ge 3 ] && [ $# -gt 0 ]; then "$@" >/dev/null 2>&1 || true; last=$(now); fi
    sleep 0.2
  done
  since "$t0"
}
# Starts the domain; the serial console lines, with the seconds since `virsh start`, go to
# $RESULTS/timeline-$1.txt.
start_domain() {
  local label=$1
  stop_timeline
  : >"$serial_log" 2>/dev/null || true
  T0=$(now)
  virsh start "$NAME" >/dev/null || fail "virsh start"
  T_STARTED=$(since "$T0")
  ( tail -n +1 -F --pid=$$ "$serial_log" 2>/dev/null & echo $! >"$tmp/tail.pid"; wait ) |
    ( t0=$T0; while IFS= read -r line; do
        printf '%6.2f %s\n' "$(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN {print b - a}')" "$line"
      done >"$RESULTS/timeline-$label.txt" ) &
}
stop_timeline() {
  if [ -s "$tmp/tail.pid" ]; then kill "$(cat "$tmp/tail.pid")" 2>/dev/null || true; rm -f "$tmp/tail.pid"; fi
}

# Every libvirt event of the domain, with timestamps, for reading afterwards (what a driver sees).
command virsh -c "$URI" event --domain "$NAME" --all --loop --timestamp >"$RESULTS/events.txt" 2>&1 &
events_pid=$!

# --- 1. First boot.
log "starting $NAME (type qemu, $VCPUS vCPU, $MEMORY_MIB MiB, disk $DISK, kernel $KERNEL, cmdline: $CMDLINE)"
start_domain first-boot
record "virsh start returned" "$T_STARTED s"
( wait_agent "$T0" >"$tmp/agent" 2>/dev/null || echo none >"$tmp/agent" ) &
agent_pid=$!
s=$(wait_ssh "$T0") || fail "first boot: no SSH (see $RESULTS/serial.log)"
record "first boot: virsh start -> SSH hostname $HOSTNAME_SEED" "$s s"
wait "$agent_pid" || true
a=$(cat "$tmp/agent")
[ "$a" != none ] || fail "guest agent does not answer"
record "first boot: virsh start -> guest agent answers" "$a s"
keys=$(gssh 'ls /etc/ssh/ssh_host_*' | tr '\n' ' ')
[ "$keys" = "/etc/ssh/ssh_host_ed25519_key /etc/ssh/ssh_host_ed25519_key.pub " ] || fail "host keys: $keys"
record "SSH host keys" "ed25519 only"
# the filesystem grows in the background at the end of the first-boot step
capacity=$(virsh domblkinfo "$NAME" vda | awk '/^Capacity:/ {print $2}')
want=$(( capacity * 9 / 10 ))
for _ in $(seq 1 100); do
  size=$(gssh df -B1 --output=size / 2>/dev/null | tail -1 | tr -d ' ') || size=0
  [ "${size:-0}" -ge "$want" ] && break
  sleep 0.3
done
[ "${size:-0}" -ge "$want" ] || fail "root filesystem is $size bytes, expected >= $want"
record "root filesystem size (overlay $DISK)" "$(awk -v s="$size" 'BEGIN {printf "%.2f GiB", s / 1073741824}')"
"${SSH[@]}" "root@$guest6" true || fail "no SSH over IPv6 ($guest6)"
record "SSH over IPv6 [$guest6]" ok
gssh "ip -br addr show eth0; ip route; ip -6 route show default; cat /etc/resolv.conf" >"$RESULTS/guest-network.txt" 2>&1 || true

# --- 2. Shutdown, default mode (the guest agent when it is connected, else ACPI).
t=$(now)
s=$(wait_shutoff "$t" virsh shutdown "$NAME") || fail "virsh shutdown: not shut off"
record "virsh shutdown (default mode) -> shut off" "$s s"

# --- 3. Second boot (nothing left to apply).
start_domain second-boot
s=$(wait_ssh "$T0") || fail "second boot: no SSH"
record "second boot: virsh start -> SSH" "$s s"
a=$(wait_agent "$T0") || fail "guest agent does not answer"

# --- 4. Reboot, default mode (guest agent).
old=$(boot_id)
t=$(now)
virsh reboot "$NAME" >/dev/null || fail "virsh reboot"
s=$(wait_new_boot "$t" "$old") || fail "virsh reboot: no new boot"
record "virsh reboot (default mode) -> SSH, new boot_id" "$s s"
[ "$(state)" = running ] || fail "after reboot: $(state)"
wait_agent "$(now)" >/dev/null || fail "guest agent after reboot"

# --- 5. Reboot through ACPI (libvirt: power button, then reset when the guest has powered off).
old=$(boot_id)
t=$(now)
virsh reboot --mode acpi "$NAME" >/dev/null || fail "virsh reboot --mode acpi"
s=$(wait_new_boot "$t" "$old") || fail "virsh reboot --mode acpi: no new boot"
record "virsh reboot --mode acpi -> SSH, new boot_id" "$s s"

# --- 6. Shutdown through ACPI, repeated every 3 s.
t=$(now)
s=$(wait_shutoff "$t" virsh shutdown --mode acpi "$NAME") || fail "virsh shutdown --mode acpi: not shut off"
record "virsh shutdown --mode acpi -> shut off" "$s s"

# --- 7. poweroff inside the guest.
start_domain third-boot
s=$(wait_ssh "$T0") || fail "third boot: no SSH"
record "third boot: virsh start -> SSH" "$s s"
t=$(now)
gssh 'nohup sh -c "sleep 0.2; poweroff" >/dev/null 2>&1 &' || true
s=$(wait_shutoff "$t") || fail "poweroff in the guest: not shut off"
record "poweroff in the guest -> shut off" "$s s"

# --- 8. A shutdown requested right after start: repeated every 3 s until the guest obeys (the
#        guest agent is not connected yet, so libvirt falls back to ACPI, which the guest ignores
#        until acpid runs).
start_domain early-shutdown
s=$(wait_shutoff "$T0" virsh shutdown "$NAME") || fail "shutdown right after start: not shut off"
record "virsh start, then virsh shutdown every 3 s -> shut off" "$s s"
stop_timeline

# --- 9. Clean up (the trap does it again if anything above failed).
t=$(now)
remove_domain
virsh dominfo "$NAME" >/dev/null 2>&1 && fail "domain still defined"
[ ! -e "$pool_dir/$NAME.qcow2" ] || fail "overlay still there"
record "destroy, undefine, delete volumes" "$(since "$t") s"

echo
echo "smoke: PASSED in $(since "$T_START") s (load average $(cut -d' ' -f1-3 /proc/loadavg); kernel $KERNEL; cmdline: $CMDLINE)"
printf '  %s\n' "${summary[@]}"
printf '%s\n' "${summary[@]}" >"$RESULTS/summary.txt"
