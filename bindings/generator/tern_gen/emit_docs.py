"""Emits the API reference as Markdown: every class with its fields and messages, the enums,
and the error catalogue. Output: <out>/docs/api-reference.md."""

from __future__ import annotations

from pathlib import Path

from .model import Schema
from .util import write_if_changed

QUAL = {"RO_run": "read-only", "RO_ins": "set at creation", "RW": "read-write"}


def render(schema: Schema) -> str:
    out = [f"# XenAPI reference (API version {schema.api_major}.{schema.api_minor}, "
           f"vendor {schema.vendor})", "",
           "Generated from schema/ by bindings/generator/tern-gen. Every call takes the session "
           "reference first unless it says otherwise; `Async.<class>.<message>` runs a message "
           "marked async as a task.", "", "## Classes", ""]
    out += [f"- [{c}](#class-{c.lower()})" for c in schema.classes]
    for cls in schema.classes.values():
        out += ["", f"## Class {cls.name}", "", cls.doc, "", f"Since: {cls.since}.", "",
                "### Fields", "", "| field | type | access | since | description |",
                "|---|---|---|---|---|"]
        for f in cls.fields:
            if f.internal:
                continue
            out.append(f"| `{f.name}` | `{f.type}` | {QUAL[f.qualifier]} | {f.since} | {f.doc} |")
        out += ["", "### Messages", ""]
        for m in cls.messages:
            params = ", ".join(f"{p.type} {p.name}" + (" = default" if p.has_default else "")
                               for p in m.params)
            session = "" if not m.session else ("session" + (", " if params else ""))
            flags = []
            if m.async_:
                flags.append("async")
            if m.implicit:
                flags.append("generated")
            if m.roles:
                flags.append("role " + ", ".join(m.roles))
            out.append(f"- `{m.result} {cls.name}.{m.name}({session}{params})`"
                       + (f" — {', '.join(flags)}" if flags else ""))
            out.append(f"  {m.doc}" + (f" Errors: {', '.join(m.errors)}." if m.errors else ""))
    out += ["", "## Enums", ""]
    for e in schema.enums.values():
        out.append(f"- `{e.name}`: {e.doc} Values: " + ", ".join(f"`{v}`" for v, _ in e.values))
    out += ["", "## Errors", "", "| code | parameters | meaning |", "|---|---|---|"]
    for err in schema.errors.values():
        out.append(f"| `{err.code}` | {', '.join(err.params)} | {err.doc} |")
    return "\n".join(out) + "\n"


def emit(schema: Schema, out: Path) -> list[Path]:
    return [write_if_changed(out / "docs" / "api-reference.md", render(schema))]
