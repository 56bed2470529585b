"""Tern's scheduler with real guests: more vCPUs than CPUs. On a 3-CPU machine dom0 keeps CPU 0
and the scheduler runs every guest vCPU on CPUs 1 and 2: four Debian guests with two vCPUs each
(eight vCPUs on two CPUs) boot at the same time, each bringing its second vCPU up and reaching
user space; then a pause takes one off the CPUs (its CPU time stops) and unpause lets it go on,
its weight, cap and affinity are set, and all four are destroyed with every page back."""

import re
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "hypervisor"))

from guest_bundle import guest_config, start_dom0_with_guest  # noqa: E402
from test_control import pages_free_or_dom0s  # noqa: E402
from test_dom0 import BOOT_TIMEOUT  # noqa: E402

EXTRA = "earlycon=xenboot keep_bootcon console=hvc0 loglevel=7 tern.stay"


def guest_lines(log, domain):
    return "\n".join(line.split(") ", 1)[1] for line in log.splitlines()
                     if line.startswith(f"(d{domain}) "))


def cpu_times(shell):
    """Each domain's CPU time (s) as `tern-ctl list` shows it."""
    out, rc = shell.run("tern-ctl list")
    assert rc == 0, out
    times = {}
    for line in out.splitlines():
        m = re.match(r"\s*(\d+)\s+(\w+)\s+\d+\s+\d+\s+([\d.]+)", line)
        if m:
            times[int(m.group(1))] = (m.group(2), float(m.group(3)))
    return times


def test_four_two_vcpu_guests_share_two_cpus_and_one_pauses():
    machine, shell, _ = start_dom0_with_guest(cpus=3)
    try:
        before = pages_free_or_dom0s(shell)
        start = len(machine.log)
        domains = []
        for i in range(4):
            name = f"g{i}"
            out, rc = shell.run(f"printf '{guest_config(name, EXTRA, vcpus=2)}' > /tmp/{name}.cfg"
                                f" && tern-ctl build /tmp/{name}.cfg")
            assert rc == 0, out
            domains.append(int(out.strip().splitlines()[-1]))
        for d in domains:
            out, rc = shell.run(f"tern-ctl unpause {d}")
            assert rc == 0, out
        # All four come up together: each brings its second vCPU up and reaches user space.
        for d in domains:
            up = re.compile(rf"\(d{d}\) \[[ \d.]+\] tern-domu: staying up")
            assert machine.wait_for_pattern(up, 3 * BOOT_TIMEOUT, start), machine.log[-4000:]
        log = machine.log[start:]
        assert "unhandled trap" not in log, log[-3000:]
        for d in domains:
            guest = guest_lines(log, d)
            assert "smp: Brought up 1 node, 2 CPUs" in guest, guest[-2000:]
            assert "tern-domu: cpus online 0-1" in guest, guest[-2000:]
            ticks = re.search(r"tern-domu: timer ticks (\d+) then (\d+)", guest)
            assert ticks and int(ticks.group(2)) > int(ticks.group(1)), guest[-2000:]
        # The scheduler used CPUs 1 and 2 only, and both of them.
        starts = re.findall(r"\(TERN\) d\d+: vCPU \d starts on CPU (\d+)", log)
        assert len(starts) == 8 and set(starts) == {"1", "2"}, starts
        times = cpu_times(shell)
        assert all(times[d][0] == "running" and times[d][1] > 0 for d in domains), times

        # Paused while it runs: off the CPUs, its CPU time stands still; unpaused, it goes on.
        p = domains[0]
        out, rc = shell.run(f"tern-ctl pause {p}")
        assert rc == 0, out
        paused = cpu_times(shell)[p]
        assert paused[0] == "paused", paused
        time.sleep(3)
        assert cpu_times(shell)[p] == paused
        out, rc = shell.run(f"tern-ctl unpause {p}")
        assert rc == 0, out
        deadline = time.monotonic() + BOOT_TIMEOUT
        while cpu_times(shell)[p][1] <= paused[1]:
            assert time.monotonic() < deadline, cpu_times(shell)
            time.sleep(1)
        assert cpu_times(shell)[p][0] == "running"

        # Its weight and cap (as xl sched-credit) and its vCPUs' affinity (as xl vcpu-pin);
        # what the scheduler cannot honour is refused.
        out, rc = shell.run(f"tern-ctl sched-credit {p}")
        assert rc == 0 and "weight 256 cap 0" in out, out
        out, rc = shell.run(f"tern-ctl sched-credit {p} --weight 512 --cap 50")
        assert rc == 0 and "weight 512 cap 50" in out, out
        out, rc = shell.run(f"tern-ctl sched-credit {p} --weight 0")
        assert rc == 1 and "Invalid argument" in out, out
        out, rc = shell.run(f"tern-ctl sched-credit {p}")
        assert rc == 0 and "weight 512 cap 50" in out, out
        out, rc = shell.run(f"tern-ctl vcpu-pin {p} 0 0")  # dom0's CPU: never another domain's
        assert rc == 1 and "Invalid argument" in out, out
        out, rc = shell.run(f"tern-ctl vcpu-pin {p} 0 2 && tern-ctl vcpu-pin {p} 1 1-2")
        assert rc == 0, out
        pinned = cpu_times(shell)[p][1]
        deadline = time.monotonic() + BOOT_TIMEOUT
        while cpu_times(shell)[p][1] <= pinned:  # it still runs, within its cap, on CPU 2
            assert time.monotonic() < deadline, cpu_times(shell)
            time.sleep(1)

        for d in domains:
            out, rc = shell.run(f"tern-ctl destroy {d}")
            assert rc == 0, out
        assert pages_free_or_dom0s(shell) == before
        machine.type("poweroff -f\n")
        assert machine.wait_exit(BOOT_TIMEOUT) == 0
    finally:
        machine.close()
