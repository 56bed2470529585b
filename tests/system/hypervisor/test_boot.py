"""Tern boots in QEMU on the command line that boots Xen (-machine virt,virtualization=on,
gic-version=3, dom0's kernel and initrd as guest-loader modules) and reports what it found.

What is checked is what the machine was given: change -m, -smp, -append or the modules and
the report must follow."""

import os
import re
import subprocess
from pathlib import Path

import pytest

IMAGE = Path(os.environ.get("TERN_IMAGE", Path(__file__).resolve().parents[3] / "build/hypervisor/tern.bin"))
QEMU = os.environ.get("TERN_QEMU", "qemu-system-aarch64")


def boot(tmp_path, memory_mib=2048, cpus=2, append="dom0_mem=512M console=dtuart loglvl=all",
         kernel_size=3 * 1024 * 1024 + 17, initrd_size=700001, bootargs="console=hvc0 earlycon=xenboot"):
    assert IMAGE.exists(), f"{IMAGE} is missing: run `make hypervisor`"
    kernel = tmp_path / "Image"
    kernel.write_bytes(os.urandom(kernel_size))
    args = [QEMU, "-machine", "virt,virtualization=on,gic-version=3", "-cpu", "cortex-a57",
            "-smp", str(cpus), "-m", str(memory_mib), "-nographic", "-nic", "none",
            "-kernel", str(IMAGE), "-append", append,
            "-device", f"guest-loader,addr=0x49000000,kernel={kernel},bootargs={bootargs}"]
    if initrd_size:
        initrd = tmp_path / "initrd"
        initrd.write_bytes(os.urandom(initrd_size))
        args += ["-device", f"guest-loader,addr=0x4d000000,initrd={initrd}"]
    proc = subprocess.Popen(args, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT)
    try:
        out, _ = proc.communicate(timeout=300)  # QEMU under TCG on a busy machine: generous
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    return proc.returncode, out.decode(errors="replace")


def test_boots_at_el2_and_reports_the_machine_and_the_dom0_modules(tmp_path):
    code, log = boot(tmp_path)
    assert "(TERN) Tern hypervisor 0.1 starting on CPU 0 at EL2" in log, log
    assert "(TERN) RAM 2 GiB in 1 bank(s)" in log
    assert "(TERN)   bank 0: 0x40000000-0xbfffffff (2 GiB)" in log
    assert "(TERN) 2 CPU(s), MPIDR" in log
    # Every CPU is brought up with PSCI, at EL2, with the hypervisor's own page tables on.
    assert "(TERN) CPU 0 up at EL2, MMU on" in log
    assert "(TERN) CPU 1 up at EL2, MMU on" in log
    assert "(TERN) 2 of 2 CPUs up" in log
    assert '(TERN) command line "dom0_mem=512M console=dtuart loglvl=all"' in log
    assert "options dom0_mem=512 MiB dom0_max_vcpus=0 console=dtuart loglvl=all (0 unknown, 0 invalid)" in log
    assert ('(TERN) dom0 kernel at 0x49000000, 3145745 bytes, '
            'command line "console=hvc0 earlycon=xenboot"') in log
    assert "(TERN) dom0 ramdisk at 0x4d000000, 700001 bytes" in log
    image = re.search(r"image (0x[0-9a-f]+)-(0x[0-9a-f]+)", log)
    assert image and int(image.group(1), 16) == 0x40200000
    # Tern powers the machine off through PSCI: QEMU exits by itself, with status 0.
    assert code == 0


def test_the_report_follows_the_machine(tmp_path):
    code, log = boot(tmp_path, memory_mib=1024, cpus=1, append="dom0_mem=256M dom0_max_vcpus=1 noreboot",
                     kernel_size=1000, initrd_size=0, bootargs="root=/dev/xvda")
    assert "(TERN) RAM 1 GiB in 1 bank(s)" in log, log
    assert "(TERN) 1 CPU(s), MPIDR 0x0" in log
    assert "(TERN) 1 of 1 CPUs up" in log
    assert "options dom0_mem=256 MiB dom0_max_vcpus=1 console=dtuart loglvl=warning (1 unknown, 0 invalid)" in log
    assert '(TERN) dom0 kernel at 0x49000000, 1000 bytes, command line "root=/dev/xvda"' in log
    assert "ramdisk" not in log
    assert re.search(r"dom0: RAM 0x[0-9a-f]+-0x[0-9a-f]+ \(256 MiB\), 1 vCPU\(s\)", log), log
    assert code == 0


def test_every_page_of_ram_is_accounted_for(tmp_path):
    code, log = boot(tmp_path, memory_mib=1536)
    reserved_pages = 0
    names = []
    for start, end, what in re.findall(r"\(TERN\) reserved (0x[0-9a-f]+)-(0x[0-9a-f]+) (.+)", log):
        first, last = int(start, 16) >> 12, int(end, 16) >> 12
        reserved_pages += last - first + 1
        names.append(what.strip())
    assert sorted(names) == ["device tree", "dom0 kernel", "dom0 ramdisk", "hypervisor image", "page bitmap"]
    # dom0 gets its RAM (2 MiB aligned) and a 64-page device tree out of what was free.
    dom0 = re.search(r"dom0: RAM (0x[0-9a-f]+)-(0x[0-9a-f]+) \(512 MiB\), 2 vCPU\(s\), device tree at "
                     r"0x[0-9a-f]+ \((\d+) bytes\)", log)
    assert dom0, log
    assert int(dom0.group(1), 16) % (2 << 20) == 0
    assert int(dom0.group(2), 16) - int(dom0.group(1), 16) + 1 == 512 << 20
    assert 1000 < int(dom0.group(3)) < 64 * 4096
    # The kernel module: 3 MiB + 17 bytes is 769 pages; the ramdisk 700001 bytes is 171.
    assert re.search(r"reserved 0x49000000-0x49300010 dom0 kernel", log), log
    totals = re.search(r"memory: (\d+) pages, (\d+) reserved, (\d+) free", log)
    assert totals, log
    total, reserved, free = map(int, totals.groups())
    assert total == 1536 * 256
    assert reserved == reserved_pages
    assert free == total - reserved
    after = re.search(r"memory after dom0: (\d+) pages free", log)
    assert after and int(after.group(1)) == free - (512 << 20) // 4096 - 64
    assert code == 0


def test_four_cpus_all_come_up(tmp_path):
    code, log = boot(tmp_path, cpus=4)
    for n in range(4):
        assert f"(TERN) CPU {n} up at EL2, MMU on" in log, log
    assert "(TERN) 4 CPU(s), MPIDR 0x0 0x1 0x2 0x3" in log or "4 CPU(s), MPIDR" in log
    assert "(TERN) 4 of 4 CPUs up" in log
    assert code == 0


def test_a_hypervisor_fault_prints_registers_class_and_backtrace_and_stops_the_cpu(tmp_path):
    assert IMAGE.exists(), f"{IMAGE} is missing: run `make hypervisor`"
    args = [QEMU, "-machine", "virt,virtualization=on,gic-version=3", "-cpu", "cortex-a57",
            "-smp", "2", "-m", "1024", "-nographic", "-nic", "none", "-kernel", str(IMAGE),
            "-append", "tern_selftest=fault"]
    proc = subprocess.Popen(args, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT)
    lines = []
    try:
        # The faulting CPU stops and the machine stays up: read until the report ends, then
        # end QEMU by its PID.
        for raw in proc.stdout:
            lines.append(raw.decode(errors="replace").rstrip())
            if "*** this CPU stops" in lines[-1]:
                break
    finally:
        proc.kill()
        proc.wait()
    log = "\n".join(lines)
    assert "*** hypervisor fault: synchronous exception, EC 0x3c (BRK instruction), ESR 0xf200007e" in log, log
    pc = re.search(r"PC (0x[0-9a-f]+)", log)
    assert pc and 0x40200000 <= int(pc.group(1), 16) < 0x40400000
    for reg in ("x0 ", "x15", "x29", "x30"):
        assert f" {reg}" in log
    backtrace = re.search(r"backtrace: ((?:0x[0-9a-f]+ ?)+)", log)
    assert backtrace and len(backtrace.group(1).split()) >= 2
    assert lines[-1].endswith("*** this CPU stops")
