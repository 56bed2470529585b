#!/bin/sh
# Installs the C binding (component TernXenAPIC) from the build tree BUILD into a temporary
# prefix, compiles CONSUMER.c with `pkg-config --cflags --libs tern-xenapi` against it, and
# runs it against the live xapid of with_xapid.py.
set -eu
build=$1
consumer=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cmake --install "$build" --component TernXenAPIC --prefix "$tmp/prefix" > "$tmp/install.log"
pc=$(dirname "$(find "$tmp/prefix" -name tern-xenapi.pc)")
flags=$(PKG_CONFIG_PATH="$pc" pkg-config --cflags --libs tern-xenapi)
# shellcheck disable=SC2086
cc -std=c11 -Wall -Wextra -Werror -o "$tmp/consumer" "$consumer" $flags
libdir=$(PKG_CONFIG_PATH="$pc" pkg-config --variable=libdir tern-xenapi)
out=$(LD_LIBRARY_PATH="$libdir" "$tmp/consumer" "unix://$TERN_XAPID_UNIX")
echo "$out"
[ "$out" = "host Tern" ]
