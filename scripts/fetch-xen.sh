#!/usr/bin/env bash
# Fetches Debian's Xen 4.17 for arm64 (xen-hypervisor-4.17-arm64:arm64, with `apt-get
# download`; never committed) into build/downloads/xen/xen-4.17-arm64: the anchor of the dom0
# boot benchmark, booted on the same QEMU command line as Tern. Idempotent.
set -euo pipefail
top="$(cd "$(dirname "$0")/.." && pwd)"
out="${DOWNLOADS:-$top/build/downloads}/xen"
[ -s "$out/xen-4.17-arm64" ] && { echo "fetch: $out/xen-4.17-arm64 present"; exit 0; }
mkdir -p "$out"
sudo=""
if [[ $(id -u) -ne 0 ]]; then sudo="sudo"; fi
if ! dpkg --print-foreign-architectures | grep -qx arm64; then
    $sudo dpkg --add-architecture arm64
fi
if ! apt-cache show 'xen-hypervisor-4.17-arm64:arm64' >/dev/null 2>&1; then
    $sudo apt-get update -q
fi
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
chmod 755 "$work"  # apt-get download runs as _apt
(cd "$work" && apt-get download -q "xen-hypervisor-4.17-arm64:arm64" 2>&1 | grep -v '^W: Download is performed unsandboxed' || true)
dpkg-deb -x "$work"/xen-hypervisor-*.deb "$work/x"
cp "$work/x/boot/xen-4.17-arm64" "$out/xen-4.17-arm64.tmp"
mv "$out/xen-4.17-arm64.tmp" "$out/xen-4.17-arm64"
dpkg-deb -f "$work"/xen-hypervisor-*.deb Package Version > "$out/PACKAGE"
echo "fetch: $(tr '\n' ' ' < "$out/PACKAGE")-> $out/xen-4.17-arm64"
