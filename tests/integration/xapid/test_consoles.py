"""Text consoles over the API, as XenAPI hosts serve them: a console record's location is
https://HOST/console?ref=..., opened with an HTTP CONNECT that carries the session (query
parameter, cookie or Basic login); after `HTTP/1.1 200 OK` the connection carries the console's
bytes both ways. Driven with raw sockets (the Unix socket and TLS), against the sim backend's
line-echoing guest."""

import base64
import json
import socket
import ssl
import urllib.parse

import pytest

from conftest import error, value


def make_running_vm(proxy, s, name="guest"):
    m = str(64 << 20)
    vm = value(proxy.VM.create(s, {
        "name_label": name, "memory_static_min": m, "memory_dynamic_min": m,
        "memory_dynamic_max": m, "memory_static_max": m, "VCPUs_max": "1",
        "VCPUs_at_startup": "1", "PV_kernel": "/boot/vmlinuz",
    }))
    value(proxy.VM.start(s, vm, False))
    return vm


def console_of(proxy, s, vm):
    consoles = value(proxy.VM.get_consoles(s, vm))
    assert len(consoles) == 1
    return consoles[0]


class Console:
    """One CONNECT on a raw socket: the answer's status and body, then the byte stream."""

    def __init__(self, sock, target, headers=()):
        self.sock = sock
        self.sock.settimeout(60)
        lines = [f"CONNECT {target} HTTP/1.0", *headers, "", ""]
        self.sock.sendall("\r\n".join(lines).encode())
        head = b""
        while b"\r\n\r\n" not in head:
            chunk = self.sock.recv(1)
            if not chunk:
                break
            head += chunk
        self.head = head.decode()
        status_line = self.head.split("\r\n")[0]
        self.status = int(status_line.split()[1]) if status_line else 0
        self.buffer = b""

    def body(self):
        """The rest of a refusal: the server closes after it."""
        data = b""
        while True:
            chunk = self.sock.recv(4096)
            if not chunk:
                return data
            data += chunk

    def error(self):
        return json.loads(self.body())

    def read_until(self, text):
        while text.encode() not in self.buffer:
            chunk = self.sock.recv(4096)
            if not chunk:
                raise AssertionError(f"console closed before {text!r}; got {self.buffer!r}")
            self.buffer += chunk
        upto = self.buffer.index(text.encode()) + len(text)
        seen, self.buffer = self.buffer[:upto], self.buffer[upto:]
        return seen.decode()

    def type(self, text):
        self.sock.sendall(text.encode())

    def read_to_end(self):
        data = self.buffer
        while True:
            chunk = self.sock.recv(4096)
            if not chunk:
                return data
            data += chunk

    def close(self):
        self.sock.close()


def unix_console(daemon, target, headers=()):
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    sock.connect(daemon.socket)
    return Console(sock, target, headers)


def tls_console(daemon, target, headers=()):
    context = ssl.create_default_context(cafile=daemon.certificate)
    raw = socket.create_connection(("127.0.0.1", 443), timeout=60)
    return Console(context.wrap_socket(raw, server_hostname="127.0.0.1"), target, headers)


def target(console, session=None, key="ref"):
    query = {key: console}
    if session is not None:
        query["session_id"] = session
    return "/console?" + urllib.parse.urlencode(query)


def test_the_location_is_an_https_url_naming_the_console(daemon):
    proxy, s = daemon.root()
    vm = make_running_vm(proxy, s)
    console = console_of(proxy, s, vm)
    record = value(proxy.console.get_record(s, console))
    assert record["protocol"] == "vt100"
    assert record["location"].startswith("https://")
    assert record["location"].endswith("/console?ref=" + console)


def test_attach_over_the_unix_socket_type_and_read_the_echo(daemon):
    proxy, s = daemon.root()
    vm = make_running_vm(proxy, s, "web")
    c = unix_console(daemon, target(console_of(proxy, s, vm), s))
    assert c.status == 200, c.head
    assert c.head.startswith("HTTP/1.1 200 OK\r\n")
    assert "Tern simulated guest web" in c.read_until("web# ")
    c.type("hello console\r")
    assert c.read_until("web# ") == "hello console\r\necho: hello console\r\nweb# "
    c.close()
    # The daemon is unharmed and the console can be attached again.
    assert value(proxy.VM.get_power_state(s, vm)) == "Running"
    again = unix_console(daemon, target(console_of(proxy, s, vm), s))
    assert again.status == 200
    again.read_until("web# ")
    again.close()


def test_attach_over_https_with_the_session_as_a_cookie_and_by_uuid(daemon):
    proxy, s = daemon.root()
    vm = make_running_vm(proxy, s, "tls")
    console = console_of(proxy, s, vm)
    uuid = value(proxy.console.get_uuid(s, console))
    c = tls_console(daemon, target(uuid, key="uuid"), [f"Cookie: session_id={s}"])
    assert c.status == 200, c.head
    c.read_until("tls# ")
    c.type("x" * 3000 + "\r")  # more than one TLS record's worth of echo
    assert ("echo: " + "x" * 3000) in c.read_until("tls# ")
    c.close()


def test_a_basic_login_may_attach(daemon, local_account):
    user, password = local_account
    proxy, s = daemon.root()
    vm = make_running_vm(proxy, s, "basic")
    credentials = base64.b64encode(f"{user}:{password}".encode()).decode()
    c = tls_console(daemon, target(console_of(proxy, s, vm)),
                    [f"Authorization: Basic {credentials}"])
    assert c.status == 200, c.head
    c.read_until("basic# ")
    c.close()
    wrong = base64.b64encode(f"{user}:wrong".encode()).decode()
    c = tls_console(daemon, target(console_of(proxy, s, vm)), [f"Authorization: Basic {wrong}"])
    assert c.status == 401
    assert c.error()[0] == "SESSION_AUTHENTICATION_FAILED"


def test_refusals_are_http_statuses_with_the_xenapi_error(daemon):
    proxy, s = daemon.root()
    vm = make_running_vm(proxy, s)
    console = console_of(proxy, s, vm)

    c = unix_console(daemon, target(console, "OpaqueRef:nobody"))
    assert c.status == 401
    assert c.error() == ["SESSION_INVALID", "OpaqueRef:nobody"]

    c = unix_console(daemon, target(console))  # no session at all
    assert c.status == 401
    assert c.error()[0] == "SESSION_INVALID"

    c = tls_console(daemon, target("OpaqueRef:none", s))
    assert c.status == 404
    assert c.error() == ["HANDLE_INVALID", "console", "OpaqueRef:none"]

    c = unix_console(daemon, "/console?" + urllib.parse.urlencode({"session_id": s}))
    assert c.status == 400
    assert c.error() == ["MESSAGE_PARAMETER_MISSING", "ref"]

    value(proxy.VM.hard_shutdown(s, vm))
    c = unix_console(daemon, target(console, s))
    assert c.status == 409
    assert c.error() == ["VM_BAD_POWER_STATE", vm, "Running", "Halted"]

    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    sock.connect(daemon.socket)
    c = Console(sock, "/somewhere-else")
    assert c.status == 404
    # Other methods on /console are refused; ordinary calls still work afterwards.
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    sock.connect(daemon.socket)
    sock.sendall(f"GET {target(console, s)} HTTP/1.0\r\n\r\n".encode())
    assert sock.recv(4096).split(b"\r\n")[0].endswith(b" 405 Method Not Allowed")
    assert value(proxy.VM.get_power_state(s, vm)) == "Halted"


def test_two_clients_share_a_console(daemon):
    proxy, s = daemon.root()
    vm = make_running_vm(proxy, s, "shared")
    console = console_of(proxy, s, vm)
    one = unix_console(daemon, target(console, s))
    two = tls_console(daemon, target(console, s))
    assert one.status == 200 and two.status == 200
    one.read_until("shared# ")
    two.read_until("shared# ")
    one.type("from one\r")
    assert "echo: from one" in two.read_until("shared# ")
    assert "echo: from one" in one.read_until("shared# ")
    two.type("from two\r")
    assert "echo: from two" in one.read_until("shared# ")
    one.close()
    two.close()


def test_the_connection_closes_when_the_vm_stops(daemon):
    proxy, s = daemon.root()
    vm = make_running_vm(proxy, s, "brief")
    c = unix_console(daemon, target(console_of(proxy, s, vm), s))
    assert c.status == 200
    c.read_until("brief# ")
    value(proxy.VM.hard_shutdown(s, vm))
    c.read_to_end()  # end of file: the console went with the domain
    c.close()


def test_input_sent_with_the_request_reaches_the_guest(daemon):
    proxy, s = daemon.root()
    vm = make_running_vm(proxy, s)
    console = console_of(proxy, s, vm)
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    sock.connect(daemon.socket)
    sock.sendall(f"CONNECT {target(console, s)} HTTP/1.0\r\n\r\nearly\r".encode())
    c = Console.__new__(Console)
    c.sock, c.buffer = sock, b""
    assert "echo: early" in c.read_until("echo: early")
    sock.close()
