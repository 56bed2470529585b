#!/usr/bin/env bash
# `make run`: boots Tern in QEMU (TCG; -machine virt,virtualization=on,gic-version=3) with
# Debian's arm64 kernel as dom0 and the stack image of scripts/build-dom0-stack.sh, whose /init
# (with `tern.stack`) starts xenstored, tern-consoled, xapid and dropbear. QEMU's user network
# forwards 127.0.0.1:$HTTPS_PORT (8443) to dom0's HTTPS (xapid) and 127.0.0.1:$SSH_PORT (2222)
# to its ssh. The script waits until xapid answers a login over the forwarded port, prints how
# to connect, and stays until Ctrl-C (or SIGTERM): then dom0 powers off (over ssh, which stops
# the stack first), QEMU exits and so does the script.
# Files: $RUN_DIR (build/run): console.log (Tern's and dom0's console), console.sock (the
# same console, interactive: `socat -,raw,echo=0 UNIX:build/run/console.sock`), id_ed25519
# (the ssh key dom0 trusts for this run), known_hosts (dom0's host key, which the image carries:
# the same at every boot), qemu.pid.
# Inputs (`make dom0-stack hypervisor guest-images`): BUILD (build), TERN_IMAGE,
# TERN_DOM0_KERNEL, DOM0_STACK_INITRD, DOM0_SECRETS (root's password, xapid's certificate,
# dom0's ssh host key ssh_host_ed25519_key.pub),
# TERN_GUEST_BUNDLE (build/guest/bundle.cpio, if there: a virtio disk dom0 unpacks into
# /var/lib/tern for examples/busybox-tern.cfg), TERN_QEMU, CPUS (2), DOM0_VCPUS (1: the other
# CPUs are the guests'), DOM0_MEM (512M).
set -euo pipefail
top="$(cd "$(dirname "$0")/.." && pwd)"
build="${BUILD:-$top/build}"
https_port="${HTTPS_PORT:-8443}"
ssh_port="${SSH_PORT:-2222}"
run="${RUN_DIR:-$build/run}"
image="${TERN_IMAGE:-$build/hypervisor/tern.bin}"
kernel="${TERN_DOM0_KERNEL:-$build/downloads/dom0/Image}"
initrd="${DOM0_STACK_INITRD:-$build/dom0/stack-initrd.cpio.gz}"
secrets="${DOM0_SECRETS:-$build/dom0/secrets}"
qemu="${TERN_QEMU:-qemu-system-aarch64}"
cpus="${CPUS:-2}"
dom0_vcpus="${DOM0_VCPUS:-1}"
dom0_mem="${DOM0_MEM:-512M}"
xm="$build/bin/xm"
bundle="${TERN_GUEST_BUNDLE:-$build/guest/bundle.cpio}"
disk=()
bootargs="console=hvc0 tern.stack"
if [ -s "$bundle" ]; then
    disk=(-drive "if=none,id=disk0,format=raw,readonly=on,file=$bundle"
          -device virtio-blk-device,drive=disk0)
    bootargs="$bootargs tern.bundle=vda"
fi

for f in "$image" "$kernel" "$initrd" "$secrets/root-password" "$secrets/xapid.pem"; do
    [ -s "$f" ] || { echo "run: $f is missing: run \`make hypervisor dom0-stack\`" >&2; exit 1; }
done
password="$(cat "$secrets/root-password")"
mkdir -p "$run"
rm -f "$run/console.log" "$run/known_hosts" "$run/console.sock"
[ -s "$run/id_ed25519" ] || ssh-keygen -q -t ed25519 -N "" -C "tern make run" -f "$run/id_ed25519"
sshkey="$(cut -d' ' -f2 "$run/id_ed25519.pub")"
# dom0's host key is the image's (scripts/build-dom0-stack.sh), so it is known before the boot.
if [ -s "$secrets/ssh_host_ed25519_key.pub" ]; then
    echo "[127.0.0.1]:$ssh_port $(cut -d' ' -f1,2 "$secrets/ssh_host_ed25519_key.pub")" > "$run/known_hosts"
    checking=yes
else
    checking=no  # an image from before the host key was kept
fi
ssh_opts=(-i "$run/id_ed25519" -p "$ssh_port" -o "StrictHostKeyChecking=$checking"
          -o "UserKnownHostsFile=$run/known_hosts" -o LogLevel=ERROR -o BatchMode=yes
          -o ConnectTimeout=30)

# QEMU in a session of its own, so that Ctrl-C reaches this script only.
setsid "$qemu" -machine virt,virtualization=on,gic-version=3 -cpu cortex-a57 -smp "$cpus" \
    -m 2048 -display none -monitor none -no-reboot \
    -chardev "socket,id=console,path=$run/console.sock,server=on,wait=off,logfile=$run/console.log" \
    -serial chardev:console \
    -netdev "user,id=net0,hostfwd=tcp:127.0.0.1:$https_port-:443,hostfwd=tcp:127.0.0.1:$ssh_port-:22" \
    -device virtio-net-device,netdev=net0 "${disk[@]}" \
    -kernel "$image" -append "dom0_mem=$dom0_mem dom0_max_vcpus=$dom0_vcpus" \
    -device "guest-loader,addr=0x49000000,kernel=$kernel,bootargs=$bootargs tern.sshkey=$sshkey" \
    -device "guest-loader,addr=0x4d000000,initrd=$initrd" \
    < /dev/null > "$run/qemu.out" 2>&1 &
qemu_pid=$!
echo "$qemu_pid" > "$run/qemu.pid"
started=$SECONDS

ready=""
stop() {
    trap '' INT TERM
    if [ -z "$ready" ]; then
        echo
        echo "run: stopped before xapid answered: ending QEMU"
        kill "$qemu_pid" 2> /dev/null || true
    elif kill -0 "$qemu_pid" 2> /dev/null; then
        echo
        echo "run: stopping: dom0 powers off (its console: $run/console.log)"
        ssh "${ssh_opts[@]}" root@127.0.0.1 poweroff > /dev/null 2>&1 || true
        for _ in $(seq 1200); do kill -0 "$qemu_pid" 2> /dev/null || break; sleep 0.1; done
        if kill -0 "$qemu_pid" 2> /dev/null; then
            echo "run: dom0 did not power off in 120 s; ending QEMU"
            kill "$qemu_pid" 2> /dev/null || true
        fi
    fi
    wait "$qemu_pid" 2> /dev/null || true
    echo "run: stopped"
    exit 0
}
trap stop INT TERM

echo "run: booting Tern and dom0 in QEMU (console: $run/console.log); waiting for xapid on 127.0.0.1:$https_port"
until SSL_CERT_FILE="$secrets/xapid.pem" /usr/bin/python3 - "$https_port" "$password" <<'PY' 2> /dev/null
import sys, xmlrpc.client
proxy = xmlrpc.client.ServerProxy(f"https://127.0.0.1:{sys.argv[1]}/")
answer = proxy.session.login_with_password("root", sys.argv[2], "2.0", "make-run")
sys.exit(0 if answer.get("Status") == "Success" else 1)
PY
do
    if ! kill -0 "$qemu_pid" 2> /dev/null; then
        echo "run: QEMU ended before xapid answered; the end of $run/console.log:" >&2
        tail -n 30 "$run/console.log" >&2 || true
        cat "$run/qemu.out" >&2 || true
        exit 1
    fi
    sleep 2 & wait $!
done

ready=yes
cat <<TXT
run: xapid answers ($((SECONDS - started)) s after QEMU started).
  HTTPS:        https://127.0.0.1:$https_port/  (certificate: $secrets/xapid.pem)
  ssh:          ssh -p $ssh_port root@127.0.0.1   (key: $run/id_ed25519, or the password;
                dom0's host key, the same at every boot: $secrets/ssh_host_ed25519_key.pub)
  Credentials:  root / $password   (also in $secrets/root-password)
  dom0 console: $run/console.log   (interactive: socat -,raw,echo=0 UNIX:$run/console.sock)

Three things to try from another terminal:
  SSL_CERT_FILE=$secrets/xapid.pem $xm --server https://127.0.0.1:$https_port --password-file $secrets/root-password list
  SSL_CERT_FILE=$secrets/xapid.pem $xm --server https://127.0.0.1:$https_port --password-file $secrets/root-password create $top/examples/busybox-tern.cfg -c
  PYTHONPATH=$build/bindings/python/package /usr/bin/python3 -c 'import XenAPI; s = XenAPI.Session("https://127.0.0.1:$https_port", cafile="$secrets/xapid.pem"); s.xenapi.login_with_password("root", "$password", "2.1", "try"); print(s.xenapi.host.get_record(s.xenapi.host.get_all()[0])["name_label"])'
  (over ssh, after ssh-add $run/id_ed25519 (or typing root's password):
   $xm --server ssh://root@127.0.0.1:$ssh_port --password-file $secrets/root-password list)

Press Ctrl-C to stop (dom0 powers off, then QEMU ends).
TXT
while kill -0 "$qemu_pid" 2> /dev/null; do
    wait "$qemu_pid" || true
done
echo "run: QEMU ended"
