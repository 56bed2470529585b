#!/bin/sh
# /init of the benchmark's guest: the test guest's busybox ramdisk (scripts/build-guest-images.sh)
# with xen-evtchn.ko and domu-bench added. It reports reaching user space on its console (the
# marker dom0 waits for, as the test guest does), loads the event-channel device and serves
# the ping-pong (domu-bench pong) until it is destroyed.
/bin/busybox --install -s /bin
export PATH=/bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
echo "tern-domu: user space reached" > /dev/kmsg
insmod /lib/modules/xen-evtchn.ko || echo "tern-domu: cannot load xen-evtchn.ko" > /dev/kmsg
for i in 1 2 3 4 5 6 7 8 9 10; do [ -c /dev/xen/evtchn ] && break; sleep 1; done
exec /bin/domu-bench pong
