#!/usr/bin/python3
"""Runs a command against a live xapid (sim backend) in a fresh state directory.

Usage: with_xapid.py XAPID -- COMMAND [ARG...]

The daemon serves its Unix socket and HTTPS on a free loopback port, and closes connections
idle for 2 s (so that reconnecting is exercised). The command sees:
  TERN_XAPID_UNIX         the socket path
  TERN_XAPID_HTTPS        https://127.0.0.1:<port>
  TERN_XAPID_CERT         the daemon's self-signed certificate (PEM), to trust as a CA file
  TERN_XAPID_FINGERPRINT  that certificate's SHA-256 fingerprint (hex)
  TERN_XAPID_USER         a local account made for the run (removed afterwards), and
  TERN_XAPID_PASSWORD     its password: HTTPS logins go through PAM
  PATH                    starts with a directory holding a fake `ssh`, which ignores its
                          arguments and execs `xapid --stdio` (own state directory), so
                          ssh://user@host URLs reach a daemon without a real ssh server.
"""

import hashlib
import os
import random
import re
import secrets
import signal
import ssl
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def run_retrying(argv, **kwargs) -> None:
    """Runs an account tool again while another test holds the password file's lock (ctest
    runs tests in parallel)."""
    for _ in range(100):
        if subprocess.run(argv, **kwargs).returncode == 0:
            return
        time.sleep(0.1)
    raise RuntimeError(f"{argv[0]} kept failing")


def main() -> int:
    if len(sys.argv) < 4 or sys.argv[2] != "--":
        print(__doc__, file=sys.stderr)
        return 2
    xapid, command = sys.argv[1], sys.argv[3:]
    with tempfile.TemporaryDirectory(prefix="tern-bindings-") as tmp:
        tmp = Path(tmp)
        log_path = tmp / "xapid.log"
        sock = tmp / "xapi.sock"
        with open(log_path, "w") as log:
            proc = subprocess.Popen(
                [xapid, "--state-dir", str(tmp / "state"), "--unix", str(sock),
                 "--https", "127.0.0.1:0", "--idle-timeout", "2"], stdout=log, stderr=subprocess.STDOUT)
        try:
            port = None
            while port is None or "ready" not in log_path.read_text():
                if proc.poll() is not None:
                    print(log_path.read_text(), file=sys.stderr)
                    return 1
                m = re.search(r"\(port (\d+)\)", log_path.read_text())
                port = m.group(1) if m else None
                time.sleep(0.05)
            cert = tmp / "state" / "xapid.pem"
            der = ssl.PEM_cert_to_DER_cert(cert.read_text())
            fake_bin = tmp / "bin"
            fake_bin.mkdir()
            ssh = fake_bin / "ssh"
            ssh.write_text(f"#!/bin/sh\n# fake ssh: ignores its arguments, runs xapid --stdio\n"
                           f"exec '{xapid}' --stdio --state-dir '{tmp / 'ssh-state'}' "
                           f"2>>'{tmp / 'ssh.log'}'\n")
            ssh.chmod(0o755)
            env = dict(os.environ)
            env.update(TERN_XAPID_UNIX=str(sock), TERN_XAPID_HTTPS=f"https://127.0.0.1:{port}",
                       TERN_XAPID_CERT=str(cert),
                       TERN_XAPID_FINGERPRINT=hashlib.sha256(der).hexdigest(),
                       PATH=f"{fake_bin}:{env.get('PATH', '/usr/bin:/bin')}")
            user = f"xapib{random.randrange(10**6):06d}"
            password = "pw" + secrets.token_urlsafe(12)  # never "-...": an argument
            run_retrying(["useradd", "--no-create-home", "--shell", "/usr/sbin/nologin", user])
            try:
                run_retrying(["chpasswd"], input=f"{user}:{password}\n", text=True)
                env.update(TERN_XAPID_USER=user, TERN_XAPID_PASSWORD=password)
                return subprocess.run(command, env=env).returncode
            finally:
                run_retrying(["userdel", user])
        finally:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(timeout=60)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


if __name__ == "__main__":
    sys.exit(main())
