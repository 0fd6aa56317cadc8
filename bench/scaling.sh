#!/usr/bin/env bash
# bench/scaling.sh - how gort and Go scale with GOMAXPROCS: spawn_join,
# pingpong (64 pairs), skynet, chan_buffered and mutex (G = 2 x GOMAXPROCS
# goroutines) at each GOMAXPROCS of a list, gort and its Go twin alternating
# in one invocation, and a markdown table of medians (ns per operation; skynet in
# ms) with the gort/Go ratio. With SCALING_PLOT=FILE (.png or .svg) it also
# draws ns/op against GOMAXPROCS, both runtimes, one panel a benchmark
# (python3 with matplotlib).
#
# Usage: bench/scaling.sh [builddir]      (builddir defaults to "build")
# Environment:
#   SCALING_PROCS  the GOMAXPROCS values (default "1 2 4 8 16")
#   SCALING_RUNS   runs of each program at each value, alternating (default 3)
#   SCALING_QUICK  1: N / 10 for each program
#   SCALING_PLOT   the plot's file
# Past the machine's CPU count the values oversubscribe it: the table then
# shows how each runtime behaves under contention for cores, not scaling.
# Exit status: 0; 1 when a program failed (its cell shows ERR); 2 usage.
set -uo pipefail
prog=bench/scaling.sh
repo=$(cd "$(dirname "$0")/.." && pwd)
die() { echo "$prog: $*" >&2; exit 2; }
[ $# -le 1 ] || die "usage: bench/scaling.sh [builddir]"
builddir=${1:-build}
[ -d "$builddir" ] || builddir=$repo/$builddir
[ -f "$builddir/build.ninja" ] || die "'$builddir' is not a meson build directory"
builddir=$(cd "$builddir" && pwd)
procs_list=${SCALING_PROCS:-1 2 4 8 16}
runs=${SCALING_RUNS:-3}
for v in $procs_list $runs; do
    case "$v" in ''|*[!0-9]*|0) die "SCALING_PROCS and SCALING_RUNS take positive integers (got '$v')" ;; esac
done
command -v go >/dev/null 2>&1 || die "'go' not found in PATH: the Go twins (bench/go) need Go (>= 1.19)"

programs=(spawn_join pingpong skynet chan_buffered mutex)
div=1
[ "${SCALING_QUICK:-0}" = 1 ] && div=10
declare -A size=([spawn_join]=1000000 [pingpong]=1000000 [skynet]=1000000
                 [chan_buffered]=10000000 [mutex]=10000000)
[ "$div" = 10 ] && size[skynet]=100000  # a power of 10
for x in spawn_join pingpong chan_buffered mutex; do size[$x]=$((size[$x] / div)); done

ninja -C "$builddir" "${programs[@]/#/bench/}" >&2 || die "ninja failed"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/gort-scaling.XXXXXX") || die "mktemp failed"
trap 'rm -rf "$tmp"' EXIT
export GOTOOLCHAIN=local GO111MODULE=on
gocache=$(go env GOCACHE 2>/dev/null || true)
if [ -z "$gocache" ] || ! mkdir -p "$gocache" 2>/dev/null || [ ! -w "$gocache" ]; then
    export GOCACHE=$tmp/gocache
fi
for x in "${programs[@]}"; do
    (cd "$repo/bench/go" && go build -o "$tmp/$x" "./$x") >&2 || die "go build ./$x failed"
done

# one run: IMPL PROGRAM PROCS -> the number it printed, or ERR
one() {
    local bin=$builddir/bench/$2 args=("${size[$2]}")
    [ "$1" = go ] && bin=$tmp/$2
    [ "$2" = mutex ] && args+=($(( 2 * $3 )))
    [ "$2" = pingpong ] && args+=(64)  # pairs: work for every P
    local out
    out=$(GOMAXPROCS=$3 timeout -k 10 300 "$bin" "${args[@]}" 2>/dev/null) || { echo ERR; return; }
    echo "${out%% *}"
}
median() { tr ' ' '\n' | grep -v '^$' | sort -g | awk '{a[NR]=$1} END {print (NR ? a[int((NR+1)/2)] : "ERR")}'; }

failed=0
data=$tmp/data.tsv
echo "cpus: $(nproc), GOMAXPROCS: $procs_list, runs: $runs, N / $div" >&2
printf '| benchmark | GOMAXPROCS | gort | Go | gort/Go |\n|---|---|---|---|---|\n'
for x in "${programs[@]}"; do
    for p in $procs_list; do
        a='' b=''
        for _ in $(seq 1 "$runs"); do
            a="$a $(one gort "$x" "$p")"
            b="$b $(one go "$x" "$p")"
        done
        case "$a $b" in *ERR*) failed=1 ;; esac
        ma=$(echo "$a" | tr ' ' '\n' | grep -v ERR | median)
        mb=$(echo "$b" | tr ' ' '\n' | grep -v ERR | median)
        ratio=-
        [ "$ma" != ERR ] && [ "$mb" != ERR ] && ratio=$(awk -v a="$ma" -v b="$mb" 'BEGIN {printf "%.2f", a / b}')
        unit="ns/op"
        [ "$x" = skynet ] && unit=ms
        label=$x
        [ "$x" = mutex ] && label="mutex G=2P"
        [ "$x" = pingpong ] && label="pingpong 64 pairs"
        printf '| %s | %s | %s %s | %s %s | %s |\n' "$label" "$p" "$ma" "$unit" "$mb" "$unit" "$ratio"
        printf '%s\t%s\t%s\t%s\t%s\n' "$x" "$p" "$ma" "$mb" "$unit" >>"$data"
    done
done

if [ -n "${SCALING_PLOT:-}" ]; then
    py=python3
    "$py" -c 'import matplotlib' 2>/dev/null || py=/usr/bin/python3
    "$py" - "$data" "$SCALING_PLOT" "$(nproc)" <<'EOF' || failed=1
import sys
import matplotlib
matplotlib.use("Agg")
import matplotlib.pyplot as plt
rows = [l.rstrip("\n").split("\t") for l in open(sys.argv[1])]
names = list(dict.fromkeys(r[0] for r in rows))
fig, axes = plt.subplots(1, len(names), figsize=(4 * len(names), 3.6))
for ax, name in zip(axes, names):
    rs = [r for r in rows if r[0] == name and r[2] != "ERR" and r[3] != "ERR"]
    ps = [int(r[1]) for r in rs]
    ax.plot(ps, [float(r[2]) for r in rs], "o-", label="gort")
    ax.plot(ps, [float(r[3]) for r in rs], "s--", label="Go")
    ax.set_xscale("log", base=2)
    ax.set_xticks(ps)
    ax.set_xticklabels([str(p) for p in ps])
    ax.set_title(name)
    ax.set_xlabel("GOMAXPROCS")
    ax.set_ylabel(rs[0][4] if rs else "")
    ax.axvline(int(sys.argv[3]), color="grey", lw=0.5)
    ax.legend()
fig.suptitle("gort and Go against GOMAXPROCS (%s CPUs; grey: the CPU count)" % sys.argv[3])
fig.tight_layout()
fig.savefig(sys.argv[2])
EOF
    echo "$prog: plot in $SCALING_PLOT" >&2
fi
exit $failed
