#!/usr/bin/env bash
# test.sh BUILDDIR - build the Java binding against gort's meson build
# directory (build.sh), run the JUnit 4 tests (org.gort.RunAll) and the
# examples, compare the examples' output with examples/expected/. Ends with
# one line "N passed, N failed" (each JUnit test and each example counts);
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
out=$build/bindings-java

passed=0
failed=0

echo "=== Java binding: build"
if ! bash "$here/build.sh" "$build" "$out"; then
    echo "FAIL build"
    echo "0 passed, 1 failed"
    exit 1
fi

jvm=(java -Dgort.jni.library="$out/libgortjni.so" -Dgort.producer.library="$out/libgortproducerjni.so")
junit=/usr/share/java/junit4.jar:/usr/share/java/hamcrest-core.jar

echo "=== Java binding: JUnit"
log=$(timeout 300 "${jvm[@]}" -cp "$out/classes:$out/test-classes:$junit" org.gort.RunAll 2>&1)
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
    echo "FAIL JUnit run (status $status)"
    echo "$log" | tail -30
    failed=$((failed + 1))
fi

echo "=== Java binding: examples"
for ex in seed:Seed crosslang:CrossLang; do
    check_example "${ex%%:*}" "$here/examples/expected/${ex%%:*}.txt" \
        "${jvm[@]}" -cp "$out/classes:$out/example-classes" "org.gort.examples.${ex#*:}"
done

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
