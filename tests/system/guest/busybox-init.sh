#!/bin/sh
# /init of the busybox test guest (a domU). It mounts the kernel's file systems and reports
# through the kernel log (which reaches the hypervisor's console through earlycon=xenboot
# even when no console daemon reads the guest's console ring), then powers off, or with
# tern.stay on the kernel command line, keeps running (to be shut down or destroyed), or with
# tern.shell, runs a shell on its console; with tern.blk it checks its PV disks (xvda and
# xvdb, served by dom0's tern-blkback) before doing any of that; with tern.net it brings up
# its PV NIC (xen-netfront's eth0, bridged in dom0 by tern-vif-hotplug) at 10.0.3.2/24 and
# pings dom0's bridge, 10.0.3.1.
/bin/busybox --install -s /bin
export PATH=/bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
# A toolstack's clean shutdown (xenstore control/shutdown = poweroff) makes the kernel run
# poweroff_cmd, /sbin/poweroff by default, which this ramdisk lacks.
echo "/bin/busybox poweroff -f" > /proc/sys/kernel/poweroff_cmd
say() { echo "tern-domu: $*" > /dev/kmsg; }
say "user space reached"
# xen-blkfront (its disks appear as /dev/xvdX once dom0's backend connects).
for m in /lib/modules/*.ko; do
    [ -f "$m" ] || continue
    insmod "$m" || say "cannot load $m"
done
say "hypervisor $(cat /sys/hypervisor/type 2>/dev/null || echo none)"
say "cpus online $(cat /sys/devices/system/cpu/online)"
say "memory $(grep MemTotal /proc/meminfo | tr -s ' ')"
say "events $(grep -E ' events$' /proc/interrupts | tr -s ' ')"
# Timer interrupts arrive: two readings of the tick count a while apart differ.
t1=$(grep -E 'arch_timer' /proc/interrupts | tr -s ' ' | cut -d' ' -f3)
sleep 1
t2=$(grep -E 'arch_timer' /proc/interrupts | tr -s ' ' | cut -d' ' -f3)
say "timer ticks $t1 then $t2"
# The PV block test: each disk's size and the sha256 of its first 2 MiB; then a pattern
# written at 1 MiB (64 pages of "tern-pv-block xvdX\n" lines), synced, and after the page
# cache is dropped read back from the backend and its sha256 reported.
blk_test() {
    for i in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20; do
        [ -b /dev/xvda ] && [ -b /dev/xvdb ] && break
        sleep 1
    done
    for d in xvda xvdb; do
        if [ ! -b /dev/$d ]; then say "disk $d missing"; continue; fi
        # (Short lines: the hypervisor's console cuts a guest's line at 120 characters.)
        say "disk $d sectors $(cat /sys/block/$d/size) ro $(cat /sys/block/$d/ro)"
        say "$d sha256 $(head -c 2097152 /dev/$d | sha256sum | cut -d' ' -f1)"
        yes "tern-pv-block $d" | head -c 262144 > /tmp/pattern
        dd if=/tmp/pattern of=/dev/$d bs=4096 seek=256 conv=fsync 2>/dev/null ||
            say "disk $d write failed"
    done
    sync
    echo 3 > /proc/sys/vm/drop_caches
    for d in xvda xvdb; do
        [ -b /dev/$d ] || continue
        say "$d pattern $(dd if=/dev/$d bs=4096 skip=256 count=64 2>/dev/null | sha256sum |
            cut -d' ' -f1)"
    done
    say "disk test done"
}
# The PV network test: eth0 appears once netfront probes; its link comes up once dom0's
# netback connects (after tern-vif-hotplug has bridged the backend interface). eth1 too, if any.
net_test() {
    for i in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20; do
        [ -e /sys/class/net/eth0 ] && break
        sleep 1
    done
    if [ ! -e /sys/class/net/eth0 ]; then say "net eth0 missing"; return; fi
    ip link set lo up
    ip addr add 10.0.3.2/24 dev eth0
    ip link set eth0 up
    say "net eth0 $(cat /sys/class/net/eth0/address) 10.0.3.2/24"
    # A second NIC, if the config gives one: up, no address; its carrier shows netback connected it.
    if [ -e /sys/class/net/eth1 ]; then
        ip link set eth1 up
        for i in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20; do
            [ "$(cat /sys/class/net/eth1/carrier 2>/dev/null)" = 1 ] && break
            sleep 1
        done
        say "net eth1 $(cat /sys/class/net/eth1/address) carrier $(cat /sys/class/net/eth1/carrier)"
    fi
    for i in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20 21 22 23 24 25 26 27 28 29 30; do
        if ping -c 1 -W 2 10.0.3.1 >/dev/null 2>&1; then
            say "net ping 10.0.3.1 ok after $i tries"
            ping -c 3 10.0.3.1 | grep -E 'packets transmitted' | sed 's/^/tern-domu: net /' > /dev/kmsg
            say "net test done"
            return
        fi
    done
    say "net ping 10.0.3.1 failed"
    say "net test done"
}
case " $(cat /proc/cmdline) " in
    *" tern.blk "*) blk_test ;;
esac
case " $(cat /proc/cmdline) " in
    *" tern.net "*) net_test ;;
esac
case " $(cat /proc/cmdline) " in
    *" tern.shell "*)
        # A shell on the console (hvc0 with console=hvc0), for a person or a test attached
        # through dom0's console daemon.
        echo "tern-domu: shell on the console"
        exec setsid cttyhack sh
        ;;
    *" tern.stay "*)
        say "staying up"
        while :; do sleep 3600; done
        ;;
esac
say "powering off"
poweroff -f
