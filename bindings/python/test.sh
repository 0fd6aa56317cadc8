#!/usr/bin/env bash
# test.sh BUILDDIR - build the Python binding against gort's meson build
# directory (build.sh), run the unittest suite (tests/test_*.py) and the
# examples, compare their output with examples/expected/hello.txt (hello.py)
# and the Java seed's expected output (seed.py). Ends with one line
# "N passed, N failed" (each unittest test and each example count); exits 0
# iff nothing failed. Uses the python3 on PATH
# (PYTHON overrides it), the one build.sh built the extension for.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=../swig/test-lib.sh
. "$here/../swig/test-lib.sh"
root=$(cd "$here/../.." && pwd)
if [ $# -ne 1 ] || [ ! -d "$1" ]; then
    echo "usage: test.sh BUILDDIR" >&2
    echo "0 passed, 1 failed"
    exit 1
fi
build=$(cd "$1" && pwd)
out=$build/bindings-python
py=${PYTHON:-python3}
export PYTHON=$py

passed=0
failed=0

echo "=== Python binding: build"
if ! bash "$here/build.sh" "$build" "$out"; then
    echo "FAIL build"
    echo "0 passed, 1 failed"
    exit 1
fi
export PYTHONPATH="$out${PYTHONPATH:+:$PYTHONPATH}"
# No stale bytecode of the copied package next to the sources.
export PYTHONDONTWRITEBYTECODE=1

echo "=== Python binding: unittest"
log=$(cd "$here/tests" && timeout 600 "$py" -m unittest discover -s . -p 'test_*.py' -v 2>&1)
status=$?
# unittest -v: one "name (module.Class.name) ... ok" line per test; the
# failures and errors are reported in full after them.
echo "$log" | grep -Ev ' \.\.\. ok$' || true
ran=$(echo "$log" | sed -nE 's/^Ran ([0-9]+) tests? in .*/\1/p' | tail -1)
if [ -n "$ran" ]; then
    summary=$(echo "$log" | grep -E '^(OK|FAILED)' | tail -1)
    count() {
        local n
        n=$(echo "$summary" | sed -nE "s/.*[(, ]$1=([0-9]+).*/\1/p")
        echo "${n:-0}"
    }
    f=$(( $(count failures) + $(count errors) + $(count 'unexpected successes') ))
    s=$(count skipped)
    passed=$((passed + ran - f - s))
    failed=$((failed + f))
    # A run that died (a crash, the timeout) without counting it as a failure.
    [ "$status" -eq 0 ] || [ "$f" -gt 0 ] || failed=$((failed + 1))
else
    echo "FAIL unittest run (status $status)"
    echo "$log" | tail -30
    failed=$((failed + 1))
fi

echo "=== Python binding: examples"
# hello.py prints the C example's output, seed.py the Java and C# seeds'
check_example hello "$root/examples/expected/hello.txt" "$py" "$here/examples/hello.py"
check_example seed "$root/bindings/java/examples/expected/seed.txt" "$py" "$here/examples/seed.py"

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
