"""Many event.from watchers on connections of their own, as the event benchmark drives them:
every watcher sees every change of the VM, in order, with tokens that never go back; a watcher that
hangs up while waiting disturbs nobody; and waiting watchers hold no thread, so that a daemon
with one worker and one I/O thread still serves changes while thirty of them wait."""
import socket
import threading

import pytest

from conftest import Daemon, unix_proxy, value

WATCHERS = 30
CHANGES = 20


def event_from(proxy, session, classes, token, timeout):
    return value(getattr(proxy.event, "from")(session, classes, token, timeout))


@pytest.fixture(params=[[], ["--workers", "1", "--io-threads", "1"]],
                ids=["defaults", "one-thread"])
def small(tmp_path, request):
    d = Daemon(tmp_path, extra=request.param)
    d.mark()
    d.start(https=None)
    yield d
    d.stop()


def watch(sock, session, token, seen, failures):
    """Follows the VMs until the last change, recording the stamps and tokens in order."""
    proxy = unix_proxy(sock)
    try:
        while True:
            answer = event_from(proxy, session, ["vm"], token, 30.0)
            assert answer["token"] >= token, (answer["token"], token)
            token = answer["token"]
            for e in answer["events"]:
                stamp = e["snapshot"]["name_description"]
                if stamp.startswith("change-"):
                    seen.append(int(stamp.split("-")[1]))
            if seen and seen[-1] == CHANGES - 1:
                return
    except Exception as e:  # reported by the test's thread, not lost in this one
        failures.append(e)


def hang_up_while_waiting(sock, session, token):
    """Sends an event.from that will wait, then closes the connection before its answer."""
    body = ("<?xml version='1.0'?><methodCall><methodName>event.from</methodName><params>"
            f"<param><value><string>{session}</string></value></param>"
            "<param><value><array><data><value><string>vm</string></value></data></array>"
            "</value></param>"
            f"<param><value><string>{token}</string></value></param>"
            "<param><value><double>30</double></value></param></params></methodCall>")
    s = socket.socket(socket.AF_UNIX)
    s.connect(sock)
    s.sendall((f"POST / HTTP/1.1\r\nHost: xapid\r\nContent-Type: text/xml\r\n"
               f"Content-Length: {len(body)}\r\n\r\n{body}").encode())
    s.close()


def test_every_watcher_sees_every_change_in_order(small):
    proxy = unix_proxy(small.socket)
    s = value(proxy.session.login_with_password("root", ""))
    vm = value(proxy.VM.create(s, {"name_label": "watched"}))
    token = event_from(proxy, s, ["vm"], "", 0)["token"]
    for _ in range(5):
        hang_up_while_waiting(small.socket, s, token)
    seen = [[] for _ in range(WATCHERS)]
    failures = []
    threads = [threading.Thread(target=watch, args=(small.socket, s, token, seen[i], failures))
               for i in range(WATCHERS)]
    for t in threads:
        t.start()
    # The changes go through while the watchers wait: waiting holds no worker.
    for i in range(CHANGES):
        value(proxy.VM.set_name_description(s, vm, f"change-{i}"))
    for t in threads:
        t.join()
    assert failures == []
    for stamps in seen:
        # Changes may coalesce into one event, never reorder; the last one always arrives.
        assert stamps == sorted(set(stamps)), stamps
        assert stamps[-1] == CHANGES - 1
    assert small.proc.poll() is None
    assert value(proxy.VM.get_name_description(s, vm)) == f"change-{CHANGES - 1}"
