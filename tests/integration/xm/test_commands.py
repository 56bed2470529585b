"""Every xm command against a live xapid on the sim backend: output, calls' effects, exit
statuses, and golden files for list, info and vcpu-list."""

import re

from conftest import EXAMPLES, check_golden, normalize


def created(xm):
    """The busybox example running, the XML example defined but halted."""
    r = xm("create", str(EXAMPLES / "busybox.cfg"))
    assert r.status == 0, r
    assert r.out == "Started domain busybox\n"
    r = xm("new", str(EXAMPLES / "busybox.xml"))
    assert r.status == 0, r
    assert r.out == "Defined domain busybox-xml\n"


def test_list_info_and_vcpu_list_match_their_golden_files(xm):
    created(xm)
    listing = xm("list")
    assert listing.status == 0, listing
    # Time(s) is the domains' CPU time so far, which differs from run to run.
    check_golden("list.txt", re.sub(r"\d+\.\d$", "<cpu>", normalize(listing.out), flags=re.M))
    check_golden("list-long.txt", normalize(xm("list", "--long", "busybox").out))
    check_golden("vcpu-list.txt", normalize(xm("vcpu-list").out))
    labelled = xm("list", "--label", "busybox").out.splitlines()
    assert labelled[0].endswith("Time(s)      Label") and labelled[1].endswith("INACTIVE")
    info = xm("info")
    assert info.status == 0, info
    # Keep the keys and the values that do not depend on the machine.
    stable = {"xen_scheduler", "xen_api_version", "xen_api_vendor", "xen"}
    lines = []
    for line in info.out.splitlines():
        key, _, value = line.partition(": ")
        lines.append(f"{key}: {value}" if key.strip() in stable else f"{key}: <host>")
    check_golden("info.txt", "\n".join(lines) + "\n")


def test_json_output(xm):
    import json
    created(xm)
    vms = {vm["name"]: vm for vm in json.loads(xm("list", "--json").out)}
    assert vms["busybox"]["power_state"] == "Running"
    assert vms["busybox"]["memory_actual"] == 64 << 20
    assert vms["busybox-xml"]["domid"] is None
    assert json.loads(xm("info", "--json").out)["API_version"] == "2.0"
    assert [v["affinity"] for v in json.loads(xm("vcpu-list", "--json", "busybox").out)[0]["vcpus"]] == ["0-1", "0-1"]
    disks = json.loads(xm("block-list", "--json", "busybox").out)
    assert disks[0]["device"] == "xvda" and disks[0]["mode"] == "RW"
    assert json.loads(xm("network-list", "--json", "busybox").out)[0]["MAC"] == "00:16:3e:00:00:01"
    assert any(v["name_label"] == "busybox-xml-root" for v in json.loads(xm("vdi-list", "--json").out))
    assert json.loads(xm("sr-list", "--json").out)[0]["name_label"] == "Local storage"
    assert json.loads(xm("uptime", "--json").out)[0]["name"] in {"Domain-0", "busybox"}
    assert json.loads(xm("sched-credit", "--json", "-d", "busybox").out) == [
        {"name": "busybox", "weight": 256, "cap": 0}]


def test_life_cycle(xm):
    created(xm)
    assert xm("start", "busybox-xml").status == 0
    assert "r-----" in xm("list", "busybox-xml").out
    assert xm("pause", "busybox").status == 0
    assert "--p---" in xm("list", "busybox").out
    assert xm("unpause", "busybox").status == 0
    domid = xm("domid", "busybox").out.strip()
    assert xm("domname", domid).out == "busybox\n"
    assert xm("rename", "busybox", "bb").status == 0
    assert xm("list", "--names", "bb").out == "bb\n"
    r = xm("reboot", "-w", "bb")
    assert (r.status, r.out) == (0, "Domain bb rebooted\nAll domains rebooted\n"), r
    r = xm("shutdown", "-w", "bb")
    assert r.status == 0, r
    assert r.out == "Domain bb terminated\nAll domains terminated\n"
    assert xm("list", "--state", "halted", "--names").out == "bb\n"
    assert xm("start", "-p", "bb").status == 0
    assert "--p---" in xm("list", "bb").out
    assert xm("destroy", "bb").status == 0
    assert xm("shutdown", "-a").status == 0
    assert xm("list", "--state", "running", "--names").out in {"", "Domain-0\n"}
    assert xm("delete", "bb").status == 0
    assert xm("list", "bb").status == 1
    assert xm("start", "busybox-xml").status == 0
    r = xm("suspend", "busybox-xml")
    assert r.status == 0, r
    assert '"power_state": "Suspended"' in xm("list", "--json", "busybox-xml").out
    r = xm("resume", "busybox-xml")
    assert r.status == 0, r
    assert re.search(r"^busybox-xml +\d+ +64 +2 +r-----", xm("list", "busybox-xml").out, re.M)


def test_create_overrides_and_dry_run(xm):
    r = xm("create", "-n", str(EXAMPLES / "busybox.cfg"), "name=other", "memory=32", "vcpus=1")
    assert r.status == 0, r
    check_golden("create-dry-run.txt", r.out)
    assert xm("list", "other").status == 1  # a dry run creates nothing
    r = xm("create", "-p", str(EXAMPLES / "busybox.cfg"), "name=other", "memory=32")
    assert r.status == 0, r
    assert re.search(r"^other +\d+ +32 +2 +--p---", xm("list", "other").out, re.M)


def test_resources(xm):
    created(xm)
    assert xm("mem-set", "busybox", "96").status == 0
    assert " 96 " in xm("list", "busybox").out
    assert xm("mem-max", "busybox", "256").status == 0
    assert "(maxmem 256)" in xm("list", "--long", "busybox").out
    assert xm("vcpu-set", "busybox", "1").status == 0
    assert xm("vcpu-pin", "busybox", "0", "1").status == 0
    assert xm("vcpu-list", "busybox").out.splitlines()[1].endswith(" 1")
    assert xm("sched-credit", "-d", "busybox", "-w", "512", "-c", "20").status == 0
    r = xm("sched-credit", "-d", "busybox")
    assert r.out.splitlines()[1].split()[-2:] == ["512", "20"], r
    r = xm("uptime", "busybox")
    assert re.match(r"^busybox +\d+ \d+:\d\d:\d\d$", r.out.splitlines()[1]), r
    assert re.search(r"up \d+:\d\d:\d\d, busybox \(\d+\)", xm("uptime", "-s", "busybox").out)


def test_devices_and_storage(xm):
    created(xm)
    assert xm("block-attach", "busybox", "file:/srv/extra.img", "xvdb", "r").status == 0
    assert re.search(r"^xvdb +RO +Disk", xm("block-list", "busybox").out, re.M)
    assert xm("block-detach", "busybox", "xvdb").status == 0
    r = xm("block-detach", "busybox", "xvdb")
    assert (r.status, r.err) == (1, "Error: Device xvdb not connected to domain busybox\n")
    assert xm("network-attach", "busybox", "mac=00:16:3e:00:00:42").status == 0
    assert "00:16:3e:00:00:42" in xm("network-list", "busybox").out
    assert xm("network-detach", "busybox", "00:16:3e:00:00:42").status == 0
    assert "00:16:3e:00:00:42" not in xm("network-list", "busybox").out
    r = xm("vdi-create", "scratch", "16M")
    assert r.status == 0, r
    uuid = r.out.strip()
    assert re.search(rf"^scratch +{uuid} +16.0 MiB user$", xm("vdi-list").out, re.M)
    r = xm("vdi-copy", uuid)
    assert r.status == 0, r
    lines = r.out.splitlines()
    assert lines[0].startswith("Copying scratch: ") and "Copying scratch: 100%" in lines, r
    copy = lines[-1]
    assert re.search(rf"^scratch +{copy} +16.0 MiB user$", xm("vdi-list").out, re.M)
    assert xm("vdi-destroy", copy).status == 0
    assert xm("vdi-destroy", uuid).status == 0
    assert "scratch" not in xm("vdi-list").out
    assert "Local storage" in xm("sr-list").out


def test_long_operations_show_progress_lines(xm):
    created(xm)
    r = xm("migrate", "--live", "busybox", "localhost")
    assert r.status == 0, r
    assert r.out.startswith("Migrating busybox: "), r
    assert r.out.splitlines()[-1] == "Migrating busybox: 100%", r
    r = xm("save", "busybox", "/tmp/never.save")
    assert r.status == 1 and r.err.startswith("Error: NOT_IMPLEMENTED: "), r


def test_commands_the_sim_server_lacks_fail_in_words(xm):
    created(xm)
    for args, code in [(("dmesg",), "NOT_IMPLEMENTED"), (("log",), "NOT_IMPLEMENTED"),
                       (("dump-core", "busybox"), "MESSAGE_METHOD_UNKNOWN")]:
        r = xm(*args)
        assert r.status == 1, r
        assert r.err.startswith(f"Error: {code}: "), r
    assert xm("dump-core", "busybox").err == (
        "Error: MESSAGE_METHOD_UNKNOWN: No such method. (method: VM.dump_core)\n")
    r = xm("save", "busybox", "/tmp/busybox.save")
    assert r.status == 1 and "NOT_IMPLEMENTED" in r.err, r
    r = xm("restore", "/tmp/busybox.save")
    assert r.status == 1 and "NOT_IMPLEMENTED" in r.err, r


def test_server_failures_name_the_code_and_parameters(xm):
    created(xm)
    r = xm("unpause", "busybox-xml")
    assert r.status == 1
    assert re.fullmatch(r"Error: VM_BAD_POWER_STATE: The VM is in the wrong power state for the "
                        r"operation\. \(vm: OpaqueRef:[0-9a-f-]+, expected: Paused, actual: "
                        r"Halted\)\n", r.err), r


def test_usage_errors_exit_two(xm):
    for args in [("frobnicate",), ("list", "--bogus"), ("mem-set", "busybox"),
                 ("mem-set", "busybox", "lots"), ("destroy",), ("help", "nosuch"), ()]:
        r = xm(*args)
        assert r.status == 2, (args, r)
    assert xm("destroy", "nosuch").status == 1
    assert xm("help").status == 0
    assert "Copy a virtual disk image" in xm("help", "--long").out
    assert xm("help", "create").out.startswith("Usage: xm create [options] <ConfigFile>")


def test_config_file_errors_create_nothing(xm, tmp_path):
    bad = tmp_path / "bad.cfg"
    bad.write_text("name = 'bad'\nmemory = 64\ndisk = ['file:/x,xvda']\n")
    r = xm("create", str(bad))
    assert r.status == 1
    assert r.err == (f"Error: {bad}:3:8: disk: disk 'file:/x,xvda': expected "
                     "'TYPE:PATH,DEVICE,MODE[,BACKEND-DOMAIN]' (3 or 4 comma-separated fields), "
                     "found 2\n")
    xml = tmp_path / "bad.xml"
    xml.write_text((EXAMPLES / "busybox.xml").read_text().replace('mtu="1500"', 'mtu="big"'))
    r = xm("new", str(xml))
    assert r.status == 1
    assert r.err == (f"Error: {xml}:18:46: Element 'vif', attribute 'mtu': 'big' is not a valid "
                     "value of the atomic type 'xs:positiveInteger'.\n")
    assert "bad" not in xm("list", "--names").out
    assert "busybox-xml" not in xm("list", "--names").out
    assert xm("vdi-list", "--json").out.strip() == "[]"


def test_a_failed_create_leaves_nothing_behind(xm, tmp_path):
    cfg = tmp_path / "nonet.cfg"
    cfg.write_text("name = 'nonet'\nmemory = 64\ndisk = ['file:/x,xvda,w']\n"
                   "vif = ['bridge=no-such-bridge']\n")
    r = xm("create", str(cfg))
    assert r.status == 1
    assert r.err == "Error: no network is named 'no-such-bridge' or uses the bridge 'no-such-bridge'\n"
    assert "nonet" not in xm("list", "--names").out
    assert xm("vdi-list", "--json").out.strip() == "[]"


def test_completion_names_come_from_list(xm):
    created(xm)
    names = xm("list", "--names").out.split()
    assert "busybox" in names and "busybox-xml" in names


def complete(xm, *words):
    """Runs the generated completion function for `xm words...` and returns its candidates."""
    import os
    import subprocess
    from conftest import XM
    script = os.path.join(os.path.dirname(XM), "..", "cli", "xm.bash-completion")
    line = " ".join([XM, *words])
    program = (f"source {script}; COMP_WORDS=({line}); COMP_CWORD={len(words)}; _xm; "
               "printf '%s\\n' \"${COMPREPLY[@]}\"")
    env = {**os.environ, "XM_SERVER": xm.daemon.socket, "XM_CONFIG_FILE": "/nonexistent"}
    return subprocess.run(["bash", "-c", program], capture_output=True, text=True, env=env,
                          check=True).stdout.split()


def test_bash_completion_of_commands_options_and_domain_names(xm):
    created(xm)
    assert complete(xm, "vcpu-") == ["vcpu-set", "vcpu-pin", "vcpu-list"]
    assert complete(xm, "--ser") == ["--server"]
    assert complete(xm, "shutdown", "--") == ["--wait", "--all", "--reboot", "--halt"]
    assert complete(xm, "destroy", "busy") == ["busybox", "busybox-xml"]
    assert complete(xm, "--server", xm.daemon.socket, "pause", "busybox-") == ["busybox-xml"]
