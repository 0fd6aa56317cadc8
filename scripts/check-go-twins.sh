#!/usr/bin/env bash
# check-go-twins.sh - check that the project's Go twins (bench/go/<name>)
# behave like the Go reference programs they stand in for.
#
# Usage: scripts/check-go-twins.sh [--defaults] [NAME...]
#
# bench/run.sh compares every C benchmark with a Go twin kept in bench/go,
# so that it runs from any clone. The twins were written after the reference
# programs in ../shared/peers/go (outside the repository, absent from most
# clones). When those references are there, this script builds each twin and
# its reference with `go build`, runs both with the same small arguments and
# GOMAXPROCS (a few cases each: normal runs, variants, bad arguments), and
# checks that they agree:
#
#   - the same exit status;
#   - stdout and stderr of the same shape: the same words and field layout
#     once every number is replaced by a placeholder (<num>, or <dur> for a
#     Go time.Duration such as 1.5ms), since the numbers are timings. The
#     parameter fields of the diagnostics line (N=, G=, cap=, B=, pairs=,
#     n=, GOMAXPROCS=, variant=, sleep=, result=) are compared exactly;
#   - for a Go runtime panic, the panic line (the trace after it names
#     files and addresses, which differ).
#
# It prints one line per twin and a summary. Without the references it
# prints "skipped: no reference programs" and exits 0. A reference with no
# twin, or a twin with no reference or no cases here, counts as a failure.
#
# Options:
#   --defaults   also run each program once with no arguments (its default
#                sizes: a few seconds and a few hundred MB per program)
#   NAME...      check only these twins
#
# Environment:
#   GORT_GO_PEERS=dir  the reference programs (default <repo>/../shared/peers/go)
#   CHECK_TIMEOUT=60   seconds one run may take before it counts as a hang
#
# Exit status: 0 every twin matches (or no references: skipped), 1 a twin
# differs or failed to build or run, 2 usage.

set -u -o pipefail

prog=check-go-twins.sh
die() { echo "$prog: $*" >&2; exit 1; }

defaults=0
names=()
for a in "$@"; do
    case "$a" in
    -h|--help) sed -n '2,/^$/s/^# \{0,1\}//p' "$0"; exit 0 ;;
    --defaults) defaults=1 ;;
    -*) echo "usage: scripts/check-go-twins.sh [--defaults] [NAME...]" >&2; exit 2 ;;
    *) names+=("$a") ;;
    esac
done

script_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd) || die "cannot find the script directory"
repo=$(cd "$script_dir/.." && pwd)
twins_dir=$repo/bench/go
peers=${GORT_GO_PEERS:-$repo/../shared/peers/go}
run_timeout=${CHECK_TIMEOUT:-60}
case "$run_timeout" in
''|*[!0-9]*|0) die "CHECK_TIMEOUT must be a positive number of seconds (got '$run_timeout')" ;;
esac

if [ ! -f "$peers/go.mod" ]; then
    echo "$prog: skipped: no reference programs (looked in '$peers'; set GORT_GO_PEERS)"
    exit 0
fi
peers=$(cd "$peers" && pwd)

command -v go >/dev/null 2>&1 || die "'go' not found in PATH (needs Go >= 1.19)"
command -v timeout >/dev/null 2>&1 || die "'timeout' (coreutils) not found in PATH"
command -v perl >/dev/null 2>&1 || die "'perl' not found in PATH"

# The cases: "NAME|GOMAXPROCS|ARGS" ("-": no arguments). Small sizes: this
# checks behaviour, not speed. echo is a server and is checked apart.
cases=(
    "spawn_join|1|1000" "spawn_join|2|1000" "spawn_join|1|x" "spawn_join|1|0"
    "yield|1|1000" "yield|1|1" "yield|1|0" "yield|1|-5"
    "memory|1|1000" "memory|2|500" "memory|1|0" "memory|1|abc"
    "defer|1|100000" "defer|1|100000 open" "defer|1|100000 loop" "defer|1|100000 none"
    "defer|1|1000 frame" "defer|1|0 loop"
    "panic_recover|1|1000" "panic_recover|1|0" "panic_recover|1|1.5"
    "pingpong|1|1000" "pingpong|2|1000" "pingpong|1|0" "pingpong|1|1e3"
    "skynet|1|1000" "skynet|2|100" "skynet|1|1" "skynet|1|0" "skynet|1|-1"
    "chan_buffered|1|10000" "chan_buffered|2|10000 1" "chan_buffered|1|10000 0"
    "mutex|2|10000" "mutex|2|10000 4" "mutex|2|3 4" "mutex|2|10 0" "mutex|2|10 x"
    "sleep_timers|2|100 1" "sleep_timers|1|10" "sleep_timers|2|100 0"
    "syscall|1|overhead 1000" "syscall|1|handoff 20" "syscall|2|blocked 0 2 100"
    "syscall|2|blocked 1 2 100" "syscall|1|-" "syscall|1|bogus" "syscall|1|handoff -1"
    "syscall|1|handoff 0"
)
if [ $defaults = 1 ]; then
    for x in spawn_join yield memory defer panic_recover pingpong skynet chan_buffered mutex sleep_timers; do
        cases+=("$x|2|-")
    done
    cases+=("syscall|1|overhead" "syscall|1|handoff" "syscall|2|blocked")
fi

# The programs: every bench/go/<name> with a main.go, every reference
# <peers>/<name> with a main.go.
list_dirs() { # list_dirs DIR: the subdirectories holding a main.go
    local d
    for d in "$1"/*/; do
        [ -f "$d/main.go" ] && basename "$d"
    done
}
mapfile -t twins < <(list_dirs "$twins_dir")
mapfile -t refs < <(list_dirs "$peers")
all=$(printf '%s\n' "${twins[@]}" "${refs[@]}" | sort -u)
if [ ${#names[@]} -gt 0 ]; then
    for x in "${names[@]}"; do
        grep -qx -- "$x" <<<"$all" || die "unknown program '$x' (known: $(tr '\n' ' ' <<<"$all"))"
    done
    all=$(printf '%s\n' "${names[@]}")
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/gort-twins.XXXXXX") || die "mktemp failed"
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/twin" "$tmp/ref"

# Go >= 1.21 must not fetch another toolchain; a read-only HOME gets a
# throwaway build cache (as in bench/run.sh).
export GOTOOLCHAIN=local GOFLAGS=${GOFLAGS:-} GO111MODULE=on
gocache=$(go env GOCACHE 2>/dev/null || true)
if [ -z "$gocache" ] || ! mkdir -p "$gocache" 2>/dev/null || [ ! -w "$gocache" ]; then
    export GOCACHE=$tmp/gocache
fi

# shape FILE: the output with its numbers replaced (see the header), cut at
# the first empty line (where a Go panic's goroutine trace starts).
shape() {
    perl -ne '
        BEGIN { $params = qr/^(?:N|G|B|n|cap|pairs|GOMAXPROCS|variant|sleep|result)=/ }
        last if /^$/;
        chomp;
        my @t = map {
            my $w = $_;
            unless ($w =~ $params) {
                $w =~ s/(?:[0-9]+(?:\.[0-9]+)?(?:ns|µs|us|ms|h|m|s))+(?![A-Za-z\/])/<dur>/g;
                $w =~ s/[-+]?[0-9]+(?:\.[0-9]+)?(?:e[-+]?[0-9]+)?/<num>/g;
            }
            $w
        } split / /, $_, -1;
        print join(" ", @t), "\n";
    ' "$1"
}

# run_case SIDE BIN PROCS ARGS: run one program; leaves SIDE.out, SIDE.err,
# SIDE.rc in $tmp.
run_case() {
    local side=$1 bin=$2 procs=$3 args=$4 rc
    local argv=()
    [ "$args" = - ] || read -r -a argv <<<"$args"
    GOMAXPROCS=$procs timeout -k 5 "$run_timeout" "$bin" "${argv[@]}" \
        >"$tmp/$side.out" 2>"$tmp/$side.err" </dev/null
    rc=$?
    echo $rc >"$tmp/$side.rc"
}

# compare LABEL: compare the last twin and reference runs; on a difference
# append to DETAILS and return 1. ALLOW_TIMEOUT=1: a timeout is expected.
DETAILS=''
compare() {
    local label=$1 trc rrc f
    trc=$(cat "$tmp/twin.rc") rrc=$(cat "$tmp/ref.rc")
    if [ "${ALLOW_TIMEOUT:-0}" != 1 ] && { [ "$trc" = 124 ] || [ "$trc" = 137 ]; }; then
        DETAILS+="    $label: the twin timed out after ${run_timeout}s"$'\n'
        return 1
    fi
    if [ "$trc" != "$rrc" ]; then
        DETAILS+="    $label: exit status $trc, the reference's $rrc"$'\n'
        DETAILS+="$(sed 's/^/      twin stderr: /' "$tmp/twin.err" | head -n 3)"$'\n'
        DETAILS+="$(sed 's/^/      ref stderr:  /' "$tmp/ref.err" | head -n 3)"$'\n'
        return 1
    fi
    for f in out err; do
        shape "$tmp/twin.$f" >"$tmp/twin.$f.shape"
        shape "$tmp/ref.$f" >"$tmp/ref.$f.shape"
        if ! cmp -s "$tmp/twin.$f.shape" "$tmp/ref.$f.shape"; then
            DETAILS+="    $label: std$f differs in shape"$'\n'
            DETAILS+="$(diff "$tmp/ref.$f.shape" "$tmp/twin.$f.shape" | grep '^[<>]' |
                sed 's/^</      ref: /; s/^>/      twin:/' | head -n 6)"$'\n'
            return 1
        fi
    done
    return 0
}

# check_echo TWIN REF: the echo server. It runs until killed: start each on
# a free-looking port for a second (both must print their "listening on"
# line and still be serving), then the bad-argument cases.
check_echo() {
    local twin=$1 ref=$2 port bad=0 n=0 args
    port=$((20000 + $$ % 20000))
    ALLOW_TIMEOUT=1
    for side in twin ref; do
        if [ $side = twin ]; then b=$twin; else b=$ref; fi
        GOMAXPROCS=1 timeout 1 "$b" "$port" 64 >"$tmp/$side.out" 2>"$tmp/$side.err" </dev/null
        echo $? >"$tmp/$side.rc"
    done
    n=$((n + 1))
    if [ "$(cat "$tmp/twin.rc")" != 124 ]; then
        DETAILS+="    GOMAXPROCS=1 echo $port 64: the twin did not keep serving (exit $(cat "$tmp/twin.rc"))"$'\n'
        bad=1
    else
        compare "GOMAXPROCS=1 echo $port 64" || bad=1
    fi
    ALLOW_TIMEOUT=0
    for args in "x" "0" "$port -2"; do
        run_case twin "$twin" 1 "$args"
        run_case ref "$ref" 1 "$args"
        n=$((n + 1))
        compare "GOMAXPROCS=1 echo $args" || bad=1
    done
    CASES=$n
    return $bad
}

ok=0 failed=0
for x in $all; do
    DETAILS='' CASES=0
    if [ ! -f "$twins_dir/$x/main.go" ]; then
        echo "$x: FAIL: no twin in bench/go/$x (the reference $peers/$x has no copy)"
        failed=$((failed + 1)); continue
    fi
    if [ ! -f "$peers/$x/main.go" ]; then
        echo "$x: FAIL: no reference program $peers/$x to compare with"
        failed=$((failed + 1)); continue
    fi
    if ! (cd "$twins_dir" && go build -o "$tmp/twin/$x" "./$x") >"$tmp/build.log" 2>&1; then
        echo "$x: FAIL: go build of the twin failed"; sed 's/^/    /' "$tmp/build.log"
        failed=$((failed + 1)); continue
    fi
    if ! (cd "$peers" && go build -o "$tmp/ref/$x" "./$x") >"$tmp/build.log" 2>&1; then
        echo "$x: FAIL: go build of the reference failed"; sed 's/^/    /' "$tmp/build.log"
        failed=$((failed + 1)); continue
    fi
    bad=0
    if [ "$x" = echo ]; then
        check_echo "$tmp/twin/$x" "$tmp/ref/$x" || bad=1
    else
        for c in "${cases[@]}"; do
            IFS='|' read -r name procs args <<<"$c"
            [ "$name" = "$x" ] || continue
            CASES=$((CASES + 1))
            run_case twin "$tmp/twin/$x" "$procs" "$args"
            run_case ref "$tmp/ref/$x" "$procs" "$args"
            label="GOMAXPROCS=$procs $x"
            [ "$args" = - ] || label+=" $args"
            compare "$label" || bad=1
        done
    fi
    if [ "$CASES" = 0 ]; then
        echo "$x: FAIL: no test cases for it in $prog"
        failed=$((failed + 1))
    elif [ $bad = 0 ]; then
        echo "$x: ok ($CASES cases, same exit status and output shape)"
        ok=$((ok + 1))
    else
        echo "$x: DIFFERS from $peers/$x"
        printf '%s' "$DETAILS"
        failed=$((failed + 1))
    fi
done

total=$((ok + failed))
echo "$prog: $total program$([ $total = 1 ] || echo s): $ok match, $failed $([ $failed = 1 ] && echo fails || echo fail) (references: $peers)"
[ $failed = 0 ]
