#!/usr/bin/env bash
# build.sh BUILDDIR [OUTDIR] - build the Java binding against gort's meson
# build directory: SWIG's Java output and the JNI library (libgortjni.so:
# the generated wrapper + bindings/swig/gort_glue.cpp + native/gort_java.cpp
# (the spawn path), linked with libgort
# found through pkg-config's gort-uninstalled.pc), the example's producer
# module (libgortproducerjni.so), and the classes (layer, tests, examples,
# bench). OUTDIR defaults to BUILDDIR/bindings-java. Prints nothing on
# success; exits non-zero (with the failing tool's output) otherwise.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
# shellcheck source=../swig/build-env.sh
. "$here/../swig/build-env.sh"
gort_build_env java "$@"

javac=$(readlink -f "$(command -v javac)")
jdk=$(dirname "$(dirname "$javac")")
jni="-I$jdk/include -I$jdk/include/linux"

# SWIG's wrapper casts pointers through jlong: -fno-strict-aliasing, as
# SWIG's documentation asks.
cxxflags="-std=c++17 -O2 -g -fPIC -fno-strict-aliasing -Wall"

rm -rf "$out/gen" "$out/classes" "$out/test-classes" "$out/example-classes" "$out/bench-classes"
mkdir -p "$out/gen/org/gort/swig" "$out/gen/org/gort/examples/producer"
swig -c++ -java -package org.gort.swig -outdir "$out/gen/org/gort/swig" \
    -o "$out/gen/gort_wrap.cxx" "$swigdir/gort.i"
# shellcheck disable=SC2086
g++ $cxxflags -shared -I"$swigdir" $jni $gort_cflags "$out/gen/gort_wrap.cxx" "$swigdir/gort_glue.cpp" \
    "$here/native/gort_java.cpp" $gort_libs $rpath -o "$out/libgortjni.so"

swig -java -package org.gort.examples.producer -outdir "$out/gen/org/gort/examples/producer" \
    -o "$out/gen/producer_wrap.c" "$here/examples/producer.i"
producer_dir="$build/examples/crosslang"
# shellcheck disable=SC2086
gcc -O2 -g -fPIC -fno-strict-aliasing -shared -I"$root/examples/crosslang" $jni $gort_cflags \
    "$out/gen/producer_wrap.c" -L"$producer_dir" -lgort_producer $gort_libs \
    -Wl,-rpath,"$producer_dir" $rpath -o "$out/libgortproducerjni.so"

junit=/usr/share/java/junit4.jar:/usr/share/java/hamcrest-core.jar
javac -Xlint:all,-try -Werror -d "$out/classes" "$out"/gen/org/gort/swig/*.java "$here"/src/org/gort/*.java
javac -Xlint:all,-try -Werror -cp "$out/classes:$junit" -d "$out/test-classes" "$here"/tests/org/gort/*.java
javac -Xlint:all,-try -Werror -cp "$out/classes" -d "$out/example-classes" \
    "$out"/gen/org/gort/examples/producer/*.java "$here"/examples/org/gort/examples/*.java
javac -Xlint:all,-try -Werror -cp "$out/classes" -d "$out/bench-classes" "$here"/bench/*.java
