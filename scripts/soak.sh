#!/usr/bin/env bash
# The mixed-load soak (tests/soak.c) for a long time: flat RSS and VmSize
# after the warm-up, no goroutine left after any round.
# Usage: scripts/soak.sh [SECONDS [GOMAXPROCS]]   (default 3600 s, 2)
set -euo pipefail
cd "$(dirname "$0")/.."
secs=${1:-3600}
dir=build-soak
[ -f "$dir/build.ninja" ] || meson setup "$dir" --buildtype=release -Dslow_tests=false >/dev/null
ninja -C "$dir" tests/soak >/dev/null
GOMAXPROCS=${2:-2} "$dir/tests/soak" "$secs"
