#!/bin/sh
# /init of the busybox test guest (a domU). It mounts the kernel's file systems and reports
# through the kernel log (which reaches the hypervisor's console through earlycon=xenboot
# even when no console daemon reads the guest's console ring), then powers off, or with
# tern.stay on the kernel command line, keeps running (to be shut down or destroyed), or with
# tern.shell, runs a shell on its console.
/bin/busybox --install -s /bin
export PATH=/bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
say() { echo "tern-domu: $*" > /dev/kmsg; }
say "user space reached"
say "hypervisor $(cat /sys/hypervisor/type 2>/dev/null || echo none)"
say "cpus online $(cat /sys/devices/system/cpu/online)"
say "memory $(grep MemTotal /proc/meminfo | tr -s ' ')"
say "events $(grep -E ' events$' /proc/interrupts | tr -s ' ')"
# Timer interrupts arrive: two readings of the tick count a while apart differ.
t1=$(grep -E 'arch_timer' /proc/interrupts | tr -s ' ' | cut -d' ' -f3)
sleep 1
t2=$(grep -E 'arch_timer' /proc/interrupts | tr -s ' ' | cut -d' ' -f3)
say "timer ticks $t1 then $t2"
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
