"""Debian's stock arm64 kernel (fetched by `make dom0-kernel`) boots on Tern as dom0: it runs
at EL1 in its 1:1 RAM, finds a Xen 4.17 hypervisor through the device tree Tern wrote, probes
PSCI through HVC, prints its log through the console_io hypercall, maps shared_info and its
grant table, falls back to 2-level event channels when FIFO is refused, probes the passed-
through PCIe host bridge, and runs its whole init until it looks for a root file system (none
is given here). Its reboot request (panic=-1) reaches Tern through SCHEDOP_shutdown and the
machine powers off. What it asks for that Tern does not do yet is answered -ENOSYS and logged
once."""

import os
import subprocess
from pathlib import Path

from test_boot import IMAGE, QEMU

KERNEL = Path(os.environ.get("TERN_DOM0_KERNEL",
                             Path(__file__).resolve().parents[3] / "build/downloads/dom0/Image"))


def test_debians_kernel_boots_as_dom0_and_talks_through_hypercalls():
    assert IMAGE.exists(), f"{IMAGE} is missing: run `make hypervisor`"
    assert KERNEL.exists(), f"{KERNEL} is missing: run `make dom0-kernel`"
    args = [QEMU, "-machine", "virt,virtualization=on,gic-version=3", "-cpu", "cortex-a57",
            "-smp", "2", "-m", "2048", "-nographic", "-nic", "none", "-kernel", str(IMAGE),
            "-append", "dom0_mem=512M dom0_max_vcpus=1",
            "-device", f"guest-loader,addr=0x49000000,kernel={KERNEL},bootargs=console=hvc0 panic=-1"]
    proc = subprocess.Popen(args, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT)
    try:
        out, _ = proc.communicate(timeout=600)  # TCG on a busy 2-core machine: generous
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    log = out.decode(errors="replace")
    assert "(TERN) dom0: entering its kernel at" in log, log[-3000:]
    # Linux's own lines, which reach the console only through CONSOLEIO_write.
    for line in ("Booting Linux on physical CPU 0x0000000000",
                 "Xen 4.17 support found",
                 "psci: PSCIv1.1 detected in firmware.",
                 "/524288K available",  # exactly dom0_mem
                 "printk: console [hvc0] enabled",
                 "xen:grant_table: Grant tables using version 1 layout",
                 "xen:events: Using 2-level ABI",
                 "Xen: initializing cpu0",
                 "pci-host-generic 4010000000.pcie: ECAM at",
                 "Kernel panic - not syncing: VFS: Unable to mount root fs"):
        assert line in log, f"{line!r} missing:\n{log[-3000:]}"
    # Dom0's reboot request comes through sched_op(shutdown, reason 1 = reboot).
    assert "(TERN) d0: shut down (reason 1): powering off" in log
    assert "unhandled trap" not in log
    # hvm_op get_param answers (xenbus reads STORE_EVTCHN, 0 for a dom0 without a xenstored).
    assert "Cannot get hvm parameter" not in log
    assert "hypercall 34 not implemented" not in log
    assert proc.returncode == 0
