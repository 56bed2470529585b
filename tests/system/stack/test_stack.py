"""The whole stack as `make run` starts it: scripts/run.sh boots Tern in QEMU with dom0's stack
image (xenstored, tern-consoled, xapid and dropbear started by dom0's /init) on ephemeral
forwarded ports, and says when xapid answers. From the host the test then uses what a user
uses: the built `xm` over HTTPS (certificate checked against the image's) with root's
password, the Python binding (host.get_all, host.get_record), and `xm` over ssh:// (dropbear
in dom0 runs `xapid --stdio`, relayed to the daemon) with the key run.sh made. Ctrl-C (SIGINT)
to run.sh must power dom0 off cleanly (the stack stopped first) and end QEMU and the script."""

import os
import re
import signal
import socket
import subprocess
import sys
import threading
from pathlib import Path

TOP = Path(__file__).resolve().parents[3]
BUILD = Path(os.environ.get("TERN_BUILD", TOP / "build"))
SECRETS = Path(os.environ.get("DOM0_SECRETS", BUILD / "dom0/secrets"))
XM = Path(os.environ.get("TERN_XM", BUILD / "bin/xm"))
PYTHON_BINDING = Path(os.environ.get("TERN_PYTHON_BINDING", BUILD / "bindings/python/package"))
BUNDLE = Path(os.environ.get("TERN_GUEST_BUNDLE", BUILD / "guest/bundle.cpio"))
WAIT = 1800  # TCG on a busy 2-core machine: generous; run.sh is stopped by signal after


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class RunScript:
    """scripts/run.sh in the background, its output collected by a reader thread."""

    def __init__(self, env):
        self.proc = subprocess.Popen([str(TOP / "scripts/run.sh")], env=env,
                                     stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                     stderr=subprocess.STDOUT, start_new_session=True)
        self._output = bytearray()
        self._changed = threading.Condition()
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self):
        for chunk in iter(lambda: self.proc.stdout.read1(4096), b""):
            with self._changed:
                self._output += chunk
                self._changed.notify_all()
        with self._changed:
            self._changed.notify_all()

    @property
    def log(self):
        with self._changed:
            return self._output.decode(errors="replace")

    def wait_for(self, text, timeout):
        needle = text.encode()
        with self._changed:
            self._changed.wait_for(
                lambda: needle in self._output or self.proc.poll() is not None, timeout)
            return needle in self._output

    def interrupt_and_wait(self, timeout):
        self.proc.send_signal(signal.SIGINT)
        return self.proc.wait(timeout)

    def kill(self):
        """Ends run.sh and the QEMU it started (by the PID it recorded)."""
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        self._reader.join()


def run(args, env):
    done = subprocess.run(args, env=env, capture_output=True, text=True, timeout=WAIT)
    return done.returncode, done.stdout + done.stderr


def test_make_run_stack_answers_over_https_the_binding_and_ssh_and_stops_on_ctrl_c(tmp_path):
    assert XM.exists(), f"{XM} is missing: build the host project"
    assert (SECRETS / "root-password").exists(), f"{SECRETS} is missing: run `make dom0-stack`"
    password = (SECRETS / "root-password").read_text().strip()
    https_port, ssh_port = free_port(), free_port()
    rundir = tmp_path / "run"
    env = dict(os.environ, HTTPS_PORT=str(https_port), SSH_PORT=str(ssh_port),
               RUN_DIR=str(rundir), BUILD=str(BUILD), DOM0_SECRETS=str(SECRETS))
    stack = RunScript(env)
    qemu_pid = None
    try:
        assert stack.wait_for("Press Ctrl-C to stop", WAIT), stack.log[-3000:]
        qemu_pid = int((rundir / "qemu.pid").read_text())
        assert f"https://127.0.0.1:{https_port}/" in stack.log
        assert f"ssh -p {ssh_port} root@127.0.0.1" in stack.log
        assert f"root / {password}" in stack.log
        console = (rundir / "console.log").read_text(errors="replace")
        assert "tern-dom0: eth0" in console and "10.0.2.15/24" in console, console[-3000:]
        assert re.search(r"tern-dom0: stack up: xapid \(backend \w+\)", console), console[-3000:]
        if BUNDLE.exists():  # run.sh gave dom0 the guest bundle, and dom0 unpacked it
            assert re.search(r"tern-dom0: guest images in /var/lib/tern: .*"
                             r"busybox-initrd\.cpio\.gz", console), console[-3000:]

        # xm over HTTPS, the certificate checked against the one the image carries.
        client_env = dict(os.environ, SSL_CERT_FILE=str(SECRETS / "xapid.pem"))
        https = f"https://127.0.0.1:{https_port}"
        rc, out = run([str(XM), "--server", https, "--password-file",
                       str(SECRETS / "root-password"), "list"], client_env)
        assert rc == 0, out
        assert re.search(r"^Domain-0\s+0\s", out, re.M), out

        # A wrong password is refused (PAM in dom0 checks it against /etc/shadow).
        wrong = tmp_path / "wrong-password"
        wrong.write_text("not-" + password + "\n")
        rc, out = run([str(XM), "--server", https, "--password-file", str(wrong), "list"],
                      client_env)
        assert rc != 0 and "Domain-0" not in out, out

        # The Python binding: the host record is dom0's.
        script = ("import sys, XenAPI\n"
                  "s = XenAPI.Session(sys.argv[1], cafile=sys.argv[2])\n"
                  "s.xenapi.login_with_password('root', sys.argv[3], '2.1', 'stack-test')\n"
                  "hosts = s.xenapi.host.get_all()\n"
                  "print('hosts', len(hosts))\n"
                  "print('name', s.xenapi.host.get_record(hosts[0])['name_label'])\n"
                  "vms = s.xenapi.VM.get_all_records().values()\n"
                  "print('dom0', [v['name_label'] for v in vms if v['is_control_domain']])\n"
                  "s.xenapi.logout()\n")
        rc, out = run([sys.executable, "-c", script, https, str(SECRETS / "xapid.pem"), password],
                      dict(os.environ, PYTHONPATH=str(PYTHON_BINDING)))
        assert rc == 0, out
        assert "hosts 1" in out, out
        assert "name tern-dom0" in out, out
        assert "dom0 ['Domain-0']" in out, out

        # xm over ssh://: dropbear in dom0 runs `xapid --stdio` with the key run.sh made.
        wrapper = tmp_path / "bin/ssh"
        wrapper.parent.mkdir()
        wrapper.write_text("#!/bin/sh\n"
                           f"exec /usr/bin/ssh -i {rundir}/id_ed25519 -o BatchMode=yes "
                           f"-o StrictHostKeyChecking=no -o UserKnownHostsFile={tmp_path}/known_hosts "
                           "-o LogLevel=ERROR \"$@\"\n")
        wrapper.chmod(0o755)
        ssh_env = dict(os.environ, PATH=f"{wrapper.parent}:{os.environ['PATH']}")
        rc, out = run([str(XM), "--server", f"ssh://root@127.0.0.1:{ssh_port}",
                       "--password-file", str(SECRETS / "root-password"), "list"], ssh_env)
        assert rc == 0, out
        assert re.search(r"^Domain-0\s+0\s", out, re.M), out
        # ssh reaches the one daemon that serves HTTPS (not a second xapid of its own): a
        # change made over ssh:// is what HTTPS reads at once.
        mark = f"set-over-ssh-{os.getpid()}"
        script = ("import sys, XenAPI\n"
                  "over_ssh = XenAPI.Session(sys.argv[1], ssh_command=[sys.argv[2]])\n"
                  "over_ssh.xenapi.login_with_password('root', '', '2.1', 'stack-test')\n"
                  "host = over_ssh.xenapi.host.get_all()[0]\n"
                  "over_ssh.xenapi.host.set_name_description(host, sys.argv[3])\n"
                  "over_ssh.xenapi.logout()\n"
                  "s = XenAPI.Session(sys.argv[4], cafile=sys.argv[5])\n"
                  "s.xenapi.login_with_password('root', sys.argv[6], '2.1', 'stack-test')\n"
                  "print('description', s.xenapi.host.get_name_description(host))\n"
                  "s.xenapi.logout()\n")
        rc, out = run([sys.executable, "-c", script, f"ssh://root@127.0.0.1:{ssh_port}",
                       str(wrapper), mark, https, str(SECRETS / "xapid.pem"), password],
                      dict(os.environ, PYTHONPATH=str(PYTHON_BINDING)))
        assert rc == 0, out
        assert f"description {mark}" in out, out

        # Ctrl-C: dom0 stops the stack and powers off, QEMU ends, run.sh returns 0.
        assert stack.interrupt_and_wait(WAIT) == 0, stack.log[-3000:]
        assert "run: stopped" in stack.log, stack.log[-3000:]
        console = (rundir / "console.log").read_text(errors="replace")
        assert "tern-dom0: xapid stopped" in console, console[-3000:]
        assert "tern-dom0: powering off" in console, console[-3000:]
        assert "(TERN) d0: shut down (reason 0, poweroff): powering off" in console, \
            console[-3000:]
    finally:
        stack.kill()
        if qemu_pid:
            try:
                os.kill(qemu_pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
