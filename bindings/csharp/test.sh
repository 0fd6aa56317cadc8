#!/usr/bin/env bash
# test.sh BUILDDIR - build the C# binding against gort's meson build
# directory (build.sh), run the tests (GortTests.exe, a console runner) and
# the examples, compare the examples' output with examples/expected/. Ends
# with one line "N passed, N failed" (each test and each example counts);
# exits 0 iff nothing failed.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=../swig/test-lib.sh
. "$here/../swig/test-lib.sh"
if [ $# -ne 1 ] || [ ! -d "$1" ]; then
    echo "usage: test.sh BUILDDIR" >&2
    echo "0 passed, 1 failed"
    exit 1
fi
build=$(cd "$1" && pwd)
out=$build/bindings-csharp

passed=0
failed=0

echo "=== C# binding: build"
if ! bash "$here/build.sh" "$build" "$out"; then
    echo "FAIL build"
    echo "0 passed, 1 failed"
    exit 1
fi

echo "=== C# binding: tests"
log=$(timeout 300 mono "$out/GortTests.exe" 2>&1)
status=$?
echo "$log" | grep -v '^ok ' || true
summary=$(echo "$log" | grep -E '^[0-9]+ passed, [0-9]+ failed$' | tail -1)
if [ -n "$summary" ]; then
    p=${summary%% passed*}
    f=${summary#*passed, }
    f=${f%% failed}
    passed=$((passed + p))
    failed=$((failed + f))
    [ "$status" -eq 0 ] || [ "$f" -gt 0 ] || failed=$((failed + 1))
else
    echo "FAIL test run (status $status)"
    echo "$log" | tail -30
    failed=$((failed + 1))
fi

echo "=== C# binding: examples"
check_example seed "$here/examples/expected/seed.txt" mono "$out/Seed.exe"
check_example crosslang "$here/examples/expected/crosslang.txt" mono "$out/CrossLang.exe"

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
