#!/usr/bin/python3
"""Checks that the generated C and C++ bindings cover every message of the API surface
(schema/api-surface.txt) and the Async variant of every async message.

Usage: check_surface.py SCHEMA_DIR GENERATED_DIR"""

import re
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[3] / "bindings/generator"))
from tern_gen.model import load  # noqa: E402

# Messages the C runtime implements by hand (they open or close the session).
C_HAND_WRITTEN = {"session.login_with_password": "xen_session_login_with_password",
                  "session.logout": "xen_session_logout",
                  "session.local_logout": "xen_session_local_logout"}


def main() -> int:
    schema_dir, generated = Path(sys.argv[1]), Path(sys.argv[2])
    surface = [line.split()[1].split("(")[0]
               for line in (schema_dir / "api-surface.txt").read_text().splitlines()
               if line.startswith("message ")]
    schema = load(schema_dir)
    async_names = {f"{c.name}.{m.name}" for c in schema.classes.values() for m in c.messages
                   if m.async_}
    cpp = (generated / "bindings/cpp/src/api_generated.cpp").read_text()
    c_src = (generated / "bindings/c/src/xenapi_generated.cpp").read_text()
    c_header = (generated / "bindings/c/include/tern-xenapi/xenapi_generated.h").read_text()
    c_header += (Path(__file__).resolve().parents[3] / "bindings/c/include/tern-xenapi/xenapi.h").read_text()
    missing = []
    for name in surface:
        cls, msg = name.split(".")
        if f'"{name}"' not in cpp:
            missing.append(f"C++: {name}")
        if name in C_HAND_WRITTEN:
            if not re.search(rf"\b{C_HAND_WRITTEN[name]}\(", c_header):
                missing.append(f"C: {name}")
        elif f'"{name}"' not in c_src or not re.search(rf"\bxen_{cls.lower()}_{msg}\(", c_header):
            missing.append(f"C: {name}")
        if name in async_names:
            if f'"Async.{name}"' not in cpp:
                missing.append(f"C++: Async.{name}")
            if f'"Async.{name}"' not in c_src or not re.search(rf"\bxen_{cls.lower()}_{msg}_async\(", c_header):
                missing.append(f"C: Async.{name}")
    for line in missing:
        print("missing", line)
    print(f"{len(surface)} messages, {len(async_names)} async: "
          f"{'all covered' if not missing else f'{len(missing)} missing'}")
    return 1 if missing else 0


if __name__ == "__main__":
    sys.exit(main())
