"""VM life-cycle on the sim backend, through the real daemon and real clients: a VM made from
a template walks through every transition with its error cases, event.from watches it, Async
calls give tasks with progress, results and cancel, guests stop by themselves, and a restart of
the daemon reconciles every VM with what the backend runs."""

import signal
import threading
import time

import pytest
from os_xenapi.client import XenAPI

from conftest import Daemon, error, unix_proxy, value

MiB = 1 << 20


def event_from(proxy, session, classes, token, timeout):
    # `from` is a Python keyword: reach the method by name.
    return value(getattr(proxy.event, "from")(session, classes, token, timeout))


@pytest.fixture
def sim(tmp_path):
    """A daemon on a sim host of 4 GiB and 4 CPUs whose domain operations take 200 ms."""
    d = Daemon(tmp_path, extra=["--sim-host-memory", "4096", "--sim-host-cpus", "4",
                                "--sim-latency", "200", "--metrics-interval", "100"])
    d.mark()
    d.start(https=None)
    yield d
    d.stop()


def make_template(proxy, s, memory_mib=256):
    m = str(memory_mib * MiB)
    return value(proxy.VM.create(s, {
        "name_label": "debian-template", "is_a_template": True,
        "memory_static_min": m, "memory_dynamic_min": m, "memory_dynamic_max": m,
        "memory_static_max": m, "VCPUs_max": "2", "VCPUs_at_startup": "1",
        "PV_kernel": "/boot/vmlinuz", "PV_args": "console=hvc0",
        "actions_after_reboot": "restart", "actions_after_shutdown": "destroy",
    }))


def vm_from_template(proxy, s, name="guest"):
    template = make_template(proxy, s)
    vm = value(proxy.VM.clone(s, template, name))
    value(proxy.VM.provision(s, vm))
    value(proxy.VM.set_is_a_template(s, vm, False))
    return vm


def wait_vm(proxy, s, vm, predicate):
    """Waits, with event.from on the VM, until its record satisfies `predicate`."""
    token = event_from(proxy, s, [f"VM/{vm}"], "", 0)["token"]
    while not predicate(value(proxy.VM.get_record(s, vm))):
        token = event_from(proxy, s, [f"VM/{vm}"], token, 30.0)["token"]


def wait_task(proxy, s, task):
    """Waits for the task with event.from on task/<ref>, as xapi's clients do."""
    token = event_from(proxy, s, [f"task/{task}"], "", 0)["token"]
    while True:
        record = value(proxy.task.get_record(s, task))
        if record["status"] not in ("pending", "cancelling"):
            return record
        token = event_from(proxy, s, [f"task/{task}"], token, 30.0)["token"]


def test_a_vm_from_a_template_walks_through_every_transition(sim):
    proxy, s = sim.root()
    template = make_template(proxy, s)
    assert error(proxy.VM.start(s, template, False)) == ["VM_IS_TEMPLATE", template, "start"]
    vm = vm_from_template(proxy, s)
    assert value(proxy.VM.get_name_label(s, vm)) == "guest"

    # A NIC on a bridge and an empty CD drive.
    net = value(proxy.network.create(s, {"name_label": "lan", "bridge": "xenbr0"}))
    vif = value(proxy.VIF.create(s, {"VM": vm, "network": net, "device": "0", "MTU": "1500"}))
    assert value(proxy.VIF.get_MAC(s, vif)).startswith("00:16:3e:")
    cd = value(proxy.VBD.create(s, {"VM": vm, "VDI": "OpaqueRef:NULL", "userdevice": "3",
                                    "type": "CD", "mode": "RO", "empty": True}))

    assert sorted(value(proxy.VM.get_allowed_operations(s, vm))) == sorted(
        ["start", "clone", "copy", "provision", "destroy", "migrate_send"])
    for wrong in ("pause", "unpause", "clean_shutdown", "clean_reboot", "suspend", "hard_reboot"):
        assert error(getattr(proxy.VM, wrong)(s, vm))[:2] == ["VM_BAD_POWER_STATE", vm], wrong
    assert error(proxy.VM.resume(s, vm, False)) == ["VM_BAD_POWER_STATE", vm, "Suspended", "Halted"]

    # Start, and watch event.from see it.
    token = event_from(proxy, s, ["vm"], "", 0)["token"]
    value(proxy.VM.start(s, vm, False))
    seen = []
    while "Running" not in seen:
        answer = event_from(proxy, s, ["vm"], token, 10.0)
        token = answer["token"]
        seen += [e["snapshot"]["power_state"] for e in answer["events"] if e["ref"] == vm]
    record = value(proxy.VM.get_record(s, vm))
    assert record["power_state"] == "Running"
    first_domid = int(record["domid"])
    assert first_domid > 0
    assert value(proxy.VIF.get_currently_attached(s, vif)) is True
    assert value(proxy.VBD.get_currently_attached(s, cd)) is True
    metrics = value(proxy.VM_metrics.get_record(s, record["metrics"]))
    assert int(metrics["memory_actual"]) == 256 * MiB
    assert metrics["VCPUs_number"] == "1"
    host = value(proxy.session.get_this_host(s, s))
    host_metrics = value(proxy.host_metrics.get_record(s, value(proxy.host.get_metrics(s, host))))
    assert int(host_metrics["memory_total"]) == 4096 * MiB
    assert int(host_metrics["memory_free"]) == (4096 - 256) * MiB
    assert error(proxy.VM.start(s, vm, False)) == ["VM_BAD_POWER_STATE", vm, "Halted", "Running"]
    assert error(proxy.VM.destroy(s, vm))[0] == "VM_BAD_POWER_STATE"

    value(proxy.VM.pause(s, vm))
    assert value(proxy.VM.get_power_state(s, vm)) == "Paused"
    assert error(proxy.VM.suspend(s, vm)) == ["VM_BAD_POWER_STATE", vm, "Running", "Paused"]
    value(proxy.VM.unpause(s, vm))
    value(proxy.VM.suspend(s, vm))
    assert value(proxy.VM.get_power_state(s, vm)) == "Suspended"
    assert value(proxy.VM.get_domid(s, vm)) == "-1"
    value(proxy.VM.resume(s, vm, True))
    assert value(proxy.VM.get_power_state(s, vm)) == "Paused"
    value(proxy.VM.unpause(s, vm))

    # The guest reboots itself: actions_after_reboot=restart gives it a new domain.
    before = int(value(proxy.VM.get_domid(s, vm)))
    value(proxy.debug.sim_guest_exit(s, vm, "reboot"))
    wait_vm(proxy, s, vm, lambda r: int(r["domid"]) not in (before, -1))
    assert int(value(proxy.VM.get_domid(s, vm))) > before
    assert value(proxy.VM.get_power_state(s, vm)) == "Running"

    value(proxy.VM.clean_reboot(s, vm))
    value(proxy.VM.hard_reboot(s, vm))
    assert value(proxy.VM.get_power_state(s, vm)) == "Running"
    value(proxy.VM.clean_shutdown(s, vm))
    assert value(proxy.VM.get_power_state(s, vm)) == "Halted"
    assert value(proxy.VIF.get_currently_attached(s, vif)) is False
    value(proxy.VM.destroy(s, vm))
    assert error(proxy.VM.get_record(s, vm)) == ["HANDLE_INVALID", "VM", vm]
    assert error(proxy.VIF.get_record(s, vif))[0] == "HANDLE_INVALID"


def test_the_guest_powers_off_by_itself(sim):
    proxy, s = sim.root()
    vm = vm_from_template(proxy, s)
    value(proxy.VM.start(s, vm, False))
    token = event_from(proxy, s, [f"VM/{vm}"], "", 0)["token"]
    value(proxy.debug.sim_guest_exit(s, vm, "poweroff"))
    states = []
    while "Halted" not in states:
        answer = event_from(proxy, s, [f"VM/{vm}"], token, 10.0)
        token = answer["token"]
        states += [e["snapshot"]["power_state"] for e in answer["events"]]
    assert value(proxy.VM.get_domid(s, vm)) == "-1"


def test_memory_that_does_not_fit_is_refused(sim):
    proxy, s = sim.root()
    big = str(5000 * MiB)
    vm = value(proxy.VM.create(s, {"name_label": "big", "memory_static_min": big,
                                   "memory_dynamic_min": big, "memory_dynamic_max": big,
                                   "memory_static_max": big}))
    assert error(proxy.VM.start(s, vm, False)) == [
        "HOST_NOT_ENOUGH_FREE_MEMORY", str(5000 * MiB), str(4096 * MiB)]
    assert value(proxy.VM.get_power_state(s, vm)) == "Halted"


def test_create_checks_the_memory_order_and_vcpus(sim):
    proxy, s = sim.root()
    assert error(proxy.VM.create(s, {"name_label": "x", "memory_static_min": "2",
                                     "memory_dynamic_min": "1"}))[0] == "MEMORY_CONSTRAINT_VIOLATION"
    assert error(proxy.VM.create(s, {"name_label": "x", "VCPUs_max": "1",
                                     "VCPUs_at_startup": "2"}))[:2] == ["VALUE_NOT_SUPPORTED",
                                                                       "VCPUs_at_startup"]


def test_async_tasks_report_progress_results_and_conflicts(sim):
    proxy, s = sim.root()
    vm = vm_from_template(proxy, s)
    value(proxy.debug.sim_set_latency(s, "build", "2000"))
    task = value(proxy.Async.VM.start(s, vm, False))
    assert task.startswith("OpaqueRef:")
    # The VM is claimed before the task is answered (the build then takes 2 s): a second
    # operation meanwhile is refused.
    assert error(proxy.VM.hard_shutdown(s, vm)) == [
        "OTHER_OPERATION_IN_PROGRESS", "VM", vm, "start", task]
    assert value(proxy.VM.get_current_operations(s, vm)) == {task: "start"}
    assert value(proxy.VM.get_allowed_operations(s, vm)) == []
    record = wait_task(proxy, s, task)
    assert record["status"] == "success"
    assert record["progress"] == 1.0
    assert record["result"] == "<value></value>"
    assert record["name_label"] == "Async.VM.start"
    assert value(proxy.VM.get_current_operations(s, vm)) == {}

    clone_task = value(proxy.Async.VM.clone(s, make_template(proxy, s), "from-async"))
    record = wait_task(proxy, s, clone_task)
    assert record["status"] == "success"
    assert record["type"] == "VM"
    new_vm = record["result"].replace("<value>", "").replace("</value>", "")
    assert value(proxy.VM.get_name_label(s, new_vm)) == "from-async"

    # A call in the wrong state fails its task before the task is answered.
    failed = value(proxy.task.get_record(s, value(proxy.Async.VM.unpause(s, vm))))
    assert failed["status"] == "failure"
    assert failed["error_info"] == ["VM_BAD_POWER_STATE", vm, "Paused", "Running"]


def test_a_cancelled_start_leaves_the_vm_halted(sim):
    proxy, s = sim.root()
    vm = vm_from_template(proxy, s)
    value(proxy.debug.sim_set_latency(s, "build", "20000"))
    task = value(proxy.Async.VM.start(s, vm, False))
    assert value(proxy.task.get_allowed_operations(s, task)) == ["cancel"]
    value(proxy.task.cancel(s, task))
    record = wait_task(proxy, s, task)
    assert record["status"] == "cancelled"
    assert record["error_info"] == ["TASK_CANCELLED", task]
    assert value(proxy.VM.get_power_state(s, vm)) == "Halted"
    assert "start" in value(proxy.VM.get_allowed_operations(s, vm))
    assert error(proxy.task.cancel(s, task))[0] == "OPERATION_NOT_ALLOWED"


def test_injected_failures_reach_the_client(sim):
    proxy, s = sim.root()
    vm = vm_from_template(proxy, s)
    value(proxy.debug.sim_inject_failure(s, "build", "BOOTLOADER_FAILED", "1"))
    assert error(proxy.VM.start(s, vm, False))[0] == "BOOTLOADER_FAILED"
    assert value(proxy.VM.get_power_state(s, vm)) == "Halted"
    value(proxy.VM.start(s, vm, False))


def test_event_next_delivers_after_register(sim):
    proxy, s = sim.root()
    assert error(proxy.event.next(s)) == ["SESSION_NOT_REGISTERED", s]
    value(proxy.event.register(s, ["vm"]))
    vm = vm_from_template(proxy, s)
    got = []
    while not any(e["ref"] == vm and e["operation"] == "add" for e in got):
        got += value(proxy.event.next(s))
    waiter = {}

    def wait():
        waiter["events"] = value(unix_proxy(sim.socket).event.next(s))

    t = threading.Thread(target=wait)
    t.start()
    time.sleep(0.1)
    assert t.is_alive(), "event.next waits for something to happen"
    value(proxy.VM.set_name_label(s, vm, "renamed"))
    t.join(30)
    assert any(e["ref"] == vm and e["operation"] == "mod" for e in waiter["events"])
    value(proxy.event.unregister(s, ["vm"]))
    assert error(proxy.event.next(s))[0] == "SESSION_NOT_REGISTERED"


def test_a_restart_reconciles_every_vm(sim):
    proxy, s = sim.root()
    running = vm_from_template(proxy, s, "running")
    suspended = vm_from_template(proxy, s, "suspended")
    halted = vm_from_template(proxy, s, "halted")
    value(proxy.VM.start(s, running, False))
    value(proxy.VM.start(s, suspended, False))
    value(proxy.VM.suspend(s, suspended))
    sim.restart()
    proxy, s = sim.root()
    # The sim backend's domains are gone with the old daemon, as after a host reboot: the
    # running VM is Halted; the suspended one kept its image in the state directory.
    assert value(proxy.VM.get_power_state(s, running)) == "Halted"
    assert value(proxy.VM.get_domid(s, running)) == "-1"
    assert value(proxy.VM.get_current_operations(s, running)) == {}
    assert value(proxy.VM.get_power_state(s, suspended)) == "Suspended"
    assert value(proxy.VM.get_power_state(s, halted)) == "Halted"
    value(proxy.VM.resume(s, suspended, False))
    value(proxy.VM.start(s, running, False))
    assert value(proxy.VM.get_power_state(s, running)) == "Running"


def test_xenapi_py_user_walks_a_vm_through_its_life_over_https(tmp_path, local_account,
                                                              monkeypatch):
    """The issue's user story with Debian's XenAPI.py, as an ordinary (vm-operator) user."""
    d = Daemon(tmp_path, extra=["--sim-host-memory", "2048", "--sim-latency", "20"])
    d.mark()
    d.start()
    root, rs = d.root()  # the simulator's controls need pool-admin
    try:
        monkeypatch.setenv("SSL_CERT_FILE", d.certificate)
        name, password = local_account
        session = XenAPI.Session("https://127.0.0.1")
        session.xenapi.login_with_password(name, password, "2.0", "tern-tests")
        x = session.xenapi

        def fails(call, *args):
            with pytest.raises(XenAPI.Failure) as failure:
                call(*args)
            return failure.value.details

        try:
            m = str(128 * MiB)
            template = x.VM.create({"name_label": "tmpl", "is_a_template": True,
                                    "memory_static_min": m, "memory_dynamic_min": m,
                                    "memory_dynamic_max": m, "memory_static_max": m,
                                    "VCPUs_max": "1", "VCPUs_at_startup": "1"})
            vm = x.VM.clone(template, "mine")
            x.VM.provision(vm)
            x.VM.set_is_a_template(vm, False)
            net = x.network.create({"name_label": "lan", "bridge": "xenbr0"})
            vif = x.VIF.create({"VM": vm, "network": net, "device": "0", "MTU": "1500"})
            x.VBD.create({"VM": vm, "VDI": "OpaqueRef:NULL", "userdevice": "1", "type": "CD",
                          "mode": "RO", "empty": True})
            assert fails(x.VM.start, template, False, False)[0] == "VM_IS_TEMPLATE"
            assert fails(x.VM.pause, vm)[:2] == ["VM_BAD_POWER_STATE", vm]

            token = getattr(x.event, "from")(["vm"], "", 0.0)["token"]
            x.VM.start(vm, False, False)
            states = []
            while "Running" not in states:
                answer = getattr(x.event, "from")(["vm"], token, 10.0)
                token = answer["token"]
                states += [e["snapshot"]["power_state"] for e in answer["events"]
                           if e["ref"] == vm]
            assert x.VIF.get_currently_attached(vif) is True
            assert fails(x.VM.start, vm, False, False) == ["VM_BAD_POWER_STATE", vm, "Halted",
                                                           "Running"]
            x.VM.pause(vm)
            assert fails(x.VM.pause, vm)[0] == "VM_BAD_POWER_STATE"
            x.VM.unpause(vm)
            assert fails(x.VM.unpause, vm)[0] == "VM_BAD_POWER_STATE"
            x.VM.suspend(vm)
            assert fails(x.VM.suspend, vm)[0] == "VM_BAD_POWER_STATE"
            x.VM.resume(vm, False, False)
            assert fails(x.VM.resume, vm, False, False)[0] == "VM_BAD_POWER_STATE"

            before = int(x.VM.get_domid(vm))
            value(root.debug.sim_guest_exit(rs, vm, "reboot"))
            wait_vm(root, rs, vm, lambda r: int(r["domid"]) not in (before, -1))
            assert int(x.VM.get_domid(vm)) > before
            assert x.VM.get_power_state(vm) == "Running"

            assert fails(x.VM.destroy, vm)[0] == "VM_BAD_POWER_STATE"
            x.VM.clean_shutdown(vm)
            assert fails(x.VM.clean_shutdown, vm)[0] == "VM_BAD_POWER_STATE"
            x.VM.destroy(vm)
            assert fails(x.VM.get_record, vm)[0] == "HANDLE_INVALID"
        finally:
            session.xenapi.session.logout()
    finally:
        d.stop(signal.SIGTERM)


@pytest.mark.parametrize("how", [signal.SIGTERM, signal.SIGKILL])
def test_domains_that_outlive_the_daemon_are_found_again(tmp_path, how):
    """With --sim-persist the simulated host outlives xapid, as a real one does: after a restart
    (or a SIGKILL) every VM finds its domain again and nothing is lost."""
    d = Daemon(tmp_path, extra=["--sim-persist", "--sim-host-memory", "2048"])
    d.mark()
    d.start(https=None)
    try:
        proxy, s = d.root()
        running = vm_from_template(proxy, s, "running")
        paused = vm_from_template(proxy, s, "paused")
        halted = vm_from_template(proxy, s, "halted")
        value(proxy.VM.start(s, running, False))
        value(proxy.VM.start(s, paused, True))
        domids = {vm: value(proxy.VM.get_domid(s, vm)) for vm in (running, paused)}
        # A domain xapid does not know: reported, never killed.
        (tmp_path / "sim-domains").write_text(
            (tmp_path / "sim-domains").read_text()
            + "domain 999 0 1048576 1048576 1 1 256 0 - stranger\n")
        d.restart(how)
        proxy, s = d.root()
        assert value(proxy.VM.get_power_state(s, running)) == "Running"
        assert value(proxy.VM.get_power_state(s, paused)) == "Paused"
        assert value(proxy.VM.get_power_state(s, halted)) == "Halted"
        assert {vm: value(proxy.VM.get_domid(s, vm)) for vm in (running, paused)} == domids
        assert int(value(proxy.VM_metrics.get_memory_actual(
            s, value(proxy.VM.get_metrics(s, running))))) == 256 * MiB
        assert "belongs to no VM" in d.log.read_text()
        assert "999 0" in (tmp_path / "sim-domains").read_text()
        value(proxy.VM.clean_shutdown(s, running))
        value(proxy.VM.unpause(s, paused))
        assert value(proxy.VM.get_power_state(s, paused)) == "Running"
    finally:
        d.stop()


def test_a_reader_that_falls_behind_is_told_its_events_were_lost(tmp_path):
    d = Daemon(tmp_path, extra=["--event-queue", "50"])
    d.mark()
    d.start(https=None)
    try:
        proxy, s = d.root()
        value(proxy.event.register(s, ["*"]))
        token = event_from(proxy, s, ["vm"], "", 0)["token"]
        vm = value(proxy.VM.create(s, {"name_label": "busy"}))
        for i in range(60):
            value(proxy.VM.set_name_label(s, vm, str(i)))
        assert error(proxy.event.next(s)) == ["EVENTS_LOST"]
        assert error(proxy.event.next(s))[0] == "SESSION_NOT_REGISTERED"
        assert error(getattr(proxy.event, "from")(s, ["vm"], token, 0.0)) == ["EVENTS_LOST"]
        # A fresh token works again.
        token = event_from(proxy, s, ["vm"], "", 0)["token"]
        value(proxy.VM.set_name_label(s, vm, "again"))
        assert [e["operation"] for e in event_from(proxy, s, ["vm"], token, 5.0)["events"]] == ["mod"]
    finally:
        d.stop()


def test_the_daemon_stops_cleanly_with_calls_waiting_for_events(tmp_path):
    d = Daemon(tmp_path)
    d.mark()
    d.start(https=None)
    proxy, s = d.root()
    value(proxy.event.register(s, ["vm"]))
    token = event_from(proxy, s, ["vm"], "", 0)["token"]
    answers = []

    def waiting(call):
        try:
            answers.append(call())
        except Exception as e:  # the connection may close first; either is fine
            answers.append(e)

    threads = [threading.Thread(target=waiting, args=(lambda: getattr(
                   unix_proxy(d.socket).event, "from")(s, ["vm"], token, 3600.0),)),
               threading.Thread(target=waiting, args=(lambda: unix_proxy(d.socket).event.next(s),))]
    for t in threads:
        t.start()
    time.sleep(0.3)
    assert all(t.is_alive() for t in threads)
    d.proc.send_signal(signal.SIGTERM)
    assert d.proc.wait() == 0
    for t in threads:
        t.join()
    assert len(answers) == 2
    assert "stopped" in d.log.read_text()
    d.proc = None


def test_sysrq_keys_and_triggers_go_to_a_running_guest(sim):
    proxy, s = sim.root()
    vm = vm_from_template(proxy, s)
    assert error(proxy.VM.send_sysrq(s, vm, "s")) == ["VM_BAD_POWER_STATE", vm, "Running", "Halted"]
    value(proxy.VM.start(s, vm, False, False))
    value(proxy.VM.send_sysrq(s, vm, "s"))
    value(proxy.VM.send_trigger(s, vm, "nmi"))
    assert error(proxy.VM.send_trigger(s, vm, "kick")) == ["INVALID_VALUE", "trigger", "kick"]
    task = value(proxy.Async.VM.send_sysrq(s, vm, "b"))
    assert wait_task(proxy, s, task)["status"] == "success"
    assert value(proxy.VM.get_power_state(s, vm)) == "Running"
