#!/usr/bin/env bash
# Builds what the domU benchmark hands both dom0s on a raw virtio disk: domu-bench (a static
# arm64 binary from domu_bench.cpp) and the guest (Debian's arm64 kernel, the test guest's
# busybox with bench/domu/guest-init.sh as /init, xen-evtchn.ko and domu-bench), as one newc
# cpio archive (dom0: cpio -id < /dev/vda gives /tmp/bin/domu-bench, /tmp/guest/Image and
# /tmp/guest/bench-initrd.cpio.gz). Output: build/bench-domu/bundle.cpio, or BENCH_DOMU_OUT.
set -euo pipefail
top="$(cd "$(dirname "$0")/../.." && pwd)"
downloads="${DOWNLOADS:-$top/build/downloads}/dom0"
out="${BENCH_DOMU_OUT:-$top/build/bench-domu}"
"$top/scripts/fetch-debian-arm64.sh" >/dev/null
mkdir -p "$out"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
aarch64-linux-gnu-g++ -std=c++20 -O2 -static -Wall -Wextra -Werror -s \
    "$top/bench/domu/domu_bench.cpp" -o "$work/domu-bench"
archive() {  # archive DIR OUTPUT: a reproducible newc cpio of DIR's contents
    find "$1" -exec touch -h -d @0 {} +
    (cd "$1" && find . -mindepth 1 | LC_ALL=C sort |
        cpio --quiet -o -H newc -R 0:0 --reproducible) > "$2"
}
root="$work/root"
mkdir -p "$root"/{bin,dev,proc,sys,tmp,lib/modules}
install -m 755 "$downloads/busybox" "$root/bin/busybox"
ln -s busybox "$root/bin/sh"
install -m 644 "$downloads/modules/xen-evtchn.ko" "$root/lib/modules/"
install -m 755 "$work/domu-bench" "$root/bin/domu-bench"
install -m 755 "$top/bench/domu/guest-init.sh" "$root/init"
archive "$root" "$work/initrd.cpio"
bundle="$work/bundle"
mkdir -p "$bundle/guest" "$bundle/bin"
install -m 644 "$downloads/Image" "$bundle/guest/Image"
gzip -9n < "$work/initrd.cpio" > "$bundle/guest/bench-initrd.cpio.gz"
install -m 755 "$work/domu-bench" "$bundle/bin/domu-bench"
archive "$bundle" "$out/bundle.cpio.tmp"
mv "$out/bundle.cpio.tmp" "$out/bundle.cpio"
echo "domU bench images: $out/bundle.cpio ($(stat -c %s "$out/bundle.cpio") bytes)"
