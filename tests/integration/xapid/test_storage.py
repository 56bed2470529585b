"""Storage through the real daemon and real clients: the local file SR, VDIs made, cloned,
snapshotted and copied (as an Async task) by Debian's XenAPI.py over HTTPS, raw disk import
with an HTTP PUT (curl) and export back byte for byte, SR.scan after the database is lost,
SRs created, forgotten, introduced and plugged again, and the error cases."""

import os
import ssl
import subprocess
import time
import http.client
import urllib.parse
from pathlib import Path

import pytest
from os_xenapi.client import XenAPI

from conftest import Daemon, error, value

MiB = 1 << 20


@pytest.fixture
def trusted(daemon, monkeypatch):
    monkeypatch.setenv("SSL_CERT_FILE", daemon.certificate)
    return daemon


def default_sr(proxy, s):
    pool = value(proxy.pool.get_all(s))[0]
    return value(proxy.pool.get_default_SR(s, pool))


def make_vdi(proxy, s, sr, size, name="disk", **extra):
    record = {"SR": sr, "virtual_size": str(size), "name_label": name, "type": "user",
              "sharable": False, "read_only": False, "other_config": {}}
    record.update(extra)
    return value(proxy.VDI.create(s, record))


def https(daemon, method, target, body=None, headers=None):
    """One HTTPS request to the daemon; returns (status, body bytes)."""
    context = ssl.create_default_context(cafile=daemon.certificate)
    connection = http.client.HTTPSConnection("127.0.0.1", 443, context=context, timeout=60)
    try:
        connection.request(method, target, body=body, headers=headers or {})
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


def transfer(kind, session, vdi):
    return f"/{kind}_raw_vdi?" + urllib.parse.urlencode({"session_id": session, "vdi": vdi})


def test_the_local_sr_is_there_and_attached(daemon):
    proxy, s = daemon.root()
    sr = default_sr(proxy, s)
    record = value(proxy.SR.get_record(s, sr))
    assert record["type"] == "file"
    assert int(record["physical_size"]) > 0
    assert value(proxy.SR.get_supported_types(s)) == ["file"]
    pbd = value(proxy.PBD.get_record(s, record["PBDs"][0]))
    assert pbd["currently_attached"] is True
    assert Path(pbd["device_config"]["path"]) == daemon.state_dir / "storage"


def test_xenapi_py_makes_clones_snapshots_and_copies_over_https(trusted, local_account):
    name, password = local_account
    session = XenAPI.Session("https://127.0.0.1")
    session.xenapi.login_with_password(name, password, "2.1", "tern-tests")
    x = session.xenapi
    try:
        pool = x.pool.get_all()[0]
        sr = x.pool.get_default_SR(pool)
        vdi = x.VDI.create({"SR": sr, "virtual_size": str(32 * MiB), "name_label": "data",
                            "type": "user", "sharable": False, "read_only": False,
                            "other_config": {"purpose": "test"}})
        record = x.VDI.get_record(vdi)
        assert record["virtual_size"] == str(32 * MiB)
        assert Path(record["location"]).exists()
        assert int(record["physical_utilisation"]) < 32 * MiB  # thin
        assert int(x.SR.get_virtual_allocation(sr)) >= 32 * MiB

        snap = x.VDI.snapshot(vdi, {})
        assert x.VDI.get_is_a_snapshot(snap) is True
        assert x.VDI.get_snapshot_of(snap) == vdi
        assert x.VDI.get_snapshots(vdi) == [snap]
        clone = x.VDI.clone(vdi, {})
        assert x.VDI.get_parent(clone) == vdi
        assert x.VDI.get_other_config(clone) == {"purpose": "test"}

        task = x.Async.VDI.copy(vdi, sr)
        while x.task.get_status(task) == "pending":
            time.sleep(0.05)
        assert x.task.get_status(task) == "success", x.task.get_error_info(task)
        assert float(x.task.get_progress(task)) == 1.0
        copy = x.task.get_result(task).replace("<value>", "").replace("</value>", "")
        assert x.VDI.get_SR(copy) == sr
        assert x.VDI.get_virtual_size(copy) == str(32 * MiB)
        assert x.VDI.get_parent(copy) == "OpaqueRef:NULL"

        x.VDI.resize(clone, str(64 * MiB))
        assert x.VDI.get_virtual_size(clone) == str(64 * MiB)
        with pytest.raises(XenAPI.Failure) as failure:
            x.VDI.resize(snap, str(64 * MiB))
        assert failure.value.details == ["VDI_READONLY", snap]

        for v in (snap, clone, copy, vdi):
            x.VDI.destroy(v)
        assert not Path(record["location"]).exists()
    finally:
        session.xenapi.session.logout()


def test_import_with_curl_and_export_byte_for_byte(trusted, local_account, tmp_path):
    proxy, s = trusted.root()
    vdi = make_vdi(proxy, s, default_sr(proxy, s), 16 * MiB)
    data = os.urandom(5 * MiB + 123)
    upload = tmp_path / "disk.raw"
    upload.write_bytes(data)
    url = "https://127.0.0.1" + transfer("import", s, vdi)
    done = subprocess.run(["curl", "-sS", "--cacert", trusted.certificate, "-T", str(upload),
                           "-w", "%{http_code}", url], capture_output=True, text=True, check=True)
    assert done.stdout.endswith("200"), done.stdout + done.stderr

    status, body = https(trusted, "GET", transfer("export", s, vdi))
    assert status == 200
    assert len(body) == 16 * MiB
    assert body[:len(data)] == data
    assert body[len(data):] == bytes(16 * MiB - len(data))
    assert int(value(proxy.VDI.get_physical_utilisation(s, vdi))) >= 5 * MiB

    # HTTP Basic authorization works as well as a session.
    name, password = local_account
    done = subprocess.run(["curl", "-sS", "--cacert", trusted.certificate, "-u",
                           f"{name}:{password}", "-o", str(tmp_path / "out.raw"),
                           "https://127.0.0.1/export_raw_vdi?vdi=" + vdi],
                          capture_output=True, check=True)
    assert (tmp_path / "out.raw").read_bytes()[:len(data)] == data


def test_transfer_errors_are_http_statuses_with_the_xenapi_error(trusted):
    proxy, s = trusted.root()
    sr = default_sr(proxy, s)
    vdi = make_vdi(proxy, s, sr, MiB)
    status, body = https(trusted, "GET", transfer("export", "OpaqueRef:nobody", vdi))
    assert status == 401 and b"SESSION_INVALID" in body
    status, body = https(trusted, "GET", transfer("export", s, "OpaqueRef:none"))
    assert status == 404 and b"HANDLE_INVALID" in body
    status, body = https(trusted, "PUT", transfer("import", s, vdi), body=bytes(2 * MiB))
    assert status == 400 and b"VALUE_NOT_SUPPORTED" in body
    value(proxy.VDI.set_read_only(s, vdi, True))
    status, body = https(trusted, "PUT", transfer("import", s, vdi), body=b"x" * 512)
    assert status == 403 and b"VDI_READONLY" in body
    status, _ = https(trusted, "POST", transfer("import", s, vdi), body=b"x")
    assert status == 405
    # The connection pool is fine afterwards: ordinary calls still work.
    assert value(proxy.VDI.get_read_only(s, vdi)) is True


def test_scan_finds_the_disks_after_the_database_is_lost(tmp_path):
    d = Daemon(tmp_path)
    d.mark()
    d.start(https=None)
    try:
        proxy, s = d.root()
        sr = default_sr(proxy, s)
        sr_uuid = value(proxy.SR.get_uuid(s, sr))
        vdi = make_vdi(proxy, s, sr, 4 * MiB, name="precious")
        value(proxy.VDI.set_name_description(s, vdi, "survives"))
        uuid = value(proxy.VDI.get_uuid(s, vdi))
        snap = value(proxy.VDI.snapshot(s, vdi, {}))
        snap_uuid = value(proxy.VDI.get_uuid(s, snap))
        d.stop()
        for db in tmp_path.glob("xapi.db*"):
            db.unlink()
        d.mark()
        d.start(https=None)
        proxy, s = d.root()
        sr = default_sr(proxy, s)
        assert value(proxy.SR.get_uuid(s, sr)) == sr_uuid
        back = value(proxy.VDI.get_by_uuid(s, uuid))
        assert value(proxy.VDI.get_name_label(s, back)) == "precious"
        assert value(proxy.VDI.get_name_description(s, back)) == "survives"
        snap_back = value(proxy.VDI.get_by_uuid(s, snap_uuid))
        assert value(proxy.VDI.get_snapshot_of(s, snap_back)) == back
        # Scanning again changes nothing: the records and the files agree.
        value(proxy.SR.scan(s, sr))
        assert value(proxy.VDI.get_by_uuid(s, uuid)) == back
        assert value(proxy.VDI.get_missing(s, back)) is False
    finally:
        d.stop()


def test_srs_are_created_forgotten_introduced_and_destroyed(daemon, tmp_path):
    proxy, s = daemon.root()
    host = value(proxy.host.get_all(s))[0]
    where = tmp_path / "second-sr"
    sr = value(proxy.SR.create(s, host, {"path": str(where)}, "0", "second", "", "file", "user",
                               False, {}))
    uuid = value(proxy.SR.get_uuid(s, sr))
    vdi_uuid = value(proxy.VDI.get_uuid(s, make_vdi(proxy, s, sr, MiB, name="kept")))
    assert error(proxy.SR.create(s, host, {}, "0", "x", "", "lvm", "user", False, {})) == \
        ["SR_UNKNOWN_DRIVER", "lvm"]

    value(proxy.SR.forget(s, sr))
    assert (where / f"{vdi_uuid}.qcow2").exists()
    assert error(proxy.VDI.get_by_uuid(s, vdi_uuid))[0] == "UUID_INVALID"

    again = value(proxy.SR.introduce(s, uuid, "second", "", "file", "user", False, {}))
    assert error(proxy.SR.scan(s, again)) == ["SR_HAS_NO_PBDS", again]
    assert error(proxy.VDI.create(s, {"SR": again, "virtual_size": str(MiB)}))[0] == \
        "SR_HAS_NO_PBDS"
    pbd = value(proxy.PBD.create(s, {"host": host, "SR": again,
                                     "device_config": {"path": str(where)}}))
    assert error(proxy.SR.scan(s, again)) == ["SR_NOT_ATTACHED", again]
    value(proxy.PBD.plug(s, pbd))
    kept = value(proxy.VDI.get_by_uuid(s, vdi_uuid))
    assert value(proxy.VDI.get_name_label(s, kept)) == "kept"

    value(proxy.SR.destroy(s, again))
    assert not where.exists()
    assert error(proxy.VDI.get_uuid(s, kept))[0] == "HANDLE_INVALID"


def test_a_disk_of_a_running_vm_is_in_use(daemon):
    proxy, s = daemon.root()
    sr = default_sr(proxy, s)
    m = str(256 * MiB)
    template = value(proxy.VM.create(s, {
        "name_label": "with-disk", "is_a_template": True,
        "memory_static_min": m, "memory_dynamic_min": m, "memory_dynamic_max": m,
        "memory_static_max": m, "VCPUs_max": "1", "VCPUs_at_startup": "1",
        "PV_kernel": "/boot/vmlinuz",
        "other_config": {"disks": '<provision><disk device="0" size="8388608" sr="" '
                                  'bootable="true" type="system"/></provision>'}}))
    vm = value(proxy.VM.clone(s, template, "guest"))
    value(proxy.VM.provision(s, vm))
    value(proxy.VM.set_is_a_template(s, vm, False))
    vbd = value(proxy.VM.get_VBDs(s, vm))[0]
    vdi = value(proxy.VBD.get_VDI(s, vbd))
    assert value(proxy.VDI.get_SR(s, vdi)) == sr
    assert value(proxy.VDI.get_virtual_size(s, vdi)) == str(8 * MiB)

    value(proxy.VM.start(s, vm, False, False))
    assert error(proxy.VDI.destroy(s, vdi)) == ["VDI_IN_USE", vdi, "destroy"]
    assert error(proxy.VDI.resize(s, vdi, str(16 * MiB)))[0] == "VDI_IN_USE"
    assert error(proxy.SR.forget(s, sr))[0] == "VDI_IN_USE"
    status, body = https(daemon, "PUT", transfer("import", s, vdi), body=b"x" * 512)
    assert status == 409 and b"VDI_IN_USE" in body
    value(proxy.VM.hard_shutdown(s, vm))
    value(proxy.VDI.resize(s, vdi, str(16 * MiB)))
