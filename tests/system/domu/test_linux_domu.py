"""Debian's stock arm64 kernel boots as a domU on Tern. dom0 (one vCPU, so that CPU 1 is left to
other domains) gets the guest's kernel and busybox ramdisk (scripts/build-guest-images.sh) on a
virtio disk, builds the domain with tern-ctl and unpauses it. The guest finds Xen (its device
tree's hypervisor node, shared_info, vcpu_info, grant frames, the 2-level event ABI), takes
timer interrupts through its virtual GIC, reaches its user space and powers itself off (PSCI
SYSTEM_OFF), which dom0 sees as a shutdown with reason poweroff; a second guest that stays up
is destroyed while it runs, and every page comes back.

The guest's console is hvc0, its PV console ring, drained by dom0's tern-consoled into a log
file; earlycon=xenboot with keep_bootcon also sends every kernel message through console_io,
shown as "(dN) ..." on Tern's console, which is what the test reads."""

import re
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "hypervisor"))

from guest_bundle import guest_config, start_dom0_with_guest  # noqa: E402
from test_control import pages_free_or_dom0s  # noqa: E402
from test_dom0 import BOOT_TIMEOUT  # noqa: E402

EXTRA = "earlycon=xenboot keep_bootcon console=hvc0 loglevel=7"


def kernel_lines(log):
    """Tern's and the guests' lines of a console log (not dom0's shell)."""
    return "\n".join(line for line in log.splitlines()
                     if line.startswith("(d") or line.startswith("(TERN)"))[-6000:]


def domain_mib(shell, domid):
    out, rc = shell.run(f"tern-ctl info {domid}")
    found = re.search(rf"^\s*{domid}\s+\S+\s+(\d+)", out, re.M)
    assert rc == 0 and found, out
    return int(found.group(1))


def wait_for_mib(shell, domid, wanted):
    """Asks until the domain's memory satisfies `wanted` (a second apart; the guest's balloon
    works in the background), as long as a boot may take."""
    for _ in range(BOOT_TIMEOUT):
        if wanted(domain_mib(shell, domid)):
            return True
        shell.run("sleep 1")
    return False


def test_debian_kernel_boots_as_a_domu_powers_off_and_is_destroyed_while_running():
    machine, shell, _ = start_dom0_with_guest()
    try:
        before = pages_free_or_dom0s(shell)

        out, rc = shell.run(f"printf '{guest_config('busybox', EXTRA)}' > /tmp/bb.cfg; "
                            "tern-ctl build /tmp/bb.cfg")
        assert rc == 0, out
        d = int(out.strip().splitlines()[-1])
        start = len(machine.log)
        out, rc = shell.run(f"tern-ctl unpause {d}")
        assert rc == 0, out
        assert machine.wait_for(f"(d{d}) [", BOOT_TIMEOUT)
        assert machine.wait_for(f"(TERN) d{d}: shut down (reason 0, poweroff)", BOOT_TIMEOUT), \
            machine.log[-4000:]
        log = machine.log[start:]
        lines = [line.split(") ", 1)[1] for line in log.splitlines()
                 if line.startswith(f"(d{d}) ")]
        guest = "\n".join(lines)
        assert "Xen 4.17 support found" in guest, guest[-3000:]
        assert "Grant table initialized" in guest, guest[-3000:]
        assert "xen:events: Using 2-level ABI" in guest, guest[-3000:]
        assert "GICv3: CPU0: found redistributor 0 region 0:0x0000000003020000" in guest
        assert "tern-domu: user space reached" in guest, guest[-3000:]
        assert "tern-domu: hypervisor xen" in guest, guest[-3000:]
        assert re.search(r"tern-domu: memory MemTotal: \d+ kB", guest), guest[-3000:]
        # Its virtual timer interrupts come through the virtual GIC: the count moves.
        ticks = re.search(r"tern-domu: timer ticks (\d+) then (\d+)", guest)
        assert ticks and int(ticks.group(2)) > int(ticks.group(1)), guest[-3000:]
        # Its event-channel upcall is the PPI the device tree names, bound by Linux.
        assert re.search(r"tern-domu: events +\d+: +\d+ +GICv3 +31 Level +events", guest), \
            guest[-3000:]
        assert "unhandled trap" not in log, log[-3000:]
        out, rc = shell.run(f"tern-ctl info {d}")
        assert rc == 0 and re.search(rf"{d} shutdown .*\(poweroff\)", out), out
        # Its hvc0 went through the console ring to dom0's console daemon.
        out, rc = shell.run(f"tern-ctl console --log {d} | grep tern-domu")
        assert rc == 0 and "tern-domu: user space reached" in out, out
        out, rc = shell.run(f"tern-ctl destroy {d}")
        assert rc == 0, out

        # A guest that stays up is destroyed while its vCPU runs; its CPU and pages come back.
        out, rc = shell.run(f"printf '{guest_config('stays', EXTRA + ' tern.stay')}' "
                            "> /tmp/stay.cfg; tern-ctl build /tmp/stay.cfg")
        assert rc == 0, out
        s = int(out.strip().splitlines()[-1])
        out, rc = shell.run(f"tern-ctl unpause {s}")
        assert rc == 0, out
        assert machine.wait_for(f"(d{s}) [", BOOT_TIMEOUT)
        assert machine.wait_for("tern-domu: staying up", BOOT_TIMEOUT), machine.log[-3000:]
        out, rc = shell.run(f"tern-ctl info {s}")
        assert rc == 0 and re.search(rf"{s} running", out), out
        # Its balloon follows memory/target (kB, relative to memory/static-max): 8 MiB less and
        # the domain gives 8 MiB of pages back (decrease_reservation); the full size again and
        # it takes them again (populate_physmap). (The busybox guest keeps its ramdisk in RAM:
        # it has little more than 8 MiB to spare.)
        full = domain_mib(shell, s)
        balloon = len(machine.log)
        target = f"/local/domain/{s}/memory/target"
        out, rc = shell.run(f"tern-ctl xenstore-write {target} {(full - 8) * 1024}")
        assert rc == 0, out
        assert wait_for_mib(shell, s, lambda mib: mib <= full - 7), \
            (domain_mib(shell, s), kernel_lines(machine.log[balloon:]))
        assert domain_mib(shell, s) >= full - 9  # no more than asked
        out, rc = shell.run(f"tern-ctl xenstore-write {target} {full * 1024}")
        assert rc == 0, out
        assert wait_for_mib(shell, s, lambda mib: mib == full), \
            (domain_mib(shell, s), kernel_lines(machine.log[balloon:]))
        out, rc = shell.run(f"tern-ctl destroy {s} && tern-ctl list")
        assert rc == 0 and not re.search(rf"^\s*{s}\s", out, re.M), out
        assert pages_free_or_dom0s(shell) == before
        machine.type("poweroff -f\n")
        assert machine.wait_exit(BOOT_TIMEOUT) == 0
    finally:
        machine.close()


def test_a_two_vcpu_domu_brings_its_second_vcpu_up_with_psci_cpu_on():
    """On a 3-CPU machine with dom0 on one, a 2-vCPU guest starts vCPU 0 at unpause and vCPU 1
    when Linux asks for it (PSCI CPU_ON): each starts on a CPU dom0 leaves free, with its own
    redistributor, and both are online in the guest; IPIs between them go through its vGIC."""
    machine, shell, _ = start_dom0_with_guest(cpus=3)
    try:
        start = len(machine.log)
        # Built and started by one command (tern-ctl build --unpause, as xl create).
        out, rc = shell.run(f"printf '{guest_config('smp', EXTRA, vcpus=2)}' > /tmp/smp.cfg; "
                            "tern-ctl build --unpause /tmp/smp.cfg")
        assert rc == 0, out
        d = int(out.strip().splitlines()[-1])
        assert machine.wait_for(f"(TERN) d{d}: shut down (reason 0, poweroff)", BOOT_TIMEOUT), \
            machine.log[-4000:]
        log = machine.log[start:]
        # The scheduler starts each on whichever of the three CPUs is idle (dom0's are shared).
        starts = dict(re.findall(rf"\(TERN\) d{d}: vCPU (\d) starts on CPU (\d+)", log))
        assert set(starts) == {"0", "1"} and set(starts.values()) <= {"0", "1", "2"}, log[-3000:]
        guest = "\n".join(line.split(") ", 1)[1] for line in log.splitlines()
                          if line.startswith(f"(d{d}) "))
        assert "smp: Brought up 1 node, 2 CPUs" in guest, guest[-3000:]
        assert "GICv3: CPU1: found redistributor 1 region 0:0x0000000003040000" in guest, \
            guest[-3000:]
        assert "tern-domu: cpus online 0-1" in guest, guest[-3000:]
        assert "unhandled trap" not in log, log[-3000:]
        out, rc = shell.run(f"tern-ctl destroy {d}")
        assert rc == 0, out
        machine.type("poweroff -f\n")
        assert machine.wait_exit(BOOT_TIMEOUT) == 0
    finally:
        machine.close()
