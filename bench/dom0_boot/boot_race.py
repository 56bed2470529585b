"""Boots dom0 on Tern and on Xen 4.17 alternately and reports the median time to dom0's user
space, the ratio Tern / Xen, the image sizes and the RAM each hypervisor keeps. See run.sh."""

import argparse
import re
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "tests/system/hypervisor"))
from qemu_console import QemuConsole  # noqa: E402

MARKER = "tern-dom0: user space reached"
RAM_MIB = 2048
DOM0_MIB = 512
TIMEOUT = 600


def machine(hypervisor, append, kernel, initrd):
    return [
        "qemu-system-aarch64", "-machine", "virt,virtualization=on,gic-version=3",
        "-cpu", "cortex-a57", "-smp", "2", "-m", str(RAM_MIB), "-nographic", "-nic", "none",
        "-no-reboot", "-kernel", str(hypervisor), "-append", append,
        "-device", f"guest-loader,addr=0x49000000,kernel={kernel},bootargs=console=hvc0",
        "-device", f"guest-loader,addr=0x4d000000,initrd={initrd}"]


def boot_tern(args):
    started = time.monotonic()
    m = QemuConsole(machine(args.tern, f"dom0_mem={DOM0_MIB}M", args.kernel, args.initrd))
    try:
        if not m.wait_for(MARKER, TIMEOUT):
            raise SystemExit(f"Tern: dom0 did not reach user space:\n{m.log[-3000:]}")
        elapsed = time.monotonic() - started
        kept = re.search(r"the hypervisor keeps (\d+) (KiB|MiB)", m.log)
        kib = int(kept.group(1)) * (1024 if kept.group(2) == "MiB" else 1)
        return elapsed, kib
    finally:
        m.close()


def boot_xen(args):
    started = time.monotonic()
    m = QemuConsole(machine(args.xen, f"dom0_mem={DOM0_MIB}M console=dtuart dtuart=/pl011@9000000",
                            args.kernel, args.initrd))
    try:
        if not m.wait_for(MARKER, TIMEOUT):
            raise SystemExit(f"Xen: dom0 did not reach user space:\n{m.log[-3000:]}")
        elapsed = time.monotonic() - started
        # Ctrl-A three times hands the console to Xen (QEMU's own escape is Ctrl-A, so each
        # is doubled), then 'm' prints the heap's free memory.
        m.wait_for("type 'poweroff -f'", TIMEOUT)
        m.type("\x01\x01" * 3)
        m.wait_for("Serial input to Xen", 30)
        m.type("m")
        m.wait_for("Dom heap:", 30)
        free = re.search(r"Dom heap: (\d+)kB free", m.log)
        kib = RAM_MIB * 1024 - int(free.group(1)) - DOM0_MIB * 1024 if free else None
        return elapsed, kib
    finally:
        m.close()


def image_size(path):
    """The image's size in memory (text, data and BSS): the arm64 Image header's image_size."""
    header = Path(path).read_bytes()[:64]
    return int.from_bytes(header[16:24], "little")


def main():
    p = argparse.ArgumentParser()
    for name in ("tern", "xen", "kernel", "initrd"):
        p.add_argument(f"--{name}", required=True)
    p.add_argument("--runs", type=int, default=5)
    args = p.parse_args()
    tern, xen = [], []
    for _ in range(args.runs):
        tern.append(boot_tern(args))
        xen.append(boot_xen(args))
    t = statistics.median(s for s, _ in tern)
    x = statistics.median(s for s, _ in xen)
    print(f"dom0 boot to user space ({args.runs} boots each, median, QEMU TCG, 2 vCPUs, "
          f"dom0_mem={DOM0_MIB}M)")
    print(f"  Tern     {t:7.2f} s   runs: {' '.join(f'{s:.2f}' for s, _ in tern)}")
    print(f"  Xen 4.17 {x:7.2f} s   runs: {' '.join(f'{s:.2f}' for s, _ in xen)}")
    print(f"  ratio Tern/Xen {t / x:.2f} (target: at most 1.00)")
    tb, xb = Path(args.tern).stat().st_size, Path(args.xen).stat().st_size
    print(f"image size: Tern {tb / 1024:.0f} KiB file, {image_size(args.tern) / 1024:.0f} KiB in memory; "
          f"Xen {xb / 1024:.0f} KiB file, {image_size(args.xen) / 1024:.0f} KiB in memory; "
          f"ratio {tb / xb:.2f}")
    tk = statistics.median(k for _, k in tern)
    xk = [k for _, k in xen if k is not None]
    if xk:
        xm = statistics.median(xk)
        print(f"RAM kept by the hypervisor with dom0 running: Tern {tk / 1024:.1f} MiB, "
              f"Xen {xm / 1024:.1f} MiB, ratio {tk / xm:.2f}")
    else:
        print(f"RAM kept by the hypervisor with dom0 running: Tern {tk / 1024:.1f} MiB, "
              "Xen not reported")


if __name__ == "__main__":
    main()
