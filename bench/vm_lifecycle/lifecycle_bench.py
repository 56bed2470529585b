"""See run.sh. The clients are Python (xmlrpc.client over the Unix socket), in 10 processes of
10 watcher threads each; on a small machine they compete with xapid for the CPU, which is in
the delay figures. The daemon's CPU time comes from /proc/<pid>/stat."""

import argparse
import multiprocessing as mp
import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "tests/integration/xapid"))
from conftest import unix_proxy, value  # noqa: E402

MIB64 = str(64 << 20)


def cpu_seconds(pid):
    fields = open(f"/proc/{pid}/stat").read().split(")")[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def start_xapid(xapid, state):
    sock = os.path.join(state, "xapi.sock")
    proc = subprocess.Popen([xapid, "--backend", "sim", "--state-dir", state, "--unix", sock,
                             "--workers", "4"], stderr=subprocess.DEVNULL)
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


def watch(sock, session, token, results, stop_at, threads):
    delays, count, lock = [], [0], threading.Lock()

    def watcher():
        proxy, tok = unix_proxy(sock), token
        while time.time() < stop_at:
            r = value(getattr(proxy.event, "from")(session, ["vm"], tok, 1.0))
            tok, now = r["token"], time.time()
            with lock:
                for e in r["events"]:
                    count[0] += 1
                    try:
                        delays.append(now - float(e["snapshot"]["name_description"]))
                    except (KeyError, ValueError):
                        pass

    ts = [threading.Thread(target=watcher) for _ in range(threads)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    results.put((count[0], delays))


def events(proc, sock, seconds):
    p = unix_proxy(sock)
    s = value(p.session.login_with_password("root", ""))
    vms = [value(p.VM.create(s, {"name_label": f"w{i}"})) for i in range(10)]
    token = value(getattr(p.event, "from")(s, ["vm"], "", 0))["token"]
    results = mp.Queue()
    stop_at = time.time() + seconds + 3
    watchers = [mp.Process(target=watch, args=(sock, s, token, results, stop_at, 10))
                for _ in range(10)]
    for w in watchers:
        w.start()
    time.sleep(1.5)
    c0 = cpu_seconds(proc.pid)
    changes = [0]

    def changer(vm):
        proxy, end = unix_proxy(sock), time.time() + seconds
        while time.time() < end:
            value(proxy.VM.set_name_description(s, vm, repr(time.time())))
            changes[0] += 1
            time.sleep(0.01)

    cs = [threading.Thread(target=changer, args=(vm,)) for vm in vms]
    for c in cs:
        c.start()
    for c in cs:
        c.join()
    total, delays = 0, []
    for _ in watchers:
        c, d = results.get()
        total, delays = total + c, delays + d
    for w in watchers:
        w.join()
    used = cpu_seconds(proc.pid) - c0
    delays.sort()
    pick = lambda q: delays[min(len(delays) - 1, int(len(delays) * q))] * 1000 if delays else 0.0
    return changes[0], total, used, pick(0.5), pick(0.99)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--xapid", required=True)
    ap.add_argument("--seconds", type=float, default=10)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as state:
        proc, sock = start_xapid(args.xapid, state)
        try:
            empty, cycle = daemon_cost(proc, sock, pairs=500)
            print("VM.start + VM.clean_shutdown on sim, no simulated delay (daemon CPU per pair)")
            print(f"  start+shutdown {cycle * 1000:.3f} ms; anchor (two empty calls) "
                  f"{empty * 1000:.3f} ms; ratio {cycle / empty if empty else 0:.1f}; "
                  f"target 2 ms: {cycle * 1000 / 2:.2f} of it")
            changes, total, used, p50, p99 = events(proc, sock, args.seconds)
            print(f"events to 100 event.from watchers while 10 clients change VMs ({args.seconds:g} s)")
            print(f"  {changes} changes, {total} events delivered ({total / args.seconds:.0f}/s); "
                  f"daemon CPU {used / max(total, 1) * 1e6:.0f} us per delivered event")
            print(f"  delay p50 {p50:.2f} ms, p99 {p99:.2f} ms; target p99 5 ms: {p99 / 5:.2f} of it")
        finally:
            proc.terminate()
            proc.wait()


if __name__ == "__main__":
    main()
