"""The Python binding against a live xapid (sim backend): the XenAPI.py interface over the
Unix socket, HTTPS (verified, pinned, unverified) and the ssh transport (a fake ssh on PATH),
typed failures, Async tasks, events, one kept-alive connection, and threads sharing a
Session."""

import hashlib
import ssl
import threading
import time

import pytest

import XenAPI

pytestmark = pytest.mark.live

MiB = 1 << 20


def login_root(url, **options):
    session = XenAPI.Session(url, **options)
    session.xenapi.login_with_password("root", "", "2.1", "python-tests")
    return session


def test_the_xenapi_py_interface_over_the_unix_socket(daemon):
    session = login_root("unix://" + daemon.socket)
    x = session.xenapi
    assert session.handle.startswith("OpaqueRef:")
    host = x.session.get_this_host(session.handle)
    record = x.host.get_record(host)
    assert record["API_version_vendor"] == "Tern"
    assert x.host.get_API_version_major(host) == record["API_version_major"]
    vms = x.VM.get_all()
    assert vms and all(v.startswith("OpaqueRef:") for v in vms)
    records = x.VM.get_all_records()
    assert set(records) == set(vms)
    dom0 = next(v for v, r in records.items() if r["is_control_domain"])
    assert x.VM.get_by_uuid(records[dom0]["uuid"]) == dom0
    # xenapi_request and the plain-name fallback of XenAPI.py reach the same messages.
    assert session.xenapi_request("VM.get_all", ()) == vms
    x.logout()
    assert session.handle is None


def test_a_bare_path_is_the_unix_socket_and_ints_go_as_strings(daemon):
    session = login_root(daemon.socket)
    x = session.xenapi
    m = 256 * MiB
    vm = x.VM.create({"name_label": "typed", "memory_static_min": m, "memory_dynamic_min": m,
                      "memory_dynamic_max": m, "memory_static_max": m, "VCPUs_max": 2,
                      "VCPUs_at_startup": 1})
    x.VM.set_VCPUs_at_startup(vm, 2)
    record: XenAPI.VMRecord = x.VM.get_record(vm)
    assert (record["memory_static_max"], record["VCPUs_at_startup"]) == (str(m), "2")
    x.VM.add_to_other_config(vm, "purpose", "test")
    assert x.VM.get_other_config(vm) == {"purpose": "test"}
    x.VM.destroy(vm)
    session.xenapi.logout()


def test_failures_are_typed_per_code_and_still_failures(daemon):
    session = login_root(daemon.socket)
    x = session.xenapi
    with pytest.raises(XenAPI.HANDLE_INVALID) as caught:
        x.VM.get_record("OpaqueRef:nothing")
    assert isinstance(caught.value, XenAPI.Failure)
    assert caught.value.details == ["HANDLE_INVALID", "VM", "OpaqueRef:nothing"]
    assert caught.value.class_ == "VM" and caught.value.handle == "OpaqueRef:nothing"
    m = str(256 * MiB)
    vm = x.VM.create({"name_label": "halted", "memory_static_min": m, "memory_dynamic_min": m,
                      "memory_dynamic_max": m, "memory_static_max": m})
    with pytest.raises(XenAPI.VM_BAD_POWER_STATE) as caught:
        x.VM.pause(vm)
    assert (caught.value.vm, caught.value.expected, caught.value.actual) == (
        vm, "Running", "Halted")
    # A message the schema does not know goes to the server, which refuses it.
    with pytest.raises(XenAPI.Failure) as caught:
        x.VM.no_such_message(vm)
    assert caught.value.code == "MESSAGE_METHOD_UNKNOWN"
    x.logout()


def test_async_calls_give_tasks_and_event_from_sees_them(daemon):
    session = login_root(daemon.socket)
    x = session.xenapi
    m = str(256 * MiB)
    vm = x.VM.create({"name_label": "async", "memory_static_min": m, "memory_dynamic_min": m,
                      "memory_dynamic_max": m, "memory_static_max": m})
    token = getattr(x.event, "from")([f"VM/{vm}"], "", 0.0)["token"]
    task = x.Async.VM.start(vm, False, False)
    assert task.startswith("OpaqueRef:")
    seen = []
    while "Running" not in seen:
        answer = x.event.from_([f"VM/{vm}"], token, 10.0)
        token = answer["token"]
        seen += [e["snapshot"]["power_state"] for e in answer["events"] if e["ref"] == vm]
    while x.task.get_status(task) == "pending":
        token = getattr(x.event, "from")([f"task/{task}"], token, 10.0)["token"]
    assert x.task.get_record(task)["name_label"] == "Async.VM.start"
    assert x.task.get_status(task) == "success"
    x.VM.hard_shutdown(vm)
    x.logout()


def test_https_verifies_the_certificate_by_default(daemon, local_account):
    name, password = local_account
    session = XenAPI.Session(daemon.https_url)
    with pytest.raises(ssl.SSLCertVerificationError):
        session.xenapi.login_with_password(name, password, "2.1", "python-tests")
    trusted = XenAPI.Session(daemon.https_url, cafile=daemon.certificate)
    trusted.xenapi.login_with_password(name, password, "2.1", "python-tests")
    assert trusted.xenapi.VM.get_all()
    trusted.xenapi.logout()
    with pytest.raises(XenAPI.SESSION_AUTHENTICATION_FAILED):
        trusted.xenapi.login_with_password(name, "wrong", "2.1", "python-tests")


def test_https_pins_a_fingerprint_or_turns_checking_off(daemon, local_account):
    name, password = local_account
    der = ssl.PEM_cert_to_DER_cert(open(daemon.certificate).read().split(
        "-----END CERTIFICATE-----")[0] + "-----END CERTIFICATE-----\n")
    digest = hashlib.sha256(der).hexdigest().upper()
    colons = ":".join(digest[i:i + 2] for i in range(0, 64, 2))
    pinned = XenAPI.Session(daemon.https_url, fingerprint=f"sha256:{colons}")
    pinned.xenapi.login_with_password(name, password, "2.1", "python-tests")
    assert pinned.xenapi.pool.get_all()
    pinned.xenapi.logout()
    wrong = XenAPI.Session(daemon.https_url, fingerprint="sha256:" + "00" * 32)
    with pytest.raises(ssl.SSLCertVerificationError):
        wrong.xenapi.login_with_password(name, password, "2.1", "python-tests")
    for unverified in (XenAPI.Session(daemon.https_url, verify=False),
                       XenAPI.Session(daemon.https_url, ignore_ssl=True)):
        unverified.xenapi.login_with_password(name, password, "2.1", "python-tests")
        unverified.xenapi.logout()


def test_one_connection_serves_every_call(daemon):
    session = login_root("unix://" + daemon.socket)
    x = session.xenapi
    x.VM.get_all()
    connection = session._channel._connection
    sock = connection.sock
    for _ in range(20):
        x.pool.get_all()
    assert session._channel._connection is connection and connection.sock is sock
    x.logout()


def test_a_connection_the_server_closed_while_idle_is_reopened(impatient_daemon):
    session = login_root("unix://" + impatient_daemon.socket)
    x = session.xenapi
    first = session._channel._connection
    time.sleep(1.5)  # past the daemon's --idle-timeout 1: it closes the connection
    assert x.VM.get_all()
    assert session._channel._connection is not first
    x.logout()


def test_threads_share_one_session(daemon):
    session = login_root("unix://" + daemon.socket)
    x = session.xenapi
    expected = x.VM.get_all()
    results, errors = [], []

    def work():
        try:
            for _ in range(25):
                results.append(x.VM.get_all())
                x.host.get_all_records()
        except Exception as e:  # noqa: BLE001 - the test reports whatever a thread hit
            errors.append(e)

    threads = [threading.Thread(target=work) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert len(results) == 200 and all(r == expected for r in results)
    x.logout()


def test_the_ssh_transport_runs_xapid_stdio_over_ssh(daemon, fake_ssh):
    session = XenAPI.Session("ssh://root@tern-host:2222")
    x = session.xenapi
    x.login_with_password("root", "", "2.1", "python-tests")
    vms = x.VM.get_all()
    assert vms
    m = str(256 * MiB)
    vm = x.VM.create({"name_label": "over-ssh", "memory_static_min": m,
                      "memory_dynamic_min": m, "memory_dynamic_max": m, "memory_static_max": m})
    assert x.VM.get_name_label(vm) == "over-ssh"
    with pytest.raises(XenAPI.VM_BAD_POWER_STATE):
        x.VM.unpause(vm)
    x.logout()
    session.close()
    # One ssh process carried every call (a persistent pipe), with the port and target asked.
    assert (fake_ssh / "ssh-args").read_text().splitlines() == [
        "-p 2222 root@tern-host xapid --stdio"]


def test_the_session_is_a_context_manager_that_logs_out(daemon):
    with XenAPI.Session(daemon.socket) as session:
        session.xenapi.login_with_password("root", "", "2.1", "python-tests")
        handle = session.handle
    with XenAPI.Session(daemon.socket) as other:
        other.xenapi.login_with_password("root", "", "2.1", "python-tests")
        with pytest.raises(XenAPI.HANDLE_INVALID) as caught:
            other.xenapi_request("session.get_uuid", (handle,))
        assert caught.value.params == ["session", handle]
