"""The registered emitters, by name. Each is a module with emit(schema, out) -> [paths]."""

from . import emit_docs, emit_server, emit_sql, emit_surface
from . import emit_perl, emit_python
from . import emit_c, emit_cpp

EMITTERS = {
    "server": emit_server,
    "sql": emit_sql,
    "docs": emit_docs,
    "surface": emit_surface,
    "python": emit_python,
    "perl": emit_perl,
    "cpp": emit_cpp,
    "c": emit_c,
}
