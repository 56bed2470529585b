#!/usr/bin/python3
"""Runs one binding's conformance program (scenario.md) against a fresh xapid (sim backend)
over one transport and compares its transcript with expected_transcript.txt.

Usage: run_conformance.py --transport https|unix --xapid PATH -- PROGRAM [ARGS...]
The program gets --url, --user, --password (and --cafile over HTTPS) appended. Over HTTPS the
login is a local account made for the run (PAM; needs root); over the Unix socket it is root
with an empty password. Run it in a private network namespace (run_in_netns.sh)."""

import argparse
import difflib
import os
import random
import re
import secrets
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

HERE = Path(__file__).resolve().parent


def run_retrying(argv, **kwargs):
    """Runs an account tool (useradd, chpasswd), again while another test holds the
    password file's lock (tests run in parallel)."""
    for _ in range(100):
        done = subprocess.run(argv, **kwargs)
        if done.returncode == 0:
            return
        time.sleep(0.1)
    raise RuntimeError(f"{argv[0]} kept failing (status {done.returncode})")


@contextmanager
def daemon(xapid: str, state: Path):
    log_path = state / "xapid.log"
    args = [xapid, "--state-dir", str(state), "--unix", str(state / "xapi.sock"),
            "--https", "127.0.0.1:0", "--sim-host-cpus", "4", "--sim-host-memory", "4096"]
    with open(log_path, "w") as log:
        proc = subprocess.Popen(args, stdout=log, stderr=subprocess.STDOUT)
    try:
        while "ready" not in log_path.read_text():
            if proc.poll() is not None:
                raise RuntimeError(f"xapid exited: {log_path.read_text()}")
            time.sleep(0.05)
        port = int(re.search(r"\(port (\d+)\)", log_path.read_text()).group(1))
        yield port
    finally:
        proc.terminate()
        proc.wait()


@contextmanager
def local_account():
    name = f"xapic{random.randrange(10**6):06d}"
    password = "pw" + secrets.token_urlsafe(12)  # never "-...": an argument
    run_retrying(["useradd", "--no-create-home", "--shell", "/usr/sbin/nologin", name])
    try:
        run_retrying(["chpasswd"], input=f"{name}:{password}\n", text=True)
        yield name, password
    finally:
        run_retrying(["userdel", name])


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--transport", choices=["https", "unix"], required=True)
    ap.add_argument("--xapid", default=os.environ.get("XAPID"), required="XAPID" not in os.environ)
    ap.add_argument("--expected", default=str(HERE / "expected_transcript.txt"))
    ap.add_argument("program", nargs="+")
    args = ap.parse_args()
    expected = Path(args.expected).read_text()

    with tempfile.TemporaryDirectory(prefix="tern-conformance-") as tmp:
        state = Path(tmp)
        with daemon(args.xapid, state) as port:
            if args.transport == "unix":
                extra = ["--url", f"unix://{state / 'xapi.sock'}", "--user", "root",
                         "--password", ""]
                done = subprocess.run(args.program + extra, capture_output=True, text=True)
            else:
                with local_account() as (user, password):
                    extra = ["--url", f"https://127.0.0.1:{port}", "--user", user,
                             "--password", password, "--cafile", str(state / "xapid.pem")]
                    done = subprocess.run(args.program + extra, capture_output=True, text=True)
            xapid_log = (state / "xapid.log").read_text(errors="replace")
    sys.stderr.write(done.stderr)
    print(done.stdout, end="")
    if done.stdout != expected or done.returncode != 0:
        # What the daemon said, for a failure seen only once (in CI, under load).
        print("xapid's log (last 40 lines):", file=sys.stderr)
        sys.stderr.writelines(xapid_log.splitlines(True)[-40:])
    if done.stdout != expected:
        print("transcript differs from expected_transcript.txt:", file=sys.stderr)
        sys.stderr.writelines(difflib.unified_diff(expected.splitlines(True),
                                                   done.stdout.splitlines(True),
                                                   "expected", "got"))
        return 1
    if done.returncode != 0:
        print(f"the program exited with status {done.returncode}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
