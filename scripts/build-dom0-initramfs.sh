#!/usr/bin/env bash
# Assembles dom0's ramdisk (a gzip'd newc cpio) from what scripts/fetch-debian-arm64.sh
# fetched: busybox-static as the user space, the virtio and Xen modules (the PV network's in
# /lib/modules/net, with dom0/vif-hotplug's tern-vif-hotplug), dom0's own tools
# (`make dom0-tools`: build/dom0-tools/bin, stripped, or DOM0_TOOLS) and dom0/image/init.sh as
# /init. Output: build/dom0/initrd.cpio.gz, or DOM0_INITRD. Reproducible: fixed timestamps and owners,
# entries in sorted order.
set -euo pipefail
top="$(cd "$(dirname "$0")/.." && pwd)"
downloads="${DOWNLOADS:-$top/build/downloads}/dom0"
out="${DOM0_INITRD:-$top/build/dom0/initrd.cpio.gz}"
"$top/scripts/fetch-debian-arm64.sh" >/dev/null
mkdir -p "$(dirname "$out")"
root="$(mktemp -d)"
trap 'rm -rf "$root"' EXIT
mkdir -p "$root"/{bin,dev,proc,sys,tmp,lib/modules}
install -m 755 "$downloads/busybox" "$root/bin/busybox"
ln -s busybox "$root/bin/sh"
install -m 644 "$downloads"/modules/*.ko "$root/lib/modules/"
# The PV network's modules, in a folder of their own: /init loads /lib/modules/*.ko in name
# order, and bridge needs llc and stp first; tern-vif-hotplug loads these in order.
mkdir -p "$root/lib/modules/net"
install -m 644 "$downloads"/net-modules/*.ko "$root/lib/modules/net/"
install -m 755 "$top/dom0/vif-hotplug/tern-vif-hotplug.sh" "$root/bin/tern-vif-hotplug"
install -m 755 "$top/dom0/image/init.sh" "$root/init"
tools="${DOM0_TOOLS:-$top/build/dom0-tools/bin}"
for t in "$tools"/*; do
    [ -f "$t" ] || continue
    install -m 755 "$t" "$root/bin/$(basename "$t")"
    aarch64-linux-gnu-strip "$root/bin/$(basename "$t")"
done
# Data dom0's tools use (the test guest image), in /lib/tern.
if [ -d "$tools/../share" ]; then
    mkdir -p "$root/lib/tern"
    install -m 644 "$tools"/../share/* "$root/lib/tern/"
fi
find "$root" -exec touch -h -d @0 {} +
(cd "$root" && find . -mindepth 1 | LC_ALL=C sort |
    cpio --quiet -o -H newc -R 0:0 --reproducible) | gzip -9n > "$out.tmp"
mv "$out.tmp" "$out"
echo "initramfs: $out ($(stat -c %s "$out") bytes)"
