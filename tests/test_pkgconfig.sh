#!/bin/sh
# test_pkgconfig.sh - the installed library works the way a user builds with
# it: `meson install` into a temporary DESTDIR, then
#   cc examples/hello.c $(pkg-config --cflags --libs gort)
# run with LD_LIBRARY_PATH at the installed lib dir, and its output compared
# with examples/expected/hello.txt.
#
# usage: test_pkgconfig.sh BUILD_DIR SOURCE_DIR
# $MESON is the meson command (meson passes it), $CC the C compiler, $CXX
# the C++ compiler (examples/cpp/hello.cpp, against the installed gort.hpp).
set -eu
build=${1:?usage: test_pkgconfig.sh BUILD_DIR SOURCE_DIR}
src=${2:?usage: test_pkgconfig.sh BUILD_DIR SOURCE_DIR}
MESON=${MESON:-meson}
CC=${CC:-cc}

fail() {
    echo "FAIL: $*"
    exit 1
}

command -v pkg-config >/dev/null 2>&1 || { echo "skipped: pkg-config not found"; exit 77; }

tmp=$(mktemp -d "${TMPDIR:-/tmp}/gort-pkgconfig.XXXXXX")
trap 'rm -rf "$tmp"' EXIT INT TERM
root="$tmp/root"

$MESON install -C "$build" --destdir "$root" --no-rebuild --quiet >"$tmp/install.log" 2>&1 ||
    { cat "$tmp/install.log"; fail "meson install failed"; }

pc=$(find "$root" -name gort.pc | head -n 1)
[ -n "$pc" ] || fail "gort.pc was not installed (files: $(cd "$root" && find . -type f | tr '\n' ' '))"
so=$(find "$root" -name 'libgort.so.0' | head -n 1)
[ -n "$so" ] || fail "libgort.so.0 was not installed"
libdir=$(dirname "$so")
for h in gort.h gort.hpp gort/version.h gort/common.h gort/runtime.h gort/sync.h; do
    find "$root" -path "*/include/$h" | grep -q . || fail "header $h was not installed"
done
# the API reference: the family pages and a page per function
for m in gort.3 gort_runtime.3 gort_cpp.3 go_spawn.3 chan_send.3; do
    find "$root" -path "*/man3/$m" | grep -q . || fail "man page $m was not installed"
done
echo "installed: $pc, $so"

# only the installed gort.pc, its paths moved under the DESTDIR
PKG_CONFIG_PATH=$(dirname "$pc")
PKG_CONFIG_LIBDIR=$PKG_CONFIG_PATH
PKG_CONFIG_SYSROOT_DIR=$root
# with --prefix=/usr, keep -I/usr/include and -L/usr/lib...: under the
# DESTDIR they are not the system's directories
PKG_CONFIG_ALLOW_SYSTEM_CFLAGS=1
PKG_CONFIG_ALLOW_SYSTEM_LIBS=1
export PKG_CONFIG_PATH PKG_CONFIG_LIBDIR PKG_CONFIG_SYSROOT_DIR
export PKG_CONFIG_ALLOW_SYSTEM_CFLAGS PKG_CONFIG_ALLOW_SYSTEM_LIBS

version=$(pkg-config --modversion gort) || fail "pkg-config --modversion gort failed"
header_version=$(sed -n 's/^#define GORT_VERSION_STRING "\(.*\)"$/\1/p' "$src/include/gort/version.h")
[ "$version" = "$header_version" ] || fail "gort.pc says version $version, version.h $header_version"

cflags=$(pkg-config --cflags gort) || fail "pkg-config --cflags gort failed"
libs=$(pkg-config --libs gort) || fail "pkg-config --libs gort failed"
echo "pkg-config: --cflags '$cflags' --libs '$libs'"

# shellcheck disable=SC2086
$CC -std=c11 -Wall -Wextra -Werror $cflags "$src/examples/hello.c" -o "$tmp/hello" $libs ||
    fail "compiling examples/hello.c against the installed gort failed"

LD_LIBRARY_PATH=$libdir ldd "$tmp/hello" | grep libgort | grep -q "$libdir" ||
    fail "hello does not load the installed libgort: $(LD_LIBRARY_PATH=$libdir ldd "$tmp/hello" | grep libgort)"

LD_LIBRARY_PATH=$libdir "$tmp/hello" >"$tmp/out" || fail "hello exited with status $?"
if ! cmp -s "$tmp/out" "$src/examples/expected/hello.txt"; then
    diff -u "$src/examples/expected/hello.txt" "$tmp/out"
    fail "hello's output differs from examples/expected/hello.txt"
fi
# the C++ API from the same gort.pc: examples/cpp/hello.cpp
CXX=${CXX:-c++}
# shellcheck disable=SC2086
$CXX -std=c++17 -Wall -Wextra -Werror $cflags "$src/examples/cpp/hello.cpp" -o "$tmp/hello_cpp" $libs ||
    fail "compiling examples/cpp/hello.cpp against the installed gort.hpp failed"
LD_LIBRARY_PATH=$libdir "$tmp/hello_cpp" >"$tmp/out_cpp" || fail "hello_cpp exited with status $?"
if ! cmp -s "$tmp/out_cpp" "$src/examples/expected/hello.txt"; then
    diff -u "$src/examples/expected/hello.txt" "$tmp/out_cpp"
    fail "hello_cpp's output differs from examples/expected/hello.txt"
fi
# The bindings, where this build made them (meson options java, csharp):
# their seed examples against the installed jar and assembly.
jar=$(find "$root" -name gort.jar | head -n 1)
if [ -n "$jar" ]; then
    jni=$(find "$root" -path '*/jni/libgortjni.so' | head -n 1)
    [ -n "$jni" ] || fail "gort.jar was installed without libgortjni.so in a jni/ directory"
    mkdir -p "$tmp/java"
    javac -cp "$jar" -d "$tmp/java" "$src/bindings/java/examples/org/gort/examples/Seed.java" ||
        fail "compiling the Java seed example against the installed gort.jar failed"
    LD_LIBRARY_PATH=$libdir java -Djava.library.path="$(dirname "$jni")" -cp "$jar:$tmp/java" \
        org.gort.examples.Seed >"$tmp/out_java" 2>&1 || { cat "$tmp/out_java"; fail "the Java seed example failed"; }
    cmp -s "$tmp/out_java" "$src/bindings/java/examples/expected/seed.txt" ||
        { diff -u "$src/bindings/java/examples/expected/seed.txt" "$tmp/out_java"; fail "the Java seed example's output differs"; }
    echo "java: $jar, $jni: the seed example runs"
fi
dll=$(find "$root" -name Gort.dll | head -n 1)
if [ -n "$dll" ]; then
    [ -f "$dll.config" ] || fail "Gort.dll was installed without Gort.dll.config"
    cs=$(find "$root" -name libgortcs.so | head -n 1)
    [ -n "$cs" ] || fail "Gort.dll was installed without libgortcs.so"
    mcs -nologo -r:"$dll" -out:"$tmp/Seed.exe" "$src/bindings/csharp/examples/Seed.cs" ||
        fail "compiling the C# seed example against the installed Gort.dll failed"
    LD_LIBRARY_PATH=$libdir:$(dirname "$cs") MONO_PATH=$(dirname "$dll") mono "$tmp/Seed.exe" >"$tmp/out_cs" 2>&1 ||
        { cat "$tmp/out_cs"; fail "the C# seed example failed"; }
    cmp -s "$tmp/out_cs" "$src/bindings/csharp/examples/expected/seed.txt" ||
        { diff -u "$src/bindings/csharp/examples/expected/seed.txt" "$tmp/out_cs"; fail "the C# seed example's output differs"; }
    echo "csharp: $dll, $cs: the seed example runs"
fi
echo "ok"
