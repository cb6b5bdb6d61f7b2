#!/usr/bin/env bash
# A host-only network for end-to-end tests: a Linux bridge with an IPv4 and an IPv6 address of the
# host on it, so that the host reaches the guests directly (ssh from the host), and nothing the
# guests send is routed off the machine.
#
#   test-network.sh up   NAME HOST_CIDR4 [HOST_CIDR6]     e.g. up br-vpsdtest 10.77.0.1/24
#   test-network.sh down NAME
#   test-network.sh status NAME
#
# HOST_CIDR6 defaults to fd00:A:B:C::1/64 for HOST_CIDR4 A.B.C.x (10.77.0.1/24 -> fd00:10:77:0::1/64).
# Guests on the bridge use the host addresses as their gateways (and DNS, though nothing answers).
# Nothing is forwarded: whatever net.ipv4.ip_forward says, policy routing rules send every packet
# that arrives on the bridge and is not for the host itself to an "unreachable" route (the local
# table, priority 0, is looked up before them, so the host's own addresses answer).
# Libvirt domains attach with <interface type='bridge'><source bridge='NAME'/>...</interface>.
# Idempotent: `up` on an existing bridge fixes addresses and rules; `down` on a missing one does
# nothing. Needs root and iproute2.
set -euo pipefail

cmd=${1:-} name=${2:-}
usage() { sed -n '6,8p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2; }
[ -n "$cmd" ] && [ -n "$name" ] || usage
[ ${#name} -le 15 ] || { echo "test-network: interface names have at most 15 characters" >&2; exit 2; }
# one rule priority per bridge name, so that several test networks can coexist
pref=$(( 20000 + $(printf '%s' "$name" | cksum | cut -d' ' -f1) % 9000 ))

rules_down() {
  while ip -4 rule del pref "$pref" iif "$name" 2>/dev/null; do :; done
  while ip -6 rule del pref "$pref" iif "$name" 2>/dev/null; do :; done
}

case "$cmd" in
  up)
    cidr4=${3:-}
    [[ "$cidr4" =~ ^([0-9]+)\.([0-9]+)\.([0-9]+)\.([0-9]+)/([0-9]+)$ ]] || usage
    cidr6=${4:-fd00:${BASH_REMATCH[1]}:${BASH_REMATCH[2]}:${BASH_REMATCH[3]}::1/64}
    if ! ip link show dev "$name" >/dev/null 2>&1; then
      ip link add name "$name" type bridge stp_state 0 forward_delay 0
      echo "test-network: created bridge $name"
    fi
    [ "$(cat "/sys/class/net/$name/bridge/forward_delay" 2>/dev/null || echo 0)" = 0 ] || ip link set dev "$name" type bridge forward_delay 0
    # IPv6 on the bridge: static, no router advertisements taken, no DAD wait for the host address
    sysctl -qw "net.ipv6.conf.$name.disable_ipv6=0" "net.ipv6.conf.$name.accept_ra=0" "net.ipv6.conf.$name.accept_dad=0" 2>/dev/null || true
    # addresses: the requested ones (a stale IPv4 address from an earlier prefix is removed)
    for a in $(ip -4 -o addr show dev "$name" | awk '{print $4}'); do [ "$a" = "$cidr4" ] || ip addr del "$a" dev "$name"; done
    ip addr replace "$cidr4" dev "$name"
    ip addr replace "$cidr6" dev "$name" nodad
    ip link set dev "$name" up
    rules_down
    ip -4 rule add pref "$pref" iif "$name" unreachable
    ip -6 rule add pref "$pref" iif "$name" unreachable
    echo "test-network: $name up with $cidr4 and $cidr6; nothing from it is forwarded (rule priority $pref)"
    ;;
  down)
    rules_down
    if ip link show dev "$name" >/dev/null 2>&1; then
      ip link set dev "$name" down
      ip link del dev "$name"
      echo "test-network: removed bridge $name"
    else
      echo "test-network: no bridge $name"
    fi
    ;;
  status)
    ip -br addr show dev "$name" 2>/dev/null || { echo "test-network: no bridge $name"; exit 1; }
    ip -4 rule show pref "$pref"; ip -6 rule show pref "$pref"
    ;;
  *) usage ;;
esac
