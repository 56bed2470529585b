"""Tern's control ABI from dom0's user space: dom0 boots on Tern with its ramdisk, loads
Linux's xen-privcmd module and runs `tern-ctl` (dom0/tools/tern-ctl over dom0/control), which
reaches the hypervisor through IOCTL_PRIVCMD_HYPERCALL. The test creates, lists, shuts down
and destroys domains, checks that the free memory the hypervisor reports comes back to the
same figure after 20 create/destroy rounds, and that refusals (a wrong interface version,
more memory than there is, running a domain before the scheduler exists) are clear errors."""

import re

from qemu_console import QemuConsole
from test_dom0 import BOOT_TIMEOUT, INITRD, qemu_args


class Shell:
    """dom0's console shell: runs a command and returns its output and exit status."""

    def __init__(self, machine):
        self.machine = machine
        self.count = 0

    def run(self, command):
        self.count += 1
        n = self.count
        start = len(self.machine.log)
        # The marker is computed by the shell, so the echo of the typed line never matches.
        self.machine.type(f"{command}; echo \"<<$((1000 + {n})) rc=$?>>\"\n")
        marker = re.compile(rf"<<{1000 + n} rc=(\d+)>>")
        match = self.machine.wait_for_pattern(marker, BOOT_TIMEOUT, start)
        assert match, self.machine.log[-3000:]
        log = self.machine.log[start:]
        body = log[:match.start()]
        body = body.split("\n", 1)[1] if "\n" in body else ""  # drop the echoed command
        return body.replace("\r", ""), int(match.group(1))


def free_pages(shell):
    out, rc = shell.run("tern-ctl physinfo")
    assert rc == 0, out
    return int(re.search(r"free_pages (\d+)", out).group(1))


def pages_free_or_dom0s(shell):
    """The hypervisor's free pages plus the pages dom0 holds (its balloon's current size):
    constant while domains come and go, whatever dom0 lends to its foreign mappings."""
    out, rc = shell.run("tern-ctl physinfo; cat /sys/devices/system/xen_memory/xen_memory0/"
                        "info/current_kb")
    assert rc == 0, out
    free = int(re.search(r"free_pages (\d+)", out).group(1))
    dom0_kb = int(out.strip().splitlines()[-1])
    return free + dom0_kb // 4


def test_dom0_creates_lists_shuts_down_and_destroys_domains():
    assert INITRD.exists(), f"{INITRD} is missing: run `make dom0-initramfs`"
    machine = QemuConsole(qemu_args("console=hvc0", initrd=INITRD))
    try:
        assert machine.wait_for("type 'poweroff -f' to stop the machine", BOOT_TIMEOUT), \
            machine.log[-4000:]
        shell = Shell(machine)
        out, rc = shell.run("ls /dev/xen")
        assert "privcmd" in out, out

        out, rc = shell.run("tern-ctl physinfo")
        assert rc == 0, out
        assert "cpus 2" in out and "max_domains 32" in out, out
        before = free_pages(shell)

        out, rc = shell.run("tern-ctl create --memory 64 --vcpus 2")
        assert rc == 0, out
        domid = int(out.strip().splitlines()[-1])
        assert domid >= 1
        # 64 MiB left the free figure (plus the hypervisor's few pages for the domain).
        during = free_pages(shell)
        assert before - during >= 16384 and before - during < 16384 + 64, (before, during)

        out, rc = shell.run("tern-ctl list")
        assert rc == 0, out
        row = re.search(rf"^\s*{domid} paused\s+64\s+2\s+0\.0$", out, re.M)
        assert row, out

        # Nothing to run (vCPU 0 has no entry), and (with both CPUs dom0's) no CPU to run it on:
        # clear refusals, not pretended successes.
        out, rc = shell.run(f"tern-ctl unpause {domid}")
        assert rc == 1 and "build the domain first" in out, out

        # An event channel between dom0 (through /dev/xen/evtchn) and the domain.
        out, rc = shell.run(f"tern-ctl evtchn-bind {domid}")
        assert rc == 0, out
        bound = re.search(rf"dom0 port (\d+) <-> domain {domid} port (\d+): interdomain "
                          rf"with domain 0 port (\d+)", out)
        assert bound and bound.group(1) == bound.group(3), out

        # dom0 learns that a domain shut down through VIRQ_DOM_EXC, as xenstored does.
        out, rc = shell.run("rm -f /tmp/exc; (tern-ctl wait-exception 120 > /tmp/exc 2>&1 &); "
                            "until grep -q 'bound\\|tern-ctl:' /tmp/exc; do usleep 100000; done; "
                            f"tern-ctl shutdown {domid} crash; "
                            "until grep -q 'exception\\|no domain' /tmp/exc; do usleep 100000; "
                            "done; cat /tmp/exc")
        assert rc == 0, out
        assert "domain exception event" in out, out
        out, rc = shell.run(f"tern-ctl info {domid}")
        assert re.search(rf"{domid} shutdown .*\(crash\)", out), out

        out, rc = shell.run(f"tern-ctl destroy {domid}")
        assert rc == 0, out
        out, rc = shell.run(f"tern-ctl info {domid}")
        assert rc == 1 and "No such process" in out, out
        assert free_pages(shell) == before

        # 20 domains one after another: the free memory is the same figure afterwards.
        out, rc = shell.run("n=0; for i in $(seq 20); do d=$(tern-ctl create --memory 64) && "
                            "tern-ctl destroy $d && n=$((n + 1)); done; echo rounds=$n")
        assert "rounds=20" in out, out
        assert free_pages(shell) == before

        # More memory than the host has: refused, and nothing is left behind.
        out, rc = shell.run("tern-ctl create --memory 3000")
        assert rc == 1 and "Cannot allocate memory" in out, out
        assert free_pages(shell) == before
        out, rc = shell.run("tern-ctl list")
        assert out.strip().splitlines()[-1].split()[0] == "0", out  # no domain left but dom0

        # A caller speaking another interface version is refused and told ours.
        out, rc = shell.run("tern-ctl --interface-version 0x544e0001 physinfo")
        assert rc == 1, out
        assert "version 0x544e0001 refused; the hypervisor's is 0x544e0100" in out, out

        # dom0 sees a domain's pages through foreign mappings (privcmd's MMAPBATCH_V2, the
        # hypervisor's add_to_physmap_batch into pages dom0's balloon gave back): a fresh
        # domain's memory is zero, what dom0 writes is there, and nothing outside it maps.
        def poke_round(expect_zero_first=True):
            out, rc = shell.run("tern-ctl create --memory 16")
            assert rc == 0, out
            d = int(out.strip().splitlines()[-1])
            out, rc = shell.run(f"tern-ctl peek {d} 0x40000")
            assert rc == 0 and "all zero" in out, out
            out, rc = shell.run(f"tern-ctl poke {d} 0x40000 hello-from-dom0")
            assert rc == 0, out
            out, rc = shell.run(f"tern-ctl peek {d} 0x40000")
            assert rc == 0 and "|hello-from-dom0.|" in out, out
            out, rc = shell.run(f"tern-ctl peek {d} 0x41000")  # past its 16 MiB
            assert rc == 1 and "Invalid argument" in out, out
            out, rc = shell.run(f"tern-ctl destroy {d}")
            assert rc == 0, out
            return free_pages(shell)

        first = poke_round()
        # dom0 lent a page of its own to the mapping (ballooned out: the hypervisor has it);
        # a second round reuses it, and the new domain's pages are zero again.
        assert 0 <= first - before <= 16, (before, first)
        assert poke_round() == first
        # The domain builder: a config file in, a paused domain out with the arm64 Image at the
        # start of its RAM, its device tree in the last 2 MiB, the magic pages and HVM params
        # set for its console and xenstore rings, and vCPU 0 ready to enter the kernel.
        out, rc = shell.run("printf 'name = \"hello\"\\nkernel = \"/lib/tern/hello-image\"\\n"
                            "extra = \"console=hvc0\"\\nmemory = 16\\n' > /tmp/hello.cfg; "
                            "tern-ctl build /tmp/hello.cfg")
        assert rc == 0, out
        built = re.search(r"domain (\d+) built for hello: kernel at 0x40000000, device tree at "
                          r"0x40e00000; console ring 0x39000 port (\d+), xenstore ring 0x39001 "
                          r"port (\d+)", out)
        assert built, out
        d, console_port, store_port = built.groups()
        out, rc = shell.run(f"tern-ctl peek {d} 0x40000; hexdump -C -n 16 /lib/tern/hello-image")
        peeked = re.search(r"frame 0x40000: ((?:[0-9a-f]{2} ){16})", out)
        dumped = re.search(r"00000000  ((?:[0-9a-f]{2} +){16})", out)
        assert peeked and dumped, out
        assert peeked.group(1).split() == dumped.group(1).split(), out
        out, rc = shell.run(f"tern-ctl peek {d} 0x40e00")
        assert "frame 0x40e00: d0 0d fe ed" in out, out  # the device tree's magic
        for index, value in ((1, "0x39001"), (17, "0x39000"), (2, hex(int(store_port))),
                             (18, hex(int(console_port)))):
            out, rc = shell.run(f"tern-ctl hvm-param {d} {index}")
            assert rc == 0 and out.strip().splitlines()[-1] == value, (index, out)
        # dom0's vCPUs have every CPU, yet the guest runs: the scheduler shares them.
        out, rc = shell.run(f"tern-ctl unpause {d}; until tern-ctl info {d} | "
                            f"grep -q shutdown; do usleep 100000; done; tern-ctl info {d}")
        assert rc == 0 and re.search(rf"{d} shutdown .*\(poweroff\)", out), out
        assert f"(d{d}) hello from a Tern domU" in machine.log, machine.log[-2000:]
        out, rc = shell.run(f"tern-ctl destroy {d}")
        assert rc == 0, out
        # A kernel that is not there, or a config with a mistake: refused, nothing left behind.
        out, rc = shell.run("printf 'kernel = \"/nope\"\\nmemory = 16\\n' > /tmp/bad.cfg; "
                            "tern-ctl build /tmp/bad.cfg")
        assert rc == 1 and "cannot read the kernel '/nope'" in out, out
        out, rc = shell.run("printf 'kernel = \"/nope\"\\nmemory = lots\\n' > /tmp/bad.cfg; "
                            "tern-ctl build /tmp/bad.cfg")
        assert rc == 2 and "/tmp/bad.cfg:2:10: expected a number" in out, out
        out, rc = shell.run("tern-ctl list")
        assert out.strip().splitlines()[-1].split()[0] == "0", out

        out, rc = shell.run("tern-ctl peek 999 0x40000")
        assert rc == 1 and "No such process" in out, out

        # xenstored in dom0 (dom0/xenstored, cross-built into the ramdisk): dom0's kernel
        # connects to it through /dev/xen/xenbus_backend and writes its own entries; a write
        # through the socket reads back through the kernel's /dev/xen/xenbus.
        out, rc = shell.run("(xenstored > /tmp/xenstored.log 2>&1 &); "
                            "until [ -S /var/run/xenstored/socket ]; do usleep 100000; done; "
                            "tern-ctl xenstore-write /tern/test written-through-the-socket; "
                            "tern-ctl --xenbus xenstore-read /tern/test")
        assert rc == 0 and "\nwritten-through-the-socket" in out, out
        out, rc = shell.run("tern-ctl xenstore-ls /local/domain/0")
        assert rc == 0 and "control" in out.split(), out  # written by dom0's kernel
        out, rc = shell.run("tern-ctl xenstore-read /no/such/node")
        assert rc == 1 and "ENOENT" in out, out

        out, rc = shell.run("tern-ctl destroy 999")
        assert rc == 1 and "No such process" in out, out
        out, rc = shell.run("tern-ctl frobnicate")
        assert rc == 2 and "unknown command" in out, out

        assert "not implemented" not in machine.log
        assert "unhandled trap" not in machine.log
        machine.type("poweroff -f\n")
        assert machine.wait_exit(BOOT_TIMEOUT) == 0
    finally:
        machine.close()


def test_built_domains_share_the_cpus_with_dom0():
    """dom0 with one vCPU shares the two CPUs with other domains: a built test guest runs in its
    own stage 2 (VMID), writes through console_io, waits for its (emulated) physical timer and
    shuts itself down, and dom0 learns it through VIRQ_DOM_EXC; a guest that spins is destroyed
    while it runs, its CPU and memory come back, and the CPUs run the next guest."""
    machine = QemuConsole(qemu_args("console=hvc0", initrd=INITRD,
                                    tern_options="dom0_mem=512M dom0_max_vcpus=1"))
    try:
        assert machine.wait_for("type 'poweroff -f' to stop the machine", BOOT_TIMEOUT), \
            machine.log[-4000:]
        shell = Shell(machine)
        out, rc = shell.run("(xenstored > /tmp/xenstored.log 2>&1 &); "
                            "until [ -S /var/run/xenstored/socket ]; do usleep 100000; done")
        assert rc == 0, out
        out, rc = shell.run("printf 'kernel = \"/lib/tern/hello-image\"\\nmemory = 16\\n' "
                            "> /tmp/hello.cfg; printf 'kernel = \"/lib/tern/spin-image\"\\n"
                            "memory = 16\\n' > /tmp/spin.cfg; tern-ctl build /tmp/hello.cfg")
        assert rc == 0, out
        hello = int(out.strip().splitlines()[-1])
        # The builder gave it its xenstore directory and introduced it to xenstored.
        assert f"introduced to xenstore as /local/domain/{hello}" in out, out
        out, rc = shell.run(f"tern-ctl xenstore-ls /local/domain/{hello}; "
                            f"tern-ctl xenstore-read /local/domain/{hello}/store/ring-ref")
        assert rc == 0, out
        for key in ("name", "domid", "memory", "console", "store", "device", "control"):
            assert key in out.split(), out
        assert out.strip().splitlines()[-1] == str(0x39001), out
        # (xenstored holds dom0's VIRQ_DOM_EXC binding here, as on Xen; the first test shows
        # tern-ctl wait-exception hearing it)
        out, rc = shell.run(f"tern-ctl unpause {hello}; until tern-ctl info {hello} | "
                            f"grep -q shutdown; do usleep 100000; done; tern-ctl info {hello}")
        assert rc == 0, out
        assert re.search(rf"{hello} shutdown .*\(poweroff\)", out), out
        log = machine.log
        assert re.search(rf"\(TERN\) d{hello}: vCPU 0 starts on CPU [01] at 0x40000000", log), \
            log[-2000:]
        assert f"(d{hello}) hello from a Tern domU" in log, log[-2000:]
        # Its EL1 physical timer traps to Tern, which emulates it: it expires (ISTATUS, TVAL
        # below zero) before the guest shuts down.
        assert f"(TERN) d{hello}: vCPU 0 uses its EL1 physical timer" in log, log[-2000:]
        assert f"(d{hello}) physical timer expired" in log, log[-2000:]
        assert f"(TERN) d{hello}: shut down (reason 0, poweroff)" in log, log[-2000:]
        out, rc = shell.run(f"tern-ctl destroy {hello}")
        assert rc == 0, out
        before = pages_free_or_dom0s(shell)

        # A guest that never stops keeps a CPU busy; the scheduler shares the CPUs with the next
        # guest (its slices end on the hypervisor's timer), which runs to its end meanwhile; the
        # spinning one is destroyed while it runs.
        out, rc = shell.run("tern-ctl build /tmp/spin.cfg")
        assert rc == 0, out
        spin = int(out.strip().splitlines()[-1])
        out, rc = shell.run(f"tern-ctl unpause {spin}; tern-ctl build /tmp/hello.cfg")
        assert rc == 0, out
        second = int(out.strip().splitlines()[-1])
        assert machine.wait_for(f"(d{spin}) spinning until destroyed", BOOT_TIMEOUT)
        out, rc = shell.run(f"tern-ctl unpause {second}; until tern-ctl info {second} | "
                            f"grep -q shutdown; do usleep 100000; done; tern-ctl info {spin}")
        assert rc == 0 and re.search(rf"{spin} running ", out), out
        assert f"(d{second}) hello from a Tern domU" in machine.log, machine.log[-2000:]
        assert re.search(rf"\(TERN\) d{second}: vCPU 0 starts on CPU [01]", machine.log), \
            machine.log[-2000:]
        out, rc = shell.run(f"tern-ctl destroy {spin}; tern-ctl destroy {second}")
        assert rc == 0, out
        assert pages_free_or_dom0s(shell) == before
        out, rc = shell.run("tern-ctl xenstore-ls /local/domain")
        assert out.split()[-1] == "0" and str(hello) not in out.split(), out  # only dom0's
        assert "unhandled trap" not in machine.log
        machine.type("poweroff -f\n")
        assert machine.wait_exit(BOOT_TIMEOUT) == 0
    finally:
        machine.close()
