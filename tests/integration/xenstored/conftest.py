"""Starts the real xenstored on a socket in a temporary directory for each test."""

import os
import socket
import subprocess
import time

import pytest


class Daemon:
    def __init__(self, process, socket_path):
        self.process = process
        self.socket_path = socket_path
        self.env = dict(os.environ, XENSTORED_PATH=socket_path)

    def run(self, *argv, check=True):
        """Runs a xenstore-utils command against this daemon."""
        result = subprocess.run(argv, env=self.env, capture_output=True, text=True)
        if check:
            assert result.returncode == 0, (argv, result.stdout, result.stderr)
        return result


def start_daemon(tmp_path, *options):
    socket_path = str(tmp_path / "run" / "socket")
    binary = os.environ.get("XENSTORED", "build/bin/xenstored")
    process = subprocess.Popen([binary, "--socket", socket_path, "--no-xenbus-backend", *options])
    # Wait until it accepts (or dies): connecting is the readiness signal.
    while True:
        assert process.poll() is None, "xenstored exited early"
        probe = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            probe.connect(socket_path)
            probe.close()
            return Daemon(process, socket_path)
        except OSError:
            probe.close()
            time.sleep(0.01)


@pytest.fixture
def xenstored(tmp_path):
    daemon = start_daemon(tmp_path)
    yield daemon
    daemon.process.terminate()
    assert daemon.process.wait() == 0
    assert not os.path.exists(daemon.socket_path)


@pytest.fixture
def start_xenstored(tmp_path):
    """Starts xenstored with extra options (one daemon per test)."""
    started = []

    def start(*options):
        daemon = start_daemon(tmp_path, *options)
        started.append(daemon)
        return daemon

    yield start
    for daemon in started:
        daemon.process.terminate()
        daemon.process.wait()
