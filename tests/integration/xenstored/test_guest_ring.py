"""The real daemon serving a guest (domain 5) through a ring, with the test playing the guest
(file_ring_guest.py) and dom0 on the socket: relative paths, permissions, quotas, watches
across transports and messages larger than the ring."""

import pytest

import xs_raw_client as xs
from file_ring_guest import (CONNECTION, SERVER_FEATURES, FileRingGuest, make_ring_directory)
from xs_raw_client import RawClient, XenstoreError, strings


@pytest.fixture
def setup(tmp_path, start_xenstored):
    ring = str(tmp_path / "ring")
    make_ring_directory(ring)
    daemon = start_xenstored("--guest-ring-for-test", f"{ring}:5", "--quota", "nodes=6",
                             "--quota", "watches=3", "--quota", "transactions=2")
    dom0 = RawClient(daemon.socket_path)
    # The home of domain 5, owned by it, as a toolstack makes it.
    dom0.request(xs.MKDIR, strings("/local/domain/5"))
    dom0.request(xs.SET_PERMS, strings("/local/domain/5", "n5"))
    guest = FileRingGuest(ring)
    yield daemon, dom0, guest
    dom0.close()


def test_ring_page_announces_the_server(setup):
    _, _, guest = setup
    assert guest.index(SERVER_FEATURES) & 2
    assert guest.index(CONNECTION) == 0


def test_guest_relative_paths_live_under_its_home(setup):
    daemon, dom0, guest = setup
    guest.request(xs.WRITE, b"data/name\0guest-five")
    assert dom0.read("/local/domain/5/data/name") == b"guest-five"
    assert daemon.run("xenstore-read", "/local/domain/5/data/name").stdout == "guest-five\n"
    assert guest.request(xs.READ, strings("data/name")) == b"guest-five"
    owner = dom0.request(xs.GET_PERMS, strings("/local/domain/5/data/name"))
    assert owner.split(b"\0")[0] == b"n5"


def test_guest_cannot_read_or_write_dom0_nodes(setup):
    _, dom0, guest = setup
    dom0.write("/secret", b"x")
    with pytest.raises(XenstoreError, match="EACCES"):
        guest.request(xs.READ, strings("/secret"))
    with pytest.raises(XenstoreError, match="EACCES"):
        guest.request(xs.WRITE, b"/secret/y\0z")
    with pytest.raises(XenstoreError, match="EACCES"):
        guest.request(xs.INTRODUCE, strings("9", "1", "1"))
    dom0.request(xs.SET_PERMS, strings("/secret", "n0", "r5"))
    assert guest.request(xs.READ, strings("/secret")) == b"x"


def test_guest_quotas(setup):
    _, dom0, guest = setup
    # nodes=6: the home counts, so five more.
    for i in range(5):
        guest.request(xs.WRITE, f"n{i}\0".encode())
    with pytest.raises(XenstoreError, match="ENOSPC"):
        guest.request(xs.WRITE, b"n5\0")
    for token in ("1", "2", "3"):
        guest.request(xs.WATCH, strings("w", token))
    with pytest.raises(XenstoreError, match="E2BIG"):
        guest.request(xs.WATCH, strings("w", "4"))
    guest.request(xs.TRANSACTION_START, strings(""))
    guest.request(xs.TRANSACTION_START, strings(""))
    with pytest.raises(XenstoreError, match="ENOSPC"):
        guest.request(xs.TRANSACTION_START, strings(""))
    with pytest.raises(XenstoreError, match="ENOSPC"):
        guest.request(xs.WRITE, b"n0\0" + b"v" * 2049)
    # dom0 is not limited.
    for i in range(10):
        dom0.write(f"/local/domain/5/dom0-{i}", b"")
    usage = dom0.request(xs.CONTROL, strings("quota", "5")).decode()
    assert "watches 3\n" in usage and "transactions 2\n" in usage


def test_watch_events_reach_the_guest_from_the_socket(setup):
    daemon, _, guest = setup
    guest.request(xs.WATCH, strings("device", "tok"))
    assert guest.next_event() == [b"device", b"tok"]
    daemon.run("xenstore-write", "/local/domain/5/device/vif/0/state", "1")
    assert guest.next_event() == [b"device/vif/0/state", b"tok"]


def test_messages_larger_than_the_ring_both_ways(setup):
    _, dom0, guest = setup
    # A request of 2 KiB (the guest's entry-size quota) through the 1 KiB request ring.
    value = bytes(range(256)) * 8
    guest.request(xs.WRITE, b"big\0" + value)
    assert dom0.read("/local/domain/5/big") == value
    # Replies of nearly 4 KiB through the 1 KiB response ring.
    bigger = bytes(range(256)) * 15
    dom0.write("/local/domain/5/bigger", bigger)
    for _ in range(5):
        assert guest.request(xs.READ, strings("bigger")) == bigger


def test_guest_transaction_conflict(setup):
    _, dom0, guest = setup
    guest.request(xs.WRITE, b"counter\0" + b"1")
    tx = int(guest.request(xs.TRANSACTION_START, strings("")).rstrip(b"\0"))
    assert guest.request(xs.READ, strings("counter"), tx) == b"1"
    guest.request(xs.WRITE, b"counter\0" + b"2", tx)
    dom0.write("/local/domain/5/counter", b"7")
    with pytest.raises(XenstoreError, match="EAGAIN"):
        guest.request(xs.TRANSACTION_END, strings("T"), tx)
    assert dom0.read("/local/domain/5/counter") == b"7"
