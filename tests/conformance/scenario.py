#!/usr/bin/python3
"""The conformance scenario (scenario.md) through the Python binding. Prints the transcript.

Usage: scenario.py --url URL --user USER --password PASSWORD [--cafile FILE]
The XenAPI package is found on PYTHONPATH (the build's bindings/python/package)."""

import argparse
import sys

import XenAPI

MiB = 1 << 20


class StepFailed(Exception):
    pass


def show(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (list, tuple)):
        return "[" + ",".join(show(v) for v in value) + "]"
    return str(value)


def error_params(failure: XenAPI.Failure, vm: str) -> str:
    return show(["<vm>" if p == vm else p for p in failure.params])


def wait_for_event(x, classes, token, done) -> str:
    """Calls event.from on `classes` until an event satisfies `done`; returns the token."""
    while True:
        answer = getattr(x.event, "from")(classes, token, 10.0)
        token = answer["token"]
        if any(done(e) for e in answer["events"]):
            return token


def run(args, say) -> None:
    session = XenAPI.Session(args.url, cafile=args.cafile)
    x = session.xenapi
    x.login_with_password(args.user, args.password, "2.1", "tern-conformance")
    say("login", "ok")

    host = x.session.get_this_host(session.handle)
    h = x.host.get_record(host)
    metrics = x.host_metrics.get_record(h["metrics"])
    say("host", f"API_version={h['API_version_major']}.{h['API_version_minor']} "
                f"vendor={h['API_version_vendor']} enabled={show(h['enabled'])} "
                f"memory_total={metrics['memory_total']}")

    m = 256 * MiB
    template = x.VM.create({
        "name_label": "conformance-template", "is_a_template": True,
        "memory_static_min": m, "memory_dynamic_min": m, "memory_dynamic_max": m,
        "memory_static_max": m, "VCPUs_max": 1, "VCPUs_at_startup": 1,
        "PV_kernel": "/boot/vmlinuz", "PV_args": "console=hvc0",
        "actions_after_reboot": "restart", "actions_after_shutdown": "destroy"})
    t = x.VM.get_record(template)
    say("template", f"name_label={t['name_label']} is_a_template={show(t['is_a_template'])}")

    vm = x.VM.clone(template, "conformance-guest")
    x.VM.provision(vm)
    x.VM.set_is_a_template(vm, False)
    r = x.VM.get_record(vm)
    say("vm", f"name_label={r['name_label']} is_a_template={show(r['is_a_template'])} "
              f"power_state={r['power_state']}")

    x.VM.set_memory_static_max(vm, 512 * MiB)
    x.VM.set_memory_dynamic_max(vm, 512 * MiB)
    x.VM.set_memory_dynamic_min(vm, 512 * MiB)
    r = x.VM.get_record(vm)
    say("memory", f"static_min={r['memory_static_min']} dynamic_min={r['memory_dynamic_min']} "
                  f"dynamic_max={r['memory_dynamic_max']} static_max={r['memory_static_max']}")

    x.VM.set_VCPUs_max(vm, 2)
    x.VM.set_VCPUs_at_startup(vm, 2)
    r = x.VM.get_record(vm)
    say("vcpus", f"max={r['VCPUs_max']} at_startup={r['VCPUs_at_startup']}")

    pool = x.pool.get_all()[0]
    sr = x.pool.get_default_SR(pool)
    vdi = x.VDI.create({"SR": sr, "virtual_size": 64 * MiB, "name_label": "conformance-disk",
                        "type": "user", "sharable": False, "read_only": False,
                        "other_config": {}})
    vbd = x.VBD.create({"VM": vm, "VDI": vdi, "userdevice": "0", "bootable": True,
                        "mode": "RW", "type": "Disk", "empty": False})
    b = x.VBD.get_record(vbd)
    say("disk", f"virtual_size={x.VDI.get_virtual_size(vdi)} userdevice={b['userdevice']} "
                f"type={b['type']} mode={b['mode']} vbds={len(x.VM.get_VBDs(vm))}")

    network = x.network.create({"name_label": "conformance-net", "bridge": "xenbr0"})
    vif = x.VIF.create({"VM": vm, "network": network, "device": "0", "MTU": "1500"})
    v = x.VIF.get_record(vif)
    say("nic", f"device={v['device']} MTU={v['MTU']} mac_prefix={v['MAC'][:9]} "
               f"vifs={len(x.VM.get_VIFs(vm))}")

    watched = [f"VM/{vm}"]
    token = getattr(x.event, "from")(watched, "", 0.0)["token"]
    x.VM.start(vm, False, False)
    wait_for_event(x, watched, token, lambda e: e["ref"] == vm
                   and e["snapshot"].get("power_state") == "Running")
    r = x.VM.get_record(vm)
    say("start", f"event=Running power_state={r['power_state']} "
                 f"domid_positive={show(int(r['domid']) > 0)} "
                 f"vbd_attached={show(x.VBD.get_currently_attached(vbd))} "
                 f"vif_attached={show(x.VIF.get_currently_attached(vif))}")

    x.VM.pause(vm)
    say("pause", f"power_state={x.VM.get_power_state(vm)}")
    x.VM.unpause(vm)
    say("unpause", f"power_state={x.VM.get_power_state(vm)}")

    try:
        x.VM.start(vm, False, False)
        raise StepFailed("VM.start of a running VM succeeded")
    except XenAPI.VM_BAD_POWER_STATE as failure:
        say("bad_power_state", f"code={failure.code} params={error_params(failure, vm)}")

    task = x.Async.VM.clean_shutdown(vm)
    watched = [f"task/{task}"]
    token = getattr(x.event, "from")(watched, "", 0.0)["token"]
    while x.task.get_status(task) in ("pending", "cancelling"):
        token = getattr(x.event, "from")(watched, token, 10.0)["token"]
    k = x.task.get_record(task)
    x.task.destroy(task)
    say("async_shutdown", f"status={k['status']} name={k['name_label']} "
                          f"power_state={x.VM.get_power_state(vm)} "
                          f"vif_attached={show(x.VIF.get_currently_attached(vif))}")

    x.VM.destroy(vm)
    x.VDI.destroy(vdi)
    x.VM.destroy(template)
    x.network.destroy(network)
    try:
        x.VM.get_record(vm)
        raise StepFailed("VM.get_record of a destroyed VM succeeded")
    except XenAPI.Failure as failure:
        say("destroy", f"code={failure.code} params={error_params(failure, vm)}")

    x.logout()
    say("logout", "ok")


STEPS = ["login", "host", "template", "vm", "memory", "vcpus", "disk", "nic", "start", "pause",
         "unpause", "bad_power_state", "async_shutdown", "destroy", "logout"]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--url", required=True)
    ap.add_argument("--user", required=True)
    ap.add_argument("--password", default="")
    ap.add_argument("--cafile")
    args = ap.parse_args()
    done = []

    def say(step, text):
        done.append(step)
        print(f"{len(done):02d} {step}: {text}", flush=True)

    try:
        run(args, say)
    except Exception as e:  # noqa: BLE001 - any failure ends the scenario at its step
        step = STEPS[len(done)] if len(done) < len(STEPS) else "end"
        print(f"{len(done) + 1:02d} {step}: FAILED {type(e).__name__}: {e}", flush=True)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
