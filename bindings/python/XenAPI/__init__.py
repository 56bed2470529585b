"""XenAPI: the Python binding of Tern's XenAPI, generated from schema/.

A drop-in for the well-known XenAPI.py (`XenAPI.Session`, `session.xenapi.<Class>.<message>`,
`session.xenapi.Async.<Class>.<message>`, `XenAPI.Failure`), plus one Failure subclass per
error code (`XenAPI.VM_BAD_POWER_STATE`), TypedDicts for records (`XenAPI.VMRecord`) and a
.pyi stub for editors. Standard library only. See README.md for the transports and threads.
"""

from . import _api
from ._api import *  # noqa: F401,F403  (error classes, record types, reference aliases)
from ._api import API_VERSION, ERRORS, XenAPIProxy  # noqa: F401
from ._failure import Failure
from ._proxy import OMIT  # noqa: F401
from ._session import Session
from ._transport import TransportError  # noqa: F401

__all__ = ["Session", "Failure", "TransportError", "API_VERSION", "ERRORS"] + list(
    _api.__all__)  # noqa: F405

