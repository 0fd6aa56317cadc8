#!/usr/bin/env bash
# package.sh SRCROOT GORT_LIBDIR RPATH OUTDIR - the C# binding as meson
# builds and installs it (bindings/meson.build, option -Dcsharp):
# OUTDIR/Gort.dll (SWIG's classes and the Gort layer), its Gort.dll.config
# (a dllmap from "gortcs" to libgortcs.so, found by the dynamic loader in
# the installed library directory) and OUTDIR/libgortcs.so (SWIG's wrapper
# and the glue, linked with the libgort in GORT_LIBDIR, run path RPATH, or
# none when RPATH is empty).
# Unlike build.sh it runs no ninja and builds no tests or examples.
set -euo pipefail
src=$(cd "${1:?usage: package.sh SRCROOT GORT_LIBDIR RPATH OUTDIR}" && pwd)
libdir=${2:?usage}
rpath=${3?usage}
out=${4:?usage}
mkdir -p "$out"
swigdir=$src/bindings/swig
work=$out/csharp-package
rm -rf "$work"
mkdir -p "$work/gen"
swig -c++ -csharp -namespace Gort.Swig -dllimport gortcs -outdir "$work/gen" \
    -o "$work/gen/gort_wrap.cxx" "$swigdir/gort.i"
g++ -std=c++17 -O2 -g -fPIC -fno-strict-aliasing -Wall -shared -I"$swigdir" -I"$src/include" \
    "$work/gen/gort_wrap.cxx" "$swigdir/gort_glue.cpp" -L"$libdir" -lgort -ldl ${rpath:+-Wl,-rpath,"$rpath"} \
    -o "$out/libgortcs.so"
mcs -nologo -warnaserror -target:library -out:"$out/Gort.dll" "$work"/gen/*.cs "$src"/bindings/csharp/src/*.cs
printf '<configuration>\n  <dllmap dll="gortcs" target="libgortcs.so"/>\n</configuration>\n' > "$out/Gort.dll.config"
