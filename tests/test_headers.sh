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

# gort.hpp, the C++ API: C++17 and C++20, strict, included twice, every
# template instantiated by a use of each part; C++14 gets its #error
hpp_src='#include <gort.hpp>
#include <gort.hpp>
#include <mutex>
#include <shared_mutex>
struct Moving { std::string s; };
void gort_hpp_uses() {
    (void)gort::main([] {
        gort::WaitGroup wg;
        gort::Chan<int> ci(1);
        gort::Chan<Moving> cm(1);
        wg.add(1);
        gort::go([&wg, ci](int a) { ci.send(a); wg.done(); }, 1);
        gort::go_with(gort::options(), [cm] { cm.send(Moving{"x"}); });
        gort::go_pinned([] {});
        auto d = gort::defer([] { (void)gort::recover(); });
        (void)gort::call([] { gort::panic("p"); });
        (void)gort::go_call([] {});
        gort::select(gort::on_recv(ci, [](std::optional<int>) {}), gort::on_send(cm, Moving{"y"}),
                     gort::on_default());
        for (Moving m : cm) (void)m;
        gort::Mutex mu;
        gort::RWMutex rw;
        { std::lock_guard<gort::Mutex> l(mu); }
        { std::shared_lock<gort::RWMutex> l(rw); }
        gort::Once once;
        once.call([] {});
        gort::Cond cond(mu);
        gort::Timer t(std::chrono::milliseconds(1));
        gort::Ticker tk(std::chrono::seconds(1));
        (void)gort::after(std::chrono::microseconds(5)).try_recv();
        gort::sleep(std::chrono::nanoseconds(1));
        wg.wait();
        gort::panic_value(std::runtime_error("typed"));
    });
}
'
for std in c++17 c++20; do
    for cxx in "$CXX" ${CLANGXX:-}; do
        count=$((count + 1))
        # shellcheck disable=SC2086
        if ! out=$(printf '%s' "$hpp_src" | $cxx -std=$std $cxxflags -Wconversion -I"$inc" -fsyntax-only -x c++ - 2>&1); then
            echo "FAIL: <gort.hpp> as $std with $cxx:"
            echo "$out"
            fail=1
        fi
    done
done
count=$((count + 1))
if out=$(printf '#include <gort.hpp>\n' | $CXX -std=c++14 -I"$inc" -fsyntax-only -x c++ - 2>&1) ||
   ! echo "$out" | grep -q "gort.hpp needs C++17"; then
    echo "FAIL: <gort.hpp> as c++14 must stop with its #error:"
    echo "$out"
    fail=1
fi

[ $fail -eq 0 ] && echo "ok: $count compilations of $(echo "$headers" | wc -l) headers and gort.hpp"
exit $fail
