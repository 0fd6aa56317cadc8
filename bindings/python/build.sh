#!/usr/bin/env bash
# build.sh BUILDDIR [OUTDIR] - build the Python binding against gort's meson
# build directory: SWIG's Python output of gort_python.i (the shared
# bindings/swig/gort.i plus the Python additions) and the extension module
# (the generated wrapper + bindings/swig/gort_glue.cpp, linked with libgort
# found through pkg-config's gort-uninstalled.pc, rpath to the build's
# library), laid out as an importable package:
#
#   OUTDIR/gort/            the idiomatic layer (copied from gort/)
#   OUTDIR/gort/swig/       gort.py (generated) + _gort<EXT_SUFFIX>
#
# so that PYTHONPATH=OUTDIR python3 -c 'import gort' works. OUTDIR defaults
# to BUILDDIR/bindings-python. The extension is built for the `python3` on
# PATH (its headers and EXT_SUFFIX). Prints nothing on success; exits
# non-zero (with the failing tool's output) otherwise.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=../swig/build-env.sh
. "$here/../swig/build-env.sh"
gort_build_env python "$@"

py=${PYTHON:-python3}
py_include=$("$py" -c 'import sysconfig; print(sysconfig.get_paths()["include"])')
ext_suffix=$("$py" -c 'import sysconfig; print(sysconfig.get_config_var("EXT_SUFFIX"))')
if [ ! -f "$py_include/Python.h" ]; then
    echo "build.sh: no Python.h in $py_include (install python3-dev)" >&2
    exit 1
fi

# SWIG's wrapper casts pointers through integers: -fno-strict-aliasing, as
# SWIG's documentation asks. Python extensions do not link libpython (the
# interpreter provides its symbols).
cxxflags="-std=c++17 -O2 -g -fPIC -fno-strict-aliasing -Wall"

rm -rf "$out/gen" "$out/gort"
mkdir -p "$out/gen" "$out/gort/swig"
# -dirvtable: the director looks the Python method `run` up once per
# object, not once per call.
swig -c++ -python -threads -dirvtable -outdir "$out/gort/swig" -o "$out/gen/gort_wrap.cxx" "$here/gort_python.i"
# shellcheck disable=SC2086
g++ $cxxflags -shared -I"$swigdir" -I"$py_include" $gort_cflags "$out/gen/gort_wrap.cxx" "$swigdir/gort_glue.cpp" \
    $gort_libs $rpath -o "$out/gort/swig/_gort$ext_suffix"

cp "$here"/gort/*.py "$out/gort/"
# The generated layer is a package of its own (gort.swig, as Java's
# org.gort.swig); its gort.py imports _gort relative to it.
printf '"""SWIG-generated layer of the gort binding (internal)."""\n' >"$out/gort/swig/__init__.py"
