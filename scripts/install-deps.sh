#!/usr/bin/env bash
# Install what gort's build, examples, tests and benchmarks need, from
# Debian's packages. Idempotent: does nothing when everything is there.
set -euo pipefail

packages=(
  g++ gcc meson ninja-build pkg-config python3   # build
  libboost-context-dev                           # the context switch
  libcmocka-dev                                  # unit tests
  golang-go                                      # Go twins of the examples, bench peers
  valgrind                                       # valgrind test setup (and valgrind.h)
  binutils                                       # nm, for the exported-symbols test
  curl                                           # fetches the HTTP example in its test
  clang                                          # gort.hpp is checked with clang++ too
  abigail-tools                                  # abidiff: the ABI guard (tests/test_abi.sh)
  debhelper dpkg-dev lintian git                 # the Debian packages (scripts/test-deb.sh)
  python3-matplotlib                             # scripts/trace-render.py (an execution trace as a picture)
)
# Each binding lists its toolchain's packages (cargo, javac, mcs...).
here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
for f in "$here"/bindings/*/PACKAGES; do
  [ -f "$f" ] || continue
  while read -r p _; do
    case "$p" in ''|'#'*) continue ;; esac
    packages+=("$p")
  done < "$f"
done

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "install-deps: installing ${missing[*]}" >&2
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
