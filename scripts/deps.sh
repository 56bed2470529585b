#!/usr/bin/env bash
# Installs the Debian packages listed in scripts/packages.txt. Idempotent and quick when
# everything is already present: apt-get runs only when a package is missing.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
mapfile -t wanted < <(sed -e 's/#.*//' -e 's/[[:space:]]//g' "$here/packages.txt" | grep -v '^$')

# A name without `:arch` means the machine's own architecture or `all` (once a package is
# installed for arm64 too, the bare name matches both).
native=$(dpkg --print-architecture)
installed() {
    local status
    for name in "$1" "$1:$native" "$1:all"; do
        [[ "$name" == *:*:* ]] && continue
        status=$(dpkg-query -W -f='${Status}' "$name" 2>/dev/null || true)
        [[ "$status" == "install ok installed" ]] && return 0
        [[ "$1" == *:* ]] && return 1
    done
    return 1
}
missing=()
for pkg in "${wanted[@]}"; do
    installed "$pkg" || missing+=("$pkg")
done
if ((${#missing[@]} == 0)); then
    echo "deps: all ${#wanted[@]} packages present"
    exit 0
fi

sudo=""
if [[ $(id -u) -ne 0 ]]; then sudo="sudo"; fi
if printf '%s\n' "${missing[@]}" | grep -q ':arm64$'; then
    if ! dpkg --print-foreign-architectures | grep -qx arm64; then
        $sudo dpkg --add-architecture arm64
    fi
fi
echo "deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -q
$sudo apt-get install -y -q --no-install-recommends "${missing[@]}"
