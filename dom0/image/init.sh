#!/bin/sh
# /init of Tern's minimal dom0 ramdisk (busybox only). It mounts the kernel's file systems,
# loads the virtio modules, reports what a tester or an administrator wants to know first,
# then either powers off (tern.autotest on the kernel command line: the system test) or gives
# a shell on the console.
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
case " $(cat /proc/cmdline) " in
    *" tern.autotest "*)
        echo "tern-dom0: autotest done, powering off"
        poweroff -f
        ;;
esac
echo "tern-dom0: type 'poweroff -f' to stop the machine"
exec setsid cttyhack sh
