#!/usr/bin/env bash
# build.sh BUILDDIR [OUTDIR] - build the C# binding against gort's meson
# build directory: SWIG's C# output and the native library (libgortcs.so:
# the generated wrapper + bindings/swig/gort_glue.cpp + native/icalls.cpp,
# linked with libgort found through pkg-config's gort-uninstalled.pc), then
# with mcs Gort.dll
# (generated code + the Gort layer), GortTests.exe, the examples and the
# bench. Each assembly gets a .config whose dllmap points its P/Invokes at
# the libraries' absolute paths, so nothing needs LD_LIBRARY_PATH. OUTDIR
# defaults to BUILDDIR/bindings-csharp. Prints nothing on success.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=../swig/build-env.sh
. "$here/../swig/build-env.sh"
gort_build_env csharp "$@"

rm -rf "$out/gen"
mkdir -p "$out/gen"
swig -c++ -csharp -namespace Gort.Swig -dllimport gortcs -outdir "$out/gen" \
    -o "$out/gen/gort_wrap.cxx" "$swigdir/gort.i"
# shellcheck disable=SC2086
g++ -std=c++17 -O2 -g -fPIC -fno-strict-aliasing -Wall -shared -I"$swigdir" $gort_cflags \
    "$out/gen/gort_wrap.cxx" "$swigdir/gort_glue.cpp" "$here/native/icalls.cpp" $gort_libs -ldl $rpath -o "$out/libgortcs.so"

dllmap() {   # dllmap ASSEMBLY DLL TARGET
    printf '<configuration>\n  <dllmap dll="%s" target="%s"/>\n</configuration>\n' "$2" "$3" > "$out/$1.config"
}

mcs -nologo -warnaserror -target:library -out:"$out/Gort.dll" "$out"/gen/*.cs "$here"/src/*.cs
dllmap Gort.dll gortcs "$out/libgortcs.so"
mcs -nologo -warnaserror -r:"$out/Gort.dll" -out:"$out/GortTests.exe" "$here"/tests/*.cs
mcs -nologo -warnaserror -r:"$out/Gort.dll" -out:"$out/Seed.exe" "$here/examples/Seed.cs"
mcs -nologo -warnaserror -r:"$out/Gort.dll" -out:"$out/CrossLang.exe" "$here/examples/CrossLang.cs"
dllmap CrossLang.exe gort_producer "$build/examples/crosslang/libgort_producer.so"
mcs -nologo -warnaserror -optimize+ -r:"$out/Gort.dll" -out:"$out/Bench.exe" "$here/bench/Bench.cs"
