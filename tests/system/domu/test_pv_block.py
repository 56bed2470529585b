"""PV block devices for a Linux domU: dom0 runs tern-blkback (its user-space block backend)
beside xenstored and tern-consoled, makes a raw image and a qcow2 image (tern-img convert) and
builds a guest whose config gives them as xvda and xvdb. The guest loads xen-blkfront from its
ramdisk; its init (tern.blk) reports each disk's size and the sha256 of its first 2 MiB, which
must be what the test computes for the content dom0 wrote; it then writes a pattern at 1 MiB
into each disk, syncs, drops its page cache and reports the pattern's sha256 as read back
through the backend. dom0 destroys the running guest (the backend closes both devices first:
ring and grant maps released, images flushed) and finds the pattern in both image files, the
qcow2 image consistent (tern-img check), and every page back. Tern runs with
domu_stage2=pages here (the guest's RAM in 4 KiB pages at stage 2, as the domU benchmark runs
it), so that its grant maps and page accounting are checked with that layout too."""

import hashlib
import re
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "hypervisor"))

from guest_bundle import guest_config, start_dom0_with_guest  # noqa: E402
from test_control import pages_free_or_dom0s  # noqa: E402
from test_dom0 import BOOT_TIMEOUT  # noqa: E402

EXTRA = "earlycon=xenboot keep_bootcon console=hvc0 loglevel=7 tern.blk tern.stay"
MIB = 1 << 20
KIB = 1 << 10
DISK_BYTES = 4 * MIB
PATTERN_BYTES = 256 * KIB
DISKS = {"xvda": "tern-raw-disk", "xvdb": "tern-qcow2-disk"}


def repeated(line, size):
    """What `yes LINE | head -c SIZE` writes."""
    text = (line + "\n").encode()
    return (text * (size // len(text) + 1))[:size]


def disk_content(line):
    """What make_disk_command writes: 64 KiB of `yes LINE` lines, 64 times over."""
    return repeated(line, 64 * KIB) * 64


def make_disk_command(line, path):
    """A 4 MiB file of disk_content(line), made with few processes (dom0 runs under TCG)."""
    return (f"yes {line} | head -c 65536 > /tmp/b1 && cat /tmp/b1 /tmp/b1 /tmp/b1 /tmp/b1 > "
            "/tmp/b4 && cat /tmp/b4 /tmp/b4 /tmp/b4 /tmp/b4 > /tmp/b16 && "
            f"cat /tmp/b16 /tmp/b16 /tmp/b16 /tmp/b16 > {path} && rm /tmp/b1 /tmp/b4 /tmp/b16")


def sha256(data):
    return hashlib.sha256(data).hexdigest()


def guest_lines(log, domain):
    return "\n".join(line.split(") ", 1)[1] for line in log.splitlines()
                     if line.startswith(f"(d{domain}) ") and ") " in line)


def test_a_domu_reads_and_writes_raw_and_qcow2_disks_through_tern_blkback():
    machine, shell, _ = start_dom0_with_guest(
        tern_options="dom0_mem=512M dom0_max_vcpus=1 domu_stage2=pages")
    try:
        assert "domUs' RAM is mapped with 4 KiB pages at stage 2" in machine.log
        out, rc = shell.run("(tern-blkback > /tmp/blkback.log 2>&1 &); "
                            "until grep -q 'serving block devices\\|tern-blkback:' "
                            "/tmp/blkback.log; do usleep 100000; done; cat /tmp/blkback.log")
        assert rc == 0 and "tern-blkback: serving block devices" in out, out
        out, rc = shell.run(make_disk_command(DISKS["xvda"], "/tmp/raw.img"))
        assert rc == 0, out
        out, rc = shell.run(make_disk_command(DISKS["xvdb"], "/tmp/q.src"))
        assert rc == 0, out
        out, rc = shell.run("tern-img convert -O qcow2 /tmp/q.src /tmp/disk.qcow2 && rm /tmp/q.src")
        assert rc == 0, out
        out, rc = shell.run("tern-img check /tmp/disk.qcow2")
        assert rc == 0, out
        before = pages_free_or_dom0s(shell)

        config = guest_config("disks", EXTRA) + (
            'disk = [ "file:/tmp/raw.img,xvda,w", "qcow2:/tmp/disk.qcow2,xvdb,w" ]\\n')
        out, rc = shell.run(f"printf '{config}' > /tmp/disks.cfg; tern-ctl build /tmp/disks.cfg")
        assert rc == 0, out
        assert "disk xvda: /tmp/raw.img (raw, writable)" in out, out
        assert "disk xvdb: /tmp/disk.qcow2 (qcow2, writable)" in out, out
        d = int(out.strip().splitlines()[-1])
        # The backend saw both devices, opened their images and waits for the guest.
        out, rc = shell.run(f"until [ $(grep -c 'vbd {d}/.*image' /tmp/blkback.log) = 2 ]; "
                            "do usleep 100000; done; "
                            f"tern-ctl xenstore-read /local/domain/0/backend/vbd/{d}/51712/state; "
                            f"tern-ctl xenstore-read /local/domain/0/backend/vbd/{d}/51728/sectors")
        # (The typed command wraps at the console's width: the answers are the last lines.)
        assert rc == 0 and out.split()[-2:] == ["2", str(DISK_BYTES // 512)], out

        start = len(machine.log)
        out, rc = shell.run(f"tern-ctl unpause {d}")
        assert rc == 0, out
        assert machine.wait_for("tern-domu: disk test done", BOOT_TIMEOUT), machine.log[-4000:]
        guest = guest_lines(machine.log[start:], d)
        for vdev, line in DISKS.items():
            content = disk_content(line)
            m = re.search(rf"tern-domu: disk {vdev} sectors (\d+) ro (\d)", guest)
            assert m, guest[-3000:]
            assert int(m.group(1)) == DISK_BYTES // 512 and m.group(2) == "0", m.group(0)
            m = re.search(rf"tern-domu: {vdev} sha256 (\w+)", guest)
            assert m, guest[-3000:]
            assert m.group(1) == sha256(content[:2 * MIB]), f"{vdev} read wrong data"
            m = re.search(rf"tern-domu: {vdev} pattern (\w+)", guest)
            assert m, guest[-3000:]
            assert m.group(1) == sha256(repeated(f"tern-pv-block {vdev}", PATTERN_BYTES)), vdev
        assert "write failed" not in guest, guest[-3000:]
        out, rc = shell.run("cat /tmp/blkback.log")
        assert out.count(f"vbd {d}/") >= 4 and out.count("connected: ring-ref") == 2, out
        assert "refused" not in out, out

        # Destroyed while it runs: the backend closes both disks before the domain goes.
        out, rc = shell.run(f"tern-ctl destroy {d}; cat /tmp/blkback.log")
        assert rc == 0 and "did not close" not in out, out
        assert out.count("its ring and grants released") == 2, out
        # Each disk was read, written and flushed (dd conv=fsync), and nothing was refused.
        served = re.findall(r"served (\d+) reads, (\d+) writes, (\d+) flushes; (\d+) errors", out)
        assert len(served) == 2, out
        for reads, writes, flushes, errors in served:
            assert int(reads) > 0 and int(writes) > 0 and int(flushes) > 0, out
            assert errors == "0", out
        assert out.count(f"vbd {d}/51712: removed") == 1, out
        assert out.count(f"vbd {d}/51728: removed") == 1, out
        out, rc = shell.run(f"tern-ctl xenstore-ls /local/domain/0/backend/vbd/{d}")
        assert rc != 0 or "51712" not in out, out

        # The image files hold what the guest wrote, and the qcow2 image is consistent.
        out, rc = shell.run("tern-img check /tmp/disk.qcow2 && "
                            "tern-img convert -O raw /tmp/disk.qcow2 /tmp/q.raw && "
                            "sha256sum /tmp/raw.img /tmp/q.raw")
        assert rc == 0, out
        sums = re.findall(r"^([0-9a-f]{64})", out, re.M)
        for vdev, line, got in zip(DISKS, DISKS.values(), sums):
            written = bytearray(disk_content(line))
            written[MIB:MIB + PATTERN_BYTES] = repeated(f"tern-pv-block {vdev}", PATTERN_BYTES)
            assert got == sha256(bytes(written)), f"{vdev}'s image does not hold the writes"
        assert len(sums) == 2, out
        assert pages_free_or_dom0s(shell) == before
        out, rc = shell.run("kill $(pidof tern-blkback); sleep 1; cat /tmp/blkback.log")
        assert "stopping" in out, out
        machine.type("poweroff -f\n")
        assert machine.wait_exit(BOOT_TIMEOUT) == 0
    finally:
        machine.close()
