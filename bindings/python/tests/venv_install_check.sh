#!/usr/bin/env bash
# Installs the assembled Python binding into a fresh venv with no network (no index, no build
# isolation) and imports it from there. The venv sees the system's site-packages for the build
# backend only: Debian's setuptools and wheel (python3-setuptools, python3-wheel); XenAPI
# itself must come from the venv.
# Usage: venv_install_check.sh PYTHON PACKAGE_DIR
set -euo pipefail
python=$1
package=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$python" -m venv --system-site-packages "$work/venv"
# The package directory is copied: pip may write build/ and *.egg-info next to the sources.
cp -r "$package" "$work/src"
PIP_NO_INDEX=1 PIP_DISABLE_PIP_VERSION_CHECK=1 \
    "$work/venv/bin/pip" install --no-index --no-build-isolation --quiet "$work/src"
cd "$work"
"$work/venv/bin/python" - <<'PY'
import pathlib, sys
import XenAPI
where = pathlib.Path(XenAPI.__file__).resolve()
assert "site-packages" in where.parts, where
assert (where.parent / "__init__.pyi").exists() and (where.parent / "py.typed").exists()
assert issubclass(XenAPI.VM_BAD_POWER_STATE, XenAPI.Failure)
session = XenAPI.Session("unix:///nonexistent/socket")
assert callable(session.xenapi.VM.get_all) and callable(session.xenapi.Async.VM.start)
print(f"XenAPI {XenAPI.API_VERSION} imported from {where.parent}")
PY
"$work/venv/bin/pip" show XenAPI | grep -E '^(Name|Version):'
