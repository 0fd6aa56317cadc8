#!/usr/bin/env bash
# run.sh - compare gort's benchmark programs with the Go reference programs.
#
# Usage: bench/run.sh [builddir]        (builddir defaults to "build")
#
# Builds the benchmark programs of bench/ (spawn_join, yield, memory, defer,
# panic_recover, pingpong, skynet, chan_buffered, mutex, sleep_timers) in the
# meson build directory, builds the Go programs of shared/peers/go into a
# temporary directory, then runs Go
# and gort alternately (go, gort, go, gort, ...) in this one invocation and
# prints the median of each, their ratio (gort / Go) and the target.
#
# Environment:
#   BENCH_RUNS=3       runs per program and benchmark (the median is reported)
#   BENCH_QUICK=1      a smoke run: every N divided by 10
#   BENCH_TIMEOUT=300  seconds one run may take before it counts as a hang
#   BENCH_VERBOSE=1    also show each run's stderr diagnostics line
#   BENCH_STRICT=1     exit with status 3 when a benchmark misses its target
#   BENCH_ONLY="a b"   only the rows of these programs (e.g. "pingpong mutex")
#   GORT_GO_PEERS=dir  the Go programs (default: <repo>/../shared/peers/go)
#
# Exit status: 0 every benchmark ran (PASS or MISS), 1 setup failed or a run
# failed (crash, hang, bad output), 2 usage, 3 a MISS under BENCH_STRICT=1.
# Needs no root and installs nothing; the Go build cache is Go's usual one
# (a temporary one when that is not writable).

set -u -o pipefail

prog=run.sh
die() { echo "$prog: $*" >&2; exit 1; }

case "${1:-}" in
-h|--help)
    sed -n '2,/^$/s/^# \{0,1\}//p' "$0"
    exit 0 ;;
esac
if [ $# -gt 1 ]; then
    echo "usage: bench/run.sh [builddir]" >&2
    exit 2
fi

script_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd) || die "cannot find the script directory"
repo=$(cd "$script_dir/.." && pwd)

# The build directory: as given (relative to the current directory), or
# relative to the repository when it is not found there.
builddir=${1:-build}
if [ ! -d "$builddir" ] && [ -d "$repo/$builddir" ]; then
    builddir=$repo/$builddir
fi
[ -d "$builddir" ] || die "build directory '$builddir' not found; set it up with:
  meson setup $builddir --buildtype=release && ninja -C $builddir"
builddir=$(cd "$builddir" && pwd)
[ -f "$builddir/build.ninja" ] || die "'$builddir' is not a meson build directory (no build.ninja)"

# Knobs.
runs=${BENCH_RUNS:-3}
case "$runs" in
''|*[!0-9]*|0) die "BENCH_RUNS must be a positive integer (got '$runs')" ;;
esac
run_timeout=${BENCH_TIMEOUT:-300}
case "$run_timeout" in
''|*[!0-9]*|0) die "BENCH_TIMEOUT must be a positive number of seconds (got '$run_timeout')" ;;
esac
quick=${BENCH_QUICK:-0}
verbose=${BENCH_VERBOSE:-0}
strict=${BENCH_STRICT:-0}
only=${BENCH_ONLY:-}

command -v go >/dev/null 2>&1 || die "'go' not found in PATH: the Go reference programs need Go (>= 1.19)"
command -v timeout >/dev/null 2>&1 || die "'timeout' (coreutils) not found in PATH"

peers=${GORT_GO_PEERS:-$repo/../shared/peers/go}
[ -f "$peers/go.mod" ] || die "Go reference programs not found at '$peers' (set GORT_GO_PEERS)"
peers=$(cd "$peers" && pwd)

# Build ours.
programs=(spawn_join yield memory defer panic_recover pingpong skynet chan_buffered mutex sleep_timers)
targets=("${programs[@]/#/bench/}")
for w in ${only//,/ }; do
    [[ " ${programs[*]} " == *" $w "* ]] || die "BENCH_ONLY: unknown program '$w' (known: ${programs[*]})"
done
echo "$prog: building ${targets[*]} in $builddir" >&2
if command -v ninja >/dev/null 2>&1; then
    ninja -C "$builddir" "${targets[@]}" >&2 || die "ninja failed"
else
    meson compile -C "$builddir" "${programs[@]}" >&2 || die "meson compile failed"
fi
for t in "${targets[@]}"; do
    [ -x "$builddir/$t" ] || die "$builddir/$t was not built"
done

tmp=$(mktemp -d "${TMPDIR:-/tmp}/gort-bench.XXXXXX") || die "mktemp failed"
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/go"

# Build Go's. Go >= 1.21 must not fetch another toolchain; a read-only HOME
# gets a throwaway build cache.
export GOTOOLCHAIN=local GOFLAGS=${GOFLAGS:-} GO111MODULE=on
gocache=$(go env GOCACHE 2>/dev/null || true)
if [ -z "$gocache" ] || ! mkdir -p "$gocache" 2>/dev/null || [ ! -w "$gocache" ]; then
    export GOCACHE=$tmp/gocache
fi
for x in "${programs[@]}"; do
    (cd "$peers" && go build -o "$tmp/go/$x" "./$x") >&2 || die "go build ./$x failed in $peers"
done

# The benchmarks: name GOMAXPROCS N target unit [KEY=VALUE]. The optional
# KEY=VALUE is the program's second argument (VALUE), shown as "name KEY=VALUE".
if [ "$quick" = 1 ]; then
    spawn_n=100000 yield_n=1000000 mem_small=10000 mem_large=100000 defer_n=10000000 panic_n=100000
    pingpong_n=100000 skynet_n=100000 chanbuf_n=1000000 mutex_n=1000000 sleep_n=10000
else
    spawn_n=1000000 yield_n=10000000 mem_small=100000 mem_large=1000000 defer_n=100000000 panic_n=1000000
    pingpong_n=1000000 skynet_n=1000000 chanbuf_n=10000000 mutex_n=10000000 sleep_n=100000
fi
benches=(
    "spawn_join 1 $spawn_n 0.10 ns/goroutine"
    "spawn_join 2 $spawn_n 0.30 ns/goroutine"
    "yield 1 $yield_n 0.30 ns/switch"
    "memory 1 $mem_small 1.6 B/goroutine"
    "memory 1 $mem_large 1.6 B/goroutine"
    "defer 1 $defer_n 3.0 ns/call"
    "panic_recover 1 $panic_n 0.25 ns/panic"
    "pingpong 1 $pingpong_n 0.30 ns/roundtrip"
    "pingpong 2 $pingpong_n 1.0 ns/roundtrip"
    "skynet 1 $skynet_n 0.5 ms"
    "skynet 2 $skynet_n 0.5 ms"
    "chan_buffered 1 $chanbuf_n 0.75 ns/item"
    "chan_buffered 2 $chanbuf_n 0.75 ns/item"
    "mutex 2 $mutex_n 1.0 ns/op G=2"
    "mutex 2 $mutex_n 1.0 ns/op G=4"
    "sleep_timers 2 $sleep_n 1.0 ms"
)

# run_one IMPL NAME PROCS N UNIT [ARG2]: run one program once. Sets VALUE to
# the number it printed, or returns 1 with ERR set.
VALUE='' ERR=''
run_one() {
    local impl=$1 name=$2 procs=$3 n=$4 unit=$5 bin out err rc line
    local args=("$n")
    [ $# -ge 6 ] && args+=("$6")
    if [ "$impl" = go ]; then bin=$tmp/go/$name; else bin=$builddir/bench/$name; fi
    out=$tmp/out.$impl err=$tmp/err.$impl
    VALUE='' ERR=''
    GOMAXPROCS=$procs timeout -k 10 "$run_timeout" "$bin" "${args[@]}" >"$out" 2>"$err"
    rc=$?
    if [ "$verbose" = 1 ] && [ -s "$err" ]; then
        sed "s/^/    [$impl] /" "$err" >&2
    fi
    if [ $rc -eq 124 ] || [ $rc -eq 137 ]; then
        ERR="timed out after ${run_timeout}s (hang?)"
    elif [ $rc -ge 128 ]; then
        ERR="killed by signal $((rc - 128)) ($(kill -l $((rc - 128)) 2>/dev/null || echo '?'))"
    elif [ $rc -ne 0 ]; then
        ERR="exit status $rc"
    else
        line=$(cat "$out")
        if [[ "$line" =~ ^(-?[0-9]+(\.[0-9]+)?)\ (.+)$ ]] && [ "${BASH_REMATCH[3]}" = "$unit" ]; then
            VALUE=${BASH_REMATCH[1]}
            return 0
        fi
        ERR="unexpected output '$(head -c 200 "$out" | tr '\n' '|')' (want 'VALUE $unit')"
    fi
    if [ -s "$err" ]; then
        ERR="$ERR; stderr: $(tail -n 3 "$err" | head -c 400 | tr '\n' '|')"
    fi
    return 1
}

# median V...: the middle value (the mean of the two middle ones for an even count).
median() {
    printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END {
        if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

fmt_value() { # fmt_value VALUE UNIT
    case "$2" in
    B/*) awk -v v="$1" 'BEGIN { printf "%.0f", v }' ;;
    *)   awk -v v="$1" 'BEGIN { printf "%.1f", v }' ;;
    esac
}

buildtype() {
    python3 -c 'import json, sys
print(next(o["value"] for o in json.load(open(sys.argv[1])) if o["name"] == "buildtype"))' \
        "$builddir/meson-info/intro-buildoptions.json" 2>/dev/null || echo unknown
}

# progress_cell RUN ERR VALUES...: what run RUN gave: its value, FAIL, or
# "skipped" after an earlier failure.
progress_cell() {
    local r=$1 err=$2
    shift 2
    if [ $# -ge "$r" ]; then echo "${!r}"
    elif [ $# -eq $((r - 1)) ] && [ -n "$err" ]; then echo FAIL
    else echo skipped
    fi
}

# Header.
{
    echo "gort benchmarks vs Go ($(date -u '+%Y-%m-%d %H:%M:%S UTC'))"
    echo "  machine:  $(uname -srm), $(nproc 2>/dev/null || echo '?') CPUs"
    echo "  gort:     $builddir (buildtype $(buildtype)), commit $(git -C "$repo" describe --always --dirty 2>/dev/null || echo none)"
    echo "  go:       $(go version 2>/dev/null), programs from $peers"
    echo "  runs:     $runs each, alternating go/gort, median reported$([ "$quick" = 1 ] && echo '; BENCH_QUICK=1 (N / 10)')"
    [ -n "$only" ] && echo "  only:     $only"
    echo
} >&2

rows=() samples=() errors=()
any_error=0 any_miss=0
for b in "${benches[@]}"; do
    read -r name procs n target unit extra <<<"$b"
    if [ -n "$only" ] && [[ " ${only//,/ } " != *" $name "* ]]; then
        continue
    fi
    extra_args=() label=$name
    if [ -n "$extra" ]; then
        extra_args=("${extra#*=}")
        label="$name $extra"
    fi
    govals=() ourvals=() goerr='' ourerr=''
    for ((r = 1; r <= runs; r++)); do
        if [ -z "$goerr" ]; then
            if run_one go "$name" "$procs" "$n" "$unit" "${extra_args[@]}"; then govals+=("$VALUE"); else goerr=$ERR; fi
        fi
        if [ -z "$ourerr" ]; then
            if run_one gort "$name" "$procs" "$n" "$unit" "${extra_args[@]}"; then ourvals+=("$VALUE"); else ourerr=$ERR; fi
        fi
        printf '%s: %-16s P=%s N=%-8s run %d/%d  go %-10s gort %s\n' "$prog" "$label" "$procs" "$n" "$r" "$runs" \
            "$(progress_cell "$r" "$goerr" "${govals[@]}")" "$(progress_cell "$r" "$ourerr" "${ourvals[@]}")" >&2
        [ -n "$ourerr" ] && [ ${#ourvals[@]} -eq $((r - 1)) ] && echo "    gort: $ourerr" >&2
        [ -n "$goerr" ] && [ ${#govals[@]} -eq $((r - 1)) ] && echo "    go: $goerr" >&2
        [ -n "$goerr" ] && [ -n "$ourerr" ] && break
    done

    gomed=- ourmed=- ratio=- result=
    [ -z "$goerr" ] && gomed=$(fmt_value "$(median "${govals[@]}")" "$unit")
    [ -z "$ourerr" ] && ourmed=$(fmt_value "$(median "${ourvals[@]}")" "$unit")
    if [ -n "$goerr" ] || [ -n "$ourerr" ]; then
        result=ERROR
        any_error=1
        [ -n "$ourerr" ] && ourmed=FAIL && errors+=("$label P=$procs N=$n gort: $ourerr")
        [ -n "$goerr" ] && gomed=FAIL && errors+=("$label P=$procs N=$n go: $goerr")
    else
        # The ratio of the unrounded medians; PASS when it is <= the target.
        read -r ratio result < <(awk -v a="$(median "${ourvals[@]}")" -v b="$(median "${govals[@]}")" -v t="$target" \
            'BEGIN { if (b <= 0) { print "n/a ERROR"; exit }
                     r = a / b; printf "%.2f %s\n", r, (r <= t ? "PASS" : "MISS") }')
        [ "$result" = MISS ] && any_miss=1
        [ "$result" = ERROR ] && any_error=1 && errors+=("$label P=$procs N=$n: Go's value is not positive ($gomed)")
    fi
    rows+=("$label|$procs|$n|$unit|$ourmed|$gomed|$ratio|<= $target|$result")
    samples+=("$label P=$procs N=$n: go ${govals[*]:-}${goerr:+${govals[*]:+ }FAIL} | gort ${ourvals[*]:-}${ourerr:+${ourvals[*]:+ }FAIL}")
done

# The table.
echo >&2
row() { printf '%-16s %10s %9s  %-13s %10s %10s %6s %8s  %s\n' "$@"; }
row benchmark GOMAXPROCS N unit gort Go ratio target result
for r in "${rows[@]}"; do
    IFS='|' read -r name procs n unit ourmed gomed ratio target result <<<"$r"
    row "$name" "$procs" "$n" "$unit" "$ourmed" "$gomed" "$ratio" "$target" "$result"
done
echo
echo "runs (in order):"
for s in "${samples[@]}"; do echo "  $s"; done
if [ ${#errors[@]} -gt 0 ]; then
    echo
    echo "errors:"
    for e in "${errors[@]}"; do echo "  $e"; done
fi

[ $any_error = 1 ] && exit 1
[ $any_miss = 1 ] && [ "$strict" = 1 ] && exit 3
exit 0
