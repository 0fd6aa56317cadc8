#!/usr/bin/env bash
# Fuzz gort's C API with libFuzzer (fuzz/fuzz_api.c): builds libgort with
# clang, ASan+UBSan and coverage in build-fuzz/, links the harness with
# -fsanitize=fuzzer, and runs it on a copy of fuzz/corpus/.
#
# Usage: scripts/fuzz.sh [SECONDS [JOBS]]     (default 300 s, 1 job)
#   FUZZ_MERGE=1  afterwards merge what was found into fuzz/corpus/ (only
#                 programs that add coverage; the tests replay that corpus)
#   GOMAXPROCS    as usual; each program also sets it from its second byte.
# A finding (a failed check, a sanitizer report, a hang over 10 s) stops the
# run and leaves crash-*/timeout-* files in build-fuzz/findings/; replay one
# with BUILD/fuzz/fuzz_api_replay FILE (any build directory; FUZZ_TRACE=1 prints each op).
set -euo pipefail
cd "$(dirname "$0")/.."
secs=${1:-300}
jobs=${2:-1}
dir=build-fuzz
cov=-fsanitize=fuzzer-no-link

if [ ! -f "$dir/build.ninja" ]; then
  CC=clang CXX=clang++ meson setup "$dir" --buildtype=debugoptimized \
    -Db_sanitize=address,undefined -Db_lundef=false -Dtests=false \
    -Dc_args="$cov" -Dcpp_args="$cov" >/dev/null
fi
# The harness links gort's objects statically: clang's sanitizer runtimes
# and libFuzzer's coverage hooks live in the executable, which a shared
# libgort built with -Wl,--no-undefined cannot reach.
capi_objs=$(ninja -C "$dir" -t targets all | sed -n 's|^\(capi/libgort[^:]*\.p/[a-z_]*\.cpp\.o\): .*|\1|p')
(cd "$dir" && ninja core/libgort_core.a $capi_objs >/dev/null)
clang -O1 -g -fsanitize=fuzzer,address,undefined -DGORT_FUZZ_LIBFUZZER -Iinclude \
  -c fuzz/fuzz_api.c -o "$dir/fuzz_api.o"
clang++ -fsanitize=fuzzer,address,undefined -o "$dir/fuzz_api" "$dir/fuzz_api.o" \
  $(printf "$dir/%s " $capi_objs) "$dir/core/libgort_core.a" -lboost_context -lpthread -ldl

mkdir -p "$dir/corpus" "$dir/findings"
cp -n fuzz/corpus/* "$dir/corpus/" 2>/dev/null || true
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=0:abort_on_error=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1}
status=0
"$dir/fuzz_api" "$dir/corpus" -max_total_time="$secs" -timeout=20 -rss_limit_mb=4096 \
  -max_len=1024 $([ "$jobs" -gt 1 ] && echo "-jobs=$jobs -workers=$jobs") -artifact_prefix="$dir/findings/" \
  -print_final_stats=1 2>&1 | tee "$dir/fuzz.log" | grep -E '^#[0-9]+.*(NEW|DONE|pulse)|stat::|ERROR|check failed|SUMMARY' || status=$?
if [ "${FUZZ_MERGE:-0}" = 1 ]; then
  mkdir -p "$dir/merged"
  "$dir/fuzz_api" -merge=1 "$dir/merged" fuzz/corpus "$dir/corpus" >/dev/null 2>&1
  cp -n "$dir/merged"/* fuzz/corpus/ 2>/dev/null || true
  echo "fuzz/corpus: $(ls fuzz/corpus | wc -l) programs"
fi
ls "$dir/findings" | sed 's/^/finding: /'
exit 0
