#!/usr/bin/env bash
# test-deb.sh - the Debian packages: build them from a copy of the tracked
# source tree with `dpkg-buildpackage -us -uc -b`, then check them:
#   - the two packages and the files each must hold (dpkg-deb --contents);
#   - debian/changelog's version is the library's (gort/version.h);
#   - lintian reports no error and no warning (where lintian is installed);
#   - unpacked into a scratch root (dpkg-deb -x), they build examples/hello.c,
#     examples/cpp/hello.cpp (through the packaged gort.pc) and the Java
#     seed example (libgort-java), and all three
#     print examples/expected/hello.txt with the packaged library.
# Ends with one line "N passed, N failed"; exits non-zero when a check
# failed. Usage: scripts/test-deb.sh
set -uo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
passed=0
failed=0
pass() { echo "PASS $1"; passed=$((passed + 1)); }
fail() { echo "FAIL $1"; failed=$((failed + 1)); }
finish() { echo "$passed passed, $failed failed"; [ "$failed" -eq 0 ]; exit $?; }

for t in dpkg-buildpackage dpkg-deb dh git pkg-config; do
    command -v $t >/dev/null 2>&1 || { fail "tool $t not found (Debian packages dpkg-dev, debhelper, git, pkgconf)"; finish; }
done
tmp=$(mktemp -d "${TMPDIR:-/tmp}/gort-deb.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/src"
# the tracked files (committed or not), as a clean clone would have them
(cd "$repo" && git ls-files -z --cached --others --exclude-standard | xargs -0 cp --parents -t "$tmp/src") ||
    { fail "copy of the source tree"; finish; }

version=$(sed -n 's/^#define GORT_VERSION_STRING "\(.*\)"$/\1/p' "$repo/include/gort/version.h")
deb_version=$(cd "$tmp/src" && dpkg-parsechangelog -S Version)
if [ "$deb_version" = "$version" ]; then pass "debian/changelog version $deb_version = gort/version.h"
else fail "debian/changelog version $deb_version, gort/version.h $version"; fi

if (cd "$tmp/src" && dpkg-buildpackage -us -uc -b) >"$tmp/build.log" 2>&1; then
    pass "dpkg-buildpackage -us -uc -b"
else
    tail -40 "$tmp/build.log"
    fail "dpkg-buildpackage -us -uc -b"
    finish
fi
arch=$(dpkg-architecture -qDEB_HOST_ARCH)
lib=$tmp/libgort0_${deb_version}_$arch.deb
dev=$tmp/libgort-dev_${deb_version}_$arch.deb
java=$tmp/libgort-java_${deb_version}_$arch.deb

# has DEB PATTERN...: every pattern matches a file in the package
has() {
    local deb=$1 contents
    shift
    contents=$(dpkg-deb --contents "$deb" | awk '{print $6}')
    local p miss=""
    for p in "$@"; do grep -Eq "$p" <<<"$contents" || miss="$miss $p"; done
    if [ -z "$miss" ]; then pass "$(basename "$deb") holds $*"; else fail "$(basename "$deb") lacks$miss"; fi
}
has "$lib" '/usr/lib/[^/]+/libgort\.so\.0$' "/usr/lib/[^/]+/libgort\.so\.$version$" '/usr/share/doc/libgort0/copyright$'
has "$dev" '/usr/include/gort\.h$' '/usr/include/gort\.hpp$' '/usr/include/gort/runtime\.h$' \
    '/usr/lib/[^/]+/libgort\.so$' '/usr/lib/[^/]+/pkgconfig/gort\.pc$' \
    '/usr/share/man/man3/gort\.3\.gz$' '/usr/share/man/man3/go_spawn\.3\.gz$' '/usr/share/man/man3/gort_cpp\.3\.gz$'
has "$java" '/usr/share/java/gort\.jar$' '/usr/lib/[^/]+/jni/libgortjni\.so$'
# Outputs are read whole, then grepped from a here-string: under pipefail,
# `dpkg-deb ... | grep -q` fails when grep stops reading early (SIGPIPE).
lib_files=$(dpkg-deb --contents "$lib")
if grep -Eq 'include/|\.pc$|man3/' <<<"$lib_files"; then fail "libgort0 holds development files"
else pass "libgort0 holds no development file"; fi
dev_info=$(dpkg-deb -I "$dev")
if grep -q "Depends: .*libgort0 (= $deb_version)" <<<"$dev_info"; then pass "libgort-dev depends on libgort0 (= $deb_version)"
else fail "libgort-dev's Depends: $(grep Depends <<<"$dev_info")"; fi

if command -v lintian >/dev/null 2>&1; then
    lintian --tag-display-limit 0 "$lib" "$dev" "$java" >"$tmp/lintian.log" 2>&1
    if grep -Eq '^[EW]: ' "$tmp/lintian.log"; then
        grep -E '^[EW]: ' "$tmp/lintian.log"
        fail "lintian: errors or warnings"
    else
        pass "lintian: no error, no warning"
    fi
else
    echo "SKIP lintian not installed"
fi

# a program built against the unpacked packages
root=$tmp/root
dpkg-deb -x "$lib" "$root" && dpkg-deb -x "$dev" "$root" && dpkg-deb -x "$java" "$root"
pc=$(find "$root" -name gort.pc | head -n 1)
libdir=$(dirname "$(find "$root" -name 'libgort.so.0' | head -n 1)")
export PKG_CONFIG_PATH=$(dirname "$pc") PKG_CONFIG_LIBDIR=$(dirname "$pc") PKG_CONFIG_SYSROOT_DIR=$root
export PKG_CONFIG_ALLOW_SYSTEM_CFLAGS=1 PKG_CONFIG_ALLOW_SYSTEM_LIBS=1
# shellcheck disable=SC2046
if cc -std=c11 -Wall -Werror $(pkg-config --cflags gort) "$repo/examples/hello.c" -o "$tmp/hello" $(pkg-config --libs gort) &&
   LD_LIBRARY_PATH=$libdir "$tmp/hello" >"$tmp/out" && cmp -s "$tmp/out" "$repo/examples/expected/hello.txt"; then
    pass "examples/hello.c built and run against the packages"
else
    fail "examples/hello.c against the packages"
fi
# shellcheck disable=SC2046
if c++ -std=c++17 -Wall -Werror $(pkg-config --cflags gort) "$repo/examples/cpp/hello.cpp" -o "$tmp/hello_cpp" $(pkg-config --libs gort) &&
   LD_LIBRARY_PATH=$libdir "$tmp/hello_cpp" >"$tmp/out_cpp" && cmp -s "$tmp/out_cpp" "$repo/examples/expected/hello.txt"; then
    pass "examples/cpp/hello.cpp built and run against the packages"
else
    fail "examples/cpp/hello.cpp against the packages"
fi
# the Java binding from its package
jar=$(find "$root" -name gort.jar | head -n 1)
jni=$(find "$root" -path '*/jni/libgortjni.so' | head -n 1)
mkdir -p "$tmp/java"
if [ -n "$jar" ] && [ -n "$jni" ] &&
   javac -cp "$jar" -d "$tmp/java" "$repo/bindings/java/examples/org/gort/examples/Seed.java" &&
   LD_LIBRARY_PATH=$libdir java -Djava.library.path="$(dirname "$jni")" -cp "$jar:$tmp/java" \
       org.gort.examples.Seed >"$tmp/out_java" 2>&1 &&
   cmp -s "$tmp/out_java" "$repo/bindings/java/examples/expected/seed.txt"; then
    pass "the Java seed example against libgort-java"
else
    fail "the Java seed example against libgort-java"
fi
finish
