"""xapid with real clients: Debian's os_xenapi XenAPI.Session over HTTPS on port 443, and
Python's xmlrpc.client over HTTPS and over the Unix socket."""

import os
import ssl
import xmlrpc.client

import pytest
from os_xenapi.client import XenAPI

from conftest import error, unix_proxy, value


@pytest.fixture
def trusted(daemon, monkeypatch):
    # XenAPI.py verifies certificates with Python's default context: trust our certificate
    # instead of turning verification off.
    monkeypatch.setenv("SSL_CERT_FILE", daemon.certificate)
    return daemon


def test_xenapi_session_logs_in_over_https_with_a_local_account(trusted, local_account):
    name, password = local_account
    session = XenAPI.Session("https://127.0.0.1")
    session.xenapi.login_with_password(name, password, "2.1", "tern-tests")
    try:
        # The login discovered the version through pool.get_all -> get_master -> host.
        assert session.API_version == "2.0"
        host = session.xenapi.session.get_this_host(session.handle)
        record = session.xenapi.host.get_record(host)
        assert record["API_version_major"] == "2"
        assert record["API_version_vendor"] == "Tern"
        assert int(record["software_version"] and len(record["host_CPUs"])) >= 1
        me = session.xenapi.session.get_this_user(session.handle)
        assert session.xenapi.user.get_short_name(me) == name
        vms = session.xenapi.VM.get_all_records()
        dom0 = [r for r in vms.values() if r["is_control_domain"]]
        assert len(dom0) == 1
        assert dom0[0]["uuid"] == "00000000-0000-0000-0000-000000000000"
        assert dom0[0]["power_state"] == "Running"
        assert dom0[0]["domid"] == "0"
    finally:
        session.xenapi.session.logout()


def test_xenapi_session_refuses_a_wrong_password(trusted, local_account):
    name, _ = local_account
    session = XenAPI.Session("https://127.0.0.1")
    with pytest.raises(XenAPI.Failure) as failure:
        session.xenapi.login_with_password(name, "not-the-password")
    assert failure.value.details[0] == "SESSION_AUTHENTICATION_FAILED"
    assert failure.value.details[1] == name


def test_https_refuses_an_untrusted_certificate(daemon, monkeypatch):
    monkeypatch.delenv("SSL_CERT_FILE", raising=False)
    proxy = xmlrpc.client.ServerProxy("https://127.0.0.1/")
    with pytest.raises(ssl.SSLCertVerificationError):
        proxy.session.login_with_password("root", "")


def test_root_over_https_needs_the_password(trusted):
    proxy = xmlrpc.client.ServerProxy("https://127.0.0.1/",
                                      context=ssl.create_default_context(cafile=trusted.certificate))
    assert error(proxy.session.login_with_password("root", "wrong"))[0] == "SESSION_AUTHENTICATION_FAILED"


def test_local_root_needs_no_password_on_the_unix_socket(daemon):
    proxy = unix_proxy(daemon.socket)
    session = value(proxy.session.login_with_password("root", ""))
    assert session.startswith("OpaqueRef:")
    assert value(proxy.session.get_is_local_superuser(session, session)) is True
    value(proxy.session.logout(session))
    assert error(proxy.VM.get_all(session)) == ["SESSION_INVALID", session]


def test_dispatch_errors_carry_their_parameters(daemon):
    proxy, s = daemon.root()
    assert error(proxy.VM.no_such_message(s)) == ["MESSAGE_METHOD_UNKNOWN", "VM.no_such_message"]
    assert error(proxy.VM.get_record("OpaqueRef:nope", "x")) == ["SESSION_INVALID", "OpaqueRef:nope"]
    assert error(proxy.VM.get_record(s, "OpaqueRef:nope")) == ["HANDLE_INVALID", "VM", "OpaqueRef:nope"]
    assert error(proxy.VM.get_record(s)) == ["MESSAGE_PARAMETER_COUNT_MISMATCH", "VM.get_record", "1", "0"]
    assert error(proxy.VM.get_by_uuid(s, "0b0e5ae7-0000-4000-8000-000000000000")) == [
        "UUID_INVALID", "VM", "0b0e5ae7-0000-4000-8000-000000000000"]
    host = value(proxy.host.get_all(s))[0]
    # A host ref where a VM ref belongs is a bad handle, not a VM.
    assert error(proxy.VM.get_record(s, host)) == ["HANDLE_INVALID", "VM", host]
    assert error(proxy.VM.set_name_label(s, value(proxy.VM.get_all(s))[0], 42)) == [
        "FIELD_TYPE_ERROR", "value"]
    assert error(proxy.debug.return_failure(s)) == ["DEBUG_FAIL", s]


def test_vm_records_accept_what_clients_send_and_answer_in_xapi_form(daemon):
    proxy, s = daemon.root()
    vm = value(proxy.VM.create(s, {
        "name_label": "web", "memory_static_max": "1073741824", "memory_dynamic_max": 1073741824,
        "memory_dynamic_min": "536870912", "memory_static_min": 0, "VCPUs_max": "2",
        "VCPUs_at_startup": 1, "actions_after_crash": "PRESERVE", "power_state": "Running",
        "unknown_key_is_ignored": True}))
    record = value(proxy.VM.get_record(s, vm))
    assert record["power_state"] == "Halted"  # read-only: the server decides
    assert record["memory_static_max"] == "1073741824"  # 64-bit ints travel as strings
    assert record["actions_after_crash"] == "preserve"  # canonical enum spelling
    assert record["domid"] == "-1"
    assert record["VBDs"] == [] and record["other_config"] == {}
    assert value(proxy.VM.get_by_uuid(s, record["uuid"])) == vm
    assert value(proxy.VM.get_by_name_label(s, "web")) == [vm]
    metrics = record["metrics"]
    assert value(proxy.VM_metrics.get_record(s, metrics))["uuid"]
    value(proxy.VM.add_to_other_config(s, vm, "owner", "ops"))
    assert error(proxy.VM.add_to_other_config(s, vm, "owner", "dev")) == [
        "MAP_DUPLICATE_KEY", "VM", "other_config", record["uuid"], "owner"]
    value(proxy.VM.remove_from_other_config(s, vm, "owner"))
    value(proxy.VM.add_tags(s, vm, "blue"))
    value(proxy.VM.add_tags(s, vm, "blue"))
    assert value(proxy.VM.get_tags(s, vm)) == ["blue"]
    assert error(proxy.VM.set_power_state(s, vm, "Running"))[0] == "MESSAGE_METHOD_UNKNOWN"
    assert error(proxy.VM.set_actions_after_crash(s, vm, "explode")) == [
        "INVALID_VALUE", "value", "explode"]
    assert error(proxy.VM.create(s, {"name_label": "bad", "memory_static_min": "2",
                                     "memory_static_max": "1"}))[0] == "MEMORY_CONSTRAINT_VIOLATION"
    # The control domain cannot be destroyed; a halted VM can.
    dom0 = value(proxy.VM.get_by_uuid(s, "00000000-0000-0000-0000-000000000000"))
    assert error(proxy.VM.destroy(s, dom0))[0] == "OPERATION_NOT_ALLOWED"
    value(proxy.VM.destroy(s, vm))
    assert error(proxy.VM.get_record(s, vm)) == ["HANDLE_INVALID", "VM", vm]


def test_bound_fields_are_kept_on_both_ends(daemon):
    proxy, s = daemon.root()
    vm = value(proxy.VM.create(s, {"name_label": "b"}))
    net = value(proxy.network.create(s, {"name_label": "xenbr0"}))
    vif = value(proxy.VIF.create(s, {"VM": vm, "network": net, "device": "0"}))
    assert value(proxy.VM.get_VIFs(s, vm)) == [vif]
    assert value(proxy.network.get_VIFs(s, net)) == [vif]
    mac = value(proxy.VIF.get_MAC(s, vif))
    assert mac.startswith("00:16:3e:") and len(mac) == 17
    assert error(proxy.VIF.create(s, {"VM": "OpaqueRef:gone", "network": net})) == [
        "HANDLE_INVALID", "VM", "OpaqueRef:gone"]
    value(proxy.VIF.destroy(s, vif))
    assert value(proxy.VM.get_VIFs(s, vm)) == []
    assert value(proxy.network.get_VIFs(s, net)) == []


def test_async_calls_return_a_task_that_records_the_outcome(daemon):
    proxy, s = daemon.root()
    task = value(getattr(proxy, "Async.VM.create")(s, {"name_label": "from-a-task"}))
    for _ in range(200):
        record = value(proxy.task.get_record(s, task))
        if record["status"] != "pending":
            break
    assert record["status"] == "success", record
    assert record["progress"] == 1.0
    assert record["type"] == "VM"
    vm = value(proxy.VM.get_by_name_label(s, "from-a-task"))[0]
    assert record["result"] == f"<value>{vm}</value>"
    failed = value(getattr(proxy, "Async.VM.create")(s, {"name_label": "x", "memory_static_min": "9",
                                                        "memory_static_max": "1"}))
    for _ in range(200):
        record = value(proxy.task.get_record(s, failed))
        if record["status"] != "pending":
            break
    assert record["status"] == "failure"
    assert record["error_info"][0] == "MEMORY_CONSTRAINT_VIOLATION"
    assert error(getattr(proxy, "Async.VM.get_record")(s, vm)) == [
        "MESSAGE_METHOD_UNKNOWN", "Async.VM.get_record"]


def test_list_methods_names_the_whole_surface(daemon):
    proxy, s = daemon.root()
    methods = value(proxy.host.list_methods(s))
    for m in ("session.login_with_password", "VM.start", "VM.get_record", "pool.get_master",
              "VDI.create", "host.get_API_version_major", "event.next"):
        assert m in methods


def test_the_readme_example_client_lists_the_control_domain(daemon):
    import subprocess
    import sys
    from pathlib import Path
    example = Path(__file__).resolve().parents[3] / "scripts/xapi-example.py"
    done = subprocess.run([sys.executable, str(example), "--socket", daemon.socket],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "API 2.0 (Tern)" in done.stdout
    assert "Domain-0" in done.stdout and "Running" in done.stdout
