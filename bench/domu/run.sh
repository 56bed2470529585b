#!/usr/bin/env bash
# The domU benchmark: in dom0, time from the create command to the guest's user space
# (Tern: `tern-ctl build --unpause`; Xen 4.17: `xl create`; each builds and starts it in one
# command), the event-channel round trip between dom0 and the guest (domu-bench ping/pong over
# an interdomain channel), and the destroy time (`tern-ctl destroy`, `xl destroy`). Tern and
# Debian's Xen 4.17 + xl (the anchor:
# scripts/build-xen-dom0.sh) boot alternately on the same QEMU command line with the same dom0
# kernel, guest kernel and guest ramdisk, BENCH_RUNS times each (default 3). Prints medians,
# every run and the ratios Tern/Xen. Targets: create to user space at most half of xl's;
# round trip at most Xen's.
set -euo pipefail
top="$(cd "$(dirname "$0")/../.." && pwd)"
build="${BUILD:-$top/build}"
downloads="${DOWNLOADS:-$top/build/downloads}"  # what the fetch scripts put there
"$top/scripts/fetch-xen.sh" >/dev/null
[ -x "$build/dom0-tools/bin/tern-ctl" ] || make -C "$top" BUILD="$build" dom0-tools >/dev/null
DOM0_TOOLS="$build/dom0-tools/bin" DOM0_INITRD="$build/dom0/initrd.cpio.gz" \
    "$top/scripts/build-dom0-initramfs.sh" >/dev/null
XEN_DOM0_INITRD="$build/xen-dom0/initrd.cpio.gz" "$top/scripts/build-xen-dom0.sh" >/dev/null
BENCH_DOMU_OUT="$build/bench-domu" "$top/bench/domu/build-images.sh" >/dev/null
exec /usr/bin/python3 "$top/bench/domu/domu_race.py" \
    --tern "$build/hypervisor/tern.bin" \
    --xen "$downloads/xen/xen-4.17-arm64" \
    --kernel "$downloads/dom0/Image" \
    --tern-initrd "$build/dom0/initrd.cpio.gz" \
    --xen-initrd "$build/xen-dom0/initrd.cpio.gz" \
    --bundle "$build/bench-domu/bundle.cpio" \
    --runs "${BENCH_RUNS:-3}" --rounds "${BENCH_EVTCHN_ROUNDS:-1000}"
