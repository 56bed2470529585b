"""The domU benchmark: boots Tern and Debian's Xen 4.17 alternately on the same QEMU command line
(dom0 with one vCPU and 512 MiB, the other CPU left to the guest), and in each dom0 creates the
same busybox guest (Debian's kernel, 128 MiB, 1 vCPU), times its event-channel ping-pong with
dom0 and destroys it. Every figure is taken in dom0 with its own clock by domu-bench
(domu_bench.cpp), so QEMU's start and dom0's boot do not count. See run.sh."""

import argparse
import re
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "tests/system/hypervisor"))
from qemu_console import QemuConsole  # noqa: E402

RAM_MIB = 2048
DOM0_MIB = 512
TIMEOUT = 1800
MARKER = "tern-domu: user space reached"
# One config file for both: tern-ctl build reads xl's syntax for these keys.
CONFIG = ('name = "{name}"\\nkernel = "/tmp/guest/Image"\\n'
          'ramdisk = "/tmp/guest/bench-initrd.cpio.gz"\\nextra = "console=hvc0"\\n'
          'memory = 128\\nvcpus = 1\\n')


def machine(hypervisor, append, args, initrd):
    return [
        "qemu-system-aarch64", "-machine", "virt,virtualization=on,gic-version=3",
        "-cpu", "cortex-a57", "-smp", "2", "-m", str(RAM_MIB), "-nographic", "-nic", "none",
        "-no-reboot", "-kernel", str(hypervisor), "-append", append,
        "-device", f"guest-loader,addr=0x49000000,kernel={args.kernel},bootargs=console=hvc0",
        "-device", f"guest-loader,addr=0x4d000000,initrd={initrd}",
        "-drive", f"if=none,id=disk0,format=raw,readonly=on,file={args.bundle}",
        "-device", "virtio-blk-device,drive=disk0"]


class Tern:
    name = "Tern"
    log_dir = "/var/log/tern/console"

    def command_line(self, args):
        # bootscrub=idle: idle CPUs zero free memory ahead of the guest, which Xen 4.17 does
        # by default (its bootscrub=idle); Tern does it when asked. domu_stage2=pages: the
        # guest's RAM in 4 KiB pages at stage 2, as suits QEMU's TCG (with 2 MiB blocks each
        # TLB invalidation by address the guest makes flushes its whole emulated TLB).
        return machine(args.tern,
                       f"dom0_mem={DOM0_MIB}M dom0_max_vcpus=1 bootscrub=idle domu_stage2=pages",
                       args, args.tern_initrd)

    def prepare(self):
        return ("(xenstored > /tmp/xenstored.log 2>&1 &); "
                "until [ -S /var/run/xenstored/socket ]; do usleep 100000; done; "
                "(tern-consoled > /tmp/consoled.log 2>&1 &); "
                "until grep -q 'serving consoles' /tmp/consoled.log; do usleep 100000; done")

    def create(self, config):
        return f"tern-ctl build --unpause {config} > /tmp/domid"

    def domid(self, name):
        return "tail -1 /tmp/domid"

    def destroy(self, domid):
        return f"tern-ctl destroy {domid}"


class Xen:
    name = "Xen 4.17"
    log_dir = "/var/log/xen/console"

    def command_line(self, args):
        return machine(args.xen, f"dom0_mem={DOM0_MIB}M dom0_max_vcpus=1 dom0_vcpus_pin "
                       "console=dtuart dtuart=/pl011@9000000", args, args.xen_initrd)

    def prepare(self):
        return "xen-dom0-start"

    def create(self, config):
        return f"xl create -q {config}"

    def domid(self, name):
        return f"xl domid {name}"

    def destroy(self, domid):
        return f"xl destroy {domid}"


def run_once(hv, args, round_number):
    """One boot: create, ping-pong, destroy. Returns (create s, command s, destroy s, rtt)."""
    m = QemuConsole(hv.command_line(args))
    try:
        if not m.wait_for("type 'poweroff -f' to stop the machine", TIMEOUT):
            raise SystemExit(f"{hv.name}: dom0 did not reach its shell:\n{m.log[-3000:]}")
        count = [0]

        def run(command):
            """Types command into dom0's shell; its output (the typed line dropped)."""
            count[0] += 1
            start = len(m.log)
            # The end marker is computed by the shell, so the typed line never matches it.
            typed = f"{command}; echo \"<<$((2000 + {count[0]})) rc=$?>>\"\n"
            # In small pieces: Xen's serial input to dom0 drops what overflows its buffer.
            for at in range(0, len(typed), 8):
                m.type(typed[at:at + 8])
                time.sleep(0.03)
            done = m.wait_for_pattern(re.compile(rf"<<{2000 + count[0]} rc=(\d+)>>"),
                                      TIMEOUT, start)
            if not done:
                raise SystemExit(f"{hv.name}: `{command}` did not finish:\n{m.log[-3000:]}")
            # The match's offsets count from start.
            out, rc = m.log[start:][:done.start()].replace("\r", ""), int(done.group(1))
            out = out.split("\n", 1)[1] if "\n" in out else ""
            if rc != 0:
                raise SystemExit(f"{hv.name}: `{command}` failed ({rc}):\n{out}\n"
                                 f"{m.log[-3000:]}")
            return out.strip()

        run(hv.prepare())
        run("cd /tmp && cpio -id < /dev/vda && cp /tmp/bin/domu-bench /bin/ && cd /")
        name = f"bench{round_number}"
        run(f"printf '{CONFIG.format(name=name)}' > /tmp/{name}.cfg")
        out = run(f"domu-bench create {hv.log_dir} '{MARKER}' "
                  f"'{hv.create(f'/tmp/{name}.cfg')}'")
        created = re.search(r"create-to-user-space ([\d.]+) s command ([\d.]+) s log (\S+)", out)
        if not created:
            raise SystemExit(f"{hv.name}: {out}")
        domid = int(run(hv.domid(name)).splitlines()[-1])
        rtt = None
        if args.rounds > 0:
            port = int(run(f"domu-bench port {created.group(3)}").splitlines()[-1])
            out = run(f"domu-bench ping {domid} {port} {args.rounds}")
            rtt = {k: float(v) for k, v in
                   re.findall(r"(min|median|mean|p90|max) ([\d.]+)", out)}
        out = run(f"domu-bench time '{hv.destroy(domid)}'")
        destroyed = float(re.search(r"time ([\d.]+) s rc 0", out).group(1))
        m.type("poweroff -f\n")
        m.wait_exit(120)
        return float(created.group(1)), float(created.group(2)), destroyed, rtt
    finally:
        if args.log_dir:
            Path(args.log_dir, f"{hv.name.split()[0].lower()}-{round_number + 1}.log").write_text(
                m.log)
        m.close()


def summary(label, tern, xen, unit, fmt, target):
    t, x = statistics.median(tern), statistics.median(xen)
    print(f"{label} (median of {len(tern)})")
    print(f"  Tern     {fmt.format(t):>9} {unit}   runs: {' '.join(fmt.format(v) for v in tern)}")
    print(f"  Xen 4.17 {fmt.format(x):>9} {unit}   runs: {' '.join(fmt.format(v) for v in xen)}")
    print(f"  ratio Tern/Xen {t / x:.2f}" + (f" (target: at most {target:.2f})" if target else ""))


def main():
    p = argparse.ArgumentParser()
    for name in ("tern", "xen", "kernel", "tern-initrd", "xen-initrd", "bundle"):
        p.add_argument(f"--{name}", required=True)
    p.add_argument("--runs", type=int, default=3)
    p.add_argument("--rounds", type=int, default=1000, help="ping-pong round trips per guest")
    p.add_argument("--log-dir", help="keep each machine's console log here")
    p.add_argument("--timeout", type=float, default=1800, help="seconds for any one step")
    p.add_argument("--only", choices=("tern", "xen"), help="one hypervisor (to try it out)")
    args = p.parse_args()
    global TIMEOUT
    TIMEOUT = args.timeout
    results = {"tern": [], "xen": []}
    for r in range(args.runs):
        for key, hv in (("tern", Tern()), ("xen", Xen())):
            if args.only and args.only != key:
                continue
            res = run_once(hv, args, r)
            results[key].append(res)
            rtt = f", round trip median {res[3]['median']:.1f} us" if res[3] else ""
            print(f"round {r + 1} {hv.name}: create to user space {res[0]:.2f} s "
                  f"(command {res[1]:.2f} s), destroy {res[2]:.3f} s{rtt}", flush=True)
    if args.only:
        return
    print(f"domU benchmark (QEMU TCG, 2 CPUs, dom0 1 vCPU {DOM0_MIB} MiB, guest 1 vCPU 128 MiB; "
          "times from dom0's clock)")
    tern, xen = results["tern"], results["xen"]
    summary("create to guest user space", [r[0] for r in tern], [r[0] for r in xen], "s",
            "{:.2f}", 0.5)
    summary("  of which the create command", [r[1] for r in tern], [r[1] for r in xen], "s",
            "{:.2f}", None)
    summary("destroy", [r[2] for r in tern], [r[2] for r in xen], "s", "{:.3f}", None)
    if args.rounds > 0:
        summary(f"event-channel round trip dom0 <-> domU (median of {args.rounds} per guest)",
                [r[3]["median"] for r in tern], [r[3]["median"] for r in xen], "us", "{:.1f}",
                1.0)


if __name__ == "__main__":
    main()
