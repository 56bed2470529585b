"""The Perl binding's reference page (Markdown), from the schema: how to connect, one example,
then every class with its messages as Perl calls and its record's fields. Written by
emit_perl to <out>/docs/perl-reference.md."""

from __future__ import annotations

from .model import Schema

EXAMPLE = '''```perl
use strict;
use warnings;
use XenAPI;

my $xen = XenAPI->new('https://xapid.example', cafile => '/etc/tern/xapid.pem');
$xen->login_with_password('root', 'secret', '2.1', 'example');
my $records = $xen->VM->get_all_records;                 # { ref => { field => value } }
for my $ref (sort keys %$records) {
    print "$records->{$ref}{name_label} $records->{$ref}{power_state}\\n";
}
my ($vm) = @{ $xen->VM->get_by_name_label('guest') };
my $task = $xen->Async->VM->start($vm, 0, 0);
eval { $xen->VM->pause($vm); 1 } or do {
    my $e = $@;
    die $e unless ref $e && $e->isa('XenAPI::Failure');
    print "not now: ", $e->expected, ' ', $e->actual, "\\n"
        if $e->isa('XenAPI::Failure::VM_BAD_POWER_STATE');
};
$xen->logout;
```'''

INTRO = """Generated from schema/ by bindings/generator/tern-gen. The distribution `XenAPI`
(`cd build/<dir>/bindings/perl/dist && perl Makefile.PL && make && make test && make
install`) sits on Debian's RPC::XML and IO::Socket::SSL.

## Connecting

`XenAPI->new($url, %options)`:

| URL | transport |
|---|---|
| `https://host[:port]` | TLS; the certificate is verified against the system's CAs, or `cafile => 'ca.pem'`; `fingerprint => 'sha256:AB:CD:...'` trusts exactly one certificate; `verify => 0` turns checking off (tests only) |
| `unix:///path/to/socket` or `/path/to/socket` | xapid's Unix socket; local root logs in with an empty password |
| `ssh://[user@]host[:port]` | runs `ssh [-p port] user@host xapid --stdio` and speaks HTTP over its pipes (`ssh_command => [...]` replaces `ssh`) |

One connection is kept alive across calls and reopened once when the server closed it while
idle.

## Threads

A XenAPI object must stay in the thread that made it: a Perl ithread would clone its socket
and TLS state. Give each thread its own object (and its own login).

## Values and errors

`$xen-><Class>-><message>(...)` puts the session reference first;
`$xen->Async-><Class>-><message>(...)` returns a task. Records are hash refs, sets array refs,
booleans 1 and 0, integers decimal strings (as XenAPI sends them). Arguments are typed for the
wire from the schema (a string that looks like a number stays a string; a bool is an XML-RPC
boolean). A failure dies with a `XenAPI::Failure` object (`code`, `params`, `param($name)`),
of the class `XenAPI::Failure::<CODE>` with an accessor per named parameter. A message the
schema does not name is still sent (untyped), and `$xen->call('Class.message', @args)` calls
any name.

## Example

"""


def render(schema: Schema) -> str:
    out = [f"# XenAPI for Perl (API {schema.api_major}.{schema.api_minor})", "", INTRO + EXAMPLE,
           "", "## Classes", ""]
    out.append(", ".join(f"[{c}](#{c.lower()})" for c in schema.classes))
    for cls in schema.classes.values():
        out += ["", f"### {cls.name}", "", cls.doc, "", "| call | returns |", "|---|---|"]
        for m in cls.messages:
            args = ", ".join(f"${p.name}" for p in m.params)
            target = "$xen" if not m.session else f"$xen->{cls.name}"
            asynchronous = " (also `Async`)" if m.async_ else ""
            out.append(f"| `{target}->{m.name}({args})`{asynchronous} | `{m.result}` |")
        fields = [f for f in cls.fields if not f.internal]
        if fields:
            out += ["", "Record keys: " + ", ".join(f"`{f.name}`" for f in fields) + "."]
    out += ["", "## Errors", "", "| class | parameters |", "|---|---|"]
    out += [f"| `XenAPI::Failure::{e.code}` | {', '.join(e.params)} |"
            for e in schema.errors.values()]
    return "\n".join(out) + "\n"
