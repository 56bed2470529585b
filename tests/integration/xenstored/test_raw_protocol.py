"""xenstored over its socket with a raw-protocol client: transactions and EAGAIN, error
replies, watches, domain introduction and release, quotas and protocol violations."""

import struct

import pytest

import xs_raw_client as xs
from xs_raw_client import RawClient, XenstoreError, strings


@pytest.fixture
def client(xenstored):
    connection = RawClient(xenstored.socket_path)
    yield connection
    connection.close()


def test_read_write_and_reply_framing(client):
    assert client.write("/a/b", b"v\0binary") == b"OK\0"
    assert client.read("/a/b") == b"v\0binary"
    assert client.request(xs.DIRECTORY, strings("/a")) == b"b\0"
    assert client.request(xs.GET_PERMS, strings("/a/b")) == b"n0\0"
    assert client.request(xs.GET_DOMAIN_PATH, strings("7")) == b"/local/domain/7\0"


@pytest.mark.parametrize("kind,payload,error", [
    (xs.READ, strings("/missing"), "ENOENT"),
    (xs.READ, strings("/bad//path"), "EINVAL"),
    (xs.RM, strings("/"), "EINVAL"),
    (xs.RM, strings("/no/parent"), "ENOENT"),
    (xs.SET_PERMS, strings("/", "z0"), "EINVAL"),
    (99, b"", "EINVAL"),
    (xs.RELEASE, strings("42"), "ENOENT"),
])
def test_error_replies_carry_the_errno_name(client, kind, payload, error):
    with pytest.raises(XenstoreError) as raised:
        client.request(kind, payload)
    assert raised.value.name == error


def test_transaction_is_isolated_until_commit(xenstored, client):
    other = RawClient(xenstored.socket_path)
    tx = client.start()
    assert tx != 0
    client.write("/tx/key", b"inside", tx)
    with pytest.raises(XenstoreError, match="ENOENT"):
        other.read("/tx/key")
    assert client.end(tx) == b"OK\0"
    assert other.read("/tx/key") == b"inside"
    with pytest.raises(XenstoreError, match="ENOENT"):
        client.end(tx)


def test_conflicting_commit_gets_eagain_and_a_retry_succeeds(xenstored, client):
    other = RawClient(xenstored.socket_path)
    client.write("/counter", b"1")
    tx = client.start()
    value = int(client.read("/counter", tx))
    client.write("/counter", str(value + 1).encode(), tx)
    other.write("/counter", b"10")
    with pytest.raises(XenstoreError, match="EAGAIN"):
        client.end(tx)
    assert client.read("/counter") == b"10"
    tx = client.start()
    value = int(client.read("/counter", tx))
    client.write("/counter", str(value + 1).encode(), tx)
    client.end(tx)
    assert other.read("/counter") == b"11"


def test_unrelated_writes_do_not_conflict(xenstored, client):
    other = RawClient(xenstored.socket_path)
    client.write("/mine/x", b"0")
    other.write("/theirs/y", b"0")
    tx = client.start()
    client.read("/mine/x", tx)
    client.write("/mine/x", b"1", tx)
    other.write("/theirs/y", b"1")
    assert client.end(tx) == b"OK\0"


def test_aborted_transaction_changes_nothing(client):
    tx = client.start()
    client.write("/aborted", b"x", tx)
    client.end(tx, commit=False)
    with pytest.raises(XenstoreError, match="ENOENT"):
        client.read("/aborted")


def test_watch_events_with_tokens(xenstored, client):
    other = RawClient(xenstored.socket_path)
    client.request(xs.WATCH, strings("/w", "token-1"))
    assert client.next_event() == [b"/w", b"token-1"]
    other.write("/w/x", b"1")
    assert client.next_event() == [b"/w/x", b"token-1"]
    # Relative watches of dom0 live under /local/domain/0 and report relative paths.
    client.request(xs.WATCH, strings("rel", "token-2"))
    assert client.next_event() == [b"rel", b"token-2"]
    other.write("/local/domain/0/rel/y", b"1")
    assert client.next_event() == [b"rel/y", b"token-2"]
    client.request(xs.UNWATCH, strings("/w", "token-1"))
    with pytest.raises(XenstoreError, match="ENOENT"):
        client.request(xs.UNWATCH, strings("/w", "token-1"))


def test_introduce_and_release_fire_special_watches(xenstored, client):
    client.request(xs.WATCH, strings("@introduceDomain", "in"))
    client.request(xs.WATCH, strings("@releaseDomain", "out"))
    assert client.next_event() == [b"@introduceDomain", b"in"]
    assert client.next_event() == [b"@releaseDomain", b"out"]
    assert client.request(xs.IS_DOMAIN_INTRODUCED, strings("5")) == b"F\0"
    client.request(xs.INTRODUCE, strings("5", "4096", "3"))
    assert client.next_event() == [b"@introduceDomain", b"in"]
    assert client.request(xs.IS_DOMAIN_INTRODUCED, strings("5")) == b"T\0"
    client.request(xs.SET_TARGET, strings("5", "5"))
    client.request(xs.RESUME, strings("5"))
    client.request(xs.RELEASE, strings("5"))
    assert client.next_event() == [b"@releaseDomain", b"out"]
    assert client.request(xs.IS_DOMAIN_INTRODUCED, strings("5")) == b"F\0"


def test_control_lists_and_sets_quotas(start_xenstored):
    daemon = start_xenstored("--quota", "nodes=50", "--quota", "watches=7")
    client = RawClient(daemon.socket_path)
    listing = client.request(xs.CONTROL, strings("quota")).rstrip(b"\0").decode()
    assert "nodes 50\n" in listing and "watches 7\n" in listing
    assert "transactions 10\n" in listing and "entry-size 2048\n" in listing
    client.request(xs.CONTROL, strings("quota", "set", "transactions", "3"))
    assert b"transactions 3\n" in client.request(xs.CONTROL, strings("quota"))
    with pytest.raises(XenstoreError, match="EINVAL"):
        client.request(xs.CONTROL, strings("quota", "set", "request-size", "5000"))
    client.write("/local/domain/0/x", b"")
    usage = client.request(xs.CONTROL, strings("quota", "0"))
    assert usage.startswith(b"nodes ")
    assert client.request(xs.CONTROL, strings("log", "on")) == b"OK\0"


def test_bad_quota_option_is_refused(xenstored):
    import subprocess
    import os
    binary = os.environ.get("XENSTORED", "build/bin/xenstored")
    result = subprocess.run([binary, "--quota", "bogus=1"], capture_output=True, text=True)
    assert result.returncode == 2
    assert "bad quota" in result.stderr
    helped = subprocess.run([binary, "--help"], capture_output=True, text=True)
    assert helped.returncode == 0 and "--socket PATH" in helped.stdout


def test_oversized_payload_closes_the_connection(xenstored, client):
    client.send_raw(xs.WRITE, b"", length=4097)
    with pytest.raises(ConnectionError):
        client.receive()
    # The daemon itself is unharmed.
    fresh = RawClient(xenstored.socket_path)
    assert fresh.write("/still/alive", b"1") == b"OK\0"


def test_largest_payload_is_accepted(client):
    value = b"x" * (4096 - len(b"/max\0"))
    client.write("/max", value)
    assert client.read("/max") == value


def test_pipelined_requests_are_answered_in_order(client):
    ids = [client.send_raw(xs.WRITE, f"/pipe/{i}".encode() + b"\0" + str(i).encode())
           for i in range(50)]
    replies = [client.receive() for _ in ids]
    assert [reply[1] for reply in replies] == ids
    assert all(reply[3] == b"OK\0" for reply in replies)


def test_directory_part_pages_a_long_listing(client):
    names = [f"child-{i:05d}" for i in range(500)]
    for name in names:
        client.write(f"/dp/{name}", b"")
    with pytest.raises(XenstoreError, match="E2BIG"):
        client.request(xs.DIRECTORY, strings("/dp"))
    collected, offset = [], 0
    while True:
        reply = client.request(xs.DIRECTORY_PART, strings("/dp", str(offset)))
        assert len(reply) <= 4096
        parts = reply.split(b"\0")
        entries = [p for p in parts[1:] if p]
        collected += [e.decode() for e in entries]
        offset += sum(len(e) + 1 for e in entries)
        if reply.endswith(b"\0\0"):
            break
    assert collected == names
