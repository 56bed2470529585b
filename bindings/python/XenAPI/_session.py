"""Session: a connection to xapid and the session reference it logged in with.

A drop-in for the well-known XenAPI.py's Session:

    session = XenAPI.Session("https://host")              # verifies the certificate
    session.xenapi.login_with_password("root", "secret", "2.1", "my-script")
    for vm in session.xenapi.VM.get_all(): ...
    task = session.xenapi.Async.VM.start(vm, False, False)
    session.xenapi.logout()

Threads: a Session may be shared by threads. It holds one connection and one lock; each call
holds the lock from sending its request until its answer is read, so calls from several
threads run one after the other, never interleaved. A call that blocks on the server (an
event.from with a timeout, a synchronous VM.start) therefore delays the other threads' calls
on that Session: give a thread that waits for events its own Session.
"""

from __future__ import annotations

import threading
import xmlrpc.client

from . import _api
from ._failure import Failure, failure_for
from ._transport import Channel, TransportError, connection_factory


def _wire(value):
    """Python values as XenAPI puts them on the wire: integers as decimal strings (XML-RPC's
    int is 32 bits and xapi's int is 64), everything else as it is."""
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, int):
        return str(value)
    if isinstance(value, dict):
        return {str(_wire(k)): _wire(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        return [_wire(v) for v in value]
    return value


class Session:
    """A XenAPI session over HTTPS, a Unix socket or ssh; see the module's documentation."""

    def __init__(self, uri: str, transport=None, encoding=None, verbose=False, allow_none=True,
                 ignore_ssl: bool = False, *, verify: bool = True, cafile: str | None = None,
                 fingerprint: str | None = None, timeout: float | None = None,
                 ssh_command: list[str] | None = None):
        # transport, encoding, verbose and allow_none are accepted for XenAPI.py's callers.
        del transport, encoding, verbose, allow_none
        self.uri = uri
        self._channel = Channel(connection_factory(
            uri, verify=verify and not ignore_ssl, cafile=cafile, fingerprint=fingerprint,
            timeout=timeout, ssh_command=ssh_command))
        self._lock = threading.Lock()
        self._session = None
        self.last_login_method = None
        self.last_login_params = None
        self.API_version = _api.API_VERSION

    # The API, as in XenAPI.py.

    @property
    def xenapi(self) -> "_api.XenAPIProxy":
        return _api.XenAPIProxy(self)

    @property
    def handle(self):
        """The session reference, once logged in."""
        return self._session

    def xenapi_request(self, methodname: str, params: tuple):
        """Calls `methodname` (e.g. 'VM.get_all') with the session reference put first."""
        if methodname.startswith("login") or methodname.endswith("login_with_password"):
            return self._login(methodname.split(".")[-1], tuple(params))
        if methodname in ("logout", "session.logout"):
            return self._logout()
        return self._call(methodname, tuple(params), True)

    # What the proxies call.

    def _login(self, method: str, params: tuple):
        self._session = self._request(f"session.{method}", params)
        self.last_login_method = method
        self.last_login_params = params
        return self._session

    def _logout(self) -> None:
        try:
            if self._session is not None:
                self._request("session.logout", (self._session,))
        finally:
            self._session = None
            self.last_login_method = None
            self.last_login_params = None

    def _call(self, name: str, args: tuple, with_session: bool = True):
        if not with_session:
            return self._request(name, args)
        try:
            return self._request(name, (self._session, *args))
        except Failure as failure:
            # As XenAPI.py: a session that timed out on the server is renewed once.
            if failure.code != "SESSION_INVALID" or self.last_login_method is None:
                raise
            self._login(self.last_login_method, self.last_login_params)
            return self._request(name, (self._session, *args))

    def _request(self, name: str, params: tuple):
        body = xmlrpc.client.dumps(tuple(_wire(p) for p in params), name,
                                   allow_none=True).encode()
        with self._lock:
            data = self._channel.round_trip(body)
        try:
            (answer,), _ = xmlrpc.client.loads(data)
        except xmlrpc.client.Fault:
            raise
        except Exception as e:
            raise TransportError(f"the answer to {name} is not XML-RPC: {e}") from None
        if not isinstance(answer, dict) or "Status" not in answer:
            raise TransportError(f"the answer to {name} is not a XenAPI result: {answer!r}")
        if answer["Status"] == "Success":
            return answer.get("Value")
        raise failure_for(answer.get("ErrorDescription"), _api.ERRORS)

    # Life time.

    def close(self) -> None:
        """Closes the connection (the server session stays until logout or its timeout)."""
        with self._lock:
            self._channel.close()

    def __enter__(self) -> "Session":
        return self

    def __exit__(self, *exc) -> None:
        try:
            if self._session is not None:
                self._logout()
        finally:
            self.close()

    def __getattr__(self, name: str):
        # XenAPI.py lets callers write session.logout() and session.login_with_password(...).
        if name == "logout":
            return self._logout
        if name.endswith("login_with_password"):
            return lambda *args: self._login(name, args)
        raise AttributeError(name)
