#!/usr/bin/env bash
# The main job: install what is needed, build gort (release), then run each
# example, showing the runtime at work. Usage: scripts/run-examples.sh [builddir]
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build-release}

bash scripts/install-deps.sh
if [ ! -f "$build/build.ninja" ]; then
  meson setup "$build" --buildtype=release -Dtests=false >/dev/null
fi
ninja -C "$build" >/dev/null

run() { # run SOURCE BINARY
  printf '== examples/%s (GOMAXPROCS=%s)\n' "$1" "${GOMAXPROCS:-$(nproc)}"
  "$build/examples/$2" && status=0 || status=$?
  printf '   exit status %d\n' "$status"
}
for ex in hello args main_returns; do
  run "$ex.c" "$ex"
done
for ex in defer_order lines triple loops goroutine_panic; do
  run "defer/$ex.c" "defer/defer_$ex"
done
