#!/bin/sh
# /bin/xen-dom0-start in the anchor's dom0 ramdisk (scripts/build-xen-dom0.sh): what Debian's
# xencommons does before xl can be used — xenfs on /proc/xen, Xen's C xenstored, dom0's own
# xenstore entries (xen-init-dom0) and xenconsoled logging every guest's console to
# /var/log/xen/console/guest-NAME.log.
set -e
grep -q xenfs /proc/mounts || mount -t xenfs xenfs /proc/xen
mkdir -p /run/xen /run/xenstored /var/lib/xenstored /var/log/xen/console
/usr/lib/xen-4.17/bin/xenstored --pid-file=/run/xenstored.pid
until [ -S /run/xenstored/socket ]; do usleep 100000; done
/usr/lib/xen-4.17/bin/xen-init-dom0
/usr/lib/xen-4.17/bin/xenconsoled --pid-file=/run/xenconsoled.pid --log=guest \
    --log-dir=/var/log/xen/console
echo "xen-dom0-start: xenstored, xenconsoled running"
