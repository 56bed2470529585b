"""The datamodel: load schema/*.toml, validate it, and expand the implicit messages.

Every emitter works from the Schema this module returns; nothing else reads the TOML files.
Errors name the file and the line of the offending name.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

PRIMITIVES = ("string", "int", "float", "bool", "datetime")
QUALIFIERS = ("RO_run", "RO_ins", "RW")


class SchemaError(Exception):
    """A problem in the schema, as 'file:line: message'."""


@dataclass(frozen=True)
class Type:
    kind: str  # string int float bool datetime enum ref set map record void
    name: str | None = None
    elem: "Type | None" = None
    key: "Type | None" = None
    value: "Type | None" = None

    def __str__(self) -> str:
        if self.kind in PRIMITIVES or self.kind == "void":
            return self.kind
        if self.kind == "enum":
            return self.name
        if self.kind == "ref":
            return f"{self.name} ref"
        if self.kind == "record":
            return f"{self.name} record"
        if self.kind == "set":
            return f"{_grouped(self.elem)} set"
        return f"({_grouped(self.key)} -> {_grouped(self.value)}) map"


def _grouped(t: Type) -> str:
    return f"({t})" if t.kind in ("ref", "record", "set", "map") else str(t)


@dataclass
class Field:
    name: str
    type: Type
    qualifier: str
    doc: str
    default: object | None = None
    since: str = "1.0"
    internal: bool = False
    inverse: str | None = None  # bound field: the set field of the referenced class that lists us


@dataclass
class Param:
    name: str
    type: Type
    doc: str
    default: object | None = None
    has_default: bool = False


@dataclass
class Message:
    name: str
    doc: str
    params: list[Param]
    result: Type
    result_doc: str = ""
    errors: list[str] = field(default_factory=list)
    async_: bool = False
    static: bool = False
    session: bool = True
    since: str = "1.0"
    roles: list[str] = field(default_factory=list)
    implicit: str | None = None
    field: str | None = None


@dataclass
class Class:
    name: str
    doc: str
    since: str
    fields: list[Field]
    messages: list[Message]
    persist: bool = True
    has_create: bool = False
    has_destroy: bool = False

    def field_named(self, name: str) -> Field | None:
        return next((f for f in self.fields if f.name == name), None)


@dataclass
class Enum:
    name: str
    doc: str
    values: list[tuple[str, str]]


@dataclass
class Error:
    code: str
    params: list[str]
    doc: str


@dataclass
class Schema:
    api_major: int
    api_minor: int
    vendor: str
    releases: list[str]
    roles: list[str]
    classes: dict[str, Class]
    enums: dict[str, Enum]
    errors: dict[str, Error]


# ---------------------------------------------------------------------------------------------
# Type strings


_TOKEN = re.compile(r"\s*(->|\(|\)|[A-Za-z_][A-Za-z0-9_]*)")


def _tokens(text: str) -> list[str]:
    out, pos = [], 0
    text = text.rstrip()
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if not m:
            raise ValueError(f"unexpected '{text[pos:].strip()}' in type '{text}'")
        out.append(m.group(1))
        pos = m.end()
    return out


def parse_type(text: str) -> Type:
    """Parses a type string of the grammar in schema/README.md; names are not resolved."""
    toks = _tokens(text)
    t, rest = _parse(toks, text)
    if rest:
        raise ValueError(f"unexpected '{' '.join(rest)}' in type '{text}'")
    return t


def _parse(toks: list[str], text: str) -> tuple[Type, list[str]]:
    if not toks:
        raise ValueError(f"type '{text}' ends too early")
    head, rest = toks[0], toks[1:]
    if head == "(":
        inner, rest = _parse(rest, text)
        if rest[:1] == ["->"]:
            value, rest = _parse(rest[1:], text)
            if rest[:1] != [")"] or rest[1:2] != ["map"]:
                raise ValueError(f"a map must read '(K -> V) map' in '{text}'")
            t, rest = Type("map", key=inner, value=value), rest[2:]
        else:
            if rest[:1] != [")"]:
                raise ValueError(f"missing ')' in '{text}'")
            t, rest = inner, rest[1:]
    elif head in PRIMITIVES or head == "void":
        t = Type(head)
    elif head in ("set", "map", "ref", "record", "->", ")"):
        raise ValueError(f"unexpected '{head}' in type '{text}'")
    else:
        if rest[:1] == ["ref"]:
            t, rest = Type("ref", name=head), rest[1:]
        elif rest[:1] == ["record"]:
            t, rest = Type("record", name=head), rest[1:]
        else:
            t = Type("enum", name=head)
    while rest[:1] == ["set"]:
        t, rest = Type("set", elem=t), rest[1:]
    # A map's value may itself be followed by 'set' (e.g. int -> string set) before ')'.
    return t, rest


# ---------------------------------------------------------------------------------------------
# Loading


class _Source:
    """A TOML file and its text, to point at lines."""

    def __init__(self, path: Path):
        self.path = path
        self.text = path.read_text()
        try:
            self.data = tomllib.loads(self.text)
        except tomllib.TOMLDecodeError as e:
            raise SchemaError(f"{path}: {e}") from None

    def where(self, needle: str) -> str:
        """The line that defines `needle` (name = "needle"), else the first that quotes it,
        else the first that mentions it."""
        lines = self.text.splitlines()
        tests = (
            lambda line: re.search(rf'\bname\s*=\s*"{re.escape(needle)}"', line),
            lambda line: f'"{needle}"' in line,
            lambda line: re.search(rf"\b{re.escape(needle)}\b", line),
        )
        for test in tests:
            for number, line in enumerate(lines, 1):
                if test(line):
                    return f"{self.path}:{number}"
        return f"{self.path}:1"

    def fail(self, needle: str, message: str) -> SchemaError:
        return SchemaError(f"{self.where(needle)}: {message}")


def _type(src: _Source, text: str, owner: str) -> Type:
    try:
        return parse_type(text)
    except ValueError as e:
        raise src.fail(owner, str(e)) from None


def load(schema_dir: str | Path) -> Schema:
    schema_dir = Path(schema_dir)
    api = _Source(schema_dir / "api.toml").data
    enums_src = _Source(schema_dir / "enums.toml")
    errors_src = _Source(schema_dir / "errors.toml")

    enums = {
        name: Enum(name, e.get("doc", ""), [(v["name"], v.get("doc", "")) for v in e["values"]])
        for name, e in enums_src.data.get("enum", {}).items()
    }
    errors = {
        code: Error(code, list(e.get("params", [])), e.get("doc", ""))
        for code, e in errors_src.data.get("error", {}).items()
    }
    releases = list(api.get("releases", ["1.0"]))
    roles = list(api.get("roles", []))

    classes: dict[str, Class] = {}
    sources: dict[str, _Source] = {}
    for path in sorted((schema_dir / "classes").glob("*.toml")):
        src = _Source(path)
        cls = _load_class(src, releases, roles)
        if cls.name in classes:
            raise src.fail(cls.name, f"class {cls.name} is defined twice")
        classes[cls.name] = cls
        sources[cls.name] = src

    schema = Schema(
        api_major=int(api["api_version_major"]),
        api_minor=int(api["api_version_minor"]),
        vendor=str(api.get("vendor", "")),
        releases=releases,
        roles=roles,
        classes=classes,
        enums=enums,
        errors=errors,
    )
    for name, cls in classes.items():
        _validate_class(sources[name], cls, schema)
        _expand_implicit(sources[name], cls)
    return schema


def _load_class(src: _Source, releases: list[str], roles: list[str]) -> Class:
    d = src.data
    if "name" not in d:
        raise SchemaError(f"{src.path}:1: a class needs a name")
    name = d["name"]
    since = d.get("since", "1.0")
    if since not in releases:
        raise src.fail("since", f"unknown release '{since}'")
    fields = []
    for f in d.get("fields", []):
        for key in ("name", "type", "qualifier"):
            if key not in f:
                raise src.fail(f.get("name", "fields"), f"a field needs '{key}'")
        if f["qualifier"] not in QUALIFIERS:
            raise src.fail(f["name"], f"qualifier must be one of {', '.join(QUALIFIERS)}")
        fsince = f.get("since", since)
        if fsince not in releases:
            raise src.fail(f["name"], f"unknown release '{fsince}'")
        fields.append(
            Field(
                name=f["name"],
                type=_type(src, f["type"], f["name"]),
                qualifier=f["qualifier"],
                doc=f.get("doc", ""),
                default=f.get("default"),
                since=fsince,
                internal=bool(f.get("internal", False)),
                inverse=f.get("inverse"),
            )
        )
    messages = []
    for m in d.get("message", []):
        params = [
            Param(
                name=p["name"],
                type=_type(src, p["type"], p["name"]),
                doc=p.get("doc", ""),
                default=p.get("default"),
                has_default="default" in p,
            )
            for p in m.get("params", [])
        ]
        msince = m.get("since", since)
        if msince not in releases:
            raise src.fail(m["name"], f"unknown release '{msince}'")
        for role in m.get("roles", []):
            if role not in roles:
                raise src.fail(m["name"], f"unknown role '{role}'")
        messages.append(
            Message(
                name=m["name"],
                doc=m.get("doc", ""),
                params=params,
                result=_type(src, m.get("result", "void"), m["name"]),
                result_doc=m.get("result_doc", ""),
                errors=list(m.get("errors", [])),
                async_=bool(m.get("async", False)),
                static=bool(m.get("static", False)),
                session=bool(m.get("session", True)),
                since=msince,
                roles=list(m.get("roles", [])),
            )
        )
    cls = Class(
        name=name,
        doc=d.get("doc", ""),
        since=since,
        fields=fields,
        messages=messages,
        persist=bool(d.get("persist", True)),
        has_create=bool(d.get("create", False)),
        has_destroy=bool(d.get("destroy", False)),
    )
    cls._switches = {  # type: ignore[attr-defined]
        "get_all": bool(d.get("get_all", True)),
        "get_record": bool(d.get("get_record", True)),
        "get_by_name_label": bool(d.get("get_by_name_label", True)),
    }
    return cls


def _check_type(src: _Source, t: Type, schema: Schema, owner: str) -> None:
    if t.kind == "enum" and t.name not in schema.enums:
        raise src.fail(owner, f"unknown enum or type '{t.name}'")
    if t.kind in ("ref", "record") and t.name not in schema.classes:
        raise src.fail(owner, f"unknown class '{t.name}'")
    for sub in (t.elem, t.key, t.value):
        if sub is not None:
            _check_type(src, sub, schema, owner)
    if t.kind == "map" and t.key.kind not in ("string", "int", "ref", "enum"):
        raise src.fail(owner, "map keys must be strings, ints, refs or enums")


def _check_default(src: _Source, t: Type, value: object, schema: Schema, owner: str) -> None:
    ok = {
        "string": isinstance(value, str),
        "int": isinstance(value, int) and not isinstance(value, bool),
        "float": isinstance(value, (int, float)) and not isinstance(value, bool),
        "bool": isinstance(value, bool),
        "datetime": isinstance(value, str),
        "enum": isinstance(value, str)
        and t.name in schema.enums
        and value in [v for v, _ in schema.enums[t.name].values],
        "ref": isinstance(value, str),
        "set": isinstance(value, list),
        "map": isinstance(value, dict),
    }.get(t.kind, False)
    if not ok:
        raise src.fail(owner, f"default {value!r} is not a valid {t}")


def _validate_class(src: _Source, cls: Class, schema: Schema) -> None:
    seen: set[str] = set()
    for f in cls.fields:
        if f.name in seen:
            raise src.fail(f.name, f"field {f.name} is defined twice")
        seen.add(f.name)
        _check_type(src, f.type, schema, f.name)
        if f.default is not None:
            _check_default(src, f.type, f.default, schema, f.name)
        if f.inverse is not None:
            target = schema.classes.get(f.type.name) if f.type.kind == "ref" else None
            other = target.field_named(f.inverse) if target else None
            want = Type("set", elem=Type("ref", name=cls.name))
            if other is None or other.type != want or other.qualifier != "RO_run":
                raise src.fail(f.name, f"inverse '{f.inverse}' must be a read-only "
                                       f"'{want}' field of {f.type}")
    names: set[str] = set()
    for m in cls.messages:
        if m.name in names:
            raise src.fail(m.name, f"message {m.name} is defined twice")
        names.add(m.name)
        for p in m.params:
            _check_type(src, p.type, schema, p.name)
            if p.has_default:
                _check_default(src, p.type, p.default, schema, p.name)
        _check_type(src, m.result, schema, m.name)
        for code in m.errors:
            if code not in schema.errors:
                raise src.fail(code, f"message {m.name} names unknown error {code}")
        defaults = [p.has_default for p in m.params]
        if defaults != sorted(defaults):
            raise src.fail(m.name, "parameters with defaults must come last")


def _expand_implicit(src: _Source, cls: Class) -> None:
    """Adds the generated messages of reference §2.2 after the explicit ones."""
    explicit = {m.name for m in cls.messages}
    switches = cls._switches  # type: ignore[attr-defined]
    ref = Type("ref", name=cls.name)
    self_param = Param("self", ref, f"The {cls.name}.")
    implicit: list[Message] = []

    def add(name: str, kind: str, params: list[Param], result: Type, doc: str, **kw) -> None:
        if name in explicit:
            return  # an explicit message of that name wins (e.g. task.create)
        implicit.append(
            Message(name=name, doc=doc, params=params, result=result, implicit=kind, **kw)
        )

    for f in cls.fields:
        if f.internal:
            continue
        add(f"get_{f.name}", "get_field", [self_param], f.type, f"Get the {f.name} field.",
            field=f.name, since=f.since)
        if f.qualifier != "RW":
            continue
        add(f"set_{f.name}", "set_field", [self_param, Param("value", f.type, "The new value.")],
            Type("void"), f"Set the {f.name} field.", field=f.name, since=f.since,
            errors=["INVALID_VALUE"] if f.type.kind == "enum" else [])
        if f.type.kind == "map":
            add(f"add_to_{f.name}", "add_to_map",
                [self_param, Param("key", f.type.key, "The key."),
                 Param("value", f.type.value, "The value.")],
                Type("void"), f"Add a key to the {f.name} map.", field=f.name, since=f.since,
                errors=["MAP_DUPLICATE_KEY"])
            add(f"remove_from_{f.name}", "remove_from_map",
                [self_param, Param("key", f.type.key, "The key.")],
                Type("void"), f"Remove a key from the {f.name} map.", field=f.name,
                since=f.since)
        elif f.type.kind == "set":
            add(f"add_{f.name}", "add_to_set", [self_param, Param("value", f.type.elem, "The element.")],
                Type("void"), f"Add an element to the {f.name} set.", field=f.name, since=f.since)
            add(f"remove_{f.name}", "remove_from_set",
                [self_param, Param("value", f.type.elem, "The element.")],
                Type("void"), f"Remove an element from the {f.name} set.", field=f.name,
                since=f.since)

    record = Type("record", name=cls.name)
    if switches["get_record"]:
        add("get_record", "get_record", [self_param], record,
            f"Get every field of a {cls.name}.")
    if cls.field_named("uuid") is not None:
        add("get_by_uuid", "get_by_uuid", [Param("uuid", Type("string"), "The uuid.")], ref,
            f"Get the {cls.name} with this uuid.", static=True, errors=["UUID_INVALID"])
    if cls.field_named("name_label") is not None and switches["get_by_name_label"]:
        add("get_by_name_label", "get_by_name_label",
            [Param("label", Type("string"), "The name.")], Type("set", elem=ref),
            f"Get every {cls.name} with this name.", static=True)
    if switches["get_all"]:
        add("get_all", "get_all", [], Type("set", elem=ref), f"Get every {cls.name}.",
            static=True)
        add("get_all_records", "get_all_records", [], Type("map", key=ref, value=record),
            f"Get every {cls.name} with all its fields.", static=True)
    if cls.has_create:
        add("create", "create", [Param("args", record, "The new object's fields.")], ref,
            f"Create a new {cls.name}.", static=True, async_=True,
            errors=["FIELD_TYPE_ERROR", "INVALID_VALUE"])
    if cls.has_destroy:
        add("destroy", "destroy", [self_param], Type("void"), f"Destroy a {cls.name}.",
            async_=True)
    cls.messages.extend(implicit)
