#!/bin/sh
# /init of Tern's minimal dom0 ramdisk (busybox only). It mounts the kernel's file systems,
# loads the virtio modules, configures the network if QEMU gave dom0 a NIC (QEMU's user
# network: 10.0.2.15/24, gateway 10.0.2.2), reports what a tester or an administrator wants to
# know first, then either powers off (tern.autotest on the kernel command line: the system
# test) or gives a shell on the console. With tern.stack (and the stack image of
# scripts/build-dom0-stack.sh) it first starts the management stack (/lib/tern/stack) and stays
# PID 1 under the shell: `poweroff` or `reboot` from anywhere stops the stack, then the machine.
/bin/busybox --install -s /bin
export PATH=/bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
# Pseudo-terminals (tern-consoled gives each guest's console one).
mkdir -p /dev/pts
mount -t devpts devpts /dev/pts
# From here the console is user space's: kernel messages go to the log only (dmesg), so that
# they cannot cut into the lines below.
dmesg -n 1
echo "tern-dom0: user space reached"
echo "tern-dom0: hypervisor type $(cat /sys/hypervisor/type 2>/dev/null || echo none)"
echo "tern-dom0: hypervisor version $(cat /sys/hypervisor/version/major 2>/dev/null).$(cat /sys/hypervisor/version/minor 2>/dev/null)"
echo "tern-dom0: cpus online $(cat /sys/devices/system/cpu/online)"
# The event-channel upcall interrupt and how often each CPU took it.
echo "tern-dom0: interrupts $(grep -E ' events$' /proc/interrupts | tr -s ' ')"
for m in /lib/modules/*.ko; do
    insmod "$m" || echo "tern-dom0: cannot load $m"
done
# The first virtio disk, if QEMU was given one; its probe is asynchronous.
for i in 1 2 3 4 5 6 7 8 9 10; do
    [ -b /dev/vda ] && break
    sleep 1
done
if [ -b /dev/vda ]; then
    echo "tern-dom0: vda $(cat /sys/block/vda/size) sectors sha256 $(sha256sum /dev/vda | cut -d' ' -f1)"
else
    echo "tern-dom0: no vda"
fi
# The network, if QEMU gave dom0 a NIC (its probe is asynchronous too; tern.stack waits for it).
ip link set lo up
case " $(cat /proc/cmdline) " in *" tern.stack "*) stack=yes ;; *) stack="" ;; esac
if [ -n "$stack" ]; then
    for i in 1 2 3 4 5 6 7 8 9 10; do
        [ -e /sys/class/net/eth0 ] && break
        sleep 1
    done
fi
if [ -e /sys/class/net/eth0 ]; then
    ip addr add 10.0.2.15/24 dev eth0
    ip link set eth0 up
    ip route add default via 10.0.2.2
    echo "tern-dom0: eth0 $(cat /sys/class/net/eth0/address) 10.0.2.15/24"
fi
case " $(cat /proc/cmdline) " in
    *" tern.autotest "*)
        echo "tern-dom0: autotest done, powering off"
        poweroff -f
        ;;
esac
if [ -n "$stack" ] && [ -x /lib/tern/stack ]; then
    /lib/tern/stack start
    # busybox's halt, poweroff and reboot signal PID 1 (USR1, USR2, TERM).
    trap '/lib/tern/stack stop; echo "tern-dom0: powering off"; poweroff -f' USR1 USR2
    trap '/lib/tern/stack stop; echo "tern-dom0: rebooting"; reboot -f' TERM
    echo "tern-dom0: type 'poweroff' to stop the stack and the machine"
    (while :; do setsid cttyhack sh; done) &
    while :; do wait; done
fi
[ -n "$stack" ] && echo "tern-dom0: tern.stack asked for, but this image has no stack"
echo "tern-dom0: type 'poweroff -f' to stop the machine"
exec setsid cttyhack sh
