#!/usr/bin/env bash
# test.sh BUILDDIR - build the Java binding against gort's meson build
# directory (build.sh), run the JUnit 4 tests (org.gort.RunAll) and the
# examples, compare the examples' output with examples/expected/. Ends with
# one line "N passed, N failed" (each JUnit test and each example counts);
# exits 0 iff nothing failed.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
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
    name=${ex%%:*}
    cls=${ex#*:}
    got=$(timeout 60 "${jvm[@]}" -cp "$out/classes:$out/example-classes" "org.gort.examples.$cls" 2>&1)
    status=$?
    if [ "$status" -eq 0 ] && [ "$got" == "$(cat "$here/examples/expected/$name.txt")" ]; then
        echo "ok   example $name"
        passed=$((passed + 1))
    else
        echo "FAIL example $name (status $status); got:"
        echo "$got"
        echo "expected:"
        cat "$here/examples/expected/$name.txt"
        failed=$((failed + 1))
    fi
done

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
