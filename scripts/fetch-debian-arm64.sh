#!/usr/bin/env bash
# Fetches Debian's stock arm64 Linux kernel (the dom0 and domU kernel of the tests) from
# Debian's archive into build/downloads and extracts its Image: build/downloads/dom0/Image.
# Idempotent: nothing is fetched when the Image is there. Never committed.
set -euo pipefail
top="$(cd "$(dirname "$0")/.." && pwd)"
out="${DOWNLOADS:-$top/build/downloads}"
image="$out/dom0/Image"
[ -s "$image" ] && { echo "fetch: $image present"; exit 0; }
mkdir -p "$out/dom0"
sudo=""
if [[ $(id -u) -ne 0 ]]; then sudo="sudo"; fi
if ! dpkg --print-foreign-architectures | grep -qx arm64; then
    $sudo dpkg --add-architecture arm64
fi
if ! apt-cache show 'linux-image-arm64:arm64' >/dev/null 2>&1; then
    $sudo apt-get update -q
fi
# The newest 6.1 kernel of the archive, unsigned (the same Image as the signed one).
package=$(apt-cache search --names-only '^linux-image-6\.1\.0-[0-9]+-arm64-unsigned$' |
          awk '{print $1}' | sort -V | tail -1)
[ -n "$package" ] || { echo "fetch: no linux-image-6.1.0-*-arm64-unsigned in the archive" >&2; exit 1; }
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
chmod 755 "$work"  # apt-get download runs as _apt
(cd "$work" && apt-get download -q "$package:arm64")
dpkg-deb -x "$work"/*.deb "$work/x"
cp "$work"/x/boot/vmlinuz-* "$image.tmp"
mv "$image.tmp" "$image"
echo "$package" > "$out/dom0/PACKAGE"
echo "fetch: $package -> $image"
