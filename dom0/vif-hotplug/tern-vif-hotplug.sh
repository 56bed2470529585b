#!/bin/sh
# tern-vif-hotplug: dom0's side of its guests' PV network, in the place of Xen's udev-run
# vif-bridge script (dom0 has no udev). It loads the bridge and xen-netback modules
# (/lib/modules/net, in dependency order), makes the bridge xenbr0 with 10.0.3.1/24 (or
# TERN_BRIDGE, TERN_BRIDGE_ADDR) and then watches xenstore's backend/vif tree
# (/local/domain/0/backend/vif, a xenstore watch through `tern-ctl xenstore-watch`; xenstored
# must be running): as soon as netback makes the interface of a guest's NIC, vif<domid>.<n>, it
# is added to the bridge its backend directory names (.../vif/<domid>/<n>/bridge), brought up,
# and its hotplug-status set to connected, which netback waits for before it connects the guest.
# When a backend directory goes, it waits for netback to delete the interface. Each line it
# prints starts with "tern-vif-hotplug:". Runs in the foreground until killed.
bridge="${TERN_BRIDGE:-xenbr0}"
address="${TERN_BRIDGE_ADDR:-10.0.3.1/24}"
backends=/local/domain/0/backend/vif
say() { echo "tern-vif-hotplug: $*"; }
for m in llc stp bridge xen-netback; do
    [ -d "/sys/module/$(echo $m | tr - _)" ] && continue
    insmod "/lib/modules/net/$m.ko" || { say "cannot load $m"; exit 1; }
done
if [ ! -d "/sys/class/net/$bridge" ]; then
    brctl addbr "$bridge" || { say "cannot make the bridge $bridge"; exit 1; }
    # No spanning tree and no forwarding delay: a port forwards as soon as it is up.
    brctl stp "$bridge" off
    brctl setfd "$bridge" 0
    ip addr add "$address" dev "$bridge"
fi
ip link set "$bridge" up

# The watch's events come through a FIFO, so that the watcher is ours to stop.
fifo="/tmp/tern-vif-hotplug.$$"
rm -f "$fifo"
mkfifo "$fifo" || { say "cannot make $fifo"; exit 1; }
tern-ctl xenstore-watch "$backends" > "$fifo" &
watcher=$!
exec 3< "$fifo"
rm -f "$fifo"
trap 'say "stopping"; kill "$watcher" 2>/dev/null; exit 0' INT TERM
say "bridge $bridge $address up; watching $backends for vif interfaces"

attached=" "
# attach VIF: onto the bridge its backend names, up, and its hotplug-status written.
attach() {
    ids="${1#vif}"
    backend="$backends/${ids%%.*}/${ids#*.}"
    want="$(tern-ctl xenstore-read "$backend/bridge" 2>/dev/null)" || want="$bridge"
    [ -n "$want" ] || want="$bridge"
    if brctl addif "$want" "$1" && ip link set "$1" up; then
        tern-ctl xenstore-write "$backend/hotplug-status" connected >/dev/null
        say "$1 added to $want"
    else
        tern-ctl xenstore-write "$backend/hotplug-status" error >/dev/null
        say "$1 could not be added to $want"
    fi
    attached="$attached$1 "
}
# Bridges every vif interface not yet bridged, and forgets those that are gone.
reconcile() {
    for dev in /sys/class/net/vif*; do
        [ -e "$dev" ] || continue
        case "$attached" in *" ${dev##*/} "*) continue ;; esac
        attach "${dev##*/}"
    done
    for vif in $attached; do
        [ -e "/sys/class/net/$vif" ] && continue
        attached="$(echo "$attached" | sed "s/ $vif / /")"
        say "$vif gone"
    done
}
# wait_for TEST: netback makes (or deletes) an interface a moment after the xenstore write that
# tells it to; up to 10 s.
wait_for() {
    i=0
    while [ $i -lt 100 ] && ! eval "$1"; do
        usleep 100000
        i=$((i + 1))
    done
}
while read -r path <&3; do
    case "$path" in
        "$backends"/*/*)  # a NIC's backend directory: its interface is on its way, or going
            ids="${path#"$backends"/}"
            dom="${ids%%/*}"
            ids="${ids#*/}"
            vif="vif$dom.${ids%%/*}"
            case "$attached" in *" $vif "*) known=yes ;; *) known=no ;; esac
            if tern-ctl xenstore-read "$backends/$dom/${ids%%/*}/state" >/dev/null 2>&1; then
                [ $known = yes ] || wait_for "[ -e /sys/class/net/$vif ]"
            else
                [ $known = no ] || wait_for "[ ! -e /sys/class/net/$vif ]"
            fi
            ;;
        "$backends"/*)  # a domain's NICs removed: netback deletes their interfaces
            dom="${path#"$backends"/}"
            if ! tern-ctl xenstore-ls "$path" >/dev/null 2>&1; then
                for vif in $attached; do
                    case "$vif" in
                        "vif$dom".*) wait_for "[ ! -e /sys/class/net/$vif ]" ;;
                    esac
                done
            fi
            ;;
    esac
    reconcile
done
say "the xenstore watch on $backends ended"
exit 1
