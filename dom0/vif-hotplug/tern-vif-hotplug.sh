#!/bin/sh
# tern-vif-hotplug: dom0's side of its guests' PV network, in the place of Xen's udev-run
# vif-bridge script (dom0 has no udev). It loads the bridge and xen-netback modules
# (/lib/modules/net, in dependency order), makes the bridge xenbr0 with 10.0.3.1/24 (or
# TERN_BRIDGE, TERN_BRIDGE_ADDR) and then watches for the interfaces netback makes for guests'
# NICs, vif<domid>.<n>: each new one is added to the bridge its backend directory names
# (/local/domain/0/backend/vif/<domid>/<n>/bridge), brought up, and its hotplug-status set to
# connected, which netback waits for before it connects the guest. Each line it prints starts
# with "tern-vif-hotplug:". Runs in the foreground until killed.
bridge="${TERN_BRIDGE:-xenbr0}"
address="${TERN_BRIDGE_ADDR:-10.0.3.1/24}"
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
say "bridge $bridge $address up; watching for vif interfaces"
attached=" "
trap 'say "stopping"; exit 0' INT TERM
while :; do
    for dev in /sys/class/net/vif*; do
        [ -e "$dev" ] || continue
        vif="${dev##*/}"
        case "$attached" in *" $vif "*) continue ;; esac
        ids="${vif#vif}"
        backend="/local/domain/0/backend/vif/${ids%%.*}/${ids#*.}"
        want="$(tern-ctl xenstore-read "$backend/bridge" 2>/dev/null)" || want="$bridge"
        [ -n "$want" ] || want="$bridge"
        if brctl addif "$want" "$vif" && ip link set "$vif" up; then
            tern-ctl xenstore-write "$backend/hotplug-status" connected >/dev/null
            say "$vif added to $want"
        else
            tern-ctl xenstore-write "$backend/hotplug-status" error >/dev/null
            say "$vif could not be added to $want"
        fi
        attached="$attached$vif "
    done
    for vif in $attached; do
        [ -e "/sys/class/net/$vif" ] && continue
        attached="$(echo "$attached" | sed "s/ $vif / /")"
        say "$vif gone"
    done
    usleep 200000
done
