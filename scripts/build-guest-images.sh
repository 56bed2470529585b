#!/usr/bin/env bash
# Builds the test guest (a domU): Debian's arm64 kernel (the one dom0 runs, fetched by
# scripts/fetch-debian-arm64.sh) with a busybox ramdisk whose /init is
# tests/system/guest/busybox-init.sh and the kernel's xen-blkfront and xen-netfront modules in /lib/modules.
# Outputs, in build/guest/ (or GUEST_OUT):
#   busybox-initrd.cpio.gz  the guest's ramdisk
#   bundle.cpio             the kernel and the ramdisk in one newc cpio archive, to hand to dom0
#                           as a raw virtio disk (dom0: cpio -id < /dev/vda)
# Reproducible: fixed timestamps and owners, entries in sorted order.
set -euo pipefail
top="$(cd "$(dirname "$0")/.." && pwd)"
downloads="${DOWNLOADS:-$top/build/downloads}/dom0"
out="${GUEST_OUT:-$top/build/guest}"
"$top/scripts/fetch-debian-arm64.sh" >/dev/null
mkdir -p "$out"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
archive() {  # archive DIR OUTPUT: a reproducible newc cpio of DIR's contents
    find "$1" -exec touch -h -d @0 {} +
    (cd "$1" && find . -mindepth 1 | LC_ALL=C sort |
        cpio --quiet -o -H newc -R 0:0 --reproducible) > "$2"
}
root="$work/root"
mkdir -p "$root"/{bin,dev,proc,sys,tmp,lib/modules}
install -m 755 "$downloads/busybox" "$root/bin/busybox"
install -m 644 "$downloads"/guest-modules/*.ko "$root/lib/modules/"
ln -s busybox "$root/bin/sh"
install -m 755 "$top/tests/system/guest/busybox-init.sh" "$root/init"
archive "$root" "$work/initrd.cpio"
gzip -9n < "$work/initrd.cpio" > "$out/busybox-initrd.cpio.gz"
bundle="$work/bundle"
mkdir -p "$bundle/guest"
install -m 644 "$downloads/Image" "$bundle/guest/Image"
install -m 644 "$out/busybox-initrd.cpio.gz" "$bundle/guest/busybox-initrd.cpio.gz"
archive "$bundle" "$out/bundle.cpio.tmp"
mv "$out/bundle.cpio.tmp" "$out/bundle.cpio"
echo "guest images: $out/busybox-initrd.cpio.gz, $out/bundle.cpio ($(stat -c %s "$out/bundle.cpio") bytes)"
