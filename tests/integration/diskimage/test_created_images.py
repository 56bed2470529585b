"""Images tern-img creates are valid for qemu-img: check passes, info reports what was asked."""
import pytest

from conftest import qemu_check, qemu_info, qemu_img, qemu_io, tern_img


@pytest.mark.parametrize("cluster_size", [512, 4096, 65536, 2 * 1024 * 1024])
@pytest.mark.parametrize("compat", ["0.10", "1.1"])
def test_created_qcow2_passes_qemu_check(tmp_path, cluster_size, compat):
    image = tmp_path / "disk.qcow2"
    tern_img("create", "-f", "qcow2", "-o", f"cluster_size={cluster_size},compat={compat}",
             image, "3G")
    rc, report = qemu_check(image)
    assert rc == 0, report
    info = qemu_info(image)
    assert info["format"] == "qcow2"
    assert info["virtual-size"] == 3 * 1024**3
    assert info["cluster-size"] == cluster_size
    assert info["format-specific"]["data"]["compat"] == compat


@pytest.mark.parametrize("refcount_bits", [1, 2, 8, 16, 32, 64])
def test_refcount_widths(tmp_path, refcount_bits):
    image = tmp_path / "disk.qcow2"
    tern_img("create", "-o", f"refcount_bits={refcount_bits},cluster_size=4096", image, "64M")
    assert qemu_check(image)[0] == 0
    assert qemu_info(image)["format-specific"]["data"]["refcount-bits"] == refcount_bits
    qemu_io(image, "write -P 0x5a 0 1M")
    assert qemu_check(image)[0] == 0


def test_created_raw_is_sparse_with_the_size(tmp_path):
    image = tmp_path / "disk.raw"
    tern_img("create", "-f", "raw", image, "1G")
    info = qemu_info(image)
    assert info["format"] == "raw"
    assert info["virtual-size"] == 1024**3
    assert info["actual-size"] < 1024 * 1024


def test_overlay_records_backing_file_and_format(tmp_path):
    base = tmp_path / "base.qcow2"
    overlay = tmp_path / "overlay.qcow2"
    tern_img("create", base, "100M")
    tern_img("snapshot", "base.qcow2", "overlay.qcow2", cwd=tmp_path)
    info = qemu_info(overlay)
    assert info["backing-filename"] == "base.qcow2"
    assert info["backing-filename-format"] == "qcow2"
    assert info["virtual-size"] == 100 * 1024**2
    assert qemu_check(overlay)[0] == 0
    ours = tern_img("info", "--json", overlay).stdout
    assert '"backing-filename": "base.qcow2"' in ours


def test_create_with_explicit_backing_options(tmp_path):
    base = tmp_path / "base.raw"
    tern_img("create", "-f", "raw", base, "10M")
    overlay = tmp_path / "overlay.qcow2"
    tern_img("create", "-f", "qcow2", "-b", "base.raw", "-F", "raw", overlay, "20M")
    info = qemu_info(overlay)
    assert info["backing-filename-format"] == "raw"
    assert info["virtual-size"] == 20 * 1024**2


def test_lazy_refcounts_image_is_clean_after_close(tmp_path):
    image = tmp_path / "lazy.qcow2"
    tern_img("create", "-o", "lazy_refcounts=on", image, "64M")
    info = qemu_info(image)
    assert info["format-specific"]["data"]["lazy-refcounts"] is True
    assert info["dirty-flag"] is False
    assert qemu_check(image)[0] == 0


def test_resize_grows_and_stays_valid(tmp_path):
    image = tmp_path / "disk.qcow2"
    tern_img("create", "-o", "cluster_size=512", image, "1M")
    qemu_io(image, "write -P 0x33 0 1M")
    tern_img("resize", image, "+3G")
    assert qemu_info(image)["virtual-size"] == 1024**2 + 3 * 1024**3
    assert qemu_check(image)[0] == 0
    qemu_io(image, "read -P 0x33 0 1M", "write -P 0x44 3G 1M", "read -P 0x44 3G 1M")
    assert qemu_check(image)[0] == 0


def test_info_reads_what_qemu_reports(tmp_path):
    image = tmp_path / "q.qcow2"
    qemu_img("create", "-f", "qcow2", "-o", "cluster_size=8192", image, "5G")
    ours = tern_img("info", image).stdout
    assert "file format: qcow2" in ours
    assert "(5368709120 bytes)" in ours
    assert "cluster_size: 8192" in ours


def test_errors_name_the_file(tmp_path):
    junk = tmp_path / "junk.qcow2"
    junk.write_bytes(b"QFI\xfb" + b"\xff" * 200)
    result = tern_img("info", "-f", "qcow2", junk, check=False)
    assert result.returncode == 1
    assert "junk.qcow2" in result.stderr
    missing = tern_img("info", tmp_path / "missing.qcow2", check=False)
    assert missing.returncode == 1 and "missing.qcow2" in missing.stderr


def test_snapshot_records_the_base_relative_to_the_overlay(tmp_path):
    (tmp_path / "images").mkdir()
    (tmp_path / "snaps").mkdir()
    tern_img("create", tmp_path / "images" / "base.qcow2", "1M")
    # Named relative to the working directory, recorded relative to the overlay's folder.
    tern_img("snapshot", "images/base.qcow2", "snaps/top.qcow2", cwd=tmp_path)
    info = qemu_info(tmp_path / "snaps" / "top.qcow2")
    assert info["backing-filename"] == "../images/base.qcow2"
    assert qemu_check(tmp_path / "snaps" / "top.qcow2")[0] == 0


def test_odd_sizes_round_up_to_whole_sectors_as_qemu_does(tmp_path):
    image = tmp_path / "odd.qcow2"
    tern_img("create", image, "1000001")
    assert qemu_info(image)["virtual-size"] == 1000448
    qemu_io(image, "write -P 9 1000000 448", "read -P 9 1000000 448")
    tern_img("resize", image, "2000001")
    assert qemu_info(image)["virtual-size"] == 2000384
    assert qemu_check(image)[0] == 0
