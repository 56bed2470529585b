#!/usr/bin/env bash
# `make bench`: runs every benchmark under bench/. Each prints its figures and the ratio to
# the anchor it measures in the same run; none fails on a time.
set -euo pipefail
top="$(cd "$(dirname "$0")/.." && pwd)"
for run in "$top"/bench/*/run.sh; do
    "$run"
done
