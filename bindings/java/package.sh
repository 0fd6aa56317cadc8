#!/usr/bin/env bash
# package.sh SRCROOT GORT_LIBDIR RPATH OUTDIR VERSION - the Java binding as
# meson builds and installs it (bindings/meson.build, option -Djava):
# OUTDIR/gort-VERSION.jar (SWIG's classes and the org.gort layer; Debian's
# Java policy names a public jar with its version, meson adds the gort.jar
# link) and OUTDIR/libgortjni.so (SWIG's wrapper, the glue and
# native/gort_java.cpp, linked with
# the libgort in GORT_LIBDIR, run path RPATH: the installed library's
# directory, or none when RPATH is empty). Unlike build.sh it runs no ninja
# (meson calls it from the build) and builds no tests or examples.
set -euo pipefail
src=$(cd "${1:?usage: package.sh SRCROOT GORT_LIBDIR RPATH OUTDIR}" && pwd)
libdir=${2:?usage}
rpath=${3?usage}
out=${4:?usage}
version=${5:?usage}
mkdir -p "$out"
swigdir=$src/bindings/swig
javac=$(readlink -f "$(command -v javac)")
jdk=$(dirname "$(dirname "$javac")")
work=$out/java-package
rm -rf "$work"
mkdir -p "$work/gen/org/gort/swig" "$work/classes"
swig -c++ -java -package org.gort.swig -outdir "$work/gen/org/gort/swig" \
    -o "$work/gen/gort_wrap.cxx" "$swigdir/gort.i"
# -fno-strict-aliasing: SWIG's wrapper casts pointers through jlong
g++ -std=c++17 -O2 -g -fPIC -fno-strict-aliasing -Wall -shared -I"$swigdir" -I"$src/include" \
    -I"$jdk/include" -I"$jdk/include/linux" "$work/gen/gort_wrap.cxx" "$swigdir/gort_glue.cpp" \
    "$src/bindings/java/native/gort_java.cpp" -L"$libdir" -lgort ${rpath:+-Wl,-rpath,"$rpath"} -o "$out/libgortjni.so"
javac -Xlint:all,-try -Werror -d "$work/classes" "$work"/gen/org/gort/swig/*.java "$src"/bindings/java/src/org/gort/*.java
jar cf "$out/gort-$version.jar" -C "$work/classes" .
