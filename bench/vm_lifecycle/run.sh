#!/usr/bin/env bash
# The VM life-cycle benchmark of xapid on the `sim` backend with no simulated delay: the
# daemon's own CPU cost of a VM.start + VM.clean_shutdown pair (anchor, in the same run: an
# empty call), and events delivered to 100 event.from watchers while 10 clients change VMs,
# with the delay from each change to its delivery (event_load.cpp: a C++ event loop per CPU
# drives a share of the 110 connections, light enough that the figures are the daemon's; its
# --threads sets how many). The event load runs twice: saturated
# (changers flat out: throughput) and paced (the changers offer BENCH_PACED_RATE changes/s, by
# default BENCH_PACED_FRACTION = half of the saturated rate: the delay at a stated load).
# BENCH_REALTIME=1 runs the paced run SCHED_FIFO (root): on a machine shared with other work,
# the neighbours' load otherwise adds milliseconds of scheduling delay of its own.
# Targets: under 2 ms of daemon CPU per start + shutdown; p99 event delay under 5 ms (paced).
set -euo pipefail
top="$(cd "$(dirname "$0")/../.." && pwd)"
bin="${BUILD:-$top/build}/bin"
exec /usr/bin/python3 "$top/bench/vm_lifecycle/lifecycle_bench.py" \
    --xapid "$bin/xapid" --event-load "$bin/event_load" --seconds "${BENCH_SECONDS:-10}" \
    --paced-rate "${BENCH_PACED_RATE:-0}" --paced-fraction "${BENCH_PACED_FRACTION:-0.5}" \
    ${BENCH_REALTIME:+--realtime}
