"""Fixtures for the xapid integration tests: a running daemon in a temp state directory,
clients for its Unix socket and its HTTPS port, and a local account for PAM logins."""

import http.client
import os
import random
import secrets
import signal
import socket
import subprocess
import time
import xmlrpc.client
from pathlib import Path

import pytest

XAPID = os.environ.get("XAPID", str(Path(__file__).resolve().parents[3] / "build/bin/xapid"))


class UnixConnection(http.client.HTTPConnection):
    def __init__(self, path, timeout=60):
        super().__init__("localhost", timeout=timeout)
        self.socket_path = path

    def connect(self):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.settimeout(self.timeout)
        self.sock.connect(self.socket_path)


class UnixTransport(xmlrpc.client.Transport):
    """xmlrpc.client over a Unix socket, keeping one connection alive."""

    def __init__(self, path):
        super().__init__()
        self.socket_path = path

    def make_connection(self, host):
        if self._connection and host == self._connection[0]:
            return self._connection[1]
        self._connection = host, UnixConnection(self.socket_path)
        return self._connection[1]


def unix_proxy(path):
    return xmlrpc.client.ServerProxy("http://xapid/", transport=UnixTransport(path), allow_none=True)


class Daemon:
    """One xapid process with its state directory."""

    def __init__(self, state_dir: Path, extra=()):
        self.state_dir = state_dir
        self.socket = str(state_dir / "xapi.sock")
        self.extra = list(extra)
        self.proc = None
        self.log = state_dir / "xapid.log"

    def start(self, https="127.0.0.1:443"):
        args = [XAPID, "--state-dir", str(self.state_dir), "--unix", self.socket]
        if https:
            args += ["--https", https]
        args += self.extra
        with open(self.log, "a") as log:
            self.proc = subprocess.Popen(args, stdout=log, stderr=subprocess.STDOUT)
        for _ in range(400):
            if self.proc.poll() is not None:
                raise RuntimeError(f"xapid exited: {self.log.read_text()}")
            if "ready" in self.log.read_text().split("xapid: starting")[-1]:
                return self
            time.sleep(0.05)
        raise RuntimeError("xapid did not get ready")

    def mark(self):
        with open(self.log, "a") as log:
            log.write("xapid: starting\n")

    def stop(self, sig=signal.SIGTERM):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(sig)
            self.proc.wait(timeout=60)
        self.proc = None

    def restart(self, sig=signal.SIGTERM):
        self.stop(sig)
        self.mark()
        return self.start()

    @property
    def certificate(self):
        return str(self.state_dir / "xapid.pem")

    def root(self):
        """A proxy on the Unix socket and a root session (no password needed as uid 0)."""
        proxy = unix_proxy(self.socket)
        session = value(proxy.session.login_with_password("root", ""))
        return proxy, session


def value(result):
    assert result["Status"] == "Success", result
    return result["Value"]


def error(result):
    assert result["Status"] == "Failure", result
    return result["ErrorDescription"]


@pytest.fixture
def daemon(tmp_path):
    d = Daemon(tmp_path, extra=["--body-limit", "1048576", "--idle-timeout", "2"])
    d.mark()
    d.start()
    yield d
    d.stop()


@pytest.fixture(scope="session")
def local_account():
    """An ordinary local account with a random password, for PAM logins; removed afterwards."""
    name = f"xapit{random.randrange(10**6):06d}"
    password = "pw" + secrets.token_urlsafe(12)  # never "-...": an argument
    subprocess.run(["useradd", "--no-create-home", "--shell", "/usr/sbin/nologin", name], check=True)
    try:
        subprocess.run(["chpasswd"], input=f"{name}:{password}\n", text=True, check=True)
        yield name, password
    finally:
        subprocess.run(["userdel", name], check=False)
