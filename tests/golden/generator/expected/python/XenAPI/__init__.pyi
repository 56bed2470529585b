"""Type stub of the XenAPI package. Generated from schema/ by tern-gen. Do not edit."""

from typing import Any

from ._api import API_VERSION as API_VERSION
from ._api import ERRORS as ERRORS
from ._api import XenAPIProxy as XenAPIProxy
from ._failure import Failure as Failure
from ._proxy import OMIT as OMIT
from ._transport import TransportError as TransportError
from ._api import BOX_FULL as BOX_FULL
from ._api import Colour as Colour
from ._api import HANDLE_INVALID as HANDLE_INVALID
from ._api import SessionRef as SessionRef
from ._api import TaskRef as TaskRef
from ._api import boxRecord as boxRecord
from ._api import boxRef as boxRef
from ._api import thingRecord as thingRecord
from ._api import thingRef as thingRef


class Session:
    uri: str
    API_version: str
    last_login_method: str | None
    def __init__(self, uri: str, transport: Any = ..., encoding: Any = ..., verbose: Any = ..., allow_none: Any = ..., ignore_ssl: bool = ..., *, verify: bool = ..., cafile: str | None = ..., fingerprint: str | None = ..., timeout: float | None = ..., ssh_command: list[str] | None = ...) -> None: ...
    @property
    def xenapi(self) -> XenAPIProxy: ...
    @property
    def handle(self) -> SessionRef | None: ...
    def xenapi_request(self, methodname: str, params: tuple[Any, ...]) -> Any: ...
    def logout(self) -> None: ...
    def close(self) -> None: ...
    def __enter__(self) -> Session: ...
    def __exit__(self, *exc: object) -> None: ...
