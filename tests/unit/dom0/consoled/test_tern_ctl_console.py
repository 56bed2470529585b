"""`tern-ctl console` on the host, without a hypervisor: xenstored (host build) holds a
domain's /local/domain/<id>/console/tty, which names a pty this test holds the master of, as
tern-consoled would. What the "guest" writes reaches tern-ctl's output, what is typed reaches
the guest, Ctrl-] detaches, and --log prints the log file. Also `tern-ctl xenstore-watch`
against the same xenstored."""

import os
import select
import socket
import subprocess
import time

import tty

import pytest

BIN = os.environ.get("TERN_BIN", "build/bin")


@pytest.fixture
def xenstored(tmp_path):
    path = str(tmp_path / "socket")
    process = subprocess.Popen([f"{BIN}/xenstored", "--socket", path, "--no-xenbus-backend"])
    while True:  # connecting is the readiness signal
        assert process.poll() is None, "xenstored exited early"
        probe = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            probe.connect(path)
            break
        except OSError:
            time.sleep(0.01)
        finally:
            probe.close()
    yield dict(os.environ, XENSTORED_PATH=path)
    process.terminate()
    process.wait()


def tern_ctl(env, *args, stdin=None):
    return subprocess.Popen([f"{BIN}/tern-ctl", *args], env=env, stdin=stdin,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def read_until(fd, text):
    got = b""
    while text not in got:
        select.select([fd], [], [])
        chunk = os.read(fd, 4096)
        assert chunk, got
        got += chunk
    return got


def test_console_relays_both_ways_and_ctrl_close_bracket_detaches(xenstored):
    master, slave = os.openpty()
    pty_path = os.ttyname(slave)
    tty.setraw(slave)  # as tern-consoled's pty: raw, no echo
    write = subprocess.run([f"{BIN}/tern-ctl", "xenstore-write", "/local/domain/5/console/tty",
                            pty_path], env=xenstored, capture_output=True, text=True)
    assert write.returncode == 0, write.stderr
    typist_read, typist = os.pipe()
    client = tern_ctl(xenstored, "console", "5", stdin=typist_read)
    os.close(typist_read)
    os.write(master, b"guest: login prompt\r\n")
    assert b"guest: login prompt\r\n" in read_until(client.stdout.fileno(), b"prompt\r\n")
    os.write(typist, b"ls /\n")
    assert read_until(master, b"ls /\n") == b"ls /\n"
    os.write(typist, b"typed\x1dnot sent")
    assert client.wait() == 0
    assert read_until(master, b"typed") == b"typed"  # nothing after Ctrl-]
    os.close(typist)
    os.close(master)
    os.close(slave)


def test_console_of_a_domain_without_one_is_refused(xenstored):
    client = tern_ctl(xenstored, "console", "9", stdin=subprocess.DEVNULL)
    out, err = client.communicate()
    assert client.returncode == 1
    assert b"domain 9 has no console pty" in err and b"tern-consoled" in err, err


def test_console_log_prints_the_log_file(tmp_path, xenstored):
    (tmp_path / "guest-3.log").write_bytes(b"[    0.000000] Booting Linux\nbusybox $ \n")
    client = tern_ctl(xenstored, "console", "--log", "--log-dir", str(tmp_path), "3")
    out, err = client.communicate()
    assert client.returncode == 0, err
    assert out == b"[    0.000000] Booting Linux\nbusybox $ \n"
    client = tern_ctl(xenstored, "console", "--log", "--log-dir", str(tmp_path), "4")
    out, err = client.communicate()
    assert client.returncode == 1 and b"cannot read the console log" in err, err
    client = tern_ctl(xenstored, "console", "--bogus", "4")
    out, err = client.communicate()
    assert client.returncode == 2 and b"console: unexpected '--bogus'" in err, err


def test_the_daemon_explains_what_it_lacks(tmp_path, xenstored):
    """On a host without Xen (no privcmd) and with bad options, tern-consoled says why it
    cannot run rather than serving nothing."""
    daemon = subprocess.run([f"{BIN}/tern-consoled", "--log-dir", str(tmp_path / "logs")],
                            env=xenstored, capture_output=True, text=True)
    assert daemon.returncode == 1
    assert "tern-consoled: cannot open /dev/xen/privcmd" in daemon.stderr, daemon.stderr
    daemon = subprocess.run([f"{BIN}/tern-consoled", "--privcmd", "/dev/null",
                             "--xenstore", str(tmp_path / "nothing-here")],
                            capture_output=True, text=True)
    assert daemon.returncode == 1
    assert "cannot reach xenstored at" in daemon.stderr, daemon.stderr
    daemon = subprocess.run([f"{BIN}/tern-consoled", "--frobnicate"], capture_output=True,
                            text=True)
    assert daemon.returncode == 2 and "unknown or incomplete option" in daemon.stderr
    assert "--log-dir DIR" in daemon.stderr


def test_xenstore_watch_prints_each_changed_path_under_it(xenstored):
    """`tern-ctl xenstore-watch` (what tern-vif-hotplug waits on): the path itself at once, then
    each write under it as it happens, nothing from elsewhere."""
    base = "/local/domain/0/backend/vif"
    subprocess.run([f"{BIN}/tern-ctl", "xenstore-write", f"{base}/3/0/state", "1"],
                   env=xenstored, check=True)
    watch = tern_ctl(xenstored, "xenstore-watch", base)
    try:
        fd = watch.stdout.fileno()
        read_until(fd, f"{base}\n".encode())
        for args in (["xenstore-write", "/local/domain/0/elsewhere", "x"],
                     ["xenstore-write", f"{base}/3/1/state", "2"]):
            subprocess.run([f"{BIN}/tern-ctl", *args], env=xenstored, check=True)
        got = read_until(fd, f"{base}/3/1/state\n".encode())
        assert b"elsewhere" not in got, got
    finally:
        watch.kill()
        watch.wait()
