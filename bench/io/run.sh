#!/usr/bin/env bash
# run.sh - the I/O benchmark: echo servers (Go, raw epoll C, gort) driven by
# one C load generator.
#
# Usage: bench/io/run.sh
#
# Builds bench/io/client.c and bench/io/raw_epoll_server.c with cc -O2 and the
# Go twin bench/go/echo into a temporary directory. Then, for each
# configuration, runs the servers alternately (go, raw, gort, go, raw, gort,
# ...), each started fresh on a free port, pinned to the server CPUs with
# GOMAXPROCS set, while the client runs pinned to its own CPU. Prints medians
# and ratios against Go:
#   closed loop  conns x size: round trips/s, server CPU %, server CPU seconds
#                per million round trips, context switches per round trip,
#                server RSS per connection, client CPU %
#   open loop    conns at 25/50/80% of Go's closed-loop peak: latency from
#                the scheduled send time, p50 p99 p99.9 max
# See bench/io/README.md for what each number means.
#
# Environment:
#   GORT_ECHO_SERVER=path  gort's echo server (same arguments as the Go one:
#                      PORT SIZE; prints "listening on ADDR"); left out if unset
#   BENCH_RUNS=3       runs per server and configuration (median reported)
#   BENCH_QUICK=1      a smoke run: 1 run, 0.2 s warm-up, 0.5 s window, 50% rate
#   BENCH_WARMUP=1     warm-up seconds        BENCH_SECS=4  measured seconds
#   BENCH_CONNS="1 100 10000"  BENCH_SIZES="64 512"   closed-loop grid
#   BENCH_OPEN=1       0: no open-loop section
#   BENCH_OPEN_CONNS="100 10000"  BENCH_OPEN_SIZE=512  BENCH_RATES="25 50 80"
#                      open-loop connections, message size, and rates in
#                      percent of Go's closed-loop median at that size
#   BENCH_SERVERS="go raw gort"  which servers (gort only with GORT_ECHO_SERVER)
#   BENCH_PROCS=1      GOMAXPROCS of the servers
#   BENCH_SERVER_CPUS=0  BENCH_CLIENT_CPU=1   taskset CPU lists
#   BENCH_NICE=N       run server and client under nice -n N (e.g. -10 on a
#                      shared machine; needs root for a negative N); default none
#   BENCH_QUIET=S      on a shared machine: before each run, wait up to S
#                      seconds for the CPUs to be 95% idle (default 0: don't)
#   BENCH_RETRY_BUSY=N run again, up to N times, a run during which other
#                      processes used over 10% of a CPU (default 0)
#   BENCH_TIMEOUT=120  seconds one client run may take
#   BENCH_VERBOSE=1    show each client run's stderr line
#   CC=cc              the C compiler
#
# Exit status: 0 every run worked, 1 setup failed or a run failed (a crash,
# a hang, a wrong echoed byte, a server that died), 2 usage.
# Needs Go (>= 1.19), taskset and timeout; needs no root and installs nothing.

set -u -o pipefail

prog=io/run.sh
die() { echo "$prog: $*" >&2; exit 1; }

case "${1:-}" in
-h|--help)
    sed -n '2,/^$/s/^# \{0,1\}//p' "$0"
    exit 0 ;;
esac
if [ $# -gt 0 ]; then
    echo "usage: bench/io/run.sh   (settings come from the environment; see -h)" >&2
    exit 2
fi

script_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd) || die "cannot find the script directory"
repo=$(cd "$script_dir/../.." && pwd)

# Knobs.
posint() { # posint NAME VALUE
    case "$2" in ''|*[!0-9]*|0) die "$1 must be a positive integer (got '$2')" ;; esac
}
posnum() { # posnum NAME VALUE
    [[ "$2" =~ ^[0-9]+(\.[0-9]+)?$ ]] && awk -v v="$2" 'BEGIN { exit !(v > 0) }' ||
        die "$1 must be a positive number (got '$2')"
}
quick=${BENCH_QUICK:-0}
if [ "$quick" = 1 ]; then
    runs=${BENCH_RUNS:-1} warmup=${BENCH_WARMUP:-0.2} secs=${BENCH_SECS:-0.5}
    rates=${BENCH_RATES:-50}
else
    runs=${BENCH_RUNS:-3} warmup=${BENCH_WARMUP:-1} secs=${BENCH_SECS:-4}
    rates=${BENCH_RATES:-25 50 80}
fi
conns_list=${BENCH_CONNS:-1 100 10000}
sizes=${BENCH_SIZES:-64 512}
do_open=${BENCH_OPEN:-1}
open_conns=${BENCH_OPEN_CONNS:-100 10000}
open_size=${BENCH_OPEN_SIZE:-512}
procs=${BENCH_PROCS:-1}
server_cpus=${BENCH_SERVER_CPUS:-0}
client_cpu=${BENCH_CLIENT_CPU:-1}
run_timeout=${BENCH_TIMEOUT:-120}
quiet_wait=${BENCH_QUIET:-0}
retry_busy=${BENCH_RETRY_BUSY:-0}
verbose=${BENCH_VERBOSE:-0}
servers_wanted=${BENCH_SERVERS:-go raw gort}
gort_server=${GORT_ECHO_SERVER:-}
cc=${CC:-cc}
nice_n=${BENCH_NICE:-}

posint BENCH_RUNS "$runs"
posint BENCH_PROCS "$procs"
posint BENCH_TIMEOUT "$run_timeout"
case "$quiet_wait" in ''|*[!0-9]*) die "BENCH_QUIET must be a number of seconds (got '$quiet_wait')" ;; esac
case "$retry_busy" in ''|*[!0-9]*) die "BENCH_RETRY_BUSY must be a count (got '$retry_busy')" ;; esac
posint BENCH_OPEN_SIZE "$open_size"
posnum BENCH_SECS "$secs"
[[ "$warmup" =~ ^[0-9]+(\.[0-9]+)?$ ]] || die "BENCH_WARMUP must be a number >= 0 (got '$warmup')"
for c in $conns_list $open_conns; do posint "BENCH_CONNS/BENCH_OPEN_CONNS" "$c"; done
for s in $sizes; do posint BENCH_SIZES "$s"; done
for r in $rates; do posnum BENCH_RATES "$r"; done
nice_cmd=()
if [ -n "$nice_n" ]; then
    [[ "$nice_n" =~ ^-?[0-9]+$ ]] || die "BENCH_NICE must be an integer (got '$nice_n')"
    got=$(nice -n "$nice_n" nice 2>/dev/null) || die "cannot run under nice -n $nice_n"
    [ "$nice_n" -ge 0 ] || [ "$got" -lt "$(nice)" ] ||
        die "cannot run under nice -n $nice_n (a negative value needs root)"
    nice_cmd=(nice -n "$nice_n")
fi
[[ "$server_cpus" =~ ^[0-9,-]+$ ]] || die "BENCH_SERVER_CPUS must be a CPU list such as 0 or 0-3 (got '$server_cpus')"
[[ "$client_cpu" =~ ^[0-9,-]+$ ]] || die "BENCH_CLIENT_CPU must be a CPU list such as 1 (got '$client_cpu')"

command -v go >/dev/null 2>&1 || die "'go' not found in PATH: the Go echo server needs Go (>= 1.19)"
command -v taskset >/dev/null 2>&1 || die "'taskset' (util-linux) not found in PATH"
command -v timeout >/dev/null 2>&1 || die "'timeout' (coreutils) not found in PATH"
command -v "$cc" >/dev/null 2>&1 || die "C compiler '$cc' not found (set CC)"
taskset -c "$server_cpus" true 2>/dev/null || die "cannot pin to CPUs '$server_cpus' (BENCH_SERVER_CPUS)"
taskset -c "$client_cpu" true 2>/dev/null || die "cannot pin to CPU '$client_cpu' (BENCH_CLIENT_CPU)"

# The servers, in the order they alternate.
servers=()
for s in ${servers_wanted//,/ }; do
    case "$s" in
    go|raw) servers+=("$s") ;;
    gort)
        if [ -n "$gort_server" ]; then
            [ -x "$gort_server" ] && [ -f "$gort_server" ] ||
                die "GORT_ECHO_SERVER='$gort_server' is not an executable file"
            gort_server=$(cd "$(dirname "$gort_server")" && pwd)/$(basename "$gort_server")
            servers+=(gort)
        fi ;;
    *) die "BENCH_SERVERS: unknown server '$s' (known: go raw gort)" ;;
    esac
done
[[ " ${servers[*]} " == *" go "* ]] || die "BENCH_SERVERS must include go: every ratio is against Go"

tmp=$(mktemp -d "${TMPDIR:-/tmp}/gort-iobench.XXXXXX") || die "mktemp failed"
SPID=''
cleanup() {
    [ -n "$SPID" ] && kill -KILL "$SPID" 2>/dev/null
    rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# Build. The client and the raw server are single files: no meson needed.
cflags=(-O2 -g -std=gnu11 -Wall -Wextra)
echo "$prog: building client and raw_epoll_server with $cc ${cflags[*]}" >&2
"$cc" "${cflags[@]}" -o "$tmp/client" "$script_dir/client.c" -lm >&2 || die "building client.c failed"
"$cc" "${cflags[@]}" -o "$tmp/raw" "$script_dir/raw_epoll_server.c" >&2 || die "building raw_epoll_server.c failed"

export GOTOOLCHAIN=local GOFLAGS=${GOFLAGS:-} GO111MODULE=on
gocache=$(go env GOCACHE 2>/dev/null || true)
if [ -z "$gocache" ] || ! mkdir -p "$gocache" 2>/dev/null || [ ! -w "$gocache" ]; then
    export GOCACHE=$tmp/gocache
fi
gomod=$repo/bench/go
[ -f "$gomod/go.mod" ] && [ -f "$gomod/echo/main.go" ] || die "the Go echo server is not at $gomod/echo (with $gomod/go.mod)"
echo "$prog: building the Go echo server (bench/go/echo)" >&2
(cd "$gomod" && go build -o "$tmp/go" ./echo) >&2 || die "go build ./echo failed in $gomod"

server_bin() {
    case "$1" in go) echo "$tmp/go" ;; raw) echo "$tmp/raw" ;; gort) echo "$gort_server" ;; esac
}

# Servers get the hard descriptor limit (Go raises it itself; so does raw).
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true

# Ports for servers: below the ephemeral range, so that no client socket holds one.
read -r eph_lo _ </proc/sys/net/ipv4/ip_local_port_range 2>/dev/null || eph_lo=32768
port_lo=10000 port_hi=$((eph_lo - 1))
[ "$port_hi" -gt $((port_lo + 1000)) ] || port_lo=1024

# start_server IMPL SIZE: start a fresh server on a free port. Sets SPID and
# SADDR, or returns 1 with ERR set.
SADDR='' ERR=''
start_server() {
    local impl=$1 size=$2 bin attempt port i line
    bin=$(server_bin "$impl")
    for attempt in 1 2 3 4 5 6 7 8; do
        port=$((port_lo + (RANDOM * 32768 + RANDOM) % (port_hi - port_lo + 1)))
        : >"$tmp/srv.out"
        : >"$tmp/srv.err"
        GOMAXPROCS=$procs "${nice_cmd[@]}" taskset -c "$server_cpus" "$bin" "$port" "$size" >"$tmp/srv.out" 2>"$tmp/srv.err" &
        SPID=$!
        for ((i = 0; i < 500; i++)); do # up to 10 s
            line=$(grep -m1 '^listening on ' "$tmp/srv.out" 2>/dev/null)
            [ -n "$line" ] && break
            alive "$SPID" || break
            sleep 0.02
        done
        if [ -n "$line" ]; then
            SADDR=${line#listening on }
            SADDR=${SADDR%%[[:space:]]*}
            return 0
        fi
        if ! alive "$SPID"; then
            stop_server
            grep -qi 'address already in use' "$tmp/srv.err" && continue
            ERR="$impl server ended ($SSTATUS) before listening: $(tail -n 3 "$tmp/srv.err" | head -c 300 | tr '\n' '|')"
            return 1
        fi
        stop_server
        ERR="$impl server did not print 'listening on ADDR' within 10 s"
        return 1
    done
    ERR="$impl server: no free port after 8 tries"
    return 1
}

# alive PID: the process exists and is not a zombie.
alive() {
    local st
    kill -0 "$1" 2>/dev/null || return 1
    st=$(sed 's/.*) \(.\).*/\1/' "/proc/$1/stat" 2>/dev/null) || return 1
    [ "$st" != Z ] && [ "$st" != X ]
}

# stop_server: SIGTERM, then SIGKILL after 5 s; reaps it. Sets SSTATUS to
# how it ended when it had already exited by itself.
SSTATUS=''
stop_server() {
    [ -n "$SPID" ] || return 0
    local i st
    SSTATUS=''
    if ! alive "$SPID"; then
        wait "$SPID" 2>/dev/null
        st=$?
        if [ $st -gt 128 ]; then
            SSTATUS="killed by signal $((st - 128)) ($(kill -l $((st - 128)) 2>/dev/null || echo '?'))"
        else
            SSTATUS="exit status $st"
        fi
        SPID=''
        return 0
    fi
    kill -TERM "$SPID" 2>/dev/null
    for ((i = 0; i < 250; i++)); do
        alive "$SPID" || break
        sleep 0.02
    done
    kill -KILL "$SPID" 2>/dev/null
    wait "$SPID" 2>/dev/null
    SPID=''
}

# run_one IMPL CONNS SIZE [RATE]: one server, one client run. Sets LINE to
# the client's KEY=VALUE line, or returns 1 with ERR set.
LINE=''
run_one() {
    local impl=$1 conns=$2 size=$3 rate=${4:-} rc args
    LINE='' ERR=''
    start_server "$impl" "$size" || return 1
    args=(-c "$conns" -s "$size" -w "$warmup" -d "$secs" -p "$SPID")
    [ -n "$rate" ] && args+=(-r "$rate")
    timeout -k 5 "$run_timeout" "${nice_cmd[@]}" taskset -c "$client_cpu" "$tmp/client" "${args[@]}" "$SADDR" \
        >"$tmp/cli.out" 2>"$tmp/cli.err"
    rc=$?
    if [ "$verbose" = 1 ] && [ -s "$tmp/cli.err" ]; then
        sed "s/^/    [$impl] /" "$tmp/cli.err" >&2
    fi
    local up=1
    alive "$SPID" || up=0
    stop_server
    if [ $up = 0 ]; then
        ERR="the $impl server ended during the run ($SSTATUS): $(tail -n 3 "$tmp/srv.err" | head -c 300 | tr '\n' '|')"
        [ -s "$tmp/cli.err" ] && ERR="$ERR; client: $(tail -n 2 "$tmp/cli.err" | head -c 300 | tr '\n' '|')"
        return 1
    fi
    if [ $rc -eq 124 ] || [ $rc -eq 137 ]; then
        ERR="client timed out after ${run_timeout}s"
    elif [ $rc -ne 0 ]; then
        ERR="client exit status $rc: $(tail -n 3 "$tmp/cli.err" | head -c 400 | tr '\n' '|')"
    elif ! grep -q '^mode=.* rate=' "$tmp/cli.out"; then
        ERR="unexpected client output '$(head -c 200 "$tmp/cli.out" | tr '\n' '|')'"
    else
        LINE=$(head -n 1 "$tmp/cli.out")
        return 0
    fi
    return 1
}

# kv KEY LINE: the value of KEY=VALUE in LINE ('' if absent).
kv() { local re="(^| )$1=([^ ]*)"; [[ "$2" =~ $re ]] && echo "${BASH_REMATCH[2]}"; }

# median V...: the middle value (the mean of the two middle ones for an even count).
median() {
    [ $# -gt 0 ] || { echo ''; return; }
    printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END {
        if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}
fmt() { # fmt PRINTF-FORMAT VALUE: '-' for an empty value
    [ -n "$2" ] && awk -v f="$1" -v v="$2" 'BEGIN { printf f, v }' || echo -
}
ratio() { # ratio A B: A / B with two decimals
    [ -n "$1" ] && [ -n "$2" ] && awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "-" }' || echo -
}

# Results: R[key|impl|field] = the values of all runs, space-separated.
declare -A R
samples=() errors=()
any_error=0

# measure KEY CONNS SIZE RATE: BENCH_RUNS rounds of all servers, alternating.
measure() {
    local key=$1 conns=$2 size=$3 rate=$4 r impl f v cells
    declare -A failed=()
    for ((r = 1; r <= runs; r++)); do
        cells=''
        for impl in "${servers[@]}"; do
            if [ -n "${failed[$impl]:-}" ]; then cells+=" $impl skipped"; continue; fi
            local try=0 ok=0
            while :; do
                wait_quiet
                run_one "$impl" "$conns" "$size" "$rate" && ok=1 || ok=0
                [ $ok = 1 ] && [ "$try" -lt "$retry_busy" ] && is_busy "$LINE" || break
                try=$((try + 1))
                samples+=("$key $impl: (busy, run again) $LINE")
                echo "    $impl: other processes used $(kv other_cpu_pct "$LINE")% of a CPU; running again" >&2
            done
            if [ $ok = 1 ]; then
                for f in rate server_cpu_pct server_cpu_s_per_mrt server_csw_per_rt rss_per_conn_b \
                         client_cpu_pct client_cpu_s server_cpu_s other_cpu_pct p50_us p99_us p999_us \
                         max_us sent_late_p99_us client_late_p99_us incomplete; do
                    v=$(kv "$f" "$LINE")
                    [ -n "$v" ] && R[$key|$impl|$f]+="$v "
                done
                samples+=("$key $impl: $LINE")
                cells+=" $impl $(fmt %.0f "$(kv rate "$LINE")")"
            else
                failed[$impl]=1
                any_error=1
                errors+=("$key $impl (run $r): $ERR")
                cells+=" $impl FAIL"
                echo "    $impl: $ERR" >&2
            fi
        done
        printf '%s: %-34s run %d/%d %s\n' "$prog" "$key" "$r" "$runs" "$cells" >&2
    done
}

# busy_pct: how busy all CPUs together were over the next second, percent.
busy_pct() {
    local a b
    read -r -a a </proc/stat
    sleep 1
    read -r -a b </proc/stat
    awk -v a="${a[*]}" -v b="${b[*]}" 'BEGIN {
        split(a, x, " "); split(b, y, " ")
        for (i = 2; i <= 9; i++) d[i] = y[i] - x[i]
        busy = d[2] + d[3] + d[4] + d[7] + d[8] + d[9]; total = busy + d[5] + d[6]
        printf "%.0f", (total > 0 ? 100 * busy / total : 0) }'
}

# wait_quiet: with BENCH_QUIET=S, wait (at most S seconds) until the machine
# has been at least 95% idle for a second.
wait_quiet() {
    [ "$quiet_wait" -gt 0 ] || return 0
    local start=$SECONDS b
    while :; do
        b=$(busy_pct)
        [ "$b" -le 5 ] && return 0
        if [ $((SECONDS - start)) -ge "$quiet_wait" ]; then
            echo "    the machine is still ${b}% busy after ${quiet_wait}s; running anyway" >&2
            return 0
        fi
    done
}

# is_busy LINE: other processes used more than 10% of a CPU during the run.
is_busy() { awk -v o="$(kv other_cpu_pct "$1")" 'BEGIN { exit !(o > 10) }'; }

# flags KEY IMPL: C when the client may have been the limit in a run (closed
# loop: it used as much CPU as the server; open loop: its own delay in
# sending, p99, was over 100 us and over a quarter of the measured p99), B
# when other processes used more than 10% of a CPU during a run (the machine
# was busy), I when open-loop requests of the window never came back.
flags() {
    local key=$1 impl=$2 f='' a b i
    if [[ "$key" == open* ]]; then
        read -r -a a <<<"${R[$key|$impl|client_late_p99_us]:-}"
        read -r -a b <<<"${R[$key|$impl|p99_us]:-}"
        for ((i = 0; i < ${#a[@]}; i++)); do
            awk -v c="${a[$i]}" -v p="${b[$i]:-0}" 'BEGIN { exit !(c > 100 && c > p / 4) }' && { f+=C; break; }
        done
    else
        read -r -a a <<<"${R[$key|$impl|client_cpu_s]:-}"
        read -r -a b <<<"${R[$key|$impl|server_cpu_s]:-}"
        for ((i = 0; i < ${#a[@]}; i++)); do
            awk -v c="${a[$i]}" -v s="${b[$i]:-0}" 'BEGIN { exit !(c >= s) }' && { f+=C; break; }
        done
    fi
    for v in ${R[$key|$impl|other_cpu_pct]:-}; do
        awk -v o="$v" 'BEGIN { exit !(o > 10) }' && { f+=B; break; }
    done
    for v in ${R[$key|$impl|incomplete]:-}; do
        [ "$v" != 0 ] && { f+=I; break; }
    done
    echo "$f"
}
med() { median ${R[$1|$2|$3]:-}; } # med KEY IMPL FIELD

# Header.
load=$(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null)
{
    echo "gort I/O benchmark: echo servers vs Go ($(date -u '+%Y-%m-%d %H:%M:%S UTC'))"
    echo "  machine:  $(uname -srm), $(nproc 2>/dev/null || echo '?') CPUs, load average at start $load"
    echo "  servers:  ${servers[*]} on CPU $server_cpus with GOMAXPROCS=$procs; client on CPU $client_cpu${nice_n:+; nice -n $nice_n}"
    echo "  go:       $(go version 2>/dev/null)"
    [ -n "$gort_server" ] && echo "  gort:     $gort_server" || echo "  gort:     (GORT_ECHO_SERVER not set)"
    echo "  runs:     $runs each, alternating, median reported; warm-up ${warmup} s, window ${secs} s$([ "$quick" = 1 ] && echo '; BENCH_QUICK=1')"
    [ "$quiet_wait" -gt 0 ] || [ "$retry_busy" -gt 0 ] &&
        echo "  shared:   wait up to ${quiet_wait} s for a quiet machine before each run; busy runs repeated up to $retry_busy times"
    echo
} >&2

# Closed loop.
for conns in $conns_list; do
    for size in $sizes; do
        measure "closed c=$conns s=$size" "$conns" "$size" ''
    done
done

# Open loop: rates relative to Go's closed-loop median at that size and conns
# (measured now when the closed-loop grid did not include it).
open_keys=()
if [ "$do_open" = 1 ]; then
    for conns in $open_conns; do
        key="closed c=$conns s=$open_size"
        peak=$(med "$key" go rate)
        if [ -z "$peak" ]; then
            servers_all=("${servers[@]}")
            servers=(go)
            measure "$key" "$conns" "$open_size" ''
            servers=("${servers_all[@]}")
            peak=$(med "$key" go rate)
        fi
        if [ -z "$peak" ]; then
            errors+=("open c=$conns s=$open_size: no Go peak to base the rates on")
            any_error=1
            continue
        fi
        for pct in $rates; do
            rate=$(awk -v p="$peak" -v q="$pct" 'BEGIN { printf "%.0f", p * q / 100 }')
            okey="open c=$conns s=$open_size ${pct}%"
            open_keys+=("$okey|$conns|$pct|$rate")
            measure "$okey" "$conns" "$open_size" "$rate"
        done
    done
fi

# The tables.
echo >&2
echo "closed loop: each connection sends SIZE bytes and waits for the echo; medians of $runs"
echo "  rt/s higher is better; CPU s/Mrt (server CPU seconds per million round trips), csw/rt, RSS/conn lower is better"
row() { printf '%6s %5s %-5s %10s %6s %6s %9s %6s %7s %9s %6s %6s %6s %s\n' "$@"; }
row conns size srv rt/s xGo srv% 'CPUs/Mrt' xGo csw/rt 'RSS/conn' xGo cli% oth% flags
for conns in $conns_list; do
    for size in $sizes; do
        key="closed c=$conns s=$size"
        go_rate=$(med "$key" go rate) go_cpu=$(med "$key" go server_cpu_s_per_mrt) go_rss=$(med "$key" go rss_per_conn_b)
        for impl in "${servers[@]}"; do
            rt=$(med "$key" "$impl" rate) cpu=$(med "$key" "$impl" server_cpu_s_per_mrt) rss=$(med "$key" "$impl" rss_per_conn_b)
            # RSS per connection means something only with many connections.
            rss_cell=- rss_ratio=-
            if [ "$conns" -ge 1000 ]; then
                rss_cell=$(fmt %.0f "$rss") rss_ratio=$(ratio "$rss" "$go_rss")
            fi
            row "$conns" "$size" "$impl" "$(fmt %.0f "$rt")" "$(ratio "$rt" "$go_rate")" \
                "$(fmt %.0f "$(med "$key" "$impl" server_cpu_pct)")" "$(fmt %.3f "$cpu")" "$(ratio "$cpu" "$go_cpu")" \
                "$(fmt %.3f "$(med "$key" "$impl" server_csw_per_rt)")" "$rss_cell" "$rss_ratio" \
                "$(fmt %.0f "$(med "$key" "$impl" client_cpu_pct)")" "$(fmt %.0f "$(med "$key" "$impl" other_cpu_pct)")" \
                "$(flags "$key" "$impl")"
        done
    done
done

if [ ${#open_keys[@]} -gt 0 ]; then
    echo
    echo "open loop: SIZE=$open_size, a fixed request rate (percent of Go's closed-loop rt/s above);"
    echo "  latency in microseconds from each request's scheduled send time; medians of $runs; lower is better"
    orow() { printf '%6s %4s %8s %-5s %9s %8s %8s %8s %8s %6s %8s %8s %5s %5s %s\n' "$@"; }
    orow conns pct rate srv achieved p50 p99 p99.9 max 'p99xGo' 'late99' 'cl-late' cli% oth% flags
    for ok in "${open_keys[@]}"; do
        IFS='|' read -r key conns pct rate <<<"$ok"
        go_p99=$(med "$key" go p99_us)
        for impl in "${servers[@]}"; do
            p99=$(med "$key" "$impl" p99_us)
            orow "$conns" "$pct" "$rate" "$impl" "$(fmt %.0f "$(med "$key" "$impl" rate)")" \
                "$(fmt %.0f "$(med "$key" "$impl" p50_us)")" "$(fmt %.0f "$p99")" \
                "$(fmt %.0f "$(med "$key" "$impl" p999_us)")" "$(fmt %.0f "$(med "$key" "$impl" max_us)")" \
                "$(ratio "$p99" "$go_p99")" "$(fmt %.0f "$(med "$key" "$impl" sent_late_p99_us)")" \
                "$(fmt %.0f "$(med "$key" "$impl" client_late_p99_us)")" \
                "$(fmt %.0f "$(med "$key" "$impl" client_cpu_pct)")" "$(fmt %.0f "$(med "$key" "$impl" other_cpu_pct)")" \
                "$(flags "$key" "$impl")"
        done
    done
fi

echo
echo "flags: C = in some run the client may have been the limit: closed loop, it used as much CPU as"
echo "           the server; open loop, its own send delay (cl-late) was over 100 us and p99/4;"
echo "       B = in some run other processes used over 10% of a CPU (oth%: the median share);"
echo "       I = open-loop requests of the window that never came back (counted at the drain's end)"
echo
echo "runs (in order):"
for s in "${samples[@]}"; do echo "  $s"; done
if [ ${#errors[@]} -gt 0 ]; then
    echo
    echo "errors:"
    for e in "${errors[@]}"; do echo "  $e"; done
fi

[ $any_error = 1 ] && exit 1
exit 0
