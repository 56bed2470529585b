"""Transports: one HTTP/1.1 connection kept alive across calls, over TLS, a Unix socket, or the
pipes of `ssh user@host xapid --stdio`.

A Channel sends one XML-RPC request body and returns the answer's body. It opens its
connection on first use and keeps it; when the server has closed an idle connection the next
call reconnects once. The caller (Session) serialises calls with its lock: a Channel is not
safe to use from two threads at once.
"""

from __future__ import annotations

import hashlib
import http.client
import socket
import ssl
import subprocess
import urllib.parse

USER_AGENT = "tern-xenapi-python/1"


class TransportError(Exception):
    """The connection failed or the server did not answer with HTTP 200."""


# ---------------------------------------------------------------------------------------------
# Connections: http.client connections over each kind of stream.


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    """HTTPS that trusts exactly the certificate whose SHA-256 digest is `fingerprint`."""

    def __init__(self, host, port, *, fingerprint: str, timeout):
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
        super().__init__(host, port, context=context, timeout=timeout)
        self._fingerprint = fingerprint

    def connect(self):
        super().connect()
        der = self.sock.getpeercert(binary_form=True)
        seen = hashlib.sha256(der).hexdigest()
        if seen != self._fingerprint:
            self.sock.close()
            self.sock = None
            raise ssl.SSLCertVerificationError(
                f"certificate fingerprint sha256:{seen} is not the pinned "
                f"sha256:{self._fingerprint}")


class _UnixHTTPConnection(http.client.HTTPConnection):
    """HTTP over a Unix stream socket."""

    def __init__(self, path: str, timeout):
        super().__init__("localhost", timeout=timeout)
        self._path = path

    def connect(self):
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            if self.timeout is not None:
                sock.settimeout(self.timeout)
            sock.connect(self._path)
        except BaseException:
            sock.close()
            raise
        self.sock = sock


class _KeepOpen:
    """A file that http.client may 'close' after each response without closing the pipe."""

    def __init__(self, stream):
        self._stream = stream

    def close(self):
        pass

    def __getattr__(self, name):
        return getattr(self._stream, name)


class _PipeSocket:
    """The two pipes of a child process, shaped like the socket http.client expects."""

    def __init__(self, argv: list[str]):
        self._proc = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE)

    def sendall(self, data: bytes):
        try:
            self._proc.stdin.write(data)
            self._proc.stdin.flush()
        except BrokenPipeError:
            raise http.client.RemoteDisconnected(self._exited()) from None

    def makefile(self, mode):
        return _KeepOpen(self._proc.stdout)

    def _exited(self) -> str:
        code = self._proc.poll()
        return f"the command ended (status {code})" if code is not None else "the pipe broke"

    def close(self):
        proc, self._proc = self._proc, None
        if proc is None:
            return
        for stream in (proc.stdin, proc.stdout):
            try:
                stream.close()
            except OSError:
                pass
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


class _PipeHTTPConnection(http.client.HTTPConnection):
    """HTTP over the stdin/stdout of a command, e.g. `ssh user@host xapid --stdio`."""

    def __init__(self, argv: list[str]):
        super().__init__("localhost")
        self._argv = argv

    def connect(self):
        self.sock = _PipeSocket(self._argv)


# ---------------------------------------------------------------------------------------------
# URLs


def _normalised_fingerprint(text: str) -> str:
    algorithm, _, digest = text.partition(":")
    if algorithm.lower() != "sha256" or not digest:
        raise ValueError("a fingerprint reads 'sha256:<hex digest>' (colons in the digest allowed)")
    digest = digest.replace(":", "").lower()
    if len(digest) != 64 or any(c not in "0123456789abcdef" for c in digest):
        raise ValueError(f"'{text}' is not a SHA-256 digest")
    return digest


def _tls_context(verify: bool, cafile: str | None) -> ssl.SSLContext:
    if not verify:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
        return context
    return ssl.create_default_context(cafile=cafile)


def connection_factory(url: str, *, verify: bool = True, cafile: str | None = None,
                       fingerprint: str | None = None, timeout: float | None = None,
                       ssh_command: list[str] | None = None,
                       remote_command: tuple[str, ...] = ("xapid", "--stdio")):
    """A function making a fresh http.client connection for `url`:
    https://host[:port], http://host[:port], unix:///path (or a bare path), ssh://[user@]host[:port]."""
    if url.startswith("/"):
        url = "unix://" + url
    parts = urllib.parse.urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme == "unix":
        path = parts.path or parts.netloc
        if not path:
            raise ValueError(f"'{url}' names no socket path")
        return lambda: _UnixHTTPConnection(path, timeout)
    if scheme == "https":
        host, port = parts.hostname, parts.port or 443
        if fingerprint is not None:
            pin = _normalised_fingerprint(fingerprint)
            return lambda: _PinnedHTTPSConnection(host, port, fingerprint=pin, timeout=timeout)
        context = _tls_context(verify, cafile)
        return lambda: http.client.HTTPSConnection(host, port, context=context, timeout=timeout)
    if scheme == "http":
        host, port = parts.hostname, parts.port or 80
        return lambda: http.client.HTTPConnection(host, port, timeout=timeout)
    if scheme == "ssh":
        if not parts.hostname:
            raise ValueError(f"'{url}' names no host")
        target = f"{parts.username}@{parts.hostname}" if parts.username else parts.hostname
        argv = list(ssh_command or ["ssh"])
        if parts.port:
            argv += ["-p", str(parts.port)]
        argv += [target, *remote_command]
        return lambda: _PipeHTTPConnection(argv)
    raise ValueError(f"unsupported URL '{url}': use https://, unix://, a path, or ssh://")


class Channel:
    """One kept-alive connection that carries XML-RPC request bodies."""

    _RECONNECTABLE = (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError,
                      http.client.CannotSendRequest)

    def __init__(self, factory):
        self._factory = factory
        self._connection = None

    def round_trip(self, body: bytes) -> bytes:
        for _ in range(2):
            fresh = self._connection is None
            if fresh:
                self._connection = self._factory()
            try:
                self._connection.request("POST", "/", body, {
                    "Content-Type": "text/xml", "User-Agent": USER_AGENT})
                response = self._connection.getresponse()
                data = response.read()
            except self._RECONNECTABLE:
                # A kept-alive connection the server closed while idle: try once on a new one.
                self.close()
                if fresh:
                    raise
                continue
            except BaseException:
                self.close()
                raise
            if response.will_close:
                self.close()
            if response.status != 200:
                raise TransportError(f"HTTP {response.status} {response.reason}")
            return data
        raise TransportError("the connection closed twice")

    def close(self) -> None:
        connection, self._connection = self._connection, None
        if connection is not None:
            connection.close()
