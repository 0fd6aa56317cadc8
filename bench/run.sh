#!/usr/bin/env bash
# run.sh - compare gort's benchmark programs with their Go twins.
#
# Usage: bench/run.sh [builddir]        (builddir defaults to "build")
#
# Builds the benchmark programs of bench/ (spawn_join, yield, memory, defer,
# panic_recover, pingpong, skynet, chan_buffered, mutex, sleep_timers,
# syscall) in the meson build directory, builds their Go twins from
# bench/go/<name> (the project's own, module gort-bench) into a temporary
# directory, then runs Go and gort alternately (go, gort, go, gort, ...) in
# this one invocation and prints the median of each, their ratio (gort / Go)
# and the target (a ratio, or for some rows an absolute bound on gort's
# value, or gort against gort). Everything it needs is in the repository;
# scripts/check-go-twins.sh checks the twins against the Go reference
# programs they were written after, where those are at hand.
#
# Environment:
#   BENCH_RUNS=3       runs per program and benchmark (the median is reported)
#   BENCH_QUICK=1      a smoke run: every N divided by 10
#   BENCH_TIMEOUT=300  seconds one run may take before it counts as a hang
#   BENCH_VERBOSE=1    also show each run's stderr diagnostics line
#   BENCH_STRICT=1     exit with status 3 when a benchmark misses its target
#   BENCH_ONLY="a b"   only the rows of these programs (e.g. "pingpong mutex")
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

command -v go >/dev/null 2>&1 || die "'go' not found in PATH: the Go twins (bench/go) need Go (>= 1.19)"
command -v timeout >/dev/null 2>&1 || die "'timeout' (coreutils) not found in PATH"

# Build ours.
programs=(spawn_join yield memory defer panic_recover pingpong skynet chan_buffered mutex sleep_timers syscall)
targets=("${programs[@]/#/bench/}")
for w in ${only//,/ }; do
    [[ " ${programs[*]} " == *" $w "* ]] || die "BENCH_ONLY: unknown program '$w' (known: ${programs[*]})"
done

# Each selected program's Go twin: bench/go/<name>, in the module of
# bench/go/go.mod. All of them live in the repository; a missing one is a
# broken checkout, not something to look for elsewhere.
own_go=$repo/bench/go
selected=()
for x in "${programs[@]}"; do
    if [ -z "$only" ] || [[ " ${only//,/ } " == *" $x "* ]]; then selected+=("$x"); fi
done
[ -f "$own_go/go.mod" ] || die "$own_go/go.mod not found: the Go twins' module is missing from this checkout"
for x in "${selected[@]}"; do
    [ -f "$own_go/$x/main.go" ] || die "no Go twin for '$x': $own_go/$x/main.go is missing from this checkout"
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
for x in "${selected[@]}"; do
    (cd "$own_go" && go build -o "$tmp/go/$x" "./$x") >&2 || die "go build ./$x failed in $own_go"
done

# The benchmarks: name GOMAXPROCS N target unit [ARGS].
#
# ARGS is the program's argument list, comma-separated (default "N"): "N"
# stands for the row's N; a KEY=VALUE item passes VALUE and is shown in the
# row's name ("mutex G=4"); any other word (a mode: "overhead") is passed as
# it is and shown in the name too ("syscall overhead").
#
# target: a number t: PASS when gort / Go <= t; "abs:V": PASS when gort's own
# value is <= V in the row's unit (the ratio column still shows gort / Go);
# "-": no target (a row shown for comparison).
#
# "vs|NAME|ROW A|ROW B|t" (rows A and B named as in the table, listed above
# it) adds a row NAME comparing gort with itself: its gort column is gort's
# A / gort's B, its Go column Go's A / Go's B, and it passes when the gort
# column is <= t. It is left out when A or B was not run (BENCH_ONLY).
if [ "$quick" = 1 ]; then
    spawn_n=100000 yield_n=1000000 mem_small=10000 mem_large=100000 defer_n=10000000 panic_n=100000
    pingpong_n=100000 skynet_n=100000 chanbuf_n=1000000 mutex_n=1000000 sleep_n=10000
    handoff_n=200 overhead_n=200000 blocked_n=100000
else
    spawn_n=1000000 yield_n=10000000 mem_small=100000 mem_large=1000000 defer_n=100000000 panic_n=1000000
    pingpong_n=1000000 skynet_n=1000000 chanbuf_n=10000000 mutex_n=10000000 sleep_n=100000
    handoff_n=2000 overhead_n=2000000 blocked_n=1000000
fi
benches=(
    "spawn_join 1 $spawn_n 0.10 ns/goroutine"
    "spawn_join 2 $spawn_n 0.30 ns/goroutine"
    "yield 1 $yield_n 0.30 ns/switch"
    "memory 1 $mem_small 1.6 B/goroutine"
    "memory 1 $mem_large 1.6 B/goroutine"
    "defer 1 $defer_n 2.0 ns/call"
    "defer 1 $defer_n 1.5 ns/call N,loop"
    "panic_recover 1 $panic_n 0.25 ns/panic"
    "pingpong 1 $pingpong_n 0.30 ns/roundtrip"
    "pingpong 2 $pingpong_n 1.0 ns/roundtrip"
    "skynet 1 $skynet_n 0.5 ms"
    "skynet 2 $skynet_n 0.5 ms"
    "chan_buffered 1 $chanbuf_n 0.75 ns/item"
    "chan_buffered 2 $chanbuf_n 0.75 ns/item"
    "mutex 2 $mutex_n 1.0 ns/op N,G=2"
    "mutex 2 $mutex_n 1.0 ns/op N,G=4"
    "sleep_timers 2 $sleep_n 1.0 ms"
    "syscall 1 $overhead_n abs:15 ns overhead,N"
    "syscall 1 $handoff_n abs:100 us handoff,N"
    "syscall 2 $blocked_n 0.5 ns/roundtrip blocked,B=2,PAIRS=100,N"
    "syscall 2 $blocked_n - ns/roundtrip blocked,B=0,PAIRS=100,N"
    "vs|syscall blocked B=2 / B=0|syscall blocked B=2 PAIRS=100|syscall blocked B=0 PAIRS=100|1.10"
)

# run_one IMPL NAME PROCS UNIT ARG...: run one program once. Sets VALUE to
# the number it printed, or returns 1 with ERR set.
VALUE='' ERR=''
run_one() {
    local impl=$1 name=$2 procs=$3 unit=$4 bin out err rc line
    shift 4
    local args=("$@")
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
    echo "  go:       $(go version 2>/dev/null), twins from $own_go"
    echo "  runs:     $runs each, alternating go/gort, median reported$([ "$quick" = 1 ] && echo '; BENCH_QUICK=1 (N / 10)')"
    [ -n "$only" ] && echo "  only:     $only"
    echo
} >&2

rows=() samples=() errors=()
any_error=0 any_miss=0
# By row name, for the "vs" rows: where it ran ("P N"), and its unrounded
# medians (unset when that side failed).
declare -A ran=() gort_raw=() go_raw=()
for b in "${benches[@]}"; do
    if [[ "$b" == vs\|* ]]; then
        # gort against gort: row A's value / row B's value, on both sides.
        IFS='|' read -r _ label a_label b_label target <<<"$b"
        [ -n "${ran[$a_label]:-}" ] && [ -n "${ran[$b_label]:-}" ] || continue
        ours=$(awk -v a="${gort_raw[$a_label]:-}" -v b="${gort_raw[$b_label]:-}" \
            'BEGIN { if (a == "" || b == "" || b <= 0) print "-"; else printf "%.2f", a / b }')
        theirs=$(awk -v a="${go_raw[$a_label]:-}" -v b="${go_raw[$b_label]:-}" \
            'BEGIN { if (a == "" || b == "" || b <= 0) print "-"; else printf "%.2f", a / b }')
        if [ "$ours" = - ]; then
            result=n/a # the rows it compares failed (already an ERROR) or gave 0
        else
            result=$(awk -v a="${gort_raw[$a_label]:-}" -v b="${gort_raw[$b_label]:-}" -v t="$target" \
                'BEGIN { print (a / b <= t ? "PASS" : "MISS") }')
            [ "$result" = MISS ] && any_miss=1
        fi
        read -r procs n <<<"${ran[$a_label]}"
        rows+=("$label|$procs|$n|ratio|$ours|$theirs|-|<= $target|$result")
        continue
    fi

    read -r name procs n target unit argspec <<<"$b"
    if [ -n "$only" ] && [[ " ${only//,/ } " != *" $name "* ]]; then
        continue
    fi
    # The argument list and the row's name, from ARGS (see above).
    args=() label=$name
    IFS=',' read -r -a items <<<"${argspec:-N}"
    for it in "${items[@]}"; do
        case "$it" in
        N)   args+=("$n") ;;
        *=*) args+=("${it#*=}"); label="$label $it" ;;
        *)   args+=("$it"); label="$label $it" ;;
        esac
    done
    govals=() ourvals=() goerr='' ourerr=''
    for ((r = 1; r <= runs; r++)); do
        if [ -z "$goerr" ]; then
            if run_one go "$name" "$procs" "$unit" "${args[@]}"; then govals+=("$VALUE"); else goerr=$ERR; fi
        fi
        if [ -z "$ourerr" ]; then
            if run_one gort "$name" "$procs" "$unit" "${args[@]}"; then ourvals+=("$VALUE"); else ourerr=$ERR; fi
        fi
        printf '%s: %-16s P=%s N=%-8s run %d/%d  go %-10s gort %s\n' "$prog" "$label" "$procs" "$n" "$r" "$runs" \
            "$(progress_cell "$r" "$goerr" "${govals[@]}")" "$(progress_cell "$r" "$ourerr" "${ourvals[@]}")" >&2
        [ -n "$ourerr" ] && [ ${#ourvals[@]} -eq $((r - 1)) ] && echo "    gort: $ourerr" >&2
        [ -n "$goerr" ] && [ ${#govals[@]} -eq $((r - 1)) ] && echo "    go: $goerr" >&2
        [ -n "$goerr" ] && [ -n "$ourerr" ] && break
    done

    gomed=- ourmed=- ratio=- result=
    ran[$label]="$procs $n"
    [ -z "$goerr" ] && go_raw[$label]=$(median "${govals[@]}") && gomed=$(fmt_value "${go_raw[$label]}" "$unit")
    [ -z "$ourerr" ] && gort_raw[$label]=$(median "${ourvals[@]}") && ourmed=$(fmt_value "${gort_raw[$label]}" "$unit")
    case "$target" in
    abs:*) shown="<= ${target#abs:} $unit" ;;
    -)     shown=- ;;
    *)     shown="<= $target" ;;
    esac
    if [ -n "$goerr" ] || [ -n "$ourerr" ]; then
        result=ERROR
        any_error=1
        [ -n "$ourerr" ] && ourmed=FAIL && errors+=("$label P=$procs N=$n gort: $ourerr")
        [ -n "$goerr" ] && gomed=FAIL && errors+=("$label P=$procs N=$n go: $goerr")
    else
        # The ratio of the unrounded medians; PASS when it (or, for an
        # absolute target, gort's median) is <= the target. Where the target
        # is absolute or absent, a Go value <= 0 only leaves the ratio out.
        read -r ratio result < <(awk -v a="${gort_raw[$label]}" -v b="${go_raw[$label]}" -v t="$target" \
            'BEGIN { r = (b > 0) ? sprintf("%.2f", a / b) : "n/a"
                     if (t ~ /^abs:/) { print r, (a <= substr(t, 5) + 0 ? "PASS" : "MISS"); exit }
                     if (t == "-") { print r, "-"; exit }
                     if (b <= 0) { print "n/a ERROR"; exit }
                     print r, (a / b <= t + 0 ? "PASS" : "MISS") }')
        [ "$result" = MISS ] && any_miss=1
        [ "$result" = ERROR ] && any_error=1 && errors+=("$label P=$procs N=$n: Go's value is not positive ($gomed)")
    fi
    rows+=("$label|$procs|$n|$unit|$ourmed|$gomed|$ratio|$shown|$result")
    samples+=("$label P=$procs N=$n: go ${govals[*]:-}${goerr:+${govals[*]:+ }FAIL} | gort ${ourvals[*]:-}${ourerr:+${ourvals[*]:+ }FAIL}")
done

# The table.
echo >&2
# The name column is as wide as the longest name (at least 16).
width=16
for r in "${rows[@]}"; do
    name=${r%%|*}
    [ ${#name} -gt $width ] && width=${#name}
done
row() { printf "%-${width}s %10s %9s  %-13s %10s %10s %6s %9s  %s\n" "$@"; }
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
