#!/usr/bin/env bash
# The disk I/O benchmark: tern_diskimage (disk_io_bench) against QEMU's `qemu-img bench` on
# the same qcow2 files in the same run: sequential 64 KiB reads and writes, and 4 KiB reads and
# writes scattered over the image. qemu-img bench has no random-offset mode: its scattered
# pattern is a stride (-S, here 1 MiB + 4 KiB, wrapping at the end of the image), and both
# tools run that same stride; disk_io_bench's truly random 4 KiB pattern is printed too, with
# no anchor. Reads go to a fully written image (warm page cache: what is measured is the
# format layer's cost); writes go to a fresh image each (cluster allocation included). Both
# tools use the page cache (qemu-img -t writeback) and flush only after the timed part.
# Each pattern runs at queue depth 1 (qemu-img -d 1, one bench thread) and 8 (-d 8, 8 threads).
# Each figure is the best of BENCH_REPS runs (default 3), the two tools taking turns, so that
# a burst of other work on the machine hurts neither more than the other.
# Figures never fail the run. Environment: BUILD (build dir), BENCH_IMAGE_MB (default 512).
set -euo pipefail
top="$(cd "$(dirname "$0")/../.." && pwd)"
bin="${BUILD:-$top/build}/bin"
size_mb="${BENCH_IMAGE_MB:-512}"
reps="${BENCH_REPS:-3}"
work="$(mktemp -d "${TMPDIR:-/var/tmp}/disk_io_bench.XXXXXX")"
trap 'rm -rf "$work"' EXIT

if ! command -v qemu-img >/dev/null; then
    echo "disk_io: qemu-img (qemu-utils) is missing; no anchor to measure against" >&2
    exit 0
fi
size=$((size_mb * 1024 * 1024))
stride=$((1024 * 1024 + 4096))
seq_count=$((size / 65536))
scattered_count=50000

fresh() { rm -f "$1"; qemu-img create -q -f qcow2 "$1" "$size"; }
qemu_seconds() { qemu-img bench -f qcow2 -t writeback "$@" | sed -n 's/^Run completed in \([0-9.]*\) seconds.*/\1/p'; }
tern_seconds() { "$bin/disk_io_bench" "$@" | sed -n 's/^seconds=\([0-9.]*\) .*/\1/p'; }
best() { /usr/bin/python3 -c 'import sys; print(min(float(x) for x in sys.argv[1:]))' "$@"; }

# The image the reads use, written once through and through.
fresh "$work/read.qcow2"
qemu-img bench -q -f qcow2 -t writeback -w -s 1048576 -c "$size_mb" "$work/read.qcow2" >/dev/null

results="$work/results"
: >"$results"
run() {  # name buffer count depth write(0/1) step
    local name=$1 buffer=$2 count=$3 depth=$4 write=$5 step=$6
    local image="$work/read.qcow2" wflag=() tflag=()
    [ "$write" = 1 ] && { wflag=(-w); tflag=(--write); image="$work/write.qcow2"; }
    local ts=() qs=() i
    for ((i = 0; i < reps; i++)); do
        [ "$write" = 1 ] && fresh "$image"
        ts+=("$(tern_seconds "${tflag[@]}" -s "$buffer" -c "$count" -S "$step" -t "$depth" "$image")")
        [ "$write" = 1 ] && fresh "$image"
        qs+=("$(qemu_seconds "${wflag[@]}" -s "$buffer" -c "$count" -S "$step" -d "$depth" "$image")")
    done
    echo "$name $buffer $count $depth $(best "${ts[@]}") $(best "${qs[@]}")" >>"$results"
}
random() {  # name write(0/1) depth: ours only
    local name=$1 write=$2 depth=$3 image="$work/read.qcow2" tflag=()
    [ "$write" = 1 ] && { image="$work/write.qcow2"; tflag=(--write); }
    local ts=() i
    for ((i = 0; i < reps; i++)); do
        [ "$write" = 1 ] && fresh "$image"
        ts+=("$(tern_seconds "${tflag[@]}" --random -s 4096 -c "$scattered_count" -t "$depth" "$image")")
    done
    echo "$name 4096 $scattered_count $depth $(best "${ts[@]}") -" >>"$results"
}

for depth in 1 8; do
    run "sequential-read-64K" 65536 "$seq_count" "$depth" 0 65536
    run "sequential-write-64K" 65536 "$seq_count" "$depth" 1 65536
    run "strided-read-4K" 4096 "$scattered_count" "$depth" 0 "$stride"
    run "strided-write-4K" 4096 "$scattered_count" "$depth" 1 "$stride"
    random "random-read-4K" 0 "$depth"
    random "random-write-4K" 1 "$depth"
done

/usr/bin/python3 - "$results" "$size_mb" "$reps" <<'PY'
import sys
rows = [line.split() for line in open(sys.argv[1])]
print(f"disk_io: tern_diskimage vs qemu-img bench, qcow2 image of {sys.argv[2]} MiB, 64 KiB clusters, best of {sys.argv[3]} runs")
print(f"{'pattern':<22}{'depth':>6}{'tern MB/s':>11}{'tern IOPS':>11}{'qemu MB/s':>11}{'qemu IOPS':>11}{'ratio':>8}")
for name, buf, count, depth, t, q in rows:
    buf, count, t = int(buf), int(count), float(t)
    mb = lambda s: count * buf / s / 1e6
    line = f"{name:<22}{depth:>6}{mb(t):>11.1f}{count / t:>11.0f}"
    if q != "-":
        q = float(q)
        line += f"{mb(q):>11.1f}{count / q:>11.0f}{q / t:>8.2f}"
    else:
        line += f"{'-':>11}{'-':>11}{'-':>8}"
    print(line)
print("ratio = qemu-img time / tern time (above 1: tern is faster). Strided = offsets step "
      "1 MiB + 4 KiB apart (qemu-img bench -S); random = uniform 4 KiB-aligned offsets, tern only.")
PY
