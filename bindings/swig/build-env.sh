# build-env.sh - sourced by each binding's build.sh (Java, C#, Python):
#
#   gort_build_env LANG BUILDDIR [OUTDIR]
#
# builds gort's meson build directory BUILDDIR (ninja), then sets
#   build        BUILDDIR, absolute
#   out          OUTDIR (default BUILDDIR/bindings-LANG), created, absolute
#   swigdir      bindings/swig (the shared interface and glue)
#   gort_cflags  pkg-config --cflags of the build tree's gort-uninstalled.pc
#   gort_libs    its --libs
#   rpath        -Wl,-rpath for each of its library directories
gort_build_env() {
    local lang=$1 d
    build=$(cd "${2:?usage: build.sh BUILDDIR [OUTDIR]}" && pwd)
    out=${3:-$build/bindings-$lang}
    mkdir -p "$out"
    out=$(cd "$out" && pwd)
    swigdir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

    ninja -C "$build" >/dev/null

    export PKG_CONFIG_PATH="$build/meson-uninstalled${PKG_CONFIG_PATH:+:$PKG_CONFIG_PATH}"
    gort_cflags=$(pkg-config --cflags gort-uninstalled)
    gort_libs=$(pkg-config --libs gort-uninstalled)
    rpath=""
    for d in $(pkg-config --libs-only-L gort-uninstalled); do rpath="$rpath -Wl,-rpath,${d#-L}"; done
}
