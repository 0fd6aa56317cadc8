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

for ex in hello args main_returns; do
  printf '== examples/%s.c (GOMAXPROCS=%s)\n' "$ex" "${GOMAXPROCS:-$(nproc)}"
  "$build/examples/$ex"
  printf '   exit status %d\n' "$?"
done
