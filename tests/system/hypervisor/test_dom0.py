"""Debian's stock arm64 kernel (fetched by `make dom0-kernel`) boots on Tern as dom0: it runs
at EL1 in its 1:1 RAM, finds a Xen 4.17 hypervisor through the device tree Tern wrote, probes
PSCI through HVC, and prints its log through the console_io hypercall. What it asks for that
Tern does not do yet is answered -ENOSYS and logged, and the machine powers off when dom0
gives up: the hypervisor outlives its guest's panic."""

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
    assert "Booting Linux on physical CPU 0x0000000000" in log, log[-3000:]
    assert "Xen 4.17 support found" in log
    assert "psci: PSCIv1.1 detected in firmware." in log
    assert "Memory: " in log and "/524288K available" in log  # exactly dom0_mem
    assert "CPU features: detected: GIC system register CPU interface" in log
    # Where dom0 stops today: the next hypercall it needs (memory_op add_to_physmap for the
    # shared_info page) is not there yet; Tern says so and survives the guest's panic.
    assert "(TERN) d0: hypercall 12 not implemented: -ENOSYS" in log
    assert "(TERN) d0: PSCI system off" in log
    assert proc.returncode == 0
