"""Emits the generated half of the Python binding (the hand-written half is bindings/python/):

- <out>/python/XenAPI/_api.py: reference and enum type aliases, a TypedDict per record, a
  Failure subclass per error code, and a proxy class per class (and per Async.<class>) with
  one annotated method per message, which `session.xenapi` returns;
- <out>/python/XenAPI/__init__.pyi: the package's stub, so editors complete Session, the
  classes, their messages and record fields;
- <out>/docs/python-reference.md: the reference page (python_reference.py).
"""

from __future__ import annotations

import keyword
from pathlib import Path

from .model import Class, Message, Schema, Type
from . import python_reference
from .util import write_if_changed

# Names a Failure subclass may not use for a parameter property.
_FAILURE_ATTRIBUTES = {"code", "params", "details", "args", "param", "param_names", "code_name",
                       "with_traceback", "add_note"}


def py_name(name: str) -> str:
    """A schema name as a Python identifier: keywords and 'self' get a trailing underscore."""
    return f"{name}_" if keyword.iskeyword(name) or name == "self" else name


def ref_alias(cls: str) -> str:
    return f"{cls}Ref"


def record_name(cls: str) -> str:
    return f"{cls}Record"


def enum_alias(name: str) -> str:
    return "".join(part[:1].upper() + part[1:] for part in name.split("_"))


def annotation(t: Type, *, argument: bool = False) -> str:
    """The Python type of a wire value (ints travel as decimal strings; an argument may be
    given as an int, the binding converts it)."""
    if t.kind == "string":
        return "str"
    if t.kind == "int":
        return "int | str" if argument else "str"
    if t.kind == "float":
        return "float"
    if t.kind == "bool":
        return "bool"
    if t.kind == "datetime":
        return "DateTime | str"
    if t.kind == "enum":
        return enum_alias(t.name)
    if t.kind == "ref":
        return ref_alias(t.name)
    if t.kind == "record":
        return record_name(t.name)
    if t.kind == "set":
        return f"list[{annotation(t.elem, argument=argument)}]"
    if t.kind == "map":
        return f"dict[{annotation(t.key, argument=argument)}, " \
               f"{annotation(t.value, argument=argument)}]"
    return "None"


def docstring(text: str, indent: str) -> str:
    text = " ".join(text.replace("\\", "\\\\").replace('"""', "'''").split())
    return f'{indent}"""{text}"""' if text else f'{indent}"""."""'


def _default(p) -> str:
    if isinstance(p.default, (bool, int, float, str)):
        return repr(p.default)
    return "OMIT"


def _signature(msg: Message, receiver: str = "self") -> str:
    params = [receiver]
    for p in msg.params:
        text = f"{py_name(p.name)}: {annotation(p.type, argument=True)}"
        if p.has_default:
            text += f" = {_default(p)}"
        params.append(text)
    return ", ".join(params)


def _arguments(msg: Message) -> str:
    values = [f"float({py_name(p.name)})" if p.type.kind == "float" else py_name(p.name)
              for p in msg.params]
    return "(" + "".join(f"{v}, " for v in values) + ")"


def _message_doc(cls: Class, msg: Message, asynchronous: bool) -> str:
    doc = msg.doc
    if asynchronous:
        doc = f"As {cls.name}.{msg.name}, run as a task; returns the task. {doc}"
    if msg.errors:
        doc += f" Errors: {', '.join(msg.errors)}."
    return doc


def _method(cls: Class, msg: Message, asynchronous: bool) -> list[str]:
    name = py_name(msg.name)
    result = "TaskRef" if asynchronous else annotation(msg.result)
    call = f"self._call({msg.name!r}, {_arguments(msg)}" + \
           (", False)" if not msg.session else ")")
    return [f"    def {name}({_signature(msg)}) -> {result}:",
            docstring(_message_doc(cls, msg, asynchronous), "        "),
            f"        return {call}", ""]


def _keyword_aliases(py_class: str, messages: list[Message]) -> list[str]:
    """Messages named by Python keywords (event.from) are defined as from_ and reachable as
    getattr(proxy, 'from') too."""
    return [f"setattr({py_class}, {m.name!r}, {py_class}.{py_name(m.name)})"
            for m in messages if py_name(m.name) != m.name]


def render_api(schema: Schema) -> str:
    out = ['"""Generated from schema/ by bindings/generator/tern-gen (emit_python.py). Do not edit.',
           "",
           "Integers travel as decimal strings, as in XenAPI: results carry them as str, and",
           'arguments may be given as int or str."""', "",
           "from __future__ import annotations", "",
           "from typing import Literal, TypedDict", "from xmlrpc.client import DateTime", "",
           "from ._failure import Failure",
           "from ._proxy import OMIT, AsyncProxyBase, ClassProxy, RootProxyBase", "",
           f"API_VERSION = \"{schema.api_major}.{schema.api_minor}\"", ""]
    exported: list[str] = []

    out.append("# References: opaque strings ('OpaqueRef:...').")
    for name in schema.classes:
        out.append(f"{ref_alias(name)} = str")
        exported.append(ref_alias(name))
    out.append("TaskRef = taskRef" if "task" in schema.classes else "TaskRef = str")
    out.append("SessionRef = sessionRef" if "session" in schema.classes else "SessionRef = str")
    out += ["", "# Enums: the values the schema allows."]
    for enum in schema.enums.values():
        values = ", ".join(repr(v) for v, _ in enum.values)
        out.append(f"{enum_alias(enum.name)} = Literal[{values}]")
        exported.append(enum_alias(enum.name))

    out += ["", "# Records: what get_record returns and create takes (every field optional "
            "there)."]
    for cls in schema.classes.values():
        fields = [f for f in cls.fields if not f.internal]
        out.append(f"{record_name(cls.name)} = TypedDict({record_name(cls.name)!r}, {{")
        for f in fields:
            out.append(f"    {f.name!r}: {annotation(f.type)!r},")
        out.append("}, total=False)")
        exported.append(record_name(cls.name))

    out += ["", "", "# Errors: one Failure subclass per code, its parameters by name.", ""]
    for err in schema.errors.values():
        out += [f"class {err.code}(Failure):", docstring(err.doc, "    "),
                f"    code_name = {err.code!r}",
                f"    param_names = ({''.join(f'{p!r}, ' for p in err.params)})"]
        for index, p in enumerate(err.params):
            if p in _FAILURE_ATTRIBUTES or not py_name(p).isidentifier():
                continue
            out += ["", "    @property", f"    def {py_name(p)}(self) -> str | None:",
                    f"        return self.param({p!r})"]
        out += ["", ""]
        exported.append(err.code)
    out.append("ERRORS: dict[str, type[Failure]] = {")
    out += [f"    {e!r}: {e}," for e in schema.errors]
    out += ["}", "", ""]

    out.append("# Classes: session.xenapi.<Class>.<message>(...) puts the session first.")
    out.append("")
    for cls in schema.classes.values():
        out += [f"class {cls.name}(ClassProxy):", docstring(cls.doc, "    "),
                "    __slots__ = ()", f"    _class_name = {cls.name!r}", ""]
        for msg in cls.messages:
            out += _method(cls, msg, asynchronous=False)
        out += _keyword_aliases(cls.name, cls.messages)
        out.append("")
        asyncs = [m for m in cls.messages if m.async_]
        if asyncs:
            out += [f"class Async_{cls.name}(ClassProxy):",
                    docstring(f"Async.{cls.name}: its long messages run as tasks.", "    "),
                    "    __slots__ = ()", f"    _class_name = 'Async.{cls.name}'", ""]
            for msg in asyncs:
                out += _method(cls, msg, asynchronous=True)
            out += _keyword_aliases(f"Async_{cls.name}", asyncs)
            out.append("")

    out += ["class AsyncProxy(AsyncProxyBase):",
            docstring("session.xenapi.Async: the classes with messages that run as tasks.",
                      "    "), "    __slots__ = ()", ""]
    for cls in schema.classes.values():
        if any(m.async_ for m in cls.messages):
            out += ["    @property", f"    def {cls.name}(self) -> Async_{cls.name}:",
                    f"        return Async_{cls.name}(self._session)", ""]
    out += ["", "class XenAPIProxy(RootProxyBase):",
            docstring("session.xenapi: every class of the API, Async, login and logout.",
                      "    "), "    __slots__ = ()", ""]
    for cls in schema.classes.values():
        for msg in cls.messages:
            if not msg.session:
                out += [f"    def {py_name(msg.name)}({_signature(msg)}) -> "
                        f"{annotation(msg.result)}:",
                        docstring(_message_doc(cls, msg, False) +
                                  " The session keeps the reference for later calls.",
                                  "        "),
                        f"        args = {_arguments(msg)}",
                        "        while args and args[-1] is OMIT:",
                        "            args = args[:-1]",
                        f"        return self._session._login({msg.name!r}, args)", ""]
    out += ["    @property", "    def Async(self) -> AsyncProxy:",
            "        return AsyncProxy(self._session)", ""]
    for cls in schema.classes.values():
        out += ["    @property", f"    def {cls.name}(self) -> {cls.name}:",
                f"        return {cls.name}(self._session)", ""]
    out += ["", f"__all__ = {sorted(set(exported + ['TaskRef', 'SessionRef']))!r}", ""]
    return "\n".join(out)


def render_stub(schema: Schema) -> str:
    names = sorted({ref_alias(n) for n in schema.classes} | {"TaskRef", "SessionRef"}
                   | {enum_alias(e) for e in schema.enums}
                   | {record_name(n) for n in schema.classes} | set(schema.errors))
    out = ['"""Type stub of the XenAPI package. Generated from schema/ by tern-gen. Do not edit."""',
           "", "from typing import Any", "",
           "from ._api import API_VERSION as API_VERSION", "from ._api import ERRORS as ERRORS",
           "from ._api import XenAPIProxy as XenAPIProxy",
           "from ._failure import Failure as Failure", "from ._proxy import OMIT as OMIT",
           "from ._transport import TransportError as TransportError"]
    out += [f"from ._api import {n} as {n}" for n in names]
    out += ["", "", "class Session:",
            "    uri: str",
            "    API_version: str",
            "    last_login_method: str | None",
            "    def __init__(self, uri: str, transport: Any = ..., encoding: Any = ..., "
            "verbose: Any = ..., allow_none: Any = ..., ignore_ssl: bool = ..., *, "
            "verify: bool = ..., cafile: str | None = ..., fingerprint: str | None = ..., "
            "timeout: float | None = ..., ssh_command: list[str] | None = ...) -> None: ...",
            "    @property", "    def xenapi(self) -> XenAPIProxy: ...",
            "    @property", "    def handle(self) -> SessionRef | None: ...",
            "    def xenapi_request(self, methodname: str, params: tuple[Any, ...]) -> Any: ...",
            "    def logout(self) -> None: ...",
            "    def close(self) -> None: ...",
            "    def __enter__(self) -> Session: ...",
            "    def __exit__(self, *exc: object) -> None: ...", ""]
    return "\n".join(out)


def emit(schema: Schema, out: Path) -> list[Path]:
    package = out / "python" / "XenAPI"
    return [write_if_changed(package / "_api.py", render_api(schema)),
            write_if_changed(package / "__init__.pyi", render_stub(schema)),
            write_if_changed(out / "docs" / "python-reference.md",
                             python_reference.render(schema, _call_signature))]


def _call_signature(msg: Message) -> str:
    return ", ".join(py_name(p.name) + ("=..." if p.has_default else "") for p in msg.params)
