"""The console daemon: Debian's stock arm64 kernel boots as a domU on Tern with console=hvc0,
and dom0's tern-consoled (dom0/consoled, in dom0's ramdisk) drains its PV console ring into
/var/log/tern/console/guest-<id>.log and a pty whose path it writes to
/local/domain/<id>/console/tty. The test reads the guest's boot messages and its init's output
from the log (`tern-ctl console --log`), attaches to the console with `tern-ctl console`, types
a command into the guest's shell (the guest's init runs one on hvc0 with tern.shell) and sees
the answer, detaches with Ctrl-], then destroys the domain and sees the daemon forget it.

dom0 has one vCPU, so that CPU 1 is left to the guest; the guest's kernel and busybox ramdisk
(scripts/build-guest-images.sh) reach dom0 on a virtio disk."""

import re
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from guest_bundle import guest_config, start_dom0_with_guest  # noqa: E402
from test_dom0 import BOOT_TIMEOUT  # noqa: E402

LOGS = "/var/log/tern/console"


def test_a_domus_console_reaches_the_log_and_a_pty_and_takes_typed_commands():
    machine, shell, out = start_dom0_with_guest()
    try:
        assert f"serving consoles; logs in {LOGS}" in out, out

        # Built (paused): the daemon hears @introduceDomain, maps the console page, binds the
        # port and records its pty in xenstore.
        out, rc = shell.run(f"printf '{guest_config('console', 'console=hvc0 loglevel=6 tern.shell')}' "
                            "> /tmp/console.cfg; tern-ctl build /tmp/console.cfg")
        assert rc == 0, out
        d = int(out.strip().splitlines()[-1])
        out, rc = shell.run(f"until grep -q 'domain {d}: console on' /tmp/consoled.log; do "
                            f"usleep 100000; done; cat /tmp/consoled.log; "
                            f"tern-ctl xenstore-read /local/domain/{d}/console/tty")
        assert rc == 0, out
        pty = re.search(rf"domain {d}: console on (/dev/pts/\d+), log {LOGS}/guest-{d}\.log",
                        out)
        assert pty, out
        assert out.strip().splitlines()[-1] == pty.group(1), out

        # Its boot messages (replayed to hvc0 when it registers) and its init's output come
        # through the ring into the log.
        out, rc = shell.run(f"tern-ctl unpause {d}; until grep -q 'shell on the console' "
                            f"{LOGS}/guest-{d}.log 2>/dev/null; do sleep 1; done; "
                            f"tern-ctl console --log {d}")
        assert rc == 0, out
        assert "Linux version 6." in out, out[-3000:]
        assert "Kernel command line: console=hvc0 loglevel=6 tern.shell" in out, out[-3000:]
        assert "Grant table initialized" in out, out[-3000:]
        assert "tern-domu: user space reached" in out, out[-3000:]
        assert "tern-domu: hypervisor xen" in out, out[-3000:]
        assert "tern-domu: shell on the console" in out, out[-3000:]

        # Attached: what is typed reaches the guest's shell through the in ring, and its
        # answer comes back through the out ring, the pty and tern-ctl.
        start = len(machine.log)
        machine.type(f"tern-ctl console {d}\n")
        assert machine.wait_for_pattern(re.compile(r"tern-ctl: attached to /dev/pts/\d+"),
                                        BOOT_TIMEOUT, start), machine.log[-3000:]
        start = len(machine.log)
        machine.type("echo guest-says-$((6 * 7)) in $(cat /proc/cmdline)\n")
        assert machine.wait_for_pattern(
            re.compile(r"guest-says-42 in console=hvc0 loglevel=6 tern\.shell"), BOOT_TIMEOUT,
            start), machine.log[-3000:]
        start = len(machine.log)
        machine.type("\x1d")  # Ctrl-] detaches; dom0's shell is back
        assert machine.wait_for_pattern(re.compile(r"tern-ctl: detached"), BOOT_TIMEOUT, start), \
            machine.log[-3000:]
        out, rc = shell.run("echo detached")
        assert rc == 0 and "detached" in out, out
        out, rc = shell.run(f"tern-ctl console --log {d}")
        assert "guest-says-42 in console=hvc0" in out, out[-3000:]

        # Destroyed: the daemon forgets it (xenstored's @releaseDomain), and the console is gone.
        out, rc = shell.run(f"tern-ctl destroy {d}; until grep -q 'domain {d}: gone' "
                            "/tmp/consoled.log; do usleep 100000; done; cat /tmp/consoled.log")
        assert rc == 0 and f"domain {d}: gone, its console closed" in out, out
        assert "impossible" not in out and "cannot" not in out, out  # nothing went wrong
        out, rc = shell.run(f"tern-ctl console {d}")
        assert rc == 1 and "has no console pty" in out, out
        out, rc = shell.run("tern-ctl list; ps")
        assert rc == 0 and "tern-consoled" in out, out  # still serving
        assert "unhandled trap" not in machine.log
        machine.type("poweroff -f\n")
        assert machine.wait_exit(BOOT_TIMEOUT) == 0
    finally:
        machine.close()
