#!/usr/bin/env bash
# Runs the Perl distribution's own test command, `perl Makefile.PL && make && make test`, in
# a temporary copy of the assembled distribution (so the build tree stays as assembled).
# Usage: make_test_in_copy.sh DIST_DIR   (XAPID set: the live tests run; unset: they skip)
set -euo pipefail
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cp -r "$1" "$work/XenAPI"
cd "$work/XenAPI"
perl Makefile.PL
make
make test
