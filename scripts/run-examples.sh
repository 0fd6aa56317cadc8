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

run() { # run SOURCE BINARY [ARG...]
  local src=$1 bin=$2
  shift 2
  printf '== examples/%s%s (GOMAXPROCS=%s)\n' "$src" "${*:+ $*}" "${GOMAXPROCS:-$(nproc)}"
  "$build/examples/$bin" "$@" && status=0 || status=$?
  printf '   exit status %d\n' "$status"
}
for ex in hello args main_returns; do
  run "$ex.c" "$ex"
done
for ex in defer_order lines triple loops goroutine_panic; do
  run "defer/$ex.c" "defer/defer_$ex"
done
# skynet with the classic million leaves: 1,111,111 goroutines
run chan/skynet.c chan/chan_skynet 1000000
for ex in worker_pool select_timeout pipeline bank ticker; do
  run "chan/$ex.c" "chan/chan_$ex"
done
# goroutines blocked in system calls while others compute
run syscall/blocking.c syscall/syscall_blocking
# sockets through the netpoller: each server talks to its own clients
for ex in echo chat http; do
  run "net/$ex.c" "net/$ex" -selftest
done
