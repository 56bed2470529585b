"""PV network for a Linux domU: dom0 runs tern-vif-hotplug (it loads the bridge and
xen-netback modules, makes the bridge xenbr0 at 10.0.3.1/24 and bridges each backend interface
netback makes, as soon as a xenstore watch on backend/vif says so) beside xenstored and
tern-consoled, and builds a guest whose config gives it two NICs on xenbr0. The guest loads
xen-netfront from its ramdisk; its init (tern.net) brings eth0 up at 10.0.3.2/24 with the
configured MAC address and pings dom0, and brings eth1 up (its carrier: netback connected it).
dom0 pings the guest. Then dom0 destroys the running guest: netback's interfaces vif<id>.0 and
vif<id>.1 leave the bridge and are gone, the backend directories are removed, and every page is
back."""

import re
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "hypervisor"))

from guest_bundle import guest_config, start_dom0_with_guest  # noqa: E402
from test_control import pages_free_or_dom0s  # noqa: E402
from test_dom0 import BOOT_TIMEOUT  # noqa: E402

EXTRA = "earlycon=xenboot keep_bootcon console=hvc0 loglevel=7 tern.net tern.stay"
MAC = "00:16:3e:5e:00:01"
MAC1 = "00:16:3e:5e:00:02"


def guest_lines(log, domain):
    return "\n".join(line.split(") ", 1)[1] for line in log.splitlines()
                     if line.startswith(f"(d{domain}) ") and ") " in line)


def test_dom0_and_a_domu_ping_each_other_over_a_bridged_pv_nic():
    machine, shell, _ = start_dom0_with_guest()
    try:
        out, rc = shell.run("(tern-vif-hotplug > /tmp/vif.log 2>&1 &); "
                            "until grep -q 'watching\\|cannot' /tmp/vif.log; "
                            "do usleep 100000; done; cat /tmp/vif.log")
        assert rc == 0 and "bridge xenbr0 10.0.3.1/24 up" in out, out
        out, rc = shell.run("ip -4 addr show xenbr0")
        assert rc == 0 and "10.0.3.1/24" in out, out
        before = pages_free_or_dom0s(shell)

        config = guest_config("net", EXTRA) + (f'vif = [ "mac={MAC},bridge=xenbr0", '
                                               f'"mac={MAC1},bridge=xenbr0" ]\\n')
        out, rc = shell.run(f"printf '{config}' > /tmp/net.cfg; tern-ctl build /tmp/net.cfg")
        assert rc == 0, out
        assert f"vif 0: mac {MAC}, bridge xenbr0" in out, out
        assert f"vif 1: mac {MAC1}, bridge xenbr0" in out, out
        d = int(out.strip().splitlines()[-1])
        vif, vif1 = f"vif{d}.0", f"vif{d}.1"
        # netback probed the backend directories and made vif<d>.0 and .1; the helper, woken by
        # its watch, bridged both.
        out, rc = shell.run(f"until grep -q '{vif} ' /tmp/vif.log && grep -q '{vif1} ' "
                            f"/tmp/vif.log; do usleep 100000; done; "
                            f"cat /tmp/vif.log; ls /sys/class/net/xenbr0/brif; "
                            f"for n in 0 1; do tern-ctl xenstore-read "
                            f"/local/domain/0/backend/vif/{d}/$n/hotplug-status; done")
        assert rc == 0 and f"{vif} added to xenbr0" in out, out
        assert f"{vif1} added to xenbr0" in out, out
        assert out.split()[-4:] == [vif, vif1, "connected", "connected"], out

        start = len(machine.log)
        out, rc = shell.run(f"tern-ctl unpause {d}")
        assert rc == 0, out
        assert machine.wait_for("tern-domu: net test done", BOOT_TIMEOUT), machine.log[-4000:]
        guest = guest_lines(machine.log[start:], d)
        assert f"tern-domu: net eth0 {MAC} 10.0.3.2/24" in guest, guest[-3000:]
        assert f"tern-domu: net eth1 {MAC1} carrier 1" in guest, guest[-3000:]
        assert "tern-domu: net ping 10.0.3.1 ok" in guest, guest[-3000:]
        assert re.search(r"3 packets transmitted, 3 packets received", guest), guest[-3000:]
        # Both ends of both NICs are Connected (4) in xenstore.
        out, rc = shell.run(f"for n in 0 1; do "
                            f"tern-ctl xenstore-read /local/domain/0/backend/vif/{d}/$n/state; "
                            f"tern-ctl xenstore-read /local/domain/{d}/device/vif/$n/state; done")
        assert rc == 0 and out.split()[-4:] == ["4", "4", "4", "4"], out
        # dom0 to the guest, through the bridge.
        out, rc = shell.run("ping -c 3 -W 5 10.0.3.2")
        assert rc == 0 and "3 packets transmitted, 3 packets received" in out, out
        # The guest's frames carry the MAC address of its config.
        out, rc = shell.run("ip neigh show 10.0.3.2")
        assert rc == 0 and MAC in out.lower(), out
        out, rc = shell.run(f"cat /sys/class/net/{vif}/statistics/rx_packets "
                            f"/sys/class/net/{vif}/statistics/tx_packets")
        assert rc == 0, out
        rx, tx = (int(n) for n in out.split()[-2:])
        assert rx >= 3 and tx >= 3, out

        # Destroyed while it runs: netback lets go of the guest and deletes its interface.
        out, rc = shell.run(f"tern-ctl destroy {d}")
        assert rc == 0 and "did not delete" not in out, out
        out, rc = shell.run("ls /sys/class/net")
        assert vif not in out.split() and vif1 not in out.split(), out
        out, rc = shell.run("ls /sys/class/net/xenbr0/brif | wc -l")
        assert rc == 0 and out.split()[-1] == "0", out
        out, rc = shell.run(f"tern-ctl xenstore-ls /local/domain/0/backend/vif/{d}")
        assert rc != 0 or "mac" not in out, out
        out, rc = shell.run(f"until grep -q '{vif} gone' /tmp/vif.log && grep -q '{vif1} gone' "
                            f"/tmp/vif.log; do usleep 100000; done")
        assert rc == 0, out
        assert pages_free_or_dom0s(shell) == before
        machine.type("poweroff -f\n")
        assert machine.wait_exit(BOOT_TIMEOUT) == 0
    finally:
        machine.close()
