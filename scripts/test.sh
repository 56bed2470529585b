#!/usr/bin/env bash
# `make test`: installs what the build needs, builds (host, hypervisor, sanitizers, dom0's images,
# the test guest), runs every test tier, and prints how long each phase took (also when one
# fails), so that the whole run's cost is visible. Inputs: MAKE (the make that called it), BUILD,
# ASAN_BUILD and JOBS, as the Makefile passes them.
set -uo pipefail
cd "$(dirname "$0")/.."

make_cmd="${MAKE:-make}"
build="${BUILD:-build}"
asan_build="${ASAN_BUILD:-$build/asan}"
jobs="${JOBS:-$(nproc)}"

declare -a names=() seconds=()
report() {
    printf '\nmake test: time per phase\n'
    local total=0
    for i in "${!names[@]}"; do
        printf '  %-28s %5d s\n' "${names[$i]}" "${seconds[$i]}"
        total=$((total + seconds[i]))
    done
    printf '  %-28s %5d s\n' "total" "$total"
}
trap report EXIT

phase() {
    local name="$1"
    shift
    local start=$SECONDS
    "$@"
    local rc=$?
    names+=("$name")
    seconds+=($((SECONDS - start)))
    if [ $rc -ne 0 ]; then
        printf 'make test: %s failed (exit %d)\n' "$name" "$rc" >&2
        exit $rc
    fi
}

phase "packages (deps)" "$make_cmd" --no-print-directory deps
phase "host build" "$make_cmd" --no-print-directory host
phase "hypervisor" "$make_cmd" --no-print-directory hypervisor
phase "sanitizer build (asan)" "$make_cmd" --no-print-directory asan
phase "dom0 ramdisk" "$make_cmd" --no-print-directory dom0-initramfs
phase "dom0 stack image" "$make_cmd" --no-print-directory dom0-stack
phase "test guest images" "$make_cmd" --no-print-directory guest-images
phase "tests" ctest --test-dir "$build" --output-on-failure -j "$jobs"
phase "tests under sanitizers" ctest --test-dir "$asan_build" --output-on-failure -j "$jobs" \
    -LE 'system|bench'
