#!/usr/bin/env bash
# test.sh - build and test the Rust binding against a meson build of gort.
#
# Usage: bindings/rust/test.sh <meson-builddir>
#
# Finds libgort through pkg-config's uninstalled file
# (<builddir>/meson-uninstalled/gort-uninstalled.pc), keeps cargo's output
# in <builddir>/bindings-rust-target, runs `cargo test --offline` over the
# workspace (gort-sys, gort, examples, bench: unit, integration, death and
# doc tests), runs the examples (seed, crosslang, and echo_client against
# the C echo server <builddir>/examples/net/echo when it is built) under
# GOMAXPROCS 1, 2, 4 and compares their output with examples/expected/,
# runs echo_client once more against a server this script starts (--addr),
# and smoke-runs the benchmark. Ends with one line "N passed, N failed" (cargo's test counts
# plus one per example check); exits 0 iff nothing failed.
set -u -o pipefail

if [ $# -ne 1 ]; then
    echo "usage: $0 <meson-builddir>" >&2
    exit 2
fi
builddir=$(cd "$1" 2>/dev/null && pwd) || { echo "test.sh: no build directory '$1'" >&2; exit 2; }
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

passed=0
failed=0
pass() { passed=$((passed + 1)); echo "PASS: $*"; }
fail() { failed=$((failed + 1)); echo "FAIL: $*"; }
finish() {
    echo "$passed passed, $failed failed"
    [ "$failed" -eq 0 ]
    exit $?
}

# The library and the cross-language examples' C halves must be built (the
# echo server only where the source tree has it).
lib=$builddir/capi/libgort.so
producer=$builddir/examples/crosslang/libgort_producer.so
echo_server=$builddir/examples/net/echo
if [ ! -e "$lib" ] || [ ! -e "$producer" ] \
    || { [ -f "$here/../../examples/net/echo.c" ] && [ ! -e "$echo_server" ]; }; then
    ninja -C "$builddir" >/dev/null || { fail "ninja -C $builddir"; finish; }
fi
[ -f "$builddir/meson-uninstalled/gort-uninstalled.pc" ] \
    || { fail "no $builddir/meson-uninstalled/gort-uninstalled.pc"; finish; }

command -v cargo >/dev/null || { fail "cargo is not installed (apt-get install cargo rustc)"; finish; }
echo "test.sh: $(cargo --version), $(rustc --version)"

export PKG_CONFIG_PATH="$builddir/meson-uninstalled${PKG_CONFIG_PATH:+:$PKG_CONFIG_PATH}"
export GORT_PRODUCER_DIR="$builddir/examples/crosslang"
export CARGO_TARGET_DIR="$builddir/bindings-rust-target"
export CARGO_TERM_COLOR=never
export RUST_BACKTRACE=0
cd "$here" || exit 2

# ---------------------------------------------------------------- cargo test
log=$(mktemp)
trap 'rm -f "$log"' EXIT
cargo test --offline --workspace 2>&1 | tee "$log"
cargo_rc=${PIPESTATUS[0]}
# "test result: ok. 15 passed; 0 failed; ..." once per test binary.
read -r tp tf < <(sed -n 's/^test result: [A-Za-z]*\. \([0-9]*\) passed; \([0-9]*\) failed.*/\1 \2/p' "$log" \
    | awk '{p += $1; f += $2} END {print p + 0, f + 0}')
passed=$((passed + tp))
failed=$((failed + tf))
if [ "$cargo_rc" -ne 0 ] && [ "$tf" -eq 0 ]; then
    fail "cargo test exited with $cargo_rc (a build failure?)"
fi

# ---------------------------------------------------------------- examples
# cargo test builds the binaries of a package only for its integration tests.
if cargo build --offline --workspace --bins 2>&1 | tail -3; then :; fi
bins=$CARGO_TARGET_DIR/debug
examples="seed crosslang"
if [ -x "$echo_server" ]; then
    examples="$examples echo_client"
    export GORT_ECHO_SERVER="$echo_server"
else
    echo "SKIP: example echo_client (no C echo server at $echo_server)"
fi
for ex in $examples; do
    for procs in 1 2 4; do
        if [ ! -x "$bins/$ex" ]; then
            fail "example $ex (GOMAXPROCS=$procs): not built"
            continue
        fi
        out=$(GOMAXPROCS=$procs timeout 60 "$bins/$ex" 2>&1)
        rc=$?
        if [ "$rc" -eq 0 ] && [ "$out" == "$(cat "$here/examples/expected/$ex.txt")" ]; then
            pass "example $ex (GOMAXPROCS=$procs)"
        else
            fail "example $ex (GOMAXPROCS=$procs): status $rc, output:"
            printf '%s\n' "$out" | head -20
            echo "expected:"
            cat "$here/examples/expected/$ex.txt"
        fi
    done
done

# ------------------------------------------------- echo_client --addr
# The C server started here, as by hand: a free port (the server exits with
# status 1 when the port is taken: try another), its "listening on" line,
# the Rust clients against it, then kill it.
if [ -x "$echo_server" ] && [ -x "$bins/echo_client" ]; then
    srv_out=$(mktemp)
    trap 'rm -f "$log" "$srv_out"' EXIT
    srv_pid=
    srv_addr=
    for _ in 1 2 3 4 5; do
        port=$((20000 + RANDOM % 40000))
        "$echo_server" "$port" 512 >"$srv_out" 2>&1 &
        srv_pid=$!
        for _ in $(seq 100); do
            srv_addr=$(sed -n 's/^listening on //p' "$srv_out")
            [ -n "$srv_addr" ] && break
            kill -0 "$srv_pid" 2>/dev/null || break
            sleep 0.05
        done
        [ -n "$srv_addr" ] && break
        kill "$srv_pid" 2>/dev/null
        wait "$srv_pid" 2>/dev/null
        srv_pid=
    done
    if [ -z "$srv_addr" ]; then
        fail "echo_client --addr: the C echo server did not start: $(head -3 "$srv_out")"
    else
        out=$(timeout 60 "$bins/echo_client" --addr "$srv_addr" 2>&1)
        rc=$?
        if [ "$rc" -eq 0 ] && [ "$out" == "$(cat "$here/examples/expected/echo_client.txt")" ]; then
            pass "example echo_client --addr $srv_addr (a server started by test.sh)"
        else
            fail "example echo_client --addr $srv_addr: status $rc, output:"
            printf '%s\n' "$out" | head -20
        fi
    fi
    if [ -n "$srv_pid" ]; then
        kill "$srv_pid" 2>/dev/null
        wait "$srv_pid" 2>/dev/null
    fi
fi

# ---------------------------------------------------------------- bench smoke
if out=$(timeout 60 "$bins/spawn_join" 1000 1 2>&1) && [[ "$out" == "rust spawn_join N=1000 rounds=1 mode=clone median_ns="* ]]; then
    pass "bench spawn_join smoke run"
else
    fail "bench spawn_join smoke run: $out"
fi

finish
