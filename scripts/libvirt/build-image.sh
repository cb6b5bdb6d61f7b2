#!/usr/bin/env bash
# Builds a small Debian 12 (bookworm) guest image from Debian's packages, offline apart from the
# Debian mirror apt is configured with:
#   OUTPUT_DIR/debian-12.qcow2   qcow2 base image; ext4 on the whole disk (no partition table)
#   OUTPUT_DIR/vmlinuz           the image's kernel (Debian's bzImage), for direct kernel boot
#   OUTPUT_DIR/vmlinux           the same kernel uncompressed (ELF, PVH entry): boots about 2 s
#                                faster under TCG (no decompression); either one works
#   OUTPUT_DIR/initrd.img        its initrd (virtio_pci, virtio_blk, ext4; ata_piix, sr_mod, isofs)
#   OUTPUT_DIR/build.sha256      sha256 of this script and guest/*: the cache key
#   OUTPUT_DIR/build-info.txt    kernel version, sizes, timings, package list
# Boot: root=/dev/vda console=ttyS0 net.ifnames=0, disk on virtio, NoCloud seed (label cidata) as
# a cdrom; see README.md. If OUTPUT_DIR already holds an image built by the same script content,
# nothing is done. Run as root (setup-host.sh installs what it needs: mmdebstrap, e2fsprogs,
# qemu-utils, xz-utils).
#
# Guest: mmdebstrap --variant=minbase (the same package set as debootstrap's minbase) plus
# systemd-sysv, udev, kmod, linux-image-amd64, openssh-server, iproute2, acpid, qemu-guest-agent
# and iputils-ping; systemd-networkd for the network; no documentation, man pages or
# translations (also for later installs: the dpkg path-exclude rules stay in the image); kernel
# modules for hardware a QEMU guest never has are removed. At every boot,
# /usr/local/sbin/vpsd-firstboot (guest/) applies the seed when its instance-id is new, grows
# the root filesystem and makes the ed25519 host key if missing.
#
# Environment: VPSD_DEBIAN_MIRROR=URL to use another mirror (default: from apt's sources).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
out=${1:?usage: build-image.sh OUTPUT_DIR}
suite=bookworm
t_start=$(date +%s.%N)
now() { date +%s.%N; }
dt() { awk -v a="$1" -v b="$(now)" 'BEGIN {printf "%.1f", b - a}'; }
say() { echo "build-image: $*"; }

if [ "$(id -u)" != 0 ]; then echo "build-image: must run as root" >&2; exit 1; fi

# The cache key: this script and everything that goes into the image from guest/.
key=$(cd "$here" && { sha256sum build-image.sh; find guest -type f | LC_ALL=C sort | xargs sha256sum; } | sha256sum | cut -d' ' -f1)

mkdir -p "$out"
out=$(cd "$out" && pwd)
exec 9>"$out/.build.lock"
if ! flock -n 9; then
  say "another build is writing $out; waiting for it"
  flock 9
fi
if [ -f "$out/build.sha256" ] && [ "$(cat "$out/build.sha256")" = "$key" ] &&
   [ -s "$out/debian-12.qcow2" ] && [ -s "$out/vmlinuz" ] && [ -s "$out/initrd.img" ]; then
  say "cached: $out/debian-12.qcow2 was built by this script content ($key); nothing to do ($(dt "$t_start") s)"
  exit 0
fi
for tool in mmdebstrap mkfs.ext4 qemu-img; do
  command -v "$tool" >/dev/null || { echo "build-image: $tool is missing; run setup-host.sh first" >&2; exit 1; }
done

# --- The Debian mirror: the one apt uses (deb822 .sources or one-line .list), for bookworm,
#     bookworm-updates and bookworm-security, main only.
mirrors=()
if [ -n "${VPSD_DEBIAN_MIRROR:-}" ]; then
  mirrors=("deb $VPSD_DEBIAN_MIRROR $suite main")
else
  while IFS= read -r line; do mirrors+=("$line"); done < <(
    for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list /etc/apt/sources.list.d/*.sources; do
      [ -f "$f" ] || continue
      case "$f" in
        *.sources)
          awk -v suite="$suite" '
            function flush() {
              if (types ~ /(^| )deb( |$)/ && enabled != "no" && uris != "") {
                n = split(suites, s, " "); m = split(uris, u, " ")
                for (i = 1; i <= n; i++) if (s[i] == suite || s[i] == suite "-updates" || s[i] == suite "-security")
                  for (j = 1; j <= m; j++) print "deb " u[j] " " s[i] " main"
              }
              types = ""; uris = ""; suites = ""; enabled = ""
            }
            /^[ \t]*#/ { next }
            /^[ \t]*$/ { flush(); next }
            { key = tolower($1); sub(/:$/, "", key); $1 = ""; sub(/^[ \t]+/, "")
              if (key == "types") types = $0; else if (key == "uris") uris = $0
              else if (key == "suites") suites = $0; else if (key == "enabled") enabled = tolower($0) }
            END { flush() }' "$f" ;;
        *)
          awk -v suite="$suite" '$1 == "deb" {
              i = 2; if ($2 ~ /^\[/) { while (i <= NF && $i !~ /\]$/) i++; i++ }
              if ($(i+1) == suite || $(i+1) == suite "-updates" || $(i+1) == suite "-security") print "deb " $i " " $(i+1) " main" }' "$f" ;;
      esac
    done | awk '!seen[$0]++')
fi
if [ ${#mirrors[@]} -eq 0 ]; then
  echo "build-image: no Debian $suite mirror found in apt's sources; set VPSD_DEBIAN_MIRROR" >&2
  exit 1
fi
say "mirror: $(printf '%s; ' "${mirrors[@]}")"

work=$(mktemp -d "$out/.build.XXXXXX")
root="$work/root"
cleanup() {
  # anything mmdebstrap (or a chroot below) left mounted in the tree, deepest first
  awk -v r="$work/" 'index($2, r) == 1 {print $2}' /proc/mounts | sort -r | while read -r m; do umount -l "$m" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# --- 1. The root tree.
t=$(now)
packages=systemd-sysv,udev,kmod,linux-image-amd64,initramfs-tools,zstd,openssh-server,iproute2,netbase,iputils-ping,acpid,qemu-guest-agent,e2fsprogs
# guest/initramfs/ goes to /etc/initramfs-tools before any package is configured, so that the
# kernel's postinst builds the small initrd once: virtio_pci, virtio_blk and ext4 for the root
# device, the IDE cdrom drivers probing in the background, no udev, zstd (see those files).
initramfs_conf="mkdir -p \"\$1/etc/initramfs-tools\" && cp -a '$here/guest/initramfs/.' \"\$1/etc/initramfs-tools/\""
if ! mmdebstrap --mode=root --variant=minbase --quiet \
    --include="$packages" \
    --hook-dir=/usr/share/mmdebstrap/hooks/merged-usr \
    --aptopt='Acquire::Check-Valid-Until "false"' \
    --aptopt='Acquire::Retries "3"' \
    --dpkgopt='path-exclude=/usr/share/doc/*' \
    --dpkgopt='path-include=/usr/share/doc/*/copyright' \
    --dpkgopt='path-exclude=/usr/share/man/*' \
    --dpkgopt='path-exclude=/usr/share/info/*' \
    --dpkgopt='path-exclude=/usr/share/locale/*' \
    --dpkgopt='path-include=/usr/share/locale/locale.alias' \
    --dpkgopt='path-exclude=/usr/share/lintian/*' \
    --essential-hook="$initramfs_conf" \
    "$suite" "$root" "${mirrors[@]}" >"$work/mmdebstrap.log" 2>&1; then
  cat "$work/mmdebstrap.log" >&2
  echo "build-image: mmdebstrap failed" >&2
  exit 1
fi
t_bootstrap=$(dt "$t")
say "root tree (mmdebstrap, $(chroot "$root" dpkg-query -W -f='.\n' | wc -l) packages): ${t_bootstrap} s"

# --- 2. Configuration.
t=$(now)
kver=$(basename "$(ls -d "$root"/lib/modules/* | sort -V | tail -1)")
install -m 0755 "$here/guest/vpsd-firstboot" "$root/usr/local/sbin/vpsd-firstboot"
install -m 0644 "$here/guest/vpsd-firstboot.service" "$root/etc/systemd/system/vpsd-firstboot.service"
install -m 0644 "$here/guest/acpi-powerbtn" "$root/etc/acpi/events/powerbtn"
install -m 0644 "$here/guest/sshd-vpsd.conf" "$root/etc/ssh/sshd_config.d/vpsd.conf"
# systemd-networkd (part of systemd) configures the NICs from what vpsd-firstboot writes;
# no getty on tty1 (there is no display; the serial console gets one from console=ttyS0);
# no e2scrub_reap at boot (it only costs CPU time).
chroot "$root" systemctl -q enable vpsd-firstboot.service systemd-networkd.service
chroot "$root" systemctl -q disable getty@tty1.service e2scrub_reap.service
# Host keys are made at first boot (ed25519 only) by vpsd-firstboot; each server gets its own
# machine-id at its first boot.
rm -f "$root"/etc/ssh/ssh_host_*
: >"$root/etc/machine-id"
rm -f "$root/var/lib/dbus/machine-id"
cat >"$root/etc/fstab" <<'EOF'
# The root filesystem is the whole virtio disk (no partition table).
/dev/vda	/	ext4	defaults,errors=remount-ro	0	1
EOF
echo debian >"$root/etc/hostname"
printf '127.0.0.1\tlocalhost\n127.0.1.1\tdebian\n::1\t\tlocalhost ip6-localhost ip6-loopback\nff02::1\t\tip6-allnodes\nff02::2\t\tip6-allrouters\n' >"$root/etc/hosts"
: >"$root/etc/resolv.conf"
# Keep the kernel that vmlinuz/initrd.img next to the image were taken from (the host boots those,
# and the modules in the image must match them).
chroot "$root" apt-mark hold linux-image-amd64 "linux-image-$kver" >/dev/null
# Kernel modules for hardware a QEMU guest does not have.
(
  cd "$root/lib/modules/$kver/kernel"
  rm -rf sound drivers/gpu drivers/media drivers/infiniband drivers/iio drivers/staging drivers/usb \
    drivers/comedi drivers/isdn drivers/bluetooth drivers/mmc drivers/mtd drivers/hwmon drivers/w1 \
    drivers/thunderbolt drivers/ssb drivers/bcma drivers/nfc drivers/atm drivers/parport \
    drivers/pcmcia drivers/fpga drivers/gnss drivers/firewire drivers/memstick drivers/leds \
    drivers/soundwire drivers/misc/cardreader drivers/hid drivers/power/supply drivers/platform/chrome \
    drivers/platform/surface drivers/input/joystick drivers/input/touchscreen drivers/input/tablet \
    drivers/net/wireless drivers/net/ethernet drivers/net/usb drivers/net/can drivers/net/wan \
    drivers/net/ieee802154 drivers/net/hamradio drivers/net/fddi drivers/net/arcnet drivers/net/wwan \
    drivers/net/plip drivers/net/fddi drivers/scsi/qla2xxx drivers/scsi/lpfc drivers/scsi/bfa \
    drivers/scsi/megaraid drivers/scsi/mpt3sas drivers/scsi/aacraid drivers/scsi/be2iscsi \
    drivers/scsi/qla4xxx drivers/scsi/bnx2fc drivers/scsi/qedf drivers/scsi/qedi drivers/scsi/csiostor \
    drivers/scsi/smartpqi drivers/scsi/mpi3mr drivers/scsi/elx drivers/scsi/fnic drivers/scsi/pm8001 \
    drivers/scsi/cxgbi drivers/scsi/snic drivers/scsi/isci drivers/scsi/hisi_sas drivers/scsi/arcmsr \
    drivers/scsi/esas2r drivers/scsi/ibmvscsi drivers/scsi/mvsas drivers/scsi/aic7xxx drivers/scsi/aic94xx \
    drivers/scsi/bnx2i drivers/scsi/pcmcia drivers/message \
    net/wireless net/mac80211 net/bluetooth net/nfc net/ieee802154 net/mac802154 net/atm net/can
)
chroot "$root" depmod -a "$kver"
rm -rf "$root"/var/cache/apt/*.bin "$root"/var/lib/apt/lists/* "$root"/tmp/* "$root"/var/tmp/* "$root"/root/.bash_history
find "$root/var/log" -type f -exec truncate -s 0 {} +
t_config=$(dt "$t")
say "configuration: ${t_config} s"

# The ELF kernel inside a bzImage: find the compressed payload's signature, decompress from there
# (trailing data is ignored) and keep the first result that is an ELF file.
extract_vmlinux() {
  local in=$1 out=$2 sig tool off
  for sig in xz zstd gzip; do
    case $sig in
      xz) pattern=$'\xfd7zXZ'; tool="xz -dcq" ;;
      zstd) pattern=$'\x28\xb5\x2f\xfd'; tool="zstd -dcq" ;;
      gzip) pattern=$'\x1f\x8b\x08'; tool="gzip -dcq" ;;
    esac
    command -v "${tool%% *}" >/dev/null || continue
    for off in $(LC_ALL=C grep -abo -F "$pattern" "$in" | cut -d: -f1 | head -5); do
      tail -c +$((off + 1)) "$in" | $tool >"$out" 2>/dev/null || true
      if [ "$(head -c 4 "$out" | od -An -c | tr -d ' ')" = '177ELF' ]; then
        # QEMU boots an uncompressed kernel only through its PVH entry point (ELF note type 18)
        if command -v readelf >/dev/null && ! readelf -n "$out" 2>/dev/null | grep -q 'Unknown note type: (0x00000012)'; then
          rm -f "$out"
          say "warning: $in has no PVH entry point; only vmlinuz is available"
          return 0
        fi
        return 0
      fi
    done
  done
  rm -f "$out"
  say "warning: could not extract an ELF kernel from $in; only vmlinuz is available"
}

# --- 3. The disk: ext4 built from the tree (mkfs.ext4 -d, no loop device or mount), then qcow2.
t=$(now)
used_mib=$(du -sm --apparent-size "$root" | cut -f1)
# room for the inodes, the journal and a little work before the first boot grows it
size_mib=$(( (used_mib * 13 / 10 + 256 + 127) / 128 * 128 ))
[ "$size_mib" -ge 1024 ] || size_mib=1024
cp "$root/boot/vmlinuz-$kver" "$work/vmlinuz"
cp "$root/boot/initrd.img-$kver" "$work/initrd.img"
extract_vmlinux "$work/vmlinuz" "$work/vmlinux"
truncate -s "${size_mib}M" "$work/root.raw"
mkfs.ext4 -q -F -L vpsd-root -d "$root" "$work/root.raw"
qemu-img convert -f raw -O qcow2 "$work/root.raw" "$work/debian-12.qcow2"
rm -f "$work/root.raw"
t_disk=$(dt "$t")
say "disk image (${used_mib} MiB of files in a ${size_mib} MiB ext4): ${t_disk} s"

{
  echo "built: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
  echo "key: $key"
  echo "kernel: $kver"
  echo "virtual size: ${size_mib} MiB; files: ${used_mib} MiB; qcow2: $(du -m "$work/debian-12.qcow2" | cut -f1) MiB"
  echo "timings: root tree ${t_bootstrap} s, configuration ${t_config} s, disk ${t_disk} s, total $(dt "$t_start") s"
  echo "mirrors: $(printf '%s; ' "${mirrors[@]}")"
  echo "packages:"
  chroot "$root" dpkg-query -W -f='  ${Package} ${Version}\n'
} >"$work/build-info.txt"

rm -f "$out/build.sha256"
rm -f "$out/vmlinux"
mv -f "$work/debian-12.qcow2" "$work/vmlinuz" "$work/initrd.img" "$work/build-info.txt" "$out/"
[ ! -f "$work/vmlinux" ] || mv -f "$work/vmlinux" "$out/"
echo "$key" >"$out/build.sha256"
say "built $out/debian-12.qcow2 ($(du -m "$out/debian-12.qcow2" | cut -f1) MiB, virtual ${size_mib} MiB), vmlinuz, vmlinux and initrd.img (kernel $kver) in $(dt "$t_start") s"
