#!/bin/sh
# Installs the C++ binding (component TernXenAPI) from the build tree BUILD into a temporary
# prefix, builds cpp_consumer/ against it with find_package(TernXenAPI), and runs the consumer
# against the live xapid of with_xapid.py.
set -eu
build=$1
here=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cmake --install "$build" --component TernXenAPI --prefix "$tmp/prefix" > "$tmp/install.log"
cmake -S "$here/cpp_consumer" -B "$tmp/build" -DCMAKE_PREFIX_PATH="$tmp/prefix" > "$tmp/configure.log"
cmake --build "$tmp/build" > "$tmp/build.log"
out=$("$tmp/build/consumer" "unix://$TERN_XAPID_UNIX")
echo "$out"
[ "$out" = "host Tern" ]
