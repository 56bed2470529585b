#!/usr/bin/env bash
# The dom0 boot benchmark: time from QEMU's start to dom0's user space (the busybox ramdisk's
# first line) with Tern and, as the anchor in the same run, with Debian's Xen 4.17, on the same
# QEMU command line, kernel and ramdisk; five boots each, alternating. Prints the medians and
# the ratio, the size of each hypervisor's image, and the RAM each keeps for itself once dom0
# runs (Tern: its boot report; Xen: its 'm' debug key, total - free heap - dom0).
set -euo pipefail
top="$(cd "$(dirname "$0")/../.." && pwd)"
"$top/scripts/fetch-xen.sh" >/dev/null
"$top/scripts/build-dom0-initramfs.sh" >/dev/null
exec /usr/bin/python3 "$top/bench/dom0_boot/boot_race.py" \
    --tern "${BUILD:-$top/build}/hypervisor/tern.bin" \
    --xen "$top/build/downloads/xen/xen-4.17-arm64" \
    --kernel "$top/build/downloads/dom0/Image" \
    --initrd "$top/build/dom0/initrd.cpio.gz" \
    --runs "${BENCH_RUNS:-5}"
