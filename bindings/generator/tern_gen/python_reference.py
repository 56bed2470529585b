"""The Python binding's reference page (Markdown), from the schema: how to connect, one
example, then every class with its messages as Python signatures and its record's fields.
Written by emit_python to <out>/docs/python-reference.md."""

from __future__ import annotations

from .model import Schema

EXAMPLE = '''```python
import XenAPI

session = XenAPI.Session("https://xapid.example", cafile="/etc/tern/xapid.pem")
x = session.xenapi
x.login_with_password("root", "secret", "2.1", "example")
try:
    for vm, record in x.VM.get_all_records().items():
        print(record["name_label"], record["power_state"])
    vm = x.VM.get_by_name_label("guest")[0]
    task = x.Async.VM.start(vm, False, False)
    print(x.task.get_status(task))
    x.VM.pause(vm)
except XenAPI.VM_BAD_POWER_STATE as e:
    print("not now:", e.expected, e.actual)
except XenAPI.Failure as e:
    print("failed:", e.code, e.params)
finally:
    x.logout()
```'''

INTRO = """Generated from schema/ by bindings/generator/tern-gen. The package `XenAPI` (install:
`pip install build/<dir>/bindings/python/package`, standard library only) is a drop-in for the
well-known XenAPI.py: `XenAPI.Session(url)`, `session.xenapi.<Class>.<message>(...)` with the
session reference put first for you, `session.xenapi.Async.<Class>.<message>(...)` returning
a task, and `XenAPI.Failure` whose `details` is `[code, params...]`.

## Connecting

| URL | transport |
|---|---|
| `https://host[:port]` | TLS; the certificate is verified against the system's CAs, or `cafile="ca.pem"`; `fingerprint="sha256:AB:CD:..."` trusts exactly one certificate; `verify=False` turns checking off (tests only) |
| `unix:///path/to/socket` or `/path/to/socket` | xapid's Unix socket; local root logs in with an empty password |
| `ssh://[user@]host[:port]` | runs `ssh [-p port] user@host xapid --stdio` and speaks HTTP over its pipes (`ssh_command=[...]` replaces `ssh`) |

One connection is kept alive across calls and reopened once when the server closed it while
idle. `timeout=` sets the socket timeout in seconds.

## Threads

A Session may be shared by threads: it has one lock, held from sending a request until its
answer is read, so calls run one at a time on its one connection. A thread that waits in
`event.from` holds the session that long: give it its own Session.

## Values and errors

Records are dicts (TypedDicts `XenAPI.<Class>Record` for editors; the `.pyi` stub lists every
message and field). Integers travel as decimal strings as in XenAPI: results carry `str`,
arguments may be `int` or `str`. Every error code is a subclass of `XenAPI.Failure` named
after the code (`XenAPI.VM_BAD_POWER_STATE`), with `code`, `params`, `param(name)` and a
property per named parameter. `event.from` is `getattr(session.xenapi.event, "from")` or
`session.xenapi.event.from_`.

## Example

"""


def render(schema: Schema, signature) -> str:
    """The page; `signature(msg)` is the emitter's Python rendering of a message's parameters."""
    out = [f"# XenAPI for Python (API {schema.api_major}.{schema.api_minor})", "", INTRO + EXAMPLE,
           "", "## Classes", ""]
    out.append(", ".join(f"[{c}](#{c.lower()})" for c in schema.classes))
    for cls in schema.classes.values():
        out += ["", f"### {cls.name}", "", cls.doc, "", "| message | returns |", "|---|---|"]
        for m in cls.messages:
            prefix = "" if m.session else "(no session) "
            asynchronous = " (also `Async`)" if m.async_ else ""
            out.append(f"| {prefix}`x.{cls.name}.{m.name}({signature(m)})`{asynchronous} | "
                       f"`{m.result}` |")
        fields = [f for f in cls.fields if not f.internal]
        if fields:
            out += ["", f"Record `{cls.name}Record`: " +
                    ", ".join(f"`{f.name}`" for f in fields) + "."]
    out += ["", "## Errors", "", "| exception | parameters |", "|---|---|"]
    out += [f"| `XenAPI.{e.code}` | {', '.join(e.params)} |" for e in schema.errors.values()]
    return "\n".join(out) + "\n"
