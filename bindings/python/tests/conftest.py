"""Fixtures for the Python binding's tests: the assembled package on sys.path, a live xapid
(sim backend) on a Unix socket and an HTTPS port chosen by the kernel, and a local account
for HTTPS logins (PAM)."""

import os
import random
import re
import secrets
import subprocess
import sys
import time
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
XAPID = os.environ.get("XAPID")
PACKAGE_DIR = os.environ.get("TERN_PYTHON_PACKAGE_DIR")

if PACKAGE_DIR:
    sys.path.insert(0, PACKAGE_DIR)


def pytest_collection_modifyitems(config, items):
    if PACKAGE_DIR is None:
        skip = pytest.mark.skip(reason="TERN_PYTHON_PACKAGE_DIR (the assembled package) is not set")
        for item in items:
            item.add_marker(skip)
    elif XAPID is None:
        skip = pytest.mark.skip(reason="XAPID (the daemon to test against) is not set")
        for item in items:
            if "live" in item.keywords:
                item.add_marker(skip)


def run_retrying(argv, **kwargs):
    """Runs an account tool (useradd, chpasswd), again while another test holds the
    password file's lock (tests run in parallel)."""
    for _ in range(100):
        done = subprocess.run(argv, **kwargs)
        if done.returncode == 0:
            return
        time.sleep(0.1)
    raise RuntimeError(f"{argv[0]} kept failing (status {done.returncode})")


class Daemon:
    """xapid on a Unix socket and on 127.0.0.1 at a port the kernel picks."""

    def __init__(self, state_dir: Path, extra=()):
        self.state_dir = state_dir
        self.socket = str(state_dir / "xapi.sock")
        self.log = state_dir / "xapid.log"
        args = [XAPID, "--state-dir", str(state_dir), "--unix", self.socket,
                "--https", "127.0.0.1:0", *extra]
        with open(self.log, "w") as log:
            self.proc = subprocess.Popen(args, stdout=log, stderr=subprocess.STDOUT)
        while "ready" not in self.log.read_text():
            if self.proc.poll() is not None:
                raise RuntimeError(f"xapid exited: {self.log.read_text()}")
            time.sleep(0.05)
        self.port = int(re.search(r"serving HTTPS on \S+ \(port (\d+)\)",
                                  self.log.read_text()).group(1))

    @property
    def certificate(self) -> str:
        return str(self.state_dir / "xapid.pem")

    @property
    def https_url(self) -> str:
        return f"https://127.0.0.1:{self.port}"

    def stop(self):
        self.proc.terminate()
        self.proc.wait()


@pytest.fixture
def daemon(tmp_path):
    d = Daemon(tmp_path, extra=["--sim-host-memory", "4096"])
    yield d
    d.stop()


@pytest.fixture
def impatient_daemon(tmp_path):
    """A daemon that closes a kept-alive connection after one idle second."""
    d = Daemon(tmp_path, extra=["--idle-timeout", "1"])
    yield d
    d.stop()


@pytest.fixture(scope="session")
def local_account():
    """An ordinary local account with a random password, for PAM logins over HTTPS."""
    if os.geteuid() != 0:
        pytest.skip("making a local account for HTTPS logins needs root")
    name = f"xapip{random.randrange(10**6):06d}"
    password = "pw" + secrets.token_urlsafe(12)  # never "-...": an argument
    run_retrying(["useradd", "--no-create-home", "--shell", "/usr/sbin/nologin", name])
    try:
        run_retrying(["chpasswd"], input=f"{name}:{password}\n", text=True)
        yield name, password
    finally:
        run_retrying(["userdel", name])


@pytest.fixture
def fake_ssh(tmp_path, monkeypatch):
    """PATH with tests/fake_ssh first; returns the state directory its xapid uses."""
    state = tmp_path / "ssh-host"
    state.mkdir()
    monkeypatch.setenv("PATH", f"{HERE / 'fake_ssh'}:{os.environ['PATH']}")
    monkeypatch.setenv("FAKE_SSH_STATE_DIR", str(state))
    return state
