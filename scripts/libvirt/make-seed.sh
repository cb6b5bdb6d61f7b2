#!/usr/bin/env bash
# Writes a NoCloud seed: meta-data, user-data (#cloud-config), network-config (version 2) and
# seed.iso (ISO 9660 with Joliet and Rock Ridge, volume label `cidata`) in OUT_DIR.
# The reference for what vpsd's libvirt driver writes; a real cloud image with cloud-init accepts
# the same files, and so does vpsd-firstboot in the image build-image.sh makes.
#
#   make-seed.sh --out DIR --hostname NAME (--ssh-key 'ssh-ed25519 AAAA...' | --ssh-key-file F)
#                [--ipv4 ADDR/PREFIX --gateway4 ADDR] [--ipv6 ADDR/PREFIX --gateway6 ADDR]
#                [--dns ADDR]... [--search DOMAIN]... [--mac 52:54:00:..] [--iface eth0]
#                [--instance-id ID]
#
# --mac: match the NIC by MAC address (with set-name: IFACE) instead of by name; the driver knows
#   the MAC it puts in the domain XML, and a MAC match works whatever the guest names its NICs.
# --instance-id: defaults to iid-<hash of all the inputs>; a new instance-id is what makes
#   cloud-init (and vpsd-firstboot) apply the seed again. Needs genisoimage.
set -euo pipefail

out="" host="" keys=() ipv4="" gw4="" ipv6="" gw6="" dns=() search=() mac="" iface=eth0 iid=""
usage() { sed -n '2,15p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2; }
while [ $# -gt 0 ]; do
  case "$1" in
    --out) out=$2; shift 2 ;;
    --hostname) host=$2; shift 2 ;;
    --ssh-key) keys+=("$2"); shift 2 ;;
    --ssh-key-file) while IFS= read -r l; do [ -n "$l" ] && keys+=("$l"); done <"$2"; shift 2 ;;
    --ipv4) ipv4=$2; shift 2 ;;
    --gateway4) gw4=$2; shift 2 ;;
    --ipv6) ipv6=$2; shift 2 ;;
    --gateway6) gw6=$2; shift 2 ;;
    --dns) dns+=("$2"); shift 2 ;;
    --search) search+=("$2"); shift 2 ;;
    --mac) mac=$(echo "$2" | tr 'A-F' 'a-f'); shift 2 ;;
    --iface) iface=$2; shift 2 ;;
    --instance-id) iid=$2; shift 2 ;;
    -h|--help) usage ;;
    *) echo "make-seed: unknown argument $1" >&2; usage ;;
  esac
done
[ -n "$out" ] && [ -n "$host" ] && [ ${#keys[@]} -gt 0 ] || usage
[[ "$host" =~ ^[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?$ ]] || { echo "make-seed: bad hostname '$host'" >&2; exit 2; }
[ -z "$ipv4" ] || [[ "$ipv4" == */* ]] || { echo "make-seed: --ipv4 needs ADDR/PREFIX" >&2; exit 2; }
[ -z "$ipv6" ] || [[ "$ipv6" == */* ]] || { echo "make-seed: --ipv6 needs ADDR/PREFIX" >&2; exit 2; }
command -v genisoimage >/dev/null || { echo "make-seed: genisoimage is missing (setup-host.sh installs it)" >&2; exit 1; }

# A YAML double-quoted scalar (also valid JSON): quote every string, so that nothing is read as a
# number, boolean or sexagesimal by YAML 1.1 (an IPv6 address such as 2001:10:20:30:40:50:1:2 is).
q() { local s=${1//\\/\\\\}; s=${s//\"/\\\"}; printf '"%s"' "$s"; }

if [ -z "$iid" ]; then
  iid="iid-$(printf '%s\n' "$host" "${keys[@]}" "$ipv4" "$gw4" "$ipv6" "$gw6" "${dns[@]}" "${search[@]}" "$mac" "$iface" | sha256sum | cut -c1-16)"
fi

mkdir -p "$out"
{
  echo "instance-id: $(q "$iid")"
  echo "local-hostname: $(q "$host")"
} >"$out/meta-data"

{
  echo "#cloud-config"
  echo "# root logs in with these keys (cloud-init's default, disable_root: true, would refuse it)"
  echo "disable_root: false"
  echo "ssh_pwauth: false"
  echo "ssh_authorized_keys:"
  for k in "${keys[@]}"; do echo "  - $(q "$k")"; done
  echo "# only an ed25519 host key (RSA key generation takes seconds under TCG)"
  echo "ssh_genkeytypes:"
  echo "  - \"ed25519\""
  echo "manage_etc_hosts: true"
} >"$out/user-data"

{
  echo "version: 2"
  echo "ethernets:"
  echo "  $iface:"
  echo "    match:"
  if [ -n "$mac" ]; then
    echo "      macaddress: $(q "$mac")"
    echo "    set-name: $(q "$iface")"
  else
    echo "      name: $(q "$iface")"
  fi
  if [ -z "$ipv4" ] && [ -z "$ipv6" ]; then
    echo "    dhcp4: true"
  else
    echo "    dhcp4: false"
    echo "    dhcp6: false"
    echo "    accept-ra: false"
    echo "    addresses:"
    [ -z "$ipv4" ] || echo "      - $(q "$ipv4")"
    [ -z "$ipv6" ] || echo "      - $(q "$ipv6")"
    if [ -n "$gw4" ] || [ -n "$gw6" ]; then
      echo "    routes:"
      [ -z "$gw4" ] || { echo "      - to: \"0.0.0.0/0\""; echo "        via: $(q "$gw4")"; }
      [ -z "$gw6" ] || { echo "      - to: \"::/0\""; echo "        via: $(q "$gw6")"; }
    fi
  fi
  if [ ${#dns[@]} -gt 0 ] || [ ${#search[@]} -gt 0 ]; then
    echo "    nameservers:"
    if [ ${#dns[@]} -gt 0 ]; then
      echo "      addresses:"
      for d in "${dns[@]}"; do echo "        - $(q "$d")"; done
    fi
    if [ ${#search[@]} -gt 0 ]; then
      echo "      search:"
      for d in "${search[@]}"; do echo "        - $(q "$d")"; done
    fi
  fi
} >"$out/network-config"

rm -f "$out/seed.iso"
genisoimage -quiet -output "$out/seed.iso" -volid cidata -joliet -rock \
  "$out/user-data" "$out/meta-data" "$out/network-config"
echo "$out/seed.iso"
