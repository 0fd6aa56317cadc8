#!/bin/sh
# test_headers.sh - every public header compiles alone (self-contained,
# include-guarded) as strict C99, C11, C++11 and C++17.
#
# usage: test_headers.sh INCLUDE_DIR
# The compilers come from $CC and $CXX (meson passes its own), else cc/c++.
set -u
inc=${1:?usage: test_headers.sh INCLUDE_DIR}
CC=${CC:-cc}
CXX=${CXX:-c++}
cflags="-pedantic -Werror -Wall -Wextra -Wstrict-prototypes -Wundef -Wshadow"
cxxflags="-pedantic -Werror -Wall -Wextra -Wundef -Wshadow -Wold-style-cast"

fail=0
count=0
headers=$(cd "$inc" && find . -name '*.h' | sed 's|^\./||' | sort)
[ -n "$headers" ] || { echo "no header under $inc"; exit 1; }

for h in $headers; do
    # included twice: the include guard must hold
    src="#include <$h>
#include <$h>
int gort_header_test_dummy;
"
    for std in c99 c11; do
        count=$((count + 1))
        # shellcheck disable=SC2086
        if ! out=$(printf '%s' "$src" | $CC -std=$std $cflags -I"$inc" -fsyntax-only -x c - 2>&1); then
            echo "FAIL: <$h> as $std:"
            echo "$out"
            fail=1
        fi
    done
    for std in c++11 c++17; do
        count=$((count + 1))
        # shellcheck disable=SC2086
        if ! out=$(printf '%s' "$src" | $CXX -std=$std $cxxflags -I"$inc" -fsyntax-only -x c++ - 2>&1); then
            echo "FAIL: <$h> as $std:"
            echo "$out"
            fail=1
        fi
    done
done

# the declarations have C linkage in C++ (an extern "C" block)
count=$((count + 1))
# shellcheck disable=SC2086
if ! out=$(printf '%s' '#include <gort.h>
static_assert(noexcept(go_id()), "gort functions are noexcept in C++");
extern "C" go_id_t go_id(void) noexcept; /* redeclaring with C linkage is fine */
int gort_header_test_dummy;
' | $CXX -std=c++17 $cxxflags -I"$inc" -fsyntax-only -x c++ - 2>&1); then
    echo "FAIL: C linkage / noexcept in C++:"
    echo "$out"
    fail=1
fi

[ $fail -eq 0 ] && echo "ok: $count compilations of $(echo "$headers" | wc -l) headers"
exit $fail
