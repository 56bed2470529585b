"""See run.sh. The start + shutdown figure is measured here with Python's xmlrpc.client (the
daemon's CPU time from /proc/<pid>/stat does not count the client's); the event figures come
from event_load, a C++ load program (an event loop per CPU, each with a share of the clients)
light enough that the delay is the daemon's.
The saturated and the paced event runs each get a fresh daemon, which records where the time
goes (TERN_XAPID_EVENT_STAGES, xapi-daemon/events/event_stages.hpp) and prints it after."""

import argparse
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "tests/integration/xapid"))
from conftest import unix_proxy, value  # noqa: E402

MIB64 = str(64 << 20)


def cpu_seconds(pid):
    fields = open(f"/proc/{pid}/stat").read().split(")")[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def start_xapid(xapid, state, stages=None, prefix=()):
    sock = os.path.join(state, "xapi.sock")
    env = dict(os.environ)
    if stages:
        env["TERN_XAPID_EVENT_STAGES"] = stages
    # The daemon's own thread defaults (sized to the machine) are what is measured.
    proc = subprocess.Popen(
        [*prefix, xapid, "--backend", "sim", "--state-dir", state, "--unix", sock],
        stderr=subprocess.DEVNULL, env=env)
    for _ in range(200):
        if os.path.exists(sock):
            break
        time.sleep(0.05)
    return proc, sock


def daemon_cost(proc, sock, pairs):
    p = unix_proxy(sock)
    s = value(p.session.login_with_password("root", ""))
    vm = value(p.VM.create(s, {"name_label": "bench", "memory_static_min": MIB64,
                               "memory_dynamic_min": MIB64, "memory_dynamic_max": MIB64,
                               "memory_static_max": MIB64}))
    c0 = cpu_seconds(proc.pid)
    for _ in range(2 * pairs):
        value(p.VM.get_power_state(s, vm))
    empty = (cpu_seconds(proc.pid) - c0) / pairs
    c0 = cpu_seconds(proc.pid)
    for _ in range(pairs):
        value(p.VM.start(s, vm, False, False))
        value(p.VM.clean_shutdown(s, vm))
    cycle = (cpu_seconds(proc.pid) - c0) / pairs
    return empty, cycle


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--xapid", required=True)
    ap.add_argument("--event-load", required=True)
    ap.add_argument("--seconds", type=float, default=10)
    ap.add_argument("--paced-rate", type=float, default=0,
                    help="changes/s of the paced run; 0: --paced-fraction of the saturated rate")
    ap.add_argument("--paced-fraction", type=float, default=0.5)
    ap.add_argument("--realtime", action="store_true",
                    help="run the paced run's daemon and load SCHED_FIFO (chrt), so that other "
                         "work on a shared machine adds no scheduling delay of its own")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as state:
        proc, sock = start_xapid(args.xapid, state)
        try:
            empty, cycle = daemon_cost(proc, sock, pairs=500)
            print("VM.start + VM.clean_shutdown on sim, no simulated delay (daemon CPU per pair; "
                  "over the Unix socket, no TLS)")
            print(f"  start+shutdown {cycle * 1000:.3f} ms; anchor (two empty calls) "
                  f"{empty * 1000:.3f} ms; ratio {cycle / empty if empty else 0:.1f}; "
                  f"target 2 ms: {cycle * 1000 / 2:.2f} of it")
            sys.stdout.flush()
        finally:
            stop(proc)
    saturated = event_run(args, ["--run", "saturated"])
    rate = args.paced_rate
    if rate <= 0:
        found = re.search(r"(\d+) changes \((\d+)/s\)", saturated)
        rate = args.paced_fraction * float(found.group(2)) if found else 100
        print(f"(paced run: {args.paced_fraction:g} of the saturated change rate just measured)")
    if args.realtime:
        print("(paced run: daemon and load program at SCHED_FIFO priority 10)")
    event_run(args, ["--run", "paced", "--paced-rate", f"{rate:.0f}"],
              ("chrt", "-f", "10") if args.realtime else ())


def stop(proc):
    proc.terminate()
    proc.wait()


def event_run(args, flags, prefix=()):
    """One event_load run on a fresh daemon; prints its figures and the daemon's stages."""
    with tempfile.TemporaryDirectory() as state:
        stages = os.path.join(state, "stages.txt")
        proc, sock = start_xapid(args.xapid, state, stages, prefix)
        try:
            out = subprocess.run([*prefix, args.event_load, "--unix", sock, "--pid", str(proc.pid),
                                  "--seconds", f"{args.seconds:g}"] + flags,
                                 check=True, stdout=subprocess.PIPE, text=True).stdout
            print(out, end="")
        finally:
            stop(proc)
        if os.path.exists(stages):
            print("  where the daemon's time went (from the change's call to the answer's write):")
            for line in open(stages):
                print("    " + line, end="")
        sys.stdout.flush()
        return out

if __name__ == "__main__":
    main()
