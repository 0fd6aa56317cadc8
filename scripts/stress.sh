#!/usr/bin/env bash
# Flake hunt: run the quick suites N times in each build and count every
# failure by test name. A flaky test is a bug: this finds it, never retries it.
#
# Usage: scripts/stress.sh [N [BUILD...]]
#   N      repetitions (default 20)
#   BUILD  plain, asan, tsan (default: all three), in build-stress-BUILD/
# Prints, per build, the repetitions, the test runs and each test that ever
# failed with its count, and ends with "N passed, N failed" over all runs.
# The logs of failed runs stay in build-stress-BUILD/meson-logs/.
set -uo pipefail
cd "$(dirname "$0")/.."
n=${1:-20}
shift || true
builds=("$@")
[ ${#builds[@]} -eq 0 ] && builds=(plain asan tsan)

passed=0
failed=0
for b in "${builds[@]}"; do
  dir=build-stress-$b
  case $b in
    plain) opts=(--buildtype=debugoptimized -Dslow_tests=false) ;;
    asan) opts=(--buildtype=debug -Db_sanitize=address,undefined -Db_lundef=false -Dslow_tests=false) ;;
    tsan) opts=(--buildtype=debugoptimized -Db_sanitize=thread -Db_lundef=false -Dslow_tests=false) ;;
    *) echo "stress: unknown build $b (plain, asan, tsan)"; exit 2 ;;
  esac
  if [ ! -f "$dir/build.ninja" ]; then
    meson setup "$dir" "${opts[@]}" >/dev/null || { echo "stress: setup of $dir failed"; exit 1; }
  fi
  ninja -C "$dir" >/dev/null || { echo "stress: build of $dir failed"; exit 1; }
  declare -A fails=()
  runs=0
  start=$(date +%s)
  for i in $(seq 1 "$n"); do
    # the soak and the install test are long and not about flakes
    log=$(meson test -C "$dir" --setup quick --num-processes 2 --no-suite soak \
          --no-suite install 2>&1)
    # "12/400 gort:unit / runtime-p2   FAIL   3.1s ...": the name has spaces
    while read -r name; do
      fails[$name]=$(( ${fails[$name]:-0} + 1 ))
      echo "stress: $b: repetition $i: FAIL $name (log: $dir/meson-logs/failed-$i.txt)"
    done < <(echo "$log" | sed -n 's/^ *[0-9]*\/[0-9]* \(.*[^ ]\) *\(FAIL\|TIMEOUT\|ERROR\) .*/\1/p')
    ok=$(echo "$log" | sed -n 's/^Ok: *\([0-9]*\).*/\1/p' | tail -1)
    bad=$(echo "$log" | sed -n 's/^\(Fail\|Timeout\): *\([0-9]*\).*/\2/p' | awk '{s+=$0} END {print s+0}')
    if [ "${bad:-0}" -gt 0 ]; then
      cp "$dir/meson-logs/testlog-quick.txt" "$dir/meson-logs/failed-$i.txt" 2>/dev/null
    fi
    echo "stress: $b: repetition $i of $n: ${ok:-0} ok, ${bad:-0} failed"
    runs=$((runs + ${ok:-0} + ${bad:-0}))
    passed=$((passed + ${ok:-0}))
    failed=$((failed + ${bad:-0}))
  done
  echo "stress: $b: $n repetitions, $runs test runs, $(( $(date +%s) - start )) s"
  for name in "${!fails[@]}"; do echo "stress: $b: FLAKY $name failed ${fails[$name]} of $n"; done
  unset fails
done
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
