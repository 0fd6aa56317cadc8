#!/usr/bin/env bash
# bench/run.sh BUILDDIR [N] [ROUNDS] - spawn+join of N (100,000) Java
# goroutines (gort pinned) against ExecutorService tasks, in one JVM;
# prints both costs and the ratio. Build BUILDDIR with
# --buildtype=release for meaningful numbers.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
build=$(cd "${1:?usage: run.sh BUILDDIR [N] [ROUNDS]}" && pwd)
out=$build/bindings-java
bash "$here/../build.sh" "$build" "$out"
# The floor: the same spawn+join from C (every managed goroutine is a pinned one).
export PKG_CONFIG_PATH="$build/meson-uninstalled${PKG_CONFIG_PATH:+:$PKG_CONFIG_PATH}"
# shellcheck disable=SC2046
gcc -O2 "$here/../../swig/bench/pinned_floor.c" $(pkg-config --cflags --libs gort-uninstalled) \
    $(pkg-config --libs-only-L gort-uninstalled | sed 's/-L/-Wl,-rpath,/g') -o "$out/pinned_floor"
"$out/pinned_floor" "${2:-100000}" "${3:-5}"
exec java -Dgort.jni.library="$out/libgortjni.so" -cp "$out/classes:$out/bench-classes" Bench "${2:-100000}" "${3:-5}"
