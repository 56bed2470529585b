#!/usr/bin/env bash
# The xm create benchmark: from `xm create` on the host to the guest's user space, through
# xapid in dom0 on Tern (the stack of `make run`, over its forwarded HTTPS port), against
# `xl create` in dom0 on Debian's Xen 4.17 (the anchor: the Xen dom0 of
# scripts/build-xen-dom0.sh, timed by bench/domu's domu-bench) for the same guest: Debian's
# arm64 kernel with a busybox ramdisk that reports "tern-domu: user space reached", 128 MiB,
# 1 vCPU, no devices. BENCH_RUNS guests each (default 3), in the same run; prints the medians,
# every run and the ratio Tern/Xen. The Tern figure is taken on the host (xm's login, VM.create
# and VM.start over HTTPS, the build in dom0, the guest's boot, its console back over HTTPS);
# the Xen figure in dom0 with dom0's clock (no network, no API in between).
set -euo pipefail
top="$(cd "$(dirname "$0")/../.." && pwd)"
build="${BUILD:-$top/build}"
export DOWNLOADS="${DOWNLOADS:-$build/downloads}"
"$top/scripts/fetch-xen.sh" >/dev/null
for f in "$build/bin/xm" "$build/dom0/stack-initrd.cpio.gz" "$build/guest/bundle.cpio" \
         "$build/hypervisor/tern.bin"; do
    [ -s "$f" ] || make -C "$top" BUILD="$build" build dom0-stack guest-images >/dev/null
done
XEN_DOM0_INITRD="$build/xen-dom0/initrd.cpio.gz" "$top/scripts/build-xen-dom0.sh" >/dev/null
BENCH_DOMU_OUT="$build/bench-domu" "$top/bench/domu/build-images.sh" >/dev/null
exec /usr/bin/python3 "$top/bench/xm_create/xm_create_race.py" \
    --build "$build" \
    --xen "$DOWNLOADS/xen/xen-4.17-arm64" \
    --kernel "$DOWNLOADS/dom0/Image" \
    --xen-initrd "$build/xen-dom0/initrd.cpio.gz" \
    --bundle "$build/bench-domu/bundle.cpio" \
    --runs "${BENCH_RUNS:-3}"
