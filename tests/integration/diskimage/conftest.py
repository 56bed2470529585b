"""Helpers for the disk-image interoperability tests: tern-img, the image_io_for_test driver
of tern_diskimage, and QEMU's qemu-img and qemu-io."""
import json
import os
import subprocess

import pytest

TERN_IMG = os.environ.get("TERN_IMG", "tern-img")
IMAGE_IO = os.environ.get("IMAGE_IO", "image_io_for_test")


def run(*args, check=True, cwd=None):
    """Runs a command; returns the CompletedProcess (text output)."""
    result = subprocess.run([str(a) for a in args], capture_output=True, text=True, cwd=cwd)
    if check and result.returncode != 0:
        raise AssertionError(f"{args} exited {result.returncode}:\n{result.stdout}{result.stderr}")
    return result


def tern_img(*args, check=True, cwd=None):
    return run(TERN_IMG, *args, check=check, cwd=cwd)


def qemu_img(*args, check=True):
    return run("qemu-img", *args, check=check)


def qemu_io(image, *commands, fmt="qcow2"):
    args = ["qemu-io", "-f", fmt]
    for command in commands:
        args += ["-c", command]
    result = run(*args, image)
    # qemu-io reports failed commands on stdout and still exits 0.
    assert "failed" not in result.stdout.lower() and "error" not in result.stdout.lower(), result.stdout
    return result


def qemu_info(image):
    return json.loads(qemu_img("info", "--output=json", image).stdout)


def qemu_check(image, fmt="qcow2"):
    """qemu-img check as JSON plus its exit status (0 clean, 2 corrupt, 3 leaks only)."""
    result = qemu_img("check", "--output=json", "-f", fmt, image, check=False)
    assert result.returncode in (0, 2, 3), result.stderr
    return result.returncode, json.loads(result.stdout)


def qemu_raw(image, out, fmt=None):
    """The image's contents, as qemu-img sees them, converted to a raw file."""
    args = ["convert", "-O", "raw"]
    if fmt:
        args += ["-f", fmt]
    qemu_img(*args, image, out)
    with open(out, "rb") as f:
        return f.read()


class ImageIO:
    """A tern_diskimage session on one image (image_io_for_test on a pipe)."""

    def __init__(self, image, fmt=None):
        args = [IMAGE_IO, str(image)]
        if fmt:
            args += ["--format", fmt]
        self.process = subprocess.Popen(args, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                        stderr=subprocess.PIPE)

    def _ok(self):
        line = self.process.stdout.readline()
        if line != b"ok\n":
            self.process.kill()
            raise AssertionError(f"image_io_for_test: {line!r} {self.process.stderr.read()!r}")

    def _send(self, text, payload=b""):
        self.process.stdin.write(text.encode() + b"\n" + payload)
        self.process.stdin.flush()

    def write(self, offset, data):
        self._send(f"w {offset} {len(data)}", data)
        self._ok()

    def read(self, offset, length):
        self._send(f"r {offset} {length}")
        data = self.process.stdout.read(length)
        if len(data) != length:
            raise AssertionError(f"short read: {self.process.stderr.read()!r}")
        return data

    def discard(self, offset, length):
        self._send(f"d {offset} {length}")
        self._ok()

    def known_zero(self, offset, length):
        self._send(f"z {offset} {length}")
        return self.process.stdout.readline() == b"1\n"

    def flush(self):
        self._send("f")
        self._ok()

    def resize(self, size):
        self._send(f"s {size}")
        self._ok()

    def close(self):
        self.process.stdin.close()
        rc = self.process.wait()
        err = self.process.stderr.read()
        assert rc == 0, err

    def __enter__(self):
        return self

    def __exit__(self, kind, value, traceback):
        if kind is None:
            self.close()
        else:
            self.process.kill()
            self.process.wait()


@pytest.fixture
def image_io():
    return ImageIO
