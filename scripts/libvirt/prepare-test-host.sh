#!/usr/bin/env bash
# Everything the libvirt driver's tests need on this machine, idempotent, as root:
#   setup-host.sh (packages, virtlogd + libvirtd, storage pool), test-network.sh up (the host-only
#   bridge), build-image.sh (cached), then the image registered in the pool as the OS image the
#   tests' catalog names: debian-12.qcow2 (base volume), debian-12.vmlinux and debian-12.initrd.img
#   (its kernel, for direct kernel boot). Copied again only when the image was rebuilt.
# Environment (defaults): VPSD_POOL_NAME (vpsd), VPSD_IMAGE_DIR (/var/lib/vpsd/images/debian-12),
#   VPSD_TEST_BRIDGE (br-vpsdtest), VPSD_TEST_NET (10.77.0.1/24).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
POOL=${VPSD_POOL_NAME:-vpsd}
IMAGE_DIR=${VPSD_IMAGE_DIR:-/var/lib/vpsd/images/debian-12}
BRIDGE=${VPSD_TEST_BRIDGE:-br-vpsdtest}
NET=${VPSD_TEST_NET:-10.77.0.1/24}
URI=qemu:///system
say() { echo "prepare-test-host: $*"; }

if [ "$(id -u)" != 0 ]; then echo "prepare-test-host: must run as root" >&2; exit 1; fi
"$here/setup-host.sh"
"$here/test-network.sh" up "$BRIDGE" "$NET"
"$here/build-image.sh" "$IMAGE_DIR"

pool_dir=$(virsh -q -c "$URI" pool-dumpxml "$POOL" | sed -n 's:.*<path>\(.*\)</path>.*:\1:p' | head -1)
[ -n "$pool_dir" ] || { echo "prepare-test-host: storage pool $POOL has no path" >&2; exit 1; }
key=$(cat "$IMAGE_DIR/build.sha256")
marker=/var/lib/vpsd/.registered-$POOL-debian-12   # outside the pool: a file there would be listed as a volume
if [ "$(cat "$marker" 2>/dev/null)" != "$key" ] || [ ! -s "$pool_dir/debian-12.qcow2" ]; then
  kernel=vmlinux
  [ -f "$IMAGE_DIR/vmlinux" ] || kernel=vmlinuz
  rm -f "$pool_dir/debian-12.vmlinux" "$pool_dir/debian-12.vmlinuz"
  cp -f "$IMAGE_DIR/debian-12.qcow2" "$pool_dir/debian-12.qcow2.tmp" && mv -f "$pool_dir/debian-12.qcow2.tmp" "$pool_dir/debian-12.qcow2"
  cp -f "$IMAGE_DIR/$kernel" "$pool_dir/debian-12.$kernel"
  cp -f "$IMAGE_DIR/initrd.img" "$pool_dir/debian-12.initrd.img"
  chmod 0644 "$pool_dir"/debian-12.*
  mkdir -p "$(dirname "$marker")"; echo "$key" >"$marker"
  say "registered the image in pool $POOL: debian-12.qcow2, debian-12.$kernel, debian-12.initrd.img"
else
  say "image already registered in pool $POOL"
fi
virsh -q -c "$URI" pool-refresh "$POOL" >/dev/null
say "ready: pool $POOL, bridge $BRIDGE ($NET), image debian-12.qcow2"
