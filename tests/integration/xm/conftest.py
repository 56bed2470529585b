"""Fixtures for xm's integration tests: a live xapid (sim backend) in a temp state directory,
and a function that runs xm against its Unix socket."""

import http.client
import os
import random
import re
import secrets
import shutil
import socket
import subprocess
import time
import xmlrpc.client
from pathlib import Path

import pytest

SOURCE = Path(os.environ.get("TERN_SOURCE_DIR", Path(__file__).resolve().parents[3]))
XAPID = os.environ.get("XAPID", str(SOURCE / "build/bin/xapid"))
XM = os.environ.get("XM", str(SOURCE / "build/bin/xm"))
EXAMPLES = SOURCE / "examples"
GOLDEN = SOURCE / "tests/golden/xm"


class Daemon:
    """One xapid serving a Unix socket and HTTPS on 127.0.0.1:443."""

    def __init__(self, state_dir: Path):
        self.state_dir = state_dir
        self.socket = str(state_dir / "xapi.sock")
        self.log = state_dir / "xapid.log"
        self.proc = None

    def start(self):
        args = [XAPID, "--state-dir", str(self.state_dir), "--unix", self.socket,
                "--https", "127.0.0.1:443"]
        with open(self.log, "a") as log:
            self.proc = subprocess.Popen(args, stdout=log, stderr=subprocess.STDOUT)
        for _ in range(400):
            if self.proc.poll() is not None:
                raise RuntimeError(f"xapid exited: {self.log.read_text()}")
            if "ready" in self.log.read_text():
                return self
            time.sleep(0.05)
        raise RuntimeError("xapid did not get ready")

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(timeout=60)


class UnixConnection(http.client.HTTPConnection):
    def __init__(self, path):
        super().__init__("localhost", timeout=60)
        self.socket_path = path

    def connect(self):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.connect(self.socket_path)


class UnixTransport(xmlrpc.client.Transport):
    def __init__(self, path):
        super().__init__()
        self.socket_path = path

    def make_connection(self, host):
        return UnixConnection(self.socket_path)


def add_bridge_network(daemon, bridge):
    """Creates the network the examples' vif names (a fresh host has only its own)."""
    proxy = xmlrpc.client.ServerProxy("http://xapid/", transport=UnixTransport(daemon.socket),
                                      allow_none=True)
    session = proxy.session.login_with_password("root", "")["Value"]
    result = proxy.network.create(session, {"name_label": bridge, "name_description": "",
                                            "bridge": bridge, "other_config": {}})
    assert result["Status"] == "Success", result
    proxy.session.logout(session)


class Result:
    def __init__(self, completed):
        self.status = completed.returncode
        self.out = completed.stdout
        self.err = completed.stderr

    def __repr__(self):
        return f"<xm exit {self.status}\nstdout:\n{self.out}\nstderr:\n{self.err}>"


@pytest.fixture
def daemon(tmp_path):
    d = Daemon(tmp_path).start()
    add_bridge_network(d, "xenbr0")
    yield d
    d.stop()


@pytest.fixture
def xm(daemon):
    """xm(*args) runs xm as root against the daemon's Unix socket."""
    def run(*args, env=None, stdin=None):
        environment = {k: v for k, v in os.environ.items() if not k.startswith("XM_")}
        environment["XM_SERVER"] = daemon.socket
        environment["XM_CONFIG_FILE"] = "/nonexistent/xm-config.xml"
        environment["HOME"] = str(daemon.state_dir)
        environment.update(env or {})
        environment = {k: v for k, v in environment.items() if v is not None}
        completed = subprocess.run([XM, *args], capture_output=True, text=True, env=environment,
                                   input=stdin, timeout=120)
        return Result(completed)
    run.daemon = daemon
    return run


def normalize(text):
    """Replaces what differs from run to run: uuids, refs, times."""
    text = re.sub(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", "<uuid>", text)
    text = re.sub(r"OpaqueRef:[0-9a-f-]+", "OpaqueRef:<ref>", text)
    text = re.sub(r"\d{8}T\d\d:\d\d:\d\dZ", "<time>", text)
    return text


def check_golden(name, text):
    """Compares with tests/golden/xm/<name>; XM_GOLDEN_REGENERATE=1 rewrites the file."""
    path = GOLDEN / name
    if os.environ.get("XM_GOLDEN_REGENERATE"):
        path.write_text(text)
    assert text == path.read_text(), f"{name} differs from its golden file"


@pytest.fixture(scope="session")
def local_account():
    """An ordinary local account with a random password, for logins over HTTPS."""
    name = f"xmt{random.randrange(10**6):06d}"
    password = "pw" + secrets.token_urlsafe(12)  # never "-...": an argument
    subprocess.run(["useradd", "--no-create-home", "--shell", "/usr/sbin/nologin", name],
                   check=True)
    try:
        subprocess.run(["chpasswd"], input=f"{name}:{password}\n", text=True, check=True)
        yield name, password
    finally:
        subprocess.run(["userdel", name], check=False)


@pytest.fixture
def tmux(tmp_path):
    """A private tmux server; yields a helper to start a window, type and read the screen."""
    if shutil.which("tmux") is None:
        pytest.skip("tmux is not installed (scripts/packages.txt lists it)")
    socket = str(tmp_path / "tmux.sock")

    class Tmux:
        def run(self, command, env=None, width=120, height=30):
            exports = " ".join(f"{k}='{v}'" for k, v in (env or {}).items())
            subprocess.run(["tmux", "-S", socket, "new-session", "-d", "-s", "t", "-x",
                            str(width), "-y", str(height),
                            f"env {exports} {command}; echo EXIT=$?; sleep 600"], check=True)

        def keys(self, *keys):
            # "--": a key (a random password) may begin with "-".
            subprocess.run(["tmux", "-S", socket, "send-keys", "-t", "t", "--", *keys],
                           check=True)

        def screen(self):
            return subprocess.run(["tmux", "-S", socket, "capture-pane", "-p", "-t", "t"],
                                  capture_output=True, text=True, check=True).stdout

        def wait_for(self, text, timeout=60):
            deadline = time.time() + timeout
            while time.time() < deadline:
                screen = self.screen()
                if text in screen:
                    return screen
                time.sleep(0.1)
            raise AssertionError(f"{text!r} never appeared; screen:\n{self.screen()}")

    yield Tmux()
    subprocess.run(["tmux", "-S", socket, "kill-server"], check=False)
