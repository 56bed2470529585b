#!/usr/bin/env bash
# Fetches what the dom0 image is assembled from, from Debian's archive (arm64 packages, with
# `apt-get download`; never committed), into build/downloads/dom0:
#   Image            Debian's stock arm64 Linux kernel (linux-image-6.1.0-*-arm64-unsigned)
#   modules/*.ko     the few modules of that kernel the dom0 ramdisk loads (virtio-mmio, virtio-blk,
#                    virtio-net with the failover modules it needs, and Xen's privcmd, evtchn and
#                    gntdev devices)
#   net-modules/*.ko the PV network's dom0 side (llc, stp, bridge, xen-netback), loaded in that
#                    order by tern-vif-hotplug rather than by the ramdisk's /init
#   guest-modules/*.ko the test guest's PV drivers (xen-blkfront, xen-netfront)
#   busybox          busybox-static:arm64, the ramdisk's whole user space
#   PACKAGES         the package versions these came from
# Idempotent: nothing is fetched when everything is there.
set -euo pipefail
top="$(cd "$(dirname "$0")/.." && pwd)"
out="${DOWNLOADS:-$top/build/downloads}/dom0"
modules=(drivers/virtio/virtio_mmio.ko drivers/block/virtio_blk.ko
         net/core/failover.ko drivers/net/net_failover.ko drivers/net/virtio_net.ko
         drivers/xen/xen-privcmd.ko drivers/xen/xen-evtchn.ko drivers/xen/xen-gntdev.ko)
guest_modules=(drivers/block/xen-blkfront.ko drivers/net/xen-netfront.ko)
net_modules=(net/llc/llc.ko net/802/stp.ko net/bridge/bridge.ko
             drivers/net/xen-netback/xen-netback.ko)
complete() {
    [ -s "$out/Image" ] && [ -s "$out/busybox" ] || return 1
    for m in "${modules[@]}"; do [ -s "$out/modules/$(basename "$m")" ] || return 1; done
    for m in "${guest_modules[@]}"; do [ -s "$out/guest-modules/$(basename "$m")" ] || return 1; done
    for m in "${net_modules[@]}"; do [ -s "$out/net-modules/$(basename "$m")" ] || return 1; done
}
if complete; then echo "fetch: $out complete"; exit 0; fi
mkdir -p "$out/modules" "$out/guest-modules" "$out/net-modules"
sudo=""
if [[ $(id -u) -ne 0 ]]; then sudo="sudo"; fi
if ! dpkg --print-foreign-architectures | grep -qx arm64; then
    $sudo dpkg --add-architecture arm64
fi
if ! apt-cache show 'busybox-static:arm64' >/dev/null 2>&1; then
    $sudo apt-get update -q
fi
# The newest 6.1 kernel of the archive, unsigned (the same Image as the signed one).
kernel=$(apt-cache search --names-only '^linux-image-6\.1\.0-[0-9]+-arm64-unsigned$' |
         awk '{print $1}' | sort -V | tail -1)
[ -n "$kernel" ] || { echo "fetch: no linux-image-6.1.0-*-arm64-unsigned in the archive" >&2; exit 1; }
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
chmod 755 "$work"  # apt-get download runs as _apt
(cd "$work" && apt-get download -q "$kernel:arm64" "busybox-static:arm64" 2>&1 | grep -v '^W: Download is performed unsandboxed' || true)
ls "$work"/linux-image-*.deb "$work"/busybox-static_*.deb >/dev/null
dpkg-deb -x "$work"/linux-image-*.deb "$work/k"
dpkg-deb -x "$work"/busybox-static_*.deb "$work/b"
cp "$work"/k/boot/vmlinuz-* "$out/Image.tmp" && mv "$out/Image.tmp" "$out/Image"
for m in "${modules[@]}"; do
    cp "$work"/k/lib/modules/*/kernel/"$m" "$out/modules/"
done
for m in "${guest_modules[@]}"; do
    cp "$work"/k/lib/modules/*/kernel/"$m" "$out/guest-modules/"
done
for m in "${net_modules[@]}"; do
    cp "$work"/k/lib/modules/*/kernel/"$m" "$out/net-modules/"
done
cp "$work/b/bin/busybox" "$out/busybox.tmp" && mv "$out/busybox.tmp" "$out/busybox"
dpkg-deb -f "$work"/linux-image-*.deb Package Version > "$out/PACKAGES"
dpkg-deb -f "$work"/busybox-static_*.deb Package Version >> "$out/PACKAGES"
echo "fetch: $(tr '\n' ' ' < "$out/PACKAGES")-> $out"
