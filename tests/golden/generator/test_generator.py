"""Golden tests of bindings/generator: every emitter on a small fixed schema, the loader's
errors, and the API surface of the real schema, which may only grow.

Set TERN_REGENERATE=1 to rewrite the expected files, then review the diff."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
SOURCE = Path(os.environ.get("TERN_SOURCE_DIR", HERE.parents[2]))
GENERATOR = SOURCE / "bindings/generator"
sys.path.insert(0, str(GENERATOR))

from tern_gen import model  # noqa: E402

REGENERATE = os.environ.get("TERN_REGENERATE") == "1"


def run_generator(schema: Path, out: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(GENERATOR / "tern-gen"), "--schema", str(schema),
                           "--out", str(out)], capture_output=True, text=True)


def files_below(root: Path) -> dict[str, str]:
    return {str(p.relative_to(root)): p.read_text() for p in sorted(root.rglob("*")) if p.is_file()}


def test_every_emitter_matches_its_golden_output(tmp_path):
    done = run_generator(HERE / "schema", tmp_path)
    assert done.returncode == 0, done.stderr
    expected_dir = HERE / "expected"
    if REGENERATE:
        shutil.rmtree(expected_dir, ignore_errors=True)
        shutil.copytree(tmp_path, expected_dir)
    got, expected = files_below(tmp_path), files_below(expected_dir)
    assert sorted(got) == sorted(expected)
    for name in expected:
        assert got[name] == expected[name], f"{name} differs from its golden copy (TERN_REGENERATE=1)"


def test_the_loader_expands_implicit_messages():
    schema = model.load(HERE / "schema")
    box = schema.classes["box"]
    names = [m.name for m in box.messages]
    assert names[0] == "shake"
    for implicit in ("get_uuid", "get_name_label", "set_name_label", "get_things", "get_capacity",
                     "add_to_labels", "remove_from_labels", "get_record", "get_by_uuid",
                     "get_by_name_label", "get_all", "get_all_records", "create", "destroy"):
        assert implicit in names
    assert "set_capacity" not in names and "set_things" not in names  # read-only
    thing = schema.classes["thing"]
    assert "add_tags" in [m.name for m in thing.messages]
    assert "get_by_name_label" not in [m.name for m in thing.messages]  # no name_label


@pytest.mark.parametrize("text, canonical", [
    ("string", "string"), ("VM ref", "VM ref"), ("(VM ref) set", "(VM ref) set"),
    ("(string -> string) map", "(string -> string) map"),
    ("((VM ref) -> (VM record)) map", "((VM ref) -> (VM record)) map"),
    ("string set set", "(string set) set"),
])
def test_type_strings_parse(text, canonical):
    assert str(model.parse_type(text)) == canonical


@pytest.mark.parametrize("text", ["", "(string", "string ->", "set", "(a -> b) set", "ref"])
def test_bad_type_strings_are_refused(text):
    with pytest.raises(ValueError):
        model.parse_type(text)


def broken_copy(tmp_path: Path, file: str, old: str, new: str) -> Path:
    schema = tmp_path / "schema"
    shutil.copytree(HERE / "schema", schema)
    path = schema / file
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new))
    return schema


@pytest.mark.parametrize("file, old, new, message", [
    ("classes/thing.toml", '"colour", qualifier', '"flavour", qualifier', "unknown enum or type 'flavour'"),
    ("classes/thing.toml", '"box ref"', '"crate ref"', "unknown class 'crate'"),
    ("classes/box.toml", '["BOX_FULL"]', '["BOX_EXPLODED"]', "unknown error BOX_EXPLODED"),
    ("classes/box.toml", 'default = 3', 'default = "three"', "default 'three' is not a valid int"),
    ("classes/box.toml", 'qualifier = "RW", doc = "Its name."', 'qualifier = "RX", doc = "Its name."',
     "qualifier must be one of"),
    ("classes/thing.toml", 'inverse = "things"', 'inverse = "labels"', "inverse 'labels' must be"),
])
def test_schema_errors_name_the_file_and_line(tmp_path, file, old, new, message):
    schema = broken_copy(tmp_path, file, old, new)
    with pytest.raises(model.SchemaError) as e:
        model.load(schema)
    text = str(e.value)
    assert message in text
    where = text.split(": ")[0]
    assert where.startswith(str(schema / file) + ":")
    line = int(where.rsplit(":", 1)[1])
    assert new.split(",")[0].split("=")[-1].strip().strip('"[]') in (schema / file).read_text().splitlines()[line - 1] \
        or message.startswith("inverse")
    done = run_generator(schema, tmp_path / "out")
    assert done.returncode == 1 and message in done.stderr


def test_the_api_surface_only_grows(tmp_path):
    done = run_generator(SOURCE / "schema", tmp_path)
    assert done.returncode == 0, done.stderr
    now = set((tmp_path / "api-surface.txt").read_text().splitlines())
    recorded_file = SOURCE / "schema/api-surface.txt"
    if REGENERATE:
        shutil.copy(tmp_path / "api-surface.txt", recorded_file)
    recorded = set(recorded_file.read_text().splitlines())
    removed = sorted(recorded - now)
    assert not removed, "the schema removed or changed released API:\n" + "\n".join(removed[:20])
    added = sorted(now - recorded)
    assert not added, ("the schema added API not yet recorded in schema/api-surface.txt "
                       "(run the golden tests with TERN_REGENERATE=1 and review):\n" + "\n".join(added[:20]))
