"""The objects behind `session.xenapi`: a proxy per class whose methods call
`<Class>.<message>` with the session reference first. The generated classes in _api.py
subclass these and add one typed method per message; names the schema does not know still
work through __getattr__, as in the well-known XenAPI.py, and the server answers them."""

from __future__ import annotations


class _Omitted:
    """Marks a trailing parameter the caller left out: it is not sent and the server uses the
    schema's default."""

    def __repr__(self) -> str:
        return "OMIT"


OMIT = _Omitted()


class _Method:
    """A message the schema does not name (or a deeper dotted name): called as is."""

    __slots__ = ("_owner", "_name")

    def __init__(self, owner: "ClassProxy", name: str):
        self._owner = owner
        self._name = name

    def __getattr__(self, name: str) -> "_Method":
        if name.startswith("__"):
            raise AttributeError(name)
        return _Method(self._owner, f"{self._name}.{name}")

    def __call__(self, *args):
        return self._owner._call(self._name, args)


class ClassProxy:
    """The messages of one class (or of Async.<class>)."""

    _class_name = ""
    __slots__ = ("_session", "_prefix")

    def __init__(self, session, prefix: str | None = None):
        self._session = session
        self._prefix = prefix or self._class_name

    def _call(self, message: str, args: tuple, with_session: bool = True):
        while args and args[-1] is OMIT:
            args = args[:-1]
        return self._session._call(f"{self._prefix}.{message}", args, with_session)

    def __getattr__(self, name: str) -> _Method:
        if name.startswith("_"):
            raise AttributeError(name)
        return _Method(self, name)

    def __repr__(self) -> str:
        return f"<XenAPI class proxy {self._prefix}>"


class AsyncProxyBase:
    """`session.xenapi.Async`: the Async.<class> proxies."""

    __slots__ = ("_session",)

    def __init__(self, session):
        self._session = session

    def __getattr__(self, name: str) -> ClassProxy:
        if name.startswith("_"):
            raise AttributeError(name)
        return ClassProxy(self._session, f"Async.{name}")


class RootProxyBase:
    """`session.xenapi`: the class proxies, Async, and the session's own login/logout."""

    __slots__ = ("_session",)

    def __init__(self, session):
        self._session = session

    def logout(self) -> None:
        """Ends the session on the server (session.logout) and forgets it here."""
        self._session._logout()

    def __getattr__(self, name: str):
        if name.startswith("_"):
            raise AttributeError(name)
        if name.endswith("login_with_password"):
            return lambda *args: self._session._login(name, args)
        return ClassProxy(self._session, name)
