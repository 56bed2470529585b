#!/usr/bin/env bash
# Builds the anchor's dom0 ramdisk: Debian's Xen 4.17 tools for arm64 (xen-utils-4.17:arm64 and
# the library closure xl, xenstored, xenconsoled and xen-init-dom0 need, fetched with `apt-get
# download` into build/downloads/xen-dom0 and unpacked with dpkg-deb -x; never committed) on
# the busybox ramdisk of Tern's dom0 (the same busybox, modules and dom0/image/init.sh), plus
# Debian's xenfs module (Xen's C xenstored reads /proc/xen/xsd_kva and xsd_port) and
# /bin/xen-dom0-start (bench/domu/xen-dom0-start.sh), which mounts xenfs and starts
# xenstored, xen-init-dom0 and xenconsoled as Debian's xencommons does.
# Output: build/xen-dom0/initrd.cpio.gz, or XEN_DOM0_INITRD. Reproducible (fixed timestamps,
# owners and order).
set -euo pipefail
top="$(cd "$(dirname "$0")/.." && pwd)"
downloads="${DOWNLOADS:-$top/build/downloads}"
debs="$downloads/xen-dom0"
out="${XEN_DOM0_INITRD:-$top/build/xen-dom0/initrd.cpio.gz}"
"$top/scripts/fetch-debian-arm64.sh" >/dev/null
kernel=$(sed -n 's/^Package: \(linux-image-.*\)$/\1/p' "$downloads/dom0/PACKAGES")
packages=(xen-utils-4.17 libxenmisc4.17 libxenstore4 libxencall1 libxenevtchn1
          libxenforeignmemory1 libxengnttab1 libxentoollog1 libxentoolcore1 libxendevicemodel1
          libxenhypfs1 libyajl2 libfdt1 libuuid1 zlib1g libc6 libgcc-s1 "$kernel")
missing=()
for p in "${packages[@]}"; do
    ls "$debs/${p}"_*.deb >/dev/null 2>&1 || missing+=("$p:arm64")
done
if [ ${#missing[@]} -gt 0 ]; then
    mkdir -p "$debs"
    chmod 755 "$debs"  # apt-get download runs as _apt
    (cd "$debs" && apt-get download -q "${missing[@]}" 2>&1 |
        grep -v '^W: Download is performed unsandboxed' || true)
    for p in "${packages[@]}"; do ls "$debs/${p}"_*.deb >/dev/null; done
fi
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
x="$work/x"
for p in "${packages[@]}"; do
    [ "$p" = "$kernel" ] && continue
    dpkg-deb -x "$debs/${p}"_*.deb "$x"
done
dpkg-deb --fsys-tarfile "$debs/${kernel}"_*.deb | tar -x -C "$work" --wildcards '*/xenfs.ko'

root="$work/root"
mkdir -p "$root"/{bin,dev,proc,sys,tmp,run,lib/modules,etc/xen,var/lib/xen,var/lib/xenstored,var/log/xen/console}
ln -s ../run "$root/var/run"
install -m 755 "$downloads/dom0/busybox" "$root/bin/busybox"
ln -s busybox "$root/bin/sh"
install -m 644 "$downloads"/dom0/modules/*.ko "$root/lib/modules/"
install -m 644 "$(find "$work/lib" -name xenfs.ko)" "$root/lib/modules/"
install -m 755 "$top/dom0/image/init.sh" "$root/init"
install -m 755 "$top/bench/domu/xen-dom0-start.sh" "$root/bin/xen-dom0-start"
bins=(xl xenstored xenconsoled xen-init-dom0)
mkdir -p "$root/usr/lib/xen-4.17/bin"
for b in "${bins[@]}"; do
    install -m 755 "$x/usr/lib/xen-4.17/bin/$b" "$root/usr/lib/xen-4.17/bin/$b"
    ln -s "../usr/lib/xen-4.17/bin/$b" "$root/bin/$b"
done
# The shared-library closure (DT_NEEDED, transitively) from the unpacked packages.
declare -A copied=()
queue=("${bins[@]/#/$x/usr/lib/xen-4.17/bin/}")
while [ ${#queue[@]} -gt 0 ]; do
    f="${queue[0]}"; queue=("${queue[@]:1}")
    for lib in $(aarch64-linux-gnu-readelf -d "$f" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p'); do
        [ -n "${copied[$lib]:-}" ] && continue
        found=""
        for d in lib/aarch64-linux-gnu usr/lib/aarch64-linux-gnu; do
            [ -e "$x/$d/$lib" ] && { found="$d/$lib"; break; }
        done
        [ -n "$found" ] || { echo "build-xen-dom0: $lib (needed by $f) not found" >&2; exit 1; }
        copied[$lib]=1
        mkdir -p "$root/$(dirname "$found")"
        cp -L "$x/$found" "$root/$found"
        queue+=("$x/$found")
    done
done
mkdir -p "$root/lib/aarch64-linux-gnu"
cp -L "$x/lib/aarch64-linux-gnu/ld-linux-aarch64.so.1" "$root/lib/aarch64-linux-gnu/"
ln -s aarch64-linux-gnu/ld-linux-aarch64.so.1 "$root/lib/ld-linux-aarch64.so.1"
# glibc loads libgcc_s when a thread is cancelled (xl's child does), not through DT_NEEDED.
cp -L "$x/lib/aarch64-linux-gnu/libgcc_s.so.1" "$root/lib/aarch64-linux-gnu/"
# xl reads its global config; the defaults are what the benchmark wants.
echo "# xl's defaults (see xl.conf(5))" > "$root/etc/xen/xl.conf"
aarch64-linux-gnu-strip --strip-unneeded "$root"/usr/lib/xen-4.17/bin/* \
    "$root"/usr/lib/aarch64-linux-gnu/*.so* 2>/dev/null || true
mkdir -p "$(dirname "$out")"
find "$root" -exec touch -h -d @0 {} +
(cd "$root" && find . -mindepth 1 | LC_ALL=C sort |
    cpio --quiet -o -H newc -R 0:0 --reproducible) | gzip -9n > "$out.tmp"
mv "$out.tmp" "$out"
echo "xen dom0 initramfs: $out ($(stat -c %s "$out") bytes)"
