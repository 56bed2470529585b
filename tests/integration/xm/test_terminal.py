"""xm in a real terminal (tmux): the full-screen `xm top`, `xm console`, and the password
prompt that does not echo."""

import os

from conftest import EXAMPLES, XM


def env_for(daemon):
    return {"XM_SERVER": daemon.socket, "XM_CONFIG_FILE": "/nonexistent", "HOME": str(daemon.state_dir)}


def test_top_refreshes_the_screen_and_quits_on_q(xm, tmux):
    assert xm("create", str(EXAMPLES / "busybox.cfg")).status == 0
    tmux.run(f"{XM} top -d 0.5", env=env_for(xm.daemon))
    screen = tmux.wait_for("busybox")
    assert "NAME  STATE   CPU(sec) CPU(%)     MEM(k)" in screen
    assert "q: quit" in screen
    assert xm("create", str(EXAMPLES / "busybox.cfg"), "name=second").status == 0
    screen = tmux.wait_for("second")  # a later refresh shows the new domain
    assert "busybox" in screen
    tmux.keys("q")
    screen = tmux.wait_for("EXIT=0")
    assert "NAME  STATE" not in screen  # the alternate screen is gone


# After xm ends, the shell says whether the terminal is back in canonical mode.
TERMINAL_MODE = "echo XM=$?; stty -a | grep -o -w -- '-\\?icanon' | sed 's/^/MODE=/'"


def test_console_attaches_types_and_detaches_on_ctrl_bracket(xm, tmux):
    assert xm("create", str(EXAMPLES / "busybox.cfg")).status == 0
    tmux.run(f"{XM} console busybox; {TERMINAL_MODE}", env=env_for(xm.daemon))
    screen = tmux.wait_for("busybox#")
    assert "Tern simulated guest busybox" in screen
    tmux.keys("hello there", "Enter")
    tmux.wait_for("echo: hello there")
    tmux.keys("C-]")
    screen = tmux.wait_for("MODE=")
    assert "XM=0" in screen
    assert "MODE=icanon" in screen  # the terminal is restored
    # The guest runs on: attaching again shows it.
    assert xm("list", "busybox").status == 0


def test_console_over_https(xm, tmux, local_account):
    user, password = local_account
    assert xm("create", str(EXAMPLES / "busybox.cfg")).status == 0
    env = {"XM_SERVER": "https://127.0.0.1", "XM_USER": user, "XM_PASSWORD": password,
           "XM_CONFIG_FILE": "/nonexistent", "HOME": str(xm.daemon.state_dir)}
    tmux.run(f"{XM} --insecure console busybox; {TERMINAL_MODE}", env=env)
    tmux.wait_for("busybox#")
    tmux.keys("over tls", "Enter")
    tmux.wait_for("echo: over tls")
    tmux.keys("C-]")
    screen = tmux.wait_for("MODE=")
    assert "XM=0" in screen and "MODE=icanon" in screen


# A stand-in for ssh: records its arguments and joins stdin/stdout to xapid's Unix socket,
# as `ssh HOST xapid --stdio` does through dom0's xapi-stdio-relay.
FAKE_SSH = """#!/usr/bin/python3
import os, selectors, socket, sys
with open(os.environ["FAKE_SSH_LOG"], "a") as log:
    log.write(" ".join(sys.argv[1:]) + "\\n")
peer = socket.socket(socket.AF_UNIX)
peer.connect(os.environ["FAKE_SSH_SOCKET"])
watch = selectors.DefaultSelector()
watch.register(0, selectors.EVENT_READ)
watch.register(peer, selectors.EVENT_READ)
while True:
    for key, _ in watch.select():
        if key.fileobj == 0:
            data = os.read(0, 65536)
            if not data:
                peer.shutdown(socket.SHUT_WR)
                watch.unregister(0)
                continue
            peer.sendall(data)
        else:
            data = peer.recv(65536)
            if not data:
                sys.exit(0)
            os.write(1, data)
"""


def test_console_over_ssh(xm, tmux, tmp_path):
    assert xm("create", str(EXAMPLES / "busybox.cfg")).status == 0
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "ssh").write_text(FAKE_SSH)
    (bin_dir / "ssh").chmod(0o755)
    log = tmp_path / "ssh.log"
    env = {"PATH": f"{bin_dir}:{os.environ['PATH']}", "FAKE_SSH_SOCKET": xm.daemon.socket,
           "FAKE_SSH_LOG": str(log), "XM_PASSWORD": "", "XM_CONFIG_FILE": "/nonexistent",
           "HOME": str(xm.daemon.state_dir)}
    tmux.run(f"{XM} --server ssh://root@tern-host:2222 console busybox; {TERMINAL_MODE}",
             env=env)
    tmux.wait_for("busybox#")
    tmux.keys("over ssh", "Enter")
    tmux.wait_for("echo: over ssh")
    tmux.keys("C-]")
    screen = tmux.wait_for("MODE=")
    assert "XM=0" in screen and "MODE=icanon" in screen
    # One ssh for the API, a second one for the console, both to dom0's `xapid --stdio`.
    assert log.read_text().splitlines() == ["-p 2222 root@tern-host xapid --stdio"] * 2


def test_console_ends_when_the_domain_is_destroyed(xm, tmux):
    assert xm("create", str(EXAMPLES / "busybox.cfg")).status == 0
    tmux.run(f"{XM} console busybox; {TERMINAL_MODE}", env=env_for(xm.daemon))
    tmux.wait_for("busybox#")
    assert xm("destroy", "busybox").status == 0
    screen = tmux.wait_for("MODE=")
    assert "XM=0" in screen and "MODE=icanon" in screen


def test_console_of_a_halted_domain_is_refused(xm):
    assert xm("new", str(EXAMPLES / "busybox.cfg")).status == 0
    r = xm("console", "busybox")
    assert r.status == 1
    assert "not running" in r.err


def test_create_c_attaches_the_console(xm, tmux):
    tmux.run(f"{XM} create -c {EXAMPLES / 'busybox.cfg'}; {TERMINAL_MODE}",
             env=env_for(xm.daemon))
    screen = tmux.wait_for("busybox#")
    assert "Started domain busybox" in screen
    tmux.keys("ls", "Enter")
    tmux.wait_for("echo: ls")
    tmux.keys("C-]")
    screen = tmux.wait_for("MODE=")
    assert "XM=0" in screen and "MODE=icanon" in screen


def test_password_prompt_does_not_echo(xm, tmux, local_account):
    user, password = local_account
    env = {"XM_CONFIG_FILE": "/nonexistent", "HOME": str(xm.daemon.state_dir)}
    tmux.run(f"{XM} --server https://127.0.0.1 --insecure --user {user} list", env=env)
    tmux.wait_for(f"Password for {user} at https://127.0.0.1:")
    tmux.keys(password, "Enter")
    screen = tmux.wait_for("EXIT=")
    assert password not in screen
    assert "Name" in screen and "ID   Mem VCPUs" in screen
    assert "EXIT=0" in screen


def test_password_from_file_and_environment(xm, local_account, tmp_path):
    user, password = local_account
    secret = tmp_path / "password"
    secret.write_text(password + "\n")
    env = {"XM_SERVER": "https://127.0.0.1:443", "XM_USER": user}
    r = xm("--insecure", "--password-file", str(secret), "list", "--names", env=env)
    assert r.status == 0, r
    r = xm("--insecure", "list", "--names", env={**env, "XM_PASSWORD": password})
    assert r.status == 0, r
    r = xm("--insecure", "list", env={**env, "XM_PASSWORD": "wrong"})
    assert r.status == 1
    assert r.err.startswith("Error: SESSION_AUTHENTICATION_FAILED"), r


def test_config_file_sets_the_server(xm, local_account, tmp_path):
    user, password = local_account
    config = tmp_path / "xm-config.xml"
    config.write_text(f'<xm><server type="Xen-API" uri="https://127.0.0.1/" username="{user}" '
                      f'password="{password}"/></xm>\n')
    r = xm("--insecure", "list", "--names", env={"XM_SERVER": None, "XM_CONFIG_FILE": str(config)})
    assert r.status == 0, r
    # Without --insecure the daemon's self-signed certificate is refused.
    r = xm("list", env={"XM_SERVER": None, "XM_CONFIG_FILE": str(config)})
    assert r.status == 1
    assert r.err.startswith("Error: cannot talk to the server: "), r


def test_long_operations_draw_a_progress_bar_on_a_terminal(xm, tmux):
    assert xm("create", str(EXAMPLES / "busybox.cfg")).status == 0
    tmux.run(f"{XM} migrate --live busybox localhost", env=env_for(xm.daemon))
    screen = tmux.wait_for("EXIT=")
    assert "Migrating busybox [########################################] 100%" in screen
    assert "Migrating busybox: " not in screen  # no plain lines on a terminal
    assert "EXIT=0" in screen
