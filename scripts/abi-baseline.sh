#!/usr/bin/env bash
# abi-baseline.sh - record the ABI of a released libgort as the baseline the
# 'abi' test (tests/test_abi.sh) compares every build with.
#
# Usage: scripts/abi-baseline.sh BUILD_DIR
#   BUILD_DIR  a build of the release, with debug info (the default
#              debugoptimized buildtype, no sanitizer)
# Writes tests/abi/libgort.so.0.abi.gz (abidw of the library, public types
# only). Run it when a version is released, and commit the file with the
# release; between releases the baseline stays the last released version's,
# so that every change since is checked against what users have.
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:?usage: scripts/abi-baseline.sh BUILD_DIR}
command -v abidw >/dev/null || { echo "abi-baseline: abidw not found (Debian package abigail-tools)"; exit 1; }
lib=$(find "$build/capi" -maxdepth 1 -name 'libgort.so.*.*.*' -type f | head -n 1)
[ -n "$lib" ] || { echo "abi-baseline: no libgort.so.X.Y.Z in $build/capi"; exit 1; }
tmp=$(mktemp)
trap 'rm -f "$tmp"' EXIT
abidw --no-corpus-path --no-comp-dir-path --headers-dir include --drop-private-types --out-file "$tmp" "$lib"
mkdir -p tests/abi
gzip -9 -n -c "$tmp" > tests/abi/libgort.so.0.abi.gz
echo "abi-baseline: tests/abi/libgort.so.0.abi.gz from $lib ($(grep -c '<elf-symbol ' "$tmp") symbols)"
