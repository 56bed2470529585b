"""The whole stack as `make run` starts it: scripts/run.sh boots Tern in QEMU with dom0's stack
image (xenstored, tern-consoled, xapid and dropbear started by dom0's /init) on ephemeral
forwarded ports, and says when xapid answers. From the host the test then uses what a user
uses: the built `xm` over HTTPS (certificate checked against the image's) with root's
password, the Python binding (host.get_all, host.get_record), and `xm` over ssh:// (dropbear
in dom0 runs `xapid --stdio`, relayed to the daemon) with the key run.sh made, dom0's host key
checked against the one the image carries (build/dom0/secrets/ssh_host_ed25519_key.pub).
Then the README's quick start, command for command, with xm on the host and a real guest
(examples/busybox-tern.cfg: the busybox guest of `make guest-images`, with a NIC on xenbr0):
`xm create -c` boots it and attaches its console in a terminal (tmux), where its shell answers
what is typed and Ctrl-] detaches; `xm list` shows the domain Tern runs (the id `tern-ctl list`
in dom0 shows, its memory and CPU time); pause stops its CPU time and unpause lets it go on;
mem-set 120 has the guest's balloon give 8 MiB back to Tern and 128 take it again (more is
refused); vcpu-set 1 has the guest take its CPU1 offline, 2 makes it present again and the
guest's shell brings it up, beyond its 2 vCPUs is refused; the guest's
NIC is bridged in dom0 and the guest pinged dom0's bridge; over ssh:// xm lists it and attaches
its console; reboot gives it a new domain; `shutdown -w` waits until the guest has powered off;
start and destroy; delete. Ctrl-C (SIGINT) to run.sh must power dom0 off cleanly (the stack
stopped first) and end QEMU and the script."""

import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

from tmux_terminal import Tmux

TOP = Path(__file__).resolve().parents[3]
BUILD = Path(os.environ.get("TERN_BUILD", TOP / "build"))
SECRETS = Path(os.environ.get("DOM0_SECRETS", BUILD / "dom0/secrets"))
XM = Path(os.environ.get("TERN_XM", BUILD / "bin/xm"))
PYTHON_BINDING = Path(os.environ.get("TERN_PYTHON_BINDING", BUILD / "bindings/python/package"))
BUNDLE = Path(os.environ.get("TERN_GUEST_BUNDLE", BUILD / "guest/bundle.cpio"))
WAIT = 1800  # TCG on a busy 2-core machine: generous; run.sh is stopped by signal after
GUEST_CONFIG = "examples/busybox-tern.cfg"  # relative to the source tree, as in the README
GUEST = "busybox"
GUEST_MAC = "00:16:3e:5e:00:01"


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


def list_row(out, name):
    """The `xm list` row of `name` as (id, mem, vcpus, state, time); id is None when halted."""
    for line in out.splitlines():
        words = line.split()
        if words and words[0] == name:
            if len(words) == 6:
                return int(words[1]), int(words[2]), int(words[3]), words[4], float(words[5])
            return None, int(words[1]), int(words[2]), words[3], float(words[4])
    raise AssertionError(f"no {name} in:\n{out}")


def domain_mib(dom0, domid):
    """The domain's memory as Tern counts its pages (`tern-ctl info` in dom0), in MiB."""
    out = dom0(f"tern-ctl info {domid}")
    found = re.search(rf"^\s*{domid}\s+\S+\s+(\d+)", out, re.M)
    assert found, out
    return int(found.group(1))


def wait_until(what, check, timeout=WAIT, interval=3):
    """Calls check() every `interval` s until it returns something true; returns that."""
    deadline = time.monotonic() + timeout
    while True:
        result = check()
        if result:
            return result
        assert time.monotonic() < deadline, f"{what}: not in {timeout} s"
        time.sleep(interval)


def quick_start(tmp_path, https, ssh_port, ssh_wrapper, password):
    """The README's quick start ("Quick start: a guest on Tern, ..."), command for command."""
    env = dict(os.environ, SSL_CERT_FILE=str(SECRETS / "xapid.pem"), XM_SERVER=https,
               XM_PASSWORD=password)
    ssh_env = dict(env, PATH=f"{ssh_wrapper.parent}:{os.environ['PATH']}")
    ssh_server = f"ssh://root@127.0.0.1:{ssh_port}"

    def xm(*args, environment=env):
        return run([str(XM), *args], environment)

    def dom0(command):
        rc, out = run([str(ssh_wrapper), "-p", str(ssh_port), "root@127.0.0.1", command], env)
        assert rc == 0, out
        return out

    def guest_log(domid):
        return dom0(f"cat /var/log/tern/console/guest-{domid}.log 2>/dev/null || true")

    tmux = Tmux(tmp_path / "tmux.sock")
    try:
        # xm create examples/busybox-tern.cfg -c: the guest boots, its console is attached; its
        # shell answers what is typed; Ctrl-] detaches and xm ends.
        tmux.run(f"cd {TOP} && {XM} create {GUEST_CONFIG} -c", env={
            k: env[k] for k in ("SSL_CERT_FILE", "XM_SERVER", "XM_PASSWORD")})
        tmux.wait_for("tern-domu: shell on the console", WAIT)
        tmux.keys("echo guest-says-$((6 * 7))", "Enter")
        tmux.wait_for("guest-says-42", WAIT)
        tmux.keys("C-]")
        screen = tmux.wait_for("EXIT=", WAIT)
        assert "EXIT=0" in screen, screen
        assert f"tern-domu: net eth0 {GUEST_MAC} 10.0.3.2/24" in screen, screen[-3000:]
        assert "tern-domu: net ping 10.0.3.1 ok" in screen, screen[-3000:]

        # xm list: the domain Tern runs, with its memory and CPU time.
        rc, out = xm("list")
        assert rc == 0, out
        domid, mem, vcpus, state, cpu = list_row(out, GUEST)
        assert domid and domid > 0 and vcpus == 2 and 120 <= mem <= 136, out
        assert "p" not in state and ("r" in state or "b" in state), out
        assert cpu > 0, out
        tern_ctl = dom0("tern-ctl list")
        assert re.search(rf"^\s*{domid}\s", tern_ctl, re.M), tern_ctl
        # Its NIC: netback's vif<domid>.0 on dom0's bridge, the backend Connected (4).
        out = dom0(f"ls /sys/class/net/xenbr0/brif; "
                   f"tern-ctl xenstore-read /local/domain/0/backend/vif/{domid}/0/state")
        assert f"vif{domid}.0" in out.split() and out.split()[-1] == "4", out

        # xm pause: Paused, and its CPU time stands still; xm unpause: it runs on.
        rc, out = xm("pause", GUEST)
        assert rc == 0, out
        time.sleep(12)  # two of xapid's metrics refreshes (5 s)
        _, _, _, state, paused_cpu = list_row(xm("list", GUEST)[1], GUEST)
        assert "p" in state, state
        time.sleep(12)
        _, _, _, state, still_cpu = list_row(xm("list", GUEST)[1], GUEST)
        assert "p" in state and still_cpu == paused_cpu, (paused_cpu, still_cpu)
        rc, out = xm("unpause", GUEST)
        assert rc == 0, out
        wait_until("CPU time after unpause",
                   lambda: list_row(xm("list", GUEST)[1], GUEST)[4] > paused_cpu)
        assert "p" not in list_row(xm("list", GUEST)[1], GUEST)[3]

        # xm mem-set: the balloon target (KiB) in the guest's xenstore directory; its balloon
        # gives 8 MiB back to Tern (the domain's pages in dom0's `tern-ctl info`) and takes
        # them again when the target is all of its memory; more than it has is refused.
        rc, out = xm("mem-set", GUEST, "120")
        assert rc == 0, out
        target = dom0(f"tern-ctl xenstore-read /local/domain/{domid}/memory/target").strip()
        assert target == str(120 * 1024), target
        wait_until("the guest's balloon giving 8 MiB back",
                   lambda: domain_mib(dom0, domid) <= 121)
        rc, out = xm("mem-set", GUEST, "128")
        assert rc == 0, out
        wait_until("the guest's balloon taking them again",
                   lambda: domain_mib(dom0, domid) >= 128)
        rc, out = xm("mem-set", GUEST, "256")
        assert rc == 1, out

        # xm vcpu-set: cpu/N/availability in the guest's xenstore directory, which its kernel
        # watches (as with xl). 1: the guest takes CPU1 offline (PSCI CPU_OFF, then AFFINITY_INFO
        # says it is off: "CPU1 killed"), xm list shows 1 vCPU; 2: CPU1 is present again and
        # comes up when the guest's shell onlines it (PSCI CPU_ON); more than it has is refused
        # (xm prints the XenAPI error). What the guest's /sys says is typed at its console
        # (tern-consoled's pty in dom0) and read back from its console log.
        tty = dom0(f"tern-ctl xenstore-read /local/domain/{domid}/console/tty").strip()
        typed = iter(range(1000))

        def in_guest(command):
            """Runs `command` in the guest's shell; returns its output line once logged."""
            mark = f"guest-{next(typed)}"
            dom0(f"echo 'echo {mark}=$({command})' > {tty}")
            found = wait_until(f"the guest's answer to {command}", lambda: re.search(
                rf"{mark}=([^$\r\n]*)\r?\n", guest_log(domid)), interval=0.5)
            return found.group(1)

        def guest_cpus_online():
            return in_guest("cat /sys/devices/system/cpu/online")

        assert guest_cpus_online() == "0-1"
        rc, out = xm("vcpu-set", GUEST, "1")
        assert rc == 0, out
        wait_until("CPU1 offline in the guest", lambda: guest_cpus_online() == "0")
        # Linux asks AFFINITY_INFO for 100 ms; a host too loaded to run the dying vCPU's
        # CPU_OFF in that time makes it say "may not have shut down cleanly" (CPU1 is offline
        # all the same).
        assert re.search(r"psci: CPU1 killed|CPU1 may not have shut down cleanly",
                         guest_log(domid)), guest_log(domid)[-3000:]
        online = dom0(f"tern-ctl xenstore-read /local/domain/{domid}/cpu/1/availability")
        assert online.strip() == "offline", online
        wait_until("xm list's VCPUs 1", lambda: list_row(xm("list", GUEST)[1], GUEST)[2] == 1)
        rc, out = xm("vcpu-set", GUEST, "2")
        assert rc == 0, out
        wait_until("xm list's VCPUs 2", lambda: list_row(xm("list", GUEST)[1], GUEST)[2] == 2)
        wait_until("CPU1 present in the guest",
                   lambda: in_guest("cat /sys/devices/system/cpu/present") == "0-1")
        in_guest("echo 1 > /sys/devices/system/cpu/cpu1/online; echo $?")
        wait_until("CPU1 online in the guest", lambda: guest_cpus_online() == "0-1")
        rc, out = xm("vcpu-set", GUEST, "3")
        assert rc == 1 and "VM_TOO_MANY_VCPUS" in out, out

        # Over ssh:// (dropbear in dom0, the key run.sh made): list, and the console.
        rc, out = xm("--server", ssh_server, "list", environment=ssh_env)
        assert rc == 0, out
        assert list_row(out, GUEST)[0] == domid, out
        tmux.run(f"{XM} --server {ssh_server} console {GUEST}", env={
            "SSL_CERT_FILE": env["SSL_CERT_FILE"], "XM_PASSWORD": password,
            "PATH": ssh_env["PATH"]})
        time.sleep(5)  # attached: the shell's prompt is already on the screen
        tmux.keys("echo over-ssh-$((6 * 7))", "Enter")
        tmux.wait_for("over-ssh-42", WAIT)
        tmux.keys("C-]")
        screen = tmux.wait_for("EXIT=", WAIT)
        assert "EXIT=0" in screen, screen

        # xm reboot: the guest restarts in a new domain; its shell comes back.
        rc, out = xm("reboot", GUEST)
        assert rc == 0, out
        rebooted = wait_until("the rebooted domain", lambda: (
            lambda row: row[0] if row[0] not in (None, domid) and "p" not in row[3] else None)(
                list_row(xm("list", GUEST)[1], GUEST)))
        assert not re.search(rf"^\s*{domid}\s", dom0("tern-ctl list"), re.M)
        wait_until("the rebooted guest's shell",
                   lambda: "tern-domu: shell on the console" in guest_log(rebooted))

        # xm shutdown -w: returns once the guest has powered itself off.
        rc, out = xm("shutdown", "-w", GUEST)
        assert rc == 0, out
        row = list_row(xm("list", GUEST)[1], GUEST)
        assert row[0] is None and row[3] == "------", row
        assert not re.search(rf"^\s*{rebooted}\s", dom0("tern-ctl list"), re.M)

        # xm start, then xm destroy: gone at once; xm delete: no VM left.
        rc, out = xm("start", GUEST)
        assert rc == 0, out
        started = list_row(xm("list", GUEST)[1], GUEST)[0]
        assert started and started not in (domid, rebooted)
        rc, out = xm("destroy", GUEST)
        assert rc == 0, out
        assert list_row(xm("list", GUEST)[1], GUEST)[0] is None
        assert not re.search(rf"^\s*{started}\s", dom0("tern-ctl list"), re.M)
        rc, out = xm("delete", GUEST)
        assert rc == 0, out
        rc, out = xm("list")
        assert rc == 0 and GUEST not in out.split(), out
    finally:
        tmux.close()


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
        # dom0's host key is the image's: run.sh wrote it into known_hosts before the boot.
        host_key = (SECRETS / "ssh_host_ed25519_key.pub").read_text().split()[1]
        assert host_key in (rundir / "known_hosts").read_text()
        wrapper.write_text("#!/bin/sh\n"
                           f"exec /usr/bin/ssh -i {rundir}/id_ed25519 -o BatchMode=yes "
                           f"-o StrictHostKeyChecking=yes -o UserKnownHostsFile={rundir}/known_hosts "
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

        # The README's quick start with a real guest.
        assert BUNDLE.exists(), f"{BUNDLE} is missing: run `make guest-images`"
        quick_start(tmp_path, https, ssh_port, wrapper, password)

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
