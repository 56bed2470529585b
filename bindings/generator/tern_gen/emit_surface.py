"""Emits the API surface: one line per class, message (with its parameters and result), field
and error code. schema/api-surface.txt holds the released surface; the build diffs the two and
refuses a removal. Output: <out>/api-surface.txt."""

from __future__ import annotations

from pathlib import Path

from .model import Schema
from .util import write_if_changed


def lines(schema: Schema) -> list[str]:
    out = []
    for cls in schema.classes.values():
        out.append(f"class {cls.name}")
        for f in cls.fields:
            if not f.internal:
                out.append(f"field {cls.name}.{f.name} : {f.type} {f.qualifier}")
        for m in cls.messages:
            params = ", ".join(f"{p.type} {p.name}" for p in m.params)
            out.append(f"message {cls.name}.{m.name}({params}) -> {m.result}")
    for e in schema.enums.values():
        for v, _ in e.values:
            out.append(f"enum {e.name}.{v}")
    for err in schema.errors.values():
        out.append(f"error {err.code}({', '.join(err.params)})")
    return sorted(out)


def emit(schema: Schema, out: Path) -> list[Path]:
    return [write_if_changed(out / "api-surface.txt", "\n".join(lines(schema)) + "\n")]
