"""Data written by one side (tern_diskimage or QEMU) is read back identically by the other."""
import os
import random
import subprocess
import time

import pytest

from conftest import IMAGE_IO, ImageIO, qemu_check, qemu_img, qemu_info, qemu_io, qemu_raw, run, tern_img

MiB = 1024 * 1024


def write_patterns(image, seed, count, size, fmt="qcow2"):
    """Random qemu-io writes (pattern bytes, random sizes and offsets)."""
    rng = random.Random(seed)
    commands = []
    for _ in range(count):
        length = rng.randint(1, 300_000)
        offset = rng.randrange(0, size - length)
        commands.append(f"write -P {rng.randrange(1, 256)} {offset} {length}")
    qemu_io(image, *commands, fmt=fmt)


def ours_as_raw(tmp_path, image, name="ours.raw"):
    out = tmp_path / name
    tern_img("convert", "-O", "raw", image, out)
    return out.read_bytes()


@pytest.mark.parametrize("options", [
    "cluster_size=65536",
    "cluster_size=512",
    "cluster_size=2M",
    "compat=0.10",
    "refcount_bits=1,cluster_size=4096",
    "refcount_bits=64",
])
def test_we_read_qemu_images(tmp_path, options):
    image = tmp_path / "q.qcow2"
    size = 64 * MiB
    qemu_img("create", "-f", "qcow2", "-o", options, image, str(size))
    write_patterns(image, seed=len(options), count=40, size=size)
    qemu_io(image, f"write -z {4 * MiB} {MiB}", f"discard {8 * MiB} {2 * MiB}")
    assert ours_as_raw(tmp_path, image) == qemu_raw(image, tmp_path / "qemu.raw")


def test_we_read_compressed_clusters(tmp_path):
    source = tmp_path / "source.qcow2"
    size = 32 * MiB
    qemu_img("create", "-f", "qcow2", source, str(size))
    write_patterns(source, seed=7, count=60, size=size)
    compressed = tmp_path / "compressed.qcow2"
    qemu_img("convert", "-c", "-O", "qcow2", source, compressed)
    assert ours_as_raw(tmp_path, compressed) == qemu_raw(source, tmp_path / "qemu.raw")
    # Writes over compressed clusters copy them out; qemu sees the result.
    with ImageIO(compressed) as io:
        io.write(12345, b"\xee" * 70000)
    qemu_io(compressed, "read -P 0xee 12345 70000")
    assert qemu_check(compressed)[0] == 0
    tern_check = tern_img("check", compressed)
    assert "No errors" in tern_check.stdout


def test_we_read_qemu_backing_chains(tmp_path):
    size = 16 * MiB
    base = tmp_path / "base.raw"
    qemu_img("create", "-f", "raw", base, str(size))
    write_patterns(base, seed=1, count=20, size=size, fmt="raw")
    previous, previous_fmt = "base.raw", "raw"
    for depth in range(1, 5):
        layer = tmp_path / f"layer{depth}.qcow2"
        qemu_img("create", "-f", "qcow2", "-b", previous, "-F", previous_fmt, layer)
        write_patterns(layer, seed=depth * 11, count=15, size=size)
        previous, previous_fmt = layer.name, "qcow2"
    top = tmp_path / previous
    assert ours_as_raw(tmp_path, top) == qemu_raw(top, tmp_path / "qemu.raw")


def test_qemu_reads_our_overlay_of_a_chain(tmp_path):
    size = 8 * MiB
    base = tmp_path / "base.qcow2"
    tern_img("create", base, str(size))
    with ImageIO(base) as io:
        io.write(0, b"\x01" * MiB)
    overlay = tmp_path / "overlay.qcow2"
    tern_img("snapshot", "base.qcow2", "overlay.qcow2", cwd=tmp_path)
    with ImageIO(overlay) as io:
        io.write(MiB // 2 + 3, b"\x02" * 1000)      # copy-on-write of a base cluster
        io.discard(0, 65536)                         # zero cluster over the base
        assert io.read(65536, 10) == b"\x01" * 10
    qemu_io(overlay, "read -P 0 0 65536", f"read -P 1 65536 {MiB // 2 + 3 - 65536}",
            f"read -P 2 {MiB // 2 + 3} 1000", f"read -P 1 {MiB // 2 + 1003} {MiB // 2 - 1003}")
    qemu_io(base, f"read -P 1 0 {MiB}")
    assert qemu_check(overlay)[0] == 0
    assert qemu_check(base)[0] == 0


def test_qemu_reads_what_we_write(tmp_path):
    image = tmp_path / "ours.qcow2"
    size = 32 * MiB
    tern_img("create", "-o", "cluster_size=4096", image, str(size))
    reference = bytearray(size)
    rng = random.Random(1234)
    with ImageIO(image) as io:
        for _ in range(200):
            length = rng.randint(1, 100_000)
            offset = rng.randrange(0, size - length)
            data = rng.randbytes(length)
            io.write(offset, data)
            reference[offset:offset + length] = data
    (tmp_path / "reference.raw").write_bytes(reference)
    qemu_img("compare", "-f", "qcow2", "-F", "raw", image, tmp_path / "reference.raw")
    assert qemu_check(image)[0] == 0


def test_raw_images_through_the_same_interface(tmp_path):
    image = tmp_path / "disk.raw"
    tern_img("create", "-f", "raw", image, str(4 * MiB))
    with ImageIO(image, fmt="raw") as io:
        io.write(1000, b"\x42" * 5000)
        io.discard(2000, 1000)
        assert io.read(1000, 5000) == b"\x42" * 1000 + b"\0" * 1000 + b"\x42" * 3000
        io.resize(8 * MiB)
    qemu_io(image, "read -P 0x42 1000 1000", "read -P 0 2000 1000", "read -P 0x42 3000 3000",
            fmt="raw")
    assert run("stat", "-c", "%s", image).stdout.strip() == str(8 * MiB)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_property_random_writes_through_both_sides(tmp_path, seed):
    """Seeded random writes and discards of random sizes and offsets, alternately through
    tern_diskimage and through qemu-io, compared with a raw reference after every round."""
    rng = random.Random(seed)
    size = 24 * MiB
    cluster = rng.choice([512, 4096, 65536])
    image = tmp_path / "prop.qcow2"
    tern_img("create", "-o", f"cluster_size={cluster}", image, str(size))
    reference = bytearray(size)
    reference_file = tmp_path / "reference.raw"
    for round_number in range(8):
        if round_number % 2 == 0:
            with ImageIO(image) as io:
                for _ in range(40):
                    length = rng.randint(1, 3 * cluster + 17)
                    offset = rng.randrange(0, size - length)
                    if rng.random() < 0.15:
                        io.discard(offset, length)
                        reference[offset:offset + length] = bytes(length)
                    else:
                        data = rng.randbytes(length)
                        io.write(offset, data)
                        reference[offset:offset + length] = data
                    if rng.random() < 0.1:
                        probe = rng.randrange(0, size - 4096)
                        assert io.read(probe, 4096) == reference[probe:probe + 4096]
        else:
            commands = []
            for _ in range(40):
                length = rng.randint(1, 3 * cluster + 17)
                offset = rng.randrange(0, size - length)
                if rng.random() < 0.15:
                    commands.append(f"write -z {offset} {length}")
                    reference[offset:offset + length] = bytes(length)
                else:
                    pattern = rng.randrange(256)
                    commands.append(f"write -P {pattern} {offset} {length}")
                    reference[offset:offset + length] = bytes([pattern]) * length
            qemu_io(image, *commands)
        reference_file.write_bytes(reference)
        qemu_img("compare", "-f", "qcow2", "-F", "raw", image, reference_file)
        assert ours_as_raw(tmp_path, image) == bytes(reference)
        rc, report = qemu_check(image)
        assert rc == 0, report


def test_images_with_internal_snapshots_are_read_and_checked(tmp_path):
    image = tmp_path / "snap.qcow2"
    qemu_img("create", "-f", "qcow2", image, str(16 * MiB))
    write_patterns(image, seed=21, count=20, size=16 * MiB)
    qemu_img("snapshot", "-c", "first", image)
    write_patterns(image, seed=22, count=20, size=16 * MiB)
    # The active layer is read; shared clusters have refcount 2 and check agrees with qemu.
    assert ours_as_raw(tmp_path, image) == qemu_raw(image, tmp_path / "qemu.raw")
    report = tern_img("check", "--json", image)
    assert '"corruptions": 0' in report.stdout and '"leaks": 0' in report.stdout
    # Writing would need copy-on-write of shared tables: refused with a clear message.
    refused = run(IMAGE_IO, image, check=False)
    assert refused.returncode == 1 and "internal snapshots" in refused.stderr


def test_version2_images_we_write_are_read_by_qemu(tmp_path):
    image = tmp_path / "v2.qcow2"
    tern_img("create", "-o", "compat=0.10,cluster_size=4096", image, str(8 * MiB))
    with ImageIO(image) as io:
        io.write(0, b"\x07" * 20000)
        io.discard(4096, 8192)  # no zero flag in version 2 and no backing: clusters go
    qemu_io(image, "read -P 7 0 4096", "read -P 0 4096 8192", "read -P 7 12288 7712")
    assert qemu_check(image)[0] == 0
    assert qemu_info(image)["format-specific"]["data"]["compat"] == "0.10"


def test_locks_keep_qemu_and_us_from_writing_at_once(tmp_path):
    image = tmp_path / "locked.qcow2"
    tern_img("create", image, str(MiB))
    with ImageIO(image) as io:
        io.write(0, b"\x01" * 512)
        refused = run("qemu-io", "-f", "qcow2", "-c", "read 0 512", image, check=False)
        assert "lock" in (refused.stdout + refused.stderr).lower(), refused
        # Force share (-U) still inspects it, and so does tern-img info.
        run("qemu-img", "info", "-U", image)
        assert "file format: qcow2" in tern_img("info", image).stdout
        second = run(IMAGE_IO, image, check=False)
        assert second.returncode == 1 and "image is locked" in second.stderr
    # The reverse: qemu-io holds the image open (writable) while we try.
    holder = subprocess.Popen(["qemu-io", "-f", "qcow2", "-c", "sleep 600000", str(image)])
    try:
        # Wait, without taking a lock of our own, until /proc/locks shows qemu-io's lock on
        # byte 101 (the "write" permission byte) of the image.
        inode = os.stat(image).st_ino

        def write_byte_locked():
            for line in open("/proc/locks"):
                fields = line.split()
                if fields[-3].endswith(f":{inode}") and int(fields[-2]) <= 101 and (
                        fields[-1] == "EOF" or int(fields[-1]) >= 101):
                    return True
            return False

        while not write_byte_locked():
            assert holder.poll() is None, "qemu-io exited early"
            time.sleep(0.05)
        attempt = tern_img("check", image, check=False)
        assert attempt.returncode == 1, attempt
        assert "image is locked" in attempt.stderr, attempt
    finally:
        holder.kill()
        holder.wait()
    assert "No errors" in tern_img("check", image).stdout
