#!/usr/bin/env bash
# run.sh - spawn+join of 100,000 goroutines from Rust against the same in C,
# in one invocation, and their ratio (issue 5's target: Rust <= 1.2x C).
#
# Usage: bindings/rust/bench/run.sh <meson-builddir> [N=100000] [RUNS=5]
# Modes: clone (a WaitGroup handle per goroutine), static (a leaked one),
# scope (gort::scope). Builds spawn_join.c against the build tree (pkg-config gort-uninstalled,
# -O2) and the Rust mirror (cargo build --release), then runs them
# alternately RUNS times (each run: 5 rounds of N, its median) and prints
# the median of the runs' medians for each and the ratio rust / c.
# A benchmark, not a test: the exit status is 0 whatever the ratio
# (1 when a build or a run fails).
set -eu -o pipefail

[ $# -ge 1 ] || { echo "usage: $0 <meson-builddir> [N] [RUNS]" >&2; exit 2; }
builddir=$(cd "$1" && pwd)
n=${2:-100000}
runs=${3:-5}
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ws=$(cd "$here/.." && pwd)
export PKG_CONFIG_PATH="$builddir/meson-uninstalled${PKG_CONFIG_PATH:+:$PKG_CONFIG_PATH}"
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$builddir/bindings-rust-target}
out="$CARGO_TARGET_DIR/bench"
mkdir -p "$out"

libdir=$(pkg-config --variable=prefix gort-uninstalled)/capi
# shellcheck disable=SC2046
cc -O2 -std=c11 -D_POSIX_C_SOURCE=200809L -o "$out/spawn_join_c" "$here/spawn_join.c" \
    $(pkg-config --cflags --libs gort-uninstalled) -Wl,-rpath,"$libdir"
(cd "$ws" && cargo build --offline --release -q -p gort-bench)
rust_bin="$CARGO_TARGET_DIR/release/spawn_join"

median() { sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
ns() { sed -n 's/.*median_ns=\([0-9.]*\).*/\1/p'; }
c_t=(); r_t=(); s_t=(); p_t=()
for i in $(seq "$runs"); do
    c=$("$out/spawn_join_c" "$n") || { echo "run.sh: the C run failed" >&2; exit 1; }
    r=$("$rust_bin" "$n" 5 clone) || { echo "run.sh: the Rust run failed" >&2; exit 1; }
    s=$("$rust_bin" "$n" 5 static) || { echo "run.sh: the Rust run failed" >&2; exit 1; }
    p=$("$rust_bin" "$n" 5 scope) || { echo "run.sh: the Rust run failed" >&2; exit 1; }
    c_t+=("$(ns <<<"$c")"); r_t+=("$(ns <<<"$r")"); s_t+=("$(ns <<<"$s")"); p_t+=("$(ns <<<"$p")")
    echo "run $i: c ${c_t[-1]}, rust ${r_t[-1]}, rust-static ${s_t[-1]}, rust-scope ${p_t[-1]} ns/goroutine"
done
cm=$(printf '%s\n' "${c_t[@]}" | median)
rm_=$(printf '%s\n' "${r_t[@]}" | median)
sm=$(printf '%s\n' "${s_t[@]}" | median)
pm=$(printf '%s\n' "${p_t[@]}" | median)
ratio() { awk -v r="$1" -v c="$cm" 'BEGIN {x = r / c; printf "%.2f (target <= 1.2: %s)", x, (x <= 1.2) ? "PASS" : "MISS"}'; }
echo "spawn_join N=$n GOMAXPROCS=${GOMAXPROCS:-default} medians: c $cm, rust $rm_, rust-static $sm, rust-scope $pm ns/goroutine"
echo "ratio rust/c $(ratio "$rm_")  [each goroutine owns a WaitGroup handle: wg.clone()]"
echo "ratio rust-static/c $(ratio "$sm")  [a leaked &'static WaitGroup, as spawn_join.c leaks its go_wg_t]"
ratio11() { awk -v r="$1" -v c="$cm" 'BEGIN {x = r / c; printf "%.2f (target <= 1.1: %s)", x, (x <= 1.1) ? "PASS" : "MISS"}'; }
echo "ratio rust-scope/c $(ratio11 "$pm")  [gort::scope: closures borrow, the scope's one WaitGroup]"
