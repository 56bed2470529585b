"""xapid's tern backend: real domains on Tern, managed from the host over HTTPS.

QEMU boots Tern with dom0's stack image (scripts/build-dom0-stack.sh: xenstored,
tern-consoled and `xapid --backend tern`, started by `tern.stack`), one vCPU for dom0 and one
for guests, the guest bundle of `make guest-images` as a virtio disk (unpacked in dom0 into
/var/lib/tern, where examples/busybox-tern.cfg finds it) and xapid's HTTPS port forwarded to
the host. From the host, with the Python XenAPI binding over the forwarded port:
  - a VM of the busybox guest is created and started; event.from shows it Running; its
    console log (tern-consoled's, in dom0) shows its user space; the guest powers itself off
    (busybox-init.sh without tern.stay or tern.shell) and event.from shows it Halted;
  - it starts again (tern.stay: it keeps running), is hard-shut-down (Halted) and destroyed;
  - a second VM (tern.shell) runs while xapid is killed with SIGKILL in dom0 and started
    again: the VM is adopted (Running, same domid) and its shell still answers what is typed
    into its console pty."""

import os
import re
import socket
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "hypervisor"))

from guest_bundle import BUNDLE  # noqa: E402
from qemu_console import QemuConsole  # noqa: E402
from test_control import Shell  # noqa: E402
from test_dom0 import BOOT_TIMEOUT, TOP, qemu_args  # noqa: E402

BUILD = Path(os.environ.get("TERN_BUILD", TOP / "build"))
STACK_INITRD = Path(os.environ.get("DOM0_STACK_INITRD", BUILD / "dom0/stack-initrd.cpio.gz"))
SECRETS = Path(os.environ.get("DOM0_SECRETS", BUILD / "dom0/secrets"))
sys.path.insert(0, os.environ.get("TERN_PYTHON_BINDING", str(BUILD / "bindings/python/package")))

import XenAPI  # noqa: E402

MiB = 1 << 20
GUEST_DIR = "/var/lib/tern/guest"
CONSOLE_LOG = "/var/log/tern/console/guest-{}.log"
# The command line that restarts xapid as dom0's stack started it (dom0/image/stack.sh).
XAPID = ("/usr/bin/xapid --backend tern --state-dir /var/lib/xapid --https 0.0.0.0:443 "
         "--unix /var/run/xend/xen-api.sock < /dev/null >> /var/log/xapid.log 2>&1 & "
         "echo $! > /var/run/xapid.pid")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def login(port):
    session = XenAPI.Session(f"https://127.0.0.1:{port}", cafile=str(SECRETS / "xapid.pem"))
    password = (SECRETS / "root-password").read_text().strip()
    session.xenapi.login_with_password("root", password, "2.0", "test_tern_backend")
    return session


def wait_for_xapid(port):
    """A session once xapid answers on the forwarded port."""
    deadline = time.monotonic() + BOOT_TIMEOUT
    while True:
        try:
            return login(port)
        except (OSError, XenAPI.Failure, Exception):
            if time.monotonic() > deadline:
                raise
            time.sleep(2)


class VmEvents:
    """The VM's power states as event.from reports them, in order."""

    def __init__(self, session, vm):
        self.x = session.xenapi
        self.vm = vm
        self.token = getattr(self.x.event, "from")(["VM"], "", 0.0)["token"]
        self.states = []
        self.consumed = 0

    def wait_for(self, state):
        """Waits for an event with power state `state` after the one the last wait found;
        returns every state seen so far."""
        deadline = time.monotonic() + BOOT_TIMEOUT
        while state not in self.states[self.consumed:]:
            assert time.monotonic() < deadline, f"no {state} event; saw {self.states}"
            answer = getattr(self.x.event, "from")(["VM"], self.token, 30.0)
            self.token = answer["token"]
            for ev in answer["events"]:
                if ev["ref"] == self.vm and "snapshot" in ev:
                    power = ev["snapshot"]["power_state"]
                    if not self.states or self.states[-1] != power:
                        self.states.append(power)
        self.consumed = self.states.index(state, self.consumed) + 1
        return self.states


def create_vm(x, name, args):
    m = str(128 * MiB)
    return x.VM.create({
        "name_label": name, "is_a_template": False,
        "memory_static_min": m, "memory_dynamic_min": m, "memory_dynamic_max": m,
        "memory_static_max": m, "VCPUs_max": "1", "VCPUs_at_startup": "1",
        "PV_kernel": f"{GUEST_DIR}/Image", "PV_ramdisk": f"{GUEST_DIR}/busybox-initrd.cpio.gz",
        "PV_args": args, "actions_after_shutdown": "destroy",
        "actions_after_reboot": "restart", "actions_after_crash": "destroy",
    })


def wait_in_log(shell, domid, text):
    deadline = time.monotonic() + BOOT_TIMEOUT
    while True:
        out, _ = shell.run(f"cat {CONSOLE_LOG.format(domid)}")
        if text in out:
            return out
        assert time.monotonic() < deadline, out[-3000:]
        time.sleep(5)


def test_xapid_runs_real_guests_on_tern_and_adopts_them_after_a_kill():
    for needed, make in ((STACK_INITRD, "make dom0-stack"), (BUNDLE, "make guest-images")):
        assert needed.exists(), f"{needed} is missing: run `{make}`"
    port = free_port()
    machine = QemuConsole(qemu_args("console=hvc0 tern.stack", initrd=STACK_INITRD, disk=BUNDLE,
                                    tern_options="dom0_mem=512M dom0_max_vcpus=1", cpus=2,
                                    net={port: 443}))
    try:
        assert machine.wait_for("stack up: xapid (backend tern)", BOOT_TIMEOUT), \
            machine.log[-4000:]
        shell = Shell(machine)
        out, rc = shell.run("mkdir -p /var/lib/tern && cd /var/lib/tern && cpio -id < /dev/vda "
                            f"&& ls {GUEST_DIR}; cd /")
        assert rc == 0 and "busybox-initrd.cpio.gz" in out, out

        session = wait_for_xapid(port)
        x = session.xenapi

        # A guest that powers itself off: Running, its user space on its console, Halted.
        vm = create_vm(x, "busybox", "console=hvc0")
        events = VmEvents(session, vm)
        x.VM.start(vm, False, False)
        domid = int(x.VM.get_domid(vm))
        assert domid > 0
        out, rc = shell.run("tern-ctl list")
        assert rc == 0 and re.search(rf"^\s*{domid} ", out, re.M), out
        events.wait_for("Running")
        log = wait_in_log(shell, domid, "tern-domu: powering off")
        assert "tern-domu: user space reached" in log and "hypervisor xen" in log, log
        states = events.wait_for("Halted")
        assert states.index("Running") < states.index("Halted"), states
        assert x.VM.get_power_state(vm) == "Halted"
        out, rc = shell.run("tern-ctl list")
        assert not re.search(rf"^\s*{domid} ", out, re.M), out  # destroyed (on_poweroff)

        # Again, staying up: running with the hypervisor's figures, then a hard shutdown.
        x.VM.set_PV_args(vm, "console=hvc0 tern.stay")
        x.VM.start(vm, False, False)
        events.wait_for("Running")
        domid = int(x.VM.get_domid(vm))
        wait_in_log(shell, domid, "tern-domu: staying up")
        record = x.VM.get_record(vm)
        metrics = x.VM_metrics.get_record(record["metrics"])
        assert int(metrics["memory_actual"]) >= 128 * MiB, metrics
        x.VM.hard_shutdown(vm)
        events.wait_for("Halted")
        assert x.VM.get_power_state(vm) == "Halted"
        out, rc = shell.run("tern-ctl list")
        assert not re.search(rf"^\s*{domid} ", out, re.M), out
        x.VM.destroy(vm)
        assert vm not in x.VM.get_all()

        # What Tern cannot do yet is refused, not faked.
        shell_vm = create_vm(x, "busybox-shell", "console=hvc0 tern.shell")
        x.VM.start(shell_vm, False, False)
        domid = int(x.VM.get_domid(shell_vm))
        try:
            x.VM.suspend(shell_vm)
            raise AssertionError("VM.suspend succeeded on Tern")
        except XenAPI.Failure as e:
            assert e.details[0] in ("NOT_IMPLEMENTED", "VM_BAD_POWER_STATE",
                                    "OPERATION_NOT_ALLOWED"), e.details
        assert x.VM.get_power_state(shell_vm) == "Running"
        wait_in_log(shell, domid, "tern-domu: shell on the console")

        # xapid killed while the guest runs, started again: the VM is adopted.
        out, rc = shell.run("kill -9 $(cat /var/run/xapid.pid); sleep 1; "
                            "pidof xapid || echo xapid-gone")
        assert "xapid-gone" in out, out
        out, rc = shell.run(XAPID)
        assert rc == 0, out
        session = wait_for_xapid(port)
        x = session.xenapi
        assert x.VM.get_power_state(shell_vm) == "Running"
        assert int(x.VM.get_domid(shell_vm)) == domid
        # The guest kept running: its shell answers what is typed into its console pty.
        out, rc = shell.run(f"tty=$(tern-ctl xenstore-read /local/domain/{domid}/console/tty)"
                            " && printf 'echo alive-$((6 * 7))\\n' > $tty")
        assert rc == 0, out
        wait_in_log(shell, domid, "alive-42")
        x.VM.hard_shutdown(shell_vm)
        assert x.VM.get_power_state(shell_vm) == "Halted"
        x.VM.destroy(shell_vm)
        out, rc = shell.run("grep -c 'tern:' /var/log/xapid.log; tail -n 5 /var/log/xapid.log")
    finally:
        machine.close()
