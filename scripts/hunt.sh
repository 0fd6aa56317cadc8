#!/usr/bin/env bash
# Focused flake hunt: run one test of a build over and over, as CI runs it,
# until a time is up; print every failure with the end of its output.
#
# Usage: scripts/hunt.sh BUILDDIR TEST SECONDS [WORKERS [FILTER]]
#   BUILDDIR  a configured and built meson build (build-tsan, ...)
#   TEST      a test's meson name: runtime-p2, syscall-p1, ...
#   SECONDS   how long to hunt
#   WORKERS   parallel loops (default 2: CI's --num-processes 2 on 2 cores;
#             a loaded machine is what opens the windows of a race)
#   FILTER    for test_runtime: RUNTIME_TEST_FILTER, a cmocka glob such as
#             'test_s*' (more repetitions of the suspects per minute)
#
# A run that hangs past the test's timeout gets SIGQUIT, and gort's dump
# (GORTDEBUG=sigquit=exit: every goroutine's stack, exit status 2) lands
# in the failure's output, with the test it hung in (the last RUN line;
# stdout is line-buffered, so nothing is lost in a pipe's buffer). Set
# HUNT_LINES for more than the last 40 lines of a failure.
#
# Each run gets the test's command and environment from meson (intro-tests),
# the quick setup's sanitizer options, and a fresh random MALLOC_PERTURB_, as
# `meson test` gives it. scripts/stress.sh repeats whole suites; this one
# repeats a single test thousands of times. It found the lost wake-up of
# core/sched.hpp invariant 5 (a wakep() that found no idle P still counted
# as a spinner): 5 stalls in 17 minutes before the fix, none after.
#
# Ends with "N runs, N failed"; exits non-zero when a run failed.
set -uo pipefail
cd "$(dirname "$0")/.."
if [ $# -lt 3 ]; then
  echo "usage: scripts/hunt.sh BUILDDIR TEST SECONDS [WORKERS [FILTER]]" >&2
  exit 2
fi
dir=$1 test=$2 secs=$3 workers=${4:-2} filter=${5:-} keep=${HUNT_LINES:-40}
intro=$dir/meson-info/intro-tests.json
if [ ! -f "$intro" ]; then
  echo "hunt: $dir is not a configured meson build" >&2
  exit 2
fi
# The command and environment, one per line: NAME=VALUE..., then the argv.
spec=$(python3 - "$intro" "$test" "$dir" <<'EOF'
import json, os, sys
tests = json.load(open(sys.argv[1]))
hits = [t for t in tests if t["name"] == sys.argv[2]]
if not hits:
    sys.exit(f"hunt: no test named {sys.argv[2]} in {sys.argv[3]}")
t = hits[0]
opts = {o["name"]: o["value"] for o in json.load(open(sys.argv[3] + "/meson-info/intro-buildoptions.json"))}
san = opts.get("b_sanitize", "none")
env = dict(t["env"])
# The dump on a hang, added to what the test sets (runtime tests set
# GORTDEBUG=sysmonwake=0: keep it) or, failing that, to the caller's.
dbg = env.get("GORTDEBUG") or os.environ.get("GORTDEBUG")
env["GORTDEBUG"] = (dbg + "," if dbg else "") + "sigquit=exit"
if "thread" in san:
    env["TSAN_OPTIONS"] = "die_after_fork=0:halt_on_error=1:exitcode=66:atexit_sleep_ms=100"
if "address" in san:
    env["ASAN_OPTIONS"] = "detect_leaks=1:abort_on_error=0"
if "undefined" in san:
    env["UBSAN_OPTIONS"] = "halt_on_error=1:print_stacktrace=1"
print(" ".join(f"{k}={v}" for k, v in env.items()))
print("\x1f".join(t["cmd"]))
print(t.get("timeout") or 30)
EOF
) || exit 2
envline=$(sed -n 1p <<<"$spec")
IFS=$'\x1f' read -r -a argv <<<"$(sed -n 2p <<<"$spec")"
tmo=$(sed -n 3p <<<"$spec")
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

worker() {
  local w=$1 n=0 f=0 end=$(( $(date +%s) + secs )) log rc
  # a worker stops at its third failure: a test that always fails is no flake
  while [ "$(date +%s)" -lt "$end" ] && [ $f -lt 3 ]; do
    n=$((n + 1))
    # shellcheck disable=SC2086  # envline is NAME=VALUE words
    log=$(env $envline MALLOC_PERTURB_=$((RANDOM % 255 + 1)) ${filter:+RUNTIME_TEST_FILTER=$filter} \
          timeout -s QUIT -k 20 "$tmo" stdbuf -oL "${argv[@]}" 2>&1)
    rc=$?
    if [ $rc -ne 0 ]; then
      f=$((f + 1))
      { echo "=== worker $w, run $n: exit $rc at $(date +%T)"
        grep '^\[ RUN ' <<<"$log" | tail -1
        grep -v '^\[ *\(RUN\|OK\) ' <<<"$log" | tail -"$keep"; } >>"$out/fail.$w"
    fi
  done
  echo "$n $f" >"$out/count.$w"
}

echo "hunt: $test of $dir, $workers workers, ${secs}s${filter:+, filter $filter}"
for w in $(seq 1 "$workers"); do worker "$w" & done
wait
runs=0
fails=0
for w in $(seq 1 "$workers"); do
  read -r n f <"$out/count.$w"
  runs=$((runs + n))
  fails=$((fails + f))
  [ -f "$out/fail.$w" ] && cat "$out/fail.$w"
done
echo "$runs runs, $fails failed"
[ "$fails" -eq 0 ]
