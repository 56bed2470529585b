#!/bin/sh
# /lib/tern/stack of dom0's stack image (scripts/build-dom0-stack.sh): starts and stops the
# management stack that `tern.stack` on dom0's command line asks /init for:
#   xenstored       /var/run/xenstored/socket          log /var/log/xenstored.log
#   tern-consoled   guests' consoles                   log /var/log/tern-consoled.log
#   tern-blkback    guests' PV disks (vbd backends)    log /var/log/tern-blkback.log
#   tern-vif-hotplug  guests' NICs: the bridge xenbr0 (10.0.3.1/24) and their vif<id>.<n> on it
#                                                      log /var/log/tern-vif-hotplug.log
#   xapid           HTTPS on :443, /var/run/xend/xen-api.sock, state /var/lib/xapid
#                                                      log /var/log/xapid.log
#   dropbear        ssh on :22 (root: the image's password or the key of tern.sshkey=)
#                                                      log /var/log/dropbear.log
# xapid's backend is `tern` when this xapid has it (`xapid --help`), else `sim`;
# tern.backend=NAME on the command line chooses; tern.bundle=DISK unpacks guest images (below).
# Usage: stack start|stop
PATH=/usr/sbin:/usr/bin:/sbin:/bin
export PATH

say() { echo "tern-dom0: $*"; }

cmdline_value() {  # the value of NAME=... on the kernel command line
    for word in $(cat /proc/cmdline); do
        case "$word" in "$1="*) echo "${word#*=}" ;; esac
    done
}

wait_for_socket() {  # PATH SECONDS
    i=0
    while [ ! -S "$1" ] && [ "$i" -lt "$(($2 * 10))" ]; do usleep 100000; i=$((i + 1)); done
    [ -S "$1" ]
}

choose_backend() {
    chosen="$(cmdline_value tern.backend)"
    if [ -n "$chosen" ]; then echo "$chosen"; return; fi
    if xapid --help 2>&1 | grep -- '--backend' | grep -qw tern; then echo tern; else echo sim; fi
}

start_ssh() {
    mkdir -p /etc/dropbear /root/.ssh
    chmod 700 /root /root/.ssh
    key="$(cmdline_value tern.sshkey)"
    if [ -n "$key" ]; then
        echo "ssh-ed25519 $key tern.sshkey" >> /root/.ssh/authorized_keys
        chmod 600 /root/.ssh/authorized_keys
    fi
    # The image's host key (the same at every boot: build/dom0/secrets/ssh_host_ed25519_key),
    # in dropbear's format; a new one only for an image without it.
    hostkey=/etc/dropbear/dropbear_ed25519_host_key
    if [ ! -s "$hostkey" ] && [ -s /etc/dropbear/ssh_host_ed25519_key ]; then
        dropbearconvert openssh dropbear /etc/dropbear/ssh_host_ed25519_key "$hostkey" \
            > /dev/null 2>&1 || say "cannot convert the image's ssh host key; making a new one"
    fi
    [ -s "$hostkey" ] || dropbearkey -t ed25519 -f "$hostkey" > /dev/null 2>&1
    dropbear -F -E -p 22 -r "$hostkey" < /dev/null >> /var/log/dropbear.log 2>&1 &
    echo $! > /var/run/dropbear.pid
}

# tern.bundle=DISK: the guest bundle of `make guest-images` (a cpio archive on that virtio
# disk) unpacked into /var/lib/tern, where examples/busybox-tern.cfg finds its guest.
unpack_guests() {
    disk="$(cmdline_value tern.bundle)"
    [ -n "$disk" ] || return 0
    for i in 1 2 3 4 5 6 7 8 9 10; do [ -b "/dev/$disk" ] && break; sleep 1; done
    mkdir -p /var/lib/tern
    if (cd /var/lib/tern && cpio -id < "/dev/$disk" 2> /dev/null); then
        say "guest images in /var/lib/tern: $(cd /var/lib/tern && find . -type f | tr '\n' ' ')"
    else
        say "no guest bundle on /dev/$disk"
    fi
}

start() {
    mkdir -p /var/run/xend /var/lib/xapid /var/log /root
    hostname -F /etc/hostname
    unpack_guests
    xenstored < /dev/null >> /var/log/xenstored.log 2>&1 &
    echo $! > /var/run/xenstored.pid
    wait_for_socket /var/run/xenstored/socket 60 || say "xenstored did not start (see /var/log/xenstored.log)"
    tern-consoled < /dev/null >> /var/log/tern-consoled.log 2>&1 &
    echo $! > /var/run/tern-consoled.pid
    tern-blkback < /dev/null >> /var/log/tern-blkback.log 2>&1 &
    echo $! > /var/run/tern-blkback.pid
    tern-vif-hotplug < /dev/null >> /var/log/tern-vif-hotplug.log 2>&1 &
    echo $! > /var/run/tern-vif-hotplug.pid
    backend="$(choose_backend)"
    xapid --backend "$backend" --state-dir /var/lib/xapid --https 0.0.0.0:443 \
        --unix /var/run/xend/xen-api.sock < /dev/null >> /var/log/xapid.log 2>&1 &
    echo $! > /var/run/xapid.pid
    start_ssh
    if wait_for_socket /var/run/xend/xen-api.sock 300; then
        say "stack up: xapid (backend $backend) on :443 and /var/run/xend/xen-api.sock, ssh on :22"
    else
        say "xapid did not start; /var/log/xapid.log says:"
        tail -n 20 /var/log/xapid.log
    fi
}

alive() {  # PID: running (not gone, not a zombie waiting for PID 1)
    state="$(cut -d' ' -f3 "/proc/$1/stat" 2> /dev/null)"
    [ -n "$state" ] && [ "$state" != Z ]
}

stop_one() {  # NAME: SIGTERM, then up to 30 s for it to go, then SIGKILL
    pidfile="/var/run/$1.pid"
    [ -f "$pidfile" ] || return 0
    pid="$(cat "$pidfile")"
    rm -f "$pidfile"
    kill "$pid" 2> /dev/null || return 0
    i=0
    while alive "$pid" && [ "$i" -lt 300 ]; do usleep 100000; i=$((i + 1)); done
    kill -9 "$pid" 2> /dev/null
    say "$1 stopped"
}

stop() {
    stop_one xapid
    stop_one dropbear
    stop_one tern-vif-hotplug
    stop_one tern-blkback
    stop_one tern-consoled
    stop_one xenstored
    sync
}

case "$1" in
    start) start ;;
    stop) stop ;;
    *) echo "usage: $0 start|stop" >&2; exit 2 ;;
esac
