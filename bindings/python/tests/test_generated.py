"""The generated half covers the schema: every message of schema/api-surface.txt is a method
(and its Async variant where the schema marks it async), every error code a Failure subclass,
every field a key of its record type, and the stub names them for editors."""

import ast
import inspect
import os
import re
import sys
from pathlib import Path

import pytest

import XenAPI
from XenAPI import _api

ROOT = Path(__file__).resolve().parents[3]
SURFACE = (ROOT / "schema" / "api-surface.txt").read_text().splitlines()
sys.path.insert(0, str(ROOT / "bindings" / "generator"))
from tern_gen.model import load  # noqa: E402
from tern_gen.emit_python import py_name  # noqa: E402

SCHEMA = load(ROOT / "schema")


def surface(kind):
    return [line.split(" ", 1)[1] for line in SURFACE if line.startswith(kind + " ")]


def test_every_message_of_the_surface_is_a_method_with_its_parameters():
    messages = surface("message")
    assert len(messages) > 600
    for line in messages:
        cls, name = re.match(r"(\w+)\.(\w+)\(", line).groups()
        proxy = getattr(_api, cls)
        method = getattr(proxy, py_name(name))
        assert getattr(proxy, name) is method, line
        message = next(m for m in SCHEMA.classes[cls].messages if m.name == name)
        wanted = [py_name(p.name) for p in message.params]
        got = list(inspect.signature(method).parameters)[1:]
        assert got == wanted, line


def test_async_variants_exist_exactly_for_async_messages():
    count = 0
    for cls in SCHEMA.classes.values():
        proxy = getattr(_api, f"Async_{cls.name}", None)
        for m in cls.messages:
            if m.async_:
                assert callable(getattr(proxy, py_name(m.name))), f"Async.{cls.name}.{m.name}"
                count += 1
            elif proxy is not None:
                assert py_name(m.name) not in vars(proxy), f"Async.{cls.name}.{m.name}"
    assert count > 50


def test_every_error_code_is_a_typed_failure_with_named_parameters():
    codes = [re.match(r"(\w+)\((.*)\)", e).groups() for e in surface("error")]
    for code, params in codes:
        cls = getattr(XenAPI, code)
        assert issubclass(cls, XenAPI.Failure) and XenAPI.ERRORS[code] is cls
        assert list(cls.param_names) == ([p for p in params.split(", ")] if params else [])
    e = XenAPI.VM_BAD_POWER_STATE(["VM_BAD_POWER_STATE", "OpaqueRef:1", "Halted", "Running"])
    assert (e.code, e.params, e.vm, e.expected, e.actual) == (
        "VM_BAD_POWER_STATE", ["OpaqueRef:1", "Halted", "Running"], "OpaqueRef:1", "Halted",
        "Running")
    assert e.param("actual") == "Running"
    assert str(e) == "VM_BAD_POWER_STATE(vm=OpaqueRef:1, expected=Halted, actual=Running)"
    # A parameter named like a Failure attribute stays reachable by name.
    h = XenAPI.HANDLE_INVALID(["HANDLE_INVALID", "VM", "OpaqueRef:x"])
    assert h.class_ == "VM" and h.param("class") == "VM" and h.code == "HANDLE_INVALID"


def test_every_field_is_a_key_of_its_record_type():
    for line in surface("field"):
        m = re.match(r"(\w+)\.(\w+) : ", line)
        record = getattr(XenAPI, f"{m.group(1)}Record")
        assert m.group(2) in record.__annotations__, line


def test_the_stub_names_every_class_record_and_error_and_is_valid_python():
    stub = (Path(XenAPI.__file__).parent / "__init__.pyi").read_text()
    tree = ast.parse(stub)
    names = {a.asname for node in tree.body if isinstance(node, ast.ImportFrom)
             for a in node.names}
    for cls in SCHEMA.classes:
        assert f"{cls}Record" in names and f"{cls}Ref" in names
    assert set(SCHEMA.errors) <= names
    session = next(n for n in tree.body if isinstance(n, ast.ClassDef) and n.name == "Session")
    assert "xenapi" in {f.name for f in session.body if isinstance(f, ast.FunctionDef)}
    # The root proxy's properties give editors every class, typed.
    hints = inspect.get_annotations(_api.XenAPIProxy.VM.fget)
    assert hints["return"] == "VM"


def test_integers_travel_as_strings_and_booleans_stay_booleans():
    from XenAPI._session import _wire
    assert _wire({"memory": 1 << 40, "flag": True, "list": [1, "x"], "f": 1.5}) == {
        "memory": "1099511627776", "flag": True, "list": ["1", "x"], "f": 1.5}


def test_the_reference_page_lists_every_class_and_its_example_is_python():
    generated = os.environ.get("TERN_GENERATED_DIR")
    if not generated:
        pytest.skip("TERN_GENERATED_DIR (the generator's output) is not set")
    page = (Path(generated) / "docs" / "python-reference.md").read_text()
    for cls in SCHEMA.classes:
        assert f"\n### {cls}\n" in page
    example = page.split("```python\n", 1)[1].split("```", 1)[0]
    compile(example, "python-reference.md", "exec")
    assert "XenAPI.Session(" in example and "XenAPI.Failure" in example
