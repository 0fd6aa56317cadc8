#!/usr/bin/env bash
# run.sh - the C++ API (include/gort.hpp) against the C API: the same
# benchmark written both ways, run alternately (C, C++, C, C++, ...) in one
# invocation, medians and the ratio C++ / C. Target: <= 1.1 on every row.
#
# Usage: bench/cpp/run.sh [builddir]     (default "build"; release numbers
#                                         need --buildtype=release)
# Environment: BENCH_RUNS=5 runs per program and row (median reported),
#              BENCH_QUICK=1 every N divided by 10.
# Exit status: 0 every row ran, 1 a run failed or setup failed.
set -u -o pipefail
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
builddir=${1:-build}
[ -d "$builddir" ] || builddir=$repo/$builddir
[ -f "$builddir/build.ninja" ] || { echo "run.sh: no meson build directory at '$builddir'" >&2; exit 1; }
runs=${BENCH_RUNS:-5}
div=1
[ "${BENCH_QUICK:-0}" = 1 ] && div=10
progs=(spawn_join pingpong skynet)
ninja -C "$builddir" "${progs[@]/#/bench/}" "${progs[@]/#/bench/cpp_}" >&2 || { echo "run.sh: build failed" >&2; exit 1; }

median() { sort -g | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }

# row: program GOMAXPROCS N
rows=("spawn_join 1 1000000" "spawn_join 2 1000000" "pingpong 1 1000000" "pingpong 2 1000000"
      "skynet 1 1000000" "skynet 2 1000000")
printf '%-22s %12s %12s %8s %8s %s\n' "benchmark" "C" "C++" "C++/C" "target" "unit"
status=0
for row in "${rows[@]}"; do
    read -r prog procs n <<<"$row"
    n=$((n / div))
    c_vals=() cpp_vals=() unit=
    for _ in $(seq "$runs"); do
        for kind in c cpp; do
            exe=$builddir/bench/$prog
            [ $kind = cpp ] && exe=$builddir/bench/cpp_$prog
            if ! out=$(GOMAXPROCS=$procs timeout 300 "$exe" "$n" 2>/dev/null); then
                echo "run.sh: $exe $n failed (GOMAXPROCS=$procs)" >&2
                exit 1
            fi
            read -r v unit <<<"$out"
            if [ $kind = c ]; then c_vals+=("$v"); else cpp_vals+=("$v"); fi
        done
    done
    c=$(printf '%s\n' "${c_vals[@]}" | median)
    cpp=$(printf '%s\n' "${cpp_vals[@]}" | median)
    ratio=$(awk -v a="$cpp" -v b="$c" 'BEGIN {printf "%.2f", a / b}')
    verdict=$(awk -v r="$ratio" 'BEGIN {print (r <= 1.1) ? "PASS" : "MISS"}')
    printf '%-22s %12s %12s %8s %8s %s %s\n' "$prog P=$procs" "$c" "$cpp" "$ratio" "<=1.1" "$unit" "$verdict"
done
exit $status
