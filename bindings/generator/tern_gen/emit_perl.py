"""Emits the generated half of the Perl binding (the hand-written half is bindings/perl/):

- <out>/perl/lib/XenAPI/API.pm: the record field types, a proxy package per class
  (XenAPI::Class::<Class>) and per Async class (XenAPI::Async::<Class>) with one sub per
  message that types its arguments for the wire, and the accessors $xen-><Class>,
  $xen->Async-><Class> and the session-less login messages on XenAPI itself;
- <out>/perl/lib/XenAPI/Errors.pm: XenAPI::Failure::<CODE> per error code, with the names
  of its parameters and an accessor for each;
- <out>/docs/perl-reference.md: the reference page (perl_reference.py).
"""

from __future__ import annotations

from pathlib import Path

from . import perl_reference
from .model import Message, Schema, Type
from .util import write_if_changed

# Methods of XenAPI::Failure that a parameter accessor may not replace.
_FAILURE_METHODS = {"code", "params", "param", "details", "param_names", "new", "throw",
                    "as_string", "from_description", "isa", "can", "DOES", "VERSION", "import"}


def perl_type(t: Type) -> str:
    """The wire type descriptor XenAPI::Codec reads."""
    if t.kind in ("string", "int", "enum", "ref"):
        return "'s'"
    if t.kind == "bool":
        return "'b'"
    if t.kind == "float":
        return "'f'"
    if t.kind == "datetime":
        return "'d'"
    if t.kind == "set":
        return f"['set', {perl_type(t.elem)}]"
    if t.kind == "map":
        return f"['map', {perl_type(t.key)}, {perl_type(t.value)}]"
    if t.kind == "record":
        return f"['record', '{t.name}']"
    return "'any'"


def comment(text: str, indent: str = "") -> list[str]:
    words, lines, line = " ".join(text.split()).split(" "), [], ""
    for word in words:
        if line and len(line) + len(word) > 90:
            lines.append(line)
            line = ""
        line = f"{line} {word}" if line else word
    if line:
        lines.append(line)
    return [f"{indent}# {part}" for part in lines]


def _types(msg: Message) -> str:
    return "[" + ", ".join(perl_type(p.type) for p in msg.params) + "]"


def _sub(msg: Message, owner: str) -> list[str]:
    params = ", ".join(f"${p.name}" for p in msg.params)
    head = comment(f"{owner}.{msg.name}({params}) -> {msg.result}. {msg.doc}"
                   + (f" Errors: {', '.join(msg.errors)}." if msg.errors else ""))
    if not msg.session:
        body = (f"    my $self = shift;\n    return $self->{{session}}->_login('{msg.name}', "
                f"{_types(msg)}, [@_]);")
    else:
        body = f"    my $self = shift;\n    return $self->_call('{msg.name}', {_types(msg)}, [@_]);"
    return head + [f"sub {msg.name} {{", body, "}", ""]


def render_api(schema: Schema) -> str:
    out = ["package XenAPI::API;", "",
           "# Generated from schema/ by bindings/generator/tern-gen (emit_perl.py). Do not edit.",
           "", "use strict;", "use warnings;", "",
           f"our $API_VERSION = '{schema.api_major}.{schema.api_minor}';", "",
           "# The wire type of every field of every record (see XenAPI::Codec).",
           "%XenAPI::Codec::RECORD_TYPES = ("]
    for cls in schema.classes.values():
        out.append(f"    '{cls.name}' => {{")
        out += [f"        '{f.name}' => {perl_type(f.type)}," for f in cls.fields if not f.internal]
        out.append("    },")
    out += [");", ""]
    out.append("# Every class and message, for callers that want to list them.")
    out.append("our %MESSAGES = (")
    for cls in schema.classes.values():
        out.append(f"    '{cls.name}' => [qw({' '.join(m.name for m in cls.messages)})],")
    out += [");", "our %ASYNC_MESSAGES = ("]
    for cls in schema.classes.values():
        names = [m.name for m in cls.messages if m.async_]
        if names:
            out.append(f"    '{cls.name}' => [qw({' '.join(names)})],")
    out += [");", ""]

    for cls in schema.classes.values():
        out += [f"package XenAPI::Class::{cls.name};", ""] + comment(f"{cls.name}: {cls.doc}")
        out += ["our @ISA = ('XenAPI::Proxy');", ""]
        for msg in cls.messages:
            out += _sub(msg, cls.name)
        asyncs = [m for m in cls.messages if m.async_]
        if asyncs:
            out += [f"package XenAPI::Async::{cls.name};", "",
                    f"# Async.{cls.name}: each sub runs its message as a task and returns the task.",
                    "our @ISA = ('XenAPI::Proxy');", ""]
            for msg in asyncs:
                out += _sub(msg, f"Async.{cls.name}")

    out += ["package XenAPI::AsyncProxy;", ""]
    for cls in schema.classes.values():
        if any(m.async_ for m in cls.messages):
            out.append(f"sub {cls.name} {{ return XenAPI::Async::{cls.name}->_new($_[0]{{session}}, "
                       f"'Async.{cls.name}') }}")
    out += ["", "package XenAPI;", ""]
    for cls in schema.classes.values():
        out.append(f"sub {cls.name} {{ return XenAPI::Class::{cls.name}->_new($_[0], "
                   f"'{cls.name}') }}")
    out.append("")
    for cls in schema.classes.values():
        for msg in cls.messages:
            if not msg.session:
                out += comment(f"{cls.name}.{msg.name}: {msg.doc} Keeps the session for "
                               "later calls.")
                out += [f"sub {msg.name} {{", "    my $self = shift;",
                        f"    return $self->_login('{msg.name}', {_types(msg)}, [@_]);", "}", ""]
    out += ["1;", ""]
    return "\n".join(out)


def render_errors(schema: Schema) -> str:
    out = ["package XenAPI::Errors;", "",
           "# Generated from schema/ by bindings/generator/tern-gen (emit_perl.py). Do not edit.",
           "# One XenAPI::Failure subclass per error code: XenAPI::Failure::<CODE>.", "",
           "use strict;", "use warnings;", "",
           f"our @CODES = qw({' '.join(schema.errors)});", ""]
    for err in schema.errors.values():
        out += [f"package XenAPI::Failure::{err.code};", ""] + comment(err.doc)
        out += ["our @ISA = ('XenAPI::Failure');",
                f"sub param_names {{ return qw({' '.join(err.params)}) }}"]
        for p in err.params:
            if p not in _FAILURE_METHODS:
                out.append(f"sub {p} {{ return $_[0]->param('{p}') }}")
        out.append("")
    out += ["1;", ""]
    return "\n".join(out)


def emit(schema: Schema, out: Path) -> list[Path]:
    lib = out / "perl" / "lib" / "XenAPI"
    return [write_if_changed(lib / "API.pm", render_api(schema)),
            write_if_changed(lib / "Errors.pm", render_errors(schema)),
            write_if_changed(out / "docs" / "perl-reference.md", perl_reference.render(schema))]
