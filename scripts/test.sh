#!/usr/bin/env bash
# Every test: install what is needed, then build and run the suite three
# ways, each in its own build directory:
#   build-test   plain build: every suite, the 1,000,000-goroutine one too,
#                then the unit tests again under valgrind, then each
#                binding's bindings/<lang>/test.sh against it, then the
#                Debian packages (scripts/test-deb.sh);
#   build-asan   ASan + UBSan build: the quick suites;
#   build-tsan   TSan build: the quick suites.
# Ends with one line "N passed, N failed" summing all runs; exits non-zero
# when anything failed. Usage: scripts/test.sh
set -uo pipefail
cd "$(dirname "$0")/.."

bash scripts/install-deps.sh || { echo "0 passed, 1 failed"; exit 1; }

passed=0
failed=0
skipped=0

# run NAME BUILDDIR SETUP-OPTIONS... -- MESON-TEST-ARGS...
run() {
  local name=$1 dir=$2
  shift 2
  local setup_opts=()
  while [ $# -gt 0 ] && [ "$1" != "--" ]; do setup_opts+=("$1"); shift; done
  shift
  echo "=== $name"
  if [ ! -f "$dir/build.ninja" ]; then
    if ! meson setup "$dir" "${setup_opts[@]}" >"$dir.setup.log" 2>&1; then
      cat "$dir.setup.log"; failed=$((failed + 1)); return
    fi
  fi
  if ! ninja -C "$dir" >"$dir.ninja.log" 2>&1; then
    tail -50 "$dir.ninja.log"; failed=$((failed + 1)); return
  fi
  local log
  log=$(meson test -C "$dir" --num-processes 2 --print-errorlogs "$@" 2>&1)
  echo "$log" | grep -E '^ *[0-9]+/[0-9]+ ' || true
  echo "$log" | sed -n '/^Summary of Failures/,$p' | head -100
  # why each failed test failed: the end of its output (scripts/failed-logs.py)
  if echo "$log" | grep -qE '^(Fail|Timeout|Unexpected Pass): *[1-9]'; then
    python3 scripts/failed-logs.py "$dir" 40
  fi
  local ok xfail fail xpass tout skip
  ok=$(echo "$log" | sed -n 's/^Ok: *\([0-9]*\).*/\1/p' | tail -1)
  xfail=$(echo "$log" | sed -n 's/^Expected Fail: *\([0-9]*\).*/\1/p' | tail -1)
  fail=$(echo "$log" | sed -n 's/^Fail: *\([0-9]*\).*/\1/p' | tail -1)
  xpass=$(echo "$log" | sed -n 's/^Unexpected Pass: *\([0-9]*\).*/\1/p' | tail -1)
  tout=$(echo "$log" | sed -n 's/^Timeout: *\([0-9]*\).*/\1/p' | tail -1)
  skip=$(echo "$log" | sed -n 's/^Skipped: *\([0-9]*\).*/\1/p' | tail -1)
  if [ -z "$ok" ]; then
    echo "$log" | tail -30
    failed=$((failed + 1)); return
  fi
  passed=$((passed + ok + ${xfail:-0}))
  failed=$((failed + ${fail:-0} + ${xpass:-0} + ${tout:-0}))
  skipped=$((skipped + ${skip:-0}))
}

# run_script NAME COMMAND...: a script that ends with "N passed, N failed"
# (the bindings' test.sh).
run_script() {
  local name=$1
  shift
  echo "=== $name"
  local log
  log=$("$@" 2>&1)
  echo "$log" | grep -E '^(PASS|FAIL|SKIP)|passed, .* failed' | tail -200
  local line
  line=$(echo "$log" | grep -E '^[0-9]+ passed, [0-9]+ failed' | tail -1)
  if [ -z "$line" ]; then
    echo "$log" | tail -40
    failed=$((failed + 1)); return
  fi
  passed=$((passed + $(echo "$line" | sed 's/^\([0-9]*\) passed.*/\1/')))
  failed=$((failed + $(echo "$line" | sed 's/.* \([0-9]*\) failed.*/\1/')))
}

run "plain build: all suites" build-test --buildtype=debugoptimized -- --setup quick
run "plain build: 1,000,000 goroutines" build-test -- --suite slow
run "plain build: unit tests under valgrind" build-test -- --setup valgrind
for b in rust java csharp python; do
  [ -f "bindings/$b/test.sh" ] && run_script "bindings: $b" bash "bindings/$b/test.sh" build-test
done
run_script "Debian packages" bash scripts/test-deb.sh
run "ASan + UBSan build" build-asan --buildtype=debug -Db_sanitize=address,undefined -Db_lundef=false -Dslow_tests=false --
run "TSan build" build-tsan --buildtype=debugoptimized -Db_sanitize=thread -Db_lundef=false -Dslow_tests=false --

echo
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
