#!/usr/bin/env bash
# Assembles dom0's stack image: the busybox ramdisk of scripts/build-dom0-initramfs.sh with a
# second cpio archive after it (Linux unpacks concatenated archives in order) that adds the
# management stack dom0's /init starts on `tern.stack`:
#   /usr/lib/tern/xapid       the arm64 xapid (`make dom0-xapid`: build/dom0-xapid/bin/xapid,
#                             or DOM0_XAPID), stripped; /usr/bin/xapid runs it
#                             (dom0/image/xapid-wrapper.sh: `xapid --stdio` reaches the daemon)
#   /usr/sbin/dropbear, /usr/bin/dropbearkey, /usr/bin/dropbearconvert
#                             the ssh server (Debian's dropbear-bin)
#   /lib/..., /usr/lib/...    exactly the shared libraries these need (their ELF NEEDED
#                             closure), the dynamic loader, and PAM's pam_unix, pam_deny and
#                             pam_permit, all from Debian's arm64 packages
#   /etc                      dom0/image/stack/etc (PAM service `xapid`, passwd, group, ...)
#                             and a shadow file with root's password
#   /var/lib/xapid            xapid's TLS certificate and key (made here, so the host can check
#                             the certificate)
#   /etc/dropbear/ssh_host_ed25519_key   dom0's ssh host key (OpenSSH format, made here with
#                             ssh-keygen, so that it is the same at every boot and the host's
#                             known_hosts stays valid; dom0 converts it for dropbear)
#   /lib/tern/stack           dom0/image/stack.sh, which starts and stops the daemons
# The packages are fetched once with `apt-get download` into build/downloads/dom0-stack
# (DOWNLOADS); root's password, the certificate and the ssh host key are made once into
# build/dom0/secrets (DOM0_SECRETS) and reused, so that the image is the same from build to build (fixed
# timestamps and owners, sorted entries). Output: build/dom0/stack-initrd.cpio.gz
# (DOM0_STACK_INITRD). Nothing here is committed.
set -euo pipefail
top="$(cd "$(dirname "$0")/.." && pwd)"
downloads="${DOWNLOADS:-$top/build/downloads}/dom0-stack"
base="${DOM0_INITRD:-$top/build/dom0/initrd.cpio.gz}"
xapid="${DOM0_XAPID:-$top/build/dom0-xapid/bin/xapid}"
secrets="${DOM0_SECRETS:-$top/build/dom0/secrets}"
out="${DOM0_STACK_INITRD:-$top/build/dom0/stack-initrd.cpio.gz}"
arch=aarch64-linux-gnu

[ -s "$base" ] || { echo "stack: $base is missing: run \`make dom0-initramfs\`" >&2; exit 1; }
[ -x "$xapid" ] || { echo "stack: $xapid is missing: run \`make dom0-xapid\`" >&2; exit 1; }

# Debian's arm64 packages the image's programs and libraries come from.
packages=(libc6 libgcc-s1 libstdc++6 libssl3 libsqlite3-0 libxml2 libicu72 liblzma5 zlib1g
          libpam0g libpam-modules libaudit1 libcap-ng0 libcrypt1 libselinux1 libpcre2-8-0
          dropbear-bin libtomcrypt1 libtommath1 libgmp10)
mkdir -p "$downloads"
missing=()
for p in "${packages[@]}"; do
    compgen -G "$downloads/${p}_*_arm64.deb" > /dev/null || missing+=("$p:arm64")
done
if ((${#missing[@]})); then
    if ! apt-cache show libc6:arm64 > /dev/null 2>&1; then
        sudo=""
        if [[ $(id -u) -ne 0 ]]; then sudo="sudo"; fi
        dpkg --print-foreign-architectures | grep -qx arm64 || $sudo dpkg --add-architecture arm64
        $sudo apt-get update -q
    fi
    fetch="$(mktemp -d)"
    chmod 755 "$fetch"  # apt-get download runs as _apt
    (cd "$fetch" && apt-get download -q "${missing[@]}" 2>&1 |
        grep -v '^W: Download is performed unsandboxed' || true)
    mv "$fetch"/*.deb "$downloads/"
    rmdir "$fetch"
fi

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
debs="$work/debs"
root="$work/root"
mkdir -p "$debs" "$root"
for p in "${packages[@]}"; do
    deb=$(compgen -G "$downloads/${p}_*_arm64.deb" | sort -V | tail -1)
    dpkg-deb -x "$deb" "$debs"
    dpkg-deb -f "$deb" Package Version | paste -sd' ' >> "$work/PACKAGES"
done

# Programs, then the shared libraries they need, found in the unpacked packages.
install -D -m 755 "$xapid" "$root/usr/lib/tern/xapid"
aarch64-linux-gnu-strip "$root/usr/lib/tern/xapid"
install -D -m 755 "$top/dom0/image/xapid-wrapper.sh" "$root/usr/bin/xapid"
install -D -m 755 "$debs/usr/sbin/dropbear" "$root/usr/sbin/dropbear"
install -D -m 755 "$debs/usr/bin/dropbearkey" "$root/usr/bin/dropbearkey"
install -D -m 755 "$debs/usr/bin/dropbearconvert" "$root/usr/bin/dropbearconvert"
for m in pam_unix.so pam_deny.so pam_permit.so; do
    install -D -m 644 "$debs/lib/$arch/security/$m" "$root/lib/$arch/security/$m"
done
libdirs=("lib/$arch" "usr/lib/$arch")
find_library() {  # SONAME -> its path under $debs, relative
    for d in "${libdirs[@]}"; do
        if [ -e "$debs/$d/$1" ]; then echo "$d/$1"; return 0; fi
    done
    return 1
}
needed() { readelf -d "$1" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p'; }
queue=("$root/usr/lib/tern/xapid" "$root/usr/sbin/dropbear" "$root/usr/bin/dropbearkey"
       "$root/usr/bin/dropbearconvert"
       "$root/lib/$arch/security/"*.so)
declare -A have=()
unresolved=()
while ((${#queue[@]})); do
    file="${queue[0]}"
    queue=("${queue[@]:1}")
    for soname in $(needed "$file"); do
        [[ -n "${have[$soname]:-}" ]] && continue
        have[$soname]=1
        if ! rel=$(find_library "$soname"); then unresolved+=("$soname (of ${file#"$root"/})"); continue; fi
        real="$(dirname "$rel")/$(readlink "$debs/$rel" || basename "$rel")"
        mkdir -p "$root/$(dirname "$rel")"
        cp -a "$debs/$real" "$root/$real"
        [ "$real" = "$rel" ] || cp -a "$debs/$rel" "$root/$rel"
        queue+=("$root/$real")
    done
done
if ((${#unresolved[@]})); then
    echo "stack: shared libraries in none of the packages (add their package):" >&2
    printf '  %s\n' "${unresolved[@]}" >&2
    exit 1
fi
# The dynamic loader, by the path the programs name.
cp -a "$debs/lib/ld-linux-aarch64.so.1" "$root/lib/"
mkdir -p "$root/lib/$arch"
[ -e "$root/lib/$arch/ld-linux-aarch64.so.1" ] || cp -a "$debs/lib/$arch/ld-linux-aarch64.so.1" "$root/lib/$arch/"
find "$root/lib" "$root/usr/lib" -name '*.so*' -type f -exec aarch64-linux-gnu-strip --strip-unneeded {} +

# Configuration, root's password, xapid's certificate, the stack's start script.
cp -r "$top/dom0/image/stack/etc" "$root/"
mkdir -p "$secrets"
if [ ! -s "$secrets/root-password" ]; then
    (umask 077 && openssl rand -hex 8 > "$secrets/root-password")
fi
password="$(cat "$secrets/root-password")"
salt="$(printf '%s' "$password" | sha256sum | cut -c1-16)"
hash="$(openssl passwd -6 -salt "$salt" "$password")"
printf 'root:%s:19000:0:99999:7:::\nnobody:*:19000:0:99999:7:::\n' "$hash" > "$root/etc/shadow"
chmod 600 "$root/etc/shadow"
if [ ! -s "$secrets/xapid.pem" ] || [ ! -s "$secrets/xapid.key" ]; then
    (umask 077 && openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
        -keyout "$secrets/xapid.key" -out "$secrets/xapid.pem" -days 3650 \
        -subj "/O=Tern xapid/CN=tern-dom0" \
        -addext "subjectAltName=DNS:tern-dom0,DNS:localhost,IP:127.0.0.1" 2> /dev/null)
fi
install -D -m 644 "$secrets/xapid.pem" "$root/var/lib/xapid/xapid.pem"
install -D -m 600 "$secrets/xapid.key" "$root/var/lib/xapid/xapid.key"
chmod 700 "$root/var/lib/xapid"
if [ ! -s "$secrets/ssh_host_ed25519_key" ] || [ ! -s "$secrets/ssh_host_ed25519_key.pub" ]; then
    rm -f "$secrets/ssh_host_ed25519_key" "$secrets/ssh_host_ed25519_key.pub"
    ssh-keygen -q -t ed25519 -N "" -C "tern-dom0 host key" -f "$secrets/ssh_host_ed25519_key"
fi
install -D -m 600 "$secrets/ssh_host_ed25519_key" "$root/etc/dropbear/ssh_host_ed25519_key"
install -D -m 755 "$top/dom0/image/stack.sh" "$root/lib/tern/stack"
install -D -m 644 "$work/PACKAGES" "$root/lib/tern/stack-packages"
mkdir -p "$root"/{root,var/log,var/run,usr/sbin}
chmod 700 "$root/root"

find "$root" -exec touch -h -d @0 {} +
mkdir -p "$(dirname "$out")"
{
    cat "$base"
    (cd "$root" && find . -mindepth 1 | LC_ALL=C sort |
        cpio --quiet -o -H newc -R 0:0 --reproducible) | gzip -9n
} > "$out.tmp"
mv "$out.tmp" "$out"
echo "stack: $out ($(stat -c %s "$out") bytes; $(du -sk "$root" | cut -f1) KiB added to the ramdisk)"
