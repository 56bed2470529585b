"""The Linux test guest on a running dom0: QEMU boots Tern with dom0 on one vCPU (it shares
the CPUs with guests) and the guest bundle of `make guest-images` as a virtio disk; dom0
starts xenstored and tern-consoled and unpacks the guest's kernel and ramdisk into
/tmp/guest. Shared by the domU system tests."""

import os
from pathlib import Path

from qemu_console import QemuConsole
from test_control import Shell
from test_dom0 import BOOT_TIMEOUT, INITRD, TOP, qemu_args

BUNDLE = Path(os.environ.get("TERN_GUEST_BUNDLE", TOP / "build/guest/bundle.cpio"))


def guest_config(name, extra, vcpus=1):
    """A config file for `tern-ctl build`, as a printf format string."""
    return (f"name = \"{name}\"\\nkernel = \"/tmp/guest/Image\"\\n"
            f"ramdisk = \"/tmp/guest/busybox-initrd.cpio.gz\"\\n"
            f"extra = \"{extra}\"\\nmemory = 128\\nvcpus = {vcpus}\\n")


def start_dom0_with_guest(cpus=2, tern_options="dom0_mem=512M dom0_max_vcpus=1"):
    """Boots the machine and prepares dom0; returns the machine, its shell and what the
    preparation printed (consoled's first lines, the unpacked files)."""
    assert INITRD.exists(), f"{INITRD} is missing: run `make dom0-initramfs`"
    assert BUNDLE.exists(), f"{BUNDLE} is missing: run `make guest-images`"
    machine = QemuConsole(qemu_args("console=hvc0", initrd=INITRD, disk=BUNDLE,
                                    tern_options=tern_options, cpus=cpus))
    try:
        assert machine.wait_for("type 'poweroff -f' to stop the machine", BOOT_TIMEOUT), \
            machine.log[-4000:]
        shell = Shell(machine)
        out, rc = shell.run("(xenstored > /tmp/xenstored.log 2>&1 &); "
                            "until [ -S /var/run/xenstored/socket ]; do usleep 100000; done; "
                            "(tern-consoled > /tmp/consoled.log 2>&1 &); "
                            "until grep -q 'serving consoles\\|tern-consoled:' /tmp/consoled.log;"
                            " do usleep 100000; done; cat /tmp/consoled.log; "
                            "cd /tmp && cpio -id < /dev/vda && ls /tmp/guest")
        assert rc == 0 and "Image" in out and "busybox-initrd.cpio.gz" in out, out
        return machine, shell, out
    except BaseException:
        machine.close()
        raise
