"""The xm create benchmark (see run.sh): Tern's stack as `make run` starts it (scripts/run.sh on
ephemeral ports), with `xm create -c` on the host timed from its start to the guest's
"user space reached" line on the console it attaches; then Debian's Xen 4.17 with its xl dom0,
where bench/domu's domu-bench times `xl create` to the same line in the guest's console log."""

import argparse
import os
import pty
import select
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

TOP = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(TOP / "bench/domu"))
import domu_race  # noqa: E402

MARKER = domu_race.MARKER
TIMEOUT = 1800
GUEST = ('name = "{name}"\nkernel = "/var/lib/tern/guest/Image"\n'
         'ramdisk = "/var/lib/tern/guest/busybox-initrd.cpio.gz"\n'
         'extra = "console=hvc0 tern.stay"\nmemory = 128\nvcpus = 1\n'
         'on_poweroff = "destroy"\n')


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def xm_create_to_user_space(xm, config, env):
    """Seconds from starting `xm create -c CONFIG` (in a pty) to MARKER on its console."""
    start = time.monotonic()
    pid, fd = pty.fork()
    if pid == 0:
        os.execve(xm, [xm, "create", str(config), "-c"], env)
    seen = b""
    try:
        while MARKER.encode() not in seen:
            if time.monotonic() - start > TIMEOUT:
                raise SystemExit(f"no {MARKER!r} from xm create:\n{seen[-3000:].decode()}")
            ready, _, _ = select.select([fd], [], [], 5)
            if ready:
                try:
                    chunk = os.read(fd, 65536)
                except OSError:
                    chunk = b""
                if not chunk:
                    raise SystemExit(f"xm create ended:\n{seen[-3000:].decode(errors='replace')}")
                seen += chunk
        return time.monotonic() - start
    finally:
        os.write(fd, b"\x1d")  # Ctrl-]: detach
        os.waitpid(pid, 0)
        os.close(fd)


def tern_runs(args):
    build = Path(args.build)
    secrets = build / "dom0/secrets"
    password = (secrets / "root-password").read_text().strip()
    port = free_port()
    work = Path(tempfile.mkdtemp(prefix="xm-create-bench-"))
    env = dict(os.environ, HTTPS_PORT=str(port), SSH_PORT=str(free_port()),
               RUN_DIR=str(work / "run"), BUILD=str(build))
    stack = subprocess.Popen([str(TOP / "scripts/run.sh")], env=env, stdin=subprocess.DEVNULL,
                             stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                             start_new_session=True)
    xm = str(build / "bin/xm")
    client = dict(os.environ, SSL_CERT_FILE=str(secrets / "xapid.pem"),
                  XM_SERVER=f"https://127.0.0.1:{port}", XM_PASSWORD=password)
    times = []
    try:
        for line in stack.stdout:
            if "Press Ctrl-C to stop" in line:
                break
        else:
            raise SystemExit("scripts/run.sh ended before xapid answered")
        for r in range(args.runs):
            name = f"bench{r}"
            config = work / f"{name}.cfg"
            config.write_text(GUEST.format(name=name))
            times.append(xm_create_to_user_space(xm, config, client))
            print(f"round {r + 1} Tern: xm create to user space {times[-1]:.2f} s", flush=True)
            for command in (["destroy", name], ["delete", name]):
                subprocess.run([xm, *command], env=client, capture_output=True, check=True)
    finally:
        stack.send_signal(signal.SIGINT)
        try:
            stack.wait(300)
        except subprocess.TimeoutExpired:
            stack.kill()
            stack.wait()
        qemu_pid = work / "run/qemu.pid"
        if qemu_pid.exists():
            try:
                os.kill(int(qemu_pid.read_text()), signal.SIGKILL)
            except ProcessLookupError:
                pass
        shutil.rmtree(work, ignore_errors=True)
    return times


def xen_runs(args):
    race = argparse.Namespace(xen=args.xen, kernel=args.kernel, xen_initrd=args.xen_initrd,
                              bundle=args.bundle, rounds=0, log_dir=None)
    times = []
    for r in range(args.runs):
        times.append(domu_race.run_once(domu_race.Xen(), race, r)[0])
        print(f"round {r + 1} Xen 4.17: xl create to user space {times[-1]:.2f} s", flush=True)
    return times


def main():
    p = argparse.ArgumentParser()
    for name in ("build", "xen", "kernel", "xen-initrd", "bundle"):
        p.add_argument(f"--{name}", required=True)
    p.add_argument("--runs", type=int, default=3)
    args = p.parse_args()
    tern = tern_runs(args)
    xen = xen_runs(args)
    t, x = statistics.median(tern), statistics.median(xen)
    print("xm create on the host -> the guest's user space, through xapid in dom0 on Tern, "
          "against xl create in dom0 on Xen 4.17 (QEMU TCG, 2 CPUs, dom0 1 vCPU 512 MiB, guest "
          f"1 vCPU 128 MiB; median of {len(tern)})")
    print(f"  Tern + xapid + xm {t:8.2f} s   runs: {' '.join(f'{v:.2f}' for v in tern)}")
    print(f"  Xen 4.17 + xl     {x:8.2f} s   runs: {' '.join(f'{v:.2f}' for v in xen)}")
    print(f"  ratio Tern/Xen {t / x:.2f}")


if __name__ == "__main__":
    main()
