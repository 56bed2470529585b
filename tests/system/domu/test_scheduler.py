"""Tern's scheduler with real guests: more vCPUs than CPUs. On a 3-CPU machine dom0's vCPU
(pinned to CPU 0 with dom0_vcpus_pin) and four Debian guests with two vCPUs each (nine vCPUs on
three CPUs) share the CPUs: the guests boot at the same time, each bringing its second vCPU up
and reaching user space; then a pause takes one off the CPUs (its CPU time stops) and unpause
lets it go on, its weight, cap and affinity are set, its vCPUs pinned to dom0's CPU make
progress while dom0 keeps that CPU busy, and all four are destroyed with every page back."""

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
    machine, shell, _ = start_dom0_with_guest(
        cpus=3, tern_options="dom0_mem=512M dom0_max_vcpus=1 dom0_vcpus_pin")
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
        # The scheduler started them on the CPUs, dom0's included, as they were idle.
        starts = re.findall(r"\(TERN\) d[1-9]\d*: vCPU \d starts on CPU (\d+)", log)
        assert len(starts) == 8 and set(starts) <= {"0", "1", "2"}, starts
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
        out, rc = shell.run(f"tern-ctl vcpu-pin {p} 0 3")  # no such CPU
        assert rc == 1 and "Invalid argument" in out, out
        # dom0 is domain 0 to them too (xl sched-credit -d 0, xl vcpu-pin 0), with the same
        # checks, and tern-ctl list / info 0 show it.
        out, rc = shell.run("tern-ctl sched-credit 0 --weight 512 && tern-ctl sched-credit 0 && "
                            "tern-ctl info 0 && tern-ctl list")
        assert rc == 0 and out.count("weight 512 cap 0") == 2, out
        assert len(re.findall(r"^\s*0 running\s+512\s+1\s", out, re.M)) == 2, out
        out, rc = shell.run("tern-ctl vcpu-pin 0 1 0")  # dom0 has one vCPU here
        assert rc == 1 and "Invalid argument" in out, out
        out, rc = shell.run("tern-ctl vcpu-pin 0 0 3")  # no such CPU
        assert rc == 1 and "Invalid argument" in out, out
        out, rc = shell.run("tern-ctl vcpu-pin 0 0 0 && tern-ctl sched-credit 0 --weight 256")
        assert rc == 0 and "weight 256 cap 0" in out, out
        out, rc = shell.run(f"tern-ctl vcpu-pin {p} 0 2 && tern-ctl vcpu-pin {p} 1 1-2")
        assert rc == 0, out
        pinned = cpu_times(shell)[p][1]
        deadline = time.monotonic() + BOOT_TIMEOUT
        while cpu_times(shell)[p][1] <= pinned:  # it still runs, within its cap, on CPU 2
            assert time.monotonic() < deadline, cpu_times(shell)
            time.sleep(1)

        # dom0's vCPU (pinned to CPU 0) spins there, and the guest's two vCPUs are pinned to
        # CPU 0 too: the CPU is shared, both make progress (the guest's CPU time grows, dom0's
        # shell answers).
        out, rc = shell.run(f"tern-ctl sched-credit {p} --weight 256 --cap 0 && "
                            f"tern-ctl vcpu-pin {p} 0 0 && tern-ctl vcpu-pin {p} 1 0")
        assert rc == 0, out
        out, rc = shell.run("(while :; do :; done) & echo $! > /tmp/spin.pid")
        assert rc == 0, out
        shared = cpu_times(shell)[p][1]
        deadline = time.monotonic() + BOOT_TIMEOUT
        while cpu_times(shell)[p][1] < shared + 1.0:
            assert time.monotonic() < deadline, cpu_times(shell)
            time.sleep(1)
        out, rc = shell.run("kill $(cat /tmp/spin.pid) && echo dom0-still-answers")
        assert rc == 0 and "dom0-still-answers" in out, out

        for d in domains:
            out, rc = shell.run(f"tern-ctl destroy {d}")
            assert rc == 0, out
        assert pages_free_or_dom0s(shell) == before
        machine.type("poweroff -f\n")
        assert machine.wait_exit(BOOT_TIMEOUT) == 0
    finally:
        machine.close()
