"""Debian's stock arm64 kernel (fetched by `make dom0-kernel`) boots on Tern as dom0 with the
busybox ramdisk of `make dom0-initramfs`, on the QEMU command line that boots Debian's Xen 4.17.
From dom0's console the test checks that it reached user space, that Linux found a Xen
hypervisor (/sys/hypervisor/type), that both vCPUs are online, that a passed-through virtio
disk reads back what the host wrote, that typing on the console reaches dom0's shell, and that
dom0's `poweroff` ends QEMU with status 0. A dom0 with no root file system panics and asks for
a reboot, which restarts the machine (QEMU's -no-reboot turns that into an exit)."""

import hashlib
import os
import re
from pathlib import Path

from qemu_console import QemuConsole
from test_boot import IMAGE, QEMU

TOP = Path(__file__).resolve().parents[3]
KERNEL = Path(os.environ.get("TERN_DOM0_KERNEL", TOP / "build/downloads/dom0/Image"))
INITRD = Path(os.environ.get("TERN_DOM0_INITRD", TOP / "build/dom0/initrd.cpio.gz"))
BOOT_TIMEOUT = 600  # TCG on a busy 2-core machine: generous; QEMU is killed by PID after


def net_args(forwards):
    """QEMU's user network on a virtio-net (virtio-mmio) NIC, passed through to dom0, which
    takes 10.0.2.15/24; `forwards` maps host ports on 127.0.0.1 to dom0's TCP ports, e.g.
    {8443: 443, 2222: 22}."""
    hostfwd = "".join(f",hostfwd=tcp:127.0.0.1:{host}-:{guest}"
                      for host, guest in forwards.items())
    return ["-netdev", f"user,id=net0{hostfwd}", "-device", "virtio-net-device,netdev=net0"]


def qemu_args(bootargs, initrd=None, disk=None, tern_options="dom0_mem=512M", cpus=2, net=None):
    """The machine's command line; net: None (no NIC) or the port forwards of net_args."""
    assert IMAGE.exists(), f"{IMAGE} is missing: run `make hypervisor`"
    assert KERNEL.exists(), f"{KERNEL} is missing: run `make dom0-kernel`"
    nic = ["-nic", "none"] if net is None else net_args(net)
    args = [QEMU, "-machine", "virt,virtualization=on,gic-version=3", "-cpu", "cortex-a57",
            "-smp", str(cpus), "-m", "2048", "-nographic", *nic, "-no-reboot",
            "-kernel", str(IMAGE), "-append", tern_options,
            "-device", f"guest-loader,addr=0x49000000,kernel={KERNEL},bootargs={bootargs}"]
    if initrd:
        args += ["-device", f"guest-loader,addr=0x4d000000,initrd={initrd}"]
    if disk:
        args += ["-drive", f"if=none,id=disk0,format=raw,readonly=on,file={disk}",
                 "-device", "virtio-blk-device,drive=disk0"]
    return args


def test_dom0_reaches_user_space_on_xen_with_two_vcpus_a_disk_and_a_console(tmp_path):
    assert INITRD.exists(), f"{INITRD} is missing: run `make dom0-initramfs`"
    disk = tmp_path / "disk.raw"
    disk.write_bytes(os.urandom(3 << 20))
    digest = hashlib.sha256(disk.read_bytes()).hexdigest()
    machine = QemuConsole(qemu_args("console=hvc0", initrd=INITRD, disk=disk))
    try:
        assert machine.wait_for("type 'poweroff -f' to stop the machine", BOOT_TIMEOUT), \
            machine.log[-4000:]
        log = machine.log
        assert "(TERN) dom0: ramdisk at" in log
        assert "Xen 4.17 support found" in log
        assert "tern-dom0: user space reached" in log
        assert "tern-dom0: hypervisor type xen" in log
        assert "tern-dom0: hypervisor version 4.17" in log
        # dom0's vCPUs are scheduled: the second, started through PSCI CPU_ON, runs on
        # whichever CPU is free.
        assert re.search(r"\(TERN\) d0: vCPU 1 starts on CPU [01]", log), log[-3000:]
        assert "smp: Brought up 1 node, 2 CPUs" in log
        assert "tern-dom0: cpus online 0-1" in log
        assert f"tern-dom0: vda {(3 << 20) // 512} sectors sha256 {digest}" in log
        # Event channels: the upcall (INTID 31, Xen's event PPI) reached each vCPU; the
        # first comes when it registers its vcpu_info, as on Xen.
        events = re.search(r"tern-dom0: interrupts +\d+: (\d+) (\d+) GICv3 31 Level events", log)
        assert events, log[-3000:]
        assert int(events.group(1)) >= 1 and int(events.group(2)) >= 1
        assert "not implemented" not in log  # every hypercall dom0 makes is answered
        assert "unhandled trap" not in log
        # dom0's GIC is Tern's virtual GICv3: Linux finds a redistributor per vCPU behind the
        # emulated registers and its timer and disk interrupts arrive through list registers.
        assert "(TERN) dom0: virtual GICv3" in log
        assert "GICv3: CPU0: found redistributor 0 region 0:0x00000000080a0000" in log
        assert "GICv3: CPU1: found redistributor 1 region 0:0x00000000080c0000" in log
        # Typing reaches dom0's shell through CONSOLEIO_read, and its answer comes back.
        machine.type("echo typed-$((6 * 7))\n")
        assert machine.wait_for("typed-42", BOOT_TIMEOUT), machine.log[-2000:]
        # The keystrokes came as interrupts: the UART's, taken by Tern, became VIRQ_CONSOLE,
        # which dom0's hvc0 bound as on Xen (not polling).
        machine.type("grep hvc_console /proc/interrupts\n")
        assert machine.wait_for("-virq      hvc_console", BOOT_TIMEOUT), machine.log[-2000:]
        virq = re.search(r"\d+: +(\d+) +(\d+) +xen-dyn +Edge +-virq +hvc_console", machine.log)
        assert virq and int(virq.group(1)) + int(virq.group(2)) >= 1, machine.log[-2000:]
        # A fault dom0 causes does not stop the hypervisor: reading the UART Tern keeps (not
        # in dom0's stage 2) gets an injected external abort, Linux sends the reader SIGBUS,
        # and the shell goes on.
        machine.type("devmem 0x09000000 32; echo after-the-abort\n")
        assert machine.wait_for("\nafter-the-abort", BOOT_TIMEOUT), machine.log[-2000:]
        assert "(TERN) d0: data abort at IPA 0x9000000" in machine.log
        assert "Bus error" in machine.log
        assert "external abort injected" in machine.log
        machine.type("poweroff -f\n")
        code = machine.wait_exit(BOOT_TIMEOUT)
        assert "(TERN) d0: shut down (reason 0, poweroff): powering off" in machine.log
        assert code == 0
    finally:
        machine.close()


def test_a_dom0_reboot_restarts_the_machine(tmp_path):
    # No root file system: the kernel panics and (panic=-1) asks at once for a reboot.
    machine = QemuConsole(qemu_args("console=hvc0 panic=-1"))
    try:
        code = machine.wait_exit(BOOT_TIMEOUT)
        log = machine.log
    finally:
        machine.close()
    assert "(TERN) dom0: entering its kernel at" in log, log[-3000:]
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
    assert "(TERN) d0: shut down (reason 1, reboot): restarting the machine" in log
    assert "unhandled trap" not in log
    assert "Cannot get hvm parameter" not in log
    assert code == 0  # -no-reboot: QEMU exits on the reset Tern asked the firmware for
